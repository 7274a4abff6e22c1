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

/* The spaces every non-blank line of text starts with (a tab counts as
 * one; 0 when a line starts with a tab): at 4 or more the body is read
 * unindented, not as code (shortcodes.c finds code blocks the same way). */
size_t markdown_common_indent(const char *text, size_t len);

/* The length of the code fence s starts with (CommonMark: three or more `
 * or ~, and a ` fence's info string holds no `), or 0 when s starts none.
 * The one rule for where code starts and ends, wherever a body is read
 * before md4c (markdown_bound.c, shortcodes.c). */
size_t markdown_fence_length(const char *s, size_t len);

/* One piece of a page (between Go template actions, gotemplate.h): read as
 * it stands, footnotes left where they are. */
void markdown_fragment_to_blocks(const char *text, size_t len, struct block_list *out);

#endif
