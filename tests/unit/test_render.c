#include "render.h"
#include "gopher_lines.h"

#include "alloc.h"
#include "check.h"
#include "testutil.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Golden-file tests: tests/golden/NAME.md is parsed (article_parse) and
 * rendered; the results must equal NAME.gmi and NAME.txt byte for byte.
 * The seed article from ../shared/seeds gives seed.gmi and seed.txt when
 * that folder is there. A few cases the Markdown reader cannot express are
 * built by hand ("edges"). To regenerate after an intended change, run with
 * KABAR_REGOLD=1, then read `git diff tests/golden` line by line before
 * committing it.
 */

/* Reports the first line where got and want differ. */
static void report_difference(const char *path, const char *got, const char *want)
{
	int line = 1;
	size_t i = 0, line_start = 0;
	while (got[i] != '\0' && got[i] == want[i]) {
		if (got[i] == '\n') {
			line++;
			line_start = i + 1;
		}
		i++;
	}
	const char *g = got + line_start, *w = want + line_start;
	fprintf(stderr, "  %s differs at line %d\n    got:  %.*s\n    want: %.*s\n", path,
	        line, (int)strcspn(g, "\n"), g, (int)strcspn(w, "\n"), w);
}

static void check_golden(const char *name, const char *ext, const struct buf *got)
{
	char rel[300], path[600];
	snprintf(rel, sizeof rel, "tests/golden/%s.%s", name, ext);
	test_repo_path(rel, path, sizeof path);
	if (getenv("KABAR_REGOLD") != NULL) {
		if (!test_write_file(path, got->data, got->len)) {
			fprintf(stderr, "  cannot write %s\n", path);
			check_failures_in_test++;
		}
		return;
	}
	size_t len;
	char *want = test_read_file(path, &len);
	if (want == NULL) {
		fprintf(stderr, "  missing golden file %s (KABAR_REGOLD=1 writes it)\n", path);
		check_failures_in_test++;
		return;
	}
	if (len != got->len || memcmp(want, got->data, len) != 0) {
		report_difference(path, got->data, want);
		check_failures_in_test++;
	}
	free(want);
}

/* ---- building articles by hand (freed by article_free) ---------------------------------------- */

static struct vhost test_vhost = {
	.lang = "en",
	.zone_name = "WITA",
	.utc_offset_minutes = 480,
	.wrap_columns = 70,
};

static struct render_context gemini_ctx = {.vhost = &test_vhost, .base_url = "gemini://kabar.test"};
static const struct origin test_menu = {"kabar.test", 7070, false};
static struct render_context gopher_ctx = {.vhost = &test_vhost, .base_url = "gopher://kabar.test:7070",
                                           .menu = &test_menu};

static struct article *new_article(const char *title)
{
	struct article *a = xcalloc(1, sizeof *a);
	a->meta.title = xstrdup(title);
	a->path = xstrdup("/news/2022/04/sample");
	a->reading.words = 420;
	a->meta.date = (struct when){.set = true, .t = 1650511080, .offset_minutes = 480, .has_time = true};
	return a;
}

static struct block *add_block(struct article *a, enum block_kind kind, const char *text)
{
	a->blocks = xreallocarray(a->blocks, a->n_blocks + 1, sizeof *a->blocks);
	struct block *b = &a->blocks[a->n_blocks++];
	memset(b, 0, sizeof *b);
	b->kind = kind;
	b->text = text != NULL ? xstrdup(text) : NULL;
	return b;
}

/* Adds a link whose label is the first occurrence of label in the text
 * after the previous link. */
static void add_link(struct block *b, const char *url, const char *label)
{
	size_t from = b->n_links > 0 ? b->links[b->n_links - 1].end : 0;
	const char *at = strstr(b->text + from, label);
	if (at == NULL)
		abort();
	b->links = xreallocarray(b->links, b->n_links + 1, sizeof *b->links);
	b->links[b->n_links++] = (struct link){
		.url = xstrdup(url),
		.label = xstrdup(label),
		.end = (size_t)(at - b->text) + strlen(label),
	};
}

