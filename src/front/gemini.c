#include "gemini.h"

#include "alloc.h"
#include "buf.h"
#include "capsule.h"
#include "desk.h"
#include "log.h"
#include "mime.h"
#include "pagecache.h"
#include "reserved.h"
#include "runtime.h"
#include "route_context.h"
#include "routes.h"
#include "site.h"
#include "text.h"
#include "titan.h"
#include "url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Limits from the Gemini specification. */
#define URL_MAX 1024
#define META_MAX 1024
/* Capsule files under this size are answered from memory (pagecache.h). */
#define SMALL_FILE_MAX (1024 * 1024)

/*
 * Request framing: "URL\r\n" with at most URL_MAX bytes before the CRLF.
 * Only the first URL_MAX + 2 bytes are searched, so a client cannot make us
 * scan a long line over and over as it trickles in.
 */
enum frame_result gemini_frame(const char *data, size_t len, size_t *request_len)
{
	size_t window = len < URL_MAX + 2 ? len : URL_MAX + 2;
	const char *lf = memchr(data, '\n', window);
	if (lf == NULL) {
		bool full = len >= URL_MAX + 2 || (len == URL_MAX + 1 && data[URL_MAX] != '\r');
		return full ? FRAME_TOO_LONG : FRAME_MORE;
	}
	size_t at = (size_t)(lf - data);
	if (at == 0 || data[at - 1] != '\r')
		return FRAME_DROP; /* a bare LF: not a Gemini client */
	*request_len = at - 1;
	return FRAME_COMPLETE;
}

/* Every answer goes through here: one status line, never a body (bodies are
 * added only after a 20). A meta carrying a control (CR LF would end the
 * header early and start a forged one) is never sent. */
static void set_status(struct response *res, int code, const char *meta)
{
	size_t meta_len = strlen(meta);
	if (meta_len > META_MAX) {
		log_warn("gemini: a %d response's meta is over %d bytes; answering 40", code, META_MAX);
		code = 40;
		meta = "Response header too long";
	} else if (!text_is_clean(meta, meta_len)) {
		struct buf shown = {0};
		log_escape(&shown, meta, meta_len);
		log_warn("gemini: a %d response's meta holds a control character; answering 40: "
		         "\"%s\"",
		         code, shown.data);
		buf_free(&shown);
		code = 40;
		meta = "Response header refused";
	}
	buf_clear(&res->head);
	buf_printf(&res->head, "%d %s\r\n", code, meta);
	res->status = code;
	if (res->fd >= 0)
		close(res->fd);
	res->fd = -1;
	res->fd_length = 0;
}

void gemini_status(struct response *res, int code, const char *meta)
{
	set_status(res, code, meta);
}

static void bad_request(struct response *res, const char *reason)
{
	char meta[128];
	snprintf(meta, sizeof meta, "Bad request: %s", reason);
	set_status(res, 59, meta);
}

static void not_found(struct response *res)
{
	set_status(res, 51, "Not found");
}

/* Not found, or not yet: while the first load runs, 41 (try again). */
static void not_found_yet(struct response *res, const struct snapshot *snap)
{
	struct buf meta = {0};
	if (routes_still_loading(snap, &meta))
		set_status(res, 41, meta.data);
	else
		not_found(res);
	buf_free(&meta);
}

/* The MIME type with its parameters: UTF-8 for text, the language for gemtext. */
static void content_type(struct buf *meta, const char *mime, const char *lang)
{
	buf_puts(meta, mime);
	if (strncmp(mime, "text/", 5) == 0)
		buf_puts(meta, "; charset=utf-8");
	if (strcmp(mime, "text/gemini") == 0 && lang != NULL && lang[0] != '\0')
		buf_printf(meta, "; lang=%s", lang);
}

static void set_success(struct response *res, const char *mime, const char *lang)
{
	struct buf meta = {0};
	content_type(&meta, mime, lang);
	set_status(res, 20, meta.data);
	buf_free(&meta);
}

/* What one request works with once its URL is known to be ours. */
struct gemini_request {
	const struct request_info *info;
	const struct url *url;
	const struct vhost *vhost;
	struct site *site;
	struct snapshot *snap;
	struct response *res;
	/* The page cache key of a reader's request without a query, else NULL. */
	const struct page_key *key;
};

