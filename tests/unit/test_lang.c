#include "lang.h"

#include "check.h"
#include "testutil.h"

#include "alloc.h"
#include "article.h"
#include "buf.h"
#include "text.h"

#include <textcat.h>
#include <utf8proc.h>

#include <stdlib.h>
#include <string.h>

static void check_tag(const char *in, const char *want)
{
	char out[LANG_TAG_MAX] = "";
	bool ok = lang_tag_normalise(in, strlen(in), out);
	if (want == NULL) {
		if (ok)
			fprintf(stderr, "  \"%s\" taken as \"%s\"\n", in, out);
		CHECK(!ok);
		return;
	}
	CHECK(ok);
	CHECK_STR(out, want);
}

static void test_tag_normalise(void)
{
	check_tag("en", "en");
	check_tag("ID", "id");
	check_tag("PT_br", "pt-BR");
	check_tag("zh-hans", "zh-Hans");
	check_tag("zh-HANT-tw", "zh-Hant-TW");
	check_tag("sr-latn-rs", "sr-Latn-RS");
	check_tag("es-419", "es-419");
	check_tag("bug", "bug"); /* Buginese: three letters */
	check_tag("de-CH-1996", "de-CH-1996");
	check_tag("", NULL);
	check_tag("e", NULL);
	check_tag("english", NULL);
	check_tag("Bahasa Indonesia", NULL);
	check_tag("en--us", NULL);
	check_tag("en-", NULL);
	check_tag("-en", NULL);
	check_tag("12", NULL);
	check_tag("en-toolongsubtag", NULL);
	/* What would reach a Gemini header: never a tag. */
	check_tag("ar; charset=latin1", NULL);
	check_tag("en\r\n20 text/html", NULL);
	check_tag("en-aaaaaaaa-bbbbbbbb-cccccccc-dddddddd", NULL); /* over LANG_TAG_MAX */
}

static void check_folder(const char *name, const char *want)
{
	char out[LANG_TAG_MAX] = "";
	bool ok = lang_folder_tag(name, strlen(name), out);
	if (want == NULL) {
		if (ok)
			fprintf(stderr, "  folder \"%s\" taken for \"%s\"\n", name, out);
		CHECK(!ok);
		return;
	}
	CHECK(ok);
	CHECK_STR(out, want);
}

static void test_folder_tag(void)
{
	check_folder("ar", "ar");
	check_folder("zh-hans", "zh-Hans");
	check_folder("pt-br", "pt-BR");
	check_folder("PT-BR", "pt-BR");
	check_folder("es-419", "es-419");
	check_folder("zh-hant-tw", "zh-Hant-TW");
	check_folder("sr_Latn", "sr-Latn");
	/* Sections, desks and years are not languages. */
	check_folder("news", NULL);
	check_folder("go", NULL);
	check_folder("tech", NULL);
	check_folder("sport", NULL);
	check_folder("2024", NULL);
	check_folder("xx", NULL);      /* not an ISO 639-1 code */
	check_folder("bug", NULL);     /* a language, but not a two-letter one */
	check_folder("en-tech", NULL); /* four letters, but no script */
	check_folder("ar-", NULL);
	check_folder("pt-b", NULL);
	check_folder("pt-br-x", NULL);
	check_folder("pt-br-rio", NULL);
	check_folder("zh-hans-cn-x", NULL);
	check_folder("", NULL);
}

static void check_path(const char *path, const char *want)
{
	char out[LANG_TAG_MAX] = "";
	bool ok = lang_of_path(path, out);
	if (want == NULL) {
		CHECK(!ok);
		return;
	}
	CHECK(ok);
	CHECK_STR(out, want);
}

static void test_language_of_path(void)
{
	check_path("news/ar/2024-03-12-harbour.md", "ar");
	check_path("news/zh-hans/2024/03/harbour.md", "zh-Hans");
	check_path("news/pt-br/esporte/final.md", "pt-BR");
	check_path("news/2024-03-12-harbour.md", NULL);
	check_path("news/go/release.md", NULL);
	check_path("news/tech/ar.md", NULL); /* a file, not a folder */
	/* The innermost language folder says it. */
	check_path("news/en/ar/quote.md", "ar");
	check_path("ar.md", NULL);
}

static void test_reason_text(void)
{
	CHECK_STR(lang_reason_text(LANG_FROM_KEY), "from its lang: key");
	CHECK_STR(lang_reason_text(LANG_FROM_FOLDER), "from its folder");
	CHECK_STR(lang_reason_text(LANG_FROM_TEXT), "identified from the text");
	CHECK_STR(lang_reason_text(LANG_FROM_HOST), "the host's lang");
}

