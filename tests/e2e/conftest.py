"""Shared fixtures for scute's end-to-end tests.

The binary comes from $SCUTE (default /work/main/build/src/scute, i.e.
<checkout>/build/src/scute). Test images are built by images.py and cached
under $SCUTE_CACHE (default /var/tmp/scute-cache); the first run builds them
(about a minute, needs deb.debian.org for debootstrap), later runs reuse them.
The SBOM images of test_sbom.py take longer the first time: pydeb 2-4 min
(debootstrap with Python packages), torch (slow tests) about 8-12 min more
(Debian's python3-torch and its ~180 dependencies), npm ~15 s (needs the
npm registry); .debs are kept in $SCUTE_CACHE/debs for rebuilds.
With SCUTE_SANITIZED=1 every run also asserts that stderr carries no
AddressSanitizer/UBSan report.
Registry tests (test_registry_infra.py, test_mirror_registry.py) start
Debian's docker-registry, a token server and a fault proxy on loopback
(registry.py) per module, and skip with the reason when docker-registry,
skopeo, htpasswd or python3-cryptography/python3-jwt are missing.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import images  # noqa: E402

CHECKOUT = os.path.dirname(os.path.dirname(HERE))
SCUTE = os.environ.get("SCUTE") or os.path.join(CHECKOUT, "build", "src", "scute")
SANITIZED = os.environ.get("SCUTE_SANITIZED") == "1"
TIMEOUT = int(os.environ.get("SCUTE_TEST_TIMEOUT", "300"))
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer",
                     "SUMMARY: UndefinedBehaviorSanitizer")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: builds or scans a large image (deselect with -m 'not slow')")


def check_sanitizer(stderr):
    if SANITIZED:
        for m in SANITIZER_MARKERS:
            assert m not in stderr, "sanitizer report on stderr:\n" + stderr


def scute(*args, cwd=None, env=None, timeout=TIMEOUT):
    """Run the scute binary; return CompletedProcess with text stdout/stderr.
    stdin is /dev/null and stdout/stderr are pipes (never a TTY).  env adds
    to the environment; a None value removes the variable."""
    if not (os.path.isfile(SCUTE) and os.access(SCUTE, os.X_OK)):
        pytest.fail("scute binary not found at %s (set SCUTE=...)" % SCUTE)
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    for k, v in (env or {}).items():
        if v is None:           # None unsets a variable
            e.pop(k, None)
        else:
            e[k] = v
    p = subprocess.run([SCUTE] + [str(a) for a in args], cwd=cwd, env=e, timeout=timeout,
                       stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout = p.stdout.decode("utf-8", "replace")
    p.stderr = p.stderr.decode("utf-8", "replace")
    check_sanitizer(p.stderr)
    return p


def scute_env(env, *args, extra_env=None, **kw):
    """scute(*args) with a test module's base environment env, plus extra_env."""
    e = dict(env)
    e.update(extra_env or {})
    return scute(*args, env=e, **kw)


def describe(p):
    out = p.stdout if len(p.stdout) < 2000 else p.stdout[:2000] + "...(truncated)"
    return "command: %s\nexit: %s\nstderr:\n%s\nstdout:\n%s" % (
        " ".join(map(str, p.args)), p.returncode, p.stderr, out)


def scute_ok(*args, **kw):
    """Run scute, require exit 0 and an empty stderr (no progress off a TTY)."""
    p = scute(*args, **kw)
    assert p.returncode == 0, describe(p)
    assert p.stderr == "", "stderr must be empty on success off a TTY\n" + describe(p)
    return p


def inspect_json(image, *extra, **kw):
    p = scute_ok("inspect", "--json", *extra, image, **kw)
    try:
        return json.loads(p.stdout)
    except ValueError as e:
        pytest.fail("stdout is not JSON (%s)\n%s" % (e, describe(p)))


def assert_error(p, status, *phrases, any_of=None):
    """Require exit status, exactly one stderr line 'scute: error: ...', each
    phrase (case-insensitive) in it, and at least one of any_of if given."""
    d = describe(p)
    assert p.returncode == status, "expected exit %d\n%s" % (status, d)
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and p.stderr.endswith("\n"), "expected exactly one stderr line\n" + d
    line = lines[0]
    if status != 2:
        assert line.startswith("scute: error: "), d
    else:
        assert line.startswith("scute: "), d
    low = line.lower()
    for ph in phrases:
        assert ph.lower() in low, "stderr lacks %r\n%s" % (ph, d)
    if any_of:
        assert any(ph.lower() in low for ph in any_of), "stderr lacks any of %r\n%s" % (any_of, d)
    return line


# --------------------------------------------------------------------------
# Images (session-scoped; cached on disk across sessions)


@pytest.fixture(scope="session")
def debian_dir():
    return images.debian()


@pytest.fixture(scope="session")
def layers_dir():
    return images.layers()


@pytest.fixture(scope="session")
def zstd_dir():
    return images.zstd()


@pytest.fixture(scope="session")
def zstd_layers_dir():
    return images.zstd_layers()


@pytest.fixture(scope="session")
def index_dir():
    return images.index()


@pytest.fixture(scope="session")
def million_dir():
    return images.million()


# --------------------------------------------------------------------------
# Ground truth: the merged rootfs as `umoci unpack` writes it


