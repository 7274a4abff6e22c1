#include "routes.h"
#include "site.h"

#include "check.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "page.h"
#include "snapshot.h"
#include "text.h"

/*
 * A newsroom written into a temporary capsule and loaded by the real
 * snapshot builder (newest first):
 *   depan    2099-01-05  barru       pilkada    (not published yet)
 *   panen    2022-04-21  barru       pertanian  by Muh. Hasyim, 11:18 +08:00
 *   pasar    2022-04-20  barru       ekonomi
 *   sekolah  2022-03-10  pendidikan  pertanian  alias /news/old/sekolah
 *   pindah   2022-03-05  barru       pertanian  (redirect to sekolah, never listed)
 *   banjir   2021-12-30  barru
 *   panjang  2020-01-02  (a headline too long for a Gopher menu)
 *   lama     undated     barru       pertanian  (redirect to panen, never listed)
 */
static const char *const newsroom[][2] = {
	{"news/depan.md", "title: Masa Depan\nslug: depan\ndate: 2099-01-05T08:00:00+08:00\n"
	                  "section: barru\ntags: [pilkada]\n"},
	{"news/panen.md", "title: Panen Raya\nslug: panen\ndate: 2022-04-21T11:18:00+08:00\n"
	                  "section: barru\ntags: [pertanian]\nauthor: Muh. Hasyim\n"},
	{"news/pasar.md", "title: Pasar Sentral\nslug: pasar\ndate: 2022-04-20T10:00:00+08:00\n"
	                  "section: barru\ntags: [ekonomi]\n"},
	{"news/sekolah.md", "title: Sekolah Baru\nslug: sekolah\ndate: 2022-03-10T09:00:00+08:00\n"
	                    "section: pendidikan\ntags: [pertanian]\naliases: [/news/old/sekolah]\n"},
	{"news/pindah.md", "title: Pindah\nslug: pindah\ndate: 2022-03-05T09:00:00+08:00\n"
	                   "section: barru\ntags: [pertanian, pindahan]\nauthor: Muh. Hasyim\n"
	                   "redirect: /news/2022/03/sekolah\n"},
	{"news/banjir.md", "title: Banjir di Barru\nslug: banjir\ndate: 2021-12-30T09:00:00+08:00\n"
	                   "section: barru\n"},
	{"news/panjang.md", "title: Pemerintah Kabupaten Barru menggelar rapat koordinasi lintas sektor "
	                    "untuk membahas penanganan banjir\nslug: panjang\ndate: 2020-01-02T09:00:00+08:00\n"},
	{"news/lama.md", "title: Berita Lama\nslug: lama\nsection: barru\ntags: [pertanian]\n"
	                 "aliases: [/news/old/lama]\nredirect: /news/2022/04/panen\n"},
};
#define N_FILES (sizeof(newsroom) / sizeof(newsroom[0]))

static struct vhost vhost = {
	.names = (char *[]){"kabar.example"},
	.n_names = 1,
	.lang = "en",
	.title = "Kabar Barru",
	.zone_name = "WITA",
	.utc_offset_minutes = 8 * 60,
	.page_size = 2,
	.wrap_columns = 70,
};

static char capsule[64];
static int root_fd = -1;
static struct snapshot_builder *builder;
static struct snapshot *snap;

static void write_file(const char *relpath, const char *text)
{
	char *path = xasprintf("%s/%s", capsule, relpath);
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	free(path);
}

