/* SPDX-License-Identifier: MIT */
/* Unit tests for src/base/config.c: defaults and bounds as documented in
 * config.h, each value type with its rejections and error messages, config
 * files (comments, quotes, line numbers in errors), PARTA_* variables, command
 * line flags, the order of sources, --help, and conf/parta.conf.sample. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/config.h"
#include "base/err.h"

static const char *const all_names[] = {
	"listen_host", "port", "data_dir", "web_dir", "public_url", "store",
	"postgres_url", "log_level", "max_request_line", "max_header_bytes",
	"max_headers", "max_body_bytes", "header_timeout_ms", "body_timeout_ms",
	"idle_timeout_ms", "max_connections", "ws_max_frame", "ws_max_message",
	"ws_ping_interval_ms", "send_queue_max", "store_threads", "login_ip_per_minute",
	"invite_ip_per_minute", "login_account_failures", "login_account_window_s", "session_ttl_s",
	"cookie_secure", "shutdown_grace_ms",
};
#define NNAMES (sizeof all_names / sizeof all_names[0])

struct int_entry {
	const char *name;
	size_t offset;
	int64_t min, max, def;
};

#define INT_ENTRY(f, lo, hi, d) {#f, offsetof(struct config, f), lo, hi, d}

/* Transcribed from the comments in config.h. */
static const struct int_entry int_entries[] = {
	INT_ENTRY(port, 0, 65535, 8080),
	INT_ENTRY(max_request_line, 256, 1048576, 8192),
	INT_ENTRY(max_header_bytes, 1024, 1048576, 32768),
	INT_ENTRY(max_headers, 8, 1000, 100),
	INT_ENTRY(max_body_bytes, 1024, 1073741824, 1048576),
	INT_ENTRY(header_timeout_ms, 100, 600000, 10000),
	INT_ENTRY(body_timeout_ms, 100, 3600000, 30000),
	INT_ENTRY(idle_timeout_ms, 100, 3600000, 60000),
	INT_ENTRY(max_connections, 1, 10000000, 200000),
	INT_ENTRY(ws_max_frame, 125, 16777216, 65536),
	INT_ENTRY(ws_max_message, 125, 67108864, 1048576),
	INT_ENTRY(ws_ping_interval_ms, 1000, 3600000, 30000),
	INT_ENTRY(send_queue_max, 4096, 1073741824, 4194304),
	INT_ENTRY(store_threads, 1, 128, 8),
	INT_ENTRY(login_ip_per_minute, 1, 100000, 30),
	INT_ENTRY(invite_ip_per_minute, 1, 100000, 300),
	INT_ENTRY(login_account_failures, 1, 1000, 5),
	INT_ENTRY(login_account_window_s, 1, 86400, 900),
	INT_ENTRY(session_ttl_s, 60, 31536000, 2592000),
	INT_ENTRY(shutdown_grace_ms, 0, 600000, 5000),
};
#define NINTS (sizeof int_entries / sizeof int_entries[0])

static int64_t int_field(const struct config *c, const struct int_entry *e)
{
	return *(const int64_t *)((const char *)c + e->offset);
}

static bool str_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static bool config_equal(const struct config *a, const struct config *b)
{
	for (size_t i = 0; i < NINTS; i++)
		if (int_field(a, &int_entries[i]) != int_field(b, &int_entries[i]))
			return false;
	return str_eq(a->listen_host, b->listen_host) && str_eq(a->data_dir, b->data_dir) &&
	       str_eq(a->web_dir, b->web_dir) && str_eq(a->public_url, b->public_url) &&
	       str_eq(a->store, b->store) && str_eq(a->postgres_url, b->postgres_url) &&
	       str_eq(a->log_level, b->log_level) && a->cookie_secure == b->cookie_secure;
}

