"""scute scan and scute db on real images and real advisory data.

The PyPA advisory database (../shared/data/osv/pypa-advisory-database) is
imported once per session; tests that need it skip when it is absent.  An
independent evaluator written here (Python's packaging.version plus the OSV
evaluation rules) decides which advisories each pip-installed distribution
should match, and scute's findings must be exactly that set.
"""
import glob
import json
import os
import re
import subprocess

import pytest

import images
from conftest import CHECKOUT, assert_error, describe, image_ref, scute, scute_ok

SHARED = os.environ.get("SCUTE_SHARED_DATA") or os.path.join(os.path.dirname(CHECKOUT), "shared", "data")
PYPA = os.path.join(SHARED, "osv", "pypa-advisory-database")
SECDB = os.path.join(SHARED, "alpine-secdb")
SCHEMAS = os.path.join(SHARED, "schemas")
FIXTURES = os.path.join(CHECKOUT, "tests", "fixtures", "vuln")
PY = "/usr/bin/python3"


def need_pypa():
    if not os.path.isdir(os.path.join(PYPA, "vulns")):
        pytest.skip("PyPA advisory database not found at %s" % PYPA)


@pytest.fixture(scope="session")
def pypa_db(tmp_path_factory):
    need_pypa()
    db = str(tmp_path_factory.mktemp("vulndb") / "vulndb.sqlite")
    p = scute("db", "import", "--db", db, PYPA)
    assert p.returncode == 0 and "imported 2" in p.stdout, describe(p)
    # The PyPA data has a few versions that are not PEP 440: one summary line.
    assert len(p.stderr.splitlines()) <= 1 and "--verbose" in p.stderr, describe(p)
    return db


@pytest.fixture(scope="session")
def pipai_ref():
    return image_ref("oci", images.pipai(), "pipai")


@pytest.fixture(scope="session")
def pydeb_ref():
    return image_ref("oci", images.pydeb(), "pydeb")


def scan_json(db, target, *extra):
    p = scute("scan", "--db", db, "--format", "json", *extra, target)
    assert p.returncode == 0, describe(p)
    return json.loads(p.stdout)


# --------------------------------------------------------------------------
# An independent OSV evaluator over the PyPA YAML (packaging.version)


def load_pypa():
    import yaml
    recs = {}
    for path in glob.glob(os.path.join(PYPA, "vulns", "*", "*.yaml")):
        with open(path) as f:
            r = yaml.safe_load(f)
        recs[r["id"]] = r
    return recs


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def osv_affected(version, affected):
    from packaging.version import InvalidVersion, Version
    v = Version(version)
    pub = Version(v.public)
    for s in affected.get("versions", []) or []:
        try:
            if Version(str(s)) == pub:
                return True
        except InvalidVersion:
            pass
    for r in affected.get("ranges", []) or []:
        if r.get("type") != "ECOSYSTEM":
            continue
        evs = []
        for e in r.get("events", []):
            (k, val), = e.items()
            val = str(val)
            key = Version("0") if val == "0" and k == "introduced" else Version(val)
            evs.append((key, 0 if k == "introduced" else 1, k, val))
        evs.sort()
        vuln = False
        for key, _, k, val in evs:
            if k == "introduced" and (val == "0" or pub >= key):
                vuln = True
            elif k == "fixed" and pub >= key:
                vuln = False
            elif k == "last_affected" and pub > key:
                vuln = False
        if vuln:
            return True
    return False


def expected_ids(recs, name, version):
    out = set()
    for rid, r in recs.items():
        if r.get("withdrawn"):
            continue
        for a in r.get("affected", []):
            pkg = a.get("package", {})
            if pkg.get("ecosystem") == "PyPI" and norm(pkg.get("name", "")) == norm(name):
                if osv_affected(version, a):
                    out.add(rid)
                    break
    return out


@pytest.fixture(scope="session")
def pypa_records():
    need_pypa()
    try:
        import yaml  # noqa: F401
    except ImportError:
        pytest.skip("python3-yaml is needed to read the PyPA YAML independently")
    return load_pypa()


# --------------------------------------------------------------------------
# db import / status


