/*
 * test_purl_parse.c - sc_purl_parse() against cases in the style of the
 * purl spec test suite (https://github.com/package-url/purl-spec, tests/):
 * namespaces, percent-encoded '@' and '/', qualifiers, subpaths, type
 * normalisation, errors and limits; and a round trip with our writer
 * (sc_purl_package output parses back into the same fields).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "sbom/read.h"
#include "sbom/sbom.h"

#include <stdlib.h>
#include <string.h>

static void assert_str_or_null(const char *got, const char *want)
{
	if (!want)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

/* quals: "k=v&k=v" in the expected order (decoded values), or NULL. */
static void expect(const char *in, const char *type, const char *ns, const char *name, const char *version,
		   const char *quals, const char *subpath)
{
	sc_purl u;
	sc_buf b;
	size_t i;

	assert_int_equal(sc_purl_parse(&u, in), 0);
	assert_str_or_null(u.type, type);
	assert_str_or_null(u.ns, ns);
	assert_str_or_null(u.name, name);
	assert_str_or_null(u.version, version);
	assert_str_or_null(u.subpath, subpath);
	sc_buf_init(&b, 4096, "t");
	for (i = 0; i < u.quals.n; i++)
		assert_int_equal(sc_buf_printf(&b, "%s%s=%s", i ? "&" : "", u.quals.items[i].key,
					       u.quals.items[i].value), 0);
	assert_str_or_null(b.data, quals);
	sc_buf_release(&b);
	sc_purl_release(&u);
}

static void expect_fail(const char *in, const char *msg_part)
{
	sc_purl u;
	char sentinel = 0;

	memset(&u, 0, sizeof(u));
	u.type = &sentinel; /* out-params are untouched on failure */
	sc_error_clear();
	assert_int_equal(sc_purl_parse(&u, in), SC_EINPUT);
	assert_ptr_equal(u.type, &sentinel);
	assert_non_null(strstr(sc_error_msg(), msg_part));
}

static int kv_cmp(const void *a, const void *b)
{
	return strcmp(((const sc_kv *)a)->key, ((const sc_kv *)b)->key);
}

/* The canonical form (our writer's encoding, qualifiers sorted by key). */
static char *canonical(const sc_purl *u)
{
	sc_buf b;
	sc_kv *q = NULL;
	const char *p;
	size_t i;

	sc_buf_init(&b, 1 << 16, "t");
	sc_buf_printf(&b, "pkg:%s/", u->type);
	for (p = u->ns; p && *p;) {
		size_t n = strcspn(p, "/");
		char seg[512];

		snprintf(seg, sizeof(seg), "%.*s", (int)n, p);
		sc_purl_encode(&b, seg);
		sc_buf_putc(&b, '/');
		p += n + (p[n] == '/');
	}
	sc_purl_encode(&b, u->name);
	if (u->version) {
		sc_buf_putc(&b, '@');
		sc_purl_encode(&b, u->version);
	}
	if (u->quals.n) {
		q = malloc(u->quals.n * sizeof(*q));
		memcpy(q, u->quals.items, u->quals.n * sizeof(*q));
		qsort(q, u->quals.n, sizeof(*q), kv_cmp);
		for (i = 0; i < u->quals.n; i++) {
			sc_buf_printf(&b, "%c%s=", i ? '&' : '?', q[i].key);
			sc_purl_encode(&b, q[i].value);
		}
		free(q);
	}
	if (u->subpath) {
		sc_buf_putc(&b, '#');
		for (p = u->subpath; *p;) {
			size_t n = strcspn(p, "/");
			char seg[512];

			snprintf(seg, sizeof(seg), "%.*s", (int)n, p);
			sc_purl_encode(&b, seg);
			p += n;
			if (*p == '/') {
				sc_buf_putc(&b, '/');
				p++;
			}
		}
	}
	return sc_buf_detach(&b, NULL);
}

