#include "upload.h"

#include "alloc.h"
#include "article.h"
#include "buf.h"
#include "credit.h"
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
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* What libmagic is shown of a body to tell an image. */
#define HEAD_BYTES 4096

struct upload {
	struct titan_request req;
	const struct vhost *vhost;   /* in the runtime the connection holds */
	struct site *site;
	const struct editor *editor;
	int local_port;
	/* The body, on its way to a temporary file beside the target. */
	struct titan_file file;
	bool file_open;
	size_t received;
	int write_errno;             /* the first write that failed, or 0 */
	bool in_flight;              /* holds one of the server's upload slots */
	long long charged;           /* bytes charged to the editor's day, refunded unless written */
	/* Once written: what the snapshot must hold before the answer goes. */
	bool deleting;
	dev_t dev;
	ino_t ino;
	char *fallback;              /* the address the check parsed, for give_up */
};

/* ---- what every worker shares: uploads in flight, editors' days ---- */

static atomic_int uploads_in_flight;

struct day_use {
	char fingerprint[65];
	long day;           /* days since the epoch, UTC */
	long long bytes;
};

static pthread_mutex_t days_lock = PTHREAD_MUTEX_INITIALIZER;
static struct day_use *days;    /* one per editor who uploaded; never shrinks */
static size_t n_days;

static long today(void)
{
	return (long)(time(NULL) / 86400);
}

static struct day_use *day_of(const char *fingerprint)
{
	for (size_t i = 0; i < n_days; i++)
		if (strcmp(days[i].fingerprint, fingerprint) == 0)
			return &days[i];
	days = xreallocarray(days, n_days + 1, sizeof *days);
	struct day_use *d = &days[n_days++];
	memset(d, 0, sizeof *d);
	snprintf(d->fingerprint, sizeof d->fingerprint, "%s", fingerprint);
	return d;
}

/* Charges size to the editor's day when it fits the budget (0: none);
 * else false with what is left in *left. */
static bool charge_day(const char *fingerprint, long long size, long long budget,
                       long long *left)
{
	pthread_mutex_lock(&days_lock);
	struct day_use *d = day_of(fingerprint);
	if (d->day != today()) {
		d->day = today();
		d->bytes = 0;
	}
	bool fits = budget == 0 || d->bytes + size <= budget;
	if (fits)
		d->bytes += size;
	*left = budget - d->bytes;
	pthread_mutex_unlock(&days_lock);
	return fits;
}

static void refund_day(const char *fingerprint, long long size)
{
	pthread_mutex_lock(&days_lock);
	struct day_use *d = day_of(fingerprint);
	if (d->day == today())
		d->bytes = d->bytes > size ? d->bytes - size : 0;
	pthread_mutex_unlock(&days_lock);
}

/* ---- answers ---- */

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

/* A refusal of an editor's request: logged, then answered. */
static int refuse_logged(struct upload *up, struct response *res, int code, const char *reason)
{
	audit(up, reason);
	refuse(res, code, "%s", reason);
	return -1;
}

/* What the editor may do under vh: write this path, this large. 0, or -1
 * with res filled. */
static int editor_may(struct upload *up, const struct request_info *info, struct response *res)
{
	const char *reason = NULL;
	if (!titan_path_allowed(up->req.path, &reason)) {
		audit(up, reason);
		refuse(res, 59, "Bad request: %s", reason);
		return -1;
	}
	if (!config_editor_covers(up->editor, up->req.path)) {
		audit(up, "outside the editor's paths");
		refuse(res, 61, "Not authorised to write %s", up->req.path);
		return -1;
	}
	long long limit = info->rt->config.upload_size;
	if (article_source_name(up->req.path) && limit > ARTICLE_MAX_BYTES)
		limit = ARTICLE_MAX_BYTES;
	if (up->req.size > limit) {
		audit(up, "too large");
		refuse(res, 59, "Upload too large: at most %lld bytes", limit);
		return -1;
	}
	return 0;
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
	struct titan_refusal why;
	up->editor = titan_request_editor(up->vhost, info, &why);
	if (up->editor == NULL) {
		if (why.status == 62)
			log_info("titan: %s: %s", info->client_cert_sha256, why.meta);
		refuse(res, why.status, "%s", why.meta);
		return -1;
	}
	return editor_may(up, info, res);
}

/* The server's bounds on what uploads may take: bodies in flight, the
 * editor's day, the disk's floor. 0, or -1 with res filled. */
