#include "desk.h"

#include "alloc.h"
#include "render.h"
#include "routes.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

/* "Draft", or "Scheduled for 2099-01-01 07:30 WITA", written as the
 * article's byline writes its date (render_when). */
static char *state_of(const struct article *a, const struct vhost *vhost)
{
	if (a->meta.draft || !a->meta.date.set)
		return xstrdup("Draft");
	struct buf state = {0};
	buf_puts(&state, "Scheduled for ");
	render_when(&state, &a->meta.date, vhost);
	return buf_steal(&state);
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
		char *state = state_of(list[i], ctx->snap->vhost);
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
	char *state = state_of(a, ctx->snap->vhost);
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

/* Keeps in list (in order) what the editor's desk shows: the drafts
 * under their paths, or every one for a "desk: all" editor. */
static size_t only_theirs(const struct editor *editor, const struct article **list, size_t n)
{
	size_t kept = 0;
	for (size_t i = 0; i < n; i++)
		if (config_editor_sees(editor, list[i]->source))
			list[kept++] = list[i];
	return kept;
}

void desk_route(const struct snapshot *snap, const struct editor *editor, enum output out,
                const struct origin *origin, const char *path, struct route_result *result)
{
	struct route_context ctx;
	route_context_start(&ctx, snap, out, origin, result);
	const struct article **list;
	size_t n = snapshot_unpublished(snap, ctx.now, &list);
	n = only_theirs(editor, list, n);
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
