#ifndef KABAR_DESK_H
#define KABAR_DESK_H

#include "config.h"
#include "site.h"

/*
 * The editors' view of a site: what an editor (Titan's editors, known by
 * their client certificate) sees and readers never do. Drafts and
 * scheduled articles answer at their addresses, marked "Draft" or
 * "Scheduled for DATE", and /desk/ lists them with their state. The
 * caller decides who is an editor; for anyone else these pages do not
 * exist (site_route answers /desk/ as not found).
 */

/* The page at path in editor's view, or ROUTE_NONE when path is not one
 * of its pages (the readers' route applies then). An editor sees the
 * drafts whose sources lie under their paths (config_editor_sees), a
 * "desk: all" editor every one; another's draft is not there for them. */
void desk_route(const struct snapshot *snap, const struct editor *editor, enum output out,
                const struct origin *origin, const char *path, struct route_result *result);

#endif
