"""scute against real registries (issue 7): `scute mirror` and every verb
that names an image, with docker:// references, checked by independent
peers (skopeo, the raw HTTP API in registry.py, the registry's storage).

Registries are Debian's docker-registry (distribution 2.8) started by
registry.py on loopback: plain http, htpasswd Basic, TLS with a generated
CA, and bearer tokens from a token server run by the tests.  A FaultProxy
in front of a registry injects 429s, corrupt blob bodies, cut connections
and a registry crash mid-push, and logs every request.

The CLI under test:
  scute mirror [--all-platforms] [--no-signatures] [--jobs N] [--json]
               [--digestfile F] [--creds U:P] [--src-creds U:P]
               [--dest-creds U:P] [--authfile F] [--tls-verify=false]
               [--ca-file F] [--plain-http] SRC DST
  stdout: the pinned reference of the copy (HOST:PORT/REPO@sha256:HEX for
  docker://), or with --json an object with keys source, destination,
  digest, media_type, blobs, skipped, mounted, bytes_sent, manifests,
  signatures.  Exit: 0 ok, 2 usage, 3 input error (bad image, digest
  mismatch, auth refused), 4 network/internal.
"""

import base64
import json
import os
import platform
import re
import time

import pytest

import images
import registry as R
from conftest import assert_error, describe, scute_env

HEX_RE = re.compile(r"sha256:[0-9a-f]{64}")


# --------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def env(registry_stack):
    """An environment with no credentials of the machine's user: HOME and
    XDG_RUNTIME_DIR empty, no REGISTRY_AUTH_FILE / DOCKER_CONFIG."""
    home = registry_stack.tmpdir("home-")
    run = registry_stack.tmpdir("run-")
    return {"HOME": home, "XDG_RUNTIME_DIR": run, "REGISTRY_AUTH_FILE": None, "DOCKER_CONFIG": None}


run = scute_env


def run_ok(env, *args, **kw):
    p = run(env, *args, **kw)
    assert p.returncode == 0, describe(p)
    assert p.stderr == "", "stderr must be empty on success off a TTY\n" + describe(p)
    return p


def mirror(env, *args, **kw):
    return run(env, "mirror", *args, **kw)


def mirror_ok(env, *args, **kw):
    return run_ok(env, "mirror", *args, **kw)


JSON_KEYS = {"source", "destination", "digest", "media_type", "blobs", "skipped", "mounted",
             "bytes_sent", "manifests", "signatures"}


def mirror_json(env, *args, **kw):
    p = run_ok(env, "mirror", "--json", *args, **kw)
    try:
        j = json.loads(p.stdout)
    except ValueError as e:
        pytest.fail("stdout is not JSON (%s)\n%s" % (e, describe(p)))
    assert JSON_KEYS <= set(j), "missing keys %s\n%s" % (JSON_KEYS - set(j), describe(p))
    return j


def dref(reg, repo_ref):
    """docker://HOST:PORT/REPO_REF for a Registry or a FaultProxy."""
    return "docker://%s/%s" % (reg.host, repo_ref)


def pinned(reg, repo, digest):
    return "%s/%s@%s" % (reg.host, repo, digest)


def layout_blobs(path):
    d = os.path.join(path, "blobs", "sha256")
    return {"sha256:" + h for h in os.listdir(d)} if os.path.isdir(d) else set()


def check_layout_complete(path, ref, digest):
    """ref in the layout points at digest; every blob reachable is there
    and hashes to its name (checked in Python, not by scute)."""
    L = images.Layout(path, create=False)
    desc = L.resolve(ref)
    assert desc["digest"] == digest, (ref, desc, digest)

    def walk(d):
        data = L.read(d)
        assert R.sha256_digest(data) == d, "blob %s has wrong content" % d
        m = json.loads(data)
        for c in m.get("manifests", []):
            walk(c["digest"])
        for b in ([m["config"]] if "config" in m else []) + m.get("layers", []):
            assert images.file_digest(L.blob_path(b["digest"])) == b["digest"]
    walk(digest)


def host_arch():
    m = platform.machine()
    return {"x86_64": "amd64", "aarch64": "arm64"}.get(m, m)


@pytest.fixture(scope="module")
def small(registry_stack):
    """OCI layout, tag v1: 4 gzip layers (3, 2 and 1 MB incompressible, one
    tiny) and a config: 5 blobs."""
    lay = images.Layout(os.path.join(registry_stack.tmpdir("img-"), "oci"))
    layers = [images.tar_bytes([images.D("etc"), images.F("etc/hello", b"hello\n")]),
              images.tar_bytes([images.D("a"), images.F("a/big", images.det_bytes(3 << 20, b"m3"))]),
              images.tar_bytes([images.D("b"), images.F("b/big", images.det_bytes(2 << 20, b"m2"))]),
              images.tar_bytes([images.D("c"), images.F("c/big", images.det_bytes(1 << 20, b"m1"))])]
    r = images.write_image(lay, layers, ref="v1")
    r["path"] = lay.path
    r["ref"] = "oci:%s:v1" % lay.path
    r["digest"] = r["manifest"]["digest"]
    r["blobs"] = [r["config"]["digest"]] + [l["digest"] for l in r["layers"]]
    r["sizes"] = dict([(r["config"]["digest"], r["config"]["size"])] +
                      [(l["digest"], l["size"]) for l in r["layers"]])
    r["big"] = max(r["layers"], key=lambda l: l["size"])
    return r


@pytest.fixture(scope="module")
def debian_oci():
    p = os.path.join(images.debian(), "oci")
    return {"path": p, "ref": "oci:%s:base" % p,
            "digest": images.Layout(p, create=False).resolve("base")["digest"]}


