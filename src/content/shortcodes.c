#include "shortcodes.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "markdown.h"
#include "shortcodes_tag.h"

/* Past this many warnings in one body, one line says how many more. */
#define MAX_WARNINGS 50

/* ---- the rewriter ---- */

enum mode {
	MODE_TEXT,
	MODE_HIDE,     /* inside a comment */
	MODE_RAW,      /* inside {% raw %}: as written */
	MODE_HIGHLIGHT /* inside highlight: gathered, then a code block */
};

struct rewriter {
	const char *text;
	size_t len;
	struct buf *out;
	struct buf *warnings;
	size_t n_warnings;
	/* The line text[line_at] is on. */
	size_t line_at;
	int line;
	/* Code blocks, line by line. */
	size_t base_indent;
	bool in_fence;
	char fence_char;
	size_t fence_len;
	bool prev_blank, prev_code, in_list;
	/* Code spans: up to runs_seen_until, the last run of n backticks
	 * is at last_run[n] - 1 (0: none). */
	size_t *last_run;
	size_t n_last_run;
	size_t runs_seen_until;
	/* Paired tags. */
	enum mode mode;
	enum syntax hide_syntax; /* which kind of comment */
	size_t hide_depth;
	int hide_line;
	struct buf code; /* a highlight's text */
	char *code_lang;
};

static int line_of(struct rewriter *r, size_t pos)
{
	for (; r->line_at < pos; r->line_at++)
		r->line += r->text[r->line_at] == '\n';
	return r->line;
}

static void warn(struct rewriter *r, int line, const char *what, const char *name)
{
	if (r->warnings == NULL)
		return;
	r->n_warnings++;
	if (r->n_warnings <= MAX_WARNINGS)
		buf_printf(r->warnings, "%d: %s %s, removed\n", line, what, name);
}

/* ---- what tags become ---- */

/* Text as Markdown shows it: ASCII punctuation escaped, one line. */
static void put_text(struct buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '\n' || ch == '\r' || ch == '\t')
			buf_putc(out, ' ');
		else if (ispunct(ch))
			buf_putc(out, '\\'), buf_putc(out, (char)ch);
		else
			buf_putc(out, (char)ch);
	}
}

/* A URL as a Markdown link target holds it whole: what could end or
 * break it percent-encoded. */
static void put_url(struct buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch <= ' ' || ch == 0x7f || strchr("()<>\"'\\`", ch) != NULL)
			buf_printf(out, "%%%02X", ch);
		else
			buf_putc(out, (char)ch);
	}
}

/* Whether the tag stands where a link's address is written: after "(",
 * "<", a quote, "=", "/" or a reference definition's "]:". */
static bool in_link_target(const struct buf *out)
{
	if (out->len == 0)
		return false;
	if (strchr("(<\"'=/", out->data[out->len - 1]) != NULL)
		return true;
	size_t k = out->len;
	while (k > 0 && out->data[k - 1] == ' ')
		k--;
	return k >= 2 && k < out->len && out->data[k - 1] == ':' && out->data[k - 2] == ']';
}

/* Starts a block of its own: a blank line before it. */
static void open_block(struct buf *out)
{
	if (out->len == 0)
		return;
	if (out->data[out->len - 1] != '\n')
		buf_putc(out, '\n');
	if (out->len < 2 || out->data[out->len - 2] != '\n')
		buf_putc(out, '\n');
}

static void put_image(struct rewriter *r, const char *src, const char *label)
{
	if (in_link_target(r->out)) {
		put_url(r->out, src);
		return;
	}
	open_block(r->out);
	buf_puts(r->out, "![");
	put_text(r->out, label ? label : "");
	buf_puts(r->out, "](");
	put_url(r->out, src);
	buf_puts(r->out, ")\n\n");
}

static void put_link(struct rewriter *r, const char *url, const char *label, bool own_line)
{
	if (in_link_target(r->out)) {
		put_url(r->out, url);
		return;
	}
	if (own_line)
		open_block(r->out);
	buf_puts(r->out, "[");
	put_text(r->out, label ? label : url);
	buf_puts(r->out, "](");
	put_url(r->out, url);
	buf_puts(r->out, own_line ? ")\n\n" : ")");
}

