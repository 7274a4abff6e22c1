#ifndef KABAR_LINKS_H
#define KABAR_LINKS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * Where a link written in an article points, the way its author saw it: a
 * relative link resolves against the article's source file in the capsule
 * (an image saved beside the article is found beside it), "." and ".." are
 * resolved before anything is written, and a link to another article's
 * source file names that article. The server, `kabar render` and
 * `kabar check` all ask here, so they never disagree about a link.
 */

enum link_kind {
	LINK_EXTERNAL, /* has a scheme or starts "//": left as written */
	LINK_SELF,     /* only "?query" or "#fragment": the article itself */
	LINK_SITE,     /* a path of this site */
	LINK_OUTSIDE,  /* ".." would climb out of the capsule */
};

/*
 * Resolves ref as written in the file at base, a site path such as
 * "/news/links/ferry.md". For LINK_SITE, path gets the site path without
 * "." or ".." segments ("/news/links/pics/chart.png"), as written otherwise
 * (percent escapes kept); for every kind, *suffix points at the "?query" or
 * "#fragment" part of ref ("" when none).
 */
enum link_kind links_resolve(const char *base, const char *ref, struct buf *path,
                             const char **suffix);

/*
 * The article whose source a site path names: the file itself
 * ("/news/older/harbour.md"), the file without its extension
 * ("/news/older/harbour"), or a folder with an index file (a page bundle,
 * "/news/guides/ferry/"). lookup is asked for each capsule path in turn
 * ("news/older/harbour.md"); the first answer that is not NULL is returned.
 */
const void *links_find_source(const char *site_path,
                              const void *(*lookup)(const char *source, const void *data),
                              const void *data);

/* The longest URL a Gemini request holds, and a response header's meta
 * (a redirect's target): 1,024 bytes. */
#define LINKS_URL_MAX 1024

/*
 * Why an alias (with its leading '/') is no address an article may have,
 * or NULL: an alias lives in the articles' address space (/news/...), so
 * it never stands in front of a capsule file outside it (/robots.txt,
 * /images/...), and is a plain path (no query, fragment, escape, space,
 * "." or ".." part, nothing text_clean would change, at most
 * LINKS_URL_MAX bytes). The site also refuses one where a capsule file or
 * folder is, or that another article holds (snapshot.h).
 */
const char *links_alias_refusal(const char *alias);

/* The schemes a link or a redirect may lead to from this site (http,
 * https, gemini, gopher, mailto ...): never javascript:, data: and the
 * like, which a reader's browser would run. The Gopher URL: page and the
 * front matter's redirect: both ask here. */
bool links_scheme_allowed(const char *url);

/* Whether a capsule path's file name is an index file ("index.md",
 * "index.gmi", "index.txt"): a page bundle's article, named by its folder. */
bool links_is_bundle_index(const char *source);

/* Finding the lines links are written on, for reports, in one pass over
 * the text when links are looked up in the order they are written. */
struct link_cursor {
	size_t at;   /* byte offset in the text */
	size_t line; /* the line at holds, from 1 */
};

/* The line of text where ref is next written after the cursor, which moves
 * past it; when it is not found there, the cursor's line. */
size_t links_line_of(const char *text, size_t len, const char *ref, struct link_cursor *c);

#endif
