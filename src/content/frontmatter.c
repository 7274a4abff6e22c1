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
#include "pathdate.h"
#include "strset.h"
#include "text.h"
#include "toml.h"

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

/* What the keys of one front matter are applied to, whatever its dialect. */
struct fm_target {
	struct article_meta *meta;
	const struct article_context *ctx;
	struct when path_date; /* from a permalink key, if it held a date */
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

/* The keys a Pelican or MultiMarkdown file may open with: one of them on
 * the first line makes the lines up to the first blank one metadata. */
static const char *const metadata_first_keys[] = {
	"title", "date", "modified", "author", "authors", "category", "tags",
	"slug", "summary", "lang", "status",
};

/* The length of the key of a "Key: value" line at s (or 0): a letter, then
 * letters, digits, '_', '-' or spaces, then ':' and a space or the end. */
static size_t metadata_key_len(const char *s, size_t len)
{
	if (len == 0 || !isalpha((unsigned char)s[0]))
		return 0;
	size_t n = 1;
	while (n < len && (isalnum((unsigned char)s[n]) || s[n] == '_' || s[n] == '-' || s[n] == ' '))
		n++;
	if (n >= len || s[n] != ':' || n > 40)
		return 0;
	if (n + 1 < len && s[n + 1] != ' ' && s[n + 1] != '\t' && s[n + 1] != '\n')
		return 0;
	return n;
}

static bool metadata_first_key(const char *s, size_t len)
{
	size_t n = metadata_key_len(s, len);
	for (size_t i = 0; n > 0 && i < sizeof metadata_first_keys / sizeof *metadata_first_keys; i++)
		if (strlen(metadata_first_keys[i]) == n && strncasecmp(s, metadata_first_keys[i], n) == 0)
			return true;
	return false;
}

static bool is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/* Pelican's "Title: ..." lines: a known key first, then "Key: value" or
 * indented continuation lines up to the first blank line. Any other line
 * in the run means the file is prose that happens to start so. */
static bool split_metadata_lines(const char *text, size_t len, struct frontmatter_split *split)
{
	if (!metadata_first_key(text, len))
		return false;
	size_t pos = 0;
	int line = 1;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *s = text + pos;
		size_t n = end - pos;
		if (is_blank(s, n))
			break;
		if (metadata_key_len(s, n) == 0 && s[0] != ' ' && s[0] != '\t')
			return false;
		pos = nl ? end + 1 : len;
		line++;
	}
	*split = (struct frontmatter_split){.kind = FRONTMATTER_LINES, .yaml_start = 0,
	                                    .yaml_len = pos, .first_line = 1};
	if (pos < len) { /* past the blank line */
		const char *nl = memchr(text + pos, '\n', len - pos);
		pos = nl ? (size_t)(nl - text) + 1 : len;
		line++;
	}
	split->body_start = pos;
	split->body_line = line;
	return true;
}

/* Front matter between fence lines ("---" YAML, "+++" TOML). */
static bool split_fenced(const char *text, size_t len, const char *fence,
                         struct frontmatter_split *split, struct buf *error)
{
	const char *nl = memchr(text, '\n', len);
	size_t pos = nl ? (size_t)(nl - text) + 1 : len;
	int line = 2;
	split->yaml_start = pos;
	split->first_line = 2;
	while (nl != NULL && pos < len) {
		const char *end = memchr(text + pos, '\n', len - pos);
		size_t line_end = end ? (size_t)(end - text) : len;
		if (at_line_start_fence(text + pos, len - pos, fence) ||
		    (fence[0] == '-' && at_line_start_fence(text + pos, len - pos, "..."))) {
			split->yaml_len = pos - split->yaml_start;
			split->body_start = end ? line_end + 1 : len;
			split->body_line = line + 1;
			return true;
		}
		pos = line_end + 1;
		line++;
	}
	buf_printf(error, "1: front matter has no closing \"%s\" line", fence);
	return false;
}

