"""The reference implementation (sigref.py) and the sigstore-js peer
checked against real vectors before they are trusted to judge scute: the
cosign key files decrypt with "hello", containers/image's cosign
signatures verify, sigref reproduces real cosign payload bytes exactly,
the conformance / sigstore-go bundles verify with sigstore-js, and
tampered copies fail. Needs no scute binary.
"""

import base64
import copy
import json

import pytest

import images
import sigref as S
from sigtest import PASSPHRASE, materialize_dir_fixture, require_crypto, sigstore_js, vector, vectors  # noqa: F401


@pytest.fixture(autouse=True)
def _crypto():
    require_crypto()


def pub(name):
    return S.load_public_key_file(vector(name))


# --------------------------------------------------------------------------
# DSSE / payloads


def test_pae_vector():
    # secure-systems-lab/dsse protocol.md test vector
    assert S.pae("http://example.com/HelloWorld", b"hello world") == \
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"


def test_go_json_escaping():
    assert S.go_json({"a": "<&>", "b": None}) == b'{"a":"\\u003c\\u0026\\u003e","b":null}'
    assert S.simple_signing_payload("h/r:t", "sha256:" + "0" * 64, {"z": "1", "a": 2}) == (
        b'{"critical":{"identity":{"docker-reference":"h/r:t"},"image":{"docker-manifest-digest":"sha256:'
        + b"0" * 64 + b'"},"type":"cosign container image signature"},"optional":{"a":2,"z":"1"}}')


def test_payload_bytes_match_real_cosign(vectors):
    """sigref rebuilds the payloads that cosign and containers/image wrote,
    byte for byte."""
    p, _, _ = S.read_dir_signature(vector("ci-dir-img-cosign-valid/signature-1"))
    doc = json.loads(p)
    assert S.simple_signing_payload(doc["critical"]["identity"]["docker-reference"],
                                    doc["critical"]["image"]["docker-manifest-digest"]) == p
    p, _, _ = S.read_dir_signature(vector("ci-dir-img-cosign-valid-with-tag/signature-1"))
    doc = json.loads(p)
    assert doc["optional"] == {"creator": "containers/image 5.21.2-dev", "timestamp": 1657296609}
    assert S.simple_signing_payload(doc["critical"]["identity"]["docker-reference"],
                                    doc["critical"]["image"]["docker-manifest-digest"], doc["optional"]) == p


# --------------------------------------------------------------------------
# Key files


@pytest.mark.parametrize("name,label,n", [("cosign-pemsigstorekey", S.LABEL_SIGSTORE, 32768),
                                          ("cosign-pemcosignkey", S.LABEL_COSIGN, 32768)])
def test_cosign_keys_decrypt(vectors, name, label, n):
    with open(vector(name + ".key"), "rb") as f:
        pem = f.read()
    got_label, params, _ = S.decrypt_key_der(pem, PASSPHRASE)
    assert (got_label, params["N"], params["r"], params["p"]) == (label, n, 8, 1)
    key = S.decrypt_key(pem, PASSPHRASE)
    with open(vector(name + ".pub"), "rb") as f:
        assert S.public_pem(key) == f.read()
    # and it signs what its .pub verifies
    assert S.verify_signature(pub(name + ".pub"), b"x", S.sign(key, b"x"))
    with pytest.raises(S.SigrefError, match="decryption failed"):
        S.decrypt_key(pem, "hello!")


def test_sec1_key_rejected(vectors):
    with open(vector("cosign-pemcosigneckey.key"), "rb") as f:
        pem = f.read()
    _, params, der = S.decrypt_key_der(pem, PASSPHRASE)    # decrypts...
    assert params["N"] == 65536 and not S.is_pkcs8(der)
    with pytest.raises(S.SigrefError, match="PKCS#8"):       # ...but is not PKCS#8
        S.decrypt_key(pem, PASSPHRASE)


@pytest.mark.parametrize("label,n", [(S.LABEL_SIGSTORE, 65536), (S.LABEL_COSIGN, 32768),
                                     (S.LABEL_SIGSTORE, 131072)])
def test_key_roundtrip(label, n):
    k = S.generate_key()
    pem = S.encrypt_key(k, "pw", label, n)
    assert pem.startswith(("-----BEGIN %s-----\n" % label).encode())
    got_label, params, _ = S.decrypt_key_der(pem, "pw")
    assert (got_label, params["N"]) == (label, n)
    assert S.public_pem(S.decrypt_key(pem, "pw")) == S.public_pem(k)
    assert S.decrypt_key(S.encrypt_key(k, "", label, 32768), "") is not None    # empty passphrase


