#include "gemini.h"
#include "answer.h"

#include "capsule.h"
#include "check.h"
#include "testutil.h"
#include "config.h"
#include "desk.h"
#include "mime.h"
#include "runtime.h"
#include "routes.h"
#include "site.h"
#include "snapshot.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The front-end against real capsules on disk. The site module (routes,
 * snapshots) is another module's work; the few functions gemini.c calls are
 * replaced below by a small double that routes a handful of paths the way
 * the real site does, so that each kind of route result is exercised.
 */

struct site {
	int root_fd;
	struct snapshot snap;
};

int runtime_find_host(const struct runtime *rt, const char *host)
{
	if (host == NULL)
		return 0;
	size_t len = strlen(host);
	if (len > 0 && host[len - 1] == '.')
		len--;
	for (size_t i = 0; i < rt->config.n_vhosts; i++) {
		const struct vhost *vh = &rt->config.vhosts[i];
		for (size_t k = 0; k < vh->n_names; k++) {
			if (strlen(vh->names[k]) == len && strncasecmp(vh->names[k], host, len) == 0)
				return (int)i;
		}
	}
	return -1;
}

struct snapshot *site_acquire(struct site *site)
{
	return &site->snap;
}

void site_release(struct site *site, struct snapshot *snap)
{
	CHECK(snap == &site->snap);
}

/* The files the double's snapshot of site a holds as article sources, by
 * where they really are (the real one also knows them by identity). */
static const char *const hidden_a[] = {"files/news.md", "news/story.md"};
static struct site sites[2];

static bool hidden_source(const struct snapshot *snap, const struct capsule_entry *entry)
{
	for (size_t i = 0; snap == &sites[0].snap && i < sizeof hidden_a / sizeof hidden_a[0]; i++) {
		if (entry->kind == CAPSULE_FILE && strcmp(hidden_a[i], entry->path) == 0)
			return true;
	}
	return false;
}

/* The front-end's one way to a capsule file (site.h): the real capsule
 * rules, then the double's snapshot. */
void site_open_file(const struct site *site, const struct snapshot *snap, const char *path,
                    struct capsule_entry *entry)
{
	capsule_open(site->root_fd, path, entry);
	if (!hidden_source(snap, entry))
		return;
	close(entry->fd);
	entry->fd = -1;
	entry->kind = CAPSULE_FORBIDDEN;
}

/* The editors' view (desk.h): its own module's work; here only /desk/. */
void desk_route(const struct snapshot *snap, const struct editor *editor, enum output out,
                const struct origin *origin, const char *path, struct route_result *result)
{
	(void)snap;
	(void)editor;
	(void)out;
	(void)origin;
	memset(result, 0, sizeof *result);
	result->kind = ROUTE_NONE;
	if (strcmp(path, "/desk/") == 0) {
		result->kind = ROUTE_PAGE;
		result->mime = "text/gemini";
		buf_puts(&result->body, "# Desk\n");
	}
}

static const char *last_origin_host;

void site_route(const struct snapshot *snap, enum output out, const struct origin *origin,
                const char *path, const char *query, struct route_result *result)
{
	CHECK_INT(out, OUTPUT_GEMINI);
	memset(result, 0, sizeof *result);
	result->kind = ROUTE_NONE;
	free((char *)last_origin_host);
	last_origin_host = strdup(origin->host);
	bool default_host = strcmp(snap->vhost->names[0], "localhost") == 0;
	if (strcmp(path, "/") == 0 && default_host) {
		result->kind = ROUTE_PAGE;
		result->mime = "text/gemini";
		buf_puts(&result->body, "# Front page\n");
	} else if (strcmp(path, "/search") == 0 && query == NULL) {
		result->kind = ROUTE_INPUT;
		result->target = strdup("Search terms");
	} else if (strcmp(path, "/search") == 0) {
		result->kind = ROUTE_PAGE;
		result->mime = "text/gemini";
		buf_printf(&result->body, "# Results for %s\n", query);
	} else if (strcmp(path, "/feed.xml") == 0) {
		result->kind = ROUTE_PAGE;
		result->mime = "application/atom+xml";
		buf_puts(&result->body, "<feed/>\n");
	} else if (strcmp(path, "/old") == 0) {
		result->kind = ROUTE_REDIRECT;
		result->target = strdup("/new/");
	} else if (strcmp(path, "/tag/none/") == 0) {
		result->kind = ROUTE_NOT_FOUND;
	} else if (strcmp(path, "/forged") == 0) {
		/* What a redirect: with CR LF in it would have sent. */
		result->kind = ROUTE_REDIRECT;
		result->target = strdup("/x\r\n20 text/gemini\r\n=> gemini://evil/ pwn");
	} else if (strcmp(path, "/nel") == 0) {
		result->kind = ROUTE_INPUT;
		result->target = strdup("Terms\xc2\x85" "20 forged");
	}
}

