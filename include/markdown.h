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
 * a "Notes" heading in the language lang (NULL: English).
 *
 * go_template: the text is a Go blog page with "template: true", so its
 * {{...}} actions are read for what they show: {{image "x.png"}} an image,
 * {{raw `...`}} preformatted text (or inline text), {{code "f"}},
 * {{play "f"}} and {{video "url"}} a link; other actions (range, if, end,
 * .title ...) belong to the page template and are dropped. Fenced code is
 * left alone.
 */
void markdown_to_blocks(const char *text, size_t len, bool go_template, const char *lang,
                        struct block_list *out);

#endif
