"""scute verify / verify-blob on real signatures made by cosign, containers/
image, the sigstore conformance suite and sigstore-go
(../shared/data/sigstore, README there). Skips when the vectors are absent.

The dir: fixtures come from containers/image, where the negative ones are
symlinks to the valid signature; in shared/ those symlinks arrived as plain
files holding the link text ("../dir-img-cosign-valid/signature-1"). They
are tested as they are (a signature file that is not a signature must not
verify) and, for -modified-manifest, also with the link resolved, which
is the case containers/image means: a genuine signature over another
manifest digest.
"""

import json
import os
import shutil

import pytest

import sigref as S
from conftest import describe
from sigtest import base_env, materialize_dir_fixture, require_crypto, run, run_json, vector, vectors  # noqa: F401


@pytest.fixture(autouse=True)
def _crypto():
    require_crypto()


@pytest.fixture
def env(tmp_path):
    return base_env(str(tmp_path))


def manifest_digest(d):
    with open(os.path.join(d, "manifest.json"), "rb") as f:
        return S.sha256_digest(f.read())


@pytest.mark.parametrize("name,key,n", [("ci-dir-img-cosign-valid", "ci-cosign.pub", 1),
                                        ("ci-dir-img-cosign-valid-2", "ci-cosign.pub", 2),
                                        ("ci-dir-img-cosign-valid-with-tag", "ci-cosign.pub", 1),
                                        ("ci-dir-img-cosign-key-rekor-valid", "ci-cosign2.pub", 1)])
def test_dir_valid(env, vectors, name, key, n):
    img = "dir:" + vector(name)
    p = run(env, "verify", "--key", vector(key), img)
    assert p.returncode == 0, describe(p)
    assert len([ln for ln in p.stdout.splitlines() if ln.startswith("verified signature")]) == n, describe(p)
    _, j = run_json(env, "verify", "--json", "--key", vector(key), img, status=0)
    assert j["verified"] == n and j["rejected"] == 0 and j["digest"] == manifest_digest(vector(name)), j
    assert [s["source"] for s in j["signatures"]] == ["signature-%d" % i for i in range(1, n + 1)]
    assert all(s["format"] == "simplesigning" and s["key"] == S.key_hint(S.load_public_key_file(vector(key)))
               for s in j["signatures"]), j
    payload, _, _ = S.read_dir_signature(os.path.join(vector(name), "signature-1"))
    doc = S.parse_simple_signing(payload)
    assert j["signatures"][0]["docker_reference"] == doc["critical"]["identity"]["docker-reference"]
    assert j["signatures"][0]["optional"] == doc["optional"]
    # the other key: nothing valid
    other = "ci-cosign2.pub" if key == "ci-cosign.pub" else "ci-cosign.pub"
    p = run(env, "verify", "--key", vector(other), img)
    assert p.returncode == 1, describe(p)
    assert "signature does not verify with key" in p.stderr, describe(p)
    # both keys: valid
    p = run(env, "verify", "--key", vector(other), "--key", vector(key), img)
    assert p.returncode == 0, describe(p)


def test_dir_identity(env, vectors):
    img = "dir:" + vector("ci-dir-img-cosign-valid-with-tag")
    k = vector("ci-cosign.pub")
    assert run(env, "verify", "--key", k, "--identity", "192.168.64.2:5000/skopeo-signed:tag", img).returncode == 0
    assert run(env, "verify", "--key", k, "--identity", "192.168.64.2:5000/skopeo-signed", img).returncode == 0
    p = run(env, "verify", "--key", k, "--identity", "192.168.64.2:5000/skopeo-signed:other", img)
    assert p.returncode == 1, describe(p)
    assert "identity '192.168.64.2:5000/skopeo-signed:tag' is not the required " \
        "'192.168.64.2:5000/skopeo-signed:other'" in p.stderr, describe(p)


@pytest.mark.parametrize("name", ["ci-dir-img-cosign-manifest-digest-error", "ci-dir-img-cosign-modified-manifest"])
def test_dir_invalid_as_shipped(env, vectors, name):
    p = run(env, "verify", "--key", vector("ci-cosign.pub"), "dir:" + vector(name))
    assert p.returncode == 1, describe(p)
    assert "rejected signature-1" in p.stderr, describe(p)


