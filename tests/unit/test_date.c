#include "date.h"

#include "check.h"

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

int main(void)
{
	RUN(test_iso_forms);
	RUN(test_bylines);
	RUN(test_invalid);
	RUN(test_utc_instant);
	RUN(test_time_given_or_not);
	RUN(test_month_names);
	RUN(test_negative_offset_format);
	return check_report();
}
