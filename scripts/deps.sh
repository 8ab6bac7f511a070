#!/usr/bin/env bash
# Install the Debian packages Parta needs to build, run and test, if missing.
# As root: apt-get update + apt-get install -y. Otherwise: print the command.
set -euo pipefail

PKGS=(
	build-essential pkg-config
	libuv1-dev libhttp-parser-dev libsqlite3-dev libsodium-dev libstemmer-dev
	libqrencode-dev zlib1g-dev
	libcmocka-dev clang libclang-rt-dev
	chromium sqlite3 curl ca-certificates
)
# Node.js: the machine's own (>= 20) is used when present; Debian's otherwise.
if ! command -v node >/dev/null 2>&1; then
	PKGS+=(nodejs npm)
fi

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "Missing packages: ${missing[*]}" >&2
	echo "Install them with:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
