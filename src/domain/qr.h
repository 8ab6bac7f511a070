/* SPDX-License-Identifier: MIT */
/* QR codes for printing invitation links: encode a text with libqrencode
 * (error correction level M, so a slightly smudged printout still scans) into
 * a square matrix of modules, then draw it as a PNG (1-bit grayscale, written
 * here with zlib: signature, IHDR, IDAT, IEND) or as an SVG (one <path> whose
 * sub-paths are horizontal runs of dark modules). Both include a quiet zone
 * of `margin` light modules on every side. Pure computation; any thread (the
 * Debian libqrencode is built thread-safe). */
#ifndef PARTA_DOMAIN_QR_H
#define PARTA_DOMAIN_QR_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define QR_SCALE_DEFAULT 8    /* pixels per module in PNGs */
#define QR_MARGIN_DEFAULT 4   /* quiet zone, in modules (the standard's minimum) */
#define QR_TEXT_MAX 1024      /* longest text we encode (bytes) */

/* A QR symbol: width x width modules, row-major, 1 = dark, 0 = light. */
struct qr_code {
	int width;
	uint8_t *modules;
};

/* Encode text[0..len) (no NUL bytes, at most QR_TEXT_MAX). On PERR_OK *out
 * owns its modules (free with qr_code_clear). PERR_INVALID for an empty text,
 * NUL bytes or a text too long; PERR_NOMEM if libqrencode fails otherwise. */
int qr_encode(const char *text, size_t len, struct qr_code *out);
void qr_code_clear(struct qr_code *q);
/* Number of dark modules (for checks). */
size_t qr_dark_count(const struct qr_code *q);

/* Append a PNG of q to out: (width + 2*margin) * scale pixels square, black
 * on white, 1 bit per pixel. scale 1..32, margin 0..16. PERR_OK, PERR_INVALID
 * for bad parameters, PERR_NOMEM if compression fails. */
int qr_write_png(const struct qr_code *q, int scale, int margin, struct buf *out);
/* Append a standalone SVG of q to out: a viewBox in module units (width +
 * 2*margin), a white background rect and one black <path>. PERR_OK or
 * PERR_INVALID for a bad margin. */
int qr_write_svg(const struct qr_code *q, int margin, struct buf *out);

#endif
