#include "lang.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <constants.h>
#include <fingerprint.h>
#include <textcat.h>
#include <utf8proc.h>

#include "alloc.h"
#include "buf.h"
#include "log.h"
#include "text.h"

#ifndef KABAR_TEXTCAT_DIR
#define KABAR_TEXTCAT_DIR "/usr/share/libexttextcat"
#endif

const char *lang_reason_text(enum lang_reason reason)
{
	switch (reason) {
	case LANG_FROM_KEY:
		return "from its lang: key";
	case LANG_FROM_FOLDER:
		return "from its folder";
	case LANG_FROM_TEXT:
		return "identified from the text";
	case LANG_FROM_HOST:
		break;
	}
	return "the host's lang";
}

/* ---- Tags ---- */

static bool all_alpha(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isalpha((unsigned char)s[i]))
			return false;
	return true;
}

static bool all_digit(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static bool all_alnum(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]))
			return false;
	return true;
}

static bool is_separator(char c)
{
	return c == '-' || c == '_';
}

/* Appends one subtag in canonical case: the primary language lower case,
 * a script (4 letters) capitalised, a region (2 letters) upper case. */
static void put_subtag(char *out, size_t *at, const char *s, size_t len, bool primary)
{
	bool script = !primary && len == 4 && all_alpha(s, len);
	bool region = !primary && len == 2 && all_alpha(s, len);
	if (*at > 0)
		out[(*at)++] = '-';
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i];
		bool upper = region || (script && i == 0);
		out[(*at)++] = (char)(upper ? toupper(c) : tolower(c));
	}
	out[*at] = '\0';
}

bool lang_tag_normalise(const char *s, size_t len, char out[LANG_TAG_MAX])
{
	if (len == 0 || len >= LANG_TAG_MAX)
		return false;
	size_t at = 0;
	for (size_t start = 0; start <= len;) {
		size_t end = start;
		while (end < len && !is_separator(s[end]))
			end++;
		size_t n = end - start;
		bool primary = start == 0;
		if (primary ? !(n >= 2 && n <= 3 && all_alpha(s, n))
		            : !(n >= 1 && n <= 8 && all_alnum(s + start, n)))
			return false;
		put_subtag(out, &at, s + start, n, primary);
		if (end == len)
			return true;
		start = end + 1;
	}
	return false;
}

/* ISO 639-1: the two-letter language codes. */
static const char iso639_1[] =
	"aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce "
	"ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr "
	"fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is "
	"it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln "
	"lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv "
	"ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk "
	"sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw "
	"ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu ";

/* ISO 15924 scripts that languages are commonly tagged with. */
static const char scripts[] =
	"adlm arab armn beng bopo cher cyrl deva ethi geor grek gujr guru hang "
	"hani hans hant hebr hira jpan kana khmr knda kore laoo latn mlym mong "
	"mymr nkoo olck orya sinh syrc taml telu tfng thaa thai tibt vaii yiii ";

/* Whether the lower-case word s[0..len) is in list (words each followed by
 * a space). */
static bool listed(const char *list, const char *s, size_t len)
{
	char word[8];
	if (len + 1 >= sizeof word)
		return false;
	for (size_t i = 0; i < len; i++)
		word[i] = (char)tolower((unsigned char)s[i]);
	word[len] = ' ';
	word[len + 1] = '\0';
	for (const char *p = strstr(list, word); p != NULL; p = strstr(p + 1, word))
		if (p == list || p[-1] == ' ')
			return true;
	return false;
}

static bool is_region(const char *s, size_t len)
{
	return (len == 2 && all_alpha(s, len)) || (len == 3 && all_digit(s, len));
}

/* A folder name's parts, split at '-' or '_'. */
struct subtags {
	const char *at[3];
	size_t len[3];
	size_t n;
};

/* False when name has more than three parts. */
static bool split_subtags(const char *name, size_t len, struct subtags *t)
{
	t->n = 0;
	size_t start = 0;
	for (;;) {
		size_t end = start;
		while (end < len && !is_separator(name[end]))
			end++;
		if (t->n == 3)
			return false;
		t->at[t->n] = name + start;
		t->len[t->n++] = end - start;
		if (end == len)
			return true;
		start = end + 1;
	}
}

