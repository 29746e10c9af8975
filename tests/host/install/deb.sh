#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# deb.sh RESULTS - the Debian packages on this host, as an administrator
# would have them: make deb, dpkg -i, apt-get -f install; every file where
# Debian puts it, the module DKMS built for every kernel that has its
# headers, a program built against libnettypool-dev with pkg-config and
# run, the nettypool command; then dpkg --purge, and nothing left behind.
# Writes RESULTS/deb.
#
# It needs root. Packages it installed are purged on any exit, with the
# dependencies apt-get installed for them, and so is what DKMS made that
# was not there before (its signing key, empty folders): the host is left
# as it was. When a nettypool package is installed already, the lane
# leaves it alone and does not run (a failure when CI is set).
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck disable=SC2034 # read by steps.sh
results=$1
build=$(cd "$results/.." && pwd)
scratch=$(mktemp -d)
# shellcheck disable=SC2034 # read by steps.sh
lane=deb
# shellcheck source=tests/host/install/steps.sh
. "$top/tests/host/install/steps.sh"

packages=(nettypool-dkms libnettypool0 libnettypool-dev nettypool-tools)
version=$(make -s -C "$top" version)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
libdir=/usr/lib/$multiarch
export DEBIAN_FRONTEND=noninteractive

in_ci() { [[ -n ${CI:-} && ${CI:-} != false && ${CI:-} != 0 ]]; }

# not_run REASON: outside CI the lane does not run; under CI, one failure.
not_run() {
	echo "# deb: not run: $*"
	rm -rf "$scratch"
	if in_ci; then
		step "$*" false
		steps_done
		exit
	fi
	exit 0
}

# installed_packages: the packages dpkg knows in any state but purged.
installed_packages() {
	dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 2>/dev/null |
		awk '$1 != "un" && $1 != "pn" { print $2 }' | sort
}

# What a run may leave and must not: every path naming nettypool, the
# DKMS tree, and what the kernels' updates/ folders hold.
leftovers() {
	find /etc /lib /usr /var -xdev -path '*nettypool*' 2>/dev/null
	find /var/lib/dkms /lib/modules/*/updates 2>/dev/null
}

# ours_known: those of the four that dpkg knows, on one line.
ours_known() {
	installed_packages | grep -xF -f <(printf '%s\n' "${packages[@]}") | paste -sd' '
}

((EUID == 0)) || not_run "dpkg -i needs root"
mine=$(ours_known)
[ -z "$mine" ] || not_run "installed already, left alone: $mine"

installed_packages >"$scratch/packages.before"
leftovers | sort >"$scratch/leftovers.before"

# put_back: the packages this lane installed go, with what apt-get
# installed for them (new, and marked automatic: not what someone
# installed meanwhile); then whatever new is left that no package owns
# (DKMS's signing key, its built modules, empty folders).
put_back() {
	local new path
	dpkg --purge "${packages[@]}" >/dev/null 2>&1
	new=$(comm -13 "$scratch/packages.before" <(installed_packages) |
		comm -12 - <(apt-mark showauto | sed 's/:.*//' | sort))
	if [ -n "$new" ]; then
		echo "# deb: purging what apt-get installed for them: ${new//$'\n'/ }"
		# shellcheck disable=SC2086 # one package a word
		dpkg --purge $new >/dev/null 2>&1
	fi
	comm -13 "$scratch/leftovers.before" <(leftovers | sort) | sort -r |
		while read -r path; do
			dpkg -S "$path" >/dev/null 2>&1 && continue
			if [ -d "$path" ]; then
				rmdir "$path" 2>/dev/null
			else
				rm -f "$path"
			fi
		done
	rm -rf "$scratch"
}
trap put_back EXIT
trap 'exit 1' INT TERM HUP

quiet() {
	"$@" >"$scratch/log" 2>&1 || { sed 's/^/# /' "$scratch/log"; return 1; }
}
step "make deb" quiet make -C "$top" deb BUILD="$build" || { steps_done; exit; }
debs=()
for p in "${packages[@]}"; do
	debs+=("$(ls "$build"/deb/"${p}"_"$version"_*.deb)")
done

