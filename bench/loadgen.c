/*
 * loadgen: Kabar's load generator. Speaks Gemini (TLS, full handshakes or
 * resumed sessions) and Gopher (plain or TLS) over non-blocking sockets from
 * several threads, checks every response, and reports requests/s, latency
 * percentiles and bytes/s. It only targets loopback addresses and stops by
 * itself after a duration or a request count.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum protocol { PROTO_GEMINI, PROTO_GOPHER };

enum error_kind {
	ERR_CONNECT,
	ERR_HANDSHAKE,
	ERR_STATUS,
	ERR_SHORT_BODY,
	ERR_NO_CLOSE_NOTIFY,
	ERR_RESET,
	ERR_TIMEOUT,
	ERR_KINDS,
};

static const char *error_names[ERR_KINDS] = {
	"connect", "handshake", "status", "body-length", "no-close-notify", "reset", "timeout",
};

struct options {
	enum protocol proto;
	bool tls;
	bool resume;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	const char *host; /* for the Gemini URL and SNI */
	int port;
	int concurrency;
	int threads;
	double duration;
	long requests;
	char **paths;
	int n_paths;
	bool json;
	int timeout_ms;
};

enum conn_state { CONN_IDLE, CONN_CONNECTING, CONN_HANDSHAKE, CONN_WRITING, CONN_READING };

struct conn {
	int fd;
	SSL *ssl;
	enum conn_state state;
	int path_index;
	char request[1100];
	size_t request_len, request_sent;
	size_t received;
	char head[1100]; /* the first bytes: the Gemini header or Gopher's start */
	size_t head_len;
	char tailbytes[3]; /* the last three bytes, for Gopher's ".\r\n" */
	double started;
	bool restart; /* failed before its first event: start again from the loop */
};

struct worker {
	pthread_t thread;
	const struct options *opt;
	SSL_CTX *ctx;
	SSL_SESSION *session; /* the last session, for resumption */
	int epfd;
	struct conn *conns;
	int n_conns;
	int active;
	long done, failed, resumed;
	long errors[ERR_KINDS];
	unsigned long long bytes;
	double *latencies;
	size_t n_latencies, cap_latencies;
};

/* Body length seen first for each path: later answers must match it. */
static _Atomic long long *expected_length;
static atomic_long requests_started;
static double deadline;

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr,
	        "usage: loadgen --gemini|--gopher [--tls] [--resume] [--host NAME]\n"
	        "               [--addr 127.0.0.1|::1] --port N [--concurrency C] [--threads T]\n"
	        "               [--duration SECONDS | --requests N] [--json] PATH...\n");
	exit(2);
}

static bool loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
		return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	return false;
}

static void parse_addr(struct options *opt, const char *text)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&opt->addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&opt->addr;
	memset(&opt->addr, 0, sizeof opt->addr);
	if (inet_pton(AF_INET, text, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		opt->addr_len = sizeof *in;
	} else if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		opt->addr_len = sizeof *in6;
	} else {
		fprintf(stderr, "loadgen: %s is not an IP address\n", text);
		exit(2);
	}
	if (!loopback(&opt->addr)) {
		fprintf(stderr, "loadgen: refusing %s: only loopback addresses are targets\n", text);
		exit(2);
	}
}

static long parse_number(const char *text, long min, long max)
{
	char *end;
	long v = strtol(text, &end, 10);
	if (*end != '\0' || v < min || v > max)
		usage();
	return v;
}

static void add_path(struct options *opt, char *path)
{
	char **grown = realloc(opt->paths, sizeof(char *) * (size_t)(opt->n_paths + 1));
	if (grown == NULL) {
		perror("loadgen");
		exit(1);
	}
	opt->paths = grown;
	opt->paths[opt->n_paths++] = path;
}

