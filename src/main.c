/* SPDX-License-Identifier: MIT */
/* The parta command: `serve` runs the server; `admin` holds maintenance
 * commands (create-admin, migrate); `version` prints the version. Builds the
 * application context from the configuration and owns its lifetime. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "api/api.h"
#include "base/alloc.h"
#include "base/config.h"
#include "base/err.h"
#include "base/log.h"
#include "demo.h"
#include "domain/ratelimit.h"
#include "net/metrics.h"
#include "net/static.h"
#include "net/work.h"
#include "rt/bus.h"
#include "rt/hub.h"

#define PARTA_VERSION "0.1.0"

extern char **environ;

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: parta <command> [--option=value ...]\n"
		"Commands:\n"
		"  serve                      run the server\n"
		"  admin create-admin --login=L --name=N   create a platform administrator\n"
		"                             (password from PARTA_ADMIN_PASSWORD or asked on the terminal)\n"
		"  admin migrate              apply database migrations and exit\n"
		"  demo                       seed the demo college into an empty data dir, print demo logins\n"
		"  version                    print the version\n"
		"  help                       this text and every configuration entry\n"
		"Options: --config=FILE, and every configuration entry as --name=value\n"
		"(also PARTA_NAME in the environment). `parta help` lists them.\n");
}

/* Find --name=value or --name value among args; returns the value or NULL. */
static const char *arg_value(int argc, char **argv, const char *name)
{
	size_t nl = strlen(name);
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) != 0 || strncmp(argv[i] + 2, name, nl) != 0)
			continue;
		const char *rest = argv[i] + 2 + nl;
		if (*rest == '=')
			return rest + 1;
		if (*rest == '\0' && i + 1 < argc)
			return argv[i + 1];
	}
	return NULL;
}

static int load_config(struct config *cfg, int argc, char **argv)
{
	struct config_error err = {{0}, {0}};
	int rc;
	config_defaults(cfg);
	const char *file = arg_value(argc, argv, "config");
	if (!file)
		file = getenv("PARTA_CONFIG");
	if (file) {
		rc = config_load_file(cfg, file, &err);
		if (rc)
			goto fail;
	}
	rc = config_load_env(cfg, environ, &err);
	if (rc)
		goto fail;
	rc = config_load_args(cfg, argc, argv, &err);
	if (rc)
		goto fail;
	return PERR_OK;
fail:
	fprintf(stderr, "parta: invalid configuration: %s\n", err.message);
	return rc;
}

static int ensure_dir(const char *path)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return PERR_IO;
		*p = '/';
	}
	if (mkdir(tmp, 0700) != 0 && errno != EEXIST) {
		log_error("cannot create data dir %s: %s", path, strerror(errno));
		return PERR_IO;
	}
	return PERR_OK;
}

/* The server key (CSRF tokens) lives in the data dir so restarts keep
 * sessions' CSRF tokens valid. */
static int load_server_key(const char *data_dir, uint8_t key[ACCOUNT_KEY_LEN])
{
	char path[4096];
	snprintf(path, sizeof path, "%s/server.key", data_dir);
	int fd = open(path, O_RDONLY);
	if (fd >= 0) {
		ssize_t n = read(fd, key, ACCOUNT_KEY_LEN);
		close(fd);
		if (n == ACCOUNT_KEY_LEN)
			return PERR_OK;
		log_error("%s is damaged; delete it to make a new one (signs everyone out)", path);
		return PERR_IO;
	}
	randombytes_buf(key, ACCOUNT_KEY_LEN);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write(fd, key, ACCOUNT_KEY_LEN) != ACCOUNT_KEY_LEN || fsync(fd) != 0) {
		log_error("cannot write %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return PERR_IO;
	}
	close(fd);
	return PERR_OK;
}

/* Open the configured store; sink (may be NULL) receives committed chat
 * events. */
