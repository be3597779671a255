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
	/* AUTHOR and TOKENIZER are not secrets; AUTHORIZATION and OAUTH are. */
	assert_false(sc_secret_name("org.opencontainers.image.authors"));
	assert_false(sc_secret_name("TOKENIZERS_PARALLELISM"));
	assert_false(sc_secret_name("CERT_AUTHORITY"));
	assert_true(sc_secret_name("Authorization"));
	assert_true(sc_secret_name("OAUTH_CLIENT"));
	assert_true(sc_secret_name("x-auth-token"));
	assert_true(sc_secret_name("AZURE_STORAGE_ACCOUNT_KEY"));
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
	/* A certificate is not a secret; a private key is. */
	assert_false(sc_secret_value("-----BEGIN CERTIFICATE-----"));
}

static void test_kinds(void **state)
{
	(void)state;
	assert_string_equal(sc_secret_kind("sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcdefghij"),
			    "Anthropic API key");
	assert_string_equal(sc_secret_kind("sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefgh"), "OpenAI API key");
	assert_string_equal(sc_secret_kind("sk-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefghijkl"), "OpenAI API key");
	assert_string_equal(sc_secret_kind("xoxp-1234567890-1234567890-abcdefABCDEF"), "Slack token");
	assert_string_equal(sc_secret_kind("xoxb-1234567890-1234567890-abcdefABCDEF"), "Slack token");
	assert_string_equal(sc_secret_kind("ASIAIOSFODNN7EXAMPLE"), "AWS access key id");
	assert_string_equal(sc_secret_kind("AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW"), "Google API key");
	assert_string_equal(sc_secret_kind("glpat-AbCdEfGhIjKlMnOpQrSt"), "GitLab token");
	assert_string_equal(sc_secret_kind("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"), "GitHub token");
	assert_string_equal(sc_secret_kind("hf_abcdefghijklmnopqrstuvwxyzABCDEFGH"), "Hugging Face token");
	assert_string_equal(sc_secret_kind("npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"), "npm token");
	/* Near misses: wrong length, wrong characters, words that merely start like a token. */
	assert_null(sc_secret_kind("AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvWX"));
	assert_null(sc_secret_kind("sk-some-long-package-name-here"));
	assert_null(sc_secret_kind("ghp_abcdefghijklmnopqrstuvwxyz0123456789!"));
	assert_null(sc_secret_kind("xoxp-short"));
	assert_null(sc_secret_kind("ASIA-not-a-key-at-all"));
}

static void test_trivial(void **state)
{
	(void)state;
	assert_true(sc_secret_trivial(""));
	assert_true(sc_secret_trivial("$HF_TOKEN"));
	assert_true(sc_secret_trivial("${NPM_TOKEN}"));
	assert_true(sc_secret_trivial("false"));
	assert_true(sc_secret_trivial("4096"));
	assert_true(sc_secret_trivial("/run/secrets/db"));
	assert_true(sc_secret_trivial("<your-token>"));
	assert_true(sc_secret_trivial("****"));
	assert_false(sc_secret_trivial("hunter2"));
	assert_false(sc_secret_trivial("changeme"));
}

