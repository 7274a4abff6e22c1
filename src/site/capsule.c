#include "capsule.h"

#include "alloc.h"
#include "buf.h"
#include "log.h"
#include "text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* As the kernel: a path that follows more links than this is a loop. */
#define MAX_LINKS 40

static bool segment_hidden(const char *s, size_t len)
{
	if (len == 0)
		return false;
	if (s[0] == '.') /* dotfiles, Emacs ".#lock" links, "." and ".." */
		return true;
	if (s[len - 1] == '~') /* backups */
		return true;
	if (len >= 2 && s[0] == '#' && s[len - 1] == '#') /* Emacs auto-saves */
		return true;
	return text_ends_with(s, len, ".swp") || text_ends_with(s, len, ".swo") ||
	       text_ends_with(s, len, ".swx");
}

bool capsule_name_hidden(const char *name)
{
	return segment_hidden(name, strlen(name));
}

/* Field by field: the path buffer is large and only its start matters. */
static void entry_reset(struct capsule_entry *entry)
{
	entry->kind = CAPSULE_MISSING;
	entry->fd = -1;
	entry->size = 0;
	entry->mtime = 0;
	entry->mtime_nsec = 0;
	entry->dev = 0;
	entry->ino = 0;
	entry->path[0] = '\0';
}

static void warn_path(const char *path, const char *reason)
{
	struct buf shown = {0};
	log_escape(&shown, path, strlen(path));
	log_warn("capsule: %s: %s", shown.data ? shown.data : "", reason);
	buf_free(&shown);
}

/* Refuses a file or folder deeper than CAPSULE_MAX_DEPTH. The first one
 * is logged, so that a newsroom learns why; the rest are not, so that a
 * crawler asking for many cannot fill the log. */
static void refuse_deep(const char *path, struct capsule_entry *entry)
{
	static atomic_bool logged;
	if (!atomic_exchange(&logged, true)) {
		char reason[64];
		snprintf(reason, sizeof reason, "deeper than %d folders: not served (said once)",
		         CAPSULE_MAX_DEPTH);
		warn_path(path, reason);
	}
	entry->kind = CAPSULE_FORBIDDEN;
}

/* How many folders the resolved path lies in: a file's are the ones above
 * it, a directory counts itself. */
static size_t folders_of(const char *resolved, bool is_dir)
{
	size_t n = is_dir && resolved[0] != '\0' ? 1 : 0;
	for (const char *p = resolved; *p != '\0'; p++)
		n += *p == '/';
	return n;
}

/* Fills entry from an open descriptor (which it takes) and the resolved
 * path already in entry->path: only regular files and directories are
 * served, and none deeper than CAPSULE_MAX_DEPTH. */
static void entry_from_fd(int fd, const char *path, struct capsule_entry *entry)
{
	struct stat st;
	if (fstat(fd, &st) != 0 || (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))) {
		warn_path(path, "not a regular file or directory");
		close(fd);
		entry->kind = CAPSULE_FORBIDDEN;
		return;
	}
	if (folders_of(entry->path, S_ISDIR(st.st_mode)) > CAPSULE_MAX_DEPTH) {
		close(fd);
		refuse_deep(path, entry);
		return;
	}
	entry->kind = S_ISDIR(st.st_mode) ? CAPSULE_DIR : CAPSULE_FILE;
	entry->fd = fd;
	entry->size = st.st_size;
	entry->mtime = st.st_mtim.tv_sec;
	entry->mtime_nsec = st.st_mtim.tv_nsec;
	entry->dev = st.st_dev;
	entry->ino = st.st_ino;
}

static void entry_from_errno(int err, const char *path, struct capsule_entry *entry)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
	case ENAMETOOLONG:
		entry->kind = CAPSULE_MISSING;
		return;
	case EXDEV:
	case ELOOP:
		warn_path(path, "a link leads outside the capsule (or loops)");
		break;
	default:
		warn_path(path, strerror(err));
		break;
	}
	entry->kind = CAPSULE_FORBIDDEN;
}

