#include "frontmatter.h"

#include "alloc.h"
#include "check.h"

#include <stdlib.h>

static const struct article_context ctx = {.utc_offset_minutes = 480, .lang = "id"};

/* The metadata sits in an article so that article_free releases it. */
static struct article *holder;

static void release(void)
{
	article_free(holder);
	holder = NULL;
}

/* Parses into a fresh article's metadata, which *m then mirrors. */
static bool parse(const char *yaml, struct article_meta *m, struct buf *err)
{
	article_free(holder);
	holder = xcalloc(1, sizeof *holder);
	bool ok = frontmatter_parse(yaml, strlen(yaml), 2, &ctx, &holder->meta, err);
	*m = holder->meta;
	return ok;
}

static void test_split(void)
{
	const char *text = "---\ntitle: x\n---\nbody\n";
	struct frontmatter_split s;
	bool found;
	struct buf err = {0};
	CHECK(frontmatter_split(text, strlen(text), &s, &found, &err));
	CHECK(found);
	CHECK_INT(s.yaml_start, 4);
	CHECK_INT(s.yaml_len, 9);
	CHECK_STR(text + s.body_start, "body\n");
	CHECK_INT(s.body_line, 4);
	CHECK(!frontmatter_split("# no", 4, &s, &found, &err));
	CHECK(!found);
	CHECK_INT(err.len, 0);
	CHECK(!frontmatter_split("---\ntitle: x\n", 13, &s, &found, &err));
	CHECK(found);
	CHECK_STR(err.data, "1: front matter has no closing \"---\" line");
	buf_free(&err);
}

static void test_known_keys(void)
{
	struct article_meta m;
	struct buf err = {0};
	CHECK(parse("title: \"Catatan Rilis\"\ndate: \"2011-08-17\"\nupdated: 2011-08-18 10:00\n"
	            "by:\n- Russ Cox\n- Rob Pike\nsection: Barru\ntags: berita rilis\n"
	            "categories:\n- berita\n- linux\ndescription: Ringkas\nlang: id\n"
	            "draft: yes\nimage: /a.png\ncaption: Foto\nslug: Catatan\n"
	            "redirect: /x\naliases: [/news/old, news/older]\n", &m, &err));
	CHECK_STR(err.data, NULL);
	CHECK_STR(m.title, "Catatan Rilis");
	CHECK(m.date.set);
	CHECK_INT(m.date.offset_minutes, 480);
	CHECK(m.updated.set);
	CHECK_INT(m.n_authors, 2);
	CHECK_STR(m.authors[1], "Rob Pike");
	CHECK_STR(m.section, "barru");
	CHECK_INT(m.n_tags, 3);
	CHECK_STR(m.tags[0], "berita");
	CHECK_STR(m.tags[1], "rilis");
	CHECK_STR(m.tags[2], "linux");
	CHECK_STR(m.summary, "Ringkas");
	CHECK_STR(m.lang, "id");
	CHECK(m.draft);
	CHECK_STR(m.image, "/a.png");
	CHECK_STR(m.caption, "Foto");
	CHECK_STR(m.slug, "Catatan");
	CHECK_STR(m.redirect, "/x");
	CHECK_INT(m.n_aliases, 2);
	CHECK_STR(m.aliases[1], "/news/older");
	release();
	buf_free(&err);
}

static void test_unknown_keys_kept(void)
{
	struct article_meta m;
	struct buf err = {0};
	CHECK(parse("author: Humas\nlicense: CC-BY-SA-3.0\neditors:\n- A\n- B\nempty:\n", &m, &err));
	CHECK_INT(m.n_authors, 1);
	CHECK_STR(m.authors[0], "Humas");
	CHECK_INT(m.n_extra, 2);
	CHECK_STR(m.extra[0].key, "license");
	CHECK_STR(m.extra[0].value, "CC-BY-SA-3.0");
	CHECK_STR(m.extra[1].key, "editors");
	CHECK_STR(m.extra[1].value, "A, B");
	release();
	buf_free(&err);
}

static void test_errors_have_lines(void)
{
	struct article_meta m;
	struct buf err = {0};
	CHECK(!parse("title: ok\ndate: 2022-13-01\n", &m, &err));
	CHECK_STR(err.data, "3: date is not a date: \"2022-13-01\"");
	release();
	buf_clear(&err);
	CHECK(!parse("title: ok\ntags: [a, b\nx: y\n", &m, &err));
	CHECK(strncmp(err.data, "4: front matter: ", 17) == 0 || strncmp(err.data, "5: front matter: ", 17) == 0);
	release();
	buf_clear(&err);
	CHECK(!parse("just text\n", &m, &err));
	CHECK_STR(err.data, "2: front matter: expected \"key: value\" lines");
	release();
	buf_free(&err);
}

