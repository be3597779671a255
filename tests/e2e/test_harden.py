"""scute harden on the Debian minbase image the tests build: the result is
audited, unpacked with umoci and run with runc as its non-root user (a
dynamic binary works, /bin/sh is gone), hardening is reproducible, and bad
inputs are refused without writing DST."""
import json
import os
import re
import shutil
import subprocess

import pytest

import images
from conftest import CHECKOUT, assert_error, describe, image_ref, scute, scute_ok


def harden(src, dst, *extra):
    p = scute("harden", "-q", "--format", "json", *extra, src, dst)
    assert p.returncode == 0, describe(p)
    return json.loads(p.stdout)


@pytest.fixture(scope="module")
def hardened(debian_dir, tmp_path_factory):
    lay = str(tmp_path_factory.mktemp("hardened") / "oci")
    rep = harden(image_ref("oci", debian_dir, "base"), "oci:%s:hard" % lay, "--entrypoint", "/usr/bin/id -u")
    return lay, rep


def test_report_and_audit(hardened):
    lay, rep = hardened
    assert rep["user"] == "65532:65532"
    assert rep["score"]["after"] >= 90 > rep["score"]["before"], rep["score"]
    for p in ("usr/bin/sh", "usr/bin/dash", "usr/bin/bash", "usr/bin/apt-get", "usr/bin/dpkg"):
        assert p in rep["removed"], rep["removed"]
    doc = json.loads(scute_ok("audit", "-q", "--format", "json", "oci:%s:hard" % lay).stdout)
    rules = {f["rule"] for f in doc["findings"]}
    assert not rules & {"SC-1001", "SC-1002", "SC-2001", "SC-2002", "SC-3001"}, sorted(rules)
    assert doc["score"] == rep["score"]["after"]


