#include "page.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "date.h"
#include "gopher_lines.h"
#include "itemtype.h"
#include "links.h"
#include "url.h"
#include "text.h"

/* Copies s through the sanitizer: line breaks and tabs made spaces, other
 * controls and bidi controls dropped, so a menu field or a one-line gemtext
 * element stays on its line and in its order (search terms echoed here are
 * the client's own). */
static char *one_line(const char *s)
{
	return text_cleaned(s, TEXT_CLEAN_NO_BIDI);
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
			menu_info_wrapped(p->body, text, "", "");
		else
			menu_info(p->body, text);
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
		menu_info(p->body, "");
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
	char *clean = one_line(selector);
	menu_item(p->body, type, label, clean, p->origin->host, p->origin->port);
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

/* A gopher:// URL as the item it names ("gopher://host:port/Tselector";
 * type '1' and an empty selector without a path). False when it does not
 * parse or names a type no client knows. */
static bool gopher_url_item(struct page *p, const char *url, const char *label)
{
	struct url u;
	if (url_parse(url, strlen(url), &u) != URL_OK)
		return false;
	const char *raw = u.raw_path;
	bool typed = raw[0] == '/' && raw[1] != '\0';
	const char *selector = typed ? raw + 2 : "";
	struct buf decoded = {0};
	/* RFC 1436's types and the common later ones. */
	bool known = !typed || strchr("0123456789+gIThis:;<dP", raw[1]) != NULL;
	bool ok = known && u.host != NULL && u.host[0] != '\0' &&
	          url_decode(&decoded, selector, strlen(selector), true) == URL_OK &&
	          menu_item(p->body, typed ? raw[1] : '1', label, decoded.data ? decoded.data : "",
	                    u.host, u.port > 0 ? u.port : 70);
	buf_free(&decoded);
	url_free(&u);
	return ok;
}

static bool is_gopher_url(const char *url)
{
	return url_scheme_length(url, strlen(url)) == strlen("gopher") &&
	       strncasecmp(url, "gopher", strlen("gopher")) == 0;
}

void page_external_link(struct page *p, const char *url, const char *label)
{
	if (p->form == PAGE_GEMTEXT) {
		gemtext_link(p, url, label);
		return;
	}
	if (p->form == PAGE_GOPHER_MENU) {
		if (is_gopher_url(url) && gopher_url_item(p, url, label))
			return;
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

void page_link_from(struct page *p, const char *base, const char *self, const char *ref,
                    const char *label, const struct snapshot *snap)
{
	struct buf path = {0};
	const char *suffix;
	enum link_kind kind = links_resolve(base, ref, &path, &suffix);
	const struct article *target = NULL;
	if (kind == LINK_SITE && snap != NULL)
		target = snapshot_link_target(snap, path.data);
	if (target != NULL && target->path != NULL) {
		buf_clear(&path);
		buf_puts(&path, target->path);
	} else if (kind == LINK_SELF) {
		buf_puts(&path, self != NULL ? self : base);
	}
	/* A selector carries no fragment. */
	size_t kept = p->form == PAGE_GEMTEXT ? strlen(suffix) : strcspn(suffix, "#");
	buf_append(&path, suffix, kept);
	if (kind == LINK_EXTERNAL)
		page_external_link(p, ref, label);
	else if (kind == LINK_OUTSIDE)
		page_text(p, label);
	else if (target != NULL || kind == LINK_SELF)
		page_link(p, PAGE_ARTICLE_TYPE, path.data, label);
	else
		page_link(p, item_type_of_path(path.data), path.data, label);
	buf_free(&path);
}

/* "=> URL label" in a Gopher menu: the label (else the URL) as its item. */
static void gemtext_link_in_menu(struct page *p, const char *line, const char *base,
                                 const struct snapshot *snap)
{
	const char *url = line + 2 + strspn(line + 2, " \t");
	size_t url_len = strcspn(url, " \t");
	if (url_len == 0)
		return;
	const char *label = url + url_len + strspn(url + url_len, " \t");
	char *target = xstrndup(url, url_len);
	page_link_from(p, base, base, target, label[0] != '\0' ? label : target, snap);
	free(target);
}

/* One line of gemtext in a Gopher menu; *pre is whether a preformatted
 * block is open. */
static void gemtext_line_in_menu(struct page *p, const char *line, const char *base,
                                 const struct snapshot *snap, bool *pre)
{
	if (strncmp(line, "```", 3) == 0) {
		*pre = !*pre;
		return;
	}
	if (*pre)
		menu_info(p->body, line);
	else if (strncmp(line, "=>", 2) == 0)
		gemtext_link_in_menu(p, line, base, snap);
	else if (line[0] == '#')
		menu_info_wrapped(p->body, line + strspn(line, "#") + strspn(line + strspn(line, "#"), " \t"),
		                  "", "");
	else if (strncmp(line, "* ", 2) == 0)
		menu_info_wrapped(p->body, line + 2, "* ", "  ");
	else if (line[0] == '>')
		menu_info_wrapped(p->body, line + 1 + strspn(line + 1, " "), "> ", "> ");
	else
		menu_info_wrapped(p->body, line, "", "");
}

void page_gemtext(struct page *p, const char *text, size_t len, const char *base,
                  const struct snapshot *snap)
{
	if (p->form == PAGE_GEMTEXT) {
		buf_append(p->body, text, len);
		if (len > 0 && text[len - 1] != '\n')
			buf_putc(p->body, '\n');
		return;
	}
	bool pre = false;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl != NULL ? (size_t)(nl - text) : len;
		size_t line_len = end - pos;
		if (line_len > 0 && text[pos + line_len - 1] == '\r')
			line_len--;
		char *line = xstrndup(text + pos, line_len);
		if (p->form == PAGE_GOPHER_MENU)
			gemtext_line_in_menu(p, line, base, snap, &pre);
		else
			page_text(p, line);
		free(line);
		pos = end + 1;
	}
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
		page_link(p, PAGE_ARTICLE_TYPE, a->path, headline);
		return;
	}
	char day[11];
	page_day(day, &a->meta.date);
	/* The subscription spec wants "YYYY-MM-DD" first in a Gemini label;
	 * a menu has no room to spare for the dash. */
	const char *between = p->form == PAGE_GEMTEXT ? " - " : " ";
	char *label = xasprintf("%s%s%s", day, between, headline);
	page_link(p, PAGE_ARTICLE_TYPE, a->path, label);
	free(label);
}
