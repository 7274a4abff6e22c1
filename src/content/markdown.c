#include "markdown.h"

#include <ctype.h>
#include <md4c.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "html.h"
#include "labels.h"

#define MAX_LIST_DEPTH 32
#define REPLACEMENT_CHARACTER "\xef\xbf\xbd"
/* Longer than any attribute list a page writes; a '{' starts a scan of at
 * most this many bytes, so text full of braces stays linear. */
#define MAX_ATTRIBUTE_LIST 256
/* <div markdown="1"> inside <div markdown="1">: read this deep, no deeper. */
#define MAX_MARKDOWN_HTML_DEPTH 8
/* A footnote label such as "[^1]" or "[^heap-note]". */
#define MAX_NOTE_LABEL 64
#define BALLOT_BOX "\xe2\x98\x90 "              /* ☐ */
#define BALLOT_BOX_CHECKED "\xe2\x98\x91 "      /* ☑ */

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
	/* Code and HTML blocks are gathered raw. */
	bool in_code;
	char *code_info;
	bool in_html_block;
	struct buf raw;
	struct buf inline_html; /* a raw tag in text, until its '>' comes */
	struct table_reader table;
};

static void parse_markdown(const char *text, size_t len, struct block_list *out,
                           struct block_list *notes, int html_depth);

static char *attribute_text(const MD_ATTRIBUTE *attr)
{
	struct buf out = {0};
	if (attr->size == 0 || attr->substr_offsets == NULL)
		return buf_steal(&out);
	for (unsigned i = 0; attr->substr_offsets[i] < attr->size; i++) {
		const char *piece = attr->text + attr->substr_offsets[i];
		size_t n = attr->substr_offsets[i + 1] - attr->substr_offsets[i];
		if (attr->substr_types[i] == MD_TEXT_NULLCHAR)
			buf_puts(&out, REPLACEMENT_CHARACTER);
		else if (attr->substr_types[i] == MD_TEXT_ENTITY)
			html_decode(&out, piece, n);
		else
			buf_append(&out, piece, n);
	}
	return buf_steal(&out);
}

/* ---- kramdown attribute lists ---- */

/* Ids such as "problem.seed" or "fn:1" keep their dots and colons. */
static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.' || c == ':' ||
	       (unsigned char)c >= 0x80;
}

/*
 * The length of the attribute list at s: kramdown's "{: .class #id
 * key="value"}" or, with first_marked, Hugo's "{#id .class}" (which must
 * open with a class or an id). *id and *id_len get the first "#id".
 * Returns 0 when s does not start one.
 */
static size_t attribute_list(const char *s, size_t len, bool *colon, const char **id,
                             size_t *id_len)
{
	if (len > MAX_ATTRIBUTE_LIST)
		len = MAX_ATTRIBUTE_LIST;
	if (len < 3 || s[0] != '{')
		return 0;
	*colon = s[1] == ':';
	*id_len = 0;
	size_t i = *colon ? 2 : 1;
	int tokens = 0;
	bool first_marked = false;
	for (;;) {
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= len)
			return 0;
		if (s[i] == '}')
			break;
		size_t start = i;
		if (s[i] == '.' || s[i] == '#') {
			size_t name = ++i;
			while (i < len && is_name_char(s[i]))
				i++;
			if (i == name)
				return 0;
			if (s[start] == '#' && *id_len == 0) {
				*id = s + name;
				*id_len = i - name;
			}
			first_marked = first_marked || tokens == 0;
		} else {
			while (i < len && is_name_char(s[i]))
				i++;
			if (i == start || i >= len || s[i] != '=')
				return 0;
			i++;
			if (i < len && (s[i] == '"' || s[i] == '\'')) {
				const char *close = memchr(s + i + 1, s[i], len - i - 1);
				if (close == NULL)
					return 0;
				i = (size_t)(close - s) + 1;
			} else {
				size_t value = i;
				while (i < len && is_name_char(s[i]))
					i++;
				if (i == value)
					return 0;
			}
		}
		tokens++;
		if (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != '}')
			return 0;
	}
	if (tokens == 0 || (!*colon && !first_marked))
		return 0;
	return i + 1;
}

