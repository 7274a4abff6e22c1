#ifndef KABAR_FEED_H
#define KABAR_FEED_H

#include <stddef.h>

#include "article.h"
#include "buf.h"
#include "config.h"
#include "site.h"
#include "snapshot.h"

/*
 * Atom feeds (RFC 4287) of the site, a section, an author or a tag. Links
 * are absolute for the protocol the feed was asked over (gemini://... or
 * gopher://...). Entry ids are tag: URIs made of the site's canonical name,
 * the article's day and its path, so they stay the same across restarts,
 * ports and protocols.
 */

#define FEED_MAX_ENTRIES 50

struct feed {
	const char *title;
	const char *self_path; /* where the feed is: "/section/barru/feed.xml" */
	const char *page_path; /* the page it follows: "/section/barru/" */
	/* Resolves links in the entries' text to articles' addresses; NULL:
	 * links stay as their sources write them. */
	const struct snapshot *snapshot;
};

/* An entry's text (its content) is cut at a line past this many bytes. */
#define FEED_CONTENT_MAX (64 * 1024)

/* Appends the feed of articles (newest first; past FEED_MAX_ENTRIES they
 * are left out) for the site vhost (never NULL: it names the feed's author
 * and its language). Each entry holds the article's whole text, gemtext
 * for a feed asked over Gemini and plain text over Gopher, and says its
 * language in xml:lang. */
void feed_atom(struct buf *out, const struct feed *feed, const struct vhost *vhost,
               const struct origin *origin, enum output kind, const struct article *const *articles,
               size_t n);

#endif