static void newsroom_open(void)
{
	strcpy(capsule, "/tmp/kabar-routes-XXXXXX");
	if (mkdtemp(capsule) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	char *news = xasprintf("%s/news", capsule);
	mkdir(news, 0700);
	free(news);
	for (size_t i = 0; i < N_FILES; i++) {
		char *text = xasprintf("---\n%s---\n\nIsi berita.\n", newsroom[i][1]);
		write_file(newsroom[i][0], text);
		free(text);
	}
	write_file("index.gmi", "Berita dari Barru.\n=> gemini://elsewhere.example/ A friend\n");
	root_fd = open(capsule, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	builder = snapshot_builder_new(&vhost, root_fd);
	snap = snapshot_scan(builder, NULL);
}

static void newsroom_close(void)
{
	snapshot_drop(snap);
	snapshot_builder_free(builder);
	close(root_fd);
	for (size_t i = 0; i < N_FILES; i++) {
		char *path = xasprintf("%s/%s", capsule, newsroom[i][0]);
		unlink(path);
		free(path);
	}
	char *path = xasprintf("%s/index.gmi", capsule);
	unlink(path);
	free(path);
	path = xasprintf("%s/news", capsule);
	rmdir(path);
	free(path);
	rmdir(capsule);
}

static const struct origin origin = {"localhost", 7070, true};

static struct route_result result;

static void route(enum output out, const char *path, const char *query)
{
	route_result_free(&result);
	site_route(snap, out, &origin, path, query, &result);
}

static const char *gemini(const char *path)
{
	route(OUTPUT_GEMINI, path, NULL);
	return result.kind == ROUTE_PAGE ? result.body.data : "";
}

static const char *gopher(const char *path)
{
	route(OUTPUT_GOPHER, path, NULL);
	return result.kind == ROUTE_PAGE ? result.body.data : "";
}

static bool has(const char *haystack, const char *needle)
{
	if (haystack == NULL)
		haystack = "";
	if (strstr(haystack, needle) != NULL)
		return true;
	fprintf(stderr, "  missing \"%s\" in:\n%s\n", needle, haystack);
	return false;
}

static bool starts_with(const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)) == 0)
		return true;
	fprintf(stderr, "  \"%s\" does not start:\n%s\n", prefix, s);
	return false;
}

static bool before(const char *haystack, const char *first, const char *second)
{
	const char *a = strstr(haystack, first), *b = strstr(haystack, second);
	return a != NULL && b != NULL && a < b;
}

/* Every line of a Gopher menu is "TYPE DISPLAY\tSELECTOR\tHOST\tPORT\r\n"
 * with a display of at most 70 columns and no final ".". */
static bool gopher_menu_well_formed(const char *menu)
{
	const char *line = menu;
	while (*line != '\0') {
		const char *end = strstr(line, "\r\n");
		if (end == NULL)
			return false;
		size_t tabs = 0;
		const char *first_tab = NULL;
		for (const char *c = line; c < end; c++) {
			if (*c == '\t' && tabs++ == 0)
				first_tab = c;
			if (*c == '\n' || *c == '\r')
				return false;
		}
		if (tabs != 3 || strncmp(line, ".\r\n", 3) == 0)
			return false;
		if (text_width(line + 1, (size_t)(first_tab - line - 1)) > 70)
			return false;
		line = end + 2;
	}
	return true;
}

static void test_front_page_gemini(void)
{
	const char *body = gemini("/");
	CHECK_INT(result.kind, ROUTE_PAGE);
	CHECK_STR(result.mime, "text/gemini");
	CHECK(starts_with(body, "# Kabar Barru\n"));
	CHECK(has(body, "Berita dari Barru.\n=> gemini://elsewhere.example/ A friend\n"));
	CHECK(has(body, "## Latest news\n=> /news/2022/04/panen 2022-04-21 - Panen Raya\n"
	                "=> /news/2022/04/pasar 2022-04-20 - Pasar Sentral\n"));
	CHECK(has(body, "=> /section/barru/ Barru\n"));
	CHECK(has(body, "=> /section/pendidikan/ Pendidikan\n=> /news/2022/03/sekolah"));
	CHECK(has(body, "=> /search "));
	CHECK(has(body, "=> /feed.xml "));
	CHECK(has(body, "=> /feed.gmi "));
	CHECK(has(body, "=> /archive/ "));
	CHECK(strstr(body, "depan") == NULL);
	CHECK(before(body, "Berita dari Barru", "## Latest news"));
}

static void test_front_page_gopher(void)
{
	const char *body = gopher("/");
	CHECK_INT(result.kind, ROUTE_PAGE);
	CHECK_INT(result.gopher_type, '1');
	CHECK(starts_with(body, "iKabar Barru\t\terror.host\t1\r\n"));
	CHECK(has(body, "iBerita dari Barru.\t\terror.host\t1\r\n"
	                "hA friend\tURL:gemini://elsewhere.example/\tlocalhost\t7070\r\n"));
	CHECK(has(body, "\r\n12022-04-21 Panen Raya\t/news/2022/04/panen\tlocalhost\t7070\r\n"));
	CHECK(has(body, "\r\n1Barru\t/section/barru/\tlocalhost\t7070\r\n"));
	CHECK(has(body, "\r\n7Search the news\t/search\tlocalhost\t7070\r\n"));
	CHECK(has(body, "\t/feed.xml\tlocalhost\t7070\r\n"));
	CHECK(gopher_menu_well_formed(body));
	CHECK(strstr(body, "depan") == NULL);
}

