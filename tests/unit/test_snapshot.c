#include "alloc.h"
#include "buf.h"
#include "capsule.h"
#include "lang.h"
#include "render.h"
#include "search.h"
#include "site.h"
#include "snapshot.h"

#include "check.h"
#include "testutil.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A capsule in a fresh temporary folder, removed by capsule_remove. */
static struct test_capsule cap;
static char *capsule = cap.dir;
static int root_fd = -1;
static struct vhost vhost = {.lang = "en", .utc_offset_minutes = 480};

static void capsule_create(void)
{
	CHECK(test_capsule_make(&cap, "snapshot"));
	root_fd = cap.fd;
	vhost.capsule = capsule;
}

static void capsule_remove(void)
{
	test_capsule_remove(&cap);
}

/* Writes relpath (creating its folders). */
static void put(const char *relpath, const char *text)
{
	CHECK(test_capsule_put(&cap, relpath, text));
}

static void drop(const char *relpath)
{
	char *path = xasprintf("%s/%s", capsule, relpath);
	CHECK(remove(path) == 0);
	free(path);
}

/* Whether the file at relpath, opened as the front-ends open it, is hidden
 * from raw serving (false when it cannot be opened at all). */
static bool hides(const struct snapshot *s, const char *relpath)
{
	char *path = xasprintf("/%s", relpath);
	struct capsule_entry entry;
	capsule_open(root_fd, path, &entry);
	free(path);
	bool hidden = entry.kind == CAPSULE_FILE && snapshot_hides_entry(s, &entry);
	if (entry.fd >= 0)
		close(entry.fd);
	return hidden;
}

static void link_to(const char *target, const char *relpath, bool hard)
{
	char *path = xasprintf("%s/%s", capsule, relpath);
	if (hard) {
		char *from = xasprintf("%s/%s", capsule, target);
		CHECK(link(from, path) == 0);
		free(from);
	} else {
		CHECK(symlink(target, path) == 0);
	}
	free(path);
}

static const char *title_at(const struct snapshot *s, size_t i)
{
	return i < s->n_articles ? s->articles[i]->meta.title : NULL;
}

static void put_three(void)
{
	put("news/b.md", "---\ntitle: Bee\ndate: 2022-04-10T10:00:00+08:00\nsection: barru\n"
	                 "author: [Muh. Hasyim Hanis]\ntags: [Pemilu, Barru]\n---\nBody of bee.\n");
	put("news/sub/a.md", "---\ntitle: Ay\ndate: 2022-04-10T10:00:00+08:00\nsection: barru\n"
	                     "author: [Muh. Hasyim Hanis]\ntags: [pemilu]\n---\nBody of ay.\n");
	/* 1 May in its own zone, still 30 April in UTC. */
	put("news/c.gmi", "---\ntitle: Sea\ndate: 2022-05-01T01:00:00+08:00\nsection: south sulawesi\n"
	                  "author: [Editor]\n---\nBody of sea.\n");
	put("news/notes.png", "not an article");
	put("news/.hidden.md", "---\ntitle: Hidden\n---\n");
	put("about.md", "---\ntitle: Not news\n---\n");
}

static void test_order_and_indexes(void)
{
	capsule_create();
	put_three();
	struct snapshot_builder *b = snapshot_builder_new(&vhost, root_fd);
	struct snapshot *s = snapshot_scan(b, NULL);
	CHECK_INT(s->n_articles, 3);
	CHECK_STR(title_at(s, 0), "Sea");
	CHECK_STR(title_at(s, 1), "Bee"); /* same time as Ay: by path, news/b.md first */
	CHECK_STR(title_at(s, 2), "Ay");

	const struct index_entry *e = index_find(&s->sections, "barru");
	CHECK(e != NULL && e->n_items == 2 && e->items[0] == 1 && e->items[1] == 2);
	e = index_find(&s->sections, "south-sulawesi");
	CHECK(e != NULL && strcmp(e->name, "South Sulawesi") == 0);
	e = index_find(&s->authors, "muh-hasyim-hanis");
	CHECK(e != NULL && e->n_items == 2 && strcmp(e->name, "Muh. Hasyim Hanis") == 0);
	e = index_find(&s->tags, "pemilu");
	CHECK(e != NULL && e->n_items == 2);
	e = index_find(&s->tags, "barru");
	CHECK(e != NULL && e->n_items == 1 && e->items[0] == 1);
	CHECK(index_find(&s->months, "2022/05") != NULL);
	e = index_find(&s->months, "2022/04");
	CHECK(e != NULL && e->n_items == 2);
	CHECK(index_find(&s->tags, "nothing") == NULL);
	for (size_t i = 1; i < s->tags.n_entries; i++)
		CHECK(strcmp(s->tags.entries[i - 1].key, s->tags.entries[i].key) < 0);

	CHECK(hides(s, "news/b.md"));
	CHECK(hides(s, "news/sub/a.md"));
	CHECK(!hides(s, "news/notes.png"));
	CHECK(s->front_intro == NULL);
	snapshot_drop(s);
	snapshot_builder_free(b);
	capsule_remove();
}

