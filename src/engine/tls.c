#include "tls.h"

#include "alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* About eleven years: a generated certificate outlives the machine. */
#define CERT_VALID_DAYS 4018

struct tls_host {
	SSL_CTX *ctx;
	char **names;
	size_t n_names;
};

struct tls_hosts {
	struct tls_host *host; /* host[0] is the default host */
	size_t n;
	atomic_int refs;
};

/* Appends OpenSSL's most recent error (or "unknown error") to a line. */
static void add_ssl_error(struct buf *errors, const char *what, const char *path)
{
	unsigned long code = ERR_get_error();
	char reason[256] = "unknown error";
	if (code != 0)
		ERR_error_string_n(code, reason, sizeof reason);
	ERR_clear_error();
	buf_printf(errors, "%s: %s: %s\n", path, what, reason);
}

static size_t name_length(const char *s)
{
	size_t len = strlen(s);
	if (len > 0 && s[len - 1] == '.')
		len--;
	return len;
}

bool tls_host_matches(const char *name, const char *sni)
{
	size_t len = name_length(name);
	if (len == 0 || len != name_length(sni))
		return false;
	return strncasecmp(name, sni, len) == 0;
}

static bool fingerprint_of(X509 *cert, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (!X509_digest(cert, EVP_sha256(), md, &len) || len != 32)
		return false;
	for (unsigned int i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return true;
}

bool tls_peer_fingerprint(SSL *ssl, char out[65])
{
	out[0] = '\0';
	X509 *cert = SSL_get0_peer_certificate(ssl);
	return cert != NULL && fingerprint_of(cert, out);
}

enum cert_period tls_peer_cert_period(SSL *ssl)
{
	X509 *cert = SSL_get0_peer_certificate(ssl);
	if (cert == NULL)
		return CERT_IN_PERIOD;
	if (X509_cmp_current_time(X509_get0_notBefore(cert)) >= 0)
		return CERT_NOT_YET_VALID;
	if (X509_cmp_current_time(X509_get0_notAfter(cert)) <= 0)
		return CERT_EXPIRED;
	return CERT_IN_PERIOD;
}

int tls_cert_file_fingerprint(const char *path, char out[65], struct buf *errors)
{
	out[0] = '\0';
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		buf_printf(errors, "%s: cannot open: %s\n", path, strerror(errno));
		return -1;
	}
	X509 *cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	bool ok = cert != NULL && fingerprint_of(cert, out);
	X509_free(cert);
	ERR_clear_error();
	if (!ok)
		buf_printf(errors, "%s: not a PEM certificate\n", path);
	return ok ? 0 : -1;
}

/* ---- certificate generation ---- */

static int add_san(GENERAL_NAMES *names, int type, const void *data, int len)
{
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_STRING *value = ASN1_STRING_type_new(type == GEN_DNS ? V_ASN1_IA5STRING : V_ASN1_OCTET_STRING);
	if (gn == NULL || value == NULL || !ASN1_STRING_set(value, data, len)) {
		GENERAL_NAME_free(gn);
		ASN1_STRING_free(value);
		return -1;
	}
	GENERAL_NAME_set0_value(gn, type, value);
	if (!sk_GENERAL_NAME_push(names, gn)) {
		GENERAL_NAME_free(gn);
		return -1;
	}
	return 0;
}

/* subjectAltName: every host name, then the loopback addresses, so a client
 * connecting by address still sees a matching name. */
static int set_alt_names(X509 *cert, char *const *hosts, size_t n_hosts)
{
	static const unsigned char ipv4[4] = {127, 0, 0, 1};
	static const unsigned char ipv6[16] = {[15] = 1};
	GENERAL_NAMES *names = sk_GENERAL_NAME_new_null();
	int rc = names ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < n_hosts; i++)
		rc = add_san(names, GEN_DNS, hosts[i], (int)strlen(hosts[i]));
	if (rc == 0)
		rc = add_san(names, GEN_IPADD, ipv4, sizeof ipv4);
	if (rc == 0)
		rc = add_san(names, GEN_IPADD, ipv6, sizeof ipv6);
	if (rc == 0 && !X509_add1_ext_i2d(cert, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT))
		rc = -1;
	GENERAL_NAMES_free(names);
	return rc;
}

static int set_serial(X509 *cert)
{
	uint64_t serial;
	if (RAND_bytes((unsigned char *)&serial, sizeof serial) != 1)
		return -1;
	serial >>= 1; /* keep it positive */
	return ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert), serial | 1) ? 0 : -1;
}

