#ifndef KABAR_FRONTMATTER_H
#define KABAR_FRONTMATTER_H

#include <stdbool.h>
#include <stddef.h>

#include "article.h"
#include "buf.h"

/*
 * YAML front matter ("---" ... "---" at the head of a file), read with
 * libyaml into an article's metadata. Aliases are refused (no alias bombs),
 * scalars are capped at FRONTMATTER_MAX_SCALAR bytes and nesting at
 * FRONTMATTER_MAX_DEPTH levels.
 */

#define FRONTMATTER_MAX_SCALAR (64 * 1024)
#define FRONTMATTER_MAX_DEPTH 16
#define FRONTMATTER_MAX_ITEMS 1000

/* Where the parts of a file with front matter lie. */
struct frontmatter_split {
	size_t yaml_start, yaml_len; /* the YAML between the fences */
	size_t body_start;           /* the first byte after the closing fence line */
	int body_line;               /* the body's first line number (1-based) */
};

/*
 * True when text starts with a "---" line. Then fills split, or returns
 * false with "1: reason" in error when the closing fence is missing; *found
 * tells the two apart.
 */
bool frontmatter_split(const char *text, size_t len, struct frontmatter_split *split,
                       bool *found, struct buf *error);

/*
 * Reads the YAML (which starts on line first_line of the file) into meta.
 * Returns false with "LINE: reason" appended to error.
 */
bool frontmatter_parse(const char *yaml, size_t len, int first_line,
                       const struct article_context *ctx, struct article_meta *meta,
                       struct buf *error);

#endif
