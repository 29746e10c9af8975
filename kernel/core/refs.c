// SPDX-License-Identifier: GPL-2.0
/*
 * Extra references by address (np_refs.h): a hash of chains, an entry per
 * buffer retained more than once, gone with its last extra reference.
 *
 * Locking: the owner's lock around every call; np_refs_any() without it.
 */
#include "np_refs.h"

/* Buffers are 16-byte aligned: hash what varies, the bits above. */
static struct np_ref **np_refs_slot(struct np_refs *refs, u64 addr)
{
	u64 hash = (addr >> 4) * 0x9e3779b97f4a7c15ULL;
	struct np_ref **slot = &refs->buckets[hash >> (64 - NP_REF_BITS)];

	while (*slot && (*slot)->addr != addr)
		slot = &(*slot)->next;
	return slot;
}

/**
 * np_refs_add() - count one more reference of a buffer
 * @refs: the table.
 * @addr: the buffer.
 * @spare: a zeroed entry the caller allocated (np_meta_zalloc()); taken,
 *	and *@spare set to NULL, when the buffer had no entry yet.
 *
 * Return: 0, or -EOVERFLOW when the buffer already has 2^32 - 1
 * references.
 */
int np_refs_add(struct np_refs *refs, u64 addr, struct np_ref **spare)
{
	struct np_ref **slot = np_refs_slot(refs, addr);

	if (!*slot) {
		*slot = *spare;
		(*slot)->addr = addr;
		*spare = NULL;
		np_write_once(refs->nr, refs->nr + 1);
	}
	if ((*slot)->extra == U32_MAX - 1)
		return -EOVERFLOW;
	(*slot)->extra++;
	return 0;
}

/**
 * np_refs_drop() - drop one extra reference of a buffer
 * @refs: the table.
 * @addr: the buffer.
 *
 * Return: true when it had one (the entry goes with the last), false
 * when it has none.
 */
bool np_refs_drop(struct np_refs *refs, u64 addr)
{
	struct np_ref **slot = np_refs_slot(refs, addr);
	struct np_ref *ref = *slot;

	if (!ref)
		return false;
	if (--ref->extra == 0) {
		*slot = ref->next;
		np_write_once(refs->nr, refs->nr - 1);
		np_meta_free(ref);
	}
	return true;
}

/**
 * np_refs_fini() - free every entry
 * @refs: a table no one uses any more.
 */
void np_refs_fini(struct np_refs *refs)
{
	struct np_ref *ref;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(refs->buckets); i++) {
		while ((ref = refs->buckets[i])) {
			refs->buckets[i] = ref->next;
			np_meta_free(ref);
		}
	}
	refs->nr = 0;
}
