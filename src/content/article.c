#include "article.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "blocks.h"
#include "corrections.h"
#include "date.h"
#include "frontmatter.h"
#include "gotemplate.h"
#include "layout.h"
#include "links.h"
#include "markdown.h"
#include "pathdate.h"
#include "shortcodes.h"
#include "text.h"

static int line_of(const char *data, size_t offset)
{
	int line = 1;
	for (size_t i = 0; i < offset; i++)
		if (data[i] == '\n')
			line++;
	return line;
}

/* Text, not binary: no NUL byte, and valid UTF-8 on every line. */
static bool check_text(const char *data, size_t len, struct buf *error)
{
	const char *nul = memchr(data, '\0', len);
	if (nul) {
		buf_printf(error, "%d: binary data (a NUL byte), not an article",
		           line_of(data, (size_t)(nul - data)));
		return false;
	}
	int line = 1;
	for (size_t pos = 0; pos < len; line++) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) : len;
		if (!text_valid_utf8(data + pos, end - pos)) {
			buf_printf(error, "%d: not UTF-8 text", line);
			return false;
		}
		pos = end + 1;
	}
	return true;
}

/* The byte length of an invisible character at s that text must not carry:
 * the zero-width space (U+200B), the word joiner (U+2060) and the BOM
 * (U+FEFF). The joiners U+200C and U+200D are kept: emoji sequences and
 * some scripts need them. */
static size_t invisible_at(const unsigned char *s, size_t len)
{
	if (len >= 3 && s[0] == 0xe2 && s[1] == 0x80 && s[2] == 0x8b)
		return 3;
	if (len >= 3 && s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0xa0)
		return 3;
	if (len >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
		return 3;
	return 0;
}

/* Whether normalise keeps byte c as it is, whatever follows: not a
 * control (but newline and tab), nor the first byte of an invisible
 * character. */
static bool kept_as_is(unsigned char c)
{
	return c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7f && c != 0xe2 && c != 0xef);
}

/* One line end (\n), no invisible characters, no control characters but
 * tabs: a renderer can trust the text it is given. Runs of bytes kept as
 * they are go in whole: an article is mostly such a run. */
static void normalise(struct buf *out, const char *data, size_t len)
{
	const unsigned char *s = (const unsigned char *)data;
	buf_reserve(out, len);
	for (size_t i = 0; i < len;) {
		size_t run = i;
		while (run < len && kept_as_is(s[run]))
			run++;
		buf_append(out, data + i, run - i);
		if (run == len)
			return;
		i = run;
		size_t skip = invisible_at(s + i, len - i);
		if (skip) {
			i += skip;
			continue;
		}
		if (s[i] == '\r' && (i + 1 >= len || s[i + 1] != '\n'))
			buf_putc(out, '\n');
		else if (s[i] >= 0x20 && s[i] != 0x7f)
			buf_putc(out, (char)s[i]);
		i++;
	}
}

static enum article_format format_of(const char *source)
{
	const char *ext = text_extension(source);
	if (strcasecmp(ext, "gmi") == 0 || strcasecmp(ext, "gemini") == 0)
		return FORMAT_GEMTEXT;
	if (strcasecmp(ext, "txt") == 0 || strcasecmp(ext, "text") == 0)
		return FORMAT_TEXT;
	return FORMAT_MARKDOWN;
}

/* Lower case, white space as '-', no '/', no dashes at either end; no
 * control or bidi control either (text_clean's rule: a file name may hold
 * C0 and C1 controls, which would reach addresses and feed.xml). '?', '#'
 * and '%' become '-' too: in an address they would start a query or a
 * fragment, or an escape, and the article could never be asked for. */
static char *slug_from(const char *raw, size_t raw_len)
{
	struct buf clean = {0};
	text_clean(&clean, raw, raw_len, TEXT_CLEAN_NO_BIDI);
	const char *s = clean.data ? clean.data : "";
	size_t len = clean.len;
	struct buf out = {0};
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		bool breaks = isspace(c) || c == '/' || c == '?' || c == '#' || c == '%';
		char put = breaks ? '-' : (char)tolower(c);
		if (put == '-' && (out.len == 0 || out.data[out.len - 1] == '-'))
			continue;
		buf_putc(&out, put);
	}
	buf_free(&clean);
	while (out.len > 0 && out.data[out.len - 1] == '-')
		out.data[--out.len] = '\0';
	if (out.len == 0)
		buf_puts(&out, "article");
	return buf_steal(&out);
}

