#include "site.h"

#include "alloc.h"
#include "capsule.h"
#include "clock.h"
#include "log.h"
#include "pagecache.h"
#include "snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Lock-free reading. A request loads the current pointer and then takes a
 * reference; between those two steps the loader could swap in a new
 * snapshot and drop the last reference to the old one, freeing it under
 * the reader. So a reader announces itself in readers for those few
 * instructions, and the loader, after swapping, waits once until readers
 * has been zero: every reader that could have loaded the old pointer has
 * then taken its reference, and any later one loads the new pointer. The
 * read path is two atomic adds and a load; only the (rare) publisher waits,
 * and only for a window a few instructions long.
 */
struct site {
	const struct vhost *vhost;
	int root_fd;
	struct snapshot_builder *builder;
	_Atomic(struct snapshot *) current;
	atomic_size_t readers;
	bool loading; /* between site_begin_loading and site_finish_loading */
};

struct site *site_open(const struct vhost *vh, struct buf *errors)
{
	int fd = open(vh->capsule, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		buf_printf(errors, "capsule %s: %s\n", vh->capsule, strerror(errno));
		return NULL;
	}
	struct site *site = xcalloc(1, sizeof *site);
	site->vhost = vh;
	site->root_fd = fd;
	site->builder = snapshot_builder_new(vh, fd);
	atomic_init(&site->readers, 0);
	atomic_init(&site->current, NULL);
	return site;
}

/* Threads that parse articles during a scan: one per core, a few at most
 * (the files' reading and the filing on the loader thread soon limit). */
enum { MAX_SCAN_THREADS = 8 };

/* A first load tells how far it got every PROGRESS_MS once it has taken
 * that long; KABAR_PROGRESS_MS changes the interval. A load that serves as
 * it grows publishes what it has read after its first stretch of files,
 * then at intervals from PARTIAL_FIRST_MS doubling up to PARTIAL_MAX_MS,
 * so that rebuilding the growing snapshot stays a small part of the work.
 * KABAR_LOAD_PAUSE_MS pauses the load that long after every few dozen
 * files. Both variables are for tests only. */
enum { PROGRESS_MS = 2000, PARTIAL_FIRST_MS = 1000, PARTIAL_MAX_MS = 16000 };

struct first_load {
	struct site *site;
	int64_t started_ms;
	int64_t last_progress_ms;
	int64_t progress_ms;
	int64_t pause_ms;
	int64_t last_partial_ms;
	int64_t partial_ms; /* 0 before the first partial snapshot */
	size_t warnings_at;  /* before a partial snapshot is built */
	size_t partial_warnings; /* said again by every partial snapshot: not counted */
};

static int64_t env_ms(const char *name, int64_t fallback)
{
	const char *text = getenv(name);
	long ms = text != NULL ? strtol(text, NULL, 10) : 0;
	return ms > 0 ? ms : fallback;
}

static const char *host_name(const struct site *site)
{
	return site->vhost->names ? site->vhost->names[0] : "capsule";
}

static void report_progress(void *arg, size_t read, size_t total)
{
	struct first_load *load = arg;
	if (load->pause_ms > 0)
		usleep((useconds_t)load->pause_ms * 1000);
	int64_t now = monotonic_ms();
	if (now - load->last_progress_ms < load->progress_ms)
		return;
	load->last_progress_ms = now;
	log_info("%s: loading: %zu of %zu articles read, %lld s", host_name(load->site), read, total,
	         (long long)((now - load->started_ms) / 1000));
}

static bool partial_due(void *arg)
{
	struct first_load *load = arg;
	int64_t now = monotonic_ms();
	if (load->partial_ms > 0 && now - load->last_partial_ms < load->partial_ms)
		return false;
	load->partial_ms = load->partial_ms == 0 ? PARTIAL_FIRST_MS
	                   : load->partial_ms * 2 < PARTIAL_MAX_MS ? load->partial_ms * 2
	                                                           : PARTIAL_MAX_MS;
	load->warnings_at = log_load_begin().warnings;
	return true;
}

