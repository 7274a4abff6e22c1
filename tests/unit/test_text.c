#include "text.h"

#include "check.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <utf8proc.h>

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
	/* man ZWJ woman ZWJ girl: two columns for each emoji, as glibc counts
	 * them; a terminal that joins them draws a shorter line, not a longer. */
	const char *family = "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7";
	CHECK_INT(text_width(family, strlen(family)), 6);
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
	/* A family emoji (six columns) is never cut at its joiners. */
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

static int32_t cp_of(const char *s)
{
	int32_t cp;
	text_decode(s, strlen(s), 0, &cp);
	return cp;
}

/* The soft line break rule: CJK and Thai join, Latin and Hangul keep the
 * space, CJK quotation marks join the CJK beside them. */
static void test_soft_break_joins(void)
{
	CHECK(text_soft_break_joins(cp_of("。"), cp_of("フ")));
	CHECK(text_soft_break_joins(cp_of("る"), cp_of("港")));
	CHECK(text_soft_break_joins(cp_of("，"), cp_of("预")));
	CHECK(text_soft_break_joins(cp_of("ะ"), cp_of("ก")));
	CHECK(text_soft_break_joins(cp_of("，"), cp_of("“")));
	CHECK(text_soft_break_joins(cp_of("”"), cp_of("在")));
	CHECK(text_soft_break_joins('a', 0x200b));
	CHECK(!text_soft_break_joins('a', 'b'));
	CHECK(!text_soft_break_joins(cp_of("が"), 'K'));
	CHECK(!text_soft_break_joins('.', cp_of("日")));
	CHECK(!text_soft_break_joins(cp_of("도"), cp_of("공")));
	CHECK(!text_soft_break_joins(cp_of("다"), cp_of("日")));
	CHECK(!text_soft_break_joins(cp_of("ว่า"), cp_of("“")));
	CHECK(!text_soft_break_joins(cp_of("é"), cp_of("ñ")));

	const char *ja = "時刻表です。";
	CHECK(text_break_joins(ja, strlen(ja), "フェリーは", strlen("フェリーは")));
	CHECK(!text_break_joins(ja, strlen(ja), "Ferry", 5));
	CHECK(!text_break_joins("", 0, "フ", strlen("フ")));
	CHECK(!text_break_joins(ja, strlen(ja), "", 0));
	/* A stray byte at the end reads as U+FFFD: a space. */
	CHECK(!text_break_joins("\xe6\x97", 2, "フ", strlen("フ")));
}

/* No line of s (lines end in "\n") starts with one of the code points a
 * line may not start with. */
static bool no_line_starts_with_closing(const char *s)
{
	static const char *const closing[] = {"、", "。", "」", "）", "，", "』", "】"};
	for (const char *line = s; *line != '\0';) {
		for (size_t i = 0; i < sizeof closing / sizeof closing[0]; i++)
			if (strncmp(line, closing[i], strlen(closing[i])) == 0)
				return false;
		const char *end = strchr(line, '\n');
		if (end == NULL)
			break;
		line = end + 1;
	}
	return true;
}

/* Japanese news wraps by UAX #14: at every width no line starts with
 * closing punctuation, none is wider than the width, none is cut inside
 * a character, and nothing is lost. */
static void test_wrap_cjk_punctuation(void)
{
	const char *text =
		"港の新しい時刻表です。フェリーは朝六時から夜九時まで、一時間おきに出航します。"
		"観光協会は「夜の花火大会の日だけでも臨時便を出してほしい」（事務局長）と要望し、"
		"運航会社は『検討する』と答えました。";
	for (size_t width = 4; width <= 40; width++) {
		char *s = wrap(text, width, "", "");
		CHECK(lines_fit(s, "\n", width));
		CHECK(no_line_starts_with_closing(s));
		CHECK(text_valid_utf8(s, strlen(s)));
		struct buf joined = {0};
		for (const char *p = s; *p; p++)
			if (*p != '\n')
				buf_putc(&joined, *p);
		CHECK_STR(joined.data, text);
		buf_free(&joined);
		free(s);
	}
	/* 、 would start the second line at width 6; す moves down with it. */
	char *s = wrap("です、ます", 4, "", "");
	CHECK_STR(s, "で\nす、\nます\n");
	free(s);
	/* An opening bracket never ends a line: 「 goes down with 朝. */
	s = wrap("午前「朝」", 6, "", "");
	CHECK_STR(s, "午前\n「朝」\n");
	free(s);
}

/* Chinese breaks between ideographs; a Latin word inside it stays whole,
 * and so do numbers. */
