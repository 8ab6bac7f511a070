/* SPDX-License-Identifier: MIT */
/* Unit tests of the HTTP request reader (libhttp-parser glue): whole and
 * split requests, pipelining, chunked bodies, every limit, malformed input,
 * and the header/query/cookie helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/http.h"

static const struct http_limits lim = {
	.max_request_line = 256, .max_header_bytes = 1024, .max_headers = 8, .max_body = 64};

/* Feed the whole text at once; return the result and fill *consumed. */
static enum http_read_result feed_all(struct http_reader *r, const char *text, size_t *consumed)
{
	return http_reader_feed(r, text, strlen(text), consumed);
}

static void test_simple_get(void **state)
{
	(void)state;
	struct http_reader r;
	size_t used;
	const char *req = "GET /api/v1/x?a=1&b=%D0%B0+b HTTP/1.1\r\nHost: h\r\nX-Test:  v \r\n\r\n";
	http_reader_init(&r, &lim);
	assert_int_equal(feed_all(&r, req, &used), HTTP_READ_DONE);
	assert_int_equal(used, strlen(req));
	const struct http_request *q = http_reader_request(&r);
	assert_non_null(q);
	assert_int_equal(q->method, HTTP_GET);
	assert_int_equal(q->path_len, 9);
	assert_memory_equal(q->path, "/api/v1/x", 9);
	assert_string_equal(q->query, "a=1&b=%D0%B0+b");
	assert_true(q->keep_alive);
	size_t vl;
	const char *v = http_header_get(q, "x-test", &vl);
	assert_non_null(v);
	assert_string_equal(v, "v "); /* parser trims leading space only */
	char out[32];
	assert_int_equal(http_query_get(q, "a", out, sizeof out), 1);
	assert_string_equal(out, "1");
	assert_int_equal(http_query_get(q, "b", out, sizeof out), 4);
	assert_string_equal(out, "\xd0\xb0 b");
	assert_int_equal(http_query_get(q, "c", out, sizeof out), -1);
	http_reader_release(&r);
}

static void test_split_every_byte(void **state)
{
	(void)state;
	const char *req = "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nCookie: a=1; "
			  "parta_session=tok\r\n\r\nhello";
	size_t n = strlen(req);
	for (size_t cut = 1; cut < n; cut++) {
		struct http_reader r;
		size_t used;
		http_reader_init(&r, &lim);
		assert_int_equal(http_reader_feed(&r, req, cut, &used), HTTP_READ_MORE);
		assert_int_equal(used, cut);
		assert_true(http_reader_in_request(&r));
		assert_int_equal(http_reader_feed(&r, req + cut, n - cut, &used), HTTP_READ_DONE);
		const struct http_request *q = http_reader_request(&r);
		assert_int_equal(q->body_len, 5);
		assert_memory_equal(q->body, "hello", 5);
		char c[16];
		assert_int_equal(http_cookie_get(q, "parta_session", c, sizeof c), 3);
		assert_string_equal(c, "tok");
		http_reader_release(&r);
	}
}

static void test_pipelined(void **state)
{
	(void)state;
	struct http_reader r;
	size_t used;
	const char *two = "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n";
	http_reader_init(&r, &lim);
	assert_int_equal(feed_all(&r, two, &used), HTTP_READ_DONE);
	assert_int_equal(used, strlen(two) / 2);
	assert_memory_equal(http_reader_request(&r)->path, "/a", 2);
	http_reader_next(&r);
	assert_false(http_reader_in_request(&r));
	size_t used2;
	assert_int_equal(feed_all(&r, two + used, &used2), HTTP_READ_DONE);
	assert_memory_equal(http_reader_request(&r)->path, "/b", 2);
	assert_int_equal(used + used2, strlen(two));
	http_reader_release(&r);
}

static void test_chunked(void **state)
{
	(void)state;
	struct http_reader r;
	size_t used;
	const char *req = "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
			  "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n";
	http_reader_init(&r, &lim);
	assert_int_equal(feed_all(&r, req, &used), HTTP_READ_DONE);
	assert_int_equal(http_reader_request(&r)->body_len, 7);
	assert_string_equal(http_reader_request(&r)->body, "abcdefg");
	http_reader_release(&r);

	/* trailers after a chunked body are dropped; the headers stay intact */
	const char *trailers = "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
			       "3\r\nabc\r\n0\r\nX-Trailer: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
	http_reader_init(&r, &lim);
	assert_int_equal(feed_all(&r, trailers, &used), HTTP_READ_DONE);
	assert_string_equal(http_header_get(http_reader_request(&r), "host", NULL), "h");
	assert_null(http_header_get(http_reader_request(&r), "x-trailer", NULL));
	http_reader_release(&r);
}

