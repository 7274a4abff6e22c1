#include "frontmatter.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "alloc.h"
#include "corrections.h"
#include "date.h"
#include "links.h"
#include "strset.h"
#include "text.h"

/* The scalars of one front matter value, in order. */
struct strlist {
	char **items;
	size_t count;
	size_t cap;
};

static void strlist_push(struct strlist *l, char *s)
{
	if (l->count == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4;
		l->items = xreallocarray(l->items, l->cap, sizeof *l->items);
	}
	l->items[l->count++] = s;
}

static void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i]);
	free(l->items);
	memset(l, 0, sizeof *l);
}

/* One value as read: a scalar (count 1, no sequence) or the scalars inside
 * a sequence or mapping, flattened. */
struct fm_value {
	struct strlist scalars;
	bool is_sequence;
	bool is_null;
	int line;
};

static bool at_line_start_fence(const char *s, size_t len, const char *fence)
{
	size_t n = strlen(fence);
	if (len < n || memcmp(s, fence, n) != 0)
		return false;
	size_t i = n;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i == len || s[i] == '\n';
}

bool frontmatter_split(const char *text, size_t len, struct frontmatter_split *split,
                       bool *found, struct buf *error)
{
	*found = at_line_start_fence(text, len, "---");
	if (!*found)
		return false;
	const char *nl = memchr(text, '\n', len);
	if (nl == NULL) {
		buf_puts(error, "1: front matter has no closing \"---\" line");
		return false;
	}
	size_t pos = (size_t)(nl - text) + 1;
	int line = 2;
	split->yaml_start = pos;
	while (pos < len) {
		const char *end = memchr(text + pos, '\n', len - pos);
		size_t line_end = end ? (size_t)(end - text) : len;
		if (at_line_start_fence(text + pos, len - pos, "---") ||
		    at_line_start_fence(text + pos, len - pos, "...")) {
			split->yaml_len = pos - split->yaml_start;
			split->body_start = end ? line_end + 1 : len;
			split->body_line = line + 1;
			return true;
		}
		pos = line_end + 1;
		line++;
	}
	buf_puts(error, "1: front matter has no closing \"---\" line");
	return false;
}

/* Reading YAML events with the limits that keep hostile input cheap. */
struct fm_reader {
	yaml_parser_t parser;
	int first_line;
	struct buf *error;
};

static void report(struct fm_reader *r, size_t line0, const char *reason)
{
	buf_printf(r->error, "%d: front matter: %s", r->first_line + (int)line0, reason);
}

static bool next_event(struct fm_reader *r, yaml_event_t *ev)
{
	if (yaml_parser_parse(&r->parser, ev))
		return true;
	const char *problem = r->parser.problem ? r->parser.problem : "unreadable YAML";
	/* An unclosed quote is found at the closing "---": the line to fix is
	 * where it opened, which libyaml gives as the context. */
	if (r->parser.error == YAML_SCANNER_ERROR && r->parser.context != NULL) {
		buf_printf(r->error, "%d: front matter: %s: %s (at line %d)",
		           r->first_line + (int)r->parser.context_mark.line, r->parser.context, problem,
		           r->first_line + (int)r->parser.problem_mark.line);
		return false;
	}
	report(r, r->parser.problem_mark.line, problem);
	return false;
}

/* Checks an event against the limits; frees it and reports if it breaks one. */
static bool event_allowed(struct fm_reader *r, yaml_event_t *ev, int depth)
{
	const char *reason = NULL;
	if (ev->type == YAML_ALIAS_EVENT)
		reason = "aliases (*name) are not allowed";
	else if (ev->type == YAML_SCALAR_EVENT && ev->data.scalar.length > FRONTMATTER_MAX_SCALAR)
		reason = "a value is longer than 64 KiB";
	else if (depth > FRONTMATTER_MAX_DEPTH)
		reason = "nested too deeply";
	if (reason == NULL)
		return true;
	report(r, ev->start_mark.line, reason);
	yaml_event_delete(ev);
	return false;
}

static bool scalar_is_null(const yaml_event_t *ev)
{
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *v = (const char *)ev->data.scalar.value;
	return v[0] == '\0' || strcmp(v, "~") == 0 || strcasecmp(v, "null") == 0;
}

/* The next item of a sequence or mapping: its first event in *ev, or the
 * collection's end (its event deleted), or a broken document. */
enum next_item { ITEM_READ, ITEM_END, ITEM_BROKEN };

static enum next_item next_item(struct fm_reader *r, yaml_event_type_t end_type, yaml_event_t *ev)
{
	if (!next_event(r, ev))
		return ITEM_BROKEN;
	if (ev->type != end_type)
		return ITEM_READ;
	yaml_event_delete(ev);
	return ITEM_END;
}