# --------------------------------------------------------------------------
# containers/image dir: signatures made by real cosign


@pytest.mark.parametrize("name,key", [("ci-dir-img-cosign-valid", "ci-cosign.pub"),
                                      ("ci-dir-img-cosign-valid-2", "ci-cosign.pub"),
                                      ("ci-dir-img-cosign-valid-with-tag", "ci-cosign.pub"),
                                      ("ci-dir-img-cosign-key-rekor-valid", "ci-cosign2.pub")])
def test_dir_vectors_valid(vectors, name, key):
    res = S.verify_dir(vector(name), [pub(key)])
    assert res and all(ok for _, ok, _ in res), res
    other = "ci-cosign2.pub" if key == "ci-cosign.pub" else "ci-cosign.pub"
    assert not any(ok for _, ok, _ in S.verify_dir(vector(name), [pub(other)]))


def test_dir_vectors_invalid(vectors, tmp_path):
    for name in ("ci-dir-img-cosign-manifest-digest-error", "ci-dir-img-cosign-modified-manifest"):
        res = S.verify_dir(vector(name), [pub("ci-cosign.pub")])
        assert res and not any(ok for _, ok, _ in res), res
    # with its symlink resolved, the modified manifest fails on the digest
    d = materialize_dir_fixture("ci-dir-img-cosign-modified-manifest", str(tmp_path / "mm"))
    res = S.verify_dir(d, [pub("ci-cosign.pub")])
    assert len(res) == 1 and not res[0][1] and "is not the image's" in res[0][2], res


# --------------------------------------------------------------------------
# Bundles: sigref and sigstore-js on the real vectors


def load(name):
    with open(vector(name)) as f:
        return json.load(f)


def test_sigref_checks_vector_bundles(vectors):
    with open(vector("conf-a.txt"), "rb") as f:
        a = f.read()
    b = load("conf-managed-key-happy-path.json")
    with pytest.raises(S.SigrefError, match="tlog"):
        S.check_bundle(b, [pub("conf-key.pub")], a)
    assert S.check_bundle(b, [pub("conf-key.pub")], a, allow_tlog=True) == ("message", None)
    with pytest.raises(S.SigrefError, match="messageDigest"):
        S.check_bundle(b, [pub("conf-key.pub")], a + b"x", allow_tlog=True)
    assert S.check_bundle(load("sgo-public-key-validity.sigstore.json"), [pub("sgo-public-key-validity.pem")],
                          b"test content")[0] == "message"
    # v0.1 DSSE bundle: sigref's check is for v0.3; the envelope itself verifies
    env = load("sgo-bundle-publish.json")["dsseEnvelope"]
    payload, _ = S.verify_dsse(env, [pub("sgo-publish_key.pub")])
    st = S.parse_statement(payload, statement_types=(S.STATEMENT_V01,))
    assert st["predicateType"]


def write(tmp_path, name, data):
    p = str(tmp_path / name)
    with open(p, "wb" if isinstance(data, bytes) else "w") as f:
        if isinstance(data, (dict, list)):
            json.dump(data, f)
        else:
            f.write(data)
    return p


def test_sigstore_js_vectors(vectors, sigstore_js, tmp_path):
    js = sigstore_js
    tc = write(tmp_path, "tc.txt", b"test content")
    # with their own trusted roots, everything verifies for real (TSA, Rekor)
    ok, msg = js.verify(vector("sgo-public-key-validity.sigstore.json"), vector("sgo-public-key-validity.pem"), tc,
                        "--trusted-root", vector("sgo-public-key-validity.json"), "--check-hint")
    assert ok, msg
    ok, msg = js.verify(vector("sgo-bundle-publish.json"), vector("sgo-publish_key.pub"), None,
                        "--trusted-root", vector("sgo-trusted-root-public-good.json"))
    assert ok, msg
    # offline with a bare key: tlog entries and timestamps cannot be trusted
    # (thresholds 0 do not skip them: every entry present is checked)
    ok, msg = js.verify(vector("conf-managed-key-happy-path.json"), vector("conf-key.pub"), vector("conf-a.txt"))
    assert not ok and "timestamp" in msg, msg
    ok, msg = js.verify(vector("conf-managed-key-happy-path.json"), vector("conf-key.pub"), vector("conf-a.txt"),
                        "--ignore-tsa")
    assert not ok and "inclusion" in msg, msg
    ok, msg = js.verify(vector("conf-managed-key-happy-path.json"), vector("conf-key.pub"), vector("conf-a.txt"),
                        "--ignore-tsa", "--ignore-tlog", "--check-hint")
    assert ok, msg
    ok, msg = js.verify(vector("sgo-public-key-validity.sigstore.json"), vector("sgo-public-key-validity.pem"), tc,
                        "--ignore-tsa", "--check-hint")
    assert ok, msg
    ok, msg = js.verify(vector("sgo-bundle-publish.json"), vector("sgo-publish_key.pub"), None, "--ignore-tlog")
    assert ok, msg
    # wrong key, wrong artifact
    ok, msg = js.verify(vector("sgo-public-key-validity.sigstore.json"), vector("conf-key.pub"), tc, "--ignore-tsa")
    assert not ok, msg
    ok, msg = js.verify(vector("sgo-public-key-validity.sigstore.json"), vector("sgo-public-key-validity.pem"),
                        write(tmp_path, "tc2.txt", b"test contenT"), "--ignore-tsa")
    assert not ok and "messageDigest" in msg, msg


