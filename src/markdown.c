#include "markdown.h"

#include <ctype.h>
#include <md4c.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "html.h"

#define MAX_LIST_DEPTH 32
#define MAX_OPEN_LINKS 8
#define REPLACEMENT_CHARACTER "\xef\xbf\xbd"

struct open_link {
	char *url;
	size_t start;
};

/* A table being read, cell by cell. */
struct table_reader {
	char **cells;
	size_t n_cells;
	size_t n_cols;
	enum table_align *align;
	bool active;
};

struct md_reader {
	struct block_list *out;
	struct inline_text text;
	int heading_level;
	int quote_depth;
	int list_depth;
	int next_number[MAX_LIST_DEPTH]; /* per open list; 0 for bullets */
	bool item_pending;               /* the current item's first text is still to come */
	int item_number;
	struct open_link links[MAX_OPEN_LINKS];
	int n_links;
	/* The image being read, and the paragraph's images so far. */
	bool in_image;
	char *image_src;
	size_t image_start;
	int images_in_paragraph;
	char *paragraph_image;
	char *paragraph_image_alt;
	/* Code and HTML blocks are gathered raw. */
	bool in_code;
	char *code_info;
	bool in_html_block;
	struct buf raw;
	struct buf inline_html; /* a raw tag in text, until its '>' comes */
	struct table_reader table;
};

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

