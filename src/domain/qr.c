/* SPDX-License-Identifier: MIT */
/* QR symbols via libqrencode, drawn as PNG (our own minimal encoder over
 * zlib's compress2 and crc32) or SVG. */
#include "domain/qr.h"

#include <errno.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/alloc.h"
#include "base/err.h"

int qr_encode(const char *text, size_t len, struct qr_code *out)
{
	out->width = 0;
	out->modules = NULL;
	if (!text || len == 0 || len > QR_TEXT_MAX || memchr(text, '\0', len))
		return PERR_INVALID;
	char *copy = xstrndup(text, len);
	QRcode *q = QRcode_encodeString(copy, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	int err = errno;
	free(copy);
	if (!q)
		return err == ERANGE || err == EINVAL ? PERR_INVALID : PERR_NOMEM;
	size_t n = (size_t)q->width * (size_t)q->width;
	out->width = q->width;
	out->modules = xmalloc(n);
	for (size_t i = 0; i < n; i++)
		out->modules[i] = q->data[i] & 1;
	QRcode_free(q);
	return PERR_OK;
}

void qr_code_clear(struct qr_code *q)
{
	free(q->modules);
	q->modules = NULL;
	q->width = 0;
}

size_t qr_dark_count(const struct qr_code *q)
{
	size_t n = 0, total = (size_t)q->width * (size_t)q->width;
	for (size_t i = 0; i < total; i++)
		n += q->modules[i];
	return n;
}

/* ---- PNG ---- */

static void qr__be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One chunk: length, type, data, CRC-32 of type and data. */
static void qr__png_chunk(struct buf *out, const char type[4], const uint8_t *data, size_t len)
{
	uint8_t word[4];
	qr__be32(word, (uint32_t)len);
	buf_append(out, word, 4);
	buf_append(out, type, 4);
	if (len)
		buf_append(out, data, len);
	uLong crc = crc32(0L, Z_NULL, 0);
	crc = crc32(crc, (const Bytef *)type, 4);
	if (len)
		crc = crc32(crc, data, (uInt)len);
	qr__be32(word, (uint32_t)crc);
	buf_append(out, word, 4);
}

/* Raw scanlines: a filter byte (0, none) then 1-bit pixels, MSB first, where
 * a set bit is white (grayscale 1) and a clear bit black. */
static uint8_t *qr__png_rows(const struct qr_code *q, int scale, int margin, uint32_t *side,
			     size_t *raw_len)
{
	uint32_t modules = (uint32_t)(q->width + 2 * margin);
	uint32_t px = modules * (uint32_t)scale;
	size_t stride = 1 + (px + 7) / 8;
	uint8_t *raw = xmalloc(stride * px);
	for (uint32_t y = 0; y < px; y++) {
		uint8_t *row = raw + (size_t)y * stride;
		memset(row, 0xff, stride);
		row[0] = 0;
		int my = (int)(y / (uint32_t)scale) - margin;
		if (my < 0 || my >= q->width)
			continue;
		for (uint32_t x = 0; x < px; x++) {
			int mx = (int)(x / (uint32_t)scale) - margin;
			if (mx < 0 || mx >= q->width || !q->modules[(size_t)my * (size_t)q->width + (size_t)mx])
				continue;
			row[1 + x / 8] &= (uint8_t)~(0x80u >> (x % 8));
		}
	}
	*side = px;
	*raw_len = stride * px;
	return raw;
}

int qr_write_png(const struct qr_code *q, int scale, int margin, struct buf *out)
{
	static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	int rc = PERR_OK;
	uint8_t *raw = NULL, *z = NULL;
	if (!q || !q->modules || q->width <= 0 || scale < 1 || scale > 32 || margin < 0 ||
	    margin > 16)
		return PERR_INVALID;
	uint32_t side;
	size_t raw_len;
	raw = qr__png_rows(q, scale, margin, &side, &raw_len);
	uLongf z_len = compressBound((uLong)raw_len);
	z = xmalloc(z_len);
	if (compress2(z, &z_len, raw, (uLong)raw_len, Z_BEST_COMPRESSION) != Z_OK) {
		rc = PERR_NOMEM;
		goto out;
	}
	uint8_t ihdr[13];
	qr__be32(ihdr, side);
	qr__be32(ihdr + 4, side);
	ihdr[8] = 1;   /* bit depth */
	ihdr[9] = 0;   /* colour type: grayscale */
	ihdr[10] = 0;  /* compression: deflate */
	ihdr[11] = 0;  /* filter method 0 */
	ihdr[12] = 0;  /* no interlace */
	buf_append(out, signature, sizeof signature);
	qr__png_chunk(out, "IHDR", ihdr, sizeof ihdr);
	qr__png_chunk(out, "IDAT", z, z_len);
	qr__png_chunk(out, "IEND", NULL, 0);
out:
	free(raw);
	free(z);
	return rc;
}

/* ---- SVG ---- */

int qr_write_svg(const struct qr_code *q, int margin, struct buf *out)
{
	if (!q || !q->modules || q->width <= 0 || margin < 0 || margin > 16)
		return PERR_INVALID;
	int side = q->width + 2 * margin;
	buf_printf(out,
		   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" viewBox=\"0 0 %d %d\" "
		   "width=\"%d\" height=\"%d\" shape-rendering=\"crispEdges\">\n"
		   "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n"
		   "<path fill=\"#000\" d=\"",
		   side, side, side * QR_SCALE_DEFAULT, side * QR_SCALE_DEFAULT, side, side);
	for (int y = 0; y < q->width; y++) {
		const uint8_t *row = q->modules + (size_t)y * (size_t)q->width;
		int x = 0;
		while (x < q->width) {
			if (!row[x]) {
				x++;
				continue;
			}
			int start = x;
			while (x < q->width && row[x])
				x++;
			buf_printf(out, "M%d %dh%dv1h-%dz", start + margin, y + margin, x - start,
				   x - start);
		}
	}
	buf_puts(out, "\"/>\n</svg>\n");
	return PERR_OK;
}
