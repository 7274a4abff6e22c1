#include "upload.h"

#include "alloc.h"
#include "article.h"
#include "buf.h"
#include "gemini.h"
#include "log.h"
#include "runtime.h"
#include "site.h"
#include "snapshot.h"
#include "text.h"
#include "titan.h"
#include "url.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct upload {
	struct titan_request req;
	const struct vhost *vhost;   /* in the runtime the connection holds */
	struct site *site;
	const struct editor *editor;
	int local_port;
	struct buf body;
	/* Once written: what the snapshot must hold before the answer goes. */
	bool deleting;
	dev_t dev;
	ino_t ino;
	char *fallback;              /* the address the check parsed, for give_up */
};

static void refuse(struct response *res, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void refuse(struct response *res, int code, const char *fmt, ...)
{
	char meta[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(meta, sizeof meta, fmt, ap);
	va_end(ap);
	gemini_status(res, code, meta);
}

/* One line per upload or delete, whatever came of it: who, which
 * certificate, what, how large, and the result. */
static void audit(const struct upload *up, const char *result)
{
	log_info("titan: %s (%s) %s %s, %lld bytes: %s", up->editor->name, up->editor->fingerprint,
	         up->req.size == 0 ? "delete" : "upload", up->req.path, up->req.size, result);
}

/* Who is asking, for what, on which host: everything that can be decided
 * before the body. 0, or -1 with res filled. */
static int authorise(struct upload *up, const struct request_info *info, struct response *res)
{
	int index = gemini_find_host(info, up->req.host, up->req.host_is_ip);
	if (index < 0 || (up->req.port >= 0 && up->req.port != info->local_port)) {
		refuse(res, 53, "Proxy request refused");
		return -1;
	}
	up->vhost = &info->rt->config.vhosts[index];
	up->site = info->rt->sites[index];
	if (up->vhost->n_editors == 0) {
		refuse(res, 50, "Uploads are not accepted here");
		return -1;
	}
	if (info->client_cert_sha256 == NULL) {
		refuse(res, 60, "An editor's client certificate is needed to upload");
		return -1;
	}
	up->editor = titan_editor(up->vhost, info->client_cert_sha256);
	if (up->editor == NULL) {
		refuse(res, 61, "Certificate not authorised");
		return -1;
	}
	const char *reason = NULL;
	if (!titan_path_allowed(up->req.path, &reason)) {
		audit(up, reason);
		refuse(res, 59, "Bad request: %s", reason);
		return -1;
	}
	if (!titan_editor_may_write(up->editor, up->req.path)) {
		audit(up, "outside the editor's paths");
		refuse(res, 61, "Not authorised to write %s", up->req.path);
		return -1;
	}
	long long limit = info->rt->config.upload_size;
	if (up->req.size > limit) {
		audit(up, "too large");
		refuse(res, 59, "Upload too large: at most %lld bytes", limit);
		return -1;
	}
	return 0;
}

struct upload *upload_begin(const struct request_info *info, const char *line, size_t len,
                            struct response *res)
{
	struct upload *up = xcalloc(1, sizeof *up);
	const char *reason = NULL;
	if (titan_parse(line, len, &up->req, &reason) != 0) {
		refuse(res, 59, "Bad request: %s", reason);
		free(up);
		return NULL;
	}
	if (authorise(up, info, res) != 0) {
		upload_free(up);
		return NULL;
	}
	up->local_port = info->local_port;
	buf_reserve(&up->body, (size_t)up->req.size);
	return up;
}

size_t upload_missing(const struct upload *up)
{
	return (size_t)up->req.size - up->body.len;
}

void upload_take(struct upload *up, const char *data, size_t len)
{
	size_t missing = upload_missing(up);
	buf_append(&up->body, data, len < missing ? len : missing);
}

/* A YAML double-quoted scalar for name. */
static void put_yaml_string(struct buf *out, const char *name)
{
	buf_putc(out, '"');
	for (const char *c = name; *c != '\0'; c++) {
		if (*c == '"' || *c == '\\')
			buf_putc(out, '\\');
		buf_putc(out, *c);
	}
	buf_putc(out, '"');
}

/* The upload with "author: NAME" added to its front matter (or given one). */
static void with_author(const struct upload *up, struct buf *out)
{
	const char *text = up->body.data;
	size_t len = up->body.len;
	bool has_front_matter = len >= 4 && strncmp(text, "---", 3) == 0 &&
	                        (text[3] == '\n' || (text[3] == '\r' && len > 4 && text[4] == '\n'));
	size_t first_line = has_front_matter ? (size_t)(strchr(text, '\n') - text) + 1 : 0;
	buf_append(out, text, first_line);
	if (!has_front_matter)
		buf_puts(out, "---\n");
	buf_puts(out, "author: ");
	put_yaml_string(out, up->editor->name);
	buf_putc(out, '\n');
	if (!has_front_matter)
		buf_puts(out, "---\n");
	buf_append(out, text + first_line, len - first_line);
}

static struct article *parse(const struct upload *up, const struct buf *text, struct buf *error)
{
	struct article_context ctx = {
		.utc_offset_minutes = up->vhost->utc_offset_minutes,
		.zone = up->vhost->zone,
		.lang = up->vhost->lang,
		.file_time = time(NULL),
	};
	return article_parse(up->req.path, text->data ? text->data : "", text->len, &ctx, error);
}

/*
 * The article as it will be written: parsed now, so a broken one is
 * refused before it replaces anything; with the editor as its author when
 * it names none (as long as that changes nothing else). NULL with res
 * filled when it is refused.
 */
static struct article *check_article(struct upload *up, struct response *res)
{
	struct buf error = {0};
	struct article *a = NULL;
	if (!text_valid_utf8(up->body.data ? up->body.data : "", up->body.len))
		buf_puts(&error, "1: not UTF-8 text");
	else
		a = parse(up, &up->body, &error);
	if (a == NULL) {
		error.len = error.data ? strcspn(error.data, "\n") : 0;
		refuse(res, 59, "%s:%.*s", up->req.path, (int)error.len, error.data ? error.data : "");
		audit(up, "refused: the article does not parse");
		buf_free(&error);
		return NULL;
	}
	buf_free(&error);
	if (a->meta.n_authors > 0)
		return a;
	struct buf signed_text = {0};
	with_author(up, &signed_text);
	struct buf ignored = {0};
	struct article *signed_article = parse(up, &signed_text, &ignored);
	buf_free(&ignored);
	if (signed_article != NULL && signed_article->meta.title != NULL && a->meta.title != NULL &&
	    strcmp(signed_article->meta.title, a->meta.title) == 0 &&
	    strcmp(signed_article->path, a->path) == 0) {
		article_free(a);
		buf_free(&up->body);
		up->body = signed_text;
		return signed_article;
	}
	if (signed_article != NULL)
		article_free(signed_article);
	buf_free(&signed_text);
	return a;
}

/* The file as it now is: the snapshot that holds this very file is the one
 * the answer waits for. */
static void remember_identity(struct upload *up)
{
	struct stat st;
	int root = site_root_fd(up->site);
	if (fstatat(root, up->req.path, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		up->dev = st.st_dev;
		up->ino = st.st_ino;
	}
}

/* "gemini://HOST[:PORT]PATH" for this host. */
static void redirect(const struct upload *up, const char *path, struct response *res)
{
	struct buf target = {0};
	buf_puts(&target, "gemini://");
	const char *host = up->req.host ? up->req.host : up->vhost->names[0];
	if (strchr(host, ':') != NULL)
		buf_printf(&target, "[%s]", host);
	else
		buf_puts(&target, host);
	if (up->req.port >= 0)
		buf_printf(&target, ":%d", up->req.port);
	url_encode_path(&target, path, strlen(path));
	gemini_status(res, 30, target.data);
	buf_free(&target);
}

static bool finish_delete(struct upload *up, struct response *res)
{
	struct buf error = {0};
	int root = site_root_fd(up->site);
	if (titan_delete(root, up->req.path, &error) != 0) {
		audit(up, error.data);
		refuse(res, 59, "%s", error.data);
		buf_free(&error);
		return true;
	}
	buf_free(&error);
	audit(up, "deleted");
	up->deleting = true;
	up->fallback = xstrdup("/");
	return false;
}

static bool store(struct upload *up, struct response *res)
{
	struct buf error = {0};
	int rc = titan_store(site_root_fd(up->site), up->req.path, up->body.data ? up->body.data : "",
	                     up->body.len, &error);
	if (rc != 0) {
		audit(up, error.data);
		/* Refused by the folder's owner or mode, or by confinement: no
		 * retry helps, the administrator must act (50, not 40). */
		if (strstr(error.data, strerror(EACCES)) != NULL || strstr(error.data, strerror(EPERM)) != NULL)
			refuse(res, 50, "Cannot write %s: the server may not write there (ask the administrator: the folder's owner, or a folder added since start needs a restart)",
			       up->req.path);
		else
			refuse(res, 40, "Cannot write %s", up->req.path);
		buf_free(&error);
		return false;
	}
	buf_free(&error);
	audit(up, "written");
	remember_identity(up);
	return true;
}

bool upload_finish(struct upload *up, struct response *res)
{
	if (up->req.size == 0)
		return finish_delete(up, res);
	const char *reason = NULL;
	enum titan_kind kind = titan_classify(up->req.path, up->body.data, up->body.len, &reason);
	if (kind == TITAN_REFUSED) {
		audit(up, reason);
		refuse(res, 59, "Bad request: %s", reason);
		return true;
	}
	struct article *a = NULL;
	if (kind == TITAN_ARTICLE && (a = check_article(up, res)) == NULL)
		return true;
	bool stored = store(up, res);
	if (stored && a != NULL)
		up->fallback = xstrdup(a->path);
	if (stored && a == NULL) {
		/* An image is served from the disk as it is: nothing to wait for. */
		char *path = xasprintf("/%s", up->req.path);
		redirect(up, path, res);
		free(path);
	}
	if (a != NULL)
		article_free(a);
	return !stored || a == NULL;
}

bool upload_settled(struct upload *up, bool give_up, struct response *res)
{
	struct snapshot *snap = site_acquire(up->site);
	const struct article *a = NULL;
	bool holds = snapshot_holds_source(snap, up->req.path, up->dev, up->ino, &a);
	bool done = up->deleting ? !holds : holds;
	if (done || give_up) {
		/* The address the snapshot gave it (a clash may have moved it). */
		redirect(up, done && a != NULL && a->path != NULL ? a->path : up->fallback, res);
	}
	site_release(up->site, snap);
	return done || give_up;
}

void upload_free(struct upload *up)
{
	if (up == NULL)
		return;
	titan_request_free(&up->req);
	buf_free(&up->body);
	free(up->fallback);
	free(up);
}
