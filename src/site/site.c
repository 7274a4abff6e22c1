#include "site.h"

#include "alloc.h"
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

void site_load(struct site *site)
{
	struct log_load_mark mark = log_load_begin();
	struct snapshot *snap = snapshot_scan(site->builder, NULL);
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