/* "host" as it goes back into a URL: IPv6 literals in brackets. */
static void put_host(struct buf *out, const struct url *url)
{
	if (url->host_is_ipv6)
		buf_printf(out, "[%s]", url->host);
	else
		buf_puts(out, url->host);
}

/* 31 to the same URL with path (decoded) instead, keeping the query. */
static void redirect_to_path(const struct url *url, const char *path, struct response *res)
{
	struct buf target = {0};
	buf_puts(&target, "gemini://");
	put_host(&target, url);
	if (url->port >= 0)
		buf_printf(&target, ":%d", url->port);
	url_encode_path(&target, path, strlen(path));
	if (url->raw_query != NULL)
		buf_printf(&target, "?%s", url->raw_query);
	set_status(res, 31, target.data);
	buf_free(&target);
}

/*
 * The virtual host a URL names, or -1 (53). An IP address names no host:
 * it goes to the host the client named with SNI, else the default. A
 * client that named one host in SNI cannot ask for another in the URL.
 */
int gemini_find_host(const struct request_info *info, const char *host, bool host_is_ip)
{
	int by_sni = info->sni != NULL ? runtime_find_host(info->rt, info->sni) : -1;
	int by_url = host != NULL ? runtime_find_host(info->rt, host) : -1;
	if (by_url < 0 && host_is_ip)
		by_url = by_sni >= 0 ? by_sni : 0;
	if (by_url < 0 || (by_sni >= 0 && by_sni != by_url))
		return -1;
	return by_url;
}

/* The path used on the disk: repeated slashes squeezed, so that
 * "/news//a.md" names the same file as "/news/a.md". */
static char *disk_path(const char *path)
{
	char *out = xstrdup(path);
	size_t j = 0;
	for (size_t i = 0; out[i] != '\0'; i++) {
		if (out[i] == '/' && j > 0 && out[j - 1] == '/')
			continue;
		out[j++] = out[i];
	}
	out[j] = '\0';
	return out;
}

static void serve_file(struct gemini_request *rq, struct capsule_entry *entry, const char *path)
{
	const char *mime = mime_type(entry->fd, text_base_name(path), entry->dev, entry->ino, entry->size,
	                             entry->mtime);
	set_success(rq->res, mime, rq->vhost->lang);
	rq->res->fd = entry->fd;
	rq->res->fd_length = entry->size;
	entry->fd = -1;
}

/* A small file requested by its own name: header and bytes kept in the
 * snapshot's page cache under the request's key with the identity of the
 * file read (pagecache.h), so the next requests within the second are
 * answered from memory without opening it; later ones come here again
 * after site_open_file has decided on the file. */
static void serve_small_file(struct gemini_request *rq, struct capsule_entry *entry,
                             const char *path)
{
	time_t now = time(NULL);
	if (page_cache_file_answer(rq->snap, rq->key, entry, now, rq->res))
		return;
	/* The type first: libmagic may read the file from where it stands. */
	const char *mime = mime_type(entry->fd, text_base_name(path), entry->dev, entry->ino, entry->size,
	                             entry->mtime);
	struct buf bytes = {0};
	if (buf_read_fd(&bytes, entry->fd, SMALL_FILE_MAX) != 0) {
		serve_file(rq, entry, path); /* it changed while read: streamed as it is now */
		buf_free(&bytes);
		return;
	}
	set_success(rq->res, mime, rq->vhost->lang);
	buf_append(&rq->res->head, bytes.data, bytes.len);
	buf_free(&bytes);
	page_cache_keep_file(rq->snap, rq->key, entry, now, rq->res);
}

/* A link label: the name through the sanitizer when it is UTF-8, else its
 * encoded form; no control or bidi control reaches the page. */
static void put_label(struct buf *out, const char *name)
{
	size_t len = strlen(name);
	if (!text_valid_utf8(name, len)) {
		url_encode_segment(out, name, len);
		return;
	}
	text_clean(out, name, len, TEXT_CLEAN_NO_BIDI);
}

/* Whether name in the directory path is listed: only what a request for it
 * would be served (never an article source, whatever it is named, nor a
 * link leading out or to a hidden file). */
