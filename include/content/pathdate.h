#ifndef KABAR_PATHDATE_H
#define KABAR_PATHDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "article.h"

struct tz;

/*
 * Dates that sites write into names and paths rather than into front
 * matter: a file name's prefix ("2022-04-21-ferry", and Jekyll's unpadded
 * "2020-11-4-this-week") and folders or permalinks ("2019/05/15/slug",
 * "news/2019/05/slug/index.md"). Each is a day, read through date_parse
 * (so its rules for valid days hold), in the site's zone as date_parse_in
 * takes it (zone may be NULL: the fixed offset).
 */

/* A date at the start of name[0..len): "YYYY-M-D-" or "YYYY-MM-DD-"
 * followed by at least one more byte. True with the day in out and the
 * prefix's length, its last '-' included, in *prefix_len. */
bool pathdate_prefix(const char *name, size_t len, int offset_minutes, const struct tz *zone,
                     struct when *out, size_t *prefix_len);

/* A date in the folders of path (every part but the last): the first
 * "YYYY/MM/DD" or "YYYY/MM" parts in a row (the month's first day then).
 * True with the day in out. */
bool pathdate_folders(const char *path, int offset_minutes, const struct tz *zone,
                      struct when *out);

#endif
