#include "selector.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "text.h"
#include "url.h"

/* One TAB-separated field of the request line. */
struct field {
	const char *start;
	size_t len;
};

#define MAX_FIELDS 4

static bool has_control_bytes(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return true;
	}
	return false;
}

/* Splits at TABs; returns the field count, or MAX_FIELDS + 1 if there are more. */
static size_t split_fields(const char *line, size_t len, struct field *fields)
{
	size_t n = 0;
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != '\t')
			continue;
		if (n == MAX_FIELDS)
			return MAX_FIELDS + 1;
		fields[n].start = line + start;
		fields[n].len = i - start;
		n++;
		start = i + 1;
	}
	return n;
}

/* Gopher+ clients add "+", "+VIEW", "!", "!+ATTR", "$" or "$+ATTR" after a
 * TAB. Search terms that begin with '+' read as Gopher+ too: the form is
 * ambiguous and Gopher+ clients are the ones that send it. */
static bool is_gopher_plus(const struct field *f)
{
	if (f->len == 0)
		return false;
	char c = f->start[0];
	if (c == '+')
		return true;
	if (c != '!' && c != '$')
		return false;
	return f->len == 1 || f->start[1] == '+';
}

/* Length of everything from field first to the last, TABs included. */
static size_t span_length(const struct field *fields, size_t first, size_t n)
{
	const char *end = fields[n - 1].start + fields[n - 1].len;
	return (size_t)(end - fields[first].start);
}

static bool starts_with(const struct field *f, const char *prefix)
{
	size_t n = strlen(prefix);
	return f->len >= n && memcmp(f->start, prefix, n) == 0;
}

/* The URL of a "URL:..." selector (also "/URL:..."), or NULL. */
static char *url_of(const struct field *sel)
{
	if (starts_with(sel, "URL:"))
		return xstrndup(sel->start + 4, sel->len - 4);
	if (starts_with(sel, "/URL:"))
		return xstrndup(sel->start + 5, sel->len - 5);
	return NULL;
}

/* Sorts the fields after the selector into search terms and a Gopher+ suffix. */
static enum selector_status classify_fields(const struct field *fields, size_t n,
                                            const struct field **search, bool *plus)
{
	*search = NULL;
	*plus = false;
	if (n > 3)
		return SELECTOR_BAD_FORM;
	size_t first_plus = n;
	if (n >= 2 && is_gopher_plus(&fields[1]))
		first_plus = 1;
	else if (n >= 2)
		*search = &fields[1];
	if (n == 3 && first_plus == n) {
		if (!is_gopher_plus(&fields[2]))
			return SELECTOR_BAD_FORM;
		first_plus = 2;
	}
	if (first_plus < n) {
		*plus = true;
		if (span_length(fields, first_plus, n) > GOPHER_PLUS_MAX)
			return SELECTOR_TOO_LONG;
	}
	if (*search && (*search)->len > SEARCH_MAX)
		return SELECTOR_TOO_LONG;
	if (*search && !text_valid_utf8((*search)->start, (*search)->len))
		return SELECTOR_BAD_UTF8;
	return SELECTOR_OK;
}

/* The terms after '?' in a selector, percent-decoded, as sel's search
 * (none when empty); false when they do not decode to UTF-8. */
static bool query_after_mark(const char *q, size_t len, struct selector *sel)
{
	struct buf decoded = {0};
	if (url_decode(&decoded, q, len, true) != URL_OK) {
		buf_free(&decoded);
		return false;
	}
	if (decoded.len > 0)
		sel->search = buf_steal(&decoded);
	buf_free(&decoded);
	return true;
}

enum selector_status selector_parse(const char *line, size_t len, struct selector *sel)
{
	memset(sel, 0, sizeof *sel);
	if (has_control_bytes(line, len))
		return SELECTOR_BAD_BYTES;
	struct field fields[MAX_FIELDS];
	size_t n = split_fields(line, len, fields);
	if (n > MAX_FIELDS)
		return SELECTOR_BAD_FORM;
	if (fields[0].len > SELECTOR_MAX)
		return SELECTOR_TOO_LONG;
	const struct field *search;
	bool plus;
	enum selector_status status = classify_fields(fields, n, &search, &plus);
	if (status != SELECTOR_OK)
		return status;
	sel->url = url_of(&fields[0]);
	if (sel->url != NULL) {
		sel->gopher_plus = plus;
		return SELECTOR_OK;
	}
	struct field path = fields[0];
	const char *mark = search == NULL ? memchr(path.start, '?', path.len) : NULL;
	if (mark != NULL)
		path.len = (size_t)(mark - path.start);
	sel->path = selector_normalise(path.start, path.len);
	if (sel->path == NULL)
		return SELECTOR_TRAVERSAL;
	if (mark != NULL && !query_after_mark(mark + 1, fields[0].len - path.len - 1, sel)) {
		selector_free(sel);
		return SELECTOR_BAD_UTF8;
	}
	/* An empty search field is no search: the client is asking for the prompt. */
	if (search && search->len > 0)
		sel->search = xstrndup(search->start, search->len);
	sel->gopher_plus = plus;
	return SELECTOR_OK;
}

void selector_free(struct selector *sel)
{
	free(sel->path);
	free(sel->search);
	free(sel->url);
	memset(sel, 0, sizeof *sel);
}

const char *selector_status_text(enum selector_status status)
{
	switch (status) {
	case SELECTOR_OK:
		return "OK";
	case SELECTOR_TOO_LONG:
		return "Request too long";
	case SELECTOR_BAD_BYTES:
		return "Bad request: control bytes in the selector";
	case SELECTOR_BAD_UTF8:
		return "Bad request: search terms are not UTF-8";
	case SELECTOR_TRAVERSAL:
		return "Bad request: \"..\" in the selector";
	case SELECTOR_BAD_FORM:
		return "Bad request: malformed request line";
	}
	return "Bad request";
}

/* How many dots a segment stands for when it is made only of "." and
 * "%2e"/"%2E" (sets *encoded when a percent form is among them), else 0. */
static size_t dot_count(const char *seg, size_t len, bool *encoded)
{
	size_t dots = 0;
	*encoded = false;
	size_t i = 0;
	while (i < len) {
		if (seg[i] == '.') {
			i++;
		} else if (i + 3 <= len && seg[i] == '%' && seg[i + 1] == '2' &&
		           (seg[i + 2] == 'e' || seg[i + 2] == 'E')) {
			*encoded = true;
			i += 3;
		} else {
			return 0;
		}
		dots++;
	}
	return dots;
}

char *selector_normalise(const char *raw, size_t len)
{
	struct buf out = {0};
	bool trailing_slash = len > 0 && raw[len - 1] == '/';
	size_t i = 0;
	while (i < len) {
		size_t start = i;
		while (i < len && raw[i] != '/')
			i++;
		size_t seg_len = i - start;
		i++; /* past the '/' */
		if (seg_len == 0)
			continue;
		bool encoded;
		size_t dots = dot_count(raw + start, seg_len, &encoded);
		/* "..", and any encoded dot segment, is refused: only an attack sends it. */
		if (dots == 2 || (dots == 1 && encoded)) {
			buf_free(&out);
			return NULL;
		}
		if (dots == 1) {
			trailing_slash = true; /* "/a/." names the directory a */
			continue;
		}
		buf_putc(&out, '/');
		buf_append(&out, raw + start, seg_len);
		trailing_slash = len > 0 && raw[len - 1] == '/';
	}
	if (out.len == 0 || trailing_slash)
		buf_putc(&out, '/');
	return buf_steal(&out);
}
