/*
 * test_yaml.c - bounded YAML -> JSON (src/core/yaml.c): core-schema
 * scalar resolution, the strings mode, and the refusals (aliases, anchors,
 * several documents, duplicate keys, complex keys, NUL, depth, nodes, size).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "core/json.h"
#include "core/yaml.h"

#include <stdlib.h>
#include <string.h>

static json_t *parse_ok(const char *s, int flags)
{
	json_t *j = NULL;

	if (sc_yaml_parse(&j, s, strlen(s), 1 << 20, flags, "doc") != 0)
		fail_msg("parse failed: %s", sc_error_msg());
	return j;
}

/* The parse fails with `code` and leaves *out alone; the message is checked when msg != NULL. */
static void parse_fails(const char *s, size_t len, size_t max, int code, const char *msg)
{
	json_t *j = (json_t *)(uintptr_t)1;

	sc_error_clear();
	assert_int_equal(sc_yaml_parse(&j, s, len, max, 0, "doc"), code);
	assert_ptr_equal(j, (json_t *)(uintptr_t)1);
	if (msg)
		assert_string_equal(sc_error_msg(), msg);
}

/* Compact JSON text of a value, for exact comparisons. */
static void assert_json(const json_t *j, const char *want)
{
	char *got = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));

	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("got  %s\nwant %s", got, want);
	free(got);
}

static void test_scalars_typed(void **state)
{
	json_t *j;

	(void)state;
	j = parse_ok("a: 1\nb: -12\nc: 0x1F\nd: 0o17\ne: 1.5\nf: 1.10\ng: 1e3\nh: .5\n"
		     "i: true\nj: False\nk: ~\nl: null\nm:\nn: yes\no: 0777\np: 1_000\n"
		     "q: \"12\"\nr: '1.0'\ns: .inf\nt: -.NaN\nu: 99999999999999999999\n"
		     "v: 9223372036854775807\nw: -9223372036854775808\nx: 1.2.3\ny: v3.11\n"
		     "z: 2023-01-02T03:04:05Z\n",
		     0);
	assert_json(j, "{\"a\":1,\"b\":-12,\"c\":31,\"d\":15,\"e\":1.5,\"f\":1.1000000000000001,\"g\":1000.0,"
		       "\"h\":0.5,\"i\":true,\"j\":false,\"k\":null,\"l\":null,\"m\":null,\"n\":\"yes\","
		       "\"o\":777,\"p\":\"1_000\",\"q\":\"12\",\"r\":\"1.0\",\"s\":\".inf\",\"t\":\"-.NaN\","
		       "\"u\":\"99999999999999999999\",\"v\":9223372036854775807,"
		       "\"w\":-9223372036854775808,\"x\":\"1.2.3\",\"y\":\"v3.11\","
		       "\"z\":\"2023-01-02T03:04:05Z\"}");
	json_decref(j);
}

static void test_scalars_strings(void **state)
{
	json_t *j;

	(void)state;
	/* Versions keep their spelling; nulls stay null; keys are text. */
	j = parse_ok("versions: [1.10, 2.0, 1, 0x10, true, \"3\"]\naliases:\nnone: ~\nn: null\n"
		     "1.0: x\n~: y\nblock: |\n  line\n",
		     SC_YAML_STRINGS);
	assert_json(j, "{\"versions\":[\"1.10\",\"2.0\",\"1\",\"0x10\",\"true\",\"3\"],\"aliases\":null,"
		       "\"none\":null,\"n\":null,\"1.0\":\"x\",\"~\":\"y\",\"block\":\"line\\n\"}");
	json_decref(j);
}

static void test_tags(void **state)
{
	json_t *j;

	(void)state;
	j = parse_ok("a: !!str 1.10\nb: !!int \"7\"\nc: !!float 2\nd: !!bool \"true\"\ne: !!null ''\n"
		     "f: !custom 5\ng: ! 5\nh: !!binary aGk=\n",
		     0);
	assert_json(j, "{\"a\":\"1.10\",\"b\":7,\"c\":2.0,\"d\":true,\"e\":null,\"f\":5,\"g\":\"5\","
		       "\"h\":\"aGk=\"}");
	json_decref(j);
	j = parse_ok("a: !!int 7\nb: !!float 2.50\n", SC_YAML_STRINGS);
	assert_json(j, "{\"a\":\"7\",\"b\":\"2.50\"}");
	json_decref(j);
	parse_fails("a: !!int x\n", 11, 100, SC_EINPUT, "doc: line 1 column 4: scalar does not match its tag");
	parse_fails("a: !!bool 1\n", 12, 100, SC_EINPUT, NULL);
	parse_fails("a: !!null x\n", 12, 100, SC_EINPUT, NULL);
}

