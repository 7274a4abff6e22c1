#ifndef KABAR_SNAPSHOT_H
#define KABAR_SNAPSHOT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "article.h"
#include "buf.h"
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
struct page_cache;   /* pagecache.h */

struct snapshot {
	const struct vhost *vhost;
	/* Every article that is not a draft nor a redirect, newest first
	 * (ties: by path). Articles dated in the future are included and
	 * skipped by whoever lists them until their time comes
	 * (article_visible). Redirects are found only by path. */
	struct article **articles;
	size_t n_articles;
	/* Shared with other snapshots: articles[i] is held through refs. */
	struct index sections;
	struct index authors;
	struct index tags;
	struct index months; /* key "YYYY/MM" */
	struct search_index *search;
	char *front_intro; /* the capsule's /index.gmi, shown atop the front page, or NULL */
	/* The answers rendered from this snapshot, or NULL (not served): the
	 * one part that fills in after publishing, behind its own lock.
	 * Given by the site when it publishes; freed with the snapshot. */
	struct page_cache *cache;
	/* While the site's first load runs (loading), how many article files
	 * it has read of the total found (0 while it is still looking). */
	struct {
		bool loading;
		size_t read, total;
	} load;
};

/* The article at URL path (or one of its aliases), redirects included,
 * or NULL. */
const struct article *snapshot_find_article(const struct snapshot *snap, const char *path);

/* The article a link to site_path names: by its source file (with or
 * without extension, or a page bundle's folder; links.h), its address or
 * one of its aliases. NULL when it names none. */
const struct article *snapshot_link_target(const struct snapshot *snap, const char *site_path);

/* True when the snapshot has read the source file relpath (relative to the
 * capsule); with ino other than 0, only that very file (dev, ino) counts,
 * so a writer can tell when its new version is in. *article is what the
 * file parsed to (NULL: it did not). */
bool snapshot_holds_source(const struct snapshot *snap, const char *relpath, dev_t dev,
                           ino_t ino, const struct article **article);

/* Drafts and articles dated after now (no redirects): what editors preview
 * and readers never see. *out (the caller frees the array, not the
 * articles) holds them newest first; returns how many. */
size_t snapshot_unpublished(const struct snapshot *snap, time_t now, const struct article ***out);

/* How many article files the snapshot holds that never parsed (could not
 * be read, or refused by the parser): not served, only hidden. */
size_t snapshot_refused(const struct snapshot *snap);

/* The entry with key, or NULL. */
const struct index_entry *index_find(const struct index *idx, const char *key);

/*
 * Building (the loader's side; one thread per site at a time). A builder
 * holds what a site's snapshots are built with: the capsule's directory,
 * the article context and the search vocabulary. Snapshots are reference
 * counted: a new one has one reference, snapshot_drop releases one and the
 * last frees it (and the articles no other snapshot holds).
 */
struct snapshot_builder;

/* Takes no ownership of root_fd; vh must outlive the builder. */
struct snapshot_builder *snapshot_builder_new(const struct vhost *vh, int root_fd);
/* Only once every snapshot it built is freed. */
void snapshot_builder_free(struct snapshot_builder *b);

/* How a scan reads the article files: on how many threads they are parsed
 * (filing them under keys and search terms stays on the scanning thread,
 * in path order, so the snapshot is the same whatever the number), and
 * whom it tells how far it got: progress(arg, read, total) on the scanning
 * thread after every few dozen files. Zeroes: one thread, no progress.
 *
 * A first scan (no prev) with publish set reads the newest files first (by
 * modification time) and, after each stretch of files, asks partial_due
 * whether to show what it has read so far: then publish gets a snapshot of
 * it (the reference passes), with read files of total. A scan stops
 * reading when *stop turns true (its snapshot then lacks the files not
 * read yet): a server that stops does not wait for a long load. */
struct scan_settings {
	int threads;
	void (*progress)(void *arg, size_t read, size_t total);
	bool (*partial_due)(void *arg);
	void (*publish)(void *arg, struct snapshot *snap, size_t read, size_t total);
	void *arg;
	const atomic_bool *stop;
};
void snapshot_builder_set_scan(struct snapshot_builder *b, const struct scan_settings *scan);

/* A snapshot of no article at all: what a site shows before its first
 * load has read anything. */
struct snapshot *snapshot_empty(struct snapshot_builder *b);

/* Walks news/ and reads index.gmi. Files that have not changed since prev
 * (same inode, size and modification time) are shared with prev, not
 * re-read; prev may be NULL. */
struct snapshot *snapshot_scan(struct snapshot_builder *b, const struct snapshot *prev);

/* prev with the given capsule paths read again: a file is re-read (or gone),
 * a directory walked (or everything under it gone). A file that no longer
 * parses keeps its previous good version. */
struct snapshot *snapshot_update(struct snapshot_builder *b, const struct snapshot *prev,
                                 char *const *paths, size_t n_paths);

void snapshot_hold(struct snapshot *snap);
void snapshot_drop(struct snapshot *snap);

/*
 * Who holds an address (an article's own, an alias, a ".gmi" form).
 * Below 0 when x keeps an address both x and y ask for, above when y
 * does: the earlier date, then the earlier source path. A published
 * article is dated no later than now and a scheduled one after it, so an
 * unpublished article never displaces a published one; drafts ask for no
 * address at all. The rule reads only the articles, never the order they
 * were read in nor the clock: a restart, a fresh scan and an update give
 * the same answer.
 */
int snapshot_address_rank(const struct article *x, const struct article *y);

/* Why alias may not be served, or NULL: links_alias_refusal's reasons,
 * or "is a capsule file's or folder's address" when one (capsule.h,
 * whatever its kind) is there (root_fd, the capsule). An alias another
 * article holds is the path table's to refuse (and
 * snapshot_address_clash's). */
const char *snapshot_alias_refusal(int root_fd, const char *alias);

/*
 * Whether article a, parsed from its source (a capsule path, as an upload
 * would write it) and not yet in snap, asks for an address another
 * article holds in snap: its own address held by another, or an alias
 * that is another article's address, alias or the ".gmi" form of its
 * address, or that snapshot_alias_refusal refuses (root_fd, the capsule).
 * An older version of the same source holds nothing against it, and an
 * address that version asked for already is no clash (an edit of an
 * article displaced before stays where it was). True
 * with reason set to "SOURCE:LINE: ADDRESS is held by HOLDER" (HOLDER the
 * other article's source path) or "SOURCE:LINE: alias ADDRESS REASON",
 * for Titan to answer 59 with.
 */
bool snapshot_address_clash(const struct snapshot *snap, int root_fd, const struct article *a,
                            struct buf *reason);

/* True when the opened file (capsule.h) is an article source, drafts and
 * scheduled ones too, reached by whatever name or link: it is never served
 * as a raw file nor listed. Decided on where the file really is and on its
 * identity, never on the spelling of the request. */
struct capsule_entry;
bool snapshot_hides_entry(const struct snapshot *snap, const struct capsule_entry *entry);

#endif