bool lang_folder_tag(const char *name, size_t len, char out[LANG_TAG_MAX])
{
	struct subtags t;
	if (!split_subtags(name, len, &t))
		return false;
	if (t.len[0] != 2 || !all_alpha(t.at[0], 2) || !listed(iso639_1, t.at[0], 2))
		return false;
	size_t next = 1;
	if (next < t.n && t.len[next] == 4 && all_alpha(t.at[next], 4)) {
		if (!listed(scripts, t.at[next], 4))
			return false;
		next++;
	}
	if (next < t.n && is_region(t.at[next], t.len[next]))
		next++;
	return next == t.n && lang_tag_normalise(name, len, out);
}

bool lang_of_path(const char *path, char out[LANG_TAG_MAX])
{
	bool found = false;
	const char *start = path;
	for (const char *slash = strchr(start, '/'); slash != NULL; slash = strchr(start, '/')) {
		char tag[LANG_TAG_MAX];
		if (lang_folder_tag(start, (size_t)(slash - start), tag)) {
			memcpy(out, tag, sizeof tag);
			found = true;
		}
		start = slash + 1;
	}
	return found;
}

/* ---- Identification ---- */

/*
 * libexttextcat's method (Cavnar and Trenkle's n-gram ranks): the text's
 * 400 most frequent n-grams, each scored against every language's 400 by
 * how far its rank is from theirs (MAXOUTOFPLACE when they lack it), the
 * lowest sum winning. The library compares the text with each of its 164
 * languages in turn, a string merge of 800 entries apiece, which was half
 * the time of loading an archive. Here the languages' n-grams are read
 * once into one table that names, for each n-gram, the languages that have
 * it and at which rank: a text's score against every language comes from
 * its own 400 look-ups. The text's n-grams are still made by the library,
 * and the verdict follows its rules, so the answers are the library's.
 */

/* Where the library names a category by its own string ("zh-CN-utf8"),
 * its fingerprint file is named by a BCP 47 tag ("zh-Hans.lm"): tag is
 * empty when the file's name is not one. */
struct category {
	char *name;
	char tag[LANG_TAG_MAX];
};

/* One n-gram of one language's fingerprint, at rank (0: most frequent). */
struct ngram_rank {
	char gram[MAXNGRAMSIZE + 1];
	uint16_t category;
	uint16_t rank;
};

/* A language that has an n-gram, and its rank there. */
struct posting {
	uint16_t category;
	uint16_t rank;
};

/* One n-gram and the languages that have it: postings[first, first +
 * count). The n-gram is in its slot and the postings are small, so that
 * a look-up touches little memory. count 0: an empty slot. */
struct ngram_slot {
	char gram[MAXNGRAMSIZE + 1];
	uint32_t count;
	uint32_t first;
};

static struct {
	struct category *categories;
	size_t n_categories;
	struct ngram_rank *ranks; /* while the files are read */
	size_t n_ranks;
	struct posting *postings;
	struct ngram_slot *slots; /* open addressing, a power of two */
	size_t n_slots;
} identifier;

static void category_add(const char *name, const char *file)
{
	identifier.categories = xreallocarray(identifier.categories, identifier.n_categories + 1,
	                                      sizeof *identifier.categories);
	struct category *c = &identifier.categories[identifier.n_categories++];
	c->name = xstrdup(name);
	size_t len = strlen(file);
	if (len < 4 || !text_ends_with(file, len, ".lm") || !lang_tag_normalise(file, len - 3, c->tag))
		c->tag[0] = '\0';
}

/* One language's fingerprint file, as the library reads it: the first
 * word of each line, lines too long for an n-gram skipped, at most
 * MAXNGRAMS. False when it cannot be read. */
static bool read_fingerprint(const char *path, uint16_t category)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return false;
	char line[1024];
	uint16_t rank = 0;
	while (rank < MAXNGRAMS && fgets(line, sizeof line, f) != NULL) {
		const char *start = line + strspn(line, " \t\r\n");
		size_t len = strcspn(start, " \t\r\n");
		if (len > MAXNGRAMSIZE)
			continue;
		identifier.ranks = xgrowarray(identifier.ranks, identifier.n_ranks, sizeof *identifier.ranks);
		struct ngram_rank *r = &identifier.ranks[identifier.n_ranks++];
		memcpy(r->gram, start, len);
		r->gram[len] = '\0';
		r->category = category;
		r->rank = rank++;
	}
	fclose(f);
	return true;
}