static void test_defaults(void **state)
{
	struct config c;
	(void)state;
	config_defaults(&c);
	assert_string_equal(c.listen_host, "127.0.0.1");
	assert_string_equal(c.data_dir, "./data");
	assert_string_equal(c.web_dir, "./web/dist");
	assert_string_equal(c.public_url, "");
	assert_string_equal(c.store, "sqlite");
	assert_string_equal(c.postgres_url, "");
	assert_string_equal(c.log_level, "info");
	assert_false(c.cookie_secure);
	for (size_t i = 0; i < NINTS; i++) {
		if (int_field(&c, &int_entries[i]) != int_entries[i].def)
			fail_msg("%s: default %" PRId64 ", want %" PRId64, int_entries[i].name,
				 int_field(&c, &int_entries[i]), int_entries[i].def);
	}
	config_free(&c);
	assert_null(c.listen_host);
	assert_null(c.store);
	config_free(&c);  /* twice is harmless */
}

/* Every integer entry accepts exactly its documented range. */
static void test_int_bounds(void **state)
{
	struct config c, d;
	struct config_error err;
	char val[32];
	(void)state;
	config_defaults(&c);
	config_defaults(&d);
	for (size_t i = 0; i < NINTS; i++) {
		const struct int_entry *e = &int_entries[i];
		char want[128];
		snprintf(want, sizeof want, "(allowed %" PRId64 "..%" PRId64 ")", e->min, e->max);

		snprintf(val, sizeof val, "%" PRId64, e->min);
		assert_int_equal(config_set(&c, e->name, val, &err), PERR_OK);
		assert_int_equal(int_field(&c, e), e->min);
		snprintf(val, sizeof val, "%" PRId64, e->max);
		assert_int_equal(config_set(&c, e->name, val, &err), PERR_OK);
		assert_int_equal(int_field(&c, e), e->max);

		snprintf(val, sizeof val, "%" PRId64, e->min - 1);
		memset(&err, 0, sizeof err);
		assert_int_equal(config_set(&c, e->name, val, &err), PERR_INVALID);
		assert_string_equal(err.name, e->name);
		assert_non_null(strstr(err.message, e->name));
		assert_non_null(strstr(err.message, val));
		assert_non_null(strstr(err.message, want));
		assert_int_equal(int_field(&c, e), e->max);  /* unchanged */

		snprintf(val, sizeof val, "%" PRId64, e->max + 1);
		assert_int_equal(config_set(&c, e->name, val, &err), PERR_INVALID);
		assert_non_null(strstr(err.message, want));
		assert_int_equal(int_field(&c, e), e->max);
	}
	config_free(&c);
	config_free(&d);
}

struct bad_int {
	const char *value;
	const char *what;  /* "not an integer" or "out of range" */
};

static void test_int_syntax(void **state)
{
	static const struct bad_int bad[] = {
		{"abc", "is not an integer"},
		{"", "is not an integer"},
		{" 2048", "is not an integer"},
		{"2048 ", "is not an integer"},
		{"2048x", "is not an integer"},
		{"2048.0", "is not an integer"},
		{"0x800", "is not an integer"},
		{"2e4", "is not an integer"},
		{"1k", "is not an integer"},
		{"-", "is not an integer"},
		{"+", "is not an integer"},
		{"--2048", "is not an integer"},
		{"99999999999999999999", "is out of range"},
		{"-99999999999999999999", "is out of range"},
		{"9223372036854775807", "is out of range"},
		{"-1", "is out of range"},
	};
	struct config c;
	struct config_error err;
	(void)state;
	config_defaults(&c);

	assert_int_equal(config_set(&c, "max_body_bytes", "abc", &err), PERR_INVALID);
	assert_string_equal(err.message,
			    "max_body_bytes: \"abc\" is not an integer (allowed 1024..1073741824)");
	assert_string_equal(err.name, "max_body_bytes");

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&err, 0, sizeof err);
		int rc = config_set(&c, "max_body_bytes", bad[i].value, &err);
		if (rc != PERR_INVALID)
			fail_msg("\"%s\" accepted", bad[i].value);
		if (!strstr(err.message, bad[i].what))
			fail_msg("\"%s\": message \"%s\" lacks \"%s\"", bad[i].value, err.message,
				 bad[i].what);
		assert_int_equal(c.max_body_bytes, 1048576);
	}

	assert_int_equal(config_set(&c, "max_body_bytes", "+2048", &err), PERR_OK);
	assert_int_equal(c.max_body_bytes, 2048);
	assert_int_equal(config_set(&c, "max_body_bytes", "0002048", &err), PERR_OK);
	assert_int_equal(c.max_body_bytes, 2048);
	assert_int_equal(config_set(&c, "shutdown_grace_ms", "-0", &err), PERR_OK);
	assert_int_equal(c.shutdown_grace_ms, 0);

	/* A huge value is quoted shortened, so the bounds still fit. */
	char huge[600];
	memset(huge, '7', sizeof huge - 1);
	huge[sizeof huge - 1] = '\0';
	assert_int_equal(config_set(&c, "port", huge, &err), PERR_INVALID);
	assert_non_null(strstr(err.message, "...\" is out of range (allowed 0..65535)"));
	config_free(&c);
}

