#ifndef KABAR_LOG_H
#define KABAR_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"

/*
 * Logging: messages go to stderr (journald friendly); the access log goes to
 * stderr too, or to a file that log_reopen reopens (SIGUSR1, for logrotate).
 * Access lines are written by each thread in batches, at most 100 ms late.
 * Every byte that came from a client is escaped before it is written.
 */

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The operator's line after each load or reload of a host's articles:
 *   HOST: loaded: 120 articles, 2 refused, 3 warnings, in 35 ms
 *   HOST: updated: 121 articles, 0 refused, 0 warnings, in 60 ms
 * (HOST NULL: "capsule", for a host without a name)
 * (articles: drafts left out, scheduled ones counted; refused: article
 * files that could not be read or parsed and are not served)
 * where the warnings are those the calling thread wrote since
 * log_load_begin (each names FILE:LINE and its reason above). */
struct log_load_mark {
	int64_t started_ms;
	size_t warnings;
};
struct log_load_mark log_load_begin(void);
void log_load_done(const char *host, const char *what, size_t published, size_t refused,
                   struct log_load_mark mark);

/*
 * The access log's line format:
 *   kabar     2024-03-01T10:00:00Z gemini ADDR HOST "REQUEST" STATUS BYTES 12ms
 *   common    ADDR - - [01/Mar/2024:10:00:00 +0000] "REQUEST" STATUS BYTES
 *   combined  common, then "-" "-" (no referer or user agent in these
 *             protocols), so tools made for web logs read it as it is.
 * ADDR is "-" when client addresses are not logged.
 */
enum log_format { LOG_FORMAT_KABAR, LOG_FORMAT_COMMON, LOG_FORMAT_COMBINED };

/* "kabar", "common" or "combined" (any case). Returns 0, or -1 if unknown. */
int log_format_parse(const char *name, enum log_format *out);

/* path NULL: access lines go to stderr. Returns 0, or -1 if it cannot open
 * (then nothing changes: the log in use stays, with its format). */
int log_access_open(const char *path, enum log_format format);
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

/* Adds entry's line to this thread's batch (see log_access_flush_due). */
void log_access(const struct access_entry *entry);

/* Writes this thread's batch now: before the thread ends. */
void log_access_flush(void);

/* Writes this thread's batch if its oldest line is 100 ms old; returns 0,
 * or the time (monotonic ms) it will be due: a thread that waits should
 * wake by then. */
int64_t log_access_flush_due(int64_t now_ms);

/* Installs handlers for fatal signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE,
 * SIGABRT) that write every thread's batch before the process dies. */
void log_access_guard_crashes(void);

/* The line log_access writes for entry at time now, in format (with its
 * newline), appended to out. */
void log_access_format(struct buf *out, const struct access_entry *entry, enum log_format format,
                       time_t now);

/* Appends s with control bytes, backslashes, quotes and invalid UTF-8
 * escaped as \xNN, and C1 controls, U+2028, U+2029 and bidi controls as
 * \uNNNN, so a log line is one line, reads in order and says what was
 * sent. */
void log_escape(struct buf *out, const char *s, size_t len);

/* log_escape without touching quotes and backslashes: for messages, file
 * names and reasons (every log_error, log_warn and log_info line passes
 * through it, and so does kabar check's report). */
void log_escape_controls(struct buf *out, const char *s, size_t len);

#endif
