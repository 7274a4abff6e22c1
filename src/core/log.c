#include "log.h"

#include "alloc.h"
#include "buf.h"
#include "clock.h"
#include "text.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/*
 * The access log's file and name; a mutex keeps each batch whole when
 * workers write at once and when SIGUSR1 swaps the file.
 *
 * Each thread gathers its lines in its own batch and writes them in one
 * write(2) when the batch is full or log_access_flush_due finds its oldest
 * line ACCESS_BATCH_MS old, and every batch is written before the file is
 * reopened or closed. Batches are fixed arrays in a registry, so a
 * fatal signal in any thread can still write every thread's lines.
 */
#define ACCESS_BATCH_BYTES 16384
#define ACCESS_BATCH_MS 100
#define ACCESS_BATCHES_MAX 256

struct access_batch {
	/* Taken by its thread to add a line and by whoever writes it out:
	 * a rotation writes every batch into the old file first. */
	pthread_mutex_t lock;
	char data[ACCESS_BATCH_BYTES];
	atomic_size_t len;
	int64_t oldest_ms; /* when its first unwritten line came */
};

static pthread_mutex_t access_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int access_fd = -1; /* -1: stderr */
static char *access_path;
static enum log_format access_format;
static struct access_batch *batches[ACCESS_BATCHES_MAX];
static atomic_size_t n_batches;
static _Thread_local struct access_batch *own_batch;

static void log_line(const char *level, const char *fmt, va_list ap)
{
	struct buf message = {0};
	struct buf line = {0};
	buf_vprintf(&message, fmt, ap);
	buf_printf(&line, "kabar: %s", level);
	/* A message names files and repeats what clients and editors wrote:
	 * escaped here, none of it can end the line or forge another. */
	log_escape_controls(&line, message.data, message.len);
	buf_putc(&line, '\n');
	buf_free(&message);
	/* One write per line, so lines from several threads never interleave. */
	if (write(STDERR_FILENO, line.data, line.len) < 0) {
		/* Nowhere left to report a failed write to stderr. */
	}
	buf_free(&line);
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_line("error: ", fmt, ap);
	va_end(ap);
}

/* Warnings this thread has written: what a load says it met. */
static _Thread_local size_t warnings_written;

struct log_load_mark log_load_begin(void)
{
	return (struct log_load_mark){.started_ms = monotonic_ms(), .warnings = warnings_written};
}

void log_load_done(const char *host, const char *what, size_t published, size_t refused,
                   struct log_load_mark mark)
{
	size_t warnings = warnings_written - mark.warnings;
	log_info("%s: %s: %zu articles, %zu refused, %zu warning%s, in %lld ms",
	         host ? host : "capsule", what, published, refused, warnings, warnings == 1 ? "" : "s",
	         (long long)(monotonic_ms() - mark.started_ms));
}

void log_warn(const char *fmt, ...)
{
	warnings_written++;
	va_list ap;
	va_start(ap, fmt);
	log_line("warning: ", fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_line("", fmt, ap);
	va_end(ap);
}

int log_format_parse(const char *name, enum log_format *out)
{
	static const char *const names[] = {"kabar", "common", "combined"};
	static const enum log_format formats[] = {LOG_FORMAT_KABAR, LOG_FORMAT_COMMON,
	                                          LOG_FORMAT_COMBINED};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcasecmp(name, names[i]) == 0) {
			*out = formats[i];
			return 0;
		}
	}
	return -1;
}

static int open_access_file(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

static int access_target(void)
{
	int fd = atomic_load(&access_fd);
	return fd >= 0 ? fd : STDERR_FILENO;
}

/* Writes all of data (a short write is resumed); async-signal-safe. */
static void write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n <= 0)
			return; /* nowhere left to report a failed log write */
		data += n;
		len -= (size_t)n;
	}
}

/* Lock order: a batch's lock, then access_lock. */
static void flush_locked_batch(struct access_batch *b)
{
	size_t len = atomic_load(&b->len);
	if (len == 0)
		return;
	pthread_mutex_lock(&access_lock);
	write_all(access_target(), b->data, len);
	pthread_mutex_unlock(&access_lock);
	atomic_store(&b->len, 0);
}

static void flush_batch(struct access_batch *b)
{
	pthread_mutex_lock(&b->lock);
	flush_locked_batch(b);
	pthread_mutex_unlock(&b->lock);
}

