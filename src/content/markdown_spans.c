#include "markdown_reader.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "html.h"

/* Inside a block's text: links, images, raw HTML tags and a quote's
 * credit line. */

static bool only_space_before(const struct buf *text, size_t to)
{
	for (size_t i = 0; i < to && i < text->len; i++)
		if (!isspace((unsigned char)text->data[i]))
			return false;
	return true;
}

/* "— Name", "-- Name", "― Name": a quote's credit line. */
static bool opens_credit(const char *s, size_t len)
{
	static const char *const dashes[] = {"\xe2\x80\x94", "\xe2\x80\x95", "\xe2\x80\x93", "--"};
	for (size_t i = 0; i < sizeof dashes / sizeof dashes[0]; i++) {
		size_t n = strlen(dashes[i]);
		if (len >= n && memcmp(s, dashes[i], n) == 0)
			return true;
	}
	return false;
}

void markdown_settle_quote_break(struct md_reader *r, const char *next, size_t len)
{
	if (!r->quote_break_pending)
		return;
	r->quote_break_pending = false;
	if (opens_credit(next, len))
		inline_add_break(&r->text);
	else
		buf_putc(&r->text.text, ' ');
}

/* A link around nothing but an image: the image's own link shows it. */
static bool only_an_image(const struct md_reader *r, const char *label)
{
	const struct inline_text *t = &r->text;
	if (t->n_links == 0)
		return false;
	const struct link *last = &t->links[t->n_links - 1];
	return last->end == t->text.len && strcmp(last->label, label) == 0;
}

void markdown_open_link(struct md_reader *r, char *url)
{
	markdown_settle_quote_break(r, "", 0);
	if (r->link_depth++ > 0) {
		free(url);
		return;
	}
	r->link_url = url;
	r->link_start = r->text.text.len;
}

void markdown_close_link(struct md_reader *r)
{
	if (r->link_depth == 0 || --r->link_depth > 0)
		return;
	char *label = inline_text_since(&r->text, r->link_start);
	if (r->link_url[0] == '#' && markdown_is_note_number(label)) {
		/* A note marker, set off from the word it follows; the note
		 * itself is further down the same page. */
		const char *digits = label[0] == '^' ? label + 1 : label;
		char *marker = xasprintf("[^%s]", digits);
		struct text_edit edit = {.from = r->link_start, .to = r->text.text.len, .with = marker};
		inline_edit(&r->text, &edit, 1);
		free(marker);
	} else if (!r->table.active && !only_an_image(r, label)) {
		inline_add_link(&r->text, r->link_url, r->link_start);
	}
	free(label);
	free(r->link_url);
	r->link_url = NULL;
}

void markdown_open_image(struct md_reader *r, char *src, char *title)
{
	free(r->image_src);
	free(r->image_title);
	r->image_src = src;
	r->image_title = title;
	r->image_start = r->text.text.len;
	r->in_image = true;
}

/* An image inside text: a link to it, labelled with its alt text, else
 * its title, else its file name. */
void markdown_close_image(struct md_reader *r)
{
	if (!r->in_image)
		return;
	r->in_image = false;
	size_t start = r->image_start;
	bool named = inline_has_text(&r->text, start);
	if (!named && r->image_title != NULL && r->image_title[0] != '\0') {
		buf_puts(&r->text.text, r->image_title);
		named = true;
	}
	if (!named) {
		char *file = image_file_name(r->image_src);
		buf_puts(&r->text.text, file);
		free(file);
	}
	char *alt = inline_text_since(&r->text, start);
	r->images_in_paragraph++;
	if (r->images_in_paragraph == 1) {
		r->paragraph_image = xstrdup(r->image_src);
		r->paragraph_image_alt = xstrdup(alt);
		r->paragraph_image_named = named;
		r->paragraph_opens_with_image = only_space_before(&r->text.text, start);
		r->paragraph_image_end = r->text.text.len;
	}
	free(alt);
	if (!r->table.active)
		inline_add_link(&r->text, r->image_src, start);
	free(r->image_src);
	free(r->image_title);
	r->image_src = NULL;
	r->image_title = NULL;
}

static void inline_tag(struct md_reader *r, const struct html_tag *tag)
{
	if (strcmp(tag->name, "a") == 0 && tag->closing) {
		markdown_close_link(r);
	} else if (strcmp(tag->name, "a") == 0 && tag->href) {
		markdown_open_link(r, xstrdup(tag->href));
	} else if (strcmp(tag->name, "img") == 0 && tag->src) {
		markdown_open_image(r, xstrdup(tag->src), tag->title ? xstrdup(tag->title) : NULL);
		buf_puts(&r->text.text, tag->alt ? tag->alt : "");
		markdown_close_image(r);
	} else if (strcmp(tag->name, "br") == 0) {
		inline_add_break(&r->text);
	} else if (strcmp(tag->name, "sup") == 0 && !tag->closing) {
		/* "10<sup>9</sup>" reads "10^9". */
		buf_putc(&r->text.text, '^');
	}
}

/* Raw HTML inside text may come in pieces; each complete tag is read. */
void markdown_inline_html(struct md_reader *r, const char *s, size_t len)
{
	struct buf *pending = &r->inline_html;
	buf_append(pending, s, len);
	size_t used = 0;
	while (used < pending->len) {
		const char *lt = memchr(pending->data + used, '<', pending->len - used);
		if (lt == NULL) {
			used = pending->len;
			break;
		}
		used = (size_t)(lt - pending->data);
		struct html_tag tag;
		size_t n = html_tag_parse(pending->data + used, pending->len - used, &tag);
		if (n == 0)
			break; /* the rest of the tag is still to come */
		inline_tag(r, &tag);
		html_tag_free(&tag);
		used += n;
	}
	size_t left = pending->len - used;
	memmove(pending->data, pending->data + used, left);
	pending->len = left;
	pending->data[left] = '\0';
}
