#include "capsule.h"

#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * A real capsule in a temporary folder, with links that stay inside and
 * links that lead out, hidden files and a FIFO. Every lookup test runs
 * through both capsule_open (openat2) and the portable walk.
 */

static char top[64];      /* holds the capsule and a file outside it */
static char root[96];     /* the capsule */
static int root_fd = -1;

static void write_file(const char *rel, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", top, rel);
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

static void make_in(const char *rel, int kind, const char *target)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", top, rel);
	int rc = 0;
	if (kind == 'd')
		rc = mkdir(path, 0755);
	else if (kind == 'l')
		rc = symlink(target, path);
	else if (kind == 'p')
		rc = mkfifo(path, 0644);
	if (rc != 0) {
		perror(path);
		exit(2);
	}
}

static void build_capsule(void)
{
	snprintf(top, sizeof top, "%s", "/tmp/kabar-capsule-XXXXXX");
	if (mkdtemp(top) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
	snprintf(root, sizeof root, "%s/capsule", top);
	write_file("outside.txt", "secret outside\n");
	make_in("capsule", 'd', NULL);
	write_file("capsule/hello.gmi", "# Hello\n");
	make_in("capsule/dir", 'd', NULL);
	write_file("capsule/dir/index.gmi", "# Dir\n");
	make_in("capsule/dir/sub", 'd', NULL);
	make_in("capsule/dir/.hidden", 'd', NULL);
	write_file("capsule/dir/.hidden/x", "x");
	write_file("capsule/.secret", "s");
	write_file("capsule/notes.txt~", "n");
	write_file("capsule/x.swp", "v");
	write_file("capsule/#auto#", "e");
	make_in("capsule/.#lock", 'l', "user@host.123");
	make_in("capsule/fifo", 'p', NULL);
	make_in("capsule/link_in", 'l', "hello.gmi");
	make_in("capsule/link_dir", 'l', "dir");
	make_in("capsule/dir/link_parent", 'l', "../hello.gmi");
	make_in("capsule/dir/link_chain", 'l', "../link_in");
	make_in("capsule/link_out", 'l', "../outside.txt");
	make_in("capsule/link_abs", 'l', "/etc/passwd");
	make_in("capsule/link_up", 'l', "..");
	make_in("capsule/loop", 'l', "loop");
	make_in("capsule/dangling", 'l', "nowhere");
	/* Other roads to hidden files, and a tree one folder deeper than read. */
	make_in("capsule/roads", 'd', NULL);
	make_in("capsule/roads/secret", 'l', "../.secret");
	make_in("capsule/roads/backup", 'l', "../notes.txt~");
	make_in("capsule/roads/hidden_dir", 'l', "../dir/.hidden");
	char deep[1024] = "capsule/roads", deepest[1024] = "";
	for (int i = 2; i <= CAPSULE_MAX_DEPTH + 1; i++) {
		size_t len = strlen(deep);
		snprintf(deep + len, sizeof deep - len, "/d%d", i);
		make_in(deep, 'd', NULL);
		if (i == CAPSULE_MAX_DEPTH)
			snprintf(deepest, sizeof deepest, "%s/ok.txt", deep);
	}
	write_file(deepest, "ok");
	make_in("capsule/roads/deepest", 'l', deepest + strlen("capsule/roads/"));
	strcat(deep, "/no.txt");
	write_file(deep, "no");
	root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0) {
		perror(root);
		exit(2);
	}
}

static void remove_capsule(void)
{
	close(root_fd);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", top);
}

typedef void (*open_fn)(int, const char *, struct capsule_entry *);
static const open_fn openers[] = {capsule_open, capsule_open_walk};
static const char *const opener_names[] = {"openat2", "walk"};

static enum capsule_kind kind_of(open_fn fn, int dirfd, const char *path)
{
	struct capsule_entry e;
	fn(dirfd, path, &e);
	CHECK((e.fd >= 0) == (e.kind == CAPSULE_FILE || e.kind == CAPSULE_DIR));
	if (e.fd >= 0)
		close(e.fd);
	return e.kind;
}

