#ifndef KABAR_LANG_H
#define KABAR_LANG_H

#include <stdbool.h>
#include <stddef.h>

/*
 * An article's language: BCP 47 tags (from its "lang:" key or a folder
 * such as ar/ or pt-br/), identification from the text (libexttextcat),
 * and reading time by script.
 */

/* Room for a tag with its NUL; a longer tag is not accepted. */
enum { LANG_TAG_MAX = 36 };

/* Where an article's language came from, in the order they are tried. */
enum lang_reason {
	LANG_FROM_KEY,    /* its front matter's lang: */
	LANG_FROM_FOLDER, /* a folder it sits in, named by a language */
	LANG_FROM_TEXT,   /* identified from its text */
	LANG_FROM_HOST,   /* none of these: the host's lang */
};

/* "from its lang: key", "identified from the text", ... for editors. */
const char *lang_reason_text(enum lang_reason reason);

/*
 * A well-formed BCP 47 tag in canonical case ("PT_br" -> "pt-BR", "zh-hans"
 * -> "zh-Hans"): a primary language of 2 or 3 letters, then subtags of 1 to
 * 8 letters or digits separated by '-' (or '_'). False when s is not one.
 */
bool lang_tag_normalise(const char *s, size_t len, char out[LANG_TAG_MAX]);

/*
 * Whether a folder name is a language: an ISO 639-1 code alone ("ar"), with
 * a known script ("zh-hans"), with a region ("pt-br", "es-419"), or with
 * both ("zh-hant-tw"); any case. out gets it in canonical case. "news",
 * "go" or "tech" are not languages.
 */
bool lang_folder_tag(const char *name, size_t len, char out[LANG_TAG_MAX]);

/* The language of the innermost folder of path ("news/ar/x.md") that names
 * one; false when none does. */
bool lang_of_path(const char *path, char out[LANG_TAG_MAX]);

/*
 * Identification. The classifier's fingerprints are read once by
 * lang_identifier_open, from dir (NULL: where libexttextcat-data installs
 * them), before the server confines itself; without them nothing is
 * identified and articles fall back to the host's language. Thread-safe
 * once opened.
 */
bool lang_identifier_open(const char *dir);
void lang_identifier_close(void);

/* Text shorter than this many letters is never identified. */
enum { LANG_MIN_LETTERS = 200 };

/* The language of text when the classifier is confident about it. */
bool lang_identify(const char *text, size_t len, char out[LANG_TAG_MAX]);

/*
 * Reading: words of space-separated scripts, and characters of scripts
 * written without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer,
 * Myanmar), which are read by the character.
 */
struct reading {
	size_t words;
	size_t characters;
};

/* Adds the words and characters of text (UTF-8; bad bytes are skipped). */
void lang_count_reading(struct reading *r, const char *text, size_t len);

/* Minutes to read it, rounded up, at least 1: 200 words and 500
 * characters a minute. */
size_t lang_reading_minutes(const struct reading *r);

#endif
