# SPDX-License-Identifier: GPL-2.0
#
# nettypool: build, test and run.
#
#   make            the library, the tools, and the module when kernel
#                   headers are installed
#   make check      every test: unit tests (plain, ASan+UBSan, valgrind, TSan),
#                   then the module's suites in a QEMU guest; ends with
#                   "N passed, N failed"
#   make run        build, load the module in a guest, allocate, show stats
#   make lint       checkpatch --strict, kernel-doc, sparse and W=1
#   make install    PREFIX=/usr/local, DESTDIR; make uninstall undoes it;
#                   make install-dkms for DKMS; make deb for Debian packages
#
# The module itself is built by Kbuild (see ./Kbuild) from the same
# kernel/core/ sources the library compiles in userspace.

CC		?= gcc
BUILD		?= build
PREFIX		?= /usr/local
# Kernel headers: KDIR, else the running kernel's, else the newest of
# Debian's packages.
KDIR		?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
			$(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64))))
SAN_FLAGS	?=

VERSION		:= 0.1.0
SONAME		:= libnettypool.so.0

WARN_FLAGS	:= -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
		   -Wno-unused-parameter -Werror
CFLAGS		?= -O2 -g
ALL_CFLAGS	:= -std=gnu11 $(WARN_FLAGS) $(CFLAGS) $(SAN_FLAGS) -fPIC -pthread \
		   -Ikernel/core -Ikernel/env -Iuapi -Iuserspace/include -Iuserspace/lib \
		   -Iuserspace/cli
LDLIBS		:= -pthread

