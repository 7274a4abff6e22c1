#ifndef KABAR_FUZZ_TARGETS_H
#define KABAR_FUZZ_TARGETS_H

/*
 * What each fuzz target does with its input, one function per target.
 * fuzz_NAME.c hands libFuzzer's bytes to fuzz_NAME; the unit test
 * tests/unit/test_fuzz_regressions.c replays every saved input of
 * tests/fuzz/regressions/NAME/ through the same function, so a crash once
 * found stays found. Each function frees all it takes: a leak is a finding.
 */

#include "alloc.h"
#include "article.h"
#include "config.h"
#include "date.h"
#include "frontmatter.h"
#include "gemini.h"
#include "gopher.h"
#include "gophermap.h"
#include "render.h"
#include "selector.h"
#include "shortcodes.h"
#include "proxy.h"
#include "tz.h"
#include "url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Articles are read as a site in WITA (+08:00) writing Indonesian would. */
static inline const struct article_context *fuzz_article_context(void)
{
	static const struct article_context context = {.utc_offset_minutes = 480, .lang = "id"};
	return &context;
}

static inline void fuzz_parse_url(const char *s, size_t len)
{
	struct url u;
	if (url_parse(s, len, &u) == URL_OK)
		url_free(&u);
}

/* The Gemini request path: framing, then the request line as a URL (and
 * the whole input as one too, to reach the parser with any byte). */
static inline void fuzz_gemini(const char *data, size_t size)
{
	size_t request_len = 0;
	if (gemini_frame(data, size, &request_len) == FRAME_COMPLETE)
		fuzz_parse_url(data, request_len);
	fuzz_parse_url(data, size);
}

static inline void fuzz_parse_selector(const char *s, size_t len)
{
	struct selector sel;
	if (selector_parse(s, len, &sel) == SELECTOR_OK)
		selector_free(&sel);
}

/* The Gopher request path: framing, then the request line taken apart. */
static inline void fuzz_gopher(const char *data, size_t size)
{
	size_t request_len = 0;
	if (gopher_frame(data, size, &request_len) == FRAME_COMPLETE)
		fuzz_parse_selector(data, request_len);
	fuzz_parse_selector(data, size);
	free(selector_normalise(data, size));
}

/* Front matter: the fences (or Pelican lines), then what lies between them
 * in its dialect. */
static inline void fuzz_frontmatter(const char *data, size_t size)
{
	struct buf error = {0};
	struct frontmatter_split split;
	bool found = false;
	if (frontmatter_split(data, size, &split, &found, &error)) {
		/* The metadata is freed with the article that would hold it. */
		struct article *a = xcalloc(1, sizeof *a);
		frontmatter_read(data, &split, fuzz_article_context(), &a->meta, &error);
		article_free(a);
	}
	buf_free(&error);
}

/* The TOML reader (Hugo and Zola's "+++" front matter) and the Pelican
 * "Key: value" lines, each reading the whole input into metadata. */
static inline void fuzz_toml(const char *data, size_t size)
{
	struct buf error = {0};
	struct article *a = xcalloc(1, sizeof *a);
	frontmatter_parse_toml(data, size, 2, fuzz_article_context(), &a->meta, &error);
	article_free(a);
	a = xcalloc(1, sizeof *a);
	frontmatter_parse_lines(data, size, 1, fuzz_article_context(), &a->meta, &error);
	article_free(a);
	buf_free(&error);
}

/* A date, and the formatting of whatever the parser accepts. */
static inline void fuzz_date(const char *data, size_t size)
{
	struct when w;
	if (!date_parse(data, size, 480, &w))
		return;
	struct tm tm;
	date_local(&w, &tm);
	struct buf out = {0};
	date_format_rfc3339(&out, &w);
	buf_free(&out);
}

/* A connection's first bytes on a listener behind a balancer: the PROXY
 * header, and the networks allowed to send one read from the same bytes. */
static inline void fuzz_proxy(const char *data, size_t size)
{
	struct proxy_header h;
	const char *reason;
	if (proxy_parse((const unsigned char *)data, size, &h, &reason) != PROXY_DONE)
		return;
	if (h.length > size)
		abort(); /* a header longer than what was read */
	char text[64];
	size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
	memcpy(text, data, n);
	text[n] = '\0';
	struct cidr net;
	if (cidr_parse(text, &net) && h.source.ss_family != AF_UNSPEC)
		cidr_contains(&net, 1, &h.source);
}

/* A TZif file: parsed, then looked up across its transitions and beyond,
 * and a local time read in it. */
