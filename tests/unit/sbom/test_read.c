/*
 * test_read.c - sc_sbom_read(): (a) catalogs written with our CycloneDX
 * and SPDX writers read back into the same packages and OS; (b) documents
 * in the style of Syft 1.x and Trivy 0.5x for a Debian 12 image
 * (tests/fixtures/sbom/) and small inline ones for other tool conventions;
 * (c) hostile documents: deep nesting, huge sizes, too many components,
 * documents that are not SBOMs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "sbom/read.h"
#include "sbom/sbom.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static void str_eq(const char *got, const char *want)
{
	if (!want) {
		if (got)
			fail_msg("expected NULL, got \"%s\"", got);
	} else {
		if (!got)
			fail_msg("expected \"%s\", got NULL", want);
		assert_string_equal(got, want);
	}
}

static const sc_package *find(const sc_catalog *cat, sc_ecosystem eco, const char *name)
{
	size_t i;

	for (i = 0; i < cat->n_pkgs; i++)
		if (cat->pkgs[i].eco == eco && strcmp(cat->pkgs[i].name, name) == 0)
			return &cat->pkgs[i];
	fail_msg("package %s not found", name);
	return NULL;
}

static void check(const sc_catalog *cat, sc_ecosystem eco, const char *name, const char *version, const char *arch,
		  const char *src, const char *srcver, int os_managed, const char *location)
{
	const sc_package *p = find(cat, eco, name);

	str_eq(p->version, version);
	str_eq(p->arch, arch);
	str_eq(p->source_name, src);
	str_eq(p->source_version, srcver);
	assert_int_equal(p->os_managed, os_managed);
	if (location)
		str_eq(p->location, location);
}

static int read_str(sc_catalog *cat, sc_sbom_read_info *info, const char *doc)
{
	return sc_sbom_read(cat, info, doc, strlen(doc), "test.json");
}

/* ---- (a) round trips through our writers ------------------------------------ */

static void add(sc_catalog *cat, sc_ecosystem eco, const char *name, const char *version, const char *arch,
		const char *src, const char *srcver, int os_managed, const char *location)
{
	sc_package p;

	memset(&p, 0, sizeof(p));
	p.eco = eco;
	p.name = (char *)name;
	p.version = (char *)version;
	p.arch = (char *)arch;
	p.source_name = (char *)src;
	p.source_version = (char *)srcver;
	p.os_managed = os_managed;
	p.location = (char *)location;
	p.license = (char *)"MIT";
	p.summary = (char *)"a package";
	assert_int_equal(sc_catalog_add_package(cat, &p, NULL), 0);
}

static void set_os(sc_catalog *cat, const char *id, const char *ver, const char *pretty)
{
	cat->os.id = strdup(id);
	cat->os.version_id = strdup(ver);
	cat->os.pretty_name = strdup(pretty);
	cat->os.source = strdup("etc/os-release");
}

static void build_debian(sc_catalog *cat)
{
	sc_elf_info e;
	sc_model_file m;

	set_os(cat, "debian", "12", "Debian GNU/Linux 12 (bookworm)");
	add(cat, SC_ECO_DEB, "libc6", "2.36-9+deb12u4", "amd64", "glibc", NULL, 0, "var/lib/dpkg/status");
	add(cat, SC_ECO_DEB, "bash", "5.2.15-2+b2", "amd64", "bash", "5.2.15-2", 0, "var/lib/dpkg/status");
	add(cat, SC_ECO_DEB, "bsdutils", "1:2.38.1-5+deb12u1", "amd64", "util-linux", "2.38.1-5+deb12u1", 0,
	    "var/lib/dpkg/status");
	add(cat, SC_ECO_DEB, "tzdata", "2024a-0+deb12u1", "all", NULL, NULL, 0, "var/lib/dpkg/status");
	add(cat, SC_ECO_DEB, "g++-12", "12.2.0-14", "amd64", "gcc-12", NULL, 0, "var/lib/dpkg/status");
	add(cat, SC_ECO_PYPI, "six", "1.16.0", NULL, NULL, NULL, 1, "usr/lib/python3/dist-packages/six-1.16.0.egg-info");
	add(cat, SC_ECO_PYPI, "requests", "2.31.0", NULL, NULL, NULL, 0,
	    "usr/local/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA");
	add(cat, SC_ECO_PYPI, "typing-extensions", "4.9.0", NULL, NULL, NULL, 0,
	    "usr/local/lib/python3.11/site-packages/typing_extensions-4.9.0.dist-info/METADATA");
	add(cat, SC_ECO_NPM, "@types/node", "20.1.0", NULL, NULL, NULL, 0, "app/node_modules/@types/node/package.json");
	add(cat, SC_ECO_NPM, "lodash", "4.17.21", NULL, NULL, NULL, 0, "app/node_modules/lodash/package.json");
	add(cat, SC_ECO_GOLANG, "github.com/opencontainers/umoci", "v0.4.7", NULL, NULL, NULL, 0, "usr/bin/umoci");
	add(cat, SC_ECO_GOLANG, "stdlib", "go1.22.1", NULL, NULL, NULL, 0, "usr/bin/umoci");
	add(cat, SC_ECO_BINARY, "cuda-runtime", "12.1.105", NULL, NULL, NULL, 0, "usr/local/cuda/lib64/libcudart.so.12");
	memset(&e, 0, sizeof(e));
	e.path = (char *)"usr/local/bin/tool";
	e.machine = (char *)"x86_64";
	e.is_executable = 1;
	assert_int_equal(sc_catalog_add_elf(cat, &e), 0);
	memset(&m, 0, sizeof(m));
	m.path = (char *)"models/m.safetensors";
	m.format = (char *)"safetensors";
	m.size = 1234;
	assert_int_equal(sc_catalog_add_model(cat, &m, NULL), 0);
}