static void test_empty_front_matter(void)
{
	struct article_meta m;
	struct buf err = {0};
	CHECK(parse("", &m, &err));
	CHECK(parse("# only a comment\n", &m, &err));
	CHECK_INT(err.len, 0);
	release();
	buf_free(&err);
}

static void test_alias_bomb_refused(void)
{
	const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
	                   "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	                   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n";
	struct article_meta m;
	struct buf err = {0};
	CHECK(!parse(bomb, &m, &err));
	CHECK_STR(err.data, "3: front matter: aliases (*name) are not allowed");
	release();
	buf_free(&err);
}

static void test_limits(void)
{
	struct buf yaml = {0};
	buf_puts(&yaml, "title: ");
	for (int i = 0; i < FRONTMATTER_MAX_SCALAR + 10; i++)
		buf_putc(&yaml, 'x');
	buf_putc(&yaml, '\n');
	struct article_meta m;
	struct buf err = {0};
	CHECK(!parse(yaml.data, &m, &err));
	CHECK_STR(err.data, "2: front matter: a value is longer than 64 KiB");
	release();
	buf_clear(&err);
	buf_clear(&yaml);
	buf_puts(&yaml, "deep: ");
	for (int i = 0; i < 40; i++)
		buf_putc(&yaml, '[');
	for (int i = 0; i < 40; i++)
		buf_putc(&yaml, ']');
	CHECK(!parse(yaml.data, &m, &err));
	CHECK_STR(err.data, "2: front matter: nested too deeply");
	release();
	buf_free(&err);
	buf_free(&yaml);
}

/* A redirect goes into a response header: CR LF or any other control in
 * it (YAML escapes reach past the file's own control strip), a space, or a
 * relative target refuse the article at the redirect's line. */
static void test_redirect_refused(void)
{
	const char *bad[] = {
		"date: 2024-03-01\nredirect: \"/news/2024/03/x\\r\\n20 text/gemini\\r\\n=> gemini://evil/ pwn\"\n",
		"date: 2024-03-01\nredirect: \"/news/x\\u0085y\"\n",
		"date: 2024-03-01\nredirect: \"/news/x\\u202ey\"\n",
		"date: 2024-03-01\nredirect: \"/news/x\\ty\"\n",
		"date: 2024-03-01\nredirect: /news/a b\n",
		"date: 2024-03-01\nredirect: news/relative\n",
		"date: 2024-03-01\nredirect: //evil.example/x\n",
		"date: 2024-03-01\nredirect: [/a, /b]\n",
		"date: 2024-03-01\nredirect: \":nothing\"\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct article_meta m;
		struct buf err = {0};
		CHECK(!parse(bad[i], &m, &err));
		CHECK(err.data != NULL && strncmp(err.data, "3: redirect is not a URL", 24) == 0);
		buf_free(&err);
	}
	const char *good[] = {"/news/2024/03/x", "gemini://kabar.example/news/x",
	                      "https://barru.goblog.co.id/berita?id=3", "/berita/pañen"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct article_meta m;
		struct buf err = {0};
		char *yaml = xasprintf("redirect: \"%s\"\n", good[i]);
		CHECK(parse(yaml, &m, &err));
		CHECK_STR(m.redirect, good[i]);
		free(yaml);
		buf_free(&err);
	}
	release();
}

static bool parse_toml(const char *toml, struct article_meta *m, struct buf *err)
{
	article_free(holder);
	holder = xcalloc(1, sizeof *holder);
	bool ok = frontmatter_parse_toml(toml, strlen(toml), 2, &ctx, &holder->meta, err);
	*m = holder->meta;
	return ok;
}

static bool parse_lines(const char *text, struct article_meta *m, struct buf *err)
{
	article_free(holder);
	holder = xcalloc(1, sizeof *holder);
	bool ok = frontmatter_parse_lines(text, strlen(text), 1, &ctx, &holder->meta, err);
	*m = holder->meta;
	return ok;
}

static const char *extra_value(const struct article_meta *m, const char *key)
{
	for (size_t i = 0; i < m->n_extra; i++)
		if (strcmp(m->extra[i].key, key) == 0)
			return m->extra[i].value;
	return NULL;
}

