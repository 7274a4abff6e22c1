#ifndef KABAR_GOTEMPLATE_H
#define KABAR_GOTEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "blocks.h"
#include "buf.h"

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

/* A Go string literal at s[*i] (s[*i] is '"' or '`'): "..." on one line
 * with its escapes read, or `...` as it stands across lines. Its text is
 * appended to out and *i moved past it; false when it does not close,
 * *i then as far as was read. Hugo's shortcode arguments are such
 * literals too (shortcodes.h). */
bool gotemplate_read_string(const char *s, size_t len, size_t *i, struct buf *out);

#endif
