#include "markdown_reader.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "markdown.h"

/*
 * Paragraphs of bounded size for md4c. md4c 0.4.8 (Debian 12's) costs more
 * than linear time in the size of one paragraph: every inline link looks
 * its line up from the paragraph's first line (one link a line, 4 MiB: over
 * twenty seconds), reference uses likewise, and a paragraph's marks take
 * about seventy bytes a byte of memory. Its work on a paragraph of bounded
 * size is bounded, so a paragraph longer than MAX_PARAGRAPH_LINES lines or
 * MAX_PARAGRAPH_BYTES bytes is cut in two by a blank line (in a quote, a
 * quote's blank line) and read as several. The body stays one document, so
 * reference definitions reach every piece. Cuts fall only before a line (or
 * a point in a long line) that reads the same at the start of a paragraph
 * as inside one; fenced and indented code and HTML blocks are never cut. Articles with
 * no paragraph near the bounds are read exactly as written.
 */

#define MAX_PARAGRAPH_LINES 256
#define MAX_PARAGRAPH_BYTES (16 * 1024)
/* How far past the bound a long line is searched for a space to cut at. */
#define CUT_WINDOW 1024
/* Quotes and lists opened on one line ("> > > ...", "- - - ...", "1. 1. ..."):
 * md4c holds tens of bytes for each container, however deep. Past this
 * many the further marks are dropped and the text read this deep (lists
 * show no more than MAX_LIST_LEVEL deep in any case). */
#define MAX_CONTAINER_DEPTH 32

struct line {
	size_t start, end;   /* end: the '\n' or the text's end */
	size_t text;         /* the first byte after quote marks and white space */
	size_t indent;       /* columns of white space before text, after the last '>' */
};

static struct line line_at(const char *s, size_t len, size_t start)
{
	const char *nl = memchr(s + start, '\n', len - start);
	struct line l = {.start = start, .end = nl ? (size_t)(nl - s) : len};
	size_t i = start;
	for (; i < l.end && (s[i] == ' ' || s[i] == '\t' || s[i] == '>' || s[i] == '\r'); i++) {
		if (s[i] == '>')
			l.indent = 0;
		else
			l.indent += s[i] == '\t' ? 4 : 1;
	}
	l.text = i;
	return l;
}

