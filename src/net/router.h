/* SPDX-License-Identifier: MIT */
/* Route matching: a static table of (method, pattern) where a pattern segment
 * ":name" matches one non-empty path segment. Tells 404 from 405. Pure; any
 * thread. */
#ifndef PARTA_NET_ROUTER_H
#define PARTA_NET_ROUTER_H

#include <stddef.h>

#define ROUTER_MAX_PARAMS 4

struct route {
	int method;            /* enum http_method */
	const char *pattern;   /* e.g. "/api/v1/auth/sessions/:id"; also the metrics label */
	const void *handler;   /* opaque to the router */
	unsigned flags;        /* opaque to the router */
};

struct route_match {
	const struct route *route;
	const char *param[ROUTER_MAX_PARAMS];  /* pointers into the path, not terminated */
	size_t param_len[ROUTER_MAX_PARAMS];
	int nparams;
};

/* Find the route for method + path[0..len). Returns PERR_OK with m filled,
 * PERR_METHOD if the path matches with another method (HEAD matches GET
 * routes), PERR_NOT_FOUND otherwise. */
int router_match(const struct route *routes, size_t n, int method, const char *path, size_t len,
		 struct route_match *m);

#endif
