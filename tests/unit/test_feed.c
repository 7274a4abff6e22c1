#include "feed.h"

#include "check.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

static struct vhost vhost = {
	.names = (char *[]){"kabar.example"},
	.n_names = 1,
	.title = "Kabar & Co",
};

static const struct origin gemini_origin = {"localhost", 1965, true};

static struct article escaped = {
	.meta = {.title = "Harga <naik> & \"turun\"",
	         .date = {.set = true, .t = 1650511080, .offset_minutes = 8 * 60, .has_time = true},
	         .updated = {.set = true, .t = 1650600000, .offset_minutes = 8 * 60, .has_time = true},
	         .authors = (char *[]){"Muh. Hasyim & Tim"},
	         .n_authors = 1,
	         .tags = (char *[]){"a<b"},
	         .n_tags = 1,
	         .summary = "Ringkas\x01 <b>"},
	.path = "/news/2022/04/harga",
};

static struct article west = {
	.meta = {.title = "West",
	         .date = {.set = true, .t = 1650420000, .offset_minutes = -(5 * 60 + 30),
	                  .has_time = true}},
	.path = "/news/2022/04/west",
};

static struct article broken = {
	.meta = {.title = "bad \xff\xfe utf",
	         .date = {.set = true, .t = 1650420000, .offset_minutes = 0, .has_time = true}},
	.path = "/news/2022/04/bad",
};

static size_t count(const char *haystack, const char *needle)
{
	size_t n = 0;
	for (const char *at = strstr(haystack, needle); at != NULL; at = strstr(at + 1, needle))
		n++;
	return n;
}

static void test_escaping_and_times(void)
{
	const struct article *list[] = {&escaped, &west};
	struct feed f = {"Kabar & Co", "/feed.xml", "/", NULL};
	struct buf out = {0};
	feed_atom(&out, &f, &vhost, &gemini_origin, OUTPUT_GEMINI, list, 2);
	const char *head = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">\n";
	CHECK(strncmp(out.data, head, strlen(head)) == 0);
	CHECK(strstr(out.data, "<title>Kabar &amp; Co</title>") != NULL);
	CHECK(strstr(out.data, "<title>Harga &lt;naik&gt; &amp; &quot;turun&quot;</title>") != NULL);
	CHECK(strstr(out.data, "<author><name>Muh. Hasyim &amp; Tim</name></author>") != NULL);
	CHECK(strstr(out.data, "<category term=\"a&lt;b\"/>") != NULL);
	CHECK(strstr(out.data, "<summary>Ringkas &lt;b&gt;</summary>") != NULL);
	CHECK(strstr(out.data, "<published>2022-04-21T11:18:00+08:00</published>") != NULL);
	/* The feed's updated is its latest change, an update here. */
	CHECK(strstr(out.data, "  <updated>2022-04-22T12:00:00+08:00</updated>") != NULL);
	CHECK(strstr(out.data, "<published>2022-04-19T20:30:00-05:30</published>") != NULL);
	CHECK(strstr(out.data, "<link rel=\"alternate\" href=\"gemini://localhost/news/2022/04/harga\"/>") != NULL);
	CHECK(strstr(out.data, "<link rel=\"self\" href=\"gemini://localhost/feed.xml\"/>") != NULL);
	CHECK(strstr(out.data, "<id>tag:kabar.example,2022-04-21:/news/2022/04/harga</id>") != NULL);
	CHECK(strstr(out.data, "<id>tag:kabar.example,2022-04-19:/news/2022/04/west</id>") != NULL);
	CHECK(strstr(out.data, "\x01") == NULL);
	CHECK_INT(count(out.data, "<entry xml:lang=\"en\">"), 2);
	CHECK_INT(count(out.data, "</entry>"), 2);
	CHECK(strcmp(out.data + out.len - 8, "</feed>\n") == 0);
	buf_free(&out);
}

static void test_gopher_links_and_bad_utf8(void)
{
	const struct article *list[] = {&broken};
	const struct origin gopher_origin = {"::1", 7070, false};
	struct feed f = {"T", "/tag/x/feed.xml", "/tag/x/", NULL};
	struct buf out = {0};
	feed_atom(&out, &f, &vhost, &gopher_origin, OUTPUT_GOPHER, list, 1);
	CHECK(strstr(out.data, "href=\"gopher://[::1]:7070/1/news/2022/04/bad\"") != NULL);
	CHECK(strstr(out.data, "href=\"gopher://[::1]:7070/1/tag/x/\"") != NULL);
	CHECK(strstr(out.data, "<title>bad  utf</title>") != NULL);
	CHECK(text_valid_utf8(out.data, out.len));
	CHECK(strstr(out.data, "<published>2022-04-20T02:00:00Z</published>") != NULL);
	buf_free(&out);
}

static void test_empty_and_capped(void)
{
	struct feed f = {"Empty", "/feed.xml", "/", NULL};
	struct buf out = {0};
	feed_atom(&out, &f, &vhost, &gemini_origin, OUTPUT_GEMINI, NULL, 0);
	CHECK(strstr(out.data, "<updated>1970-01-01T00:00:00Z</updated>") != NULL);
	CHECK(strstr(out.data, "<entry") == NULL);
	buf_clear(&out);

	const struct article *many[FEED_MAX_ENTRIES + 10];
	for (size_t i = 0; i < FEED_MAX_ENTRIES + 10; i++)
		many[i] = &west;
	feed_atom(&out, &f, &vhost, &gemini_origin, OUTPUT_GEMINI, many, FEED_MAX_ENTRIES + 10);
	CHECK_INT(count(out.data, "<entry xml:lang=\"en\">"), FEED_MAX_ENTRIES);
	buf_free(&out);
}

