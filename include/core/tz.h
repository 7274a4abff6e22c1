#ifndef KABAR_TZ_H
#define KABAR_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * Time zones by name ("Europe/Berlin") from the system's tzdata: TZif
 * files (RFC 8536), read by kabar itself rather than through glibc's
 * localtime_r, whose zone is one TZ for the whole process (switching it is
 * not thread-safe, and a file read after confinement may be refused). A
 * zone is read once, when the settings are, and is immutable after.
 */

/* The folder of the zone files: $TZDIR, else /usr/share/zoneinfo. */
const char *tz_dir(void);

/* The largest zone file read (real ones are under 4 KiB). */
#define TZ_FILE_MAX (64 * 1024)

struct tz;

/* Parses the bytes of a TZif file (versions 1 to 4; the 64-bit data and the
 * footer's POSIX TZ rule from version 2 on). NULL when they are not one. */
struct tz *tz_parse(const unsigned char *data, size_t len);

/* Reads the zone named name ("Asia/Makassar") beneath tz_dir(). NULL with
 * a reason appended to error when the name is not a zone's (a '.' part, a
 * character outside A-Z a-z 0-9 _ + - /) or its file cannot be read. */
struct tz *tz_load(const char *name, struct buf *error);

struct tz *tz_copy(const struct tz *z);
void tz_free(struct tz *z);

/* The offset east of UTC, in seconds, at the instant t; *abbr (if not
 * NULL) is set to the zone's abbreviation then ("CEST", "WITA", "-03"). */
int tz_offset_at(const struct tz *z, int64_t t, const char **abbr);

/* The offset that holds at a wall-clock time of the zone, given as seconds
 * since the epoch as if it were UTC. In a gap or an overlap (the hours a
 * clock skips or repeats) one of the two offsets around it. */
int tz_offset_of_local(const struct tz *z, int64_t local);

#endif
