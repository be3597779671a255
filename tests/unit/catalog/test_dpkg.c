/*
 * test_dpkg.c - the dpkg cataloger: a real Debian 12 status excerpt
 * (Source forms, continuation lines, a removed package), multi-arch .list
 * names with usr-merge symlinks, DEP-5 licenses, distroless status.d, and
 * hostile input (a 100 MB field, invalid UTF-8, malformed lines, overflowing
 * sizes), each giving a note while the rest of the catalog is kept.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "catalog/dpkg.h"
#include "core/buf.h"
#include "core/json.h"
#include "catalogtest.h"

static const sc_cataloger *const cats[] = { &sc_cataloger_dpkg };

static const char status[] =
	"Package: libc6\n"
	"Status: install ok installed\n"
	"Priority: optional\n"
	"Section: libs\n"
	"Installed-Size: 12986\n"
	"Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>\n"
	"Architecture: amd64\n"
	"Multi-Arch: same\n"
	"Source: glibc\n"
	"Version: 2.36-9+deb12u4\n"
	"Depends: libgcc-s1\n"
	"Recommends: libidn2-0 (>= 2.0.5~)\n"
	"Suggests: glibc-doc, debconf | debconf-2.0, libc-l10n, locales, libnss-nis, libnss-nisplus\n"
	"Breaks: aide (<< 0.17.3-4+b3), busybox (<< 1.30.1-6), chrony (<< 4.2-3~), fakechroot (<< 2.19-3.5),\n"
	" firefox (<< 91~), gnumach-image-1.8-486 (<< 2:1.8+git20210923~), hurd (<< 1:0.9.git20220301-2),\n"
	" nocache (<< 1.1-1~), tinydns (<< 1:1.05-14)\n"
	"Conffiles:\n"
	" /etc/ld.so.conf.d/x86_64-linux-gnu.conf d4e7a7b88a71b5ffd9e2644e71a0cfab\n"
	"Description: GNU C Library: Shared libraries\n"
	" Contains the standard libraries that are used by nearly all programs on\n"
	" the system. This package includes shared versions of the standard C library\n"
	" and the standard math library, as well as many others.\n"
	"Homepage: https://www.gnu.org/software/libc/libc.html\n"
	"\n"
	"Package: bash\n"
	"Essential: yes\n"
	"Status: install ok installed\n"
	"Priority: required\n"
	"Section: shells\n"
	"Installed-Size: 7164\n"
	"Maintainer: Matthias Klose <doko@debian.org>\n"
	"Architecture: amd64\n"
	"Multi-Arch: foreign\n"
	"Version: 5.2.15-2+b2\n"
	"Replaces: bash-completion (<< 20060301-0), bash-doc (<= 2.05-1)\n"
	"Depends: base-files (>= 2.1.12),\n"
	" debianutils (>= 5.6-0.1)\n"
	"Pre-Depends: libc6 (>= 2.36), libtinfo6 (>= 6)\n"
	"Recommends: bash-completion (>= 20060301-0)\n"
	"Suggests: bash-doc\n"
	"Conflicts: bash-completion (<< 20060301-0)\n"
	"Conffiles:\n"
	" /etc/bash.bashrc 89269e1298235f1b12b4c16e4065ad0d\n"
	" /etc/skel/.bash_logout 22bfb8c1dd94b5f3813a2b25da67463f\n"
	"Description: GNU Bourne Again SHell\n"
	" Bash is an sh-compatible command language interpreter that executes\n"
	" commands read from the standard input or from a file.\n"
	"Homepage: http://tiswww.case.edu/php/chet/bash/bashtop.html\n"
	"\n"
	"Package: vim-tiny\n"
	"Status: deinstall ok config-files\n"
	"Priority: important\n"
	"Section: editors\n"
	"Installed-Size: 1729\n"
	"Maintainer: Debian Vim Maintainers <team+vim@tracker.debian.org>\n"
	"Architecture: amd64\n"
	"Source: vim\n"
	"Version: 2:9.0.1378-2\n"
	"Conffiles:\n"
	" /etc/vim/vimrc.tiny 5ba14df2c2f7b4c8e6a5d9f1c0f7e8a1\n"
	"Description: Vi IMproved - enhanced vi editor - compact version\n"
	"\n"
	"Package: libgcc-s1\n"
	"Status: install ok installed\n"
	"Priority: optional\n"
	"Section: libs\n"
	"Installed-Size: 140\n"
	"Maintainer: Debian GCC Maintainers <debian-gcc@lists.debian.org>\n"
	"Architecture: amd64\n"
	"Multi-Arch: same\n"
	"Source: gcc-12 (12.2.0-14)\n"
	"Version: 12.2.0-14\n"
	"Replaces: libgcc1 (<< 1:10)\n"
	"Provides: libgcc1 (= 1:12.2.0-14)\n"
	"Depends: gcc-12-base (= 12.2.0-14), libc6 (>= 2.35)\n"
	"Description: GCC support library\n"
	" Shared version of the GCC support library.\n"
	"Homepage: http://gcc.gnu.org/\n"
	"\n"
	"Package: libgpg-error0\n"
	"Status: hold ok installed\n"
	"Installed-Size: 189\n"
	"Maintainer: Debian GnuPG Maintainers <pkg-gnupg-maint@lists.alioth.debian.org>\n"
	"Architecture: amd64\n"
	"Multi-Arch: same\n"
	"Source: libgpg-error (1.46-1)\n"
	"Version: 1.46-1+b1\n"
	"Depends: libc6:any (>= 2.34) | libc6.1:any, python3:any\n"
	"Description: GnuPG development runtime library\n"
	"\n\n"
	"Package: perl-base\n"
	"Status: install ok installed\n"
	"Architecture: amd64\n"
	"Source: perl (5.36.0-7+deb12u1)\n"
	"Version: 5.36.0-7+deb12u1\n"
	"Description: minimal Perl system\n";

static const char libc_list[] =
	"/.\n/etc\n/etc/ld.so.conf.d\n/etc/ld.so.conf.d/x86_64-linux-gnu.conf\n/lib64\n"
	"/lib64/ld-linux-x86-64.so.2\n/usr\n/usr/lib/x86_64-linux-gnu/libc.so.6\n";
static const char bash_list[] = "/.\n/bin\n/bin/bash\n/usr\n/usr/bin\n/usr/bin/bashbug\n/usr/share/doc/bash\n";

static const char dep5[] =
	"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
	"Upstream-Name: GCC\n"
	"\n"
	"Files: debian/*\n"
	"Copyright: 2001-2023 Matthias Klose\n"
	"License: GPL-2+\n"
	"\n"
	"Files: *\n"
	"Copyright: 1988-2023 Free Software Foundation, Inc.\n"
	"License: GPL-3+ with GCC-exception-3.1\n"
	" This program is free software...\n";

static const char *dep_or_null(const sc_package *p, size_t i)
{
	return p->depends && i < sc_strv_len(p->depends) ? p->depends[i] : NULL;
}

static int has_file(const sc_package *p, const char *path)
{
	size_t i;

	for (i = 0; p->files && p->files[i]; i++)
		if (strcmp(p->files[i], path) == 0)
			return 1;
	return 0;
}

static void test_debian_status(void **state)
{
	tt_tar t;
	tt_blob b;
	sc_catalog cat;
	const sc_package *p;

	(void)state;
	tt_tar_init(&t, 1 << 20);
	tt_file(&t, "var/lib/dpkg/status", status);
	tt_file(&t, "var/lib/dpkg/info/libc6:amd64.list", libc_list);
	tt_file(&t, "var/lib/dpkg/info/bash.list", bash_list);
	tt_add(&t, "bin", 'l', 0777, NULL, 0, "usr/bin");
	tt_add(&t, "lib64", 'l', 0777, NULL, 0, "usr/lib64");
	tt_file(&t, "usr/bin/bash", "ELF");
	tt_file(&t, "usr/bin/bashbug", "#!/bin/sh");
	tt_file(&t, "usr/lib64/ld-linux-x86-64.so.2", "ELF");
	tt_file(&t, "usr/share/doc/bash/copyright", "This is Debian's prepackaged version of bash.\n");
	tt_file(&t, "usr/share/doc/gcc-12-base/copyright", dep5);
	tt_add(&t, "usr/share/doc/libgcc-s1", 'l', 0777, NULL, 0, "gcc-12-base");
	b = tt_finish(&t);
	sc_catalog_init(&cat);
	assert_int_equal(ct_run(cats, 1, &b, 1, &cat, NULL), 0);
	free(b.data);

	assert_int_equal(cat.n_pkgs, 5);
	assert_null(ct_pkg(&cat, SC_ECO_DEB, "vim-tiny"));

	p = ct_pkg(&cat, SC_ECO_DEB, "libc6");
	assert_non_null(p);
	assert_string_equal(p->version, "2.36-9+deb12u4");
	assert_string_equal(p->arch, "amd64");
	assert_string_equal(p->source_name, "glibc");
	assert_null(p->source_version);
	assert_int_equal(p->installed_size, 12986ull * 1024);
	assert_string_equal(p->supplier, "GNU Libc Maintainers <debian-glibc@lists.debian.org>");
	assert_string_equal(p->summary, "GNU C Library: Shared libraries");
	assert_string_equal(p->location, "var/lib/dpkg/status");
	assert_string_equal(dep_or_null(p, 0), "libgcc-s1");
	assert_null(dep_or_null(p, 1));
	assert_string_equal(sc_kv_list_get(&p->props, "dpkg.multi_arch"), "same");
	/* multi-arch list name; directories left out; parents resolved through /lib64 -> usr/lib64 */
	assert_true(has_file(p, "etc/ld.so.conf.d/x86_64-linux-gnu.conf"));
	assert_true(has_file(p, "usr/lib64/ld-linux-x86-64.so.2"));
	assert_true(has_file(p, "usr/lib/x86_64-linux-gnu/libc.so.6")); /* missing from the image: kept */
	assert_false(has_file(p, "lib64")); /* listed as a directory (parent of the next entry) */
	assert_false(has_file(p, "etc"));
	assert_false(has_file(p, ""));
	assert_null(p->license);

	p = ct_pkg(&cat, SC_ECO_DEB, "bash");
	assert_non_null(p);
	assert_null(p->source_name);
	assert_string_equal(dep_or_null(p, 0), "base-files");
	assert_string_equal(dep_or_null(p, 1), "debianutils");
	assert_string_equal(dep_or_null(p, 2), "libc6");
	assert_string_equal(dep_or_null(p, 3), "libtinfo6");
	assert_null(dep_or_null(p, 4));
	assert_true(has_file(p, "usr/bin/bash"));
	assert_true(has_file(p, "usr/bin/bashbug"));
	assert_false(has_file(p, "bin/bash"));
	assert_false(has_file(p, "usr/bin"));
	assert_null(p->license); /* not DEP-5 */

	p = ct_pkg(&cat, SC_ECO_DEB, "libgcc-s1");
	assert_string_equal(p->source_name, "gcc-12");
	assert_null(p->source_version); /* same as Version */
	assert_string_equal(p->license, "GPL-3+ with GCC-exception-3.1");
	assert_null(p->files);
	assert_string_equal(p->summary, "GCC support library");

	p = ct_pkg(&cat, SC_ECO_DEB, "libgpg-error0"); /* held, binNMU */
	assert_non_null(p);
	assert_string_equal(p->source_name, "libgpg-error");
	assert_string_equal(p->source_version, "1.46-1");
	assert_string_equal(dep_or_null(p, 0), "libc6");
	assert_string_equal(dep_or_null(p, 1), "libc6.1");
	assert_string_equal(dep_or_null(p, 2), "python3");

	p = ct_pkg(&cat, SC_ECO_DEB, "perl-base");
	assert_string_equal(p->source_name, "perl");
	assert_null(p->source_version);
	assert_int_equal(cat.n_notes, 0);
	sc_catalog_release(&cat);
}