static void test_bool(void **state)
{
	static const char *const yes[] = {"true", "yes", "on", "1", "TRUE", "Yes", "ON"};
	static const char *const no[] = {"false", "no", "off", "0", "False", "NO", "Off"};
	static const char *const bad[] = {"", "maybe", "2", "tru", "y", "n", " true",
					  "true ", "enabled", "-1"};
	struct config c;
	struct config_error err;
	(void)state;
	config_defaults(&c);
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		c.cookie_secure = false;
		assert_int_equal(config_set(&c, "cookie_secure", yes[i], &err), PERR_OK);
		assert_true(c.cookie_secure);
		assert_int_equal(config_set(&c, "cookie_secure", no[i], &err), PERR_OK);
		assert_false(c.cookie_secure);
	}
	c.cookie_secure = true;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (config_set(&c, "cookie_secure", bad[i], &err) != PERR_INVALID)
			fail_msg("\"%s\" accepted as a boolean", bad[i]);
		assert_string_equal(err.name, "cookie_secure");
		assert_true(c.cookie_secure);
	}
	assert_int_equal(config_set(&c, "cookie_secure", "maybe", &err), PERR_INVALID);
	assert_string_equal(err.message, "cookie_secure: \"maybe\" is not a boolean "
					 "(allowed true|false|yes|no|on|off|1|0)");
	config_free(&c);
}

static const char *str_field(const struct config *c, const char *name)
{
	static const struct {
		const char *name;
		size_t offset;
	} fields[] = {
		{"listen_host", offsetof(struct config, listen_host)},
		{"data_dir", offsetof(struct config, data_dir)},
		{"web_dir", offsetof(struct config, web_dir)},
		{"public_url", offsetof(struct config, public_url)},
		{"store", offsetof(struct config, store)},
		{"postgres_url", offsetof(struct config, postgres_url)},
		{"log_level", offsetof(struct config, log_level)},
	};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (strcmp(fields[i].name, name) == 0)
			return *(char *const *)((const char *)c + fields[i].offset);
	fail_msg("no string entry %s", name);
	return NULL;
}

struct string_case {
	const char *name;
	const char *value;
	int rc;
};

