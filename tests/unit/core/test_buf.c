/*
 * test_buf.c - bounded buffer and checked allocation helpers (src/core/buf.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>

static void test_append(void **state)
{
	sc_buf b;

	(void)state;
	sc_buf_init(&b, 1024, "test buffer");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(sc_buf_append(&b, "ab", 2), 0);
	assert_int_equal(sc_buf_puts(&b, "cd"), 0);
	assert_int_equal(sc_buf_putc(&b, 'e'), 0);
	assert_int_equal(sc_buf_printf(&b, "-%d-%s", 42, "x"), 0);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "abcde-42-x");
	assert_int_equal(sc_buf_append(&b, NULL, 0), 0);
	assert_int_equal(b.len, 10);
	/* binary data with NULs */
	assert_int_equal(sc_buf_append(&b, "\0z", 2), 0);
	assert_int_equal(b.len, 12);
	assert_memory_equal(b.data + 10, "\0z", 3);
	sc_buf_release(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	sc_buf_release(&b);
}

static void test_growth(void **state)
{
	sc_buf b;
	size_t i;

	(void)state;
	sc_buf_init(&b, 1 << 20, NULL);
	for (i = 0; i < 100000; i++)
		assert_int_equal(sc_buf_putc(&b, (char)('a' + i % 26)), 0);
	assert_int_equal(b.len, 100000);
	assert_true(b.cap > b.len);
	assert_int_equal(b.data[b.len], '\0');
	assert_int_equal(b.data[99999], 'a' + 99999 % 26);
	sc_buf_release(&b);
}

static void test_limit(void **state)
{
	sc_buf b;

	(void)state;
	sc_buf_init(&b, 8, "tiny thing");
	assert_int_equal(sc_buf_puts(&b, "12345678"), 0); /* exactly max */
	assert_true(b.cap <= 9);
	sc_error_clear();
	assert_int_equal(sc_buf_putc(&b, '9'), SC_ELIMIT);
	assert_int_equal(sc_error_code(), SC_ELIMIT);
	assert_non_null(strstr(sc_error_msg(), "tiny thing exceeds 8 bytes"));
	assert_string_equal(b.data, "12345678"); /* unchanged */
	sc_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	assert_int_equal(sc_buf_printf(&b, "%s", "123456789"), SC_ELIMIT);
	assert_int_equal(b.len, 0);
	assert_int_equal(sc_buf_append(&b, "123456789", 9), SC_ELIMIT);
	assert_int_equal(sc_buf_append(&b, "x", (size_t)-1), SC_ELIMIT);
	sc_buf_release(&b);

	/* max 0: only empty appends */
	sc_buf_init(&b, 0, NULL);
	assert_int_equal(sc_buf_putc(&b, 'x'), SC_ELIMIT);
	assert_non_null(strstr(sc_error_msg(), "buffer exceeds 0 bytes"));
	sc_buf_release(&b);
}

static void test_unbounded_max(void **state)
{
	sc_buf b;

	(void)state;
	/* A cap of SIZE_MAX must not wrap around when clamping the allocation. */
	sc_buf_init(&b, (size_t)-1, "big");
	assert_int_equal(sc_buf_puts(&b, "hello"), 0);
	assert_int_equal(sc_buf_puts(&b, " world"), 0);
	assert_string_equal(b.data, "hello world");
	assert_int_equal(sc_buf_append(&b, "x", (size_t)-1), SC_ELIMIT);
	sc_buf_release(&b);
}

static void test_detach(void **state)
{
	sc_buf b;
	size_t len = 99;
	char *p;

	(void)state;
	sc_buf_init(&b, 64, NULL);
	p = sc_buf_detach(&b, &len);
	assert_non_null(p);
	assert_string_equal(p, "");
	assert_int_equal(len, 0);
	free(p);
	assert_int_equal(sc_buf_puts(&b, "data"), 0);
	p = sc_buf_detach(&b, &len);
	assert_string_equal(p, "data");
	assert_int_equal(len, 4);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	free(p);
	p = sc_buf_detach(&b, NULL);
	free(p);
	/* usable again after detach */
	assert_int_equal(sc_buf_puts(&b, "again"), 0);
	assert_string_equal(b.data, "again");
	sc_buf_release(&b);
}

static void test_alloc_helpers(void **state)
{
	char *s;
	void *p;
	size_t r = 0;

	(void)state;
	s = sc_strdup("hello");
	assert_string_equal(s, "hello");
	free(s);
	s = sc_strndup("hello", 3);
	assert_string_equal(s, "hel");
	free(s);
	/* stops at the NUL like strndup(), never reads past it */
	s = sc_strndup("hi", 1000);
	assert_string_equal(s, "hi");
	free(s);
	s = sc_strndup("", 0);
	assert_string_equal(s, "");
	free(s);

	p = sc_malloc(0);
	assert_non_null(p);
	free(p);
	p = sc_calloc(0, 0);
	assert_non_null(p);
	free(p);
	p = sc_calloc(4, 4);
	assert_memory_equal(p, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	p = sc_reallocarray(p, 8, 4);
	assert_non_null(p);
	free(p);
	sc_error_clear();
	assert_null(sc_reallocarray(NULL, (size_t)-1 / 2, 4));
	assert_int_equal(sc_error_code(), SC_ENOMEM);

	assert_int_equal(sc_add_overflow(1, 2, &r), 0);
	assert_int_equal(r, 3);
	assert_int_equal(sc_add_overflow((size_t)-1, 1, &r), -1);
	assert_int_equal(sc_mul_overflow(1000, 1000, &r), 0);
	assert_int_equal(r, 1000000);
	assert_int_equal(sc_mul_overflow((size_t)-1 / 2 + 1, 2, &r), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_unbounded_max),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_alloc_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