/* Checks the request path and gives it relative to the capsule ("." for the
 * root), and its canonical form (no repeated or trailing slashes, "" for
 * the root) in entry->path. Hidden segments and ".." are refused before
 * touching the disk. */
static bool relative_path(const char *path, const char **rel, struct capsule_entry *entry)
{
	if (path[0] != '/') {
		entry->kind = CAPSULE_MISSING;
		return false;
	}
	size_t out = 0;
	const char *p = path + strspn(path, "/");
	while (*p != '\0') {
		size_t len = strcspn(p, "/");
		if (segment_hidden(p, len)) {
			entry->kind = CAPSULE_FORBIDDEN;
			return false;
		}
		if (out + len + 1 >= sizeof entry->path) {
			entry->kind = CAPSULE_MISSING;
			return false;
		}
		if (out > 0)
			entry->path[out++] = '/';
		memcpy(entry->path + out, p, len);
		out += len;
		p += len;
		p += strspn(p, "/");
	}
	entry->path[out] = '\0';
	const char *first = path + strspn(path, "/"); /* "//x" is "/x", never the disk's root */
	*rel = first[0] != '\0' ? first : ".";
	return true;
}

/* O_NONBLOCK so that opening a FIFO cannot block the worker; it is refused
 * right after by entry_from_fd. */
#define OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

/* Set once openat2 has proved missing (old kernel, seccomp, valgrind): it
 * stays missing, so every later lookup goes straight to the walk. */
static atomic_bool openat2_missing;

/* A path without links is where it says it is; the first link met (ELOOP)
 * sends the lookup to the walk, which knows where the link leads. */
void capsule_open(int root_fd, const char *path, struct capsule_entry *entry)
{
	if (atomic_load_explicit(&openat2_missing, memory_order_relaxed)) {
		capsule_open_walk(root_fd, path, entry);
		return;
	}
	entry_reset(entry);
	const char *rel;
	if (!relative_path(path, &rel, entry))
		return;
	struct open_how how = {
		.flags = OPEN_FLAGS,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, root_fd, rel, &how, sizeof how);
	if (fd >= 0) {
		entry_from_fd(fd, path, entry);
		return;
	}
	if (errno == ENOSYS || errno == EPERM)
		atomic_store_explicit(&openat2_missing, true, memory_order_relaxed);
	if (errno == ENOSYS || errno == EPERM || errno == ELOOP) {
		capsule_open_walk(root_fd, path, entry);
		return;
	}
	entry_from_errno(errno, path, entry);
}

/* The walk's state: the directories opened so far, from the root down, and
 * the resolved path to each (ends[i] is its length at dirs[i]). */
struct walk {
	int dirs[CAPSULE_MAX_DEPTH + 1];
	size_t ends[CAPSULE_MAX_DEPTH + 1];
	size_t depth;
	int links;
	struct buf resolved;
	struct buf todo; /* the path still to resolve */
	size_t pos;      /* where it goes on in todo */
};

static void walk_close(struct walk *w)
{
	while (w->depth > 0)
		close(w->dirs[--w->depth]);
	buf_free(&w->todo);
	buf_free(&w->resolved);
}

/* Replaces the link just met with its target, followed by what remains. */
static bool walk_follow(struct walk *w, const char *name, const char *rest)
{
	char target[4096];
	ssize_t n = readlinkat(w->dirs[w->depth - 1], name, target, sizeof target - 1);
	if (n <= 0 || target[0] == '/' || ++w->links > MAX_LINKS)
		return false; /* absolute targets cannot be checked to stay inside */
	target[n] = '\0';
	struct buf next = {0};
	buf_puts(&next, target);
	if (rest[0] != '\0') {
		buf_putc(&next, '/');
		buf_puts(&next, rest);
	}
	buf_free(&w->todo);
	w->todo = next;
	w->pos = 0;
	return true;
}

