/* SPDX-License-Identifier: MIT */
/* In-memory static file server for the web client. */
#include "net/static.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/log.h"

struct static_file {
	char *path;                 /* URL path, e.g. "/assets/app-1a2b.js" */
	struct shared_bytes *data;
	struct shared_bytes *gz;    /* pre-compressed twin or NULL */
	const char *type;
	char etag[48];
	char last_modified[30];
	int64_t mtime;
	bool immutable;             /* hashed asset name: cache for a year */
};

struct static_files {
	struct static_file *files;
	size_t n, cap;
	struct static_file *index;
};

static const struct {
	const char *ext;
	const char *type;
} mime_types[] = {
	{".html", "text/html; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".json", "application/json"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".jpg", "image/jpeg"},
	{".jpeg", "image/jpeg"},
	{".webp", "image/webp"},
	{".ico", "image/x-icon"},
	{".woff2", "font/woff2"},
	{".txt", "text/plain; charset=utf-8"},
	{".webmanifest", "application/manifest+json"},
	{".map", "application/json"},
	{".mp4", "video/mp4"},
	{".webm", "video/webm"},
	{".pdf", "application/pdf"},
};

static const char *static__type(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (dot)
		for (size_t i = 0; i < sizeof mime_types / sizeof mime_types[0]; i++)
			if (strcasecmp(dot, mime_types[i].ext) == 0)
				return mime_types[i].type;
	return "application/octet-stream";
}

static struct shared_bytes *static__read(const char *fs_path, size_t size)
{
	FILE *f = fopen(fs_path, "rb");
	if (!f)
		return NULL;
	struct shared_bytes *b = shared_bytes_new(size);
	size_t got = fread(b->data, 1, size, f);
	fclose(f);
	if (got != size) {
		shared_bytes_unref(b);
		return NULL;
	}
	return b;
}

static struct static_file *static__find(struct static_files *sf, const char *path, size_t len)
{
	for (size_t i = 0; i < sf->n; i++)
		if (strlen(sf->files[i].path) == len && memcmp(sf->files[i].path, path, len) == 0)
			return &sf->files[i];
	return NULL;
}

static void static__walk(struct static_files *sf, const char *root, const char *rel)
{
	char dir_path[4096];
	snprintf(dir_path, sizeof dir_path, "%s%s", root, rel);
	DIR *d = opendir(dir_path);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char rel2[4096], fs[8192];
		snprintf(rel2, sizeof rel2, "%s/%s", rel, de->d_name);
		snprintf(fs, sizeof fs, "%s%s", root, rel2);
		struct stat stt;
		if (stat(fs, &stt) != 0)
			continue;
		if (S_ISDIR(stt.st_mode)) {
			static__walk(sf, root, rel2);
			continue;
		}
		if (!S_ISREG(stt.st_mode))
			continue;
		size_t rl = strlen(rel2);
		if (rl > 3 && strcmp(rel2 + rl - 3, ".gz") == 0)
			continue; /* attached to its twin below */
		struct shared_bytes *data = static__read(fs, (size_t)stt.st_size);
		if (!data)
			continue;
		if (sf->n == sf->cap) {
			sf->cap = sf->cap ? sf->cap * 2 : 32;
			sf->files = xrealloc(sf->files, sf->cap * sizeof *sf->files);
		}
		struct static_file *f = &sf->files[sf->n++];
		memset(f, 0, sizeof *f);
		f->path = xstrdup(rel2);
		f->data = data;
		f->type = static__type(rel2);
		f->mtime = (int64_t)stt.st_mtime;
		http_date(f->mtime, f->last_modified);
		/* ETag from content, so rebuilding identical files keeps caches */
		uint64_t h = 1469598103934665603ull;
		for (size_t i = 0; i < data->len; i++)
			h = (h ^ (uint8_t)data->data[i]) * 1099511628211ull;
		snprintf(f->etag, sizeof f->etag, "\"%zx-%016llx\"", data->len, (unsigned long long)h);
		f->immutable = strncmp(rel2, "/assets/", 8) == 0;
		char gzp[8300];
		struct stat gst;
		snprintf(gzp, sizeof gzp, "%s.gz", fs);
		if (stat(gzp, &gst) == 0 && S_ISREG(gst.st_mode))
			f->gz = static__read(gzp, (size_t)gst.st_size);
	}
	closedir(d);
}

struct static_files *static_load(const char *dir)
{
	struct static_files *sf = xcalloc(1, sizeof *sf);
	static__walk(sf, dir, "");
	sf->index = static__find(sf, "/index.html", 11);
	if (!sf->index)
		log_warn("no web client in %s (run `make web`); serving the API only", dir);
	return sf;
}

size_t static_count(const struct static_files *sf)
{
	return sf->n;
}

void static_free(struct static_files *sf)
{
	if (!sf)
		return;
	for (size_t i = 0; i < sf->n; i++) {
		free(sf->files[i].path);
		shared_bytes_unref(sf->files[i].data);
		shared_bytes_unref(sf->files[i].gz);
	}
	free(sf->files);
	free(sf);
}

