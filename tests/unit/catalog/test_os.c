/*
 * test_os.c - the os cataloger: os-release (symlinked, quoted, escaped,
 * codename fallbacks) and the debian_version / alpine-release /
 * redhat-release fallbacks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "catalogtest.h"

static const sc_cataloger *const cats[] = { &sc_cataloger_os };

/* One layer with the given files ("path", "content"; content NULL + link = symlink). */
static void run(sc_catalog *cat, const char *const *files, size_t n)
{
	tt_tar t;
	tt_blob b;
	size_t i;

	tt_tar_init(&t, 1 << 20);
	for (i = 0; i < n; i += 3) {
		if (files[i + 1])
			tt_file(&t, files[i], files[i + 1]);
		else
			tt_add(&t, files[i], 'l', 0777, NULL, 0, files[i + 2]);
	}
	b = tt_finish(&t);
	sc_catalog_init(cat);
	assert_int_equal(ct_run(cats, 1, &b, 1, cat, NULL), 0);
	free(b.data);
}

static void test_debian_symlink(void **state)
{
	/* Debian 12's os-release, verbatim, behind the usual symlink. */
	static const char *const f[] = {
		"etc/os-release", NULL, "../usr/lib/os-release",
		"usr/lib/os-release",
		"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
		"NAME=\"Debian GNU/Linux\"\n"
		"VERSION_ID=\"12\"\n"
		"VERSION=\"12 (bookworm)\"\n"
		"VERSION_CODENAME=bookworm\n"
		"ID=debian\n"
		"HOME_URL=\"https://www.debian.org/\"\n",
		NULL,
		"etc/debian_version", "12.5\n", NULL,
	};
	sc_catalog cat;

	(void)state;
	run(&cat, f, sizeof(f) / sizeof(f[0]));
	assert_string_equal(cat.os.id, "debian");
	assert_string_equal(cat.os.version_id, "12");
	assert_string_equal(cat.os.codename, "bookworm");
	assert_string_equal(cat.os.pretty_name, "Debian GNU/Linux 12 (bookworm)");
	assert_string_equal(cat.os.source, "etc/os-release");
	assert_int_equal(cat.n_notes, 0);
	sc_catalog_release(&cat);
}

static void test_ubuntu_quoting(void **state)
{
	static const char *const f[] = {
		"usr/lib/os-release",
		"# comment\r\n"
		"NAME=\"Ubuntu\"\r\n"
		"VERSION=\"22.04.3 LTS (Jammy Jellyfish)\"\r\n"
		"ID=ubuntu\r\n"
		"ID_LIKE=debian\r\n"
		"PRETTY_NAME='Ubuntu \"22.04\" \\LTS'\r\n"
		"VERSION_ID=\"22.04\"\r\n"
		"UBUNTU_CODENAME=jammy\r\n"
		"BAD LINE\r\n",
		NULL,
	};
	sc_catalog cat;

	(void)state;
	run(&cat, f, sizeof(f) / sizeof(f[0]));
	assert_string_equal(cat.os.id, "ubuntu");
	assert_string_equal(cat.os.version_id, "22.04");
	assert_string_equal(cat.os.codename, "jammy");
	assert_string_equal(cat.os.pretty_name, "Ubuntu \"22.04\" \\LTS");
	assert_string_equal(cat.os.source, "usr/lib/os-release");
	sc_catalog_release(&cat);
}

static void test_escapes_and_version_codename(void **state)
{
	static const char *const f[] = {
		"etc/os-release",
		"ID=my\\ distro\n"
		"VERSION=\"11 (Bullseye)\"\n"
		"PRETTY_NAME=\"A \\\"quoted\\\" \\$name \xff\xfe\"\n",
		NULL,
	};
	sc_catalog cat;

	(void)state;
	run(&cat, f, sizeof(f) / sizeof(f[0]));
	assert_string_equal(cat.os.id, "my distro");
	assert_null(cat.os.version_id);
	assert_string_equal(cat.os.codename, "bullseye");
	assert_string_equal(cat.os.pretty_name, "A \"quoted\" $name ??");
	sc_catalog_release(&cat);
}