@pytest.fixture(scope="module")
def index_oci():
    p = os.path.join(images.index(), "oci")
    L = images.Layout(p, create=False)
    d = L.resolve("multi")["digest"]
    return {"path": p, "ref": "oci:%s:multi" % p, "digest": d,
            "children": {m["platform"]["architecture"]: m["digest"] for m in L.read_json(d)["manifests"]}}


@pytest.fixture(scope="module")
def plain(registry_stack, small, debian_oci):
    """A plain registry holding small at src/small:v1 and debian at
    library/debian:base, both pushed by skopeo."""
    reg = registry_stack.registry("plain")
    R.push_with_skopeo(small["ref"], reg, "src/small:v1")
    R.push_with_skopeo(debian_oci["ref"], reg, "library/debian:base")
    return reg


@pytest.fixture(scope="module")
def htpasswd(registry_stack):
    return registry_stack.registry("htpasswd")


@pytest.fixture(scope="module")
def tls(registry_stack):
    return registry_stack.registry("tls")


@pytest.fixture(scope="module")
def token(registry_stack):
    return registry_stack.registry("token")


def outdir(registry_stack, name="out"):
    return os.path.join(registry_stack.tmpdir(name + "-"), "oci")


# --------------------------------------------------------------------------
# oci <-> plain registry, checked by skopeo


def test_mirror_oci_to_registry(env, plain, small):
    p = mirror_ok(env, small["ref"], dref(plain, "m/push:v1"))
    assert p.stdout == pinned(plain, "m/push", small["digest"]) + "\n"
    assert R.skopeo_inspect_digest(dref(plain, "m/push:v1"), plain) == small["digest"]
    api = plain.api()
    assert api.tags("m/push") == ["v1"]
    got = api.pull_all("m/push", "v1")          # every blob there, verified
    assert set(small["blobs"]) <= set(got)


def test_mirror_debian_to_registry_and_back(env, plain, debian_oci, registry_stack):
    """The real debootstrap image: pushed, then pulled into a new layout,
    digest unchanged both ways; skopeo pulls the pushed copy."""
    p = mirror_ok(env, debian_oci["ref"], dref(plain, "m/debian:base"))
    assert p.stdout.strip() == pinned(plain, "m/debian", debian_oci["digest"])
    assert R.skopeo_inspect_digest(dref(plain, "m/debian:base"), plain) == debian_oci["digest"]
    out = outdir(registry_stack)
    mirror_ok(env, dref(plain, "m/debian:base"), "oci:%s:back" % out)
    check_layout_complete(out, "back", debian_oci["digest"])
    got = outdir(registry_stack, "skopeo")
    R.pull_with_skopeo(plain, "m/debian:base", "oci:%s:x" % got)
    assert images.Layout(got, create=False).resolve("x")["digest"] == debian_oci["digest"]


def test_mirror_skopeo_pushed_to_oci(env, plain, small, registry_stack):
    out = outdir(registry_stack)
    p = mirror_ok(env, dref(plain, "src/small:v1"), "oci:%s:got" % out)
    assert small["digest"] in p.stdout and len(p.stdout.splitlines()) == 1
    check_layout_complete(out, "got", small["digest"])
    assert R.skopeo_inspect_digest("oci:%s:got" % out) == small["digest"]


def test_mirror_by_digest_and_digestfile(env, plain, small, registry_stack):
    out = outdir(registry_stack)
    df = os.path.join(registry_stack.tmpdir("df-"), "digest")
    mirror_ok(env, "--digestfile", df, dref(plain, "src/small@" + small["digest"]), "oci:%s:bydigest" % out)
    check_layout_complete(out, "bydigest", small["digest"])
    with open(df) as f:
        assert f.read().strip() == small["digest"]


def test_mirror_to_archives(env, plain, small, registry_stack):
    d = registry_stack.tmpdir("arch-")
    oa = os.path.join(d, "img.oci.tar")
    mirror_ok(env, dref(plain, "src/small:v1"), "oci-archive:%s:v1" % oa)
    assert R.skopeo_inspect_digest("oci-archive:%s:v1" % oa) == small["digest"]
    da = os.path.join(d, "img.docker.tar")
    mirror_ok(env, dref(plain, "src/small:v1"), "docker-archive:%s:team/app:v1" % da)
    cfg = json.loads(R.skopeo("inspect", "--config", "--raw", "docker-archive:" + da).stdout)
    assert cfg["rootfs"]["diff_ids"] == small["diff_ids"]


def test_mirror_docker_archive_to_registry(env, plain, registry_stack):
    """A docker-archive source becomes OCI in the registry: layers byte for
    byte, same config (so same image ID), as skopeo does it."""
    da = os.path.join(images.debian(), "docker.tar")
    p = mirror_ok(env, "docker-archive:" + da, dref(plain, "m/fromarchive:v1"))
    digest = HEX_RE.search(p.stdout).group(0)
    body, mt, d = plain.api().manifest("m/fromarchive", "v1")
    assert d == digest and mt == R.MT_OCI_MANIFEST
    want = json.loads(R.skopeo("inspect", "--raw", "docker-archive:" + da).stdout)
    got = json.loads(body)
    assert got["config"]["digest"] == want["config"]["digest"]
    assert [l["digest"] for l in got["layers"]] == [l["digest"] for l in want["layers"]]


def test_mirror_missing_image(env, plain, registry_stack):
    p = mirror(env, dref(plain, "src/nope:v1"), "oci:%s:x" % outdir(registry_stack))
    assert_error(p, 3, "src/nope", any_of=("not found", "unknown"))


def test_mirror_usage(env):
    for args in (["oci:/nonexistent:x"], ["--jobs", "zero", "oci:/a:x", "oci:/b:y"]):
        p = mirror(env, *args)
        assert_error(p, 2)
        assert "unknown verb" not in p.stderr, describe(p)