static void test_distroless(void **state)
{
	tt_tar t;
	tt_blob b;
	sc_catalog cat;
	const sc_package *p;

	(void)state;
	tt_tar_init(&t, 1 << 20);
	tt_file(&t, "var/lib/dpkg/status.d/base-files",
		"Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n"
		"Maintainer: Santiago Vila <sanvila@debian.org>\nInstalled-Size: 341\n"
		"Description: Debian base system miscellaneous files\n");
	tt_file(&t, "var/lib/dpkg/status.d/libc6",
		"Package: libc6\nVersion: 2.36-9+deb12u4\nArchitecture: amd64\nSource: glibc\n");
	tt_file(&t, "var/lib/dpkg/status.d/libc6.md5sums",
		"Package: bogus\nVersion: 1\n");
	tt_file(&t, "var/lib/dpkg/status.d/tzdata",
		"Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n\n"
		"Package: tzdata-legacy\nVersion: 2024a-0+deb12u1\nArchitecture: all\n");
	b = tt_finish(&t);
	sc_catalog_init(&cat);
	assert_int_equal(ct_run(cats, 1, &b, 1, &cat, NULL), 0);
	free(b.data);
	assert_int_equal(cat.n_pkgs, 4);
	assert_null(ct_pkg(&cat, SC_ECO_DEB, "bogus"));
	p = ct_pkg(&cat, SC_ECO_DEB, "base-files");
	assert_string_equal(p->location, "var/lib/dpkg/status.d/base-files");
	assert_int_equal(p->installed_size, 341 * 1024);
	assert_null(p->files);
	p = ct_pkg(&cat, SC_ECO_DEB, "tzdata-legacy");
	assert_string_equal(p->location, "var/lib/dpkg/status.d/tzdata");
	assert_string_equal(ct_pkg(&cat, SC_ECO_DEB, "libc6")->source_name, "glibc");
	sc_catalog_release(&cat);
}

