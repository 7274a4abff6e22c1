#ifndef KABAR_TOML_H
#define KABAR_TOML_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * A bounded reader of the TOML that Hugo and Zola write between "+++"
 * lines: bare, quoted and dotted keys; basic, literal and multi-line
 * strings; integers, decimal numbers, booleans, offset and local
 * date-times and dates; arrays of those; inline tables; [table] headers.
 * Anything else (arrays of tables, arrays in arrays, a key given twice) is
 * refused with "LINE: front matter: reason". One pass over the text; inline
 * tables nest at most TOML_MAX_DEPTH deep; keys are at most TOML_MAX_KEY
 * bytes (table name included) and TOML_MAX_KEYS in number, so the work per
 * byte read stays bounded.
 *
 * Tables are flattened: each value reaches its reader as one pair whose key
 * is the whole dotted path ("taxonomies.tags", "extra.banner.alt").
 */

#define TOML_MAX_STRING (64 * 1024)
#define TOML_MAX_DEPTH 16
#define TOML_MAX_ITEMS 1000
#define TOML_MAX_KEY 1024
#define TOML_MAX_KEYS 4096 /* keys and tables in one front matter */

/* A value as text: one item, or an array's items (is_array), each a
 * string's decoded text or a number, boolean or date as written. */
struct toml_value {
	char **items;
	size_t count;
	bool is_array;
	int line; /* in the file */
};

/* Called once per value, in order. Returning false stops the reading; the
 * reader then has appended its own "LINE: reason" to error. */
typedef bool (*toml_pair_fn)(void *reader, const char *key, const struct toml_value *value,
                             struct buf *error);

/* Reads text[0..len), which starts on line first_line of its file.
 * Returns false with "LINE: front matter: reason" appended to error (or
 * the pair reader's own reason). */
bool toml_read(const char *text, size_t len, int first_line, toml_pair_fn pair, void *reader,
               struct buf *error);

#endif
