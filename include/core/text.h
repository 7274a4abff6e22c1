#ifndef KABAR_TEXT_H
#define KABAR_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* UTF-8 text: validity, display width, wrapping, folding (utf8proc). */

bool text_valid_utf8(const char *s, size_t len);

/* Decodes the code point at s[i] (i < len) into *cp and returns its length
 * in bytes; a byte that is not valid UTF-8 reads as U+FFFD, one byte long,
 * so that bad input still measures and wraps sensibly. */
size_t text_decode(const char *s, size_t len, size_t i, int32_t *cp);

/* Appends code point cp (a valid one: not a surrogate, at most U+10FFFF)
 * as UTF-8. */
void text_encode(struct buf *out, int32_t cp);

/* utf8proc's general category of cp (a utf8proc_category_t), ASCII's
 * letters, digits and spaces answered without a call into utf8proc: they
 * are most of what is counted when an archive loads. */
int text_category(int32_t cp);

/* Display columns of s as terminals count them (glibc's wcswidth): wide
 * (CJK) characters count two, spacing marks (Devanagari, Tamil vowel signs)
 * one, combining accents and zero-width characters none. An emoji with
 * U+FE0F counts two, where glibc says one. */
size_t text_width(const char *s, size_t len);

/* Where the grapheme cluster that starts at s[i] ends (len when i >= len):
 * the places a cut may fall without splitting a character as the reader
 * sees it (a flag, an emoji sequence, a letter and its accents). */
size_t text_grapheme_end(const char *s, size_t len, size_t i);

/*
 * Appends s wrapped at width display columns: each line begins with prefix
 * (the first line with first_prefix) and ends with eol. Breaks at spaces,
 * and in CJK and Thai text also where the Unicode line breaking algorithm
 * (UAX #14) allows next to a character of those scripts, so no line starts
 * with closing punctuation; Latin words break at spaces only, Korean too.
 * A word wider than the line is split between grapheme clusters, never
 * inside one. Tabs are expanded.
 */
void text_wrap(struct buf *out, const char *s, size_t len, size_t width,
               const char *first_prefix, const char *prefix, const char *eol);

/*
 * The one rule for a soft line break (a line end inside a paragraph): true
 * when the characters before and after it are both of scripts written
 * without spaces between words (Han, kana, CJK punctuation and fullwidth
 * forms, Thai, Lao, Khmer, Myanmar) or either is a zero width space; the
 * break then joins the lines with nothing between them (CSS Text's
 * segment break rules). Otherwise it becomes a space: next to a Latin word,
 * and between Hangul words, which Korean spaces.
 */
bool text_soft_break_joins(int32_t before, int32_t after);

/* text_soft_break_joins of the last code point of before and the first of
 * after; false when either is empty. */
bool text_break_joins(const char *before, size_t before_len, const char *after,
                      size_t after_len);

/* Narrows the text s[0..*len) to leave out the ASCII white space at both
 * ends; nothing is copied. */
void text_trim(const char **s, size_t *len);

/* Plain strings and paths: the helpers every module would otherwise write
 * again. */

/* The part of path after its last '/' (all of it when there is none). */
const char *text_base_name(const char *path);

/* The extension of path's base name, after its last dot, without the dot;
 * "" when there is none ("README", "/a.b/c") or the name is a dotfile
 * (".profile"). */
const char *text_extension(const char *path);

/* True when s[0..len) ends with suffix, byte for byte. */
bool text_ends_with(const char *s, size_t len, const char *suffix);

/* FNV-1a's step over the bytes s[0..len) (from an offset basis of its
 * own): the hash of every table in the snapshot, the search vocabulary and
 * strset. */
uint64_t text_hash(const char *s, size_t len);

/* Case-folded, accents stripped, NFKC: for search and comparisons. */
char *text_fold(const char *s, size_t len);

/* "Wow...!!, Kesan Peserta" -> "wow-kesan-peserta": lower-case ASCII letters,
 * digits and dashes; accents stripped; never empty (falls back to "item"). */
char *text_slug(const char *s);

/*
 * The one sanitizer for text that comes from content (front matter, article
 * bodies, file names, search terms) before it reaches a page or a menu:
 * invalid UTF-8 becomes U+FFFD; C0 and C1 controls and DEL are dropped
 * (ESC, BEL, CSI ... would drive the reader's terminal); line breaks (CR,
 * LF, and VT, FF, NEL, U+2028, U+2029, which some readers break lines at)
 * and tabs become spaces. Bidi embeddings,
 * overrides and isolates (U+202A-202E, U+2066-2069) are kept only where they
 * are balanced, and whatever the field leaves open is closed at its end, so
 * they never reorder text beyond it.
 */
enum {
	/* Keep tabs, and CR and LF as '\n' (bidi closed at each): a body of
	 * several lines. */
	TEXT_CLEAN_LINES = 1 << 0,
	/* Drop the bidi controls altogether: echoed input, menu lines. */
	TEXT_CLEAN_NO_BIDI = 1 << 1,
};
void text_clean(struct buf *out, const char *s, size_t len, unsigned flags);
/* text_clean of the string s, as a new string the caller frees. */
char *text_cleaned(const char *s, unsigned flags);

/* U+202A-202E and U+2066-2069: the controls that open or close a
 * directional embedding, override or isolate. */
bool text_is_bidi_control(uint32_t cp);

/* True when s is valid UTF-8 holding none of what text_clean changes: no
 * control (tab included), no line break, no bidi control. */
bool text_is_clean(const char *s, size_t len);

/* True when s holds a C0 or C1 control, DEL or a line break (NEL, U+2028,
 * U+2029); bytes that are not UTF-8 are no concern of it. */
bool text_has_control(const char *s, size_t len);

#endif
