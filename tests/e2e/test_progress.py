"""The progress bar: drawn on stderr when stderr is a terminal, never with
--quiet, never when stderr is not a terminal (the other e2e tests assert
an empty stderr off a TTY)."""

import os
import pty
import select
import subprocess
import tempfile

from conftest import SCUTE, check_sanitizer, image_ref


def run_with_tty_stderr(*args):
    master, slave = pty.openpty()
    outf = tempfile.TemporaryFile()  # a file, not a pipe: large output must not block the child
    p = subprocess.Popen([SCUTE] + list(args), stdin=subprocess.DEVNULL, stdout=outf, stderr=slave)
    os.close(slave)
    err = b""
    while True:
        r, _, _ = select.select([master], [], [], 0.5)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            err += chunk
        elif p.poll() is not None:
            break
    p.wait(timeout=60)
    outf.seek(0)
    out = outf.read()
    outf.close()
    os.close(master)
    text = err.decode("utf-8", "replace")
    check_sanitizer(text)
    return p.returncode, out, text


def test_progress_on_tty(debian_dir):
    rc, out, err = run_with_tty_stderr("inspect", "--json", image_ref("oci", debian_dir))
    assert rc == 0, err
    assert b'"scuteInspectVersion"' in out, "stdout must still be the JSON"
    assert "reading layers [" in err, "no progress bar on a terminal:\n%r" % err
    assert "MB" in err or "kB" in err
    assert err.rstrip(" ").endswith("\x1b[K"), "the bar must be cleared at the end:\n%r" % err[-80:]


def test_no_progress_with_quiet(debian_dir):
    rc, out, err = run_with_tty_stderr("inspect", "--quiet", image_ref("oci", debian_dir))
    assert rc == 0, err
    assert err == "", "--quiet must print nothing on stderr:\n%r" % err


def test_sbom_progress_on_tty(debian_dir):
    rc, out, err = run_with_tty_stderr("sbom", "--format", "json", image_ref("oci", debian_dir))
    assert rc == 0, err
    assert "cataloguing [" in err
