/* SPDX-License-Identifier: MIT */
/* The rules of a chat's administration and the checks of its settings; see
 * chat_policy.h and docs/internals/chat_policy.md. */
#include "domain/chat_policy.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/utf8.h"

static const char *const kind_names[] = {
	[CHAT_KIND_NONE] = "", [CHAT_KIND_DIRECT] = "direct", [CHAT_KIND_GROUP] = "group",
	[CHAT_KIND_CHANNEL] = "channel",
};
static const char *const role_names[] = {
	[CHAT_ROLE_NONE] = "", [CHAT_ROLE_MEMBER] = "member", [CHAT_ROLE_ADMIN] = "admin",
	[CHAT_ROLE_OWNER] = "owner",
};

const char *chat_kind_name(enum chat_kind k)
{
	return k > CHAT_KIND_NONE && k <= CHAT_KIND_CHANNEL ? kind_names[k] : "";
}

const char *chat_role_name(enum chat_role r)
{
	return r > CHAT_ROLE_NONE && r <= CHAT_ROLE_OWNER ? role_names[r] : "";
}

static int name_index(const char *const *names, int n, const char *s, size_t len)
{
	for (int i = 1; i < n; i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return i;
	return 0;
}

enum chat_kind chat_kind_parse(const char *s, size_t len)
{
	return s ? (enum chat_kind)name_index(kind_names, 4, s, len) : CHAT_KIND_NONE;
}

enum chat_role chat_role_parse(const char *s, size_t len)
{
	return s ? (enum chat_role)name_index(role_names, 4, s, len) : CHAT_ROLE_NONE;
}

static bool is_manager(const struct chat_membership *m)
{
	return m->role == CHAT_ROLE_OWNER || m->role == CHAT_ROLE_ADMIN;
}

static void set_field(const char **field, const char *name)
{
	if (field)
		*field = name;
}

int chat_policy_may_update(const struct chat_facts *c, const struct chat_membership *actor)
{
	if (c->kind == CHAT_KIND_DIRECT || c->archived || !is_manager(actor))
		return PERR_FORBIDDEN;
	return PERR_OK;
}

int chat_policy_may_add(const struct chat_facts *c, const struct chat_membership *actor)
{
	if (c->kind == CHAT_KIND_DIRECT || c->archived || actor->role == CHAT_ROLE_NONE)
		return PERR_FORBIDDEN;
	return is_manager(actor) || c->add_policy_all ? PERR_OK : PERR_FORBIDDEN;
}

int chat_policy_may_remove(const struct chat_facts *c, const struct chat_membership *actor,
			   const struct chat_membership *target, bool self, const char **field)
{
	if (c->kind == CHAT_KIND_DIRECT || c->archived || actor->role == CHAT_ROLE_NONE)
		return PERR_FORBIDDEN;
	if (target->role == CHAT_ROLE_NONE)
		return PERR_NOT_FOUND;
	if (self) {
		/* mandatory chats follow the structure: one leaves them by leaving
		 * the group, not by hand */
		if (c->mandatory)
			return PERR_FORBIDDEN;
		if (actor->role == CHAT_ROLE_OWNER) {
			set_field(field, "user_id");
			return PERR_CONFLICT;
		}
		return PERR_OK;
	}
	if (target->role == CHAT_ROLE_OWNER || target->system)
		return PERR_FORBIDDEN;
	if (actor->role == CHAT_ROLE_OWNER)
		return PERR_OK;
	if (actor->role == CHAT_ROLE_ADMIN && target->role == CHAT_ROLE_MEMBER)
		return PERR_OK;
	return PERR_FORBIDDEN;
}

int chat_policy_may_set_role(const struct chat_facts *c, const struct chat_membership *actor,
			     const struct chat_membership *target, enum chat_role to, bool self,
			     const char **field)
{
	if (c->kind == CHAT_KIND_DIRECT || c->archived || actor->role != CHAT_ROLE_OWNER)
		return PERR_FORBIDDEN;
	if (target->role == CHAT_ROLE_NONE)
		return PERR_NOT_FOUND;
	if (to == CHAT_ROLE_NONE) {
		set_field(field, "role");
		return PERR_INVALID;
	}
	if (self) {
		set_field(field, "role");
		return PERR_CONFLICT;
	}
	/* the structure sets a system member's role (chat sync would undo it) */
	if (target->system && to != CHAT_ROLE_OWNER)
		return PERR_FORBIDDEN;
	return PERR_OK;
}

int chat_policy_may_mute(const struct chat_facts *c, const struct chat_membership *actor,
			 const struct chat_membership *target, bool self, const char **field)
{
	if (c->kind == CHAT_KIND_DIRECT || c->archived || !is_manager(actor))
		return PERR_FORBIDDEN;
	if (target->role == CHAT_ROLE_NONE)
		return PERR_NOT_FOUND;
	if (self) {
		set_field(field, "user_id");
		return PERR_CONFLICT;
	}
	if (target->role == CHAT_ROLE_OWNER)
		return PERR_FORBIDDEN;
	if (actor->role == CHAT_ROLE_ADMIN && target->role != CHAT_ROLE_MEMBER)
		return PERR_FORBIDDEN;
	return PERR_OK;
}

bool chat_policy_post_policy_fits(const struct chat_facts *c, const char *post_policy)
{
	return !(c->kind == CHAT_KIND_CHANNEL && post_policy && strcmp(post_policy, "all") == 0);
}

bool chat_policy_may_see_reads(const struct chat_membership *actor, bool author)
{
	if (actor->role == CHAT_ROLE_NONE)
		return false;
	return author || is_manager(actor);
}

/* ---- values ---- */

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Characters (code points) of valid UTF-8 s[0..len). */
static size_t char_count(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

/* C0 controls, DEL and C1 controls (U+0080..U+009F, encoded C2 80..C2 9F);
 * multiline texts may hold \n and \t (and \r before \n). */
static bool has_controls(const char *s, size_t len, bool multiline)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0x7F || (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] < 0xA0))
			return true;
		if (c >= 0x20)
			continue;
		if (multiline && (c == '\n' || c == '\t' || (c == '\r' && i + 1 < len && s[i + 1] == '\n')))
			continue;
		return true;
	}
	return false;
}