static X509 *build_cert(EVP_PKEY *key, char *const *names, size_t n_names)
{
	X509 *cert = X509_new();
	if (cert == NULL)
		return NULL;
	X509_NAME *subject = X509_get_subject_name(cert);
	bool ok = X509_set_version(cert, X509_VERSION_3) && set_serial(cert) == 0 &&
	          X509_gmtime_adj(X509_getm_notBefore(cert), -24 * 3600) &&
	          X509_time_adj_ex(X509_getm_notAfter(cert), CERT_VALID_DAYS, 0, NULL) &&
	          X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
	                                     (const unsigned char *)names[0], -1, -1, 0) &&
	          X509_set_issuer_name(cert, subject) && X509_set_pubkey(cert, key) &&
	          set_alt_names(cert, names, n_names) == 0 && X509_sign(cert, key, EVP_sha256());
	if (!ok) {
		X509_free(cert);
		return NULL;
	}
	return cert;
}

/* Writes one PEM file through a temporary name, then renames it into place. */
static int write_pem(int dir_fd, const char *path, mode_t mode, uid_t owner, gid_t group,
                     EVP_PKEY *key, X509 *cert, struct buf *errors)
{
	char *tmp = xasprintf("%s.tmp", path);
	unlinkat(dir_fd, tmp, 0); /* a leftover of an interrupted start */
	int fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f == NULL) {
		buf_printf(errors, "%s: cannot create: %s\n", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(tmp);
		return -1;
	}
	bool ok = cert ? PEM_write_X509(f, cert) : PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	if (owner != (uid_t)-1 && fchown(fd, owner, group) != 0)
		ok = false;
	ok = (fflush(f) == 0) && ok;
	ok = (fsync(fd) == 0) && ok;
	ok = (fclose(f) == 0) && ok;
	if (ok && renameat(dir_fd, tmp, dir_fd, path) == 0) {
		free(tmp);
		return 0;
	}
	buf_printf(errors, "%s: cannot write: %s\n", path, strerror(errno));
	unlinkat(dir_fd, tmp, 0);
	free(tmp);
	return -1;
}

