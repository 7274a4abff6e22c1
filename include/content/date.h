#ifndef KABAR_DATE_H
#define KABAR_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "article.h"
#include "buf.h"
#include "tz.h"

/*
 * Dates as newsrooms write them: ISO forms ("2022-04-21", "2011-8-17",
 * "2019-11-08T10:00:00Z", "2014-03-25 11:00:00+11:00", optionally quoted)
 * and bylines in English or Indonesian ("Apr 21, 2022 - 11:18",
 * "Kamis, 21 April 2022 11:18 WITA"), with a zone as date_parse_zone
 * reads it. A date without a zone is in default_offset_minutes.
 */

/* The one rule for fixed time zones, in dates and in the configuration
 * (a name such as Europe/Berlin is a tzdata zone: tz_load in tz.h): the
 * whole of s[0..len) is "+hh:mm", "+hhmm" or "+hh" (or '-') from -12:00 to
 * +14:00 (the span of the world's zones), or one of the names Z, UTC, GMT,
 * WIB (+07:00), WITA (+08:00), WIT (+09:00) in any case. True with the
 * offset east of UTC in minutes. */
bool date_parse_zone(const char *s, size_t len, int *offset_minutes);

/* Returns true and fills out, or false when s is not a valid date (month
 * 13, February 30, words it does not know, trailing junk). */
bool date_parse(const char *s, size_t len, int default_offset_minutes, struct when *out);

/* As date_parse, but a date written without a zone takes the offset that
 * held at that date in zone (a named zone: Europe/Berlin), when zone is not
 * NULL; default_offset_minutes otherwise. */
bool date_parse_in(const char *s, size_t len, int default_offset_minutes, const struct tz *zone,
                   struct when *out);

/* A site's offset at the instant t: zone's then, or fixed_minutes when it
 * has no named zone. */
int date_zone_offset(const struct tz *zone, int fixed_minutes, time_t t);

/* What a byline writes after a time: the site zone's name for w ("CEST",
 * "CET", "WITA": a named zone's abbreviation at w's date; fixed_name for a
 * fixed zone) when w is in the site's zone at its date, else NULL (the
 * caller writes w's own offset). */
const char *date_zone_label(const struct when *w, const struct tz *zone, int fixed_minutes,
                            const char *fixed_name);

/* The month (1..12) named by word (English or Indonesian, full or short,
 * any case), or 0. */
int date_month_number(const char *word, size_t len);

/* The broken-down time in w's own zone; false (tm zeroed) when it lies
 * beyond what gmtime_r can break down. */
bool date_local(const struct when *w, struct tm *tm);

/* Appends an offset from UTC as "+08:00" or "-05:30". */
void date_format_offset(struct buf *out, int offset_minutes);

/* Appends RFC 3339 with the offset: "2022-04-21T11:18:00+08:00" ("Z" for UTC). */
void date_format_rfc3339(struct buf *out, const struct when *w);

#endif
