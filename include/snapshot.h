#ifndef KABAR_SNAPSHOT_H
#define KABAR_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "article.h"
#include "config.h"

/*
 * An immutable view of one site's newsroom: every article, sorted, with its
 * indexes and search index. The loader builds a new snapshot from the
 * previous one plus the files that changed (articles that did not change
 * are shared, not re-read) and swaps it in; nothing in a published snapshot
 * is ever modified, so requests read it without a lock.
 */

/* One entry of an index (a section, author, tag or month): the articles
 * filed under it, as positions in snapshot.articles, newest first. */
struct index_entry {
	char *key;      /* URL form: "barru", "muh-hasyim-hanis", "2022/04" */
	char *name;     /* display form: "Barru", "MUH. HASYIM HANIS, SE, ..." */
	size_t *items;
	size_t n_items;
};

/* Entries sorted by key (strcmp), for bsearch. */
struct index {
	struct index_entry *entries;
	size_t n_entries;
};

struct search_index; /* search.h */

struct snapshot {
	const struct vhost *vhost;
	/* Every article that is not a draft, newest first (ties: by path).
	 * Articles dated in the future are included and skipped by whoever
	 * lists them until their time comes (snapshot_visible). */
	struct article **articles;
	size_t n_articles;
	/* Shared with other snapshots: articles[i] is held through refs. */
	struct index sections;
	struct index authors;
	struct index tags;
	struct index months; /* key "YYYY/MM" */
	struct search_index *search;
	/* Paths relative to the capsule of every article source (drafts too),
	 * sorted: never served as raw files. */
	char **hidden;
	size_t n_hidden;
	char *front_intro; /* the capsule's /index.gmi, shown atop the front page, or NULL */
};

/* True when the article is published at time now (not in the future). */
bool snapshot_visible(const struct article *a, time_t now);

/* The article at URL path (or one of its aliases), or NULL. */
const struct article *snapshot_find_article(const struct snapshot *snap, const char *path);

/* The entry with key, or NULL. */
const struct index_entry *index_find(const struct index *idx, const char *key);

#endif
