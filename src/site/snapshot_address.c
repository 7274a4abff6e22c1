#include "snapshot_address.h"

#include "alloc.h"
#include "article_pack.h"
#include "log.h"
#include "snapshot_source.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

struct address_use {
	const char *url;
	size_t at; /* in sources, which are in path order */
};

static int by_url_then_path(const void *a, const void *b)
{
	const struct address_use *x = a, *y = b;
	int c = strcmp(x->url, y->url);
	return c != 0 ? c : (x->at > y->at) - (x->at < y->at);
}

static bool address_taken(const struct address_use *uses, size_t n, char **given, size_t n_given,
                          const char *url)
{
	struct address_use key = {url, 0};
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(uses[mid].url, key.url);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = 0; i < n_given; i++)
		if (strcmp(given[i], url) == 0)
			return true;
	return false;
}

/* "/news/2025/06/guide" for news/guides/zh-hans/guide.md, when that is
 * taken: "/news/2025/06/guide-zh-hans", then "-2", "-3" ... */
static char *free_address(const struct source *s, const struct address_use *uses, size_t n,
                          char **given, size_t n_given)
{
	const char *end = strrchr(s->path, '/');
	const char *start = end;
	while (start > s->path && start[-1] != '/')
		start--;
	char *folder_name = xstrndup(start, (size_t)(end - start));
	char *folder = text_slug(folder_name);
	free(folder_name);
	char *url = xasprintf("%s-%s", s->url, folder);
	for (int k = 2; address_taken(uses, n, given, n_given, url); k++) {
		free(url);
		url = xasprintf("%s-%s-%d", s->url, folder, k);
	}
	free(folder);
	return url;
}

/* The same source at another address, for this snapshot and the ones
 * built from it (the file's own source is shared with older ones). */
static struct source *source_readdressed(struct snapshot_builder *b, const struct source *s,
                                         const char *url)
{
	struct source *copy = source_new(s->path, &s->id);
	struct article moved = *s->article;
	moved.path = (char *)url;
	copy->article = article_pack_copy(&moved);
	source_derive(b, copy);
	return copy;
}

void settle_addresses(struct snapshot_builder *b, struct source **sources, size_t n)
{
	struct address_use *uses = xcalloc(n ? n : 1, sizeof *uses);
	size_t n_uses = 0;
	for (size_t i = 0; i < n; i++)
		if (sources[i]->article != NULL && sources[i]->listed && sources[i]->url != NULL)
			uses[n_uses++] = (struct address_use){sources[i]->url, i};
	qsort(uses, n_uses, sizeof *uses, by_url_then_path);
	char **given = NULL;
	size_t n_given = 0;
	for (size_t u = 1; u < n_uses; u++) {
		if (strcmp(uses[u].url, uses[u - 1].url) != 0)
			continue;
		struct source *s = sources[uses[u].at];
		char *url = free_address(s, uses, n_uses, given, n_given);
		log_warn("%s: %s is taken by %s; served at %s", s->path, s->url,
		         sources[uses[u - 1].at]->path, url);
		given = xgrowarray(given, n_given, sizeof *given);
		given[n_given++] = url;
		sources[uses[u].at] = source_readdressed(b, s, url);
		uses[u].url = uses[u - 1].url; /* the group's next member compares with it */
		uses[u].at = uses[u - 1].at;
		source_drop(s);
	}
	for (size_t i = 0; i < n_given; i++)
		free(given[i]);
	free(given);
	free(uses);
}