def test_mirror_creds_never_cross_registries(env):
    """--creds is one registry's account: between two registries it is a
    usage error (before any connection), and the password is not echoed."""
    p = mirror(env, "--creds", "user:s3cret-pw", "docker://127.0.0.1:9/a/b:v1", "docker://127.0.0.2:9/a/b:v1")
    assert_error(p, 2)
    assert "--src-creds" in p.stderr and "s3cret-pw" not in p.stderr, describe(p)


# --------------------------------------------------------------------------
# Every verb that names an image reads docker:// like oci:


def normalise(doc, *names):
    """doc with every occurrence of the image names replaced by IMAGE and
    the top-level transport-dependent fields (transport, purl) dropped."""
    def walk(x):
        if isinstance(x, dict):
            return {k: walk(v) for k, v in x.items()}
        if isinstance(x, list):
            return [walk(v) for v in x]
        if isinstance(x, str):
            for n in names:
                x = x.replace(n, "IMAGE")
        return x
    doc = walk(doc)
    for k in ("transport", "purl"):
        doc.pop(k, None)
    if isinstance(doc.get("target"), dict):     # audit, scan
        doc["target"].pop("purl", None)
    return doc


def parse_image_purl(purl):
    """"pkg:oci/NAME@sha256%3AHEX?k=v&..." -> (name, digest, {k: v}) decoded."""
    from urllib.parse import unquote
    m = re.fullmatch(r"pkg:oci/([^@?#/]+)@([^?#]+)(?:\?([^#]*))?", purl)
    assert m, purl
    quals = dict(tuple(unquote(x) for x in kv.split("=", 1)) for kv in (m.group(3) or "").split("&") if kv)
    return unquote(m.group(1)), unquote(m.group(2)), quals


def json_of(p):
    assert p.returncode == 0, describe(p)
    return json.loads(p.stdout)


def test_inspect_docker_matches_oci(env, plain, debian_oci):
    d = dref(plain, "library/debian:base")
    a = json_of(run(env, "inspect", "--json", d))
    b = json_of(run(env, "inspect", "--json", debian_oci["ref"]))
    assert a["digest"] == b["digest"] == debian_oci["digest"]
    assert a.get("transport") in ("docker", "docker://")
    assert normalise(a, d) == normalise(b, debian_oci["ref"])


def test_sbom_docker_matches_oci(env, plain, debian_oci):
    d = dref(plain, "library/debian:base")
    a = json_of(run(env, "sbom", "--format", "json", d))
    b = json_of(run(env, "sbom", "--format", "json", debian_oci["ref"]))
    assert a["digest"] == b["digest"] == debian_oci["digest"]
    assert len(a["packages"]) > 50
    for k in ("os", "packages", "elf", "models"):
        assert a[k] == b[k], k


def test_image_purl_of_registry_image(env, plain, debian_oci):
    """purl-spec, type oci: the name is the last path segment of the
    repository, the registry and repository go in repository_url, the tag in
    tag (https://github.com/package-url/purl-spec/blob/master/PURL-TYPES.rst#oci)."""
    ref = dref(plain, "library/debian:base")
    purl = json_of(run(env, "sbom", "--format", "json", ref))["purl"]
    name, digest, quals = parse_image_purl(purl)
    assert (name, digest) == ("debian", debian_oci["digest"]), purl
    assert quals.get("repository_url") == plain.host + "/library/debian", purl
    assert quals.get("tag") == "base", purl


def test_audit_docker_matches_oci(env, plain, debian_oci):
    d = dref(plain, "library/debian:base")
    a = run(env, "audit", "--format", "json", d)
    b = run(env, "audit", "--format", "json", debian_oci["ref"])
    assert a.returncode == b.returncode, describe(a)
    assert normalise(json.loads(a.stdout), d) == normalise(json.loads(b.stdout), debian_oci["ref"])


def test_scan_docker_matches_oci(env, plain, debian_oci, registry_stack):
    sb = json_of(run(env, "sbom", "--format", "json", debian_oci["ref"]))
    libc = [p for p in sb["packages"] if p["name"] == "libc6"][0]
    src_ver = libc.get("sourceVersion") or libc["version"]
    tracker = {"glibc": {"CVE-2099-0001": {"description": "glibc flaw fixed later", "releases": {
        "bookworm": {"status": "resolved", "fixed_version": src_ver + "+scute1", "urgency": "high"}}}}}
    d = registry_stack.tmpdir("db-")
    with open(os.path.join(d, "debian.json"), "w") as f:
        json.dump(tracker, f)
    db = os.path.join(d, "vulndb.sqlite")
    run_ok(env, "db", "import", "--db", db, os.path.join(d, "debian.json"))
    ref = dref(plain, "library/debian:base")
    a = run(env, "scan", "--db", db, "--format", "json", ref)
    b = run(env, "scan", "--db", db, "--format", "json", debian_oci["ref"])
    assert a.returncode == b.returncode and a.returncode in (0, 1), describe(a)
    ja, jb = json.loads(a.stdout), json.loads(b.stdout)
    assert {f["id"] for f in ja["findings"]} == {"CVE-2099-0001"}
    assert normalise(ja, ref) == normalise(jb, debian_oci["ref"])


def harden_to_layout(env, src, registry_stack):
    out = outdir(registry_stack)
    run_ok(env, "harden", "-q", "--keep-shell", src, "oci:%s:hard" % out)
    L = images.Layout(out, create=False)
    return {"path": out, "digest": L.resolve("hard")["digest"], "manifest": L.manifest("hard"),
            "config": L.config("hard")}


@pytest.fixture(scope="module")
def hardened_from_docker(env, plain, registry_stack):
    return harden_to_layout(env, dref(plain, "library/debian:base"), registry_stack)


