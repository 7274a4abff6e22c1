#include "pathdate.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "date.h"

/* The run of at most max digits at s[0..len), or 0 when it has none or
 * more than max. */
static size_t digits(const char *s, size_t len, size_t max)
{
	size_t n = 0;
	while (n < len && isdigit((unsigned char)s[n]))
		n++;
	return n <= max ? n : 0;
}

static int number(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* The day through date_parse, which refuses month 13 and February 30. */
static bool day_of(int y, int m, int d, int offset_minutes, const struct tz *zone,
                   struct when *out)
{
	char iso[16];
	snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
	struct when w;
	if (!date_parse_in(iso, strlen(iso), offset_minutes, zone, &w))
		return false;
	*out = w;
	return true;
}

bool pathdate_prefix(const char *name, size_t len, int offset_minutes, const struct tz *zone,
                     struct when *out, size_t *prefix_len)
{
	size_t part[3];
	const size_t max[3] = {4, 2, 2};
	size_t pos = 0;
	int value[3];
	for (int i = 0; i < 3; i++) {
		part[i] = digits(name + pos, len - pos, max[i]);
		if (part[i] == 0 || (i == 0 && part[i] != 4))
			return false;
		value[i] = number(name + pos, part[i]);
		pos += part[i];
		if (pos >= len || name[pos] != '-')
			return false;
		pos++;
	}
	if (pos >= len || !day_of(value[0], value[1], value[2], offset_minutes, zone, out))
		return false;
	*prefix_len = pos;
	return true;
}

/* The length of the path part at s (up to '/' or the end). */
static size_t part_len(const char *s)
{
	return strcspn(s, "/");
}

static bool all_digits(const char *s, size_t n, size_t min, size_t max)
{
	return n >= min && n <= max && digits(s, n, max) == n;
}

/* Parts from s: "YYYY/MM[/DD]/" with at least one more part after. */
static bool date_parts_at(const char *s, int offset_minutes, const struct tz *zone,
                          struct when *out)
{
	size_t n = part_len(s);
	if (!all_digits(s, n, 4, 4) || s[n] != '/')
		return false;
	int year = number(s, n);
	s += n + 1;
	n = part_len(s);
	if (!all_digits(s, n, 1, 2) || s[n] != '/')
		return false;
	int month = number(s, n);
	s += n + 1;
	n = part_len(s);
	int day = 1;
	if (all_digits(s, n, 1, 2) && s[n] == '/')
		day = number(s, n);
	return day_of(year, month, day, offset_minutes, zone, out);
}

bool pathdate_folders(const char *path, int offset_minutes, const struct tz *zone,
                      struct when *out)
{
	for (const char *s = path; *s;) {
		if (date_parts_at(s, offset_minutes, zone, out))
			return true;
		s += part_len(s);
		s += *s == '/';
	}
	return false;
}
