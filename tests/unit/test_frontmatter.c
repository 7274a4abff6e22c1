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
