#ifndef KABAR_SNAPSHOT_PATHS_H
#define KABAR_SNAPSHOT_PATHS_H

/*
 * For the snapshot's modules only (snapshot_types.h): the tables a
 * snapshot finds things by. The path table takes a URL path (an article's
 * own or an alias) to its article; the identities say which files are
 * article sources, whatever name they are reached by.
 */

#include <stdbool.h>
#include <sys/types.h>

#include "snapshot_types.h"

/* From f's listed articles and redirects. */
void paths_build(struct snapshot_full *f);
/* The same table, from prev's and changes (snapshot_types.h); f's
 * listing and redirects are built already. */
void paths_update(struct snapshot_full *f, const struct snapshot_full *prev,
                  const struct source_changes *changes);
/* The article at path (its own or an alias), or NULL. */
const struct article *paths_find(const struct snapshot_full *f, const char *path);

/* From f's sources. */
void identities_build(struct snapshot_full *f);
/* prev's with changes applied (snapshot_types.h). */
void identities_update(struct snapshot_full *f, const struct snapshot_full *prev,
                       const struct source_changes *changes);
/* True when the file (dev, ino) is one of f's article sources. */
bool identities_include(const struct snapshot_full *f, dev_t dev, ino_t ino);

#endif
