#include "markdown_reader.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"

/* Where the Markdown reader's blocks end: the gathered text becomes a
 * heading, list item, quote or paragraph (or an image or link line),
 * and tables and code blocks are put together. */

#define BALLOT_BOX "\xe2\x98\x90 "              /* ☐ */
#define BALLOT_BOX_CHECKED "\xe2\x98\x91 "      /* ☑ */

/* Ends the text gathered so far (attribute lists already taken out) as
 * the block the reader is in. */
static void add_gathered_text(struct md_reader *r)
{
	struct block *b;
	if (r->heading_level > 0) {
		b = blocks_add_text(r->out, BLOCK_HEADING, r->heading_level, &r->text);
		if (b != NULL) {
			b->url = r->heading_id;
			r->heading_id = NULL;
		}
	} else if (r->item_pending) {
		b = blocks_add_text(r->out, BLOCK_LIST_ITEM, r->list_depth - 1, &r->text);
		if (b) {
			b->number = r->item_number;
			r->item_pending = false;
		}
	} else {
		enum block_kind kind = r->quote_depth > 0 ? BLOCK_QUOTE : BLOCK_PARAGRAPH;
		blocks_add_text(r->out, kind, 0, &r->text);
	}
}

void markdown_flush(struct md_reader *r)
{
	r->quote_break_pending = false;
	markdown_remove_attribute_lists(r);
	add_gathered_text(r);
}

void markdown_forget_paragraph_image(struct md_reader *r)
{
	free(r->paragraph_image);
	free(r->paragraph_image_alt);
	r->paragraph_image = NULL;
	r->paragraph_image_alt = NULL;
	r->paragraph_image_named = false;
	r->paragraph_opens_with_image = false;
	r->line_after_image = false;
	r->images_in_paragraph = 0;
}

/* A paragraph that is one image (perhaps inside a link) is an image block. */
static bool paragraph_is_one_image(struct md_reader *r)
{
	if (r->images_in_paragraph != 1 || r->paragraph_image == NULL)
		return false;
	char *all = collapse_space(r->text.text.data, r->text.text.len);
	bool alone = strcmp(all, r->paragraph_image_alt) == 0;
	free(all);
	return alone;
}

/* "![](map.png)" and a line under it: the line is the image's caption.
 * Returns the caption, or NULL. */
static char *caption_after_image(struct md_reader *r)
{
	if (r->images_in_paragraph != 1 || r->paragraph_image_named ||
	    !r->paragraph_opens_with_image || !r->line_after_image || r->text.n_links != 1)
		return NULL;
	size_t end = r->text.links[0].end;
	if (!inline_has_text(&r->text, end))
		return NULL;
	return inline_text_since(&r->text, end);
}

/* A paragraph that is one link and nothing else is a link line. */
static bool paragraph_is_one_link(struct md_reader *r)
{
	if (r->text.n_links != 1 || r->images_in_paragraph > 0)
		return false;
	char *all = collapse_space(r->text.text.data, r->text.text.len);
	bool alone = strcmp(all, r->text.links[0].label) == 0;
	free(all);
	return alone;
}

void markdown_end_paragraph(struct md_reader *r)
{
	bool plain = !r->item_pending && r->quote_depth == 0;
	r->quote_break_pending = false;
	markdown_remove_attribute_lists(r);
	char *caption = plain ? caption_after_image(r) : NULL;
	if (plain && markdown_take_note(r)) {
		/* kept for the end */
	} else if (caption != NULL) {
		inline_clear(&r->text);
		blocks_add_image(r->out, r->paragraph_image, caption);
	} else if (plain && paragraph_is_one_image(r)) {
		inline_clear(&r->text);
		blocks_add_image(r->out, r->paragraph_image, r->paragraph_image_alt);
	} else if (plain && paragraph_is_one_link(r)) {
		blocks_add_link(r->out, r->text.links[0].url, r->text.links[0].label);
		inline_clear(&r->text);
	} else {
		markdown_mark_written_note(r);
		add_gathered_text(r);
	}
	free(caption);
	markdown_forget_paragraph_image(r);
}

void markdown_start_list(struct md_reader *r, int first_number)
{
	markdown_flush(r);
	if (r->list_depth < MAX_LIST_DEPTH)
		r->next_number[r->list_depth] = first_number;
	r->list_depth++;
}

void markdown_start_item(struct md_reader *r, const MD_BLOCK_LI_DETAIL *d)
{
	markdown_flush(r);
	r->item_pending = true;
	r->item_number = 0;
	int depth = r->list_depth - 1;
	if (depth >= 0 && depth < MAX_LIST_DEPTH && r->next_number[depth] > 0)
		r->item_number = r->next_number[depth]++;
	if (d->is_task)
		buf_puts(&r->text.text, d->task_mark == ' ' ? BALLOT_BOX : BALLOT_BOX_CHECKED);
}

void markdown_start_table(struct md_reader *r, const MD_BLOCK_TABLE_DETAIL *d)
{
	markdown_flush(r);
	r->table.active = true;
	r->table.n_cols = d->col_count;
	r->table.align = xcalloc(d->col_count ? d->col_count : 1, sizeof *r->table.align);
}

void markdown_end_table(struct md_reader *r)
{
	struct table_reader *t = &r->table;
	size_t rows = t->n_cols ? t->n_cells / t->n_cols : 0;
	if (rows > 0) {
		struct block *b = blocks_add(r->out, BLOCK_TABLE);
		b->table = xcalloc(1, sizeof *b->table);
		b->table->n_rows = rows;
		b->table->n_cols = t->n_cols;
		b->table->cells = t->cells;
		b->table->align = t->align;
		for (size_t i = rows * t->n_cols; i < t->n_cells; i++)
			free(t->cells[i]);
	} else {
		for (size_t i = 0; i < t->n_cells; i++)
			free(t->cells[i]);
		free(t->cells);
		free(t->align);
	}
	memset(t, 0, sizeof *t);
}

static enum table_align align_of(MD_ALIGN a)
{
	switch (a) {
	case MD_ALIGN_LEFT: return ALIGN_LEFT;
	case MD_ALIGN_CENTER: return ALIGN_CENTER;
	case MD_ALIGN_RIGHT: return ALIGN_RIGHT;
	default: return ALIGN_NONE;
	}
}

void markdown_end_cell(struct md_reader *r, const MD_BLOCK_TD_DETAIL *d)
{
	struct table_reader *t = &r->table;
	markdown_remove_attribute_lists(r);
	if (t->n_cols == 0)
		return;
	size_t col = t->n_cells % t->n_cols;
	if (t->n_cells < t->n_cols)
		t->align[col] = align_of(d->align);
	t->cells = xgrowarray(t->cells, t->n_cells, sizeof *t->cells);
	t->cells[t->n_cells++] = collapse_space(r->text.text.data, r->text.text.len);
	inline_clear(&r->text);
}

void markdown_end_code(struct md_reader *r)
{
	struct buf *raw = &r->raw;
	while (raw->len > 0 && raw->data[raw->len - 1] == '\n')
		raw->data[--raw->len] = '\0';
	struct block *b = blocks_add(r->out, BLOCK_PRE);
	b->text = buf_steal(raw);
	b->alt = r->code_info;
	r->code_info = NULL;
	r->in_code = false;
}