def test_harden_docker_source(env, plain, debian_oci, hardened_from_docker, registry_stack):
    """harden reads docker://; the result is the image it makes from oci:
    (same layers, same config) but for the base-name label."""
    a = harden_to_layout(env, debian_oci["ref"], registry_stack)
    b = hardened_from_docker
    check_layout_complete(b["path"], "hard", b["digest"])
    assert [l["digest"] for l in a["manifest"]["layers"]] == [l["digest"] for l in b["manifest"]["layers"]]
    la, lb = a["config"]["config"]["Labels"], b["config"]["config"]["Labels"]
    assert la.pop("org.opencontainers.image.base.name") == debian_oci["ref"]
    base = lb.pop("org.opencontainers.image.base.name")
    assert base in (plain.host + "/library/debian:base", dref(plain, "library/debian:base")), base
    assert a["config"] == b["config"]


def test_harden_docker_destination(env, plain, hardened_from_docker, registry_stack):
    sbom = os.path.join(registry_stack.tmpdir("sbom-"), "hardened.cdx.json")
    run_ok(env, "harden", "-q", "--keep-shell", "--sbom", sbom, dref(plain, "library/debian:base"),
           dref(plain, "m/hardened:v1"))
    assert R.skopeo_inspect_digest(dref(plain, "m/hardened:v1"), plain) == hardened_from_docker["digest"]
    plain.api().pull_all("m/hardened", "v1")
    # The SBOM names the pushed image, not the staging layout it was written to first.
    purl = json.load(open(sbom))["metadata"]["component"]["purl"]
    name, digest, quals = parse_image_purl(purl)
    assert (name, digest) == ("hardened", hardened_from_docker["digest"]), purl
    assert quals == {"repository_url": plain.host + "/m/hardened", "tag": "v1"}, purl


# --------------------------------------------------------------------------
# htpasswd: --creds, auth files, refusal


@pytest.fixture(scope="module")
def ht_small(htpasswd, small):
    R.push_with_skopeo(small["ref"], htpasswd, "src/small:v1")
    return htpasswd


def test_htpasswd_creds(env, ht_small, small, registry_stack):
    reg = ht_small
    mirror_ok(env, "--creds", reg.creds, small["ref"], dref(reg, "m/creds:v1"))
    assert R.skopeo_inspect_digest(dref(reg, "m/creds:v1"), reg) == small["digest"]
    out = outdir(registry_stack)
    mirror_ok(env, "--creds", reg.creds, dref(reg, "src/small:v1"), "oci:%s:x" % out)
    check_layout_complete(out, "x", small["digest"])
    # inspect takes the same options
    j = json_of(run(env, "inspect", "--json", "--creds", reg.creds, dref(reg, "src/small:v1")))
    assert j["digest"] == small["digest"]


def test_htpasswd_registry_auth_file(env, ht_small, small, registry_stack):
    reg = ht_small
    af = R.write_containers_auth(os.path.join(registry_stack.tmpdir("auth-"), "auth.json"), reg.host, reg.creds)
    out = outdir(registry_stack)
    mirror_ok(env, dref(reg, "src/small:v1"), "oci:%s:x" % out, extra_env={"REGISTRY_AUTH_FILE": af})
    check_layout_complete(out, "x", small["digest"])


def test_htpasswd_authfile_flag(env, ht_small, small, registry_stack):
    reg = ht_small
    af = R.write_containers_auth(os.path.join(registry_stack.tmpdir("auth-"), "auth.json"), reg.host, reg.creds)
    mirror_ok(env, "--authfile", af, small["ref"], dref(reg, "m/authfile:v1"))
    assert reg.api().manifest_digest("m/authfile", "v1") == small["digest"]


def test_htpasswd_docker_config_in_home(env, ht_small, small, registry_stack):
    reg = ht_small
    home = registry_stack.tmpdir("home2-")
    R.write_docker_config(home, reg.host, reg.creds)
    mirror_ok(env, small["ref"], dref(reg, "m/dockercfg:v1"), extra_env={"HOME": home})
    assert reg.api().manifest_digest("m/dockercfg", "v1") == small["digest"]


def refused_both_ways(env, reg, small, registry_stack, args=(), extra_env=None, secret=None):
    """Pull and push with the given credentials are refused: exit 3, one
    line, no password in the output, nothing tagged."""
    p = mirror(env, *args, dref(reg, "src/small:v1"), "oci:%s:x" % outdir(registry_stack), extra_env=extra_env)
    assert_error(p, 3, any_of=("auth", "unauthorized", "denied", "credentials"))
    for s in filter(None, (secret, reg.password)):
        assert s not in p.stderr + p.stdout
    p = mirror(env, *args, small["ref"], dref(reg, "m/refused:v1"), extra_env=extra_env)
    assert_error(p, 3, any_of=("auth", "unauthorized", "denied", "credentials"))
    for s in filter(None, (secret, reg.password)):
        assert s not in p.stderr + p.stdout
    assert reg.api().tags("m/refused") == []


def test_htpasswd_no_creds(env, ht_small, small, registry_stack):
    refused_both_ways(env, ht_small, small, registry_stack)


def test_htpasswd_wrong_creds_flag(env, ht_small, small, registry_stack):
    secret = "Wr0ng-" + ht_small.password[::-1]
    refused_both_ways(env, ht_small, small, registry_stack, ["--creds", "%s:%s" % (ht_small.user, secret)],
                      secret=secret)


def test_htpasswd_wrong_auth_file(env, ht_small, small, registry_stack):
    secret = "Wr0ng-" + ht_small.password[::-1]
    refused_both_ways(env, ht_small, small, registry_stack,
                      extra_env=creds_home(registry_stack, ht_small, "%s:%s" % (ht_small.user, secret)),
                      secret=secret)


