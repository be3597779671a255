#!/usr/bin/python3
"""Helpers shared by the signing tests (test_sigref.py, test_sign*.py):
where the shared sigstore vectors are, skips with reasons, and fixing up
the containers/image dir: fixtures whose symlinks arrived as files.

Fixtures defined here are imported by the test modules that use them.
"""

import os
import shutil

import pytest

import sigstorejs
from conftest import CHECKOUT

# <repo>/../shared/data/sigstore (README there); SCUTE_SHARED overrides <repo>/../shared.
SHARED = os.environ.get("SCUTE_SHARED") or os.path.join(os.path.dirname(CHECKOUT), "shared")
VECTORS = os.path.join(SHARED, "data", "sigstore")
PASSPHRASE = "hello"            # of the cosign-*.key vectors


def vector(name):
    return os.path.join(VECTORS, name)


@pytest.fixture(scope="session")
def vectors():
    """The vectors directory; skips when shared/ is absent."""
    if not os.path.isfile(os.path.join(VECTORS, "README.md")):
        pytest.skip("shared sigstore vectors not found at %s (shared/ is laid beside the checkout)" % VECTORS)
    return VECTORS


@pytest.fixture(scope="session")
def sigstore_js():
    """sigstorejs module when sigstore-js can run; skips with the reason otherwise."""
    why = sigstorejs.missing()
    if why:
        pytest.skip(why)
    return sigstorejs


def require_crypto():
    try:
        import cryptography  # noqa: F401
        import nacl  # noqa: F401
    except ImportError:
        pytest.skip("python3-cryptography and python3-nacl are needed (scripts/deps.sh installs them)")


def materialize_dir_fixture(name, dest):
    """Copy vectors/<name> to dest, replacing each file that holds a
    symlink's target path ("../dir-img-cosign-valid/signature-1": git
    stored containers/image's symlinks as plain files) with the file it
    names, looked up among the ci-* vector dirs. A target that is not in
    the vectors (../v2s1-invalid-signatures.manifest.json) is left as it
    is. Returns dest."""
    src = vector(name)
    shutil.copytree(src, dest)
    for f in os.listdir(dest):
        p = os.path.join(dest, f)
        os.chmod(p, 0o644)
        with open(p, "rb") as fh:
            data = fh.read()
        if len(data) < 200 and data.startswith(b"../") and b"\n" not in data.strip():
            target = data.decode().strip()[3:]            # "dir-img-cosign-valid/signature-1"
            cand = vector("ci-" + target)
            if os.path.isfile(cand):
                shutil.copyfile(cand, p)
    return dest
