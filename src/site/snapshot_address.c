#include "snapshot_address.h"

#include "alloc.h"
#include "article_pack.h"
#include "capsule.h"
#include "links.h"
#include "log.h"
#include "snapshot_paths.h"
#include "snapshot_source.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One listed source with an address, by the address it asks for. */
struct address_use {
	const char *url; /* its own */
	uint64_t hash;
	size_t at; /* in sources, which are in path order */
};

/* Every address asked for, hashed (most probes end on the hash alone),
 * and the fallback addresses given so far. */
struct address_book {
	struct address_use *uses;
	size_t n_uses;
	uint32_t *slots; /* use + 1, 0 empty: the first use of each address */
	size_t mask;
	char **given;
	size_t n_given;
};

static const char *own_url(const struct source *s)
{
	return s->own_url != NULL ? s->own_url : s->url;
}

/* The first use of url, or n_uses. */
static size_t book_find(const struct address_book *book, const char *url, uint64_t hash,
                        size_t *slot)
{
	size_t i = hash & book->mask;
	for (; book->slots[i] != 0; i = (i + 1) & book->mask) {
		const struct address_use *u = &book->uses[book->slots[i] - 1];
		if (u->hash == hash && strcmp(u->url, url) == 0)
			break;
	}
	*slot = i;
	return book->slots[i] != 0 ? book->slots[i] - 1 : book->n_uses;
}

static bool address_taken(const struct address_book *book, const char *url)
{
	size_t slot;
	if (book_find(book, url, text_hash(url, strlen(url)), &slot) < book->n_uses)
		return true;
	for (size_t i = 0; i < book->n_given; i++)
		if (strcmp(book->given[i], url) == 0)
			return true;
	return false;
}

/* "/news/2025/06/guide" for news/guides/zh-hans/guide.md, when that is
 * taken: "/news/2025/06/guide-zh-hans", then "-2", "-3" ... */
static char *free_address(const struct source *s, const struct address_book *book)
{
	const char *end = strrchr(s->path, '/');
	const char *start = end;
	while (start > s->path && start[-1] != '/')
		start--;
	char *folder_name = xstrndup(start, (size_t)(end - start));
	char *folder = text_slug(folder_name);
	free(folder_name);
	char *url = xasprintf("%s-%s", own_url(s), folder);
	for (int k = 2; address_taken(book, url); k++) {
		free(url);
		url = xasprintf("%s-%s-%d", own_url(s), folder, k);
	}
	free(folder);
	return url;
}

/* s served at url, for this snapshot and the ones built from it (the
 * file's own source is shared with older ones). A copy remembers the
 * address its article asks for, so that it gets it back once free. */
static struct source *source_at(struct snapshot_builder *b, const struct source *s,
                                const char *url)
{
	const char *own = own_url(s);
	struct source *copy = source_new(s->path, &s->id);
	if (strcmp(url, own) != 0)
		copy->own_url = xstrdup(own);
	struct article moved = *s->article;
	moved.path = (char *)url;
	copy->article = article_pack_copy(&moved);
	source_derive(b, copy);
	return copy;
}

static void note_change(struct source_changes *changes, struct source *old, struct source *now)
{
	if (changes == NULL)
		return;
	for (size_t i = 0; i < changes->n_added; i++)
		if (changes->added[i] == old) {
			changes->added[i] = now; /* new to this snapshot: never in prev */
			return;
		}
	changes->removed = xgrowarray(changes->removed, changes->n_removed, sizeof *changes->removed);
	changes->removed[changes->n_removed++] = old;
	changes->added = xgrowarray(changes->added, changes->n_added, sizeof *changes->added);
	changes->added[changes->n_added++] = now;
}

/* The settling of one snapshot's sources. Replaced sources are dropped
 * at the end only: the book reads their addresses until then. */
struct settling {
	struct snapshot_builder *b;
	struct source **sources;
	struct source_changes *changes;
	struct source **replaced;
	size_t n_replaced;
};

