#ifndef KABAR_ROUTE_CONTEXT_H
#define KABAR_ROUTE_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "labels.h"
#include "page.h"
#include "site.h"
#include "snapshot.h"

/*
 * One request being answered, and what every page of the site does with
 * it: start a page, answer "not found", name the site, size a listing.
 * Below the modules that write pages (routes.c, indexes.c, desk.c), so
 * none of them calls back up into another.
 */

struct route_context {
	const struct snapshot *snap;
	const struct labels *labels;
	const struct origin *origin;
	enum output out;
	time_t now;
	struct route_result *result;
};

/* Clears result (ROUTE_NONE) and points ctx at it, in the host's language,
 * at the present time. */
void route_context_start(struct route_context *ctx, const struct snapshot *snap,
                         enum output out, const struct origin *origin,
                         struct route_result *result);

/* Makes the result a page (menu or gemtext) and points p at its body. */
void routes_begin_page(struct route_context *ctx, struct page *p);
void routes_not_found(struct route_context *ctx);

/* While the site's first load runs, what a request for something not (yet)
 * found is told instead of "not found" (Gemini status 41, a Gopher error
 * line), appended to out: "Still loading the archive (N of M articles);
 * try again shortly". False once the site is loaded. */
bool routes_still_loading(const struct snapshot *snap, struct buf *out);

/* The site's name: its title, else its host name. */
const char *routes_site_title(const struct vhost *vhost);

/* Entries per listing page (the site's page_size, at least 1). */
size_t routes_page_size(const struct route_context *ctx);

#endif