struct lookup_case {
	const char *path;
	enum capsule_kind kind;
};

static void check_cases(const struct lookup_case *cases, size_t n, int dirfd)
{
	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < n; i++) {
			enum capsule_kind got = kind_of(openers[k], dirfd, cases[i].path);
			if (got != cases[i].kind)
				fprintf(stderr, "  %s \"%s\"\n", opener_names[k], cases[i].path);
			CHECK_INT(got, cases[i].kind);
		}
	}
}

static void test_plain_lookups(void)
{
	static const struct lookup_case cases[] = {
		{"/hello.gmi", CAPSULE_FILE},
		{"/", CAPSULE_DIR},
		{"/dir", CAPSULE_DIR},
		{"/dir/", CAPSULE_DIR},
		{"/dir/sub/", CAPSULE_DIR},
		{"/dir/index.gmi", CAPSULE_FILE},
		{"/dir//index.gmi", CAPSULE_FILE},
		{"//hello.gmi", CAPSULE_FILE},
		{"//", CAPSULE_DIR},
		{"/missing", CAPSULE_MISSING},
		{"/dir/missing/deeper", CAPSULE_MISSING},
		{"/hello.gmi/", CAPSULE_MISSING},
		{"/hello.gmi/x", CAPSULE_MISSING},
		{"no-leading-slash", CAPSULE_MISSING},
	};
	check_cases(cases, sizeof cases / sizeof cases[0], root_fd);
}

static void test_hidden_and_special(void)
{
	static const struct lookup_case cases[] = {
		{"/.secret", CAPSULE_FORBIDDEN},
		{"/notes.txt~", CAPSULE_FORBIDDEN},
		{"/x.swp", CAPSULE_FORBIDDEN},
		{"/#auto#", CAPSULE_FORBIDDEN},
		{"/.#lock", CAPSULE_FORBIDDEN},
		{"/dir/.hidden/x", CAPSULE_FORBIDDEN},
		{"/dir/.hidden/", CAPSULE_FORBIDDEN},
		{"/fifo", CAPSULE_FORBIDDEN}, /* and it must not block */
		{"/../outside.txt", CAPSULE_FORBIDDEN},
		{"/dir/../../outside.txt", CAPSULE_FORBIDDEN},
	};
	check_cases(cases, sizeof cases / sizeof cases[0], root_fd);
}

static void test_links_inside_are_followed(void)
{
	static const struct lookup_case cases[] = {
		{"/link_in", CAPSULE_FILE},
		{"/link_dir", CAPSULE_DIR},
		{"/link_dir/index.gmi", CAPSULE_FILE},
		{"/dir/link_parent", CAPSULE_FILE},
		{"/dir/link_chain", CAPSULE_FILE},
		{"/link_dir/link_parent", CAPSULE_FILE},
		{"/dangling", CAPSULE_MISSING},
	};
	check_cases(cases, sizeof cases / sizeof cases[0], root_fd);
}

static void test_links_out_are_refused(void)
{
	static const struct lookup_case cases[] = {
		{"/link_out", CAPSULE_FORBIDDEN},
		{"/link_abs", CAPSULE_FORBIDDEN},
		{"/link_up/outside.txt", CAPSULE_FORBIDDEN},
		{"/link_up/", CAPSULE_FORBIDDEN},
		{"/loop", CAPSULE_FORBIDDEN},
	};
	check_cases(cases, sizeof cases / sizeof cases[0], root_fd);
}

/* With dir as the root, "../hello.gmi" leads out even though it stays in
 * the folder above: the root descriptor is the boundary, not the disk. */
