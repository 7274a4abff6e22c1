#ifndef KABAR_LOADER_H
#define KABAR_LOADER_H

#include <stddef.h>

#include "site.h"

/* Starts one loader thread following every site's capsule with inotify;
 * changes are visible within a second. loader_stop joins it. */
int loader_start(struct site **sites, size_t n_sites);
void loader_stop(void);

#endif
