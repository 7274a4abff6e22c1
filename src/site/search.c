#include "search_parts.h"

#include "alloc.h"
#include "article.h"
#include "text.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <libstemmer.h>
#include <utf8proc.h>

/* Field weights: a word in the title says more about an article than one
 * in its summary, its authors, tags or section, which say more than one in
 * the body. */
enum { WEIGHT_TITLE = 8, WEIGHT_SUMMARY = 3, WEIGHT_META = 3, WEIGHT_BODY = 1 };

/* Ids added since the sorted order was made that a prefix looks through
 * one by one, before the order is made again (merged, not sorted). */
enum { SORTED_TAIL_MIN = 1024, SORTED_TAIL_SHARE = 8 };

static void chunk_place(uint32_t id, size_t *chunk, size_t *offset)
{
	uint64_t n = (uint64_t)id + (1u << CHUNK_BASE_BITS);
	size_t bit = 63 - (size_t)__builtin_clzll(n);
	*chunk = bit - CHUNK_BASE_BITS;
	*offset = (size_t)(n - (1ULL << bit));
}

const char *search_vocab_term(const struct search_vocab *vocab, uint32_t id)
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
	atomic_init(&vocab->n_slots, 1); /* slot 0: words kept whole */
	vocab->memo = xcalloc((size_t)1 << STEM_MEMO_BITS, sizeof *vocab->memo);
	pthread_mutex_init(&vocab->uid_lock, NULL);
	return vocab;
}

void search_vocab_free(struct search_vocab *vocab)
{
	if (vocab == NULL)
		return;
	for (uint32_t id = 0; id < vocab->n_terms; id++)
		free((char *)search_vocab_term(vocab, id));
	for (size_t k = 0; k < MAX_CHUNKS; k++)
		free(vocab->chunks[k]);
	for (size_t i = 0; i < vocab->n_retired; i++)
		table_free(vocab->retired[i]);
	free(vocab->retired);
	table_free(atomic_load(&vocab->table));
	for (size_t k = 0; k < MAX_SLOTS; k++)
		sb_stemmer_delete(vocab->stemmers[k]);
	free(vocab->memo);
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
		const char *known = search_vocab_term(vocab, id);
		if (strncmp(known, term, len) == 0 && known[len] == '\0')
			return id;
	}
}

