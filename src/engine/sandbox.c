#include "sandbox.h"

#include "alloc.h"
#include "log.h"
#include "tz.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/landlock.h>
#include <magic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* What later Landlock ABIs added, for kernel headers older than them:
 * the values are fixed by the kernel's ABI. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0) /* ABI 4 */
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif

/* struct landlock_ruleset_attr as of ABI 4; older kernels read only the
 * first field (the size passed says how much there is). */
struct ruleset_attr {
	__u64 handled_access_fs;
	__u64 handled_access_net;
};

/* Rights that apply to a file (the others only make sense on a folder). */
#define FILE_RIGHTS                                                                        \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |                          \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE |                          \
	 LANDLOCK_ACCESS_FS_IOCTL_DEV)
#define READ_RIGHTS (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
/* Writing a new file through a temporary name renamed into place. */
#define CREATE_RIGHTS                                                                      \
	(LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_MAKE_REG |                         \
	 LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE)

/* Every filesystem right the kernel's Landlock ABI knows: all of them are
 * handled, so whatever no rule allows is denied. */
static __u64 fs_rights_of(int abi)
{
	__u64 rights = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1; /* ABI 1 */
	if (abi >= 2)
		rights |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		rights |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		rights |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return rights;
}

struct ruleset {
	int fd;
	__u64 handled;
};

/* What the ruleset in force lets the server read and write beneath (the
 * capsules, the editors' folders), resolved: a reload's settings must fit
 * inside, or wait for a restart. Set once at start, read by reloads. */
struct folders {
	char **paths;
	size_t n;
};
static struct folders readable, writable;
static struct folders prepared_readable, prepared_writable;
static bool confined;

/* path resolved as far as it exists, with the rest appended: a folder an
 * editor may write need not exist yet. NULL when nothing of it resolves. */
static char *resolve(const char *path)
{
	char *real = realpath(path, NULL);
	if (real != NULL)
		return real;
	char *copy = xstrdup(path);
	char *slash = strrchr(copy, '/');
	while (slash != NULL && slash[1] == '\0') { /* "news/" */
		*slash = '\0';
		slash = strrchr(copy, '/');
	}
	char *parent = NULL;
	if (slash != NULL) {
		*slash = '\0';
		char *resolved = copy[0] != '\0' ? resolve(copy) : xstrdup("/");
		if (resolved != NULL)
			parent = xasprintf("%s/%s", resolved, slash + 1);
		free(resolved);
	} else {
		char *cwd = realpath(".", NULL);
		if (cwd != NULL)
			parent = xasprintf("%s/%s", cwd, copy);
		free(cwd);
	}
	free(copy);
	return parent;
}

/* A folder named at start, even one that does not exist yet: the start
 * said it cannot be written until a restart, and a reload of the same
 * settings is no news. */
static void remember(struct folders *f, const char *path)
{
	char *real = resolve(path);
	if (real == NULL)
		return;
	f->paths = xreallocarray(f->paths, f->n + 1, sizeof *f->paths);
	f->paths[f->n++] = real;
}

/* Allows rights beneath path (or on the file path). A path that does not
 * exist is left out: nothing there can be opened anyway. */
static void allow(const struct ruleset *rs, const char *path, __u64 rights)
{
	int fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return;
	struct stat st;
	if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
		rights &= FILE_RIGHTS;
	struct landlock_path_beneath_attr rule = {
		.allowed_access = rights & rs->handled,
		.parent_fd = fd,
	};
	if (rule.allowed_access != 0 &&
	    syscall(SYS_landlock_add_rule, rs->fd, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) != 0)
		log_warn("landlock: cannot allow %s: %s", path, strerror(errno));
	close(fd);
}

/* The folder a file is in. */
static void allow_folder_of(const struct ruleset *rs, const char *file, __u64 rights)
{
	char *copy = xstrdup(file);
	allow(rs, dirname(copy), rights);
	free(copy);
}

/* libmagic's database, which each worker loads when it first needs it:
 * every entry of its search path, compiled (".mgc") or not. */
static void allow_magic(const struct ruleset *rs)
{
	const char *paths = magic_getpath(NULL, 0);
	if (paths == NULL)
		return;
	char *copy = xstrdup(paths);
	char *save = NULL;
	for (char *p = strtok_r(copy, ":", &save); p != NULL; p = strtok_r(NULL, ":", &save)) {
		allow(rs, p, READ_RIGHTS);
		char *compiled = xasprintf("%s.mgc", p);
		allow(rs, compiled, READ_RIGHTS);
		free(compiled);
	}
	free(copy);
}

/* Titan uploads write beneath the editors' folders, and nowhere else in
 * the capsule. A folder that does not exist yet cannot be allowed (nothing
 * there to name): uploads there wait for a restart once it exists. */