static bool collect_value(struct fm_reader *r, yaml_event_t *ev, struct fm_value *out, int depth);

/* The items of a sequence or mapping whose start event was just read. */
static bool collect_children(struct fm_reader *r, yaml_event_type_t end_type,
                             struct fm_value *out, int depth)
{
	for (;;) {
		yaml_event_t ev;
		enum next_item got = next_item(r, end_type, &ev);
		if (got != ITEM_READ)
			return got == ITEM_END;
		if (out->scalars.count >= FRONTMATTER_MAX_ITEMS) {
			report(r, ev.start_mark.line, "too many items in one value");
			yaml_event_delete(&ev);
			return false;
		}
		if (!collect_value(r, &ev, out, depth + 1))
			return false;
	}
}

/* Takes ownership of ev (the value's first event). */
static bool collect_value(struct fm_reader *r, yaml_event_t *ev, struct fm_value *out, int depth)
{
	if (!event_allowed(r, ev, depth))
		return false;
	yaml_event_type_t type = ev->type;
	if (type == YAML_SCALAR_EVENT) {
		if (depth == 0)
			out->is_null = scalar_is_null(ev);
		if (!scalar_is_null(ev) || depth > 0)
			strlist_push(&out->scalars, xstrndup((const char *)ev->data.scalar.value,
			                                     ev->data.scalar.length));
		yaml_event_delete(ev);
		return true;
	}
	yaml_event_delete(ev);
	if (type == YAML_SEQUENCE_START_EVENT) {
		out->is_sequence = out->is_sequence || depth == 0;
		return collect_children(r, YAML_SEQUENCE_END_EVENT, out, depth);
	}
	if (type == YAML_MAPPING_START_EVENT)
		return collect_children(r, YAML_MAPPING_END_EVENT, out, depth);
	buf_printf(r->error, "%d: front matter: unexpected YAML", r->first_line);
	return false;
}

static char *joined(const struct strlist *l, const char *sep)
{
	struct buf out = {0};
	for (size_t i = 0; i < l->count; i++) {
		if (i > 0)
			buf_puts(&out, sep);
		buf_puts(&out, l->items[i]);
	}
	return buf_steal(&out);
}

static char *trimmed(const char *s)
{
	size_t n = strlen(s);
	text_trim(&s, &n);
	return xstrndup(s, n);
}

static void set_text(char **field, const struct fm_value *v)
{
	free(*field);
	char *all = joined(&v->scalars, ", ");
	*field = trimmed(all);
	free(all);
	if ((*field)[0] == '\0') {
		free(*field);
		*field = NULL;
	}
}

/* Repeats are dropped once the whole front matter is read (drop_repeats). */
static void list_add(char ***items, size_t *n, const char *s, size_t len)
{
	char *copy = xstrndup(s, len);
	char *item = trimmed(copy);
	free(copy);
	if (item[0] == '\0') {
		free(item);
		return;
	}
	*items = xgrowarray(*items, *n, sizeof **items);
	(*items)[(*n)++] = item;
}

/* Keeps the first of each item, in order, in time linear in n. */
static void drop_repeats(char **items, size_t *n)
{
	struct strset seen = {0};
	size_t kept = 0;
	for (size_t i = 0; i < *n; i++) {
		bool added;
		strset_add(&seen, items[i], &added);
		if (added)
			items[kept++] = items[i];
		else
			free(items[i]);
	}
	*n = kept;
	strset_free(&seen);
}

/* A list of words: a YAML sequence, or one string split at commas (when it
 * has any) or else at spaces. */
static void add_words(char ***items, size_t *n, const struct fm_value *v)
{
	for (size_t i = 0; i < v->scalars.count; i++) {
		const char *s = v->scalars.items[i];
		if (v->is_sequence) {
			list_add(items, n, s, strlen(s));
			continue;
		}
		const char *seps = strchr(s, ',') ? "," : " \t";
		while (*s) {
			size_t len = strcspn(s, seps);
			list_add(items, n, s, len);
			s += len;
			s += strspn(s, seps);
		}
	}
}

/* Names: each item of a sequence, or one scalar as one name. */
static void add_names(char ***items, size_t *n, const struct fm_value *v)
{
	for (size_t i = 0; i < v->scalars.count; i++)
		list_add(items, n, v->scalars.items[i], strlen(v->scalars.items[i]));
}

static bool truthy(const struct fm_value *v)
{
	if (v->scalars.count != 1)
		return false;
	const char *s = v->scalars.items[0];
	return strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0 ||
	       strcasecmp(s, "on") == 0 || strcmp(s, "1") == 0;
}

