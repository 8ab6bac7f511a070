/* SPDX-License-Identifier: MIT */
/* Plan file loading (contract in plan.h). */
#include "plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLAN_MAX_USERS 1000000u
#define PLAN_MAX_ROOMS 100000u

static int plan__u32(const char *s, const char *key, uint32_t *out)
{
	const char *p = strstr(s, key);
	if (!p)
		return -1;
	p += strlen(key);
	char *end;
	errno = 0;
	unsigned long v = strtoul(p, &end, 10);
	if (errno || end == p || v > 0xFFFFFFFFul)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int plan__num(const char *s, uint64_t max, uint64_t *out, const char **rest)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || v > max)
		return -1;
	*out = v;
	*rest = end;
	return 0;
}

static int plan__alloc(struct plan *p)
{
	p->ntokens = p->receivers + p->senders + 1;
	p->nchats = p->rooms + 1;
	if (p->ntokens > PLAN_MAX_USERS || p->nchats > PLAN_MAX_ROOMS)
		return -1;
	p->tokens = calloc(p->ntokens, sizeof *p->tokens);
	p->chats = calloc(p->nchats, sizeof *p->chats);
	p->seqs = calloc(p->nchats, sizeof *p->seqs);
	return p->tokens && p->chats && p->seqs ? 0 : -1;
}

int plan_load(struct plan *p, const char *path)
{
	int rc = -1;
	unsigned lineno = 0;
	char line[512];
	memset(p, 0, sizeof *p);
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "parta-load: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		uint64_t idx, val;
		const char *rest;
		if (strncmp(line, "topology ", 9) == 0) {
			if (p->tokens || plan__u32(line, "receivers=", &p->receivers) ||
			    plan__u32(line, "senders=", &p->senders) ||
			    plan__u32(line, "rooms=", &p->rooms) ||
			    plan__u32(line, "room_size=", &p->room_size) ||
			    plan__u32(line, "fan_senders=", &p->fan_senders) || plan__alloc(p))
				goto bad;
		} else if (strncmp(line, "token ", 6) == 0) {
			if (!p->tokens || plan__num(line + 6, p->ntokens - 1, &idx, &rest) ||
			    *rest != ' ' || strlen(rest + 1) == 0 || strlen(rest + 1) > 128)
				goto bad;
			free(p->tokens[idx]);
			p->tokens[idx] = strdup(rest + 1);
			if (!p->tokens[idx])
				goto out;
		} else if (strncmp(line, "chat ", 5) == 0) {
			if (!p->chats || plan__num(line + 5, p->nchats - 1, &idx, &rest) ||
			    *rest != ' ' || plan__num(rest + 1, INT64_MAX, &val, &rest) || *rest)
				goto bad;
			p->chats[idx] = (int64_t)val;
		} else if (line[0] && line[0] != '#') {
			goto bad;
		}
	}
	if (!p->tokens) {
		fprintf(stderr, "parta-load: %s: no topology line\n", path);
		goto out;
	}
	rc = 0;
	goto out;
bad:
	fprintf(stderr, "parta-load: %s:%u: bad line\n", path, lineno);
out:
	fclose(f);
	if (rc)
		plan_free(p);
	return rc;
}

int plan_load_seqs(struct plan *p, const char *path)
{
	char line[128];
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "parta-load: %s: %s\n", path, strerror(errno));
		return -1;
	}
	int rc = 0;
	while (fgets(line, sizeof line, f)) {
		uint64_t idx, val;
		const char *rest;
		if (strncmp(line, "seq ", 4) != 0 || plan__num(line + 4, p->nchats - 1, &idx, &rest) ||
		    *rest != ' ' || plan__num(rest + 1, INT64_MAX, &val, &rest)) {
			rc = -1;
			break;
		}
		p->seqs[idx] = (int64_t)val;
	}
	fclose(f);
	if (rc)
		fprintf(stderr, "parta-load: %s: bad seq line\n", path);
	return rc;
}

void plan_free(struct plan *p)
{
	for (uint32_t i = 0; p->tokens && i < p->ntokens; i++)
		free(p->tokens[i]);
	free(p->tokens);
	free(p->chats);
	free(p->seqs);
	memset(p, 0, sizeof *p);
}
