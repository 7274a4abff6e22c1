#ifndef KABAR_GOPHER_LINES_H
#define KABAR_GOPHER_LINES_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * The one writer of Gopher's wire forms: menu lines ("TYPE DISPLAY\tSELECTOR
 * \tHOST\tPORT\r\n", the display cut by grapheme cluster and display width),
 * info lines, and text with dot-stuffing. Generated pages, articles and
 * hand-written gophermaps all write through it, so one rule decides what a
 * menu line may hold.
 */

/* Widest menu display string, in display columns. */
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

/* text as info lines wrapped at MENU_DISPLAY_COLUMNS (running text, so
 * nothing is cut off), the first line's display starting with first and
 * the others' with rest (a list's "* " and its hanging indent, a quote's
 * "> "); a blank text is one empty info line. */
void menu_info_wrapped(struct buf *out, const char *text, const char *first, const char *rest);

#endif
