#include "log.h"

#include "alloc.h"
#include "buf.h"
#include "text.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* The access log's file and name; a mutex keeps each line whole when
 * workers write at once and when SIGUSR1 swaps the file. */
static pthread_mutex_t access_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *access_file;
static char *access_path;
static enum log_format access_format;

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

void log_warn(const char *fmt, ...)
{
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

int log_access_open(const char *path, enum log_format format)
{
	FILE *f = NULL;
	if (path != NULL) {
		f = fopen(path, "a");
		if (f == NULL)
			return -1;
		setvbuf(f, NULL, _IOLBF, 0);
	}
	pthread_mutex_lock(&access_lock);
	if (access_file != NULL)
		fclose(access_file);
	access_file = f;
	access_format = format;
	free(access_path);
	access_path = path ? xstrdup(path) : NULL;
	pthread_mutex_unlock(&access_lock);
	return 0;
}

void log_reopen(void)
{
	pthread_mutex_lock(&access_lock);
	if (access_path != NULL) {
		FILE *f = fopen(access_path, "a");
		if (f != NULL) {
			setvbuf(f, NULL, _IOLBF, 0);
			fclose(access_file);
			access_file = f;
		}
	}
	pthread_mutex_unlock(&access_lock);
}

void log_access_close(void)
{
	pthread_mutex_lock(&access_lock);
	if (access_file != NULL)
		fclose(access_file);
	access_file = NULL;
	free(access_path);
	access_path = NULL;
	pthread_mutex_unlock(&access_lock);
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
	enum log_format format;
	/* Formatted outside the lock, so workers wait only for the write. */
	pthread_mutex_lock(&access_lock);
	format = access_format;
	pthread_mutex_unlock(&access_lock);
	log_access_format(&line, e, format, time(NULL));
	pthread_mutex_lock(&access_lock);
	if (access_file != NULL)
		fwrite(line.data, 1, line.len, access_file);
	else if (write(STDERR_FILENO, line.data, line.len) < 0) {
		/* Nowhere left to report a failed write to stderr. */
	}
	pthread_mutex_unlock(&access_lock);
	buf_free(&line);
}
