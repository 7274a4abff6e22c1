#ifndef KABAR_GOPHERMAP_H
#define KABAR_GOPHERMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * Gopher bodies: menu lines ("TYPE DISPLAY\tSELECTOR\tHOST\tPORT\r\n"), text
 * with dot-stuffing, and hand-written gophermaps (the Gophernicus syntax).
 */

#define MENU_DISPLAY_COLUMNS 70

/* Where menu items without a host of their own point. */
struct menu_origin {
	const char *host;
	int port;
};

/* Appends display made safe for a menu by text_clean (no controls, no bidi
 * controls, no line breaks), cut to columns display columns
 * (wide characters count two; a cut ends with U+2026); columns 0: no cut. */
void menu_display(struct buf *out, const char *display, size_t len, size_t columns);

/* Appends one item. Returns false, appending nothing, when selector or host
 * holds a TAB, CR, LF or any other control (text_has_control). */
bool menu_item(struct buf *out, char type, const char *display, const char *selector,
               const char *host, int port);
/* "iTEXT\t\terror.host\t1\r\n" */
void menu_info(struct buf *out, const char *text);
/* "3MESSAGE\t\terror.host\t1\r\n" */
void menu_error(struct buf *out, const char *message);
/* The ".\r\n" that ends a menu or a text. */
void menu_end(struct buf *out);

/* Appends s as a type 0 text body: lines end with CRLF, a line that begins
 * with '.' gets another one, a last line without its end gets one. */
void gopher_text(struct buf *out, const char *s, size_t len);

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
