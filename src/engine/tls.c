#include "tls.h"

#include "alloc.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
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

/* A ticket key file holds one or more keys of this many bytes (as nginx's
 * ssl_session_ticket_key: `openssl rand 80`); the first seals new tickets. */
#define TICKET_SECRET_BYTES 80
#define TICKET_FILE_KEYS_MAX 4
/* The file's keys, and the key that sealed tickets before the last reload. */
#define TICKET_KEYS_MAX (TICKET_FILE_KEYS_MAX + 1)

/* One host's session ticket key: the name a ticket carries, the HMAC-SHA256
 * key that signs it and the AES-256-CBC key that seals it. */
struct ticket_key {
	unsigned char name[16];
	unsigned char hmac[32];
	unsigned char aes[32];
};

struct tls_host {
	SSL_CTX *ctx;
	char **names;
	size_t n_names;
	struct ticket_key keys[TICKET_KEYS_MAX]; /* keys[0] seals; every one opens */
	size_t n_keys;
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

/* The folder holds private keys: whatever it shipped as (a clone's certs/
 * is 0755), it becomes 0700 and, started as root, the service user's (who
 * makes a reloaded host's key in it), or the start is refused. */
static int keep_certs_private(int fd, const char *dir, uid_t owner, gid_t group,
                              struct buf *errors)
{
	struct stat st;
	if (fstat(fd, &st) != 0) {
		buf_printf(errors, "%s: cannot read its mode: %s\n", dir, strerror(errno));
		return -1;
	}
	if (owner != (uid_t)-1 && st.st_uid != owner && fchown(fd, owner, group) != 0) {
		buf_printf(errors, "%s: cannot hand over to the service user: %s\n", dir,
		           strerror(errno));
		return -1;
	}
	mode_t mode = st.st_mode & 07777;
	if ((mode & 077) == 0)
		return 0;
	if (fchmod(fd, mode & 07700) != 0) {
		buf_printf(errors,
		           "%s: mode %04o lets other users reach the private keys, and kabar cannot "
		           "change it (%s): run chmod 0700 %s as its owner\n",
		           dir, (unsigned)mode, strerror(errno), dir);
		return -1;
	}
	log_warn("%s: mode %04o made %04o: the folder holds private keys", dir, (unsigned)mode,
	         (unsigned)(mode & 07700));
	return 0;
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
	if (fd < 0) {
		buf_printf(errors, "%s: cannot open folder: %s\n", dir, strerror(errno));
		return -1;
	}
	if (keep_certs_private(fd, dir, owner, group, errors) != 0) {
		close(fd);
		return -1;
	}
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

/* The first host_name in a ClientHello's server_name extension, as a C
 * string; false when there is none or it does not parse. */
static bool sni_of(const unsigned char *ext, size_t len, char out[256])
{
	if (len < 2 || (size_t)((ext[0] << 8) | ext[1]) != len - 2)
		return false;
	size_t i = 2;
	while (i + 3 <= len) {
		unsigned type = ext[i];
		size_t n = (size_t)((ext[i + 1] << 8) | ext[i + 2]);
		i += 3;
		if (n > len - i)
			return false;
		if (type == TLSEXT_NAMETYPE_host_name) {
			if (n == 0 || n > 255 || memchr(ext + i, '\0', n) != NULL)
				return false;
			memcpy(out, ext + i, n);
			out[n] = '\0';
			return true;
		}
		i += n;
	}
	return false;
}

/* Picks the host from the ClientHello, before OpenSSL looks at a session
 * to resume: the session id context and ticket keys are then the host's
 * own, so a session made on one host never resumes on another. (The
 * servername callback runs after the resumption is decided.) */
static int choose_host(SSL *ssl, int *alert, void *arg)
{
	(void)alert;
	const struct tls_hosts *hosts = arg;
	const unsigned char *ext;
	size_t len;
	char sni[256];
	if (!SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &ext, &len) ||
	    !sni_of(ext, len, sni))
		return SSL_CLIENT_HELLO_SUCCESS;
	for (size_t i = 1; i < hosts->n; i++) {
		for (size_t j = 0; j < hosts->host[i].n_names; j++) {
			if (tls_host_matches(hosts->host[i].names[j], sni)) {
				SSL_set_SSL_CTX(ssl, hosts->host[i].ctx);
				return SSL_CLIENT_HELLO_SUCCESS;
			}
		}
	}
	return SSL_CLIENT_HELLO_SUCCESS;
}

/* The name was seen by choose_host; acknowledging it keeps it with a
 * TLS 1.2 session. */
static int acknowledge_name(SSL *ssl, int *alert, void *arg)
{
	(void)ssl;
	(void)alert;
	(void)arg;
	return SSL_TLSEXT_ERR_OK;
}

/* ---- session tickets ---- */

static int set_ticket_mac(EVP_MAC_CTX *mac, const struct ticket_key *key)
{
	static char digest[] = "SHA256";
	OSSL_PARAM params[] = {
	    OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, (void *)key->hmac, sizeof key->hmac),
	    OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
	    OSSL_PARAM_construct_end(),
	};
	return EVP_MAC_CTX_set_params(mac, params);
}

