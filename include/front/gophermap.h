#ifndef KABAR_GOPHERMAP_H
#define KABAR_GOPHERMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "gopher_lines.h"

/*
 * Hand-written gophermaps (the Gophernicus syntax), written out with the
 * one menu writer, gopher_lines.h.
 */

enum gophermap_end {
	GOPHERMAP_DONE,    /* the map is the whole menu */
	GOPHERMAP_LISTING, /* a "*" line: the directory's listing follows */
};

/*
 * Appends the menu a gophermap describes. dir is the directory's selector
 * (ending in '/'), against which relative selectors resolve. Lines:
 *   "#..."             a comment
 *   "."                the end of the map
 *   "*"                the end, and the generated listing follows
 *   "Xdisplay\tsel\thost\tport"   an item; an empty or missing selector is the
 *                      display name, host and port default to origin's
 *   anything else      an info line
 */
enum gophermap_end gophermap_render(struct buf *out, const char *map, size_t len, const char *dir,
                                    const struct menu_origin *origin);

#endif
