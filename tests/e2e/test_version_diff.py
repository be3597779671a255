"""Differential tests of scute's version comparators against the real
implementations: `dpkg --compare-versions` (dpkg) and rpm.labelCompare from
python3-rpm (rpm), over thousands of deterministically generated pairs plus
real versions (this machine's dpkg database, Alpine secdb).  apk has no
oracle on Debian: every Alpine secdb version must be accepted exactly when it
matches apk-tools' grammar, and orderings must be consistent (a total order).

The comparators are reached through tests/tools/vercmp (built as
<builddir>/tests/vercmp): found via $SCUTE_VERCMP, else next to $SCUTE's
build dir, else <checkout>/build/tests/vercmp.  Run with /usr/bin/python3
(Debian's python3-rpm is not importable from other interpreters).
"""

import functools
import glob
import os
import random
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKOUT = os.path.dirname(os.path.dirname(HERE))
SECDB = os.path.join(os.path.dirname(CHECKOUT), "shared", "data", "alpine-secdb")
N_DPKG = int(os.environ.get("SCUTE_VERDIFF_DPKG", "3000"))
N_RPM = int(os.environ.get("SCUTE_VERDIFF_RPM", "20000"))


# ----------------------------------------------------------------- generators

def gen_dpkg_version(rnd):
    """Mostly valid, sometimes hostile, Debian versions (no whitespace)."""
    def part(alpha, n):
        return "".join(rnd.choice(alpha) for _ in range(rnd.randint(1, n)))
    core = rnd.choice([
        lambda: part("0123456789", 3) + "".join(rnd.choice([".", "+", "~", "", "a", "b"]) + part("0123456789ab~", 3)
                                               for _ in range(rnd.randint(0, 3))),
        lambda: part("0123456789.~+abcAZ", 8),
        lambda: part("01.~", 6),
        lambda: part("0123456789.~+-:abz", 10),
        lambda: rnd.choice(["1.0", "1.0~rc1", "1.0~~", "1.0~", "1.0a", "1.0+", "1.0.", "1.00", "01.0",
                            "a1.0", "~1", "1.0+dfsg", "1.0+dfsg~1", "2", "10", "1..0", "1.0-", "-1"]),
    ])()
    if rnd.random() < 0.5:
        core += "-" + rnd.choice([part("0123456789", 2), part("0123456789.~+a", 5),
                                  "0", "1", "1~bpo1", "0ubuntu1", "1+b1", "1deb12u1", "1.1"])
    r = rnd.random()
    if r < 0.15:
        core = rnd.choice(["0", "1", "2", "10", "01"]) + ":" + core
    elif r < 0.18:
        core = rnd.choice(["a", "", "99999999999", "1a", "00"]) + ":" + core
    if rnd.random() < 0.03:
        core += rnd.choice(["!", "_", "%", ",", "@"])
    return core


def gen_rpm_version(rnd):
    def part(alpha, n):
        return "".join(rnd.choice(alpha) for _ in range(rnd.randint(1, n)))
    v = rnd.choice([
        lambda: ".".join(part("0123456789", 3) for _ in range(rnd.randint(1, 4))),
        lambda: part("0123456789.~^_+ab", 8),
        lambda: part("01.~^a", 6),
        lambda: part("0123456789aZz.~^_+", 10),
        lambda: rnd.choice(["1.0", "1.0~rc1", "1.0^git1", "1.0^", "1.0~", "1.0~^", "1.0^~", "1.0a",
                            "1.0.a", "1.00", "01.0", "a", "1.0_1", "1.0+", "1..0", "2.0.1~beta",
                            "5.14.0", "1.0^20230101git3ee5f"]),
    ])()
    if rnd.random() < 0.6:
        v += "-" + rnd.choice([part("0123456789", 2), part("0123456789.~^ael", 6), "1.el8",
                               "1.el8_4", "2.fc38", "0.1.rc1.fc39", "1~bootstrap", "1^1"])
    if rnd.random() < 0.2:
        v = str(rnd.choice([0, 1, 2, 10, 1000])) + ":" + v
    return v


# --------------------------------------------------------------------- dpkg

DPKG_UPSTREAM = re.compile(r"[A-Za-z0-9.+~:-]*")
DPKG_REVISION = re.compile(r"[A-Za-z0-9.+~]*")


def dpkg_bad_chars(v):
    """dpkg warns (and scute refuses) about characters outside these sets, but
    dpkg stops at its first warning, so a version not starting with a digit
    is never checked further: apply the character rule on dpkg's split.
    dpkg reads the epoch with strtol ("+1:" passes); scute wants digits."""
    if ":" in v:
        e, v = v.split(":", 1)
        if not re.fullmatch(r"[0-9]+", e):
            return True
    up, _, rev = v.rpartition("-") if "-" in v else (v, "", "")
    return not (DPKG_UPSTREAM.fullmatch(up) and DPKG_REVISION.fullmatch(rev))


