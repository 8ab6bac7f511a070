/* SPDX-License-Identifier: MIT */
/* A minimal WebSocket client (RFC 6455) over the load tool's sockets: the
 * upgrade request, the check of the server's 101 answer and its
 * Sec-WebSocket-Accept, masked frames out, and a lean decoder for the
 * server's unmasked frames in. Pings are answered here. It trusts the
 * server more than a real client should: no UTF-8 validation and no
 * reassembly of fragmented messages (neither server under test fragments);
 * a fragment is a protocol error. Frame headers and masking come from the
 * server's own src/net/ws.c. Loop thread only. */
#ifndef PARTA_BENCH_WSC_H
#define PARTA_BENCH_WSC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net.h"

/* Per-connection client state; embed it in the connection. */
struct wsc {
	bool upgraded;
	char key[25];                /* our Sec-WebSocket-Key, NUL-terminated */
};

/* Pseudo-opcode passed to the message callback once the 101 answer has
 * been checked (data NULL, len 0): the client may now send frames. */
#define WSC_UPGRADED 0x100

/* A whole message from the server (text, binary, pong or close), or
 * WSC_UPGRADED. data is borrowed for the call. Return 0 to go on, -1 to
 * close the connection. */
typedef int (*wsc_message_fn)(void *ud, int opcode, uint8_t *data, size_t len);

/* Send the upgrade request for path on host, with extra header lines
 * (each ending in \r\n, or NULL). Returns 0 or -1 (connection closed). */
int wsc_start(struct net *n, struct net_sock *s, struct wsc *w, const char *host, const char *path,
	      const char *extra_headers);

/* Consume bytes: the 101 response first, then frames, calling fn for each
 * message. Returns the bytes used (the rest is an incomplete frame or
 * response) or NET_CLOSE on a protocol error or when fn asked to close. */
size_t wsc_feed(struct net *n, struct net_sock *s, struct wsc *w, uint8_t *data, size_t len,
		wsc_message_fn fn, void *ud);

/* Send one masked frame with the given opcode. Returns 0 or -1 (closed). */
int wsc_send(struct net *n, struct net_sock *s, int opcode, const void *data, size_t len);

#endif
