#ifndef KABAR_ARTICLE_H
#define KABAR_ARTICLE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "tz.h"
#include "lang.h"

/*
 * The article model: what one article says, parsed once from its file and
 * shared by every renderer (gemtext, Gopher text), so the two protocols never
 * disagree about an article. Strings are UTF-8, NUL-terminated and owned by
 * the article; article_free releases everything.
 */

enum block_kind {
	BLOCK_HEADING,   /* level 1..6; url is its id (a link target), if any */
	BLOCK_PARAGRAPH, /* text with inline links */
	BLOCK_LIST_ITEM, /* level = nesting depth from 0; number > 0 if ordered */
	BLOCK_QUOTE,     /* text of one quoted paragraph */
	BLOCK_PRE,       /* text is preformatted lines; alt is the info string */
	BLOCK_IMAGE,     /* url, alt (alt text or caption) */
	BLOCK_LINK,      /* a line that is only a link: url, text is its label */
	BLOCK_TABLE,     /* table */
	BLOCK_RULE,      /* a thematic break */
};

/* A link inside a block's text; end is the byte offset in text where the
 * link's label ends, which is where a renderer puts its "[n]" reference. */
struct link {
	char *url;
	char *label;
	size_t end;
};

enum table_align { ALIGN_NONE, ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT };

/* cells are row-major, n_rows * n_cols; row 0 is the header. */
struct table {
	size_t n_rows, n_cols;
	char **cells;
	enum table_align *align; /* one per column */
};

struct block {
	enum block_kind kind;
	int level;
	int number;
	char *text;
	struct link *links;
	size_t n_links;
	char *url;
	char *alt;
	struct table *table;
};

/* A front matter key that Kabar does not use, kept as text. */
struct extra_field {
	char *key;
	char *value;
};

/* A point in time with the zone it was written in (or the site's zone). */
struct when {
	bool set;
	time_t t;           /* seconds since the epoch, UTC */
	int offset_minutes; /* east of UTC */
	bool has_time;      /* false when the source named only a day */
};

enum article_format { FORMAT_MARKDOWN, FORMAT_GEMTEXT, FORMAT_TEXT };

/* One entry of an article's corrections: list (corrections.h). */
enum correction_kind { CORRECTION_CORRECTION, CORRECTION_CLARIFICATION, CORRECTION_UPDATE };

struct correction {
	struct when date;
	enum correction_kind kind;
	char *note;
};

struct article_meta {
	char *title;
	struct when date;
	struct when updated;
	char **authors;
	size_t n_authors;
	char *author_url;   /* the author line's link (the regional site), if any */
	char *section;      /* a desk or region, lower case, e.g. "barru" */
	char **tags;
	size_t n_tags;
	char *summary;
	char *lang;         /* a BCP 47 tag: the article's language, once parsed */
	bool draft;
	char *image;
	char *caption;
	char *slug;
	char *redirect;
	char **aliases;     /* each starting "/news/" (frontmatter.c refuses others) */
	size_t n_aliases;
	/* The front matter lines slug: and aliases: are on (0: none), for
	 * FILE:LINE answers about the addresses they ask for. */
	int slug_line;
	int aliases_line;
	char *site_name;    /* a layout article's "# Site" heading */
	char *signature;    /* an editor's signature such as "(HB-red)" */
	struct correction *corrections; /* in the order written (corrections.h) */
	size_t n_corrections;
	char *series;       /* the series the article is a part of, or NULL */
	int part;           /* its part in the series, from 1 (0: not given) */
	struct extra_field *extra;
	size_t n_extra;
};

struct article {
	struct article_meta meta;
	struct block *blocks;
	size_t n_blocks;
	enum article_format format;
	char *source;   /* path of the file, relative to the capsule */
	char *path;     /* URL path, e.g. "/news/2022/04/slug" */
	struct reading reading;      /* the body's words and characters */
	enum lang_reason lang_reason; /* where meta.lang came from */
	bool lang_key_ignored;        /* its lang: key was not a language tag */
	bool dated_by_file;           /* no date of its own: dated by its file's time */
	/* What was left out of the article and why, for the editor: lines
	 * "LINE: reason" (a shortcode removed ...), or NULL. */
	char *warnings;
};

/* The largest article source: larger than any news article, it keeps a
 * stray dump from eating memory. The one limit for the parser, the site's
 * scanner, `kabar check` and `kabar render`. */
#define ARTICLE_MAX_BYTES (4 * 1024 * 1024)

/* Settings an article is parsed with: the site's defaults. */
struct article_context {
	int utc_offset_minutes; /* for dates written without a zone */
	const struct tz *zone;  /* a named zone (tz.h), or NULL: the offset above */
	const char *lang;       /* the host's language: the last resort */
	/* The source file's modification time (0: unknown): the date of an
	 * article that names none. */
	time_t file_time;
};

/*
 * Parses one article from its bytes. source is the path relative to the
 * capsule (it decides the format by extension and the slug by file name;
 * "index.md" takes its folder's name, as a page bundle).
 * Returns the article, or NULL with one "LINE: reason" line appended to
 * error (the caller prefixes the file name).
 */
struct article *article_parse(const char *source, const char *data, size_t len,
                              const struct article_context *ctx, struct buf *error);

void article_free(struct article *a);

/* The one rule for which files are articles: true when path's extension
 * is .md (or .markdown, .mdown, .mkd), .gmi or .txt, in any case. The loader (under news/), check and
 * Titan's uploads all ask it. */
bool article_source_name(const char *path);

/* True when the article is published at time now (not dated in the
 * future). */
bool article_visible(const struct article *a, time_t now);

#endif
