/* SPDX-License-Identifier: MIT */
/* MQTT 3.1.1 adapter (QoS 0 only) against mosquitto: CONNECT with a clean
 * session and no keep-alive, SUBSCRIBE to the connection's room topics
 * ("r<k>", "fan") in one packet, ready on SUBACK. A message is a PUBLISH
 * to the room's topic; a sender subscribes to its own rooms too, so the
 * broker's copy back to it is its echo. No authentication, no storage:
 * this is the machine's fan-out reference, not a chat server. */
#include <stdio.h>
#include <string.h>

#include "run.h"

enum { MQTT_CONNECTING, MQTT_SUBSCRIBING, MQTT_READY };

#define MQTT_CONNECT 0x10
#define MQTT_CONNACK 0x20
#define MQTT_PUBLISH 0x30
#define MQTT_SUBSCRIBE 0x82 /* with the reserved flags 0010 */
#define MQTT_SUBACK 0x90

/* Encode the remaining length; returns bytes written (1–4). */
static size_t mqtt__varint(uint8_t *out, size_t v)
{
	size_t n = 0;
	do {
		uint8_t b = v % 128;
		v /= 128;
		out[n++] = (uint8_t)(v ? b | 0x80 : b);
	} while (v && n < 4);
	return n;
}

static size_t mqtt__topic(const struct run *r, unsigned room, char *out, size_t cap)
{
	int n = room == r->cfg.rooms ? snprintf(out, cap, "fan") : snprintf(out, cap, "r%u", room);
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* Header byte + remaining length + body. */
static int mqtt__packet(struct run *r, struct conn *c, uint8_t type, const uint8_t *body,
			size_t len)
{
	uint8_t buf[PROTO_BUF];
	if (len + 5 > sizeof buf)
		return -1;
	buf[0] = type;
	size_t h = 1 + mqtt__varint(buf + 1, len);
	memcpy(buf + h, body, len);
	return net_send(&r->net, &c->ns, buf, h + len);
}

static int mqtt_open(struct run *r, struct conn *c)
{
	uint8_t body[96];
	char id[48];
	int idl = snprintf(id, sizeof id, "c%u-%s", c->id, r->run_id);
	if (idl < 0 || (size_t)idl >= sizeof id)
		return -1;
	static const uint8_t head[] = {0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 0};
	memcpy(body, head, sizeof head);
	size_t n = sizeof head;
	body[n++] = (uint8_t)(idl >> 8);
	body[n++] = (uint8_t)idl;
	memcpy(body + n, id, (size_t)idl);
	n += (size_t)idl;
	c->state = MQTT_CONNECTING;
	return mqtt__packet(r, c, MQTT_CONNECT, body, n);
}

static int mqtt__subscribe(struct run *r, struct conn *c)
{
	if (!c->nrooms) {
		c->state = MQTT_READY;
		run_ready(r, c);
		return 0;
	}
	uint8_t body[512];
	size_t n = 0;
	body[n++] = 0;
	body[n++] = 1; /* packet id */
	for (unsigned i = 0; i < c->nrooms; i++) {
		char t[16];
		size_t tl = mqtt__topic(r, c->rooms[i], t, sizeof t);
		if (!tl || n + tl + 3 > sizeof body)
			return -1;
		body[n++] = 0;
		body[n++] = (uint8_t)tl;
		memcpy(body + n, t, tl);
		n += tl;
		body[n++] = 0; /* QoS 0 */
	}
	c->state = MQTT_SUBSCRIBING;
	return mqtt__packet(r, c, MQTT_SUBSCRIBE, body, n);
}

static size_t mqtt_data(struct run *r, struct conn *c, uint8_t *d, size_t len)
{
	size_t off = 0;
	while (len - off >= 2) {
		uint8_t type = d[off];
		size_t rem = 0, mult = 1, i = off + 1;
		bool complete = false;
		for (int k = 0; k < 4 && i < len; k++, i++) {
			rem += (size_t)(d[i] & 0x7F) * mult;
			mult *= 128;
			if (!(d[i] & 0x80)) {
				complete = true;
				i++;
				break;
			}
		}
		if (!complete)
			break; /* also a malformed length: the 4-byte cap keeps this bounded */
		if (len - i < rem)
			break;
		const uint8_t *body = d + i;
		off = i + rem;
		switch (type & 0xF0) {
		case MQTT_PUBLISH:
			if (rem >= 2) {
				size_t tl = ((size_t)body[0] << 8) | body[1];
				size_t skip = 2 + tl + ((type & 0x06) ? 2 : 0);
				if (skip <= rem)
					run_text(r, c, body + skip, rem - skip);
			}
			break;
		case MQTT_CONNACK:
			if (c->state != MQTT_CONNECTING || rem != 2 || body[1] != 0) {
				run_fail(r, c, "CONNACK refused", body, rem);
				return NET_CLOSE;
			}
			if (mqtt__subscribe(r, c) != 0)
				return NET_CLOSE;
			break;
		case MQTT_SUBACK:
			if (c->state == MQTT_SUBSCRIBING) {
				for (size_t k = 2; k < rem; k++) {
					if (body[k] == 0x80) {
						run_fail(r, c, "SUBACK refused", body, rem);
						return NET_CLOSE;
					}
				}
				c->state = MQTT_READY;
				run_ready(r, c);
			}
			break;
		default:
			break;
		}
		if (c->ns.fd < 0)
			return NET_CLOSE;
	}
	return off;
}

static int mqtt_send(struct run *r, struct conn *c, unsigned room, const char *text, size_t len,
		     uint64_t ts_ns)
{
	uint8_t body[PROTO_BUF];
	char t[16];
	size_t tl = mqtt__topic(r, room, t, sizeof t);
	if (!tl || 2 + tl + len > sizeof body)
		return -1;
	body[0] = 0;
	body[1] = (uint8_t)tl;
	memcpy(body + 2, t, tl);
	memcpy(body + 2 + tl, text, len);
	return mqtt__packet(r, c, MQTT_PUBLISH, body, 2 + tl + len);
}

const struct proto_ops proto_mqtt = {
	.name = "mqtt",
	.websocket = false,
	.acks = false,
	.open = mqtt_open,
	.data = mqtt_data,
	.send = mqtt_send,
};
