"""scute harden on the Debian minbase image the tests build: the result is
audited, unpacked with umoci and run with runc as its non-root user (a
dynamic binary works, /bin/sh is gone), hardening is reproducible, and bad
inputs are refused without writing DST."""
import json
import os
import shutil
import subprocess

import pytest

import images
from conftest import assert_error, describe, image_ref, scute, scute_ok


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
