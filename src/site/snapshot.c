#include "snapshot.h"

#include "alloc.h"
#include "article_pack.h"
#include "buf.h"
#include "capsule.h"
#include "links.h"
#include "log.h"
#include "pagecache.h"
#include "search.h"
#include "site.h"
#include "text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MAX_INTRO_BYTES = 1 << 20 };

/* What tells a file changed without reading it. */
struct file_id {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

/*
 * One article file as parsed once, with the keys it is filed under, shared
 * by every snapshot that holds it (refs). article NULL: the file never
 * parsed; its path is still hidden from raw serving.
 */
enum index_kind { BY_SECTION, BY_AUTHOR, BY_TAG, BY_MONTH, INDEX_KINDS };

struct source {
	atomic_size_t refs;
	char *path;
	struct file_id id;
	struct article *article;
	const char *section_name; /* in the builder's table of section names */
	/* The keys the article is filed under, as ids in the builder's key
	 * tables: kind k's are key_ids[key_start[k]] up to key_start[k + 1],
	 * in the order of the names they come from (authors, tags). */
	uint32_t *key_ids;
	uint32_t key_start[INDEX_KINDS + 1];
	char **alias_paths;  /* one per meta.aliases, with a leading '/' */
	/* article->path (NULL for none) and its hash, kept here so that
	 * building a snapshot's path table does not visit every article. */
	const char *url;
	uint64_t url_hash;
	/* Likewise for listing and sorting: parsed and not a draft, and the
	 * date (when dated). A redirect is never listed: it only answers its
	 * own address (and aliases) by sending the reader on. */
	bool listed;
	bool redirects;
	bool dated;
	time_t date;
	struct search_terms *terms;
};

/* Every key ever filed under in one kind of index, each with an id, so that
 * a snapshot's indexes are counted by id instead of hashed by string on
 * every rebuild. Keys are never removed; strings never move (index entries
 * point at them). Loader thread only. */
struct key_table {
	char **keys;
	size_t n, cap;
	uint32_t *slots; /* id + 1, 0 empty; open addressing */
	size_t mask;
};

/* A file's identity, whatever name or link it is reached by. */
struct identity {
	dev_t dev;
	ino_t ino;
};

struct path_slot {
	const char *key;
	const struct article *article;
	uint64_t hash; /* of key: most probes end without touching the string */
};

struct snapshot_full {
	struct snapshot pub;
	atomic_size_t refs;
	struct source **sources; /* every article file, sorted by path */
	size_t n_sources;
	struct source **listed;  /* parallel to pub.articles */
	struct source **redirects; /* found by path only, never listed */
	size_t n_redirects;
	size_t *pools[4];        /* the items of the four indexes */
	struct path_slot *paths; /* URL path and aliases -> article */
	size_t paths_mask;
	/* Of every article source (drafts, scheduled, broken ones too), sorted:
	 * never served raw, by any name. */
	struct identity *sources_ids;
	size_t n_sources_ids;
};

struct snapshot_builder {
	const struct vhost *vhost;
	int root_fd;
	struct article_context ctx;
	struct search_vocab *vocab;
	struct key_table keys[INDEX_KINDS];
	struct key_table section_names; /* display forms, shared by sources */
};

static struct snapshot_full *full(const struct snapshot *snap)
{
	return (struct snapshot_full *)snap;
}

/* ---- Reading files beneath the capsule ---- */

/* Articles are read where they really are: the scanner follows no link
 * (a link to a folder would file its articles twice), and what a link
 * reaches is hidden by its identity instead (snapshot_hides_entry). */
static bool opened_in_place(const struct capsule_entry *entry, const char *relpath)
{
	return strcmp(entry->path, relpath) == 0;
}

static void file_id_of(const struct stat *st, struct file_id *id)
{
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->size = st->st_size;
	id->mtime = st->st_mtim;
}

static bool file_id_equal(const struct file_id *a, const struct file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* Reads the regular file at relpath whole (capsule_read_file), noting its
 * identity whenever it could be opened. Returns 0 or an errno value. */
static int read_file(int root_fd, const char *relpath, size_t limit, struct buf *out,
                     struct file_id *id)
{
	char *path = xasprintf("/%s", relpath);
	struct capsule_entry entry;
	int err = capsule_read_file(root_fd, path, limit, out, &entry);
	free(path);
	if (entry.kind == CAPSULE_FILE) {
		id->dev = entry.dev;
		id->ino = entry.ino;
		id->size = entry.size;
		id->mtime = (struct timespec){entry.mtime, entry.mtime_nsec};
	}
	return err;
}

static const char *read_error(int err)
{
	switch (err) {
	case EFBIG: return "too large";
	case EISDIR: return "not a regular file";
	case EACCES: return "not readable here (a link leading out, or a special file)";
	default: return strerror(err);
	}
}

/* ---- Which files are articles ---- */

static bool path_has_ignored_part(const char *path)
{
	char *copy = xstrdup(path);
	bool ignored = false;
	for (char *save = NULL, *part = strtok_r(copy, "/", &save); part && !ignored;
	     part = strtok_r(NULL, "/", &save))
		ignored = capsule_name_hidden(part);
	free(copy);
	return ignored;
}

static bool is_article_path(const char *path)
{
	if (strncmp(path, "news/", 5) != 0)
		return false;
	if (!article_source_name(path))
		return false;
	/* Hugo's "_index.md" introduces a folder; it is not an article. */
	if (strncmp(text_base_name(path), "_index.", 7) == 0)
		return false;
	return !path_has_ignored_part(path);
}

bool snapshot_path_matters(const char *relpath, bool is_dir)
{
	if (is_dir)
		return (strcmp(relpath, "news") == 0 || strncmp(relpath, "news/", 5) == 0) &&
		       !path_has_ignored_part(relpath);
	return strcmp(relpath, "index.gmi") == 0 || is_article_path(relpath);
}

/* ---- Sources ---- */

static void source_drop(struct source *s)
{
	if (s == NULL || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	if (s->article != NULL) {
		for (size_t i = 0; i < s->article->meta.n_aliases; i++)
			free(s->alias_paths[i]);
		free(s->article); /* packed: one block */
	}
	free(s->key_ids);
	free(s->alias_paths);
	search_terms_free(s->terms);
	free(s->path);
	free(s);
}

static struct source *source_hold(struct source *s)
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

static uint32_t key_id(struct key_table *t, const char *key)
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

static void key_table_free(struct key_table *t)
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
	s->key_ids[(*n)++] = key_id(&b->keys[kind], key);
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

/* Everything the snapshot files the article under, computed once. */
static void source_derive(struct snapshot_builder *b, struct source *s)
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
		uint32_t id = key_id(&b->section_names, name); /* may move keys */
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
		s->alias_paths[i] = m->aliases[i][0] == '/' ? xstrdup(m->aliases[i])
		                                            : xasprintf("/%s", m->aliases[i]);
	s->redirects = !m->draft && m->redirect != NULL;
	s->listed = !m->draft && !s->redirects;
	s->dated = m->date.set;
	s->date = m->date.t;
	s->url = s->article->path;
	if (s->url != NULL)
		s->url_hash = text_hash(s->url, strlen(s->url));
	s->terms = search_terms_of(b->vocab, s->article);
}

static struct source *source_new(const char *path, const struct file_id *id)
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

/*
 * Reads and parses one article file. When it cannot be read or parsed and
 * prev (the same path in the previous snapshot) parsed, prev stays served.
 */
static struct source *source_load(struct snapshot_builder *b, const char *path, struct source *prev)
{
	struct buf data = {0}, error = {0};
	struct file_id id = {0};
	struct article *a = NULL;
	int err = read_file(b->root_fd, path, ARTICLE_MAX_BYTES, &data, &id);
	if (err == ENOENT) {
		buf_free(&data);
		return NULL; /* removed before it could be read: a later event says so */
	}
	struct article_context ctx = b->ctx;
	ctx.file_time = id.mtime.tv_sec;
	if (err == 0)
		a = article_parse(path, data.data ? data.data : "", data.len, &ctx, &error);
	else
		buf_printf(&error, " cannot read: %s", read_error(err));
	buf_free(&data);
	bool keeping = prev != NULL && prev->article != NULL;
	if (a == NULL) {
		warn_broken(path, error.data ? error.data : " cannot parse", keeping);
		buf_free(&error);
		return keeping ? source_hold(prev) : source_new(path, &id);
	}
	buf_free(&error);
	struct source *s = source_new(path, &id);
	s->article = article_pack(a);
	source_derive(b, s);
	return s;
}

/* ---- Walking ---- */

struct found {
	char *path;
	struct file_id id;
};

struct found_list {
	struct found *items;
	size_t n;
};

static void found_add(struct found_list *list, char *path, const struct stat *st)
{
	list->items = xgrowarray(list->items, list->n, sizeof *list->items);
	list->items[list->n].path = path;
	file_id_of(st, &list->items[list->n].id);
	list->n++;
}

static void found_free(struct found_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->items[i].path);
	free(list->items);
}

/* Collects the article files beneath dir (an open directory named rel,
 * depth folders beneath the capsule); takes ownership of dirfd. Symbolic
 * links are not followed. */
static void walk(int dirfd, const char *rel, int depth, struct found_list *out)
{
	DIR *dir = fdopendir(dirfd);
	if (dir == NULL) {
		close(dirfd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		if (capsule_name_hidden(e->d_name))
			continue; /* also "." and ".." */
		struct stat st;
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		char *child = xasprintf("%s/%s", rel, e->d_name);
		if (S_ISDIR(st.st_mode) && depth >= CAPSULE_MAX_DEPTH) {
			/* Served by no road either (capsule_open): said once a scan. */
			log_warn("%s: deeper than %d folders: not read", child, CAPSULE_MAX_DEPTH);
			free(child);
		} else if (S_ISDIR(st.st_mode)) {
			int fd = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0)
				walk(fd, child, depth + 1, out);
			free(child);
		} else if (S_ISREG(st.st_mode) && is_article_path(child)) {
			found_add(out, child, &st);
		} else {
			free(child);
		}
	}
	closedir(dir);
}

static int folders_in(const char *relpath)
{
	int n = 1;
	for (const char *p = relpath; *p != '\0'; p++)
		n += *p == '/';
	return n;
}

/* Opens relpath where it really is (no link on the way), or gives -1. */
static int open_in_place(int root_fd, const char *relpath, struct capsule_entry *entry)
{
	char *path = xasprintf("/%s", relpath);
	capsule_open(root_fd, path, entry);
	free(path);
	if (entry->fd >= 0 && !opened_in_place(entry, relpath)) {
		close(entry->fd);
		entry->fd = -1;
	}
	return entry->fd;
}

static void walk_path(int root_fd, const char *rel, struct found_list *out)
{
	struct capsule_entry entry;
	if (open_in_place(root_fd, rel, &entry) < 0)
		return; /* gone, or a link: capsule_open said why when it matters */
	if (entry.kind != CAPSULE_DIR) {
		close(entry.fd);
		return;
	}
	walk(entry.fd, rel, folders_in(rel), out);
}

static int by_found_path(const void *a, const void *b)
{
	return strcmp(((const struct found *)a)->path, ((const struct found *)b)->path);
}

static void found_sort(struct found_list *list)
{
	if (list->n > 0)
		qsort(list->items, list->n, sizeof *list->items, by_found_path);
}

static struct source *prev_source(const struct snapshot *prev, const char *path)
{
	if (prev == NULL)
		return NULL;
	const struct snapshot_full *f = full(prev);
	size_t lo = 0, hi = f->n_sources;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(f->sources[mid]->path, path);
		if (c == 0)
			return f->sources[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Sources for found files (sorted): unchanged ones shared from prev. */
static void sources_for(struct snapshot_builder *b, const struct snapshot *prev,
                        struct found_list *found, struct source ***out, size_t *n_out)
{
	found_sort(found);
	*out = xcalloc(found->n ? found->n : 1, sizeof **out);
	*n_out = 0;
	for (size_t i = 0; i < found->n; i++) {
		struct source *old = prev_source(prev, found->items[i].path);
		struct source *s;
		if (old != NULL && file_id_equal(&old->id, &found->items[i].id))
			s = source_hold(old);
		else
			s = source_load(b, found->items[i].path, old);
		if (s != NULL)
			(*out)[(*n_out)++] = s;
	}
}

static char *read_intro(struct snapshot_builder *b)
{
	struct buf data = {0};
	struct file_id id;
	int err = read_file(b->root_fd, "index.gmi", MAX_INTRO_BYTES, &data, &id);
	if (err != 0) {
		if (err != ENOENT)
			log_warn("index.gmi: cannot read: %s", read_error(err));
		buf_free(&data);
		return NULL;
	}
	if (!text_valid_utf8(data.data ? data.data : "", data.len)) {
		log_warn("index.gmi: not valid UTF-8");
		buf_free(&data);
		return NULL;
	}
	return buf_steal(&data);
}

/* ---- Assembling a snapshot ---- */

/* What articles are ordered by, copied out of them so that sorting reads
 * one array instead of following pointers per comparison. Ties go by path:
 * the listing starts in path order, so a path's rank there stands for it. */
struct sort_key {
	time_t t;
	bool dated;
	size_t path_rank;
	struct source *source;
};

static int newest_first(const void *a, const void *b)
{
	const struct sort_key *x = a, *y = b;
	if (x->dated != y->dated)
		return x->dated ? -1 : 1; /* undated ones last */
	if (x->dated && x->t != y->t)
		return x->t > y->t ? -1 : 1;
	return (x->path_rank > y->path_rank) - (x->path_rank < y->path_rank);
}

static void sort_newest_first(struct source **listed, size_t n)
{
	struct sort_key *keys = xmalloc((n ? n : 1) * sizeof *keys);
	for (size_t i = 0; i < n; i++) {
		const struct source *s = listed[i];
		keys[i] = (struct sort_key){s->dated ? s->date : 0, s->dated, i, listed[i]};
	}
	qsort(keys, n, sizeof *keys, newest_first);
	for (size_t i = 0; i < n; i++)
		listed[i] = keys[i].source;
	free(keys);
}

/* The display name of a source's k-th key of a kind (a month's name is
 * its key). */
static char *key_name(const struct source *s, const struct key_table *keys, enum index_kind kind,
                      size_t k)
{
	switch (kind) {
	case BY_SECTION: return (char *)s->section_name;
	case BY_AUTHOR: return s->article->meta.authors[k];
	case BY_TAG: return s->article->meta.tags[k];
	case BY_MONTH: return keys->keys[s->key_ids[s->key_start[kind] + k]];
	case INDEX_KINDS: break;
	}
	return NULL;
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct index_entry *)a)->key, ((const struct index_entry *)b)->key);
}

