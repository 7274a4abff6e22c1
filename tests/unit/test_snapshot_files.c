#include "alloc.h"
#include "buf.h"
#include "snapshot_files.h"

#include "check.h"
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct test_capsule cap;

static void test_article_paths(void)
{
	CHECK(snapshot_article_path("news/a.md"));
	CHECK(snapshot_article_path("news/2025/06/kabar.GMI"));
	CHECK(snapshot_article_path("news/\xe6\x96\xb0\xe9\x97\xbb/\xd8\xae\xd8\xa8\xd8\xb1.txt"));
	CHECK(snapshot_article_path("news/guides/index.md")); /* a page bundle */
	CHECK(!snapshot_article_path("news/_index.md"));     /* introduces its folder */
	CHECK(!snapshot_article_path("news/a/_index.gmi"));
	CHECK(!snapshot_article_path("news/.drafts/a.md"));
	CHECK(!snapshot_article_path("news/a.md~"));
	CHECK(!snapshot_article_path("news/.a.md.swp"));
	CHECK(!snapshot_article_path("news/photo.jpg"));
	CHECK(!snapshot_article_path("news"));
	CHECK(!snapshot_article_path("newsroom/a.md"));
	CHECK(!snapshot_article_path("about.md"));
	CHECK(!snapshot_article_path("docs/news/a.md"));
}

static void test_what_matters(void)
{
	CHECK(snapshot_path_matters("news", true));
	CHECK(snapshot_path_matters("news/2025/06", true));
	CHECK(!snapshot_path_matters("news/.git", true));
	CHECK(!snapshot_path_matters("news/.git/objects", true));
	CHECK(!snapshot_path_matters("newsroom", true));
	CHECK(!snapshot_path_matters("images", true));
	CHECK(snapshot_path_matters("index.gmi", false));
	CHECK(snapshot_path_matters("news/a.md", false));
	CHECK(!snapshot_path_matters("news/a.png", false));
	CHECK(!snapshot_path_matters("about.gmi", false));
	CHECK(!snapshot_path_matters("news/#a.md#", false));
}

static void test_file_ids(void)
{
	struct stat st = {0};
	st.st_dev = 3;
	st.st_ino = 77;
	st.st_size = 120;
	st.st_mtim.tv_sec = 1700000000;
	st.st_mtim.tv_nsec = 5;
	struct file_id a, b;
	file_id_of(&st, &a);
	file_id_of(&st, &b);
	CHECK(file_id_equal(&a, &b));
	b.mtime.tv_nsec = 6; /* rewritten within the same second */
	CHECK(!file_id_equal(&a, &b));
	b = a;
	b.size = 121;
	CHECK(!file_id_equal(&a, &b));
	b = a;
	b.ino = 78; /* replaced by a new file of the same size and time */
	CHECK(!file_id_equal(&a, &b));
}

static void test_reading_a_file(void)
{
	CHECK(test_capsule_make(&cap, "files"));
	CHECK(test_capsule_put(&cap, "news/a.md", "Selamat pagi \xf0\x9f\x8c\x85\n"));
	CHECK(test_capsule_put(&cap, "news/big.md", "0123456789"));
	CHECK(test_capsule_put(&cap, "outside.md", "x"));
	CHECK(test_capsule_link(&cap, "../outside.md", "news/inner-link.md"));
	CHECK(test_capsule_link(&cap, "/etc/hostname", "news/out.md"));
	struct buf data = {0};
	struct file_id id = {0};
	CHECK_INT(snapshot_read_file(cap.fd, "news/a.md", 1024, &data, &id), 0);
	CHECK_STR(data.data, "Selamat pagi \xf0\x9f\x8c\x85\n");
	CHECK_INT(id.size, (long long)data.len);
	struct stat st;
	char *path = xasprintf("%s/news/a.md", cap.dir);
	CHECK(stat(path, &st) == 0);
	free(path);
	struct file_id want;
	file_id_of(&st, &want);
	CHECK(file_id_equal(&id, &want));
	buf_free(&data);

	CHECK_INT(snapshot_read_file(cap.fd, "news/big.md", 9, &data, &id), EFBIG);
	CHECK_INT(id.size, 10); /* too large, still known */
	buf_free(&data);
	CHECK_INT(snapshot_read_file(cap.fd, "news/gone.md", 1024, &data, &id), ENOENT);
	buf_free(&data);
	CHECK_INT(snapshot_read_file(cap.fd, "news", 1024, &data, &id), EISDIR);
	buf_free(&data);
	CHECK_INT(snapshot_read_file(cap.fd, "news/out.md", 1024, &data, &id), EACCES);
	buf_free(&data);
	CHECK_STR(snapshot_read_error(EFBIG), "too large");
	CHECK(strstr(snapshot_read_error(EACCES), "link") != NULL);
	CHECK_STR(snapshot_read_error(ENOENT), strerror(ENOENT));
	test_capsule_remove(&cap);
}

/* Only where a file really is: a link inside the capsule is not opened. */
static void test_open_in_place(void)
{
	CHECK(test_capsule_make(&cap, "files"));
	CHECK(test_capsule_put(&cap, "news/a.md", "a"));
	CHECK(test_capsule_put(&cap, "news/sub/b.md", "b"));
	CHECK(test_capsule_link(&cap, "sub", "news/alias"));
	struct capsule_entry entry;
	int fd = snapshot_open_in_place(cap.fd, "news/a.md", &entry);
	CHECK(fd >= 0 && entry.kind == CAPSULE_FILE);
	if (fd >= 0)
		close(fd);
	fd = snapshot_open_in_place(cap.fd, "news/sub", &entry);
	CHECK(fd >= 0 && entry.kind == CAPSULE_DIR);
	if (fd >= 0)
		close(fd);
	CHECK(snapshot_open_in_place(cap.fd, "news/alias", &entry) < 0);
	CHECK(snapshot_open_in_place(cap.fd, "news/alias/b.md", &entry) < 0);
	CHECK(snapshot_open_in_place(cap.fd, "news/none.md", &entry) < 0);
	test_capsule_remove(&cap);
}

int main(void)
{
	RUN(test_article_paths);
	RUN(test_what_matters);
	RUN(test_file_ids);
	RUN(test_reading_a_file);
	RUN(test_open_in_place);
	return check_report();
}
