#ifndef KABAR_ROUTES_H
#define KABAR_ROUTES_H

#include "route_context.h"

/*
 * The path dispatch behind site_route (site.h): the front page and the
 * articles here, the indexes in indexes.c. desk.c shows an article's page
 * to its editors the same way.
 */

/* One article's page, in its own language, with related articles and
 * the way on to older, newer and its section. */
void routes_article_page(struct route_context *ctx, const struct article *a);

#endif
