#include "alloc.h"
#include "buf.h"
#include "capsule.h"
#include "snapshot.h"

#include "check.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * A snapshot built by updates, one change after another, must be the very
 * snapshot a fresh scan of the same capsule gives: same listing, indexes,
 * addresses and hidden files. The changes are random (seeded, so a failure
 * repeats) over a few names that collide on purpose.
 */

static struct test_capsule cap;
static struct vhost vhost = {.lang = "en", .utc_offset_minutes = 480};

/* Few folders and slugs, so that articles meet at one address. */
static const char *folders[] = {"news", "news/guides/zh-hans", "news/guides/ar", "news/sport",
                                "news/sport/deep"};
static const char *names[] = {"port-guide", "port-guide-zh-hans", "report", "match", "zh-hans"};
static const char *exts[] = {".md", ".gmi"};
static const char *sections[] = {"barru", "South Sulawesi", "sport", "Barru"};
static const char *people[] = {"Muh. Hasyim Hanis", "Editor", "Ana Lúcia", "محمد"};
static const char *tag_names[] = {"Pemilu", "pemilu", "port", "选举", "rain"};
static const char *dates[] = {"2025-06-01", "2025-06-01", "2025-06-14T08:00:00+07:00",
                              "2024-12-31T23:30:00-05:00", "2999-01-01", NULL};

#define N_FILES 50 /* every (folder, name, ext) */

static char *file_path(size_t i)
{
	size_t n_names = sizeof names / sizeof *names;
	size_t n_exts = sizeof exts / sizeof *exts;
	return xasprintf("%s/%s%s", folders[i / (n_names * n_exts)], names[i / n_exts % n_names],
	                 exts[i % n_exts]);
}

static const char *pick(const char *const *from, size_t n)
{
	return from[(size_t)rand() % n];
}
#define PICK(a) pick(a, sizeof a / sizeof *a)

static char *random_article(int serial)
{
	struct buf b = {0};
	buf_printf(&b, "---\ntitle: Story %d\n", serial);
	const char *date = PICK(dates);
	if (date != NULL)
		buf_printf(&b, "date: %s\n", date);
	if (rand() % 3 != 0)
		buf_printf(&b, "section: %s\n", PICK(sections));
	if (rand() % 2)
		buf_printf(&b, "author: [%s, %s]\n", PICK(people), PICK(people));
	if (rand() % 2)
		buf_printf(&b, "tags: [%s, %s]\n", PICK(tag_names), PICK(tag_names));
	if (rand() % 6 == 0)
		buf_printf(&b, "draft: true\n");
	if (rand() % 8 == 0)
		buf_printf(&b, "redirect: /news/2025/06/port-guide\n");
	if (rand() % 4 == 0)
		buf_printf(&b, "aliases: [/news/old/%s%d]\n", PICK(names), rand() % 3);
	else if (rand() % 6 == 0) /* the .gmi form of an article's address */
		buf_printf(&b, "aliases: [/news/2025/06/%s.gmi]\n", PICK(names));
	else if (rand() % 8 == 0)
		buf_printf(&b, "aliases: [/news/old/%s, /news/2025/06/report]\n", PICK(names));
	buf_printf(&b, "---\nBody %d of the story.\n", serial);
	return buf_steal(&b);
}

/* Undated articles take their file's month: keep it June 2025. */
static void put(const char *relpath, const char *text)
{
	CHECK(test_capsule_put(&cap, relpath, text));
	char full[1024];
	snprintf(full, sizeof full, "%s/%s", cap.dir, relpath);
	struct timespec times[2] = {{1749981600, 0}, {1749981600, 0}};
	CHECK(utimensat(AT_FDCWD, full, times, 0) == 0);
}

static bool exists(const char *relpath)
{
	char full[1024];
	snprintf(full, sizeof full, "%s/%s", cap.dir, relpath);
	return access(full, F_OK) == 0;
}