/* The resolved path with name added, as it ends at the current directory. */
static void walk_name(struct walk *w, const char *name)
{
	w->resolved.len = w->ends[w->depth - 1];
	if (w->resolved.len > 0)
		buf_putc(&w->resolved, '/');
	buf_puts(&w->resolved, name);
}

/* Copies the resolved path into entry; false when it does not fit. */
static bool walk_answer(const struct walk *w, struct capsule_entry *entry)
{
	if (w->resolved.len >= sizeof entry->path) {
		entry->kind = CAPSULE_MISSING;
		return false;
	}
	memcpy(entry->path, w->resolved.data ? w->resolved.data : "", w->resolved.len);
	entry->path[w->resolved.len] = '\0';
	return true;
}

enum walk_step { STEP_GO_ON, STEP_DONE };

static enum walk_step walk_directory(struct walk *w, int dir, const char *name, const char *path,
                                     struct capsule_entry *entry)
{
	if (w->depth == CAPSULE_MAX_DEPTH + 1) {
		refuse_deep(path, entry);
		return STEP_DONE;
	}
	int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		entry_from_errno(errno, path, entry);
		return STEP_DONE;
	}
	walk_name(w, name);
	w->ends[w->depth] = w->resolved.len;
	w->dirs[w->depth++] = fd;
	return STEP_GO_ON;
}

/* Resolves one component; STEP_DONE when entry holds the answer. */
static enum walk_step walk_component(struct walk *w, const char *path, struct capsule_entry *entry)
{
	char *name = w->todo.data + w->pos;
	size_t len = strcspn(name, "/");
	char *rest = name + len;
	bool trailing_slash = rest[0] == '/';
	rest += strspn(rest, "/");
	w->pos = (size_t)(rest - w->todo.data);
	if (len == 0 || (len == 1 && name[0] == '.'))
		return STEP_GO_ON;
	name[len] = '\0'; /* todo is ours: cut the component out in place */
	int dir = w->dirs[w->depth - 1];
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		if (w->depth == 1) {
			entry_from_errno(EXDEV, path, entry);
			return STEP_DONE;
		}
		close(w->dirs[--w->depth]);
		w->resolved.len = w->ends[w->depth - 1];
		return STEP_GO_ON;
	}
	if (segment_hidden(name, len)) {
		entry->kind = CAPSULE_FORBIDDEN; /* a link's target is held to the request's rule */
		return STEP_DONE;
	}
	struct stat st;
	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		entry_from_errno(errno, path, entry);
		return STEP_DONE;
	}
	if (S_ISLNK(st.st_mode)) {
		if (walk_follow(w, name, rest))
			return STEP_GO_ON;
		entry_from_errno(ELOOP, path, entry);
		return STEP_DONE;
	}
	if (S_ISDIR(st.st_mode))
		return walk_directory(w, dir, name, path, entry);
	if (rest[0] != '\0' || trailing_slash) {
		entry->kind = CAPSULE_MISSING; /* "file/..." names nothing */
		return STEP_DONE;
	}
	walk_name(w, name);
	if (!walk_answer(w, entry))
		return STEP_DONE;
	int fd = openat(dir, name, OPEN_FLAGS | O_NOFOLLOW);
	if (fd < 0)
		entry_from_errno(errno, path, entry);
	else
		entry_from_fd(fd, path, entry);
	return STEP_DONE;
}

void capsule_open_walk(int root_fd, const char *path, struct capsule_entry *entry)
{
	entry_reset(entry);
	const char *rel;
	if (!relative_path(path, &rel, entry))
		return;
	struct walk w = {.depth = 0, .links = 0, .pos = 0};
	int root = openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		entry_from_errno(errno, path, entry);
		return;
	}
	w.ends[w.depth] = 0;
	w.dirs[w.depth++] = root;
	buf_puts(&w.todo, rel);
	while (w.todo.data[w.pos] != '\0') {
		if (walk_component(&w, path, entry) == STEP_DONE) {
			walk_close(&w);
			return;
		}
	}
	/* Every component was a directory: the last one is the answer. */
	w.resolved.len = w.ends[w.depth - 1];
	bool fits = walk_answer(&w, entry);
	int fd = w.dirs[--w.depth];
	walk_close(&w);
	if (!fits) {
		close(fd);
		return;
	}
	entry_from_fd(fd, path, entry);
}

