#ifndef KABAR_GOTEMPLATE_H
#define KABAR_GOTEMPLATE_H

#include <stddef.h>

#include "blocks.h"

/*
 * A Go blog page with "template: true": Markdown whose {{...}} actions are
 * read for what they show: {{image "x.png"}} an image, {{raw `...`}}
 * preformatted text (or inline text), {{code "f"}}, {{play "f"}} and
 * {{video "url"}} a link; other actions (range, if, end, .title ...)
 * belong to the page template and are dropped. Fenced code is left alone.
 * The Markdown between actions is read by markdown.h. Linear in len
 * however many "{{" the text holds.
 */
void gotemplate_to_blocks(const char *text, size_t len, struct block_list *out);

#endif
