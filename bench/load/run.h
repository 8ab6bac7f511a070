/* SPDX-License-Identifier: MIT */
/* One scenario run of the load tool: the connections it opens, what each of
 * them is (idle, receiver, sender, HTTP reader), the topology of rooms that
 * every protocol shares, the send schedule, and the figures it reports.
 * Protocol adapters (proto_*.c) turn "open a session", "join these rooms",
 * "send this text to that room" into bytes, and call back run_ready,
 * run_text, run_ack and run_fail with what the server said.
 *
 * Topology (identical for Parta, XMPP and MQTT, and for bench/seed):
 *   users 0..R-1 are receivers, R..R+S-1 senders, R+S the reader;
 *   rooms 0..K-1 ("many rooms"): receiver u is in rooms (u mod T) + T·j for
 *   j < P, where P = K·M/R rooms per receiver and T = K/P, so each room has
 *   M receivers; sender s is in rooms s·K/S … (s+1)·K/S − 1;
 *   room K ("fan-out"): every receiver and senders 0..F−1.
 *   The reader is in every room (Parta history and search only).
 * Loop thread only. */
#ifndef PARTA_BENCH_RUN_H
#define PARTA_BENCH_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hist.h"
#include "net.h"
#include "plan.h"
#include "wsc.h"

#define RUN_MAX_ROOMS 16   /* rooms one connection joins */
#define PROTO_BUF 2048     /* largest frame an adapter builds */

enum run_scenario {
	RUN_IDLE,      /* N authenticated idle connections */
	RUN_FANOUT,    /* one room of R receivers, F senders */
	RUN_ROOMS,     /* K rooms of M receivers, S senders */
	RUN_DURABLE,   /* S senders alone: acknowledged (stored) messages */
	RUN_FILL,      /* like durable, until count messages: the history store */
	RUN_HISTORY,   /* HTTP: a page of 50 around a random message */
	RUN_SEARCH,    /* HTTP: a Russian full-text search */
};

enum run_role { ROLE_IDLE, ROLE_RECEIVER, ROLE_SENDER, ROLE_HTTP };

struct conn {
	struct net_sock ns;          /* first: net handlers cast back to the conn */
	struct wsc ws;
	uint32_t id;
	uint32_t user;               /* topology user index */
	uint8_t role;                /* enum run_role */
	uint8_t state;               /* the adapter's session state */
	uint8_t nrooms, joined;
	bool ready, done;            /* done: ready, failed or closed */
	uint16_t rooms[RUN_MAX_ROOMS];
	/* senders */
	uint32_t sender;             /* sender index, carried in the marker */
	uint32_t inflight;
	uint32_t next_room;
	uint64_t next_send_ns;
	/* HTTP readers */
	uint64_t req_start_ns;
	uint64_t req_body_left;
	uint16_t http_status;
};

struct run_config {
	enum run_scenario scenario;
	const char *proto;           /* parta | xmpp | mqtt */
	const char *host;            /* server address (IPv4 literal) */
	int port;
	int server_pid;              /* for CPU and RSS; 0: not reported */
	const char *plan_path;       /* Parta: bench/seed's plan file */
	const char *seq_path;        /* fill writes, history reads: max seq per room */
	const char *label;           /* free text copied into the result line */
	uint32_t conns;              /* idle: connections; history/search: readers */
	uint32_t receivers, senders, rooms, room_size, fan_senders;
	double rate;                 /* messages/s over all senders; 0: window */
	uint32_t window;             /* messages in flight per sender */
	uint32_t payload;            /* bytes of text (fan-out, rooms, durable) */
	uint64_t count;              /* fill: messages to store */
	double warmup_s, duration_s, ready_timeout_s;
	uint32_t ramp;               /* sessions being set up at once */
	bool trace;                  /* print what connection 0 receives */
};

struct run;

/* A protocol adapter. */
struct proto_ops {
	const char *name;
	bool websocket;              /* frames handled by wsc, messages to .message */
	bool acks;                   /* answers each send with an ack (else the echo counts) */
	/* TCP is up: start the session (upgrade, stream open, CONNECT …). */
	int (*open)(struct run *r, struct conn *c);
	/* A whole WebSocket message (websocket adapters). 0 or -1 to close. */
	int (*message)(struct run *r, struct conn *c, int opcode, uint8_t *d, size_t len);
	/* Raw bytes (other adapters): as net_handler.on_data. */
	size_t (*data)(struct run *r, struct conn *c, uint8_t *d, size_t len);
	/* Send text (len bytes, already free of characters needing escapes) to
	 * topology room `room`; ts_ns is its send time. 0 or -1 (closed). */
	int (*send)(struct run *r, struct conn *c, unsigned room, const char *text, size_t len,
		    uint64_t ts_ns);
};

extern const struct proto_ops proto_parta, proto_xmpp, proto_mqtt, proto_http;

/* The run's state; adapters read cfg, plan and net, and otherwise go
 * through the functions below. */
struct run {
	struct run_config cfg;
	const struct proto_ops *proto;
	struct net net;
	struct plan plan;
	char host_header[64];        /* host:port */
	char run_id[24];             /* unique per run: client ids, MQTT ids */
	struct conn *conns;
	uint32_t nconns;
	uint32_t started, pending, nready, nfailed, ndropped;
	bool sending, measuring, closing;
	uint32_t senders_in_use;     /* rate mode: the rate is split over these */
	uint64_t t_send_start, t_measure_start, t_measure_end;
	struct hist lat;             /* send → receive at receivers */
	struct hist ack;             /* send → ack (or own echo) at senders */
	uint64_t deliveries, acked, sent, errors;
	uint64_t total_acked;        /* fill: over the whole run */
	int64_t *max_seq;            /* fill: highest acknowledged seq per room */
	uint64_t rng;
	char first_error[160];
};

/* The adapters' callbacks. */
void run_ready(struct run *r, struct conn *c);
/* A message carrying text arrived: d[0..len) is searched for a marker. */
void run_text(struct run *r, struct conn *c, const uint8_t *d, size_t len);
/* Parta: a send was acknowledged (ts_ns from its id), with the seq it got
 * in topology room `room` (or 0 if unknown). */
void run_ack(struct run *r, struct conn *c, uint64_t ts_ns, unsigned room, int64_t seq);
/* The server answered with an error; what is logged once per run. */
void run_fail(struct run *r, struct conn *c, const char *what, const uint8_t *d, size_t len);
/* The server sent a WebSocket close frame (payload d[0..len)). */
void run_close_frame(struct run *r, struct conn *c, const uint8_t *d, size_t len);
/* An HTTP reader got a whole response (status); it sends the next request. */
void run_http_done(struct run *r, struct conn *c, int status);

/* Execute the run described by cfg and print its RESULT line. Returns 0 or
 * -1 (setup failed: the reason is on stderr). */
int run_exec(const struct run_config *cfg);

#endif