def unpack(lay, tag, dest):
    p = subprocess.run(["umoci", "unpack", "--image", "%s:%s" % (lay, tag), dest],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return os.path.join(dest, "rootfs")


def test_rootfs(hardened, tmp_path):
    lay, _ = hardened
    root = unpack(lay, "hard", str(tmp_path / "bundle"))
    assert not os.path.lexists(os.path.join(root, "usr/bin/sh"))
    assert not os.path.lexists(os.path.join(root, "usr/bin/dpkg"))
    assert os.path.isdir(os.path.join(root, "var/lib/dpkg")), "the package database stays for SBOMs and scanners"
    assert "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin" in open(os.path.join(root, "etc/passwd")).read()
    st = os.stat(os.path.join(root, "home/nonroot"))
    assert st.st_uid == 65532 and oct(st.st_mode & 0o7777) == "0o700"
    assert os.stat(os.path.join(root, "usr/bin/su")).st_mode & 0o6000 == 0, "setuid cleared"
    assert os.stat(os.path.join(root, "tmp")).st_mode & 0o1777 == 0o1777


def runc_run(bundle, args, name):
    cfg_path = os.path.join(bundle, "config.json")
    cfg = json.load(open(cfg_path))
    cfg["process"]["terminal"] = False
    cfg["process"]["args"] = args
    json.dump(cfg, open(cfg_path, "w"))
    return subprocess.run(["runc", "run", name], cwd=bundle, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)


def test_runs_under_runc(hardened, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("runc needs root here")
    if not shutil.which("runc"):
        pytest.skip("runc is not installed (scripts/deps.sh installs it)")
    lay, _ = hardened
    bundle = str(tmp_path / "bundle")
    unpack(lay, "hard", bundle)
    cfg = json.load(open(os.path.join(bundle, "config.json")))
    assert cfg["process"]["user"]["uid"] == 65532 and cfg["process"]["args"] == ["/usr/bin/id", "-u"]
    p = runc_run(bundle, ["/usr/bin/id", "-u"], "scute-e2e-id-%d" % os.getpid())
    assert p.returncode == 0 and p.stdout.strip() == "65532", (p.stdout, p.stderr)
    p = runc_run(bundle, ["/bin/sh", "-c", "echo pwned"], "scute-e2e-sh-%d" % os.getpid())
    assert p.returncode != 0 and "pwned" not in p.stdout, (p.stdout, p.stderr)


def test_reproducible(debian_dir, tmp_path):
    src = image_ref("oci", debian_dir, "base")
    a = harden(src, "oci:%s:h" % (tmp_path / "a"), "--entrypoint", "/usr/bin/true")
    b = harden(src, "oci:%s:h" % (tmp_path / "b"), "--entrypoint", "/usr/bin/true")
    assert a["digest"] == b["digest"]


def test_refusals(debian_dir, tmp_path):
    src = image_ref("oci", debian_dir, "base")
    dst = "oci:%s:h" % (tmp_path / "out")
    # the image's Cmd is /bin/bash: removing shells would break it
    p = scute("harden", "-q", src, dst)
    assert_error(p, 2, "--keep-shell")
    assert not os.path.exists(os.path.join(str(tmp_path / "out"), "index.json"))
    # uid 1 belongs to daemon in Debian
    p = scute("harden", "-q", "--entrypoint", "/usr/bin/true", "--user", "app:1", src, dst)
    assert_error(p, 2, "daemon")
    # DST exists
    harden(src, dst, "--entrypoint", "/usr/bin/true")
    p = scute("harden", "-q", "--entrypoint", "/usr/bin/true", src, dst)
    assert_error(p, 2, "exists")
    harden(src, dst, "--entrypoint", "/usr/bin/true", "--replace")


def test_passwd_symlink_refused(debian_dir, tmp_path):
    lay = str(tmp_path / "src")
    shutil.copytree(os.path.join(debian_dir, "oci"), lay)
    L = images.Layout(lay, create=False)
    images.append_layer(L, "base", images.tar_bytes([images.S("etc/passwd", "/dev/null")]), "gzip",
                        created_by="ln -sf /dev/null /etc/passwd", new_ref="nullpw")
    p = scute("harden", "-q", "--entrypoint", "/usr/bin/true", "oci:%s:nullpw" % lay, "oci:%s:h" % (tmp_path / "out"))
    assert_error(p, 3, "etc/passwd")
    assert not os.path.exists(os.path.join(str(tmp_path / "out"), "index.json"))


def variant(debian_dir, tmp_path, entries, ref, config_update=None):
    lay = str(tmp_path / "src")
    if not os.path.exists(lay):
        shutil.copytree(os.path.join(debian_dir, "oci"), lay)
    L = images.Layout(lay, create=False)
    images.append_layer(L, "base", images.tar_bytes(entries), "gzip", created_by="e2e " + ref, new_ref=ref,
                        config_update=config_update)
    return "oci:%s:%s" % (lay, ref)


def set_env(*kv):
    def up(cfg):
        cfg.setdefault("config", {})["Env"] = list(cfg["config"].get("Env") or []) + list(kv)
    return up


def test_unclean_env_and_writable_paths(debian_dir, tmp_path):
    src = variant(debian_dir, tmp_path, [images.D("srv")], "unclean",
                  set_env("HF_HOME=/srv/hf/", "TORCH_HOME=/srv//torch"))
    out = str(tmp_path / "out")
    harden(src, "oci:%s:h" % out, "--entrypoint", "/usr/bin/true", "--writable", "/data/w/")
    root = unpack(out, "h", str(tmp_path / "b"))
    for d in ("srv/hf", "srv/torch", "data/w"):
        st = os.stat(os.path.join(root, d))
        assert st.st_uid == 65532, d


def test_existing_group_not_duplicated(debian_dir, tmp_path):
    out = str(tmp_path / "out")
    base_root = unpack(os.path.join(debian_dir, "oci"), "base", str(tmp_path / "b0"))
    grp = open(os.path.join(base_root, "etc/group")).read() + "nonroot:x:65532:alice\n"
    src = variant(debian_dir, tmp_path, [images.F("etc/group", grp.encode())], "grp")
    harden(src, "oci:%s:h" % out, "--entrypoint", "/usr/bin/true")
    root = unpack(out, "h", str(tmp_path / "b"))
    lines = [l for l in open(os.path.join(root, "etc/group")).read().splitlines() if l.startswith("nonroot:")]
    assert lines == ["nonroot:x:65532:alice"], lines


def test_setuid_hardlink_cleared(debian_dir, tmp_path):
    src = variant(debian_dir, tmp_path, [images.F("opt/s/a", b"\x7fELFsuid", mode=0o4755),
                                         images.H("opt/s/b", "opt/s/a", mode=0o4755)], "hl")
    out = str(tmp_path / "out")
    harden(src, "oci:%s:h" % out, "--entrypoint", "/usr/bin/true")
    root = unpack(out, "h", str(tmp_path / "b"))
    for f in ("opt/s/a", "opt/s/b"):
        assert os.stat(os.path.join(root, f)).st_mode & 0o6000 == 0, f


def test_nothing_resurrected_under_whiteout(debian_dir, tmp_path):
    src = variant(debian_dir, tmp_path, [images.F("usr/share/doc/x/junk", b"x", mode=0o666),
                                         images.D("usr/share/doc/y", mode=0o777)], "wh")
    out = str(tmp_path / "out")
    rep = harden(src, "oci:%s:h" % out, "--entrypoint", "/usr/bin/true")
    assert "usr/share/doc" in rep["removed"], rep["removed"]
    root = unpack(out, "h", str(tmp_path / "b"))
    assert not os.path.lexists(os.path.join(root, "usr/share/doc/x/junk"))
    assert not os.path.lexists(os.path.join(root, "usr/share/doc/y"))



def test_vulnerabilities_and_sbom(tmp_path):
    """The pip AI image hardened with the PyPA database: the vulnerability
    count does not go up, and the SBOM written next to the image is the one
    `scute scan` reads back to the same count."""
    shared = os.environ.get("SCUTE_SHARED_DATA") or os.path.join(os.path.dirname(CHECKOUT), "shared", "data")
    pypa = os.path.join(shared, "osv", "pypa-advisory-database")
    if not os.path.isdir(os.path.join(pypa, "vulns")):
        pytest.skip("PyPA advisory database not found at %s" % pypa)
    db = str(tmp_path / "db.sqlite")
    assert scute("db", "import", "-q", "--db", db, pypa).returncode == 0
    sbom = str(tmp_path / "hardened.cdx.json")
    rep = harden(image_ref("oci", images.pipai(), "pipai"), "oci:%s:h" % (tmp_path / "out"),
                 "--entrypoint", "/usr/bin/true", "--db", db, "--sbom", sbom)
    v = rep["vulnerabilities"]
    before = sum(x["before"] for x in v.values())
    after = sum(x["after"] for x in v.values())
    assert before > 0 and after <= before, v
    doc = json.load(open(sbom))
    assert doc["bomFormat"] == "CycloneDX" and doc["specVersion"] == "1.6"
    assert oct(os.stat(sbom).st_mode & 0o777) == "0o644"
    scan = json.loads(scute_ok("scan", "--db", db, "--format", "json", sbom).stdout)
    assert len(scan["findings"]) == after


@pytest.mark.parametrize("kind", ["oci-archive", "docker-archive"])
def test_archive_destinations(debian_dir, tmp_path, kind):
    """Archive DSTs: skopeo (the real containers/image reader) accepts them,
    scute reads them back, two runs give identical bytes, nothing is left
    beside the file, and an existing file is not overwritten."""
    src = image_ref("oci", debian_dir, "base")
    tag = "scute/hard:v1" if kind == "docker-archive" else "hard"
    a, b = str(tmp_path / "a.tar"), str(tmp_path / "b.tar")
    ra = harden(src, "%s:%s:%s" % (kind, a, tag), "--entrypoint", "/usr/bin/true")
    rb = harden(src, "%s:%s:%s" % (kind, b, tag), "--entrypoint", "/usr/bin/true")
    assert ra["digest"] == rb["digest"]
    assert open(a, "rb").read() == open(b, "rb").read()
    assert sorted(os.listdir(str(tmp_path))) == ["a.tar", "b.tar"]
    p = subprocess.run(["skopeo", "inspect", "%s:%s" % (kind, a) + (":" + tag if kind == "oci-archive" else "")],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["Labels"]["org.opencontainers.image.base.digest"].startswith("sha256:")
    doc = json.loads(scute_ok("audit", "-q", "--format", "json", "%s:%s" % (kind, a)).stdout)
    assert doc["score"] == ra["score"]["after"]
    p = scute("harden", "-q", "--entrypoint", "/usr/bin/true", src, "%s:%s:%s" % (kind, a, tag))
    assert_error(p, 2, "exists")


# --------------------------------------------------------------------------
# --provenance and --sign-key


RFC3339 = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"


def test_provenance(debian_dir, tmp_path):
    """--provenance FILE: the run's SLSA v1 predicate, the source pinned by
    its manifest digest, the options that shaped the result as
    externalParameters."""
    src = image_ref("oci", debian_dir, "base")
    dst = "oci:%s:hard" % (tmp_path / "out")
    prov = tmp_path / "prov.json"
    rep = harden(src, dst, "--entrypoint", "/usr/bin/id -u", "--writable", "/data", "--provenance", str(prov))
    p = json.loads(prov.read_text())
    src_digest = inspect_digest(src)
    assert sorted(p) == ["buildDefinition", "runDetails"]
    bd, rd = p["buildDefinition"], p["runDetails"]
    assert bd["buildType"] == "https://scute.dev/harden/v1"
    assert bd["externalParameters"] == {"source": src, "destination": dst, "layering": "append",
                                        "entrypoint": ["/usr/bin/id", "-u"], "writable": ["/data"]}
    assert bd["internalParameters"] == {}
    assert bd["resolvedDependencies"] == [{"uri": src, "digest": {"sha256": src_digest[7:]}, "name": src}]
    assert rd["builder"]["id"] == "https://scute.dev/scute"
    assert list(rd["builder"]["version"]) == ["scute"]
    assert re.match(r"^\d+\.\d+\.\d+", rd["builder"]["version"]["scute"])
    m = rd["metadata"]
    assert re.match(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", m["invocationId"])
    assert re.match(RFC3339, m["startedOn"]) and re.match(RFC3339, m["finishedOn"])
    assert m["startedOn"] <= m["finishedOn"]
    assert rep["digest"].startswith("sha256:")
    assert sorted(os.listdir(str(tmp_path))) == ["out", "prov.json"], "no temporary file left"


def inspect_digest(image):
    p = scute_ok("inspect", "--json", image)
    return json.loads(p.stdout)["digest"]


def small_db(tmp_path):
    db = str(tmp_path / "db.sqlite")
    p = scute("db", "import", "-q", "--db", db, os.path.join(CHECKOUT, "tests", "fixtures", "vuln", "demo"))
    assert p.returncode == 0, describe(p)
    return db


def test_sign_key_refusals(debian_dir, tmp_path):
    """What --sign-key needs is checked before the run: DST is not written."""
    src = image_ref("oci", debian_dir, "base")
    dst = "oci:%s:hard" % (tmp_path / "out")
    bad = tmp_path / "bad.key"
    bad.write_text("not a key\n")
    p = scute("harden", "-q", "--keep-shell", "--sign-key", str(tmp_path / "none.key"), src, dst,
              env={"SCUTE_DB": small_db(tmp_path)})
    assert_error(p, 3, "--sign-key", "none.key")
    # a file that is not a key, and a wrong passphrase: refused before the run
    p = scute("harden", "-q", "--keep-shell", "--sign-key", str(bad), src, dst,
              env={"SCUTE_DB": small_db(tmp_path), "SCUTE_PASSWORD": ""})
    assert_error(p, 3, "--sign-key", "bad.key")
    k = scute("keygen", "--output-key-prefix", str(tmp_path / "good"), env={"SCUTE_PASSWORD": "right"})
    assert k.returncode == 0, describe(k)
    key = str(tmp_path / "good.key")
    p = scute("harden", "-q", "--keep-shell", "--sign-key", key, src, dst,
              env={"SCUTE_DB": small_db(tmp_path), "SCUTE_PASSWORD": "wrong"})
    assert_error(p, 3, "passphrase")
    # no vulnerability database: scan's own error, before the run
    none = str(tmp_path / "none.sqlite")
    scan = scute("scan", src, env={"SCUTE_DB": none})
    p = scute("harden", "-q", "--keep-shell", "--sign-key", key, src, dst,
              env={"SCUTE_DB": none, "SCUTE_PASSWORD": "right"})
    assert p.returncode == scan.returncode == 3 and p.stderr == scan.stderr, describe(p)
    p = scute("harden", "-q", "--keep-shell", "--sign-identity", "x/y:z", src, dst)
    assert_error(p, 2, "--sign-identity needs --sign-key")
    p = scute("harden", "-q", "--keep-shell", "--sign-key", key, src, "oci-archive:%s" % (tmp_path / "o.tar"))
    assert_error(p, 2, "docker:// or oci:")
    assert not os.path.exists(str(tmp_path / "out")) and not os.path.exists(str(tmp_path / "o.tar"))
