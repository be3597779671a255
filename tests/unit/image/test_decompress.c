/*
 * test_decompress.c - gzip/zstd/plain sniffing, multi-member streams,
 * truncation, corruption and trailing garbage.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "core/stream.h"
#include "image/decompress.h"
#include "tartest.h"

#include <stdio.h>

static tt_blob sample(size_t n)
{
	tt_blob b;
	size_t i;
	uint32_t x = 12345;

	b.len = n;
	b.data = malloc(n);
	for (i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		b.data[i] = (unsigned char)("abcdefgh"[(x >> 16) & 7] ^ ((i % 4096) == 0));
	}
	return b;
}

/* Decompress all of in; returns rc and the output. */
static int run(const unsigned char *in, size_t len, tt_blob *out, sc_compression *kind)
{
	sc_stream *m = NULL, *d = NULL;
	size_t cap = 1 << 16;
	int rc;

	out->data = malloc(cap);
	out->len = 0;
	assert_int_equal(sc_stream_mem_new(&m, in, len), 0);
	rc = sc_decompress_new(&d, m, "test blob", kind);
	if (rc) {
		free(out->data);
		out->data = NULL;
		return rc;
	}
	for (;;) {
		ssize_t n;

		if (out->len == cap) {
			cap *= 2;
			out->data = realloc(out->data, cap);
		}
		n = sc_stream_read(d, out->data + out->len, cap - out->len);
		if (n < 0) {
			rc = (int)n;
			break;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
	}
	sc_stream_close(d);
	return rc;
}

static void test_plain(void **state)
{
	tt_blob in = sample(100000), out;
	sc_compression k = SC_COMP_UNKNOWN;

	(void)state;
	assert_int_equal(run(in.data, in.len, &out, &k), 0);
	assert_int_equal(k, SC_COMP_NONE);
	assert_int_equal(out.len, in.len);
	assert_memory_equal(out.data, in.data, in.len);
	free(out.data);
	free(in.data);
}

static void test_empty(void **state)
{
	tt_blob out;
	sc_compression k = SC_COMP_UNKNOWN;

	(void)state;
	assert_int_equal(run((const unsigned char *)"", 0, &out, &k), 0);
	assert_int_equal(k, SC_COMP_NONE);
	assert_int_equal(out.len, 0);
	free(out.data);
}

static void test_gzip_roundtrip(void **state)
{
	tt_blob in = sample(3 << 20), gz = tt_gzip(in), out;
	sc_compression k;

	(void)state;
	assert_int_equal(run(gz.data, gz.len, &out, &k), 0);
	assert_int_equal(k, SC_COMP_GZIP);
	assert_int_equal(out.len, in.len);
	assert_memory_equal(out.data, in.data, in.len);
	free(out.data);
	free(gz.data);
	free(in.data);
}

static void test_gzip_multimember(void **state)
{
	tt_blob a = sample(70000), b = sample(5000), ga = tt_gzip(a), gb = tt_gzip(b), out;
	unsigned char *cat = malloc(ga.len + gb.len);
	sc_compression k;

	(void)state;
	memcpy(cat, ga.data, ga.len);
	memcpy(cat + ga.len, gb.data, gb.len);
	assert_int_equal(run(cat, ga.len + gb.len, &out, &k), 0);
	assert_int_equal(out.len, a.len + b.len);
	assert_memory_equal(out.data, a.data, a.len);
	assert_memory_equal(out.data + a.len, b.data, b.len);
	free(out.data);
	free(cat);
	free(ga.data);
	free(gb.data);
	free(a.data);
	free(b.data);
}

static void test_gzip_truncated(void **state)
{
	tt_blob in = sample(200000), gz = tt_gzip(in), out;
	sc_compression k;
	size_t cut[] = { 5, 20, gz.len / 2, gz.len - 4, gz.len - 1 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		int rc = run(gz.data, cut[i], &out, &k);

		assert_int_equal(rc, SC_EINPUT);
		assert_non_null(strstr(sc_error_msg(), "test blob"));
		free(out.data);
	}
	free(gz.data);
	free(in.data);
}

static void test_gzip_corrupt(void **state)
{
	tt_blob in = sample(200000), gz = tt_gzip(in), out;
	sc_compression k;
	size_t i;

	(void)state;
	for (i = gz.len / 3; i < gz.len / 3 + 64; i++)
		gz.data[i] ^= 0x5a;
	assert_int_equal(run(gz.data, gz.len, &out, &k), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "corrupt gzip"));
	free(out.data);
	free(gz.data);
	free(in.data);
}

static void test_gzip_checksum(void **state)
{
	tt_blob in = sample(1000), gz = tt_gzip(in), out;
	sc_compression k;

	(void)state;
	gz.data[gz.len - 6] ^= 1; /* CRC32 in the trailer */
	assert_int_equal(run(gz.data, gz.len, &out, &k), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "corrupt gzip"));
	free(out.data);
	free(gz.data);
	free(in.data);
}

static void test_gzip_trailing_garbage(void **state)
{
	tt_blob in = sample(1000), gz = tt_gzip(in), out;
	unsigned char *buf = malloc(gz.len + 8);
	sc_compression k;

	(void)state;
	memcpy(buf, gz.data, gz.len);
	memcpy(buf + gz.len, "GARBAGE!", 8);
	assert_int_equal(run(buf, gz.len + 8, &out, &k), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "after the last member"));
	free(out.data);
	free(buf);
	free(gz.data);
	free(in.data);
}

static void test_zstd(void **state)
{
	tt_blob in = sample(2 << 20), zs = tt_zstd(in), out;
	sc_compression k;

	(void)state;
	assert_int_equal(run(zs.data, zs.len, &out, &k), 0);
	assert_int_equal(k, SC_COMP_ZSTD);
	assert_int_equal(out.len, in.len);
	assert_memory_equal(out.data, in.data, in.len);
	free(out.data);

	assert_int_equal(run(zs.data, zs.len / 2, &out, &k), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "truncated zstd"));
	free(out.data);

	zs.data[zs.len / 2] ^= 0xff;
	zs.data[zs.len / 2 + 1] ^= 0xff;
	assert_int_equal(run(zs.data, zs.len, &out, &k), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "zstd"));
	free(out.data);
	free(zs.data);
	free(in.data);
}

static void test_zstd_multiframe(void **state)
{
	tt_blob a = sample(9000), za = tt_zstd(a), out;
	unsigned char *cat = malloc(2 * za.len);
	sc_compression k;

	(void)state;
	memcpy(cat, za.data, za.len);
	memcpy(cat + za.len, za.data, za.len);
	assert_int_equal(run(cat, 2 * za.len, &out, &k), 0);
	assert_int_equal(out.len, 2 * a.len);
	free(out.data);
	free(cat);
	free(za.data);
	free(a.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_gzip_roundtrip),
		cmocka_unit_test(test_gzip_multimember),
		cmocka_unit_test(test_gzip_truncated),
		cmocka_unit_test(test_gzip_corrupt),
		cmocka_unit_test(test_gzip_checksum),
		cmocka_unit_test(test_gzip_trailing_garbage),
		cmocka_unit_test(test_zstd),
		cmocka_unit_test(test_zstd_multiframe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