static size_t table_capacity(size_t n)
{
	size_t capacity = 16;
	while (capacity < n * 2)
		capacity *= 2;
	return capacity;
}

/* One index while it is built: per key id, how many articles, the last
 * article counted (+ 1), where the next item goes, and the entry's name. */
struct index_work {
	const struct key_table *keys;
	size_t *count, *last, *next;
	char **name;
	size_t total, n_entries;
	/* The (key id, position) pairs the count found, in order, so that
	 * placing them reads this array instead of every source again. */
	uint32_t *pair_id, *pair_pos;
	size_t pair_cap;
};

static void work_init(struct index_work *w, const struct key_table *keys)
{
	size_t n_ids = keys->n ? keys->n : 1;
	w->keys = keys;
	w->count = xcalloc(n_ids, sizeof *w->count);
	w->last = xcalloc(n_ids, sizeof *w->last);
	w->next = xcalloc(n_ids, sizeof *w->next);
	w->name = xcalloc(n_ids, sizeof *w->name);
	w->total = w->n_entries = 0;
	w->pair_id = w->pair_pos = NULL;
	w->pair_cap = 0;
}

static void work_free(struct index_work *w)
{
	free(w->count);
	free(w->last);
	free(w->next);
	free(w->name);
	free(w->pair_id);
	free(w->pair_pos);
}

