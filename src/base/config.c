/* SPDX-License-Identifier: MIT */
/* Configuration entries and the sources that set them (see config.h).
 *
 * One table describes every entry: its type, where it lives in struct config,
 * bounds, default and help line. Defaults, the file, the environment, flags
 * and --help all go through that table and through one function that parses
 * and checks a value, so every source accepts exactly the same text and
 * reports errors the same way. Adding a setting is one struct field and one
 * line in the table. */
#include "base/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "base/alloc.h"
#include "base/err.h"

enum config_type { CONFIG_INT, CONFIG_BOOL, CONFIG_STRING, CONFIG_CHOICE, CONFIG_ADDR };

struct config_entry {
	const char *name;
	enum config_type type;
	size_t offset;          /* of the field in struct config */
	int64_t min, max;       /* CONFIG_INT */
	const char *choices;    /* CONFIG_CHOICE: "a|b|c" */
	const char *def;        /* default as text, parsed like any other value */
	const char *help;
};

/* offsetof the field, checked at compile time to have the C type the entry's
 * type implies: a _Generic without a matching association does not compile. */
#define CONFIG__FIELD(field, ctype) \
	_Generic(((struct config *)0)->field, ctype: offsetof(struct config, field))

#define CONFIG_INT_ENTRY(field, lo, hi, dflt, text) \
	{ .name = #field, .type = CONFIG_INT, .offset = CONFIG__FIELD(field, int64_t), \
	  .min = lo, .max = hi, .def = dflt, .help = text }
#define CONFIG_BOOL_ENTRY(field, dflt, text) \
	{ .name = #field, .type = CONFIG_BOOL, .offset = CONFIG__FIELD(field, bool), \
	  .def = dflt, .help = text }
#define CONFIG_STR_ENTRY(field, kind, list, dflt, text) \
	{ .name = #field, .type = kind, .offset = CONFIG__FIELD(field, char *), \
	  .choices = list, .def = dflt, .help = text }

static const struct config_entry config_entries[] = {
	CONFIG_STR_ENTRY(listen_host, CONFIG_ADDR, NULL, "127.0.0.1",
			 "address to listen on (IPv4 or IPv6 literal, no brackets)"),
	CONFIG_INT_ENTRY(port, 0, 65535, "8080",
			 "TCP port to listen on; 0 picks any free port"),
	CONFIG_STR_ENTRY(data_dir, CONFIG_STRING, NULL, "./data",
			 "directory for the database and stored files"),
	CONFIG_STR_ENTRY(web_dir, CONFIG_STRING, NULL, "./web/dist",
			 "directory of the built web client"),
	CONFIG_STR_ENTRY(public_url, CONFIG_STRING, NULL, "",
			 "external base URL for links; empty means http://<listen_host>:<port>"),
	CONFIG_STR_ENTRY(store, CONFIG_CHOICE, "sqlite|postgres", "sqlite",
			 "storage backend"),
	CONFIG_STR_ENTRY(postgres_url, CONFIG_STRING, NULL, "",
			 "libpq connection string, used when store = postgres"),
	CONFIG_STR_ENTRY(log_level, CONFIG_CHOICE, "debug|info|warn|error|off", "info",
			 "lowest level of log records written to stderr"),
	CONFIG_INT_ENTRY(max_request_line, 256, 1048576, "8192",
			 "longest HTTP request line, in bytes"),
	CONFIG_INT_ENTRY(max_header_bytes, 1024, 1048576, "32768",
			 "total size of all headers of one HTTP request, in bytes"),
	CONFIG_INT_ENTRY(max_headers, 8, 1000, "100",
			 "most headers in one HTTP request"),
	CONFIG_INT_ENTRY(max_body_bytes, 1024, 1073741824, "1048576",
			 "largest HTTP request body, in bytes"),
	CONFIG_INT_ENTRY(header_timeout_ms, 100, 600000, "10000",
			 "time allowed to receive the request line and headers, in ms"),
	CONFIG_INT_ENTRY(body_timeout_ms, 100, 3600000, "30000",
			 "time allowed to receive a request body, in ms"),
	CONFIG_INT_ENTRY(idle_timeout_ms, 100, 3600000, "60000",
			 "how long an idle keep-alive connection stays open, in ms"),
	CONFIG_INT_ENTRY(max_connections, 1, 10000000, "200000",
			 "most simultaneous client connections"),
	CONFIG_INT_ENTRY(ws_max_frame, 125, 16777216, "65536",
			 "largest WebSocket frame payload, in bytes"),
	CONFIG_INT_ENTRY(ws_max_message, 125, 67108864, "1048576",
			 "largest WebSocket message after reassembly, in bytes"),
	CONFIG_INT_ENTRY(ws_ping_interval_ms, 1000, 3600000, "30000",
			 "interval between WebSocket pings, in ms"),
	CONFIG_INT_ENTRY(send_queue_max, 4096, 1073741824, "4194304",
			 "most bytes queued for sending on one connection"),
	CONFIG_INT_ENTRY(store_threads, 1, 128, "8",
			 "threads running store calls"),
	CONFIG_INT_ENTRY(login_ip_per_minute, 1, 100000, "30",
			 "login attempts allowed from one IP address per minute"),
	CONFIG_INT_ENTRY(invite_ip_per_minute, 1, 100000, "300",
			 "invitation link openings and redemptions allowed from one IP per minute"),
	CONFIG_INT_ENTRY(login_account_failures, 1, 1000, "5",
			 "failed logins of one account allowed within login_account_window_s"),
	CONFIG_INT_ENTRY(login_account_window_s, 1, 86400, "900",
			 "window over which failed logins of one account are counted, in s"),
	CONFIG_INT_ENTRY(session_ttl_s, 60, 31536000, "2592000",
			 "lifetime of a login session, in s (default 30 days)"),
	CONFIG_BOOL_ENTRY(cookie_secure, "false",
			  "mark session cookies Secure (turn on when served over HTTPS)"),
	CONFIG_INT_ENTRY(shutdown_grace_ms, 0, 600000, "5000",
			 "time open requests get to finish at shutdown, in ms"),
};