/* The name an article's slug and date prefix come from: its file's, or for
 * a page bundle ("guides/2024-03-01-ferry/index.md") its folder's. Sets
 * *len to the name's length without extension. */
static const char *article_name(const char *source, size_t *len)
{
	const char *name = text_base_name(source);
	if (links_is_bundle_index(source) && name != source) {
		const char *start = name - 1;
		while (start > source && start[-1] != '/')
			start--;
		*len = (size_t)(name - 1 - start);
		return start;
	}
	const char *dot = strrchr(name, '.');
	*len = dot && dot != name ? (size_t)(dot - name) : strlen(name);
	return name;
}

static char *file_slug(const char *source)
{
	size_t len;
	const char *name = article_name(source, &len);
	struct when day;
	size_t prefix;
	if (pathdate_prefix(name, len, 0, NULL, &day, &prefix)) {
		name += prefix;
		len -= prefix;
	}
	return slug_from(name, len);
}

/* ---- gemtext and plain text bodies ---- */

static char *trimmed_copy(const char *s, size_t len)
{
	text_trim(&s, &len);
	return xstrndup(s, len);
}

static void add_line_block(struct block_list *out, enum block_kind kind, int level,
                           const char *s, size_t len)
{
	struct inline_text t = {0};
	buf_append(&t.text, s, len);
	blocks_add_text(out, kind, level, &t);
	inline_free(&t);
}

/* "=> URL label" */
static void add_gemtext_link(struct block_list *out, const char *s, size_t len)
{
	size_t i = 2;
	while (i < len && isspace((unsigned char)s[i]))
		i++;
	size_t url_start = i;
	while (i < len && !isspace((unsigned char)s[i]))
		i++;
	char *url = xstrndup(s + url_start, i - url_start);
	char *label = trimmed_copy(s + i, len - i);
	blocks_add_link(out, url, label);
	free(url);
	free(label);
}

static void end_pre(struct block_list *out, struct buf *pre, char **alt)
{
	if (pre->len > 0 && pre->data[pre->len - 1] == '\n')
		pre->data[--pre->len] = '\0';
	struct block *b = blocks_add(out, BLOCK_PRE);
	b->text = buf_steal(pre);
	b->alt = *alt;
	*alt = NULL;
}

static void gemtext_line(struct block_list *out, const char *s, size_t len)
{
	if (len >= 2 && s[0] == '=' && s[1] == '>') {
		add_gemtext_link(out, s, len);
	} else if (len >= 1 && s[0] == '#') {
		int level = 0;
		while ((size_t)level < len && level < 3 && s[level] == '#')
			level++;
		add_line_block(out, BLOCK_HEADING, level, s + level, len - (size_t)level);
	} else if (len >= 2 && s[0] == '*' && s[1] == ' ') {
		add_line_block(out, BLOCK_LIST_ITEM, 0, s + 2, len - 2);
	} else if (len >= 1 && s[0] == '>') {
		add_line_block(out, BLOCK_QUOTE, 0, s + 1, len - 1);
	} else {
		add_line_block(out, BLOCK_PARAGRAPH, 0, s, len);
	}
}

static void gemtext_to_blocks(const char *text, size_t len, struct block_list *out)
{
	struct buf pre = {0};
	char *alt = NULL;
	bool in_pre = false;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *s = text + pos;
		size_t n = end - pos;
		pos = end + 1;
		if (n >= 3 && memcmp(s, "```", 3) == 0) {
			if (in_pre) {
				end_pre(out, &pre, &alt);
			} else {
				alt = trimmed_copy(s + 3, n - 3);
				if (alt[0] == '\0') {
					free(alt);
					alt = NULL;
				}
			}
			in_pre = !in_pre;
		} else if (in_pre) {
			buf_append(&pre, s, n);
			buf_putc(&pre, '\n');
		} else {
			gemtext_line(out, s, n);
		}
	}
	if (in_pre)
		end_pre(out, &pre, &alt);
	buf_free(&pre);
}

/* Plain text: the first line is the title (unless the front matter gave
 * one), a date line may follow it, then paragraphs between blank lines. */
