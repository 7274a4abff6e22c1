#ifndef KABAR_LOG_H
#define KABAR_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * Logging: messages go to stderr (journald friendly); the access log goes to
 * stderr too, or to a file that log_reopen reopens (SIGUSR1, for logrotate).
 * Every byte that came from a client is escaped before it is written.
 */

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* path NULL: access lines go to stderr. Returns 0, or -1 if it cannot open. */
int log_access_open(const char *path);
/* Reopens the access log file (after logrotate moved it). */
void log_reopen(void);
void log_access_close(void);

struct access_entry {
	const char *protocol;    /* "gemini" or "gopher" */
	const char *client_addr; /* NULL when addresses are not logged */
	const char *host;        /* SNI host, or NULL */
	const char *request;     /* raw bytes from the client, escaped when written */
	size_t request_len;
	int status;
	unsigned long long bytes;
	long milliseconds;
};

void log_access(const struct access_entry *entry);

/* Appends s with control bytes, backslashes, quotes and invalid UTF-8
 * escaped as \xNN, so a log line is one line and says what was sent. */
void log_escape(struct buf *out, const char *s, size_t len);

#endif
