#include "site.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "text.h"
#include "render.h"
#include "indexes.h"
#include "listing.h"
#include "newsroom.h"
#include "reserved.h"
#include "routes.h"
#include "search_page.h"

/* Articles under each section on the front page. */
#define FRONT_SECTION_ITEMS 3
#define RELATED_MAX 5
/* Authors or tags an article's Gopher menu lists as ways on; past these,
 * the index pages have them (an article may name thousands of tags). */
#define NAMED_LINKS_MAX 32
/* Deeper paths than this are never an index page. */
#define MAX_SEGMENTS 6

struct segments {
	char *copy;
	const char *part[MAX_SEGMENTS];
	size_t n;
};

void route_result_free(struct route_result *result)
{
	buf_free(&result->body);
	free(result->target);
	result->target = NULL;
}

static void redirect(struct route_context *ctx, const char *target)
{
	ctx->result->kind = ROUTE_REDIRECT;
	ctx->result->target = xstrdup(target);
}

/* Splits "/section/barru/page/2/" into its non-empty parts; false when
 * there are too many for any route. */
static bool split_path(const char *path, struct segments *s)
{
	s->copy = xstrdup(path);
	s->n = 0;
	char *rest = s->copy;
	char *part;
	while ((part = strsep(&rest, "/")) != NULL) {
		if (part[0] == '\0')
			continue;
		if (s->n == MAX_SEGMENTS)
			return false;
		s->part[s->n++] = part;
	}
	return true;
}

/* "2" -> 2; 0 for anything that is not a plain page number (no sign, no
 * leading zero, no absurd length), so odd paths answer not found. */
static size_t page_number(const char *text)
{
	size_t len = strlen(text);
	if (len == 0 || len > 6 || text[0] == '0' || strspn(text, "0123456789") != len)
		return 0;
	return (size_t)strtoul(text, NULL, 10);
}

/* The page a listing path asks for after its first `at` parts: nothing
 * (page 1) or "page/N". 0 when the rest is not that. */
static size_t listing_page(const struct segments *s, size_t at)
{
	if (s->n == at)
		return 1;
	if (s->n == at + 2 && strcmp(s->part[at], "page") == 0)
		return page_number(s->part[at + 1]);
	return 0;
}

/* ---- front page ---- */

/* The capsule's index.gmi above the headlines, its links items in Gopher. */
static void front_intro(struct route_context *ctx, struct page *p)
{
	const char *intro = ctx->snap->front_intro;
	if (intro == NULL || intro[0] == '\0')
		return;
	page_gemtext(p, intro, strlen(intro), "/index.gmi", ctx->snap);
}

static void front_latest(struct route_context *ctx, struct page *p)
{
	struct listing l;
	listing_init(&l, ctx->snap, ctx->now);
	listing_add_all(&l);
	size_t size = routes_page_size(ctx);
	const struct article **latest = xcalloc(size, sizeof(*latest));
	size_t n = listing_slice(&l, 0, latest, size);
	page_heading(p, ctx->labels->latest);
	for (size_t i = 0; i < n; i++)
		page_article_link(p, latest[i]);
	free(latest);
	listing_free(&l);
}

static void front_sections(struct route_context *ctx, struct page *p)
{
	const struct index *sections = &ctx->snap->sections;
	bool headed = false;
	for (size_t i = 0; i < sections->n_entries; i++) {
		const struct index_entry *entry = &sections->entries[i];
		struct listing l;
		listing_init(&l, ctx->snap, ctx->now);
		listing_add_entry(&l, entry);
		const struct article *newest[FRONT_SECTION_ITEMS];
		size_t n = listing_slice(&l, 0, newest, FRONT_SECTION_ITEMS);
		listing_free(&l);
		if (n == 0)
			continue;
		if (!headed)
			page_heading(p, ctx->labels->sections);
		headed = true;
		page_blank(p);
		char *path = xasprintf("/section/%s/", entry->key);
		page_link(p, '1', path, entry->name);
		free(path);
		for (size_t k = 0; k < n; k++)
			page_article_link(p, newest[k]);
	}
}

