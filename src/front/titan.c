#include "titan.h"

#include "alloc.h"
#include "article.h"
#include "capsule.h"
#include "mime.h"
#include "reserved.h"
#include "snapshot_files.h"
#include "url.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define TITAN_SCHEME "titan://"
/* More digits than this cannot be a size anyone may send. */
#define MAX_SIZE_DIGITS 18

bool titan_is_request(const char *line, size_t len)
{
	size_t n = strlen(TITAN_SCHEME);
	return len >= n && strncasecmp(line, TITAN_SCHEME, n) == 0;
}

static bool parse_size(const char *s, size_t len, long long *out)
{
	if (len == 0 || len > MAX_SIZE_DIGITS)
		return false;
	long long v = 0;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* A MIME type as the parameter gives it: "type/subtype", token characters. */
static bool valid_mime(const char *s)
{
	size_t slashes = 0;
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s == '/')
			slashes++;
		else if (!isalnum((unsigned char)*s) && strchr("!#$&^_.+-", *s) == NULL)
			return false;
	}
	return slashes == 1;
}

/* One "key=value" parameter; false (with a reason) if it is malformed. */
static bool parse_parameter(const char *p, size_t len, struct titan_request *req, bool *has_size,
                            const char **reason)
{
	const char *eq = memchr(p, '=', len);
	if (eq == NULL) {
		*reason = "a Titan parameter needs a value (size=N)";
		return false;
	}
	size_t key_len = (size_t)(eq - p);
	const char *value = eq + 1;
	size_t value_len = len - key_len - 1;
	if (key_len == 4 && strncasecmp(p, "size", 4) == 0) {
		*has_size = parse_size(value, value_len, &req->size);
		if (!*has_size)
			*reason = "size= must be a number of bytes";
		return *has_size;
	}
	bool is_mime = key_len == 4 && strncasecmp(p, "mime", 4) == 0;
	bool is_token = key_len == 5 && strncasecmp(p, "token", 5) == 0;
	if (!is_mime && !is_token)
		return true; /* unknown parameters are left alone, as the convention asks */
	struct buf decoded = {0};
	if (url_decode(&decoded, value, value_len, true) != URL_OK) {
		buf_free(&decoded);
		*reason = "a Titan parameter is badly encoded";
		return false;
	}
	char *text = buf_steal(&decoded);
	if (is_mime && !valid_mime(text)) {
		free(text);
		*reason = "mime= is not a MIME type";
		return false;
	}
	char **slot = is_mime ? &req->mime : &req->token;
	free(*slot);
	*slot = text;
	return true;
}

static bool parse_parameters(const char *p, const char *end, struct titan_request *req,
                             const char **reason)
{
	bool has_size = false;
	while (p < end) {
		const char *next = memchr(p, ';', (size_t)(end - p));
		size_t len = (size_t)((next ? next : end) - p);
		if (len > 0 && !parse_parameter(p, len, req, &has_size, reason))
			return false;
		p += len + (next != NULL);
	}
	if (!has_size)
		*reason = "a Titan upload must give size=";
	return has_size;
}

/* The URL part before the parameters: the path, host and port. */
static bool parse_target(const char *line, size_t len, struct titan_request *req,
                         const char **reason)
{
	struct url u;
	enum url_error err = url_parse(line, len, &u);
	if (err != URL_OK) {
		*reason = url_error_text(err);
		return false;
	}
	bool ok = false;
	if (u.has_userinfo)
		*reason = "a Titan URL carries no user name";
	else if (u.query != NULL)
		*reason = "a Titan URL carries no query";
	else if (u.has_fragment)
		*reason = "a Titan URL carries no fragment";
	else if (u.path[0] != '/' || u.path[1] == '\0')
		*reason = "a Titan upload must name a file";
	else if (u.path[strlen(u.path) - 1] == '/')
		*reason = "a folder cannot be uploaded";
	else
		ok = true;
	if (ok) {
		req->host = u.host ? xstrdup(u.host) : NULL;
		req->host_is_ip = u.host_is_ip;
		req->port = u.port;
		req->path = xstrdup(u.path + 1);
	}
	url_free(&u);
	return ok;
}

int titan_parse(const char *line, size_t len, struct titan_request *req, const char **reason)
{
	memset(req, 0, sizeof *req);
	req->port = -1;
	if (!titan_is_request(line, len)) {
		*reason = "not a Titan URL";
		return -1;
	}
	/* The parameters start at the first ';' after the authority: no host
	 * or port holds one, and a ';' meant for the path is sent as %3B. */
	const char *after = line + strlen(TITAN_SCHEME);
	const char *semi = memchr(after, ';', len - (size_t)(after - line));
	if (semi == NULL) {
		*reason = "a Titan upload must give size=";
		return -1;
	}
	if (!parse_target(line, (size_t)(semi - line), req, reason) ||
	    !parse_parameters(semi + 1, line + len, req, reason)) {
		titan_request_free(req);
		return -1;
	}
	if (req->mime == NULL)
		req->mime = xstrdup("text/gemini");
	return 0;
}

