#include "snapshot_listing.h"

#include "alloc.h"
#include "snapshot_indexes.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

/* The keys a listed source is filed under, tagged with their kind, as the
 * listing keeps them (snapshot_types.h). */
static size_t copy_keys(const struct source *s, uint32_t *out)
{
	size_t n = 0;
	for (int k = 0; k < INDEX_KINDS; k++)
		for (uint32_t at = s->key_start[k]; at < s->key_start[k + 1]; at++)
			out[n++] = s->key_ids[at] | (uint32_t)k << KEY_KIND_SHIFT;
	return n;
}

static void arrays_alloc(struct snapshot_full *f, size_t n_listed, size_t n_keys)
{
	f->listed = xcalloc(n_listed ? n_listed : 1, sizeof *f->listed);
	f->pub.articles = xcalloc(n_listed ? n_listed : 1, sizeof *f->pub.articles);
	f->listed_terms = xcalloc(n_listed ? n_listed : 1, sizeof *f->listed_terms);
	f->listed_key_start = xcalloc(n_listed + 1, sizeof *f->listed_key_start);
	f->listed_keys = xcalloc(n_keys ? n_keys : 1, sizeof *f->listed_keys);
}

void listing_build(struct snapshot_full *f)
{
	size_t n_keys = 0;
	f->redirects = xcalloc(f->n_sources ? f->n_sources : 1, sizeof *f->redirects);
	struct source **listed = xcalloc(f->n_sources ? f->n_sources : 1, sizeof *listed);
	size_t n_listed = 0;
	for (size_t i = 0; i < f->n_sources; i++) {
		struct source *s = f->sources[i];
		if (s->article == NULL)
			continue;
		if (s->listed) {
			listed[n_listed++] = s;
			n_keys += s->key_start[INDEX_KINDS];
		} else if (s->redirects) {
			f->redirects[f->n_redirects++] = s;
		}
	}
	sort_newest_first(listed, n_listed);
	arrays_alloc(f, n_listed, n_keys);
	free(f->listed);
	f->listed = listed;
	f->pub.n_articles = n_listed;
	size_t at = 0;
	for (size_t i = 0; i < n_listed; i++) {
		f->pub.articles[i] = listed[i]->article;
		f->listed_terms[i] = listed[i]->terms;
		f->listed_key_start[i] = (uint32_t)at;
		at += copy_keys(listed[i], f->listed_keys + at);
	}
	f->listed_key_start[n_listed] = (uint32_t)at;
}

/* ---- Updating ---- */

/* The removed sources, by address, to be told apart in one probe. */
struct pointer_set {
	const void **slots;
	size_t mask;
};

static uint64_t pointer_hash(const void *p)
{
	return ((uint64_t)(uintptr_t)p >> 4) * 0x9e3779b97f4a7c15u;
}

static void set_init(struct pointer_set *set, struct source *const *items, size_t n)
{
	size_t capacity = 16;
	while (capacity < n * 2)
		capacity *= 2;
	set->mask = capacity - 1;
	set->slots = xcalloc(capacity, sizeof *set->slots);
	for (size_t i = 0; i < n; i++) {
		size_t at = (pointer_hash(items[i]) >> 20) & set->mask;
		while (set->slots[at] != NULL && set->slots[at] != items[i])
			at = (at + 1) & set->mask;
		set->slots[at] = items[i];
	}
}

static bool set_has(const struct pointer_set *set, const void *p)
{
	for (size_t at = (pointer_hash(p) >> 20) & set->mask; set->slots[at] != NULL;
	     at = (at + 1) & set->mask)
		if (set->slots[at] == p)
			return true;
	return false;
}

/* The listing's order: dated ones newest first, then undated ones; ties
 * by path. */
static int listing_order(const struct source *x, const struct source *y)
{
	if (x->dated != y->dated)
		return x->dated ? -1 : 1;
	if (x->dated && x->date != y->date)
		return x->date > y->date ? -1 : 1;
	return strcmp(x->path, y->path);
}

static int path_order(const struct source *x, const struct source *y)
{
	return strcmp(x->path, y->path);
}