static void test_boundary_is_the_root_fd(void)
{
	int dir_fd = openat(root_fd, "dir", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(dir_fd >= 0);
	static const struct lookup_case cases[] = {
		{"/index.gmi", CAPSULE_FILE},
		{"/link_parent", CAPSULE_FORBIDDEN},
		{"/link_chain", CAPSULE_FORBIDDEN},
	};
	check_cases(cases, sizeof cases / sizeof cases[0], dir_fd);
	close(dir_fd);
}

static void test_entry_describes_the_file(void)
{
	for (size_t k = 0; k < 2; k++) {
		struct capsule_entry e;
		openers[k](root_fd, "/link_in", &e);
		CHECK_INT(e.kind, CAPSULE_FILE);
		CHECK_INT(e.size, 8);
		struct stat st;
		CHECK(stat(root, &st) == 0);
		CHECK(e.dev == st.st_dev);
		CHECK(e.mtime > 0);
		char text[16] = {0};
		CHECK_INT(read(e.fd, text, sizeof text - 1), 8);
		CHECK_STR(text, "# Hello\n");
		close(e.fd);
	}
}

/* Where the file really is, whichever road the request took. */
static void test_entry_knows_the_resolved_path(void)
{
	static const struct {
		const char *path, *resolved;
	} cases[] = {
		{"/", ""},
		{"//", ""},
		{"/dir/", "dir"},
		{"//dir//index.gmi", "dir/index.gmi"},
		{"/link_in", "hello.gmi"},
		{"/link_dir/", "dir"},
		{"/link_dir/index.gmi", "dir/index.gmi"},
		{"/dir/link_chain", "hello.gmi"},
		{"/link_dir/link_parent", "hello.gmi"},
		{"/dir/sub/../index.gmi", ""}, /* ".." in a request is refused */
	};
	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			struct capsule_entry e;
			openers[k](root_fd, cases[i].path, &e);
			if (cases[i].resolved[0] == '\0' && strstr(cases[i].path, "..") != NULL) {
				CHECK_INT(e.kind, CAPSULE_FORBIDDEN);
				continue;
			}
			CHECK(e.fd >= 0);
			CHECK_STR(e.path, cases[i].resolved);
			close(e.fd);
		}
	}
}

/* A link's target is held to the rules a request is: no hidden name on the
 * way, no folder deeper than CAPSULE_MAX_DEPTH. */
static void test_links_to_hidden_and_deep_are_refused(void)
{
	char deepest_file[512] = "/roads", too_deep[512] = "/roads";
	for (int i = 2; i <= CAPSULE_MAX_DEPTH + 1; i++) {
		size_t len = strlen(too_deep);
		snprintf(too_deep + len, sizeof too_deep - len, "/d%d", i);
		if (i == CAPSULE_MAX_DEPTH)
			snprintf(deepest_file, sizeof deepest_file, "%s/ok.txt", too_deep);
	}
	char too_deep_file[600];
	snprintf(too_deep_file, sizeof too_deep_file, "%s/no.txt", too_deep);
	const struct lookup_case cases[] = {
		{"/roads/secret", CAPSULE_FORBIDDEN},
		{"/roads/backup", CAPSULE_FORBIDDEN},
		{"/roads/hidden_dir/x", CAPSULE_FORBIDDEN},
		{"/roads/hidden_dir/", CAPSULE_FORBIDDEN},
		{deepest_file, CAPSULE_FILE},
		{"/roads/deepest", CAPSULE_FILE},
		{too_deep, CAPSULE_FORBIDDEN},
		{too_deep_file, CAPSULE_FORBIDDEN},
	};
	check_cases(cases, sizeof cases / sizeof cases[0], root_fd);
	struct capsule_entry e;
	capsule_open(root_fd, "/roads/deepest", &e);
	CHECK_STR(e.path, deepest_file + 1);
	close(e.fd);
}