static void test_paths_and_aliases(void)
{
	capsule_create();
	put("news/one.md", "---\ntitle: One\ndate: 2022-04-01\naliases: [/news/old/one, news/legacy/one]\n---\nx\n");
	put("news/two.md", "---\ntitle: Two\ndate: 2022-04-02\naliases: [/news/old/one]\n---\ny\n");
	put("index.gmi", "# Kabar Barru\n");
	struct snapshot_builder *b = snapshot_builder_new(&vhost, root_fd);
	struct snapshot *s = snapshot_scan(b, NULL);
	CHECK_INT(s->n_articles, 2);
	const struct article *one = s->articles[1];
	CHECK(snapshot_find_article(s, one->path) == one);
	CHECK(snapshot_find_article(s, "/news/legacy/one") == one);
	/* Both claim /news/old/one: the earlier article keeps it
	 * (snapshot_address_rank), whichever is listed first. */
	CHECK(snapshot_find_article(s, "/news/old/one") == one);
	CHECK(snapshot_find_article(s, "/news/nothing") == NULL);
	CHECK_STR(s->front_intro, "# Kabar Barru\n");
	snapshot_drop(s);
	snapshot_builder_free(b);
	capsule_remove();
}

/* Sets relpath's modification time. */
static void touch_at(const char *relpath, time_t t)
{
	char *path = xasprintf("%s/%s", capsule, relpath);
	struct timespec times[2] = {{.tv_sec = t}, {.tv_sec = t}};
	CHECK(utimensat(AT_FDCWD, path, times, 0) == 0);
	free(path);
}

static bool has_line(const char *text, const char *line)
{
	char *want = xasprintf("\n%s\n", line);
	bool found = text != NULL && strstr(text, want) != NULL;
	free(want);
	return found;
}

