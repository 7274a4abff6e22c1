#include "buf.h"

#include "alloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void buf_clear(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void buf_reserve(struct buf *b, size_t extra)
{
	/* Past half the address space no allocation can succeed; stopping here
	 * keeps the sum and the doubling below from wrapping around. Like
	 * running out of memory (alloc.h), it is fatal. */
	if (extra > SIZE_MAX / 2 - b->len) {
		fprintf(stderr, "kabar: a buffer cannot grow by %zu bytes\n", extra);
		abort();
	}
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void buf_append(struct buf *b, const void *data, size_t len)
{
	buf_reserve(b, len);
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
	buf_append(b, &c, 1);
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int len = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (len <= 0)
		return;
	buf_reserve(b, (size_t)len);
	vsnprintf(b->data + b->len, (size_t)len + 1, fmt, ap);
	b->len += (size_t)len;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *buf_steal(struct buf *b)
{
	buf_reserve(b, 0);
	b->data[b->len] = '\0';
	char *s = b->data;
	buf_init(b);
	return s;
}

int buf_read_fd(struct buf *b, int fd, size_t limit)
{
	for (;;) {
		buf_reserve(b, 16384);
		/* One byte past the limit tells "exactly full" from "more". */
		size_t room = b->cap - b->len - 1;
		size_t want = b->len <= limit ? limit - b->len + 1 : 1;
		ssize_t n = read(fd, b->data + b->len, want < room ? want : room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return 0;
		b->len += (size_t)n;
		b->data[b->len] = '\0';
		if (b->len > limit)
			return EFBIG;
	}
}