/* Ends the text gathered so far as the block the reader is in. */
static void flush(struct md_reader *r)
{
	struct block *b;
	if (r->heading_level > 0) {
		blocks_add_text(r->out, BLOCK_HEADING, r->heading_level, &r->text);
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

static void forget_paragraph_image(struct md_reader *r)
{
	free(r->paragraph_image);
	free(r->paragraph_image_alt);
	r->paragraph_image = NULL;
	r->paragraph_image_alt = NULL;
	r->images_in_paragraph = 0;
}

/* A paragraph that is one image (perhaps inside a link) is an image block. */
static bool paragraph_is_one_image(struct md_reader *r)
{
	if (r->images_in_paragraph != 1 || r->paragraph_image == NULL)
		return false;
	char *all = collapse_space(r->text.text.data, r->text.text.len);
	const char *alt = r->paragraph_image_alt;
	bool alone = strcmp(all, alt) == 0 || (alt[0] == '\0' && strcmp(all, r->paragraph_image) == 0);
	free(all);
	return alone;
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

static void end_paragraph(struct md_reader *r)
{
	bool plain = !r->item_pending && r->quote_depth == 0;
	if (plain && paragraph_is_one_image(r)) {
		inline_clear(&r->text);
		blocks_add_image(r->out, r->paragraph_image, r->paragraph_image_alt);
	} else if (plain && paragraph_is_one_link(r)) {
		blocks_add_link(r->out, r->text.links[0].url, r->text.links[0].label);
		inline_clear(&r->text);
	} else {
		flush(r);
	}
	forget_paragraph_image(r);
}

static void start_list(struct md_reader *r, int first_number)
{
	flush(r);
	if (r->list_depth < MAX_LIST_DEPTH)
		r->next_number[r->list_depth] = first_number;
	r->list_depth++;
}

static void start_item(struct md_reader *r)
{
	flush(r);
	r->item_pending = true;
	r->item_number = 0;
	int d = r->list_depth - 1;
	if (d >= 0 && d < MAX_LIST_DEPTH && r->next_number[d] > 0)
		r->item_number = r->next_number[d]++;
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

static int enter_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
	struct md_reader *r = userdata;
	switch (type) {
	case MD_BLOCK_QUOTE: flush(r); r->quote_depth++; break;
	case MD_BLOCK_UL: start_list(r, 0); break;
	case MD_BLOCK_OL: start_list(r, (int)((MD_BLOCK_OL_DETAIL *)detail)->start); break;
	case MD_BLOCK_LI: start_item(r); break;
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
	case MD_BLOCK_TD: inline_clear(&r->text); break;
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
	case MD_BLOCK_H: flush(r); r->heading_level = 0; break;
	case MD_BLOCK_CODE: end_code(r); break;
	case MD_BLOCK_HTML:
		r->in_html_block = false;
		html_to_blocks(r->raw.data, r->raw.len, r->out);
		buf_clear(&r->raw);
		break;
	case MD_BLOCK_P: end_paragraph(r); break;
	case MD_BLOCK_TABLE: end_table(r); break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD: end_cell(r, detail); break;
	default: break;
	}
	buf_clear(&r->inline_html);
	return 0;
}

static void open_link(struct md_reader *r, char *url)
{
	if (r->n_links == MAX_OPEN_LINKS) {
		free(url);
		return;
	}
	r->links[r->n_links].url = url;
	r->links[r->n_links].start = r->text.text.len;
	r->n_links++;
}

static void close_link(struct md_reader *r)
{
	if (r->n_links == 0)
		return;
	struct open_link *l = &r->links[--r->n_links];
	if (!r->table.active)
		inline_add_link(&r->text, l->url, l->start);
	free(l->url);
}

static void open_image(struct md_reader *r, char *src)
{
	free(r->image_src);
	r->image_src = src;
	r->image_start = r->text.text.len;
	r->in_image = true;
}

/* An image inside text: a link to it, labelled with its alt text. */
static void close_image(struct md_reader *r)
{
	if (!r->in_image)
		return;
	r->in_image = false;
	size_t start = r->image_start;
	char *alt = inline_text_since(&r->text, start);
	r->images_in_paragraph++;
	if (r->images_in_paragraph == 1) {
		r->paragraph_image = xstrdup(r->image_src);
		r->paragraph_image_alt = xstrdup(alt);
	}
	free(alt);
	if (!r->table.active)
		inline_add_link(&r->text, r->image_src, start);
	free(r->image_src);
	r->image_src = NULL;
}

static int enter_span(MD_SPANTYPE type, void *detail, void *userdata)
{
	struct md_reader *r = userdata;
	if (type == MD_SPAN_A)
		open_link(r, attribute_text(&((MD_SPAN_A_DETAIL *)detail)->href));
	else if (type == MD_SPAN_IMG)
		open_image(r, attribute_text(&((MD_SPAN_IMG_DETAIL *)detail)->src));
	return 0;
}

static int leave_span(MD_SPANTYPE type, void *detail, void *userdata)
{
	(void)detail;
	struct md_reader *r = userdata;
	if (type == MD_SPAN_A)
		close_link(r);
	else if (type == MD_SPAN_IMG)
		close_image(r);
	return 0;
}

static void inline_tag(struct md_reader *r, const struct html_tag *tag)
{
	if (strcmp(tag->name, "a") == 0 && tag->closing) {
		close_link(r);
	} else if (strcmp(tag->name, "a") == 0 && tag->href) {
		open_link(r, xstrdup(tag->href));
	} else if (strcmp(tag->name, "img") == 0 && tag->src) {
		open_image(r, xstrdup(tag->src));
		buf_puts(&r->text.text, tag->alt ? tag->alt : "");
		close_image(r);
	} else if (strcmp(tag->name, "br") == 0) {
		inline_add_break(&r->text);
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
	switch (type) {
	case MD_TEXT_NULLCHAR: buf_puts(text, REPLACEMENT_CHARACTER); break;
	case MD_TEXT_BR: inline_add_break(&r->text); break;
	case MD_TEXT_SOFTBR: buf_putc(text, ' '); break;
	case MD_TEXT_ENTITY: html_decode(text, s, size); break;
	case MD_TEXT_HTML: inline_html(r, s, size); break;
	default: buf_append(text, s, size); break;
	}
	return 0;
}

static void reader_free(struct md_reader *r)
{
	inline_free(&r->text);
	for (int i = 0; i < r->n_links; i++)
		free(r->links[i].url);
	free(r->image_src);
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
	unsigned flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_PERMISSIVEEMAILAUTOLINKS;
	if (count_of(text, len, "://") + count_of(text, len, "www.") <= MAX_BARE_ADDRESSES)
		flags |= MD_FLAG_PERMISSIVEURLAUTOLINKS | MD_FLAG_PERMISSIVEWWWAUTOLINKS;
	return flags;
}

static void parse_markdown(const char *text, size_t len, struct block_list *out)
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
	struct md_reader r = {.out = out};
	md_parse(text, (MD_SIZE)len, &parser, &r);
	flush(&r);
	reader_free(&r);
}

/* ---- Go blog template actions ---- */

#define MAX_ACTION_TOKENS 8
#define MAX_ACTION_LENGTH (64 * 1024)

enum token_kind { TOKEN_WORD, TOKEN_STRING };

struct action {
	enum token_kind kind[MAX_ACTION_TOKENS];
	char *text[MAX_ACTION_TOKENS];
	int n;
};

static void action_free(struct action *a)
{
	for (int i = 0; i < a->n; i++)
		free(a->text[i]);
	a->n = 0;
}

static void action_push(struct action *a, enum token_kind kind, char *text)
{
	if (a->n == MAX_ACTION_TOKENS) {
		free(text);
		return;
	}
	a->kind[a->n] = kind;
	a->text[a->n++] = text;
}

/* A Go string literal "..." at s[*i]; returns false if it is not closed. */
static bool read_quoted(const char *s, size_t len, size_t *i, struct buf *out)
{
	for ((*i)++; *i < len; (*i)++) {
		char c = s[*i];
		if (c == '"') {
			(*i)++;
			return true;
		}
		if (c == '\n')
			return false;
		if (c == '\\' && *i + 1 < len) {
			c = s[++*i];
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
		}
		buf_putc(out, c);
	}
	return false;
}

/* A raw string literal `...` (it may span lines). */
static bool read_backquoted(const char *s, size_t len, size_t *i, struct buf *out)
{
	const char *end = memchr(s + *i + 1, '`', len - *i - 1);
	if (end == NULL) {
		*i = len; /* all the rest was looked at */
		return false;
	}
	buf_append(out, s + *i + 1, (size_t)(end - s) - *i - 1);
	*i = (size_t)(end - s) + 1;
	return true;
}

static bool read_string_token(const char *s, size_t len, size_t *i, struct action *a)
{
	struct buf text = {0};
	bool ok = s[*i] == '"' ? read_quoted(s, len, i, &text) : read_backquoted(s, len, i, &text);
	if (ok)
		action_push(a, TOKEN_STRING, buf_steal(&text));
	buf_free(&text);
	return ok;
}

/*
 * Reads the action "{{ ... }}" at s; returns its length, or 0 when s does
 * not hold a closed action, with *looked the length of s that was read
 * to find that out. Words and strings are kept; parentheses, pipes and
 * the like only separate them.
 */
static size_t read_action(const char *s, size_t len, struct action *a, size_t *looked)
{
	if (len > MAX_ACTION_LENGTH)
		len = MAX_ACTION_LENGTH;
	size_t i = 2;
	while (i < len) {
		char c = s[i];
		if (c == '}' && i + 1 < len && s[i + 1] == '}')
			return i + 2;
		if (c == '"' || c == '`') {
			if (!read_string_token(s, len, &i, a))
				break;
		} else if (isalnum((unsigned char)c) || c == '.' || c == '_') {
			size_t start = i;
			while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '.' || s[i] == '_'))
				i++;
			action_push(a, TOKEN_WORD, xstrndup(s + start, i - start));
		} else if (c == '\n' && i + 1 < len && s[i + 1] == '\n') {
			break; /* an action does not run across paragraphs */
		} else {
			i++;
		}
	}
	action_free(a);
	*looked = i < len ? i : len;
	return 0;
}

static bool word_is(const struct action *a, int i, const char *word)
{
	return i < a->n && a->kind[i] == TOKEN_WORD && strcmp(a->text[i], word) == 0;
}

static const char *string_at(const struct action *a, int i)
{
	return i < a->n && a->kind[i] == TOKEN_STRING ? a->text[i] : NULL;
}

/* Preformatted text from {{raw `...`}}: blank edges trimmed, the common
 * leading tab (Go code is indented once in the source) removed. */
static void add_raw_block(struct block_list *out, const char *text)
{
	while (*text == '\n')
		text++;
	size_t len = strlen(text);
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	bool all_tabbed = true;
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n > 0 && p[0] != '\t')
			all_tabbed = false;
		p += n + 1;
	}
	struct buf pre = {0};
	for (size_t i = 0; i < len; i++) {
		bool line_start = i == 0 || text[i - 1] == '\n';
		if (!(all_tabbed && line_start && text[i] == '\t'))
			buf_putc(&pre, text[i]);
	}
	if (pre.len > 0) {
		struct block *b = blocks_add(out, BLOCK_PRE);
		b->text = buf_steal(&pre);
	}
	buf_free(&pre);
}

