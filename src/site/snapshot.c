#include "snapshot.h"

#include "alloc.h"
#include "buf.h"
#include "capsule.h"
#include "links.h"
#include "log.h"
#include "pagecache.h"
#include "reserved.h"
#include "search.h"
#include "snapshot_address.h"
#include "snapshot_files.h"
#include "snapshot_indexes.h"
#include "snapshot_listing.h"
#include "snapshot_merge.h"
#include "snapshot_paths.h"
#include "snapshot_read.h"
#include "snapshot_source.h"
#include "snapshot_types.h"
#include "snapshot_walk.h"
#include "text.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/*
 * Building a snapshot (the steps live in the snapshot_*.c modules, over
 * the types of snapshot_types.h), holding and dropping it, and answering
 * what is asked of it.
 */

enum { MAX_INTRO_BYTES = 1 << 20, DROP_AHEAD = 16 };

static struct snapshot_full *full(const struct snapshot *snap)
{
	return (struct snapshot_full *)snap;
}

static struct source *prev_source(const struct snapshot *prev, const char *path)
{
	if (prev == NULL)
		return NULL;
	return sources_find(full(prev)->sources, full(prev)->n_sources, path);
}

/* A first load shown as it grows reads STRETCH_FIRST files, then stretches
 * as long as what it has read (at most STRETCH_MAX), asking between two
 * whether to publish. */
enum { STRETCH_FIRST = 256, STRETCH_MAX = 16384 };

/* Positions in found (items sorted by path), newest file first. */
static int newer_first(const void *a, const void *b, void *arg)
{
	const struct found *items = ((const struct found_list *)arg)->items;
	const struct file_id *x = &items[*(const size_t *)a].id, *y = &items[*(const size_t *)b].id;
	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? 1 : -1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? 1 : -1;
	return (*(const size_t *)a > *(const size_t *)b) - (*(const size_t *)a < *(const size_t *)b);
}

static int by_source_path(const void *a, const void *b)
{
	return strcmp((*(struct source *const *)a)->path, (*(struct source *const *)b)->path);
}

static char *read_intro(struct snapshot_builder *b);
static struct snapshot *assemble(struct snapshot_builder *b, const struct snapshot *prev,
                                 struct source **sources, size_t n_sources, char *intro);

/* What the first n_read of total files made, published when the scan's
 * settings ask for it. */
static void publish_partial(struct snapshot_builder *b, struct source *const *read, size_t n_read,
                            size_t total)
{
	if (!b->scan.partial_due(b->scan.arg))
		return;
	struct source **part = xcalloc(n_read ? n_read : 1, sizeof *part);
	size_t n = 0;
	for (size_t k = 0; k < n_read; k++)
		if (read[k] != NULL)
			part[n++] = source_hold(read[k]);
	qsort(part, n, sizeof *part, by_source_path);
	b->scan.publish(b->scan.arg, assemble(b, NULL, part, n, read_intro(b)), n_read, total);
}

static bool scan_stopped(const struct snapshot_builder *b)
{
	return b->scan.stop != NULL && atomic_load(b->scan.stop);
}

/* Sources for found files (sorted): unchanged ones shared from prev, the
 * others read (on the builder's scan threads). */