/* Each entry holds the whole text in the feed's protocol and says its
 * language; a long text is cut at a line. */
static void test_content_and_language(void)
{
	struct block blocks[] = {
		{.kind = BLOCK_PARAGRAPH, .text = "Kapal <feri> tiba & berangkat."},
		{.kind = BLOCK_PARAGRAPH, .text = "Paragraf kedua."},
	};
	struct article a = {.meta = {.title = "Feri", .date = west.meta.date, .lang = "id"},
	                    .path = "/news/2022/04/feri", .blocks = blocks, .n_blocks = 2};
	const struct article *list[] = {&a};
	struct feed f = {"T", "/feed.xml", "/", NULL};
	struct buf out = {0};
	feed_atom(&out, &f, &vhost, &gemini_origin, OUTPUT_GEMINI, list, 1);
	CHECK(strstr(out.data, "<entry xml:lang=\"id\">") != NULL);
	const char *content = strstr(out.data, "<content type=\"text/gemini\">");
	CHECK(content != NULL);
	CHECK(content != NULL && strstr(content, "Kapal &lt;feri&gt; tiba &amp; berangkat.") != NULL);
	CHECK(content != NULL && strstr(content, "Paragraf kedua.") != NULL);
	buf_clear(&out);
	const struct origin gopher_origin = {"localhost", 7070, false};
	feed_atom(&out, &f, &vhost, &gopher_origin, OUTPUT_GOPHER, list, 1);
	CHECK(strstr(out.data, "<content type=\"text\">") != NULL);
	CHECK(strstr(out.data, "Paragraf kedua.") != NULL);
	buf_clear(&out);

	/* Far past the cap: the text stops at a line, with an ellipsis. */
	struct buf long_text = {0};
	while (long_text.len < 2 * FEED_CONTENT_MAX)
		buf_puts(&long_text, "Kalimat yang panjang sekali. ");
	blocks[1].text = long_text.data;
	feed_atom(&out, &f, &vhost, &gemini_origin, OUTPUT_GEMINI, list, 1);
	content = strstr(out.data, "<content");
	const char *end = strstr(out.data, "</content>");
	CHECK(content != NULL && end != NULL && (size_t)(end - content) < FEED_CONTENT_MAX + 512);
	CHECK(end != NULL && strncmp(end - 4, "\xe2\x80\xa6\n", 4) == 0);
	buf_free(&long_text);
	buf_free(&out);
}

static const char *entry_summary(const struct article *a, struct buf *out)
{
	const struct article *list[] = {a};
	struct feed f = {"T", "/feed.xml", "/", NULL};
	buf_clear(out);
	feed_atom(out, &f, &vhost, &gemini_origin, OUTPUT_GEMINI, list, 1);
	const char *open = strstr(out->data, "<summary>");
	return open != NULL ? open + strlen("<summary>") : NULL;
}

/* Without a summary: key, an entry's summary is its lede, the first
 * paragraph cut at a word near 300 characters. */
static void test_lede_as_summary(void)
{
	struct buf words = {0};
	for (int i = 0; i < 60; i++)
		buf_puts(&words, "Pelayanan publik di Barru ");
	struct block blocks[] = {
		{.kind = BLOCK_HEADING, .level = 2, .text = "Judul"},
		{.kind = BLOCK_IMAGE, .url = "a.png", .alt = "a.png"},
		{.kind = BLOCK_PARAGRAPH, .text = words.data},
		{.kind = BLOCK_PARAGRAPH, .text = "Second paragraph."},
	};
	struct article a = {.meta = {.title = "T", .date = west.meta.date},
	                    .path = "/news/2022/04/t", .blocks = blocks, .n_blocks = 4};
	struct buf out = {0};
	const char *got = entry_summary(&a, &out);
	CHECK(got != NULL);
	if (got != NULL) {
		const char *end = strstr(got, "</summary>");
		size_t n = (size_t)(end - got);
		/* Whole words only, ending in an ellipsis, near 300 characters. */
		CHECK(strncmp(got, "Pelayanan publik di Barru Pelayanan", 35) == 0);
		CHECK(n > 200 && n <= 303);
		CHECK(memmem(got, n, "Second", 6) == NULL);
		CHECK(strncmp(end - 3, "\xe2\x80\xa6", 3) == 0);
		CHECK(end[-4] != ' ');
	}

	/* A short lede is whole; Chinese without spaces is cut between characters. */
	blocks[2].text = "Kunjungan ke MPP\nBarru.";
	got = entry_summary(&a, &out);
	CHECK(got != NULL && strncmp(got, "Kunjungan ke MPP Barru.</summary>", 33) == 0);
	buf_clear(&words);
	for (int i = 0; i < 400; i++)
		buf_puts(&words, "\xe6\x96\xb0");
	blocks[2].text = words.data;
	got = entry_summary(&a, &out);
	CHECK(got != NULL && strncmp(got + 300 * 3, "\xe2\x80\xa6</summary>", 13) == 0);

	/* The front matter's summary wins; no paragraph, no summary. */
	a.meta.summary = "Ringkasan";
	CHECK(strncmp(entry_summary(&a, &out), "Ringkasan</summary>", 19) == 0);
	a.meta.summary = NULL;
	a.n_blocks = 2;
	CHECK(entry_summary(&a, &out) == NULL);
	buf_free(&out);
	buf_free(&words);
}

int main(void)
{
	RUN(test_escaping_and_times);
	RUN(test_gopher_links_and_bad_utf8);
	RUN(test_empty_and_capped);
	RUN(test_lede_as_summary);
	RUN(test_content_and_language);
	return check_report();
}
