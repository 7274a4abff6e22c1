#include "selector.h"

#include "check.h"

#include <stdlib.h>

static enum selector_status parse(const char *line, struct selector *sel)
{
	return selector_parse(line, strlen(line), sel);
}

static void check_normalised(const char *raw, const char *want)
{
	char *got = selector_normalise(raw, strlen(raw));
	CHECK_STR(got, want);
	free(got);
}

static void test_front_page(void)
{
	check_normalised("", "/");
	check_normalised("/", "/");
	check_normalised("//", "/");
	check_normalised(".", "/");
	check_normalised("/./", "/");
}

static void test_dot_segments_and_slashes(void)
{
	check_normalised("/news/2022/04/slug", "/news/2022/04/slug");
	check_normalised("news/2022", "/news/2022");
	check_normalised("/section/barru/", "/section/barru/");
	check_normalised("/a/./b", "/a/b");
	check_normalised("/a//b///c/", "/a/b/c/");
	check_normalised("/a/.", "/a/");
	check_normalised("/a/...", "/a/...");
	check_normalised("/a/.hidden", "/a/.hidden");
	check_normalised("/caf\xc3\xa9 menu", "/caf\xc3\xa9 menu");
}

static void test_traversal_is_refused(void)
{
	const char *attacks[] = {
		"..", "/..", "/../etc/passwd", "/a/../../b", "/a/..", "../",
		"/%2e%2e/etc/passwd", "/%2E%2E/x", "/.%2e/x", "/%2e./x", "/a/%2e/b",
	};
	for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++) {
		char *got = selector_normalise(attacks[i], strlen(attacks[i]));
		if (got != NULL)
			fprintf(stderr, "  accepted %s as %s\n", attacks[i], got);
		CHECK(got == NULL);
		free(got);
	}
	struct selector sel;
	CHECK_INT(parse("/../x", &sel), SELECTOR_TRAVERSAL);
	CHECK(sel.path == NULL);
	/* "%2e%2e" inside a longer name is only a name. */
	check_normalised("/a%2e%2eb", "/a%2e%2eb");
}

static void test_plain_selector(void)
{
	struct selector sel;
	CHECK_INT(parse("/news/2022/04/slug", &sel), SELECTOR_OK);
	CHECK_STR(sel.path, "/news/2022/04/slug");
	CHECK(sel.search == NULL);
	CHECK(sel.url == NULL);
	CHECK(!sel.gopher_plus);
	selector_free(&sel);
	CHECK_INT(parse("", &sel), SELECTOR_OK);
	CHECK_STR(sel.path, "/");
	selector_free(&sel);
}

static void test_search_terms(void)
{
	struct selector sel;
	CHECK_INT(parse("/search\tpemilu barru", &sel), SELECTOR_OK);
	CHECK_STR(sel.path, "/search");
	CHECK_STR(sel.search, "pemilu barru");
	CHECK(!sel.gopher_plus);
	selector_free(&sel);
	/* An empty search field asks for the prompt. */
	CHECK_INT(parse("/search\t", &sel), SELECTOR_OK);
	CHECK(sel.search == NULL);
	selector_free(&sel);
	CHECK_INT(parse("/search\tkab\xc3\xa9", &sel), SELECTOR_OK);
	CHECK_STR(sel.search, "kab\xc3\xa9");
	selector_free(&sel);
	CHECK_INT(parse("/search\tkab\xe9", &sel), SELECTOR_BAD_UTF8);
	CHECK(sel.path == NULL && sel.search == NULL);
}

/* Terms after '?' (how the search pages link to their next page):
 * percent-decoded; a TAB's terms leave the '?' in the path. */
static void test_terms_after_question_mark(void)
{
	struct selector sel;
	CHECK_INT(parse("/search/page/2?harbour%20light", &sel), SELECTOR_OK);
	CHECK_STR(sel.path, "/search/page/2");
	CHECK_STR(sel.search, "harbour light");
	selector_free(&sel);
	CHECK_INT(parse("/search?%22kab%C3%A9%22", &sel), SELECTOR_OK);
	CHECK_STR(sel.search, "\"kab\xc3\xa9\"");
	selector_free(&sel);
	CHECK_INT(parse("/search?", &sel), SELECTOR_OK);
	CHECK_STR(sel.path, "/search");
	CHECK(sel.search == NULL);
	selector_free(&sel);
	CHECK_INT(parse("/what?\tterms", &sel), SELECTOR_OK);
	CHECK_STR(sel.path, "/what?");
	CHECK_STR(sel.search, "terms");
	selector_free(&sel);
	CHECK_INT(parse("/search?%c0%ae", &sel), SELECTOR_BAD_UTF8);
	CHECK(sel.path == NULL && sel.search == NULL);
	CHECK_INT(parse("/search?%1b", &sel), SELECTOR_BAD_UTF8);
	CHECK_INT(parse("/../x?y", &sel), SELECTOR_TRAVERSAL);
}

