#include "render.h"

#include "alloc.h"
#include "check.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Golden-file tests: each case renders one article and compares the result
 * with tests/golden/NAME.gmi and NAME.txt. To regenerate after an intended
 * change, run with KABAR_REGOLD=1 and read the diff (git diff tests/golden)
 * line by line before committing it.
 */

static const char *golden_dir(void)
{
	static char dir[512];
	if (dir[0] == '\0') {
		/* __FILE__ is tests/unit/test_render.c as the Makefile compiles
		 * it from the repository root. */
		const char *file = __FILE__;
		const char *slash = strrchr(file, '/');
		size_t len = slash != NULL ? (size_t)(slash - file) : 0;
		snprintf(dir, sizeof dir, "%.*s%sgolden", (int)len, file, len > 0 ? "/../" : "../");
	}
	return dir;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	struct buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	*len = b.len;
	if (b.data == NULL)
		buf_puts(&b, "");
	return buf_steal(&b);
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len) {
		fprintf(stderr, "  cannot write %s\n", path);
		check_failures_in_test++;
	}
	if (f != NULL)
		fclose(f);
}

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
	char path[600];
	snprintf(path, sizeof path, "%s/%s.%s", golden_dir(), name, ext);
	if (getenv("KABAR_REGOLD") != NULL) {
		write_file(path, got->data, got->len);
		return;
	}
	size_t len;
	char *want = read_file(path, &len);
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

/* ---- building articles by hand ---------------------------------------- */

static struct vhost test_vhost = {
	.lang = "en",
	.zone_name = "WITA",
	.utc_offset_minutes = 480,
	.wrap_columns = 70,
};

static struct render_context gemini_ctx = {&test_vhost, "gemini://kabar.test"};
static struct render_context gopher_ctx = {&test_vhost, "gopher://kabar.test:7070"};

static struct article *new_article(const char *title)
{
	struct article *a = xcalloc(1, sizeof *a);
	a->meta.title = xstrdup(title);
	a->path = xstrdup("/news/2022/04/sample");
	a->words = 420;
	a->meta.date = (struct when){.set = true, .t = 1650511080, .offset_minutes = 480};
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

static void free_strings(char **s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i]);
	free(s);
}

