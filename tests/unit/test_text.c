#include "text.h"

#include "check.h"

#include <stdlib.h>
#include <string.h>

/* Every line of s (lines end with eol) is at most width columns wide. */
static bool lines_fit(const char *s, const char *eol, size_t width)
{
	size_t eol_len = strlen(eol);
	for (const char *line = s; *line != '\0';) {
		const char *end = strstr(line, eol);
		if (end == NULL)
			return false;
		if (text_width(line, (size_t)(end - line)) > width)
			return false;
		line = end + eol_len;
	}
	return true;
}

static char *wrap(const char *s, size_t width, const char *first, const char *rest)
{
	struct buf out = {0};
	text_wrap(&out, s, strlen(s), width, first, rest, "\n");
	return buf_steal(&out);
}

static void test_valid_utf8(void)
{
	CHECK(text_valid_utf8("Kabupatén", strlen("Kabupatén")));
	CHECK(!text_valid_utf8("\xc0\xaf", 2));         /* overlong */
	CHECK(!text_valid_utf8("\xed\xa0\x80", 3));     /* surrogate */
	CHECK(!text_valid_utf8("\xe6\x97", 2));         /* cut short */
}

static void test_width(void)
{
	CHECK_INT(text_width("Barru", 5), 5);
	CHECK_INT(text_width("日本語", strlen("日本語")), 6);
	/* e + combining acute: one column. */
	CHECK_INT(text_width("e\xcc\x81", 3), 1);
	/* man ZWJ woman ZWJ girl: one glyph, two columns. */
	const char *family = "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7";
	CHECK_INT(text_width(family, strlen(family)), 2);
	CHECK_INT(text_width("", 0), 0);
	/* A stray byte still counts as one column. */
	CHECK_INT(text_width("a\xffz", 3), 3);
}

static void test_wrap_words(void)
{
	char *s = wrap("Rombongan ini digawangi oleh staf DPMPTSP dan Dinas PUPR", 20, "", "");
	CHECK_STR(s, "Rombongan ini\ndigawangi oleh staf\nDPMPTSP dan Dinas\nPUPR\n");
	free(s);
}

static void test_wrap_prefixes(void)
{
	char *s = wrap("satu dua tiga empat lima", 12, "* ", "  ");
	CHECK_STR(s, "* satu dua\n  tiga empat\n  lima\n");
	free(s);
	s = wrap("", 10, "> ", "> ");
	CHECK_STR(s, ">\n");
	free(s);
}

static void test_wrap_cjk(void)
{
	const char *text =
		"吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。"
		"何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。"
		"吾輩はここで始めて人間というものを見た。しかもあとで聞くとそれは書生という"
		"人間中で一番獰悪な種族であったそうだ。";
	char *s = wrap(text, 70, "", "");
	CHECK(lines_fit(s, "\n", 70));
	/* Full lines: 35 wide characters each, nothing lost. */
	CHECK(strncmp(s, "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何で\n",
	              strlen("吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何で\n")) == 0);
	struct buf joined = {0};
	for (const char *p = s; *p; p++)
		if (*p != '\n')
			buf_putc(&joined, *p);
	CHECK_STR(joined.data, text);
	buf_free(&joined);
	free(s);
	/* An odd width never splits a wide character: 5 columns hold two. */
	s = wrap("日本語です", 5, "", "");
	CHECK_STR(s, "日本\n語で\nす\n");
	free(s);
}

static void test_wrap_mixed_cjk_fills_line(void)
{
	char *s = wrap("Judul: 中文段落没有空格所以必须在字符之间换行", 20, "", "");
	CHECK(lines_fit(s, "\n", 20));
	CHECK_STR(s, "Judul: 中文段落没有\n空格所以必须在字符之\n间换行\n");
	free(s);
}

static void test_wrap_graphemes(void)
{
	/* Ten "é" written as e + combining acute: must break between clusters. */
	struct buf in = {0};
	for (int i = 0; i < 10; i++)
		buf_puts(&in, "e\xcc\x81");
	char *s = wrap(in.data, 4, "", "");
	CHECK_STR(s, "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81\n"
	             "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81\n"
	             "e\xcc\x81" "e\xcc\x81\n");
	free(s);
	buf_free(&in);
	/* A family emoji (two columns) is never cut at its joiners. */
	const char *family = "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7";
	struct buf three = {0};
	for (int i = 0; i < 3; i++)
		buf_puts(&three, family);
	s = wrap(three.data, 3, "", "");
	struct buf want = {0};
	buf_printf(&want, "%s\n%s\n%s\n", family, family, family);
	CHECK_STR(s, want.data);
	free(s);
	buf_free(&want);
	buf_free(&three);
}