#define CONFIG_NENTRIES (sizeof config_entries / sizeof config_entries[0])
#define CONFIG_BOOL_WORDS "true|false|yes|no|on|off|1|0"
/* How much of a bad value an error message quotes. */
#define CONFIG_QUOTE_MAX 64

static void config__error(struct config_error *err, const char *name, size_t name_len,
			  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void config__error(struct config_error *err, const char *name, size_t name_len,
			  const char *fmt, ...)
{
	va_list ap;
	if (!err)
		return;
	if (name_len >= sizeof err->name)
		name_len = sizeof err->name - 1;
	memcpy(err->name, name, name_len);
	err->name[name_len] = '\0';
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
}

/* Put "prefix: " in front of err->message, e.g. "conf/parta.conf:12: ". */
static void config__prefix(struct config_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void config__prefix(struct config_error *err, const char *fmt, ...)
{
	char prefix[sizeof err->message];
	va_list ap;
	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	/* Truncation drops the tail of the message, never the place. */
	size_t plen = strlen(prefix);
	size_t mlen = strlen(err->message);
	if (plen + mlen >= sizeof err->message)
		mlen = sizeof err->message - 1 - plen;
	memmove(err->message + plen, err->message, mlen);
	memcpy(err->message, prefix, plen);
	err->message[plen + mlen] = '\0';
}

/* Entry named s[0..n), dashes and underscores equivalent; NULL if none. */
static const struct config_entry *config__find(const char *s, size_t n)
{
	for (size_t i = 0; i < CONFIG_NENTRIES; i++) {
		const char *name = config_entries[i].name;
		size_t k = 0;
		while (k < n && name[k]) {
			char c = s[k] == '-' ? '_' : s[k];
			if (c != name[k])
				break;
			k++;
		}
		if (k == n && name[k] == '\0')
			return &config_entries[i];
	}
	return NULL;
}

static bool config__parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

static bool config__is_choice(const char *choices, const char *s)
{
	size_t n = strlen(s);
	const char *p = choices;
	for (;;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && memcmp(p, s, n) == 0)
			return true;
		if (!bar)
			return false;
		p = bar + 1;
	}
}

static bool config__is_addr(const char *s)
{
	struct in6_addr a6;
	struct in_addr a4;
	return inet_pton(AF_INET, s, &a4) == 1 || inet_pton(AF_INET6, s, &a6) == 1;
}

/* strtoll with everything it lets through rejected: empty text, leading
 * space, trailing junk, overflow. */
static int config__parse_int(const struct config_entry *e, const char *value, int64_t *out,
			     struct config_error *err)
{
	const char *digits = value;
	const char *ell = strlen(value) > CONFIG_QUOTE_MAX ? "..." : "";
	char *end = NULL;

	if (*digits == '+' || *digits == '-')
		digits++;
	if (*digits < '0' || *digits > '9')
		goto not_int;
	errno = 0;
	long long v = strtoll(value, &end, 10);
	if (*end != '\0')
		goto not_int;
	if (errno == ERANGE || v < e->min || v > e->max) {
		config__error(err, e->name, strlen(e->name),
			      "%s: \"%.*s%s\" is out of range (allowed %" PRId64 "..%" PRId64 ")",
			      e->name, CONFIG_QUOTE_MAX, value, ell, e->min, e->max);
		return PERR_INVALID;
	}
	*out = (int64_t)v;
	return PERR_OK;
not_int:
	config__error(err, e->name, strlen(e->name),
		      "%s: \"%.*s%s\" is not an integer (allowed %" PRId64 "..%" PRId64 ")",
		      e->name, CONFIG_QUOTE_MAX, value, ell, e->min, e->max);
	return PERR_INVALID;
}

/* Check value for entry e and store it; c is untouched on failure. */
static int config__apply(struct config *c, const struct config_entry *e, const char *value,
			 struct config_error *err)
{
	int rc = PERR_OK;
	void *field = (char *)c + e->offset;
	const char *ell = strlen(value) > CONFIG_QUOTE_MAX ? "..." : "";
	int64_t i;
	bool b;

	switch (e->type) {
	case CONFIG_INT:
		rc = config__parse_int(e, value, &i, err);
		if (rc)
			goto out;
		*(int64_t *)field = i;
		goto out;
	case CONFIG_BOOL:
		if (!config__parse_bool(value, &b)) {
			config__error(err, e->name, strlen(e->name),
				      "%s: \"%.*s%s\" is not a boolean (allowed %s)",
				      e->name, CONFIG_QUOTE_MAX, value, ell, CONFIG_BOOL_WORDS);
			rc = PERR_INVALID;
			goto out;
		}
		*(bool *)field = b;
		goto out;
	case CONFIG_CHOICE:
		if (!config__is_choice(e->choices, value)) {
			config__error(err, e->name, strlen(e->name),
				      "%s: \"%.*s%s\" is not one of the allowed values "
				      "(allowed %s)",
				      e->name, CONFIG_QUOTE_MAX, value, ell, e->choices);
			rc = PERR_INVALID;
			goto out;
		}
		break;
	case CONFIG_ADDR:
		if (!config__is_addr(value)) {
			config__error(err, e->name, strlen(e->name),
				      "%s: \"%.*s%s\" is not an IP address (allowed an IPv4 "
				      "or IPv6 literal such as 0.0.0.0 or ::1)",
				      e->name, CONFIG_QUOTE_MAX, value, ell);
			rc = PERR_INVALID;
			goto out;
		}
		break;
	case CONFIG_STRING:
		break;
	}
	char **slot = field;
	free(*slot);
	*slot = xstrdup(value);
out:
	return rc;
}

void config_defaults(struct config *c)
{
	struct config_error err;
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < CONFIG_NENTRIES; i++) {
		if (config__apply(c, &config_entries[i], config_entries[i].def, &err)) {
			/* The table is wrong; no point running with it. */
			fprintf(stderr, "parta: bad built-in default: %s\n", err.message);
			abort();
		}
	}
}