/* Counts article i under its keys of one kind; the first (newest) article
 * of a key gives the entry its name. */
static void work_count(struct index_work *w, const struct source *s, size_t i, enum index_kind kind)
{
	for (uint32_t k = s->key_start[kind]; k < s->key_start[kind + 1]; k++) {
		uint32_t id = s->key_ids[k];
		if (w->last[id] == i + 1)
			continue; /* two tags of one article with the same key */
		if (w->count[id]++ == 0) {
			w->name[id] = key_name(s, w->keys, kind, k - s->key_start[kind]);
			w->n_entries++;
		}
		w->last[id] = i + 1;
		if (w->total == w->pair_cap) {
			w->pair_cap = w->pair_cap ? w->pair_cap * 2 : 1024;
			w->pair_id = xreallocarray(w->pair_id, w->pair_cap, sizeof *w->pair_id);
			w->pair_pos = xreallocarray(w->pair_pos, w->pair_cap, sizeof *w->pair_pos);
		}
		w->pair_id[w->total] = id;
		w->pair_pos[w->total++] = (uint32_t)i;
	}
}

/* Lays the entries out over one pool, in key id order for now. */
static size_t *work_entries(struct index_work *w, struct index *idx)
{
	size_t *pool = xmalloc((w->total ? w->total : 1) * sizeof *pool);
	idx->entries = xcalloc(w->n_entries ? w->n_entries : 1, sizeof *idx->entries);
	idx->n_entries = 0;
	for (size_t id = 0, at = 0; id < w->keys->n; id++) {
		if (w->count[id] == 0)
			continue;
		struct index_entry *e = &idx->entries[idx->n_entries++];
		e->key = w->keys->keys[id];
		e->name = w->name[id];
		e->items = pool + at;
		e->n_items = w->count[id];
		w->next[id] = at;
		at += w->count[id];
	}
	return pool;
}

