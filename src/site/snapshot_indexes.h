#ifndef KABAR_SNAPSHOT_INDEXES_H
#define KABAR_SNAPSHOT_INDEXES_H

/*
 * For the snapshot's modules only (snapshot_types.h): the listing order
 * and the four indexes (sections, authors, tags, months) of a snapshot.
 */

#include <stddef.h>

#include "snapshot_types.h"

/* Newest first; undated ones last; ties in the order given. */
void sort_newest_first(struct source **listed, size_t n);

/* Files f's listed articles under their keys (f's listing keys, b's key
 * tables): fills f->pub's sections, authors, tags and months and
 * f->pools. */
void indexes_build(struct snapshot_full *f, struct snapshot_builder *b);

/* The same indexes from prev's, f's listing being prev's moved by moves:
 * prev's entries with their positions moved, the removed articles' items
 * left out and the inserted ones' put in. */
void indexes_update(struct snapshot_full *f, const struct snapshot_full *prev,
                    struct snapshot_builder *b, const struct listing_moves *moves);

/* Orders struct index_entry by key (strcmp), for qsort and bsearch. */
int index_entry_by_key(const void *a, const void *b);

#endif