static void test_strings(void **state)
{
	static const struct string_case cases[] = {
		{"store", "sqlite", PERR_OK},
		{"store", "postgres", PERR_OK},
		{"store", "mysql", PERR_INVALID},
		{"store", "SQLite", PERR_INVALID},
		{"store", "sqlite ", PERR_INVALID},
		{"store", "sqlit", PERR_INVALID},
		{"store", "sqlite|postgres", PERR_INVALID},
		{"store", "", PERR_INVALID},
		{"log_level", "debug", PERR_OK},
		{"log_level", "info", PERR_OK},
		{"log_level", "warn", PERR_OK},
		{"log_level", "error", PERR_OK},
		{"log_level", "off", PERR_OK},
		{"log_level", "warning", PERR_INVALID},
		{"log_level", "trace", PERR_INVALID},
		{"log_level", "INFO", PERR_INVALID},
		{"log_level", "", PERR_INVALID},
		{"listen_host", "0.0.0.0", PERR_OK},
		{"listen_host", "192.168.10.1", PERR_OK},
		{"listen_host", "::", PERR_OK},
		{"listen_host", "::1", PERR_OK},
		{"listen_host", "fe80::1", PERR_OK},
		{"listen_host", "2001:db8::8a2e:370:7334", PERR_OK},
		{"listen_host", "::ffff:127.0.0.1", PERR_OK},
		{"listen_host", "localhost", PERR_INVALID},
		{"listen_host", "example.org", PERR_INVALID},
		{"listen_host", "256.0.0.1", PERR_INVALID},
		{"listen_host", "127.1", PERR_INVALID},
		{"listen_host", "[::1]", PERR_INVALID},
		{"listen_host", "1.2.3.4 ", PERR_INVALID},
		{"listen_host", "1.2.3.4:80", PERR_INVALID},
		{"listen_host", "", PERR_INVALID},
		{"data_dir", "/var/lib/parta", PERR_OK},
		{"data_dir", "dir with spaces", PERR_OK},
		{"web_dir", "/srv/web", PERR_OK},
		{"public_url", "", PERR_OK},
		{"public_url", "https://parta.example.org", PERR_OK},
		{"postgres_url", "host=db user=parta", PERR_OK},
	};
	struct config c;
	struct config_error err;
	(void)state;
	config_defaults(&c);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct string_case *t = &cases[i];
		memset(&err, 0, sizeof err);
		int rc = config_set(&c, t->name, t->value, &err);
		if (rc != t->rc)
			fail_msg("%s = \"%s\": rc %d, want %d (%s)", t->name, t->value, rc, t->rc,
				 err.message);
		if (rc == PERR_OK) {
			const char *got = str_field(&c, t->name);
			assert_string_equal(got, t->value);
		} else {
			assert_string_equal(err.name, t->name);
			assert_non_null(strstr(err.message, t->name));
		}
	}
	/* Rejected values leave the old one in place. */
	assert_string_equal(c.store, "postgres");
	assert_string_equal(c.log_level, "off");
	assert_string_equal(c.listen_host, "::ffff:127.0.0.1");

	assert_int_equal(config_set(&c, "store", "mysql", &err), PERR_INVALID);
	assert_string_equal(err.message,
			    "store: \"mysql\" is not one of the allowed values "
			    "(allowed sqlite|postgres)");
	assert_int_equal(config_set(&c, "log_level", "trace", &err), PERR_INVALID);
	assert_non_null(strstr(err.message, "debug|info|warn|error|off"));
	assert_int_equal(config_set(&c, "listen_host", "localhost", &err), PERR_INVALID);
	assert_non_null(strstr(err.message, "listen_host: \"localhost\" is not an IP address"));
	config_free(&c);
}

static void test_names(void **state)
{
	static const char *const unknown[] = {"nope", "Port", "PORT", "port_", "max_body",
					      "max_body_bytes_", "", "config", "--port",
					      "max__body_bytes"};
	struct config c;
	struct config_error err;
	(void)state;
	config_defaults(&c);
	assert_int_equal(config_set(&c, "max-body-bytes", "4096", &err), PERR_OK);
	assert_int_equal(c.max_body_bytes, 4096);
	assert_int_equal(config_set(&c, "max-body_bytes", "8192", &err), PERR_OK);
	assert_int_equal(c.max_body_bytes, 8192);
	for (size_t i = 0; i < NNAMES; i++) {
		/* Every documented entry exists (the value may be rejected). */
		memset(&err, 0, sizeof err);
		int rc = config_set(&c, all_names[i], "?", &err);
		if (rc == PERR_NOT_FOUND)
			fail_msg("entry %s missing", all_names[i]);
		if (rc != PERR_OK)
			assert_string_equal(err.name, all_names[i]);
	}
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
		if (config_set(&c, unknown[i], "1", &err) != PERR_NOT_FOUND)
			fail_msg("\"%s\" accepted as an entry", unknown[i]);
		assert_string_equal(err.name, unknown[i]);
		assert_non_null(strstr(err.message, "unknown entry"));
	}
	/* err may be NULL. */
	assert_int_equal(config_set(&c, "nope", "1", NULL), PERR_NOT_FOUND);
	assert_int_equal(config_set(&c, "port", "x", NULL), PERR_INVALID);
	config_free(&c);
}

/* ---- files ---- */

struct tmpfile {
	char path[64];
};