void titan_request_free(struct titan_request *req)
{
	free(req->host);
	free(req->path);
	free(req->mime);
	free(req->token);
	memset(req, 0, sizeof *req);
	req->port = -1;
}

const struct editor *titan_editor(const struct vhost *vh, const char *fingerprint)
{
	if (fingerprint == NULL || fingerprint[0] == '\0')
		return NULL;
	for (size_t i = 0; i < vh->n_editors; i++) {
		if (strcasecmp(vh->editors[i].fingerprint, fingerprint) == 0)
			return &vh->editors[i];
	}
	return NULL;
}

const struct editor *titan_request_editor(const struct vhost *vh,
                                          const struct request_info *info,
                                          struct titan_refusal *why)
{
	if (info->client_cert_sha256 == NULL) {
		why->status = 60;
		why->meta = info->resumed
		                    ? "A client certificate is needed: this connection resumed a session "
		                      "made without one; reconnect with the editor's identity"
		                    : "An editor's client certificate is needed";
		return NULL;
	}
	const struct editor *ed = titan_editor(vh, info->client_cert_sha256);
	if (ed == NULL) {
		why->status = 61;
		why->meta = "Certificate not authorised";
		return NULL;
	}
	if (info->cert_period != CERT_IN_PERIOD) {
		why->status = 62;
		why->meta = info->cert_period == CERT_EXPIRED ? "Certificate not valid: it has expired"
		                                               : "Certificate not valid: not valid yet";
		return NULL;
	}
	return ed;
}

/* Names the server gives meaning to are the operator's; an article file
 * anywhere but news/ would be served raw, front matter, drafts and all. */
static bool name_writable(const char *relpath, const char **reason)
{
	if (snapshot_article_path(relpath))
		return true; /* news/guides/ferry/index.gmi is a page bundle's article */
	const char *reserved = reserved_reason(relpath);
	if (reserved != NULL) {
		*reason = reserved;
		return false;
	}
	if (!article_source_name(relpath))
		return true;
	*reason = strncmp(relpath, "news/", 5) != 0
	                  ? "article files (.md, .gmi, .txt) can be written under news/ only"
	                  : "an _index file introduces a folder; it is not an article";
	return false;
}

/* Every segment must be one a reader could ask for and the loader reads. */
bool titan_path_allowed(const char *relpath, const char **reason)
{
	size_t folders = 0;
	for (const char *p = relpath;;) {
		size_t len = strcspn(p, "/");
		char *segment = xstrndup(p, len);
		bool refused = len == 0 || strcmp(segment, ".") == 0 || strcmp(segment, "..") == 0 ||
		               capsule_name_hidden(segment);
		free(segment);
		if (refused) {
			*reason = "hidden names, \".\", \"..\" and empty folder names cannot be written";
			return false;
		}
		if (p[len] == '\0')
			break;
		p += len + 1;
		folders++;
	}
	if (folders > CAPSULE_MAX_DEPTH) {
		*reason = "the folder is deeper than Kabar reads";
		return false;
	}
	return name_writable(relpath, reason);
}

static bool is_image(const char *body, size_t len)
{
	return len > 0 && strncmp(mime_type_of_bytes(body, len), "image/", 6) == 0;
}

enum titan_kind titan_classify(const char *relpath, const char *body, size_t len,
                               const char **reason)
{
	if (!titan_path_allowed(relpath, reason))
		return TITAN_REFUSED;
	if (article_source_name(relpath))
		return TITAN_ARTICLE;
	if (is_image(body, len))
		return TITAN_IMAGE;
	*reason = "only articles (.md, .gmi, .txt) and images can be uploaded";
	return TITAN_REFUSED;
}

/* ---- writing ---- */

static void add_error(struct buf *error, const char *what, const char *relpath)
{
	buf_printf(error, "%s: %s: %s", relpath, what, strerror(errno));
}

/*
 * Opens the folder holding relpath's last segment, making missing folders
 * when make is set. No link is followed on the way: a folder that is a link
 * could lead out of the capsule or into a place the editor may not write.
 * Returns the folder's descriptor and points *name at the last segment.
 */
