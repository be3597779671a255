"""scute harden --sign-key (issue 8): the hardened image is signed and
attested in one step (SBOM, SLSA provenance, audit, vulnerabilities, all
in the legacy .sig/.att tags), checked by scute verify and by sigref.
Uses the Debian minbase image the harden tests use."""

import json
import os

import pytest

import images
import sigref as S
from conftest import CHECKOUT, describe, image_ref
from sigtest import PW, base_env, key_files, require_crypto, run, run_json, run_ok


@pytest.fixture(scope="module")
def signed(debian_dir, tmp_path_factory):
    require_crypto()
    d = str(tmp_path_factory.mktemp("hsign"))
    env = base_env(d)
    kp, pp, priv = key_files(d, "k")
    db = os.path.join(d, "vulndb.sqlite")
    p = run(env, "db", "import", "--db", db, os.path.join(CHECKOUT, "tests", "fixtures", "vuln", "debian"))
    assert p.returncode == 0, describe(p)
    lay = os.path.join(d, "oci")
    prov = os.path.join(d, "provenance.json")
    src = image_ref("oci", debian_dir, "base")
    p = run(env, "harden", "-q", "--format", "json", "--entrypoint", "/usr/bin/id -u", "--db", db,
            "--sign-key", kp, "--provenance", prov, src, "oci:%s:hard" % lay)
    assert p.returncode == 0, describe(p)
    rep = json.loads(p.stdout)
    digest = images.Layout(lay, create=False).resolve("hard")["digest"]
    src_digest = images.Layout(os.path.join(debian_dir, "oci"), create=False).resolve("base")["digest"]
    return {"env": env, "key": kp, "pub": pp, "priv": priv, "lay": lay, "img": "oci:%s:hard" % lay,
            "digest": digest, "src_digest": src_digest, "prov": prov, "report": rep, "db": db}


def test_signature(signed):
    s = signed
    st = S.LayoutStore(s["lay"])
    res = S.verify_sig_manifest(st, s["digest"], [s["priv"].public_key()])
    assert len(res) == 1 and res[0]["valid"], res
    _, j = run_json(s["env"], "verify", "--json", "--key", s["pub"], s["img"], status=0)
    assert j["verified"] == 1 and j["digest"] == s["digest"]


def test_attestations(signed):
    s = signed
    res = S.verify_att_manifest(S.LayoutStore(s["lay"]), s["digest"], [s["priv"].public_key()])
    types = sorted(r["predicate_type"] for r in res if r["valid"])
    assert types == sorted([S.PREDICATE_TYPES[t] for t in ("sbom", "slsa", "audit", "vuln")]), res
    for typ in ("slsa", "sbom", "vuln", "audit"):
        _, j = run_json(s["env"], "verify", "--json", "--key", s["pub"], "--type", typ, s["img"], status=0)
        good = [a for a in j["attestations"] if a["valid"]]
        assert len(good) == 1 and good[0]["predicate_type"] == S.PREDICATE_TYPES[typ], j
    preds = {r["predicate_type"]: r["statement"]["predicate"] for r in res if r["valid"]}
    sbom = preds[S.PREDICATE_TYPES["sbom"]]
    assert sbom["bomFormat"] == "CycloneDX" and sbom["components"]
    # Built from harden's own pass over the result, yet the very documents the
    # verbs make by reading DST again.
    assert sbom == json.loads(run_ok(s["env"], "sbom", "--format", "cyclonedx", s["img"]).stdout)
    assert preds[S.PREDICATE_TYPES["audit"]] == json.loads(
        run(s["env"], "audit", "--format", "json", s["img"]).stdout)
    scan = json.loads(run(s["env"], "scan", "--format", "json", s["img"], extra_env={"SCUTE_DB": s["db"]}).stdout)
    got = preds[S.PREDICATE_TYPES["vuln"]]["scanner"]["result"]
    assert got == scan, "the vuln attestation is the scan's JSON"


def test_provenance(signed):
    s = signed
    res = S.verify_att_manifest(S.LayoutStore(s["lay"]), s["digest"], [s["priv"].public_key()],
                                S.PREDICATE_TYPES["slsa"])
    pred = [r for r in res if r["valid"]][0]["statement"]["predicate"]
    with open(s["prov"]) as f:
        assert json.load(f) == pred, "--provenance FILE is the attested predicate"
    bd, rd = pred["buildDefinition"], pred["runDetails"]
    assert bd["buildType"] and isinstance(bd["externalParameters"], dict) and bd["externalParameters"]
    assert "/usr/bin/id" in json.dumps(bd["externalParameters"]), bd["externalParameters"]
    deps = bd["resolvedDependencies"]
    assert any((d.get("digest") or {}).get("sha256") == s["src_digest"][7:] for d in deps), deps
    assert rd["builder"]["id"]
    md = rd.get("metadata") or {}
    assert md.get("startedOn") and md.get("finishedOn") and md["startedOn"] <= md["finishedOn"], md


def test_wrong_passphrase(debian_dir, tmp_path):
    require_crypto()
    env = base_env(str(tmp_path))
    kp, _, _ = key_files(str(tmp_path), "k")
    lay = str(tmp_path / "oci")
    p = run(env, "harden", "-q", "--entrypoint", "/usr/bin/true", "--sign-key", kp,
            image_ref("oci", debian_dir, "base"), "oci:%s:hard" % lay, extra_env={"SCUTE_PASSWORD": PW + "x"})
    assert p.returncode == 3, describe(p)
    assert "passphrase" in p.stderr.lower() or "decrypt" in p.stderr.lower(), describe(p)


def test_harden_to_registry_signed(debian_dir, registry_stack, tmp_path):
    """harden --sign-key with a docker:// DST: the image pushed to the real
    registry is signed by the digest pushed, for HOST/REPO:TAG, and its four
    attestations sit in the repository's .att tag (checked by sigref)."""
    require_crypto()
    env = base_env(str(tmp_path))
    kp, pp, priv = key_files(str(tmp_path), "k")
    db = str(tmp_path / "vulndb.sqlite")
    run_ok(env, "db", "import", "--db", db, os.path.join(CHECKOUT, "tests", "fixtures", "vuln", "debian"))
    reg = registry_stack.registry("plain")
    dst = "docker://%s/hard/signed:v1" % reg.host
    p = run(env, "harden", "-q", "--format", "json", "--keep-shell", "--db", db, "--sign-key", kp,
            image_ref("oci", debian_dir, "base"), dst)
    assert p.returncode == 0, describe(p)
    digest = json.loads(p.stdout)["digest"]
    store = S.RegistryStore(reg.api(), "hard/signed")
    sigs = S.verify_sig_manifest(store, digest, [priv.public_key()])
    assert len(sigs) == 1 and sigs[0]["valid"], sigs
    assert sigs[0]["payload"]["critical"]["identity"]["docker-reference"] == "%s/hard/signed:v1" % reg.host
    atts = S.verify_att_manifest(store, digest, [priv.public_key()])
    assert sorted(a["predicate_type"] for a in atts if a["valid"]) == \
        sorted(S.PREDICATE_TYPES[t] for t in ("sbom", "slsa", "audit", "vuln")), atts
    _, j = run_json(env, "verify", "--json", "--key", pp, "--identity", "%s/hard/signed:v1" % reg.host, dst, status=0)
    assert j["digest"] == digest and j["verified"] == 1
