#ifndef KABAR_CALENDAR_H
#define KABAR_CALENDAR_H

#include <stdbool.h>

/* The proleptic Gregorian calendar: the one home of leap years and month
 * lengths, for dates (date.h) and time zone rules (tz.h). */

bool calendar_is_leap(long long year);

/* Days in month (1..12) of year. */
int calendar_days_in_month(long long year, int month);

/* Days from 1970-01-01 to the given civil date (negative before it). */
long long calendar_days_from_civil(long long year, int month, int day);

/* The year of a day counted as above. */
long long calendar_year_of_day(long long days);

#endif
