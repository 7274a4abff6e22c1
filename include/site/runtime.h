#ifndef KABAR_RUNTIME_H
#define KABAR_RUNTIME_H

#include <stddef.h>

#include "buf.h"
#include "config.h"

struct site;

/*
 * Everything a request is served from: the configuration in force and one
 * site (capsule content with its current snapshot) per virtual host. A
 * reload (SIGHUP) builds a new runtime and swaps it in; connections keep the
 * one they started on.
 */
struct runtime {
	struct config config;
	struct site **sites; /* sites[i] serves config.vhosts[i] */
	size_t n_sites;
};

/* Takes ownership of cfg and loads every site. -1 with lines in errors. */
int runtime_open(struct runtime *rt, struct config *cfg, struct buf *errors);
void runtime_close(struct runtime *rt);

/*
 * A runtime on the heap, as the server takes it: config_load with over, then
 * runtime_open. NULL with lines in errors. runtime_free closes and frees it
 * (the server calls it when a reload retires a runtime and at exit).
 */
struct runtime *runtime_load(const struct config_overrides *over, struct buf *errors);
void runtime_free(struct runtime *rt);

/* Reads every site's capsule into its first snapshot (site_load): what a
 * reload does before the new runtime serves. Called once the server runs
 * unprivileged, so that no article is read with rights it gives up. */
void runtime_read_capsules(struct runtime *rt);

/* Instead, on a server's first start: every site answers at once while
 * the loader reads its capsule (site_begin_loading). */
void runtime_begin_loading(struct runtime *rt);

/* Index of the virtual host answering to host (case-insensitive, trailing
 * dot ignored); host NULL gives 0, the default host; -1 if none answers. */
int runtime_find_host(const struct runtime *rt, const char *host);

#endif