static bool hides(const struct snapshot *s, const char *relpath)
{
	char *path = xasprintf("/%s", relpath);
	struct capsule_entry entry;
	capsule_open(cap.fd, path, &entry);
	free(path);
	bool hidden = entry.kind == CAPSULE_FILE && snapshot_hides_entry(s, &entry);
	if (entry.fd >= 0)
		close(entry.fd);
	return hidden;
}

static const char *source_of(const struct article *a)
{
	return a != NULL ? a->source : "(none)";
}

static int failures;

static void differs(int step, const char *what, const char *detail)
{
	if (failures++ < 5)
		fprintf(stderr, "step %d: %s differs: %s\n", step, what, detail);
}

static void compare_index(int step, const char *what, const struct index *x, const struct index *y)
{
	if (x->n_entries != y->n_entries) {
		differs(step, what, "number of entries");
		return;
	}
	for (size_t e = 0; e < x->n_entries; e++) {
		const struct index_entry *a = &x->entries[e], *b = &y->entries[e];
		if (strcmp(a->key, b->key) != 0 || strcmp(a->name, b->name) != 0)
			differs(step, what, a->key);
		else if (a->n_items != b->n_items ||
		         memcmp(a->items, b->items, a->n_items * sizeof *a->items) != 0)
			differs(step, what, a->key);
	}
}

/* Every address an article of either snapshot answers at. */
static void compare_paths(int step, const struct snapshot *x, const struct snapshot *y,
                          const struct snapshot *from)
{
	for (size_t i = 0; i < from->n_articles; i++) {
		const struct article *a = from->articles[i];
		const char *one = source_of(snapshot_find_article(x, a->path));
		const char *two = source_of(snapshot_find_article(y, a->path));
		if (strcmp(one, two) != 0)
			differs(step, "address", a->path);
		for (size_t k = 0; k < a->meta.n_aliases; k++) {
			char *alias = a->meta.aliases[k][0] == '/' ? xstrdup(a->meta.aliases[k])
			                                           : xasprintf("/%s", a->meta.aliases[k]);
			if (strcmp(source_of(snapshot_find_article(x, alias)),
			           source_of(snapshot_find_article(y, alias))) != 0)
				differs(step, "alias", alias);
			free(alias);
		}
	}
}

static void compare(int step, const struct snapshot *x, const struct snapshot *y)
{
	if (x->n_articles != y->n_articles) {
		differs(step, "listing", "number of articles");
		return;
	}
	for (size_t i = 0; i < x->n_articles; i++)
		if (strcmp(x->articles[i]->source, y->articles[i]->source) != 0 ||
		    strcmp(x->articles[i]->path, y->articles[i]->path) != 0 ||
		    strcmp(x->articles[i]->meta.title, y->articles[i]->meta.title) != 0)
			differs(step, "listing", x->articles[i]->source);
	compare_index(step, "sections", &x->sections, &y->sections);
	compare_index(step, "authors", &x->authors, &y->authors);
	compare_index(step, "tags", &x->tags, &y->tags);
	compare_index(step, "months", &x->months, &y->months);
	compare_paths(step, x, y, x);
	compare_paths(step, x, y, y);
	const char *fixed[] = {"/news/2025/06/port-guide", "/news/2025/06/port-guide-zh-hans",
	                       "/news/2025/06/port-guide-zh-hans-2", "/news/2025/06/port-guide-ar",
	                       "/news/2025/06/report", "/news/2025/06/report-deep"};
	for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
		if (strcmp(source_of(snapshot_find_article(x, fixed[i])),
		           source_of(snapshot_find_article(y, fixed[i]))) != 0)
			differs(step, "address", fixed[i]);
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char *form = xasprintf("/news/2025/06/%s.gmi", names[i]);
		if (strcmp(source_of(snapshot_find_article(x, form)),
		           source_of(snapshot_find_article(y, form))) != 0)
			differs(step, "alias", form);
		free(form);
	}
	/* Aliases, of articles gone too. */
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		for (int k = -1; k < 3; k++) {
			char *alias = k < 0 ? xasprintf("/news/old/%s", names[i])
			                    : xasprintf("/news/old/%s%d", names[i], k);
			if (strcmp(source_of(snapshot_find_article(x, alias)),
			           source_of(snapshot_find_article(y, alias))) != 0)
				differs(step, "alias", alias);
			free(alias);
		}
	for (size_t i = 0; i < N_FILES; i++) {
		char *rel = file_path(i);
		if (hides(x, rel) != hides(y, rel))
			differs(step, "hidden", rel);
		free(rel);
	}
	if (hides(x, "public/same.txt") != hides(y, "public/same.txt"))
		differs(step, "hidden", "public/same.txt");
	const struct article **ux, **uy;
	size_t nx = snapshot_unpublished(x, 1800000000, &ux);
	size_t ny = snapshot_unpublished(y, 1800000000, &uy);
	if (nx != ny)
		differs(step, "unpublished", "number");
	for (size_t i = 0; i < nx && i < ny; i++)
		if (strcmp(ux[i]->source, uy[i]->source) != 0)
			differs(step, "unpublished", ux[i]->source);
	free(ux);
	free(uy);
}

