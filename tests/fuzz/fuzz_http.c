/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the HTTP request reader: the input is fed as a
 * connection would see it, in chunks whose sizes come from the first byte,
 * through every pipelined request. Invariants: the reader never consumes more
 * than it was given, a finished request's fields stay inside their limits,
 * and errors carry a 4xx/5xx status. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct http_limits lim = {
	.max_request_line = 512, .max_header_bytes = 2048, .max_headers = 16, .max_body = 4096};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t chunk = (size_t)(data[0] % 17) + 1;
	const char *p = (const char *)data + 1;
	size_t left = size - 1;
	struct http_reader r;
	http_reader_init(&r, &lim);
	size_t pending = 0; /* bytes given but not consumed, re-fed with the next chunk */
	while (left > 0 || pending > 0) {
		size_t n = pending + (left < chunk ? left : chunk);
		size_t used = 0;
		enum http_read_result res = http_reader_feed(&r, p, n, &used);
		assert(used <= n);
		if (res == HTTP_READ_ERROR) {
			assert(r.error_status >= 400 && r.error_status < 600);
			break;
		}
		if (res == HTTP_READ_DONE) {
			const struct http_request *q = http_reader_request(&r);
			assert(q);
			assert(q->target_len <= lim.max_request_line);
			assert(q->nheaders <= lim.max_headers);
			assert(q->body_len <= lim.max_body);
			assert(q->path_len <= q->target_len);
			for (size_t i = 0; i < q->nheaders; i++)
				assert(strlen(q->headers[i].value) == q->headers[i].value_len ||
				       memchr(q->headers[i].value, '\0', q->headers[i].value_len));
			size_t hl;
			(void)http_header_get(q, "content-type", &hl);
			char tmp[64];
			(void)http_query_get(q, "token", tmp, sizeof tmp);
			(void)http_cookie_get(q, "parta_session", tmp, sizeof tmp);
			if (q->upgrade)
				break;
			http_reader_next(&r);
		}
		size_t advanced = used;
		p += advanced;
		size_t fed_new = n - pending;
		left -= fed_new;
		pending = n - advanced;
		if (res == HTTP_READ_MORE) {
			assert(pending == 0); /* the reader keeps partial input itself */
			if (left == 0)
				break;
		}
		if (res == HTTP_READ_DONE && pending == 0 && left == 0)
			break;
	}
	http_reader_release(&r);
	return 0;
}
