#!/bin/sh
# Install sigstore-js (the verifier the signing tests use as an independent
# peer) into ${SCUTE_CACHE:-/var/tmp/scute-cache}/sigstore-js, outside the
# checkout. The versions are pinned: they are the newest that run on
# Debian's Node 20. Idempotent: nothing is fetched when the installed
# versions already match.
#
# Exit status: 0 installed (or already there); 1 npm missing or the install
# failed (callers that must not fail, like scripts/deps.sh, ignore it: the
# tests then skip with the reason).
set -eu

CACHE=${SCUTE_CACHE:-/var/tmp/scute-cache}
DIR=$CACHE/sigstore-js
PKGS="@sigstore/verify@3.1.1 @sigstore/bundle@4.0.0 @sigstore/core@3.2.1"

installed_version() {
	# $1: package name -> its version in DIR, or nothing
	f=$DIR/node_modules/$1/package.json
	[ -f "$f" ] || return 0
	sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$f" | head -n 1
}

all_installed() {
	for spec in $PKGS; do
		name=${spec%@*}
		want=${spec##*@}
		[ "$(installed_version "$name")" = "$want" ] || return 1
	done
	return 0
}

if all_installed; then
	exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
	echo "sigstore-js.sh: npm is not installed; sigstore-js interop tests will skip" >&2
	exit 1
fi

mkdir -p "$DIR"
# A package.json of our own keeps npm from walking up to another project.
if [ ! -f "$DIR/package.json" ]; then
	printf '{"name":"scute-sigstore-js","private":true,"version":"0.0.0"}\n' >"$DIR/package.json"
fi
echo "sigstore-js.sh: installing $PKGS into $DIR"
# shellcheck disable=SC2086
if ! npm install --no-audit --no-fund --save-exact --prefix "$DIR" $PKGS >"$DIR/npm-install.log" 2>&1; then
	echo "sigstore-js.sh: npm install failed (see $DIR/npm-install.log); sigstore-js interop tests will skip" >&2
	tail -n 5 "$DIR/npm-install.log" >&2 || true
	exit 1
fi
if ! all_installed; then
	echo "sigstore-js.sh: npm installed other versions than $PKGS" >&2
	exit 1
fi