def test_src_and_dest_creds(env, ht_small, small, registry_stack):
    """Two registries with different passwords: --src-creds / --dest-creds."""
    other = registry_stack.registry("htpasswd")
    assert other.password != ht_small.password
    src, dst = dref(ht_small, "src/small:v1"), dref(other, "m/two:v1")
    p = mirror_ok(env, "--src-creds", ht_small.creds, "--dest-creds", other.creds, src, dst)
    assert p.stdout.strip() == pinned(other, "m/two", small["digest"])
    # One account's --creds is not sent to the other registry: a usage error.
    p = mirror(env, "--creds", ht_small.creds, src, dref(other, "m/three:v1"))
    assert_error(p, 2)
    assert ht_small.password not in p.stderr
    assert other.api().tags("m/three") == []


# --------------------------------------------------------------------------
# TLS


def test_tls_with_ca_file(env, tls, small, registry_stack):
    p = mirror_ok(env, "--ca-file", tls.ca_file, small["ref"], dref(tls, "m/tls:v1"))
    assert p.stdout.strip() == pinned(tls, "m/tls", small["digest"])
    assert R.skopeo_inspect_digest(dref(tls, "m/tls:v1"), tls) == small["digest"]
    out = outdir(registry_stack)
    mirror_ok(env, "--ca-file", tls.ca_file, dref(tls, "m/tls:v1"), "oci:%s:x" % out)
    check_layout_complete(out, "x", small["digest"])


def test_tls_negotiates_http2(env, tls, small, registry_stack):
    """Over TLS scute offers HTTP/2 by ALPN and the registry (Go's net/http)
    takes it: the registry's access log shows scute's requests as HTTP/2.0."""
    mirror_ok(env, "--ca-file", tls.ca_file, small["ref"], dref(tls, "m/h2:v1"))
    # access-log lines (combined format) of scute's requests, not the error-log lines
    mine = [l for l in tls.logs().splitlines()
            if l.startswith("127.0.0.1 - - [") and '"scute/' in l and " /v2/m/h2/" in l]
    assert mine, "no access-log lines for scute's requests:\n" + tls.logs()[-2000:]
    assert all("HTTP/2.0" in l for l in mine), "\n".join(mine[:5])


def test_tls_without_ca_fails(env, tls, small, registry_stack):
    R.push_with_skopeo(small["ref"], tls, "m/tls2:v1")
    p = mirror(env, dref(tls, "m/tls2:v1"), "oci:%s:x" % outdir(registry_stack))
    assert_error(p, 4, "certificate")
    p = mirror(env, small["ref"], dref(tls, "m/tls3:v1"))
    assert_error(p, 4, "certificate")
    assert tls.api().tags("m/tls3") == []


def test_tls_verify_false(env, tls, small, registry_stack):
    R.push_with_skopeo(small["ref"], tls, "m/tls4:v1")
    out = outdir(registry_stack)
    mirror_ok(env, "--tls-verify=false", dref(tls, "m/tls4:v1"), "oci:%s:x" % out)
    check_layout_complete(out, "x", small["digest"])


# --------------------------------------------------------------------------
# Token auth


def creds_home(registry_stack, reg, creds=None):
    """Environment additions: a HOME whose ~/.docker/config.json holds creds
    (default: the registry's) for reg.  The token tests use the auth file
    rather than --creds, so they test the bearer flow whatever the flags."""
    home = registry_stack.tmpdir("home-")
    R.write_docker_config(home, reg.host, creds or reg.creds)
    return {"HOME": home}


@pytest.fixture(scope="module")
def many(registry_stack):
    """OCI layout, tag v1: 16 small layers (17 blobs)."""
    lay = images.Layout(os.path.join(registry_stack.tmpdir("many-"), "oci"))
    layers = [images.tar_bytes([images.F("f%02d" % i, images.det_bytes(20000 + i, b"many"))]) for i in range(16)]
    r = images.write_image(lay, layers, ref="v1")
    r["ref"] = "oci:%s:v1" % lay.path
    r["digest"] = r["manifest"]["digest"]
    return r


def push_counting_tokens(env, token, image, repo, jobs, registry_stack):
    ts = token.token_server
    ts.clear()
    px = registry_stack.proxy(token)
    mirror_ok(env, "--jobs", jobs, image["ref"], dref(px, repo + ":v1"),
              extra_env=creds_home(registry_stack, px, token.creds))
    reqs = ts.token_requests()      # before our own API client asks for one
    assert token.api().manifest_digest(repo, "v1") == image["digest"]
    assert reqs and all(r["status"] == 200 and r["user"] == R.USER for r in reqs), reqs
    assert any(set(s.rsplit(":", 1)[1].split(",")) == {"pull", "push"} for r in reqs for s in r["scopes"]), \
        [r["scopes"] for r in reqs]
    assert all(e["auth"] in (None, "Bearer") for e in px.requests()), "Basic credentials sent to the registry"
    assert "invalid token" not in token.logs()
    return reqs, px.requests()


def test_token_push_caches_tokens(env, token, small, registry_stack):
    """One job at a time: one token per scope for 5 blobs and a manifest."""
    reqs, log = push_counting_tokens(env, token, small, "m/tok", "1", registry_stack)
    assert len(log) >= 11
    scopes = [tuple(r["scopes"]) for r in reqs]
    assert len(scopes) == len(set(scopes)) <= 2, "token requests not cached: %r" % scopes


def test_token_requests_bounded_with_jobs(env, token, many, registry_stack):
    """4 jobs, 17 blobs: the token requests do not grow with the blobs
    (concurrent first misses may each fetch one)."""
    reqs, log = push_counting_tokens(env, token, many, "m/tokmany", "4", registry_stack)
    assert len(log) >= 17 * 3
    assert len(reqs) <= 2 * 4, "token requests not cached: %r" % [r["scopes"] for r in reqs]


