#include "newsroom.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "feed.h"
#include "reserved.h"
#include "strset.h"
#include "text.h"

/* ---- corrections ---- */

static int newest_correction_first(const void *x, const void *y)
{
	const struct feed_correction *a = x, *b = y;
	if (a->correction->date.t != b->correction->date.t)
		return a->correction->date.t > b->correction->date.t ? -1 : 1;
	return strcmp(a->article->path, b->article->path);
}

/* Every correction of the published articles, newest first; *n of them. */
static struct feed_correction *all_corrections(const struct route_context *ctx, size_t *n)
{
	struct feed_correction *items = NULL;
	*n = 0;
	const struct snapshot *snap = ctx->snap;
	for (size_t i = 0; i < snap->n_articles; i++) {
		const struct article *a = snap->articles[i];
		if (!article_visible(a, ctx->now))
			continue;
		for (size_t k = 0; k < a->meta.n_corrections; k++) {
			items = xgrowarray(items, *n, sizeof *items);
			items[(*n)++] = (struct feed_correction){a, &a->meta.corrections[k]};
		}
	}
	if (*n > 1)
		qsort(items, *n, sizeof *items, newest_correction_first);
	return items;
}

static void feed_answer(struct route_context *ctx)
{
	struct route_result *r = ctx->result;
	r->kind = ROUTE_PAGE;
	r->mime = "application/atom+xml";
	r->gopher_type = '0';
}

/* "=> /news/... 2024-03-15 Correction: Headline", then its note. */
static void correction_line(struct route_context *ctx, struct page *p, const struct feed_correction *c)
{
	char day[11];
	page_day(day, &c->correction->date);
	const struct article *a = c->article;
	char *label = xasprintf("%s %s: %s", day, ctx->labels->kinds[c->correction->kind],
	                        a->meta.title != NULL ? a->meta.title : a->path);
	page_link(p, PAGE_ARTICLE_TYPE, a->path, label);
	page_text(p, c->correction->note);
	free(label);
}

void newsroom_corrections(struct route_context *ctx, bool feed)
{
	size_t n;
	struct feed_correction *items = all_corrections(ctx, &n);
	if (feed) {
		feed_answer(ctx);
		struct feed f = {ctx->labels->corrections, "/" RESERVED_CORRECTIONS "/" RESERVED_FEED_XML,
		                 "/" RESERVED_CORRECTIONS "/", ctx->snap};
		feed_corrections_atom(&ctx->result->body, &f, ctx->snap->vhost, ctx->origin, ctx->out,
		                      items, n);
		free(items);
		return;
	}
	struct page p;
	routes_begin_page(ctx, &p);
	page_title(&p, ctx->labels->corrections);
	page_blank(&p);
	for (size_t i = 0; i < n && i < NEWSROOM_CORRECTIONS_MAX; i++)
		correction_line(ctx, &p, &items[i]);
	if (n == 0)
		page_text(&p, ctx->labels->no_results);
	page_blank(&p);
	char *label = xasprintf("%s (Atom)", ctx->labels->feeds);
	page_link(&p, '0', "/" RESERVED_CORRECTIONS "/" RESERVED_FEED_XML, label);
	free(label);
	page_link(&p, '1', "/", ctx->labels->front_page);
	free(items);
}

/* ---- series ---- */

/* Unnumbered parts come after the numbered ones, by date. */
static int part_order(const void *x, const void *y)
{
	const struct article *a = *(const struct article *const *)x;
	const struct article *b = *(const struct article *const *)y;
	int pa = a->meta.part > 0 ? a->meta.part : INT_MAX;
	int pb = b->meta.part > 0 ? b->meta.part : INT_MAX;
	if (pa != pb)
		return pa < pb ? -1 : 1;
	if (a->meta.date.t != b->meta.date.t)
		return a->meta.date.t < b->meta.date.t ? -1 : 1;
	return strcmp(a->path, b->path);
}

static bool in_series(const struct article *a, const char *key)
{
	if (a->meta.series == NULL)
		return false;
	char *slug = text_slug(a->meta.series);
	bool same = strcmp(slug, key) == 0;
	free(slug);
	return same;
}

/* The published parts of the series key, in order; *n of them. */
static const struct article **series_parts(const struct route_context *ctx, const char *key, size_t *n)
{
	const struct article **parts = NULL;
	*n = 0;
	for (size_t i = 0; i < ctx->snap->n_articles; i++) {
		const struct article *a = ctx->snap->articles[i];
		if (!article_visible(a, ctx->now) || !in_series(a, key))
			continue;
		parts = xgrowarray(parts, *n, sizeof *parts);
		parts[(*n)++] = a;
	}
	if (*n > 1)
		qsort(parts, *n, sizeof *parts, part_order);
	return parts;
}

