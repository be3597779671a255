/*
 * test_stream.c - memory, file-range, digest-verifying and counting streams
 * (src/core/stream.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/digest.h"
#include "core/error.h"
#include "core/stream.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ABC "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define EMPTY "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void test_mem(void **state)
{
	sc_stream *s = NULL;
	char buf[16];

	(void)state;
	assert_int_equal(sc_stream_mem_new(&s, "hello world", 11), 0);
	assert_int_equal(sc_stream_read(s, buf, 5), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(sc_stream_read(s, buf, sizeof(buf)), 6);
	assert_memory_equal(buf, " world", 6);
	assert_int_equal(sc_stream_read(s, buf, sizeof(buf)), 0);
	assert_int_equal(sc_stream_read(s, buf, sizeof(buf)), 0);
	sc_stream_close(s);
	sc_stream_close(NULL);

	assert_int_equal(sc_stream_mem_new(&s, "", 0), 0);
	assert_int_equal(sc_stream_read(s, buf, sizeof(buf)), 0);
	sc_stream_close(s);

	assert_int_equal(sc_stream_mem_new(&s, "0123456789", 10), 0);
	assert_int_equal(sc_stream_read_full(s, buf, 4), 4);
	assert_int_equal(sc_stream_read_full(s, buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "456789", 6);
	sc_stream_close(s);
}

static int temp_file(const char *content)
{
	char path[] = "/tmp/scute-test-stream-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	return fd;
}

static void test_fd_range(void **state)
{
	int fd = temp_file("0123456789abcdef");
	sc_stream *s;
	char buf[32];

	(void)state;
	assert_int_equal(sc_stream_fd_new(&s, fd, 0, 2, 5), 0);
	assert_int_equal(sc_stream_read_full(s, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "23456", 5);
	assert_int_equal(sc_stream_read(s, buf, sizeof(buf)), 0);
	sc_stream_close(s);

	/* small reads */
	assert_int_equal(sc_stream_fd_new(&s, fd, 0, 10, 6), 0);
	assert_int_equal(sc_stream_read(s, buf, 4), 4);
	assert_memory_equal(buf, "abcd", 4);
	assert_int_equal(sc_stream_read(s, buf, 4), 2);
	assert_memory_equal(buf, "ef", 2);
	sc_stream_close(s);

	/* to end of file */
	assert_int_equal(sc_stream_fd_new(&s, fd, 0, 12, UINT64_MAX), 0);
	assert_int_equal(sc_stream_read_full(s, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "cdef", 4);
	sc_stream_close(s);

	/* empty range */
	assert_int_equal(sc_stream_fd_new(&s, fd, 0, 3, 0), 0);
	assert_int_equal(sc_stream_read(s, buf, sizeof(buf)), 0);
	sc_stream_close(s);

	/* range beyond the end of the file: truncated */
	assert_int_equal(sc_stream_fd_new(&s, fd, 0, 10, 100), 0);
	sc_error_clear();
	assert_int_equal(sc_stream_read_full(s, buf, sizeof(buf)), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "truncated"));
	sc_stream_close(s);

	/* offset + length overflow is clamped to end of file */
	assert_int_equal(sc_stream_fd_new(&s, fd, 0, 14, UINT64_MAX - 3), 0);
	assert_int_equal(sc_stream_read_full(s, buf, sizeof(buf)), 2);
	sc_stream_close(s);

	/* owned fd is closed with the stream */
	assert_int_equal(sc_stream_fd_new(&s, fd, 1, 0, 1), 0);
	sc_stream_close(s);
	assert_int_equal(fcntl(fd, F_GETFD), -1);
}

static void test_fd_read_error(void **state)
{
	int fd = temp_file("x");
	sc_stream *s;
	char buf[4];

	(void)state;
	close(fd);
	assert_int_equal(sc_stream_fd_new(&s, fd, 0, 0, 1), 0);
	assert_int_equal(sc_stream_read(s, buf, sizeof(buf)), SC_EIO);
	sc_stream_close(s);
}

static sc_stream *verifier(const char *data, const char *digest, uint64_t size)
{
	sc_stream *m, *v;
	sc_digest d;

	if (digest)
		assert_int_equal(sc_digest_parse(&d, digest), 0);
	assert_int_equal(sc_stream_mem_new(&m, data, strlen(data)), 0);
	assert_int_equal(sc_stream_verify_new(&v, m, digest ? &d : NULL, size, "layer 3"), 0);
	return v;
}

