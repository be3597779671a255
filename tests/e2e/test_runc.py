"""sc_run (src/harden/runc.c) with the real runc, through the
tests/tools/run_rootfs hook: the Debian minbase tree of images.rootfs() is
copied onto a tmpfs mounted by the hook (sc_run_tmpfs_mount) and run as a
bundle: output, exit status, user, limits on output, the timeout, the
generated config's effect (capabilities, no network, hostname), the probe of
opened files, shell-form commands (core/shellwords.c) and clean errors.

Needs root and runc (skipped otherwise). The hook is found at
$SCUTE_RUN_ROOTFS, $SCUTE_BUILD/tests/run_rootfs, next to $SCUTE's build
dir, or <checkout>/build/tests/run_rootfs.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest

import images
from conftest import CHECKOUT, check_sanitizer

TMPFS_SIZE = 1 << 30


def run_rootfs_path():
    cands = []
    if os.environ.get("SCUTE_RUN_ROOTFS"):
        cands.append(os.environ["SCUTE_RUN_ROOTFS"])
    if os.environ.get("SCUTE_BUILD"):
        cands.append(os.path.join(os.environ["SCUTE_BUILD"], "tests", "run_rootfs"))
    if os.environ.get("SCUTE"):
        cands.append(os.path.join(os.path.dirname(os.path.dirname(os.environ["SCUTE"])),
                                  "tests", "run_rootfs"))
    cands.append(os.path.join(CHECKOUT, "build", "tests", "run_rootfs"))
    for c in cands:
        if os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


@pytest.fixture(scope="module")
def tool():
    if os.geteuid() != 0:
        pytest.skip("running containers with runc needs root")
    if not shutil.which("runc"):
        pytest.skip("runc is not installed (apt-get install runc)")
    p = run_rootfs_path()
    if not p:
        pytest.skip("tests/run_rootfs helper not built (set SCUTE_BUILD, SCUTE_RUN_ROOTFS or SCUTE)")
    return p


@pytest.fixture(scope="module")
def state_tmp():
    """TMPDIR for the hook: runc's private state dirs go there and must not stay."""
    d = tempfile.mkdtemp(prefix="scute-e2e-runc-state-")
    yield d
    left = os.listdir(d)
    shutil.rmtree(d, ignore_errors=True)
    assert left == [], "sc_run left state behind: %r" % left


def invoke(tool, args, state_tmp, timeout=120):
    env = dict(os.environ, TMPDIR=state_tmp)
    p = subprocess.run([tool] + [str(a) for a in args], capture_output=True, text=True,
                       timeout=timeout, env=env, stdin=subprocess.DEVNULL)
    check_sanitizer(p.stderr)
    return p


@pytest.fixture(scope="module")
def bundle(tool, state_tmp):
    """A bundle whose rootfs/ is a tmpfs (mounted by the hook) holding a copy
    of the cached Debian minbase tree."""
    src = os.path.join(images.rootfs(), "rootfs")
    b = tempfile.mkdtemp(prefix="scute-e2e-runc-")
    root = os.path.join(b, "rootfs")
    os.mkdir(root)
    p = invoke(tool, ["--mount-tmpfs", root, TMPFS_SIZE], state_tmp)
    assert p.returncode == 0, p.stdout + p.stderr
    try:
        subprocess.run(["cp", "-a", src + "/.", root + "/"], check=True)
        yield b
    finally:
        p = invoke(tool, ["--umount", root], state_tmp)
        assert p.returncode == 0, p.stdout + p.stderr
        shutil.rmtree(b, ignore_errors=True)
    assert runc_ids_left() == []


def runc_ids_left():
    """Containers of ours that a default-root runc could see (there should be none)."""
    p = subprocess.run(["runc", "list", "-q"], capture_output=True, text=True)
    return [i for i in p.stdout.split() if i.startswith("scute-")]


def run(tool, bundle, state_tmp, argv, *opts, words=None, timeout=120):
    """Run argv (or a shell-form command with words=) in bundle; return the
    decoded JSON (the container ran) after checking the hook's exit 0."""
    args = list(opts) + [bundle] + (["--words", words] if words is not None else ["--"] + list(argv))
    p = invoke(tool, args, state_tmp, timeout=timeout)
    assert p.returncode == 0, "exit %d\nstdout: %s\nstderr: %s" % (p.returncode, p.stdout, p.stderr)
    return json.loads(p.stdout)


