#include "render_parts.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "itemtype.h"
#include "links.h"
#include "page.h"
#include "snapshot.h"
#include "url.h"

/*
 * Where the links of an article lead: resolved from its source file in the
 * capsule to site addresses (or absolute URLs for the protocol), and
 * numbered once per URL for the references both renderers show.
 */

/* Whether url begins with a scheme ("https:", "gemini:", "mailto:"). */
static bool has_scheme(const char *url)
{
	return url_scheme_length(url, strlen(url)) > 0;
}

/* Where the article's links are resolved from: its source file in the
 * capsule, or its address when it has none (an article built in memory). */
static char *link_base(const struct article *a)
{
	if (a->source != NULL)
		return xasprintf("/%s", a->source);
	return xstrdup(a->path != NULL ? a->path : "/");
}

/* The site path a link without a scheme points to, into out: a link to an
 * article's source file, address or alias becomes its address; query and
 * fragment are kept (the fragment only when keep_fragment). False when the
 * link would climb out of the capsule. */
static bool resolve_path(struct buf *out, const struct article *a, const char *ref,
                         const struct render_context *ctx, bool keep_fragment, bool *article)
{
	char *base = link_base(a);
	struct buf path = {0};
	const char *suffix;
	enum link_kind kind = links_resolve(base, ref, &path, &suffix);
	free(base);
	if (kind == LINK_OUTSIDE) {
		buf_free(&path);
		return false;
	}
	const struct article *target = NULL;
	if (kind == LINK_SITE && ctx->snapshot != NULL)
		target = snapshot_link_target(ctx->snapshot, path.data);
	*article = kind == LINK_SELF || (target != NULL && target->path != NULL);
	if (kind == LINK_SELF)
		buf_puts(out, a->path != NULL ? a->path : "/");
	else if (target != NULL && target->path != NULL)
		buf_puts(out, target->path);
	else
		buf_append(out, path.data, path.len);
	buf_append(out, suffix, keep_fragment ? strlen(suffix) : strcspn(suffix, "#"));
	buf_free(&path);
	return true;
}

/* Whether a link's URL leads anywhere: not empty, and not out of the
 * capsule (such a link is shown as its label alone). */
bool render_url_usable(const struct article *a, const char *url)
{
	if (url == NULL || url[0] == '\0')
		return false;
	struct buf path = {0};
	const char *suffix;
	char *base = link_base(a);
	bool usable = links_resolve(base, url, &path, &suffix) != LINK_OUTSIDE;
	free(base);
	buf_free(&path);
	return usable;
}

/* Appends url with the characters a gemtext link line or a reader's copy
 * would cut at (spaces, controls) percent-encoded. */
static void append_url(struct buf *out, const char *url)
{
	for (const unsigned char *p = (const unsigned char *)url; *p != '\0'; p++) {
		if (*p <= ' ' || *p == 0x7f)
			buf_printf(out, "%%%02X", *p);
		else
			buf_putc(out, (char)*p);
	}
}

/*
 * The URL a link in the article points to (which url_usable allows). URLs
 * with a scheme stay as they are; anything else is resolved as written in
 * the article's source file (resolve_path), then made absolute with
 * base_url when there is one (Gopher URLs also need the item type, and a
 * selector carries no fragment). Returns a new string.
 */
char *render_resolve_url(const char *url, const struct article *a,
                         const struct render_context *ctx, enum output proto)
{
	struct buf out = {0};
	const char *base = ctx->base_url;
	if (has_scheme(url)) {
		append_url(&out, url);
		return buf_steal(&out);
	}
	if (url[0] == '/' && url[1] == '/') {
		/* A network-path reference takes the page's scheme. */
		if (base != NULL && has_scheme(base))
			buf_append(&out, base, strcspn(base, ":") + 1);
		append_url(&out, url);
		return buf_steal(&out);
	}
	struct buf path = {0};
	bool article = false;
	if (!resolve_path(&path, a, url, ctx, proto == OUTPUT_GEMINI, &article))
		buf_puts(&path, "/");
	if (base != NULL && base[0] != '\0') {
		size_t base_len = strlen(base);
		while (base_len > 0 && base[base_len - 1] == '/')
			base_len--;
		buf_append(&out, base, base_len);
		if (proto == OUTPUT_GOPHER) {
			buf_putc(&out, '/');
			buf_putc(&out, article ? PAGE_ARTICLE_TYPE : item_type_of_path(path.data));
		}
	}
	append_url(&out, path.data);
	buf_free(&path);
	return buf_steal(&out);
}