def test_import_pypa_counts(pypa_db):
    p = scute_ok("db", "status", "--db", pypa_db, "--format", "json")
    st = json.loads(p.stdout)
    n_files = len(glob.glob(os.path.join(PYPA, "vulns", "*", "*.yaml")))
    assert len(st["sources"]) == 1
    src = st["sources"][0]
    assert src["name"] == "osv:pypa-advisory-database"
    assert src["records"] + src["skipped"] >= n_files - 5, st
    assert src["records"] >= n_files * 0.98, "most PyPA records import cleanly: %s" % st
    assert st["records"] == src["records"]
    assert src["imported_at"].endswith("Z")
    table = scute_ok("db", "status", "--db", pypa_db).stdout
    assert "osv:pypa-advisory-database" in table and str(src["records"]) in table


def test_import_is_idempotent_and_replaces(tmp_path):
    need_pypa()
    db = str(tmp_path / "db.sqlite")
    sub = os.path.join(PYPA, "vulns", "jinja2")
    assert scute("db", "import", "--db", db, "--name", "jinja", sub).returncode == 0
    assert scute("db", "import", "--db", db, "--name", "jinja", sub).returncode == 0
    st = json.loads(scute_ok("db", "status", "--db", db, "--format", "json").stdout)
    assert st["records"] == len(glob.glob(os.path.join(sub, "*.yaml"))), st


def test_status_without_db(tmp_path):
    p = scute("db", "status", "--db", str(tmp_path / "none.sqlite"))
    assert_error(p, 4 if p.returncode == 4 else 3, "scute db import")


def test_scan_without_db(tmp_path, pipai_ref):
    p = scute("scan", "--db", str(tmp_path / "none.sqlite"), pipai_ref)
    assert p.returncode in (3, 4), describe(p)
    assert "scute db" in p.stderr, describe(p)


def test_import_malformed_counts_warnings(tmp_path):
    db = str(tmp_path / "db.sqlite")
    p = scute("db", "import", "--verbose", "--db", db, os.path.join(FIXTURES, "osv-malformed"))
    assert p.returncode == 0, describe(p)
    assert "warning" in p.stderr.lower(), describe(p)
    for name in ("BAD-no-id.json", "BAD-range-type.json", "BAD-version.json", "BAD-truncated.json"):
        assert name in p.stderr, "the warnings name each bad file\n" + describe(p)
    m = re.search(r"(\d+) skipped", p.stdout)
    assert m and int(m.group(1)) >= 2, describe(p)


def test_import_missing_path(tmp_path):
    p = scute("db", "import", "--db", str(tmp_path / "db.sqlite"), str(tmp_path / "nope"))
    assert_error(p, 3, "nope")


# --------------------------------------------------------------------------
# Scans of pip-installed AI packages against PyPA


def test_pipai_findings_match_advisory_ranges(pypa_db, pipai_ref, pypa_records):
    rep = scan_json(pypa_db, pipai_ref)
    got = {}
    for f in rep["findings"]:
        pkg = f["package"]
        got.setdefault((norm(pkg["name"]), pkg["version"]), []).append(f)
    total = 0
    for name, version in images.PIPAI:
        want = expected_ids(pypa_records, name, version)
        findings = got.get((norm(name), version), [])
        ids = {f["id"] for f in findings}
        covered = set(ids)
        for f in findings:
            covered |= set(f.get("aliases") or [])
        assert ids <= want, "%s %s: scute found %s that the advisories' ranges do not cover" % (
            name, version, sorted(ids - want))
        assert want <= covered, "%s %s: scute missed %s" % (name, version, sorted(want - covered))
        total += len(ids)
    assert total >= 20, "the pipai image should have many PyPA findings, got %d" % total
    # Packages with no PyPA advisories have no findings.
    assert ("transformers", "4.35.0") not in got and ("safetensors", "0.4.0") not in got


def test_pipai_local_label_and_fixed_in(pypa_db, pipai_ref):
    rep = scan_json(pypa_db, pipai_ref)
    torch = [f for f in rep["findings"] if f["id"] == "PYSEC-2022-43015"]
    assert torch, "torch 1.13.0+cu117 must match PYSEC-2022-43015 (local label ignored)"
    f = torch[0]
    assert f["package"]["version"] == "1.13.0+cu117"
    assert f["matched"]["version"] == "1.13.0"
    assert f["fixed_in"] == ["1.13.1"] and f["status"] == "fixed"
    assert f["package"]["purl"].startswith("pkg:pypi/torch@1.13.0")
    for f in rep["findings"]:
        assert f["level"] in ("unknown", "negligible", "low", "medium", "high", "critical")
        assert not f.get("os_managed_pypi")


