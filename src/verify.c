#include "verify.h"

#include "alloc.h"
#include "article.h"
#include "capsule.h"
#include "log.h"
#include "snapshot.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Deeper than this is a loop or a mistake, not a newsroom. */
#define MAX_DEPTH 32
/* An article larger than this is reported rather than read, as the site
 * (snapshot.c) reads none larger either. */
#define MAX_ARTICLE_BYTES (4 * 1024 * 1024)

/* What one walk over a capsule carries along. */
struct walk {
	const char *capsule;
	bool bare; /* a folder of articles, not a capsule with news/ */
	struct article_context ctx;
	struct buf *problems;
	struct verify_counts *counts;
};

/* Adds "FILE: reason[: detail]". A parse error's reason already starts
 * with its line number ("12: reason") and joins the name without a space. */
static void report(struct walk *w, const char *relpath, const char *reason, const char *detail)
{
	/* A file name or a quoted value may hold anything: escaped, it can
	 * neither forge a report line nor drive the terminal. */
	struct buf line = {0};
	buf_printf(&line, "%s/%s:%s%s", w->capsule, relpath,
	           isdigit((unsigned char)reason[0]) ? "" : " ", reason);
	if (detail != NULL)
		buf_printf(&line, ": %s", detail);
	log_escape_controls(w->problems, line.data, line.len);
	buf_putc(w->problems, '\n');
	buf_free(&line);
	w->counts->problems++;
}

/* The site's own rule decides what is an article (news/ files with the
 * article extensions); a bare folder of articles is read as if it were
 * news/. */
static bool article_source(const struct walk *w, const char *relpath)
{
	char *as_news;
	bool matters;
	if (!w->bare)
		return strcmp(relpath, "index.gmi") != 0 && snapshot_path_matters(relpath, false);
	as_news = xasprintf("news/%s", relpath);
	matters = snapshot_path_matters(as_news, false);
	free(as_news);
	return matters;
}

static bool folder_matters(const struct walk *w, const char *relpath)
{
	return w->bare || snapshot_path_matters(relpath, true);
}

int verify_read(int fd, struct buf *data)
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
		report(w, relpath, "cannot open", strerror(errno));
		return;
	}
	if (verify_read(fd, &data) < 0) {
		report(w, relpath, "cannot be read, or is larger than 4 MiB", NULL);
	} else {
		a = article_parse(relpath, data.data ? data.data : "", data.len, &w->ctx, &error);
		if (a != NULL) {
			w->counts->articles++;
			article_free(a);
		} else {
			/* article_parse gives "LINE: reason"; one line is all we keep
			 * (a quoted value may carry more). */
			if (error.data != NULL) {
				error.len = strcspn(error.data, "\n");
				error.data[error.len] = '\0';
			}
			report(w, relpath, error.len > 0 ? error.data : "cannot be parsed", NULL);
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
		report(w, prefix, "cannot list this folder", NULL);
		return;
	}
	for (size_t i = 0; i < listing.count; i++) {
		const char *name = listing.names[i];
		char *relpath = prefix[0] ? xasprintf("%s/%s", prefix, name) : xstrdup(name);
		if (listing.is_dir[i] && depth < MAX_DEPTH && folder_matters(w, relpath)) {
			int sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				report(w, relpath, "cannot open this folder", strerror(errno));
			} else {
				verify_folder(w, sub, relpath, depth + 1);
				close(sub);
			}
		} else if (!listing.is_dir[i] && article_source(w, relpath)) {
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
	struct stat news;
	w.bare = fstatat(root, "news", &news, 0) < 0 || !S_ISDIR(news.st_mode);
	verify_folder(&w, root, "", 0);
	close(root);
}
