# SPDX-License-Identifier: GPL-2.0
#
# kmemleak.sh - the debug lane's kmemleak check, for the guest's busybox
# sh: sourced by tests/debug/guest.sh, and pasted by tests/debug/run.sh
# into the wrapper of tests/guest/suites.sh.
#
# Usage: . kmemleak.sh; kmemleak_check MODULE...
#
# Unloads the MODULEs still loaded, waits out kmemleak's 5 s minimum
# age, scans twice and prints every suspected leak, as TAP:
#   ok - debug: kmemleak: no leak from nettypool after rmmod (N in all)
# A leak whose backtrace names nettypool, or has a frame in module space
# that no longer resolves (only nettypool's modules are ever loaded in
# these guests), is nettypool's. The caller stops the periodic scan
# ("echo scan=off") when it starts, so that only this scan counts.
# Status: 0, or 1 when kmemleak is missing or a leak is nettypool's.

kmemleak_check() {
	kl=/sys/kernel/debug/kmemleak
	kl_rc=0
	printf '%s\n' "=== suite kmemleak: BEGIN"
	for m in "$@"; do
		if grep -q "^$m " /proc/modules; then
			printf '%s\n' "# $m still loaded: rmmod $m"
			rmmod "$m" || printf '%s\n' "# rmmod $m failed"
		fi
	done
	if [ ! -w $kl ]; then
		printf '%s\n' "not ok - debug: kmemleak available ($kl)"
		kl_rc=1
	else
		# kmemleak does not report objects younger than 5 s.
		sleep 6
		echo scan >$kl
		echo scan >$kl
		cat $kl >/tmp/np-kmemleak.txt
		total=$(grep -c '^unreferenced object' /tmp/np-kmemleak.txt)
		# A block per object; it is nettypool's if a frame names the
		# module or lies in module space and no longer resolves.
		ours=$(awk '
			/^unreferenced object/ { if (blk != "" && hit) n++; blk = $0; hit = 0; next }
			{ blk = blk "\n" $0 }
			/nettypool|\] 0xffffffff[a-f][0-9a-f]+$/ { hit = 1 }
			END { if (blk != "" && hit) n++; print n + 0 }' /tmp/np-kmemleak.txt)
		if [ "$total" -gt 0 ]; then
			printf '%s\n' "# kmemleak: $total suspected leak(s), $ours attributed to nettypool:"
			sed 's/^/# kmemleak| /' /tmp/np-kmemleak.txt
		fi
		if [ "$ours" -eq 0 ]; then
			printf '%s\n' "ok - debug: kmemleak: no leak from nettypool after rmmod ($total in all)"
		else
			printf '%s\n' "not ok - debug: kmemleak: $ours leak(s) from nettypool after rmmod"
			kl_rc=1
		fi
	fi
	printf '%s\n' "=== suite kmemleak: END"
	return $kl_rc
}
