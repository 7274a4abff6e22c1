#include "gopher.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "capsule.h"
#include "gophermap.h"
#include "itemtype.h"
#include "links.h"
#include "text.h"
#include "log.h"
#include "mime.h"
#include "pagecache.h"
#include "reserved.h"
#include "runtime.h"
#include "selector.h"
#include "route_context.h"
#include "routes.h"
#include "site.h"
#include "snapshot.h"

/* Files under this size are read whole (text dot-stuffed) and kept in
 * memory; larger ones are streamed raw, as a document. */
#define SMALL_FILE_MAX (1024 * 1024)
#define GOPHERMAP_MAX (256 * 1024)
#define GOPHERMAP_NAME RESERVED_GOPHERMAP

enum { STATUS_OK = 0, STATUS_ERROR = 3 };

enum frame_result gopher_frame(const char *data, size_t len, size_t *request_len)
{
	/* The line end may follow the longest line: CR, then LF. */
	size_t window = len < GOPHER_LINE_MAX + 2 ? len : GOPHER_LINE_MAX + 2;
	const char *lf = memchr(data, '\n', window);
	if (lf == NULL)
		return len > GOPHER_LINE_MAX + 1 ? FRAME_TOO_LONG : FRAME_MORE;
	size_t end = (size_t)(lf - data);
	if (end > 0 && data[end - 1] == '\r')
		end--;
	if (end > GOPHER_LINE_MAX)
		return FRAME_TOO_LONG;
	*request_len = end;
	return FRAME_COMPLETE;
}

/* Everything one request is answered from. */
struct gopher_request {
	const struct request_info *info;
	const struct vhost *vhost;
	struct site *site;
	struct snapshot *snap;
	struct menu_origin origin;
	struct response *res;
};

static void answer_error(struct response *res, const char *message)
{
	buf_clear(&res->head);
	menu_error(&res->head, message);
	menu_end(&res->head);
	res->status = STATUS_ERROR;
}

/* Not found, or not yet while the first load runs. */
static void answer_not_found(struct response *res, const struct snapshot *snap, const char *path)
{
	struct buf loading = {0};
	char *message = routes_still_loading(snap, &loading) ? buf_steal(&loading)
	                                                     : xasprintf("Not found: %s", path);
	answer_error(res, message);
	free(message);
}

static void answer_text(struct response *res, const char *text, size_t len)
{
	gopher_text(&res->head, text, len);
	menu_end(&res->head);
	res->status = STATUS_OK;
}

/* ---- URL: selectors (the Gophernicus convention for 'h' items) ---- */

static void html_escape(struct buf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': buf_puts(out, "&amp;"); break;
		case '<': buf_puts(out, "&lt;"); break;
		case '>': buf_puts(out, "&gt;"); break;
		case '"': buf_puts(out, "&quot;"); break;
		case '\'': buf_puts(out, "&#39;"); break;
		default: buf_putc(out, *s);
		}
	}
}

/* A small HTML page that sends a web browser on to url. */
static void answer_url(struct response *res, const char *url)
{
	if (!links_scheme_allowed(url)) {
		answer_error(res, "Bad request: this URL scheme is not linked");
		return;
	}
	struct buf *h = &res->head;
	buf_puts(h, "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
	            "<meta http-equiv=\"refresh\" content=\"1; url=");
	html_escape(h, url);
	buf_puts(h, "\">\n<title>Leaving Gopherspace</title>\n</head>\n<body>\n"
	            "<p>This link leads out of Gopherspace, to <a href=\"");
	html_escape(h, url);
	buf_puts(h, "\">");
	html_escape(h, url);
	buf_puts(h, "</a>.</p>\n</body>\n</html>\n");
	res->status = STATUS_OK;
}

/* ---- plain capsule files and directories ---- */

/* The item type of the file entry names (open, found by site_open_file),
 * called name: what was opened identifies it for mime.h's cache. */
static char file_item_type(const struct capsule_entry *entry, const char *name)
{
	return item_type_of_mime(
	    mime_type(entry->fd, name, entry->dev, entry->ino, entry->size, entry->mtime));
}

/* A capsule's gemtext as a menu, its links items a client can follow. */
static void answer_gemtext(struct gopher_request *rq, const char *path, const struct buf *text)
{
	const struct origin origin = {rq->origin.host, rq->origin.port, rq->info->tls};
	struct page p = {.form = PAGE_GOPHER_MENU, .origin = &origin, .body = &rq->res->head};
	page_gemtext(&p, text->data != NULL ? text->data : "", text->len, path, rq->snap);
	menu_end(&rq->res->head);
	rq->res->status = STATUS_OK;
}

