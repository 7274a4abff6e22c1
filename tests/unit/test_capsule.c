#include "capsule.h"

#include "check.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
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
	                                   "link_out", "link_up"};
	static const bool want_dir[] = {true, false, false, true, false, false, true};
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
	RUN(test_hidden_names);
	RUN(test_listing_is_sorted_and_filtered);
	RUN(test_listing_of_subdir_and_empty);
	remove_capsule();
	return check_report();
}