static bool only_space_before(const struct buf *text, size_t to)
{
	for (size_t i = 0; i < to && i < text->len; i++)
		if (!isspace((unsigned char)text->data[i]))
			return false;
	return true;
}

static bool only_space_after(const struct buf *text, size_t from)
{
	for (size_t i = from; i < text->len; i++)
		if (!isspace((unsigned char)text->data[i]))
			return false;
	return true;
}

/*
 * Takes kramdown and Hugo attribute lists out of the gathered text: they
 * style a web page and mean nothing to a reader. "{: ...}" goes wherever
 * it stands (after a span or on a line of its own); "{#id}" only at the
 * end of a block, where Hugo puts a heading's id. A heading's id is kept.
 */
static void remove_attribute_lists(struct md_reader *r)
{
	struct buf *text = &r->text.text;
	struct text_edit *cuts = NULL;
	size_t n_cuts = 0, span = 0;
	for (size_t i = 0; i < text->len; i++) {
		if (text->data[i] != '{')
			continue;
		while (span < r->n_code_spans && r->code_spans[span].end <= i)
			span++;
		if (span < r->n_code_spans && r->code_spans[span].start <= i)
			continue;
		bool colon;
		const char *id = NULL;
		size_t id_len = 0;
		size_t n = attribute_list(text->data + i, text->len - i, &colon, &id, &id_len);
		if (n == 0 || (!colon && !only_space_after(text, i + n)))
			continue;
		if (r->heading_level > 0 && id_len > 0 && r->heading_id == NULL)
			r->heading_id = xstrndup(id, id_len);
		cuts = xgrowarray(cuts, n_cuts, sizeof *cuts);
		cuts[n_cuts++] = (struct text_edit){.from = i, .to = i + n, .with = ""};
		i += n - 1;
	}
	inline_edit(&r->text, cuts, n_cuts);
	free(cuts);
	r->n_code_spans = 0;
}

/* ---- blocks ---- */

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

static void flush(struct md_reader *r)
{
	r->quote_break_pending = false;
	remove_attribute_lists(r);
	add_gathered_text(r);
}

static void forget_paragraph_image(struct md_reader *r)
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

/* The label of a footnote definition "[^label]: " at the start of s, or 0. */
static size_t note_label_length(const char *s, size_t len)
{
	if (len < 5 || s[0] != '[' || s[1] != '^')
		return 0;
	size_t i = 2;
	while (i < len && i - 2 < MAX_NOTE_LABEL && s[i] != ']' && s[i] != '[' &&
	       !isspace((unsigned char)s[i]))
		i++;
	if (i == 2 || i + 1 >= len || s[i] != ']' || s[i + 1] != ':')
		return 0;
	return i - 2;
}