def run_error(tool, bundle, state_tmp, argv, *opts, words=None):
    args = list(opts) + [bundle] + (["--words", words] if words is not None else ["--"] + list(argv))
    p = invoke(tool, args, state_tmp)
    assert p.returncode != 0, p.stdout
    doc = json.loads(p.stdout)
    assert "\n" not in doc["error"]
    return p.returncode, doc


def test_echo(tool, bundle, state_tmp):
    t = time.monotonic()
    r = run(tool, bundle, state_tmp, ["/bin/echo", "hi"])
    took = time.monotonic() - t
    assert r["exited"] and r["status"] == 0 and not r["signaled"] and not r["timed_out"], r
    assert r["stdout"] == "hi\n" and r["stderr"] == "", r
    assert r["stdout_total"] == 3 and r["stderr_total"] == 0
    assert r["opened"] == [], "no probe asked for"
    assert took < 10, took
    cfg = json.load(open(os.path.join(bundle, "config.json")))
    assert cfg["process"]["args"] == ["/bin/echo", "hi"] and cfg["root"]["path"] == "rootfs"


def test_exit_status(tool, bundle, state_tmp):
    r = run(tool, bundle, state_tmp, ["/bin/sh", "-c", "echo out; echo err >&2; exit 3"])
    assert r["exited"] and r["status"] == 3 and not r["signaled"], r
    assert r["stdout"] == "out\n" and r["stderr"] == "err\n", r


def test_user(tool, bundle, state_tmp):
    r = run(tool, bundle, state_tmp, ["/usr/bin/id", "-u"], "--uid", 65532, "--gid", 65532)
    assert r["status"] == 0 and r["stdout"] == "65532\n", r
    r = run(tool, bundle, state_tmp, ["/bin/sh", "-c", "id -g; id -G"], "--uid", 65532, "--gid", 1234)
    assert r["stdout"] == "1234\n1234\n", r
    r = run(tool, bundle, state_tmp, ["/usr/bin/id", "-u"])
    assert r["stdout"] == "0\n", r


def test_capabilities_and_privileges(tool, bundle, state_tmp):
    def caps(*opts):
        r = run(tool, bundle, state_tmp, ["/bin/grep", "-E", "^(Cap|NoNewPrivs)", "/proc/self/status"], *opts)
        assert r["status"] == 0, r
        return dict(line.split(":\t") for line in r["stdout"].splitlines())
    c = caps("--uid", 65532, "--gid", 65532)
    assert c["CapEff"] == c["CapPrm"] == c["CapBnd"] == c["CapAmb"] == "0000000000000000", c
    assert c["NoNewPrivs"] == "1"
    # root gets runc's default set: AUDIT_WRITE (29), KILL (5), NET_BIND_SERVICE (10)
    c = caps()
    assert c["CapEff"] == c["CapBnd"] == "%016x" % ((1 << 29) | (1 << 5) | (1 << 10)), c


def test_isolation(tool, bundle, state_tmp):
    r = run(tool, bundle, state_tmp, ["/bin/ls", "/sys/class/net"])
    assert r["stdout"] == "lo\n", "no network interfaces but loopback: %r" % r
    r = run(tool, bundle, state_tmp, ["/bin/cat", "/proc/sys/kernel/hostname"])
    assert r["stdout"] == "scute\n", r
    r = run(tool, bundle, state_tmp, ["/bin/sh", "-c", "echo $$; ls /proc | grep -c '^[0-9]'"])
    assert r["stdout"].split("\n")[0] == "1", "own pid namespace: %r" % r
    # stdin is /dev/null: cat ends at once
    r = run(tool, bundle, state_tmp, ["/bin/cat"])
    assert r["status"] == 0 and r["stdout"] == "", r


def test_env_and_cwd(tool, bundle, state_tmp):
    r = run(tool, bundle, state_tmp, ["/usr/bin/env"])
    env = r["stdout"].splitlines()
    assert "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" in env, r
    r = run(tool, bundle, state_tmp, ["/usr/bin/env"], "--env", "FOO=bar baz", "--env", "PATH=/usr/bin")
    env = r["stdout"].splitlines()
    assert "FOO=bar baz" in env and "PATH=/usr/bin" in env, r
    r = run(tool, bundle, state_tmp, ["/bin/pwd"], "--cwd", "/usr/share")
    assert r["stdout"] == "/usr/share\n", r