/* More articles than the front page shows (page size 2 here): the way to
 * the archive is still one line, named once. */
static size_t occurrences(const char *haystack, const char *needle)
{
	size_t n = 0;
	for (const char *at = strstr(haystack, needle); at != NULL; at = strstr(at + 1, needle))
		n++;
	return n;
}

static void test_front_page_names_archive_once(void)
{
	CHECK_INT(occurrences(gemini("/"), "Archive"), 1);
	CHECK_INT(occurrences(gemini("/"), "=> /archive/ "), 1);
	CHECK_INT(occurrences(gopher("/"), "Archive"), 1);
}

static void test_article_with_related_and_navigation(void)
{
	const char *body = gemini("/news/2022/04/pasar");
	CHECK_INT(result.kind, ROUTE_PAGE);
	CHECK_STR(result.mime, "text/gemini");
	CHECK(starts_with(body, "# Pasar Sentral"));
	/* Related: same section or a shared tag, newest first, never itself
	 * nor an unpublished one. */
	CHECK(has(body, "## Related\n=> /news/2022/04/panen 2022-04-21 - Panen Raya\n"
	                "=> /news/2021/12/banjir 2021-12-30 - Banjir di Barru\n"));
	CHECK(strstr(body, "depan") == NULL);
	CHECK(has(body, "=> /news/2022/04/panen Newer: 2022-04-21 Panen Raya\n"));
	CHECK(has(body, "=> /news/2022/03/sekolah Older: 2022-03-10 Sekolah Baru\n"));
	CHECK(has(body, "=> /section/barru/ Section: Barru\n"));
	CHECK(has(body, "=> / Front page\n"));

	body = gemini("/news/2022/04/panen");
	/* sekolah shares the tag "pertanian"; the newest has no newer one
	 * because the only newer article is not published. */
	CHECK(has(body, "=> /news/2022/03/sekolah 2022-03-10 - Sekolah Baru\n"));
	CHECK(strstr(body, "Newer:") == NULL);
}

static void test_article_gmi_is_the_same_page(void)
{
	char *plain = xstrdup(gemini("/news/2022/04/pasar"));
	CHECK_STR(gemini("/news/2022/04/pasar.gmi"), plain);
	CHECK_INT(result.kind, ROUTE_PAGE);
	free(plain);
}

/* In Gopher an article is a menu, so its links and the way on can be
 * followed; its plain text is at the address with ".txt". */
static void test_article_gopher(void)
{
	const char *body = gopher("/news/2022/04/pasar");
	CHECK_INT(result.kind, ROUTE_PAGE);
	CHECK_INT(result.gopher_type, '1');
	CHECK(gopher_menu_well_formed(body));
	CHECK(starts_with(body, "0Plain text\t/news/2022/04/pasar.txt\tlocalhost\t7070\r\n"));
	CHECK(has(body, "\r\niPasar Sentral\t\terror.host\t1\r\n"));
	CHECK(has(body, "\r\n12022-04-21 Panen Raya\t/news/2022/04/panen\tlocalhost\t7070\r\n"));
	CHECK(has(body, "\r\n1Newer: 2022-04-21 Panen Raya\t/news/2022/04/panen\tlocalhost\t7070\r\n"));
	CHECK(has(body, "\r\n1Section: Barru\t/section/barru/\tlocalhost\t7070\r\n"));
	CHECK(has(body, "\r\n1Front page\t/\tlocalhost\t7070\r\n"));

	body = gopher("/news/2022/04/pasar.txt");
	CHECK_INT(result.kind, ROUTE_PAGE);
	CHECK_INT(result.gopher_type, '0');
	CHECK(starts_with(body, "Pasar Sentral\r\n"));
	CHECK(has(body, "Related\r\n2022-04-21 Panen Raya\r\n  gopher://localhost:7070/1/news/2022/04/panen\r\n"));
	CHECK(has(body, "  gopher://localhost:7070/1/section/barru/\r\n"));
	CHECK(strstr(body, "\terror.host") == NULL);
	/* ".txt" is Gopher's; Gemini has ".gmi". */
	route(OUTPUT_GEMINI, "/news/2022/04/pasar.txt", NULL);
	CHECK_INT(result.kind, ROUTE_NONE);
}

