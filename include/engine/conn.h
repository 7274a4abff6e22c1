#ifndef KABAR_CONN_H
#define KABAR_CONN_H

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "buf.h"
#include "listener.h"
#include "ratelimit.h"
#include "request.h"
#include "runtime.h"
#include "tls.h"
#include "upload.h"

/*
 * One client connection as a small state machine driven by its worker:
 *   read request (the TLS handshake happens inside the first reads; on a
 *   Gopher port, when the first byte read starts one) -> respond -> write
 *   -> close_notify.
 * A Titan upload (upload.h) reads its body after the request, and may wait
 * for the site to publish it before the response is written.
 * Every step is non-blocking; conn_step says what to wait for next.
 */

/* What a connection was accepted under: a runtime and its certificates.
 * A reload makes a new one; the old lives on while connections hold it. */
struct generation {
	struct runtime *rt;
	struct tls_hosts *tls;
	atomic_int refs;
	struct generation *next; /* the server's list of retired generations */
	/* The generation a reload put in its place, held by this one (so a
	 * connection can follow the chain to the settings in force), or NULL. */
	_Atomic(struct generation *) successor;
};

/* CONN_WANT_TICK: nothing to wait for on the socket; step again shortly. */
enum conn_want { CONN_WANT_READ, CONN_WANT_WRITE, CONN_WANT_TICK, CONN_FINISHED };

enum conn_state {
	STATE_PROXY, /* reading the PROXY header a balancer sends first */
	STATE_READ,
	STATE_UPLOAD, /* reading a Titan upload's body */
	STATE_SETTLE, /* the upload is written; waiting for the site to publish it */
	STATE_WRITE,
	STATE_SHUTDOWN,
	STATE_LINGER,
	STATE_CLOSED,
};

struct conn {
	enum watch_kind kind; /* WATCH_CONN */
	int fd;
	enum output proto;
	enum conn_state state;
	SSL *ssl;               /* NULL for plain Gopher */
	bool tls_head;          /* Gopher over TLS: ssl reads what was read before it began */
	struct generation *gen; /* held; the worker releases it */
	int64_t started_ms;
	struct sockaddr_storage peer;
	struct ratelimit *limits; /* the engine's: requests are counted here */
	bool counted;             /* peer holds one of its connections in limits */
	char client_addr[INET6_ADDRSTRLEN];
	char local_addr[INET6_ADDRSTRLEN];
	int local_port;
	char fingerprint[65];

	struct buf in;
	bool answered;      /* a request got a response: log it at the end */
	size_t logged_len;  /* bytes of in that are the request, for the log */
	struct response res;
	struct buf out;     /* staged bytes being written */
	size_t out_off;
	size_t page_off;    /* bytes of res.page written */
	off_t file_off, file_left;
	bool tail_staged;
	unsigned long long bytes_sent;
	size_t tls_flushed;  /* bytes of the TLS write buffer already sent */
	bool progressed;    /* bytes went out since the worker last looked */
	bool linger;        /* answered while the client was still sending */
	bool write_closed;  /* lingering: our side of the stream is shut */
	size_t drained;     /* lingering: bytes read and dropped */
	struct upload *upload;    /* a Titan upload under way, or NULL */
	int64_t settle_deadline_ms; /* the answer goes then, published or not */

	/* Owned by the worker: its timer list and the events it polls. */
	struct conn *prev, *next;
	int64_t deadline_ms;
	int timer_list;
	uint32_t events;
};

/* Takes ownership of fd, accepted on listener, and of one reference to
 * gen. NULL (fd closed, the reference kept by the caller) if the TLS
 * session cannot be made. Each request is counted against the peer's
 * allowance in limits. */
struct conn *conn_new(int fd, const struct listener *listener, struct generation *gen,
                      const struct sockaddr_storage *peer, struct ratelimit *limits,
                      int64_t now_ms);
/* Makes all the progress possible without blocking. */
enum conn_want conn_step(struct conn *c);
/* True while the connection is reading its request. */
bool conn_reading(const struct conn *c);
/* True while it is reading an upload's body (its own timeout). */
bool conn_uploading(const struct conn *c);
/* Writes the access line if a request was answered, closes and frees; the
 * generation reference is left to the caller. */
void conn_free(struct conn *c, int64_t now_ms);


#endif