/* Links name articles by their source files, as their authors saw them. */
static void test_link_targets(void)
{
	capsule_create();
	put("news/older/harbour.md", "---\ntitle: Harbour\ndate: 2023-05-10\naliases: [/news/old/harbour]\n"
	                             "---\nThe lamp.\n");
	put("news/links/ferry.md", "---\ntitle: Ferry\n---\n"
	                           "See [the harbour](../older/harbour.md#lamp), [again](/news/older/harbour), "
	                           "[old](/news/old/harbour), [chart](pics/chart.png), [guide](../guides/feri/) "
	                           "and [out](../../../etc/passwd).\n\n![Peta](../guides/feri/peta.png)\n");
	touch_at("news/links/ferry.md", 1709236800); /* 2024-03-01 04:00 at +08:00 */
	put("news/guides/feri/index.md", "---\ntitle: Feri\ndate: 2024-01-05\n---\n![Peta](peta.png)\n");
	put("news/guides/feri/peta.png", "png");
	put("news/guides/_index.md", "---\ntitle: Guides\n---\nAll the guides.\n");
	put("news/draft.md", "---\ntitle: Draft\ndate: 2024-01-01\ndraft: true\n---\nx\n");
	struct snapshot_builder *b = snapshot_builder_new(&vhost, root_fd);
	struct snapshot *s = snapshot_scan(b, NULL);
	CHECK_INT(s->n_articles, 3); /* _index.md is no article, the draft is not listed */
	const struct article *ferry = snapshot_find_article(s, "/news/2024/03/ferry");
	const struct article *harbour = snapshot_find_article(s, "/news/2023/05/harbour");
	const struct article *feri = snapshot_find_article(s, "/news/2024/01/feri");
	CHECK(ferry != NULL && ferry->dated_by_file && harbour != NULL && feri != NULL);
	CHECK(snapshot_link_target(s, "/news/older/harbour.md") == harbour);
	CHECK(snapshot_link_target(s, "/news/older/harbour") == harbour);
	CHECK(snapshot_link_target(s, "/news/old/harbour") == harbour);
	CHECK(snapshot_link_target(s, "/news/2023/05/harbour") == harbour);
	CHECK(snapshot_link_target(s, "/news/guides/feri/") == feri);
	CHECK(snapshot_link_target(s, "/news/draft.md") == NULL);
	CHECK(snapshot_link_target(s, "/news/guides/_index.md") == NULL);
	CHECK(snapshot_link_target(s, "/news/guides/feri/peta.png") == NULL);
	struct capsule_entry intro;
	capsule_open(root_fd, "/news/guides/_index.md", &intro);
	CHECK(intro.kind == CAPSULE_FILE && !snapshot_hides_entry(s, &intro));
	if (intro.fd >= 0)
		close(intro.fd);
	if (ferry != NULL && feri != NULL) {
		struct render_context gem = {.vhost = &vhost, .snapshot = s};
		struct render_context gph = {.vhost = &vhost, .base_url = "gopher://kabar.test", .snapshot = s};
		struct buf out = {0};
		render_gemtext(&out, ferry, &gem);
		CHECK(has_line(out.data, "=> /news/2023/05/harbour#lamp [1] the harbour"));
		CHECK(has_line(out.data, "=> /news/2023/05/harbour [2] again"));
		CHECK(has_line(out.data, "=> /news/2023/05/harbour [3] old"));
		CHECK(has_line(out.data, "=> /news/links/pics/chart.png [4] chart"));
		CHECK(has_line(out.data, "=> /news/2024/01/feri [5] guide"));
		CHECK(has_line(out.data, "=> /news/guides/feri/peta.png Peta"));
		CHECK(out.data != NULL && strstr(out.data, "[out](") == NULL && strstr(out.data, "etc") == NULL);
		CHECK(out.data != NULL && strstr(out.data, " and out.") != NULL); /* the label stays, as text */
		buf_clear(&out);
		render_gopher_text(&out, ferry, &gph);
		CHECK(out.data != NULL && strstr(out.data, "gopher://kabar.test/1/news/2023/05/harbour\r\n") != NULL);
		CHECK(out.data != NULL && strchr(out.data, '#') == NULL);
		buf_clear(&out);
		render_gemtext(&out, feri, &gem);
		CHECK(has_line(out.data, "=> /news/guides/feri/peta.png Peta"));
		buf_free(&out);
	}
	snapshot_drop(s);
	snapshot_builder_free(b);
	capsule_remove();
}

/* Guides of one name in several language folders, all undated and
 * written the same month: each keeps an address of its own. */
static void test_one_address_each(void)
{
	capsule_create();
	const char *langs[] = {"ar", "hi", "id", "zh-hans"};
	for (size_t i = 0; i < 4; i++) {
		char *rel = xasprintf("news/guides/%s/port-guide.md", langs[i]);
		put(rel, "---\ntitle: Port guide\n---\nText.\n");
		touch_at(rel, 1749981600 + (time_t)i * 60); /* June 2025 */
		free(rel);
	}
	put("news/port-guide-hi.md", "---\ntitle: Taken\ndate: 2025-06-01\n---\nx\n");
	struct snapshot_builder *b = snapshot_builder_new(&vhost, root_fd);
	struct snapshot *s = snapshot_scan(b, NULL);
	CHECK_INT(s->n_articles, 5);
	const struct article *ar = snapshot_find_article(s, "/news/2025/06/port-guide");
	CHECK(ar != NULL && strcmp(ar->source, "news/guides/ar/port-guide.md") == 0);
	const struct article *hi = snapshot_find_article(s, "/news/2025/06/port-guide-hi-2");
	CHECK(hi != NULL && strcmp(hi->source, "news/guides/hi/port-guide.md") == 0);
	CHECK(snapshot_find_article(s, "/news/2025/06/port-guide-id") != NULL);
	CHECK(snapshot_find_article(s, "/news/2025/06/port-guide-zh-hans") != NULL);
	CHECK(snapshot_link_target(s, "/news/guides/zh-hans/port-guide.md") ==
	      snapshot_find_article(s, "/news/2025/06/port-guide-zh-hans"));
	/* A rebuild keeps the addresses (the moved sources are shared). */
	char *changed = xstrdup("news/guides/id");
	struct snapshot *next = snapshot_update(b, s, &changed, 1);
	free(changed);
	CHECK_INT(next->n_articles, 5);
	CHECK(snapshot_find_article(next, "/news/2025/06/port-guide-zh-hans") != NULL);
	CHECK(snapshot_find_article(next, "/news/2025/06/port-guide-id") != NULL);
	snapshot_drop(next);
	snapshot_drop(s);
	snapshot_builder_free(b);
	capsule_remove();
}

