#include "search_page.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "search.h"
#include "url.h"

/* Bytes of an article's text shown under its headline. */
#define SNIPPET_BYTES 220

struct search_view {
	struct route_context *ctx;
	const char *query;
	bool newest;
	size_t page;  /* from 1 */
	size_t total; /* hits in all */
};

/* The path of page `page` of this search in the given order, with the
 * terms after '?' in both protocols. */
static char *search_path(const struct search_view *v, bool newest, size_t page)
{
	struct buf b = {0};
	buf_puts(&b, newest ? "/search/newest" : "/search");
	if (page > 1)
		buf_printf(&b, "/page/%zu", page);
	buf_putc(&b, '?');
	url_encode_segment(&b, v->query, strlen(v->query));
	return buf_steal(&b);
}

static void link_to(struct page *p, const struct search_view *v, bool newest, size_t page,
                    const char *label)
{
	char *path = search_path(v, newest, page);
	page_link(p, '1', path, label);
	free(path);
}

/* "47 results · Page 2 of 3", then the link to the other order. */
static void put_summary(struct page *p, const struct search_view *v, size_t pages)
{
	const struct labels *w = v->ctx->labels;
	struct buf line = {0};
	buf_printf(&line, "%zu %s", v->total, v->total == 1 ? w->result_one : w->result_many);
	if (pages > 1)
		buf_printf(&line, " · %s %zu %s %zu", w->page, v->page, w->page_of, pages);
	page_text(p, line.data);
	buf_free(&line);
	link_to(p, v, !v->newest, 1, v->newest ? w->best_first : w->newest_first);
}

/* One hit: the dated headline, its section and authors, the snippet. */
static void put_hit(struct page *p, const struct search_view *v, const struct search_query *q,
                    const struct article *a)
{
	page_blank(p);
	page_article_link(p, a);
	struct buf line = {0};
	if (a->meta.section != NULL)
		buf_printf(&line, "%s: %s", v->ctx->labels->section, a->meta.section);
	for (size_t i = 0; i < a->meta.n_authors; i++)
		buf_printf(&line, "%s%s", line.len > 0 ? (i == 0 ? " · " : ", ") : "", a->meta.authors[i]);
	if (line.len > 0)
		page_text(p, line.data);
	buf_clear(&line);
	search_snippet(q, a, SNIPPET_BYTES, &line);
	if (line.len > 0)
		page_text(p, line.data);
	buf_free(&line);
}

static void put_pager(struct page *p, const struct search_view *v, size_t pages)
{
	const struct labels *w = v->ctx->labels;
	if (pages <= 1)
		return;
	page_blank(p);
	if (v->page > 1)
		link_to(p, v, v->newest, v->page - 1, w->previous_page);
	if (v->page < pages)
		link_to(p, v, v->newest, v->page + 1, w->next_page);
}

static void search_answer(struct search_view *v)
{
	struct route_context *ctx = v->ctx;
	struct search_query *q = search_parse(ctx->snap->search, v->query);
	struct search_request rq = {
		.order = v->newest ? SEARCH_NEWEST : SEARCH_RELEVANCE,
		.now = ctx->now,
		.offset = (v->page - 1) * SEARCH_PAGE_HITS,
		.lang = ctx->snap->vhost->lang,
	};
	size_t found[SEARCH_PAGE_HITS], n = 0;
	v->total = search_run(q, ctx->snap->articles, &rq, found, SEARCH_PAGE_HITS, &n);
	size_t pages = (v->total + SEARCH_PAGE_HITS - 1) / SEARCH_PAGE_HITS;
	if (v->page > 1 && v->page > pages) {
		search_query_free(q);
		routes_not_found(ctx);
		return;
	}
	struct page p;
	routes_begin_page(ctx, &p);
	char *title = xasprintf("%s: %s", ctx->labels->results, v->query);
	page_title(&p, title);
	free(title);
	page_blank(&p);
	if (v->total == 0)
		page_text(&p, ctx->labels->no_results);
	else
		put_summary(&p, v, pages);
	for (size_t i = 0; i < n; i++)
		put_hit(&p, v, q, ctx->snap->articles[found[i]]);
	put_pager(&p, v, pages);
	page_blank(&p);
	page_link(&p, '7', v->newest ? "/search/newest" : "/search", ctx->labels->search);
	page_link(&p, '1', "/", ctx->labels->front_page);
	search_query_free(q);
}

void search_page(struct route_context *ctx, bool newest, size_t page, const char *query)
{
	if (query == NULL || query[strspn(query, " \t")] == '\0') {
		ctx->result->kind = ROUTE_INPUT;
		ctx->result->target = xstrdup(ctx->labels->search_prompt);
		return;
	}
	struct search_view v = {.ctx = ctx, .query = query, .newest = newest, .page = page};
	search_answer(&v);
}