/* Holds the snapshot built step by step to a fresh scan of the same files. */
static void compare_with_scan(int step, const struct snapshot *s, int root_fd)
{
	struct snapshot_builder *fresh_b = snapshot_builder_new(&vhost, root_fd);
	struct snapshot *fresh = snapshot_scan(fresh_b, NULL);
	compare(step, s, fresh);
	snapshot_drop(fresh);
	snapshot_builder_free(fresh_b);
}

/* One random change to the capsule; the paths it touched go to changed. */
static size_t change(int serial, char **changed)
{
	char *rel = file_path((size_t)rand() % N_FILES);
	int op = rand() % 10;
	if (op < 6 || !exists(rel)) {
		char *text = random_article(serial);
		put(rel, text);
		free(text);
		changed[0] = rel;
		return 1;
	}
	if (op < 8) {
		char full[1024];
		snprintf(full, sizeof full, "%s/%s", cap.dir, rel);
		CHECK(remove(full) == 0);
		changed[0] = rel;
		return 1;
	}
	/* A rename: both names change. */
	char *to = file_path((size_t)rand() % N_FILES);
	char from_full[1024], to_full[1024];
	snprintf(from_full, sizeof from_full, "%s/%s", cap.dir, rel);
	snprintf(to_full, sizeof to_full, "%s/%s", cap.dir, to);
	CHECK(rename(from_full, to_full) == 0);
	changed[0] = rel;
	changed[1] = to;
	return 2;
}

static void hard_link(const char *target, const char *relpath)
{
	char from[1024], to[1024];
	snprintf(from, sizeof from, "%s/%s", cap.dir, target);
	snprintf(to, sizeof to, "%s/%s", cap.dir, relpath);
	if (exists(target))
		CHECK(link(from, to) == 0);
}

static void test_updates_equal_a_fresh_scan(void)
{
	CHECK(test_capsule_make(&cap, "snapshot-update"));
	vhost.capsule = cap.dir;
	srand(13);
	put("public/keep.txt", "public\n");
	for (size_t i = 0; i < sizeof folders / sizeof *folders; i++) {
		char *keep = xasprintf("%s/keep.txt", folders[i]); /* a folder for renames */
		put(keep, "x\n");
		free(keep);
	}
	for (int i = 0; i < 12; i++) {
		char *rel = file_path((size_t)rand() % N_FILES);
		char *text = random_article(i);
		put(rel, text);
		free(text);
		free(rel);
	}
	struct snapshot_builder *b = snapshot_builder_new(&vhost, cap.fd);
	struct snapshot *s = snapshot_scan(b, NULL);
	for (int step = 0; step < 400; step++) {
		char *changed[2];
		size_t n = change(100 + step, changed);
		if (step == 50) /* the same file by another name, when it is there */
			hard_link(changed[n - 1], "public/same.txt");
		/* prev is dropped after the comparison: what the new one wrongly
		 * kept of it still reads as it was. */
		struct snapshot *prev = s;
		s = snapshot_update(b, prev, changed, n);
		for (size_t i = 0; i < n; i++)
			free(changed[i]);
		compare_with_scan(step, s, cap.fd);
		snapshot_drop(prev);
	}
	CHECK_INT(failures, 0);
	snapshot_drop(s);
	snapshot_builder_free(b);
	test_capsule_remove(&cap);
}

