#ifndef KABAR_RENDER_PARTS_H
#define KABAR_RENDER_PARTS_H

/*
 * Private to the render modules (render_gemtext.c, render_gopher.c and the
 * parts they share: render_links.c, render_byline.c, and render.c for
 * lines and tables).
 * Nothing else includes this header; render.h is the public surface.
 */

#include <stdbool.h>
#include <stddef.h>

#include "article.h"
#include "blocks.h"
#include "buf.h"
#include "labels.h"
#include "output.h"
#include "render.h"
#include "strset.h"

/* ---- render_links.c: link resolution and reference numbers ---- */

/* The article's numbered links: one number per distinct URL, so a site
 * linked five times is listed once. The URLs are borrowed from the
 * article, which outlives the rendering. */
struct references {
	struct strset urls; /* number - 1 by URL */
};

bool render_url_usable(const struct article *a, const char *url);
char *render_resolve_url(const char *url, const struct article *a,
                         const struct render_context *ctx, enum output proto);
char *render_image_label(const char *url, const char *alt);
void render_gopher_item(struct buf *out, const char *url, const char *display,
                        const struct article *a, const struct render_context *ctx);
bool render_block_only_links(const struct article *a, const struct block *b);
int render_reference_number(struct references *r, const char *url);
char *render_add_references(const struct article *a, const char *text,
                            const struct link *links, size_t n_links,
                            struct references *refs, int *numbers);

/* ---- render_byline.c: the lines above the body ---- */

const char *render_article_lang(const struct article *a, const struct render_context *ctx);
void render_append_byline(struct buf *out, const struct article_meta *m, const struct labels *t);
void render_append_dateline(struct buf *out, const struct article *a,
                            const struct render_context *ctx, const struct labels *t);
char *render_section_title(const char *section);
char *render_site_label(const char *url);

/* ---- render.c: lines, code and tables ---- */

char *render_one_line(const char *s);
void render_put_line(struct buf *out, const char *prefix, const char *s, size_t len,
                     const char *eol);
void render_put_pre_text(struct buf *out, const char *text, const char *indent, const char *eol);
void render_put_padding(struct buf *out, size_t n);
void render_put_table(struct buf *out, const struct table *tb, const char *indent, const char *eol);
void render_put_separator(struct buf *out, const struct block *prev, const struct block *b,
                          const char *eol);

#endif
