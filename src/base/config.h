/* SPDX-License-Identifier: MIT */
/* Server configuration: every tunable of Parta is one entry here with a type,
 * bounds and a default. Sources, later overriding earlier: built-in defaults,
 * a config file (`name = value` lines, `#` comments), the environment
 * (PARTA_<NAME> upper-cased, e.g. PARTA_MAX_BODY_BYTES) and command-line flags
 * (`--name=value` or `--name value`, dashes and underscores equivalent).
 * An invalid value is reported with the entry's name; the caller stops.
 * Loaded once at start on the main thread, read-only afterwards. */
#ifndef PARTA_BASE_CONFIG_H
#define PARTA_BASE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct config {
	char *listen_host;          /* listen_host: IPv4/IPv6 literal, default 127.0.0.1 */
	int64_t port;               /* port: 0..65535, default 8080 (0 = any free port) */
	char *data_dir;             /* data_dir: default ./data */
	char *web_dir;              /* web_dir: default ./web/dist */
	char *public_url;           /* public_url: "" = http://<listen_host>:<port> */
	char *store;                /* store: sqlite | postgres, default sqlite */
	char *postgres_url;         /* postgres_url: libpq conninfo, default "" */
	char *log_level;            /* log_level: debug|info|warn|error|off, default info */
	int64_t max_request_line;   /* 256..1048576, default 8192 */
	int64_t max_header_bytes;   /* 1024..1048576, default 32768 (all headers) */
	int64_t max_headers;        /* 8..1000, default 100 */
	int64_t max_body_bytes;     /* 1024..1073741824, default 1048576 */
	int64_t header_timeout_ms;  /* 100..600000, default 10000 */
	int64_t body_timeout_ms;    /* 100..3600000, default 30000 */
	int64_t idle_timeout_ms;    /* 100..3600000, default 60000 (keep-alive) */
	int64_t max_connections;    /* 1..10000000, default 200000 */
	int64_t ws_max_frame;       /* 125..16777216, default 65536 */
	int64_t ws_max_message;     /* 125..67108864, default 1048576 */
	int64_t ws_ping_interval_ms;/* 1000..3600000, default 30000 */
	int64_t send_queue_max;     /* 4096..1073741824, default 4194304 bytes per connection */
	int64_t store_threads;      /* 1..128, default 8: threads running store calls */
	int64_t login_ip_per_minute;      /* 1..100000, default 30 */
	int64_t invite_ip_per_minute;     /* 1..100000, default 300 (a classroom behind one NAT address) */
	int64_t login_account_failures;   /* 1..1000, default 5 */
	int64_t login_account_window_s;   /* 1..86400, default 900 */
	int64_t session_ttl_s;      /* 60..31536000, default 2592000 (30 days) */
	bool cookie_secure;         /* true|false|yes|no|on|off|1|0, default false */
	int64_t shutdown_grace_ms;  /* 0..600000, default 5000 */
};

struct config_error {
	char name[64];      /* the entry at fault ("" if not about one entry) */
	char message[256];  /* human-readable, English, includes the bad value and bounds */
};

/* Fill every entry with its default (strings are heap copies). */
void config_defaults(struct config *c);
void config_free(struct config *c);
/* Set one entry from text. name accepts dashes or underscores. Returns PERR_OK,
 * PERR_NOT_FOUND (unknown entry) or PERR_INVALID (bad type or out of bounds);
 * on error c is unchanged and err filled. */
int config_set(struct config *c, const char *name, const char *value, struct config_error *err);
/* Read a file of `name = value` lines. Unknown entries and bad values are
 * errors (err->message carries "path:line: ..."). PERR_IO if unreadable. */
int config_load_file(struct config *c, const char *path, struct config_error *err);
/* Apply PARTA_* variables from envp (NULL-terminated, like environ). Variables
 * PARTA_CONFIG and those not naming an entry are ignored. */
int config_load_env(struct config *c, char *const *envp, struct config_error *err);
/* Apply --name=value / --name value flags from argv[0..argc). Arguments not
 * starting with "--" and the flag --config are skipped (left for the caller). */
int config_load_args(struct config *c, int argc, char *const *argv, struct config_error *err);
/* Write every entry with type, bounds, default and a one-line description. */
void config_print_help(FILE *out);

#endif
