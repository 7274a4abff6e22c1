#include "pagecache.h"

#include "alloc.h"
#include "answer.h"
#include "article.h"
#include "buf.h"
#include "capsule.h"
#include "text.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { FIRST_SLOTS = 64 };

/* The capsule file a kept answer was read from, as capsule_open saw it. */
struct file_identity {
	dev_t dev;
	ino_t ino;
	off_t size;
	time_t mtime;
	long mtime_nsec;
};

struct entry {
	char *key; /* NULL: an empty slot */
	size_t key_len;
	uint64_t hash;
	struct answer *answer;
	bool is_file;            /* a capsule file's bytes, not a rendered page */
	struct file_identity file;
	time_t checked;          /* is_file: the second the file was last looked at */
};

/*
 * An open-addressing table, at most half full, behind one mutex: a lookup
 * holds it for a hash probe and a reference count, and rendering happens
 * outside it. Entries are never removed one by one, only all at once.
 */
struct page_cache {
	pthread_mutex_t lock;
	/* The window of time the entries are right for: [from, until), or
	 * from onwards when no article waits for its time. */
	bool window_open;
	bool forever;
	time_t from, until;
	struct entry *slots;
	size_t mask;
	size_t count;
	size_t bytes;
};

struct page_cache *page_cache_new(void)
{
	struct page_cache *cache = xcalloc(1, sizeof *cache);
	pthread_mutex_init(&cache->lock, NULL);
	cache->slots = xcalloc(FIRST_SLOTS, sizeof *cache->slots);
	cache->mask = FIRST_SLOTS - 1;
	return cache;
}

static void clear(struct page_cache *cache)
{
	for (size_t i = 0; i <= cache->mask; i++) {
		struct entry *e = &cache->slots[i];
		if (e->key == NULL)
			continue;
		free(e->key);
		answer_drop(e->answer);
		*e = (struct entry){0};
	}
	cache->count = 0;
	cache->bytes = 0;
}

void page_cache_free(struct page_cache *cache)
{
	if (cache == NULL)
		return;
	clear(cache);
	free(cache->slots);
	pthread_mutex_destroy(&cache->lock);
	free(cache);
}

/* One byte string per key; the NULs keep host and path apart. */
static void key_bytes(struct buf *out, const struct page_key *key)
{
	buf_printf(out, "%c%c%d", key->out == OUTPUT_GEMINI ? 'g' : 'o', key->tls ? 's' : 'p',
	           key->port);
	buf_putc(out, '\0');
	buf_puts(out, key->host != NULL ? key->host : "");
	buf_putc(out, '\0');
	buf_puts(out, key->path);
}

/* The slot holding key, or the empty slot where it would go. */
static struct entry *probe(const struct page_cache *cache, const struct buf *key, uint64_t hash)
{
	for (size_t i = hash & cache->mask;; i = (i + 1) & cache->mask) {
		struct entry *e = &cache->slots[i];
		if (e->key == NULL)
			return e;
		if (e->hash == hash && e->key_len == key->len && memcmp(e->key, key->data, key->len) == 0)
			return e;
	}
}

static void grow(struct page_cache *cache)
{
	struct entry *old = cache->slots;
	size_t old_slots = cache->mask + 1;
	cache->mask = old_slots * 2 - 1;
	cache->slots = xcalloc(old_slots * 2, sizeof *cache->slots);
	for (size_t i = 0; i < old_slots; i++) {
		if (old[i].key == NULL)
			continue;
		size_t at = old[i].hash & cache->mask;
		while (cache->slots[at].key != NULL)
			at = (at + 1) & cache->mask;
		cache->slots[at] = old[i];
	}
	free(old);
}

static bool in_window(const struct page_cache *cache, time_t t)
{
	return cache->window_open && t >= cache->from && (cache->forever || t < cache->until);
}

/*
 * Empties the cache and opens the window that holds now: until the first
 * article that article_visible does not show yet. Between from and until
 * no article changes sides. One pass over the articles, once per window.
 */
static void open_window(struct page_cache *cache, const struct snapshot *snap, time_t now)
{
	clear(cache);
	cache->window_open = true;
	cache->forever = true;
	cache->from = now;
	for (size_t i = 0; i < snap->n_articles; i++) {
		const struct article *a = snap->articles[i];
		if (article_visible(a, now))
			continue;
		if (cache->forever || a->meta.date.t < cache->until)
			cache->until = a->meta.date.t;
		cache->forever = false;
	}
}

/* A request's key as bytes (in kb) and their hash. */
static uint64_t key_of(struct buf *kb, const struct page_key *key)
{
	key_bytes(kb, key);
	return text_hash(kb->data, kb->len);
}

/* Begins keeping a response: its bytes become one shared answer, which
 * it now sends (returned), the key goes into kb, and the cache is locked. */
static struct answer *keep_begin(struct page_cache *cache, const struct page_key *key,
                                 struct response *res, struct buf *kb, uint64_t *hash)
{
	struct answer *a = answer_new(&res->head, res->status);
	answer_drop(res->page);
	res->page = a;
	*hash = key_of(kb, key);
	pthread_mutex_lock(&cache->lock);
	return a;
}
/* Ends a look-up begun with the cache locked and the key in kb: the
 * answer found (if any) is held for the response, then the lock and the
 * key are let go. */
