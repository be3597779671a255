"""scute sign / attest / verify end to end (issue 8), on OCI layouts and on
Debian's docker-registry (distribution 2.8, no referrers API) on
loopback, judged by independent peers:

  * sigref (tests/e2e/sigref.py): reads the .sig/.att manifests, layers
    and referrers straight from the registry API or the layout files,
    checks the payload bytes, digests and signatures; and makes
    cosign-style signatures of its own that scute must accept.
  * sigstore-js (tests/tools/sigstore_verify.mjs): verifies every Sigstore
    bundle scute writes, offline with the public key.

The CLI (see docs/signing.md):
  scute sign --key KEY [--identity REF] [-a K=V]... [--bundle] [--bundle-file F]
             [--payload-file F] IMAGE      stdout: HOST/REPO@sha256:.. | oci:DIR@sha256:..
  scute attest --key KEY --type T [--predicate F] [--predicate-type URI]
             [--bundle] [--bundle-file F] [--referrer] IMAGE
  scute verify --key KEY... [--type T|any] [--identity REF] [--json] IMAGE
  exit 0 ok, 1 nothing valid (SC_ECHECK), 2 usage, 3 bad input, 4 network.
"""

import base64
import json
import os
import re
import time

import pytest

import images
import registry as R
import sigref as S
from conftest import describe
from sigtest import (PW, base_env, key_files, push_small, require_crypto, run, run_json, run_ok, sigstore_js,  # noqa: F401
                     small_layout)

HEX = re.compile(r"sha256:[0-9a-f]{64}")
EMPTY_DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"   # "{}"


@pytest.fixture(autouse=True)
def _crypto():
    require_crypto()


# --------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def mod_tmp(tmp_path_factory):
    return str(tmp_path_factory.mktemp("sign"))


@pytest.fixture(scope="module")
def env(mod_tmp):
    return base_env(mod_tmp)


class Key:
    def __init__(self, d, name, curve="P-256"):
        self.key, self.pub, self.priv = key_files(d, name, curve)
        self.pubkey = self.priv.public_key()
        self.hint = S.key_hint(self.priv)


@pytest.fixture(scope="module")
def k1(mod_tmp):
    return Key(mod_tmp, "k1")


@pytest.fixture(scope="module")
def k2(mod_tmp):
    return Key(mod_tmp, "k2")


@pytest.fixture(scope="module")
def k384(mod_tmp):
    return Key(mod_tmp, "k384", "P-384")


@pytest.fixture(scope="module")
def reg(registry_stack):
    return registry_stack.registry("plain")


@pytest.fixture(scope="module")
def api(reg):
    return reg.api()


_n = [0]


def new_repo(api, prefix="sig"):
    """A fresh repo holding a small image at tag v1: (repo, digest)."""
    _n[0] += 1
    repo = "%s/r%d" % (prefix, _n[0])
    return repo, push_small(api, repo, "v1", seed=repo.encode())


def dref(reg, ref):
    return "docker://%s/%s" % (reg.host, ref)


@pytest.fixture
def lay(tmp_path):
    """A fresh small layout: (path, digest); image tag v1."""
    p = str(tmp_path / "lay")
    return p, small_layout(p)


def sign(env, key, image, *extra, **kw):
    p = run(env, "sign", "--key", key.key, *extra, image, **kw)
    assert p.returncode == 0, describe(p)
    return p


def verify_json(env, keys, image, *extra, status=0):
    args = ["verify", "--json"]
    for k in keys:
        args += ["--key", k.pub]
    p, j = run_json(env, *(args + list(extra) + [image]), status=status)
    for k in ("image", "digest", "verified", "rejected", "signatures", "attestations"):
        assert k in j, "verify --json lacks %r\n%s" % (k, describe(p))
    return p, j


def sig_items(j, valid=None):
    return [s for s in j["signatures"] if valid is None or s["valid"] == valid]


def att_items(j, valid=None):
    return [s for s in j["attestations"] if valid is None or s["valid"] == valid]


def check_payload_bytes(raw, identity, digest, annotations=None):
    """scute's payload is exactly what cosign writes for the same fields:
    critical in struct order, optional a Go map (sorted keys), compact."""
    doc = S.parse_simple_signing(raw)
    assert doc["critical"]["identity"]["docker-reference"] == identity, doc
    assert doc["critical"]["image"]["docker-manifest-digest"] == digest, doc
    opt = doc["optional"]
    assert isinstance(opt, dict), doc
    assert re.match(r"^scute \S+$", opt.get("creator", "")), opt
    assert isinstance(opt.get("timestamp"), int) and abs(opt["timestamp"] - time.time()) < 600, opt
    for k, v in (annotations or {}).items():
        assert opt.get(k) == v, (k, opt)
    assert set(opt) == {"creator", "timestamp"} | set(annotations or {}), opt
    assert raw == S.simple_signing_payload(identity, digest, opt), "payload bytes differ from cosign's encoding:\n%r" % raw
    return doc


# --------------------------------------------------------------------------
# sign on an OCI layout


