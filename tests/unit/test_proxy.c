#include "cidr.h"
#include "proxy.h"

#include "check.h"

#include <arpa/inet.h>
#include <netinet/in.h>

static const unsigned char v2_sig[12] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
                                         0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

static enum proxy_result parse_text(const char *s, struct proxy_header *h)
{
	const char *reason;
	return proxy_parse((const unsigned char *)s, strlen(s), h, &reason);
}

static const char *source_text(const struct proxy_header *h, char *out, size_t size)
{
	if (h->source.ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)&h->source)->sin_addr, out, (socklen_t)size);
	else if (h->source.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&h->source)->sin6_addr, out,
		          (socklen_t)size);
	else
		snprintf(out, size, "none");
	return out;
}

static int source_port(const struct proxy_header *h)
{
	if (h->source.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&h->source)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)&h->source)->sin6_port);
}

static void test_v1(void)
{
	struct proxy_header h;
	char text[64];
	const char *line = "PROXY TCP4 192.0.2.7 127.0.0.1 51234 1965\r\n";
	char with_request[128];
	snprintf(with_request, sizeof with_request, "%sgemini://localhost/\r\n", line);
	CHECK_INT(parse_text(with_request, &h), PROXY_DONE);
	CHECK_INT(h.length, strlen(line));
	CHECK_STR(source_text(&h, text, sizeof text), "192.0.2.7");
	CHECK_INT(source_port(&h), 51234);
	CHECK_INT(parse_text("PROXY TCP6 2001:db8::5 ::1 4000 70\r\n", &h), PROXY_DONE);
	CHECK_STR(source_text(&h, text, sizeof text), "2001:db8::5");
	CHECK_INT(parse_text("PROXY UNKNOWN\r\n", &h), PROXY_DONE);
	CHECK_INT(h.source.ss_family, AF_UNSPEC);
	CHECK_INT(parse_text("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n", &h), PROXY_DONE);
	/* Every start of a header asks for more. */
	for (size_t n = 0; n < strlen(line); n++) {
		const char *reason;
		CHECK_INT(proxy_parse((const unsigned char *)line, n, &h, &reason), PROXY_MORE);
	}
	const char *bad[] = {
		"GET / HTTP/1.0\r\n", "gemini://localhost/\r\n", "PROXY TCP4 192.0.2.7 127.0.0.1 51234\r\n",
		"PROXY TCP4 2001:db8::5 127.0.0.1 1 2\r\n", "PROXY TCP4 192.0.2.7 127.0.0.1 65536 1\r\n",
		"PROXY TCP4 192.0.2.7 127.0.0.1 1 2 3\r\n", "PROXY TCP4  192.0.2.7 127.0.0.1 1 2\r\n",
		"PROXY UDP4 192.0.2.7 127.0.0.1 1 2\r\n", "PROXY TCP4 192.0.2.7 127.0.0.1 01 2\r\n",
		"PROXY \r\n", "proxy TCP4 192.0.2.7 127.0.0.1 1 2\r\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (parse_text(bad[i], &h) != PROXY_BAD)
			fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
		CHECK_INT(parse_text(bad[i], &h), PROXY_BAD);
	}
	/* No line end within 107 bytes. */
	char longer[200];
	memset(longer, 'x', sizeof longer);
	memcpy(longer, "PROXY TCP4 ", 11);
	const char *reason;
	CHECK_INT(proxy_parse((const unsigned char *)longer, sizeof longer, &h, &reason), PROXY_BAD);
	CHECK_INT(proxy_parse((const unsigned char *)longer, 100, &h, &reason), PROXY_MORE);
}

static size_t v2_header(unsigned char *out, int command, int family_transport, const void *body,
                        size_t len)
{
	memcpy(out, v2_sig, 12);
	out[12] = (unsigned char)(0x20 | command);
	out[13] = (unsigned char)family_transport;
	out[14] = (unsigned char)(len >> 8);
	out[15] = (unsigned char)len;
	memcpy(out + 16, body, len);
	return 16 + len;
}

