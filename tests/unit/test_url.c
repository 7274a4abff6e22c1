#include "url.h"

#include "check.h"

#include <stdio.h>
#include <stdlib.h>

/* One parse and what it must give; NULL fields are not checked unless the
 * case says the part is absent (see expect_no_query). */
struct good_case {
	const char *input;
	const char *scheme;
	const char *host;
	int port;
	const char *path;
	const char *query;
};

static const struct good_case good_cases[] = {
	{"gemini://example.org/", "gemini", "example.org", -1, "/", NULL},
	{"gemini://example.org", "gemini", "example.org", -1, "", NULL},
	{"GEMINI://EXAMPLE.ORG/Path", "gemini", "example.org", -1, "/Path", NULL},
	{"gemini://example.org:1965/", "gemini", "example.org", 1965, "/", NULL},
	{"gemini://example.org:0/", "gemini", "example.org", 0, "/", NULL},
	{"gemini://example.org:65535/", "gemini", "example.org", 65535, "/", NULL},
	{"gemini://example.org:01965/", "gemini", "example.org", 1965, "/", NULL},
	{"gemini://example.org:/", "gemini", "example.org", -1, "/", NULL},
	{"gemini://example.org./x", "gemini", "example.org.", -1, "/x", NULL},
	{"gemini://127.0.0.1/", "gemini", "127.0.0.1", -1, "/", NULL},
	{"gemini://[::1]/", "gemini", "::1", -1, "/", NULL},
	{"gemini://[::1]:1965/a", "gemini", "::1", 1965, "/a", NULL},
	{"gemini://[2001:DB8::1]/", "gemini", "2001:db8::1", -1, "/", NULL},
	{"gemini://[::ffff:127.0.0.1]/", "gemini", "::ffff:127.0.0.1", -1, "/", NULL},
	{"gemini://h/a/b/c", "gemini", "h", -1, "/a/b/c", NULL},
	{"gemini://h/a/./b", "gemini", "h", -1, "/a/b", NULL},
	{"gemini://h/a/../b", "gemini", "h", -1, "/b", NULL},
	{"gemini://h/a/b/..", "gemini", "h", -1, "/a/", NULL},
	{"gemini://h/a/b/.", "gemini", "h", -1, "/a/b/", NULL},
	{"gemini://h/a/..", "gemini", "h", -1, "/", NULL},
	{"gemini://h/./", "gemini", "h", -1, "/", NULL},
	{"gemini://h/a/%2e%2E/b", "gemini", "h", -1, "/b", NULL},
	{"gemini://h/a/%2e/b", "gemini", "h", -1, "/a/b", NULL},
	{"gemini://h/a//b", "gemini", "h", -1, "/a//b", NULL},
	{"gemini://h/...", "gemini", "h", -1, "/...", NULL},
	{"gemini://h/..a", "gemini", "h", -1, "/..a", NULL},
	{"gemini://h/%41%62c", "gemini", "h", -1, "/Abc", NULL},
	{"gemini://h/a%20b", "gemini", "h", -1, "/a b", NULL},
	{"gemini://h/caf%C3%A9", "gemini", "h", -1, "/caf\xc3\xa9", NULL},
	{"gemini://h/caf\xc3\xa9", "gemini", "h", -1, "/caf\xc3\xa9", NULL},
	{"gemini://h/\xe6\x97\xa5\xe6\x9c\xac", "gemini", "h", -1, "/\xe6\x97\xa5\xe6\x9c\xac", NULL},
	{"gemini://h/search?hello%20world", "gemini", "h", -1, "/search", "hello world"},
	{"gemini://h/search?a+b", "gemini", "h", -1, "/search", "a+b"},
	{"gemini://h/search?a%2Fb", "gemini", "h", -1, "/search", "a/b"},
	{"gemini://h/search?a/b?c", "gemini", "h", -1, "/search", "a/b?c"},
	{"gemini://h/search?", "gemini", "h", -1, "/search", ""},
	{"gemini://h?q", "gemini", "h", -1, "", "q"},
	{"gemini://h/x?%E2%82%AC", "gemini", "h", -1, "/x", "\xe2\x82\xac"},
	{"gemini://h/!$&'()*+,;=:@", "gemini", "h", -1, "/!$&'()*+,;=:@", NULL},
	{"gemini://h/-._~", "gemini", "h", -1, "/-._~", NULL},
	{"gemini://sub-1.example_x.org/", "gemini", "sub-1.example_x.org", -1, "/", NULL},
	{"gemini://b\xc3\xa9rita.id/", "gemini", "b\xc3\xa9rita.id", -1, "/", NULL},
	{"http://example.org/", "http", "example.org", -1, "/", NULL},
	{"gopher://example.org:70/1/", "gopher", "example.org", 70, "/1/", NULL},
	{"x-my+s.1://h/", "x-my+s.1", "h", -1, "/", NULL},
	{"mailto:someone", "mailto", NULL, -1, "someone", NULL},
};

