#include "clock.h"

#include "check.h"

#include <time.h>

/* The clock moves forward by about what was slept, never back. */
static void test_monotonic(void)
{
	int64_t before = monotonic_ms();
	struct timespec pause = {.tv_sec = 0, .tv_nsec = 30 * 1000000L};
	nanosleep(&pause, NULL);
	int64_t after = monotonic_ms();
	CHECK(after - before >= 29);
	CHECK(after - before < 10 * 1000);
	for (int i = 0; i < 1000; i++) {
		int64_t now = monotonic_ms();
		CHECK(now >= after);
		after = now;
	}
}

int main(void)
{
	RUN(test_monotonic);
	return check_report();
}