install_packages() {
	dpkg -i "${debs[@]}" >"$scratch/install.log" 2>&1
	apt-get -f install -y </dev/null >>"$scratch/install.log" 2>&1
	[ "$(dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' "${packages[@]}" |
		grep -cxF "ii  $version")" = "${#packages[@]}" ] ||
		{ sed 's/^/# /' "$scratch/install.log"; return 1; }
}
step "dpkg -i, apt-get -f install: the four packages installed, $version" install_packages

# expected PACKAGE: the files PACKAGE must have, where Debian puts them.
expected() {
	local page
	case $1 in
	nettypool-dkms)
		echo /etc/modprobe.d/nettypool.conf /lib/udev/rules.d/60-nettypool.rules \
			/usr/share/man/man4/nettypool.4.gz \
			/usr/src/nettypool-"$version"/dkms.conf \
			/usr/src/nettypool-"$version"/Kbuild
		;;
	libnettypool0) echo "$libdir/libnettypool.so.0" ;;
	libnettypool-dev)
		echo "$libdir/libnettypool.so" "$libdir/libnettypool.a" \
			"$libdir/pkgconfig/nettypool.pc" /usr/include/nettypool.h \
			/usr/include/linux/nettypool.h
		for page in "$top"/Documentation/man/*.3; do
			echo "/usr/share/man/man3/${page##*/}.gz"
		done
		;;
	nettypool-tools) echo /usr/bin/nettypool /usr/share/man/man1/nettypool.1.gz ;;
	esac
	echo "/usr/share/doc/$1/copyright"
}
files_where_they_belong() {
	local p f ok=0
	for p in "${packages[@]}"; do
		dpkg -L "$p" >"$scratch/$p.list" || return 1
		for f in $(expected "$p"); do
			if ! grep -qxF "$f" "$scratch/$p.list" || [ ! -e "$f" ]; then
				echo "# $p: no $f"
				ok=1
			fi
		done
		while read -r f; do
			[ -e "$f" ] || [ -L "$f" ] || { echo "# $p lists $f, not there"; ok=1; }
		done <"$scratch/$p.list"
	done
	return $ok
}
step "every file where it belongs" files_where_they_belong
same_as_sources() {
	cmp "$top/packaging/60-nettypool.rules" /lib/udev/rules.d/60-nettypool.rules &&
		cmp "$top/packaging/nettypool.conf" /etc/modprobe.d/nettypool.conf
}
step "the udev rule and the modprobe.d example are the sources'" same_as_sources
step "nettypool.conf is a conffile" \
	grep -q '^ /etc/modprobe.d/nettypool.conf ' \
	<(dpkg-query -W -f='${Conffiles}\n' nettypool-dkms)

# The postinst builds the module for every kernel in /lib/modules that
# has its headers; the others are skipped.
module_for_every_kernel() {
	local kdir kver ko ok=0 n=0
	for kdir in /lib/modules/*; do
		kver=${kdir##*/}
		ko=$(modinfo -k "$kver" -n nettypool 2>/dev/null)
		if [ ! -e "$kdir/build" ]; then
			echo "# $kver: no headers, no module${ko:+ (but $ko)}"
			[ -z "$ko" ] || ok=1
			continue
		fi
		n=$((n + 1))
		case $ko in
		"$kdir"/updates/*)
			[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$kver" ] ||
				{ echo "# $ko is not for $kver"; ok=1; }
			[ "$(modinfo -F version "$ko")" = "$version" ] ||
				{ echo "# $ko is not version $version"; ok=1; }
			dkms status -m nettypool -v "$version" -k "$kver" |
				grep -q ': installed' ||
				{ echo "# dkms status: not installed for $kver"; ok=1; }
			;;
		*) echo "# $kver: nettypool is '$ko', not in updates/"; ok=1 ;;
		esac
	done
	((n > 0)) || { echo "# no kernel with headers in /lib/modules"; ok=1; }
	return $ok
}
step "DKMS built and installed the module for every kernel with headers" \
	module_for_every_kernel

step "pkg-config knows nettypool $version" \
	test "$(pkg-config --modversion nettypool)" = "$version"
# shellcheck disable=SC2046
step "build against libnettypool-dev (pkg-config)" \
	gcc -Wall -Werror -o "$scratch/hello" "$top/tests/host/install/hello.c" \
	$(pkg-config --cflags --libs nettypool)
links_packaged_library() {
	local so
	so=$(ldd "$scratch/hello" | sed -n 's/^[[:space:]]*libnettypool\.so\.0 => \(.*\) (.*/\1/p')
	[ -n "$so" ] && [ "$(realpath "$so")" = "$(realpath "$libdir/libnettypool.so.0")" ]
}
step "it links the packaged libnettypool.so.0" links_packaged_library
step "run it: allocate and free (local backend)" quiet "$scratch/hello"
# shellcheck disable=SC2046
step "build it static (pkg-config --static)" \
	gcc -Wall -Werror -static -o "$scratch/hello-static" \
	"$top/tests/host/install/hello.c" $(pkg-config --cflags --libs --static nettypool)
step "run it (static)" quiet "$scratch/hello-static"
# The packaged command, not one make install put earlier in PATH.
step "nettypool --help" quiet /usr/bin/nettypool --help
demo_frees_all() {
	/usr/bin/nettypool demo --backend local --json >"$scratch/demo.json" &&
		grep '"active_buffers":' "$scratch/demo.json" | tail -n 1 |
		grep -q ': 0,$'
}
step "nettypool demo --backend local: 2048 buffers, all freed" demo_frees_all
man_finds_pages() {
	man -w 1 nettypool >/dev/null && man -w 4 nettypool >/dev/null &&
		man -w 3 np_alloc >/dev/null
}
step "man finds nettypool(1), nettypool(4), np_alloc(3)" man_finds_pages

step "dpkg --purge the four packages" quiet dpkg --purge "${packages[@]}"
nothing_left() {
	local ok=0
	[ -z "$(ours_known)" ] || { echo "# dpkg still knows $(ours_known)"; ok=1; }
	[ ! -e /var/lib/dkms/nettypool ] || { echo "# /var/lib/dkms/nettypool is left"; ok=1; }
	# DKMS's own key, made by its first signed build, is the host's.
	comm -13 "$scratch/leftovers.before" <(leftovers | sort) |
		grep -vxE '/var/lib/dkms/mok\.(key|pub)' >"$scratch/left"
	[ ! -s "$scratch/left" ] || { sed 's/^/# left: /' "$scratch/left"; ok=1; }
	return $ok
}
step "nothing left behind (files, DKMS tree, modules)" nothing_left
steps_done