bool frontmatter_split(const char *text, size_t len, struct frontmatter_split *split,
                       bool *found, struct buf *error)
{
	*found = true;
	if (at_line_start_fence(text, len, "---")) {
		split->kind = FRONTMATTER_YAML;
		return split_fenced(text, len, "---", split, error);
	}
	if (at_line_start_fence(text, len, "+++")) {
		split->kind = FRONTMATTER_TOML;
		return split_fenced(text, len, "+++", split, error);
	}
	*found = split_metadata_lines(text, len, split);
	return *found;
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

/* One person as written: "Name", "[Name](URL)" (the name, and the URL as
 * the byline's link when there is none yet) or "Name <mail>" (the name). */
static void add_person(struct article_meta *meta, const char *s, size_t len)
{
	text_trim(&s, &len);
	/* memmem within the person: strstr would measure the rest of a long
	 * line at each name (quadratic, under ASan's checks at least). */
	const char *mid = len > 4 && s[0] == '[' && s[len - 1] == ')' ? memmem(s, len, "](", 2) : NULL;
	if (mid != NULL) {
		size_t url_len = (size_t)(s + len - 1 - (mid + 2));
		/* The link goes on a link line: no space may cut it short. */
		bool one_word = url_len > 0 && memchr(mid + 2, ' ', url_len) == NULL &&
		                memchr(mid + 2, '\t', url_len) == NULL;
		if (meta->author_url == NULL && one_word)
			meta->author_url = xstrndup(mid + 2, url_len);
		list_add(&meta->authors, &meta->n_authors, s + 1, (size_t)(mid - s - 1));
		return;
	}
	const char *mail = len > 2 && s[len - 1] == '>' ? memchr(s, '<', len) : NULL;
	if (mail != NULL && mail > s)
		len = (size_t)(mail - s);
	list_add(&meta->authors, &meta->n_authors, s, len);
}

/* The length of a separator between two names at s, outside brackets:
 * ';' alone when the string has one (so "Last, First; Other, Name" keeps
 * its commas), else ',' and the words "and", "&" and "dan". */
static size_t name_separator(const char *s, bool semicolons)
{
	if (semicolons)
		return *s == ';';
	if (*s == ',')
		return 1;
	static const char *const words[] = {" and ", " & ", " dan "};
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (strncmp(s, words[i], strlen(words[i])) == 0)
			return strlen(words[i]);
	return 0;
}

/* Whether s holds c outside [...] and (...). */
static bool has_outside_brackets(const char *s, char c)
{
	int depth = 0;
	for (; *s; s++) {
		depth += (*s == '[' || *s == '(') - (*s == ']' || *s == ')');
		if (depth <= 0 && *s == c)
			return true;
	}
	return false;
}

/* One string naming one or more people. */
static void add_people(struct article_meta *meta, const char *s)
{
	bool semicolons = has_outside_brackets(s, ';');
	int depth = 0;
	const char *start = s;
	while (*s) {
		depth += (*s == '[' || *s == '(') - (*s == ']' || *s == ')');
		size_t sep = depth <= 0 ? name_separator(s, semicolons) : 0;
		if (sep == 0) {
			s++;
			continue;
		}
		add_person(meta, start, (size_t)(s - start));
		s += sep;
		start = s;
	}
	add_person(meta, start, (size_t)(s - start));
}

/* Names: each item of a list is one person as written; one string may
 * name several (add_people). */
static void add_names(struct article_meta *meta, const struct fm_value *v)
{
	for (size_t i = 0; i < v->scalars.count; i++) {
		const char *s = v->scalars.items[i];
		if (v->is_sequence)
			add_person(meta, s, strlen(s));
		else
			add_people(meta, s);
	}
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
/* Gives the aliases from index from on their leading '/'. */
static void root_aliases(struct article_meta *meta, size_t from, int line)
{
	meta->aliases_line = line;
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

static void add_aliases(struct article_meta *meta, const struct fm_value *v)
{
	size_t from = meta->n_aliases;
	add_words(&meta->aliases, &meta->n_aliases, v);
	root_aliases(meta, from, v->line);
}

/* The old permalink ("path", "url", "permalink") of a site's generator:
 * the article's date when it holds one (used once the whole front matter
 * is read, if no date key gave one), an alias when it is a path among the
 * article addresses (links_alias_refusal), and kept as an extra field
 * either way (a permalink outside /news/ is the site's to resolve). */
static void set_permalink(struct fm_target *target, const char *key, const struct fm_value *v)
{
	add_extra(target->meta, key, v);
	if (v->scalars.count != 1)
		return;
	const char *s = v->scalars.items[0];
	size_t len = strlen(s);
	text_trim(&s, &len);
	if (len == 0 || starts_with_scheme(s) || memchr(s, ' ', len) != NULL || s[0] == '#')
		return;
	pathdate_folders(v->scalars.items[0], target->ctx->utc_offset_minutes, target->ctx->zone,
	                 &target->path_date);
	char *rooted = xasprintf("%s%.*s", s[0] == '/' ? "" : "/", (int)len, s);
	if (links_alias_refusal(rooted) == NULL) {
		size_t from = target->meta->n_aliases;
		list_add(&target->meta->aliases, &target->meta->n_aliases, rooted, strlen(rooted));
		root_aliases(target->meta, from, v->line);
	}
	free(rooted);
}

static bool is_draft_status(const struct fm_value *v)
{
	return v->scalars.count == 1 && strcasecmp(v->scalars.items[0], "draft") == 0;
}

static bool apply_key(struct fm_target *target, const char *key, const struct fm_value *v,
                      struct buf *error)
{
	struct article_meta *meta = target->meta;
	const struct article_context *ctx = target->ctx;
	if (key_is(key, "title", NULL)) {
		set_text(&meta->title, v);
	} else if (key_is(key, "date", NULL)) {
		return set_date(&meta->date, v, "date", ctx, v->line, error);
	} else if (key_is(key, "updated", "lastmod") || key_is(key, "modified", NULL)) {
		return set_date(&meta->updated, v, key, ctx, v->line, error);
	} else if (key_is(key, "author", "by") || key_is(key, "authors", NULL)) {
		add_names(meta, v);
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
	} else if (key_is(key, "status", NULL)) {
		meta->draft = is_draft_status(v);
	} else if (key_is(key, "path", "url") || key_is(key, "permalink", NULL)) {
		set_permalink(target, key, v);
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
static bool read_pair(struct fm_reader *r, yaml_event_t *key_ev, struct fm_target *target)
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
		ok = apply_key(target, key, &v, r->error);
	strlist_free(&v.scalars);
	free(key);
	return ok;
}

static bool read_mapping(struct fm_reader *r, struct fm_target *target)
{
	for (;;) {
		yaml_event_t ev;
		enum next_item got = next_item(r, YAML_MAPPING_END_EVENT, &ev);
		if (got != ITEM_READ)
			return got == ITEM_END;
		if (!read_pair(r, &ev, target))
			return false;
	}
}

/* Once every key is read: repeats dropped, and the permalink's date used
 * when no key gave one. */
static void finish(struct fm_target *target)
{
	struct article_meta *meta = target->meta;
	drop_repeats(meta->tags, &meta->n_tags);
	drop_repeats(meta->authors, &meta->n_authors);
	drop_repeats(meta->aliases, &meta->n_aliases);
	if (!meta->date.set && target->path_date.set)
		meta->date = target->path_date;
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
		struct fm_target target = {.meta = meta, .ctx = ctx};
		ok = read_mapping(&r, &target);
		finish(&target);
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

/* ---- TOML (Hugo, Zola) ---- */

/* Zola's [taxonomies] tags, categories and authors mean what the same
 * keys do at the top; other keys keep their whole dotted name. */
static const char *toml_key_meaning(const char *key)
{
	static const char *const taxonomies[] = {"taxonomies.tags", "taxonomies.categories",
	                                         "taxonomies.authors"};
	for (size_t i = 0; i < sizeof taxonomies / sizeof *taxonomies; i++)
		if (strcasecmp(key, taxonomies[i]) == 0)
			return key + strlen("taxonomies.");
	return key;
}

static bool toml_pair(void *reader, const char *key, const struct toml_value *tv, struct buf *error)
{
	/* The items are borrowed for the call: apply_key copies what it keeps. */
	struct fm_value v = {.scalars = {.items = tv->items, .count = tv->count, .cap = tv->count},
	                     .is_sequence = tv->is_array, .line = tv->line};
	return apply_key(reader, toml_key_meaning(key), &v, error);
}

bool frontmatter_parse_toml(const char *toml, size_t len, int first_line,
                            const struct article_context *ctx, struct article_meta *meta,
                            struct buf *error)
{
	struct fm_target target = {.meta = meta, .ctx = ctx};
	bool ok = toml_read(toml, len, first_line, toml_pair, &target, error);
	finish(&target);
	return ok;
}

/* ---- Pelican and MultiMarkdown "Key: value" lines ---- */

/* One "Key: value" line, with its indented continuation lines. */
static bool metadata_pair(struct fm_target *target, const char *s, size_t n, const char *more,
                          size_t more_len, int line, struct buf *error)
{
	size_t key_len = metadata_key_len(s, n);
	char *key = xstrndup(s, key_len);
	struct buf text = {0};
	buf_append(&text, s + key_len + 1, n - key_len - 1);
	/* Each continuation line joins the value trimmed, after one space. */
	for (size_t pos = 0; pos < more_len;) {
		const char *nl = memchr(more + pos, '\n', more_len - pos);
		size_t end = nl ? (size_t)(nl - more) : more_len;
		const char *part = more + pos;
		size_t part_len = end - pos;
		text_trim(&part, &part_len);
		buf_putc(&text, ' ');
		buf_append(&text, part, part_len);
		pos = end + 1;
	}
	char *value = trimmed(text.data);
	buf_free(&text);
	bool ok = true;
	if (value[0] != '\0') {
		struct fm_value v = {.line = line};
		strlist_push(&v.scalars, value);
		ok = apply_key(target, key, &v, error);
		strlist_free(&v.scalars);
	} else {
		free(value);
	}
	free(key);
	return ok;
}

bool frontmatter_parse_lines(const char *text, size_t len, int first_line,
                             const struct article_context *ctx, struct article_meta *meta,
                             struct buf *error)
{
	struct fm_target target = {.meta = meta, .ctx = ctx};
	bool ok = true;
	int line = first_line;
	for (size_t pos = 0; ok && pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *s = text + pos;
		size_t n = end - pos;
		int key_line = line;
		pos = nl ? end + 1 : len;
		line++;
		if (metadata_key_len(s, n) == 0)
			continue; /* a continuation line, taken with its key's */
		/* The continuation lines that follow, as one run of text. */
		size_t more = pos;
		while (pos < len && (text[pos] == ' ' || text[pos] == '\t')) {
			const char *next = memchr(text + pos, '\n', len - pos);
			pos = next ? (size_t)(next - text) + 1 : len;
			line++;
		}
		ok = metadata_pair(&target, s, n, text + more, pos - more, key_line, error);
	}
	finish(&target);
	return ok;
}

bool frontmatter_read(const char *text, const struct frontmatter_split *split,
                      const struct article_context *ctx, struct article_meta *meta,
                      struct buf *error)
{
	const char *head = text + split->yaml_start;
	if (split->kind == FRONTMATTER_TOML)
		return frontmatter_parse_toml(head, split->yaml_len, split->first_line, ctx, meta, error);
	if (split->kind == FRONTMATTER_LINES)
		return frontmatter_parse_lines(head, split->yaml_len, split->first_line, ctx, meta, error);
	return frontmatter_parse(head, split->yaml_len, split->first_line, ctx, meta, error);
}