static int open_store_with_sink(const struct config *cfg, struct store_handle *store,
				store_event_sink sink, void *sink_ud)
{
	struct store_config sc = {.data_dir = cfg->data_dir,
				  .postgres_url = cfg->postgres_url,
				  .readers = (int)cfg->store_threads,
				  .sink = sink,
				  .sink_ud = sink_ud};
	int rc = ensure_dir(cfg->data_dir);
	if (rc)
		return rc;
	rc = store_open(store, cfg->store, &sc);
	if (rc)
		log_error("cannot open the %s store in %s: %s", cfg->store, cfg->data_dir, perr_str(rc));
	return rc;
}

static int open_store(const struct config *cfg, struct store_handle *store)
{
	return open_store_with_sink(cfg, store, NULL, NULL);
}

/* Committed chat events reach the hub through the bus, in commit order. */
static void on_bus_events(void *ud, const struct chat_event *ev, size_t n)
{
	struct parta *p = ud;
	hub_publish(p->hub, ev, n);
}

/* Every connection is a file descriptor: take the whole hard limit, so
 * max_connections and not the default soft limit (often 1,024) decides. */
static void raise_file_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		log_warn("cannot raise the open file limit: %s", strerror(errno));
}

/* ---- serve ---- */

struct serve_ctx {
	struct parta *p;
	uv_signal_t sigint, sigterm;
	bool stopping;
};

static void on_shutdown_done(void *ud)
{
	struct serve_ctx *sc = ud;
	log_info("connections closed");
	server_close_handles(sc->p->server);
	bus_close(sc->p->bus);
	uv_close((uv_handle_t *)&sc->sigint, NULL);
	uv_close((uv_handle_t *)&sc->sigterm, NULL);
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct serve_ctx *sc = h->data;
	if (sc->stopping) {
		log_warn("second signal: exiting now");
		_exit(1);
	}
	sc->stopping = true;
	log_info("received %s, shutting down", signum == SIGINT ? "SIGINT" : "SIGTERM");
	sc->p->shutting_down = true;
	server_shutdown(sc->p->server, (uint64_t)sc->p->cfg->shutdown_grace_ms, on_shutdown_done, sc);
}

