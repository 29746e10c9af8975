#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms.sh RESULTS KDIR - make install-dkms into a scratch DESTDIR, then
# Debian's dkms adds and builds the module from there, in a DKMS tree of
# its own, for the kernel of KDIR (the headers the guest's module is built
# against: the host may run another kernel). The module DKMS built must be
# for that kernel and have the parameters the modprobe.d example names;
# then a QEMU guest boots that kernel, loads it, allocates and frees
# through /dev/nettypool (run-guest.sh, tests/guest/dkms-load.sh).
# Writes RESULTS/dkms, the guest's serial output RESULTS/dkms-guest.log.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck disable=SC2034 # read by steps.sh
results=$1
kdir=${2:-}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# shellcheck disable=SC2034 # read by steps.sh
lane=dkms
# shellcheck source=tests/host/install/steps.sh
. "$top/tests/host/install/steps.sh"

if ! command -v dkms >/dev/null || [ -z "$kdir" ]; then
	step "dkms and kernel headers are installed (make deps)" false
	steps_done
	exit
fi
kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
	"$kdir/include/generated/utsrelease.h")
src=$scratch/root/usr/src
dkms=(dkms --dkmstree "$scratch/tree" --sourcetree "$src")
mkdir -p "$scratch/tree"

step "make install-dkms into a DESTDIR" \
	make -s -C "$top" install-dkms DESTDIR="$scratch/root"
# The one version: the folder make install-dkms made, named as the
# version in the dkms.conf it wrote.
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$src"/nettypool-*/dkms.conf)
step "dkms.conf carries the folder's version" test -d "$src/nettypool-$version"
step "dkms add" "${dkms[@]}" add -m nettypool -v "$version" -q
build() {
	"${dkms[@]}" build -m nettypool -v "$version" -k "$kver" \
		--kernelsourcedir "$kdir" >"$scratch/build.log" 2>&1 ||
		{ cat "$scratch/build.log"; return 1; }
}
step "dkms build -k $kver" build
ko=$scratch/tree/nettypool/$version/$kver/x86_64/module/nettypool.ko
built_for_kver() {
	[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$kver" ]
}
step "the module DKMS built is for $kver" built_for_kver
params_match_example() {
	diff <(modinfo -F parm "$ko" | cut -d: -f1 | sort) \
		<(sed -n 's/^#options nettypool \([a-z_]*\)=.*/\1/p' \
			"$top/packaging/nettypool.conf" | sort)
}
step "its parameters are the modprobe.d example's" params_match_example
step "its version is dkms.conf's, $version" \
	test "$(modinfo -F version "$ko")" = "$version"
srcversion=$(modinfo -F srcversion "$ko")
step "it has a srcversion" test -n "$srcversion"
status_built() {
	"${dkms[@]}" status -m nettypool -v "$version" -k "$kver" | grep -q ': built'
}
step "dkms status says built" status_built

# The guest lane's harness boots the kernel DKMS built for and loads the
# module from the DKMS tree there (tests/guest/dkms-load.sh).
in_ci() { [[ -n ${CI:-} && ${CI:-} != false && ${CI:-} != 0 ]]; }
image=/boot/vmlinuz-$kver
[ -r "$image" ] || image=$kdir/arch/x86/boot/bzImage
guest() {
	make -s -C "$top/tests/guest/selftests/nettypool" OUTPUT="$scratch" \
		>"$scratch/guest.out" 2>&1 || return 1
	bash "$top/tests/guest/run-guest.sh" --kernel "$image" \
		--script "$top/tests/guest/dkms-load.sh" --file "$ko" \
		--file "$scratch/nettypool_test" --file "$top/tests/lib/check.sh" \
		--log "$results/dkms-guest.log" --timeout 300 \
		-- "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" "$srcversion" "$version" \
		>"$scratch/guest.out" 2>&1
}
if [ ! -r "$image" ]; then
	echo "# no kernel image for $kver: the module DKMS built is not loaded"
	! in_ci || step "a kernel image for $kver" false
else
	guest
	rc=$?
	if ((rc == 127)) && ! in_ci; then
		echo "# the guest lane's tools are missing: the module DKMS built is not loaded"
	else
		tap_steps "$scratch/guest.out"
		# A failure the guest's checks did not report: a kernel
		# warning, a crash, a timeout.
		if ((rc != 0)) && ! grep -q "^not ok - $lane: " "$scratch/guest.out"; then
			sed 's/^/# /' "$scratch/guest.out" | tail -n 20
			step "the guest ran to its end (run-guest.sh status $rc)" false
		fi
	fi
fi
steps_done