static void write_tmp(struct tmpfile *t, const char *text)
{
	snprintf(t->path, sizeof t->path, "/tmp/parta_test_config_XXXXXX");
	int fd = mkstemp(t->path);
	assert_true(fd >= 0);
	size_t n = strlen(text);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	close(fd);
}

static int load_text(struct config *c, const char *text, struct config_error *err, char *path,
		     size_t path_size)
{
	struct tmpfile t;
	write_tmp(&t, text);
	int rc = config_load_file(c, t.path, err);
	if (path)
		snprintf(path, path_size, "%s", t.path);
	unlink(t.path);
	return rc;
}

static void test_file(void **state)
{
	static const char text[] =
		"# Parta test configuration\n"
		"\n"
		"   # indented comment\n"
		"port = 9090\n"
		"\tmax-body-bytes\t=\t2048\t\n"
		"listen_host=::1\n"
		"data_dir = \"/srv/parta data\"\n"
		"public_url = \"\"\n"
		"postgres_url = host=db user=parta\n"
		"web_dir = \"a \"quoted\" dir\"\n"
		"cookie_secure = on\r\n"
		"log_level = debug\r\n"
		"   \r\n"
		"store = postgres";  /* no final newline */
	struct config c;
	struct config_error err;
	(void)state;
	config_defaults(&c);
	assert_int_equal(load_text(&c, text, &err, NULL, 0), PERR_OK);
	assert_int_equal(c.port, 9090);
	assert_int_equal(c.max_body_bytes, 2048);
	assert_string_equal(c.listen_host, "::1");
	assert_string_equal(c.data_dir, "/srv/parta data");
	assert_string_equal(c.public_url, "");
	assert_string_equal(c.postgres_url, "host=db user=parta");
	assert_string_equal(c.web_dir, "a \"quoted\" dir");
	assert_true(c.cookie_secure);
	assert_string_equal(c.log_level, "debug");
	assert_string_equal(c.store, "postgres");
	assert_int_equal(c.max_headers, 100);  /* untouched */

	/* An empty file changes nothing. */
	struct config d;
	config_defaults(&d);
	assert_int_equal(load_text(&d, "", &err, NULL, 0), PERR_OK);
	assert_int_equal(load_text(&d, "\n# only comments\n\n", &err, NULL, 0), PERR_OK);
	struct config e;
	config_defaults(&e);
	assert_true(config_equal(&d, &e));
	config_free(&c);
	config_free(&d);
	config_free(&e);
}

struct file_error_case {
	const char *text;
	int rc;
	unsigned line;
	const char *name;     /* err.name */
	const char *message;  /* after "path:line: " */
};

