#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the seed corpus of fuzz_core.c into corpus/ (seed-*; regression
inputs are named regress-* and left alone). Deterministic: running it
again rewrites the same bytes. The format is described at the top of
fuzz_core.c."""
import os
import random
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

# opcodes (byte % 20 in fz_step)
ALLOC, MANY, FREE, FREE_MANY, FREE_REGION, BAD, RETAIN, USABLE, TRIM, DROP = \
    0, 5, 7, 11, 12, 13, 15, 17, 18, 19

# size selectors (byte % 28 in fz_size)
S_ZERO, S_1, S_15, S_16, S_17, S_496, S_511, S_512, S_513 = range(9)
S_PAGE_M1, S_PAGE, S_PAGE_P1, S_CHUNK_M1, S_CHUNK, S_CHUNK_P1 = range(9, 15)
S_TINY, S_SMALL, S_NORMAL, S_RUN, S_HUGE = 15, 17, 19, 20, 21
S_HALF_PAGE, S_HALF_CHUNK_P1, S_POW2_EDGE, S_ABSURD, S_TINY16 = 22, 23, 24, 25, 26


def header(page_shift=13, max_order=9, arenas=1, keep=1, max_bytes=0,
           leak=False, bad_cfg=0, no_flag=False, defaults=False):
    """page_shift 12..16; keep 1, 0 (asks the default) or -1;
    max_bytes selector 0..7 (see fz_setup); bad_cfg 0..11 picks the
    invalid configuration probed; defaults asks page_size, max_order and
    n_arenas as 0 (8 KiB, 9, one arena per CPU)."""
    b2 = (arenas - 1) & 3
    if keep < 0:
        b2 |= 4
    elif keep > 0:
        b2 |= 8
    if no_flag:
        b2 |= 0x10
    if leak:
        b2 |= 0xe0
    return bytes([page_shift - 12, max_order, b2, max_bytes,
                  bad_cfg | (0x70 if defaults else 0)])


def u16(v):
    return bytes([v & 0xff, (v >> 8) & 0xff])


def u32(v):
    return u16(v & 0xffff) + u16(v >> 16)


def size(sel, rnd):
    b = bytes([sel])
    if sel in (S_TINY, S_TINY + 1, S_SMALL, S_SMALL + 1):
        b += u16(rnd.randrange(65536))
    elif sel in (S_NORMAL, S_HUGE):
        b += u32(rnd.randrange(1 << 32))
    elif sel in (S_RUN, S_ABSURD) or sel >= S_TINY16:
        b += bytes([rnd.randrange(256)])
    elif sel == S_POW2_EDGE:
        b += bytes([rnd.randrange(256), rnd.randrange(256)])
    return b


def alloc(sel, rnd, arena=0):
    return bytes([ALLOC]) + size(sel, rnd) + bytes([arena])


def many(n, sel, rnd, arena=0):
    return bytes([MANY, n - 1]) + size(sel, rnd) + bytes([arena])


def free(idx):
    return bytes([FREE]) + u16(idx)


def free_many(idx, n, stride):
    return bytes([FREE_MANY]) + u16(idx) + bytes([n - 1, stride])


def free_region(idx, down=0):
    return bytes([FREE_REGION]) + u16(idx) + bytes([down])


def bad(kind, r, extra=b"\x00\x00\x00\x00"):
    return bytes([BAD, kind]) + u32(r) + extra


def retain(idx):
    return bytes([RETAIN]) + u16(idx)


def seeds():
    r = random.Random(20200701)
    s = {}

    # 1. default geometry (asked as zeroes): tiny and small churn
    b = header(defaults=True)
    for i in range(40):
        b += alloc(r.choice([S_ZERO, S_1, S_15, S_16, S_17, S_496, S_511,
                             S_512, S_513, S_TINY, S_SMALL]), r)
        if i % 3 == 2:
            b += free(r.randrange(65536))
    s["seed-01-tiny-small"] = b

    # 2. 16 MiB chunks: fill with runs up to q100, then drain to q000
    b = header(13, 11)
    b += many(8, S_RUN, r) + many(16, S_NORMAL, r) + many(4, S_HALF_CHUNK_P1, r)
    b += free_many(0, 40, 1) + alloc(S_PAGE, r) + free_region(0)
    s["seed-02-16m-lists"] = b

    # 3. 4 KiB pages, a chunk of one page
    b = header(12, 0)
    for sel in (S_16, S_PAGE, S_PAGE_P1, S_HALF_PAGE, S_CHUNK, S_513):
        b += many(4, sel, r) + free(r.randrange(65536))
    b += bytes([TRIM]) + free_region(1) + bytes([TRIM])
    s["seed-03-4k-order0"] = b

    # 4. 64 KiB pages: every small class
    b = header(16, 8)
    for k in range(7):
        b += alloc(S_POW2_EDGE, r) + many(3, S_SMALL, r)
    b += free_many(0, 30, 3) + bytes([TRIM])
    s["seed-04-64k-small"] = b

    # 5. three arenas, Netty's destroy-on-empty
    b = header(13, 4, arenas=3, keep=-1)
    for a in range(3):
        b += many(20, S_RUN, r, a) + many(8, S_TINY, r, a)
    b += free_region(3) + free_region(40, 1) + free_many(2, 64, 2)
    s["seed-05-arenas-nokeep"] = b

    # 6. max_bytes one chunk: refusals, spare dropped for a chunk-size run
    b = header(13, 6, max_bytes=4)
    b += alloc(S_PAGE, r) + free(0) + alloc(S_CHUNK, r) + alloc(S_CHUNK_P1, r)
    b += alloc(S_16, r) + free(0) + alloc(S_CHUNK, r) + alloc(S_16, r)
    s["seed-06-max-bytes"] = b

    # 7. huge buffers under a limit of 3.5 chunks
    b = header(14, 3, max_bytes=6)
    b += many(3, S_HUGE, r) + alloc(S_CHUNK_P1, r) + retain(1) + free(1)
    b += free(1) + alloc(S_HUGE, r) + alloc(S_ABSURD, r) + free_region(0)
    s["seed-07-huge"] = b

    # 8. retain and free with references
    b = header(13, 9, arenas=2)
    b += many(10, S_TINY, r, 1) + alloc(S_HUGE, r) + alloc(S_PAGE, r)
    for i in range(12):
        b += retain(r.randrange(65536))
    b += free_many(0, 20, 1) + bytes([DROP]) + u16(3) + free_region(0)
    s["seed-08-retain"] = b

    # 9. addresses that are not buffers
    b = header(13, 7)
    b += many(6, S_TINY, r) + alloc(S_PAGE, r) + alloc(S_RUN, r) + alloc(S_HUGE, r)
    b += free(2) + free(0)
    for kind in range(8):
        for _ in range(2):
            b += bad(kind, r.randrange(1 << 32),
                     bytes([r.randrange(256) for _ in range(4)]))
    s["seed-09-bad-addresses"] = b

    # 10. trim with kept subpages, spare, and qInit empties
    b = header(13, 5, keep=0)
    b += many(30, S_TINY16, r) + many(5, S_PAGE, r) + free_many(0, 34, 1)
    b += bytes([TRIM]) + many(6, S_HALF_PAGE, r) + free(0) + bytes([TRIM])
    s["seed-10-trim"] = b

    # 11. destroy with buffers still live
    b = header(15, 9, arenas=2, leak=True)
    b += many(12, S_TINY, r) + alloc(S_HUGE, r) + retain(0) + alloc(S_RUN, r, 1)
    s["seed-11-destroy-live"] = b

    # 12. every size selector once, then everything freed one by one
    b = header(13, 9, no_flag=True, bad_cfg=7)
    for sel in range(28):
        b += alloc(sel, r)
    for i in range(28):
        b += free(r.randrange(65536)) + bytes([USABLE]) + u16(i)
    s["seed-12-all-sizes"] = b
    return s


def main():
    os.makedirs(OUT, exist_ok=True)
    total = 0
    for name, data in sorted(seeds().items()):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        total += len(data)
    print("wrote %d seeds, %d bytes, to %s" % (len(seeds()), total, OUT))


if __name__ == "__main__":
    sys.exit(main())
