#include "proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

/* Version 1 is one text line; version 2 starts with 12 bytes no text
 * protocol can begin with. */
#define V1_PREFIX "PROXY "
#define V1_MAX 107
static const unsigned char v2_signature[12] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
                                               0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};
#define V2_FIXED 16
#define V2_MAX_BODY (PROXY_HEADER_MAX - V2_FIXED)

static bool starts_as(const unsigned char *data, size_t len, const void *prefix, size_t n)
{
	return memcmp(data, prefix, len < n ? len : n) == 0;
}

static enum proxy_result bad(const char **reason, const char *why)
{
	*reason = why;
	return PROXY_BAD;
}

/* One space-separated field of a v1 line: [*at, end). */
static bool next_field(const char **at, const char *end, char *out, size_t size)
{
	const char *start = *at;
	const char *space = memchr(start, ' ', (size_t)(end - start));
	const char *stop = space != NULL ? space : end;
	size_t n = (size_t)(stop - start);
	if (n == 0 || n >= size)
		return false;
	memcpy(out, start, n);
	out[n] = '\0';
	*at = space != NULL ? space + 1 : end;
	return true;
}

static bool port_text(const char *s, int *port)
{
	size_t n = strlen(s);
	if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
		return false;
	int value = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		value = value * 10 + (s[i] - '0');
	}
	*port = value;
	return value <= 65535;
}

static bool set_source(struct proxy_header *out, int family, const char *text, int port)
{
	memset(&out->source, 0, sizeof out->source);
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&out->source;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		return inet_pton(AF_INET, text, &sin->sin_addr) == 1;
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->source;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons((uint16_t)port);
	return inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1;
}

/* "PROXY TCP4 SRC DST SPORT DPORT\r\n", or "PROXY UNKNOWN ...\r\n". */
static enum proxy_result parse_v1(const unsigned char *data, size_t len, struct proxy_header *out,
                                  const char **reason)
{
	size_t look = len < V1_MAX ? len : V1_MAX;
	const unsigned char *cr = NULL;
	for (size_t i = 0; i + 1 < look && cr == NULL; i++)
		if (data[i] == '\r' && data[i + 1] == '\n')
			cr = data + i;
	if (cr == NULL)
		return len >= V1_MAX ? bad(reason, "PROXY v1: no line end within 107 bytes")
		                     : PROXY_MORE;
	const char *at = (const char *)data + strlen(V1_PREFIX), *end = (const char *)cr;
	char proto[8], src[48], dst[48], sport[8], dport[8];
	out->length = (size_t)(cr - data) + 2;
	if (!next_field(&at, end, proto, sizeof proto))
		return bad(reason, "PROXY v1: no protocol");
	if (strcmp(proto, "UNKNOWN") == 0) {
		memset(&out->source, 0, sizeof out->source);
		return PROXY_DONE;
	}
	int family = strcmp(proto, "TCP4") == 0 ? AF_INET : strcmp(proto, "TCP6") == 0 ? AF_INET6 : 0;
	int port, other_port;
	if (family == 0)
		return bad(reason, "PROXY v1: protocol is not TCP4, TCP6 or UNKNOWN");
	if (!next_field(&at, end, src, sizeof src) || !next_field(&at, end, dst, sizeof dst) ||
	    !next_field(&at, end, sport, sizeof sport) || !next_field(&at, end, dport, sizeof dport) ||
	    at != end)
		return bad(reason, "PROXY v1: not SRC DST SPORT DPORT");
	if (!port_text(sport, &port) || !port_text(dport, &other_port))
		return bad(reason, "PROXY v1: a port is not 0-65535");
	struct proxy_header dst_check;
	if (!set_source(out, family, src, port) || !set_source(&dst_check, family, dst, other_port))
		return bad(reason, "PROXY v1: an address is not of its protocol");
	return PROXY_DONE;
}

static enum proxy_result parse_v2(const unsigned char *data, size_t len, struct proxy_header *out,
                                  const char **reason)
{
	if (len < V2_FIXED)
		return PROXY_MORE;
	int version = data[12] >> 4, command = data[12] & 0x0f;
	int family = data[13] >> 4, transport = data[13] & 0x0f;
	size_t body = (size_t)data[14] << 8 | data[15];
	if (version != 2 || command > 1)
		return bad(reason, "PROXY v2: not version 2 LOCAL or PROXY");
	if (body > V2_MAX_BODY)
		return bad(reason, "PROXY v2: longer than 536 bytes");
	if (len < V2_FIXED + body)
		return PROXY_MORE;
	out->length = V2_FIXED + body;
	memset(&out->source, 0, sizeof out->source);
	/* LOCAL (the balancer's own check) or an address family kabar does not
	 * count by (UNSPEC, UNIX): the connection keeps its own address. */
	if (command == 0 || family == 0 || family == 3)
		return PROXY_DONE;
	if (family > 3 || transport != 1)
		return bad(reason, "PROXY v2: not a TCP stream over IPv4 or IPv6");
	const unsigned char *a = data + V2_FIXED;
	if (family == 1) {
		if (body < 12)
			return bad(reason, "PROXY v2: IPv4 addresses cut short");
		struct sockaddr_in *sin = (struct sockaddr_in *)&out->source;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, a, 4);
		memcpy(&sin->sin_port, a + 8, 2);
		return PROXY_DONE;
	}
	if (body < 36)
		return bad(reason, "PROXY v2: IPv6 addresses cut short");
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->source;
	sin6->sin6_family = AF_INET6;
	memcpy(&sin6->sin6_addr, a, 16);
	memcpy(&sin6->sin6_port, a + 32, 2);
	return PROXY_DONE;
}

enum proxy_result proxy_parse(const unsigned char *data, size_t len, struct proxy_header *out,
                              const char **reason)
{
	*reason = NULL;
	if (len == 0)
		return PROXY_MORE;
	if (starts_as(data, len, v2_signature, sizeof v2_signature))
		return len < sizeof v2_signature ? PROXY_MORE : parse_v2(data, len, out, reason);
	if (starts_as(data, len, V1_PREFIX, strlen(V1_PREFIX)))
		return len < strlen(V1_PREFIX) ? PROXY_MORE : parse_v1(data, len, out, reason);
	return bad(reason, "no PROXY header");
}