static void test_verify_good(void **state)
{
	sc_stream *v = verifier("abc", ABC, 3);
	char buf[8], out[SC_DIGEST_STRLEN];
	sc_digest d;
	uint64_t n = 0;

	(void)state;
	assert_int_equal(sc_stream_read(v, buf, 2), 2);
	assert_int_equal(sc_stream_read(v, buf, 8), 1);
	assert_int_equal(sc_stream_read(v, buf, 8), 0);
	assert_int_equal(sc_stream_read(v, buf, 8), 0);
	sc_stream_verify_result(v, &d, &n);
	assert_string_equal(sc_digest_fmt(&d, out), ABC);
	assert_int_equal(n, 3);
	sc_stream_close(v);

	/* unknown size: only the digest is checked */
	v = verifier("abc", ABC, UINT64_MAX);
	assert_int_equal(sc_stream_read_full(v, buf, sizeof(buf)), 3);
	sc_stream_close(v);

	/* nothing expected: digest is still computed */
	v = verifier("", NULL, UINT64_MAX);
	assert_int_equal(sc_stream_read_full(v, buf, sizeof(buf)), 0);
	sc_stream_verify_result(v, &d, NULL);
	assert_string_equal(sc_digest_fmt(&d, out), EMPTY);
	sc_stream_close(v);
}

static void test_verify_wrong_digest(void **state)
{
	sc_stream *v = verifier("abd", ABC, 3);
	char buf[8];

	(void)state;
	assert_int_equal(sc_stream_read(v, buf, 8), 3);
	sc_error_clear();
	assert_int_equal(sc_stream_read(v, buf, 8), SC_EDIGEST);
	assert_non_null(strstr(sc_error_msg(), "layer 3: digest mismatch"));
	assert_non_null(strstr(sc_error_msg(), ABC));
	/* the failure is sticky */
	assert_int_equal(sc_stream_read(v, buf, 8), SC_EDIGEST);
	sc_stream_close(v);

	v = verifier("abd", ABC, 3);
	assert_int_equal(sc_stream_read_full(v, buf, sizeof(buf)), SC_EDIGEST);
	sc_stream_close(v);
}

static void test_verify_too_long(void **state)
{
	sc_stream *v = verifier("abcd", ABC, 3);
	char buf[8];

	(void)state;
	/* fails on the read that passes the declared size, before end of stream */
	sc_error_clear();
	assert_int_equal(sc_stream_read(v, buf, 8), SC_EDIGEST);
	assert_non_null(strstr(sc_error_msg(), "layer 3: size mismatch: more than the 3 bytes"));
	assert_int_equal(sc_stream_read(v, buf, 8), SC_EDIGEST);
	sc_stream_close(v);

	/* byte by byte: exactly at the 4th byte */
	v = verifier("abcd", ABC, 3);
	assert_int_equal(sc_stream_read(v, buf, 1), 1);
	assert_int_equal(sc_stream_read(v, buf, 1), 1);
	assert_int_equal(sc_stream_read(v, buf, 1), 1);
	assert_int_equal(sc_stream_read(v, buf, 1), SC_EDIGEST);
	sc_stream_close(v);
}

static void test_verify_too_short(void **state)
{
	sc_stream *v = verifier("ab", ABC, 3);
	char buf[8];

	(void)state;
	assert_int_equal(sc_stream_read(v, buf, 8), 2);
	sc_error_clear();
	assert_int_equal(sc_stream_read(v, buf, 8), SC_EDIGEST);
	assert_non_null(strstr(sc_error_msg(), "size mismatch: 2 bytes, descriptor declares 3"));
	sc_stream_close(v);
}

static void test_verify_inner_error(void **state)
{
	int fd = temp_file("ab");
	sc_stream *f, *v;
	char buf[8];

	(void)state;
	assert_int_equal(sc_stream_fd_new(&f, fd, 1, 0, 10), 0);
	assert_int_equal(sc_stream_verify_new(&v, f, NULL, 10, "blob"), 0);
	sc_error_clear();
	assert_int_equal(sc_stream_read_full(v, buf, sizeof(buf)), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "blob: "));
	assert_non_null(strstr(sc_error_msg(), "truncated"));
	sc_stream_close(v); /* closes f and fd */
}

static void test_count(void **state)
{
	sc_stream *m, *c;
	uint64_t counter = 100;
	char buf[4];

	(void)state;
	assert_int_equal(sc_stream_mem_new(&m, "0123456789", 10), 0);
	assert_int_equal(sc_stream_count_new(&c, m, &counter), 0);
	assert_int_equal(sc_stream_read(c, buf, 4), 4);
	assert_int_equal(counter, 104);
	assert_int_equal(sc_stream_read_full(c, buf, 4), 4);
	assert_int_equal(sc_stream_read_full(c, buf, 4), 2);
	assert_int_equal(sc_stream_read(c, buf, 4), 0);
	assert_int_equal(counter, 110);
	sc_stream_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem),
		cmocka_unit_test(test_fd_range),
		cmocka_unit_test(test_fd_read_error),
		cmocka_unit_test(test_verify_good),
		cmocka_unit_test(test_verify_wrong_digest),
		cmocka_unit_test(test_verify_too_long),
		cmocka_unit_test(test_verify_too_short),
		cmocka_unit_test(test_verify_inner_error),
		cmocka_unit_test(test_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
