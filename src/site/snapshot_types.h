#ifndef KABAR_SNAPSHOT_TYPES_H
#define KABAR_SNAPSHOT_TYPES_H

/*
 * PRIVATE to the snapshot's modules (snapshot.c and the snapshot_*.c that
 * build it): the types behind struct snapshot and struct snapshot_builder.
 * Every other file reads a snapshot through snapshot.h alone and must not
 * include this header.
 */

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "article.h"
#include "snapshot.h"
#include "snapshot_files.h"

struct search_terms; /* search.h */
struct search_vocab;

enum index_kind { BY_SECTION, BY_AUTHOR, BY_TAG, BY_MONTH, INDEX_KINDS };

/*
 * One article file as parsed once, with the keys it is filed under, shared
 * by every snapshot that holds it (refs). article NULL: the file never
 * parsed; its path is still hidden from raw serving.
 */
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
	/* One per meta.aliases; NULL where snapshot_alias_refusal refuses it
	 * (outside /news/, not a plain path, a capsule file or folder there). */
	char **alias_paths;
	/* article->path (NULL for none) and its hash, kept here so that
	 * building a snapshot's path table does not visit every article. */
	const char *url;
	uint64_t url_hash;
	/* The address the article asks for, when another article holds it and
	 * this source is a copy served elsewhere (snapshot_address.c); NULL:
	 * url is its own. Owned by the source. */
	char *own_url;
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
	uint32_t claims; /* how many routes ask for key (the first one has it) */
};

/* What an update changed among the sources, so that the rest of the
 * snapshot is patched from prev's instead of built over every source:
 * prev's sources no longer held, and the sources new to this snapshot. */
struct source_changes {
	struct source **removed;
	size_t n_removed;
	struct source **added;
	size_t n_added;
};

struct snapshot_full {
	struct snapshot pub;
	atomic_size_t refs;
	struct source **sources; /* every article file, sorted by path */
	size_t n_sources;
	struct source **listed;  /* parallel to pub.articles */
	/* Parallel to listed too, so that updates and the index count read
	 * memory in order: each listed article's search terms, and its keys
	 * (ids tagged with their kind, KEY_KIND_SHIFT) at
	 * listed_keys[listed_key_start[i]] up to listed_key_start[i + 1]. */
	struct search_terms **listed_terms;
	uint32_t *listed_keys;
	uint32_t *listed_key_start;
	struct source **redirects; /* found by path only, never listed */
	size_t n_redirects;
	size_t *pools[4];        /* the items of the four indexes */
	uint32_t *entry_ids[4];  /* each index entry's key id */
	/* The sources served away from the address they ask for (copies,
	 * snapshot_address.c), in sources' order; the references are
	 * sources'. */
	struct source **displaced;
	size_t n_displaced;
	struct path_slot *paths; /* URL path and aliases -> article */
	size_t paths_mask;
	size_t n_paths; /* keys in paths */
	/* Of every article source (drafts, scheduled, broken ones too), sorted:
	 * never served raw, by any name. */
	struct identity *sources_ids;
	size_t n_sources_ids;
};

enum { KEY_KIND_SHIFT = 30 };

/* How an update moved the listing: prev's positions left out, and for
 * each article put in, the prev position it went before and its new
 * position; all ascending. */
struct listing_moves {
	uint32_t *removed;
	size_t n_removed;
	uint32_t *inserted_before;
	uint32_t *inserted_at;
	size_t n_inserted;
};

struct snapshot_builder {
	const struct vhost *vhost;
	int root_fd;
	struct article_context ctx;
	struct search_vocab *vocab;
	struct key_table keys[INDEX_KINDS];
	/* Per kind, the key ids in key order (strcmp), as of n_sorted ids:
	 * index entries come out sorted without a sort. */
	uint32_t *keys_sorted[INDEX_KINDS];
	uint32_t *key_rank[INDEX_KINDS]; /* the other way: id -> place */
	size_t n_sorted[INDEX_KINDS];
	struct key_table section_names; /* display forms, shared by sources */
	struct scan_settings scan;
};

#endif
