/* SPDX-License-Identifier: MIT */
/* The scenario engine (contract and topology in run.h). A run has three
 * phases: set-up (sessions are opened at most `ramp` at a time until all
 * are ready or the time runs out), the load (senders paced at a fixed rate
 * or kept at a window of messages in flight; figures are counted only
 * inside the measurement window that follows the warm-up), and a short
 * drain. Latency is measured from the marker in each text: the send time
 * on this machine's monotonic clock, so sender and receiver need no clock
 * agreement (they are the same process). */
#include "run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "payload.h"
#include "procstat.h"

#define RUN_SETTLE_NS 2000000000ull   /* idle: let the server settle before sampling */
#define RUN_DRAIN_NS 1000000000ull
#define RUN_LATE_NS 1000000000ull     /* rate mode: a sender this late skips ahead */

/* ---- topology ---- */

static uint32_t run__rooms_per_receiver(const struct run_config *c)
{
	return (uint32_t)((uint64_t)c->rooms * c->room_size / c->receivers);
}

static int run__check_topology(const struct run_config *c)
{
	if (!c->receivers || !c->senders || !c->rooms || !c->room_size || !c->fan_senders ||
	    c->fan_senders > c->senders || c->rooms % c->senders ||
	    c->rooms / c->senders > RUN_MAX_ROOMS) {
		fprintf(stderr, "parta-load: bad topology\n");
		return -1;
	}
	uint32_t per = run__rooms_per_receiver(c);
	if (!per || per > RUN_MAX_ROOMS || (uint64_t)per * c->receivers !=
	    (uint64_t)c->rooms * c->room_size || c->rooms % per) {
		fprintf(stderr, "parta-load: rooms × room_size must be receivers × P, P | rooms\n");
		return -1;
	}
	return 0;
}

static void run__receiver_rooms(const struct run_config *cfg, struct conn *c, uint32_t u)
{
	uint32_t per = run__rooms_per_receiver(cfg), stride = cfg->rooms / per;
	c->nrooms = (uint8_t)per;
	for (uint32_t j = 0; j < per; j++)
		c->rooms[j] = (uint16_t)(u % stride + stride * j);
}

static void run__sender_rooms(const struct run_config *cfg, struct conn *c, uint32_t s)
{
	uint32_t per = cfg->rooms / cfg->senders;
	c->nrooms = (uint8_t)per;
	for (uint32_t j = 0; j < per; j++)
		c->rooms[j] = (uint16_t)(s * per + j);
}

static struct conn *run__add(struct run *r, uint8_t role, uint32_t user)
{
	struct conn *c = &r->conns[r->nconns];
	memset(c, 0, sizeof *c);
	net_sock_init(&c->ns);
	c->id = r->nconns++;
	c->role = role;
	c->user = user;
	return c;
}

static int run__build(struct run *r)
{
	const struct run_config *cfg = &r->cfg;
	uint32_t R = cfg->receivers, S = cfg->senders, n = 0;
	switch (cfg->scenario) {
	case RUN_IDLE:
	case RUN_HISTORY:
	case RUN_SEARCH:
		n = cfg->conns;
		break;
	case RUN_FANOUT:
		n = R + cfg->fan_senders;
		break;
	case RUN_ROOMS:
		n = R + S;
		break;
	case RUN_DURABLE:
	case RUN_FILL:
		n = S;
		break;
	}
	if (!n)
		return -1;
	r->conns = calloc(n, sizeof *r->conns);
	if (!r->conns)
		return -1;
	for (uint32_t i = 0; i < n && cfg->scenario == RUN_IDLE; i++)
		run__add(r, ROLE_IDLE, i % (R + S));
	for (uint32_t i = 0; i < n && (cfg->scenario == RUN_HISTORY || cfg->scenario == RUN_SEARCH);
	     i++)
		run__add(r, ROLE_HTTP, R + S);
	if (cfg->scenario == RUN_FANOUT) {
		for (uint32_t u = 0; u < R; u++) {
			struct conn *c = run__add(r, ROLE_RECEIVER, u);
			c->nrooms = 1;
			c->rooms[0] = (uint16_t)cfg->rooms;
		}
		for (uint32_t s = 0; s < cfg->fan_senders; s++) {
			struct conn *c = run__add(r, ROLE_SENDER, R + s);
			c->sender = s;
			c->nrooms = 1;
			c->rooms[0] = (uint16_t)cfg->rooms;
		}
	}
	if (cfg->scenario == RUN_ROOMS)
		for (uint32_t u = 0; u < R; u++)
			run__receiver_rooms(cfg, run__add(r, ROLE_RECEIVER, u), u);
	if (cfg->scenario == RUN_ROOMS || cfg->scenario == RUN_DURABLE || cfg->scenario == RUN_FILL) {
		for (uint32_t s = 0; s < S; s++) {
			struct conn *c = run__add(r, ROLE_SENDER, R + s);
			c->sender = s;
			run__sender_rooms(cfg, c, s);
		}
	}
	return 0;
}

