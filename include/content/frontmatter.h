#ifndef KABAR_FRONTMATTER_H
#define KABAR_FRONTMATTER_H

#include <stdbool.h>
#include <stddef.h>

#include "article.h"
#include "buf.h"

/*
 * Front matter at the head of a file, in the dialects of the generators
 * newsrooms come from, all read into an article's metadata with one set of
 * key meanings:
 * - YAML between "---" lines (Jekyll, Hugo), read with libyaml. Aliases
 *   are refused (no alias bombs), scalars are capped at
 *   FRONTMATTER_MAX_SCALAR bytes and nesting at FRONTMATTER_MAX_DEPTH.
 * - TOML between "+++" lines (Hugo, Zola), read by toml.h; [taxonomies]
 *   tags, categories and authors mean the top-level keys, other tables'
 *   keys are kept under their dotted names ("extra.banner").
 * - Pelican and MultiMarkdown "Key: value" lines, when the file's first
 *   line is one with a known key (Title, Date, Modified, Author, Authors,
 *   Category, Tags, Slug, Summary, Lang, Status), up to the first blank
 *   line (article.c takes them in Markdown files only).
 * Keys, in any case: title; date; updated, lastmod, modified; author,
 * authors, by; tags, categories, tag, category; summary, description;
 * lang, language; draft (true); status (draft); slug; section; image;
 * caption; redirect; aliases; path, url, permalink (the old address: the
 * date when it holds "YYYY/MM/DD/" or "YYYY/MM/" and no date key is given,
 * an alias when links_alias_refusal takes it, an extra field always).
 * Others are kept as extra fields.
 * Authors: each item of a list is one person; one string may name several,
 * parted by ';' when it has one (so "Paluseri, Rina; Mappa, Andi" is two
 * people), else by ',', " and ", " & " or " dan ". "[Name](URL)" is the
 * name, its URL the byline's link (the first one only); "Name <mail>" the
 * name.
 */

#define FRONTMATTER_MAX_SCALAR (64 * 1024)
#define FRONTMATTER_MAX_DEPTH 16
#define FRONTMATTER_MAX_ITEMS 1000

enum frontmatter_kind { FRONTMATTER_YAML, FRONTMATTER_TOML, FRONTMATTER_LINES };

/* Where the parts of a file with front matter lie. */
struct frontmatter_split {
	enum frontmatter_kind kind;
	size_t yaml_start, yaml_len; /* the front matter, without its fences */
	int first_line;              /* its first line number (1-based) */
	size_t body_start;           /* the first byte after the closing fence line */
	int body_line;               /* the body's first line number (1-based) */
};

/*
 * True when text starts with a "---" or "+++" line or with metadata lines.
 * Then fills split, or returns false with "1: reason" in error when the
 * closing fence is missing; *found tells the two apart.
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

/* The same for TOML, and for "Key: value" lines. */
bool frontmatter_parse_toml(const char *toml, size_t len, int first_line,
                            const struct article_context *ctx, struct article_meta *meta,
                            struct buf *error);
bool frontmatter_parse_lines(const char *text, size_t len, int first_line,
                             const struct article_context *ctx, struct article_meta *meta,
                             struct buf *error);

/* The front matter that frontmatter_split found in text, by its kind. */
bool frontmatter_read(const char *text, const struct frontmatter_split *split,
                      const struct article_context *ctx, struct article_meta *meta,
                      struct buf *error);

#endif