int tls_generate_cert(char *const *names, size_t n_names, int dir_fd, const char *cert_path,
                      const char *key_path, uid_t owner, gid_t group, struct buf *errors)
{
	if (n_names == 0) {
		buf_printf(errors, "%s: no host name to put in a certificate\n", cert_path);
		return -1;
	}
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = key ? build_cert(key, names, n_names) : NULL;
	int rc = -1;
	if (cert == NULL)
		add_ssl_error(errors, "cannot generate a certificate", cert_path);
	else if (write_pem(dir_fd, key_path, 0600, owner, group, key, NULL, errors) == 0)
		rc = write_pem(dir_fd, cert_path, 0644, owner, group, NULL, cert, errors);
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

int tls_open_certs_dir(const char *dir, uid_t owner, gid_t group, struct buf *errors)
{
	if (mkdir(dir, 0700) == 0) {
		if (owner != (uid_t)-1 && chown(dir, owner, group) != 0) {
			buf_printf(errors, "%s: cannot hand over to the service user: %s\n", dir,
			           strerror(errno));
			return -1;
		}
	} else if (errno != EEXIST) {
		buf_printf(errors, "%s: cannot create folder: %s\n", dir, strerror(errno));
		return -1;
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		buf_printf(errors, "%s: cannot open folder: %s\n", dir, strerror(errno));
	return fd;
}

/* ---- contexts ---- */

/* Any client certificate is welcome: it is an identity, not a credential
 * checked against a CA, and most are self-signed. */
static int accept_any_client_cert(int preverify_ok, X509_STORE_CTX *store)
{
	(void)preverify_ok;
	(void)store;
	return 1;
}

static int choose_host(SSL *ssl, int *alert, void *arg)
{
	(void)alert;
	const struct tls_hosts *hosts = arg;
	const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	if (sni == NULL)
		return SSL_TLSEXT_ERR_OK;
	for (size_t i = 1; i < hosts->n; i++) {
		for (size_t j = 0; j < hosts->host[i].n_names; j++) {
			if (tls_host_matches(hosts->host[i].names[j], sni)) {
				SSL_set_SSL_CTX(ssl, hosts->host[i].ctx);
				return SSL_TLSEXT_ERR_OK;
			}
		}
	}
	return SSL_TLSEXT_ERR_OK;
}

/* Where one file of a host's pair is: a folder descriptor and a name in it. */
struct place {
	int dir_fd;
	char *name;
	const char *shown; /* for messages */
};

/* Reads a PEM file (at most 1 MiB) through its folder descriptor into a
 * memory BIO. */
static BIO *open_pem(const struct place *at, struct buf *errors)
{
	int fd = openat(at->dir_fd, at->name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		buf_printf(errors, "%s: cannot open: %s\n", at->shown, strerror(errno));
		return NULL;
	}
	BIO *bio = BIO_new(BIO_s_mem());
	char chunk[4096];
	ssize_t n;
	size_t total = 0;
	while ((n = read(fd, chunk, sizeof chunk)) > 0 && total < (1 << 20)) {
		BIO_write(bio, chunk, (int)n);
		total += (size_t)n;
	}
	close(fd);
	if (n < 0) {
		buf_printf(errors, "%s: cannot read: %s\n", at->shown, strerror(errno));
		BIO_free(bio);
		return NULL;
	}
	return bio;
}

/* The certificate, then any intermediate certificates after it. */
static int use_cert_chain(SSL_CTX *ctx, const struct place *at, struct buf *errors)
{
	BIO *bio = open_pem(at, errors);
	if (bio == NULL)
		return -1;
	X509 *cert = PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL);
	int rc = (cert && SSL_CTX_use_certificate(ctx, cert) == 1) ? 0 : -1;
	X509_free(cert);
	X509 *extra;
	while (rc == 0 && (extra = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (SSL_CTX_add0_chain_cert(ctx, extra) != 1) {
			X509_free(extra);
			rc = -1;
		}
	}
	BIO_free(bio);
	if (rc != 0)
		add_ssl_error(errors, "cannot load certificate", at->shown);
	ERR_clear_error(); /* the end of the chain reads as "no start line" */
	return rc;
}

static int use_key(SSL_CTX *ctx, const struct place *at, struct buf *errors)
{
	BIO *bio = open_pem(at, errors);
	if (bio == NULL)
		return -1;
	EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	int rc = (key && SSL_CTX_use_PrivateKey(ctx, key) == 1) ? 0 : -1;
	EVP_PKEY_free(key);
	BIO_free(bio);
	if (rc != 0)
		add_ssl_error(errors, "cannot load key", at->shown);
	return rc;
}

static SSL_CTX *new_context(struct tls_hosts *hosts, const struct place *cert,
                            const struct place *key, struct buf *errors)
{
	static const unsigned char session_context[] = "kabar";
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL) {
		add_ssl_error(errors, "cannot create a TLS context", cert->shown);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
	                          SSL_MODE_RELEASE_BUFFERS);
	/* AES-128 with SHA-256 first: TLS 1.3 derives every key with HKDF, and
	 * SHA-256 costs a fraction of SHA-384 on CPUs with SHA extensions.
	 * One session ticket, not OpenSSL's two: each costs an HKDF and a
	 * sealed copy of the session on every full handshake. */
	SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:"
	                              "TLS_AES_256_GCM_SHA384");
	/* TLS 1.2: forward secrecy (ECDHE) and AEAD only, as Mozilla's
	 * "intermediate" profile: no CBC with its padding oracles, no SHA-1
	 * MAC. RSA suites too, for an operator's own RSA certificate. */
	SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
	                             "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
	                             "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
	SSL_CTX_set_num_tickets(ctx, 1);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any_client_cert);
	/* Required for resumption once client certificates are asked for. */
	SSL_CTX_set_session_id_context(ctx, session_context, sizeof session_context - 1);
	SSL_CTX_set_tlsext_servername_callback(ctx, choose_host);
	SSL_CTX_set_tlsext_servername_arg(ctx, hosts);
	if (use_cert_chain(ctx, cert, errors) == 0 && use_key(ctx, key, errors) == 0) {
		if (SSL_CTX_check_private_key(ctx) == 1)
			return ctx;
		add_ssl_error(errors, "key does not match the certificate", key->shown);
	}
	SSL_CTX_free(ctx);
	return NULL;
}

static bool place_exists(const struct place *at)
{
	return faccessat(at->dir_fd, at->name, F_OK, 0) == 0;
}

/* Generates the pair when both files are missing; one without the other
 * is an error, never silently replaced. */
