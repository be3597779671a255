#!/bin/sh
# Install everything scute needs to build, test and benchmark, from Debian's
# packages only. Idempotent: packages already present are not reinstalled and
# `apt-get update` runs only when a package is missing.
set -eu

PKGS="
build-essential meson ninja-build pkg-config
libarchive-dev libisal-dev isal zlib1g-dev libzstd-dev zstd libssl-dev libjansson-dev
libcmocka-dev libsqlite3-dev libyaml-dev libcurl4-openssl-dev
clang libclang-rt-14-dev llvm
python3 python3-pytest python3-jsonschema python3-packaging python3-yaml
debootstrap umoci skopeo runc tar gzip time
rpm python3-rpm npm
docker-registry apache2-utils openssl python3-cryptography python3-jwt
libsodium-dev python3-nacl
"

# Packages whose job another installed package may already do: skip the
# Debian package when the command works (NodeSource's nodejs ships npm and
# conflicts with Debian's npm).
satisfied_by_command() {
	case "$1" in
	npm) command -v npm >/dev/null 2>&1 && npm --version >/dev/null 2>&1 ;;
	*) return 1 ;;
	esac
}

missing=""
for p in $PKGS; do
	if satisfied_by_command "$p"; then
		continue
	fi
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps.sh: missing packages:$missing (run as root to install them)" >&2
		exit 4
	fi
	echo "deps.sh: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
fi

# sigstore-js (npm, pinned; into $SCUTE_CACHE, outside the checkout): the
# independent verifier of the Sigstore bundles scute writes. Without the npm
# registry this only warns: those tests then skip and say why.
if ! sh "$(dirname "$0")/sigstore-js.sh"; then
	echo "deps.sh: warning: sigstore-js not installed; its interop tests will skip" >&2
fi
