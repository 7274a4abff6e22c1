#include "crawlers.h"

#include <stdio.h>
#include <string.h>

#include "date.h"
#include "reserved.h"

/* A security.txt larger than this is not one (RFC 9116 files are a few lines). */
#define SECURITY_TXT_MAX (32 * 1024)
/* RFC 9116 2.5.5: Expires less than a year ahead. */
#define EXPIRES_AHEAD (364L * 24 * 3600)

static const char *const agents[] = {"*", "indexer", "archiver", "researcher", "webproxy"};

/* The paged indexes whose deep pages repeat what the month archives list. */
static const char *const paged[] = {RESERVED_SECTION, RESERVED_AUTHOR, RESERVED_TAG};

/*
 * Pages past CRAWLERS_PAGE_DEPTH of every NAME under kind, as prefixes:
 * the original robots.txt knows only prefixes, so "page/6" stands for 6
 * and 60-69..., "page/1" for 10-19... (and page/1/, the same as the first),
 * "page/20".."page/59" for the two-digit rest. The '*' for NAME is RFC
 * 9309's; a crawler that reads only prefixes matches nothing with it.
 */
static void deep_pages(struct buf *out, const char *kind)
{
	buf_printf(out, "Disallow: /%s/*/page/1\n", kind);
	for (int first = CRAWLERS_PAGE_DEPTH + 1; first <= 9; first++)
		buf_printf(out, "Disallow: /%s/*/page/%d\n", kind, first);
	for (int first = 2; first <= CRAWLERS_PAGE_DEPTH; first++)
		for (int second = 0; second <= 9; second++)
			buf_printf(out, "Disallow: /%s/*/page/%d%d\n", kind, first, second);
}

void crawlers_robots(struct buf *out, const struct vhost *vhost)
{
	buf_printf(out, "# robots.txt of %s, written by Kabar; articles and /archive/ are open.\n",
	           vhost->n_names > 0 ? vhost->names[0] : "this capsule");
	for (size_t i = 0; i < sizeof agents / sizeof agents[0]; i++)
		buf_printf(out, "User-agent: %s\n", agents[i]);
	buf_puts(out, "Disallow: /" RESERVED_SEARCH "\n");
	buf_puts(out, "Disallow: /" RESERVED_DESK "/\n");
	for (size_t i = 0; i < sizeof paged / sizeof paged[0]; i++)
		deep_pages(out, paged[i]);
	if (vhost->robots == NULL)
		return;
	buf_puts(out, "\n");
	buf_puts(out, vhost->robots);
	if (out->len > 0 && out->data[out->len - 1] != '\n')
		buf_putc(out, '\n');
}

static void plain(struct route_result *result)
{
	result->kind = ROUTE_PAGE;
	result->mime = "text/plain";
	result->gopher_type = '0';
}

static void security_txt(struct buf *out, const struct vhost *vhost, time_t now)
{
	buf_printf(out, "Contact: %s\n", vhost->security_contact);
	struct when expires = {.set = true, .has_time = true};
	expires.t = vhost->security_expires != 0 ? vhost->security_expires : now + EXPIRES_AHEAD;
	buf_puts(out, "Expires: ");
	date_format_rfc3339(out, &expires);
	buf_putc(out, '\n');
	if (vhost->security_policy != NULL)
		buf_printf(out, "Policy: %s\n", vhost->security_policy);
	if (vhost->lang != NULL)
		buf_printf(out, "Preferred-Languages: %s\n", vhost->lang);
}

/* The capsule's own .well-known/security.txt, else the settings'. */
static void route_security(const struct site *site, const struct vhost *vhost, time_t now,
                           struct route_result *result)
{
	if (site_read_well_known(site, RESERVED_SECURITY, SECURITY_TXT_MAX, &result->body) == 0) {
		plain(result);
		return;
	}
	buf_clear(&result->body);
	if (vhost->security_contact == NULL) {
		result->kind = ROUTE_NOT_FOUND;
		return;
	}
	plain(result);
	security_txt(&result->body, vhost, now);
}

bool crawlers_route(const struct site *site, const struct snapshot *snap, const char *path,
                    time_t now, struct route_result *result)
{
	const struct vhost *vhost = snap->vhost;
	path += strspn(path, "/");
	if (strcmp(path, RESERVED_ROBOTS) == 0) {
		if (vhost->robots_off) {
			result->kind = ROUTE_NOT_FOUND;
			return true;
		}
		plain(result);
		crawlers_robots(&result->body, vhost);
	} else if (strcmp(path, RESERVED_FAVICON) == 0) {
		if (vhost->favicon == NULL) {
			result->kind = ROUTE_NOT_FOUND;
			return true;
		}
		plain(result);
		buf_puts(&result->body, vhost->favicon);
	} else if (strcmp(path, ".well-known/" RESERVED_SECURITY) == 0) {
		route_security(site, vhost, now, result);
	} else {
		return false;
	}
	return true;
}
