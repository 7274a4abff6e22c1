#include "alloc.h"
#include "links.h"

#include "check.h"

#include <stdlib.h>

/* Resolves ref from the file at base; returns the kind, *out the path
 * (or "" when there is none) and *suffix_out the query/fragment. */
static enum link_kind resolve(const char *base, const char *ref, char **out, const char **suffix_out)
{
	struct buf path = {0};
	enum link_kind kind = links_resolve(base, ref, &path, suffix_out);
	*out = path.data ? buf_steal(&path) : xstrdup("");
	return kind;
}

static void check_site(const char *base, const char *ref, const char *want_path,
                       const char *want_suffix)
{
	char *path;
	const char *suffix;
	CHECK_INT(resolve(base, ref, &path, &suffix), LINK_SITE);
	CHECK_STR(path, want_path);
	CHECK_STR(suffix, want_suffix);
	free(path);
}

static void check_kind(const char *base, const char *ref, enum link_kind want)
{
	char *path;
	const char *suffix;
	CHECK_INT(resolve(base, ref, &path, &suffix), want);
	free(path);
}

static void test_relative_to_the_source_file(void)
{
	const char *ferry = "/news/links/ferry.md";
	check_site(ferry, "pics/chart.png", "/news/links/pics/chart.png", "");
	check_site(ferry, "./pics/./chart.png", "/news/links/pics/chart.png", "");
	check_site(ferry, "harbour.md#lamp", "/news/links/harbour.md", "#lamp");
	check_site(ferry, "../older/harbour.md?x=1#a", "/news/older/harbour.md", "?x=1#a");
	check_site(ferry, "../../media/images/sajadah.jpg", "/media/images/sajadah.jpg", "");
	check_site(ferry, "/news/older/harbour", "/news/older/harbour", "");
	check_site(ferry, "/section/../tag/x/", "/tag/x/", "");
	check_site(ferry, "../", "/news/", "");
	/* Scripts and escapes are kept as written. */
	check_site("/news/zh-hans/渡轮.md", "图片/海港.png", "/news/zh-hans/图片/海港.png", "");
	check_site("/news/ar/x.md", "%D8%B5%D9%88%D8%B1%D8%A9.png", "/news/ar/%D8%B5%D9%88%D8%B1%D8%A9.png", "");
}

static void test_kinds(void)
{
	const char *ferry = "/news/links/ferry.md";
	check_kind(ferry, "https://example.org/a/../b", LINK_EXTERNAL);
	check_kind(ferry, "gemini://example.org/", LINK_EXTERNAL);
	check_kind(ferry, "mailto:redaksi@example.org", LINK_EXTERNAL);
	check_kind(ferry, "//example.org/x", LINK_EXTERNAL);
	check_kind(ferry, "#top", LINK_SELF);
	check_kind(ferry, "?page=2", LINK_SELF);
	check_kind(ferry, "../../../etc/passwd", LINK_OUTSIDE);
	check_kind(ferry, "/../x", LINK_OUTSIDE);
	check_kind(ferry, "../../../../media/images/sajadah.jpg", LINK_OUTSIDE);
	check_kind(NULL, "x.png", LINK_SITE); /* no base: from the root */
}

/* A table of capsule sources for links_find_source. */
static const char *const sources[] = {
	"news/older/harbour.md", "news/guides/ferry/index.md", "news/hi/nadi.gmi",
	"news/id/kapal.txt",
};

static const void *lookup(const char *source, const void *data)
{
	int *asked = (int *)data;
	(*asked)++;
	for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++)
		if (strcmp(sources[i], source) == 0)
			return sources[i];
	return NULL;
}

static const char *find(const char *site_path)
{
	int asked = 0;
	const char *found = links_find_source(site_path, lookup, &asked);
	CHECK(asked <= 13); /* bounded: the path, six extensions, six index files */
	return found;
}