static void text_to_blocks(const char *text, size_t len, const struct article_context *ctx,
                           struct article_meta *meta, struct block_list *out)
{
	struct inline_text para = {0};
	bool want_title = meta->title == NULL;
	bool want_date = want_title && !meta->date.set;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		char *line = trimmed_copy(text + pos, end - pos);
		pos = end + 1;
		if (line[0] != '\0' && want_title) {
			meta->title = line;
			want_title = false;
			continue;
		}
		if (line[0] != '\0' && want_date) {
			want_date = false;
			if (date_parse_in(line, strlen(line), ctx->utc_offset_minutes, ctx->zone, &meta->date)) {
				free(line);
				continue;
			}
		}
		if (line[0] == '\0')
			blocks_add_text(out, BLOCK_PARAGRAPH, 0, &para);
		else if (para.text.len > 0 &&
		         !text_break_joins(para.text.data, para.text.len, line, strlen(line)))
			buf_putc(&para.text, ' ');
		buf_puts(&para.text, line);
		free(line);
	}
	blocks_add_text(out, BLOCK_PARAGRAPH, 0, &para);
	inline_free(&para);
}

/* ---- the article ---- */

static bool extra_is_true(const struct article_meta *meta, const char *key)
{
	for (size_t i = 0; i < meta->n_extra; i++)
		if (strcasecmp(meta->extra[i].key, key) == 0)
			return strcasecmp(meta->extra[i].value, "true") == 0;
	return false;
}

/* A Markdown body, its shortcodes and template tags read first
 * (shortcodes.h); what they leave out is the article's warnings. */
static void read_markdown_body(struct article *a, const char *body, size_t len, int body_line,
                               const struct article_context *ctx, struct block_list *blocks)
{
	struct buf warnings = {0};
	shortcodes_markdown_to_blocks(body, len, body_line,
	                              a->meta.lang != NULL ? a->meta.lang : ctx->lang, blocks,
	                              &warnings);
	a->warnings = warnings.len > 0 ? buf_steal(&warnings) : NULL;
	buf_free(&warnings);
}

static void read_body(struct article *a, const char *body, size_t len, int body_line,
                      bool has_front_matter, const struct article_context *ctx,
                      struct block_list *blocks)
{
	if (a->format == FORMAT_GEMTEXT) {
		gemtext_to_blocks(body, len, blocks);
		return;
	}
	/* A file with no front matter may be in the seed layout, .txt or .md. */
	if (!has_front_matter && layout_parse(body, len, ctx, &a->meta, blocks)) {
		a->format = FORMAT_MARKDOWN;
		/* Such files come from newsroom systems under machine names
		 * (the seed is "000_d926a9efe1d2fe2d.txt"); the headline makes
		 * the address a reader can read. */
		if (a->meta.slug == NULL && a->meta.title != NULL)
			a->meta.slug = text_slug(a->meta.title);
		return;
	}
	if (a->format == FORMAT_TEXT)
		text_to_blocks(body, len, ctx, &a->meta, blocks);
	else if (extra_is_true(&a->meta, "template"))
		gotemplate_to_blocks(body, len, blocks);
	else
		read_markdown_body(a, body, len, body_line, ctx, blocks);
}

/* The headline: from the front matter, or the body's opening heading
 * (taken out of the body so it is not shown twice), or the file's slug. */
static void settle_title(struct article *a, struct block_list *blocks)
{
	bool opens_with_heading = blocks->count > 0 && blocks->items[0].kind == BLOCK_HEADING &&
	                          blocks->items[0].level == 1;
	if (a->meta.title == NULL && opens_with_heading) {
		a->meta.title = xstrdup(blocks->items[0].text);
		blocks_remove(blocks, 0);
	} else if (opens_with_heading && strcmp(a->meta.title, blocks->items[0].text) == 0) {
		blocks_remove(blocks, 0);
	}
	if (a->meta.title == NULL)
		a->meta.title = xstrdup(a->meta.slug);
}

static void body_reading(const struct block_list *blocks, struct reading *r)
{
	for (size_t i = 0; i < blocks->count; i++) {
		const struct block *b = &blocks->items[i];
		if (b->kind == BLOCK_PRE)
			continue;
		if (b->text != NULL)
			lang_count_reading(r, b->text, strlen(b->text));
		for (size_t c = 0; b->table && c < b->table->n_rows * b->table->n_cols; c++)
			lang_count_reading(r, b->table->cells[c], strlen(b->table->cells[c]));
	}
}