static void front_ways_in(struct route_context *ctx, struct page *p)
{
	const struct labels *words = ctx->labels;
	page_heading(p, words->search);
	page_link(p, '7', "/search", words->search_prompt);
	page_heading(p, words->feeds);
	char *atom = xasprintf("%s (Atom)", words->feeds);
	char *gemini = xasprintf("%s (Gemini)", words->feeds);
	page_link(p, '0', "/feed.xml", atom);
	page_link(p, '1', "/feed.gmi", gemini);
	free(atom);
	free(gemini);
	/* The ways to browse, "Archive" among them, each named once. */
	page_blank(p);
	page_link(p, '1', "/archive/", words->archive);
	page_link(p, '1', "/section/", words->sections);
	page_link(p, '1', "/author/", words->author);
	page_link(p, '1', "/tag/", words->tags);
}

static void route_front(struct route_context *ctx)
{
	struct page p;
	routes_begin_page(ctx, &p);
	/* An intro that opens with its own title replaces the site's. */
	const char *intro = ctx->snap->front_intro;
	if (intro == NULL || strncmp(intro, "# ", 2) != 0) {
		page_title(&p, routes_site_title(ctx->snap->vhost));
		page_blank(&p);
	}
	front_intro(ctx, &p);
	front_latest(ctx, &p);
	front_sections(ctx, &p);
	front_ways_in(ctx, &p);
}

/* ---- articles ---- */

static void neighbour_link(struct page *p, const char *word, const struct article *a)
{
	char day[11] = "";
	if (a->meta.date.set)
		page_day(day, &a->meta.date);
	char *label = xasprintf("%s: %s%s%s", word, day, day[0] ? " " : "",
	                        a->meta.title != NULL ? a->meta.title : a->path);
	page_link(p, PAGE_ARTICLE_TYPE, a->path, label);
	free(label);
}

/* "Author: Rina Paluseri", "Tags: banjir": the index pages of what the
 * article names, for Gopher, whose text shows them as words only (gemtext
 * links them in the byline and the tag line). */
static void named_index_links(struct page *p, const struct index *idx, const char *kind,
                              const char *word, char *const *names, size_t n)
{
	if (n > NAMED_LINKS_MAX)
		n = NAMED_LINKS_MAX;
	for (size_t i = 0; i < n; i++) {
		const struct index_entry *entry = listing_entry_named(idx, names[i]);
		if (entry == NULL)
			continue;
		char *path = xasprintf("/%s/%s/", kind, entry->key);
		char *label = xasprintf("%s: %s", word, entry->name);
		page_link(p, '1', path, label);
		free(label);
		free(path);
	}
}

static void article_related(struct route_context *ctx, struct page *p, const struct article *a)
{
	const struct article *related[RELATED_MAX];
	size_t n = listing_related(ctx->snap, a, ctx->now, related, RELATED_MAX);
	if (n == 0)
		return;
	page_heading(p, ctx->labels->related);
	for (size_t i = 0; i < n; i++)
		page_article_link(p, related[i]);
}

static void article_navigation(struct route_context *ctx, struct page *p, const struct article *a)
{
	const struct article *older, *newer;
	listing_neighbours(ctx->snap, a, ctx->now, &older, &newer);
	page_blank(p);
	if (newer != NULL)
		neighbour_link(p, ctx->labels->newer, newer);
	if (older != NULL)
		neighbour_link(p, ctx->labels->older, older);
	named_index_links(p, &ctx->snap->sections, "section", ctx->labels->section,
	                  &a->meta.section, 1);
	if (ctx->out == OUTPUT_GOPHER) {
		named_index_links(p, &ctx->snap->authors, "author", ctx->labels->author,
		                  a->meta.authors, a->meta.n_authors);
		named_index_links(p, &ctx->snap->tags, "tag", ctx->labels->tags, a->meta.tags,
		                  a->meta.n_tags);
	}
	page_link(p, '1', "/", ctx->labels->front_page);
}

static void article_page(struct route_context *ctx, const struct article *a, enum page_form form)
{
	struct page p;
	routes_begin_page(ctx, &p);
	if (a->meta.lang != NULL && strlen(a->meta.lang) < sizeof ctx->result->lang)
		strcpy(ctx->result->lang, a->meta.lang);
	ctx->labels = labels_for(a->meta.lang != NULL ? a->meta.lang : ctx->snap->vhost->lang);
	/* Gemtext links stay paths, as on every other page, so they follow the
	 * host and port the reader used; Gopher text can only name absolute
	 * URLs. */
	struct buf base = {0};
	if (ctx->out == OUTPUT_GOPHER)
		page_base_url(&base, ctx->origin, ctx->out);
	struct render_context render = {.vhost = ctx->snap->vhost, .base_url = base.data,
	                                .snapshot = ctx->snap, .menu = ctx->origin};
	p.form = form;
	if (form == PAGE_GEMTEXT) {
		render_gemtext(p.body, a, &render);
	} else if (form == PAGE_GOPHER_MENU) {
		char *text_path = xasprintf("%s.txt", a->path);
		page_link(&p, '0', text_path, ctx->labels->plain_text);
		page_blank(&p);
		free(text_path);
		render_gopher_menu(p.body, a, &render);
	} else {
		render_gopher_text(p.body, a, &render);
		ctx->result->gopher_type = '0';
	}
	buf_free(&base);
	newsroom_series_navigation(ctx, &p, a);
	article_related(ctx, &p, a);
	article_navigation(ctx, &p, a);
}