static void test_structure(void **state)
{
	json_t *j;

	(void)state;
	j = parse_ok("---\n- pkg:\n    name: a\n    secfixes:\n      1.0-r0:\n        - CVE-1 X\n"
		     "- {flow: [1, {x: y}]}\n- []\n- {}\n...\n",
		     SC_YAML_STRINGS);
	assert_json(j, "[{\"pkg\":{\"name\":\"a\",\"secfixes\":{\"1.0-r0\":[\"CVE-1 X\"]}}},"
		       "{\"flow\":[\"1\",{\"x\":\"y\"}]},[],{}]");
	json_decref(j);
	/* A bare scalar document, and a UTF-8 string. */
	j = parse_ok("\"caf\\u00e9\"", 0);
	assert_json(j, "\"caf\xc3\xa9\"");
	json_decref(j);
	j = parse_ok("plain", 0);
	assert_json(j, "\"plain\"");
	json_decref(j);
}

static void test_refused(void **state)
{
	static const char laughs[] = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n";

	(void)state;
	parse_fails(laughs, strlen(laughs), 1000, SC_EINPUT, "doc: line 1 column 4: anchors are not accepted");
	parse_fails("a: *x\n", 6, 100, SC_EINPUT, NULL);
	parse_fails("- &a x\n", 7, 100, SC_EINPUT, "doc: line 1 column 3: anchors are not accepted");
	parse_fails("a: 1\n---\nb: 2\n", 14, 100, SC_EINPUT, "doc: line 2 column 1: more than one YAML document");
	parse_fails("", 0, 100, SC_EINPUT, "doc: no YAML document");
	parse_fails("# only a comment\n", 17, 100, SC_EINPUT, "doc: no YAML document");
	parse_fails("a: 1\na: 2\n", 10, 100, SC_EINPUT, "doc: line 2 column 4: duplicate mapping key");
	parse_fails("? [a]\n: 1\n", 10, 100, SC_EINPUT, "doc: line 1 column 3: mapping key is not a scalar");
	parse_fails("a: \"x\\0y\"\n", 10, 100, SC_EINPUT, "doc: line 1 column 4: scalar contains a NUL character");
	parse_fails("a: [1, 2\n", 9, 100, SC_EINPUT, NULL);
	parse_fails("a: b: c\n", 8, 100, SC_EINPUT, NULL);
	parse_fails("a: \xff\n", 5, 100, SC_EINPUT, NULL);
	parse_fails("a\0b: 1\n", 7, 100, SC_EINPUT, NULL);
	parse_fails("a: 1\n", 5, 4, SC_ELIMIT, "doc: document is 5 bytes, limit is 4");
	assert_true(strstr(sc_error_msg(), "limit") != NULL);
}

static void test_depth(void **state)
{
	char buf[2 * (SC_JSON_MAX_DEPTH + 1) + 1];
	json_t *j;
	int i;

	(void)state;
	for (i = 0; i < SC_JSON_MAX_DEPTH; i++) {
		buf[i] = '[';
		buf[2 * SC_JSON_MAX_DEPTH - 1 - i] = ']';
	}
	buf[2 * SC_JSON_MAX_DEPTH] = '\0';
	j = parse_ok(buf, 0);
	json_decref(j);
	for (i = 0; i < SC_JSON_MAX_DEPTH + 1; i++) {
		buf[i] = '[';
		buf[2 * SC_JSON_MAX_DEPTH + 1 - i] = ']';
	}
	buf[2 * SC_JSON_MAX_DEPTH + 2] = '\0';
	parse_fails(buf, strlen(buf), 1000, SC_ELIMIT, "doc: line 1 column 65: nested deeper than 64 levels");
}

static void test_node_limit(void **state)
{
	size_t n = SC_YAML_MAX_NODES + 1, i, len = 0;
	char *s = malloc(2 * n + 2);
	json_t *j = NULL;

	(void)state;
	assert_non_null(s);
	/* A flow sequence of n - 1 items is n nodes: the limit exactly. */
	s[len++] = '[';
	for (i = 0; i + 1 < SC_YAML_MAX_NODES; i++) {
		s[len++] = '0';
		s[len++] = ',';
	}
	s[len - 1] = ']';
	assert_int_equal(sc_yaml_parse(&j, s, len, len, SC_YAML_STRINGS, "big"), 0);
	assert_int_equal(json_array_size(j), SC_YAML_MAX_NODES - 1);
	json_decref(j);
	s[len - 1] = ',';
	s[len++] = '0';
	s[len++] = ']';
	parse_fails(s, len, len, SC_ELIMIT, NULL);
	assert_non_null(strstr(sc_error_msg(), "too many nodes"));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars_typed),
		cmocka_unit_test(test_scalars_strings),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_node_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
