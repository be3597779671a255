"""scute keygen and the key files scute reads (issue 8), judged by sigref
(tests/e2e/sigref.py, independent of scute) and by real cosign key files.

  scute keygen [--output-key-prefix NAME] [--compat legacy] [--force]
  NAME.key: 0600, O_EXCL (exists -> exit 2 "NAME.key exists (use --force to
  replace)"), label ENCRYPTED SIGSTORE PRIVATE KEY and scrypt N=65536, or
  ENCRYPTED COSIGN PRIVATE KEY and N=32768 with --compat legacy; NAME.pub
  PKIX PEM. Passphrase: $SCUTE_PASSWORD, $COSIGN_PASSWORD, /dev/tty; none
  of them -> exit 2. stderr "Private key written to NAME.key\\nPublic key
  written to NAME.pub\\n".
Keys scute reads: both labels, N 32768/65536/131072, PKCS#8 inside (a SEC1
plaintext is refused, exit 3, as cosign refuses it); wrong passphrase exit 3.
"""

import json
import os
import stat
import subprocess

import pytest

import sigref as S
from conftest import SCUTE, assert_error, describe
from sigtest import (PASSPHRASE, PW, base_env, key_files, require_crypto, run, run_ok, small_layout, vector,
                     vectors)  # noqa: F401


@pytest.fixture(autouse=True)
def _crypto():
    require_crypto()


@pytest.fixture
def env(tmp_path):
    return base_env(str(tmp_path))


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def keygen(env, cwd, *args, **kw):
    return run(env, "keygen", *args, cwd=cwd, **kw)


def check_pair(prefix, passphrase, label=S.LABEL_SIGSTORE, n=65536):
    with open(prefix + ".key", "rb") as f:
        pem = f.read()
    got_label, params, der = S.decrypt_key_der(pem, passphrase)
    assert (got_label, params["N"], params["r"], params["p"]) == (label, n, 8, 1)
    assert len(params["salt"]) >= 16 and len(params["nonce"]) == 24
    assert S.is_pkcs8(der)
    key = S.decrypt_key(pem, passphrase)
    from cryptography.hazmat.primitives.asymmetric import ec
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"
    with open(prefix + ".pub", "rb") as f:
        pub = f.read()
    assert pub.startswith(b"-----BEGIN PUBLIC KEY-----\n")
    assert S.public_pem(S.load_public_key(pub)) == S.public_pem(key)
    assert mode(prefix + ".key") == 0o600
    assert mode(prefix + ".pub") & 0o644 == 0o644 and not mode(prefix + ".pub") & 0o022
    return key


def test_keygen_default(env, tmp_path):
    d = str(tmp_path / "k")
    os.mkdir(d)
    p = keygen(env, d)
    assert p.returncode == 0, describe(p)
    assert p.stderr == "Private key written to cosign.key\nPublic key written to cosign.pub\n", describe(p)
    assert p.stdout == ""
    assert sorted(os.listdir(d)) == ["cosign.key", "cosign.pub"]
    check_pair(os.path.join(d, "cosign"), PW)


def test_keygen_prefix_and_legacy(env, tmp_path):
    d = str(tmp_path)
    p = keygen(env, d, "--output-key-prefix", "release", "--compat", "legacy")
    assert p.returncode == 0, describe(p)
    assert "release.key" in p.stderr and "release.pub" in p.stderr
    check_pair(os.path.join(d, "release"), PW, S.LABEL_COSIGN, 32768)