static void test_drafts_and_future(void)
{
	capsule_create();
	put("news/draft.md", "---\ntitle: Draft\ndate: 2022-04-01\ndraft: true\n---\nx\n");
	put("news/later.md", "---\ntitle: Later\ndate: 2999-01-01\n---\ny\n");
	struct snapshot_builder *b = snapshot_builder_new(&vhost, root_fd);
	struct snapshot *s = snapshot_scan(b, NULL);
	CHECK_INT(s->n_articles, 1);
	CHECK_STR(title_at(s, 0), "Later");
	CHECK(!article_visible(s->articles[0], time(NULL)));
	CHECK(article_visible(s->articles[0], s->articles[0]->meta.date.t));
	CHECK(hides(s, "news/draft.md"));
	CHECK(hides(s, "news/later.md"));
	size_t out[4];
	CHECK_INT(search_query(s->search, s->articles, "later", time(NULL), out, 4), 0);
	CHECK_INT(search_query(s->search, s->articles, "later", s->articles[0]->meta.date.t, out, 4), 1);
	snapshot_drop(s);
	snapshot_builder_free(b);
	capsule_remove();
}

static void test_update_shares_and_removes(void)
{
	capsule_create();
	put_three();
	struct snapshot_builder *b = snapshot_builder_new(&vhost, root_fd);
	struct snapshot *s1 = snapshot_scan(b, NULL);
	const struct article *sea = s1->articles[0];

	put("news/b.md", "---\ntitle: Bee two\ndate: 2022-04-10T10:00:00+08:00\n---\nNew body.\n");
	char *changed[] = {"news/b.md"};
	struct snapshot *s2 = snapshot_update(b, s1, changed, 1);
	CHECK_INT(s2->n_articles, 3);
	CHECK(s2->articles[0] == sea); /* not re-read */
	CHECK_STR(title_at(s2, 1), "Bee two");
	CHECK_STR(title_at(s1, 1), "Bee"); /* the old snapshot is untouched */
	CHECK(index_find(&s2->sections, "barru")->n_items == 1);
	snapshot_drop(s1);

	char *subdir[] = {"news/sub", "news/sub/a.md"};
	put("news/sub/deeper/z.md", "---\ntitle: Zed\ndate: 2022-01-01\n---\nz\n");
	struct snapshot *s3 = snapshot_update(b, s2, subdir, 2);
	CHECK_INT(s3->n_articles, 4);
	CHECK_STR(title_at(s3, 3), "Zed");

	put("public/keep.txt", "public\n");
	link_to("news/sub/a.md", "public/copy.txt", true);
	CHECK(hides(s3, "public/copy.txt")); /* the same file by another name */
	drop("news/sub/a.md");
	drop("news/sub/deeper/z.md");
	char *gone[] = {"news/sub/deeper", "news/sub/a.md", "news/notes.png"};
	struct snapshot *s4 = snapshot_update(b, s3, gone, 3);
	CHECK_INT(s4->n_articles, 2);
	CHECK(!hides(s4, "public/copy.txt")); /* no longer an article's source */
	CHECK(!hides(s4, "public/keep.txt"));
	CHECK(index_find(&s4->tags, "pemilu") == NULL);
	snapshot_drop(s2);
	snapshot_drop(s3);
	snapshot_drop(s4);
	snapshot_builder_free(b);
	capsule_remove();
}

static void test_broken_keeps_good_version(void)
{
	capsule_create();
	put("news/a.md", "---\ntitle: Good\ndate: 2022-04-01\n---\nfine\n");
	struct snapshot_builder *b = snapshot_builder_new(&vhost, root_fd);
	struct snapshot *s1 = snapshot_scan(b, NULL);
	put("news/a.md", "---\ntitle: [broken\n");
	put("news/new.md", "---\ntitle: [broken\n");
	char *changed[] = {"news/a.md", "news/new.md"};
	struct snapshot *s2 = snapshot_update(b, s1, changed, 2);
	CHECK_INT(s2->n_articles, 1);
	CHECK_STR(title_at(s2, 0), "Good");
	CHECK(hides(s2, "news/new.md")); /* never served raw either */
	/* A rescan tries the broken file again and still keeps the good one. */
	struct snapshot *s3 = snapshot_scan(b, s2);
	CHECK_INT(s3->n_articles, 1);
	CHECK_STR(title_at(s3, 0), "Good");
	snapshot_drop(s1);
	snapshot_drop(s2);
	snapshot_drop(s3);
	snapshot_builder_free(b);
	capsule_remove();
}

