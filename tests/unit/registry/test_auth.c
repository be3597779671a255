/*
 * test_auth.c - WWW-Authenticate challenges, token responses and the
 * credential lookup in auth files (src/registry/auth.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "registry/auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void chal_ok(const char *v, sc_auth_scheme scheme, const char *realm, const char *service, const char *scope)
{
	sc_auth_challenge c;

	if (sc_auth_challenge_parse(&c, v) != 0)
		fail_msg("%s: %s", v, sc_error_msg());
	assert_int_equal(c.scheme, scheme);
#define CHK(f)                                  \
	if (f)                                  \
		assert_string_equal(c.f, f);    \
	else                                    \
		assert_null(c.f);
	CHK(realm)
	CHK(service)
	CHK(scope)
#undef CHK
	sc_auth_challenge_release(&c);
}

static void chal_bad(const char *v, int code, const char *why)
{
	sc_auth_challenge c;

	memset(&c, 0x5a, sizeof(c));
	assert_int_equal(sc_auth_challenge_parse(&c, v), code);
	if (!strstr(sc_error_msg(), why))
		fail_msg("%s: message '%s' lacks '%s'", v, sc_error_msg(), why);
	assert_int_equal(((unsigned char *)&c)[0], 0x5a);
}

static void test_challenge(void **state)
{
	(void)state;
	chal_ok("Basic realm=\"Registry Realm\"", SC_AUTH_BASIC, "Registry Realm", NULL, NULL);
	chal_ok("basic", SC_AUTH_BASIC, NULL, NULL, NULL);
	chal_ok("Bearer realm=\"https://auth.io/token\",service=\"registry.io\",scope=\"repository:a/b:pull,push\"",
		SC_AUTH_BEARER, "https://auth.io/token", "registry.io", "repository:a/b:pull,push");
	/* tokens, OWS around '=', case-insensitive names, unknown params, escapes */
	chal_ok("BEARER  Realm = https://a/t , SERVICE=\"x\\\"y\\\\z\", error=\"insufficient_scope\"",
		SC_AUTH_BEARER, "https://a/t", "x\"y\\z", NULL);
	/* several challenges: Bearer preferred, unknown schemes skipped */
	chal_ok("Basic realm=\"r\", Bearer realm=\"https://t\"", SC_AUTH_BEARER, "https://t", NULL, NULL);
	chal_ok("Negotiate abc==, Basic realm=\"r\"", SC_AUTH_BASIC, "r", NULL, NULL);
	chal_ok("Negotiate, NTLM, Basic", SC_AUTH_BASIC, NULL, NULL, NULL);
	chal_ok(",, Basic realm=\"\" ,", SC_AUTH_BASIC, "", NULL, NULL);
	chal_ok("Bearer realm=\"https://t\", Basic realm=\"r\"", SC_AUTH_BEARER, "https://t", NULL, NULL);
}

static void test_challenge_hostile(void **state)
{
	char *big;

	(void)state;
	chal_bad("Bearer realm=\"https://t", SC_EINPUT, "unterminated");
	chal_bad("Bearer realm=\"https://t\\", SC_EINPUT, "unterminated");
	chal_bad("Bearer realm=\"a\",realm=\"b\"", SC_EINPUT, "given twice");
	chal_bad("Bearer x=1, X=2, realm=\"b\"", SC_EINPUT, "given twice");
	chal_bad("Bearer realm=\"a\"junk", SC_EINPUT, "junk");
	chal_bad("Bearer realm=\"a\x01\"", SC_EINPUT, "control");
	chal_bad("Bearer service=\"x\"", SC_EINPUT, "without a realm");
	chal_bad("Negotiate abc", SC_EUNSUPPORTED, "no Basic or Bearer");
	chal_bad("", SC_EUNSUPPORTED, "no Basic or Bearer");
	chal_bad("=x", SC_EINPUT, "auth scheme");
	chal_bad("Bearer realm=", SC_EINPUT, "without a realm");
	chal_bad("Bea\"rer realm=x", SC_EINPUT, "malformed");
	big = malloc(SC_AUTH_HEADER_MAX + 100);
	memset(big, 'a', SC_AUTH_HEADER_MAX + 99);
	memcpy(big, "Bearer realm=", 13);
	big[SC_AUTH_HEADER_MAX + 99] = '\0';
	chal_bad(big, SC_ELIMIT, "longer than");
	/* many parameters */
	{
		char *p = big;
		int i;

		p += sprintf(p, "Bearer realm=x");
		for (i = 0; i < 40; i++)
			p += sprintf(p, ",p%d=v", i);
		chal_bad(big, SC_ELIMIT, "parameters");
	}
	free(big);
}