static void test_wrap_cjk_latin(void)
{
	char *s = wrap("新版本Kabar支持Gemini协议", 12, "", "");
	CHECK(lines_fit(s, "\n", 12));
	CHECK_STR(s, "新版本Kabar\n支持Gemini协\n议\n");
	free(s);
	/* Latin text is untouched: hyphens, slashes and punctuation do not
	 * break, only spaces do. */
	s = wrap("well-known self-hosted news/feeds (beta) sites", 12, "", "");
	CHECK_STR(s, "well-known\nself-hosted\nnews/feeds\n(beta) sites\n");
	free(s);
	/* Korean breaks at its spaces only, never between syllables. */
	s = wrap("한국어 기사는 띄어쓰기를 지킵니다", 14, "", "");
	CHECK_STR(s, "한국어 기사는\n띄어쓰기를\n지킵니다\n");
	free(s);
}

/* Thai wraps at the spaces it puts between phrases; a phrase longer than
 * the line is split between clusters, never inside one (libunibreak 1.1
 * has no Thai dictionary: UAX #14 treats a Thai phrase as one word). */
static void test_wrap_thai(void)
{
	const char *text = "เรือจะออกทุกสามสิบนาที ในช่วงเช้าและเย็น เพื่อรองรับนักเรียน";
	char *s = wrap(text, 24, "", "");
	CHECK_STR(s, "เรือจะออกทุกสามสิบนาที\nในช่วงเช้าและเย็น\nเพื่อรองรับนักเรียน\n");
	free(s);
	s = wrap("ที่เดินทางเข้าเมืองทุกวัน", 8, "", "");
	CHECK(lines_fit(s, "\n", 8));
	/* Each line starts with a consonant or a leading vowel, never with a
	 * mark that belongs to the cluster before. */
	for (const char *line = s; *line != '\0';) {
		int32_t cp = cp_of(line);
		CHECK(text_category(cp) != UTF8PROC_CATEGORY_MN);
		line = strchr(line, '\n') + 1;
	}
	free(s);
}

/* Regional indicators and U+FFFF upset libunibreak 1.1 (an assertion, the
 * end of the text): they still wrap, with CJK around them. */
