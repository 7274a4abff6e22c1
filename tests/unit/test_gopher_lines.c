#include "gopher_lines.h"

#include "check.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

static char *display(const char *s, size_t columns)
{
	struct buf b = {0};
	menu_display(&b, s, strlen(s), columns);
	return b.data != NULL ? buf_steal(&b) : strdup("");
}

static void test_display_is_one_clean_line(void)
{
	char *got = display("tab\there\r\nnew\x1b[2J\xe2\x80\xae!", 70);
	CHECK_STR(got, "tab here new[2J!");
	free(got);
	/* Wide characters count two columns: 36 of them cannot all fit. */
	got = display("日本語日本語日本語日本語日本語日本語日本語日本語日本語日本語日本語日本語", 70);
	CHECK(text_width(got, strlen(got)) <= 70);
	CHECK(strstr(got, "…") != NULL);
	CHECK(text_valid_utf8(got, strlen(got)));
	free(got);
}

/* A cut never leaves half a flag or an emoji base without its modifier:
 * generated menus and gophermaps cut alike, by grapheme cluster. */
static void test_cut_keeps_clusters(void)
{
	struct buf s = {0};
	for (int i = 0; i < 68; i++)
		buf_putc(&s, 'a');
	buf_puts(&s, "\xf0\x9f\x87\xae\xf0\x9f\x87\xa9 Indonesia"); /* 🇮🇩 */
	char *got = display(s.data, 70);
	/* 68 letters: the flag (two columns) and the ellipsis do not both fit. */
	CHECK(strstr(got, "\xf0\x9f\x87\xae") == NULL);
	CHECK(text_width(got, strlen(got)) <= 70);
	free(got);
	buf_clear(&s);
	for (int i = 0; i < 66; i++)
		buf_putc(&s, 'b');
	buf_puts(&s, "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd and more words"); /* 👍🏽 */
	got = display(s.data, 70);
	bool whole = strstr(got, "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd") != NULL;
	bool gone = strstr(got, "\xf0\x9f\x91\x8d") == NULL;
	CHECK(whole || gone);
	free(got);
	buf_free(&s);
}

static void test_items_and_info(void)
{
	struct buf b = {0};
	CHECK(menu_item(&b, '0', "Berita", "/news/a", "kabar.example", 70));
	CHECK_STR(b.data, "0Berita\t/news/a\tkabar.example\t70\r\n");
	/* A control in a selector or host would end the line: nothing written. */
	CHECK(!menu_item(&b, '0', "x", "/a\tb", "h", 70));
	CHECK(!menu_item(&b, '0', "x", "/a", "h\r\n", 70));
	CHECK_STR(b.data, "0Berita\t/news/a\tkabar.example\t70\r\n");
	buf_clear(&b);
	menu_info(&b, "");
	menu_end(&b);
	CHECK_STR(b.data, "i\t\terror.host\t1\r\n.\r\n");
	buf_free(&b);
}

/* Running text wraps into info lines at the menu width, nothing cut. */
static void test_info_wrapped(void)
{
	struct buf text = {0}, b = {0};
	for (int i = 0; i < 30; i++)
		buf_puts(&text, "kata ");
	menu_info_wrapped(&b, text.data, "", "");
	size_t lines = 0, words = 0;
	for (const char *line = b.data; line != NULL && *line != '\0';) {
		const char *end = strstr(line, "\r\n");
		CHECK(line[0] == 'i');
		const char *tab = strchr(line, '\t');
		CHECK(tab != NULL && text_width(line + 1, (size_t)(tab - line - 1)) <= MENU_DISPLAY_COLUMNS);
		for (const char *w = line; w < tab; w++)
			words += strncmp(w, "kata", 4) == 0;
		lines++;
		line = end != NULL ? end + 2 : NULL;
	}
	CHECK_INT(lines, 3);
	CHECK_INT(words, 30);
	buf_clear(&b);
	menu_info_wrapped(&b, "   ", "", "");
	CHECK_STR(b.data, "i\t\terror.host\t1\r\n");
	buf_free(&b);
	buf_free(&text);
}

int main(void)
{
	RUN(test_display_is_one_clean_line);
	RUN(test_cut_keeps_clusters);
	RUN(test_items_and_info);
	RUN(test_info_wrapped);
	return check_report();
}
