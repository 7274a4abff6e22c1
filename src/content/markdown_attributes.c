#include "markdown_reader.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

/* kramdown and Hugo attribute lists ("{: .class}", "## Title {#id}"):
 * found in the gathered text and taken out of it. */

/* Longer than any attribute list a page writes; a '{' starts a scan of at
 * most this many bytes, so text full of braces stays linear. */
#define MAX_ATTRIBUTE_LIST 256

/* Ids such as "problem.seed" or "fn:1" keep their dots and colons. */
static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.' || c == ':' ||
	       (unsigned char)c >= 0x80;
}

/*
 * The length of the attribute list at s: kramdown's "{: .class #id
 * key="value"}" or, with first_marked, Hugo's "{#id .class}" (which must
 * open with a class or an id). *id and *id_len get the first "#id".
 * Returns 0 when s does not start one.
 */
static size_t attribute_list(const char *s, size_t len, bool *colon, const char **id,
                             size_t *id_len)
{
	if (len > MAX_ATTRIBUTE_LIST)
		len = MAX_ATTRIBUTE_LIST;
	if (len < 3 || s[0] != '{')
		return 0;
	*colon = s[1] == ':';
	*id_len = 0;
	size_t i = *colon ? 2 : 1;
	int tokens = 0;
	bool first_marked = false;
	for (;;) {
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= len)
			return 0;
		if (s[i] == '}')
			break;
		size_t start = i;
		if (s[i] == '.' || s[i] == '#') {
			size_t name = ++i;
			while (i < len && is_name_char(s[i]))
				i++;
			if (i == name)
				return 0;
			if (s[start] == '#' && *id_len == 0) {
				*id = s + name;
				*id_len = i - name;
			}
			first_marked = first_marked || tokens == 0;
		} else {
			while (i < len && is_name_char(s[i]))
				i++;
			if (i == start || i >= len || s[i] != '=')
				return 0;
			i++;
			if (i < len && (s[i] == '"' || s[i] == '\'')) {
				const char *close = memchr(s + i + 1, s[i], len - i - 1);
				if (close == NULL)
					return 0;
				i = (size_t)(close - s) + 1;
			} else {
				size_t value = i;
				while (i < len && is_name_char(s[i]))
					i++;
				if (i == value)
					return 0;
			}
		}
		tokens++;
		if (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != '}')
			return 0;
	}
	if (tokens == 0 || (!*colon && !first_marked))
		return 0;
	return i + 1;
}

static bool only_space_after(const struct buf *text, size_t from)
{
	for (size_t i = from; i < text->len; i++)
		if (!isspace((unsigned char)text->data[i]))
			return false;
	return true;
}

/*
 * Takes kramdown and Hugo attribute lists out of the gathered text: they
 * style a web page and mean nothing to a reader. "{: ...}" goes wherever
 * it stands (after a span or on a line of its own); "{#id}" only at the
 * end of a block, where Hugo puts a heading's id. A heading's id is kept.
 */
void markdown_remove_attribute_lists(struct md_reader *r)
{
	struct buf *text = &r->text.text;
	struct text_edit *cuts = NULL;
	size_t n_cuts = 0, span = 0;
	for (size_t i = 0; i < text->len; i++) {
		if (text->data[i] != '{')
			continue;
		while (span < r->n_code_spans && r->code_spans[span].end <= i)
			span++;
		if (span < r->n_code_spans && r->code_spans[span].start <= i)
			continue;
		bool colon;
		const char *id = NULL;
		size_t id_len = 0;
		size_t n = attribute_list(text->data + i, text->len - i, &colon, &id, &id_len);
		if (n == 0 || (!colon && !only_space_after(text, i + n)))
			continue;
		if (r->heading_level > 0 && id_len > 0 && r->heading_id == NULL)
			r->heading_id = xstrndup(id, id_len);
		cuts = xgrowarray(cuts, n_cuts, sizeof *cuts);
		cuts[n_cuts++] = (struct text_edit){.from = i, .to = i + n, .with = ""};
		i += n - 1;
	}
	inline_edit(&r->text, cuts, n_cuts);
	free(cuts);
	r->n_code_spans = 0;
}
