#include "search.h"

#include "alloc.h"
#include "article.h"
#include "text.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Field weights: a word in the title says more about an article than one
 * in its summary, which says more than one in the body. */
enum { WEIGHT_TITLE = 8, WEIGHT_SUMMARY = 3, WEIGHT_BODY = 1 };

/* Longer runs (URLs, base64 blobs) are not words anyone searches for. */
enum { MAX_TERM_BYTES = 64 };

/*
 * Term strings live in chunks that never move: chunk k holds 2^(k+10) ids,
 * so a reader can find term id without a lock while the loader appends.
 */
enum { CHUNK_BASE_BITS = 10, MAX_CHUNKS = 22 };

/* Open addressing; a slot is (hash high 32 bits << 32) | (id + 1), 0 empty,
 * written once with a release store. */
struct vocab_table {
	size_t mask;
	_Atomic uint64_t *slots;
};

struct search_vocab {
	_Atomic(struct vocab_table *) table;
	struct vocab_table **retired; /* grown out of, kept for readers */
	size_t n_retired;
	char **chunks[MAX_CHUNKS];
	uint32_t n_terms;
	/* Article uids: the loader takes them, whoever frees the last
	 * snapshot holding an article's terms gives them back. */
	pthread_mutex_t uid_lock;
	uint32_t next_uid;
	uint32_t *free_uids;
	size_t n_free, free_cap;
};

/* One allocation: the ids, then the scores right after them. uid: the
 * article's number in every index (see search_index), unique among the
 * terms alive in one vocabulary and given back when they are freed. */
struct search_terms {
	struct search_vocab *vocab;
	uint32_t uid;
	size_t n;
	uint16_t *scores;
	uint32_t ids[];
};

struct posting {
	uint32_t uid;
	uint16_t score;
};

/* One term's postings, sorted by uid; immutable, shared by every index
 * that holds the same articles under that term. */
struct term_list {
	atomic_size_t refs;
	size_t n;
	struct posting items[];
};

enum { NO_POS = UINT32_MAX };

/* The lists of BLOCK_TERMS consecutive term ids, shared as a whole by the
 * indexes in which none of them changed: a publish copies the blocks it
 * touches and a few hundred pointers, not one pointer per term. */
enum { BLOCK_BITS = 8, BLOCK_TERMS = 1 << BLOCK_BITS };

struct list_block {
	atomic_size_t refs;
	struct term_list *lists[BLOCK_TERMS]; /* NULL: no article holds the term */
};

/*
 * Postings are keyed by the articles' uids, which do not move when other
 * articles come or go, so an index built from an earlier one copies only
 * the lists of the terms whose articles changed and shares the rest. A
 * query maps uids to positions in its snapshot at the end.
 */
struct search_index {
	const struct search_vocab *vocab;
	uint32_t n_terms;          /* terms with an id below this have a slot */
	struct list_block **blocks; /* term id >> BLOCK_BITS -> block */
	size_t n_blocks;
	uint32_t n_uids;
	uint32_t *uid_pos;         /* uid -> position; NO_POS: not here */
	struct search_terms **terms; /* position -> terms */
	size_t n;
};

static void chunk_place(uint32_t id, size_t *chunk, size_t *offset)
{
	uint64_t n = (uint64_t)id + (1u << CHUNK_BASE_BITS);
	size_t bit = 63 - (size_t)__builtin_clzll(n);
	*chunk = bit - CHUNK_BASE_BITS;
	*offset = (size_t)(n - (1ULL << bit));
}

static const char *vocab_term(const struct search_vocab *vocab, uint32_t id)
{
	size_t chunk, offset;
	chunk_place(id, &chunk, &offset);
	return vocab->chunks[chunk][offset];
}

static struct vocab_table *table_new(size_t capacity)
{
	struct vocab_table *t = xmalloc(sizeof *t);
	t->mask = capacity - 1;
	t->slots = xcalloc(capacity, sizeof *t->slots);
	return t;
}

static void table_free(struct vocab_table *t)
{
	free(t->slots);
	free(t);
}

struct search_vocab *search_vocab_new(void)
{
	struct search_vocab *vocab = xcalloc(1, sizeof *vocab);
	atomic_init(&vocab->table, table_new(1024));
	pthread_mutex_init(&vocab->uid_lock, NULL);
	return vocab;
}

