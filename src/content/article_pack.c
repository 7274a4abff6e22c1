#include "article_pack.h"

#include "alloc.h"

#include <stdlib.h>
#include <string.h>

/* Two passes over the same code: the first (base NULL) only measures. */
struct pack {
	char *base; /* NULL while measuring */
	size_t at;
};

static void *pack_bytes(struct pack *p, const void *src, size_t len, size_t align)
{
	p->at = (p->at + align - 1) & ~(align - 1);
	void *dst = p->base ? p->base + p->at : NULL;
	if (dst != NULL && src != NULL)
		memcpy(dst, src, len);
	p->at += len;
	return dst;
}

static char *pack_string(struct pack *p, const char *s)
{
	return s ? pack_bytes(p, s, strlen(s) + 1, 1) : NULL;
}

static char **pack_strings(struct pack *p, char *const *items, size_t n)
{
	if (n == 0)
		return NULL;
	char **out = pack_bytes(p, NULL, n * sizeof *out, _Alignof(char *));
	for (size_t i = 0; i < n; i++) {
		char *copy = pack_string(p, items[i]);
		if (out != NULL)
			out[i] = copy;
	}
	return out;
}

static struct table *pack_table(struct pack *p, const struct table *t)
{
	if (t == NULL)
		return NULL;
	struct table copy = *t;
	copy.cells = pack_strings(p, t->cells, t->n_rows * t->n_cols);
	copy.align = t->n_cols ? pack_bytes(p, t->align, t->n_cols * sizeof *t->align,
	                                    _Alignof(enum table_align))
	                       : NULL;
	return pack_bytes(p, &copy, sizeof copy, _Alignof(struct table));
}

static void pack_block(struct pack *p, const struct block *b, struct block *out)
{
	struct block copy = *b;
	copy.text = pack_string(p, b->text);
	copy.links = b->n_links ? pack_bytes(p, NULL, b->n_links * sizeof *b->links,
	                                     _Alignof(struct link))
	                        : NULL;
	for (size_t i = 0; i < b->n_links; i++) {
		struct link link = b->links[i];
		link.url = pack_string(p, b->links[i].url);
		link.label = pack_string(p, b->links[i].label);
		if (copy.links != NULL)
			copy.links[i] = link;
	}
	copy.url = pack_string(p, b->url);
	copy.alt = pack_string(p, b->alt);
	copy.table = pack_table(p, b->table);
	if (out != NULL)
		*out = copy;
}

static void pack_meta(struct pack *p, const struct article_meta *m, struct article_meta *out)
{
	out->title = pack_string(p, m->title);
	out->authors = pack_strings(p, m->authors, m->n_authors);
	out->author_url = pack_string(p, m->author_url);
	out->section = pack_string(p, m->section);
	out->tags = pack_strings(p, m->tags, m->n_tags);
	out->summary = pack_string(p, m->summary);
	out->lang = pack_string(p, m->lang);
	out->image = pack_string(p, m->image);
	out->caption = pack_string(p, m->caption);
	out->slug = pack_string(p, m->slug);
	out->redirect = pack_string(p, m->redirect);
	out->aliases = pack_strings(p, m->aliases, m->n_aliases);
	out->site_name = pack_string(p, m->site_name);
	out->signature = pack_string(p, m->signature);
	out->series = pack_string(p, m->series);
	out->corrections = m->n_corrections
	                       ? pack_bytes(p, NULL, m->n_corrections * sizeof *m->corrections,
	                                    _Alignof(struct correction))
	                       : NULL;
	for (size_t i = 0; i < m->n_corrections; i++) {
		struct correction c = m->corrections[i];
		c.note = pack_string(p, m->corrections[i].note);
		if (out->corrections != NULL)
			out->corrections[i] = c;
	}
	out->extra = m->n_extra ? pack_bytes(p, NULL, m->n_extra * sizeof *m->extra,
	                                     _Alignof(struct extra_field))
	                        : NULL;
	for (size_t i = 0; i < m->n_extra; i++) {
		struct extra_field field = {pack_string(p, m->extra[i].key),
		                            pack_string(p, m->extra[i].value)};
		if (out->extra != NULL)
			out->extra[i] = field;
	}
}

static struct article *pack_into(struct pack *p, const struct article *a)
{
	struct article *out = pack_bytes(p, a, sizeof *a, _Alignof(struct article));
	struct article copy = *a;
	pack_meta(p, &a->meta, &copy.meta);
	copy.blocks = a->n_blocks ? pack_bytes(p, NULL, a->n_blocks * sizeof *a->blocks,
	                                       _Alignof(struct block))
	                          : NULL;
	for (size_t i = 0; i < a->n_blocks; i++)
		pack_block(p, &a->blocks[i], copy.blocks ? &copy.blocks[i] : NULL);
	copy.source = pack_string(p, a->source);
	copy.path = pack_string(p, a->path);
	copy.warnings = pack_string(p, a->warnings);
	if (out != NULL)
		*out = copy;
	return out;
}

/* Takes a; returns its packed copy. */
struct article *article_pack_copy(const struct article *a)
{
	struct pack measure = {0};
	pack_into(&measure, a);
	struct pack p = {.base = xmalloc(measure.at)};
	return pack_into(&p, a);
}

struct article *article_pack(struct article *a)
{
	struct article *packed = article_pack_copy(a);
	article_free(a);
	return packed;
}