/* Serves sources[at] at url, when it is not there already. */
static void place(struct settling *st, size_t at, const char *url)
{
	struct source *s = st->sources[at];
	if (strcmp(s->url, url) == 0)
		return;
	st->sources[at] = source_at(st->b, s, url);
	note_change(st->changes, s, st->sources[at]);
	st->replaced = xgrowarray(st->replaced, st->n_replaced, sizeof *st->replaced);
	st->replaced[st->n_replaced++] = s;
}

int snapshot_address_rank(const struct article *x, const struct article *y)
{
	if (x->meta.date.set != y->meta.date.set)
		return x->meta.date.set ? -1 : 1;
	if (x->meta.date.set && x->meta.date.t != y->meta.date.t)
		return x->meta.date.t < y->meta.date.t ? -1 : 1;
	return strcmp(x->source, y->source);
}

int address_rank(const struct source *x, const struct source *y)
{
	return snapshot_address_rank(x->article, y->article);
}

/* By address, then by address_rank of the sources the uses are at. */
struct crowd_order {
	struct source **sources;
};

static int by_url_then_rank(const void *a, const void *b, void *arg)
{
	const struct address_use *x = a, *y = b;
	int c = strcmp(x->url, y->url);
	if (c != 0)
		return c;
	struct source **sources = ((const struct crowd_order *)arg)->sources;
	return address_rank(sources[x->at], sources[y->at]);
}

static void book_open(struct address_book *book, struct source **sources, size_t n)
{
	*book = (struct address_book){0};
	book->uses = xcalloc(n ? n : 1, sizeof *book->uses);
	for (size_t i = 0; i < n; i++) {
		const struct source *s = sources[i];
		if (s->article == NULL || !s->listed || s->url == NULL)
			continue;
		uint64_t hash = s->own_url != NULL ? text_hash(s->own_url, strlen(s->own_url)) : s->url_hash;
		book->uses[book->n_uses++] = (struct address_use){own_url(s), hash, i};
	}
	size_t capacity = 16;
	while (capacity < book->n_uses * 2)
		capacity *= 2;
	book->mask = capacity - 1;
	book->slots = xcalloc(capacity, sizeof *book->slots);
}

static void book_close(struct address_book *book)
{
	for (size_t i = 0; i < book->n_given; i++)
		free(book->given[i]);
	free(book->given);
	free(book->slots);
	free(book->uses);
}

/* The uses of every address asked for twice or more, by address then
 * rank; the others are filed in the book. */
static struct address_use *crowds(struct address_book *book, struct source **sources,
                                  size_t *n_out)
{
	bool *crowded = xcalloc(book->n_uses ? book->n_uses : 1, sizeof *crowded);
	size_t n = 0;
	for (size_t u = 0; u < book->n_uses; u++) {
		size_t slot;
		size_t first = book_find(book, book->uses[u].url, book->uses[u].hash, &slot);
		if (first == book->n_uses) {
			book->slots[slot] = (uint32_t)u + 1;
			continue;
		}
		n += crowded[first] ? 1 : 2;
		crowded[first] = crowded[u] = true;
	}
	struct address_use *list = xcalloc(n ? n : 1, sizeof *list);
	*n_out = 0;
	for (size_t u = 0; u < book->n_uses && *n_out < n; u++)
		if (crowded[u])
			list[(*n_out)++] = book->uses[u];
	free(crowded);
	struct crowd_order order = {sources};
	qsort_r(list, *n_out, sizeof *list, by_url_then_rank, &order);
	return list;
}

static void note_displaced(struct snapshot_full *f)
{
	f->displaced = NULL;
	f->n_displaced = 0;
	for (size_t i = 0; i < f->n_sources; i++) {
		if (f->sources[i]->own_url == NULL)
			continue;
		f->displaced = xgrowarray(f->displaced, f->n_displaced, sizeof *f->displaced);
		f->displaced[f->n_displaced++] = f->sources[i];
	}
}

