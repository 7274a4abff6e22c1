#ifndef KABAR_BUF_H
#define KABAR_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A growable byte buffer. The bytes are always followed by a NUL that is not
 * counted in len, so data can be used as a C string when it holds text.
 * A zeroed struct buf is a valid empty buffer.
 */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
/* Empties the buffer and keeps its memory. */
void buf_clear(struct buf *b);
/* Makes room for at least extra more bytes. */
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Appends the rest of fd to b, while b holds at most limit bytes in all.
 * Returns 0, EFBIG when fd holds more, or the errno of a failed read. */
int buf_read_fd(struct buf *b, int fd, size_t limit);
/* Hands the bytes to the caller as a NUL-terminated string and empties b. */
char *buf_steal(struct buf *b);

#endif