static void test_find_source(void)
{
	CHECK_STR(find("/news/older/harbour.md"), "news/older/harbour.md");
	CHECK_STR(find("/news/older/harbour"), "news/older/harbour.md");
	CHECK_STR(find("/news/guides/ferry/"), "news/guides/ferry/index.md");
	CHECK_STR(find("/news/guides/ferry"), "news/guides/ferry/index.md");
	CHECK_STR(find("/news/guides/ferry/index.md"), "news/guides/ferry/index.md");
	CHECK_STR(find("/news/hi/nadi"), "news/hi/nadi.gmi");
	CHECK_STR(find("/news/id/kapal"), "news/id/kapal.txt");
	CHECK(find("/news/older/harbour/") == NULL); /* a folder, and none is there */
	CHECK(find("/news/older") == NULL);
	CHECK(find("/") == NULL);
	CHECK(find("news/older/harbour.md") == NULL); /* not a site path */
}

static void test_bundle_index(void)
{
	CHECK(links_is_bundle_index("news/guides/ferry/index.md"));
	CHECK(links_is_bundle_index("index.gmi"));
	CHECK(links_is_bundle_index("news/x/index.txt"));
	CHECK(!links_is_bundle_index("news/x/_index.md"));
	CHECK(!links_is_bundle_index("news/x/index.html"));
	CHECK(!links_is_bundle_index("news/x/reindex.md"));
}

static void test_line_of(void)
{
	const char *text = "---\ntitle: x\n---\n[a](x.png) and [b](x.png)\n\n![c](y.png)\n";
	size_t len = strlen(text);
	struct link_cursor c = {0};
	CHECK_INT(links_line_of(text, len, "x.png", &c), 4);
	CHECK_INT(links_line_of(text, len, "x.png", &c), 4);
	CHECK_INT(links_line_of(text, len, "y.png", &c), 6);
	/* Not found after the cursor: the cursor's line, not a rescan. */
	CHECK_INT(links_line_of(text, len, "x.png", &c), 6);
}

/* Aliases live among the articles' addresses, as plain paths. */
static void test_alias_refusal(void)
{
	const char *outside[] = {"/about.gmi", "/images/", "/images/harbour-light.png",
	                         "/robots.txt", "/news/", "/newsroom/x"};
	for (size_t i = 0; i < sizeof outside / sizeof *outside; i++)
		CHECK_STR(links_alias_refusal(outside[i]), "is outside the article addresses (/news/...)");
	const char *odd[] = {"/news/../robots.txt", "/news/a?b", "/news/a#b", "/news/a%2e", "/news//x",
	                     "/news/x/.", "/news/a b", "/news/x\xc2\x85y", "/news/x\xe2\x80\xaey"};
	for (size_t i = 0; i < sizeof odd / sizeof *odd; i++)
		CHECK_STR(links_alias_refusal(odd[i]), "is not a plain path");
	const char *fine[] = {"/news/2024/03/old", "/news/lama/", "/news/berita/pañen"};
	for (size_t i = 0; i < sizeof fine / sizeof *fine; i++)
		CHECK(links_alias_refusal(fine[i]) == NULL);
}

/* The schemes a link or a redirect may have. */
static void test_scheme_allowed(void)
{
	CHECK(links_scheme_allowed("gemini://x/"));
	CHECK(links_scheme_allowed("HTTPS://x/"));
	CHECK(links_scheme_allowed("mailto:a@b"));
	CHECK(!links_scheme_allowed("javascript:alert(1)"));
	CHECK(!links_scheme_allowed("data:text/html,x"));
	CHECK(!links_scheme_allowed("/news/x"));
}

int main(void)
{
	RUN(test_alias_refusal);
	RUN(test_scheme_allowed);
	RUN(test_relative_to_the_source_file);
	RUN(test_kinds);
	RUN(test_find_source);
	RUN(test_bundle_index);
	RUN(test_line_of);
	return check_report();
}