/* ---- reading time ---- */

static struct reading count(const char *s)
{
	struct reading r = {0};
	lang_count_reading(&r, s, strlen(s));
	return r;
}

static void test_reading_counts(void)
{
	struct reading r = count("The harbour master said on Tuesday.");
	CHECK_INT(r.words, 6);
	CHECK_INT(r.characters, 0);
	/* Punctuation inside a word does not split it; alone it is no word. */
	r = count("Don't pay Rp5.000 \xe2\x80\x94 ever.");
	CHECK_INT(r.words, 4);
	r = count("港务局局长星期二表示，新的防波堤将在雨季之前完工。");
	CHECK_INT(r.characters, 23); /* punctuation is not read */
	CHECK_INT(r.words, 0);
	r = count("我用iPhone拍照");
	CHECK_INT(r.characters, 4);
	CHECK_INT(r.words, 1);
	/* Japanese kana and kanji, one character each. */
	r = count("港の新しい防波堤");
	CHECK_INT(r.characters, 8);
	/* Thai: letters count, the tone and vowel marks over them do not. */
	r = count("นายท่าเรือ");
	CHECK_INT(r.characters, 8);
	CHECK_INT(r.words, 0);
	/* Korean is written with spaces: words. */
	r = count("새 방파제는 우기 전에 완공된다.");
	CHECK_INT(r.words, 5);
	CHECK_INT(r.characters, 0);
	/* Hindi and Arabic words, marks and all. */
	r = count("नया ब्रेकवाटर पूरा हो जाएगा");
	CHECK_INT(r.words, 5);
	r = count("قال مدير الميناء");
	CHECK_INT(r.words, 3);
	/* Bad bytes are skipped, not counted. */
	r = count("a\xff\xfe b");
	CHECK_INT(r.words, 2);
}

static void test_reading_minutes(void)
{
	struct reading r = {0};
	CHECK_INT(lang_reading_minutes(&r), 1);
	r.words = 200;
	CHECK_INT(lang_reading_minutes(&r), 1);
	r.words = 201;
	CHECK_INT(lang_reading_minutes(&r), 2);
	/* An English original of 4,600 words and its Chinese translation of
	 * about 11,500 characters: 23 minutes both. */
	r = (struct reading){.words = 4600};
	CHECK_INT(lang_reading_minutes(&r), 23);
	r = (struct reading){.characters = 11500};
	CHECK_INT(lang_reading_minutes(&r), 23);
	/* Mixed: 500 characters and 200 words, a minute each. */
	r = (struct reading){.words = 200, .characters = 500};
	CHECK_INT(lang_reading_minutes(&r), 2);
}

/* A Chinese translation reads about as long as its English original: the
 * issue saw "3 min" for one and "23 min" for the other. */
static void test_translation_reads_as_long(void)
{
	struct buf en = {0}, zh = {0};
	for (int i = 0; i < 160; i++) {
		buf_puts(&en, "The harbour master said on Tuesday that the new breakwater would be "
		              "finished before the rainy season. ");
		buf_puts(&zh, "港务局局长星期二表示，新的防波堤将在雨季之前完工。");
	}
	struct reading e = count(en.data), z = count(zh.data);
	size_t me = lang_reading_minutes(&e), mz = lang_reading_minutes(&z);
	CHECK_INT(me, 14); /* 2,720 words */
	CHECK_INT(mz, 8);  /* 3,680 characters: within a factor two */
	CHECK(mz * 2 >= me);
	buf_free(&en);
	buf_free(&zh);
}

/* ---- identification ---- */

static char *read_sample(const char *rel, size_t *len)
{
	char path[4096];
	return test_read_file(test_repo_path(rel, path, sizeof path), len);
}

static void check_identified(const char *rel, const char *want)
{
	size_t len;
	char *text = read_sample(rel, &len);
	CHECK(text != NULL);
	if (text == NULL)
		return;
	char tag[LANG_TAG_MAX] = "";
	bool ok = lang_identify(text, len, tag);
	if (want == NULL) {
		CHECK(!ok);
	} else {
		CHECK(ok);
		CHECK_STR(tag, want);
	}
	free(text);
}

