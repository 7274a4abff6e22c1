#include "text.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linebreak.h>
#include <utf8proc.h>

#include "alloc.h"
#include "buf.h"

bool text_valid_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned char c = p[i];
		size_t n;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			n = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + n > len)
			return false;
		for (size_t k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates and code points past U+10FFFF. */
		if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n;
	}
	return true;
}

/* One grapheme cluster: where it ends and how many columns it takes. */
struct grapheme {
	size_t end;
	size_t width;
};

void text_encode(struct buf *out, int32_t cp)
{
	utf8proc_uint8_t bytes[4];
	utf8proc_ssize_t n = utf8proc_encode_char(cp, bytes);
	buf_append(out, (const char *)bytes, (size_t)n);
}

size_t text_decode(const char *s, size_t len, size_t i, int32_t *cp)
{
	if ((unsigned char)s[i] < 0x80) {
		*cp = (unsigned char)s[i];
		return 1;
	}
	utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
	                                      (utf8proc_ssize_t)(len - i), cp);
	if (n <= 0) {
		*cp = 0xfffd;
		return 1;
	}
	return (size_t)n;
}

int text_category(int32_t cp)
{
	if (cp >= 'a' && cp <= 'z')
		return UTF8PROC_CATEGORY_LL;
	if (cp >= 'A' && cp <= 'Z')
		return UTF8PROC_CATEGORY_LU;
	if (cp >= '0' && cp <= '9')
		return UTF8PROC_CATEGORY_ND;
	if (cp == ' ')
		return UTF8PROC_CATEGORY_ZS;
	return utf8proc_category(cp);
}

/* Hangul medial vowels and final consonants: they join the initial
 * consonant before them into one syllable block. */
static bool is_hangul_jamo_tail(utf8proc_int32_t cp)
{
	return (cp >= 0x1160 && cp <= 0x11ff) || (cp >= 0xd7b0 && cp <= 0xd7ff);
}

/* Format characters that are drawn, not hidden: the Arabic number sign
 * and its kin, which stand before the digits they span. */
static bool is_prepended_mark(utf8proc_int32_t cp)
{
	return (cp >= 0x0600 && cp <= 0x0605) || cp == 0x06dd || cp == 0x070f ||
	       cp == 0x0890 || cp == 0x0891 || cp == 0x08e2 || cp == 0x110bd || cp == 0x110cd;
}

/*
 * Columns of one code point as terminals count them (glibc's wcwidth is
 * the reference): utf8proc's width, except that a spacing mark (category
 * Mc, such as the Devanagari vowel sign AA) takes a column of its own, and
 * where glibc's newer tables say otherwise.
 */
static int code_point_width(utf8proc_int32_t cp)
{
	if (is_hangul_jamo_tail(cp))
		return 0;
	/* Circled numbers on black squares, Yijing hexagrams, and the wide
	 * spacing marks of Hangul and Vietnamese han-nom: two columns. */
	if ((cp >= 0x3248 && cp <= 0x324f) || (cp >= 0x4dc0 && cp <= 0x4dff) ||
	    cp == 0x302e || cp == 0x302f || cp == 0x16ff0 || cp == 0x16ff1)
		return 2;
	if (utf8proc_category(cp) == UTF8PROC_CATEGORY_MC || is_prepended_mark(cp))
		return 1;
	return utf8proc_charwidth(cp);
}

/*
 * The cluster starting at s[i]. Its width is the sum of its code points',
 * as terminals count them: a letter with spacing vowel signs takes a column
 * for each sign, a combining accent none, and each emoji of a ZWJ sequence
 * its own two (a terminal that draws the sequence as one glyph then shows
 * a shorter line, never a longer one). An emoji presentation selector
 * (U+FE0F) makes a narrow symbol two columns.
 */
