/* SPDX-License-Identifier: MIT */
/* HTTP/1.1 request reader: libhttp-parser callbacks that collect the request
 * target, headers and body into bounded buffers, pausing the parser at the end
 * of each message so pipelined requests are handed out one by one. Header
 * names and values are stored NUL-separated in one buffer by offset (it may
 * grow while parsing) and resolved to pointers when the headers complete. */
#include "net/http.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/alloc.h"
#include "base/err.h"

enum { CB_NONE = 0, CB_FIELD = 1, CB_VALUE = 2 };

static struct http_reader *reader_of(http_parser *p)
{
	return p->data;
}

static int http__fail(struct http_reader *r, int status, const char *reason)
{
	r->error_status = status;
	r->error_reason = reason;
	/* -1, not 1: from on_headers_complete, 1 would mean "no body" */
	return -1;
}

static int http__on_message_begin(http_parser *p)
{
	reader_of(p)->started = true;
	return 0;
}

static int http__on_url(http_parser *p, const char *at, size_t len)
{
	struct http_reader *r = reader_of(p);
	r->started = true;
	if (r->target_len + len > r->limits.max_request_line)
		return http__fail(r, 414, "request-target too long");
	if (buf_append(&r->head, at, len))
		return http__fail(r, 431, "head too large");
	r->target_len += len;
	return 0;
}

static size_t http__header_bytes(const struct http_reader *r)
{
	return r->head.len - r->target_len;
}

/* Chunked trailers arrive through the header callbacks after the head is
 * complete; they are counted against the limit and dropped (the request's
 * header pointers into r->head must not move). */
static int http__trailer(struct http_reader *r, size_t len)
{
	r->trailer_bytes += len;
	if (r->trailer_bytes > r->limits.max_header_bytes)
		return http__fail(r, 431, "trailers too large");
	return 0;
}

static int http__on_header_field(http_parser *p, const char *at, size_t len)
{
	struct http_reader *r = reader_of(p);
	if (r->headers_done)
		return http__trailer(r, len);
	if (r->head.len == r->target_len && r->nfields == 0 && r->last_cb == CB_NONE) {
		/* terminate the target */
		if (buf_putc(&r->head, '\0'))
			return http__fail(r, 431, "head too large");
	}
	if (r->last_cb != CB_FIELD) {
		if (r->last_cb == CB_VALUE && buf_putc(&r->head, '\0'))
			return http__fail(r, 431, "head too large");
		if (r->nfields >= r->limits.max_headers)
			return http__fail(r, 431, "too many headers");
		if (r->nfields == r->cap_fields) {
			r->cap_fields = r->cap_fields ? r->cap_fields * 2 : 16;
			r->fields = xrealloc(r->fields, r->cap_fields * sizeof *r->fields);
		}
		struct http_reader_field *f = &r->fields[r->nfields++];
		f->name_off = (uint32_t)r->head.len;
		f->name_len = 0;
		f->value_off = 0;
		f->value_len = 0;
		r->last_cb = CB_FIELD;
	}
	if (http__header_bytes(r) + len > r->limits.max_header_bytes)
		return http__fail(r, 431, "headers too large");
	if (buf_append(&r->head, at, len))
		return http__fail(r, 431, "headers too large");
	r->fields[r->nfields - 1].name_len += (uint32_t)len;
	return 0;
}

static int http__on_header_value(http_parser *p, const char *at, size_t len)
{
	struct http_reader *r = reader_of(p);
	if (r->headers_done)
		return http__trailer(r, len);
	struct http_reader_field *f = &r->fields[r->nfields - 1];
	if (r->last_cb != CB_VALUE) {
		if (buf_putc(&r->head, '\0'))
			return http__fail(r, 431, "headers too large");
		f->value_off = (uint32_t)r->head.len;
		r->last_cb = CB_VALUE;
	}
	if (http__header_bytes(r) + len > r->limits.max_header_bytes)
		return http__fail(r, 431, "headers too large");
	if (buf_append(&r->head, at, len))
		return http__fail(r, 431, "headers too large");
	f->value_len += (uint32_t)len;
	return 0;
}

static void http__split_target(struct http_request *q)
{
	const char *qm = memchr(q->target, '?', q->target_len);
	q->path = q->target;
	if (qm) {
		q->path_len = (size_t)(qm - q->target);
		q->query = qm + 1;
		q->query_len = q->target_len - q->path_len - 1;
	} else {
		q->path_len = q->target_len;
		q->query = "";
		q->query_len = 0;
	}
}

/* RFC 7230 token characters; Debian's parser is built lenient and lets
 * spaces and other separators through in header names. */
static bool http__is_token(const char *s, size_t n)
{
	static const char extra[] = "!#$%&'*+-.^_`|~";
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c) && !(c && strchr(extra, c)))
			return false;
	}
	return true;
}