void search_vocab_free(struct search_vocab *vocab)
{
	if (vocab == NULL)
		return;
	for (uint32_t id = 0; id < vocab->n_terms; id++)
		free((char *)vocab_term(vocab, id));
	for (size_t k = 0; k < MAX_CHUNKS; k++)
		free(vocab->chunks[k]);
	for (size_t i = 0; i < vocab->n_retired; i++)
		table_free(vocab->retired[i]);
	free(vocab->retired);
	table_free(atomic_load(&vocab->table));
	pthread_mutex_destroy(&vocab->uid_lock);
	free(vocab->free_uids);
	free(vocab);
}

/* The id of term, or -1. Safe on any thread, concurrently with vocab_add. */
static int64_t vocab_find(const struct search_vocab *vocab, const char *term, size_t len, uint64_t hash)
{
	struct vocab_table *t = atomic_load_explicit(&((struct search_vocab *)vocab)->table,
	                                              memory_order_acquire);
	uint32_t tag = (uint32_t)(hash >> 32);
	for (size_t i = hash & t->mask;; i = (i + 1) & t->mask) {
		uint64_t slot = atomic_load_explicit(&t->slots[i], memory_order_acquire);
		if (slot == 0)
			return -1;
		if ((uint32_t)(slot >> 32) != tag)
			continue;
		uint32_t id = (uint32_t)slot - 1;
		const char *known = vocab_term(vocab, id);
		if (strncmp(known, term, len) == 0 && known[len] == '\0')
			return id;
	}
}

static void table_put(struct vocab_table *t, uint64_t hash, uint64_t slot)
{
	size_t i = hash & t->mask;
	while (atomic_load_explicit(&t->slots[i], memory_order_relaxed) != 0)
		i = (i + 1) & t->mask;
	atomic_store_explicit(&t->slots[i], slot, memory_order_release);
}

/* Doubles the table: the new one is filled first, then published, and the
 * old one is kept because a reader may still be probing it. */
static void vocab_grow(struct search_vocab *vocab)
{
	struct vocab_table *old = atomic_load(&vocab->table);
	struct vocab_table *grown = table_new((old->mask + 1) * 2);
	for (uint32_t id = 0; id < vocab->n_terms; id++) {
		const char *term = vocab_term(vocab, id);
		uint64_t hash = text_hash(term, strlen(term));
		table_put(grown, hash, ((hash >> 32) << 32) | ((uint64_t)id + 1));
	}
	atomic_store_explicit(&vocab->table, grown, memory_order_release);
	vocab->retired = xreallocarray(vocab->retired, vocab->n_retired + 1, sizeof *vocab->retired);
	vocab->retired[vocab->n_retired++] = old;
}

static uint32_t vocab_add(struct search_vocab *vocab, const char *term, size_t len)
{
	uint64_t hash = text_hash(term, len);
	int64_t found = vocab_find(vocab, term, len, hash);
	if (found >= 0)
		return (uint32_t)found;
	uint32_t id = vocab->n_terms;
	size_t chunk, offset;
	chunk_place(id, &chunk, &offset);
	if (vocab->chunks[chunk] == NULL)
		vocab->chunks[chunk] = xcalloc((size_t)1 << (chunk + CHUNK_BASE_BITS), sizeof(char *));
	vocab->chunks[chunk][offset] = xstrndup(term, len);
	vocab->n_terms++;
	struct vocab_table *t = atomic_load(&vocab->table);
	if ((size_t)vocab->n_terms * 2 > t->mask + 1) {
		vocab_grow(vocab); /* includes the new term */
		return id;
	}
	table_put(t, hash, ((hash >> 32) << 32) | ((uint64_t)id + 1));
	return id;
}

static bool is_word_char(utf8proc_int32_t c)
{
	switch (text_category(c)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		return true;
	default:
		return false;
	}
}

/* Calls fn for each word of already folded text. */
static void each_word(const char *folded, void (*fn)(const char *word, size_t len, void *ctx), void *ctx)
{
	size_t len = strlen(folded), i = 0, start = 0;
	bool in_word = false;
	while (i < len) {
		int32_t c;
		/* A bad byte reads as U+FFFD, which is no word character. */
		size_t n = text_decode(folded, len, i, &c);
		bool word = is_word_char(c);
		if (word && !in_word)
			start = i;
		if (!word && in_word && i - start <= MAX_TERM_BYTES)
			fn(folded + start, i - start, ctx);
		in_word = word;
		i += n;
	}
	if (in_word && len - start <= MAX_TERM_BYTES)
		fn(folded + start, len - start, ctx);
}