/*
 * One link of an article as a menu item (page_link_from decides where it
 * leads: a capsule path by its item type, an article's address a menu, a
 * gopher:// URL the item it names, any other scheme an "h" item). A URL
 * with a scheme, or a network-path one, is first made whole as the text
 * form writes it (spaces encoded, the page's scheme added).
 */
void render_gopher_item(struct buf *out, const char *url, const char *display,
                        const struct article *a, const struct render_context *ctx)
{
	struct page p = {.form = PAGE_GOPHER_MENU, .origin = ctx->menu, .body = out};
	if (has_scheme(url) || (url[0] == '/' && url[1] == '/')) {
		char *resolved = render_resolve_url(url, a, ctx, OUTPUT_GOPHER);
		page_external_link(&p, resolved, display);
		free(resolved);
		return;
	}
	char *base = link_base(a);
	page_link_from(&p, base, a->path, url, display, ctx->snapshot);
	free(base);
}

/* What an image is called: its alt text (or caption), else its file
 * name; never a bare "Image". Returns a new string. */
char *render_image_label(const char *url, const char *alt)
{
	if (alt != NULL && alt[0] != '\0')
		return xstrdup(alt);
	return image_file_name(url);
}

/* A link is worth a reference only if it points somewhere. */
static bool link_usable(const struct article *a, const struct link *l)
{
	return render_url_usable(a, l->url);
}

/* Where each link's label starts in text, or false when a label is not
 * found just before its end (then the block is not "only links"). */
static bool label_start(const char *text, size_t text_len, const struct link *l, size_t *start)
{
	size_t label_len = l->label != NULL ? strlen(l->label) : 0;
	if (label_len == 0 || l->end > text_len || l->end < label_len)
		return false;
	*start = l->end - label_len;
	return memcmp(text + *start, l->label, label_len) == 0;
}

/* Whether the bytes text[from..to) only separate links: blanks and list
 * punctuation such as "," or "|" or "·". */
static bool only_separators(const char *text, size_t from, size_t to)
{
	static const char *const separators[] = {" ", "\t", "\n", ",", ";", "|", "/",
	                                         "-", "\xc2\xb7", "\xe2\x80\xa2",
	                                         "\xe2\x80\x93", "\xe2\x80\x94"};
	size_t i = from;
	while (i < to) {
		size_t n = 0;
		for (size_t k = 0; k < sizeof separators / sizeof separators[0] && n == 0; k++) {
			size_t len = strlen(separators[k]);
			if (i + len <= to && memcmp(text + i, separators[k], len) == 0)
				n = len;
		}
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

/* A paragraph or list item whose text is nothing but its links. */
bool render_block_only_links(const struct article *a, const struct block *b)
{
	if (b->n_links == 0 || b->text == NULL)
		return false;
	size_t pos = 0, len = strlen(b->text);
	for (size_t i = 0; i < b->n_links; i++) {
		size_t start;
		if (!link_usable(a, &b->links[i]) || !label_start(b->text, len, &b->links[i], &start) ||
		    start < pos || !only_separators(b->text, pos, start))
			return false;
		pos = b->links[i].end;
	}
	return only_separators(b->text, pos, len);
}

/* The number of url; a new URL gets the next number. */
int render_reference_number(struct references *r, const char *url)
{
	return (int)strset_add(&r->urls, url, NULL) + 1;
}

/*
 * Copies text with a "[n]" reference after each usable link's label;
 * numbers[i] gets link i's number (0 for a link without URL). Links are
 * taken in the order given, which the model keeps in text order; an end
 * past the text is put at the end.
 */
char *render_add_references(const struct article *a, const char *text,
                            const struct link *links, size_t n_links,
                            struct references *refs, int *numbers)
{
	struct buf out = {0};
	size_t len = text != NULL ? strlen(text) : 0;
	size_t pos = 0;
	for (size_t i = 0; i < n_links; i++) {
		numbers[i] = 0;
		if (!link_usable(a, &links[i]))
			continue;
		size_t end = links[i].end < len ? links[i].end : len;
		if (end < pos)
			end = pos;
		buf_append(&out, text + pos, end - pos);
		numbers[i] = render_reference_number(refs, links[i].url);
		buf_printf(&out, "[%d]", numbers[i]);
		pos = end;
	}
	buf_append(&out, text != NULL ? text + pos : "", len - pos);
	return buf_steal(&out);
}
