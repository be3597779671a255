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


# --------------------------------------------------------------------------
# Running scute for the signing tests


PW = "scute-test-pass"          # passphrase of the keys the tests write


def base_env(tmpdir):
    """No credentials or passphrases of the machine's user: HOME and
    XDG dirs empty, SCUTE_PASSWORD = PW, COSIGN_PASSWORD unset."""
    home = os.path.join(tmpdir, "home")
    os.makedirs(home, exist_ok=True)
    return {"HOME": home, "XDG_RUNTIME_DIR": home, "XDG_CACHE_HOME": os.path.join(home, ".cache"),
            "REGISTRY_AUTH_FILE": None, "DOCKER_CONFIG": None, "SCUTE_PASSWORD": PW,
            "COSIGN_PASSWORD": None, "SCUTE_DB": None}


def run(env, *args, extra_env=None, **kw):
    from conftest import scute_env
    return scute_env(env, *args, extra_env=extra_env, **kw)


def run_ok(env, *args, **kw):
    """Exit 0 required (stderr may carry what was written)."""
    from conftest import describe
    p = run(env, *args, **kw)
    assert p.returncode == 0, describe(p)
    return p


def run_json(env, *args, status=None, **kw):
    """scute ... --json: (process, parsed stdout); status: required exit."""
    import json
    from conftest import describe
    p = run(env, *args, **kw)
    if status is not None:
        assert p.returncode == status, "expected exit %d\n%s" % (status, describe(p))
    try:
        return p, json.loads(p.stdout)
    except ValueError as e:
        pytest.fail("stdout is not JSON (%s)\n%s" % (e, describe(p)))


def small_layout(path, tag="v1", seed=b"scute"):
    """A one-layer OCI layout at path (created if needed) with image tag;
    returns its manifest digest."""
    import images
    L = images.Layout(path)
    r = images.write_image(L, [images.tar_bytes([images.D("etc"), images.F("etc/hello", b"hello " + seed + b"\n")])],
                           ref=tag)
    return r["manifest"]["digest"]


def push_small(api, repo, tag, seed=b"scute"):
    """Push a one-layer image to repo:tag with the raw API; returns its digest."""
    import json
    import images
    layer = images.compress(images.tar_bytes([images.F("hello", b"hello " + seed + b"\n")]), "gzip")[0]
    ld = api.push_blob(repo, layer)
    diff = images.digest_of(images.tar_bytes([images.F("hello", b"hello " + seed + b"\n")]))
    cfg = images.jdump(images.default_config([diff]))
    cd = api.push_blob(repo, cfg)
    man = {"schemaVersion": 2, "mediaType": images.MT_MANIFEST,
           "config": {"mediaType": images.MT_CONFIG, "digest": cd["digest"], "size": cd["size"]},
           "layers": [{"mediaType": images.MT_LAYER_GZIP, "digest": ld["digest"], "size": ld["size"]}]}
    return api.put_manifest(repo, tag, json.dumps(man, separators=(",", ":")).encode())


def key_files(dirpath, name="signer", curve="P-256", label=None, n=32768, passphrase=PW):
    """A key pair written by sigref (not scute): (key path, pub path, private key)."""
    import sigref as S
    priv = S.generate_key(curve)
    kp, pp = S.write_key_pair(priv, os.path.join(dirpath, name), passphrase, label or S.LABEL_SIGSTORE, n)
    return kp, pp, priv
