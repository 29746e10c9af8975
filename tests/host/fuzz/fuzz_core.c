// SPDX-License-Identifier: GPL-2.0
/*
 * A libFuzzer target for the allocator core (kernel/ built for userspace),
 * checked against a shadow model after every operation.
 *
 * The input is a pool geometry followed by a stream of operations; bytes
 * are read one at a time and a stream that runs out reads as zeroes, so
 * every input is valid.
 *
 *   header  b0  page_size  = 4096 << (b0 % 5)
 *           b1  max_order  = b1 % (min(11, 24 - page_shift) + 1), so a
 *                            chunk is at most 16 MiB (FZ_MAX_CHUNK_SHIFT)
 *           b2  bits 0-1: n_arenas 1..3; bit 2: keep_empty_chunks -1
 *               (else 1, asked as 0 or 1 by bit 3); bit 4: flags without
 *               NP_CONFIG_MAX_ORDER; bits 5-7: leak mode (== 7: destroy
 *               the pool with buffers still live)
 *           b3  max_bytes: 0 (no limit) or a few chunks
 *           b4  bits 0-3: an invalid configuration to probe
 *               np_config_resolve with; bits 4-6: ask page_size,
 *               max_order, n_arenas as 0 (the defaults) where that gives
 *               the same geometry (n_arenas: one per CPU)
 *   ops     one opcode byte each, arguments after it (see fz_step()):
 *           alloc, alloc many, free a live buffer, free many, free every
 *           buffer of one region, free / retain / usable_size of an
 *           address that is no live buffer (interior, freed, random,
 *           foreign), retain, usable_size, trim.
 *
 * The model knows every live buffer (address, capacity, extra
 * references) and counts allocations and frees per class. After every
 * operation it checks the pool's counters against itself, the region
 * map, every chunk list (each chunk's usage in [min_usage, max_usage) of
 * its list, empty chunks only in qInit), the spare, and a pattern written
 * into the first and last 8 bytes of every live buffer; every
 * NP_FUZZ_FULL_EVERY operations (default 8), after a trim and at the end
 * it also walks every chunk's buddy tree (values, free_bytes, runs,
 * subpage bitmaps against the model), the subpage rings, the reference
 * hashes, and np_core_usable_size() of every live buffer. Allocation
 * results are predicted: which chunk serves a request (Netty's
 * q050, q025, q000, qInit, q075 order, the subpage ring first), whether a
 * new chunk is made, and whether -ENOMEM is justified.
 *
 * Any broken invariant or allocator warning prints what it saw and
 * aborts, which libFuzzer records as a crash. Environment:
 *   NP_FUZZ_TRACE=1         print every operation;
 *   NP_FUZZ_FULL_EVERY=n    the full walk every n operations (1: always);
 *
 * The arena of each allocation is picked by the input: the build links
 * with -Wl,--wrap=np_env_arena_hint, and the model checks that the
 * buffer landed in that arena (so a build without the wrap fails).
 */
#include "np_core_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX_LIVE		2048
#define FZ_MAX_CHUNKS		48
/* Largest chunk the header picks: 16 MiB keeps runs fast; build with
 * -DFZ_MAX_CHUNK_SHIFT=30 to reach 1 GiB chunks and max_order 14. */
#ifndef FZ_MAX_CHUNK_SHIFT
#define FZ_MAX_CHUNK_SHIFT	24
#endif
#define FZ_MAX_RESERVED		(FZ_MAX_CHUNK_SHIFT > 24 ? 8ULL << 30 : 768ULL << 20)
#define FZ_MAX_REFS		1000
#define FZ_MAX_ARENAS		16
#define FZ_FREED_RING		64
#define FZ_ABSURD		(1ULL << 60)	/* beyond any mmap */

/* --- the arena hint, chosen by the input ---------------------------- */

static unsigned int fz_arena_hint;

unsigned int __wrap_np_env_arena_hint(void);
unsigned int __wrap_np_env_arena_hint(void)
{
	return fz_arena_hint;
}

/* --- input ---------------------------------------------------------- */

struct fz_in {
	const u8 *p;
	size_t n;
};