/* The path of a file beneath n folders: news/ and n - 1 more. */
static char *nested(int n, const char *name)
{
	struct buf path = {0};
	buf_puts(&path, "news");
	for (int i = 2; i <= n; i++)
		buf_printf(&path, "/d%d", i);
	buf_printf(&path, "/%s", name);
	return buf_steal(&path);
}

static void test_sources_hidden_by_every_road(void)
{
	capsule_create();
	put("news/desk/secret.md", "---\ntitle: Secret\ndate: 2022-04-01\ndraft: true\n---\nx\n");
	put("news/desk/soon.md", "---\ntitle: Soon\ndate: 2999-01-01\n---\ny\n");
	put("news/desk/moved.md", "---\ntitle: Moved\ndate: 2022-04-01\nredirect: /news/desk/soon\n---\nz\n");
	put("public/about.txt", "about\n");
	link_to("news", "mirror", false);
	link_to("../news/desk/soon.md", "public/soon.txt", false);
	char *deepest = nested(CAPSULE_MAX_DEPTH, "deepest.md");
	char *too_deep = nested(CAPSULE_MAX_DEPTH + 1, "too-deep.md");
	put(deepest, "---\ntitle: Deepest\ndate: 2022-04-02\n---\nd\n");
	put(too_deep, "---\ntitle: Too deep\ndate: 2022-04-03\ndraft: true\n---\nt\n");
	struct snapshot_builder *b = snapshot_builder_new(&vhost, root_fd);
	struct snapshot *s = snapshot_scan(b, NULL);
	/* Through the link nothing is read twice; the deepest folder is read,
	 * one deeper is not. Listed: soon (scheduled) and deepest; the
	 * redirect is never listed. */
	CHECK_INT(s->n_articles, 2);
	CHECK_STR(title_at(s, 1), "Deepest");
	CHECK(hides(s, "news/desk/secret.md"));
	CHECK(hides(s, "mirror/desk/secret.md"));
	CHECK(hides(s, "mirror/desk/soon.md"));
	CHECK(hides(s, "mirror/desk/moved.md"));
	CHECK(hides(s, "public/soon.txt"));
	CHECK(hides(s, deepest));
	CHECK(!hides(s, "public/about.txt"));
	/* Not read, and not opened by any road either. */
	struct capsule_entry entry;
	char *url = xasprintf("/%s", too_deep);
	capsule_open(root_fd, url, &entry);
	CHECK_INT(entry.kind, CAPSULE_FORBIDDEN);
	free(url);
	/* A source the snapshot has not read yet is hidden by where it is. */
	put("news/desk/fresh.md", "---\ntitle: Fresh\ndraft: true\n---\nf\n");
	CHECK(hides(s, "mirror/desk/fresh.md"));
	free(deepest);
	free(too_deep);
	snapshot_drop(s);
	snapshot_builder_free(b);
	capsule_remove();
}

static void test_rescan_shares_unchanged(void)
{
	capsule_create();
	put_three();
	struct snapshot_builder *b = snapshot_builder_new(&vhost, root_fd);
	struct snapshot *s1 = snapshot_scan(b, NULL);
	drop("news/c.gmi");
	struct snapshot *s2 = snapshot_scan(b, s1);
	CHECK_INT(s2->n_articles, 2);
	CHECK(s2->articles[0] == s1->articles[1]);
	CHECK(s2->articles[1] == s1->articles[2]);
	snapshot_drop(s1);
	snapshot_drop(s2);
	snapshot_builder_free(b);
	capsule_remove();
}

static void test_site_acquire_release(void)
{
	capsule_create();
	put_three();
	struct buf errors = {0};
	struct site *site = site_open(&vhost, &errors);
	CHECK(site != NULL);
	site_load(site);
	struct snapshot *held = site_acquire(site);
	CHECK_INT(held->n_articles, 3);
	drop("news/b.md");
	char *changed[] = {"news/b.md"};
	site_publish(site, snapshot_update(site_builder(site), held, changed, 1));
	CHECK_INT(held->n_articles, 3); /* still ours until released */
	struct snapshot *now = site_acquire(site);
	CHECK_INT(now->n_articles, 2);
	site_release(site, held);
	site_release(site, now);
	site_close(site);

	struct vhost missing = {.capsule = "/nonexistent/kabar-capsule", .lang = "en"};
	CHECK(site_open(&missing, &errors) == NULL);
	CHECK(strstr(errors.data, "/nonexistent/kabar-capsule") != NULL);
	buf_free(&errors);
	capsule_remove();
}

