#!/usr/bin/python3
"""An independent reference implementation of cosign's signing formats,
written from the specifications with Debian's python3-cryptography and
python3-nacl only (no scute code), so that the tests can check what scute
writes and feed scute signatures that scute did not make.

Formats (the tests name the public documents they come from):
  * encrypted private key files: PEM "ENCRYPTED SIGSTORE PRIVATE KEY" (or
    the legacy "ENCRYPTED COSIGN PRIVATE KEY") around base64 JSON
    {"kdf": {"name": "scrypt", "params": {"N", "r", "p"}, "salt"},
     "cipher": {"name": "nacl/secretbox", "nonce"}, "ciphertext"};
    key = scrypt(passphrase, salt, N, r, p, 32 bytes), plaintext = PKCS#8 DER
    (secure-systems-lab go-securesystemslib "encrypted" package, as cosign
    uses it).
  * simple signing payload (containers/image docs/containers-signature.5.md,
    cosign's payload package): {"critical": {"identity": {"docker-reference"},
    "image": {"docker-manifest-digest"}, "type": "cosign container image
    signature"}, "optional": ...} serialised like Go's encoding/json
    (compact, struct field order, map keys sorted, <>& escaped as \\u003c..).
  * signatures: ECDSA-SHA256 ASN.1 DER (also Ed25519, RSA PKCS#1 v1.5 and
    PSS with SHA-256 when verifying), base64 in the layer annotation
    dev.cosignproject.cosign/signature.
  * DSSE (secure-systems-lab/dsse protocol.md): PAE = "DSSEv1" SP
    LEN(type) SP type SP LEN(body) SP body; envelope {"payloadType",
    "payload" (base64), "signatures": [{"keyid", "sig"}]}.
  * in-toto Statement v1 (in-toto/attestation spec/v1/statement.md).
  * Sigstore bundle v0.3 (sigstore/protobuf-specs, JSON mapping of
    dev.sigstore.bundle.v1.Bundle) with a public-key hint and no tlog.
  * legacy cosign storage: tag "sha256-<hex>.sig" / ".att" in the image's
    repository, OCI manifest whose layers hold the payloads.
  * containers/image "dir:" signatures: signature-N files holding
    "\\0sigstore-json\\n" + {"mimeType", "payload", "annotations"}.

Stores (where signature manifests are read from / written to):
  RegistryStore(api, repo)  a registry through registry.RegistryAPI
  LayoutStore(dir)          an OCI image layout (tags are index.json's
                            org.opencontainers.image.ref.name annotations)

No pytest in here.
"""

import base64
import hashlib
import json
import os
import secrets

MT_SIMPLESIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"
MT_DSSE = "application/vnd.dsse.envelope.v1+json"
MT_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MT_OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_OCI_EMPTY = "application/vnd.oci.empty.v1+json"
MT_BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json"
MT_INTOTO = "application/vnd.in-toto+json"
ANN_SIGNATURE = "dev.cosignproject.cosign/signature"
ANN_PREDICATE_TYPE = "predicateType"
ANN_BUNDLE_CONTENT = "dev.sigstore.bundle.content"
ANN_BUNDLE_PREDICATE = "dev.sigstore.bundle.predicateType"
REF_NAME = "org.opencontainers.image.ref.name"
SIMPLESIGNING_TYPE = "cosign container image signature"
STATEMENT_V1 = "https://in-toto.io/Statement/v1"
STATEMENT_V01 = "https://in-toto.io/Statement/v0.1"
COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1"

LABEL_SIGSTORE = "ENCRYPTED SIGSTORE PRIVATE KEY"
LABEL_COSIGN = "ENCRYPTED COSIGN PRIVATE KEY"

PREDICATE_TYPES = {
    "sbom": "https://cyclonedx.org/bom", "cyclonedx": "https://cyclonedx.org/bom",
    "spdx": "https://spdx.dev/Document", "spdxjson": "https://spdx.dev/Document",
    "vuln": "https://cosign.sigstore.dev/attestation/vuln/v1",
    "slsa": "https://slsa.dev/provenance/v1", "slsaprovenance1": "https://slsa.dev/provenance/v1",
    "audit": "https://scute.dev/attestation/audit/v1",
    "custom": "https://cosign.sigstore.dev/attestation/v1",
}


class SigrefError(Exception):
    """A check failed; str() is the reason."""


def b64(data):
    return base64.b64encode(data).decode()


