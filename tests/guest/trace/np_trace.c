// SPDX-License-Identifier: GPL-2.0
/*
 * np_trace - the tracepoints of nettypool.ko (system "nettypool"),
 * through tracefs: each event appears, with the fields of a known
 * workload.
 *
 * Mounts tracefs on /sys/kernel/tracing when it is not there, enables
 * every nettypool event, and runs on CPU 0 one pool of 4 KiB pages and
 * max_order 4 (64 KiB chunks), one arena, no normal cache, no kept empty
 * chunk, every buffer tracked by the leak detector:
 *
 *   a = 100 B         a new chunk, which enters qInit at usage 7
 *   free a            into the tiny cache
 *   b = 100 B         from the cache: a's address
 *   c = 32 KiB        the chunk moves from qInit to q025 at usage 57
 *   retain c, free c  one reference dropped
 *   free c            the chunk moves from q025 to q000 at usage 7
 *   free b            into the cache
 *   h = 100 KiB       huge, tagged, never freed
 *   trim              the cache flushes b; the chunk, empty, leaves q000
 *                     and is destroyed
 *   8192 x 16 B       alloc and free: the cache trims itself
 *   close             h is reported as a leak
 *
 * then reads the trace and checks every event of the pool, and that no
 * event is recorded once they are disabled again.
 *
 * Output: TAP 13. Exit status 0, 1 on a failure, 4 (skip) without the
 * device or tracefs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/nettypool.h>

#include "np_sysfs.h"

#define KSFT_SKIP	4
#define DEV_PATH	"/dev/nettypool"
#define POOLS_PATH	"/sys/kernel/debug/nettypool/pools"
#define TRACEFS		"/sys/kernel/tracing"
#define EVENTS		TRACEFS "/events/nettypool"

#define PAGE		4096U
#define MAX_ORDER	4U
#define CHUNK		(PAGE << MAX_ORDER)
#define LEAK_TAG	0x1234ULL
#define TRIM_INTERVAL	8192	/* a cache trims itself every so many */
#define MAX_EVENTS	65536

static const char *const event_names[] = {
	"buffer_alloc", "buffer_free", "chunk_create", "chunk_destroy",
	"chunk_move", "cache_flush", "cache_trim", "leak_report",
};

#define NR_EVENT_NAMES	(sizeof(event_names) / sizeof(event_names[0]))

static const char *const list_names[] = {
	"none", "qInit", "q000", "q025", "q050", "q075", "q100",
};

static int tests, failures;