static bool is_blank(const struct line *l)
{
	return l->text == l->end;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static size_t skip_space(const char *s, size_t i, size_t end)
{
	while (i < end && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
		i++;
	return i;
}

size_t markdown_fence_length(const char *s, size_t len)
{
	size_t n = 0;
	while (n < len && s[n] == s[0] && (s[0] == '`' || s[0] == '~'))
		n++;
	if (n < 3 || (s[0] == '`' && memchr(s + n, '`', len - n) != NULL))
		return 0;
	return n;
}

/* Where an attribute value at s[i] ends, or 0 when there is none. */
static size_t attribute_value_end(const char *s, size_t i, size_t end)
{
	if (i < end && (s[i] == '"' || s[i] == '\'')) {
		const char *close = memchr(s + i + 1, s[i], end - i - 1);
		return close != NULL ? (size_t)(close - s) + 1 : 0;
	}
	size_t j = i;
	while (j < end && s[j] != ' ' && s[j] != '\t' && s[j] != '\r' && s[j] != '"' &&
	       s[j] != '\'' && s[j] != '=' && s[j] != '<' && s[j] != '>' && s[j] != '`')
		j++;
	return j > i ? j : 0;
}

static bool is_attribute_name_byte(char c)
{
	return is_alpha(c) || is_digit(c) || c == '_' || c == '.' || c == ':' || c == '-';
}

/* True when s[i..end) is one open or closing tag as CommonMark has them
 * (name, attributes, '>'), then only white space. */
static bool lone_tag(const char *s, size_t i, size_t end)
{
	bool closing = i + 1 < end && s[i + 1] == '/';
	size_t p = i + 1 + closing;
	if (p >= end || !is_alpha(s[p]))
		return false;
	while (p < end && (is_alpha(s[p]) || is_digit(s[p]) || s[p] == '-'))
		p++;
	while (!closing) {
		size_t q = skip_space(s, p, end);
		if (q == p || q >= end || !(is_alpha(s[q]) || s[q] == '_' || s[q] == ':'))
			break;
		p = q;
		while (p < end && is_attribute_name_byte(s[p]))
			p++;
		q = skip_space(s, p, end);
		if (q < end && s[q] == '=') {
			p = attribute_value_end(s, skip_space(s, q + 1, end), end);
			if (p == 0)
				return false;
		}
	}
	p = skip_space(s, p, end);
	if (!closing && p < end && s[p] == '/')
		p++;
	return p < end && s[p] == '>' && skip_space(s, p + 1, end) == end;
}

/* True when the line opens an HTML block (CommonMark's kinds 1 to 7):
 * such a block is HTML up to its end, never cut. */
static bool opens_html_block(const char *s, const struct line *l)
{
	static const char *const names[] = {
		"pre", "script", "style", "textarea",
		"address", "article", "aside", "base", "basefont", "blockquote", "body", "caption",
		"center", "col", "colgroup", "dd", "details", "dialog", "dir", "div", "dl", "dt",
		"fieldset", "figcaption", "figure", "footer", "form", "frame", "frameset", "h1",
		"h2", "h3", "h4", "h5", "h6", "head", "header", "hr", "html", "iframe", "legend",
		"li", "link", "main", "menu", "menuitem", "nav", "noframes", "ol", "optgroup",
		"option", "p", "param", "section", "source", "summary", "table", "tbody", "td",
		"tfoot", "th", "thead", "title", "tr", "track", "ul"};
	size_t i = l->text, end = l->end;
	if (i + 1 >= end || s[i] != '<')
		return false;
	const char *rest = s + i + 1;
	size_t left = end - i - 1;
	if (rest[0] == '?' || (left >= 3 && memcmp(rest, "!--", 3) == 0) ||
	    (left >= 8 && memcmp(rest, "![CDATA[", 8) == 0) ||
	    (left >= 2 && rest[0] == '!' && is_alpha(rest[1])))
		return true;
	bool closing = s[i + 1] == '/';
	size_t name = i + 1 + closing;
	size_t n = 0;
	while (name + n < end && (is_alpha(s[name + n]) || is_digit(s[name + n])))
		n++;
	size_t after = name + n;
	bool name_ends = after == end || s[after] == ' ' || s[after] == '\t' ||
	                 s[after] == '\r' || s[after] == '>' ||
	                 (s[after] == '/' && after + 1 < end && s[after + 1] == '>');
	/* The first four (kind 1) open a block only as opening tags. */
	for (size_t k = closing ? 4 : 0; name_ends && k < sizeof names / sizeof names[0]; k++)
		if (strlen(names[k]) == n && strncasecmp(s + name, names[k], n) == 0)
			return true;
	return lone_tag(s, i, end);
}

/* True when the byte at i starts the same text at a paragraph's start as
 * in its middle: a letter, '[' that opens no definition, '(' or a UTF-8
 * character's first byte, not escaped. */
static bool starts_plain(const char *s, size_t i, size_t end)
{
	unsigned char c = (unsigned char)s[i];
	if (c == '[') {
		const char *close = memchr(s + i, ']', end - i);
		return close == NULL || close + 1 >= s + end || close[1] != ':';
	}
	return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '(' || c >= 0xc0;
}

/* True when a paragraph may be cut before line l, whose text starts in
 * the column given by base (of the paragraph's first line) or up to three
 * more: further in, it would be code. A line with '|' may be a table's. */
static bool cuttable_line(const char *s, const struct line *l, size_t base)
{
	if (is_blank(l) || l->indent > base + 3 || !starts_plain(s, l->text, l->end))
		return false;
	return memchr(s + l->start, '|', l->end - l->start) == NULL;
}

/* The quote marks of line l, without the white space after the last. */
static void put_quote_marks(struct buf *out, const char *s, const struct line *l)
{
	size_t end = l->text;
	while (end > l->start && s[end - 1] != '>')
		end--;
	buf_append(out, s + l->start, end - l->start);
}

/* A place to cut the long line l, at or after from: after a space if one
 * is near, else before any plain byte; 0 when there is none. */
static size_t cut_in_line(const char *s, const struct line *l, size_t from)
{
	size_t stop = from + CUT_WINDOW < l->end ? from + CUT_WINDOW : l->end;
	for (size_t i = from; i < stop; i++)
		if (s[i - 1] == ' ' && starts_plain(s, i, l->end))
			return i;
	for (size_t i = from; i < stop; i++)
		if (s[i - 1] != '\\' && ((unsigned char)s[i - 1] & 0xc0) != 0xc0 &&
		    starts_plain(s, i, l->end))
			return i;
	return 0;
}

struct bounder {
	const char *s;
	struct buf out;
	size_t copied;       /* s[0..copied) is in out */
	size_t lines, bytes; /* of the paragraph so far */
	size_t base;         /* its first line's text column */
	bool open;           /* a paragraph (or what may be one) is open */
	bool exempt;         /* it is an HTML block or indented code */
	bool in_list;        /* a list item opened since the last line at column 0 */
	size_t fence;        /* the open fence's length, 0 outside */
	char fence_char;
};

/* The length of a container mark at s[i] ("> ", "- ", "1. " without the
 * space after it), or 0. */
static size_t container_mark(const char *s, size_t i, size_t end)
{
	if (s[i] == '>')
		return 1;
	size_t n = 0;
	if (s[i] == '-' || s[i] == '+' || s[i] == '*') {
		n = 1;
	} else {
		while (i + n < end && n < 9 && is_digit(s[i + n]))
			n++;
		if (n == 0 || i + n >= end || (s[i + n] != '.' && s[i + n] != ')'))
			return 0;
		n++;
	}
	return i + n < end && (s[i + n] == ' ' || s[i + n] == '\t') ? n : 0;
}

/* Drops the container marks of line l past MAX_CONTAINER_DEPTH; returns
 * where the line's content starts, after all of them. */
static size_t limit_containers(struct bounder *b, const struct line *l)
{
	const char *s = b->s;
	size_t i = l->start, depth = 0, cut = 0;
	for (;;) {
		while (i < l->end && (s[i] == ' ' || s[i] == '\t'))
			i++;
		size_t n = i < l->end ? container_mark(s, i, l->end) : 0;
		if (n == 0)
			break;
		i += n;
		if (++depth == MAX_CONTAINER_DEPTH)
			cut = i;
	}
	if (depth > MAX_CONTAINER_DEPTH) {
		buf_append(&b->out, s + b->copied, cut - b->copied);
		buf_putc(&b->out, ' ');
		b->copied = i;
	}
	return i;
}

static void cut_before_line(struct bounder *b, const struct line *l)
{
	buf_append(&b->out, b->s + b->copied, l->start - b->copied);
	put_quote_marks(&b->out, b->s, l);
	buf_putc(&b->out, '\n');
	b->copied = l->start;
	b->lines = 0;
	b->bytes = 0;
}

/* Cuts a line longer than the bound into pieces, each a paragraph of its
 * own in the same quote. */
static void cut_long_line(struct bounder *b, const struct line *l)
{
	size_t from = b->copied > l->text ? b->copied : l->text;
	while (l->end - from > MAX_PARAGRAPH_BYTES) {
		size_t at = cut_in_line(b->s, l, from + MAX_PARAGRAPH_BYTES);
		if (at == 0)
			return;
		buf_append(&b->out, b->s + b->copied, at - b->copied);
		buf_putc(&b->out, '\n');
		put_quote_marks(&b->out, b->s, l);
		buf_putc(&b->out, '\n');
		put_quote_marks(&b->out, b->s, l);
		buf_putc(&b->out, ' ');
		b->copied = at;
		from = at;
	}
	b->bytes = l->end - from;
}

static void take_line(struct bounder *b, const struct line *l)
{
	const char *s = b->s;
	size_t content = limit_containers(b, l);
	size_t fence = markdown_fence_length(s + content, l->end - content);
	if (b->fence > 0) {
		if (fence >= b->fence && s[content] == b->fence_char)
			b->fence = 0;
		return;
	}
	if (fence > 0) {
		b->fence = fence;
		b->fence_char = s[content];
		b->open = false;
		return;
	}
	if (is_blank(l)) {
		b->open = false;
		return;
	}
	/* Marks past the quote marks: the line opens a list item. */
	bool item = content > l->text;
	if (!b->open && l->indent == 0 && !item)
		b->in_list = false;
	b->in_list = b->in_list || item;
	if (!b->open) {
		b->open = true;
		/* Indented four or more, outside a list, is code: md4c reads
		 * no inlines there, and a cut would add a line to it. */
		b->exempt = opens_html_block(s, l) || (l->indent >= 4 && !b->in_list);
		b->lines = 0;
		b->bytes = 0;
		b->base = l->indent;
	}
	if (b->exempt)
		return;
	/* A line whose marks were dropped is already partly copied. */
	if ((b->lines >= MAX_PARAGRAPH_LINES || b->bytes >= MAX_PARAGRAPH_BYTES) &&
	    b->copied <= l->start && cuttable_line(s, l, b->base))
		cut_before_line(b, l);
	b->lines++;
	b->bytes += l->end - l->start + 1;
	if (l->end - l->text > MAX_PARAGRAPH_BYTES)
		cut_long_line(b, l);
}

char *markdown_bound_paragraphs(const char *text, size_t len, size_t *out_len)
{
	struct bounder b = {.s = text};
	for (size_t start = 0; start < len;) {
		struct line l = line_at(text, len, start);
		take_line(&b, &l);
		start = l.end + 1;
	}
	if (b.out.data == NULL)
		return NULL;
	buf_append(&b.out, text + b.copied, len - b.copied);
	*out_len = b.out.len;
	return buf_steal(&b.out);
}
