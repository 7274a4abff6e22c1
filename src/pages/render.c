#include "render.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "alloc.h"
#include "blocks.h"
#include "output.h"
#include "date.h"
#include "itemtype.h"
#include "labels.h"
#include "lang.h"
#include "links.h"
#include "snapshot.h"
#include "strset.h"
#include "text.h"
#include "url.h"

/*
 * One article model, two renderers. The gemtext renderer keeps links next
 * to the paragraph that cites them; the Gopher renderer wraps text and
 * gathers every link at the end. Both share the pieces below: link
 * resolution, reference numbering, tables and the metadata lines.
 */

enum { DEFAULT_WRAP = 70, GOPHER_CODE_INDENT = 4 };

/* ---- links ---------------------------------------------------------- */

/* Whether url begins with a scheme ("https:", "gemini:", "mailto:"). */
static bool has_scheme(const char *url)
{
	return url_scheme_length(url, strlen(url)) > 0;
}

/* Where the article's links are resolved from: its source file in the
 * capsule, or its address when it has none (an article built in memory). */
static char *link_base(const struct article *a)
{
	if (a->source != NULL)
		return xasprintf("/%s", a->source);
	return xstrdup(a->path != NULL ? a->path : "/");
}

/* The site path a link without a scheme points to, into out: a link to an
 * article's source file, address or alias becomes its address; query and
 * fragment are kept (the fragment only when keep_fragment). False when the
 * link would climb out of the capsule. */
static bool resolve_path(struct buf *out, const struct article *a, const char *ref,
                         const struct render_context *ctx, bool keep_fragment)
{
	char *base = link_base(a);
	struct buf path = {0};
	const char *suffix;
	enum link_kind kind = links_resolve(base, ref, &path, &suffix);
	free(base);
	if (kind == LINK_OUTSIDE) {
		buf_free(&path);
		return false;
	}
	const struct article *target = NULL;
	if (kind == LINK_SITE && ctx->snapshot != NULL)
		target = snapshot_link_target(ctx->snapshot, path.data);
	if (kind == LINK_SELF)
		buf_puts(out, a->path != NULL ? a->path : "/");
	else if (target != NULL && target->path != NULL)
		buf_puts(out, target->path);
	else
		buf_append(out, path.data, path.len);
	buf_append(out, suffix, keep_fragment ? strlen(suffix) : strcspn(suffix, "#"));
	buf_free(&path);
	return true;
}

/* Whether a link's URL leads anywhere: not empty, and not out of the
 * capsule (such a link is shown as its label alone). */
static bool url_usable(const struct article *a, const char *url)
{
	if (url == NULL || url[0] == '\0')
		return false;
	struct buf path = {0};
	const char *suffix;
	char *base = link_base(a);
	bool usable = links_resolve(base, url, &path, &suffix) != LINK_OUTSIDE;
	free(base);
	buf_free(&path);
	return usable;
}

/* Appends url with the characters a gemtext link line or a reader's copy
 * would cut at (spaces, controls) percent-encoded. */
static void append_url(struct buf *out, const char *url)
{
	for (const unsigned char *p = (const unsigned char *)url; *p != '\0'; p++) {
		if (*p <= ' ' || *p == 0x7f)
			buf_printf(out, "%%%02X", *p);
		else
			buf_putc(out, (char)*p);
	}
}

/*
 * The URL a link in the article points to (which url_usable allows). URLs
 * with a scheme stay as they are; anything else is resolved as written in
 * the article's source file (resolve_path), then made absolute with
 * base_url when there is one (Gopher URLs also need the item type, and a
 * selector carries no fragment). Returns a new string.
 */
static char *resolve_url(const char *url, const struct article *a,
                         const struct render_context *ctx, enum output proto)
{
	struct buf out = {0};
	const char *base = ctx->base_url;
	if (has_scheme(url)) {
		append_url(&out, url);
		return buf_steal(&out);
	}
	if (url[0] == '/' && url[1] == '/') {
		/* A network-path reference takes the page's scheme. */
		if (base != NULL && has_scheme(base))
			buf_append(&out, base, strcspn(base, ":") + 1);
		append_url(&out, url);
		return buf_steal(&out);
	}
	struct buf path = {0};
	if (!resolve_path(&path, a, url, ctx, proto == OUTPUT_GEMINI))
		buf_puts(&path, "/");
	if (base != NULL && base[0] != '\0') {
		size_t base_len = strlen(base);
		while (base_len > 0 && base[base_len - 1] == '/')
			base_len--;
		buf_append(&out, base, base_len);
		if (proto == OUTPUT_GOPHER) {
			buf_putc(&out, '/');
			buf_putc(&out, item_type_of_path(path.data));
		}
	}
	append_url(&out, path.data);
	buf_free(&path);
	return buf_steal(&out);
}

