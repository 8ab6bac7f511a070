/* SPDX-License-Identifier: MIT */
/* The epoll loop and its sockets (contract in net.h). Level-triggered:
 * EPOLLIN is always armed, EPOLLOUT only while output is queued. Reads go
 * into one shared scratch buffer; only a connection that ends a read in the
 * middle of a frame keeps bytes of its own, so ten thousand idle sockets
 * cost the tool almost nothing. */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define NET_SCRATCH (256u * 1024)
#define NET_OUT_MAX (64u * 1024 * 1024)
#define NET_IN_MAX (64u * 1024 * 1024)
#define NET_EVENTS 512
#define NET_SRC_FIRST 2     /* 127.0.0.2 */
#define NET_SRC_COUNT 249   /* … 127.0.0.250 */

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

size_t net_raise_nofile(size_t want)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 0;
	rlim_t target = (rlim_t)want;
	if (rl.rlim_max != RLIM_INFINITY && target > rl.rlim_max)
		target = rl.rlim_max;
	if (target > rl.rlim_cur) {
		rl.rlim_cur = target;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0 && getrlimit(RLIMIT_NOFILE, &rl) != 0)
			return 0;
	}
	return (size_t)rl.rlim_cur;
}

int net_init(struct net *n, const char *ip, int port, const struct net_handler *h, void *ud)
{
	memset(n, 0, sizeof *n);
	n->epfd = -1;
	n->h = h;
	n->ud = ud;
	n->dst.sin_family = AF_INET;
	n->dst.sin_port = htons((uint16_t)port);
	if (port <= 0 || port > 65535 || inet_pton(AF_INET, ip, &n->dst.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	n->scratch_cap = NET_SCRATCH;
	n->scratch = malloc(n->scratch_cap);
	if (!n->scratch)
		return -1;
	n->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (n->epfd < 0) {
		free(n->scratch);
		n->scratch = NULL;
		return -1;
	}
	return 0;
}

void net_free(struct net *n)
{
	if (n->epfd >= 0)
		close(n->epfd);
	n->epfd = -1;
	free(n->scratch);
	n->scratch = NULL;
}

void net_sock_init(struct net_sock *s)
{
	memset(s, 0, sizeof *s);
	s->fd = -1;
}

static int net__arm(struct net *n, struct net_sock *s, bool out)
{
	struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0u), .data.ptr = s};
	if (epoll_ctl(n->epfd, EPOLL_CTL_MOD, s->fd, &ev) != 0)
		return -1;
	s->want_out = out;
	return 0;
}

int net_connect(struct net *n, struct net_sock *s)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	struct sockaddr_in src = {.sin_family = AF_INET};
	uint32_t host = (127u << 24) | (NET_SRC_FIRST + n->next_src++ % NET_SRC_COUNT);
	src.sin_addr.s_addr = htonl(host);
	if (setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one) != 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0 ||
	    bind(fd, (struct sockaddr *)&src, sizeof src) != 0)
		goto fail;
	if (connect(fd, (struct sockaddr *)&n->dst, sizeof n->dst) != 0 && errno != EINPROGRESS)
		goto fail;
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = s};
	if (epoll_ctl(n->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
		goto fail;
	s->fd = fd;
	s->connecting = true;
	s->want_out = true;
	n->open++;
	return 0;
fail: {
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}
}

void net_close(struct net *n, struct net_sock *s, int err)
{
	if (s->fd < 0)
		return;
	close(s->fd); /* also removes it from the epoll set */
	s->fd = -1;
	s->connecting = false;
	s->want_out = false;
	free(s->in);
	free(s->out);
	s->in = NULL;
	s->out = NULL;
	s->in_len = s->in_cap = 0;
	s->out_off = s->out_len = s->out_cap = 0;
	n->open--;
	n->h->on_close(n->ud, s, err);
}

/* Append to a growable buffer bounded by max. Returns 0 or -1. */
static int net__append(uint8_t **buf, uint32_t *len, uint32_t *cap, const void *data, size_t add,
		       size_t max)
{
	if ((size_t)*len + add > max)
		return -1;
	if (*len + add > *cap) {
		size_t ncap = *cap ? *cap : 4096;
		while (ncap < *len + add)
			ncap *= 2;
		if (ncap > max)
			ncap = max;
		uint8_t *nb = realloc(*buf, ncap);
		if (!nb)
			return -1;
		*buf = nb;
		*cap = (uint32_t)ncap;
	}
	memcpy(*buf + *len, data, add);
	*len += (uint32_t)add;
	return 0;
}

/* Write what is queued. Returns 0, or -1 with errno on a socket error. */
static int net__flush(struct net *n, struct net_sock *s)
{
	while (s->out_off < s->out_len) {
		ssize_t w = write(s->fd, s->out + s->out_off, s->out_len - s->out_off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return -1;
		}
		s->out_off += (uint32_t)w;
		n->bytes_out += (uint64_t)w;
	}
	if (s->out_off == s->out_len) {
		s->out_off = s->out_len = 0;
		if (s->want_out && !s->connecting)
			return net__arm(n, s, false);
		return 0;
	}
	if (s->out_off > s->out_cap / 2) {
		memmove(s->out, s->out + s->out_off, s->out_len - s->out_off);
		s->out_len -= s->out_off;
		s->out_off = 0;
	}
	return s->want_out ? 0 : net__arm(n, s, true);
}

int net_send(struct net *n, struct net_sock *s, const void *data, size_t len)
{
	if (s->fd < 0 || s->connecting)
		return -1;
	const uint8_t *p = data;
	if (s->out_len == 0) {
		while (len) {
			ssize_t w = write(s->fd, p, len);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN)
					break;
				net_close(n, s, errno);
				return -1;
			}
			n->bytes_out += (uint64_t)w;
			p += w;
			len -= (size_t)w;
		}
		if (!len)
			return 0;
	}
	if (net__append(&s->out, &s->out_len, &s->out_cap, p, len, NET_OUT_MAX) != 0) {
		net_close(n, s, ENOBUFS);
		return -1;
	}
	if (!s->want_out && net__arm(n, s, true) != 0) {
		net_close(n, s, errno);
		return -1;
	}
	return 0;
}

