#ifndef KABAR_SEARCH_H
#define KABAR_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "article.h"
#include "buf.h"

/*
 * Full-text search over folded text (case, accents and compatibility forms
 * folded away by text_fold), each word reduced to its stem by the Snowball
 * stemmer of the article's language (libstemmer: "lamps" is "lamp",
 * "Kunjungan" is "kunjung"; a language without a stemmer keeps its words
 * whole). An inverted index from each term to the articles that hold it,
 * with a weight per article (a word in the title counts most, then the
 * summary, the authors and tags, then the body).
 *
 * Three parts with three owners:
 * - a vocabulary: the site's dictionary of terms, term -> id. Only the
 *   loader adds to it, while requests look terms up without a lock (slots
 *   are written once; a grown table is published atomically and the old
 *   ones are kept until the vocabulary is freed).
 * - an article's terms: computed once when the article is parsed and shared
 *   by every snapshot that holds the article; with them the order of its
 *   words (for phrases) as 16 bits of each word's term.
 * - a snapshot's index: a posting list per term, keyed by the articles'
 *   uids (numbers that stay put while other articles come and go), and a
 *   map from uid to position in the snapshot. An index is built from an
 *   earlier one by rebuilding only the lists of the terms whose articles
 *   changed; the other lists are shared (reference counted). Immutable
 *   once published.
 */

struct search_vocab;
struct search_terms;
struct search_index;

struct search_vocab *search_vocab_new(void);
/* Only once no index built from it is in use. */
void search_vocab_free(struct search_vocab *vocab);

/* The weighted terms of an article's title, summary, authors, tags,
 * section and body, with a uid of their own; new terms are added to vocab.
 * Loader thread only. */
struct search_terms *search_terms_of(struct search_vocab *vocab, const struct article *a);
/* Any thread (gives the uid back); only while vocab lives. */
void search_terms_free(struct search_terms *terms);

/* Versions of one story (translations) share a story key and make one
 * hit. Until articles name their translations, each article is a story of
 * its own (its uid): this is where a translation model sets the key,
 * before the terms go into an index. */
void search_terms_set_story(struct search_terms *terms, uint32_t story);
uint32_t search_terms_uid(const struct search_terms *terms);

/* The index over n articles (positions 0..n-1), terms[i] being article i's.
 * The terms must outlive the index. Loader thread only. */
struct search_index *search_index_build(const struct search_vocab *vocab,
                                        struct search_terms *const *terms, size_t n);
/* The same index as search_index_build(prev's vocab, terms, n), sharing
 * with prev (which must still be alive) the lists of every term that no
 * added or removed article holds. The work grows with the changed
 * articles' terms and their lists, not with the archive. */
struct search_index *search_index_update(const struct search_index *prev,
                                         struct search_terms *const *terms, size_t n);
void search_index_free(struct search_index *idx);

/*
 * A reader's query, parsed against one index:
 *   harbour light      articles holding both words (any form: stems)
 *   "harbour light"    the words next to each other, in this order
 *   lamp*              any word that begins with "lamp" (3 letters at
 *                      least; a shorter one is searched as a word)
 * Author names, tags and sections are words of the article like any other.
 */
struct search_query;

#define SEARCH_MAX_WORDS 16 /* further words of a query are ignored */

/* NULL when text holds no word to look for. */
struct search_query *search_parse(const struct search_index *idx, const char *text);
void search_query_free(struct search_query *q);

enum search_order {
	SEARCH_RELEVANCE, /* BM25 over the weighted fields, then the newer */
	SEARCH_NEWEST,    /* newest first */
};

struct search_request {
	enum search_order order;
	time_t now;       /* articles not visible at now are left out */
	size_t offset;    /* hits to skip (paging) */
	const char *lang; /* the reader's language: the version of a story shown */
};

/*
 * The hits of q, one per story, in the order asked for: writes the
 * positions (in articles, the snapshot's articles the index was built
 * over) of at most max of them after the first rq->offset to out, and
 * their number to *n_out. Returns how many hits there are in all.
 */
size_t search_run(const struct search_query *q, struct article *const *articles,
                  const struct search_request *rq, size_t *out, size_t max, size_t *n_out);

/* search_parse and search_run in one: the first max hits of text, best
 * first, visible at now; returns how many it wrote to out. */
size_t search_query(const struct search_index *idx, struct article *const *articles,
                    const char *text, time_t now, size_t *out, size_t max);

/*
 * Appends to out a snippet of a (a hit of q): about max_bytes of the one
 * paragraph of its body that holds most of the query's words, around the
 * first of them, cut at word and grapheme-cluster boundaries with "…"
 * where the paragraph goes on, and passed through text_clean (one line,
 * no controls, no bidi controls). The summary, or the first paragraph,
 * when the body holds none of the words. Appends nothing for an article
 * without text.
 */
void search_snippet(const struct search_query *q, const struct article *a, size_t max_bytes,
                    struct buf *out);

#endif