static int within_limits(struct upload *up, const struct config *cfg, struct response *res)
{
	if (atomic_fetch_add(&uploads_in_flight, 1) >= cfg->uploads_in_flight) {
		atomic_fetch_sub(&uploads_in_flight, 1);
		return refuse_logged(up, res, 40, "Too many uploads under way; try again in a minute");
	}
	up->in_flight = true;
	long long left = 0;
	if (!charge_day(up->editor->fingerprint, up->req.size, cfg->upload_budget, &left)) {
		char reason[160];
		snprintf(reason, sizeof reason, "Over today's upload budget of %lld bytes (%lld left)",
		         cfg->upload_budget, left > 0 ? left : 0);
		return refuse_logged(up, res, 59, reason);
	}
	up->charged = up->req.size;
	long long free_bytes = titan_free_bytes(site_root_fd(up->site));
	if (free_bytes >= 0 && free_bytes - up->req.size < cfg->upload_disk_floor)
		return refuse_logged(up, res, 40, "Not enough disk space for this upload");
	return 0;
}

/*
 * A write the capsule refused, answered by what can help: a folder on the
 * way that is a link is never written through (59); a refusal by a
 * folder's owner or mode, or by confinement, needs the administrator (50,
 * no retry helps); anything else may pass (40).
 */
static void refuse_write(struct upload *up, struct response *res, int err)
{
	if (err == ELOOP || err == ENOTDIR)
		refuse(res, 59, "Cannot write %s: a folder on the way is a link, and uploads never go through links",
		       up->req.path);
	else if (err == EACCES || err == EPERM || err == EROFS)
		refuse(res, 50, "Cannot write %s: the server may not write there (ask the administrator: the folder's owner, or a folder added since start needs a restart)",
		       up->req.path);
	else
		refuse(res, 40, "Cannot write %s", up->req.path);
}

static int open_file(struct upload *up, struct response *res)
{
	struct buf error = {0};
	if (titan_begin_file(site_root_fd(up->site), up->req.path, &up->file, &error) != 0) {
		audit(up, error.data);
		buf_free(&error);
		refuse_write(up, res, up->file.error);
		return -1;
	}
	buf_free(&error);
	up->file_open = true;
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
	bool ok = authorise(up, info, res) == 0;
	if (ok && up->req.size > 0)
		ok = within_limits(up, &info->rt->config, res) == 0 && open_file(up, res) == 0;
	if (!ok) {
		upload_free(up);
		return NULL;
	}
	up->local_port = info->local_port;
	return up;
}

size_t upload_missing(const struct upload *up)
{
	return (size_t)up->req.size - up->received;
}

void upload_take(struct upload *up, const char *data, size_t len)
{
	size_t missing = upload_missing(up);
	size_t n = len < missing ? len : missing;
	up->received += n;
	/* After a failed write the rest is read and dropped: the client gets
	 * its answer once it has sent what it said it would. */
	if (n > 0 && up->write_errno == 0 && titan_file_write(&up->file, data, n) != 0)
		up->write_errno = errno;
}

static void leave_flight(struct upload *up)
{
	if (up->in_flight)
		atomic_fetch_sub(&uploads_in_flight, 1);
	up->in_flight = false;
}

/* ---- the body, once whole ---- */

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

/* The body back from its file: at most ARTICLE_MAX_BYTES (editor_may). */
static bool read_body(struct upload *up, struct buf *text)
{
	buf_reserve(text, up->received);
	ssize_t n = pread(up->file.fd, text->data, up->received, 0);
	if (n != (ssize_t)up->received)
		return false;
	text->len = up->received;
	text->data[text->len] = '\0';
	return true;
}

/* The file as written: credited to the editor who uploads it when the
 * article does not name them (credit.h). */
static void credit(struct upload *up, const struct article *a, const struct buf *text)
{
	struct article_context ctx = {
		.utc_offset_minutes = up->vhost->utc_offset_minutes,
		.lang = up->vhost->lang,
		.file_time = time(NULL),
	};
	struct buf credited = {0};
	if (credit_author(a, text->data, text->len, up->editor->name, &ctx, &credited) &&
	    titan_file_replace(&up->file, credited.data, credited.len) != 0)
		up->write_errno = errno;
	else if (credited.len == 0 && !credit_names(a, up->editor->name))
		audit(up, "not credited: the article cannot take an author line");
	buf_free(&credited);
}