static void free_article(struct article *a)
{
	for (size_t i = 0; i < a->n_blocks; i++) {
		struct block *b = &a->blocks[i];
		for (size_t k = 0; k < b->n_links; k++) {
			free(b->links[k].url);
			free(b->links[k].label);
		}
		free(b->links);
		free(b->text);
		free(b->url);
		free(b->alt);
		if (b->table != NULL) {
			free_strings(b->table->cells, b->table->n_rows * b->table->n_cols);
			free(b->table->align);
			free(b->table);
		}
	}
	free(a->blocks);
	struct article_meta *m = &a->meta;
	free_strings(m->authors, m->n_authors);
	free_strings(m->tags, m->n_tags);
	free(m->title);
	free(m->author_url);
	free(m->section);
	free(m->caption);
	free(m->image);
	free(m->signature);
	free(m->lang);
	free(a->path);
	free(a);
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
	free_article(a);
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
	struct when w = {.set = true, .t = 1650511080, .offset_minutes = 480};
	render_when(&out, &w, &test_vhost);
	CHECK_STR(out.data, "2022-04-21 11:18 WITA");
	buf_clear(&out);
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

static void test_header_indonesian(void)
{
	struct article *a = new_article("Wow...!!, Kesan Peserta Study Tiru Kabupaten Lutim Tentang MPP Barru");
	const char *authors[] = {"MUH. HASYIM HANIS, SE, S.Pd, C.L.E"};
	a->meta.authors = strings(1, authors);
	a->meta.n_authors = 1;
	a->meta.author_url = xstrdup("http://BARRU.GOBLOG.CO.ID");
	a->meta.section = xstrdup("barru");
	a->meta.caption = xstrdup("Rombongan kunjungan study tiru Kabupaten Luwu Timur");
	a->meta.signature = xstrdup("(HB-red)");
	a->meta.lang = xstrdup("id");
	const char *tags[] = {"MPP", "Luwu Timur"};
	a->meta.tags = strings(2, tags);
	a->meta.n_tags = 2;
	a->words = 330;
	add_block(a, BLOCK_PARAGRAPH,
	          "BARRU- Mal Pelayanan Publik (MPP) Barru penuh Kunjungan mengalir seperti "
	          "derasnya air, kini giliran rombongan kunjungan study tiru Kabupaten Luwu Timur "
	          "tiba di MPP sekitar jam 9:00 Rabu pagi di MPP Kabupaten Barru, Rabu (20/04).");
	check_both("header_id", a);
}

static void test_header_english(void)
{
	struct article *a = new_article("Two authors, an image and an update");
	const char *authors[] = {"Ana Lee", "Budi Santoso"};
	a->meta.authors = strings(2, authors);
	a->meta.n_authors = 2;
	a->meta.updated = (struct when){.set = true, .t = 1650600000, .offset_minutes = 0};
	a->meta.image = xstrdup("../../images/mpp.jpg");
	a->meta.caption = xstrdup("The public service mall");
	a->meta.section = xstrdup("luwu timur");
	a->words = 90;
	add_block(a, BLOCK_PARAGRAPH, "Short.");
	check_both("header_en", a);
}

static void test_paragraph_links(void)
{
	struct article *a = new_article("Paragraph links");
	struct block *b = add_block(a, BLOCK_PARAGRAPH,
	                            "Read the Go blog and the Gemini spec before you start.");
	add_link(b, "https://go.dev/blog/", "the Go blog");
	add_link(b, "gemini://geminiprotocol.net/docs/specification.gmi", "the Gemini spec");
	b = add_block(a, BLOCK_PARAGRAPH, "A gopher hole is here: Floodgap.\nA second line.");
	add_link(b, "gopher://gopher.floodgap.com/1/", "Floodgap");
	b = add_block(a, BLOCK_PARAGRAPH, "A link without an address stays text.");
	add_link(b, "", "address");
	check_both("paragraph_links", a);
}

static void test_link_only(void)
{
	struct article *a = new_article("Link-only blocks");
	struct block *b = add_block(a, BLOCK_PARAGRAPH, "Kemenpan RB | DPMPTSP Barru");
	add_link(b, "https://menpan.go.id/", "Kemenpan RB");
	add_link(b, "https://dpmptsp.barrukab.go.id/", "DPMPTSP Barru");
	b = add_block(a, BLOCK_LIST_ITEM, "Arsip berita");
	add_link(b, "/archive/2022/04/", "Arsip berita");
	b = add_block(a, BLOCK_LIST_ITEM, "Rubrik Barru");
	add_link(b, "/section/barru/", "Rubrik Barru");
	b = add_block(a, BLOCK_LINK, "Atom feed");
	b->url = xstrdup("/feed.xml");
	b = add_block(a, BLOCK_LINK, "");
	b->url = xstrdup("https://example.org/no-label");
	check_both("link_only", a);
}

static void test_images(void)
{
	struct article *a = new_article("Images");
	struct block *b = add_block(a, BLOCK_IMAGE, NULL);
	b->url = xstrdup("foto/mpp.png");
	b->alt = xstrdup("Gedung MPP Barru");
	b = add_block(a, BLOCK_IMAGE, NULL);
	b->url = xstrdup("https://example.org/a.jpg");
	check_both("images", a);
}

static void test_heading_cap(void)
{
	struct article *a = new_article("Headings");
	const char *texts[] = {"One", "Two", "Three", "Four", "Five", "Six"};
	for (int i = 0; i < 6; i++)
		add_block(a, BLOCK_HEADING, texts[i])->level = i + 1;
	struct block *b = add_block(a, BLOCK_HEADING, "Linked heading");
	b->level = 2;
	add_link(b, "https://example.org/h", "heading");
	check_both("heading_cap", a);
}

static void test_lists(void)
{
	struct article *a = new_article("Lists");
	add_block(a, BLOCK_LIST_ITEM, "koordinasi dengan instansi yang akan bergabung");
	struct block *b = add_block(a, BLOCK_LIST_ITEM, "penetapan mekanisme kerja");
	b->level = 1;
	b = add_block(a, BLOCK_LIST_ITEM,
	              "penyiapan sarana prasarana dan penyiapan SDM akan lebih mudah apabila "
	              "komitmen ini telah diperoleh dari pimpinan daerah");
	b->level = 2;
	add_block(a, BLOCK_PARAGRAPH, "Urutan:");
	const char *steps[] = {"Kunjungan", "Pemaparan oleh Syamsir", "Foto bersama"};
	for (int i = 0; i < 3; i++)
		add_block(a, BLOCK_LIST_ITEM, steps[i])->number = i + 1;
	b = add_block(a, BLOCK_LIST_ITEM, "nested numbered item with a link");
	b->number = 1;
	b->level = 1;
	add_link(b, "https://example.org/n", "a link");
	check_both("lists", a);
}

static void test_code(void)
{
	struct article *a = new_article("Code");
	struct block *b = add_block(a, BLOCK_PRE,
	                            "package main\n\nfunc main() {\n\tprintln(\"hi\")   \n}\n"
	                            "```\n```go\n");
	b->alt = xstrdup("go");
	b = add_block(a, BLOCK_PRE, "no info string\n");
	check_both("code", a);
}

static void test_table_cjk(void)
{
	struct article *a = new_article("Table");
	struct block *b = add_block(a, BLOCK_TABLE, NULL);
	struct table *t = xcalloc(1, sizeof *t);
	const char *cells[] = {
		"Kota", "Penduduk", "Catatan",
		"Barru", "171.906", "pesisir",
		"東京", "13.960.000", "首都圏の中心",
		"```", "1", "center",
	};
	t->n_rows = 4;
	t->n_cols = 3;
	t->cells = strings(12, cells);
	t->align = xcalloc(3, sizeof *t->align);
	t->align[0] = ALIGN_LEFT;
	t->align[1] = ALIGN_RIGHT;
	t->align[2] = ALIGN_CENTER;
	b->table = t;
	check_both("table_cjk", a);
}

static void test_quote(void)
{
	struct article *a = new_article("Quote");
	struct block *b = add_block(a, BLOCK_QUOTE,
	                            "Wow!!, mudahan-mudahan MPP kami bisa menyamai MPP Kabupaten "
	                            "Barru, kata salah satu peserta study tiru.\n\nBaris kedua.");
	add_link(b, "https://barrukab.go.id/", "MPP Kabupaten Barru");
	check_both("quote", a);
}

static void test_escapes(void)
{
	struct article *a = new_article("Escapes");
	const char *lines[] = {
		"# is not a heading here",
		"* not a list item",
		"> not a quote",
		"=> not a link",
		"```not a fence",
		"*emphasis* is fine as it is",
		"#1\nsecond line\n=> also escaped",
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		add_block(a, BLOCK_PARAGRAPH, lines[i]);
	add_block(a, BLOCK_RULE, NULL);
	a->meta.signature = xstrdup("# signed");
	check_both("escapes", a);
}

static void test_relative_links(void)
{
	struct article *a = new_article("Relative links");
	struct block *b = add_block(a, BLOCK_PARAGRAPH,
	                            "sibling, parent, root, dots, query, fragment, network, mail, above");
	add_link(b, "other-story", "sibling");
	add_link(b, "../03/", "parent");
	add_link(b, "/section/barru/", "root");
	add_link(b, "./a/./b/../c.txt", "dots");
	add_link(b, "?page=2", "query");
	add_link(b, "#top", "fragment");
	add_link(b, "//example.org/x", "network");
	add_link(b, "mailto:redaksi@example.org", "mail");
	add_link(b, "../../../../../etc/x y", "above");
	check_both("relative_links", a);
}

static void test_relative_links_without_base(void)
{
	struct article *a = new_article("No base");
	struct block *b = add_block(a, BLOCK_PARAGRAPH, "see other");
	add_link(b, "other", "other");
	struct render_context ctx = {&test_vhost, NULL};
	struct buf out = {0};
	render_gemtext(&out, a, &ctx);
	CHECK(strstr(out.data, "\n=> /news/2022/04/other [1] other\n") != NULL);
	buf_free(&out);
	free_article(a);
}

static void test_gopher_wrap(void)
{
	struct article *a = new_article("Wrapping at seventy columns");
	add_block(a, BLOCK_PARAGRAPH,
	          "Setelah penyambutan dan perkenalan masing-masing peserta study tiru dari "
	          "Pemerintah Kabupaten Luwu Timur, kegiatan kemudian dilanjutkan dengan "
	          "pemaparan oleh Syamsir mengenai kronologi pembentukan MPP di Kabupaten Barru.");
	add_block(a, BLOCK_PARAGRAPH,
	          "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所で"
	          "ニャーニャー泣いていた事だけは記憶している。吾輩はここで始めて人間というものを見た。");
	struct block *b = add_block(a, BLOCK_LIST_ITEM,
	                            "daftar dengan indentasi gantung yang cukup panjang untuk "
	                            "dibungkus ke baris berikutnya tanpa kehilangan indentasi");
	b->level = 1;
	add_block(a, BLOCK_QUOTE,
	          "Kutipan panjang yang juga harus dibungkus dan setiap barisnya tetap diawali "
	          "tanda kutip seperti biasa.");
	struct buf out = {0};
	render_gopher_text(&out, a, &gopher_ctx);
	CHECK(gopher_lines_fit(out.data, 70));
	buf_free(&out);
	check_both("wrap", a);
}

static void test_narrow_wrap(void)
{
	struct vhost narrow = test_vhost;
	narrow.wrap_columns = 30;
	struct render_context ctx = {&narrow, NULL};
	struct article *a = new_article("A headline long enough to wrap twice at thirty");
	add_block(a, BLOCK_PARAGRAPH, "中文段落没有空格所以必须在字符之间换行而且每行不能超过三十列");
	struct buf out = {0};
	render_gopher_text(&out, a, &ctx);
	CHECK(gopher_lines_fit(out.data, 30));
	CHECK(strstr(out.data, "\r\n==============================\r\n") != NULL);
	buf_free(&out);
	free_article(a);
}

static void test_empty_article(void)
{
	struct article *a = xcalloc(1, sizeof *a);
	struct render_context ctx = {NULL, NULL};
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
	RUN(test_relative_links_without_base);
	RUN(test_gopher_wrap);
	RUN(test_narrow_wrap);
	RUN(test_empty_article);
	return check_report();
}