def unb64(s):
    if not isinstance(s, str):
        raise SigrefError("expected a base64 string, got %r" % type(s).__name__)
    try:
        return base64.b64decode(s.encode(), validate=True)
    except (ValueError, base64.binascii.Error) as e:
        raise SigrefError("bad base64: %s" % e)


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def sha256_digest(data):
    return "sha256:" + sha256_hex(data)


# --------------------------------------------------------------------------
# Go encoding/json


def go_json(obj):
    """Bytes as Go's json.Marshal writes them for the same value: compact,
    dict order as given (callers build struct-ordered dicts; Go sorts map
    keys, so pass maps through sort_map), '<', '>', '&', U+2028 and U+2029
    escaped, other non-ASCII as UTF-8."""
    s = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    s = (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
         .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return s.encode("utf-8")


def sort_map(d):
    """A Go map[string]...: keys sorted (recursively for nested maps)."""
    if isinstance(d, dict):
        return {k: sort_map(d[k]) for k in sorted(d)}
    if isinstance(d, list):
        return [sort_map(x) for x in d]
    return d


def compact_json(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


# --------------------------------------------------------------------------
# Keys


def _crypto():
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
    return hashes, serialization, ec, ed25519, padding, rsa


def pem_decode(pem, labels=None):
    """(label, der) of the first PEM block; labels restricts the accepted labels."""
    if isinstance(pem, bytes):
        pem = pem.decode("ascii", "replace")
    lines = [ln.strip() for ln in pem.strip().splitlines()]
    if not lines or not lines[0].startswith("-----BEGIN ") or not lines[0].endswith("-----"):
        raise SigrefError("not a PEM file")
    label = lines[0][len("-----BEGIN "):-5]
    end = "-----END %s-----" % label
    if end not in lines:
        raise SigrefError("PEM block %s has no END line" % label)
    body = "".join(lines[1:lines.index(end)])
    if labels is not None and label not in labels:
        raise SigrefError("unexpected PEM label %r" % label)
    return label, unb64(body)


def pem_encode(label, der):
    s = b64(der)
    body = "\n".join(s[i:i + 64] for i in range(0, len(s), 64))
    return ("-----BEGIN %s-----\n%s\n-----END %s-----\n" % (label, body, label)).encode()


def scrypt_key(passphrase, salt, n, r, p):
    if isinstance(passphrase, str):
        passphrase = passphrase.encode()
    return hashlib.scrypt(passphrase, salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32)


def decrypt_key_der(pem, passphrase):
    """Plaintext (PKCS#8 DER expected) of a cosign encrypted key file;
    (label, params, der)."""
    import nacl.exceptions
    import nacl.secret
    label, raw = pem_decode(pem, (LABEL_SIGSTORE, LABEL_COSIGN))
    try:
        doc = json.loads(raw)
        kdf, cipher = doc["kdf"], doc["cipher"]
        if kdf["name"] != "scrypt" or cipher["name"] != "nacl/secretbox":
            raise SigrefError("unsupported kdf/cipher %s/%s" % (kdf["name"], cipher["name"]))
        prm = kdf["params"]
        n, r, p = int(prm["N"]), int(prm["r"]), int(prm["p"])
        salt, nonce, ct = unb64(kdf["salt"]), unb64(cipher["nonce"]), unb64(doc["ciphertext"])
    except (ValueError, KeyError, TypeError) as e:
        raise SigrefError("malformed encrypted key JSON: %s" % e)
    key = scrypt_key(passphrase, salt, n, r, p)
    try:
        der = nacl.secret.SecretBox(key).decrypt(ct, nonce)
    except nacl.exceptions.CryptoError:
        raise SigrefError("decryption failed (wrong passphrase?)")
    return label, {"N": n, "r": r, "p": p, "salt": salt, "nonce": nonce}, der


def _der_item(der, pos):
    """(tag, content start, end) of the DER element at pos."""
    if pos + 2 > len(der):
        raise ValueError("truncated")
    tag, ln = der[pos], der[pos + 1]
    pos += 2
    if ln & 0x80:
        n = ln & 0x7F
        if n == 0 or n > 4 or pos + n > len(der):
            raise ValueError("bad length")
        ln = int.from_bytes(der[pos:pos + n], "big")
        pos += n
    if pos + ln > len(der):
        raise ValueError("truncated")
    return tag, pos, pos + ln


def is_pkcs8(der):
    """PKCS#8 PrivateKeyInfo: SEQUENCE {INTEGER version, SEQUENCE
    AlgorithmIdentifier, OCTET STRING}; SEC1 has an OCTET STRING second."""
    try:
        tag, start, end = _der_item(der, 0)
        if tag != 0x30 or end != len(der):
            return False
        tag, s1, e1 = _der_item(der, start)
        if tag != 0x02:
            return False
        tag, _, _ = _der_item(der, e1)
        return tag == 0x30
    except ValueError:
        return False


def decrypt_key(pem, passphrase):
    """The private key (cryptography object) of a cosign encrypted key
    file. Like cosign, only PKCS#8 plaintext is accepted (a SEC1 "EC
    PRIVATE KEY" inside is refused)."""
    _, serialization, _, _, _, _ = _crypto()
    _, _, der = decrypt_key_der(pem, passphrase)
    if not is_pkcs8(der):
        raise SigrefError("plaintext is not a PKCS#8 private key (SEC1 or other)")
    try:
        return serialization.load_der_private_key(der, password=None)
    except (ValueError, TypeError) as e:
        raise SigrefError("plaintext is not a PKCS#8 private key: %s" % e)


def encrypt_key(priv, passphrase, label=LABEL_SIGSTORE, n=65536, r=8, p=1, der=None):
    """A cosign encrypted key file (PEM bytes) for priv (or raw plaintext der)."""
    import nacl.secret
    _, serialization, _, _, _, _ = _crypto()
    if der is None:
        der = priv.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())
    salt = secrets.token_bytes(32)
    nonce = secrets.token_bytes(nacl.secret.SecretBox.NONCE_SIZE)
    key = scrypt_key(passphrase, salt, n, r, p)
    ct = nacl.secret.SecretBox(key).encrypt(der, nonce).ciphertext
    doc = {"kdf": {"name": "scrypt", "params": {"N": n, "r": r, "p": p}, "salt": b64(salt)},
           "cipher": {"name": "nacl/secretbox", "nonce": b64(nonce)},
           "ciphertext": b64(ct)}
    return pem_encode(label, go_json(doc))


def generate_key(curve="P-256"):
    _, _, ec, ed25519, _, rsa = _crypto()
    if curve == "P-256":
        return ec.generate_private_key(ec.SECP256R1())
    if curve == "P-384":
        return ec.generate_private_key(ec.SECP384R1())
    if curve == "Ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if curve == "RSA":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise ValueError(curve)


def public_pem(key):
    """PKIX PEM of a private or public key."""
    _, serialization, _, _, _, _ = _crypto()
    pub = key.public_key() if hasattr(key, "public_key") else key
    return pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_public_key(pem):
    _, serialization, _, _, _, _ = _crypto()
    if isinstance(pem, str):
        pem = pem.encode()
    # a one-line PEM body (sgo-publish_key.pub) is fine for pem_decode
    label, der = pem_decode(pem, ("PUBLIC KEY",))
    return serialization.load_der_public_key(der)


def load_public_key_file(path):
    with open(path, "rb") as f:
        return load_public_key(f.read())


def spki_der(key):
    _, serialization, _, _, _, _ = _crypto()
    pub = key.public_key() if hasattr(key, "public_key") else key
    return pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_hint(key):
    """base64(sha256(SPKI DER)): the keyed-bundle key hint."""
    return b64(hashlib.sha256(spki_der(key)).digest())


def write_key_pair(priv, prefix, passphrase, label=LABEL_SIGSTORE, n=65536):
    """PREFIX.key (0600) and PREFIX.pub; returns (key_path, pub_path)."""
    kp, pp = prefix + ".key", prefix + ".pub"
    fd = os.open(kp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(encrypt_key(priv, passphrase, label, n))
    with open(pp, "wb") as f:
        f.write(public_pem(priv))
    return kp, pp


# --------------------------------------------------------------------------
# Signatures


def sign(priv, data):
    """ECDSA-SHA256 (DER), Ed25519 or RSA PKCS#1 v1.5 SHA-256 over data."""
    hashes, _, ec, ed25519, padding, rsa = _crypto()
    if isinstance(priv, ec.EllipticCurvePrivateKey):
        return priv.sign(data, ec.ECDSA(hashes.SHA256()))
    if isinstance(priv, ed25519.Ed25519PrivateKey):
        return priv.sign(data)
    if isinstance(priv, rsa.RSAPrivateKey):
        return priv.sign(data, padding.PKCS1v15(), hashes.SHA256())
    raise ValueError("unsupported key")


def verify_signature(pub, data, sig):
    """True when sig over data verifies with pub (cosign's choices: ECDSA
    with SHA-256 whatever the curve's size, Ed25519, RSA PKCS#1 v1.5 or
    PSS with SHA-256)."""
    from cryptography.exceptions import InvalidSignature
    hashes, _, ec, ed25519, padding, rsa = _crypto()
    try:
        if isinstance(pub, ec.EllipticCurvePublicKey):
            pub.verify(sig, data, ec.ECDSA(hashes.SHA256()))
        elif isinstance(pub, ed25519.Ed25519PublicKey):
            pub.verify(sig, data)
        elif isinstance(pub, rsa.RSAPublicKey):
            try:
                pub.verify(sig, data, padding.PKCS1v15(), hashes.SHA256())
            except InvalidSignature:
                pub.verify(sig, data, padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.AUTO),
                           hashes.SHA256())
        else:
            return False
        return True
    except (InvalidSignature, ValueError):
        return False


# --------------------------------------------------------------------------
# Payloads


def simple_signing_payload(docker_reference, manifest_digest, optional=None):
    """The exact bytes cosign signs: struct order, "optional" a Go map
    (sorted keys) or null."""
    obj = {"critical": {"identity": {"docker-reference": docker_reference},
                        "image": {"docker-manifest-digest": manifest_digest},
                        "type": SIMPLESIGNING_TYPE},
           "optional": sort_map(optional) if optional is not None else None}
    return go_json(obj)


def parse_simple_signing(payload):
    """Check a simple signing payload strictly; return the parsed dict."""
    try:
        doc = json.loads(payload)
    except ValueError as e:
        raise SigrefError("payload is not JSON: %s" % e)
    if not isinstance(doc, dict) or set(doc) - {"critical", "optional"} or "critical" not in doc:
        raise SigrefError("payload has keys %r" % (sorted(doc) if isinstance(doc, dict) else doc))
    c = doc["critical"]
    if not isinstance(c, dict) or set(c) != {"identity", "image", "type"}:
        raise SigrefError("critical has keys %r" % (sorted(c) if isinstance(c, dict) else c))
    if c["type"] != SIMPLESIGNING_TYPE:
        raise SigrefError("critical.type is %r" % c["type"])
    if not isinstance(c["identity"], dict) or set(c["identity"]) != {"docker-reference"}:
        raise SigrefError("critical.identity is %r" % c["identity"])
    if not isinstance(c["image"], dict) or set(c["image"]) != {"docker-manifest-digest"}:
        raise SigrefError("critical.image is %r" % c["image"])
    if doc.get("optional") is not None and not isinstance(doc["optional"], dict):
        raise SigrefError("optional is %r" % doc["optional"])
    return doc


def pae(payload_type, payload):
    """DSSE v1 pre-authentication encoding."""
    if isinstance(payload_type, str):
        payload_type = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(payload_type), payload_type, len(payload), payload)


