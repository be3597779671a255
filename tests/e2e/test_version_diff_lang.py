"""Differential tests of scute's language-ecosystem version comparators
against the reference implementations:

  pep440  packaging.version.Version (Debian's python3-packaging)
  semver  npm's `semver` package (semver.compare, v7), installed once from
          the npm registry into $SCUTE_CACHE/npm-semver7 (default
          /var/tmp/scute-cache) with Debian's npm, then run with node
  maven   org.apache.maven.artifact.versioning.ComparableVersion from the
          maven-artifact jar (Debian's `maven` package); skipped when absent

over thousands of deterministically generated pairs (valid versions and
mutated, often invalid ones: scute must reject exactly what the oracle
rejects) plus, for pep440, the real versions of the PyPA advisory database
in ../shared/data/osv/pypa-advisory-database (that part is skipped when it
is absent).  Disagreements are counted and listed in the failure message.

The comparators are reached through tests/tools/vercmp, found like in
test_version_diff.py ($SCUTE_VERCMP, next to $SCUTE, <checkout>/build).
Versions never contain white space (vercmp splits its input lines on it).
Pair counts: SCUTE_VERDIFF_PEP440, SCUTE_VERDIFF_SEMVER, SCUTE_VERDIFF_MAVEN;
SCUTE_VERDIFF_SEED shifts the generators' seeds.
"""

import glob
import json
import os
import random
import re
import shutil
import subprocess
import tempfile

import pytest


HERE = os.path.dirname(os.path.abspath(__file__))
CHECKOUT = os.path.dirname(os.path.dirname(HERE))
PYPA = os.path.join(os.path.dirname(CHECKOUT), "shared", "data", "osv", "pypa-advisory-database")
CACHE = os.environ.get("SCUTE_CACHE", "/var/tmp/scute-cache")
N_PEP440 = int(os.environ.get("SCUTE_VERDIFF_PEP440", "20000"))
N_SEMVER = int(os.environ.get("SCUTE_VERDIFF_SEMVER", "20000"))
N_MAVEN = int(os.environ.get("SCUTE_VERDIFF_MAVEN", "12000"))
SEED = int(os.environ.get("SCUTE_VERDIFF_SEED", "0"))  # vary for longer stress runs


def sign(x):
    return (x > 0) - (x < 0)


def disagreements(pairs, got, want):
    bad = [(a, b, g, w) for (a, b), g, w in zip(pairs, got, want) if g != w]
    return bad, "%d of %d pairs disagree (a, b, scute, oracle):\n%s" % (
        len(bad), len(pairs), "\n".join(repr(x) for x in bad[:30]))


def mutate(rnd, v, alphabet):
    """Insert, delete or replace one character."""
    op = rnd.randrange(3)
    i = rnd.randrange(len(v) + 1)
    c = rnd.choice(alphabet)
    if op == 0:
        v = v[:i] + c + v[i:]
    elif op == 1 and len(v) > 1:
        v = v[:i] + v[i + 1:]
    else:
        v = v[:i] + c + v[i + 1:]
    return v or "0"


def random_case(rnd, s):
    return "".join(c.upper() if rnd.random() < 0.2 else c for c in s)


# -------------------------------------------------------------------- pep440

