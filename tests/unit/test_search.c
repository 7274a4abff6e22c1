#include "alloc.h"
#include "search.h"
#include "snapshot.h"

#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Hand-built articles: a title, a summary and one paragraph. */
static struct article *make(const char *title, const char *summary, const char *body, time_t date)
{
	struct article *a = xcalloc(1, sizeof *a);
	a->meta.title = (char *)title;
	a->meta.summary = (char *)summary;
	a->meta.date.set = true;
	a->meta.date.t = date;
	a->blocks = xcalloc(1, sizeof *a->blocks);
	a->n_blocks = 1;
	a->blocks[0].kind = BLOCK_PARAGRAPH;
	a->blocks[0].text = (char *)body;
	return a;
}

/* A snapshot holding only what search needs: the articles, newest first. */
struct fixture {
	struct search_vocab *vocab;
	struct search_terms **terms;
	struct snapshot snap;
};

static void fixture_build(struct fixture *f, struct article **articles, size_t n)
{
	f->vocab = search_vocab_new();
	f->terms = xcalloc(n, sizeof *f->terms);
	for (size_t i = 0; i < n; i++)
		f->terms[i] = search_terms_of(f->vocab, articles[i]);
	memset(&f->snap, 0, sizeof f->snap);
	f->snap.articles = articles;
	f->snap.n_articles = n;
	f->snap.search = search_index_build(f->vocab, f->terms, n);
}

static void fixture_free(struct fixture *f)
{
	search_index_free(f->snap.search);
	for (size_t i = 0; i < f->snap.n_articles; i++) {
		search_terms_free(f->terms[i]);
		free(f->snap.articles[i]->blocks);
		free(f->snap.articles[i]);
	}
	free(f->terms);
	search_vocab_free(f->vocab);
}

/* The first max hits of q, best first: how many were written. */
static size_t run(const struct search_index *idx, struct article *const *articles, const char *q,
                  size_t *out, size_t max)
{
	return search_query(idx, articles, q, 2000000000, out, max);
}

static size_t query(struct fixture *f, const char *q, size_t *out, size_t max)
{
	return run(f->snap.search, f->snap.articles, q, out, max);
}

static void test_folding(void)
{
	struct article *articles[] = {
		make("Bupati Kabupaten Barru meresmikan jembatan", NULL, "Jembatan baru.", 300),
		make("Café opens", NULL, "A CAFÉ in Makassar.", 200),
	};
	struct fixture f;
	fixture_build(&f, articles, 2);
	size_t out[4];
	CHECK_INT(query(&f, "kabupatén", out, 4), 1);
	CHECK_INT(out[0], 0);
	CHECK_INT(query(&f, "KABUPATEN barru", out, 4), 1);
	CHECK_INT(query(&f, "cafe", out, 4), 1);
	CHECK_INT(out[0], 1);
	CHECK_INT(query(&f, "Café, makassar!", out, 4), 1);
	fixture_free(&f);
}

static void test_and_and_misses(void)
{
	struct article *articles[] = {
		make("Pemilu di Barru", NULL, "Warga memilih.", 300),
		make("Pemilu di Pinrang", NULL, "Warga memilih juga.", 200),
		make("Banjir di Barru", NULL, "Air naik.", 100),
	};
	struct fixture f;
	fixture_build(&f, articles, 3);
	size_t out[4];
	CHECK_INT(query(&f, "pemilu barru", out, 4), 1);
	CHECK_INT(out[0], 0);
	CHECK_INT(query(&f, "barru", out, 4), 2);
	CHECK_INT(query(&f, "pemilu gempa", out, 4), 0);
	CHECK_INT(query(&f, "", out, 4), 0);
	CHECK_INT(query(&f, "  ...  ", out, 4), 0);
	CHECK_INT(query(&f, "barru", out, 1), 1); /* max is respected */
	fixture_free(&f);
}

static void test_ranking(void)
{
	struct article *articles[] = {
		make("Rapat desa", NULL, "Soal jembatan dibahas.", 500),           /* body */
		make("Rapat desa", "Jembatan rusak", "Dibahas.", 400),            /* summary */
		make("Jembatan putus", NULL, "Warga cemas.", 300),                /* title */
		make("Rapat", NULL, "Jembatan, jembatan, jembatan, jembatan.", 200), /* body x4 */
		make("Rapat lagi", NULL, "Soal jembatan dibahas.", 100),          /* body, older */
	};
	struct fixture f;
	fixture_build(&f, articles, 5);
	size_t out[8];
	CHECK_INT(query(&f, "jembatan", out, 8), 5);
	CHECK_INT(out[0], 2);
	CHECK_INT(out[1], 3);
	CHECK_INT(out[2], 1);
	CHECK_INT(out[3], 0); /* same score as position 4: newer first */
	CHECK_INT(out[4], 4);
	fixture_free(&f);
}

