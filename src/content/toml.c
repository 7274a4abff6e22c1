#include "toml.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "strset.h"
#include "text.h"

/* One reading: a cursor over the text, the table the lines are in and the
 * keys seen so far (a key given twice is an error, as in TOML). */
struct toml {
	const char *s;
	size_t len, pos;
	int line;
	bool failed;
	struct buf *error;
	toml_pair_fn pair;
	void *reader;
	struct buf table;  /* the current [table]'s dotted name, or empty */
	struct strset seen; /* borrows from owned */
	char **owned;
	size_t n_owned;
};

static char peek(const struct toml *t)
{
	return t->pos < t->len ? t->s[t->pos] : '\0';
}

static char peek_at(const struct toml *t, size_t ahead)
{
	return t->pos + ahead < t->len ? t->s[t->pos + ahead] : '\0';
}

static bool at_end(const struct toml *t)
{
	return t->pos >= t->len;
}

static void advance(struct toml *t)
{
	if (t->pos < t->len && t->s[t->pos] == '\n')
		t->line++;
	t->pos++;
}

/* The first error is the one reported; later ones follow from it. */
static bool fail(struct toml *t, const char *reason)
{
	if (!t->failed)
		buf_printf(t->error, "%d: front matter: %s", t->line, reason);
	t->failed = true;
	return false;
}

static void skip_spaces(struct toml *t)
{
	while (peek(t) == ' ' || peek(t) == '\t')
		advance(t);
}

static void skip_comment(struct toml *t)
{
	if (peek(t) != '#')
		return;
	while (!at_end(t) && peek(t) != '\n')
		advance(t);
}

/* Spaces, comments and line ends: between lines and an array's items. */
static void skip_blank(struct toml *t)
{
	for (;;) {
		skip_spaces(t);
		skip_comment(t);
		if (peek(t) != '\n' && peek(t) != '\r')
			return;
		advance(t);
	}
}

static bool end_of_line(struct toml *t)
{
	skip_spaces(t);
	skip_comment(t);
	if (peek(t) == '\r')
		advance(t);
	if (at_end(t))
		return true;
	if (peek(t) != '\n')
		return fail(t, "expected the end of the line after the value");
	advance(t);
	return true;
}

static bool grow_check(struct toml *t, const struct buf *out, size_t limit)
{
	if (out->len <= limit)
		return true;
	return fail(t, limit == TOML_MAX_KEY ? "a key is longer than 1 KiB"
	                                     : "a value is longer than 64 KiB");
}

/* ---- strings ---- */

/* "\uXXXX" or "\UXXXXXXXX" after the 'u' or 'U' (at the cursor). */
static bool unicode_escape(struct toml *t, struct buf *out, int n)
{
	unsigned long cp = 0;
	for (int i = 0; i < n; i++) {
		char c = peek(t);
		if (!isxdigit((unsigned char)c))
			return fail(t, "\\u needs 4 hex digits and \\U 8");
		cp = cp * 16 + (unsigned long)(isdigit((unsigned char)c) ? c - '0'
		                                                         : tolower((unsigned char)c) - 'a' + 10);
		advance(t);
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0)
		return fail(t, "a \\u escape names no character");
	text_encode(out, (int32_t)cp);
	return true;
}

/* A backslash at a multi-line string's line end: the line break and the
 * white space after it go. */
static bool line_ending_backslash(struct toml *t)
{
	size_t p = t->pos;
	while (p < t->len && (t->s[p] == ' ' || t->s[p] == '\t' || t->s[p] == '\r'))
		p++;
	if (p < t->len && t->s[p] != '\n')
		return false;
	while (!at_end(t) && isspace((unsigned char)peek(t)))
		advance(t);
	return true;
}

/* The escape after a backslash (the cursor is past it). */
static bool escape(struct toml *t, struct buf *out, bool multiline)
{
	if (multiline && line_ending_backslash(t))
		return true;
	static const char from[] = "btnfr\"\\e";
	static const char to[] = "\b\t\n\f\r\"\\\x1b";
	char c = peek(t);
	const char *hit = c != '\0' ? strchr(from, c) : NULL;
	advance(t);
	if (hit != NULL) {
		buf_putc(out, to[hit - from]);
		return true;
	}
	if (c == 'u' || c == 'U')
		return unicode_escape(t, out, c == 'u' ? 4 : 8);
	return fail(t, "unknown escape in a string (\\n, \\t, \\\", \\\\, \\uXXXX ...)");
}

/* At a run of quote characters closing a multi-line string: up to two
 * more of them belong to the text. True when the string ended. */
static bool closes_multiline(struct toml *t, char quote, struct buf *out)
{
	size_t run = 0;
	while (peek_at(t, run) == quote)
		run++;
	if (run < 3)
		return false;
	if (run > 5)
		return fail(t, "too many quotes closing a string");
	for (size_t i = 0; i < run; i++)
		advance(t);
	for (size_t i = 3; i < run; i++)
		buf_putc(out, quote);
	return true;
}

