#!/usr/bin/python3
"""sigstore-js (npm @sigstore/verify 3.1.1, @sigstore/bundle 4.0.0,
@sigstore/core 3.2.1) as an independent verifier of Sigstore bundles.

scripts/sigstore-js.sh (run by scripts/deps.sh) installs the packages into
$SIGSTORE_JS_DIR or ${SCUTE_CACHE:-/var/tmp/scute-cache}/sigstore-js;
tests/tools/sigstore_verify.mjs loads them from there and verifies a bundle
offline with a plain public key (see that file for its options).

No pytest in here: tests call missing() and skip with its reason.
"""

import os
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKOUT = os.path.dirname(os.path.dirname(HERE))
SCRIPT = os.path.join(CHECKOUT, "tests", "tools", "sigstore_verify.mjs")
PINNED = {"@sigstore/verify": "3.1.1", "@sigstore/bundle": "4.0.0", "@sigstore/core": "3.2.1"}


def install_dir():
    return os.environ.get("SIGSTORE_JS_DIR") or os.path.join(
        os.environ.get("SCUTE_CACHE") or "/var/tmp/scute-cache", "sigstore-js")


def node():
    return shutil.which("node") or shutil.which("nodejs")


def missing():
    """None when sigstore-js can run, else the reason it cannot."""
    import json
    if not node():
        return "node is not installed (scripts/deps.sh installs npm/nodejs)"
    d = install_dir()
    for name, ver in PINNED.items():
        pj = os.path.join(d, "node_modules", name, "package.json")
        try:
            with open(pj) as f:
                got = json.load(f).get("version")
        except (OSError, ValueError):
            return "sigstore-js is not installed in %s (run scripts/sigstore-js.sh; it needs the npm registry)" % d
        if got != ver:
            return "%s is %s in %s, not the pinned %s (run scripts/sigstore-js.sh)" % (name, got, d, ver)
    return None


def verify(bundle_path, pubkey_path, artifact_path=None, *options, timeout=60):
    """Run sigstore_verify.mjs; returns (ok, message) where message is
    "OK" or the error sigstore-js (or the script) gave."""
    argv = [node(), SCRIPT] + list(options) + [str(bundle_path), str(pubkey_path)]
    if artifact_path is not None:
        argv.append(str(artifact_path))
    env = dict(os.environ)
    env["SIGSTORE_JS_DIR"] = install_dir()
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout, env=env)
    out = p.stdout.decode("utf-8", "replace").strip()
    err = p.stderr.decode("utf-8", "replace").strip()
    if p.returncode == 0:
        assert out == "OK", (out, err)
        return True, out
    if p.returncode != 1:
        raise RuntimeError("sigstore_verify.mjs failed to run (exit %d): %s %s" % (p.returncode, out, err))
    return False, err
