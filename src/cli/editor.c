#include "editor.h"

#include "alloc.h"
#include "article.h"
#include "date.h"
#include "lang.h"
#include "page.h"
#include "render.h"
#include "site.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Gopher's own port, for a host that configures none. */
#define GOPHER_DEFAULT_PORT 70

/* ---- render ---- */

/* The path of file inside the capsule dir (e.g. "news/a.md"), or NULL when
 * the file is elsewhere. Both are compared as real paths. */
static char *inside_capsule(const char *real_file, const char *capsule)
{
	char real_capsule[PATH_MAX];
	size_t n;
	if (realpath(capsule, real_capsule) == NULL)
		return NULL;
	n = strlen(real_capsule);
	if (strncmp(real_file, real_capsule, n) != 0 || real_file[n] != '/')
		return NULL;
	return xstrdup(real_file + n + 1);
}

/* The host whose capsule holds the file, and the file's path inside it;
 * a file outside every capsule is read as the default host's news/NAME. */
static const struct vhost *host_of(const struct config *cfg, const char *file, char **source)
{
	char real_file[PATH_MAX];
	if (realpath(file, real_file) != NULL) {
		for (size_t i = 0; i < cfg->n_vhosts; i++) {
			*source = inside_capsule(real_file, cfg->vhosts[i].capsule);
			if (*source != NULL)
				return &cfg->vhosts[i];
		}
	}
	*source = xasprintf("news/%s", text_base_name(file));
	return &cfg->vhosts[0];
}

/* Where Gopher readers reach the host: its name and the first Gopher port
 * configured, for the absolute links Gopher text needs. */
static void base_url(struct buf *out, const struct config *cfg, const struct vhost *vh)
{
	struct origin origin = {.host = vh->names[0], .port = GOPHER_DEFAULT_PORT};
	for (size_t i = 0; i < cfg->n_listen; i++) {
		if (cfg->listen[i].proto == OUTPUT_GOPHER && cfg->listen[i].port != 0) {
			origin.port = cfg->listen[i].port;
			break;
		}
	}
	page_base_url(out, &origin, OUTPUT_GOPHER);
}

/* Also sets *mtime, which dates an article that names no date. */
static int read_file(const char *file, struct buf *data, time_t *mtime, struct buf *error)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	int status;
	struct stat st;
	if (fd < 0) {
		buf_printf(error, "%s: cannot open: %s\n", file, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0)
		*mtime = st.st_mtim.tv_sec;
	status = buf_read_fd(data, fd, ARTICLE_MAX_BYTES);
	close(fd);
	if (status == EFBIG)
		buf_printf(error, "%s: larger than %d MiB\n", file, ARTICLE_MAX_BYTES >> 20);
	else if (status != 0)
		buf_printf(error, "%s: cannot be read: %s\n", file, strerror(status));
	return status == 0 ? 0 : -1;
}

