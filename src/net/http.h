/* SPDX-License-Identifier: MIT */
/* HTTP/1.1 request reading on top of Debian's libhttp-parser, with our limits,
 * and response head formatting. No I/O: the connection feeds received bytes
 * and gets whole requests (head + de-chunked body) back, one at a time, so
 * pipelined requests are answered in order. Limits: request-target length
 * (414), total header bytes and count (431), body size (413, checked against
 * Content-Length before reading and while de-chunking). One reader per
 * connection; loop thread only (tests and fuzzers may use it anywhere). */
#ifndef PARTA_NET_HTTP_H
#define PARTA_NET_HTTP_H

#include <http_parser.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

struct http_limits {
	size_t max_request_line;  /* request-target bytes */
	size_t max_header_bytes;  /* all header names + values */
	size_t max_headers;       /* header count */
	size_t max_body;          /* body bytes after de-chunking */
};

struct http_header {
	const char *name;  /* borrowed from the request; not NUL-terminated */
	size_t name_len;
	const char *value; /* NUL-terminated */
	size_t value_len;
};

struct http_request {
	int method;                 /* enum http_method */
	int http_major, http_minor;
	const char *target;         /* NUL-terminated request-target as sent */
	size_t target_len;
	const char *path;           /* NUL-terminated, target up to '?', not decoded */
	size_t path_len;
	const char *query;          /* NUL-terminated part after '?', "" if none */
	size_t query_len;
	struct http_header *headers;
	size_t nheaders;
	const char *body;           /* NUL-terminated; body_len authoritative */
	size_t body_len;
	bool keep_alive;
	bool upgrade;               /* Connection: upgrade + Upgrade header */
};

enum http_read_result {
	HTTP_READ_MORE = 0,   /* all bytes consumed, request incomplete */
	HTTP_READ_DONE = 1,   /* a whole request is ready (http_reader_request) */
	HTTP_READ_ERROR = 2,  /* malformed or over a limit: answer status, close */
};

struct http_reader_field {
	uint32_t name_off, name_len, value_off, value_len;
};

struct http_reader {
	http_parser parser;
	struct http_limits limits;
	struct buf head;            /* target, then header names and values, NUL-separated */
	struct buf body;
	struct http_reader_field *fields;
	size_t nfields, cap_fields;
	size_t target_len;
	int last_cb;                /* 0 none, 1 field, 2 value: header split tracking */
	bool done;
	int error_status;           /* HTTP status to answer on HTTP_READ_ERROR */
	const char *error_reason;   /* short English text for logs */
	struct http_request req;
	bool started;               /* any byte of the current request seen */
	bool headers_done;          /* head complete: later fields are chunked trailers */
	size_t trailer_bytes;
};

void http_reader_init(struct http_reader *r, const struct http_limits *limits);
void http_reader_release(struct http_reader *r);
/* Feed bytes. *consumed is how many were used: on DONE the rest belongs to the
 * next request (or to the WebSocket after an upgrade). On ERROR see
 * r->error_status. After DONE the request stays valid until http_reader_next. */
enum http_read_result http_reader_feed(struct http_reader *r, const char *data, size_t len,
				       size_t *consumed);
/* The request completed by the last DONE. */
const struct http_request *http_reader_request(const struct http_reader *r);
/* Forget the current request and prepare for the next one on this connection. */
void http_reader_next(struct http_reader *r);
/* True if part of a request has been received (for idle vs header timeouts). */
bool http_reader_in_request(const struct http_reader *r);

/* Case-insensitive header lookup; returns the value (NUL-terminated) or NULL. */
const char *http_header_get(const struct http_request *req, const char *name, size_t *len);
/* True if a comma-separated header value contains token (case-insensitive). */
bool http_header_has_token(const char *value, size_t len, const char *token);
/* Query parameter by name, percent-decoded into out (NUL-terminated). Returns
 * the decoded length or -1 if absent/too long/invalid encoding. */
long http_query_get(const struct http_request *req, const char *name, char *out, size_t out_size);
/* Cookie value by name from the Cookie header; copied into out. Returns length or -1. */
long http_cookie_get(const struct http_request *req, const char *name, char *out, size_t out_size);

/* Reason phrase for a status code ("OK", "Not Found"...). */
const char *http_status_text(int status);
/* Append a status line and standard headers (Date, Content-Type if non-NULL,
 * Content-Length if content_length >= 0, Connection) to out; extra_headers
 * (each line ending in \r\n, may be NULL) are inserted before the blank line. */
void http_format_head(struct buf *out, int status, const char *content_type, int64_t content_length,
		      bool keep_alive, const char *extra_headers);
/* RFC 7231 IMF-fixdate for t into out[30]. */
void http_date(int64_t t, char out[30]);

#endif
