/* SPDX-License-Identifier: MIT */
/* XMPP adapter: XMPP over WebSocket (RFC 7395, subprotocol "xmpp", one
 * stanza per frame) against ejabberd. Session: <open/>, SASL PLAIN, a new
 * <open/>, resource binding, initial presence; then one MUC join per room
 * (history suppressed), each confirmed by the room's self-presence (status
 * 110). A session is ready when it has joined all its rooms. Messages are
 * type="groupchat" to the room; the room reflects each one to its sender
 * after mod_mam archived it, which is what a sender counts as its ack.
 * Accounts: u<user>@<domain>, password "bench-pass-2024"; rooms
 * r<k>@conference.<domain> and fan@…; resource c<conn id>, nick
 * c<conn id>-<run id> (a room may still hold the last run's nicks). The
 * stanzas are matched with substring searches: the tool knows what
 * ejabberd sends and only has to tell the few kinds apart. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "net/ws.h"
#include "run.h"

#define XMPP_DOMAIN "localhost"
#define XMPP_MUC "conference." XMPP_DOMAIN
#define XMPP_PASSWORD "bench-pass-2024"

enum { XMPP_OPEN1, XMPP_AUTH, XMPP_OPEN2, XMPP_BIND, XMPP_JOINING, XMPP_READY };

static bool xmpp__has(const uint8_t *d, size_t len, const char *s)
{
	return memmem(d, len, s, strlen(s)) != NULL;
}

static bool xmpp__starts(const uint8_t *d, size_t len, const char *s)
{
	size_t n = strlen(s);
	return len >= n && memcmp(d, s, n) == 0;
}

static int xmpp__send(struct run *r, struct conn *c, const char *s, int n)
{
	if (n < 0)
		return -1;
	return wsc_send(&r->net, &c->ns, WS_OP_TEXT, s, (size_t)n);
}

static int xmpp__open_stream(struct run *r, struct conn *c)
{
	static const char open[] = "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='" XMPP_DOMAIN
				   "' version='1.0'/>";
	return xmpp__send(r, c, open, (int)sizeof open - 1);
}

static void xmpp__room_jid(const struct run *r, unsigned room, char *out, size_t cap)
{
	if (room == r->cfg.rooms)
		snprintf(out, cap, "fan@" XMPP_MUC);
	else
		snprintf(out, cap, "r%u@" XMPP_MUC, room);
}

static int xmpp_open(struct run *r, struct conn *c)
{
	c->state = XMPP_OPEN1;
	return wsc_start(&r->net, &c->ns, &c->ws, r->host_header, "/ws",
			 "Sec-WebSocket-Protocol: xmpp\r\n");
}

static int xmpp__auth(struct run *r, struct conn *c)
{
	char raw[96], b64[160], buf[320];
	int rl = snprintf(raw, sizeof raw, "%cu%u%c%s", 0, c->user, 0, XMPP_PASSWORD);
	if (rl < 0 || (size_t)rl >= sizeof raw)
		return -1;
	sodium_bin2base64(b64, sizeof b64, (const unsigned char *)raw, (size_t)rl,
			  sodium_base64_VARIANT_ORIGINAL);
	int n = snprintf(buf, sizeof buf,
			 "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>%s</auth>",
			 b64);
	return n < (int)sizeof buf ? xmpp__send(r, c, buf, n) : -1;
}

static int xmpp__join_all(struct run *r, struct conn *c)
{
	if (!c->nrooms) {
		c->state = XMPP_READY;
		run_ready(r, c);
		return 0;
	}
	c->state = XMPP_JOINING;
	for (unsigned i = 0; i < c->nrooms; i++) {
		char jid[64], buf[320];
		xmpp__room_jid(r, c->rooms[i], jid, sizeof jid);
		int n = snprintf(buf, sizeof buf,
				 "<presence to='%s/c%u-%s'><x xmlns='http://jabber.org/protocol/muc'>"
				 "<history maxstanzas='0'/></x></presence>",
				 jid, c->id, r->run_id);
		if (n >= (int)sizeof buf || xmpp__send(r, c, buf, n) != 0)
			return -1;
	}
	return 0;
}

static int xmpp_message(struct run *r, struct conn *c, int opcode, uint8_t *d, size_t len)
{
	if (opcode == WSC_UPGRADED)
		return xmpp__open_stream(r, c);
	if (opcode == WS_OP_CLOSE) {
		run_close_frame(r, c, d, len);
		return -1;
	}
	if (opcode != WS_OP_TEXT)
		return 0;
	if (c->state == XMPP_READY || (c->state == XMPP_JOINING && xmpp__starts(d, len, "<message"))) {
		if (xmpp__starts(d, len, "<message")) {
			if (xmpp__has(d, len, "type='error'") || xmpp__has(d, len, "type=\"error\""))
				run_fail(r, c, "message error", d, len);
			else
				run_text(r, c, d, len);
		} else if (xmpp__starts(d, len, "<close") || xmpp__starts(d, len, "<stream:error")) {
			run_fail(r, c, "stream closed", d, len);
			return -1;
		}
		return 0;
	}
	if (xmpp__starts(d, len, "<stream:error") || xmpp__starts(d, len, "<failure") ||
	    xmpp__starts(d, len, "<close")) {
		run_fail(r, c, "set-up refused", d, len);
		return -1;
	}
	switch (c->state) {
	case XMPP_OPEN1:
		if (xmpp__has(d, len, "features") && xmpp__has(d, len, "PLAIN")) {
			c->state = XMPP_AUTH;
			return xmpp__auth(r, c);
		}
		return 0;
	case XMPP_AUTH:
		if (xmpp__starts(d, len, "<success")) {
			c->state = XMPP_OPEN2;
			return xmpp__open_stream(r, c);
		}
		return 0;
	case XMPP_OPEN2:
		if (xmpp__has(d, len, "features") && xmpp__has(d, len, "xmpp-bind")) {
			char buf[256];
			int n = snprintf(buf, sizeof buf,
					 "<iq type='set' id='bind'><bind "
					 "xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>c%u"
					 "</resource></bind></iq>",
					 c->id);
			c->state = XMPP_BIND;
			return xmpp__send(r, c, buf, n);
		}
		return 0;
	case XMPP_BIND:
		if (xmpp__starts(d, len, "<iq") && xmpp__has(d, len, "result")) {
			static const char presence[] = "<presence/>";
			if (xmpp__send(r, c, presence, (int)sizeof presence - 1) != 0)
				return -1;
			return xmpp__join_all(r, c);
		}
		if (xmpp__starts(d, len, "<iq")) {
			run_fail(r, c, "bind refused", d, len);
			return -1;
		}
		return 0;
	case XMPP_JOINING:
		if (xmpp__starts(d, len, "<presence") &&
		    (xmpp__has(d, len, "type='error'") || xmpp__has(d, len, "type=\"error\""))) {
			run_fail(r, c, "join refused", d, len);
			return -1;
		}
		if (xmpp__starts(d, len, "<presence") &&
		    (xmpp__has(d, len, "code='110'") || xmpp__has(d, len, "code=\"110\""))) {
			if (++c->joined == c->nrooms) {
				c->state = XMPP_READY;
				run_ready(r, c);
			}
		}
		return 0;
	default:
		return 0;
	}
}

static int xmpp_send(struct run *r, struct conn *c, unsigned room, const char *text, size_t len,
		     uint64_t ts_ns)
{
	char jid[64], buf[PROTO_BUF];
	xmpp__room_jid(r, room, jid, sizeof jid);
	int n = snprintf(buf, sizeof buf,
			 "<message to='%s' type='groupchat' id='m%llu'><body>%.*s</body></message>",
			 jid, (unsigned long long)ts_ns, (int)len, text);
	if (n < 0 || (size_t)n >= sizeof buf)
		return -1;
	return xmpp__send(r, c, buf, n);
}

const struct proto_ops proto_xmpp = {
	.name = "xmpp",
	.websocket = true,
	.acks = false,
	.open = xmpp_open,
	.message = xmpp_message,
	.send = xmpp_send,
};