/* Articles of hundreds of tags (each slug in two spellings),
 * sharing them, through updates that put one in, move it and take the
 * first out. */
static char *many_tags(const char *title, const char *date, int n, int from)
{
	struct buf b = {0};
	buf_printf(&b, "---\ntitle: %s\ndate: %s\ntags: [", title, date);
	for (int i = 0; i < n; i++)
		buf_printf(&b, "%sTag %d, tag %d", i ? ", " : "", from + i, from + i);
	buf_printf(&b, "]\nauthor: [Ana, ana, Budi]\n---\nText.\n");
	return buf_steal(&b);
}

static void test_many_keys_equal_a_fresh_scan(void)
{
	CHECK(test_capsule_make(&cap, "snapshot-keys"));
	vhost.capsule = cap.dir;
	failures = 0;
	char *text = many_tags("Old", "2025-01-01", 450, 0);
	put("news/old.md", text);
	free(text);
	struct snapshot_builder *b = snapshot_builder_new(&vhost, cap.fd);
	struct snapshot *s = snapshot_scan(b, NULL);
	const char *steps[][3] = {
		{"news/new.md", "2025-02-01", "New"},   /* newest: names its entries */
		{"news/new.md", "2024-12-01", "Moved"}, /* now older than old.md */
		{"news/old.md", NULL, NULL},            /* gone: new.md names them */
		{"news/mid.md", "2025-01-15", "Mid"},
	};
	for (int step = 0; step < 4; step++) {
		if (steps[step][1] != NULL) {
			text = many_tags(steps[step][2], steps[step][1], 450, 200 * step);
			put(steps[step][0], text);
			free(text);
		} else {
			char full[1024];
			snprintf(full, sizeof full, "%s/%s", cap.dir, steps[step][0]);
			CHECK(remove(full) == 0);
		}
		char *changed = xstrdup(steps[step][0]);
		struct snapshot *prev = s;
		s = snapshot_update(b, prev, &changed, 1);
		free(changed);
		compare_with_scan(step, s, cap.fd);
		CHECK(s->tags.n_entries >= 450);
		snapshot_drop(prev);
	}
	CHECK_INT(failures, 0);
	snapshot_drop(s);
	snapshot_builder_free(b);
	test_capsule_remove(&cap);
}

static void remove_file(const char *relpath)
{
	char full[1024];
	snprintf(full, sizeof full, "%s/%s", cap.dir, relpath);
	CHECK(remove(full) == 0);
}

static struct snapshot *updated(struct snapshot_builder *b, struct snapshot *prev, const char *rel,
                                int step)
{
	char *changed = xstrdup(rel);
	struct snapshot *s = snapshot_update(b, prev, &changed, 1);
	free(changed);
	snapshot_drop(prev);
	compare_with_scan(step, s, cap.fd);
	return s;
}

static const char *at(const struct snapshot *s, const char *address)
{
	return source_of(snapshot_find_article(s, address));
}

/* Bob's published story and Alice's newer one asking for its address,
 * its alias and its .gmi form. Alice's path sorts first; the date decides. */
static const char bob_path[] = "news/bob/bob-story.md";
static const char bob_text[] = "---\ntitle: Bob's story\nauthor: Bob\ndate: 2024-03-10\n"
                               "slug: bob-story\naliases: [/news/old/bob]\n---\nBob.\n";
static const char alice_path[] = "news/alice/zz.md";
static const char alice_text[] = "---\ntitle: Bob's story\nauthor: Bob\ndate: 2024-03-20\n"
                                 "slug: bob-story\n"
                                 "aliases: [/news/old/bob, /news/2024/03/bob-story.gmi]\n"
                                 "---\nAlice.\n";