static void parse_options(int argc, char **argv, struct options *opt)
{
	memset(opt, 0, sizeof *opt);
	opt->proto = PROTO_GEMINI;
	opt->host = "localhost";
	opt->concurrency = 1;
	opt->threads = 2;
	opt->timeout_ms = 10000;
	parse_addr(opt, "127.0.0.1");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_value = i + 1 < argc;
		if (strcmp(a, "--gemini") == 0) {
			opt->proto = PROTO_GEMINI;
		} else if (strcmp(a, "--gopher") == 0) {
			opt->proto = PROTO_GOPHER;
		} else if (strcmp(a, "--tls") == 0) {
			opt->tls = true;
		} else if (strcmp(a, "--resume") == 0) {
			opt->resume = true;
		} else if (strcmp(a, "--json") == 0) {
			opt->json = true;
		} else if (strcmp(a, "--host") == 0 && has_value) {
			opt->host = argv[++i];
		} else if (strcmp(a, "--addr") == 0 && has_value) {
			parse_addr(opt, argv[++i]);
		} else if (strcmp(a, "--port") == 0 && has_value) {
			opt->port = (int)parse_number(argv[++i], 1, 65535);
		} else if (strcmp(a, "--concurrency") == 0 && has_value) {
			opt->concurrency = (int)parse_number(argv[++i], 1, 1024);
		} else if (strcmp(a, "--threads") == 0 && has_value) {
			opt->threads = (int)parse_number(argv[++i], 1, 64);
		} else if (strcmp(a, "--duration") == 0 && has_value) {
			opt->duration = strtod(argv[++i], NULL);
			if (!(opt->duration > 0 && opt->duration <= 600))
				usage();
		} else if (strcmp(a, "--requests") == 0 && has_value) {
			opt->requests = parse_number(argv[++i], 1, 100000000);
		} else if (a[0] == '-') {
			usage();
		} else {
			add_path(opt, argv[i]);
		}
	}
	if (opt->port == 0 || opt->n_paths == 0)
		usage();
	if (opt->proto == PROTO_GEMINI)
		opt->tls = true;
	if (opt->duration == 0 && opt->requests == 0)
		opt->duration = 5;
	if (opt->threads > opt->concurrency)
		opt->threads = opt->concurrency;
	/* sin_port and sin6_port sit at the same offset. */
	((struct sockaddr_in *)&opt->addr)->sin_port = htons((uint16_t)opt->port);
}

static void record_latency(struct worker *w, double seconds)
{
	if (w->n_latencies == w->cap_latencies) {
		w->cap_latencies = w->cap_latencies ? w->cap_latencies * 2 : 4096;
		double *grown = realloc(w->latencies, w->cap_latencies * sizeof(double));
		if (grown == NULL) {
			perror("loadgen");
			exit(1);
		}
		w->latencies = grown;
	}
	w->latencies[w->n_latencies++] = seconds;
}

/* Takes the next request slot, or false when the run is over. */
static bool claim_request(const struct options *opt)
{
	if (opt->requests > 0)
		return atomic_fetch_add(&requests_started, 1) < opt->requests;
	return now_seconds() < deadline;
}