def dpkg_oracle(a, b):
    """-1/0/1, or "error" when dpkg rejects either version or warns about an
    invalid character (scute rejects those)."""
    res = []
    for op in ("lt", "eq"):
        p = subprocess.run(["dpkg", "--compare-versions", "--", a, op, b], capture_output=True, text=True)
        if p.returncode not in (0, 1) or "invalid character" in p.stderr:
            return "error"
        if dpkg_bad_chars(a) or dpkg_bad_chars(b):
            return "error"
        res.append(p.returncode == 0)
        if res[0]:
            return -1
    return 0 if res[1] else 1


def test_dpkg_differential(vercmp):
    if not shutil.which("dpkg"):
        pytest.skip("dpkg not installed: no oracle for Debian versions")
    rnd = random.Random(20240611)
    pairs = []
    for _ in range(N_DPKG):
        a = gen_dpkg_version(rnd)
        b = gen_dpkg_version(rnd) if rnd.random() < 0.7 else a + rnd.choice(["", "~", "0", ".0", "a", "+1", "-1"])
        pairs.append((a, b))
    installed = subprocess.run(["dpkg-query", "-W", "-f", "${Version}\n"], capture_output=True,
                               text=True).stdout.split()
    installed = sorted(set(installed))
    for _ in range(min(1000, len(installed) ** 2)):
        pairs.append((rnd.choice(installed), rnd.choice(installed)))
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as ex:
        want = list(ex.map(lambda ab: dpkg_oracle(*ab), pairs))
    got = vercmp("dpkg", pairs)
    bad = [(a, b, w, g) for (a, b), w, g in zip(pairs, want, got) if w != g]
    print("dpkg: %d pairs, %d valid, %d mismatches" % (len(pairs), sum(w != "error" for w in want), len(bad)))
    assert sum(w != "error" for w in want) > len(pairs) // 2
    assert not bad, "scute vs dpkg (a, b, dpkg, scute): %r" % bad[:20]


# ---------------------------------------------------------------------- rpm

RPM_FIELD = re.compile(r"[A-Za-z0-9._+~^]+")


def rpm_split(v):
    """scute's EVR rules; None when scute must reject v."""
    e = None
    if ":" in v:
        e, v = v.split(":", 1)
        if not e.isdigit() or not e.isascii() or int(e) > 0xFFFFFFFF:
            return None
    r = None
    if "-" in v:
        v, r = v.rsplit("-", 1)
        if not RPM_FIELD.fullmatch(r):
            return None
    if not RPM_FIELD.fullmatch(v):
        return None
    return (e, v, r)


def test_rpm_differential(vercmp):
    try:
        import rpm
    except ImportError:
        pytest.skip("python3-rpm not importable (apt-get install python3-rpm; use /usr/bin/python3)")
    rnd = random.Random(4242)
    pairs = []
    for _ in range(N_RPM):
        a = gen_rpm_version(rnd)
        b = gen_rpm_version(rnd) if rnd.random() < 0.7 else a + rnd.choice(["", "~", "^", "0", ".0", "a", "^1", "-1"])
        pairs.append((a, b))
    want = []
    for a, b in pairs:
        ea, eb = rpm_split(a), rpm_split(b)
        want.append("error" if ea is None or eb is None else rpm.labelCompare(ea, eb))
    got = vercmp("rpm", pairs)
    bad = [(a, b, w, g) for (a, b), w, g in zip(pairs, want, got) if w != g]
    print("rpm: %d pairs, %d valid, %d mismatches" % (len(pairs), sum(w != "error" for w in want), len(bad)))
    assert sum(w != "error" for w in want) > len(pairs) // 2
    assert not bad, "scute vs rpm.labelCompare (a, b, rpm, scute): %r" % bad[:20]


# ---------------------------------------------------------------------- apk

APK_GRAMMAR = re.compile(r"[0-9]+(\.[0-9]+)*[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]*)*"
                         r"(~[0-9a-fA-F]+)?(-r[0-9]+)?")


def secdb_versions():
    vers = set()
    for f in glob.glob(os.path.join(SECDB, "*", "*.yaml")):
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                m = re.match(r'^        "?([^ "#][^ "]*)"?:\s*$', line)
                if m:
                    vers.add(m.group(1))
    return sorted(vers)


def check_total_order(vercmp, scheme, versions):
    """Sort with the comparator, then check every pair of the sorted list."""
    versions = list(versions)
    res = dict(zip(((a, b) for a in versions for b in versions),
                   vercmp(scheme, [(a, b) for a in versions for b in versions])))
    ordered = sorted(versions, key=functools.cmp_to_key(lambda a, b: res[(a, b)]))
    for i, a in enumerate(ordered):
        assert res[(a, a)] == 0
        for b in ordered[i + 1:]:
            assert res[(a, b)] in (-1, 0) and res[(b, a)] == -res[(a, b)], (a, b, res[(a, b)])