static int ensure_cert(const struct vhost *vh, const struct place *cert, const struct place *key,
                       uid_t owner, gid_t group, struct buf *errors)
{
	bool have_cert = place_exists(cert);
	bool have_key = place_exists(key);
	if (have_cert && have_key)
		return 0;
	if (have_cert || have_key) {
		buf_printf(errors, "%s: found without its %s %s\n", have_cert ? cert->shown : key->shown,
		           have_cert ? "key" : "certificate", have_cert ? key->shown : cert->shown);
		return -1;
	}
	if (cert->dir_fd != key->dir_fd) {
		buf_printf(errors, "%s: missing, and cannot be generated apart from its key %s\n",
		           cert->shown, key->shown);
		return -1;
	}
	return tls_generate_cert(vh->names, vh->n_names, cert->dir_fd, cert->name, key->name, owner,
	                         group, errors);
}

/* A file named by the configuration, or NAME.EXT in the certs folder.
 * Anything inside the certs folder goes through its descriptor. */
static void place_file(struct place *at, const struct config *cfg, int certs_fd,
                       const char *given, const char *host, const char *ext)
{
	const char *dir = cfg->certs_dir ? cfg->certs_dir : "certs";
	size_t dir_len = strlen(dir);
	at->dir_fd = certs_fd;
	if (given == NULL) {
		at->name = xasprintf("%s.%s", host, ext);
	} else if (strncmp(given, dir, dir_len) == 0 && given[dir_len] == '/' &&
	           strchr(given + dir_len + 1, '/') == NULL) {
		at->name = xstrdup(given + dir_len + 1);
	} else {
		at->dir_fd = AT_FDCWD;
		at->name = xstrdup(given);
	}
	at->shown = given ? given : at->name;
}

static int load_host(struct tls_hosts *hosts, struct tls_host *host, const struct config *cfg,
                     int certs_fd, const struct vhost *vh, uid_t owner, gid_t group,
                     struct buf *errors)
{
	if (vh->n_names == 0) {
		buf_printf(errors, "a virtual host has no name\n");
		return -1;
	}
	struct place cert, key;
	place_file(&cert, cfg, certs_fd, vh->cert_file, vh->names[0], "crt");
	place_file(&key, cfg, certs_fd, vh->key_file, vh->names[0], "key");
	int rc = ensure_cert(vh, &cert, &key, owner, group, errors);
	if (rc == 0) {
		host->ctx = new_context(hosts, &cert, &key, errors);
		rc = host->ctx ? 0 : -1;
	}
	free(cert.name);
	free(key.name);
	if (rc != 0)
		return -1;
	host->n_names = vh->n_names;
	host->names = xcalloc(vh->n_names, sizeof *host->names);
	for (size_t i = 0; i < vh->n_names; i++)
		host->names[i] = xstrdup(vh->names[i]);
	return 0;
}

struct tls_hosts *tls_hosts_new(const struct config *cfg, int certs_fd, uid_t owner,
                                gid_t group, struct buf *errors)
{
	if (cfg->n_vhosts == 0) {
		buf_printf(errors, "no virtual host is configured\n");
		return NULL;
	}
	struct tls_hosts *hosts = xcalloc(1, sizeof *hosts);
	atomic_init(&hosts->refs, 1);
	hosts->host = xcalloc(cfg->n_vhosts, sizeof *hosts->host);
	for (size_t i = 0; i < cfg->n_vhosts; i++) {
		if (load_host(hosts, &hosts->host[i], cfg, certs_fd, &cfg->vhosts[i], owner, group,
		              errors) != 0) {
			tls_hosts_free(hosts);
			return NULL;
		}
		hosts->n++;
	}
	return hosts;
}

struct tls_hosts *tls_hosts_ref(struct tls_hosts *hosts)
{
	atomic_fetch_add(&hosts->refs, 1);
	return hosts;
}

void tls_hosts_free(struct tls_hosts *hosts)
{
	if (hosts == NULL || atomic_fetch_sub(&hosts->refs, 1) != 1)
		return;
	for (size_t i = 0; i < hosts->n; i++) {
		SSL_CTX_free(hosts->host[i].ctx);
		for (size_t j = 0; j < hosts->host[i].n_names; j++)
			free(hosts->host[i].names[j]);
		free(hosts->host[i].names);
	}
	free(hosts->host);
	free(hosts);
}

SSL *tls_hosts_session(struct tls_hosts *hosts, int fd)
{
	SSL *ssl = SSL_new(hosts->host[0].ctx);
	if (ssl == NULL)
		return NULL;
	if (SSL_set_fd(ssl, fd) != 1) {
		SSL_free(ssl);
		return NULL;
	}
	SSL_set_accept_state(ssl);
	return ssl;
}