static void conn_close(struct worker *w, struct conn *c)
{
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	c->ssl = NULL;
	if (c->fd >= 0) {
		epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	c->fd = -1;
	c->state = CONN_IDLE;
}

static void wait_for(struct worker *w, struct conn *c, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = c};
	epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void start_request(struct worker *w, struct conn *c);

static void fail(struct worker *w, struct conn *c, enum error_kind kind)
{
	w->failed++;
	w->errors[kind]++;
	conn_close(w, c);
	start_request(w, c);
}

static void build_request(const struct options *opt, struct conn *c)
{
	const char *path = opt->paths[c->path_index];
	int n;
	if (opt->proto == PROTO_GEMINI)
		n = snprintf(c->request, sizeof c->request, "gemini://%s:%d%s\r\n", opt->host,
		             opt->port, path);
	else
		n = snprintf(c->request, sizeof c->request, "%s\r\n", path);
	c->request_len = (n > 0 && (size_t)n < sizeof c->request) ? (size_t)n : 0;
	c->request_sent = 0;
}

static void start_request(struct worker *w, struct conn *c)
{
	const struct options *opt = w->opt;
	if (!claim_request(opt)) {
		w->active--;
		return;
	}
	c->path_index = (c->path_index + 1) % opt->n_paths;
	build_request(opt, c);
	c->received = 0;
	c->head_len = 0;
	memset(c->tailbytes, 0, sizeof c->tailbytes);
	c->started = now_seconds();
	c->fd = socket(opt->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		w->failed++;
		w->errors[ERR_CONNECT]++;
		w->active--;
		return;
	}
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	c->state = CONN_CONNECTING;
	struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
	epoll_ctl(w->epfd, EPOLL_CTL_ADD, c->fd, &ev);
	if (connect(c->fd, (struct sockaddr *)&opt->addr, opt->addr_len) < 0 && errno != EINPROGRESS) {
		/* Restarted from the loop, not from here, so that a refused
		 * port cannot recurse. */
		w->failed++;
		w->errors[ERR_CONNECT]++;
		conn_close(w, c);
		c->restart = true;
	}
}

static void restart_failed(struct worker *w)
{
	for (int i = 0; i < w->n_conns; i++) {
		struct conn *c = &w->conns[i];
		if (c->restart) {
			c->restart = false;
			start_request(w, c);
		}
	}
}

/* The body length (after the Gemini header) must match the first answer. */
static bool length_matches(const struct options *opt, struct conn *c)
{
	long long body = (long long)c->received;
	if (opt->proto == PROTO_GEMINI) {
		const char *crlf = memchr(c->head, '\n', c->head_len);
		if (crlf == NULL)
			return false;
		body -= (long long)(crlf + 1 - c->head);
	}
	long long unset = -1;
	if (atomic_compare_exchange_strong(&expected_length[c->path_index], &unset, body))
		return true;
	return atomic_load(&expected_length[c->path_index]) == body;
}

static void finish(struct worker *w, struct conn *c, bool close_notify)
{
	const struct options *opt = w->opt;
	if (opt->proto == PROTO_GEMINI && (c->head_len < 3 || c->head[0] != '2')) {
		fail(w, c, ERR_STATUS);
		return;
	}
	if (opt->proto == PROTO_GOPHER && c->head_len > 0 && c->head[0] == '3') {
		fail(w, c, ERR_STATUS);
		return;
	}
	if (opt->tls && !close_notify) {
		fail(w, c, ERR_NO_CLOSE_NOTIFY);
		return;
	}
	if (!length_matches(opt, c)) {
		fail(w, c, ERR_SHORT_BODY);
		return;
	}
	if (c->ssl != NULL && opt->resume) {
		SSL_SESSION *s = SSL_get1_session(c->ssl);
		if (s != NULL) {
			SSL_SESSION_free(w->session);
			w->session = s;
		}
		SSL_shutdown(c->ssl);
	} else if (c->ssl != NULL) {
		SSL_shutdown(c->ssl);
	}
	w->done++;
	w->bytes += c->received;
	record_latency(w, now_seconds() - c->started);
	conn_close(w, c);
	start_request(w, c);
}

static void keep_bytes(struct conn *c, const char *data, size_t n)
{
	size_t room = sizeof c->head - c->head_len;
	size_t take = n < room ? n : room;
	memcpy(c->head + c->head_len, data, take);
	c->head_len += take;
	c->received += n;
}

static void on_connected(struct worker *w, struct conn *c)
{
	int err = 0;
	socklen_t len = sizeof err;
	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err != 0) {
		fail(w, c, ERR_CONNECT);
		return;
	}
	if (!w->opt->tls) {
		c->state = CONN_WRITING;
		return;
	}
	c->ssl = SSL_new(w->ctx);
	SSL_set_fd(c->ssl, c->fd);
	if (w->opt->proto == PROTO_GEMINI)
		SSL_set_tlsext_host_name(c->ssl, w->opt->host);
	if (w->opt->resume && w->session != NULL)
		SSL_set_session(c->ssl, w->session);
	c->state = CONN_HANDSHAKE;
}

/* Maps an OpenSSL result to "wait for these events", or 0 on failure. */
static uint32_t ssl_wait(SSL *ssl, int ret)
{
	int e = SSL_get_error(ssl, ret);
	if (e == SSL_ERROR_WANT_READ)
		return EPOLLIN;
	if (e == SSL_ERROR_WANT_WRITE)
		return EPOLLOUT;
	return 0;
}

static void do_handshake(struct worker *w, struct conn *c)
{
	ERR_clear_error();
	int ret = SSL_connect(c->ssl);
	if (ret == 1) {
		if (SSL_session_reused(c->ssl))
			w->resumed++;
		c->state = CONN_WRITING;
		return;
	}
	uint32_t events = ssl_wait(c->ssl, ret);
	if (events == 0)
		fail(w, c, ERR_HANDSHAKE);
	else
		wait_for(w, c, events);
}

