#include "mime.h"

#include "check.h"
#include "testutil.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void write_bytes(const char *name, const void *data, size_t len)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!test_write_file(path, data, len)) {
		perror(path);
		exit(2);
	}
}

static void write_png(const char *name)
{
	size_t len;
	const unsigned char *png = test_png(&len);
	write_bytes(name, png, len);
}

/* Opens name and asks for its type the way the front-ends do. */
static const char *type_of(const char *name)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		perror(path);
		exit(2);
	}
	const char *type = mime_type(fd, name, st.st_dev, st.st_ino, st.st_size, st.st_mtime);
	CHECK_INT(lseek(fd, 0, SEEK_CUR), 0); /* the offset is left for streaming */
	close(fd);
	return type;
}

static void test_png_by_content(void)
{
	write_png("pixel.png");
	write_png("pixel-no-suffix");
	CHECK_STR(type_of("pixel.png"), "image/png");
	CHECK_STR(type_of("pixel-no-suffix"), "image/png");
}

static void test_text_file(void)
{
	const char *text = "Berita hari ini: hujan di Barru.\nSecond line.\n";
	write_bytes("notes.txt", text, strlen(text));
	CHECK_STR(type_of("notes.txt"), "text/plain");
}

static void test_gemtext_by_suffix(void)
{
	const char *gmi = "# Kabar\n=> /news/ News\n";
	write_bytes("index.gmi", gmi, strlen(gmi));
	write_bytes("old.GEMINI", gmi, strlen(gmi));
	/* Even a PNG named .gmi is served as what its name says. */
	write_png("odd.gmi");
	CHECK_STR(type_of("index.gmi"), "text/gemini");
	CHECK_STR(type_of("old.GEMINI"), "text/gemini");
	CHECK_STR(type_of("odd.gmi"), "text/gemini");
}

static void test_cache_follows_changes(void)
{
	write_png("changing");
	const char *first = type_of("changing");
	CHECK_STR(first, "image/png");
	CHECK(type_of("changing") == first); /* same string: from the cache */
	const char *text = "now it is plain text, and longer than the picture was......\n";
	write_bytes("changing", text, strlen(text)); /* same inode, new size */
	CHECK_STR(type_of("changing"), "text/plain");
	CHECK_STR(first, "image/png"); /* earlier answers stay valid */
}

static void *other_thread(void *arg)
{
	const char **out = arg;
	*out = type_of("pixel.png");
	int same = strcmp(*out, "image/png") == 0;
	mime_thread_done();
	return same ? arg : NULL;
}

static void test_threads_have_their_own_cookie(void)
{
	const char *seen = NULL;
	pthread_t t;
	void *result = NULL;
	CHECK_INT(pthread_create(&t, NULL, other_thread, &seen), 0);
	CHECK_INT(pthread_join(t, &result), 0);
	CHECK(result != NULL);
	CHECK_STR(type_of("pixel.png"), "image/png");
}

static void *thread_without_done(void *arg)
{
	(void)arg;
	return strcmp(type_of("pixel.png"), "image/png") == 0 ? arg : NULL;
}

/* A thread that never calls mime_thread_done: its state is freed as it
 * exits (LeakSanitizer and valgrind runs of this test would say if not). */
static void test_thread_end_frees_its_state(void)
{
	pthread_t t;
	void *result = NULL;
	int token = 1;
	CHECK_INT(pthread_create(&t, NULL, thread_without_done, &token), 0);
	CHECK_INT(pthread_join(t, &result), 0);
	CHECK(result == &token);
}

int main(void)
{
	snprintf(dir, sizeof dir, "%s", "/tmp/kabar-mime-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	RUN(test_png_by_content);
	RUN(test_text_file);
	RUN(test_gemtext_by_suffix);
	RUN(test_cache_follows_changes);
	RUN(test_threads_have_their_own_cookie);
	RUN(test_thread_end_frees_its_state);
	mime_thread_done();
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_report();
}
