/*
 * test_ref.c - registry references HOST/REPO[:TAG|@DIGEST] (src/registry/ref.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "registry/client.h"

#include <stdlib.h>
#include <string.h>

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void ok(const char *s, const char *host, const char *repo, const char *tag, int has_digest)
{
	sc_regref r;

	memset(&r, 0, sizeof(r));
	if (sc_regref_parse(&r, s) != 0)
		fail_msg("%s: %s", s, sc_error_msg());
	assert_string_equal(r.host, host);
	assert_string_equal(r.repo, repo);
	if (tag)
		assert_string_equal(r.tag, tag);
	else
		assert_null(r.tag);
	assert_int_equal(r.digest.set, has_digest);
	sc_regref_release(&r);
	assert_null(r.host);
}

static void bad(const char *s, const char *why)
{
	sc_regref r;

	memset(&r, 0x5a, sizeof(r));
	assert_int_equal(sc_regref_parse(&r, s), SC_EUSAGE);
	if (!strstr(sc_error_msg(), why))
		fail_msg("%s: message '%s' lacks '%s'", s, sc_error_msg(), why);
	/* out untouched */
	assert_int_equal(((unsigned char *)&r)[0], 0x5a);
}

static void test_valid(void **state)
{
	(void)state;
	ok("127.0.0.1:5000/app", "127.0.0.1:5000", "app", "latest", 0);
	ok("localhost/app:v1", "localhost", "app", "v1", 0);
	ok("localhost:5000/team/app:1.2.3-rc_1", "localhost:5000", "team/app", "1.2.3-rc_1", 0);
	ok("registry.example.com/a/b/c", "registry.example.com", "a/b/c", "latest", 0);
	ok("r.io/app@sha256:" D64, "r.io", "app", NULL, 1);
	ok("r.io/app:v2@sha256:" D64, "r.io", "app", "v2", 1);
	ok("[::1]:5000/app", "[::1]:5000", "app", "latest", 0);
	ok("[::1]/x", "[::1]", "x", "latest", 0);
	ok("r.io/a.b_c__d-e--f/g", "r.io", "a.b_c__d-e--f/g", "latest", 0);
	ok("r.io/app:_x", "r.io", "app", "_x", 0);
	ok("Reg-1.Example.COM:443/app", "Reg-1.Example.COM:443", "app", "latest", 0);
}

static void test_invalid(void **state)
{
	char big[600];

	(void)state;
	bad("", "empty");
	bad("app", "HOST/REPO");
	bad("app/x", "must contain '.' or ':'");
	bad("/app", "empty registry host");
	bad("r.io/", "empty repository");
	bad("r.io/App", "lowercase");
	bad("r.io/a//b", "lowercase");
	bad("r.io/a/", "ends with '/'");
	bad("r.io/-a", "lowercase");
	bad("r.io/a-", "separator");
	bad("r.io/a___b", "separator");
	bad("r.io/a:", "malformed tag");
	bad("r.io/a:.x", "malformed tag");
	bad("r.io/a:x y", "space");
	bad("r.io/a@sha512:abcd", "only sha256");
	bad("r.io/a@sha256:ABC", "malformed digest");
	bad("r.io/a@sha256:" D64 "0", "malformed digest");
	bad("r.io:0/a", "port");
	bad("r.io:65536/a", "port");
	bad("r.io:05/a", "port");
	bad("r.io:/a", "port");
	bad("-r.io/a", "host name");
	bad("r..io/a", "host name");
	bad("[zz]:1/a", "IPv6");
	bad("[::1/a", "IPv6");
	bad("r.io/a\n", "control");
	memset(big, 'a', sizeof(big));
	memcpy(big, "r.io/", 5);
	big[sizeof(big) - 1] = '\0';
	bad(big, "longer than 255");
	memset(big, 'a', sizeof(big));
	memcpy(big, "r.io/a:", 7);
	big[200] = '\0';
	bad(big, "malformed tag");
}

static void test_pinned(void **state)
{
	sc_regref r;
	sc_digest d;
	char *s;

	(void)state;
	assert_int_equal(sc_regref_parse(&r, "127.0.0.1:5000/team/app:v1"), 0);
	assert_int_equal(sc_digest_parse(&d, "sha256:" D64), 0);
	s = sc_regref_pinned(&r, &d);
	assert_string_equal(s, "127.0.0.1:5000/team/app@sha256:" D64);
	free(s);
	sc_regref_release(&r);
	sc_regref_release(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_pinned),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
