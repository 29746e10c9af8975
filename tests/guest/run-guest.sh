#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run-guest.sh - run a script inside a throw-away QEMU guest.
#
# Usage:
#   tests/guest/run-guest.sh --script FILE [--file PATH]... [--dir PATH]...
#                            [--timeout SECONDS] [--log FILE] [--kernel IMAGE]
#                            [--append ARGS] [--allow REGEX]... [--keep]
#                            [--verbose] [-- SCRIPT-ARGS...]
#
#   --script FILE   guest script, run as "sh /np/<basename FILE> SCRIPT-ARGS"
#                   with /np as working directory (required)
#   --file PATH     copy a file to /np/<basename PATH> in the guest (repeatable)
#   --dir PATH      copy a directory to /np/<basename PATH> (repeatable)
#   --timeout SECS  kill the guest after SECS seconds (default $NP_GUEST_TIMEOUT or 600)
#   --log FILE      also write the (\r-stripped) serial output to FILE
#   --kernel IMAGE  kernel bzImage to boot (default $NP_KERNEL, else the newest
#                   /boot/vmlinuz-6.1.*-amd64)
#   --append ARGS   extra kernel command line (also $NP_GUEST_APPEND)
#   --allow REGEX   ignore kernel-log lines matching this extended regex when
#                   looking for problems (repeatable)
#   --keep          keep the work directory (initramfs) and print its path
#   --verbose       also show boot-time kernel messages on stdout (they are
#                   always in the --log file and always scanned)
#
# Environment: NP_KERNEL, NP_GUEST_CPUS (2), NP_GUEST_MEM (MiB, 1024),
#   NP_GUEST_TIMEOUT, NP_GUEST_BOOT_TIMEOUT (120: a guest that has not
#   started the script by then is killed and booted once more),
#   NP_GUEST_APPEND, NP_QEMU (qemu-system-x86_64),
#   NP_QEMU_ARGS (extra qemu arguments, word-split), NP_GUEST_VERBOSE,
#   NP_GUEST_PVH (1; 0 boots the bzImage as is, see below).
#
# Fast boot: decompressing Debian's XZ bzImage under TCG takes ~4.5 s, so by
# default the vmlinux inside it is extracted once (cached in
# ${XDG_CACHE_HOME:-~/.cache}/nettypool/vmlinux/) and booted through its PVH
# entry point (CONFIG_PVH); same kernel, no decompressor, no KASLR.  When
# that is not possible (no PVH note, no xz/readelf) the image boots as is.
# An ELF vmlinux may also be given directly as the kernel.
#
# The guest is Debian's own kernel with a busybox-static initramfs built here;
# no modules directory is needed (load modules with insmod).  KVM is never
# used: TCG only.  The guest script sees NP_GUEST=1 and has proc, sysfs,
# devtmpfs, debugfs (/sys/kernel/debug) and a tmpfs /tmp mounted.
#
# Serial output (\r and terminal escapes stripped) is streamed to stdout.
# After the script the guest prints its whole kernel log between
# NP-DMESG-BEGIN / NP-DMESG-END and then "NP-GUEST-EXIT rc"; on stdout the
# part of that dump from before the script started is left out (see
# --verbose).  NP_GUEST_VERBOSE=1 is the same as --verbose.
#
# Exit status:
#   the guest script's status if it is non-zero, else
#   125  the kernel log shows a problem (BUG:, WARNING:, Oops, Call Trace,
#        KASAN, UBSAN, kernel panic, ...); offending lines are printed
#   124  timeout (qemu killed)
#   126  the guest stopped without reporting a status (panic, crash)
#   127  qemu, busybox, cpio or the kernel image is missing
#   2    usage error

set -euo pipefail

readonly PROG=run-guest
readonly MARK_EXIT=NP-GUEST-EXIT
readonly MARK_START=NP-GUEST-START
readonly MARK_DMESG_BEGIN=NP-DMESG-BEGIN
readonly MARK_DMESG_END=NP-DMESG-END
# Written to /dev/kmsg by /init just before the guest script starts.
readonly MARK_KMSG='np-guest: running'