static void expect_canonical(const char *in, const char *want)
{
	sc_purl u;
	char *c;

	assert_int_equal(sc_purl_parse(&u, in), 0);
	c = canonical(&u);
	assert_string_equal(c, want);
	free(c);
	sc_purl_release(&u);
}

static void test_basics(void **state)
{
	(void)state;
	expect("pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc", "deb", "debian",
	       "libc6", "2.36-9+deb12u4", "arch=amd64&distro=debian-12&upstream=glibc", NULL);
	/* '+' is literal (not a space), '~' needs no encoding. */
	expect("pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64", "deb", "debian", "libssl3", "3.0.11-1~deb12u2",
	       "arch=amd64", NULL);
	expect("pkg:maven/org.apache.commons/io@1.3.4", "maven", "org.apache.commons", "io", "1.3.4", NULL, NULL);
	expect("pkg:golang/github.com/gorilla/context@234fd47e07d1004f0aed9c", "golang", "github.com/gorilla",
	       "context", "234fd47e07d1004f0aed9c", NULL, NULL);
	expect("pkg:generic/openssl", "generic", NULL, "openssl", NULL, NULL, NULL);
	/* Scheme and type are case-insensitive; "pkg://" and extra slashes are tolerated. */
	expect("PKG:DEB/debian/curl@7.88.1-10", "deb", "debian", "curl", "7.88.1-10", NULL, NULL);
	expect("pkg://deb/debian/curl@7.88.1-10", "deb", "debian", "curl", "7.88.1-10", NULL, NULL);
	expect("pkg:///maven//org.apache.commons//io//", "maven", "org.apache.commons", "io", NULL, NULL, NULL);
	/* Types may hold '.', '+', '-'. */
	expect("pkg:c++.x-y/name@1", "c++.x-y", NULL, "name", "1", NULL, NULL);
}

static void test_namespaces_and_encoding(void **state)
{
	(void)state;
	/* npm scopes: encoded, and unencoded without a version (not taken for one). */
	expect("pkg:npm/%40angular/animation@12.3.1", "npm", "@angular", "animation", "12.3.1", NULL, NULL);
	expect("pkg:npm/@babel/core#/googleapis/api/annotations/", "npm", "@babel", "core", NULL, NULL,
	       "googleapis/api/annotations");
	expect("pkg:npm/@babel/core@7.24.0", "npm", "@babel", "core", "7.24.0", NULL, NULL);
	/* Encoded '@' and '/' inside components. */
	expect("pkg:generic/name%40x@1%402", "generic", NULL, "name@x", "1@2", NULL, NULL);
	expect("pkg:generic/a%2Fb@1.0%2Fbeta", "generic", NULL, "a/b", "1.0/beta", NULL, NULL);
	expect("pkg:generic/n@v?download_url=https%3A%2F%2Fexample.com%2Fa%3Fb%3Dc%26d", "generic", NULL, "n", "v",
	       "download_url=https://example.com/a?b=c&d", NULL);
	/* A '#' and '?' inside values must be encoded; the split is from the right. */
	expect("pkg:generic/n@1%23x?q=%3F#sub", "generic", NULL, "n", "1#x", "q=?", "sub");
	/* Empty namespace segments disappear. */
	expect("pkg:golang/github.com//org///name@v1.0.0", "golang", "github.com/org", "name", "v1.0.0", NULL, NULL);
	/* Non-ASCII is bytes through. */
	expect("pkg:npm/foo@1.0.0#src/%F0%9F%98%83/file.js", "npm", NULL, "foo", "1.0.0", NULL,
	       "src/\xf0\x9f\x98\x83/file.js");
}