def dsse_envelope(priv, payload, payload_type=MT_INTOTO, keyid=""):
    sig = sign(priv, pae(payload_type, payload))
    return {"payloadType": payload_type, "payload": b64(payload), "signatures": [{"keyid": keyid, "sig": b64(sig)}]}


def intoto_statement(subject_name, digest, predicate_type, predicate, statement_type=STATEMENT_V1):
    """An in-toto statement (bytes); digest "sha256:hex" or hex."""
    hx = digest.split(":", 1)[1] if ":" in digest else digest
    return compact_json({"_type": statement_type, "subject": [{"name": subject_name, "digest": {"sha256": hx}}],
                         "predicateType": predicate_type, "predicate": predicate})


def verify_dsse(env, pubkeys, payload_type=MT_INTOTO):
    """Check a DSSE envelope (dict); return (payload bytes, key index)."""
    if not isinstance(env, dict) or set(env) - {"payloadType", "payload", "signatures"}:
        raise SigrefError("envelope has keys %r" % (sorted(env) if isinstance(env, dict) else env))
    if env.get("payloadType") != payload_type:
        raise SigrefError("payloadType %r is not %r" % (env.get("payloadType"), payload_type))
    payload = unb64(env.get("payload"))
    sigs = env.get("signatures")
    if not isinstance(sigs, list) or not sigs:
        raise SigrefError("envelope has no signatures")
    msg = pae(env["payloadType"], payload)
    for s in sigs:
        sig = unb64(s.get("sig"))
        for i, k in enumerate(pubkeys):
            if verify_signature(k, msg, sig):
                return payload, i
    raise SigrefError("no DSSE signature verifies with the given keys")


