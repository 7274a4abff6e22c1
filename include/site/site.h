#ifndef KABAR_SITE_H
#define KABAR_SITE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "config.h"
#include "lang.h"
#include "output.h"

/*
 * A site is one virtual host's newsroom at run time: the articles of its
 * capsule, indexed into an immutable snapshot that the loader replaces
 * whenever the capsule changes. Requests take a reference to the current
 * snapshot (no lock) and render from it; the same routes serve Gemini and
 * Gopher, so the same path means the same thing in both.
 */

struct site;
struct snapshot;

/* Opens the capsule directory (before privileges are dropped); NULL only if
 * it cannot be opened, with a line in errors. The articles are read by
 * site_load. */
struct site *site_open(const struct vhost *vh, struct buf *errors);

/* Reads the capsule once (synchronously) into the first snapshot, with the
 * rights the process has by then: a server calls it after dropping them.
 * Problems with single articles are logged and do not fail the site. Must
 * come before the first site_acquire. */
void site_load(struct site *site);

/* The other way to start (a server's first start): the site answers at
 * once from an empty snapshot marked loading (snapshot.h), and
 * site_finish_loading, on the loader thread, reads the capsule newest
 * files first, publishing what it has read every few seconds and the
 * whole at the end. It stops early when *stop turns true. */
void site_begin_loading(struct site *site);
bool site_loading(const struct site *site);
void site_finish_loading(struct site *site, const atomic_bool *stop);

void site_close(struct site *site);

/* The capsule directory, open for the site's lifetime: every file access
 * goes through it with openat, never by path, so it keeps working after
 * privileges are dropped. Front-ends read through site_open_file, never
 * through this descriptor. */
int site_root_fd(const struct site *site);

/*
 * The one way a front-end opens a capsule file or folder, so every road
 * (a file, a listing's entries, index.gmi, a gophermap, the small-file
 * cache, Gemini, Gopher, Gopher over TLS) follows one access rule:
 * capsule_open (links only inside, the hidden-name and depth rules on
 * where it really is), then snapshot_hides_entry (an article source,
 * drafts and scheduled ones too, by whatever name, symlink or hard link).
 * A file the snapshot hides comes back CAPSULE_FORBIDDEN, with no
 * descriptor. path as capsule_open takes it.
 */
struct capsule_entry;
void site_open_file(const struct site *site, const struct snapshot *snap, const char *path,
                    struct capsule_entry *entry);

/* The one file of a hidden folder a front-end may serve: name in the
 * capsule's .well-known/ (RFC 8615; capsule_read_well_known), read whole
 * into out. 0, or an errno value. No article lives there. */
int site_read_well_known(const struct site *site, const char *name, size_t limit, struct buf *out);

/* The current snapshot, held until site_release. Never NULL. */
struct snapshot *site_acquire(struct site *site);
void site_release(struct site *site, struct snapshot *snap);

/* The loader's side: the site's snapshot builder, and publishing a new
 * snapshot (its reference passes to the site; the previous one is released
 * once no request can still be picking it up). Loader thread only. */
struct snapshot_builder *site_builder(struct site *site);
void site_publish(struct site *site, struct snapshot *snap);


/* Where the reader is: for absolute links and Gopher menu lines. */
struct origin {
	const char *host; /* the host name the request named (or the default) */
	int port;         /* the port the request arrived on */
	bool tls;
};

enum route_kind {
	ROUTE_NONE,      /* not a site route: serve the capsule's file instead */
	ROUTE_PAGE,      /* body holds the page */
	ROUTE_REDIRECT,  /* target holds the new path (an article's redirect:) */
	ROUTE_INPUT,     /* search without terms: target holds the prompt */
	ROUTE_NOT_FOUND, /* a site route that names nothing (an unknown tag...) */
};

struct route_result {
	enum route_kind kind;
	const char *mime;  /* "text/gemini", "application/atom+xml", "text/plain" */
	char gopher_type;  /* '0' text or '1' menu, for OUTPUT_GOPHER */
	struct buf body;
	char *target;
	char lang[LANG_TAG_MAX]; /* the page's language when not the host's ("" then) */
};

#endif
