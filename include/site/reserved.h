#ifndef KABAR_RESERVED_H
#define KABAR_RESERVED_H

#include <stdbool.h>

/*
 * The names the server gives meaning to: files it reads as more than a
 * file to serve, and the addresses its own pages take at the capsule's
 * root. One list, for whatever serves them and for Titan, which refuses
 * to write them (an editor who may write images/ must not write
 * images/gophermap, a menu with links anywhere).
 */

#define RESERVED_GOPHERMAP "gophermap" /* any folder: its Gopher menu */
#define RESERVED_INDEX "index.gmi"     /* any folder: its Gemini page; the root's: the front page's intro */
#define RESERVED_CAPS "caps.txt"       /* the root: Gopher clients' capabilities */
#define RESERVED_ROBOTS "robots.txt"   /* the root: what crawlers may read */
#define RESERVED_FEED_XML "feed.xml"   /* the root: the site's Atom feed */
#define RESERVED_FEED_GMI "feed.gmi"   /* the root: the latest articles as a Gemini feed */
#define RESERVED_DESK "desk"           /* the root: the editors' desk */
#define RESERVED_SEARCH "search"
#define RESERVED_ARCHIVE "archive"
#define RESERVED_SECTION "section"
#define RESERVED_AUTHOR "author"
#define RESERVED_TAG "tag"

/*
 * Why relpath (relative to the capsule, no leading '/') names something
 * the server gives meaning to, or NULL when it does not: a file named as
 * one of the per-folder files anywhere, or a path beneath (or at) one of
 * the root's own names.
 */
const char *reserved_reason(const char *relpath);

#endif