static void test_gopher_plus_suffix(void)
{
	const char *forms[] = {"/\t+", "/\t$", "/\t!", "/\t!+ABSTRACT", "/\t+text/plain", "/\t$+VIEWS"};
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		struct selector sel;
		CHECK_INT(parse(forms[i], &sel), SELECTOR_OK);
		CHECK_STR(sel.path, "/");
		CHECK(sel.search == NULL);
		CHECK(sel.gopher_plus);
		selector_free(&sel);
	}
	struct selector sel;
	CHECK_INT(parse("/search\tkabar\t+", &sel), SELECTOR_OK);
	CHECK_STR(sel.search, "kabar");
	CHECK(sel.gopher_plus);
	selector_free(&sel);
	/* A third field that is not Gopher+ makes no sense. */
	CHECK_INT(parse("/search\tkabar\tmore", &sel), SELECTOR_BAD_FORM);
	CHECK_INT(parse("/a\tb\t+\tc\td", &sel), SELECTOR_BAD_FORM);
	/* "$" inside search terms is only a search. */
	CHECK_INT(parse("/search\t$100", &sel), SELECTOR_OK);
	CHECK_STR(sel.search, "$100");
	CHECK(!sel.gopher_plus);
	selector_free(&sel);
}

static void test_limits(void)
{
	char line[2048];
	struct selector sel;
	line[0] = '/';
	memset(line + 1, 'a', 254);
	line[255] = '\0';
	CHECK_INT(parse(line, &sel), SELECTOR_OK);
	CHECK_INT(strlen(sel.path), 255);
	selector_free(&sel);
	line[255] = 'a';
	line[256] = '\0';
	CHECK_INT(parse(line, &sel), SELECTOR_TOO_LONG);

	strcpy(line, "/search\t");
	size_t at = strlen(line);
	memset(line + at, 'k', SEARCH_MAX);
	line[at + SEARCH_MAX] = '\0';
	CHECK_INT(parse(line, &sel), SELECTOR_OK);
	CHECK_INT(strlen(sel.search), SEARCH_MAX);
	selector_free(&sel);
	strcat(line, "k");
	CHECK_INT(parse(line, &sel), SELECTOR_TOO_LONG);
}

static void test_control_bytes(void)
{
	struct selector sel;
	CHECK_INT(selector_parse("/a\0b", 4, &sel), SELECTOR_BAD_BYTES);
	CHECK_INT(parse("/a\rb", &sel), SELECTOR_BAD_BYTES);
	CHECK_INT(parse("/a\x1b[31m", &sel), SELECTOR_BAD_BYTES);
	CHECK_INT(parse("/a\x7f", &sel), SELECTOR_BAD_BYTES);
	CHECK_INT(parse("/search\tterm\x01", &sel), SELECTOR_BAD_BYTES);
	CHECK(sel.path == NULL);
}

static void test_url_selector(void)
{
	struct selector sel;
	CHECK_INT(parse("URL:https://example.org/a?b=c", &sel), SELECTOR_OK);
	CHECK_STR(sel.url, "https://example.org/a?b=c");
	CHECK(sel.path == NULL);
	selector_free(&sel);
	CHECK_INT(parse("/URL:gemini://example.org/", &sel), SELECTOR_OK);
	CHECK_STR(sel.url, "gemini://example.org/");
	selector_free(&sel);
	/* Only the exact prefix: "/URLs/" is a folder. */
	CHECK_INT(parse("/URLs/", &sel), SELECTOR_OK);
	CHECK(sel.url == NULL);
	CHECK_STR(sel.path, "/URLs/");
	selector_free(&sel);
}

static void test_status_text(void)
{
	CHECK_STR(selector_status_text(SELECTOR_TOO_LONG), "Request too long");
	CHECK(strstr(selector_status_text(SELECTOR_TRAVERSAL), "..") != NULL);
}

int main(void)
{
	RUN(test_front_page);
	RUN(test_dot_segments_and_slashes);
	RUN(test_traversal_is_refused);
	RUN(test_plain_selector);
	RUN(test_search_terms);
	RUN(test_terms_after_question_mark);
	RUN(test_gopher_plus_suffix);
	RUN(test_limits);
	RUN(test_control_bytes);
	RUN(test_url_selector);
	RUN(test_status_text);
	return check_report();
}
