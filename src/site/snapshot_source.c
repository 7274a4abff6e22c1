#include "snapshot_source.h"

#include "alloc.h"
#include "article_pack.h"
#include "buf.h"
#include "log.h"
#include "search.h"
#include "text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- Sources ---- */

void source_drop(struct source *s)
{
	if (s == NULL || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	/* alias_paths is NULL until source_derive: a source read and never
	 * settled (a stopped load) has none yet. */
	if (s->alias_paths != NULL)
		for (size_t i = 0; i < s->article->meta.n_aliases; i++)
			free(s->alias_paths[i]);
	free(s->article); /* packed: one block */
	free(s->key_ids);
	free(s->alias_paths);
	search_terms_free(s->terms);
	free(s->own_url);
	free(s->path);
	free(s);
}

struct source *source_hold(struct source *s)
{
	atomic_fetch_add(&s->refs, 1);
	return s;
}

/* "south sulawesi" -> "South Sulawesi", for a section's display name. */
static char *title_case(const char *s)
{
	char *name = xstrdup(s);
	for (size_t i = 0; name[i]; i++)
		if ((i == 0 || name[i - 1] == ' ') && name[i] >= 'a' && name[i] <= 'z')
			name[i] = (char)(name[i] - 'a' + 'A');
	return name;
}

/* ---- Key tables ---- */

uint32_t key_table_id(struct key_table *t, const char *key)
{
	if ((t->n + 1) * 2 > t->mask + 1) {
		size_t capacity = t->mask ? (t->mask + 1) * 2 : 64;
		free(t->slots);
		t->slots = xcalloc(capacity, sizeof *t->slots);
		t->mask = capacity - 1;
		for (size_t id = 0; id < t->n; id++) {
			size_t i = text_hash(t->keys[id], strlen(t->keys[id])) & t->mask;
			while (t->slots[i] != 0)
				i = (i + 1) & t->mask;
			t->slots[i] = (uint32_t)id + 1;
		}
	}
	size_t i = text_hash(key, strlen(key)) & t->mask;
	for (; t->slots[i] != 0; i = (i + 1) & t->mask)
		if (strcmp(t->keys[t->slots[i] - 1], key) == 0)
			return t->slots[i] - 1;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->keys = xreallocarray(t->keys, t->cap, sizeof *t->keys);
	}
	t->keys[t->n] = xstrdup(key);
	t->slots[i] = (uint32_t)t->n + 1;
	return (uint32_t)t->n++;
}

void key_table_free(struct key_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->keys[i]);
	free(t->keys);
	free(t->slots);
}

/* Appends the id of key (owned by the caller) to the source's keys. */
static void file_under(struct snapshot_builder *b, struct source *s, enum index_kind kind,
                       const char *key, size_t *n)
{
	s->key_ids[(*n)++] = key_table_id(&b->keys[kind], key);
}

/* The month in the article's own zone, as the archive files it. */
static char *month_of(const struct when *date)
{
	if (!date->set)
		return NULL;
	time_t local = date->t + (time_t)date->offset_minutes * 60;
	struct tm tm;
	if (gmtime_r(&local, &tm) == NULL)
		return NULL;
	return xasprintf("%04d/%02d", tm.tm_year + 1900, tm.tm_mon + 1);
}

static void file_under_slugs(struct snapshot_builder *b, struct source *s, enum index_kind kind,
                             char **names, size_t n_names, size_t *n)
{
	for (size_t i = 0; i < n_names; i++) {
		char *slug = text_slug(names[i]);
		file_under(b, s, kind, slug, n);
		free(slug);
	}
}

