#ifndef KABAR_SELECTOR_H
#define KABAR_SELECTOR_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A Gopher request line taken apart: "SELECTOR[\tSEARCH][\tGOPHER+]" (the
 * line end already removed). Selectors are raw bytes as the client sent
 * them, never percent-decoded: every selector Kabar hands out is a plain
 * path, so that is what comes back. One exception: search terms may also
 * come after '?' in the selector, percent-encoded ("/search/page/2?harbour
 * %20light"), which is how the search pages link to their next page (a
 * menu item cannot hold a TAB); terms after a TAB leave '?' alone.
 */

#define SELECTOR_MAX 255   /* RFC 1436: a selector is at most 255 bytes */
#define SEARCH_MAX 1024    /* search terms after the selector's TAB */
#define GOPHER_PLUS_MAX 64 /* a Gopher+ suffix ("+", "$", "!+ABSTRACT", ...) */
/* The longest request line accepted, line end excluded. */
#define GOPHER_LINE_MAX (SELECTOR_MAX + 1 + SEARCH_MAX + 1 + GOPHER_PLUS_MAX)

enum selector_status {
	SELECTOR_OK,
	SELECTOR_TOO_LONG,  /* a field over its limit */
	SELECTOR_BAD_BYTES, /* NUL, CR, LF or another control byte */
	SELECTOR_BAD_UTF8,  /* search terms that are not UTF-8 */
	SELECTOR_TRAVERSAL, /* a ".." segment, plain or percent-encoded */
	SELECTOR_BAD_FORM,  /* too many fields */
};

struct selector {
	char *path;       /* normalised: starts with '/', no "." segments, no "//" */
	char *search;     /* search terms, or NULL when none were sent */
	char *url;        /* for "URL:..." selectors: the URL, else NULL */
	bool gopher_plus; /* a Gopher+ suffix was sent (answered as plain Gopher) */
};

/* Parses one request line. On SELECTOR_OK the fields are owned by sel
 * (selector_free); on any other status sel holds nothing. */
enum selector_status selector_parse(const char *line, size_t len, struct selector *sel);
void selector_free(struct selector *sel);

/* A short English description of a failed status, for the error menu. */
const char *selector_status_text(enum selector_status status);

/* "/a/./b//c/" -> "/a/b/c/"; "" -> "/". NULL when a segment is ".." (or
 * decodes to it): such a path is refused, never resolved. */
char *selector_normalise(const char *raw, size_t len);

#endif
