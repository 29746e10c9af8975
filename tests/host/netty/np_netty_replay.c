// SPDX-License-Identifier: GPL-2.0
/*
 * np_netty_replay: replays allocation traces through nettypool and
 * prints the pool after every operation in the format of NettyReplay.java,
 * which does the same through Netty's own allocator; or compares with
 * what NettyReplay printed.
 *
 *   np_netty_replay TRACE                print the lines of one trace
 *   np_netty_replay -c EXPECTED...       replay each expected file's
 *                                        operations, compare, print TAP
 *   np_netty_replay -d DEV -c EXPECTED...  the same through a device
 *                                        (/dev/nettypool) instead of the
 *                                        core linked in
 *
 * A trace is a "geometry PAGE_SIZE MAX_ORDER" line, then "alloc ID SIZE"
 * and "free ID" lines ('#' starts a comment). An expected file holds the
 * lines NettyReplay printed: the same operations, each followed by its
 * result and the pool's state; one file may hold several traces, each
 * opened by a "trace NAME" line (the guest gets them in one file).
 *
 * Both sides configure what makes nettypool behave exactly as Netty 4.1:
 * one arena, no caches (ours are LIFO stacks, Netty's FIFO queues, a
 * documented difference), keep_empty_chunks -1 (Netty destroys every chunk
 * that empties out of q000; keeping one is our documented default).
 *
 * Each line: the operation, " = cN OFFSET CAPACITY" for an allocation
 * from chunk N (numbered in order of first appearance) or " = huge
 * CAPACITY", then " | lists" and the number of chunks in qInit .. q100,
 * " | chunks" and every list's chunks in list order with their usage and
 * free bytes, " | subpages" and every subpage pool that has a ring: its
 * element size, ring length and first subpages (chunk, page offset, free
 * elements). Through the device only the operation, its result and the
 * list counts can be seen (NP_IOC_STATS), so only those are compared.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "np_core.h"
#include "np_tables.h"

#define RING_SHOWN	4	/* subpages of one ring a line shows */
#define LINE_MAX_LEN	(1 << 20)

/* Chunk numbers: by key (a chunk's address, or a device region offset). */
struct chunk_ids {
	struct {
		u64 key;
		unsigned int id;
		bool seen;
	} *e;
	size_t nr, cap;
	unsigned int next;
};

static unsigned int chunk_id(struct chunk_ids *t, u64 key)
{
	size_t i;

	for (i = 0; i < t->nr; i++) {
		if (t->e[i].key == key) {
			t->e[i].seen = true;
			return t->e[i].id;
		}
	}
	if (t->nr == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->e = realloc(t->e, t->cap * sizeof(*t->e));
		if (!t->e)
			abort();
	}
	t->e[t->nr].key = key;
	t->e[t->nr].id = ++t->next;
	t->e[t->nr].seen = true;
	return t->e[t->nr++].id;
}

/* Start a walk over every live chunk. */
static void chunk_ids_begin(struct chunk_ids *t)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		t->e[i].seen = false;
}

/* Forget the chunks the walk did not see: they were destroyed. */
static void chunk_ids_prune(struct chunk_ids *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->nr; i++)
		if (t->e[i].seen)
			t->e[n++] = t->e[i];
	t->nr = n;
}

/* A growable string, the line being built. */
struct line {
	char *s;
	size_t len, cap;
};

static void __attribute__((format(printf, 2, 3)))
put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(l->s + l->len, l->cap - l->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < l->cap - l->len)
			break;
		l->cap = l->cap ? 2 * l->cap : 4096;
		l->s = realloc(l->s, l->cap);
		if (!l->s)
			abort();
	}
	l->len += n;
}

/* One pool to replay into: the core linked in, or a device. */
struct replayer {
	struct np_core *core;	/* NULL for a device */
	int fd;
	u64 chunk_size;
	u64 page_size;
	struct chunk_ids ids;
	u64 *addr;		/* by trace ID: the live buffer's address */
	size_t nr_addr;
};

/* What a walk of the pool (np_core_visit()) has seen so far. */
struct dump {
	struct replayer *r;
	struct line *l;
	struct line chunks;		/* " | chunks ..." */
	unsigned int counts[NP_NR_CHUNK_LISTS];
	int last_list;			/* the list whose name was put, or -1 */
	bool pruned;
	/* the subpage pool being walked: its ring, the first RING_SHOWN */
	bool in_pool;
	u32 pool_class, pool_index, elem_size, ring;
	struct line shown;
};

