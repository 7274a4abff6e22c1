#ifndef KABAR_MARKDOWN_H
#define KABAR_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

#include "blocks.h"

/*
 * Markdown bodies (md4c: CommonMark with tables, strikethrough and bare
 * autolinks) read into blocks. Emphasis marks are dropped, their text kept;
 * embedded HTML is read by html.c.
 *
 * go_template: the text is a Go blog page with "template: true", so its
 * {{...}} actions are read for what they show: {{image "x.png"}} an image,
 * {{raw `...`}} preformatted text (or inline text), {{code "f"}},
 * {{play "f"}} and {{video "url"}} a link; other actions (range, if, end,
 * .title ...) belong to the page template and are dropped. Fenced code is
 * left alone.
 */
void markdown_to_blocks(const char *text, size_t len, bool go_template, struct block_list *out);

#endif
