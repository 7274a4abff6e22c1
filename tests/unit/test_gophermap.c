#include "gophermap.h"

#include "check.h"
#include "text.h"

#include <stdlib.h>

static const struct menu_origin origin = {"news.example", 7070};

static char *display_of(const char *s, size_t columns)
{
	struct buf b = {0};
	menu_display(&b, s, strlen(s), columns);
	return buf_steal(&b);
}

static char *repeat(const char *unit, size_t times)
{
	struct buf b = {0};
	for (size_t i = 0; i < times; i++)
		buf_puts(&b, unit);
	return buf_steal(&b);
}

static char *render(const char *map, const char *dir, enum gophermap_end *end)
{
	struct buf b = {0};
	*end = gophermap_render(&b, map, strlen(map), dir, &origin);
	return buf_steal(&b);
}

static void test_item_line(void)
{
	struct buf b = {0};
	CHECK(menu_item(&b, '0', "Berita hari ini", "/news/2022/04/a", "news.example", 70));
	CHECK_STR(b.data, "0Berita hari ini\t/news/2022/04/a\tnews.example\t70\r\n");
	buf_free(&b);
}

static void test_item_refuses_unwritable_fields(void)
{
	struct buf b = {0};
	CHECK(!menu_item(&b, '0', "x", "/a\tb", "h", 70));
	CHECK(!menu_item(&b, '0', "x", "/a\r\n", "h", 70));
	CHECK(!menu_item(&b, '0', "x", "/a", "h\tx", 70));
	CHECK(!menu_item(&b, '0', "x", "/inj\x1b[2J", "h", 70));
	CHECK(!menu_item(&b, '0', "x", "/nel\xc2\x85" "x", "h", 70));
	CHECK(!menu_item(&b, '0', "x", "/ls\xe2\x80\xa8" "x", "h", 70));
	CHECK_INT(b.len, 0);
	/* A name in another encoding is no control: it stays listed. */
	CHECK(menu_item(&b, '0', "x", "/caf\xe9", "h", 70));
	buf_free(&b);
}

static void test_display_control_bytes(void)
{
	/* Breaks and tabs are spaces ("\r\n" one); ESC, DEL and C1 go. */
	char *got = display_of("a\tb\r\nc\x1b[0m\x7f\xc2\x9b" "2J\xc2\x85" "d", 70);
	CHECK_STR(got, "a b c[0m2J d");
	free(got);
	got = display_of("caf\xe9 \xc3\xa9", 70);
	CHECK_STR(got, "caf\xef\xbf\xbd \xc3\xa9");
	free(got);
	/* A bidi override cannot reverse the rest of the menu line. */
	got = display_of("gnp.\xe2\x80\xae" "exe", 70);
	CHECK_STR(got, "gnp.exe");
	free(got);
}

static void test_display_ascii_cut(void)
{
	char *line = repeat("a", 100);
	char *got = display_of(line, MENU_DISPLAY_COLUMNS);
	CHECK_INT(text_width(got, strlen(got)), 70);
	CHECK(strncmp(got, line, 69) == 0);
	CHECK_STR(got + 69, "\xe2\x80\xa6");
	free(got);
	free(line);
	/* Exactly 70 columns is left alone. */
	line = repeat("b", 70);
	got = display_of(line, MENU_DISPLAY_COLUMNS);
	CHECK_STR(got, line);
	free(got);
	free(line);
}

static void test_display_cjk_cut(void)
{
	/* 35 wide characters are 70 columns: they fit. */
	char *line = repeat("\xe6\x96\xb0", 35); /* 新 */
	char *got = display_of(line, MENU_DISPLAY_COLUMNS);
	CHECK_STR(got, line);
	free(got);
	free(line);
	/* 40 are 80 columns: 34 of them (68) and the ellipsis, never half a character. */
	line = repeat("\xe6\x96\xb0", 40);
	got = display_of(line, MENU_DISPLAY_COLUMNS);
	CHECK(text_valid_utf8(got, strlen(got)));
	CHECK_INT(text_width(got, strlen(got)), 69);
	CHECK_INT(strlen(got), 34 * 3 + 3);
	free(got);
	free(line);
}

static void test_display_keeps_clusters_whole(void)
{
	/* "e" + combining acute, 80 times: one column each. */
	char *line = repeat("e\xcc\x81", 80);
	char *got = display_of(line, MENU_DISPLAY_COLUMNS);
	CHECK_INT(text_width(got, strlen(got)), 70);
	CHECK_INT(strlen(got), 69 * 3 + 3);
	free(got);
	free(line);
}

static void test_info_and_error_lines(void)
{
	struct buf b = {0};
	menu_info(&b, "Kabar Barru");
	menu_error(&b, "Not found: /x");
	menu_end(&b);
	CHECK_STR(b.data, "iKabar Barru\t\terror.host\t1\r\n"
	                  "3Not found: /x\t\terror.host\t1\r\n"
	                  ".\r\n");
	buf_free(&b);
}