static int http__on_headers_complete(http_parser *p)
{
	struct http_reader *r = reader_of(p);
	struct http_request *q = &r->req;
	if (r->nfields == 0 && buf_putc(&r->head, '\0'))
		return http__fail(r, 431, "head too large");
	if (r->last_cb == CB_VALUE && buf_putc(&r->head, '\0'))
		return http__fail(r, 431, "head too large");
	if (r->last_cb == CB_FIELD) /* header name without value cannot happen; be safe */
		return http__fail(r, 400, "header without value");
	if (r->target_len == 0)
		return http__fail(r, 400, "empty request-target");
	if (!(p->flags & F_CHUNKED) && p->content_length != UINT64_MAX &&
	    p->content_length > r->limits.max_body)
		return http__fail(r, 413, "body too large");

	q->method = p->method;
	q->http_major = p->http_major;
	q->http_minor = p->http_minor;
	q->target = r->head.data;
	q->target_len = r->target_len;
	http__split_target(q);
	q->nheaders = r->nfields;
	q->headers = xrealloc(q->headers, (r->nfields ? r->nfields : 1) * sizeof *q->headers);
	for (size_t i = 0; i < r->nfields; i++) {
		const struct http_reader_field *f = &r->fields[i];
		q->headers[i].name = r->head.data + f->name_off;
		q->headers[i].name_len = f->name_len;
		q->headers[i].value = f->value_off ? r->head.data + f->value_off : "";
		q->headers[i].value_len = f->value_len;
		if (!http__is_token(q->headers[i].name, f->name_len))
			return http__fail(r, 400, "bad header name");
	}
	r->headers_done = true;
	q->keep_alive = http_should_keep_alive(p) != 0;
	q->upgrade = p->upgrade != 0;
	if (q->http_major != 1)
		return http__fail(r, 505, "HTTP version not supported");
	if (q->http_minor == 1) {
		size_t hl;
		if (!http_header_get(q, "Host", &hl))
			return http__fail(r, 400, "missing Host");
	}
	return 0;
}

static int http__on_body(http_parser *p, const char *at, size_t len)
{
	struct http_reader *r = reader_of(p);
	if (r->body.len + len > r->limits.max_body)
		return http__fail(r, 413, "body too large");
	if (buf_append(&r->body, at, len))
		return http__fail(r, 413, "body too large");
	return 0;
}

static int http__on_message_complete(http_parser *p)
{
	struct http_reader *r = reader_of(p);
	r->done = true;
	r->req.body = r->body.data ? r->body.data : "";
	r->req.body_len = r->body.len;
	http_parser_pause(p, 1);
	return 0;
}

static const http_parser_settings http_settings = {
	.on_message_begin = http__on_message_begin,
	.on_url = http__on_url,
	.on_header_field = http__on_header_field,
	.on_header_value = http__on_header_value,
	.on_headers_complete = http__on_headers_complete,
	.on_body = http__on_body,
	.on_message_complete = http__on_message_complete,
};

void http_reader_init(struct http_reader *r, const struct http_limits *limits)
{
	memset(r, 0, sizeof *r);
	r->limits = *limits;
	buf_init(&r->head, limits->max_request_line + limits->max_header_bytes +
				   2 * limits->max_headers + 2);
	buf_init(&r->body, limits->max_body);
	http_parser_init(&r->parser, HTTP_REQUEST);
	r->parser.data = r;
}

void http_reader_release(struct http_reader *r)
{
	buf_free(&r->head);
	buf_free(&r->body);
	free(r->fields);
	free(r->req.headers);
	r->fields = NULL;
	r->req.headers = NULL;
}

void http_reader_next(struct http_reader *r)
{
	/* Keep small buffers for reuse; drop big ones so an idle keep-alive
	 * connection does not hold a large body. */
	if (r->body.cap > 16384)
		buf_free(&r->body);
	buf_reset(&r->body);
	if (r->head.cap > 8192)
		buf_free(&r->head);
	buf_reset(&r->head);
	r->nfields = 0;
	r->target_len = 0;
	r->last_cb = CB_NONE;
	r->done = false;
	r->started = false;
	r->headers_done = false;
	r->trailer_bytes = 0;
	r->error_status = 0;
	r->error_reason = NULL;
	struct http_header *keep = r->req.headers;
	memset(&r->req, 0, sizeof r->req);
	r->req.headers = keep;
	if (HTTP_PARSER_ERRNO(&r->parser) == HPE_PAUSED)
		http_parser_pause(&r->parser, 0);
}

bool http_reader_in_request(const struct http_reader *r)
{
	return r->started && !r->done;
}

enum http_read_result http_reader_feed(struct http_reader *r, const char *data, size_t len,
				       size_t *consumed)
{
	*consumed = 0;
	if (r->done)
		return HTTP_READ_DONE;
	if (len == 0)
		return HTTP_READ_MORE;
	size_t n = http_parser_execute(&r->parser, &http_settings, data, len);
	enum http_errno e = HTTP_PARSER_ERRNO(&r->parser);
	*consumed = n;
	if (r->done) {
		/* paused at message end; the byte that completed it was consumed */
		if (r->req.upgrade)
			*consumed = n;
		return HTTP_READ_DONE;
	}
	if (e != HPE_OK) {
		if (!r->error_status) {
			r->error_status = 400;
			r->error_reason = http_errno_description(e);
			if (e == HPE_INVALID_METHOD)
				r->error_status = 400;
		}
		return HTTP_READ_ERROR;
	}
	if (r->error_status)
		return HTTP_READ_ERROR;
	if (n != len) {
		r->error_status = 400;
		r->error_reason = "parser stopped";
		return HTTP_READ_ERROR;
	}
	return HTTP_READ_MORE;
}