static int compare_offsets(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * "[^1]: text": a footnote, kept for the end of the article as "[^1]
 * text" (the marker its reference shows). Definitions on the lines that
 * follow share the paragraph; each starts a line. Returns false when the
 * paragraph is not a footnote.
 */
static bool take_note(struct md_reader *r)
{
	struct inline_text *t = &r->text;
	size_t label = note_label_length(t->text.data, t->text.len);
	if (label == 0 || r->notes == NULL)
		return false;
	struct text_edit *edits = NULL;
	size_t n = 0, n_lines = 0;
	size_t *lines = NULL;
	for (size_t i = 0; i < t->text.len; i++) {
		if (i > 0 && t->text.data[i - 1] != ' ')
			continue;
		label = note_label_length(t->text.data + i, t->text.len - i);
		if (label == 0)
			continue;
		if (i > 0) {
			lines = xgrowarray(lines, n_lines, sizeof *lines);
			lines[n_lines++] = i - 1; /* "]:" to "] " moves nothing */
		}
		edits = xgrowarray(edits, n, sizeof *edits);
		edits[n++] = (struct text_edit){.from = i + label + 2, .to = i + label + 4, .with = "] "};
		i += label + 3;
	}
	inline_edit(t, edits, n);
	if (n_lines > 0) {
		t->breaks = xreallocarray(t->breaks, t->n_breaks + n_lines, sizeof *t->breaks);
		memcpy(t->breaks + t->n_breaks, lines, n_lines * sizeof *lines);
		t->n_breaks += n_lines;
		t->cap_breaks = t->n_breaks;
		qsort(t->breaks, t->n_breaks, sizeof *t->breaks, compare_offsets);
	}
	blocks_add_text(r->notes, BLOCK_PARAGRAPH, 0, t);
	free(lines);
	free(edits);
	return true;
}

/* "^1 Go stacks ..." (a note written with <sup>1</sup>) opens with the
 * same marker a "[^1]" note has. */
static void mark_written_note(struct md_reader *r)
{
	const char *s = r->text.text.data;
	size_t len = r->text.text.len;
	size_t digits = 0;
	if (len < 2 || s[0] != '^')
		return;
	while (1 + digits < len && digits < 4 && isdigit((unsigned char)s[1 + digits]))
		digits++;
	if (digits == 0 || 1 + digits >= len || s[1 + digits] != ' ')
		return;
	char marker[8];
	snprintf(marker, sizeof marker, "[^%.*s]", (int)digits, s + 1);
	struct text_edit edit = {.from = 0, .to = 1 + digits, .with = marker};
	inline_edit(&r->text, &edit, 1);
}

static void end_paragraph(struct md_reader *r)
{
	bool plain = !r->item_pending && r->quote_depth == 0;
	r->quote_break_pending = false;
	remove_attribute_lists(r);
	char *caption = plain ? caption_after_image(r) : NULL;
	if (plain && take_note(r)) {
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
		mark_written_note(r);
		add_gathered_text(r);
	}
	free(caption);
	forget_paragraph_image(r);
}

static void start_list(struct md_reader *r, int first_number)
{
	flush(r);
	if (r->list_depth < MAX_LIST_DEPTH)
		r->next_number[r->list_depth] = first_number;
	r->list_depth++;
}

static void start_item(struct md_reader *r, const MD_BLOCK_LI_DETAIL *d)
{
	flush(r);
	r->item_pending = true;
	r->item_number = 0;
	int depth = r->list_depth - 1;
	if (depth >= 0 && depth < MAX_LIST_DEPTH && r->next_number[depth] > 0)
		r->item_number = r->next_number[depth]++;
	if (d->is_task)
		buf_puts(&r->text.text, d->task_mark == ' ' ? BALLOT_BOX : BALLOT_BOX_CHECKED);
}

static void start_table(struct md_reader *r, const MD_BLOCK_TABLE_DETAIL *d)
{
	flush(r);
	r->table.active = true;
	r->table.n_cols = d->col_count;
	r->table.align = xcalloc(d->col_count ? d->col_count : 1, sizeof *r->table.align);
}

static void end_table(struct md_reader *r)
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

static void end_cell(struct md_reader *r, const MD_BLOCK_TD_DETAIL *d)
{
	struct table_reader *t = &r->table;
	remove_attribute_lists(r);
	if (t->n_cols == 0)
		return;
	size_t col = t->n_cells % t->n_cols;
	if (t->n_cells < t->n_cols)
		t->align[col] = align_of(d->align);
	t->cells = xgrowarray(t->cells, t->n_cells, sizeof *t->cells);
	t->cells[t->n_cells++] = collapse_space(r->text.text.data, r->text.text.len);
	inline_clear(&r->text);
}

static void end_code(struct md_reader *r)
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

/* The length of an opening <div markdown="1"> (kramdown's mark for
 * Markdown inside HTML) at the start of s, or 0. */
static size_t markdown_div_length(const char *s, size_t len)
{
	struct html_tag tag;
	size_t n = html_tag_parse(s, len, &tag);
	bool div = n > 0 && !tag.closing && strcmp(tag.name, "div") == 0;
	html_tag_free(&tag);
	if (!div)
		return 0;
	static const char *const marks[] = {"markdown=\"1\"", "markdown='1'", "markdown=1",
	                                    "markdown=\"block\"", "markdown=\"span\""};
	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
		size_t m = strlen(marks[i]);
		for (size_t k = 0; k + m <= n; k++)
			if (strncasecmp(s + k, marks[i], m) == 0)
				return n;
	}
	return 0;
}

