/* SPDX-License-Identifier: MIT */
/* Growable byte buffer with an optional hard maximum. Used for request bodies,
 * response building and JSON output. A buffer with max > 0 refuses to grow past
 * max and reports PERR_LIMIT, so network-fed data can never exhaust memory.
 * Not thread-safe; owned by one thread at a time. */
#ifndef PARTA_BASE_BUF_H
#define PARTA_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	char *data;   /* always NUL-terminated when len > 0 or after any append */
	size_t len;
	size_t cap;
	size_t max;   /* 0: unbounded (only for data we produce ourselves) */
};

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
/* Returns PERR_OK or PERR_LIMIT (buffer unchanged). */
int buf_append(struct buf *b, const void *data, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Take the data out; caller frees; the buffer is left empty. */
char *buf_steal(struct buf *b, size_t *len);

#endif
