#include "alloc.h"
#include "loader.h"
#include "snapshot.h"

#include "check.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char capsule[64];
static struct vhost vhost = {.lang = "en"};

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void write_file(const char *relpath, const char *title)
{
	char *path = xasprintf("%s/%s", capsule, relpath);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	fprintf(f, "---\ntitle: %s\ndate: 2022-04-01\n---\nBody.\n", title);
	fclose(f);
	free(path);
}

static void make_dir(const char *relpath)
{
	char *path = xasprintf("%s/%s", capsule, relpath);
	CHECK(mkdir(path, 0755) == 0);
	free(path);
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits (at most 20 s) until the site lists n articles; returns the wait. */
static double wait_for(struct site *site, size_t n)
{
	double start = now_seconds();
	for (;;) {
		struct snapshot *s = site_acquire(site);
		size_t have = s->n_articles;
		site_release(site, s);
		if (have == n || now_seconds() - start > 20.0) {
			if (have != n)
				fprintf(stderr, "  have %zu articles, want %zu\n", have, n);
			CHECK_INT(have, n);
			return now_seconds() - start;
		}
		usleep(5000);
	}
}

static void test_follows_changes(void)
{
	snprintf(capsule, sizeof capsule, "/tmp/kabar-loader-XXXXXX");
	CHECK(mkdtemp(capsule) != NULL);
	vhost.capsule = capsule;
	make_dir("news");
	write_file("news/first.md", "First");
	struct buf errors = {0};
	struct site *site = site_open(&vhost, &errors);
	CHECK(site != NULL);
	site_load(site);
	CHECK(loader_start(&site, 1) == 0);
	wait_for(site, 1);

	/* Written under a hidden name, then renamed into place. */
	write_file("news/.second.md.tmp", "Second");
	char *from = xasprintf("%s/news/.second.md.tmp", capsule);
	char *to = xasprintf("%s/news/second.md", capsule);
	CHECK(rename(from, to) == 0);
	CHECK(wait_for(site, 2) < 1.0);

	/* Written in place. */
	write_file("news/third.md", "Third");
	CHECK(wait_for(site, 3) < 1.0);

	/* Removed. */
	CHECK(remove(to) == 0);
	CHECK(wait_for(site, 2) < 1.0);

	/* A new folder and a file in it; editor leftovers are ignored. */
	make_dir("news/2022");
	write_file("news/2022/fourth.md", "Fourth");
	write_file("news/2022/fourth.md.swp", "Swap");
	write_file("news/2022/4913", "Vim probe");
	CHECK(wait_for(site, 3) < 1.0);

	/* A burst of 2,000 files. */
	make_dir("news/burst");
	for (int i = 0; i < 2000; i++) {
		char name[64];
		snprintf(name, sizeof name, "news/burst/b%04d.md", i);
		write_file(name, "Burst");
	}
	/* Ten times what it takes under the sanitizer: a rescan per event
	 * (quadratic) would take minutes. */
	double took = wait_for(site, 2003);
	CHECK(took < 10.0);

	/* The whole folder removed. */
	char *burst = xasprintf("%s/news/burst", capsule);
	nftw(burst, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	wait_for(site, 3);

	loader_stop();
	site_close(site);
	nftw(capsule, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(from);
	free(to);
	free(burst);
	buf_free(&errors);
}

int main(void)
{
	RUN(test_follows_changes);
	return check_report();
}
