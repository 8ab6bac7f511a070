/* SPDX-License-Identifier: MIT */
/* College structure rules: unit kinds and their nesting, roles per unit kind,
 * text, code, year and details validation, the search case fold and the
 * audit search's dates. Pure functions; see org.h for the contracts. */
#include "domain/org.h"

#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "base/utf8.h"

static const char *const kind_names[ORG__COUNT] = {
	[ORG_NONE] = "",
	[ORG_COLLEGE] = "college",
	[ORG_BRANCH] = "branch",
	[ORG_DEPARTMENT] = "department",
	[ORG_STUDY_GROUP] = "study_group",
};

const char *org_kind_name(enum org_kind k)
{
	return k > ORG_NONE && k < ORG__COUNT ? kind_names[k] : "";
}

enum org_kind org_kind_parse(const char *s, size_t len)
{
	for (int k = ORG_NONE + 1; k < ORG__COUNT; k++)
		if (strlen(kind_names[k]) == len && memcmp(kind_names[k], s, len) == 0)
			return (enum org_kind)k;
	return ORG_NONE;
}

#define K(x) (1u << (x))

int org_parent_check(enum org_kind child, enum org_kind parent)
{
	/* for each kind of child, the kinds of parent it may have */
	static const unsigned allowed[ORG__COUNT] = {
		[ORG_BRANCH] = K(ORG_COLLEGE),
		[ORG_DEPARTMENT] = K(ORG_COLLEGE) | K(ORG_BRANCH),
		[ORG_STUDY_GROUP] = K(ORG_COLLEGE) | K(ORG_BRANCH) | K(ORG_DEPARTMENT),
	};
	if (child <= ORG_NONE || child >= ORG__COUNT || parent <= ORG_NONE || parent >= ORG__COUNT)
		return PERR_INVALID;
	return allowed[child] & K(parent) ? PERR_OK : PERR_INVALID;
}

int org_role_unit_check(enum role role, enum org_kind unit_kind, const char **field)
{
	static const unsigned allowed[ROLE__COUNT] = {
		[ROLE_PLATFORM_ADMIN] = K(ORG_COLLEGE),
		[ROLE_ADMINISTRATION] = K(ORG_COLLEGE) | K(ORG_BRANCH) | K(ORG_DEPARTMENT),
		[ROLE_TEACHER] = K(ORG_COLLEGE) | K(ORG_BRANCH) | K(ORG_DEPARTMENT),
		[ROLE_STAFF] = K(ORG_COLLEGE) | K(ORG_BRANCH) | K(ORG_DEPARTMENT),
		[ROLE_CURATOR] = K(ORG_STUDY_GROUP),
		[ROLE_STUDENT] = K(ORG_STUDY_GROUP),
		/* ROLE_PARENT: none; parents come with a guardianship */
	};
	const char *f = NULL;
	int rc = PERR_OK;
	if (role <= ROLE_NONE || role >= ROLE__COUNT || !allowed[role]) {
		f = "role";
		rc = PERR_INVALID;
	} else if (unit_kind <= ORG_NONE || unit_kind >= ORG__COUNT || !(allowed[role] & K(unit_kind))) {
		f = "unit_id";
		rc = PERR_INVALID;
	}
	if (field)
		*field = f;
	return rc;
}

/* Number of code points of valid UTF-8. */
static size_t utf8_chars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Control characters: C0, DEL and C1 (U+0080..U+009F, C2 80..C2 9F). */
static bool has_controls(const char *s, size_t len, bool allow_newlines)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (allow_newlines && (c == '\n' || c == '\r' || c == '\t'))
			continue;
		if (c < 0x20 || c == 0x7f)
			return true;
		if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] <= 0x9F)
			return true;
	}
	return false;
}

int org_normalize_text(const char *text, size_t len, size_t min_chars, size_t max_chars, char *out,
		       size_t out_size)
{
	if (!text && len)
		return PERR_INVALID;
	while (len && is_space((unsigned char)*text)) {
		text++;
		len--;
	}
	while (len && is_space((unsigned char)text[len - 1]))
		len--;
	if (len + 1 > out_size || !utf8_valid(text, len) || has_controls(text, len, false))
		return PERR_INVALID;
	size_t chars = utf8_chars(text, len);
	if (chars < min_chars || chars > max_chars)
		return PERR_INVALID;
	if (len)
		memmove(out, text, len);  /* out may be text itself */
	out[len] = '\0';
	return PERR_OK;
}

int org_normalize_code(const char *code, size_t len, char out[ORG_CODE_BUF])
{
	return org_normalize_text(code, len, 1, ORG_CODE_MAX_CHARS, out, ORG_CODE_BUF);
}

