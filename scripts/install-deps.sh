#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# install-deps.sh - install the Debian 12 packages nettypool needs.
#
# Usage: scripts/install-deps.sh [--check] [PACKAGE...]
#
#   With no PACKAGE arguments, the full project list below is used.
#   --check   only report what is missing; exit 1 if anything is, never install.
#
# Idempotent: when every package is already installed it only runs one
# dpkg-query and exits 0.  Otherwise (as root) it runs "apt-get update" once
# and "apt-get install -y --no-install-recommends" for the missing ones.
# Non-interactive and safe to run with no stdin (e.g. from make or CI).

set -euo pipefail

# The project's package list (Debian 12 "bookworm" names).
readonly DEFAULT_PACKAGES=(
	gcc make pkg-config check
	linux-image-amd64 linux-headers-amd64
	qemu-system-x86 busybox-static cpio kmod gzip
	sparse linux-source-6.1 valgrind
	perl graphviz clang libclang-rt-14-dev
	libnetty-java default-jdk-headless
	man-db binutils dkms dh-dkms debhelper lintian fakeroot dpkg-dev
)

log() { printf 'install-deps: %s\n' "$*" >&2; }

usage() {
	sed -n '4,10s/^# \{0,1\}//p' "$0"
}

check_only=0
packages=()
while (($#)); do
	case "$1" in
	--check) check_only=1 ;;
	-h | --help)
		usage
		exit 0
		;;
	-*)
		log "unknown option: $1"
		usage >&2
		exit 2
		;;
	*) packages+=("$1") ;;
	esac
	shift
done
((${#packages[@]})) || packages=("${DEFAULT_PACKAGES[@]}")

# missing_packages PKG...: print the packages that are not fully installed.
# dpkg-query prints one status line per known package; unknown packages make
# it exit non-zero and print nothing for them, so compare against the input.
missing_packages() {
	local installed pkg
	installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "$@" \
		2>/dev/null | awk '$2 == "ii" { print $1 }') || true
	for pkg in "$@"; do
		grep -qxF -- "$pkg" <<<"$installed" || printf '%s\n' "$pkg"
	done
}

if ! command -v dpkg-query >/dev/null 2>&1; then
	log "dpkg-query not found: this script supports Debian 12 only"
	exit 1
fi

mapfile -t missing < <(missing_packages "${packages[@]}")
if ((${#missing[@]} == 0)); then
	log "all ${#packages[@]} packages already installed"
	exit 0
fi

log "missing: ${missing[*]}"
if ((check_only)); then
	exit 1
fi
if ((EUID != 0)); then
	log "must run as root to install them (try: sudo $0)"
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

log "running apt-get update"
apt-get "${apt_opts[@]}" update </dev/null
log "running apt-get install -y --no-install-recommends ${missing[*]}"
apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}" </dev/null

# Verify: apt-get can succeed yet leave a package half-configured.
mapfile -t still < <(missing_packages "${missing[@]}")
if ((${#still[@]})); then
	log "still not installed after apt-get: ${still[*]}"
	exit 1
fi
log "installed: ${missing[*]}"