static void test_file_errors(void **state)
{
	static const struct file_error_case cases[] = {
		{"port = 80\n# c\nmax_body_bytes = abc\n", PERR_INVALID, 3, "max_body_bytes",
		 "max_body_bytes: \"abc\" is not an integer (allowed 1024..1073741824)"},
		{"\n\nnope = 1\n", PERR_NOT_FOUND, 3, "nope", "unknown entry \"nope\""},
		{"port 80\n", PERR_INVALID, 1, "", "expected \"name = value\""},
		{"port = 80\n= 5\n", PERR_INVALID, 2, "", "missing entry name before '='"},
		{"data_dir = \"/x\n", PERR_INVALID, 1, "data_dir",
		 "data_dir: unterminated quoted value"},
		{"data_dir = \"\n", PERR_INVALID, 1, "data_dir",
		 "data_dir: unterminated quoted value"},
		{"port = 80 # inline comments are not comments\n", PERR_INVALID, 1, "port",
		 "port: \"80 # inline comments are not comments\" is not an integer "
		 "(allowed 0..65535)"},
		{"port = \"70000\"\n", PERR_INVALID, 1, "port",
		 "port: \"70000\" is out of range (allowed 0..65535)"},
		{"port = \n", PERR_INVALID, 1, "port",
		 "port: \"\" is not an integer (allowed 0..65535)"},
		{"a\n", PERR_INVALID, 1, "", "expected \"name = value\""},
		{"store = mysql\r\n", PERR_INVALID, 1, "store",
		 "store: \"mysql\" is not one of the allowed values (allowed sqlite|postgres)"},
		{"cookie_secure = yes\nlisten_host = localhost\n", PERR_INVALID, 2, "listen_host",
		 NULL},
		{"port = 1\nport x = 2\n", PERR_NOT_FOUND, 2, "port x", "unknown entry \"port x\""},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct file_error_case *t = &cases[i];
		struct config c;
		struct config_error err;
		char path[64];
		char want[512];
		config_defaults(&c);
		memset(&err, 0, sizeof err);
		int rc = load_text(&c, t->text, &err, path, sizeof path);
		if (rc != t->rc)
			fail_msg("case %zu: rc %d, want %d (%s)", i, rc, t->rc, err.message);
		snprintf(want, sizeof want, "%s:%u: %s", path, t->line,
			 t->message ? t->message : "");
		if (t->message ? strcmp(err.message, want) != 0
			       : strncmp(err.message, want, strlen(want)) != 0)
			fail_msg("case %zu: message \"%s\", want \"%s\"", i, err.message, want);
		assert_string_equal(err.name, t->name);
		config_free(&c);
	}

	/* A NUL byte inside a line. */
	struct tmpfile t;
	struct config c;
	struct config_error err;
	snprintf(t.path, sizeof t.path, "/tmp/parta_test_config_XXXXXX");
	int fd = mkstemp(t.path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "port = 1\nport = 8\0\n", 19), 19);
	close(fd);
	config_defaults(&c);
	assert_int_equal(config_load_file(&c, t.path, &err), PERR_INVALID);
	assert_non_null(strstr(err.message, ":2: line contains a NUL byte"));
	unlink(t.path);

	/* Unreadable files. */
	assert_int_equal(config_load_file(&c, "/nonexistent/parta.conf", &err), PERR_IO);
	assert_non_null(strstr(err.message, "/nonexistent/parta.conf"));
	assert_int_equal(config_load_file(&c, "/tmp", &err), PERR_IO);
	config_free(&c);
}

/* ---- environment ---- */

static void test_env(void **state)
{
	char *const env[] = {
		"HOME=/root",
		"PARTA_PORT=9000",
		"PARTA_MAX_BODY_BYTES=4096",
		"PARTA_COOKIE_SECURE=yes",
		"PARTA_LOG_LEVEL=warn",
		"PARTA_PUBLIC_URL=",
		"PARTA_CONFIG=/etc/parta.conf",
		"PARTA_UNKNOWN_THING=1",
		"PARTA_=x",
		"PARTA_NOEQUALS",
		"XPARTA_STORE=postgres",
		"parta_store=postgres",
		"PARTA_DATA_DIR=/var/lib/parta=x",
		NULL,
	};
	struct config c;
	struct config_error err;
	(void)state;
	config_defaults(&c);
	assert_int_equal(config_load_env(&c, env, &err), PERR_OK);
	assert_int_equal(c.port, 9000);
	assert_int_equal(c.max_body_bytes, 4096);
	assert_true(c.cookie_secure);
	assert_string_equal(c.log_level, "warn");
	assert_string_equal(c.public_url, "");
	assert_string_equal(c.store, "sqlite");
	assert_string_equal(c.data_dir, "/var/lib/parta=x");

	char *const bad[] = {"PARTA_STORE=postgres", "PARTA_PORT=abc", "PARTA_MAX_HEADERS=9",
			     NULL};
	memset(&err, 0, sizeof err);
	assert_int_equal(config_load_env(&c, bad, &err), PERR_INVALID);
	assert_string_equal(err.name, "port");
	assert_string_equal(err.message, "environment PARTA_PORT: port: \"abc\" is not an "
					 "integer (allowed 0..65535)");
	assert_int_equal(c.port, 9000);
	assert_string_equal(c.store, "postgres");  /* earlier variables applied */
	assert_int_equal(c.max_headers, 100);      /* later ones not */

	assert_int_equal(config_load_env(&c, NULL, &err), PERR_OK);
	char *const empty[] = {NULL};
	assert_int_equal(config_load_env(&c, empty, &err), PERR_OK);
	config_free(&c);
}

