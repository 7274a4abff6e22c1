#include "markdown.h"

#include "check.h"

#include <stdlib.h>

#include "alloc.h"
#include "gotemplate.h"

static struct block_list parse(const char *md, bool go_template)
{
	struct block_list list = {0};
	if (go_template)
		gotemplate_to_blocks(md, strlen(md), &list);
	else
		markdown_to_blocks(md, strlen(md), NULL, &list);
	return list;
}

static void test_paragraphs_and_links(void)
{
	struct block_list l = parse("Hello *big*\n**world**, see [the `Go` site](https://go.dev/?a=1&amp;b)\n"
	                            "and ~~old~~ <https://x.org>.  \nNext line.\n\n---\n", false);
	CHECK_INT(l.count, 2);
	CHECK_INT(l.items[0].kind, BLOCK_PARAGRAPH);
	CHECK_STR(l.items[0].text, "Hello big world, see the Go site and old https://x.org.\nNext line.");
	CHECK_INT(l.items[0].n_links, 2);
	CHECK_STR(l.items[0].links[0].label, "the Go site");
	CHECK_STR(l.items[0].links[0].url, "https://go.dev/?a=1&b");
	CHECK_INT(l.items[0].links[0].end, strlen("Hello big world, see the Go site"));
	CHECK_STR(l.items[0].links[1].url, "https://x.org");
	CHECK_INT(l.items[1].kind, BLOCK_RULE);
	block_list_free(&l);
}

static void test_headings_lists_quotes(void)
{
	struct block_list l = parse("## Sub\n\n- a\n- b\n  1. x\n  2. y\n\n5. five\n6. six\n\n> quoted\n> text\n", false);
	CHECK_INT(l.count, 8);
	if (l.count == 8) {
		CHECK_INT(l.items[0].kind, BLOCK_HEADING);
		CHECK_INT(l.items[0].level, 2);
		CHECK_STR(l.items[0].text, "Sub");
		CHECK_INT(l.items[1].kind, BLOCK_LIST_ITEM);
		CHECK_INT(l.items[1].level, 0);
		CHECK_INT(l.items[1].number, 0);
		CHECK_STR(l.items[2].text, "b");
		CHECK_INT(l.items[3].level, 1);
		CHECK_INT(l.items[3].number, 1);
		CHECK_INT(l.items[4].number, 2);
		CHECK_INT(l.items[5].number, 5);
		CHECK_INT(l.items[6].number, 6);
		CHECK_INT(l.items[7].kind, BLOCK_QUOTE);
		CHECK_STR(l.items[7].text, "quoted text");
	}
	block_list_free(&l);
}

static void test_code_images_tables(void)
{
	struct block_list l = parse("```go\nfunc main() {}\n```\n\n    indented\n\n"
	                            "![A gopher](g.png)\n\nText ![inline](i.png) here.\n\n"
	                            "[![Big](small.png)](big.png)\n\n"
	                            "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n[Only a link](https://go.dev)\n",
	                            false);
	CHECK_INT(l.count, 7);
	if (l.count == 7) {
		CHECK_INT(l.items[0].kind, BLOCK_PRE);
		CHECK_STR(l.items[0].text, "func main() {}");
		CHECK_STR(l.items[0].alt, "go");
		CHECK_STR(l.items[1].text, "indented");
		CHECK_STR(l.items[1].alt, NULL);
		CHECK_INT(l.items[2].kind, BLOCK_IMAGE);
		CHECK_STR(l.items[2].url, "g.png");
		CHECK_STR(l.items[2].alt, "A gopher");
		CHECK_INT(l.items[3].kind, BLOCK_PARAGRAPH);
		CHECK_STR(l.items[3].text, "Text inline here.");
		CHECK_STR(l.items[3].links[0].url, "i.png");
		CHECK_INT(l.items[4].kind, BLOCK_IMAGE);
		CHECK_STR(l.items[4].url, "small.png");
		CHECK_INT(l.items[5].kind, BLOCK_TABLE);
		struct table *t = l.items[5].table;
		CHECK_INT(t->n_rows, 2);
		CHECK_INT(t->n_cols, 2);
		CHECK_STR(t->cells[3], "2");
		CHECK_INT(t->align[0], ALIGN_LEFT);
		CHECK_INT(t->align[1], ALIGN_RIGHT);
		CHECK_INT(l.items[6].kind, BLOCK_LINK);
		CHECK_STR(l.items[6].text, "Only a link");
		CHECK_STR(l.items[6].url, "https://go.dev");
	}
	block_list_free(&l);
}