static void test_good_urls(void)
{
	for (size_t i = 0; i < sizeof good_cases / sizeof good_cases[0]; i++) {
		const struct good_case *c = &good_cases[i];
		struct url u;
		enum url_error err = url_parse(c->input, strlen(c->input), &u);
		if (err != URL_OK) {
			fprintf(stderr, "  case \"%s\": %s\n", c->input, url_error_text(err));
			CHECK_INT(err, URL_OK);
			continue;
		}
		CHECK_STR(u.scheme, c->scheme);
		CHECK_STR(u.host, c->host);
		CHECK_INT(u.port, c->port);
		CHECK_STR(u.path, c->path);
		CHECK_STR(u.query, c->query);
		CHECK(!u.has_userinfo);
		CHECK(!u.has_fragment);
		url_free(&u);
	}
}

struct bad_case {
	const char *input;
	size_t len; /* 0: strlen */
	enum url_error err;
};

static const struct bad_case bad_cases[] = {
	{"", 0, URL_EMPTY},
	{"/just/a/path", 0, URL_NO_SCHEME},
	{"//example.org/", 0, URL_NO_SCHEME},
	{"example.org/", 0, URL_NO_SCHEME},
	{"garbage", 0, URL_NO_SCHEME},
	{"1gemini://h/", 0, URL_NO_SCHEME},
	{":h/", 0, URL_NO_SCHEME},
	{"gem ini://h/", 0, URL_BAD_CHAR},
	{"gemini://h/a b", 0, URL_BAD_CHAR},
	{"gemini://h/a\tb", 0, URL_BAD_CHAR},
	{"gemini://h/a\rb", 0, URL_BAD_CHAR},
	{"gemini://h/a\x7f", 0, URL_BAD_CHAR},
	{"gemini://h/a\0b", 14, URL_BAD_CHAR},
	{"\xef\xbb\xbfgemini://h/", 0, URL_BAD_CHAR},
	{"gemini://h/<x>", 0, URL_BAD_CHAR},
	{"gemini://h/a\\b", 0, URL_BAD_CHAR},
	{"gemini://h/a{b}", 0, URL_BAD_CHAR},
	{"gemini://h/a[b]", 0, URL_BAD_CHAR},
	{"gemini://h/a%00b", 0, URL_BAD_CHAR},
	{"gemini://h/a%0Ab", 0, URL_BAD_CHAR},
	{"gemini://h/a%7f", 0, URL_BAD_CHAR},
	{"gemini://h/x?a%00", 0, URL_BAD_CHAR},
	{"gemini://h/\xff", 0, URL_BAD_UTF8},
	{"gemini://h/\xc3", 0, URL_BAD_UTF8},
	{"gemini://h/\xc0\xae", 0, URL_BAD_UTF8},
	{"gemini://h/\xed\xa0\x80", 0, URL_BAD_UTF8},
	{"gemini://h/%c0%ae%c0%ae/etc", 0, URL_BAD_UTF8},
	{"gemini://h/%e0%80%ae", 0, URL_BAD_UTF8},
	{"gemini://h/%ff", 0, URL_BAD_UTF8},
	{"gemini://h/%c3", 0, URL_BAD_UTF8},
	{"gemini://h/x?%ff", 0, URL_BAD_UTF8},
	{"gemini://h/%", 0, URL_BAD_PERCENT},
	{"gemini://h/%4", 0, URL_BAD_PERCENT},
	{"gemini://h/%zz", 0, URL_BAD_PERCENT},
	{"gemini://h/%%41", 0, URL_BAD_PERCENT},
	{"gemini://h/x?%g0", 0, URL_BAD_PERCENT},
	{"gemini:///path", 0, URL_NO_HOST},
	{"gemini://:1965/", 0, URL_NO_HOST},
	{"gemini://user@/", 0, URL_NO_HOST},
	{"gemini://[::1/", 0, URL_BAD_HOST},
	{"gemini://[]/", 0, URL_BAD_HOST},
	{"gemini://[not:an:ip]/", 0, URL_BAD_HOST},
	{"gemini://[::1%25eth0]/", 0, URL_BAD_HOST},
	{"gemini://[::1]x/", 0, URL_BAD_HOST},
	{"gemini://[127.0.0.1]/", 0, URL_BAD_HOST},
	{"gemini://ex%41mple.org/", 0, URL_BAD_HOST},
	{"gemini://h:port/", 0, URL_BAD_PORT},
	{"gemini://h:65536/", 0, URL_BAD_PORT},
	{"gemini://h:99999999999999999999/", 0, URL_BAD_PORT},
	{"gemini://h:-1/", 0, URL_BAD_PORT},
	{"gemini://h:19 65/", 0, URL_BAD_CHAR},
	{"gemini://h:1:2/", 0, URL_BAD_PORT},
	{"gemini://h/a%2Fb", 0, URL_ENCODED_SLASH},
	{"gemini://h/a%2fb/c", 0, URL_ENCODED_SLASH},
	{"gemini://h/..", 0, URL_ABOVE_ROOT},
	{"gemini://h/../etc/passwd", 0, URL_ABOVE_ROOT},
	{"gemini://h/a/../../x", 0, URL_ABOVE_ROOT},
	{"gemini://h/%2e%2e/x", 0, URL_ABOVE_ROOT},
	{"gemini://h/./../x", 0, URL_ABOVE_ROOT},
};