/* Reads "FILE.lm NAME" lines of the classifier's configuration and each
 * FILE under dir. False when one of them cannot be read. */
static bool read_categories(FILE *conf, const char *dir)
{
	char line[512];
	while (fgets(line, sizeof line, conf) != NULL) {
		char file[128], name[128];
		if (line[0] == '#' || sscanf(line, "%127s %127s", file, name) != 2)
			continue;
		if (identifier.n_categories >= UINT16_MAX)
			return false;
		char *path = xasprintf("%s/%s", dir, file);
		bool ok = read_fingerprint(path, (uint16_t)identifier.n_categories);
		free(path);
		if (!ok)
			return false;
		category_add(name, file);
	}
	return identifier.n_categories > 0;
}

static int by_gram_then_category(const void *a, const void *b)
{
	const struct ngram_rank *x = a, *y = b;
	int order = strcmp(x->gram, y->gram);
	if (order != 0)
		return order;
	return (x->category > y->category) - (x->category < y->category);
}

static struct ngram_slot *slot_of(const char *gram)
{
	size_t mask = identifier.n_slots - 1;
	for (size_t i = (size_t)text_hash(gram, strlen(gram)) & mask;; i = (i + 1) & mask) {
		struct ngram_slot *slot = &identifier.slots[i];
		if (slot->count == 0 || strcmp(slot->gram, gram) == 0)
			return slot;
	}
}

/* Sorts the ranks read by n-gram and gives each n-gram its slot and its
 * postings. */
static void index_ranks(void)
{
	qsort(identifier.ranks, identifier.n_ranks, sizeof *identifier.ranks, by_gram_then_category);
	identifier.postings = xcalloc(identifier.n_ranks ? identifier.n_ranks : 1, sizeof *identifier.postings);
	size_t distinct = 0;
	for (size_t i = 0; i < identifier.n_ranks; i++)
		distinct += i == 0 || strcmp(identifier.ranks[i].gram, identifier.ranks[i - 1].gram) != 0;
	identifier.n_slots = 16;
	while (identifier.n_slots < distinct * 2)
		identifier.n_slots *= 2;
	identifier.slots = xcalloc(identifier.n_slots, sizeof *identifier.slots);
	for (size_t i = 0; i < identifier.n_ranks;) {
		size_t end = i;
		for (; end < identifier.n_ranks && strcmp(identifier.ranks[end].gram, identifier.ranks[i].gram) == 0; end++)
			identifier.postings[end] = (struct posting){identifier.ranks[end].category, identifier.ranks[end].rank};
		struct ngram_slot *slot = slot_of(identifier.ranks[i].gram);
		memcpy(slot->gram, identifier.ranks[i].gram, sizeof slot->gram);
		slot->first = (uint32_t)i;
		slot->count = (uint32_t)(end - i);
		i = end;
	}
	free(identifier.ranks);
	identifier.ranks = NULL;
}

bool lang_identifier_open(const char *dir)
{
	if (identifier.slots != NULL)
		return true;
	if (dir == NULL)
		dir = KABAR_TEXTCAT_DIR;
	char *conf_path = xasprintf("%s/fpdb.conf", dir);
	FILE *conf = fopen(conf_path, "r");
	bool ok = conf != NULL && read_categories(conf, dir);
	if (conf != NULL)
		fclose(conf);
	if (ok) {
		index_ranks();
	} else {
		log_warn("%s: cannot read the language fingerprints (libexttextcat-data); "
		         "articles without a language take their host's",
		         conf_path);
		lang_identifier_close();
	}
	free(conf_path);
	return ok;
}

void lang_identifier_close(void)
{
	for (size_t i = 0; i < identifier.n_categories; i++)
		free(identifier.categories[i].name);
	free(identifier.categories);
	free(identifier.ranks);
	free(identifier.postings);
	free(identifier.slots);
	memset(&identifier, 0, sizeof identifier);
}

/* The text's n-grams in rank order, as the library makes them (its
 * fingerprint, printed one n-gram a line). NULL when it makes none. */