static void work_place(struct index_work *w, size_t *pool)
{
	for (size_t p = 0; p < w->total; p++)
		pool[w->next[w->pair_id[p]]++] = w->pair_pos[p];
}

/*
 * Files the listed articles under their keys, all four indexes at once and
 * counted by key id: one pass over the articles counts (and notes each
 * pair), one over the pairs places positions into each index's pool. Visiting articles in order keeps every
 * entry's items newest first. Names point into the sources and keys into
 * the builder's tables, both of which outlive the snapshot's use.
 */
static void indexes_build(struct snapshot_full *f, const struct snapshot_builder *b)
{
	struct index *idx[INDEX_KINDS] = {&f->pub.sections, &f->pub.authors, &f->pub.tags,
	                                  &f->pub.months};
	struct index_work w[INDEX_KINDS];
	for (int k = 0; k < INDEX_KINDS; k++)
		work_init(&w[k], &b->keys[k]);
	for (size_t i = 0; i < f->pub.n_articles; i++)
		for (int k = 0; k < INDEX_KINDS; k++)
			work_count(&w[k], f->listed[i], i, (enum index_kind)k);
	for (int k = 0; k < INDEX_KINDS; k++) {
		f->pools[k] = work_entries(&w[k], idx[k]);
		work_place(&w[k], f->pools[k]);
		qsort(idx[k]->entries, idx[k]->n_entries, sizeof *idx[k]->entries, by_key);
		work_free(&w[k]);
	}
}

