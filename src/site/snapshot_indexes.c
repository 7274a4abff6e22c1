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
                      size_t k, uint32_t id)
{
	switch (kind) {
	case BY_SECTION: return (char *)s->section_name;
	case BY_AUTHOR: return s->article->meta.authors[k];
	case BY_TAG: return s->article->meta.tags[k];
	case BY_MONTH: return keys->keys[id];
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
	const uint32_t *sorted; /* the key ids in key order */
	size_t *count, *last, *next;
	char **name;
	size_t total, n_entries;
	/* The (key id, position) pairs the count found, in order, so that
	 * placing them reads this array instead of the listing again. */
	uint32_t *pair_id, *pair_pos;
	size_t pair_cap;
};

static void work_init(struct index_work *w, const struct key_table *keys, const uint32_t *sorted)
{
	size_t n_ids = keys->n ? keys->n : 1;
	w->keys = keys;
	w->sorted = sorted;
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

/* Counts article i under key id, its k-th of the kind; the first (newest)
 * article of a key gives the entry its name (the one visit to the source). */
static void work_count(struct index_work *w, const struct source *s, size_t i, enum index_kind kind,
                       uint32_t id, size_t k)
{
	if (w->last[id] == i + 1)
		return; /* two tags of one article with the same key */
	if (w->count[id]++ == 0) {
		w->name[id] = key_name(s, w->keys, kind, k, id);
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

/* Lays the entries out over one pool, in key order. */
static size_t *work_entries(struct index_work *w, struct index *idx)
{
	size_t *pool = xmalloc((w->total ? w->total : 1) * sizeof *pool);
	idx->entries = xcalloc(w->n_entries ? w->n_entries : 1, sizeof *idx->entries);
	idx->n_entries = 0;
	for (size_t r = 0, at = 0; r < w->keys->n; r++) {
		uint32_t id = w->sorted[r];
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

static int by_key(const void *a, const void *b, void *table)
{
	const struct key_table *t = table;
	return strcmp(t->keys[*(const uint32_t *)a], t->keys[*(const uint32_t *)b]);
}

/* The ids of a key table in key order: sorted again only when keys were
 * added since (they are never removed). */
static const uint32_t *keys_in_order(struct snapshot_builder *b, enum index_kind kind)
{
	const struct key_table *t = &b->keys[kind];
	if (b->n_sorted[kind] == t->n)
		return b->keys_sorted[kind];
	b->keys_sorted[kind] = xreallocarray(b->keys_sorted[kind], t->n ? t->n : 1, sizeof *b->keys_sorted[kind]);
	for (size_t id = 0; id < t->n; id++)
		b->keys_sorted[kind][id] = (uint32_t)id;
	qsort_r(b->keys_sorted[kind], t->n, sizeof *b->keys_sorted[kind], by_key, (void *)t);
	b->n_sorted[kind] = t->n;
	return b->keys_sorted[kind];
}

/*
 * Files the listed articles under their keys, all four indexes at once and
 * counted by key id: one pass over the listing's keys (kept in order,
 * snapshot_types.h) counts and notes each pair, one over the pairs places
 * positions into each index's pool. Visiting articles in order keeps every
 * entry's items newest first. Names point into the sources and keys into
 * the builder's tables, both of which outlive the snapshot's use.
 */
void indexes_build(struct snapshot_full *f, struct snapshot_builder *b)
{
	struct index *idx[INDEX_KINDS] = {&f->pub.sections, &f->pub.authors, &f->pub.tags,
	                                  &f->pub.months};
	struct index_work w[INDEX_KINDS];
	for (int k = 0; k < INDEX_KINDS; k++)
		work_init(&w[k], &b->keys[k], keys_in_order(b, (enum index_kind)k));
	for (size_t i = 0; i < f->pub.n_articles; i++) {
		uint32_t kind_start = f->listed_key_start[i];
		for (uint32_t at = f->listed_key_start[i]; at < f->listed_key_start[i + 1]; at++) {
			uint32_t tagged = f->listed_keys[at];
			uint32_t kind = tagged >> KEY_KIND_SHIFT;
			if (at > f->listed_key_start[i] && f->listed_keys[at - 1] >> KEY_KIND_SHIFT != kind)
				kind_start = at;
			work_count(&w[kind], f->listed[i], i, (enum index_kind)kind,
			           tagged & ((1u << KEY_KIND_SHIFT) - 1), at - kind_start);
		}
	}
	for (int k = 0; k < INDEX_KINDS; k++) {
		f->pools[k] = work_entries(&w[k], idx[k]);
		work_place(&w[k], f->pools[k]);
		work_free(&w[k]);
	}
}
