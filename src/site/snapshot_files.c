#include "snapshot_files.h"

#include "alloc.h"
#include "article.h"
#include "reserved.h"
#include "text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- Reading files beneath the capsule ---- */

/* Articles are read where they really are: the scanner follows no link
 * (a link to a folder would file its articles twice), and what a link
 * reaches is hidden by its identity instead (snapshot_hides_entry). */
static bool opened_in_place(const struct capsule_entry *entry, const char *relpath)
{
	return strcmp(entry->path, relpath) == 0;
}

void file_id_of(const struct stat *st, struct file_id *id)
{
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->size = st->st_size;
	id->mtime = st->st_mtim;
}

bool file_id_equal(const struct file_id *a, const struct file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

int snapshot_read_file(int root_fd, const char *relpath, size_t limit, struct buf *out,
                       struct file_id *id)
{
	char *path = xasprintf("/%s", relpath);
	struct capsule_entry entry;
	int err = capsule_read_file(root_fd, path, limit, out, &entry);
	free(path);
	if (entry.kind == CAPSULE_FILE) {
		id->dev = entry.dev;
		id->ino = entry.ino;
		id->size = entry.size;
		id->mtime = (struct timespec){entry.mtime, entry.mtime_nsec};
	}
	return err;
}

const char *snapshot_read_error(int err)
{
	switch (err) {
	case EFBIG: return "too large";
	case EISDIR: return "not a regular file";
	case EACCES: return "not readable here (a link leading out, or a special file)";
	default: return strerror(err);
	}
}

/* ---- Which files are articles ---- */

static bool path_has_ignored_part(const char *path)
{
	char *copy = xstrdup(path);
	bool ignored = false;
	for (char *save = NULL, *part = strtok_r(copy, "/", &save); part && !ignored;
	     part = strtok_r(NULL, "/", &save))
		ignored = capsule_name_hidden(part);
	free(copy);
	return ignored;
}

bool snapshot_article_path(const char *path)
{
	if (strncmp(path, "news/", 5) != 0)
		return false;
	if (!article_source_name(path))
		return false;
	/* Hugo's "_index.md" introduces a folder; it is not an article. */
	if (strncmp(text_base_name(path), "_index.", 7) == 0)
		return false;
	return !path_has_ignored_part(path);
}

bool snapshot_path_matters(const char *relpath, bool is_dir)
{
	if (is_dir)
		return (strcmp(relpath, "news") == 0 || strncmp(relpath, "news/", 5) == 0) &&
		       !path_has_ignored_part(relpath);
	return strcmp(relpath, RESERVED_INDEX) == 0 || snapshot_article_path(relpath);
}

int snapshot_open_in_place(int root_fd, const char *relpath, struct capsule_entry *entry)
{
	char *path = xasprintf("/%s", relpath);
	capsule_open(root_fd, path, entry);
	free(path);
	if (entry->fd >= 0 && !opened_in_place(entry, relpath)) {
		close(entry->fd);
		entry->fd = -1;
	}
	return entry->fd;
}
