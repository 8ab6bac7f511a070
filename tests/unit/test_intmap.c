/* SPDX-License-Identifier: MIT */
/* intmap against a plain array model through random inserts and removals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "base/intmap.h"

static void test_random_model(void **state)
{
	(void)state;
	enum { N = 2000 };
	static int present[N];
	static int values[N];
	struct intmap m;
	intmap_init(&m);
	srand(7);
	for (int step = 0; step < 200000; step++) {
		int k = rand() % N;
		int64_t key = (int64_t)k * 7919 - 5000; /* negative keys too */
		if (rand() % 3) {
			intmap_put(&m, key, &values[k]);
			present[k] = 1;
		} else {
			void *v = intmap_remove(&m, key);
			assert_ptr_equal(v, present[k] ? &values[k] : NULL);
			present[k] = 0;
		}
		if (step % 997 == 0) {
			size_t count = 0;
			for (int i = 0; i < N; i++) {
				void *v = intmap_get(&m, (int64_t)i * 7919 - 5000);
				assert_ptr_equal(v, present[i] ? &values[i] : NULL);
				count += (size_t)present[i];
			}
			assert_int_equal(count, m.count);
		}
	}
	intmap_free(&m);
	assert_null(intmap_get(&m, 1));
	assert_null(intmap_remove(&m, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_random_model)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