/* ---- flags ---- */

static int load_args(struct config *c, struct config_error *err, char **argv)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	return config_load_args(c, argc, argv, err);
}

static void test_args(void **state)
{
	char *argv[] = {
		"parta", "serve",
		"--max-body-bytes=2048",
		"--max_headers", "50",
		"--port=0",
		"--config", "/etc/parta.conf",
		"--config=/etc/other.conf",
		"positional",
		"--store", "postgres",
		"--public-url=",
		"--idle-timeout-ms", "-5",  /* a negative number is a value, not a flag */
		NULL,
	};
	struct config c;
	struct config_error err;
	(void)state;
	config_defaults(&c);
	memset(&err, 0, sizeof err);
	assert_int_equal(load_args(&c, &err, argv), PERR_INVALID);
	assert_string_equal(err.name, "idle_timeout_ms");
	assert_string_equal(err.message,
			    "idle_timeout_ms: \"-5\" is out of range (allowed 100..3600000)");
	assert_int_equal(c.max_body_bytes, 2048);
	assert_int_equal(c.max_headers, 50);
	assert_int_equal(c.port, 0);
	assert_string_equal(c.store, "postgres");
	assert_string_equal(c.public_url, "");
	config_free(&c);

	/* Bool flags: bare means true, a following boolean word is taken. */
	char *b1[] = {"--cookie-secure", NULL};
	char *b2[] = {"--cookie-secure", "serve", NULL};
	char *b3[] = {"--cookie-secure", "false", "--port", "1", NULL};
	char *b4[] = {"--cookie-secure=no", NULL};
	char *b5[] = {"--cookie-secure=maybe", NULL};
	config_defaults(&c);
	assert_int_equal(load_args(&c, &err, b1), PERR_OK);
	assert_true(c.cookie_secure);
	c.cookie_secure = false;
	assert_int_equal(load_args(&c, &err, b2), PERR_OK);
	assert_true(c.cookie_secure);
	assert_int_equal(load_args(&c, &err, b3), PERR_OK);
	assert_false(c.cookie_secure);
	assert_int_equal(c.port, 1);
	c.cookie_secure = true;
	assert_int_equal(load_args(&c, &err, b4), PERR_OK);
	assert_false(c.cookie_secure);
	assert_int_equal(load_args(&c, &err, b5), PERR_INVALID);
	assert_string_equal(err.name, "cookie_secure");

	/* Unknown flags stop the server with a message naming them. */
	char *u1[] = {"serve", "--nope=1", NULL};
	char *u2[] = {"--help", NULL};
	char *u3[] = {"--max-body", "2048", NULL};
	assert_int_equal(load_args(&c, &err, u1), PERR_NOT_FOUND);
	assert_string_equal(err.name, "nope");
	assert_non_null(strstr(err.message, "--nope"));
	assert_int_equal(load_args(&c, &err, u2), PERR_NOT_FOUND);
	assert_string_equal(err.name, "help");
	assert_int_equal(load_args(&c, &err, u3), PERR_NOT_FOUND);
	assert_string_equal(err.name, "max-body");

	/* Missing values. */
	char *m1[] = {"--port", NULL};
	char *m2[] = {"--data-dir", "--port=1", NULL};
	assert_int_equal(load_args(&c, &err, m1), PERR_INVALID);
	assert_string_equal(err.name, "port");
	assert_string_equal(err.message, "--port needs a value");
	c.port = 7;
	assert_int_equal(load_args(&c, &err, m2), PERR_INVALID);
	assert_string_equal(err.name, "data_dir");
	assert_int_equal(c.port, 7);

	/* Later flags win; "--" ends the flags; non-flags are skipped. */
	char *l1[] = {"-p", "--port=1", "--port", "2", "x", "--", "--port=3", "--nope", NULL};
	assert_int_equal(load_args(&c, &err, l1), PERR_OK);
	assert_int_equal(c.port, 2);

	/* --config as the last argument, without its value. */
	char *c1[] = {"--port=4", "--config", NULL};
	assert_int_equal(load_args(&c, &err, c1), PERR_OK);
	assert_int_equal(c.port, 4);
	assert_int_equal(config_load_args(&c, 0, NULL, &err), PERR_OK);
	config_free(&c);
}

