#ifndef KABAR_CIDR_H
#define KABAR_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Networks by address and prefix ("127.0.0.1", "10.0.0.0/8", "::1",
 * "fd00::/8"): who may send a PROXY header (proxy.h). */

struct cidr {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	int prefix; /* bits that must match */
};

/* False when text is not an address with an optional /prefix (0-32 for
 * IPv4, 0-128 for IPv6). */
bool cidr_parse(const char *text, struct cidr *out);

/* Whether addr (an IPv4-mapped IPv6 address counts as its IPv4 one) lies
 * in one of nets[0..n). */
bool cidr_contains(const struct cidr *nets, size_t n, const struct sockaddr_storage *addr);

#endif
