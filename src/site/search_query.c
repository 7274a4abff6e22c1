/* Queries over a search index: parsing, ranking, paging, snippets. */

#include "search_parts.h"

#include "alloc.h"
#include "text.h"

#include <libstemmer.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* BM25's usual constants: how fast repeats stop counting, and how much a
 * long article's repeats are discounted. */
#define BM25_K1 1.2
#define BM25_B 0.75

/* A prefix shorter than this (in characters) would match too much of the
 * vocabulary: it is searched as a whole word. */
enum { PREFIX_MIN_CHARS = 3 };

enum { KEY_BYTES = 2 + 4 * MAX_TERM_BYTES };

/* One word of the query: its term in each stemmer slot, or for a prefix
 * every term that begins with it. */
struct clause {
	char word[MAX_TERM_BYTES + 1]; /* folded */
	size_t len;
	bool prefix;
	int64_t exact[MAX_SLOTS]; /* the word's term per slot, -1: none */
	uint32_t *ids;            /* every term it matches that some article holds */
	size_t n_ids;
};

/* Words first..first+n-1 of the query, which must follow each other. */
struct phrase {
	size_t first, n;
};

struct search_query {
	const struct search_index *idx;
	struct sb_stemmer *stemmers[MAX_SLOTS];
	struct clause clauses[SEARCH_MAX_WORDS];
	size_t n;
	struct phrase phrases[SEARCH_MAX_WORDS];
	size_t n_phrases;
	bool impossible; /* a word no article holds */
};

/* ---- parsing ---- */

static bool is_quote(int32_t c)
{
	return c == '"' || c == 0x201c || c == 0x201d || c == 0x201e;
}

/* Twice the same id is made once when the clause is resolved. */
static void add_id(struct clause *c, uint32_t id)
{
	c->ids = xgrowarray(c->ids, c->n_ids, sizeof *c->ids);
	c->ids[c->n_ids++] = id;
}

static bool held(const struct search_index *idx, int64_t id)
{
	if (id < 0)
		return false;
	const struct term_list *list = search_index_list(idx, (uint32_t)id);
	return list != NULL && list->n > 0;
}