/* OpenSSL calls the callback of the context a connection started on, so it
 * finds the host choose_host moved the connection to, and uses that host's
 * keys only. Returns as SSL_CTX_set_tlsext_ticket_key_evp_cb says: 0 on
 * opening means "no such key here" (a full handshake), 2 "opened with an
 * older key: issue a fresh ticket". */
static int ticket_key_cb(SSL *ssl, unsigned char name[16], unsigned char *iv,
                         EVP_CIPHER_CTX *cipher, EVP_MAC_CTX *mac, int seal)
{
	const struct tls_host *host = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	if (host == NULL || host->n_keys == 0)
		return seal ? -1 : 0;
	if (seal) {
		const struct ticket_key *key = &host->keys[0];
		if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(EVP_aes_256_cbc())) != 1)
			return -1;
		memcpy(name, key->name, sizeof key->name);
		if (!EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), NULL, key->aes, iv) ||
		    !set_ticket_mac(mac, key))
			return -1;
		return 1;
	}
	for (size_t i = 0; i < host->n_keys; i++) {
		const struct ticket_key *key = &host->keys[i];
		if (memcmp(name, key->name, sizeof key->name) != 0)
			continue;
		if (!set_ticket_mac(mac, key) ||
		    !EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), NULL, key->aes, iv))
			return -1;
		return i == 0 ? 1 : 2;
	}
	return 0;
}

/* A host's key from a shared secret: HKDF-SHA256 with the host's name, so
 * every instance with the same file makes the same keys, and each host's
 * differ (a ticket one host sealed names no key another host has). */
static bool derive_ticket_key(const unsigned char *secret, const char *host,
                              struct ticket_key *out)
{
	static const unsigned char salt[] = "kabar session tickets";
	unsigned char bytes[sizeof out->name + sizeof out->hmac + sizeof out->aes];
	size_t len = sizeof bytes;
	EVP_PKEY_CTX *kdf = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
	bool ok = kdf != NULL && EVP_PKEY_derive_init(kdf) == 1 &&
	          EVP_PKEY_CTX_set_hkdf_md(kdf, EVP_sha256()) == 1 &&
	          EVP_PKEY_CTX_set1_hkdf_salt(kdf, salt, sizeof salt - 1) == 1 &&
	          EVP_PKEY_CTX_set1_hkdf_key(kdf, secret, TICKET_SECRET_BYTES) == 1 &&
	          EVP_PKEY_CTX_add1_hkdf_info(kdf, (const unsigned char *)host, (int)strlen(host)) == 1 &&
	          EVP_PKEY_derive(kdf, bytes, &len) == 1 && len == sizeof bytes;
	EVP_PKEY_CTX_free(kdf);
	if (ok) {
		memcpy(out->name, bytes, sizeof out->name);
		memcpy(out->hmac, bytes + sizeof out->name, sizeof out->hmac);
		memcpy(out->aes, bytes + sizeof out->name + sizeof out->hmac, sizeof out->aes);
	}
	OPENSSL_cleanse(bytes, sizeof bytes);
	return ok;
}

/* The secrets of a ticket key file, read whole. */
struct ticket_secrets {
	unsigned char bytes[TICKET_SECRET_BYTES * TICKET_FILE_KEYS_MAX];
	size_t n; /* keys */
};

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
	SSL_CTX_set_client_hello_cb(ctx, choose_host, hosts);
	SSL_CTX_set_tlsext_servername_callback(ctx, acknowledge_name);
	SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_key_cb);
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

/* Reads cfg's ticket key file (through the certs folder when it lies in
 * it, as certificates are). No file configured: no secrets, 0. */
