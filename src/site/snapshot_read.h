#ifndef KABAR_SNAPSHOT_READ_H
#define KABAR_SNAPSHOT_READ_H

/*
 * For the snapshot's modules only: many article files read at once. The
 * files are read and parsed on the builder's scan threads (source_read);
 * the calling thread settles them (source_settle) in the order given, so
 * the keys, search terms and warnings come out as they would on one
 * thread, and tells the scan's progress as it goes.
 */

#include <stddef.h>

#include "snapshot_types.h"

/* out[i] = source_load(b, paths[i], prevs[i]) for i < n (prevs may be
 * NULL: no previous versions). These are the files after the first before
 * of total that the scan reads: its progress counts them so. When the
 * scan's stop turns true, the files not settled yet are left NULL. */
void sources_read(struct snapshot_builder *b, char *const *paths, struct source *const *prevs,
                  size_t n, struct source **out, size_t before, size_t total);

#endif
