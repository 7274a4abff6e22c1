#include "titan.h"

#include "capsule.h"
#include "check.h"
#include "testutil.h"

#include <fcntl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Titan's rules: the request line, who may write where, what may be
 * written, and the writes themselves in a real temporary capsule.
 */

static int parse(const char *line, struct titan_request *req, const char **reason)
{
	return titan_parse(line, strlen(line), req, reason);
}

static void test_parses_a_plain_upload(void)
{
	struct titan_request req;
	const char *reason = NULL;
	CHECK_INT(parse("titan://news.example/news/ferry.md;size=120;mime=text/markdown;token=abc",
	                &req, &reason), 0);
	CHECK_STR(req.host, "news.example");
	CHECK_INT(req.port, -1);
	CHECK_STR(req.path, "news/ferry.md");
	CHECK_INT(req.size, 120);
	CHECK_STR(req.mime, "text/markdown");
	CHECK_STR(req.token, "abc");
	titan_request_free(&req);
}

static void test_defaults_and_port(void)
{
	struct titan_request req;
	const char *reason = NULL;
	CHECK_INT(parse("TITAN://localhost:1965/news/kabar%20baru.gmi;size=0", &req, &reason), 0);
	CHECK_INT(req.port, 1965);
	CHECK_STR(req.path, "news/kabar baru.gmi");
	CHECK_INT(req.size, 0);
	CHECK_STR(req.mime, "text/gemini");
	CHECK(req.token == NULL);
	titan_request_free(&req);
}

static void test_parameters_in_any_order_and_unknown_ones(void)
{
	struct titan_request req;
	const char *reason = NULL;
	CHECK_INT(parse("titan://h/images/a.png;mime=image/png;foo=bar;size=7", &req, &reason), 0);
	CHECK_INT(req.size, 7);
	CHECK_STR(req.mime, "image/png");
	titan_request_free(&req);
}

static void test_refuses_malformed_lines(void)
{
	static const char *const bad[] = {
		"titan://h/news/a.md",                 /* no size */
		"titan://h/news/a.md;mime=text/plain", /* no size */
		"titan://h/news/a.md;size=",           /* empty size */
		"titan://h/news/a.md;size=-1",
		"titan://h/news/a.md;size=12abc",
		"titan://h/news/a.md;size=9999999999999999999999",
		"titan://h/news/a.md;size",
		"titan://h/news/a.md;size=1;mime=text plain",
		"titan://h/news/a.md;size=1;mime=%00",
		"titan://h/;size=1",                   /* no file */
		"titan://h/news/;size=1",              /* a folder */
		"titan://h/../etc/passwd;size=1",      /* above the root */
		"titan://h/news/%2e%2e/%2e%2e/x.md;size=1",
		"titan://h/news%2fa.md;size=1",
		"titan://h/news/a.md?x=1;size=1",
		"titan://user@h/news/a.md;size=1",
		"titan://h/news/a\x01.md;size=1",
		"gemini://h/news/a.md;size=1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct titan_request req;
		const char *reason = NULL;
		int rc = parse(bad[i], &req, &reason);
		if (rc == 0) {
			fprintf(stderr, "  accepted: %s\n", bad[i]);
			titan_request_free(&req);
		}
		CHECK(rc == -1);
		CHECK(reason != NULL);
	}
}

static void test_recognises_titan(void)
{
	CHECK(titan_is_request("titan://x/y", 11));
	CHECK(titan_is_request("TiTaN://x/y", 11));
	CHECK(!titan_is_request("gemini://x/", 11));
	CHECK(!titan_is_request("titan:", 6));
}

static struct vhost host_with_editors(struct editor *eds, size_t n)
{
	struct vhost vh = {0};
	vh.editors = eds;
	vh.n_editors = n;
	return vh;
}

