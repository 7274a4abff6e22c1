#include "cidr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool cidr_parse(const char *text, struct cidr *out)
{
	char address[64];
	const char *slash = strchr(text, '/');
	size_t len = slash != NULL ? (size_t)(slash - text) : strlen(text);
	if (len == 0 || len >= sizeof address)
		return false;
	memcpy(address, text, len);
	address[len] = '\0';
	memset(out, 0, sizeof *out);
	if (inet_pton(AF_INET, address, out->addr) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, address, out->addr) == 1)
		out->family = AF_INET6;
	else
		return false;
	int max = out->family == AF_INET ? 32 : 128;
	out->prefix = max;
	if (slash == NULL)
		return true;
	char *end;
	const char *digits = slash + 1;
	if (*digits < '0' || *digits > '9')
		return false;
	long prefix = strtol(digits, &end, 10);
	if (*end != '\0' || prefix > max || end - digits > 3)
		return false;
	out->prefix = (int)prefix;
	return true;
}

static bool matches(const struct cidr *net, int family, const unsigned char *addr)
{
	if (net->family != family)
		return false;
	int whole = net->prefix / 8, rest = net->prefix % 8;
	if (memcmp(net->addr, addr, (size_t)whole) != 0)
		return false;
	if (rest == 0)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (net->addr[whole] & mask) == (addr[whole] & mask);
}

bool cidr_contains(const struct cidr *nets, size_t n, const struct sockaddr_storage *addr)
{
	int family = addr->ss_family;
	const unsigned char *bytes;
	if (family == AF_INET) {
		bytes = (const unsigned char *)&((const struct sockaddr_in *)addr)->sin_addr;
	} else if (family == AF_INET6) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)addr)->sin6_addr;
		bytes = a6->s6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			family = AF_INET;
			bytes += 12;
		}
	} else {
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (matches(&nets[i], family, bytes))
			return true;
	return false;
}
