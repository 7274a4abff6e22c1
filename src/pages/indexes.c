#include "indexes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "feed.h"
#include "listing.h"

/* Search results shown at most. */

static const char *const index_paths[] = {
	[INDEX_SECTION] = "section",
	[INDEX_AUTHOR] = "author",
	[INDEX_TAG] = "tag",
};

const struct index *routes_index(const struct route_context *ctx, enum index_kind kind)
{
	switch (kind) {
	case INDEX_SECTION:
		return &ctx->snap->sections;
	case INDEX_AUTHOR:
		return &ctx->snap->authors;
	case INDEX_TAG:
		break;
	}
	return &ctx->snap->tags;
}

static const char *index_word(const struct route_context *ctx, enum index_kind kind)
{
	switch (kind) {
	case INDEX_SECTION:
		return ctx->labels->section;
	case INDEX_AUTHOR:
		return ctx->labels->author;
	case INDEX_TAG:
		break;
	}
	return ctx->labels->tags;
}

static const char *index_list_title(const struct route_context *ctx, enum index_kind kind)
{
	return kind == INDEX_SECTION ? ctx->labels->sections : index_word(ctx, kind);
}

/* "/section/barru/page/3/" for page 3, "/section/barru/" for page 1. */
static char *page_path(const char *base, size_t page)
{
	if (page <= 1)
		return xstrdup(base);
	return xasprintf("%spage/%zu/", base, page);
}

static void page_switch_link(struct page *p, const char *base, size_t page, const char *word,
                             size_t pages)
{
	char *path = page_path(base, page);
	char *label = xasprintf("%s (%zu/%zu)", word, page, pages);
	page_link(p, '1', path, label);
	free(label);
	free(path);
}

/*
 * The head of page `page` of a listing as a subscription page: the title,
 * one dated link per article, then the way to newer and older pages. False
 * (and nothing written) when the page is past the end.
 */
static bool begin_listing(struct route_context *ctx, struct page *p, const char *title,
                          const char *base, const struct listing *l, size_t page)
{
	size_t size = routes_page_size(ctx);
	size_t pages = l->n_visible == 0 ? 1 : (l->n_visible - 1) / size + 1;
	if (page == 0 || page > pages)
		return false;
	routes_begin_page(ctx, p);
	page_title(p, title);
	page_blank(p);
	const struct article **shown = xcalloc(size, sizeof(*shown));
	size_t n = listing_slice(l, (page - 1) * size, shown, size);
	for (size_t i = 0; i < n; i++)
		page_article_link(p, shown[i]);
	if (n == 0)
		page_text(p, ctx->labels->no_results);
	free(shown);
	page_blank(p);
	if (page > 1)
		page_switch_link(p, base, page - 1, ctx->labels->newer, pages);
	if (page < pages)
		page_switch_link(p, base, page + 1, ctx->labels->older, pages);
	return true;
}

/* The foot of a listing page: its feed, if it has one, and the way home. */
static void end_listing(struct route_context *ctx, struct page *p, const char *feed_path)
{
	if (feed_path != NULL) {
		char *label = xasprintf("%s (Atom)", ctx->labels->feeds);
		page_link(p, '0', feed_path, label);
		free(label);
	}
	page_link(p, '1', "/", ctx->labels->front_page);
}

static bool write_listing(struct route_context *ctx, const char *title, const char *base,
                          const char *feed_path, const struct listing *l, size_t page)
{
	struct page p;
	if (!begin_listing(ctx, &p, title, base, l, page))
		return false;
	end_listing(ctx, &p, feed_path);
	return true;
}

static void write_feed(struct route_context *ctx, const struct feed *feed, const struct listing *l)
{
	const struct article *entries[FEED_MAX_ENTRIES];
	size_t n = listing_slice(l, 0, entries, FEED_MAX_ENTRIES);
	struct route_result *r = ctx->result;
	r->kind = ROUTE_PAGE;
	r->mime = "application/atom+xml";
	r->gopher_type = '0';
	feed_atom(&r->body, feed, ctx->snap->vhost, ctx->origin, ctx->out, entries, n);
}

void routes_index_list(struct route_context *ctx, enum index_kind kind)
{
	const struct index *idx = routes_index(ctx, kind);
	struct page p;
	routes_begin_page(ctx, &p);
	page_title(&p, index_list_title(ctx, kind));
	page_blank(&p);
	size_t listed = 0;
	for (size_t i = 0; i < idx->n_entries; i++) {
		const struct index_entry *entry = &idx->entries[i];
		size_t count = listing_count_entry(ctx->snap, entry, ctx->now);
		if (count == 0)
			continue;
		char *path = xasprintf("/%s/%s/", index_paths[kind], entry->key);
		char *label = xasprintf("%s (%zu)", entry->name, count);
		page_link(&p, '1', path, label);
		free(label);
		free(path);
		listed++;
	}
	if (listed == 0)
		page_text(&p, ctx->labels->no_results);
	page_blank(&p);
	page_link(&p, '1', "/", ctx->labels->front_page);
}

