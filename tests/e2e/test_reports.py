"""src/cli/reports.c through the tests/tools/cli_reports hook: the documents
attestations carry (one catalog pass) are exactly those `scute sbom`,
`scute scan --format json` and `scute audit --format json` write, the scan
wrapped in cosign's vulnerability predicate.
"""
import json
import re
import os
import subprocess

import pytest

import images
from conftest import CHECKOUT, describe, image_ref, scute

SHARED = os.environ.get("SCUTE_SHARED_DATA") or os.path.join(os.path.dirname(CHECKOUT), "shared", "data")
PYPA = os.path.join(SHARED, "osv", "pypa-advisory-database")
RFC3339 = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"


def cli_reports_path():
    cands = []
    if os.environ.get("SCUTE_CLI_REPORTS"):
        cands.append(os.environ["SCUTE_CLI_REPORTS"])
    if os.environ.get("SCUTE"):
        cands.append(os.path.join(os.path.dirname(os.path.dirname(os.environ["SCUTE"])),
                                  "tests", "cli_reports"))
    cands.append(os.path.join(CHECKOUT, "build", "tests", "cli_reports"))
    for c in cands:
        if os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


@pytest.fixture(scope="module")
def cli_reports():
    path = cli_reports_path()
    if not path:
        pytest.skip("tests/cli_reports helper not built (set SCUTE_CLI_REPORTS or SCUTE)")

    def run(want, image, outdir, db=None, env=None):
        e = dict(os.environ)
        e.update(env or {})
        args = [path] + (["--db", db] if db else []) + [want, image, str(outdir)]
        p = subprocess.run(args, capture_output=True, text=True, timeout=600, env=e)
        p.args = args
        return p
    return run


@pytest.fixture(scope="module")
def pypa_db(tmp_path_factory):
    if not os.path.isdir(os.path.join(PYPA, "vulns")):
        pytest.skip("PyPA advisory database not found at %s" % PYPA)
    db = str(tmp_path_factory.mktemp("vulndb") / "vulndb.sqlite")
    p = scute("db", "import", "--db", db, PYPA)
    assert p.returncode == 0, describe(p)
    return db


@pytest.fixture(scope="module")
def pipai_ref():
    return image_ref("oci", images.pipai(), "pipai")


def verb_bytes(*args):
    p = scute(*args)
    assert p.returncode == 0, describe(p)
    return p.stdout.encode()


def test_documents_equal_the_verbs(cli_reports, pypa_db, pipai_ref, tmp_path):
    p = cli_reports("cyclonedx,spdx,vuln,audit", pipai_ref, tmp_path, db=pypa_db)
    assert p.returncode == 0 and p.stderr == "", describe(p)
    read = lambda n: (tmp_path / (n + ".json")).read_bytes()
    assert read("cyclonedx") == verb_bytes("sbom", "--format", "cyclonedx", pipai_ref)
    assert read("spdx") == verb_bytes("sbom", "--format", "spdx", pipai_ref)
    assert read("audit") == verb_bytes("audit", "--format", "json", pipai_ref)

    scan = json.loads(verb_bytes("scan", "--db", pypa_db, "--format", "json", pipai_ref))
    assert scan["findings"], "the PyPA data should match pipai's packages"
    vuln = json.loads(read("vuln"))
    # cosign's CosignVulnPredicate, fields in its order
    assert list(vuln) == ["invocation", "scanner", "metadata"]
    assert vuln["invocation"] == {"parameters": None, "uri": "", "event_id": "", "builder.id": ""}
    assert list(vuln["scanner"]) == ["uri", "version", "db", "result"]
    assert vuln["scanner"]["uri"] == "https://scute.dev/scute"
    assert vuln["scanner"]["version"] == scan["tool"]["version"]
    assert vuln["scanner"]["db"]["uri"] == pypa_db
    assert vuln["scanner"]["db"]["version"], "newest import time of the database"
    assert vuln["scanner"]["result"] == scan
    for k in ("scanStartedOn", "scanFinishedOn"):
        assert re.match(RFC3339, vuln["metadata"][k]), vuln["metadata"]
    assert vuln["metadata"]["scanStartedOn"] <= vuln["metadata"]["scanFinishedOn"]


def test_only_what_is_asked(cli_reports, pipai_ref, tmp_path):
    # no vuln report: no database needed
    p = cli_reports("spdx", pipai_ref, tmp_path, env={"SCUTE_DB": str(tmp_path / "none.sqlite")})
    assert p.returncode == 0, describe(p)
    assert sorted(os.listdir(tmp_path)) == ["spdx.json"]


def test_missing_db_fails_like_scan(cli_reports, pipai_ref, tmp_path):
    none = str(tmp_path / "none.sqlite")
    scan = scute("scan", pipai_ref, env={"SCUTE_DB": none})
    p = cli_reports("cyclonedx,vuln", pipai_ref, tmp_path, env={"SCUTE_DB": none})
    assert scan.returncode == p.returncode == 3, describe(p)
    assert p.stderr == scan.stderr and "scute db" in p.stderr, describe(p)
    assert os.listdir(tmp_path) == []
