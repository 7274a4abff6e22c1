#ifndef KABAR_TESTS_CHECK_H
#define KABAR_TESTS_CHECK_H

/*
 * The unit-test harness: each tests/unit/test_NAME.c is a program whose main
 * calls RUN(test_fn) for each test and returns check_report(). A test fails
 * when any CHECK in it fails; the report ends with "N passed, N failed", the
 * line tests/run.py reads.
 */

#include <stdio.h>
#include <string.h>

static int check_failures_in_test;
static int check_tests_passed;
static int check_tests_failed;

#define CHECK(cond)                                                             \
	do {                                                                        \
		if (!(cond)) {                                                          \
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, \
			        #cond);                                                     \
			check_failures_in_test++;                                           \
		}                                                                       \
	} while (0)

#define CHECK_STR(got, want) check_str(__FILE__, __LINE__, (got), (want))
#define CHECK_INT(got, want) check_int(__FILE__, __LINE__, #got, (long long)(got), (long long)(want))

static inline void check_str(const char *file, int line, const char *got, const char *want)
{
	if (got == NULL && want == NULL)
		return;
	if (got != NULL && want != NULL && strcmp(got, want) == 0)
		return;
	fprintf(stderr, "  %s:%d: got \"%s\", want \"%s\"\n", file, line,
	        got ? got : "(null)", want ? want : "(null)");
	check_failures_in_test++;
}

static inline void check_int(const char *file, int line, const char *expr, long long got, long long want)
{
	if (got == want)
		return;
	fprintf(stderr, "  %s:%d: %s is %lld, want %lld\n", file, line, expr, got, want);
	check_failures_in_test++;
}

#define RUN(fn) check_run(#fn, fn)

static inline void check_run(const char *name, void (*fn)(void))
{
	check_failures_in_test = 0;
	fn();
	if (check_failures_in_test == 0) {
		check_tests_passed++;
		return;
	}
	check_tests_failed++;
	fprintf(stderr, "FAIL %s\n", name);
}

static inline int check_report(void)
{
	printf("%d passed, %d failed\n", check_tests_passed, check_tests_failed);
	return check_tests_failed == 0 ? 0 : 1;
}

#endif
