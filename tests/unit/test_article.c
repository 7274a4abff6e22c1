#include "alloc.h"
#include "article.h"

#include "check.h"

#include <stdlib.h>

static const struct article_context ctx = {.utc_offset_minutes = 480, .lang = "id"};

static struct article *parse(const char *source, const char *text, struct buf *err)
{
	buf_clear(err);
	return article_parse(source, text, strlen(text), &ctx, err);
}

static void test_markdown_article(void)
{
	struct buf err = {0};
	struct article *a = parse("news/2022-04-21-Kabar Baru.md",
	                          "\xef\xbb\xbf---\r\ntitle: Kabar\r\ndate: 2022-04-21 11:18\r\n"
	                          "tags: a b\r\n---\r\n# Kabar\r\n\r\nSatu dua\xe2\x80\x8b tiga.\r\n", &err);
	CHECK(a != NULL);
	if (a) {
		CHECK_STR(a->meta.title, "Kabar");
		CHECK_STR(a->meta.slug, "kabar-baru");
		CHECK_STR(a->path, "/news/2022/04/kabar-baru");
		CHECK_STR(a->meta.lang, "id");
		CHECK_INT(a->format, FORMAT_MARKDOWN);
		CHECK_INT(a->n_blocks, 1); /* the heading repeating the title is dropped */
		CHECK_STR(a->blocks[0].text, "Satu dua tiga.");
		CHECK_INT(a->reading.words, 3);
		CHECK_STR(a->source, "news/2022-04-21-Kabar Baru.md");
	}
	article_free(a);
	buf_free(&err);
}

/* Invisible junk goes; the joiners that build emoji and shape words stay. */
static void test_invisible_characters(void)
{
	struct buf err = {0};
	const char *family = "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7";
	const char *persian = "\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae";
	char *body = xasprintf("---\ndate: 2022-04-21\n---\nA\xe2\x80\x8b%s\xe2\x81\xa0 %s\xef\xbb\xbf.\n",
	                       family, persian);
	struct article *a = parse("news/x.md", body, &err);
	CHECK(a != NULL);
	if (a && a->n_blocks == 1) {
		char *want = xasprintf("A%s %s.", family, persian);
		CHECK_STR(a->blocks[0].text, want);
		free(want);
	}
	article_free(a);
	free(body);
	buf_free(&err);
}

static void test_path_uses_own_zone(void)
{
	struct buf err = {0};
	struct article *a = parse("x.md", "---\ndate: 2022-04-30T23:30:00-05:00\nslug: My Slug\n---\nx\n", &err);
	CHECK(a != NULL);
	if (a) {
		CHECK_STR(a->path, "/news/2022/04/my-slug");
		CHECK_STR(a->meta.title, "my-slug");
	}
	article_free(a);
	buf_free(&err);
}

static void test_date_from_file_name(void)
{
	struct buf err = {0};
	struct article *a = parse("2011-08-17-rilis.md", "---\ntitle: Rilis\n---\nText.\n", &err);
	CHECK(a != NULL);
	if (a)
		CHECK_STR(a->path, "/news/2011/08/rilis");
	article_free(a);
	buf_free(&err);
}

static void test_gemtext(void)
{
	struct buf err = {0};
	struct article *a = parse("n/hello.gmi",
	                          "---\ndate: 2024-01-02\n---\n# Hello\n\nText line\n=> gemini://x/ X site\n"
	                          "* item\n> quote\n```go\ncode\n  more\n```\n## Sub\n", &err);
	CHECK(a != NULL);
	if (a) {
		CHECK_STR(a->meta.title, "Hello");
		CHECK_INT(a->format, FORMAT_GEMTEXT);
		CHECK_INT(a->n_blocks, 6);
		CHECK_INT(a->blocks[1].kind, BLOCK_LINK);
		CHECK_STR(a->blocks[1].url, "gemini://x/");
		CHECK_STR(a->blocks[1].text, "X site");
		CHECK_INT(a->blocks[2].kind, BLOCK_LIST_ITEM);
		CHECK_INT(a->blocks[3].kind, BLOCK_QUOTE);
		CHECK_STR(a->blocks[4].text, "code\n  more");
		CHECK_STR(a->blocks[4].alt, "go");
		CHECK_INT(a->blocks[5].level, 2);
	}
	article_free(a);
	buf_free(&err);
}

static void test_plain_text(void)
{
	struct buf err = {0};
	struct article *a = parse("t.txt", "Judul Berita\nKamis, 21 April 2022 11:18 WITA\n\nPara one\nstill one.\n\nPara two.\n", &err);
	CHECK(a != NULL);
	if (a) {
		CHECK_STR(a->meta.title, "Judul Berita");
		CHECK(a->meta.date.set);
		CHECK_INT(a->n_blocks, 2);
		CHECK_STR(a->blocks[0].text, "Para one still one.");
		CHECK_INT(a->format, FORMAT_TEXT);
	}
	article_free(a);
	buf_free(&err);
}

static void test_redirect_needs_no_date(void)
{
	struct buf err = {0};
	struct article *a = parse("go12.md", "---\nredirect: /blog/go1.2\n---\n", &err);
	CHECK(a != NULL);
	if (a) {
		CHECK_STR(a->meta.redirect, "/blog/go1.2");
		CHECK_STR(a->path, "/news/go12");
	}
	article_free(a);
	buf_free(&err);
}

static void test_errors(void)
{
	const struct {
		const char *source, *text;
		size_t len;
		const char *error;
	} cases[] = {
		{"a.md", "", 0, "1: empty file"},
		{"a.md", "ok\n\xff\xfe\n", 5, "2: not UTF-8 text"},
		{"a.md", "line\nbin\0ary", 12, "2: binary data (a NUL byte), not an article"},
		{"a.md", "---\ntitle: x\n", 13, "1: front matter has no closing \"---\" line"},
		{"a.md", "---\ndate: 2022-02-30\n---\n", 25, "2: date is not a date: \"2022-02-30\""},
		{"a.md", "---\ntitle: [x\n---\n", 18, NULL},
		{"a.md", "---\ntitle: x\n---\nbody\n", 22,
		 "1: no date: give the article a \"date:\" line in its front matter"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf err = {0};
		struct article *a = article_parse(cases[i].source, cases[i].text, cases[i].len, &ctx, &err);
		CHECK(a == NULL);
		CHECK(err.len > 0);
		if (cases[i].error)
			CHECK_STR(err.data, cases[i].error);
		else
			CHECK(strncmp(err.data, "3: front matter: ", 17) == 0);
		article_free(a);
		buf_free(&err);
	}
}

int main(void)
{
	RUN(test_markdown_article);
	RUN(test_invisible_characters);
	RUN(test_path_uses_own_zone);
	RUN(test_date_from_file_name);
	RUN(test_gemtext);
	RUN(test_plain_text);
	RUN(test_redirect_needs_no_date);
	RUN(test_errors);
	return check_report();
}