/* Each dialect is told by its first line. */
static void test_split_dialects(void)
{
	struct frontmatter_split s;
	bool found;
	struct buf err = {0};
	const char *toml = "+++\ntitle = \"x\"\n+++\nbody\n";
	CHECK(frontmatter_split(toml, strlen(toml), &s, &found, &err));
	CHECK(found);
	CHECK_INT(s.kind, FRONTMATTER_TOML);
	CHECK_INT(s.first_line, 2);
	CHECK_STR(toml + s.body_start, "body\n");
	const char *lines = "Title: Harbour Weekly 663\nDate: 2026-08-05\n  10:00\n\nBody.\n";
	CHECK(frontmatter_split(lines, strlen(lines), &s, &found, &err));
	CHECK_INT(s.kind, FRONTMATTER_LINES);
	CHECK_INT(s.first_line, 1);
	CHECK_INT(s.yaml_len, 51);
	CHECK_STR(lines + s.body_start, "Body.\n");
	CHECK_INT(s.body_line, 5);
	/* Prose that starts like a key, or a run with a line that is not one. */
	const char *prose[] = {"Note: the ferry is late.\n", "Title: x\nand then prose\n",
	                       "Title:x\n", "# Title: x\n"};
	for (size_t i = 0; i < sizeof prose / sizeof *prose; i++) {
		CHECK(!frontmatter_split(prose[i], strlen(prose[i]), &s, &found, &err));
		CHECK(!found);
	}
	CHECK(!frontmatter_split("+++\ntitle = 1\n", 15, &s, &found, &err));
	CHECK(found);
	CHECK_STR(err.data, "1: front matter has no closing \"+++\" line");
	buf_free(&err);
}

/* A Zola post: its permalink dates it, [taxonomies] tags it, [extra] is kept. */
static void test_zola_toml(void)
{
	struct article_meta m;
	struct buf err = {0};
	CHECK(parse_toml("title = \"Four years of the ferry\"\n"
	                 "path = \"2019/05/15/Four-Years-Of-The-Ferry\"\n"
	                 "authors = [\"The Harbour Desk\"]\n"
	                 "description = \"Looking back.\"\n"
	                 "[taxonomies]\n"
	                 "tags = [\"ferry\", \"anniversary\"]\n"
	                 "categories = [\"harbour\"]\n"
	                 "[extra]\n"
	                 "banner = \"ferry.jpg\"\n"
	                 "toc = true\n",
	                 &m, &err));
	CHECK_STR(err.data, NULL);
	CHECK_STR(m.title, "Four years of the ferry");
	CHECK(m.date.set);
	CHECK(!m.date.has_time);
	CHECK_INT(m.date.t, 1557849600); /* 2019-05-15 00:00 +08:00 */
	/* Outside the article addresses: no alias, but kept for the site. */
	CHECK_INT(m.n_aliases, 0);
	CHECK_STR(extra_value(&m, "path"), "2019/05/15/Four-Years-Of-The-Ferry");
	CHECK_INT(m.n_authors, 1);
	CHECK_STR(m.n_authors ? m.authors[0] : NULL, "The Harbour Desk");
	CHECK_STR(m.summary, "Looking back.");
	CHECK_INT(m.n_tags, 3);
	CHECK_STR(m.n_tags == 3 ? m.tags[2] : NULL, "harbour");
	CHECK_STR(extra_value(&m, "extra.banner"), "ferry.jpg");
	CHECK_STR(extra_value(&m, "extra.toc"), "true");
	/* A date key wins over the permalink's, wherever it stands. */
	CHECK(parse_toml("url = \"news/2019/05/15/four-years\"\ndate = 2020-01-02T03:04:05Z\n", &m, &err));
	CHECK_INT(m.date.t, 1577934245);
	CHECK_STR(m.n_aliases ? m.aliases[0] : NULL, "/news/2019/05/15/four-years");
	/* A full URL is no alias of this site. */
	CHECK(parse_toml("url = \"https://example.org/2019/05/15/x/\"\n", &m, &err));
	CHECK_INT(m.n_aliases, 0);
	CHECK(!m.date.set);
	release();
	buf_free(&err);
}