static void test_redirect_and_alias(void)
{
	route(OUTPUT_GEMINI, "/news/2022/03/pindah", NULL);
	CHECK_INT(result.kind, ROUTE_REDIRECT);
	CHECK_STR(result.target, "/news/2022/03/sekolah");
	route(OUTPUT_GOPHER, "/news/old/sekolah", NULL);
	CHECK_INT(result.kind, ROUTE_REDIRECT);
	CHECK_STR(result.target, "/news/2022/03/sekolah");
}

/* A redirect answers its own address and aliases, and appears on no
 * listing of any kind, dated or not. */
static void test_redirects_never_listed(void)
{
	route(OUTPUT_GEMINI, "/news/lama", NULL);
	CHECK_INT(result.kind, ROUTE_REDIRECT);
	CHECK_STR(result.target, "/news/2022/04/panen");
	route(OUTPUT_GOPHER, "/news/old/lama", NULL);
	CHECK_INT(result.kind, ROUTE_REDIRECT);
	CHECK_STR(result.target, "/news/2022/04/panen");
	route(OUTPUT_GEMINI, "/tag/pindahan/", NULL);
	CHECK_INT(result.kind, ROUTE_NOT_FOUND);
	const char *pages[] = {"/", "/feed.gmi", "/feed.xml", "/section/", "/section/barru/",
	                       "/section/barru/page/2/", "/section/barru/feed.xml", "/tag/",
	                       "/tag/pertanian/", "/tag/pertanian/feed.xml", "/author/",
	                       "/author/muh-hasyim/", "/archive/", "/archive/2022/",
	                       "/archive/2022/page/2/", "/archive/2022/03/", "/news/2022/03/sekolah",
	                       "/news/2022/04/panen"};
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		for (int out = OUTPUT_GEMINI; out <= OUTPUT_GOPHER; out++) {
			route((enum output)out, pages[i], NULL);
			CHECK_INT(result.kind, ROUTE_PAGE);
			CHECK(strstr(result.body.data, "pindah") == NULL);
			CHECK(strstr(result.body.data, "Pindah") == NULL);
			CHECK(strstr(result.body.data, "lama") == NULL);
			CHECK(strstr(result.body.data, "Lama") == NULL);
		}
	}
	CHECK(has(gemini("/author/"), "=> /author/muh-hasyim/ Muh. Hasyim (1)\n"));
	const char *queries[] = {"pindah", "lama", "berita"};
	for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		route(OUTPUT_GEMINI, "/search", queries[i]);
		CHECK(strstr(result.body.data, "/news/2022/03/pindah") == NULL);
		CHECK(strstr(result.body.data, "/news/lama") == NULL);
	}
}

static void test_future_article_hidden(void)
{
	route(OUTPUT_GEMINI, "/news/2099/01/depan", NULL);
	CHECK_INT(result.kind, ROUTE_NOT_FOUND);
	route(OUTPUT_GEMINI, "/tag/pilkada/", NULL);
	CHECK_INT(result.kind, ROUTE_NOT_FOUND);
	route(OUTPUT_GEMINI, "/archive/2099/01/", NULL);
	CHECK_INT(result.kind, ROUTE_NOT_FOUND);
	CHECK(strstr(gemini("/tag/"), "pilkada") == NULL);
	CHECK(strstr(gemini("/archive/"), "2099") == NULL);
	CHECK(strstr(gemini("/feed.xml"), "depan") == NULL);
}