static void settle_all(struct snapshot_builder *b, struct source **sources, size_t n,
                       struct source_changes *changes)
{
	struct settling st = {b, sources, changes, NULL, 0};
	struct address_book book;
	book_open(&book, sources, n);
	size_t n_crowd;
	struct address_use *crowd = crowds(&book, sources, &n_crowd);
	/* A copy elsewhere whose address is free again goes back to it. */
	for (size_t u = 0; u < book.n_uses; u++) {
		struct source *s = sources[book.uses[u].at];
		size_t slot;
		if (s->own_url != NULL &&
		    book_find(&book, book.uses[u].url, book.uses[u].hash, &slot) == u)
			place(&st, book.uses[u].at, book.uses[u].url);
	}
	for (size_t c = 0, first = 0; c < n_crowd; c++) {
		size_t at = crowd[c].at;
		if (c == 0 || strcmp(crowd[c].url, crowd[c - 1].url) != 0) {
			first = at;
			place(&st, at, crowd[c].url); /* the first by rank keeps it */
			continue;
		}
		char *url = free_address(sources[at], &book);
		if (strcmp(sources[at]->url, url) != 0)
			log_warn("%s: %s is taken by %s; served at %s", sources[at]->path, crowd[c].url,
			         sources[first]->path, url);
		place(&st, at, url);
		book.given = xgrowarray(book.given, book.n_given, sizeof *book.given);
		book.given[book.n_given++] = url;
	}
	free(crowd);
	book_close(&book);
	for (size_t i = 0; i < st.n_replaced; i++)
		source_drop(st.replaced[i]);
	free(st.replaced);
}

void settle_addresses(struct snapshot_builder *b, struct snapshot_full *f)
{
	settle_all(b, f->sources, f->n_sources, NULL);
	note_displaced(f);
}

