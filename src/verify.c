#include "verify.h"

#include "alloc.h"
#include "article.h"
#include "capsule.h"
#include "snapshot.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What one walk over a capsule carries along. */
struct walk {
	const char *capsule;
	bool bare; /* a folder of articles, not a capsule with news/ */
	struct article_context ctx;
	struct buf *problems;
	struct verify_counts *counts;
	int root_fd;
};

/* Adds "FILE: reason[: detail]". A parse error's reason already starts
 * with its line number ("12: reason") and joins the name without a space. */
static void report(struct walk *w, const char *relpath, const char *reason, const char *detail)
{
	buf_printf(w->problems, "%s/%s:%s%s", w->capsule, relpath,
	           isdigit((unsigned char)reason[0]) ? "" : " ", reason);
	if (detail != NULL)
		buf_printf(w->problems, ": %s", detail);
	buf_putc(w->problems, '\n');
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

static void verify_article(struct walk *w, int fd, const char *relpath)
{
	struct buf data = {0};
	struct buf error = {0};
	int err = buf_read_fd(&data, fd, ARTICLE_MAX_BYTES);
	if (err == EFBIG) {
		char *limit = xasprintf("larger than %d MiB", ARTICLE_MAX_BYTES >> 20);
		report(w, relpath, "cannot be read", limit);
		free(limit);
	} else if (err != 0) {
		report(w, relpath, "cannot be read", strerror(err));
	} else {
		struct article *a =
			article_parse(relpath, data.data ? data.data : "", data.len, &w->ctx, &error);
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
	buf_free(&data);
	buf_free(&error);
}

/* The folder's entries, each opened as the site opens it (capsule.h); as
 * the site's scanner, only where they really are: a link is not an article
 * (what it reaches is read at its own place). */
static void verify_folder(struct walk *w, int dirfd, const char *prefix, int depth)
{
	struct capsule_listing listing;
	if (capsule_list(dirfd, &listing) < 0) {
		report(w, prefix, "cannot list this folder", NULL);
		return;
	}
	for (size_t i = 0; i < listing.count; i++) {
		char *relpath = prefix[0] ? xasprintf("%s/%s", prefix, listing.names[i])
		                          : xstrdup(listing.names[i]);
		char *path = xasprintf("/%s", relpath);
		struct capsule_entry entry;
		capsule_open(w->root_fd, path, &entry);
		bool in_place = entry.fd >= 0 && strcmp(entry.path, relpath) == 0;
		if (listing.is_dir[i] && depth >= CAPSULE_MAX_DEPTH && folder_matters(w, relpath))
			report(w, relpath, "nested too deep: the site reads no folder this deep", NULL);
		else if (in_place && entry.kind == CAPSULE_DIR && folder_matters(w, relpath))
			verify_folder(w, entry.fd, relpath, depth + 1);
		else if (in_place && entry.kind == CAPSULE_FILE && article_source(w, relpath))
			verify_article(w, entry.fd, relpath);
		else if (entry.kind == CAPSULE_FORBIDDEN && !listing.is_dir[i] && article_source(w, relpath))
			report(w, relpath, "cannot be opened",
			       "unreadable, a special file, or a link leading out");
		if (entry.fd >= 0)
			close(entry.fd);
		free(path);
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
	w.root_fd = root;
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
