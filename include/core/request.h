#ifndef KABAR_REQUEST_H
#define KABAR_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

/*
 * What the connection engine (conn.c) and the front-ends (gemini.c,
 * gopher.c) exchange: the engine frames a request out of the bytes read,
 * hands it over with what it knows of the connection, and writes back the
 * response the front-end fills in. A front-end never touches a socket.
 */

struct runtime;

enum frame_result {
	FRAME_MORE,     /* no complete request yet: read more */
	FRAME_COMPLETE, /* *request_len bytes (terminator excluded) are a request */
	FRAME_TOO_LONG, /* over the protocol's limit: answer with the front-end's error */
	FRAME_DROP,     /* malformed framing: close without a response */
};

enum cert_period { CERT_IN_PERIOD, CERT_NOT_YET_VALID, CERT_EXPIRED };

struct request_info {
	const struct runtime *rt;       /* configuration and sites in force */
	bool tls;                       /* the request came over TLS */
	const char *sni;                /* server name the client sent, or NULL */
	const char *local_addr;         /* address the request arrived on (text) */
	int local_port;                 /* port the request arrived on */
	const char *client_addr;        /* the peer's address (text) */
	const char *client_cert_sha256; /* hex fingerprint, or NULL */
	/* Where now falls in the client certificate's notBefore..notAfter:
	 * CERT_IN_PERIOD (or no certificate), CERT_NOT_YET_VALID, CERT_EXPIRED. */
	enum cert_period cert_period;
	bool resumed; /* the TLS session was resumed (no certificate is asked for then) */
};

struct answer; /* answer.h */

struct response {
	struct buf head;  /* written first: header and any in-memory body */
	struct answer *page; /* then this shared answer (held), if any */
	int fd;           /* then this file is streamed, if fd >= 0 */
	off_t fd_length;  /* bytes to stream from fd */
	struct buf tail;  /* then these bytes (e.g. Gopher's ".\r\n") */
	bool no_reply;    /* close without writing anything */
	int status;       /* for the access log: Gemini status, or Gopher 0/3 */
};

void response_init(struct response *res);
/* Releases everything the response holds (buffers, file). */
void response_free(struct response *res);

#endif