def parse_statement(payload, image_digest=None, predicate_type=None, statement_types=(STATEMENT_V1,)):
    try:
        st = json.loads(payload)
    except ValueError as e:
        raise SigrefError("statement is not JSON: %s" % e)
    if not isinstance(st, dict) or st.get("_type") not in statement_types:
        raise SigrefError("statement _type %r" % (st.get("_type") if isinstance(st, dict) else st))
    subj = st.get("subject")
    if not isinstance(subj, list) or not subj:
        raise SigrefError("statement has no subject")
    if image_digest is not None:
        hx = image_digest.split(":", 1)[1]
        if not any(isinstance(s, dict) and (s.get("digest") or {}).get("sha256") == hx for s in subj):
            raise SigrefError("no statement subject has digest %s" % image_digest)
    if predicate_type is not None and st.get("predicateType") != predicate_type:
        raise SigrefError("predicateType %r is not %r" % (st.get("predicateType"), predicate_type))
    if "predicate" not in st:
        raise SigrefError("statement has no predicate")
    return st


# --------------------------------------------------------------------------
# Sigstore bundles v0.3 (keyed, no tlog)


def message_signature_bundle(priv, payload):
    return {"mediaType": MT_BUNDLE_V03,
            "verificationMaterial": {"publicKey": {"hint": key_hint(priv)}, "tlogEntries": []},
            "messageSignature": {"messageDigest": {"algorithm": "SHA2_256",
                                                   "digest": b64(hashlib.sha256(payload).digest())},
                                 "signature": b64(sign(priv, payload))}}


