#include "snapshot_paths.h"

#include "alloc.h"
#include "log.h"
#include "snapshot_address.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

static size_t table_capacity(size_t n)
{
	size_t capacity = 16;
	while (capacity < n * 2)
		capacity *= 2;
	return capacity;
}

/* The slot of key, or the empty one where it would go. */
static size_t path_slot_of(const struct snapshot_full *f, const char *key, uint64_t hash)
{
	size_t i = hash & f->paths_mask;
	for (; f->paths[i].key != NULL; i = (i + 1) & f->paths_mask)
		if (f->paths[i].hash == hash && strcmp(f->paths[i].key, key) == 0)
			break;
	return i;
}

static void path_put(struct snapshot_full *f, const char *key, uint64_t hash,
                     const struct article *a)
{
	struct path_slot *slot = &f->paths[path_slot_of(f, key, hash)];
	if (slot->key != NULL) {
		slot->claims++; /* taken by a newer article or a real path */
		return;
	}
	*slot = (struct path_slot){key, a, hash, 1};
	f->n_paths++;
}

/* The i-th article found by path: the listed ones (newest first), then
 * the redirects. */
static const struct source *routed(const struct snapshot_full *f, size_t i)
{
	return i < f->pub.n_articles ? f->listed[i] : f->redirects[i - f->pub.n_articles];
}

static int by_rank(const void *a, const void *b)
{
	return address_rank(*(const struct source *const *)a, *(const struct source *const *)b);
}

/* The slot of the article address an alias is the ".gmi" form of (the
 * routes answer "/news/x.gmi" with the article at "/news/x"), or NULL. */
static struct path_slot *gmi_form_of(struct snapshot_full *f, const char *alias)
{
	size_t len = strlen(alias);
	if (!text_ends_with(alias, len, ".gmi"))
		return NULL;
	size_t stem_len = len - strlen(".gmi");
	uint64_t hash = text_hash(alias, stem_len);
	for (size_t i = hash & f->paths_mask; f->paths[i].key != NULL; i = (i + 1) & f->paths_mask) {
		struct path_slot *slot = &f->paths[i];
		if (slot->hash == hash && strncmp(slot->key, alias, stem_len) == 0 &&
		    slot->key[stem_len] == '\0')
			return strcmp(slot->article->path, slot->key) == 0 ? slot : NULL;
	}
	return NULL;
}

/* s's k-th alias, unless another article holds it: an article's own
 * address or its ".gmi" form always, another alias when that article
 * ranks first (aliases are put in address_rank's order). A refused one
 * still counts as a claim on the holder's slot, so that an update that
 * takes the holder out builds the table again. */
static void alias_put(struct snapshot_full *f, const struct source *s, size_t k)
{
	const char *alias = s->alias_paths[k];
	uint64_t hash = text_hash(alias, strlen(alias));
	struct path_slot *slot = &f->paths[path_slot_of(f, alias, hash)];
	if (slot->key == NULL)
		slot = gmi_form_of(f, alias);
	if (slot == NULL) {
		path_put(f, alias, hash, s->article);
		return;
	}
	slot->claims++;
	if (slot->article != s->article)
		log_warn("%s:%d: alias %s is held by %s; not served", s->path,
		         s->article->meta.aliases_line > 0 ? s->article->meta.aliases_line : 1, alias,
		         slot->article->source);
}

