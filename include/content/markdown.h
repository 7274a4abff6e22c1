#ifndef KABAR_MARKDOWN_H
#define KABAR_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

#include "blocks.h"

/*
 * Markdown bodies (md4c: CommonMark with tables, strikethrough, task lists
 * and bare autolinks) read into blocks. Emphasis marks are dropped, their
 * text kept; embedded HTML is read by html.c, except inside kramdown's
 * <div markdown="1">, which is Markdown. kramdown and Hugo attribute lists
 * ("{: .class}", "## Title {#id}") are removed; a heading's id is kept in
 * its block's url. Footnotes ("[^1]: text") are gathered at the end under
 * a "Notes" heading in the language lang (NULL: English). A body indented
 * four spaces or more throughout is read as if it were not.
 *
 * A paragraph too long for md4c to read in bounded time (over 256 lines
 * or 16 KiB) is read as several (markdown_bound.c).
 *
 * Bodies: markdown.c (the md4c front-end) over markdown_bound.c,
 * markdown_blocks.c, markdown_spans.c, markdown_notes.c and
 * markdown_attributes.c, which share the reader's state through
 * markdown_reader.h.
 */
void markdown_to_blocks(const char *text, size_t len, const char *lang, struct block_list *out);

/* One piece of a page (between Go template actions, gotemplate.h): read as
 * it stands, footnotes left where they are. */
void markdown_fragment_to_blocks(const char *text, size_t len, struct block_list *out);

#endif
