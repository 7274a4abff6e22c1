#ifndef KABAR_PAGE_H
#define KABAR_PAGE_H

#include <stddef.h>
#include <time.h>

#include "article.h"
#include "buf.h"
#include "site.h"
#include "snapshot.h"

/*
 * Writes the pages the routes build in the form the reader asked for. A
 * route says what a page holds (a title, lines of text, links); a page
 * decides how that looks: gemtext, a Gopher menu, or the plain text after a
 * Gopher article. Keeping that choice here is what makes the same path mean
 * the same thing in both protocols.
 */

/* The Gopher item type of an article's address: a menu, whose links a
 * client can follow (its plain text is at the address with ".txt"). */
#define PAGE_ARTICLE_TYPE '1'

enum page_form {
	PAGE_GEMTEXT,
	PAGE_GOPHER_MENU,
	PAGE_GOPHER_TEXT, /* after an article: links written out as URLs */
};

struct page {
	enum page_form form;
	const struct origin *origin;
	struct buf *body;
	size_t wrap_columns; /* PAGE_GOPHER_TEXT line width */
};


void page_title(struct page *p, const char *title);
void page_heading(struct page *p, const char *heading);
/* One line of text (a Gopher menu shows it as info lines). */
void page_text(struct page *p, const char *text);
void page_blank(struct page *p);

/* A link to a path of this site; gopher_type is the item type in a menu
 * ('0' text, '1' menu, '7' search). */
void page_link(struct page *p, char gopher_type, const char *path, const char *label);
/* A link to another server: in a Gopher menu a gopher:// URL is the item
 * it names, any other an "h" item with a "URL:" selector. */
void page_external_link(struct page *p, const char *url, const char *label);
/*
 * A link as written in the capsule file at base (a site path such as
 * "/about.gmi" or an article's source): a relative one resolves against
 * base, and one to an article's source, address or alias becomes that
 * article's address (a menu in Gopher); self is the address of the page
 * that holds the link, for "#fragment" and "?query" links. A link that
 * climbs out of the capsule is its label alone.
 */
void page_link_from(struct page *p, const char *base, const char *self, const char *ref,
                    const char *label, const struct snapshot *snap);
/* "=> /news/2022/04/slug 2022-04-21 - Headline": the dated line of a
 * subscription page (the date in the article's own zone). */
void page_article_link(struct page *p, const struct article *a);

/* "gemini://host:port" or "gopher://host:port": where absolute links point,
 * the port left out when it is the protocol's own (1965, 70). */
void page_base_url(struct buf *out, const struct origin *origin, enum output kind);

/* An absolute link to a path of this site: "gemini://host/news/..." or
 * "gopher://host/0/news/..." with gopher_type as the item type. */
void page_absolute_url(struct buf *out, const struct origin *origin, enum output kind,
                       char gopher_type, const char *path);

/*
 * A capsule's gemtext (the file at base, such as "/about.gmi" or the front
 * page's index.gmi) as this page's form: as it is in gemtext; in a Gopher
 * menu, headings, text, list items and quotes as info lines wrapped at the
 * menu width, preformatted lines as they are, and every link line an item
 * (page_link_from), so a Gopher reader follows what a Gemini reader does.
 */
void page_gemtext(struct page *p, const char *text, size_t len, const char *base,
                  const struct snapshot *snap);

/* "2022-04-21": the day of w in the zone it was written in. */
void page_day(char out[11], const struct when *w);


#endif