def dsse_bundle(priv, statement, payload_type=MT_INTOTO):
    return {"mediaType": MT_BUNDLE_V03,
            "verificationMaterial": {"publicKey": {"hint": key_hint(priv)}, "tlogEntries": []},
            "dsseEnvelope": dsse_envelope(priv, statement, payload_type)}


def check_bundle(bundle, pubkeys, artifact=None, allow_tlog=False):
    """Verify a keyed v0.3 bundle (dict) offline; returns ("message", None)
    or ("dsse", statement payload). artifact: the signed bytes of a message
    signature (required then)."""
    if bundle.get("mediaType") != MT_BUNDLE_V03:
        raise SigrefError("bundle mediaType %r" % bundle.get("mediaType"))
    vm = bundle.get("verificationMaterial") or {}
    if "publicKey" not in vm:
        raise SigrefError("bundle has no publicKey verification material")
    if vm.get("tlogEntries") and not allow_tlog:
        raise SigrefError("bundle has %d tlog entries" % len(vm["tlogEntries"]))
    hints = [key_hint(k) for k in pubkeys]
    if vm["publicKey"].get("hint") not in hints:
        raise SigrefError("key hint %r is none of %r" % (vm["publicKey"].get("hint"), hints))
    if "messageSignature" in bundle:
        ms = bundle["messageSignature"]
        if artifact is None:
            raise SigrefError("message signature bundle needs the artifact")
        if ms["messageDigest"]["algorithm"] != "SHA2_256":
            raise SigrefError("digest algorithm %r" % ms["messageDigest"]["algorithm"])
        if unb64(ms["messageDigest"]["digest"]) != hashlib.sha256(artifact).digest():
            raise SigrefError("messageDigest is not sha256(artifact)")
        sig = unb64(ms["signature"])
        if not any(verify_signature(k, artifact, sig) for k in pubkeys):
            raise SigrefError("message signature does not verify")
        return "message", None
    if "dsseEnvelope" in bundle:
        payload, _ = verify_dsse(bundle["dsseEnvelope"], pubkeys)
        return "dsse", payload
    raise SigrefError("bundle has neither messageSignature nor dsseEnvelope")


# --------------------------------------------------------------------------
# Stores


class RegistryStore:
    """Signature storage in a registry repository (registry.RegistryAPI)."""

    def __init__(self, api, repo):
        self.api, self.repo = api, repo

    def manifest(self, ref):
        """(bytes, digest) of the manifest at tag or digest ref, or None."""
        import registry
        try:
            body, _, d = self.api.manifest(self.repo, ref)
        except registry.APIError as e:
            if e.status == 404:
                return None
            raise
        return body, d

    def blob(self, digest):
        st, _, data = self.api.blob(self.repo, digest)
        if st != 200:
            raise SigrefError("blob %s: HTTP %d" % (digest, st))
        return data

    def put_blob(self, data):
        return self.api.push_blob(self.repo, data)["digest"]

    def put_manifest(self, ref, body, media_type=MT_OCI_MANIFEST):
        return self.api.put_manifest(self.repo, ref, body, media_type)

    def tags(self):
        return self.api.tags(self.repo)