static void path_put(struct snapshot_full *f, const char *key, uint64_t hash,
                     const struct article *a)
{
	size_t i = hash & f->paths_mask;
	for (; f->paths[i].key != NULL; i = (i + 1) & f->paths_mask)
		if (f->paths[i].hash == hash && strcmp(f->paths[i].key, key) == 0)
			return; /* taken by a newer article or a real path */
	f->paths[i].key = key;
	f->paths[i].article = a;
	f->paths[i].hash = hash;
}

/* The i-th article found by path: the listed ones (newest first), then
 * the redirects. */
static const struct source *routed(const struct snapshot_full *f, size_t i)
{
	return i < f->pub.n_articles ? f->listed[i] : f->redirects[i - f->pub.n_articles];
}

/* Real paths first, so an alias never shadows an article's own path. */
static void paths_build(struct snapshot_full *f)
{
	size_t n_routed = f->pub.n_articles + f->n_redirects;
	size_t n_keys = n_routed;
	for (size_t i = 0; i < n_routed; i++)
		if (routed(f, i)->alias_paths != NULL)
			n_keys += routed(f, i)->article->meta.n_aliases;
	f->paths_mask = table_capacity(n_keys) - 1;
	f->paths = xcalloc(f->paths_mask + 1, sizeof *f->paths);
	for (size_t i = 0; i < n_routed; i++) {
		const struct source *s = routed(f, i);
		if (s->url != NULL)
			path_put(f, s->url, s->url_hash, s->article);
	}
	for (size_t i = 0; i < n_routed; i++) {
		const struct source *s = routed(f, i);
		for (size_t k = 0; s->alias_paths != NULL && k < s->article->meta.n_aliases; k++) {
			const char *alias = s->alias_paths[k];
			path_put(f, alias, text_hash(alias, strlen(alias)), s->article);
		}
	}
}

/* ---- One address per article ---- */

struct address_use {
	const char *url;
	size_t at; /* in sources, which are in path order */
};

static int by_url_then_path(const void *a, const void *b)
{
	const struct address_use *x = a, *y = b;
	int c = strcmp(x->url, y->url);
	return c != 0 ? c : (x->at > y->at) - (x->at < y->at);
}

static bool address_taken(const struct address_use *uses, size_t n, char **given, size_t n_given,
                          const char *url)
{
	struct address_use key = {url, 0};
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(uses[mid].url, key.url);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = 0; i < n_given; i++)
		if (strcmp(given[i], url) == 0)
			return true;
	return false;
}

/* "/news/2025/06/guide" for news/guides/zh-hans/guide.md, when that is
 * taken: "/news/2025/06/guide-zh-hans", then "-2", "-3" ... */
static char *free_address(const struct source *s, const struct address_use *uses, size_t n,
                          char **given, size_t n_given)
{
	const char *end = strrchr(s->path, '/');
	const char *start = end;
	while (start > s->path && start[-1] != '/')
		start--;
	char *folder_name = xstrndup(start, (size_t)(end - start));
	char *folder = text_slug(folder_name);
	free(folder_name);
	char *url = xasprintf("%s-%s", s->url, folder);
	for (int k = 2; address_taken(uses, n, given, n_given, url); k++) {
		free(url);
		url = xasprintf("%s-%s-%d", s->url, folder, k);
	}
	free(folder);
	return url;
}

/* The same source at another address, for this snapshot and the ones
 * built from it (the file's own source is shared with older ones). */
static struct source *source_readdressed(struct snapshot_builder *b, const struct source *s,
                                         const char *url)
{
	struct source *copy = source_new(s->path, &s->id);
	struct article moved = *s->article;
	moved.path = (char *)url;
	copy->article = article_pack_copy(&moved);
	source_derive(b, copy);
	return copy;
}

/*
 * Two articles at one address (the same slug in the same month, such as
 * guides of one name in two language folders) would hide one of them. The
 * first by source path keeps the address; each other one gets its folder's
 * name after its slug.
 */
