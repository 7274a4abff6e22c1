#include "gopher_lines.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "alloc.h"
#include "text.h"

#define ERROR_HOST "error.host"
#define INFO_END "\t\t" ERROR_HOST "\t1\r\n"
#define ELLIPSIS "\xe2\x80\xa6" /* U+2026, one column */

/* Where the grapheme cluster starting at pos ends (s is valid UTF-8). */
static size_t cluster_end(const char *s, size_t len, size_t pos)
{
	utf8proc_int32_t state = 0;
	utf8proc_int32_t prev = -1;
	while (pos < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + pos,
		                                      (utf8proc_ssize_t)(len - pos), &cp);
		if (n <= 0)
			return pos + 1;
		if (prev >= 0 && utf8proc_grapheme_break_stateful(prev, cp, &state))
			return pos;
		prev = cp;
		pos += (size_t)n;
	}
	return pos;
}

void menu_display(struct buf *out, const char *display, size_t len, size_t columns)
{
	struct buf clean = {0};
	text_clean(&clean, display, len, TEXT_CLEAN_NO_BIDI);
	if (columns == 0 || text_width(clean.data, clean.len) <= columns) {
		buf_append(out, clean.data, clean.len);
		buf_free(&clean);
		return;
	}
	/* Whole clusters while they fit, leaving a column for the ellipsis. */
	size_t used = 0;
	size_t pos = 0;
	while (pos < clean.len) {
		size_t end = cluster_end(clean.data, clean.len, pos);
		size_t width = text_width(clean.data + pos, end - pos);
		if (used + width > columns - 1)
			break;
		used += width;
		pos = end;
	}
	buf_append(out, clean.data, pos);
	buf_puts(out, ELLIPSIS);
	buf_free(&clean);
}

/* A control in a selector could end the menu line in some client, and a
 * selector holding one could not be asked for anyway (requests with
 * control bytes are refused). */
static bool writable_field(const char *s)
{
	return !text_has_control(s, strlen(s));
}

bool menu_item(struct buf *out, char type, const char *display, const char *selector,
               const char *host, int port)
{
	if (!writable_field(selector) || !writable_field(host))
		return false;
	buf_putc(out, type);
	menu_display(out, display, strlen(display), MENU_DISPLAY_COLUMNS);
	buf_printf(out, "\t%s\t%s\t%d\r\n", selector, host, port);
	return true;
}

void menu_info(struct buf *out, const char *text)
{
	menu_item(out, 'i', text, "", ERROR_HOST, 1);
}

void menu_info_wrapped(struct buf *out, const char *text, const char *first, const char *rest)
{
	char *line = text_cleaned(text, TEXT_CLEAN_NO_BIDI);
	if (line[strspn(line, " ")] == '\0') {
		buf_puts(out, "i" INFO_END);
		free(line);
		return;
	}
	char *first_prefix = xasprintf("i%s", first);
	char *rest_prefix = xasprintf("i%s", rest);
	/* The type character is no part of the display's width. */
	text_wrap(out, line, strlen(line), MENU_DISPLAY_COLUMNS + 1, first_prefix, rest_prefix,
	          INFO_END);
	free(rest_prefix);
	free(first_prefix);
	free(line);
}

void menu_error(struct buf *out, const char *message)
{
	menu_item(out, '3', message, "", ERROR_HOST, 1);
}

void menu_end(struct buf *out)
{
	buf_puts(out, ".\r\n");
}

void gopher_text(struct buf *out, const char *s, size_t len)
{
	size_t pos = 0;
	while (pos < len) {
		const char *nl = memchr(s + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - s) : len;
		size_t line_len = end - pos;
		if (line_len > 0 && s[pos + line_len - 1] == '\r')
			line_len--;
		if (line_len > 0 && s[pos] == '.')
			buf_putc(out, '.');
		buf_append(out, s + pos, line_len);
		buf_puts(out, "\r\n");
		pos = end + 1;
	}
}