/* An image with empty alt text first in a paragraph once did pointer
 * arithmetic on the empty text buffer (UBSan). */
static void test_image_without_alt(void)
{
	struct block_list l = parse("![](http://x.org/a.jpg?w=300)\n\n![](b.png) and text\n", false);
	CHECK_INT(l.count, 2);
	if (l.count == 2) {
		CHECK_INT(l.items[0].kind, BLOCK_IMAGE);
		CHECK_STR(l.items[0].url, "http://x.org/a.jpg?w=300");
		CHECK_STR(l.items[0].alt, "a.jpg");
		CHECK_INT(l.items[1].kind, BLOCK_PARAGRAPH);
		CHECK_STR(l.items[1].text, "b.png and text");
		CHECK_INT(l.items[1].n_links, 1);
	}
	block_list_free(&l);
}

static void test_embedded_html(void)
{
	struct block_list l = parse("Go to <a href=\"/x\">the page</a>.<br>Now.\n\n"
	                            "<div class=\"image\">\n<img src=\"c.svg\" alt=\"Chart\"/>\n</div>\n", false);
	CHECK_INT(l.count, 2);
	if (l.count == 2) {
		CHECK_STR(l.items[0].text, "Go to the page.\nNow.");
		CHECK_INT(l.items[0].n_links, 1);
		CHECK_STR(l.items[0].links[0].url, "/x");
		CHECK_INT(l.items[1].kind, BLOCK_IMAGE);
		CHECK_STR(l.items[1].alt, "Chart");
	}
	block_list_free(&l);
}

static void test_go_template_actions(void)
{
	const char *md = "Intro {{raw \"`a < b`\"}} and {{\" <= \"}} ok.\n"
	                 "{{raw `\n\tfunc f() {\n\t\treturn\n\t}\n`}}\n"
	                 "{{image \"x/pic.png\" 850}}\n\n{{code \"x/main.go\" `/START/`}}\n"
	                 "{{video \"https://v.example/1\"}}\n{{range .x}}{{.title}}{{end}}\n"
	                 "```\n{{raw `kept`}}\n```\n";
	struct block_list l = parse(md, true);
	CHECK_INT(l.count, 6);
	if (l.count == 6) {
		CHECK_STR(l.items[0].text, "Intro a < b and <= ok.");
		CHECK_INT(l.items[1].kind, BLOCK_PRE);
		CHECK_STR(l.items[1].text, "func f() {\n\treturn\n}");
		CHECK_INT(l.items[2].kind, BLOCK_IMAGE);
		CHECK_STR(l.items[2].url, "x/pic.png");
		CHECK_INT(l.items[3].kind, BLOCK_LINK);
		CHECK_STR(l.items[3].url, "x/main.go");
		CHECK_STR(l.items[4].text, "Video");
		CHECK_INT(l.items[5].kind, BLOCK_PRE);
		CHECK_STR(l.items[5].text, "{{raw `kept`}}");
	}
	block_list_free(&l);
	/* Without the template flag the braces are text. */
	l = parse("a {{image \"p.png\"}} b\n", false);
	CHECK_INT(l.count, 1);
	CHECK_STR(l.items[0].text, "a {{image \"p.png\"}} b");
	block_list_free(&l);
}

static void test_unclosed_things(void)
{
	const char *inputs[] = {"{{raw `never", "[a](", "<a href=\"x", "```\nopen", "{{", "> > > >"};
	size_t want[] = {1, 1, 1, 1, 1, 0}; /* nested empty quotes say nothing */
	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		struct block_list l = parse(inputs[i], true);
		CHECK_INT(l.count, want[i]);
		block_list_free(&l);
	}
}

/* Attribute lists go; a heading's id stays as its target; a link to it
 * keeps its fragment; code keeps its braces. */
