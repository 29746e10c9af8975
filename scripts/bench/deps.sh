#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh - install the allocators make bench compares nettypool with
# (Debian's libjemalloc-dev, libmimalloc-dev, libgoogle-perftools-dev)
# when any is missing.
#
# Usage: scripts/bench/deps.sh
#
# Runs apt-get install (as root, or through sudo -n); only when that fails
# does it run apt-get update and try once more. Exit status: 0 when every
# package is installed, else 1.

set -uo pipefail

readonly PKGS=(libjemalloc-dev libmimalloc-dev libgoogle-perftools-dev)

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then
	sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	sudo=(sudo -n)
else
	echo "bench-deps: missing ${missing[*]}; install them as root:" \
		"apt-get install ${missing[*]}" >&2
	exit 1
fi

echo "bench-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo[@]}" apt-get install -y -q "${missing[@]}" >&2; then
	echo "bench-deps: install failed; apt-get update, then once more" >&2
	if ! "${sudo[@]}" apt-get update -q >&2 ||
	   ! "${sudo[@]}" apt-get install -y -q "${missing[@]}" >&2; then
		echo "bench-deps: could not install ${missing[*]}" >&2
		exit 1
	fi
fi