/* Defaults < file < environment < flags. */
static void test_precedence(void **state)
{
	char *const env[] = {"PARTA_PORT=2", "PARTA_MAX_HEADERS=20", NULL};
	char *argv[] = {"--port=3", NULL};
	struct config c;
	struct config_error err;
	(void)state;
	config_defaults(&c);
	assert_int_equal(load_text(&c, "port = 1\nmax_headers = 10\nstore_threads = 4\n", &err,
				   NULL, 0),
			 PERR_OK);
	assert_int_equal(config_load_env(&c, env, &err), PERR_OK);
	assert_int_equal(load_args(&c, &err, argv), PERR_OK);
	assert_int_equal(c.port, 3);
	assert_int_equal(c.max_headers, 20);
	assert_int_equal(c.store_threads, 4);
	assert_int_equal(c.max_body_bytes, 1048576);
	config_free(&c);
}

static void test_print_help(void **state)
{
	char *text = NULL;
	size_t size = 0;
	(void)state;
	FILE *f = open_memstream(&text, &size);
	assert_non_null(f);
	config_print_help(f);
	fclose(f);
	for (size_t i = 0; i < NNAMES; i++) {
		char flag[80];
		snprintf(flag, sizeof flag, "--%s", all_names[i]);
		for (char *p = flag + 2; *p; p++)
			if (*p == '_')
				*p = '-';
		if (!strstr(text, flag))
			fail_msg("--help lacks %s", flag);
	}
	for (size_t i = 0; i < NINTS; i++) {
		char bounds[96];
		snprintf(bounds, sizeof bounds, "(%" PRId64 "..%" PRId64 ", default %" PRId64 ")",
			 int_entries[i].min, int_entries[i].max, int_entries[i].def);
		if (!strstr(text, bounds))
			fail_msg("--help lacks %s for %s", bounds, int_entries[i].name);
	}
	assert_non_null(strstr(text, "sqlite|postgres"));
	assert_non_null(strstr(text, "debug|info|warn|error|off"));
	free(text);
}

/* conf/parta.conf.sample lists every entry, commented out, with its default:
 * uncommenting all of them must change nothing. */
static void test_sample_file(void **state)
{
	static const char self[] = "tests/unit/test_config.c";
	char path[4096];
	char *line = NULL;
	size_t cap = 0;
	unsigned seen[NNAMES] = {0};
	struct config c, d;
	struct config_error err;
	(void)state;

	/* __FILE__ is this file's path as given to the compiler. */
	size_t flen = strlen(__FILE__);
	size_t root = flen >= sizeof self - 1 ? flen - (sizeof self - 1) : 0;
	snprintf(path, sizeof path, "%.*sconf/parta.conf.sample", (int)root, __FILE__);
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s (run from the repository root)", path);

	config_defaults(&c);
	config_defaults(&d);
	while (getline(&line, &cap, f) > 0) {
		char name[64];
		char value[256];
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "# %63[a-z_] = %255[^\n]", name, value) != 2 &&
		    sscanf(line, "# %63[a-z_] =%255[^\n]", name, value) != 2)
			continue;
		size_t k = 0;
		while (k < NNAMES && strcmp(all_names[k], name) != 0)
			k++;
		if (k == NNAMES)
			continue;
		seen[k]++;
		/* The value as written, quotes included, through the file parser. */
		char entry[512];
		snprintf(entry, sizeof entry, "%s = %s\n", name, value);
		if (load_text(&c, entry, &err, NULL, 0) != PERR_OK)
			fail_msg("sample line \"%s\": %s", line, err.message);
	}
	free(line);
	fclose(f);
	for (size_t k = 0; k < NNAMES; k++)
		if (seen[k] != 1)
			fail_msg("%s appears %u times in the sample", all_names[k], seen[k]);
	assert_true(config_equal(&c, &d));
	config_free(&c);
	config_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_int_bounds),
		cmocka_unit_test(test_int_syntax),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_print_help),
		cmocka_unit_test(test_sample_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