static char **strings(size_t n, const char *const *items)
{
	char **out = xcalloc(n, sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(items[i]);
	return out;
}

/* Renders a in both protocols and checks both against the golden files. */
static void check_both(const char *name, struct article *a)
{
	struct buf gmi = {0}, txt = {0};
	render_gemtext(&gmi, a, &gemini_ctx);
	render_gopher_text(&txt, a, &gopher_ctx);
	check_golden(name, "gmi", &gmi);
	check_golden(name, "txt", &txt);
	buf_free(&gmi);
	buf_free(&txt);
	article_free(a);
}

/* Every line of a menu is an item of four fields, its display within the
 * menu width, and a link's item names a type a client knows. */
static bool menu_well_formed(const char *s)
{
	for (const char *line = s; *line != '\0';) {
		const char *end = strstr(line, "\r\n");
		if (end == NULL || strchr("i0139hIgs", line[0]) == NULL)
			return false;
		int tabs = 0;
		const char *first_tab = NULL;
		for (const char *c = line; c < end; c++) {
			if (*c == '\t' && tabs++ == 0)
				first_tab = c;
		}
		if (tabs != 3 || text_width(line + 1, (size_t)(first_tab - line - 1)) > MENU_DISPLAY_COLUMNS)
			return false;
		line = end + 2;
	}
	return true;
}

/* The Gopher menu form of a, against NAME.menu. */
static void check_menu_golden(const char *name, const struct article *a,
                              const struct render_context *ctx)
{
	struct buf menu = {0};
	render_gopher_menu(&menu, a, ctx);
	check_golden(name, "menu", &menu);
	CHECK(menu_well_formed(menu.data));
	buf_free(&menu);
}

/* Every line of s (CRLF-terminated) fits width columns. */
static bool gopher_lines_fit(const char *s, size_t width)
{
	for (const char *line = s; *line != '\0';) {
		const char *end = strstr(line, "\r\n");
		if (end == NULL || text_width(line, (size_t)(end - line)) > width)
			return false;
		line = end + 2;
	}
	return true;
}

/* ---- cases --------------------------------------------------------------- */

static void test_when(void)
{
	struct buf out = {0};
	struct when w = {.set = true, .t = 1650511080, .offset_minutes = 480, .has_time = true};
	render_when(&out, &w, &test_vhost);
	CHECK_STR(out.data, "2022-04-21 11:18 WITA");
	buf_clear(&out);
	/* A date written without a time shows no made-up midnight. */
	w.has_time = false;
	render_when(&out, &w, &test_vhost);
	CHECK_STR(out.data, "2022-04-21");
	buf_clear(&out);
	w.has_time = true;
	w.offset_minutes = -330;
	render_when(&out, &w, &test_vhost);
	CHECK_STR(out.data, "2022-04-20 21:48 -05:30");
	buf_clear(&out);
	w.offset_minutes = 0;
	render_when(&out, &w, &test_vhost);
	CHECK_STR(out.data, "2022-04-21 03:18 +00:00");
	buf_clear(&out);
	render_when(&out, &w, NULL);
	CHECK_STR(out.data, "2022-04-21 03:18 UTC");
	buf_clear(&out);
	w.set = false;
	render_when(&out, &w, &test_vhost);
	CHECK_INT(out.len, 0);
	buf_free(&out);
}

static struct article_context parse_ctx = {.utc_offset_minutes = 480, .lang = "en"};

/* Parses tests/golden/NAME.md as news/2022/04/NAME.md, or NULL. */
static struct article *parse_golden(const char *name)
{
	char rel[300], path[600];
	snprintf(rel, sizeof rel, "tests/golden/%s.md", name);
	size_t len;
	char *data = test_read_file(test_repo_path(rel, path, sizeof path), &len);
	if (data == NULL) {
		fprintf(stderr, "  cannot read %s\n", path);
		return NULL;
	}
	snprintf(rel, sizeof rel, "news/2022/04/%s.md", name);
	struct buf error = {0};
	struct article *a = article_parse(rel, data, len, &parse_ctx, &error);
	if (a == NULL)
		fprintf(stderr, "  %s: %s\n", path, error.data);
	buf_free(&error);
	free(data);
	return a;
}

static void check_markdown_golden(const char *name)
{
	struct article *a = parse_golden(name);
	if (a == NULL) {
		check_failures_in_test++;
		return;
	}
	struct buf gmi = {0}, txt = {0};
	render_gemtext(&gmi, a, &gemini_ctx);
	render_gopher_text(&txt, a, &gopher_ctx);
	check_golden(name, "gmi", &gmi);
	check_golden(name, "txt", &txt);
	CHECK(gopher_lines_fit(txt.data, 70) || strcmp(name, "table_cjk") == 0);
	check_menu_golden(name, a, &gopher_ctx);
	buf_free(&gmi);
	buf_free(&txt);
	article_free(a);
}

static void test_header_indonesian(void) { check_markdown_golden("header_id"); }
static void test_header_english(void) { check_markdown_golden("header_en"); }
static void test_paragraph_links(void) { check_markdown_golden("paragraph_links"); }
static void test_link_only(void) { check_markdown_golden("link_only"); }
static void test_images(void) { check_markdown_golden("images"); }
static void test_heading_cap(void) { check_markdown_golden("heading_cap"); }
static void test_lists(void) { check_markdown_golden("lists"); }
static void test_code(void) { check_markdown_golden("code"); }
static void test_table_cjk(void) { check_markdown_golden("table_cjk"); }
static void test_quote(void) { check_markdown_golden("quote"); }
static void test_escapes(void) { check_markdown_golden("escapes"); }
static void test_relative_links(void) { check_markdown_golden("relative_links"); }
static void test_html_links(void) { check_markdown_golden("html_links"); }
static void test_wrap(void) { check_markdown_golden("wrap"); }
static void test_hard_break(void) { check_markdown_golden("hard_break"); }
/* Devanagari, Tamil, Bengali, Sinhala, Gujarati, Malayalam: spacing vowel
 * signs take their column, in paragraphs, quotes and lists. */
static void test_indic(void) { check_markdown_golden("indic"); }
static void test_kramdown_ial(void) { check_markdown_golden("kramdown_ial"); }
static void test_markdown_div(void) { check_markdown_golden("markdown_div"); }
static void test_footnotes(void) { check_markdown_golden("footnotes"); }
static void test_task_list(void) { check_markdown_golden("task_list"); }
static void test_html_table(void) { check_markdown_golden("html_table"); }
static void test_quote_credit(void) { check_markdown_golden("quote_credit"); }
static void test_image_labels(void) { check_markdown_golden("image_labels"); }
static void test_nested_ordered(void) { check_markdown_golden("nested_ordered"); }
/* Japanese, Chinese and Thai news whose lines break inside paragraphs: the
 * breaks join with no space, and Gopher wraps between characters where
 * UAX #14 allows, never before 、。」）; Latin words and Korean keep their
 * spaces (cjk_mixed). */
static void test_cjk_ja(void) { check_markdown_golden("cjk_ja"); }
static void test_cjk_zh(void) { check_markdown_golden("cjk_zh"); }
static void test_thai(void) { check_markdown_golden("thai"); }
static void test_cjk_mixed(void) { check_markdown_golden("cjk_mixed"); }

/* The real article this server exists for: no front matter, the regional
 * site's layout, an Indonesian newsroom in WITA. */
static void test_seed(void)
{
	char path[600];
	test_repo_path("../shared/seeds/000_d926a9efe1d2fe2d.txt", path, sizeof path);
	size_t len;
	char *data = test_read_file(path, &len);
	if (data == NULL) {
		printf("  skipped test_seed: %s is not there\n", path);
		return;
	}
	struct article_context ctx = {.utc_offset_minutes = 480, .lang = "id"};
	struct buf error = {0};
	struct article *a = article_parse("000_d926a9efe1d2fe2d.txt", data, len, &ctx, &error);
	free(data);
	CHECK(a != NULL);
	if (a == NULL) {
		fprintf(stderr, "  seed: %s\n", error.data);
		buf_free(&error);
		return;
	}
	buf_free(&error);
	struct vhost site = test_vhost;
	site.lang = "id";
	struct render_context gem = {.vhost = &site, .base_url = "gemini://barru.test"};
	const struct origin menu = {"barru.test", 70, false};
	struct render_context gph = {.vhost = &site, .base_url = "gopher://barru.test", .menu = &menu};
	struct buf gmi = {0}, txt = {0};
	render_gemtext(&gmi, a, &gem);
	render_gopher_text(&txt, a, &gph);
	check_golden("seed", "gmi", &gmi);
	check_golden("seed", "txt", &txt);
	CHECK(gopher_lines_fit(txt.data, 70));
	check_menu_golden("seed", a, &gph);
	buf_free(&gmi);
	buf_free(&txt);
	article_free(a);
}

/* What Markdown cannot say: links without an address, a link line without
 * a label, an image without alt text, a table cell starting "```", code
 * without info string keeping its trailing blanks. */
static void test_model_edges(void)
{
	struct article *a = new_article("Edges");
	struct block *b = add_block(a, BLOCK_PARAGRAPH, "A link without an address stays text.");
	add_link(b, "", "address");
	b = add_block(a, BLOCK_LINK, "");
	b->url = xstrdup("https://example.org/no-label");
	b = add_block(a, BLOCK_IMAGE, NULL);
	b->url = xstrdup("https://example.org/a.jpg");
	b = add_block(a, BLOCK_PRE, "no info string   \n```\n\tindented\n");
	b = add_block(a, BLOCK_TABLE, NULL);
	struct table *t = xcalloc(1, sizeof *t);
	const char *cells[] = {"```", "b", "1", "2"};
	t->n_rows = 2;
	t->n_cols = 2;
	t->cells = strings(4, cells);
	b->table = t;
	add_block(a, BLOCK_RULE, NULL);
	a->meta.signature = xstrdup("# signed");
	a->meta.author_url = xstrdup("https://example.org/desk/");
	check_both("edges", a);
}

static void test_relative_links_without_base(void)
{
	struct article *a = new_article("No base");
	struct block *b = add_block(a, BLOCK_PARAGRAPH, "see other");
	add_link(b, "other", "other");
	struct render_context ctx = {.vhost = &test_vhost, .base_url = NULL};
	struct buf out = {0};
	render_gemtext(&out, a, &ctx);
	CHECK(strstr(out.data, "\n=> /news/2022/04/other [1] other\n") != NULL);
	buf_free(&out);
	article_free(a);
}

static void test_narrow_wrap(void)
{
	struct vhost narrow = test_vhost;
	narrow.wrap_columns = 30;
	struct render_context ctx = {.vhost = &narrow, .base_url = NULL};
	struct article *a = new_article("A headline long enough to wrap twice at thirty");
	add_block(a, BLOCK_PARAGRAPH, "中文段落没有空格所以必须在字符之间换行而且每行不能超过三十列");
	struct buf out = {0};
	render_gopher_text(&out, a, &ctx);
	CHECK(gopher_lines_fit(out.data, 30));
	CHECK(strstr(out.data, "\r\n==============================\r\n") != NULL);
	buf_free(&out);
	article_free(a);
}

static void test_empty_article(void)
{
	struct article *a = xcalloc(1, sizeof *a);
	struct render_context ctx = {.vhost = NULL, .base_url = NULL};
	struct buf out = {0};
	render_gemtext(&out, a, &ctx);
	CHECK_STR(out.data, "1 min read\n");
	buf_clear(&out);
	render_gopher_text(&out, a, &ctx);
	CHECK_STR(out.data, "1 min read\r\n");
	buf_free(&out);
	free(a);
}

int main(void)
{
	RUN(test_when);
	RUN(test_header_indonesian);
	RUN(test_header_english);
	RUN(test_paragraph_links);
	RUN(test_link_only);
	RUN(test_images);
	RUN(test_heading_cap);
	RUN(test_lists);
	RUN(test_code);
	RUN(test_table_cjk);
	RUN(test_quote);
	RUN(test_escapes);
	RUN(test_relative_links);
	RUN(test_html_links);
	RUN(test_wrap);
	RUN(test_hard_break);
	RUN(test_indic);
	RUN(test_kramdown_ial);
	RUN(test_markdown_div);
	RUN(test_footnotes);
	RUN(test_task_list);
	RUN(test_html_table);
	RUN(test_quote_credit);
	RUN(test_image_labels);
	RUN(test_nested_ordered);
	RUN(test_cjk_ja);
	RUN(test_cjk_zh);
	RUN(test_thai);
	RUN(test_cjk_mixed);
	RUN(test_seed);
	RUN(test_model_edges);
	RUN(test_relative_links_without_base);
	RUN(test_narrow_wrap);
	RUN(test_empty_article);
	return check_report();
}