static void dump_chunk(void *arg, const struct np_visit_chunk *c)
{
	struct dump *d = arg;

	if (d->last_list != (int)c->list) {
		put(&d->chunks, " %s:", np_chunk_list_info[c->list].name);
		d->last_list = (int)c->list;
	}
	d->counts[c->list]++;
	put(&d->chunks, " c%u/%d/%llu", chunk_id(&d->r->ids, c->key),
	    c->usage, (unsigned long long)c->free_bytes);
}

/* The lists are done: their counts, their chunks, and the ids pruned. */
static void dump_lists_done(struct dump *d)
{
	unsigned int i;

	if (d->pruned)
		return;
	d->pruned = true;
	chunk_ids_prune(&d->r->ids);
	put(d->l, " | lists");
	for (i = 0; i < NP_NR_CHUNK_LISTS; i++)
		put(d->l, " %u", d->counts[i]);
	put(d->l, "%s | subpages", d->chunks.s ? d->chunks.s : "");
}

static void dump_pool_done(struct dump *d)
{
	if (!d->in_pool)
		return;
	d->in_pool = false;
	put(d->l, " %ux%u%s", d->elem_size, d->ring, d->shown.s);
	d->shown.len = 0;
}

static void dump_subpages(void *arg, u32 arena, u32 size_class)
{
	struct dump *d = arg;

	dump_lists_done(d);
	dump_pool_done(d);
}

static void dump_subpage(void *arg, const struct np_visit_subpage *s)
{
	struct dump *d = arg;

	if (!d->in_pool || d->pool_class != s->size_class ||
	    d->pool_index != s->index) {
		dump_pool_done(d);
		d->in_pool = true;
		d->pool_class = s->size_class;
		d->pool_index = s->index;
		d->elem_size = s->elem_size;
		d->ring = 0;
		put(&d->shown, "%s", "");
	}
	if (d->ring < RING_SHOWN)
		put(&d->shown, "%c" "c%u+%llu/%u", d->ring ? ',' : ':',
		    chunk_id(&d->r->ids, s->chunk_key),
		    (unsigned long long)s->page * d->r->page_size,
		    s->nr_elems - s->elems_used);
	d->ring++;
}

static const struct np_visitor dump_visitor = {
	.chunk = dump_chunk,
	.subpages = dump_subpages,
	.subpage = dump_subpage,
};

/*
 * Everything the lines show of the core's state, read through
 * np_core_visit(): the chunk lists of the only arena, each chunk's usage
 * and free bytes, the subpage pools' rings.
 */
static void dump_state(struct replayer *r, struct line *l)
{
	struct dump d = { .r = r, .l = l, .last_list = -1 };

	put(&d.chunks, " | chunks");
	chunk_ids_begin(&r->ids);
	np_core_visit(r->core, &dump_visitor, &d);
	dump_lists_done(&d);
	dump_pool_done(&d);
	free(d.chunks.s);
	free(d.shown.s);
}

/* What the device shows: the list counts of its pool's counters. */
static int dump_device(struct replayer *r, struct line *l)
{
	struct np_stats st;
	unsigned int i;

	memset(&st, 0, sizeof(st));
	if (ioctl(r->fd, NP_IOC_STATS, &st))
		return -errno;
	put(l, " | lists");
	for (i = 0; i < NP_NR_CHUNK_LISTS; i++)
		put(l, " %llu", (unsigned long long)st.chunklist_chunks[i]);
	return 0;
}

static int replayer_open(struct replayer *r, const char *device,
			 u32 page_size, u32 max_order)
{
	struct np_config cfg = {
		.flags = NP_CONFIG_MAX_ORDER,
		.page_size = page_size,
		.max_order = max_order,
		.n_arenas = 1,
		.tiny_cache = -1,
		.small_cache = -1,
		.normal_cache = -1,
		.keep_empty_chunks = -1,
		.leak_detection = NP_LEAK_DISABLED,
	};

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->chunk_size = (u64)page_size << max_order;
	r->page_size = page_size;
	if (device) {
		r->fd = open(device, O_RDWR);
		if (r->fd < 0 || ioctl(r->fd, NP_IOC_CONFIGURE, &cfg))
			return -errno;
		return 0;
	}
	if (np_config_resolve(&cfg, NULL))
		return -EINVAL;
	r->core = np_core_create(&cfg, NULL, NULL, 0);
	return r->core ? 0 : -ENOMEM;
}

static void replayer_close(struct replayer *r)
{
	if (r->core)
		np_core_destroy(r->core);
	if (r->fd >= 0)
		close(r->fd);
	free(r->ids.e);
	free(r->addr);
}

