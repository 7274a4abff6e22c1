#ifndef KABAR_ITEMTYPE_H
#define KABAR_ITEMTYPE_H

/*
 * The one rule for Gopher item types (RFC 1436 and the common additions:
 * h, I, g, s, ;, d): by MIME type. A menu line for a file served from the
 * capsule asks libmagic for the type (mime.h); a link written in an article
 * knows only its path, and goes by the path's extension through the same
 * table.
 */

/* '0' text, 'h' HTML, 'g' GIF, 'I' other images, 's' sound, ';' video,
 * 'd' documents (PDF, office), '5' archives, '4' BinHex, else '9' (NULL
 * too). */
char item_type_of_mime(const char *mime);

/* The item type of a capsule path (query and fragment ignored): '1' for a
 * folder ("/" at the end, or the root), '0' for a path without an
 * extension (an article), else by the MIME type its extension names. */
char item_type_of_path(const char *path);

#endif