static bool listed(struct gemini_request *rq, const char *path, const char *name)
{
	char *child = xasprintf("%s%s", path, name);
	struct capsule_entry entry;
	site_open_file(rq->site, rq->snap, child, &entry);
	free(child);
	bool shown = entry.kind == CAPSULE_FILE || entry.kind == CAPSULE_DIR;
	if (entry.fd >= 0)
		close(entry.fd);
	return shown;
}

static void serve_listing(struct gemini_request *rq, int dirfd, const char *path)
{
	struct capsule_listing listing;
	if (!rq->vhost->listing || capsule_list(dirfd, &listing) != 0) {
		not_found_yet(rq->res, rq->snap);
		return;
	}
	struct buf page = {0};
	buf_puts(&page, "# Index of ");
	put_label(&page, path);
	buf_puts(&page, "\n\n");
	if (strcmp(path, "/") != 0)
		buf_puts(&page, "=> ../ ../\n");
	for (size_t i = 0; i < listing.count; i++) {
		const char *name = listing.names[i];
		if (!listed(rq, path, name))
			continue;
		const char *slash = listing.is_dir[i] ? "/" : "";
		buf_puts(&page, "=> ");
		url_encode_segment(&page, name, strlen(name));
		buf_puts(&page, slash);
		buf_putc(&page, ' ');
		put_label(&page, name);
		buf_printf(&page, "%s\n", slash);
	}
	set_success(rq->res, "text/gemini", rq->vhost->lang);
	buf_append(&rq->res->head, page.data, page.len);
	buf_free(&page);
	capsule_listing_free(&listing);
}

/* A directory (path ends with '/'): its index.gmi, else a listing. */
static void serve_directory(struct gemini_request *rq, int dirfd, const char *path)
{
	char *index_path = xasprintf("%s" RESERVED_INDEX, path);
	struct capsule_entry index;
	site_open_file(rq->site, rq->snap, index_path, &index);
	if (index.kind == CAPSULE_FILE)
		serve_file(rq, &index, index_path);
	else
		serve_listing(rq, dirfd, path);
	if (index.fd >= 0)
		close(index.fd);
	free(index_path);
}

/* What may be read is decided on the file opened, never on the request's
 * spelling: an article source stays hidden behind any link or name. */
static void serve_capsule(struct gemini_request *rq)
{
	char *path = disk_path(rq->url->path);
	struct capsule_entry entry;
	site_open_file(rq->site, rq->snap, path, &entry);
	size_t len = strlen(path);
	if (entry.kind == CAPSULE_FILE) {
		if (rq->key != NULL && entry.size < SMALL_FILE_MAX)
			serve_small_file(rq, &entry, path);
		else
			serve_file(rq, &entry, path);
	} else if (entry.kind == CAPSULE_DIR && path[len - 1] != '/') {
		char *with_slash = xasprintf("%s/", path);
		redirect_to_path(rq->url, with_slash, rq->res);
		free(with_slash);
	} else if (entry.kind == CAPSULE_DIR) {
		serve_directory(rq, entry.fd, path);
	} else {
		not_found_yet(rq->res, rq->snap);
	}
	if (entry.fd >= 0)
		close(entry.fd);
	free(path);
}

static void apply_route(struct gemini_request *rq, struct route_result *result)
{
	switch (result->kind) {
	case ROUTE_PAGE:
		set_success(rq->res, result->mime, result->lang[0] != '\0' ? result->lang : rq->vhost->lang);
		buf_append(&rq->res->head, result->body.data, result->body.len);
		return;
	case ROUTE_REDIRECT:
		set_status(rq->res, 31, result->target);
		return;
	case ROUTE_INPUT:
		set_status(rq->res, 10, result->target);
		return;
	case ROUTE_NOT_FOUND:
		not_found_yet(rq->res, rq->snap);
		return;
	case ROUTE_NONE:
		serve_capsule(rq);
		return;
	}
}

/* /desk/ for a client that is not an editor here: not found, as for any
 * reader, unless an editor's certificate is out of its dates (62) or the
 * session was resumed without one (60, saying to reconnect with it). */
