#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make install into a scratch prefix, then build hello.c the way a user
# would (pkg-config, shared and static) and run it. Writes RESULTS/install.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
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
	gcc -Wall -Werror -o "$prefix/hello" "$top/tests/install/hello.c" \
	$(pkg-config --cflags --libs nettypool)
step "run (shared)" env LD_LIBRARY_PATH="$prefix/lib" "$prefix/hello"
# shellcheck disable=SC2046
step "build against the static library" \
	gcc -Wall -Werror -o "$prefix/hello-static" "$top/tests/install/hello.c" \
	$(pkg-config --cflags --static nettypool) "$prefix/lib/libnettypool.a" -pthread
step "run (static)" "$prefix/hello-static"
echo "$passed $failed" >"$results/install"
echo "install: $passed passed, $failed failed"
((failed == 0))