void config_free(struct config *c)
{
	for (size_t i = 0; i < CONFIG_NENTRIES; i++) {
		const struct config_entry *e = &config_entries[i];
		if (e->type != CONFIG_INT && e->type != CONFIG_BOOL) {
			char **slot = (char **)((char *)c + e->offset);
			free(*slot);
			*slot = NULL;
		}
	}
}

int config_set(struct config *c, const char *name, const char *value, struct config_error *err)
{
	size_t n = strlen(name);
	const struct config_entry *e = config__find(name, n);
	if (!e) {
		config__error(err, name, n, "unknown entry \"%s\"", name);
		return PERR_NOT_FOUND;
	}
	return config__apply(c, e, value, err);
}

static bool config__space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* One line of a config file, already NUL-terminated and writable. */
static int config__file_line(struct config *c, char *line, size_t len, struct config_error *err)
{
	char *end = line + len;
	if (strlen(line) != len) {
		config__error(err, "", 0, "line contains a NUL byte");
		return PERR_INVALID;
	}
	while (end > line && config__space(end[-1]))
		*--end = '\0';
	while (config__space(*line))
		line++;
	if (*line == '\0' || *line == '#')
		return PERR_OK;

	char *eq = strchr(line, '=');
	if (!eq) {
		config__error(err, "", 0, "expected \"name = value\"");
		return PERR_INVALID;
	}
	char *name_end = eq;
	while (name_end > line && config__space(name_end[-1]))
		name_end--;
	size_t name_len = (size_t)(name_end - line);
	if (name_len == 0) {
		config__error(err, "", 0, "missing entry name before '='");
		return PERR_INVALID;
	}
	char *value = eq + 1;
	while (config__space(*value))
		value++;
	if (*value == '"') {
		size_t vlen = (size_t)(end - value);
		if (vlen < 2 || value[vlen - 1] != '"') {
			config__error(err, line, name_len, "%.*s: unterminated quoted value",
				      (int)name_len, line);
			return PERR_INVALID;
		}
		value[vlen - 1] = '\0';
		value++;
	}

	const struct config_entry *e = config__find(line, name_len);
	if (!e) {
		config__error(err, line, name_len, "unknown entry \"%.*s\"", (int)name_len, line);
		return PERR_NOT_FOUND;
	}
	return config__apply(c, e, value, err);
}

