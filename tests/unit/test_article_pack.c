#include "alloc.h"
#include "article.h"
#include "article_pack.h"

#include "check.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>

static const struct article_context ctx = {.utc_offset_minutes = 420, .lang = "id"};

/* The packed block, for checking that every pointer lands inside it. */
struct block_range {
	const char *start, *end;
};

static bool inside(const struct block_range *r, const void *p)
{
	return p == NULL || ((const char *)p >= r->start && (const char *)p < r->end);
}

/* Equal strings, and the copy in the block (never the original's memory). */
static void check_copied(const struct block_range *r, const char *copy, const char *orig)
{
	CHECK_STR(copy, orig);
	CHECK(inside(r, copy));
	CHECK(copy == NULL || copy != orig);
}

static void check_strings(const struct block_range *r, char **copy, char **orig, size_t n)
{
	CHECK(inside(r, copy));
	for (size_t i = 0; i < n; i++)
		check_copied(r, copy[i], orig[i]);
}

static void check_block(const struct block_range *r, const struct block *c, const struct block *o)
{
	CHECK_INT(c->kind, o->kind);
	CHECK_INT(c->level, o->level);
	CHECK_INT(c->number, o->number);
	check_copied(r, c->text, o->text);
	check_copied(r, c->url, o->url);
	check_copied(r, c->alt, o->alt);
	CHECK_INT(c->n_links, o->n_links);
	CHECK(inside(r, c->links));
	for (size_t i = 0; i < o->n_links && i < c->n_links; i++) {
		check_copied(r, c->links[i].url, o->links[i].url);
		check_copied(r, c->links[i].label, o->links[i].label);
		CHECK_INT(c->links[i].end, o->links[i].end);
	}
	CHECK((c->table == NULL) == (o->table == NULL));
	if (c->table == NULL || o->table == NULL)
		return;
	CHECK(inside(r, c->table));
	CHECK_INT(c->table->n_rows, o->table->n_rows);
	CHECK_INT(c->table->n_cols, o->table->n_cols);
	check_strings(r, c->table->cells, o->table->cells, o->table->n_rows * o->table->n_cols);
	CHECK(inside(r, c->table->align));
	for (size_t i = 0; i < o->table->n_cols; i++)
		CHECK_INT(c->table->align[i], o->table->align[i]);
}

/* Everything of orig is in copy, at equal values, and every pointer of
 * copy lies in its one allocation. */
static void check_same(const struct article *copy, const struct article *orig)
{
	struct block_range r = {(const char *)copy, (const char *)copy + malloc_usable_size((void *)copy)};
	const struct article_meta *c = &copy->meta, *o = &orig->meta;
	check_copied(&r, c->title, o->title);
	CHECK(c->date.set == o->date.set && c->date.t == o->date.t);
	CHECK_INT(c->date.offset_minutes, o->date.offset_minutes);
	CHECK_INT(c->n_authors, o->n_authors);
	check_strings(&r, c->authors, o->authors, o->n_authors);
	check_copied(&r, c->author_url, o->author_url);
	check_copied(&r, c->section, o->section);
	CHECK_INT(c->n_tags, o->n_tags);
	check_strings(&r, c->tags, o->tags, o->n_tags);
	check_copied(&r, c->summary, o->summary);
	check_copied(&r, c->lang, o->lang);
	CHECK(c->draft == o->draft);
	check_copied(&r, c->image, o->image);
	check_copied(&r, c->caption, o->caption);
	check_copied(&r, c->slug, o->slug);
	check_copied(&r, c->redirect, o->redirect);
	CHECK_INT(c->n_aliases, o->n_aliases);
	check_strings(&r, c->aliases, o->aliases, o->n_aliases);
	check_copied(&r, c->site_name, o->site_name);
	check_copied(&r, c->signature, o->signature);
	CHECK_INT(c->n_extra, o->n_extra);
	CHECK(inside(&r, c->extra));
	for (size_t i = 0; i < o->n_extra && i < c->n_extra; i++) {
		check_copied(&r, c->extra[i].key, o->extra[i].key);
		check_copied(&r, c->extra[i].value, o->extra[i].value);
	}
	CHECK_INT(copy->n_blocks, orig->n_blocks);
	CHECK(inside(&r, copy->blocks));
	for (size_t i = 0; i < orig->n_blocks && i < copy->n_blocks; i++)
		check_block(&r, &copy->blocks[i], &orig->blocks[i]);
	CHECK_INT(copy->format, orig->format);
	check_copied(&r, copy->source, orig->source);
	check_copied(&r, copy->path, orig->path);
	CHECK_INT(copy->reading.words, orig->reading.words);
	CHECK_INT(copy->lang_reason, orig->lang_reason);
	CHECK(copy->dated_by_file == orig->dated_by_file);
}

