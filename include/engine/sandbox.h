#ifndef KABAR_SANDBOX_H
#define KABAR_SANDBOX_H

#include "config.h"

/*
 * Landlock (Linux 5.13 and later): once the ports are bound and the keys
 * loaded, the serving process may open only what serving and reloading
 * need. Read: every capsule, the certificates (folder and any cert/key
 * file named in the configuration), the configuration file, libmagic's
 * database and the process's own /proc folder. Write: new files in the
 * certificates folder (a reload that adds a host generates its certificate)
 * and the access log's folder (SIGUSR1 reopens the log after rotation),
 * and, where a host lists editors, their folders of the capsule (Titan
 * uploads); without editors every capsule is read-only.
 * Everything else, and any new TCP bind
 * or connect where the kernel can restrict those, is refused. Files are
 * allowed by the folder that holds them (the configuration, a certificate,
 * a key), so a file replaced by rename stays readable. A reload that
 * names a capsule or editors' folder outside these needs a restart, and is
 * refused (sandbox_covers).
 */

/* Builds the ruleset for cfg. Returns its descriptor, or -1 when the kernel
 * has no Landlock (logged once) or the ruleset cannot be made (logged). */
int sandbox_prepare(const struct config *cfg);

/* Confines the calling thread and every thread it starts later; no_new_privs
 * must already be set. Closes ruleset_fd. 0, or -1 (logged). */
int sandbox_enforce(int ruleset_fd);

/* Whether cfg's capsules (read) and editors' folders (written by uploads)
 * lie inside what the confinement in force allows; always true when the
 * server is not confined. False with one line per path outside it appended
 * to why: a reload that needs them must be a restart. */
bool sandbox_covers(const struct config *cfg, struct buf *why);

#endif