static void test_mask_value(void **state)
{
	char out[64];

	(void)state;
	assert_string_equal(sc_mask_value("hf_abcdefghijklmnopqrstuvwxyz0123456789", out, sizeof(out)),
			    "hf_a\xe2\x80\xa6(39 chars)");
	assert_string_equal(sc_mask_value("abc", out, sizeof(out)), "\xe2\x80\xa6(3 chars)");
	/* The shown prefix never ends in the middle of a UTF-8 character (3-byte euro signs here). */
	assert_string_equal(sc_mask_value("\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", out, sizeof(out)),
			    "\xe2\x82\xac\xe2\x80\xa6(9 chars)");
	assert_string_equal(sc_mask_value("ab\xe2\x82\xacxyz", out, sizeof(out)), "ab\xe2\x80\xa6(8 chars)");
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

/* Masks b's text for `in` and returns the count; the text is in b.data. */
static size_t masked(sc_buf *b, const char *in)
{
	size_t n = 99;

	sc_buf_reset(b);
	assert_int_equal(sc_mask_text_n(in, b, &n), 0);
	return n;
}

static void test_mask_text_more(void **state)
{
	sc_buf b;

	(void)state;
	sc_buf_init(&b, 1 << 16, "text");
	/* Authorization header with a scheme: the credential after the scheme is masked. */
	assert_int_equal(masked(&b, "RUN curl -H \"Authorization: Bearer xyz123secret\" https://x/y"), 1);
	assert_null(strstr(b.data, "xyz123secret"));
	assert_non_null(strstr(b.data, "Bearer xyz1\xe2\x80\xa6(12 chars)"));
	assert_int_equal(masked(&b, "curl -H 'Authorization: Basic dXNlcjpwYXNz' x"), 1);
	assert_null(strstr(b.data, "dXNlcjpwYXNz"));
	/* A variable reference is not a credential and is kept. */
	assert_int_equal(masked(&b, "curl -H \"Authorization: Bearer $TOKEN\" x"), 0);
	assert_non_null(strstr(b.data, "Bearer $TOKEN"));
	/* Build args (buildkit records them as |N NAME=VALUE). */
	assert_int_equal(masked(&b, "RUN |2 HF_TOKEN=s3cr3tvalue MAX_TOKENS=512 /bin/sh -c make"), 1);
	assert_null(strstr(b.data, "s3cr3tvalue"));
	assert_non_null(strstr(b.data, "MAX_TOKENS=512"));
	assert_int_equal(masked(&b, "docker build --build-arg TOKEN=abcdef123456 ."), 1);
	assert_null(strstr(b.data, "abcdef123456"));
	/* URL user:password. */
	assert_int_equal(masked(&b, "git clone https://oauth2:p4ssw0rdvalue@gitlab.example.com/x.git"), 1);
	assert_null(strstr(b.data, "p4ssw0rdvalue"));
	assert_non_null(strstr(b.data, "https://oauth2:p4ss"));
	assert_non_null(strstr(b.data, "@gitlab.example.com/x.git"));
	assert_int_equal(masked(&b, "pip install --index-url https://user:${PIP_PW}@pypi.example.com/simple x"), 0);
	/* --password VALUE, but not --password-stdin. */
	assert_int_equal(masked(&b, "mysql --password hunter22 -e x"), 1);
	assert_null(strstr(b.data, "hunter22"));
	assert_int_equal(masked(&b, "echo x | docker login --password-stdin registry"), 0);
	/* Other secret-named headers. */
	assert_int_equal(masked(&b, "curl -H 'X-Api-Key: k3yk3yk3y' https://x"), 1);
	assert_null(strstr(b.data, "k3yk3yk3y"));
	assert_int_equal(masked(&b, "curl -H 'Content-Type: application/json' https://x"), 0);
	/* The pending state does not cross commands. */
	assert_int_equal(masked(&b, "echo Bearer; ls -la"), 0);
	/* Non-secret names are untouched; AUTHOR is not AUTH. */
	assert_int_equal(masked(&b, "LABEL org.opencontainers.image.authors=someone@example.com"), 0);
	assert_int_equal(masked(&b, "ENV TOKENIZERS_PARALLELISM=false PATH=/usr/bin"), 0);
	sc_buf_release(&b);
}

/* A word longer than the internal word buffer is still masked, and never copied through. */
static void test_mask_long_word(void **state)
{
	char in[3000];
	sc_buf b;

	(void)state;
	memcpy(in, "SECRET_KEY=", 11);
	memset(in + 11, 'Q', sizeof(in) - 12);
	in[sizeof(in) - 1] = '\0';
	sc_buf_init(&b, 1 << 16, "text");
	assert_int_equal(masked(&b, in), 1);
	assert_null(strstr(b.data, "QQQQQ"));
	assert_non_null(strstr(b.data, "(2988 chars)"));
	sc_buf_release(&b);
}

/* A token glued to other text by a character that is not a word separator is still masked. */
static void test_mask_embedded_token(void **state)
{
	static const char *const in[] = {
		"echo key:ghp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA done",
		"x\x0bghp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"curl -H 'Authorization: Bearer abcdefgh12345678' http://h/?k=1&x.hf_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	};
	size_t i;
	sc_buf b;

	(void)state;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		sc_buf_init(&b, 1 << 16, "text");
		assert_true(masked(&b, in[i]) >= 1);
		assert_null(strstr(b.data, "AAAAA"));
		sc_buf_release(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_mask_value),
		cmocka_unit_test(test_mask_text),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_trivial),
		cmocka_unit_test(test_mask_text_more),
		cmocka_unit_test(test_mask_long_word),
		cmocka_unit_test(test_mask_embedded_token),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
