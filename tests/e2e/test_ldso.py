"""DT_NEEDED resolution (src/audit/ldso.c) on real images, through the
tests/tools/ldso_check hook (scute has no verb for it yet):

- the Debian image: nothing missing, and every resolved dependency of the
  executables in /usr/bin is the file the real glibc loader picks
  (`ld.so --list` run in a chroot of the same rootfs, when root);
- the Debian image plus a layer that deletes libz.so.1 (symlink and file):
  exactly the ELF files that need libz.so.1 are reported.
"""

import os
import shutil
import subprocess

import pytest

import images
from conftest import CHECKOUT, check_sanitizer


def ldso_check_path():
    cands = []
    if os.environ.get("SCUTE_LDSO_CHECK"):
        cands.append(os.environ["SCUTE_LDSO_CHECK"])
    if os.environ.get("SCUTE"):
        cands.append(os.path.join(os.path.dirname(os.path.dirname(os.environ["SCUTE"])),
                                  "tests", "ldso_check"))
    cands.append(os.path.join(CHECKOUT, "build", "tests", "ldso_check"))
    for c in cands:
        if os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


@pytest.fixture(scope="module")
def ldso_check():
    p = ldso_check_path()
    if not p:
        pytest.skip("tests/ldso_check helper not built (set SCUTE_LDSO_CHECK or SCUTE)")

    def run(image, verbose=False):
        argv = [p] + (["-v"] if verbose else []) + [image]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=300)
        check_sanitizer(r.stderr)
        rows = [line.split("\t") for line in r.stdout.splitlines()]
        return r, rows
    return run


def test_debian_nothing_missing(ldso_check, debian_dir):
    r, rows = ldso_check("oci:%s:base" % os.path.join(debian_dir, "oci"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert rows == []
    assert "missing 0" in r.stderr and "cache yes" in r.stderr
    assert "note:" not in r.stderr


def test_debian_matches_glibc_loader(ldso_check, debian_dir):
    if os.geteuid() != 0 or not shutil.which("chroot"):
        pytest.skip("needs root and chroot to run the image's own loader")
    rfs = os.path.join(images.rootfs(), "rootfs")
    r, rows = ldso_check("oci:%s:base" % os.path.join(debian_dir, "oci"), verbose=True)
    assert r.returncode == 0, r.stderr
    ours = {}
    for row in rows:
        status, elf, needed, via, path = row
        ours.setdefault(elf, {})[needed] = (status, path)
    exes = sorted(e for e in ours if e.startswith("/usr/bin/"))
    assert len(exes) > 20
    compared = 0
    for exe in exes:
        p = subprocess.run(["chroot", rfs, "/lib64/ld-linux-x86-64.so.2", "--list", exe],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            continue
        real = {}
        for line in p.stdout.splitlines():
            parts = line.strip().split(" => ")
            if len(parts) == 2:
                real[parts[0]] = parts[1].rsplit(" (", 1)[0]
        for needed, (status, path) in ours[exe].items():
            if status != "found" or needed.startswith("ld-linux"):
                continue  # the interpreter is listed without "=>": already loaded
            assert needed in real, "%s: %s not loaded by ld.so:\n%s" % (exe, needed, p.stdout)
            want = os.path.realpath(os.path.join(rfs, real[needed].lstrip("/")))
            got = os.path.realpath(os.path.join(rfs, path.lstrip("/")))
            assert got == want, "%s: %s -> %s, ld.so loads %s" % (exe, needed, path, real[needed])
            compared += 1
    assert compared > 50


def test_deleted_libz_reported(ldso_check, debian_dir, tmp_path):
    base = "oci:%s:base" % os.path.join(debian_dir, "oci")
    _, rows = ldso_check(base, verbose=True)
    needs_libz = sorted(row[1] for row in rows if row[2] == "libz.so.1")
    assert len(needs_libz) >= 2
    libz = [row[4] for row in rows if row[2] == "libz.so.1"][0]

    lay = str(tmp_path / "oci")
    shutil.copytree(os.path.join(debian_dir, "oci"), lay)
    L = images.Layout(lay, create=False)
    images.append_layer(L, "base", images.tar_bytes([
        images.WH("usr/lib/x86_64-linux-gnu/libz.so.1"),
        images.WH(libz.lstrip("/")),
    ]), "gzip", created_by="rm libz", new_ref="nolibz")
    r, rows = ldso_check("oci:%s:nolibz" % lay)
    assert r.returncode == 1, r.stdout + r.stderr
    assert all(row[0] == "missing" for row in rows)
    assert sorted(row[1] for row in rows) == needs_libz
    assert {row[2] for row in rows} == {"libz.so.1"}