static int cmd_serve(const struct config *cfg)
{
	int rc = PERR_OK;
	struct parta p;
	struct serve_ctx sc;
	memset(&p, 0, sizeof p);
	memset(&sc, 0, sizeof sc);
	p.cfg = cfg;
	p.started_at = api_now();
	sc.p = &p;

	signal(SIGPIPE, SIG_IGN);
	raise_file_limit();
	work_set_threads((int)cfg->store_threads);
	p.loop = uv_default_loop();
	p.metrics = metrics_new();
	p.hub = hub_new(p.metrics);
	p.bus = bus_new(p.loop, on_bus_events, &p);
	rc = open_store_with_sink(cfg, &p.store, bus_post_events, p.bus);
	if (rc) {
		bus_close(p.bus);
		uv_run(p.loop, UV_RUN_DEFAULT);
		goto out;
	}
	/* chatsync: create the mandatory chats on the first start (else refresh «Преподаватели») */
	rc = store_chats_reconcile_start(&p.store, (int64_t)api_now_ms(), NULL);
	if (rc)
		log_error("cannot bring the mandatory chats up to date: %s", perr_str(rc));
	rc = load_server_key(cfg->data_dir, p.server_key);
	if (rc) {
		bus_close(p.bus);
		uv_run(p.loop, UV_RUN_DEFAULT);
		goto out;
	}

	p.web = static_load(cfg->web_dir);
	p.login_ip = ratelimit_new((uint32_t)cfg->login_ip_per_minute, 60000, 100000);
	p.invite_ip = ratelimit_new((uint32_t)cfg->invite_ip_per_minute, 60000, 100000);
	p.login_account = ratelimit_new((uint32_t)cfg->login_account_failures,
					(uint64_t)cfg->login_account_window_s * 1000, 100000);
	struct server_limits lim = {
		.http = {.max_request_line = (size_t)cfg->max_request_line,
			 .max_header_bytes = (size_t)cfg->max_header_bytes,
			 .max_headers = (size_t)cfg->max_headers,
			 .max_body = (size_t)cfg->max_body_bytes},
		.header_timeout_ms = (uint64_t)cfg->header_timeout_ms,
		.body_timeout_ms = (uint64_t)cfg->body_timeout_ms,
		.idle_timeout_ms = (uint64_t)cfg->idle_timeout_ms,
		.max_connections = (uint64_t)cfg->max_connections,
		.ws_max_frame = (uint32_t)cfg->ws_max_frame,
		.ws_max_message = (uint32_t)cfg->ws_max_message,
		.ws_ping_interval_ms = (uint64_t)cfg->ws_ping_interval_ms,
		.send_queue_max = (size_t)cfg->send_queue_max,
	};
	struct server_app app = {.ud = &p,
				 .on_request = api_on_request,
				 .on_ws_message = api_on_ws_message,
				 .on_ws_close = api_on_ws_close};
	p.server = server_new(p.loop, &lim, &app, p.metrics);
	rc = server_listen(p.server, cfg->listen_host, (int)cfg->port);
	if (rc) {
		server_close_handles(p.server);
		bus_close(p.bus);
		uv_run(p.loop, UV_RUN_DEFAULT);
		goto out;
	}
	if (cfg->public_url[0])
		snprintf(p.public_url, sizeof p.public_url, "%s", cfg->public_url);
	else if (strchr(cfg->listen_host, ':'))
		snprintf(p.public_url, sizeof p.public_url, "http://[%s]:%d", cfg->listen_host,
			 server_port(p.server));
	else
		snprintf(p.public_url, sizeof p.public_url, "http://%s:%d", cfg->listen_host,
			 server_port(p.server));
	size_t ul = strlen(p.public_url);
	if (ul && p.public_url[ul - 1] == '/')
		p.public_url[ul - 1] = '\0';

	uv_signal_init(p.loop, &sc.sigint);
	uv_signal_init(p.loop, &sc.sigterm);
	sc.sigint.data = sc.sigterm.data = &sc;
	uv_signal_start(&sc.sigint, on_signal, SIGINT);
	uv_signal_start(&sc.sigterm, on_signal, SIGTERM);

	printf("Parta is running: %s/ (store: %s, data: %s)\n", p.public_url, p.store.ops->name,
	       cfg->data_dir);
	fflush(stdout);
	rc = api_setup_announce(&p);
	if (rc)
		log_error("cannot create the first-administrator link: %s", perr_str(rc));
	log_info("listening on %s:%d, %zu web files, %lld store threads", cfg->listen_host,
		 server_port(p.server), static_count(p.web), (long long)cfg->store_threads);

	uv_run(p.loop, UV_RUN_DEFAULT);
	log_info("event loop finished");
	rc = PERR_OK;
out:
	if (p.server)
		server_free(p.server);
	/* the store first: its writer may still post to the bus */
	store_close(&p.store);
	if (p.loop)
		uv_loop_close(p.loop);
	bus_free(p.bus);
	hub_free(p.hub);
	static_free(p.web);
	metrics_free(p.metrics);
	ratelimit_free(p.login_ip);
	ratelimit_free(p.login_account);
	ratelimit_free(p.invite_ip);
	sodium_memzero(p.server_key, sizeof p.server_key);
	if (!rc)
		log_info("stopped cleanly");
	return rc;
}

/* ---- admin ---- */

static int read_password(char *out, size_t size)
{
	const char *env = getenv("PARTA_ADMIN_PASSWORD");
	if (env) {
		snprintf(out, size, "%s", env);
		return PERR_OK;
	}
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	fprintf(stderr, "Пароль / Password: ");
	if (tty) {
		quiet = old;
		quiet.c_lflag &= (tcflag_t)~ECHO;
		tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	}
	char *ok = fgets(out, (int)size, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fputc('\n', stderr);
	}
	if (!ok)
		return PERR_INVALID;
	out[strcspn(out, "\r\n")] = '\0';
	return PERR_OK;
}