static bool listed_at_address(const struct source *s)
{
	return s->article != NULL && s->listed && s->url != NULL;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Whether url was held in prev by a listed article other than the
 * removed ones. */
static bool held_in(const struct snapshot_full *prev, const struct source_changes *changes,
                    const char *url)
{
	const struct article *a = paths_find(prev, url);
	if (a == NULL || a->meta.redirect != NULL || strcmp(a->path, url) != 0)
		return false;
	for (size_t i = 0; i < changes->n_removed; i++)
		if (changes->removed[i]->article == a)
			return false;
	return true;
}

/* Whether settling the addresses again could move any: an added address
 * is held already or added twice, or an address added or removed starts
 * with the address a displaced source asks for (it could change which
 * one keeps it, or which fallback is free). Otherwise the outcome is
 * prev's, with the added sources at their own addresses. */
static bool unsettled(const struct snapshot_full *prev, const struct source_changes *changes)
{
	for (size_t i = 0; i < changes->n_added; i++) {
		const struct source *s = changes->added[i];
		if (!listed_at_address(s))
			continue;
		if (s->own_url != NULL || held_in(prev, changes, s->url))
			return true;
		for (size_t k = 0; k < i; k++)
			if (listed_at_address(changes->added[k]) && strcmp(changes->added[k]->url, s->url) == 0)
				return true;
	}
	for (size_t d = 0; d < prev->n_displaced; d++) {
		const char *own = prev->displaced[d]->own_url;
		for (size_t i = 0; i < changes->n_added; i++)
			if (listed_at_address(changes->added[i]) && starts_with(changes->added[i]->url, own))
				return true;
		for (size_t i = 0; i < changes->n_removed; i++)
			if (listed_at_address(changes->removed[i]) &&
			    (starts_with(changes->removed[i]->url, own) || changes->removed[i]->own_url != NULL))
				return true;
	}
	return false;
}

void settle_addresses_update(struct snapshot_builder *b, struct snapshot_full *f,
                             const struct snapshot_full *prev, struct source_changes *changes)
{
	if (unsettled(prev, changes)) {
		settle_all(b, f->sources, f->n_sources, changes);
		note_displaced(f);
		return;
	}
	f->n_displaced = prev->n_displaced;
	f->displaced = xcalloc(f->n_displaced + 1, sizeof *f->displaced);
	if (f->n_displaced > 0)
		memcpy(f->displaced, prev->displaced, f->n_displaced * sizeof *f->displaced);
}

/* ---- Public: the same rule asked by an upload before it is written ---- */

const char *snapshot_alias_refusal(int root_fd, const char *alias)
{
	const char *why = links_alias_refusal(alias);
	if (why != NULL)
		return why;
	struct capsule_entry entry = {.fd = -1};
	capsule_open(root_fd, alias, &entry);
	if (entry.fd >= 0)
		close(entry.fd);
	return entry.kind != CAPSULE_MISSING ? "is a capsule file's or folder's address" : NULL;
}

/* The article other than a's source at address in f, or NULL. */
static const struct article *held_by_other(const struct snapshot_full *f, const struct article *a,
                                           const char *address)
{
	const struct article *holder = paths_find(f, address);
	return holder != NULL && strcmp(holder->source, a->source) != 0 ? holder : NULL;
}

/* The article whose own address alias is the ".gmi" form of, other than
 * a's source, or NULL. */
static const struct article *gmi_form_holder(const struct snapshot_full *f,
                                             const struct article *a, const char *alias)
{
	size_t len = strlen(alias);
	if (!text_ends_with(alias, len, ".gmi"))
		return NULL;
	char *stem = xstrndup(alias, len - strlen(".gmi"));
	const struct article *holder = held_by_other(f, a, stem);
	if (holder != NULL && strcmp(holder->path, stem) != 0)
		holder = NULL;
	free(stem);
	return holder;
}

static int line_or_first(int line)
{
	return line > 0 ? line : 1;
}

/* Whether the version of a's source in f asks for address already (as its
 * own, or as alias k when alias): an edit that keeps its addresses takes
 * nothing new, even where it was displaced. */
static bool asked_before(const struct snapshot_full *f, const struct article *a,
                         const char *address, bool alias)
{
	const struct source *s = sources_find(f->sources, f->n_sources, a->source);
	if (s == NULL || s->article == NULL || !s->listed)
		return false;
	if (!alias)
		return s->url != NULL && strcmp(own_url(s), address) == 0;
	for (size_t k = 0; k < s->article->meta.n_aliases; k++)
		if (strcmp(s->article->meta.aliases[k], address) == 0)
			return true;
	return false;
}

bool snapshot_address_clash(const struct snapshot *snap, int root_fd, const struct article *a,
                            struct buf *reason)
{
	const struct snapshot_full *f = (const struct snapshot_full *)snap;
	const struct article *holder = NULL;
	if (a->path != NULL && !asked_before(f, a, a->path, false))
		holder = held_by_other(f, a, a->path);
	if (holder != NULL) {
		buf_printf(reason, "%s:%d: %s is held by %s", a->source, line_or_first(a->meta.slug_line),
		           a->path, holder->source);
		return true;
	}
	int line = line_or_first(a->meta.aliases_line);
	for (size_t i = 0; i < a->meta.n_aliases; i++) {
		const char *alias = a->meta.aliases[i];
		if (asked_before(f, a, alias, true))
			continue;
		holder = held_by_other(f, a, alias);
		if (holder == NULL)
			holder = gmi_form_holder(f, a, alias);
		if (holder != NULL) {
			buf_printf(reason, "%s:%d: %s is held by %s", a->source, line, alias, holder->source);
			return true;
		}
		const char *why = snapshot_alias_refusal(root_fd, alias);
		if (why != NULL) {
			buf_printf(reason, "%s:%d: alias %s %s", a->source, line, alias, why);
			return true;
		}
	}
	return false;
}