def gen_pep440(rnd):
    def num():
        r = rnd.random()
        if r < 0.6:
            return str(rnd.randrange(4))
        if r < 0.8:
            return str(rnd.randrange(100))
        if r < 0.9:
            return "0" + str(rnd.randrange(10))
        return str(rnd.randrange(10 ** rnd.randrange(1, 25)))

    def sep():
        return rnd.choice(["", "", ".", "-", "_"])

    v = rnd.choice(["", "", "", "v", "V"])
    if rnd.random() < 0.1:
        v += num() + "!"
    v += ".".join(num() for _ in range(rnd.choice([1, 2, 2, 3, 3, 3, 4, 6])))
    if rnd.random() < 0.4:
        lab = rnd.choice(["a", "b", "rc", "c", "alpha", "beta", "pre", "preview"])
        v += sep() + random_case(rnd, lab) + (sep() + num() if rnd.random() < 0.8 else sep() * (rnd.random() < 0.2))
    if rnd.random() < 0.3:
        if rnd.random() < 0.3:
            v += "-" + num()
        else:
            v += sep() + random_case(rnd, rnd.choice(["post", "rev", "r"])) + (sep() + num() if rnd.random() < 0.8 else "")
    if rnd.random() < 0.3:
        v += sep() + random_case(rnd, "dev") + (sep() + num() if rnd.random() < 0.8 else "")
    if rnd.random() < 0.25:
        segs = [rnd.choice(["cu121", "ubuntu", "1", "01", "abc", "Z9", "local", "7", "0", "cpu", "a"])
                for _ in range(rnd.randrange(1, 4))]
        v += "+" + segs[0] + "".join(rnd.choice(".-_") + s for s in segs[1:])
    if rnd.random() < 0.25:
        v = mutate(rnd, v, "0123456789.-_+!vabcdeprotlhiwAB")
    return v


def pypa_versions():
    vs = set()
    for f in glob.glob(os.path.join(PYPA, "vulns", "*", "*.yaml")):
        with open(f, encoding="utf-8", errors="replace") as fh:
            in_list = False
            for line in fh:
                m = re.match(r"\s*(?:- )?(introduced|fixed|last_affected|limit):\s*['\"]?([^'\"\s]+)", line)
                if m:
                    vs.add(m.group(2))
                    continue
                if re.match(r"\s*versions:\s*$", line):
                    in_list = True
                    continue
                if in_list:
                    m = re.match(r"\s*-\s+['\"]?([^'\"\s]+)['\"]?\s*$", line)
                    if m:
                        vs.add(m.group(1))
                    else:
                        in_list = False
    vs.discard("0")
    return sorted(vs)


def pep440_oracle(pairs):
    from packaging.version import InvalidVersion, Version
    cache = {}

    def parse(v):
        if v not in cache:
            try:
                cache[v] = Version(v)
            except InvalidVersion:
                cache[v] = None
        return cache[v]
    out = []
    for a, b in pairs:
        x, y = parse(a), parse(b)
        if x is None or y is None:
            out.append("error")
        else:
            out.append((x > y) - (x < y))
    return out


def need_packaging():
    try:
        import packaging.version  # noqa: F401
    except ImportError:
        pytest.skip("python3-packaging not installed (scripts/deps.sh)")