static inline void fuzz_tz(const char *data, size_t size)
{
	struct tz *z = tz_parse((const unsigned char *)data, size);
	if (z == NULL)
		return;
	static const int64_t instants[] = {INT64_MIN, -2208988800LL, 0, 1700000000LL,
	                                   4102444800LL, 253402300799LL, INT64_MAX};
	for (size_t i = 0; i < sizeof instants / sizeof instants[0]; i++) {
		const char *abbr;
		tz_offset_at(z, instants[i], &abbr);
		tz_offset_of_local(z, instants[i]);
	}
	struct tz *copy = tz_copy(z);
	struct when w;
	if (date_parse_in("2024-07-15 10:00", 16, 0, copy, &w))
		date_zone_label(&w, copy, 0, "UTC");
	tz_free(copy);
	tz_free(z);
}

static inline void fuzz_render_both(const struct article *a)
{
	static struct vhost vhost = {
		.lang = "id",
		.zone_name = "WITA",
		.utc_offset_minutes = 480,
		.wrap_columns = 70,
	};
	const struct render_context gemini = {.vhost = &vhost, .base_url = "gemini://localhost"};
	const struct render_context gopher = {.vhost = &vhost, .base_url = "gopher://localhost:70"};
	struct buf out = {0};
	render_gemtext(&out, a, &gemini);
	buf_clear(&out);
	render_gopher_text(&out, a, &gopher);
	buf_free(&out);
}

/* The bytes as a Markdown, a gemtext and a plain text article, each
 * rendered as gemtext and as Gopher text. */
static inline void fuzz_article(const char *data, size_t size)
{
	static const char *const sources[] = {"news/2022-04-21-fuzz.md", "news/2022-04-21-fuzz.gmi",
	                                      "news/2022-04-21-fuzz.txt"};
	for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++) {
		struct buf error = {0};
		struct article *a = article_parse(sources[i], data, size, fuzz_article_context(), &error);
		if (a != NULL)
			fuzz_render_both(a);
		article_free(a);
		buf_free(&error);
	}
}

/* The bytes as the body of a Go blog page ("template: true"), rendered
 * as gemtext and as Gopher text: the {{...}} reader. */
static inline void fuzz_template(const char *data, size_t size)
{
	static const char front[] = "---\ntitle: Fuzz\ndate: 2022-04-21\ntemplate: true\n---\n";
	char *text = xmalloc(sizeof front - 1 + size);
	memcpy(text, front, sizeof front - 1);
	memcpy(text + sizeof front - 1, data, size);
	struct buf error = {0};
	struct article *a = article_parse("news/fuzz.md", text, sizeof front - 1 + size,
	                                  fuzz_article_context(), &error);
	if (a != NULL)
		fuzz_render_both(a);
	article_free(a);
	buf_free(&error);
	free(text);
}

/* The bytes as a Markdown body with shortcodes and template tags: the
 * rewrite on its own (its warnings kept), then the whole article
 * rendered for both protocols. */
static inline void fuzz_shortcodes(const char *data, size_t size)
{
	struct buf out = {0}, warnings = {0};
	shortcodes_rewrite(data, size, 1, &out, &warnings);
	if (out.len > 16 * size + 4096)
		abort(); /* a tag becomes at most a few times its length */
	buf_free(&out);
	buf_free(&warnings);
	static const char front[] = "---\ntitle: Fuzz\ndate: 2022-04-21\n---\n";
	char *text = xmalloc(sizeof front - 1 + size);
	memcpy(text, front, sizeof front - 1);
	memcpy(text + sizeof front - 1, data, size);
	struct buf error = {0};
	struct article *a = article_parse("news/fuzz.md", text, sizeof front - 1 + size,
	                                  fuzz_article_context(), &error);
	if (a != NULL)
		fuzz_render_both(a);
	article_free(a);
	buf_free(&error);
	free(text);
}

/* A hand-written gophermap rendered as a menu. */
static inline void fuzz_gophermap(const char *data, size_t size)
{
	const struct menu_origin origin = {.host = "localhost", .port = 70};
	struct buf out = {0};
	gophermap_render(&out, data, size, "/news/", &origin);
	buf_free(&out);
}

/* config_load reads a named file: each input is written to one memory
 * file, made once and named through /proc/self/fd. Returns its name. */
static inline const char *fuzz_config_write(const char *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		fd = memfd_create("kabar.yaml", MFD_CLOEXEC);
		if (fd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size) {
		perror("memory file");
		abort();
	}
	return path;
}

/* The configuration file. */
static inline void fuzz_config(const char *data, size_t size)
{
	const struct config_overrides over = {.config_file = fuzz_config_write(data, size),
	                                      .workers = -1};
	struct config cfg;
	struct buf errors = {0};
	if (config_load(&cfg, &over, &errors) == 0) {
		config_find_vhost(&cfg, "localhost");
		config_free(&cfg);
	}
	buf_free(&errors);
}

#endif