/* An article's terms while they are counted: id -> score, open addressing. */
struct term_counter {
	struct search_vocab *vocab;
	uint32_t *ids; /* id + 1, 0 empty */
	uint32_t *scores;
	size_t mask;
	size_t n;
	int weight;
};

static void counter_slot_add(struct term_counter *c, uint32_t id, uint32_t score)
{
	size_t i = ((size_t)id * 2654435761u) & c->mask;
	while (c->ids[i] != 0 && c->ids[i] != id + 1)
		i = (i + 1) & c->mask;
	if (c->ids[i] == 0) {
		c->ids[i] = id + 1;
		c->n++;
	}
	c->scores[i] += score;
}

static void counter_grow(struct term_counter *c)
{
	uint32_t *ids = c->ids, *scores = c->scores;
	size_t capacity = c->mask + 1;
	c->mask = capacity * 2 - 1;
	c->ids = xcalloc(capacity * 2, sizeof *c->ids);
	c->scores = xcalloc(capacity * 2, sizeof *c->scores);
	c->n = 0;
	for (size_t i = 0; i < capacity; i++)
		if (ids[i] != 0)
			counter_slot_add(c, ids[i] - 1, scores[i]);
	free(ids);
	free(scores);
}

static void count_word(const char *word, size_t len, void *ctx)
{
	struct term_counter *c = ctx;
	if ((c->n + 1) * 2 > c->mask + 1)
		counter_grow(c);
	counter_slot_add(c, vocab_add(c->vocab, word, len), (uint32_t)c->weight);
}

static void count_text(struct term_counter *c, const char *text, int weight)
{
	if (text == NULL || *text == '\0')
		return;
	char *folded = text_fold(text, strlen(text));
	c->weight = weight;
	each_word(folded, count_word, c);
	free(folded);
}

static void count_block(struct term_counter *c, const struct block *b)
{
	count_text(c, b->text, WEIGHT_BODY);
	count_text(c, b->alt, WEIGHT_BODY);
	if (b->table == NULL)
		return;
	for (size_t i = 0; i < b->table->n_rows * b->table->n_cols; i++)
		count_text(c, b->table->cells[i], WEIGHT_BODY);
}

static uint32_t uid_take(struct search_vocab *vocab)
{
	pthread_mutex_lock(&vocab->uid_lock);
	uint32_t uid = vocab->n_free > 0 ? vocab->free_uids[--vocab->n_free] : vocab->next_uid++;
	pthread_mutex_unlock(&vocab->uid_lock);
	return uid;
}

static void uid_give_back(struct search_vocab *vocab, uint32_t uid)
{
	pthread_mutex_lock(&vocab->uid_lock);
	if (vocab->n_free == vocab->free_cap) {
		vocab->free_cap = vocab->free_cap ? vocab->free_cap * 2 : 256;
		vocab->free_uids = xreallocarray(vocab->free_uids, vocab->free_cap, sizeof *vocab->free_uids);
	}
	vocab->free_uids[vocab->n_free++] = uid;
	pthread_mutex_unlock(&vocab->uid_lock);
}

/* One past the highest uid handed out so far. */
static uint32_t uid_limit(const struct search_vocab *vocab)
{
	pthread_mutex_t *lock = (pthread_mutex_t *)&vocab->uid_lock;
	pthread_mutex_lock(lock);
	uint32_t limit = vocab->next_uid;
	pthread_mutex_unlock(lock);
	return limit;
}

struct search_terms *search_terms_of(struct search_vocab *vocab, const struct article *a)
{
	struct term_counter c = {.vocab = vocab, .mask = 63};
	c.ids = xcalloc(c.mask + 1, sizeof *c.ids);
	c.scores = xcalloc(c.mask + 1, sizeof *c.scores);
	count_text(&c, a->meta.title, WEIGHT_TITLE);
	count_text(&c, a->meta.summary, WEIGHT_SUMMARY);
	for (size_t i = 0; i < a->n_blocks; i++)
		count_block(&c, &a->blocks[i]);

	struct search_terms *terms =
		xmalloc(sizeof *terms + c.n * (sizeof *terms->ids + sizeof *terms->scores));
	terms->vocab = vocab;
	terms->uid = uid_take(vocab);
	terms->scores = (uint16_t *)(terms->ids + c.n);
	terms->n = 0;
	for (size_t i = 0; i <= c.mask; i++) {
		if (c.ids[i] == 0)
			continue;
		terms->ids[terms->n] = c.ids[i] - 1;
		terms->scores[terms->n] = c.scores[i] > UINT16_MAX ? UINT16_MAX : (uint16_t)c.scores[i];
		terms->n++;
	}
	free(c.ids);
	free(c.scores);
	return terms;
}