class LayoutStore:
    """Signature storage in an OCI image layout: tags are index.json
    entries with org.opencontainers.image.ref.name."""

    def __init__(self, path):
        self.path = path

    def _index(self):
        with open(os.path.join(self.path, "index.json"), "rb") as f:
            return json.load(f)

    def _blob_path(self, digest):
        alg, hx = digest.split(":", 1)
        return os.path.join(self.path, "blobs", alg, hx)

    def manifest(self, ref):
        if ref.startswith("sha256:"):
            d = ref
        else:
            ds = [m["digest"] for m in self._index().get("manifests", [])
                  if (m.get("annotations") or {}).get(REF_NAME) == ref]
            if not ds:
                return None
            if len(ds) > 1:
                raise SigrefError("tag %s names %d manifests in %s" % (ref, len(ds), self.path))
            d = ds[0]
        try:
            with open(self._blob_path(d), "rb") as f:
                return f.read(), d
        except FileNotFoundError:
            return None

    def blob(self, digest):
        with open(self._blob_path(digest), "rb") as f:
            return f.read()

    def put_blob(self, data):
        d = sha256_digest(data)
        p = self._blob_path(d)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        if not os.path.exists(p):
            with open(p, "wb") as f:
                f.write(data)
        return d

    def put_manifest(self, ref, body, media_type=MT_OCI_MANIFEST):
        if not isinstance(body, bytes):
            body = compact_json(body)
        d = self.put_blob(body)
        idx = self._index()
        ms = [m for m in idx.get("manifests", []) if (m.get("annotations") or {}).get(REF_NAME) != ref]
        ms.append({"mediaType": media_type, "digest": d, "size": len(body), "annotations": {REF_NAME: ref}})
        idx["manifests"] = ms
        tmp = os.path.join(self.path, "index.json.sigref-tmp")
        with open(tmp, "w") as f:
            json.dump(idx, f)
        os.replace(tmp, os.path.join(self.path, "index.json"))
        return d

    def tags(self):
        return sorted((m.get("annotations") or {}).get(REF_NAME) for m in self._index().get("manifests", [])
                      if (m.get("annotations") or {}).get(REF_NAME))


def sig_tag(image_digest, suffix="sig"):
    return "sha256-%s.%s" % (image_digest.split(":", 1)[1], suffix)


def referrers_tag(image_digest):
    return "sha256-%s" % image_digest.split(":", 1)[1]


def cosign_config(layer_digests):
    """The image config cosign writes for its signature images."""
    return compact_json({"architecture": "", "created": "0001-01-01T00:00:00Z",
                         "history": [{"created": "0001-01-01T00:00:00Z"}], "os": "",
                         "rootfs": {"type": "layers", "diff_ids": list(layer_digests)},
                         "config": {}})


def push_signature_layers(store, image_digest, layers, suffix="sig"):
    """Write (replacing) the sha256-<hex>.<suffix> manifest with layers
    [(media_type, blob bytes, annotations)]; returns the manifest digest."""
    descs = []
    for mt, blob, ann in layers:
        d = store.put_blob(blob)
        descs.append({"mediaType": mt, "size": len(blob), "digest": d, "annotations": dict(ann)})
    cfg = cosign_config([x["digest"] for x in descs])
    cd = store.put_blob(cfg)
    man = {"schemaVersion": 2, "mediaType": MT_OCI_MANIFEST,
           "config": {"mediaType": MT_OCI_CONFIG, "size": len(cfg), "digest": cd},
           "layers": descs}
    return store.put_manifest(sig_tag(image_digest, suffix), compact_json(man))


def sign_image(store, image_digest, priv, docker_reference, optional=None, append=True):
    """Sign like `cosign sign --key`: payload for image_digest appended as a
    new layer of sha256-<hex>.sig (existing layers kept when append).
    Returns the payload bytes."""
    payload = simple_signing_payload(docker_reference, image_digest, optional)
    layer = (MT_SIMPLESIGNING, payload, {ANN_SIGNATURE: b64(sign(priv, payload))})
    layers = existing_layers(store, image_digest, "sig") if append else []
    push_signature_layers(store, image_digest, layers + [layer])
    return payload