def test_table_groups_by_severity(pypa_db, pipai_ref):
    out = scute_ok("scan", "--db", pypa_db, pipai_ref).stdout
    assert "PYSEC-2022-43015" in out and "1.13.1" in out
    order = [out.find(h) for h in ("CRITICAL", "HIGH", "MEDIUM") if out.find(h) >= 0]
    assert order == sorted(order), out[:2000]
    assert not any(ord(c) == 27 for c in out)


def test_fail_on_and_ignore_unfixed(pypa_db, pipai_ref):
    rep = scan_json(pypa_db, pipai_ref)
    levels = {f["level"] for f in rep["findings"]}
    p = scute("scan", "--db", pypa_db, "--fail-on", "low", "-q", pipai_ref)
    assert p.returncode == 1, describe(p)
    if "critical" not in levels:
        p = scute("scan", "--db", pypa_db, "--fail-on", "critical", "-q", pipai_ref)
        assert p.returncode == 0, describe(p)
    p = scute("scan", "--db", pypa_db, "--fail-on", "unknown", "-q", pipai_ref)
    assert p.returncode == 1, describe(p)
    p = scute("scan", "--db", pypa_db, "--fail-on", "severe", pipai_ref)
    assert_error(p, 2, "fail-on")
    fixed_only = scan_json(pypa_db, pipai_ref, "--ignore-unfixed")
    assert all(f["status"] == "fixed" for f in fixed_only["findings"])
    n_unfixed = sum(1 for f in rep["findings"] if f["status"] != "fixed")
    assert len(fixed_only["findings"]) == len(rep["findings"]) - n_unfixed


def test_scan_sbom_equals_scan_image(pypa_db, pipai_ref, tmp_path):
    direct = scan_json(pypa_db, pipai_ref)
    want = sorted((f["id"], f["package"]["name"], f["package"]["version"]) for f in direct["findings"])
    for fmt in ("cyclonedx", "spdx"):
        sb = str(tmp_path / ("sbom-%s.json" % fmt))
        scute_ok("sbom", "--format", fmt, "-o", sb, pipai_ref)
        via = scan_json(pypa_db, sb)
        got = sorted((f["id"], f["package"]["name"], f["package"]["version"]) for f in via["findings"])
        assert got == want, "scan of the %s SBOM differs from the image scan" % fmt


def test_vex_suppresses_with_justification(pypa_db, pipai_ref, tmp_path):
    vex = {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://example.org/vex/scute-test-1",
        "author": "scute tests",
        "timestamp": "2024-01-01T00:00:00Z",
        "version": 1,
        "statements": [{
            "vulnerability": {"name": "PYSEC-2022-43015"},
            "products": [{"@id": "pkg:pypi/torch@1.13.0%2Bcu117"}],
            "status": "not_affected",
            "justification": "vulnerable_code_not_in_execute_path",
            "impact_statement": "torch.jit annotations are never parsed from untrusted input",
        }],
    }
    path = tmp_path / "vex.json"
    path.write_text(json.dumps(vex))
    rep = scan_json(pypa_db, pipai_ref, "--vex", str(path))
    t = [f for f in rep["findings"] if f["id"] == "PYSEC-2022-43015"]
    assert t and t[0]["suppressed"] is True
    assert t[0]["vex"]["status"] == "not_affected"
    assert t[0]["vex"]["justification"] == "vulnerable_code_not_in_execute_path"
    table = scute_ok("scan", "--db", pypa_db, "--vex", str(path), pipai_ref).stdout
    assert "PYSEC-2022-43015" not in table and "suppressed" in table.lower()
    sarif = json.loads(scute_ok("scan", "--db", pypa_db, "--vex", str(path), "--format", "sarif",
                                pipai_ref).stdout)
    assert all(r["ruleId"] != "PYSEC-2022-43015" for r in sarif["runs"][0]["results"])
    bad = tmp_path / "bad.json"
    bad.write_text('{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"status": "maybe"}]}')
    p = scute("scan", "--db", pypa_db, "--vex", str(bad), pipai_ref)
    assert_error(p, 3, "bad.json")