def test_apk_secdb(vercmp):
    vers = secdb_versions()
    if not vers:
        pytest.skip("Alpine secdb not found at %s" % SECDB)
    got = vercmp("apk", [(v, v) for v in vers])
    rejected = [v for v, g in zip(vers, got) if g == "error"]
    # A handful of secdb keys are typos that apk-tools itself rejects
    # ("1.0.4.-r0", "6.6.2p1-r0", "2.7.16-33"): validity must match the grammar.
    assert rejected == [v for v in vers if not APK_GRAMMAR.fullmatch(v)]
    assert len(rejected) < len(vers) // 50
    print("apk: %d secdb versions, %d rejected: %s" % (len(vers), len(rejected), rejected))
    rnd = random.Random(7)
    ok = [v for v in vers if v not in rejected]
    check_total_order(vercmp, "apk", rnd.sample(ok, 150))


def test_apk_generated_grammar(vercmp):
    rnd = random.Random(99)
    alpha = "0123456789._-rabcpz~"
    words = ["_alpha", "_beta", "_pre", "_rc", "_p", "_cvs", "_svn", "_git", "_hg", "_x", "-r", "~", "."]
    vs = []
    for _ in range(4000):
        s = str(rnd.randint(0, 20))
        for _ in range(rnd.randint(0, 5)):
            s += rnd.choice(words + list(alpha)) if rnd.random() < 0.5 else str(rnd.randint(0, 12))
        vs.append(s)
    got = vercmp("apk", [(v, v) for v in vs])
    bad = [v for v, g in zip(vs, got) if (g != "error") != bool(APK_GRAMMAR.fullmatch(v))]
    assert not bad, bad[:20]
    valid = sorted({v for v in vs if APK_GRAMMAR.fullmatch(v)})
    assert len(valid) > 500
    check_total_order(vercmp, "apk", rnd.sample(valid, 150))


def test_dpkg_rpm_total_order(vercmp):
    rnd = random.Random(5)
    for scheme, gen in (("dpkg", gen_dpkg_version), ("rpm", gen_rpm_version)):
        vs = sorted({gen(rnd) for _ in range(400)})
        ok = [v for v, g in zip(vs, vercmp(scheme, [(v, v) for v in vs])) if g != "error"]
        check_total_order(vercmp, scheme, ok[:150])


# ----------------------------------------------------------------------- go

GO_ORDERED = [
    "v0.0.0-20191109021931-daa7c04131f5", "v0.0.0-20200101000000-000000000000", "v0.0.0",
    "v0.0.1-0.20200101000000-abcdefabcdef", "v0.0.1", "v0.1.0-alpha", "v0.1.0", "v1.0.0-0.20200101000000-abcdefabcdef",
    "v1.0.0-alpha", "v1.0.0-alpha.1", "v1.0.0-alpha.beta", "v1.0.0-beta", "v1.0.0-beta.2",
    "v1.0.0-beta.11", "v1.0.0-rc.1", "v1.0.0-rc.1.0.20200101000000-abcdefabcdef", "v1.0.0",
    "v1.2.3-pre", "v1.2.3-pre.0.20191109021931-daa7c04131f5", "v1.2.3", "v1.2.4-0.20191109021931-daa7c04131f5",
    "v1.2.4", "v1.10.0", "v2.0.0+incompatible", "v2.0.1", "v10.0.0",
]


def test_go_table_order(vercmp):
    n = len(GO_ORDERED)
    pairs = [(a, b) for a in GO_ORDERED for b in GO_ORDERED]
    got = vercmp("go", pairs)
    for (a, b), g in zip(pairs, got):
        i, j = GO_ORDERED.index(a), GO_ORDERED.index(b)
        assert g == (i > j) - (i < j), (a, b, g)
    assert len(got) == n * n
    eq = vercmp("go", [("v1", "v1.0.0"), ("v1.2", "v1.2.0"), ("v2.0.0+incompatible", "v2.0.0"),
                       ("v1.0.0+a", "v1.0.0+b")])
    assert eq == [0, 0, 0, 0]
    bad = ["1.2.3", "go1.21.3", "v1.2.3.4", "v01.2.3", "v1.02.3", "v1.2.3-01", "v1.2-pre",
           "v1.2.3-", "v1.2.3+", "v1.2.3-a..b", "V1.2.3", "v", "", "v1.2.3-a_b"]
    assert vercmp("go", [(v, "v1.0.0") for v in bad]) == ["error"] * len(bad)
