/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The JSON writer of every nettypool command: commas and (unless
 * compact) indentation are handled here, so callers only say what comes
 * next, as with bpftool's json_writer.
 */
#ifndef NP_CLI_JSON_WRITER_H
#define NP_CLI_JSON_WRITER_H

#include <stdbool.h>
#include <stdio.h>

#define JW_MAX_DEPTH	32

struct jw {
	FILE *f;
	int depth;
	bool compact;
	bool need_comma[JW_MAX_DEPTH];
};

/* The writer the commands print their document with. */
extern struct jw jw_out;

void jw_start_to(FILE *f, bool compact);
void jw_start(bool compact);
void jw_obj(struct jw *w, const char *key);
void jw_obj_end(struct jw *w);
void jw_arr(struct jw *w, const char *key);
void jw_arr_end(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *s);
void jw_u64(struct jw *w, const char *key, unsigned long long v);
void jw_int(struct jw *w, const char *key, long long v);
void jw_null(struct jw *w, const char *key);
void jw_hex(struct jw *w, const char *key, unsigned long long v);

#endif /* NP_CLI_JSON_WRITER_H */