NP_TOP		:= .
include kernel/core/core.mk
LIB_SRCS	:= $(patsubst ./%,%,$(NP_CORE_SRCS)) kernel/env/env_user.c \
		   $(wildcard userspace/lib/*.c)
LIB_OBJS	:= $(LIB_SRCS:%.c=$(BUILD)/%.o)
HDRS		:= $(wildcard kernel/*/*.h uapi/linux/*.h userspace/include/*.h \
			userspace/lib/*.h userspace/cli/*.h)

# The nettypool command (userspace/cli/): a file per command and the parts
# they share, in an archive that main.c (nettypool) and demo_main.c
# (nettypool-demo) link with; the unit tests link its parsers.
CLI_MAINS	:= userspace/cli/main.c userspace/cli/demo_main.c
CLI_OBJS	:= $(patsubst %.c,$(BUILD)/%.o,\
			$(filter-out $(CLI_MAINS),$(wildcard userspace/cli/*.c)))
CLI_LIB		:= $(BUILD)/userspace/cli/libcli.a

UNIT_SRCS	:= $(wildcard tests/host/unit/*.c)
UNIT_OBJS	:= $(UNIT_SRCS:%.c=$(BUILD)/%.o)
$(UNIT_OBJS): ALL_CFLAGS += -Itests/lib
CHECK_LIBS	:= $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt)

DEMO		:= $(BUILD)/nettypool-demo

.PHONY: all lib tools module module-kbuild bench check check-layers check-unit check-install check-dkms check-deb check-asan check-valgrind check-tsan check-fuzz fuzz fuzz-ioctl check-debug \
	check-guest check-trace check-netty run lint install clean deps

all: lib tools module

lib: $(BUILD)/libnettypool.a $(BUILD)/$(SONAME) $(BUILD)/nettypool.pc

tools: $(DEMO) $(BUILD)/nettypool

$(BUILD)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libnettypool.a: $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/$(SONAME): $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -shared -Wl,-soname,$(SONAME) \
		-Wl,--version-script=userspace/lib/libnettypool.map \
		-o $@ $^ $(LDLIBS)
	ln -sf $(SONAME) $(BUILD)/libnettypool.so

$(BUILD)/nettypool.pc: userspace/nettypool.pc.in
	$(PC_SED) $< > $@

$(CLI_LIB): $(CLI_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(DEMO): $(BUILD)/userspace/cli/demo_main.o $(CLI_LIB) $(BUILD)/libnettypool.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# make run's demo, static so that it runs in the guest as it is.
$(DEMO)-static: $(BUILD)/userspace/cli/demo_main.o $(CLI_LIB) $(BUILD)/libnettypool.a
	$(CC) $(ALL_CFLAGS) -static -o $@ $^ $(LDLIBS)

# The nettypool command; its static twin runs in the guest (tests/guest/cli.sh).
$(BUILD)/nettypool: $(BUILD)/userspace/cli/main.o $(CLI_LIB) $(BUILD)/libnettypool.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/nettypool-static: $(BUILD)/userspace/cli/main.o $(CLI_LIB) $(BUILD)/libnettypool.a
	$(CC) $(ALL_CFLAGS) -static -o $@ $^ $(LDLIBS)

# test_cli_text.c checks the command's parsers against the module's formats.
UNIT_LINK	:= $(UNIT_OBJS) $(BUILD)/userspace/cli/parse.o $(BUILD)/libnettypool.a

$(BUILD)/unit-tests: $(UNIT_LINK)
	$(CC) $(ALL_CFLAGS) -o $@ $(UNIT_LINK) $(CHECK_LIBS) $(LDLIBS)

# The same unit tests, static, for the guest: NP_TEST_BACKEND=kernel runs
# the library suites over the module.
$(BUILD)/np-unit-kernel: $(UNIT_LINK)
	$(CC) $(ALL_CFLAGS) -static -o $@ $(UNIT_LINK) \
		$(shell pkg-config --libs --static check 2>/dev/null | sed 's/-lcheck_pic/-lcheck/' || echo -lcheck -lsubunit -lrt -lm) $(LDLIBS)

# The headers are looked for by a make of its own, when the module is
# built: make run and make check install them (deps) after this Makefile
# was read, and make does not see files that appeared since it listed a
# folder.
module:
	@$(MAKE) --no-print-directory module-kbuild

module-kbuild:
ifneq ($(KDIR),)
	$(MAKE) -C $(KDIR) M=$(CURDIR) NP_VERSION=$(VERSION) modules
else
	@echo "no kernel headers found: module not built (make deps installs them)"
endif

deps:
	bash scripts/install-deps.sh

# Every lane appends its results to $(BUILD)/results; tests/summary.sh
# prints the closing "N passed, N failed" line and fails if any failed.
check: deps
	@rm -rf $(BUILD)/results && mkdir -p $(BUILD)/results
	-$(MAKE) --no-print-directory check-layers
	-$(MAKE) --no-print-directory check-unit
	-$(MAKE) --no-print-directory check-install
	-$(MAKE) --no-print-directory check-dkms
	-$(MAKE) --no-print-directory check-deb
	-$(MAKE) --no-print-directory check-asan
	-$(MAKE) --no-print-directory check-valgrind
	-$(MAKE) --no-print-directory check-tsan
	-$(MAKE) --no-print-directory check-fuzz
	-$(MAKE) --no-print-directory check-netty
	-$(MAKE) --no-print-directory check-guest
	@bash tests/summary.sh $(BUILD)/results

# The architecture: the core's includes and layers (scripts/check-layers.sh).
check-layers:
	@mkdir -p $(BUILD)/results
	bash scripts/check-layers.sh $(BUILD)/results/layers

check-unit: $(BUILD)/unit-tests
	@mkdir -p $(BUILD)/results
	bash tests/host/run-unit.sh unit $(BUILD)/unit-tests $(BUILD)/results

check-install:
	@mkdir -p $(BUILD)/results
	bash tests/host/install/check.sh $(BUILD)/results

# Debian's dkms builds the module from what make install-dkms installs,
# for the kernel of KDIR (tests/host/install/dkms.sh).
check-dkms:
	@mkdir -p $(BUILD)/results
	bash tests/host/install/dkms.sh $(BUILD)/results $(KDIR)

# The Debian packages installed on this host, used, and purged, leaving
# nothing behind (tests/host/install/deb.sh; root).
check-deb:
	@mkdir -p $(BUILD)/results
	bash tests/host/install/deb.sh $(BUILD)/results

check-asan:
	$(MAKE) --no-print-directory BUILD=build/asan \
		SAN_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		build/asan/unit-tests
	@mkdir -p $(BUILD)/results
	bash tests/host/run-unit.sh asan build/asan/unit-tests $(BUILD)/results

check-valgrind: $(BUILD)/unit-tests
	@mkdir -p $(BUILD)/results
	bash tests/host/run-unit.sh valgrind $(BUILD)/unit-tests $(BUILD)/results

# ThreadSanitizer (clang) over the library and the unit tests. No fork per
# test: one process, so that TSan's exit status after a report (66)
# reaches run-unit.sh. No suppressions: it must be clean. A missing clang
# or a failed build counts as one failure.
check-tsan:
	@mkdir -p $(BUILD)/results
	@command -v clang >/dev/null || { echo "0 1" > $(BUILD)/results/tsan; \
		echo "tsan: clang is missing (make deps installs it)"; exit 1; }
	$(MAKE) --no-print-directory BUILD=build/tsan CC=clang \
		SAN_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
		build/tsan/unit-tests || { echo "0 1" > $(BUILD)/results/tsan; exit 1; }
	CK_FORK=no bash tests/host/run-unit.sh tsan build/tsan/unit-tests $(BUILD)/results

# The core against fuzz_core.c's shadow model: the corpus replayed (gcc,
# ASan+UBSan), then 60 s of libFuzzer; make fuzz runs it for 30 minutes.
FUZZ_MAKE = $(MAKE) --no-print-directory -C tests/host/fuzz O=$(abspath $(BUILD))/fuzz

fuzz:
	$(FUZZ_MAKE) fuzz-long
	$(MAKE) --no-print-directory fuzz-ioctl

# The ioctl fuzzer (tests/guest/ioctl-fuzz) alone in a guest for IOCTL_FUZZ_TIME
# seconds; the guest lane of make check runs 25 s of it.
IOCTL_FUZZ_TIME	?= 1200
fuzz-ioctl: module
	$(MAKE) --no-print-directory -C tests/guest/ioctl-fuzz OUTPUT=$(abspath $(BUILD))/ioctl-fuzz
	NP_GUEST_MEM=2048 bash tests/guest/run-guest.sh \
		--script tests/guest/ioctl-fuzz/guest-fuzz.sh --file nettypool.ko \
		--file $(BUILD)/ioctl-fuzz/np_ioctl_fuzz \
		--timeout $$(($(IOCTL_FUZZ_TIME) + 300)) --log $(BUILD)/fuzz-ioctl.log \
		-- -t $(IOCTL_FUZZ_TIME)

# The tracepoint test (tests/guest/trace) alone in a guest; the guest lane
# of make check runs it among the other suites.
check-trace: module
	$(MAKE) --no-print-directory -C tests/guest/trace OUTPUT=$(abspath $(BUILD))/trace
	bash tests/guest/run-guest.sh \
		--script tests/guest/trace/guest-trace.sh --file nettypool.ko \
		--file $(BUILD)/trace/np_trace --log $(BUILD)/check-trace.log

check-fuzz:
	@mkdir -p $(BUILD)/results
	-$(FUZZ_MAKE) RESULTS=$(abspath $(BUILD))/results fuzz-replay
	@if command -v clang >/dev/null; then \
		$(FUZZ_MAKE) RESULTS=$(abspath $(BUILD))/results FUZZ_TIME=60 fuzz-short; \
	else echo "fuzz-short: clang is missing (make deps installs it)"; \
		echo "0 1" > $(BUILD)/results/fuzz-short; fi

# Every guest suite under a debug kernel (KASAN, lockdep, kmemleak, UBSAN)
# built from linux-source-6.1 and cached; not part of make check (about
# 10-20 minutes to build the kernel once, then 4-9 minutes a run).
check-debug: deps
	@rm -rf $(BUILD)/results-debug && mkdir -p $(BUILD)/results-debug
	-bash tests/debug/run.sh $(BUILD)/results-debug
	@bash tests/summary.sh $(BUILD)/results-debug

# The core against Netty 4.1.48 itself, trace by trace (tests/host/netty).
check-netty: $(BUILD)/libnettypool.a
	@mkdir -p $(BUILD)/results
	bash tests/host/netty/check.sh $(BUILD)

# The guest replays the same traces through the device (np_netty_replay).
check-guest: $(BUILD)/np-unit-kernel $(BUILD)/libnettypool.a
	@mkdir -p $(BUILD)/results
	@[ -f $(BUILD)/netty/netty-guest.expected ] || \
		bash tests/host/netty/check.sh $(BUILD) --prepare || true
	@if [ -x tests/guest/run-suites.sh ]; then \
		bash tests/guest/run-suites.sh $(BUILD)/results $$(ls \
			$(BUILD)/netty/np_netty_replay 2>/dev/null); \
	else echo "guest suites: not present yet"; fi

# Benchmarks: never part of make check. scripts/bench/bench.sh runs every one
# (host, then a QEMU guest), prints the table with the targets each must
# meet and regenerates Documentation/benchmarks.rst (see that page).
BENCH_ALLOCS		:= nettypool glibc jemalloc mimalloc tcmalloc
BENCH_LINK_jemalloc	:= -ljemalloc
BENCH_LINK_mimalloc	:= -lmimalloc
BENCH_LINK_tcmalloc	:= -ltcmalloc_minimal
BENCH_SO_nettypool	:= /libc.so
BENCH_SO_glibc		:= /libc.so

bench: lib module
	bash scripts/bench/deps.sh
	$(MAKE) --no-print-directory $(BENCH_ALLOCS:%=$(BUILD)/bench-host-%) \
		$(BUILD)/bench-guest-user
	$(MAKE) -C scripts/bench/kernel
	bash scripts/bench/bench.sh $(BUILD)

# One binary per allocator, linked so that its malloc is the one resolved.
$(BUILD)/bench-host-%: scripts/bench/host.c $(BUILD)/libnettypool.a
	$(CC) $(ALL_CFLAGS) -DNP_BENCH_ALLOC='"$*"' \
		-DNP_BENCH_LIB='"$(or $(BENCH_SO_$*),/lib$*)"' \
		-DNP_BENCH_NETTYPOOL=$(if $(filter nettypool,$*),1,0) -o $@ $< \
		$(BUILD)/libnettypool.a -Wl,--no-as-needed $(BENCH_LINK_$*) \
		-ldl $(LDLIBS)

$(BUILD)/bench-guest-user: scripts/bench/guest-user.c $(BUILD)/libnettypool.a
	$(CC) $(ALL_CFLAGS) -static -o $@ $< $(BUILD)/libnettypool.a $(LDLIBS)

run: deps all
	bash scripts/run.sh

# The userspace half of the environment is not kernel code.
lint:
	bash scripts/check-layers.sh
	bash scripts/lint.sh $(filter-out kernel/env/%_user.c kernel/env/%_user.h,\
		$(wildcard kernel/*/*.c kernel/*/*.h)) uapi/linux/nettypool.h
	@echo "sparse (C=2) and W=1 over the module:"
	@out=$$($(MAKE) -s -C $(KDIR) M=$(CURDIR) NP_VERSION=$(VERSION) C=2 W=1 modules 2>&1); \
		echo "$$out"; ! echo "$$out" | grep -qiE 'warning|error'

# Installation. The library, headers and command go under PREFIX (LIBDIR
# for the library); the udev rule, the modprobe.d example and the module
# where udev, modprobe and the kernel look for them. The module is
# installed for the kernel it was built for (its vermagic); depmod runs
# when installing into the running system (no DESTDIR). install-dkms puts
# the module's sources and dkms.conf in /usr/src for DKMS.
LIBDIR		?= $(PREFIX)/lib
INCLUDEDIR	?= $(PREFIX)/include
BINDIR		?= $(PREFIX)/bin
MANDIR		?= $(PREFIX)/share/man
UDEVRULESDIR	?= /lib/udev/rules.d
MODPROBEDIR	?= /etc/modprobe.d
DKMSDIR		?= /usr/src/nettypool-$(VERSION)
MAN_PAGES	:= $(wildcard Documentation/man/*.[134])
UDEV_RULE	:= 60-nettypool.rules
KO_VERSION	= $(firstword $(shell modinfo -F vermagic nettypool.ko 2>/dev/null))
PC_SED		= sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		  -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|'
DKMS_SRCS	:= Kbuild uapi/linux/nettypool.h kernel/core/core.mk \
		   $(wildcard kernel/core/*.[ch] kernel/module/*.[ch]) \
		   kernel/env/env_kernel.c $(wildcard kernel/env/*.h)

.PHONY: install-lib install-tools install-man install-config install-module \
	install-dkms uninstall uninstall-dkms

install: install-lib install-tools install-man install-config install-module

install-lib: lib
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/linux
	install -m 0644 $(BUILD)/libnettypool.a $(DESTDIR)$(LIBDIR)/
	install -m 0644 $(BUILD)/$(SONAME) $(DESTDIR)$(LIBDIR)/
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libnettypool.so
	$(PC_SED) userspace/nettypool.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/nettypool.pc
	install -m 0644 userspace/include/nettypool.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 0644 uapi/linux/nettypool.h $(DESTDIR)$(INCLUDEDIR)/linux/

install-tools: $(BUILD)/nettypool
	install -D -m 0755 $(BUILD)/nettypool $(DESTDIR)$(BINDIR)/nettypool

install-man:
	@set -e; for page in $(MAN_PAGES); do \
		sect=$${page##*.}; \
		echo "install $$page"; \
		install -D -m 0644 $$page $(DESTDIR)$(MANDIR)/man$$sect/$${page##*/}; \
	done

