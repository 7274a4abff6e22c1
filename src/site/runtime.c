#include "runtime.h"

#include "alloc.h"
#include "site.h"

#include <stdlib.h>
#include <string.h>

int runtime_open(struct runtime *rt, struct config *cfg, struct buf *errors)
{
	bool failed = false;
	rt->config = *cfg;
	memset(cfg, 0, sizeof *cfg);
	rt->n_sites = rt->config.n_vhosts;
	rt->sites = xcalloc(rt->n_sites, sizeof *rt->sites);
	/* Every site is tried, so one run reports every capsule that fails. */
	for (size_t i = 0; i < rt->n_sites; i++) {
		rt->sites[i] = site_open(&rt->config.vhosts[i], errors);
		if (rt->sites[i] == NULL)
			failed = true;
	}
	if (!failed)
		return 0;
	runtime_close(rt);
	return -1;
}

void runtime_close(struct runtime *rt)
{
	for (size_t i = 0; i < rt->n_sites; i++) {
		if (rt->sites[i] != NULL)
			site_close(rt->sites[i]);
	}
	free(rt->sites);
	config_free(&rt->config);
	memset(rt, 0, sizeof *rt);
}

struct runtime *runtime_load(const struct config_overrides *over, struct buf *errors)
{
	struct config cfg;
	struct runtime *rt;
	if (config_load(&cfg, over, errors) < 0)
		return NULL;
	rt = xmalloc(sizeof *rt);
	if (runtime_open(rt, &cfg, errors) < 0) {
		free(rt);
		return NULL;
	}
	return rt;
}

void runtime_read_capsules(struct runtime *rt)
{
	for (size_t i = 0; i < rt->n_sites; i++)
		site_load(rt->sites[i]);
}

void runtime_begin_loading(struct runtime *rt)
{
	for (size_t i = 0; i < rt->n_sites; i++)
		site_begin_loading(rt->sites[i]);
}

void runtime_free(struct runtime *rt)
{
	if (rt == NULL)
		return;
	runtime_close(rt);
	free(rt);
}

int runtime_find_host(const struct runtime *rt, const char *host)
{
	const struct vhost *vh = config_find_vhost(&rt->config, host);
	if (vh == NULL)
		return -1;
	return (int)(vh - rt->config.vhosts);
}
