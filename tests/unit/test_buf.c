#include "buf.h"

#include "check.h"

#include <stdlib.h>

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

int main(void)
{
	RUN(test_append_keeps_nul);
	RUN(test_printf_grows);
	RUN(test_steal_and_clear);
	return check_report();
}