def attest_image(store, image_digest, priv, subject_name, predicate_type, predicate, append=True,
                 statement_type=STATEMENT_V1):
    st = intoto_statement(subject_name, image_digest, predicate_type, predicate, statement_type)
    env = compact_json(dsse_envelope(priv, st))
    layer = (MT_DSSE, env, {ANN_PREDICATE_TYPE: predicate_type})
    layers = existing_layers(store, image_digest, "att") if append else []
    push_signature_layers(store, image_digest, layers + [layer], "att")
    return env


def existing_layers(store, image_digest, suffix):
    m = store.manifest(sig_tag(image_digest, suffix))
    if m is None:
        return []
    man = json.loads(m[0])
    return [(l["mediaType"], store.blob(l["digest"]), l.get("annotations") or {}) for l in man.get("layers", [])]


# --------------------------------------------------------------------------
# Verification of stored signatures


def _layers(store, image_digest, suffix):
    """(manifest dict, [(index, descriptor, blob or None, error)]) of the
    sig/att manifest; None when the tag does not exist."""
    m = store.manifest(sig_tag(image_digest, suffix))
    if m is None:
        return None
    man = json.loads(m[0])
    if man.get("mediaType") not in (MT_OCI_MANIFEST, None) or man.get("schemaVersion") != 2:
        raise SigrefError("%s is not an OCI image manifest" % sig_tag(image_digest, suffix))
    out = []
    for i, l in enumerate(man.get("layers") or []):
        try:
            blob = store.blob(l["digest"])
        except (SigrefError, OSError) as e:
            out.append((i, l, None, "blob %s: %s" % (l["digest"], e)))
            continue
        if sha256_digest(blob) != l["digest"] or len(blob) != l.get("size"):
            out.append((i, l, None, "layer blob %s does not match its descriptor" % l["digest"]))
            continue
        out.append((i, l, blob, None))
    return man, out


def verify_simple_signing(payload, sig, image_digest, pubkeys, identity=None):
    """Check one simple signature; returns the parsed payload."""
    doc = parse_simple_signing(payload)
    got = doc["critical"]["image"]["docker-manifest-digest"]
    if got != image_digest:
        raise SigrefError("payload digest %s is not the image's %s" % (got, image_digest))
    if not any(verify_signature(k, payload, sig) for k in pubkeys):
        raise SigrefError("signature does not verify with the given keys")
    if identity is not None and doc["critical"]["identity"]["docker-reference"] != identity:
        raise SigrefError("identity %r is not the required %r" % (doc["critical"]["identity"]["docker-reference"],
                                                                  identity))
    return doc


def verify_sig_manifest(store, image_digest, pubkeys, identity=None):
    """Every layer of sha256-<hex>.sig checked; returns a list of dicts
    {index, valid, reason, payload (parsed or None), raw (bytes or None),
    annotations}. [] when the tag is absent."""
    got = _layers(store, image_digest, "sig")
    if got is None:
        return []
    man, layers = got
    out = []
    for i, desc, blob, err in layers:
        r = {"index": i, "valid": False, "reason": err, "payload": None, "raw": blob,
             "annotations": desc.get("annotations") or {}, "media_type": desc.get("mediaType")}
        out.append(r)
        if err:
            continue
        try:
            if desc.get("mediaType") != MT_SIMPLESIGNING:
                raise SigrefError("layer mediaType %r" % desc.get("mediaType"))
            ann = desc.get("annotations") or {}
            if ANN_SIGNATURE not in ann:
                raise SigrefError("layer has no %s annotation" % ANN_SIGNATURE)
            r["payload"] = verify_simple_signing(blob, unb64(ann[ANN_SIGNATURE]), image_digest, pubkeys, identity)
            r["valid"] = True
        except SigrefError as e:
            r["reason"] = str(e)
    return out


def verify_att_manifest(store, image_digest, pubkeys, predicate_type=None, statement_types=(STATEMENT_V1,)):
    """Every layer of sha256-<hex>.att checked: DSSE over PAE, statement
    subject digest == image digest, predicateType annotation == the
    statement's. Returns dicts {index, valid, reason, statement,
    predicate_type, envelope}."""
    got = _layers(store, image_digest, "att")
    if got is None:
        return []
    man, layers = got
    out = []
    for i, desc, blob, err in layers:
        ann = desc.get("annotations") or {}
        r = {"index": i, "valid": False, "reason": err, "statement": None, "envelope": None,
             "predicate_type": ann.get(ANN_PREDICATE_TYPE), "media_type": desc.get("mediaType")}
        out.append(r)
        if err:
            continue
        try:
            if desc.get("mediaType") != MT_DSSE:
                raise SigrefError("layer mediaType %r" % desc.get("mediaType"))
            try:
                env = json.loads(blob)
            except ValueError as e:
                raise SigrefError("envelope is not JSON: %s" % e)
            r["envelope"] = env
            payload, _ = verify_dsse(env, pubkeys)
            st = parse_statement(payload, image_digest, None, statement_types)
            if ann.get(ANN_PREDICATE_TYPE) != st["predicateType"]:
                raise SigrefError("predicateType annotation %r is not the statement's %r"
                                  % (ann.get(ANN_PREDICATE_TYPE), st["predicateType"]))
            if predicate_type is not None and st["predicateType"] != predicate_type:
                raise SigrefError("predicateType %r is not %r" % (st["predicateType"], predicate_type))
            r["statement"] = st
            r["valid"] = True
        except SigrefError as e:
            r["reason"] = str(e)
    return out