static void sources_for(struct snapshot_builder *b, const struct snapshot *prev,
                        struct found_list *found, struct source ***out, size_t *n_out)
{
	found_sort(found);
	struct source **sources = xcalloc(found->n ? found->n : 1, sizeof *sources);
	size_t *slots = xcalloc(found->n ? found->n : 1, sizeof *slots);
	size_t n_read = 0;
	for (size_t i = 0; i < found->n; i++) {
		struct source *old = prev_source(prev, found->items[i].path);
		if (old != NULL && file_id_equal(&old->id, &found->items[i].id))
			sources[i] = source_hold(old);
		else
			slots[n_read++] = i;
	}
	bool growing = prev == NULL && b->scan.publish != NULL;
	if (growing)
		qsort_r(slots, n_read, sizeof *slots, newer_first, found);
	char **to_read = xcalloc(n_read ? n_read : 1, sizeof *to_read);
	struct source **olds = xcalloc(n_read ? n_read : 1, sizeof *olds);
	struct source **read = xcalloc(n_read ? n_read : 1, sizeof *read);
	for (size_t k = 0; k < n_read; k++) {
		to_read[k] = found->items[slots[k]].path;
		olds[k] = prev_source(prev, to_read[k]);
	}
	size_t done = 0, stretch = growing ? STRETCH_FIRST : n_read;
	while (done < n_read && !scan_stopped(b)) {
		size_t count = stretch < n_read - done ? stretch : n_read - done;
		sources_read(b, to_read + done, olds + done, count, read + done, done, n_read);
		done += count;
		if (growing && done < n_read) {
			publish_partial(b, read, done, n_read);
			stretch = done < STRETCH_MAX ? done : STRETCH_MAX;
		}
	}
	for (size_t k = 0; k < n_read; k++)
		sources[slots[k]] = read[k];
	/* Files gone before they could be read (or left unread by a stop)
	 * leave no slot. */
	size_t n = 0;
	for (size_t i = 0; i < found->n; i++)
		if (sources[i] != NULL)
			sources[n++] = sources[i];
	free(read);
	free(olds);
	free(to_read);
	free(slots);
	*out = sources;
	*n_out = n;
}

