#ifndef KABAR_RENDER_H
#define KABAR_RENDER_H

#include "article.h"
#include "buf.h"
#include "config.h"
#include "site.h"

/*
 * The article renderers: one model, two outputs. Each renders the article
 * itself (headline, byline, date with zone, reading time, section, feature
 * image with caption, body, signature, tags); the site adds related
 * articles and navigation around it.
 *
 * Bodies: render_gemtext.c and render_gopher.c, over the parts they share
 * (render_parts.h): link resolution and reference numbers (render_links.c),
 * the byline and dates (render_byline.c: render_when), lines and tables
 * (render.c).
 */

struct snapshot; /* snapshot.h */

struct render_context {
	const struct vhost *vhost; /* language, zone, wrap width */
	const char *base_url;      /* "gemini://host:port" or "gopher://host:port" for absolute links */
	/* The articles a link may name by source file or alias, so that it
	 * becomes their address; NULL: none (a preview of one file). */
	const struct snapshot *snapshot;
	/* Where the Gopher menu form's items of this site point (its host's
	 * advertised name and port); NULL elsewhere. */
	const struct origin *menu;
};

/* Gemtext. No text line starts gemtext syntax by accident. */
void render_gemtext(struct buf *out, const struct article *a, const struct render_context *ctx);

/* Gopher text: wrapped at ctx->vhost->wrap_columns display columns, links
 * gathered as numbered references "[1] URL" at the end, lines end "\r\n",
 * no dot-stuffing (the front-end does it). */
void render_gopher_text(struct buf *out, const struct article *a, const struct render_context *ctx);

/* The Gopher menu form of the same text: every line an info line (wrapped
 * at the menu width), and every link an item right after the paragraph
 * that holds it ("[n] label", as the text cites it), so a client can
 * follow it: capsule paths on ctx->menu by their item type (an article's
 * address is a menu), gopher:// links as their own items, every other
 * scheme an "h" item with a "URL:" selector. ctx->menu must be set. */
void render_gopher_menu(struct buf *out, const struct article *a, const struct render_context *ctx);

/* "2022-04-21 11:18 WITA": a time shown in the zone it was written in. */
void render_when(struct buf *out, const struct when *w, const struct vhost *vhost);

#endif
