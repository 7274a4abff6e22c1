#include "tls.h"

#include "alloc.h"
#include "buf.h"

#include "check.h"
#include "testutil.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[64];
static int certs_fd = -1;

static char *path_in_tmp(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static X509 *read_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	X509 *cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	return cert;
}

static char *slurp(const char *path)
{
	size_t len;
	return test_read_file(path, &len);
}

static void test_generated_cert_is_p256_with_names(void)
{
	char *names[] = {"news.example", "www.news.example"};
	char *crt = path_in_tmp("gen.crt");
	char *key = path_in_tmp("gen.key");
	struct buf errors = {0};
	CHECK_INT(tls_generate_cert(names, 2, AT_FDCWD, crt, key, (uid_t)-1, (gid_t)-1, &errors), 0);
	CHECK_INT(errors.len, 0);

	X509 *cert = read_cert(crt);
	CHECK(cert != NULL);
	if (cert != NULL) {
		EVP_PKEY *pub = X509_get0_pubkey(cert);
		CHECK_INT(EVP_PKEY_get_base_id(pub), EVP_PKEY_EC);
		char group[64] = "";
		EVP_PKEY_get_group_name(pub, group, sizeof group, NULL);
		CHECK_STR(group, "prime256v1");
		CHECK_INT(X509_check_host(cert, "news.example", 0, 0, NULL), 1);
		CHECK_INT(X509_check_host(cert, "WWW.news.example", 0, 0, NULL), 1);
		CHECK_INT(X509_check_host(cert, "other.example", 0, 0, NULL), 0);
		CHECK_INT(X509_check_ip_asc(cert, "127.0.0.1", 0), 1);
		CHECK_INT(X509_check_ip_asc(cert, "::1", 0), 1);
		time_t ten_years = time(NULL) + 10L * 366 * 24 * 3600;
		CHECK(X509_cmp_time(X509_get0_notAfter(cert), &ten_years) > 0);
		CHECK(X509_cmp_current_time(X509_get0_notBefore(cert)) < 0);
		X509_free(cert);
	}
	struct stat st;
	CHECK_INT(stat(key, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	CHECK_INT(stat(crt, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0644);
	buf_free(&errors);
	free(crt);
	free(key);
}

static void test_no_name_is_an_error(void)
{
	struct buf errors = {0};
	CHECK_INT(tls_generate_cert(NULL, 0, AT_FDCWD, "x.crt", "x.key", (uid_t)-1, (gid_t)-1, &errors), -1);
	CHECK(strstr(errors.data, "no host name") != NULL);
	buf_free(&errors);
}

static void test_host_matching(void)
{
	CHECK(tls_host_matches("news.example", "news.example"));
	CHECK(tls_host_matches("news.example", "NEWS.Example"));
	CHECK(tls_host_matches("news.example", "news.example."));
	CHECK(tls_host_matches("news.example.", "news.example"));
	CHECK(!tls_host_matches("news.example", "news.example.."));
	CHECK(!tls_host_matches("news.example", "news.exampl"));
	CHECK(!tls_host_matches("news.example", "xnews.example"));
	CHECK(!tls_host_matches("news.example", ""));
	CHECK(!tls_host_matches("", "."));
}

/* Two virtual hosts; certificates live in tmpdir/certs. */
/* a.example (the default host) and b.example, also called alias.example. */
static char *a_names[] = {"a.example"};
static char *b_names[] = {"b.example", "alias.example"};

static struct config two_hosts(void)
{
	struct config cfg = {0};
	cfg.certs_dir = path_in_tmp("certs");
	cfg.n_vhosts = 2;
	cfg.vhosts = xcalloc(2, sizeof *cfg.vhosts);
	cfg.vhosts[0].names = a_names;
	cfg.vhosts[0].n_names = 1;
	cfg.vhosts[1].names = b_names;
	cfg.vhosts[1].n_names = 2;
	return cfg;
}

static void free_hosts_config(struct config *cfg)
{
	free(cfg->certs_dir);
	free(cfg->vhosts);
}

static void test_hosts_generate_then_load(void)
{
	struct config cfg = two_hosts();
	struct buf errors = {0};
	struct tls_hosts *hosts = tls_hosts_new(&cfg, certs_fd, (uid_t)-1, (gid_t)-1, &errors);
	CHECK(hosts != NULL);
	CHECK_INT(errors.len, 0);
	tls_hosts_free(hosts);

	struct stat st;
	CHECK_INT(stat(cfg.certs_dir, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0700);
	char *crt = path_in_tmp("certs/b.example.crt");
	char *before = slurp(crt);
	CHECK(before != NULL);
	hosts = tls_hosts_new(&cfg, certs_fd, (uid_t)-1, (gid_t)-1, &errors);
	CHECK(hosts != NULL);
	char *after = slurp(crt);
	CHECK(before && after && strcmp(before, after) == 0);
	tls_hosts_free(hosts);

	/* A path inside the certs folder is the same file, reached by its descriptor. */
	cfg.vhosts[1].cert_file = crt;
	hosts = tls_hosts_new(&cfg, certs_fd, (uid_t)-1, (gid_t)-1, &errors);
	CHECK(hosts != NULL);
	char *again = slurp(crt);
	CHECK(before && again && strcmp(before, again) == 0);
	free(again);
	tls_hosts_free(hosts);
	cfg.vhosts[1].cert_file = NULL;

	/* A key without its certificate is reported, not replaced. */
	unlink(crt);
	hosts = tls_hosts_new(&cfg, certs_fd, (uid_t)-1, (gid_t)-1, &errors);
	CHECK(hosts == NULL);
	CHECK(strstr(errors.data ? errors.data : "", "without its certificate") != NULL);
	char *key = path_in_tmp("certs/b.example.key");
	unlink(key); /* the next tests start from a fresh pair */
	free(key);
	free(before);
	free(after);
	free(crt);
	buf_free(&errors);
	free_hosts_config(&cfg);
}

/* Runs both sides of a handshake over a socketpair in one thread. */
static bool handshake(SSL *client, SSL *server)
{
	int client_done = 0, server_done = 0;
	for (int round = 0; round < 200 && !(client_done == 1 && server_done == 1); round++) {
		if (client_done != 1)
			client_done = SSL_do_handshake(client);
		if (server_done != 1)
			server_done = SSL_do_handshake(server);
		int ce = SSL_get_error(client, client_done), se = SSL_get_error(server, server_done);
		if ((client_done != 1 && ce != SSL_ERROR_WANT_READ && ce != SSL_ERROR_WANT_WRITE) ||
		    (server_done != 1 && se != SSL_ERROR_WANT_READ && se != SSL_ERROR_WANT_WRITE))
			break;
	}
	ERR_clear_error();
	return client_done == 1 && server_done == 1;
}

struct pair {
	int fds[2];
	SSL_CTX *client_ctx;
	SSL *client;
	SSL *server;
};

static void pair_open(struct pair *p, struct tls_hosts *hosts, const char *sni, int client_max)
{
	CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, p->fds), 0);
	p->client_ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_min_proto_version(p->client_ctx, TLS1_VERSION);
	SSL_CTX_set_max_proto_version(p->client_ctx, client_max);
	SSL_CTX_set_security_level(p->client_ctx, 0);
	p->client = SSL_new(p->client_ctx);
	SSL_set_fd(p->client, p->fds[0]);
	SSL_set_connect_state(p->client);
	if (sni != NULL)
		SSL_set_tlsext_host_name(p->client, sni);
	p->server = tls_hosts_session(hosts, p->fds[1]);
}

static void pair_close(struct pair *p)
{
	SSL_free(p->client);
	SSL_free(p->server);
	SSL_CTX_free(p->client_ctx);
	close(p->fds[0]);
	close(p->fds[1]);
}

/* True when the server showed a certificate valid for name. */
static bool served_cert_for(SSL *client, const char *name)
{
	X509 *cert = SSL_get0_peer_certificate(client);
	return cert != NULL && X509_check_host(cert, name, 0, 0, NULL) == 1;
}

static void test_sni_picks_the_host(void)
{
	struct config cfg = two_hosts();
	struct buf errors = {0};
	struct tls_hosts *hosts = tls_hosts_new(&cfg, certs_fd, (uid_t)-1, (gid_t)-1, &errors);
	CHECK(hosts != NULL);
	if (hosts == NULL)
		goto out;
	const char *cases[][2] = {
		{"ALIAS.example.", "b.example"},
		{"b.example", "b.example"},
		{"unknown.example", "a.example"},
		{NULL, "a.example"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct pair p;
		pair_open(&p, hosts, cases[i][0], TLS1_3_VERSION);
		CHECK(handshake(p.client, p.server));
		CHECK(served_cert_for(p.client, cases[i][1]));
		char fp[65];
		CHECK(!tls_peer_fingerprint(p.server, fp));
		CHECK_STR(fp, "");
		pair_close(&p);
	}
	tls_hosts_free(hosts);
out:
	buf_free(&errors);
	free_hosts_config(&cfg);
}

/* A handshake on hosts for sni, offering session when not NULL: true when
 * it resumed. *made (when given) gets the session the server handed out. */
static bool resumes(struct tls_hosts *hosts, const char *sni, SSL_SESSION *session, int version,
                    SSL_SESSION **made)
{
	struct pair p;
	pair_open(&p, hosts, sni, version);
	if (session != NULL)
		SSL_set_session(p.client, session);
	bool done = handshake(p.client, p.server);
	CHECK(done);
	/* A TLS 1.3 ticket comes after the handshake: let the client read it. */
	char byte;
	SSL_read(p.client, &byte, 1);
	ERR_clear_error();
	bool reused = done && SSL_session_reused(p.client) == 1;
	/* OpenSSL resumes no session of a connection freed without
	 * close_notify. */
	SSL_shutdown(p.client);
	if (made != NULL)
		*made = SSL_get1_session(p.client);
	pair_close(&p);
	return reused;
}

static void test_sessions_resume_only_on_their_own_host(void)
{
	struct config cfg = two_hosts();
	struct buf errors = {0};
	struct tls_hosts *hosts = tls_hosts_new(&cfg, certs_fd, (uid_t)-1, (gid_t)-1, &errors);
	CHECK(hosts != NULL);
	int versions[] = {TLS1_3_VERSION, TLS1_2_VERSION};
	for (size_t i = 0; hosts != NULL && i < 2; i++) {
		SSL_SESSION *on_a = NULL, *on_b = NULL;
		CHECK(!resumes(hosts, "a.example", NULL, versions[i], &on_a));
		CHECK(!resumes(hosts, "b.example", NULL, versions[i], &on_b));
		CHECK(resumes(hosts, "a.example", on_a, versions[i], NULL)); /* the control */
		CHECK(resumes(hosts, "alias.example", on_b, versions[i], NULL));
		CHECK(!resumes(hosts, "b.example", on_a, versions[i], NULL));
		CHECK(!resumes(hosts, "a.example", on_b, versions[i], NULL));
		/* No name is the default host, a.example. */
		CHECK(!resumes(hosts, NULL, on_b, versions[i], NULL));
		SSL_SESSION_free(on_a);
		SSL_SESSION_free(on_b);
	}
	tls_hosts_free(hosts);
	buf_free(&errors);
	free_hosts_config(&cfg);
}

/* len bytes of a ticket key file, the same for the same fill. */
static void key_bytes(unsigned char fill, unsigned char *out, size_t len)
{
	for (size_t i = 0; i < len; i++)
		out[i] = (unsigned char)(fill + i);
}

static void write_key_file(const char *path, unsigned char fill, size_t len)
{
	unsigned char bytes[400];
	CHECK(len <= sizeof bytes);
	key_bytes(fill, bytes, len);
	CHECK(test_write_file(path, bytes, len));
}

static struct tls_hosts *hosts_with_key_file(struct config *cfg, struct buf *errors)
{
	return tls_hosts_new(cfg, certs_fd, (uid_t)-1, (gid_t)-1, errors);
}

static void test_a_ticket_key_file_is_shared_and_rotates(void)
{
	struct config cfg = two_hosts();
	struct buf errors = {0};
	cfg.ticket_key_file = path_in_tmp("certs/ticket.key");
	write_key_file(cfg.ticket_key_file, 1, 80);
	struct tls_hosts *one = hosts_with_key_file(&cfg, &errors);
	struct tls_hosts *two = hosts_with_key_file(&cfg, &errors);
	char *no_file = cfg.ticket_key_file;
	cfg.ticket_key_file = NULL;
	struct tls_hosts *alone = hosts_with_key_file(&cfg, &errors);
	cfg.ticket_key_file = no_file;
	CHECK(one != NULL && two != NULL && alone != NULL);
	CHECK_INT(errors.len, 0);
	SSL_SESSION *made = NULL;
	if (one == NULL || two == NULL || alone == NULL)
		goto out;
	CHECK(!resumes(one, "a.example", NULL, TLS1_3_VERSION, &made));
	CHECK(resumes(two, "a.example", made, TLS1_3_VERSION, NULL));
	CHECK(!resumes(two, "b.example", made, TLS1_3_VERSION, NULL));
	CHECK(!resumes(alone, "a.example", made, TLS1_3_VERSION, NULL));

	/* Rotated: a new key in the file; the reload keeps the old one opening. */
	write_key_file(cfg.ticket_key_file, 2, 80);
	struct tls_hosts *rotated = hosts_with_key_file(&cfg, &errors);
	struct tls_hosts *kept = hosts_with_key_file(&cfg, &errors);
	CHECK(rotated != NULL && kept != NULL);
	if (rotated != NULL && kept != NULL) {
		CHECK(!resumes(rotated, "a.example", made, TLS1_3_VERSION, NULL));
		tls_hosts_keep_old_keys(kept, one);
		CHECK(resumes(kept, "a.example", made, TLS1_3_VERSION, NULL));
		CHECK(!resumes(kept, "b.example", made, TLS1_3_VERSION, NULL));
	}
	tls_hosts_free(rotated);
	tls_hosts_free(kept);

	/* Two keys in one file: the second still opens what it sealed before. */
	unsigned char both[160];
	key_bytes(2, both, 80);
	key_bytes(1, both + 80, 80);
	CHECK(test_write_file(cfg.ticket_key_file, both, sizeof both));
	struct tls_hosts *pair = hosts_with_key_file(&cfg, &errors);
	CHECK(pair != NULL && resumes(pair, "a.example", made, TLS1_3_VERSION, NULL));
	tls_hosts_free(pair);

	/* Any other size is refused, with the size. */
	size_t bad[] = {0, 48, 81, 400};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		buf_free(&errors);
		write_key_file(cfg.ticket_key_file, 3, bad[i]);
		CHECK(hosts_with_key_file(&cfg, &errors) == NULL);
		CHECK(strstr(errors.data ? errors.data : "", "a ticket key file holds 1 to 4 keys") != NULL);
	}
	buf_free(&errors);
	unlink(cfg.ticket_key_file);
	CHECK(hosts_with_key_file(&cfg, &errors) == NULL);
	CHECK(strstr(errors.data ? errors.data : "", "ticket.key: cannot open") != NULL);
out:
	SSL_SESSION_free(made);
	tls_hosts_free(one);
	tls_hosts_free(two);
	tls_hosts_free(alone);
	free(cfg.ticket_key_file);
	buf_free(&errors);
	free_hosts_config(&cfg);
}

static void test_old_protocols_refused(void)
{
	struct config cfg = two_hosts();
	struct buf errors = {0};
	struct tls_hosts *hosts = tls_hosts_new(&cfg, certs_fd, (uid_t)-1, (gid_t)-1, &errors);
	CHECK(hosts != NULL);
	if (hosts != NULL) {
		struct pair p;
		pair_open(&p, hosts, "a.example", TLS1_1_VERSION);
		CHECK(!handshake(p.client, p.server));
		pair_close(&p);
		pair_open(&p, hosts, "a.example", TLS1_2_VERSION);
		CHECK(handshake(p.client, p.server));
		CHECK_INT(SSL_version(p.server), TLS1_2_VERSION);
		pair_close(&p);
	}
	tls_hosts_free(hosts);
	buf_free(&errors);
	free_hosts_config(&cfg);
}

/* True when a TLS 1.2 client offering only suite completes a handshake,
 * and the server then chose that suite. */
static bool tls12_suite_accepted(struct tls_hosts *hosts, const char *suite)
{
	struct pair p;
	pair_open(&p, hosts, "a.example", TLS1_2_VERSION);
	CHECK_INT(SSL_set_cipher_list(p.client, suite), 1);
	bool accepted = handshake(p.client, p.server);
	if (accepted)
		CHECK_STR(SSL_get_cipher_name(p.server), suite);
	pair_close(&p);
	return accepted;
}

/* TLS 1.2 goes only with ECDHE and an AEAD cipher (Mozilla's
 * "intermediate"): no CBC, no SHA-1 MAC, no static RSA key exchange. */
static void test_tls12_suites_are_ecdhe_aead(void)
{
	struct config cfg = two_hosts();
	struct buf errors = {0};
	struct tls_hosts *hosts = tls_hosts_new(&cfg, certs_fd, (uid_t)-1, (gid_t)-1, &errors);
	CHECK(hosts != NULL);
	if (hosts != NULL) {
		const char *refused[] = {"ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA",
		                         "ECDHE-ECDSA-AES128-SHA256", "ECDHE-ECDSA-AES256-SHA384",
		                         "AES128-GCM-SHA256", "AES128-SHA"};
		for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
			CHECK(!tls12_suite_accepted(hosts, refused[i]));
		const char *accepted[] = {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
		                          "ECDHE-ECDSA-CHACHA20-POLY1305"};
		for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++)
			CHECK(tls12_suite_accepted(hosts, accepted[i]));
		/* Every suite the server would take, RSA ones included. */
		struct pair p;
		pair_open(&p, hosts, "a.example", TLS1_3_VERSION);
		STACK_OF(SSL_CIPHER) *suites = SSL_get_ciphers(p.server);
		CHECK(sk_SSL_CIPHER_num(suites) > 0);
		for (int i = 0; i < sk_SSL_CIPHER_num(suites); i++) {
			const SSL_CIPHER *c = sk_SSL_CIPHER_value(suites, i);
			int kx = SSL_CIPHER_get_kx_nid(c);
			CHECK(SSL_CIPHER_is_aead(c));
			CHECK(kx == NID_kx_ecdhe || kx == NID_kx_any); /* any: TLS 1.3 */
		}
		pair_close(&p);
	}
	tls_hosts_free(hosts);
	buf_free(&errors);
	free_hosts_config(&cfg);
}

static void test_client_cert_fingerprint(void)
{
	struct config cfg = two_hosts();
	struct buf errors = {0};
	struct tls_hosts *hosts = tls_hosts_new(&cfg, certs_fd, (uid_t)-1, (gid_t)-1, &errors);
	char *names[] = {"reader"};
	char *crt = path_in_tmp("reader.crt");
	char *key = path_in_tmp("reader.key");
	CHECK_INT(tls_generate_cert(names, 1, AT_FDCWD, crt, key, (uid_t)-1, (gid_t)-1, &errors), 0);
	CHECK(hosts != NULL);
	if (hosts != NULL) {
		struct pair p;
		pair_open(&p, hosts, "b.example", TLS1_3_VERSION);
		SSL_use_certificate_file(p.client, crt, SSL_FILETYPE_PEM);
		SSL_use_PrivateKey_file(p.client, key, SSL_FILETYPE_PEM);
		CHECK(handshake(p.client, p.server));
		char fp[65];
		CHECK(tls_peer_fingerprint(p.server, fp));
		CHECK_INT(strlen(fp), 64);
		/* The same digest computed here from the file. */
		X509 *cert = read_cert(crt);
		unsigned char md[32];
		unsigned int len = 0;
		X509_digest(cert, EVP_sha256(), md, &len);
		char want[65];
		for (int i = 0; i < 32; i++)
			snprintf(want + 2 * i, 3, "%02x", md[i]);
		CHECK_STR(fp, want);
		X509_free(cert);
		pair_close(&p);
	}
	tls_hosts_free(hosts);
	free(crt);
	free(key);
	buf_free(&errors);
	free_hosts_config(&cfg);
}

static void remove_tree(const char *dir)
{
	const char *files[] = {"gen.crt", "gen.key", "reader.crt", "reader.key",
	                       "certs/a.example.crt", "certs/a.example.key",
	                       "certs/b.example.crt", "certs/b.example.key", "certs"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char *p = xasprintf("%s/%s", dir, files[i]);
		remove(p);
		free(p);
	}
	rmdir(dir);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/kabar-tls-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	char *certs = path_in_tmp("certs");
	struct buf errors = {0};
	certs_fd = tls_open_certs_dir(certs, (uid_t)-1, (gid_t)-1, &errors);
	free(certs);
	buf_free(&errors);
	if (certs_fd < 0)
		return 1;
	RUN(test_generated_cert_is_p256_with_names);
	RUN(test_no_name_is_an_error);
	RUN(test_host_matching);
	RUN(test_hosts_generate_then_load);
	RUN(test_sni_picks_the_host);
	RUN(test_sessions_resume_only_on_their_own_host);
	RUN(test_a_ticket_key_file_is_shared_and_rotates);
	RUN(test_old_protocols_refused);
	RUN(test_tls12_suites_are_ecdhe_aead);
	RUN(test_client_cert_fingerprint);
	close(certs_fd);
	remove_tree(tmpdir);
	return check_report();
}
