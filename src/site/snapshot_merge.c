#include "snapshot_merge.h"

#include "alloc.h"
#include "reserved.h"
#include "snapshot_files.h"
#include "snapshot_source.h"
#include "snapshot_walk.h"

#include <stdlib.h>
#include <string.h>

enum { HOLD_AHEAD = 16 };

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether path lies beneath one of sorted changed paths (then that one
 * covers it). */
static bool under_changed(const char *path, char **changed, size_t n)
{
	char *copy = xstrdup(path);
	bool covered = false;
	for (char *slash = strrchr(copy, '/'); slash && !covered; slash = strrchr(copy, '/')) {
		*slash = '\0';
		covered = bsearch(&copy, changed, n, sizeof *changed, by_string) != NULL;
	}
	free(copy);
	return covered;
}

/* The changed paths that matter, sorted, none beneath another. */
static char **changed_roots(char *const *paths, size_t n_paths, size_t *n_out)
{
	char **sorted = xcalloc(n_paths ? n_paths : 1, sizeof *sorted);
	size_t n = 0;
	for (size_t i = 0; i < n_paths; i++)
		if (snapshot_path_matters(paths[i], true) || snapshot_path_matters(paths[i], false))
			sorted[n++] = paths[i];
	qsort(sorted, n, sizeof *sorted, by_string);
	char **roots = xcalloc(n ? n : 1, sizeof *roots);
	*n_out = 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(sorted[i], sorted[i - 1]) == 0)
			continue;
		if (!under_changed(sorted[i], sorted, n))
			roots[(*n_out)++] = sorted[i];
	}
	free(sorted);
	return roots;
}

/* Marks prev's sources at or beneath a changed root: the file itself, and
 * the contiguous run of paths that begin with "root/". */
static bool *changed_marks(const struct snapshot_full *prev, char **roots, size_t n_roots)
{
	bool *marks = xcalloc(prev->n_sources + 1, sizeof *marks);
	for (size_t r = 0; r < n_roots; r++) {
		size_t at = sources_lower_bound(prev->sources, prev->n_sources, roots[r]);
		if (at < prev->n_sources && strcmp(prev->sources[at]->path, roots[r]) == 0)
			marks[at] = true;
		char *dir = xasprintf("%s/", roots[r]);
		size_t len = strlen(dir);
		for (at = sources_lower_bound(prev->sources, prev->n_sources, dir);
		     at < prev->n_sources && strncmp(prev->sources[at]->path, dir, len) == 0; at++)
			marks[at] = true;
		free(dir);
	}
	return marks;
}

/* Merges prev's sources minus the changed ones with the fresh ones (both
 * sorted by path): each fresh one goes where a binary search puts it, so
 * prev's paths are not compared one by one. The changed and the fresh go
 * to changes. */
static struct source **merge_sources(const struct snapshot_full *prev, char **roots, size_t n_roots,
                                     struct source **fresh, size_t n_fresh, size_t *n_out,
                                     struct source_changes *changes)
{
	bool *changed = changed_marks(prev, roots, n_roots);
	struct source **out = xcalloc(prev->n_sources + n_fresh + 1, sizeof *out);
	size_t n = 0, k = 0;
	size_t *place = xcalloc(n_fresh + 1, sizeof *place);
	for (size_t f = 0; f < n_fresh; f++)
		place[f] = sources_lower_bound(prev->sources, prev->n_sources, fresh[f]->path);
	for (size_t i = 0; i <= prev->n_sources; i++) {
		for (; k < n_fresh && place[k] == i; k++) {
			changes->added = xgrowarray(changes->added, changes->n_added, sizeof *changes->added);
			changes->added[changes->n_added++] = fresh[k];
			out[n++] = fresh[k];
		}
		if (i == prev->n_sources)
			break;
		/* Each hold is a cache miss: fetched some sources ahead, the
		 * misses overlap instead of following one another. */
		if (i + HOLD_AHEAD < prev->n_sources)
			__builtin_prefetch(prev->sources[i + HOLD_AHEAD], 1);
		if (changed[i]) {
			changes->removed = xgrowarray(changes->removed, changes->n_removed,
			                              sizeof *changes->removed);
			changes->removed[changes->n_removed++] = prev->sources[i];
		} else {
			out[n++] = source_hold(prev->sources[i]);
		}
	}
	free(place);
	free(changed);
	*n_out = n;
	return out;
}

struct source **merge_changes(struct snapshot_builder *b, const struct snapshot_full *prev,
                              char *const *paths, size_t n_paths, size_t *n_out,
                              bool *intro_changed, struct source_changes *changes)
{
	size_t n_roots;
	char **roots = changed_roots(paths, n_paths, &n_roots);
	struct found_list found = {0};
	*intro_changed = false;
	for (size_t i = 0; i < n_roots; i++) {
		if (strcmp(roots[i], RESERVED_INDEX) == 0)
			*intro_changed = true;
		else
			walk_changed(b->root_fd, roots[i], &found);
	}
	/* Named files are read again even when their stat looks the same. */
	found_sort(&found);
	struct source **fresh = xcalloc(found.n ? found.n : 1, sizeof *fresh);
	size_t n_fresh = 0;
	for (size_t i = 0; i < found.n; i++) {
		const char *path = found.items[i].path;
		struct source *s = source_load(b, path, sources_find(prev->sources, prev->n_sources, path));
		if (s != NULL)
			fresh[n_fresh++] = s;
	}
	found_free(&found);
	struct source **sources = merge_sources(prev, roots, n_roots, fresh, n_fresh, n_out, changes);
	free(fresh);
	free(roots);
	return sources;
}
