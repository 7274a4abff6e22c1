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
static size_t *work_entries(struct index_work *w, struct index *idx, uint32_t **entry_ids)
{
	size_t *pool = xmalloc((w->total ? w->total : 1) * sizeof *pool);
	idx->entries = xcalloc(w->n_entries ? w->n_entries : 1, sizeof *idx->entries);
	*entry_ids = xcalloc(w->n_entries ? w->n_entries : 1, sizeof **entry_ids);
	idx->n_entries = 0;
	for (size_t r = 0, at = 0; r < w->keys->n; r++) {
		uint32_t id = w->sorted[r];
		if (w->count[id] == 0)
			continue;
		(*entry_ids)[idx->n_entries] = id;
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
	b->key_rank[kind] = xreallocarray(b->key_rank[kind], t->n ? t->n : 1, sizeof *b->key_rank[kind]);
	for (size_t r = 0; r < t->n; r++)
		b->key_rank[kind][b->keys_sorted[kind][r]] = (uint32_t)r;
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
		f->pools[k] = work_entries(&w[k], idx[k], &f->entry_ids[k]);
		work_place(&w[k], f->pools[k]);
		work_free(&w[k]);
	}
}

/* ---- Updating ---- */

/* Where prev's listing positions went (listing_moves), read in ascending
 * order of positions: each entry's items are. */
struct remap {
	const struct listing_moves *moves;
	size_t removed, inserted; /* how many of each lie before the position */
};

/* The new position of prev's position q, or SIZE_MAX when it is gone; q
 * not below the last one asked since remap_start. */
static size_t remap_position(struct remap *r, size_t q)
{
	const struct listing_moves *m = r->moves;
	while (r->removed < m->n_removed && m->removed[r->removed] < q)
		r->removed++;
	if (r->removed < m->n_removed && m->removed[r->removed] == q)
		return SIZE_MAX;
	while (r->inserted < m->n_inserted && m->inserted_before[r->inserted] <= q)
		r->inserted++;
	return q - r->removed + r->inserted;
}

/* One (key id, new position) of an inserted article, and which of the
 * article's keys of the kind it is (for the entry's name). */
struct addition {
	uint32_t rank, id, k;
	size_t pos;
};

static int by_rank_then_position(const void *a, const void *b)
{
	const struct addition *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return (x->k > y->k) - (x->k < y->k);
}

/* The inserted articles' keys of one kind, in entry order then position;
 * an article's key filed twice (two tags of one slug) counts once, by
 * its first. */
static struct addition *additions(const struct snapshot_full *f, const struct listing_moves *m,
                                  const uint32_t *rank, enum index_kind kind, size_t *n_out)
{
	size_t n = 0, cap = 16;
	struct addition *list = xmalloc(cap * sizeof *list);
	for (size_t j = 0; j < m->n_inserted; j++) {
		size_t pos = m->inserted_at[j];
		uint32_t k = 0;
		for (uint32_t at = f->listed_key_start[pos]; at < f->listed_key_start[pos + 1]; at++) {
			uint32_t tagged = f->listed_keys[at];
			if (tagged >> KEY_KIND_SHIFT != (uint32_t)kind)
				continue;
			if (n == cap) {
				cap *= 2;
				list = xreallocarray(list, cap, sizeof *list);
			}
			uint32_t id = tagged & ((1u << KEY_KIND_SHIFT) - 1);
			list[n++] = (struct addition){rank[id], id, k++, pos};
		}
	}
	if (n > 0)
		qsort(list, n, sizeof *list, by_rank_then_position);
	size_t kept = 0;
	for (size_t i = 0; i < n; i++)
		if (kept == 0 || list[kept - 1].id != list[i].id || list[kept - 1].pos != list[i].pos)
			list[kept++] = list[i];
	*n_out = kept;
	return list;
}

/* An entry whose newest article is now one prev listed already, so its
 * name is that article's: looked up once all entries are laid out. */
struct name_request {
	size_t entry, pos;
	uint32_t id;
};

/* One index built anew from prev's. */
struct index_patch {
	struct snapshot_full *f;
	const struct key_table *keys;
	enum index_kind kind;
	struct index *idx;
	size_t *pool;
	size_t used;
	struct name_request *requests;
	size_t n_requests;
};

/* Appends the entry for key id: prev's entry (or NULL) remapped, with
 * the additions adds (n) merged in; none when no item is left. */
static void patch_entry(struct index_patch *p, const struct listing_moves *m,
                        const struct index_entry *old, uint32_t id, const struct addition *adds,
                        size_t n)
{
	struct index_entry *e = &p->idx->entries[p->idx->n_entries];
	e->items = p->pool + p->used;
	e->n_items = 0;
	struct remap r = {m, 0, 0};
	bool first_kept = false;
	size_t a = 0;
	for (size_t i = 0; old != NULL && i < old->n_items; i++) {
		size_t pos = remap_position(&r, old->items[i]);
		if (pos == SIZE_MAX)
			continue;
		for (; a < n && adds[a].pos < pos; a++)
			e->items[e->n_items++] = adds[a].pos;
		if (i == 0 && e->n_items == 0)
			first_kept = true;
		e->items[e->n_items++] = pos;
	}
	for (; a < n; a++)
		e->items[e->n_items++] = adds[a].pos;
	if (e->n_items == 0)
		return;
	e->key = p->keys->keys[id];
	if (first_kept) {
		e->name = old->name;
	} else if (n > 0 && adds[0].pos == e->items[0]) {
		e->name = key_name(p->f->listed[adds[0].pos], p->keys, p->kind, adds[0].k, id);
	} else {
		p->requests = xgrowarray(p->requests, p->n_requests, sizeof *p->requests);
		p->requests[p->n_requests++] = (struct name_request){p->idx->n_entries, e->items[0], id};
	}
	p->f->entry_ids[p->kind][p->idx->n_entries++] = id;
	p->used += e->n_items;
}