/* A Hugo post in TOML: lastmod, aliases, draft, a slug. */
static void test_hugo_toml(void)
{
	struct article_meta m;
	struct buf err = {0};
	CHECK(parse_toml("title = \"港の新しい時刻表\"\n"
	                 "date = 2021-05-06T09:30:00+09:00\n"
	                 "lastmod = 2021-05-07\n"
	                 "draft = true\n"
	                 "slug = \"jikokuhyou\"\n"
	                 "aliases = [\"/2021/05/06/Ferry-Timetable-1.52/\"]\n"
	                 "author = \"Rina Paluseri\"\n"
	                 "summary = 'New times from Monday'\n"
	                 "tags = [\"ferry\"]\n"
	                 "categories = [\"news\"]\n"
	                 "[params]\n"
	                 "canonical_url = \"https://example.org/x\"\n",
	                 &m, &err));
	CHECK_STR(err.data, NULL);
	CHECK_STR(m.title, "港の新しい時刻表");
	CHECK_INT(m.date.t, 1620261000);
	CHECK_INT(m.date.offset_minutes, 540);
	CHECK(m.updated.set);
	CHECK(m.draft);
	CHECK_STR(m.slug, "jikokuhyou");
	CHECK_STR(m.n_aliases ? m.aliases[0] : NULL, "/2021/05/06/Ferry-Timetable-1.52/");
	CHECK_STR(m.n_authors ? m.authors[0] : NULL, "Rina Paluseri");
	CHECK_STR(m.summary, "New times from Monday");
	CHECK_INT(m.n_tags, 2);
	CHECK_STR(extra_value(&m, "params.canonical_url"), "https://example.org/x");
	release();
	buf_free(&err);
}

/* TOML's errors read like YAML's: the line, then the reason. */
static void test_toml_errors(void)
{
	struct article_meta m;
	struct buf err = {0};
	CHECK(!parse_toml("title = \"x\"\ndate = \"someday\"\n", &m, &err));
	CHECK_STR(err.data, "3: date is not a date: \"someday\"");
	buf_clear(&err);
	CHECK(!parse_toml("title = \"x\"\n[[authors]]\n", &m, &err));
	CHECK_STR(err.data, "3: front matter: arrays of tables ([[name]]) are not read in front matter");
	release();
	buf_free(&err);
}

/* A Pelican newsletter's head. */
static void test_pelican_lines(void)
{
	struct article_meta m;
	struct buf err = {0};
	CHECK(parse_lines("Title: Harbour Weekly 663\n"
	                  "Number: 663\n"
	                  "Date: 2026-08-05 10:20\n"
	                  "Modified: 2026-08-06\n"
	                  "Category: Newsletter\n"
	                  "Tags: ferry, timetable,  harbour\n"
	                  "Authors: Rina Paluseri, Andi Mappa\n"
	                  "Slug: harbour-weekly-663\n"
	                  "Summary: The ferry's new timetable,\n"
	                  "    and the harbour's new crane.\n"
	                  "Lang: en\n"
	                  "Status: draft\n",
	                  &m, &err));
	CHECK_STR(err.data, NULL);
	CHECK_STR(m.title, "Harbour Weekly 663");
	CHECK_STR(extra_value(&m, "Number"), "663");
	CHECK(m.date.set && m.date.has_time);
	CHECK(m.updated.set);
	CHECK_INT(m.n_tags, 4);
	CHECK_STR(m.n_tags == 4 ? m.tags[0] : NULL, "Newsletter");
	CHECK_STR(m.n_tags == 4 ? m.tags[3] : NULL, "harbour");
	CHECK_INT(m.n_authors, 2);
	CHECK_STR(m.n_authors == 2 ? m.authors[1] : NULL, "Andi Mappa");
	CHECK_STR(m.slug, "harbour-weekly-663");
	CHECK_STR(m.summary, "The ferry's new timetable, and the harbour's new crane.");
	CHECK_STR(m.lang, "en");
	CHECK(m.draft);
	CHECK(parse_lines("Title: x\nStatus: published\n", &m, &err));
	CHECK(!m.draft);
	CHECK(!parse_lines("Title: x\nDate: the fifth\n", &m, &err));
	CHECK_STR(err.data, "2: date is not a date: \"the fifth\"");
	release();
	buf_free(&err);
}

