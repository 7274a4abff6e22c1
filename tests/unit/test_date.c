#include "date.h"

#include "check.h"
#include "tz.h"


#include <stdint.h>

#include <stdlib.h>

/* Parses s with the site in WITA (+08:00) and formats it as RFC 3339. */
static char *rfc3339(const char *s)
{
	struct when w = {0};
	if (!date_parse(s, strlen(s), 480, &w))
		return NULL;
	struct buf out = {0};
	date_format_rfc3339(&out, &w);
	return buf_steal(&out);
}

static void check_date(const char *s, const char *want)
{
	char *got = rfc3339(s);
	if (got == NULL || want == NULL || strcmp(got, want) != 0)
		fprintf(stderr, "  input \"%s\"\n", s);
	CHECK_STR(got, want);
	free(got);
}

static void test_iso_forms(void)
{
	check_date("2022-04-21", "2022-04-21T00:00:00+08:00");
	check_date("\"2011-08-17\"", "2011-08-17T00:00:00+08:00");
	check_date("'2011-08-17'", "2011-08-17T00:00:00+08:00");
	check_date("2011-8-17", "2011-08-17T00:00:00+08:00");
	check_date("2022-04-21 11:18", "2022-04-21T11:18:00+08:00");
	check_date("2022-04-21T11:18:30", "2022-04-21T11:18:30+08:00");
	check_date("2019-11-08T10:00:00Z", "2019-11-08T10:00:00Z");
	check_date("2014-03-25 11:00:00+11:00", "2014-03-25T11:00:00+11:00");
	check_date("2014-03-25T11:00:00.123456-07:00", "2014-03-25T11:00:00-07:00");
	check_date("2014-03-25 11:00:00 -0700", "2014-03-25T11:00:00-07:00");
	check_date("2014-03-25 11:00 +05", "2014-03-25T11:00:00+05:00");
	check_date("  2022-04-21 11:18 WIB ", "2022-04-21T11:18:00+07:00");
	check_date("2022-04-21 11:18 UTC", "2022-04-21T11:18:00Z");
}

static void test_bylines(void)
{
	check_date("Apr 21, 2022 - 11:18", "2022-04-21T11:18:00+08:00");
	check_date("21 April 2022", "2022-04-21T00:00:00+08:00");
	check_date("Kamis, 21 April 2022 11:18 WITA", "2022-04-21T11:18:00+08:00");
	check_date("Senin, 17 Agustus 2020 pukul 08:00 WIB", "2020-08-17T08:00:00+07:00");
	check_date("1 Mei 2021 09:30 WIT", "2021-05-01T09:30:00+09:00");
	check_date("Des 31, 1999", "1999-12-31T00:00:00+08:00");
	check_date("Okt. 5, 2010 - 7:05", "2010-10-05T07:05:00+08:00");
	check_date("February 29, 2024 GMT", "2024-02-29T00:00:00Z");
	check_date("12 Nopember 2011 10:00 +07:00", "2011-11-12T10:00:00+07:00");
}

static void test_invalid(void)
{
	const char *bad[] = {
		"", "garbage", "2022-13-01", "2022-02-30", "2023-02-29", "2022-04-31",
		"2022-00-10", "2022-04-00", "2022-04-21 24:00", "2022-04-21 11:60",
		"2022-04-21T11:18:00+25:00", "2022-04-21 11:18 XYZ", "2022-04-21 junk",
		"Apr 32, 2022", "Foo 21, 2022", "21 April", "April 2022", "20220421",
		"2022/04/21", "Apr 21, 2022 - 11", "12345-01-01",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct when w = {0};
		bool ok = date_parse(bad[i], strlen(bad[i]), 0, &w);
		if (ok)
			fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
		CHECK(!ok);
		CHECK(!w.set);
	}
}

