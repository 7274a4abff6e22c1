/* kabar render and kabar new: front matter, files, errors. */
#include "check.h"
#include "testutil.h"

#include "alloc.h"
#include "buf.h"
#include "config.h"
#include "editor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/kabar-editor-XXXXXX";

/* 2024-03-01 10:02:03 UTC, 18:02 in WITA. */
#define WHEN ((time_t)1709287323)

static int load(struct config *cfg)
{
	struct config_overrides over = {.workers = -1, .capsule = tmpdir, .host = "kabar.example"};
	struct buf errors = {0};
	int status = config_load(cfg, &over, &errors);
	CHECK_STR(errors.data, NULL);
	buf_free(&errors);
	if (status == 0) {
		cfg->vhosts[0].utc_offset_minutes = 480;
		free(cfg->vhosts[0].zone_name);
		cfg->vhosts[0].zone_name = xstrdup("WITA");
	}
	return status;
}

static void write_file(const char *path, const char *text)
{
	CHECK(test_write_file(path, text, strlen(text)));
}

static void test_front_matter(void)
{
	struct config cfg;
	if (load(&cfg) < 0)
		return;
	struct new_article na = {.headline = "Say \"hi\" \\ bye", .section = "barru",
	                         .author = "Rina", .now = WHEN};
	struct buf out = {0};
	editor_front_matter(&out, &cfg.vhosts[0], &na);
	CHECK_STR(out.data, "---\n"
	                    "title: \"Say \\\"hi\\\" \\\\ bye\"\n"
	                    "date: 2024-03-01T18:02:00+08:00   # WITA\n"
	                    "author: \"Rina\"\n"
	                    "section: \"barru\"\n"
	                    "tags: []\n"
	                    "# summary: one sentence for the front page and the feed\n"
	                    "# Readers see the article once this line goes (or says false).\n"
	                    "draft: true\n"
	                    "---\n\n");
	buf_free(&out);
	config_free(&cfg);
}

/* The new file parses back as a draft with the same title and date. */
static void test_new_creates_once_and_renders(void)
{
	struct config cfg;
	if (load(&cfg) < 0)
		return;
	struct new_article na = {.headline = "Pasar Malam Pindah!", .now = WHEN};
	struct buf error = {0}, out = {0}, notes = {0};
	char *path = editor_new(&cfg.vhosts[0], &na, &error);
	char *want = xasprintf("%s/news/2024-03-01-pasar-malam-pindah.md", tmpdir);
	CHECK_STR(path, want);
	CHECK_STR(error.data, NULL);
	CHECK(editor_new(&cfg.vhosts[0], &na, &error) == NULL);
	CHECK(error.data != NULL && strstr(error.data, "already exists; not overwritten") != NULL);
	if (path != NULL) {
		CHECK_INT(editor_render(&cfg, path, EDITOR_GEMINI, &out, &notes, &error), 0);
		CHECK(out.data != NULL && strncmp(out.data, "# Pasar Malam Pindah!\n", 22) == 0);
		CHECK(out.data != NULL && strstr(out.data, "2024-03-01 18:02 WITA") != NULL);
		CHECK(notes.data != NULL && strstr(notes.data, ": draft: ") != NULL);
		unlink(path);
	}
	free(want);
	free(path);
	buf_free(&error);
	buf_free(&out);
	buf_free(&notes);
	config_free(&cfg);
}

static void test_new_refuses_bad_headlines(void)
{
	struct config cfg;
	if (load(&cfg) < 0)
		return;
	struct new_article empty = {.headline = "  ", .now = WHEN};
	struct new_article two_lines = {.headline = "a\nb", .now = WHEN};
	struct buf error = {0};
	CHECK(editor_new(&cfg.vhosts[0], &empty, &error) == NULL);
	CHECK_STR(error.data, "the headline is empty\n");
	buf_clear(&error);
	CHECK(editor_new(&cfg.vhosts[0], &two_lines, &error) == NULL);
	CHECK(error.data != NULL && strstr(error.data, "one line") != NULL);
	buf_free(&error);
	config_free(&cfg);
}

static void test_render_gopher_and_errors(void)
{
	struct config cfg;
	if (load(&cfg) < 0)
		return;
	char *good = xasprintf("%s/news/good.md", tmpdir);
	char *bad = xasprintf("%s/news/bad.md", tmpdir);
	char *missing = xasprintf("%s/news/missing.md", tmpdir);
	write_file(good, "---\ntitle: Ferry\ndate: 2024-03-01 09:00\n---\n\nSee [the port](/port.gmi).\n");
	write_file(bad, "---\ntitle: Ferry\ndate: 2024-13-01\n---\n\nBody.\n");
	struct buf out = {0}, notes = {0}, error = {0};
	CHECK_INT(editor_render(&cfg, good, EDITOR_GOPHER, &out, &notes, &error), 0);
	CHECK(out.data != NULL && strstr(out.data, "Ferry\r\n=====\r\n") == out.data);
	CHECK(out.data != NULL && strstr(out.data, "gopher://kabar.example/1/port.gmi") != NULL);
	/* Too short to identify, no lang: key, no language folder. */
	char *lang_note = xasprintf("%s: lang: en (the host's lang)\n", good);
	CHECK_STR(notes.data, lang_note);
	free(lang_note);
	buf_clear(&out);
	CHECK_INT(editor_render(&cfg, bad, EDITOR_GEMINI, &out, &notes, &error), -1);
	char *want = xasprintf("%s:3: ", bad);
	CHECK(error.data != NULL && strncmp(error.data, want, strlen(want)) == 0);
	CHECK(error.data != NULL && strchr(error.data, '\n') == error.data + error.len - 1);
	CHECK_INT(out.len, 0);
	buf_clear(&error);
	CHECK_INT(editor_render(&cfg, missing, EDITOR_GEMINI, &out, &notes, &error), -1);
	CHECK(error.data != NULL && strstr(error.data, "cannot open") != NULL);
	unlink(good);
	unlink(bad);
	free(want);
	free(good);
	free(bad);
	free(missing);
	buf_free(&out);
	buf_free(&notes);
	buf_free(&error);
	config_free(&cfg);
}

int main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_front_matter);
	RUN(test_new_creates_once_and_renders);
	RUN(test_new_refuses_bad_headlines);
	RUN(test_render_gopher_and_errors);
	char *news = xasprintf("%s/news", tmpdir);
	rmdir(news);
	rmdir(tmpdir);
	free(news);
	return check_report();
}
