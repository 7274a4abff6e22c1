#ifndef KABAR_DESK_H
#define KABAR_DESK_H

#include "site.h"

/*
 * The editors' view of a site: what an editor (Titan's editors, known by
 * their client certificate) sees and readers never do. Drafts and
 * scheduled articles answer at their addresses, marked "Draft" or
 * "Scheduled for DATE", and /desk/ lists them with their state. The
 * caller decides who is an editor; for anyone else these pages do not
 * exist (site_route answers /desk/ as not found).
 */

/* The page at path in the editors' view, or ROUTE_NONE when path is not
 * one of its pages (the readers' route applies then). */
void desk_route(const struct snapshot *snap, enum output out, const struct origin *origin,
                const char *path, struct route_result *result);

#endif