static void test_future_left_out(void)
{
	struct article *articles[] = {
		make("Embargoed report", NULL, "Later.", 3000000000),
		make("Published report", NULL, "Now.", 100),
	};
	struct fixture f;
	fixture_build(&f, articles, 2);
	size_t out[4];
	CHECK_INT(query(&f, "report", out, 4), 1);
	CHECK_INT(out[0], 1);
	fixture_free(&f);
}

/* Enough distinct words to grow the vocabulary's table several times. */
static void test_large_vocabulary(void)
{
	enum { N = 400 };
	struct article *articles[N];
	char *bodies[N];
	for (size_t i = 0; i < N; i++) {
		struct buf body = {0};
		for (int w = 0; w < 20; w++)
			buf_printf(&body, "w%zux%d ", i, w);
		bodies[i] = buf_steal(&body);
		articles[i] = make("Common", NULL, bodies[i], (time_t)(N - i));
	}
	struct fixture f;
	fixture_build(&f, articles, N);
	size_t out[N];
	CHECK_INT(query(&f, "w123x7", out, N), 1);
	CHECK_INT(out[0], 123);
	CHECK_INT(query(&f, "w399x19 common", out, N), 1);
	CHECK_INT(query(&f, "common", out, N), N);
	CHECK_INT(out[0], 0);
	CHECK_INT(out[N - 1], N - 1);
	fixture_free(&f);
	for (size_t i = 0; i < N; i++)
		free(bodies[i]);
}

/* Runs each query on both indexes (over the same snapshot) and checks
 * they give the same positions in the same order. */
static void check_same_results(struct snapshot *snap, const struct search_index *a,
                               const struct search_index *b)
{
	const char *queries[] = {"common", "w5x1", "w10x2", "fresh", "w599x0 common", "even",
	                         "odd common", "rewritten", "w7x3 even"};
	size_t out_a[700], out_b[700];
	for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) {
		size_t n_a = run(a, snap->articles, queries[q], out_a, 700);
		size_t n_b = run(b, snap->articles, queries[q], out_b, 700);
		CHECK_INT(n_a, n_b);
		CHECK(memcmp(out_a, out_b, n_a * sizeof *out_a) == 0);
	}
}

/* An index updated from an earlier one (an article gone, one re-read, one
 * new on top, so every position moves) answers exactly like one built
 * from scratch, and no longer needs the earlier one. */
static void test_update_matches_build(void)
{
	enum { N = 600 };
	struct article *articles[N + 1];
	char *bodies[N + 1];
	for (size_t i = 0; i < N; i++) {
		struct buf body = {0};
		for (int w = 0; w < 4; w++)
			buf_printf(&body, "w%zux%d ", i, w);
		buf_printf(&body, "%s", i % 2 ? "odd" : "even");
		bodies[i] = buf_steal(&body);
		articles[i] = make(i % 3 ? "Common" : "Common title", NULL, bodies[i], (time_t)(N - i) * 10);
	}
	struct fixture f;
	fixture_build(&f, articles, N);

	/* The next snapshot: a fresh article on top, article 5 gone, article
	 * 10 re-read with new words. */
	bodies[N] = xstrdup("fresh common even");
	struct article *fresh = make("Fresh", NULL, bodies[N], (time_t)N * 10 + 5);
	struct article *rewritten = make("Common", NULL, "rewritten odd w10x2", 55);
	struct article *next[N];
	struct search_terms *next_terms[N];
	size_t n = 0;
	next[n] = fresh;
	next_terms[n++] = search_terms_of(f.vocab, fresh);
	struct search_terms *rewritten_terms = search_terms_of(f.vocab, rewritten);
	for (size_t i = 0; i < N; i++) {
		if (i == 5)
			continue;
		next[n] = i == 10 ? rewritten : articles[i];
		next_terms[n++] = i == 10 ? rewritten_terms : f.terms[i];
	}
	struct snapshot snap = {.articles = next, .n_articles = n};
	struct search_index *updated = search_index_update(f.snap.search, next_terms, n);
	struct search_index *built = search_index_build(f.vocab, next_terms, n);
	size_t out[4];
	CHECK_INT(run(updated, snap.articles, "fresh", out, 4), 1);
	CHECK_INT(out[0], 0);
	CHECK_INT(run(updated, snap.articles, "w5x0", out, 4), 0);
	CHECK_INT(run(updated, snap.articles, "rewritten", out, 4), 1);
	CHECK_INT(out[0], 10);
	check_same_results(&snap, updated, built);

	/* The earlier index goes first, as when an old snapshot is freed. */
	search_index_free(f.snap.search);
	f.snap.search = search_index_build(f.vocab, f.terms, N);
	check_same_results(&snap, updated, built);
	CHECK_INT(run(updated, snap.articles, "common", out, 4), 4);
	CHECK(out[0] != 0); /* in the titles: over the fresh one, in its body */

	search_index_free(updated);
	search_index_free(built);
	search_terms_free(next_terms[0]);
	search_terms_free(rewritten_terms);
	free(fresh->blocks);
	free(fresh);
	free(rewritten->blocks);
	free(rewritten);
	fixture_free(&f);
	for (size_t i = 0; i <= N; i++)
		free(bodies[i]);
}

