#ifndef KABAR_PAGECACHE_H
#define KABAR_PAGECACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "capsule.h"
#include "request.h"
#include "site.h"
#include "snapshot.h"

/*
 * Render once, serve many. Each published snapshot has a cache of the
 * finished answers (header included) of its generated pages, filled on the
 * first request for each and freed with the snapshot. A page is keyed by
 * everything it is rendered from besides the snapshot: its path, the
 * protocol, and the host, port and TLS of the origin its links name.
 *
 * A page also depends on the clock, through articles dated in the future:
 * each one appears at its time. So the cache holds pages for one window of
 * time, from when it was last emptied until the next such article's time;
 * the first request after that empties it. Its bytes are bounded too
 * (PAGE_CACHE_BYTES): when a page would pass the bound, the cache starts
 * over. Answers being sent live on in their connections either way.
 *
 * Search answers are never kept: callers keep only pages asked for
 * without a query.
 */

/* The most bytes of answers one snapshot's cache holds. */
#define PAGE_CACHE_BYTES (64u << 20)

struct page_cache;

struct page_key {
	const char *path;
	enum output out;
	const char *host;
	int port;
	bool tls;
};

struct page_cache *page_cache_new(void);
/* NULL is ignored. */
void page_cache_free(struct page_cache *cache);

/* When snap's cache holds the page at key for time now, res gets it (a
 * held answer, its status set) and the result is true. False for a
 * snapshot without a cache. */
bool page_cache_answer(const struct snapshot *snap, const struct page_key *key, time_t now,
                       struct response *res);

/* After a route answered key with a page in res->head, rendered at a time
 * between from and to: the head becomes a shared answer (res->page), kept
 * in snap's cache when it is still right for the cache's window. Nothing
 * changes for a snapshot without a cache. */
void page_cache_keep(const struct snapshot *snap, const struct page_key *key, time_t from,
                     time_t to, struct response *res);

/*
 * Small capsule files are kept too, under the key of the request they
 * answer, with the identity of the file they were read from (device,
 * inode, size, modification time to the nanosecond). page_cache_answer
 * serves such bytes only within the second they were last checked in;
 * after it, the caller opens the file again under the access rules (a
 * file hidden, replaced by a link or turned into an article is decided on
 * there) and page_cache_file_answer gives the kept bytes if the file it
 * opened is the one they were read from, counting that as the check. So
 * a changed file is served fresh within a second, at one open a second.
 */
bool page_cache_file_answer(const struct snapshot *snap, const struct page_key *key,
                            const struct capsule_entry *file, time_t now, struct response *res);
/* After the caller answered key with the bytes of file (opened and allowed
 * at time now) in res->head: the head becomes a shared answer (res->page),
 * kept as the file's, replacing what was kept for an older version of it. */
void page_cache_keep_file(const struct snapshot *snap, const struct page_key *key,
                          const struct capsule_entry *file, time_t now, struct response *res);

/* Answers held by the cache and their bytes (for tests). */
size_t page_cache_count(struct page_cache *cache);
size_t page_cache_bytes(struct page_cache *cache);

#endif