def test_sarif_for_code_scanning(pypa_db, pipai_ref):
    doc = json.loads(scute_ok("scan", "--db", pypa_db, "--format", "sarif", pipai_ref).stdout)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    rules = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert run["results"], "findings expected"
    for r in run["results"]:
        assert r["ruleId"] in rules
        assert r["level"] in ("error", "warning", "note")
        loc = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert loc and not loc.startswith("/")
        assert r["partialFingerprints"]
    for r in run["tool"]["driver"]["rules"]:
        float(r["properties"]["security-severity"])


def test_cyclonedx_vex_validates(pypa_db, pipai_ref):
    schema_path = os.path.join(SCHEMAS, "cyclonedx-bom-1.6.schema.json")
    if not os.path.isfile(schema_path):
        pytest.skip("CycloneDX schema not found at %s" % schema_path)
    doc = json.loads(scute_ok("scan", "--db", pypa_db, "--format", "cyclonedx", pipai_ref).stdout)
    assert doc["specVersion"] == "1.6" and doc["vulnerabilities"]
    code = r"""
import json, sys, jsonschema
from jsonschema import RefResolver
d = sys.argv[1]
schema = json.load(open(d + '/cyclonedx-bom-1.6.schema.json'))
store = {}
for n in ('spdx.schema.json', 'jsf-0.82.schema.json'):
    s = json.load(open(d + '/' + n))
    store[n] = s
    if '$id' in s:
        store[s['$id']] = s
res = RefResolver.from_schema(schema, store=store)
jsonschema.Draft7Validator(schema, resolver=res).validate(json.load(sys.stdin))
"""
    p = subprocess.run([PY, "-c", code, SCHEMAS], input=json.dumps(doc), capture_output=True, text=True)
    assert p.returncode == 0, p.stderr[-3000:]