static void test_attribute_lists(void)
{
	struct block_list l = parse("## Hasil survei {#hasil.2024}\n\n"
	                            "### 満足度 {: #manzoku .wide}\n\n"
	                            "Lihat [hasil](#hasil.2024).{:.lead}\n{: data-x=\"1 2\" }\n\n"
	                            "Kode `{: .x}` dan {tanda kurung} biasa.\n", false);
	CHECK_INT(l.count, 4);
	if (l.count == 4) {
		CHECK_STR(l.items[0].text, "Hasil survei");
		CHECK_STR(l.items[0].url, "hasil.2024");
		CHECK_STR(l.items[1].text, "\xe6\xba\x80\xe8\xb6\xb3\xe5\xba\xa6");
		CHECK_STR(l.items[1].url, "manzoku");
		CHECK_STR(l.items[2].text, "Lihat hasil.");
		CHECK_INT(l.items[2].n_links, 1);
		CHECK_INT(l.items[2].links[0].end, strlen("Lihat hasil"));
		CHECK_STR(l.items[3].text, "Kode {: .x} dan {tanda kurung} biasa.");
	}
	block_list_free(&l);
}

/* Notes on consecutive lines are each a line of the notes at the end;
 * a note reference written as a link to "#..." becomes a marker. */
static void test_footnotes(void)
{
	struct block_list l = parse("Satu[^a] dan dua[<sup>2</sup>](#fn2).\n\n"
	                            "[^a]: Catatan [pertama](https://example.id/1).\n"
	                            "[^b]: Kedua.\n", false);
	CHECK_INT(l.count, 3);
	if (l.count == 3) {
		CHECK_STR(l.items[0].text, "Satu[^a] dan dua[^2].");
		CHECK_INT(l.items[0].n_links, 0);
		CHECK_INT(l.items[1].kind, BLOCK_HEADING);
		CHECK_STR(l.items[1].text, "Notes");
		CHECK_STR(l.items[2].text, "[^a] Catatan pertama.\n[^b] Kedua.");
		CHECK_INT(l.items[2].n_links, 1);
		CHECK_INT(l.items[2].links[0].end, strlen("[^a] Catatan pertama"));
	}
	block_list_free(&l);
}

/* Hostile shapes stay linear: a paragraph of 100,000 attribute lists or
 * note links, and <div markdown="1"> nested 10,000 deep (read as
 * Markdown a few levels down, then as HTML). */
static void test_hostile_shapes(void)
{
	struct buf md = {0};
	for (int i = 0; i < 100000; i++)
		buf_puts(&md, "a{:.x} ");
	/* A line this long is read as paragraphs of bounded size: every
	 * word is kept, each list removed. */
	struct block_list l = parse(md.data, false);
	CHECK(l.count > 1);
	size_t words = 0;
	for (size_t i = 0; i < l.count; i++)
		words += (strlen(l.items[i].text) + 1) / 2;
	CHECK_INT(words, 100000);
	block_list_free(&l);
	buf_clear(&md);
	for (int i = 0; i < 100000; i++)
		buf_puts(&md, "w[<sup>1</sup>](#n) ");
	l = parse(md.data, false);
	size_t links = 0;
	for (size_t i = 0; i < l.count; i++)
		links += l.items[i].n_links;
	CHECK(l.count > 0 && links == 0);
	block_list_free(&l);
	buf_clear(&md);
	for (int i = 0; i < 10000; i++)
		buf_puts(&md, "<div markdown=\"1\">\n");
	buf_puts(&md, "*deep*\n");
	for (int i = 0; i < 10000; i++)
		buf_puts(&md, "</div>\n");
	l = parse(md.data, false);
	CHECK_INT(l.count, 1);
	block_list_free(&l);
	buf_free(&md);
}

/* A body shifted right as a whole (a converted archive) is text; a code
 * block among unindented text stays code. */
/* A paragraph too long for md4c in bounded time is read as several: every
 * word kept, reference definitions reaching every piece; fenced and
 * indented code are never cut; lists opened deeper than the bound on one line keep their
 * text, even on a line longer than the bound. */