static void flush_all_batches(void)
{
	size_t n = atomic_load(&n_batches);
	for (size_t i = 0; i < n; i++)
		flush_batch(batches[i]);
}

int log_access_open(const char *path, enum log_format format)
{
	int fd = -1;
	if (path != NULL && (fd = open_access_file(path)) < 0)
		return -1;
	flush_all_batches();
	pthread_mutex_lock(&access_lock);
	int old = atomic_exchange(&access_fd, fd);
	if (old >= 0)
		close(old);
	access_format = format;
	free(access_path);
	access_path = path ? xstrdup(path) : NULL;
	pthread_mutex_unlock(&access_lock);
	return 0;
}

void log_reopen(void)
{
	flush_all_batches();
	pthread_mutex_lock(&access_lock);
	int fd = access_path != NULL ? open_access_file(access_path) : -1;
	if (fd >= 0) {
		/* Lines added since the flush above go to the new file. */
		int old = atomic_exchange(&access_fd, fd);
		close(old);
	}
	pthread_mutex_unlock(&access_lock);
}

void log_access_close(void)
{
	flush_all_batches();
	for (size_t i = 0; i < atomic_load(&n_batches); i++) {
		pthread_mutex_destroy(&batches[i]->lock);
		free(batches[i]);
		batches[i] = NULL;
	}
	atomic_store(&n_batches, 0);
	own_batch = NULL;
	pthread_mutex_lock(&access_lock);
	int old = atomic_exchange(&access_fd, -1);
	if (old >= 0)
		close(old);
	free(access_path);
	access_path = NULL;
	pthread_mutex_unlock(&access_lock);
}

/* This thread's batch, made and registered on its first line; NULL when
 * the registry is full (then lines are written one by one). */
static struct access_batch *thread_batch(void)
{
	if (own_batch != NULL)
		return own_batch;
	pthread_mutex_lock(&access_lock);
	size_t n = atomic_load(&n_batches);
	if (n < ACCESS_BATCHES_MAX) {
		own_batch = xcalloc(1, sizeof *own_batch);
		pthread_mutex_init(&own_batch->lock, NULL);
		batches[n] = own_batch;
		atomic_store(&n_batches, n + 1);
	}
	pthread_mutex_unlock(&access_lock);
	return own_batch;
}

void log_access_flush(void)
{
	if (own_batch != NULL)
		flush_batch(own_batch);
}

int64_t log_access_flush_due(int64_t now_ms)
{
	if (own_batch == NULL || atomic_load(&own_batch->len) == 0)
		return 0;
	int64_t due = own_batch->oldest_ms + ACCESS_BATCH_MS;
	if (now_ms < due)
		return due;
	flush_batch(own_batch);
	return 0;
}

/* A thread is dying of a fatal signal: what every batch holds goes out
 * with write(2) alone (no lock: another thread may hold it for good),
 * then the signal does what it would have done. */
static void write_batches_and_die(int sig)
{
	int fd = access_target();
	size_t n = atomic_load(&n_batches);
	for (size_t i = 0; i < n; i++) {
		size_t len = atomic_load(&batches[i]->len);
		write_all(fd, batches[i]->data, len);
		atomic_store(&batches[i]->len, 0);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

void log_access_guard_crashes(void)
{
	static const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
	struct sigaction sa = {.sa_handler = write_batches_and_die, .sa_flags = SA_RESETHAND};
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
		sigaction(fatal[i], &sa, NULL);
}

/* Code points a log line must not carry as they are: C1 controls (U+0085
 * ends a line for some readers, U+009B starts a terminal command), the
 * Unicode line and paragraph separators, and bidi controls, which would
 * reorder the rest of the line on screen. */
static bool escaped_code_point(uint32_t cp)
{
	return (cp >= 0x80 && cp < 0xa0) || cp == 0x2028 || cp == 0x2029 ||
	       text_is_bidi_control(cp);
}

/* The code point of the valid n-byte UTF-8 sequence s (n > 1). */
static uint32_t decode_sequence(const unsigned char *s, size_t n)
{
	uint32_t cp = s[0] & (0xff >> (n + 1));
	for (size_t k = 1; k < n; k++)
		cp = (cp << 6) | (s[k] & 0x3f);
	return cp;
}

/* Appends s with controls escaped; with quoting, '"' and '\\' too. */
static void escape(struct buf *out, const char *s, size_t len, bool quoting)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned char c = p[i];
		if (c >= 0x80) {
			/* Keep whole valid UTF-8 sequences readable. */
			size_t n = (c >= 0xf0) ? 4 : (c >= 0xe0) ? 3 : (c >= 0xc0) ? 2 : 1;
			if (n > 1 && i + n <= len && text_valid_utf8(s + i, n)) {
				uint32_t cp = decode_sequence(p + i, n);
				if (escaped_code_point(cp))
					buf_printf(out, "\\u%04x", (unsigned)cp);
				else
					buf_append(out, s + i, n);
				i += n;
				continue;
			}
			buf_printf(out, "\\x%02x", c);
		} else if (c < 0x20 || c == 0x7f || (quoting && (c == '"' || c == '\\'))) {
			buf_printf(out, "\\x%02x", c);
		} else {
			buf_putc(out, (char)c);
		}
		i++;
	}
}