static bool parse_size(const char *s, size_t n, size_t *out)
{
	size_t v = 0;
	if (n == 0 || n > 19)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (size_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

int static_parse_range(const char *v, size_t len, size_t size, size_t *start, size_t *end)
{
	if (len < 7 || strncasecmp(v, "bytes=", 6) != 0)
		return 0;
	v += 6;
	len -= 6;
	while (len && *v == ' ') {
		v++;
		len--;
	}
	if (memchr(v, ',', len))
		return 0;
	const char *dash = memchr(v, '-', len);
	if (!dash)
		return 0;
	size_t a_len = (size_t)(dash - v);
	size_t b_len = len - a_len - 1;
	while (b_len && dash[b_len] == ' ')
		b_len--;
	size_t a = 0, b = 0;
	if (a_len == 0) {
		/* suffix: the last b bytes */
		if (!parse_size(dash + 1, b_len, &b))
			return 0;
		if (b == 0 || size == 0)
			return -1;
		*start = b >= size ? 0 : size - b;
		*end = size - 1;
		return 1;
	}
	if (!parse_size(v, a_len, &a))
		return 0;
	if (b_len == 0) {
		b = size ? size - 1 : 0;
	} else {
		if (!parse_size(dash + 1, b_len, &b) || b < a)
			return 0;
		if (b >= size)
			b = size - 1;
	}
	if (a >= size)
		return -1;
	*start = a;
	*end = b;
	return 1;
}

static bool static__not_modified(const struct http_request *req, const struct static_file *f)
{
	size_t len;
	const char *inm = http_header_get(req, "If-None-Match", &len);
	if (inm) {
		if (len == 1 && inm[0] == '*')
			return true;
		/* weak comparison: W/ prefixes are ignored */
		const char *p = strstr(inm, f->etag);
		return p != NULL;
	}
	const char *ims = http_header_get(req, "If-Modified-Since", &len);
	if (ims) {
		struct tm tm;
		memset(&tm, 0, sizeof tm);
		if (strptime(ims, "%a, %d %b %Y %H:%M:%S GMT", &tm)) {
			time_t t = timegm(&tm);
			return f->mtime <= (int64_t)t;
		}
	}
	return false;
}

static const char static_security_headers[] =
	"X-Content-Type-Options: nosniff\r\n"
	"Referrer-Policy: same-origin\r\n"
	"X-Frame-Options: DENY\r\n"
	"Content-Security-Policy: default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
	"connect-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'\r\n";

bool static_serve(struct static_files *sf, struct exchange *ex)
{
	const struct http_request *req = exchange_request(ex);
	if (req->method != HTTP_GET && req->method != HTTP_HEAD)
		return false;
	if (memchr(req->path, '%', req->path_len) || memmem(req->path, req->path_len, "..", 2))
		return false;
	struct static_file *f = NULL;
	if (req->path_len == 1 && req->path[0] == '/')
		f = sf->index;
	else
		f = static__find(sf, req->path, req->path_len);
	if (!f) {
		/* client-side route: no dot in the last segment, not the API */
		const char *last = req->path;
		for (size_t i = 0; i < req->path_len; i++)
			if (req->path[i] == '/')
				last = req->path + i + 1;
		if (!sf->index || strncmp(req->path, "/api/", 5) == 0 ||
		    memchr(last, '.', (size_t)(req->path + req->path_len - last)))
			return false;
		f = sf->index;
	}
	exchange_set_route(ex, f == sf->index ? "(static index)" : "(static)");

	struct buf h;
	buf_init(&h, 0);
	buf_printf(&h, "ETag: %s\r\nLast-Modified: %s\r\nAccept-Ranges: bytes\r\nVary: Accept-Encoding\r\n",
		   f->etag, f->last_modified);
	buf_puts(&h, f->immutable ? "Cache-Control: public, max-age=31536000, immutable\r\n"
				  : "Cache-Control: no-cache\r\n");
	buf_puts(&h, static_security_headers);

	if (static__not_modified(req, f)) {
		exchange_respond(ex, 304, NULL, NULL, 0, h.data);
		buf_free(&h);
		return true;
	}
	size_t rlen;
	const char *range = http_header_get(req, "Range", &rlen);
	if (range) {
		size_t irl;
		const char *if_range = http_header_get(req, "If-Range", &irl);
		if (if_range && strcmp(if_range, f->etag) != 0)
			range = NULL;
	}
	if (range) {
		size_t a = 0, b = 0;
		int r = static_parse_range(range, rlen, f->data->len, &a, &b);
		if (r < 0) {
			buf_printf(&h, "Content-Range: bytes */%zu\r\n", f->data->len);
			exchange_respond(ex, 416, NULL, NULL, 0, h.data);
			buf_free(&h);
			return true;
		}
		if (r > 0) {
			buf_printf(&h, "Content-Range: bytes %zu-%zu/%zu\r\n", a, b, f->data->len);
			exchange_respond_shared(ex, 206, f->type, f->data, a, b - a + 1, h.data);
			buf_free(&h);
			return true;
		}
	}
	size_t ael;
	const char *ae = http_header_get(req, "Accept-Encoding", &ael);
	if (f->gz && ae && http_header_has_token(ae, ael, "gzip")) {
		buf_puts(&h, "Content-Encoding: gzip\r\n");
		exchange_respond_shared(ex, 200, f->type, f->gz, 0, f->gz->len, h.data);
	} else {
		exchange_respond_shared(ex, 200, f->type, f->data, 0, f->data->len, h.data);
	}
	buf_free(&h);
	return true;
}
