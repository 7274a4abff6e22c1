/*
 * floor: the least a server can do per request, as a yardstick for Kabar.
 *
 * It answers from memory with bytes captured from Kabar itself (header
 * included), so the only work left is the part no server can skip: accept,
 * TLS handshake (Gemini), read the request line, write, close_notify, close.
 * `make bench` reports Kabar's CPU per request divided by this one's for
 * each kind of page: a ratio near 1 means the page costs Kabar no more than
 * a canned answer would.
 *
 * Deliberately naive: blocking sockets, one thread per core each blocked in
 * accept(2) on the shared listener, no timeouts. Loopback only.
 *
 *   floor --gemini|--gopher --port N --table DIR [--cert F --key F] [--threads N]
 *
 * DIR holds the captured answers: a file "index" with one line per answer,
 * "REQUEST<TAB>FILE", read once at start. REQUEST is the Gopher selector
 * line as sent (without CRLF), or for Gemini the URL's path and query
 * (whatever host and port the client names).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct answer {
	char *request;
	char *bytes;
	size_t len;
};

struct floor_server {
	bool gemini;
	int listen_fd;
	SSL_CTX *ctx;
	struct answer *answers;
	size_t n_answers;
};

static const char not_found_gemini[] = "51 Not found\r\n";
static const char not_found_gopher[] = "3Not found\t\terror.host\t1\r\n.\r\n";

static void die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	exit(1);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		die(path);
	size_t cap = 65536, n = 0;
	char *data = malloc(cap);
	size_t got;
	while (data != NULL && (got = fread(data + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			data = realloc(data, cap *= 2);
	}
	fclose(f);
	if (data == NULL)
		die("memory");
	*len = n;
	return data;
}

static void load_table(struct floor_server *srv, const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/index", dir);
	FILE *index = fopen(path, "r");
	if (index == NULL)
		die(path);
	char line[4096];
	while (fgets(line, sizeof line, index) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		char *tab = strrchr(line, '\t');
		if (tab == NULL)
			continue;
		*tab = '\0';
		srv->answers = realloc(srv->answers, (srv->n_answers + 1) * sizeof *srv->answers);
		if (srv->answers == NULL)
			die("memory");
		struct answer *a = &srv->answers[srv->n_answers++];
		a->request = strdup(line);
		snprintf(path, sizeof path, "%s/%s", dir, tab + 1);
		a->bytes = read_file(path, &a->len);
	}
	fclose(index);
}

static const struct answer *find_answer(const struct floor_server *srv, const char *request)
{
	if (srv->gemini && strncmp(request, "gemini://", 9) == 0) {
		const char *path = strchr(request + 9, '/');
		request = path ? path : "/";
	}
	for (size_t i = 0; i < srv->n_answers; i++)
		if (strcmp(srv->answers[i].request, request) == 0)
			return &srv->answers[i];
	return NULL;
}

/* Reads up to CRLF (or LF) into line, a chunk at a time as a real server
 * would; false if the client went away first. */
static bool read_line(SSL *ssl, int fd, char *line, size_t cap)
{
	size_t n = 0;
	while (n + 1 < cap) {
		int got = ssl ? SSL_read(ssl, line + n, (int)(cap - 1 - n))
		              : (int)read(fd, line + n, cap - 1 - n);
		if (got <= 0)
			return false;
		char *end = memchr(line + n, '\n', (size_t)got);
		n += (size_t)got;
		if (end != NULL) {
			if (end > line && end[-1] == '\r')
				end--;
			*end = '\0';
			return true;
		}
	}
	return false;
}

static void write_all(SSL *ssl, int fd, const char *data, size_t len)
{
	while (len > 0) {
		int put = ssl ? SSL_write(ssl, data, (int)len) : (int)write(fd, data, len);
		if (put <= 0)
			return;
		data += put;
		len -= (size_t)put;
	}
}

static void serve_one(const struct floor_server *srv, int fd)
{
	SSL *ssl = NULL;
	if (srv->gemini) {
		ssl = SSL_new(srv->ctx);
		SSL_set_fd(ssl, fd);
		if (SSL_accept(ssl) != 1)
			goto done;
	}
	char line[1100];
	if (!read_line(ssl, fd, line, sizeof line))
		goto done;
	const struct answer *a = find_answer(srv, line);
	if (a != NULL)
		write_all(ssl, fd, a->bytes, a->len);
	else if (srv->gemini)
		write_all(ssl, fd, not_found_gemini, sizeof not_found_gemini - 1);
	else
		write_all(ssl, fd, not_found_gopher, sizeof not_found_gopher - 1);
	if (ssl != NULL)
		SSL_shutdown(ssl);
done:
	SSL_free(ssl);
	close(fd);
}

static void *accept_loop(void *arg)
{
	const struct floor_server *srv = arg;
	for (;;) {
		int fd = accept(srv->listen_fd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("accept");
		}
		serve_one(srv, fd);
	}
	return NULL;
}

static int listen_on(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int on = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0 || listen(fd, 4096) != 0)
		die("listen");
	return fd;
}

static SSL_CTX *make_ctx(const char *cert, const char *key)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		ERR_print_errors_fp(stderr);
		exit(1);
	}
	return ctx;
}

int main(int argc, char **argv)
{
	struct floor_server srv = {0};
	const char *cert = NULL, *key = NULL, *table = NULL;
	int port = 0, threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--gemini") == 0)
			srv.gemini = true;
		else if (strcmp(argv[i], "--gopher") == 0)
			srv.gemini = false;
		else if (i + 1 < argc && strcmp(argv[i], "--port") == 0)
			port = atoi(argv[++i]);
		else if (i + 1 < argc && strcmp(argv[i], "--table") == 0)
			table = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--cert") == 0)
			cert = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--key") == 0)
			key = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--threads") == 0)
			threads = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: floor --gemini|--gopher --port N --table DIR "
			                "[--cert F --key F] [--threads N]\n");
			return 2;
		}
	}
	if (table == NULL || port <= 0 || (srv.gemini && (cert == NULL || key == NULL))) {
		fprintf(stderr, "floor: --port, --table (and for Gemini --cert, --key) are needed\n");
		return 2;
	}
	load_table(&srv, table);
	if (srv.gemini)
		srv.ctx = make_ctx(cert, key);
	srv.listen_fd = listen_on(port);
	printf("listening %s 127.0.0.1:%d\n", srv.gemini ? "gemini" : "gopher", port);
	fflush(stdout);
	if (threads < 1)
		threads = 1;
	for (int i = 1; i < threads; i++) {
		pthread_t t;
		pthread_create(&t, NULL, accept_loop, &srv);
		pthread_detach(t);
	}
	accept_loop(&srv);
	return 0;
}