static void test_finds_editors_and_their_paths(void)
{
	char *rina_paths[] = {"news/", "images/"};
	char *all_paths[] = {""};
	struct editor eds[2] = {
		{.name = "Rina Paluseri", .paths = rina_paths, .n_paths = 2},
		{.name = "Desk", .paths = all_paths, .n_paths = 1},
	};
	memset(eds[0].fingerprint, 'a', 64);
	memset(eds[1].fingerprint, 'b', 64);
	struct vhost vh = host_with_editors(eds, 2);
	char fp[65];
	memset(fp, 'A', 64);
	fp[64] = '\0';
	CHECK(titan_editor(&vh, fp) == &eds[0]);
	CHECK(titan_editor(&vh, NULL) == NULL);
	CHECK(titan_editor(&vh, "") == NULL);
	memset(fp, 'c', 64);
	CHECK(titan_editor(&vh, fp) == NULL);
	CHECK(config_editor_covers(&eds[0], "news/ferry.md"));
	CHECK(config_editor_covers(&eds[0], "news/2024/ferry.md"));
	CHECK(config_editor_covers(&eds[0], "images/a.png"));
	CHECK(!config_editor_covers(&eds[0], "newsroom/a.md"));
	CHECK(!config_editor_covers(&eds[0], "index.gmi"));
	CHECK(!config_editor_covers(&eds[0], "news"));
	CHECK(config_editor_covers(&eds[1], "index.gmi"));
}

/* Who a request comes from, and the answer when it is no editor's. */
static void test_the_editor_of_a_request(void)
{
	char *paths[] = {"news/"};
	struct editor ed = {.name = "Rina", .paths = paths, .n_paths = 1};
	memset(ed.fingerprint, 'a', 64);
	struct vhost vh = host_with_editors(&ed, 1);
	char fp[65];
	memset(fp, 'a', 64);
	fp[64] = '\0';
	struct request_info info = {.client_cert_sha256 = fp};
	struct titan_refusal why = {0};
	CHECK(titan_request_editor(&vh, &info, &why) == &ed);
	info.cert_period = CERT_EXPIRED;
	CHECK(titan_request_editor(&vh, &info, &why) == NULL);
	CHECK_INT(why.status, 62);
	CHECK(strstr(why.meta, "expired") != NULL);
	info.cert_period = CERT_NOT_YET_VALID;
	CHECK(titan_request_editor(&vh, &info, &why) == NULL);
	CHECK_INT(why.status, 62);
	CHECK(strstr(why.meta, "not valid yet") != NULL);
	memset(fp, 'b', 64);
	CHECK(titan_request_editor(&vh, &info, &why) == NULL);
	CHECK_INT(why.status, 61); /* a stranger's dates are no one's business */
	info.client_cert_sha256 = NULL;
	CHECK(titan_request_editor(&vh, &info, &why) == NULL);
	CHECK_INT(why.status, 60);
	CHECK(strstr(why.meta, "reconnect") == NULL);
	info.resumed = true;
	CHECK(titan_request_editor(&vh, &info, &why) == NULL);
	CHECK_INT(why.status, 60);
	CHECK(strstr(why.meta, "reconnect") != NULL);
}

static void test_classifies_by_name_and_bytes(void)
{
	size_t png_len;
	const unsigned char *png = test_png(&png_len);
	const char *reason = NULL;
	CHECK_INT(titan_classify("news/a.md", "# x\n", 4, &reason), TITAN_ARTICLE);
	CHECK_INT(titan_classify("news/a.GMI", "# x\n", 4, &reason), TITAN_ARTICLE);
	CHECK_INT(titan_classify("news/a.txt", "x", 1, &reason), TITAN_ARTICLE);
	CHECK_INT(titan_classify("images/a.png", (const char *)png, png_len, &reason), TITAN_IMAGE);
	/* An image is an image by its bytes, whatever its name says. */
	CHECK_INT(titan_classify("images/a.bin", (const char *)png, png_len, &reason), TITAN_IMAGE);
	CHECK_INT(titan_classify("images/a.png", "<?php evil();", 13, &reason), TITAN_REFUSED);
	CHECK_INT(titan_classify("news/a.sh", "#!/bin/sh\n", 10, &reason), TITAN_REFUSED);
	CHECK_INT(titan_classify("news/.secret.md", "x", 1, &reason), TITAN_REFUSED);
	CHECK_INT(titan_classify("news/.git/config.md", "x", 1, &reason), TITAN_REFUSED);
	CHECK_INT(titan_classify("news/a.md~", "x", 1, &reason), TITAN_REFUSED);
	CHECK_INT(titan_classify("news/#a.md#", "x", 1, &reason), TITAN_REFUSED);
	CHECK_INT(titan_classify("news/a.md.swp", "x", 1, &reason), TITAN_REFUSED);
	CHECK_INT(titan_classify("news//a.md", "x", 1, &reason), TITAN_REFUSED);
	CHECK_INT(titan_classify("news/../a.md", "x", 1, &reason), TITAN_REFUSED);
	CHECK(reason != NULL);
}

