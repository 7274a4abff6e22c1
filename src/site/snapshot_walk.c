#include "snapshot_walk.h"

#include "alloc.h"
#include "capsule.h"
#include "log.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void found_add(struct found_list *list, char *path, const struct stat *st)
{
	list->items = xgrowarray(list->items, list->n, sizeof *list->items);
	list->items[list->n].path = path;
	file_id_of(st, &list->items[list->n].id);
	list->n++;
}

void found_free(struct found_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->items[i].path);
	free(list->items);
}

/* Collects the article files beneath dir (an open directory named rel,
 * depth folders beneath the capsule); takes ownership of dirfd. Symbolic
 * links are not followed. */
static void walk(int dirfd, const char *rel, int depth, struct found_list *out)
{
	DIR *dir = fdopendir(dirfd);
	if (dir == NULL) {
		close(dirfd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		if (capsule_name_hidden(e->d_name))
			continue; /* also "." and ".." */
		struct stat st;
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		char *child = xasprintf("%s/%s", rel, e->d_name);
		if (S_ISDIR(st.st_mode) && depth >= CAPSULE_MAX_DEPTH) {
			/* Served by no road either (capsule_open): said once a scan. */
			log_warn("%s: deeper than %d folders: not read", child, CAPSULE_MAX_DEPTH);
			free(child);
		} else if (S_ISDIR(st.st_mode)) {
			int fd = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0)
				walk(fd, child, depth + 1, out);
			free(child);
		} else if (S_ISREG(st.st_mode) && snapshot_article_path(child)) {
			found_add(out, child, &st);
		} else {
			free(child);
		}
	}
	closedir(dir);
}

static int folders_in(const char *relpath)
{
	int n = 1;
	for (const char *p = relpath; *p != '\0'; p++)
		n += *p == '/';
	return n;
}

void walk_folder(int root_fd, const char *rel, struct found_list *out)
{
	struct capsule_entry entry;
	if (snapshot_open_in_place(root_fd, rel, &entry) < 0)
		return; /* gone, or a link: capsule_open said why when it matters */
	if (entry.kind != CAPSULE_DIR) {
		close(entry.fd);
		return;
	}
	walk(entry.fd, rel, folders_in(rel), out);
}

static int by_found_path(const void *a, const void *b)
{
	return strcmp(((const struct found *)a)->path, ((const struct found *)b)->path);
}

void found_sort(struct found_list *list)
{
	if (list->n > 0)
		qsort(list->items, list->n, sizeof *list->items, by_found_path);
}

void walk_changed(int root_fd, const char *path, struct found_list *found)
{
	struct capsule_entry entry;
	if (snapshot_open_in_place(root_fd, path, &entry) < 0)
		return; /* gone */
	struct stat st;
	int ok = fstat(entry.fd, &st);
	close(entry.fd);
	if (ok != 0)
		return;
	if (S_ISDIR(st.st_mode))
		walk_folder(root_fd, path, found);
	else if (S_ISREG(st.st_mode) && snapshot_article_path(path))
		found_add(found, xstrdup(path), &st);
}