# Kernel-log lines that make a run fail (extended regex, case-sensitive).
readonly BAD_KERNEL_RE='BUG:|WARNING:|Oops|Call Trace|KASAN|UBSAN|[Kk]ernel panic|general protection fault|suspected memory leak'

log_file=
msg() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	if [[ -n $log_file ]]; then
		printf '%s: %s\n' "$PROG" "$*" >>"$log_file"
	fi
}
die() {
	local rc=$1
	shift
	msg "error: $*"
	exit "$rc"
}
usage() {
	sed -n '/^# Usage:/,/^# Environment/{/^# Environment/d;s/^# \{0,1\}//p}' "$0"
}

# ---------------------------------------------------------------- arguments
script=
files=()
dirs=()
allow=()
timeout=${NP_GUEST_TIMEOUT:-600}
kernel=${NP_KERNEL:-}
append=${NP_GUEST_APPEND:-}
keep=0
verbose=${NP_GUEST_VERBOSE:-0}
script_args=()

need_arg() { (($# >= 2)) || die 2 "option $1 needs an argument"; }
while (($#)); do
	case "$1" in
	--script) need_arg "$@"; script=$2; shift ;;
	--file) need_arg "$@"; files+=("$2"); shift ;;
	--dir) need_arg "$@"; dirs+=("$2"); shift ;;
	--timeout) need_arg "$@"; timeout=$2; shift ;;
	--log) need_arg "$@"; log_file=$2; shift ;;
	--kernel) need_arg "$@"; kernel=$2; shift ;;
	--append) need_arg "$@"; append+=" $2"; shift ;;
	--allow) need_arg "$@"; allow+=("$2"); shift ;;
	--keep) keep=1 ;;
	--verbose) verbose=1 ;;
	-h | --help) usage; exit 0 ;;
	--) shift; script_args=("$@"); break ;;
	*) usage >&2; die 2 "unknown argument: $1" ;;
	esac
	shift
done

if [[ -n $log_file ]]; then
	: >"$log_file" || die 2 "cannot write log file $log_file"
fi
[[ -n $script ]] || { usage >&2; die 2 "--script is required"; }
[[ -f $script ]] || die 2 "guest script not found: $script"
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die 2 "--timeout must be a positive integer: $timeout"
cpus=${NP_GUEST_CPUS:-2}
mem=${NP_GUEST_MEM:-1024}
[[ $cpus =~ ^[1-9][0-9]*$ ]] || die 2 "NP_GUEST_CPUS must be a positive integer: $cpus"
[[ $mem =~ ^[1-9][0-9]*$ ]] || die 2 "NP_GUEST_MEM must be a number of MiB: $mem"