/* What the site does with an article that is not shown to every reader. */
static void add_notes(struct buf *notes, const char *file, const struct article *a)
{
	struct tm tm;
	buf_printf(notes, "%s: lang: %s (%s)\n", file, a->meta.lang ? a->meta.lang : "none",
	           lang_reason_text(a->lang_reason));
	if (a->lang_key_ignored)
		buf_printf(notes, "%s: its lang: key is not a language tag such as ar or pt-BR\n", file);
	if (a->meta.draft)
		buf_printf(notes, "%s: draft: readers do not see it until \"draft: true\" goes\n", file);
	if (a->dated_by_file)
		buf_printf(notes, "%s: dated by its file time: give it a \"date:\" to fix it\n", file);
	if (a->meta.redirect != NULL)
		buf_printf(notes, "%s: redirect: readers are sent on to %s\n", file, a->meta.redirect);
	if (a->meta.date.set && a->meta.date.t > time(NULL)) {
		date_local(&a->meta.date, &tm);
		buf_printf(notes, "%s: scheduled: readers see it from %04d-%02d-%02d %02d:%02d\n", file,
		           tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
	}
}

int editor_render(const struct config *cfg, const char *file, enum editor_output output,
                  struct buf *out, struct buf *notes, struct buf *error)
{
	struct buf data = {0}, reason = {0}, base = {0};
	char *source = NULL;
	const struct vhost *vh = host_of(cfg, file, &source);
	struct article_context ctx = {.utc_offset_minutes = vh->utc_offset_minutes, .zone = vh->zone,
	                              .lang = vh->lang};
	struct article *a = NULL;
	if (read_file(file, &data, &ctx.file_time, error) == 0) {
		a = article_parse(source, data.data ? data.data : "", data.len, &ctx, &reason);
		if (a == NULL) {
			/* article_parse says "LINE: reason"; the first line is the one. */
			buf_printf(error, "%s:%.*s\n", file, (int)strcspn(reason.data, "\n"), reason.data);
		}
	}
	if (a != NULL) {
		/* As the server does: gemtext links by path, Gopher text by URL. */
		if (output == EDITOR_GOPHER)
			base_url(&base, cfg, vh);
		struct render_context rc = {.vhost = vh, .base_url = base.data};
		if (output == EDITOR_GEMINI)
			render_gemtext(out, a, &rc);
		else
			render_gopher_text(out, a, &rc);
		add_notes(notes, file, a);
		article_free(a);
	}
	buf_free(&data);
	buf_free(&reason);
	buf_free(&base);
	free(source);
	return a != NULL ? 0 : -1;
}

/* ---- new ---- */

/* A YAML double-quoted scalar: only quotes and backslashes need escaping,
 * as the text has no control characters (editor_new checks). */
static void yaml_quoted(struct buf *out, const char *s)
{
	buf_putc(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(out, '\\');
		buf_putc(out, *s);
	}
	buf_putc(out, '"');
}

void editor_front_matter(struct buf *out, const struct vhost *vh, const struct new_article *na)
{
	/* To the minute: that is what readers are shown. */
	struct when date = {.set = true, .t = na->now - na->now % 60,
	                    .offset_minutes = date_zone_offset(vh->zone, vh->utc_offset_minutes, na->now)};
	buf_puts(out, "---\ntitle: ");
	yaml_quoted(out, na->headline);
	buf_puts(out, "\ndate: ");
	date_format_rfc3339(out, &date);
	/* A named zone says which one the offset is; an offset says it all. */
	if (vh->zone_name[0] != '+' && vh->zone_name[0] != '-')
		buf_printf(out, "   # %s", vh->zone_name);
	buf_putc(out, '\n');
	if (na->author != NULL) {
		buf_puts(out, "author: ");
		yaml_quoted(out, na->author);
		buf_putc(out, '\n');
	}
	if (na->section != NULL) {
		buf_puts(out, "section: ");
		yaml_quoted(out, na->section);
		buf_putc(out, '\n');
	}
	buf_puts(out, "tags: []\n"
	              "# summary: one sentence for the front page and the feed\n"
	              "# Readers see the article once this line goes (or says false).\n"
	              "draft: true\n"
	              "---\n\n");
}

/* Text a front matter line can hold: valid UTF-8, no control characters. */
static bool plain_text(const char *s)
{
	if (s == NULL)
		return true;
	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	}
	return text_valid_utf8(s, strlen(s));
}

static bool check_article(const struct new_article *na, struct buf *error)
{
	const char *h = na->headline;
	if (h == NULL || h[strspn(h, " \t")] == '\0') {
		buf_puts(error, "the headline is empty\n");
		return false;
	}
	if (!plain_text(h) || !plain_text(na->section) || !plain_text(na->author)) {
		buf_puts(error, "the headline, section and author must be one line of UTF-8 text\n");
		return false;
	}
	return true;
}

/* capsule/news, made when the capsule has none yet. */
static char *news_folder(const struct vhost *vh, struct buf *error)
{
	char *news = xasprintf("%s/news", vh->capsule);
	if (mkdir(news, 0755) == 0 || errno == EEXIST)
		return news;
	buf_printf(error, "%s: cannot make the folder: %s\n", news, strerror(errno));
	free(news);
	return NULL;
}

static int write_all(int fd, const struct buf *data)
{
	size_t done = 0;
	while (done < data->len) {
		ssize_t n = write(fd, data->data + done, data->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/* Creates path with text; never replaces a file that is there. */
static int create_file(const char *path, const struct buf *text, struct buf *error)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		buf_printf(error, "%s: %s\n", path,
		           errno == EEXIST ? "already exists; not overwritten" : strerror(errno));
		return -1;
	}
	if (write_all(fd, text) < 0 || close(fd) < 0) {
		buf_printf(error, "%s: cannot write: %s\n", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

char *editor_new(const struct vhost *vh, const struct new_article *na, struct buf *error)
{
	struct when date = {.set = true, .t = na->now,
	                    .offset_minutes = date_zone_offset(vh->zone, vh->utc_offset_minutes, na->now)};
	struct buf text = {0};
	struct tm tm;
	char *news, *slug, *path;
	if (!check_article(na, error))
		return NULL;
	news = news_folder(vh, error);
	if (news == NULL)
		return NULL;
	date_local(&date, &tm);
	slug = text_slug(na->headline);
	path = xasprintf("%s/%04d-%02d-%02d-%s.md", news, tm.tm_year + 1900, tm.tm_mon + 1,
	                 tm.tm_mday, slug);
	editor_front_matter(&text, vh, na);
	if (create_file(path, &text, error) < 0) {
		free(path);
		path = NULL;
	}
	buf_free(&text);
	free(slug);
	free(news);
	return path;
}
