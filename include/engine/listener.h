#ifndef KABAR_LISTENER_H
#define KABAR_LISTENER_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "config.h"

/*
 * Listening sockets: every address of the configuration bound, non-blocking,
 * with a large backlog. Shared by every worker.
 */

/* What an epoll event's data.ptr points at: the first member of each
 * watched object, so a worker can tell them apart. */
enum watch_kind { WATCH_LISTENER, WATCH_CONN, WATCH_STOP };

struct listener {
	enum watch_kind kind; /* WATCH_LISTENER */
	int fd;
	enum output proto;
	char *where; /* "127.0.0.1:1965" or "[::1]:70", as announced */
	/* The bound address as text ("127.0.0.1", "::1") and port: what a
	 * connection accepted here arrived on, without asking the kernel.
	 * A wildcard address ("0.0.0.0", "::") says nothing of that; then
	 * wildcard is set and the connection asks (getsockname). */
	char address[46];
	int port;
	bool wildcard;
	/* Behind a balancer: each connection starts with a PROXY header, taken
	 * only from these addresses (proxy.h); copied from the settings at
	 * start, as the socket is. */
	bool proxy;
	struct cidr proxy_from[LISTEN_PROXY_FROM_MAX];
	size_t n_proxy_from;
};

/*
 * Binds every entry of listen[] ("*" binds 0.0.0.0 and [::] with
 * IPV6_V6ONLY; a name binds each address it resolves to; port 0 picks one
 * free port shared by every address of that entry) and prints
 * "listening PROTO ADDR:PORT" on stdout for each socket, then flushes.
 * Returns the count, or -1 with lines in errors (nothing left open).
 */
int listeners_open(const struct listen_addr *listen, size_t n_listen, struct listener **out,
                   struct buf *errors);
void listeners_close(struct listener *listeners, size_t n);

#endif
