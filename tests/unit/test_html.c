#include "html.h"

#include "check.h"

#include <stdlib.h>

static char *decoded(const char *s)
{
	struct buf out = {0};
	html_decode(&out, s, strlen(s));
	return buf_steal(&out);
}

static void check_decoded(const char *s, const char *want)
{
	char *got = decoded(s);
	CHECK_STR(got, want);
	free(got);
}

static void test_entities(void)
{
	check_decoded("a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;", "a & b <c> \"d\" 'e'");
	check_decoded("x&nbsp;y", "x\xc2\xa0y");
	check_decoded("&mdash;&ndash;&hellip;&laquo;&raquo;&copy;",
	              "\xe2\x80\x94\xe2\x80\x93\xe2\x80\xa6\xc2\xab\xc2\xbb\xc2\xa9");
	check_decoded("&#8212; &#x2014; &#X41;", "\xe2\x80\x94 \xe2\x80\x94 A");
	check_decoded("&#128512;", "\xf0\x9f\x98\x80");
	check_decoded("&#0; &#xD800; &#x110000;", "\xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd");
	check_decoded("&#8203;gone", "gone");
	check_decoded("a&#x2060;b&#xFEFF;c", "abc");
	/* The joiners mean something: man ZWJ woman; ZWNJ in Persian "mi-khaham". */
	check_decoded("&#128104;&#8205;&#128105;", "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9");
	check_decoded("&#x645;&#x6cc;&#x200c;&#x62e;", "\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae");
	check_decoded("AT&T &unknown; &amp &#; &#xZZ;", "AT&T &unknown; &amp &#; &#xZZ;");
}

static void test_tag_parse(void)
{
	struct html_tag tag;
	const char *s = "<A HREF=\"/x?a=1&amp;b=2\" class=y>rest";
	size_t n = html_tag_parse(s, strlen(s), &tag);
	CHECK_INT(n, strlen(s) - 4);
	CHECK_STR(tag.name, "a");
	CHECK_STR(tag.href, "/x?a=1&b=2");
	CHECK(!tag.closing);
	html_tag_free(&tag);
	s = "<img src='p.png' alt=\"two\nlines\"/>";
	CHECK_INT(html_tag_parse(s, strlen(s), &tag), strlen(s));
	CHECK_STR(tag.src, "p.png");
	CHECK_STR(tag.alt, "two\nlines");
	html_tag_free(&tag);
	CHECK_INT(html_tag_parse("</div >", 7, &tag), 7);
	CHECK(tag.closing);
	html_tag_free(&tag);
	CHECK_INT(html_tag_parse("<!-- c -->", 10, &tag), 10);
	CHECK_STR(tag.name, "");
	CHECK_INT(html_tag_parse("< 3", 3, &tag), 0);
	CHECK_INT(html_tag_parse("<a href=\"x", 10, &tag), 0);
	CHECK_INT(html_tag_parse("<1>", 3, &tag), 0);
}

static void test_blocks(void)
{
	const char *html =
		"<div class=\"image\">\n<img src=\"a.svg\" alt=\"A chart\"/><br/>\n</div>\n"
		"<p>First &amp; <a href=\"https://go.dev\">Go <i>site</i></a> here.</p>"
		"<script>var x = '<p>no</p>';</script><style>p{}</style>"
		"<h2>Head</h2><ul><li>one</li><li>two</li></ul>"
		"<blockquote>said</blockquote><pre>  a &lt; b\n  c</pre><hr>"
		"<!-- gone --><table><tr><th>k</th><th>v</th></tr></table>tail";
	struct block_list list = {0};
	html_to_blocks(html, strlen(html), &list);
	CHECK_INT(list.count, 10);
	if (list.count == 10) {
		struct block *b = list.items;
		CHECK_INT(b[0].kind, BLOCK_IMAGE);
		CHECK_STR(b[0].url, "a.svg");
		CHECK_STR(b[0].alt, "A chart");
		CHECK_INT(b[1].kind, BLOCK_PARAGRAPH);
		CHECK_STR(b[1].text, "First & Go site here.");
		CHECK_INT(b[1].n_links, 1);
		CHECK_STR(b[1].links[0].url, "https://go.dev");
		CHECK_STR(b[1].links[0].label, "Go site");
		CHECK_INT(b[1].links[0].end, 15);
		CHECK_INT(b[2].kind, BLOCK_HEADING);
		CHECK_INT(b[2].level, 2);
		CHECK_INT(b[3].kind, BLOCK_LIST_ITEM);
		CHECK_STR(b[4].text, "two");
		CHECK_INT(b[5].kind, BLOCK_QUOTE);
		CHECK_INT(b[6].kind, BLOCK_PRE);
		CHECK_STR(b[6].text, "  a < b\n  c");
		CHECK_INT(b[7].kind, BLOCK_RULE);
		CHECK_INT(b[8].kind, BLOCK_TABLE);
		if (b[8].table != NULL && b[8].table->n_cols == 2) {
			CHECK_STR(b[8].table->cells[0], "k");
			CHECK_STR(b[8].table->cells[1], "v");
		}
		CHECK_STR(b[9].text, "tail");
	}
	block_list_free(&list);
}