static void do_write(struct worker *w, struct conn *c)
{
	while (c->request_sent < c->request_len) {
		const char *p = c->request + c->request_sent;
		int left = (int)(c->request_len - c->request_sent);
		long n;
		if (c->ssl != NULL) {
			ERR_clear_error();
			n = SSL_write(c->ssl, p, left);
			if (n <= 0) {
				uint32_t events = ssl_wait(c->ssl, (int)n);
				if (events == 0)
					fail(w, c, ERR_RESET);
				else
					wait_for(w, c, events);
				return;
			}
		} else {
			n = write(c->fd, p, (size_t)left);
			if (n < 0 && errno == EAGAIN) {
				wait_for(w, c, EPOLLOUT);
				return;
			}
			if (n < 0) {
				fail(w, c, ERR_RESET);
				return;
			}
		}
		c->request_sent += (size_t)n;
	}
	c->state = CONN_READING;
	wait_for(w, c, EPOLLIN);
}

static void do_read_tls(struct worker *w, struct conn *c)
{
	char chunk[16384];
	for (;;) {
		ERR_clear_error();
		int n = SSL_read(c->ssl, chunk, sizeof chunk);
		if (n > 0) {
			keep_bytes(c, chunk, (size_t)n);
			continue;
		}
		int e = SSL_get_error(c->ssl, n);
		if (e == SSL_ERROR_ZERO_RETURN) {
			finish(w, c, true);
		} else if (e == SSL_ERROR_WANT_READ) {
			wait_for(w, c, EPOLLIN);
		} else if (e == SSL_ERROR_WANT_WRITE) {
			wait_for(w, c, EPOLLOUT);
		} else if (c->received > 0) {
			/* The peer closed the TCP stream without a close_notify. */
			finish(w, c, false);
		} else {
			fail(w, c, ERR_RESET);
		}
		return;
	}
}

static void do_read_plain(struct worker *w, struct conn *c)
{
	char chunk[16384];
	for (;;) {
		ssize_t n = read(c->fd, chunk, sizeof chunk);
		if (n > 0) {
			keep_bytes(c, chunk, (size_t)n);
			continue;
		}
		if (n == 0)
			finish(w, c, false);
		else if (errno == EAGAIN)
			wait_for(w, c, EPOLLIN);
		else
			fail(w, c, ERR_RESET);
		return;
	}
}

static void step(struct worker *w, struct conn *c)
{
	switch (c->state) {
	case CONN_CONNECTING:
		on_connected(w, c);
		if (c->state == CONN_HANDSHAKE)
			do_handshake(w, c);
		if (c->state == CONN_WRITING)
			do_write(w, c);
		break;
	case CONN_HANDSHAKE:
		do_handshake(w, c);
		if (c->state == CONN_WRITING)
			do_write(w, c);
		break;
	case CONN_WRITING:
		do_write(w, c);
		break;
	case CONN_READING:
		if (c->ssl != NULL)
			do_read_tls(w, c);
		else
			do_read_plain(w, c);
		break;
	case CONN_IDLE:
		break;
	}
}

