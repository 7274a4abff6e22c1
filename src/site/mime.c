#include "mime.h"

#include "alloc.h"
#include "log.h"
#include "text.h"

#include <magic.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Files remembered per thread; a slot is chosen by inode, so a busy capsule
 * only costs the odd second look, never unbounded memory. */
#define CACHE_SLOTS 256
/* What libmagic is shown of a file: enough for every format it tells apart
 * by content, and read with pread so the descriptor's offset (from where the
 * file is then streamed) does not move. */
#define SNIFF_BYTES 65536

#define FALLBACK_TYPE "application/octet-stream"

struct cached_type {
	dev_t dev;
	ino_t ino;
	off_t size;
	time_t mtime;
	const char *type; /* interned: points into mime_state.types */
};

struct mime_state {
	magic_t cookie;
	bool cookie_failed;
	struct cached_type slots[CACHE_SLOTS];
	/* Every distinct type answered so far: few (libmagic's vocabulary), and
	 * kept until the thread ends, so returned strings stay valid. */
	char **types;
	size_t n_types;
	unsigned char sniff[SNIFF_BYTES];
};

/* Each thread's state hangs off this key, whose destructor frees it when
 * the thread ends, so a thread that never calls mime_thread_done leaks nothing. */
static pthread_key_t state_key;
/* The database read by mime_preload, shared read-only by every cookie. */
static void *preloaded_db;
static size_t preloaded_len;
static pthread_once_t state_key_once = PTHREAD_ONCE_INIT;

static void free_state(void *arg)
{
	struct mime_state *st = arg;
	if (st->cookie != NULL)
		magic_close(st->cookie);
	for (size_t i = 0; i < st->n_types; i++)
		free(st->types[i]);
	free(st->types);
	free(st);
}

static void create_key(void)
{
	if (pthread_key_create(&state_key, free_state) != 0) {
		log_error("mime: cannot create the thread key");
		abort();
	}
}

static struct mime_state *thread_state(void)
{
	pthread_once(&state_key_once, create_key);
	struct mime_state *st = pthread_getspecific(state_key);
	if (st == NULL) {
		st = xcalloc(1, sizeof *st);
		pthread_setspecific(state_key, st);
	}
	return st;
}

static const char *intern(struct mime_state *st, const char *type)
{
	for (size_t i = 0; i < st->n_types; i++) {
		if (strcmp(st->types[i], type) == 0)
			return st->types[i];
	}
	st->types = xreallocarray(st->types, st->n_types + 1, sizeof *st->types);
	st->types[st->n_types] = xstrdup(type);
	return st->types[st->n_types++];
}

static magic_t cookie(struct mime_state *st)
{
	if (st->cookie != NULL || st->cookie_failed)
		return st->cookie;
	st->cookie = magic_open(MAGIC_MIME_TYPE);
	void *dbs[1] = {preloaded_db};
	size_t sizes[1] = {preloaded_len};
	int rc = -1;
	if (st->cookie != NULL)
		rc = preloaded_db ? magic_load_buffers(st->cookie, dbs, sizes, 1)
		                  : magic_load(st->cookie, NULL);
	if (rc == 0)
		return st->cookie;
	log_warn("mime: cannot load the libmagic database (%s); serving %s",
	         st->cookie ? magic_error(st->cookie) : "magic_open failed", FALLBACK_TYPE);
	if (st->cookie != NULL)
		magic_close(st->cookie);
	st->cookie = NULL;
	st->cookie_failed = true;
	return NULL;
}

static const char *sniff(struct mime_state *st, int fd)
{
	magic_t m = cookie(st);
	if (m == NULL)
		return FALLBACK_TYPE;
	ssize_t n = pread(fd, st->sniff, sizeof st->sniff, 0);
	if (n < 0)
		return FALLBACK_TYPE;
	const char *type = magic_buffer(m, st->sniff, (size_t)n);
	return type != NULL ? type : FALLBACK_TYPE;
}

const char *mime_type(int fd, const char *name, dev_t dev, ino_t ino, off_t size, time_t mtime)
{
	const char *ext = text_extension(name);
	if (strcasecmp(ext, "gmi") == 0 || strcasecmp(ext, "gemini") == 0)
		return "text/gemini";
	struct mime_state *state = thread_state();
	struct cached_type *slot = &state->slots[(ino ^ dev) % CACHE_SLOTS];
	if (slot->type != NULL && slot->dev == dev && slot->ino == ino && slot->size == size &&
	    slot->mtime == mtime)
		return slot->type;
	const char *type = intern(state, sniff(state, fd));
	*slot = (struct cached_type){dev, ino, size, mtime, type};
	return type;
}

const char *mime_type_of_bytes(const void *data, size_t len)
{
	struct mime_state *state = thread_state();
	magic_t m = cookie(state);
	const char *type = m ? magic_buffer(m, data, len < SNIFF_BYTES ? len : SNIFF_BYTES) : NULL;
	return intern(state, type != NULL ? type : FALLBACK_TYPE);
}

void mime_thread_done(void)
{
	pthread_once(&state_key_once, create_key);
	struct mime_state *st = pthread_getspecific(state_key);
	if (st == NULL)
		return;
	pthread_setspecific(state_key, NULL);
	free_state(st);
}

/* The compiled database libmagic would load: the first entry of its search
 * path (e.g. "/etc/magic:/usr/share/misc/magic") that has a ".mgc". The
 * others are the local additions in source form, usually empty. */
static char *database_path(void)
{
	const char *paths = magic_getpath(NULL, 0);
	while (paths != NULL && *paths != '\0') {
		size_t len = strcspn(paths, ":");
		char *compiled = xasprintf("%.*s.mgc", (int)len, paths);
		if (access(compiled, R_OK) == 0)
			return compiled;
		free(compiled);
		paths += len + (paths[len] == ':');
	}
	return NULL;
}

int mime_preload(void)
{
	if (preloaded_db != NULL)
		return 0;
	char *path = database_path();
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size <= 0) {
		log_error("mime: cannot read the libmagic database %s", path ? path : "(none)");
		if (fd >= 0)
			close(fd);
		free(path);
		return -1;
	}
	void *db = xmalloc((size_t)st.st_size);
	ssize_t n = pread(fd, db, (size_t)st.st_size, 0);
	close(fd);
	if (n != st.st_size) {
		log_error("mime: cannot read the libmagic database %s", path);
		free(db);
		free(path);
		return -1;
	}
	free(path);
	preloaded_db = db;
	preloaded_len = (size_t)st.st_size;
	return 0;
}
