#include "loader.h"

#include "alloc.h"
#include "capsule.h"
#include "clock.h"
#include "log.h"
#include "snapshot.h"
#include "snapshot_files.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * The loader: one thread, one inotify descriptor for every site. It
 * watches each capsule's root (for index.gmi and a news/ folder appearing)
 * and every folder under news/. Only complete files count: a file closed
 * after writing, or renamed into place; an editor's swap files and
 * dotfiles are ignored. Events are gathered until the capsule has been
 * quiet for QUIET_MS (at most MAX_WAIT_MS after the first), so a burst of
 * thousands of files becomes one new snapshot, and a single change is
 * published within about QUIET_MS. The quiet period is short because
 * batching does not depend on it alone: whatever arrives while a snapshot
 * is being built is gathered into the next one.
 */
enum { QUIET_MS = 20, MAX_WAIT_MS = 400 };

#define WATCH_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE)

struct watch {
	struct site *site; /* NULL: slot unused */
	size_t site_index;
	char *path;        /* relative to the capsule, "" for its root */
};

struct pending {
	char **paths;
	size_t n;
	bool rescan;
};

struct loader {
	bool running;
	pthread_t thread;
	int inotify_fd;
	int stop_fd;
	struct site **sites;
	size_t n_sites;
	struct watch *watches; /* indexed by watch descriptor */
	size_t n_watches;
	struct pending *pending; /* one per site */
	bool dirty;
};

static struct loader loader = {.inotify_fd = -1, .stop_fd = -1};
/* Set by loader_stop: a first load under way stops reading at once. */
static atomic_bool stopping;

/* ---- Watches ---- */

static void watch_forget(int wd)
{
	if (wd < 0 || (size_t)wd >= loader.n_watches || loader.watches[wd].site == NULL)
		return;
	free(loader.watches[wd].path);
	loader.watches[wd].path = NULL;
	loader.watches[wd].site = NULL;
}

static void watch_record(int wd, size_t site_index, const char *path)
{
	if ((size_t)wd >= loader.n_watches) {
		size_t n = (size_t)wd * 2 + 16;
		loader.watches = xreallocarray(loader.watches, n, sizeof *loader.watches);
		memset(loader.watches + loader.n_watches, 0, (n - loader.n_watches) * sizeof *loader.watches);
		loader.n_watches = n;
	}
	watch_forget(wd); /* the same folder again (a rescan): the new name wins */
	loader.watches[wd].site = loader.sites[site_index];
	loader.watches[wd].site_index = site_index;
	loader.watches[wd].path = xstrdup(path);
}

/*
 * Watches the folder dirfd (named path) through /proc/self/fd, so the
 * watch is placed on the folder that was opened beneath the capsule and
 * not on whatever a path names, and it works after privileges are dropped
 * (the process must stay dumpable for /proc/self/fd to stay readable).
 */
/* Without /proc (chroot: true, the capsule is "/"): the folder by its path
 * inside the chroot, when that names the very folder dirfd is. */
static int watch_in_chroot(int dirfd, const char *path)
{
	char *inside = xasprintf("/%s", path);
	struct stat by_fd, by_path;
	int wd = -1;
	if (fstat(dirfd, &by_fd) == 0 && stat(inside, &by_path) == 0 &&
	    by_fd.st_dev == by_path.st_dev && by_fd.st_ino == by_path.st_ino)
		wd = inotify_add_watch(loader.inotify_fd, inside, WATCH_MASK | IN_ONLYDIR);
	free(inside);
	return wd;
}

static void watch_fd(size_t site_index, int dirfd, const char *path)
{
	char proc[64];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", dirfd);
	int wd = inotify_add_watch(loader.inotify_fd, proc, WATCH_MASK | IN_ONLYDIR);
	if (wd < 0 && errno == ENOENT)
		wd = watch_in_chroot(dirfd, path);
	if (wd < 0) {
		log_warn("%s: cannot watch: %s", path[0] ? path : "capsule", strerror(errno));
		return;
	}
	watch_record(wd, site_index, path);
}

/* Watches path (a folder under news/) and every folder beneath it, as the
 * scanner reads them: where they really are (no link followed), and none
 * deeper than capsule_open opens. */