static void test_utc_instant(void)
{
	struct when w = {0};
	CHECK(date_parse("Apr 21, 2022 - 11:18", 20, 480, &w));
	CHECK(w.set);
	CHECK_INT(w.t, 1650511080); /* 2022-04-21T03:18:00Z */
	CHECK_INT(w.offset_minutes, 480);
	struct tm tm;
	date_local(&w, &tm);
	CHECK_INT(tm.tm_hour, 11);
	CHECK_INT(tm.tm_mday, 21);
	CHECK(date_parse("1970-01-01T00:00:00Z", 20, 480, &w));
	CHECK_INT(w.t, 0);
	CHECK(date_parse("1969-12-31 23:00:00 -01:00", 26, 0, &w));
	CHECK_INT(w.t, 0);
}

static void test_time_given_or_not(void)
{
	struct when w = {0};
	CHECK(date_parse("2011-03-24", 10, 0, &w));
	CHECK(!w.has_time);
	CHECK(date_parse("2011-8-17", 9, 0, &w));
	CHECK(!w.has_time);
	CHECK(date_parse("2022-04-21 11:18", 16, 0, &w));
	CHECK(w.has_time);
	CHECK(date_parse("Apr 21, 2022 - 11:18", 20, 480, &w));
	CHECK(w.has_time);
}

static void test_month_names(void)
{
	CHECK_INT(date_month_number("Agustus", 7), 8);
	CHECK_INT(date_month_number("MEI", 3), 5);
	CHECK_INT(date_month_number("Oct", 3), 10);
	CHECK_INT(date_month_number("Desember", 8), 12);
	CHECK_INT(date_month_number("Mars", 4), 0);
}

static void test_negative_offset_format(void)
{
	struct when w = {.set = true, .t = 0, .offset_minutes = -330};
	struct buf out = {0};
	date_format_rfc3339(&out, &w);
	CHECK_STR(out.data, "1969-12-31T18:30:00-05:30");
	buf_free(&out);
}

static void test_offset_and_range(void)
{
	struct buf out = {0};
	date_format_offset(&out, 8 * 60);
	date_format_offset(&out, -(5 * 60 + 30));
	date_format_offset(&out, 0);
	CHECK_STR(out.data, "+08:00-05:30+00:00");
	buf_free(&out);
	/* A time no struct tm can hold: false, and a zeroed tm. */
	struct when far = {.set = true, .t = (time_t)INT64_MAX / 2, .offset_minutes = 0};
	struct tm tm;
	CHECK(!date_local(&far, &tm));
	CHECK_INT(tm.tm_year, 0);
	struct when day = {.set = true, .t = 1650511080, .offset_minutes = 8 * 60};
	CHECK(date_local(&day, &tm));
	CHECK_INT(tm.tm_hour, 11);
}

static bool zone_is(const char *text, int want)
{
	int offset = 99999;
	return date_parse_zone(text, strlen(text), &offset) && offset == want;
}

/* One rule for zones: the configuration's timezone and a date's zone are
 * read the same way and bounded the same way. */
static void test_zone_rule(void)
{
	CHECK(zone_is("Z", 0));
	CHECK(zone_is("utc", 0));
	CHECK(zone_is("WITA", 480));
	CHECK(zone_is("wib", 420));
	CHECK(zone_is("+05:45", 345)); /* Nepal */
	CHECK(zone_is("+0530", 330));
	CHECK(zone_is("-03", -180));
	CHECK(zone_is("+14:00", 840));
	CHECK(zone_is("-12:00", -720));
	const char *bad[] = {"", "+14:30", "-12:30", "-13", "+8", "+08:60", "+08:", "WITA8",
	                     " WIB", "Asia/Jakarta", "ZZ", "+08:00 "};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int offset;
		if (date_parse_zone(bad[i], strlen(bad[i]), &offset))
			fprintf(stderr, "  accepted zone \"%s\"\n", bad[i]);
		CHECK(!date_parse_zone(bad[i], strlen(bad[i]), &offset));
	}
	/* A date takes the same bounds. */
	struct when w;
	CHECK(date_parse("2022-04-21T11:18:00+14:00", 25, 0, &w));
	CHECK(!date_parse("2022-04-21T11:18:00-13:00", 25, 0, &w));
	CHECK(date_parse("2022-04-21T11:18:00-12:00", 25, 0, &w));
}