static bool hand_over(struct page_cache *cache, struct buf *kb, struct answer *found,
                      struct response *res)
{
	if (found != NULL)
		answer_hold(found);
	pthread_mutex_unlock(&cache->lock);
	buf_free(kb);
	if (found == NULL)
		return false;
	res->page = found;
	res->status = found->status;
	return true;
}
bool page_cache_answer(const struct snapshot *snap, const struct page_key *key, time_t now,
                       struct response *res)
{
	struct page_cache *cache = snap->cache;
	if (cache == NULL)
		return false;
	struct buf kb = {0};
	uint64_t hash = key_of(&kb, key);
	pthread_mutex_lock(&cache->lock);
	if (!in_window(cache, now))
		open_window(cache, snap, now);
	struct entry *e = probe(cache, &kb, hash);
	/* A file's bytes only in the second it was last checked in. */
	struct answer *found = e->is_file && e->checked != now ? NULL : e->answer;
	return hand_over(cache, &kb, found, res);
}

/* The entry now holding a (NULL when a is too large to keep). */
static struct entry *insert(struct page_cache *cache, struct buf *kb, uint64_t hash,
                            struct answer *a)
{
	size_t size = a->len + kb->len;
	if (size > PAGE_CACHE_BYTES)
		return NULL;
	if (cache->bytes + size > PAGE_CACHE_BYTES)
		clear(cache);
	if (2 * (cache->count + 1) > cache->mask + 1)
		grow(cache);
	struct entry *e = probe(cache, kb, hash);
	if (e->key != NULL)
		return e; /* another request rendered it meanwhile */
	e->key_len = kb->len;
	e->key = buf_steal(kb);
	e->hash = hash;
	e->answer = a;
	answer_hold(a);
	cache->count++;
	cache->bytes += size;
	return e;
}

static struct file_identity identity_of(const struct capsule_entry *file)
{
	return (struct file_identity){file->dev, file->ino, file->size, file->mtime, file->mtime_nsec};
}

static bool same_file(const struct file_identity *a, const struct file_identity *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime == b->mtime &&
	       a->mtime_nsec == b->mtime_nsec;
}

bool page_cache_file_answer(const struct snapshot *snap, const struct page_key *key,
                            const struct capsule_entry *file, time_t now, struct response *res)
{
	struct page_cache *cache = snap->cache;
	if (cache == NULL)
		return false;
	struct file_identity id = identity_of(file);
	struct buf kb = {0};
	uint64_t hash = key_of(&kb, key);
	pthread_mutex_lock(&cache->lock);
	struct answer *found = NULL;
	if (in_window(cache, now)) {
		struct entry *e = probe(cache, &kb, hash);
		if (e->is_file && same_file(&e->file, &id)) {
			e->checked = now;
			found = e->answer;
		}
	}
	return hand_over(cache, &kb, found, res);
}

/* The kept bytes of a file that changed give way to its new ones; a page
 * kept under the same key stays. Returns the entry holding a, or NULL. */
static struct entry *keep_file_answer(struct page_cache *cache, struct buf *kb, uint64_t hash,
                                      struct answer *a)
{
	struct entry *e = probe(cache, kb, hash);
	if (e->key == NULL)
		return insert(cache, kb, hash, a);
	if (!e->is_file)
		return NULL;
	size_t bytes = cache->bytes - e->answer->len + a->len;
	if (bytes > PAGE_CACHE_BYTES) {
		clear(cache);
		return insert(cache, kb, hash, a);
	}
	answer_drop(e->answer);
	e->answer = a;
	answer_hold(a);
	cache->bytes = bytes;
	return e;
}

/* Keeps a response under key: a page rendered with a clock between from
 * and to (right for the window only if the window holds both), or, with
 * file, that capsule file's bytes as checked at from == to. */
static void keep(const struct snapshot *snap, const struct page_key *key, time_t from, time_t to,
                 const struct capsule_entry *file, struct response *res)
{
	struct page_cache *cache = snap->cache;
	if (cache == NULL)
		return;
	struct buf kb = {0};
	uint64_t hash;
	struct answer *a = keep_begin(cache, key, res, &kb, &hash);
	bool right = in_window(cache, from) && in_window(cache, to);
	if (right && file == NULL)
		insert(cache, &kb, hash, a);
	struct entry *e = right && file != NULL ? keep_file_answer(cache, &kb, hash, a) : NULL;
	if (e != NULL && e->answer == a) {
		e->is_file = true;
		e->file = identity_of(file);
		e->checked = to;
	}
	pthread_mutex_unlock(&cache->lock);
	buf_free(&kb);
}

void page_cache_keep(const struct snapshot *snap, const struct page_key *key, time_t from,
                     time_t to, struct response *res)
{
	keep(snap, key, from, to, NULL, res);
}

void page_cache_keep_file(const struct snapshot *snap, const struct page_key *key,
                          const struct capsule_entry *file, time_t now, struct response *res)
{
	keep(snap, key, now, now, file, res);
}

size_t page_cache_count(struct page_cache *cache)
{
	pthread_mutex_lock(&cache->lock);
	size_t n = cache->count;
	pthread_mutex_unlock(&cache->lock);
	return n;
}

size_t page_cache_bytes(struct page_cache *cache)
{
	pthread_mutex_lock(&cache->lock);
	size_t n = cache->bytes;
	pthread_mutex_unlock(&cache->lock);
	return n;
}
