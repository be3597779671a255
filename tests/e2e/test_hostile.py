"""Hostile and broken images: `scute inspect` must refuse each one with the
documented exit status (3 input error, 2 usage error), exactly one stderr
line carrying the key phrase, no crash, no sanitizer report (with
SCUTE_SANITIZED=1), and nothing written outside its temp dir.

Images are built per test with images.py's layout writer; the broken part is
the middle layer of three where that matters, so the message must name
"layer 2/3".
"""

import gzip
import json
import os
import re
import uuid

import pytest

import images
from conftest import assert_error, describe, scute
from images import CHR, BLK, D, F, H, S

MARK = "scute-hostile-" + uuid.uuid4().hex[:8]


def good_tar(tag="x"):
    return images.tar_bytes([D("etc"), F("etc/" + tag, tag * 100), F("etc/%s.2" % tag, images.det_bytes(3000))])


def snapshot(root):
    out = {}
    for dp, dn, fn in os.walk(root):
        for n in dn + fn:
            p = os.path.join(dp, n)
            st = os.lstat(p)
            out[os.path.relpath(p, root)] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return out


class Case:
    """An OCI layout in tmp_path/img plus an empty cwd and TMPDIR for scute."""

    def __init__(self, tmp_path):
        self.tmp = tmp_path
        self.dir = tmp_path / "img"
        self.cwd = tmp_path / "cwd"
        self.tmpdir = tmp_path / "tmp"
        self.cwd.mkdir()
        self.tmpdir.mkdir()
        self.layout = images.Layout(str(self.dir))
        self.ref = "t"

    def image(self, layers, **kw):
        self.info = images.write_image(self.layout, layers, ref=self.ref, **kw)
        return self.info

    def three(self, bad):
        """Three layers, the middle one being `bad` (see write_image)."""
        return self.image([good_tar("a"), bad, good_tar("c")])

    def rewrite_manifest(self, fn):
        man = self.layout.manifest(self.ref)
        fn(man)
        self.layout.tag(self.layout.put_json(man, images.MT_MANIFEST), self.ref)

    def put_manifest_bytes(self, data):
        self.layout.tag(self.layout.put(data, images.MT_MANIFEST), self.ref)

    def run(self, *args, image=None):
        before = snapshot(str(self.dir))
        p = scute("inspect", "--json", *args, image or "oci:%s:%s" % (self.dir, self.ref),
                  cwd=str(self.cwd), env={"TMPDIR": str(self.tmpdir)})
        assert p.stdout == "", "no JSON may be printed on error\n" + describe(p)
        assert os.listdir(self.cwd) == [], "scute wrote into its cwd: %r" % os.listdir(self.cwd)
        assert os.listdir(self.tmpdir) == [], "scute left temp files: %r" % os.listdir(self.tmpdir)
        if os.path.isdir(self.dir):
            assert snapshot(str(self.dir)) == before, "scute modified the image"
        for d in ("/", "/tmp", "/var/tmp", str(self.tmp), str(self.tmp.parent), str(self.cwd.parent)):
            assert not [e for e in os.listdir(d) if MARK in e], "escaped write in %s" % d
        return p


@pytest.fixture
def case(tmp_path):
    return Case(tmp_path)


def layer_blob(tar, comp="gzip"):
    blob, mt = images.compress(tar, comp)
    return {"blob": blob, "mediaType": mt, "diff_id": images.digest_of(tar)}


def assert_layer_error(p, *phrases, any_of=None, n="2/3"):
    line = assert_error(p, 3, *phrases, any_of=any_of)
    assert re.search(r"layer %s\b" % re.escape(n), line), "message must name layer %s\n%s" % (n, describe(p))
    return line


# --------------------------------------------------------------------------
# Compressed streams