int64_t search_vocab_find(const struct search_vocab *vocab, const char *key, size_t len)
{
	return vocab_find(vocab, key, len, text_hash(key, len));
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
		const char *term = search_vocab_term(vocab, id);
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

bool search_is_word_char(int32_t c)
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

void search_each_word(const char *text, size_t len,
                      void (*fn)(const char *word, size_t len, void *ctx), void *ctx)
{
	size_t i = 0, start = 0;
	bool in_word = false;
	while (i < len) {
		int32_t c;
		/* A bad byte reads as U+FFFD, which is no word character. */
		size_t n = text_decode(text, len, i, &c);
		bool word = search_is_word_char(c);
		if (word && !in_word)
			start = i;
		if (!word && in_word)
			fn(text + start, i - start, ctx);
		in_word = word;
		i += n;
	}
	if (in_word)
		fn(text + start, len - start, ctx);
}

bool search_language_code(const char *lang, char code[SLOT_CODE_BYTES])
{
	size_t n = lang != NULL ? strcspn(lang, "-_") : 0;
	if (n == 0 || n >= SLOT_CODE_BYTES)
		return false;
	for (size_t i = 0; i < n; i++)
		code[i] = (char)(lang[i] >= 'A' && lang[i] <= 'Z' ? lang[i] - 'A' + 'a' : lang[i]);
	code[n] = '\0';
	return true;
}

size_t search_term_key(struct sb_stemmer *stemmer, uint8_t slot, const char *w, size_t len,
                       char key[2 + 4 * MAX_TERM_BYTES])
{
	if (len > MAX_TERM_BYTES)
		return 0;
	const char *stem = w;
	size_t n = len;
	if (stemmer != NULL) {
		const sb_symbol *s = sb_stemmer_stem(stemmer, (const sb_symbol *)w, (int)len);
		int sn = sb_stemmer_length(stemmer);
		if (s != NULL && sn > 0 && (size_t)sn <= 4 * MAX_TERM_BYTES) {
			stem = (const char *)s;
			n = (size_t)sn;
		}
	}
	key[0] = (char)(slot + 1);
	memcpy(key + 1, stem, n);
	key[n + 1] = '\0';
	return n + 1;
}

/* The slot of an article in language lang: its Snowball algorithm's,
 * added on first sight, else slot 0. Loader thread only. */
static uint8_t vocab_slot(struct search_vocab *vocab, const char *lang)
{
	char code[SLOT_CODE_BYTES];
	if (!search_language_code(lang, code))
		return 0;
	uint32_t n = atomic_load_explicit(&vocab->n_slots, memory_order_relaxed);
	for (uint32_t k = 1; k < n; k++)
		if (strcmp(vocab->slot_codes[k], code) == 0)
			return (uint8_t)k;
	for (size_t k = 0; k < vocab->n_unstemmed; k++)
		if (strcmp(vocab->unstemmed[k], code) == 0)
			return 0;
	struct sb_stemmer *stemmer = n < MAX_SLOTS ? sb_stemmer_new(code, NULL) : NULL;
	if (stemmer == NULL) {
		if (vocab->n_unstemmed < MAX_SLOTS)
			strcpy(vocab->unstemmed[vocab->n_unstemmed++], code);
		return 0;
	}
	strcpy(vocab->slot_codes[n], code);
	vocab->stemmers[n] = stemmer;
	atomic_store_explicit(&vocab->n_slots, n + 1, memory_order_release);
	return (uint8_t)n;
}

/* The term id of folded word w in slot: from the memo, else stemmed and
 * added. */
static uint32_t vocab_word(struct search_vocab *vocab, uint8_t slot, const char *w, size_t len)
{
	uint64_t hash = text_hash(w, len) ^ ((uint64_t)slot * 0x9e3779b97f4a7c15u);
	hash |= 1; /* 0 marks an empty entry */
	struct stem_memo *m = &vocab->memo[hash & (((size_t)1 << STEM_MEMO_BITS) - 1)];
	if (m->hash == hash)
		return m->id;
	char key[2 + 4 * MAX_TERM_BYTES];
	size_t n = search_term_key(vocab->stemmers[slot], slot, w, len, key);
	uint32_t id = vocab_add(vocab, key, n);
	*m = (struct stem_memo){hash, id};
	return id;
}

/* An article's terms while they are counted: id -> score, open addressing. */
struct term_counter {
	struct search_vocab *vocab;
	uint8_t slot;
	uint32_t *ids; /* id + 1, 0 empty */
	uint32_t *scores;
	size_t mask;
	size_t n;
	int weight;
	uint16_t *seq; /* the words in order, for phrases */
	size_t n_seq, seq_cap;
	size_t words;
};

static void seq_push(struct term_counter *c, uint16_t v)
{
	if (c->n_seq == c->seq_cap) {
		c->seq_cap = c->seq_cap ? c->seq_cap * 2 : 256;
		c->seq = xreallocarray(c->seq, c->seq_cap, sizeof *c->seq);
	}
	c->seq[c->n_seq++] = v;
}

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
	if (len > MAX_TERM_BYTES) {
		seq_push(c, SEQ_BREAK);
		return;
	}
	if ((c->n + 1) * 2 > c->mask + 1)
		counter_grow(c);
	uint32_t id = vocab_word(c->vocab, c->slot, word, len);
	counter_slot_add(c, id, (uint32_t)c->weight);
	seq_push(c, search_seq_of(id));
	c->words++;
}