/* Markdown gathered between block actions, parsed when a block comes. */
struct template_reader {
	struct buf markdown;
	struct block_list *out;
};

static void flush_markdown(struct template_reader *t)
{
	parse_markdown(t->markdown.data ? t->markdown.data : "", t->markdown.len, t->out);
	buf_clear(&t->markdown);
}

/* Does what one action shows. */
static void apply_action(struct template_reader *t, const struct action *a)
{
	const char *arg = string_at(a, 1);
	if (a->n == 1 && a->kind[0] == TOKEN_STRING) {
		buf_puts(&t->markdown, a->text[0]);
	} else if (word_is(a, 0, "raw") && arg && strchr(arg, '\n') == NULL) {
		buf_puts(&t->markdown, arg);
	} else if (word_is(a, 0, "raw") && arg) {
		flush_markdown(t);
		add_raw_block(t->out, arg);
	} else if (word_is(a, 0, "raw") && word_is(a, 1, "file") && string_at(a, 2)) {
		flush_markdown(t);
		blocks_add_link(t->out, string_at(a, 2), string_at(a, 2));
	} else if (word_is(a, 0, "image") && arg) {
		flush_markdown(t);
		blocks_add_image(t->out, arg, NULL);
	} else if ((word_is(a, 0, "code") || word_is(a, 0, "play")) && arg) {
		flush_markdown(t);
		blocks_add_link(t->out, arg, arg);
	} else if (word_is(a, 0, "video") && arg) {
		flush_markdown(t);
		blocks_add_link(t->out, arg, "Video");
	}
	/* Anything else (range, if, with, end, .title ...) is page template. */
}