void route_result_free(struct route_result *result)
{
	buf_free(&result->body);
	free(result->target);
	result->target = NULL;
}

/* --- the capsules ------------------------------------------------------ */

static char top[64];
static char *names_a[] = {"localhost", "kabar.test"};
static char *names_b[] = {"other.test"};
static struct vhost vhosts[2];
static struct site *site_list[2] = {&sites[0], &sites[1]};
static struct runtime rt;

static void put(const char *rel, const void *data, size_t len)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", top, rel);
	size_t n = strlen(path);
	if (path[n - 1] == '/') {
		path[n - 1] = '\0';
		if (mkdir(path, 0755) == 0)
			return;
	} else {
		FILE *f = fopen(path, "wb");
		if (f != NULL && fwrite(data, 1, len, f) == len && fclose(f) == 0)
			return;
	}
	perror(path);
	exit(2);
}

static void put_text(const char *rel, const char *text)
{
	put(rel, text, strlen(text));
}

static int open_dir(const char *rel)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", top, rel);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		perror(path);
		exit(2);
	}
	return fd;
}

static void build_sites(void)
{
	snprintf(top, sizeof top, "%s", "/tmp/kabar-gemini-XXXXXX");
	if (mkdtemp(top) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
	put_text("outside.txt", "outside\n");
	put("a/", NULL, 0);
	put_text("a/hello.gmi", "# Hello\n");
	put_text("a/notes.txt", "Plain notes.\n");
	size_t png_len;
	const unsigned char *png = test_png(&png_len);
	put("a/pixel.png", png, png_len);
	put_text("a/.secret", "secret\n");
	put("a/docs/", NULL, 0);
	put_text("a/docs/index.gmi", "# Docs\n");
	put("a/news/", NULL, 0);
	put_text("a/news/story.md", "---\ntitle: Story\n---\nBody\n");
	put("a/files/", NULL, 0);
	put_text("a/files/b.txt", "b\n");
	put_text("a/files/a b.gmi", "# a b\n");
	put_text("a/files/caf\xc3\xa9.txt", "cafe\n");
	put_text("a/files/x~", "backup\n");
	put_text("a/files/.hidden", "h\n");
	put_text("a/files/news.md", "hidden by the snapshot\n");
	put("a/files/sub/", NULL, 0);
	put("b/", NULL, 0);
	put("b/sub/", NULL, 0);
	put_text("b/sub/only.txt", "only\n");

	char path[256];
	snprintf(path, sizeof path, "%s/a/link_out", top);
	CHECK(symlink("../outside.txt", path) == 0);
	snprintf(path, sizeof path, "%s/a/fifo", top);
	CHECK(mkfifo(path, 0644) == 0);

	vhosts[0] = (struct vhost){.names = names_a, .n_names = 2, .lang = "id", .listing = true};
	vhosts[1] = (struct vhost){.names = names_b, .n_names = 1, .lang = "en", .listing = false};
	sites[0].root_fd = open_dir("a");
	sites[0].snap.vhost = &vhosts[0];
	sites[1].root_fd = open_dir("b");
	sites[1].snap.vhost = &vhosts[1];
	rt.config.vhosts = vhosts;
	rt.config.n_vhosts = 2;
	rt.sites = site_list;
	rt.n_sites = 2;
}

static void remove_sites(void)
{
	close(sites[0].root_fd);
	close(sites[1].root_fd);
	free((char *)last_origin_host);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", top);
}

/* --- asking ------------------------------------------------------------- */

static struct request_info info_for(const char *sni, int port)
{
	struct request_info info = {
		.rt = &rt,
		.tls = true,
		.sni = sni,
		.local_addr = "127.0.0.1",
		.local_port = port,
		.client_addr = "127.0.0.1",
		.client_cert_sha256 = NULL,
	};
	return info;
}

/* The response head (status line and in-memory body) plus, for a streamed
 * file, the file's bytes: what a client would read. */
static char *ask_full(const char *sni, int port, const char *request, size_t len)
{
	struct request_info info = info_for(sni, port);
	struct response res;
	response_init(&res);
	gemini_respond(&info, request, len, &res);
	struct buf all = {0};
	buf_append(&all, res.head.data, res.head.len);
	if (res.fd >= 0) {
		char chunk[4096];
		ssize_t n = pread(res.fd, chunk, sizeof chunk, 0);
		CHECK_INT(n, res.fd_length);
		if (n > 0)
			buf_append(&all, chunk, (size_t)n);
	}
	CHECK(res.status >= 10 && res.status <= 62);
	CHECK(res.fd < 0 || res.status == 20);
	response_free(&res);
	return buf_steal(&all);
}

static char *ask(const char *request)
{
	return ask_full("localhost", 1965, request, strlen(request));
}

static void check_answer(const char *request, const char *want)
{
	char *got = ask(request);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "  request \"%s\"\n", request);
	CHECK_STR(got, want);
	free(got);
}

