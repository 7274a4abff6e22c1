#include "corrections.h"

#include "article.h"
#include "check.h"
#include "crawlers.h"
#include "render.h"
#include "text.h"

#include <stdlib.h>

static const struct article_context ctx = {.utc_offset_minutes = 0, .lang = "en"};

static struct article *parse(const char *text, struct buf *err)
{
	buf_clear(err);
	return article_parse("news/2024/03/bridge.md", text, strlen(text), &ctx, err);
}

#define HEAD "---\ntitle: Bridge\ndate: 2024-03-10\n"

static void test_list_read(void)
{
	struct buf err = {0};
	struct article *a = parse(HEAD "corrections:\n"
	                          "  - date: 2024-03-15\n    kind: correction\n    note: 120 m, not 210 m.\n"
	                          "  - {note: Tolls from April., kind: Update, date: 2024-03-16 10:00}\n"
	                          "---\nBody.\n", &err);
	CHECK(a != NULL);
	CHECK_STR(err.data, NULL);
	if (a == NULL)
		return;
	CHECK_INT(a->meta.n_corrections, 2);
	CHECK_INT(a->meta.corrections[0].kind, CORRECTION_CORRECTION);
	CHECK_STR(a->meta.corrections[0].note, "120 m, not 210 m.");
	CHECK_INT(a->meta.corrections[1].kind, CORRECTION_UPDATE);
	CHECK(a->meta.corrections[1].date.has_time);
	CHECK(corrections_latest(&a->meta) == &a->meta.corrections[1]);
	article_free(a);
	buf_free(&err);
}

/* Each malformed list is refused on its line, with what is wrong. */
static void test_list_refused(void)
{
	static const struct {
		const char *yaml, *want;
	} cases[] = {
		{"corrections: fixed\n", "4: corrections is a list of items with date, kind and note"},
		{"corrections:\n  - date: 2024-03-15\n    note: x\n",
		 "5: corrections: item 1: each item needs date, kind and note"},
		{"corrections:\n  - {date: 2024-03-15, kind: erratum, note: x}\n",
		 "5: corrections: item 1: kind is not correction, clarification or update"},
		{"corrections:\n  - {date: soon, kind: update, note: x}\n",
		 "5: corrections: item 1: date is not a date"},
		{"corrections:\n  - {date: 2024-03-15, kind: update, note: x}\n"
		 "  - {date: 2024-03-16, kind: update, note: \" \"}\n",
		 "5: corrections: item 2: note is empty"},
		{"corrections:\n  - {date: 2024-03-15, kind: update, note: x, by: me}\n",
		 "5: corrections: item 1: takes only date, kind and note"},
		{"part: 0\n", "4: part is not a number from 1 to 9999: \"0\""},
		{"part: two\n", "4: part is not a number from 1 to 9999: \"two\""},
	};
	struct buf err = {0};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf text = {0};
		buf_printf(&text, HEAD "%s---\nBody.\n", cases[i].yaml);
		struct article *a = parse(text.data, &err);
		CHECK(a == NULL);
		CHECK_STR(err.data, cases[i].want);
		article_free(a);
		buf_free(&text);
	}
	buf_free(&err);
}

