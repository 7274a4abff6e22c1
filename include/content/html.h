#ifndef KABAR_HTML_H
#define KABAR_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "blocks.h"
#include "buf.h"

/*
 * HTML embedded in articles, read for its text: tags stripped, entities
 * decoded, links, images and tables kept, script and style dropped. Whole
 * HTML blocks go through gumbo; the tag and entity readers below serve the
 * single tags Markdown lets into a paragraph.
 */

/* Decodes the entity at s (s[0] == '&'): appends its character to out and
 * returns the bytes it took, or returns 0 when it is not an entity Kabar
 * knows (the '&' is then plain text). */
size_t html_entity(const char *s, size_t len, struct buf *out);

/* Appends s with its entities decoded. */
void html_decode(struct buf *out, const char *s, size_t len);

/* One tag: its lower-case name and the attributes Kabar reads (decoded). */
struct html_tag {
	char name[16];
	bool closing;  /* </a> */
	char *href;
	char *src;
	char *alt;
	char *title;
};

/*
 * Reads the tag, comment or declaration that starts at s (s[0] == '<').
 * Returns its length, or 0 when s does not start one (a '<' in text, or a
 * tag cut short). Comments and declarations come back with an empty name.
 */
size_t html_tag_parse(const char *s, size_t len, struct html_tag *tag);
void html_tag_free(struct html_tag *tag);

/* Appends the blocks an HTML fragment reads as. The fragment is parsed as
 * a browser parses it (gumbo, HTML5): tables become table blocks, a
 * caption a paragraph above; tags nested past 512 deep are dropped, their
 * text kept; control characters from entities are left out. */
void html_to_blocks(const char *s, size_t len, struct block_list *out);

#endif