static void build_alpine(sc_catalog *cat)
{
	set_os(cat, "alpine", "3.19.1", "Alpine Linux v3.19");
	add(cat, SC_ECO_APK, "musl", "1.2.4-r2", "x86_64", NULL, NULL, 0, "lib/apk/db/installed");
	add(cat, SC_ECO_APK, "busybox-binsh", "1.36.1-r15", "x86_64", "busybox", NULL, 0, "lib/apk/db/installed");
	add(cat, SC_ECO_APK, "libssl3", "3.1.4-r5", "x86_64", "openssl", NULL, 0, "lib/apk/db/installed");
	add(cat, SC_ECO_PYPI, "pip", "23.3.1", NULL, NULL, NULL, 0,
	    "usr/lib/python3.11/site-packages/pip-23.3.1.dist-info/METADATA");
}

static void build_rhel(sc_catalog *cat)
{
	set_os(cat, "rhel", "9.3", "Red Hat Enterprise Linux 9.3 (Plow)");
	add(cat, SC_ECO_RPM, "bash", "5.1.8-6.el9_1", "x86_64", NULL, NULL, 0, "var/lib/rpm/rpmdb.sqlite");
	add(cat, SC_ECO_RPM, "openssl-libs", "1:3.0.7-25.el9_3", "x86_64", "openssl", NULL, 0, "var/lib/rpm/rpmdb.sqlite");
	add(cat, SC_ECO_RPM, "kernel-headers", "5.14.0-362.el9", "x86_64", "kernel", "5.14.0-362.8.1.el9", 0,
	    "var/lib/rpm/rpmdb.sqlite");
	add(cat, SC_ECO_RPM, "tzdata", "2024a-1.el9", "noarch", NULL, NULL, 0, "var/lib/rpm/rpmdb.sqlite");
}

typedef int (*writer_fn)(json_t **out, const sc_sbom_ctx *ctx);

/* Write cat with fn, read it back into *back. */
static void write_read(const sc_catalog *cat, writer_fn fn, sc_catalog *back, sc_sbom_read_info *info)
{
	sc_image img;
	sc_sbom_ctx ctx;
	json_t *doc = NULL;
	char *text;

	memset(&img, 0, sizeof(img));
	img.ref.path = (char *)"/tmp/images/roundtrip";
	img.ref.ref = (char *)"latest";
	img.name = (char *)"oci:/tmp/images/roundtrip:latest";
	img.manifest_digest.set = 1;
	memset(img.manifest_digest.bytes, 0xab, sizeof(img.manifest_digest.bytes));
	assert_int_equal(sc_sbom_ctx_init(&ctx, &img, cat, "0.0-test"), 0);
	assert_int_equal(fn(&doc, &ctx), 0);
	text = json_dumps(doc, JSON_COMPACT);
	assert_non_null(text);
	sc_catalog_init(back);
	assert_int_equal(sc_sbom_read(back, info, text, strlen(text), "roundtrip"), 0);
	free(text);
	json_decref(doc);
	sc_sbom_ctx_release(&ctx);
}

/*
 * Compare every package that has a purl scute catalogs.  SPDX carries only
 * the purl: apk/rpm source packages (not in our purls) are lost, the deb
 * source travels in `upstream` (with its version when that differs);
 * everything else must survive.
 */
static void compare(const sc_catalog *a, const sc_catalog *b, int spdx)
{
	size_t i, k = 0;

	for (i = 0; i < a->n_pkgs; i++) {
		const sc_package *p = &a->pkgs[i], *q;
		const char *src = p->source_name, *srcver = p->source_version;

		if (p->eco == SC_ECO_BINARY)
			continue;
		if (spdx && p->eco != SC_ECO_DEB) {
			src = NULL;
			srcver = NULL;
		} else if (spdx && !(srcver && p->version && strcmp(srcver, p->version) != 0)) {
			/* upstream=SRC only when the source name differs; SRC@VERSION when the version does */
			srcver = NULL;
			if (src && strcmp(src, p->name) == 0)
				src = NULL;
		}
		assert_true(k < b->n_pkgs);
		q = &b->pkgs[k++];
		assert_int_equal(q->eco, p->eco);
		str_eq(q->name, p->name);
		str_eq(q->version, p->version);
		str_eq(q->arch, p->eco <= SC_ECO_RPM || !spdx ? p->arch : NULL);
		str_eq(q->source_name, src);
		str_eq(q->source_version, srcver);
		assert_int_equal(q->os_managed, p->os_managed);
		str_eq(q->location, p->location);
	}
	assert_int_equal(k, b->n_pkgs);
	str_eq(b->os.id, a->os.id);
	str_eq(b->os.version_id, a->os.version_id);
	str_eq(b->os.pretty_name, a->os.pretty_name);
	str_eq(b->os.source, "sbom");
}

