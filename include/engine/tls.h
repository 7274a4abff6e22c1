#ifndef KABAR_TLS_H
#define KABAR_TLS_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "config.h"
#include "request.h"

/*
 * TLS for every virtual host (OpenSSL 3, TLS 1.2 and 1.3 only). Each host
 * has its own SSL_CTX; a connection starts on the default host's context and
 * the SNI callback moves it to the host the client named. An unknown name
 * keeps the default certificate (the Gemini front-end then answers 53).
 * The host is picked from the ClientHello before any session is looked
 * at, and each host has its own session id context and session ticket
 * keys: a session made on one host never resumes on another. Contexts are
 * shared by every worker, so a client resumes on any worker; with
 * tls: ticket_key_file: every instance given the same file derives the same
 * keys, so a client resumes on any instance behind a balancer. Client
 * certificates are asked for, never required, and never verified:
 * self-signed ones are normal in Gemini.
 */

struct tls_hosts;

/*
 * Opens (creating it 0700, chowned to owner:group unless owner is
 * (uid_t)-1) the certificate folder. Files inside it are then reached
 * through this descriptor, so a reload after the privilege drop still finds
 * them when a parent folder is closed to the service user. -1 with a line
 * in errors.
 */
int tls_open_certs_dir(const char *dir, uid_t owner, gid_t group, struct buf *errors);

/*
 * Loads each host's certificate and key (vhost cert_file/key_file, else
 * NAME.crt and NAME.key in the certs folder certs_fd, opened by
 * tls_open_certs_dir for cfg->certs_dir), generating a self-signed pair
 * when both files are missing. Generated files are chowned to owner:group
 * unless owner is (uid_t)-1. NULL with lines in errors.
 */
struct tls_hosts *tls_hosts_new(const struct config *cfg, int certs_fd, uid_t owner,
                                gid_t group, struct buf *errors);
/*
 * A reload's new contexts keep opening the tickets the old ones sealed: each
 * host of fresh also accepts (and reseals) the key its namesake in old
 * sealed with, so rotating the ticket key file and reloading never turns
 * readers' sessions away. Call before fresh serves anyone.
 */
void tls_hosts_keep_old_keys(struct tls_hosts *fresh, const struct tls_hosts *old);
/* One more owner (a reload that keeps the certificates in force). */
struct tls_hosts *tls_hosts_ref(struct tls_hosts *hosts);
/* Drops one owner; the last frees the contexts. */
void tls_hosts_free(struct tls_hosts *hosts);

/* A server-side session on the connected socket fd, on the default host's
 * context until the SNI callback picks another. */
SSL *tls_hosts_session(struct tls_hosts *hosts, int fd);

/*
 * Writes a new self-signed ECDSA P-256 certificate for names (names[0] is
 * the subject; every name, 127.0.0.1 and ::1 are in subjectAltName), valid
 * for about eleven years. The key file is mode 0600, the certificate 0644;
 * both are written beside and renamed into place so a crash leaves no half
 * file. Relative paths start at dir_fd (or AT_FDCWD). Returns 0, or -1
 * with a line in errors.
 */
int tls_generate_cert(char *const *names, size_t n_names, int dir_fd, const char *cert_path,
                      const char *key_path, uid_t owner, gid_t group, struct buf *errors);

/* True when sni names the host name (ASCII case-insensitive, one trailing
 * dot on either side ignored). */
bool tls_host_matches(const char *name, const char *sni);

/* The SHA-256 fingerprint of the client's certificate as 64 lower-case hex
 * digits into out; false (out empty) when the client sent none. */
bool tls_peer_fingerprint(SSL *ssl, char out[65]);

/* Where the current time falls in the client certificate's validity
 * (CERT_IN_PERIOD when there is none): a client certificate is checked by
 * its fingerprint, not by a chain, so its dates are checked here. */
enum cert_period tls_peer_cert_period(SSL *ssl);

/* The same fingerprint of the first certificate in a PEM file (an
 * editor's, for kabar.yaml). 0, or -1 with a line in errors. */
int tls_cert_file_fingerprint(const char *path, char out[65], struct buf *errors);

#endif
