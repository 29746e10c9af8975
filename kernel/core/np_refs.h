/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Extra references of buffers retained more than once (refs.c): the
 * arena's, and those the library's kernel backend keeps in front of the
 * device. Only retained buffers have an entry, so the table is nearly
 * always empty and a free checks it by one load of @nr.
 */
#ifndef NP_REFS_H
#define NP_REFS_H

#include "np_env.h"

#define NP_REF_BITS	6	/* log2 of the buckets */

struct np_ref {
	struct np_ref *next;
	u64 addr;
	u32 extra;
};

/**
 * struct np_refs - buffers with references beyond the first, by address
 * @buckets: chains of entries, hashed by address.
 * @nr: entries; written under the owner's lock, read without it too.
 */
struct np_refs {
	struct np_ref *buckets[1 << NP_REF_BITS];
	u64 nr;
};

/* Does any buffer have an extra reference? No lock needed. */
static inline bool np_refs_any(const struct np_refs *refs)
{
	return np_read_once(refs->nr);
}

int np_refs_add(struct np_refs *refs, u64 addr, struct np_ref **spare);
bool np_refs_drop(struct np_refs *refs, u64 addr);
void np_refs_fini(struct np_refs *refs);

#endif /* NP_REFS_H */