static void check_bob_keeps(const struct snapshot *s)
{
	CHECK_STR(at(s, "/news/2024/03/bob-story"), bob_path);
	CHECK_STR(at(s, "/news/old/bob"), bob_path);
	/* Not Alice's alias: the routes answer it with Bob's article. */
	CHECK_STR(at(s, "/news/2024/03/bob-story.gmi"), "(none)");
	CHECK_STR(at(s, "/news/2024/03/bob-story-alice"), alice_path);
}

/* The earlier date keeps an address whichever file was read first, in a
 * fresh scan and through updates; the newcomer moves, and gets it back
 * only when the holder goes. */
static void test_address_owner_in_either_order(void)
{
	for (int order = 0; order < 2; order++) {
		CHECK(test_capsule_make(&cap, "snapshot-owner"));
		vhost.capsule = cap.dir;
		failures = 0;
		const char *first = order == 0 ? bob_path : alice_path;
		put(first, order == 0 ? bob_text : alice_text);
		struct snapshot_builder *b = snapshot_builder_new(&vhost, cap.fd);
		struct snapshot *s = snapshot_scan(b, NULL);
		CHECK_STR(at(s, "/news/2024/03/bob-story"), first);
		const char *second = order == 0 ? alice_path : bob_path;
		put(second, order == 0 ? alice_text : bob_text);
		s = updated(b, s, second, 0);
		check_bob_keeps(s);
		remove_file(bob_path);
		s = updated(b, s, bob_path, 1);
		CHECK_STR(at(s, "/news/2024/03/bob-story"), alice_path);
		CHECK_STR(at(s, "/news/old/bob"), alice_path);
		put(bob_path, bob_text);
		s = updated(b, s, bob_path, 2);
		check_bob_keeps(s);
		CHECK_INT(failures, 0);
		snapshot_drop(s);
		snapshot_builder_free(b);
		test_capsule_remove(&cap);
	}
}

/* A scheduled article never takes a published one's address: its date is
 * later, whatever its path. A draft asks for none. */
static void test_unpublished_never_displaces(void)
{
	CHECK(test_capsule_make(&cap, "snapshot-scheduled"));
	vhost.capsule = cap.dir;
	failures = 0;
	put("news/bob/bob-story.md", "---\ntitle: Bob\ndate: 2024-03-10\n---\nBob.\n");
	struct snapshot_builder *b = snapshot_builder_new(&vhost, cap.fd);
	struct snapshot *s = snapshot_scan(b, NULL);
	put("news/a/draft.md", "---\ntitle: D\ndate: 2024-03-01\nslug: bob-story\ndraft: true\n"
	                       "aliases: [/news/2024/03/bob-story.gmi]\n---\nD.\n");
	s = updated(b, s, "news/a/draft.md", 0);
	put("news/a/later.md", "---\ntitle: L\ndate: 2024-03-31T23:00:00+08:00\nslug: bob-story\n"
	                       "aliases: [/news/2024/03/bob-story.gmi]\n---\nL.\n");
	s = updated(b, s, "news/a/later.md", 1);
	CHECK_STR(at(s, "/news/2024/03/bob-story"), "news/bob/bob-story.md");
	CHECK_STR(at(s, "/news/2024/03/bob-story.gmi"), "(none)");
	CHECK_STR(at(s, "/news/2024/03/bob-story-a"), "news/a/later.md");
	/* An alias that becomes the .gmi form of a newcomer's own address is
	 * the newcomer's from then on, after an update as after a scan. */
	put("news/c.md", "---\ntitle: C\ndate: 2024-03-05\naliases: [/news/2024/03/late.gmi]\n"
	                 "---\nC.\n");
	s = updated(b, s, "news/c.md", 2);
	CHECK_STR(at(s, "/news/2024/03/late.gmi"), "news/c.md");
	put("news/late.md", "---\ntitle: Late\ndate: 2024-03-09\n---\nLate.\n");
	s = updated(b, s, "news/late.md", 3);
	CHECK_STR(at(s, "/news/2024/03/late.gmi"), "(none)");
	remove_file("news/late.md");
	s = updated(b, s, "news/late.md", 4);
	CHECK_STR(at(s, "/news/2024/03/late.gmi"), "news/c.md");
	CHECK_INT(failures, 0);
	snapshot_drop(s);
	snapshot_builder_free(b);
	test_capsule_remove(&cap);
}

