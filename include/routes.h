#ifndef KABAR_ROUTES_H
#define KABAR_ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "labels.h"
#include "listing.h"
#include "page.h"
#include "site.h"
#include "snapshot.h"

/*
 * The pages behind site_route (site.h), shared between routes.c (the path
 * dispatch, front page and articles), indexes.c (sections, authors, tags,
 * archive, search and feeds) and desk.c (the editors' view). Not used
 * outside these files.
 */

/* One request being answered. */
struct route_context {
	const struct snapshot *snap;
	const struct labels *labels;
	const struct origin *origin;
	enum output out;
	time_t now;
	struct route_result *result;
};

/* The indexes reached by name: /section/NAME/, /author/NAME/, /tag/NAME/. */
enum index_kind { INDEX_SECTION, INDEX_AUTHOR, INDEX_TAG };

/* Makes the result a page (menu or gemtext) and points p at its body. */
void routes_begin_page(struct route_context *ctx, struct page *p);
void routes_not_found(struct route_context *ctx);

/* One article's page, in its own language, with related articles and
 * the way on to older, newer and its section. */
void routes_article_page(struct route_context *ctx, const struct article *a);

/* The site's name: its title, else its host name. */
const char *routes_site_title(const struct vhost *vhost);

/* Entries per listing page (the site's page_size, at least 1). */
size_t routes_page_size(const struct route_context *ctx);

/* "/section/" and so on: every entry with its count. */
void routes_index_list(struct route_context *ctx, enum index_kind kind);
/* One entry's articles, page number page (from 1); feed true for its Atom
 * feed instead. */
void routes_index_entry(struct route_context *ctx, enum index_kind kind,
                        const struct index_entry *entry, size_t page, bool feed);
const struct index *routes_index(const struct route_context *ctx, enum index_kind kind);

/* "/archive/", "/archive/YYYY/" and "/archive/YYYY/MM/" (month NULL when
 * the year is asked for). */
void routes_archive(struct route_context *ctx);
void routes_archive_period(struct route_context *ctx, const char *year, const char *month,
                           size_t page);

/* "/feed.xml" and "/feed.gmi": the latest news. */
void routes_site_feed(struct route_context *ctx);
void routes_latest(struct route_context *ctx);

void routes_search(struct route_context *ctx, const char *query);

#endif
