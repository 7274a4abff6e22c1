#ifndef KABAR_CORRECTIONS_H
#define KABAR_CORRECTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "article.h"
#include "buf.h"

/*
 * Corrections on the record: the "corrections:" list of an article's front
 * matter, read into the model (struct correction, article.h), and the one
 * rule that a published correction stays: a new version may reword a
 * note, never drop one (the same day and kind must still be there).
 */

/* Each correction takes exactly these three keys. */
#define CORRECTIONS_MAX 100

/* "correction", "clarification", "update". */
const char *correction_kind_name(enum correction_kind kind);

/*
 * Reads the list from the front matter's value, its scalars flattened in
 * order ("date", "2024-03-15", "kind", "correction", "note", "..."; each
 * item a mapping of the three keys, in any order). line is the value's line.
 * Appends to meta's list; false with "LINE: reason" in error.
 */
bool corrections_read(struct article_meta *meta, char *const *scalars, size_t n, bool is_sequence,
                      int line, const struct article_context *ctx, struct buf *error);

/* The correction dated latest, or NULL when there is none. */
const struct correction *corrections_latest(const struct article_meta *meta);

/*
 * True when next (a new version of published) leaves out one of
 * published's corrections; then appends "SOURCE: drops the correction of
 * YYYY-MM-DD" to why (SOURCE is next's source path).
 */
bool corrections_dropped(const struct article *published, const struct article *next,
                         struct buf *why);

void corrections_free(struct correction *items, size_t n);

#endif