void search_terms_free(struct search_terms *terms)
{
	if (terms == NULL)
		return;
	uid_give_back(terms->vocab, terms->uid);
	free(terms);
}

static struct term_list *list_new(size_t n)
{
	struct term_list *list = xmalloc(sizeof *list + n * sizeof *list->items);
	atomic_init(&list->refs, 1);
	list->n = n;
	return list;
}

static void list_drop(struct term_list *list)
{
	if (list != NULL && atomic_fetch_sub(&list->refs, 1) == 1)
		free(list);
}

static struct list_block *block_new(void)
{
	struct list_block *block = xcalloc(1, sizeof *block);
	atomic_init(&block->refs, 1);
	return block;
}

static struct list_block *block_hold(struct list_block *block)
{
	atomic_fetch_add_explicit(&block->refs, 1, memory_order_relaxed);
	return block;
}

static void block_drop(struct list_block *block)
{
	if (block == NULL || atomic_fetch_sub(&block->refs, 1) != 1)
		return;
	for (size_t i = 0; i < BLOCK_TERMS; i++)
		list_drop(block->lists[i]);
	free(block);
}

/* A block of one's own holding the same lists as block. */
static struct list_block *block_copy(const struct list_block *block)
{
	struct list_block *copy = block_new();
	for (size_t i = 0; i < BLOCK_TERMS; i++) {
		copy->lists[i] = block->lists[i];
		if (copy->lists[i] != NULL)
			atomic_fetch_add_explicit(&copy->lists[i]->refs, 1, memory_order_relaxed);
	}
	return copy;
}

static struct term_list *index_list(const struct search_index *idx, uint32_t id)
{
	return idx->blocks[id >> BLOCK_BITS]->lists[id & (BLOCK_TERMS - 1)];
}

/* An index with its uid map and no blocks yet. */
static struct search_index *index_new(const struct search_vocab *vocab,
                                      struct search_terms *const *terms, size_t n)
{
	struct search_index *idx = xmalloc(sizeof *idx);
	idx->vocab = vocab;
	idx->n_terms = vocab->n_terms;
	idx->n_blocks = ((size_t)idx->n_terms + BLOCK_TERMS - 1) >> BLOCK_BITS;
	idx->blocks = xcalloc(idx->n_blocks + 1, sizeof *idx->blocks);
	idx->n_uids = uid_limit(vocab);
	idx->uid_pos = xmalloc(((size_t)idx->n_uids + 1) * sizeof *idx->uid_pos);
	memset(idx->uid_pos, 0xff, ((size_t)idx->n_uids + 1) * sizeof *idx->uid_pos);
	idx->terms = xmalloc((n ? n : 1) * sizeof *idx->terms);
	idx->n = n;
	for (size_t i = 0; i < n; i++) {
		idx->terms[i] = terms[i];
		idx->uid_pos[terms[i]->uid] = (uint32_t)i;
	}
	return idx;
}

static bool index_holds(const struct search_index *idx, uint32_t uid)
{
	return uid < idx->n_uids && idx->uid_pos[uid] != NO_POS;
}

/* Two passes (count, then place) visiting the articles in uid order, so
 * that every list comes out sorted by uid. */
struct search_index *search_index_build(const struct search_vocab *vocab,
                                        struct search_terms *const *terms, size_t n)
{
	struct search_index *idx = index_new(vocab, terms, n);
	size_t *count = xcalloc((size_t)idx->n_terms + 1, sizeof *count);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < terms[i]->n; k++)
			count[terms[i]->ids[k]]++;
	for (size_t k = 0; k < idx->n_blocks; k++)
		idx->blocks[k] = block_new();
	for (uint32_t t = 0; t < idx->n_terms; t++) {
		if (count[t] > 0)
			idx->blocks[t >> BLOCK_BITS]->lists[t & (BLOCK_TERMS - 1)] = list_new(count[t]);
		count[t] = 0; /* from here on: how many placed */
	}
	for (uint32_t uid = 0; uid < idx->n_uids; uid++) {
		if (idx->uid_pos[uid] == NO_POS)
			continue;
		const struct search_terms *at = idx->terms[idx->uid_pos[uid]];
		for (size_t k = 0; k < at->n; k++) {
			uint32_t t = at->ids[k];
			index_list(idx, t)->items[count[t]++] = (struct posting){uid, at->scores[k]};
		}
	}
	free(count);
	return idx;
}

