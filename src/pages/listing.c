#include "listing.h"

#include <stdbool.h>
#include <stdlib.h>

#include "alloc.h"
#include "text.h"

static const struct article *run_article(const struct snapshot *snap, const struct listing_run *run,
                                         size_t i)
{
	size_t position = run->items != NULL ? run->items[i] : i;
	return snap->articles[position];
}

/* Items run newest first, so the unpublished ones are a prefix: the first
 * published one is found by bisection. */
static size_t first_visible(const struct snapshot *snap, const struct listing_run *run, time_t now)
{
	size_t lo = 0, hi = run->n_items;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (article_visible(run_article(snap, run, mid), now))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

void listing_init(struct listing *l, const struct snapshot *snap, time_t now)
{
	l->snap = snap;
	l->now = now;
	l->runs = NULL;
	l->n_runs = 0;
	l->n_visible = 0;
}

void listing_free(struct listing *l)
{
	free(l->runs);
	l->runs = NULL;
	l->n_runs = 0;
	l->n_visible = 0;
}

static void add_run(struct listing *l, const size_t *items, size_t n_items)
{
	l->runs = xreallocarray(l->runs, l->n_runs + 1, sizeof(*l->runs));
	struct listing_run *run = &l->runs[l->n_runs++];
	run->items = items;
	run->n_items = n_items;
	run->first_visible = first_visible(l->snap, run, l->now);
	l->n_visible += run->n_items - run->first_visible;
}

void listing_add_all(struct listing *l)
{
	add_run(l, NULL, l->snap->n_articles);
}

void listing_add_entry(struct listing *l, const struct index_entry *entry)
{
	add_run(l, entry->items, entry->n_items);
}

size_t listing_slice(const struct listing *l, size_t skip, const struct article **out, size_t max)
{
	size_t written = 0;
	for (size_t r = 0; r < l->n_runs && written < max; r++) {
		const struct listing_run *run = &l->runs[r];
		size_t visible = run->n_items - run->first_visible;
		if (skip >= visible) {
			skip -= visible;
			continue;
		}
		for (size_t i = run->first_visible + skip; i < run->n_items && written < max; i++)
			out[written++] = run_article(l->snap, run, i);
		skip = 0;
	}
	return written;
}

size_t listing_count_entry(const struct snapshot *snap, const struct index_entry *entry, time_t now)
{
	struct listing_run run = {entry->items, entry->n_items, 0};
	return entry->n_items - first_visible(snap, &run, now);
}

const struct index_entry *listing_entry_named(const struct index *idx, const char *name)
{
	if (name == NULL)
		return NULL;
	char *key = text_slug(name);
	const struct index_entry *entry = index_find(idx, key);
	free(key);
	return entry;
}

/* The lists related articles come from: the section's and each tag's. */
static size_t related_sources(const struct snapshot *snap, const struct article *a,
                              const struct index_entry **sources)
{
	size_t n = 0;
	const struct index_entry *section = listing_entry_named(&snap->sections, a->meta.section);
	if (section != NULL)
		sources[n++] = section;
	for (size_t i = 0; i < a->meta.n_tags; i++) {
		const struct index_entry *tag = listing_entry_named(&snap->tags, a->meta.tags[i]);
		if (tag != NULL)
			sources[n++] = tag;
	}
	return n;
}

/* Index items are positions in snap->articles, newest first, so they
 * ascend: merging the lists by smallest position gives the newest related
 * articles first and meets a shared one in several lists at once. */
size_t listing_related(const struct snapshot *snap, const struct article *a, time_t now,
                       const struct article **out, size_t max)
{
	const struct index_entry **sources = xcalloc(a->meta.n_tags + 1, sizeof(*sources));
	size_t n_sources = related_sources(snap, a, sources);
	size_t *next = xcalloc(n_sources + 1, sizeof(*next));
	for (size_t s = 0; s < n_sources; s++) {
		struct listing_run run = {sources[s]->items, sources[s]->n_items, 0};
		next[s] = first_visible(snap, &run, now);
	}
	size_t written = 0;
	while (written < max) {
		bool found = false;
		size_t smallest = 0;
		for (size_t s = 0; s < n_sources; s++) {
			if (next[s] < sources[s]->n_items &&
			    (!found || sources[s]->items[next[s]] < smallest)) {
				smallest = sources[s]->items[next[s]];
				found = true;
			}
		}
		if (!found)
			break;
		for (size_t s = 0; s < n_sources; s++) {
			if (next[s] < sources[s]->n_items && sources[s]->items[next[s]] == smallest)
				next[s]++;
		}
		if (smallest < snap->n_articles && snap->articles[smallest] != a)
			out[written++] = snap->articles[smallest];
	}
	free(next);
	free(sources);
	return written;
}

/* The snapshot's order: dated articles newest first, undated ones last. */
static bool sorts_before(const struct article *x, const struct article *y)
{
	const struct when *dx = &x->meta.date, *dy = &y->meta.date;
	if (dx->set != dy->set)
		return dx->set;
	return dx->set && dx->t > dy->t;
}

static bool same_date(const struct article *x, const struct article *y)
{
	return !sorts_before(x, y) && !sorts_before(y, x);
}

/* Where a stands in snap->articles: a bisection by date, then a walk over
 * the articles of the same date (their order among them is the loader's). */
static bool article_position(const struct snapshot *snap, const struct article *a, size_t *position)
{
	size_t lo = 0, hi = snap->n_articles;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sorts_before(snap->articles[mid], a))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < snap->n_articles && same_date(snap->articles[i], a); i++) {
		if (snap->articles[i] == a) {
			*position = i;
			return true;
		}
	}
	return false;
}

void listing_neighbours(const struct snapshot *snap, const struct article *a, time_t now,
                        const struct article **older, const struct article **newer)
{
	*older = NULL;
	*newer = NULL;
	size_t position;
	if (!article_position(snap, a, &position))
		return;
	if (position + 1 < snap->n_articles)
		*older = snap->articles[position + 1];
	/* Anything newer than an unpublished article is unpublished too. */
	if (position > 0 && article_visible(snap->articles[position - 1], now))
		*newer = snap->articles[position - 1];
}
