#ifndef KABAR_CAPSULE_H
#define KABAR_CAPSULE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"

/*
 * The capsule's files, reached only from inside it: no path, encoded or not,
 * and no symlink ever leads out. The one way to open a capsule file, for
 * the snapshot builder, the loader and `kabar check`, and beneath
 * site_open_file (site.h) for the front-ends, so that they all follow one
 * rule: links are followed while they stay inside, and the hidden-name and
 * depth rules apply to where the file really is.
 */

/* The most folders a file may lie beneath the capsule's root in ("news/a/b.md"
 * is 2): deeper is neither read nor served. */
#define CAPSULE_MAX_DEPTH 32
/* The longest resolved path an entry holds; longer ones name nothing. */
#define CAPSULE_PATH_MAX 4096

enum capsule_kind {
	CAPSULE_FILE,
	CAPSULE_DIR,
	CAPSULE_MISSING,   /* nothing there */
	CAPSULE_FORBIDDEN, /* hidden (dotfile, editor leftover) or reached by a
	                      link to one, special file, unreadable, deeper than
	                      CAPSULE_MAX_DEPTH, or a link leading out */
};

struct capsule_entry {
	enum capsule_kind kind;
	int fd;       /* open (O_RDONLY) for FILE and DIR, else -1; the caller closes it */
	off_t size;
	time_t mtime;
	long mtime_nsec; /* with mtime, tells a file rewritten within a second */
	dev_t dev;    /* with ino: the file's identity, for caches (mime.h) */
	ino_t ino;
	/* Where it really is: the path beneath the capsule once every link was
	 * followed, without a leading '/' ("" for the root). Whether a file may
	 * be served is decided on this and on (dev, ino), never on the spelling
	 * of the request. */
	char path[CAPSULE_PATH_MAX];
};

/*
 * root_fd is the capsule directory, opened before privileges were dropped
 * (so the capsule's parent folders need not be readable by the service
 * user). path: percent-decoded and normalised, starting with '/'. A path
 * without links is opened by openat2 (RESOLVE_BENEATH, no links at all);
 * one that meets a link is resolved by the walk below. Forbidden: a hidden
 * name anywhere on the resolved path, more than CAPSULE_MAX_DEPTH folders,
 * a link leading out, a loop, anything but a file or a directory.
 */
void capsule_open(int root_fd, const char *path, struct capsule_entry *entry);

/* The component-by-component walk: O_NOFOLLOW at every step, symlinks
 * followed only while they stay inside, the resolved path kept as it goes.
 * capsule_open uses it for paths with links and where openat2 is missing
 * (old kernels, seccomp). Public so tests cover it too. */
void capsule_open_walk(int root_fd, const char *path, struct capsule_entry *entry);

/*
 * Reads the regular file at path (as capsule_open finds it) whole into out.
 * Returns 0, or an errno value: ENOENT (nothing there), EACCES (forbidden),
 * EISDIR (a directory), EFBIG (more than limit bytes) or a read error.
 * entry describes the file whenever it was opened, too large ones included;
 * its descriptor is closed.
 */
int capsule_read_file(int root_fd, const char *path, size_t limit, struct buf *out,
                      struct capsule_entry *entry);

/*
 * The one way past the hidden-name rule: a file named name (no '/', not
 * hidden) directly in the capsule's .well-known folder (RFC 8615), neither
 * of them a link, read whole into out. 0, or an errno value as
 * capsule_read_file gives.
 */
int capsule_read_well_known(int root_fd, const char *name, size_t limit, struct buf *out);

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