static int has_note(const sc_catalog *cat, const char *needle)
{
	size_t i;

	for (i = 0; i < cat->n_notes; i++)
		if (strstr(cat->notes[i].message, needle))
			return 1;
	return 0;
}

static void test_bad_paragraphs(void **state)
{
	sc_buf in;
	sc_catalog cat;
	const sc_package *p;
	char *big;

	(void)state;
	sc_buf_init(&in, 16 << 20, "test");
	assert_int_equal(sc_buf_puts(&in, "Package: first\nVersion: 1\nMaintainer: J\xe9r\xf4me <j@x>\n"
					   "Installed-Size: 99999999999999999999\n\n"
					   "Version: 2\nDescription: no package\n\n"
					   "this line is not a field\n"
					   "Package: huge\nDescription: x\n"), 0);
	big = malloc(2 << 20);
	memset(big, 'a', 2 << 20);
	big[0] = ' '; /* a continuation line of Description */
	assert_int_equal(sc_buf_append(&in, big, 2 << 20), 0);
	free(big);
	assert_int_equal(sc_buf_puts(&in, "\n\nPackage: last\nVersion: 3\nStatus: install ok installed\n"
					   "Depends: a\0b, c\n"), 0);
	sc_catalog_init(&cat);
	assert_int_equal(sc_dpkg_parse_status(&cat, in.data, in.len, "var/lib/dpkg/status"), 0);
	assert_int_equal(sc_catalog_finish(&cat), 0);
	assert_int_equal(cat.n_pkgs, 2);
	p = ct_pkg(&cat, SC_ECO_DEB, "first");
	assert_string_equal(p->supplier, "J?r?me <j@x>");
	assert_int_equal(p->installed_size, 0);
	assert_non_null(ct_pkg(&cat, SC_ECO_DEB, "last"));
	assert_null(ct_pkg(&cat, SC_ECO_DEB, "huge"));
	assert_true(has_note(&cat, "invalid UTF-8"));
	assert_true(has_note(&cat, "bad Installed-Size"));
	assert_true(has_note(&cat, "no valid Package field"));
	assert_true(has_note(&cat, "longer than 1048576 bytes"));
	assert_true(has_note(&cat, "malformed line"));
	sc_buf_release(&in);
	sc_catalog_release(&cat);
}

