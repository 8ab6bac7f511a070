/* SPDX-License-Identifier: MIT */
/* The load tool's network core: one epoll loop over thousands of
 * non-blocking TCP client sockets. Each socket is bound before connect to a
 * source address spread over 127.0.0.2–127.0.0.250 (IP_BIND_ADDRESS_NO_PORT,
 * so the port is chosen per 4-tuple at connect time), which lifts the
 * ~28k ephemeral-port ceiling of a single source address. Bytes that arrive
 * are handed to the protocol layer; whatever it does not consume (an
 * incomplete frame) is kept for the next read. Writes go straight to the
 * socket and are queued only when the kernel buffer is full.
 * Single-threaded: every function here runs on the loop's thread. */
#ifndef PARTA_BENCH_NET_H
#define PARTA_BENCH_NET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Per-connection state of this layer. The layer above embeds it as the
 * first member of its own connection struct and casts back in handlers. */
struct net_sock {
	int fd;                      /* -1 when closed */
	bool connecting;
	bool want_out;               /* EPOLLOUT armed */
	uint8_t *in;                 /* kept input: an incomplete frame */
	uint32_t in_len, in_cap;
	uint8_t *out;                /* queued output */
	uint32_t out_off, out_len, out_cap;
};

/* What the protocol layer does with a connection's events. */
struct net_handler {
	/* The TCP connection is established (or failed: then on_close follows). */
	void (*on_open)(void *ud, struct net_sock *s);
	/* data[0..len) arrived (after any bytes kept from before); the buffer
	 * may be modified. Return how many bytes were used; the rest is kept.
	 * Return NET_CLOSE to close the connection (on_close follows). */
	size_t (*on_data)(void *ud, struct net_sock *s, uint8_t *data, size_t len);
	/* The connection is closed; err is 0 or an errno value (or -1 for a
	 * protocol error reported by the layer above). */
	void (*on_close)(void *ud, struct net_sock *s, int err);
};

#define NET_CLOSE ((size_t)-1)

struct net {
	int epfd;
	struct sockaddr_in dst;
	uint32_t next_src;           /* round-robin over the source addresses */
	const struct net_handler *h;
	void *ud;
	uint8_t *scratch;            /* one read buffer shared by all sockets */
	size_t scratch_cap;
	uint64_t bytes_in, bytes_out;
	uint32_t open;               /* sockets currently open */
};

/* Raise RLIMIT_NOFILE's soft limit towards want (at most to the hard
 * limit). Returns the soft limit now in force. */
size_t net_raise_nofile(size_t want);

/* Prepare the loop for connections to ip:port (IPv4 literal on loopback).
 * Returns 0, or -1 with errno set. */
int net_init(struct net *n, const char *ip, int port, const struct net_handler *h, void *ud);
void net_free(struct net *n);

/* Initialise s as closed (before its first net_connect). */
void net_sock_init(struct net_sock *s);

/* Start a non-blocking connect for s (which must be closed). Returns 0
 * (on_open follows from net_poll), or -1 with errno set. */
int net_connect(struct net *n, struct net_sock *s);

/* Send len bytes: written now as far as the kernel takes them, the rest
 * queued (copied) and flushed when the socket is writable. Returns 0, or
 * -1 if the connection is closed or its queue passed 64 MiB (then closed). */
int net_send(struct net *n, struct net_sock *s, const void *data, size_t len);

/* Close s now (on_close is called with err) and free its buffers. Safe on
 * a closed socket (then nothing happens). */
void net_close(struct net *n, struct net_sock *s, int err);

/* Wait up to timeout_ms for events and dispatch them. Returns the number of
 * events handled, or -1 on an epoll error. */
int net_poll(struct net *n, int timeout_ms);

#endif