static int read_ticket_secrets(const struct config *cfg, int certs_fd,
                               struct ticket_secrets *out, struct buf *errors)
{
	out->n = 0;
	if (cfg->ticket_key_file == NULL)
		return 0;
	struct place at;
	place_file(&at, cfg, certs_fd, cfg->ticket_key_file, NULL, NULL);
	int fd = openat(at.dir_fd, at.name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	free(at.name);
	if (fd < 0) {
		buf_printf(errors, "%s: cannot open: %s\n", at.shown, strerror(errno));
		return -1;
	}
	unsigned char extra;
	ssize_t n = read(fd, out->bytes, sizeof out->bytes);
	ssize_t more = n == (ssize_t)sizeof out->bytes ? read(fd, &extra, 1) : 0;
	int err = errno;
	close(fd);
	if (n < 0 || more < 0) {
		buf_printf(errors, "%s: cannot read: %s\n", at.shown, strerror(err));
		return -1;
	}
	if (n == 0 || more > 0 || n % TICKET_SECRET_BYTES != 0) {
		buf_printf(errors,
		           "%s: a ticket key file holds 1 to %d keys of %d bytes each "
		           "(make one with: openssl rand 80 > FILE), not %s%zd bytes\n",
		           at.shown, TICKET_FILE_KEYS_MAX, TICKET_SECRET_BYTES, more > 0 ? "more than " : "",
		           n);
		OPENSSL_cleanse(out->bytes, sizeof out->bytes);
		return -1;
	}
	out->n = (size_t)n / TICKET_SECRET_BYTES;
	return 0;
}

/* The host's ticket keys: derived from the file's secrets, or (no file)
 * one random key of its own. */
static int set_ticket_keys(struct tls_host *host, const struct ticket_secrets *secrets,
                           const char *name, struct buf *errors)
{
	host->n_keys = 0;
	if (secrets->n == 0) {
		if (RAND_bytes((unsigned char *)&host->keys[0], sizeof host->keys[0]) != 1) {
			add_ssl_error(errors, "cannot make a session ticket key", name);
			return -1;
		}
		host->n_keys = 1;
		return 0;
	}
	for (size_t i = 0; i < secrets->n; i++) {
		if (!derive_ticket_key(secrets->bytes + i * TICKET_SECRET_BYTES, name, &host->keys[i])) {
			add_ssl_error(errors, "cannot derive a session ticket key", name);
			return -1;
		}
		host->n_keys++;
	}
	return 0;
}

/* The host's own session id context (a digest of its name): a TLS 1.2
 * session another host made is then refused even from the shared cache. */
static int set_session_context(SSL_CTX *ctx, const char *name)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256((const unsigned char *)name, strlen(name), md);
	return SSL_CTX_set_session_id_context(ctx, md, sizeof md) == 1 ? 0 : -1;
}

static int load_host(struct tls_hosts *hosts, struct tls_host *host, const struct config *cfg,
                     int certs_fd, const struct vhost *vh, const struct ticket_secrets *secrets,
                     uid_t owner, gid_t group, struct buf *errors)
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
	if (rc == 0)
		rc = set_ticket_keys(host, secrets, vh->names[0], errors);
	if (rc == 0 && set_session_context(host->ctx, vh->names[0]) != 0) {
		add_ssl_error(errors, "cannot set the session id context", vh->names[0]);
		rc = -1;
	}
	if (rc == 0)
		SSL_CTX_set_app_data(host->ctx, host);
	free(cert.name);
	free(key.name);
	if (rc != 0) {
		SSL_CTX_free(host->ctx);
		host->ctx = NULL;
		return -1;
	}
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
	struct ticket_secrets secrets;
	if (read_ticket_secrets(cfg, certs_fd, &secrets, errors) != 0)
		return NULL;
	struct tls_hosts *hosts = xcalloc(1, sizeof *hosts);
	atomic_init(&hosts->refs, 1);
	hosts->host = xcalloc(cfg->n_vhosts, sizeof *hosts->host);
	for (size_t i = 0; i < cfg->n_vhosts; i++) {
		if (load_host(hosts, &hosts->host[i], cfg, certs_fd, &cfg->vhosts[i], &secrets, owner,
		              group, errors) != 0) {
			OPENSSL_cleanse(&secrets, sizeof secrets);
			tls_hosts_free(hosts);
			return NULL;
		}
		hosts->n++;
	}
	OPENSSL_cleanse(&secrets, sizeof secrets);
	return hosts;
}

static bool has_key(const struct tls_host *host, const struct ticket_key *key)
{
	for (size_t i = 0; i < host->n_keys; i++)
		if (memcmp(host->keys[i].name, key->name, sizeof key->name) == 0)
			return true;
	return false;
}

void tls_hosts_keep_old_keys(struct tls_hosts *fresh, const struct tls_hosts *old)
{
	for (size_t i = 0; i < fresh->n; i++) {
		struct tls_host *host = &fresh->host[i];
		for (size_t j = 0; j < old->n; j++) {
			const struct tls_host *was = &old->host[j];
			if (!tls_host_matches(was->names[0], host->names[0]) || was->n_keys == 0)
				continue;
			if (host->n_keys < TICKET_KEYS_MAX && !has_key(host, &was->keys[0]))
				host->keys[host->n_keys++] = was->keys[0];
			break;
		}
	}
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
		OPENSSL_cleanse(hosts->host[i].keys, sizeof hosts->host[i].keys);
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
