#ifndef KABAR_TEXT_H
#define KABAR_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* UTF-8 text: validity, display width, wrapping, folding (utf8proc). */

bool text_valid_utf8(const char *s, size_t len);

/* Display columns of s as terminals count them (glibc's wcswidth): wide
 * (CJK) characters count two, spacing marks (Devanagari, Tamil vowel signs)
 * one, combining accents and zero-width characters none. An emoji with
 * U+FE0F counts two, where glibc says one. */
size_t text_width(const char *s, size_t len);

/*
 * Appends s wrapped at width display columns: each line begins with prefix
 * (the first line with first_prefix) and ends with eol. Breaks at spaces;
 * a word wider than the line is split between grapheme clusters, never
 * inside one. Tabs are expanded.
 */
void text_wrap(struct buf *out, const char *s, size_t len, size_t width,
               const char *first_prefix, const char *prefix, const char *eol);

/* Narrows the text s[0..*len) to leave out the ASCII white space at both
 * ends; nothing is copied. */
void text_trim(const char **s, size_t *len);

/* Case-folded, accents stripped, NFKC: for search and comparisons. */
char *text_fold(const char *s, size_t len);

/* "Wow...!!, Kesan Peserta" -> "wow-kesan-peserta": lower-case ASCII letters,
 * digits and dashes; accents stripped; never empty (falls back to "item"). */
char *text_slug(const char *s);

#endif