/* A 100 MB field: the capture stops at 64 MiB, the paragraph is skipped, the rest is kept. */
static void test_100mb_field(void **state)
{
	static const char head[] = "Package: small\nStatus: install ok installed\nVersion: 1.0\n\n"
				   "Package: giant\nStatus: install ok installed\nDescription: ";
	size_t n = 100u * 1000 * 1000;
	tt_tar t;
	tt_blob b;
	sc_catalog cat;
	char *data = malloc(n);

	(void)state;
	memset(data, 'x', n);
	memcpy(data, head, sizeof(head) - 1);
	tt_tar_init(&t, n + (1 << 20));
	tt_add(&t, "var/lib/dpkg/status", 'f', 0644, data, n, NULL);
	tt_file(&t, "var/lib/dpkg/status.d/extra", "Package: extra\nVersion: 2\n");
	b = tt_finish(&t);
	free(data);
	sc_catalog_init(&cat);
	assert_int_equal(ct_run(cats, 1, &b, 1, &cat, NULL), 0);
	free(b.data);
	assert_int_equal(cat.n_pkgs, 2);
	assert_non_null(ct_pkg(&cat, SC_ECO_DEB, "small"));
	assert_non_null(ct_pkg(&cat, SC_ECO_DEB, "extra"));
	assert_true(has_note(&cat, "status file larger than 64 MiB, truncated"));
	assert_true(has_note(&cat, "longer than"));
	sc_catalog_release(&cat);
}

