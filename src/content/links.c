#include "links.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "text.h"
#include "url.h"

/* The extensions an article's source may have (article_source_name's),
 * in the order a link without one tries them. */
static const char *const article_extensions[] = {".md", ".gmi", ".txt", ".markdown", ".mdown",
                                                 ".mkd"};
#define N_EXTENSIONS (sizeof article_extensions / sizeof article_extensions[0])

static bool is_external(const char *ref)
{
	return url_scheme_length(ref, strlen(ref)) > 0 || (ref[0] == '/' && ref[1] == '/');
}

enum link_kind links_resolve(const char *base, const char *ref, struct buf *path,
                             const char **suffix)
{
	size_t path_len = strcspn(ref, "?#");
	*suffix = ref + path_len;
	if (is_external(ref)) {
		*suffix = ref + strlen(ref);
		return LINK_EXTERNAL;
	}
	if (path_len == 0)
		return LINK_SELF;
	struct buf merged = {0};
	if (ref[0] != '/') {
		if (base == NULL || base[0] != '/')
			base = "/";
		const char *slash = strrchr(base, '/');
		buf_append(&merged, base, (size_t)(slash - base) + 1);
	}
	buf_append(&merged, ref, path_len);
	size_t start = path->len;
	enum url_error err = url_remove_dots(path, merged.data, merged.len);
	buf_free(&merged);
	if (err != URL_OK || path->len == start) {
		path->len = start;
		if (path->data != NULL)
			path->data[start] = '\0';
		return LINK_OUTSIDE;
	}
	return LINK_SITE;
}

/* Asks lookup about prefix + the capsule path of site_path[0..len) + ext. */
static const void *ask(const char *site_path, size_t len, const char *ext,
                       const void *(*lookup)(const char *, const void *), const void *data)
{
	char *source = xasprintf("%.*s%s", (int)len, site_path, ext);
	const void *found = lookup(source, data);
	free(source);
	return found;
}

const void *links_find_source(const char *site_path,
                              const void *(*lookup)(const char *source, const void *data),
                              const void *data)
{
	if (site_path[0] != '/')
		return NULL;
	site_path++; /* capsule paths have no leading '/' */
	size_t len = strlen(site_path);
	bool folder = len > 0 && site_path[len - 1] == '/';
	while (len > 0 && site_path[len - 1] == '/')
		len--;
	if (len == 0)
		return NULL;
	const void *found = folder ? NULL : ask(site_path, len, "", lookup, data);
	for (size_t i = 0; found == NULL && !folder && i < N_EXTENSIONS; i++)
		found = ask(site_path, len, article_extensions[i], lookup, data);
	for (size_t i = 0; found == NULL && i < N_EXTENSIONS; i++) {
		char *index = xasprintf("/index%s", article_extensions[i]);
		found = ask(site_path, len, index, lookup, data);
		free(index);
	}
	return found;
}

bool links_scheme_allowed(const char *url)
{
	static const char *const schemes[] = {
		"http:", "https:", "gemini:", "gopher:", "gophers:", "ftp:", "ftps:", "mailto:",
		"irc:", "ircs:", "news:", "nntp:", "telnet:", "ssh:", "finger:", "xmpp:",
	};
	for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
		if (strncasecmp(url, schemes[i], strlen(schemes[i])) == 0)
			return true;
	return false;
}

/* Whether the path has a "." or ".." segment, or an empty one. */
static bool odd_segment(const char *path)
{
	for (const char *seg = path + 1; *seg;) {
		size_t len = strcspn(seg, "/");
		bool last = seg[len] == '\0';
		if ((len == 0 && !last) || (len == 1 && seg[0] == '.') ||
		    (len == 2 && seg[0] == '.' && seg[1] == '.'))
			return true;
		seg += len + !last;
	}
	return false;
}

const char *links_alias_refusal(const char *alias)
{
	size_t len = strlen(alias);
	if (len > LINKS_URL_MAX || !text_is_clean(alias, len) || strpbrk(alias, " ?#%\\") != NULL ||
	    odd_segment(alias))
		return "is not a plain path";
	if (strncmp(alias, "/news/", 6) != 0 || alias[6] == '\0')
		return "is outside the article addresses (/news/...)";
	return NULL;
}

bool links_is_bundle_index(const char *source)
{
	const char *slash = strrchr(source, '/');
	const char *name = slash ? slash + 1 : source;
	for (size_t i = 0; i < N_EXTENSIONS; i++)
		if (strncmp(name, "index", 5) == 0 && strcmp(name + 5, article_extensions[i]) == 0)
			return true;
	return false;
}

size_t links_line_of(const char *text, size_t len, const char *ref, struct link_cursor *c)
{
	if (c->line == 0)
		c->line = 1;
	size_t ref_len = strlen(ref);
	if (ref_len == 0 || c->at > len)
		return c->line;
	const char *hit = memmem(text + c->at, len - c->at, ref, ref_len);
	if (hit == NULL)
		return c->line;
	for (const char *p = text + c->at; p < hit; p++)
		c->line += *p == '\n';
	c->at = (size_t)(hit - text) + ref_len;
	return c->line;
}