static void allow_editors(const struct ruleset *rs, const struct vhost *vh)
{
	for (size_t i = 0; i < vh->n_editors; i++) {
		const struct editor *ed = &vh->editors[i];
		for (size_t k = 0; k < ed->n_paths; k++) {
			char *path = xasprintf("%s/%s", vh->capsule, ed->paths[k]);
			if (access(path, F_OK) != 0)
				log_warn("landlock: %s does not exist: %s cannot upload there until a restart",
				         path, ed->name);
			allow(rs, path, READ_RIGHTS | CREATE_RIGHTS | LANDLOCK_ACCESS_FS_MAKE_DIR);
			remember(&prepared_writable, path);
			free(path);
		}
	}
}

static void allow_config(const struct ruleset *rs, const struct config *cfg)
{
	for (size_t i = 0; i < cfg->n_vhosts; i++) {
		const struct vhost *vh = &cfg->vhosts[i];
		allow(rs, vh->capsule, READ_RIGHTS);
		remember(&prepared_readable, vh->capsule);
		allow_editors(rs, vh);
		/* A file's folder, not the file: a file replaced by rename (sed -i,
		 * an editor's save, ansible) is a new file the rule would miss. */
		if (vh->cert_file != NULL)
			allow_folder_of(rs, vh->cert_file, READ_RIGHTS);
		if (vh->key_file != NULL)
			allow_folder_of(rs, vh->key_file, READ_RIGHTS);
	}
	allow(rs, cfg->certs_dir ? cfg->certs_dir : "certs", READ_RIGHTS | CREATE_RIGHTS);
	if (cfg->ticket_key_file != NULL)
		allow(rs, cfg->ticket_key_file, READ_RIGHTS);
	if (cfg->file != NULL)
		allow_folder_of(rs, cfg->file, READ_RIGHTS);
	/* Named time zones (Europe/Berlin), read again by a reload. */
	allow(rs, tz_dir(), READ_RIGHTS);
	if (cfg->access_log != NULL)
		allow_folder_of(rs, cfg->access_log,
		                LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_MAKE_REG);
	allow_magic(rs);
	/* The process's own folder in /proc, which the link resolves to: the
	 * C library and the sanitizers read their threads and maps there. */
	allow(rs, "/proc/self", READ_RIGHTS);
}

int sandbox_prepare(const struct config *cfg)
{
	int abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
	                       LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0) {
		log_info("landlock: not available on this kernel (%s); serving without it",
		         strerror(errno));
		return -1;
	}
	struct ruleset_attr attr = {.handled_access_fs = fs_rights_of(abi)};
	size_t size = sizeof attr;
	if (abi >= 4)
		attr.handled_access_net = LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP;
	else
		size = offsetof(struct ruleset_attr, handled_access_net);
	struct ruleset rs = {.handled = attr.handled_access_fs};
	rs.fd = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (rs.fd < 0) {
		log_warn("landlock: cannot create a ruleset: %s", strerror(errno));
		return -1;
	}
	allow_config(&rs, cfg);
	return rs.fd;
}

int sandbox_enforce(int ruleset_fd)
{
	if (ruleset_fd < 0)
		return 0;
	int rc = (int)syscall(SYS_landlock_restrict_self, ruleset_fd, 0);
	int err = errno;
	close(ruleset_fd);
	if (rc != 0) {
		log_error("landlock: cannot restrict the server: %s", strerror(err));
		return -1;
	}
	readable = prepared_readable;
	writable = prepared_writable;
	confined = true;
	return 0;
}

static bool beneath_one(const struct folders *f, const char *path)
{
	char *real = resolve(path);
	bool inside = false;
	for (size_t i = 0; real != NULL && i < f->n && !inside; i++) {
		size_t len = strlen(f->paths[i]);
		inside = strncmp(real, f->paths[i], len) == 0 &&
		         (real[len] == '/' || real[len] == '\0' || len == 1);
	}
	free(real);
	return inside;
}

bool sandbox_covers(const struct config *cfg, struct buf *why)
{
	bool covered = true;
	if (!confined)
		return true;
	for (size_t i = 0; i < cfg->n_vhosts; i++) {
		const struct vhost *vh = &cfg->vhosts[i];
		if (!beneath_one(&readable, vh->capsule)) {
			buf_printf(why, "%s: capsule %s is outside what the server may read since it started: it needs a restart\n",
			           vh->names[0], vh->capsule);
			covered = false;
		}
		for (size_t e = 0; e < vh->n_editors; e++) {
			const struct editor *ed = &vh->editors[e];
			for (size_t k = 0; k < ed->n_paths; k++) {
				char *path = xasprintf("%s/%s", vh->capsule, ed->paths[k]);
				if (!beneath_one(&writable, path)) {
					buf_printf(why, "%s: editor %s: %s was not writable when the server started: uploads there need a restart\n",
					           vh->names[0], ed->name, path);
					covered = false;
				}
				free(path);
			}
		}
	}
	return covered;
}