static void publish_partial(void *arg, struct snapshot *snap, size_t read, size_t total)
{
	struct first_load *load = arg;
	load->partial_warnings += log_load_begin().warnings - load->warnings_at;
	snap->load.loading = true;
	snap->load.read = read;
	snap->load.total = total;
	site_publish(load->site, snap);
	load->last_partial_ms = monotonic_ms();
}

static int scan_threads(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (cores < 1)
		return 1;
	return cores > MAX_SCAN_THREADS ? MAX_SCAN_THREADS : (int)cores;
}

/* The first scan of the site's capsule, told as it goes; with growing,
 * published as it grows. The scans after it read on as many threads,
 * silently. */
static struct snapshot *first_scan(struct site *site, bool growing, const atomic_bool *stop)
{
	struct log_load_mark mark = log_load_begin();
	struct first_load load = {
		.site = site,
		.started_ms = mark.started_ms,
		.last_progress_ms = mark.started_ms,
		.progress_ms = env_ms("KABAR_PROGRESS_MS", PROGRESS_MS),
		.pause_ms = env_ms("KABAR_LOAD_PAUSE_MS", 0),
	};
	struct scan_settings scan = {.threads = scan_threads(), .progress = report_progress,
	                             .arg = &load, .stop = stop};
	if (growing) {
		scan.partial_due = partial_due;
		scan.publish = publish_partial;
	}
	snapshot_builder_set_scan(site->builder, &scan);
	struct snapshot *snap = snapshot_scan(site->builder, NULL);
	snapshot_builder_set_scan(site->builder, &(struct scan_settings){.threads = scan.threads});
	mark.warnings += load.partial_warnings;
	bool stopped = stop != NULL && atomic_load(stop);
	log_load_done(host_name(site), stopped ? "stopped loading" : "loaded", snap->n_articles,
	              snapshot_refused(snap), mark);
	return snap;
}

void site_load(struct site *site)
{
	struct snapshot *snap = first_scan(site, false, NULL);
	snap->cache = page_cache_new();
	atomic_store(&site->current, snap);
}

void site_begin_loading(struct site *site)
{
	struct snapshot *snap = snapshot_empty(site->builder);
	snap->load.loading = true;
	snap->cache = page_cache_new();
	atomic_store(&site->current, snap);
	site->loading = true;
}

bool site_loading(const struct site *site)
{
	return site->loading;
}

void site_finish_loading(struct site *site, const atomic_bool *stop)
{
	site_publish(site, first_scan(site, true, stop));
	site->loading = false;
}

/* Only once the loader is stopped and no request holds a snapshot. */
void site_close(struct site *site)
{
	if (site == NULL)
		return;
	snapshot_drop(atomic_load(&site->current));
	snapshot_builder_free(site->builder);
	close(site->root_fd);
	free(site);
}

int site_root_fd(const struct site *site)
{
	return site->root_fd;
}

void site_open_file(const struct site *site, const struct snapshot *snap, const char *path,
                    struct capsule_entry *entry)
{
	capsule_open(site->root_fd, path, entry);
	if (!snapshot_hides_entry(snap, entry))
		return;
	close(entry->fd);
	entry->fd = -1;
	entry->kind = CAPSULE_FORBIDDEN;
}

int site_read_well_known(const struct site *site, const char *name, size_t limit, struct buf *out)
{
	return capsule_read_well_known(site->root_fd, name, limit, out);
}

struct snapshot *site_acquire(struct site *site)
{
	atomic_fetch_add(&site->readers, 1);
	struct snapshot *snap = atomic_load(&site->current);
	snapshot_hold(snap);
	atomic_fetch_sub(&site->readers, 1);
	return snap;
}

void site_release(struct site *site, struct snapshot *snap)
{
	(void)site;
	snapshot_drop(snap);
}

struct snapshot_builder *site_builder(struct site *site)
{
	return site->builder;
}

void site_publish(struct site *site, struct snapshot *snap)
{
	/* Not yet seen by any request: the last moment it may change. */
	snap->cache = page_cache_new();
	struct snapshot *old = atomic_exchange(&site->current, snap);
	while (atomic_load(&site->readers) != 0)
		sched_yield();
	snapshot_drop(old);
}
