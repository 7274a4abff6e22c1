#ifndef KABAR_TESTS_TESTUTIL_H
#define KABAR_TESTS_TESTUTIL_H

/*
 * Files for unit tests: finding them from the repository, reading them
 * whole and writing them. Static inline, like check.h, so each test takes
 * only what it calls.
 */

#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"

/* rel (such as "tests/golden/x.md" or "../shared/seeds/y.txt") as a path
 * from the repository's root, written into out. The root is found from
 * this header's own place (tests/unit/, as the Makefile compiles it), so
 * a test finds its files whatever its working directory. */
static inline const char *test_repo_path(const char *rel, char *out, size_t size)
{
	const char *file = __FILE__;
	const char *slash = strrchr(file, '/');
	size_t len = slash != NULL ? (size_t)(slash - file) : 0;
	snprintf(out, size, "%.*s%s../../%s", (int)len, file, len > 0 ? "/" : "", rel);
	return out;
}

/* The whole file, NUL-terminated (an empty file gives ""), its length in
 * *len; NULL when it cannot be opened. The caller frees it. */
static inline char *test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	struct buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return buf_steal(&b);
}

/* Creates or replaces path with len bytes of data: false when it cannot. */
static inline bool test_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		return false;
	bool written = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && written;
}

/* A complete 1x1 PNG (signature, IHDR, IDAT, IEND), for tests of MIME
 * types and of binary files served whole. */
static inline const unsigned char *test_png(size_t *len)
{
	static const unsigned char png[] = {
		0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
		0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
		0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78,
		0x9c, 0x63, 0x60, 0x00, 0x02, 0x00, 0x00, 0x05, 0x00, 0x01, 0xe9, 0xfa, 0xdc, 0xd8,
		0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
	};
	*len = sizeof png;
	return png;
}

/* A capsule for a test: a fresh folder "/tmp/kabar-NAME-XXXXXX" and its
 * descriptor, removed with all in it by test_capsule_remove. */
struct test_capsule {
	char dir[64];
	int fd;
};

/* False when no folder could be made. */
static inline bool test_capsule_make(struct test_capsule *c, const char *name)
{
	snprintf(c->dir, sizeof c->dir, "/tmp/kabar-%s-XXXXXX", name);
	c->fd = mkdtemp(c->dir) != NULL ? open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	return c->fd >= 0;
}

static inline int test_capsule_remove_entry(const char *path, const struct stat *st, int flag,
                                            struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

/* Links are removed, never what they point at. */
static inline void test_capsule_remove(struct test_capsule *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	nftw(c->dir, test_capsule_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* relpath beneath the capsule as a path; false when it does not fit. */
static inline bool test_capsule_path(const struct test_capsule *c, const char *relpath, char *out,
                                     size_t size)
{
	return (size_t)snprintf(out, size, "%s/%s", c->dir, relpath) < size;
}

/* Writes text to relpath, making its folders: false when it cannot. */
static inline bool test_capsule_put(const struct test_capsule *c, const char *relpath,
                                    const char *text)
{
	char path[4096];
	if (!test_capsule_path(c, relpath, path, sizeof path))
		return false;
	for (char *slash = strchr(path + strlen(c->dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	return test_write_file(path, text, strlen(text));
}

/* A symbolic link at relpath to target (as written, relative or not). */
static inline bool test_capsule_link(const struct test_capsule *c, const char *target,
                                     const char *relpath)
{
	char path[4096];
	return test_capsule_path(c, relpath, path, sizeof path) && symlink(target, path) == 0;
}

#endif