static void test_token(void **state)
{
	char *t = NULL;
	long ttl = 0;
	const char *s;

	(void)state;
	s = "{\"token\":\"abc.def\",\"expires_in\":300,\"issued_at\":\"2024-01-01T00:00:00Z\"}";
	assert_int_equal(sc_auth_token_parse(&t, &ttl, s, strlen(s)), 0);
	assert_string_equal(t, "abc.def");
	assert_int_equal(ttl, 300);
	sc_secret_free(t);
	s = "{\"access_token\":\"zz\"}";
	assert_int_equal(sc_auth_token_parse(&t, &ttl, s, strlen(s)), 0);
	assert_string_equal(t, "zz");
	assert_int_equal(ttl, 60);
	sc_secret_free(t);
	s = "{\"token\":\"\",\"access_token\":\"zz\",\"expires_in\":5}";
	assert_int_equal(sc_auth_token_parse(&t, &ttl, s, strlen(s)), 0);
	assert_int_equal(ttl, 60);
	sc_secret_free(t);
	s = "{\"token\":\"a\",\"expires_in\":99999999999}";
	assert_int_equal(sc_auth_token_parse(&t, &ttl, s, strlen(s)), 0);
	assert_int_equal(ttl, SC_TOKEN_MAX_TTL);
	sc_secret_free(t);

	t = NULL;
	s = "{\"token\":\"a b\"}";
	assert_int_equal(sc_auth_token_parse(&t, &ttl, s, strlen(s)), SC_EINPUT);
	s = "{\"token\":\"a\\r\\nX-Evil: 1\"}";
	assert_int_equal(sc_auth_token_parse(&t, &ttl, s, strlen(s)), SC_EINPUT);
	assert_null(strstr(sc_error_msg(), "Evil"));
	s = "{\"token\":\"a\\u0000b\"}";
	assert_int_equal(sc_auth_token_parse(&t, &ttl, s, strlen(s)), SC_EINPUT);
	s = "{\"token\":5}";
	assert_int_equal(sc_auth_token_parse(&t, &ttl, s, strlen(s)), SC_EINPUT);
	s = "{\"token\":\"a\",\"expires_in\":-1}";
	assert_int_equal(sc_auth_token_parse(&t, &ttl, s, strlen(s)), SC_EINPUT);
	s = "{\"token\":\"a\",\"expires_in\":\"60\"}";
	assert_int_equal(sc_auth_token_parse(&t, &ttl, s, strlen(s)), SC_EINPUT);
	s = "{\"token\":\"a\",\"issued_at\":1}";
	assert_int_equal(sc_auth_token_parse(&t, &ttl, s, strlen(s)), SC_EINPUT);
	s = "{\"token\":\"secretsecret\" garbage";
	assert_int_equal(sc_auth_token_parse(&t, &ttl, s, strlen(s)), SC_EINPUT);
	assert_null(strstr(sc_error_msg(), "secret"));
	s = "[]";
	assert_int_equal(sc_auth_token_parse(&t, &ttl, s, strlen(s)), SC_EINPUT);
	assert_null(t);
}

