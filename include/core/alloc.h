#ifndef KABAR_ALLOC_H
#define KABAR_ALLOC_H

#include <stddef.h>

/*
 * Allocation that never returns NULL. Kabar treats running out of memory as
 * fatal: it logs and aborts, so callers need no NULL checks and every error
 * path stays about real errors.
 */
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grows an array of count elements of size bytes each; checks overflow. */
void *xreallocarray(void *ptr, size_t count, size_t size);
/* Room for one more element in an array of count that keeps no capacity
 * of its own: it grows to the next power of two, so adding n elements one
 * by one copies O(n) bytes (a realloc by one each time is quadratic). */
void *xgrowarray(void *ptr, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