static bool set_date(struct when *field, const struct fm_value *v, const char *key,
                     const struct article_context *ctx, int line, struct buf *error)
{
	if (v->scalars.count == 0)
		return true;
	const char *s = v->scalars.items[0];
	if (v->scalars.count == 1 && date_parse_in(s, strlen(s), ctx->utc_offset_minutes, ctx->zone, field))
		return true;
	buf_printf(error, "%d: %s is not a date: \"%.80s\"", line, key, s);
	return false;
}

static void add_extra(struct article_meta *meta, const char *key, const struct fm_value *v)
{
	meta->extra = xgrowarray(meta->extra, meta->n_extra, sizeof *meta->extra);
	struct extra_field *e = &meta->extra[meta->n_extra++];
	e->key = xstrdup(key);
	e->value = joined(&v->scalars, ", ");
}

static bool key_is(const char *key, const char *a, const char *b)
{
	return strcasecmp(key, a) == 0 || (b && strcasecmp(key, b) == 0);
}

static void lower_ascii(char *s)
{
	for (; s && *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* A URL scheme followed by ':' ("gemini:", "https:") at the start of s. */
static bool starts_with_scheme(const char *s)
{
	if (!isalpha((unsigned char)s[0]))
		return false;
	size_t n = 1;
	while (isalnum((unsigned char)s[n]) || s[n] == '+' || s[n] == '-' || s[n] == '.')
		n++;
	return s[n] == ':';
}

/*
 * A redirect target goes into a Gemini response header and a Gopher page:
 * one scalar, an absolute path or a URL of a scheme links may have
 * (links_scheme_allowed: no javascript:), no longer than a Gemini header's
 * meta, with no space, control, line break or bidi control anywhere (so
 * no CR LF can end the header early). NULL, or why not.
 */
static const char *redirect_refusal(const struct fm_value *v)
{
	static const char *const not_url = "redirect is not a URL (scheme:...) or an absolute path "
	                                   "(/...) of printable characters without spaces";
	if (v->scalars.count != 1)
		return not_url;
	const char *s = v->scalars.items[0];
	size_t len = strlen(s);
	text_trim(&s, &len);
	if (len > LINKS_URL_MAX)
		return "redirect is longer than a Gemini header allows (1024 bytes)";
	if (len == 0 || !text_is_clean(s, len) || memchr(s, ' ', len) != NULL)
		return not_url;
	if (s[0] == '/' && (len == 1 || s[1] != '/'))
		return NULL;
	if (!starts_with_scheme(s))
		return not_url;
	return links_scheme_allowed(s) ? NULL : "redirect's scheme is not one a link may have";
}

/* The aliases, each with its leading '/' ("news/x" is "/news/x"), and the
 * line they are on. Which may be served is the site's to say
 * (links_alias_refusal, and the addresses other articles hold): one bad
 * alias costs only itself, never its article. */
static void add_aliases(struct article_meta *meta, const struct fm_value *v)
{
	size_t from = meta->n_aliases;
	add_words(&meta->aliases, &meta->n_aliases, v);
	meta->aliases_line = v->line;
	for (size_t i = from; i < meta->n_aliases; i++) {
		if (meta->aliases[i][0] == '/')
			continue;
		char *rooted = xasprintf("/%s", meta->aliases[i]);
		free(meta->aliases[i]);
		meta->aliases[i] = rooted;
	}
}

/* A series part: a whole number from 1 to 9999. */
static bool set_part(struct article_meta *meta, const struct fm_value *v, struct buf *error)
{
	const char *s = v->scalars.count == 1 ? v->scalars.items[0] : "";
	size_t len = strlen(s);
	if (len == 0 || len > 4 || s[0] == '0' || strspn(s, "0123456789") != len) {
		buf_printf(error, "%d: part is not a number from 1 to 9999: \"%.80s\"", v->line, s);
		return false;
	}
	meta->part = atoi(s);
	return true;
}

static bool apply_key(struct article_meta *meta, const char *key, const struct fm_value *v,
                      const struct article_context *ctx, struct buf *error)
{
	if (key_is(key, "title", NULL)) {
		set_text(&meta->title, v);
	} else if (key_is(key, "date", NULL)) {
		return set_date(&meta->date, v, "date", ctx, v->line, error);
	} else if (key_is(key, "updated", "lastmod")) {
		return set_date(&meta->updated, v, key, ctx, v->line, error);
	} else if (key_is(key, "author", "by") || key_is(key, "authors", NULL)) {
		add_names(&meta->authors, &meta->n_authors, v);
	} else if (key_is(key, "section", NULL)) {
		set_text(&meta->section, v);
		lower_ascii(meta->section);
	} else if (key_is(key, "tags", "categories") || key_is(key, "tag", "category")) {
		add_words(&meta->tags, &meta->n_tags, v);
	} else if (key_is(key, "summary", "description")) {
		set_text(&meta->summary, v);
	} else if (key_is(key, "lang", "language")) {
		set_text(&meta->lang, v);
	} else if (key_is(key, "draft", NULL)) {
		meta->draft = truthy(v);
	} else if (key_is(key, "image", NULL)) {
		set_text(&meta->image, v);
	} else if (key_is(key, "caption", NULL)) {
		set_text(&meta->caption, v);
	} else if (key_is(key, "slug", NULL)) {
		set_text(&meta->slug, v);
		meta->slug_line = v->line;
	} else if (key_is(key, "redirect", NULL)) {
		const char *why = redirect_refusal(v);
		if (why != NULL) {
			buf_printf(error, "%d: %s", v->line, why);
			return false;
		}
		set_text(&meta->redirect, v);
	} else if (key_is(key, "aliases", NULL)) {
		add_aliases(meta, v);
	} else if (key_is(key, "corrections", NULL)) {
		return corrections_read(meta, v->scalars.items, v->scalars.count, v->is_sequence,
		                        v->line, ctx, error);
	} else if (key_is(key, "series", NULL)) {
		set_text(&meta->series, v);
	} else if (key_is(key, "part", NULL)) {
		return set_part(meta, v, error);
	} else {
		add_extra(meta, key, v);
	}
	return true;
}

/* One "key: value" pair of the top mapping; the key's event is in key_ev. */
static bool read_pair(struct fm_reader *r, yaml_event_t *key_ev, const struct article_context *ctx,
                      struct article_meta *meta)
{
	if (key_ev->type != YAML_SCALAR_EVENT) {
		bool alias = key_ev->type == YAML_ALIAS_EVENT;
		report(r, key_ev->start_mark.line, alias ? "aliases (*name) are not allowed"
		                                         : "a key must be plain text");
		yaml_event_delete(key_ev);
		return false;
	}
	char *key = xstrdup((const char *)key_ev->data.scalar.value);
	yaml_event_delete(key_ev);
	struct fm_value v = {0};
	yaml_event_t ev;
	bool ok = next_event(r, &ev);
	if (ok) {
		v.line = r->first_line + (int)ev.start_mark.line;
		ok = collect_value(r, &ev, &v, 0);
	}
	if (ok && !v.is_null)
		ok = apply_key(meta, key, &v, ctx, r->error);
	strlist_free(&v.scalars);
	free(key);
	return ok;
}

static bool read_mapping(struct fm_reader *r, const struct article_context *ctx,
                         struct article_meta *meta)
{
	for (;;) {
		yaml_event_t ev;
		enum next_item got = next_item(r, YAML_MAPPING_END_EVENT, &ev);
		if (got != ITEM_READ)
			return got == ITEM_END;
		if (!read_pair(r, &ev, ctx, meta))
			return false;
	}
}

/* Reads events up to the document's content: true with *ev holding it, or
 * true with ev->type YAML_STREAM_END_EVENT for an empty front matter. */
static bool read_document_start(struct fm_reader *r, yaml_event_t *ev)
{
	for (;;) {
		if (!next_event(r, ev))
			return false;
		if (ev->type != YAML_STREAM_START_EVENT && ev->type != YAML_DOCUMENT_START_EVENT)
			return true;
		yaml_event_delete(ev);
	}
}

bool frontmatter_parse(const char *yaml, size_t len, int first_line,
                       const struct article_context *ctx, struct article_meta *meta,
                       struct buf *error)
{
	struct fm_reader r = {.first_line = first_line, .error = error};
	/* It fails only when it cannot allocate its buffers. */
	if (!yaml_parser_initialize(&r.parser)) {
		report(&r, 0, "out of memory");
		return false;
	}
	yaml_parser_set_input_string(&r.parser, (const unsigned char *)yaml, len);
	yaml_event_t ev;
	bool ok = read_document_start(&r, &ev);
	if (ok && ev.type == YAML_MAPPING_START_EVENT) {
		yaml_event_delete(&ev);
		ok = read_mapping(&r, ctx, meta);
		drop_repeats(meta->tags, &meta->n_tags);
		drop_repeats(meta->authors, &meta->n_authors);
		drop_repeats(meta->aliases, &meta->n_aliases);
	} else if (ok) {
		bool empty = ev.type == YAML_STREAM_END_EVENT ||
		             (ev.type == YAML_SCALAR_EVENT && scalar_is_null(&ev));
		if (!empty)
			report(&r, ev.start_mark.line, "expected \"key: value\" lines");
		yaml_event_delete(&ev);
		ok = empty;
	}
	yaml_parser_delete(&r.parser);
	return ok;
}
