#include "gotemplate.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "markdown.h"

#define MAX_ACTION_TOKENS 8
#define MAX_ACTION_LENGTH (64 * 1024)

enum token_kind { TOKEN_WORD, TOKEN_STRING };

struct action {
	enum token_kind kind[MAX_ACTION_TOKENS];
	char *text[MAX_ACTION_TOKENS];
	int n;
};

static void action_free(struct action *a)
{
	for (int i = 0; i < a->n; i++)
		free(a->text[i]);
	a->n = 0;
}

static void action_push(struct action *a, enum token_kind kind, char *text)
{
	if (a->n == MAX_ACTION_TOKENS) {
		free(text);
		return;
	}
	a->kind[a->n] = kind;
	a->text[a->n++] = text;
}

/* A Go string literal "..." at s[*i]; returns false if it is not closed. */
static bool read_quoted(const char *s, size_t len, size_t *i, struct buf *out)
{
	for ((*i)++; *i < len; (*i)++) {
		char c = s[*i];
		if (c == '"') {
			(*i)++;
			return true;
		}
		if (c == '\n')
			return false;
		if (c == '\\' && *i + 1 < len) {
			c = s[++*i];
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
		}
		buf_putc(out, c);
	}
	return false;
}

/* A raw string literal `...` (it may span lines). */
static bool read_backquoted(const char *s, size_t len, size_t *i, struct buf *out)
{
	const char *end = memchr(s + *i + 1, '`', len - *i - 1);
	if (end == NULL) {
		*i = len; /* all the rest was looked at */
		return false;
	}
	buf_append(out, s + *i + 1, (size_t)(end - s) - *i - 1);
	*i = (size_t)(end - s) + 1;
	return true;
}

bool gotemplate_read_string(const char *s, size_t len, size_t *i, struct buf *out)
{
	return s[*i] == '"' ? read_quoted(s, len, i, out) : read_backquoted(s, len, i, out);
}

static bool read_string_token(const char *s, size_t len, size_t *i, struct action *a)
{
	struct buf text = {0};
	bool ok = gotemplate_read_string(s, len, i, &text);
	if (ok)
		action_push(a, TOKEN_STRING, buf_steal(&text));
	buf_free(&text);
	return ok;
}

/*
 * Reads the action "{{ ... }}" at s; returns its length, or 0 when s does
 * not hold a closed action, with *looked the length of s that was read
 * to find that out. Words and strings are kept; parentheses, pipes and
 * the like only separate them.
 */
static size_t read_action(const char *s, size_t len, struct action *a, size_t *looked)
{
	if (len > MAX_ACTION_LENGTH)
		len = MAX_ACTION_LENGTH;
	size_t i = 2;
	while (i < len) {
		char c = s[i];
		if (c == '}' && i + 1 < len && s[i + 1] == '}')
			return i + 2;
		if (c == '"' || c == '`') {
			if (!read_string_token(s, len, &i, a))
				break;
		} else if (isalnum((unsigned char)c) || c == '.' || c == '_') {
			size_t start = i;
			while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '.' || s[i] == '_'))
				i++;
			action_push(a, TOKEN_WORD, xstrndup(s + start, i - start));
		} else if (c == '\n' && i + 1 < len && s[i + 1] == '\n') {
			break; /* an action does not run across paragraphs */
		} else {
			i++;
		}
	}
	action_free(a);
	*looked = i < len ? i : len;
	return 0;
}

static bool word_is(const struct action *a, int i, const char *word)
{
	return i < a->n && a->kind[i] == TOKEN_WORD && strcmp(a->text[i], word) == 0;
}

static const char *string_at(const struct action *a, int i)
{
	return i < a->n && a->kind[i] == TOKEN_STRING ? a->text[i] : NULL;
}

/* Preformatted text from {{raw `...`}}: blank edges trimmed, the common
 * leading tab (Go code is indented once in the source) removed. */
