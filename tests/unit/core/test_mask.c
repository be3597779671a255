/*
 * test_mask.c - secret-looking names and values are recognised and never
 * shown in full.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/mask.h"

#include <string.h>

static void test_names(void **state)
{
	(void)state;
	assert_true(sc_secret_name("HF_TOKEN"));
	assert_true(sc_secret_name("aws_secret_access_key"));
	assert_true(sc_secret_name("DB_PASSWORD"));
	assert_true(sc_secret_name("OPENAI_API_KEY"));
	assert_false(sc_secret_name("PATH"));
	assert_false(sc_secret_name("LANG"));
}

static void test_values(void **state)
{
	(void)state;
	assert_true(sc_secret_value("hf_abcdefghijklmnopqrstuvwxyz0123456789"));
	assert_true(sc_secret_value("ghp_abcdefghijklmnopqrstuvwxyz0123456789"));
	assert_true(sc_secret_value("AKIAIOSFODNN7EXAMPLE"));
	assert_true(sc_secret_value("-----BEGIN OPENSSH PRIVATE KEY-----"));
	assert_false(sc_secret_value("AKIA-not-a-key"));
	assert_false(sc_secret_value("hf_short"));
	assert_false(sc_secret_value("/usr/local/bin:/usr/bin"));
}

static void test_mask_value(void **state)
{
	char out[64];

	(void)state;
	assert_string_equal(sc_mask_value("hf_abcdefghijklmnopqrstuvwxyz0123456789", out, sizeof(out)),
			    "hf_a\xe2\x80\xa6(39 chars)");
	assert_string_equal(sc_mask_value("abc", out, sizeof(out)), "\xe2\x80\xa6(3 chars)");
}

static void test_mask_text(void **state)
{
	sc_buf b;

	(void)state;
	sc_buf_init(&b, 4096, "text");
	assert_int_equal(sc_mask_text("/bin/sh -c #(nop) ENV HF_TOKEN=hf_abcdefghijklmnopqrstuvwxyz0123456789 "
				      "PATH=/usr/bin",
				      &b),
			 0);
	assert_null(strstr(b.data, "abcdefghijklmnop"));
	assert_non_null(strstr(b.data, "HF_TOKEN=hf_a\xe2\x80\xa6(39 chars)"));
	assert_non_null(strstr(b.data, "PATH=/usr/bin"));
	sc_buf_reset(&b);
	assert_int_equal(sc_mask_text("curl -H 'Authorization: ghp_abcdefghijklmnopqrstuvwxyz0123456789' x", &b), 0);
	assert_null(strstr(b.data, "ghp_abcdefghijklmnopqrstuvwxyz"));
	sc_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_mask_value),
		cmocka_unit_test(test_mask_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