static bool refuse_desk(struct gemini_request *rq, const struct titan_refusal *why)
{
	const char *path = rq->url->path;
	bool desk = strcmp(path, "/desk") == 0 || strncmp(path, "/desk/", 6) == 0;
	bool resumed_bare = why->status == 60 && rq->info->resumed;
	if (rq->vhost->n_editors == 0 || !desk || (why->status != 62 && !resumed_bare))
		return false;
	if (why->status == 62)
		log_info("desk: %s: %s", rq->info->client_cert_sha256, why->meta);
	set_status(rq->res, why->status, why->meta);
	return true;
}

/* An editor's request: drafts and scheduled articles at their addresses,
 * and /desk/ (desk.h). Never cached: readers must not see these bytes.
 * False when the path is not one of these pages, or the client no editor. */
static bool serve_editor(struct gemini_request *rq, const struct origin *origin)
{
	struct titan_refusal why;
	const struct editor *editor = titan_request_editor(rq->vhost, rq->info, &why);
	if (editor == NULL)
		return refuse_desk(rq, &why);
	struct route_result result;
	desk_route(rq->snap, editor, OUTPUT_GEMINI, origin, rq->url->path, &result);
	bool answered = result.kind != ROUTE_NONE;
	if (answered)
		apply_route(rq, &result);
	route_result_free(&result);
	return answered;
}

/* A reader's request: the page rendered once per snapshot (pagecache.h),
 * or computed when it has a query (search). */
static void serve_reader(struct gemini_request *rq, const struct origin *origin)
{
	struct page_key key = {rq->url->path, OUTPUT_GEMINI, origin->host, origin->port, origin->tls};
	bool cacheable = rq->url->query == NULL;
	if (cacheable && page_cache_answer(rq->snap, &key, time(NULL), rq->res))
		return;
	rq->key = cacheable ? &key : NULL;
	struct route_result result;
	memset(&result, 0, sizeof result);
	time_t from = time(NULL);
	site_route(rq->snap, OUTPUT_GEMINI, origin, rq->url->path, rq->url->query, &result);
	apply_route(rq, &result);
	if (cacheable && result.kind == ROUTE_PAGE)
		page_cache_keep(rq->snap, &key, from, time(NULL), rq->res);
	route_result_free(&result);
}

static void serve(struct gemini_request *rq)
{
	struct buf host = {0};
	put_host(&host, rq->url);
	struct origin origin = {
		.host = host.data,
		.port = rq->info->local_port,
		.tls = rq->info->tls,
	};
	rq->snap = site_acquire(rq->site);
	if (!serve_editor(rq, &origin))
		serve_reader(rq, &origin);
	site_release(rq->site, rq->snap);
	buf_free(&host);
}

static void respond_url(const struct request_info *info, const struct url *url,
                        struct response *res)
{
	if (url->has_userinfo) {
		bad_request(res, "userinfo is not allowed");
		return;
	}
	if (url->has_fragment) {
		bad_request(res, "fragments are not allowed");
		return;
	}
	if (strcmp(url->scheme, "gemini") != 0) {
		set_status(res, 53, "Proxy request refused");
		return;
	}
	if (!url->has_authority) {
		bad_request(res, "no host");
		return;
	}
	int index = gemini_find_host(info, url->host, url->host_is_ip);
	/* No port means 1965, which a server on another port also answers to:
	 * the client reached us, so the URL is ours. */
	if (index < 0 || (url->port >= 0 && url->port != info->local_port)) {
		set_status(res, 53, "Proxy request refused");
		return;
	}
	if (url->raw_path[0] == '\0') {
		redirect_to_path(url, "/", res);
		return;
	}
	struct gemini_request rq = {
		.info = info,
		.url = url,
		.vhost = &info->rt->config.vhosts[index],
		.site = info->rt->sites[index],
		.snap = NULL,
		.res = res,
	};
	serve(&rq);
}

void gemini_respond(const struct request_info *info, const char *request, size_t len,
                    struct response *res)
{
	if (request == NULL) {
		bad_request(res, "request too long");
		return;
	}
	struct url url;
	enum url_error err = url_parse(request, len, &url);
	if (err != URL_OK) {
		bad_request(res, url_error_text(err));
		return;
	}
	respond_url(info, &url, res);
	url_free(&url);
}

void gemini_slow_down(int seconds, struct response *res)
{
	char meta[32];
	snprintf(meta, sizeof meta, "%d", seconds);
	set_status(res, 44, meta);
}