/* ---- sending ---- */

static bool run__durable(const struct run *r)
{
	return r->cfg.scenario == RUN_DURABLE || r->cfg.scenario == RUN_FILL;
}

static int run__send_one(struct run *r, struct conn *c, uint64_t now)
{
	char text[PAYLOAD_MAX];
	size_t len = 0;
	unsigned room = 0;
	if (c->role == ROLE_SENDER) {
		len = payload_make(text, sizeof text, now, c->sender, r->cfg.payload,
				   r->cfg.scenario == RUN_FILL, &r->rng);
		room = c->rooms[c->next_room++ % c->nrooms];
	}
	if (r->proto->send(r, c, room, text, len, now) != 0)
		return -1;
	c->inflight++;
	if (r->measuring)
		r->sent++;
	return 0;
}

/* Keep c's window full (window mode, HTTP readers). */
static void run__refill(struct run *r, struct conn *c, uint64_t now)
{
	if (!r->sending || r->cfg.rate > 0 || c->ns.fd < 0 || !c->ready)
		return;
	if (r->cfg.scenario == RUN_FILL && r->total_acked + c->inflight >= r->cfg.count)
		return;
	while (c->inflight < r->cfg.window && c->ns.fd >= 0) {
		if (r->cfg.scenario == RUN_FILL && r->total_acked + c->inflight >= r->cfg.count)
			break;
		if (run__send_one(r, c, now) != 0)
			break;
	}
}

static void run__pump(struct run *r, uint64_t now)
{
	if (!r->sending)
		return;
	for (uint32_t i = 0; i < r->nconns; i++) {
		struct conn *c = &r->conns[i];
		if ((c->role != ROLE_SENDER && c->role != ROLE_HTTP) || !c->ready || c->ns.fd < 0)
			continue;
		if (r->cfg.rate <= 0 || c->role == ROLE_HTTP) {
			run__refill(r, c, now);
			continue;
		}
		uint64_t interval = (uint64_t)(1e9 * r->senders_in_use / r->cfg.rate);
		if (now > c->next_send_ns + RUN_LATE_NS)
			c->next_send_ns = now;
		while (c->next_send_ns <= now && c->ns.fd >= 0) {
			if (run__send_one(r, c, c->next_send_ns) != 0)
				break;
			c->next_send_ns += interval ? interval : 1;
		}
	}
}

/* ---- callbacks from the adapters ---- */

void run_ready(struct run *r, struct conn *c)
{
	if (c->done)
		return;
	c->ready = true;
	c->done = true;
	r->pending--;
	r->nready++;
	run__refill(r, c, procstat_now_ns());
}

void run_text(struct run *r, struct conn *c, const uint8_t *d, size_t len)
{
	uint64_t ts;
	unsigned sender;
	if (!payload_find(d, len, &ts, &sender))
		return;
	uint64_t now = procstat_now_ns();
	if (c->role == ROLE_RECEIVER) {
		if (r->measuring) {
			r->deliveries++;
			hist_add(&r->lat, now > ts ? now - ts : 0);
		}
		return;
	}
	if (c->role != ROLE_SENDER || sender != c->sender % 10000u)
		return;
	/* the sender's own message came back through the room */
	if (run__durable(r) && r->proto->acks)
		return; /* the ack counts, not the echo */
	if (c->inflight)
		c->inflight--;
	if (run__durable(r)) {
		r->total_acked++;
		if (r->measuring) {
			r->acked++;
			hist_add(&r->ack, now > ts ? now - ts : 0);
		}
	}
	run__refill(r, c, now);
}

