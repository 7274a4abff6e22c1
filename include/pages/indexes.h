#ifndef KABAR_INDEXES_H
#define KABAR_INDEXES_H

#include <stdbool.h>
#include <stddef.h>

#include "route_context.h"

/*
 * The site's index pages: sections, authors, tags, the archive and the
 * feeds (search is search_page.h). Reached from routes.c's path dispatch.
 */

/* The indexes reached by name: /section/NAME/, /author/NAME/, /tag/NAME/. */
enum index_kind { INDEX_SECTION, INDEX_AUTHOR, INDEX_TAG };

/* "/section/" and so on: every entry with its count. */
void routes_index_list(struct route_context *ctx, enum index_kind kind);
/* One entry's articles, page number page (from 1); feed true for its Atom
 * feed instead. */
void routes_index_entry(struct route_context *ctx, enum index_kind kind,
                        const struct index_entry *entry, size_t page, bool feed);
const struct index *routes_index(const struct route_context *ctx, enum index_kind kind);

/* "/archive/", and a year or a month under root ("/archive/" or "/news/":
 * "/news/YYYY/MM/" is the month its articles' addresses name), month NULL
 * when the year is asked for. Each links up and to its neighbours. */
void routes_archive(struct route_context *ctx);
void routes_archive_period(struct route_context *ctx, const char *root, const char *year,
                           const char *month, size_t page);
/* "/news/": every article, newest first, paged. */
void routes_newest(struct route_context *ctx, size_t page);

/* "/feed.xml" and "/feed.gmi": the latest news. */
void routes_site_feed(struct route_context *ctx);
void routes_latest(struct route_context *ctx);

#endif
