#include "site.h"

#include "alloc.h"
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
 * that long. KABAR_PROGRESS_MS changes the interval, for tests only. */
enum { PROGRESS_MS = 2000 };

struct load_progress {
	const char *host;
	int64_t started_ms;
	int64_t last_ms;
	int64_t interval_ms;
};

static int64_t progress_interval(void)
{
	const char *text = getenv("KABAR_PROGRESS_MS");
	long ms = text != NULL ? strtol(text, NULL, 10) : 0;
	return ms > 0 ? ms : PROGRESS_MS;
}

static void report_progress(void *arg, size_t read, size_t total)
{
	struct load_progress *p = arg;
	int64_t now = monotonic_ms();
	if (now - p->last_ms < p->interval_ms)
		return;
	p->last_ms = now;
	log_info("%s: loading: %zu of %zu articles read, %lld s", p->host, read, total,
	         (long long)((now - p->started_ms) / 1000));
}

static int scan_threads(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (cores < 1)
		return 1;
	return cores > MAX_SCAN_THREADS ? MAX_SCAN_THREADS : (int)cores;
}

static const char *host_name(const struct site *site)
{
	return site->vhost->names ? site->vhost->names[0] : "capsule";
}

void site_load(struct site *site)
{
	struct log_load_mark mark = log_load_begin();
	struct load_progress progress = {.host = host_name(site), .started_ms = mark.started_ms,
	                                 .last_ms = mark.started_ms,
	                                 .interval_ms = progress_interval()};
	struct scan_settings scan = {.threads = scan_threads(), .progress = report_progress,
	                             .arg = &progress};
	snapshot_builder_set_scan(site->builder, &scan);
	struct snapshot *snap = snapshot_scan(site->builder, NULL);
	/* Later scans (the loader's) read on as many threads, silently. */
	scan.progress = NULL;
	scan.arg = NULL;
	snapshot_builder_set_scan(site->builder, &scan);
	snap->cache = page_cache_new();
	atomic_store(&site->current, snap);
	log_load_done(site->vhost->names ? site->vhost->names[0] : NULL, "loaded", snap->n_articles,
	              snapshot_refused(snap), mark);
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
