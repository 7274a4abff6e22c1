#include "layout.h"

#include "article.h"
#include "check.h"
#include "date.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>

/* Relative to the repository (test_repo_path). */
#define SEED "../shared/seeds/000_d926a9efe1d2fe2d.txt"

static void test_seed_article(void)
{
	char path[600];
	size_t len;
	char *data = test_read_file(test_repo_path(SEED, path, sizeof path), &len);
	if (data == NULL) {
		printf("skip: %s not found\n", path);
		return;
	}
	struct article_context ctx = {.utc_offset_minutes = 480, .lang = "id"};
	struct buf err = {0};
	struct article *a = article_parse("news/000_d926a9efe1d2fe2d.txt", data, len, &ctx, &err);
	free(data);
	CHECK(a != NULL);
	if (a == NULL) {
		fprintf(stderr, "  %s\n", err.data);
		buf_free(&err);
		return;
	}
	const struct article_meta *m = &a->meta;
	CHECK_STR(m->site_name, "Goblog");
	CHECK_STR(m->title, "Wow...!!, Kesan Peserta Study Tiru Kabupaten Lutim Tentang MPP Barru");
	CHECK_INT(m->n_authors, 1);
	if (m->n_authors == 1)
		CHECK_STR(m->authors[0], "MUH. HASYIM HANIS, SE, S.Pd, C.L.E");
	CHECK_STR(m->author_url, "http://BARRU.GOBLOG.CO.ID");
	CHECK_STR(m->section, "barru");
	struct buf when = {0};
	date_format_rfc3339(&when, &m->date);
	CHECK_STR(when.data, "2022-04-21T11:18:00+08:00");
	buf_free(&when);
	CHECK_STR(m->caption, "Rombongan kunjungan study tiru Kabupaten Luwu Timur");
	CHECK_STR(m->signature, "(HB-red)");
	CHECK_INT(a->n_blocks, 12);
	for (size_t i = 0; i < a->n_blocks; i++)
		CHECK_INT(a->blocks[i].kind, BLOCK_PARAGRAPH);
	if (a->n_blocks == 12) {
		CHECK(strncmp(a->blocks[0].text, "BARRU- Mal Pelayanan", 20) == 0);
		/* The file breaks this sentence with a blank line: two paragraphs. */
		CHECK(strncmp(a->blocks[1].text, "tiba di MPP", 11) == 0);
		CHECK(strncmp(a->blocks[11].text, "Situasi dan layout", 18) == 0);
	}
	CHECK_STR(a->path, "/news/2022/04/wow-kesan-peserta-study-tiru-kabupaten-lutim-tentang-mpp-barru");
	CHECK(a->reading.words > 300);
	article_free(a);
	buf_free(&err);
}

static void test_parts_are_optional_but_ordered(void)
{
	const char *text = "# Kabar\n\n## Judul\n\n21 April 2022 09:00 WIB\n\nIsi berita.\n\n*not a caption*\n";
	struct article_context ctx = {.utc_offset_minutes = 480};
	struct article_meta meta = {0};
	struct block_list body = {0};
	CHECK(layout_parse(text, strlen(text), &ctx, &meta, &body));
	CHECK_STR(meta.title, "Judul");
	CHECK_INT(meta.n_authors, 0);
	CHECK(meta.date.set);
	CHECK_INT(meta.date.offset_minutes, 420);
	CHECK_STR(meta.caption, NULL);
	CHECK_INT(body.count, 2);
	CHECK_STR(meta.signature, NULL);
	block_list_free(&body);
	free(meta.site_name);
	free(meta.title);
}

static void test_not_the_layout(void)
{
	const char *texts[] = {"Just text\n", "# Site only\n\nText\n", "## Headline\n\n# Site\n", ""};
	struct article_context ctx = {0};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		struct article_meta meta = {0};
		struct block_list body = {0};
		CHECK(!layout_parse(texts[i], strlen(texts[i]), &ctx, &meta, &body));
		CHECK_INT(body.count, 0);
		CHECK_STR(meta.title, NULL);
	}
}

static void check_section(const char *url, const char *want)
{
	char *got = layout_section_of_url(url);
	CHECK_STR(got, want);
	free(got);
}

static void test_section_of_url(void)
{
	check_section("http://BARRU.GOBLOG.CO.ID", "barru");
	check_section("https://pinrang.goblog.co.id/berita/1", "pinrang");
	check_section("http://goblog.co.id", NULL);
	check_section("http://www.goblog.co.id", NULL);
	check_section("https://sport.example.com", "sport");
	check_section("https://example.com", NULL);
	check_section("BARRU.GOBLOG.CO.ID", "barru");
}

int main(void)
{
	RUN(test_seed_article);
	RUN(test_parts_are_optional_but_ordered);
	RUN(test_not_the_layout);
	RUN(test_section_of_url);
	return check_report();
}
