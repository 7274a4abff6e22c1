#ifndef KABAR_SEARCH_PARTS_H
#define KABAR_SEARCH_PARTS_H

/* What search.c (the vocabulary, the terms, the index) and search_query.c
 * (queries and snippets) share; no other module includes it. */

#include "search.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct sb_stemmer;

/* Longer runs (URLs, base64 blobs) are not words anyone searches for. */
enum { MAX_TERM_BYTES = 64 };

/*
 * A term is a stem behind one byte naming its stemmer slot, so that the
 * Indonesian reading of a word never matches an English article's:
 * slot 0 is no stemmer (words kept whole), the others one Snowball
 * algorithm each, in the order the articles brought them.
 */
enum { MAX_SLOTS = 32, SLOT_CODE_BYTES = 16 };

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

/* The loader's memo of stems: (slot, folded word) by hash -> term id,
 * direct-mapped (a clash just replaces), so a word met again is not
 * stemmed again. */
enum { STEM_MEMO_BITS = 16 };
struct stem_memo {
	uint64_t hash; /* 0: empty */
	uint32_t id;
};

struct search_vocab {
	_Atomic(struct vocab_table *) table;
	struct vocab_table **retired; /* grown out of, kept for readers */
	size_t n_retired;
	char **chunks[MAX_CHUNKS];
	uint32_t n_terms;
	/* Stemmer slots: codes written before n_slots counts them. */
	char slot_codes[MAX_SLOTS][SLOT_CODE_BYTES];
	_Atomic uint32_t n_slots;
	/* The loader's own: its stemmers, and the language codes no Snowball
	 * algorithm has (asked once). */
	struct sb_stemmer *stemmers[MAX_SLOTS];
	char unstemmed[MAX_SLOTS][SLOT_CODE_BYTES];
	size_t n_unstemmed;
	struct stem_memo *memo;
	/* Article uids: the loader takes them, whoever frees the last
	 * snapshot holding an article's terms gives them back. */
	pthread_mutex_t uid_lock;
	uint32_t next_uid;
	uint32_t *free_uids;
	size_t n_free, free_cap;
};

/* One phrase-order entry that is no word: between fields and blocks, so a
 * phrase never runs from the title into the body. */
enum { SEQ_BREAK = 0xffff };

/* The phrase-order entry of term id. */
static inline uint16_t search_seq_of(uint32_t id)
{
	uint16_t v = (uint16_t)(id & 0xffff);
	return v == SEQ_BREAK ? SEQ_BREAK - 1 : v;
}

/* One allocation: the ids, then the scores, then the order of the words.
 * uid: the article's number in every index (see search_index), unique
 * among the terms alive in one vocabulary and given back when they are
 * freed. */
struct search_terms {
	struct search_vocab *vocab;
	uint32_t uid;
	uint32_t story;
	uint8_t slot;
	uint16_t length; /* words (at most UINT16_MAX), for BM25 */
	size_t n, n_seq;
	uint16_t *scores;
	uint16_t *seq; /* each word's term id & 0xffff (SEQ_BREAK mapped away) */
	uint32_t ids[];
};

struct posting {
	uint32_t uid;
	uint16_t score;
	uint16_t length; /* the article's words: kept here, where BM25 wants it */
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
 * indexes in which none of them changed. */
enum { BLOCK_BITS = 8, BLOCK_TERMS = 1 << BLOCK_BITS };

struct list_block {
	atomic_size_t refs;
	struct term_list *lists[BLOCK_TERMS]; /* NULL: no article holds the term */
};

/* Term ids below upto in the order of their strings (for prefixes); the
 * ids above are few and looked through one by one. Shared by indexes. */
struct sorted_terms {
	atomic_size_t refs;
	uint32_t upto;
	uint32_t ids[];
};

struct search_index {
	const struct search_vocab *vocab;
	uint32_t n_terms;          /* terms with an id below this have a slot */
	uint32_t n_slots;          /* stemmer slots known when it was built */
	struct list_block **blocks; /* term id >> BLOCK_BITS -> block */
	size_t n_blocks;
	uint32_t n_uids;
	uint32_t *uid_pos;         /* uid -> position; NO_POS: not here */
	struct search_terms **terms; /* position -> terms */
	size_t n;
	double avg_length;         /* words per article, for BM25 */
	bool shared_stories;       /* some articles share a story key */
	struct sorted_terms *sorted;
};

const char *search_vocab_term(const struct search_vocab *vocab, uint32_t id);
/* The id of the term key[0..len), or -1. Any thread. */
int64_t search_vocab_find(const struct search_vocab *vocab, const char *key, size_t len);
/* The list of term id in idx, or NULL. */
const struct term_list *search_index_list(const struct search_index *idx, uint32_t id);

/* Word characters: letters, marks, digits. */
bool search_is_word_char(int32_t c);
/* Calls fn for each word of text (folded or not): its offset and length. */
void search_each_word(const char *text, size_t len,
                      void (*fn)(const char *word, size_t len, void *ctx), void *ctx);

/* "id-ID" -> "id" (lower case) into code; false when it does not fit. */
bool search_language_code(const char *lang, char code[SLOT_CODE_BYTES]);
/* The term key of folded word w under slot with stemmer (NULL: whole):
 * slot byte, then the stem. Returns its length (0 if it does not fit). */
size_t search_term_key(struct sb_stemmer *stemmer, uint8_t slot, const char *w, size_t len,
                       char key[2 + 4 * MAX_TERM_BYTES]);

#endif