install-config:
	install -D -m 0644 packaging/$(UDEV_RULE) $(DESTDIR)$(UDEVRULESDIR)/$(UDEV_RULE)
	install -D -m 0644 packaging/nettypool.conf $(DESTDIR)$(MODPROBEDIR)/nettypool.conf

install-module:
ifeq ($(wildcard nettypool.ko),)
	@echo "nettypool.ko is not built (make module): module not installed"
else
	install -D -m 0644 nettypool.ko \
		$(DESTDIR)/lib/modules/$(KO_VERSION)/updates/nettypool.ko
	$(if $(DESTDIR),@echo "DESTDIR is set: run depmod $(KO_VERSION) on the target",\
		depmod -a $(KO_VERSION))
endif

install-dkms:
	@set -e; for f in $(DKMS_SRCS); do \
		install -D -m 0644 $$f $(DESTDIR)$(DKMSDIR)/$$f; done
	sed 's|#MODULE_VERSION#|$(VERSION)|' dkms.conf > $(DESTDIR)$(DKMSDIR)/dkms.conf

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libnettypool.a $(DESTDIR)$(LIBDIR)/$(SONAME) \
		$(DESTDIR)$(LIBDIR)/libnettypool.so \
		$(DESTDIR)$(LIBDIR)/pkgconfig/nettypool.pc \
		$(DESTDIR)$(INCLUDEDIR)/nettypool.h \
		$(DESTDIR)$(INCLUDEDIR)/linux/nettypool.h \
		$(DESTDIR)$(BINDIR)/nettypool \
		$(DESTDIR)$(UDEVRULESDIR)/$(UDEV_RULE) \
		$(DESTDIR)$(MODPROBEDIR)/nettypool.conf \
		$(foreach p,$(MAN_PAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(p)))/$(notdir $(p)))
	@set -e; for ko in $(wildcard $(DESTDIR)/lib/modules/*/updates/nettypool.ko); do \
		rm -f $$ko; kver=$${ko#$(DESTDIR)/lib/modules/}; kver=$${kver%%/*}; \
		if [ -z "$(DESTDIR)" ]; then depmod -a $$kver; fi; \
		echo "removed $$ko"; done

uninstall-dkms:
	rm -rf $(DESTDIR)$(DKMSDIR)

# Debian packages (debian/), built with debhelper from a copy of the
# tree in $(BUILD)/deb, where the .deb files land; lintian checks them.
DEB_DIR		:= $(BUILD)/deb

.PHONY: deb version

version:
	@echo $(VERSION)

deb:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/nettypool-$(VERSION)
	git ls-files -co --exclude-standard -z | \
		xargs -0 cp --parents -t $(DEB_DIR)/nettypool-$(VERSION)
	cd $(DEB_DIR)/nettypool-$(VERSION) && \
		dpkg-buildpackage -us -uc -b -j$$(nproc) >../build.log 2>&1 || \
		{ tail -n 40 ../build.log; exit 1; }
	lintian --fail-on warning,error $(DEB_DIR)/*.changes

clean:
	rm -rf build
ifneq ($(KDIR),)
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
endif