def test_token_creds_flag(env, token, small, registry_stack):
    R.push_with_skopeo(small["ref"], token, "m/tokflag:v1")
    out = outdir(registry_stack)
    mirror_ok(env, "--creds", token.creds, dref(token, "m/tokflag:v1"), "oci:%s:x" % out)
    check_layout_complete(out, "x", small["digest"])


def test_token_pull_and_refresh_on_401(env, token, small, registry_stack):
    """An expired token (the registry says 401 invalid_token) is replaced
    by a fresh one, once."""
    R.push_with_skopeo(small["ref"], token, "m/tokpull:v1")
    ts = token.token_server
    ts.clear()
    ts.expired_next = 1
    out = outdir(registry_stack)
    mirror_ok(env, dref(token, "m/tokpull:v1"), "oci:%s:x" % out, extra_env=creds_home(registry_stack, token))
    check_layout_complete(out, "x", small["digest"])
    n = len(ts.token_requests())
    assert 2 <= n <= 4, [r["scopes"] for r in ts.token_requests()]
    assert ts.expired_next == 0


def test_token_wrong_password(env, token, small, registry_stack):
    R.push_with_skopeo(small["ref"], token, "m/tokbad:v1")
    bad = "%s:not-%s" % (token.user, token.password)
    p = mirror(env, dref(token, "m/tokbad:v1"), "oci:%s:x" % outdir(registry_stack),
               extra_env=creds_home(registry_stack, token, bad))
    assert_error(p, 3, any_of=("auth", "unauthorized", "denied", "credentials"))
    assert "not-" + token.password not in p.stderr
    assert any(r["status"] == 401 for r in token.token_server.token_requests())
    # anonymous gets a token without access: refused too
    p = mirror(env, dref(token, "m/tokbad:v1"), "oci:%s:x" % outdir(registry_stack))
    assert_error(p, 3)


# --------------------------------------------------------------------------
# Cross-repository mount, idempotence


def test_cross_repo_mount(env, plain, small, registry_stack):
    px = registry_stack.proxy(plain)
    j = mirror_json(env, dref(px, "src/small:v1"), dref(px, "m/mounted:v1"))
    assert j["digest"] == small["digest"]
    mounts = px.mounts()
    assert {m[0] for m in mounts if m[2] == 201} >= {l["digest"] for l in small["layers"]}, px.dump_log()
    assert all(m[1] == "src/small" for m in mounts)
    assert px.blob_uploads() == [], px.dump_log()
    layer_gets = [e for e in px.blob_gets() if e["path"].endswith(tuple(l["digest"] for l in small["layers"]))]
    assert layer_gets == [], "mounted layers must not be downloaded\n" + px.dump_log()
    assert j["bytes_sent"] == 0 and j["mounted"] >= len(small["layers"])
    assert j["mounted"] + j["skipped"] == j["blobs"] == len(small["blobs"])
    assert R.skopeo_inspect_digest(dref(plain, "m/mounted:v1"), plain) == small["digest"]


def test_second_push_sends_nothing(env, plain, small, registry_stack):
    px = registry_stack.proxy(plain)
    j1 = mirror_json(env, small["ref"], dref(px, "m/again:v1"))
    assert j1["bytes_sent"] == sum(small["sizes"].values())
    assert j1["blobs"] == len(small["blobs"]) and j1["skipped"] == 0 and j1["manifests"] == 1
    assert sorted(px.finished_uploads()) == sorted(small["blobs"])
    px.clear_log()
    j2 = mirror_json(env, small["ref"], dref(px, "m/again:v1"))
    assert j2["digest"] == j1["digest"] == small["digest"]
    assert j2["bytes_sent"] == 0 and j2["skipped"] == j2["blobs"] == len(small["blobs"])
    assert px.blob_uploads() == [] and px.requests("POST") == [], px.dump_log()
    assert px.blob_gets() == []


def test_second_pull_downloads_nothing(env, plain, small, registry_stack):
    px = registry_stack.proxy(plain)
    out = outdir(registry_stack)
    mirror_ok(env, dref(px, "src/small:v1"), "oci:%s:x" % out)
    assert len(px.blob_gets()) == len(small["blobs"])
    px.clear_log()
    j = mirror_json(env, dref(px, "src/small:v1"), "oci:%s:x" % out)
    assert j["bytes_sent"] == 0 and j["skipped"] == j["blobs"]
    assert px.blob_gets() == [], px.dump_log()
    check_layout_complete(out, "x", small["digest"])


# --------------------------------------------------------------------------
# Index


def test_index_all_platforms(env, plain, index_oci, registry_stack):
    p = mirror_ok(env, "--all-platforms", index_oci["ref"], dref(plain, "m/multi:v1"))
    assert p.stdout.strip() == pinned(plain, "m/multi", index_oci["digest"])
    body, mt, d = plain.api().manifest("m/multi", "v1")
    assert d == index_oci["digest"] and mt == R.MT_OCI_INDEX
    got = plain.api().pull_all("m/multi", "v1")
    assert set(index_oci["children"].values()) <= set(got)
    assert R.skopeo_inspect_digest(dref(plain, "m/multi:v1"), plain) == index_oci["digest"]
    out = outdir(registry_stack)
    j = mirror_json(env, "--all-platforms", dref(plain, "m/multi:v1"), "oci:%s:multi" % out)
    assert j["digest"] == index_oci["digest"] and j["manifests"] == 3 and j["media_type"] == R.MT_OCI_INDEX
    check_layout_complete(out, "multi", index_oci["digest"])