def test_sign_layout(env, k1, lay):
    path, digest = lay
    p = sign(env, k1, "oci:%s:v1" % path, "--identity", "example.com/app:v1", "-a", "build=42", "-a", "team=sec")
    assert p.stdout == "oci:%s@%s\n" % (path, digest), describe(p)
    assert S.sig_tag(digest) in p.stderr, describe(p)
    st = S.LayoutStore(path)
    res = S.verify_sig_manifest(st, digest, [k1.pubkey], identity="example.com/app:v1")
    assert len(res) == 1 and res[0]["valid"], res
    check_payload_bytes(res[0]["raw"], "example.com/app:v1", digest, {"build": "42", "team": "sec"})
    # the signature manifest: OCI manifest, cosign-style config, one layer
    body, _ = st.manifest(S.sig_tag(digest))
    man = json.loads(body)
    assert man["mediaType"] == S.MT_OCI_MANIFEST and man["config"]["mediaType"] == S.MT_OCI_CONFIG
    cfg = json.loads(st.blob(man["config"]["digest"]))
    assert cfg["rootfs"]["diff_ids"] == [l["digest"] for l in man["layers"]]
    # the image itself is untouched and still tagged
    assert images.Layout(path, create=False).resolve("v1")["digest"] == digest
    # scute verifies it
    p, j = verify_json(env, [k1], "oci:%s:v1" % path)
    assert j["digest"] == digest and j["verified"] == 1 and j["rejected"] == 0, j
    s = j["signatures"][0]
    assert s["source"] == S.sig_tag(digest) + "[0]" and s["format"] == "simplesigning" and s["reason"] is None
    assert s["key"] == k1.hint and s["docker_reference"] == "example.com/app:v1"
    assert s["optional"]["build"] == "42"


def test_sign_layout_default_identity_is_tag(env, k1, lay):
    path, digest = lay
    sign(env, k1, "oci:%s:v1" % path)
    res = S.verify_sig_manifest(S.LayoutStore(path), digest, [k1.pubkey])
    assert res[0]["valid"] and res[0]["payload"]["critical"]["identity"]["docker-reference"] == "v1", res


def test_sign_twice_no_duplicate_second_key_appends(env, k1, k2, tmp_path):
    """Signing the same payload twice adds no layer (stderr "already
    signed"). The payload holds a timestamp in seconds, so both runs are
    started inside one second when they can be (a fresh layout per try);
    when they could not, the two layers must at least differ (never a
    duplicate payload)."""
    for attempt in range(5):
        path = str(tmp_path / ("lay%d" % attempt))
        digest = small_layout(path)
        img = "oci:%s:v1" % path
        st = S.LayoutStore(path)
        frac = time.time() % 1
        if frac > 0.3:
            time.sleep(1.02 - frac)
        t0 = int(time.time())
        sign(env, k1, img, "--identity", "example.com/app:v1")
        p = sign(env, k1, img, "--identity", "example.com/app:v1")
        same_second = int(time.time()) == t0
        res = S.verify_sig_manifest(st, digest, [k1.pubkey])
        raws = [r["raw"] for r in res]
        assert len(set(raws)) == len(raws), "duplicate payload layers: %r" % raws
        if same_second:
            assert len(res) == 1, res
            assert "already signed" in p.stderr, describe(p)
            break
    n = len(S.verify_sig_manifest(st, digest, [k1.pubkey]))
    p = sign(env, k2, img, "--identity", "example.com/app:v1")
    res = S.verify_sig_manifest(st, digest, [k1.pubkey, k2.pubkey])
    assert len(res) == n + 1 and all(r["valid"] for r in res), res
    assert "(%d signatures)" % (n + 1) in p.stderr, describe(p)
    # each key verifies its own layer only
    assert S.verify_sig_manifest(st, digest, [k2.pubkey])[-1]["valid"]
    assert not S.verify_sig_manifest(st, digest, [k2.pubkey])[0]["valid"]
    p, j = verify_json(env, [k1, k2], img)
    assert j["verified"] == n + 1 and {s["key"] for s in sig_items(j, True)} == {k1.hint, k2.hint}


def test_sign_wrong_passphrase_layout(env, k1, lay):
    path, digest = lay
    p = run(env, "sign", "--key", k1.key, "oci:%s:v1" % path, extra_env={"SCUTE_PASSWORD": PW + "x"})
    assert p.returncode == 3, describe(p)
    assert S.LayoutStore(path).manifest(S.sig_tag(digest)) is None, "nothing may be written"


def test_sign_usage(env, k1, lay):
    path, _ = lay
    assert run(env, "sign", "oci:%s:v1" % path).returncode == 2           # no --key
    assert run(env, "sign", "--key", k1.key).returncode == 2               # no image
    assert run(env, "sign", "--key", k1.key, "-a", "novalue", "oci:%s:v1" % path).returncode == 2
    p = run(env, "sign", "--key", k1.key, "oci:%s:nosuchtag" % path)
    assert p.returncode == 3, describe(p)


# --------------------------------------------------------------------------
# sign on the registry