int capsule_read_file(int root_fd, const char *path, size_t limit, struct buf *out,
                      struct capsule_entry *entry)
{
	capsule_open(root_fd, path, entry);
	switch (entry->kind) {
	case CAPSULE_MISSING: return ENOENT;
	case CAPSULE_FORBIDDEN: return EACCES;
	case CAPSULE_DIR:
		close(entry->fd);
		entry->fd = -1;
		return EISDIR;
	case CAPSULE_FILE: break;
	}
	int err = (size_t)entry->size > limit ? EFBIG : buf_read_fd(out, entry->fd, limit);
	close(entry->fd);
	entry->fd = -1;
	return err;
}

int capsule_read_well_known(int root_fd, const char *name, size_t limit, struct buf *out)
{
	int dir = openat(root_fd, ".well-known", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return errno;
	int err = 0;
	int fd = capsule_name_hidden(name) || strchr(name, '/') != NULL
	             ? -1
	             : openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		err = errno != 0 ? errno : ENOENT;
	else if (fstat(fd, &st) != 0)
		err = errno;
	else if (!S_ISREG(st.st_mode))
		err = EACCES;
	else
		err = (size_t)st.st_size > limit ? EFBIG : buf_read_fd(out, fd, limit);
	if (fd >= 0)
		close(fd);
	close(dir);
	return err;
}

struct listed {
	char *name;
	bool is_dir;
};

static int compare_listed(const void *a, const void *b)
{
	return strcmp(((const struct listed *)a)->name, ((const struct listed *)b)->name);
}

/* 1 for a directory, 0 for a regular file, -1 for anything not listed
 * (special files, dangling links). Links are classed by their target. */
static int listed_kind(int dirfd, const struct dirent *de)
{
	if (de->d_type == DT_DIR)
		return 1;
	if (de->d_type == DT_REG)
		return 0;
	if (de->d_type != DT_LNK && de->d_type != DT_UNKNOWN)
		return -1;
	struct stat st;
	if (fstatat(dirfd, de->d_name, &st, 0) != 0)
		return -1;
	if (S_ISDIR(st.st_mode))
		return 1;
	return S_ISREG(st.st_mode) ? 0 : -1;
}

int capsule_list(int dirfd, struct capsule_listing *out)
{
	memset(out, 0, sizeof *out);
	/* A descriptor of our own: readdir moves its offset, and closedir closes it. */
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	DIR *dir = fdopendir(fd);
	if (dir == NULL) {
		close(fd);
		return -1;
	}
	struct listed *items = NULL;
	size_t count = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(dir)) != NULL) {
		if (capsule_name_hidden(de->d_name))
			continue;
		int kind = listed_kind(dirfd, de);
		if (kind < 0)
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 32;
			items = xreallocarray(items, cap, sizeof *items);
		}
		items[count].name = xstrdup(de->d_name);
		items[count].is_dir = kind == 1;
		count++;
	}
	closedir(dir);
	if (count > 0)
		qsort(items, count, sizeof *items, compare_listed);
	out->names = xreallocarray(NULL, count ? count : 1, sizeof *out->names);
	out->is_dir = xreallocarray(NULL, count ? count : 1, sizeof *out->is_dir);
	for (size_t i = 0; i < count; i++) {
		out->names[i] = items[i].name;
		out->is_dir[i] = items[i].is_dir;
	}
	out->count = count;
	free(items);
	return 0;
}

void capsule_listing_free(struct capsule_listing *listing)
{
	for (size_t i = 0; i < listing->count; i++)
		free(listing->names[i]);
	free(listing->names);
	free(listing->is_dir);
	memset(listing, 0, sizeof *listing);
}