/* CPU time of this thread: the machine may be shared with other loads. */
static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;
	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return kib;
}

/* KABAR_SCALE=N: N small articles, with load, rebuild and search timings.
 * Not part of the default run (100,000 files take a while to write). */
static void test_scale(void)
{
	long n = strtol(getenv("KABAR_SCALE"), NULL, 10);
	const char *words[] = {"barru", "pemilu", "jembatan", "banjir", "desa", "bupati", "pasar",
	                       "sekolah", "nelayan", "panen", "jalan", "warga"};
	capsule_create();
	for (long i = 0; i < n; i++) {
		char name[64], text[512];
		snprintf(name, sizeof name, "news/%02ld/a%06ld.md", i % 100, i);
		snprintf(text, sizeof text,
		         "---\ntitle: Kabar %s %s %ld\ndate: 2020-01-01T00:00:00Z\nauthor: [Penulis %ld]\n"
		         "tags: [%s, t%ld]\nsection: %s\n---\nWarga %s dan %s berkumpul di %s nomor %ld. "
		         "Acara berlangsung lancar sampai sore.\n",
		         words[i % 12], words[(i / 12) % 12], i, i % 500, words[(i / 7) % 12], i % 1000,
		         words[(i / 3) % 12], words[(i / 5) % 12], words[(i / 11) % 12], words[i % 7], i);
		put(name, text);
	}
	long rss_before = rss_kib();
	double t0 = seconds();
	struct snapshot_builder *b = snapshot_builder_new(&vhost, root_fd);
	struct snapshot *s1 = snapshot_scan(b, NULL);
	double t1 = seconds();
	CHECK_INT(s1->n_articles, n);
	put("news/00/a000000.md", "---\ntitle: Changed\ndate: 2021-01-01T00:00:00Z\n---\nNew.\n");
	char *changed[] = {"news/00/a000000.md"};
	/* The best of a few runs. */
	double best = 1e9;
	struct snapshot *s2 = NULL;
	for (int r = 0; r < 5; r++) {
		double t1b = seconds();
		snapshot_drop(s2);
		s2 = snapshot_update(b, s1, changed, 1);
		best = seconds() - t1b < best ? seconds() - t1b : best;
	}
	CHECK_STR(title_at(s2, 0), "Changed");
	size_t out[20];
	const char *queries[] = {"barru", "pemilu jembatan", "kabar nelayan panen", "a999999", "warga"};
	double t3 = seconds();
	size_t found = 0;
	for (int r = 0; r < 20; r++)
		for (size_t q = 0; q < 5; q++)
			found += search_query(s2->search, s2->articles, queries[q], time(NULL), out, 20);
	double t4 = seconds();
	CHECK(found > 0);
	printf("scale: %ld articles: load %.3f s, RSS +%ld MiB, one-change rebuild %.1f ms, "
	       "search %.2f ms per query\n", n, t1 - t0, (rss_kib() - rss_before) / 1024,
	       best * 1000, (t4 - t3) * 1000 / 100);
	snapshot_drop(s1);
	snapshot_drop(s2);
	snapshot_builder_free(b);
	capsule_remove();
}

/* A snapshot keeps each article packed into one block: every field, block,
 * link, table cell and extra key must come through the copy whole. */
