#ifndef KABAR_SNAPSHOT_FILES_H
#define KABAR_SNAPSHOT_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "capsule.h"

/*
 * The capsule's files as a snapshot sees them: which of them are articles
 * (and which changes can matter), and how one is read or opened beneath
 * the capsule, where it really is.
 */

/* What tells a file changed without reading it. */
struct file_id {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

void file_id_of(const struct stat *st, struct file_id *id);
bool file_id_equal(const struct file_id *a, const struct file_id *b);

/* True when relpath (relative to the capsule) is an article source: an
 * article file beneath news/, in no ignored folder, not an _index file. */
bool snapshot_article_path(const char *relpath);

/* True when a change at relpath (a directory or a file) can change a
 * snapshot: directories of news/, article files, index.gmi. */
bool snapshot_path_matters(const char *relpath, bool is_dir);

/* Reads the regular file at relpath whole (capsule_read_file), noting its
 * identity in *id whenever it could be opened. Returns 0 or an errno value. */
int snapshot_read_file(int root_fd, const char *relpath, size_t limit, struct buf *out,
                       struct file_id *id);

/* What a snapshot_read_file error means, for a log line. */
const char *snapshot_read_error(int err);

/* Opens relpath where it really is (no link on the way), or gives -1. */
int snapshot_open_in_place(int root_fd, const char *relpath, struct capsule_entry *entry);

#endif