static void settle_addresses(struct snapshot_builder *b, struct source **sources, size_t n)
{
	struct address_use *uses = xcalloc(n ? n : 1, sizeof *uses);
	size_t n_uses = 0;
	for (size_t i = 0; i < n; i++)
		if (sources[i]->article != NULL && sources[i]->listed && sources[i]->url != NULL)
			uses[n_uses++] = (struct address_use){sources[i]->url, i};
	qsort(uses, n_uses, sizeof *uses, by_url_then_path);
	char **given = NULL;
	size_t n_given = 0;
	for (size_t u = 1; u < n_uses; u++) {
		if (strcmp(uses[u].url, uses[u - 1].url) != 0)
			continue;
		struct source *s = sources[uses[u].at];
		char *url = free_address(s, uses, n_uses, given, n_given);
		log_warn("%s: %s is taken by %s; served at %s", s->path, s->url,
		         sources[uses[u - 1].at]->path, url);
		given = xgrowarray(given, n_given, sizeof *given);
		given[n_given++] = url;
		sources[uses[u].at] = source_readdressed(b, s, url);
		uses[u].url = uses[u - 1].url; /* the group's next member compares with it */
		uses[u].at = uses[u - 1].at;
		source_drop(s);
	}
	for (size_t i = 0; i < n_given; i++)
		free(given[i]);
	free(given);
	free(uses);
}

static int by_identity(const void *a, const void *b)
{
	const struct identity *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return (x->ino > y->ino) - (x->ino < y->ino);
}

static void identities_build(struct snapshot_full *f)
{
	f->sources_ids = xcalloc(f->n_sources ? f->n_sources : 1, sizeof *f->sources_ids);
	for (size_t i = 0; i < f->n_sources; i++)
		f->sources_ids[i] = (struct identity){f->sources[i]->id.dev, f->sources[i]->id.ino};
	f->n_sources_ids = f->n_sources;
	qsort(f->sources_ids, f->n_sources_ids, sizeof *f->sources_ids, by_identity);
}

/* Builds a snapshot over sources (sorted by path; their references and
 * intro are taken over); its search index starts from prev's, when any. */
static struct snapshot *assemble(struct snapshot_builder *b, const struct snapshot *prev,
                                 struct source **sources, size_t n_sources, char *intro)
{
	struct snapshot_full *f = xcalloc(1, sizeof *f);
	atomic_init(&f->refs, 1);
	f->sources = sources;
	f->n_sources = n_sources;
	f->pub.vhost = b->vhost;
	f->pub.front_intro = intro;
	identities_build(f);
	f->listed = xcalloc(n_sources ? n_sources : 1, sizeof *f->listed);
	f->redirects = xcalloc(n_sources ? n_sources : 1, sizeof *f->redirects);
	settle_addresses(b, sources, n_sources);
	for (size_t i = 0; i < n_sources; i++) {
		if (sources[i]->article == NULL)
			continue;
		if (sources[i]->listed)
			f->listed[f->pub.n_articles++] = sources[i];
		else if (sources[i]->redirects)
			f->redirects[f->n_redirects++] = sources[i];
	}
	sort_newest_first(f->listed, f->pub.n_articles);
	f->pub.articles = xcalloc(f->pub.n_articles ? f->pub.n_articles : 1, sizeof *f->pub.articles);
	struct search_terms **terms = xcalloc(f->pub.n_articles ? f->pub.n_articles : 1, sizeof *terms);
	for (size_t i = 0; i < f->pub.n_articles; i++) {
		f->pub.articles[i] = f->listed[i]->article;
		terms[i] = f->listed[i]->terms;
	}
	indexes_build(f, b);
	f->pub.search = prev != NULL ? search_index_update(prev->search, terms, f->pub.n_articles)
	                             : search_index_build(b->vocab, terms, f->pub.n_articles);
	free(terms);
	paths_build(f);
	return &f->pub;
}

/* ---- Public: building ---- */

struct snapshot_builder *snapshot_builder_new(const struct vhost *vh, int root_fd)
{
	struct snapshot_builder *b = xcalloc(1, sizeof *b);
	b->vhost = vh;
	b->root_fd = root_fd;
	b->ctx.utc_offset_minutes = vh->utc_offset_minutes;
	b->ctx.lang = vh->lang;
	b->vocab = search_vocab_new();
	return b;
}

void snapshot_builder_free(struct snapshot_builder *b)
{
	if (b == NULL)
		return;
	search_vocab_free(b->vocab);
	for (int k = 0; k < INDEX_KINDS; k++)
		key_table_free(&b->keys[k]);
	key_table_free(&b->section_names);
	free(b);
}