def test_index_one_platform(env, plain, index_oci):
    arch = host_arch()
    if arch not in index_oci["children"]:
        pytest.skip("the test index has no %s manifest" % arch)
    p = mirror_ok(env, index_oci["ref"], dref(plain, "m/one:v1"))
    want = index_oci["children"][arch]
    assert p.stdout.strip() == pinned(plain, "m/one", want)
    body, mt, d = plain.api().manifest("m/one", "v1")
    assert d == want and mt == R.MT_OCI_MANIFEST


# --------------------------------------------------------------------------
# Signatures (cosign tag scheme) and referrers (tag-schema fallback)


@pytest.fixture(scope="module")
def signed(plain, small):
    """src/signed:v1 with a cosign .sig and .att tag and a referrer artifact
    registered through the referrers tag schema (distribution 2.8 has no
    referrers API)."""
    api = plain.api()
    R.push_with_skopeo(small["ref"], plain, "src/signed:v1")
    sig_tag, sig_digest = R.cosign_signature_for(api, "src/signed", small["digest"])
    # attestation: a DSSE envelope layer under the .att tag
    env_payload = json.dumps({"payloadType": "application/vnd.in-toto+json",
                              "payload": base64.b64encode(b'{"_type":"https://in-toto.io/Statement/v1"}').decode(),
                              "signatures": [{"sig": "AAAA"}]}).encode()
    layer = api.push_blob("src/signed", env_payload)
    cfg = api.push_blob("src/signed", b"{}")
    att = {"schemaVersion": 2, "mediaType": R.MT_OCI_MANIFEST,
           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfg["digest"],
                      "size": cfg["size"]},
           "layers": [{"mediaType": "application/vnd.dsse.envelope.v1+json", "digest": layer["digest"],
                       "size": layer["size"]}]}
    att_tag = sig_tag[:-4] + ".att"
    att_digest = api.put_manifest("src/signed", att_tag, att)
    # an OCI 1.1 referrer (subject = the image) and the fallback index tag
    ref_art = {"schemaVersion": 2, "mediaType": R.MT_OCI_MANIFEST,
               "artifactType": "application/vnd.example.sbom.v1+json",
               "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": cfg["digest"],
                          "size": cfg["size"]},
               "layers": [{"mediaType": "application/vnd.example.sbom.v1+json", "digest": layer["digest"],
                           "size": layer["size"]}],
               "subject": {"mediaType": R.MT_OCI_MANIFEST, "digest": small["digest"],
                           "size": small["manifest"]["size"]}}
    ref_body = json.dumps(ref_art, separators=(",", ":")).encode()
    ref_digest = R.sha256_digest(ref_body)
    api.put_manifest("src/signed", ref_digest, ref_body)
    fallback = {"schemaVersion": 2, "mediaType": R.MT_OCI_INDEX,
                "manifests": [{"mediaType": R.MT_OCI_MANIFEST, "digest": ref_digest, "size": len(ref_body),
                               "artifactType": "application/vnd.example.sbom.v1+json"}]}
    api.put_manifest("src/signed", "sha256-" + small["digest"][7:], fallback, R.MT_OCI_INDEX)
    return {"sig": (sig_tag, sig_digest), "att": (att_tag, att_digest), "referrer": ref_digest}


def test_signatures_copied(env, plain, small, signed):
    j = mirror_json(env, dref(plain, "src/signed:v1"), dref(plain, "m/signed:v1"))
    assert j["signatures"] >= 2
    api = plain.api()
    tags = api.tags("m/signed")
    for tag, digest in (signed["sig"], signed["att"]):
        assert tag in tags, tags
        assert api.manifest_digest("m/signed", tag) == digest
        api.pull_all("m/signed", tag)
    assert api.manifest_exists("m/signed", signed["referrer"]), "the OCI referrer was not copied"
    # distribution 2.8 has no referrers API: the referrer is only findable
    # through the tag schema fallback, which must list it at the destination
    # (OCI distribution spec 1.1, "Pushing Manifests with Subject").
    fb = json.loads(api.manifest("m/signed", "sha256-" + small["digest"][7:])[0])
    assert signed["referrer"] in [m["digest"] for m in fb["manifests"]]


def test_signatures_to_layout(env, plain, small, signed, registry_stack):
    out = outdir(registry_stack)
    mirror_ok(env, "--with-signatures", dref(plain, "src/signed:v1"), "oci:%s:v1" % out)  # the default, spelt out
    for tag, digest in (signed["sig"], signed["att"]):
        check_layout_complete(out, tag, digest)


def test_no_signatures(env, plain, small, signed):
    j = mirror_json(env, "--no-signatures", dref(plain, "src/signed:v1"), dref(plain, "m/unsigned:v1"))
    assert j["signatures"] == 0
    assert plain.api().tags("m/unsigned") == ["v1"]
    assert not plain.api().manifest_exists("m/unsigned", signed["referrer"])


# --------------------------------------------------------------------------
# Faults


def test_registry_killed_mid_push_then_rerun(env, small, registry_stack):
    """The registry dies while the third blob is being uploaded (two are
    finished).  The push fails (exit 4) and tags nothing; after a restart
    the rerun completes without re-sending the finished blobs."""
    reg = registry_stack.registry("plain")
    px = registry_stack.proxy(reg)
    px.on_body(reg.kill, 64 * 1024, when=lambda: len(px.finished_uploads()) >= 2)
    t0 = time.monotonic()
    p = mirror(env, "--jobs", "1", small["ref"], dref(px, "m/crash:v1"))
    gave_up = time.monotonic() - t0
    assert_error(p, 4)
    assert not reg.running(), "the fault did not fire:\n" + px.dump_log()
    finished = set(px.finished_uploads())
    assert len(finished) == 2, px.dump_log()
    assert any(e["fault"] == "on_body" for e in px.requests()), "not killed mid-body:\n" + px.dump_log()
    first_log = px.dump_log()
    reg.restart()
    assert reg.api().tags("m/crash") == [], "a failed push must not tag"
    px.clear_log()
    px.clear_faults()
    j = mirror_json(env, "--jobs", "1", small["ref"], dref(px, "m/crash:v1"))
    assert j["digest"] == small["digest"]
    resent = set(px.finished_uploads())
    assert not (resent & finished), "finished blobs re-sent:\n" + px.dump_log()
    assert resent | finished == set(small["blobs"])
    assert j["skipped"] == 2 and j["bytes_sent"] == sum(small["sizes"][d] for d in resent)
    assert sum(e["bytes_in"] for e in px.blob_uploads()) == j["bytes_sent"]
    assert R.skopeo_inspect_digest(dref(reg, "m/crash:v1"), reg) == small["digest"]
    # 5 retries with backoff capped at 8 s is ~8 s per request; retry loops
    # nested in each other multiply that.
    assert gave_up < 30, "a dead registry took %.0f s to give up:\n%s" % (gave_up, first_log)


