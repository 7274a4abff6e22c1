#include "url.h"

#include "alloc.h"
#include "text.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#define PORT_MAX 65535

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_unreserved(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static bool is_sub_delim(unsigned char c)
{
	return c != '\0' && strchr("!$&'()*+,;=", c) != NULL;
}

/* A byte a path segment may hold raw: pchar, or UTF-8 (checked elsewhere). */
static bool is_pchar(unsigned char c)
{
	return c >= 0x80 || is_unreserved(c) || is_sub_delim(c) || c == ':' || c == '@' || c == '%';
}

static int hex_value(unsigned char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

const char *url_error_text(enum url_error err)
{
	switch (err) {
	case URL_OK: return "ok";
	case URL_EMPTY: return "empty request";
	case URL_NO_SCHEME: return "not an absolute URL";
	case URL_BAD_CHAR: return "forbidden character";
	case URL_BAD_UTF8: return "invalid UTF-8";
	case URL_BAD_PERCENT: return "bad percent-encoding";
	case URL_NO_HOST: return "empty host";
	case URL_BAD_HOST: return "malformed host";
	case URL_BAD_PORT: return "malformed port";
	case URL_ENCODED_SLASH: return "encoded slash in path";
	case URL_ABOVE_ROOT: return "path climbs above the root";
	}
	return "malformed URL";
}

enum url_error url_decode(struct buf *out, const char *s, size_t len, bool slash_ok)
{
	size_t start = out->len;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			if (len - i < 3)
				return URL_BAD_PERCENT;
			int hi = hex_value((unsigned char)s[i + 1]);
			int lo = hex_value((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return URL_BAD_PERCENT;
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
			if (c == '/' && !slash_ok)
				return URL_ENCODED_SLASH;
		}
		if (is_control(c))
			return URL_BAD_CHAR;
		buf_putc(out, (char)c);
	}
	if (!text_valid_utf8(out->data ? out->data + start : "", out->len - start))
		return URL_BAD_UTF8;
	return URL_OK;
}

/* Drops the last "/segment" of out (which holds at least one). */
static void pop_segment(struct buf *out, size_t start)
{
	size_t pos = out->len;
	while (pos > start && out->data[pos - 1] != '/')
		pos--;
	if (pos > start)
		pos--; /* the slash that began the segment */
	out->len = pos;
	out->data[pos] = '\0';
}

enum url_error url_remove_dots(struct buf *out, const char *path, size_t len)
{
	size_t start = out->len;
	size_t i = 0;
	buf_reserve(out, len);
	while (i < len) {
		/* path[i] is the '/' that begins the next segment. */
		size_t j = i + 1;
		while (j < len && path[j] != '/')
			j++;
		const char *seg = path + i + 1;
		size_t seg_len = j - i - 1;
		bool last = j == len;
		if (seg_len == 1 && seg[0] == '.') {
			if (last)
				buf_putc(out, '/');
		} else if (seg_len == 2 && seg[0] == '.' && seg[1] == '.') {
			if (out->len == start)
				return URL_ABOVE_ROOT;
			pop_segment(out, start);
			if (last)
				buf_putc(out, '/');
		} else {
			buf_putc(out, '/');
			buf_append(out, seg, seg_len);
		}
		i = j;
	}
	return URL_OK;
}

static void encode(struct buf *out, const char *s, size_t len, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_unreserved(c) || (keep_slash && c == '/')) {
			buf_putc(out, (char)c);
			continue;
		}
		char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
		buf_append(out, esc, sizeof esc);
	}
}

void url_encode_path(struct buf *out, const char *s, size_t len)
{
	encode(out, s, len, true);
}

void url_encode_segment(struct buf *out, const char *s, size_t len)
{
	encode(out, s, len, false);
}

void url_free(struct url *u)
{
	free(u->scheme);
	free(u->host);
	free(u->raw_path);
	free(u->path);
	free(u->raw_query);
	free(u->query);
	memset(u, 0, sizeof *u);
}

/* Bytes no part of a URL may hold raw: controls, space, DEL, and the ASCII
 * characters RFC 3986 leaves out. A leading BOM is refused too. */
static enum url_error check_bytes(const char *s, size_t len)
{
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		return URL_BAD_CHAR;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_control(c) || c == ' ' || strchr("\"<>\\^`{|}", c) != NULL)
			return URL_BAD_CHAR;
	}
	return text_valid_utf8(s, len) ? URL_OK : URL_BAD_UTF8;
}

size_t url_scheme_length(const char *s, size_t len)
{
	if (len == 0 || !is_alpha((unsigned char)s[0]))
		return 0;
	for (size_t i = 1; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ':')
			return i;
		if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.')
			return 0;
	}
	return 0;
}

static char *lower_copy(const char *s, size_t len)
{
	char *out = xstrndup(s, len);
	for (size_t i = 0; i < len; i++) {
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (char)(out[i] - 'A' + 'a');
	}
	return out;
}

static enum url_error parse_port(const char *s, size_t len, int *port)
{
	*port = -1;
	if (len == 0)
		return URL_OK;
	long value = 0;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit((unsigned char)s[i]))
			return URL_BAD_PORT;
		value = value * 10 + (s[i] - '0');
		if (value > PORT_MAX)
			return URL_BAD_PORT;
	}
	*port = (int)value;
	return URL_OK;
}