/* The first index in idx's sorted order whose term is >= key. */
static size_t sorted_lower(const struct search_index *idx, const char *key)
{
	size_t lo = 0, hi = idx->sorted->upto;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(search_vocab_term(idx->vocab, idx->sorted->ids[mid]), key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Adds to c every held term that begins with key[0..len). */
static void add_prefixed(const struct search_index *idx, struct clause *c, const char *key,
                         size_t len)
{
	const struct sorted_terms *s = idx->sorted;
	for (size_t i = sorted_lower(idx, key); i < s->upto; i++) {
		if (strncmp(search_vocab_term(idx->vocab, s->ids[i]), key, len) != 0)
			break;
		if (held(idx, s->ids[i]))
			add_id(c, s->ids[i]);
	}
	for (uint32_t id = s->upto; id < idx->n_terms; id++)
		if (strncmp(search_vocab_term(idx->vocab, id), key, len) == 0 && held(idx, id))
			add_id(c, id);
}

static int by_id(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static void clause_resolve(struct search_query *q, struct clause *c)
{
	for (uint32_t k = 0; k < q->idx->n_slots; k++) {
		char key[KEY_BYTES];
		size_t n = search_term_key(q->stemmers[k], (uint8_t)k, c->word, c->len, key);
		c->exact[k] = n > 0 ? search_vocab_find(q->idx->vocab, key, n) : -1;
		if (held(q->idx, c->exact[k]))
			add_id(c, (uint32_t)c->exact[k]);
		if (!c->prefix)
			continue;
		/* "happy*" is also "happi*", its stem: "happiness" is filed so. */
		add_prefixed(q->idx, c, key, n);
		key[0] = (char)(k + 1);
		memcpy(key + 1, c->word, c->len);
		key[c->len + 1] = '\0';
		add_prefixed(q->idx, c, key, c->len + 1);
	}
	if (c->n_ids == 0) {
		q->impossible = true;
		return;
	}
	qsort(c->ids, c->n_ids, sizeof *c->ids, by_id);
	size_t kept = 1;
	for (size_t i = 1; i < c->n_ids; i++)
		if (c->ids[i] != c->ids[kept - 1])
			c->ids[kept++] = c->ids[i];
	c->n_ids = kept;
}

struct parse_state {
	struct search_query *q;
	bool in_phrase;
	size_t phrase_first;
};

/* Code points in valid UTF-8: the bytes that do not continue one. */
static size_t characters(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

static void add_word(struct parse_state *st, const char *w, size_t len, bool prefix)
{
	struct search_query *q = st->q;
	if (len > MAX_TERM_BYTES || q->n == SEARCH_MAX_WORDS)
		return;
	struct clause *c = &q->clauses[q->n++];
	memset(c, 0, sizeof *c);
	memcpy(c->word, w, len);
	c->len = len;
	c->prefix = prefix && !st->in_phrase && characters(w, len) >= PREFIX_MIN_CHARS;
	clause_resolve(q, c);
}

static void end_phrase(struct parse_state *st)
{
	struct search_query *q = st->q;
	st->in_phrase = false;
	if (q->n - st->phrase_first < 2)
		return; /* one quoted word is that word */
	q->phrases[q->n_phrases++] = (struct phrase){st->phrase_first, q->n - st->phrase_first};
}

static void parse(struct parse_state *st, const char *s, size_t len)
{
	size_t i = 0, start = 0;
	bool in_word = false;
	while (i <= len) {
		int32_t c = 0;
		size_t n = i < len ? text_decode(s, len, i, &c) : 1;
		bool word = i < len && search_is_word_char(c);
		if (word && !in_word)
			start = i;
		if (!word && in_word)
			add_word(st, s + start, i - start, c == '*');
		in_word = word;
		if (i < len && is_quote(c)) {
			if (st->in_phrase)
				end_phrase(st);
			else {
				st->in_phrase = true;
				st->phrase_first = st->q->n;
			}
		}
		i += n;
	}
	if (st->in_phrase)
		end_phrase(st); /* an unclosed quote runs to the end */
}

struct search_query *search_parse(const struct search_index *idx, const char *text)
{
	if (idx == NULL || text == NULL)
		return NULL;
	struct search_query *q = xcalloc(1, sizeof *q);
	q->idx = idx;
	for (uint32_t k = 1; k < idx->n_slots; k++)
		q->stemmers[k] = sb_stemmer_new(idx->vocab->slot_codes[k], NULL);
	char *folded = text_fold(text, strlen(text));
	struct parse_state st = {.q = q};
	parse(&st, folded, strlen(folded));
	free(folded);
	if (q->n == 0) {
		search_query_free(q);
		return NULL;
	}
	return q;
}

void search_query_free(struct search_query *q)
{
	if (q == NULL)
		return;
	for (size_t i = 0; i < q->n; i++)
		free(q->clauses[i].ids);
	for (size_t k = 0; k < MAX_SLOTS; k++)
		sb_stemmer_delete(q->stemmers[k]);
	free(q);
}

/* ---- matching and ranking ---- */

/* An article that matches: by uid while lists are joined, then by its
 * position in the snapshot. */
struct hit {
	uint32_t at;
	float score;
};

struct hits {
	struct hit *items;
	size_t n;
};

static struct hits list_hits(const struct search_index *idx, const struct term_list *list)
{
	struct hits h = {xmalloc((list->n ? list->n : 1) * sizeof *h.items), list->n};
	double df = (double)list->n, n = (double)idx->n;
	double idf = log(1.0 + (n - df + 0.5) / (df + 0.5));
	for (size_t i = 0; i < list->n; i++) {
		const struct posting *p = &list->items[i];
		double tf = p->score;
		double norm = BM25_K1 * (1.0 - BM25_B + BM25_B * p->length / idx->avg_length);
		h.items[i] = (struct hit){p->uid, (float)(idf * tf * (BM25_K1 + 1.0) / (tf + norm))};
	}
	return h;
}

/* Both lists' uids, in order; a uid in both once, scores added. */
static struct hits merge(struct hits a, struct hits b)
{
	struct hits out = {xmalloc((a.n + b.n + 1) * sizeof *out.items), 0};
	size_t i = 0, j = 0;
	while (i < a.n || j < b.n) {
		if (j == b.n || (i < a.n && a.items[i].at < b.items[j].at))
			out.items[out.n++] = a.items[i++];
		else if (i == a.n || b.items[j].at < a.items[i].at)
			out.items[out.n++] = b.items[j++];
		else {
			out.items[out.n] = a.items[i++];
			out.items[out.n++].score += b.items[j++].score;
		}
	}
	free(a.items);
	free(b.items);
	return out;
}

/* The union of the lists of ids[0..n), halves first: O(postings log n). */
static struct hits clause_union(const struct search_index *idx, const uint32_t *ids, size_t n)
{
	if (n == 1)
		return list_hits(idx, search_index_list(idx, ids[0]));
	return merge(clause_union(idx, ids, n / 2), clause_union(idx, ids + n / 2, n - n / 2));
}

/* First index at or after from whose uid is >= uid (galloping, since
 * successive calls ask for growing uids). */
static size_t seek(const struct hit *list, size_t n, size_t from, uint32_t uid)
{
	size_t step = 1, hi = from;
	while (hi < n && list[hi].at < uid) {
		from = hi + 1;
		hi += step;
		step *= 2;
	}
	if (hi > n)
		hi = n;
	while (from < hi) {
		size_t mid = from + (hi - from) / 2;
		if (list[mid].at < uid)
			from = mid + 1;
		else
			hi = mid;
	}
	return from;
}

/* Keeps the hits that other also holds, adding its score. */
static void intersect(struct hits *h, const struct hits *other)
{
	size_t kept = 0, at = 0;
	for (size_t i = 0; i < h->n; i++) {
		at = seek(other->items, other->n, at, h->items[i].at);
		if (at == other->n)
			break;
		if (other->items[at].at != h->items[i].at)
			continue;
		h->items[kept] = h->items[i];
		h->items[kept].score += other->items[at].score;
		kept++;
	}
	h->n = kept;
}

static int by_size(const void *a, const void *b)
{
	const struct hits *x = a, *y = b;
	return (x->n > y->n) - (x->n < y->n);
}

/* True when the words of ph follow each other in terms' order. */
static bool holds_phrase(const struct search_query *q, const struct phrase *ph,
                         const struct search_terms *terms)
{
	uint16_t want[SEARCH_MAX_WORDS];
	for (size_t j = 0; j < ph->n; j++) {
		int64_t id = q->clauses[ph->first + j].exact[terms->slot];
		if (id < 0)
			return false;
		want[j] = search_seq_of((uint32_t)id);
	}
	for (size_t i = 0; i + ph->n <= terms->n_seq; i++) {
		size_t j = 0;
		while (j < ph->n && terms->seq[i + j] == want[j])
			j++;
		if (j == ph->n)
			return true;
	}
	return false;
}

/* The hits (by uid) that hold every word, and every phrase. */
static struct hits match(const struct search_query *q)
{
	struct hits all[SEARCH_MAX_WORDS];
	for (size_t i = 0; i < q->n; i++)
		all[i] = clause_union(q->idx, q->clauses[i].ids, q->clauses[i].n_ids);
	/* From the rarest word: the candidates only shrink from there. */
	qsort(all, q->n, sizeof *all, by_size);
	struct hits h = all[0];
	for (size_t i = 1; i < q->n; i++) {
		if (h.n > 0)
			intersect(&h, &all[i]);
		free(all[i].items);
	}
	size_t kept = 0;
	for (size_t i = 0; i < h.n; i++) {
		const struct search_terms *terms = q->idx->terms[q->idx->uid_pos[h.items[i].at]];
		bool ok = true;
		for (size_t p = 0; p < q->n_phrases && ok; p++)
			ok = holds_phrase(q, &q->phrases[p], terms);
		if (ok)
			h.items[kept++] = h.items[i];
	}
	h.n = kept;
	return h;
}

/* Maps the hits' uids to positions in articles, leaving out the ones not
 * visible at now. */
static void to_positions(const struct search_index *idx, struct article *const *articles,
                         time_t now, struct hits *h)
{
	size_t kept = 0;
	for (size_t i = 0; i < h->n; i++) {
		uint32_t pos = idx->uid_pos[h->items[i].at];
		if (!article_visible(articles[pos], now))
			continue;
		h->items[kept].at = pos;
		h->items[kept].score = h->items[i].score;
		kept++;
	}
	h->n = kept;
}

/* ---- one hit per story ---- */

struct story_hit {
	uint32_t story;
	bool in_lang;
	struct hit hit;
};

static int by_story_then_preferred(const void *a, const void *b)
{
	const struct story_hit *x = a, *y = b;
	if (x->story != y->story)
		return x->story < y->story ? -1 : 1;
	if (x->in_lang != y->in_lang)
		return x->in_lang ? -1 : 1;
	if (x->hit.score != y->hit.score)
		return x->hit.score > y->hit.score ? -1 : 1;
	return (x->hit.at > y->hit.at) - (x->hit.at < y->hit.at);
}

static bool same_language(const char *a, const char *b)
{
	char x[SLOT_CODE_BYTES], y[SLOT_CODE_BYTES];
	return search_language_code(a, x) && search_language_code(b, y) && strcmp(x, y) == 0;
}

/* Keeps one version of each story: the one in the reader's language, else
 * the best. Only when some articles share a story. */
static void one_per_story(const struct search_index *idx, struct article *const *articles,
                          const char *lang, struct hits *h)
{
	if (!idx->shared_stories || h->n < 2)
		return;
	struct story_hit *s = xmalloc(h->n * sizeof *s);
	for (size_t i = 0; i < h->n; i++)
		s[i] = (struct story_hit){idx->terms[h->items[i].at]->story,
		                          same_language(articles[h->items[i].at]->meta.lang, lang),
		                          h->items[i]};
	qsort(s, h->n, sizeof *s, by_story_then_preferred);
	size_t kept = 0;
	for (size_t i = 0; i < h->n; i++)
		if (i == 0 || s[i].story != s[i - 1].story)
			h->items[kept++] = s[i].hit;
	h->n = kept;
	free(s);
}

/* ---- order and paging ---- */

static int by_score_then_newest(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return (x->at > y->at) - (x->at < y->at);
}

/* Positions are the listing's order: the lower, the newer. */
static int by_newest(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	return (x->at > y->at) - (x->at < y->at);
}

static void swap(struct hit *a, struct hit *b)
{
	struct hit t = *a;
	*a = *b;
	*b = t;
}

/* Moves the k first of items[0..n) in cmp's order to the front (in no
 * order): quickselect, so a page costs O(n), not a sort of every hit. */
static void select_first(struct hit *items, size_t n, size_t k, int (*cmp)(const void *, const void *))
{
	size_t lo = 0, hi = n;
	while (hi - lo > 1 && k > lo && k < hi) {
		swap(&items[lo + (hi - lo) / 2], &items[hi - 1]);
		struct hit pivot = items[hi - 1];
		size_t store = lo;
		for (size_t i = lo; i + 1 < hi; i++)
			if (cmp(&items[i], &pivot) < 0)
				swap(&items[i], &items[store++]);
		swap(&items[store], &items[hi - 1]);
		if (store < k)
			lo = store + 1;
		else
			hi = store;
	}
}

size_t search_run(const struct search_query *q, struct article *const *articles,
                  const struct search_request *rq, size_t *out, size_t max, size_t *n_out)
{
	*n_out = 0;
	if (q == NULL || q->impossible)
		return 0;
	struct hits h = match(q);
	to_positions(q->idx, articles, rq->now, &h);
	one_per_story(q->idx, articles, rq->lang, &h);
	size_t total = h.n;
	if (rq->offset < total && max > 0) {
		int (*cmp)(const void *, const void *) =
			rq->order == SEARCH_NEWEST ? by_newest : by_score_then_newest;
		size_t want = rq->offset + max < total ? rq->offset + max : total;
		select_first(h.items, h.n, want, cmp);
		qsort(h.items, want, sizeof *h.items, cmp);
		for (size_t i = rq->offset; i < want; i++)
			out[(*n_out)++] = h.items[i].at;
	}
	free(h.items);
	return total;
}

size_t search_query(const struct search_index *idx, struct article *const *articles,
                    const char *text, time_t now, size_t *out, size_t max)
{
	struct search_query *q = search_parse(idx, text);
	struct search_request rq = {.order = SEARCH_RELEVANCE, .now = now};
	size_t n = 0;
	search_run(q, articles, &rq, out, max, &n);
	search_query_free(q);
	return n;
}

/* ---- snippets ---- */

/* Words before the first match that a snippet shows; the ring of word
 * starts also reaches back over a whole phrase. */
enum { SNIPPET_LEAD_WORDS = 6, LEAD_RING = SNIPPET_LEAD_WORDS + SEARCH_MAX_WORDS };

/* One paragraph looked through for the query's words. */
struct snippet_scan {
	const struct search_query *q;
	struct sb_stemmer *stemmer;
	uint8_t slot;
	const char *text;
	uint32_t matched;                /* one bit per clause */
	size_t start;                    /* where the snippet would begin */
	bool found;
	bool phrase_found;               /* one of the phrases, whole */
	size_t run[SEARCH_MAX_WORDS];    /* per phrase: its words matched so far */
	size_t lead[LEAD_RING];          /* the last words' starts */
	size_t n_words;
};

/* The clauses that the word text[0..len) (not folded) is one of. */
static uint32_t word_matches(const struct snippet_scan *sc, const char *word, size_t len)
{
	if (len > MAX_TERM_BYTES)
		return 0;
	char *folded = text_fold(word, len);
	char key[KEY_BYTES];
	size_t n = search_term_key(sc->stemmer, sc->slot, folded, strlen(folded), key);
	free(folded);
	int64_t id = n > 0 ? search_vocab_find(sc->q->idx->vocab, key, n) : -1;
	if (id < 0)
		return 0;
	uint32_t found = 0;
	for (size_t i = 0; i < sc->q->n; i++) {
		const struct clause *c = &sc->q->clauses[i];
		uint32_t want = (uint32_t)id;
		if (c->n_ids > 0 && bsearch(&want, c->ids, c->n_ids, sizeof *c->ids, by_id) != NULL)
			found |= 1u << i;
	}
	return found;
}

/* The start of the word SNIPPET_LEAD_WORDS - 1 before word w. */
static size_t lead_start(const struct snippet_scan *sc, size_t w)
{
	size_t from = w >= SNIPPET_LEAD_WORDS - 1 ? w - (SNIPPET_LEAD_WORDS - 1) : 0;
	return sc->lead[from % LEAD_RING];
}

/* Follows each phrase through the words: the snippet of a paragraph that
 * holds one whole starts before it. */
static void follow_phrases(struct snippet_scan *sc, uint32_t m, size_t w)
{
	for (size_t p = 0; p < sc->q->n_phrases; p++) {
		const struct phrase *ph = &sc->q->phrases[p];
		if (m & (1u << (ph->first + sc->run[p])))
			sc->run[p]++;
		else
			sc->run[p] = (m & (1u << ph->first)) ? 1 : 0;
		if (sc->run[p] < ph->n)
			continue;
		if (!sc->phrase_found)
			sc->start = lead_start(sc, w - (ph->n - 1));
		sc->phrase_found = true;
		sc->run[p] = 0;
	}
}

static void scan_word(const char *word, size_t len, void *ctx)
{
	struct snippet_scan *sc = ctx;
	size_t w = sc->n_words++;
	sc->lead[w % LEAD_RING] = (size_t)(word - sc->text);
	uint32_t m = word_matches(sc, word, len);
	follow_phrases(sc, m, w);
	if (m == 0)
		return;
	if (!sc->found && !sc->phrase_found)
		sc->start = lead_start(sc, w);
	sc->found = true;
	sc->matched |= m;
}

static int bits(uint32_t v)
{
	return __builtin_popcount(v);
}

/* Whether the folded text may hold one of the query's words at all: the
 * word, its stem or the stem less its last letter ("happi" of "happy")
 * inside it. Spares the stemming of paragraphs that hold none. */
static bool may_match(const struct snippet_scan *sc, const char *folded)
{
	for (size_t i = 0; i < sc->q->n; i++) {
		const struct clause *c = &sc->q->clauses[i];
		char key[KEY_BYTES];
		size_t n = search_term_key(sc->stemmer, sc->slot, c->word, c->len, key);
		if (strstr(folded, c->word) != NULL || (n > 1 && strstr(folded, key + 1) != NULL))
			return true;
		if (n > 3) {
			key[n - 1] = '\0';
			if (strstr(folded, key + 1) != NULL)
				return true;
		}
	}
	return false;
}

/* The largest grapheme-cluster boundary of s at or before at. */
static size_t boundary_before(const char *s, size_t len, size_t at)
{
	size_t b = 0;
	while (b < len) {
		size_t next = text_grapheme_end(s, len, b);
		if (next > at)
			break;
		b = next;
	}
	return b;
}

/* Where the words from start that fit in max_bytes end. */
struct word_end {
	const char *text;
	size_t start, limit, end;
};

static void note_end(const char *word, size_t len, void *ctx)
{
	struct word_end *e = ctx;
	size_t at = (size_t)(word - e->text);
	if (at >= e->start && at + len <= e->limit)
		e->end = at + len;
}

static void put_window(struct buf *out, const char *text, size_t start, size_t max_bytes)
{
	size_t len = strlen(text);
	start = boundary_before(text, len, start);
	size_t end = len;
	if (len - start > max_bytes) {
		struct word_end e = {text, start, start + max_bytes, start};
		search_each_word(text, len, note_end, &e);
		end = e.end > start ? e.end : start + max_bytes;
		end = boundary_before(text, len, end);
		if (end <= start)
			end = text_grapheme_end(text, len, start);
	}
	if (start > 0)
		buf_puts(out, "…");
	text_clean(out, text + start, end - start, TEXT_CLEAN_NO_BIDI);
	if (end < len)
		buf_puts(out, "…");
}

static uint8_t article_slot(const struct search_index *idx, const char *lang)
{
	char code[SLOT_CODE_BYTES];
	if (!search_language_code(lang, code))
		return 0;
	for (uint32_t k = 1; k < idx->n_slots; k++)
		if (strcmp(idx->vocab->slot_codes[k], code) == 0)
			return (uint8_t)k;
	return 0;
}

/* The body's text blocks: what a snippet may show. */
static const char *block_text(const struct block *b)
{
	if (b->kind == BLOCK_PRE || b->kind == BLOCK_TABLE || b->kind == BLOCK_RULE)
		return NULL;
	if (b->kind == BLOCK_IMAGE)
		return b->alt;
	return b->text;
}

void search_snippet(const struct search_query *q, const struct article *a, size_t max_bytes,
                    struct buf *out)
{
	if (q == NULL || a == NULL)
		return;
	uint8_t slot = article_slot(q->idx, a->meta.lang);
	const char *best = NULL, *first = NULL;
	size_t best_start = 0;
	int best_bits = 0;
	int enough = (int)q->n + (q->n_phrases > 0 ? SEARCH_MAX_WORDS + 1 : 0);
	for (size_t i = 0; i < a->n_blocks && best_bits < enough; i++) {
		const char *text = block_text(&a->blocks[i]);
		if (text == NULL || text[0] == '\0')
			continue;
		if (first == NULL)
			first = text;
		struct snippet_scan sc = {.q = q, .stemmer = q->stemmers[slot], .slot = slot, .text = text};
		char *folded = text_fold(text, strlen(text));
		bool maybe = may_match(&sc, folded);
		free(folded);
		if (!maybe)
			continue;
		search_each_word(text, strlen(text), scan_word, &sc);
		/* A whole phrase counts over any number of loose words. */
		int score = bits(sc.matched) + (sc.phrase_found ? SEARCH_MAX_WORDS + 1 : 0);
		if (sc.found && score > best_bits) {
			best = text;
			best_start = sc.start;
			best_bits = score;
		}
	}
	if (best == NULL) {
		best = a->meta.summary != NULL && a->meta.summary[0] != '\0' ? a->meta.summary : first;
		best_start = 0;
	}
	if (best != NULL)
		put_window(out, best, best_start, max_bytes);
}