/* A string whose opening quote(s) the cursor is past. */
static bool string_body(struct toml *t, char quote, bool multiline, struct buf *out)
{
	bool literal = quote == '\'';
	for (;;) {
		if (!grow_check(t, out, TOML_MAX_STRING))
			return false;
		if (at_end(t))
			return fail(t, "a string is not closed");
		char c = peek(t);
		if (multiline && c == quote && closes_multiline(t, quote, out))
			return !t->failed;
		if (t->failed)
			return false;
		if (!multiline && c == quote) {
			advance(t);
			return true;
		}
		if (!multiline && c == '\n')
			return fail(t, "a string ends at its line's end: close its quote there");
		advance(t);
		if (c == '\\' && !literal) {
			if (!escape(t, out, multiline))
				return false;
			continue;
		}
		buf_putc(out, c);
	}
}

/* A string at the cursor (its quote). */
static bool string_value(struct toml *t, struct buf *out)
{
	char quote = peek(t);
	bool multiline = peek_at(t, 1) == quote && peek_at(t, 2) == quote;
	advance(t);
	if (multiline) {
		advance(t);
		advance(t);
		/* A line break right after the opening quotes is not text. */
		if (peek(t) == '\r' && peek_at(t, 1) == '\n')
			advance(t);
		if (peek(t) == '\n')
			advance(t);
	}
	return string_body(t, quote, multiline, out);
}

/* ---- keys ---- */

static bool bare_key_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* One part of a key (bare or quoted), appended to key. */
static bool key_part(struct toml *t, struct buf *key)
{
	char c = peek(t);
	if (c == '"' || c == '\'') {
		if (peek_at(t, 1) == c && peek_at(t, 2) == c)
			return fail(t, "a key cannot be a multi-line string");
		return string_value(t, key) && grow_check(t, key, TOML_MAX_KEY);
	}
	if (!bare_key_char(c))
		return fail(t, "expected a key (letters, digits, '_', '-' or a quoted name)");
	while (bare_key_char(peek(t))) {
		buf_putc(key, peek(t));
		advance(t);
	}
	return grow_check(t, key, TOML_MAX_KEY);
}

/* A dotted key ("a", "a.b", "'x y'.z"), appended to key after prefix. */
static bool dotted_key(struct toml *t, const struct buf *prefix, struct buf *key)
{
	if (prefix->len > 0) {
		buf_append(key, prefix->data, prefix->len);
		buf_putc(key, '.');
	}
	for (;;) {
		if (!key_part(t, key))
			return false;
		skip_spaces(t);
		if (peek(t) != '.')
			return true;
		advance(t);
		skip_spaces(t);
		buf_putc(key, '.');
	}
}

/* Records name (a key, or a table as "[name"); false when it was seen. */
static bool first_time(struct toml *t, const char *name)
{
	if (t->n_owned >= TOML_MAX_KEYS)
		return fail(t, "too many keys");
	char *copy = xstrdup(name);
	bool added;
	strset_add(&t->seen, copy, &added);
	if (!added) {
		free(copy);
		return false;
	}
	t->owned = xgrowarray(t->owned, t->n_owned, sizeof *t->owned);
	t->owned[t->n_owned++] = copy;
	return true;
}

/* ---- values ---- */

/* Characters of a number, boolean or date written bare. */
static bool bare_value_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == ':' || c == '.' || c == '+' ||
	       c == '-';
}

static bool shaped(const char *s, const char *shape)
{
	for (; *shape; s++, shape++)
		if (*shape == 'd' ? !isdigit((unsigned char)*s) : *s != *shape)
			return false;
	return true;
}

static bool looks_numeric(const char *s)
{
	const char *p = s + (*s == '+' || *s == '-');
	if (strcmp(p, "inf") == 0 || strcmp(p, "nan") == 0)
		return true;
	if (!isdigit((unsigned char)*p))
		return false;
	for (; *p; p++)
		if (!isxdigit((unsigned char)*p) && strchr("_xob.eE+-", *p) == NULL)
			return false;
	return true;
}

/* A number, boolean, date or time, as written. */
static bool bare_value(struct toml *t, struct buf *out)
{
	while (bare_value_char(peek(t)) && out->len < 64) {
		buf_putc(out, peek(t));
		advance(t);
		/* "1979-05-27 07:32:00": a space may part a date from its time. */
		if (out->len == 10 && shaped(out->data, "dddd-dd-dd") && peek(t) == ' ' &&
		    isdigit((unsigned char)peek_at(t, 1))) {
			buf_putc(out, ' ');
			advance(t);
		}
	}
	const char *v = out->data != NULL ? out->data : "";
	bool ok = strcmp(v, "true") == 0 || strcmp(v, "false") == 0 ||
	          (out->len >= 10 && shaped(v, "dddd-dd-dd")) || (out->len >= 5 && shaped(v, "dd:dd")) ||
	          looks_numeric(v);
	if (!ok || bare_value_char(peek(t)))
		return fail(t, "a value must be a \"string\", a number, true or false, a date, "
		               "an [array] or an {inline table}");
	return true;
}

/* The items of one value, gathered before they are handed on. */
struct items {
	char **items;
	size_t count;
};

