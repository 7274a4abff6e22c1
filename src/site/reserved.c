#include "reserved.h"

#include "text.h"

#include <stddef.h>
#include <string.h>

struct reserved {
	const char *name;
	const char *reason;
};

/* Files that mean something in whichever folder they are. */
static const struct reserved per_folder[] = {
	{RESERVED_GOPHERMAP, "a gophermap is the folder's Gopher menu, written by the operator"},
	{RESERVED_INDEX, "index.gmi is the folder's Gemini page, written by the operator"},
};

/* The first segment of a path the server answers itself, or reads. */
static const struct reserved at_root[] = {
	{RESERVED_CAPS, "caps.txt is written by the server for Gopher clients"},
	{RESERVED_ROBOTS, "robots.txt is the operator's word to crawlers"},
	{RESERVED_FEED_XML, "feed.xml is the site's feed, made by the server"},
	{RESERVED_FEED_GMI, "feed.gmi is the site's feed, made by the server"},
	{RESERVED_DESK, "/desk/ is the editors' desk, made by the server"},
	{RESERVED_SEARCH, "/search is the server's own page"},
	{RESERVED_ARCHIVE, "/archive/ is the server's own index"},
	{RESERVED_SECTION, "/section/ is the server's own index"},
	{RESERVED_AUTHOR, "/author/ is the server's own index"},
	{RESERVED_TAG, "/tag/ is the server's own index"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *reserved_reason(const char *relpath)
{
	const char *base = text_base_name(relpath);
	for (size_t i = 0; i < COUNT(per_folder); i++)
		if (strcmp(base, per_folder[i].name) == 0)
			return per_folder[i].reason;
	size_t first = strcspn(relpath, "/");
	for (size_t i = 0; i < COUNT(at_root); i++)
		if (strlen(at_root[i].name) == first && strncmp(relpath, at_root[i].name, first) == 0)
			return at_root[i].reason;
	return NULL;
}