static void test_wrap_unibreak_edges(void)
{
	const char *flags = "日本\xf0\x9f\x87\xaf\xf0\x9f\x87\xb5です\xef\xbf\xbf。\xff\xfe終わり";
	char *s = wrap(flags, 6, "", "");
	CHECK(lines_fit(s, "\n", 6));
	CHECK(strstr(s, "\xf0\x9f\x87\xaf\xf0\x9f\x87\xb5") != NULL);
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

/* ASCII takes a shortcut past utf8proc: it must fold as utf8proc folds
 * it, every byte of it, and stop at a NUL as utf8proc does. */
static void test_fold_ascii(void)
{
	char all[128];
	for (int c = 1; c < 128; c++)
		all[c - 1] = (char)c;
	all[127] = '\0';
	char *fast = text_fold(all, 127);
	utf8proc_uint8_t *slow = NULL;
	CHECK(utf8proc_map((const utf8proc_uint8_t *)all, 0, &slow,
	                   UTF8PROC_NULLTERM | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK |
	                       UTF8PROC_COMPOSE | UTF8PROC_COMPAT) == 127);
	CHECK_STR(fast, (const char *)slow);
	free(fast);
	free(slow);
	fast = text_fold("Pasar BARU\0Kabupatén", 21);
	CHECK_STR(fast, "pasar baru");
	free(fast);
	/* One letter beyond ASCII anywhere sends the whole text the long way. */
	fast = text_fold("PASAR Kabupatén", strlen("PASAR Kabupatén"));
	CHECK_STR(fast, "pasar kabupaten");
	free(fast);
}

/* The shortcut for ASCII answers as utf8proc does, for every code point
 * it covers and a few beyond. */
static void test_category(void)
{
	for (int32_t cp = 0; cp < 0x250; cp++)
		CHECK_INT(text_category(cp), utf8proc_category(cp));
	CHECK_INT(text_category(0x4e00), UTF8PROC_CATEGORY_LO);
	CHECK_INT(text_category(0x3000), UTF8PROC_CATEGORY_ZS);
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

/* ---- width as terminals count it ---- */

/* glibc's wcswidth of UTF-8 text (the locale is C.UTF-8), or -1 when it
 * holds a character glibc calls unprintable. */
static int glibc_width(const char *s)
{
	wchar_t wide[2048];
	size_t n = mbstowcs(wide, s, sizeof wide / sizeof wide[0]);
	if (n == (size_t)-1 || n == sizeof wide / sizeof wide[0])
		return -2;
	return wcswidth(wide, n);
}

/* Sentences in many scripts, as a newsroom writes them. */
static const char *const scripts_sample[] = {
	/* Hindi: vowel signs ा ि ी ो (Mc) take a column, ं ् (Mn) none. */
	"बंदरगाह के प्रमुख ने मंगलवार को कहा कि नया ब्रेकवाटर बारिश के मौसम से पहले पूरा हो जाएगा।",
	/* Tamil: ா ி ொ ை are spacing marks; ் (virama) is not. */
	"புதிய அலைதடுப்புச் சுவர் மழைக்காலத்திற்கு முன்பே கட்டி முடிக்கப்படும் என்று தெரிவித்தார்.",
	/* Bengali. */
	"বন্দরের প্রধান মঙ্গলবার বলেছেন যে নতুন বাঁধটি বর্ষার আগেই শেষ হবে।",
	/* Thai: above and below vowels and tone marks take no column. */
	"นายท่าเรือกล่าวเมื่อวันอังคารว่าเขื่อนกันคลื่นแห่งใหม่จะเสร็จก่อนฤดูฝน",
	/* Chinese and Japanese: two columns each, full-width punctuation too. */
	"港务局局长星期二表示，新的防波堤将在雨季之前完工。",
	"港の新しい防波堤は、雨季の前に完成する予定だ。",
	/* Korean, precomposed and as conjoining jamo. */
	"새 방파제는 우기 전에 완공된다. \xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab",
	/* Arabic with its vowel marks, and a number sign spanning digits. */
	"قال مدير الميناء إنّ حاجز الأمواج سيكتمل قبل موسم الأمطار. \xd8\x80" "١٢٣",
	/* Emoji: a thumb with a skin tone, a flag, a family joined by ZWJ. */
	"Banjir surut \xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd \xf0\x9f\x87\xae\xf0\x9f\x87\xa9 "
	"\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7",
	/* Combining accents, precomposed and not; Vietnamese stacks two. */
	"Cafe\xcc\x81 cre\xcc\x80me bru\xcc\x82le\xcc\x81" "e, Vie\xcc\xa3\xcc\x82" "t Nam, Ðà Nẵng",
	/* Sinhala, Gujarati, Malayalam, Myanmar: more spacing marks. */
	"ශ්‍රී ලංකාව ગુજરાતી ഭാഷ မြန်မာ",
};

static void test_width_as_glibc(void)
{
	for (size_t i = 0; i < sizeof scripts_sample / sizeof scripts_sample[0]; i++) {
		const char *s = scripts_sample[i];
		int want = glibc_width(s);
		CHECK(want > 0);
		if ((long long)text_width(s, strlen(s)) != want)
			fprintf(stderr, "  sample %zu: %s\n", i, s);
		CHECK_INT(text_width(s, strlen(s)), want);
	}
	/* The first offender: क + ा is two columns, not one. */
	CHECK_INT(text_width("का", strlen("का")), 2);
	CHECK_INT(text_width("கா", strlen("கா")), 2);
}

/* No printable code point alone measures narrower than glibc says: a
 * narrower count is what lets a line run past the terminal's edge. (Wider
 * is allowed, so a newer glibc's tables do not break the test; today the
 * two agree on every code point.) */
static void test_width_every_code_point(void)
{
	size_t narrower = 0;
	for (utf8proc_int32_t cp = 0x20; cp < 0x110000; cp++) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		int want = wcwidth((wchar_t)cp);
		if (want < 0)
			continue;
		utf8proc_uint8_t s[8];
		utf8proc_ssize_t n = utf8proc_encode_char(cp, s);
		size_t got = text_width((const char *)s, (size_t)n);
		if ((long long)got < want && narrower++ < 10)
			fprintf(stderr, "  U+%04X: %zu columns, glibc says %d\n", (unsigned)cp, got, want);
	}
	CHECK_INT(narrower, 0);
}

/* An emoji presentation selector widens a symbol glibc counts as one
 * column: more than glibc, which only ever makes a line shorter. */
static void test_width_emoji_selector(void)
{
	const char *heart = "\xe2\x9d\xa4\xef\xb8\x8f";
	CHECK_INT(text_width(heart, strlen(heart)), 2);
	CHECK(glibc_width(heart) <= 2);
}

/* Gopher prose at 70 columns: no line over 70 as glibc counts it, in any
 * script (the issue saw Hindi at 92 and Tamil at 98). */
static void test_wrap_fits_glibc(void)
{
	for (size_t i = 0; i < sizeof scripts_sample / sizeof scripts_sample[0]; i++) {
		struct buf text = {0};
		for (int k = 0; k < 8; k++) {
			buf_puts(&text, scripts_sample[i]);
			buf_putc(&text, ' ');
		}
		char *s = wrap(text.data, 70, "", "");
		size_t lines = 0;
		for (char *line = strtok(s, "\n"); line != NULL; line = strtok(NULL, "\n")) {
			int w = glibc_width(line);
			CHECK(w >= 0 && w <= 70);
			lines++;
		}
		CHECK(lines > 1);
		free(s);
		buf_free(&text);
	}
}

/* FNV-1a's step and prime from the offset basis 1469598103934665603 (the
 * one the tables have always used, not FNV's published basis). */
static void test_hash(void)
{
	CHECK(text_hash("", 0) == 0x14650fb0739d0383ULL);
	CHECK(text_hash("a", 1) == 0x44bd8ad473cd9906ULL);
	CHECK(text_hash("foobar", 6) == 0x88fad7c0a8ff07f2ULL);
	/* Bytes, not a C string: a NUL inside counts, the length bounds it. */
	CHECK(text_hash("ab\0c", 4) != text_hash("ab", 2));
	CHECK(text_hash("berita/jakarta", 6) == text_hash("berita", 6));
	CHECK(text_hash("日本語", strlen("日本語")) != text_hash("日本", strlen("日本")));
}

static void test_decode(void)
{
	const char s[] = "a\xc3\xa9\xe6\x9d\xb1\xff\xf0\x9f\x98\x80\xe6";
	size_t len = sizeof s - 1;
	int32_t cp;
	CHECK_INT(text_decode(s, len, 0, &cp), 1);
	CHECK_INT(cp, 'a');
	CHECK_INT(text_decode(s, len, 1, &cp), 2);
	CHECK_INT(cp, 0xe9);
	CHECK_INT(text_decode(s, len, 3, &cp), 3);
	CHECK_INT(cp, 0x6771);
	CHECK_INT(text_decode(s, len, 6, &cp), 1); /* a stray byte */
	CHECK_INT(cp, 0xfffd);
	CHECK_INT(text_decode(s, len, 7, &cp), 4);
	CHECK_INT(cp, 0x1f600);
	CHECK_INT(text_decode(s, len, 11, &cp), 1); /* cut short at the end */
	CHECK_INT(cp, 0xfffd);
}

/* The path and suffix helpers every module shares. */
static void test_paths(void)
{
	CHECK_STR(text_base_name("news/2024/banjir.md"), "banjir.md");
	CHECK_STR(text_base_name("banjir.md"), "banjir.md");
	CHECK_STR(text_base_name("news/"), "");
	CHECK_STR(text_base_name("/"), "");
	CHECK_STR(text_base_name("berita/東京.gmi"), "東京.gmi");
	CHECK_STR(text_extension("news/a.b/c"), "");
	CHECK_STR(text_extension("news/a.tar.gz"), "gz");
	CHECK_STR(text_extension("news/.profile"), "");
	CHECK_STR(text_extension("news/README"), "");
	CHECK_STR(text_extension("news/x."), "");
	CHECK_STR(text_extension("news/Laporan.GMI"), "GMI");
	CHECK_STR(text_extension(""), "");
	CHECK(text_ends_with("catatan.swp", 11, ".swp"));
	CHECK(!text_ends_with("catatan.swp", 10, ".swp")); /* the length bounds it */
	CHECK(text_ends_with(".gmi", 4, ".gmi"));
	CHECK(!text_ends_with("gmi", 3, ".gmi"));
	CHECK(!text_ends_with("a.GMI", 5, ".gmi")); /* byte for byte */
	CHECK(text_ends_with("", 0, ""));
}

int main(void)
{
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL) {
		fprintf(stderr, "C.UTF-8 locale missing: glibc's widths cannot be compared\n");
		return 1;
	}
	RUN(test_valid_utf8);
	RUN(test_width);
	RUN(test_width_as_glibc);
	RUN(test_width_every_code_point);
	RUN(test_width_emoji_selector);
	RUN(test_wrap_fits_glibc);
	RUN(test_wrap_words);
	RUN(test_wrap_prefixes);
	RUN(test_wrap_cjk);
	RUN(test_wrap_mixed_cjk_fills_line);
	RUN(test_wrap_graphemes);
	RUN(test_wrap_tabs_and_breaks);
	RUN(test_wrap_long_word);
	RUN(test_soft_break_joins);
	RUN(test_wrap_cjk_punctuation);
	RUN(test_wrap_cjk_latin);
	RUN(test_wrap_thai);
	RUN(test_wrap_unibreak_edges);
	RUN(test_fold);
	RUN(test_fold_ascii);
	RUN(test_category);
	RUN(test_slug);
	RUN(test_trim);
	RUN(test_clean_controls);
	RUN(test_clean_lines);
	RUN(test_clean_keeps_scripts);
	RUN(test_clean_bidi);
	RUN(test_is_clean);
	RUN(test_hash);
	RUN(test_paths);
	RUN(test_decode);
	return check_report();
}