static void items_push(struct items *l, struct buf *b)
{
	l->items = xgrowarray(l->items, l->count, sizeof *l->items);
	l->items[l->count++] = b->data != NULL ? buf_steal(b) : xstrdup("");
}

static void items_free(struct items *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i]);
	free(l->items);
}

static bool emit(struct toml *t, const char *key, struct items *l, bool is_array, int line)
{
	if (!first_time(t, key)) {
		t->line = line;
		return fail(t, "a key is given twice");
	}
	struct toml_value v = {.items = l->items, .count = l->count, .is_array = is_array, .line = line};
	if (!t->pair(t->reader, key, &v, t->error)) {
		t->failed = true;
		return false;
	}
	return true;
}

/* A string, number, boolean or date at the cursor, pushed on l. */
static bool scalar(struct toml *t, struct items *l)
{
	struct buf b = {0};
	char c = peek(t);
	bool ok = c == '"' || c == '\'' ? string_value(t, &b) : bare_value(t, &b);
	if (ok)
		items_push(l, &b);
	buf_free(&b);
	return ok;
}

static bool array_value(struct toml *t, struct items *l)
{
	advance(t); /* [ */
	for (;;) {
		skip_blank(t);
		if (peek(t) == ']') {
			advance(t);
			return true;
		}
		if (peek(t) == '[' || peek(t) == '{')
			return fail(t, "an array here holds strings, numbers, booleans or dates, "
			               "not arrays or tables");
		if (l->count >= TOML_MAX_ITEMS)
			return fail(t, "too many items in one array");
		if (!scalar(t, l))
			return false;
		skip_blank(t);
		if (peek(t) == ',') {
			advance(t);
		} else if (peek(t) != ']') {
			return fail(t, "expected ',' or ']' in an array");
		}
	}
}

static bool value(struct toml *t, const struct buf *key, int depth);

/* An inline table: its pairs are keys under key. */
static bool inline_table(struct toml *t, const struct buf *key, int depth)
{
	if (depth >= TOML_MAX_DEPTH)
		return fail(t, "nested too deeply");
	advance(t); /* { */
	for (;;) {
		skip_blank(t);
		if (peek(t) == '}') {
			advance(t);
			return true;
		}
		struct buf inner = {0};
		bool ok = dotted_key(t, key, &inner);
		skip_spaces(t);
		if (ok && peek(t) != '=')
			ok = fail(t, "expected '=' after a key");
		if (ok) {
			advance(t);
			skip_spaces(t);
			ok = value(t, &inner, depth + 1);
		}
		buf_free(&inner);
		if (!ok)
			return false;
		skip_blank(t);
		if (peek(t) == ',')
			advance(t);
		else if (peek(t) != '}')
			return fail(t, "expected ',' or '}' in an inline table");
	}
}

/* The value at the cursor, handed on as key's. */
static bool value(struct toml *t, const struct buf *key, int depth)
{
	int line = t->line;
	if (peek(t) == '{')
		return inline_table(t, key, depth);
	struct items l = {0};
	bool is_array = peek(t) == '[';
	bool ok = is_array ? array_value(t, &l) : scalar(t, &l);
	if (ok)
		ok = emit(t, key->data != NULL ? key->data : "", &l, is_array, line);
	items_free(&l);
	return ok;
}

/* ---- lines ---- */

static bool table_header(struct toml *t)
{
	advance(t); /* [ */
	if (peek(t) == '[')
		return fail(t, "arrays of tables ([[name]]) are not read in front matter");
	skip_spaces(t);
	struct buf none = {0};
	buf_clear(&t->table);
	if (!dotted_key(t, &none, &t->table))
		return false;
	if (peek(t) != ']')
		return fail(t, "expected ']' closing a table name");
	advance(t);
	char *mark = xasprintf("[%s", t->table.data != NULL ? t->table.data : "");
	bool first = first_time(t, mark);
	free(mark);
	if (!first)
		return fail(t, "a table is given twice");
	return end_of_line(t);
}

static bool key_value_line(struct toml *t)
{
	struct buf key = {0};
	bool ok = dotted_key(t, &t->table, &key);
	if (ok && peek(t) != '=')
		ok = fail(t, "expected \"key = value\"");
	if (ok) {
		advance(t);
		skip_spaces(t);
		if (at_end(t) || peek(t) == '\n' || peek(t) == '#')
			ok = fail(t, "a key has no value");
	}
	if (ok)
		ok = value(t, &key, 0) && end_of_line(t);
	buf_free(&key);
	return ok;
}

bool toml_read(const char *text, size_t len, int first_line, toml_pair_fn pair, void *reader,
               struct buf *error)
{
	struct toml t = {.s = text, .len = len, .line = first_line, .error = error,
	                 .pair = pair, .reader = reader};
	bool ok = true;
	for (;;) {
		skip_blank(&t);
		if (at_end(&t))
			break;
		ok = peek(&t) == '[' ? table_header(&t) : key_value_line(&t);
		if (!ok)
			break;
	}
	for (size_t i = 0; i < t.n_owned; i++)
		free(t.owned[i]);
	free(t.owned);
	strset_free(&t.seen);
	buf_free(&t.table);
	return ok && !t.failed;
}