def test_dir_modified_manifest(env, vectors, tmp_path):
    d = materialize_dir_fixture("ci-dir-img-cosign-modified-manifest", str(tmp_path / "mm"))
    _, j = run_json(env, "verify", "--json", "--key", vector("ci-cosign.pub"), "dir:" + d, status=1)
    payload, _, _ = S.read_dir_signature(os.path.join(d, "signature-1"))
    signed = S.parse_simple_signing(payload)["critical"]["image"]["docker-manifest-digest"]
    assert j["verified"] == 0 and len(j["signatures"]) == 1, j
    assert j["signatures"][0]["reason"] == "payload digest %s is not the image's %s" % (signed, manifest_digest(d)) \
        or "payload digest %s is not the image's %s" % (signed, manifest_digest(d)) in j["signatures"][0]["reason"], j


def test_dir_sigref_signature(env, vectors, tmp_path):
    """A dir: signature that sigref wrote with a key of its own."""
    d = str(tmp_path / "img")
    os.mkdir(d)
    shutil.copyfile(vector("ci-dir-img-cosign-valid/manifest.json"), os.path.join(d, "manifest.json"))
    k = S.generate_key()
    kp = str(tmp_path / "k.pub")
    open(kp, "wb").write(S.public_pem(k))
    payload = S.simple_signing_payload("example.com/x:1", manifest_digest(d), {"creator": "sigref"})
    S.write_dir_signature(os.path.join(d, "signature-1"), payload, S.sign(k, payload))
    _, j = run_json(env, "verify", "--json", "--key", kp, "dir:" + d, status=0)
    assert j["signatures"][0]["optional"] == {"creator": "sigref"}


# --------------------------------------------------------------------------
# verify-blob on bundles


def test_conformance_bundle_tlog(env, vectors):
    args = ["verify-blob", "--key", vector("conf-key.pub"), "--bundle", vector("conf-managed-key-happy-path.json")]
    p = run(env, *(args + [vector("conf-a.txt")]))
    assert p.returncode == 1, describe(p)
    assert "transparency-log entry" in p.stderr and "--insecure-ignore-tlog" in p.stderr, describe(p)
    _, j = run_json(env, *(args + ["--json", vector("conf-a.txt")]), status=1)
    assert "transparency-log" in json.dumps(j), j
    p = run(env, *(args + ["--insecure-ignore-tlog", vector("conf-a.txt")]))
    assert p.returncode == 0, describe(p)
    # ...but never for another blob or key
    p = run(env, *(args + ["--insecure-ignore-tlog", vector("conf-key.pub")]))
    assert p.returncode == 1, describe(p)
    p = run(env, "verify-blob", "--insecure-ignore-tlog", "--key", vector("ci-cosign.pub"), "--bundle",
            vector("conf-managed-key-happy-path.json"), vector("conf-a.txt"))
    assert p.returncode == 1, describe(p)


def test_sigstore_go_public_key_bundle(env, vectors, tmp_path):
    blob = str(tmp_path / "blob")
    open(blob, "wb").write(b"test content")
    args = ["verify-blob", "--key", vector("sgo-public-key-validity.pem"), "--bundle",
            vector("sgo-public-key-validity.sigstore.json")]
    p = run(env, *(args + [blob]))
    assert p.returncode == 0, describe(p)
    open(blob, "wb").write(b"test content\n")
    p = run(env, *(args + [blob]))
    assert p.returncode == 1, describe(p)


def test_sigstore_go_dsse_v01_bundle(env, vectors):
    args = ["verify-blob", "--key", vector("sgo-publish_key.pub"), "--bundle", vector("sgo-bundle-publish.json")]
    p = run(env, *args)
    assert p.returncode == 1, describe(p)
    assert "transparency-log" in p.stderr, describe(p)
    p = run(env, *(args + ["--insecure-ignore-tlog"]))
    assert p.returncode == 0, describe(p)
    p = run(env, "verify-blob", "--insecure-ignore-tlog", "--key", vector("conf-key.pub"), "--bundle",
            vector("sgo-bundle-publish.json"))
    assert p.returncode == 1, describe(p)


def test_keyless_bundle_refused(env, vectors, tmp_path):
    """A bundle with a certificate instead of a key hint."""
    import datetime
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID
    key = S.generate_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "keyless test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    b = S.message_signature_bundle(key, b"test content")
    b["verificationMaterial"].pop("publicKey")
    b["verificationMaterial"]["certificate"] = {"rawBytes": S.b64(cert.public_bytes(serialization.Encoding.DER))}
    bf = str(tmp_path / "keyless.json")
    json.dump(b, open(bf, "w"))
    blob = str(tmp_path / "blob")
    open(blob, "wb").write(b"test content")
    kp = str(tmp_path / "k.pub")
    open(kp, "wb").write(S.public_pem(key))
    p = run(env, "verify-blob", "--key", kp, "--bundle", bf, blob)
    assert p.returncode in (1, 3), describe(p)
    assert "certificate-based (keyless) bundles are not supported; use --key" in p.stderr, describe(p)

