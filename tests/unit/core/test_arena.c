/*
 * test_arena.c - chunked bump allocator (src/core/arena.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/error.h"

#include <stdio.h>
#include <string.h>

static void test_basic(void **state)
{
	sc_arena a;
	char *s, *t;
	void *p;

	(void)state;
	sc_arena_init(&a);
	assert_null(a.head);
	assert_int_equal(a.total, 0);
	s = sc_arena_strdup(&a, "usr/bin/sh");
	assert_string_equal(s, "usr/bin/sh");
	t = sc_arena_strndup(&a, "etc/passwd-extra", 10);
	assert_string_equal(t, "etc/passwd");
	assert_string_equal(s, "usr/bin/sh"); /* earlier data intact */
	p = sc_arena_alloc(&a, 1);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % 8, 0);
	p = sc_arena_alloc(&a, 13);
	assert_int_equal((uintptr_t)p % 8, 0);
	p = sc_arena_alloc(&a, 0);
	assert_non_null(p);
	assert_int_equal(a.total, 16 + 16 + 8 + 16);
	sc_arena_release(&a);
	assert_null(a.head);
	assert_int_equal(a.total, 0);
	sc_arena_release(&a);
}

static void test_many_and_big(void **state)
{
	sc_arena a;
	char *strs[5000];
	char buf[32];
	char *big, *after;
	size_t i;

	(void)state;
	sc_arena_init(&a);
	for (i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "path/%zu", i);
		strs[i] = sc_arena_strdup(&a, buf);
		assert_non_null(strs[i]);
	}
	/* a block bigger than a chunk */
	big = sc_arena_alloc(&a, 1 << 20);
	assert_non_null(big);
	memset(big, 'x', 1 << 20);
	/* small allocations continue in the current chunk */
	after = sc_arena_strdup(&a, "after");
	assert_string_equal(after, "after");
	for (i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "path/%zu", i);
		assert_string_equal(strs[i], buf);
	}
	assert_true(a.total >= (1 << 20) + 5000 * 8);
	sc_arena_release(&a);
}

static void test_overflow(void **state)
{
	sc_arena a;

	(void)state;
	sc_arena_init(&a);
	sc_error_clear();
	assert_null(sc_arena_alloc(&a, (size_t)-1));
	assert_int_equal(sc_error_code(), SC_ENOMEM);
	sc_error_clear();
	/* rounds up fine but chunk header would overflow */
	assert_null(sc_arena_alloc(&a, (size_t)-1 - 15));
	assert_int_equal(sc_error_code(), SC_ENOMEM);
	assert_null(a.head);
	assert_int_equal(a.total, 0);
	sc_arena_release(&a);
}

static void test_steal(void **state)
{
	sc_arena a, b;
	char *s1, *s2, *s3;
	size_t ta, tb;

	(void)state;
	sc_arena_init(&a);
	sc_arena_init(&b);
	sc_arena_steal(&a, &b); /* both empty */
	assert_null(a.head);
	s2 = sc_arena_strdup(&b, "from b");
	assert_non_null(sc_arena_alloc(&b, 100000));
	tb = b.total;
	sc_arena_steal(&a, &b); /* into empty */
	assert_null(b.head);
	assert_int_equal(b.total, 0);
	assert_int_equal(a.total, tb);
	s1 = sc_arena_strdup(&a, "from a");
	s3 = sc_arena_strdup(&b, "b again");
	ta = a.total;
	tb = b.total;
	sc_arena_steal(&a, &b);
	assert_int_equal(a.total, ta + tb);
	assert_string_equal(s1, "from a");
	assert_string_equal(s2, "from b");
	assert_string_equal(s3, "b again");
	assert_string_equal(sc_arena_strdup(&a, "more"), "more");
	sc_arena_release(&b);
	sc_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_many_and_big),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_steal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