static void test_refuses_folders_deeper_than_the_loader_reads(void)
{
	char path[512] = "news/";
	for (int i = 1; i < CAPSULE_MAX_DEPTH; i++)
		strcat(path, "d/");
	strcat(path, "a.md");
	const char *reason = NULL;
	CHECK_INT(titan_classify(path, "x", 1, &reason), TITAN_ARTICLE);
	char deeper[520];
	snprintf(deeper, sizeof deeper, "news/d/%s", path + 5);
	CHECK_INT(titan_classify(deeper, "x", 1, &reason), TITAN_REFUSED);
}

/* ---- writes in a real capsule ---- */

static char capsule[64];

static int open_capsule(void)
{
	snprintf(capsule, sizeof capsule, "/tmp/kabar-titan-XXXXXX");
	if (mkdtemp(capsule) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
	return open(capsule, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static char *read_back(const char *rel)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", capsule, rel);
	size_t len;
	return test_read_file(path, &len);
}

static size_t entries_in(const char *rel)
{
	char cmd[300];
	snprintf(cmd, sizeof cmd, "ls -A '%s/%s' | wc -l", capsule, rel);
	FILE *p = popen(cmd, "r");
	size_t n = 0;
	if (p != NULL && fscanf(p, "%zu", &n) != 1)
		n = 0;
	if (p != NULL)
		pclose(p);
	return n;
}

static void remove_capsule(int fd)
{
	close(fd);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", capsule);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", capsule);
}

static void test_stores_replaces_and_deletes(void)
{
	int fd = open_capsule();
	struct buf error = {0};
	CHECK_INT(titan_store(fd, "news/2024/ferry.md", "first\n", 6, &error), 0);
	char *text = read_back("news/2024/ferry.md");
	CHECK_STR(text, "first\n");
	free(text);
	CHECK_INT(titan_store(fd, "news/2024/ferry.md", "second\n", 7, &error), 0);
	text = read_back("news/2024/ferry.md");
	CHECK_STR(text, "second\n");
	free(text);
	/* No temporary file is left beside it. */
	CHECK_INT(entries_in("news/2024"), 1);
	CHECK_INT(titan_delete(fd, "news/2024/ferry.md", &error), 0);
	CHECK_INT(entries_in("news/2024"), 0);
	CHECK_INT((long long)error.len, 0);
	CHECK_INT(titan_delete(fd, "news/2024/ferry.md", &error), -1);
	CHECK(strstr(error.data, "news/2024/ferry.md") != NULL);
	buf_free(&error);
	remove_capsule(fd);
}

/* A body written as it arrives: nothing is in place until the commit, and
 * an abandoned one leaves nothing behind. */
static void test_a_file_written_as_it_arrives(void)
{
	int fd = open_capsule();
	struct buf error = {0};
	struct titan_file f;
	CHECK_INT(titan_begin_file(fd, "news/a/b.md", &f, &error), 0);
	CHECK_INT(titan_file_write(&f, "one ", 4), 0);
	CHECK_INT(titan_file_write(&f, "two\n", 4), 0);
	CHECK(read_back("news/a/b.md") == NULL);
	CHECK_INT(entries_in("news/a"), 1); /* the hidden temporary file */
	CHECK_INT(titan_file_replace(&f, "three\n", 6), 0);
	CHECK_INT(titan_file_commit(&f, "news/a/b.md", &error), 0);
	titan_file_abandon(&f); /* after a commit: nothing to do */
	char *text = read_back("news/a/b.md");
	CHECK_STR(text, "three\n");
	free(text);
	CHECK_INT(entries_in("news/a"), 1);
	CHECK_INT(titan_begin_file(fd, "news/a/c.md", &f, &error), 0);
	CHECK_INT(titan_file_write(&f, "x", 1), 0);
	titan_file_abandon(&f);
	titan_file_abandon(&f);
	CHECK_INT(entries_in("news/a"), 1);
	CHECK(titan_free_bytes(fd) > 0);
	CHECK_INT(error.len, 0);
	buf_free(&error);
	remove_capsule(fd);
}

static void test_never_follows_a_folder_link(void)
{
	int fd = open_capsule();
	char outside[128], link[128];
	snprintf(outside, sizeof outside, "%s-outside", capsule);
	CHECK_INT(mkdir(outside, 0755), 0);
	snprintf(link, sizeof link, "%s/news", capsule);
	CHECK_INT(symlink(outside, link), 0);
	struct buf error = {0};
	CHECK_INT(titan_store(fd, "news/a.md", "x", 1, &error), -1);
	CHECK(error.len > 0);
	/* The failing step's errno says it was a link, for the answer (59). */
	struct titan_file f;
	CHECK_INT(titan_begin_file(fd, "news/b.md", &f, &error), -1);
	CHECK(f.error == ELOOP || f.error == ENOTDIR);
	char path[160];
	snprintf(path, sizeof path, "%s/a.md", outside);
	CHECK(access(path, F_OK) != 0);
	buf_free(&error);
	rmdir(outside);
	remove_capsule(fd);
}

static void test_deletes_only_articles_and_images(void)
{
	int fd = open_capsule();
	struct buf error = {0};
	size_t png_len;
	const unsigned char *png = test_png(&png_len);
	CHECK_INT(titan_store(fd, "images/a.png", (const char *)png, png_len, &error), 0);
	CHECK_INT(titan_store(fd, "notes/a.conf", "secret=1\n", 9, &error), 0);
	CHECK_INT(titan_delete(fd, "notes/a.conf", &error), -1);
	CHECK(strstr(error.data, "only articles and images") != NULL);
	CHECK_INT(titan_delete(fd, "images/a.png", &error), 0);
	CHECK_INT(titan_delete(fd, "notes", &error), -1);
	buf_free(&error);
	remove_capsule(fd);
}

/* Article files only where they are articles; the server's own names never. */
static void test_refuses_articles_outside_news_and_reserved_names(void)
{
	const char *reason = NULL;
	CHECK(titan_path_allowed("news/alice/a.md", &reason));
	CHECK(titan_path_allowed("news/guides/ferry/index.md", &reason));
	CHECK(titan_path_allowed("images/alice/harbour.png", &reason));
	static const char *const refused[] = {
		"images/alice/embargo.md", "embargo.gmi", "images/a.TXT", "news/_index.md",
		"images/gophermap", "gophermap", "news/gophermap", "images/index.gmi", "index.gmi",
		"caps.txt", "robots.txt", "feed.xml", "feed.gmi", "desk/a.png", "search",
		"tag/x/feed.xml", "archive/2024/a.png",
	};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		reason = NULL;
		CHECK(!titan_path_allowed(refused[i], &reason));
		CHECK(reason != NULL);
	}
	CHECK(titan_path_allowed("images/desk/a.png", &reason));
	CHECK(titan_path_allowed("images/searchlight.png", &reason));
}

int main(void)
{
	RUN(test_parses_a_plain_upload);
	RUN(test_defaults_and_port);
	RUN(test_parameters_in_any_order_and_unknown_ones);
	RUN(test_refuses_malformed_lines);
	RUN(test_recognises_titan);
	RUN(test_finds_editors_and_their_paths);
	RUN(test_the_editor_of_a_request);
	RUN(test_classifies_by_name_and_bytes);
	RUN(test_refuses_folders_deeper_than_the_loader_reads);
	RUN(test_refuses_articles_outside_news_and_reserved_names);
	RUN(test_stores_replaces_and_deletes);
	RUN(test_a_file_written_as_it_arrives);
	RUN(test_never_follows_a_folder_link);
	RUN(test_deletes_only_articles_and_images);
	return check_report();
}
