#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# lint.sh - kernel style checks for nettypool's kernel C and header files.
#
# Usage: scripts/lint.sh [FILE...]
#
#   Runs "checkpatch.pl --strict --no-tree --terse --show-types --file" and
#   "kernel-doc -none" on every FILE (default: all *.c and *.h under kernel/
#   and uapi/ of the repository) and prints one summary line.  Any ERROR,
#   WARNING or CHECK from checkpatch (--strict), or any kernel-doc warning or
#   error, makes it exit 1.  Exit 2: usage or setup problem.
#
# checkpatch.pl, spelling.txt and const_structs.checkpatch come from the
# Debian linux-source-6.1 tarball; they are extracted once (about 10 s) into
# ${XDG_CACHE_HOME:-~/.cache}/nettypool/checkpatch/ and re-extracted only
# when the tarball changes.  kernel-doc is taken from linux-kbuild-6.1
# (/usr/lib/linux-kbuild-6.1/scripts/kernel-doc) when installed, else from
# the same extraction.  Missing packages (linux-source-6.1, perl) are
# installed through scripts/install-deps.sh.
#
# Environment:
#   NP_KERNEL_SOURCE     tarball (default /usr/src/linux-source-6.1.tar.xz)
#   NP_CHECKPATCH_FLAGS  extra checkpatch flags, e.g. "--ignore LONG_LINE"
#   NP_KDOC_FLAGS        extra kernel-doc flags, e.g. "-Wall"

set -euo pipefail

readonly PROG=lint
script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(dirname -- "$script_dir")
tarball=${NP_KERNEL_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
cache_root=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/nettypool
cache=$cache_root/checkpatch
# Members wanted from the tarball (its top directory is linux-source-6.1/).
readonly MEMBERS=(
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
	scripts/kernel-doc
)

msg() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() {
	msg "error: $*"
	exit 2
}
usage() { sed -n '6,12s/^# \{0,1\}//p' "$0"; }

case "${1:-}" in
-h | --help)
	usage
	exit 0
	;;
-*)
	usage >&2
	die "unknown option: $1"
	;;
esac

# ---------------------------------------------------------------- inputs
files=("$@")
if ((${#files[@]} == 0)); then
	mapfile -t files < <(cd "$repo_root" &&
		find kernel uapi -type f \( -name '*.c' -o -name '*.h' \) 2>/dev/null | LC_ALL=C sort)
	((${#files[@]})) || die "no files given and no *.c/*.h under kernel/ or uapi/"
	cd "$repo_root"
fi
for f in "${files[@]}"; do
	[[ -f $f ]] || die "not a file: $f"
done

# ---------------------------------------------------------------- tools
# checkpatch and kernel-doc are perl; checkpatch needs more than perl-base
# (Term::ANSIColor), so check for that module rather than for the binary.
need_pkgs=()
perl -MTerm::ANSIColor -e 1 >/dev/null 2>&1 || need_pkgs+=(perl)
[[ -f $cache/.stamp || -r $tarball ]] || need_pkgs+=(linux-source-6.1)
if ((${#need_pkgs[@]})); then
	msg "installing ${need_pkgs[*]}"
	"$script_dir/install-deps.sh" "${need_pkgs[@]}" </dev/null ||
		die "could not install ${need_pkgs[*]}"
fi

# extract_tools: fill $cache from the tarball unless already done for this
# tarball (its size and mtime are kept in .stamp).  Extraction goes to a
# temporary directory that is renamed into place, so concurrent runs and
# interrupted runs never leave a half-filled cache behind.
extract_tools() {
	local id tmp m patterns=()
	[[ -r $tarball ]] || die "$tarball not found (package linux-source-6.1)"
	id=$(stat -L -c '%s-%Y' -- "$tarball")
	if [[ -f $cache/.stamp && $(<"$cache/.stamp") == "$id" ]]; then
		return 0
	fi
	mkdir -p "$cache_root"
	tmp=$(mktemp -d "$cache_root/.checkpatch.XXXXXX")
	for m in "${MEMBERS[@]}"; do
		patterns+=("linux-source-*/$m")
	done
	msg "extracting ${MEMBERS[*]} from $tarball into $cache"
	if ! tar -xJf "$tarball" -C "$tmp" --wildcards --strip-components=1 \
		"${patterns[@]}"; then
		rm -rf -- "$tmp"
		die "tar could not extract ${MEMBERS[*]} from $tarball"
	fi
	for m in "${MEMBERS[@]}"; do
		[[ -f $tmp/$m ]] || {
			rm -rf -- "$tmp"
			die "$m missing from $tarball"
		}
	done
	printf '%s\n' "$id" >"$tmp/.stamp"
	rm -rf -- "$cache"
	# mv -T fails if another run got there first; its copy is as good.
	mv -T -- "$tmp" "$cache" 2>/dev/null || rm -rf -- "$tmp"
}
extract_tools

checkpatch=$cache/scripts/checkpatch.pl
# Prefer the kernel-doc of the installed kbuild package (newest version).
kernel_doc=$(find /usr/lib/linux-kbuild-6.1/scripts /usr/src/linux-headers-6.1.*/scripts \
	-maxdepth 1 -name kernel-doc -type f 2>/dev/null | sort -V | tail -n 1)
[[ -n $kernel_doc ]] || kernel_doc=$cache/scripts/kernel-doc

# ---------------------------------------------------------------- run
out=$(mktemp -d "${TMPDIR:-/tmp}/np-lint.XXXXXX")
trap 'rm -rf -- "$out"' EXIT

# shellcheck disable=SC2206 # the *_FLAGS variables are word-split on purpose
cp_flags=(--strict --no-tree --terse --show-types --color=never ${NP_CHECKPATCH_FLAGS:-})
# shellcheck disable=SC2206
kd_flags=(-none ${NP_KDOC_FLAGS:-})

# checkpatch prints one "file:line: LEVEL:TYPE: text" line per finding; its
# exit status only says "something found", so count the lines instead.
perl "$checkpatch" "${cp_flags[@]}" --file "${files[@]}" >"$out/checkpatch" 2>&1 || true
# kernel-doc -none prints "file:line: warning: ..." on stderr; with -none its
# exit status does not reflect the warnings.
perl "$kernel_doc" "${kd_flags[@]}" "${files[@]}" >"$out/kdoc" 2>&1 || true

# Show the findings (drop checkpatch's per-file "total:" lines if any).
grep -v -E '^(total: |$)' "$out/checkpatch" || true
cat "$out/kdoc"

count() { grep -c -E -- "$1" "$2" || true; }
n_err=$(count ': ERROR:' "$out/checkpatch")
n_warn=$(count ': WARNING:' "$out/checkpatch")
n_check=$(count ': CHECK:' "$out/checkpatch")
n_kdoc=$(count ': (warning|error):' "$out/kdoc")
total=$((n_err + n_warn + n_check + n_kdoc))

printf '%s: %d files: checkpatch %d errors, %d warnings, %d checks; kernel-doc %d warnings\n' \
	"$PROG" "${#files[@]}" "$n_err" "$n_warn" "$n_check" "$n_kdoc"
if ((total)); then
	exit 1
fi