/* An article in lang, by author (NULL: none), tagged tag (NULL: none). */
static struct article *make_in(const char *lang, const char *title, const char *body,
                               const char *author, const char *tag, time_t date)
{
	struct article *a = make(title, NULL, body, date);
	a->meta.lang = (char *)lang;
	if (author != NULL) {
		a->meta.authors = xcalloc(1, sizeof *a->meta.authors);
		a->meta.authors[0] = (char *)author;
		a->meta.n_authors = 1;
	}
	if (tag != NULL) {
		a->meta.tags = xcalloc(1, sizeof *a->meta.tags);
		a->meta.tags[0] = (char *)tag;
		a->meta.n_tags = 1;
	}
	return a;
}

static void free_made(struct fixture *f)
{
	for (size_t i = 0; i < f->snap.n_articles; i++) {
		free(f->snap.articles[i]->meta.authors);
		free(f->snap.articles[i]->meta.tags);
	}
	fixture_free(f);
}

static void test_english_stems(void)
{
	struct article *articles[] = {
		make_in("en", "The lamp is back", "Volunteers fixed it.", NULL, NULL, 300),
		make_in("en", "Boats", "The lamps guide the boats home.", NULL, NULL, 200),
		make_in("en", "Nothing here", "Fish and rice.", NULL, NULL, 100),
	};
	struct fixture f;
	fixture_build(&f, articles, 3);
	size_t out[4];
	CHECK_INT(query(&f, "lamps", out, 4), 2);
	CHECK_INT(query(&f, "lamp", out, 4), 2);
	CHECK_INT(query(&f, "guiding", out, 4), 1);
	CHECK_INT(out[0], 1);
	CHECK_INT(query(&f, "boat", out, 4), 1);
	free_made(&f);
}

static void test_indonesian_stems(void)
{
	struct article *articles[] = {
		make_in("id", "Kunjungan Bupati ke Pasar", "Bupati meninjau harga beras.", NULL, NULL, 300),
		make_in("id", "Pelayanan kesehatan", "Puskesmas buka sampai malam.", NULL, NULL, 200),
		/* The same letters in an English article are not stemmed the
		 * Indonesian way. */
		make_in("en", "Kunjungan is a word", "Not Indonesian here.", NULL, NULL, 100),
	};
	struct fixture f;
	fixture_build(&f, articles, 3);
	size_t out[4];
	CHECK_INT(query(&f, "kunjung", out, 4), 1);
	CHECK_INT(out[0], 0);
	CHECK_INT(query(&f, "KUNJUNGAN", out, 4), 2);
	CHECK_INT(query(&f, "layanan", out, 4), 1); /* pelayanan and layanan: "layan" */
	CHECK_INT(out[0], 1);
	free_made(&f);
}

static void test_authors_and_tags(void)
{
	struct article *articles[] = {
		make_in("en", "Harbour light", "Back on.", "Rina Paluseri", "harbour", 300),
		make_in("en", "Night market", "Moves.", "Rina Paluseri", NULL, 200),
		make_in("en", "Ferry", "Timetable.", "Andi Makkasau", "fishing", 100),
	};
	struct fixture f;
	fixture_build(&f, articles, 3);
	size_t out[4];
	CHECK_INT(query(&f, "Rina", out, 4), 2);
	CHECK_INT(query(&f, "paluseri market", out, 4), 1);
	CHECK_INT(out[0], 1);
	CHECK_INT(query(&f, "fishing", out, 4), 1);
	CHECK_INT(out[0], 2);
	CHECK_INT(query(&f, "\"rina paluseri\"", out, 4), 2);
	free_made(&f);
}

