#include "feed.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "date.h"
#include "page.h"
#include "render.h"
#include "text.h"
#include "url.h"

/* The entity that stands for c in XML text, or NULL for c itself. */
static const char *xml_entity(unsigned char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	default: return NULL;
	}
}

/* Appends s as XML character data or attribute text. Characters XML 1.0
 * forbids (controls other than TAB, LF, CR) are dropped; a string that is
 * not valid UTF-8 keeps only its ASCII, so the document always parses. */
static void xml_text(struct buf *out, const char *s)
{
	bool valid = text_valid_utf8(s, strlen(s));
	for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
		if ((*c < 0x20 && *c != '\t' && *c != '\n' && *c != '\r') || *c == 0x7f)
			continue;
		if (*c >= 0x80 && !valid)
			continue;
		const char *entity = xml_entity(*c);
		if (entity != NULL)
			buf_puts(out, entity);
		else
			buf_putc(out, (char)*c);
	}
}

static void xml_element(struct buf *out, const char *indent, const char *name, const char *text)
{
	buf_printf(out, "%s<%s>", indent, name);
	xml_text(out, text);
	buf_printf(out, "</%s>\n", name);
}

static void author_element(struct buf *out, const char *indent, const char *name)
{
	buf_printf(out, "%s<author><name>", indent);
	xml_text(out, name);
	buf_puts(out, "</name></author>\n");
}

static void time_element(struct buf *out, const char *indent, const char *name, const struct when *w)
{
	buf_printf(out, "%s<%s>", indent, name);
	date_format_rfc3339(out, w);
	buf_printf(out, "</%s>\n", name);
}

/* The later of an article's date and its update. */
static const struct when *last_change(const struct article *a)
{
	const struct when *updated = &a->meta.updated;
	if (updated->set && (!a->meta.date.set || updated->t > a->meta.date.t))
		return updated;
	return &a->meta.date;
}

/* An absolute URL for a site path, the path percent-encoded (url.h): an
 * address holds whatever its file name held, and a feed's links and ids
 * must be URIs a feed reader accepts. */
static void feed_url(struct buf *out, const struct origin *origin, enum output kind,
                     char gopher_type, const char *path)
{
	struct buf encoded = {0};
	url_encode_path(&encoded, path, strlen(path));
	page_absolute_url(out, origin, kind, gopher_type, encoded.data ? encoded.data : "");
	buf_free(&encoded);
}

static void link_element(struct buf *out, const char *indent, const char *rel, const struct origin *origin,
                         enum output kind, char gopher_type, const char *path)
{
	struct buf url = {0};
	feed_url(&url, origin, kind, gopher_type, path);
	buf_printf(out, "%s<link rel=\"%s\" href=\"", indent, rel);
	xml_text(out, url.data);
	buf_puts(out, "\"/>\n");
	buf_free(&url);
}

static const char *canonical_host(const struct vhost *vhost, const struct origin *origin)
{
	if (vhost->n_names > 0)
		return vhost->names[0];
	return origin->host;
}

/* "tag:example.org,2022-04-21:/news/2022/04/slug" (RFC 4151). An undated
 * article has no day to name, so its absolute Gemini URL stands in. */
static void entry_id(struct buf *out, const struct article *a, const struct vhost *vhost,
                     const struct origin *origin)
{
	struct buf id = {0};
	if (a->meta.date.set) {
		char day[11];
		page_day(day, &a->meta.date);
		buf_printf(&id, "tag:%s,%s:", canonical_host(vhost, origin), day);
		url_encode_path(&id, a->path, strlen(a->path));
	} else {
		feed_url(&id, origin, OUTPUT_GEMINI, '0', a->path);
	}
	xml_element(out, "    ", "id", id.data);
	buf_free(&id);
}

/* A lede is cut at the last word break before this many characters. */
enum { LEDE_CHARACTERS = 300 };