static void test_no_id_defaults_to_linux(void **state)
{
	static const char *const f[] = { "etc/os-release", "NAME=Foo\n", NULL };
	sc_catalog cat;

	(void)state;
	run(&cat, f, sizeof(f) / sizeof(f[0]));
	assert_string_equal(cat.os.id, "linux");
	sc_catalog_release(&cat);
}

static void test_dangling_symlink_falls_back(void **state)
{
	static const char *const f[] = {
		"etc/os-release", NULL, "../usr/lib/os-release",
		"etc/debian_version", "bookworm/sid\n", NULL,
	};
	sc_catalog cat;

	(void)state;
	run(&cat, f, sizeof(f) / sizeof(f[0]));
	assert_string_equal(cat.os.id, "debian");
	assert_null(cat.os.version_id);
	assert_string_equal(cat.os.codename, "bookworm");
	assert_string_equal(cat.os.source, "etc/debian_version");
	sc_catalog_release(&cat);
}

static void test_debian_version(void **state)
{
	static const char *const f[] = { "etc/debian_version", "12.5\n", NULL };
	sc_catalog cat;

	(void)state;
	run(&cat, f, sizeof(f) / sizeof(f[0]));
	assert_string_equal(cat.os.id, "debian");
	assert_string_equal(cat.os.version_id, "12");
	assert_null(cat.os.codename);
	sc_catalog_release(&cat);
}

static void test_alpine_release(void **state)
{
	static const char *const f[] = { "etc/alpine-release", "3.19.1\n", NULL };
	sc_catalog cat;

	(void)state;
	run(&cat, f, sizeof(f) / sizeof(f[0]));
	assert_string_equal(cat.os.id, "alpine");
	assert_string_equal(cat.os.version_id, "3.19.1");
	assert_string_equal(cat.os.source, "etc/alpine-release");
	sc_catalog_release(&cat);
}

static void test_redhat_release(void **state)
{
	static const char *const f[] = {
		"etc/redhat-release", NULL, "rocky-release",
		"etc/rocky-release", "Rocky Linux release 9.3 (Blue Onyx)\n", NULL,
	};
	sc_catalog cat;

	(void)state;
	run(&cat, f, sizeof(f) / sizeof(f[0]));
	assert_string_equal(cat.os.id, "rocky");
	assert_string_equal(cat.os.version_id, "9.3");
	assert_null(cat.os.codename); /* "(Blue Onyx)" is not a codename id */
	assert_string_equal(cat.os.pretty_name, "Rocky Linux release 9.3 (Blue Onyx)");
	sc_catalog_release(&cat);
}

static void test_nothing(void **state)
{
	static const char *const f[] = { "etc/hostname", "x\n", NULL };
	sc_catalog cat;

	(void)state;
	run(&cat, f, sizeof(f) / sizeof(f[0]));
	assert_null(cat.os.id);
	assert_int_equal(cat.n_notes, 0);
	sc_catalog_release(&cat);
}

static void test_huge_truncated(void **state)
{
	tt_tar t;
	tt_blob b;
	sc_catalog cat;
	size_t n = 200000;
	char *big = malloc(n + 1);

	(void)state;
	memset(big, '#', n);
	memcpy(big, "ID=debian\n", 10);
	big[n] = '\0';
	tt_tar_init(&t, 1 << 20);
	tt_file(&t, "etc/os-release", big);
	b = tt_finish(&t);
	sc_catalog_init(&cat);
	assert_int_equal(ct_run(cats, 1, &b, 1, &cat, NULL), 0);
	assert_string_equal(cat.os.id, "debian");
	assert_int_equal(cat.n_notes, 1);
	assert_int_equal(cat.notes[0].level, SC_NOTE_WARNING);
	free(b.data);
	free(big);
	sc_catalog_release(&cat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_symlink),
		cmocka_unit_test(test_ubuntu_quoting),
		cmocka_unit_test(test_escapes_and_version_codename),
		cmocka_unit_test(test_no_id_defaults_to_linux),
		cmocka_unit_test(test_dangling_symlink_falls_back),
		cmocka_unit_test(test_debian_version),
		cmocka_unit_test(test_alpine_release),
		cmocka_unit_test(test_redhat_release),
		cmocka_unit_test(test_nothing),
		cmocka_unit_test(test_huge_truncated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