void routes_index_entry(struct route_context *ctx, enum index_kind kind,
                        const struct index_entry *entry, size_t page, bool feed)
{
	struct listing l;
	listing_init(&l, ctx->snap, ctx->now);
	listing_add_entry(&l, entry);
	/* An entry whose articles are all still to come does not exist yet. */
	if (l.n_visible == 0) {
		listing_free(&l);
		routes_not_found(ctx);
		return;
	}
	char *base = xasprintf("/%s/%s/", index_paths[kind], entry->key);
	char *feed_path = xasprintf("%sfeed.xml", base);
	char *title = xasprintf("%s: %s", index_word(ctx, kind), entry->name);
	if (feed) {
		char *feed_title = xasprintf("%s: %s", routes_site_title(ctx->snap->vhost), entry->name);
		struct feed f = {feed_title, feed_path, base, ctx->snap};
		write_feed(ctx, &f, &l);
		free(feed_title);
	} else if (!write_listing(ctx, title, base, feed_path, &l, page)) {
		routes_not_found(ctx);
	}
	free(title);
	free(feed_path);
	free(base);
	listing_free(&l);
}

/* ---- archive ---- */

/* Month keys are "YYYY/MM"; anything else in the index is not shown. */
static bool month_key(const char *key, int *month)
{
	if (strlen(key) != 7 || key[4] != '/' || strspn(key, "0123456789") != 4 ||
	    strspn(key + 5, "0123456789") != 2)
		return false;
	*month = atoi(key + 5);
	return *month >= 1 && *month <= 12;
}

static char *month_title(const struct route_context *ctx, const char *key, int month)
{
	return xasprintf("%s %.4s", ctx->labels->months[month - 1], key);
}

/* Writes the year's line when key starts a year not written yet. */
static void archive_year_line(struct route_context *ctx, struct page *p, const char *key,
                              char year[5])
{
	if (strncmp(year, key, 4) == 0)
		return;
	memcpy(year, key, 4);
	year[4] = '\0';
	struct listing l;
	listing_init(&l, ctx->snap, ctx->now);
	const struct index *months = &ctx->snap->months;
	for (size_t i = 0; i < months->n_entries; i++) {
		if (strncmp(months->entries[i].key, year, 4) == 0)
			listing_add_entry(&l, &months->entries[i]);
	}
	char *path = xasprintf("/archive/%s/", year);
	char *label = xasprintf("%s (%zu)", year, l.n_visible);
	page_heading(p, year);
	page_link(p, '1', path, label);
	free(label);
	free(path);
	listing_free(&l);
}

void routes_archive(struct route_context *ctx)
{
	const struct index *months = &ctx->snap->months;
	struct page p;
	routes_begin_page(ctx, &p);
	page_title(&p, ctx->labels->archive);
	char year[5] = "";
	/* Keys sort oldest first; the archive reads newest first. */
	for (size_t i = months->n_entries; i-- > 0;) {
		const struct index_entry *entry = &months->entries[i];
		int month;
		size_t count = listing_count_entry(ctx->snap, entry, ctx->now);
		if (!month_key(entry->key, &month) || count == 0)
			continue;
		archive_year_line(ctx, &p, entry->key, year);
		char *path = xasprintf("/archive/%s/", entry->key);
		char *name = month_title(ctx, entry->key, month);
		char *label = xasprintf("%s (%zu)", name, count);
		page_link(&p, '1', path, label);
		free(label);
		free(name);
		free(path);
	}
	if (year[0] == '\0')
		page_text(&p, ctx->labels->no_results);
	page_blank(&p);
	page_link(&p, '1', "/", ctx->labels->front_page);
}

/* The listing of one month, or of a year as its months newest first. */
static void period_listing(struct route_context *ctx, struct listing *l, const char *year,
                           const char *month)
{
	const struct index *months = &ctx->snap->months;
	if (month != NULL) {
		char *key = xasprintf("%s/%s", year, month);
		const struct index_entry *entry = index_find(months, key);
		free(key);
		if (entry != NULL)
			listing_add_entry(l, entry);
		return;
	}
	for (size_t i = months->n_entries; i-- > 0;) {
		int m;
		if (month_key(months->entries[i].key, &m) && strncmp(months->entries[i].key, year, 4) == 0)
			listing_add_entry(l, &months->entries[i]);
	}
}

/*
 * The nearest month before (step -1) or after (step +1) the period that has
 * a published article; a year's neighbour is the nearest such month of
 * another year. NULL at either end of the archive.
 */
