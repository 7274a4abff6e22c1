#ifndef KABAR_SNAPSHOT_ADDRESS_H
#define KABAR_SNAPSHOT_ADDRESS_H

/*
 * For the snapshot's modules only (snapshot_types.h): one address per
 * listed article.
 */

#include <stddef.h>

#include "snapshot_types.h"

/* snapshot_address_rank (snapshot.h) of the sources' articles: who keeps
 * an address both ask for, here and in the path table's aliases
 * (snapshot_paths.c). */
int address_rank(const struct source *x, const struct source *y);

/* Two articles at one address (the same slug in the same month, such as
 * guides of one name in two language folders) would hide one of them. The
 * first by address_rank keeps the address; each other one is
 * replaced by a copy at its folder's name after its slug, and a warning
 * names both files. A copy whose address is free again is replaced by one
 * there, so the outcome depends on the sources alone, never on history.
 * Every replacement is noted in changes (when not NULL). */
void settle_addresses(struct snapshot_builder *b, struct snapshot_full *f);

/* The same for f built from prev with changes (noted there, as above):
 * when no address can move, it visits only the changed sources and
 * prev's displaced ones; otherwise it settles them all. */
void settle_addresses_update(struct snapshot_builder *b, struct snapshot_full *f,
                             const struct snapshot_full *prev, struct source_changes *changes);

#endif
