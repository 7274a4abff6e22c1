#include "article.h"
#include "render.h"

#include "alloc.h"
#include "buf.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Articles of hostile shapes at the size limit, each parsed and rendered
 * as gemtext and as Gopher text. Parsing and rendering must be linear in
 * an article's size: each shape is timed at a quarter of the limit and at
 * the limit. Nothing here is a tight timed test: a shape fails only past
 * ten seconds (the normal figure is well under one, even under ASan), or
 * when four times the bytes cost over ten times the time (quadratic work
 * costs sixteen) and the full size takes long enough to measure.
 */

/* The largest article the server reads. Under ASan and UBSan everything
 * costs several times more: there the shapes are measured at a quarter of
 * it, where quadratic work still shows in the growth. */
#if defined(__SANITIZE_ADDRESS__)
#define SIZE_LIMIT (ARTICLE_MAX_BYTES / 4)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIZE_LIMIT (ARTICLE_MAX_BYTES / 4)
#endif
#endif
#ifndef SIZE_LIMIT
#define SIZE_LIMIT ARTICLE_MAX_BYTES
#endif
#define MAX_SECONDS 10.0
#define MEASURABLE_SECONDS 0.3
#define MAX_GROWTH 10.0

/* The front matter of every Markdown shape; TEMPLATE adds "template: true". */
#define FRONT "---\ntitle: Shape\ndate: 2026-02-11T08:00:00+08:00\n"
#define PLAIN FRONT "---\n\n"
#define TEMPLATE FRONT "template: true\n---\n\n"

struct shape {
	const char *name;
	const char *source;  /* decides the format */
	const char *head;    /* once, first */
	const char *unit;    /* repeated, numbered by each %d ("%%" for a percent) */
	const char *tail;    /* once, last (a front matter's end) */
};

static const struct shape shapes[] = {
	{"template braces", "news/s.md", TEMPLATE, "{{", ""},
	{"template broken actions", "news/s.md", TEMPLATE, "{{ a\n", ""},
	{"template open raw strings", "news/s.md", TEMPLATE, "{{`", ""},
	{"template strings with braces", "news/s.md", TEMPLATE, "{{\"{{\"", ""},
	{"template actions on one line", "news/s.md", TEMPLATE, "kata {{raw \"x%d\"}} ", ""},
	{"template images", "news/s.md", TEMPLATE, "{{image \"i%d.png\"}}\n", ""},
	{"tags", "news/s.md", FRONT, "tags: t%d k%d\n", "---\n\nBody.\n"},
	{"repeated tags", "news/s.md", FRONT, "tags: a b c d e f g h i j k l m n o p\n",
	 "---\n\nBody.\n"},
	{"authors", "news/s.md", FRONT, "authors: Penulis %d\n", "---\n\nBody.\n"},
	{"aliases", "news/s.md", FRONT, "aliases: /old/%d\n", "---\n\nBody.\n"},
	{"front matter keys", "news/s.md", FRONT, "kunci%d: nilai\n", "---\n\nBody.\n"},
	{"pelican lines", "news/s.md", "Title: Shape\nDate: 2026-02-11\n", "Kunci%d: nilai %d\n",
	 "\nBody.\n"},
	{"pelican authors", "news/s.md", "Title: Shape\nDate: 2026-02-11\nAuthors: ",
	 "[Penulis %d](/p/%d), Rina dan ", "Andi\n\nBody.\n"},
	{"toml comments", "news/s.md", "+++\ntitle = \"Shape\"\ndate = 2026-02-11\n", "# %d %d\n",
	 "+++\n\nBody.\n"},
	{"links", "news/s.md", PLAIN, "[tautan %d](/x/%d) ", ""},
	{"bare addresses", "news/s.md", PLAIN, "https://e.example/%d ", ""},
	{"www addresses", "news/s.md", PLAIN, "www.e%d.example ", ""},
	{"reference links", "news/s.md", PLAIN "[r]: /ref\n\n", "[a][r] [b][r%d] ", ""},
	{"nested links", "news/s.md", PLAIN, "[[[[[[a](/1)](/2)](/3)](/4)](/5)](/%d) ", ""},
	{"table rows", "news/s.md", PLAIN "| a | b |\n|---|:-:|\n", "| %d | 漢字 |\n", ""},
	{"table columns", "news/s.md", PLAIN "|a|\n|-|\n", "|%d", ""},
	{"deep list", "news/s.md", PLAIN, "- ", "x\n"},
	{"deep quote", "news/s.md", PLAIN, ">", " x\n"},
	{"list items", "news/s.md", PLAIN, "%d. butir\n", ""},
	{"quotes", "news/s.md", PLAIN, "> kutipan %d\n\n", ""},
	{"headings", "news/s.md", PLAIN, "## Judul %d\n", ""},
	{"images", "news/s.md", PLAIN, "![gambar %d](/i/%d.png)\n\n", ""},
	{"inline images", "news/s.md", PLAIN, "![g](/i/%d.png) ", ""},
	{"html block", "news/s.md", PLAIN "<div>\n", "<p><a href=\"/h/%d\">x</a></p>", "\n</div>\n"},
	{"html nesting", "news/s.md", PLAIN "<div>\n", "<div><ul><li>", "\n</div>\n"},
	{"inline html", "news/s.md", PLAIN, "a <b>c</b> <a href=\"/%d\">d</a> ", ""},
	{"html tags never closed", "news/s.md", PLAIN "<div>\n", "<a ", "\n</div>\n"},
	{"html tag attributes", "news/s.md", PLAIN "<div>\n<p ", "x%d=1 ", ">t</p>\n</div>\n"},
	{"html open brackets", "news/s.md", PLAIN "<div>\n", "<a <td ", ""},
	{"html empty cells", "news/s.md", PLAIN "<table><tr>\n", "<td> ", "\n</tr></table>\n"},
	{"long line", "news/s.md", PLAIN, "kata ", ""},
	{"long word", "news/s.md", PLAIN, "x", ""},
	{"long wide word", "news/s.md", PLAIN, "漢", ""},
	{"emphasis", "news/s.md", PLAIN, "*a **b ", ""},
	{"brackets", "news/s.md", PLAIN, "[", ""},
	{"hard breaks", "news/s.md", PLAIN, "a  \n", ""},
	{"gemtext links", "news/2026-02-11-s.gmi", "# Shape\n", "=> /g/%d tautan\n", ""},
	{"gemtext line", "news/2026-02-11-s.gmi", "# Shape\n", "kata ", ""},
	{"plain text", "news/2026-02-11-s.txt", "Shape\n\n", "kata %d\n\n", ""},
};