void source_derive(struct snapshot_builder *b, struct source *s)
{
	const struct article_meta *m = &s->article->meta;
	s->key_ids = xcalloc(2 + m->n_authors + m->n_tags, sizeof *s->key_ids);
	size_t n = 0;
	s->key_start[BY_SECTION] = 0;
	if (m->section != NULL && m->section[0] != '\0') {
		char *key = text_slug(m->section);
		file_under(b, s, BY_SECTION, key, &n);
		free(key);
		char *name = title_case(m->section);
		uint32_t id = key_table_id(&b->section_names, name); /* may move keys */
		s->section_name = b->section_names.keys[id];
		free(name);
	}
	s->key_start[BY_AUTHOR] = (uint32_t)n;
	file_under_slugs(b, s, BY_AUTHOR, m->authors, m->n_authors, &n);
	s->key_start[BY_TAG] = (uint32_t)n;
	file_under_slugs(b, s, BY_TAG, m->tags, m->n_tags, &n);
	s->key_start[BY_MONTH] = (uint32_t)n;
	char *month = month_of(&m->date);
	if (month != NULL)
		file_under(b, s, BY_MONTH, month, &n);
	free(month);
	s->key_start[INDEX_KINDS] = (uint32_t)n;
	s->alias_paths = m->n_aliases ? xcalloc(m->n_aliases, sizeof *s->alias_paths) : NULL;
	for (size_t i = 0; i < m->n_aliases; i++)
		if (snapshot_alias_refusal(b->root_fd, m->aliases[i]) == NULL)
			s->alias_paths[i] = xstrdup(m->aliases[i]);
	s->redirects = !m->draft && m->redirect != NULL;
	s->listed = !m->draft && !s->redirects;
	s->dated = m->date.set;
	s->date = m->date.t;
	s->url = s->article->path;
	if (s->url != NULL)
		s->url_hash = text_hash(s->url, strlen(s->url));
	s->terms = search_terms_of(b->vocab, s->article);
}

struct source *source_new(const char *path, const struct file_id *id)
{
	struct source *s = xcalloc(1, sizeof *s);
	atomic_init(&s->refs, 1);
	s->path = xstrdup(path);
	if (id != NULL)
		s->id = *id;
	return s;
}

/* The line article_parse gave, without its newline. */
static void warn_broken(const char *path, const char *reason, bool keeping)
{
	size_t len = strcspn(reason, "\n");
	log_warn("%s:%.*s", path, (int)len, reason);
	if (keeping)
		log_warn("%s: still serving its previous version", path);
}

struct source *source_read(const struct snapshot_builder *b, const char *path, char **reason)
{
	struct buf data = {0}, error = {0};
	struct file_id id = {0};
	struct article *a = NULL;
	*reason = NULL;
	int err = snapshot_read_file(b->root_fd, path, ARTICLE_MAX_BYTES, &data, &id);
	if (err == ENOENT) {
		buf_free(&data);
		return NULL; /* removed before it could be read: a later event says so */
	}
	struct article_context ctx = b->ctx;
	ctx.file_time = id.mtime.tv_sec;
	if (err == 0)
		a = article_parse(path, data.data ? data.data : "", data.len, &ctx, &error);
	else
		buf_printf(&error, " cannot read: %s", snapshot_read_error(err));
	buf_free(&data);
	struct source *s = source_new(path, &id);
	if (a == NULL) {
		*reason = error.data != NULL ? buf_steal(&error) : xstrdup(" cannot parse");
		return s;
	}
	buf_free(&error);
	s->article = article_pack(a);
	return s;
}

/* The aliases source_derive left out, and why. */
static void warn_aliases(const struct snapshot_builder *b, const struct source *s)
{
	const struct article_meta *m = &s->article->meta;
	for (size_t i = 0; i < m->n_aliases; i++) {
		if (s->alias_paths[i] != NULL)
			continue;
		/* Asked again: a file may have gone since, so there is a default. */
		const char *why = snapshot_alias_refusal(b->root_fd, m->aliases[i]);
		log_warn("%s:%d: alias %s %s; not served", s->path,
		         m->aliases_line > 0 ? m->aliases_line : 1, m->aliases[i],
		         why != NULL ? why : "is refused");
	}
}

struct source *source_settle(struct snapshot_builder *b, struct source *s, char *reason,
                             struct source *prev)
{
	if (s == NULL)
		return NULL;
	if (s->article != NULL) {
		source_derive(b, s);
		warn_aliases(b, s);
		return s;
	}
	bool keeping = prev != NULL && prev->article != NULL;
	warn_broken(s->path, reason, keeping);
	free(reason);
	if (!keeping)
		return s;
	source_drop(s);
	return source_hold(prev);
}

struct source *source_load(struct snapshot_builder *b, const char *path, struct source *prev)
{
	char *reason;
	struct source *s = source_read(b, path, &reason);
	return source_settle(b, s, reason, prev);
}

size_t sources_lower_bound(struct source *const *sources, size_t n, const char *path)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(sources[mid]->path, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct source *sources_find(struct source *const *sources, size_t n, const char *path)
{
	size_t at = sources_lower_bound(sources, n, path);
	return at < n && strcmp(sources[at]->path, path) == 0 ? sources[at] : NULL;
}