/* A small file's answer (a text file dot-stuffed, gemtext as a menu, any
 * other as it is),
 * kept in the snapshot's page cache under the request's key with the
 * identity of the file read (pagecache.h): the next requests within the
 * second are answered from memory without opening it, later ones after
 * site_open_file has decided on the file again.
 * Takes ownership of entry->fd. */
static void serve_small_file(struct gopher_request *rq, const char *path, char type,
                             struct capsule_entry *entry)
{
	struct response *res = rq->res;
	struct page_key key = {path, OUTPUT_GOPHER, rq->origin.host, rq->origin.port, rq->info->tls};
	time_t now = time(NULL);
	if (page_cache_file_answer(rq->snap, &key, entry, now, res)) {
		close(entry->fd);
		return;
	}
	struct buf bytes = {0};
	int rc = buf_read_fd(&bytes, entry->fd, SMALL_FILE_MAX);
	close(entry->fd);
	if (rc != 0) {
		answer_error(res, "Cannot read this file");
	} else if (type == '1') {
		answer_gemtext(rq, path, &bytes);
	} else if (type == '0') {
		answer_text(res, bytes.data, bytes.len);
	} else {
		buf_append(&res->head, bytes.data, bytes.len);
		res->status = STATUS_OK;
	}
	if (rc == 0)
		page_cache_keep_file(rq->snap, &key, entry, now, res);
	buf_free(&bytes);
}

/* Takes ownership of entry->fd. */
static void serve_file(struct gopher_request *rq, const char *path, struct capsule_entry *entry)
{
	struct response *res = rq->res;
	char type = file_item_type(entry, text_base_name(path));
	if (entry->size < SMALL_FILE_MAX) {
		serve_small_file(rq, path, type, entry);
		return;
	}
	/* Gemtext past the small-file size goes out as the text it is. */
	res->fd = entry->fd;
	res->fd_length = entry->size;
	res->status = STATUS_OK;
}

/* The selector of dir's parent ("/a/b/" -> "/a/"), dir not being "/". */
static char *parent_of(const char *dir)
{
	size_t len = strlen(dir) - 1; /* without the trailing '/' */
	while (len > 0 && dir[len - 1] != '/')
		len--;
	return xstrndup(dir, len);
}

/* One listing entry; names that resolve to nothing servable are left out. */
static void list_entry(struct gopher_request *rq, const char *dir, const char *name)
{
	char *selector = xasprintf("%s%s", dir, name);
	struct capsule_entry entry;
	site_open_file(rq->site, rq->snap, selector, &entry);
	char type = 0;
	if (entry.kind == CAPSULE_DIR)
		type = '1';
	if (entry.kind == CAPSULE_FILE)
		type = file_item_type(&entry, name);
	if (entry.fd >= 0)
		close(entry.fd);
	if (type == '1') {
		char *dir_selector = xasprintf("%s/", selector);
		char *display = xasprintf("%s/", name);
		menu_item(&rq->res->head, type, display, dir_selector, rq->origin.host, rq->origin.port);
		free(display);
		free(dir_selector);
	} else if (type != 0) {
		menu_item(&rq->res->head, type, name, selector, rq->origin.host, rq->origin.port);
	}
	free(selector);
}

/* Appends the generated listing of the open directory dirfd. */
static int append_listing(struct gopher_request *rq, int dirfd, const char *dir)
{
	struct capsule_listing listing;
	if (capsule_list(dirfd, &listing) < 0)
		return -1;
	if (strcmp(dir, "/") != 0) {
		char *parent = parent_of(dir);
		menu_item(&rq->res->head, '1', "..", parent, rq->origin.host, rq->origin.port);
		free(parent);
	}
	for (size_t i = 0; i < listing.count; i++) {
		if (strcmp(listing.names[i], GOPHERMAP_NAME) == 0)
			continue;
		list_entry(rq, dir, listing.names[i]);
	}
	capsule_listing_free(&listing);
	return 0;
}

/* Reads dir's hand-written gophermap into map. Returns false when there is
 * none, or when it is a file no road serves (a link to an article source). */
