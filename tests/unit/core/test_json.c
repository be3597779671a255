/*
 * test_json.c - bounded JSON parsing and typed getters (src/core/json.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "core/json.h"

#include <stdlib.h>
#include <string.h>

static json_t *parse_ok(const char *s)
{
	json_t *j = NULL;

	if (sc_json_parse(&j, s, strlen(s), 1 << 20, SC_JSON_MAX_DEPTH, "doc") != 0)
		fail_msg("parse failed: %s", sc_error_msg());
	return j;
}

static int parse_rc(const char *s, size_t max, int depth)
{
	json_t *j = (json_t *)(uintptr_t)1;
	int rc = sc_json_parse(&j, s, strlen(s), max, depth, "thing");

	if (rc == 0)
		json_decref(j);
	else
		assert_ptr_equal(j, (json_t *)(uintptr_t)1);
	return rc;
}

static char *nested(int depth)
{
	char *s = malloc((size_t)depth * 2 + 1), *p = s;
	int i;

	for (i = 0; i < depth; i++)
		*p++ = '[';
	for (i = 0; i < depth; i++)
		*p++ = ']';
	*p = '\0';
	return s;
}

static void test_parse_basic(void **state)
{
	json_t *j;

	(void)state;
	j = parse_ok("{\"a\": [1, 2, {\"b\": null}], \"s\": \"x\\u00e9\"}");
	assert_true(json_is_object(j));
	assert_string_equal(sc_json_str(j, "s"), "x\xc3\xa9");
	json_decref(j);
	sc_error_clear();
	assert_int_equal(parse_rc("{\"a\":", 100, 8), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "thing: malformed JSON at line 1"));
	assert_int_equal(parse_rc("", 100, 8), SC_EINPUT);
	assert_int_equal(parse_rc("{} {}", 100, 8), SC_EINPUT);
	assert_int_equal(parse_rc("[1,]", 100, 8), SC_EINPUT);
}

static void test_depth_limit(void **state)
{
	char *s;

	(void)state;
	/* arrays only: exactly 64 is fine, 65 is not */
	s = nested(64);
	assert_int_equal(parse_rc(s, 1 << 20, 64), 0);
	free(s);
	s = nested(65);
	sc_error_clear();
	assert_int_equal(parse_rc(s, 1 << 20, 64), SC_ELIMIT);
	assert_non_null(strstr(sc_error_msg(), "thing: JSON nested deeper than 64 levels"));
	free(s);
	/* a deep prefix fails before the (recursive) parser even runs */
	s = malloc(100001);
	memset(s, '[', 100000);
	s[100000] = '\0';
	assert_int_equal(parse_rc(s, 1 << 20, 64), SC_ELIMIT);
	free(s);
	/* brackets inside strings (and escaped quotes) do not count */
	assert_int_equal(parse_rc("{\"a\":\"[[[[[[[[[[\\\"[[[[[[\"}", 100, 2), 0);
	assert_int_equal(parse_rc("[[[1]]]", 100, 2), SC_ELIMIT);
	assert_int_equal(parse_rc("[[1],[1],[1]]", 100, 2), 0);
}

static void test_size_limit(void **state)
{
	(void)state;
	sc_error_clear();
	assert_int_equal(parse_rc("{\"abc\":1}", 8, 8), SC_ELIMIT);
	assert_non_null(strstr(sc_error_msg(), "thing: document is 9 bytes, limit is 8"));
	assert_int_equal(parse_rc("{\"abc\":1}", 9, 8), 0);
}

static void test_duplicates(void **state)
{
	(void)state;
	sc_error_clear();
	assert_int_equal(parse_rc("{\"a\":1,\"a\":2}", 100, 8), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "duplicate"));
	assert_int_equal(parse_rc("{\"a\":{\"b\":1,\"b\":1}}", 100, 8), SC_EINPUT);
	assert_int_equal(parse_rc("[{\"a\":1},{\"a\":1}]", 100, 8), 0);
}

