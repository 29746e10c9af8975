#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# debian/changelog's version against the Makefile's; make install into a
# scratch DESTDIR: every file where it belongs, every man page rendering
# without warnings, the facts the pages and the modprobe.d example name
# checked against the sources; hello.c built the way a user would
# (pkg-config, shared and static) and run; make uninstall removing
# everything. Writes RESULTS/install.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck disable=SC2034 # read by steps.sh
results=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
# shellcheck disable=SC2034 # read by steps.sh
lane=install
# shellcheck source=tests/host/install/steps.sh
. "$top/tests/host/install/steps.sh"

dest=$prefix/dest
usr=$dest/usr/local
# The Makefile's VERSION is the one definition; the packages take theirs
# from debian/changelog, which must follow it.
changelog_follows_makefile() {
	local mk deb
	mk=$(make -s -C "$top" version)
	deb=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version) || return 1
	[ "${deb%-*}" = "$mk" ] || {
		echo "# debian/changelog is at $deb, the Makefile's VERSION is $mk:"
		echo "# add a changelog entry for $mk (dch -v $mk)"
		return 1
	}
}
step "debian/changelog's version is the Makefile's VERSION" changelog_follows_makefile
step "make install into a DESTDIR" \
	make -s -C "$top" install DESTDIR="$dest" PREFIX=/usr/local >/dev/null