static void test_bad_urls(void)
{
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t len = c->len ? c->len : strlen(c->input);
		struct url u;
		enum url_error err = url_parse(c->input, len, &u);
		if (err != c->err)
			fprintf(stderr, "  case %zu \"%s\": got \"%s\"\n", i, c->input,
			        url_error_text(err));
		CHECK_INT(err, c->err);
		if (err == URL_OK)
			url_free(&u);
	}
}

static void test_userinfo_and_fragment_are_reported(void)
{
	struct url u;
	const char *s = "gemini://user:pw@example.org:1965/a?b#frag";
	CHECK_INT(url_parse(s, strlen(s), &u), URL_OK);
	CHECK(u.has_userinfo);
	CHECK(u.has_fragment);
	CHECK_STR(u.host, "example.org");
	CHECK_INT(u.port, 1965);
	CHECK_STR(u.path, "/a");
	CHECK_STR(u.query, "b");
	url_free(&u);

	s = "gemini://h/#";
	CHECK_INT(url_parse(s, strlen(s), &u), URL_OK);
	CHECK(u.has_fragment);
	CHECK(!u.has_userinfo);
	CHECK_STR(u.path, "/");
	url_free(&u);
}

static void test_raw_parts_are_kept(void)
{
	struct url u;
	const char *s = "gemini://h/a/%2e%2e/b%20c?x%20y";
	CHECK_INT(url_parse(s, strlen(s), &u), URL_OK);
	CHECK_STR(u.raw_path, "/a/%2e%2e/b%20c");
	CHECK_STR(u.path, "/b c");
	CHECK_STR(u.raw_query, "x%20y");
	CHECK_STR(u.query, "x y");
	CHECK(u.has_authority);
	url_free(&u);

	s = "gemini://h";
	CHECK_INT(url_parse(s, strlen(s), &u), URL_OK);
	CHECK_STR(u.raw_path, "");
	CHECK(u.raw_query == NULL);
	CHECK(u.query == NULL);
	url_free(&u);
}

static void test_ip_hosts_are_flagged(void)
{
	struct url u;
	const char *s = "gemini://127.0.0.1:1965/";
	CHECK_INT(url_parse(s, strlen(s), &u), URL_OK);
	CHECK(u.host_is_ip);
	CHECK(!u.host_is_ipv6);
	url_free(&u);

	s = "gemini://[::1]/";
	CHECK_INT(url_parse(s, strlen(s), &u), URL_OK);
	CHECK(u.host_is_ip);
	CHECK(u.host_is_ipv6);
	url_free(&u);

	s = "gemini://999.1.1.1/";
	CHECK_INT(url_parse(s, strlen(s), &u), URL_OK);
	CHECK(!u.host_is_ip);
	url_free(&u);

	s = "gemini://localhost/";
	CHECK_INT(url_parse(s, strlen(s), &u), URL_OK);
	CHECK(!u.host_is_ip);
	url_free(&u);
}