def flip_b64(s, pos=10):
    raw = bytearray(base64.b64decode(s))
    raw[pos % len(raw)] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


def test_sigstore_js_tampered_vectors(vectors, sigstore_js, tmp_path):
    js = sigstore_js
    b = load("sgo-public-key-validity.sigstore.json")
    t = copy.deepcopy(b)
    t["messageSignature"]["signature"] = flip_b64(t["messageSignature"]["signature"], 20)
    ok, msg = js.verify(write(tmp_path, "t1.json", t), vector("sgo-public-key-validity.pem"),
                        write(tmp_path, "tc.txt", b"test content"), "--ignore-tsa")
    assert not ok and "signature" in msg.lower(), msg
    t = load("sgo-bundle-publish.json")
    pl = json.loads(base64.b64decode(t["dsseEnvelope"]["payload"]))
    pl["predicateType"] = "https://example.com/other"
    t["dsseEnvelope"]["payload"] = base64.b64encode(json.dumps(pl).encode()).decode()
    ok, msg = js.verify(write(tmp_path, "t2.json", t), vector("sgo-publish_key.pub"), None, "--ignore-tlog")
    assert not ok and "signature" in msg.lower(), msg


def test_sigstore_js_accepts_sigref_bundles(sigstore_js, tmp_path):
    """sigref's bundle writer agrees with sigstore-js, so sigref-made
    bundles are fair inputs for scute verify-blob."""
    js = sigstore_js
    k = S.generate_key()
    kp = write(tmp_path, "k.pub", S.public_pem(k))
    payload = S.simple_signing_payload("h:5000/r:t", "sha256:" + "ab" * 32)
    art = write(tmp_path, "payload.json", payload)
    mb = S.message_signature_bundle(k, payload)
    ok, msg = js.verify(write(tmp_path, "m.json", mb), kp, art, "--check-hint")
    assert ok, msg
    st = S.intoto_statement("h:5000/r", "sha256:" + "ab" * 32, S.PREDICATE_TYPES["sbom"], {"bomFormat": "CycloneDX"})
    db = S.dsse_bundle(k, st)
    ok, msg = js.verify(write(tmp_path, "d.json", db), kp, None, "--check-hint")
    assert ok, msg
    assert S.check_bundle(db, [k.public_key()]) == ("dsse", st)
    # tampered: payload, signature, key
    t = copy.deepcopy(db)
    t["dsseEnvelope"]["payload"] = base64.b64encode(st.replace(b"CycloneDX", b"CycloneDY")).decode()
    assert not js.verify(write(tmp_path, "t.json", t), kp, None)[0]
    t = copy.deepcopy(mb)
    t["messageSignature"]["signature"] = flip_b64(t["messageSignature"]["signature"])
    assert not js.verify(write(tmp_path, "t2.json", t), kp, art)[0]
    other = write(tmp_path, "o.pub", S.public_pem(S.generate_key()))
    assert not js.verify(write(tmp_path, "m2.json", mb), other, art)[0]
    ok, msg = js.verify(write(tmp_path, "m3.json", mb), other, art, "--check-hint")
    assert not ok and "hint" in msg, msg


# --------------------------------------------------------------------------
# Legacy .sig/.att storage round trip in an OCI layout (sigref alone)


def small_image(path, tag="v1", seed=b"scute"):
    L = images.Layout(path)
    r = images.write_image(L, [images.tar_bytes([images.F("hello.txt", b"hello " + seed + b"\n")])], ref=tag)
    return L, r["manifest"]["digest"]


