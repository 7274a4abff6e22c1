#include "tz.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "calendar.h"

/* Bounds on what a file may hold: tzdata's largest zones have under 300
 * transitions and a dozen types; RFC 8536 allows at most 256 types. */
#define MAX_TRANSITIONS 4096
#define MAX_TYPES 256
#define MAX_CHARS 1024
#define MAX_LEAPS 512
#define ABBR_MAX 15
/* Offsets beyond a day either way are not a place's (RFC 8536 says
 * -89999..93599 seconds). */
#define MAX_OFFSET (26 * 3600)
/* Instants looked up are held to about 35 million years either way, so the
 * calendar's arithmetic cannot overflow. */
#define MAX_INSTANT (1LL << 50)

struct tz_type {
	int32_t offset; /* east of UTC, seconds */
	bool dst;
	char abbr[ABBR_MAX + 1];
};

/* A day of a POSIX TZ rule: "Jn" (1..365, never February 29), "n"
 * (0..365, counting it) or "Mm.w.d" (weekday d of week w, 5 the last). */
struct rule_day {
	char kind; /* 'J', 'N' or 'M' */
	int n, month, week, weekday;
};

/* The footer's rule ("CET-1CEST,M3.5.0,M10.5.0/3"): the zone's time after
 * its last transition. */
struct rule {
	struct tz_type std, dst;
	bool has_dst;
	struct rule_day start, end;
	int32_t start_time, end_time; /* local seconds after midnight */
};

struct tz {
	int64_t *at;      /* transition instants, ascending */
	uint8_t *type_of; /* the type each transition starts */
	size_t n_at;
	struct tz_type *types;
	size_t n_types;
	bool has_rule;
	struct rule rule;
};

/* ---- Reading bytes ---- */

struct reader {
	const unsigned char *p;
	size_t len, pos;
};

static const unsigned char *take(struct reader *r, size_t n)
{
	if (n > r->len - r->pos)
		return NULL;
	const unsigned char *at = r->p + r->pos;
	r->pos += n;
	return at;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct header {
	int version; /* 1, 2, 3, 4 */
	uint32_t isut, isstd, leap, time, type, chars;
};

static bool read_header(struct reader *r, struct header *h)
{
	const unsigned char *p = take(r, 44);
	if (p == NULL || memcmp(p, "TZif", 4) != 0)
		return false;
	h->version = p[4] == 0 ? 1 : p[4] - '0';
	if (h->version < 1 || h->version > 9)
		return false;
	uint32_t *counts[6] = {&h->isut, &h->isstd, &h->leap, &h->time, &h->type, &h->chars};
	for (int i = 0; i < 6; i++)
		*counts[i] = be32(p + 20 + 4 * i);
	if (h->type == 0 || h->type > MAX_TYPES || h->chars == 0 || h->chars > MAX_CHARS ||
	    h->time > MAX_TRANSITIONS || h->leap > MAX_LEAPS)
		return false;
	return (h->isut == 0 || h->isut == h->type) && (h->isstd == 0 || h->isstd == h->type);
}

static size_t block_size(const struct header *h, size_t time_size)
{
	return h->time * time_size + h->time + h->type * 6 + h->chars +
	       h->leap * (time_size + 4) + h->isstd + h->isut;
}

/* The abbreviation at chars[index], which must end within chars. */
static bool read_abbr(const unsigned char *chars, size_t n_chars, size_t index, char *out)
{
	const unsigned char *end = memchr(chars + index, '\0', n_chars - index);
	if (end == NULL)
		return false;
	size_t len = (size_t)(end - (chars + index));
	if (len > ABBR_MAX)
		len = ABBR_MAX;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = chars[index + i];
		/* Letters, digits, '+' and '-': nothing else reaches a byline. */
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		          c == '+' || c == '-';
		out[i] = ok ? (char)c : '?';
	}
	out[len] = '\0';
	return true;
}

static bool read_types(struct reader *r, const struct header *h, struct tz *z)
{
	const unsigned char *info = take(r, h->type * 6);
	const unsigned char *chars = take(r, h->chars);
	if (info == NULL || chars == NULL)
		return false;
	z->types = xcalloc(h->type, sizeof *z->types);
	z->n_types = h->type;
	for (size_t i = 0; i < h->type; i++) {
		const unsigned char *t = info + 6 * i;
		int32_t offset = (int32_t)be32(t);
		if (offset < -MAX_OFFSET || offset > MAX_OFFSET || t[4] > 1 || t[5] >= h->chars)
			return false;
		z->types[i].offset = offset;
		z->types[i].dst = t[4] == 1;
		if (!read_abbr(chars, h->chars, t[5], z->types[i].abbr))
			return false;
	}
	return true;
}