/* What an image is called: its alt text (or caption), else its file
 * name; never a bare "Image". Returns a new string. */
static char *image_label(const char *url, const char *alt)
{
	if (alt != NULL && alt[0] != '\0')
		return xstrdup(alt);
	return image_file_name(url);
}

/* A link is worth a reference only if it points somewhere. */
static bool link_usable(const struct article *a, const struct link *l)
{
	return url_usable(a, l->url);
}

/* Copies s with line breaks and tabs turned into spaces: for one-line
 * places (headings, link labels, table cells, alt text). */
static char *one_line(const char *s)
{
	char *copy = xstrdup(s != NULL ? s : "");
	for (char *p = copy; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	}
	return copy;
}

/* Where each link's label starts in text, or false when a label is not
 * found just before its end (then the block is not "only links"). */
static bool label_start(const char *text, size_t text_len, const struct link *l, size_t *start)
{
	size_t label_len = l->label != NULL ? strlen(l->label) : 0;
	if (label_len == 0 || l->end > text_len || l->end < label_len)
		return false;
	*start = l->end - label_len;
	return memcmp(text + *start, l->label, label_len) == 0;
}

/* Whether the bytes text[from..to) only separate links: blanks and list
 * punctuation such as "," or "|" or "·". */
static bool only_separators(const char *text, size_t from, size_t to)
{
	static const char *const separators[] = {" ", "\t", "\n", ",", ";", "|", "/",
	                                         "-", "\xc2\xb7", "\xe2\x80\xa2",
	                                         "\xe2\x80\x93", "\xe2\x80\x94"};
	size_t i = from;
	while (i < to) {
		size_t n = 0;
		for (size_t k = 0; k < sizeof separators / sizeof separators[0] && n == 0; k++) {
			size_t len = strlen(separators[k]);
			if (i + len <= to && memcmp(text + i, separators[k], len) == 0)
				n = len;
		}
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

/* A paragraph or list item whose text is nothing but its links. */
static bool block_only_links(const struct article *a, const struct block *b)
{
	if (b->n_links == 0 || b->text == NULL)
		return false;
	size_t pos = 0, len = strlen(b->text);
	for (size_t i = 0; i < b->n_links; i++) {
		size_t start;
		if (!link_usable(a, &b->links[i]) || !label_start(b->text, len, &b->links[i], &start) ||
		    start < pos || !only_separators(b->text, pos, start))
			return false;
		pos = b->links[i].end;
	}
	return only_separators(b->text, pos, len);
}

/* The article's numbered links: one number per distinct URL, so a site
 * linked five times is listed once. The URLs are borrowed from the
 * article, which outlives the rendering. */
struct references {
	struct strset urls; /* number - 1 by URL */
};

/* The number of url; a new URL gets the next number. */
static int reference_number(struct references *r, const char *url)
{
	return (int)strset_add(&r->urls, url, NULL) + 1;
}

/*
 * Copies text with a "[n]" reference after each usable link's label;
 * numbers[i] gets link i's number (0 for a link without URL). Links are
 * taken in the order given, which the model keeps in text order; an end
 * past the text is put at the end.
 */
static char *add_references(const struct article *a, const char *text,
                            const struct link *links, size_t n_links,
                            struct references *refs, int *numbers)
{
	struct buf out = {0};
	size_t len = text != NULL ? strlen(text) : 0;
	size_t pos = 0;
	for (size_t i = 0; i < n_links; i++) {
		numbers[i] = 0;
		if (!link_usable(a, &links[i]))
			continue;
		size_t end = links[i].end < len ? links[i].end : len;
		if (end < pos)
			end = pos;
		buf_append(&out, text + pos, end - pos);
		numbers[i] = reference_number(refs, links[i].url);
		buf_printf(&out, "[%d]", numbers[i]);
		pos = end;
	}
	buf_append(&out, text != NULL ? text + pos : "", len - pos);
	return buf_steal(&out);
}

/* ---- shared pieces ---------------------------------------------------- */

static const char *article_lang(const struct article *a, const struct render_context *ctx)
{
	if (a->meta.lang != NULL && a->meta.lang[0] != '\0')
		return a->meta.lang;
	return ctx->vhost != NULL ? ctx->vhost->lang : NULL;
}

void render_when(struct buf *out, const struct when *w, const struct vhost *vhost)
{
	if (w == NULL || !w->set)
		return;
	struct tm tm;
	if (!date_local(w, &tm)) {
		buf_puts(out, "?");
		return;
	}
	buf_printf(out, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	/* "2011-03-24", not "2011-03-24 00:00 UTC": a time nobody wrote. */
	if (!w->has_time)
		return;
	buf_printf(out, " %02d:%02d ", tm.tm_hour, tm.tm_min);
	int site_offset = vhost != NULL ? vhost->utc_offset_minutes : 0;
	const char *zone = vhost != NULL && vhost->zone_name != NULL ? vhost->zone_name : "UTC";
	if (w->offset_minutes == site_offset) {
		buf_puts(out, zone);
		return;
	}
	date_format_offset(out, w->offset_minutes);
}

/* "By A, B" */
static void append_byline(struct buf *out, const struct article_meta *m, const struct labels *t)
{
	buf_printf(out, "%s ", t->by);
	for (size_t i = 0; i < m->n_authors; i++) {
		char *name = one_line(m->authors[i]);
		buf_printf(out, "%s%s", i > 0 ? ", " : "", name);
		free(name);
	}
}

/* "2022-04-21 11:18 WITA · Updated ... · 3 min read" */
static void append_dateline(struct buf *out, const struct article *a,
                            const struct render_context *ctx, const struct labels *t)
{
	const char *sep = "";
	if (a->meta.date.set) {
		render_when(out, &a->meta.date, ctx->vhost);
		sep = " \xc2\xb7 ";
	}
	if (a->meta.updated.set) {
		buf_printf(out, "%s%s ", sep, t->updated);
		render_when(out, &a->meta.updated, ctx->vhost);
		sep = " \xc2\xb7 ";
	}
	buf_printf(out, "%s%zu %s", sep, lang_reading_minutes(&a->reading), t->minutes_read);
}

/* "barru" -> "Barru", "luwu timur" -> "Luwu Timur" (ASCII letters only). */
static char *section_title(const char *section)
{
	char *title = one_line(section);
	bool word_start = true;
	for (char *p = title; *p != '\0'; p++) {
		if (word_start && *p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
		word_start = *p == ' ' || *p == '-';
	}
	return title;
}

/* What a link to the author's site shows: the URL without its scheme. */
static char *site_label(const char *url)
{
	const char *p = strstr(url, "://");
	p = p != NULL ? p + 3 : url;
	char *label = one_line(p);
	size_t len = strlen(label);
	if (len > 1 && label[len - 1] == '/')
		label[len - 1] = '\0';
	return label;
}

/* Appends prefix and s as one line without trailing spaces, then eol. */
static void put_line(struct buf *out, const char *prefix, const char *s, size_t len,
                     const char *eol)
{
	size_t start = out->len;
	buf_puts(out, prefix);
	buf_append(out, s, len);
	while (out->len > start && out->data[out->len - 1] == ' ')
		out->len--;
	buf_puts(out, eol);
}

/* A line of a preformatted block that would end the block in gemtext
 * ("```" at its start) gets a leading space: visible, honest, and the
 * code still reads the same. The line is otherwise kept as written. */
static void put_pre_line(struct buf *out, const char *indent, const char *s, size_t len,
                         const char *eol)
{
	buf_puts(out, indent);
	if (indent[0] == '\0' && len >= 3 && memcmp(s, "```", 3) == 0)
		buf_putc(out, ' ');
	buf_append(out, s, len);
	buf_puts(out, eol);
}

static void put_padding(struct buf *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_putc(out, ' ');
}

static void put_cell(struct buf *line, const char *cell, size_t width, enum table_align align)
{
	size_t pad = width - text_width(cell, strlen(cell));
	size_t before = 0;
	if (align == ALIGN_RIGHT)
		before = pad;
	else if (align == ALIGN_CENTER)
		before = pad / 2;
	put_padding(line, before);
	buf_puts(line, cell);
	put_padding(line, pad - before);
}

/*
 * A table as aligned lines: columns as wide as their widest cell in display
 * columns (CJK counts two), " | " between them, a rule under the header.
 */
static void put_table(struct buf *out, const struct table *tb, const char *indent,
                      const char *eol)
{
	if (tb == NULL || tb->n_cols == 0 || tb->n_rows == 0)
		return;
	size_t n = tb->n_rows * tb->n_cols;
	char **cells = xcalloc(n, sizeof *cells);
	size_t *widths = xcalloc(tb->n_cols, sizeof *widths);
	for (size_t i = 0; i < n; i++) {
		cells[i] = one_line(tb->cells[i]);
		size_t w = text_width(cells[i], strlen(cells[i]));
		if (w > widths[i % tb->n_cols])
			widths[i % tb->n_cols] = w;
	}
	/* A first cell starting with "```" would need the escape space; then
	 * every line gets it, so the columns stay aligned. */
	for (size_t r = 0; r < tb->n_rows; r++) {
		if (strncmp(cells[r * tb->n_cols], "```", 3) == 0)
			indent = " ";
	}
	struct buf line = {0};
	for (size_t r = 0; r < tb->n_rows; r++) {
		buf_clear(&line);
		for (size_t c = 0; c < tb->n_cols; c++) {
			enum table_align align = tb->align != NULL ? tb->align[c] : ALIGN_NONE;
			buf_puts(&line, c > 0 ? " | " : "");
			put_cell(&line, cells[r * tb->n_cols + c], widths[c], align);
		}
		while (line.len > 0 && line.data[line.len - 1] == ' ')
			line.len--;
		put_pre_line(out, indent, line.data, line.len, eol);
		if (r > 0)
			continue;
		buf_puts(out, indent);
		for (size_t c = 0; c < tb->n_cols; c++) {
			buf_puts(out, c > 0 ? "-+-" : "");
			for (size_t k = 0; k < widths[c]; k++)
				buf_putc(out, '-');
		}
		buf_puts(out, eol);
	}
	buf_free(&line);
	for (size_t i = 0; i < n; i++)
		free(cells[i]);
	free(cells);
	free(widths);
}

/* ---- gemtext ---------------------------------------------------------- */

struct gemtext {
	struct buf *out;
	const struct article *a;
	const struct render_context *ctx;
	const struct labels *labels;
	struct references refs;
	/* By reference number - 1: the block its link line was last put after. */
	const struct block **shown_after;
	size_t n_shown_after;
};

/*
 * A text line that would read as gemtext syntax ("#", ">", "=>", "* ",
 * "```") gets a leading space. A space is shown by every client and
 * terminal, copies as itself and carries no meaning; zero-width characters
 * show as boxes in some terminal clients and hide inside copied text.
 */
static bool starts_syntax(const char *s, size_t len)
{
	if (len >= 1 && (s[0] == '#' || s[0] == '>'))
		return true;
	if (len >= 2 && (memcmp(s, "=>", 2) == 0 || memcmp(s, "* ", 2) == 0))
		return true;
	return len >= 3 && memcmp(s, "```", 3) == 0;
}

static void gem_text_line(struct buf *out, const char *s, size_t len)
{
	if (starts_syntax(s, len))
		buf_putc(out, ' ');
	put_line(out, "", s, len, "\n");
}

/* Each line of text (hard breaks kept) as a text line. */
static void gem_text_lines(struct buf *out, const char *text)
{
	const char *p = text;
	for (;;) {
		size_t len = strcspn(p, "\n");
		gem_text_line(out, p, len);
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
}

static void gem_link_line(struct gemtext *g, const char *url, int number, const char *label)
{
	char *resolved = resolve_url(url, g->a, g->ctx, OUTPUT_GEMINI);
	char *text = one_line(label != NULL && label[0] != '\0' ? label : url);
	buf_printf(g->out, "=> %s", resolved);
	if (number > 0)
		buf_printf(g->out, " [%d]", number);
	/* A link labelled with its own address shows the address once. */
	if (strcmp(text, resolved) != 0)
		buf_printf(g->out, " %s", text);
	buf_putc(g->out, '\n');
	free(text);
	free(resolved);
}

/* An image or a line that is only a link; one that cannot be followed
 * keeps its label as text. */
static void gem_link_block(struct gemtext *g, const char *url, const char *label)
{
	if (url == NULL || url[0] == '\0')
		return;
	if (url_usable(g->a, url)) {
		gem_link_line(g, url, 0, label);
		return;
	}
	char *text = one_line(label != NULL ? label : "");
	gem_text_lines(g->out, text);
	free(text);
}

/* The link lines that follow a block citing them, each URL once. */
static void gem_block_links(struct gemtext *g, const struct block *b, const int *numbers)
{
	/* The blocks are rendered one after another, so a reference last
	 * shown after this block was shown after it a moment ago. */
	size_t n_refs = g->refs.urls.count;
	if (g->n_shown_after < n_refs) {
		size_t n = n_refs > 2 * g->n_shown_after ? n_refs : 2 * g->n_shown_after;
		g->shown_after = xreallocarray(g->shown_after, n, sizeof *g->shown_after);
		for (size_t i = g->n_shown_after; i < n; i++)
			g->shown_after[i] = NULL;
		g->n_shown_after = n;
	}
	for (size_t i = 0; i < b->n_links; i++) {
		if (numbers[i] <= 0 || g->shown_after[numbers[i] - 1] == b)
			continue;
		g->shown_after[numbers[i] - 1] = b;
		gem_link_line(g, b->links[i].url, numbers[i], b->links[i].label);
	}
}

/* A block of text with links: the text with references, then its links. */
static void gem_cited_text(struct gemtext *g, const struct block *b, const char *first_prefix,
                           bool single_line)
{
	int *numbers = xcalloc(b->n_links, sizeof *numbers);
	char *text = add_references(g->a, b->text, b->links, b->n_links, &g->refs, numbers);
	if (single_line) {
		char *line = one_line(text);
		put_line(g->out, first_prefix, line, strlen(line), "\n");
		free(line);
	} else if (first_prefix[0] != '\0') {
		/* A quote: every line keeps the prefix. */
		for (const char *p = text;;) {
			size_t len = strcspn(p, "\n");
			put_line(g->out, first_prefix, p, len, "\n");
			if (p[len] == '\0')
				break;
			p += len + 1;
		}
	} else {
		gem_text_lines(g->out, text);
	}
	gem_block_links(g, b, numbers);
	free(text);
	free(numbers);
}

static void gem_only_links(struct gemtext *g, const struct block *b)
{
	for (size_t i = 0; i < b->n_links; i++)
		gem_link_line(g, b->links[i].url, 0, b->links[i].label);
}

static void gem_heading(struct gemtext *g, const struct block *b)
{
	int level = b->level < 1 ? 1 : b->level > 3 ? 3 : b->level;
	const char *marks[] = {"# ", "## ", "### "};
	gem_cited_text(g, b, marks[level - 1], true);
}

/* Nested items are flattened: "– " per level after the bullet, since most
 * clients drop leading spaces. Ordered items keep their number as text. */
static void gem_list_item(struct gemtext *g, const struct block *b)
{
	if (block_only_links(g->a, b)) {
		gem_only_links(g, b);
		return;
	}
	struct buf prefix = {0};
	if (b->number <= 0)
		buf_puts(&prefix, "* ");
	for (int i = 0; i < b->level; i++)
		buf_puts(&prefix, "\xe2\x80\x93 ");
	if (b->number > 0)
		buf_printf(&prefix, "%d. ", b->number);
	gem_cited_text(g, b, prefix.data, true);
	buf_free(&prefix);
}

static void gem_pre(struct gemtext *g, const struct block *b)
{
	char *alt = one_line(b->alt);
	put_line(g->out, "```", alt, strlen(alt), "\n");
	free(alt);
	const char *text = b->text != NULL ? b->text : "";
	size_t len = strlen(text);
	if (len > 0 && text[len - 1] == '\n')
		len--;
	for (size_t i = 0; i < len;) {
		size_t n = strcspn(text + i, "\n");
		if (i + n > len)
			n = len - i;
		put_pre_line(g->out, "", text + i, n, "\n");
		i += n + 1;
	}
	buf_puts(g->out, "```\n");
}

static void gem_table(struct gemtext *g, const struct block *b)
{
	buf_puts(g->out, "```\n");
	put_table(g->out, b->table, "", "\n");
	buf_puts(g->out, "```\n");
}

static void gem_block(struct gemtext *g, const struct block *b)
{
	switch (b->kind) {
	case BLOCK_HEADING:
		gem_heading(g, b);
		break;
	case BLOCK_PARAGRAPH:
		if (block_only_links(g->a, b))
			gem_only_links(g, b);
		else
			gem_cited_text(g, b, "", false);
		break;
	case BLOCK_LIST_ITEM:
		gem_list_item(g, b);
		break;
	case BLOCK_QUOTE:
		gem_cited_text(g, b, "> ", false);
		break;
	case BLOCK_PRE:
		gem_pre(g, b);
		break;
	case BLOCK_IMAGE:
		if (b->url != NULL && b->url[0] != '\0') {
			char *label = image_label(b->url, b->alt);
			gem_link_block(g, b->url, label);
			free(label);
		}
		break;
	case BLOCK_LINK:
		gem_link_block(g, b->url, b->text);
		break;
	case BLOCK_TABLE:
		gem_table(g, b);
		break;
	case BLOCK_RULE:
		buf_puts(g->out, "---\n");
		break;
	}
}

/* What goes between two blocks: nothing inside a group that reads as one
 * (list items, link lines, images), an empty quote line between the
 * paragraphs of a quote, else a blank line. */
static void put_separator(struct buf *out, const struct block *prev, const struct block *b,
                          const char *eol)
{
	if (prev != NULL && prev->kind == b->kind) {
		if (b->kind == BLOCK_LIST_ITEM || b->kind == BLOCK_LINK || b->kind == BLOCK_IMAGE)
			return;
		if (b->kind == BLOCK_QUOTE)
			buf_putc(out, '>');
	}
	buf_puts(out, eol);
}

static void gem_header(struct gemtext *g)
{
	const struct article_meta *m = &g->a->meta;
	struct buf line = {0};
	if (m->title != NULL && m->title[0] != '\0') {
		char *title = one_line(m->title);
		buf_printf(g->out, "# %s\n", title);
		free(title);
	}
	if (m->n_authors > 0) {
		append_byline(&line, m, g->labels);
		gem_text_line(g->out, line.data, line.len);
	}
	if (m->author_url != NULL && m->author_url[0] != '\0') {
		char *label = site_label(m->author_url);
		gem_link_line(g, m->author_url, 0, label);
		free(label);
	}
	buf_clear(&line);
	append_dateline(&line, g->a, g->ctx, g->labels);
	gem_text_line(g->out, line.data, line.len);
	buf_free(&line);
	if (m->section != NULL && m->section[0] != '\0') {
		char *slug = text_slug(m->section);
		char *title = section_title(m->section);
		char *path = xasprintf("/section/%s/", slug);
		char *label = xasprintf("%s: %s", g->labels->section, title);
		gem_link_line(g, path, 0, label);
		free(label);
		free(path);
		free(title);
		free(slug);
	}
}

static void gem_feature(struct gemtext *g)
{
	const struct article_meta *m = &g->a->meta;
	bool has_image = m->image != NULL && m->image[0] != '\0';
	bool has_caption = m->caption != NULL && m->caption[0] != '\0';
	if (!has_image && !has_caption)
		return;
	buf_putc(g->out, '\n');
	if (has_image) {
		char *label = image_label(m->image, m->caption);
		gem_link_line(g, m->image, 0, label);
		free(label);
		return;
	}
	char *caption = one_line(m->caption);
	buf_printf(g->out, "> %s\n", caption);
	free(caption);
}

static void gem_footer(struct gemtext *g)
{
	const struct article_meta *m = &g->a->meta;
	if (m->signature != NULL && m->signature[0] != '\0') {
		buf_putc(g->out, '\n');
		gem_text_lines(g->out, m->signature);
	}
	if (m->n_tags > 0)
		buf_putc(g->out, '\n');
	for (size_t i = 0; i < m->n_tags; i++) {
		char *slug = text_slug(m->tags[i]);
		char *path = xasprintf("/tag/%s/", slug);
		char *label = xasprintf("#%s", m->tags[i]);
		gem_link_line(g, path, 0, label);
		free(label);
		free(path);
		free(slug);
	}
}

void render_gemtext(struct buf *out, const struct article *a, const struct render_context *ctx)
{
	struct gemtext g = {
		.out = out,
		.a = a,
		.ctx = ctx,
		.labels = labels_for(article_lang(a, ctx)),
	};
	gem_header(&g);
	gem_feature(&g);
	const struct block *prev = NULL;
	for (size_t i = 0; i < a->n_blocks; i++) {
		const struct block *b = &a->blocks[i];
		put_separator(out, prev, b, "\n");
		gem_block(&g, b);
		prev = b;
	}
	gem_footer(&g);
	strset_free(&g.refs.urls);
	free(g.shown_after);
}

/* ---- Gopher text ------------------------------------------------------ */

struct gopher_text {
	struct buf *out;
	const struct article *a;
	const struct render_context *ctx;
	const struct labels *labels;
	size_t width;
	struct references refs;
	int listed;          /* numbers up to this one are in list already */
	struct buf list;     /* "[n] URL" lines, appended under "Links" at the end */
};

static const char *const CRLF = "\r\n";

static void gph_wrap(struct gopher_text *g, const char *s, const char *first, const char *rest)
{
	text_wrap(g->out, s, strlen(s), g->width, first, rest, CRLF);
}

/* Puts a newly numbered link in the list for the end; numbers come in
 * order, so a number above the last listed one is new. */
static void gph_list(struct gopher_text *g, const char *url, int number)
{
	if (number <= g->listed)
		return;
	char *resolved = resolve_url(url, g->a, g->ctx, OUTPUT_GOPHER);
	buf_printf(&g->list, "[%d] %s\r\n", number, resolved);
	free(resolved);
	g->listed = number;
}

/* The number of a link standing outside text, listed if new. */
static int gph_cite(struct gopher_text *g, const char *url)
{
	int number = reference_number(&g->refs, url);
	gph_list(g, url, number);
	return number;
}

/* The block's text with references; its links join the list at the end.
 * Returns a new string. */
static char *gph_annotate(struct gopher_text *g, const struct block *b)
{
	int *numbers = xcalloc(b->n_links, sizeof *numbers);
	char *text = add_references(g->a, b->text, b->links, b->n_links, &g->refs, numbers);
	for (size_t i = 0; i < b->n_links; i++) {
		if (numbers[i] > 0)
			gph_list(g, b->links[i].url, numbers[i]);
	}
	free(numbers);
	return text;
}

static void gph_cited_text(struct gopher_text *g, const struct block *b, const char *first,
                           const char *rest)
{
	char *text = gph_annotate(g, b);
	gph_wrap(g, text, first, rest);
	free(text);
}

/* "label[n]" for a link standing alone (a link line), "Image: alt[n]" for
 * an image (kind names it; NULL for a plain link). */
static void gph_link(struct gopher_text *g, const char *url, const char *label,
                     const char *kind)
{
	if (url == NULL || url[0] == '\0')
		return;
	struct buf line = {0};
	const char *shown = label != NULL && label[0] != '\0' ? label : kind != NULL ? kind : url;
	char *text = one_line(shown);
	if (!url_usable(g->a, url)) {
		gph_wrap(g, text, "", "");
		free(text);
		return;
	}
	int number = gph_cite(g, url);
	if (kind != NULL && strcmp(kind, text) != 0)
		buf_printf(&line, "%s: ", kind);
	buf_printf(&line, "%s[%d]", text, number);
	gph_wrap(g, line.data, "", "");
	free(text);
	buf_free(&line);
}

static void gph_underline(struct gopher_text *g, const char *text, char mark)
{
	size_t w = text_width(text, strlen(text));
	if (w > g->width)
		w = g->width;
	for (size_t i = 0; i < w; i++)
		buf_putc(g->out, mark);
	buf_puts(g->out, CRLF);
}

static void gph_heading(struct gopher_text *g, const struct block *b)
{
	char *text = gph_annotate(g, b);
	char *flat = one_line(text);
	gph_wrap(g, flat, "", "");
	gph_underline(g, flat, b->level <= 1 ? '=' : '-');
	free(flat);
	free(text);
}

/* A list item with a hanging indent: two columns per level, then the
 * bullet or number, and later lines under the text. */
static void gph_list_item(struct gopher_text *g, const struct block *b)
{
	struct buf first = {0}, rest = {0};
	for (int i = 0; i < b->level; i++)
		buf_puts(&first, "  ");
	if (b->number > 0)
		buf_printf(&first, "%d. ", b->number);
	else
		buf_puts(&first, "* ");
	put_padding(&rest, text_width(first.data, first.len));
	gph_cited_text(g, b, first.data, rest.data);
	buf_free(&first);
	buf_free(&rest);
}

/* Code keeps its lines as written (never wrapped), indented. */
static void gph_pre(struct gopher_text *g, const struct block *b)
{
	const char *text = b->text != NULL ? b->text : "";
	size_t len = strlen(text);
	if (len > 0 && text[len - 1] == '\n')
		len--;
	char indent[GOPHER_CODE_INDENT + 1];
	memset(indent, ' ', GOPHER_CODE_INDENT);
	indent[GOPHER_CODE_INDENT] = '\0';
	for (size_t i = 0; i < len;) {
		size_t n = strcspn(text + i, "\n");
		if (i + n > len)
			n = len - i;
		if (n == 0)
			buf_puts(g->out, CRLF);
		else
			put_pre_line(g->out, indent, text + i, n, CRLF);
		i += n + 1;
	}
}

static void gph_block(struct gopher_text *g, const struct block *b)
{
	switch (b->kind) {
	case BLOCK_HEADING:
		gph_heading(g, b);
		break;
	case BLOCK_PARAGRAPH:
		gph_cited_text(g, b, "", "");
		break;
	case BLOCK_LIST_ITEM:
		gph_list_item(g, b);
		break;
	case BLOCK_QUOTE:
		gph_cited_text(g, b, "> ", "> ");
		break;
	case BLOCK_PRE:
		gph_pre(g, b);
		break;
	case BLOCK_IMAGE:
		if (b->url != NULL && b->url[0] != '\0') {
			char *label = image_label(b->url, b->alt);
			gph_link(g, b->url, label, g->labels->image);
			free(label);
		}
		break;
	case BLOCK_LINK:
		gph_link(g, b->url, b->text, NULL);
		break;
	case BLOCK_TABLE:
		put_table(g->out, b->table, "", CRLF);
		break;
	case BLOCK_RULE:
		buf_puts(g->out, "---\r\n");
		break;
	}
}

static void gph_header(struct gopher_text *g)
{
	const struct article_meta *m = &g->a->meta;
	if (m->title != NULL && m->title[0] != '\0') {
		char *title = one_line(m->title);
		gph_wrap(g, title, "", "");
		gph_underline(g, title, '=');
		free(title);
	}
	struct buf line = {0};
	if (m->n_authors > 0)
		append_byline(&line, m, g->labels);
	if (m->author_url != NULL && m->author_url[0] != '\0') {
		char *label = site_label(m->author_url);
		int number = gph_cite(g, m->author_url);
		buf_printf(&line, "%s%s[%d]", line.len > 0 ? " - " : "", label, number);
		free(label);
	}
	if (line.len > 0) {
		gph_wrap(g, line.data, "", "");
		buf_clear(&line);
	}
	append_dateline(&line, g->a, g->ctx, g->labels);
	gph_wrap(g, line.data, "", "");
	if (m->section != NULL && m->section[0] != '\0') {
		char *title = section_title(m->section);
		buf_clear(&line);
		buf_printf(&line, "%s: %s", g->labels->section, title);
		gph_wrap(g, line.data, "", "");
		free(title);
	}
	buf_free(&line);
}

static void gph_feature(struct gopher_text *g)
{
	const struct article_meta *m = &g->a->meta;
	bool has_image = m->image != NULL && m->image[0] != '\0';
	bool has_caption = m->caption != NULL && m->caption[0] != '\0';
	if (!has_image && !has_caption)
		return;
	buf_puts(g->out, CRLF);
	if (has_image) {
		char *label = image_label(m->image, m->caption);
		gph_link(g, m->image, label, g->labels->image);
		free(label);
		return;
	}
	char *caption = one_line(m->caption);
	gph_wrap(g, caption, "> ", "> ");
	free(caption);
}

static void gph_footer(struct gopher_text *g)
{
	const struct article_meta *m = &g->a->meta;
	if (m->signature != NULL && m->signature[0] != '\0') {
		buf_puts(g->out, CRLF);
		gph_wrap(g, m->signature, "", "");
	}
	if (m->n_tags > 0) {
		struct buf line = {0};
		buf_printf(&line, "%s:", g->labels->tags);
		for (size_t i = 0; i < m->n_tags; i++) {
			char *name = one_line(m->tags[i]);
			buf_printf(&line, "%s #%s", i > 0 ? "," : "", name);
			free(name);
		}
		buf_puts(g->out, CRLF);
		gph_wrap(g, line.data, "", "");
		buf_free(&line);
	}
	if (g->list.len == 0)
		return;
	/* URLs are listed whole, never wrapped, so they can be copied. */
	buf_puts(g->out, CRLF);
	buf_printf(g->out, "%s\r\n", g->labels->links);
	buf_append(g->out, g->list.data, g->list.len);
}

void render_gopher_text(struct buf *out, const struct article *a, const struct render_context *ctx)
{
	int columns = ctx->vhost != NULL ? ctx->vhost->wrap_columns : 0;
	struct gopher_text g = {
		.out = out,
		.a = a,
		.ctx = ctx,
		.labels = labels_for(article_lang(a, ctx)),
		.width = columns > 0 ? (size_t)columns : DEFAULT_WRAP,
	};
	buf_init(&g.list);
	gph_header(&g);
	gph_feature(&g);
	const struct block *prev = NULL;
	for (size_t i = 0; i < a->n_blocks; i++) {
		const struct block *b = &a->blocks[i];
		put_separator(out, prev, b, CRLF);
		gph_block(&g, b);
		prev = b;
	}
	gph_footer(&g);
	buf_free(&g.list);
	strset_free(&g.refs.urls);
}
