#include "conn.h"

#include "alloc.h"
#include "answer.h"
#include "clock.h"
#include "gemini.h"
#include "gopher.h"
#include "log.h"
#include "proxy.h"
#include "ratelimit.h"
#include "titan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <time.h>
#include <unistd.h>

/* Engine-side cap on a request, whatever the protocol: a front-end says
 * FRAME_TOO_LONG well before this, so this only bounds memory. */
#define REQUEST_CAP 4096
/* Bytes staged for one write: a small response (head, file, tail) goes out
 * in one call; a large file is read in pieces this big (TLS_PIECE over
 * TLS, where each piece is encrypted into memory before it is sent). */
#define STAGE_LIMIT (64 * 1024)
/* Over TLS a response is encrypted one record's worth at a time, and the
 * next piece only once the records before it have left (TLS_HELD_MAX): a
 * slow reader holds a few dozen kilobytes, not its whole answer, however
 * large the answer is. */
#define TLS_PIECE (16 * 1024)
#define TLS_HELD_MAX (20 * 1024)
/* Plain TCP: at most this much per sendfile call, so one big download
 * does not keep its worker from other connections for long. */
#define SENDFILE_CHUNK (1 << 20)
/* A client that goes on sending past a refused request is read for at
 * most this much before the connection is cut. */
#define LINGER_CAP (8u << 20)

/* How long an upload's answer waits for the site to publish it: the loader
 * publishes within a second; past this the answer goes anyway. */
#define SETTLE_MS 5000

/* The first byte of a TLS handshake record. */
#define TLS_HANDSHAKE_RECORD 0x16

/* What one step of the state machine leaves to do: go on (the state may
 * have changed), wait until the socket is readable or writable, look again
 * in a moment (an upload waiting for the site), or nothing (the
 * connection is over). */
enum step { STEP_AGAIN, STEP_READ, STEP_WRITE, STEP_TICK, STEP_DONE };

/*
 * TLS records are not written to the socket one by one: OpenSSL writes
 * them into a memory buffer, and the connection sends what is there in
 * one send() when it is about to wait (or before it would hold more than
 * TLS_HELD_MAX). The session ticket, the response and the close_notify of
 * a small page leave in one write instead of three or more.
 */
static SSL *buffer_io(SSL *ssl)
{
	BIO *out = ssl ? BIO_new(BIO_s_mem()) : NULL;
	if (out == NULL) {
		SSL_free(ssl);
		return NULL;
	}
	SSL_set0_wbio(ssl, out); /* the socket BIO stays for reading */
	/* And reads take whatever has arrived, not one record header and then
	 * one record body at a time: a handshake is six records. */
	SSL_set_read_ahead(ssl, 1);
	return ssl;
}

static size_t tls_pending(const struct conn *c)
{
	return c->ssl ? BIO_ctrl_pending(SSL_get_wbio(c->ssl)) : 0;
}

/* Sends the buffered records: STEP_WRITE while the socket is full. On a
 * broken socket the rest is dropped and the connection ends. */