static void test_v2(void)
{
	unsigned char packet[700], body[600];
	struct proxy_header h;
	const char *reason;
	char text[64];
	/* IPv4: 192.0.2.9:40000 -> 127.0.0.1:1965, and a TLV kabar passes over. */
	memset(body, 0, sizeof body);
	const unsigned char v4[12] = {192, 0, 2, 9, 127, 0, 0, 1, 0x9c, 0x40, 0x07, 0xad};
	memcpy(body, v4, 12);
	body[12] = 0x04; /* PP2_TYPE_NOOP */
	body[13] = 0;
	body[14] = 2;
	size_t n = v2_header(packet, 1, 0x11, body, 17);
	memcpy(packet + n, "\x16\x03\x01", 3); /* the ClientHello that follows */
	CHECK_INT(proxy_parse(packet, n + 3, &h, &reason), PROXY_DONE);
	CHECK_INT(h.length, n);
	CHECK_STR(source_text(&h, text, sizeof text), "192.0.2.9");
	CHECK_INT(source_port(&h), 40000);
	for (size_t cut = 0; cut < n; cut++)
		CHECK_INT(proxy_parse(packet, cut, &h, &reason), PROXY_MORE);
	/* IPv6. */
	memset(body, 0, 36);
	inet_pton(AF_INET6, "2001:db8::42", body);
	inet_pton(AF_INET6, "::1", body + 16);
	body[32] = 0x12;
	body[33] = 0x34;
	n = v2_header(packet, 1, 0x21, body, 36);
	CHECK_INT(proxy_parse(packet, n, &h, &reason), PROXY_DONE);
	CHECK_STR(source_text(&h, text, sizeof text), "2001:db8::42");
	CHECK_INT(source_port(&h), 0x1234);
	/* LOCAL: the balancer's own check, with its own address. */
	n = v2_header(packet, 0, 0x00, body, 0);
	CHECK_INT(proxy_parse(packet, n, &h, &reason), PROXY_DONE);
	CHECK_INT(h.source.ss_family, AF_UNSPEC);
	/* Refused: short addresses, UDP, another version or command, too long. */
	n = v2_header(packet, 1, 0x11, body, 11);
	CHECK_INT(proxy_parse(packet, n, &h, &reason), PROXY_BAD);
	n = v2_header(packet, 1, 0x12, body, 12);
	CHECK_INT(proxy_parse(packet, n, &h, &reason), PROXY_BAD);
	n = v2_header(packet, 2, 0x11, body, 12);
	CHECK_INT(proxy_parse(packet, n, &h, &reason), PROXY_BAD);
	n = v2_header(packet, 1, 0x11, body, 12);
	packet[12] = 0x11;
	CHECK_INT(proxy_parse(packet, n, &h, &reason), PROXY_BAD);
	n = v2_header(packet, 1, 0x11, body, 521);
	CHECK_INT(proxy_parse(packet, 16, &h, &reason), PROXY_BAD);
	CHECK(reason != NULL);
}

static struct sockaddr_storage address(const char *text)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, text, &sin->sin_addr) == 1)
		sin->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1)
		sin6->sin6_family = AF_INET6;
	return ss;
}

static void test_cidr(void)
{
	struct cidr nets[3];
	CHECK(cidr_parse("127.0.0.1", &nets[0]));
	CHECK(cidr_parse("10.0.0.0/8", &nets[1]));
	CHECK(cidr_parse("fd00::/8", &nets[2]));
	struct sockaddr_storage a;
	a = address("127.0.0.1");
	CHECK(cidr_contains(nets, 3, &a));
	a = address("127.0.0.2");
	CHECK(!cidr_contains(nets, 3, &a));
	a = address("10.200.3.4");
	CHECK(cidr_contains(nets, 3, &a));
	a = address("fdab::1");
	CHECK(cidr_contains(nets, 3, &a));
	a = address("fe00::1");
	CHECK(!cidr_contains(nets, 3, &a));
	a = address("::ffff:127.0.0.1"); /* IPv4 on a dual-stack socket */
	CHECK(cidr_contains(nets, 3, &a));
	a = address("::1");
	CHECK(!cidr_contains(nets, 3, &a));
	CHECK(!cidr_contains(nets, 0, &a));
	struct cidr c;
	CHECK(cidr_parse("0.0.0.0/0", &c));
	a = address("203.0.113.5");
	CHECK(cidr_contains(&c, 1, &a));
	const char *bad[] = {"", "localhost", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/8x",
	                     "10.0.0.0/-1", "1.2.3", "10.0.0.0/0008"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (cidr_parse(bad[i], &c))
			fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
		CHECK(!cidr_parse(bad[i], &c));
	}
}

int main(void)
{
	RUN(test_v1);
	RUN(test_v2);
	RUN(test_cidr);
	return check_report();
}