/* An HTML block: read as HTML, or as Markdown inside <div markdown="1">. */
static void end_html_block(struct md_reader *r)
{
	r->in_html_block = false;
	const char *s = r->raw.data ? r->raw.data : "";
	size_t len = r->raw.len;
	size_t lead = 0;
	while (lead < len && isspace((unsigned char)s[lead]))
		lead++;
	size_t open = r->html_depth < MAX_MARKDOWN_HTML_DEPTH
	                  ? markdown_div_length(s + lead, len - lead) : 0;
	if (open == 0) {
		html_to_blocks(s, len, r->out);
		buf_clear(&r->raw);
		return;
	}
	size_t start = lead + open, end = len;
	while (end > start && isspace((unsigned char)s[end - 1]))
		end--;
	if (end - start >= 6 && strncasecmp(s + end - 6, "</div>", 6) == 0)
		end -= 6;
	/* The inner parse may reach this reader's buffers no more. */
	struct buf inner = r->raw;
	memset(&r->raw, 0, sizeof r->raw);
	parse_markdown(inner.data + start, end - start, r->out, r->notes, r->html_depth + 1);
	buf_free(&inner);
}

static int enter_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
	struct md_reader *r = userdata;
	switch (type) {
	case MD_BLOCK_QUOTE: flush(r); r->quote_depth++; break;
	case MD_BLOCK_UL: start_list(r, 0); break;
	case MD_BLOCK_OL: start_list(r, (int)((MD_BLOCK_OL_DETAIL *)detail)->start); break;
	case MD_BLOCK_LI: start_item(r, detail); break;
	case MD_BLOCK_HR: flush(r); blocks_add(r->out, BLOCK_RULE); break;
	case MD_BLOCK_H:
		flush(r);
		r->heading_level = (int)((MD_BLOCK_H_DETAIL *)detail)->level;
		break;
	case MD_BLOCK_CODE: {
		flush(r);
		char *info = attribute_text(&((MD_BLOCK_CODE_DETAIL *)detail)->info);
		r->code_info = info[0] ? info : NULL;
		if (info[0] == '\0')
			free(info);
		r->in_code = true;
		buf_clear(&r->raw);
		break;
	}
	case MD_BLOCK_HTML: flush(r); r->in_html_block = true; buf_clear(&r->raw); break;
	case MD_BLOCK_P: forget_paragraph_image(r); break;
	case MD_BLOCK_TABLE: start_table(r, detail); break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD: inline_clear(&r->text); r->n_code_spans = 0; break;
	default: break;
	}
	return 0;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
	struct md_reader *r = userdata;
	switch (type) {
	case MD_BLOCK_QUOTE: flush(r); r->quote_depth--; break;
	case MD_BLOCK_UL:
	case MD_BLOCK_OL: flush(r); r->list_depth--; break;
	case MD_BLOCK_LI: flush(r); r->item_pending = false; break;
	case MD_BLOCK_H:
		flush(r);
		r->heading_level = 0;
		free(r->heading_id);
		r->heading_id = NULL;
		break;
	case MD_BLOCK_CODE: end_code(r); break;
	case MD_BLOCK_HTML: end_html_block(r); break;
	case MD_BLOCK_P: end_paragraph(r); break;
	case MD_BLOCK_TABLE: end_table(r); break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD: end_cell(r, detail); break;
	default: break;
	}
	buf_clear(&r->inline_html);
	return 0;
}

/* "— Name", "-- Name", "― Name": a quote's credit line. */
static bool opens_credit(const char *s, size_t len)
{
	static const char *const dashes[] = {"\xe2\x80\x94", "\xe2\x80\x95", "\xe2\x80\x93", "--"};
	for (size_t i = 0; i < sizeof dashes / sizeof dashes[0]; i++) {
		size_t n = strlen(dashes[i]);
		if (len >= n && memcmp(s, dashes[i], n) == 0)
			return true;
	}
	return false;
}

static void settle_quote_break(struct md_reader *r, const char *next, size_t len)
{
	if (!r->quote_break_pending)
		return;
	r->quote_break_pending = false;
	if (opens_credit(next, len))
		inline_add_break(&r->text);
	else
		buf_putc(&r->text.text, ' ');
}