static void lookup_ok(const char *json, const char *host, const char *repo, const char *user, const char *pass)
{
	sc_creds c = { 0 };

	if (sc_auth_file_lookup(&c, json, strlen(json), host, repo, "auth file t") != 0)
		fail_msg("%s", sc_error_msg());
	if (user) {
		assert_non_null(c.user);
		assert_string_equal(c.user, user);
		assert_string_equal(c.pass, pass);
	} else {
		assert_null(c.user);
	}
	sc_creds_release(&c);
}

static void test_file_lookup(void **state)
{
	/* dXNlcjpwYTpzcw== is "user:pa:ss"; YTpi is "a:b"; Yzpk is "c:d" */
	const char *j = "{\"auths\":{"
			"\"https://r.io/v1/\":{\"auth\":\"dXNlcjpwYTpzcw==\"},"
			"\"r.io/team\":{\"auth\":\"YTpi\"},"
			"\"r.io/team/app\":{\"username\":\"c\",\"password\":\"d\"},"
			"\"localhost:5000\":{\"auth\":\"Yzpk\"},"
			"\"other.io\":{\"identitytoken\":\"x\"}}}";
	sc_creds c = { 0 };
	const char *s;

	(void)state;
	lookup_ok(j, "r.io", "x", "user", "pa:ss");
	lookup_ok(j, "r.io", NULL, "user", "pa:ss");
	lookup_ok(j, "R.IO", "team/y", "a", "b");
	lookup_ok(j, "r.io", "team", "a", "b");
	lookup_ok(j, "r.io", "teamx/y", "user", "pa:ss");
	lookup_ok(j, "r.io", "team/app", "c", "d");
	lookup_ok(j, "r.io", "team/app/sub", "c", "d");
	lookup_ok(j, "localhost:5000", "a", "c", "d");
	lookup_ok(j, "localhost", "a", NULL, NULL);
	lookup_ok(j, "other.io", "a", NULL, NULL);
	lookup_ok("{}", "r.io", "a", NULL, NULL);
	lookup_ok("{\"auths\":null}", "r.io", "a", NULL, NULL);

	s = "{\"auths\":{\"r.io\":{\"auth\":\"!!!\"}}}";
	assert_int_equal(sc_auth_file_lookup(&c, s, strlen(s), "r.io", "a", "auth file t"), SC_EINPUT);
	s = "{\"auths\":{\"r.io\":{\"auth\":\"bm9jb2xvbg==\"}}}"; /* "nocolon" */
	assert_int_equal(sc_auth_file_lookup(&c, s, strlen(s), "r.io", "a", "auth file t"), SC_EINPUT);
	assert_null(strstr(sc_error_msg(), "nocolon"));
	s = "{\"auths\":{\"r.io\":{\"auth\":\"hunter2\" oops";
	assert_int_equal(sc_auth_file_lookup(&c, s, strlen(s), "r.io", "a", "auth file t"), SC_EINPUT);
	assert_null(strstr(sc_error_msg(), "hunter2"));
	s = "{\"auths\":[]}";
	assert_int_equal(sc_auth_file_lookup(&c, s, strlen(s), "r.io", "a", "auth file t"), SC_EINPUT);
	assert_null(c.user);
}

static char tmpdir[64];

