/* SPDX-License-Identifier: MIT */
/* Languages of user-facing text. Russian is the default; English is the
 * second catalogue. Any thread. */
#ifndef PARTA_BASE_I18N_H
#define PARTA_BASE_I18N_H

#include <stddef.h>

enum lang { LANG_RU = 0, LANG_EN = 1 };

/* Pick a language from an Accept-Language header value (may be NULL):
 * the first of ru/en by q-order; Russian when neither is present. */
enum lang lang_from_accept(const char *accept_language, size_t len);

#endif