static char *text_ngrams(const char *text, size_t len)
{
	void *fp = fp_Init(NULL);
	if (fp == NULL)
		return NULL;
	fp_SetProperty(fp, TCPROP_UTF8AWARE, 1);
	char *printed = NULL;
	size_t printed_len = 0;
	if (fp_Create(fp, text, (uint4)(len < UINT32_MAX ? len : UINT32_MAX), MAXNGRAMS) != 0) {
		FILE *out = open_memstream(&printed, &printed_len);
		if (out != NULL) {
			fp_Print(fp, out);
			fclose(out);
		}
	}
	fp_Done(fp);
	return printed;
}

/* Each category's distance from the text whose n-grams are ngrams: the
 * sum over those n-grams of how far the category's rank is from the
 * text's, MAXOUTOFPLACE where it lacks one. */
static void score_categories(char *ngrams, int *scores)
{
	int text_rank = 0;
	char *next = ngrams;
	for (char *line = strsep(&next, "\n"); line != NULL && line[0] != '\0' && text_rank < MAXNGRAMS;
	     line = strsep(&next, "\n"), text_rank++) {
		line[strcspn(line, " \t")] = '\0';
		const struct ngram_slot *slot = slot_of(line);
		for (uint32_t i = slot->first; i < slot->first + slot->count; i++) {
			const struct posting *p = &identifier.postings[i];
			scores[p->category] += abs((int)p->rank - text_rank) - MAXOUTOFPLACE;
		}
	}
	/* Every n-gram counted as missing, less what was found above. */
	for (size_t c = 0; c < identifier.n_categories; c++)
		scores[c] += text_rank * MAXOUTOFPLACE;
}

static int by_score(const void *a, const void *b)
{
	const candidate_t *x = a, *y = b;
	return (x->score > y->score) - (x->score < y->score);
}

/*
 * The library's verdict: the categories scoring below THRESHOLDVALUE times
 * the best, best first; none when more than MAXCANDIDATES do (too many
 * alike to tell). Returns how many.
 */
static int verdict(const int *scores, candidate_t out[MAXCANDIDATES])
{
	int best = MAXSCORE;
	for (size_t c = 0; c < identifier.n_categories; c++)
		if (scores[c] < best)
			best = scores[c];
	int threshold = (int)((double)best * THRESHOLDVALUE);
	int n = 0;
	for (size_t c = 0; c < identifier.n_categories; c++) {
		if (scores[c] >= threshold)
			continue;
		if (n == MAXCANDIDATES)
			return 0;
		out[n++] = (candidate_t){.score = scores[c], .name = identifier.categories[c].name};
	}
	qsort(out, (size_t)n, sizeof *out, by_score);
	return n;
}

static const char *category_tag(const char *name)
{
	for (size_t i = 0; i < identifier.n_categories; i++)
		if (strcmp(identifier.categories[i].name, name) == 0)
			return identifier.categories[i].tag[0] ? identifier.categories[i].tag : NULL;
	return NULL;
}

static bool same_primary(const char *a, const char *b)
{
	size_t na = strcspn(a, "-"), nb = strcspn(b, "-");
	return na == nb && strncmp(a, b, na) == 0;
}

/* A candidate closer than this to the best (scores are distances) makes
 * the answer uncertain: 1%. */
enum { MARGIN_PER_MILLE = 10 };

static bool close_to(int score, int best)
{
	return (long long)score * 1000 < (long long)best * (1000 + MARGIN_PER_MILLE);
}

/*
 * The best candidate, when no other language comes close. When only
 * another form of the same language does (zh-Hans and zh-Hant), the
 * answer is the language alone.
 */
static bool confident(const candidate_t *c, int n, char out[LANG_TAG_MAX])
{
	if (n <= 0)
		return false;
	const char *best = category_tag(c[0].name);
	if (best == NULL)
		return false;
	bool variant_close = false;
	for (int i = 1; i < n; i++) {
		const char *tag = category_tag(c[i].name);
		if (!close_to(c[i].score, c[0].score))
			break;
		if (tag == NULL || !same_primary(tag, best))
			return false;
		variant_close = true;
	}
	size_t len = variant_close ? strcspn(best, "-") : strlen(best);
	memcpy(out, best, len);
	out[len] = '\0';
	return true;
}