static void test_text_dot_stuffing(void)
{
	struct buf b = {0};
	const char *text = "one\n.two\n..three\r\n.\nlast";
	gopher_text(&b, text, strlen(text));
	CHECK_STR(b.data, "one\r\n..two\r\n...three\r\n..\r\nlast\r\n");
	buf_clear(&b);
	gopher_text(&b, "", 0);
	CHECK_INT(b.len, 0);
	gopher_text(&b, "\n\n", 2);
	CHECK_STR(b.data, "\r\n\r\n");
	buf_free(&b);
}

static void test_map_info_comments_and_end(void)
{
	enum gophermap_end end;
	char *got = render("Welcome to Kabar\r\n# a comment\n\n   indented\n.\nnot shown\n", "/", &end);
	CHECK_STR(got, "iWelcome to Kabar\t\terror.host\t1\r\n"
	               "i\t\terror.host\t1\r\n"
	               "i   indented\t\terror.host\t1\r\n");
	CHECK_INT(end, GOPHERMAP_DONE);
	free(got);
}

static void test_map_items_relative_and_absolute(void)
{
	enum gophermap_end end;
	char *got = render("0Read me\treadme.txt\n"
	                   "1Archive\t/archive/2022/04/\n"
	                   "1Up\t../\n"
	                   "0Sibling\t../other/notes.txt\n"
	                   "9Same name\t\n"
	                   "0Dot\t./a.txt\n",
	                   "/docs/sub/", &end);
	CHECK_STR(got, "0Read me\t/docs/sub/readme.txt\tnews.example\t7070\r\n"
	               "1Archive\t/archive/2022/04/\tnews.example\t7070\r\n"
	               "1Up\t/docs/\tnews.example\t7070\r\n"
	               "0Sibling\t/docs/other/notes.txt\tnews.example\t7070\r\n"
	               "9Same name\t/docs/sub/Same name\tnews.example\t7070\r\n"
	               "0Dot\t/docs/sub/a.txt\tnews.example\t7070\r\n");
	CHECK_INT(end, GOPHERMAP_DONE);
	free(got);
}

static void test_map_other_hosts_and_urls(void)
{
	enum gophermap_end end;
	char *got = render("1Floodgap\t/\tgopher.floodgap.com\t70\n"
	                   "1Elsewhere\tsomewhere\tother.example\n"
	                   "1Our port\t/x\t\t1234\n"
	                   "hWeb site\tURL:https://example.org/\n"
	                   "1Bad port\t/y\t\tnope\n",
	                   "/", &end);
	CHECK_STR(got, "1Floodgap\t/\tgopher.floodgap.com\t70\r\n"
	               "1Elsewhere\tsomewhere\tother.example\t70\r\n"
	               "1Our port\t/x\tnews.example\t1234\r\n"
	               "hWeb site\tURL:https://example.org/\tnews.example\t7070\r\n"
	               "1Bad port\t/y\tnews.example\t7070\r\n");
	free(got);
}

static void test_map_listing_star(void)
{
	enum gophermap_end end;
	char *got = render("Files:\n*\n0Never\tx\n", "/", &end);
	CHECK_STR(got, "iFiles:\t\terror.host\t1\r\n");
	CHECK_INT(end, GOPHERMAP_LISTING);
	free(got);
}

static void test_map_drops_bad_items(void)
{
	enum gophermap_end end;
	/* Climbing out of the capsule, a control byte as type, an info item with tabs. */
	char *got = render("0Out\t../../etc/passwd\n"
	                   "\x01Odd\t/x\n"
	                   "iJust text\tignored\thost\t70\n"
	                   "0Wide display " "\xe6\x96\xb0\xe6\x96\xb0\tw.txt\n",
	                   "/a/", &end);
	CHECK_STR(got, "iJust text\t\terror.host\t1\r\n"
	               "0Wide display \xe6\x96\xb0\xe6\x96\xb0\t/a/w.txt\tnews.example\t7070\r\n");
	free(got);
}

int main(void)
{
	RUN(test_item_line);
	RUN(test_item_refuses_unwritable_fields);
	RUN(test_display_control_bytes);
	RUN(test_display_ascii_cut);
	RUN(test_display_cjk_cut);
	RUN(test_display_keeps_clusters_whole);
	RUN(test_info_and_error_lines);
	RUN(test_text_dot_stuffing);
	RUN(test_map_info_comments_and_end);
	RUN(test_map_items_relative_and_absolute);
	RUN(test_map_other_hosts_and_urls);
	RUN(test_map_listing_star);
	RUN(test_map_drops_bad_items);
	return check_report();
}