/* "^1" or "1": the label of a link to a footnote ("[<sup>1</sup>](#fn1)"). */
static bool is_note_number(const char *label)
{
	if (label[0] == '^')
		label++;
	size_t digits = strspn(label, "0123456789");
	return digits > 0 && digits <= 4 && label[digits] == '\0';
}

/* A link around nothing but an image: the image's own link shows it. */
static bool only_an_image(const struct md_reader *r, const char *label)
{
	const struct inline_text *t = &r->text;
	if (t->n_links == 0)
		return false;
	const struct link *last = &t->links[t->n_links - 1];
	return last->end == t->text.len && strcmp(last->label, label) == 0;
}

static void open_link(struct md_reader *r, char *url)
{
	settle_quote_break(r, "", 0);
	if (r->link_depth++ > 0) {
		free(url);
		return;
	}
	r->link_url = url;
	r->link_start = r->text.text.len;
}

static void close_link(struct md_reader *r)
{
	if (r->link_depth == 0 || --r->link_depth > 0)
		return;
	char *label = inline_text_since(&r->text, r->link_start);
	if (r->link_url[0] == '#' && is_note_number(label)) {
		/* A note marker, set off from the word it follows; the note
		 * itself is further down the same page. */
		const char *digits = label[0] == '^' ? label + 1 : label;
		char *marker = xasprintf("[^%s]", digits);
		struct text_edit edit = {.from = r->link_start, .to = r->text.text.len, .with = marker};
		inline_edit(&r->text, &edit, 1);
		free(marker);
	} else if (!r->table.active && !only_an_image(r, label)) {
		inline_add_link(&r->text, r->link_url, r->link_start);
	}
	free(label);
	free(r->link_url);
	r->link_url = NULL;
}

static void open_image(struct md_reader *r, char *src, char *title)
{
	free(r->image_src);
	free(r->image_title);
	r->image_src = src;
	r->image_title = title;
	r->image_start = r->text.text.len;
	r->in_image = true;
}

/* An image inside text: a link to it, labelled with its alt text, else
 * its title, else its file name. */
static void close_image(struct md_reader *r)
{
	if (!r->in_image)
		return;
	r->in_image = false;
	size_t start = r->image_start;
	bool named = inline_has_text(&r->text, start);
	if (!named && r->image_title != NULL && r->image_title[0] != '\0') {
		buf_puts(&r->text.text, r->image_title);
		named = true;
	}
	if (!named) {
		char *file = image_file_name(r->image_src);
		buf_puts(&r->text.text, file);
		free(file);
	}
	char *alt = inline_text_since(&r->text, start);
	r->images_in_paragraph++;
	if (r->images_in_paragraph == 1) {
		r->paragraph_image = xstrdup(r->image_src);
		r->paragraph_image_alt = xstrdup(alt);
		r->paragraph_image_named = named;
		r->paragraph_opens_with_image = only_space_before(&r->text.text, start);
		r->paragraph_image_end = r->text.text.len;
	}
	free(alt);
	if (!r->table.active)
		inline_add_link(&r->text, r->image_src, start);
	free(r->image_src);
	free(r->image_title);
	r->image_src = NULL;
	r->image_title = NULL;
}

static int enter_span(MD_SPANTYPE type, void *detail, void *userdata)
{
	struct md_reader *r = userdata;
	if (type == MD_SPAN_A) {
		open_link(r, attribute_text(&((MD_SPAN_A_DETAIL *)detail)->href));
	} else if (type == MD_SPAN_IMG) {
		const MD_SPAN_IMG_DETAIL *d = detail;
		open_image(r, attribute_text(&d->src), attribute_text(&d->title));
	} else if (type == MD_SPAN_CODE) {
		r->code_span_start = r->text.text.len;
	}
	return 0;
}