static struct article *parsed(const char *path, const char *text)
{
	struct article_context ctx = {.utc_offset_minutes = 480, .lang = "en", .file_time = 1749981600};
	struct buf error = {0};
	struct article *a = article_parse(path, text, strlen(text), &ctx, &error);
	buf_free(&error);
	CHECK(a != NULL);
	return a;
}

/* What Titan asks before it writes: whose address would the upload take? */
static void test_address_clash_names_the_holder(void)
{
	CHECK(test_capsule_make(&cap, "snapshot-clash"));
	vhost.capsule = cap.dir;
	put(bob_path, bob_text);
	put("news/photo.jpg", "jpeg\n");
	struct snapshot_builder *b = snapshot_builder_new(&vhost, cap.fd);
	struct snapshot *s = snapshot_scan(b, NULL);
	struct buf reason = {0};
	struct article *a = parsed(alice_path, alice_text);
	CHECK(snapshot_address_clash(s, cap.fd, a, &reason));
	CHECK_STR(reason.data, "news/alice/zz.md:5: /news/2024/03/bob-story is held by "
	                       "news/bob/bob-story.md");
	article_free(a);
	const char *aliases[][2] = {
		{"/news/old/bob", "news/alice/zz.md:4: /news/old/bob is held by news/bob/bob-story.md"},
		{"/news/2024/03/bob-story.gmi",
		 "news/alice/zz.md:4: /news/2024/03/bob-story.gmi is held by news/bob/bob-story.md"},
		{"/news/photo.jpg", "news/alice/zz.md:4: alias /news/photo.jpg is a capsule file's or "
		                    "folder's address"},
		{"/news/bob/",
		 "news/alice/zz.md:4: alias /news/bob/ is a capsule file's or folder's address"},
		{"/robots.txt",
		 "news/alice/zz.md:4: alias /robots.txt is outside the article addresses (/news/...)"},
	};
	for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++) {
		char *text = xasprintf("---\ntitle: A\ndate: 2024-03-20\naliases: [%s]\n---\nA.\n",
		                       aliases[i][0]);
		a = parsed(alice_path, text);
		reason.len = 0;
		CHECK(snapshot_address_clash(s, cap.fd, a, &reason));
		CHECK_STR(reason.data, aliases[i][1]);
		article_free(a);
		free(text);
	}
	/* An edit of an article displaced already asks for nothing new. */
	put(alice_path, alice_text);
	char *changed = xstrdup(alice_path);
	struct snapshot *next = snapshot_update(b, s, &changed, 1);
	free(changed);
	snapshot_drop(s);
	s = next;
	CHECK_STR(at(s, "/news/2024/03/bob-story-alice"), alice_path);
	a = parsed(alice_path, alice_text);
	reason.len = 0;
	CHECK(!snapshot_address_clash(s, cap.fd, a, &reason));
	article_free(a);
	/* Bob writing his own story again holds nothing against himself. */
	a = parsed(bob_path, bob_text);
	reason.len = 0;
	CHECK(!snapshot_address_clash(s, cap.fd, a, &reason));
	article_free(a);
	buf_free(&reason);
	snapshot_drop(s);
	snapshot_builder_free(b);
	test_capsule_remove(&cap);
}

int main(void)
{
	RUN(test_address_owner_in_either_order);
	RUN(test_unpublished_never_displaces);
	RUN(test_address_clash_names_the_holder);
	RUN(test_updates_equal_a_fresh_scan);
	RUN(test_many_keys_equal_a_fresh_scan);
	return check_report();
}
