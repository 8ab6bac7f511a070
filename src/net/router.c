/* SPDX-License-Identifier: MIT */
/* Linear route matching; the table is small and checked in order. */
#include "net/router.h"

#include <http_parser.h>
#include <string.h>

#include "base/err.h"

static int router__match_path(const char *pat, const char *path, size_t len, struct route_match *m)
{
	size_t i = 0;
	m->nparams = 0;
	while (*pat) {
		if (*pat == ':') {
			while (*pat && *pat != '/')
				pat++;
			size_t start = i;
			while (i < len && path[i] != '/')
				i++;
			if (i == start || m->nparams == ROUTER_MAX_PARAMS)
				return 0;
			m->param[m->nparams] = path + start;
			m->param_len[m->nparams] = i - start;
			m->nparams++;
			continue;
		}
		if (i >= len || path[i] != *pat)
			return 0;
		i++;
		pat++;
	}
	return i == len;
}

int router_match(const struct route *routes, size_t n, int method, const char *path, size_t len,
		 struct route_match *m)
{
	int found_other = 0;
	for (size_t r = 0; r < n; r++) {
		if (!router__match_path(routes[r].pattern, path, len, m))
			continue;
		if (routes[r].method == method ||
		    (method == HTTP_HEAD && routes[r].method == HTTP_GET)) {
			m->route = &routes[r];
			return PERR_OK;
		}
		found_other = 1;
	}
	m->route = NULL;
	m->nparams = 0;
	return found_other ? PERR_METHOD : PERR_NOT_FOUND;
}