int config_load_file(struct config *c, const char *path, struct config_error *err)
{
	int rc = PERR_OK;
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		config__error(err, "", 0, "%s: %s", path, strerror(errno));
		return PERR_IO;
	}
	for (;;) {
		ssize_t n = getline(&line, &cap, f);
		if (n < 0) {
			if (ferror(f)) {
				config__error(err, "", 0, "%s: read error: %s", path,
					      strerror(errno));
				rc = PERR_IO;
			}
			goto out;
		}
		lineno++;
		rc = config__file_line(c, line, (size_t)n, err);
		if (rc) {
			config__prefix(err, "%s:%u: ", path, lineno);
			goto out;
		}
	}
out:
	free(line);
	fclose(f);
	return rc;
}

int config_load_env(struct config *c, char *const *envp, struct config_error *err)
{
	static const char prefix[] = "PARTA_";
	const size_t plen = sizeof prefix - 1;
	char name[64];

	for (size_t i = 0; envp && envp[i]; i++) {
		const char *var = envp[i];
		if (strncmp(var, prefix, plen) != 0)
			continue;
		const char *eq = strchr(var, '=');
		if (!eq)
			continue;
		size_t n = (size_t)(eq - var) - plen;
		if (n == 0 || n >= sizeof name)
			continue;
		for (size_t k = 0; k < n; k++) {
			char ch = var[plen + k];
			name[k] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
		}
		name[n] = '\0';
		/* PARTA_CONFIG names the file, read by the caller. */
		if (strcmp(name, "config") == 0)
			continue;
		const struct config_entry *e = config__find(name, n);
		if (!e)
			continue;
		int rc = config__apply(c, e, eq + 1, err);
		if (rc) {
			config__prefix(err, "environment %.*s: ", (int)(eq - var), var);
			return rc;
		}
	}
	return PERR_OK;
}

static bool config__is_config_flag(const char *name, size_t n)
{
	return n == 6 && memcmp(name, "config", 6) == 0;
}

/* A bool flag given alone means true; one followed by a boolean word takes
 * it, so `--cookie-secure false` does not silently mean true. Other flags
 * take "=value" or the next argument, which must not itself be a flag. A bare
 * "--" ends the flags, as usual. */
int config_load_args(struct config *c, int argc, char *const *argv, struct config_error *err)
{
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		if (strncmp(arg, "--", 2) != 0)
			continue;
		if (arg[2] == '\0')
			break;
		const char *name = arg + 2;
		const char *eq = strchr(name, '=');
		size_t n = eq ? (size_t)(eq - name) : strlen(name);
		if (config__is_config_flag(name, n)) {
			if (!eq)
				i++;  /* its value */
			continue;
		}
		const struct config_entry *e = config__find(name, n);
		if (!e) {
			config__error(err, name, n, "unknown option --%.*s", (int)n, name);
			return PERR_NOT_FOUND;
		}

		const char *value;
		bool b;
		if (eq) {
			value = eq + 1;
		} else if (e->type == CONFIG_BOOL) {
			value = "true";
			if (i + 1 < argc && config__parse_bool(argv[i + 1], &b))
				value = argv[++i];
		} else if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0) {
			value = argv[++i];
		} else {
			config__error(err, e->name, strlen(e->name), "--%s needs a value", name);
			return PERR_INVALID;
		}
		int rc = config__apply(c, e, value, err);
		if (rc)
			return rc;
	}
	return PERR_OK;
}

static void config__print_flag(FILE *out, const char *name)
{
	fputs("  --", out);
	for (const char *p = name; *p; p++)
		fputc(*p == '_' ? '-' : *p, out);
}

void config_print_help(FILE *out)
{
	fputs("Settings, each from a config file (name = value), the environment\n"
	      "(PARTA_NAME) or a flag (--name=value); later sources win:\n", out);
	for (size_t i = 0; i < CONFIG_NENTRIES; i++) {
		const struct config_entry *e = &config_entries[i];
		config__print_flag(out, e->name);
		switch (e->type) {
		case CONFIG_INT:
			fprintf(out, "=N  (%" PRId64 "..%" PRId64 ", default %s)\n",
				e->min, e->max, e->def);
			break;
		case CONFIG_BOOL:
			fprintf(out, "[=BOOL]  (%s, default %s)\n", CONFIG_BOOL_WORDS, e->def);
			break;
		case CONFIG_CHOICE:
			fprintf(out, "=%s  (default %s)\n", e->choices, e->def);
			break;
		case CONFIG_ADDR:
			fprintf(out, "=ADDR  (IPv4 or IPv6 literal, default %s)\n", e->def);
			break;
		case CONFIG_STRING:
			fprintf(out, "=TEXT  (default \"%s\")\n", e->def);
			break;
		}
		fprintf(out, "      %s\n", e->help);
	}
}