static void test_dropped(void)
{
	struct buf err = {0}, why = {0};
	const char *two = HEAD "corrections:\n  - {date: 2024-03-15, kind: correction, note: a}\n"
	                  "  - {date: 2024-03-16, kind: update, note: b}\n---\nBody.\n";
	const char *reworded = HEAD "corrections:\n  - {date: 2024-03-16, kind: update, note: B}\n"
	                       "  - {date: 2024-03-15, kind: correction, note: \"A, reworded\"}\n---\nBody.\n";
	const char *one = HEAD "corrections:\n  - {date: 2024-03-16, kind: update, note: b}\n---\nB.\n";
	struct article *published = parse(two, &err);
	struct article *same = parse(reworded, &err);
	struct article *fewer = parse(one, &err);
	CHECK(published != NULL && same != NULL && fewer != NULL);
	if (published && same && fewer) {
		CHECK(!corrections_dropped(published, same, &why));
		CHECK_INT(why.len, 0);
		CHECK(corrections_dropped(published, fewer, &why));
		CHECK_STR(why.data, "news/2024/03/bridge.md: drops the correction of 2024-03-15");
		CHECK(!corrections_dropped(fewer, published, &why));
		/* Two of one day and kind need two. */
		struct article *twice = parse(HEAD "corrections:\n  - {date: 2024-03-16, kind: update, note: b}\n"
		                              "  - {date: 2024-03-16, kind: update, note: c}\n---\nB.\n", &err);
		CHECK(twice != NULL);
		buf_clear(&why);
		if (twice != NULL)
			CHECK(corrections_dropped(twice, fewer, &why));
		CHECK_STR(why.data, "news/2024/03/bridge.md: drops the update of 2024-03-16");
		article_free(twice);
	}
	article_free(published);
	article_free(same);
	article_free(fewer);
	buf_free(&err);
	buf_free(&why);
}

static void test_series_keys(void)
{
	struct buf err = {0};
	struct article *a = parse(HEAD "series: Coastal roads\npart: 2\n---\nBody.\n", &err);
	CHECK(a != NULL);
	if (a != NULL) {
		CHECK_STR(a->meta.series, "Coastal roads");
		CHECK_INT(a->meta.part, 2);
	}
	article_free(a);
	buf_free(&err);
}

static void test_notices_rendered(void)
{
	struct buf err = {0}, gmi = {0}, gph = {0};
	struct vhost vh = {.lang = "en", .zone_name = "UTC", .wrap_columns = 40};
	struct render_context rc = {.vhost = &vh, .base_url = "gopher://kabar.test"};
	struct article *a = parse(HEAD "corrections:\n  - {date: 2024-03-15, kind: clarification, "
	                          "note: \"The mayor spoke for the council, not for herself alone.\"}\n"
	                          "---\nBody.\n", &err);
	CHECK(a != NULL);
	if (a != NULL) {
		render_gemtext(&gmi, a, &rc);
		render_gopher_text(&gph, a, &rc);
		CHECK(strstr(gmi.data, "\n> Clarification (2024-03-15): The mayor spoke") != NULL);
		/* Under the headline: before the body. */
		CHECK(strstr(gmi.data, "> Clarification") < strstr(gmi.data, "Body."));
		CHECK(strstr(gph.data, "\r\n> Clarification (2024-03-15): The mayor\r\n> ") != NULL);
	}
	article_free(a);
	buf_free(&err);
	buf_free(&gmi);
	buf_free(&gph);
}

static void test_robots(void)
{
	struct buf out = {0};
	char *names[] = {"kabar.test"};
	struct vhost vh = {.names = names, .n_names = 1, .robots = "User-agent: webproxy\nDisallow: /"};
	crawlers_robots(&out, &vh);
	CHECK(strstr(out.data, "User-agent: *\n") != NULL);
	CHECK(strstr(out.data, "User-agent: indexer\nUser-agent: archiver\nUser-agent: researcher\n"
	                       "User-agent: webproxy\n") != NULL);
	CHECK(strstr(out.data, "Disallow: /search\nDisallow: /desk/\n") != NULL);
	CHECK(strstr(out.data, "Disallow: /tag/*/page/6\n") != NULL);
	CHECK(strstr(out.data, "Disallow: /tag/*/page/59\n") != NULL);
	/* Pages 2 to 5 and the archive stay open. */
	CHECK(strstr(out.data, "page/5\n") == NULL);
	CHECK(strstr(out.data, "page/2\n") == NULL);
	CHECK(strstr(out.data, "archive") == NULL || strstr(out.data, "Disallow: /archive") == NULL);
	CHECK(text_ends_with(out.data, out.len, "\nUser-agent: webproxy\nDisallow: /\n"));
	buf_free(&out);
}

int main(void)
{
	RUN(test_list_read);
	RUN(test_list_refused);
	RUN(test_dropped);
	RUN(test_series_keys);
	RUN(test_notices_rendered);
	RUN(test_robots);
	return check_report();
}