static void test_parse_stops_at_len(void)
{
	struct url u;
	const char *s = "gemini://h/abc\r\nmore";
	CHECK_INT(url_parse(s, 14, &u), URL_OK);
	CHECK_STR(u.path, "/abc");
	url_free(&u);
}

static void test_encode_path(void)
{
	struct buf b = {0};
	url_encode_path(&b, "/news/2024/a b?c#d%e", 20);
	CHECK_STR(b.data, "/news/2024/a%20b%3Fc%23d%25e");
	buf_clear(&b);
	url_encode_path(&b, "/caf\xc3\xa9", 6);
	CHECK_STR(b.data, "/caf%C3%A9");
	buf_clear(&b);
	url_encode_path(&b, "-._~AZaz09", 10);
	CHECK_STR(b.data, "-._~AZaz09");
	buf_free(&b);
}

static void test_encode_segment(void)
{
	struct buf b = {0};
	url_encode_segment(&b, "a/b:c", 5);
	CHECK_STR(b.data, "a%2Fb%3Ac");
	buf_clear(&b);
	url_encode_segment(&b, "x\ny", 3);
	CHECK_STR(b.data, "x%0Ay");
	buf_free(&b);
}

static void test_encode_then_parse_round_trips(void)
{
	const char *name = "/dir/\xe6\x97\xa5 a+b&c=d;e'f";
	struct buf b = {0};
	buf_puts(&b, "gemini://h");
	url_encode_path(&b, name, strlen(name));
	struct url u;
	CHECK_INT(url_parse(b.data, b.len, &u), URL_OK);
	CHECK_STR(u.path, name);
	url_free(&u);
	buf_free(&b);
}

static void test_decode_directly(void)
{
	struct buf b = {0};
	CHECK_INT(url_decode(&b, "a%2Fb", 5, true), URL_OK);
	CHECK_STR(b.data, "a/b");
	buf_clear(&b);
	CHECK_INT(url_decode(&b, "a%2Fb", 5, false), URL_ENCODED_SLASH);
	buf_clear(&b);
	CHECK_INT(url_decode(&b, "%E2%82", 6, true), URL_BAD_UTF8);
	buf_free(&b);
}

static void test_remove_dots_directly(void)
{
	static const char *const cases[][2] = {
		{"/a/b/c/./../../g", "/a/g"},
		{"/mid/content=5/../6", "/mid/6"},
		{"/", "/"},
		{"/.", "/"},
		{"/a/b/../..", "/"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf b = {0};
		CHECK_INT(url_remove_dots(&b, cases[i][0], strlen(cases[i][0])), URL_OK);
		CHECK_STR(b.data, cases[i][1]);
		buf_free(&b);
	}
	struct buf b = {0};
	CHECK_INT(url_remove_dots(&b, "/a/../..", 8), URL_ABOVE_ROOT);
	buf_free(&b);
}

static void test_every_error_has_text(void)
{
	for (int e = URL_OK; e <= URL_ABOVE_ROOT; e++) {
		const char *text = url_error_text((enum url_error)e);
		CHECK(text != NULL && text[0] != '\0');
	}
}

static void test_scheme_length(void)
{
	CHECK_INT(url_scheme_length("gemini://host/", 14), 6);
	CHECK_INT(url_scheme_length("mailto:a@b", 10), 6);
	CHECK_INT(url_scheme_length("svn+ssh:x", 9), 7);
	/* Relative references: no scheme. */
	CHECK_INT(url_scheme_length("/news/a", 7), 0);
	CHECK_INT(url_scheme_length("a/b:c", 5), 0);
	CHECK_INT(url_scheme_length("1http:x", 7), 0);
	CHECK_INT(url_scheme_length(":x", 2), 0);
	/* The ':' must lie within len. */
	CHECK_INT(url_scheme_length("gemini:", 6), 0);
}

int main(void)
{
	RUN(test_good_urls);
	RUN(test_bad_urls);
	RUN(test_userinfo_and_fragment_are_reported);
	RUN(test_raw_parts_are_kept);
	RUN(test_ip_hosts_are_flagged);
	RUN(test_parse_stops_at_len);
	RUN(test_encode_path);
	RUN(test_encode_segment);
	RUN(test_encode_then_parse_round_trips);
	RUN(test_decode_directly);
	RUN(test_remove_dots_directly);
	RUN(test_every_error_has_text);
	RUN(test_scheme_length);
	return check_report();
}