void log_escape(struct buf *out, const char *s, size_t len)
{
	escape(out, s, len, true);
}

void log_escape_controls(struct buf *out, const char *s, size_t len)
{
	escape(out, s, len, false);
}

/* Kabar's own line: ISO time, protocol, address, SNI host, request,
 * status, bytes and duration. */
static void format_kabar(struct buf *line, const struct access_entry *e, const struct tm *tm)
{
	char stamp[32];
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", tm);
	buf_printf(line, "%s %s %s ", stamp, e->protocol, e->client_addr ? e->client_addr : "-");
	if (e->host != NULL)
		log_escape(line, e->host, strlen(e->host));
	else
		buf_putc(line, '-');
	buf_puts(line, " \"");
	log_escape(line, e->request ? e->request : "", e->request ? e->request_len : 0);
	buf_printf(line, "\" %d %llu %ldms", e->status, e->bytes, e->milliseconds);
}

/* Common Log Format: host ident authuser [date] "request" status bytes.
 * The month is spelt here, not by strftime, so no locale can change it. */
static void format_common(struct buf *line, const struct access_entry *e, const struct tm *tm)
{
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	buf_printf(line, "%s - - [%02d/%s/%04d:%02d:%02d:%02d +0000] \"",
	           e->client_addr ? e->client_addr : "-", tm->tm_mday, months[tm->tm_mon],
	           tm->tm_year + 1900, tm->tm_hour, tm->tm_min, tm->tm_sec);
	log_escape(line, e->request ? e->request : "", e->request ? e->request_len : 0);
	buf_printf(line, "\" %d ", e->status);
	/* CLF writes "-" when no body was sent. */
	if (e->bytes > 0)
		buf_printf(line, "%llu", e->bytes);
	else
		buf_putc(line, '-');
}

void log_access_format(struct buf *out, const struct access_entry *e, enum log_format format,
                       time_t now)
{
	struct tm tm;
	gmtime_r(&now, &tm);
	if (format == LOG_FORMAT_KABAR) {
		format_kabar(out, e, &tm);
	} else {
		format_common(out, e, &tm);
		if (format == LOG_FORMAT_COMBINED)
			buf_puts(out, " \"-\" \"-\"");
	}
	buf_putc(out, '\n');
}

void log_access(const struct access_entry *e)
{
	struct buf line = {0};
	pthread_mutex_lock(&access_lock);
	enum log_format format = access_format;
	pthread_mutex_unlock(&access_lock);
	log_access_format(&line, e, format, time(NULL));
	struct access_batch *b = thread_batch();
	if (b == NULL || line.len > sizeof b->data) {
		pthread_mutex_lock(&access_lock);
		write_all(access_target(), line.data, line.len);
		pthread_mutex_unlock(&access_lock);
		buf_free(&line);
		return;
	}
	pthread_mutex_lock(&b->lock);
	if (atomic_load(&b->len) + line.len > sizeof b->data)
		flush_locked_batch(b);
	size_t len = atomic_load(&b->len);
	if (len == 0)
		b->oldest_ms = monotonic_ms();
	memcpy(b->data + len, line.data, line.len);
	atomic_store(&b->len, len + line.len);
	pthread_mutex_unlock(&b->lock);
	buf_free(&line);
}
