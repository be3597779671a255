"""`scute mirror` between the non-registry transports, end to end with the
real binary, checked by the real skopeo and umoci:

- oci -> oci keeps every digest (manifest, config, layers) byte for byte;
  `skopeo inspect --raw` shows the source's manifest bytes and
  `umoci unpack` unpacks the copy; stdout is the pinned reference;
- a rerun moves nothing (--json: bytes_sent 0, every blob skipped);
- oci -> oci-archive -> oci keeps the manifest digest; oci ->
  docker-archive is readable by skopeo and keeps config and layer digests
  back in oci; docker-archive (skopeo-made) -> oci is an OCI manifest with
  the same layer bytes, unpackable by umoci;
- an index: --all-platforms copies it whole, --platform one manifest;
- cosign-style "sha256-<hex>.sig" tags are copied along (not with
  --no-signatures);
- bad inputs: a missing source (3), DST's tag taken without --replace (2,
  index.json unchanged), a corrupt source blob (3, DST untouched, no temp
  files), usage errors (2).
"""
import hashlib
import json
import os
import subprocess

import pytest

import images
from conftest import assert_error, scute, scute_ok

SHA = "sha256:"


def skopeo_raw(ref):
    p = subprocess.run(["skopeo", "inspect", "--raw", ref], capture_output=True, timeout=300)
    assert p.returncode == 0, p.stderr.decode()
    return p.stdout


