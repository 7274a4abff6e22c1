#ifndef KABAR_CAPSULE_H
#define KABAR_CAPSULE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/*
 * The capsule's files, reached only from inside it: no path, encoded or not,
 * and no symlink ever leads out. Used by both front-ends for everything that
 * is not a site route.
 */

/* The deepest folder the loader reads, and so the deepest anything may be
 * written or served from. */
enum { CAPSULE_MAX_DEPTH = 32 };

enum capsule_kind {
	CAPSULE_FILE,
	CAPSULE_DIR,
	CAPSULE_MISSING,   /* nothing there */
	CAPSULE_FORBIDDEN, /* hidden (dotfile, editor leftover), special file,
	                      unreadable, or a link leading out */
};

struct capsule_entry {
	enum capsule_kind kind;
	int fd;       /* open (O_RDONLY) for FILE and DIR, else -1; the caller closes it */
	off_t size;
	time_t mtime;
	dev_t dev;    /* with ino: the file's identity, for caches (mime.h) */
	ino_t ino;
};

/*
 * root_fd is the capsule directory, opened before privileges were dropped
 * (so the capsule's parent folders need not be readable by the service
 * user). path: percent-decoded and normalised, starting with '/'. Resolution
 * stays beneath root_fd (openat2 RESOLVE_BENEATH or an equivalent walk).
 */
void capsule_open(int root_fd, const char *path, struct capsule_entry *entry);

/* The component-by-component walk capsule_open falls back to where openat2
 * is missing (old kernels, seccomp): O_NOFOLLOW at every step, symlinks
 * followed only while they stay inside. Public so tests cover it too. */
void capsule_open_walk(int root_fd, const char *path, struct capsule_entry *entry);

/* Dotfiles and editor leftovers ("*~", "*.swp", "#*#", ...). */
bool capsule_name_hidden(const char *name);

/* A directory's visible entries, sorted by name; directories flagged. */
struct capsule_listing {
	char **names;
	bool *is_dir;
	size_t count;
};

/* Takes no ownership of dirfd. Returns 0, or -1 if it cannot be read. */
int capsule_list(int dirfd, struct capsule_listing *out);
void capsule_listing_free(struct capsule_listing *listing);

#endif