# ---------------------------------------------------------------- host tools
qemu=${NP_QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null 2>&1 ||
	die 127 "$qemu not found: install package qemu-system-x86 (scripts/install-deps.sh)"
busybox=$(command -v busybox 2>/dev/null || true)
[[ -n $busybox ]] || die 127 "busybox not found: install package busybox-static (scripts/install-deps.sh)"
# The initramfs has no libraries, so busybox must be statically linked.
if LC_ALL=C ldd "$busybox" >/dev/null 2>&1; then
	die 127 "$busybox is dynamically linked: install package busybox-static"
fi
for tool in cpio gzip; do
	command -v "$tool" >/dev/null 2>&1 ||
		die 127 "$tool not found: install package $tool (scripts/install-deps.sh)"
done

if [[ -z $kernel ]]; then
	# Newest Debian 6.1 kernel: version-sort the candidates, take the last.
	kernel=$(find /boot -maxdepth 1 -name 'vmlinuz-6.1.*-amd64' 2>/dev/null | sort -V | tail -n 1)
	[[ -n $kernel ]] ||
		die 127 "no /boot/vmlinuz-6.1.*-amd64: install package linux-image-amd64 or set NP_KERNEL"
fi
[[ -r $kernel ]] || die 127 "kernel image not readable: $kernel"

# has_pvh_note ELF: true if ELF has the Xen PHYS32_ENTRY note (type 0x12)
# that lets qemu boot it directly.
has_pvh_note() {
	LC_ALL=C readelf -n "$1" 2>/dev/null | grep -q 'Xen.*(0x00000012)'
}

# pvh_vmlinux BZIMAGE: print the path of the PVH-bootable vmlinux inside
# BZIMAGE, extracting it into the cache if needed; fail if there is none.
pvh_vmlinux() {
	local image=$1 magic cache key out tmp off
	command -v readelf >/dev/null 2>&1 || return 1
	magic=$(dd if="$image" bs=1 skip=514 count=4 2>/dev/null | tr -d '\0')
	[[ $magic == HdrS ]] || return 1         # not a bzImage
	cache=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/nettypool/vmlinux
	key=$(basename -- "$image")-$(stat -L -c '%s-%Y' -- "$image")
	out=$cache/vmlinux-$key
	if [[ -s $out ]]; then
		printf '%s\n' "$out"
		return 0
	fi
	mkdir -p "$cache" 2>/dev/null && [[ -w $cache ]] || cache=$work
	out=$cache/vmlinux-$key
	tmp=$(mktemp "$cache/.vmlinux.XXXXXX")
	# The payload starts at the first XZ (or gzip) stream magic; the
	# decompressors complain about the trailing bytes, hence no status check.
	off=$(LC_ALL=C grep -obUaP -m 1 '\xfd7zXZ\x00' "$image" | head -n 1 | cut -d: -f1)
	if [[ -n $off ]] && command -v xz >/dev/null 2>&1; then
		tail -c +"$((off + 1))" "$image" | xz -dc >"$tmp" 2>/dev/null || true
	else
		off=$(LC_ALL=C grep -obUaP -m 1 '\x1f\x8b\x08' "$image" | head -n 1 | cut -d: -f1)
		[[ -z $off ]] || tail -c +"$((off + 1))" "$image" | gzip -dc >"$tmp" 2>/dev/null || true
	fi
	if ! has_pvh_note "$tmp"; then
		rm -f -- "$tmp"
		return 1
	fi
	# Drop vmlinux files cached for older builds of the same image name.
	rm -f -- "$cache/vmlinux-$(basename -- "$image")"-*
	mv -f -- "$tmp" "$out"
	printf '%s\n' "$out"
}

# ---------------------------------------------------------------- initramfs
work=$(mktemp -d "${TMPDIR:-/tmp}/np-guest.XXXXXX")
qemu_pid=
reader_pid=
# shellcheck disable=SC2317 # invoked from the EXIT trap
cleanup() {
	# qemu_pid is timeout(1), which passes SIGTERM on to qemu.
	if [[ -n $qemu_pid ]] && kill -0 "$qemu_pid" 2>/dev/null; then
		kill -TERM "$qemu_pid" 2>/dev/null || true
		wait "$qemu_pid" 2>/dev/null || true
	fi
	if [[ -n $reader_pid ]]; then
		wait "$reader_pid" 2>/dev/null || true
	fi
	if ((keep)); then
		msg "work directory kept: $work"
	else
		rm -rf -- "$work"
	fi
}
trap cleanup EXIT
trap 'msg "interrupted"; exit 130' INT
trap 'msg "terminated"; exit 143' TERM HUP

root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,np,etc,root}
cp "$busybox" "$root/bin/busybox"
# One symlink per applet, at the path busybox itself reports (bin/sh, ...).
while IFS= read -r applet; do
	[[ $applet == */* && $applet != bin/busybox ]] || continue
	[[ -e $root/$applet ]] || ln -s /bin/busybox "$root/$applet"
done < <("$busybox" --list-full)
# The kernel opens /dev/console before /init runs; creating the node needs
# root, so /init also re-opens it after mounting devtmpfs.
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true

# copy_in SRC: copy a file or directory to /np/<basename SRC>.
copy_in() {
	local src=$1 name
	name=$(basename -- "$src")
	[[ ! -e $root/np/$name ]] || die 2 "two inputs would both be /np/$name"
	cp -a -- "$src" "$root/np/$name"
}
copy_in "$script"
for f in "${files[@]+"${files[@]}"}"; do
	[[ -f $f ]] || die 2 "--file is not a regular file: $f"
	copy_in "$f"
done
for d in "${dirs[@]+"${dirs[@]}"}"; do
	[[ -d $d ]] || die 2 "--dir is not a directory: $d"
	copy_in "$d"
done

# shq WORD: WORD quoted for the guest's POSIX sh ('...' with ' escaped).
shq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
script_name=$(basename -- "$script")
quoted_args=
for a in "${script_args[@]+"${script_args[@]}"}"; do
	quoted_args+=" $(shq "$a")"
done

# /init runs as PID 1.  "dmesg -n 1" keeps printk off the console so kernel
# messages do not interleave with test output (oopses and panics still show:
# the kernel raises the console level for them); the full log is dumped at
# the end between markers for the host to scan.
cat >"$root/init" <<EOF
#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root NP_GUEST=1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
exec </dev/console >/dev/console 2>&1
dmesg -n 1
printf '\\n%s %s\\n' $MARK_START "\$(cut -d' ' -f1 /proc/uptime)"
echo $(shq "$MARK_KMSG $script_name") >/dev/kmsg
cd /np
sh $(shq "/np/$script_name")$quoted_args
rc=\$?
echo "$MARK_DMESG_BEGIN"
dmesg
echo "$MARK_DMESG_END"
echo "$MARK_EXIT \$rc"
poweroff -f
# Not reached normally; with -no-reboot a reboot also ends qemu.
sleep 2
reboot -f
EOF
chmod 755 "$root/init"

initrd=$work/initrd.gz
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --quiet -o -0 -H newc -R 0:0) | gzip -1 >"$initrd"

# ---------------------------------------------------------------- run qemu
boot_image=$kernel
if [[ ${NP_GUEST_PVH:-1} != 0 ]] && ! has_pvh_note "$kernel"; then
	if vmlinux=$(pvh_vmlinux "$kernel"); then
		boot_image=$vmlinux
	else
		msg "note: no PVH vmlinux in $kernel, booting it as is (slower)"
	fi
fi
# printk.time=1 stamps kernel lines, which is how console oopses are told
# apart from test output below.
cmdline="console=ttyS0 quiet panic=-1 printk.time=1${append}"
# shellcheck disable=SC2206 # NP_QEMU_ARGS is deliberately word-split
extra_qemu=(${NP_QEMU_ARGS:-})
qemu_cmd=(
	"$qemu" -accel tcg -cpu max -smp "$cpus" -m "$mem"
	-nographic -no-reboot -nic none
	-kernel "$boot_image" -initrd "$initrd" -append "$cmdline"
	"${extra_qemu[@]+"${extra_qemu[@]}"}"
)
booted_as=
[[ $boot_image == "$kernel" ]] || booted_as=" (booted as $boot_image)"
msg "kernel $kernel$booted_as, ${cpus} CPUs, ${mem} MiB, timeout ${timeout}s, script $script"

serial=$work/serial.log   # \r-stripped serial output, for the scan below
fifo=$work/serial.fifo
mkfifo "$fifo"
tee_out=("$serial")
[[ -z $log_file ]] || tee_out+=("$log_file")  # already holds our messages
hung=$work/boot-hung
# Boot watchdog: a guest whose script has not started NP_GUEST_BOOT_TIMEOUT
# seconds after qemu did is stuck in its boot (seen once under TCG with 4
# CPUs: a kworker in a soft lockup from 2 s on, nothing else ever ran);
# it is killed and booted once more. A hang past the start is the test's.
boot_timeout=${NP_GUEST_BOOT_TIMEOUT:-120}
watch_boot() {
	local t=0

	while ((t < boot_timeout)); do
		sleep 1
		kill -0 "$qemu_pid" 2>/dev/null || return 0
		grep -q "$MARK_START" "$serial" 2>/dev/null && return 0
		t=$((t + 1))
	done
	: >"$hung"
	kill -TERM "$qemu_pid" 2>/dev/null || true
}

# One boot of the guest, its serial output streamed; sets qemu_rc.
boot_once() {
	rm -f -- "$hung"
	: >"$serial"
	start=$(date +%s.%N)
	# timeout(1) sends SIGTERM, then SIGKILL 10 s later if qemu is stuck.
	# --foreground keeps qemu in our process group so ^C reaches it too.
	timeout --foreground -k 10 "$timeout" "${qemu_cmd[@]}" </dev/null >"$fifo" 2>&1 &
	qemu_pid=$!
	watch_boot &
	watch_pid=$!
	# sed -u (unbuffered, so output streams line by line) strips \r and the
	# terminal escapes SeaBIOS and the kernel emit (ESC c, ESC [ ... letter).
	# The last stage hides the boot part of the dmesg dump on stdout (up to the
	# line /init wrote to /dev/kmsg); it is sed -u too because awk (mawk)
	# buffers its input, which would hold the output back until qemu exits.
	# The reader runs in the background and we "wait" for it, so a signal to
	# this script runs the traps at once instead of after qemu exits.
	hide_boot="/^$MARK_DMESG_BEGIN\$/,/$MARK_KMSG\|^$MARK_DMESG_END\$/{/^$MARK_DMESG_BEGIN\$/b;/$MARK_KMSG/b;/^$MARK_DMESG_END\$/b;d}"
	((verbose != 1)) || hide_boot=
	sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' -e 's/\x1b[()][0-9A-Za-z]//g' \
		<"$fifo" | tee -a "${tee_out[@]}" | sed -u -e "$hide_boot" &
	reader_pid=$!
	wait "$reader_pid" || true
	reader_pid=
	qemu_rc=0
	wait "$qemu_pid" || qemu_rc=$?
	qemu_pid=
	wait "$watch_pid" 2>/dev/null || true
}

for attempt in 1 2; do
	boot_once
	[[ -f $hung ]] || break
	msg "the guest did not start its script within ${boot_timeout}s: boot hang (attempt $attempt)"
	((attempt < 2)) || die 124 "TIMEOUT: the guest hung in its boot twice"
done
end=$(date +%s.%N)
elapsed=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')

# ---------------------------------------------------------------- verdict
guest_rc=$(sed -n "s/^$MARK_EXIT \([0-9][0-9]*\)\$/\1/p" "$serial" | tail -n 1)
boot=$(sed -n "s/.*$MARK_START \([0-9.]*\)\$/\1/p" "$serial" | tail -n 1)

# Kernel-log problems: every line of the dmesg dump, plus kernel lines
# (printk timestamp "[ secs.usecs]") printed on the console outside it,
# e.g. an oops or a panic that stopped the guest before the dump.
problems=$(awk -v b="$MARK_DMESG_BEGIN" -v e="$MARK_DMESG_END" '
	$0 == b { in_dump = 1; next }
	$0 == e { in_dump = 0; next }
	in_dump || /\[ *[0-9]+\.[0-9]+\]/ { print }
' "$serial" | grep -E -- "$BAD_KERNEL_RE" | awk '!seen[$0]++' || true)
for re in "${allow[@]+"${allow[@]}"}"; do
	problems=$(grep -Ev -- "$re" <<<"$problems" || true)
done

if ((qemu_rc == 124 || qemu_rc == 137)) && [[ -z $guest_rc ]]; then
	die 124 "TIMEOUT: guest did not finish within ${timeout}s; qemu killed"
fi
if [[ -n $problems ]]; then
	msg "kernel log shows problems:"
	while IFS= read -r line; do msg "  $line"; done <<<"$problems"
fi
if [[ -z $guest_rc ]]; then
	die 126 "guest stopped without reporting a status (qemu rc $qemu_rc, kernel panic or crash?)"
fi
msg "guest script rc $guest_rc; boot ${boot:-?}s (guest uptime), total ${elapsed}s"
if ((guest_rc != 0)); then
	exit "$guest_rc"
fi
if [[ -n $problems ]]; then
	die 125 "failing: kernel log problems (see above)"
fi
exit 0