static void roundtrip(void (*build)(sc_catalog *), size_t components, size_t without, size_t unsupported)
{
	sc_catalog cat, back;
	sc_sbom_read_info info;

	sc_catalog_init(&cat);
	build(&cat);
	assert_int_equal(sc_catalog_finish(&cat), 0);

	write_read(&cat, sc_sbom_cyclonedx, &back, &info);
	compare(&cat, &back, 0);
	str_eq(info.format, "cyclonedx");
	str_eq(info.spec_version, "1.6");
	assert_non_null(info.subject);
	str_eq(info.subject, "roundtrip@sha256:abababababababababababababababababababababababababababababababab");
	assert_non_null(info.subject_purl);
	assert_int_equal(strncmp(info.subject_purl, "pkg:oci/roundtrip@", 18), 0);
	assert_int_equal(info.components, components);
	assert_int_equal(info.without_purl, without);
	assert_int_equal(info.unsupported, unsupported);
	sc_sbom_read_info_release(&info);
	sc_catalog_release(&back);

	write_read(&cat, sc_sbom_spdx, &back, &info);
	compare(&cat, &back, 1);
	str_eq(info.format, "spdx");
	str_eq(info.spec_version, "SPDX-2.3");
	str_eq(info.subject, "roundtrip");
	assert_non_null(info.subject_purl);
	assert_int_equal(strncmp(info.subject_purl, "pkg:oci/roundtrip@", 18), 0);
	assert_int_equal(info.components, components);
	assert_int_equal(info.without_purl, without);
	assert_int_equal(info.unsupported, unsupported);
	sc_sbom_read_info_release(&info);
	sc_catalog_release(&back);
	sc_catalog_release(&cat);
}

static void test_roundtrip_debian(void **state)
{
	(void)state;
	/* OS + 13 packages + model + ELF; the model and ELF have no purl, cuda-runtime is pkg:generic. */
	roundtrip(build_debian, 16, 2, 1);
}

static void test_roundtrip_alpine(void **state)
{
	(void)state;
	roundtrip(build_alpine, 5, 0, 0);
}

static void test_roundtrip_rhel(void **state)
{
	(void)state;
	roundtrip(build_rhel, 5, 0, 0);
}

/* ---- (b) other tools' documents --------------------------------------------- */