/* Real paths first, so an alias never shadows an article's own path. */
void paths_build(struct snapshot_full *f)
{
	size_t n_routed = f->pub.n_articles + f->n_redirects;
	size_t n_keys = n_routed, n_aliased = 0;
	for (size_t i = 0; i < n_routed; i++)
		if (routed(f, i)->alias_paths != NULL) {
			n_keys += routed(f, i)->article->meta.n_aliases;
			n_aliased++;
		}
	f->paths_mask = table_capacity(n_keys) - 1;
	f->paths = xcalloc(f->paths_mask + 1, sizeof *f->paths);
	const struct source **aliased = xcalloc(n_aliased ? n_aliased : 1, sizeof *aliased);
	n_aliased = 0;
	for (size_t i = 0; i < n_routed; i++) {
		const struct source *s = routed(f, i);
		if (s->url != NULL)
			path_put(f, s->url, s->url_hash, s->article);
		if (s->alias_paths != NULL)
			aliased[n_aliased++] = s;
	}
	qsort(aliased, n_aliased, sizeof *aliased, by_rank);
	for (size_t i = 0; i < n_aliased; i++)
		for (size_t k = 0; k < aliased[i]->article->meta.n_aliases; k++)
			if (aliased[i]->alias_paths[k] != NULL)
				alias_put(f, aliased[i], k);
	free(aliased);
}

static bool routes(const struct source *s)
{
	return s->article != NULL && (s->listed || s->redirects);
}

/* Empties slot i, moving later ones of its run back so that every key
 * stays reachable from its home slot (linear probing). */
static void path_remove(struct snapshot_full *f, size_t i)
{
	for (size_t j = (i + 1) & f->paths_mask; f->paths[j].key != NULL; j = (j + 1) & f->paths_mask) {
		size_t home = f->paths[j].hash & f->paths_mask;
		bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
		if (movable) {
			f->paths[i] = f->paths[j];
			i = j;
		}
	}
	f->paths[i] = (struct path_slot){0};
	f->n_paths--;
}

/* Takes s's addresses out of f's table: false when one of them is
 * claimed by another too (who keeps it is for a full build to say). */
static bool paths_take_out(struct snapshot_full *f, const struct source *s)
{
	if (s->url != NULL) {
		size_t i = path_slot_of(f, s->url, s->url_hash);
		if (f->paths[i].key == NULL || f->paths[i].claims != 1)
			return false;
		path_remove(f, i);
	}
	for (size_t k = 0; s->alias_paths != NULL && k < s->article->meta.n_aliases; k++) {
		const char *alias = s->alias_paths[k];
		if (alias == NULL)
			continue;
		size_t i = path_slot_of(f, alias, text_hash(alias, strlen(alias)));
		if (f->paths[i].key == NULL || f->paths[i].claims != 1)
			return false;
		path_remove(f, i);
	}
	return true;
}

/* Whether key's ".gmi" form is in f's table: an alias that key, once an
 * article's own address, takes away (a full build says so). */
static bool gmi_form_held(const struct snapshot_full *f, const char *key)
{
	char *form = xasprintf("%s.gmi", key);
	bool held = paths_find(f, form) != NULL;
	free(form);
	return held;
}

/* Puts s's addresses in f's table: false when one is there already. */
static bool paths_put_in(struct snapshot_full *f, const struct source *s)
{
	if (s->url != NULL) {
		size_t i = path_slot_of(f, s->url, s->url_hash);
		if (f->paths[i].key != NULL || gmi_form_held(f, s->url))
			return false;
		f->paths[i] = (struct path_slot){s->url, s->article, s->url_hash, 1};
		f->n_paths++;
	}
	for (size_t k = 0; s->alias_paths != NULL && k < s->article->meta.n_aliases; k++) {
		const char *alias = s->alias_paths[k];
		if (alias == NULL)
			continue;
		uint64_t hash = text_hash(alias, strlen(alias));
		size_t i = path_slot_of(f, alias, hash);
		if (f->paths[i].key != NULL || gmi_form_of(f, alias) != NULL)
			return false;
		f->paths[i] = (struct path_slot){alias, s->article, hash, 1};
		f->n_paths++;
	}
	return true;
}

static size_t address_count(const struct source *s)
{
	return (s->url != NULL) + (s->alias_paths != NULL ? s->article->meta.n_aliases : 0);
}

/* prev's table copied, the removed sources' addresses taken out and the
 * added ones' put in. When an address is or becomes claimed twice, or the
 * table would fill up, the table is built whole instead: rare. */