static bool read_gophermap(struct gopher_request *rq, const char *dir, struct buf *map)
{
	char *path = xasprintf("%s%s", dir, GOPHERMAP_NAME);
	struct capsule_entry entry;
	site_open_file(rq->site, rq->snap, path, &entry);
	free(path);
	if (entry.kind != CAPSULE_FILE) {
		if (entry.fd >= 0)
			close(entry.fd);
		return false;
	}
	int rc = buf_read_fd(map, entry.fd, GOPHERMAP_MAX);
	close(entry.fd);
	if (rc != 0)
		log_warn("cannot read the gophermap of %s: %s", dir,
		         rc == EFBIG ? "too large" : strerror(rc));
	return rc == 0;
}

/* Takes ownership of entry->fd. */
static void serve_directory(struct gopher_request *rq, const char *path, struct capsule_entry *entry)
{
	struct response *res = rq->res;
	size_t len = strlen(path);
	char *dir = path[len - 1] == '/' ? xstrdup(path) : xasprintf("%s/", path);
	struct buf map = {0};
	bool listing = rq->vhost->listing;
	if (read_gophermap(rq, dir, &map)) {
		listing = gophermap_render(&res->head, map.data, map.len, dir, &rq->origin) ==
		          GOPHERMAP_LISTING;
	} else if (listing) {
		char *title = xasprintf("Index of %s", dir);
		menu_info(&res->head, title);
		menu_info(&res->head, "");
		free(title);
	} else {
		answer_not_found(res, rq->snap, dir);
	}
	buf_free(&map);
	if (res->status != STATUS_ERROR && listing && append_listing(rq, entry->fd, dir) < 0)
		answer_error(res, "Cannot read this directory");
	if (res->status != STATUS_ERROR)
		menu_end(&res->head);
	close(entry->fd);
	free(dir);
}

/* The caps.txt that Gopher clients read to learn how selectors are built. */
static void answer_caps(struct gopher_request *rq)
{
	struct page_key key = {"/" RESERVED_CAPS, OUTPUT_GOPHER, rq->origin.host, rq->origin.port,
	                       rq->info->tls};
	if (page_cache_answer(rq->snap, &key, time(NULL), rq->res))
		return;
	struct buf caps = {0};
	struct buf description = {0};
	const char *title = rq->vhost->title ? rq->vhost->title : rq->vhost->names[0];
	menu_display(&description, title, strlen(title), 0);
	buf_printf(&caps,
	           "CAPS\n\n"
	           "# Server capabilities, written by Kabar for Gopher clients.\n\n"
	           "CapsVersion=1\nExpireCapsAfter=3600\n\n"
	           "PathDelimeter=/\nPathIdentity=.\nPathParent=..\nPathParentDouble=FALSE\n"
	           "PathEscapeCharacter=\\\nPathKeepPreDelimeter=FALSE\n\n"
	           "ServerSoftware=Kabar\nServerSoftwareVersion=%s\nServerDescription=%s\n"
	           "ServerDefaultEncoding=UTF-8\nDefaultEncoding=UTF-8\n"
	           /* Every Gopher port also speaks Gopher over TLS. */
	           "ServerTLSPort=%d\n",
	           KABAR_VERSION, description.data ? description.data : "", rq->origin.port);
	answer_text(rq->res, caps.data, caps.len);
	time_t now = time(NULL);
	page_cache_keep(rq->snap, &key, now, now, rq->res);
	buf_free(&description);
	buf_free(&caps);
}

/* What may be read is decided on the file opened, never on the selector's
 * spelling: an article source stays hidden behind any link or name. */
static void serve_capsule(struct gopher_request *rq, const char *path)
{
	struct capsule_entry entry;
	site_open_file(rq->site, rq->snap, path, &entry);
	switch (entry.kind) {
	case CAPSULE_FILE:
		serve_file(rq, path, &entry);
		return;
	case CAPSULE_DIR:
		serve_directory(rq, path, &entry);
		return;
	case CAPSULE_MISSING:
		if (strcmp(path, "/" RESERVED_CAPS) == 0) {
			answer_caps(rq);
			return;
		}
		break;
	case CAPSULE_FORBIDDEN:
		break;
	}
	if (entry.fd >= 0)
		close(entry.fd);
	answer_not_found(rq->res, rq->snap, path);
}

/* ---- site routes ---- */

static void answer_page(struct response *res, const struct route_result *result)
{
	if (result->gopher_type == '1') {
		buf_append(&res->head, result->body.data, result->body.len);
		menu_end(&res->head);
		res->status = STATUS_OK;
		return;
	}
	answer_text(res, result->body.data, result->body.len);
}