def test_scan_json_schema(pypa_db, pipai_ref):
    schema = os.path.join(CHECKOUT, "docs", "schemas", "scan-v1.schema.json")
    doc = scute_ok("scan", "--db", pypa_db, "--format", "json", pipai_ref).stdout
    code = ("import json,sys,jsonschema; s=json.load(open(sys.argv[1]));"
            "jsonschema.validators.validator_for(s)(s).validate(json.load(sys.stdin))")
    p = subprocess.run([PY, "-c", code, schema], input=doc, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr[-3000:]


# --------------------------------------------------------------------------
# Debian's OS-managed Python: distro advisories, not PyPI's, by default


def test_debian_python_no_pypi_findings_by_default(pypa_db, pydeb_ref):
    rep = scan_json(pypa_db, pydeb_ref)
    pypi = [f for f in rep["findings"] if f["package"]["ecosystem"] == "pypi"]
    assert pypi == [], "OS-managed distributions must not get PyPI findings by default: %s" % pypi[:3]
    opt = scan_json(pypa_db, pydeb_ref, "--pypi-os-managed")
    flagged = [f for f in opt["findings"] if f["package"]["ecosystem"] == "pypi"]
    assert flagged, "with --pypi-os-managed, Debian's requests/certifi/jinja2 match PyPA advisories"
    assert all(f.get("os_managed_pypi") is True for f in flagged)


# --------------------------------------------------------------------------
# Debian tracker and Alpine secdb: distro advisories by source package


def test_debian_tracker_by_source_package(tmp_path, debian_dir):
    ref = image_ref("oci", debian_dir, "base")
    sb = json.loads(scute_ok("sbom", "--format", "json", ref).stdout)
    libc = [p for p in sb["packages"] if p["name"] == "libc6"][0]
    src_ver = libc.get("sourceVersion") or libc["version"]
    tracker = {
        "glibc": {
            "CVE-2099-0001": {"description": "glibc test flaw fixed later", "releases": {
                "bookworm": {"status": "resolved", "fixed_version": src_ver + "+scute1", "urgency": "high"},
                "bullseye": {"status": "resolved", "fixed_version": "9:9", "urgency": "high"}}},
            "CVE-2099-0002": {"description": "already fixed", "releases": {
                "bookworm": {"status": "resolved", "fixed_version": "2.0-1", "urgency": "medium"}}},
            "CVE-2099-0003": {"description": "open and unimportant", "releases": {
                "bookworm": {"status": "open", "urgency": "unimportant"}}},
            "CVE-2099-0004": {"description": "only in bullseye", "releases": {
                "bullseye": {"status": "open", "urgency": "high"}}},
        }
    }
    path = tmp_path / "debian.json"
    path.write_text(json.dumps(tracker))
    db = str(tmp_path / "db.sqlite")
    scute_ok("db", "import", "--db", db, str(path))
    rep = scan_json(db, ref)
    by_id = {}
    for f in rep["findings"]:
        by_id.setdefault(f["id"], []).append(f)
    assert set(by_id) == {"CVE-2099-0001", "CVE-2099-0003"}, sorted(by_id)
    names = {f["package"]["name"] for f in by_id["CVE-2099-0001"]}
    assert {"libc6", "libc-bin"} <= names, "binaries built from glibc are affected: %s" % names
    f = by_id["CVE-2099-0001"][0]
    assert f["level"] == "high" and f["status"] == "fixed"
    assert f["fixed_in"] == [src_ver + "+scute1"]
    assert f["matched"]["name"] == "glibc"
    u = by_id["CVE-2099-0003"][0]
    assert u["status"] == "unimportant" and u["level"] == "negligible"
    assert not scan_json(db, ref, "--ignore-unfixed")["findings"] or all(
        x["status"] == "fixed" for x in scan_json(db, ref, "--ignore-unfixed")["findings"])


def test_alpine_secdb_by_origin(tmp_path):
    secdb = os.path.join(SECDB, "v3.11", "main.yaml")
    if not os.path.isfile(secdb):
        pytest.skip("Alpine secdb not found at %s" % secdb)
    installed = ("C:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=\nP:libcrypto1.1\nV:1.1.1d-r0\nA:x86_64\nS:1\nI:1\n"
                 "T:Crypto library from openssl\nU:https://www.openssl.org\nL:OpenSSL\no:openssl\n\n"
                 "C:Q1BBBBBBBBBBBBBBBBBBBBBBBBBBB=\nP:musl\nV:1.1.24-r2\nA:x86_64\nS:1\nI:1\n"
                 "T:the musl c library\nU:https://musl.libc.org/\nL:MIT\no:musl\n\n")
    layer = images.tar_bytes([
        images.D("etc"), images.F("etc/os-release", 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.11.3\n'),
        images.D("lib"), images.D("lib/apk"), images.D("lib/apk/db"),
        images.F("lib/apk/db/installed", installed)])
    lay = str(tmp_path / "oci")
    L = images.Layout(lay)
    images.write_image(L, [(layer, "gzip")], ref="alpine")
    db = str(tmp_path / "db.sqlite")
    assert scute("db", "import", "--db", db, secdb).returncode == 0
    rep = scan_json(db, "oci:%s:alpine" % lay)
    ids = {(f["package"]["name"], f["id"]) for f in rep["findings"]}
    # v3.11/main secfixes: openssl 1.1.1d-r3 fixes CVE-2019-1551, 1.1.1d-r1 CVE-2019-1547,
    # 1.1.1b-r1 CVE-2019-1543 (before 1.1.1d-r0: not affected); musl 1.1.23-r2
    # fixes CVE-2019-14697 (1.1.24-r2 is later: not affected).
    assert ("libcrypto1.1", "CVE-2019-1551") in ids, sorted(ids)
    assert ("libcrypto1.1", "CVE-2019-1547") in ids, sorted(ids)
    assert ("libcrypto1.1", "CVE-2019-1543") not in ids, sorted(ids)
    assert not any(n == "musl" for n, _ in ids), sorted(ids)
    fixed = [f for f in rep["findings"] if f["id"] == "CVE-2019-1551"][0]
    assert fixed["fixed_in"] == ["1.1.1d-r3"] and fixed["matched"]["name"] == "openssl"
    assert all(f["matched"]["name"] in ("openssl", "musl") for f in rep["findings"])


# --------------------------------------------------------------------------
# SBOMs written by other tools (Syft, Trivy; tests/fixtures/sbom)


@pytest.mark.parametrize("fixture", ["syft-debian12.cdx.json", "syft-debian12.spdx.json",
                                     "trivy-debian12.cdx.json"])
def test_other_tools_sboms_by_source_package(tmp_path, fixture):
    tracker = {
        "openssl": {"CVE-2099-0101": {"description": "openssl flaw", "releases": {
            "bookworm": {"status": "resolved", "fixed_version": "3.0.14-1~deb12u1", "urgency": "medium"}}}},
        "glibc": {"CVE-2099-0102": {"description": "glibc flaw", "releases": {
            "bookworm": {"status": "resolved", "fixed_version": "2.36-9+deb12u8", "urgency": "high"}}}},
        # The source version has no epoch; bsdutils' binary version has one (1:2.38.1-5+deb12u1),
        # so comparing the binary version would wrongly say "not affected".
        "util-linux": {"CVE-2099-0103": {"description": "util-linux flaw", "releases": {
            "bookworm": {"status": "resolved", "fixed_version": "2.38.1-5+deb12u2", "urgency": "low"}}}},
    }
    path = tmp_path / "tracker.json"
    path.write_text(json.dumps(tracker))
    db = str(tmp_path / "db.sqlite")
    assert scute("db", "import", "--db", db, str(path)).returncode == 0
    rep = scan_json(db, os.path.join(CHECKOUT, "tests", "fixtures", "sbom", fixture))
    got = {(f["package"]["name"], f["id"]) for f in rep["findings"]}
    want = {("libssl3", "CVE-2099-0101"), ("openssl", "CVE-2099-0101"), ("libc6", "CVE-2099-0102"),
            ("bsdutils", "CVE-2099-0103")}
    assert want <= got, "missing %s" % sorted(want - got)
    assert all(f["matched"]["ecosystem"] == "Debian:12" for f in rep["findings"])


# --------------------------------------------------------------------------
# npm: names with scopes, SEMVER ranges, several windows


def test_npm_image(tmp_path):
    def rec(i, name, ranges, rtype="SEMVER"):
        return {"schema_version": "1.6.0", "id": "GHSA-test-%04d" % i, "modified": "2024-01-01T00:00:00Z",
                "summary": "npm advisory %d" % i,
                "affected": [{"package": {"ecosystem": "npm", "name": name},
                              "ranges": [{"type": rtype, "events": ev} for ev in ranges]}]}
    recs = [
        # modelled on GHSA-rv95-896h-c2vc (express open redirect): two windows
        rec(1, "express", [[{"introduced": "0"}, {"fixed": "4.19.2"}],
                           [{"introduced": "5.0.0-alpha.1"}, {"fixed": "5.0.0-beta.3"}]]),
        # modelled on GHSA-qwcr-r2fm-qrc7 (body-parser): ECOSYSTEM range
        rec(2, "body-parser", [[{"introduced": "0"}, {"fixed": "1.20.3"}]], "ECOSYSTEM"),
        # a scoped package, last_affected equal to the installed version
        rec(3, "@sindresorhus/is", [[{"introduced": "4.0.0"}, {"last_affected": "4.6.0"}]]),
        # not affected: fixed before the installed version
        rec(4, "@types/node", [[{"introduced": "0"}, {"fixed": "20.0.0"}]]),
        rec(5, "lodash", [[{"introduced": "0"}, {"fixed": "4.17.21"}]]),
    ]
    d = tmp_path / "osv"
    d.mkdir()
    for r in recs:
        (d / (r["id"] + ".json")).write_text(json.dumps(r))
    db = str(tmp_path / "db.sqlite")
    assert scute("db", "import", "--db", db, str(d)).returncode == 0
    rep = scan_json(db, image_ref("oci", images.npm(), "npm"))
    got = {(f["package"]["name"], f["id"], f["status"]) for f in rep["findings"]}
    assert got == {("express", "GHSA-test-0001", "fixed"), ("body-parser", "GHSA-test-0002", "fixed"),
                   ("@sindresorhus/is", "GHSA-test-0003", "unfixed")}, sorted(got)
    fixed = {f["id"]: f["fixed_in"] for f in rep["findings"]}
    assert fixed["GHSA-test-0001"] == ["4.19.2"] and fixed["GHSA-test-0002"] == ["1.20.3"]