static void test_list_and_copyright(void **state)
{
	static const char list[] = "/.\n\n/usr/bin/x\r\n//etc//passwd\n/../../escape\n/usr/share/\xff\n";
	char **v = NULL;
	char *lic = NULL;

	(void)state;
	assert_int_equal(sc_dpkg_parse_list(&v, list, sizeof(list) - 1), 0);
	assert_non_null(v);
	assert_string_equal(v[0], "usr/bin/x");
	assert_string_equal(v[1], "etc/passwd");
	assert_string_equal(v[2], "usr/share/?");
	assert_null(v[3]);
	sc_strv_free(v);
	assert_int_equal(sc_dpkg_parse_list(&v, "", 0), 0);
	assert_null(v);

	assert_int_equal(sc_dpkg_copyright_license(&lic, dep5, sizeof(dep5) - 1), 0);
	assert_string_equal(lic, "GPL-3+ with GCC-exception-3.1");
	free(lic);
	assert_int_equal(sc_dpkg_copyright_license(&lic, "Files: *\nLicense: MIT\n", 22), 0);
	assert_null(lic); /* no Format: not machine-readable */
	assert_int_equal(sc_dpkg_copyright_license(&lic, "Format: x\nFiles: *\nLicense: MIT\n", 32), 0);
	assert_string_equal(lic, "MIT");
	free(lic);
	assert_int_equal(sc_dpkg_copyright_license(&lic, NULL, 0), 0);
	assert_null(lic);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_status),
		cmocka_unit_test(test_distroless),
		cmocka_unit_test(test_bad_paragraphs),
		cmocka_unit_test(test_100mb_field),
		cmocka_unit_test(test_list_and_copyright),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
