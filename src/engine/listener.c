#include "listener.h"

#include "alloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The kernel caps it at net.core.somaxconn; ask for plenty so a burst of
 * connections waits in the queue instead of being refused. */
#define LISTEN_BACKLOG 4096

static const char *proto_name(enum output proto)
{
	return proto == OUTPUT_GEMINI ? "gemini" : "gopher";
}

/* "127.0.0.1:1965" or "[::1]:1965" for a bound socket. */
static char *describe(const struct sockaddr_storage *ss)
{
	char host[INET6_ADDRSTRLEN] = "?";
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
		return xasprintf("[%s]:%d", host, ntohs(sin6->sin6_port));
	}
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
	return xasprintf("%s:%d", host, ntohs(sin->sin_port));
}

static void set_port(struct sockaddr *sa, int port)
{
	if (sa->sa_family == AF_INET6)
		((struct sockaddr_in6 *)sa)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)sa)->sin_port = htons((uint16_t)port);
}

/* One bound, listening, non-blocking socket; -1 with a line in errors. */
static int bind_one(struct sockaddr *sa, socklen_t len, const char *shown, struct buf *errors)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		buf_printf(errors, "%s: cannot create socket: %s\n", shown, strerror(errno));
		return -1;
	}
	int on = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	/* "*" binds IPv4 and IPv6 separately; keep [::] from claiming both. */
	if (sa->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
	/* Accepted sockets inherit it (Linux): no setsockopt per connection.
	 * Responses are written whole, so Nagle would only delay the last
	 * segment. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
	if (bind(fd, sa, len) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
		buf_printf(errors, "%s: cannot listen: %s\n", shown, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static struct addrinfo *resolve(const struct listen_addr *la, struct buf *errors)
{
	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
		.ai_family = AF_UNSPEC,
	};
	const char *host = la->host;
	if (host == NULL || strcmp(host, "*") == 0)
		host = NULL; /* AI_PASSIVE: the wildcard addresses of both families */
	char port[16];
	snprintf(port, sizeof port, "%d", la->port);
	struct addrinfo *list = NULL;
	int rc = getaddrinfo(host, port, &hints, &list);
	if (rc != 0) {
		buf_printf(errors, "%s:%d: cannot resolve: %s\n", la->host ? la->host : "*", la->port,
		           gai_strerror(rc));
		return NULL;
	}
	return list;
}

static bool seen_before(const struct addrinfo *list, const struct addrinfo *ai)
{
	for (const struct addrinfo *p = list; p != ai; p = p->ai_next) {
		if (p->ai_addrlen == ai->ai_addrlen && memcmp(p->ai_addr, ai->ai_addr, ai->ai_addrlen) == 0)
			return true;
	}
	return false;
}

static void add_listener(struct listener **all, size_t *n, int fd, const struct listen_addr *la,
                         const struct sockaddr_storage *bound)
{
	*all = xreallocarray(*all, *n + 1, sizeof **all);
	struct listener *l = &(*all)[*n];
	*l = (struct listener){.kind = WATCH_LISTENER, .fd = fd, .proto = la->proto,
	                       .where = describe(bound), .proxy = la->proxy,
	                       .n_proxy_from = la->n_proxy_from};
	memcpy(l->proxy_from, la->proxy_from, sizeof l->proxy_from);
	if (bound->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)bound;
		inet_ntop(AF_INET6, &sin6->sin6_addr, l->address, sizeof l->address);
		l->port = ntohs(sin6->sin6_port);
		l->wildcard = IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr);
	} else {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)bound;
		inet_ntop(AF_INET, &sin->sin_addr, l->address, sizeof l->address);
		l->port = ntohs(sin->sin_port);
		l->wildcard = sin->sin_addr.s_addr == htonl(INADDR_ANY);
	}
	(*n)++;
}

/* Binds every address of one entry; with port 0 the first bind picks the
 * port and the other addresses take the same one. */
static int open_entry(const struct listen_addr *la, struct listener **all, size_t *n,
                      struct buf *errors)
{
	struct addrinfo *list = resolve(la, errors);
	if (list == NULL)
		return -1;
	int port = la->port;
	int rc = 0;
	for (struct addrinfo *ai = list; ai != NULL && rc == 0; ai = ai->ai_next) {
		if (seen_before(list, ai))
			continue;
		set_port(ai->ai_addr, port);
		char *shown = describe((struct sockaddr_storage *)ai->ai_addr);
		int fd = bind_one(ai->ai_addr, ai->ai_addrlen, shown, errors);
		free(shown);
		if (fd < 0) {
			rc = -1;
			break;
		}
		struct sockaddr_storage bound;
		socklen_t len = sizeof bound;
		getsockname(fd, (struct sockaddr *)&bound, &len);
		add_listener(all, n, fd, la, &bound);
		port = (*all)[*n - 1].port;
	}
	freeaddrinfo(list);
	return rc;
}

int listeners_open(const struct listen_addr *listen, size_t n_listen, struct listener **out,
                   struct buf *errors)
{
	struct listener *all = NULL;
	size_t n = 0;
	if (n_listen == 0)
		buf_printf(errors, "nothing to listen on\n");
	for (size_t i = 0; i < n_listen; i++) {
		if (open_entry(&listen[i], &all, &n, errors) != 0) {
			listeners_close(all, n);
			return -1;
		}
	}
	if (n == 0) {
		listeners_close(all, n);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		printf("listening %s %s\n", proto_name(all[i].proto), all[i].where);
	fflush(stdout);
	*out = all;
	return (int)n;
}

void listeners_close(struct listener *listeners, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		close(listeners[i].fd);
		free(listeners[i].where);
	}
	free(listeners);
}