void run_ack(struct run *r, struct conn *c, uint64_t ts_ns, unsigned room, int64_t seq)
{
	uint64_t now = procstat_now_ns();
	if (r->measuring)
		hist_add(&r->ack, now > ts_ns ? now - ts_ns : 0);
	if (!run__durable(r))
		return;
	if (c->inflight)
		c->inflight--;
	r->total_acked++;
	if (r->measuring)
		r->acked++;
	if (r->max_seq && room <= r->cfg.rooms && seq > r->max_seq[room])
		r->max_seq[room] = seq;
	run__refill(r, c, now);
}

void run_fail(struct run *r, struct conn *c, const char *what, const uint8_t *d, size_t len)
{
	r->errors++;
	if (r->first_error[0])
		return;
	size_t n = len < 100 ? len : 100;
	char clean[104];
	for (size_t i = 0; i < n; i++)
		clean[i] = (d[i] < 0x20 || d[i] >= 0x7F) ? '?' : (char)d[i];
	clean[n] = '\0';
	snprintf(r->first_error, sizeof r->first_error, "conn %u: %s %s", c->id, what, clean);
	/* one token in the RESULT line: no spaces, quotes or '=' */
	for (char *p = r->first_error; *p; p++)
		if (*p == ' ' || *p == '=' || *p == '"')
			*p = '_';
}

void run_close_frame(struct run *r, struct conn *c, const uint8_t *d, size_t len)
{
	char what[48];
	snprintf(what, sizeof what, "close frame %u", len >= 2 ? (unsigned)(d[0] << 8 | d[1]) : 0u);
	run_fail(r, c, what, len > 2 ? d + 2 : d, len > 2 ? len - 2 : 0);
}

void run_http_done(struct run *r, struct conn *c, int status)
{
	uint64_t now = procstat_now_ns();
	if (c->inflight)
		c->inflight--;
	if (status != 200) {
		char s[16];
		int n = snprintf(s, sizeof s, "%d", status);
		run_fail(r, c, "HTTP status", (const uint8_t *)s, n > 0 ? (size_t)n : 0);
	} else if (r->measuring) {
		r->deliveries++;
		hist_add(&r->lat, now - c->req_start_ns);
	}
	run__refill(r, c, now);
}

/* ---- net handlers ---- */

struct run__ws_ctx {
	struct run *r;
	struct conn *c;
};

static int run__ws_message(void *ud, int opcode, uint8_t *d, size_t len)
{
	struct run__ws_ctx *x = ud;
	if (x->r->cfg.trace && x->c->id == 0 && d)
		fprintf(stderr, "conn 0 <- op %d: %.*s\n", opcode, (int)(len < 400 ? len : 400),
			(const char *)d);
	return x->r->proto->message(x->r, x->c, opcode, d, len);
}

static void run__on_open(void *ud, struct net_sock *s)
{
	struct run *r = ud;
	struct conn *c = (struct conn *)s;
	if (r->proto->open(r, c) != 0)
		net_close(&r->net, s, -1);
}

static size_t run__on_data(void *ud, struct net_sock *s, uint8_t *d, size_t len)
{
	struct run *r = ud;
	struct conn *c = (struct conn *)s;
	if (!r->proto->websocket)
		return r->proto->data(r, c, d, len);
	struct run__ws_ctx x = {r, c};
	return wsc_feed(&r->net, s, &c->ws, d, len, run__ws_message, &x);
}

static void run__on_close(void *ud, struct net_sock *s, int err)
{
	struct run *r = ud;
	struct conn *c = (struct conn *)s;
	if (!c->done) {
		c->done = true;
		r->pending--;
		r->nfailed++;
	} else if (c->ready && !r->closing) {
		r->ndropped++; /* the server closed a ready session */
	}
	if (err && !r->first_error[0]) {
		const char *why = err > 0 ? strerror(err) : "protocol error";
		run_fail(r, c, "closed:", (const uint8_t *)why, strlen(why));
	} else if (err) {
		r->errors++;
	}
}

