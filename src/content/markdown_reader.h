#ifndef KABAR_MARKDOWN_READER_H
#define KABAR_MARKDOWN_READER_H

/*
 * Private to the Markdown reader's modules (markdown.c, which drives md4c,
 * markdown_bound.c, which bounds what it reads,
 * and markdown_blocks.c, markdown_spans.c, markdown_notes.c,
 * markdown_attributes.c): the state one parse keeps. Nothing else includes
 * this header; markdown.h is the public surface.
 */

#include <stdbool.h>
#include <stddef.h>

#include <md4c.h>

#include "blocks.h"

#define MAX_LIST_DEPTH 32

/* A table being read, cell by cell. */
struct table_reader {
	char **cells;
	size_t n_cells;
	size_t n_cols;
	enum table_align *align;
	bool active;
};

/* Where code spans lie in the text being gathered: their content is
 * never taken for an attribute list. */
struct text_range {
	size_t start, end;
};

struct md_reader {
	struct block_list *out;
	/* Footnote definitions ("[^1]: ..."), shown at the end under "Notes";
	 * shared with the readers of <div markdown="1"> inside this one. */
	struct block_list *notes;
	int html_depth;
	struct inline_text text;
	int heading_level;
	char *heading_id;                /* kramdown "{#id}", kept as a link target */
	int quote_depth;
	int list_depth;
	int next_number[MAX_LIST_DEPTH]; /* per open list; 0 for bullets */
	bool item_pending;               /* the current item's first text is still to come */
	int item_number;
	/* The link being read; a link inside it (an autolinked URL in its
	 * label) is not a link of its own. */
	int link_depth;
	char *link_url;
	size_t link_start;
	/* The image being read, and the paragraph's images so far. */
	bool in_image;
	char *image_src;
	char *image_title;
	size_t image_start;
	int images_in_paragraph;
	char *paragraph_image;
	char *paragraph_image_alt;
	bool paragraph_image_named;      /* by its alt text or title */
	bool paragraph_opens_with_image;
	size_t paragraph_image_end;
	bool line_after_image;           /* a line break right after that image */
	struct text_range *code_spans;
	size_t n_code_spans;
	size_t code_span_start;
	/* A line break in a quote, kept as a break if the next line is a
	 * credit ("— Name"), else a space. */
	bool quote_break_pending;
	/* The text's length right after the space a soft line break put,
	 * until something follows it; 0 when none (markdown.c). */
	size_t soft_break_end;
	/* Code and HTML blocks are gathered raw. */
	bool in_code;
	char *code_info;
	bool in_html_block;
	struct buf raw;
	struct buf inline_html; /* a raw tag in text, until its '>' comes */
	struct table_reader table;
};

/* ---- markdown_attributes.c ---- */

void markdown_remove_attribute_lists(struct md_reader *r);

/* ---- markdown_blocks.c ---- */

void markdown_flush(struct md_reader *r);
void markdown_forget_paragraph_image(struct md_reader *r);
void markdown_end_paragraph(struct md_reader *r);
void markdown_start_list(struct md_reader *r, int first_number);
void markdown_start_item(struct md_reader *r, const MD_BLOCK_LI_DETAIL *d);
void markdown_start_table(struct md_reader *r, const MD_BLOCK_TABLE_DETAIL *d);
void markdown_end_table(struct md_reader *r);
void markdown_end_cell(struct md_reader *r, const MD_BLOCK_TD_DETAIL *d);
void markdown_end_code(struct md_reader *r);

/* ---- markdown_spans.c ---- */

void markdown_settle_quote_break(struct md_reader *r, const char *next, size_t len);
void markdown_open_link(struct md_reader *r, char *url);
void markdown_close_link(struct md_reader *r);
void markdown_open_image(struct md_reader *r, char *src, char *title);
void markdown_close_image(struct md_reader *r);
void markdown_inline_html(struct md_reader *r, const char *s, size_t len);

/* ---- markdown_bound.c ---- */

/* text with its paragraphs cut to a size md4c reads in bounded time, as a
 * new string of *out_len bytes; NULL when no paragraph needs cutting. */
char *markdown_bound_paragraphs(const char *text, size_t len, size_t *out_len);

/* ---- markdown_notes.c ---- */

bool markdown_take_note(struct md_reader *r);
void markdown_mark_written_note(struct md_reader *r);
bool markdown_is_note_number(const char *label);
void markdown_add_notes(struct block_list *out, struct block_list *notes, const char *lang);

#endif
