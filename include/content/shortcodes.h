#ifndef KABAR_SHORTCODES_H
#define KABAR_SHORTCODES_H

#include <stddef.h>

#include "blocks.h"
#include "buf.h"

/*
 * The shortcodes and template tags other generators leave in a Markdown
 * body, rewritten into the Markdown the reader understands before md4c
 * reads it, so none of them reaches a page:
 *
 *   Hugo   {{< name args >}}, {{% name args %}}, closed by {{< /name >}}
 *   Zola   {{ name(args) }}, {% name(args) %} ... {% end %}
 *   Jekyll {% tag args %}, {{ site.x | filter }}, {% raw %} ... {% endraw %}
 *
 * comment (any of the three) is hidden with all it holds; figure and img
 * become an image line (its caption, else alt, else title); youtube,
 * vimeo, gist, tweet/x and instagram a link line to the thing; highlight
 * a fenced code block; ref, relref, Jekyll's link and post_url the path of
 * the other article's source, which links.h turns into its address; raw
 * the text it holds. param, include, Liquid variables and unknown
 * shortcodes are removed (a paired one keeps what it holds) with a
 * warning. Inside a link target a removed tag leaves nothing, so
 * "[x]({{% param url %}}/a)" is a link to "/a", never a broken address.
 *
 * Code spans and code blocks are left as written, but for Hugo's
 * escaped shortcodes (a C comment's marks just inside "{{<" and ">}}",
 * shown without them) and Jekyll's raw tags, as the generators show them. Linear in len whatever the text holds: a tag
 * that does not close is text, and what was read to find that out is not
 * read again.
 */

/*
 * Rewrites the Markdown text[0..len) into out. Each warning is one line
 * "LINE: reason" appended to warnings (NULL: none kept), LINE counted from
 * first_line, the line of the file text starts on.
 */
void shortcodes_rewrite(const char *text, size_t len, int first_line, struct buf *out,
                        struct buf *warnings);

/* The Markdown body read into blocks (markdown_to_blocks) once rewritten. */
void shortcodes_markdown_to_blocks(const char *text, size_t len, int first_line, const char *lang,
                                   struct block_list *out, struct buf *warnings);

#endif
