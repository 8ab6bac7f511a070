/* SPDX-License-Identifier: MIT */
/* QR codes: the encoded matrix, the PNG (signature, IHDR size and format,
 * every chunk's CRC, and the decompressed pixels matching the modules with
 * the quiet zone) and the SVG (well-formed, one path whose runs cover exactly
 * the dark modules). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/buf.h"
#include "base/err.h"
#include "domain/qr.h"

static const char URL[] = "https://parta.college.example/join/IWKGd7TB_sZqkAA9eB5HaA";

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void test_encode(void **state)
{
	(void)state;
	struct qr_code q;
	assert_int_equal(qr_encode(URL, strlen(URL), &q), PERR_OK);
	/* versions 1..40 are 21..177 modules, in steps of 4 */
	assert_true(q.width >= 21 && q.width <= 177 && (q.width - 17) % 4 == 0);
	/* the finder pattern's top-left corner: a 7x7 dark ring around light */
	for (int i = 0; i < 7; i++) {
		assert_int_equal(q.modules[i], 1);
		assert_int_equal(q.modules[(size_t)i * q.width], 1);
	}
	assert_int_equal(q.modules[(size_t)1 * q.width + 1], 0);
	assert_int_equal(q.modules[(size_t)3 * q.width + 3], 1);
	size_t dark = qr_dark_count(&q);
	assert_true(dark > 0 && dark < (size_t)q.width * q.width);
	qr_code_clear(&q);
	assert_null(q.modules);

	assert_int_equal(qr_encode("", 0, &q), PERR_INVALID);
	assert_int_equal(qr_encode("a\0b", 3, &q), PERR_INVALID);
	char *big = malloc(QR_TEXT_MAX + 1);
	memset(big, 'x', QR_TEXT_MAX + 1);
	assert_int_equal(qr_encode(big, QR_TEXT_MAX + 1, &q), PERR_INVALID);
	free(big);
}

/* Walk the chunks: check each CRC, return IHDR and the concatenated IDAT. */
static void png_chunks(const uint8_t *png, size_t len, uint8_t ihdr[13], struct buf *idat)
{
	static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	assert_true(len > 8);
	assert_memory_equal(png, sig, 8);
	size_t off = 8;
	int n = 0;
	bool seen_end = false;
	while (off < len) {
		assert_true(off + 12 <= len);
		uint32_t clen = be32(png + off);
		assert_true(off + 12 + clen <= len);
		const uint8_t *type = png + off + 4;
		uLong crc = crc32(0L, Z_NULL, 0);
		crc = crc32(crc, type, 4 + clen);
		assert_int_equal((uint32_t)crc, be32(png + off + 8 + clen));
		if (n == 0) {
			assert_memory_equal(type, "IHDR", 4);
			assert_int_equal(clen, 13);
			memcpy(ihdr, type + 4, 13);
		} else if (memcmp(type, "IDAT", 4) == 0) {
			buf_append(idat, type + 4, clen);
		} else if (memcmp(type, "IEND", 4) == 0) {
			assert_int_equal(clen, 0);
			seen_end = true;
		}
		off += 12 + clen;
		n++;
	}
	assert_int_equal(off, len);
	assert_true(seen_end);
}

static void test_png(void **state)
{
	(void)state;
	struct qr_code q;
	struct buf png;
	uint8_t ihdr[13] = {0};
	struct buf idat;
	assert_int_equal(qr_encode(URL, strlen(URL), &q), PERR_OK);
	buf_init(&png, 0);
	buf_init(&idat, 0);
	assert_int_equal(qr_write_png(&q, 8, 4, &png), PERR_OK);
	png_chunks((const uint8_t *)png.data, png.len, ihdr, &idat);

	uint32_t side = (uint32_t)(q.width + 8) * 8;
	assert_int_equal(be32(ihdr), side);
	assert_int_equal(be32(ihdr + 4), side);
	assert_int_equal(ihdr[8], 1);   /* 1 bit */
	assert_int_equal(ihdr[9], 0);   /* grayscale */
	assert_int_equal(ihdr[12], 0);  /* not interlaced */

	size_t stride = 1 + (side + 7) / 8;
	uLongf raw_len = stride * side;
	uint8_t *raw = malloc(raw_len);
	assert_int_equal(uncompress(raw, &raw_len, (const Bytef *)idat.data, idat.len), Z_OK);
	assert_int_equal(raw_len, stride * side);
	/* every pixel: black exactly where its module is dark; white quiet zone */
	for (uint32_t y = 0; y < side; y++) {
		assert_int_equal(raw[y * stride], 0);  /* filter: none */
		for (uint32_t x = 0; x < side; x++) {
			bool white = raw[y * stride + 1 + x / 8] & (0x80 >> (x % 8));
			int mx = (int)(x / 8) - 4, my = (int)(y / 8) - 4;
			bool dark = mx >= 0 && my >= 0 && mx < q.width && my < q.width &&
				    q.modules[(size_t)my * q.width + mx];
			if (white == dark)
				fail_msg("pixel %u,%u", x, y);
		}
	}
	free(raw);

	assert_int_equal(qr_write_png(&q, 0, 4, &png), PERR_INVALID);
	assert_int_equal(qr_write_png(&q, 8, -1, &png), PERR_INVALID);
	buf_free(&png);
	buf_free(&idat);
	qr_code_clear(&q);
}

static void test_svg(void **state)
{
	(void)state;
	struct qr_code q;
	struct buf svg;
	assert_int_equal(qr_encode(URL, strlen(URL), &q), PERR_OK);
	buf_init(&svg, 0);
	assert_int_equal(qr_write_svg(&q, 4, &svg), PERR_OK);
	const char *s = svg.data;
	assert_non_null(strstr(s, "<?xml version=\"1.0\""));
	char viewbox[64];
	snprintf(viewbox, sizeof viewbox, "viewBox=\"0 0 %d %d\"", q.width + 8, q.width + 8);
	assert_non_null(strstr(s, viewbox));
	assert_non_null(strstr(s, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
	const char *end = strstr(s, "</svg>");
	assert_non_null(end);
	assert_string_equal(end, "</svg>\n");
	/* exactly one path, and no other markup sneaks in */
	const char *path = strstr(s, "<path ");
	assert_non_null(path);
	assert_null(strstr(path + 1, "<path"));
	const char *d = strstr(path, " d=\"");
	assert_non_null(d);
	d += 4;

	/* replay the runs onto a blank matrix: it must equal the modules */
	size_t n = (size_t)q.width * q.width, covered = 0;
	uint8_t *seen = calloc(n, 1);
	while (*d == 'M') {
		int x, y, w, w2, used = 0;
		assert_int_equal(sscanf(d, "M%d %dh%dv1h-%dz%n", &x, &y, &w, &w2, &used), 4);
		assert_true(used > 0);
		assert_int_equal(w, w2);
		x -= 4;
		y -= 4;
		assert_true(x >= 0 && y >= 0 && y < q.width && w >= 1 && x + w <= q.width);
		for (int i = 0; i < w; i++) {
			size_t k = (size_t)y * q.width + x + i;
			assert_int_equal(seen[k], 0);
			seen[k] = 1;
			covered++;
		}
		d += used;
	}
	assert_string_equal(d, "\"/>\n</svg>\n");
	assert_int_equal(covered, qr_dark_count(&q));
	assert_memory_equal(seen, q.modules, n);
	free(seen);
	buf_free(&svg);
	qr_code_clear(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_png),
		cmocka_unit_test(test_svg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