static void add_raw_block(struct block_list *out, const char *text)
{
	while (*text == '\n')
		text++;
	size_t len = strlen(text);
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	bool all_tabbed = true;
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n > 0 && p[0] != '\t')
			all_tabbed = false;
		p += n + 1;
	}
	struct buf pre = {0};
	for (size_t i = 0; i < len; i++) {
		bool line_start = i == 0 || text[i - 1] == '\n';
		if (!(all_tabbed && line_start && text[i] == '\t'))
			buf_putc(&pre, text[i]);
	}
	if (pre.len > 0) {
		struct block *b = blocks_add(out, BLOCK_PRE);
		b->text = buf_steal(&pre);
	}
	buf_free(&pre);
}

/* Markdown gathered between block actions, parsed when a block comes. */
struct template_reader {
	struct buf markdown;
	struct block_list *out;
};

static void flush_markdown(struct template_reader *t)
{
	markdown_fragment_to_blocks(t->markdown.data ? t->markdown.data : "", t->markdown.len, t->out);
	buf_clear(&t->markdown);
}

/* Does what one action shows. */
static void apply_action(struct template_reader *t, const struct action *a)
{
	const char *arg = string_at(a, 1);
	if (a->n == 1 && a->kind[0] == TOKEN_STRING) {
		buf_puts(&t->markdown, a->text[0]);
	} else if (word_is(a, 0, "raw") && arg && strchr(arg, '\n') == NULL) {
		buf_puts(&t->markdown, arg);
	} else if (word_is(a, 0, "raw") && arg) {
		flush_markdown(t);
		add_raw_block(t->out, arg);
	} else if (word_is(a, 0, "raw") && word_is(a, 1, "file") && string_at(a, 2)) {
		flush_markdown(t);
		blocks_add_link(t->out, string_at(a, 2), string_at(a, 2));
	} else if (word_is(a, 0, "image") && arg) {
		flush_markdown(t);
		blocks_add_image(t->out, arg, NULL);
	} else if ((word_is(a, 0, "code") || word_is(a, 0, "play")) && arg) {
		flush_markdown(t);
		blocks_add_link(t->out, arg, arg);
	} else if (word_is(a, 0, "video") && arg) {
		flush_markdown(t);
		blocks_add_link(t->out, arg, "Video");
	}
	/* Anything else (range, if, with, end, .title ...) is page template. */
}

/* A fence line: up to three spaces, then ``` or ~~~. */
static bool is_fence_line(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && i < 3 && s[i] == ' ')
		i++;
	return len - i >= 3 && (memcmp(s + i, "```", 3) == 0 || memcmp(s + i, "~~~", 3) == 0);
}

/*
 * An action that does not close is text, and so is all that was read to
 * find that out (up to text_until): a "{{" inside it is not tried again,
 * which keeps the reading linear however many "{{" an article holds.
 */
void gotemplate_to_blocks(const char *text, size_t len, struct block_list *out)
{
	struct template_reader t = {.out = out};
	bool in_fence = false;
	size_t i = 0, text_until = 0, line_end = 0;
	while (i < len) {
		if (i >= line_end) {
			/* A new line (a line's end is found once, however many
			 * actions it holds). */
			if ((i == 0 || text[i - 1] == '\n') && is_fence_line(text + i, len - i))
				in_fence = !in_fence;
			const char *nl = memchr(text + i, '\n', len - i);
			line_end = nl ? (size_t)(nl - text) + 1 : len;
		}
		size_t from = i > text_until ? i : text_until;
		const char *open = in_fence || from + 2 > line_end
		                           ? NULL
		                           : memmem(text + from, line_end - from, "{{", 2);
		if (open == NULL) {
			buf_append(&t.markdown, text + i, line_end - i);
			i = line_end;
			continue;
		}
		size_t at = (size_t)(open - text);
		buf_append(&t.markdown, text + i, at - i);
		struct action a = {0};
		size_t looked = 0;
		size_t n = read_action(text + at, len - at, &a, &looked);
		if (n == 0) {
			buf_append(&t.markdown, "{{", 2);
			i = at + 2;
			text_until = at + looked;
			continue;
		}
		apply_action(&t, &a);
		action_free(&a);
		i = at + n;
	}
	flush_markdown(&t);
	buf_free(&t.markdown);
}