static void test_wrap_tabs_and_breaks(void)
{
	char *s = wrap("a\tb\nc", 20, "", "");
	CHECK_STR(s, "a       b\nc\n");
	free(s);
	s = wrap("satu\r\n\r\ndua", 20, "", "");
	CHECK_STR(s, "satu\n\ndua\n");
	free(s);
	/* Width zero still puts one cluster per line, never loops. */
	s = wrap("ab", 0, "", "");
	CHECK_STR(s, "a\nb\n");
	free(s);
	/* A prefix wider than the line still makes progress. */
	s = wrap("ab", 2, "xyz", "xyz");
	CHECK_STR(s, "xyza\nxyzb\n");
	free(s);
}

static void test_wrap_long_word(void)
{
	char *s = wrap("lihat https://barru.goblog.co.id/berita/2022/04/21 ya", 16, "", "");
	CHECK(lines_fit(s, "\n", 16));
	CHECK_STR(s, "lihat https://ba\nrru.goblog.co.id\n/berita/2022/04/\n21 ya\n");
	free(s);
}

static void test_fold(void)
{
	char *a = text_fold("Kabupatén", strlen("Kabupatén"));
	char *b = text_fold("KABUPATEN", 9);
	CHECK_STR(a, b);
	CHECK_STR(a, "kabupaten");
	free(a);
	free(b);
	/* Compatibility forms fold too: full-width letters, the "ﬁ" ligature. */
	a = text_fold("ＭＰＰ ﬁle Straße", strlen("ＭＰＰ ﬁle Straße"));
	CHECK_STR(a, "mpp file strasse");
	free(a);
	/* Decomposed and precomposed accents fold the same. */
	a = text_fold("Kabupate\xcc\x81n", strlen("Kabupate\xcc\x81n"));
	CHECK_STR(a, "kabupaten");
	free(a);
	/* Bad bytes do not make the fold fail. */
	a = text_fold("A\xff" "B", 3);
	CHECK_STR(a, "a\xef\xbf\xbd" "b");
	free(a);
}

static void test_slug(void)
{
	char *s = text_slug("Wow...!!, Kesan Peserta");
	CHECK_STR(s, "wow-kesan-peserta");
	free(s);
	s = text_slug("Wow...!!, Kesan Peserta Study Tiru Kabupaten Lutim Tentang MPP Barru");
	CHECK_STR(s, "wow-kesan-peserta-study-tiru-kabupaten-lutim-tentang-mpp-barru");
	free(s);
	s = text_slug("  Café -- Déjà vu  ");
	CHECK_STR(s, "cafe-deja-vu");
	free(s);
	s = text_slug("日本語");
	CHECK_STR(s, "item");
	free(s);
	s = text_slug("");
	CHECK_STR(s, "item");
	free(s);
}

static void test_trim(void)
{
	const char *s = " \t tide table \r\n";
	size_t len = strlen(s);
	text_trim(&s, &len);
	CHECK_INT(len, 10);
	CHECK(strncmp(s, "tide table", len) == 0);
	const char *blank = " \n ";
	len = 3;
	text_trim(&blank, &len);
	CHECK_INT(len, 0);
	/* Only the len bytes count: a space past them is not looked at. */
	const char *cut = "ab ";
	len = 2;
	text_trim(&cut, &len);
	CHECK_INT(len, 2);
}

int main(void)
{
	RUN(test_valid_utf8);
	RUN(test_width);
	RUN(test_wrap_words);
	RUN(test_wrap_prefixes);
	RUN(test_wrap_cjk);
	RUN(test_wrap_mixed_cjk_fills_line);
	RUN(test_wrap_graphemes);
	RUN(test_wrap_tabs_and_breaks);
	RUN(test_wrap_long_word);
	RUN(test_fold);
	RUN(test_slug);
	RUN(test_trim);
	return check_report();
}