static enum step flush_tls(struct conn *c)
{
	if (c->ssl == NULL)
		return STEP_AGAIN;
	BIO *out = SSL_get_wbio(c->ssl);
	char *data;
	size_t len = (size_t)BIO_get_mem_data(out, &data);
	while (c->tls_flushed < len) {
		ssize_t n = send(c->fd, data + c->tls_flushed, len - c->tls_flushed, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return STEP_WRITE;
		if (n < 0) {
			SSL_set_quiet_shutdown(c->ssl, 1);
			c->state = STATE_CLOSED;
			break;
		}
		c->tls_flushed += (size_t)n;
		c->progressed = true;
	}
	(void)BIO_reset(out);
	c->tls_flushed = 0;
	return STEP_AGAIN;
}

static void address_text(const struct sockaddr_storage *ss, char *out, size_t size, int *port)
{
	socklen_t len = ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
	                                          : sizeof(struct sockaddr_in);
	char serv[16] = "0";
	if (getnameinfo((const struct sockaddr *)ss, len, out, (socklen_t)size, serv, sizeof serv,
	                NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(out, size, "?");
	if (port != NULL)
		*port = atoi(serv);
}

/* Where the connection arrived: the listener's own address, unless it
 * listens on a wildcard one (then only the kernel knows which). */
static void local_address(struct conn *c, const struct listener *l)
{
	if (!l->wildcard) {
		snprintf(c->local_addr, sizeof c->local_addr, "%s", l->address);
		c->local_port = l->port;
		return;
	}
	struct sockaddr_storage local;
	socklen_t len = sizeof local;
	if (getsockname(c->fd, (struct sockaddr *)&local, &len) == 0)
		address_text(&local, c->local_addr, sizeof c->local_addr, &c->local_port);
}

struct conn *conn_new(int fd, const struct listener *listener, struct generation *gen,
                      const struct sockaddr_storage *peer, struct ratelimit *limits,
                      int64_t now)
{
	enum output proto = listener->proto;
	SSL *ssl = NULL;
	if (proto == OUTPUT_GEMINI && (ssl = buffer_io(tls_hosts_session(gen->tls, fd))) == NULL) {
		close(fd);
		return NULL;
	}
	/* Only the balancers named may speak for others. */
	if (listener->proxy && !cidr_contains(listener->proxy_from, listener->n_proxy_from, peer)) {
		char who[INET6_ADDRSTRLEN];
		address_text(peer, who, sizeof who, NULL);
		log_warn("%s: may not send a PROXY header to %s (not in proxy_from): refused", who,
		         listener->where);
		SSL_free(ssl);
		close(fd);
		return NULL;
	}
	struct conn *c = xcalloc(1, sizeof *c);
	c->kind = WATCH_CONN;
	c->fd = fd;
	c->proto = proto;
	c->ssl = ssl;
	c->gen = gen;
	c->started_ms = now;
	c->peer = *peer;
	c->limits = limits;
	/* Behind a balancer the client is known, and counted, once its
	 * header is read (step_proxy); otherwise the worker counted it. */
	c->counted = !listener->proxy;
	c->state = listener->proxy ? STATE_PROXY : STATE_READ;
	response_init(&c->res);
	/* TCP_NODELAY comes from the listening socket (listener.c). */
	address_text(peer, c->client_addr, sizeof c->client_addr, NULL);
	local_address(c, listener);
	return c;
}

bool conn_reading(const struct conn *c)
{
	return c->state == STATE_READ || c->state == STATE_PROXY;
}

bool conn_uploading(const struct conn *c)
{
	return c->state == STATE_UPLOAD;
}

/* The bytes read before TLS began are used up: the socket is read next. */
static bool read_socket_next(struct conn *c)
{
	BIO *sock = BIO_new_socket(c->fd, BIO_NOCLOSE);
	if (sock == NULL)
		return false;
	SSL_set0_rbio(c->ssl, sock);
	c->tls_head = false;
	return true;
}

/* What OpenSSL wants after a call that did not complete; a real error
 * ends the connection without close_notify (the session is unusable). */
static enum step ssl_wait(struct conn *c, int rc)
{
	int err = SSL_get_error(c->ssl, rc);
	if (err == SSL_ERROR_WANT_READ && c->tls_head && read_socket_next(c))
		return STEP_AGAIN;
	if (err == SSL_ERROR_WANT_READ)
		return STEP_READ;
	if (err == SSL_ERROR_WANT_WRITE)
		return STEP_WRITE;
	ERR_clear_error();
	if (err != SSL_ERROR_ZERO_RETURN) {
		/* No close_notify on a broken session. */
		SSL_set_quiet_shutdown(c->ssl, 1);
	}
	c->state = err == SSL_ERROR_ZERO_RETURN ? STATE_SHUTDOWN : STATE_CLOSED;
	return STEP_AGAIN;
}

/*
 * A Gopher client may speak TLS on the same port. Rather than peek at the
 * first byte (one more system call per connection), the request is read
 * as plain text; when its first byte starts a TLS handshake, what was read
 * goes to a TLS session through a memory BIO, and the session reads from
 * the socket once that is used up (ssl_wait).
 */
static bool tls_reads_in_first(struct conn *c, SSL *ssl)
{
	BIO *head = ssl ? BIO_new(BIO_s_mem()) : NULL;
	if (head == NULL)
		return false;
	BIO_write(head, c->in.data, (int)c->in.len);
	/* Used up means "wait for more", not end of stream. */
	BIO_set_mem_eof_return(head, -1);
	SSL_set0_rbio(ssl, head);
	c->ssl = ssl;
	c->tls_head = true;
	buf_clear(&c->in);
	return true;
}

static enum step start_tls_after_read(struct conn *c)
{
	SSL *ssl = buffer_io(tls_hosts_session(c->gen->tls, c->fd));
	if (!tls_reads_in_first(c, ssl)) {
		SSL_free(ssl);
		c->state = STATE_CLOSED;
	}
	return STEP_AGAIN;
}

/* Encrypts the next piece of data, once the records before it are few
 * enough to keep; returns how much went, or -1 with *step set. */
static ssize_t send_tls_piece(struct conn *c, const char *data, size_t len, enum step *step)
{
	size_t piece = len < TLS_PIECE ? len : TLS_PIECE;
	size_t held = tls_pending(c);
	if (held > 0 && held + piece > TLS_HELD_MAX) {
		*step = flush_tls(c);
		return -1;
	}
	ERR_clear_error();
	int rc = SSL_write(c->ssl, data, (int)piece);
	if (rc <= 0) {
		*step = ssl_wait(c, rc);
		return -1;
	}
	return rc;
}

/* Sends from data (len bytes left) and moves *off past what went; returns
 * a step when it must wait or stop. */
static enum step send_bytes(struct conn *c, const char *data, size_t len, size_t *off)
{
	ssize_t n;
	if (c->ssl != NULL) {
		enum step step = STEP_AGAIN;
		n = send_tls_piece(c, data, len, &step);
		if (n < 0)
			return step;
	} else {
		n = send(c->fd, data, len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return STEP_WRITE;
		if (n < 0) {
			c->state = STATE_CLOSED;
			return STEP_AGAIN;
		}
	}
	*off += (size_t)n;
	c->bytes_sent += (unsigned long long)n;
	c->progressed = true;
	return STEP_AGAIN;
}

/* A file shorter than the front-end said: the response cannot be whole, so
 * the connection ends without close_notify and the client can tell. */
static enum step file_truncated(struct conn *c)
{
	log_warn("a file shrank while being sent to %s; connection cut", c->client_addr);
	if (c->ssl != NULL)
		SSL_set_quiet_shutdown(c->ssl, 1);
	c->state = STATE_CLOSED;
	return STEP_AGAIN;
}

static enum step send_file_plain(struct conn *c)
{
	size_t chunk = c->file_left > SENDFILE_CHUNK ? SENDFILE_CHUNK : (size_t)c->file_left;
	ssize_t n = sendfile(c->fd, c->res.fd, &c->file_off, chunk);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return STEP_WRITE;
	if (n < 0) {
		c->state = STATE_CLOSED;
		return STEP_AGAIN;
	}
	if (n == 0)
		return file_truncated(c);
	c->file_left -= n;
	c->bytes_sent += (unsigned long long)n;
	c->progressed = true;
	return STEP_AGAIN;
}

static size_t stage_limit(const struct conn *c)
{
	return c->ssl != NULL ? TLS_PIECE : STAGE_LIMIT;
}

/* Fills the empty stage buffer from the file, then the tail if it fits. */
static enum step stage_more(struct conn *c)
{
	size_t limit = stage_limit(c);
	while (c->file_left > 0 && c->out.len < limit) {
		size_t room = limit - c->out.len;
		size_t want = c->file_left < (off_t)room ? (size_t)c->file_left : room;
		buf_reserve(&c->out, want);
		ssize_t n = pread(c->res.fd, c->out.data + c->out.len, want, c->file_off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return file_truncated(c);
		c->out.len += (size_t)n;
		c->out.data[c->out.len] = '\0';
		c->file_off += n;
		c->file_left -= n;
	}
	bool tail_fits = c->out.len == 0 || c->out.len + c->res.tail.len <= limit;
	if (c->file_left == 0 && !c->tail_staged && tail_fits) {
		buf_append(&c->out, c->res.tail.data ? c->res.tail.data : "", c->res.tail.len);
		c->tail_staged = true;
	}
	return STEP_AGAIN;
}

/* Starts writing: the head goes out first, then the shared page if there
 * is one; without one, when the whole response is small, the file and
 * tail are staged behind the head for a single write. */
static void start_response(struct conn *c)
{
	if (c->res.no_reply) {
		c->state = STATE_SHUTDOWN;
		return;
	}
	struct buf head = c->res.head;
	buf_init(&c->res.head);
	buf_free(&c->out);
	c->out = head;
	c->out_off = 0;
	c->file_off = 0;
	c->file_left = c->res.fd >= 0 ? c->res.fd_length : 0;
	c->page_off = 0;
	c->state = STATE_WRITE;
	if (c->res.page == NULL)
		stage_more(c);
}

static void request_info_of(struct conn *c, struct request_info *info)
{
	*info = (struct request_info){
		.rt = c->gen->rt,
		.tls = c->ssl != NULL,
		.sni = c->ssl ? SSL_get_servername(c->ssl, TLSEXT_NAMETYPE_host_name) : NULL,
		.local_addr = c->local_addr,
		.local_port = c->local_port,
		.client_addr = c->client_addr,
		.client_cert_sha256 = NULL,
	};
	if (c->ssl != NULL && tls_peer_fingerprint(c->ssl, c->fingerprint))
		info->client_cert_sha256 = c->fingerprint;
	if (c->ssl != NULL) {
		info->cert_period = tls_peer_cert_period(c->ssl);
		info->resumed = SSL_session_reused(c->ssl);
	}
}

/* Over its allowance: the front-end's "slow down" goes into res. */
static bool too_fast(struct conn *c)
{
	int wait_s = ratelimit_request(c->limits, &c->peer, monotonic_ms());
	if (wait_s > 0 && c->proto == OUTPUT_GEMINI)
		gemini_slow_down(wait_s, &c->res);
	else if (wait_s > 0)
		gopher_slow_down(wait_s, &c->res);
	return wait_s > 0;
}

static void answer(struct conn *c, const char *request, size_t len)
{
	struct request_info info;
	request_info_of(c, &info);
	if (!too_fast(c)) {
		if (c->proto == OUTPUT_GEMINI)
			gemini_respond(&info, request, len, &c->res);
		else
			gopher_respond(&info, request, len, &c->res);
	}
	c->answered = true;
	c->logged_len = request ? len : c->in.len;
	start_response(c);
}

/* A Titan request line on the Gemini port: refused at once (the body,
 * if the client sends it, is drained), or its body is read next. */
static void begin_upload(struct conn *c, size_t len)
{
	struct request_info info;
	request_info_of(c, &info);
	c->answered = true;
	c->logged_len = len;
	if (!too_fast(c))
		c->upload = upload_begin(&info, c->in.data, len, &c->res);
	if (c->upload == NULL) {
		c->linger = true;
		start_response(c);
		return;
	}
	/* What came with the request line is the body's beginning. */
	size_t after = len + 2;
	upload_take(c->upload, c->in.data + after, c->in.len - after);
	c->in.len = after;
	c->in.data[after] = '\0';
	c->state = STATE_UPLOAD;
}

static enum step frame(struct conn *c)
{
	size_t len = 0;
	enum frame_result r = c->proto == OUTPUT_GEMINI ? gemini_frame(c->in.data, c->in.len, &len)
	                                                : gopher_frame(c->in.data, c->in.len, &len);
	if (r == FRAME_MORE && c->in.len >= REQUEST_CAP)
		r = FRAME_TOO_LONG;
	switch (r) {
	case FRAME_MORE:
		return STEP_AGAIN;
	case FRAME_COMPLETE:
		if (c->proto == OUTPUT_GEMINI && titan_is_request(c->in.data, len))
			begin_upload(c, len);
		else
			answer(c, c->in.data, len);
		return STEP_AGAIN;
	case FRAME_TOO_LONG:
		answer(c, NULL, 0);
		c->linger = true;
		return STEP_AGAIN;
	case FRAME_DROP:
		c->state = STATE_SHUTDOWN;
		return STEP_AGAIN;
	}
	return STEP_AGAIN;
}

static enum step step_read(struct conn *c)
{
	size_t room = REQUEST_CAP - c->in.len;
	buf_reserve(&c->in, room);
	ssize_t n;
	if (c->ssl != NULL) {
		ERR_clear_error();
		int rc = SSL_read(c->ssl, c->in.data + c->in.len, (int)room);
		if (rc <= 0)
			return ssl_wait(c, rc);
		n = rc;
	} else {
		n = recv(c->fd, c->in.data + c->in.len, room, 0);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return STEP_READ;
		if (n <= 0) {
			c->state = STATE_CLOSED;
			return STEP_AGAIN;
		}
	}
	bool first = c->in.len == 0;
	c->in.len += (size_t)n;
	c->in.data[c->in.len] = '\0';
	if (first && c->ssl == NULL && c->proto == OUTPUT_GOPHER &&
	    (unsigned char)c->in.data[0] == TLS_HANDSHAKE_RECORD)
		return start_tls_after_read(c);
	return frame(c);
}

/* The settings in force now: the newest generation after the one the
 * connection holds (each holds the next, so none is freed on the way). */
static const struct runtime *settings_now(const struct conn *c)
{
	struct generation *g = c->gen;
	struct generation *next;
	while ((next = atomic_load(&g->successor)) != NULL)
		g = next;
	return g->rt;
}

/* The header is read: the client it names is the connection's from now
 * on (limits, log), and what followed it is the request's start. */
static enum step proxy_done(struct conn *c, const struct proxy_header *h)
{
	if (h->source.ss_family != AF_UNSPEC) {
		c->peer = h->source;
		address_text(&c->peer, c->client_addr, sizeof c->client_addr, NULL);
	}
	if (!ratelimit_connect(c->limits, &c->peer, monotonic_ms())) {
		c->state = STATE_CLOSED; /* over its share of connections */
		return STEP_AGAIN;
	}
	c->counted = true;
	size_t rest = c->in.len - h->length;
	memmove(c->in.data, c->in.data + h->length, rest);
	c->in.len = rest;
	c->in.data[rest] = '\0';
	c->state = STATE_READ;
	if (rest == 0)
		return STEP_AGAIN;
	if (c->ssl != NULL) {
		SSL *ssl = c->ssl;
		c->ssl = NULL;
		if (!tls_reads_in_first(c, ssl)) {
			SSL_free(ssl);
			c->state = STATE_CLOSED;
		}
		return STEP_AGAIN;
	}
	if (c->proto == OUTPUT_GOPHER && (unsigned char)c->in.data[0] == TLS_HANDSHAKE_RECORD)
		return start_tls_after_read(c);
	return frame(c);
}

/* The PROXY header, read as it comes (what follows it may come along). */
static enum step step_proxy(struct conn *c)
{
	buf_reserve(&c->in, PROXY_HEADER_MAX + 1);
	ssize_t n = recv(c->fd, c->in.data + c->in.len, PROXY_HEADER_MAX - c->in.len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return STEP_READ;
	if (n <= 0) {
		c->state = STATE_CLOSED;
		return STEP_AGAIN;
	}
	c->in.len += (size_t)n;
	struct proxy_header h;
	const char *reason;
	enum proxy_result r = proxy_parse((const unsigned char *)c->in.data, c->in.len, &h, &reason);
	if (r == PROXY_DONE)
		return proxy_done(c, &h);
	if (r == PROXY_MORE && c->in.len < PROXY_HEADER_MAX)
		return STEP_READ;
	log_warn("%s: %s: connection refused", c->client_addr, reason ? reason : "PROXY header too long");
	c->state = STATE_CLOSED;
	return STEP_AGAIN;
}

/* The body is whole: written (or refused) now; the answer may wait for
 * the site to publish. */
static void upload_received(struct conn *c)
{
	if (upload_finish(c->upload, settings_now(c), &c->res)) {
		start_response(c);
		return;
	}
	c->settle_deadline_ms = monotonic_ms() + SETTLE_MS;
	c->state = STATE_SETTLE;
}

static enum step step_upload(struct conn *c)
{
	while (upload_missing(c->upload) > 0) {
		char chunk[16384];
		size_t want = upload_missing(c->upload);
		int room = (int)(want < sizeof chunk ? want : sizeof chunk);
		ssize_t n;
		if (c->ssl != NULL) {
			ERR_clear_error();
			int rc = SSL_read(c->ssl, chunk, room);
			if (rc <= 0)
				return ssl_wait(c, rc);
			n = rc;
		} else {
			n = recv(c->fd, chunk, (size_t)room, 0);
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				return STEP_READ;
			if (n <= 0) {
				c->state = STATE_CLOSED;
				return STEP_AGAIN;
			}
		}
		upload_take(c->upload, chunk, (size_t)n);
	}
	upload_received(c);
	return STEP_AGAIN;
}

static enum step step_settle(struct conn *c)
{
	if (!upload_settled(c->upload, monotonic_ms() >= c->settle_deadline_ms, &c->res))
		return STEP_TICK;
	start_response(c);
	return STEP_AGAIN;
}

static enum step step_write(struct conn *c)
{
	if (c->out_off < c->out.len)
		return send_bytes(c, c->out.data + c->out_off, c->out.len - c->out_off, &c->out_off);
	const struct answer *page = c->res.page;
	if (page != NULL && c->page_off < page->len)
		return send_bytes(c, page->data + c->page_off, page->len - c->page_off, &c->page_off);
	buf_clear(&c->out);
	c->out_off = 0;
	if (c->file_left == 0 && c->tail_staged) {
		c->state = STATE_SHUTDOWN;
		return STEP_AGAIN;
	}
	/* Plain TCP: a large file goes straight from the page cache. */
	if (c->ssl == NULL && c->file_left > STAGE_LIMIT)
		return send_file_plain(c);
	return stage_more(c);
}

/* The response is out. A client still sending its (too long) request gets
 * its unread bytes drained first: closing on them would make the kernel
 * answer with a reset, which can destroy the answer before it is read. */
static void response_done(struct conn *c)
{
	c->state = c->linger ? STATE_LINGER : STATE_CLOSED;
}

static enum step step_shutdown(struct conn *c)
{
	if (c->ssl == NULL || SSL_get_quiet_shutdown(c->ssl) || !SSL_is_init_finished(c->ssl)) {
		response_done(c);
		return STEP_AGAIN;
	}
	ERR_clear_error();
	int rc = SSL_shutdown(c->ssl);
	if (rc >= 0) {
		/* Our close_notify is out; the client's is not awaited. */
		response_done(c);
		return STEP_AGAIN;
	}
	int err = SSL_get_error(c->ssl, rc);
	if (err == SSL_ERROR_WANT_WRITE)
		return STEP_WRITE;
	if (err == SSL_ERROR_WANT_READ)
		return STEP_READ;
	ERR_clear_error();
	c->state = STATE_CLOSED;
	return STEP_AGAIN;
}

/* Reads and drops what the client still sends, up to LINGER_CAP bytes;
 * the idle timer bounds how long. */
static enum step step_linger(struct conn *c)
{
	if (!c->write_closed) {
		if (flush_tls(c) == STEP_WRITE)
			return STEP_WRITE;
		shutdown(c->fd, SHUT_WR);
		c->write_closed = true;
	}
	char sink[16384];
	for (;;) {
		ssize_t n = recv(c->fd, sink, sizeof sink, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return STEP_READ;
		c->drained += n > 0 ? (size_t)n : 0;
		if (n <= 0 || c->drained > LINGER_CAP) {
			c->state = STATE_CLOSED;
			return STEP_AGAIN;
		}
	}
}

enum conn_want conn_step(struct conn *c)
{
	for (;;) {
		if (tls_pending(c) > TLS_HELD_MAX && flush_tls(c) == STEP_WRITE)
			return CONN_WANT_WRITE;
		enum step s = STEP_DONE;
		switch (c->state) {
		case STATE_PROXY:
			s = step_proxy(c);
			break;
		case STATE_READ:
			s = step_read(c);
			break;
		case STATE_UPLOAD:
			s = step_upload(c);
			break;
		case STATE_SETTLE:
			s = step_settle(c);
			break;
		case STATE_WRITE:
			s = step_write(c);
			break;
		case STATE_SHUTDOWN:
			s = step_shutdown(c);
			break;
		case STATE_LINGER:
			s = step_linger(c);
			break;
		case STATE_CLOSED:
			s = STEP_DONE;
			break;
		}
		if (s == STEP_AGAIN)
			continue;
		/* About to wait or to close: what TLS wrote goes out now. */
		if (flush_tls(c) == STEP_WRITE)
			return CONN_WANT_WRITE;
		if (c->state == STATE_CLOSED)
			return CONN_FINISHED;
		if (s == STEP_READ)
			return CONN_WANT_READ;
		if (s == STEP_WRITE)
			return CONN_WANT_WRITE;
		if (s == STEP_TICK)
			return CONN_WANT_TICK;
		return CONN_FINISHED;
	}
}

static void log_request(const struct conn *c, int64_t now)
{
	const struct runtime *rt = c->gen->rt;
	struct access_entry entry = {
		.protocol = c->proto == OUTPUT_GEMINI ? "gemini" : "gopher",
		.client_addr = rt->config.log_client_addr ? c->client_addr : NULL,
		.host = c->ssl ? SSL_get_servername(c->ssl, TLSEXT_NAMETYPE_host_name) : NULL,
		.request = c->in.data,
		.request_len = c->logged_len,
		.status = c->res.status,
		.bytes = c->bytes_sent,
		.milliseconds = (long)(now - c->started_ms),
	};
	log_access(&entry);
}

/* A connection cut short (timeout, stop) still says goodbye if its socket
 * has room for it; nothing waits for that. */
static void last_close_notify(SSL *ssl)
{
	if (ssl == NULL || !SSL_is_init_finished(ssl) || SSL_get_quiet_shutdown(ssl) ||
	    (SSL_get_shutdown(ssl) & SSL_SENT_SHUTDOWN))
		return;
	ERR_clear_error();
	SSL_shutdown(ssl);
	ERR_clear_error();
}

void conn_free(struct conn *c, int64_t now)
{
	if (c->answered)
		log_request(c, now);
	last_close_notify(c->ssl);
	flush_tls(c); /* one try: nothing waits for a slow socket here */
	SSL_free(c->ssl);
	close(c->fd);
	response_free(&c->res);
	upload_free(c->upload);
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
}
