#ifndef KABAR_ROUTES_H
#define KABAR_ROUTES_H

#include "route_context.h"

/*
 * The site's pages by path (the types in site.h): the front page and the
 * articles here, the indexes in indexes.c. desk.c shows an article's page
 * to its editors the same way.
 */

/*
 * Renders the page at path (percent-decoded, normalised, starting with '/')
 * with query (decoded search terms, or NULL). The result's body and target
 * are owned by result; route_result_free releases them. For OUTPUT_GOPHER
 * the body is a menu without the final ".\r\n", or text without dot-stuffing:
 * the front-end adds both.
 */
void site_route(const struct snapshot *snap, enum output out, const struct origin *origin,
                const char *path, const char *query, struct route_result *result);
void route_result_free(struct route_result *result);

/* One article's page, in its own language, with related articles and
 * the way on to older, newer and its section. */
void routes_article_page(struct route_context *ctx, const struct article *a);

#endif