static const char *period_neighbour(const struct route_context *ctx, const char *year,
                                    const char *month, int step)
{
	const struct index *months = &ctx->snap->months;
	char key[8];
	snprintf(key, sizeof key, "%.4s/%.2s", year, month != NULL ? month : (step < 0 ? "00" : "99"));
	for (size_t k = 0; k < months->n_entries; k++) {
		size_t i = step < 0 ? months->n_entries - 1 - k : k;
		const struct index_entry *entry = &months->entries[i];
		int m, order = strcmp(entry->key, key);
		if ((step < 0 ? order >= 0 : order <= 0) || !month_key(entry->key, &m))
			continue;
		if (listing_count_entry(ctx->snap, entry, ctx->now) > 0)
			return entry->key;
	}
	return NULL;
}

/* "Older: March 2022" for a month, "Older: 2021" for a year. */
static void period_switch_link(struct route_context *ctx, struct page *p, const char *root,
                               const char *key, bool by_month, const char *word)
{
	int m;
	if (key == NULL || !month_key(key, &m))
		return;
	char *path = by_month ? xasprintf("%s%s/", root, key) : xasprintf("%s%.4s/", root, key);
	char *name = by_month ? month_title(ctx, key, m) : xasprintf("%.4s", key);
	char *label = xasprintf("%s: %s", word, name);
	page_link(p, '1', path, label);
	free(label);
	free(name);
	free(path);
}

/* The ways up (the year, the archive) and across (the months or years
 * before and after that have articles). */
static void period_ways(struct route_context *ctx, struct page *p, const char *root,
                        const char *year, const char *month)
{
	bool by_month = month != NULL;
	period_switch_link(ctx, p, root, period_neighbour(ctx, year, month, +1), by_month,
	                   ctx->labels->newer);
	period_switch_link(ctx, p, root, period_neighbour(ctx, year, month, -1), by_month,
	                   ctx->labels->older);
	if (by_month) {
		char *path = xasprintf("%s%s/", root, year);
		char *label = xasprintf("%s %s", ctx->labels->archive, year);
		page_link(p, '1', path, label);
		free(label);
		free(path);
	}
	page_link(p, '1', "/archive/", ctx->labels->archive);
}

void routes_archive_period(struct route_context *ctx, const char *root, const char *year,
                           const char *month, size_t page)
{
	struct listing l;
	listing_init(&l, ctx->snap, ctx->now);
	period_listing(ctx, &l, year, month);
	int m = month != NULL ? atoi(month) : 0;
	if (l.n_visible == 0 || (month != NULL && (m < 1 || m > 12))) {
		listing_free(&l);
		routes_not_found(ctx);
		return;
	}
	char *base, *title;
	if (month != NULL) {
		base = xasprintf("%s%s/%s/", root, year, month);
		title = xasprintf("%s %s", ctx->labels->months[m - 1], year);
	} else {
		base = xasprintf("%s%s/", root, year);
		title = xasprintf("%s %s", ctx->labels->archive, year);
	}
	struct page p;
	if (begin_listing(ctx, &p, title, base, &l, page)) {
		period_ways(ctx, &p, root, year, month);
		end_listing(ctx, &p, NULL);
	} else {
		routes_not_found(ctx);
	}
	free(title);
	free(base);
	listing_free(&l);
}

void routes_newest(struct route_context *ctx, size_t page)
{
	struct listing l;
	listing_init(&l, ctx->snap, ctx->now);
	listing_add_all(&l);
	struct page p;
	if (begin_listing(ctx, &p, ctx->labels->latest, "/news/", &l, page)) {
		page_link(&p, '1', "/archive/", ctx->labels->archive);
		end_listing(ctx, &p, "/feed.xml");
	} else {
		routes_not_found(ctx);
	}
	listing_free(&l);
}

/* ---- latest news ---- */

void routes_site_feed(struct route_context *ctx)
{
	struct listing l;
	listing_init(&l, ctx->snap, ctx->now);
	listing_add_all(&l);
	struct feed f = {routes_site_title(ctx->snap->vhost), "/feed.xml", "/", ctx->snap};
	write_feed(ctx, &f, &l);
	listing_free(&l);
}

/* The Gemini subscription page of the site: as many entries as the feed. */
void routes_latest(struct route_context *ctx)
{
	struct listing l;
	listing_init(&l, ctx->snap, ctx->now);
	listing_add_all(&l);
	const struct article *latest[FEED_MAX_ENTRIES];
	size_t n = listing_slice(&l, 0, latest, FEED_MAX_ENTRIES);
	listing_free(&l);
	struct page p;
	routes_begin_page(ctx, &p);
	page_title(&p, routes_site_title(ctx->snap->vhost));
	page_blank(&p);
	for (size_t i = 0; i < n; i++)
		page_article_link(&p, latest[i]);
	if (n == 0)
		page_text(&p, ctx->labels->no_results);
	page_blank(&p);
	page_link(&p, '1', "/", ctx->labels->front_page);
}
