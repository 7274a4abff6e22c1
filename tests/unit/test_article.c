#include "alloc.h"
#include "article.h"
#include "date.h"

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

/* Controls go (tabs and line ends stay, a lone CR ends a line), and so
 * do they beside characters that share an invisible one's first byte
 * (U+2014, U+FF21), which stay. */
static void test_controls_beside_kept_characters(void)
{
	struct buf err = {0};
	struct article *a = parse("news/x.md",
	                          "---\ndate: 2022-04-21\n---\n"
	                          "Satu\x01 dua\x7f \xe2\x80\x94 \xef\xbc\xa1\x1b\rtiga\xef\xbb\xbf\r\n\r\n"
	                          "\xe2\x80\x8b" "Empat\xe2\x81\xa0.\x02",
	                          &err);
	CHECK(a != NULL);
	if (a && a->n_blocks == 2) {
		CHECK_STR(a->blocks[0].text, "Satu dua \xe2\x80\x94 \xef\xbc\xa1 tiga");
		CHECK_STR(a->blocks[1].text, "Empat.");
	}
	CHECK_INT(a ? a->n_blocks : 0, 2);
	article_free(a);
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

/* A slug holds no control, bidi control, '?', '#' nor '%', whether it
 * comes from the file name or from slug:, so every address can be asked
 * for and written into a feed as it is. */
static void test_slug_drops_controls(void)
{
	struct buf err = {0};
	struct article *a = parse("news/bad\xc2\x9bname\xe2\x80\xae\x07\xc2\x85tide.md",
	                          "---\ntitle: T\ndate: 2024-03-15\n---\nx\n", &err);
	CHECK(a != NULL);
	if (a)
		CHECK_STR(a->path, "/news/2024/03/badname-tide");
	article_free(a);
	a = parse("news/x.md", "---\ntitle: T\ndate: 2024-03-15\nslug: \"what?\\x9b#50%\\u2066\"\n---\nx\n",
	          &err);
	CHECK(a != NULL);
	if (a)
		CHECK_STR(a->path, "/news/2024/03/what-50");
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
	/* Lines of Japanese join with nothing between them; next to a Latin
	 * word the line break is a space. */
	a = parse("t.txt", "港の時刻表\nKamis, 21 April 2022 11:18 WITA\n\n港の新しい時刻表です。\nフェリーは Kabar\nで読めます。\n", &err);
	CHECK(a != NULL);
	if (a)
		CHECK_STR(a->blocks[0].text, "港の新しい時刻表です。フェリーは Kabar で読めます。");
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

/* 2024-02-29 20:00 UTC: already 1 March on a site at +08:00. */
enum { LEAP_EVENING = 1709236800 };

static struct article *parse_at(const char *source, const char *text, time_t file_time,
                                struct buf *err)
{
	struct article_context at = ctx;
	at.file_time = file_time;
	buf_clear(err);
	return article_parse(source, text, strlen(text), &at, err);
}

static void test_dated_by_file_time(void)
{
	struct buf err = {0};
	/* A Jekyll guide in Arabic: title and description, no date. */
	struct article *a = parse_at("news/ar/dalil-almina.md",
	                             "---\ntitle: \xd8\xaf\xd9\x84\xd9\x8a\xd9\x84 \xd8\xa7\xd9\x84\xd9\x85\xd9\x8a\xd9\x86\xd8\xa7\xd8\xa1\n"
	                             "description: x\n---\nText.\n", LEAP_EVENING, &err);
	CHECK(a != NULL);
	if (a) {
		CHECK(a->dated_by_file);
		CHECK(a->meta.date.set && a->meta.date.has_time);
		CHECK_INT(a->meta.date.t, LEAP_EVENING);
		CHECK_INT(a->meta.date.offset_minutes, 480); /* the site's zone */
		CHECK_STR(a->path, "/news/2024/03/dalil-almina");
	}
	article_free(a);
	/* Whatever names a date wins over the file's time. */
	a = parse_at("news/x.md", "---\ntitle: x\ndate: 2020-01-02\n---\nText.\n", LEAP_EVENING, &err);
	CHECK(a != NULL && !a->dated_by_file);
	CHECK_STR(a ? a->path : NULL, "/news/2020/01/x");
	article_free(a);
	a = parse_at("news/2021-05-06-kabar.md", "---\ntitle: x\n---\nText.\n", LEAP_EVENING, &err);
	CHECK(a != NULL && !a->dated_by_file);
	CHECK_STR(a ? a->path : NULL, "/news/2021/05/kabar");
	article_free(a);
	a = parse_at("t.txt", "Judul Berita\nKamis, 21 April 2022 11:18 WITA\n\nPara.\n", LEAP_EVENING, &err);
	CHECK(a != NULL && !a->dated_by_file);
	article_free(a);
	/* A redirect stays undated: it is never listed. */
	a = parse_at("go12.md", "---\nredirect: /blog/go1.2\n---\n", LEAP_EVENING, &err);
	CHECK(a != NULL && !a->meta.date.set);
	article_free(a);
	buf_free(&err);
}

/* index.md in a folder is the folder's article (a page bundle). */
static void test_page_bundle_names(void)
{
	struct buf err = {0};
	struct article *a = parse_at("news/hi/naav-yatra/index.md", "---\ntitle: x\n---\nText.\n",
	                             LEAP_EVENING, &err);
	CHECK_STR(a ? a->path : NULL, "/news/2024/03/naav-yatra");
	article_free(a);
	a = parse_at("news/guides/2023-07-09-Kapal Feri/index.gmi", "# Kapal\n\nTeks.\n", 0, &err);
	CHECK(a != NULL && !a->dated_by_file);
	CHECK_STR(a ? a->path : NULL, "/news/2023/07/kapal-feri");
	article_free(a);
	a = parse_at("news/guides/indexes.md", "---\ntitle: x\n---\nText.\n", LEAP_EVENING, &err);
	CHECK_STR(a ? a->path : NULL, "/news/2024/03/indexes");
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

/* What YAML escapes and character references decode to is cleaned like the
 * rest: no ESC, BEL, C1 or line separator reaches the model, bidi
 * overrides are closed within their field, and link ends still mark where
 * their labels end. */
static void test_hostile_text_cleaned(void)
{
	struct buf err = {0};
	struct article *a = parse("news/x.md",
	                          "---\ntitle: \"Hello\\e[2J\\e]0;pwned\\a\"\ndate: 2024-03-01\n"
	                          "author: \"Rina\\x9b31m\\u0085Forged\"\ntags: [\"a\\u202eb\"]\n"
	                          "summary: \"one\\u2028two\"\nx-note: \"\\e[5m\"\n"
	                          "lang: \"ar\\u202e\\x85\"\n---\n"
	                          "Red &#27;[31m alert &#x9b;2J and &#X85; [link &#27;]0;t](/a) end.\n\n"
	                          "<p>html &#27;[31m &amp; &#x1b;</p>\n\n"
	                          "    code\t&#27;\n",
	                          &err);
	CHECK(a != NULL);
	if (a) {
		CHECK_STR(a->meta.title, "Hello[2J]0;pwned");
		CHECK_STR(a->meta.authors[0], "Rina31m Forged");
		CHECK_STR(a->meta.tags[0], "a\xe2\x80\xae" "b\xe2\x80\xac");
		CHECK_STR(a->meta.summary, "one two");
		CHECK_STR(a->meta.extra[0].value, "[5m");
		CHECK_STR(a->meta.lang, "ar");
		for (size_t i = 0; i < a->n_blocks; i++) {
			const struct block *b = &a->blocks[i];
			CHECK(b->text == NULL || strpbrk(b->text, "\x1b\x07\r") == NULL);
			CHECK(b->text == NULL || strstr(b->text, "\xc2\x9b") == NULL);
			CHECK(b->text == NULL || strstr(b->text, "\xc2\x85") == NULL);
			for (size_t k = 0; k < b->n_links; k++) {
				const struct link *l = &b->links[k];
				size_t n = strlen(l->label);
				CHECK(l->end >= n && memcmp(b->text + l->end - n, l->label, n) == 0);
			}
		}
		CHECK(a->n_blocks >= 1 && strncmp(a->blocks[0].text, "Red ", 4) == 0 &&
		      strstr(a->blocks[0].text, "31m alert 2J and ") != NULL);
	}
	article_free(a);
	buf_free(&err);
}

/* A title that was nothing but controls is no title: the heading gives it. */
static void test_title_of_controls_only(void)
{
	struct buf err = {0};
	struct article *a = parse("news/x.md",
	                          "---\ntitle: \"\\e\\a\\x9b\"\ndate: 2024-03-01\n---\n"
	                          "# Pasar ikan &#27;dibuka\n\nIsi.\n",
	                          &err);
	CHECK(a != NULL);
	if (a) {
		CHECK_STR(a->meta.title, "Pasar ikan dibuka");
		CHECK_INT(a->n_blocks, 1);
	}
	article_free(a);
	buf_free(&err);
}

/* Published once its date has come; undated articles always are. */
static void test_visible(void)
{
	struct article a = {0};
	CHECK(article_visible(&a, 0));
	a.meta.date.set = true;
	a.meta.date.t = 1700000000;
	CHECK(!article_visible(&a, 1699999999));
	CHECK(article_visible(&a, 1700000000));
	CHECK(article_visible(&a, 1700000001));
}

/* Which files are articles: the loader, check and Titan ask this one rule. */
static void test_source_names(void)
{
	const char *yes[] = {"news/a.md", "news/b.gmi", "news/c.txt", "news/d.MD", "news/e.Gmi",
	                     "news/2024/06/banjir-bandang.md", "news/東京/報道.txt", "news/a.b.md",
	                     "news/a.markdown", "news/b.mdown", "news/c.mkd", "news/d.MARKDOWN"};
	const char *no[] = {"news/a.mdwn", "news/a.html", "news/a", "news/a.md/", "news/a.md.bak",
	                    "news/.md", "news/a.pdf", "", "news/a.md~", "news/a.b/c"};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		CHECK(article_source_name(yes[i]));
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		if (article_source_name(no[i]))
			fprintf(stderr, "  took \"%s\" for an article\n", no[i]);
		CHECK(!article_source_name(no[i]));
	}
}

/* True when no block of a carries text, a URL or alt text holding needle:
 * front matter must never reach a page. */
static bool nowhere_in_body(const struct article *a, const char *needle)
{
	for (size_t i = 0; i < a->n_blocks; i++) {
		const struct block *b = &a->blocks[i];
		if ((b->text && strstr(b->text, needle)) || (b->url && strstr(b->url, needle)) ||
		    (b->alt && strstr(b->alt, needle)))
			return false;
	}
	return true;
}

/* A Zola post: TOML front matter, dated by its permalink, tagged by its
 * taxonomies, its [extra] kept. */
static void test_zola_post(void)
{
	struct buf err = {0};
	struct article *a = parse_at("news/four-years-of-the-ferry.md",
	                             "+++\n"
	                             "title = \"Four years of the ferry\"\n"
	                             "path = \"2019/05/15/Four-Years-Of-The-Ferry\"\n"
	                             "authors = [\"The Harbour Desk\"]\n"
	                             "\n[taxonomies]\ntags = [\"ferry\"]\ncategories = [\"harbour\"]\n"
	                             "\n[extra]\nbanner = \"ferry.jpg\"\n"
	                             "+++\n\nThe ferry has crossed the strait for four years now.\n",
	                             LEAP_EVENING, &err);
	CHECK_STR(err.data, NULL);
	CHECK(a != NULL);
	if (a) {
		CHECK_STR(a->meta.title, "Four years of the ferry");
		CHECK(!a->dated_by_file);
		CHECK_STR(a->path, "/news/2019/05/four-years-of-the-ferry");
		CHECK_INT(a->meta.n_authors, 1);
		CHECK_INT(a->meta.n_tags, 2);
		CHECK_INT(a->meta.n_aliases, 0); /* its path lies outside /news/ */
		CHECK_INT(a->n_blocks, 1);
		CHECK(nowhere_in_body(a, "+++"));
		CHECK(nowhere_in_body(a, "path ="));
	}
	article_free(a);
	/* A TOML error names its line in the file (the fence is line 1). */
	a = parse_at("news/x.md", "+++\ntitle = \"x\"\ndate = yesterday\n+++\nText.\n", 0, &err);
	CHECK(a == NULL);
	CHECK_STR(err.data, "3: front matter: a value must be a \"string\", a number, true or false, "
	                    "a date, an [array] or an {inline table}");
	buf_free(&err);
}

/* A Hugo post in TOML with lastmod and aliases, in Japanese. */
static void test_hugo_toml_post(void)
{
	struct buf err = {0};
	struct article *a = parse_at("news/ja/jikokuhyou.md",
	                             "+++\ntitle = \"港の新しい時刻表\"\ndate = 2021-05-06T09:30:00+09:00\n"
	                             "lastmod = 2021-05-07T12:00:00+09:00\n"
	                             "aliases = [\"/2021/05/06/Ferry-Timetable-1.52/\"]\n"
	                             "author = \"Rina Paluseri\"\n+++\n"
	                             "フェリーの新しい時刻表です。\n",
	                             LEAP_EVENING, &err);
	CHECK(a != NULL);
	if (a) {
		CHECK_STR(a->meta.title, "港の新しい時刻表");
		CHECK_STR(a->path, "/news/2021/05/jikokuhyou");
		CHECK(a->meta.updated.set);
		CHECK_STR(a->meta.n_aliases ? a->meta.aliases[0] : NULL, "/2021/05/06/Ferry-Timetable-1.52/");
		CHECK_STR(a->meta.lang, "ja");
		CHECK(nowhere_in_body(a, "lastmod"));
	}
	article_free(a);
	buf_free(&err);
}

/* A Pelican newsletter issue, a .markdown file whose name carries an
 * unpadded date that its Date: line corrects. */
static void test_pelican_newsletter(void)
{
	struct buf err = {0};
	struct article *a = parse_at("news/2020-11-4-this-week-in-the-harbour.markdown",
	                             "Title: Harbour Weekly 663\nNumber: 663\nDate: 2020-11-05 09:00\n"
	                             "Category: Newsletter\nTags: ferry, crane\n"
	                             "Author: [Rina Paluseri](https://example.org/rina)\n\n"
	                             "# This week\n\nThe crane arrived.\n",
	                             LEAP_EVENING, &err);
	CHECK_STR(err.data, NULL);
	CHECK(a != NULL);
	if (a) {
		CHECK_STR(a->meta.title, "Harbour Weekly 663");
		CHECK_STR(a->meta.slug, "this-week-in-the-harbour");
		CHECK_STR(a->path, "/news/2020/11/this-week-in-the-harbour");
		CHECK_INT(a->meta.n_tags, 3);
		CHECK_STR(a->meta.n_authors ? a->meta.authors[0] : NULL, "Rina Paluseri");
		CHECK_STR(a->meta.author_url, "https://example.org/rina");
		CHECK(nowhere_in_body(a, "Number:"));
		CHECK(nowhere_in_body(a, "Title:"));
		struct tm tm;
		date_local(&a->meta.date, &tm);
		CHECK_INT(tm.tm_mday, 5);
	}
	article_free(a);
	/* In a plain text file such lines are text: its first line the title. */
	a = parse_at("news/2020-11-4-note.txt", "Title: Harbour Weekly 661\n\nText.\n", LEAP_EVENING, &err);
	CHECK_STR(a ? a->meta.title : NULL, "Title: Harbour Weekly 661");
	article_free(a);
	/* No Date: line: the unpadded prefix dates it. */
	a = parse_at("news/2020-11-4-this-week.mkd", "Title: Harbour Weekly 662\n\nText.\n",
	             LEAP_EVENING, &err);
	CHECK(a != NULL && !a->dated_by_file);
	if (a) {
		struct tm tm;
		date_local(&a->meta.date, &tm);
		CHECK_INT(tm.tm_mday, 4);
		CHECK_STR(a->meta.slug, "this-week");
	}
	article_free(a);
	buf_free(&err);
}

/* A Jekyll post with categories and an Indonesian title. */
static void test_jekyll_post(void)
{
	struct buf err = {0};
	struct article *a = parse_at("news/2023-07-09-kapal-feri-baru.md",
	                             "---\nlayout: post\ntitle: \"Kapal feri baru tiba di pelabuhan\"\n"
	                             "categories: berita pelabuhan\nauthor: Rina dan Andi\n---\n"
	                             "Kapal feri baru tiba pagi ini.\n",
	                             LEAP_EVENING, &err);
	CHECK(a != NULL);
	if (a) {
		CHECK_STR(a->path, "/news/2023/07/kapal-feri-baru");
		CHECK_INT(a->meta.n_tags, 2);
		CHECK_INT(a->meta.n_authors, 2);
		CHECK(!a->dated_by_file);
	}
	article_free(a);
	buf_free(&err);
}

/* Dates in folder names, before the file's time. */
static void test_folder_dates(void)
{
	struct buf err = {0};
	struct article *a = parse_at("news/2019/05/15/four-years.md", "---\ntitle: x\n---\nText.\n",
	                             LEAP_EVENING, &err);
	CHECK(a != NULL && !a->dated_by_file);
	CHECK_STR(a ? a->path : NULL, "/news/2019/05/four-years");
	article_free(a);
	a = parse_at("news/2019/05/ferry/index.md", "---\ntitle: x\n---\nText.\n", LEAP_EVENING, &err);
	CHECK(a != NULL && !a->dated_by_file);
	CHECK_STR(a ? a->path : NULL, "/news/2019/05/ferry");
	article_free(a);
	/* Not dates: a month 13, a year folder alone, digits in a name. */
	const char *undated[] = {"news/2019/13/x.md", "news/2019/x.md", "news/2019-05/x.md",
	                         "news/12345/05/x.md"};
	for (size_t i = 0; i < sizeof undated / sizeof *undated; i++) {
		a = parse_at(undated[i], "---\ntitle: x\n---\nText.\n", LEAP_EVENING, &err);
		CHECK(a != NULL && a->dated_by_file);
		article_free(a);
	}
	buf_free(&err);
}

int main(void)
{
	RUN(test_zola_post);
	RUN(test_hugo_toml_post);
	RUN(test_pelican_newsletter);
	RUN(test_jekyll_post);
	RUN(test_folder_dates);
	RUN(test_slug_drops_controls);
	RUN(test_markdown_article);
	RUN(test_visible);
	RUN(test_source_names);
	RUN(test_invisible_characters);
	RUN(test_controls_beside_kept_characters);
	RUN(test_path_uses_own_zone);
	RUN(test_date_from_file_name);
	RUN(test_gemtext);
	RUN(test_plain_text);
	RUN(test_redirect_needs_no_date);
	RUN(test_dated_by_file_time);
	RUN(test_page_bundle_names);
	RUN(test_errors);
	RUN(test_hostile_text_cleaned);
	RUN(test_title_of_controls_only);
	return check_report();
}