static int leave_span(MD_SPANTYPE type, void *detail, void *userdata)
{
	(void)detail;
	struct md_reader *r = userdata;
	if (type == MD_SPAN_A) {
		close_link(r);
	} else if (type == MD_SPAN_IMG) {
		close_image(r);
	} else if (type == MD_SPAN_CODE) {
		r->code_spans = xgrowarray(r->code_spans, r->n_code_spans, sizeof *r->code_spans);
		r->code_spans[r->n_code_spans++] =
			(struct text_range){.start = r->code_span_start, .end = r->text.text.len};
	}
	return 0;
}

static void inline_tag(struct md_reader *r, const struct html_tag *tag)
{
	if (strcmp(tag->name, "a") == 0 && tag->closing) {
		close_link(r);
	} else if (strcmp(tag->name, "a") == 0 && tag->href) {
		open_link(r, xstrdup(tag->href));
	} else if (strcmp(tag->name, "img") == 0 && tag->src) {
		open_image(r, xstrdup(tag->src), tag->title ? xstrdup(tag->title) : NULL);
		buf_puts(&r->text.text, tag->alt ? tag->alt : "");
		close_image(r);
	} else if (strcmp(tag->name, "br") == 0) {
		inline_add_break(&r->text);
	} else if (strcmp(tag->name, "sup") == 0 && !tag->closing) {
		/* "10<sup>9</sup>" reads "10^9". */
		buf_putc(&r->text.text, '^');
	}
}

/* Raw HTML inside text may come in pieces; each complete tag is read. */
static void inline_html(struct md_reader *r, const char *s, size_t len)
{
	struct buf *pending = &r->inline_html;
	buf_append(pending, s, len);
	size_t used = 0;
	while (used < pending->len) {
		const char *lt = memchr(pending->data + used, '<', pending->len - used);
		if (lt == NULL) {
			used = pending->len;
			break;
		}
		used = (size_t)(lt - pending->data);
		struct html_tag tag;
		size_t n = html_tag_parse(pending->data + used, pending->len - used, &tag);
		if (n == 0)
			break; /* the rest of the tag is still to come */
		inline_tag(r, &tag);
		html_tag_free(&tag);
		used += n;
	}
	size_t left = pending->len - used;
	memmove(pending->data, pending->data + used, left);
	pending->len = left;
	pending->data[left] = '\0';
}

static int on_text(MD_TEXTTYPE type, const MD_CHAR *s, MD_SIZE size, void *userdata)
{
	struct md_reader *r = userdata;
	if (r->in_code || r->in_html_block) {
		buf_append(&r->raw, s, size);
		return 0;
	}
	struct buf *text = &r->text.text;
	settle_quote_break(r, s, size);
	if ((type == MD_TEXT_BR || type == MD_TEXT_SOFTBR) && r->images_in_paragraph == 1 &&
	    text->len == r->paragraph_image_end)
		r->line_after_image = true;
	switch (type) {
	case MD_TEXT_NULLCHAR: buf_puts(text, REPLACEMENT_CHARACTER); break;
	case MD_TEXT_BR: inline_add_break(&r->text); break;
	case MD_TEXT_SOFTBR:
		if (r->quote_depth > 0)
			r->quote_break_pending = true;
		else
			buf_putc(text, ' ');
		break;
	case MD_TEXT_ENTITY: html_decode(text, s, size); break;
	case MD_TEXT_HTML: inline_html(r, s, size); break;
	default: buf_append(text, s, size); break;
	}
	return 0;
}

static void reader_free(struct md_reader *r)
{
	inline_free(&r->text);
	free(r->heading_id);
	free(r->link_url);
	free(r->code_spans);
	free(r->image_src);
	free(r->image_title);
	forget_paragraph_image(r);
	free(r->code_info);
	buf_free(&r->raw);
	buf_free(&r->inline_html);
	for (size_t i = 0; i < r->table.n_cells; i++)
		free(r->table.cells[i]);
	free(r->table.cells);
	free(r->table.align);
}

/* How many times needle occurs in s[0..len). */
static size_t count_of(const char *s, size_t len, const char *needle)
{
	size_t n = 0, needle_len = strlen(needle);
	for (const char *p = s, *end = s + len;
	     (p = memmem(p, (size_t)(end - p), needle, needle_len)) != NULL; p += needle_len)
		n++;
	return n;
}