static bool utf8_continuation(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

/*
 * The article's first paragraph as one line of plain text, cut at a word
 * near LEDE_CHARACTERS characters (with "…" after it); text without
 * spaces (Chinese, Japanese) is cut between characters. NULL when the
 * article has no paragraph.
 */
static char *lede(const struct article *a)
{
	const char *text = NULL;
	for (size_t i = 0; i < a->n_blocks && text == NULL; i++) {
		if (a->blocks[i].kind == BLOCK_PARAGRAPH && a->blocks[i].text != NULL &&
		    a->blocks[i].text[0] != '\0')
			text = a->blocks[i].text;
	}
	if (text == NULL)
		return NULL;
	size_t len = strlen(text), characters = 0, cut = 0, last_space = 0;
	for (cut = 0; cut < len; cut++) {
		if (utf8_continuation(text[cut]))
			continue;
		if (characters++ == LEDE_CHARACTERS)
			break;
		if (text[cut] == ' ' || text[cut] == '\n')
			last_space = cut;
	}
	struct buf out = {0};
	bool whole = cut >= len;
	/* A break in the last third keeps the cut between words. */
	if (!whole && last_space > cut * 2 / 3)
		cut = last_space;
	buf_append(&out, text, cut);
	for (size_t i = 0; i < out.len; i++) {
		if (out.data[i] == '\n')
			out.data[i] = ' ';
	}
	while (out.len > 0 && strchr(" ,;:", out.data[out.len - 1]) != NULL)
		out.data[--out.len] = '\0';
	if (!whole)
		buf_puts(&out, "\xe2\x80\xa6");
	return buf_steal(&out);
}

static const char *feed_lang(const struct vhost *vhost)
{
	return vhost->lang != NULL ? vhost->lang : "en";
}

/* The article as readers of the feed's protocol see it, cut at a line
 * past FEED_CONTENT_MAX bytes; links absolute, since a feed reader shows
 * the text away from the site. */
static void content_element(struct buf *out, const struct article *a, const struct feed *feed,
                            const struct vhost *vhost, const struct origin *origin,
                            enum output kind)
{
	struct buf base = {0}, text = {0};
	page_base_url(&base, origin, kind);
	const struct render_context render = {.vhost = vhost, .base_url = base.data,
	                                      .snapshot = feed->snapshot};
	if (kind == OUTPUT_GEMINI)
		render_gemtext(&text, a, &render);
	else
		render_gopher_text(&text, a, &render);
	if (text.len > FEED_CONTENT_MAX) {
		const char *nl = memrchr(text.data, '\n', FEED_CONTENT_MAX);
		text.len = nl != NULL ? (size_t)(nl - text.data) + 1 : FEED_CONTENT_MAX;
		text.data[text.len] = '\0';
		buf_puts(&text, "\xe2\x80\xa6\n");
	}
	buf_printf(out, "    <content type=\"%s\">", kind == OUTPUT_GEMINI ? "text/gemini" : "text");
	xml_text(out, text.data != NULL ? text.data : "");
	buf_puts(out, "</content>\n");
	buf_free(&text);
	buf_free(&base);
}

static void entry(struct buf *out, const struct article *a, const struct feed *feed,
                  const struct vhost *vhost, const struct origin *origin, enum output kind)
{
	buf_puts(out, "  <entry xml:lang=\"");
	xml_text(out, a->meta.lang != NULL ? a->meta.lang : feed_lang(vhost));
	buf_puts(out, "\">\n");
	xml_element(out, "    ", "title", a->meta.title != NULL ? a->meta.title : a->path);
	link_element(out, "    ", "alternate", origin, kind, PAGE_ARTICLE_TYPE, a->path);
	entry_id(out, a, vhost, origin);
	if (a->meta.date.set)
		time_element(out, "    ", "published", &a->meta.date);
	time_element(out, "    ", "updated", last_change(a));
	for (size_t i = 0; i < a->meta.n_authors; i++)
		author_element(out, "    ", a->meta.authors[i]);
	for (size_t i = 0; i < a->meta.n_tags; i++) {
		buf_puts(out, "    <category term=\"");
		xml_text(out, a->meta.tags[i]);
		buf_puts(out, "\"/>\n");
	}
	/* Feed readers show the summary; without one they show a bare title. */
	if (a->meta.summary != NULL && a->meta.summary[0] != '\0') {
		xml_element(out, "    ", "summary", a->meta.summary);
	} else {
		char *summary = lede(a);
		if (summary != NULL)
			xml_element(out, "    ", "summary", summary);
		free(summary);
	}
	content_element(out, a, feed, vhost, origin, kind);
	buf_puts(out, "  </entry>\n");
}

/* The feed changed when its most recently changed entry did. */
static const struct when *feed_updated(const struct article *const *articles, size_t n)
{
	const struct when *newest = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct when *w = last_change(articles[i]);
		if (w->set && (newest == NULL || w->t > newest->t))
			newest = w;
	}
	return newest;
}

void feed_atom(struct buf *out, const struct feed *feed, const struct vhost *vhost,
               const struct origin *origin, enum output kind, const struct article *const *articles,
               size_t n)
{
	if (n > FEED_MAX_ENTRIES)
		n = FEED_MAX_ENTRIES;
	buf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	              "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"");
	xml_text(out, feed_lang(vhost));
	buf_puts(out, "\">\n");
	xml_element(out, "  ", "title", feed->title);
	link_element(out, "  ", "self", origin, kind, '0', feed->self_path);
	link_element(out, "  ", "alternate", origin, kind, '1', feed->page_path);
	struct buf id = {0};
	feed_url(&id, origin, kind, '0', feed->self_path);
	xml_element(out, "  ", "id", id.data);
	buf_free(&id);
	const struct when *updated = feed_updated(articles, n);
	const struct when epoch = {.set = true};
	time_element(out, "  ", "updated", updated != NULL ? updated : &epoch);
	/* Atom wants an author for every entry; the site stands in for
	 * articles that name none. */
	author_element(out, "  ", vhost->title != NULL ? vhost->title : canonical_host(vhost, origin));
	buf_puts(out, "  <generator>Kabar</generator>\n");
	for (size_t i = 0; i < n; i++)
		entry(out, articles[i], feed, vhost, origin, kind);
	buf_puts(out, "</feed>\n");
}