struct snapshot *snapshot_scan(struct snapshot_builder *b, const struct snapshot *prev)
{
	struct found_list found = {0};
	walk_path(b->root_fd, "news", &found);
	struct source **sources;
	size_t n;
	sources_for(b, prev, &found, &sources, &n);
	found_free(&found);
	return assemble(b, prev, sources, n, read_intro(b));
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether path lies beneath one of sorted changed paths (then that one
 * covers it). */
static bool under_changed(const char *path, char **changed, size_t n)
{
	char *copy = xstrdup(path);
	bool covered = false;
	for (char *slash = strrchr(copy, '/'); slash && !covered; slash = strrchr(copy, '/')) {
		*slash = '\0';
		covered = bsearch(&copy, changed, n, sizeof *changed, by_string) != NULL;
	}
	free(copy);
	return covered;
}

/* The changed paths that matter, sorted, none beneath another. */
static char **changed_roots(char *const *paths, size_t n_paths, size_t *n_out)
{
	char **sorted = xcalloc(n_paths ? n_paths : 1, sizeof *sorted);
	size_t n = 0;
	for (size_t i = 0; i < n_paths; i++)
		if (snapshot_path_matters(paths[i], true) || snapshot_path_matters(paths[i], false))
			sorted[n++] = paths[i];
	qsort(sorted, n, sizeof *sorted, by_string);
	char **roots = xcalloc(n ? n : 1, sizeof *roots);
	*n_out = 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(sorted[i], sorted[i - 1]) == 0)
			continue;
		if (!under_changed(sorted[i], sorted, n))
			roots[(*n_out)++] = sorted[i];
	}
	free(sorted);
	return roots;
}

/* Reads one changed path into found (a directory: everything beneath). */
static void collect_changed(struct snapshot_builder *b, const char *path, struct found_list *found)
{
	struct capsule_entry entry;
	if (open_in_place(b->root_fd, path, &entry) < 0)
		return; /* gone */
	struct stat st;
	int ok = fstat(entry.fd, &st);
	close(entry.fd);
	if (ok != 0)
		return;
	if (S_ISDIR(st.st_mode))
		walk_path(b->root_fd, path, found);
	else if (S_ISREG(st.st_mode) && is_article_path(path))
		found_add(found, xstrdup(path), &st);
}

