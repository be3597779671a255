#!/bin/sh
# Build the demo image used by `make demo`:
#   oci:$SCUTE_CACHE/sample/oci:demo
# a debootstrap minbase Debian 12 (bookworm) with a small fake "AI app" on top
# (/app/serve.py entrypoint, a safetensors model, a torch-style .pt zip whose
# pickle references torch._utils, a legacy pickle that would run a shell
# command if loaded, ENV HF_TOKEN secret, User root).
#
# Cached and atomic: the image is rebuilt only when its recipe version in
# tests/e2e/images.py changes; it is built in a temp dir and renamed into
# place under a lock, so concurrent runs are safe. The debootstrap tree is
# cached too ($SCUTE_CACHE/rootfs-*), so only the first run needs the Debian
# mirror. Needs root (debootstrap, umoci) and the packages of scripts/deps.sh.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
: "${SCUTE_CACHE:=/var/tmp/scute-cache}"
export SCUTE_CACHE
PYTHON=${PYTHON:-/usr/bin/python3}

dest=$("$PYTHON" "$root/tests/e2e/images.py" sample "$SCUTE_CACHE/sample/oci")
echo "sample image: oci:$dest:demo" >&2