static struct grapheme next_grapheme(const char *s, size_t len, size_t i)
{
	utf8proc_int32_t state = 0, prev, cp;
	size_t pos = i + text_decode(s, len, i, &prev);
	int width = code_point_width(prev);
	bool emoji_selector = false;
	while (pos < len) {
		size_t n = text_decode(s, len, pos, &cp);
		if (utf8proc_grapheme_break_stateful(prev, cp, &state))
			break;
		width += code_point_width(cp);
		if (cp == 0xfe0f)
			emoji_selector = true;
		prev = cp;
		pos += n;
	}
	if (emoji_selector && width == 1)
		width = 2;
	return (struct grapheme){.end = pos, .width = (size_t)width};
}

size_t text_grapheme_end(const char *s, size_t len, size_t i)
{
	return i < len ? next_grapheme(s, len, i).end : len;
}

size_t text_width(const char *s, size_t len)
{
	size_t width = 0;
	for (size_t i = 0; i < len;) {
		struct grapheme g = next_grapheme(s, len, i);
		width += g.width;
		i = g.end;
	}
	return width;
}

enum { TAB_STOP = 8 };

/* The line being filled by text_wrap. */
struct wrap_line {
	struct buf *out;
	struct buf text;    /* the line's content, without prefix */
	size_t col;         /* display columns used in text */
	size_t first_room;  /* columns for content on the first line */
	size_t room;        /* ... and on every later line */
	const char *first_prefix, *prefix, *eol;
	bool first;         /* the line being filled is the first */
};

/* Columns left for content after prefix. A prefix as wide as the line still
 * leaves one column, so wrapping always makes progress. */
static size_t room_after(const char *prefix, size_t width)
{
	size_t used = text_width(prefix, strlen(prefix));
	return used < width ? width - used : 1;
}

static size_t line_room(const struct wrap_line *l)
{
	return l->first ? l->first_room : l->room;
}

static void line_emit(struct wrap_line *l)
{
	while (l->text.len > 0 && l->text.data[l->text.len - 1] == ' ')
		l->text.len--;
	const char *p = l->first ? l->first_prefix : l->prefix;
	size_t plen = strlen(p);
	if (l->text.len == 0) {
		/* No trailing blanks on an empty line, even from the prefix. */
		while (plen > 0 && p[plen - 1] == ' ')
			plen--;
	}
	buf_append(l->out, p, plen);
	if (l->text.len > 0)
		buf_append(l->out, l->text.data, l->text.len);
	buf_puts(l->out, l->eol);
	buf_clear(&l->text);
	l->col = 0;
	l->first = false;
}

/* Columns the blanks s[0..len) take when they start at column col. */
static size_t blank_width(const char *s, size_t len, size_t col)
{
	size_t start = col;
	for (size_t i = 0; i < len; i++)
		col = s[i] == '\t' ? (col / TAB_STOP + 1) * TAB_STOP : col + 1;
	return col - start;
}

static void line_put_blanks(struct wrap_line *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_putc(&l->text, ' ');
	l->col += n;
}

/* Places a word too wide for any line: cluster by cluster from the current
 * column, breaking lines only between clusters. */
static void line_put_split_word(struct wrap_line *l, const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		struct grapheme g = next_grapheme(s, len, i);
		if (l->col > 0 && l->col + g.width > line_room(l))
			line_emit(l);
		buf_append(&l->text, s + i, g.end - i);
		l->col += g.width;
		i = g.end;
	}
}

/* Places the blanks before a word and the word, moving to a new line when
 * they do not fit; blanks at a line break are dropped. */