def test_sign_registry(env, k1, reg, api):
    repo, digest = new_repo(api)
    p = sign(env, k1, dref(reg, repo + ":v1"))
    assert p.stdout == "%s/%s@%s\n" % (reg.host, repo, digest), describe(p)
    assert S.sig_tag(digest) in api.tags(repo)
    store = S.RegistryStore(api, repo)
    ident = "%s/%s:v1" % (reg.host, repo)
    res = S.verify_sig_manifest(store, digest, [k1.pubkey], identity=ident)
    assert len(res) == 1 and res[0]["valid"], res
    check_payload_bytes(res[0]["raw"], ident, digest)
    # the tag still names the image
    assert api.manifest_digest(repo, "v1") == digest
    p = run_ok(env, "verify", "--key", k1.pub, dref(reg, repo + ":v1"))
    line = p.stdout.splitlines()
    assert len(line) == 1 and re.match(r"^verified signature\s+%s\[0\]\s+key %s\s+docker-reference %s$"
                                       % (re.escape(S.sig_tag(digest)), re.escape(k1.hint), re.escape(ident)),
                                       line[0]), describe(p)


def test_sign_registry_by_digest_and_identity(env, k1, k2, reg, api):
    repo, digest = new_repo(api)
    p = sign(env, k1, dref(reg, "%s@%s" % (repo, digest)))
    assert p.stdout == "%s/%s@%s\n" % (reg.host, repo, digest)
    sign(env, k2, dref(reg, repo + ":v1"), "--identity", "registry.example/prod/app:1.0")
    res = S.verify_sig_manifest(S.RegistryStore(api, repo), digest, [k1.pubkey, k2.pubkey])
    assert [r["payload"]["critical"]["identity"]["docker-reference"] for r in res] == \
        ["%s/%s" % (reg.host, repo), "registry.example/prod/app:1.0"], res
    # --identity: exact match, or repository-only match when it has no tag
    img = dref(reg, repo + ":v1")
    _, j = verify_json(env, [k2], img, "--identity", "registry.example/prod/app:1.0")
    assert j["verified"] == 1
    _, j = verify_json(env, [k2], img, "--identity", "registry.example/prod/app")
    assert j["verified"] == 1
    p, j = verify_json(env, [k2], img, "--identity", "registry.example/prod/app:2.0", status=1)
    bad = [s for s in j["signatures"] if s["key"] == k2.hint or "identity" in (s["reason"] or "")]
    assert any("identity 'registry.example/prod/app:1.0' is not the required 'registry.example/prod/app:2.0'"
               in (s["reason"] or "") for s in bad), j


def test_sign_resolves_tag_once(env, k1, reg, api, registry_stack):
    repo, digest = new_repo(api)
    px = registry_stack.proxy(reg)
    px.clear_log()
    sign(env, k1, "docker://%s/%s:v1" % (px.host, repo))
    tag_reqs = px.requests(path_re=r"/v2/%s/manifests/v1$" % re.escape(repo))
    assert len(tag_reqs) == 1, px.dump_log()
    # the signature names the digest the tag had
    res = S.verify_sig_manifest(S.RegistryStore(api, repo), digest, [k1.pubkey])
    assert res and res[0]["valid"]


def test_verify_nothing_valid(env, k1, k2, reg, api):
    repo, digest = new_repo(api)
    img = dref(reg, repo + ":v1")
    p = run(env, "verify", "--key", k1.pub, img)
    assert p.returncode == 1, describe(p)
    assert "no valid signatures" in p.stderr, describe(p)
    sign(env, k1, img)
    p = run(env, "verify", "--key", k2.pub, img)          # signed, but not by k2
    assert p.returncode == 1, describe(p)
    assert "scute: rejected %s[0]: signature does not verify with key %s" % (S.sig_tag(digest), k2.hint) in p.stderr, \
        describe(p)
    assert p.stdout == ""
    _, j = verify_json(env, [k2], img, status=1)
    assert j["verified"] == 0 and j["rejected"] == 1
    s = j["signatures"][0]
    assert s["valid"] is False and s["reason"].startswith("signature does not verify with key")
    assert run(env, "verify", img).returncode == 2                       # --key is required


def test_sigref_signature_verified_by_scute(env, k1, k384, reg, api, tmp_path):
    """A cosign-style .sig manifest that sigref built and pushed itself."""
    repo, digest = new_repo(api)
    ident = "%s/%s:v1" % (reg.host, repo)
    S.sign_image(S.RegistryStore(api, repo), digest, k1.priv, ident, {"creator": "sigref", "n": 1})
    S.sign_image(S.RegistryStore(api, repo), digest, k384.priv, ident)
    _, j = verify_json(env, [k1], dref(reg, repo + ":v1"), "--identity", ident)
    good = sig_items(j, True)
    assert len(good) == 1 and good[0]["source"] == S.sig_tag(digest) + "[0]", j
    assert good[0]["optional"] == {"creator": "sigref", "n": 1} and good[0]["docker_reference"] == ident
    # on a layout too
    path = str(tmp_path / "l")
    d2 = small_layout(path)
    S.sign_image(S.LayoutStore(path), d2, k1.priv, "example.com/x:1")
    _, j = verify_json(env, [k1], "oci:%s:v1" % path)
    assert j["verified"] == 1


# --------------------------------------------------------------------------
# Tampering: each rejected with its precise reason