static void test_packed_article_whole(void)
{
	capsule_create();
	put("news/full.md", "---\ntitle: Full\ndate: 2022-04-01\nauthor: [Ana, Budi]\n"
	                    "tags: [pasar, banjir]\nsection: barru\nsummary: In short.\n"
	                    "image: /img/a.png\ncaption: A caption\naliases: [/news/old/full]\n"
	                    "mood: sunny\n---\n"
	                    "Intro with [a link](https://example.org/a) and [another](/b).\n\n"
	                    "| Kota | Jumlah |\n|:--|--:|\n| Barru | 12 |\n| Bone | 7 |\n\n"
	                    "![Alt text](/img/b.png)\n");
	struct snapshot_builder *b = snapshot_builder_new(&vhost, root_fd);
	struct snapshot *s = snapshot_scan(b, NULL);
	CHECK_INT(s->n_articles, 1);
	const struct article *a = s->articles[0];
	CHECK_STR(a->meta.title, "Full");
	CHECK_INT(a->meta.n_authors, 2);
	CHECK_STR(a->meta.authors[1], "Budi");
	CHECK_STR(a->meta.tags[0], "pasar");
	CHECK_STR(a->meta.summary, "In short.");
	CHECK_STR(a->meta.caption, "A caption");
	CHECK_STR(a->meta.aliases[0], "/news/old/full");
	CHECK_INT(a->meta.n_extra, 1);
	CHECK_STR(a->meta.extra[0].key, "mood");
	CHECK_STR(a->meta.extra[0].value, "sunny");
	CHECK_STR(a->source, "news/full.md");
	const struct block *table = NULL, *para = NULL, *image = NULL;
	for (size_t i = 0; i < a->n_blocks; i++) {
		if (a->blocks[i].kind == BLOCK_TABLE)
			table = &a->blocks[i];
		else if (a->blocks[i].kind == BLOCK_PARAGRAPH && para == NULL)
			para = &a->blocks[i];
		else if (a->blocks[i].kind == BLOCK_IMAGE)
			image = &a->blocks[i];
	}
	CHECK(para != NULL && para->n_links == 2);
	if (para != NULL && para->n_links == 2) {
		CHECK_STR(para->links[0].url, "https://example.org/a");
		CHECK_STR(para->links[1].label, "another");
	}
	CHECK(table != NULL && table->table != NULL);
	if (table != NULL && table->table != NULL) {
		CHECK_INT(table->table->n_rows, 3);
		CHECK_INT(table->table->n_cols, 2);
		CHECK_STR(table->table->cells[5], "7");
		CHECK_INT(table->table->align[1], ALIGN_RIGHT);
	}
	CHECK(image != NULL && image->url != NULL && strcmp(image->url, "/img/b.png") == 0);
	CHECK(snapshot_find_article(s, "/news/old/full") == a);
	snapshot_drop(s);
	snapshot_builder_free(b);
	capsule_remove();
}

/* Article i of the generated capsule: several languages and scripts, a few
 * drafts, redirects and broken files, and files with no front matter. */
static void put_generated(long i)
{
	static const char *const bodies[] = {
		"Warga desa berkumpul di balai untuk membahas jembatan baru.",
		"The harbour light shines again after the volunteers replaced it.",
		"يجتمع الصيادون في الميناء قبل الفجر لبيع السمك.",
		"村民们在市场上讨论新桥的建设。",
		"Les pêcheurs réparent leurs filets sur la jetée du port.",
	};
	char name[64], text[2048];
	snprintf(name, sizeof name, "news/%02ld/a%05ld.%s", i % 40, i, i % 9 == 0 ? "gmi" : "md");
	if (i % 97 == 0)
		snprintf(text, sizeof text, "---\ntitle: [broken %ld\n---\nbody\n", i);
	else if (i % 89 == 0)
		snprintf(text, sizeof text, "# Kabar Barru\n\n## Banjir di desa %ld\n\n%s\n", i,
		         bodies[i % 5]);
	else
		snprintf(text, sizeof text,
		         "---\ntitle: Kabar %ld %s\ndate: 20%02ld-%02ld-%02ldT%02ld:00:00+08:00\n"
		         "author: [Penulis %ld, Editor %ld]\ntags: [t%ld, pemilu]\nsection: desk %ld\n%s%s"
		         "---\n%s %s %s %s\n\nParagraf kedua nomor %ld.\n",
		         i, bodies[i % 5], 10 + i % 14, 1 + i % 12, 1 + i % 28, i % 24, i % 50, i % 7,
		         i % 30, i % 6, i % 53 == 0 ? "draft: true\n" : "",
		         i % 71 == 0 ? "redirect: /news/elsewhere\n" : "", bodies[(i / 5) % 5],
		         bodies[(i / 5) % 5], bodies[(i / 5) % 5], bodies[(i / 5) % 5], i);
	put(name, text);
}

static void check_same_article(const struct article *a, const struct article *b)
{
	CHECK_STR(a->path, b->path);
	CHECK_STR(a->source, b->source);
	CHECK_STR(a->meta.title, b->meta.title);
	CHECK_STR(a->meta.section, b->meta.section);
	CHECK_STR(a->meta.lang, b->meta.lang);
	CHECK(a->meta.date.t == b->meta.date.t);
	CHECK_INT(a->meta.n_authors, b->meta.n_authors);
	CHECK_INT(a->meta.n_tags, b->meta.n_tags);
	CHECK_INT(a->n_blocks, b->n_blocks);
	for (size_t k = 0; k < a->n_blocks && k < b->n_blocks; k++)
		CHECK_STR(a->blocks[k].text, b->blocks[k].text);
}