/* In the article's own language: its lang= and the words around it
 * (related, newer, older) as well as its byline and reading time. In
 * Gopher the article is a menu, so every link in it can be followed; its
 * plain text (for saving, and for clients that would rather have text) is
 * at its address with ".txt". */
void routes_article_page(struct route_context *ctx, const struct article *a)
{
	article_page(ctx, a, ctx->out == OUTPUT_GOPHER ? PAGE_GOPHER_MENU : PAGE_GEMTEXT);
}

/* The article path names with suffix taken off (".gmi" in Gemini, ".txt"
 * for the plain text in Gopher), cutting it off asked; NULL when none. */
static const struct article *article_with_suffix(struct route_context *ctx, char *asked,
                                                 const char *suffix)
{
	size_t len = strlen(asked);
	if (!text_ends_with(asked, len, suffix))
		return NULL;
	asked[len - strlen(suffix)] = '\0';
	const struct article *a = snapshot_find_article(ctx->snap, asked);
	if (a == NULL)
		asked[len - strlen(suffix)] = suffix[0];
	return a;
}

/* An article by its path, its path with ".gmi" (Gemini) or ".txt" (its
 * plain text, Gopher), or one of its aliases. False when the path names no
 * article. */
static bool route_article(struct route_context *ctx, const char *path)
{
	char *asked = xstrdup(path);
	const struct article *a = snapshot_find_article(ctx->snap, asked);
	bool text = false;
	if (a == NULL && ctx->out == OUTPUT_GEMINI)
		a = article_with_suffix(ctx, asked, ".gmi");
	if (a == NULL && ctx->out == OUTPUT_GOPHER)
		text = (a = article_with_suffix(ctx, asked, ".txt")) != NULL;
	if (a == NULL) {
		free(asked);
		return false;
	}
	if (!article_visible(a, ctx->now))
		routes_not_found(ctx);
	else if (a->meta.redirect != NULL)
		redirect(ctx, a->meta.redirect);
	else if (strcmp(asked, a->path) != 0)
		redirect(ctx, a->path);
	else if (text)
		article_page(ctx, a, PAGE_GOPHER_TEXT);
	else
		routes_article_page(ctx, a);
	free(asked);
	return true;
}

/* ---- dispatch ---- */

static bool index_kind_named(const char *name, enum index_kind *kind)
{
	static const char *const names[] = {[INDEX_SECTION] = RESERVED_SECTION,
	                                    [INDEX_AUTHOR] = RESERVED_AUTHOR,
	                                    [INDEX_TAG] = RESERVED_TAG};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i]) == 0) {
			*kind = (enum index_kind)i;
			return true;
		}
	}
	return false;
}

/* /section/, /section/NAME/, /section/NAME/page/N/, /section/NAME/feed.xml */
static void route_named_index(struct route_context *ctx, enum index_kind kind, const struct segments *s)
{
	if (s->n == 1) {
		routes_index_list(ctx, kind);
		return;
	}
	const struct index_entry *entry = index_find(routes_index(ctx, kind), s->part[1]);
	if (entry == NULL) {
		routes_not_found(ctx);
		return;
	}
	if (s->n == 3 && strcmp(s->part[2], RESERVED_FEED_XML) == 0) {
		routes_index_entry(ctx, kind, entry, 1, true);
		return;
	}
	size_t page = listing_page(s, 2);
	if (page == 0)
		routes_not_found(ctx);
	else
		routes_index_entry(ctx, kind, entry, page, false);
}

static bool all_digits(const char *s, size_t len)
{
	return strlen(s) == len && strspn(s, "0123456789") == len;
}

/* The year and month parts of an archive path after its root, and where
 * its page part starts; false when the parts are not a year (and month). */