/* Only the status code (and that a non-20 answer has no body). */
static void check_status(const char *sni, int port, const char *request, size_t len, int code)
{
	char *got = ask_full(sni, port, request, len);
	int status = atoi(got);
	if (status != code)
		fprintf(stderr, "  request \"%.*s\" got \"%s\"\n", (int)len, request, got);
	CHECK_INT(status, code);
	if (code != 20) {
		char *crlf = strstr(got, "\r\n");
		CHECK(crlf != NULL && crlf[2] == '\0');
	}
	free(got);
}

static void check_code(const char *request, int code)
{
	check_status("localhost", 1965, request, strlen(request), code);
}

/* --- framing ------------------------------------------------------------ */

static enum frame_result frame(const char *data, size_t len, size_t *request_len)
{
	*request_len = 999999;
	return gemini_frame(data, len, request_len);
}

static void test_frame_complete_and_more(void)
{
	size_t n;
	CHECK_INT(frame("gemini://h/\r\n", 13, &n), FRAME_COMPLETE);
	CHECK_INT(n, 11);
	CHECK_INT(frame("gemini://h/\r\nextra", 18, &n), FRAME_COMPLETE);
	CHECK_INT(n, 11);
	CHECK_INT(frame("\r\n", 2, &n), FRAME_COMPLETE);
	CHECK_INT(n, 0);
	CHECK_INT(frame("gemini://h/", 11, &n), FRAME_MORE);
	CHECK_INT(frame("gemini://h/\r", 12, &n), FRAME_MORE);
	CHECK_INT(frame("", 0, &n), FRAME_MORE);
}

static void test_frame_bare_lf_is_dropped(void)
{
	size_t n;
	CHECK_INT(frame("gemini://h/\n", 12, &n), FRAME_DROP);
	CHECK_INT(frame("\n", 1, &n), FRAME_DROP);
	CHECK_INT(frame("gemini://h/\n\r\n", 14, &n), FRAME_DROP);
}

static void test_frame_length_limit(void)
{
	char data[2100];
	memset(data, 'a', sizeof data);
	size_t n;
	memcpy(data + 1024, "\r\n", 2);
	CHECK_INT(frame(data, 1026, &n), FRAME_COMPLETE);
	CHECK_INT(n, 1024);
	memset(data, 'a', sizeof data);
	memcpy(data + 1025, "\r\n", 2);
	CHECK_INT(frame(data, 1027, &n), FRAME_TOO_LONG);
	memset(data, 'a', sizeof data);
	data[1024] = '\r';
	CHECK_INT(frame(data, 1025, &n), FRAME_MORE); /* the LF may follow */
	data[1024] = 'a';
	CHECK_INT(frame(data, 1025, &n), FRAME_TOO_LONG);
	CHECK_INT(frame(data, 1024, &n), FRAME_MORE);
	CHECK_INT(frame(data, sizeof data, &n), FRAME_TOO_LONG);
	data[2000] = '\n';
	CHECK_INT(frame(data, sizeof data, &n), FRAME_TOO_LONG);
}

