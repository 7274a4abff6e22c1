#include "snapshot_indexes.h"

#include "alloc.h"

#include <stdlib.h>
#include <string.h>

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

void sort_newest_first(struct source **listed, size_t n)
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

int index_entry_by_key(const void *a, const void *b)
{
	return strcmp(((const struct index_entry *)a)->key, ((const struct index_entry *)b)->key);
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
void indexes_build(struct snapshot_full *f, const struct snapshot_builder *b)
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
		qsort(idx[k]->entries, idx[k]->n_entries, sizeof *idx[k]->entries, index_entry_by_key);
		work_free(&w[k]);
	}
}