static const struct net_handler run__handler = {
	.on_open = run__on_open,
	.on_data = run__on_data,
	.on_close = run__on_close,
};

/* ---- the run ---- */

static void run__start_more(struct run *r)
{
	while (r->pending < r->cfg.ramp && r->started < r->nconns) {
		struct conn *c = &r->conns[r->started++];
		r->pending++;
		if (net_connect(&r->net, &c->ns) != 0) {
			int e = errno;
			c->done = true;
			r->pending--;
			r->nfailed++;
			if (!r->first_error[0])
				run_fail(r, c, "connect:", (const uint8_t *)strerror(e), strlen(strerror(e)));
			else
				r->errors++;
		}
	}
}

static void run__poll_until(struct run *r, uint64_t until, int step_ms)
{
	for (uint64_t now = procstat_now_ns(); now < until; now = procstat_now_ns()) {
		uint64_t left_ms = (until - now) / 1000000u;
		if (net_poll(&r->net, left_ms < (uint64_t)step_ms ? (int)left_ms : step_ms) < 0)
			break;
		run__pump(r, procstat_now_ns());
	}
}

static double run__q_us(const struct hist *h, double q)
{
	return (double)hist_quantile(h, q) / 1000.0;
}

struct run__sample {
	uint64_t t;
	double self_cpu;
	double machine_busy;
	struct procstat srv;
	int srv_ok;
};

static void run__sample(const struct run *r, struct run__sample *s)
{
	s->t = procstat_now_ns();
	s->self_cpu = procstat_self_cpu();
	s->machine_busy = procstat_machine_busy();
	s->srv_ok = procstat_read(r->cfg.server_pid, &s->srv) == 0;
}

static void run__print(struct run *r, const struct run__sample *a, const struct run__sample *b,
		       const struct procstat *before, double ready_s)
{
	static const char *const names[] = {"idle", "fanout", "rooms", "durable",
					    "fill", "history", "search"};
	double secs = (double)(b->t - a->t) / 1e9;
	if (secs <= 0)
		secs = 1e-9;
	printf("RESULT label=%s proto=%s scenario=%s conns=%u ready=%u failed=%u dropped=%u "
	       "ready_s=%.2f secs=%.2f",
	       r->cfg.label ? r->cfg.label : "-", r->proto->name, names[r->cfg.scenario],
	       r->nconns, r->nready, r->nfailed, r->ndropped, ready_s, secs);
	printf(" sent_per_s=%.0f deliveries_per_s=%.0f lat_p50_us=%.0f lat_p99_us=%.0f "
	       "lat_p999_us=%.0f lat_max_us=%.0f",
	       (double)r->sent / secs, (double)r->deliveries / secs, run__q_us(&r->lat, 0.5),
	       run__q_us(&r->lat, 0.99), run__q_us(&r->lat, 0.999),
	       (double)r->lat.max / 1000.0);
	printf(" acks_per_s=%.0f ack_p50_us=%.0f ack_p99_us=%.0f ack_p999_us=%.0f",
	       (double)r->acked / secs, run__q_us(&r->ack, 0.5), run__q_us(&r->ack, 0.99),
	       run__q_us(&r->ack, 0.999));
	if (a->srv_ok && b->srv_ok) {
		printf(" server_cpu_pct=%.0f server_rss_kib=%llu server_rss_before_kib=%llu",
		       100.0 * (b->srv.cpu_s - a->srv.cpu_s) / secs,
		       (unsigned long long)b->srv.rss_kib, (unsigned long long)before->rss_kib);
		if (r->cfg.scenario == RUN_IDLE && r->nready && b->srv.rss_kib > before->rss_kib)
			printf(" rss_per_conn_b=%.0f",
			       (double)(b->srv.rss_kib - before->rss_kib) * 1024.0 / r->nready);
	}
	/* what the rest of the machine used meanwhile: a busy neighbour shows */
	double other = (b->machine_busy - a->machine_busy) - (b->self_cpu - a->self_cpu) -
		       (a->srv_ok && b->srv_ok ? b->srv.cpu_s - a->srv.cpu_s : 0);
	printf(" client_cpu_pct=%.0f other_cpu_pct=%.0f errors=%llu",
	       100.0 * (b->self_cpu - a->self_cpu) / secs, other > 0 ? 100.0 * other / secs : 0.0,
	       (unsigned long long)r->errors);
	if (r->cfg.scenario == RUN_FILL)
		printf(" stored=%llu", (unsigned long long)r->total_acked);
	if (r->first_error[0])
		printf(" first_error=%s", r->first_error);
	printf("\n");
	fflush(stdout);
}