static int cmd_create_admin(const struct config *cfg, int argc, char **argv)
{
	int rc = PERR_OK;
	struct store_handle store = {0};
	char login[ACCOUNT_LOGIN_MAX + 1], name[ACCOUNT_NAME_MAX + 1], pw[ACCOUNT_PASSWORD_MAX + 2];
	char hash[ACCOUNT_HASH_MAX];
	const char *l = arg_value(argc, argv, "login");
	const char *n = arg_value(argc, argv, "name");
	if (!l || account_normalize_login(l, strlen(l), login, sizeof login)) {
		fprintf(stderr, "parta: --login must be an e-mail or a phone number\n");
		return PERR_INVALID;
	}
	if (!n || account_normalize_name(n, strlen(n), name, sizeof name)) {
		fprintf(stderr, "parta: --name must be 1..%d characters\n", ACCOUNT_NAME_MAX);
		return PERR_INVALID;
	}
	rc = read_password(pw, sizeof pw);
	if (rc || account_check_password(pw, strlen(pw))) {
		fprintf(stderr, "parta: the password must be %d..%d characters\n", ACCOUNT_PASSWORD_MIN,
			ACCOUNT_PASSWORD_MAX);
		rc = PERR_INVALID;
		goto out;
	}
	rc = account_hash_password(pw, strlen(pw), hash);
	if (rc)
		goto out;
	rc = open_store(cfg, &store);
	if (rc)
		goto out;
	struct user_new u = {.login = login, .name = name, .password_hash = hash,
			     .role = "platform_admin", .now = api_now(), .ip = "command line"};
	int64_t id = 0;
	rc = store_user_create(&store, &u, &id);
	if (rc == PERR_CONFLICT)
		fprintf(stderr, "parta: the login %s is taken\n", login);
	else if (rc)
		fprintf(stderr, "parta: cannot create the administrator: %s\n", perr_str(rc));
	else
		printf("Администратор создан / administrator created: %s (id %lld)\n", login,
		       (long long)id);
out:
	sodium_memzero(pw, sizeof pw);
	store_close(&store);
	return rc;
}

static int cmd_migrate(const struct config *cfg)
{
	struct store_handle store = {0};
	int rc = open_store(cfg, &store);
	if (rc)
		return rc;
	int v = 0;
	store.ops->schema_version(store.st, &v);
	printf("schema version %d\n", v);
	store_close(&store);
	return PERR_OK;
}

int main(int argc, char **argv)
{
	struct config cfg;
	int rc;
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("parta %s\n", PARTA_VERSION);
		return 0;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0) {
		usage(stdout);
		printf("\nConfiguration entries:\n");
		config_print_help(stdout);
		return 0;
	}
	if (accounts_init()) {
		fprintf(stderr, "parta: libsodium failed to initialize\n");
		return 1;
	}
	int first_opt = strcmp(cmd, "admin") == 0 ? 3 : 2;
	/* admin subcommands take their own flags (--login, --name): only config
	 * entries are given to the config loader */
	if (strcmp(cmd, "admin") == 0) {
		char **cfg_argv = xcalloc((size_t)argc, sizeof *cfg_argv);
		int cfg_argc = 0;
		for (int i = first_opt; i < argc; i++) {
			if (strncmp(argv[i], "--login", 7) == 0 || strncmp(argv[i], "--name", 6) == 0) {
				if (!strchr(argv[i], '='))
					i++;
				continue;
			}
			cfg_argv[cfg_argc++] = argv[i];
		}
		rc = load_config(&cfg, cfg_argc, cfg_argv);
		free(cfg_argv);
	} else {
		rc = load_config(&cfg, argc - first_opt, argv + first_opt);
	}
	if (rc)
		return 2;
	int lvl = log_level_parse(cfg.log_level);
	log_set_level(lvl < 0 ? LOG_INFO : (enum log_level)lvl);

	if (strcmp(cmd, "serve") == 0) {
		rc = cmd_serve(&cfg);
	} else if (strcmp(cmd, "admin") == 0 && argc >= 3 && strcmp(argv[2], "create-admin") == 0) {
		rc = cmd_create_admin(&cfg, argc - 3, argv + 3);
	} else if (strcmp(cmd, "admin") == 0 && argc >= 3 && strcmp(argv[2], "migrate") == 0) {
		rc = cmd_migrate(&cfg);
	} else if (strcmp(cmd, "demo") == 0) {
		rc = demo_main(&cfg);
	} else {
		usage(stderr);
		rc = 2;
	}
	config_free(&cfg);
	return rc ? 1 : 0;
}
