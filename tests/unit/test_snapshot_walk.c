#include "alloc.h"
#include "buf.h"
#include "snapshot_walk.h"

#include "check.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct test_capsule cap;


/* The paths found, sorted, joined by spaces. */
static char *found_paths(struct found_list *list)
{
	found_sort(list);
	struct buf out = {0};
	for (size_t i = 0; i < list->n; i++)
		buf_printf(&out, "%s%s", i ? " " : "", list->items[i].path);
	return out.data ? buf_steal(&out) : xstrdup("");
}

static void check_found(struct found_list *list, const char *want)
{
	char *got = found_paths(list);
	CHECK_STR(got, want);
	free(got);
	found_free(list);
	*list = (struct found_list){0};
}

/* news/d2/d3/.../dN, N folders beneath the capsule with news. */
static char *deep_folder(int n)
{
	struct buf path = {0};
	buf_printf(&path, "news");
	for (int i = 2; i <= n; i++)
		buf_printf(&path, "/d%d", i);
	return buf_steal(&path);
}

static void make_tree(void)
{
	CHECK(test_capsule_put(&cap, "news/a.md", "a"));
	CHECK(test_capsule_put(&cap, "news/2025/06/b.gmi", "b"));
	CHECK(test_capsule_put(&cap, "news/\xe0\xa4\xb8\xe0\xa4\xae\xe0\xa4\xbe\xe0\xa4\x9a\xe0\xa4\xbe\xe0\xa4\xb0/c.TXT", "c"));
	CHECK(test_capsule_put(&cap, "news/.hidden/d.md", "d"));
	CHECK(test_capsule_put(&cap, "news/e.md~", "e"));
	CHECK(test_capsule_put(&cap, "news/photo.jpg", "f"));
	CHECK(test_capsule_put(&cap, "news/_index.md", "g"));
	CHECK(test_capsule_put(&cap, "about.md", "h"));
	CHECK(test_capsule_link(&cap, "2025", "news/linked"));
	CHECK(test_capsule_link(&cap, "a.md", "news/link.md"));
	char *at_limit = deep_folder(CAPSULE_MAX_DEPTH);
	char *file = xasprintf("%s/ok.md", at_limit);
	CHECK(test_capsule_put(&cap, file, "ok"));
	free(file);
	file = xasprintf("%s/d%d/too-deep.md", at_limit, CAPSULE_MAX_DEPTH + 1);
	CHECK(test_capsule_put(&cap, file, "no"));
	free(file);
	free(at_limit);
}

static void test_walk_folder(void)
{
	CHECK(test_capsule_make(&cap, "walk"));
	make_tree();
	struct found_list found = {0};
	walk_folder(cap.fd, "news", &found);
	CHECK_INT(found.n, 4);
	char *deep = deep_folder(CAPSULE_MAX_DEPTH);
	char *want = xasprintf("news/2025/06/b.gmi news/a.md %s/ok.md "
	                       "news/\xe0\xa4\xb8\xe0\xa4\xae\xe0\xa4\xbe\xe0\xa4\x9a\xe0\xa4\xbe\xe0\xa4\xb0/c.TXT",
	                       deep);
	check_found(&found, want);
	free(want);
	free(deep);

	walk_folder(cap.fd, "news/2025", &found);
	check_found(&found, "news/2025/06/b.gmi");
	walk_folder(cap.fd, "news/linked", &found); /* a link: its target is walked as itself */
	check_found(&found, "");
	walk_folder(cap.fd, "news/a.md", &found); /* not a folder */
	check_found(&found, "");
	walk_folder(cap.fd, "news/gone", &found);
	check_found(&found, "");
	test_capsule_remove(&cap);
}

/* What the walk notes is what reading the file notes, so an unchanged
 * file is known without reading it again; a rewrite is not. */
static void test_found_ids(void)
{
	CHECK(test_capsule_make(&cap, "walk"));
	CHECK(test_capsule_put(&cap, "news/a.md", "abc"));
	struct found_list found = {0};
	walk_folder(cap.fd, "news", &found);
	CHECK_INT(found.n, 1);
	struct buf data = {0};
	struct file_id read_id = {0};
	CHECK_INT(snapshot_read_file(cap.fd, "news/a.md", 1024, &data, &read_id), 0);
	CHECK(found.n == 1 && file_id_equal(&found.items[0].id, &read_id));
	found_free(&found);
	found = (struct found_list){0};
	CHECK(test_capsule_put(&cap, "news/a.md", "abcd"));
	walk_folder(cap.fd, "news", &found);
	CHECK(found.n == 1 && !file_id_equal(&found.items[0].id, &read_id));
	found_free(&found);
	buf_free(&data);
	test_capsule_remove(&cap);
}

static void test_walk_changed(void)
{
	CHECK(test_capsule_make(&cap, "walk"));
	make_tree();
	struct found_list found = {0};
	walk_changed(cap.fd, "news/a.md", &found);
	walk_changed(cap.fd, "news/2025", &found);
	check_found(&found, "news/2025/06/b.gmi news/a.md");
	walk_changed(cap.fd, "news/photo.jpg", &found);
	walk_changed(cap.fd, "news/_index.md", &found);
	walk_changed(cap.fd, "news/link.md", &found);
	walk_changed(cap.fd, "news/linked", &found);
	walk_changed(cap.fd, "news/.hidden", &found);
	walk_changed(cap.fd, "news/gone.md", &found);
	walk_changed(cap.fd, "about.md", &found);
	check_found(&found, "");
	test_capsule_remove(&cap);
}

int main(void)
{
	RUN(test_walk_folder);
	RUN(test_found_ids);
	RUN(test_walk_changed);
	return check_report();
}