static int by_position(const void *a, const void *b)
{
	const struct name_request *x = a, *y = b;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Names the requested entries, reading each article's keys once: an
 * article with thousands of tags stays linear. */
static void answer_name_requests(struct index_patch *p)
{
	if (p->n_requests == 0)
		return;
	const struct snapshot_full *f = p->f;
	uint32_t *first_k = xmalloc((p->keys->n ? p->keys->n : 1) * sizeof *first_k);
	memset(first_k, 0xff, (p->keys->n ? p->keys->n : 1) * sizeof *first_k);
	qsort(p->requests, p->n_requests, sizeof *p->requests, by_position);
	for (size_t r = 0, end; r < p->n_requests; r = end) {
		size_t pos = p->requests[r].pos;
		uint32_t from = f->listed_key_start[pos], to = f->listed_key_start[pos + 1], k = 0;
		for (uint32_t at = from; at < to; at++) {
			uint32_t tagged = f->listed_keys[at];
			uint32_t id = tagged & ((1u << KEY_KIND_SHIFT) - 1);
			if (tagged >> KEY_KIND_SHIFT == (uint32_t)p->kind && first_k[id] == UINT32_MAX)
				first_k[id] = k;
			k += tagged >> KEY_KIND_SHIFT == (uint32_t)p->kind;
		}
		for (end = r; end < p->n_requests && p->requests[end].pos == pos; end++) {
			const struct name_request *q = &p->requests[end];
			p->idx->entries[q->entry].name =
				key_name(f->listed[pos], p->keys, p->kind, first_k[q->id], q->id);
		}
		for (uint32_t at = from; at < to; at++)
			if (f->listed_keys[at] >> KEY_KIND_SHIFT == (uint32_t)p->kind)
				first_k[f->listed_keys[at] & ((1u << KEY_KIND_SHIFT) - 1)] = UINT32_MAX;
	}
	free(first_k);
}

static void index_update(struct snapshot_full *f, const struct snapshot_full *prev,
                         struct snapshot_builder *b, const struct listing_moves *m,
                         enum index_kind kind, struct index *idx, const struct index *old)
{
	const uint32_t *rank = b->key_rank[kind];
	size_t n_adds;
	struct addition *adds = additions(f, m, rank, kind, &n_adds);
	size_t old_total = 0;
	for (size_t e = 0; e < old->n_entries; e++)
		old_total += old->entries[e].n_items;
	struct index_patch p = {f, &b->keys[kind], kind, idx, NULL, 0, NULL, 0};
	p.pool = xmalloc((old_total + n_adds + 1) * sizeof *p.pool);
	idx->entries = xcalloc(old->n_entries + n_adds + 1, sizeof *idx->entries);
	f->entry_ids[kind] = xcalloc(old->n_entries + n_adds + 1, sizeof *f->entry_ids[kind]);
	size_t e = 0, a = 0;
	while (e < old->n_entries || a < n_adds) {
		uint32_t old_id = e < old->n_entries ? prev->entry_ids[kind][e] : 0;
		uint32_t next_rank = e < old->n_entries ? rank[old_id] : UINT32_MAX;
		if (a < n_adds && adds[a].rank < next_rank) {
			size_t end = a;
			while (end < n_adds && adds[end].id == adds[a].id)
				end++;
			patch_entry(&p, m, NULL, adds[a].id, adds + a, end - a);
			a = end;
			continue;
		}
		size_t end = a;
		while (end < n_adds && adds[end].id == old_id)
			end++;
		patch_entry(&p, m, &old->entries[e], old_id, adds + a, end - a);
		a = end;
		e++;
	}
	f->pools[kind] = p.pool;
	answer_name_requests(&p);
	free(p.requests);
	free(adds);
}

void indexes_update(struct snapshot_full *f, const struct snapshot_full *prev,
                    struct snapshot_builder *b, const struct listing_moves *moves)
{
	struct index *idx[INDEX_KINDS] = {&f->pub.sections, &f->pub.authors, &f->pub.tags,
	                                  &f->pub.months};
	const struct index *old[INDEX_KINDS] = {&prev->pub.sections, &prev->pub.authors,
	                                        &prev->pub.tags, &prev->pub.months};
	for (int k = 0; k < INDEX_KINDS; k++) {
		keys_in_order(b, (enum index_kind)k);
		index_update(f, prev, b, moves, (enum index_kind)k, idx[k], old[k]);
	}
}
