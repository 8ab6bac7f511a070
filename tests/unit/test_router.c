/* SPDX-License-Identifier: MIT */
/* Route matching: exact paths, parameters, 404 versus 405, HEAD on GET. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <http_parser.h>

#include "base/err.h"
#include "net/router.h"

static const struct route routes[] = {
	{HTTP_GET, "/healthz", NULL, 0},
	{HTTP_GET, "/api/v1/auth/sessions", NULL, 1},
	{HTTP_DELETE, "/api/v1/auth/sessions/:id", NULL, 2},
	{HTTP_GET, "/api/v1/chats/:chat/messages/:msg", NULL, 3},
};
#define N (sizeof routes / sizeof routes[0])

static int match(int method, const char *path, struct route_match *m)
{
	return router_match(routes, N, method, path, strlen(path), m);
}

static void test_matches(void **state)
{
	(void)state;
	struct route_match m;
	assert_int_equal(match(HTTP_GET, "/healthz", &m), PERR_OK);
	assert_ptr_equal(m.route, &routes[0]);
	assert_int_equal(match(HTTP_HEAD, "/healthz", &m), PERR_OK);
	assert_int_equal(match(HTTP_DELETE, "/api/v1/auth/sessions/42", &m), PERR_OK);
	assert_int_equal(m.nparams, 1);
	assert_int_equal(m.param_len[0], 2);
	assert_memory_equal(m.param[0], "42", 2);
	assert_int_equal(match(HTTP_GET, "/api/v1/chats/7/messages/99", &m), PERR_OK);
	assert_int_equal(m.nparams, 2);
	assert_memory_equal(m.param[1], "99", 2);
}

static void test_misses(void **state)
{
	(void)state;
	struct route_match m;
	const char *not_found[] = {"/", "/healthz/", "/healthzz", "/api/v1/auth/sessions/",
				   "/api/v1/auth/sessions/1/2", "/api/v1/chats//messages/1", ""};
	for (size_t i = 0; i < sizeof not_found / sizeof not_found[0]; i++) {
		int rc = match(HTTP_DELETE, not_found[i], &m);
		if (rc != PERR_NOT_FOUND)
			fail_msg("%s: %d", not_found[i], rc);
		assert_null(m.route);
	}
	assert_int_equal(match(HTTP_POST, "/healthz", &m), PERR_METHOD);
	assert_int_equal(match(HTTP_GET, "/api/v1/auth/sessions/5", &m), PERR_METHOD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_misses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
