#ifndef KABAR_SNAPSHOT_MERGE_H
#define KABAR_SNAPSHOT_MERGE_H

/*
 * For the snapshot's modules only (snapshot_types.h): the incremental
 * step, prev's sources with the changed paths read again.
 */

#include <stdbool.h>
#include <stddef.h>

#include "snapshot_types.h"

/* prev's sources, each held, with those at or beneath the given capsule
 * paths read again: a file is re-read (or gone), a directory walked (or
 * everything under it gone); sorted by path, *n_out of them (the caller
 * owns the array and the references). *intro_changed tells whether
 * index.gmi is among the paths. changes gets prev's sources left out and
 * the ones read (its arrays are the caller's to free). */
struct source **merge_changes(struct snapshot_builder *b, const struct snapshot_full *prev,
                              char *const *paths, size_t n_paths, size_t *n_out,
                              bool *intro_changed, struct source_changes *changes);

#endif