static void test_getters(void **state)
{
	json_t *j = parse_ok("{\"s\":\"str\",\"n\":42,\"neg\":-1,\"f\":1.5,\"o\":{},\"a\":[\"x\",\"y\"],"
			     "\"bad\":[\"x\",3],\"z\":null,\"big\":9223372036854775807}");
	const char *s = "untouched";
	unsigned long long u = 7;
	json_t *v = NULL;
	char **sv = (char **)(uintptr_t)1;

	(void)state;
	assert_string_equal(sc_json_str(j, "s"), "str");
	assert_null(sc_json_str(j, "n"));
	assert_null(sc_json_str(j, "missing"));
	assert_null(sc_json_str(NULL, "s"));

	assert_int_equal(sc_json_get_str(j, "s", 1, &s, "doc"), 0);
	assert_string_equal(s, "str");
	s = "untouched";
	assert_int_equal(sc_json_get_str(j, "missing", 0, &s, "doc"), 0);
	assert_string_equal(s, "untouched");
	assert_int_equal(sc_json_get_str(j, "z", 0, &s, "doc"), 0); /* null = missing */
	assert_string_equal(s, "untouched");
	assert_int_equal(sc_json_get_str(j, "missing", 1, &s, "doc"), SC_EINPUT);
	assert_string_equal(sc_error_msg(), "doc: missing field 'missing'");
	assert_int_equal(sc_json_get_str(j, "n", 0, &s, "doc"), SC_EINPUT);
	assert_string_equal(sc_error_msg(), "doc: field 'n' is not a string");
	assert_string_equal(s, "untouched");

	assert_int_equal(sc_json_get_u64(j, "n", 1, &u, "doc"), 0);
	assert_int_equal(u, 42);
	assert_int_equal(sc_json_get_u64(j, "big", 1, &u, "doc"), 0);
	assert_true(u == 9223372036854775807ULL);
	u = 7;
	assert_int_equal(sc_json_get_u64(j, "neg", 1, &u, "doc"), SC_EINPUT);
	assert_string_equal(sc_error_msg(), "doc: field 'neg' is not a non-negative integer");
	assert_int_equal(sc_json_get_u64(j, "f", 1, &u, "doc"), SC_EINPUT);
	assert_int_equal(sc_json_get_u64(j, "s", 1, &u, "doc"), SC_EINPUT);
	assert_int_equal(sc_json_get_u64(j, "missing", 0, &u, "doc"), 0);
	assert_int_equal(u, 7);

	assert_int_equal(sc_json_get_obj(j, "o", 1, &v, "doc"), 0);
	assert_true(json_is_object(v));
	assert_int_equal(sc_json_get_obj(j, "a", 1, &v, "doc"), SC_EINPUT);
	assert_string_equal(sc_error_msg(), "doc: field 'a' is not an object");
	assert_int_equal(sc_json_get_arr(j, "a", 1, &v, "doc"), 0);
	assert_int_equal(json_array_size(v), 2);
	assert_int_equal(sc_json_get_arr(j, "o", 1, &v, "doc"), SC_EINPUT);
	assert_int_equal(sc_json_get_arr(j, "z", 1, &v, "doc"), SC_EINPUT);
	/* a non-object container is treated as having no fields */
	assert_int_equal(sc_json_get_obj(v, "x", 1, &v, "doc"), SC_EINPUT);

	assert_int_equal(sc_json_get_strv(j, "a", &sv, "doc"), 0);
	assert_int_equal(sc_strv_len(sv), 2);
	assert_string_equal(sv[0], "x");
	assert_string_equal(sv[1], "y");
	assert_null(sv[2]);
	sc_strv_free(sv);
	assert_int_equal(sc_json_get_strv(j, "missing", &sv, "doc"), 0);
	assert_null(sv);
	sv = (char **)(uintptr_t)1;
	assert_int_equal(sc_json_get_strv(j, "bad", &sv, "doc"), SC_EINPUT);
	assert_string_equal(sc_error_msg(), "doc: field 'bad' item 1 is not a string");
	assert_ptr_equal(sv, (char **)(uintptr_t)1);
	assert_int_equal(sc_json_get_strv(j, "s", &sv, "doc"), SC_EINPUT);
	sc_strv_free(NULL);
	assert_int_equal(sc_strv_len(NULL), 0);
	json_decref(j);
}

/* Documents are parsed with JSON_ALLOW_NUL: "a\u0000b" must not read as "a". */
static void test_getters_reject_nul(void **state)
{
	json_t *j = parse_ok("{\"s\":\"cfg.json\\u0000junk\",\"a\":[\"ok\",\"x\\u0000y\"]}");
	const char *s = "untouched";
	char **sv = (char **)(uintptr_t)1;

	(void)state;
	assert_int_equal(sc_json_get_str(j, "s", 1, &s, "doc"), SC_EINPUT);
	assert_string_equal(sc_error_msg(), "doc: field 's' contains a NUL character");
	assert_string_equal(s, "untouched");
	assert_int_equal(sc_json_get_strv(j, "a", &sv, "doc"), SC_EINPUT);
	assert_string_equal(sc_error_msg(), "doc: field 'a' item 1 contains a NUL character");
	assert_ptr_equal(sv, (char **)(uintptr_t)1);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_basic),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_getters),
		cmocka_unit_test(test_getters_reject_nul),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
