/*
 * test_ref.c - containers-transports image names (src/image/ref.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "image/ref.h"

#include <stdlib.h>
#include <string.h>

static void expect_ok(const char *name, sc_transport t, const char *path, const char *ref)
{
	sc_imgref r;

	memset(&r, 0, sizeof(r));
	assert_int_equal(sc_imgref_parse(&r, name), 0);
	assert_int_equal(r.transport, t);
	assert_string_equal(r.path, path);
	if (ref)
		assert_string_equal(r.ref, ref);
	else
		assert_null(r.ref);
	sc_imgref_release(&r);
	assert_null(r.path);
	assert_null(r.ref);
}

static void expect_fail(const char *name, const char *msg_part)
{
	sc_imgref r;

	memset(&r, 0x5a, sizeof(r));
	assert_int_equal(sc_imgref_parse(&r, name), SC_EUSAGE);
	assert_non_null(strstr(sc_error_msg(), msg_part));
	/* out untouched on failure */
	assert_int_equal(((unsigned char *)&r)[0], 0x5a);
}

static void test_oci(void **state)
{
	(void)state;
	expect_ok("oci:/tmp/layout", SC_TRANSPORT_OCI, "/tmp/layout", NULL);
	expect_ok("oci:/tmp/layout:v1.2", SC_TRANSPORT_OCI, "/tmp/layout", "v1.2");
	expect_ok("oci:relative/dir:latest", SC_TRANSPORT_OCI, "relative/dir", "latest");
	/* the path ends at the first ':'; the rest is the ref */
	expect_ok("oci:dir:a:b", SC_TRANSPORT_OCI, "dir", "a:b");
}

static void test_oci_archive(void **state)
{
	(void)state;
	expect_ok("oci-archive:img.tar", SC_TRANSPORT_OCI_ARCHIVE, "img.tar", NULL);
	expect_ok("oci-archive:/x/img.tar:tag", SC_TRANSPORT_OCI_ARCHIVE, "/x/img.tar", "tag");
}

static void test_docker_archive(void **state)
{
	(void)state;
	expect_ok("docker-archive:save.tar", SC_TRANSPORT_DOCKER_ARCHIVE, "save.tar", NULL);
	expect_ok("docker-archive:save.tar:busybox:latest", SC_TRANSPORT_DOCKER_ARCHIVE, "save.tar",
		  "busybox:latest");
	expect_ok("docker-archive:save.tar:@1", SC_TRANSPORT_DOCKER_ARCHIVE, "save.tar", "@1");
	expect_ok("docker-archive:/a/b.tar:@0", SC_TRANSPORT_DOCKER_ARCHIVE, "/a/b.tar", "@0");
}

static void test_docker(void **state)
{
	(void)state;
	expect_ok("docker://docker.io/library/alpine:3.19", SC_TRANSPORT_DOCKER, "docker.io/library/alpine:3.19",
		  NULL);
	expect_ok("docker://localhost:5000/x@sha256:0123", SC_TRANSPORT_DOCKER, "localhost:5000/x@sha256:0123", NULL);
	expect_fail("docker://", "missing registry reference");
}

static void test_errors(void **state)
{
	char *big;

	(void)state;
	expect_fail("", "empty image name");
	expect_fail("busybox:latest", "no known transport");
	expect_fail("docker:alpine", "no known transport");
	expect_fail("oci:", "missing path");
	expect_fail("oci::tag", "missing path");
	expect_fail("oci-archive:x.tar:", "empty reference");
	expect_fail("docker-archive:", "missing path");
	big = malloc(5000);
	assert_non_null(big);
	memcpy(big, "oci:", 4);
	memset(big + 4, 'a', 4995);
	big[4999] = '\0';
	expect_fail(big, "longer than 4096");
	free(big);
	assert_int_equal(sc_imgref_parse(&(sc_imgref){ 0 }, NULL), SC_EUSAGE);
}

static void test_transport_names(void **state)
{
	(void)state;
	assert_string_equal(sc_transport_name(SC_TRANSPORT_OCI), "oci");
	assert_string_equal(sc_transport_name(SC_TRANSPORT_OCI_ARCHIVE), "oci-archive");
	assert_string_equal(sc_transport_name(SC_TRANSPORT_DOCKER_ARCHIVE), "docker-archive");
	assert_string_equal(sc_transport_name(SC_TRANSPORT_DOCKER), "docker");
	assert_string_equal(sc_transport_name((sc_transport)99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oci),
		cmocka_unit_test(test_oci_archive),
		cmocka_unit_test(test_docker_archive),
		cmocka_unit_test(test_docker),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_transport_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