def test_truncated_gzip(case):
    b = layer_blob(good_tar("b"))
    b["blob"] = b["blob"][:len(b["blob"]) // 2]
    case.three(b)
    assert_layer_error(case.run(), "truncated")


def test_truncated_gzip_trailer(case):
    """Tar complete, gzip trailer (CRC32 + ISIZE) missing."""
    b = layer_blob(good_tar("b"))
    b["blob"] = b["blob"][:-8]
    case.three(b)
    assert_layer_error(case.run(), "truncated")


def test_corrupt_gzip(case):
    """Valid gzip header, then an invalid deflate block type."""
    b = layer_blob(good_tar("b"))
    b["blob"] = b["blob"][:10] + b"\xff" * (len(b["blob"]) - 10)
    case.three(b)
    assert_layer_error(case.run(), any_of=("corrupt", "invalid"))


def test_gzip_crc_mismatch(case):
    b = layer_blob(good_tar("b"))
    blob = bytearray(b["blob"])
    blob[-8] ^= 0xFF
    b["blob"] = bytes(blob)
    case.three(b)
    assert_layer_error(case.run(), any_of=("corrupt", "invalid"))


def test_not_gzip_at_all(case):
    b = layer_blob(good_tar("b"))
    b["blob"] = b"this is not gzip data" * 10
    case.three(b)
    # scute may sniff the magic and then fail as a tar instead of as gzip.
    assert_layer_error(case.run(), any_of=("corrupt", "invalid", "not in gzip format", "magic", "not a tar"))


def test_truncated_zstd(case):
    b = layer_blob(good_tar("b") + images.det_bytes(20000), "zstd")
    b["blob"] = b["blob"][:len(b["blob"]) // 2]
    case.three(b)
    assert_layer_error(case.run(), "truncated")


def test_corrupt_zstd(case):
    b = layer_blob(good_tar("b"), "zstd")
    blob = bytearray(b["blob"])
    for i in range(20, len(blob) - 8):
        blob[i] ^= 0x5A
    b["blob"] = bytes(blob)
    case.three(b)
    assert_layer_error(case.run(), any_of=("corrupt", "invalid"))


# --------------------------------------------------------------------------
# Digests, sizes, missing blobs


def test_layer_digest_mismatch(case):
    """Blob replaced by a valid gzip of the same tar and size (gzip MTIME
    changed), so only the digest can tell."""
    info = case.three(good_tar("b"))
    d = info["layers"][1]["digest"]
    blob = bytearray(case.layout.read(d))
    blob[4:8] = b"\x01\x02\x03\x04"
    gzip.decompress(bytes(blob))  # still valid
    case.layout.overwrite_blob(d, bytes(blob))
    line = assert_error(case.run(), 3, "digest mismatch")
    assert "sha256:" + d.split(":")[1][:12] in line, line


def test_config_digest_mismatch(case):
    info = case.three(good_tar("b"))
    d = info["config"]["digest"]
    data = case.layout.read(d)
    assert b"2024-01-02" in data
    case.layout.overwrite_blob(d, data.replace(b"2024-01-02", b"2025-01-02", 1))
    line = assert_error(case.run(), 3, "digest mismatch")
    assert "sha256:" + d.split(":")[1][:12] in line, line


def test_manifest_digest_mismatch(case):
    info = case.three(good_tar("b"))
    d = info["manifest"]["digest"]
    man = json.loads(case.layout.read(d))
    data = json.dumps(dict(reversed(list(man.items()))), separators=(",", ":")).encode()  # same size
    assert len(data) == info["manifest"]["size"] and images.digest_of(data) != d
    case.layout.overwrite_blob(d, data)
    line = assert_error(case.run(), 3, "digest mismatch")
    assert "sha256:" + d.split(":")[1][:12] in line, line


def test_layer_size_mismatch(case):
    case.three(good_tar("b"))

    def fn(man):
        man["layers"][1]["size"] += 1
    case.rewrite_manifest(fn)
    assert_error(case.run(), 3, "size mismatch")


def test_config_size_mismatch(case):
    case.three(good_tar("b"))

    def fn(man):
        man["config"]["size"] -= 1
    case.rewrite_manifest(fn)
    assert_error(case.run(), 3, "size mismatch")


@pytest.mark.parametrize("which", ["layer", "config", "manifest"])
def test_missing_blob(case, which):
    info = case.three(good_tar("b"))
    d = {"layer": info["layers"][1], "config": info["config"], "manifest": info["manifest"]}[which]["digest"]
    os.unlink(case.layout.blob_path(d))
    line = assert_error(case.run(), 3, "not found")
    assert d.split(":")[1][:12] in line, "message should name the missing blob\n" + line


def test_diff_id_mismatch_with_verify(case):
    tar = good_tar("b")
    b = layer_blob(tar)
    b["diff_id"] = images.digest_of(tar + b"x")
    case.three(b)
    assert_error(case.run("--verify-diff-ids"), 3, any_of=("digest mismatch", "diff_id", "diffid"))


# --------------------------------------------------------------------------
# Malformed JSON and limits


def test_malformed_manifest_json(case):
    case.put_manifest_bytes(b'{"schemaVersion": 2, "config": {"mediaType": ')
    assert_error(case.run(), 3, "malformed JSON")


def test_malformed_index_json(case):
    case.three(good_tar("b"))
    with open(os.path.join(case.dir, "index.json"), "w") as f:
        f.write('{"schemaVersion": 2, "manifests": [')
    assert_error(case.run(), 3, "malformed JSON")


def test_huge_manifest(case):
    info = case.three(good_tar("b"))
    man = case.layout.read_json(info["manifest"]["digest"])
    man["annotations"] = {"pad": "x" * (5 * 1024 * 1024)}
    case.rewrite_manifest(lambda m: m.update(man))
    assert_error(case.run(), 3, "limit")


def test_deeply_nested_manifest(case):
    depth = 10000
    case.put_manifest_bytes(b'{"schemaVersion":2,"x":' + b"[" * depth + b"]" * depth + b"}")
    assert_error(case.run(), 3, "nested")


def test_max_entries_option(case):
    case.image([images.tar_bytes([D("d")] + [F("d/%d" % i) for i in range(20)])])
    assert_error(case.run("--max-entries", "10"), 3, "limit")


@pytest.mark.slow
def test_million_entries(million_dir, tmp_path):
    """10^6 tar entries, default --max-entries 500000."""
    (tmp_path / "cwd").mkdir()
    p = scute("inspect", "--json", "oci:%s:million" % os.path.join(million_dir, "oci"), cwd=str(tmp_path / "cwd"))
    assert_error(p, 3, "limit")
    assert p.stdout == ""


# --------------------------------------------------------------------------
# Hostile tar content


@pytest.mark.parametrize("name", ["../" + MARK, "a/../../" + MARK, "./../" + MARK, "a/b/../../../" + MARK])
def test_tar_entry_escapes(case, name):
    case.three(images.tar_bytes([D("a"), D("a/b"), F(name, "evil")]))
    assert_error(case.run(), 3, any_of=("escapes", "absolute"))


@pytest.mark.parametrize("name", ["/" + MARK, "//" + MARK])
def test_tar_entry_absolute(case, name):
    case.three(images.tar_bytes([F(name, "evil")]))
    assert_error(case.run(), 3, any_of=("escapes", "absolute"))


def test_hardlink_escapes(case):
    case.three(images.tar_bytes([H("x", "../../" + MARK)]))
    assert_error(case.run(), 3, any_of=("escapes", "absolute", "hard link"))


def test_symlink_loop(case):
    case.three(images.tar_bytes([S("a", "b"), S("b", "a")]))
    assert_error(case.run(), 3, "symlink loop")


def test_symlink_loop_across_layers(case):
    case.image([images.tar_bytes([D("d"), S("d/a", "../e/b")]), images.tar_bytes([D("e"), S("e/b", "/d/a")])])
    assert_error(case.run(), 3, "symlink loop")


def test_symlink_outside(case):
    case.three(images.tar_bytes([S("x", "../../../../etc/passwd")]))
    assert_error(case.run(), 3, "outside")


def test_symlink_outside_nested(case):
    case.three(images.tar_bytes([D("usr"), D("usr/lib"), S("usr/lib/x", "../../../etc/passwd")]))
    assert_error(case.run(), 3, "outside")


def test_hardlink_missing_target(case):
    case.three(images.tar_bytes([H("x", "no/such/file")]))
    assert_error(case.run(), 3, "hard link")


def test_hardlink_to_whited_out_target(case):
    case.image([images.tar_bytes([F("t", "x")]), images.tar_bytes([images.WH("t"), H("l", "t")])])
    assert_error(case.run(), 3, "hard link")


@pytest.mark.parametrize("dev", ["char", "block"])
def test_device_node(case, dev):
    node = CHR("dev/null", 1, 3) if dev == "char" else BLK("dev/sda", 8, 0)
    case.three(images.tar_bytes([D("dev"), node]))
    assert_error(case.run(), 3, "device")


# --------------------------------------------------------------------------
# Index, references, usage


def test_index_without_matching_platform(case):
    L = case.layout
    ms = []
    for os_, arch in (("windows", "amd64"), ("linux", "riscv64")):
        r = images.write_image(L, [good_tar()], tag=False, platform=(os_, arch, None))
        ms.append(dict(r["manifest"], platform={"os": os_, "architecture": arch}))
    L.tag(L.put_json({"schemaVersion": 2, "mediaType": images.MT_INDEX, "manifests": ms}, images.MT_INDEX), "t")
    line = assert_error(case.run(), 3, "windows/amd64", "linux/riscv64")
    assert "platform" in line.lower()


def test_unknown_ref(case):
    case.three(good_tar("b"))
    assert_error(case.run(image="oci:%s:nosuchtag" % case.dir), 3, "nosuchtag")


def test_unknown_transport(case):
    p = case.run(image="foo:%s" % case.dir)
    assert_error(p, 2)


def test_no_transport(case):
    assert_error(case.run(image=str(case.dir)), 2)


def test_nonexistent_directory(case):
    assert_error(case.run(image="oci:/nonexistent-%s/dir:tag" % MARK), 3)


def test_not_an_oci_layout(case):
    empty = case.tmp / "empty"
    empty.mkdir()
    assert_error(case.run(image="oci:%s:t" % empty), 3)


def test_oci_archive_not_a_tar(case):
    f = case.tmp / "bad.tar"
    f.write_bytes(images.det_bytes(5000))
    assert_error(case.run(image="oci-archive:%s" % f), 3)


def test_docker_archive_truncated(case, debian_dir):
    src = os.path.join(debian_dir, "docker.tar")
    f = case.tmp / "trunc.tar"
    with open(src, "rb") as i, open(f, "wb") as o:
        o.write(i.read(os.path.getsize(src) // 2))
    assert_error(case.run(image="docker-archive:%s" % f), 3)


@pytest.mark.parametrize("args", [["--jobs", "0"], ["--jobs", "x"], ["--top", "-1"], ["--platform", ""],
                                  ["--max-entries", "abc"], ["--bogus"]])
def test_bad_options(case, args):
    case.three(good_tar("b"))
    assert_error(case.run(*args), 2)