static int run__write_seqs(const struct run *r)
{
	if (!r->cfg.seq_path || !r->max_seq)
		return 0;
	FILE *f = fopen(r->cfg.seq_path, "w");
	if (!f) {
		fprintf(stderr, "parta-load: %s: %s\n", r->cfg.seq_path, strerror(errno));
		return -1;
	}
	for (uint32_t k = 0; k <= r->cfg.rooms; k++)
		if (r->max_seq[k])
			fprintf(f, "seq %u %lld\n", k, (long long)r->max_seq[k]);
	return fclose(f) == 0 ? 0 : -1;
}

static const struct proto_ops *run__proto(const char *name, enum run_scenario sc)
{
	if (sc == RUN_HISTORY || sc == RUN_SEARCH)
		return strcmp(name, "parta") == 0 ? &proto_http : NULL;
	if (strcmp(name, "parta") == 0)
		return &proto_parta;
	if (strcmp(name, "xmpp") == 0)
		return &proto_xmpp;
	if (strcmp(name, "mqtt") == 0)
		return &proto_mqtt;
	return NULL;
}

static int run__setup(struct run *r, const struct run_config *cfg)
{
	memset(r, 0, sizeof *r);
	r->net.epfd = -1;
	r->cfg = *cfg;
	r->proto = run__proto(cfg->proto, cfg->scenario);
	if (!r->proto) {
		fprintf(stderr, "parta-load: no adapter for %s in this scenario\n", cfg->proto);
		return -1;
	}
	if (run__check_topology(cfg))
		return -1;
	if (getrandom(&r->rng, sizeof r->rng, 0) != (ssize_t)sizeof r->rng || !r->rng)
		r->rng = 0x2545F4914F6CDD1Dull ^ (uint64_t)getpid();
	snprintf(r->run_id, sizeof r->run_id, "%08llx",
		 (unsigned long long)(payload_rand(&r->rng) & 0xFFFFFFFFull));
	snprintf(r->host_header, sizeof r->host_header, "%s:%d", cfg->host, cfg->port);
	if (strcmp(cfg->proto, "parta") == 0) {
		if (!cfg->plan_path) {
			fprintf(stderr, "parta-load: --plan is required for parta\n");
			return -1;
		}
		if (plan_load(&r->plan, cfg->plan_path))
			return -1;
		if (r->plan.receivers != cfg->receivers || r->plan.senders != cfg->senders ||
		    r->plan.rooms != cfg->rooms || r->plan.room_size != cfg->room_size ||
		    r->plan.fan_senders != cfg->fan_senders) {
			fprintf(stderr, "parta-load: the plan's topology differs from the options\n");
			return -1;
		}
		if (cfg->scenario == RUN_HISTORY &&
		    (!cfg->seq_path || plan_load_seqs(&r->plan, cfg->seq_path)))
			return -1;
	}
	if (cfg->scenario == RUN_FILL) {
		r->max_seq = calloc(cfg->rooms + 1u, sizeof *r->max_seq);
		if (!r->max_seq)
			return -1;
	}
	if (run__build(r))
		return -1;
	size_t want = r->nconns + 256u;
	size_t got = net_raise_nofile(want);
	if (got < want) {
		fprintf(stderr, "parta-load: RLIMIT_NOFILE is %zu, %zu needed\n", got, want);
		return -1;
	}
	if (net_init(&r->net, cfg->host, cfg->port, &run__handler, r)) {
		fprintf(stderr, "parta-load: %s:%d: %s\n", cfg->host, cfg->port, strerror(errno));
		return -1;
	}
	return 0;
}

