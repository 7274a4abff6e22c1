#include "render_parts.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "gopher_lines.h"
#include "text.h"

/* Gopher text: wrapped to the site's width, every link gathered in a
 * numbered list at the end. The menu form writes the same lines as info
 * lines, each piece's links as items right after it. */

enum { DEFAULT_WRAP = 70, GOPHER_CODE_INDENT = 4 };

struct gopher_text {
	struct buf *out;
	const struct article *a;
	const struct render_context *ctx;
	const struct labels *labels;
	size_t width;
	struct references refs;
	int listed;          /* numbers up to this one are in list already */
	struct buf list;     /* "[n] URL" lines, appended under "Links" at the end */
	/* The menu form: out is text, the lines of the piece being written,
	 * which gph_flush turns into info lines of menu, and then its items. */
	struct buf *menu;    /* NULL for the text form */
	struct buf text;
	struct buf items;
};

static const char *const CRLF = "\r\n";

static void gph_wrap(struct gopher_text *g, const char *s, const char *first, const char *rest)
{
	text_wrap(g->out, s, strlen(s), g->width, first, rest, CRLF);
}

/* Puts a newly numbered link in the list for the end (the menu form: an
 * item after the piece being written); numbers come in order, so a number
 * above the last listed one is new. */
static void gph_list(struct gopher_text *g, const char *url, const char *label, int number)
{
	if (number <= g->listed)
		return;
	g->listed = number;
	if (g->menu != NULL) {
		char *display = xasprintf("[%d] %s", number, label != NULL && label[0] ? label : url);
		render_gopher_item(&g->items, url, display, g->a, g->ctx);
		free(display);
		return;
	}
	char *resolved = render_resolve_url(url, g->a, g->ctx, OUTPUT_GOPHER);
	buf_printf(&g->list, "[%d] %s\r\n", number, resolved);
	free(resolved);
}

/* The number of a link standing outside text, listed if new. */
static int gph_cite(struct gopher_text *g, const char *url, const char *label)
{
	int number = render_reference_number(&g->refs, url);
	gph_list(g, url, label, number);
	return number;
}

/* The menu form: the lines written since the last flush as info lines,
 * then the items of the links they cite. */
static void gph_flush(struct gopher_text *g)
{
	if (g->menu == NULL)
		return;
	const char *s = g->text.data;
	size_t len = g->text.len;
	/* Lines end "\r\n"; memchr reads only the line, where strstr (under
	 * ASan's checks) measures the whole rest of the text each time. */
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(s + pos, '\n', len - pos);
		size_t next = nl != NULL ? (size_t)(nl - s) + 1 : len;
		size_t end = nl != NULL && nl > s + pos && nl[-1] == '\r' ? next - 2 : next - (nl != NULL);
		char *line = xstrndup(s + pos, end - pos);
		menu_info(g->menu, line);
		free(line);
		pos = next;
	}
	buf_append(g->menu, g->items.data, g->items.len);
	buf_clear(&g->text);
	buf_clear(&g->items);
}

/* The block's text with references; its links join the list at the end.
 * Returns a new string. */
