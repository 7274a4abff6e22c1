#include "date.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "calendar.h"
#include "text.h"

/* The span of the world's zones: UTC-12:00 (Baker Island) to UTC+14:00
 * (Kiribati). */
#define MIN_OFFSET_MINUTES (-12 * 60)
#define MAX_OFFSET_MINUTES (14 * 60)

/* The fields of a date as they are read, before they are checked. */
struct date_fields {
	int year, month, day;
	int hour, minute, second;
	bool has_time;
	bool has_zone;
	int offset_minutes;
};

struct name_value {
	const char *name;
	int value;
};

static const struct name_value month_names[] = {
	{"jan", 1}, {"january", 1}, {"januari", 1},
	{"feb", 2}, {"february", 2}, {"februari", 2}, {"peb", 2}, {"pebruari", 2},
	{"mar", 3}, {"march", 3}, {"maret", 3},
	{"apr", 4}, {"april", 4},
	{"may", 5}, {"mei", 5},
	{"jun", 6}, {"june", 6}, {"juni", 6},
	{"jul", 7}, {"july", 7}, {"juli", 7},
	{"aug", 8}, {"august", 8}, {"agu", 8}, {"agt", 8}, {"agustus", 8},
	{"sep", 9}, {"sept", 9}, {"september", 9},
	{"oct", 10}, {"october", 10}, {"okt", 10}, {"oktober", 10},
	{"nov", 11}, {"november", 11}, {"nop", 11}, {"nopember", 11},
	{"dec", 12}, {"december", 12}, {"des", 12}, {"desember", 12},
};

/* Zone abbreviations, in minutes east of UTC. */
static const struct name_value zone_names[] = {
	{"utc", 0}, {"gmt", 0}, {"z", 0},
	{"wib", 7 * 60}, {"wita", 8 * 60}, {"wit", 9 * 60},
};

/* Weekdays and filler words a byline may carry; they say nothing new. */
static const char *const ignored_words[] = {
	"mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu", "thurs",
	"thursday", "fri", "friday", "sat", "saturday", "sun", "sunday",
	"senin", "selasa", "rabu", "kamis", "jumat", "jum'at", "sabtu", "minggu", "ahad",
	"pukul", "jam", "at",
};

static int lookup(const struct name_value *table, size_t n, const char *word, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(table[i].name) == len && strncasecmp(table[i].name, word, len) == 0)
			return table[i].value;
	return -1;
}

int date_month_number(const char *word, size_t len)
{
	int m = lookup(month_names, sizeof month_names / sizeof month_names[0], word, len);
	return m < 0 ? 0 : m;
}

static bool is_ignored_word(const char *word, size_t len)
{
	for (size_t i = 0; i < sizeof ignored_words / sizeof ignored_words[0]; i++)
		if (strlen(ignored_words[i]) == len && strncasecmp(ignored_words[i], word, len) == 0)
			return true;
	return false;
}

/* Reads 1..max digits at s[*i]; returns the count read (0: none). */
static int read_number(const char *s, size_t len, size_t *i, int max, int *value)
{
	int n = 0;
	*value = 0;
	while (*i < len && n < max && isdigit((unsigned char)s[*i])) {
		*value = *value * 10 + (s[*i] - '0');
		(*i)++;
		n++;
	}
	if (*i < len && isdigit((unsigned char)s[*i]))
		return 0; /* more digits than the field may have */
	return n;
}

/* "H:MM", "H:MM:SS" or "H:MM:SS.fff" at s[*i]. The fraction is dropped. */
static bool read_time(const char *s, size_t len, size_t *i, struct date_fields *f)
{
	if (read_number(s, len, i, 2, &f->hour) == 0 || *i >= len || s[*i] != ':')
		return false;
	(*i)++;
	if (read_number(s, len, i, 2, &f->minute) != 2)
		return false;
	f->second = 0;
	if (*i < len && s[*i] == ':') {
		(*i)++;
		if (read_number(s, len, i, 2, &f->second) != 2)
			return false;
		if (*i < len && (s[*i] == '.' || s[*i] == ',')) {
			(*i)++;
			if (*i >= len || !isdigit((unsigned char)s[*i]))
				return false;
			while (*i < len && isdigit((unsigned char)s[*i]))
				(*i)++;
		}
	}
	f->has_time = true;
	return true;
}