/* One data block, with times of time_size bytes (4 in version 1's, 8 in
 * the later one). */
static bool read_block(struct reader *r, const struct header *h, size_t time_size, struct tz *z)
{
	const unsigned char *times = take(r, h->time * time_size);
	const unsigned char *index = take(r, h->time);
	if (times == NULL || index == NULL)
		return false;
	z->n_at = h->time;
	z->at = xcalloc(h->time + 1, sizeof *z->at);
	z->type_of = xcalloc(h->time + 1, 1);
	for (size_t i = 0; i < h->time; i++) {
		const unsigned char *p = times + i * time_size;
		z->at[i] = time_size == 4 ? (int32_t)be32(p) : be64(p);
		if ((i > 0 && z->at[i] <= z->at[i - 1]) || index[i] >= h->type)
			return false;
		z->type_of[i] = index[i];
	}
	if (!read_types(r, h, z))
		return false;
	/* Leap seconds and the standard/UT indicators say nothing a byline
	 * needs: passed over. */
	return take(r, h->leap * (time_size + 4) + h->isstd + h->isut) != NULL;
}

/* ---- The footer's POSIX TZ rule ---- */

struct scan {
	const char *s;
	size_t len, i;
};

static bool at_end(const struct scan *sc)
{
	return sc->i >= sc->len;
}

static char peek(const struct scan *sc)
{
	return at_end(sc) ? '\0' : sc->s[sc->i];
}

static bool is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "CET", or "<+0330>" (quoted: digits and signs allowed). */
static bool scan_name(struct scan *sc, char *out)
{
	bool quoted = peek(sc) == '<';
	size_t n = 0;
	if (quoted)
		sc->i++;
	while (!at_end(sc)) {
		char c = peek(sc);
		bool ok = is_alpha(c) || (quoted && (is_digit(c) || c == '+' || c == '-'));
		if (!ok)
			break;
		if (n < ABBR_MAX)
			out[n++] = c;
		sc->i++;
	}
	out[n] = '\0';
	if (quoted && peek(sc) != '>')
		return false;
	if (quoted)
		sc->i++;
	return n >= 3 || (quoted && n >= 1);
}

/* A number of at most max_digits digits, no greater than max. */
static bool scan_number(struct scan *sc, int max_digits, int max, int *value)
{
	int digits = 0;
	*value = 0;
	while (!at_end(sc) && is_digit(peek(sc)) && digits < max_digits) {
		*value = *value * 10 + (peek(sc) - '0');
		sc->i++;
		digits++;
	}
	return digits > 0 && *value <= max;
}

/* "[+-]hh[:mm[:ss]]", hours up to max_hours: seconds, signed. */
static bool scan_hms(struct scan *sc, int max_hours, int32_t *seconds)
{
	int sign = 1, h, m = 0, s = 0;
	if (peek(sc) == '+' || peek(sc) == '-')
		sign = sc->s[sc->i++] == '-' ? -1 : 1;
	if (!scan_number(sc, 3, max_hours, &h))
		return false;
	if (peek(sc) == ':') {
		sc->i++;
		if (!scan_number(sc, 2, 59, &m))
			return false;
		if (peek(sc) == ':') {
			sc->i++;
			if (!scan_number(sc, 2, 59, &s))
				return false;
		}
	}
	*seconds = sign * (h * 3600 + m * 60 + s);
	return true;
}

static bool scan_day(struct scan *sc, struct rule_day *d)
{
	if (peek(sc) == 'J') {
		sc->i++;
		d->kind = 'J';
		return scan_number(sc, 3, 365, &d->n) && d->n >= 1;
	}
	if (is_digit(peek(sc))) {
		d->kind = 'N';
		return scan_number(sc, 3, 365, &d->n);
	}
	if (peek(sc) != 'M')
		return false;
	sc->i++;
	d->kind = 'M';
	if (!scan_number(sc, 2, 12, &d->month) || d->month < 1 || peek(sc) != '.')
		return false;
	sc->i++;
	if (!scan_number(sc, 1, 5, &d->week) || d->week < 1 || peek(sc) != '.')
		return false;
	sc->i++;
	return scan_number(sc, 1, 6, &d->weekday);
}

