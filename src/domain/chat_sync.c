/* SPDX-License-Identifier: MIT */
/* The rules of the mandatory chats (see chat_sync.h): who belongs where with
 * which role, the titles, and the member difference. No I/O. */
#include "domain/chat_sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

static const char *const kind_names[CHAT_SYNC_KIND__COUNT] = {
	[CHAT_SYNC_KIND_NONE] = "",
	[CHAT_SYNC_TEACHERS] = "teachers",
	[CHAT_SYNC_STUDY_GROUP] = "study_group",
	[CHAT_SYNC_PARENTS] = "parents",
	[CHAT_SYNC_SUBJECT] = "subject",
};

const char *chat_sync_kind_name(enum chat_sync_kind k)
{
	if ((int)k <= CHAT_SYNC_KIND_NONE || k >= CHAT_SYNC_KIND__COUNT)
		return "";
	return kind_names[k];
}

enum chat_sync_kind chat_sync_kind_parse(const char *s)
{
	if (!s)
		return CHAT_SYNC_KIND_NONE;
	for (int k = CHAT_SYNC_KIND_NONE + 1; k < CHAT_SYNC_KIND__COUNT; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return (enum chat_sync_kind)k;
	return CHAT_SYNC_KIND_NONE;
}

const char *chat_sync_role_name(enum chat_sync_role r)
{
	switch (r) {
	case CHAT_SYNC_MEMBER:
		return "member";
	case CHAT_SYNC_ADMIN:
		return "admin";
	case CHAT_SYNC_OWNER:
		return "owner";
	default:
		return "";
	}
}

enum chat_sync_role chat_sync_role_parse(const char *s)
{
	if (!s)
		return CHAT_SYNC_ROLE_NONE;
	if (strcmp(s, "member") == 0)
		return CHAT_SYNC_MEMBER;
	if (strcmp(s, "admin") == 0)
		return CHAT_SYNC_ADMIN;
	if (strcmp(s, "owner") == 0)
		return CHAT_SYNC_OWNER;
	return CHAT_SYNC_ROLE_NONE;
}

enum chat_sync_role chat_sync_role_for(enum chat_sync_kind k, enum role r)
{
	switch (k) {
	case CHAT_SYNC_TEACHERS:
		if (r == ROLE_TEACHER || r == ROLE_CURATOR)
			return CHAT_SYNC_MEMBER;
		if (r == ROLE_ADMINISTRATION || r == ROLE_PLATFORM_ADMIN)
			return CHAT_SYNC_ADMIN;
		return CHAT_SYNC_ROLE_NONE;
	case CHAT_SYNC_STUDY_GROUP:
		if (r == ROLE_STUDENT || r == ROLE_TEACHER)
			return CHAT_SYNC_MEMBER;
		return r == ROLE_CURATOR ? CHAT_SYNC_ADMIN : CHAT_SYNC_ROLE_NONE;
	case CHAT_SYNC_PARENTS:
		if (r == ROLE_PARENT)
			return CHAT_SYNC_MEMBER;
		return r == ROLE_CURATOR ? CHAT_SYNC_ADMIN : CHAT_SYNC_ROLE_NONE;
	case CHAT_SYNC_SUBJECT:
		if (r == ROLE_STUDENT)
			return CHAT_SYNC_MEMBER;
		return r == ROLE_CURATOR ? CHAT_SYNC_ADMIN : CHAT_SYNC_ROLE_NONE;
	default:
		return CHAT_SYNC_ROLE_NONE;
	}
}

/* Length of the longest prefix of s[0..len) that fits max bytes and does not
 * end inside a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	size_t n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

static void title_join(const char *prefix, const char *name, char out[CHAT_SYNC_TITLE_MAX])
{
	size_t pl = strlen(prefix);
	size_t nl = utf8_cut(name, strlen(name), CHAT_SYNC_TITLE_MAX - 1 - pl);
	memcpy(out, prefix, pl);
	memcpy(out + pl, name, nl);
	out[pl + nl] = '\0';
}

void chat_sync_title(enum chat_sync_kind k, const char *name, char out[CHAT_SYNC_TITLE_MAX])
{
	const char *n = name ? name : "";
	out[0] = '\0';
	switch (k) {
	case CHAT_SYNC_TEACHERS:
		title_join(n[0] ? "Преподаватели — " : "Преподаватели", n, out);
		break;
	case CHAT_SYNC_STUDY_GROUP:
		title_join("", n, out);
		break;
	case CHAT_SYNC_PARENTS:
		title_join("Родители ", n, out);
		break;
	default:
		break;
	}
}

void chat_sync_set_add(struct chat_sync_set *s, int64_t user_id, enum chat_sync_role role, bool manual)
{
	if (s->count == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->items = xrealloc(s->items, s->cap * sizeof *s->items);
	}
	s->items[s->count++] = (struct chat_sync_member){user_id, role, manual};
}

void chat_sync_set_clear(struct chat_sync_set *s)
{
	free(s->items);
	memset(s, 0, sizeof *s);
}

void chat_sync_diff_clear(struct chat_sync_diff *d)
{
	free(d->items);
	memset(d, 0, sizeof *d);
}

static int member_cmp(const void *a, const void *b)
{
	const struct chat_sync_member *x = a, *y = b;
	if (x->user_id != y->user_id)
		return x->user_id < y->user_id ? -1 : 1;
	return 0;
}

/* Sort by user id and fold duplicates into one entry with the highest role
 * (manual if any of them is). */
static void set_normalize(struct chat_sync_set *s)
{
	if (s->count > 1)
		qsort(s->items, s->count, sizeof *s->items, member_cmp);
	size_t w = 0;
	for (size_t i = 0; i < s->count; i++) {
		struct chat_sync_member *m = &s->items[i];
		if (w && s->items[w - 1].user_id == m->user_id) {
			struct chat_sync_member *k = &s->items[w - 1];
			if (m->role > k->role)
				k->role = m->role;
			k->manual = k->manual || m->manual;
			continue;
		}
		s->items[w++] = *m;
	}
	s->count = w;
}

static void diff_push(struct chat_sync_diff *d, enum chat_sync_op op, int64_t user_id,
		      enum chat_sync_role role)
{
	if (d->count == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->items = xrealloc(d->items, d->cap * sizeof *d->items);
	}
	d->items[d->count++] = (struct chat_sync_change){op, user_id, role};
}

/* One pass of the merge of the two sorted sets emitting the changes of op. */
static void diff_pass(const struct chat_sync_set *want, const struct chat_sync_set *have,
		      enum chat_sync_op op, struct chat_sync_diff *out)
{
	size_t i = 0, j = 0;
	while (i < want->count || j < have->count) {
		const struct chat_sync_member *w = i < want->count ? &want->items[i] : NULL;
		const struct chat_sync_member *h = j < have->count ? &have->items[j] : NULL;
		enum chat_sync_role wr = w && w->role == CHAT_SYNC_OWNER ? CHAT_SYNC_ADMIN
									  : (w ? w->role : CHAT_SYNC_ROLE_NONE);
		if (h && (!w || h->user_id < w->user_id)) {
			if (op == CHAT_SYNC_REMOVE && !h->manual && h->role != CHAT_SYNC_OWNER)
				diff_push(out, op, h->user_id, CHAT_SYNC_ROLE_NONE);
			j++;
		} else if (w && (!h || w->user_id < h->user_id)) {
			if (op == CHAT_SYNC_ADD && wr != CHAT_SYNC_ROLE_NONE)
				diff_push(out, op, w->user_id, wr);
			i++;
		} else {
			bool fixed = h->manual || h->role == CHAT_SYNC_OWNER;
			if (op == CHAT_SYNC_REMOVE && !fixed && wr == CHAT_SYNC_ROLE_NONE)
				diff_push(out, op, h->user_id, CHAT_SYNC_ROLE_NONE);
			if (op == CHAT_SYNC_SET_ROLE && !fixed && wr != CHAT_SYNC_ROLE_NONE && wr != h->role)
				diff_push(out, op, h->user_id, wr);
			i++;
			j++;
		}
	}
}

void chat_sync_diff_compute(struct chat_sync_set *want, struct chat_sync_set *have, bool set_roles,
			    struct chat_sync_diff *out)
{
	out->count = 0;
	set_normalize(want);
	set_normalize(have);
	diff_pass(want, have, CHAT_SYNC_REMOVE, out);
	if (set_roles)
		diff_pass(want, have, CHAT_SYNC_SET_ROLE, out);
	diff_pass(want, have, CHAT_SYNC_ADD, out);
}