/*
 * md4c (0.4) takes time quadratic in the bare web addresses of one
 * paragraph: a million bytes of them take over ten seconds. Past this
 * many in an article, bare addresses stay text (links written as links
 * and e-mail addresses still work); below it they cost milliseconds.
 */
#define MAX_BARE_ADDRESSES 10000

static unsigned markdown_flags(const char *text, size_t len)
{
	unsigned flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_PERMISSIVEEMAILAUTOLINKS |
	                 MD_FLAG_TASKLISTS;
	if (count_of(text, len, "://") + count_of(text, len, "www.") <= MAX_BARE_ADDRESSES)
		flags |= MD_FLAG_PERMISSIVEURLAUTOLINKS | MD_FLAG_PERMISSIVEWWWAUTOLINKS;
	return flags;
}

static void parse_markdown(const char *text, size_t len, struct block_list *out,
                           struct block_list *notes, int html_depth)
{
	MD_PARSER parser = {
		.abi_version = 0,
		.flags = markdown_flags(text, len),
		.enter_block = enter_block,
		.leave_block = leave_block,
		.enter_span = enter_span,
		.leave_span = leave_span,
		.text = on_text,
	};
	struct md_reader r = {.out = out, .notes = notes, .html_depth = html_depth};
	md_parse(text, (MD_SIZE)len, &parser, &r);
	flush(&r);
	reader_free(&r);
}

/* The footnotes, after the text, under a heading of their own. */
static void add_notes(struct block_list *out, struct block_list *notes, const char *lang)
{
	if (notes->count == 0)
		return;
	struct block *heading = blocks_add(out, BLOCK_HEADING);
	heading->level = 2;
	heading->text = xstrdup(labels_for(lang)->notes);
	for (size_t i = 0; i < notes->count; i++)
		*blocks_add(out, BLOCK_PARAGRAPH) = notes->items[i];
	free(notes->items);
	memset(notes, 0, sizeof *notes);
}

/* The spaces every non-blank line of text starts with (a tab counts
 * as one); 0 when a line starts with a tab or the text is blank. */
static size_t common_indent(const char *text, size_t len)
{
	size_t indent = SIZE_MAX;
	for (size_t i = 0; i < len && indent > 0;) {
		size_t n = 0;
		while (i + n < len && text[i + n] == ' ')
			n++;
		bool blank = i + n == len || text[i + n] == '\n' || text[i + n] == '\r';
		if (!blank && n < indent)
			indent = n;
		const char *nl = memchr(text + i, '\n', len - i);
		i = nl ? (size_t)(nl - text) + 1 : len;
	}
	return indent == SIZE_MAX ? 0 : indent;
}

/* text with indent spaces taken off the start of each line. */
static char *dedent(const char *text, size_t len, size_t indent, size_t *out_len)
{
	struct buf out = {0};
	for (size_t i = 0; i < len;) {
		size_t skip = 0;
		while (skip < indent && i + skip < len && text[i + skip] == ' ')
			skip++;
		i += skip;
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) + 1 : len;
		buf_append(&out, text + i, end - i);
		i = end;
	}
	*out_len = out.len;
	return buf_steal(&out);
}

/*
 * A whole Markdown body; its footnotes go at its end. A body indented four
 * spaces or more throughout (as some converted archives are) is text
 * shifted right, not one long code block: it is read unindented.
 */
static void read_markdown(const char *text, size_t len, const char *lang, struct block_list *out)
{
	struct block_list notes = {0};
	size_t indent = common_indent(text, len);
	if (indent >= 4) {
		size_t plain_len;
		char *plain = dedent(text, len, indent, &plain_len);
		parse_markdown(plain, plain_len, out, &notes, 0);
		free(plain);
	} else {
		parse_markdown(text, len, out, &notes, 0);
	}
	add_notes(out, &notes, lang);
}

void markdown_fragment_to_blocks(const char *text, size_t len, struct block_list *out)
{
	parse_markdown(text, len, out, NULL, 0);
}

void markdown_to_blocks(const char *text, size_t len, const char *lang, struct block_list *out)
{
	read_markdown(text, len, lang, out);
}
