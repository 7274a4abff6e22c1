#ifndef KABAR_SNAPSHOT_LISTING_H
#define KABAR_SNAPSHOT_LISTING_H

/*
 * For the snapshot's modules only (snapshot_types.h): which of a
 * snapshot's sources are listed (newest first) and which only redirect,
 * with the arrays kept parallel to the listing (articles, search terms,
 * keys).
 */

#include "snapshot_types.h"

/* From f's sources (sorted by path), every one of them visited. */
void listing_build(struct snapshot_full *f);

/* From prev's listing, without changes->removed and with changes->added
 * put in their places: the same listing listing_build gives, in time
 * proportional to the changes plus a copy of prev's arrays. moves (zeroed
 * by the caller, its arrays the caller's to free) tells what moved. */
void listing_update(struct snapshot_full *f, const struct snapshot_full *prev,
                    const struct source_changes *changes, struct listing_moves *moves);

#endif