const struct http_request *http_reader_request(const struct http_reader *r)
{
	return r->done ? &r->req : NULL;
}

const char *http_header_get(const struct http_request *req, const char *name, size_t *len)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < req->nheaders; i++) {
		const struct http_header *h = &req->headers[i];
		if (h->name_len == nl && strncasecmp(h->name, name, nl) == 0) {
			if (len)
				*len = h->value_len;
			return h->value;
		}
	}
	return NULL;
}

bool http_header_has_token(const char *value, size_t len, const char *token)
{
	size_t tl = strlen(token);
	size_t i = 0;
	while (i < len) {
		while (i < len && (value[i] == ' ' || value[i] == '\t' || value[i] == ','))
			i++;
		size_t start = i;
		while (i < len && value[i] != ',' && value[i] != ';')
			i++;
		size_t end = i;
		while (end > start && (value[end - 1] == ' ' || value[end - 1] == '\t'))
			end--;
		if (end - start == tl && strncasecmp(value + start, token, tl) == 0)
			return true;
		while (i < len && value[i] != ',')
			i++;
	}
	return false;
}

static int http__hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

long http_query_get(const struct http_request *req, const char *name, char *out, size_t out_size)
{
	size_t nl = strlen(name);
	const char *s = req->query;
	size_t len = req->query_len;
	size_t i = 0;
	while (i < len) {
		size_t start = i;
		while (i < len && s[i] != '&')
			i++;
		const char *eq = memchr(s + start, '=', i - start);
		size_t klen = eq ? (size_t)(eq - (s + start)) : i - start;
		if (klen == nl && memcmp(s + start, name, nl) == 0) {
			const char *v = eq ? eq + 1 : s + i;
			size_t vlen = eq ? (size_t)(s + i - v) : 0;
			size_t o = 0;
			for (size_t k = 0; k < vlen; k++) {
				int c = (unsigned char)v[k];
				if (c == '+') {
					c = ' ';
				} else if (c == '%') {
					if (k + 2 >= vlen)
						return -1;
					int hi = http__hex(v[k + 1]), lo = http__hex(v[k + 2]);
					if (hi < 0 || lo < 0)
						return -1;
					c = hi * 16 + lo;
					k += 2;
				}
				if (o + 1 >= out_size)
					return -1;
				out[o++] = (char)c;
			}
			out[o] = '\0';
			return (long)o;
		}
		i++;
	}
	return -1;
}

long http_cookie_get(const struct http_request *req, const char *name, char *out, size_t out_size)
{
	size_t len;
	const char *c = http_header_get(req, "Cookie", &len);
	size_t nl = strlen(name);
	size_t i = 0;
	if (!c)
		return -1;
	while (i < len) {
		while (i < len && (c[i] == ' ' || c[i] == ';'))
			i++;
		size_t start = i;
		while (i < len && c[i] != ';')
			i++;
		const char *eq = memchr(c + start, '=', i - start);
		if (eq && (size_t)(eq - (c + start)) == nl && memcmp(c + start, name, nl) == 0) {
			size_t vlen = (size_t)(c + i - (eq + 1));
			if (vlen + 1 > out_size)
				return -1;
			memcpy(out, eq + 1, vlen);
			out[vlen] = '\0';
			return (long)vlen;
		}
	}
	return -1;
}

const char *http_status_text(int status)
{
	switch (status) {
	case 101: return "Switching Protocols";
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 411: return "Length Required";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 422: return "Unprocessable Entity";
	case 426: return "Upgrade Required";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

void http_date(int64_t t, char out[30])
{
	/* strftime in the C locale (we never call setlocale) gives English names */
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	if (strftime(out, 30, "%a, %d %b %Y %H:%M:%S GMT", &tm) == 0)
		out[0] = '\0';
}

void http_format_head(struct buf *out, int status, const char *content_type, int64_t content_length,
		      bool keep_alive, const char *extra_headers)
{
	/* The Date value changes once a second; cache it per thread. */
	static _Thread_local time_t cached_sec;
	static _Thread_local char cached_date[30];
	time_t now = time(NULL);
	if (now != cached_sec) {
		http_date((int64_t)now, cached_date);
		cached_sec = now;
	}
	buf_printf(out, "HTTP/1.1 %d %s\r\nDate: %s\r\n", status, http_status_text(status),
		   cached_date);
	if (content_type)
		buf_printf(out, "Content-Type: %s\r\n", content_type);
	if (content_length >= 0)
		buf_printf(out, "Content-Length: %lld\r\n", (long long)content_length);
	buf_puts(out, keep_alive ? "" : "Connection: close\r\n");
	if (extra_headers)
		buf_puts(out, extra_headers);
	buf_puts(out, "\r\n");
}
