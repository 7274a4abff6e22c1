#include "pagecache.h"

#include "check.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "answer.h"

/*
 * A snapshot made by hand: its articles (newest first, as the builder
 * sorts them) are all the cache looks at, by their dates:
 *   3000 (scheduled), 2000 (scheduled), 1000 (published), undated.
 */
static struct article dated_3000, dated_2000, dated_1000, undated;
static struct article *articles[] = {&dated_3000, &dated_2000, &dated_1000, &undated};
static struct snapshot snap = {.articles = articles, .n_articles = 4};

static const struct page_key front = {"/", OUTPUT_GEMINI, "localhost", 1965, true};

static void setup(void)
{
	dated_3000.meta.date = (struct when){.set = true, .t = 3000};
	dated_2000.meta.date = (struct when){.set = true, .t = 2000};
	dated_1000.meta.date = (struct when){.set = true, .t = 1000};
	undated.meta.date.set = false;
}

static void fresh_cache(void)
{
	page_cache_free(snap.cache);
	snap.cache = page_cache_new();
}

/* Looks key up at now; on a miss "renders" text between from and to and
 * keeps it. Returns what a connection would send. */
static char *serve(const struct page_key *key, time_t now, time_t from, time_t to,
                   const char *text, bool *hit)
{
	struct response res;
	response_init(&res);
	*hit = page_cache_answer(&snap, key, now, &res);
	if (!*hit) {
		buf_puts(&res.head, text);
		res.status = 20;
		page_cache_keep(&snap, key, from, to, &res);
		CHECK_INT(res.head.len, 0);
	}
	CHECK(res.page != NULL);
	CHECK_INT(res.status, 20);
	char *sent = res.page ? xstrndup(res.page->data, res.page->len) : xstrdup("");
	response_free(&res);
	return sent;
}

static bool hits(const struct page_key *key, time_t now)
{
	bool hit;
	free(serve(key, now, now, now, "20 text/gemini\r\nfresh\n", &hit));
	return hit;
}

static void test_second_request_is_served_from_the_cache(void)
{
	fresh_cache();
	bool hit;
	char *first = serve(&front, 1500, 1500, 1500, "20 text/gemini\r\nPage one\n", &hit);
	CHECK(!hit);
	CHECK_STR(first, "20 text/gemini\r\nPage one\n");
	char *second = serve(&front, 1999, 1999, 1999, "20 text/gemini\r\nrendered again\n", &hit);
	CHECK(hit);
	CHECK_STR(second, "20 text/gemini\r\nPage one\n");
	CHECK_INT(page_cache_count(snap.cache), 1);
	CHECK(page_cache_bytes(snap.cache) >= strlen(first));
	free(first);
	free(second);
}

static void test_every_part_of_the_key_counts(void)
{
	fresh_cache();
	CHECK(!hits(&front, 1500));
	CHECK(hits(&front, 1500));
	const struct page_key others[] = {
		{"/", OUTPUT_GOPHER, "localhost", 1965, true},
		{"/", OUTPUT_GEMINI, "127.0.0.1", 1965, true},
		{"/", OUTPUT_GEMINI, "localhost", 1966, true},
		{"/", OUTPUT_GEMINI, "localhost", 1965, false},
		{"/feed.xml", OUTPUT_GEMINI, "localhost", 1965, true},
		/* The NUL between host and path keeps these two apart. */
		{"/x", OUTPUT_GEMINI, "a", 1965, true},
		{"x/x", OUTPUT_GEMINI, "a/", 1965, true},
	};
	for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
		CHECK(!hits(&others[i], 1500));
	for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
		CHECK(hits(&others[i], 1500));
	CHECK_INT(page_cache_count(snap.cache), 8);
}

/* The page of 1999 does not list the article of 2000; at 2000 it must. */
static void test_a_scheduled_article_ends_the_window(void)
{
	fresh_cache();
	CHECK(!hits(&front, 1500));
	CHECK(hits(&front, 1999));
	CHECK(!hits(&front, 2000));
	CHECK(hits(&front, 2999));
	CHECK(!hits(&front, 3000));
	CHECK(hits(&front, 1000000));
}

/* Rendered while the clock passed 2000: right for neither side. */
static void test_a_page_rendered_across_a_reveal_is_not_kept(void)
{
	fresh_cache();
	bool hit;
	free(serve(&front, 1999, 1999, 2000, "20 text/gemini\r\nstraddling\n", &hit));
	CHECK(!hit);
	CHECK_INT(page_cache_count(snap.cache), 0);
	CHECK(!hits(&front, 1999));
	CHECK_INT(page_cache_count(snap.cache), 1);
}