static void ok(int pass, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void ok(int pass, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", pass ? "" : "not ", ++tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!pass)
		failures++;
}

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void bail(const char *what)
{
	printf("Bail out! %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ------------------------------------------------------------ the trace */

/* One event of the trace: its name and its "key=value" text. */
struct event {
	char name[16];
	char fields[200];
};

static struct event events[MAX_EVENTS];
static int nr_events;

/* The value of a field of an event, as text; NULL when it has none. */
static const char *field(const struct event *e, const char *key, char *buf,
			 size_t len)
{
	size_t n = strlen(key);
	const char *p = e->fields;

	while (p && *p) {
		if (!strncmp(p, key, n) && p[n] == '=') {
			size_t v = strcspn(p + n + 1, " \n");

			if (v >= len)
				v = len - 1;
			memcpy(buf, p + n + 1, v);
			buf[v] = '\0';
			return buf;
		}
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return NULL;
}

static unsigned long long num(const struct event *e, const char *key)
{
	char buf[64];

	if (!field(e, key, buf, sizeof(buf)))
		return ~0ULL;
	return strtoull(buf, NULL, 0);
}

static int str_is(const struct event *e, const char *key, const char *want)
{
	char buf[64];

	return field(e, key, buf, sizeof(buf)) && !strcmp(buf, want);
}

#define ANY_POOL	(~0ULL)

/*
 * Read the trace: lines "comm-pid [cpu] flags time: name: fields", of
 * the events of the pool only, or of every pool (ANY_POOL).
 */
static void read_trace(unsigned long long pool)
{
	char line[512];
	FILE *f = fopen(TRACEFS "/trace", "r");
	size_t i;

	if (!f)
		bail("open " TRACEFS "/trace");
	nr_events = 0;
	while (fgets(line, sizeof(line), f) && nr_events < MAX_EVENTS) {
		struct event *e = &events[nr_events];

		if (line[0] == '#')
			continue;
		for (i = 0; i < NR_EVENT_NAMES; i++) {
			char pat[32];
			char *p;

			snprintf(pat, sizeof(pat), ": %s: ", event_names[i]);
			p = strstr(line, pat);
			if (!p)
				continue;
			snprintf(e->name, sizeof(e->name), "%s", event_names[i]);
			snprintf(e->fields, sizeof(e->fields), "%s",
				 p + strlen(pat));
			if (pool == ANY_POOL || num(e, "pool") == pool)
				nr_events++;
			break;
		}
	}
	fclose(f);
}

/* The n-th event (from 0) of a name after index *from; NULL if none. */
static const struct event *next_event(const char *name, int *from)
{
	for (; *from < nr_events; (*from)++)
		if (!strcmp(events[*from].name, name))
			return &events[(*from)++];
	return NULL;
}

static int count_events(const char *name)
{
	int i, n = 0;

	for (i = 0; i < nr_events; i++)
		n += !strcmp(events[i].name, name);
	return n;
}

/* ------------------------------------------------------------ the pool */

static int dev;

static struct np_alloc do_alloc(unsigned long long size,
				unsigned long long tag)
{
	struct np_alloc a = { .size = size, .tag = tag };

	if (ioctl(dev, NP_IOC_ALLOC, &a))
		bail("NP_IOC_ALLOC");
	return a;
}

static void do_ref(unsigned long cmd, unsigned long long offset)
{
	struct np_free f = { .offset = offset };

	if (ioctl(dev, cmd, &f))
		bail(cmd == NP_IOC_FREE ? "NP_IOC_FREE" : "NP_IOC_RETAIN");
}

/* The id of this process's pool, from the debugfs table of pools. */
static unsigned int own_pool_id(void)
{
	char line[256], name[64];
	unsigned int id;
	FILE *f = fopen(POOLS_PATH, "r");
	int pid;

	if (!f)
		bail("open " POOLS_PATH);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%u %63s %d", &id, name, &pid) == 3 &&
		    pid == getpid()) {
			fclose(f);
			return id;
		}
	fclose(f);
	errno = ENOENT;
	bail("this process's pool in " POOLS_PATH);
	return 0;
}

static void trace_write(const char *file, const char *value)
{
	char path[256];

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	if (np_write_str(path, value))
		bail(path);
}

/* Empty the trace buffer: "trace" opened for writing with O_TRUNC. */
static void trace_clear(void)
{
	int fd = open(TRACEFS "/trace", O_WRONLY | O_TRUNC);

	if (fd < 0)
		bail("truncate " TRACEFS "/trace");
	close(fd);
}

/* ------------------------------------------------------------ checks */

struct workload {
	unsigned int pool;
	struct np_alloc a, b, c, h;
};

static void check_allocs(const struct workload *w)
{
	static const struct {
		const char *what;
		unsigned long long size, capacity;
		const char *size_class;
		int cached;
	} want[] = {
		{ "a: 100 B", 100, 112, "tiny", 0 },
		{ "b: 100 B from the cache", 100, 112, "tiny", 1 },
		{ "c: 32 KiB", 32768, 32768, "normal", 0 },
		{ "h: 100 KiB", 102400, 102400, "huge", 0 },
	};
	unsigned long long addr[] = { w->a.offset, w->b.offset, w->c.offset,
				      w->h.offset };
	const struct event *e;
	size_t i;
	int at = 0;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		e = next_event("buffer_alloc", &at);
		ok(e && num(e, "addr") == addr[i] &&
		   num(e, "size") == want[i].size &&
		   num(e, "capacity") == want[i].capacity &&
		   str_is(e, "class", want[i].size_class) &&
		   num(e, "cached") == (unsigned long long)want[i].cached,
		   "buffer_alloc %s: addr %#llx, capacity %llu, class %s, cached %d",
		   want[i].what, addr[i], want[i].capacity, want[i].size_class,
		   want[i].cached);
		if (e)
			diag("buffer_alloc: %s", e->fields);
	}
	ok(w->b.offset == w->a.offset, "b has a's address (the cache served it)");
	ok(count_events("buffer_alloc") == 4 + TRIM_INTERVAL,
	   "one buffer_alloc per allocation (%d)", count_events("buffer_alloc"));
}

static void check_frees(const struct workload *w)
{
	static const struct {
		const char *what;
		unsigned long long capacity;
		const char *size_class;
		int freed;
	} want[] = {
		{ "a", 112, "tiny", 1 },
		{ "c, one of two references", 32768, "normal", 0 },
		{ "c", 32768, "normal", 1 },
		{ "b", 112, "tiny", 1 },
	};
	unsigned long long addr[] = { w->a.offset, w->c.offset, w->c.offset,
				      w->b.offset };
	const struct event *e;
	size_t i;
	int at = 0;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		e = next_event("buffer_free", &at);
		ok(e && num(e, "addr") == addr[i] &&
		   num(e, "capacity") == want[i].capacity &&
		   str_is(e, "class", want[i].size_class) &&
		   num(e, "freed") == (unsigned long long)want[i].freed,
		   "buffer_free %s: capacity %llu, class %s, freed %d",
		   want[i].what, want[i].capacity, want[i].size_class,
		   want[i].freed);
		if (e)
			diag("buffer_free: %s", e->fields);
	}
	ok(count_events("buffer_free") == 4 + TRIM_INTERVAL,
	   "one buffer_free per free (%d)", count_events("buffer_free"));
}

static int valid_list(const struct event *e, const char *key)
{
	char buf[16];
	size_t i;

	if (!field(e, key, buf, sizeof(buf)))
		return 0;
	for (i = 0; i < sizeof(list_names) / sizeof(list_names[0]); i++)
		if (!strcmp(buf, list_names[i]))
			return 1;
	return 0;
}

static void check_chunks(void)
{
	static const struct {
		const char *from, *to;
		int usage;
	} want[] = {
		{ "none", "qInit", 7 },
		{ "qInit", "q025", 57 },
		{ "q025", "q000", 7 },
		{ "q000", "none", 0 },
	};
	unsigned long long chunk;
	const struct event *e;
	int at = 0, bad = 0, i, n = 0;
	size_t k;

	e = next_event("chunk_create", &at);
	ok(e && num(e, "size") == CHUNK && num(e, "arena") == 0,
	   "chunk_create: a chunk of %u bytes in arena 0", CHUNK);
	if (!e)
		return;
	diag("chunk_create: %s", e->fields);
	chunk = num(e, "chunk");
	for (k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		e = next_event("chunk_move", &at);
		ok(e && num(e, "chunk") == chunk && num(e, "arena") == 0 &&
		   str_is(e, "from", want[k].from) &&
		   str_is(e, "to", want[k].to) &&
		   num(e, "usage") == (unsigned long long)want[k].usage,
		   "chunk_move: from %s to %s at usage %d", want[k].from,
		   want[k].to, want[k].usage);
		if (e)
			diag("chunk_move: %s", e->fields);
	}
	e = next_event("chunk_destroy", &at);
	ok(e && num(e, "chunk") == chunk && num(e, "size") == CHUNK,
	   "chunk_destroy: the same chunk, after the trim");
	for (i = 0; i < nr_events; i++) {
		if (strcmp(events[i].name, "chunk_move"))
			continue;
		n++;
		if (!valid_list(&events[i], "from") ||
		    !valid_list(&events[i], "to") ||
		    num(&events[i], "usage") > 100) {
			bad++;
			diag("bad chunk_move: %s", events[i].fields);
		}
	}
	ok(n && !bad, "every chunk_move (%d) names two lists and a usage in 0..100",
	   n);
	ok(count_events("chunk_create") == 2 && count_events("chunk_destroy") == 2,
	   "two chunks created and destroyed (%d, %d)",
	   count_events("chunk_create"), count_events("chunk_destroy"));
}

static void check_caches(void)
{
	const struct event *e;
	int at = 0, i, trims = 0;

	e = next_event("cache_flush", &at);
	ok(e && num(e, "size") == 112 && num(e, "count") == 1 &&
	   num(e, "left") == 0,
	   "cache_flush: the trim gives b's 112 B back, nothing left");
	if (e)
		diag("cache_flush: %s", e->fields);
	for (i = 0; i < nr_events; i++) {
		if (strcmp(events[i].name, "cache_trim"))
			continue;
		diag("cache_trim: %s", events[i].fields);
		if (num(&events[i], "allocations") == TRIM_INTERVAL ||
		    num(&events[i], "frees") == TRIM_INTERVAL)
			trims++;
	}
	ok(trims >= 1, "cache_trim after %d allocations or frees",
	   TRIM_INTERVAL);
}

static void check_leak(const struct workload *w)
{
	const struct event *e;
	int at = 0;

	e = next_event("leak_report", &at);
	ok(e && num(e, "addr") == w->h.offset && num(e, "capacity") == 102400 &&
	   num(e, "pid") == (unsigned long long)getpid() &&
	   num(e, "tag") == LEAK_TAG && str_is(e, "comm", "np_trace"),
	   "leak_report: h, 102400 bytes, this pid, comm np_trace, tag %#llx",
	   LEAK_TAG);
	if (e)
		diag("leak_report: %s", e->fields);
	ok(count_events("leak_report") == 1, "one leak_report (%d)",
	   count_events("leak_report"));
}

/* ------------------------------------------------------------ main */

static void run_workload(struct workload *w)
{
	struct np_config cfg = {
		.flags = NP_CONFIG_MAX_ORDER,
		.page_size = PAGE,
		.max_order = MAX_ORDER,
		.n_arenas = 1,
		.normal_cache = -1,
		.keep_empty_chunks = -1,
		.leak_detection = NP_LEAK_PARANOID,
	};
	int i;

	dev = open(DEV_PATH, O_RDWR);
	if (dev < 0)
		bail("open " DEV_PATH);
	if (ioctl(dev, NP_IOC_CONFIGURE, &cfg))
		bail("NP_IOC_CONFIGURE");
	w->a = do_alloc(100, 0);
	w->pool = own_pool_id();
	do_ref(NP_IOC_FREE, w->a.offset);
	w->b = do_alloc(100, 0);
	w->c = do_alloc(32768, 0);
	do_ref(NP_IOC_RETAIN, w->c.offset);
	do_ref(NP_IOC_FREE, w->c.offset);
	do_ref(NP_IOC_FREE, w->c.offset);
	do_ref(NP_IOC_FREE, w->b.offset);
	w->h = do_alloc(102400, LEAK_TAG);
	if (ioctl(dev, NP_IOC_TRIM))
		bail("NP_IOC_TRIM");
	for (i = 0; i < TRIM_INTERVAL; i++)
		do_ref(NP_IOC_FREE, do_alloc(16, 0).offset);
	close(dev);
}

int main(void)
{
	struct workload w = { 0 };
	char old_size[32];
	struct stat st;
	cpu_set_t cpu0;

	printf("TAP version 13\n");
	if (access(DEV_PATH, R_OK | W_OK)) {
		printf("1..0 # SKIP no %s\n", DEV_PATH);
		return KSFT_SKIP;
	}
	if (stat(TRACEFS "/trace", &st) &&
	    mount("nodev", TRACEFS, "tracefs", 0, NULL)) {
		printf("1..0 # SKIP no tracefs on %s: %s\n", TRACEFS,
		       strerror(errno));
		return KSFT_SKIP;
	}
	printf("1..25\n");
	ok(!stat(EVENTS, &st), "%s exists", EVENTS);
	/* one CPU's cache for the whole workload */
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0))
		bail("sched_setaffinity");

	snprintf(old_size, sizeof(old_size), "%lld",
		 np_read_num(TRACEFS "/buffer_size_kb", NULL));
	trace_write("tracing_on", "0");
	trace_write("buffer_size_kb", "8192");
	trace_clear();
	trace_write("events/nettypool/enable", "1");
	trace_write("tracing_on", "1");
	run_workload(&w);
	trace_write("tracing_on", "0");
	diag("pool %u", w.pool);

	read_trace(w.pool);
	diag("%d events of pool %u", nr_events, w.pool);
	check_allocs(&w);
	check_frees(&w);
	check_chunks();
	check_caches();
	check_leak(&w);

	/* disabled: a whole workload and not one event */
	trace_write("events/nettypool/enable", "0");
	trace_clear();
	trace_write("tracing_on", "1");
	run_workload(&w);
	trace_write("tracing_on", "0");
	read_trace(ANY_POOL);
	ok(nr_events == 0, "no event once the events are disabled (%d)",
	   nr_events);
	trace_write("buffer_size_kb", old_size);
	trace_clear();
	return failures ? 1 : 0;
}
