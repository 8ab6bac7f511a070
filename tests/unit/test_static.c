/* SPDX-License-Identifier: MIT */
/* Range header parsing for static files and blobs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "net/static.h"

struct range_case {
	const char *header;
	size_t size;
	int result;
	size_t start, end;
};

static void test_ranges(void **state)
{
	(void)state;
	const struct range_case cases[] = {
		{"bytes=0-99", 1000, 1, 0, 99},
		{"bytes=100-", 1000, 1, 100, 999},
		{"bytes=-10", 1000, 1, 990, 999},
		{"bytes=-5000", 1000, 1, 0, 999},
		{"bytes=990-5000", 1000, 1, 990, 999},
		{"bytes=999-999", 1000, 1, 999, 999},
		{"bytes=1000-", 1000, -1, 0, 0},
		{"bytes=5000-6000", 1000, -1, 0, 0},
		{"bytes=-0", 1000, -1, 0, 0},
		{"bytes=0-0", 0, -1, 0, 0},
		{"bytes=5-3", 1000, 0, 0, 0},
		{"bytes=0-1,5-6", 1000, 0, 0, 0},
		{"items=0-1", 1000, 0, 0, 0},
		{"bytes=a-b", 1000, 0, 0, 0},
		{"bytes=", 1000, 0, 0, 0},
		{"bytes=99999999999999999999-", 1000, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t a = 0, b = 0;
		int r = static_parse_range(cases[i].header, strlen(cases[i].header), cases[i].size, &a, &b);
		if (r != cases[i].result)
			fail_msg("%s: got %d want %d", cases[i].header, r, cases[i].result);
		if (r == 1 && (a != cases[i].start || b != cases[i].end))
			fail_msg("%s: got %zu-%zu", cases[i].header, a, b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_ranges)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