def walk_rootfs(root):
    """{"/path": {type, mode, uid, gid, size?, link?, ino}} for every node
    below root (root itself excluded), using lstat."""
    import stat
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            st = os.lstat(full)
            rel = "/" + os.path.relpath(full, root)
            m = st.st_mode
            typ = ("dir" if stat.S_ISDIR(m) else "file" if stat.S_ISREG(m) else
                   "symlink" if stat.S_ISLNK(m) else "char" if stat.S_ISCHR(m) else
                   "block" if stat.S_ISBLK(m) else "fifo" if stat.S_ISFIFO(m) else
                   "socket" if stat.S_ISSOCK(m) else "unknown")
            e = {"type": typ, "mode": stat.S_IMODE(m), "uid": st.st_uid, "gid": st.st_gid,
                 "ino": st.st_ino, "nlink": st.st_nlink}
            if typ == "file":
                e["size"] = st.st_size
            if typ == "symlink":
                e["link"] = os.readlink(full)
            out[rel] = e
        # os.walk does not descend into symlinked dirs (followlinks=False).
    return out


def ground_truth(image_ref, name):
    """Cached walk of `umoci unpack --image image_ref` (name keys the cache
    and must change when the image changes)."""
    def build(tmp):
        bundle = os.path.join(tmp, "bundle")
        images.run("umoci", "unpack", "--image", image_ref, bundle, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
        truth = walk_rootfs(os.path.join(bundle, "rootfs"))
        images.safe_rmtree(bundle)
        with open(os.path.join(tmp, "truth.json"), "w") as f:
            json.dump(truth, f)
    d = images.cached("truth-" + name, build, version="1")
    with open(os.path.join(d, "truth.json")) as f:
        return json.load(f)


@pytest.fixture(scope="session")
def debian_truth(debian_dir):
    return ground_truth(os.path.join(debian_dir, "oci") + ":base", "debian-" + images.VERSIONS["debian"])


@pytest.fixture(scope="session")
def layers_truth(layers_dir):
    return ground_truth(os.path.join(layers_dir, "oci") + ":layers", "layers-" + images.VERSIONS["layers"])


@pytest.fixture
def workdir():
    """An empty directory to run scute in; asserted still empty afterwards."""
    d = tempfile.mkdtemp(prefix="scute-e2e-cwd-")
    yield d
    left = os.listdir(d)
    import shutil
    shutil.rmtree(d, ignore_errors=True)
    assert left == [], "scute left files in its working directory: %r" % left


def image_ref(transport, path, ref=None):
    """Image name "TRANSPORT:PATH[:REF]". path may also be an image cache dir
    returned by a fixture (debian_dir, layers_dir, ...: it holds oci/ and, for
    debian, oci.tar and docker.tar); then the member for transport is used
    (with no REF: the layout's or archive's only image)."""
    member = {"oci": "oci", "oci-archive": "oci.tar", "docker-archive": "docker.tar"}
    if transport in member and os.path.isdir(os.path.join(path, "oci")):
        path = os.path.join(path, member[transport])
    return "%s:%s%s" % (transport, path, (":" + ref) if ref else "")


def short(digest):
    return digest.split(":", 1)[1][:12]


def load_json(path):
    with open(path) as f:
        return json.load(f)


def re_escape(s):
    return re.escape(s)


# --------------------------------------------------------------------------
# tests/tools/vercmp: scute's version comparators for the differential tests


def vercmp_path():
    cands = []
    if os.environ.get("SCUTE_VERCMP"):
        cands.append(os.environ["SCUTE_VERCMP"])
    if os.environ.get("SCUTE"):
        cands.append(os.path.join(os.path.dirname(os.path.dirname(os.environ["SCUTE"])),
                                  "tests", "vercmp"))
    cands.append(os.path.join(CHECKOUT, "build", "tests", "vercmp"))
    for c in cands:
        if os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


@pytest.fixture(scope="module")
def vercmp():
    p = vercmp_path()
    if not p:
        pytest.skip("tests/vercmp helper not built (set SCUTE_VERCMP or SCUTE)")

    def run(scheme, pairs):
        inp = "".join("%s %s %s\n" % (scheme, a, b) for a, b in pairs)
        out = subprocess.run([p], input=inp, capture_output=True, text=True, check=True,
                             timeout=120).stdout.split("\n")
        assert len(out) == len(pairs) + 1
        return [o if o == "error" else int(o) for o in out[:-1]]
    return run


# --------------------------------------------------------------------------
# Real registries (registry.py): docker-registry processes, the token
# server and the fault proxy, started per test module and stopped (and
# their directories removed) when the module ends.


def require_registry_tools():
    """Skip (never pass) when docker-registry, skopeo, htpasswd or the
    Python crypto modules are missing."""
    import registry
    missing = registry.missing_tools()
    if missing:
        pytest.skip("registry tests need: " + ", ".join(missing) + " (scripts/deps.sh installs them)")


class RegistryStack:
    """Creates registries and proxies for one test module; close() stops
    all of them and removes their directories."""

    def __init__(self):
        import registry
        self.R = registry
        self.root = tempfile.mkdtemp(prefix="scute-e2e-reg-")
        self.made = []

    def registry(self, kind, **kw):
        d = tempfile.mkdtemp(prefix=kind + "-", dir=self.root)
        r = self.R.Registry(kind, d, **kw)
        self.made.append(r)
        return r

    def proxy(self, upstream, **kw):
        p = self.R.FaultProxy(upstream, **kw)
        self.made.append(p)
        return p

    def tmpdir(self, prefix="t-"):
        return tempfile.mkdtemp(prefix=prefix, dir=self.root)

    def close(self):
        import shutil
        leftover = []
        for obj in reversed(self.made):
            obj.close()
            proc = getattr(obj, "proc", None)
            if proc is not None:
                leftover.append(obj)
        shutil.rmtree(self.root, ignore_errors=True)
        assert not leftover, "registries still running: %r" % leftover


@pytest.fixture(scope="module")
def registry_stack():
    require_registry_tools()
    st = RegistryStack()
    yield st
    st.close()
