#include "markdown_reader.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "buf.h"

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

/* A fence opener or closer: three or more ` or ~. */
static size_t fence_length(const char *s, const struct line *l)
{
	size_t n = 0;
	while (l->text + n < l->end && s[l->text + n] == s[l->text] &&
	       (s[l->text] == '`' || s[l->text] == '~'))
		n++;
	return n >= 3 ? n : 0;
}

/* True when the line opens an HTML block (CommonMark's kinds 1 to 7,
 * near enough): such a block is HTML up to its end, never cut. */
static bool opens_html_block(const char *s, const struct line *l)
{
	static const char *const names[] = {
		"address", "article", "aside", "blockquote", "body", "caption", "center", "col",
		"colgroup", "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset",
		"figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
		"head", "header", "hr", "html", "iframe", "legend", "li", "main", "menu", "nav",
		"ol", "p", "pre", "script", "section", "style", "summary", "table", "tbody", "td",
		"textarea", "tfoot", "th", "thead", "title", "tr", "ul"};
	size_t i = l->text, end = l->end;
	if (i >= end || s[i] != '<')
		return false;
	if (i + 1 < end && (s[i + 1] == '!' || s[i + 1] == '?'))
		return true;
	size_t name = i + 1 + (i + 1 < end && s[i + 1] == '/');
	size_t n = 0;
	while (name + n < end && ((s[name + n] | 0x20) >= 'a' && (s[name + n] | 0x20) <= 'z'))
		n++;
	if (n == 0)
		return false;
	if (name + n < end && s[name + n] >= '1' && s[name + n] <= '6')
		n++;
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
		if (strlen(names[k]) == n && strncasecmp(s + name, names[k], n) == 0)
			return true;
	/* Kind 7: a lone tag on its line. */
	const char *close = memchr(s + name, '>', end - name);
	if (close == NULL)
		return false;
	for (const char *p = close + 1; p < s + end; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r')
			return false;
	return true;
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
	size_t len;
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

/* The length of a container mark ("> ", "- ", "1. ") at s[i], or 0. */
static size_t container_mark(const char *s, size_t i, size_t end)
{
	if (s[i] == '>')
		return 1;
	size_t n = 0;
	if (s[i] == '-' || s[i] == '+' || s[i] == '*')
		n = 1;
	else
		while (i + n < end && n < 9 && s[i + n] >= '0' && s[i + n] <= '9')
			n++;
	if (n == 0 || (s[i] >= '0' && s[i] <= '9' && (i + n >= end || (s[i + n] != '.' && s[i + n] != ')'))))
		return 0;
	if (s[i] >= '0' && s[i] <= '9')
		n++;
	return i + n < end && (s[i + n] == ' ' || s[i + n] == '\t') ? n : 0;
}

/* Drops the container marks of line l past MAX_CONTAINER_DEPTH. */
static void limit_containers(struct bounder *b, const struct line *l)
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
	if (depth <= MAX_CONTAINER_DEPTH)
		return;
	buf_append(&b->out, s + b->copied, cut - b->copied);
	buf_putc(&b->out, ' ');
	b->copied = i;
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
	limit_containers(b, l);
	size_t fence = fence_length(s, l);
	if (b->fence > 0) {
		if (fence >= b->fence && s[l->text] == b->fence_char)
			b->fence = 0;
		return;
	}
	if (fence > 0) {
		b->fence = fence;
		b->fence_char = s[l->text];
		b->open = false;
		return;
	}
	if (is_blank(l)) {
		b->open = false;
		return;
	}
	bool item = container_mark(s, l->text, l->end) > 0;
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
	struct bounder b = {.s = text, .len = len};
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
