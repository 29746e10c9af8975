#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh - build (or reuse) the debug kernel of "make check-debug".
#
# Usage: tests/debug/build-kernel.sh [--force]
#
# Extracts Debian's /usr/src/linux-source-6.1.tar.xz (package
# linux-source-6.1), configures it with "make tinyconfig" plus
# tests/debug/config.fragment (merge_config.sh -m, make olddefconfig),
# checks that every option of the fragment ended up as asked (fails
# loudly otherwise), and builds "bzImage modules_prepare modules" with
# -j$(nproc) (no module is configured: "modules" only writes the kernel's
# Module.symvers, which modpost needs to check an external module).
#
# The tree is cached outside the repository, in
#   ${XDG_CACHE_HOME:-$HOME/.cache}/nettypool/debug-kernel/<KEY>/linux-source-6.1
# where KEY is the sha256 of the fragment and of this script; a second run
# with the same fragment returns at once.  An interrupted build resumes
# (make is incremental).  Only the two most recently used kernels are kept.
# External modules build against the tree with
#   make -C <tree> M=<dir> modules
# and the guest boots <tree>/vmlinux (PVH entry) or
# <tree>/arch/x86/boot/bzImage.
#
# Output: progress on stderr, the build log in <KEY>/build.log, and the
# tree's path alone on the last line of stdout.
#
# Options: --force  rebuild from scratch even when cached.
# Environment: NP_DEBUG_JOBS (make -j, default nproc), NP_LINUX_SOURCE
#   (the tarball, default /usr/src/linux-source-6.1.tar.xz).
# Needs (installed through scripts/install-deps.sh when missing):
#   linux-source-6.1 gcc make flex bison bc libelf-dev xz-utils
#   (flex/bison: kconfig; bc: timeconst.h; libelf-dev: objtool.  No
#   module signing or trusted keys are configured: no libssl-dev.)
# Exit status: 0 with the path printed, 1 on any failure.

set -euo pipefail

readonly PROG=build-kernel
msg() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { msg "error: $*"; exit 1; }

force=0
case "${1:-}" in
"") ;;
--force) force=1 ;;
-h | --help) sed -n '4,/^# Exit status/s/^# \{0,1\}//p' "$0"; exit 0 ;;
*) die "unknown argument: $1 (usage: $0 [--force])" ;;
esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
fragment=$here/config.fragment
self=$here/$(basename -- "${BASH_SOURCE[0]}")
tarball=${NP_LINUX_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
jobs=${NP_DEBUG_JOBS:-$(nproc)}
[[ -r $fragment ]] || die "no $fragment"

key=$(cat -- "$fragment" "$self" | sha256sum | cut -c1-64)
base=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/nettypool/debug-kernel
cache=$base/$key
tree=$cache/linux-source-6.1
stamp=$cache/.built
log=$cache/build.log

mkdir -p "$cache" || die "cannot create $cache"
# One build per key at a time; a second caller waits, then finds it built.
exec 9>"$cache/.lock"
if ! flock -n 9; then
	msg "another build of $key is running: waiting for it"
	flock 9
fi

if ((force)); then
	msg "--force: removing $cache"
	rm -rf -- "$tree" "$stamp" "$cache/.extracted"
fi

if [[ -f $stamp && -f $tree/vmlinux && -f $tree/arch/x86/boot/bzImage &&
      -f $tree/Module.symvers ]]; then
	touch "$stamp"	# most recently used
	msg "cached: $tree"
	printf '%s\n' "$tree"
	exit 0
fi
rm -f -- "$stamp"

# ------------------------------------------------------------ packages
need=(linux-source-6.1 gcc make flex bison bc libelf-dev xz-utils)
if ! bash "$top/scripts/install-deps.sh" --check "${need[@]}" 2>/dev/null; then
	msg "installing missing packages (of: ${need[*]})"
	bash "$top/scripts/install-deps.sh" "${need[@]}" >&2 ||
		die "could not install: ${need[*]}"
fi
[[ -r $tarball ]] || die "no $tarball (package linux-source-6.1)"

start=$(date +%s)
: >"$log"
msg "building the debug kernel in $tree (log: $log)"

# ------------------------------------------------------------ source
if [[ ! -f $cache/.extracted ]]; then
	rm -rf -- "$tree"
	msg "extracting $tarball"
	tar -C "$cache" -xf "$tarball" || die "tar xf $tarball failed"
	[[ -f $tree/Makefile ]] || die "$tarball has no linux-source-6.1/Makefile"
	touch "$cache/.extracted"
fi

# ------------------------------------------------------------ config
# Rerunning these on a resumed build gives the same .config, and kconfig
# only touches the headers of options that changed: make stays incremental.
msg "configuring: tinyconfig + $(basename -- "$fragment")"
{
	make -C "$tree" tinyconfig &&
	"$tree/scripts/kconfig/merge_config.sh" -m -O "$tree" "$tree/.config" "$fragment" &&
	make -C "$tree" olddefconfig
} >>"$log" 2>&1 || { tail -n 30 "$log" >&2; die "configuration failed (see $log)"; }

# Every "CONFIG_X=y" of the fragment must be "=y" in .config, every
# "# CONFIG_X is not set" must be unset.
bad=()
while IFS= read -r line; do
	if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
		opt=${BASH_REMATCH[1]} want=${BASH_REMATCH[2]}
		got=$(sed -n "s/^$opt=//p" "$tree/.config")
		[[ $got == "$want" ]] || bad+=("$opt=$want (got: ${got:-not set})")
	elif [[ $line =~ ^\#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set ]]; then
		opt=${BASH_REMATCH[1]}
		got=$(sed -n "s/^$opt=//p" "$tree/.config")
		[[ -z $got ]] || bad+=("$opt unset (got: $opt=$got)")
	fi
done <"$fragment"
if ((${#bad[@]})); then
	msg "error: these fragment options did not survive olddefconfig"
	msg "(a missing dependency, or a choice lost to another option):"
	for b in "${bad[@]}"; do msg "  $b"; done
	die "fix $fragment"
fi
msg "all $(grep -cE '^(CONFIG_|# CONFIG_)' "$fragment") fragment options are as asked"

# ------------------------------------------------------------ build
msg "make -j$jobs bzImage modules_prepare modules (about 20 min on 2 CPUs)"
make -C "$tree" -j"$jobs" bzImage modules_prepare >>"$log" 2>&1 ||
	{ tail -n 40 "$log" >&2; die "kernel build failed (see $log)"; }
make -C "$tree" -j"$jobs" modules >>"$log" 2>&1 ||
	{ tail -n 40 "$log" >&2; die "make modules (Module.symvers) failed (see $log)"; }
for f in vmlinux arch/x86/boot/bzImage Module.symvers scripts/mod/modpost; do
	[[ -e $tree/$f ]] || die "the build left no $f"
done
touch "$stamp"
msg "built in $(($(date +%s) - start)) s: $(sed -n 's/^# Linux\/x86 \(.*\) Kernel Configuration$/\1/p' "$tree/.config" | head -n 1)"

# ------------------------------------------------------------ prune
# Keep this kernel and the previous most recently used one.
find "$base" -mindepth 2 -maxdepth 2 -name .built -printf '%T@ %h\n' 2>/dev/null |
	sort -rn | tail -n +3 | while read -r _ old; do
		[[ $old != "$cache" && $old == "$base"/* ]] || continue
		msg "removing an older debug kernel: $old"
		rm -rf -- "$old"
	done

printf '%s\n' "$tree"