struct limit_case {
	const char *name;
	const char *text;
	int status;
};

static char *repeat(const char *prefix, char c, size_t n, const char *suffix)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);
	char *s = malloc(pl + n + sl + 1);
	memcpy(s, prefix, pl);
	memset(s + pl, c, n);
	memcpy(s + pl + n, suffix, sl + 1);
	return s;
}

static void test_errors(void **state)
{
	(void)state;
	char *long_url = repeat("GET /", 'a', 300, " HTTP/1.1\r\nHost: h\r\n\r\n");
	char *big_header = repeat("GET / HTTP/1.1\r\nHost: h\r\nX: ", 'a', 2000, "\r\n\r\n");
	const struct limit_case cases[] = {
		{"garbage", "\x01\x02GARBAGE\r\n\r\n", 400},
		{"no host on 1.1", "GET / HTTP/1.1\r\n\r\n", 400},
		{"bad version", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505},
		{"body over limit by length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 65\r\n\r\n", 413},
		{"chunked body over limit",
		 "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
		 "41\r\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n0\r\n\r\n",
		 413},
		{"too many headers",
		 "GET / HTTP/1.1\r\nHost: h\r\na: 1\r\nb: 1\r\nc: 1\r\nd: 1\r\ne: 1\r\nf: 1\r\ng: 1\r\nh: "
		 "1\r\n\r\n",
		 431},
		{"bad chunk size", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
		{"space in header name", "GET / HTTP/1.1\r\nHost: h\r\nBad Name: v\r\n\r\n", 400},
		{"long url", long_url, 414},
		{"big header", big_header, 431},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct http_reader r;
		size_t used;
		http_reader_init(&r, &lim);
		enum http_read_result res = feed_all(&r, cases[i].text, &used);
		if (res != HTTP_READ_ERROR || r.error_status != cases[i].status)
			fail_msg("case %s: result %d status %d", cases[i].name, res, r.error_status);
		http_reader_release(&r);
	}
	free(long_url);
	free(big_header);
}

static void test_upgrade_and_close(void **state)
{
	(void)state;
	struct http_reader r;
	size_t used;
	const char *req = "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: keep-alive, "
			  "Upgrade\r\n\r\n\x81\x80";
	http_reader_init(&r, &lim);
	assert_int_equal(feed_all(&r, req, &used), HTTP_READ_DONE);
	assert_true(http_reader_request(&r)->upgrade);
	assert_int_equal(used, strlen(req) - 2); /* the frame bytes are left over */
	http_reader_release(&r);

	const char *c10 = "GET / HTTP/1.0\r\n\r\n";
	http_reader_init(&r, &lim);
	assert_int_equal(feed_all(&r, c10, &used), HTTP_READ_DONE);
	assert_false(http_reader_request(&r)->keep_alive);
	http_reader_release(&r);
}

static void test_header_tokens(void **state)
{
	(void)state;
	const char *v = "keep-alive, Upgrade";
	assert_true(http_header_has_token(v, strlen(v), "upgrade"));
	assert_true(http_header_has_token(v, strlen(v), "keep-alive"));
	assert_false(http_header_has_token(v, strlen(v), "close"));
	const char *g = "deflate;q=1, gzip;q=0.5";
	assert_true(http_header_has_token(g, strlen(g), "gzip"));
	assert_false(http_header_has_token("gzipx", 5, "gzip"));
}

static void test_format_head(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	http_format_head(&b, 404, "text/plain", 3, false, "X-A: 1\r\n");
	assert_non_null(strstr(b.data, "HTTP/1.1 404 Not Found\r\n"));
	assert_non_null(strstr(b.data, "Content-Length: 3\r\n"));
	assert_non_null(strstr(b.data, "Connection: close\r\n"));
	assert_non_null(strstr(b.data, "X-A: 1\r\n\r\n"));
	char d[30];
	http_date(0, d);
	assert_string_equal(d, "Thu, 01 Jan 1970 00:00:00 GMT");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_get),   cmocka_unit_test(test_split_every_byte),
		cmocka_unit_test(test_pipelined),    cmocka_unit_test(test_chunked),
		cmocka_unit_test(test_errors),       cmocka_unit_test(test_upgrade_and_close),
		cmocka_unit_test(test_header_tokens), cmocka_unit_test(test_format_head),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
