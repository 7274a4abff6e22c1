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

static char *clean(const char *s, unsigned flags)
{
	struct buf out = {0};
	text_clean(&out, s, strlen(s), flags);
	return buf_steal(&out);
}

static void test_clean_controls(void)
{
	/* What a YAML "\e[2J\e]0;pwned\a" title decodes to: ESC and BEL go,
	 * the harmless letters stay. */
	char *s = clean("Hello\x1b[2J\x1b]0;pwned\x07", 0);
	CHECK_STR(s, "Hello[2J]0;pwned");
	free(s);
	/* C1 controls (CSI U+009B, OSC U+009D) and DEL go too. */
	s = clean("a\xc2\x9b" "31m\xc2\x9d" "b\x7f" "c", 0);
	CHECK_STR(s, "a31mbc");
	free(s);
	/* Every kind of line break, NEL and U+2028/2029 included, is a space
	 * in one line; "\r\n" is one break. */
	s = clean("1\r\n2\n3\r4\v5\f6\xc2\x85" "7\xe2\x80\xa8" "8\xe2\x80\xa9" "9\t0", 0);
	CHECK_STR(s, "1 2 3 4 5 6 7 8 9 0");
	free(s);
	/* Invalid UTF-8 is U+FFFD; NUL in the middle of a measured string too
	 * is dropped. */
	s = clean("caf\xe9", 0);
	CHECK_STR(s, "caf\xef\xbf\xbd");
	free(s);
	struct buf out = {0};
	text_clean(&out, "a\0b", 3, 0);
	CHECK_INT(out.len, 2);
	CHECK(memcmp(out.data, "ab", 2) == 0);
	buf_free(&out);
}

static void test_clean_lines(void)
{
	/* A body keeps its lines and tabs; NEL and the like are spaces. */
	char *s = clean("x\ty\r\nz\xc2\x85w\rv\x1b\xe2\x80\xa9u", TEXT_CLEAN_LINES);
	CHECK_STR(s, "x\ty\nz w\nv u");
	free(s);
}

static void test_clean_keeps_scripts(void)
{
	const char *samples[] = {
	    "Banjir di Barru, Sulawesi Selatan",
	    "\xd8\xa7\xd9\x84\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a\xd8\xa9 123 ABC", /* Arabic, digits, Latin */
	    "\xd7\xa2\xd7\x91\xd7\xa8\xd7\x99\xd7\xaa\xe2\x80\x8f!",            /* Hebrew with RLM */
	    "日本語のニュース", "Ελληνικά", "ᬅᬓ᭄ᬱᬭ", "👨‍👩‍👧 ok", "e\xcc\x81t\xc3\xa9",
	};
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		char *s = clean(samples[i], 0);
		CHECK_STR(s, samples[i]);
		CHECK(text_is_clean(s, strlen(s)));
		free(s);
	}
}

static void test_clean_bidi(void)
{
	/* An override left open is closed at the end of its field. */
	char *s = clean("\xe2\x80\xae" "txt.exe", 0);
	CHECK_STR(s, "\xe2\x80\xae" "txt.exe\xe2\x80\xac");
	free(s);
	/* Balanced embeddings and isolates stay as they are. */
	const char *balanced = "a \xe2\x81\xa7\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d\xe2\x81\xa9 "
	                       "\xe2\x80\xab" "x\xe2\x80\xac b";
	s = clean(balanced, 0);
	CHECK_STR(s, balanced);
	free(s);
	/* Closers with nothing to close are dropped; a PDI also ends the
	 * embedding opened inside its isolate. */
	s = clean("\xe2\x80\xac\xe2\x81\xa9" "a\xe2\x81\xa6\xe2\x80\xaa" "b\xe2\x81\xa9" "c", 0);
	CHECK_STR(s, "a\xe2\x81\xa6\xe2\x80\xaa" "b\xe2\x81\xa9" "c");
	free(s);
	/* Each line of a body is closed before its break. */
	s = clean("\xe2\x80\xae" "a\nb", TEXT_CLEAN_LINES);
	CHECK_STR(s, "\xe2\x80\xae" "a\xe2\x80\xac\nb");
	free(s);
	/* Echoed input and menus drop them: only the letters remain. */
	s = clean("x\xe2\x80\xae" "y\xe2\x81\xa6z\xe2\x80\xac", TEXT_CLEAN_NO_BIDI);
	CHECK_STR(s, "xyz");
	free(s);
	/* Nesting past the limit is not kept: 100 openers, at most 16 kept
	 * and closed. */
	struct buf deep = {0};
	for (int i = 0; i < 100; i++)
		buf_puts(&deep, "\xe2\x80\xab");
	s = clean(deep.data, 0);
	CHECK_INT(strlen(s), 16 * 3 * 2);
	free(s);
	buf_free(&deep);
}

static void test_is_clean(void)
{
	CHECK(text_is_clean("text/gemini; charset=utf-8; lang=id", 35));
	CHECK(text_is_clean("Kata kunci pencarian?", 21));
	CHECK(!text_is_clean("/x\r\n20 text/gemini", 18));
	CHECK(!text_is_clean("a\tb", 3));
	CHECK(!text_is_clean("a\xc2\x85", 3));
	CHECK(!text_is_clean("a\xe2\x80\xa8", 4));
	CHECK(!text_is_clean("a\xe2\x81\xa6", 4));
	CHECK(!text_is_clean("a\xff", 2));
	CHECK(text_has_control("a\x1b", 2));
	CHECK(text_has_control("a\xc2\x9b", 3));
	CHECK(text_has_control("a\xe2\x80\xa9", 4));
	CHECK(!text_has_control("caf\xe9 \xe2\x80\xae", 8));
	CHECK(text_is_bidi_control(0x202e));
	CHECK(text_is_bidi_control(0x2066));
	CHECK(!text_is_bidi_control(0x200f)); /* RLM marks, opens nothing */
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
	RUN(test_clean_controls);
	RUN(test_clean_lines);
	RUN(test_clean_keeps_scripts);
	RUN(test_clean_bidi);
	RUN(test_is_clean);
	return check_report();
}