static void net__on_writable(struct net *n, struct net_sock *s)
{
	if (s->connecting) {
		int err = 0;
		socklen_t el = sizeof err;
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0)
			err = errno;
		if (err) {
			net_close(n, s, err);
			return;
		}
		s->connecting = false;
		if (net__arm(n, s, s->out_len > 0) != 0) {
			net_close(n, s, errno);
			return;
		}
		n->h->on_open(n->ud, s);
		return;
	}
	if (net__flush(n, s) != 0)
		net_close(n, s, errno);
}

/* Hand data to the protocol; keep what it did not use. */
static void net__deliver(struct net *n, struct net_sock *s, uint8_t *data, size_t len, bool own)
{
	size_t used = n->h->on_data(n->ud, s, data, len);
	if (s->fd < 0)
		return; /* closed from inside the handler */
	if (used == NET_CLOSE) {
		net_close(n, s, -1);
		return;
	}
	size_t rest = len - used;
	if (own) {
		if (rest && used)
			memmove(s->in, s->in + used, rest);
		s->in_len = (uint32_t)rest;
		if (!rest && s->in_cap > 65536) {
			free(s->in);
			s->in = NULL;
			s->in_cap = 0;
		}
	} else if (rest &&
		   net__append(&s->in, &s->in_len, &s->in_cap, data + used, rest, NET_IN_MAX) != 0) {
		net_close(n, s, ENOBUFS);
	}
}

static void net__on_readable(struct net *n, struct net_sock *s)
{
	ssize_t r = read(s->fd, n->scratch, n->scratch_cap);
	if (r < 0) {
		if (errno != EAGAIN && errno != EINTR)
			net_close(n, s, errno);
		return;
	}
	if (r == 0) {
		net_close(n, s, ECONNRESET);
		return;
	}
	n->bytes_in += (uint64_t)r;
	if (s->in_len == 0) {
		net__deliver(n, s, n->scratch, (size_t)r, false);
		return;
	}
	if (net__append(&s->in, &s->in_len, &s->in_cap, n->scratch, (size_t)r, NET_IN_MAX) != 0) {
		net_close(n, s, ENOBUFS);
		return;
	}
	net__deliver(n, s, s->in, s->in_len, true);
}

int net_poll(struct net *n, int timeout_ms)
{
	struct epoll_event evs[NET_EVENTS];
	int k = epoll_wait(n->epfd, evs, NET_EVENTS, timeout_ms);
	if (k < 0)
		return errno == EINTR ? 0 : -1;
	for (int i = 0; i < k; i++) {
		struct net_sock *s = evs[i].data.ptr;
		uint32_t e = evs[i].events;
		if (s->fd >= 0 && (e & (EPOLLOUT | EPOLLERR)))
			net__on_writable(n, s);
		if (s->fd >= 0 && !s->connecting && (e & (EPOLLIN | EPOLLHUP | EPOLLERR)))
			net__on_readable(n, s);
	}
	return k;
}