static enum url_error parse_ipv6(const char *s, size_t len, struct url *u, size_t *used)
{
	const char *close = memchr(s, ']', len);
	if (close == NULL)
		return URL_BAD_HOST;
	size_t inner = (size_t)(close - s) - 1;
	char text[INET6_ADDRSTRLEN + 1];
	unsigned char addr[16];
	if (inner == 0 || inner >= sizeof text)
		return URL_BAD_HOST;
	memcpy(text, s + 1, inner);
	text[inner] = '\0';
	if (inet_pton(AF_INET6, text, addr) != 1)
		return URL_BAD_HOST;
	u->host = lower_copy(text, inner);
	u->host_is_ipv6 = true;
	u->host_is_ip = true;
	*used = inner + 2;
	return URL_OK;
}

/* A registered name or IPv4 address. Percent-encoded hosts are refused: no
 * name we serve needs them, and decoding would let "/" or ":" in. */
static enum url_error parse_reg_name(const char *s, size_t len, struct url *u)
{
	if (len == 0)
		return URL_NO_HOST;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80 && !is_unreserved(c) && !is_sub_delim(c))
			return URL_BAD_HOST;
	}
	u->host = lower_copy(s, len);
	unsigned char addr[4];
	u->host_is_ip = inet_pton(AF_INET, u->host, addr) == 1;
	return URL_OK;
}

static enum url_error parse_authority(const char *s, size_t len, struct url *u)
{
	const char *at = memrchr(s, '@', len);
	if (at != NULL) {
		u->has_userinfo = true;
		len -= (size_t)(at + 1 - s);
		s = at + 1;
	}
	size_t host_len;
	enum url_error err;
	if (len > 0 && s[0] == '[') {
		err = parse_ipv6(s, len, u, &host_len);
		if (err == URL_OK && host_len < len && s[host_len] != ':')
			err = URL_BAD_HOST;
	} else {
		const char *colon = memchr(s, ':', len);
		host_len = colon ? (size_t)(colon - s) : len;
		err = parse_reg_name(s, host_len, u);
	}
	if (err != URL_OK)
		return err;
	if (host_len == len)
		return URL_OK;
	return parse_port(s + host_len + 1, len - host_len - 1, &u->port);
}

static enum url_error check_chars(const char *s, size_t len, const char *extra)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!is_pchar(c) && strchr(extra, c) == NULL)
			return URL_BAD_CHAR;
	}
	return URL_OK;
}

static enum url_error parse_path(const char *s, size_t len, struct url *u)
{
	enum url_error err = check_chars(s, len, "/");
	if (err != URL_OK)
		return err;
	u->raw_path = xstrndup(s, len);
	struct buf decoded = {0};
	err = url_decode(&decoded, s, len, false);
	if (err == URL_OK && decoded.len > 0 && decoded.data[0] == '/') {
		struct buf clean = {0};
		err = url_remove_dots(&clean, decoded.data, decoded.len);
		buf_free(&decoded);
		decoded = clean;
	}
	if (err != URL_OK) {
		buf_free(&decoded);
		return err;
	}
	u->path = decoded.data ? buf_steal(&decoded) : xstrdup("");
	return URL_OK;
}

static enum url_error parse_query(const char *s, size_t len, struct url *u)
{
	enum url_error err = check_chars(s, len, "/?");
	if (err != URL_OK)
		return err;
	struct buf decoded = {0};
	err = url_decode(&decoded, s, len, true);
	if (err != URL_OK) {
		buf_free(&decoded);
		return err;
	}
	u->raw_query = xstrndup(s, len);
	u->query = decoded.data ? buf_steal(&decoded) : xstrdup("");
	return URL_OK;
}

/* Everything after "scheme:". */
static enum url_error parse_rest(const char *s, size_t len, struct url *u)
{
	const char *hash = memchr(s, '#', len);
	if (hash != NULL) {
		u->has_fragment = true;
		len = (size_t)(hash - s);
	}
	const char *question = memchr(s, '?', len);
	size_t before_query = question ? (size_t)(question - s) : len;
	size_t pos = 0;
	if (before_query >= 2 && s[0] == '/' && s[1] == '/') {
		u->has_authority = true;
		size_t end = 2;
		while (end < before_query && s[end] != '/')
			end++;
		enum url_error err = parse_authority(s + 2, end - 2, u);
		if (err != URL_OK)
			return err;
		pos = end;
	}
	enum url_error err = parse_path(s + pos, before_query - pos, u);
	if (err != URL_OK || question == NULL)
		return err;
	return parse_query(question + 1, len - before_query - 1, u);
}

enum url_error url_parse(const char *s, size_t len, struct url *u)
{
	memset(u, 0, sizeof *u);
	u->port = -1;
	if (len == 0)
		return URL_EMPTY;
	enum url_error err = check_bytes(s, len);
	if (err != URL_OK)
		return err;
	size_t scheme_len = url_scheme_length(s, len);
	if (scheme_len == 0)
		return URL_NO_SCHEME;
	u->scheme = lower_copy(s, scheme_len);
	err = parse_rest(s + scheme_len + 1, len - scheme_len - 1, u);
	if (err != URL_OK)
		url_free(u);
	return err;
}