static size_t lower_bound(const struct snapshot_full *f, const char *path)
{
	size_t lo = 0, hi = f->n_sources;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(f->sources[mid]->path, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Marks prev's sources at or beneath a changed root: the file itself, and
 * the contiguous run of paths that begin with "root/". */
static bool *changed_marks(const struct snapshot_full *prev, char **roots, size_t n_roots)
{
	bool *marks = xcalloc(prev->n_sources + 1, sizeof *marks);
	for (size_t r = 0; r < n_roots; r++) {
		size_t at = lower_bound(prev, roots[r]);
		if (at < prev->n_sources && strcmp(prev->sources[at]->path, roots[r]) == 0)
			marks[at] = true;
		char *dir = xasprintf("%s/", roots[r]);
		size_t len = strlen(dir);
		for (at = lower_bound(prev, dir);
		     at < prev->n_sources && strncmp(prev->sources[at]->path, dir, len) == 0; at++)
			marks[at] = true;
		free(dir);
	}
	return marks;
}

/* Merges prev's sources minus the changed ones with the fresh ones (both
 * sorted by path). */
static struct source **merge_sources(const struct snapshot_full *prev, char **roots, size_t n_roots,
                                     struct source **fresh, size_t n_fresh, size_t *n_out)
{
	bool *changed = changed_marks(prev, roots, n_roots);
	struct source **out = xcalloc(prev->n_sources + n_fresh + 1, sizeof *out);
	size_t n = 0, i = 0, k = 0;
	while (i < prev->n_sources || k < n_fresh) {
		bool take_prev = k == n_fresh ||
		                 (i < prev->n_sources && strcmp(prev->sources[i]->path, fresh[k]->path) < 0);
		if (!take_prev)
			out[n++] = fresh[k++];
		else if (!changed[i++])
			out[n++] = source_hold(prev->sources[i - 1]);
	}
	free(changed);
	*n_out = n;
	return out;
}

struct snapshot *snapshot_update(struct snapshot_builder *b, const struct snapshot *prev,
                                 char *const *paths, size_t n_paths)
{
	size_t n_roots;
	char **roots = changed_roots(paths, n_paths, &n_roots);
	struct found_list found = {0};
	bool intro_changed = false;
	for (size_t i = 0; i < n_roots; i++) {
		if (strcmp(roots[i], "index.gmi") == 0)
			intro_changed = true;
		else
			collect_changed(b, roots[i], &found);
	}
	/* Named files are read again even when their stat looks the same. */
	found_sort(&found);
	struct source **fresh = xcalloc(found.n ? found.n : 1, sizeof *fresh);
	size_t n_fresh = 0;
	for (size_t i = 0; i < found.n; i++) {
		struct source *s = source_load(b, found.items[i].path, prev_source(prev, found.items[i].path));
		if (s != NULL)
			fresh[n_fresh++] = s;
	}
	found_free(&found);
	size_t n_sources;
	struct source **sources = merge_sources(full(prev), roots, n_roots, fresh, n_fresh, &n_sources);
	free(fresh);
	free(roots);
	char *intro = intro_changed ? read_intro(b)
	                            : (prev->front_intro ? xstrdup(prev->front_intro) : NULL);
	return assemble(b, prev, sources, n_sources, intro);
}

void snapshot_hold(struct snapshot *snap)
{
	atomic_fetch_add(&full(snap)->refs, 1);
}

void snapshot_drop(struct snapshot *snap)
{
	if (snap == NULL)
		return;
	struct snapshot_full *f = full(snap);
	if (atomic_fetch_sub(&f->refs, 1) != 1)
		return;
	for (size_t i = 0; i < f->n_sources; i++)
		source_drop(f->sources[i]);
	free(f->sources);
	free(f->listed);
	free(f->redirects);
	free(snap->articles);
	free(f->sources_ids);
	free(snap->front_intro);
	free(snap->sections.entries);
	free(snap->authors.entries);
	free(snap->tags.entries);
	free(snap->months.entries);
	for (size_t i = 0; i < 4; i++)
		free(f->pools[i]);
	search_index_free(snap->search);
	page_cache_free(snap->cache);
	free(f->paths);
	free(f);
}

/* ---- Public: reading ---- */

const struct article *snapshot_find_article(const struct snapshot *snap, const char *path)
{
	const struct snapshot_full *f = full(snap);
	if (path == NULL)
		return NULL;
	uint64_t hash = text_hash(path, strlen(path));
	for (size_t i = hash & f->paths_mask; f->paths[i].key != NULL; i = (i + 1) & f->paths_mask)
		if (f->paths[i].hash == hash && strcmp(f->paths[i].key, path) == 0)
			return f->paths[i].article;
	return NULL;
}

static const void *listed_source_at(const char *source, const void *snap)
{
	const struct source *s = prev_source(snap, source);
	return s != NULL && s->article != NULL && s->listed ? s->article : NULL;
}

const struct article *snapshot_link_target(const struct snapshot *snap, const char *site_path)
{
	const struct article *a = links_find_source(site_path, listed_source_at, snap);
	return a != NULL ? a : snapshot_find_article(snap, site_path);
}

bool snapshot_holds_source(const struct snapshot *snap, const char *relpath, dev_t dev,
                           ino_t ino, const struct article **article)
{
	const struct source *s = prev_source(snap, relpath);
	if (s == NULL || (ino != 0 && (s->id.dev != dev || s->id.ino != ino)))
		return false;
	if (article != NULL)
		*article = s->article;
	return true;
}

static bool unpublished(const struct source *s, time_t now)
{
	const struct article *a = s->article;
	if (a == NULL || a->meta.redirect != NULL)
		return false;
	return a->meta.draft || !article_visible(a, now);
}

size_t snapshot_unpublished(const struct snapshot *snap, time_t now, const struct article ***out)
{
	const struct snapshot_full *f = full(snap);
	struct source **found = xcalloc(f->n_sources ? f->n_sources : 1, sizeof *found);
	size_t n = 0;
	for (size_t i = 0; i < f->n_sources; i++)
		if (unpublished(f->sources[i], now))
			found[n++] = f->sources[i];
	sort_newest_first(found, n);
	const struct article **list = xcalloc(n ? n : 1, sizeof *list);
	for (size_t i = 0; i < n; i++)
		list[i] = found[i]->article;
	free(found);
	*out = list;
	return n;
}

const struct index_entry *index_find(const struct index *idx, const char *key)
{
	if (key == NULL)
		return NULL;
	struct index_entry probe = {.key = (char *)key};
	return bsearch(&probe, idx->entries, idx->n_entries, sizeof *idx->entries, by_key);
}

bool snapshot_hides_entry(const struct snapshot *snap, const struct capsule_entry *entry)
{
	if (entry->kind != CAPSULE_FILE)
		return false;
	/* By where it is: an article source, even one the snapshot has not
	 * read yet (just written, or broken and still served as before). */
	if (is_article_path(entry->path))
		return true;
	/* By what it is: the same file by another name (a link inside the
	 * capsule, a hard link, another case on a case-insensitive disk). */
	const struct snapshot_full *f = full(snap);
	struct identity probe = {entry->dev, entry->ino};
	return bsearch(&probe, f->sources_ids, f->n_sources_ids, sizeof *f->sources_ids,
	               by_identity) != NULL;
}
