# SPDX-License-Identifier: GPL-2.0
#
# The portable allocator core is every .c file of this folder: the module
# (Kbuild), the library (Makefile), the fuzzers (tests/host/fuzz) and the KUnit
# module (tests/debug/kunit) all take their list of core sources from here.
# Set NP_TOP to the top of the tree before including this file.

NP_CORE_SRCS	:= $(sort $(wildcard $(NP_TOP)/kernel/core/*.c))
NP_CORE_NAMES	:= $(notdir $(NP_CORE_SRCS:.c=))