/* "+hh:mm", "+hhmm" or "+hh" (or '-') at s[*i]. */
static bool read_offset(const char *s, size_t len, size_t *i, struct date_fields *f)
{
	int sign = s[*i] == '-' ? -1 : 1;
	int value, hours, minutes = 0;
	(*i)++;
	int digits = read_number(s, len, i, 4, &value);
	if (digits == 4) {
		hours = value / 100;
		minutes = value % 100;
	} else if (digits == 2) {
		hours = value;
		if (*i < len && s[*i] == ':') {
			(*i)++;
			if (read_number(s, len, i, 2, &minutes) != 2)
				return false;
		}
	} else {
		return false;
	}
	if (minutes > 59)
		return false;
	f->offset_minutes = sign * (hours * 60 + minutes);
	f->has_zone = true;
	return true;
}

static size_t word_length(const char *s, size_t len, size_t i)
{
	size_t start = i;
	while (i < len && (isalpha((unsigned char)s[i]) || s[i] == '\''))
		i++;
	return i - start;
}

/* A zone word (WITA, UTC, Z...) at s[*i]. */
static bool read_zone_word(const char *s, size_t len, size_t *i, struct date_fields *f)
{
	size_t n = word_length(s, len, *i);
	int offset = lookup(zone_names, sizeof zone_names / sizeof zone_names[0], s + *i, n);
	if (n == 0 || offset < 0)
		return false;
	*i += n;
	f->offset_minutes = offset;
	f->has_zone = true;
	return true;
}

static void skip_spaces(const char *s, size_t len, size_t *i)
{
	while (*i < len && isspace((unsigned char)s[*i]))
		(*i)++;
}

/* An optional zone after the time, then the end of the text. */
static bool read_zone_and_end(const char *s, size_t len, size_t *i, struct date_fields *f)
{
	skip_spaces(s, len, i);
	if (*i < len && (s[*i] == '+' || s[*i] == '-')) {
		if (!read_offset(s, len, i, f))
			return false;
	} else if (*i < len && !read_zone_word(s, len, i, f)) {
		return false;
	}
	skip_spaces(s, len, i);
	return *i == len;
}

/* 2022-04-21, 2011-8-17, then [T or space]HH:MM[:SS[.fff]] and a zone. */
static bool parse_iso(const char *s, size_t len, struct date_fields *f)
{
	size_t i = 0;
	if (read_number(s, len, &i, 4, &f->year) != 4 || i >= len || s[i] != '-')
		return false;
	i++;
	if (read_number(s, len, &i, 2, &f->month) == 0 || i >= len || s[i] != '-')
		return false;
	i++;
	if (read_number(s, len, &i, 2, &f->day) == 0)
		return false;
	if (i == len)
		return true;
	if (s[i] == 'T' || s[i] == 't') {
		i++;
	} else {
		skip_spaces(s, len, &i);
		if (i == len)
			return true;
	}
	if (!read_time(s, len, &i, f))
		return false;
	return read_zone_and_end(s, len, &i, f);
}

/* A word in a byline: a month, a zone, or a word to pass over. */
static bool read_word(const char *s, size_t len, size_t *i, struct date_fields *f)
{
	size_t n = word_length(s, len, *i);
	int month = date_month_number(s + *i, n);
	if (month > 0 && f->month == 0) {
		f->month = month;
	} else if (month == 0 && is_ignored_word(s + *i, n)) {
		/* a weekday or "pukul" */
	} else {
		return read_zone_word(s, len, i, f);
	}
	*i += n;
	if (*i < len && s[*i] == '.')
		(*i)++; /* "Apr." */
	return true;
}

/* A number in a byline: a time, a four-digit year, or the day. */
static bool read_byline_number(const char *s, size_t len, size_t *i, struct date_fields *f)
{
	size_t start = *i;
	int value;
	int digits = read_number(s, len, i, 4, &value);
	if (*i < len && s[*i] == ':' && !f->has_time && digits <= 2) {
		*i = start;
		return read_time(s, len, i, f);
	}
	if (digits == 4 && f->year == 0) {
		f->year = value;
		return true;
	}
	if ((digits == 1 || digits == 2) && f->day == 0) {
		f->day = value;
		return true;
	}
	return false;
}

/* "Apr 21, 2022 - 11:18", "Kamis, 21 April 2022 11:18 WITA", "21 Apr 2022". */
static bool parse_byline(const char *s, size_t len, struct date_fields *f)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		bool ok;
		if (isspace(c) || c == ',') {
			i++;
			continue;
		}
		if ((c == '+' || c == '-') && f->has_time && i + 1 < len &&
		    isdigit((unsigned char)s[i + 1]))
			ok = read_offset(s, len, &i, f);
		else if (c == '-' || c == '|')
			ok = (i++, true); /* "2022 - 11:18" */
		else if (isdigit(c))
			ok = read_byline_number(s, len, &i, f);
		else if (isalpha(c))
			ok = read_word(s, len, &i, f);
		else
			ok = false;
		if (!ok)
			return false;
	}
	return f->year > 0 && f->month > 0 && f->day > 0;
}

