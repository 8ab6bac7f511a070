/* SPDX-License-Identifier: MIT */
/* Accept-Language negotiation between the two catalogues we ship. */
#include "base/i18n.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum lang lang_from_accept(const char *s, size_t len)
{
	double best_q = -1.0;
	enum lang best = LANG_RU;
	size_t i = 0;
	if (!s)
		return LANG_RU;
	while (i < len) {
		while (i < len && (s[i] == ' ' || s[i] == ','))
			i++;
		size_t tag = i;
		while (i < len && s[i] != ',' && s[i] != ';' && s[i] != ' ')
			i++;
		size_t tag_len = i - tag;
		double q = 1.0;
		while (i < len && s[i] != ',') {
			if (s[i] == 'q' && i + 1 < len && s[i + 1] == '=') {
				char tmp[8] = {0};
				size_t j = 0;
				i += 2;
				while (i < len && j < sizeof tmp - 1 &&
				       (isdigit((unsigned char)s[i]) || s[i] == '.'))
					tmp[j++] = s[i++];
				q = strtod(tmp, NULL);
				continue;
			}
			i++;
		}
		int is_ru = tag_len >= 2 && tolower((unsigned char)s[tag]) == 'r' &&
			    tolower((unsigned char)s[tag + 1]) == 'u';
		int is_en = tag_len >= 2 && tolower((unsigned char)s[tag]) == 'e' &&
			    tolower((unsigned char)s[tag + 1]) == 'n';
		if ((is_ru || is_en) && q > best_q) {
			best_q = q;
			best = is_en ? LANG_EN : LANG_RU;
		}
	}
	return best;
}