static bool period_parts(const struct segments *s, const char **year, const char **month,
                         size_t *at)
{
	if (s->n < 2 || !all_digits(s->part[1], 4))
		return false;
	*year = s->part[1];
	*month = NULL;
	*at = 2;
	if (s->n > 2 && all_digits(s->part[2], 2)) {
		*month = s->part[2];
		*at = 3;
	}
	return true;
}

/* /archive/, /archive/YYYY/[page/N/], /archive/YYYY/MM/[page/N/] */
static void route_archive(struct route_context *ctx, const struct segments *s)
{
	if (s->n == 1) {
		routes_archive(ctx);
		return;
	}
	const char *year, *month;
	size_t at, page = 0;
	if (period_parts(s, &year, &month, &at))
		page = listing_page(s, at);
	if (page == 0)
		routes_not_found(ctx);
	else
		routes_archive_period(ctx, "/archive/", year, month, page);
}

/*
 * The folders an article's address names: /news/[page/N/] is the newest
 * articles, /news/YYYY/ and /news/YYYY/MM/ (and their pages) the year and
 * the month. False for anything else under /news/, which is an article or
 * a capsule file: "/news/2024/03/page" can be an article's slug.
 */
static bool route_news(struct route_context *ctx, const struct segments *s)
{
	size_t page = listing_page(s, 1);
	if (page > 0) {
		routes_newest(ctx, page);
		return true;
	}
	const char *year, *month;
	size_t at;
	if (!period_parts(s, &year, &month, &at) || (page = listing_page(s, at)) == 0)
		return false;
	routes_archive_period(ctx, "/news/", year, month, page);
	return true;
}

/* /corrections/[feed.xml], /series/[NAME/[feed.xml]] (newsroom.h). */
static bool route_newsroom(struct route_context *ctx, const struct segments *s)
{
	const char *first = s->part[0];
	bool feed = s->n > 1 && strcmp(s->part[s->n - 1], RESERVED_FEED_XML) == 0;
	if (strcmp(first, RESERVED_CORRECTIONS) == 0) {
		if (s->n == 1 || (s->n == 2 && feed))
			newsroom_corrections(ctx, feed);
		else
			routes_not_found(ctx);
		return true;
	}
	if (strcmp(first, RESERVED_SERIES) != 0)
		return false;
	if (s->n == 1)
		newsroom_series_list(ctx);
	else if (s->n == 2 || (s->n == 3 && feed))
		newsroom_series(ctx, s->part[1], s->n == 3);
	else
		routes_not_found(ctx);
	return true;
}

/* /search, /search/newest, each with [page/N] (search_page.h). */
static void route_search(struct route_context *ctx, const struct segments *s, const char *query)
{
	bool newest = s->n > 1 && strcmp(s->part[1], "newest") == 0;
	size_t page = listing_page(s, newest ? 2 : 1);
	if (page == 0)
		routes_not_found(ctx);
	else
		search_page(ctx, newest, page, query);
}

/* The routes named by their first part; false when the path is none. */
static bool route_by_segments(struct route_context *ctx, const struct segments *s, const char *query)
{
	if (s->n == 0) {
		route_front(ctx);
		return true;
	}
	const char *first = s->part[0];
	enum index_kind kind;
	if (index_kind_named(first, &kind)) {
		route_named_index(ctx, kind, s);
		return true;
	}
	if (strcmp(first, RESERVED_ARCHIVE) == 0) {
		route_archive(ctx, s);
		return true;
	}
	if (route_newsroom(ctx, s))
		return true;
	if (strcmp(first, "news") == 0)
		return route_news(ctx, s);
	if (strcmp(first, RESERVED_SEARCH) == 0) {
		route_search(ctx, s, query);
		return true;
	}
	if (strcmp(first, RESERVED_DESK) == 0) {
		routes_not_found(ctx); /* editors only (desk.h): no one else sees it */
		return true;
	}
	if (s->n != 1)
		return false;
	if (strcmp(first, RESERVED_FEED_XML) == 0)
		routes_site_feed(ctx);
	else if (strcmp(first, RESERVED_FEED_GMI) == 0)
		routes_latest(ctx);
	else
		return false;
	return true;
}

void site_route(const struct snapshot *snap, enum output out, const struct origin *origin,
                const char *path, const char *query, struct route_result *result)
{
	struct route_context ctx;
	route_context_start(&ctx, snap, out, origin, result);
	if (path == NULL || path[0] != '/')
		return;
	struct segments s;
	bool routed = split_path(path, &s) && route_by_segments(&ctx, &s, query);
	free(s.copy);
	if (!routed && !route_article(&ctx, path))
		result->kind = ROUTE_NONE;
}