static char *gph_annotate(struct gopher_text *g, const struct block *b)
{
	int *numbers = xcalloc(b->n_links, sizeof *numbers);
	char *text = render_add_references(g->a, b->text, b->links, b->n_links, &g->refs, numbers);
	for (size_t i = 0; i < b->n_links; i++) {
		if (numbers[i] > 0)
			gph_list(g, b->links[i].url, b->links[i].label, numbers[i]);
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
	char *text = render_one_line(shown);
	if (!render_url_usable(g->a, url)) {
		gph_wrap(g, text, "", "");
		free(text);
		return;
	}
	if (kind != NULL && strcmp(kind, text) != 0)
		buf_printf(&line, "%s: ", kind);
	buf_puts(&line, text);
	if (g->menu != NULL) {
		/* A link on its own line is its item alone. */
		render_gopher_item(&g->items, url, line.data, g->a, g->ctx);
	} else {
		buf_printf(&line, "[%d]", gph_cite(g, url, text));
		gph_wrap(g, line.data, "", "");
	}
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
	char *flat = render_one_line(text);
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
	render_put_padding(&rest, text_width(first.data, first.len));
	gph_cited_text(g, b, first.data, rest.data);
	buf_free(&first);
	buf_free(&rest);
}

/* Code keeps its lines as written (never wrapped), indented. */
static void gph_pre(struct gopher_text *g, const struct block *b)
{
	char indent[GOPHER_CODE_INDENT + 1];
	memset(indent, ' ', GOPHER_CODE_INDENT);
	indent[GOPHER_CODE_INDENT] = '\0';
	render_put_pre_text(g->out, b->text, indent, CRLF);
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
			char *label = render_image_label(b->url, b->alt);
			gph_link(g, b->url, label, g->labels->image);
			free(label);
		}
		break;
	case BLOCK_LINK:
		gph_link(g, b->url, b->text, NULL);
		break;
	case BLOCK_TABLE:
		render_put_table(g->out, b->table, "", CRLF);
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
		char *title = render_one_line(m->title);
		gph_wrap(g, title, "", "");
		gph_underline(g, title, '=');
		free(title);
	}
	struct buf line = {0};
	if (m->n_authors > 0)
		render_append_byline(&line, m, g->labels);
	if (m->author_url != NULL && m->author_url[0] != '\0') {
		char *label = render_site_label(m->author_url);
		int number = gph_cite(g, m->author_url, label);
		buf_printf(&line, "%s%s[%d]", line.len > 0 ? " - " : "", label, number);
		free(label);
	}
	if (line.len > 0) {
		gph_wrap(g, line.data, "", "");
		buf_clear(&line);
	}
	render_append_dateline(&line, g->a, g->ctx, g->labels);
	gph_wrap(g, line.data, "", "");
	if (m->section != NULL && m->section[0] != '\0') {
		char *title = render_section_title(m->section);
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
		char *label = render_image_label(m->image, m->caption);
		gph_link(g, m->image, label, g->labels->image);
		free(label);
		return;
	}
	char *caption = render_one_line(m->caption);
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
			char *name = render_one_line(m->tags[i]);
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

/* Writes the article into out (the text form) or, with menu set, into
 * menu (the menu form). */
static void gph_render(struct buf *out, struct buf *menu, const struct article *a,
                       const struct render_context *ctx)
{
	int columns = ctx->vhost != NULL ? ctx->vhost->wrap_columns : 0;
	size_t width = columns > 0 ? (size_t)columns : DEFAULT_WRAP;
	if (menu != NULL && width > MENU_DISPLAY_COLUMNS)
		width = MENU_DISPLAY_COLUMNS;
	struct gopher_text g = {
		.a = a,
		.ctx = ctx,
		.labels = labels_for(render_article_lang(a, ctx)),
		.width = width,
		.menu = menu,
	};
	buf_init(&g.list);
	g.out = menu != NULL ? &g.text : out;
	gph_header(&g);
	gph_flush(&g);
	gph_feature(&g);
	gph_flush(&g);
	const struct block *prev = NULL;
	for (size_t i = 0; i < a->n_blocks; i++) {
		const struct block *b = &a->blocks[i];
		render_put_separator(g.out, prev, b, CRLF);
		gph_block(&g, b);
		gph_flush(&g);
		prev = b;
	}
	gph_footer(&g);
	gph_flush(&g);
	buf_free(&g.list);
	buf_free(&g.text);
	buf_free(&g.items);
	strset_free(&g.refs.urls);
}

void render_gopher_text(struct buf *out, const struct article *a, const struct render_context *ctx)
{
	gph_render(out, NULL, a, ctx);
}

void render_gopher_menu(struct buf *out, const struct article *a, const struct render_context *ctx)
{
	gph_render(NULL, out, a, ctx);
}
