#include "credit.h"

#include "frontmatter.h"

#include <string.h>

bool credit_names(const struct article *a, const char *name)
{
	for (size_t i = 0; i < a->meta.n_authors; i++)
		if (strcmp(a->meta.authors[i], name) == 0)
			return true;
	return false;
}

/* A YAML double-quoted scalar for name. */
static void put_yaml_string(struct buf *out, const char *name)
{
	buf_putc(out, '"');
	for (const char *c = name; *c != '\0'; c++) {
		if (*c == '"' || *c == '\\')
			buf_putc(out, '\\');
		buf_putc(out, *c);
	}
	buf_putc(out, '"');
}

static void author_line(struct buf *out, const char *name)
{
	buf_puts(out, "author: ");
	put_yaml_string(out, name);
	buf_putc(out, '\n');
}

/* The text with the line added; false when its front matter is not a
 * plain block of lines to add one to. */
static bool add_line(const char *text, size_t len, const char *name, struct buf *out)
{
	struct frontmatter_split split;
	bool found = false;
	struct buf ignored = {0};
	bool ok = frontmatter_split(text, len, &split, &found, &ignored);
	buf_free(&ignored);
	if (!found) {
		buf_puts(out, "---\n");
		author_line(out, name);
		buf_puts(out, "---\n");
		buf_append(out, text, len);
		return true;
	}
	size_t end = split.yaml_start + split.yaml_len;
	if (!ok || (split.yaml_len > 0 && text[end - 1] != '\n'))
		return false;
	buf_append(out, text, end);
	author_line(out, name);
	buf_append(out, text + end, len - end);
	return true;
}

/* The front matter of credited alone, read again: it must say what a's
 * did, with one more author. Only the front matter is read (a tiny body
 * follows it), so the article itself is parsed once. */
static bool reads_the_same(const struct article *a, const char *credited, size_t len,
                           const char *name, const struct article_context *ctx)
{
	struct frontmatter_split split;
	bool found = false;
	struct buf ignored = {0};
	if (!frontmatter_split(credited, len, &split, &found, &ignored)) {
		buf_free(&ignored);
		return false;
	}
	struct buf probe = {0};
	buf_append(&probe, credited, split.body_start);
	buf_puts(&probe, "x\n");
	struct article *b = article_parse(a->source, probe.data, probe.len, ctx, &ignored);
	buf_free(&probe);
	buf_free(&ignored);
	bool same = b != NULL && b->meta.n_authors == a->meta.n_authors + 1 &&
	            credit_names(b, name) && b->meta.draft == a->meta.draft &&
	            b->meta.date.set == a->meta.date.set && b->meta.n_tags == a->meta.n_tags &&
	            b->meta.n_aliases == a->meta.n_aliases &&
	            (b->meta.redirect == NULL) == (a->meta.redirect == NULL);
	if (b != NULL)
		article_free(b);
	return same;
}

bool credit_author(const struct article *a, const char *text, size_t len, const char *name,
                   const struct article_context *ctx, struct buf *out)
{
	buf_clear(out);
	if (credit_names(a, name) || a->meta.site_name != NULL)
		return false;
	if (add_line(text, len, name, out) && reads_the_same(a, out->data, out->len, name, ctx))
		return true;
	buf_clear(out);
	return false;
}
