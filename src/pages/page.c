#include "page.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "date.h"
#include "text.h"

#define GOPHER_INFO_END "\t\terror.host\t1\r\n"

/* Bytes in the UTF-8 sequence that starts with c (1 for a stray byte, so a
 * malformed string still moves forward). */
static size_t utf8_sequence_length(unsigned char c)
{
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	if (c >= 0xe0)
		return c <= 0xef ? 3 : 1;
	if (c >= 0xc2)
		return 2;
	return 1;
}

/* Copies s through the sanitizer: line breaks and tabs made spaces, other
 * controls and bidi controls dropped, so a menu field or a one-line gemtext
 * element stays on its line and in its order (search terms echoed here are
 * the client's own). */
static char *one_line(const char *s)
{
	return text_cleaned(s, TEXT_CLEAN_NO_BIDI);
}

void page_gopher_display(struct buf *out, const char *s, size_t columns)
{
	char *line = one_line(s);
	size_t len = strlen(line);
	if (text_width(line, len) <= columns) {
		buf_append(out, line, len);
		free(line);
		return;
	}
	/* Keep whole characters while they and the ellipsis still fit. */
	size_t used = 0, kept = 0;
	while (kept < len) {
		size_t n = utf8_sequence_length((unsigned char)line[kept]);
		if (kept + n > len)
			break;
		size_t w = text_width(line + kept, n);
		if (used + w + 1 > columns)
			break;
		used += w;
		kept += n;
	}
	buf_append(out, line, kept);
	buf_puts(out, "…");
	free(line);
}

static void gopher_info(struct page *p, const char *text)
{
	buf_putc(p->body, 'i');
	page_gopher_display(p->body, text, PAGE_GOPHER_DISPLAY_COLUMNS);
	buf_puts(p->body, GOPHER_INFO_END);
}

/* Info lines wrapped at the menu width, so long text is not cut off. */
static void gopher_info_wrapped(struct page *p, const char *text)
{
	char *line = one_line(text);
	if (line[strspn(line, " ")] == '\0')
		buf_puts(p->body, "i" GOPHER_INFO_END);
	else
		text_wrap(p->body, line, strlen(line), PAGE_GOPHER_DISPLAY_COLUMNS, "i", "i",
		          GOPHER_INFO_END);
	free(line);
}

static void gopher_text_line(struct page *p, const char *text)
{
	char *line = one_line(text);
	if (line[0] == '\0')
		buf_puts(p->body, "\r\n");
	else
		text_wrap(p->body, line, strlen(line), p->wrap_columns, "", "", "\r\n");
	free(line);
}

static void gemtext_line(struct page *p, const char *prefix, const char *text)
{
	char *line = one_line(text);
	buf_puts(p->body, prefix);
	buf_puts(p->body, line);
	buf_putc(p->body, '\n');
	free(line);
}

/* One line of a page in each form: gemtext behind its line-type prefix, a
 * menu's info line (cut at the menu width, or wrapped for running text),
 * or a text line wrapped at the reader's width. */
static void page_line(struct page *p, const char *gemtext_prefix, bool wrap_in_menu,
                      const char *text)
{
	switch (p->form) {
	case PAGE_GEMTEXT:
		gemtext_line(p, gemtext_prefix, text);
		break;
	case PAGE_GOPHER_MENU:
		if (wrap_in_menu)
			gopher_info_wrapped(p, text);
		else
			gopher_info(p, text);
		break;
	case PAGE_GOPHER_TEXT:
		gopher_text_line(p, text);
		break;
	}
}

void page_title(struct page *p, const char *title)
{
	page_line(p, "# ", false, title);
}

void page_heading(struct page *p, const char *heading)
{
	page_blank(p);
	page_line(p, "## ", false, heading);
}

void page_text(struct page *p, const char *text)
{
	page_line(p, "", true, text);
}

void page_blank(struct page *p)
{
	if (p->form == PAGE_GEMTEXT)
		buf_putc(p->body, '\n');
	else if (p->form == PAGE_GOPHER_MENU)
		buf_puts(p->body, "i" GOPHER_INFO_END);
	else
		buf_puts(p->body, "\r\n");
}