static void test_section_paging(void)
{
	const char *body = gemini("/section/barru/");
	CHECK_INT(result.kind, ROUTE_PAGE);
	CHECK(starts_with(body, "# Section: Barru\n\n=> /news/2022/04/panen 2022-04-21 - Panen Raya\n"
	                    "=> /news/2022/04/pasar 2022-04-20 - Pasar Sentral\n\n"));
	CHECK(has(body, "=> /section/barru/page/2/ Older (2/2)\n"));
	CHECK(has(body, "=> /section/barru/feed.xml "));
	CHECK(strstr(body, "Newer") == NULL);
	CHECK(strstr(body, "banjir") == NULL);

	body = gemini("/section/barru/page/2/");
	CHECK(has(body, "=> /news/2021/12/banjir 2021-12-30 - Banjir di Barru\n"));
	CHECK(has(body, "=> /section/barru/ Newer (1/2)\n"));
	CHECK(strstr(body, "Older") == NULL);
	CHECK(strstr(body, "panen") == NULL);

	char *first = xstrdup(gemini("/section/barru"));
	CHECK_STR(gemini("/section/barru/page/1/"), first);
	free(first);
	const char *bad[] = {"/section/barru/page/3/", "/section/barru/page/0/", "/section/barru/page/02/",
	                     "/section/barru/page/x/", "/section/barru/other/", "/section/barru/page/"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		route(OUTPUT_GEMINI, bad[i], NULL);
		CHECK_INT(result.kind, ROUTE_NOT_FOUND);
	}
}

static void test_section_gopher_menu(void)
{
	const char *body = gopher("/section/barru/page/2/");
	CHECK_INT(result.gopher_type, '1');
	CHECK(starts_with(body, "iSection: Barru\t\terror.host\t1\r\n"));
	CHECK(has(body, "12021-12-30 Banjir di Barru\t/news/2021/12/banjir\tlocalhost\t7070\r\n"));
	CHECK(has(body, "1Newer (1/2)\t/section/barru/\tlocalhost\t7070\r\n"));
	CHECK(gopher_menu_well_formed(body));
}

static void test_author_and_tag(void)
{
	CHECK(has(gemini("/author/muh-hasyim/"), "=> /news/2022/04/panen 2022-04-21 - Panen Raya\n"));
	const char *body = gemini("/tag/pertanian/");
	CHECK(starts_with(body, "# Tags: pertanian\n"));
	CHECK(before(body, "/news/2022/04/panen", "/news/2022/03/sekolah"));
}

static void test_index_lists(void)
{
	const char *body = gemini("/tag/");
	CHECK(has(body, "=> /tag/ekonomi/ ekonomi (1)\n=> /tag/pertanian/ pertanian (2)\n"));
	body = gemini("/section/");
	CHECK(starts_with(body, "# Sections\n"));
	CHECK(has(body, "=> /section/barru/ Barru (3)\n"));
	CHECK(gopher_menu_well_formed(gopher("/author/")));
	CHECK(has(result.body.data, "1Muh. Hasyim (1)\t/author/muh-hasyim/\tlocalhost\t7070\r\n"));
}

static void test_unknown_names(void)
{
	const char *unknown[] = {"/section/nowhere/", "/tag/nothing/", "/author/nobody/",
	                         "/archive/1999/", "/archive/2022/13/", "/archive/abcd/",
	                         "/section/nowhere/feed.xml"};
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		route(OUTPUT_GEMINI, unknown[i], NULL);
		CHECK_INT(result.kind, ROUTE_NOT_FOUND);
	}
	const char *files[] = {"/images/photo.jpg", "/news/2022/04/photo.jpg", "/about.gmi", "relative"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		route(OUTPUT_GEMINI, files[i], NULL);
		CHECK_INT(result.kind, ROUTE_NONE);
		CHECK_INT(result.body.len, 0);
	}
}

static void test_archive(void)
{
	const char *body = gemini("/archive/");
	CHECK(has(body, "## 2022\n=> /archive/2022/ 2022 (3)\n=> /archive/2022/04/ April 2022 (2)\n"
	                "=> /archive/2022/03/ March 2022 (1)\n"));
	CHECK(before(body, "2022/03", "2021/12"));
	body = gemini("/archive/2022/");
	CHECK(starts_with(body, "# Archive 2022\n"));
	CHECK(has(body, "/news/2022/04/panen"));
	CHECK(has(body, "=> /archive/2022/page/2/ Older"));
	CHECK(has(gemini("/archive/2022/page/2/"), "=> /news/2022/03/sekolah 2022-03-10"));
	body = gemini("/archive/2022/03/");
	CHECK(starts_with(body, "# March 2022\n\n=> /news/2022/03/sekolah"));
	CHECK(gopher_menu_well_formed(gopher("/archive/")));
}