static void check_same_index(const struct index *a, const struct index *b)
{
	CHECK_INT(a->n_entries, b->n_entries);
	for (size_t i = 0; i < a->n_entries && i < b->n_entries; i++) {
		CHECK_STR(a->entries[i].key, b->entries[i].key);
		CHECK_INT(a->entries[i].n_items, b->entries[i].n_items);
		for (size_t k = 0; k < a->entries[i].n_items && k < b->entries[i].n_items; k++)
			CHECK_INT(a->entries[i].items[k], b->entries[i].items[k]);
	}
}

struct progress_seen {
	size_t calls, last, total;
	bool in_order;
};

static void note_progress(void *arg, size_t read, size_t total)
{
	struct progress_seen *seen = arg;
	seen->in_order = seen->in_order && read >= seen->last && read <= total;
	seen->calls++;
	seen->last = read;
	seen->total = total;
}

/* A snapshot scanned on several threads is the one a single thread scans:
 * the same listing, the same articles, indexes, refusals and search. */
static void test_threads_give_the_same_snapshot(void)
{
	enum { N = 3000 };
	/* With the language guess on, as a server runs: it too runs on the
	 * reading threads. */
	bool guessing = lang_identifier_open(NULL);
	capsule_create();
	for (long i = 0; i < N; i++)
		put_generated(i);
	struct snapshot *snaps[2];
	struct snapshot_builder *builders[2];
	struct progress_seen seen[2] = {{.in_order = true}, {.in_order = true}};
	const int threads[2] = {1, 4};
	for (int r = 0; r < 2; r++) {
		builders[r] = snapshot_builder_new(&vhost, root_fd);
		struct scan_settings scan = {.threads = threads[r], .progress = note_progress,
		                             .arg = &seen[r]};
		snapshot_builder_set_scan(builders[r], &scan);
		snaps[r] = snapshot_scan(builders[r], NULL);
	}
	struct snapshot *one = snaps[0], *many = snaps[1];
	CHECK(one->n_articles > N / 2);
	CHECK_INT(many->n_articles, one->n_articles);
	CHECK_INT(snapshot_refused(one), (N + 96) / 97);
	CHECK_INT(snapshot_refused(many), snapshot_refused(one));
	size_t guessed = 0;
	for (size_t i = 0; i < one->n_articles && i < many->n_articles; i++) {
		check_same_article(one->articles[i], many->articles[i]);
		guessed += strcmp(one->articles[i]->meta.lang, "en") != 0;
	}
	CHECK(!guessing || guessed > N / 4);
	check_same_index(&one->sections, &many->sections);
	check_same_index(&one->authors, &many->authors);
	check_same_index(&one->tags, &many->tags);
	check_same_index(&one->months, &many->months);
	const char *queries[] = {"jembatan", "harbour light", "الميناء", "pêcheurs", "pemilu"};
	for (size_t q = 0; q < 5; q++) {
		size_t a[50], b[50];
		size_t na = search_query(one->search, one->articles, queries[q], time(NULL), a, 50);
		size_t nb = search_query(many->search, many->articles, queries[q], time(NULL), b, 50);
		CHECK_INT(nb, na);
		for (size_t k = 0; k < na && k < nb; k++)
			CHECK_INT(b[k], a[k]);
	}
	for (int r = 0; r < 2; r++) {
		CHECK(seen[r].in_order);
		CHECK(seen[r].calls >= N / 64);
		CHECK_INT(seen[r].last, N);
		CHECK_INT(seen[r].total, N);
		snapshot_drop(snaps[r]);
		snapshot_builder_free(builders[r]);
	}
	if (guessing)
		lang_identifier_close();
	capsule_remove();
}

int main(void)
{
	if (getenv("KABAR_SCALE") != NULL) {
		RUN(test_scale);
		return check_report();
	}
	RUN(test_order_and_indexes);
	RUN(test_paths_and_aliases);
	RUN(test_link_targets);
	RUN(test_one_address_each);
	RUN(test_drafts_and_future);
	RUN(test_update_shares_and_removes);
	RUN(test_broken_keeps_good_version);
	RUN(test_sources_hidden_by_every_road);
	RUN(test_rescan_shares_unchanged);
	RUN(test_site_acquire_release);
	RUN(test_packed_article_whole);
	RUN(test_threads_give_the_same_snapshot);
	return check_report();
}