static u64 *addr_slot(struct replayer *r, unsigned long id)
{
	if (id >= r->nr_addr) {
		size_t n = r->nr_addr ? r->nr_addr : 1024;

		while (n <= id)
			n *= 2;
		r->addr = realloc(r->addr, n * sizeof(*r->addr));
		if (!r->addr)
			abort();
		memset(r->addr + r->nr_addr, 0,
		       (n - r->nr_addr) * sizeof(*r->addr));
		r->nr_addr = n;
	}
	return &r->addr[id];
}

/* Allocate: "= cN OFFSET CAPACITY" or "= huge CAPACITY". */
static int do_alloc(struct replayer *r, unsigned long id, u64 size,
		    struct line *l)
{
	u64 addr, capacity, region;
	bool huge;

	if (r->core) {
		struct np_buf buf;
		int ret = np_core_alloc(r->core, size, GFP_KERNEL, &buf);

		if (ret)
			return ret;
		*addr_slot(r, id) = buf.addr;
		addr = buf.addr - buf.region_key;
		capacity = buf.capacity;
		region = buf.region_key;
		huge = np_core_size_class(r->core, capacity) == NP_SIZE_HUGE;
	} else {
		struct np_alloc a = { .size = size };

		if (ioctl(r->fd, NP_IOC_ALLOC, &a))
			return -errno;
		*addr_slot(r, id) = a.offset;
		addr = a.offset - a.region_offset;
		capacity = a.capacity;
		region = a.region_offset;
		/* a huge buffer has a region of its own, larger than a chunk */
		huge = a.region_size > r->chunk_size;
	}
	if (huge)
		put(l, " = huge %llu", (unsigned long long)capacity);
	else
		put(l, " = c%u %llu %llu", chunk_id(&r->ids, region),
		    (unsigned long long)addr, (unsigned long long)capacity);
	return 0;
}

static int do_free(struct replayer *r, unsigned long id)
{
	u64 addr = id < r->nr_addr ? r->addr[id] : 0;

	if (!addr)
		return -ENOENT;
	r->addr[id] = 0;
	if (r->core) {
		int ret = np_core_free(r->core, addr);

		return ret < 0 ? ret : 0;
	}
	{
		struct np_free f = { .offset = addr };

		return ioctl(r->fd, NP_IOC_FREE, &f) ? -errno : 0;
	}
}

/*
 * Carry out the operation a trace or expected line starts with and build
 * its own line in @l. Return 1 for an operation, 0 for a line that is
 * none (geometry, comment), -errno on failure.
 */
static int replay_line(struct replayer *r, const char *text, struct line *l)
{
	unsigned long id;
	unsigned long long size;
	int ret;

	l->len = 0;
	put(l, "%s", "");
	if (sscanf(text, "alloc %lu %llu", &id, &size) == 2) {
		put(l, "alloc %lu %llu", id, size);
		ret = do_alloc(r, id, size, l);
	} else if (sscanf(text, "free %lu", &id) == 1) {
		put(l, "free %lu", id);
		ret = do_free(r, id);
	} else {
		return 0;
	}
	if (ret)
		return ret;
	if (r->core)
		dump_state(r, l);
	else if ((ret = dump_device(r, l)))
		return ret;
	return 1;
}

static bool parse_geometry(const char *text, u32 *page_size, u32 *max_order)
{
	return sscanf(text, "geometry %u %u", page_size, max_order) == 2;
}

static void chomp(char *s)
{
	s[strcspn(s, "\n")] = 0;
}

/* Print one trace's lines; exit status 1 when it cannot be replayed. */
static int print_trace(const char *path)
{
	static char text[LINE_MAX_LEN];
	struct line l = { 0 };
	struct replayer r;
	bool open = false;
	u32 page_size, max_order;
	int ret = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		perror(path);
		return 1;
	}
	while (fgets(text, sizeof(text), f)) {
		chomp(text);
		if (parse_geometry(text, &page_size, &max_order)) {
			if (open || replayer_open(&r, NULL, page_size, max_order)) {
				fprintf(stderr, "%s: bad geometry\n", path);
				ret = 1;
				break;
			}
			open = true;
			printf("geometry %u %u\n", page_size, max_order);
			continue;
		}
		if (!open)
			continue;
		ret = replay_line(&r, text, &l);
		if (ret < 0) {
			fprintf(stderr, "%s: %s: %s\n", path, text,
				strerror(-ret));
			ret = 1;
			break;
		}
		if (ret)
			printf("%s\n", l.s);
		ret = 0;
	}
	if (open)
		replayer_close(&r);
	free(l.s);
	fclose(f);
	return ret;
}

