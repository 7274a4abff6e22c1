/* The access log's formats, and reopening its file after a rotation. */
#include "check.h"
#include "testutil.h"

#include "buf.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 2024-03-01 10:02:03 UTC */
#define WHEN ((time_t)1709287323)

static const struct access_entry gemini_entry = {
	.protocol = "gemini",
	.client_addr = "127.0.0.1",
	.host = "kabar.example",
	.request = "gemini://kabar.example/news/\"quoted\"",
	.request_len = 36,
	.status = 20,
	.bytes = 1234,
	.milliseconds = 7,
};

static char *format(const struct access_entry *e, enum log_format f)
{
	struct buf out = {0};
	log_access_format(&out, e, f, WHEN);
	return out.data;
}

static void test_kabar_format(void)
{
	char *line = format(&gemini_entry, LOG_FORMAT_KABAR);
	CHECK_STR(line, "2024-03-01T10:02:03Z gemini 127.0.0.1 kabar.example "
	                "\"gemini://kabar.example/news/\\x22quoted\\x22\" 20 1234 7ms\n");
	free(line);
}

static void test_common_format(void)
{
	char *line = format(&gemini_entry, LOG_FORMAT_COMMON);
	CHECK_STR(line, "127.0.0.1 - - [01/Mar/2024:10:02:03 +0000] "
	                "\"gemini://kabar.example/news/\\x22quoted\\x22\" 20 1234\n");
	free(line);
}

static void test_combined_format_without_address_or_body(void)
{
	struct access_entry e = {
		.protocol = "gopher",
		.request = "/nowhere\r\n",
		.request_len = 8,
		.status = 3,
	};
	char *line = format(&e, LOG_FORMAT_COMBINED);
	CHECK_STR(line, "- - - [01/Mar/2024:10:02:03 +0000] \"/nowhere\" 3 - \"-\" \"-\"\n");
	free(line);
}

static void test_parse_names(void)
{
	enum log_format f = LOG_FORMAT_KABAR;
	CHECK_INT(log_format_parse("common", &f), 0);
	CHECK_INT(f, LOG_FORMAT_COMMON);
	CHECK_INT(log_format_parse("COMBINED", &f), 0);
	CHECK_INT(f, LOG_FORMAT_COMBINED);
	CHECK_INT(log_format_parse("kabar", &f), 0);
	CHECK_INT(f, LOG_FORMAT_KABAR);
	CHECK_INT(log_format_parse("apache", &f), -1);
	CHECK_INT(log_format_parse("", &f), -1);
	CHECK_INT(f, LOG_FORMAT_KABAR);
}

/* logrotate renames the file, then sends SIGUSR1: later lines go to a new
 * file under the old name, in the format the log was opened with. */
static void test_reopen_after_rotation(void)
{
	char dir[] = "/tmp/kabar-log-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char path[64], rotated[64];
	snprintf(path, sizeof path, "%s/access.log", dir);
	snprintf(rotated, sizeof rotated, "%s/access.log.1", dir);
	CHECK_INT(log_access_open(path, LOG_FORMAT_COMMON), 0);
	log_access(&gemini_entry);
	CHECK_INT(rename(path, rotated), 0);
	log_reopen();
	log_access(&gemini_entry);
	log_access_close();

	size_t old_len, fresh_len;
	char *old = test_read_file(rotated, &old_len), *fresh = test_read_file(path, &fresh_len);
	CHECK(old != NULL && fresh != NULL);
	if (old != NULL && fresh != NULL) {
		CHECK_STR(old, fresh);
		CHECK(strncmp(fresh, "127.0.0.1 - - [", 15) == 0);
		CHECK(strchr(fresh, '\n') == fresh + strlen(fresh) - 1);
	}
	free(old);
	free(fresh);
	unlink(path);
	unlink(rotated);
	rmdir(dir);
}

static void test_open_failure_keeps_nothing_open(void)
{
	CHECK_INT(log_access_open("/nonexistent-kabar-dir/access.log", LOG_FORMAT_KABAR), -1);
	log_access_close();
}

static char *escaped(const char *s, size_t len, bool quoting)
{
	struct buf out = {0};
	if (quoting)
		log_escape(&out, s, len);
	else
		log_escape_controls(&out, s, len);
	return buf_steal(&out);
}

/* Search terms as a Gopher client sends them: C1 controls, NEL and a bidi
 * override are escaped with their code points; letters of every script
 * stay readable. */
static void test_escape_c1_and_bidi(void)
{
	const char *terms = "/search\tpanen\xc2\x85" "forged\xc2\x9b" "31m\xe2\x80\xae" "gnp\xe2\x80\xa8"
	                    "\xe2\x81\xa6x\x1b]0;t\x07";
	char *got = escaped(terms, strlen(terms), true);
	CHECK_STR(got, "/search\\x09panen\\u0085forged\\u009b31m\\u202egnp\\u2028\\u2066x\\x1b]0;t\\x07");
	free(got);
	const char *scripts = "Barru 日本語 \xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a \xd7\xa2\xd7\x91 \xe2\x80\x8f";
	got = escaped(scripts, strlen(scripts), true);
	CHECK_STR(got, scripts);
	free(got);
}

/* Messages keep their quotes and backslashes (they may hold escaped
 * text already) but lose every control. */
static void test_escape_controls_only(void)
{
	const char *name = "news/inj\nkabar: error: forged \"q\" \\x0a\xc2\x85\xff.md";
	char *got = escaped(name, strlen(name), false);
	CHECK_STR(got, "news/inj\\x0akabar: error: forged \"q\" \\x0a\\u0085\\xff.md");
	free(got);
}

/* log_warn writes one line, whatever the file name it reports holds. */
static void test_message_stays_one_line(void)
{
	char path[] = "/tmp/kabar-log-stderr-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	log_warn("%s: too large", "news/inj\nkabar: error: forged\r\x1b[2J\xe2\x80\xae.md");
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	size_t len;
	char *text = test_read_file(path, &len);
	CHECK_STR(text, "kabar: warning: news/inj\\x0akabar: error: forged\\x0d\\x1b[2J\\u202e.md: "
	                "too large\n");
	free(text);
	unlink(path);
}

int main(void)
{
	RUN(test_kabar_format);
	RUN(test_common_format);
	RUN(test_combined_format_without_address_or_body);
	RUN(test_parse_names);
	RUN(test_reopen_after_rotation);
	RUN(test_open_failure_keeps_nothing_open);
	RUN(test_escape_c1_and_bidi);
	RUN(test_escape_controls_only);
	RUN(test_message_stays_one_line);
	return check_report();
}
