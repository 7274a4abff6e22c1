#include "search.h"

#include "alloc.h"
#include "snapshot.h"
#include "text.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
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
};

/* One allocation: the ids, then the scores right after them. */
struct search_terms {
	size_t n;
	uint16_t *scores;
	uint32_t ids[];
};

struct posting {
	uint32_t pos;
	uint16_t score;
};

struct search_index {
	const struct search_vocab *vocab;
	uint32_t n_terms;  /* terms with an id below this have a list here */
	size_t *offsets;   /* term id -> first posting; n_terms + 1 entries */
	struct posting *postings;
};

uint64_t search_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

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
		uint64_t hash = search_hash(term, strlen(term));
		table_put(grown, hash, ((hash >> 32) << 32) | ((uint64_t)id + 1));
	}
	atomic_store_explicit(&vocab->table, grown, memory_order_release);
	vocab->retired = xreallocarray(vocab->retired, vocab->n_retired + 1, sizeof *vocab->retired);
	vocab->retired[vocab->n_retired++] = old;
}

static uint32_t vocab_add(struct search_vocab *vocab, const char *term, size_t len)
{
	uint64_t hash = search_hash(term, len);
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
	switch (utf8proc_category(c)) {
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
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)folded;
	size_t len = strlen(folded), i = 0, start = 0;
	bool in_word = false;
	while (i < len) {
		utf8proc_int32_t c;
		utf8proc_ssize_t n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &c);
		bool word = n > 0 && is_word_char(c);
		if (n <= 0)
			n = 1;
		if (word && !in_word)
			start = i;
		if (!word && in_word && i - start <= MAX_TERM_BYTES)
			fn(folded + start, i - start, ctx);
		in_word = word;
		i += (size_t)n;
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
	free(terms);
}

/* Two linear passes (count, then place) over every article's terms; the
 * lists come out sorted by position because articles are visited in order. */
struct search_index *search_index_build(const struct search_vocab *vocab,
                                        struct search_terms *const *terms, size_t n)
{
	struct search_index *idx = xmalloc(sizeof *idx);
	idx->vocab = vocab;
	idx->n_terms = vocab->n_terms;
	idx->offsets = xcalloc((size_t)idx->n_terms + 1, sizeof *idx->offsets);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < terms[i]->n; k++)
			idx->offsets[terms[i]->ids[k] + 1]++;
	for (uint32_t t = 0; t < idx->n_terms; t++)
		idx->offsets[t + 1] += idx->offsets[t];
	size_t total = idx->offsets[idx->n_terms];
	idx->postings = xmalloc((total ? total : 1) * sizeof *idx->postings);
	size_t *next = xmalloc(((size_t)idx->n_terms + 1) * sizeof *next);
	memcpy(next, idx->offsets, ((size_t)idx->n_terms + 1) * sizeof *next);
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < terms[i]->n; k++) {
			struct posting *p = &idx->postings[next[terms[i]->ids[k]]++];
			p->pos = (uint32_t)i;
			p->score = terms[i]->scores[k];
		}
	}
	free(next);
	return idx;
}

void search_index_free(struct search_index *idx)
{
	if (idx == NULL)
		return;
	free(idx->offsets);
	free(idx->postings);
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
	int64_t id = vocab_find(q->idx->vocab, word, len, search_hash(word, len));
	if (id < 0 || id >= q->idx->n_terms) {
		q->missing = true;
		return;
	}
	const struct posting *list = q->idx->postings + q->idx->offsets[id];
	for (size_t i = 0; i < q->n_terms; i++)
		if (q->terms[i].list == list)
			return; /* the same word twice */
	q->terms = xreallocarray(q->terms, q->n_terms + 1, sizeof *q->terms);
	q->terms[q->n_terms].list = list;
	q->terms[q->n_terms].n = q->idx->offsets[id + 1] - q->idx->offsets[id];
	q->n_terms++;
}

static int by_list_length(const void *a, const void *b)
{
	const struct query_term *x = a, *y = b;
	return (x->n > y->n) - (x->n < y->n);
}

struct hit {
	uint32_t pos;
	uint32_t score;
};

static int by_score_then_newest(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

/* First index at or after from whose position is >= pos (galloping, since
 * successive calls ask for growing positions). */
static size_t seek(const struct posting *list, size_t n, size_t from, uint32_t pos)
{
	size_t step = 1, hi = from;
	while (hi < n && list[hi].pos < pos) {
		from = hi + 1;
		hi += step;
		step *= 2;
	}
	if (hi > n)
		hi = n;
	while (from < hi) {
		size_t mid = from + (hi - from) / 2;
		if (list[mid].pos < pos)
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
		at = seek(term->list, term->n, at, hits[i].pos);
		if (at == term->n)
			break;
		if (term->list[at].pos != hits[i].pos)
			continue;
		hits[kept] = hits[i];
		hits[kept].score += term->list[at].score;
		kept++;
	}
	return kept;
}

size_t search_query(const struct search_index *idx, const struct snapshot *snap,
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
	size_t n_hits = 0;
	for (size_t i = 0; i < q.terms[0].n; i++) {
		const struct posting *p = &q.terms[0].list[i];
		if (!snapshot_visible(snap->articles[p->pos], now))
			continue;
		hits[n_hits].pos = p->pos;
		hits[n_hits].score = p->score;
		n_hits++;
	}
	for (size_t t = 1; t < q.n_terms && n_hits > 0; t++)
		n_hits = intersect(hits, n_hits, &q.terms[t]);
	qsort(hits, n_hits, sizeof *hits, by_score_then_newest);
	size_t n_out = n_hits < max ? n_hits : max;
	for (size_t i = 0; i < n_out; i++)
		out[i] = hits[i].pos;
	free(hits);
	free(q.terms);
	return n_out;
}