void page_base_url(struct buf *out, const struct origin *origin, enum output kind)
{
	bool gemini = kind == OUTPUT_GEMINI;
	buf_puts(out, gemini ? "gemini://" : "gopher://");
	/* An IPv6 address needs brackets to be told from the port. */
	if (strchr(origin->host, ':') != NULL)
		buf_printf(out, "[%s]", origin->host);
	else
		buf_puts(out, origin->host);
	if (origin->port != (gemini ? 1965 : 70))
		buf_printf(out, ":%d", origin->port);
}

void page_absolute_url(struct buf *out, const struct origin *origin, enum output kind,
                       char gopher_type, const char *path)
{
	page_base_url(out, origin, kind);
	if (kind == OUTPUT_GOPHER)
		buf_printf(out, "/%c", gopher_type);
	buf_puts(out, path);
}

static void gopher_menu_item(struct page *p, char type, const char *selector, const char *label)
{
	buf_putc(p->body, type);
	page_gopher_display(p->body, label, PAGE_GOPHER_DISPLAY_COLUMNS);
	char *clean = one_line(selector);
	buf_printf(p->body, "\t%s\t%s\t%d\r\n", clean, p->origin->host, p->origin->port);
	free(clean);
}

/* In the text after an article: the label, then where it leads. */
static void gopher_text_link(struct page *p, const char *label, const struct buf *where)
{
	gopher_text_line(p, label);
	buf_puts(p->body, "  ");
	buf_append(p->body, where->data, where->len);
	buf_puts(p->body, "\r\n");
}

/* A gemtext link line: "=> URL label", each made one line. */
static void gemtext_link(struct page *p, const char *url, const char *label)
{
	char *clean = one_line(url);
	buf_printf(p->body, "=> %s ", clean);
	free(clean);
	gemtext_line(p, "", label);
}

void page_link(struct page *p, char gopher_type, const char *path, const char *label)
{
	if (p->form == PAGE_GEMTEXT) {
		gemtext_link(p, path, label);
		return;
	}
	if (p->form == PAGE_GOPHER_MENU) {
		gopher_menu_item(p, gopher_type, path, label);
		return;
	}
	struct buf url = {0};
	char *clean = one_line(path);
	page_absolute_url(&url, p->origin, OUTPUT_GOPHER, gopher_type, clean);
	gopher_text_link(p, label, &url);
	free(clean);
	buf_free(&url);
}

void page_external_link(struct page *p, const char *url, const char *label)
{
	if (p->form == PAGE_GEMTEXT) {
		gemtext_link(p, url, label);
		return;
	}
	if (p->form == PAGE_GOPHER_MENU) {
		char *selector = xasprintf("URL:%s", url);
		gopher_menu_item(p, 'h', selector, label);
		free(selector);
		return;
	}
	struct buf where = {0};
	char *clean = one_line(url);
	buf_puts(&where, clean);
	gopher_text_link(p, label, &where);
	free(clean);
	buf_free(&where);
}

void page_day(char out[11], const struct when *w)
{
	struct tm tm = {0};
	date_local(w, &tm);
	/* A year past 9999 does not fit: show the day as unknown. */
	if (strftime(out, 11, "%Y-%m-%d", &tm) == 0)
		strcpy(out, "0000-00-00");
}

void page_article_link(struct page *p, const struct article *a)
{
	const char *headline = a->meta.title != NULL ? a->meta.title : a->path;
	if (!a->meta.date.set) {
		page_link(p, '0', a->path, headline);
		return;
	}
	char day[11];
	page_day(day, &a->meta.date);
	/* The subscription spec wants "YYYY-MM-DD" first in a Gemini label;
	 * a menu has no room to spare for the dash. */
	const char *between = p->form == PAGE_GEMTEXT ? " - " : " ";
	char *label = xasprintf("%s%s%s", day, between, headline);
	page_link(p, '0', a->path, label);
	free(label);
}
