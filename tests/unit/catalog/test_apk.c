/*
 * test_apk.c - the apk cataloger: an Alpine 3.19 installed database
 * excerpt (origins, so:/cmd: dependencies, F/R owned files) and hostile
 * records (no name, over-long lines, invalid UTF-8, escaping paths).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "catalog/apk.h"
#include "core/buf.h"
#include "core/json.h"
#include "catalogtest.h"

static const sc_cataloger *const cats[] = { &sc_cataloger_apk };

static const char installed[] =
	"C:Q1Ap6K3dCXbwLd3Y9n5bW0rM2ZyHk=\n"
	"P:musl\n"
	"V:1.2.4_git20230717-r4\n"
	"A:x86_64\n"
	"S:407278\n"
	"I:663552\n"
	"T:the musl c library (libc) implementation\n"
	"U:https://musl.libc.org/\n"
	"L:MIT\n"
	"o:musl\n"
	"m:Timo Ter\xc3\xa4s <timo.teras@iki.fi>\n"
	"t:1705949185\n"
	"c:f93af038c3de7146121c2ea8124ba5ce29b4b058\n"
	"p:so:libc.musl-x86_64.so.1=1\n"
	"F:lib\n"
	"R:ld-musl-x86_64.so.1\n"
	"a:0:0:755\n"
	"Z:Q1i6fmZSlb/+6Bb6vgDY+QKHtaVz4=\n"
	"R:libc.musl-x86_64.so.1\n"
	"a:0:0:777\n"
	"Z:Q17yJ3JFNypA4mxhJJr0ou6CzsJVI=\n"
	"\n"
	"C:Q1hMjWkgFnnPf5NZmUT40MVUpfXj0=\n"
	"P:busybox\n"
	"V:1.36.1-r15\n"
	"A:x86_64\n"
	"S:514482\n"
	"I:946176\n"
	"T:Size optimized toolbox of many common UNIX utilities\n"
	"U:https://busybox.net/\n"
	"L:GPL-2.0-only\n"
	"o:busybox\n"
	"m:S\xc3\xb6ren Tempel <soeren+alpine@soeren-tempel.net>\n"
	"t:1705949185\n"
	"c:5b0e2a5b2a4c0b7b7e5d9d0a8f5e2b1c7a3e4d5f\n"
	"D:so:libc.musl-x86_64.so.1\n"
	"p:/bin/sh cmd:busybox=1.36.1-r15 cmd:sh=1.36.1-r15\n"
	"r:busybox-initscripts\n"
	"F:bin\n"
	"R:busybox\n"
	"a:0:0:755\n"
	"R:sh\n"
	"F:etc\n"
	"R:securetty\n"
	"F:usr\n"
	"F:usr/share\n"
	"F:usr/share/udhcpc\n"
	"R:default.script\n"
	"\n"
	"P:ssl_client\n"
	"V:1.36.1-r15\n"
	"A:x86_64\n"
	"L:GPL-2.0-only\n"
	"o:busybox\n"
	"D:so:libc.musl-x86_64.so.1 so:libcrypto.so.3 so:libssl.so.3 busybox>=1.36 !foo cmd:sh so:libc.musl-x86_64.so.1\n"
	"F:usr/bin\n"
	"R:ssl_client\n";

static int has_note(const sc_catalog *cat, const char *needle)
{
	size_t i;

	for (i = 0; i < cat->n_notes; i++)
		if (strstr(cat->notes[i].message, needle))
			return 1;
	return 0;
}

static void test_installed(void **state)
{
	tt_tar t;
	tt_blob b;
	sc_catalog cat;
	const sc_package *p;

	(void)state;
	tt_tar_init(&t, 1 << 20);
	tt_file(&t, "lib/apk/db/installed", installed);
	b = tt_finish(&t);
	sc_catalog_init(&cat);
	assert_int_equal(ct_run(cats, 1, &b, 1, &cat, NULL), 0);
	free(b.data);
	assert_int_equal(cat.n_pkgs, 3);
	assert_int_equal(cat.n_notes, 0);

	p = ct_pkg(&cat, SC_ECO_APK, "musl");
	assert_non_null(p);
	assert_string_equal(p->version, "1.2.4_git20230717-r4");
	assert_string_equal(p->arch, "x86_64");
	assert_null(p->source_name);
	assert_string_equal(p->license, "MIT");
	assert_string_equal(p->supplier, "Timo Ter\xc3\xa4s <timo.teras@iki.fi>");
	assert_string_equal(p->summary, "the musl c library (libc) implementation");
	assert_int_equal(p->installed_size, 663552);
	assert_string_equal(sc_kv_list_get(&p->props, "apk.size"), "407278");
	assert_string_equal(sc_kv_list_get(&p->props, "apk.commit"), "f93af038c3de7146121c2ea8124ba5ce29b4b058");
	assert_string_equal(p->location, "lib/apk/db/installed");
	assert_null(p->depends);
	assert_string_equal(p->files[0], "lib/ld-musl-x86_64.so.1");
	assert_string_equal(p->files[1], "lib/libc.musl-x86_64.so.1");
	assert_null(p->files[2]);

	p = ct_pkg(&cat, SC_ECO_APK, "busybox");
	assert_string_equal(p->depends[0], "so:libc.musl-x86_64.so.1");
	assert_null(p->depends[1]);
	assert_string_equal(p->files[0], "bin/busybox");
	assert_string_equal(p->files[1], "bin/sh");
	assert_string_equal(p->files[2], "etc/securetty");
	assert_string_equal(p->files[3], "usr/share/udhcpc/default.script");
	assert_null(p->files[4]);

	p = ct_pkg(&cat, SC_ECO_APK, "ssl_client");
	assert_string_equal(p->source_name, "busybox");
	assert_string_equal(p->depends[0], "busybox");
	assert_string_equal(p->depends[1], "cmd:sh");
	assert_string_equal(p->depends[2], "so:libc.musl-x86_64.so.1");
	assert_string_equal(p->depends[3], "so:libcrypto.so.3");
	assert_string_equal(p->depends[4], "so:libssl.so.3");
	assert_null(p->depends[5]);
	sc_catalog_release(&cat);
}

static void test_hostile(void **state)
{
	sc_buf in;
	sc_catalog cat;
	const sc_package *p;
	char *big;

	(void)state;
	sc_buf_init(&in, 8 << 20, "test");
	assert_int_equal(sc_buf_puts(&in, "V:1.0\nA:x86_64\n\n"            /* no name */
					   "P:bad\xff" "name\nV:1\nI:12x\nnot a field\n"
					   "F:../../..\nR:etc/passwd\nF:usr\nR:ok\n\n"
					   "P:long\nT:"), 0);
	big = malloc(2 << 20);
	memset(big, 'y', 2 << 20);
	assert_int_equal(sc_buf_append(&in, big, 2 << 20), 0);
	free(big);
	assert_int_equal(sc_buf_puts(&in, "\n\r\nP:after\r\nV:2\r\n"), 0);
	sc_catalog_init(&cat);
	assert_int_equal(sc_apk_parse_installed(&cat, in.data, in.len, "lib/apk/db/installed"), 0);
	assert_int_equal(sc_catalog_finish(&cat), 0);
	assert_int_equal(cat.n_pkgs, 2);
	p = ct_pkg(&cat, SC_ECO_APK, "bad?name");
	assert_non_null(p);
	assert_int_equal(p->installed_size, 0);
	assert_string_equal(p->files[0], "usr/ok");
	assert_null(p->files[1]);
	assert_string_equal(ct_pkg(&cat, SC_ECO_APK, "after")->version, "2");
	assert_null(ct_pkg(&cat, SC_ECO_APK, "long"));
	assert_true(has_note(&cat, "no P: (name) field"));
	assert_true(has_note(&cat, "invalid UTF-8"));
	assert_true(has_note(&cat, "bad installed size"));
	assert_true(has_note(&cat, "unusable file paths"));
	assert_true(has_note(&cat, "malformed line"));
	assert_true(has_note(&cat, "longer than"));
	sc_buf_release(&in);
	sc_catalog_release(&cat);

	sc_catalog_init(&cat);
	assert_int_equal(sc_apk_parse_installed(&cat, NULL, 0, "x"), 0);
	assert_int_equal(sc_apk_parse_installed(&cat, "\n\n\n", 3, "x"), 0);
	assert_int_equal(cat.n_pkgs, 0);
	assert_int_equal(cat.n_notes, 0);
	sc_catalog_release(&cat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_installed),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