def test_keygen_cosign_password_and_empty(env, tmp_path):
    d = str(tmp_path)
    p = keygen(env, d, "--output-key-prefix", "a", extra_env={"SCUTE_PASSWORD": None, "COSIGN_PASSWORD": "cpw"})
    assert p.returncode == 0, describe(p)
    check_pair(os.path.join(d, "a"), "cpw")
    # SCUTE_PASSWORD wins over COSIGN_PASSWORD
    p = keygen(env, d, "--output-key-prefix", "b", extra_env={"SCUTE_PASSWORD": "spw", "COSIGN_PASSWORD": "cpw"})
    assert p.returncode == 0, describe(p)
    check_pair(os.path.join(d, "b"), "spw")
    # an empty passphrase from the environment is allowed
    p = keygen(env, d, "--output-key-prefix", "c", extra_env={"SCUTE_PASSWORD": ""})
    assert p.returncode == 0, describe(p)
    check_pair(os.path.join(d, "c"), "")


def test_keygen_refuses_existing(env, tmp_path):
    d = str(tmp_path / "k")
    os.mkdir(d)
    run_ok(env, "keygen", cwd=d)
    with open(os.path.join(d, "cosign.key"), "rb") as f:
        before = f.read()
    p = keygen(env, d)
    assert_error(p, 2, "cosign.key exists (use --force to replace)")
    with open(os.path.join(d, "cosign.key"), "rb") as f:
        assert f.read() == before, "the existing key was changed"
    # --force replaces (still 0600, even when the old file was 0644)
    os.chmod(os.path.join(d, "cosign.key"), 0o644)
    p = keygen(env, d, "--force")
    assert p.returncode == 0, describe(p)
    with open(os.path.join(d, "cosign.key"), "rb") as f:
        assert f.read() != before
    check_pair(os.path.join(d, "cosign"), PW)
    assert [f for f in os.listdir(d) if f not in ("cosign.key", "cosign.pub")] == [], "temporary files left"


def test_keygen_does_not_follow_symlink(env, tmp_path):
    """O_EXCL: a symlink at NAME.key is an existing file; its target is not created."""
    d = str(tmp_path / "k")
    os.mkdir(d)
    target = str(tmp_path / "victim")
    os.symlink(target, os.path.join(d, "cosign.key"))
    p = keygen(env, d)
    assert_error(p, 2, "cosign.key exists")
    assert not os.path.exists(target)


def test_keygen_no_passphrase_no_tty(env, tmp_path):
    """No $SCUTE_PASSWORD/$COSIGN_PASSWORD and no controlling terminal
    (a new session): exit 2, nothing written."""
    d = str(tmp_path)
    if not (os.path.isfile(SCUTE) and os.access(SCUTE, os.X_OK)):
        pytest.fail("scute binary not found at %s" % SCUTE)
    e = dict(os.environ)
    for k, v in env.items():
        if v is None:
            e.pop(k, None)
        else:
            e[k] = v
    e.pop("SCUTE_PASSWORD", None)
    e.pop("COSIGN_PASSWORD", None)
    p = subprocess.run([SCUTE, "keygen"], cwd=d, env=e, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60, start_new_session=True, text=True)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert p.stderr.startswith("scute: ") and ("passphrase" in p.stderr.lower() or "PASSWORD" in p.stderr), p.stderr
    assert os.listdir(d) == [] or os.listdir(d) == ["home"], os.listdir(d)
    assert not os.path.exists(os.path.join(d, "cosign.key"))


# --------------------------------------------------------------------------
# Key files scute reads: checked by signing a small layout and verifying
# the signature with sigref


def sign_with(env, key, pub, tmp_path, name, passphrase, status=0):
    lay = str(tmp_path / ("lay-" + name))
    digest = small_layout(lay)
    p = run(env, "sign", "--key", key, "--identity", "example.com/app:v1", "oci:%s:v1" % lay,
            extra_env={"SCUTE_PASSWORD": passphrase})
    if status != 0:
        return p
    assert p.returncode == 0, describe(p)
    res = S.verify_sig_manifest(S.LayoutStore(lay), digest, [S.load_public_key_file(pub)])
    assert len(res) == 1 and res[0]["valid"], res
    return p


@pytest.mark.parametrize("label,n", [(S.LABEL_SIGSTORE, 65536), (S.LABEL_COSIGN, 32768), (S.LABEL_SIGSTORE, 131072),
                                     (S.LABEL_COSIGN, 65536)])