static void test_phrases_and_prefixes(void)
{
	struct article *articles[] = {
		make_in("en", "Report", "The harbour light shines again.", NULL, NULL, 300),
		make_in("en", "Report", "A light breeze over the harbour.", NULL, NULL, 200),
		make_in("en", "Report", "The harbour lights were dark.", NULL, NULL, 100),
		make_in("en", "Harbour", "Light rain.", NULL, NULL, 50), /* across fields */
	};
	struct fixture f;
	fixture_build(&f, articles, 4);
	size_t out[4];
	CHECK_INT(query(&f, "harbour light", out, 4), 4);
	CHECK_INT(query(&f, "\"harbour light\"", out, 4), 2); /* lights: the same stem */
	CHECK_INT(out[0] == 0 || out[1] == 0, 1);
	CHECK_INT(out[0] == 2 || out[1] == 2, 1);
	CHECK_INT(query(&f, "“light breeze”", out, 4), 1);
	CHECK_INT(out[0], 1);
	CHECK_INT(query(&f, "\"breeze light\"", out, 4), 0);
	CHECK_INT(query(&f, "harb*", out, 4), 4);
	CHECK_INT(query(&f, "shin*", out, 4), 1);
	CHECK_INT(query(&f, "bree* harbour", out, 4), 1);
	CHECK_INT(query(&f, "zebra*", out, 4), 0);
	/* Too short a prefix is the word itself. */
	CHECK_INT(query(&f, "th*", out, 4), 0);
	free_made(&f);
}

/* Twenty-five articles with "pasar", one of them with it in the title. */
static void test_paging_and_order(void)
{
	enum { N = 25 };
	struct article *articles[N];
	char *titles[N];
	for (size_t i = 0; i < N; i++) {
		titles[i] = xasprintf(i == 17 ? "Pasar %zu" : "Berita %zu", i);
		articles[i] = make_in("id", titles[i], "Harga di pasar naik.", NULL, NULL, (time_t)(1000 - i));
	}
	struct fixture f;
	fixture_build(&f, articles, N);
	struct search_query *q = search_parse(f.snap.search, "pasar");
	size_t out[20], n = 0;
	struct search_request rq = {.order = SEARCH_RELEVANCE, .now = 2000000000};
	CHECK_INT(search_run(q, f.snap.articles, &rq, out, 20, &n), N);
	CHECK_INT(n, 20);
	CHECK_INT(out[0], 17); /* in its title: first */
	CHECK_INT(out[1], 0);  /* then the rest, newer first */
	rq.offset = 20;
	CHECK_INT(search_run(q, f.snap.articles, &rq, out, 20, &n), N);
	CHECK_INT(n, 5);
	CHECK_INT(out[4], N - 1);
	rq.offset = 40;
	CHECK_INT(search_run(q, f.snap.articles, &rq, out, 20, &n), N);
	CHECK_INT(n, 0);
	rq = (struct search_request){.order = SEARCH_NEWEST, .now = 2000000000};
	search_run(q, f.snap.articles, &rq, out, 20, &n);
	for (size_t i = 0; i < n; i++)
		CHECK_INT(out[i], i);
	search_query_free(q);
	free_made(&f);
	for (size_t i = 0; i < N; i++)
		free(titles[i]);
}

static void check_snippet(struct fixture *f, const char *q, size_t at, size_t bytes,
                          const char *want)
{
	struct search_query *parsed = search_parse(f->snap.search, q);
	struct buf out = {0};
	search_snippet(parsed, f->snap.articles[at], bytes, &out);
	CHECK_STR(out.data ? out.data : "", want);
	buf_free(&out);
	search_query_free(parsed);
}

