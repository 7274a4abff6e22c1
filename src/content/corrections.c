#include "corrections.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "date.h"
#include "text.h"

static const char *const kind_names[] = {
	[CORRECTION_CORRECTION] = "correction",
	[CORRECTION_CLARIFICATION] = "clarification",
	[CORRECTION_UPDATE] = "update",
};

const char *correction_kind_name(enum correction_kind kind)
{
	return kind_names[kind];
}

static bool kind_named(const char *s, enum correction_kind *kind)
{
	for (size_t i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++) {
		if (strcasecmp(s, kind_names[i]) == 0) {
			*kind = (enum correction_kind)i;
			return true;
		}
	}
	return false;
}

/* One item as it is read: which of its three keys have been seen. */
struct pending {
	struct correction c;
	bool has_date, has_kind, has_note;
};

static bool pending_complete(const struct pending *p)
{
	return p->has_date && p->has_kind && p->has_note;
}

/* Sets one key of the item; NULL, or why not. */
static const char *pending_set(struct pending *p, const char *key, const char *value,
                               const struct article_context *ctx)
{
	if (strcasecmp(key, "date") == 0) {
		p->has_date = true;
		if (!date_parse_in(value, strlen(value), ctx->utc_offset_minutes, ctx->zone, &p->c.date))
			return "date is not a date";
	} else if (strcasecmp(key, "kind") == 0) {
		p->has_kind = true;
		if (!kind_named(value, &p->c.kind))
			return "kind is not correction, clarification or update";
	} else if (strcasecmp(key, "note") == 0) {
		p->has_note = true;
		size_t len = strlen(value);
		text_trim(&value, &len);
		if (len == 0)
			return "note is empty";
		free(p->c.note);
		p->c.note = xstrndup(value, len);
	} else {
		return "takes only date, kind and note";
	}
	return NULL;
}

static void push(struct article_meta *meta, struct pending *p)
{
	meta->corrections = xgrowarray(meta->corrections, meta->n_corrections,
	                               sizeof *meta->corrections);
	meta->corrections[meta->n_corrections++] = p->c;
	memset(p, 0, sizeof *p);
}

/* A key already set on the item starts the next one: with every item
 * holding all three keys that splits the flattened list exactly. */
static bool key_seen(const struct pending *p, const char *key)
{
	return (strcasecmp(key, "date") == 0 && p->has_date) ||
	       (strcasecmp(key, "kind") == 0 && p->has_kind) ||
	       (strcasecmp(key, "note") == 0 && p->has_note);
}

bool corrections_read(struct article_meta *meta, char *const *scalars, size_t n, bool is_sequence,
                      int line, const struct article_context *ctx, struct buf *error)
{
	if (!is_sequence || n % 2 != 0) {
		buf_printf(error, "%d: corrections is a list of items with date, kind and note", line);
		return false;
	}
	struct pending p = {0};
	size_t item = meta->n_corrections + 1;
	const char *why = NULL;
	for (size_t i = 0; i < n && why == NULL; i += 2) {
		if (key_seen(&p, scalars[i])) {
			if (!pending_complete(&p))
				break;
			push(meta, &p);
			item++;
		}
		if (meta->n_corrections >= CORRECTIONS_MAX)
			why = "more corrections than an article may have (100)";
		else
			why = pending_set(&p, scalars[i], scalars[i + 1], ctx);
	}
	if (why == NULL && !pending_complete(&p) && n > 0)
		why = "each item needs date, kind and note";
	if (why != NULL) {
		buf_printf(error, "%d: corrections: item %zu: %s", line, item, why);
		free(p.c.note);
		return false;
	}
	if (n > 0)
		push(meta, &p);
	return true;
}

const struct correction *corrections_latest(const struct article_meta *meta)
{
	const struct correction *latest = NULL;
	for (size_t i = 0; i < meta->n_corrections; i++)
		if (latest == NULL || meta->corrections[i].date.t > latest->date.t)
			latest = &meta->corrections[i];
	return latest;
}

/* The same day (in the zone it was written in) and the same kind. */
static bool same_correction(const struct correction *a, const struct correction *b)
{
	char day_a[11], day_b[11];
	struct tm tm;
	if (a->kind != b->kind || !date_local(&a->date, &tm))
		return false;
	strftime(day_a, sizeof day_a, "%Y-%m-%d", &tm);
	if (!date_local(&b->date, &tm))
		return false;
	strftime(day_b, sizeof day_b, "%Y-%m-%d", &tm);
	return strcmp(day_a, day_b) == 0;
}

/* Each of next's corrections answers for one published correction only:
 * two of one day and kind need two. */
static bool kept(const struct correction *c, const struct article_meta *next, bool *taken)
{
	for (size_t i = 0; i < next->n_corrections; i++) {
		if (!taken[i] && same_correction(c, &next->corrections[i])) {
			taken[i] = true;
			return true;
		}
	}
	return false;
}

bool corrections_dropped(const struct article *published, const struct article *next,
                         struct buf *why)
{
	bool *taken = xcalloc(next->meta.n_corrections + 1, sizeof *taken);
	for (size_t i = 0; i < published->meta.n_corrections; i++) {
		const struct correction *c = &published->meta.corrections[i];
		if (kept(c, &next->meta, taken))
			continue;
		free(taken);
		struct tm tm;
		char day[11] = "?";
		if (date_local(&c->date, &tm))
			strftime(day, sizeof day, "%Y-%m-%d", &tm);
		buf_printf(why, "%s: drops the %s of %s", next->source, correction_kind_name(c->kind), day);
		return true;
	}
	free(taken);
	return false;
}

void corrections_free(struct correction *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i].note);
	free(items);
}
