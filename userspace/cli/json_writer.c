// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON writer: one document at a time, to stdout or to any stream
 * (demo writes to memory first, so that a failure prints only its error).
 */
#include "json_writer.h"

struct jw jw_out;

static void jw_escape(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);	/* bytes as Latin-1 */
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void jw_item(struct jw *w, const char *key)
{
	if (w->depth > 0) {
		if (w->need_comma[w->depth])
			fputc(',', w->f);
		if (!w->compact)
			fprintf(w->f, "\n%*s", 2 * w->depth, "");
	}
	w->need_comma[w->depth] = true;
	if (key) {
		jw_escape(w->f, key);
		fputs(w->compact ? ":" : ": ", w->f);
	}
}

static void jw_open(struct jw *w, const char *key, char c)
{
	jw_item(w, key);
	fputc(c, w->f);
	w->depth++;
	w->need_comma[w->depth] = false;
}

static void jw_close(struct jw *w, char c)
{
	bool empty = !w->need_comma[w->depth];

	w->depth--;
	if (!w->compact && !empty)
		fprintf(w->f, "\n%*s", 2 * w->depth, "");
	fputc(c, w->f);
	if (!w->depth)
		fputc('\n', w->f);
}

void jw_obj(struct jw *w, const char *key)
{
	jw_open(w, key, '{');
}

void jw_obj_end(struct jw *w)
{
	jw_close(w, '}');
}

void jw_arr(struct jw *w, const char *key)
{
	jw_open(w, key, '[');
}

void jw_arr_end(struct jw *w)
{
	jw_close(w, ']');
}

void jw_str(struct jw *w, const char *key, const char *s)
{
	jw_item(w, key);
	jw_escape(w->f, s);
}

void jw_u64(struct jw *w, const char *key, unsigned long long v)
{
	jw_item(w, key);
	fprintf(w->f, "%llu", v);
}

void jw_int(struct jw *w, const char *key, long long v)
{
	jw_item(w, key);
	fprintf(w->f, "%lld", v);
}

void jw_null(struct jw *w, const char *key)
{
	jw_item(w, key);
	fputs("null", w->f);
}

/* 64-bit addresses as strings: JSON numbers lose them past 2^53. */
void jw_hex(struct jw *w, const char *key, unsigned long long v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", v);
	jw_str(w, key, buf);
}

void jw_start_to(FILE *f, bool compact)
{
	jw_out.f = f;
	jw_out.depth = 0;
	jw_out.compact = compact;
	jw_out.need_comma[0] = false;
}

void jw_start(bool compact)
{
	jw_start_to(stdout, compact);
}