/* "Part 2 of 5": a part's number is its place in the published order. */
static char *part_label(const struct labels *t, size_t at, size_t n)
{
	return xasprintf("%s %zu %s %zu", t->part, at + 1, t->of, n);
}

static void series_page(struct route_context *ctx, const char *key, const struct article **parts,
                        size_t n)
{
	struct page p;
	routes_begin_page(ctx, &p);
	char *title = xasprintf("%s: %s", ctx->labels->series, parts[0]->meta.series);
	page_title(&p, title);
	free(title);
	page_blank(&p);
	for (size_t i = 0; i < n; i++) {
		char *label = part_label(ctx->labels, i, n);
		page_text(&p, label);
		page_article_link(&p, parts[i]);
		free(label);
	}
	page_blank(&p);
	char *feed = xasprintf("/%s/%s/%s", RESERVED_SERIES, key, RESERVED_FEED_XML);
	char *label = xasprintf("%s (Atom)", ctx->labels->feeds);
	page_link(&p, '0', feed, label);
	free(label);
	free(feed);
	page_link(&p, '1', "/", ctx->labels->front_page);
}

void newsroom_series(struct route_context *ctx, const char *key, bool feed)
{
	size_t n;
	const struct article **parts = series_parts(ctx, key, &n);
	if (n == 0) {
		routes_not_found(ctx);
	} else if (feed) {
		feed_answer(ctx);
		char *self = xasprintf("/%s/%s/%s", RESERVED_SERIES, key, RESERVED_FEED_XML);
		char *page_path = xasprintf("/%s/%s/", RESERVED_SERIES, key);
		struct feed f = {parts[0]->meta.series, self, page_path, ctx->snap};
		/* A feed reader shows the newest entry first: the last part. */
		const struct article **newest = xcalloc(n, sizeof *newest);
		for (size_t i = 0; i < n; i++)
			newest[i] = parts[n - 1 - i];
		feed_atom(&ctx->result->body, &f, ctx->snap->vhost, ctx->origin, ctx->out, newest, n);
		free(newest);
		free(page_path);
		free(self);
	} else {
		series_page(ctx, key, parts, n);
	}
	free(parts);
}

void newsroom_series_list(struct route_context *ctx)
{
	struct page p;
	routes_begin_page(ctx, &p);
	page_title(&p, ctx->labels->series);
	page_blank(&p);
	/* The set borrows its strings: the keys live until it is freed. */
	struct strset seen = {0};
	char **keys = NULL;
	size_t n_keys = 0;
	for (size_t i = 0; i < ctx->snap->n_articles; i++) {
		const struct article *a = ctx->snap->articles[i];
		if (a->meta.series == NULL || !article_visible(a, ctx->now))
			continue;
		char *key = text_slug(a->meta.series);
		bool added;
		strset_add(&seen, key, &added);
		if (!added) {
			free(key);
			continue;
		}
		keys = xgrowarray(keys, n_keys, sizeof *keys);
		keys[n_keys++] = key;
		char *path = xasprintf("/%s/%s/", RESERVED_SERIES, key);
		page_link(&p, '1', path, a->meta.series);
		free(path);
	}
	if (n_keys == 0)
		page_text(&p, ctx->labels->no_results);
	strset_free(&seen);
	for (size_t i = 0; i < n_keys; i++)
		free(keys[i]);
	free(keys);
	page_blank(&p);
	page_link(&p, '1', "/", ctx->labels->front_page);
}

static void part_link(struct page *p, const char *word, const struct article *a)
{
	char *label = xasprintf("%s: %s", word, a->meta.title != NULL ? a->meta.title : a->path);
	page_link(p, PAGE_ARTICLE_TYPE, a->path, label);
	free(label);
}

void newsroom_series_navigation(struct route_context *ctx, struct page *p, const struct article *a)
{
	if (a->meta.series == NULL)
		return;
	char *key = text_slug(a->meta.series);
	size_t n;
	const struct article **parts = series_parts(ctx, key, &n);
	size_t at = 0;
	while (at < n && parts[at] != a)
		at++;
	if (at < n) {
		page_blank(p);
		char *label = part_label(ctx->labels, at, n);
		char *heading = xasprintf("%s: %s", label, a->meta.series);
		page_text(p, heading);
		free(heading);
		free(label);
		if (at > 0)
			part_link(p, ctx->labels->previous_part, parts[at - 1]);
		if (at + 1 < n)
			part_link(p, ctx->labels->next_part, parts[at + 1]);
		char *path = xasprintf("/%s/%s/", RESERVED_SERIES, key);
		char *all = xasprintf("%s: %s", ctx->labels->series, a->meta.series);
		page_link(p, '1', path, all);
		free(all);
		free(path);
	}
	free(parts);
	free(key);
}
