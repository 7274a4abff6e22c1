#include "buf.h"

#include "check.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_append_keeps_nul(void)
{
	struct buf b;
	buf_init(&b);
	buf_puts(&b, "gemini");
	buf_putc(&b, ':');
	buf_append(&b, "//x", 3);
	CHECK_STR(b.data, "gemini://x");
	CHECK_INT(b.len, 10);
	buf_free(&b);
}

static void test_printf_grows(void)
{
	struct buf b = {0};
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	CHECK(b.len > 3000);
	CHECK(strncmp(b.data, "0,1,2,", 6) == 0);
	CHECK_INT(b.data[b.len], 0);
	buf_free(&b);
}

static void test_steal_and_clear(void)
{
	struct buf b = {0};
	char *empty = buf_steal(&b);
	CHECK_STR(empty, "");
	free(empty);
	buf_puts(&b, "abc");
	buf_clear(&b);
	CHECK_INT(b.len, 0);
	CHECK_STR(b.data, "");
	buf_puts(&b, "xyz");
	char *s = buf_steal(&b);
	CHECK_STR(s, "xyz");
	CHECK(b.data == NULL);
	free(s);
}

/* A pipe holding text (small enough for the pipe's buffer), closed for
 * writing so that reading it ends. */
static int pipe_with(const char *text)
{
	int fds[2];
	CHECK(pipe(fds) == 0);
	CHECK(write(fds[1], text, strlen(text)) == (ssize_t)strlen(text));
	close(fds[1]);
	return fds[0];
}

static void test_read_fd_to_the_limit(void)
{
	struct buf b = {0};
	buf_puts(&b, "Kabar: ");
	int fd = pipe_with("berita ✓");
	CHECK_INT(buf_read_fd(&b, fd, b.len + strlen("berita ✓")), 0); /* exactly full */
	CHECK_STR(b.data, "Kabar: berita ✓");
	close(fd);
	buf_clear(&b);
	fd = pipe_with("0123456789");
	CHECK_INT(buf_read_fd(&b, fd, 9), EFBIG);
	close(fd);
	buf_clear(&b);
	fd = pipe_with("");
	CHECK_INT(buf_read_fd(&b, fd, 0), 0);
	CHECK_INT(b.len, 0);
	close(fd);
	CHECK_INT(buf_read_fd(&b, -1, 10), EBADF);
	buf_free(&b);
}

int main(void)
{
	RUN(test_append_keeps_nul);
	RUN(test_printf_grows);
	RUN(test_steal_and_clear);
	RUN(test_read_fd_to_the_limit);
	return check_report();
}