def skopeo_inspect(ref):
    p = subprocess.run(["skopeo", "inspect", ref], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def umoci_unpack_ok(layout_ref, tmp):
    bundle = os.path.join(tmp, "bundle-%d" % abs(hash(layout_ref)))
    images.run("umoci", "unpack", "--image", layout_ref, bundle, stdout=subprocess.DEVNULL,
               stderr=subprocess.DEVNULL)
    assert os.path.isdir(os.path.join(bundle, "rootfs", "etc"))
    images.safe_rmtree(bundle)


def sha(data):
    return SHA + hashlib.sha256(data).hexdigest()


def mirror_json(*args):
    p = scute_ok("mirror", "--json", *args)
    return json.loads(p.stdout)


def tree_state(path):
    """Names and sizes of every file below path (or of the file)."""
    if os.path.isfile(path):
        return {path: os.path.getsize(path)}
    out = {}
    for dp, dns, fns in os.walk(path):
        for n in fns:
            p = os.path.join(dp, n)
            out[os.path.relpath(p, path)] = os.path.getsize(p)
    return out


@pytest.fixture(scope="module")
def deb(debian_dir):
    lay = os.path.join(debian_dir, "oci")
    raw = skopeo_raw("oci:%s:base" % lay)
    return {"dir": debian_dir, "oci": "oci:%s:base" % lay, "raw": raw, "digest": sha(raw),
            "man": json.loads(raw), "docker": "docker-archive:" + os.path.join(debian_dir, "docker.tar")}


def test_oci_to_oci_keeps_digests(deb, tmp_path):
    dst = tmp_path / "copy"
    p = scute_ok("mirror", deb["oci"], "oci:%s:v1" % dst)
    assert p.stdout == "oci:%s@%s\n" % (dst, deb["digest"])
    assert skopeo_raw("oci:%s:v1" % dst) == deb["raw"]
    src_blobs = os.path.join(deb["dir"], "oci", "blobs", "sha256")
    for d in [deb["man"]["config"]] + deb["man"]["layers"]:
        h = d["digest"][len(SHA):]
        with open(os.path.join(src_blobs, h), "rb") as a, open(dst / "blobs" / "sha256" / h, "rb") as b:
            assert a.read() == b.read()
    assert not [n for n in os.listdir(dst / "blobs" / "sha256") if n.startswith(".")]
    umoci_unpack_ok("%s:v1" % dst, str(tmp_path))
    # skopeo reads it as a source too
    images.run("skopeo", "copy", "-q", "oci:%s:v1" % dst, "oci:%s:x" % (tmp_path / "by-skopeo"))
    assert skopeo_raw("oci:%s:x" % (tmp_path / "by-skopeo")) == deb["raw"]


def test_rerun_moves_nothing_and_json(deb, tmp_path):
    dst = "oci:%s:v1" % (tmp_path / "again")
    first = mirror_json(deb["oci"], dst)
    assert first["digest"] == deb["digest"]
    assert first["media_type"] == images.MT_MANIFEST
    assert first["blobs"] == 1 + len(deb["man"]["layers"])
    assert first["skipped"] == 0 and first["mounted"] == 0
    assert first["bytes_sent"] == deb["man"]["config"]["size"] + sum(l["size"] for l in deb["man"]["layers"])
    assert first["manifests"] == 1 and first["signatures"] == 0
    assert first["source"] == deb["oci"] and first["destination"] == dst
    assert first["reference"] == "oci:%s@%s" % (tmp_path / "again", deb["digest"])
    before = open(tmp_path / "again" / "index.json", "rb").read()
    second = mirror_json(deb["oci"], dst)
    assert second["bytes_sent"] == 0
    assert second["skipped"] == second["blobs"] == first["blobs"]
    assert open(tmp_path / "again" / "index.json", "rb").read() == before


def test_oci_archive_round_trip(deb, tmp_path):
    arc = tmp_path / "img.tar"
    p = scute_ok("mirror", deb["oci"], "oci-archive:%s:v1" % arc)
    assert p.stdout.strip() == "oci-archive:%s@%s" % (arc, deb["digest"])
    assert skopeo_raw("oci-archive:%s:v1" % arc) == deb["raw"]
    back = tmp_path / "back"
    p = scute_ok("mirror", "oci-archive:%s:v1" % arc, "oci:%s:v1" % back)
    assert p.stdout.strip().endswith("@" + deb["digest"])
    assert skopeo_raw("oci:%s:v1" % back) == deb["raw"]
    assert not [n for n in os.listdir(tmp_path) if "stage-" in n or "tmp-" in n]


def test_oci_to_docker_archive_and_back(deb, tmp_path):
    arc = tmp_path / "docker.tar"
    scute_ok("mirror", deb["oci"], "docker-archive:%s:example.org/deb:v1" % arc)
    info = skopeo_inspect("docker-archive:%s" % arc)
    assert info["RepoTags"] in ([], ["example.org/deb:v1"])
    got = json.loads(skopeo_raw("docker-archive:%s" % arc))
    assert got["config"]["digest"] == deb["man"]["config"]["digest"]
    # skopeo names docker-archive layers by their diff_ids (it reads compressed ones as tar)
    cfg = json.loads(open(os.path.join(deb["dir"], "oci", "blobs", "sha256",
                                       deb["man"]["config"]["digest"][len(SHA):]), "rb").read())
    assert [l["digest"] for l in got["layers"]] == cfg["rootfs"]["diff_ids"]
    # skopeo can copy out of it; scute's copy back keeps config and layer digests
    images.run("skopeo", "copy", "-q", "docker-archive:%s" % arc, "oci:%s:sk" % (tmp_path / "sk"))
    back = tmp_path / "back"
    scute_ok("mirror", "docker-archive:%s" % arc, "oci:%s:v1" % back)
    man = json.loads(skopeo_raw("oci:%s:v1" % back))
    assert man["mediaType"] == images.MT_MANIFEST
    assert man["config"]["digest"] == deb["man"]["config"]["digest"]
    assert man["config"]["mediaType"] == images.MT_CONFIG
    assert [(l["digest"], l["mediaType"]) for l in man["layers"]] == \
        [(l["digest"], images.MT_LAYER_GZIP) for l in deb["man"]["layers"]]
    umoci_unpack_ok("%s:v1" % back, str(tmp_path))
    # An existing archive is only replaced when asked.
    p = scute("mirror", deb["oci"], "docker-archive:%s:example.org/deb:v1" % arc)
    assert_error(p, 2, "exists")
    scute_ok("mirror", "--replace", deb["oci"], "docker-archive:%s:example.org/deb:v2" % arc)
    assert skopeo_inspect("docker-archive:%s" % arc)["RepoTags"] in ([], ["example.org/deb:v2"])


def test_skopeo_docker_archive_to_oci(deb, tmp_path):
    dst = tmp_path / "from-docker"
    out = mirror_json(deb["docker"], "oci:%s:v1" % dst)
    man = json.loads(skopeo_raw("oci:%s:v1" % dst))
    assert out["digest"] == sha(skopeo_raw("oci:%s:v1" % dst))
    assert man["mediaType"] == images.MT_MANIFEST
    assert man["config"]["mediaType"] == images.MT_CONFIG
    for l in man["layers"]:
        assert l["mediaType"] in (images.MT_LAYER_TAR, images.MT_LAYER_GZIP)
    src_info = skopeo_inspect(deb["docker"])
    assert [l["digest"] for l in man["layers"]] == src_info["Layers"]
    umoci_unpack_ok("%s:v1" % dst, str(tmp_path))
    # the same files as the source, as scute sees them
    a = scute_ok("inspect", "--json", deb["docker"])
    b = scute_ok("inspect", "--json", "oci:%s:v1" % dst)
    assert json.loads(a.stdout)["config"] == json.loads(b.stdout)["config"]


def test_index_all_and_one_platform(index_dir, tmp_path):
    src = "oci:%s:multi" % os.path.join(index_dir, "oci")
    raw = skopeo_raw(src)
    ix = json.loads(raw)
    out = mirror_json("--all-platforms", src, "oci:%s:m" % (tmp_path / "all"))
    assert out["digest"] == sha(raw) and out["media_type"] == images.MT_INDEX
    assert out["manifests"] == 1 + len(ix["manifests"])
    assert skopeo_raw("oci:%s:m" % (tmp_path / "all")) == raw
    arm = [m for m in ix["manifests"] if m["platform"]["architecture"] == "arm64"][0]
    out = mirror_json("--platform", "linux/arm64", src, "oci:%s:m" % (tmp_path / "arm"))
    assert out["digest"] == arm["digest"] and out["manifests"] == 1
    assert sha(skopeo_raw("oci:%s:m" % (tmp_path / "arm"))) == arm["digest"]
    p = scute("mirror", "--platform", "linux/s390x", src, "oci:%s:m" % (tmp_path / "none"))
    assert_error(p, 3, "s390x")
    assert not os.path.exists(tmp_path / "none" / "index.json") or \
        json.load(open(tmp_path / "none" / "index.json"))["manifests"] == []


def small_signed_layout(path):
    """A small image tagged v1 with a cosign-style .sig manifest; returns (image desc, sig desc)."""
    L = images.Layout(str(path))
    tar = images.tar_bytes([images.D("etc"), images.F("etc/hello", "hi\n")])
    r = images.write_image(L, [tar], ref="v1")
    payload = L.put(b'{"critical":{"image":{"docker-manifest-digest":"%s"}}}' % r["manifest"]["digest"].encode(),
                    "application/vnd.dev.cosign.simplesigning.v1+json")
    cfg = L.put(b"{}", "application/vnd.oci.image.config.v1+json")
    sig = L.put_json({"schemaVersion": 2, "mediaType": images.MT_MANIFEST, "config": cfg, "layers": [payload]},
                     images.MT_MANIFEST)
    L.tag(sig, "sha256-%s.sig" % r["manifest"]["digest"][len(SHA):])
    return r, sig, L


def test_signature_tags_copied(tmp_path):
    r, sig, L = small_signed_layout(tmp_path / "signed")
    src = "oci:%s:v1" % L.path
    tag = "sha256-%s.sig" % r["manifest"]["digest"][len(SHA):]
    out = mirror_json(src, "oci:%s:v1" % (tmp_path / "dst"))
    assert out["signatures"] == 1 and out["manifests"] == 2
    assert sha(skopeo_raw("oci:%s:%s" % (tmp_path / "dst", tag))) == sig["digest"]
    out = mirror_json("--no-signatures", src, "oci:%s:v1" % (tmp_path / "nosig"))
    assert out["signatures"] == 0
    refs = [m.get("annotations", {}).get(images.REF_ANNOTATION)
            for m in json.load(open(tmp_path / "nosig" / "index.json"))["manifests"]]
    assert refs == ["v1"]


def test_bad_inputs(deb, tmp_path):
    # missing source
    p = scute("mirror", "oci:%s:v1" % (tmp_path / "nothing"), "oci:%s:v1" % (tmp_path / "d0"))
    assert_error(p, 3)
    assert not os.path.exists(tmp_path / "d0")
    # the tag is taken by another image: refused, index.json unchanged; --replace replaces
    r, sig, L = small_signed_layout(tmp_path / "small")
    dst = tmp_path / "taken"
    scute_ok("mirror", "oci:%s:v1" % L.path, "oci:%s:v1" % dst)
    before = open(dst / "index.json", "rb").read()
    p = scute("mirror", deb["oci"], "oci:%s:v1" % dst)
    assert_error(p, 2, "exists")
    assert open(dst / "index.json", "rb").read() == before
    p = scute_ok("mirror", "--replace", deb["oci"], "oci:%s:v1" % dst)
    assert p.stdout.strip().endswith(deb["digest"])
    # usage
    assert_error(scute("mirror", deb["oci"]), 2)
    assert_error(scute("mirror", "--jobs", "65", deb["oci"], "oci:%s" % dst), 2)
    assert_error(scute("mirror", "--all-platforms", "--platform", "linux/amd64", deb["oci"], "oci:x"), 2)
    assert_error(scute("mirror", "nope:x", "oci:x"), 2)
    assert scute("mirror", "--help").returncode == 0


def test_corrupt_blob_leaves_dst_untouched(tmp_path):
    L = images.Layout(str(tmp_path / "src"))
    big = images.det_bytes(3 << 20, b"corrupt")
    tar = images.tar_bytes([images.D("opt"), images.F("opt/big", big)])
    r = images.write_image(L, [tar, images.tar_bytes([images.F("x", "y")])], ref="v1")
    src = "oci:%s:v1" % L.path
    # DST already holds another image under v1
    r2, _, L2 = small_signed_layout(tmp_path / "other")
    dst = tmp_path / "dst"
    scute_ok("mirror", "oci:%s:v1" % L2.path, "oci:%s:v1" % dst)
    before = tree_state(str(dst))
    index_before = open(dst / "index.json", "rb").read()
    layer = r["layers"][0]
    data = bytearray(L.read(layer["digest"]))
    data[len(data) // 2] ^= 0xFF
    L.overwrite_blob(layer["digest"], bytes(data))
    for target in ("oci:%s:v1" % dst, "oci-archive:%s:v1" % (tmp_path / "a.tar"),
                   "docker-archive:%s:x/y:1" % (tmp_path / "d.tar")):
        p = scute("mirror", "--replace", "--digestfile", tmp_path / "dg", src, target)
        assert_error(p, 3, layer["digest"][:19])
        assert p.stdout == ""
    assert open(dst / "index.json", "rb").read() == index_before
    after = tree_state(str(dst))
    assert {k: v for k, v in after.items() if k in before} == before
    assert not [k for k in after if os.path.basename(k).startswith(".tmp")]
    # archives: no file, no staging directory, no temp file; no digest file
    assert sorted(os.listdir(tmp_path)) == ["dst", "other", "src"]


def test_digestfile(deb, tmp_path):
    f = tmp_path / "digest"
    p = scute_ok("mirror", "--digestfile", f, "-j", "1", deb["oci"], "oci:%s:v1" % (tmp_path / "d"))
    assert open(f).read() == deb["digest"]
    assert p.stdout.strip().endswith("@" + deb["digest"])