/* ",start[/time],end[/time]"; the time defaults to 02:00. */
static bool scan_change(struct scan *sc, struct rule_day *d, int32_t *time)
{
	if (peek(sc) != ',')
		return false;
	sc->i++;
	if (!scan_day(sc, d))
		return false;
	*time = 7200;
	if (peek(sc) != '/')
		return true;
	sc->i++;
	/* RFC 8536 extends the hours to -167..167. */
	return scan_hms(sc, 167, time);
}

/* The offset after a name: POSIX counts hours west, kabar east. */
static bool scan_offset(struct scan *sc, int32_t *east)
{
	int32_t west;
	if (!scan_hms(sc, 24, &west))
		return false;
	*east = -west;
	return true;
}

static bool parse_rule(const char *s, size_t len, struct rule *r)
{
	struct scan sc = {s, len, 0};
	memset(r, 0, sizeof *r);
	if (!scan_name(&sc, r->std.abbr) || !scan_offset(&sc, &r->std.offset))
		return false;
	if (at_end(&sc))
		return true;
	r->has_dst = true;
	r->dst.dst = true;
	if (!scan_name(&sc, r->dst.abbr))
		return false;
	r->dst.offset = r->std.offset + 3600;
	if (peek(&sc) != ',' && !at_end(&sc) && !scan_offset(&sc, &r->dst.offset))
		return false;
	if (at_end(&sc)) {
		/* No dates: the United States' rule, as tzcode assumes. */
		r->start = (struct rule_day){.kind = 'M', .month = 3, .week = 2};
		r->end = (struct rule_day){.kind = 'M', .month = 11, .week = 1};
		r->start_time = r->end_time = 7200;
		return true;
	}
	if (!scan_change(&sc, &r->start, &r->start_time) || !scan_change(&sc, &r->end, &r->end_time))
		return false;
	return at_end(&sc);
}

/* "\nRULE\n" after the version 2 data; an empty rule is no rule. */
static bool read_footer(struct reader *r, struct tz *z)
{
	const unsigned char *nl = take(r, 1);
	if (nl == NULL || *nl != '\n')
		return false;
	const unsigned char *start = r->p + r->pos;
	const unsigned char *end = memchr(start, '\n', r->len - r->pos);
	if (end == NULL)
		return false;
	size_t len = (size_t)(end - start);
	if (len == 0)
		return true;
	if (!parse_rule((const char *)start, len, &z->rule))
		return false;
	z->has_rule = true;
	return true;
}

/* ---- Public ---- */

struct tz *tz_parse(const unsigned char *data, size_t len)
{
	struct reader r = {data, len, 0};
	struct header h;
	if (!read_header(&r, &h))
		return NULL;
	struct tz *z = xcalloc(1, sizeof *z);
	bool ok;
	if (h.version == 1) {
		ok = read_block(&r, &h, 4, z);
	} else {
		ok = take(&r, block_size(&h, 4)) != NULL && read_header(&r, &h) &&
		     read_block(&r, &h, 8, z) && read_footer(&r, z);
	}
	if (!ok) {
		tz_free(z);
		return NULL;
	}
	return z;
}

const char *tz_dir(void)
{
	const char *dir = getenv("TZDIR");
	return dir != NULL && dir[0] != '\0' ? dir : "/usr/share/zoneinfo";
}

/* "Area/Place": parts of letters, digits, '_', '+' and '-', none of them
 * "." or "..", so a name never leaves the folder. */
static bool name_valid(const char *name)
{
	if (name[0] == '\0' || name[0] == '/' || strlen(name) > 128)
		return false;
	for (const char *p = name; *p != '\0'; p++) {
		char c = *p;
		if (!is_alpha(c) && !is_digit(c) && c != '_' && c != '+' && c != '-' && c != '/')
			return false;
		if (c == '/' && (p[1] == '/' || p[1] == '\0'))
			return false;
	}
	return true;
}