static void test_long_paragraphs_are_cut(void)
{
	struct buf md = {0};
	for (int i = 0; i < 600; i++)
		buf_printf(&md, "kata%d\n", i);
	struct block_list l = parse(md.data, false);
	CHECK(l.count > 1);
	size_t words = 0;
	for (size_t i = 0; i < l.count; i++) {
		CHECK_INT(l.items[i].kind, BLOCK_PARAGRAPH);
		words += strlen(l.items[i].text) > 0;
		for (const char *p = l.items[i].text; (p = strchr(p, ' ')) != NULL; p++)
			words++;
	}
	CHECK_INT(words, 600);
	block_list_free(&l);

	buf_clear(&md);
	buf_puts(&md, "[r]: /ref\n\n");
	for (int i = 0; i < 600; i++)
		buf_puts(&md, "[a][r]\n");
	l = parse(md.data, false);
	CHECK(l.count > 1);
	size_t links = 0;
	for (size_t i = 0; i < l.count; i++)
		for (size_t k = 0; k < l.items[i].n_links; k++)
			links += strcmp(l.items[i].links[k].url, "/ref") == 0;
	CHECK_INT(links, 600);
	block_list_free(&l);

	buf_clear(&md);
	buf_puts(&md, "```\n");
	for (int i = 0; i < 600; i++)
		buf_puts(&md, "kode\n");
	buf_puts(&md, "```\n");
	l = parse(md.data, false);
	CHECK_INT(l.count, 1);
	CHECK(l.count == 1 && strlen(l.items[0].text) == 600 * 5 - 1);
	block_list_free(&l);

	buf_clear(&md);
	buf_puts(&md, "Daftar:\n\n");
	for (int i = 0; i < 600; i++)
		buf_puts(&md, "    kode\n");
	l = parse(md.data, false);
	CHECK_INT(l.count, 2);
	CHECK(l.count == 2 && strlen(l.items[1].text) == 600 * 5 - 1);
	block_list_free(&l);

	/* What only looks like an HTML block or a fence is cut as text. */
	static const char *const openers[] = {"<x!>\n", "</pre x\n", "```a`\n", "<div-x y\n"};
	for (size_t k = 0; k < sizeof openers / sizeof openers[0]; k++) {
		buf_clear(&md);
		buf_puts(&md, openers[k]);
		for (int i = 0; i < 600; i++)
			buf_puts(&md, "[t](/x/1)\n");
		l = parse(md.data, false);
		CHECK(l.count > 1);
		block_list_free(&l);
	}

	buf_clear(&md);
	for (int i = 0; i < 20000; i++)
		buf_puts(&md, "- ");
	for (int i = 0; i < 20000; i++)
		buf_puts(&md, "kata ");
	l = parse(md.data, false);
	words = 0;
	for (size_t i = 0; i < l.count; i++)
		for (const char *p = l.items[i].text; (p = strstr(p, "kata")) != NULL; p++)
			words++;
	CHECK_INT(words, 20000);
	for (size_t i = 0; i < l.count; i++)
		CHECK(l.items[i].level <= MAX_LIST_LEVEL);
	block_list_free(&l);
	buf_free(&md);
}

static void test_indented_body(void)
{
	struct block_list l = parse("\n    Rilis Beta 2:\n\n    1. tiket <http://dev.example.id/t/599>\n"
	                            "        - sub\n\n    Salam\n", false);
	CHECK_INT(l.count, 4);
	if (l.count == 4) {
		CHECK_INT(l.items[0].kind, BLOCK_PARAGRAPH);
		CHECK_INT(l.items[1].kind, BLOCK_LIST_ITEM);
		CHECK_INT(l.items[1].number, 1);
		CHECK_INT(l.items[2].level, 1);
		CHECK_STR(l.items[3].text, "Salam");
	}
	block_list_free(&l);
	l = parse("Run:\n\n    make test\n", false);
	CHECK(l.count == 2 && l.items[1].kind == BLOCK_PRE);
	block_list_free(&l);
}

int main(void)
{
	RUN(test_paragraphs_and_links);
	RUN(test_headings_lists_quotes);
	RUN(test_code_images_tables);
	RUN(test_image_without_alt);
	RUN(test_embedded_html);
	RUN(test_go_template_actions);
	RUN(test_unclosed_things);
	RUN(test_attribute_lists);
	RUN(test_footnotes);
	RUN(test_hostile_shapes);
	RUN(test_long_paragraphs_are_cut);
	RUN(test_indented_body);
	return check_report();
}