/* The first of sorted list (n) not before s. */
static size_t lower_bound(struct source *const *list, size_t n, const struct source *s,
                          int (*order)(const struct source *, const struct source *))
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (order(list[mid], s) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* An added source and where it goes in prev's list. */
struct insertion {
	size_t before;
	struct source *source;
};

static int by_place(const struct insertion *x, const struct insertion *y)
{
	return (x->before > y->before) - (x->before < y->before);
}

static int by_place_in_listing(const void *a, const void *b)
{
	const struct insertion *x = a, *y = b;
	int c = by_place(x, y);
	return c != 0 ? c : listing_order(x->source, y->source);
}

static int by_place_in_redirects(const void *a, const void *b)
{
	const struct insertion *x = a, *y = b;
	int c = by_place(x, y);
	return c != 0 ? c : path_order(x->source, y->source);
}

/* The added sources that belong in a list (listed ones, or redirects),
 * each with its place in prev's list, in order. */
static struct insertion *insertions(const struct source_changes *changes, bool listed,
                                    struct source *const *prev_list, size_t n_prev,
                                    int (*order)(const struct source *, const struct source *),
                                    size_t *n_out)
{
	struct insertion *ins = xcalloc(changes->n_added + 1, sizeof *ins);
	size_t n = 0;
	for (size_t i = 0; i < changes->n_added; i++) {
		struct source *s = changes->added[i];
		if (s->article == NULL || (listed ? !s->listed : !s->redirects))
			continue;
		ins[n++] = (struct insertion){lower_bound(prev_list, n_prev, s, order), s};
	}
	qsort(ins, n, sizeof *ins, listed ? by_place_in_listing : by_place_in_redirects);
	*n_out = n;
	return ins;
}

static void redirects_update(struct snapshot_full *f, const struct snapshot_full *prev,
                             const struct source_changes *changes, const struct pointer_set *gone)
{
	size_t n_ins;
	struct insertion *ins =
		insertions(changes, false, prev->redirects, prev->n_redirects, path_order, &n_ins);
	f->redirects = xcalloc(prev->n_redirects + n_ins + 1, sizeof *f->redirects);
	size_t k = 0;
	for (size_t i = 0; i <= prev->n_redirects; i++) {
		for (; k < n_ins && ins[k].before == i; k++)
			f->redirects[f->n_redirects++] = ins[k].source;
		if (i < prev->n_redirects && !set_has(gone, prev->redirects[i]))
			f->redirects[f->n_redirects++] = prev->redirects[i];
	}
	free(ins);
}

/* Appends a fresh source to f's listing arrays. */
static void append_source(struct snapshot_full *f, struct source *s, size_t *at)
{
	size_t i = f->pub.n_articles++;
	f->listed[i] = s;
	f->pub.articles[i] = s->article;
	f->listed_terms[i] = s->terms;
	f->listed_key_start[i] = (uint32_t)*at;
	*at += copy_keys(s, f->listed_keys + *at);
}

/* Appends prev's run of listed articles [from, to), none removed. */
static void append_run(struct snapshot_full *f, const struct snapshot_full *prev, size_t from,
                       size_t to, size_t *at)
{
	if (from == to)
		return;
	size_t i = f->pub.n_articles, n = to - from;
	memcpy(f->listed + i, prev->listed + from, n * sizeof *f->listed);
	memcpy(f->pub.articles + i, prev->pub.articles + from, n * sizeof *f->pub.articles);
	memcpy(f->listed_terms + i, prev->listed_terms + from, n * sizeof *f->listed_terms);
	uint32_t key_from = prev->listed_key_start[from], key_to = prev->listed_key_start[to];
	memcpy(f->listed_keys + *at, prev->listed_keys + key_from,
	       (key_to - key_from) * sizeof *f->listed_keys);
	for (size_t k = 0; k < n; k++)
		f->listed_key_start[i + k] = (uint32_t)(prev->listed_key_start[from + k] - key_from + *at);
	*at += key_to - key_from;
	f->pub.n_articles += n;
}

static void note_move(uint32_t **list, size_t n, uint32_t value)
{
	*list = xgrowarray(*list, n, sizeof **list);
	(*list)[n] = value;
}

void listing_update(struct snapshot_full *f, const struct snapshot_full *prev,
                    const struct source_changes *changes, struct listing_moves *moves)
{
	struct pointer_set gone;
	set_init(&gone, changes->removed, changes->n_removed);
	redirects_update(f, prev, changes, &gone);
	size_t n_prev = prev->pub.n_articles, n_ins;
	struct insertion *ins = insertions(changes, true, prev->listed, n_prev, listing_order, &n_ins);
	size_t n_keys = prev->listed_key_start[n_prev];
	for (size_t k = 0; k < n_ins; k++)
		n_keys += ins[k].source->key_start[INDEX_KINDS];
	arrays_alloc(f, n_prev + n_ins, n_keys);
	size_t at = 0, run = 0, k = 0;
	for (size_t i = 0; i <= n_prev; i++) {
		bool removed = i < n_prev && set_has(&gone, prev->listed[i]);
		bool inserting = k < n_ins && ins[k].before == i;
		if (!removed && !inserting && i < n_prev)
			continue; /* in the current run */
		append_run(f, prev, run, i, &at);
		for (; k < n_ins && ins[k].before == i; k++) {
			note_move(&moves->inserted_before, moves->n_inserted, (uint32_t)i);
			note_move(&moves->inserted_at, moves->n_inserted++, (uint32_t)f->pub.n_articles);
			append_source(f, ins[k].source, &at);
		}
		if (removed)
			note_move(&moves->removed, moves->n_removed++, (uint32_t)i);
		run = removed ? i + 1 : i;
	}
	f->listed_key_start[f->pub.n_articles] = (uint32_t)at;
	free(ins);
	free(gone.slots);
}