static void run__teardown(struct run *r)
{
	r->closing = true;
	for (uint32_t i = 0; i < r->nconns; i++)
		net_close(&r->net, &r->conns[i].ns, 0);
	net_free(&r->net);
	free(r->conns);
	free(r->max_seq);
	plan_free(&r->plan);
}

/* Start sending; count from warm-up's end for duration; stop; drain. */
static void run__load(struct run *r, struct run__sample *a, struct run__sample *b)
{
	uint64_t now = procstat_now_ns();
	uint32_t senders = 0;
	for (uint32_t i = 0; i < r->nconns; i++)
		if (r->conns[i].role == ROLE_SENDER && r->conns[i].ready)
			senders++;
	r->senders_in_use = senders ? senders : 1;
	uint64_t interval = r->cfg.rate > 0 ? (uint64_t)(1e9 * r->senders_in_use / r->cfg.rate) : 0;
	for (uint32_t i = 0, k = 0; i < r->nconns; i++)
		if (r->conns[i].role == ROLE_SENDER)
			r->conns[i].next_send_ns = now + interval * k++ / r->senders_in_use;
	r->t_send_start = now;
	r->sending = true;
	run__pump(r, now);
	if (r->cfg.scenario == RUN_FILL) {
		run__sample(r, a);
		r->measuring = true;
		uint64_t deadline = now + (uint64_t)(r->cfg.duration_s * 1e9);
		while (r->total_acked < r->cfg.count && procstat_now_ns() < deadline &&
		       r->net.open > 0) {
			if (net_poll(&r->net, 5) < 0)
				break;
			run__pump(r, procstat_now_ns());
		}
		r->measuring = false;
		run__sample(r, b);
		r->sending = false;
		return;
	}
	uint64_t t1 = now + (uint64_t)(r->cfg.warmup_s * 1e9);
	uint64_t t2 = t1 + (uint64_t)(r->cfg.duration_s * 1e9);
	int step = r->cfg.rate > 0 ? 1 : 5;
	run__poll_until(r, t1, step);
	hist_reset(&r->lat);
	hist_reset(&r->ack);
	r->deliveries = r->acked = r->sent = 0;
	run__sample(r, a);
	r->measuring = true;
	run__poll_until(r, t2, step);
	r->measuring = false;
	run__sample(r, b);
	r->sending = false;
	run__poll_until(r, procstat_now_ns() + RUN_DRAIN_NS, 10);
}

int run_exec(const struct run_config *cfg)
{
	struct run *r = malloc(sizeof *r);
	if (!r)
		return -1;
	int rc = -1;
	if (run__setup(r, cfg))
		goto out;
	struct procstat before;
	memset(&before, 0, sizeof before);
	if (cfg->server_pid && procstat_read(cfg->server_pid, &before)) {
		fprintf(stderr, "parta-load: cannot read /proc/%d\n", cfg->server_pid);
		goto out;
	}
	uint64_t t0 = procstat_now_ns();
	uint64_t deadline = t0 + (uint64_t)(cfg->ready_timeout_s * 1e9);
	while (r->nready + r->nfailed < r->nconns && procstat_now_ns() < deadline) {
		run__start_more(r);
		if (net_poll(&r->net, 10) < 0)
			break;
	}
	double ready_s = (double)(procstat_now_ns() - t0) / 1e9;
	struct run__sample a, b;
	if (!r->nready) {
		run__sample(r, &a);
		b = a;
		run__print(r, &a, &b, &before, ready_s);
		goto out;
	}
	if (cfg->scenario == RUN_IDLE) {
		run__poll_until(r, procstat_now_ns() + RUN_SETTLE_NS, 50);
		run__sample(r, &a);
		run__poll_until(r, a.t + (uint64_t)(cfg->duration_s * 1e9), 50);
		run__sample(r, &b);
	} else {
		run__load(r, &a, &b);
	}
	run__print(r, &a, &b, &before, ready_s);
	rc = run__write_seqs(r);
out:
	run__teardown(r);
	free(r);
	return rc;
}
