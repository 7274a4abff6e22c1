#ifndef KABAR_PROXY_H
#define KABAR_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/*
 * The PROXY protocol (HAProxy's, versions 1 and 2): the header a balancer
 * sends first on a connection to say whose it is. Read only on listeners
 * that ask for it (`proxy: true`), from the addresses allowed to send it
 * (`proxy_from`), before TLS.
 */

/* Version 1's longest line is 107 bytes; version 2's header is 16 bytes
 * and its addresses and extensions, which kabar bounds at 520. */
#define PROXY_HEADER_MAX 536

enum proxy_result {
	PROXY_MORE, /* a header's start: read on */
	PROXY_BAD,  /* not a header kabar takes: refuse the connection */
	PROXY_DONE, /* a whole header */
};

struct proxy_header {
	/* The client the balancer speaks for; family AF_UNSPEC when the
	 * header names none (v1 UNKNOWN, v2 LOCAL: the balancer's own health
	 * check), so the connection keeps its own address. */
	struct sockaddr_storage source;
	size_t length; /* bytes of the header, which the request follows */
};

/* Reads a header at the start of data[0..len). On PROXY_BAD *reason says
 * why, for the log. */
enum proxy_result proxy_parse(const unsigned char *data, size_t len, struct proxy_header *out,
                              const char **reason);

#endif