void paths_update(struct snapshot_full *f, const struct snapshot_full *prev,
                  const struct source_changes *changes)
{
	size_t n_new = 0;
	for (size_t i = 0; i < changes->n_added; i++)
		if (routes(changes->added[i]))
			n_new += address_count(changes->added[i]);
	if ((prev->n_paths + n_new) * 2 > prev->paths_mask + 1) {
		paths_build(f);
		return;
	}
	f->paths_mask = prev->paths_mask;
	f->paths = xmalloc((f->paths_mask + 1) * sizeof *f->paths);
	memcpy(f->paths, prev->paths, (f->paths_mask + 1) * sizeof *f->paths);
	f->n_paths = prev->n_paths;
	bool patched = true;
	for (size_t i = 0; i < changes->n_removed && patched; i++)
		if (routes(changes->removed[i]))
			patched = paths_take_out(f, changes->removed[i]);
	for (size_t i = 0; i < changes->n_added && patched; i++)
		if (routes(changes->added[i]))
			patched = paths_put_in(f, changes->added[i]);
	if (patched)
		return;
	free(f->paths);
	f->n_paths = 0;
	paths_build(f);
}

const struct article *paths_find(const struct snapshot_full *f, const char *path)
{
	uint64_t hash = text_hash(path, strlen(path));
	for (size_t i = hash & f->paths_mask; f->paths[i].key != NULL; i = (i + 1) & f->paths_mask)
		if (f->paths[i].hash == hash && strcmp(f->paths[i].key, path) == 0)
			return f->paths[i].article;
	return NULL;
}

static int by_identity(const void *a, const void *b)
{
	const struct identity *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return (x->ino > y->ino) - (x->ino < y->ino);
}

/* The identities of some sources, sorted. */
static struct identity *identities_of(struct source *const *sources, size_t n)
{
	struct identity *ids = xcalloc(n ? n : 1, sizeof *ids);
	for (size_t i = 0; i < n; i++)
		ids[i] = (struct identity){sources[i]->id.dev, sources[i]->id.ino};
	qsort(ids, n, sizeof *ids, by_identity);
	return ids;
}

void identities_build(struct snapshot_full *f)
{
	f->sources_ids = identities_of(f->sources, f->n_sources);
	f->n_sources_ids = f->n_sources;
}

/* One pass over prev's sorted identities: one of each removed source's
 * left out (two names of one file are two sources), the added ones put in
 * their places. */
void identities_update(struct snapshot_full *f, const struct snapshot_full *prev,
                       const struct source_changes *changes)
{
	struct identity *gone = identities_of(changes->removed, changes->n_removed);
	struct identity *added = identities_of(changes->added, changes->n_added);
	f->sources_ids = xcalloc(prev->n_sources_ids + changes->n_added + 1, sizeof *f->sources_ids);
	size_t n = 0, g = 0, a = 0;
	for (size_t i = 0; i <= prev->n_sources_ids; i++) {
		const struct identity *id = i < prev->n_sources_ids ? &prev->sources_ids[i] : NULL;
		for (; a < changes->n_added && (id == NULL || by_identity(&added[a], id) <= 0); a++)
			f->sources_ids[n++] = added[a];
		if (id == NULL)
			break;
		while (g < changes->n_removed && by_identity(&gone[g], id) < 0)
			g++;
		if (g < changes->n_removed && by_identity(&gone[g], id) == 0)
			g++; /* left out */
		else
			f->sources_ids[n++] = *id;
	}
	f->n_sources_ids = n;
	free(gone);
	free(added);
}

bool identities_include(const struct snapshot_full *f, dev_t dev, ino_t ino)
{
	struct identity probe = {dev, ino};
	return bsearch(&probe, f->sources_ids, f->n_sources_ids, sizeof *f->sources_ids,
	               by_identity) != NULL;
}