/* ---- Named zones (tz.h) ---- */

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* A version 2 TZif of one type ("LMT", +00:00), no transitions, and the
 * footer rule given: what the rule alone decides. */
static size_t build_tzif(unsigned char *out, const char *rule)
{
	size_t n = 0;
	for (int block = 0; block < 2; block++) {
		unsigned char *h = out + n;
		memset(h, 0, 44);
		memcpy(h, "TZif2", 5);
		put32(h + 36, 1); /* typecnt */
		put32(h + 40, 4); /* charcnt */
		n += 44;
		memset(out + n, 0, 6); /* utoff 0, isdst 0, desigidx 0 */
		n += 6;
		memcpy(out + n, "LMT", 4);
		n += 4;
	}
	out[n++] = '\n';
	memcpy(out + n, rule, strlen(rule));
	n += strlen(rule);
	out[n++] = '\n';
	return n;
}

/* Seconds since the epoch of a UTC date and time. */
static int64_t utc(int y, int mo, int d, int h, int mi)
{
	struct when w;
	char text[40];
	snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:00Z", y, mo, d, h, mi);
	CHECK(date_parse(text, strlen(text), 0, &w));
	return (int64_t)w.t;
}

static void check_at(const struct tz *z, int64_t t, int want_offset, const char *want_abbr)
{
	const char *abbr = NULL;
	CHECK_INT(tz_offset_at(z, t, &abbr), want_offset);
	CHECK_STR(abbr, want_abbr);
}

/* The footer's POSIX rule, with no tzdata: Berlin's and Sydney's (summer
 * across the new year), on either side of each change. */
static void test_tz_rule(void)
{
	unsigned char file[256];
	size_t len = build_tzif(file, "CET-1CEST,M3.5.0,M10.5.0/3");
	struct tz *z = tz_parse(file, len);
	CHECK(z != NULL);
	if (z == NULL)
		return;
	check_at(z, utc(2030, 1, 15, 12, 0), 3600, "CET");
	check_at(z, utc(2030, 3, 31, 0, 59), 3600, "CET"); /* last Sunday of March, 01:00 UTC */
	check_at(z, utc(2030, 3, 31, 1, 0), 7200, "CEST");
	check_at(z, utc(2030, 10, 27, 0, 59), 7200, "CEST");
	check_at(z, utc(2030, 10, 27, 1, 0), 3600, "CET");
	tz_free(z);

	len = build_tzif(file, "AEST-10AEDT,M10.1.0,M4.1.0/3");
	z = tz_parse(file, len);
	CHECK(z != NULL);
	if (z == NULL)
		return;
	check_at(z, utc(2030, 1, 15, 0, 0), 39600, "AEDT");
	check_at(z, utc(2030, 7, 15, 0, 0), 36000, "AEST");
	tz_free(z);

	len = build_tzif(file, "<+0545>-5:45");
	z = tz_parse(file, len);
	CHECK(z != NULL);
	if (z != NULL)
		check_at(z, utc(2030, 1, 1, 0, 0), 20700, "+0545");
	tz_free(z);
}

static void test_tz_refused(void)
{
	unsigned char file[256];
	size_t len = build_tzif(file, "CET-1CEST,M3.5.0,M10.5.0/3");
	CHECK(tz_parse(file, len - 1) == NULL); /* footer without its end */
	for (size_t cut = 0; cut < len - 1; cut += 7)
		CHECK(tz_parse(file, cut) == NULL);
	const char *rules[] = {"CET", "CET-1CEST,M13.5.0,M10.5.0", "CET-1CEST,M3.5.0", "C-1",
	                       "CET-25", "<+05>-5x", "CET-1CEST,J0,J365"};
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		len = build_tzif(file, rules[i]);
		struct tz *z = tz_parse(file, len);
		if (z != NULL)
			fprintf(stderr, "  accepted rule \"%s\"\n", rules[i]);
		CHECK(z == NULL);
		tz_free(z);
	}
	memcpy(file, "TZiX", 4);
	CHECK(tz_parse(file, len) == NULL);
	struct buf error = {0};
	CHECK(tz_load("../../etc/passwd", &error) == NULL);
	CHECK(tz_load("Europe/./Berlin", &error) == NULL);
	CHECK(tz_load("/etc/localtime", &error) == NULL);
	CHECK(tz_load("Nowhere/Atlantis", &error) == NULL);
	CHECK(error.len > 0);
	buf_free(&error);
}