static int check_text(const char *s, size_t len, size_t min_chars, size_t max_chars, bool multiline,
		      char *out, size_t out_size)
{
	if (!s && len)
		return PERR_INVALID;
	while (len && is_space((unsigned char)s[0])) {
		s++;
		len--;
	}
	while (len && is_space((unsigned char)s[len - 1]))
		len--;
	if (!utf8_valid(s, len) || memchr(s ? s : "", '\0', len) || has_controls(s, len, multiline))
		return PERR_INVALID;
	size_t n = char_count(s, len);
	if (n < min_chars || n > max_chars || len >= out_size)
		return PERR_INVALID;
	if (len)
		memmove(out, s, len);
	out[len] = '\0';
	return PERR_OK;
}

int chat_policy_title(const char *s, size_t len, char *out, size_t out_size)
{
	return check_text(s, len, 1, CHAT_TITLE_MAX_CHARS, false, out, out_size);
}

int chat_policy_description(const char *s, size_t len, char *out, size_t out_size)
{
	return check_text(s, len, 0, CHAT_DESCRIPTION_MAX_CHARS, true, out, out_size);
}

int chat_policy_subject(const char *s, size_t len, char *out, size_t out_size)
{
	return check_text(s, len, 1, CHAT_SUBJECT_MAX_CHARS, false, out, out_size);
}

bool chat_policy_valid_policy(const char *s, size_t len)
{
	return s && ((len == 3 && memcmp(s, "all", 3) == 0) || (len == 6 && memcmp(s, "admins", 6) == 0));
}

bool chat_policy_valid_slow_mode(int64_t s)
{
	return s >= 0 && s <= CHAT_SLOW_MODE_MAX_S;
}

bool chat_policy_valid_mute(int64_t s)
{
	return s == 0 || (s >= CHAT_MUTE_MIN_S && s <= CHAT_MUTE_MAX_S);
}

void chat_policy_direct_key(int64_t a, int64_t b, char out[48])
{
	snprintf(out, 48, "%lld:%lld", (long long)(a < b ? a : b), (long long)(a < b ? b : a));
}

size_t chat_policy_prefix(const char *s, size_t len, size_t max_chars)
{
	size_t chars = 0;
	for (size_t i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (chars == max_chars)
				return i;
			chars++;
		}
	}
	return len;
}