static char *read_intro(struct snapshot_builder *b)
{
	struct buf data = {0};
	struct file_id id;
	int err = snapshot_read_file(b->root_fd, RESERVED_INDEX, MAX_INTRO_BYTES, &data, &id);
	if (err != 0) {
		if (err != ENOENT)
			log_warn("index.gmi: cannot read: %s", snapshot_read_error(err));
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

static struct snapshot_full *snapshot_new(struct snapshot_builder *b, struct source **sources,
                                          size_t n_sources, char *intro)
{
	struct snapshot_full *f = xcalloc(1, sizeof *f);
	atomic_init(&f->refs, 1);
	f->sources = sources;
	f->n_sources = n_sources;
	f->pub.vhost = b->vhost;
	f->pub.front_intro = intro;
	return f;
}

/* The part every build ends with: search. */
static struct snapshot *finish(struct snapshot_builder *b, const struct snapshot *prev,
                               struct snapshot_full *f)
{
	f->pub.search = prev != NULL
	                        ? search_index_update(prev->search, f->listed_terms, f->pub.n_articles)
	                        : search_index_build(b->vocab, f->listed_terms, f->pub.n_articles);
	return &f->pub;
}

/* Builds a snapshot over sources (sorted by path; their references and
 * intro are taken over), visiting each; its search index starts from
 * prev's, when any. */
static struct snapshot *assemble(struct snapshot_builder *b, const struct snapshot *prev,
                                 struct source **sources, size_t n_sources, char *intro)
{
	struct snapshot_full *f = snapshot_new(b, sources, n_sources, intro);
	identities_build(f);
	settle_addresses(b, f);
	listing_build(f);
	paths_build(f);
	indexes_build(f, b);
	return finish(b, prev, f);
}

/* The same snapshot as assemble's, from prev and what changed: prev's
 * arrays are copied and patched, never sorted again. */
static struct snapshot *assemble_update(struct snapshot_builder *b, const struct snapshot *prev,
                                        struct source **sources, size_t n_sources, char *intro,
                                        struct source_changes *changes)
{
	struct snapshot_full *f = snapshot_new(b, sources, n_sources, intro);
	settle_addresses_update(b, f, full(prev), changes);
	identities_update(f, full(prev), changes);
	struct listing_moves moves = {0};
	listing_update(f, full(prev), changes, &moves);
	paths_update(f, full(prev), changes);
	indexes_update(f, full(prev), b, &moves);
	free(moves.removed);
	free(moves.inserted_before);
	free(moves.inserted_at);
	return finish(b, prev, f);
}

/* ---- Public: building ---- */

struct snapshot_builder *snapshot_builder_new(const struct vhost *vh, int root_fd)
{
	struct snapshot_builder *b = xcalloc(1, sizeof *b);
	b->vhost = vh;
	b->root_fd = root_fd;
	b->ctx.utc_offset_minutes = vh->utc_offset_minutes;
	b->ctx.zone = vh->zone;
	b->ctx.lang = vh->lang;
	b->vocab = search_vocab_new();
	return b;
}

void snapshot_builder_set_scan(struct snapshot_builder *b, const struct scan_settings *scan)
{
	b->scan = *scan;
}

void snapshot_builder_free(struct snapshot_builder *b)
{
	if (b == NULL)
		return;
	search_vocab_free(b->vocab);
	for (int k = 0; k < INDEX_KINDS; k++) {
		key_table_free(&b->keys[k]);
		free(b->keys_sorted[k]);
		free(b->key_rank[k]);
	}
	key_table_free(&b->section_names);
	free(b);
}

struct snapshot *snapshot_empty(struct snapshot_builder *b)
{
	return assemble(b, NULL, xcalloc(1, sizeof(struct source *)), 0, NULL);
}

struct snapshot *snapshot_scan(struct snapshot_builder *b, const struct snapshot *prev)
{
	struct found_list found = {0};
	walk_folder(b->root_fd, "news", &found);
	struct source **sources;
	size_t n;
	sources_for(b, prev, &found, &sources, &n);
	found_free(&found);
	return assemble(b, prev, sources, n, read_intro(b));
}

struct snapshot *snapshot_update(struct snapshot_builder *b, const struct snapshot *prev,
                                 char *const *paths, size_t n_paths)
{
	bool intro_changed;
	size_t n_sources;
	struct source_changes changes = {0};
	struct source **sources =
		merge_changes(b, full(prev), paths, n_paths, &n_sources, &intro_changed, &changes);
	char *intro = intro_changed ? read_intro(b)
	                            : (prev->front_intro ? xstrdup(prev->front_intro) : NULL);
	struct snapshot *snap = assemble_update(b, prev, sources, n_sources, intro, &changes);
	free(changes.removed);
	free(changes.added);
	return snap;
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
	for (size_t i = 0; i < f->n_sources; i++) {
		/* Each drop is a cache miss: fetched ahead, they overlap. */
		if (i + DROP_AHEAD < f->n_sources)
			__builtin_prefetch(f->sources[i + DROP_AHEAD], 1);
		source_drop(f->sources[i]);
	}
	free(f->sources);
	free(f->listed);
	free(f->listed_terms);
	free(f->listed_keys);
	free(f->listed_key_start);
	free(f->redirects);
	free(f->displaced);
	free(snap->articles);
	free(f->sources_ids);
	free(snap->front_intro);
	free(snap->sections.entries);
	free(snap->authors.entries);
	free(snap->tags.entries);
	free(snap->months.entries);
	for (size_t i = 0; i < 4; i++) {
		free(f->pools[i]);
		free(f->entry_ids[i]);
	}
	search_index_free(snap->search);
	page_cache_free(snap->cache);
	free(f->paths);
	free(f);
}

/* ---- Public: reading ---- */

const struct article *snapshot_find_article(const struct snapshot *snap, const char *path)
{
	if (path == NULL)
		return NULL;
	return paths_find(full(snap), path);
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

size_t snapshot_refused(const struct snapshot *snap)
{
	const struct snapshot_full *f = full(snap);
	size_t n = 0;
	for (size_t i = 0; i < f->n_sources; i++)
		n += f->sources[i]->article == NULL;
	return n;
}

const struct index_entry *index_find(const struct index *idx, const char *key)
{
	if (key == NULL)
		return NULL;
	struct index_entry probe = {.key = (char *)key};
	return bsearch(&probe, idx->entries, idx->n_entries, sizeof *idx->entries, index_entry_by_key);
}

bool snapshot_hides_entry(const struct snapshot *snap, const struct capsule_entry *entry)
{
	if (entry->kind != CAPSULE_FILE)
		return false;
	/* By where it is: an article source, even one the snapshot has not
	 * read yet (just written, or broken and still served as before). */
	if (snapshot_article_path(entry->path))
		return true;
	/* By what it is: the same file by another name (a link inside the
	 * capsule, a hard link, another case on a case-insensitive disk). */
	return identities_include(full(snap), entry->dev, entry->ino);
}