static void watch_tree(size_t site_index, const char *path)
{
	char *url = xasprintf("/%s", path);
	struct capsule_entry entry;
	capsule_open(site_root_fd(loader.sites[site_index]), url, &entry);
	free(url);
	if (entry.kind != CAPSULE_DIR || strcmp(entry.path, path) != 0) {
		if (entry.fd >= 0)
			close(entry.fd);
		return;
	}
	watch_fd(site_index, entry.fd, path);
	struct capsule_listing listing;
	if (capsule_list(entry.fd, &listing) == 0) {
		for (size_t i = 0; i < listing.count; i++) {
			if (!listing.is_dir[i])
				continue;
			char *child = xasprintf("%s/%s", path, listing.names[i]);
			watch_tree(site_index, child);
			free(child);
		}
		capsule_listing_free(&listing);
	}
	close(entry.fd);
}

static void watch_site(size_t site_index)
{
	watch_fd(site_index, site_root_fd(loader.sites[site_index]), "");
	watch_tree(site_index, "news");
}

static bool is_or_under(const char *path, const char *dir)
{
	size_t len = strlen(dir);
	return strncmp(path, dir, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

/* A folder moved away: its watches (and those beneath) would report
 * under a name that no longer exists. */
static void unwatch_tree(struct site *site, const char *path)
{
	for (size_t wd = 0; wd < loader.n_watches; wd++) {
		struct watch *w = &loader.watches[wd];
		if (w->site != site || !is_or_under(w->path, path))
			continue;
		inotify_rm_watch(loader.inotify_fd, (int)wd);
		watch_forget((int)wd);
	}
}

/* ---- Events ---- */

static void pending_add(size_t site_index, char *path)
{
	struct pending *p = &loader.pending[site_index];
	p->paths = xgrowarray(p->paths, p->n, sizeof *p->paths);
	p->paths[p->n++] = path;
	loader.dirty = true;
}

static void pending_clear(struct pending *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->paths[i]);
	free(p->paths);
	p->paths = NULL;
	p->n = 0;
	p->rescan = false;
}

static void handle_event(const struct inotify_event *ev)
{
	if (ev->mask & IN_Q_OVERFLOW) {
		/* Events were lost: look at everything again. */
		for (size_t i = 0; i < loader.n_sites; i++)
			loader.pending[i].rescan = true;
		loader.dirty = true;
		return;
	}
	if (ev->wd < 0 || (size_t)ev->wd >= loader.n_watches || loader.watches[ev->wd].site == NULL)
		return;
	struct watch *w = &loader.watches[ev->wd];
	if (ev->mask & IN_IGNORED) {
		watch_forget(ev->wd);
		return;
	}
	if (ev->len == 0 || capsule_name_hidden(ev->name))
		return;
	bool is_dir = (ev->mask & IN_ISDIR) != 0;
	if (!is_dir && (ev->mask & IN_CREATE))
		return; /* not complete yet: IN_CLOSE_WRITE follows */
	char *path = w->path[0] ? xasprintf("%s/%s", w->path, ev->name) : xstrdup(ev->name);
	if (!snapshot_path_matters(path, is_dir)) {
		free(path);
		return;
	}
	size_t site_index = w->site_index;
	if (is_dir && (ev->mask & (IN_CREATE | IN_MOVED_TO)))
		watch_tree(site_index, path); /* before it is walked: nothing slips by */
	if (is_dir && (ev->mask & IN_MOVED_FROM))
		unwatch_tree(loader.sites[site_index], path);
	pending_add(site_index, path);
}

/* Reads every queued event; returns -1 when the descriptor failed. */
static int read_events(void)
{
	char buffer[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
	for (;;) {
		ssize_t n = read(loader.inotify_fd, buffer, sizeof buffer);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		for (char *p = buffer; p < buffer + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			handle_event(ev);
			p += sizeof *ev + ev->len;
		}
	}
}

/* ---- Publishing ---- */

static void refresh_site(size_t site_index)
{
	struct site *site = loader.sites[site_index];
	struct pending *p = &loader.pending[site_index];
	if (!p->rescan && p->n == 0)
		return;
	if (site_loading(site)) {
		/* A first load: watched before it walks, so it misses nothing. */
		watch_site(site_index);
		site_finish_loading(site, &stopping);
		pending_clear(p);
		return;
	}
	struct log_load_mark mark = log_load_begin();
	struct snapshot *current = site_acquire(site);
	struct snapshot *next;
	if (p->rescan) {
		watch_site(site_index);
		next = snapshot_scan(site_builder(site), current);
	} else {
		next = snapshot_update(site_builder(site), current, p->paths, p->n);
	}
	site_release(site, current);
	const struct vhost *vh = next->vhost;
	log_load_done(vh->names ? vh->names[0] : NULL, "updated", next->n_articles,
	              snapshot_refused(next), mark);
	site_publish(site, next);
	pending_clear(p);
}

static void refresh_all(void)
{
	bool first_load = false;
	for (size_t i = 0; i < loader.n_sites; i++) {
		first_load = first_load || site_loading(loader.sites[i]);
		refresh_site(i);
	}
	loader.dirty = false;
	/* One line once every host is whole (each said its own "loaded"). */
	if (first_load && !atomic_load(&stopping))
		log_info("first load done for every host");
}

/* When the gathered events are due: once the capsule has been quiet for
 * QUIET_MS, or MAX_WAIT_MS after the first, whichever comes first. */
static long long due_ms(long long first, long long last)
{
	return last + QUIET_MS < first + MAX_WAIT_MS ? last + QUIET_MS : first + MAX_WAIT_MS;
}

static void *loader_main(void *arg)
{
	(void)arg;
	long long first = 0, last = 0;
	for (;;) {
		int timeout = -1;
		if (loader.dirty) {
			long long left = due_ms(first, last) - monotonic_ms();
			timeout = left > 0 ? (int)left : 0;
		}
		struct pollfd fds[2] = {
			{.fd = loader.stop_fd, .events = POLLIN},
			{.fd = loader.inotify_fd, .events = POLLIN},
		};
		int ready = poll(fds, 2, timeout);
		if (ready < 0 && errno != EINTR) {
			log_error("loader: poll: %s", strerror(errno));
			break;
		}
		if (ready > 0 && fds[0].revents)
			break;
		bool was_dirty = loader.dirty;
		if (ready > 0 && (fds[1].revents & POLLIN) && read_events() < 0) {
			log_error("loader: reading inotify events: %s", strerror(errno));
			break;
		}
		long long now = monotonic_ms();
		if (loader.dirty && !was_dirty)
			first = now;
		if (loader.dirty && ready > 0)
			last = now;
		if (loader.dirty && now >= due_ms(first, last))
			refresh_all();
	}
	return NULL;
}

/* ---- Start and stop ---- */

static void loader_free(void)
{
	for (size_t wd = 0; wd < loader.n_watches; wd++)
		watch_forget((int)wd);
	free(loader.watches);
	for (size_t i = 0; i < loader.n_sites; i++)
		pending_clear(&loader.pending[i]);
	free(loader.pending);
	if (loader.inotify_fd >= 0)
		close(loader.inotify_fd);
	if (loader.stop_fd >= 0)
		close(loader.stop_fd);
	loader = (struct loader){.inotify_fd = -1, .stop_fd = -1};
}

int loader_start(struct site **sites, size_t n_sites)
{
	if (loader.running)
		return -1;
	loader.inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	loader.stop_fd = eventfd(0, EFD_CLOEXEC);
	if (loader.inotify_fd < 0 || loader.stop_fd < 0) {
		log_error("loader: %s", strerror(errno));
		loader_free();
		return -1;
	}
	loader.sites = sites;
	loader.n_sites = n_sites;
	loader.pending = xcalloc(n_sites ? n_sites : 1, sizeof *loader.pending);
	/* Watch first, then look: a file that arrived before its folder was
	 * watched is not missed. The thread does it as its first step: a
	 * site still loading (site_begin_loading) is read then, while the
	 * server answers; a loaded one (site_load) is looked at again. */
	for (size_t i = 0; i < n_sites; i++)
		loader.pending[i].rescan = true;
	loader.dirty = true;
	int err = pthread_create(&loader.thread, NULL, loader_main, NULL);
	if (err != 0) {
		log_error("loader: cannot start its thread: %s", strerror(err));
		loader_free();
		return -1;
	}
	loader.running = true;
	return 0;
}

void loader_stop(void)
{
	if (!loader.running)
		return;
	atomic_store(&stopping, true);
	uint64_t one = 1;
	if (write(loader.stop_fd, &one, sizeof one) != (ssize_t)sizeof one)
		log_error("loader: cannot signal its thread: %s", strerror(errno));
	pthread_join(loader.thread, NULL);
	loader_free();
	atomic_store(&stopping, false);
}