/* The shape's article, size bytes or a little under. */
static char *build(const struct shape *s, size_t size, size_t *len)
{
	struct buf out = {0};
	buf_puts(&out, s->head);
	size_t tail = strlen(s->tail);
	for (int i = 0;; i++) {
		size_t before = out.len;
		buf_printf(&out, s->unit, i, i);
		if (out.len + tail > size) {
			out.len = before;
			break;
		}
	}
	buf_puts(&out, s->tail);
	*len = out.len;
	return buf_steal(&out);
}

static double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parses and renders the shape at size bytes; returns the CPU seconds it
 * took, or -1 when the article was refused. */
static double parse_and_render(const struct shape *s, size_t size)
{
	size_t len;
	char *text = build(s, size, &len);
	struct vhost vhost = {.lang = "id", .zone_name = "WITA", .utc_offset_minutes = 480,
	                      .wrap_columns = 70};
	const struct article_context actx = {.utc_offset_minutes = 480, .lang = "id"};
	const struct render_context gemini = {.vhost = &vhost, .base_url = "gemini://localhost"};
	const struct render_context gopher = {.vhost = &vhost, .base_url = "gopher://localhost:70"};
	struct buf error = {0}, out = {0};
	double start = cpu_seconds();
	struct article *a = article_parse(s->source, text, len, &actx, &error);
	if (a != NULL) {
		render_gemtext(&out, a, &gemini);
		buf_clear(&out);
		render_gopher_text(&out, a, &gopher);
	}
	double spent = cpu_seconds() - start;
	if (a == NULL)
		fprintf(stderr, "  %s refused: %s\n", s->name, error.data);
	article_free(a);
	buf_free(&out);
	buf_free(&error);
	free(text);
	return a != NULL ? spent : -1;
}

static void test_each_shape_is_linear_at_the_size_limit(void)
{
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		const struct shape *s = &shapes[i];
		double full = parse_and_render(s, SIZE_LIMIT);
		/* The growth is worth measuring only when the time is. */
		double quarter = full >= MEASURABLE_SECONDS ? parse_and_render(s, SIZE_LIMIT / 4) : 0;
		bool ok = quarter >= 0 && full >= 0 && full < MAX_SECONDS &&
		          (full < MEASURABLE_SECONDS || full < MAX_GROWTH * quarter);
		if (!ok || getenv("KABAR_SHAPE_TIMES") != NULL)
			fprintf(stderr, "  %s: %.3f s at %d KiB, %.3f s at %d KiB\n", s->name, quarter,
			        SIZE_LIMIT / 4 >> 10, full, SIZE_LIMIT >> 10);
		CHECK(ok);
	}
}

/* The template reader keeps what it reads: an unclosed action stays text,
 * and an action after it on a later line is still read. */
static void test_unclosed_actions_stay_text(void)
{
	const char *text = TEMPLATE "Harga {{ naik\n\nLalu {{image \"grafik.png\"}}\n";
	const struct article_context actx = {.utc_offset_minutes = 480, .lang = "id"};
	struct buf error = {0};
	struct article *a = article_parse("news/s.md", text, strlen(text), &actx, &error);
	CHECK(a != NULL);
	if (a == NULL)
		return;
	CHECK_INT(a->n_blocks, 3);
	if (a->n_blocks == 3) {
		CHECK_STR(a->blocks[0].text, "Harga {{ naik");
		CHECK_STR(a->blocks[1].text, "Lalu");
		CHECK_STR(a->blocks[2].url, "grafik.png");
	}
	article_free(a);
	buf_free(&error);
}

/* Repeated tags, authors and aliases are kept once, in their first order. */
static void test_repeats_are_dropped_in_order(void)
{
	const char *text = FRONT "tags: [banjir, Makassar, banjir]\ntags: cuaca, Makassar\n"
	                         "authors: [Rina, Andi, Rina]\n---\n\nIsi.\n";
	const struct article_context actx = {.utc_offset_minutes = 480, .lang = "id"};
	struct buf error = {0};
	struct article *a = article_parse("news/s.md", text, strlen(text), &actx, &error);
	CHECK(a != NULL);
	if (a == NULL)
		return;
	CHECK_INT(a->meta.n_tags, 3);
	if (a->meta.n_tags == 3) {
		CHECK_STR(a->meta.tags[0], "banjir");
		CHECK_STR(a->meta.tags[1], "Makassar");
		CHECK_STR(a->meta.tags[2], "cuaca");
	}
	CHECK_INT(a->meta.n_authors, 2);
	article_free(a);
	buf_free(&error);
}

int main(void)
{
	RUN(test_each_shape_is_linear_at_the_size_limit);
	RUN(test_unclosed_actions_stay_text);
	RUN(test_repeats_are_dropped_in_order);
	return check_report();
}