def test_output_bounded(tool, bundle, state_tmp):
    # 100000 bytes on stdout, 5000 on stderr; keep 1000 of each
    cmd = "head -c 100000 /dev/zero | tr '\\0' a; head -c 5000 /dev/zero | tr '\\0' b >&2"
    r = run(tool, bundle, state_tmp, ["/bin/sh", "-c", cmd], "--output-max", 1000)
    assert r["status"] == 0, r
    assert r["stdout"] == "a" * 1000 and r["stdout_total"] == 100000, (len(r["stdout"]), r["stdout_total"])
    assert r["stderr"] == "b" * 1000 and r["stderr_total"] == 5000
    # default cap 1 MiB; a writer far past it is read to the end, not blocked
    r = run(tool, bundle, state_tmp, ["/bin/sh", "-c", "head -c 20000000 /dev/zero"])
    assert r["status"] == 0 and r["stdout_total"] == 20000000 and len(r["stdout"]) == 1 << 20, \
        (r["status"], r["stdout_total"], len(r["stdout"]))


def test_timeout_kills(tool, bundle, state_tmp):
    t = time.monotonic()
    r = run(tool, bundle, state_tmp, ["/bin/sleep", "100"], "--timeout", 2)
    took = time.monotonic() - t
    assert r["timed_out"] and r["signaled"] and r["signo"] == 9 and not r["exited"], r
    assert 1.5 < took < 15, took
    # a process tree that ignores TERM and keeps the pipes open goes too
    t = time.monotonic()
    r = run(tool, bundle, state_tmp, ["/bin/sh", "-c", "trap '' TERM; sleep 100 & sleep 100; wait"],
            "--timeout", 1)
    assert r["timed_out"] and time.monotonic() - t < 15, r
    # endless output: read and counted until the kill, 1 MiB kept
    r = run(tool, bundle, state_tmp, ["/usr/bin/yes"], "--timeout", 2)
    assert r["timed_out"] and r["signo"] == 9, r["timed_out"]
    assert len(r["stdout"]) == 1 << 20 and r["stdout"].startswith("y\ny\n"), len(r["stdout"])
    assert r["stdout_total"] > 10 << 20, r["stdout_total"]


def resolve_in(root, path, depth=0):
    """path (relative to root) with every symlink followed as the container
    sees it (absolute targets are relative to root); relative result."""
    assert depth < 40, "symlink loop"
    parts, done = [c for c in path.split("/") if c not in ("", ".")], []
    while parts:
        c = parts.pop(0)
        if c == "..":
            done = done[:-1]
            continue
        full = os.path.join(root, *(done + [c]))
        if os.path.islink(full):
            t = os.readlink(full)
            base = [] if t.startswith("/") else done
            return resolve_in(root, "/".join(base + [t] + parts), depth + 1)
        done.append(c)
    return "/".join(done)


def test_probe(tool, bundle, state_tmp):
    root = os.path.join(bundle, "rootfs")
    r = run(tool, bundle, state_tmp, ["/bin/cat", "/etc/hostname"], "--probe")
    assert r["status"] == 0 and r["stdout"] == open(os.path.join(root, "etc/hostname")).read(), r
    opened = r["opened"]
    assert opened == sorted(set(opened)), opened

    def real(p):
        """The file the container reached through p: usrmerge makes /bin a
        symlink to usr/bin, and the probe lists the file, not the link."""
        return resolve_in(root, p)
    assert os.path.islink(os.path.join(root, "bin")), "bookworm minbase is usrmerged"
    for want in ("bin/cat", "etc/hostname", "lib/x86_64-linux-gnu/libc.so.6",
                 "lib64/ld-linux-x86-64.so.2", "etc/ld.so.cache"):
        assert real(want) in opened, (want, real(want), opened)
    assert "usr/bin/cat" in opened and "usr/lib/x86_64-linux-gnu/libc.so.6" in opened
    for p in opened:
        assert not p.startswith("/") and ".." not in p.split("/"), p
        assert os.path.isfile(os.path.join(root, p)) and not os.path.islink(os.path.join(root, p)), p
    # runc's own reads while it sets the user up are not the workload's
    assert "etc/passwd" not in opened and "etc/group" not in opened, opened
    assert len(opened) <= 8, opened