/* An identifier that goes into a URL: letters, digits, '_' and '-'. */
static bool plain_id(const char *s)
{
	if (s == NULL || s[0] == '\0' || strlen(s) > 128)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

static bool put_figure(struct rewriter *r, const struct tag *t)
{
	const char *src = shortcodes_tag_arg(t, "src", 0);
	if (src == NULL || src[0] == '\0')
		return false;
	const char *label = shortcodes_tag_arg(t, "caption", -1);
	if (label == NULL || label[0] == '\0')
		label = shortcodes_tag_arg(t, "alt", -1);
	if (label == NULL || label[0] == '\0')
		label = shortcodes_tag_arg(t, "title", -1);
	put_image(r, src, label);
	return true;
}

/* youtube, vimeo, gist, tweet, x, instagram: a link line to the thing. */
static bool put_embed(struct rewriter *r, const struct tag *t)
{
	char *url = NULL;
	const char *id = shortcodes_tag_arg(t, "id", 0);
	if (shortcodes_name_is(t, "youtube") && plain_id(id)) {
		url = xasprintf("https://www.youtube.com/watch?v=%s", id);
	} else if (shortcodes_name_is(t, "vimeo") && plain_id(id)) {
		url = xasprintf("https://vimeo.com/%s", id);
	} else if (shortcodes_name_is(t, "instagram") && plain_id(id)) {
		url = xasprintf("https://www.instagram.com/p/%s/", id);
	} else if (shortcodes_name_is(t, "gist")) {
		const char *given = shortcodes_tag_arg(t, "url", -1);
		const char *user = shortcodes_tag_arg(t, "user", 0), *gist = shortcodes_tag_arg(t, "id", 1);
		if (given != NULL && strncmp(given, "https://gist.github.com/", 24) == 0)
			url = xstrdup(given);
		else if (plain_id(user) && plain_id(gist))
			url = xasprintf("https://gist.github.com/%s/%s", user, gist);
	} else if (shortcodes_name_is(t, "tweet") || shortcodes_name_is(t, "x")) {
		/* user="u" id="n", or positional: "n", or "u" "n". */
		const char *user = shortcodes_tag_arg(t, "user", -1);
		if (user == NULL && shortcodes_tag_arg(t, "", 1) != NULL) {
			user = shortcodes_tag_arg(t, "", 0);
			id = shortcodes_tag_arg(t, "", 1);
		}
		if (plain_id(id) && (user == NULL || plain_id(user)))
			url = xasprintf("https://x.com/%s/status/%s", user ? user : "i", id);
	}
	if (url == NULL)
		return false;
	put_link(r, url, shortcodes_tag_arg(t, "title", -1), true);
	free(url);
	return true;
}

/* The source path of another article, as a link (or the bare path in a
 * link's address). A path from the site's root is under /news/ here. */
static void put_source_link(struct rewriter *r, const char *path)
{
	char *site = path[0] == '/' && strncmp(path, "/news/", 6) != 0 ? xasprintf("/news%s", path)
	                                                                : xstrdup(path);
	put_link(r, site, path, false);
	free(site);
}

static bool put_ref(struct rewriter *r, const struct tag *t)
{
	const char *path = shortcodes_tag_arg(t, "path", 0);
	if (path == NULL || path[0] == '\0')
		return false;
	put_source_link(r, path);
	return true;
}

/* Jekyll's {% link path %}: from the site's root; a post beside this one
 * when it is in _posts/. {% post_url name %}: a post beside this one. */
static bool put_jekyll_link(struct rewriter *r, const struct tag *t)
{
	const char *path = shortcodes_tag_arg(t, "", 0);
	if (path == NULL || path[0] == '\0')
		return false;
	if (shortcodes_name_is(t, "post_url")) {
		put_source_link(r, path[0] == '/' ? path + 1 : path);
		return true;
	}
	const char *rest = path[0] == '/' ? path + 1 : path;
	if (strncmp(rest, "_posts/", 7) == 0) {
		put_source_link(r, rest + 7);
	} else {
		char *rooted = xasprintf("/%s", rest);
		put_source_link(r, rooted);
		free(rooted);
	}
	return true;
}

static void start_hide(struct rewriter *r, enum syntax syntax, int line)
{
	r->mode = MODE_HIDE;
	r->hide_syntax = syntax;
	r->hide_depth = 1;
	r->hide_line = line;
}

static void start_highlight(struct rewriter *r, const char *lang)
{
	r->mode = MODE_HIGHLIGHT;
	buf_clear(&r->code);
	free(r->code_lang);
	r->code_lang = lang != NULL && plain_id(lang) ? xstrdup(lang) : NULL;
}

/* The gathered highlight as a fenced block, its fence longer than any run
 * of backticks it holds. */
static void end_highlight(struct rewriter *r)
{
	const char *s = r->code.data ? r->code.data : "";
	size_t len = r->code.len, longest = 0;
	for (size_t i = 0, run = 0; i < len; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	while (len > 0 && s[0] == '\n')
		s++, len--;
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	size_t fence = longest >= 3 ? longest + 1 : 3;
	open_block(r->out);
	for (size_t i = 0; i < fence; i++)
		buf_putc(r->out, '`');
	buf_puts(r->out, r->code_lang ? r->code_lang : "");
	buf_putc(r->out, '\n');
	buf_append(r->out, s, len);
	buf_putc(r->out, '\n');
	for (size_t i = 0; i < fence; i++)
		buf_putc(r->out, '`');
	buf_putc(r->out, '\n');
	r->mode = MODE_TEXT;
}

/* Hugo's and Zola's shortcodes, by name. */
static void apply_shortcode(struct rewriter *r, const struct tag *t, int line)
{
	bool done = true;
	if (t->closing || t->syntax == ZOLA_END)
		return; /* the end of a pair: what it held stays */
	if (shortcodes_name_is(t, "comment"))
		start_hide(r, t->syntax, line);
	else if (shortcodes_name_is(t, "figure") || shortcodes_name_is(t, "img") || shortcodes_name_is(t, "image"))
		done = put_figure(r, t);
	else if (shortcodes_name_is(t, "youtube") || shortcodes_name_is(t, "vimeo") || shortcodes_name_is(t, "gist") ||
	         shortcodes_name_is(t, "tweet") || shortcodes_name_is(t, "x") || shortcodes_name_is(t, "instagram"))
		done = put_embed(r, t);
	else if (shortcodes_name_is(t, "ref") || shortcodes_name_is(t, "relref"))
		done = put_ref(r, t);
	else if (shortcodes_name_is(t, "highlight") && t->syntax == HUGO)
		start_highlight(r, shortcodes_tag_arg(t, "lang", 0));
	else if (shortcodes_name_is(t, "param"))
		warn(r, line, "shortcode param", shortcodes_tag_arg(t, "name", 0) ? shortcodes_tag_arg(t, "name", 0) : "");
	else if (shortcodes_name_is(t, "details") && shortcodes_tag_arg(t, "summary", -1) != NULL) {
		open_block(r->out);
		put_text(r->out, shortcodes_tag_arg(t, "summary", -1));
		buf_puts(r->out, "\n\n");
	} else
		warn(r, line, "unknown shortcode", t->name);
	if (!done)
		warn(r, line, "incomplete shortcode", t->name);
	if (t->self_closed && r->mode == MODE_HIDE)
		r->mode = MODE_TEXT; /* {{< comment />}} holds nothing */
}

static bool liquid_end_tag(const struct tag *t)
{
	return strncmp(t->name, "end", 3) == 0 || shortcodes_name_is(t, "else") || shortcodes_name_is(t, "elsif") ||
	       shortcodes_name_is(t, "when");
}

static void apply_liquid(struct rewriter *r, const struct tag *t, int line)
{
	if (t->syntax == LIQUID_OUTPUT) {
		if (t->filtered && shortcodes_tag_arg(t, "", 0) != NULL) {
			if (in_link_target(r->out))
				put_url(r->out, shortcodes_tag_arg(t, "", 0));
			else
				put_text(r->out, shortcodes_tag_arg(t, "", 0));
		} else {
			warn(r, line, "template variable", t->name);
		}
		return;
	}
	if (shortcodes_name_is(t, "comment")) {
		start_hide(r, LIQUID_TAG, line);
	} else if (shortcodes_name_is(t, "raw")) {
		r->mode = MODE_RAW;
	} else if (shortcodes_name_is(t, "highlight")) {
		start_highlight(r, shortcodes_tag_arg(t, "", 0));
	} else if (shortcodes_name_is(t, "link") || shortcodes_name_is(t, "post_url")) {
		if (!put_jekyll_link(r, t))
			warn(r, line, "template tag", t->name);
	} else if (shortcodes_name_is(t, "include") || shortcodes_name_is(t, "include_relative")) {
		warn(r, line, "include", shortcodes_tag_arg(t, "", 0) ? shortcodes_tag_arg(t, "", 0) : "");
	} else if (!liquid_end_tag(t)) {
		warn(r, line, "template tag", t->name);
	}
}

/* A tag met inside a comment: only the comment's own kind counts. */
static void apply_hidden(struct rewriter *r, const struct tag *t)
{
	bool opens, closes;
	if (r->hide_syntax == LIQUID_TAG) {
		opens = t->syntax == LIQUID_TAG && shortcodes_name_is(t, "comment");
		closes = t->syntax == LIQUID_TAG && shortcodes_name_is(t, "endcomment");
	} else if (r->hide_syntax == ZOLA_BLOCK) {
		opens = t->syntax == ZOLA_BLOCK;
		closes = t->syntax == ZOLA_END;
	} else {
		opens = t->syntax == HUGO && shortcodes_name_is(t, "comment") && !t->closing && !t->self_closed;
		closes = t->syntax == HUGO && shortcodes_name_is(t, "comment") && t->closing;
	}
	if (opens)
		r->hide_depth++;
	else if (closes && --r->hide_depth == 0)
		r->mode = MODE_TEXT;
}

static bool ends_verbatim(const struct rewriter *r, const struct tag *t)
{
	if (r->mode == MODE_RAW)
		return t->syntax == LIQUID_TAG && shortcodes_name_is(t, "endraw");
	return (t->syntax == HUGO && t->closing && shortcodes_name_is(t, "highlight")) ||
	       (t->syntax == LIQUID_TAG && shortcodes_name_is(t, "endhighlight"));
}

/* Where text goes in the current mode. */
static struct buf *sink(struct rewriter *r)
{
	if (r->mode == MODE_HIDE)
		return NULL;
	return r->mode == MODE_HIGHLIGHT ? &r->code : r->out;
}

static void put(struct rewriter *r, const char *s, size_t n)
{
	struct buf *b = sink(r);
	if (b != NULL)
		buf_append(b, s, n);
}

/* A tag read at pos (n bytes long): done, or kept as written inside raw
 * text and highlights. */
static void apply_tag(struct rewriter *r, const struct tag *t, size_t pos, size_t n)
{
	int line = line_of(r, pos);
	if (r->mode == MODE_HIDE) {
		apply_hidden(r, t);
	} else if (r->mode == MODE_RAW || r->mode == MODE_HIGHLIGHT) {
		if (!ends_verbatim(r, t))
			put(r, r->text + pos, n);
		else if (r->mode == MODE_HIGHLIGHT)
			end_highlight(r);
		else
			r->mode = MODE_TEXT;
	} else if (t->syntax == LIQUID_TAG || t->syntax == LIQUID_OUTPUT) {
		apply_liquid(r, t, line);
	} else {
		apply_shortcode(r, t, line);
	}
}

/* ---- code blocks and code spans ---- */

/* Hugo's escapes and Jekyll's raw tags, as code shows them. */
static const struct {
	const char *from, *to;
} code_escapes[] = {
	{"{{</*", "{{<"}, {"*/>}}", ">}}"}, {"{{%/*", "{{%"}, {"*/%}}", "%}}"},
	{"{% raw %}", ""}, {"{% endraw %}", ""}, {"{%- raw -%}", ""}, {"{%- endraw -%}", ""},
};

static size_t code_escape_at(const char *s, size_t len, const char **to)
{
	for (size_t k = 0; k < sizeof code_escapes / sizeof code_escapes[0]; k++) {
		size_t n = strlen(code_escapes[k].from);
		if (n <= len && memcmp(s, code_escapes[k].from, n) == 0) {
			*to = code_escapes[k].to;
			return n;
		}
	}
	return 0;
}

/* Code as written, but for the escapes above. */
static void put_code(struct rewriter *r, size_t from, size_t to)
{
	struct buf *b = sink(r);
	if (b == NULL)
		return;
	for (size_t i = from; i < to;) {
		const char *rep;
		size_t n = r->text[i] == '{' || r->text[i] == '*'
		                   ? code_escape_at(r->text + i, to - i, &rep) : 0;
		if (n > 0) {
			buf_puts(b, rep);
			i += n;
		} else {
			buf_putc(b, r->text[i++]);
		}
	}
}

static size_t run_of(const char *s, size_t len, size_t i, char ch)
{
	size_t n = 0;
	while (i + n < len && s[i + n] == ch)
		n++;
	return n;
}

/* Records that a run of n backticks is at pos. */
static void note_run(struct rewriter *r, size_t n, size_t pos)
{
	if (n >= r->n_last_run) {
		size_t grown = n + 16;
		r->last_run = xrealloc(r->last_run, grown * sizeof *r->last_run);
		memset(r->last_run + r->n_last_run, 0, (grown - r->n_last_run) * sizeof *r->last_run);
		r->n_last_run = grown;
	}
	r->last_run[n] = pos + 1;
}

/*
 * The end of the code span that opens with the n backticks at pos (past
 * its closing run), or 0: a closing run of exactly n before a blank line.
 * A search that fails has seen every run to the paragraph's end and noted
 * where the last of each length is: a later opening there knows at once
 * whether it closes, so no text is searched twice.
 */
static size_t code_span_end(struct rewriter *r, size_t pos, size_t n)
{
	if (pos < r->runs_seen_until && (n >= r->n_last_run || r->last_run[n] <= pos + 1))
		return 0;
	const char *s = r->text;
	size_t i = pos + n;
	while (i < r->len) {
		if (s[i] == '`') {
			size_t m = run_of(s, r->len, i, '`');
			if (m == n)
				return i + m;
			note_run(r, m, i);
			i += m;
		} else if (s[i] == '\n') {
			size_t k = i + 1;
			while (k < r->len && (s[k] == ' ' || s[k] == '\t'))
				k++;
			if (k >= r->len || s[k] == '\n')
				break;
			i++;
		} else {
			i++;
		}
	}
	r->runs_seen_until = i;
	return 0;
}

/* The width of a line's indent (a tab to the next multiple of four). */
static size_t indent_of(const char *s, size_t len, size_t *skip)
{
	size_t width = 0, i = 0;
	for (; i < len && (s[i] == ' ' || s[i] == '\t'); i++)
		width = s[i] == '\t' ? (width / 4 + 1) * 4 : width + 1;
	*skip = i;
	return width;
}

static bool list_marker(const char *s, size_t len)
{
	if (len >= 2 && strchr("-*+", s[0]) != NULL && (s[1] == ' ' || s[1] == '\t'))
		return true;
	size_t d = 0;
	while (d < len && d < 9 && isdigit((unsigned char)s[d]))
		d++;
	return d > 0 && d + 1 < len && (s[d] == '.' || s[d] == ')') && (s[d + 1] == ' ' || s[d + 1] == '\t');
}

/* Whether the line s[0..len) is code (a fence, inside one, or indented
 * code), following CommonMark closely enough for what tutorials write. */
static bool code_line(struct rewriter *r, const char *s, size_t len)
{
	if (len > 0 && s[len - 1] == '\n')
		len--;
	size_t skip;
	size_t width = indent_of(s, len, &skip);
	/* A quote's marks may stand before a fence. */
	while (skip < len && s[skip] == '>') {
		skip++;
		size_t more;
		width = indent_of(s + skip, len - skip, &more);
		skip += more;
	}
	const char *rest = s + skip;
	size_t rest_len = len - skip;
	size_t rel = width > r->base_indent ? width - r->base_indent : 0;
	char ch = rest_len > 0 ? rest[0] : '\0';
	size_t run = markdown_fence_length(rest, rest_len);
	if (r->in_fence) {
		if (ch == r->fence_char && run >= r->fence_len) {
			size_t k = run;
			while (k < rest_len && (rest[k] == ' ' || rest[k] == '\t'))
				k++;
			if (k == rest_len)
				r->in_fence = false;
		}
		return true;
	}
	bool blank = rest_len == 0;
	if (run > 0) {
		r->in_fence = true;
		r->fence_char = ch;
		r->fence_len = run;
		r->prev_blank = false;
		return true;
	}
	if (blank) {
		r->prev_blank = true;
		return false;
	}
	bool code = rel >= 4 && (r->prev_blank || r->prev_code) && !r->in_list;
	if (!code && rel < 4 && list_marker(rest, rest_len))
		r->in_list = true;
	else if (!code && rel == 0 && r->prev_blank)
		r->in_list = false;
	r->prev_blank = false;
	r->prev_code = code;
	return code;
}

/* ---- the pass ---- */

static bool tag_start(const char *s, size_t len, size_t i)
{
	return s[i] == '{' && i + 1 < len && (s[i + 1] == '{' || s[i + 1] == '%');
}

/* Hugo's escaped shortcode in text shows as the shortcode it escapes. */
static size_t text_escape_at(const char *s, size_t len, const char **to)
{
	size_t n = code_escape_at(s, len, to);
	return n > 0 && (*to)[0] != '\0' ? n : 0;
}

/* A byte the pass looks at: a tag, a code span, an escape's end, Zola's
 * "@/", a line's end. */
static bool may_start(char ch)
{
	return ch == '{' || ch == '`' || ch == '*' || ch == '@' || ch == '\n';
}

void shortcodes_rewrite(const char *text, size_t len, int first_line, struct buf *out,
                        struct buf *warnings)
{
	struct rewriter r = {.text = text, .len = len, .out = out, .warnings = warnings,
	                     .line = first_line > 0 ? first_line : 1, .prev_blank = true};
	size_t indent = markdown_common_indent(text, len);
	r.base_indent = indent >= 4 ? indent : 0;
	buf_reserve(out, len);
	size_t i = 0, tried_until = 0;
	while (i < len) {
		bool line_start = i == 0 || text[i - 1] == '\n';
		if (line_start && r.mode == MODE_TEXT) {
			const char *nl = memchr(text + i, '\n', len - i);
			size_t end = nl ? (size_t)(nl - text) + 1 : len;
			if (code_line(&r, text + i, end - i)) {
				put_code(&r, i, end);
				i = end;
				continue;
			}
		}
		char ch = text[i];
		const char *rep;
		size_t n;
		if (r.mode != MODE_HIDE && (ch == '{' || ch == '*') &&
		    (n = text_escape_at(text + i, len - i, &rep)) > 0) {
			put(&r, rep, strlen(rep));
			i += n;
		} else if (ch == '@' && r.mode == MODE_TEXT && i + 1 < len && text[i + 1] == '/' &&
		           in_link_target(out) && out->data[out->len - 1] != '/') {
			/* Zola's "@/blog/post.md": a path from the content root. */
			buf_puts(out, "/news");
			i++;
		} else if (ch == '`' && r.mode == MODE_TEXT) {
			size_t run = run_of(text, len, i, '`');
			size_t end = i > 0 && text[i - 1] == '\\' ? 0 : code_span_end(&r, i, run);
			put_code(&r, i, end ? end : i + run);
			i = end ? end : i + run;
		} else if (i >= tried_until && tag_start(text, len, i)) {
			struct tag t;
			size_t looked = 0;
			size_t taglen = shortcodes_read_tag(text + i, len - i, &t, &looked);
			if (taglen == 0) {
				put(&r, text + i, 2);
				tried_until = i + looked;
				i += 2;
				continue;
			}
			apply_tag(&r, &t, i, taglen);
			shortcodes_tag_free(&t);
			i += taglen;
		} else {
			/* Up to the next byte that may start something: most of a
			 * body goes in whole runs. */
			size_t run = i + 1;
			while (text[i] != '\n' && run < len && !may_start(text[run]))
				run++;
			put(&r, text + i, run - i);
			i = run;
		}
	}
	if (r.mode == MODE_HIGHLIGHT)
		end_highlight(&r);
	if (r.mode == MODE_HIDE && warnings != NULL)
		buf_printf(warnings, "%d: comment not closed: hidden to the end\n", r.hide_line);
	if (warnings != NULL && r.n_warnings > MAX_WARNINGS)
		buf_printf(warnings, "%d: %zu more shortcodes or template tags removed\n", r.line,
		           r.n_warnings - MAX_WARNINGS);
	buf_free(&r.code);
	free(r.code_lang);
	free(r.last_run);
}

void shortcodes_markdown_to_blocks(const char *text, size_t len, int first_line, const char *lang,
                                   struct block_list *out, struct buf *warnings)
{
	struct buf md = {0};
	shortcodes_rewrite(text, len, first_line, &md, warnings);
	markdown_to_blocks(md.data ? md.data : "", md.len, lang, out);
	buf_free(&md);
}