/* Broken HTML reads as a browser reads it: a tag cut short at the end is
 * dropped, a lone '<' is text; never a crash (see valgrind). */
static void test_hostile_input(void)
{
	const struct {
		const char *html;
		size_t blocks;
	} cases[] = {
		{"<", 1}, {"<a", 0}, {"<a href=", 0}, {"<script>never closed", 0}, {"&#x", 1},
		{"<pre>", 0}, {"</a></a><a href=x>", 0}, {"<<<>>>", 1}, {"<!--", 0},
		{"<p>a<table><tr><td>x</td></p>", 2}, {"<td>stray cell</td>", 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct block_list list = {0};
		html_to_blocks(cases[i].html, strlen(cases[i].html), &list);
		CHECK_INT(list.count, cases[i].blocks);
		block_list_free(&list);
	}
}

/* Cells are read per row, whatever the markup leaves out (closing tags,
 * <tbody>); a colspan keeps the columns in line; scripts stay cells' text. */
static void test_table(void)
{
	const char *html =
		"<table><caption>Penduduk</caption>"
		"<tr><th>\xe5\x9f\x8e\xe5\xb8\x82<th>\xd8\xa7\xd9\x84\xd9\x85\xd8\xaf\xd9\x8a\xd9\x86\xd8\xa9<th>Jumlah"
		"<tr><td colspan=2>Jakarta <b>Pusat</b><td>1&nbsp;056&#1;"
		"<tr><td>a<p>b</p><td><img src=\"/i/peta.png\">"
		"</table>after";
	struct block_list list = {0};
	html_to_blocks(html, strlen(html), &list);
	CHECK_INT(list.count, 3);
	if (list.count == 3) {
		CHECK_STR(list.items[0].text, "Penduduk");
		const struct table *t = list.items[1].table;
		CHECK(t != NULL);
		if (t != NULL) {
			CHECK_INT(t->n_rows, 3);
			CHECK_INT(t->n_cols, 3);
			CHECK_STR(t->cells[0], "\xe5\x9f\x8e\xe5\xb8\x82");
			CHECK_STR(t->cells[3], "Jakarta Pusat");
			CHECK_STR(t->cells[4], "");
			/* &#1; is a control: left out. */
			CHECK_STR(t->cells[5], "1\xc2\xa0" "056");
			CHECK_STR(t->cells[6], "a b");
			CHECK_STR(t->cells[7], "peta.png");
			CHECK_STR(t->cells[8], "");
		}
		CHECK_STR(list.items[2].text, "after");
	}
	block_list_free(&list);
}

/* Nesting a hundred thousand deep: no stack overflow, no quadratic parse
 * (the tags past the depth limit are dropped, the text kept). */
static void test_deep_nesting(void)
{
	enum { DEPTH = 100000 };
	struct buf html = {0};
	for (int i = 0; i < DEPTH; i++)
		buf_puts(&html, i % 2 ? "<div>" : "<blockquote>");
	buf_puts(&html, "deep text");
	for (int i = DEPTH; i-- > 0;)
		buf_puts(&html, i % 2 ? "</div>" : "</blockquote>");
	buf_puts(&html, "<p>out</p>");
	struct block_list list = {0};
	html_to_blocks(html.data, html.len, &list);
	CHECK_INT(list.count, 2);
	if (list.count == 2) {
		CHECK_STR(list.items[0].text, "deep text");
		CHECK_INT(list.items[0].kind, BLOCK_QUOTE);
		CHECK_STR(list.items[1].text, "out");
	}
	block_list_free(&list);
	buf_free(&html);
}

int main(void)
{
	RUN(test_entities);
	RUN(test_tag_parse);
	RUN(test_blocks);
	RUN(test_hostile_input);
	RUN(test_table);
	RUN(test_deep_nesting);
	return check_report();
}
