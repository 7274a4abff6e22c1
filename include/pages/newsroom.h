#ifndef KABAR_NEWSROOM_H
#define KABAR_NEWSROOM_H

#include <stdbool.h>

#include "route_context.h"

/*
 * The newsroom's record: /corrections/ (every correction of every
 * published article, newest first, as a subscription page, an Atom feed
 * at /corrections/feed.xml and a Gopher menu) and the series
 * (/series/NAME/ in order of part, its feed.xml, and "Part 2 of 5" with
 * the previous and next part on each part's page). Both are found by
 * walking the snapshot's articles: one walk per page, and each page is
 * rendered once per snapshot (pagecache.h).
 */

/* How many corrections /corrections/ lists (the newest). */
#define NEWSROOM_CORRECTIONS_MAX 500

/* /corrections/, or with feed its Atom feed. */
void newsroom_corrections(struct route_context *ctx, bool feed);

/* /series/: every series with its number of parts. */
void newsroom_series_list(struct route_context *ctx);

/* /series/KEY/ (KEY the slug of the series' name), or its feed. */
void newsroom_series(struct route_context *ctx, const char *key, bool feed);

/* "Part 2 of 5", the previous and the next part, and the series page:
 * nothing when a is no part of a series. */
void newsroom_series_navigation(struct route_context *ctx, struct page *p, const struct article *a);

#endif
