#ifndef KABAR_LISTING_H
#define KABAR_LISTING_H

#include <stddef.h>
#include <time.h>

#include "article.h"
#include "snapshot.h"

/*
 * The articles a listing page shows, newest first, without sorting anything
 * per request: a snapshot's articles and its index items are already sorted
 * newest first, so the articles not yet published are a prefix that a binary
 * search skips, and a page is a slice of what follows. A listing is one or
 * more such runs in order (a year's archive is its months, newest first).
 */

struct listing_run {
	const size_t *items; /* positions in snap->articles; NULL: all of them */
	size_t n_items;
	size_t first_visible;
};

struct listing {
	const struct snapshot *snap;
	time_t now;
	struct listing_run *runs;
	size_t n_runs;
	size_t n_visible; /* articles published at now, over all runs */
};

void listing_init(struct listing *l, const struct snapshot *snap, time_t now);
void listing_free(struct listing *l);
/* Appends every article of the snapshot as one run. */
void listing_add_all(struct listing *l);
/* Appends an index entry's articles as one run. */
void listing_add_entry(struct listing *l, const struct index_entry *entry);

/* Fills out with up to max visible articles, skipping the first skip of
 * them; returns how many it wrote. */
size_t listing_slice(const struct listing *l, size_t skip, const struct article **out, size_t max);

/* Articles of the entry published at now. */
size_t listing_count_entry(const struct snapshot *snap, const struct index_entry *entry, time_t now);

/* The entry for an article's section, author or tag as the article writes
 * it ("Barru"): index keys are the URL form of those names. NULL if none. */
const struct index_entry *listing_entry_named(const struct index *idx, const char *name);

/* Up to max published articles that share a's section or one of its tags,
 * newest first, a itself left out. */
size_t listing_related(const struct snapshot *snap, const struct article *a, time_t now,
                       const struct article **out, size_t max);

/* The published articles just older and just newer than a, by date (NULL
 * when there is none). */
void listing_neighbours(const struct snapshot *snap, const struct article *a, time_t now,
                        const struct article **older, const struct article **newer);

#endif
