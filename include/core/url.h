#ifndef KABAR_URL_H
#define KABAR_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * Absolute URLs (RFC 3986, with UTF-8 allowed as in IRIs), parsed strictly:
 * whatever a front-end needs to decide is split out and checked here, so the
 * front-end only applies its protocol's rules (which schemes, which hosts).
 */

enum url_error {
	URL_OK = 0,
	URL_EMPTY,          /* nothing at all */
	URL_NO_SCHEME,      /* a relative reference, or no "scheme:" */
	URL_BAD_CHAR,       /* NUL, control bytes, space, a BOM, or a character
	                       no URL may hold, raw or percent-encoded */
	URL_BAD_UTF8,       /* invalid UTF-8, raw or percent-encoded (%c0%ae) */
	URL_BAD_PERCENT,    /* '%' not followed by two hex digits */
	URL_NO_HOST,        /* "//" with an empty host */
	URL_BAD_HOST,       /* a malformed host or IP literal */
	URL_BAD_PORT,       /* not digits, or above 65535 */
	URL_ENCODED_SLASH,  /* %2F inside a path segment */
	URL_ABOVE_ROOT,     /* ".." climbing above "/" */
};

struct url {
	char *scheme;        /* lower-cased */
	bool has_authority;  /* "//" followed the scheme */
	bool has_userinfo;   /* "user@" before the host */
	char *host;          /* lower-cased, without brackets; NULL if no authority */
	bool host_is_ipv6;   /* given as "[...]" */
	bool host_is_ip;     /* an IPv4 or IPv6 literal */
	int port;            /* -1 when absent (or empty, as in "host:") */
	char *raw_path;      /* as sent; "" when there is none */
	char *path;          /* percent-decoded, dot segments removed ("" when none) */
	char *raw_query;     /* as sent after '?', or NULL without '?' */
	char *query;         /* percent-decoded, or NULL without '?' */
	bool has_fragment;   /* a '#' was present */
};

/* Parses len bytes. On URL_OK the caller frees u with url_free; on an error
 * nothing is left to free. */
enum url_error url_parse(const char *s, size_t len, struct url *u);
void url_free(struct url *u);

/* The length of the "scheme" before the ':' that s starts with ("gemini:",
 * "mailto:"), or 0 when s starts with none (a relative reference). */
size_t url_scheme_length(const char *s, size_t len);

/* A short English reason, for status lines and logs. */
const char *url_error_text(enum url_error err);

/*
 * Percent-decodes s into out (appending). Rejects bad escapes, NUL and
 * control bytes, invalid UTF-8 and, when slash_ok is false, "%2F".
 */
enum url_error url_decode(struct buf *out, const char *s, size_t len, bool slash_ok);

/* RFC 3986 5.2.4 on a decoded path starting with '/'; ".." above the root is
 * an error (URL_ABOVE_ROOT) rather than silently dropped. */
enum url_error url_remove_dots(struct buf *out, const char *path, size_t len);

/* Appends s percent-encoded for a URL path: everything but unreserved
 * characters and '/' is encoded (non-ASCII bytes too). */
void url_encode_path(struct buf *out, const char *s, size_t len);

/* Same for one path segment or query value: '/' is encoded as well. */
void url_encode_segment(struct buf *out, const char *s, size_t len);

#endif
