#include "verify.h"

#include "alloc.h"
#include "article.h"
#include "capsule.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Deeper than this is a loop or a mistake, not a newsroom. */
#define MAX_DEPTH 32
/* An article larger than this is reported rather than read. */
#define MAX_ARTICLE_BYTES (8 * 1024 * 1024)

/* What one walk over a capsule carries along. */
struct walk {
	const char *capsule;
	struct article_context ctx;
	struct buf *problems;
	struct verify_counts *counts;
};

static void report(struct walk *w, const char *relpath, const char *fmt, const char *detail)
	__attribute__((format(printf, 3, 0)));

static void report(struct walk *w, const char *relpath, const char *fmt, const char *detail)
{
	buf_printf(w->problems, "%s/%s: ", w->capsule, relpath);
	buf_printf(w->problems, fmt, detail);
	buf_putc(w->problems, '\n');
	w->counts->problems++;
}

/* Markdown files are the newsroom's articles; gemtext and other files are
 * served as they stand. */
static bool article_source(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot != NULL && (strcmp(dot, ".md") == 0 || strcmp(dot, ".markdown") == 0);
}

static int read_all(int fd, struct buf *data)
{
	char chunk[16384];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || data->len + (size_t)n > MAX_ARTICLE_BYTES)
			return -1;
		buf_append(data, chunk, (size_t)n);
	}
	return 0;
}

static void verify_article(struct walk *w, int dirfd, const char *name, const char *relpath)
{
	struct buf data = {0};
	struct buf error = {0};
	struct article *a;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		report(w, relpath, "cannot open: %s", strerror(errno));
		return;
	}
	if (read_all(fd, &data) < 0) {
		report(w, relpath, "%s", "cannot be read, or is larger than 8 MiB");
	} else {
		a = article_parse(relpath, data.data ? data.data : "", data.len, &w->ctx, &error);
		if (a != NULL) {
			w->counts->articles++;
			article_free(a);
		} else {
			/* article_parse gives "LINE: reason"; one line is all we keep. */
			error.len = strcspn(error.data ? error.data : "", "\n");
			report(w, relpath, "%s", error.len > 0 ? error.data : "cannot be parsed");
		}
	}
	close(fd);
	buf_free(&data);
	buf_free(&error);
}

static void verify_folder(struct walk *w, int dirfd, const char *prefix, int depth)
{
	struct capsule_listing listing;
	if (capsule_list(dirfd, &listing) < 0) {
		report(w, prefix, "%s", "cannot list this folder");
		return;
	}
	for (size_t i = 0; i < listing.count; i++) {
		const char *name = listing.names[i];
		char *relpath = prefix[0] ? xasprintf("%s/%s", prefix, name) : xstrdup(name);
		if (listing.is_dir[i] && depth < MAX_DEPTH) {
			int sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				report(w, relpath, "cannot open this folder: %s", strerror(errno));
			} else {
				verify_folder(w, sub, relpath, depth + 1);
				close(sub);
			}
		} else if (!listing.is_dir[i] && article_source(name)) {
			verify_article(w, dirfd, name, relpath);
		}
		free(relpath);
	}
	capsule_listing_free(&listing);
}

void verify_capsule(const struct vhost *vh, struct buf *problems, struct verify_counts *counts)
{
	struct walk w = {
		.capsule = vh->capsule,
		.ctx = {.utc_offset_minutes = vh->utc_offset_minutes, .lang = vh->lang},
		.problems = problems,
		.counts = counts,
	};
	int root = open(vh->capsule, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		buf_printf(problems, "%s: cannot open the capsule: %s\n", vh->capsule, strerror(errno));
		counts->problems++;
		return;
	}
	verify_folder(&w, root, "", 0);
	close(root);
}