static char *slurp(const char *name, size_t *len)
{
	const char *root = getenv("SCUTE_SOURCE_ROOT");
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/tests/fixtures/sbom/%s", root ? root : ".", name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void read_fixture(const char *name, sc_catalog *cat, sc_sbom_read_info *info)
{
	size_t len;
	char *doc = slurp(name, &len);

	sc_catalog_init(cat);
	if (sc_sbom_read(cat, info, doc, len, name) != 0)
		fail_msg("%s", sc_error_msg());
	free(doc);
}

/* The Debian packages both Syft fixtures describe. */
static void check_syft_debian(const sc_catalog *cat, int spdx)
{
	const char *status = spdx ? "var/lib/dpkg/status" : NULL;

	assert_int_equal(cat->n_pkgs, 15);
	check(cat, SC_ECO_DEB, "base-files", "12.4+deb12u5", "amd64", NULL, NULL, 0, status);
	/* binNMU: Source "bash (5.2.15-2)" (syft:metadata:* / upstream=bash@5.2.15-2) */
	check(cat, SC_ECO_DEB, "bash", "5.2.15-2+b2", "amd64", "bash", "5.2.15-2", 0, status);
	/* epoch in the binary version only */
	check(cat, SC_ECO_DEB, "bsdutils", "1:2.38.1-5+deb12u1", "amd64", "util-linux", "2.38.1-5+deb12u1", 0, status);
	check(cat, SC_ECO_DEB, "ca-certificates", "20230311", "all", NULL, NULL, 0, status);
	check(cat, SC_ECO_DEB, "libc6", "2.36-9+deb12u7", "amd64", "glibc", NULL, 0, status);
	check(cat, SC_ECO_DEB, "libgcc-s1", "12.2.0-14", "amd64", "gcc-12", NULL, 0, status);
	check(cat, SC_ECO_DEB, "libssl3", "3.0.13-1~deb12u1", "amd64", "openssl", NULL, 0, status);
	check(cat, SC_ECO_DEB, "openssl", "3.0.13-1~deb12u1", "amd64", NULL, NULL, 0, status);
	check(cat, SC_ECO_DEB, "tzdata", "2024a-0+deb12u1", "all", NULL, NULL, 0, status);
	check(cat, SC_ECO_DEB, "zlib1g", "1:1.2.13.dfsg-1", "amd64", "zlib", NULL, 0, status);
	check(cat, SC_ECO_PYPI, "pip", "24.0", NULL, NULL, NULL, 0,
	      "usr/local/lib/python3.11/site-packages/pip-24.0.dist-info/METADATA");
	check(cat, SC_ECO_PYPI, "setuptools", "65.5.1", NULL, NULL, NULL, 0, NULL);
	/* Debian's dist-packages: installed by dpkg */
	check(cat, SC_ECO_PYPI, "six", "1.16.0", NULL, NULL, NULL, 1, "usr/lib/python3/dist-packages/six-1.16.0.egg-info");
	check(cat, SC_ECO_GOLANG, "github.com/tianon/gosu", "v1.17.0", NULL, NULL, NULL, 0, "usr/local/bin/gosu");
	/* the purl's version wins over the component's "go1.21.5" */
	check(cat, SC_ECO_GOLANG, "stdlib", "1.21.5", NULL, NULL, NULL, 0, NULL);
	str_eq(cat->os.id, "debian");
	str_eq(cat->os.version_id, "12");
	str_eq(cat->os.source, "sbom");
}

static void test_syft_cyclonedx(void **state)
{
	sc_catalog cat;
	sc_sbom_read_info info;

	(void)state;
	read_fixture("syft-debian12.cdx.json", &cat, &info);
	check_syft_debian(&cat, 0);
	str_eq(cat.os.pretty_name, "Debian GNU/Linux 12 (bookworm)");
	str_eq(cat.os.codename, "bookworm");
	str_eq(info.format, "cyclonedx");
	str_eq(info.spec_version, "1.6");
	str_eq(info.subject,
	       "python:3.11-slim-bookworm@sha256:e88369fbcf79452f10d873e0249d633b41ec53c57a377dd703101275fab8f643");
	assert_null(info.subject_purl);
	assert_int_equal(info.components, 18);
	assert_int_equal(info.without_purl, 1); /* the /etc/os-release file */
	assert_int_equal(info.unsupported, 1);  /* pkg:generic/python */
	sc_sbom_read_info_release(&info);
	sc_catalog_release(&cat);
}

static void test_syft_spdx(void **state)
{
	sc_catalog cat;
	sc_sbom_read_info info;

	(void)state;
	read_fixture("syft-debian12.spdx.json", &cat, &info);
	check_syft_debian(&cat, 1);
	assert_null(cat.os.pretty_name);
	str_eq(info.format, "spdx");
	str_eq(info.spec_version, "SPDX-2.3");
	str_eq(info.subject, "python:3.11-slim-bookworm");
	str_eq(info.subject_purl, "pkg:oci/python@sha256%3Ae88369fbcf79452f10d873e0249d633b41ec53c57a377dd703101275fab8f643"
				  "?arch=amd64&tag=3.11-slim-bookworm");
	assert_int_equal(info.components, 16);
	assert_int_equal(info.without_purl, 0);
	assert_int_equal(info.unsupported, 1);
	sc_sbom_read_info_release(&info);
	sc_catalog_release(&cat);
}

static void test_trivy_cyclonedx(void **state)
{
	sc_catalog cat;
	sc_sbom_read_info info;

	(void)state;
	read_fixture("trivy-debian12.cdx.json", &cat, &info);
	assert_int_equal(cat.n_pkgs, 13);
	/* SrcName == name and SrcVersion-SrcRelease == version: nothing to record */
	check(&cat, SC_ECO_DEB, "base-files", "12.4+deb12u5", "amd64", NULL, NULL, 0, NULL);
	check(&cat, SC_ECO_DEB, "openssl", "3.0.13-1~deb12u1", "amd64", NULL, NULL, 0, NULL);
	/* SrcVersion "5.2.15" + SrcRelease "2" */
	check(&cat, SC_ECO_DEB, "bash", "5.2.15-2+b2", "amd64", "bash", "5.2.15-2", 0, NULL);
	/* version from the purl "2.38.1-5+deb12u1" + epoch=1 */
	check(&cat, SC_ECO_DEB, "bsdutils", "1:2.38.1-5+deb12u1", "amd64", "util-linux", "2.38.1-5+deb12u1", 0, NULL);
	check(&cat, SC_ECO_DEB, "libc6", "2.36-9+deb12u7", "amd64", "glibc", NULL, 0, NULL);
	check(&cat, SC_ECO_DEB, "libssl3", "3.0.13-1~deb12u1", "amd64", "openssl", NULL, 0, NULL);
	/* SrcEpoch 1: "1:1.2.13.dfsg-1" equals the binary version */
	check(&cat, SC_ECO_DEB, "zlib1g", "1:1.2.13.dfsg-1", "amd64", "zlib", NULL, 0, NULL);
	check(&cat, SC_ECO_DEB, "login", "1:4.13+dfsg1-1+b1", "amd64", "shadow", "1:4.13+dfsg1-1", 0, NULL);
	check(&cat, SC_ECO_DEB, "tzdata", "2024a-0+deb12u1", "all", NULL, NULL, 0, NULL);
	check(&cat, SC_ECO_PYPI, "pip", "24.0", NULL, NULL, NULL, 0,
	      "usr/local/lib/python3.11/site-packages/pip-24.0.dist-info/METADATA");
	/* listed twice (two FilePaths): added once */
	check(&cat, SC_ECO_PYPI, "wheel", "0.43.0", NULL, NULL, NULL, 0,
	      "opt/venv/lib/python3.11/site-packages/wheel-0.43.0.dist-info/METADATA");
	str_eq(cat.os.id, "debian");
	str_eq(cat.os.version_id, "12.5");
	str_eq(cat.os.source, "sbom");
	str_eq(info.format, "cyclonedx");
	str_eq(info.spec_version, "1.5");
	str_eq(info.subject, "python:3.11-slim-bookworm");
	str_eq(info.subject_purl, "pkg:oci/python@sha256%3Ae88369fbcf79452f10d873e0249d633b41ec53c57a377dd703101275fab8f643"
				  "?arch=amd64&repository_url=index.docker.io%2Flibrary%2Fpython");
	assert_int_equal(info.components, 16);
	assert_int_equal(info.without_purl, 1); /* the "Python" application */
	assert_int_equal(info.unsupported, 0);
	sc_sbom_read_info_release(&info);
	sc_catalog_release(&cat);
}

/* Trivy on Alpine: distro=3.19.1 (no id: the purl namespace gives it), SrcName = origin. */
static void test_trivy_alpine_and_rpm(void **state)
{
	static const char apk[] =
		"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.4\",\"components\":["
		"{\"type\":\"library\",\"name\":\"busybox-binsh\",\"version\":\"1.36.1-r15\","
		"\"purl\":\"pkg:apk/alpine/busybox-binsh@1.36.1-r15?arch=x86_64&distro=3.19.1\","
		"\"properties\":[{\"name\":\"aquasecurity:trivy:SrcName\",\"value\":\"busybox\"},"
		"{\"name\":\"aquasecurity:trivy:SrcVersion\",\"value\":\"1.36.1-r15\"}]},"
		"{\"type\":\"library\",\"name\":\"musl\",\"version\":\"1.2.4_git20230717-r4\","
		"\"purl\":\"pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=3.19.1\"}]}";
	static const char rpm[] =
		"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":["
		"{\"type\":\"library\",\"name\":\"openssl-libs\",\"version\":\"1:3.0.7-25.el9_3\","
		"\"purl\":\"pkg:rpm/redhat/openssl-libs@3.0.7-25.el9_3?arch=x86_64&distro=redhat-9.3&epoch=1\","
		"\"properties\":[{\"name\":\"aquasecurity:trivy:SrcName\",\"value\":\"openssl\"},"
		"{\"name\":\"aquasecurity:trivy:SrcEpoch\",\"value\":\"1\"},"
		"{\"name\":\"aquasecurity:trivy:SrcRelease\",\"value\":\"25.el9_3\"},"
		"{\"name\":\"aquasecurity:trivy:SrcVersion\",\"value\":\"3.0.7\"}]},"
		/* Syft's rpm: the source rpm file name in upstream */
		"{\"type\":\"library\",\"name\":\"python3-libs\",\"version\":\"3.9.18-1.el9_3.1\","
		"\"purl\":\"pkg:rpm/rhel/python3-libs@3.9.18-1.el9_3.1?arch=x86_64&upstream=python3.9-3.9.18-1.el9_3.1.src.rpm"
		"&distro=rhel-9.3\"},"
		"{\"type\":\"library\",\"name\":\"kernel-headers\",\"version\":\"5.14.0-362.el9\","
		"\"purl\":\"pkg:rpm/rhel/kernel-headers@5.14.0-362.el9?arch=x86_64\","
		"\"properties\":[{\"name\":\"syft:metadata:sourceRpm\",\"value\":\"kernel-5.14.0-362.8.1.el9.src.rpm\"}]}]}";
	sc_catalog cat;
	sc_sbom_read_info info;

	(void)state;
	sc_catalog_init(&cat);
	assert_int_equal(read_str(&cat, &info, apk), 0);
	check(&cat, SC_ECO_APK, "busybox-binsh", "1.36.1-r15", "x86_64", "busybox", NULL, 0, NULL);
	check(&cat, SC_ECO_APK, "musl", "1.2.4_git20230717-r4", "x86_64", NULL, NULL, 0, NULL);
	str_eq(cat.os.id, "alpine");
	str_eq(cat.os.version_id, "3.19.1");
	sc_sbom_read_info_release(&info);
	sc_catalog_release(&cat);

	sc_catalog_init(&cat);
	assert_int_equal(read_str(&cat, &info, rpm), 0);
	/* rpm source versions carry no epoch (as in a source rpm file name) */
	check(&cat, SC_ECO_RPM, "openssl-libs", "1:3.0.7-25.el9_3", "x86_64", "openssl", NULL, 0, NULL);
	check(&cat, SC_ECO_RPM, "python3-libs", "3.9.18-1.el9_3.1", "x86_64", "python3.9", NULL, 0, NULL);
	check(&cat, SC_ECO_RPM, "kernel-headers", "5.14.0-362.el9", "x86_64", "kernel", "5.14.0-362.8.1.el9", 0, NULL);
	/* Trivy's "redhat" is os-release's "rhel" */
	str_eq(cat.os.id, "rhel");
	str_eq(cat.os.version_id, "9.3");
	sc_sbom_read_info_release(&info);
	sc_catalog_release(&cat);
}

/* Trivy's SPDX: source facts as annotations; SPDX 2.2 PACKAGE_MANAGER; OPERATING-SYSTEM package. */
static void test_trivy_spdx(void **state)
{
	static const char doc[] =
		"{\"spdxVersion\":\"SPDX-2.2\",\"SPDXID\":\"SPDXRef-DOCUMENT\",\"name\":\"debian:12\","
		"\"documentDescribes\":[\"SPDXRef-ContainerImage-1\"],\"packages\":["
		"{\"SPDXID\":\"SPDXRef-ContainerImage-1\",\"name\":\"debian:12\","
		"\"externalRefs\":[{\"referenceCategory\":\"PACKAGE_MANAGER\",\"referenceType\":\"purl\","
		"\"referenceLocator\":\"pkg:oci/debian@sha256%3Aabc?arch=amd64\"}],\"primaryPackagePurpose\":\"CONTAINER\"},"
		"{\"SPDXID\":\"SPDXRef-OperatingSystem-2\",\"name\":\"Debian\",\"versionInfo\":\"12.5\","
		"\"primaryPackagePurpose\":\"OPERATING-SYSTEM\"},"
		"{\"SPDXID\":\"SPDXRef-Package-3\",\"name\":\"bash\",\"versionInfo\":\"5.2.15-2+b2\","
		"\"externalRefs\":[{\"referenceCategory\":\"PACKAGE_MANAGER\",\"referenceType\":\"purl\","
		"\"referenceLocator\":\"pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12.5\"}],"
		"\"annotations\":[{\"annotator\":\"Tool: trivy-0.52.0\",\"annotationType\":\"OTHER\","
		"\"comment\":\"PkgType: debian\"},"
		"{\"annotator\":\"Tool: trivy-0.52.0\",\"annotationType\":\"OTHER\",\"comment\":\"SrcName: bash\"},"
		"{\"annotator\":\"Tool: trivy-0.52.0\",\"annotationType\":\"OTHER\",\"comment\":\"SrcRelease: 2\"},"
		"{\"annotator\":\"Tool: trivy-0.52.0\",\"annotationType\":\"OTHER\",\"comment\":\"SrcVersion: 5.2.15\"}]},"
		"{\"SPDXID\":\"SPDXRef-Package-4\",\"name\":\"nopurl\",\"versionInfo\":\"1\"}]}";
	sc_catalog cat;
	sc_sbom_read_info info;

	(void)state;
	sc_catalog_init(&cat);
	assert_int_equal(read_str(&cat, &info, doc), 0);
	assert_int_equal(cat.n_pkgs, 1);
	check(&cat, SC_ECO_DEB, "bash", "5.2.15-2+b2", "amd64", "bash", "5.2.15-2", 0, NULL);
	/* The OPERATING-SYSTEM package wins over the distro qualifier. */
	str_eq(cat.os.id, "debian");
	str_eq(cat.os.version_id, "12.5");
	str_eq(info.spec_version, "SPDX-2.2");
	str_eq(info.subject_purl, "pkg:oci/debian@sha256%3Aabc?arch=amd64");
	assert_int_equal(info.components, 3);
	assert_int_equal(info.without_purl, 1);
	sc_sbom_read_info_release(&info);
	sc_catalog_release(&cat);
}

/* cdxgen-style nesting, npm/golang names, scute properties, odd entries, duplicates. */
static void test_nested_and_odd(void **state)
{
	static const char doc[] =
		"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.3\",\"metadata\":{\"component\":{\"name\":\"app\"}},"
		"\"components\":["
		"{\"type\":\"application\",\"name\":\"app\",\"components\":["
		"  {\"type\":\"library\",\"purl\":\"pkg:npm/%40babel/core@7.24.0\",\"components\":["
		"    {\"type\":\"library\",\"purl\":\"pkg:npm/debug@4.3.4\"},"
		"    {\"type\":\"library\",\"purl\":\"pkg:golang/golang.org/x/net@v0.17.0\"}]},"
		"  {\"type\":\"library\",\"purl\":\"pkg:npm/debug@4.3.4\"}]},"
		"{\"type\":\"library\",\"purl\":\"pkg:npm/scope/name@1.0.0\"},"
		"{\"type\":\"library\",\"purl\":\"pkg:PyPI/Typing_Extensions@4.9.0\"},"
		"{\"type\":\"library\",\"purl\":\"pkg:pypi/not%20valid@1\"},"
		"{\"type\":\"library\",\"purl\":\"pkg:maven/org.apache.commons/commons-lang3@3.14.0\"},"
		"{\"type\":\"library\",\"purl\":\"not a purl\"},"
		"{\"type\":\"library\",\"purl\":\"pkg:deb/debian/a\\u0000b@1\"},"
		"{\"type\":\"library\",\"purl\":42},"
		"\"a string\", null, [],"
		"{\"type\":\"library\",\"name\":\"noversion\",\"version\":\"2.0\",\"purl\":\"pkg:npm/noversion\"},"
		"{\"type\":\"library\",\"purl\":\"pkg:pypi/python-apt@2.6.0\",\"properties\":["
		"  {\"name\":\"scute:os-managed\",\"value\":\"true\"},{\"name\":\"scute:location\",\"value\":\"/x/y\"},"
		"  {\"name\":\"scute:location\",\"value\":\"/ignored\"},{\"name\":42,\"value\":\"x\"},\"junk\"]},"
		"{\"type\":\"library\",\"purl\":\"pkg:deb/ubuntu/libc6@2.35-0ubuntu3.4?arch=amd64&distro=ubuntu-22.04"
		"&upstream=glibc%402.35-0ubuntu3.4\"}"
		"]}";
	sc_catalog cat;
	sc_sbom_read_info info;

	(void)state;
	sc_catalog_init(&cat);
	assert_int_equal(read_str(&cat, &info, doc), 0);
	check(&cat, SC_ECO_NPM, "@babel/core", "7.24.0", NULL, NULL, NULL, 0, NULL);
	check(&cat, SC_ECO_NPM, "debug", "4.3.4", NULL, NULL, NULL, 0, NULL);
	check(&cat, SC_ECO_NPM, "@scope/name", "1.0.0", NULL, NULL, NULL, 0, NULL);
	check(&cat, SC_ECO_NPM, "noversion", "2.0", NULL, NULL, NULL, 0, NULL);
	check(&cat, SC_ECO_GOLANG, "golang.org/x/net", "v0.17.0", NULL, NULL, NULL, 0, NULL);
	check(&cat, SC_ECO_PYPI, "typing-extensions", "4.9.0", NULL, NULL, NULL, 0, NULL);
	check(&cat, SC_ECO_PYPI, "python-apt", "2.6.0", NULL, NULL, NULL, 1, "x/y");
	/* upstream with a version equal to the binary's: only the name is kept */
	check(&cat, SC_ECO_DEB, "libc6", "2.35-0ubuntu3.4", "amd64", "glibc", NULL, 0, NULL);
	assert_int_equal(cat.n_pkgs, 8);
	str_eq(cat.os.id, "ubuntu");
	str_eq(cat.os.version_id, "22.04");
	str_eq(info.subject, "app");
	str_eq(info.spec_version, "1.3");
	assert_int_equal(info.components, 18);
	/* pypi "not valid", "not a purl", NUL inside, 42, the string, null, [], the application */
	assert_int_equal(info.without_purl, 8);
	assert_int_equal(info.unsupported, 1);
	sc_sbom_read_info_release(&info);
	sc_catalog_release(&cat);
}

/* The pip-installed twin of an OS-managed distribution wins the merge. */
static void test_duplicates(void **state)
{
	static const char doc[] =
		"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":["
		"{\"purl\":\"pkg:pypi/six@1.16.0\",\"properties\":[{\"name\":\"scute:location\","
		"\"value\":\"/usr/lib/python3/dist-packages/six-1.16.0.egg-info\"}]},"
		"{\"purl\":\"pkg:pypi/six@1.16.0\",\"properties\":[{\"name\":\"scute:location\","
		"\"value\":\"/usr/local/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA\"}]},"
		"{\"purl\":\"pkg:pypi/six@1.16.0\"},"
		"{\"purl\":\"pkg:deb/debian/libc6@2.36-9?arch=amd64\"},"
		"{\"purl\":\"pkg:deb/debian/libc6@2.36-9?arch=amd64&upstream=glibc\"},"
		"{\"purl\":\"pkg:deb/debian/libc6@2.36-9?arch=i386\"}]}";
	sc_catalog cat;

	(void)state;
	sc_catalog_init(&cat);
	assert_int_equal(read_str(&cat, NULL, doc), 0);
	assert_int_equal(cat.n_pkgs, 3);
	check(&cat, SC_ECO_PYPI, "six", "1.16.0", NULL, NULL, NULL, 0,
	      "usr/local/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA");
	assert_string_equal(cat.pkgs[0].arch, "amd64");
	str_eq(cat.pkgs[0].source_name, "glibc");
	assert_string_equal(cat.pkgs[1].arch, "i386");
	assert_null(cat.os.id);
	sc_catalog_release(&cat);
}

/* ---- (c) hostile documents -------------------------------------------------- */

static void expect_error(const char *doc, size_t len, int code, const char *msg_part)
{
	sc_catalog cat;
	sc_sbom_read_info info;

	sc_catalog_init(&cat);
	memset(&info, 0x5a, sizeof(info));
	sc_error_clear();
	assert_int_equal(sc_sbom_read(&cat, &info, doc, len, "evil.json"), code);
	if (!strstr(sc_error_msg(), msg_part))
		fail_msg("message \"%s\" lacks \"%s\"", sc_error_msg(), msg_part);
	assert_int_equal(strncmp(sc_error_msg(), "evil.json: ", 11), 0);
	assert_int_equal(cat.n_pkgs, 0);
	assert_null(cat.os.id);
	assert_int_equal(info.components, (size_t)0x5a5a5a5a5a5a5a5aULL); /* untouched */
	sc_catalog_release(&cat);
}

static void test_not_sbom(void **state)
{
	static const char *const docs[] = {
		"{\"foo\":1}", "[]", "42", "\"CycloneDX\"", "{\"bomFormat\":\"cyclonedx\"}",
		"{\"bomFormat\":\"SWID\",\"specVersion\":\"1.6\"}", "{\"spdxVersion\":2.3}",
		"{\"spdxVersion\":\"2.3\"}", "{\"SPDXID\":\"SPDXRef-DOCUMENT\",\"packages\":[]}",
	};
	static const char cdx_obj[] = "{\"bomFormat\":\"CycloneDX\",\"components\":{}}";
	static const char spdx_str[] = "{\"spdxVersion\":\"SPDX-2.3\",\"packages\":\"x\"}";
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		expect_error(docs[i], strlen(docs[i]), SC_EINPUT, "not a CycloneDX or SPDX JSON document");
	expect_error("{", 1, SC_EINPUT, "not a CycloneDX or SPDX JSON document: malformed JSON at line 1");
	expect_error("", 0, SC_EINPUT, "not a CycloneDX or SPDX JSON document: malformed JSON");
	expect_error("\x1f\x8b\x08\x00", 4, SC_EINPUT, "not a CycloneDX or SPDX JSON document: malformed JSON");
	expect_error(cdx_obj, strlen(cdx_obj), SC_EINPUT, "'components' is not an array");
	expect_error(spdx_str, strlen(spdx_str), SC_EINPUT, "'packages' is not an array");
}

static void test_deep_nesting(void **state)
{
	size_t n = 100000, i;
	char *doc = malloc(2 * n + 64);
	sc_buf b;

	(void)state;
	/* 100k '[' / '{' levels: refused before the (recursive) parser runs */
	for (i = 0; i < n; i++)
		doc[i] = '[';
	for (i = 0; i < n; i++)
		doc[n + i] = ']';
	expect_error(doc, 2 * n, SC_ELIMIT, "nested deeper");
	strcpy(doc, "{\"bomFormat\":\"CycloneDX\",\"components\":");
	for (i = strlen(doc); i < n; i++)
		doc[i] = '[';
	expect_error(doc, n, SC_ELIMIT, "nested deeper");
	free(doc);

	/* 40 levels of nested components: within the JSON bound, over the component bound */
	sc_buf_init(&b, 1 << 20, "t");
	sc_buf_puts(&b, "{\"bomFormat\":\"CycloneDX\",\"components\":[");
	for (i = 0; i < 40; i++)
		sc_buf_printf(&b, "{\"purl\":\"pkg:npm/p%zu@1\",\"components\":[", i);
	for (i = 0; i < 40; i++)
		sc_buf_puts(&b, "]}");
	sc_buf_puts(&b, "]}");
	expect_error(b.data, b.len, SC_ELIMIT, "components nested deeper than 32 levels");
	sc_buf_release(&b);

	/* 30 levels are fine */
	sc_buf_init(&b, 1 << 20, "t");
	sc_buf_puts(&b, "{\"bomFormat\":\"CycloneDX\",\"components\":[");
	for (i = 0; i < 30; i++)
		sc_buf_printf(&b, "{\"purl\":\"pkg:npm/p%zu@1\",\"components\":[", i);
	for (i = 0; i < 30; i++)
		sc_buf_puts(&b, "]}");
	sc_buf_puts(&b, "]}");
	{
		sc_catalog cat;
		sc_sbom_read_info info;

		sc_catalog_init(&cat);
		assert_int_equal(sc_sbom_read(&cat, &info, b.data, b.len, "ok"), 0);
		assert_int_equal(cat.n_pkgs, 30);
		assert_int_equal(info.components, 30);
		sc_sbom_read_info_release(&info);
		sc_catalog_release(&cat);
	}
	sc_buf_release(&b);
}

static void test_huge(void **state)
{
	size_t len = (size_t)SC_SBOM_READ_MAX + 1;
	void *big;

	(void)state;
	/* Never touched: the size is refused before a byte is read. */
	big = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(big != MAP_FAILED);
	expect_error(big, len, SC_ELIMIT, "limit is");
	munmap(big, len);
}

static void test_too_many_components(void **state)
{
	size_t n = SC_SBOM_READ_MAX_COMPONENTS + 1, i;
	sc_buf b;

	(void)state;
	/* null entries cost jansson nothing (a shared singleton) */
	sc_buf_init(&b, 8u << 20, "t");
	sc_buf_puts(&b, "{\"bomFormat\":\"CycloneDX\",\"components\":[");
	for (i = 0; i < n; i++)
		sc_buf_puts(&b, i ? ",null" : "null");
	sc_buf_puts(&b, "]}");
	expect_error(b.data, b.len, SC_ELIMIT, "more than 1000000 components");
	/* SPDX too */
	sc_buf_reset(&b);
	sc_buf_puts(&b, "{\"spdxVersion\":\"SPDX-2.3\",\"packages\":[");
	for (i = 0; i < n; i++)
		sc_buf_puts(&b, i ? ",null" : "null");
	sc_buf_puts(&b, "]}");
	expect_error(b.data, b.len, SC_ELIMIT, "more than 1000000 components");
	sc_buf_release(&b);
}

/* A failure half-way leaves the caller's catalog as it was. */
static void test_failure_keeps_catalog(void **state)
{
	sc_catalog cat;
	sc_sbom_read_info info;
	sc_buf b;
	int i;

	(void)state;
	sc_buf_init(&b, 1 << 20, "t");
	sc_buf_puts(&b, "{\"bomFormat\":\"CycloneDX\",\"components\":[{\"purl\":\"pkg:npm/a@1\"},"
			"{\"purl\":\"pkg:npm/b@1\"},{\"purl\":\"pkg:deb/debian/x@1?distro=debian-12\"},");
	for (i = 0; i < 40; i++)
		sc_buf_puts(&b, "{\"components\":[");
	for (i = 0; i < 40; i++)
		sc_buf_puts(&b, "]}");
	sc_buf_puts(&b, "]}");
	sc_catalog_init(&cat);
	add(&cat, SC_ECO_DEB, "mine", "1", NULL, NULL, NULL, 0, NULL);
	memset(&info, 0, sizeof(info));
	assert_int_equal(sc_sbom_read(&cat, &info, b.data, b.len, "t"), SC_ELIMIT);
	sc_buf_release(&b);
	assert_int_equal(cat.n_pkgs, 1);
	assert_string_equal(cat.pkgs[0].name, "mine");
	assert_null(cat.os.id);
	assert_null(info.format);
	/* the same catalog still takes a good document */
	assert_int_equal(read_str(&cat, &info, "{\"bomFormat\":\"CycloneDX\",\"components\":"
					      "[{\"purl\":\"pkg:npm/a@1\"}]}"),
			 0);
	assert_int_equal(cat.n_pkgs, 2);
	sc_sbom_read_info_release(&info);
	sc_sbom_read_info_release(&info);
	sc_sbom_read_info_release(NULL);
	sc_catalog_release(&cat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_debian),
		cmocka_unit_test(test_roundtrip_alpine),
		cmocka_unit_test(test_roundtrip_rhel),
		cmocka_unit_test(test_syft_cyclonedx),
		cmocka_unit_test(test_syft_spdx),
		cmocka_unit_test(test_trivy_cyclonedx),
		cmocka_unit_test(test_trivy_alpine_and_rpm),
		cmocka_unit_test(test_trivy_spdx),
		cmocka_unit_test(test_nested_and_odd),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_not_sbom),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_huge),
		cmocka_unit_test(test_too_many_components),
		cmocka_unit_test(test_failure_keeps_catalog),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