static bool fields_valid(const struct date_fields *f)
{
	if (f->year < 1 || f->year > 9999 || f->month < 1 || f->month > 12)
		return false;
	if (f->day < 1 || f->day > calendar_days_in_month(f->year, f->month))
		return false;
	if (f->hour > 23 || f->minute > 59 || f->second > 60)
		return false;
	return f->offset_minutes >= MIN_OFFSET_MINUTES && f->offset_minutes <= MAX_OFFSET_MINUTES;
}

bool date_parse_zone(const char *s, size_t len, int *offset_minutes)
{
	struct date_fields f = {0};
	size_t i = 0;
	if (len == 0)
		return false;
	bool read = s[0] == '+' || s[0] == '-' ? read_offset(s, len, &i, &f)
	                                       : read_zone_word(s, len, &i, &f);
	if (!read || i != len || f.offset_minutes < MIN_OFFSET_MINUTES ||
	    f.offset_minutes > MAX_OFFSET_MINUTES)
		return false;
	*offset_minutes = f.offset_minutes;
	return true;
}

/* Strips white space and one pair of matching quotes. */
static void trim(const char **s, size_t *len)
{
	text_trim(s, len);
	if (*len >= 2 && ((*s)[0] == '"' || (*s)[0] == '\'') && (*s)[*len - 1] == (*s)[0]) {
		(*s)++;
		*len -= 2;
	}
}

bool date_parse_in(const char *s, size_t len, int default_offset_minutes, const struct tz *zone,
                   struct when *out)
{
	struct date_fields f;
	trim(&s, &len);
	memset(&f, 0, sizeof f);
	bool ok = parse_iso(s, len, &f);
	if (!ok) {
		memset(&f, 0, sizeof f);
		ok = parse_byline(s, len, &f);
	}
	if (!f.has_zone)
		f.offset_minutes = default_offset_minutes;
	if (!ok || !fields_valid(&f))
		return false;
	if (f.second == 60)
		f.second = 59; /* a leap second: the nearest time we can name */
	long long local = calendar_days_from_civil(f.year, f.month, f.day) * 86400LL +
	                  f.hour * 3600LL + f.minute * 60LL + f.second;
	/* A named zone's offset is the one that held on that date. */
	if (!f.has_zone && zone != NULL)
		f.offset_minutes = tz_offset_of_local(zone, local) / 60;
	out->set = true;
	out->t = (time_t)(local - f.offset_minutes * 60LL);
	out->offset_minutes = f.offset_minutes;
	out->has_time = f.has_time;
	return true;
}

bool date_parse(const char *s, size_t len, int default_offset_minutes, struct when *out)
{
	return date_parse_in(s, len, default_offset_minutes, NULL, out);
}

int date_zone_offset(const struct tz *zone, int fixed_minutes, time_t t)
{
	return zone != NULL ? tz_offset_at(zone, (int64_t)t, NULL) / 60 : fixed_minutes;
}

const char *date_zone_label(const struct when *w, const struct tz *zone, int fixed_minutes,
                            const char *fixed_name)
{
	if (zone == NULL)
		return w->offset_minutes == fixed_minutes ? fixed_name : NULL;
	const char *abbr;
	int offset = tz_offset_at(zone, (int64_t)w->t, &abbr) / 60;
	/* "-03" names no place: the caller writes the offset itself. */
	if (offset != w->offset_minutes || abbr[0] == '\0' || abbr[0] == '+' || abbr[0] == '-')
		return NULL;
	return abbr;
}

bool date_local(const struct when *w, struct tm *tm)
{
	time_t local = w->t + (time_t)w->offset_minutes * 60;
	if (gmtime_r(&local, tm) != NULL)
		return true;
	memset(tm, 0, sizeof *tm);
	return false;
}

void date_format_offset(struct buf *out, int offset_minutes)
{
	int minutes = offset_minutes < 0 ? -offset_minutes : offset_minutes;
	buf_printf(out, "%c%02d:%02d", offset_minutes < 0 ? '-' : '+', minutes / 60, minutes % 60);
}

void date_format_rfc3339(struct buf *out, const struct when *w)
{
	struct tm tm;
	date_local(w, &tm);
	buf_printf(out, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
	           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (w->offset_minutes == 0) {
		buf_putc(out, 'Z');
		return;
	}
	date_format_offset(out, w->offset_minutes);
}
