#include "desk.h"

#include "alloc.h"
#include "routes.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* "Draft", or "Scheduled for 2099-01-01 07:30 +08:00" in the zone the
 * date was written in. */
static char *state_of(const struct article *a)
{
	if (a->meta.draft || !a->meta.date.set)
		return xstrdup("Draft");
	const struct when *w = &a->meta.date;
	time_t local = w->t + (time_t)w->offset_minutes * 60;
	struct tm tm;
	char when[32] = "";
	int off = w->offset_minutes < 0 ? -w->offset_minutes : w->offset_minutes;
	if (gmtime_r(&local, &tm) != NULL)
		strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
	return xasprintf("Scheduled for %s %c%02d:%02d", when, w->offset_minutes < 0 ? '-' : '+',
	                 off / 60, off % 60);
}

static void desk_page(struct route_context *ctx, const struct article **list, size_t n)
{
	struct page p;
	routes_begin_page(ctx, &p);
	page_title(&p, "Desk");
	page_text(&p, n == 0 ? "Nothing waiting: no drafts, nothing scheduled."
	                     : "Drafts and scheduled articles; readers see none of them.");
	page_blank(&p);
	for (size_t i = 0; i < n; i++) {
		char *state = state_of(list[i]);
		char *label = xasprintf("%s - %s", state,
		                        list[i]->meta.title ? list[i]->meta.title : list[i]->path);
		page_link(&p, '0', list[i]->path, label);
		free(label);
		free(state);
	}
}

/* The article page, under a line saying readers cannot see it yet. */
static void preview(struct route_context *ctx, const struct article *a)
{
	char *state = state_of(a);
	char *line = xasprintf("%s%s: readers cannot see this page yet.\n\n",
	                       ctx->out == OUTPUT_GEMINI ? "> " : "", state);
	buf_puts(&ctx->result->body, line);
	routes_article_page(ctx, a);
	free(line);
	free(state);
}

static const struct article *find(const struct article **list, size_t n, const char *path)
{
	size_t len = strlen(path);
	bool gmi = text_ends_with(path, len, ".gmi");
	for (size_t i = 0; i < n; i++) {
		const char *at = list[i]->path;
		if (at != NULL && (strcmp(at, path) == 0 ||
		                   (gmi && strlen(at) == len - 4 && strncmp(at, path, len - 4) == 0)))
			return list[i];
	}
	return NULL;
}

void desk_route(const struct snapshot *snap, enum output out, const struct origin *origin,
                const char *path, struct route_result *result)
{
	struct route_context ctx;
	route_context_start(&ctx, snap, out, origin, result);
	const struct article **list;
	size_t n = snapshot_unpublished(snap, ctx.now, &list);
	if (strcmp(path, "/desk") == 0) {
		result->kind = ROUTE_REDIRECT;
		result->target = xstrdup("/desk/");
	} else if (strcmp(path, "/desk/") == 0) {
		desk_page(&ctx, list, n);
	} else {
		const struct article *a = find(list, n, path);
		if (a != NULL)
			preview(&ctx, a);
	}
	free(list);
}
