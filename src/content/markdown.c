#include "markdown.h"
#include "markdown_reader.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "html.h"
#include "text.h"

/*
 * The md4c front-end: md4c's callbacks handed to the block and span
 * readers, HTML blocks handed to html.c (or read again as Markdown inside
 * <div markdown="1">), and the whole body's indent and footnotes.
 */

#define REPLACEMENT_CHARACTER "\xef\xbf\xbd"
/* <div markdown="1"> inside <div markdown="1">: read this deep, no deeper. */
#define MAX_MARKDOWN_HTML_DEPTH 8

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
	case MD_BLOCK_QUOTE: markdown_flush(r); r->quote_depth++; break;
	case MD_BLOCK_UL: markdown_start_list(r, 0); break;
	case MD_BLOCK_OL: markdown_start_list(r, (int)((MD_BLOCK_OL_DETAIL *)detail)->start); break;
	case MD_BLOCK_LI: markdown_start_item(r, detail); break;
	case MD_BLOCK_HR: markdown_flush(r); blocks_add(r->out, BLOCK_RULE); break;
	case MD_BLOCK_H:
		markdown_flush(r);
		r->heading_level = (int)((MD_BLOCK_H_DETAIL *)detail)->level;
		break;
	case MD_BLOCK_CODE: {
		markdown_flush(r);
		char *info = attribute_text(&((MD_BLOCK_CODE_DETAIL *)detail)->info);
		r->code_info = info[0] ? info : NULL;
		if (info[0] == '\0')
			free(info);
		r->in_code = true;
		buf_clear(&r->raw);
		break;
	}
	case MD_BLOCK_HTML: markdown_flush(r); r->in_html_block = true; buf_clear(&r->raw); break;
	case MD_BLOCK_P: markdown_forget_paragraph_image(r); break;
	case MD_BLOCK_TABLE: markdown_start_table(r, detail); break;
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
	case MD_BLOCK_QUOTE: markdown_flush(r); r->quote_depth--; break;
	case MD_BLOCK_UL:
	case MD_BLOCK_OL: markdown_flush(r); r->list_depth--; break;
	case MD_BLOCK_LI: markdown_flush(r); r->item_pending = false; break;
	case MD_BLOCK_H:
		markdown_flush(r);
		r->heading_level = 0;
		free(r->heading_id);
		r->heading_id = NULL;
		break;
	case MD_BLOCK_CODE: markdown_end_code(r); break;
	case MD_BLOCK_HTML: end_html_block(r); break;
	case MD_BLOCK_P: markdown_end_paragraph(r); break;
	case MD_BLOCK_TABLE: markdown_end_table(r); break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD: markdown_end_cell(r, detail); break;
	default: break;
	}
	buf_clear(&r->inline_html);
	return 0;
}

static int enter_span(MD_SPANTYPE type, void *detail, void *userdata)
{
	struct md_reader *r = userdata;
	/* These note where they start: a soft break before them stays (a
	 * link's start is moved with it, in settle_soft_break). */
	if (type == MD_SPAN_IMG || type == MD_SPAN_CODE)
		r->soft_break_end = 0;
	if (type == MD_SPAN_A) {
		markdown_open_link(r, attribute_text(&((MD_SPAN_A_DETAIL *)detail)->href));
	} else if (type == MD_SPAN_IMG) {
		const MD_SPAN_IMG_DETAIL *d = detail;
		markdown_open_image(r, attribute_text(&d->src), attribute_text(&d->title));
	} else if (type == MD_SPAN_CODE) {
		r->code_span_start = r->text.text.len;
	}
	return 0;
}

static int leave_span(MD_SPANTYPE type, void *detail, void *userdata)
{
	(void)detail;
	struct md_reader *r = userdata;
	r->soft_break_end = 0;
	if (type == MD_SPAN_A) {
		markdown_close_link(r);
	} else if (type == MD_SPAN_IMG) {
		markdown_close_image(r);
	} else if (type == MD_SPAN_CODE) {
		r->code_spans = xgrowarray(r->code_spans, r->n_code_spans, sizeof *r->code_spans);
		r->code_spans[r->n_code_spans++] =
			(struct text_range){.start = r->code_span_start, .end = r->text.text.len};
	}
	return 0;
}

/*
 * A soft line break became the space that ends the text at soft_end (0:
 * none), and text came right after it: the lines join with no space where
 * text_soft_break_joins says so (CJK, Thai). A break in a quote is settled
 * here first, then judged alike.
 */
static void settle_soft_break(struct md_reader *r, size_t soft_end, MD_TEXTTYPE type,
                              const char *s, size_t size)
{
	struct buf *text = &r->text.text;
	bool quote_break = r->quote_break_pending;
	size_t n_breaks = r->text.n_breaks;
	markdown_settle_quote_break(r, s, size);
	if (quote_break && r->text.n_breaks == n_breaks)
		soft_end = text->len;
	if (type != MD_TEXT_NORMAL || soft_end == 0 || soft_end != text->len ||
	    text->data[text->len - 1] != ' ')
		return;
	if (!text_break_joins(text->data, text->len - 1, s, size))
		return;
	text->len--;
	if (r->link_depth > 0 && r->link_start == soft_end)
		r->link_start--; /* the link's label starts where the space was */
}

static int on_text(MD_TEXTTYPE type, const MD_CHAR *s, MD_SIZE size, void *userdata)
{
	struct md_reader *r = userdata;
	size_t soft_end = r->soft_break_end;
	r->soft_break_end = 0;
	if (r->in_code || r->in_html_block) {
		buf_append(&r->raw, s, size);
		return 0;
	}
	struct buf *text = &r->text.text;
	settle_soft_break(r, soft_end, type, s, size);
	if ((type == MD_TEXT_BR || type == MD_TEXT_SOFTBR) && r->images_in_paragraph == 1 &&
	    text->len == r->paragraph_image_end)
		r->line_after_image = true;
	switch (type) {
	case MD_TEXT_NULLCHAR: buf_puts(text, REPLACEMENT_CHARACTER); break;
	case MD_TEXT_BR: inline_add_break(&r->text); break;
	case MD_TEXT_SOFTBR:
		if (r->quote_depth > 0) {
			r->quote_break_pending = true;
		} else {
			buf_putc(text, ' ');
			r->soft_break_end = text->len;
		}
		break;
	case MD_TEXT_ENTITY: html_decode(text, s, size); break;
	case MD_TEXT_HTML: markdown_inline_html(r, s, size); break;
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
	markdown_forget_paragraph_image(r);
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
	size_t bounded_len;
	char *bounded = markdown_bound_paragraphs(text, len, &bounded_len);
	if (bounded != NULL)
		md_parse(bounded, (MD_SIZE)bounded_len, &parser, &r);
	else
		md_parse(text, (MD_SIZE)len, &parser, &r);
	markdown_flush(&r);
	reader_free(&r);
	free(bounded);
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
	markdown_add_notes(out, &notes, lang);
}

void markdown_fragment_to_blocks(const char *text, size_t len, struct block_list *out)
{
	parse_markdown(text, len, out, NULL, 0);
}

void markdown_to_blocks(const char *text, size_t len, const char *lang, struct block_list *out)
{
	read_markdown(text, len, lang, out);
}
