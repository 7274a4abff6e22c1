#include "render_parts.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "text.h"

/* Gemtext: links stand next to the paragraph that cites them. */

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
	render_put_line(out, "", s, len, "\n");
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
	char *resolved = render_resolve_url(url, g->a, g->ctx, OUTPUT_GEMINI);
	char *text = render_one_line(label != NULL && label[0] != '\0' ? label : url);
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
	if (render_url_usable(g->a, url)) {
		gem_link_line(g, url, 0, label);
		return;
	}
	char *text = render_one_line(label != NULL ? label : "");
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
	char *text = render_add_references(g->a, b->text, b->links, b->n_links, &g->refs, numbers);
	if (single_line) {
		char *line = render_one_line(text);
		render_put_line(g->out, first_prefix, line, strlen(line), "\n");
		free(line);
	} else if (first_prefix[0] != '\0') {
		/* A quote: every line keeps the prefix. */
		for (const char *p = text;;) {
			size_t len = strcspn(p, "\n");
			render_put_line(g->out, first_prefix, p, len, "\n");
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
	if (render_block_only_links(g->a, b)) {
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

/* The lines of a preformatted text (a last line without its end counts). */
static size_t line_count(const char *text)
{
	size_t n = 0, len = text != NULL ? strlen(text) : 0;
	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	return n + (len > 0 && text[len - 1] != '\n');
}

/* A block's alt text, which screen readers read to decide whether to skip
 * it: the source's info string, else what it is and how large. */
static void gem_pre(struct gemtext *g, const struct block *b)
{
	char *alt = render_one_line(b->alt);
	if (alt[0] == '\0') {
		free(alt);
		alt = xasprintf("%s, %zu %s", g->labels->preformatted, line_count(b->text),
		                g->labels->lines);
	}
	render_put_line(g->out, "```", alt, strlen(alt), "\n");
	free(alt);
	render_put_pre_text(g->out, b->text, "", "\n");
	buf_puts(g->out, "```\n");
}

static void gem_table(struct gemtext *g, const struct block *b)
{
	size_t columns = b->table != NULL ? b->table->n_cols : 0;
	buf_printf(g->out, "```%s, %zu %s\n", g->labels->table, columns, g->labels->columns);
	render_put_table(g->out, b->table, "", "\n");
	buf_puts(g->out, "```\n");
}

static void gem_block(struct gemtext *g, const struct block *b)
{
	switch (b->kind) {
	case BLOCK_HEADING:
		gem_heading(g, b);
		break;
	case BLOCK_PARAGRAPH:
		if (render_block_only_links(g->a, b))
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
			char *label = render_image_label(b->url, b->alt);
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

static void gem_header(struct gemtext *g)
{
	const struct article_meta *m = &g->a->meta;
	struct buf line = {0};
	if (m->title != NULL && m->title[0] != '\0') {
		char *title = render_one_line(m->title);
		buf_printf(g->out, "# %s\n", title);
		free(title);
	}
	if (m->n_authors > 0) {
		render_append_byline(&line, m, g->labels);
		gem_text_line(g->out, line.data, line.len);
	}
	if (m->author_url != NULL && m->author_url[0] != '\0') {
		char *label = render_site_label(m->author_url);
		gem_link_line(g, m->author_url, 0, label);
		free(label);
	}
	buf_clear(&line);
	render_append_dateline(&line, g->a, g->ctx, g->labels);
	gem_text_line(g->out, line.data, line.len);
	buf_free(&line);
	if (m->section != NULL && m->section[0] != '\0') {
		char *slug = text_slug(m->section);
		char *title = render_section_title(m->section);
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
		char *label = render_image_label(m->image, m->caption);
		gem_link_line(g, m->image, 0, label);
		free(label);
		return;
	}
	char *caption = render_one_line(m->caption);
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
		.labels = labels_for(render_article_lang(a, ctx)),
	};
	gem_header(&g);
	gem_feature(&g);
	const struct block *prev = NULL;
	for (size_t i = 0; i < a->n_blocks; i++) {
		const struct block *b = &a->blocks[i];
		render_put_separator(out, prev, b, "\n");
		gem_block(&g, b);
		prev = b;
	}
	gem_footer(&g);
	strset_free(&g.refs.urls);
	free(g.shown_after);
}