def test_layout_sig_roundtrip_and_tampering(tmp_path):
    L, dig = small_image(str(tmp_path / "lay"))
    st = S.LayoutStore(L.path)
    k1, k2 = S.generate_key(), S.generate_key()
    S.sign_image(st, dig, k1, "example.com/app:v1")
    S.sign_image(st, dig, k2, "example.com/app:v1", {"creator": "sigref"})
    res = S.verify_sig_manifest(st, dig, [k1.public_key()])
    assert [r["valid"] for r in res] == [True, False], res
    assert "does not verify" in res[1]["reason"]
    res = S.verify_sig_manifest(st, dig, [k1.public_key(), k2.public_key()], identity="example.com/app:v1")
    assert all(r["valid"] for r in res) and res[1]["payload"]["optional"] == {"creator": "sigref"}
    res = S.verify_sig_manifest(st, dig, [k1.public_key()], identity="example.com/app:v2")
    assert "identity" in res[0]["reason"]
    # signature for another digest
    _, other = small_image(str(tmp_path / "lay"), "v2", b"other")
    assert other != dig
    assert S.verify_sig_manifest(st, other, [k1.public_key()]) == []
    S.push_signature_layers(st, other, S.existing_layers(st, dig, "sig"))     # manifest swapped
    res = S.verify_sig_manifest(st, other, [k1.public_key()])
    assert "is not the image's" in res[0]["reason"], res
    # annotation missing / signature truncated / payload altered
    lay = S.existing_layers(st, dig, "sig")
    mt, blob, ann = lay[0]
    S.push_signature_layers(st, dig, [(mt, blob, {})])
    assert "no dev.cosignproject.cosign/signature annotation" in S.verify_sig_manifest(st, dig, [k1.public_key()])[0]["reason"]
    sig = base64.b64decode(ann[S.ANN_SIGNATURE])
    S.push_signature_layers(st, dig, [(mt, blob, {S.ANN_SIGNATURE: S.b64(sig[:-4])})])
    assert "does not verify" in S.verify_sig_manifest(st, dig, [k1.public_key()])[0]["reason"]
    S.push_signature_layers(st, dig, [(mt, blob.replace(b"app:v1", b"app:v9"), ann)])
    assert "does not verify" in S.verify_sig_manifest(st, dig, [k1.public_key()])[0]["reason"]
    # a blob whose content no longer matches its descriptor
    S.push_signature_layers(st, dig, [(mt, blob, ann)])
    man = json.loads(st.manifest(S.sig_tag(dig))[0])
    L.overwrite_blob(man["layers"][0]["digest"], blob.replace(b"app:v1", b"app:v9"))
    assert "does not match its descriptor" in S.verify_sig_manifest(st, dig, [k1.public_key()])[0]["reason"]


def test_layout_att_roundtrip(tmp_path):
    L, dig = small_image(str(tmp_path / "lay"))
    st = S.LayoutStore(L.path)
    k = S.generate_key()
    S.attest_image(st, dig, k, "example.com/app", S.PREDICATE_TYPES["sbom"], {"bomFormat": "CycloneDX"})
    S.attest_image(st, dig, k, "example.com/app", S.PREDICATE_TYPES["slsa"], {"buildDefinition": {}})
    res = S.verify_att_manifest(st, dig, [k.public_key()])
    assert [r["valid"] for r in res] == [True, True], res
    assert [r["statement"]["predicateType"] for r in res] == [S.PREDICATE_TYPES["sbom"], S.PREDICATE_TYPES["slsa"]]
    res = S.verify_att_manifest(st, dig, [k.public_key()], S.PREDICATE_TYPES["slsa"])
    assert [r["valid"] for r in res] == [False, True]
    # annotation disagreeing with the statement
    lay = S.existing_layers(st, dig, "att")
    S.push_signature_layers(st, dig, [(lay[0][0], lay[0][1], {"predicateType": S.PREDICATE_TYPES["vuln"]})], "att")
    assert "annotation" in S.verify_att_manifest(st, dig, [k.public_key()])[0]["reason"]
    # statement for another digest
    st2 = S.intoto_statement("example.com/app", "sha256:" + "0" * 64, S.PREDICATE_TYPES["sbom"], {})
    S.push_signature_layers(st, dig, [(S.MT_DSSE, S.compact_json(S.dsse_envelope(k, st2)),
                                       {"predicateType": S.PREDICATE_TYPES["sbom"]})], "att")
    assert "subject" in S.verify_att_manifest(st, dig, [k.public_key()])[0]["reason"]