static void test_qualifiers(void **state)
{
	(void)state;
	/* Keys lowercased, values decoded, empty values dropped, string order kept. */
	expect("pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?Repository_URL=repo.spring.io%2Frelease&empty="
	       "&Classifier=sources",
	       "maven", "org.apache.xmlgraphics", "batik-anim", "1.9.1",
	       "repository_url=repo.spring.io/release&classifier=sources", NULL);
	expect("pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25&epoch=1", "rpm", "fedora", "curl",
	       "7.50.3-1.fc25", "arch=i386&distro=fedora-25&epoch=1", NULL);
	/* "a=b&&c=d": an empty pair is ignored; '=' inside a value is kept. */
	expect("pkg:generic/n?a=b&&c=d%3De=f", "generic", NULL, "n", NULL, "a=b&c=d=e=f", NULL);
	expect("pkg:generic/n?checksum=sha1:ad9503c3e994a4f,sha256:41bf9088b3a1e6c1ef1d", "generic", NULL, "n", NULL,
	       "checksum=sha1:ad9503c3e994a4f,sha256:41bf9088b3a1e6c1ef1d", NULL);
	/* Canonical form: sorted keys, encoded values. */
	expect_canonical("pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?repository_url=repo.spring.io%2Frelease"
			 "&classifier=sources",
			 "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?classifier=sources"
			 "&repository_url=repo.spring.io%2Frelease");
	expect_canonical("pkg:deb/debian/curl@7.50.3-1?distro=jessie&ARCH=i386",
			 "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie");
}

static void test_subpath(void **state)
{
	(void)state;
	expect("pkg:golang/google.golang.org/genproto#googleapis/api/annotations", "golang", "google.golang.org",
	       "genproto", NULL, NULL, "googleapis/api/annotations");
	/* Empty, "." and ".." segments are dropped (also when encoded). */
	expect("pkg:generic/n@1#/./a/../b//%2E%2E/c/", "generic", NULL, "n", "1", NULL, "a/b/c");
	expect("pkg:generic/n@1#/", "generic", NULL, "n", "1", NULL, NULL);
	expect_canonical("pkg:npm/core@2.0.1#/googleapis/api/annotations/",
			 "pkg:npm/core@2.0.1#googleapis/api/annotations");
}

static void test_type_normalisation(void **state)
{
	(void)state;
	expect("pkg:pypi/Django_package@1.11.1.dev1", "pypi", NULL, "django-package", "1.11.1.dev1", NULL, NULL);
	expect("pkg:PYPI/Typing_Extensions@4.9.0", "pypi", NULL, "typing-extensions", "4.9.0", NULL, NULL);
	expect("pkg:GITHUB/Package-URL/Purl-Spec@244fd47e07d1004f0aed9c", "github", "package-url", "purl-spec",
	       "244fd47e07d1004f0aed9c", NULL, NULL);
	/* Kept as given: deb, apk, rpm, npm, golang. */
	expect("pkg:deb/debian/Foo_Bar@1", "deb", "debian", "Foo_Bar", "1", NULL, NULL);
	expect("pkg:npm/LoDash@4.17.21", "npm", NULL, "LoDash", "4.17.21", NULL, NULL);
	expect("pkg:golang/github.com/Azure/azure-sdk-for-go@v68.0.0", "golang", "github.com/Azure",
	       "azure-sdk-for-go", "v68.0.0", NULL, NULL);
}