def test_corrupt_blob_pull(env, plain, small, registry_stack):
    px = registry_stack.proxy(plain)
    bad = small["big"]["digest"]
    px.corrupt_blob(bad)
    out = outdir(registry_stack)
    old = images.write_image(images.Layout(out), [images.tar_bytes([images.F("old", b"old")])], ref="old")
    with open(os.path.join(out, "index.json"), "rb") as f:
        before = f.read()
    blobs_before = layout_blobs(out)
    p = mirror(env, dref(px, "src/small:v1"), "oci:%s:new" % out)
    line = assert_error(p, 3, any_of=("digest", "mismatch", "checksum"))
    assert bad[7:19] in line, "the message must name the blob\n" + describe(p)
    with open(os.path.join(out, "index.json"), "rb") as f:
        assert f.read() == before, "index.json changed"
    assert bad not in layout_blobs(out)
    assert small["digest"] not in layout_blobs(out)
    stray = [f for f in os.listdir(out) if f not in ("blobs", "index.json", "oci-layout")]
    assert stray == [], stray
    bdir = os.path.join(out, "blobs", "sha256")
    for h in os.listdir(bdir):      # no partial or temporary files among the blobs
        assert re.fullmatch(r"[0-9a-f]{64}", h), "stray file blobs/sha256/" + h
        assert images.file_digest(os.path.join(bdir, h)) == "sha256:" + h
    assert images.Layout(out, create=False).resolve("old")["digest"] == old["manifest"]["digest"]
    assert any(e["fault"] == "corrupt" for e in px.requests())
    assert blobs_before <= layout_blobs(out)


def test_corrupt_blob_registry_to_registry(env, plain, small, registry_stack):
    dst = registry_stack.registry("plain")
    px = registry_stack.proxy(plain)
    bad = small["big"]["digest"]
    px.corrupt_blob(bad)
    p = mirror(env, dref(px, "src/small:v1"), dref(dst, "m/corrupt:v1"))
    line = assert_error(p, 3)
    assert bad[7:19] in line
    assert dst.api().tags("m/corrupt") == []
    assert bad not in dst.storage_blobs()


def test_429_retry_after(env, plain, small, registry_stack):
    px = registry_stack.proxy(plain)
    px.fail_next(1, 429, retry_after=1, path_re=R.MANIFEST_RE, method="GET")
    px.fail_next(2, 429, retry_after=1, path_re=R.BLOB_RE, method="GET")
    out = outdir(registry_stack)
    mirror_ok(env, dref(px, "src/small:v1"), "oci:%s:x" % out)
    check_layout_complete(out, "x", small["digest"])
    log = px.requests()
    hit = [e for e in log if e["fault"] == "status"]
    assert len(hit) == 3, px.dump_log()
    for e in hit:
        later = [x for x in log if x["path"] == e["path"] and x["method"] == e["method"]
                 and x["time"] > e["time"] and x["status"] == 200]
        assert later, "no retry of %s\n%s" % (e["path"], px.dump_log())
        assert later[0]["time"] - e["time"] >= 0.9, "Retry-After: 1 not honoured\n" + px.dump_log()


def test_429_on_push(env, plain, small, registry_stack):
    px = registry_stack.proxy(plain)
    px.fail_next(2, 429, retry_after=0, path_re=R.UPLOAD_RE, method="POST|PUT|PATCH")
    px.fail_next(1, 503, path_re=R.MANIFEST_RE, method="PUT")
    j = mirror_json(env, small["ref"], dref(px, "m/p429:v1"))
    assert j["digest"] == small["digest"]
    assert len([e for e in px.requests() if e["fault"] == "status"]) == 3
    assert plain.api().manifest_digest("m/p429", "v1") == small["digest"]


def test_cut_mid_blob_resumes_with_range(env, plain, small, registry_stack):
    px = registry_stack.proxy(plain)
    big = small["big"]
    px.cut_after(500000, path_re=re.escape(big["digest"]) + "$")
    out = outdir(registry_stack)
    mirror_ok(env, dref(px, "src/small:v1"), "oci:%s:x" % out)
    check_layout_complete(out, "x", small["digest"])
    gets = [e for e in px.blob_gets() if e["path"].endswith(big["digest"])]
    assert gets[0]["fault"] == "cut" and gets[0]["bytes_out"] == 500000, px.dump_log()
    assert len(gets) == 2 and gets[1]["range"] == "bytes=500000-" and gets[1]["status"] == 206, px.dump_log()
    assert gets[1]["bytes_out"] == big["size"] - 500000


def test_plain_http_flag(env, plain, small, registry_stack):
    out = outdir(registry_stack)
    mirror_ok(env, "--plain-http", dref(plain, "src/small:v1"), "oci:%s:x" % out)
    check_layout_complete(out, "x", small["digest"])