/* --- 59 ----------------------------------------------------------------- */

static void test_too_long_answers_59(void)
{
	struct request_info info = info_for("localhost", 1965);
	struct response res;
	response_init(&res);
	gemini_respond(&info, NULL, 0, &res);
	CHECK_STR(res.head.data, "59 Bad request: request too long\r\n");
	CHECK_INT(res.status, 59);
	response_free(&res);
}

static void test_malformed_requests_answer_59(void)
{
	static const char *const requests[] = {
		"",
		"/hello.gmi",
		"hello.gmi",
		"//localhost/hello.gmi",
		"garbage",
		"\x01\x02\x03",
		"gemini://user@localhost/hello.gmi",
		"gemini://user:pw@localhost/",
		"gemini://localhost/hello.gmi#top",
		"gemini://localhost/#",
		"\xef\xbb\xbfgemini://localhost/",
		"gemini://localhost/\xff",
		"gemini://localhost/caf\xc3",
		"gemini://localhost/%c0%ae%c0%ae/outside.txt",
		"gemini://localhost/a\tb",
		"gemini://localhost/a\rb",
		"gemini://localhost/a b",
		"gemini://localhost/%00",
		"gemini://localhost/%0a",
		"gemini://localhost/%",
		"gemini://localhost/%zz",
		"gemini://localhost/..",
		"gemini://localhost/../outside.txt",
		"gemini://localhost/%2e%2e/outside.txt",
		"gemini://localhost/docs/../../outside.txt",
		"gemini://localhost/files%2fb.txt",
		"gemini://localhost/files%2Fb.txt",
		"gemini:///hello.gmi",
		"gemini:hello.gmi",
		"gemini://localhost:abc/",
		"gemini://[::1/",
	};
	for (size_t i = 0; i < sizeof requests / sizeof requests[0]; i++)
		check_code(requests[i], 59);
	check_status("localhost", 1965, "gemini://localhost/\0x", 21, 59);
	check_answer("gemini://localhost/../x", "59 Bad request: path climbs above the root\r\n");
}

/* --- 53 ----------------------------------------------------------------- */

static void test_other_schemes_hosts_and_ports_answer_53(void)
{
	check_answer("https://localhost/", "53 Proxy request refused\r\n");
	check_code("http://localhost/", 53);
	check_code("gopher://localhost/", 53);
	check_code("mailto:someone", 53);
	check_code("gemini://example.org/", 53);
	check_code("gemini://localhostx/", 53);
	check_code("gemini://localhost:1966/", 53);
	check_code("gemini://localhost:0/", 53);
	check_code("gemini://[::2]:1966/", 53);
	/* the port the request arrived on */
	check_status("localhost", 40000, "gemini://localhost:1965/hello.gmi", 33, 53);
	check_status("localhost", 40000, "gemini://localhost:40000/hello.gmi", 34, 20);
	/* no port: whatever we listen on */
	check_status("localhost", 40000, "gemini://localhost/hello.gmi", 28, 20);
}

static void test_sni_must_match_the_url_host(void)
{
	const char *req = "gemini://localhost/hello.gmi";
	check_status("other.test", 1965, req, strlen(req), 53);
	check_status("kabar.test", 1965, req, strlen(req), 20); /* another name, same host */
	check_status(NULL, 1965, req, strlen(req), 20);
	check_status("unknown.example", 1965, req, strlen(req), 20); /* names no host */
	req = "gemini://other.test/sub/only.txt";
	check_status("other.test", 1965, req, strlen(req), 20);
	check_status("localhost", 1965, req, strlen(req), 53);
	check_status(NULL, 1965, req, strlen(req), 20);
}

static void test_hosts_ignore_case_and_trailing_dot(void)
{
	check_code("gemini://LOCALHOST/hello.gmi", 20);
	check_code("gemini://LocalHost./hello.gmi", 20);
	check_code("GEMINI://localhost/hello.gmi", 20);
	check_code("gemini://kabar.test/hello.gmi", 20);
	check_code("gemini://localhost:1965/hello.gmi", 20);
}