static void test_search(void)
{
	route(OUTPUT_GEMINI, "/search", NULL);
	CHECK_INT(result.kind, ROUTE_INPUT);
	CHECK_STR(result.target, "Search the news");
	route(OUTPUT_GEMINI, "/search", "  ");
	CHECK_INT(result.kind, ROUTE_INPUT);

	route(OUTPUT_GEMINI, "/search", "panen");
	CHECK_INT(result.kind, ROUTE_PAGE);
	CHECK(strncmp(result.body.data, "# Results for: panen\n", 21) == 0);
	CHECK(has(result.body.data, "=> /news/2022/04/panen 2022-04-21 - Panen Raya\n"));
	route(OUTPUT_GEMINI, "/search", "masa");
	CHECK(has(result.body.data, "Nothing found."));
	route(OUTPUT_GOPHER, "/search", "pasar");
	CHECK(has(result.body.data, "12022-04-20 Pasar Sentral\t/news/2022/04/pasar\tlocalhost\t7070\r\n"));
	CHECK(gopher_menu_well_formed(result.body.data));
}

static void test_feed_routes(void)
{
	route(OUTPUT_GEMINI, "/feed.xml", NULL);
	CHECK_INT(result.kind, ROUTE_PAGE);
	CHECK_STR(result.mime, "application/atom+xml");
	CHECK(has(result.body.data, "<id>tag:kabar.example,2022-04-21:/news/2022/04/panen</id>"));
	CHECK(has(result.body.data, "href=\"gemini://localhost:7070/news/2022/04/panen\""));
	route(OUTPUT_GEMINI, "/section/barru/feed.xml", NULL);
	CHECK(has(result.body.data, "<title>Kabar Barru: Barru</title>"));
	CHECK(strstr(result.body.data, "sekolah") == NULL);
	route(OUTPUT_GOPHER, "/tag/pertanian/feed.xml", NULL);
	CHECK_INT(result.gopher_type, '0');
	CHECK(has(result.body.data, "href=\"gopher://localhost:7070/1/news/2022/03/sekolah\""));

	const char *body = gemini("/feed.gmi");
	CHECK(starts_with(body, "# Kabar Barru\n\n=> /news/2022/04/panen 2022-04-21 - Panen Raya\n"));
	CHECK(has(body, "=> /news/2021/12/banjir 2021-12-30 - Banjir di Barru\n"));
}

static void test_long_headline_cut_in_menu(void)
{
	const char *body = gopher("/feed.gmi");
	CHECK(gopher_menu_well_formed(body));
	CHECK(has(body, "12020-01-02 Pemerintah Kabupaten Barru menggelar rapat koordinasi lint…\t"));
}

static void test_language_and_port(void)
{
	vhost.lang = "id";
	CHECK(has(gemini("/"), "## Berita terbaru\n"));
	vhost.lang = "en";
	struct origin standard = {"localhost", 1965, true};
	route_result_free(&result);
	site_route(snap, OUTPUT_GEMINI, &standard, "/feed.xml", NULL, &result);
	CHECK(has(result.body.data, "href=\"gemini://localhost/news/2022/04/panen\""));
}

int main(void)
{
	newsroom_open();
	RUN(test_front_page_gemini);
	RUN(test_front_page_gopher);
	RUN(test_front_page_names_archive_once);
	RUN(test_article_with_related_and_navigation);
	RUN(test_article_gmi_is_the_same_page);
	RUN(test_article_gopher);
	RUN(test_redirect_and_alias);
	RUN(test_redirects_never_listed);
	RUN(test_future_article_hidden);
	RUN(test_section_paging);
	RUN(test_section_gopher_menu);
	RUN(test_author_and_tag);
	RUN(test_index_lists);
	RUN(test_unknown_names);
	RUN(test_archive);
	RUN(test_search);
	RUN(test_feed_routes);
	RUN(test_long_headline_cut_in_menu);
	RUN(test_language_and_port);
	route_result_free(&result);
	newsroom_close();
	return check_report();
}