# installed_files: every file make install puts in DESTDIR, the man pages
# as Documentation/man has them, the module when it was built.
installed_files() {
	local page
	[ ! -f "$top/nettypool.ko" ] ||
		echo "/lib/modules/$(modinfo -F vermagic "$top/nettypool.ko" |
			cut -d' ' -f1)/updates/nettypool.ko"
	printf '%s\n' /etc/modprobe.d/nettypool.conf \
		/lib/udev/rules.d/60-nettypool.rules /usr/local/bin/nettypool \
		/usr/local/include/linux/nettypool.h /usr/local/include/nettypool.h \
		/usr/local/lib/libnettypool.a /usr/local/lib/libnettypool.so \
		/usr/local/lib/libnettypool.so.0 /usr/local/lib/pkgconfig/nettypool.pc
	for page in "$top"/Documentation/man/*; do
		echo "/usr/local/share/man/man${page##*.}/${page##*/}"
	done
}
every_file_where_it_belongs() {
	diff <(installed_files | sort) \
		<(cd "$dest" && find . ! -type d | sed 's|^\.||' | sort)
}
step "every file where it belongs, nothing else" every_file_where_it_belongs
soname_links() {
	[ "$(readlink "$usr/lib/libnettypool.so")" = libnettypool.so.0 ] &&
		objdump -p "$usr/lib/libnettypool.so.0" | grep -qw 'SONAME *libnettypool.so.0'
}
step "the shared library's soname and its link" soname_links
man_renders() {
	local page out ok=0
	for page in "$usr"/share/man/man*/*; do
		if head -n1 "$page" | grep -q '^\.so '; then
			[ -f "$usr/share/man/$(head -n1 "$page" | cut -d' ' -f2)" ] ||
				{ echo "# $page: .so to nothing"; ok=1; }
			continue
		fi
		out=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
		[ -z "$out" ] || { echo "# $page: $out"; ok=1; }
	done
	return $ok
}
step "man --warnings -l renders every page, no warnings" man_renders
every_function_has_a_page() {
	local fn ok=0
	while read -r fn; do
		[ -f "$usr/share/man/man3/$fn.3" ] || { echo "# no man page for $fn"; ok=1; }
	done < <(sed -n 's/^[[:space:]]*\(np_[a-z_]*\);$/\1/p' \
		"$top/userspace/lib/libnettypool.map")
	return $ok
}
step "every function the library exports has a man page" every_function_has_a_page
every_ioctl_in_nettypool_4() {
	local ioc ok=0
	while read -r ioc; do
		grep -q "^\.B $ioc\$" "$usr/share/man/man4/nettypool.4" ||
			{ echo "# nettypool(4) lacks $ioc"; ok=1; }
	done < <(sed -n 's/^#define \(NP_IOC_[A-Z]*\)[[:space:]]*_IO.*/\1/p' \
		"$top/uapi/linux/nettypool.h")
	return $ok
}
step "nettypool(4) describes every ioctl" every_ioctl_in_nettypool_4
# The modprobe.d example names every parameter of the module, once, and
# nothing else.
modprobe_example() {
	diff <(sed -n 's/^module_param[a-z_]*(\([a-z_]*\),.*/\1/p' \
		"$top"/kernel/module/*.c | sort) \
		<(sed -n 's/^#options nettypool \([a-z_]*\)=.*/\1/p' \
			"$dest/etc/modprobe.d/nettypool.conf" | sort)
}
step "the modprobe.d example lists every module parameter" modprobe_example
export PKG_CONFIG_PATH=$usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest
# shellcheck disable=SC2046
step "build against the shared library" \
	gcc -Wall -Werror -o "$prefix/hello" "$top/tests/host/install/hello.c" \
	$(pkg-config --cflags --libs nettypool)
step "run (shared)" env LD_LIBRARY_PATH="$usr/lib" "$prefix/hello"
# shellcheck disable=SC2046
step "build against the static library" \
	gcc -Wall -Werror -o "$prefix/hello-static" "$top/tests/host/install/hello.c" \
	$(pkg-config --cflags --static nettypool) "$usr/lib/libnettypool.a" -pthread
step "run (static)" "$prefix/hello-static"
runs_quietly() { "$@" >/dev/null; }
step "the installed command runs" runs_quietly "$usr/bin/nettypool" --help
uninstall_removes_all() {
	make -s -C "$top" uninstall DESTDIR="$dest" PREFIX=/usr/local >/dev/null &&
		[ -z "$(find "$dest" ! -type d)" ]
}
step "make uninstall removes every file" uninstall_removes_all
# The module target finds kernel headers that appear after make read the
# Makefile, as on a fresh machine where make run installs them first. In
# a mount namespace of its own, /usr/src is an empty tmpfs when make reads
# the Makefile; the first prerequisite mounts the real one back.
first_run() {
	local dir=$prefix/first-run
	mkdir -p "$dir/src"
	printf '%s\n' 'include Makefile' 'install-headers:' \
		"	mount --bind $dir/src /usr/src" \
		'first-run: install-headers module' >"$dir/first-run.mk"
	rm -f "$top/nettypool.ko"
	unshare --mount sh -c "mount --make-rprivate / &&
		mount --bind /usr/src '$dir/src' &&
		mount -t tmpfs tmpfs /usr/src &&
		make -s -C '$top' -f '$dir/first-run.mk' first-run" \
		>"$dir/log" 2>&1 || { cat "$dir/log"; return 1; }
	[ -f "$top/nettypool.ko" ] || { cat "$dir/log"; return 1; }
}
no_headers() {
	local out
	out=$(unshare --mount sh -c "mount --make-rprivate / &&
		mount -t tmpfs tmpfs /usr/src && make -s -C '$top' module" 2>&1) &&
		printf '%s\n' "$out" | grep -q "no kernel headers found"
}
# The module built by first_run, installed for the kernel it was built for.
install_module() {
	local kver out
	kver=$(modinfo -F vermagic "$top/nettypool.ko" | cut -d' ' -f1)
	out=$(make -s -C "$top" install-module DESTDIR="$dest") &&
		grep -q "run depmod $kver" <<<"$out" &&
		modinfo "$dest/lib/modules/$kver/updates/nettypool.ko" >/dev/null &&
		depmod -b "$dest" "$kver" 2>/dev/null &&
		grep -q '^updates/nettypool.ko:' "$dest/lib/modules/$kver/modules.dep" &&
		rm -f "$dest/lib/modules/$kver"/modules.* &&
		make -s -C "$top" uninstall DESTDIR="$dest" >/dev/null &&
		[ -z "$(find "$dest" ! -type d)" ]
}
if [ -e "/lib/modules/$(uname -r)/build" ]; then
	echo "# the running kernel's headers are installed: the first-run checks need a machine without"
elif ! ls -d /usr/src/linux-headers-*-amd64 >/dev/null 2>&1; then
	step "kernel headers are installed (make deps)" false
else
	step "make module without kernel headers says so and succeeds" no_headers
	step "make module finds headers installed after make started" first_run
	step "make install puts the module in updates/, for depmod" install_module
fi
steps_done