/*
 * The part of a line the replayer compares: all of it for the core, the
 * operation, its result and the list counts (before a second " | ") for a
 * device.
 */
static size_t compared_len(const char *s, bool device)
{
	const char *p;

	if (!device || !(p = strstr(s, " | ")) || !(p = strstr(p + 3, " | ")))
		return strlen(s);
	return p - s;
}

static unsigned int n_tests, n_failed;

/* The length of the operation a line starts with. */
static size_t op_len(const char *s)
{
	const char *eq = strstr(s, " = "), *bar = strstr(s, " | ");

	if (eq && (!bar || eq < bar))
		return eq - s;
	return bar ? (size_t)(bar - s) : strlen(s);
}

static void verdict(const char *name, long op, const char *why,
		    const char *trace_op, const char *want, size_t want_len,
		    const char *got, size_t got_len)
{
	n_tests++;
	if (!why) {
		printf("ok %u - netty %s: %ld operations identical\n", n_tests,
		       name, op);
		return;
	}
	n_failed++;
	printf("not ok %u - netty %s: operation %ld %s\n", n_tests, name, op,
	       why);
	if (trace_op)
		printf("# trace op: %.*s\n", (int)op_len(trace_op), trace_op);
	if (want)
		printf("# netty:     %.*s\n", (int)want_len, want);
	if (got)
		printf("# nettypool: %.*s\n", (int)got_len, got);
}

/*
 * Replay the traces of one expected file and compare. A trace starts at
 * its "trace NAME" line, or is the whole file, named after it.
 */
static void check_file(const char *path, const char *device)
{
	static char text[LINE_MAX_LEN];
	char name[256];
	struct line l = { 0 };
	struct replayer r;
	bool open = false, failed = false;
	u32 page_size, max_order;
	unsigned int tests = n_tests;
	long op = 0;
	FILE *f;
	int ret;

	snprintf(name, sizeof(name), "%s", strrchr(path, '/') ?
		 strrchr(path, '/') + 1 : path);
	name[strcspn(name, ".")] = 0;
	f = fopen(path, "r");
	if (!f) {
		verdict(name, 0, "cannot be read", NULL, NULL, 0, NULL, 0);
		return;
	}
	while (fgets(text, sizeof(text), f)) {
		chomp(text);
		if (!strncmp(text, "trace ", 6)) {
			if (open && !failed)
				verdict(name, op, NULL, NULL, NULL, 0, NULL, 0);
			if (open)
				replayer_close(&r);
			open = failed = false;
			op = 0;
			snprintf(name, sizeof(name), "%.200s", text + 6);
			continue;
		}
		if (parse_geometry(text, &page_size, &max_order)) {
			if (open)
				replayer_close(&r);
			open = !replayer_open(&r, device, page_size, max_order);
			failed = !open;
			if (failed)
				verdict(name, 0, "cannot configure the pool",
					text, NULL, 0, NULL, 0);
			continue;
		}
		if (!open || failed)
			continue;
		op++;
		ret = replay_line(&r, text, &l);
		if (ret < 0) {
			verdict(name, op, strerror(-ret), text, text,
				compared_len(text, device), NULL, 0);
			failed = true;
		} else if (ret > 0) {
			size_t want = compared_len(text, device);
			size_t got = compared_len(l.s, r.core == NULL);

			if (want != got || memcmp(text, l.s, want)) {
				verdict(name, op, "differs", text, text, want,
					l.s, got);
				failed = true;
			}
		}
	}
	if (open && !failed)
		verdict(name, op, NULL, NULL, NULL, 0, NULL, 0);
	if (open)
		replayer_close(&r);
	if (n_tests == tests)
		verdict(name, 0, "holds no trace", NULL, NULL, 0, NULL, 0);
	free(l.s);
	fclose(f);
}

static void usage(void)
{
	fprintf(stderr, "usage: np_netty_replay TRACE\n"
		"       np_netty_replay [-d DEVICE] -c EXPECTED...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *device = NULL;
	bool check = false;
	int opt, i;

	while ((opt = getopt(argc, argv, "cd:")) != -1) {
		switch (opt) {
		case 'c':
			check = true;
			break;
		case 'd':
			device = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc || (!check && (device || argc - optind != 1)))
		usage();
	if (!check)
		return print_trace(argv[optind]);
	for (i = optind; i < argc; i++)
		check_file(argv[i], device);
	printf("1..%u\n", n_tests);
	return n_failed ? 1 : 0;
}