int org_check_year(int64_t year)
{
	return year >= ORG_YEAR_MIN && year <= ORG_YEAR_MAX ? PERR_OK : PERR_INVALID;
}

int org_check_details(const struct json_value *details)
{
	if (!details || json_type(details) != JSON_OBJECT)
		return PERR_INVALID;
	size_t n = json_len(details);
	if (n > ORG_DETAILS_MAX_KEYS)
		return PERR_INVALID;
	for (size_t i = 0; i < n; i++) {
		const char *key = json_key_at(details, i);
		size_t klen = key ? strlen(key) : 0;
		size_t kchars = utf8_chars(key ? key : "", klen);
		if (klen == 0 || kchars > ORG_DETAILS_KEY_MAX_CHARS || has_controls(key, klen, false))
			return PERR_INVALID;
		for (size_t j = 0; j < i; j++)
			if (strcmp(json_key_at(details, j), key) == 0)
				return PERR_INVALID;
		size_t vlen;
		const char *v = json_str(json_value_at(details, i), &vlen);
		if (!v || memchr(v, '\0', vlen) || has_controls(v, vlen, true) ||
		    utf8_chars(v, vlen) > ORG_DETAILS_VALUE_MAX_CHARS)
			return PERR_INVALID;
	}
	return PERR_OK;
}

size_t org_fold(const char *s, size_t len, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		unsigned char d = i + 1 < len ? (unsigned char)s[i + 1] : 0;
		if (c >= 'A' && c <= 'Z') {
			out[o++] = (char)(c + 32);
		} else if ((c == 0xD0 && d == 0x81) || (c == 0xD1 && d == 0x91)) {
			/* Ё U+0401, ё U+0451 → е U+0435 */
			out[o++] = (char)0xD0;
			out[o++] = (char)0xB5;
			i++;
		} else if (c == 0xD0 && d >= 0x80 && d <= 0x8F) {
			/* U+0400..U+040F → U+0450..U+045F */
			out[o++] = (char)0xD1;
			out[o++] = (char)(d + 0x10);
			i++;
		} else if (c == 0xD0 && d >= 0x90 && d <= 0x9F) {
			/* А..П U+0410..U+041F → а..п U+0430..U+043F */
			out[o++] = (char)0xD0;
			out[o++] = (char)(d + 0x20);
			i++;
		} else if (c == 0xD0 && d >= 0xA0 && d <= 0xAF) {
			/* Р..Я U+0420..U+042F → р..я U+0440..U+044F */
			out[o++] = (char)0xD1;
			out[o++] = (char)(d - 0x20);
			i++;
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return o;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* n decimal digits at s into *out; false if any is not a digit. */
static bool digits(const char *s, size_t n, int64_t *out)
{
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* "YYYY-MM-DD" at s: days since the epoch. */
static int parse_date(const char *s, int64_t *days)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int64_t y, m, d;
	if (s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &m) ||
	    !digits(s + 8, 2, &d))
		return PERR_INVALID;
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap(y)))
		return PERR_INVALID;
	*days = days_from_civil(y, m, d);
	return PERR_OK;
}

/* "HH:MM" or "HH:MM:SS", optionally followed by "Z", at s[0..len). */
static int parse_clock(const char *s, size_t len, int64_t *secs)
{
	int64_t h, mi, se = 0;
	if (len && s[len - 1] == 'Z')
		len--;
	if ((len != 5 && len != 8) || s[2] != ':' || !digits(s, 2, &h) || !digits(s + 3, 2, &mi))
		return PERR_INVALID;
	if (len == 8 && (s[5] != ':' || !digits(s + 6, 2, &se)))
		return PERR_INVALID;
	if (h > 23 || mi > 59 || se > 59)
		return PERR_INVALID;
	*secs = h * 3600 + mi * 60 + se;
	return PERR_OK;
}

int org_parse_time(const char *s, size_t len, bool end_of_day, int64_t *out)
{
	int64_t v;
	if (!s || len == 0)
		return PERR_INVALID;
	if (len <= 12 && digits(s, len, &v)) {
		*out = v;
		return PERR_OK;
	}
	int64_t days, secs;
	if (len < 10 || parse_date(s, &days))
		return PERR_INVALID;
	if (len == 10) {
		*out = days * 86400 + (end_of_day ? 86399 : 0);
		return PERR_OK;
	}
	if ((s[10] != 'T' && s[10] != ' ') || parse_clock(s + 11, len - 11, &secs))
		return PERR_INVALID;
	*out = days * 86400 + secs;
	return PERR_OK;
}