static int open_parent(int root_fd, const char *relpath, bool make, const char **name,
                       struct buf *error)
{
	int dir = openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		add_error(error, "cannot open the capsule", relpath);
		return -1;
	}
	for (const char *p = relpath;;) {
		size_t len = strcspn(p, "/");
		if (p[len] == '\0') {
			*name = p;
			return dir;
		}
		char *segment = xstrndup(p, len);
		int next = -1, err = 0;
		if (make && mkdirat(dir, segment, 0755) != 0 && errno != EEXIST) {
			err = errno;
			add_error(error, "cannot make a folder", relpath);
		} else if ((next = openat(dir, segment, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
			err = errno;
			add_error(error, "cannot open a folder on the way", relpath);
		}
		free(segment);
		close(dir);
		if (next < 0) {
			errno = err; /* the caller tells a link from a refusal by it */
			return -1;
		}
		dir = next;
		p += len + 1;
	}
}

static bool write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

/* Unique among this process's uploads, and hidden (a dotfile) from the
 * loader and from readers until it is renamed into place. */
static void temporary_name(char *out, size_t size)
{
	static atomic_ulong counter;
	snprintf(out, size, ".titan-%ld-%lu.tmp", (long)getpid(),
	         atomic_fetch_add(&counter, 1) + 1);
}

int titan_begin_file(int root_fd, const char *relpath, struct titan_file *f, struct buf *error)
{
	f->fd = -1;
	f->error = 0;
	f->dir = open_parent(root_fd, relpath, true, &f->name, error);
	if (f->dir < 0) {
		f->error = errno;
		return -1;
	}
	temporary_name(f->tmp, sizeof f->tmp);
	f->fd = openat(f->dir, f->tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (f->fd < 0) {
		f->error = errno;
		add_error(error, "cannot write", relpath);
		close(f->dir);
		f->dir = -1;
		return -1;
	}
	return 0;
}

int titan_file_write(struct titan_file *f, const char *data, size_t len)
{
	return write_all(f->fd, data, len) ? 0 : -1;
}

int titan_file_replace(struct titan_file *f, const char *data, size_t len)
{
	if (ftruncate(f->fd, 0) != 0 || lseek(f->fd, 0, SEEK_SET) != 0)
		return -1;
	return titan_file_write(f, data, len);
}

long long titan_free_bytes(int fd)
{
	struct statvfs vfs;
	if (fstatvfs(fd, &vfs) != 0)
		return -1;
	return (long long)vfs.f_bavail * (long long)vfs.f_frsize;
}

int titan_file_commit(struct titan_file *f, const char *relpath, struct buf *error)
{
	bool ok = fsync(f->fd) == 0;
	if (close(f->fd) != 0)
		ok = false;
	f->fd = -1;
	if (!ok) {
		f->error = errno;
		add_error(error, "cannot write", relpath);
	} else if (renameat(f->dir, f->tmp, f->dir, f->name) != 0) {
		f->error = errno;
		add_error(error, "cannot put in place", relpath);
		ok = false;
	}
	if (ok)
		fsync(f->dir); /* the rename itself survives a crash */
	else
		unlinkat(f->dir, f->tmp, 0);
	close(f->dir);
	f->dir = -1;
	return ok ? 0 : -1;
}

void titan_file_abandon(struct titan_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->dir >= 0) {
		unlinkat(f->dir, f->tmp, 0);
		close(f->dir);
	}
	f->fd = -1;
	f->dir = -1;
}

int titan_store(int root_fd, const char *relpath, const char *body, size_t len,
                struct buf *error)
{
	struct titan_file f;
	if (titan_begin_file(root_fd, relpath, &f, error) != 0)
		return -1;
	if (titan_file_write(&f, body, len) != 0) {
		add_error(error, "cannot write", relpath);
		titan_file_abandon(&f);
		return -1;
	}
	return titan_file_commit(&f, relpath, error);
}

/* Only what could have been uploaded may be deleted: an article, or a file
 * whose bytes are an image. */
static bool deletable(int dir, const char *name, const char *relpath, struct buf *error)
{
	int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		add_error(error, "cannot delete", relpath);
		if (fd >= 0)
			close(fd);
		return false;
	}
	bool ok = S_ISREG(st.st_mode);
	if (ok && !article_source_name(relpath)) {
		char head[4096];
		ssize_t n = pread(fd, head, sizeof head, 0);
		ok = n > 0 && is_image(head, (size_t)n);
	}
	close(fd);
	if (!ok)
		buf_printf(error, "%s: only articles and images can be deleted", relpath);
	return ok;
}

int titan_delete(int root_fd, const char *relpath, struct buf *error)
{
	const char *name;
	int dir = open_parent(root_fd, relpath, false, &name, error);
	if (dir < 0)
		return -1;
	int rc = -1;
	if (deletable(dir, name, relpath, error)) {
		if (unlinkat(dir, name, 0) != 0)
			add_error(error, "cannot delete", relpath);
		else
			rc = 0;
	}
	close(dir);
	return rc;
}