struct tz *tz_load(const char *name, struct buf *error)
{
	if (!name_valid(name)) {
		buf_printf(error, "\"%s\" is not a time zone name", name);
		return NULL;
	}
	char *path = xasprintf("%s/%s", tz_dir(), name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		buf_printf(error, "%s: %s", path, fd < 0 ? strerror(errno) : "not a file");
		if (fd >= 0)
			close(fd);
		free(path);
		return NULL;
	}
	struct buf bytes;
	buf_init(&bytes);
	int err = buf_read_fd(&bytes, fd, TZ_FILE_MAX);
	close(fd);
	struct tz *z = err == 0 ? tz_parse((const unsigned char *)bytes.data, bytes.len) : NULL;
	if (z == NULL)
		buf_printf(error, "%s: %s", path, err != 0 ? strerror(err) : "not a time zone file");
	buf_free(&bytes);
	free(path);
	return z;
}

struct tz *tz_copy(const struct tz *z)
{
	if (z == NULL)
		return NULL;
	struct tz *c = xmalloc(sizeof *c);
	*c = *z;
	c->at = xcalloc(z->n_at + 1, sizeof *c->at);
	memcpy(c->at, z->at, z->n_at * sizeof *c->at);
	c->type_of = xcalloc(z->n_at + 1, 1);
	memcpy(c->type_of, z->type_of, z->n_at);
	c->types = xcalloc(z->n_types, sizeof *c->types);
	memcpy(c->types, z->types, z->n_types * sizeof *c->types);
	return c;
}

void tz_free(struct tz *z)
{
	if (z == NULL)
		return;
	free(z->at);
	free(z->type_of);
	free(z->types);
	free(z);
}

static long long floor_div(long long a, long long b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Midnight (local, counted as UTC) of the rule's day in year. */
static int64_t rule_day_start(const struct rule_day *d, long long year)
{
	long long jan1 = calendar_days_from_civil(year, 1, 1);
	long long day;
	if (d->kind == 'J') {
		day = d->n - 1 + (calendar_is_leap(year) && d->n >= 60);
	} else if (d->kind == 'N') {
		day = d->n;
	} else {
		long long first = calendar_days_from_civil(year, d->month, 1);
		int weekday_first = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01: Thursday */
		int mday = 1 + (d->weekday - weekday_first + 7) % 7 + (d->week - 1) * 7;
		while (mday > calendar_days_in_month(year, d->month))
			mday -= 7;
		day = first - jan1 + mday - 1;
	}
	return (jan1 + day) * 86400;
}

static const struct tz_type *rule_type(const struct rule *r, int64_t t)
{
	if (!r->has_dst)
		return &r->std;
	long long year = calendar_year_of_day(floor_div(t + r->std.offset, 86400));
	int64_t start = rule_day_start(&r->start, year) + r->start_time - r->std.offset;
	int64_t end = rule_day_start(&r->end, year) + r->end_time - r->dst.offset;
	/* South of the equator summer spans the new year: start after end. */
	bool summer = start < end ? t >= start && t < end : t < end || t >= start;
	return summer ? &r->dst : &r->std;
}

static const struct tz_type *type_at(const struct tz *z, int64_t t)
{
	if (t > MAX_INSTANT)
		t = MAX_INSTANT;
	if (t < -MAX_INSTANT)
		t = -MAX_INSTANT;
	if (z->n_at == 0)
		return z->has_rule ? rule_type(&z->rule, t) : &z->types[0];
	if (t < z->at[0])
		return &z->types[0];
	if (t >= z->at[z->n_at - 1] && z->has_rule)
		return rule_type(&z->rule, t);
	size_t lo = 0, hi = z->n_at; /* at[lo] <= t < at[hi] */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->at[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return &z->types[z->type_of[lo]];
}

int tz_offset_at(const struct tz *z, int64_t t, const char **abbr)
{
	const struct tz_type *type = type_at(z, t);
	if (abbr != NULL)
		*abbr = type->abbr;
	return type->offset;
}

int tz_offset_of_local(const struct tz *z, int64_t local)
{
	if (local > MAX_INSTANT)
		local = MAX_INSTANT;
	if (local < -MAX_INSTANT)
		local = -MAX_INSTANT;
	int guess = tz_offset_at(z, local, NULL);
	int first = tz_offset_at(z, local - guess, NULL);
	int second = tz_offset_at(z, local - first, NULL);
	/* Consistent: local - first is an instant whose offset is first. */
	return first == second ? first : second;
}