static void write_file(const char *path, const char *content)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static void test_lookup_order(void **state)
{
	char p1[128], p2[128], p3[128], p4[128];
	sc_creds c = { 0 };

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/scute-test-auth-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(p1, sizeof(p1), "%s/explicit.json", tmpdir);
	write_file(p1, "{\"auths\":{\"r.io\":{\"auth\":\"YTpi\"}}}"); /* a:b */
	snprintf(p2, sizeof(p2), "%s/containers", tmpdir);
	mkdir(p2, 0700);
	snprintf(p2, sizeof(p2), "%s/containers/auth.json", tmpdir);
	write_file(p2, "{\"auths\":{\"r.io\":{\"auth\":\"Yzpk\"}}}"); /* c:d */
	snprintf(p3, sizeof(p3), "%s/.docker", tmpdir);
	mkdir(p3, 0700);
	snprintf(p3, sizeof(p3), "%s/.docker/config.json", tmpdir);
	write_file(p3, "{\"auths\":{\"d.io\":{\"username\":\"e\",\"password\":\"f\"}}}");
	snprintf(p4, sizeof(p4), "%s/env.json", tmpdir);
	write_file(p4, "{\"auths\":{\"e.io\":{\"username\":\"g\",\"password\":\"h\"}}}");

	setenv("HOME", tmpdir, 1);
	setenv("XDG_RUNTIME_DIR", tmpdir, 1);
	setenv("REGISTRY_AUTH_FILE", p4, 1);

	/* --creds first */
	assert_int_equal(sc_auth_lookup(&c, "r.io", "x", "u:p", p1), 0);
	assert_string_equal(c.user, "u");
	sc_creds_release(&c);
	assert_int_equal(sc_auth_lookup(&c, "r.io", "x", "nocolon", NULL), SC_EUSAGE);
	/* --authfile: only that file */
	assert_int_equal(sc_auth_lookup(&c, "r.io", "x", NULL, p1), 0);
	assert_string_equal(c.user, "a");
	sc_creds_release(&c);
	assert_int_equal(sc_auth_lookup(&c, "d.io", "x", NULL, p1), 0);
	assert_null(c.user);
	assert_int_equal(sc_auth_lookup(&c, "r.io", "x", NULL, "/nonexistent/auth.json"), SC_EUSAGE);
	/* REGISTRY_AUTH_FILE, then XDG, then docker config; first file with an entry wins */
	assert_int_equal(sc_auth_lookup(&c, "e.io", "x", NULL, NULL), 0);
	assert_string_equal(c.user, "g");
	sc_creds_release(&c);
	assert_int_equal(sc_auth_lookup(&c, "r.io", "x", NULL, NULL), 0);
	assert_string_equal(c.user, "c");
	sc_creds_release(&c);
	assert_int_equal(sc_auth_lookup(&c, "d.io", "x", NULL, NULL), 0);
	assert_string_equal(c.user, "e");
	assert_string_equal(c.pass, "f");
	sc_creds_release(&c);
	assert_int_equal(sc_auth_lookup(&c, "none.io", "x", NULL, NULL), 0);
	assert_null(c.user);
	/* a malformed file on the path is an error naming it */
	write_file(p4, "{\"auths\": secret");
	assert_int_equal(sc_auth_lookup(&c, "e.io", "x", NULL, NULL), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "env.json"));
	assert_null(strstr(sc_error_msg(), "secret"));
	unsetenv("REGISTRY_AUTH_FILE");
	unsetenv("XDG_RUNTIME_DIR");
	assert_int_equal(sc_auth_lookup(&c, "r.io", "x", NULL, NULL), 0);
	assert_null(c.user);

	unlink(p1);
	unlink(p2);
	unlink(p3);
	unlink(p4);
	snprintf(p2, sizeof(p2), "%s/containers", tmpdir);
	rmdir(p2);
	snprintf(p3, sizeof(p3), "%s/.docker", tmpdir);
	rmdir(p3);
	rmdir(tmpdir);
}

static void test_basic_value(void **state)
{
	sc_creds c = { 0 };
	char *v;

	(void)state;
	assert_int_equal(sc_creds_parse(&c, "Aladdin:open sesame"), 0);
	v = sc_auth_basic_value(&c);
	assert_string_equal(v, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
	sc_secret_free(v);
	sc_creds_release(&c);
	sc_creds_release(NULL);
	sc_secret_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_challenge),
		cmocka_unit_test(test_challenge_hostile),
		cmocka_unit_test(test_token),
		cmocka_unit_test(test_file_lookup),
		cmocka_unit_test(test_lookup_order),
		cmocka_unit_test(test_basic_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
