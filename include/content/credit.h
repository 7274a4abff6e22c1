#ifndef KABAR_CREDIT_H
#define KABAR_CREDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "article.h"
#include "buf.h"

/*
 * Crediting an article to the editor who uploads it: the file as it will
 * be written, with the editor among its authors. A text change, made so
 * that the file still says everything else it said: an "author:" line is
 * added at the end of the front matter (author keys add up, so the names
 * already there stay first), or a front matter made for it. An article in
 * the seed layout (layout.h) has no front matter to take one and names its
 * authors in its own way: it is left as it is.
 */

/* True, with out holding the credited text, when a (parsed from text,
 * source) did not name name and now does; false when it already names
 * name or the text cannot take the line without reading otherwise (out
 * is then left empty). */
bool credit_author(const struct article *a, const char *text, size_t len, const char *name,
                   const struct article_context *ctx, struct buf *out);

/* True when a names name among its authors. */
bool credit_names(const struct article *a, const char *name);

#endif