static void test_identify_without_fingerprints(void)
{
	lang_identifier_close();
	CHECK(!lang_identifier_open("/nonexistent/kabar-test"));
	char tag[LANG_TAG_MAX] = "";
	size_t len;
	char *text = read_sample("tests/lang/hi.md", &len);
	CHECK(text != NULL);
	CHECK(!lang_identify(text ? text : "", text ? len : 0, tag));
	free(text);
}

static void test_identify(void)
{
	if (!lang_identifier_open(NULL)) {
		fprintf(stderr, "  libexttextcat-data is not installed: nothing to identify\n");
		CHECK(false);
		return;
	}
	check_identified("tests/lang/hi.md", "hi");
	check_identified("tests/lang/ta.md", "ta");
	check_identified("tests/lang/ar.md", "ar");
	check_identified("capsule/news/harbour-light-returns.md", "en");
	/* Too short to trust, whatever the classifier says. */
	char tag[LANG_TAG_MAX];
	const char *short_text = "Bupati Barru meresmikan pasar baru.";
	CHECK(!lang_identify(short_text, strlen(short_text), tag));
	/* Opening twice keeps the one classifier. */
	CHECK(lang_identifier_open(NULL));
}

static size_t letters(const char *text, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len;) {
		int32_t cp;
		i += text_decode(text, len, i, &cp);
		int cat = text_category(cp);
		n += cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
	}
	return n;
}

/* The tag of the library's category name ("id--utf8"), from the line of
 * its configuration that names the category's fingerprint ("id.lm"). */
static bool category_file_tag(const char *name, char tag[LANG_TAG_MAX])
{
	FILE *conf = fopen("/usr/share/libexttextcat/fpdb.conf", "r");
	if (conf == NULL)
		return false;
	char line[512], file[128], cat[128];
	bool found = false;
	while (!found && fgets(line, sizeof line, conf) != NULL)
		found = line[0] != '#' && sscanf(line, "%127s %127s", file, cat) == 2 &&
		        strcmp(cat, name) == 0 && lang_tag_normalise(file, strlen(file) - 3, tag);
	fclose(conf);
	return found;
}

/*
 * Kabar scores texts from its own table of the library's fingerprints; its
 * verdicts must be the library's. Over slices of texts in several scripts:
 * where the library names one language, Kabar names it; where it names
 * none (too many alike), Kabar names none either.
 */
static void test_identify_as_the_library(void)
{
	void *textcat = special_textcat_Init("/usr/share/libexttextcat/fpdb.conf", "/usr/share/libexttextcat/");
	if (textcat == NULL || !lang_identifier_open(NULL)) {
		fprintf(stderr, "  libexttextcat-data is not installed: nothing to compare\n");
		return;
	}
	const char *samples[] = {"tests/lang/ar.md", "tests/lang/hi.md", "tests/lang/ta.md",
	                         "tests/lang/zh-hans.md", "capsule/news/harbour-light-returns.md",
	                         "capsule/news/festival-layang-layang.md", "capsule/news/mangrove-count.md",
	                         "capsule/news/night-market-moves.md", "capsule/news/ferry-timetable.md"};
	const size_t sizes[] = {700, 1500, 4096};
	int agreed = 0;
	for (size_t f = 0; f < sizeof samples / sizeof *samples; f++) {
		size_t len;
		char *text = read_sample(samples[f], &len);
		CHECK(text != NULL);
		for (size_t k = 0; text != NULL && k < sizeof sizes / sizeof *sizes; k++) {
			for (size_t at = 0; at < len; at += 97) {
				size_t n = len - at < sizes[k] ? len - at : sizes[k];
				candidate_t *c = textcat_GetClassifyFullOutput(textcat);
				int found = textcat_ClassifyFull(textcat, text + at, n, c);
				char want[LANG_TAG_MAX], tag[LANG_TAG_MAX];
				bool ok = lang_identify(text + at, n, tag);
				/* A slice of fewer than LANG_MIN_LETTERS letters Kabar never
				 * tells, whatever the library says. */
				if (found == 1 && letters(text + at, n) >= LANG_MIN_LETTERS &&
				    category_file_tag(c[0].name, want)) {
					CHECK(ok);
					CHECK_STR(ok ? tag : "", want);
					agreed++;
				} else if (found <= 0) {
					CHECK(!ok);
				}
				textcat_ReleaseClassifyFullOutput(textcat, c);
			}
		}
		free(text);
	}
	CHECK(agreed > 20);
	textcat_Done(textcat);
}

