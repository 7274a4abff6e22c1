#ifndef KABAR_LAYOUT_H
#define KABAR_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "article.h"
#include "blocks.h"

/*
 * The seed layout: an article in Markdown with no front matter, laid out
 * the way regional news sites export it:
 *
 *   # Goblog                                        -> site_name
 *   ## Headline                                     -> title
 *   NAME - [BARRU.GOBLOG.CO.ID](http://...)         -> authors, author_url, section
 *   Apr 21, 2022 - 11:18                            -> date (the site's zone)
 *   *Caption of the photo*                          -> caption
 *   paragraphs ...                                  -> blocks (Markdown)
 *   (HB-red)                                        -> signature
 *
 * The site and headline lines are required; each of the next three is
 * optional but they come in this order.
 */

/* True when text is laid out so: meta gets the parts and body the
 * paragraphs. False when it is not; nothing is changed then. */
bool layout_parse(const char *text, size_t len, const struct article_context *ctx,
                  struct article_meta *meta, struct block_list *body);

/* The regional desk a site address names: the first label of a subdomain
 * ("http://BARRU.GOBLOG.CO.ID" -> "barru"), or NULL for a site's own
 * domain ("goblog.co.id", "www.goblog.co.id"). */
char *layout_section_of_url(const char *url);

#endif