static void test_a_clock_set_back_starts_over(void)
{
	fresh_cache();
	CHECK(!hits(&front, 2500));
	CHECK(hits(&front, 2500));
	CHECK(!hits(&front, 1500));
	CHECK(hits(&front, 1500));
}

/* Whatever window the cache keeps a page for, no article changes sides
 * within it under article_visible: the two rules are one. */
static void test_windows_agree_with_article_visible(void)
{
	fresh_cache();
	time_t rendered_at = 0;
	for (time_t now = 0; now <= 3500; now += 7) {
		if (!hits(&front, now)) {
			rendered_at = now;
			continue;
		}
		for (size_t i = 0; i < snap.n_articles; i++)
			CHECK(article_visible(articles[i], rendered_at) == article_visible(articles[i], now));
	}
}

static void test_no_cache_changes_nothing(void)
{
	struct snapshot bare = {.articles = articles, .n_articles = 4};
	struct response res;
	response_init(&res);
	CHECK(!page_cache_answer(&bare, &front, 1500, &res));
	buf_puts(&res.head, "20 text/gemini\r\nx\n");
	page_cache_keep(&bare, &front, 1500, 1500, &res);
	CHECK(res.page == NULL);
	CHECK_STR(res.head.data, "20 text/gemini\r\nx\n");
	response_free(&res);
}

/* A page of len bytes (not written: only its size matters here). */
static bool keep_sized(const char *path, size_t len)
{
	struct page_key key = {path, OUTPUT_GOPHER, "localhost", 70, false};
	struct response res;
	response_init(&res);
	if (page_cache_answer(&snap, &key, 1500, &res)) {
		response_free(&res);
		return true;
	}
	buf_reserve(&res.head, len);
	res.head.len = len;
	page_cache_keep(&snap, &key, 1500, 1500, &res);
	CHECK(res.page != NULL && res.page->len == len);
	response_free(&res);
	return false;
}

static void test_bytes_are_bounded(void)
{
	fresh_cache();
	CHECK(!keep_sized("/too-big", PAGE_CACHE_BYTES + 1));
	CHECK_INT(page_cache_count(snap.cache), 0);
	CHECK(!keep_sized("/half-1", PAGE_CACHE_BYTES / 2 - 100));
	CHECK(!keep_sized("/half-2", PAGE_CACHE_BYTES / 2 - 100));
	CHECK_INT(page_cache_count(snap.cache), 2);
	/* One more would pass the bound: the cache starts over with it. */
	CHECK(!keep_sized("/small", 1000));
	CHECK_INT(page_cache_count(snap.cache), 1);
	CHECK(page_cache_bytes(snap.cache) <= PAGE_CACHE_BYTES);
	CHECK(keep_sized("/small", 1000));
}

/* Many threads asking for the same few pages while windows turn over. */
static void *hammer(void *arg)
{
	time_t base = (time_t)(size_t)arg;
	const char *paths[] = {"/", "/a", "/b", "/c"};
	for (int i = 0; i < 4000; i++) {
		struct page_key key = {paths[i % 4], OUTPUT_GEMINI, "localhost", 1965, true};
		time_t now = base + (i / 500) * 400;
		bool hit;
		char *sent = serve(&key, now, now, now, "20 text/gemini\r\nsame\n", &hit);
		CHECK_STR(sent, "20 text/gemini\r\nsame\n");
		free(sent);
	}
	return NULL;
}

static void test_threads_share_one_cache(void)
{
	fresh_cache();
	pthread_t threads[4];
	for (size_t i = 0; i < 4; i++)
		pthread_create(&threads[i], NULL, hammer, (void *)(size_t)(1000 + i));
	for (size_t i = 0; i < 4; i++)
		pthread_join(threads[i], NULL);
	CHECK(page_cache_count(snap.cache) <= 4);
}

int main(void)
{
	setup();
	RUN(test_second_request_is_served_from_the_cache);
	RUN(test_every_part_of_the_key_counts);
	RUN(test_a_scheduled_article_ends_the_window);
	RUN(test_a_page_rendered_across_a_reveal_is_not_kept);
	RUN(test_a_clock_set_back_starts_over);
	RUN(test_windows_agree_with_article_visible);
	RUN(test_no_cache_changes_nothing);
	RUN(test_bytes_are_bounded);
	RUN(test_threads_share_one_cache);
	page_cache_free(snap.cache);
	return check_report();
}