static void test_identify_seed(void)
{
	size_t len;
	char *seed = read_sample("../shared/seeds/000_d926a9efe1d2fe2d.txt", &len);
	if (seed == NULL) {
		fprintf(stderr, "  (no ../shared: the seed is not checked)\n");
		return;
	}
	char tag[LANG_TAG_MAX] = "";
	CHECK(lang_identify(seed, len, tag));
	CHECK_STR(tag, "id");
	free(seed);
}

/* ---- the article's choice ---- */

static struct article *parse(const char *source, const char *rel_or_text, bool is_file)
{
	struct article_context ctx = {.utc_offset_minutes = 480, .lang = "en"};
	struct buf error = {0};
	size_t len = strlen(rel_or_text);
	char *data = is_file ? read_sample(rel_or_text, &len) : xstrdup(rel_or_text);
	struct article *a = data ? article_parse(source, data, len, &ctx, &error) : NULL;
	if (a == NULL)
		fprintf(stderr, "  %s:%s\n", source, error.data ? error.data : " cannot read");
	free(data);
	buf_free(&error);
	return a;
}

static void check_choice(struct article *a, const char *want, enum lang_reason reason)
{
	CHECK(a != NULL);
	if (a == NULL)
		return;
	CHECK_STR(a->meta.lang, want);
	CHECK_INT(a->lang_reason, reason);
	article_free(a);
}

static void test_article_choice(void)
{
	lang_identifier_open(NULL);
	const char *zh = "---\ntitle: 新防波堤\ndate: 2024-03-12\n---\n\n港务局局长星期二表示。\n";
	/* The key first, in canonical case, whatever folder it is in. */
	check_choice(parse("news/2024-03-12-ar.md", "tests/lang/ar.md", true), "ar", LANG_FROM_KEY);
	check_choice(parse("news/pt-br/x.md", "---\ntitle: X\ndate: 2024-03-12\nlang: ES_mx\n---\n\nHola.\n", false),
	             "es-MX", LANG_FROM_KEY);
	/* Then the folder. */
	check_choice(parse("news/zh-hans/2024-03-12-harbour.md", zh, false), "zh-Hans", LANG_FROM_FOLDER);
	check_choice(parse("news/zh-hans/2024-03-12-harbour.md", "tests/lang/zh-hans.md", true), "zh-Hans",
	             LANG_FROM_FOLDER);
	/* Then the text. */
	check_choice(parse("news/2024-03-12-hi.md", "tests/lang/hi.md", true), "hi", LANG_FROM_TEXT);
	check_choice(parse("news/go/2024-03-12-ta.md", "tests/lang/ta.md", true), "ta", LANG_FROM_TEXT);
	/* Paragraphs an old export indented into code blocks still tell. */
	check_choice(parse("news/2011-07-24-rilis.md",
	                   "---\ntitle: Rilis Kandidat 1\ndate: 2011-07-24\n---\n\n"
	                   "    Pada hari ini tim pengembang menerbitkan rilis kandidat pertama. Terbitan ini\n"
	                   "    merupakan cetakan untuk komputer lama maupun baru, dan dapat diunduh dari\n"
	                   "    cermin-cermin di seluruh Indonesia.\n\n"
	                   "    Ada beberapa hal yang baru, yaitu perbaikan kutu yang dilaporkan pengguna,\n"
	                   "    tampilan desktop yang lebih ringan, dan dukungan bahasa daerah yang semakin\n"
	                   "    lengkap. Silakan mencoba dan laporkan masalah yang ditemukan kepada kami.\n",
	                   false),
	             "id", LANG_FROM_TEXT);
	/* Then the host's: too little text, and no folder. */
	check_choice(parse("news/2024-03-12-harbour.md", zh, false), "en", LANG_FROM_HOST);
	/* A key that is no language tag is set aside, and said so. */
	struct article *a = parse("news/ar/x.md", "---\ntitle: X\ndate: 2024-03-12\nlang: \"ar; q=1\"\n---\n\nY.\n", false);
	CHECK(a != NULL && a->lang_key_ignored);
	check_choice(a, "ar", LANG_FROM_FOLDER);
}

int main(void)
{
	RUN(test_tag_normalise);
	RUN(test_folder_tag);
	RUN(test_language_of_path);
	RUN(test_reason_text);
	RUN(test_reading_counts);
	RUN(test_reading_minutes);
	RUN(test_translation_reads_as_long);
	RUN(test_identify_without_fingerprints);
	RUN(test_identify);
	RUN(test_identify_as_the_library);
	RUN(test_identify_seed);
	RUN(test_article_choice);
	lang_identifier_close();
	return check_report();
}