static void test_read_file(void)
{
	struct buf out = {0};
	struct capsule_entry e;
	CHECK_INT(capsule_read_file(root_fd, "/link_in", 64, &out, &e), 0);
	CHECK_STR(out.data, "# Hello\n");
	CHECK_STR(e.path, "hello.gmi");
	CHECK_INT(e.fd, -1);
	buf_free(&out);
	/* Exactly the limit is fine; one byte more is too large, and the file
	 * is still known by its identity. */
	CHECK_INT(capsule_read_file(root_fd, "/hello.gmi", 8, &out, &e), 0);
	buf_free(&out);
	CHECK_INT(capsule_read_file(root_fd, "/hello.gmi", 7, &out, &e), EFBIG);
	CHECK_INT(e.kind, CAPSULE_FILE);
	CHECK(e.ino != 0);
	CHECK_INT(e.fd, -1);
	buf_free(&out);
	CHECK_INT(capsule_read_file(root_fd, "/dir", 64, &out, &e), EISDIR);
	CHECK_INT(e.fd, -1);
	CHECK_INT(capsule_read_file(root_fd, "/missing", 64, &out, &e), ENOENT);
	CHECK_INT(capsule_read_file(root_fd, "/.secret", 64, &out, &e), EACCES);
	CHECK_INT(capsule_read_file(root_fd, "/link_out", 64, &out, &e), EACCES);
	CHECK_INT(capsule_read_file(root_fd, "/roads/secret", 64, &out, &e), EACCES);
	CHECK_INT(capsule_read_file(root_fd, "/fifo", 64, &out, &e), EACCES);
	CHECK_INT(out.len, 0);
	buf_free(&out);
}

static void test_hidden_names(void)
{
	CHECK(capsule_name_hidden(".git"));
	CHECK(capsule_name_hidden("."));
	CHECK(capsule_name_hidden(".."));
	CHECK(capsule_name_hidden(".#index.gmi"));
	CHECK(capsule_name_hidden("index.gmi~"));
	CHECK(capsule_name_hidden(".index.gmi.swp"));
	CHECK(capsule_name_hidden("index.gmi.swp"));
	CHECK(capsule_name_hidden("index.gmi.swo"));
	CHECK(capsule_name_hidden("#index.gmi#"));
	CHECK(!capsule_name_hidden(""));
	CHECK(!capsule_name_hidden("index.gmi"));
	CHECK(!capsule_name_hidden("a.b.c"));
	CHECK(!capsule_name_hidden("#"));
	CHECK(!capsule_name_hidden("#tag"));
	CHECK(!capsule_name_hidden("swp"));
	CHECK(!capsule_name_hidden("tilde~x"));
}

static void test_listing_is_sorted_and_filtered(void)
{
	struct capsule_listing l;
	CHECK_INT(capsule_list(root_fd, &l), 0);
	/* Hidden names, the FIFO and the dangling link are left out; links
	 * are classed by what they point to. */
	static const char *const want[] = {"dir", "hello.gmi", "link_abs", "link_dir", "link_in",
	                                   "link_out", "link_up", "roads"};
	static const bool want_dir[] = {true, false, false, true, false, false, true, true};
	CHECK_INT(l.count, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < l.count && i < sizeof want / sizeof want[0]; i++) {
		CHECK_STR(l.names[i], want[i]);
		CHECK_INT(l.is_dir[i], want_dir[i]);
	}
	capsule_listing_free(&l);
	CHECK_INT(l.count, 0);
}

static void test_listing_of_subdir_and_empty(void)
{
	int dir_fd = openat(root_fd, "dir/sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct capsule_listing l;
	CHECK_INT(capsule_list(dir_fd, &l), 0);
	CHECK_INT(l.count, 0);
	capsule_listing_free(&l);
	close(dir_fd);
	CHECK_INT(capsule_list(-1, &l), -1);
}

int main(void)
{
	build_capsule();
	RUN(test_plain_lookups);
	RUN(test_hidden_and_special);
	RUN(test_links_inside_are_followed);
	RUN(test_links_out_are_refused);
	RUN(test_boundary_is_the_root_fd);
	RUN(test_entry_describes_the_file);
	RUN(test_entry_knows_the_resolved_path);
	RUN(test_links_to_hidden_and_deep_are_refused);
	RUN(test_read_file);
	RUN(test_hidden_names);
	RUN(test_listing_is_sorted_and_filtered);
	RUN(test_listing_of_subdir_and_empty);
	remove_capsule();
	return check_report();
}