/* The system's tzdata, when it has the zone: NULL (and a line saying so)
 * when it has not. */
static struct tz *system_zone(const char *name)
{
	struct buf error = {0};
	struct tz *z = tz_load(name, &error);
	if (z == NULL)
		printf("skip: %s (%s)\n", name, error.data);
	buf_free(&error);
	return z;
}

/* A date written without a zone, read in zone: RFC 3339 and the label a
 * byline writes after its time. */
static void check_local(const struct tz *z, const char *date, const char *want, const char *label)
{
	struct when w = {0};
	CHECK(date_parse_in(date, strlen(date), 0, z, &w));
	struct buf out = {0};
	date_format_rfc3339(&out, &w);
	CHECK_STR(out.data, want);
	CHECK_STR(date_zone_label(&w, z, 0, "UTC"), label);
	buf_free(&out);
}

static void test_tz_system(void)
{
	struct tz *berlin = system_zone("Europe/Berlin");
	if (berlin != NULL) {
		check_local(berlin, "2024-01-15 10:00", "2024-01-15T10:00:00+01:00", "CET");
		check_local(berlin, "2024-07-15 10:00", "2024-07-15T10:00:00+02:00", "CEST");
		/* Past tzdata's last transition: the footer's rule. */
		check_local(berlin, "2100-07-01 10:00", "2100-07-01T10:00:00+02:00", "CEST");
		check_local(berlin, "2100-12-01 10:00", "2100-12-01T10:00:00+01:00", "CET");
		/* A zone written in the date wins, and is shown as an offset. */
		check_local(berlin, "2024-07-15 10:00+08:00", "2024-07-15T10:00:00+08:00", NULL);
		CHECK_INT(date_zone_offset(berlin, 0, (time_t)utc(2024, 7, 1, 0, 0)), 120);
	}
	struct tz *york = system_zone("America/New_York");
	if (york != NULL) {
		check_local(york, "2024-01-15 10:00", "2024-01-15T10:00:00-05:00", "EST");
		check_local(york, "2024-07-15 10:00", "2024-07-15T10:00:00-04:00", "EDT");
		check_at(york, utc(2024, 3, 10, 6, 59), -18000, "EST"); /* 01:59 EST */
		check_at(york, utc(2024, 3, 10, 7, 0), -14400, "EDT");
	}
	struct tz *makassar = system_zone("Asia/Makassar");
	if (makassar != NULL) {
		check_local(makassar, "2022-04-21 11:18", "2022-04-21T11:18:00+08:00", "WITA");
		struct tz *copy = tz_copy(makassar);
		check_at(copy, utc(2022, 4, 21, 3, 18), 28800, "WITA");
		tz_free(copy);
	}
	/* A fixed zone keeps its name. */
	struct when w = {0};
	CHECK(date_parse("2022-04-21 11:18", 16, 480, &w));
	CHECK_STR(date_zone_label(&w, NULL, 480, "WITA"), "WITA");
	CHECK(date_zone_label(&w, NULL, 420, "WIB") == NULL);
	tz_free(berlin);
	tz_free(york);
	tz_free(makassar);
}

int main(void)
{
	RUN(test_iso_forms);
	RUN(test_bylines);
	RUN(test_invalid);
	RUN(test_utc_instant);
	RUN(test_time_given_or_not);
	RUN(test_month_names);
	RUN(test_negative_offset_format);
	RUN(test_offset_and_range);
	RUN(test_zone_rule);
	RUN(test_tz_rule);
	RUN(test_tz_refused);
	RUN(test_tz_system);
	return check_report();
}
