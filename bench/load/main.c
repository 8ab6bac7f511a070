/* SPDX-License-Identifier: MIT */
/* parta-load: the load generator of bench/run. One invocation runs one
 * scenario against one server and prints one line,
 *   RESULT label=… proto=… scenario=… key=value …
 * that bench/run collects into its table. Scenarios, topology and figures
 * are described in run.h and docs/benchmarks.md. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: parta-load --proto=parta|xmpp|mqtt --scenario=S --port=N [options]\n"
		"scenarios: idle fanout rooms durable fill (parta, xmpp, mqtt where it applies)\n"
		"           history search (parta)\n"
		"  --host=IP            server address (127.0.0.1)\n"
		"  --server-pid=PID     report this process's CPU and RSS\n"
		"  --plan=FILE          Parta: tokens and chat ids from bench/seed\n"
		"  --seqs=FILE          fill writes, history reads the highest seq per room\n"
		"  --label=TEXT         copied into the RESULT line\n"
		"  --conns=N            idle: connections; history/search: readers (1)\n"
		"  --receivers=N --senders=N --rooms=N --room-size=N --fan-senders=N\n"
		"                       topology (2000, 20, 200, 50, 4)\n"
		"  --rate=R             messages/s over all senders (0: window mode)\n"
		"  --window=N           messages in flight per sender (8)\n"
		"  --payload=N          text bytes (64)\n"
		"  --count=N            fill: messages to store\n"
		"  --warmup=S --duration=S --ready-timeout=S   (2, 8, 120)\n"
		"  --ramp=N             sessions set up at once (256)\n"
		"  --trace              print what connection 0 receives\n");
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > 0xFFFFFFFFul)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end)
		return -1;
	*out = v;
	return 0;
}

static int parse_double(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || v < 0)
		return -1;
	*out = v;
	return 0;
}

static int parse_scenario(const char *s, enum run_scenario *out)
{
	static const struct {
		const char *name;
		enum run_scenario sc;
	} names[] = {{"idle", RUN_IDLE},       {"fanout", RUN_FANOUT}, {"rooms", RUN_ROOMS},
		     {"durable", RUN_DURABLE}, {"fill", RUN_FILL},     {"history", RUN_HISTORY},
		     {"search", RUN_SEARCH}};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(s, names[i].name) == 0) {
			*out = names[i].sc;
			return 0;
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct run_config cfg = {
		.scenario = RUN_IDLE,
		.host = "127.0.0.1",
		.conns = 1,
		.receivers = 2000,
		.senders = 20,
		.rooms = 200,
		.room_size = 50,
		.fan_senders = 4,
		.window = 8,
		.payload = 64,
		.warmup_s = 2,
		.duration_s = 8,
		.ready_timeout_s = 120,
		.ramp = 256,
	};
	bool have_scenario = false;
	uint32_t port = 0, pid = 0;
	static const struct option opts[] = {
		{"proto", required_argument, NULL, 'p'},
		{"scenario", required_argument, NULL, 's'},
		{"host", required_argument, NULL, 'H'},
		{"port", required_argument, NULL, 'P'},
		{"server-pid", required_argument, NULL, 'i'},
		{"plan", required_argument, NULL, 'f'},
		{"seqs", required_argument, NULL, 'q'},
		{"label", required_argument, NULL, 'l'},
		{"conns", required_argument, NULL, 'n'},
		{"receivers", required_argument, NULL, 'R'},
		{"senders", required_argument, NULL, 'S'},
		{"rooms", required_argument, NULL, 'K'},
		{"room-size", required_argument, NULL, 'M'},
		{"fan-senders", required_argument, NULL, 'F'},
		{"rate", required_argument, NULL, 'r'},
		{"window", required_argument, NULL, 'w'},
		{"payload", required_argument, NULL, 'b'},
		{"count", required_argument, NULL, 'c'},
		{"warmup", required_argument, NULL, 'W'},
		{"duration", required_argument, NULL, 'd'},
		{"ready-timeout", required_argument, NULL, 'T'},
		{"ramp", required_argument, NULL, 'a'},
		{"trace", no_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int bad = 0;
	for (;;) {
		int opt = getopt_long(argc, argv, "", opts, NULL);
		if (opt == -1)
			break;
		switch (opt) {
		case 'p': cfg.proto = optarg; break;
		case 's': bad |= parse_scenario(optarg, &cfg.scenario); have_scenario = true; break;
		case 'H': cfg.host = optarg; break;
		case 'P': bad |= parse_u32(optarg, &port); break;
		case 'i': bad |= parse_u32(optarg, &pid); break;
		case 'f': cfg.plan_path = optarg; break;
		case 'q': cfg.seq_path = optarg; break;
		case 'l': cfg.label = optarg; break;
		case 'n': bad |= parse_u32(optarg, &cfg.conns); break;
		case 'R': bad |= parse_u32(optarg, &cfg.receivers); break;
		case 'S': bad |= parse_u32(optarg, &cfg.senders); break;
		case 'K': bad |= parse_u32(optarg, &cfg.rooms); break;
		case 'M': bad |= parse_u32(optarg, &cfg.room_size); break;
		case 'F': bad |= parse_u32(optarg, &cfg.fan_senders); break;
		case 'r': bad |= parse_double(optarg, &cfg.rate); break;
		case 'w': bad |= parse_u32(optarg, &cfg.window); break;
		case 'b': bad |= parse_u32(optarg, &cfg.payload); break;
		case 'c': bad |= parse_u64(optarg, &cfg.count); break;
		case 'W': bad |= parse_double(optarg, &cfg.warmup_s); break;
		case 'd': bad |= parse_double(optarg, &cfg.duration_s); break;
		case 'T': bad |= parse_double(optarg, &cfg.ready_timeout_s); break;
		case 'a': bad |= parse_u32(optarg, &cfg.ramp); break;
		case 't': cfg.trace = true; break;
		case 'h': usage(stdout); return 0;
		default: bad = 1; break;
		}
	}
	if (bad || optind != argc || !cfg.proto || !have_scenario || !port || port > 65535 ||
	    pid > 0x7FFFFFFF || !cfg.window || !cfg.ramp || cfg.payload < 32 ||
	    cfg.payload > 400 || (cfg.scenario == RUN_FILL && !cfg.count)) {
		usage(stderr);
		return 2;
	}
	cfg.port = (int)port;
	cfg.server_pid = (int)pid;
	if (cfg.scenario == RUN_HISTORY || cfg.scenario == RUN_SEARCH)
		cfg.window = 1;
	return run_exec(&cfg) == 0 ? 0 : 1;
}