/* Search without terms: a menu whose one item asks for them. */
static void answer_search_prompt(struct gopher_request *rq, const char *path, const char *prompt)
{
	const char *label = prompt && prompt[0] ? prompt : "Search";
	menu_info(&rq->res->head, label);
	menu_item(&rq->res->head, '7', label, path, rq->origin.host, rq->origin.port);
	menu_end(&rq->res->head);
	rq->res->status = STATUS_OK;
}

/* An article moved to another site: Gopher cannot redirect, so it says where. */
static void answer_moved_away(struct gopher_request *rq, const char *target)
{
	char *selector = xasprintf("URL:%s", target);
	char *display = xasprintf("Moved to %s", target);
	menu_info(&rq->res->head, "This page has moved.");
	if (!menu_item(&rq->res->head, 'h', display, selector, rq->origin.host, rq->origin.port))
		menu_info(&rq->res->head, display);
	menu_end(&rq->res->head);
	rq->res->status = STATUS_OK;
	free(display);
	free(selector);
}

static void route(struct gopher_request *rq, const char *path, const char *query, int redirects)
{
	struct page_key key = {path, OUTPUT_GOPHER, rq->origin.host, rq->origin.port, rq->info->tls};
	/* A query is a search (or ignored): computed every time. */
	if (query == NULL && page_cache_answer(rq->snap, &key, time(NULL), rq->res))
		return;
	struct route_result result;
	memset(&result, 0, sizeof result);
	struct origin origin = {rq->origin.host, rq->origin.port, rq->info->tls};
	time_t from = time(NULL);
	site_route(rq->snap, OUTPUT_GOPHER, &origin, path, query, &result);
	switch (result.kind) {
	case ROUTE_PAGE:
		answer_page(rq->res, &result);
		if (query == NULL)
			page_cache_keep(rq->snap, &key, from, time(NULL), rq->res);
		break;
	case ROUTE_INPUT:
		answer_search_prompt(rq, path, result.target);
		break;
	case ROUTE_REDIRECT:
		/* Gopher has no redirect: follow one, inside this site only. */
		if (result.target == NULL || redirects > 0)
			answer_not_found(rq->res, rq->snap, path);
		else if (result.target[0] == '/')
			route(rq, result.target, NULL, redirects + 1);
		else
			answer_moved_away(rq, result.target);
		break;
	case ROUTE_NOT_FOUND:
		answer_not_found(rq->res, rq->snap, path);
		break;
	case ROUTE_NONE:
		serve_capsule(rq, path);
		break;
	}
	route_result_free(&result);
}

/*
 * The server menu lines name: what the host advertises (its public name and
 * port behind NAT, a port forward or a balancer), else its canonical name
 * and the port the request arrived on. Never the socket's address, which a
 * reader beyond the machine cannot reach.
 */
static struct menu_origin menu_origin(const struct vhost *vhost, const struct request_info *info)
{
	if (vhost->advertise_host != NULL)
		return (struct menu_origin){vhost->advertise_host, vhost->advertise_port};
	return (struct menu_origin){vhost->names[0], info->local_port};
}

static void serve_selector(const struct request_info *info, const struct selector *sel,
                           struct response *res)
{
	/* An SNI name no host answers to gets the default host: Gopher itself
	 * has no host names, so the plain-TCP answer is the right one. */
	int index = runtime_find_host(info->rt, info->sni);
	if (index < 0)
		index = 0;
	struct gopher_request rq = {
		.info = info,
		.vhost = &info->rt->config.vhosts[index],
		.site = info->rt->sites[index],
		.res = res,
	};
	rq.origin = menu_origin(rq.vhost, info);
	rq.snap = site_acquire(rq.site);
	route(&rq, sel->path, sel->search, 0);
	site_release(rq.site, rq.snap);
}

void gopher_respond(const struct request_info *info, const char *request, size_t len,
                    struct response *res)
{
	if (request == NULL) {
		answer_error(res, selector_status_text(SELECTOR_TOO_LONG));
		return;
	}
	struct selector sel;
	enum selector_status status = selector_parse(request, len, &sel);
	if (status != SELECTOR_OK) {
		answer_error(res, selector_status_text(status));
		return;
	}
	if (sel.url)
		answer_url(res, sel.url);
	else
		serve_selector(info, &sel, res);
	selector_free(&sel);
}

void gopher_slow_down(int seconds, struct response *res)
{
	char *message = xasprintf("Too many requests: try again in %d seconds", seconds);
	answer_error(res, message);
	free(message);
}
