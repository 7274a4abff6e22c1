#include "gopher.h"

#include "capsule.h"
#include "check.h"
#include "mime.h"
#include "runtime.h"
#include "selector.h"
#include "routes.h"
#include "site.h"
#include "snapshot.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/*
 * Test doubles for the modules gopher.c asks: one site whose routes are a
 * fixed table, and a capsule held in memory (files are memfds, so the
 * response's descriptor is real). The real modules are exercised by
 * tests/integration/test_gopher.py.
 */

struct site {
	int unused;
};

static struct site the_site;
static struct snapshot the_snapshot;
static int snapshots_held;

int runtime_find_host(const struct runtime *rt, const char *host)
{
	(void)rt;
	if (host == NULL || strcmp(host, "localhost") == 0)
		return 0;
	return -1;
}

struct snapshot *site_acquire(struct site *site)
{
	(void)site;
	snapshots_held++;
	return &the_snapshot;
}

void site_release(struct site *site, struct snapshot *snap)
{
	(void)site;
	(void)snap;
	snapshots_held--;
}

static bool hidden_source(const struct capsule_entry *entry)
{
	return entry->kind == CAPSULE_FILE &&
	       (strcmp(entry->path, "news/a.md") == 0 || strcmp(entry->path, "plain/draft.md") == 0);
}

static void capsule_double_open(const char *path, struct capsule_entry *entry);

/* The front-end's one way to a capsule file (site.h): the double's capsule,
 * then its snapshot's sources. */
void site_open_file(const struct site *site, const struct snapshot *snap, const char *path,
                    struct capsule_entry *entry)
{
	(void)site;
	(void)snap;
	capsule_double_open(path, entry);
	if (!hidden_source(entry))
		return;
	close(entry->fd);
	entry->fd = -1;
	entry->kind = CAPSULE_FORBIDDEN;
}

/* Gemtext files link no article here. */
const struct article *snapshot_link_target(const struct snapshot *snap, const char *site_path)
{
	(void)snap;
	(void)site_path;
	return NULL;
}

static char last_query[64];
static struct origin last_origin;

void site_route(const struct snapshot *snap, enum output out, const struct origin *origin,
                const char *path, const char *query, struct route_result *result)
{
	(void)snap;
	(void)out;
	memset(result, 0, sizeof *result);
	snprintf(last_query, sizeof last_query, "%s", query ? query : "(none)");
	last_origin = *origin;
	result->kind = ROUTE_PAGE;
	if (strcmp(path, "/") == 0) {
		result->gopher_type = '1';
		buf_printf(&result->body, "iFront\t\terror.host\t1\r\n0A\t/news/a\t%s\t%d\r\n",
		           origin->host, origin->port);
	} else if (strcmp(path, "/news/a") == 0) {
		result->gopher_type = '0';
		buf_puts(&result->body, "Title\n.dot line\nend");
	} else if (strcmp(path, "/search") == 0 && query == NULL) {
		result->kind = ROUTE_INPUT;
		result->target = strdup("Search the news");
	} else if (strcmp(path, "/search") == 0) {
		result->gopher_type = '1';
		buf_printf(&result->body, "iResults for %s\t\terror.host\t1\r\n", query);
	} else if (strcmp(path, "/old") == 0) {
		result->kind = ROUTE_REDIRECT;
		result->target = strdup("/news/a");
	} else if (strcmp(path, "/loop") == 0) {
		result->kind = ROUTE_REDIRECT;
		result->target = strdup("/loop");
	} else if (strcmp(path, "/away") == 0) {
		result->kind = ROUTE_REDIRECT;
		result->target = strdup("gemini://elsewhere.example/");
	} else if (strcmp(path, "/tag/none/") == 0) {
		result->kind = ROUTE_NOT_FOUND;
	} else {
		result->kind = ROUTE_NONE;
	}
}

void route_result_free(struct route_result *result)
{
	buf_free(&result->body);
	free(result->target);
	result->target = NULL;
}

/* The capsule: every path with its kind, and a file's bytes. */
static const struct {
	const char *path;
	enum capsule_kind kind;
	const char *content;
} capsule[] = {
	{"/notes.txt", CAPSULE_FILE, ".hidden\nplain\n"},
	{"/about.gmi", CAPSULE_FILE,
	 "# About us\r\nWe are a newsroom.\n=> docs/ Our documents\n=> gemini://e.example/ Friends\n"
	 "=> gopher://g.example/0/x.txt A text\n* one item\n> a quote\n```\n=> not a link\n```\n"
	 "=> ../../up Climbing out\n"},
	{"/photo.png", CAPSULE_FILE, "\x89PNG\r\n\x1a\n"},
	{"/secret", CAPSULE_FORBIDDEN, NULL},
	{"/news", CAPSULE_DIR, NULL},
	{"/news/a.md", CAPSULE_FILE, "# A"},
	{"/docs", CAPSULE_DIR, NULL},
	{"/docs/gophermap", CAPSULE_FILE, "Our documents\n0Read me\treadme.txt\n*\n"},
	{"/docs/readme.txt", CAPSULE_FILE, "hello"},
	{"/plain", CAPSULE_DIR, NULL},
	{"/plain/b.gif", CAPSULE_FILE, "GIF89a"},
	{"/plain/draft.md", CAPSULE_FILE, "draft"},
	{"/plain/sub", CAPSULE_DIR, NULL},
	{"/plain/z.txt", CAPSULE_FILE, "z"},
};
#define CAPSULE_SIZE (sizeof capsule / sizeof capsule[0])

static int memfd_with(const char *content)
{
	int fd = memfd_create("capsule-file", MFD_CLOEXEC);
	if (content && write(fd, content, strlen(content)) < 0)
		abort();
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static void capsule_double_open(const char *path, struct capsule_entry *entry)
{
	size_t len = strlen(path);
	if (len > 1 && path[len - 1] == '/')
		len--;
	memset(entry, 0, sizeof *entry);
	entry->kind = CAPSULE_MISSING;
	entry->fd = -1;
	for (size_t i = 0; i < CAPSULE_SIZE; i++) {
		if (strlen(capsule[i].path) != len || strncmp(capsule[i].path, path, len) != 0)
			continue;
		entry->kind = capsule[i].kind;
		if (entry->kind == CAPSULE_FILE || entry->kind == CAPSULE_DIR)
			entry->fd = memfd_with(capsule[i].content);
		entry->size = capsule[i].content ? (off_t)strlen(capsule[i].content) : 0;
		snprintf(entry->path, sizeof entry->path, "%.*s", (int)len - 1, path + 1);
	}
}

/* The listing the test asks for: what the double holds under /plain or /docs. */
static const char *listed_dir = "/plain/";

int capsule_list(int dirfd, struct capsule_listing *out)
{
	(void)dirfd;
	size_t prefix = strlen(listed_dir);
	memset(out, 0, sizeof *out);
	out->names = calloc(CAPSULE_SIZE, sizeof *out->names);
	out->is_dir = calloc(CAPSULE_SIZE, sizeof *out->is_dir);
	for (size_t i = 0; i < CAPSULE_SIZE; i++) {
		const char *p = capsule[i].path;
		if (strncmp(p, listed_dir, prefix) != 0 || strchr(p + prefix, '/'))
			continue;
		out->names[out->count] = strdup(p + prefix);
		out->is_dir[out->count++] = capsule[i].kind == CAPSULE_DIR;
	}
	return 0;
}

void capsule_listing_free(struct capsule_listing *listing)
{
	for (size_t i = 0; i < listing->count; i++)
		free(listing->names[i]);
	free(listing->names);
	free(listing->is_dir);
}

const char *mime_type(int fd, const char *name, dev_t dev, ino_t ino, off_t size, time_t mtime)
{
	(void)fd, (void)dev, (void)ino, (void)size, (void)mtime;
	const char *dot = strrchr(name, '.');
	if (dot && strcmp(dot, ".txt") == 0)
		return "text/plain";
	if (dot && strcmp(dot, ".gmi") == 0)
		return "text/gemini";
	if (dot && strcmp(dot, ".png") == 0)
		return "image/png";
	if (dot && strcmp(dot, ".gif") == 0)
		return "image/gif";
	return "application/octet-stream";
}

/* ---- the runtime the requests are served from ---- */

static char *host_names[] = {"localhost"};
static struct vhost vhost = {.names = host_names, .n_names = 1, .title = "Kabar Test",
                             .listing = true};
static struct site *sites[] = {&the_site};
static struct runtime runtime = {.config = {.vhosts = &vhost, .n_vhosts = 1},
                                 .sites = sites, .n_sites = 1};

struct answer {
	struct response res;
	char *text; /* head, fd contents and tail together */
};

static void answer_with(struct answer *a, const struct request_info *info, const char *request,
                        size_t len)
{
	response_init(&a->res);
	gopher_respond(info, request, len, &a->res);
	struct buf all = {0};
	buf_append(&all, a->res.head.data, a->res.head.len);
	if (a->res.fd >= 0) {
		char chunk[256];
		ssize_t n;
		lseek(a->res.fd, 0, SEEK_SET);
		while ((n = read(a->res.fd, chunk, sizeof chunk)) > 0)
			buf_append(&all, chunk, (size_t)n);
	}
	buf_append(&all, a->res.tail.data, a->res.tail.len);
	a->text = buf_steal(&all);
	CHECK_INT(snapshots_held, 0);
}

static const struct request_info plain_info = {
	.rt = &runtime, .local_addr = "127.0.0.1", .local_port = 7070, .client_addr = "127.0.0.1",
};

static void ask(struct answer *a, const char *request)
{
	answer_with(a, &plain_info, request, strlen(request));
}

static void done(struct answer *a)
{
	response_free(&a->res);
	free(a->text);
}

/* ---- framing ---- */

static enum frame_result frame(const char *data, size_t *len)
{
	return gopher_frame(data, strlen(data), len);
}

static void test_frame_line_ends(void)
{
	size_t len = 99;
	CHECK_INT(frame("/news/a\r\n", &len), FRAME_COMPLETE);
	CHECK_INT(len, 7);
	CHECK_INT(frame("/news/a\n", &len), FRAME_COMPLETE);
	CHECK_INT(len, 7);
	CHECK_INT(frame("\r\n", &len), FRAME_COMPLETE);
	CHECK_INT(len, 0);
	CHECK_INT(frame("/search\tkabar barru\t+\r\n", &len), FRAME_COMPLETE);
	CHECK_INT(len, 21);
	CHECK_INT(frame("/news/a", &len), FRAME_MORE);
	CHECK_INT(frame("/news/a\r", &len), FRAME_MORE);
	CHECK_INT(frame("", &len), FRAME_MORE);
}

static void test_frame_limits(void)
{
	char line[GOPHER_LINE_MAX + 8];
	size_t len;
	memset(line, 'a', GOPHER_LINE_MAX);
	memcpy(line + GOPHER_LINE_MAX, "\r\n", 3);
	CHECK_INT(frame(line, &len), FRAME_COMPLETE);
	CHECK_INT(len, GOPHER_LINE_MAX);
	memcpy(line + GOPHER_LINE_MAX, "a\r\n", 4);
	CHECK_INT(frame(line, &len), FRAME_TOO_LONG);
	/* No line end yet, but already too long to be one. */
	memset(line, 'a', GOPHER_LINE_MAX + 2);
	CHECK_INT(gopher_frame(line, GOPHER_LINE_MAX + 2, &len), FRAME_TOO_LONG);
	CHECK_INT(gopher_frame(line, GOPHER_LINE_MAX, &len), FRAME_MORE);
}

static void test_frame_keeps_nul_for_the_answer(void)
{
	size_t len;
	CHECK_INT(gopher_frame("/a\0b\r\n", 6, &len), FRAME_COMPLETE);
	CHECK_INT(len, 4);
	struct answer a;
	answer_with(&a, &plain_info, "/a\0b", 4);
	CHECK_STR(a.text, "3Bad request: control bytes in the selector\t\terror.host\t1\r\n.\r\n");
	CHECK_INT(a.res.status, 3);
	done(&a);
}

/* ---- routes ---- */

static void test_front_page_menu(void)
{
	const char *want = "iFront\t\terror.host\t1\r\n0A\t/news/a\tlocalhost\t7070\r\n.\r\n";
	struct answer a;
	ask(&a, "");
	CHECK_STR(a.text, want);
	CHECK_INT(a.res.status, 0);
	done(&a);
	ask(&a, "/");
	CHECK_STR(a.text, want);
	done(&a);
	ask(&a, "/\t$");
	CHECK_STR(a.text, want);
	done(&a);
}

static void test_menu_host_rule(void)
{
	/* Menus name the host, never the socket's address, plain or TLS. */
	struct request_info tls_info = plain_info;
	tls_info.tls = true;
	tls_info.sni = "localhost";
	struct answer a;
	answer_with(&a, &tls_info, "/", 1);
	CHECK(strstr(a.text, "\t/news/a\tlocalhost\t7070\r\n") != NULL);
	CHECK(last_origin.tls);
	done(&a);
	host_names[0] = "kabar.example";
	ask(&a, "/");
	CHECK(strstr(a.text, "\t/news/a\tkabar.example\t7070\r\n") != NULL);
	CHECK(!last_origin.tls);
	done(&a);
	host_names[0] = "localhost";
	/* An SNI name nobody answers to gets the default host. */
	tls_info.sni = "unknown.example";
	answer_with(&a, &tls_info, "/", 1);
	CHECK(strstr(a.text, "\t/news/a\tlocalhost\t7070\r\n") != NULL);
	done(&a);
	/* What the host advertises wins: its public name and port. */
	vhost.advertise_host = "gopher.example";
	vhost.advertise_port = 70;
	ask(&a, "/");
	CHECK(strstr(a.text, "\t/news/a\tgopher.example\t70\r\n") != NULL);
	CHECK(strstr(a.text, "\t127.0.0.1\t") == NULL && strstr(a.text, "\t7070\r\n") == NULL);
	done(&a);
	ask(&a, "/caps.txt");
	CHECK(strstr(a.text, "\r\nServerTLSPort=70\r\n") != NULL);
	done(&a);
	vhost.advertise_host = NULL;
	vhost.advertise_port = 0;
}

static void test_text_page_is_dot_stuffed(void)
{
	struct answer a;
	ask(&a, "/news/a");
	CHECK_STR(a.text, "Title\r\n..dot line\r\nend\r\n.\r\n");
	done(&a);
}

static void test_search(void)
{
	struct answer a;
	ask(&a, "/search");
	CHECK_STR(last_query, "(none)");
	CHECK_STR(a.text, "iSearch the news\t\terror.host\t1\r\n"
	                  "7Search the news\t/search\tlocalhost\t7070\r\n.\r\n");
	done(&a);
	ask(&a, "/search\tpemilu barru");
	CHECK_STR(last_query, "pemilu barru");
	CHECK_STR(a.text, "iResults for pemilu barru\t\terror.host\t1\r\n.\r\n");
	done(&a);
}

static void test_redirects(void)
{
	struct answer a;
	ask(&a, "/old");
	CHECK_STR(a.text, "Title\r\n..dot line\r\nend\r\n.\r\n");
	done(&a);
	ask(&a, "/loop");
	CHECK_STR(a.text, "3Not found: /loop\t\terror.host\t1\r\n.\r\n");
	done(&a);
	ask(&a, "/away");
	CHECK(strstr(a.text, "hMoved to gemini://elsewhere.example/\tURL:gemini://elsewhere.example/\t") != NULL);
	done(&a);
}

static void test_errors(void)
{
	struct answer a;
	ask(&a, "/tag/none/");
	CHECK_STR(a.text, "3Not found: /tag/none/\t\terror.host\t1\r\n.\r\n");
	CHECK_INT(a.res.status, 3);
	done(&a);
	ask(&a, "/nothing/here");
	CHECK_STR(a.text, "3Not found: /nothing/here\t\terror.host\t1\r\n.\r\n");
	done(&a);
	ask(&a, "/secret");
	CHECK_STR(a.text, "3Not found: /secret\t\terror.host\t1\r\n.\r\n");
	done(&a);
	ask(&a, "/news/a.md");
	CHECK_STR(a.text, "3Not found: /news/a.md\t\terror.host\t1\r\n.\r\n");
	done(&a);
	ask(&a, "/../etc/passwd");
	CHECK_STR(a.text, "3Bad request: \"..\" in the selector\t\terror.host\t1\r\n.\r\n");
	done(&a);
	answer_with(&a, &plain_info, NULL, 0);
	CHECK_STR(a.text, "3Request too long\t\terror.host\t1\r\n.\r\n");
	CHECK_INT(a.res.status, 3);
	done(&a);
}

/* ---- capsule files ---- */

static void test_text_file(void)
{
	struct answer a;
	ask(&a, "/notes.txt");
	CHECK_STR(a.text, "..hidden\r\nplain\r\n.\r\n");
	CHECK_INT(a.res.fd, -1);
	done(&a);
}

/* A capsule's gemtext is a menu: its link lines are items a client can
 * follow, resolved against the file; text and preformatted lines info. */
static void test_gemtext_file_is_a_menu(void)
{
	struct answer a;
	ask(&a, "/about.gmi");
	CHECK_STR(a.text, "iAbout us\t\terror.host\t1\r\n"
	                  "iWe are a newsroom.\t\terror.host\t1\r\n"
	                  "1Our documents\t/docs/\tlocalhost\t7070\r\n"
	                  "hFriends\tURL:gemini://e.example/\tlocalhost\t7070\r\n"
	                  "0A text\t/x.txt\tg.example\t70\r\n"
	                  "i* one item\t\terror.host\t1\r\n"
	                  "i> a quote\t\terror.host\t1\r\n"
	                  "i=> not a link\t\terror.host\t1\r\n"
	                  "iClimbing out\t\terror.host\t1\r\n"
	                  ".\r\n");
	CHECK_INT(a.res.fd, -1);
	done(&a);
}

/* A small file of any type is answered whole from memory (pagecache.h),
 * as it is: no descriptor left open for the connection. */
static void test_small_binary_file_answered_as_is(void)
{
	struct answer a;
	ask(&a, "/photo.png");
	CHECK(a.res.fd < 0);
	CHECK_INT(a.res.tail.len, 0);
	CHECK_INT(a.res.head.len, 8);
	CHECK(memcmp(a.text, "\x89PNG\r\n\x1a\n", 8) == 0);
	done(&a);
}

static void test_generated_listing(void)
{
	listed_dir = "/plain/";
	struct answer a;
	ask(&a, "/plain");
	CHECK_STR(a.text, "iIndex of /plain/\t\terror.host\t1\r\n"
	                  "i\t\terror.host\t1\r\n"
	                  "1..\t/\tlocalhost\t7070\r\n"
	                  "gb.gif\t/plain/b.gif\tlocalhost\t7070\r\n"
	                  "1sub/\t/plain/sub/\tlocalhost\t7070\r\n"
	                  "0z.txt\t/plain/z.txt\tlocalhost\t7070\r\n"
	                  ".\r\n");
	done(&a);
	vhost.listing = false;
	ask(&a, "/plain/");
	CHECK_STR(a.text, "3Not found: /plain/\t\terror.host\t1\r\n.\r\n");
	done(&a);
	vhost.listing = true;
}

static void test_gophermap_with_listing(void)
{
	listed_dir = "/docs/";
	struct answer a;
	ask(&a, "/docs/");
	CHECK_STR(a.text, "iOur documents\t\terror.host\t1\r\n"
	                  "0Read me\t/docs/readme.txt\tlocalhost\t7070\r\n"
	                  "1..\t/\tlocalhost\t7070\r\n"
	                  "0readme.txt\t/docs/readme.txt\tlocalhost\t7070\r\n"
	                  ".\r\n");
	done(&a);
}

static void test_caps_txt(void)
{
	struct answer a;
	ask(&a, "/caps.txt");
	CHECK(strncmp(a.text, "CAPS\r\n", 6) == 0);
	CHECK(strstr(a.text, "\r\nCapsVersion=1\r\n") != NULL);
	CHECK(strstr(a.text, "\r\nPathDelimeter=/\r\n") != NULL);
	CHECK(strstr(a.text, "\r\nServerSoftware=Kabar\r\n") != NULL);
	CHECK(strstr(a.text, "\r\nServerSoftwareVersion=" KABAR_VERSION "\r\n") != NULL);
	CHECK(strstr(a.text, "\r\nServerDescription=Kabar Test\r\n") != NULL);
	CHECK(strstr(a.text, "\r\nServerTLSPort=7070\r\n") != NULL);
	CHECK(strstr(a.text, "\r\n.\r\n") != NULL);
	done(&a);
}

static void test_url_redirect_page(void)
{
	struct answer a;
	ask(&a, "URL:https://example.org/?a=1&b=\"2\"");
	CHECK(strstr(a.text, "<a href=\"https://example.org/?a=1&amp;b=&quot;2&quot;\">") != NULL);
	CHECK(strstr(a.text, "http-equiv=\"refresh\"") != NULL);
	CHECK_INT(a.res.status, 0);
	done(&a);
	ask(&a, "URL:javascript:alert(1)");
	CHECK_INT(a.res.status, 3);
	CHECK(strstr(a.text, "javascript") == NULL);
	done(&a);
}

int main(void)
{
	RUN(test_frame_line_ends);
	RUN(test_frame_limits);
	RUN(test_frame_keeps_nul_for_the_answer);
	RUN(test_front_page_menu);
	RUN(test_menu_host_rule);
	RUN(test_text_page_is_dot_stuffed);
	RUN(test_search);
	RUN(test_redirects);
	RUN(test_errors);
	RUN(test_text_file);
	RUN(test_small_binary_file_answered_as_is);
	RUN(test_generated_listing);
	RUN(test_gophermap_with_listing);
	RUN(test_caps_txt);
	RUN(test_gemtext_file_is_a_menu);
	RUN(test_url_redirect_page);
	return check_report();
}
