#ifndef KABAR_BLOCKS_H
#define KABAR_BLOCKS_H

#include <stddef.h>

#include "article.h"
#include "buf.h"

/*
 * Building an article's block list: the shared back end of every body
 * parser (Markdown, embedded HTML, gemtext, plain text, the seed layout).
 */

/*
 * Every link costs a line of gemtext and Gopher and about a hundred bytes
 * held: an article of 4 MiB of "[r] " would hold a million. Normal articles
 * have tens; past these bounds a link's label is kept as plain text, so
 * output and memory stay linear in the article with a small factor.
 */
#define MAX_LINKS_PER_BLOCK 4096
#define MAX_LINKS_PER_ARTICLE 16384

/* A list item's level is at most this: deeper lists read as this deep, so
 * an item's indent (two columns a level in Gopher, a dash in gemtext)
 * stays small whatever the nesting of the source. */
#define MAX_LIST_LEVEL 8

struct block_list {
	struct block *items;
	size_t count;
	size_t cap;
	size_t n_links; /* in all its blocks: see MAX_LINKS_PER_ARTICLE */
};

/* Text being gathered for one block, with the links found in it so far. */
struct inline_text {
	struct buf text;
	struct link *links;
	size_t n_links;
	size_t cap_links;
	/* Offsets in text of the spaces that stand for hard line breaks,
	 * ascending: white space collapses everywhere else. */
	size_t *breaks;
	size_t n_breaks;
	size_t cap_breaks;
};

/* Records a link whose label is text[label_start..] as gathered so far.
 * An empty label is replaced by the URL itself, so every link can be read.
 * Past MAX_LINKS_PER_BLOCK in t, the label stays text and no link is kept. */
void inline_add_link(struct inline_text *t, const char *url, size_t label_start);
/* One change to gathered text: text[from..to) becomes with. */
struct text_edit {
	size_t from, to;
	const char *with;
};

/* Applies edits (ascending, not overlapping) to t's text; links and breaks
 * after an edit move along, a link ending inside one ends where its
 * replacement does, a break inside one goes. Costs the length of the text
 * from the first edit on, so edits near the end are cheap. */
void inline_edit(struct inline_text *t, const struct text_edit *edits, size_t n);
/* Ends the current line of t: the block's text keeps a "\n" here (the
 * gathered text holds a space, so labels and alt text read as one line). */
void inline_add_break(struct inline_text *t);
/* True when t holds something other than white space from byte from on. */
bool inline_has_text(const struct inline_text *t, size_t from);
/* t's text from byte from on, white space collapsed, as a new string. */
char *inline_text_since(const struct inline_text *t, size_t from);
void inline_clear(struct inline_text *t);
void inline_free(struct inline_text *t);

/* Appends a zeroed block of kind and returns it. */
struct block *blocks_add(struct block_list *list, enum block_kind kind);

/* Moves t's text and links into a new block (white space collapsed and
 * trimmed, hard breaks kept as "\n", link ends following) and empties t. Adds nothing and returns NULL
 * when t holds only white space. Links past MAX_LINKS_PER_ARTICLE in the
 * list are dropped, their labels kept as text. */
struct block *blocks_add_text(struct block_list *list, enum block_kind kind, int level,
                              struct inline_text *t);

/* The file name an image's URL ends in ("map.png"), or the whole URL when
 * its path names none: the label of an image without alt text. */
char *image_file_name(const char *url);

/* An image block; alt may be NULL (the file name stands in). Nothing
 * when url is empty. */
void blocks_add_image(struct block_list *list, const char *url, const char *alt);

/* A line that is only a link; an empty label shows the URL. */
void blocks_add_link(struct block_list *list, const char *url, const char *label);

/* Removes the block at index i (keeping the order) and frees it. */
void blocks_remove(struct block_list *list, size_t i);

/* Frees what one block owns (not the block itself). */
void block_clear(struct block *b);
void block_list_free(struct block_list *list);

/* Collapses runs of white space in s to one space and trims both ends. */
char *collapse_space(const char *s, size_t len);

#endif