static void expire_slow(struct worker *w)
{
	double limit = now_seconds() - w->opt->timeout_ms / 1000.0;
	for (int i = 0; i < w->n_conns; i++) {
		struct conn *c = &w->conns[i];
		if (c->state != CONN_IDLE && c->started < limit)
			fail(w, c, ERR_TIMEOUT);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event events[256];
	for (int i = 0; i < w->n_conns; i++) {
		w->conns[i].fd = -1;
		w->conns[i].path_index = i % w->opt->n_paths;
		w->active++;
		start_request(w, &w->conns[i]);
	}
	double last_sweep = now_seconds();
	while (w->active > 0) {
		int n = epoll_wait(w->epfd, events, 256, 100);
		for (int i = 0; i < n; i++)
			step(w, events[i].data.ptr);
		restart_failed(w);
		if (now_seconds() - last_sweep > 0.1) {
			expire_slow(w);
			last_sweep = now_seconds();
		}
	}
	return NULL;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double percentile(const double *sorted, size_t n, double p)
{
	if (n == 0)
		return 0;
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);
	return sorted[i];
}

static void report(const struct options *opt, struct worker *workers, double seconds)
{
	long done = 0, failed = 0, resumed = 0;
	long errors[ERR_KINDS] = {0};
	unsigned long long bytes = 0;
	size_t n = 0;
	for (int i = 0; i < opt->threads; i++) {
		done += workers[i].done;
		failed += workers[i].failed;
		resumed += workers[i].resumed;
		bytes += workers[i].bytes;
		n += workers[i].n_latencies;
		for (int k = 0; k < ERR_KINDS; k++)
			errors[k] += workers[i].errors[k];
	}
	double *all = malloc((n ? n : 1) * sizeof(double));
	if (all == NULL) {
		perror("loadgen");
		exit(1);
	}
	size_t at = 0;
	for (int i = 0; i < opt->threads; i++) {
		memcpy(all + at, workers[i].latencies, workers[i].n_latencies * sizeof(double));
		at += workers[i].n_latencies;
	}
	qsort(all, n, sizeof(double), compare_double);
	double p50 = percentile(all, n, 0.50) * 1000, p90 = percentile(all, n, 0.90) * 1000;
	double p99 = percentile(all, n, 0.99) * 1000, max = n ? all[n - 1] * 1000 : 0;
	free(all);
	if (opt->json) {
		printf("{\"requests\": %ld, \"errors\": %ld, \"seconds\": %.3f, \"rps\": %.1f, "
		       "\"p50_ms\": %.3f, \"p90_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, "
		       "\"bytes_per_s\": %.0f, \"resumed\": %ld, \"error_kinds\": {",
		       done, failed, seconds, done / seconds, p50, p90, p99, max, bytes / seconds,
		       resumed);
		for (int k = 0; k < ERR_KINDS; k++)
			printf("%s\"%s\": %ld", k ? ", " : "", error_names[k], errors[k]);
		printf("}}\n");
		return;
	}
	printf("requests   %ld in %.2f s: %.1f/s, %.1f KiB/s\n", done, seconds, done / seconds,
	       bytes / seconds / 1024);
	printf("latency    p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms\n", p50, p90, p99, max);
	if (opt->resume)
		printf("resumed    %ld sessions\n", resumed);
	printf("errors     %ld", failed);
	for (int k = 0; k < ERR_KINDS; k++)
		if (errors[k])
			printf("  %s %ld", error_names[k], errors[k]);
	printf("\n");
}

static SSL_CTX *client_context(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL) {
		fprintf(stderr, "loadgen: cannot create a TLS context\n");
		exit(1);
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* Gemini servers use self-signed certificates (trust on first use). */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT);
	return ctx;
}

int main(int argc, char **argv)
{
	struct options opt;
	parse_options(argc, argv, &opt);
	expected_length = malloc(sizeof *expected_length * (size_t)opt.n_paths);
	struct worker *workers = calloc((size_t)opt.threads, sizeof *workers);
	if (expected_length == NULL || workers == NULL) {
		perror("loadgen");
		return 1;
	}
	for (int i = 0; i < opt.n_paths; i++)
		atomic_init(&expected_length[i], -1);
	SSL_CTX *ctx = opt.tls ? client_context() : NULL;
	double start = now_seconds();
	deadline = start + opt.duration;
	for (int i = 0; i < opt.threads; i++) {
		struct worker *w = &workers[i];
		w->opt = &opt;
		w->ctx = ctx;
		w->epfd = epoll_create1(EPOLL_CLOEXEC);
		w->n_conns = opt.concurrency / opt.threads + (i < opt.concurrency % opt.threads);
		w->conns = calloc((size_t)w->n_conns, sizeof *w->conns);
		if (w->epfd < 0 || w->conns == NULL) {
			perror("loadgen");
			return 1;
		}
		pthread_create(&w->thread, NULL, worker_main, w);
	}
	for (int i = 0; i < opt.threads; i++)
		pthread_join(workers[i].thread, NULL);
	double seconds = now_seconds() - start;
	report(&opt, workers, seconds);
	long failed = 0;
	for (int i = 0; i < opt.threads; i++) {
		failed += workers[i].failed;
		SSL_SESSION_free(workers[i].session);
		free(workers[i].conns);
		free(workers[i].latencies);
		close(workers[i].epfd);
	}
	SSL_CTX_free(ctx);
	free(workers);
	free(expected_length);
	free(opt.paths);
	return failed ? 1 : 0;
}
