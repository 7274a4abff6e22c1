#include "route_context.h"

#include <string.h>

void route_context_start(struct route_context *ctx, const struct snapshot *snap,
                         enum output out, const struct origin *origin,
                         struct route_result *result)
{
	memset(result, 0, sizeof *result);
	result->kind = ROUTE_NONE;
	*ctx = (struct route_context){
		.snap = snap,
		.labels = labels_for(snap->vhost->lang),
		.origin = origin,
		.out = out,
		.now = time(NULL),
		.result = result,
	};
}

void routes_begin_page(struct route_context *ctx, struct page *p)
{
	struct route_result *r = ctx->result;
	r->kind = ROUTE_PAGE;
	r->gopher_type = '1';
	r->mime = ctx->out == OUTPUT_GEMINI ? "text/gemini" : "text/plain";
	p->form = ctx->out == OUTPUT_GEMINI ? PAGE_GEMTEXT : PAGE_GOPHER_MENU;
	p->origin = ctx->origin;
	p->body = &r->body;
	p->wrap_columns = (size_t)ctx->snap->vhost->wrap_columns;
}

void routes_not_found(struct route_context *ctx)
{
	buf_clear(&ctx->result->body);
	ctx->result->kind = ROUTE_NOT_FOUND;
}

size_t routes_page_size(const struct route_context *ctx)
{
	int size = ctx->snap->vhost->page_size;
	return size > 0 ? (size_t)size : 1;
}

const char *routes_site_title(const struct vhost *vhost)
{
	if (vhost->title != NULL)
		return vhost->title;
	return vhost->n_names > 0 ? vhost->names[0] : "Kabar";
}

bool routes_still_loading(const struct snapshot *snap, struct buf *out)
{
	if (!snap->load.loading)
		return false;
	if (snap->load.total > 0)
		buf_printf(out, "Still loading the archive (%zu of %zu articles); try again shortly",
		           snap->load.read, snap->load.total);
	else
		buf_puts(out, "Still loading the archive; try again shortly");
	return true;
}
