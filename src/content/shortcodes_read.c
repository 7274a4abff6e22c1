#include "shortcodes_tag.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "buf.h"
#include "gotemplate.h"

/*
 * Reading one tag: Hugo's {{< >}} and {{% %}}, Zola's {{ name() }} and
 * {% name() %}, Liquid's {% tag %} and {{ value | filter }}. Bounded by
 * MAX_TAG_LENGTH and by paragraphs.
 */

void shortcodes_tag_free(struct tag *t)
{
	for (int i = 0; i < t->n_args; i++) {
		free(t->args[i].name);
		free(t->args[i].value);
	}
	t->n_args = 0;
}

static void tag_add_arg(struct tag *t, char *name, char *value)
{
	if (t->n_args == MAX_ARGS) {
		free(name);
		free(value);
		return;
	}
	t->args[t->n_args++] = (struct arg){name, value};
}

const char *shortcodes_tag_arg(const struct tag *t, const char *name, int pos)
{
	for (int i = 0; i < t->n_args; i++)
		if (t->args[i].name != NULL && strcasecmp(t->args[i].name, name) == 0)
			return t->args[i].value;
	for (int i = 0, n = 0; i < t->n_args; i++)
		if (t->args[i].name == NULL && n++ == pos)
			return t->args[i].value;
	return NULL;
}

bool shortcodes_name_is(const struct tag *t, const char *name)
{
	return strcasecmp(t->name, name) == 0;
}

/* ---- reading a tag ---- */

/* A bounded view of the text from a tag's first '{'. */
struct cursor {
	const char *s;
	size_t len;
	size_t i;
};

static bool at(const struct cursor *c, const char *lit)
{
	size_t n = strlen(lit);
	return c->i + n <= c->len && memcmp(c->s + c->i, lit, n) == 0;
}

/* Skips spaces and single line breaks; false at a blank line (a tag does
 * not run across paragraphs). */
static bool skip_space(struct cursor *c)
{
	bool newline = false;
	while (c->i < c->len && (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\n')) {
		if (c->s[c->i] == '\n') {
			if (newline)
				return false;
			newline = true;
		}
		c->i++;
	}
	return true;
}

static bool name_char(char ch, bool path)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '-' || (path && (ch == '/' || ch == '.'));
}

/* A name at the cursor into name (cut at MAX_NAME); false when none. */
static bool read_name(struct cursor *c, char name[MAX_NAME + 1], bool path)
{
	size_t start = c->i;
	while (c->i < c->len && name_char(c->s[c->i], path))
		c->i++;
	size_t n = c->i - start;
	if (n == 0)
		return false;
	if (n > MAX_NAME)
		n = MAX_NAME;
	memcpy(name, c->s + start, n);
	name[n] = '\0';
	return true;
}

/* A quoted value: Go's "..." and `...` (gotemplate.h), or '...'. */
static bool read_quoted(struct cursor *c, struct buf *out)
{
	if (c->s[c->i] != '\'')
		return gotemplate_read_string(c->s, c->len, &c->i, out);
	const char *end = memchr(c->s + c->i + 1, '\'', c->len - c->i - 1);
	const char *nl = memchr(c->s + c->i + 1, '\n', c->len - c->i - 1);
	if (end == NULL || (nl != NULL && nl < end)) {
		c->i = nl ? (size_t)(nl - c->s) : c->len;
		return false;
	}
	buf_append(out, c->s + c->i + 1, (size_t)(end - c->s) - c->i - 1);
	c->i = (size_t)(end - c->s) + 1;
	return true;
}

/* A value: quoted, or bare up to a space or any of the stop characters. */
static char *read_value(struct cursor *c, const char *stop)
{
	if (c->i >= c->len)
		return NULL;
	struct buf v = {0};
	char ch = c->s[c->i];
	if (ch == '"' || ch == '`' || ch == '\'') {
		if (!read_quoted(c, &v)) {
			buf_free(&v);
			return NULL;
		}
		return buf_steal(&v);
	}
	size_t start = c->i;
	while (c->i < c->len && !isspace((unsigned char)c->s[c->i]) && strchr(stop, c->s[c->i]) == NULL &&
	       !at(c, "{{") && !at(c, "{%"))
		c->i++;
	if (c->i == start)
		return NULL;
	buf_append(&v, c->s + start, c->i - start);
	return buf_steal(&v);
}

/* Hugo: after "{{<" or "{{%", up to the same mark and "}}". */
static bool read_hugo(struct cursor *c, struct tag *t)
{
	char mark = c->s[2] == '<' ? '>' : '%';
	char close[4] = {mark, '}', '}', '\0'};
	char self_close[5] = {'/', mark, '}', '}', '\0'};
	t->syntax = HUGO;
	c->i = 3;
	if (!skip_space(c))
		return false;
	if (at(c, "/")) {
		t->closing = true;
		c->i++;
		if (!skip_space(c))
			return false;
	}
	if (!read_name(c, t->name, true))
		return false;
	for (;;) {
		if (!skip_space(c) || c->i >= c->len)
			return false;
		if (at(c, close)) {
			c->i += 3;
			return true;
		}
		if (at(c, self_close)) {
			t->self_closed = true;
			c->i += 4;
			return true;
		}
		char *name = NULL;
		size_t start = c->i;
		char key[MAX_NAME + 1];
		if (read_name(c, key, false) && at(c, "="))
			name = xstrdup(key), c->i++;
		else
			c->i = start;
		char *value = read_value(c, close);
		if (value == NULL) {
			free(name);
			return false;
		}
		tag_add_arg(t, name, value);
	}
}