static void count_text(struct term_counter *c, const char *text, int weight)
{
	if (text == NULL || *text == '\0')
		return;
	char *folded = text_fold(text, strlen(text));
	c->weight = weight;
	search_each_word(folded, strlen(folded), count_word, c);
	free(folded);
	seq_push(c, SEQ_BREAK);
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
	struct term_counter c = {.vocab = vocab, .slot = vocab_slot(vocab, a->meta.lang), .mask = 63};
	c.ids = xcalloc(c.mask + 1, sizeof *c.ids);
	c.scores = xcalloc(c.mask + 1, sizeof *c.scores);
	count_text(&c, a->meta.title, WEIGHT_TITLE);
	count_text(&c, a->meta.summary, WEIGHT_SUMMARY);
	for (size_t i = 0; i < a->meta.n_authors; i++)
		count_text(&c, a->meta.authors[i], WEIGHT_META);
	for (size_t i = 0; i < a->meta.n_tags; i++)
		count_text(&c, a->meta.tags[i], WEIGHT_META);
	count_text(&c, a->meta.section, WEIGHT_META);
	for (size_t i = 0; i < a->n_blocks; i++)
		count_block(&c, &a->blocks[i]);

	struct search_terms *terms = xmalloc(sizeof *terms + c.n * (sizeof *terms->ids + sizeof *terms->scores)
	                                     + c.n_seq * sizeof *terms->seq);
	terms->vocab = vocab;
	terms->uid = uid_take(vocab);
	terms->story = terms->uid;
	terms->slot = c.slot;
	terms->length = c.words > UINT16_MAX ? UINT16_MAX : (uint16_t)c.words;
	terms->scores = (uint16_t *)(terms->ids + c.n);
	terms->seq = terms->scores + c.n;
	terms->n_seq = c.n_seq;
	if (c.n_seq > 0)
		memcpy(terms->seq, c.seq, c.n_seq * sizeof *terms->seq);
	free(c.seq);
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

void search_terms_set_story(struct search_terms *terms, uint32_t story)
{
	terms->story = story;
}

uint32_t search_terms_uid(const struct search_terms *terms)
{
	return terms->uid;
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

const struct term_list *search_index_list(const struct search_index *idx, uint32_t id)
{
	return id < idx->n_terms ? idx->blocks[id >> BLOCK_BITS]->lists[id & (BLOCK_TERMS - 1)] : NULL;
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
	idx->n_slots = atomic_load_explicit(&((struct search_vocab *)vocab)->n_slots,
	                                    memory_order_acquire);
	idx->shared_stories = false;
	idx->sorted = NULL;
	double words = 0;
	for (size_t i = 0; i < n; i++) {
		idx->terms[i] = terms[i];
		idx->uid_pos[terms[i]->uid] = (uint32_t)i;
		words += terms[i]->length;
		if (terms[i]->story != terms[i]->uid)
			idx->shared_stories = true;
	}
	idx->avg_length = n > 0 && words > 0 ? words / (double)n : 1;
	return idx;
}

/* ---- term ids in the order of their strings, for prefixes ---- */

struct named_id {
	const char *term;
	uint32_t id;
};

static int by_term(const void *a, const void *b)
{
	return strcmp(((const struct named_id *)a)->term, ((const struct named_id *)b)->term);
}

static struct sorted_terms *sorted_new(uint32_t upto)
{
	struct sorted_terms *s = xmalloc(sizeof *s + (size_t)upto * sizeof *s->ids);
	atomic_init(&s->refs, 1);
	s->upto = upto;
	return s;
}

static void sorted_drop(struct sorted_terms *s)
{
	if (s != NULL && atomic_fetch_sub(&s->refs, 1) == 1)
		free(s);
}

/* The ids from..upto, sorted by their strings. */
static struct named_id *sorted_range(const struct search_vocab *vocab, uint32_t from, uint32_t upto)
{
	struct named_id *named = xmalloc(((size_t)(upto - from) + 1) * sizeof *named);
	for (uint32_t id = from; id < upto; id++)
		named[id - from] = (struct named_id){search_vocab_term(vocab, id), id};
	qsort(named, upto - from, sizeof *named, by_term);
	return named;
}

/*
 * idx's order: prev's (shared) while the ids added since are few enough
 * to look through one by one, else prev's merged with those ids sorted
 * (the whole vocabulary sorted when there is no prev). The merge is linear
 * and comes once per SORTED_TAIL_SHARE-th growth, so a publish rarely
 * pays it.
 */
static void index_sort_terms(struct search_index *idx, const struct sorted_terms *prev)
{
	uint32_t have = prev != NULL ? prev->upto : 0;
	uint32_t tail = idx->n_terms - have;
	if (prev != NULL && (tail <= SORTED_TAIL_MIN || tail <= have / SORTED_TAIL_SHARE)) {
		atomic_fetch_add_explicit(&((struct sorted_terms *)prev)->refs, 1, memory_order_relaxed);
		idx->sorted = (struct sorted_terms *)prev;
		return;
	}
	struct named_id *fresh = sorted_range(idx->vocab, have, idx->n_terms);
	struct sorted_terms *s = sorted_new(idx->n_terms);
	size_t i = 0, j = 0, out = 0;
	while (i < have || j < tail) {
		bool take_old = j == tail ||
		                (i < have && strcmp(search_vocab_term(idx->vocab, prev->ids[i]),
		                                    fresh[j].term) < 0);
		s->ids[out++] = take_old ? prev->ids[i++] : fresh[j++].id;
	}
	free(fresh);
	idx->sorted = s;
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
			index_list(idx, t)->items[count[t]++] = (struct posting){uid, at->scores[k], at->length};
		}
	}
	free(count);
	index_sort_terms(idx, NULL);
	return idx;
}

/* A posting that an update adds to or removes from a term's list. */
struct change {
	uint32_t term;
	uint32_t uid;
	uint16_t score;
	uint16_t length;
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
		c->items[c->n++] = (struct change){terms->ids[k], terms->uid, terms->scores[k], terms->length,
		                                  add};
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
			list->items[out++] = (struct posting){c[k].uid, c[k].score, c[k].length};
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
	index_sort_terms(idx, prev->sorted);
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
	sorted_drop(idx->sorted);
	free(idx);
}