static size_t count_letters(const char *text, size_t len)
{
	size_t letters = 0;
	/* A byte that is not UTF-8 reads as U+FFFD, a symbol: no letter. */
	for (size_t i = 0; i < len;) {
		int32_t cp;
		i += text_decode(text, len, i, &cp);
		utf8proc_category_t cat = (utf8proc_category_t)text_category(cp);
		if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO)
			letters++;
	}
	return letters;
}

bool lang_identify(const char *text, size_t len, char out[LANG_TAG_MAX])
{
	if (identifier.slots == NULL || count_letters(text, len) < LANG_MIN_LETTERS)
		return false;
	char *ngrams = text_ngrams(text, len);
	if (ngrams == NULL)
		return false;
	int *scores = xcalloc(identifier.n_categories, sizeof *scores);
	score_categories(ngrams, scores);
	candidate_t candidates[MAXCANDIDATES];
	bool found = confident(candidates, verdict(scores, candidates), out);
	free(scores);
	free(ngrams);
	return found;
}

/* ---- Reading time ---- */

enum { WORDS_PER_MINUTE = 200, CHARACTERS_PER_MINUTE = 500 };

/* Scripts written without spaces between words. */
static bool read_by_character(utf8proc_int32_t cp)
{
	return (cp >= 0x0e00 && cp <= 0x0eff) ||   /* Thai, Lao */
	       (cp >= 0x1000 && cp <= 0x109f) ||   /* Myanmar */
	       (cp >= 0x1780 && cp <= 0x17ff) ||   /* Khmer */
	       (cp >= 0x2e80 && cp <= 0x2fdf) ||   /* CJK radicals */
	       (cp >= 0x3005 && cp <= 0x3007) ||   /* 々 〆 〇 */
	       (cp >= 0x3040 && cp <= 0x30ff) ||   /* Hiragana, Katakana */
	       (cp >= 0x31f0 && cp <= 0x31ff) ||   /* Katakana extensions */
	       (cp >= 0x3400 && cp <= 0x4dbf) ||   /* CJK extension A */
	       (cp >= 0x4e00 && cp <= 0x9fff) ||   /* CJK */
	       (cp >= 0xf900 && cp <= 0xfaff) ||   /* CJK compatibility */
	       (cp >= 0xff66 && cp <= 0xff9d) ||   /* half-width Katakana */
	       (cp >= 0x20000 && cp <= 0x323af);   /* CJK extensions B to H */
}

static bool is_letter_or_number(utf8proc_category_t cat)
{
	return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
	       (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
}

static bool is_space(utf8proc_int32_t cp, utf8proc_category_t cat)
{
	return cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' ||
	       cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
	       cat == UTF8PROC_CATEGORY_ZP;
}

/*
 * A word is a run between spaces with a letter or a digit in it; its
 * punctuation does not split it ("don't", "Rp5.000"). A character of a
 * script read by the character counts alone and ends the run, so
 * "我用iPhone拍照" is four characters and one word.
 */
void lang_count_reading(struct reading *r, const char *text, size_t len)
{
	bool counted = false; /* the run so far has been counted as a word */
	for (size_t i = 0; i < len;) {
		int32_t cp;
		/* A bad byte reads as U+FFFD, a symbol: it neither ends a word
		 * nor makes one. */
		i += text_decode(text, len, i, &cp);
		utf8proc_category_t cat = (utf8proc_category_t)text_category(cp);
		if (is_space(cp, cat) || read_by_character(cp)) {
			counted = false;
			if (read_by_character(cp) && is_letter_or_number(cat))
				r->characters++;
			continue;
		}
		if (!counted && is_letter_or_number(cat)) {
			r->words++;
			counted = true;
		}
	}
}

size_t lang_reading_minutes(const struct reading *r)
{
	/* words / 200 + characters / 500, in thousandths of a minute. */
	size_t work = r->words * (1000 / WORDS_PER_MINUTE) + r->characters * (1000 / CHARACTERS_PER_MINUTE);
	size_t minutes = (work + 999) / 1000;
	return minutes > 0 ? minutes : 1;
}