/* Zola's arguments "(name=value, ...)" up to ")". */
static bool read_zola_args(struct cursor *c, struct tag *t)
{
	c->i++; /* ( */
	for (;;) {
		if (!skip_space(c) || c->i >= c->len)
			return false;
		if (at(c, ")")) {
			c->i++;
			return true;
		}
		if (at(c, ",")) {
			c->i++;
			continue;
		}
		char key[MAX_NAME + 1];
		if (!read_name(c, key, false) || !skip_space(c) || !at(c, "="))
			return false;
		c->i++;
		if (!skip_space(c) || c->i >= c->len)
			return false;
		char *value = read_value(c, ",)");
		if (value == NULL)
			return false;
		tag_add_arg(t, xstrdup(key), value);
	}
}

/* What follows a Liquid or Zola tag's name, up to "%}" (or "-%}"): its
 * words, quoted or not, as positional arguments. */
static bool read_liquid_rest(struct cursor *c, struct tag *t)
{
	for (;;) {
		if (!skip_space(c) || c->i >= c->len)
			return false;
		if (at(c, "%}") || at(c, "-%}")) {
			c->i += at(c, "-") ? 3 : 2;
			return true;
		}
		char *value = read_value(c, "%");
		if (value == NULL) {
			/* A quote that did not close may have read to the end. */
			if (c->i >= c->len || at(c, "{{") || at(c, "{%") || c->s[c->i] == '"' || c->s[c->i] == '\'' ||
			    c->s[c->i] == '`')
				return false;
			c->i++; /* a lone '%' or '-' */
			continue;
		}
		tag_add_arg(t, NULL, value);
	}
}

/* "{% ... %}": a Zola block, its end, or a Liquid tag. */
static bool read_percent(struct cursor *c, struct tag *t)
{
	c->i = 2;
	if (at(c, "-"))
		c->i++;
	if (!skip_space(c) || !read_name(c, t->name, false))
		return false;
	if (at(c, "(")) {
		t->syntax = ZOLA_BLOCK;
		if (!read_zola_args(c, t) || !skip_space(c) || !at(c, "%}"))
			return false;
		c->i += 2;
		return true;
	}
	t->syntax = strcmp(t->name, "end") == 0 ? ZOLA_END : LIQUID_TAG;
	return read_liquid_rest(c, t);
}

/* The variables a Jekyll page can name. */
static bool liquid_root(const char *name)
{
	static const char *const roots[] = {"site", "page", "layout", "include", "paginator",
	                                    "jekyll", "content", "post", "forloop"};
	size_t n = strcspn(name, ".[");
	for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++)
		if (strlen(roots[i]) == n && strncmp(name, roots[i], n) == 0)
			return true;
	return false;
}

/* "{{ value | filter: arg ... }}": its value as the first argument. */
static bool read_liquid_output(struct cursor *c, struct tag *t, bool trimmed)
{
	t->syntax = LIQUID_OUTPUT;
	char ch = c->i < c->len ? c->s[c->i] : '\0';
	bool literal = ch == '"' || ch == '\'';
	if (!literal && !read_name(c, t->name, true))
		return false;
	if (literal) {
		char *value = read_value(c, "|}");
		if (value == NULL)
			return false;
		tag_add_arg(t, NULL, value);
	} else if (!liquid_root(t->name) && !trimmed) {
		return false; /* "{{ name }}" alone may be prose about templates */
	}
	for (;;) {
		if (!skip_space(c) || c->i >= c->len)
			return false;
		if (at(c, "}}") || at(c, "-}}")) {
			c->i += at(c, "-") ? 3 : 2;
			return !literal || t->filtered;
		}
		if (at(c, "{{") || at(c, "{%"))
			return false;
		char word[MAX_NAME + 1];
		if (read_name(c, word, false)) {
			if (strcmp(word, "relative_url") == 0 || strcmp(word, "absolute_url") == 0)
				t->filtered = true;
			continue;
		}
		char *skipped = read_value(c, "|:,}");
		if (skipped != NULL) {
			free(skipped);
			continue;
		}
		/* A quote that did not close may have read to the end. */
		if (c->i >= c->len || strchr("|:,}", c->s[c->i]) == NULL)
			return false;
		c->i++;
	}
}

/* "{{ ... }}" that is not Hugo's: Zola's call or a Liquid output. */
static bool read_braces(struct cursor *c, struct tag *t)
{
	c->i = 2;
	bool trimmed = at(c, "-");
	if (trimmed)
		c->i++;
	if (!skip_space(c))
		return false;
	size_t start = c->i;
	if (!trimmed && read_name(c, t->name, false) && at(c, "(")) {
		t->syntax = ZOLA_INLINE;
		if (!read_zola_args(c, t) || !skip_space(c) || !at(c, "}}"))
			return false;
		c->i += 2;
		return true;
	}
	c->i = start;
	t->name[0] = '\0';
	return read_liquid_output(c, t, trimmed);
}

size_t shortcodes_read_tag(const char *s, size_t len, struct tag *t, size_t *looked)
{
	struct cursor c = {.s = s, .len = len < MAX_TAG_LENGTH ? len : MAX_TAG_LENGTH};
	*t = (struct tag){0};
	bool ok;
	if (at(&c, "{{<") || at(&c, "{{%"))
		ok = read_hugo(&c, t);
	else if (at(&c, "{%"))
		ok = read_percent(&c, t);
	else
		ok = read_braces(&c, t);
	if (ok)
		return c.i;
	shortcodes_tag_free(t);
	/* A "{{" that stopped the reading is tried again on its own. */
	*looked = c.i > 2 ? c.i : 2;
	return 0;
}