static void test_errors(void **state)
{
	char *longp;
	sc_buf b;
	int i;

	(void)state;
	expect_fail("EnterpriseLibrary.Common@6.0.1304", "pkg:");
	expect_fail("pkg%3Amaven/org.apache.commons/io", "pkg:");
	expect_fail("http:deb/debian/x@1", "pkg:");
	expect_fail("", "pkg:");
	expect_fail("pkg:EnterpriseLibrary.Common@6.0.1304", "no name");
	expect_fail("pkg:", "no type");
	expect_fail("pkg:/", "no type");
	expect_fail("pkg:3nginx/nginx@0.8.9", "type starts with a digit");
	expect_fail("pkg:nginx:a/nginx@0.8.9", "invalid character in the type");
	expect_fail("pkg:n&g?inx/nginx@0.8.9", "qualifier");
	expect_fail("pkg:maven/@1.3.4", "no name");
	expect_fail("pkg:npm/", "no name");
	expect_fail("pkg:npm/foobar@", "empty version");
	expect_fail("pkg:npm/myartifact@1.0.0?in%20production=true", "invalid qualifier key");
	expect_fail("pkg:npm/a@1?=x", "invalid qualifier key");
	expect_fail("pkg:npm/a@1?9x=y", "invalid qualifier key");
	expect_fail("pkg:npm/a@1?flag", "without '='");
	expect_fail("pkg:npm/a@1?arch=x&ARCH=y", "duplicate qualifier");
	/* Percent-encoding. */
	expect_fail("pkg:npm/foo%2", "percent-encoding");
	expect_fail("pkg:npm/foo%", "percent-encoding");
	expect_fail("pkg:npm/foo%zz@1", "percent-encoding");
	expect_fail("pkg:npm/foo@1%g0", "percent-encoding");
	expect_fail("pkg:npm/foo@1?a=%4", "percent-encoding");
	expect_fail("pkg:npm/foo%00bar@1", "NUL");
	expect_fail("pkg:maven/org%2Fapache/io@1", "encoded '/'");
	expect_fail("pkg:generic/n@1#a%2Fb", "encoded '/'");
	expect_fail(NULL, "empty");

	/* Limits: 4096 bytes, 64 qualifiers. */
	longp = malloc(5000);
	memcpy(longp, "pkg:generic/", 12);
	memset(longp + 12, 'a', 5000 - 13);
	longp[4999] = '\0';
	expect_fail(longp, "longer than 4096");
	longp[4097] = '\0';
	expect_fail(longp, "longer than 4096");
	longp[4096] = '\0';
	{
		sc_purl u;

		assert_int_equal(sc_purl_parse(&u, longp), 0);
		assert_int_equal(strlen(u.name), 4096 - 12);
		sc_purl_release(&u);
	}
	free(longp);
	sc_buf_init(&b, 8192, "t");
	sc_buf_puts(&b, "pkg:generic/n?");
	for (i = 0; i < 64; i++)
		sc_buf_printf(&b, "%sk%d=v", i ? "&" : "", i);
	{
		sc_purl u;

		assert_int_equal(sc_purl_parse(&u, b.data), 0);
		assert_int_equal(u.quals.n, 64);
		sc_purl_release(&u);
	}
	sc_buf_puts(&b, "&k64=v");
	expect_fail(b.data, "more than 64 qualifiers");
	sc_buf_release(&b);

	/* Release accepts NULL and a released purl. */
	sc_purl_release(NULL);
}

/* Our writer's purls parse back into the package's fields. */
static void roundtrip(sc_ecosystem eco, const char *name, const char *version, const char *arch, const char *src,
		      const char *os_id, const char *os_ver, const char *type, const char *ns, const char *pname,
		      const char *pver, const char *epoch)
{
	sc_package p;
	sc_os_info os;
	sc_purl u;
	char *s, distro[64];

	memset(&p, 0, sizeof(p));
	memset(&os, 0, sizeof(os));
	p.eco = eco;
	p.name = (char *)name;
	p.version = (char *)version;
	p.arch = (char *)arch;
	p.source_name = (char *)src;
	os.id = (char *)os_id;
	os.version_id = (char *)os_ver;
	s = sc_purl_package(&p, &os);
	assert_non_null(s);
	assert_int_equal(sc_purl_parse(&u, s), 0);
	assert_string_equal(u.type, type);
	assert_str_or_null(u.ns, ns);
	assert_string_equal(u.name, pname);
	assert_str_or_null(u.version, pver);
	assert_str_or_null(sc_kv_list_get(&u.quals, "arch"), eco <= SC_ECO_RPM ? arch : NULL);
	assert_str_or_null(sc_kv_list_get(&u.quals, "epoch"), epoch);
	if (eco == SC_ECO_DEB)
		assert_str_or_null(sc_kv_list_get(&u.quals, "upstream"),
				   src && strcmp(src, name) != 0 ? src : NULL);
	if (eco <= SC_ECO_RPM && os_id) {
		snprintf(distro, sizeof(distro), "%s-%s", os_id, os_ver);
		assert_str_or_null(sc_kv_list_get(&u.quals, "distro"), distro);
	}
	assert_null(u.subpath);
	sc_purl_release(&u);
	free(s);
}

