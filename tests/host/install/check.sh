#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make install into a scratch prefix, then build hello.c the way a user
# would (pkg-config, shared and static) and run it. Writes RESULTS/install.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
results=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
passed=0 failed=0

step() {
	local name=$1
	shift
	if "$@"; then
		echo "ok - install: $name"
		passed=$((passed + 1))
	else
		echo "not ok - install: $name"
		failed=$((failed + 1))
	fi
}

step "make install" make -s -C "$top" install PREFIX="$prefix" >/dev/null
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
# shellcheck disable=SC2046
step "build against the shared library" \
	gcc -Wall -Werror -o "$prefix/hello" "$top/tests/host/install/hello.c" \
	$(pkg-config --cflags --libs nettypool)
step "run (shared)" env LD_LIBRARY_PATH="$prefix/lib" "$prefix/hello"
# shellcheck disable=SC2046
step "build against the static library" \
	gcc -Wall -Werror -o "$prefix/hello-static" "$top/tests/host/install/hello.c" \
	$(pkg-config --cflags --static nettypool) "$prefix/lib/libnettypool.a" -pthread
step "run (static)" "$prefix/hello-static"
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
if [ -e "/lib/modules/$(uname -r)/build" ]; then
	echo "# the running kernel's headers are installed: the first-run checks need a machine without"
elif ! ls -d /usr/src/linux-headers-*-amd64 >/dev/null 2>&1; then
	step "kernel headers are installed (make deps)" false
else
	step "make module without kernel headers says so and succeeds" no_headers
	step "make module finds headers installed after make started" first_run
fi
echo "$passed $failed" >"$results/install"
echo "install: $passed passed, $failed failed"
((failed == 0))