def referrers(store, image_digest):
    """Descriptors of the referrers listed in the tag-schema index
    sha256-<hex> (what a registry without the referrers API holds)."""
    m = store.manifest(referrers_tag(image_digest))
    if m is None:
        return []
    idx = json.loads(m[0])
    if idx.get("mediaType") != MT_OCI_INDEX:
        raise SigrefError("%s is not an OCI index" % referrers_tag(image_digest))
    return idx.get("manifests") or []


def referrer_bundles(store, image_digest):
    """[(referrer descriptor, manifest dict, bundle dict, payload bytes or None)]
    for each Sigstore-bundle referrer of image_digest; the manifest's
    subject must be the image."""
    out = []
    for desc in referrers(store, image_digest):
        if desc.get("artifactType") != MT_BUNDLE_V03:
            continue
        body, d = store.manifest(desc["digest"])
        if d != desc["digest"]:
            raise SigrefError("referrer manifest %s has digest %s" % (desc["digest"], d))
        man = json.loads(body)
        if (man.get("subject") or {}).get("digest") != image_digest:
            raise SigrefError("referrer %s has subject %r" % (d, man.get("subject")))
        layers = man.get("layers") or []
        if not layers or layers[0].get("mediaType") != MT_BUNDLE_V03:
            raise SigrefError("referrer %s has no bundle layer" % d)
        blobs = []
        for l in layers:
            b = store.blob(l["digest"])
            if sha256_digest(b) != l["digest"]:
                raise SigrefError("referrer layer %s does not match its descriptor" % l["digest"])
            blobs.append(b)
        out.append((desc, man, json.loads(blobs[0]), blobs[1] if len(blobs) > 1 else None))
    return out


# --------------------------------------------------------------------------
# containers/image dir: signatures


DIR_SIG_PREFIX = b"\x00sigstore-json\n"


def read_dir_signature(path):
    """(payload bytes, signature bytes, annotations) of a dir: signature-N
    file of the sigstore kind."""
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(DIR_SIG_PREFIX):
        raise SigrefError("%s is not a sigstore signature file" % path)
    try:
        doc = json.loads(data[len(DIR_SIG_PREFIX):])
    except ValueError as e:
        raise SigrefError("%s: %s" % (path, e))
    if doc.get("mimeType") != MT_SIMPLESIGNING:
        raise SigrefError("%s: mimeType %r" % (path, doc.get("mimeType")))
    ann = doc.get("annotations") or {}
    if ANN_SIGNATURE not in ann:
        raise SigrefError("%s has no %s annotation" % (path, ANN_SIGNATURE))
    return unb64(doc["payload"]), unb64(ann[ANN_SIGNATURE]), ann


def write_dir_signature(path, payload, sig, extra_annotations=None):
    ann = {ANN_SIGNATURE: b64(sig)}
    ann.update(extra_annotations or {})
    with open(path, "wb") as f:
        f.write(DIR_SIG_PREFIX + compact_json({"mimeType": MT_SIMPLESIGNING, "payload": b64(payload),
                                               "annotations": ann}))


def verify_dir(path, pubkeys, identity=None):
    """[(name, valid, reason)] for each signature-N of a dir: image."""
    with open(os.path.join(path, "manifest.json"), "rb") as f:
        digest = sha256_digest(f.read())
    out = []
    n = 1
    while os.path.exists(os.path.join(path, "signature-%d" % n)):
        name = "signature-%d" % n
        try:
            payload, sig, _ = read_dir_signature(os.path.join(path, name))
            verify_simple_signing(payload, sig, digest, pubkeys, identity)
            out.append((name, True, None))
        except SigrefError as e:
            out.append((name, False, str(e)))
        n += 1
    return out
