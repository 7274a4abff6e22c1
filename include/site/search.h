#ifndef KABAR_SEARCH_H
#define KABAR_SEARCH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "article.h"

/*
 * Full-text search over folded text (case, accents and compatibility forms
 * folded away by text_fold): an inverted index from each term to the
 * articles that hold it, with a weight per article (a word in the title
 * counts most, then the summary, then the body).
 *
 * Three parts with three owners:
 * - a vocabulary: the site's dictionary of terms, term -> id. Only the
 *   loader adds to it, while requests look terms up without a lock (slots
 *   are written once; a grown table is published atomically and the old
 *   ones are kept until the vocabulary is freed).
 * - an article's terms: computed once when the article is parsed and shared
 *   by every snapshot that holds the article.
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

/* The weighted terms of an article's title, summary and body, with a uid
 * of their own; new terms are added to vocab. Loader thread only. */
struct search_terms *search_terms_of(struct search_vocab *vocab, const struct article *a);
/* Any thread (gives the uid back); only while vocab lives. */
void search_terms_free(struct search_terms *terms);

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
 * Articles that hold every term of query (AND), best first: the higher
 * score (title over summary over body, more occurrences over fewer), then
 * the newer. articles are the ones the index was built over, by position
 * (a snapshot's articles); those not visible at now are left out. Writes
 * at most max positions to out; returns how many it wrote.
 */
size_t search_query(const struct search_index *idx, struct article *const *articles,
                    const char *query, time_t now, size_t *out, size_t max);

#endif
