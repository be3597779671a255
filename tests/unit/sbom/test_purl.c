/*
 * test_purl.c - package URLs per the purl spec for every ecosystem,
 * percent-encoding, SBOM timestamps and SPDX license ids.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "sbom/sbom.h"

#include <stdlib.h>
#include <string.h>

static void expect(sc_ecosystem eco, const char *name, const char *version, const char *arch, const char *src,
		   const char *os_id, const char *os_ver, const char *want)
{
	sc_package p;
	sc_os_info os;
	char *got;

	memset(&p, 0, sizeof(p));
	memset(&os, 0, sizeof(os));
	p.eco = eco;
	p.name = (char *)name;
	p.version = (char *)version;
	p.arch = (char *)arch;
	p.source_name = (char *)src;
	os.id = (char *)os_id;
	os.version_id = (char *)os_ver;
	got = sc_purl_package(&p, &os);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_ecosystems(void **state)
{
	(void)state;
	expect(SC_ECO_DEB, "libc6", "2.36-9+deb12u4", "amd64", "glibc", "debian", "12",
	       "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc");
	expect(SC_ECO_DEB, "bash", "5.2.15-2+b2", "amd64", "bash", "debian", "12",
	       "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12");
	expect(SC_ECO_DEB, "bsdutils", "1:2.38.1-5", "amd64", NULL, "debian", "12",
	       "pkg:deb/debian/bsdutils@1%3A2.38.1-5?arch=amd64&distro=debian-12");
	expect(SC_ECO_APK, "musl", "1.2.4-r2", "x86_64", NULL, "alpine", "3.19.1",
	       "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1");
	expect(SC_ECO_RPM, "bash", "2:5.1.8-6.el9", "x86_64", NULL, "rhel", "9.3",
	       "pkg:rpm/rhel/bash@5.1.8-6.el9?arch=x86_64&distro=rhel-9.3&epoch=2");
	expect(SC_ECO_PYPI, "Typing_Extensions", "4.9.0", NULL, NULL, NULL, NULL,
	       "pkg:pypi/typing-extensions@4.9.0");
	expect(SC_ECO_PYPI, "torch", "2.3.0+cu121", NULL, NULL, "debian", "12", "pkg:pypi/torch@2.3.0%2Bcu121");
	expect(SC_ECO_NPM, "@types/node", "20.1.0", NULL, NULL, NULL, NULL, "pkg:npm/%40types/node@20.1.0");
	expect(SC_ECO_NPM, "lodash", "4.17.21", NULL, NULL, NULL, NULL, "pkg:npm/lodash@4.17.21");
	expect(SC_ECO_GOLANG, "github.com/opencontainers/umoci", "v0.4.7", NULL, NULL, NULL, NULL,
	       "pkg:golang/github.com/opencontainers/umoci@v0.4.7");
	expect(SC_ECO_BINARY, "cuda-runtime", "12.1.105", NULL, NULL, NULL, NULL,
	       "pkg:generic/cuda-runtime@12.1.105");
	/* No version: no '@'. */
	expect(SC_ECO_GOLANG, "example.com/cmd/tool", NULL, NULL, NULL, NULL, NULL, "pkg:golang/example.com/cmd/tool");
}

static void test_encode(void **state)
{
	sc_buf b;

	(void)state;
	sc_buf_init(&b, 1024, "t");
	assert_int_equal(sc_purl_encode(&b, "a b/c?d#e@f%g~h_i.j-k"), 0);
	assert_string_equal(b.data, "a%20b%2Fc%3Fd%23e%40f%25g~h_i.j-k");
	sc_buf_release(&b);
}

static void test_timestamp(void **state)
{
	char ts[32];

	(void)state;
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	assert_int_equal((long long)sc_sbom_timestamp(NULL), 1700000000LL);
	assert_string_equal(sc_sbom_fmt_time(sc_sbom_timestamp(NULL), ts), "2023-11-14T22:13:20Z");
	setenv("SOURCE_DATE_EPOCH", "garbage", 1);
	assert_int_equal((long long)sc_sbom_timestamp(NULL), 0);
	unsetenv("SOURCE_DATE_EPOCH");
}

static void test_licenses(void **state)
{
	(void)state;
	assert_string_equal(sc_spdx_license_id("MIT"), "MIT");
	assert_string_equal(sc_spdx_license_id("Apache Software License"), "Apache-2.0");
	assert_string_equal(sc_spdx_license_id("GPL-2+"), "GPL-2.0-or-later");
	assert_string_equal(sc_spdx_license_id("Expat"), "MIT");
	assert_null(sc_spdx_license_id("Some custom licence, see LICENSE"));
	assert_null(sc_spdx_license_id(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ecosystems),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_timestamp),
		cmocka_unit_test(test_licenses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