static void test_snippets(void)
{
	struct article *articles[] = {
		make_in("en", "Harbour", "Fishermen had to steer by the lights of the fish market "
		        "instead, which sit well to the west of the harbour mouth, for three months.",
		        NULL, NULL, 300),
		make_in("id", "Kunjungan", "Bupati \x1b[31mmelakukan kunjungan ke pasar dan "
		        "menemui pedagang \xf0\x9f\x87\xae\xf0\x9f\x87\xa9 di sana.", NULL, NULL, 200),
		make_in("en", "Lamp", "Nothing matches in this body.", NULL, NULL, 100),
	};
	articles[2]->meta.summary = "The lamp guides the boats.";
	struct fixture f;
	fixture_build(&f, articles, 3);
	/* Around the word, from five words before it, cut at a word. */
	check_snippet(&f, "harbour", 0, 60, "…to the west of the harbour mouth, for three months.");
	check_snippet(&f, "lights fish", 0, 50, "…had to steer by the lights of the fish market…");
	/* The escape is dropped (text_clean); the flag is never cut in half. */
	check_snippet(&f, "kunjung", 1, 200, "Bupati [31mmelakukan kunjungan ke pasar dan menemui "
	              "pedagang \xf0\x9f\x87\xae\xf0\x9f\x87\xa9 di sana.");
	struct search_query *q = search_parse(f.snap.search, "kunjung");
	for (size_t bytes = 40; bytes < 80; bytes++) {
		struct buf out = {0};
		search_snippet(q, f.snap.articles[1], bytes, &out);
		CHECK(strstr(out.data, "kunjungan") != NULL);
		CHECK(strchr(out.data, '\x1b') == NULL);
		/* Half a flag: one regional indicator alone. */
		const char *flag = strstr(out.data, "\xf0\x9f\x87\xae");
		CHECK(flag == NULL || strncmp(flag + 4, "\xf0\x9f\x87\xa9", 4) == 0);
		buf_free(&out);
	}
	search_query_free(q);
	/* The title matched, the body did not: the summary. */
	check_snippet(&f, "lamp", 2, 200, "The lamp guides the boats.");
	free_made(&f);

	/* A phrase: the paragraph that holds it whole, from before it. */
	struct article *two = make_in("en", "Two", "A light wind crossed the harbour at dawn.", NULL,
	                              NULL, 300);
	two->blocks = xreallocarray(two->blocks, 2, sizeof *two->blocks);
	two->n_blocks = 2;
	two->blocks[1] = (struct block){.kind = BLOCK_PARAGRAPH,
	                                .text = "Boats came in late. One, two, three, four, five, the "
	                                        "harbour light was on again."};
	struct article *one[] = {two};
	fixture_build(&f, one, 1);
	check_snippet(&f, "\"harbour light\"", 0, 200,
	              "…two, three, four, five, the harbour light was on again.");
	check_snippet(&f, "harbour light", 0, 200, "A light wind crossed the harbour at dawn.");
	free_made(&f);
}

/* Two versions of one story: one hit, the reader's language preferred. */
static void test_one_hit_per_story(void)
{
	struct article *articles[] = {
		make_in("en", "Harbour light returns", "The lamp is back.", NULL, NULL, 300),
		make_in("id", "Lampu pelabuhan menyala", "Lampu kembali. Harbour light.", NULL, NULL, 290),
		make_in("en", "Harbour fish", "Harbour light and fish.", NULL, NULL, 200),
	};
	struct fixture f;
	f.vocab = search_vocab_new();
	f.terms = xcalloc(3, sizeof *f.terms);
	for (size_t i = 0; i < 3; i++)
		f.terms[i] = search_terms_of(f.vocab, articles[i]);
	search_terms_set_story(f.terms[1], search_terms_uid(f.terms[0]));
	memset(&f.snap, 0, sizeof f.snap);
	f.snap.articles = articles;
	f.snap.n_articles = 3;
	f.snap.search = search_index_build(f.vocab, f.terms, 3);
	struct search_query *q = search_parse(f.snap.search, "harbour light");
	size_t out[4], n = 0;
	struct search_request rq = {.order = SEARCH_NEWEST, .now = 2000000000, .lang = "id"};
	CHECK_INT(search_run(q, f.snap.articles, &rq, out, 4, &n), 2);
	CHECK_INT(out[0], 1);
	CHECK_INT(out[1], 2);
	rq.lang = "en";
	CHECK_INT(search_run(q, f.snap.articles, &rq, out, 4, &n), 2);
	CHECK_INT(out[0], 0);
	search_query_free(q);
	free_made(&f);
}

int main(void)
{
	RUN(test_folding);
	RUN(test_and_and_misses);
	RUN(test_ranking);
	RUN(test_future_left_out);
	RUN(test_large_vocabulary);
	RUN(test_update_matches_build);
	RUN(test_english_stems);
	RUN(test_indonesian_stems);
	RUN(test_authors_and_tags);
	RUN(test_phrases_and_prefixes);
	RUN(test_paging_and_order);
	RUN(test_snippets);
	RUN(test_one_hit_per_story);
	return check_report();
}
