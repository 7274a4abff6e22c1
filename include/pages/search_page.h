#ifndef KABAR_SEARCH_PAGE_H
#define KABAR_SEARCH_PAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "route_context.h"

/*
 * The search pages, the same in both protocols:
 *   /search?TERMS                 best match first, page 1
 *   /search/page/N?TERMS          page N (20 hits a page)
 *   /search/newest?TERMS          newest first (and /search/newest/page/N)
 * In Gopher the terms come after the selector's TAB (a type 7 item), or
 * after '?' in the selector (how the pages link to each other, since a
 * menu item cannot hold a TAB). Without terms: the prompt for them.
 */

#define SEARCH_PAGE_HITS 20

/* Page `page` (from 1) of the hits of query, newest first or best match
 * first; without terms, the prompt for them. */
void search_page(struct route_context *ctx, bool newest, size_t page, const char *query);

#endif