def test_accepts_sigref_keys(env, tmp_path, label, n):
    kp, pp, _ = key_files(str(tmp_path), "k", label=label, n=n)
    sign_with(env, kp, pp, tmp_path, "x", PW)


@pytest.mark.parametrize("name", ["cosign-pemsigstorekey", "cosign-pemcosignkey"])
def test_accepts_cosign_keys(env, tmp_path, vectors, name):
    sign_with(env, vector(name + ".key"), vector(name + ".pub"), tmp_path, name, PASSPHRASE)
    # COSIGN_PASSWORD alone works too
    lay = str(tmp_path / "lay2")
    small_layout(lay)
    p = run(env, "sign", "--key", vector(name + ".key"), "--identity", "example.com/app:v1", "oci:%s:v1" % lay,
            extra_env={"SCUTE_PASSWORD": None, "COSIGN_PASSWORD": PASSPHRASE})
    assert p.returncode == 0, describe(p)


def test_rejects_sec1_key(env, tmp_path, vectors):
    p = sign_with(env, vector("cosign-pemcosigneckey.key"), None, tmp_path, "sec1", PASSPHRASE, status=3)
    assert p.returncode == 3, describe(p)
    assert p.stderr.startswith("scute: error: "), describe(p)
    assert any(w in p.stderr.lower() for w in ("pkcs#8", "pkcs8", "sec1")), describe(p)


def test_rejects_wrong_passphrase(env, tmp_path, vectors):
    p = sign_with(env, vector("cosign-pemsigstorekey.key"), None, tmp_path, "wrong", "hellO", status=3)
    assert p.returncode == 3, describe(p)
    assert "passphrase" in p.stderr.lower() or "decrypt" in p.stderr.lower(), describe(p)
    assert "hellO" not in p.stderr


def test_scute_key_used_by_sigref(env, tmp_path):
    """A key scute generated signs what sigref verifies with its .pub, and
    sigref (standing in for cosign) can sign with it too."""
    d = str(tmp_path)
    run_ok(env, "keygen", "--output-key-prefix", "own", cwd=d)
    key = check_pair(os.path.join(d, "own"), PW)
    sign_with(env, os.path.join(d, "own.key"), os.path.join(d, "own.pub"), tmp_path, "own", PW)
    assert S.verify_signature(S.load_public_key_file(os.path.join(d, "own.pub")), b"m", S.sign(key, b"m"))


def test_rejects_malformed_key_files(env, tmp_path):
    lay = str(tmp_path / "lay")
    small_layout(lay)
    cases = {
        "notpem.key": b"hello\n",
        "pub-as-key.key": S.public_pem(S.generate_key()),
        "badjson.key": S.pem_encode(S.LABEL_SIGSTORE, b"{not json"),
        "badkdf.key": S.pem_encode(S.LABEL_SIGSTORE, json.dumps(
            {"kdf": {"name": "argon2", "params": {"N": 32768, "r": 8, "p": 1}, "salt": "AAAA"},
             "cipher": {"name": "nacl/secretbox", "nonce": "AAAA"}, "ciphertext": "AAAA"}).encode()),
        "hugeN.key": S.pem_encode(S.LABEL_SIGSTORE, json.dumps(
            {"kdf": {"name": "scrypt", "params": {"N": 1 << 40, "r": 8, "p": 1}, "salt": "AAAA"},
             "cipher": {"name": "nacl/secretbox", "nonce": "A" * 32}, "ciphertext": "AAAA"}).encode()),
    }
    for name, data in cases.items():
        kp = str(tmp_path / name)
        with open(kp, "wb") as f:
            f.write(data)
        p = run(env, "sign", "--key", kp, "--identity", "example.com/app:v1", "oci:%s:v1" % lay)
        assert p.returncode == 3, "%s\n%s" % (name, describe(p))
        assert p.stderr.startswith("scute: error: "), describe(p)