def test_probe_process_tree(tool, bundle, state_tmp):
    cmd = "cat /etc/os-release >/dev/null; ls /usr/share/doc >/dev/null; id -un"
    r = run(tool, bundle, state_tmp, ["/bin/sh", "-c", cmd], "--probe", "--uid", 65532, "--gid", 65532)
    assert r["status"] == 1 and "cannot find name" in r["stderr"], r  # no passwd entry for 65532
    opened = r["opened"]
    for want in ("usr/bin/dash", "usr/bin/cat", "usr/bin/ls", "usr/bin/id", "usr/lib/os-release",
                 "etc/passwd", "etc/nsswitch.conf"):
        assert want in opened, (want, opened)
    assert "usr/share/doc" not in opened, "directories are not listed"
    assert "etc/os-release" not in opened, "symlinks are not listed, their targets are"


def test_probe_needs_own_filesystem(tool, state_tmp, tmp_path):
    if os.stat(str(tmp_path)).st_dev != os.stat("/").st_dev:
        pytest.skip("tmp_path is not on the root filesystem here")
    os.mkdir(str(tmp_path / "rootfs"))
    code, doc = run_error(tool, str(tmp_path), state_tmp, ["/bin/true"], "--probe")
    assert code == 2 and "filesystem of its own" in doc["error"], doc


def test_missing_argv0(tool, bundle, state_tmp):
    for opts in ([], ["--probe"]):
        code, doc = run_error(tool, bundle, state_tmp, ["/nope", "x"], *opts)
        assert code == 3 and doc["code"] == "not found", doc
        assert "'/nope'" in doc["error"] and "no such file or directory" in doc["error"], doc
    code, doc = run_error(tool, bundle, state_tmp, ["nope"])
    assert code == 3 and "executable file not found in $PATH" in doc["error"], doc
    assert runc_ids_left() == []


def test_relative_argv0(tool, bundle, state_tmp):
    # no slash: looked up in the container's PATH (from its env)
    r = run(tool, bundle, state_tmp, ["echo", "hi"])
    assert r["stdout"] == "hi\n", r
    code, doc = run_error(tool, bundle, state_tmp, ["echo", "hi"], "--env", "PATH=/nowhere")
    assert code == 3 and "not found in $PATH" in doc["error"], doc
    # an env without PATH: runc's lookup has no PATH at all (not the host's)
    code, doc = run_error(tool, bundle, state_tmp, ["echo", "hi"], "--env", "FOO=bar")
    assert code == 3 and "not found in $PATH" in doc["error"], doc
    # with a slash: relative to cwd
    r = run(tool, bundle, state_tmp, ["bin/echo", "hi"], "--cwd", "/")
    assert r["stdout"] == "hi\n", r
    r = run(tool, bundle, state_tmp, ["./echo", "hi"], "--cwd", "/usr/bin")
    assert r["stdout"] == "hi\n", r


def test_exec_failure_after_start(tool, bundle, state_tmp):
    # exists but cannot be executed: runc 1.1 reports it from inside the
    # container, as exit status 1 with its message on stderr
    r = run(tool, bundle, state_tmp, ["/etc/hostname"])
    assert r["exited"] and r["status"] != 0 and "exec" in r["stderr"], r


def test_shell_words(tool, bundle, state_tmp):
    r = run(tool, bundle, state_tmp, None, words="/bin/sh -c 'echo \"a b\"; echo c'")
    assert r["stdout"] == "a b\nc\n", r
    r = run(tool, bundle, state_tmp, None, words="/usr/bin/printf '%s|' one 'two three' \"fo\\\"ur\"")
    assert r["stdout"] == 'one|two three|fo"ur|', r
    code, doc = run_error(tool, bundle, state_tmp, None, words="echo a && echo b")
    assert code == 2 and "needs a shell" in doc["error"], doc


def test_bad_spec(tool, bundle, state_tmp):
    code, doc = run_error(tool, bundle, state_tmp, ["/bin/true"], "--cwd", "relative")
    assert code == 2 and "not absolute" in doc["error"], doc
    code, doc = run_error(tool, bundle, state_tmp, ["/bin/true"], "--env", "NOEQUALS")
    assert code == 2 and "NAME=value" in doc["error"], doc
    code, doc = run_error(tool, os.path.join(bundle, "nothere"), state_tmp, ["/bin/true"])
    assert code == 3 and "no rootfs directory" in doc["error"], doc