static void line_put_word(struct wrap_line *l, const char *blanks, size_t n_blanks,
                          const char *word, size_t len)
{
	size_t width = text_width(word, len);
	size_t gap = blank_width(blanks, n_blanks, l->col);
	size_t room = line_room(l);
	if (l->col + gap + width <= room) {
		line_put_blanks(l, gap);
	} else if (width <= l->room && (l->col > 0 || width <= room)) {
		if (l->col > 0)
			line_emit(l);
	} else {
		/* Wider than a line (a long URL, or CJK text with no place
		 * UAX #14 lets it break): fill this line first, then split
		 * between clusters. */
		if (l->col > 0 && l->col + gap < room)
			line_put_blanks(l, gap);
		line_put_split_word(l, word, len);
		return;
	}
	buf_append(&l->text, word, len);
	l->col += width;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Han ideographs, kana, bopomofo, and the CJK punctuation and fullwidth
 * forms that go with them. Not Hangul: Korean puts spaces between words. */
static bool is_cjk(int32_t cp)
{
	return (cp >= 0x2e80 && cp <= 0x2fff) ||   /* radicals, ideographic description */
	       (cp >= 0x3000 && cp <= 0x312f) ||   /* CJK punctuation, kana, bopomofo */
	       (cp >= 0x3190 && cp <= 0x31ff) ||   /* kanbun, bopomofo ext., strokes, kana ext. */
	       (cp >= 0x3200 && cp <= 0x4dbf) ||   /* enclosed and compatibility CJK, ext. A */
	       (cp >= 0x4e00 && cp <= 0x9fff) ||   /* unified ideographs */
	       (cp >= 0xf900 && cp <= 0xfaff) ||   /* compatibility ideographs */
	       (cp >= 0xfe10 && cp <= 0xfe1f) ||   /* vertical forms */
	       (cp >= 0xfe30 && cp <= 0xfe4f) ||   /* CJK compatibility forms */
	       (cp >= 0xff01 && cp <= 0xff9f) ||   /* fullwidth forms, halfwidth kana */
	       (cp >= 0xffe0 && cp <= 0xffe6) ||   /* fullwidth signs */
	       (cp >= 0x1b000 && cp <= 0x1b16f) || /* kana supplement and ext. */
	       (cp >= 0x20000 && cp <= 0x3ffff);   /* ideographs beyond the BMP */
}

/* Scripts written without spaces between words: CJK, and Thai, Lao,
 * Khmer and Myanmar. */
static bool is_spaceless_script(int32_t cp)
{
	return is_cjk(cp) || (cp >= 0x0e00 && cp <= 0x0eff) || (cp >= 0x1000 && cp <= 0x109f) ||
	       (cp >= 0x1780 && cp <= 0x17ff);
}

/* Punctuation of East Asian width "ambiguous" that CJK text sets full
 * width: quotation marks, dashes, ellipses, the middle dot, the reference
 * mark. */
static bool is_cjk_ambiguous_punctuation(int32_t cp)
{
	return cp == 0x00b7 || cp == 0x2014 || cp == 0x2015 || cp == 0x2018 || cp == 0x2019 ||
	       cp == 0x201c || cp == 0x201d || cp == 0x2025 || cp == 0x2026 || cp == 0x203b;
}

bool text_soft_break_joins(int32_t before, int32_t after)
{
	/* A zero width space already marks the break (CSS Text 3). */
	if (before == 0x200b || after == 0x200b)
		return true;
	if (is_spaceless_script(before) && is_spaceless_script(after))
		return true;
	/* “ ” … next to CJK are CJK punctuation too (CSS Text 3's third
	 * rule); in Thai text they take a space. */
	return (is_cjk(before) && is_cjk_ambiguous_punctuation(after)) ||
	       (is_cjk_ambiguous_punctuation(before) && is_cjk(after));
}

/* The last code point of s[0..len) (len > 0). */
static int32_t last_code_point(const char *s, size_t len)
{
	size_t i = len - 1;
	while (i > 0 && len - i < 4 && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	int32_t cp;
	if (text_decode(s, len, i, &cp) != len - i)
		return 0xfffd;
	return cp;
}

bool text_break_joins(const char *before, size_t before_len, const char *after,
                      size_t after_len)
{
	if (before_len == 0 || after_len == 0)
		return false;
	int32_t next;
	text_decode(after, after_len, 0, &next);
	return text_soft_break_joins(last_code_point(before, before_len), next);
}

static bool is_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/*
 * A copy of s, byte for byte as long, that libunibreak 1.1 (Debian 12's)
 * can read: it aborts on an assertion for a regional indicator (U+1F1E6-
 * 1F1FF, a class newer than its tables) and reads U+FFFF as the end of
 * the text. Those become characters of the same length that break alike
 * (a letter, U+1D400, and U+FFFD); a byte that is not UTF-8 becomes '?'.
 */
static char *unibreak_safe_copy(const char *s, size_t len)
{
	char *copy = xmalloc(len);
	memcpy(copy, s, len);
	for (size_t i = 0; i < len;) {
		int32_t cp;
		size_t n = text_decode(s, len, i, &cp);
		if (cp == 0xfffd && n == 1)
			copy[i] = '?';
		else if (cp >= 0x1f1e6 && cp <= 0x1f1ff)
			memcpy(copy + i, "\xf0\x9d\x90\x80", 4);
		else if (cp == 0xfffe || cp == 0xffff)
			memcpy(copy + i, "\xef\xbf\xbd", 3);
		i += n;
	}
	return copy;
}

/*
 * Places a run of text with no blanks in it. Latin words break only at
 * blanks, as they always have; where the run holds CJK or Thai, it also
 * breaks where UAX #14 (libunibreak) allows next to a character of those
 * scripts, so a line never starts with closing punctuation (、。」）) and
 * never ends with an opening one. Breaks fall between grapheme clusters
 * only.
 */
static void line_put_run(struct wrap_line *l, const char *blanks, size_t n_blanks,
                         const char *run, size_t len)
{
	if (is_ascii(run, len)) {
		line_put_word(l, blanks, n_blanks, run, len);
		return;
	}
	/* libunibreak's index of its tables: without it, looking up a CJK
	 * character's class searches the whole table. */
	static pthread_once_t index_once = PTHREAD_ONCE_INIT;
	pthread_once(&index_once, init_linebreak);
	char *safe = unibreak_safe_copy(run, len);
	char *brks = xmalloc(len);
	set_linebreaks_utf8((const utf8_t *)safe, len, NULL, brks);
	free(safe);
	size_t start = 0;
	int32_t prev = 0;
	for (size_t i = 0; i < len;) {
		struct grapheme g = next_grapheme(run, len, i);
		int32_t first;
		text_decode(run, len, i, &first);
		bool breaks = i > start && brks[i - 1] != LINEBREAK_NOBREAK &&
		              brks[i - 1] != LINEBREAK_INSIDEACHAR &&
		              (is_spaceless_script(prev) || is_spaceless_script(first));
		if (breaks) {
			line_put_word(l, blanks, n_blanks, run + start, i - start);
			n_blanks = 0;
			start = i;
		}
		prev = last_code_point(run + i, g.end - i);
		i = g.end;
	}
	line_put_word(l, blanks, n_blanks, run + start, len - start);
	free(brks);
}

void text_wrap(struct buf *out, const char *s, size_t len, size_t width,
               const char *first_prefix, const char *prefix, const char *eol)
{
	struct wrap_line l = {
		.out = out,
		.first_room = room_after(first_prefix, width),
		.room = room_after(prefix, width),
		.first_prefix = first_prefix,
		.prefix = prefix,
		.eol = eol,
		.first = true,
	};
	buf_init(&l.text);
	size_t i = 0;
	while (i < len) {
		size_t blanks = i;
		while (i < len && is_blank(s[i]))
			i++;
		size_t word = i;
		while (i < len && !is_blank(s[i]) && s[i] != '\n' && s[i] != '\r')
			i++;
		if (i > word)
			line_put_run(&l, s + blanks, word - blanks, s + word, i - word);
		if (i < len && (s[i] == '\n' || s[i] == '\r')) {
			/* A hard line break; "\r\n" counts as one. */
			if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')
				i++;
			i++;
			line_emit(&l);
		}
	}
	if (l.col > 0 || l.first || l.text.len > 0)
		line_emit(&l);
	buf_free(&l.text);
}

void text_trim(const char **s, size_t *len)
{
	while (*len > 0 && isspace((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

/* A valid UTF-8 copy of s: each byte that is not part of a valid sequence
 * becomes U+FFFD, so utf8proc never refuses the text. */
static char *valid_copy(const char *s, size_t len)
{
	struct buf b = {0};
	for (size_t i = 0; i < len;) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		                                      (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0) {
			buf_puts(&b, "\xef\xbf\xbd");
			i++;
			continue;
		}
		buf_append(&b, s + i, (size_t)n);
		i += (size_t)n;
	}
	return buf_steal(&b); /* "" for empty input: buf_steal always allocates */
}

/* Text in ASCII (up to its end or its first NUL, where folding stops)
 * folds to its lower case: no ASCII character has a mark to strip, a
 * compatibility form or a composition. Most of a newsroom's words are in
 * it, and this spares them utf8proc's decomposition. NULL when s has a
 * byte beyond ASCII. */
static char *fold_ascii(const char *s, size_t len)
{
	size_t end = 0;
	while (end < len && s[end] != '\0') {
		if ((unsigned char)s[end] >= 0x80)
			return NULL;
		end++;
	}
	char *folded = xmalloc(end + 1);
	for (size_t i = 0; i < end; i++)
		folded[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
	folded[end] = '\0';
	return folded;
}

char *text_fold(const char *s, size_t len)
{
	char *ascii = fold_ascii(s, len);
	if (ascii != NULL)
		return ascii;
	char *valid = valid_copy(s, len);
	utf8proc_uint8_t *folded = NULL;
	utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)valid, 0, &folded,
	                                  UTF8PROC_NULLTERM | UTF8PROC_CASEFOLD |
	                                      UTF8PROC_STRIPMARK | UTF8PROC_COMPOSE |
	                                      UTF8PROC_COMPAT);
	if (n < 0) {
		/* Cannot happen for valid input; keep the text unfolded rather
		 * than lose it. */
		free(folded);
		return valid;
	}
	free(valid);
	/* utf8proc allocates with malloc; the caller frees with free. */
	return (char *)folded;
}

char *text_slug(const char *s)
{
	char *folded = text_fold(s, strlen(s));
	struct buf slug = {0};
	bool dash = false;
	for (const char *p = folded; *p != '\0'; p++) {
		char c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (dash && slug.len > 0)
				buf_putc(&slug, '-');
			buf_putc(&slug, c);
			dash = false;
		} else {
			dash = true;
		}
	}
	free(folded);
	if (slug.len == 0)
		buf_puts(&slug, "item");
	return buf_steal(&slug);
}

/* Code points some readers take for the end of a line: NEL and the Unicode
 * line and paragraph separators. */
static bool is_unicode_break(utf8proc_int32_t cp)
{
	return cp == 0x85 || cp == 0x2028 || cp == 0x2029;
}

/* C0 and C1 controls and DEL. */
static bool is_control(utf8proc_int32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
}

bool text_is_bidi_control(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Whether s holds a code point that stops it being clean: a control or
 * line break, or with bidi also a bidi control, or with strict also a byte
 * that is not UTF-8. */
static bool holds_unclean(const char *s, size_t len, bool bidi, bool strict)
{
	for (size_t i = 0; i < len;) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		                                      (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0) {
			if (strict)
				return true;
			/* A stray byte: a control only if it is a C0 one or DEL. */
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
				return true;
			i++;
			continue;
		}
		if (is_control(cp) || is_unicode_break(cp) ||
		    (bidi && text_is_bidi_control((uint32_t)cp)))
			return true;
		i += (size_t)n;
	}
	return false;
}

bool text_is_clean(const char *s, size_t len)
{
	return !holds_unclean(s, len, true, true);
}

bool text_has_control(const char *s, size_t len)
{
	return holds_unclean(s, len, false, false);
}

/* Deepest nesting of bidi embeddings and isolates a field may open: more
 * than any real text needs, few enough to track on the stack. */
#define BIDI_DEPTH_MAX 16

#define PDF 0x202c /* pops an embedding or override */
#define PDI 0x2069 /* pops an isolate */

/* The embeddings ('e') and isolates ('i') a field has opened so far. */
struct bidi_stack {
	char kinds[BIDI_DEPTH_MAX];
	size_t depth;
};

static void put_code_point(struct buf *out, utf8proc_int32_t cp)
{
	utf8proc_uint8_t bytes[4];
	utf8proc_ssize_t n = utf8proc_encode_char(cp, bytes);
	buf_append(out, (const char *)bytes, (size_t)n);
}

/* Keeps a bidi control only when it opens a level there is room for or
 * closes one the field opened, so nothing reorders text past the field. */
static void put_bidi(struct buf *out, struct bidi_stack *bidi, utf8proc_int32_t cp)
{
	if (cp == PDF) {
		if (bidi->depth > 0 && bidi->kinds[bidi->depth - 1] == 'e') {
			bidi->depth--;
			put_code_point(out, cp);
		}
		return;
	}
	if (cp == PDI) {
		/* Closes the last isolate and any embedding opened inside it. */
		size_t d = bidi->depth;
		while (d > 0 && bidi->kinds[d - 1] != 'i')
			d--;
		if (d > 0) {
			bidi->depth = d - 1;
			put_code_point(out, cp);
		}
		return;
	}
	if (bidi->depth == BIDI_DEPTH_MAX)
		return;
	bidi->kinds[bidi->depth++] = cp >= 0x2066 ? 'i' : 'e';
	put_code_point(out, cp);
}

/* Closes what the field left open, innermost first. */
static void close_bidi(struct buf *out, struct bidi_stack *bidi)
{
	while (bidi->depth > 0)
		put_code_point(out, bidi->kinds[--bidi->depth] == 'i' ? PDI : PDF);
}

/* Breaks a body may keep; the rest (VT, FF, NEL, U+2028, U+2029) read as
 * controls and become spaces. */
static bool is_line_break(utf8proc_int32_t cp)
{
	return cp == '\n' || cp == '\r';
}

static bool is_other_break(utf8proc_int32_t cp)
{
	return cp == '\v' || cp == '\f' || is_unicode_break(cp);
}

void text_clean(struct buf *out, const char *s, size_t len, unsigned flags)
{
	bool lines = (flags & TEXT_CLEAN_LINES) != 0;
	struct bidi_stack bidi = {.depth = 0};
	buf_reserve(out, len);
	for (size_t i = 0; i < len;) {
		/* Printable ASCII, most of any text, is copied a run at a time. */
		size_t run = i;
		while (run < len && s[run] >= 0x20 && s[run] < 0x7f)
			run++;
		if (run > i) {
			buf_append(out, s + i, run - i);
			i = run;
			continue;
		}
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		                                      (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0) {
			buf_puts(out, "\xef\xbf\xbd");
			i++;
			continue;
		}
		i += (size_t)n;
		if (cp == '\r' && i < len && s[i] == '\n')
			continue; /* "\r\n" is one line break: the '\n' makes it */
		if (is_line_break(cp)) {
			if (lines) {
				close_bidi(out, &bidi);
				buf_putc(out, '\n');
			} else {
				buf_putc(out, ' ');
			}
		} else if (is_other_break(cp)) {
			buf_putc(out, ' ');
		} else if (cp == '\t') {
			buf_putc(out, lines ? '\t' : ' ');
		} else if (is_control(cp)) {
			/* Dropped: a terminal would act on it (ESC, BEL, CSI ...). */
		} else if (text_is_bidi_control((uint32_t)cp)) {
			if (!(flags & TEXT_CLEAN_NO_BIDI))
				put_bidi(out, &bidi, cp);
		} else {
			buf_append(out, s + i - (size_t)n, (size_t)n);
		}
	}
	close_bidi(out, &bidi);
}

char *text_cleaned(const char *s, unsigned flags)
{
	struct buf out = {0};
	text_clean(&out, s, strlen(s), flags);
	return buf_steal(&out);
}

uint64_t text_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

const char *text_base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

const char *text_extension(const char *path)
{
	const char *base = text_base_name(path);
	const char *dot = strrchr(base, '.');
	return dot && dot != base ? dot + 1 : "";
}

bool text_ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);
	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}