static void test_ip_hosts_map_to_the_default_host(void)
{
	check_code("gemini://127.0.0.1/hello.gmi", 20);
	check_code("gemini://[::1]/hello.gmi", 20);
	check_code("gemini://[::1]:1965/hello.gmi", 20);
	const char *req = "gemini://127.0.0.1/sub/only.txt";
	check_status(NULL, 1965, req, strlen(req), 51);       /* the default host */
	check_status("other.test", 1965, req, strlen(req), 20); /* the host SNI named */
	char *got = ask("gemini://[::1]/");
	CHECK_STR(last_origin_host, "[::1]");
	free(got);
}

/* --- 31 ----------------------------------------------------------------- */

static void test_redirects(void)
{
	check_answer("gemini://localhost", "31 gemini://localhost/\r\n");
	check_answer("gemini://LocalHost:1965", "31 gemini://localhost:1965/\r\n");
	check_answer("gemini://localhost?q=1", "31 gemini://localhost/?q=1\r\n");
	check_answer("gemini://[::1]", "31 gemini://[::1]/\r\n");
	check_answer("gemini://localhost/docs", "31 gemini://localhost/docs/\r\n");
	check_answer("gemini://localhost/files?x%20y", "31 gemini://localhost/files/?x%20y\r\n");
	check_answer("gemini://localhost/docs/../files", "31 gemini://localhost/files/\r\n");
	check_answer("gemini://localhost/old", "31 /new/\r\n");
	/* A header with a control in it is never sent: one status line, no
	 * forged second one. */
	check_answer("gemini://localhost/forged", "40 Response header refused\r\n");
	check_answer("gemini://localhost/nel", "40 Response header refused\r\n");
}

/* --- routes ------------------------------------------------------------- */

static void test_site_routes(void)
{
	check_answer("gemini://localhost/", "20 text/gemini; charset=utf-8; lang=id\r\n# Front page\n");
	check_answer("gemini://localhost/search", "10 Search terms\r\n");
	check_answer("gemini://localhost/search?kabar%20baru",
	             "20 text/gemini; charset=utf-8; lang=id\r\n# Results for kabar baru\n");
	check_answer("gemini://localhost/feed.xml", "20 application/atom+xml\r\n<feed/>\n");
	check_answer("gemini://localhost/tag/none/", "51 Not found\r\n");
}

/* An editor (by certificate) gets the editors' view; anyone else the
 * readers' route, where /desk/ is nothing. */
static void test_editors_see_the_desk(void)
{
	char *paths[] = {"news/"};
	struct editor editor = {.name = "Rina", .paths = paths, .n_paths = 1};
	memset(editor.fingerprint, 'a', 64);
	vhosts[0].editors = &editor;
	vhosts[0].n_editors = 1;
	char fingerprint[65];
	memset(fingerprint, 'a', 64);
	fingerprint[64] = '\0';
	const char *certs[] = {fingerprint, NULL, "bb"};
	for (size_t i = 0; i < 3; i++) {
		struct request_info info = info_for("localhost", 1965);
		info.client_cert_sha256 = certs[i];
		struct response res;
		response_init(&res);
		const char *request = "gemini://localhost/desk/";
		gemini_respond(&info, request, strlen(request), &res);
		CHECK_STR(res.head.data, i == 0 ? "20 text/gemini; charset=utf-8; lang=id\r\n# Desk\n"
		                                 : "51 Not found\r\n");
		response_free(&res);
	}
	vhosts[0].editors = NULL;
	vhosts[0].n_editors = 0;
}

/* --- files -------------------------------------------------------------- */

static void test_files_with_their_types(void)
{
	check_answer("gemini://localhost/hello.gmi", "20 text/gemini; charset=utf-8; lang=id\r\n# Hello\n");
	check_answer("gemini://localhost/notes.txt", "20 text/plain; charset=utf-8\r\nPlain notes.\n");
	check_answer("gemini://localhost/%68ello.gmi",
	             "20 text/gemini; charset=utf-8; lang=id\r\n# Hello\n");
	check_answer("gemini://localhost/docs/./../hello.gmi",
	             "20 text/gemini; charset=utf-8; lang=id\r\n# Hello\n");
	char *got = ask("gemini://localhost/pixel.png");
	CHECK(strncmp(got, "20 image/png\r\n\x89PNG", 18) == 0);
	free(got);
	check_answer("gemini://localhost/files/caf%C3%A9.txt", "20 text/plain; charset=utf-8\r\ncafe\n");
	check_answer("gemini://localhost/files/a%20b.gmi",
	             "20 text/gemini; charset=utf-8; lang=id\r\n# a b\n");
}

