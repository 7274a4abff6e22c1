#ifndef KABAR_SNAPSHOT_WALK_H
#define KABAR_SNAPSHOT_WALK_H

#include <stddef.h>
#include <sys/stat.h>

#include "snapshot_files.h"

/*
 * Finding the article files beneath a folder of the capsule: a walk that
 * follows no symbolic link and stops at CAPSULE_MAX_DEPTH folders.
 */

/* One article file found, with what tells whether it changed. */
struct found {
	char *path; /* relative to the capsule */
	struct file_id id;
};

struct found_list {
	struct found *items;
	size_t n;
};

/* Takes path. */
void found_add(struct found_list *list, char *path, const struct stat *st);
void found_free(struct found_list *list);
/* By path (strcmp). */
void found_sort(struct found_list *list);

/* Adds the article files beneath the folder rel (relative to the capsule)
 * to out; nothing when rel is gone, not a folder, or reached by a link. */
void walk_folder(int root_fd, const char *rel, struct found_list *out);

/* Adds what one changed path holds to out: the file itself when it is an
 * article, everything beneath it when it is a folder. */
void walk_changed(int root_fd, const char *relpath, struct found_list *out);

#endif
