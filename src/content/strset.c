#include "strset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "text.h"

/* FNV-1a's low bits depend only on the low bits of the bytes; mixing
 * the high bits in keeps crafted strings from piling into one slot. */
static size_t slot_of(const struct strset *set, const char *s)
{
	uint64_t h = text_hash(s, strlen(s));
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (size_t)h & set->mask;
}

/* Doubles the table (kept at most half full) and the item array. */
static void grow(struct strset *set)
{
	size_t n_slots = set->slots != NULL ? (set->mask + 1) * 2 : 16;
	free(set->slots);
	set->slots = xcalloc(n_slots, sizeof *set->slots);
	set->mask = n_slots - 1;
	set->items = xreallocarray(set->items, n_slots / 2, sizeof *set->items);
	for (size_t n = 0; n < set->count; n++) {
		size_t i = slot_of(set, set->items[n]);
		while (set->slots[i] != 0)
			i = (i + 1) & set->mask;
		set->slots[i] = n + 1;
	}
}

size_t strset_add(struct strset *set, const char *s, bool *added)
{
	if (set->slots == NULL || set->count + 1 > (set->mask + 1) / 2)
		grow(set);
	size_t i = slot_of(set, s);
	for (; set->slots[i] != 0; i = (i + 1) & set->mask) {
		size_t n = set->slots[i] - 1;
		if (strcmp(set->items[n], s) == 0) {
			if (added != NULL)
				*added = false;
			return n;
		}
	}
	set->slots[i] = set->count + 1;
	set->items[set->count] = s;
	if (added != NULL)
		*added = true;
	return set->count++;
}

void strset_free(struct strset *set)
{
	free(set->items);
	free(set->slots);
	memset(set, 0, sizeof *set);
}