/* A posting that an update adds to or removes from a term's list. */
struct change {
	uint32_t term;
	uint32_t uid;
	uint16_t score;
	bool add;
};

struct changes {
	struct change *items;
	size_t n, cap;
};

static void changes_of(struct changes *c, const struct search_terms *terms, bool add)
{
	for (size_t k = 0; k < terms->n; k++) {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 256;
			c->items = xreallocarray(c->items, c->cap, sizeof *c->items);
		}
		c->items[c->n++] = (struct change){terms->ids[k], terms->uid, terms->scores[k], add};
	}
}

static int by_term_then_uid(const void *a, const void *b)
{
	const struct change *x = a, *y = b;
	if (x->term != y->term)
		return x->term < y->term ? -1 : 1;
	return (x->uid > y->uid) - (x->uid < y->uid);
}

/* The first index of list at or after from whose uid is >= uid. */
static size_t lower_uid(const struct term_list *list, size_t from, uint32_t uid)
{
	size_t hi = list->n;
	while (from < hi) {
		size_t mid = from + (hi - from) / 2;
		if (list->items[mid].uid < uid)
			from = mid + 1;
		else
			hi = mid;
	}
	return from;
}

/* old (may be NULL) with the changes of one term (sorted by uid) applied;
 * NULL when nothing is left. The untouched runs between changes are
 * copied whole: a common term's list is long and its changes few. */
static struct term_list *list_apply(const struct term_list *old, const struct change *c, size_t n_c)
{
	size_t n_old = old ? old->n : 0, n_new = n_old;
	for (size_t k = 0; k < n_c; k++)
		n_new = c[k].add ? n_new + 1 : n_new - 1;
	if (n_new == 0)
		return NULL;
	struct term_list *list = list_new(n_new);
	size_t i = 0, out = 0;
	for (size_t k = 0; k < n_c; k++) {
		if (old != NULL) {
			size_t at = lower_uid(old, i, c[k].uid);
			memcpy(list->items + out, old->items + i, (at - i) * sizeof *list->items);
			out += at - i;
			i = at;
		}
		if (c[k].add)
			list->items[out++] = (struct posting){c[k].uid, c[k].score};
		else
			i++; /* the removed article's posting */
	}
	if (n_old > i)
		memcpy(list->items + out, old->items + i, (n_old - i) * sizeof *list->items);
	return list;
}

struct search_index *search_index_update(const struct search_index *prev,
                                         struct search_terms *const *terms, size_t n)
{
	struct search_index *idx = index_new(prev->vocab, terms, n);
	struct changes c = {0};
	/* Uids only grow in number, so idx's map covers every uid of prev's. */
	for (uint32_t uid = 0; uid < idx->n_uids; uid++) {
		bool before = index_holds(prev, uid), now = idx->uid_pos[uid] != NO_POS;
		if (before && !now)
			changes_of(&c, prev->terms[prev->uid_pos[uid]], false);
		else if (now && !before)
			changes_of(&c, idx->terms[idx->uid_pos[uid]], true);
	}
	if (c.n > 0)
		qsort(c.items, c.n, sizeof *c.items, by_term_then_uid);
	for (size_t k = 0; k < idx->n_blocks; k++)
		idx->blocks[k] = k < prev->n_blocks ? block_hold(prev->blocks[k]) : block_new();
	for (size_t at = 0, end; at < c.n; at = end) {
		uint32_t t = c.items[at].term;
		for (end = at + 1; end < c.n && c.items[end].term == t; end++)
			continue;
		size_t k = t >> BLOCK_BITS;
		if (k < prev->n_blocks && idx->blocks[k] == prev->blocks[k]) {
			idx->blocks[k] = block_copy(prev->blocks[k]);
			block_drop(prev->blocks[k]); /* the hold above: prev keeps its own */
		}
		struct term_list **slot = &idx->blocks[k]->lists[t & (BLOCK_TERMS - 1)];
		struct term_list *old = *slot;
		*slot = list_apply(old, c.items + at, end - at);
		list_drop(old);
	}
	free(c.items);
	return idx;
}

void search_index_free(struct search_index *idx)
{
	if (idx == NULL)
		return;
	for (size_t k = 0; k < idx->n_blocks; k++)
		block_drop(idx->blocks[k]);
	free(idx->blocks);
	free(idx->uid_pos);
	free(idx->terms);
	free(idx);
}

/* The query's terms, each with its posting list. */
struct query_term {
	const struct posting *list;
	size_t n;
};