def tamper_case(env, k, img, digest, reason, text_reason=None):
    """verify must exit 1 and name reason for sha256-<hex>.sig[0] in --json
    and on stderr."""
    _, j = verify_json(env, [k], img, status=1)
    items = j["signatures"]
    assert len(items) == 1 and items[0]["valid"] is False, j
    assert reason in items[0]["reason"], "reason %r lacks %r" % (items[0]["reason"], reason)
    p = run(env, "verify", "--key", k.pub, img)
    assert p.returncode == 1, describe(p)
    assert "scute: rejected %s[0]: %s" % (S.sig_tag(digest), text_reason or reason) in p.stderr, describe(p)


def fresh_signed(env, k, reg, api):
    repo, digest = new_repo(api)
    img = dref(reg, repo + ":v1")
    sign(env, k, img)
    store = S.RegistryStore(api, repo)
    return repo, digest, img, store, S.existing_layers(store, digest, "sig")


def test_tamper_payload_altered(env, k1, reg, api):
    repo, digest, img, store, lay = fresh_signed(env, k1, reg, api)
    mt, blob, ann = lay[0]
    forged = blob.replace(b'"docker-reference":"', b'"docker-reference":"evil.example/')
    assert forged != blob
    S.push_signature_layers(store, digest, [(mt, forged, ann)])        # new blob + manifest
    tamper_case(env, k1, img, digest, "signature does not verify with key %s" % k1.hint)


def test_tamper_blob_rewritten_in_storage(env, k1, reg, api):
    """The blob's bytes change under its name (registry storage edited):
    the digest check catches it before anything else."""
    repo, digest, img, store, lay = fresh_signed(env, k1, reg, api)
    man = json.loads(store.manifest(S.sig_tag(digest))[0])
    ld = man["layers"][0]["digest"]
    data = os.path.join(reg.storage, "docker", "registry", "v2", "blobs", "sha256", ld[7:9], ld[7:], "data")
    with open(data, "rb") as f:
        blob = f.read()
    with open(data, "wb") as f:
        f.write(blob.replace(b"cosign container image signature", b"cosign container image signaturX"))
    tamper_case(env, k1, img, digest, "layer blob %s does not match its descriptor" % ld)