/* A few kilobytes of prose tell its language as well as the whole text,
 * in a fraction of the time. */
enum { LANG_SAMPLE_BYTES = 4096 };

/* Appends s to a sample that stops short of LANG_SAMPLE_BYTES, never in
 * the middle of a character. */
static void sample_add(struct buf *sample, const char *s)
{
	size_t len = strlen(s);
	size_t room = LANG_SAMPLE_BYTES - sample->len;
	if (len > room) {
		len = room;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	buf_append(sample, s, len);
	if (sample->len < LANG_SAMPLE_BYTES)
		buf_putc(sample, '\n');
}

/* The title and the prose of the body: what the language is told from
 * (not code, tables or link lines, which are rarely in it). With
 * with_pre, preformatted text too: archives whose paragraphs came out
 * indented are all "code". */
static void text_sample(const struct article *a, const struct block_list *blocks, bool with_pre,
                        struct buf *sample)
{
	if (a->meta.title != NULL)
		sample_add(sample, a->meta.title);
	for (size_t i = 0; i < blocks->count && sample->len < LANG_SAMPLE_BYTES; i++) {
		const struct block *b = &blocks->items[i];
		bool prose = b->kind == BLOCK_HEADING || b->kind == BLOCK_PARAGRAPH ||
		             b->kind == BLOCK_LIST_ITEM || b->kind == BLOCK_QUOTE ||
		             (with_pre && b->kind == BLOCK_PRE);
		if (prose && b->text != NULL)
			sample_add(sample, b->text);
	}
}

static bool has_pre(const struct block_list *blocks)
{
	for (size_t i = 0; i < blocks->count; i++)
		if (blocks->items[i].kind == BLOCK_PRE)
			return true;
	return false;
}

/* The language of the prose, else (when that says nothing sure and there
 * is preformatted text) of the prose and that text together. */
static bool identify(const struct article *a, const struct block_list *blocks, char tag[LANG_TAG_MAX])
{
	struct buf sample = {0};
	text_sample(a, blocks, false, &sample);
	bool identified = lang_identify(sample.data ? sample.data : "", sample.len, tag);
	if (!identified && has_pre(blocks)) {
		buf_clear(&sample);
		text_sample(a, blocks, true, &sample);
		identified = lang_identify(sample.data ? sample.data : "", sample.len, tag);
	}
	buf_free(&sample);
	return identified;
}

/* Its lang: key, else a folder named by a language, else the language of
 * its text when that is clear, else the host's. */
static void settle_lang(struct article *a, const struct block_list *blocks,
                        const struct article_context *ctx)
{
	char tag[LANG_TAG_MAX];
	const char *key = a->meta.lang;
	a->lang_key_ignored = key != NULL && !lang_tag_normalise(key, strlen(key), tag);
	if (key != NULL && !a->lang_key_ignored) {
		a->lang_reason = LANG_FROM_KEY;
	} else if (lang_of_path(a->source, tag)) {
		a->lang_reason = LANG_FROM_FOLDER;
	} else {
		a->lang_reason = identify(a, blocks, tag) ? LANG_FROM_TEXT : LANG_FROM_HOST;
	}
	free(a->meta.lang);
	a->meta.lang = NULL;
	if (a->lang_reason != LANG_FROM_HOST)
		a->meta.lang = xstrdup(tag);
	else if (ctx->lang != NULL)
		a->meta.lang = xstrdup(ctx->lang);
}

/* An article with no date of its own is dated when its file was last
 * written, in the site's zone: a folder of undated guides still publishes,
 * in the order it was written. */
static void date_by_file(struct article *a, const struct article_context *ctx)
{
	a->meta.date = (struct when){.set = true, .t = ctx->file_time,
	                             .offset_minutes = date_zone_offset(ctx->zone, ctx->utc_offset_minutes,
	                                                               ctx->file_time),
	                             .has_time = true};
	a->dated_by_file = true;
}

/* Slug, date and URL path. An article must be dated (by its file's time at
 * the latest), except a redirect: that only sends its readers on and is
 * never listed. */
static bool settle_place(struct article *a, const struct article_context *ctx, struct buf *error)
{
	size_t name_len;
	const char *name = article_name(a->source, &name_len);
	char *slug = a->meta.slug ? slug_from(a->meta.slug, strlen(a->meta.slug)) : file_slug(a->source);
	free(a->meta.slug);
	a->meta.slug = slug;
	size_t prefix;
	if (!a->meta.date.set)
		pathdate_prefix(name, name_len, ctx->utc_offset_minutes, ctx->zone, &a->meta.date,
		                &prefix);
	if (!a->meta.date.set)
		pathdate_folders(a->source, ctx->utc_offset_minutes, ctx->zone, &a->meta.date);
	if (!a->meta.date.set && a->meta.redirect == NULL && ctx->file_time != 0)
		date_by_file(a, ctx);
	if (!a->meta.date.set && a->meta.redirect == NULL) {
		buf_puts(error, "1: no date: give the article a \"date:\" line in its front matter");
		return false;
	}
	if (!a->meta.date.set) {
		a->path = xasprintf("/news/%s", slug);
		return true;
	}
	struct tm tm;
	date_local(&a->meta.date, &tm);
	a->path = xasprintf("/news/%04d/%02d/%s", tm.tm_year + 1900, tm.tm_mon + 1, slug);
	return true;
}

/* Replaces the one-line *field with text_clean's copy of it, trimmed
 * again: a line break at its end has become a space. */
static void clean_field(char **field, unsigned flags)
{
	if (*field == NULL)
		return;
	char *clean = text_cleaned(*field, flags);
	const char *start = clean;
	size_t len = strlen(clean);
	text_trim(&start, &len);
	free(*field);
	*field = xstrndup(start, len);
	free(clean);
}

static void clean_fields(char **items, size_t n, unsigned flags)
{
	for (size_t i = 0; i < n; i++)
		clean_field(&items[i], flags);
}

/* A block's text, cleaned piece by piece between its links' ends, so that
 * each end still falls where its label ends. */
static void clean_linked_text(struct block *b)
{
	if (b->text == NULL)
		return;
	struct buf out = {0};
	size_t from = 0;
	size_t len = strlen(b->text);
	for (size_t i = 0; i < b->n_links; i++) {
		struct link *l = &b->links[i];
		if (l->end < from || l->end > len)
			continue; /* out of order: render finds no label there anyway */
		text_clean(&out, b->text + from, l->end - from, TEXT_CLEAN_LINES);
		from = l->end;
		l->end = out.len;
	}
	text_clean(&out, b->text + from, len - from, TEXT_CLEAN_LINES);
	free(b->text);
	b->text = buf_steal(&out);
}

static void clean_block(struct block *b)
{
	clean_linked_text(b);
	for (size_t i = 0; i < b->n_links; i++) {
		clean_field(&b->links[i].url, 0);
		clean_field(&b->links[i].label, 0);
	}
	clean_field(&b->url, 0);
	clean_field(&b->alt, 0);
	if (b->table != NULL)
		clean_fields(b->table->cells, b->table->n_rows * b->table->n_cols, 0);
}

/* Fields that must not be empty once cleaned: absent instead, as when
 * front matter gives them empty. */
static void clean_optional(char **field, unsigned flags)
{
	clean_field(field, flags);
	if (*field != NULL && (*field)[0] == '\0') {
		free(*field);
		*field = NULL;
	}
}

/*
 * Every string of the model through the one sanitizer, before the title,
 * slug and address are settled from them: the whole-file pass in normalise
 * cannot see what YAML escapes ("\e", "\x9b") and character references
 * (&#27;) decode to, nor C1 and bidi controls written as they are.
 */
static void clean_model(struct article_meta *m, struct block_list *blocks)
{
	char **text[] = {&m->title, &m->summary, &m->caption, &m->site_name, &m->signature, &m->series};
	for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
		clean_optional(text[i], 0);
	/* Names, addresses and tags that go into headers and paths: no bidi
	 * control has any business there (a "lang" holding one would make
	 * every Gemini header of the article unsendable). */
	char **names[] = {&m->author_url, &m->section, &m->lang, &m->image, &m->slug, &m->redirect};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		clean_optional(names[i], TEXT_CLEAN_NO_BIDI);
	clean_fields(m->authors, m->n_authors, 0);
	clean_fields(m->tags, m->n_tags, 0);
	clean_fields(m->aliases, m->n_aliases, TEXT_CLEAN_NO_BIDI);
	for (size_t i = 0; i < m->n_extra; i++) {
		clean_field(&m->extra[i].key, 0);
		clean_field(&m->extra[i].value, 0);
	}
	for (size_t i = 0; i < m->n_corrections; i++)
		clean_field(&m->corrections[i].note, 0);
	for (size_t i = 0; i < blocks->count; i++)
		clean_block(&blocks->items[i]);
}

static bool read_article(struct article *a, const char *text, size_t len,
                         const struct article_context *ctx, struct buf *error)
{
	struct frontmatter_split split;
	bool has_front_matter;
	if (!frontmatter_split(text, len, &split, &has_front_matter, error) && has_front_matter)
		return false;
	/* Pelican's "Key: value" lines head Markdown files only: a gemtext or
	 * plain text file opening so is text. */
	if (has_front_matter && split.kind == FRONTMATTER_LINES && a->format != FORMAT_MARKDOWN)
		has_front_matter = false;
	const char *body = text;
	size_t body_len = len;
	if (has_front_matter) {
		if (!frontmatter_read(text, &split, ctx, &a->meta, error))
			return false;
		body += split.body_start;
		body_len -= split.body_start;
	}
	struct block_list blocks = {0};
	read_body(a, body, body_len, line_of(text, (size_t)(body - text)), has_front_matter, ctx,
	          &blocks);
	clean_model(&a->meta, &blocks);
	bool ok = settle_place(a, ctx, error);
	settle_title(a, &blocks);
	a->blocks = blocks.items;
	a->n_blocks = blocks.count;
	body_reading(&blocks, &a->reading);
	settle_lang(a, &blocks, ctx);
	return ok;
}

struct article *article_parse(const char *source, const char *data, size_t len,
                              const struct article_context *ctx, struct buf *error)
{
	if (len == 0) {
		buf_puts(error, "1: empty file");
		return NULL;
	}
	if (len > ARTICLE_MAX_BYTES) {
		buf_printf(error, "1: too large for an article (over %d MiB)", ARTICLE_MAX_BYTES >> 20);
		return NULL;
	}
	if (!check_text(data, len, error))
		return NULL;
	struct buf text = {0};
	normalise(&text, data, len);
	struct article *a = xcalloc(1, sizeof *a);
	a->source = xstrdup(source);
	a->format = format_of(source);
	bool ok = read_article(a, text.data, text.len, ctx, error);
	buf_free(&text);
	if (!ok) {
		article_free(a);
		return NULL;
	}
	return a;
}

static void free_strings(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

static void meta_free(struct article_meta *m)
{
	free(m->title);
	free_strings(m->authors, m->n_authors);
	free(m->author_url);
	free(m->section);
	free_strings(m->tags, m->n_tags);
	free(m->summary);
	free(m->lang);
	free(m->image);
	free(m->caption);
	free(m->slug);
	free(m->redirect);
	free_strings(m->aliases, m->n_aliases);
	free(m->site_name);
	free(m->signature);
	corrections_free(m->corrections, m->n_corrections);
	free(m->series);
	for (size_t i = 0; i < m->n_extra; i++) {
		free(m->extra[i].key);
		free(m->extra[i].value);
	}
	free(m->extra);
}

void article_free(struct article *a)
{
	if (a == NULL)
		return;
	meta_free(&a->meta);
	struct block_list blocks = {.items = a->blocks, .count = a->n_blocks, .cap = a->n_blocks};
	block_list_free(&blocks);
	free(a->source);
	free(a->path);
	free(a->warnings);
	free(a);
}

bool article_visible(const struct article *a, time_t now)
{
	return !a->meta.date.set || a->meta.date.t <= now;
}

bool article_source_name(const char *path)
{
	const char *ext = text_extension(path);
	static const char *const extensions[] = {"md", "markdown", "mdown", "mkd", "gmi", "txt"};
	for (size_t i = 0; i < sizeof extensions / sizeof *extensions; i++)
		if (strcasecmp(ext, extensions[i]) == 0)
			return true;
	return false;
}