static const char rich[] =
	"---\n"
	"title: \"Banjir di Barru \xe2\x80\x94 \xe6\xb4\xaa\xe6\xb0\xb4 \xf0\x9f\x8c\x8a\"\n"
	"date: 2024-02-29 23:59\n"
	"author: [Andi Makkasau, \"\xd9\x85\xd8\xad\xd9\x85\xd8\xaf \xd8\xb9\xd9\x84\xd9\x8a\"]\n"
	"section: south sulawesi\n"
	"tags: [banjir, cuaca, \xe5\xa4\xa9\xe6\xb0\x94]\n"
	"summary: Air naik di tiga desa.\n"
	"image: /img/banjir.jpg\n"
	"aliases: [/news/old/banjir, news/lama/banjir]\n"
	"weight: 7\n"
	"editor_note: \"cek ulang\"\n"
	"---\n"
	"Air naik di [tiga desa](https://example.org/desa) dan [pasar](/news/pasar).\n\n"
	"| Desa | Tinggi |\n|:--|--:|\n| Mallusetasi | 1 m |\n| Tanete | 40 cm |\n\n"
	"1. pertama\n2. kedua\n\n"
	"> kutipan\n\n"
	"```sh\necho hi\n```\n\n"
	"![peta](/img/peta.png)\n\n"
	"---\n";

static void test_parsed_article(void)
{
	struct buf err = {0};
	struct article *a = article_parse("news/2024/banjir.md", rich, sizeof rich - 1, &ctx, &err);
	CHECK(a != NULL);
	if (a == NULL) {
		fprintf(stderr, "  %s\n", err.data ? err.data : "");
		buf_free(&err);
		return;
	}
	CHECK(a->meta.n_extra >= 2);
	CHECK(a->meta.n_aliases == 2);
	bool has_table = false;
	for (size_t i = 0; i < a->n_blocks; i++)
		has_table |= a->blocks[i].table != NULL;
	CHECK(has_table);
	struct article *copy = article_pack_copy(a);
	check_same(copy, a);
	struct article *again = article_pack_copy(copy); /* a packed one packs too */
	check_same(again, a);
	free(again);
	free(copy);
	article_free(a);
	buf_free(&err);
}

/* article_pack takes the parse tree: what it gives back stands alone. */
static void test_pack_takes_the_article(void)
{
	struct buf err = {0};
	struct article *a = article_parse("news/2024/banjir.md", rich, sizeof rich - 1, &ctx, &err);
	struct article *keep = article_pack_copy(a); /* to compare with */
	struct article *packed = article_pack(a);    /* frees a */
	check_same(packed, keep);
	free(packed);
	free(keep);
	buf_free(&err);
}

/* An article made by hand: empty fields, a block with nothing in it, a
 * table of no columns, odd lengths that test the alignment of what follows. */
static void test_sparse_article(void)
{
	struct article *a = xcalloc(1, sizeof *a);
	a->source = xstrdup("news/x.txt");
	a->meta.title = xstrdup("a");
	a->n_blocks = 3;
	a->blocks = xcalloc(a->n_blocks, sizeof *a->blocks);
	a->blocks[0].kind = BLOCK_RULE;
	a->blocks[1].kind = BLOCK_TABLE;
	a->blocks[1].table = xcalloc(1, sizeof *a->blocks[1].table);
	a->blocks[2].kind = BLOCK_PARAGRAPH;
	a->blocks[2].text = xstrdup("abc");
	a->blocks[2].n_links = 1;
	a->blocks[2].links = xcalloc(1, sizeof *a->blocks[2].links);
	a->blocks[2].links[0] = (struct link){xstrdup("gemini://x.example/"), NULL, 3};
	a->meta.n_tags = 1;
	a->meta.tags = xcalloc(1, sizeof *a->meta.tags);
	a->meta.tags[0] = xstrdup("");
	struct article *copy = article_pack_copy(a);
	check_same(copy, a);
	CHECK(copy->meta.authors == NULL && copy->meta.extra == NULL && copy->path == NULL);
	CHECK(copy->blocks[1].table->cells == NULL && copy->blocks[1].table->align == NULL);
	CHECK((uintptr_t)copy->blocks % _Alignof(struct block) == 0);
	CHECK((uintptr_t)copy->blocks[2].links % _Alignof(struct link) == 0);
	free(copy);
	article_free(a);
}

/* The largest body the parser takes packs whole, its text intact. */
static void test_article_at_the_size_limit(void)
{
	size_t len = ARTICLE_MAX_BYTES - 64;
	char *text = xmalloc(len + 1);
	const char head[] = "---\ntitle: besar\ndate: 2025-01-01\n---\n";
	memcpy(text, head, sizeof head - 1);
	for (size_t i = sizeof head - 1; i < len; i++)
		text[i] = (i % 80 == 79) ? '\n' : (char)('a' + i % 26);
	text[len] = '\0';
	struct buf err = {0};
	struct article *a = article_parse("news/besar.txt", text, len, &ctx, &err);
	CHECK(a != NULL);
	if (a == NULL)
		fprintf(stderr, "  %s\n", err.data ? err.data : "");
	if (a != NULL) {
		struct article *copy = article_pack_copy(a);
		check_same(copy, a);
		free(copy);
	}
	article_free(a);
	free(text);
	buf_free(&err);
}

int main(void)
{
	RUN(test_parsed_article);
	RUN(test_pack_takes_the_article);
	RUN(test_sparse_article);
	RUN(test_article_at_the_size_limit);
	return check_report();
}