/* A fence line: up to three spaces, then ``` or ~~~. */
static bool is_fence_line(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && i < 3 && s[i] == ' ')
		i++;
	return len - i >= 3 && (memcmp(s + i, "```", 3) == 0 || memcmp(s + i, "~~~", 3) == 0);
}

/*
 * An action that does not close is text, and so is all that was read to
 * find that out (up to text_until): a "{{" inside it is not tried again,
 * which keeps the reading linear however many "{{" an article holds.
 */
static void read_template(const char *text, size_t len, struct block_list *out)
{
	struct template_reader t = {.out = out};
	bool in_fence = false;
	size_t i = 0, text_until = 0, line_end = 0;
	while (i < len) {
		if (i >= line_end) {
			/* A new line (a line's end is found once, however many
			 * actions it holds). */
			if ((i == 0 || text[i - 1] == '\n') && is_fence_line(text + i, len - i))
				in_fence = !in_fence;
			const char *nl = memchr(text + i, '\n', len - i);
			line_end = nl ? (size_t)(nl - text) + 1 : len;
		}
		size_t from = i > text_until ? i : text_until;
		const char *open = in_fence || from + 2 > line_end
		                           ? NULL
		                           : memmem(text + from, line_end - from, "{{", 2);
		if (open == NULL) {
			buf_append(&t.markdown, text + i, line_end - i);
			i = line_end;
			continue;
		}
		size_t at = (size_t)(open - text);
		buf_append(&t.markdown, text + i, at - i);
		struct action a = {0};
		size_t looked = 0;
		size_t n = read_action(text + at, len - at, &a, &looked);
		if (n == 0) {
			buf_append(&t.markdown, "{{", 2);
			i = at + 2;
			text_until = at + looked;
			continue;
		}
		apply_action(&t, &a);
		action_free(&a);
		i = at + n;
	}
	flush_markdown(&t);
	buf_free(&t.markdown);
}

void markdown_to_blocks(const char *text, size_t len, bool go_template, struct block_list *out)
{
	if (go_template)
		read_template(text, len, out);
	else
		parse_markdown(text, len, out);
}
