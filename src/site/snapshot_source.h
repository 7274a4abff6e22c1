#ifndef KABAR_SNAPSHOT_SOURCE_H
#define KABAR_SNAPSHOT_SOURCE_H

/*
 * For the snapshot's modules only (snapshot_types.h): one article file
 * read, parsed, packed and filed under its keys, as a struct source that
 * every snapshot holding it shares.
 */

#include <stddef.h>
#include <stdint.h>

#include "snapshot_types.h"

/* A source with one reference and no article yet; id may be NULL. */
struct source *source_new(const char *path, const struct file_id *id);
struct source *source_hold(struct source *s);
/* Releases one reference; the last frees the source and its article. */
void source_drop(struct source *s);

/* Reads and parses the article file at path. When it cannot be read or
 * parsed and prev (the same path in the previous snapshot) parsed, prev
 * stays served (held again). NULL when the file is gone. */
struct source *source_load(struct snapshot_builder *b, const char *path, struct source *prev);

/* source_load in two halves, so that many files can be read at once.
 * source_read reads and parses the file, on any thread (it uses nothing
 * of b but the capsule and the article context): NULL when the file is
 * gone, else a source whose article is NULL when it did not parse, with
 * *reason (allocated) the parser's line. source_settle, on the builder's
 * thread, files it under its keys and search terms, or logs why it is
 * refused and keeps prev when prev parsed; it takes s and reason. */
struct source *source_read(const struct snapshot_builder *b, const char *path, char **reason);
struct source *source_settle(struct snapshot_builder *b, struct source *s, char *reason,
                             struct source *prev);

/* Everything the snapshot files s->article under, computed once: its keys
 * (in the builder's tables), aliases, listing flags and search terms. */
void source_derive(struct snapshot_builder *b, struct source *s);

/* In sources sorted by path: the first whose path is not below path, and
 * the one at path (or NULL). */
size_t sources_lower_bound(struct source *const *sources, size_t n, const char *path);
struct source *sources_find(struct source *const *sources, size_t n, const char *path);

/* The id of key in the table, added when new; may move the table's array
 * of keys, never the keys themselves. */
uint32_t key_table_id(struct key_table *t, const char *key);
void key_table_free(struct key_table *t);

#endif