static u8 in_u8(struct fz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static u32 in_u16(struct fz_in *in)
{
	u32 lo = in_u8(in);

	return lo | (u32)in_u8(in) << 8;
}

static u32 in_u32(struct fz_in *in)
{
	u32 lo = in_u16(in);

	return lo | in_u16(in) << 16;
}

/* --- the model ------------------------------------------------------ */

struct fz_buf {
	u64 addr;
	u64 cap;
	u64 serial;
	u32 refs;		/* extra references */
	u8 cls;
	u8 arena;
};

static struct fz_state {
	struct np_core *core;
	u64 page;
	u64 sys_page;		/* huge buffers round up to this */
	u32 page_shift;
	u32 max_order;
	u64 chunk;
	unsigned int n_arenas;
	int keep;
	u64 max_bytes;
	struct fz_buf live[FZ_MAX_LIVE];	/* sorted by addr */
	size_t nlive;
	u64 freed[FZ_FREED_RING];
	unsigned int freed_pos;
	u64 alloc[4];
	u64 free[4];
	u64 bytes_active;
	u64 huge_bytes;
	u64 nhuge;
	u64 serial;
	unsigned long op;
	const char *what;
	bool trace;
	bool strict_limit;
	unsigned int full_every;
} F;

static const char *const fz_list_names[NP_NR_CHUNK_LISTS] = {
	"qInit", "q000", "q025", "q050", "q075", "q100",
};

static const int fz_list_bounds[NP_NR_CHUNK_LISTS][2] = {
	{ INT_MIN, 25 }, { 1, 50 }, { 25, 75 }, { 50, 100 }, { 75, 100 },
	{ 100, INT_MAX },
};

static void fz_dump(void)
{
	struct np_core *core = F.core;
	unsigned int a, l;

	fprintf(stderr,
		"fuzz_core: geometry page %llu max_order %u chunk %llu arenas %u keep %d max_bytes %llu; %zu live buffers\n",
		(unsigned long long)F.page, F.max_order,
		(unsigned long long)F.chunk, F.n_arenas, F.keep,
		(unsigned long long)F.max_bytes, F.nlive);
	if (!core)
		return;
	for (a = 0; a < core->n_arenas; a++) {
		struct np_arena *arena = &core->arenas[a];

		for (l = 0; l < NP_NR_CHUNK_LISTS; l++) {
			struct np_chunk *c;

			for (c = arena->lists[l].head; c; c = c->next)
				fprintf(stderr,
					"  arena %u %s chunk %#llx free_bytes %llu usage %d root %u%s\n",
					a, fz_list_names[l],
					(unsigned long long)c->region.key,
					(unsigned long long)c->free_bytes,
					np_chunk_usage(c), c->memory_map[1],
					arena->spare == c ? " (spare)" : "");
		}
	}
}

__attribute__((format(printf, 3, 4), noreturn))
static void fz_fail(int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_core: op %lu (%s): check at line %d failed: %s\n  ",
		F.op, F.what ? F.what : "-", line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fz_dump();
	abort();
}

#define CHECK(cond, ...) do {						\
	if (np_unlikely(!(cond)))					\
		fz_fail(__LINE__, #cond, __VA_ARGS__);			\
} while (0)

#define ULL(x)	((unsigned long long)(x))

static void fz_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fz_trace(const char *fmt, ...)
{
	va_list ap;

	if (!F.trace)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "[%lu] ", F.op);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The size classes of np_size_class.h, restated. */
static u64 fz_normalize(u64 size)
{
	if (size > F.chunk)
		return size > ~0ULL - F.sys_page ? 0 : np_align_up(size, F.sys_page);
	if (!size)
		return 16;
	if (size < 512)
		return np_align_up(size, 16);
	return 1ULL << np_fls64(size - 1);
}

static u8 fz_class(u64 norm)
{
	if (norm < 512)
		return NP_SIZE_TINY;
	if (norm < F.page)
		return NP_SIZE_SMALL;
	if (norm <= F.chunk)
		return NP_SIZE_NORMAL;
	return NP_SIZE_HUGE;
}

/* Index of the first live buffer with addr >= key. */
static size_t fz_lower(u64 key)
{
	size_t lo = 0, hi = F.nlive;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (F.live[mid].addr < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool fz_is_live(u64 addr)
{
	size_t i = fz_lower(addr);

	return i < F.nlive && F.live[i].addr == addr;
}

static u64 fz_pattern(const struct fz_buf *b)
{
	return (b->serial * 0x9e3779b97f4a7c15ULL) ^ b->addr;
}

static void fz_write_pattern(const struct fz_buf *b)
{
	u64 v = fz_pattern(b), w = ~v;

	memcpy((void *)(uintptr_t)b->addr, &v, 8);
	memcpy((void *)(uintptr_t)(b->addr + b->cap - 8), &w, 8);
}

static void fz_check_pattern(const struct fz_buf *b)
{
	u64 v, w;

	memcpy(&v, (void *)(uintptr_t)b->addr, 8);
	memcpy(&w, (void *)(uintptr_t)(b->addr + b->cap - 8), 8);
	CHECK(v == fz_pattern(b) && w == ~fz_pattern(b),
	      "buffer %#llx (cap %llu, serial %llu) was overwritten: head %#llx tail %#llx",
	      ULL(b->addr), ULL(b->cap), ULL(b->serial), ULL(v), ULL(w));
}

static struct np_region *fz_find(u64 addr)
{
	return np_region_map_find(&F.core->regions.map, addr);
}

static struct np_chunk *fz_chunk_of(u64 addr)
{
	struct np_region *r = fz_find(addr);

	return r && r->kind == NP_REGION_CHUNK ? np_region_chunk(r) : NULL;
}

static int fz_list_id(const struct np_chunk *c)
{
	return c->list ? (int)(c->list - c->region.arena->lists) : -1;
}

/* --- checks --------------------------------------------------------- */

struct fz_tree {
	u64 runs;		/* allocated run nodes */
	u64 sub_pages;		/* allocated leaves carved by a subpage */
};

/* Below a free or allocated node every value equals its depth: the
 * nodes of the subtree at each level are contiguous ids. */
static void fz_tree_untouched(const struct np_chunk *c, u32 id)
{
	u32 d = c->depth_map[id], k;

	for (k = 1; d + k <= F.max_order; k++) {
		u32 lo = id << k;

		CHECK(!memcmp(&c->memory_map[lo], &c->depth_map[lo], 1U << k),
		      "chunk %#llx: below node %u (depth %u, value %u) a node of depth %u is not free",
		      ULL(c->region.key), id, d, c->memory_map[id], d + k);
	}
}

/*
 * Walk the subtree of id: the node's state is read from its value.
 * Returns the free bytes under the node.
 */
static u64 fz_tree_walk(const struct np_chunk *c, u32 id, struct fz_tree *t)
{
	u32 d = c->depth_map[id];
	u32 v = c->memory_map[id];
	u64 len = F.chunk >> d;
	bool leaf = d == F.max_order;
	u32 first_page = (u32)((((u64)id ^ (1ULL << d)) * len) >> F.page_shift);

	CHECK(d <= F.max_order && id >> d == 1, "chunk %#llx node %u has depth %u",
	      ULL(c->region.key), id, d);
	if (v == d) {
		fz_tree_untouched(c, id);
		CHECK(c->run_at_page[first_page] == 0 &&
		      (!leaf || !c->subpages[first_page].do_not_destroy),
		      "chunk %#llx: free node %u but run %u or a subpage at its first page",
		      ULL(c->region.key), id, c->run_at_page[first_page]);
		return len;
	}
	CHECK(v > d && v <= c->unusable, "chunk %#llx node %u depth %u has value %u",
	      ULL(c->region.key), id, d, v);
	if (v == c->unusable && c->run_at_page[first_page] == id) {
		t->runs++;
		fz_tree_untouched(c, id);
		return 0;
	}
	if (v == c->unusable && leaf) {
		const struct np_subpage *s = &c->subpages[first_page];

		CHECK(s->do_not_destroy && s->memory_map_idx == id,
		      "chunk %#llx: page %u is allocated but neither a run nor a live subpage",
		      ULL(c->region.key), first_page);
		CHECK(c->run_at_page[first_page] == 0,
		      "chunk %#llx: subpage page %u has run %u", ULL(c->region.key),
		      first_page, c->run_at_page[first_page]);
		t->sub_pages++;
		return 0;
	}
	CHECK(!leaf, "chunk %#llx: leaf %u has value %u", ULL(c->region.key), id, v);
	{
		u64 f = fz_tree_walk(c, 2 * id, t) + fz_tree_walk(c, 2 * id + 1, t);
		u32 v1 = c->memory_map[2 * id], v2 = c->memory_map[2 * id + 1];

		CHECK(v == (v1 < v2 ? v1 : v2) && !(v1 == d + 1 && v2 == d + 1),
		      "chunk %#llx: node %u depth %u value %u, children %u %u",
		      ULL(c->region.key), id, d, v, v1, v2);
		return f;
	}
}

/* The buddy tree and subpages of one chunk. in_use: live model buffers
 * in it, runs and subpage elements; NULL to skip that comparison. */
static void fz_check_chunk(const struct np_chunk *c, const u64 *in_use)
{
	struct fz_tree t = { 0 };
	u64 free_bytes, runs = 0, pages = 0, elems = 0;
	u32 p, n_pages = 1U << F.max_order;

	CHECK(c->region.size == F.chunk && c->unusable == F.max_order + 1 &&
	      c->depth_map == F.core->geo.depth_map,
	      "chunk %#llx: size %llu unusable %u", ULL(c->region.key),
	      ULL(c->region.size), c->unusable);
	free_bytes = fz_tree_walk(c, 1, &t);
	CHECK(free_bytes == c->free_bytes,
	      "chunk %#llx: free_bytes %llu but the tree has %llu free (root %u)",
	      ULL(c->region.key), ULL(c->free_bytes), ULL(free_bytes),
	      c->memory_map[1]);
	CHECK(c->memory_map[1] == c->unusable ? free_bytes == 0 :
	      free_bytes >= F.chunk >> c->memory_map[1],
	      "chunk %#llx: root %u but %llu bytes free", ULL(c->region.key),
	      c->memory_map[1], ULL(free_bytes));
	for (p = 0; p < n_pages; p++) {
		const struct np_subpage *s = &c->subpages[p];
		u32 id = c->run_at_page[p], w, bits = 0;

		if (id) {
			CHECK(id < 2U * n_pages && c->memory_map[id] == c->unusable &&
			      ((u64)id ^ (1ULL << c->depth_map[id])) *
			      (F.chunk >> c->depth_map[id]) == (u64)p << F.page_shift,
			      "chunk %#llx: run_at_page[%u] = %u is not an allocated run there",
			      ULL(c->region.key), p, id);
			runs++;
		}
		if (!s->do_not_destroy)
			continue;
		pages++;
		CHECK(s->chunk == c && s->memory_map_idx == n_pages + p &&
		      s->run_offset == (u64)p << F.page_shift && !id,
		      "chunk %#llx: subpage of page %u is inconsistent", ULL(c->region.key), p);
		CHECK(s->elem_size >= 16 && s->elem_size < F.page &&
		      (s->elem_size < 512 ? s->elem_size % 16 == 0 : np_is_pow2(s->elem_size)) &&
		      s->max_num_elems == F.page / s->elem_size &&
		      s->bitmap_length == (s->max_num_elems + 63) / 64 &&
		      s->num_avail <= s->max_num_elems,
		      "chunk %#llx page %u: subpage elem %u max %u avail %u len %u",
		      ULL(c->region.key), p, s->elem_size, s->max_num_elems,
		      s->num_avail, s->bitmap_length);
		for (w = 0; w < s->bitmap_length; w++) {
			u64 word = s->bitmap[w];

			if ((w + 1) * 64 > s->max_num_elems && s->max_num_elems % 64)
				CHECK(!(word >> (s->max_num_elems % 64)),
				      "chunk %#llx page %u: bitmap bits past the last element",
				      ULL(c->region.key), p);
			bits += (u32)__builtin_popcountll(word);
		}
		CHECK(bits + s->num_avail == s->max_num_elems,
		      "chunk %#llx page %u: %u bits set, %u available of %u",
		      ULL(c->region.key), p, bits, s->num_avail, s->max_num_elems);
		CHECK(s->num_avail ? s->prev && s->next : !s->prev && !s->next,
		      "chunk %#llx page %u: %u available but %s its ring",
		      ULL(c->region.key), p, s->num_avail, s->prev ? "in" : "not in");
		elems += bits;
	}
	CHECK(runs == t.runs && pages == t.sub_pages,
	      "chunk %#llx: %llu runs and %llu subpages recorded, the tree holds %llu and %llu",
	      ULL(c->region.key), ULL(runs), ULL(pages), ULL(t.runs), ULL(t.sub_pages));
	if (in_use)
		CHECK(in_use[0] == runs && in_use[1] == elems,
		      "chunk %#llx: the model has %llu runs and %llu elements live, the chunk %llu and %llu",
		      ULL(c->region.key), ULL(in_use[0]), ULL(in_use[1]), ULL(runs), ULL(elems));
}

static void fz_check_stats(const struct np_stats *st)
{
	u64 sum = 0;
	unsigned int i;

	CHECK(st->page_size == F.page && st->chunk_size == F.chunk &&
	      st->n_arenas == F.n_arenas, "geometry in stats");
	CHECK(st->active_buffers == F.nlive, "active_buffers %llu, model %zu",
	      ULL(st->active_buffers), F.nlive);
	CHECK(st->bytes_active == F.bytes_active, "bytes_active %llu, model %llu",
	      ULL(st->bytes_active), ULL(F.bytes_active));
	CHECK(st->alloc_tiny == F.alloc[0] && st->alloc_small == F.alloc[1] &&
	      st->alloc_normal == F.alloc[2] && st->alloc_huge == F.alloc[3],
	      "alloc counters %llu %llu %llu %llu, model %llu %llu %llu %llu",
	      ULL(st->alloc_tiny), ULL(st->alloc_small), ULL(st->alloc_normal),
	      ULL(st->alloc_huge), ULL(F.alloc[0]), ULL(F.alloc[1]),
	      ULL(F.alloc[2]), ULL(F.alloc[3]));
	CHECK(st->free_tiny == F.free[0] && st->free_small == F.free[1] &&
	      st->free_normal == F.free[2] && st->free_huge == F.free[3],
	      "free counters %llu %llu %llu %llu, model %llu %llu %llu %llu",
	      ULL(st->free_tiny), ULL(st->free_small), ULL(st->free_normal),
	      ULL(st->free_huge), ULL(F.free[0]), ULL(F.free[1]),
	      ULL(F.free[2]), ULL(F.free[3]));
	CHECK(st->huge_regions == F.nhuge, "huge_regions %llu, model %llu",
	      ULL(st->huge_regions), ULL(F.nhuge));
	for (i = 0; i < NP_NR_CHUNK_LISTS; i++)
		sum += st->chunklist_chunks[i];
	CHECK(st->chunks == sum, "chunks %llu, lists hold %llu", ULL(st->chunks), ULL(sum));
	CHECK(st->bytes_reserved == st->chunks * F.chunk + F.huge_bytes,
	      "bytes_reserved %llu != %llu chunks * %llu + %llu huge",
	      ULL(st->bytes_reserved), ULL(st->chunks), ULL(F.chunk), ULL(F.huge_bytes));
	CHECK(!F.max_bytes || st->bytes_reserved <= F.max_bytes,
	      "bytes_reserved %llu above max_bytes %llu", ULL(st->bytes_reserved),
	      ULL(F.max_bytes));
	CHECK(!st->bytes_cached && !st->cache_hits, "the core has no cache");
}

/* Pool-wide checks; full adds the trees, rings, refs and usable sizes. */
static void fz_check(bool full)
{
	struct np_core *core = F.core;
	struct np_region_map *map = &core->regions.map;
	struct np_stats st;
	u64 nchunks = 0, nhuge = 0, huge_bytes = 0;
	unsigned int a, l;
	size_t i;

	CHECK(np_env_warnings == 0, "%lu allocator warnings fired", np_env_warnings);
	np_core_stats(core, &st);
	fz_check_stats(&st);

	/* the region map */
	CHECK(map->nr <= map->cap, "map nr %zu cap %zu", map->nr, map->cap);
	for (i = 0; i < map->nr; i++) {
		struct np_region *r = map->slots[i];

		CHECK(!r->retired, "retired region %#llx in the map", ULL(r->key));
		CHECK(i + 1 == map->nr || r->key + r->size <= map->slots[i + 1]->key,
		      "regions %#llx+%llu and %#llx overlap or are unsorted",
		      ULL(r->key), ULL(r->size), ULL(map->slots[i + 1]->key));
		if (r->kind == NP_REGION_CHUNK) {
			nchunks++;
			CHECK(r->arena >= core->arenas && r->arena < core->arenas + core->n_arenas,
			      "chunk %#llx has no arena", ULL(r->key));
			CHECK(np_region_chunk(r)->list, "chunk %#llx is in no list", ULL(r->key));
		} else {
			CHECK(r->kind == NP_REGION_HUGE && !r->arena &&
			      r->capacity == r->size && r->size > F.chunk &&
			      r->size % F.sys_page == 0,
			      "huge region %#llx: size %llu capacity %llu",
			      ULL(r->key), ULL(r->size), ULL(r->capacity));
			nhuge++;
			huge_bytes += r->size;
		}
	}
	CHECK(nchunks == st.chunks && nhuge == F.nhuge && huge_bytes == F.huge_bytes,
	      "the map holds %llu chunks and %llu huge regions (%llu bytes); stats %llu, model %llu (%llu)",
	      ULL(nchunks), ULL(nhuge), ULL(huge_bytes), ULL(st.chunks),
	      ULL(F.nhuge), ULL(F.huge_bytes));

	/* the chunk lists */
	for (a = 0; a < core->n_arenas; a++) {
		struct np_arena *arena = &core->arenas[a];
		u64 in_arena = 0;
		bool spare_seen = false;

		CHECK(arena->regions == &core->regions && arena->geo == &core->geo &&
		      arena->index == a, "arena %u", a);
		for (l = 0; l < NP_NR_CHUNK_LISTS; l++) {
			struct np_chunk_list *q = &arena->lists[l];
			struct np_chunk *c, *prev = NULL;
			u64 n = 0;

			for (c = q->head; c; prev = c, c = c->next) {
				int usage = np_chunk_usage(c);

				CHECK(++n <= q->nr_chunks, "arena %u %s: more chunks than nr_chunks %llu",
				      a, q->name, ULL(q->nr_chunks));
				CHECK(c->list == q && c->prev == prev &&
				      c->region.arena == arena && c->region.kind == NP_REGION_CHUNK,
				      "arena %u %s: chunk %#llx badly linked", a, q->name,
				      ULL(c->region.key));
				CHECK(fz_find(c->region.key) == &c->region,
				      "arena %u %s: chunk %#llx is not in the map", a, q->name,
				      ULL(c->region.key));
				CHECK(usage >= q->min_usage && usage < q->max_usage,
				      "arena %u: chunk %#llx with usage %d (free_bytes %llu) is in %s [%d, %d)",
				      a, ULL(c->region.key), usage, ULL(c->free_bytes),
				      q->name, q->min_usage, q->max_usage);
				CHECK(!np_chunk_is_empty(c) || l == NP_QINIT,
				      "arena %u: empty chunk %#llx in %s", a,
				      ULL(c->region.key), q->name);
				CHECK(c->free_bytes <= F.chunk && c->free_bytes % F.page == 0,
				      "chunk %#llx free_bytes %llu", ULL(c->region.key),
				      ULL(c->free_bytes));
				if (c == arena->spare)
					spare_seen = true;
				if (full) {
					size_t j = fz_lower(c->region.key);

					/* chunks holding live buffers are checked
					 * below, against the model */
					if (j == F.nlive || F.live[j].addr >= c->region.key + F.chunk)
						fz_check_chunk(c, NULL);
				}
			}
			CHECK(n == q->nr_chunks, "arena %u %s: %llu chunks, nr_chunks %llu",
			      a, q->name, ULL(n), ULL(q->nr_chunks));
			in_arena += n;
		}
		CHECK(in_arena == arena->stats.chunks, "arena %u: lists hold %llu chunks, counter %llu",
		      a, ULL(in_arena), ULL(arena->stats.chunks));
		CHECK(!arena->spare || spare_seen, "arena %u: the spare is in no list", a);
		CHECK(F.keep > 0 || !arena->spare, "arena %u: a spare with keep_empty_chunks -1", a);
	}

	/* the buffers */
	for (i = 0; i < F.nlive; i++) {
		const struct fz_buf *b = &F.live[i];

		CHECK(i + 1 == F.nlive || b->addr + b->cap <= F.live[i + 1].addr,
		      "live buffers %#llx+%llu and %#llx overlap", ULL(b->addr),
		      ULL(b->cap), ULL(F.live[i + 1].addr));
		fz_check_pattern(b);
	}
	if (!full)
		return;

	/* subpage rings */
	for (a = 0; a < core->n_arenas; a++) {
		struct np_arena *arena = &core->arenas[a];
		unsigned int k, nheads = NP_NR_TINY_POOLS + core->geo.n_small_pools;

		CHECK(core->geo.n_small_pools == F.page_shift - 9, "n_small_pools");
		for (k = 0; k < NP_NR_TINY_POOLS + NP_MAX_SMALL_POOLS; k++) {
			struct np_subpage *head = k < NP_NR_TINY_POOLS ?
				&arena->tiny_pools[k] :
				&arena->small_pools[k - NP_NR_TINY_POOLS];
			u32 elem = k < NP_NR_TINY_POOLS ? k * 16 :
				512U << (k - NP_NR_TINY_POOLS);
			struct np_subpage *s, *prev = head;
			size_t n = 0;

			CHECK(head->next && head->prev, "arena %u pool %u unlinked", a, k);
			if (k == 0 || k >= nheads)
				CHECK(head->next == head && head->prev == head,
				      "arena %u: unused pool %u is not empty", a, k);
			for (s = head->next; s != head; prev = s, s = s->next) {
				CHECK(++n <= FZ_MAX_LIVE + 64U * FZ_MAX_CHUNKS,
				      "arena %u pool %u: ring does not close", a, k);
				CHECK(s->prev == prev && s->elem_size == elem &&
				      s->do_not_destroy && s->num_avail > 0 &&
				      s->chunk->region.arena == arena &&
				      fz_find(s->chunk->region.key) == &s->chunk->region &&
				      np_arena_subpage_head(arena, elem) == head,
				      "arena %u pool %u (elem %u): bad subpage elem %u avail %u",
				      a, k, elem, s->elem_size, s->num_avail);
			}
			CHECK(head->prev == prev, "arena %u pool %u: ring prev", a, k);
		}
	}

	/* every live buffer: its region, usable size, refs; per-chunk tallies */
	{
		u64 refs_in_arena[FZ_MAX_ARENAS] = { 0 };
		struct np_region *cur = NULL;
		u64 tally[2] = { 0, 0 };
		u64 seen_chunks = 0;

		for (i = 0; i <= F.nlive; i++) {
			const struct fz_buf *b = i < F.nlive ? &F.live[i] : NULL;
			struct np_region *r = b ? fz_find(b->addr) : NULL;

			if (cur && r != cur) {
				fz_check_chunk(np_region_chunk(cur), tally);
				seen_chunks++;
				cur = NULL;
			}
			if (!b)
				break;
			CHECK(r && b->addr + b->cap <= r->key + r->size,
			      "live buffer %#llx+%llu is not inside a region", ULL(b->addr),
			      ULL(b->cap));
			CHECK(np_core_usable_size(core, b->addr) == b->cap,
			      "usable_size(%#llx) = %llu, capacity %llu", ULL(b->addr),
			      ULL(np_core_usable_size(core, b->addr)), ULL(b->cap));
			if (r->kind == NP_REGION_HUGE) {
				CHECK(b->cls == NP_SIZE_HUGE && r->key == b->addr &&
				      r->extra_refs == b->refs,
				      "huge buffer %#llx: extra_refs %u, model %u",
				      ULL(b->addr), r->extra_refs, b->refs);
				continue;
			}
			CHECK(b->cls != NP_SIZE_HUGE && r->arena == &core->arenas[b->arena],
			      "buffer %#llx is in arena %ld, the model says %u", ULL(b->addr),
			      (long)(r->arena - core->arenas), b->arena);
			if (r != cur) {
				cur = r;
				tally[0] = tally[1] = 0;
			}
			tally[b->cls == NP_SIZE_NORMAL ? 0 : 1]++;
			if (b->refs)
				refs_in_arena[b->arena]++;
		}
		for (a = 0; a < core->n_arenas; a++)
			CHECK(core->arenas[a].refs.nr == refs_in_arena[a],
			      "arena %u: refs.nr %llu, model %llu", a,
			      ULL(core->arenas[a].refs.nr), ULL(refs_in_arena[a]));
		(void)seen_chunks;
	}
}

/* Chunks with no live buffer are checked by fz_check(true) with no tally;
 * this checks the one an operation touched, if it still exists. */
static void fz_check_touched(u64 addr)
{
	struct np_chunk *c = fz_chunk_of(addr);

	if (c)
		fz_check_chunk(c, NULL);
}

/* --- allocation ----------------------------------------------------- */

/* Offset of the run Netty's allocateNode() picks at depth d: the
 * leftmost free node of that depth. */
static u64 fz_predict_node(const struct np_chunk *c, u32 d)
{
	u32 id = 1, k;

	for (k = 0; k < d; k++) {
		id <<= 1;
		if (c->memory_map[id] > d)
			id ^= 1;
	}
	CHECK(c->memory_map[id] == d, "chunk %#llx: no free node at depth %u below a root of %u",
	      ULL(c->region.key), d, c->memory_map[1]);
	return (u64)(id ^ (1U << d)) * (F.chunk >> d);
}

/*
 * The chunk Netty's order would serve norm from, or NULL for a new one;
 * *offset: where in it the buffer starts (in a new chunk: 0). A subpage
 * in the ring hands out next_avail, else its lowest free element; a new
 * subpage its element 0.
 */
static struct np_chunk *fz_predict(struct np_arena *arena, u64 norm, u64 *offset)
{
	static const int order[] = { NP_Q050, NP_Q025, NP_Q000, NP_QINIT, NP_Q075 };
	u32 d = F.max_order;
	unsigned int i;

	*offset = 0;
	if (norm < F.page) {
		struct np_subpage *head = np_arena_subpage_head(arena, (u32)norm);
		struct np_subpage *sp = head->next;

		if (sp != head) {
			s32 idx = sp->next_avail;
			u32 w;

			for (w = 0; idx < 0 && w < sp->bitmap_length; w++)
				if (~sp->bitmap[w])
					idx = (s32)(w * 64 + (u32)__builtin_ctzll(~sp->bitmap[w]));
			CHECK(idx >= 0 && idx < sp->max_num_elems,
			      "subpage (elem %u) in its ring has no free element", sp->elem_size);
			*offset = sp->run_offset + (u64)idx * sp->elem_size;
			return sp->chunk;
		}
	} else {
		d = F.max_order - (np_fls64(norm) - 1 - F.page_shift);
	}
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		struct np_chunk_list *q = &arena->lists[order[i]];
		int min = q->min_usage < 1 ? 1 : q->min_usage;
		struct np_chunk *c;

		if (norm > F.chunk * (u64)(100 - min) / 100)
			continue;
		for (c = q->head; c; c = c->next) {
			if (c->memory_map[1] <= d) {
				*offset = fz_predict_node(c, d);
				return c;
			}
		}
	}
	return NULL;
}

/*
 * Empty chunks the byte limit may give back before it refuses a new
 * region: every empty chunk in qInit (the kept spares among them).
 */
static unsigned int fz_empty_spares(void)
{
	unsigned int a, n = 0;

	for (a = 0; a < F.n_arenas; a++) {
		const struct np_chunk *c;

		for (c = F.core->arenas[a].lists[NP_QINIT].head; c; c = c->next)
			n += np_chunk_is_empty(c);
	}
	return n;
}

static bool fz_room(void)
{
	struct np_stats st;

	if (F.nlive >= FZ_MAX_LIVE)
		return false;
	np_core_stats(F.core, &st);
	return st.chunks < FZ_MAX_CHUNKS && st.bytes_reserved < FZ_MAX_RESERVED;
}

static void fz_insert(const struct fz_buf *b)
{
	size_t i = fz_lower(b->addr);

	CHECK(i == F.nlive || b->addr + b->cap <= F.live[i].addr,
	      "new buffer %#llx+%llu overlaps live buffer %#llx+%llu",
	      ULL(b->addr), ULL(b->cap), ULL(F.live[i].addr), ULL(F.live[i].cap));
	CHECK(i == 0 || F.live[i - 1].addr + F.live[i - 1].cap <= b->addr,
	      "new buffer %#llx+%llu overlaps live buffer %#llx+%llu",
	      ULL(b->addr), ULL(b->cap), ULL(F.live[i - 1].addr),
	      ULL(F.live[i - 1].cap));
	memmove(&F.live[i + 1], &F.live[i], (F.nlive - i) * sizeof(*b));
	F.live[i] = *b;
	F.nlive++;
}

static void fz_alloc(u64 size, u8 arena_pick)
{
	struct np_core *core = F.core;
	unsigned int arena_idx = arena_pick % F.n_arenas;
	struct np_arena *arena = &core->arenas[arena_idx];
	u64 norm = fz_normalize(size);
	u8 cls = fz_class(norm);
	struct np_chunk *expect = NULL, *c;
	u64 expect_off = 0;
	struct np_stats before, after;
	unsigned int spares;
	struct np_buf buf;
	struct fz_buf b;
	int rc;

	F.what = "alloc";
	if (!fz_room())
		return;
	CHECK(np_core_normalize(core, size) == norm, "normalize(%llu) = %llu, expected %llu",
	      ULL(size), ULL(np_core_normalize(core, size)), ULL(norm));
	if (norm)
		CHECK(np_core_size_class(core, norm) == cls, "class of %llu", ULL(norm));
	if (norm && norm <= F.chunk)
		expect = fz_predict(arena, norm, &expect_off);
	spares = fz_empty_spares();
	np_core_stats(core, &before);
	fz_arena_hint = arena_pick;
	memset(&buf, 0xa5, sizeof(buf));
	rc = np_core_alloc(core, size, GFP_KERNEL, &buf);
	fz_trace("alloc %llu (norm %llu) arena %u -> %d %#llx", ULL(size), ULL(norm),
		 arena_idx, rc, ULL(buf.addr));
	np_core_stats(core, &after);

	if (rc) {
		u64 need = cls == NP_SIZE_HUGE ? norm : F.chunk;

		CHECK(rc == -ENOMEM, "alloc(%llu) returned %d", ULL(size), rc);
		CHECK(!norm || norm >= FZ_ABSURD ||
		      (F.max_bytes && !expect &&
		       after.bytes_reserved + need > F.max_bytes),
		      "alloc(%llu) (norm %llu) failed with %llu of max_bytes %llu reserved; %s",
		      ULL(size), ULL(norm), ULL(after.bytes_reserved), ULL(F.max_bytes),
		      expect ? "a listed chunk had room" : "no chunk had room");
		if (F.strict_limit && F.max_bytes && norm && norm < FZ_ABSURD) {
			/* the limit may refuse only what would not fit with
			 * every empty chunk given back, not just spares
			 * (corpus/regress-limit-idle-qinit) */
			u64 idle = 0;
			unsigned int a;

			for (a = 0; a < F.n_arenas; a++) {
				const struct np_chunk *e;

				for (e = core->arenas[a].lists[NP_QINIT].head; e; e = e->next)
					idle += np_chunk_is_empty(e) ? F.chunk : 0;
			}
			CHECK(after.bytes_reserved - idle + need > F.max_bytes,
			      "alloc(%llu) refused by max_bytes %llu while %llu of the %llu bytes reserved are empty chunks in qInit",
			      ULL(size), ULL(F.max_bytes), ULL(idle), ULL(after.bytes_reserved));
		}
		CHECK(after.alloc_tiny == before.alloc_tiny &&
		      after.alloc_small == before.alloc_small &&
		      after.alloc_normal == before.alloc_normal &&
		      after.alloc_huge == before.alloc_huge &&
		      after.active_buffers == before.active_buffers &&
		      after.bytes_active == before.bytes_active &&
		      after.huge_regions == before.huge_regions,
		      "a failed alloc changed the counters");
		CHECK(after.chunks <= before.chunks && before.chunks - after.chunks <= spares,
		      "a failed alloc went from %llu to %llu chunks (%u empty in qInit)",
		      ULL(before.chunks), ULL(after.chunks), spares);
		fz_check(false);
		return;
	}

	CHECK(norm && norm < FZ_ABSURD, "alloc(%llu) succeeded", ULL(size));
	CHECK(buf.capacity == norm, "alloc(%llu): capacity %llu, expected %llu",
	      ULL(size), ULL(buf.capacity), ULL(norm));
	CHECK(buf.addr >= buf.region_key && buf.addr + norm <= buf.region_key + buf.region_size,
	      "alloc(%llu): buffer %#llx outside its region %#llx+%llu", ULL(size),
	      ULL(buf.addr), ULL(buf.region_key), ULL(buf.region_size));
	CHECK(fz_find(buf.addr) && fz_find(buf.addr)->key == buf.region_key &&
	      fz_find(buf.addr)->size == buf.region_size,
	      "alloc(%llu): region of %#llx", ULL(size), ULL(buf.addr));
	b.addr = buf.addr;
	b.cap = norm;
	b.serial = ++F.serial;
	b.refs = 0;
	b.cls = cls;
	b.arena = (u8)arena_idx;
	if (cls == NP_SIZE_HUGE) {
		CHECK(buf.region_key == buf.addr && buf.region_size == norm,
		      "huge alloc(%llu): region %#llx+%llu", ULL(size),
		      ULL(buf.region_key), ULL(buf.region_size));
		b.arena = 0;
		F.nhuge++;
		F.huge_bytes += norm;
	} else {
		u64 off = buf.addr - buf.region_key;

		c = fz_chunk_of(buf.addr);
		CHECK(c && buf.region_size == F.chunk, "alloc(%llu): not in a chunk", ULL(size));
		CHECK(cls == NP_SIZE_TINY ? (off & (F.page - 1)) % norm == 0 : off % norm == 0,
		      "alloc(%llu): offset %#llx is not aligned to %llu", ULL(size),
		      ULL(off), ULL(norm));
		CHECK(c->region.arena == arena,
		      "alloc(%llu) in arena %u landed in arena %ld (is np_env_arena_hint wrapped?)",
		      ULL(size), arena_idx, (long)(c->region.arena - core->arenas));
		if (cls != NP_SIZE_NORMAL)
			CHECK(c->subpages[off >> F.page_shift].next_avail == -1,
			      "alloc(%llu): next_avail %d after an allocation from the subpage",
			      ULL(size), c->subpages[off >> F.page_shift].next_avail);
		if (expect) {
			CHECK(c == expect && after.chunks == before.chunks,
			      "alloc(%llu) (norm %llu) served by chunk %#llx (%s), Netty's order picks %#llx (%s); chunks %llu -> %llu",
			      ULL(size), ULL(norm), ULL(c->region.key),
			      fz_list_names[fz_list_id(c) < 0 ? 0 : fz_list_id(c)],
			      ULL(expect->region.key),
			      fz_list_names[fz_list_id(expect) < 0 ? 0 : fz_list_id(expect)],
			      ULL(before.chunks), ULL(after.chunks));
			CHECK(off == expect_off,
			      "alloc(%llu) (norm %llu) at offset %#llx of chunk %#llx; Netty's buddy tree / subpage pick %#llx",
			      ULL(size), ULL(norm), ULL(off), ULL(c->region.key), ULL(expect_off));
		} else {
			CHECK(after.chunks <= before.chunks + 1 &&
			      after.chunks + spares >= before.chunks + 1 &&
			      c->free_bytes + (norm < F.page ? F.page : norm) == F.chunk &&
			      off == 0,
			      "alloc(%llu) (norm %llu): no chunk had room, so a new one was due; chunks %llu -> %llu, chunk free_bytes %llu",
			      ULL(size), ULL(norm), ULL(before.chunks), ULL(after.chunks),
			      ULL(c->free_bytes));
		}
	}
	fz_insert(&b);
	fz_write_pattern(&b);
	F.alloc[cls]++;
	F.bytes_active += norm;
	CHECK(np_core_usable_size(core, b.addr) == norm, "usable_size after alloc");
	fz_check_touched(b.addr);
}

/* --- free, retain --------------------------------------------------- */

static void fz_free_at(size_t i)
{
	struct np_core *core = F.core;
	struct fz_buf b = F.live[i];
	struct np_region *r = fz_find(b.addr), *r2;
	struct np_chunk *c = NULL, *spare = NULL;
	struct np_arena *arena = NULL;
	bool spare_empty = false;
	struct np_stats before, after;
	struct np_subpage *sp = NULL;
	u64 free_before = 0, gain = b.cap;
	int list = -1, rc;

	F.what = "free";
	fz_check_pattern(&b);
	CHECK(r, "live buffer %#llx has no region", ULL(b.addr));
	if (r->kind == NP_REGION_CHUNK) {
		c = np_region_chunk(r);
		arena = r->arena;
		list = fz_list_id(c);
		spare = arena->spare;
		spare_empty = spare && spare != c && np_chunk_is_empty(spare);
		free_before = c->free_bytes;
		if (b.cls != NP_SIZE_NORMAL) {
			/* Netty's PoolSubpage.free(): the page goes back when the
			 * subpage empties, unless it is alone in its ring */
			sp = &c->subpages[(b.addr - r->key) >> F.page_shift];
			gain = 0;
			if (!b.refs && sp->num_avail + 1 == sp->max_num_elems &&
			    !(sp->prev && sp->prev == sp->next))
				gain = F.page;
		}
	}
	np_core_stats(core, &before);
	rc = np_core_free(core, b.addr);
	fz_trace("free %#llx (cap %llu, refs %u) -> %d", ULL(b.addr), ULL(b.cap), b.refs, rc);
	CHECK(rc == (b.refs ? 0 : 1), "free(%#llx) of a live buffer (refs %u) returned %d",
	      ULL(b.addr), b.refs, rc);
	np_core_stats(core, &after);
	if (b.refs) {
		F.live[i].refs--;
		CHECK(!memcmp(&before, &after, sizeof(before)),
		      "dropping a reference of %#llx changed the stats", ULL(b.addr));
		CHECK(np_core_usable_size(core, b.addr) == b.cap,
		      "%#llx no longer live after dropping one of %u references",
		      ULL(b.addr), b.refs + 1);
		return;
	}
	memmove(&F.live[i], &F.live[i + 1], (F.nlive - i - 1) * sizeof(b));
	F.nlive--;
	F.freed[F.freed_pos++ % FZ_FREED_RING] = b.addr;
	F.free[b.cls]++;
	F.bytes_active -= b.cap;
	if (b.cls == NP_SIZE_HUGE) {
		F.nhuge--;
		F.huge_bytes -= b.cap;
		CHECK(!fz_find(b.addr), "huge region %#llx still mapped after its free",
		      ULL(b.addr));
		return;
	}
	CHECK(!np_core_usable_size(core, b.addr), "%#llx still live after its free",
	      ULL(b.addr));
	r2 = fz_find(b.addr);
	if (!r2) {
		/* the chunk was destroyed: only when it emptied outside qInit */
		CHECK(list != NP_QINIT && (F.keep < 0 || spare_empty),
		      "chunk %#llx destroyed on a free from %s (keep %d, another empty spare: %d)",
		      ULL(r->key), fz_list_names[list < 0 ? 0 : list], F.keep, spare_empty);
		CHECK(after.chunks + 1 == before.chunks && gain,
		      "chunks %llu -> %llu, page given back: %llu",
		      ULL(before.chunks), ULL(after.chunks), ULL(gain));
		return;
	}
	CHECK(r2 == r && after.chunks == before.chunks,
	      "chunk of %#llx changed on a free that kept it", ULL(b.addr));
	CHECK(c->free_bytes == free_before + gain,
	      "free of %#llx (cap %llu): chunk free_bytes %llu -> %llu, expected +%llu",
	      ULL(b.addr), ULL(b.cap), ULL(free_before), ULL(c->free_bytes), ULL(gain));
	if (sp && !gain && !b.refs)
		CHECK(sp->next_avail == (s32)(((b.addr - r->key) & (F.page - 1)) / b.cap),
		      "free of %#llx: next_avail of its subpage is %d, not the element freed",
		      ULL(b.addr), sp->next_avail);
	if (sp)
		CHECK(gain ? !sp->do_not_destroy && !sp->prev :
		      sp->do_not_destroy && sp->prev && sp->next,
		      "free of %#llx: its subpage (elem %u, %u of %u free) %s",
		      ULL(b.addr), sp->elem_size, sp->num_avail, sp->max_num_elems,
		      gain ? "kept its page though not alone in its ring" :
			     "let its page go or left its ring");
	if (np_chunk_is_empty(c) && list != NP_QINIT)
		CHECK(F.keep > 0 && arena->spare == c && c->list == &arena->lists[NP_QINIT] &&
		      !spare_empty,
		      "chunk %#llx emptied from %s was kept (keep %d, spare %s)",
		      ULL(c->region.key), fz_list_names[list < 0 ? 0 : list], F.keep,
		      arena->spare == c ? "is it" : "is another");
	fz_check_chunk(c, NULL);
}

static void fz_retain_at(size_t i)
{
	struct fz_buf *b = &F.live[i];
	struct np_stats before, after;
	int rc;

	F.what = "retain";
	if (b->refs >= FZ_MAX_REFS)
		return;
	np_core_stats(F.core, &before);
	rc = np_core_retain(F.core, b->addr);
	fz_trace("retain %#llx -> %d", ULL(b->addr), rc);
	CHECK(rc == 0, "retain(%#llx) of a live buffer returned %d", ULL(b->addr), rc);
	b->refs++;
	np_core_stats(F.core, &after);
	CHECK(!memcmp(&before, &after, sizeof(before)), "retain changed the stats");
}

/* An address that starts no live buffer: every entry point refuses it
 * and nothing changes. */
static void fz_bad(u64 addr)
{
	struct np_stats before, after;
	int rc;
	u64 n;

	F.what = "bad address";
	if (fz_is_live(addr))
		return;
	np_core_stats(F.core, &before);
	rc = np_core_free(F.core, addr);
	fz_trace("free of non-buffer %#llx -> %d", ULL(addr), rc);
	CHECK(rc == -EINVAL, "free(%#llx), no live buffer, returned %d", ULL(addr), rc);
	n = np_core_usable_size(F.core, addr);
	CHECK(n == 0, "usable_size(%#llx), no live buffer, returned %llu", ULL(addr), ULL(n));
	rc = np_core_retain(F.core, addr);
	CHECK(rc == -EINVAL, "retain(%#llx), no live buffer, returned %d", ULL(addr), rc);
	np_core_stats(F.core, &after);
	CHECK(!memcmp(&before, &after, sizeof(before)),
	      "refusing %#llx changed the stats", ULL(addr));
}

static void fz_bad_op(struct fz_in *in)
{
	u8 kind = in_u8(in) % 8;
	u32 r = in_u32(in);
	int local;
	u64 addr = 0;

	switch (kind) {
	case 0:		/* interior of a live buffer */
	case 1: {
		const struct fz_buf *b;

		if (!F.nlive)
			return;
		b = &F.live[r % F.nlive];
		switch (in_u8(in) % 4) {
		case 0: addr = b->addr + 1 + (in_u32(in) % (b->cap - 1)); break;
		case 1: addr = b->addr + b->cap / 2; break;
		case 2: addr = b->addr + (b->cap > F.page ? F.page : 8); break;
		default: addr = b->addr + b->cap - 1; break;
		}
		break;
	}
	case 2:		/* a freed address */
		addr = F.freed[r % FZ_FREED_RING];
		break;
	case 3: {	/* anywhere in a region, or just outside it */
		struct np_region_map *map = &F.core->regions.map;
		struct np_region *reg;

		if (!map->nr)
			return;
		reg = map->slots[r % map->nr];
		switch (in_u8(in) % 4) {
		case 0: addr = reg->key + in_u32(in) % reg->size; break;
		case 1: addr = reg->key + reg->size; break;
		case 2: addr = reg->key - 1; break;
		default: addr = reg->key + (u64)(in_u16(in) % (reg->size >> F.page_shift)) * F.page; break;
		}
		break;
	}
	case 4:		/* just before a live buffer */
		if (!F.nlive)
			return;
		addr = F.live[r % F.nlive].addr - 1 - in_u8(in) % 32;
		break;
	case 5: {	/* foreign memory: the stack, the heap */
		void *p = malloc(64);

		addr = (r & 1) ? (u64)(uintptr_t)&local : (u64)(uintptr_t)p;
		fz_bad(addr);
		free(p);
		return;
	}
	case 6: {	/* addresses no one would map */
		static const u64 odd[] = { 0, 1, 16, 4096, ~0ULL, ~0ULL - 15, 1ULL << 63,
					   0x00007ffffffff000ULL };

		addr = odd[r % ARRAY_SIZE(odd)];
		break;
	}
	default:	/* an element of a kept, free or partly free subpage */
		if (!F.nlive)
			return;
		{
			const struct fz_buf *b = &F.live[r % F.nlive];

			if (b->cls == NP_SIZE_NORMAL || b->cls == NP_SIZE_HUGE)
				addr = b->addr + b->cap;
			else
				addr = (b->addr & ~(F.page - 1)) + (u64)(in_u8(in)) * b->cap % F.page;
		}
		break;
	}
	fz_bad(addr);
}

/* --- trim, teardown ------------------------------------------------- */

static void fz_trim(void)
{
	struct np_stats before, after;
	unsigned int a, l, k;

	F.what = "trim";
	np_core_stats(F.core, &before);
	np_core_trim(F.core);
	np_core_stats(F.core, &after);
	fz_trace("trim: chunks %llu -> %llu", ULL(before.chunks), ULL(after.chunks));
	CHECK(after.chunks <= before.chunks &&
	      after.active_buffers == before.active_buffers &&
	      after.bytes_active == before.bytes_active &&
	      after.free_tiny == before.free_tiny && after.free_small == before.free_small &&
	      after.free_normal == before.free_normal,
	      "trim changed the buffer counters");
	/* nothing idle is left: no empty chunk, no free subpage in a ring,
	 * no chunk without a live buffer */
	for (a = 0; a < F.n_arenas; a++) {
		struct np_arena *arena = &F.core->arenas[a];

		CHECK(!arena->spare || !np_chunk_is_empty(arena->spare),
		      "arena %u keeps an empty spare after trim", a);
		for (l = 0; l < NP_NR_CHUNK_LISTS; l++) {
			struct np_chunk *c;

			for (c = arena->lists[l].head; c; c = c->next) {
				size_t i = fz_lower(c->region.key);

				CHECK(!np_chunk_is_empty(c), "arena %u: empty chunk %#llx in %s after trim",
				      a, ULL(c->region.key), fz_list_names[l]);
				CHECK(i < F.nlive && F.live[i].addr < c->region.key + F.chunk,
				      "arena %u: chunk %#llx (%s, free_bytes %llu) holds no live buffer after trim",
				      a, ULL(c->region.key), fz_list_names[l],
				      ULL(c->free_bytes));
			}
		}
		for (k = 1; k < NP_NR_TINY_POOLS + F.core->geo.n_small_pools; k++) {
			struct np_subpage *head = k < NP_NR_TINY_POOLS ?
				&arena->tiny_pools[k] :
				&arena->small_pools[k - NP_NR_TINY_POOLS];
			struct np_subpage *s;

			for (s = head->next; s != head; s = s->next)
				CHECK(s->num_avail < s->max_num_elems,
				      "arena %u: free subpage (elem %u) in its ring after trim",
				      a, s->elem_size);
		}
	}
	fz_check(true);
}

static void fz_teardown(bool leak)
{
	struct np_stats st;
	unsigned int i;
	u64 left;

	if (leak) {
		size_t n = F.nlive;

		F.what = "destroy with live buffers";
		left = np_core_destroy(F.core);
		F.core = NULL;
		CHECK(left == n, "np_core_destroy returned %llu with %zu buffers live",
		      ULL(left), n);
		return;
	}
	while (F.nlive) {
		size_t j = F.nlive - 1;

		while (F.live[j].refs)
			fz_free_at(j);
		fz_free_at(j);
		fz_check(false);
	}
	fz_check(true);
	fz_trim();
	F.what = "teardown";
	np_core_stats(F.core, &st);
	CHECK(!st.chunks && !st.huge_regions && !st.bytes_reserved && !st.bytes_active &&
	      !st.active_buffers, "stats not zero after freeing everything and trim: %llu chunks, %llu bytes reserved",
	      ULL(st.chunks), ULL(st.bytes_reserved));
	for (i = 0; i < NP_NR_CHUNK_LISTS; i++)
		CHECK(!st.chunklist_chunks[i], "chunks left in list %u", i);
	CHECK(st.alloc_tiny == st.free_tiny && st.alloc_small == st.free_small &&
	      st.alloc_normal == st.free_normal && st.alloc_huge == st.free_huge,
	      "allocations and frees differ");
	CHECK(F.core->regions.map.nr == 0, "%zu regions left in the map", F.core->regions.map.nr);
	left = np_core_destroy(F.core);
	F.core = NULL;
	CHECK(left == 0, "np_core_destroy returned %llu", ULL(left));
	CHECK(np_env_warnings == 0, "%lu allocator warnings fired", np_env_warnings);
}

/* --- configuration -------------------------------------------------- */

static void fz_bad_config(const struct np_config *good, u8 b)
{
	struct np_config c = *good, saved;
	int rc;

	switch ((b & 15) % 12) {
	case 0: c.page_size = 2048; break;
	case 1: c.page_size = 3 << 12; break;
	case 2: c.page_size = 131072; break;
	case 3: c.max_order = NP_MAX_ORDER_MAX + 1 + (b >> 4); break;
	case 4: c.n_arenas = NP_ARENAS_MAX + 1; break;
	case 5: c.keep_empty_chunks = 2; break;
	case 6: c.keep_empty_chunks = -2; break;
	case 7: c.tiny_cache = -2; break;
	case 8: c.small_cache = NP_CACHE_ENTRIES_MAX + 1; break;
	case 9: c.flags |= 0x80000000U; break;
	case 10: c.reserved[b % 3] = 1; break;
	default: c.normal_cache = INT32_MIN; break;
	}
	saved = c;
	F.what = "config";
	rc = np_config_resolve(&c, NULL);
	CHECK(rc == -EINVAL, "np_config_resolve of bad config %u returned %d", (b & 15) % 12, rc);
	CHECK(!memcmp(&c, &saved, sizeof(c)), "a refused config was changed");
}

static bool fz_setup(struct fz_in *in, bool *leak)
{
	u8 b0 = in_u8(in), b1 = in_u8(in), b2 = in_u8(in), b3 = in_u8(in), b4 = in_u8(in);
	u32 page_shift = 12 + b0 % 5;
	u32 max_mo = FZ_MAX_CHUNK_SHIFT - page_shift;

	if (max_mo > (FZ_MAX_CHUNK_SHIFT > 24 ? NP_MAX_ORDER_MAX : 11))
		max_mo = FZ_MAX_CHUNK_SHIFT > 24 ? NP_MAX_ORDER_MAX : 11;
	struct np_config cfg;
	unsigned int n_arenas;
	u64 chunk;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	cfg.page_size = 1U << page_shift;
	cfg.max_order = b1 % (max_mo + 1);
	cfg.flags = (b2 & 0x10) && cfg.max_order ? 0 : NP_CONFIG_MAX_ORDER;
	cfg.n_arenas = 1 + (b2 & 3) % 3;
	cfg.keep_empty_chunks = (b2 & 4) ? -1 : (b2 & 8) ? 1 : 0;
	chunk = (u64)cfg.page_size << cfg.max_order;
	switch (b3 % 8) {
	case 4: cfg.max_bytes = chunk; break;
	case 5: cfg.max_bytes = 2 * chunk; break;
	case 6: cfg.max_bytes = 3 * chunk + chunk / 2 + 4096; break;
	case 7: cfg.max_bytes = chunk / 2 ? chunk / 2 : 1; break;
	default: cfg.max_bytes = 0; break;
	}
	*leak = (b2 >> 5) == 7;
	/* b4 bits 4-6: leave fields at 0 for their defaults */
	if ((b4 & 0x10) && cfg.page_size == NP_PAGE_SIZE_DEFAULT)
		cfg.page_size = 0;
	if ((b4 & 0x20) && cfg.max_order == NP_MAX_ORDER_DEFAULT) {
		cfg.max_order = 0;
		cfg.flags = 0;
	}
	if ((b4 & 0x40) && np_env_nr_cpus() <= FZ_MAX_ARENAS)
		cfg.n_arenas = 0;
	n_arenas = cfg.n_arenas ? cfg.n_arenas : np_env_nr_cpus();

	fz_bad_config(&cfg, b4);
	F.what = "config";
	rc = np_config_resolve(&cfg, NULL);
	CHECK(rc == 0, "np_config_resolve(page %u, max_order %u) returned %d",
	      cfg.page_size, cfg.max_order, rc);
	CHECK(cfg.page_size == 1U << page_shift && cfg.max_order == b1 % (max_mo + 1) &&
	      cfg.n_arenas == n_arenas &&
	      cfg.keep_empty_chunks == ((b2 & 4) ? -1 : 1) &&
	      (cfg.flags & NP_CONFIG_MAX_ORDER) && cfg.tiny_cache > 0 &&
	      cfg.small_cache > 0 && cfg.normal_cache > 0,
	      "resolved config: page %u max_order %u arenas %u keep %d flags %#x",
	      cfg.page_size, cfg.max_order, cfg.n_arenas, cfg.keep_empty_chunks,
	      cfg.flags);

	F.sys_page = (u64)sysconf(_SC_PAGESIZE);
	F.page = cfg.page_size;
	F.page_shift = page_shift;
	F.max_order = cfg.max_order;
	F.chunk = chunk;
	F.n_arenas = cfg.n_arenas;
	F.keep = cfg.keep_empty_chunks;
	F.max_bytes = cfg.max_bytes;
	/* the model predicts the arenas' every choice: no cache in front */
	cfg.tiny_cache = -1;
	cfg.small_cache = -1;
	cfg.normal_cache = -1;
	F.core = np_core_create(&cfg, NULL, NULL, 0);
	CHECK(F.core, "np_core_create failed");
	{
		const struct np_geometry *g = &F.core->geo;
		unsigned int a, l;

		CHECK(g->page_size == F.page && g->page_shift == page_shift &&
		      g->max_order == F.max_order && g->chunk_size == chunk &&
		      g->n_pages == 1U << F.max_order && F.core->n_arenas == F.n_arenas,
		      "geometry");
		for (a = 0; a < F.n_arenas; a++)
			for (l = 0; l < NP_NR_CHUNK_LISTS; l++) {
				struct np_chunk_list *q = &F.core->arenas[a].lists[l];
				int min = fz_list_bounds[l][0] < 1 ? 1 : fz_list_bounds[l][0];

				CHECK(q->min_usage == fz_list_bounds[l][0] &&
				      q->max_usage == fz_list_bounds[l][1] &&
				      q->next_list == (l < NP_Q100 ? q + 1 : NULL) &&
				      q->prev_list == (l == NP_QINIT ? q : l == NP_Q000 ? NULL : q - 1) &&
				      q->max_capacity == (min >= 100 ? 0 : chunk * (u64)(100 - min) / 100),
				      "list %s of arena %u: [%d, %d) capacity %llu",
				      fz_list_names[l], a, q->min_usage, q->max_usage,
				      ULL(q->max_capacity));
			}
	}
	return true;
}

/* --- the operation stream ------------------------------------------- */

static u64 fz_size(struct fz_in *in)
{
	u8 sel = in_u8(in);
	u64 page = F.page, chunk = F.chunk;

	switch (sel % 28) {
	case 0: return 0;
	case 1: return 1;
	case 2: return 15;
	case 3: return 16;
	case 4: return 17;
	case 5: return 496;
	case 6: return 511;
	case 7: return 512;
	case 8: return 513;
	case 9: return page - 1;
	case 10: return page;
	case 11: return page + 1;
	case 12: return chunk - 1;
	case 13: return chunk;
	case 14: return chunk + 1;
	case 15: case 16: return in_u16(in) % 512;
	case 17: case 18: return 512 + in_u16(in) % (page - 512);
	case 19: return page + in_u32(in) % (chunk - page + 1);
	case 20: return page << (in_u8(in) % (F.max_order + 1));
	case 21: return chunk + 1 + in_u32(in) % (3 * chunk);
	case 22: return page / 2;
	case 23: return chunk / 2 + 1;
	case 24: return (1ULL << (in_u8(in) % 12)) * 16 + (in_u8(in) % 3) - 1;
	case 25: {
		static const u64 absurd[] = { ~0ULL, ~0ULL - 4095, ~0ULL - 4096,
					      1ULL << 63, FZ_ABSURD + 1 };

		return absurd[in_u8(in) % ARRAY_SIZE(absurd)];
	}
	default: return 16 * (1 + in_u8(in) % 31);
	}
}

static size_t fz_pick(struct fz_in *in)
{
	return in_u16(in) % F.nlive;
}

static void fz_step(struct fz_in *in)
{
	u8 op = in_u8(in);
	unsigned int n, k;

	switch (op % 20) {
	case 0: case 1: case 2: case 3: case 4: {
		u64 size = fz_size(in);

		fz_alloc(size, in_u8(in));
		break;
	}
	case 5: case 6: {	/* many of one size */
		u64 size;
		u8 arena;

		n = 1 + in_u8(in) % 64;
		size = fz_size(in);
		arena = in_u8(in);
		for (k = 0; k < n; k++) {
			fz_alloc(size, arena);
			fz_check(false);
		}
		break;
	}
	case 7: case 8: case 9: case 10:
		if (F.nlive)
			fz_free_at(fz_pick(in));
		break;
	case 11: {	/* free many, strided */
		size_t start;
		unsigned int stride;

		if (!F.nlive)
			break;
		start = fz_pick(in);
		n = 1 + in_u8(in) % 64;
		stride = in_u8(in) % 8;
		for (k = 0; k < n && F.nlive; k++) {
			fz_free_at((start + (size_t)k * stride) % F.nlive);
			fz_check(false);
		}
		break;
	}
	case 12: {	/* every buffer of one region, references included */
		u64 lo, hi;
		struct np_region *r;
		bool down;

		if (!F.nlive)
			break;
		r = fz_find(F.live[fz_pick(in)].addr);
		lo = r->key;
		hi = r->key + r->size;
		down = in_u8(in) & 1;
		for (;;) {
			size_t i = fz_lower(lo), j = fz_lower(hi);

			if (i == j)
				break;
			fz_free_at(down ? j - 1 : i);
			fz_check(false);
		}
		break;
	}
	case 13: case 14:
		fz_bad_op(in);
		break;
	case 15: case 16:
		if (F.nlive)
			fz_retain_at(fz_pick(in));
		break;
	case 17:
		if (F.nlive) {
			const struct fz_buf *b = &F.live[fz_pick(in)];

			F.what = "usable_size";
			CHECK(np_core_usable_size(F.core, b->addr) == b->cap,
			      "usable_size(%#llx) = %llu, capacity %llu", ULL(b->addr),
			      ULL(np_core_usable_size(F.core, b->addr)), ULL(b->cap));
		}
		break;
	case 18:
		fz_trim();
		break;
	default:	/* free a retained buffer down to one reference */
		if (F.nlive) {
			size_t i = fz_pick(in);

			while (F.live[i].refs)
				fz_free_at(i);
		}
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	const char *env;
	bool leak;

	memset(&F, 0, sizeof(F));
	env = getenv("NP_FUZZ_TRACE");
	F.trace = env && *env && *env != '0';
	F.strict_limit = true;
	env = getenv("NP_FUZZ_FULL_EVERY");
	F.full_every = env ? (unsigned int)atoi(env) : 8;
	CHECK(np_env_warnings == 0, "warnings before the run");

	fz_setup(&in, &leak);
	fz_check(true);
	while (in.n) {
		F.op++;
		fz_step(&in);
		fz_check(F.full_every <= 1 || F.op % F.full_every == 0);
	}
	fz_check(true);
	fz_teardown(leak);
	return 0;
}