/* A small file is answered whole from memory (pagecache.h): its header
 * and bytes, no descriptor left open for the connection. */
static void test_small_file_answered_from_memory(void)
{
	struct request_info info = info_for("localhost", 1965);
	struct response res;
	response_init(&res);
	const char *req = "gemini://localhost/pixel.png";
	gemini_respond(&info, req, strlen(req), &res);
	CHECK(res.fd < 0);
	struct buf all = {0};
	buf_append(&all, res.head.data, res.head.len);
	if (res.page != NULL)
		buf_append(&all, res.page->data, res.page->len);
	size_t png_len;
	const unsigned char *png = test_png(&png_len);
	const char *header = "20 image/png\r\n";
	CHECK_INT(all.len, strlen(header) + png_len);
	CHECK(all.len > strlen(header) && memcmp(all.data, header, strlen(header)) == 0);
	CHECK(all.len == strlen(header) + png_len &&
	      memcmp(all.data + strlen(header), png, png_len) == 0);
	buf_free(&all);
	response_free(&res);
}

static void test_missing_and_hidden_files_answer_51(void)
{
	check_answer("gemini://localhost/missing", "51 Not found\r\n");
	check_code("gemini://localhost/hello.gmi/", 51);
	check_code("gemini://localhost/.secret", 51);
	check_code("gemini://localhost/%2esecret", 51);
	check_code("gemini://localhost/files/x~", 51);
	check_code("gemini://localhost/files/.hidden", 51);
	check_code("gemini://localhost/news/story.md", 51);
	check_code("gemini://localhost/news//story.md", 51);
	check_code("gemini://localhost//news/story.md", 51);
	check_code("gemini://localhost/files/news.md", 51);
	check_code("gemini://localhost/link_out", 51);
	check_code("gemini://localhost/fifo", 51);
	const char *req = "gemini://other.test/hello.gmi"; /* another host's capsule */
	check_status("other.test", 1965, req, strlen(req), 51);
}

/* --- directories -------------------------------------------------------- */

static void test_directory_serves_its_index(void)
{
	check_answer("gemini://localhost/docs/", "20 text/gemini; charset=utf-8; lang=id\r\n# Docs\n");
}

static void test_directory_listing(void)
{
	check_answer("gemini://localhost/files/",
	             "20 text/gemini; charset=utf-8; lang=id\r\n"
	             "# Index of /files/\n"
	             "\n"
	             "=> ../ ../\n"
	             "=> a%20b.gmi a b.gmi\n"
	             "=> b.txt b.txt\n"
	             "=> caf%C3%A9.txt caf\xc3\xa9.txt\n"
	             "=> sub/ sub/\n");
	check_answer("gemini://localhost/files/sub/",
	             "20 text/gemini; charset=utf-8; lang=id\r\n# Index of /files/sub/\n\n=> ../ ../\n");
}

static void test_listing_off_answers_51(void)
{
	const char *req = "gemini://other.test/sub/";
	check_status("other.test", 1965, req, strlen(req), 51);
	req = "gemini://other.test/";
	check_status("other.test", 1965, req, strlen(req), 51);
}

int main(void)
{
	build_sites();
	RUN(test_frame_complete_and_more);
	RUN(test_frame_bare_lf_is_dropped);
	RUN(test_frame_length_limit);
	RUN(test_too_long_answers_59);
	RUN(test_malformed_requests_answer_59);
	RUN(test_other_schemes_hosts_and_ports_answer_53);
	RUN(test_sni_must_match_the_url_host);
	RUN(test_hosts_ignore_case_and_trailing_dot);
	RUN(test_ip_hosts_map_to_the_default_host);
	RUN(test_redirects);
	RUN(test_site_routes);
	RUN(test_editors_see_the_desk);
	RUN(test_files_with_their_types);
	RUN(test_small_file_answered_from_memory);
	RUN(test_missing_and_hidden_files_answer_51);
	RUN(test_directory_serves_its_index);
	RUN(test_directory_listing);
	RUN(test_listing_off_answers_51);
	remove_sites();
	mime_thread_done();
	return check_report();
}