/* People, not strings: links are names, lists and "and" are several. */
static void test_authors_are_people(void)
{
	struct article_meta m;
	struct buf err = {0};
	CHECK(parse("author: '[Rina Paluseri](https://example.org/rina), Andi Mappa'\n", &m, &err));
	CHECK_INT(m.n_authors, 2);
	CHECK_STR(m.n_authors == 2 ? m.authors[0] : NULL, "Rina Paluseri");
	CHECK_STR(m.n_authors == 2 ? m.authors[1] : NULL, "Andi Mappa");
	CHECK_STR(m.author_url, "https://example.org/rina");
	CHECK(parse("authors: Rina and Andi & Sari dan Budi\n", &m, &err));
	CHECK_INT(m.n_authors, 4);
	CHECK_STR(m.n_authors == 4 ? m.authors[3] : NULL, "Budi");
	/* With a ';' the commas stay inside names: "Last, First; ...". */
	CHECK(parse("author: Paluseri, Rina; Mappa, Andi\n", &m, &err));
	CHECK_INT(m.n_authors, 2);
	CHECK_STR(m.n_authors == 2 ? m.authors[0] : NULL, "Paluseri, Rina");
	/* A list item is one person as written, commas and all. */
	CHECK(parse("authors:\n- Paluseri, Rina\n- '[Andi Mappa](gemini://example.org/andi)'\n"
	            "- Sari Dewi <sari@example.org>\n", &m, &err));
	CHECK_INT(m.n_authors, 3);
	CHECK_STR(m.n_authors == 3 ? m.authors[0] : NULL, "Paluseri, Rina");
	CHECK_STR(m.n_authors == 3 ? m.authors[1] : NULL, "Andi Mappa");
	CHECK_STR(m.n_authors == 3 ? m.authors[2] : NULL, "Sari Dewi");
	CHECK_STR(m.author_url, "gemini://example.org/andi");
	/* A comma inside a link's address parts nobody. */
	CHECK(parse("author: '[Rina](https://example.org/a,b) and Andi'\n", &m, &err));
	CHECK_INT(m.n_authors, 2);
	CHECK_STR(m.author_url, "https://example.org/a,b");
	/* A link with a space in its address names the person, no link. */
	CHECK(parse("author: '[Rina](https://example.org/a b)'\n", &m, &err));
	CHECK_STR(m.n_authors ? m.authors[0] : NULL, "Rina");
	CHECK_STR(m.author_url, NULL);
	/* Jekyll's permalink key is an alias too. */
	CHECK(parse("permalink: /news/2018/3/9/old-post\n", &m, &err));
	CHECK_STR(m.n_aliases ? m.aliases[0] : NULL, "/news/2018/3/9/old-post");
	CHECK(m.date.set);
	release();
	buf_free(&err);
}

/* A redirect leads where a link may (no javascript:, data:), and fits a
 * Gemini header's meta (1,024 bytes); refused at its line otherwise. */
static void test_redirect_scheme_and_length(void)
{
	struct article_meta m;
	struct buf err = {0};
	CHECK(!parse("title: x\nredirect: \"javascript:alert(1)\"\n", &m, &err));
	CHECK_STR(err.data, "3: redirect's scheme is not one a link may have");
	buf_free(&err);
	CHECK(!parse("redirect: data:text/html,hi\n", &m, &err));
	CHECK(err.data != NULL && strstr(err.data, "scheme is not one") != NULL);
	buf_free(&err);
	char long_url[1101];
	memset(long_url, 'a', sizeof long_url - 1);
	memcpy(long_url, "gemini://x/", 11);
	long_url[sizeof long_url - 1] = '\0';
	char *yaml = xasprintf("date: 2024-03-01\nredirect: %s\n", long_url);
	CHECK(!parse(yaml, &m, &err));
	CHECK_STR(err.data, "3: redirect is longer than a Gemini header allows (1024 bytes)");
	buf_free(&err);
	free(yaml);
	long_url[1024] = '\0';
	yaml = xasprintf("redirect: %s\n", long_url);
	CHECK(parse(yaml, &m, &err)); /* exactly the limit */
	free(yaml);
	buf_free(&err);
	release();
}

/* Aliases are rooted ("news/x" is "/news/x") and their line kept: which
 * may be served is the site's to say (links_alias_refusal), and a bad one
 * costs only itself, never its article. */
static void test_aliases_rooted_with_their_line(void)
{
	struct article_meta m;
	struct buf err = {0};
	CHECK(parse("title: x\naliases:\n  - news/2024/03/old\n  - /robots.txt\n", &m, &err));
	CHECK_INT(m.n_aliases, 2);
	CHECK_STR(m.aliases[0], "/news/2024/03/old");
	CHECK_STR(m.aliases[1], "/robots.txt");
	CHECK_INT(m.aliases_line, 4);
	buf_free(&err);
	release();
}

int main(void)
{
	RUN(test_split_dialects);
	RUN(test_zola_toml);
	RUN(test_hugo_toml);
	RUN(test_toml_errors);
	RUN(test_pelican_lines);
	RUN(test_authors_are_people);
	RUN(test_redirect_refused);
	RUN(test_redirect_scheme_and_length);
	RUN(test_aliases_rooted_with_their_line);
	RUN(test_split);
	RUN(test_known_keys);
	RUN(test_unknown_keys_kept);
	RUN(test_errors_have_lines);
	RUN(test_empty_front_matter);
	RUN(test_alias_bomb_refused);
	RUN(test_limits);
	return check_report();
}