def test_pep440_generated(vercmp):
    need_packaging()
    rnd = random.Random(440 + SEED)
    pool = [gen_pep440(rnd) for _ in range(4000)]
    pairs = [(rnd.choice(pool), rnd.choice(pool)) for _ in range(N_PEP440)]
    # Near neighbours: the same version with one part changed.
    for _ in range(N_PEP440 // 4):
        a = rnd.choice(pool)
        pairs.append((a, mutate(rnd, a, "0123456789.-_+")))
    got = vercmp("pep440", pairs)
    want = pep440_oracle(pairs)
    nvalid = sum(1 for w in want if w != "error")
    bad, msg = disagreements(pairs, got, want)
    print("pep440 generated: %d pairs, %d with both valid, %d disagreements"
          % (len(pairs), nvalid, len(bad)))
    assert nvalid > len(pairs) // 3
    assert not bad, msg


def test_pep440_pypa_advisories(vercmp):
    need_packaging()
    if not os.path.isdir(os.path.join(PYPA, "vulns")):
        pytest.skip("PyPA advisory database not at %s" % PYPA)
    vs = [v for v in pypa_versions() if not re.search(r"\s", v)]
    assert len(vs) > 1000
    rnd = random.Random(4401 + SEED)
    pairs = [(v, v) for v in vs]
    shuffled = vs[:]
    rnd.shuffle(shuffled)
    pairs += list(zip(shuffled, shuffled[1:]))
    pairs += [(rnd.choice(vs), rnd.choice(vs)) for _ in range(len(vs))]
    got = vercmp("pep440", pairs)
    want = pep440_oracle(pairs)
    bad, msg = disagreements(pairs, got, want)
    print("pep440 PyPA: %d versions, %d pairs, %d rejected by packaging, %d disagreements"
          % (len(vs), len(pairs), sum(1 for w in want[:len(vs)] if w == "error"), len(bad)))
    assert not bad, msg


# -------------------------------------------------------------------- semver

SEMVER_COMPARE_JS = r"""
const semver = require(process.argv[2]);
const pairs = JSON.parse(require('fs').readFileSync(process.argv[3], 'utf8'));
const out = pairs.map(([a, b]) => {
  try { return semver.compare(a, b); } catch (e) { return 'error'; }
});
process.stdout.write(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def semver_oracle():
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("node/npm not installed (scripts/deps.sh)")
    root = os.path.join(CACHE, "npm-semver7")
    mod = os.path.join(root, "node_modules", "semver")
    if not os.path.isfile(os.path.join(mod, "package.json")):
        os.makedirs(CACHE, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix="npm-semver7.", dir=CACHE)
        p = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", tmp, "semver@7"],
                           capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            shutil.rmtree(tmp, ignore_errors=True)
            pytest.skip("npm install semver@7 failed (registry unreachable?): " + p.stderr[-500:])
        try:
            os.rename(tmp, root)
        except OSError:  # another run won the race
            shutil.rmtree(tmp, ignore_errors=True)
    with open(os.path.join(mod, "package.json")) as f:
        version = json.load(f)["version"]

    def run(pairs):
        with tempfile.TemporaryDirectory() as d:
            js = os.path.join(d, "cmp.js")
            data = os.path.join(d, "pairs.json")
            with open(js, "w") as f:
                f.write(SEMVER_COMPARE_JS)
            with open(data, "w") as f:
                json.dump(pairs, f)
            out = subprocess.run(["node", js, mod, data], capture_output=True, text=True,
                                 check=True, timeout=300).stdout
        return [o if o == "error" else sign(o) for o in json.loads(out)]
    run.version = version
    return run


def gen_semver(rnd):
    def num():
        r = rnd.random()
        if r < 0.6:
            return str(rnd.randrange(4))
        if r < 0.95:
            return str(rnd.randrange(1000))
        if r < 0.97:
            return "0" + str(rnd.randrange(10))
        return str(rnd.choice([9007199254740991, 9007199254740992, 9007199254740993,
                               10 ** 17, 2 ** 64, 12345678901234567890123]))

    def ident(pre):
        r = rnd.random()
        if r < 0.35:
            return num() if pre else str(rnd.randrange(100)).zfill(rnd.randrange(1, 4))
        if r < 0.4:
            return rnd.choice(["9007199254740993", "9007199254740992", "18446744073709551617"])
        return rnd.choice(["alpha", "beta", "rc", "a", "b", "x-y", "-", "--1", "0a", "1a", "A", "Z",
                           "SNAPSHOT", "build", "exp", "sha", "f00d", "dev"])

    v = rnd.choice(["", "", "", "", "", "", "", "v", "v", "=", "V", "v="])
    v += ".".join(num() for _ in range(3))
    if rnd.random() < 0.5:
        v += "-" + ".".join(ident(True) for _ in range(rnd.randrange(1, 4)))
    if rnd.random() < 0.25:
        v += "+" + ".".join(ident(False) for _ in range(rnd.randrange(1, 3)))
    if rnd.random() < 0.15:
        v = mutate(rnd, v, "0123456789.-+vaZ=_")
    return v


def test_semver_generated(vercmp, semver_oracle):
    rnd = random.Random(2000 + SEED)
    pool = [gen_semver(rnd) for _ in range(3000)]
    pairs = [(rnd.choice(pool), rnd.choice(pool)) for _ in range(N_SEMVER)]
    # Same MAJOR.MINOR.PATCH: the prerelease decides.
    for _ in range(N_SEMVER // 2):
        a = rnd.choice(pool)
        core = re.match(r"v?\d+\.\d+\.\d+", a)
        b = rnd.choice(pool)
        if core:
            b = core.group(0) + re.sub(r"^v?=?\d+\.\d+\.\d+", "", b)
        pairs.append((a, b))
    got = vercmp("semver", pairs)
    want = semver_oracle(pairs)
    nvalid = sum(1 for w in want if w != "error")
    bad, msg = disagreements(pairs, got, want)
    print("semver %s generated: %d pairs, %d with both valid, %d disagreements"
          % (semver_oracle.version, len(pairs), nvalid, len(bad)))
    assert not bad, msg
    assert nvalid > len(pairs) // 4


# --------------------------------------------------------------------- maven

def maven_jar():
    cands = (glob.glob("/usr/share/maven/lib/maven-artifact*.jar")
             + glob.glob("/usr/share/java/maven3-artifact*.jar")
             + glob.glob("/usr/share/java/maven-artifact*.jar")
             + glob.glob(os.path.expanduser(
                 "~/.m2/repository/org/apache/maven/maven-artifact/*/maven-artifact-*.jar")))
    return cands[0] if cands else None


def maven_oracle(jar, seq):
    """ComparableVersion.main prints 'A OP B' (OP <, > or ==) for consecutive arguments."""
    out = subprocess.run(["java", "-cp", jar, "org.apache.maven.artifact.versioning.ComparableVersion"]
                         + seq, capture_output=True, text=True, check=True, timeout=300).stdout
    res = []
    for line in out.splitlines():
        if line.startswith("   "):
            f = line.split()
            assert len(f) == 3 and f[1] in ("<", ">", "=="), line
            res.append({"<": -1, ">": 1, "==": 0}[f[1]])
    assert len(res) == len(seq) - 1
    return res


def gen_maven(rnd):
    quals = ["alpha", "a", "beta", "b", "milestone", "m", "rc", "cr", "snapshot", "SNAPSHOT", "ga",
             "final", "Final", "release", "RELEASE", "sp", "foo", "jre", "android", "x", "", "GA"]
    parts = []
    for _ in range(rnd.randrange(1, 6)):
        r = rnd.random()
        if r < 0.05:  # zero runs: maven-artifact types numbers by their length
            parts.append("0" * rnd.randrange(1, 25) + rnd.choice(["", "", "7"]))
        elif r < 0.6:
            parts.append(str(rnd.choice([0, 0, 1, 2, 3, 10, 11, rnd.randrange(1000),
                                         10 ** 9, 10 ** 18 + 1, 10 ** 30, 999999999, 1000000000])).zfill(rnd.choice([1, 1, 1, 2])))
        else:
            parts.append(rnd.choice(quals))
    v = parts[0]
    for p in parts[1:]:
        v += rnd.choice([".", ".", "-", "-", ""]) + p
    if rnd.random() < 0.2:
        v = mutate(rnd, v, "0123456789.-abmrsAB_")
    v = v.strip()
    return v if v and not v.startswith("-") else "1" + v


def test_maven_generated(vercmp):
    jar = maven_jar()
    if not jar or not shutil.which("java"):
        pytest.skip("maven-artifact jar or java not found (Debian package `maven`)")
    rnd = random.Random(3000 + SEED)
    seq = []
    while len(seq) < N_MAVEN:
        v = gen_maven(rnd)
        seq.append(v)
        r = rnd.random()
        if r < 0.3:  # an equivalent spelling or a close neighbour next
            seq.append(rnd.choice([v + ".0", v + "-0", v + "-ga", v.upper(), v + ".final",
                                   v + "-1", v + ".1", v + "-sp", v + "-snapshot", v + "a1"]))
    pairs = list(zip(seq, seq[1:]))
    want = []
    for i in range(0, len(seq) - 1, 2000):
        want += maven_oracle(jar, seq[i:i + 2001])
    got = vercmp("maven", pairs)
    bad, msg = disagreements(pairs, got, want)
    print("maven %s: %d pairs, %d disagreements" % (os.path.basename(jar), len(pairs), len(bad)))
    assert not bad, msg