def test_tamper_signature_truncated(env, k1, reg, api):
    repo, digest, img, store, lay = fresh_signed(env, k1, reg, api)
    mt, blob, ann = lay[0]
    sig = base64.b64decode(ann[S.ANN_SIGNATURE])
    S.push_signature_layers(store, digest, [(mt, blob, {S.ANN_SIGNATURE: S.b64(sig[:len(sig) // 2])})])
    tamper_case(env, k1, img, digest, "signature does not verify with key %s" % k1.hint)


def test_tamper_annotation_missing(env, k1, reg, api):
    repo, digest, img, store, lay = fresh_signed(env, k1, reg, api)
    mt, blob, ann = lay[0]
    S.push_signature_layers(store, digest, [(mt, blob, {"other": "x"})])
    tamper_case(env, k1, img, digest, "layer has no dev.cosignproject.cosign/signature annotation")


def test_tamper_manifest_swapped(env, k1, reg, api):
    """Image A's .sig manifest copied to image B's .sig tag."""
    repo, da, img_a, store, lay = fresh_signed(env, k1, reg, api)
    db = push_small(api, repo, "v2", seed=b"image B")
    body, _ = store.manifest(S.sig_tag(da))
    api.put_manifest(repo, S.sig_tag(db), body)
    tamper_case(env, k1, dref(reg, repo + ":v2"), db, "payload digest %s is not the image's %s" % (da, db))
    # and A still verifies
    assert verify_json(env, [k1], img_a)[1]["verified"] == 1


def test_tamper_key_of_another_curve(env, k1, k384, reg, api):
    repo, digest, img, store, lay = fresh_signed(env, k1, reg, api)
    tamper_case(env, k384, img, digest, "signature does not verify with key %s" % k384.hint)
    # and a P-384 signature is not taken for the P-256 key's
    repo2, d2 = new_repo(api)
    S.sign_image(S.RegistryStore(api, repo2), d2, k384.priv, "%s/%s:v1" % (reg.host, repo2))
    tamper_case(env, k1, dref(reg, repo2 + ":v1"), d2, "signature does not verify with key %s" % k1.hint)


def test_tamper_signature_for_another_digest(env, k1, reg, api):
    repo, digest = new_repo(api)
    other = push_small(api, repo, "other", seed=b"other image")
    payload = S.simple_signing_payload("%s/%s:v1" % (reg.host, repo), other)
    S.push_signature_layers(S.RegistryStore(api, repo), digest,
                            [(S.MT_SIMPLESIGNING, payload, {S.ANN_SIGNATURE: S.b64(S.sign(k1.priv, payload))})])
    tamper_case(env, k1, dref(reg, repo + ":v1"), digest, "payload digest %s is not the image's %s" % (other, digest))


def test_tamper_layout_blob(env, k1, lay):
    path, digest = lay
    img = "oci:%s:v1" % path
    sign(env, k1, img)
    st = S.LayoutStore(path)
    man = json.loads(st.manifest(S.sig_tag(digest))[0])
    ld = man["layers"][0]["digest"]
    blob = st.blob(ld)
    images.Layout(path, create=False).overwrite_blob(ld, blob.replace(b"v1", b"v2"))
    tamper_case(env, k1, img, digest, "layer blob %s does not match its descriptor" % ld)


def test_one_bad_layer_does_not_hide_a_good_one(env, k1, reg, api):
    repo, digest, img, store, lay = fresh_signed(env, k1, reg, api)
    mt, blob, ann = lay[0]
    S.push_signature_layers(store, digest, [(mt, blob, {}), (mt, blob, ann)])
    p, j = verify_json(env, [k1], img, status=0)
    assert [s["valid"] for s in j["signatures"]] == [False, True], j
    assert j["verified"] == 1 and j["rejected"] == 1
    assert "scute: rejected %s[0]: layer has no" % S.sig_tag(digest) in p.stderr


# --------------------------------------------------------------------------
# --bundle: Sigstore bundle v0.3 as an OCI 1.1 referrer


def check_message_referrer(store, digest, k, image_manifest_size):
    refs = S.referrer_bundles(store, digest)
    assert len(refs) == 1, refs
    desc, man, bundle, payload = refs[0]
    assert desc["artifactType"] == S.MT_BUNDLE_V03 and man["artifactType"] == S.MT_BUNDLE_V03
    assert man["config"]["mediaType"] == S.MT_OCI_EMPTY and man["config"]["digest"] == EMPTY_DIGEST
    assert store.blob(EMPTY_DIGEST) == b"{}"
    assert [l["mediaType"] for l in man["layers"]] == [S.MT_BUNDLE_V03, S.MT_SIMPLESIGNING]
    assert man["annotations"][S.ANN_BUNDLE_CONTENT] == "message-signature"
    assert man["annotations"][S.ANN_BUNDLE_PREDICATE] == S.COSIGN_SIGN_PREDICATE
    assert man["subject"]["digest"] == digest and man["subject"]["size"] == image_manifest_size
    assert man["subject"]["mediaType"] == S.MT_OCI_MANIFEST
    assert bundle["verificationMaterial"]["tlogEntries"] == []
    assert S.check_bundle(bundle, [k.pubkey], payload) == ("message", None)
    assert S.parse_simple_signing(payload)["critical"]["image"]["docker-manifest-digest"] == digest
    return desc, man, bundle, payload


def test_sign_bundle_registry(env, k1, reg, api, sigstore_js, tmp_path):
    js = sigstore_js
    repo, digest = new_repo(api)
    bf, pf = str(tmp_path / "b.json"), str(tmp_path / "payload.json")
    p = sign(env, k1, dref(reg, repo + ":v1"), "--bundle", "--bundle-file", bf, "--payload-file", pf)
    assert p.stdout == "%s/%s@%s\n" % (reg.host, repo, digest)
    tags = api.tags(repo)
    assert S.referrers_tag(digest) in tags and S.sig_tag(digest) not in tags, tags
    size = len(api.manifest(repo, digest)[0])
    desc, man, bundle, payload = check_message_referrer(S.RegistryStore(api, repo), digest, k1, size)
    with open(bf) as f:
        assert json.load(f) == bundle
    with open(pf, "rb") as f:
        assert f.read() == payload
    ok, msg = js.verify(bf, k1.pub, pf, "--check-hint")
    assert ok, msg
    # the copies fetched from the registry verify too
    fb, fp = str(tmp_path / "fetched.json"), str(tmp_path / "fetched.payload")
    with open(fb, "w") as f:
        json.dump(bundle, f)
    with open(fp, "wb") as f:
        f.write(payload)
    ok, msg = js.verify(fb, k1.pub, fp, "--check-hint")
    assert ok, msg
    # tampered payload or signature: sigstore-js refuses
    with open(fp, "wb") as f:
        f.write(payload.replace(b"v1", b"v2"))
    assert not js.verify(fb, k1.pub, fp)[0]
    t = json.loads(json.dumps(bundle))
    sig = bytearray(base64.b64decode(t["messageSignature"]["signature"]))
    sig[-1] ^= 1
    t["messageSignature"]["signature"] = base64.b64encode(bytes(sig)).decode()
    with open(fb, "w") as f:
        json.dump(t, f)
    assert not js.verify(fb, k1.pub, pf)[0]
    # scute verify finds the referrer
    _, j = verify_json(env, [k1], dref(reg, repo + ":v1"))
    good = sig_items(j, True)
    assert len(good) == 1 and good[0]["format"] == "bundle", j
    assert good[0]["source"] == "referrer " + desc["digest"], j
    # a second bundle signature is merged into the same referrers index
    # (another annotation: a different payload, never "already signed")
    sign(env, k1, dref(reg, repo + ":v1"), "--bundle", "-a", "n=2")
    assert len(S.referrer_bundles(S.RegistryStore(api, repo), digest)) == 2


def test_sign_bundle_layout(env, k1, lay, sigstore_js, tmp_path):
    path, digest = lay
    bf, pf = str(tmp_path / "b.json"), str(tmp_path / "p.json")
    sign(env, k1, "oci:%s:v1" % path, "--identity", "example.com/app:v1", "--bundle", "--bundle-file", bf,
         "--payload-file", pf)
    st = S.LayoutStore(path)
    assert st.manifest(S.sig_tag(digest)) is None
    size = len(st.blob(digest))
    check_message_referrer(st, digest, k1, size)
    ok, msg = sigstore_js.verify(bf, k1.pub, pf, "--check-hint")
    assert ok, msg
    _, j = verify_json(env, [k1], "oci:%s:v1" % path)
    assert j["verified"] == 1 and sig_items(j, True)[0]["format"] == "bundle"


# --------------------------------------------------------------------------
# attest


@pytest.fixture(scope="module")
def vulndb(mod_tmp):
    db = os.path.join(mod_tmp, "vulndb.sqlite")
    from conftest import CHECKOUT
    p = run({}, "db", "import", "--db", db, os.path.join(CHECKOUT, "tests", "fixtures", "vuln", "debian"))
    assert p.returncode == 0, describe(p)
    return db


@pytest.fixture(scope="module")
def debian_reg(reg, api):
    """The Debian minbase image in the registry (pushed by skopeo)."""
    src = "oci:%s:base" % os.path.join(images.debian(), "oci")
    digest = R.push_with_skopeo(src, reg, "att/debian:base")
    return "att/debian", digest


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f)
    return path


SLSA_PRED = {"buildDefinition": {"buildType": "https://example.com/build/v1", "externalParameters": {"x": 1},
                                 "resolvedDependencies": []},
             "runDetails": {"builder": {"id": "https://example.com/builder"}}}


def test_attest_every_type(env, k1, reg, api, debian_reg, vulndb, tmp_path):
    repo, digest = debian_reg
    img = dref(reg, repo + ":base")
    e = {"SCUTE_DB": vulndb}
    custom = write_json(str(tmp_path / "custom.json"), {"hello": "world", "n": [1, 2]})
    slsa = write_json(str(tmp_path / "slsa.json"), SLSA_PRED)
    runs = [("sbom", [], S.PREDICATE_TYPES["sbom"]),
            ("spdx", [], S.PREDICATE_TYPES["spdx"]),
            ("vuln", [], S.PREDICATE_TYPES["vuln"]),
            ("audit", [], S.PREDICATE_TYPES["audit"]),
            ("custom", ["--predicate", custom], S.PREDICATE_TYPES["custom"]),
            ("custom", ["--predicate", custom, "--predicate-type", "https://example.com/custom/v2"],
             "https://example.com/custom/v2"),
            ("slsa", ["--predicate", slsa], S.PREDICATE_TYPES["slsa"])]
    for typ, extra, _ in runs:
        p = run(env, "attest", "--key", k1.key, "--type", typ, *extra, img, extra_env=e)
        assert p.returncode == 0, describe(p)
        assert p.stdout == "%s/%s@%s\n" % (reg.host, repo, digest), describe(p)
    store = S.RegistryStore(api, repo)
    res = S.verify_att_manifest(store, digest, [k1.pubkey])
    assert [r["valid"] for r in res] == [True] * len(runs), res
    assert [r["predicate_type"] for r in res] == [t for _, _, t in runs]
    for r in res:
        st = r["statement"]
        assert st["_type"] == S.STATEMENT_V1
        assert st["subject"] == [{"name": "%s/%s" % (reg.host, repo), "digest": {"sha256": digest[7:]}}], st
        assert r["envelope"]["payloadType"] == S.MT_INTOTO
        assert [s["keyid"] for s in r["envelope"]["signatures"]] == [""]
    preds = {r["predicate_type"]: r["statement"]["predicate"] for r in res}
    assert preds[S.PREDICATE_TYPES["custom"]] == {"hello": "world", "n": [1, 2]}
    assert preds[S.PREDICATE_TYPES["slsa"]] == SLSA_PRED
    # generated predicates are the documents of the matching verbs
    bom = preds[S.PREDICATE_TYPES["sbom"]]
    ref = json.loads(run_ok(env, "sbom", "--format", "cyclonedx", img).stdout)
    assert bom["bomFormat"] == "CycloneDX"
    names = lambda b: sorted((c.get("name"), c.get("version")) for c in b.get("components", []))  # noqa: E731
    assert names(bom) == names(ref) and len(names(bom)) > 50
    spdx = preds[S.PREDICATE_TYPES["spdx"]]
    assert spdx["spdxVersion"].startswith("SPDX-")
    vuln = preds[S.PREDICATE_TYPES["vuln"]]
    # cosign's vuln/v1 predicate: the scanner's own report under scanner.result
    assert {"scanner", "metadata"} <= set(vuln) and "result" in vuln["scanner"], vuln.keys()
    assert vuln["scanner"]["result"].get("schema") == "scute-scan/1", vuln["scanner"]
    audit = preds[S.PREDICATE_TYPES["audit"]]
    ref = json.loads(run_ok(env, "audit", "--format", "json", img).stdout)
    assert audit.get("score") == ref.get("score") and audit.get("findings") == ref.get("findings")
    # scute verify --type T --json reports each predicate
    for typ, _, uri in runs:
        if uri == "https://example.com/custom/v2":
            continue
        _, j = verify_json(env, [k1], img, "--type", typ)
        good = att_items(j, True)
        assert good and all(a["predicate_type"] == uri for a in good), (typ, j)
        assert good[0]["format"] == "dsse" and good[0]["key"] == k1.hint
        assert good[0]["predicate"] == preds[uri]
        assert good[0]["source"].startswith(S.sig_tag(digest, "att") + "[")
    _, j = verify_json(env, [k1], img, "--type", "any")
    assert len(att_items(j, True)) == len(runs)
    # the image itself has no signature: verify without --type finds none
    verify_json(env, [k1], img, status=1)


def test_attest_usage(env, k1, reg, api, tmp_path):
    repo, digest = new_repo(api, "attu")
    img = dref(reg, repo + ":v1")
    for args in (["--type", "slsa"], ["--type", "custom"], ["--type", "nosuch"], []):
        p = run(env, "attest", "--key", k1.key, *args, img)
        assert p.returncode == 2, describe(p)
    assert S.existing_layers(S.RegistryStore(api, repo), digest, "att") == []
    # the positive control: the same command with --predicate works
    pred = write_json(str(tmp_path / "p.json"), {"ok": True})
    run_ok(env, "attest", "--key", k1.key, "--type", "custom", "--predicate", pred, img)
    assert len(S.existing_layers(S.RegistryStore(api, repo), digest, "att")) == 1


def test_attest_again_no_duplicate(env, k1, k2, reg, api, tmp_path):
    """Re-attesting the same predicate with the same key adds nothing; another
    predicate or another key adds a layer."""
    repo, digest = new_repo(api, "atta")
    img = dref(reg, repo + ":v1")
    store = S.RegistryStore(api, repo)
    one = write_json(str(tmp_path / "one.json"), {"n": 1})
    two = write_json(str(tmp_path / "two.json"), {"n": 2})
    run_ok(env, "attest", "--key", k1.key, "--type", "custom", "--predicate", one, img)
    p = run_ok(env, "attest", "--key", k1.key, "--type", "custom", "--predicate", one, img)
    assert "already has this" in p.stderr, describe(p)
    assert len(S.existing_layers(store, digest, "att")) == 1
    run_ok(env, "attest", "--key", k1.key, "--type", "custom", "--predicate", two, img)
    run_ok(env, "attest", "--key", k2.key, "--type", "custom", "--predicate", one, img)
    assert len(S.existing_layers(store, digest, "att")) == 3
    res = S.verify_att_manifest(store, digest, [k1.pubkey, k2.pubkey])
    assert [r["valid"] for r in res] == [True] * 3, res


def test_attest_tampered(env, k1, reg, api, tmp_path):
    repo, digest = new_repo(api, "attt")
    img = dref(reg, repo + ":v1")
    slsa = write_json(str(tmp_path / "slsa.json"), SLSA_PRED)
    run_ok(env, "attest", "--key", k1.key, "--type", "slsa", "--predicate", slsa, img)
    store = S.RegistryStore(api, repo)
    (mt, env_blob, ann), = S.existing_layers(store, digest, "att")
    # annotation claims another predicate type than the statement's
    S.push_signature_layers(store, digest, [(mt, env_blob, {S.ANN_PREDICATE_TYPE: S.PREDICATE_TYPES["vuln"]})], "att")
    _, j = verify_json(env, [k1], img, "--type", "vuln", status=1)
    assert not att_items(j, True), j
    # payload altered (statement re-encoded, signature kept)
    e = json.loads(env_blob)
    stmt = json.loads(base64.b64decode(e["payload"]))
    stmt["predicate"]["runDetails"]["builder"]["id"] = "https://evil.example"
    e["payload"] = S.b64(S.compact_json(stmt))
    S.push_signature_layers(store, digest, [(mt, S.compact_json(e), ann)], "att")
    _, j = verify_json(env, [k1], img, "--type", "slsa", status=1)
    assert "signature does not verify" in att_items(j, False)[0]["reason"], j
    # a statement about another image, validly signed
    other = "sha256:" + "1" * 64
    st2 = S.intoto_statement("%s/%s" % (reg.host, repo), other, S.PREDICATE_TYPES["slsa"], SLSA_PRED)
    S.push_signature_layers(store, digest, [(mt, S.compact_json(S.dsse_envelope(k1.priv, st2)), ann)], "att")
    _, j = verify_json(env, [k1], img, "--type", "slsa", status=1)
    assert "is not the image's" in att_items(j, False)[0]["reason"] or \
        "subject" in att_items(j, False)[0]["reason"], j
    # sigref's own attestation is accepted
    S.attest_image(store, digest, k1.priv, "%s/%s" % (reg.host, repo), S.PREDICATE_TYPES["slsa"], SLSA_PRED,
                   append=False)
    _, j = verify_json(env, [k1], img, "--type", "slsa")
    assert att_items(j, True)[0]["predicate"] == SLSA_PRED


def test_attest_referrer_and_bundle(env, k1, reg, api, sigstore_js, tmp_path):
    repo, digest = new_repo(api, "attb")
    img = dref(reg, repo + ":v1")
    slsa = write_json(str(tmp_path / "slsa.json"), SLSA_PRED)
    store = S.RegistryStore(api, repo)
    # --referrer: .att layer and the same envelope as a DSSE referrer
    run_ok(env, "attest", "--key", k1.key, "--type", "slsa", "--predicate", slsa, "--referrer", img)
    (mt, env_blob, ann), = S.existing_layers(store, digest, "att")
    refs = [d for d in S.referrers(store, digest) if d.get("artifactType") == S.MT_DSSE]
    assert len(refs) == 1, S.referrers(store, digest)
    man = json.loads(store.manifest(refs[0]["digest"])[0])
    assert man["artifactType"] == S.MT_DSSE and man["subject"]["digest"] == digest
    assert [l["mediaType"] for l in man["layers"]] == [S.MT_DSSE]
    assert (man["layers"][0].get("annotations") or {}).get(S.ANN_PREDICATE_TYPE) == S.PREDICATE_TYPES["slsa"] or \
        (man.get("annotations") or {}).get(S.ANN_PREDICATE_TYPE) == S.PREDICATE_TYPES["slsa"]
    assert store.blob(man["layers"][0]["digest"]) == env_blob
    # --bundle: a DSSE bundle referrer instead of a new .att layer
    bf = str(tmp_path / "att.bundle.json")
    run_ok(env, "attest", "--key", k1.key, "--type", "slsa", "--predicate", slsa, "--bundle", "--bundle-file", bf, img)
    assert len(S.existing_layers(store, digest, "att")) == 1
    bundles = S.referrer_bundles(store, digest)
    assert len(bundles) == 1
    desc, man, bundle, extra = bundles[0]
    assert extra is None and len(man["layers"]) == 1
    assert man["annotations"][S.ANN_BUNDLE_CONTENT] == "dsse-envelope"
    assert man["annotations"][S.ANN_BUNDLE_PREDICATE] == S.PREDICATE_TYPES["slsa"]
    kind, payload = S.check_bundle(bundle, [k1.pubkey])
    assert kind == "dsse"
    st = S.parse_statement(payload, digest, S.PREDICATE_TYPES["slsa"])
    assert st["predicate"] == SLSA_PRED
    with open(bf) as f:
        assert json.load(f) == bundle
    ok, msg = sigstore_js.verify(bf, k1.pub, None, "--check-hint")
    assert ok, msg
    t = json.loads(json.dumps(bundle))
    t["dsseEnvelope"]["payload"] = S.b64(payload.replace(b"example.com/builder", b"evil.example/builder"))
    assert not sigstore_js.verify(write_json(str(tmp_path / "t.json"), t), k1.pub, None)[0]
    # scute verify sees the .att layer and both referrers
    _, j = verify_json(env, [k1], img, "--type", "slsa")
    fmts = sorted(a["format"] for a in att_items(j, True))
    assert fmts.count("bundle") == 1 and fmts.count("dsse") >= 1, j


def test_verify_blob_own_bundle(env, k1, tmp_path, sigstore_js):
    """scute verify-blob on the payload scute signed with --bundle."""
    path = str(tmp_path / "l")
    small_layout(path)
    bf, pf = str(tmp_path / "b.json"), str(tmp_path / "p.json")
    sign(env, k1, "oci:%s:v1" % path, "--bundle", "--bundle-file", bf, "--payload-file", pf)
    run_ok(env, "verify-blob", "--key", k1.pub, "--bundle", bf, pf)
    with open(pf, "ab") as f:
        f.write(b" ")
    p = run(env, "verify-blob", "--key", k1.pub, "--bundle", bf, pf)
    assert p.returncode == 1, describe(p)


def test_verify_blob_sigref_signature(env, k1, tmp_path):
    blob = str(tmp_path / "blob.bin")
    with open(blob, "wb") as f:
        f.write(b"some artifact\n" * 100)
    data = open(blob, "rb").read()
    sig = S.sign(k1.priv, data)
    sb64, sder = str(tmp_path / "sig.b64"), str(tmp_path / "sig.der")
    open(sb64, "w").write(S.b64(sig))
    open(sder, "wb").write(sig)
    run_ok(env, "verify-blob", "--key", k1.pub, "--signature", sb64, blob)
    run_ok(env, "verify-blob", "--key", k1.pub, "--signature", sder, blob)
    mb = write_json(str(tmp_path / "m.json"), S.message_signature_bundle(k1.priv, data))
    run_ok(env, "verify-blob", "--key", k1.pub, "--bundle", mb, blob)
    st = S.intoto_statement("blob.bin", S.sha256_digest(data), "https://example.com/p", {})
    db = write_json(str(tmp_path / "d.json"), S.dsse_bundle(k1.priv, st))
    run_ok(env, "verify-blob", "--key", k1.pub, "--bundle", db, blob)
    run_ok(env, "verify-blob", "--key", k1.pub, "--bundle", db)
    other = str(tmp_path / "other.bin")
    open(other, "wb").write(b"x")
    for args in (["--signature", sb64, other], ["--bundle", mb, other], ["--bundle", db, other]):
        p = run(env, "verify-blob", "--key", k1.pub, *args)
        assert p.returncode == 1, describe(p)
