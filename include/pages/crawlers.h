#ifndef KABAR_CRAWLERS_H
#define KABAR_CRAWLERS_H

#include <stdbool.h>

#include "site.h"
#include "snapshot.h"

/*
 * What the server writes for crawlers when the capsule has no file of that
 * name (the front-ends ask only then, so a capsule file always wins):
 * /robots.txt (the robots companion specification's virtual agents, with
 * the vhost's robots: lines), /favicon.txt (its favicon:) and
 * /.well-known/security.txt (RFC 9116, from its security_* settings; the
 * capsule's own .well-known/security.txt is read first, as that folder
 * is hidden from every other road).
 */

/* How many pages of a section, author or tag robots.txt leaves to crawlers. */
#define CRAWLERS_PAGE_DEPTH 5

/*
 * True when path is one of the three: result is then a text/plain page, or
 * not found when the host's settings give nothing to write. site is the
 * one snap is of; now the time an Expires is counted from.
 */
bool crawlers_route(const struct site *site, const struct snapshot *snap, const char *path,
                    time_t now, struct route_result *result);

/* robots.txt as the server writes it for vhost, appended to out. */
void crawlers_robots(struct buf *out, const struct vhost *vhost);

#endif
