#!/bin/sh
# The registry part of `make demo`: start Debian's docker-registry on a
# loopback port, push the hardened sample image with `scute mirror`, pull it
# back by the digest mirror printed, and check that the digest survived.
# The registry and its storage live in a temporary directory removed at exit.
# With KEY (a prefix: KEY.key / KEY.pub), the image's signatures travel with
# it and are verified on the registry, and one more signature is added there
# as a Sigstore bundle referrer (the registry's tag-schema fallback).
# usage: demo-registry.sh SCUTE IMAGE OUT_LAYOUT [KEY]
set -eu
SCUTE=$1 IMAGE=$2 OUT=$3 KEY=${4:-}
PYTHON=${PYTHON:-/usr/bin/python3}

here=$(cd "$(dirname "$0")" && pwd)
. "$here/registry-lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/scute-demo-registry.XXXXXX")
cleanup() {
	registry_stop "$tmp/reg"
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
registry_start "$tmp/reg"
port=$(cut -d: -f2 "$tmp/reg/host")
echo "demo: docker-registry on 127.0.0.1:$port"
echo "+ scute mirror $IMAGE docker://127.0.0.1:$port/demo:hardened"
pinned=$("$SCUTE" mirror "$IMAGE" "docker://127.0.0.1:$port/demo:hardened")
echo "$pinned"
echo "+ scute inspect docker://$pinned"
"$SCUTE" inspect -q "docker://$pinned" | head -12
if [ -n "$KEY" ]; then
	echo "+ scute verify --key $KEY.pub docker://127.0.0.1:$port/demo:hardened"
	"$SCUTE" verify --key "$KEY.pub" "docker://127.0.0.1:$port/demo:hardened"
	for t in slsa sbom vuln audit; do
		echo "+ scute verify --key $KEY.pub --type $t docker://$pinned"
		"$SCUTE" verify --key "$KEY.pub" --type "$t" "docker://$pinned"
	done
	echo "+ scute sign --key $KEY.key --bundle docker://127.0.0.1:$port/demo:hardened"
	SCUTE_PASSWORD=${SCUTE_PASSWORD:-demo} "$SCUTE" sign --key "$KEY.key" --bundle "docker://127.0.0.1:$port/demo:hardened"
	"$SCUTE" verify --key "$KEY.pub" --identity "127.0.0.1:$port/demo" "docker://$pinned"
fi
echo "+ scute mirror docker://$pinned oci:$OUT:pulled"
rm -rf "$OUT"
back=$("$SCUTE" mirror "docker://$pinned" "oci:$OUT:pulled")
echo "$back"
[ "${back##*@}" = "${pinned##*@}" ] || { echo "demo: pulled $back, pushed $pinned: digests differ" >&2; exit 1; }
echo "demo: pushed and pulled back by digest ${pinned##*@}"
if [ -n "$KEY" ]; then
	echo "+ scute verify --key $KEY.pub oci:$OUT:pulled"
	"$SCUTE" verify --key "$KEY.pub" "oci:$OUT:pulled"
fi