struct query_parse {
	const struct search_index *idx;
	struct query_term *terms;
	size_t n_terms;
	bool missing; /* a term no article holds: nothing can match */
};

static void add_query_word(const char *word, size_t len, void *ctx)
{
	struct query_parse *q = ctx;
	int64_t id = vocab_find(q->idx->vocab, word, len, text_hash(word, len));
	const struct term_list *found = id >= 0 && id < q->idx->n_terms
	                                ? index_list(q->idx, (uint32_t)id) : NULL;
	if (found == NULL) {
		q->missing = true;
		return;
	}
	const struct posting *list = found->items;
	for (size_t i = 0; i < q->n_terms; i++)
		if (q->terms[i].list == list)
			return; /* the same word twice */
	q->terms = xgrowarray(q->terms, q->n_terms, sizeof *q->terms);
	q->terms[q->n_terms].list = list;
	q->terms[q->n_terms].n = found->n;
	q->n_terms++;
}

static int by_list_length(const void *a, const void *b)
{
	const struct query_term *x = a, *y = b;
	return (x->n > y->n) - (x->n < y->n);
}

/* An article that matches: by uid while lists are intersected, then by
 * its position in the snapshot. */
struct hit {
	uint32_t at;
	uint32_t score;
};

static int by_score_then_newest(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return (x->at > y->at) - (x->at < y->at);
}

/* First index at or after from whose uid is >= uid (galloping, since
 * successive calls ask for growing uids). */
static size_t seek(const struct posting *list, size_t n, size_t from, uint32_t uid)
{
	size_t step = 1, hi = from;
	while (hi < n && list[hi].uid < uid) {
		from = hi + 1;
		hi += step;
		step *= 2;
	}
	if (hi > n)
		hi = n;
	while (from < hi) {
		size_t mid = from + (hi - from) / 2;
		if (list[mid].uid < uid)
			from = mid + 1;
		else
			hi = mid;
	}
	return from;
}

/* Keeps the hits that the term's list also holds, adding its score. */
static size_t intersect(struct hit *hits, size_t n_hits, const struct query_term *term)
{
	size_t kept = 0, at = 0;
	for (size_t i = 0; i < n_hits; i++) {
		at = seek(term->list, term->n, at, hits[i].at);
		if (at == term->n)
			break;
		if (term->list[at].uid != hits[i].at)
			continue;
		hits[kept] = hits[i];
		hits[kept].score += term->list[at].score;
		kept++;
	}
	return kept;
}

/* Maps the hits' uids to positions in articles, leaving out the ones not
 * visible at now; returns how many are kept. */
static size_t hits_to_positions(const struct search_index *idx, struct article *const *articles,
                                time_t now, struct hit *hits, size_t n_hits)
{
	size_t kept = 0;
	for (size_t i = 0; i < n_hits; i++) {
		uint32_t pos = idx->uid_pos[hits[i].at];
		if (!article_visible(articles[pos], now))
			continue;
		hits[kept].at = pos;
		hits[kept].score = hits[i].score;
		kept++;
	}
	return kept;
}

size_t search_query(const struct search_index *idx, struct article *const *articles,
                    const char *query, time_t now, size_t *out, size_t max)
{
	if (idx == NULL || query == NULL || max == 0)
		return 0;
	struct query_parse q = {.idx = idx};
	char *folded = text_fold(query, strlen(query));
	each_word(folded, add_query_word, &q);
	free(folded);
	if (q.missing || q.n_terms == 0) {
		free(q.terms);
		return 0;
	}
	/* Start from the rarest term: the candidates only shrink from there. */
	qsort(q.terms, q.n_terms, sizeof *q.terms, by_list_length);
	struct hit *hits = xmalloc((q.terms[0].n ? q.terms[0].n : 1) * sizeof *hits);
	size_t n_hits = q.terms[0].n;
	for (size_t i = 0; i < n_hits; i++)
		hits[i] = (struct hit){q.terms[0].list[i].uid, q.terms[0].list[i].score};
	for (size_t t = 1; t < q.n_terms && n_hits > 0; t++)
		n_hits = intersect(hits, n_hits, &q.terms[t]);
	n_hits = hits_to_positions(idx, articles, now, hits, n_hits);
	qsort(hits, n_hits, sizeof *hits, by_score_then_newest);
	size_t n_out = n_hits < max ? n_hits : max;
	for (size_t i = 0; i < n_out; i++)
		out[i] = hits[i].at;
	free(hits);
	free(q.terms);
	return n_out;
}