static void test_roundtrip_writer(void **state)
{
	(void)state;
	roundtrip(SC_ECO_DEB, "libc6", "2.36-9+deb12u4", "amd64", "glibc", "debian", "12", "deb", "debian", "libc6",
		  "2.36-9+deb12u4", NULL);
	roundtrip(SC_ECO_DEB, "bsdutils", "1:2.38.1-5+deb12u1", "amd64", "util-linux", "debian", "12", "deb",
		  "debian", "bsdutils", "1:2.38.1-5+deb12u1", NULL);
	roundtrip(SC_ECO_DEB, "g++-12", "12.2.0-14", "amd64", "gcc-12", "debian", "12", "deb", "debian", "g++-12",
		  "12.2.0-14", NULL);
	roundtrip(SC_ECO_DEB, "libc6", "2.35-0ubuntu3.4", "amd64", "glibc", "ubuntu", "22.04", "deb", "ubuntu",
		  "libc6", "2.35-0ubuntu3.4", NULL);
	roundtrip(SC_ECO_APK, "musl", "1.2.4-r2", "x86_64", NULL, "alpine", "3.19.1", "apk", "alpine", "musl",
		  "1.2.4-r2", NULL);
	roundtrip(SC_ECO_RPM, "bash", "2:5.1.8-6.el9", "x86_64", NULL, "rhel", "9.3", "rpm", "rhel", "bash",
		  "5.1.8-6.el9", "2");
	roundtrip(SC_ECO_RPM, "openssl-libs", "3.0.7-25.el9_3", "x86_64", NULL, "rhel", "9.3", "rpm", "rhel",
		  "openssl-libs", "3.0.7-25.el9_3", NULL);
	roundtrip(SC_ECO_PYPI, "Typing_Extensions", "4.9.0", NULL, NULL, NULL, NULL, "pypi", NULL,
		  "typing-extensions", "4.9.0", NULL);
	roundtrip(SC_ECO_PYPI, "torch", "2.3.0+cu121", NULL, NULL, "debian", "12", "pypi", NULL, "torch",
		  "2.3.0+cu121", NULL);
	roundtrip(SC_ECO_NPM, "@types/node", "20.1.0", NULL, NULL, NULL, NULL, "npm", "@types", "node", "20.1.0",
		  NULL);
	roundtrip(SC_ECO_NPM, "lodash", "4.17.21", NULL, NULL, NULL, NULL, "npm", NULL, "lodash", "4.17.21", NULL);
	roundtrip(SC_ECO_GOLANG, "github.com/opencontainers/umoci", "v0.4.7", NULL, NULL, NULL, NULL, "golang",
		  "github.com/opencontainers", "umoci", "v0.4.7", NULL);
	roundtrip(SC_ECO_GOLANG, "example.com/cmd/tool", NULL, NULL, NULL, NULL, NULL, "golang", "example.com/cmd",
		  "tool", NULL, NULL);
	roundtrip(SC_ECO_GOLANG, "stdlib", "go1.22.1", NULL, NULL, NULL, NULL, "golang", NULL, "stdlib", "go1.22.1",
		  NULL);
	roundtrip(SC_ECO_BINARY, "cuda-runtime", "12.1.105", NULL, NULL, NULL, NULL, "generic", NULL,
		  "cuda-runtime", "12.1.105", NULL);
	/* Hostile fields: every reserved character survives the trip. */
	roundtrip(SC_ECO_DEB, "a@b?c#d%e f&g=h", "1:2@3?4#5%6/7", "x&y=z", "s@r c", "debian", "12", "deb", "debian",
		  "a@b?c#d%e f&g=h", "1:2@3?4#5%6/7", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basics),
		cmocka_unit_test(test_namespaces_and_encoding),
		cmocka_unit_test(test_qualifiers),
		cmocka_unit_test(test_subpath),
		cmocka_unit_test(test_type_normalisation),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_roundtrip_writer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
