#include "render.h"
#include "render_parts.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "text.h"

/* How both renderers lay text out in lines: one-line places, code kept as
 * written, tables aligned in columns, and the gaps between blocks. */

/* Copies s with line breaks and tabs turned into spaces: for one-line
 * places (headings, link labels, table cells, alt text). */
char *render_one_line(const char *s)
{
	char *copy = xstrdup(s != NULL ? s : "");
	for (char *p = copy; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	}
	return copy;
}

/* Appends prefix and s as one line without trailing spaces, then eol. */
void render_put_line(struct buf *out, const char *prefix, const char *s, size_t len,
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

/* A block's code, line by line after indent (an empty line bare), never
 * wrapped; the last line break is the block's end, not an empty line. */
void render_put_pre_text(struct buf *out, const char *text, const char *indent, const char *eol)
{
	if (text == NULL)
		text = "";
	size_t len = strlen(text);
	if (len > 0 && text[len - 1] == '\n')
		len--;
	for (size_t i = 0; i < len;) {
		size_t n = strcspn(text + i, "\n");
		if (i + n > len)
			n = len - i;
		if (n == 0)
			buf_puts(out, eol);
		else
			put_pre_line(out, indent, text + i, n, eol);
		i += n + 1;
	}
}

void render_put_padding(struct buf *out, size_t n)
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
	render_put_padding(line, before);
	buf_puts(line, cell);
	render_put_padding(line, pad - before);
}

/*
 * A table as aligned lines: columns as wide as their widest cell in display
 * columns (CJK counts two), " | " between them, a rule under the header.
 */
void render_put_table(struct buf *out, const struct table *tb, const char *indent,
                      const char *eol)
{
	if (tb == NULL || tb->n_cols == 0 || tb->n_rows == 0)
		return;
	size_t n = tb->n_rows * tb->n_cols;
	char **cells = xcalloc(n, sizeof *cells);
	size_t *widths = xcalloc(tb->n_cols, sizeof *widths);
	for (size_t i = 0; i < n; i++) {
		cells[i] = render_one_line(tb->cells[i]);
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

/* What goes between two blocks: nothing inside a group that reads as one
 * (list items, link lines, images), an empty quote line between the
 * paragraphs of a quote, else a blank line. */
void render_put_separator(struct buf *out, const struct block *prev, const struct block *b,
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
