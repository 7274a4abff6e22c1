#include "calendar.h"

bool calendar_is_leap(long long year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int calendar_days_in_month(long long year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (month == 2 && calendar_is_leap(year))
		return 29;
	return days[month - 1];
}

/* Counted in eras of 400 years, which repeat exactly. */
long long calendar_days_from_civil(long long year, int month, int day)
{
	long long y = month <= 2 ? year - 1 : year;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

long long calendar_year_of_day(long long days)
{
	long long z = days + 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153;
	long long month = mp < 10 ? mp + 3 : mp - 9;
	return yoe + era * 400 + (month <= 2);
}