/*
 * The article as it will be written, parsed once: a broken one is refused
 * before it replaces anything. NULL with res filled when it is refused.
 */
static struct article *check_article(struct upload *up, struct response *res)
{
	struct buf text = {0};
	struct buf error = {0};
	struct article *a = NULL;
	if (!read_body(up, &text))
		buf_puts(&error, "1: cannot be read back");
	else if (!text_valid_utf8(text.data, text.len))
		buf_puts(&error, "1: not UTF-8 text");
	else
		a = parse(up, &text, &error);
	if (a == NULL) {
		error.len = error.data ? strcspn(error.data, "\n") : 0;
		refuse(res, 59, "%s:%.*s", up->req.path, (int)error.len, error.data ? error.data : "");
		audit(up, "refused: the article does not parse");
	} else {
		credit(up, a, &text);
	}
	buf_free(&error);
	buf_free(&text);
	return a;
}

/* An address another article holds stays its (snapshot.h): refused. */
static bool address_held(struct upload *up, const struct article *a, struct response *res)
{
	struct snapshot *snap = site_acquire(up->site);
	struct buf reason = {0};
	bool held = snapshot_address_clash(snap, site_root_fd(up->site), a, &reason);
	site_release(up->site, snap);
	if (held) {
		audit(up, reason.data);
		refuse(res, 59, "%s", reason.data);
	}
	buf_free(&reason);
	return held;
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
	int err = up->write_errno;
	if (err != 0) {
		buf_printf(&error, "%s: cannot write: %s", up->req.path, strerror(err));
		titan_file_abandon(&up->file);
	} else if (titan_file_commit(&up->file, up->req.path, &error) != 0) {
		err = up->file.error;
	}
	up->file_open = false;
	if (err != 0) {
		audit(up, error.data);
		refuse_write(up, res, err);
		buf_free(&error);
		return false;
	}
	buf_free(&error);
	audit(up, "written");
	up->charged = 0; /* kept on the editor's day */
	remember_identity(up);
	return true;
}

/* The editor, asked again at the end against the settings now in force (a
 * reload may have removed them or their path meanwhile). 0, or -1 with res
 * filled. */
static int still_authorised(struct upload *up, const struct runtime *now, struct response *res)
{
	int index = runtime_find_host(now, up->vhost->names[0]);
	const struct vhost *vh = index >= 0 ? &now->config.vhosts[index] : NULL;
	const struct editor *ed = vh ? titan_editor(vh, up->editor->fingerprint) : NULL;
	if (ed != NULL && config_editor_covers(ed, up->req.path))
		return 0;
	audit(up, "refused: no longer authorised (the settings changed during the upload)");
	refuse(res, 61, "Not authorised to write %s any more", up->req.path);
	return -1;
}

/* The file's kind by its name and its first bytes. */
static enum titan_kind classify(struct upload *up, const char **reason)
{
	char head[HEAD_BYTES];
	size_t want = up->received < sizeof head ? up->received : sizeof head;
	ssize_t n = pread(up->file.fd, head, want, 0);
	return titan_classify(up->req.path, head, n > 0 ? (size_t)n : 0, reason);
}

static bool finish(struct upload *up, const struct runtime *now, struct response *res)
{
	if (still_authorised(up, now, res) != 0)
		return true;
	if (up->req.size == 0)
		return finish_delete(up, res);
	const char *reason = NULL;
	enum titan_kind kind = classify(up, &reason);
	if (kind == TITAN_REFUSED) {
		audit(up, reason);
		refuse(res, 59, "Bad request: %s", reason);
		return true;
	}
	struct article *a = NULL;
	if (kind == TITAN_ARTICLE && (a = check_article(up, res)) == NULL)
		return true;
	if (a != NULL && address_held(up, a, res)) {
		article_free(a);
		return true;
	}
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

bool upload_finish(struct upload *up, const struct runtime *now, struct response *res)
{
	leave_flight(up);
	bool answered = finish(up, now, res);
	/* Refused: the temporary file goes before the answer does. */
	if (up->file_open)
		titan_file_abandon(&up->file);
	up->file_open = false;
	return answered;
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
	leave_flight(up);
	if (up->file_open)
		titan_file_abandon(&up->file);
	if (up->charged > 0)
		refund_day(up->editor->fingerprint, up->charged);
	titan_request_free(&up->req);
	free(up->fallback);
	free(up);
}
