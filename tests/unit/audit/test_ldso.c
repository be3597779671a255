/*
 * test_ldso.c - the ld.so.cache parser (this machine's real cache,
 * hand-built new / old / old+new / big-endian caches, truncations, offsets
 * outside the file, impossible counts), ld.so.conf includes (globs,
 * relative patterns, a self-include loop, nesting depth), and the DT_NEEDED
 * resolver on in-memory images: RPATH vs LD_LIBRARY_PATH vs RUNPATH,
 * $ORIGIN/$LIB/$PLATFORM, symlinked libraries, the cache and its machine
 * flags, a wrong-machine candidate, missing libraries (also deleted by a
 * later layer), the "run ldconfig" hint, a corrupt cache, NVIDIA driver
 * libraries, vDSO names, the executable's RPATH inherited by its
 * libraries, and musl (reserved names, ld-musl-ARCH.path, defaults).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <sys/stat.h>

#include "audit/ldso.h"
#include "catalogtest.h"

/* ---- building caches ------------------------------------------------------------ */

typedef struct {
	uint32_t flags;
	const char *key, *value;
	uint64_t hwcap;
} ce;

static void w32(unsigned char *p, uint32_t v, int be)
{
	int i;

	for (i = 0; i < 4; i++)
		p[be ? 3 - i : i] = (unsigned char)(v >> (8 * i));
}

static void w64(unsigned char *p, uint64_t v, int be)
{
	if (be) {
		w32(p, (uint32_t)(v >> 32), 1);
		w32(p + 4, (uint32_t)v, 1);
	} else {
		w32(p, (uint32_t)v, 0);
		w32(p + 4, (uint32_t)(v >> 32), 0);
	}
}

/* A new-format table at out (offsets relative to out); returns its length. */
static size_t build_new(unsigned char *out, const ce *e, size_t n, int be, int declare_order)
{
	size_t str = 48 + n * 24, i;

	memset(out, 0, str);
	memcpy(out, "glibc-ld.so.cache1.1", 20);
	w32(out + 20, (uint32_t)n, be);
	out[28] = declare_order ? (be ? 3 : 2) : 0;
	for (i = 0; i < n; i++) {
		unsigned char *p = out + 48 + i * 24;
		size_t kl = strlen(e[i].key) + 1, vl = strlen(e[i].value) + 1;

		w32(p, e[i].flags, be);
		w32(p + 4, (uint32_t)str, be);
		memcpy(out + str, e[i].key, kl);
		str += kl;
		w32(p + 8, (uint32_t)str, be);
		memcpy(out + str, e[i].value, vl);
		str += vl;
		w64(p + 16, e[i].hwcap, be);
	}
	w32(out + 24, (uint32_t)(str - 48 - n * 24), be);
	return str;
}

/* An old-format table (strings after it); with_new appends a new table aligned to 8. */
static size_t build_old(unsigned char *out, const ce *e, size_t n, int with_new)
{
	size_t tab_end = 16 + n * 12, str = tab_end, i;

	memset(out, 0, tab_end + 8);
	memcpy(out, "ld.so-1.7.0", 11);
	w32(out + 12, (uint32_t)n, 0);
	if (with_new) {
		/* The new table sits where the old strings begin; old strings follow it. */
		size_t base = (tab_end + 7) & ~(size_t)7;

		str = base + build_new(out + base, e, n, 0, 1);
	}
	for (i = 0; i < n; i++) {
		unsigned char *p = out + 16 + i * 12;
		size_t kl = strlen(e[i].key) + 1, vl = strlen(e[i].value) + 1;

		w32(p, e[i].flags, 0);
		w32(p + 4, (uint32_t)(str - tab_end), 0);
		memcpy(out + str, e[i].key, kl);
		str += kl;
		w32(p + 8, (uint32_t)(str - tab_end), 0);
		memcpy(out + str, e[i].value, vl);
		str += vl;
	}
	return str;
}

static const ce sample[] = {
	{ 0x0303, "libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1", 0 },
	{ 0x0003, "libz.so.1", "/lib/i386-linux-gnu/libz.so.1", 0 },
	{ 0x0303, "libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6", 0 },
	{ 0x0303, "libc.so.6", "/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libc.so.6", 0x4000000000000001ull },
};
#define NSAMPLE (sizeof(sample) / sizeof(sample[0]))

static void check_sample(const sc_ldso_cache *c)
{
	size_t first, n;

	assert_int_equal(c->n, NSAMPLE);
	n = sc_ldso_cache_find(c, "libz.so.1", &first);
	assert_int_equal(n, 2);
	assert_string_equal(c->entries[first].value, "/lib/x86_64-linux-gnu/libz.so.1");
	assert_int_equal(c->entries[first].flags, 0x0303);
	assert_string_equal(c->entries[first + 1].value, "/lib/i386-linux-gnu/libz.so.1");
	n = sc_ldso_cache_find(c, "libc.so.6", &first);
	assert_int_equal(n, 2);
	assert_int_equal(sc_ldso_cache_find(c, "libnope.so", &first), 0);
}

static void test_cache_new(void **state)
{
	unsigned char buf[4096];
	sc_ldso_cache c;
	size_t len;
	int be;

	(void)state;
	for (be = 0; be < 2; be++) {
		len = build_new(buf, sample, NSAMPLE, be, 1);
		assert_int_equal(sc_ldso_cache_parse(&c, buf, len), 0);
		assert_int_equal(c.format, SC_LDSO_CACHE_NEW);
		assert_int_equal(c.big_endian, be);
		check_sample(&c);
		{
			size_t first;

			sc_ldso_cache_find(&c, "libc.so.6", &first);
			assert_int_equal(c.entries[first + 1].hwcap, 0x4000000000000001ull);
		}
		sc_ldso_cache_release(&c);
		/* Undeclared byte order: guessed from what fits. */
		len = build_new(buf, sample, NSAMPLE, be, 0);
		assert_int_equal(sc_ldso_cache_parse(&c, buf, len), 0);
		assert_int_equal(c.big_endian, be);
		check_sample(&c);
		sc_ldso_cache_release(&c);
	}
	/* Empty cache. */
	len = build_new(buf, sample, 0, 0, 1);
	assert_int_equal(sc_ldso_cache_parse(&c, buf, len), 0);
	assert_int_equal(c.n, 0);
	sc_ldso_cache_release(&c);
	sc_ldso_cache_release(NULL);
}

static void test_cache_old(void **state)
{
	unsigned char buf[8192];
	sc_ldso_cache c;
	size_t len;

	(void)state;
	len = build_old(buf, sample, NSAMPLE, 0);
	assert_int_equal(sc_ldso_cache_parse(&c, buf, len), 0);
	assert_int_equal(c.format, SC_LDSO_CACHE_OLD);
	check_sample(&c);
	sc_ldso_cache_release(&c);

	len = build_old(buf, sample, NSAMPLE, 1);
	assert_int_equal(sc_ldso_cache_parse(&c, buf, len), 0);
	assert_int_equal(c.format, SC_LDSO_CACHE_NEW);
	check_sample(&c);
	sc_ldso_cache_release(&c);
}

static void test_cache_hostile(void **state)
{
	unsigned char buf[8192], bad[8192];
	sc_ldso_cache c;
	size_t len, cut;
	int rc;

	(void)state;
	/* Every truncation of each format fails cleanly (or parses fewer bytes correctly). */
	len = build_new(buf, sample, NSAMPLE, 0, 1);
	for (cut = 0; cut < len; cut++) {
		rc = sc_ldso_cache_parse(&c, buf, cut);
		assert_true(rc == SC_EINPUT);
		sc_error_clear();
	}
	len = build_old(buf, sample, NSAMPLE, 1);
	for (cut = 0; cut < len; cut++) {
		/* Cutting old+new may leave a valid old-only prefix: accept success or an input error. */
		rc = sc_ldso_cache_parse(&c, buf, cut);
		assert_true(rc == 0 || rc == SC_EINPUT);
		if (rc == 0)
			sc_ldso_cache_release(&c);
		sc_error_clear();
	}
	/* Key offset outside the file. */
	len = build_new(buf, sample, NSAMPLE, 0, 1);
	memcpy(bad, buf, len);
	w32(bad + 48 + 4, (uint32_t)len, 0);
	assert_int_equal(sc_ldso_cache_parse(&c, bad, len), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "outside"));
	memcpy(bad, buf, len);
	w32(bad + 48 + 24 + 8, 0xfffffff0u, 0);
	assert_int_equal(sc_ldso_cache_parse(&c, bad, len), SC_EINPUT);
	/* Unterminated last string. */
	memcpy(bad, buf, len);
	bad[len - 1] = 'x';
	assert_int_equal(sc_ldso_cache_parse(&c, bad, len), SC_EINPUT);
	/* Counts: huge (limit), just fitting the limit but not the file, one more than fits. */
	memcpy(bad, buf, len);
	w32(bad + 20, 0xffffffffu, 0);
	assert_int_equal(sc_ldso_cache_parse(&c, bad, len), SC_ELIMIT);
	w32(bad + 20, SC_LDSO_CACHE_MAX_ENTRIES, 0);
	assert_int_equal(sc_ldso_cache_parse(&c, bad, len), SC_EINPUT);
	w32(bad + 20, (uint32_t)((len - 48) / 24 + 1), 0);
	assert_int_equal(sc_ldso_cache_parse(&c, bad, len), SC_EINPUT);
	/* Old format with an impossible count. */
	len = build_old(buf, sample, NSAMPLE, 0);
	memcpy(bad, buf, len);
	w32(bad + 12, 0x7fffffffu, 0);
	assert_int_not_equal(sc_ldso_cache_parse(&c, bad, len), 0);
	/* Wrong magic, NULL. */
	assert_int_equal(sc_ldso_cache_parse(&c, (const unsigned char *)"not a cache at all, nothing here...........",
					     44), SC_EINPUT);
	assert_int_equal(sc_ldso_cache_parse(&c, NULL, 0), SC_EINPUT);
	sc_error_clear();
}

static void test_cache_real(void **state)
{
	FILE *f = fopen("/etc/ld.so.cache", "rb");
	unsigned char *buf;
	struct stat st;
	sc_ldso_cache c;
	size_t first, n, i, len;
	int ok = 0;

	(void)state;
	if (!f || fstat(fileno(f), &st) != 0 || st.st_size <= 0) {
		if (f)
			fclose(f);
		print_message("no /etc/ld.so.cache on this machine: skipped\n");
		skip();
	}
	buf = malloc((size_t)st.st_size);
	len = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	assert_int_equal(sc_ldso_cache_parse(&c, buf, len), 0);
	assert_true(c.n > 10);
	n = sc_ldso_cache_find(&c, "libc.so.6", &first);
	assert_true(n >= 1);
	for (i = first; i < first + n; i++) {
		if (!sc_ldso_cache_flags_match(c.entries[i].flags, "x86_64") || c.entries[i].hwcap)
			continue;
		assert_true(strcmp(c.entries[i].value, "/lib/x86_64-linux-gnu/libc.so.6") == 0 ||
			    strcmp(c.entries[i].value, "/usr/lib/x86_64-linux-gnu/libc.so.6") == 0 ||
			    strcmp(c.entries[i].value, "/lib64/libc.so.6") == 0 ||
			    strcmp(c.entries[i].value, "/usr/lib64/libc.so.6") == 0);
		assert_int_equal(c.entries[i].flags, 0x0303);
		ok = 1;
	}
	assert_true(ok);
	/* Keys are sorted and every value is an absolute path. */
	for (i = 0; i < c.n; i++) {
		assert_true(c.entries[i].value[0] == '/');
		if (i)
			assert_true(strcmp(c.entries[i - 1].key, c.entries[i].key) <= 0);
	}
	sc_ldso_cache_release(&c);
	free(buf);
}

static void test_flags(void **state)
{
	(void)state;
	assert_true(sc_ldso_cache_flags_match(0x0303, "x86_64"));
	assert_false(sc_ldso_cache_flags_match(0x0003, "x86_64"));
	assert_true(sc_ldso_cache_flags_match(0x0003, "i386"));
	assert_false(sc_ldso_cache_flags_match(0x0303, "i386"));
	assert_true(sc_ldso_cache_flags_match(0x0a03, "aarch64"));
	assert_false(sc_ldso_cache_flags_match(0x0303, "aarch64"));
	assert_true(sc_ldso_cache_flags_match(0x0903, "arm"));
	assert_true(sc_ldso_cache_flags_match(0x0001, "x86_64"));
	assert_true(sc_ldso_cache_flags_match(0x0003, "weird"));
	assert_true(sc_ldso_is_driver_lib("libcuda.so.1"));
	assert_true(sc_ldso_is_driver_lib("libnvidia-ml.so.1"));
	assert_true(sc_ldso_is_driver_lib("libGLX_nvidia.so.0"));
	assert_false(sc_ldso_is_driver_lib("libcudart.so.12"));
	assert_false(sc_ldso_is_driver_lib("libcublas.so.12"));
}

/* ---- images ------------------------------------------------------------------------------------ */

static const sc_cataloger ldso_cataloger = { "ldso", sc_ldso_interests, NULL };

static sc_fsview *make_view(tt_blob *layers, size_t n)
{
	const sc_cataloger *cats[] = { &ldso_cataloger };
	sc_catalog cat;
	sc_fsview *v = NULL;
	size_t i;

	sc_catalog_init(&cat);
	assert_int_equal(ct_run(cats, 1, layers, n, &cat, &v), 0);
	sc_catalog_release(&cat);
	for (i = 0; i < n; i++)
		free(layers[i].data);
	return v;
}

static int has_str(const sc_strv *s, const char *sub)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strstr(s->v[i], sub))
			return 1;
	return 0;
}

static void test_conf(void **state)
{
	tt_tar t;
	tt_blob l[1];
	sc_fsview *v;
	sc_ldso_conf conf;
	char name[64], body[128];
	int i;

	(void)state;
	tt_tar_init(&t, 1u << 20);
	tt_file(&t, "etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n  /opt/a/lib/  # trailing\n"
				      "hwcap 0 nosegneg\n# comment\n\n/usr/local/lib\ninclude deep/d0.conf\n");
	tt_file(&t, "etc/ld.so.conf.d/a.conf", "/usr/local/lib\r\n");
	tt_file(&t, "etc/ld.so.conf.d/b.conf", "include b.conf\n/opt/b\ninclude sub/*.conf\n");
	tt_file(&t, "etc/ld.so.conf.d/c.txt", "/opt/not-included\n");
	tt_file(&t, "etc/ld.so.conf.d/.hidden.conf", "/opt/hidden\n");
	tt_file(&t, "etc/ld.so.conf.d/sub/x.conf", "/opt/sub\n");
	tt_add(&t, "etc/ld.so.conf.d/z.conf", 'l', 0777, NULL, 0, "../ld.so.conf.d/sub/x.conf");
	/* A chain of includes deeper than the limit. */
	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "etc/deep/d%d.conf", i);
		snprintf(body, sizeof(body), "/opt/d%d\ninclude d%d.conf\n", i, i + 1);
		tt_file(&t, name, body);
	}
	l[0] = tt_finish(&t);
	v = make_view(l, 1);

	assert_int_equal(sc_ldso_conf_load(&conf, v, "etc/ld.so.conf"), 0);
	assert_int_equal(conf.dirs.n, 4);
	assert_string_equal(conf.dirs.v[0], "usr/local/lib");
	assert_string_equal(conf.dirs.v[1], "opt/b");
	assert_string_equal(conf.dirs.v[2], "opt/sub");
	assert_string_equal(conf.dirs.v[3], "opt/a/lib");
	assert_false(has_str(&conf.dirs, "not-included"));
	assert_false(has_str(&conf.dirs, "hidden"));
	assert_true(has_str(&conf.warnings, "include loop"));
	/* The deep files are not captured (outside etc/ld.so.conf.d): reported, not read. */
	assert_true(has_str(&conf.warnings, "not read"));
	sc_ldso_conf_release(&conf);

	/* A missing top file: empty, no error. */
	assert_int_equal(sc_ldso_conf_load(&conf, v, "etc/nope.conf"), 0);
	assert_int_equal(conf.dirs.n, 0);
	sc_ldso_conf_release(&conf);
	sc_fsview_free(v);
}

static void test_conf_depth(void **state)
{
	tt_tar t;
	tt_blob l[1];
	sc_fsview *v;
	sc_ldso_conf conf;
	char name[64], body[128];
	int i;

	(void)state;
	tt_tar_init(&t, 1u << 20);
	tt_file(&t, "etc/ld.so.conf", "include ld.so.conf.d/d0.conf\n");
	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "etc/ld.so.conf.d/d%d.conf", i);
		snprintf(body, sizeof(body), "/opt/d%d\ninclude d%d.conf\n", i, i + 1);
		tt_file(&t, name, body);
	}
	l[0] = tt_finish(&t);
	v = make_view(l, 1);
	assert_int_equal(sc_ldso_conf_load(&conf, v, "etc/ld.so.conf"), 0);
	assert_true(has_str(&conf.warnings, "nested deeper"));
	assert_true(has_str(&conf.dirs, "opt/d0"));
	assert_true(conf.dirs.n <= SC_LDSO_CONF_MAX_DEPTH + 1);
	assert_false(has_str(&conf.dirs, "opt/d11"));
	sc_ldso_conf_release(&conf);
	sc_fsview_free(v);
}

static const sc_ldso_dep *dep(const sc_ldso_result *r, const char *elf, const char *needed)
{
	size_t i, k;

	for (i = 0; i < r->n_objects; i++) {
		if (strcmp(r->objects[i].path, elf) != 0)
			continue;
		for (k = 0; k < r->objects[i].n_deps; k++)
			if (strcmp(r->objects[i].deps[k].needed, needed) == 0)
				return &r->objects[i].deps[k];
	}
	fail_msg("no dep %s of %s", needed, elf);
	return NULL;
}

static void assert_found(const sc_ldso_result *r, const char *elf, const char *needed, const char *path,
			 sc_ldso_via via)
{
	const sc_ldso_dep *d = dep(r, elf, needed);

	if (d->status != SC_LDSO_FOUND)
		fail_msg("%s: %s is %s (%s)", elf, needed, sc_ldso_status_name(d->status),
			 d->reason ? d->reason : "");
	assert_string_equal(d->path, path);
	if (d->via != via)
		fail_msg("%s: %s found via %s, expected %s", elf, needed, sc_ldso_via_name(d->via),
			 sc_ldso_via_name(via));
}

static int is_missing(const sc_ldso_result *r, const char *elf, const char *needed)
{
	size_t i;

	for (i = 0; i < r->n_missing; i++)
		if (strcmp(r->missing[i].elf, elf) == 0 && strcmp(r->missing[i].needed, needed) == 0)
			return 1;
	return 0;
}

#define NEEDS(...) ((char *[]){ __VA_ARGS__, NULL })

static void test_resolve_glibc(void **state)
{
	static unsigned char cache[8192];
	static const ce entries[] = {
		{ 0x0303, "libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6", 0 },
		{ 0x0303, "libfoo.so.1", "/usr/lib/x86_64-linux-gnu/libfoo.so.1", 0 },
		{ 0x0003, "libfoo.so.1", "/usr/lib/i386-linux-gnu/libfoo.so.1", 0 },
		{ 0x0303, "libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1", 0 },
		{ 0x0303, "libstale.so.1", "/usr/lib/x86_64-linux-gnu/libstale.so.1", 0 },
		{ 0x0003, "libonly32.so.1", "/usr/lib/i386-linux-gnu/libonly32.so.1", 0 },
	};
	size_t clen = build_new(cache, entries, sizeof(entries) / sizeof(entries[0]), 0, 1);
	tt_tar t, t2;
	tt_blob l[2];
	sc_fsview *v;
	sc_ldso_result r;
	const char *env[] = { "PATH=/usr/bin", "LD_LIBRARY_PATH=/opt/ld:/opt/$LIB-ld", NULL };
	sc_elf_info e[] = {
		{ .path = "opt/app/bin/app", .machine = "x86_64", .is_executable = 1,
		  .interp = "/lib64/ld-linux-x86-64.so.2", .rpath = "$ORIGIN/../lib",
		  .needed = NEEDS("libapp.so.1", "libc.so.6", "libfoo.so.1", "libmissing.so.2", "libcuda.so.1",
				  "libnvidia-ml.so.1", "linux-vdso.so.1", "/opt/app/lib/libapp.so.1", "./nope.so",
				  "libz.so.1", "libstale.so.1", "libloc.so.1", "libonly32.so.1", "libw.so.1",
				  "libdup.so", "libdef.so.1") },
		{ .path = "opt/app/lib/libapp.so.1", .machine = "x86_64", .is_shared = 1, .soname = "libapp.so.1",
		  .needed = NEEDS("libhelper.so", "libc.so.6") },
		{ .path = "opt/app/lib/libhelper.so", .machine = "x86_64", .is_shared = 1, .needed = NEEDS("libc.so.6") },
		{ .path = "opt/r/bin/both", .machine = "x86_64", .is_executable = 1, .interp = "/lib64/ld-linux-x86-64.so.2",
		  .rpath = "/opt/r/rp", .runpath = "/opt/r/run", .needed = NEEDS("libdup.so", "libr.so") },
		{ .path = "opt/r/bin/runpath", .machine = "x86_64", .is_executable = 1,
		  .interp = "/lib64/ld-linux-x86-64.so.2", .runpath = "/opt/r/run:/opt/p/$PLATFORM/${LIB}",
		  .needed = NEEDS("libdup.so", "libp.so", "libr.so") },
		{ .path = "lib/x86_64-linux-gnu/libc.so.6", .machine = "x86_64", .is_shared = 1, .soname = "libc.so.6",
		  .needed = NEEDS("ld-linux-x86-64.so.2") },
		{ .path = "usr/lib/i386-linux-gnu/libfoo.so.1.0", .machine = "i386", .is_shared = 1 },
		{ .path = "usr/lib/i386-linux-gnu/libonly32.so.1", .machine = "i386", .is_shared = 1 },
		{ .path = "lib/libw.so.1", .machine = "i386", .is_shared = 1 },
		{ .path = "usr/lib/i386-linux-gnu/user32", .machine = "i386", .is_executable = 1,
		  .interp = "/lib/ld-linux.so.2", .needed = NEEDS("libfoo.so.1", "libonly32.so.1") },
	};
	size_t n = sizeof(e) / sizeof(e[0]);
	const sc_ldso_dep *d;

	(void)state;
	tt_tar_init(&t, 1u << 20);
	tt_add(&t, "etc/ld.so.cache", 'f', 0644, (const char *)cache, clen, NULL);
	tt_file(&t, "etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n");
	tt_file(&t, "etc/ld.so.conf.d/libc.conf", "/usr/local/lib\n");
	tt_file(&t, "lib/x86_64-linux-gnu/libc.so.6", "ELF");
	tt_file(&t, "lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "ELF");
	tt_add(&t, "lib64", 'd', 0755, NULL, 0, NULL);
	tt_add(&t, "lib64/ld-linux-x86-64.so.2", 'l', 0777, NULL, 0, "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
	tt_file(&t, "usr/lib/x86_64-linux-gnu/libfoo.so.1.2.3", "ELF");
	tt_add(&t, "usr/lib/x86_64-linux-gnu/libfoo.so.1", 'l', 0777, NULL, 0, "libfoo.so.1.2.3");
	tt_file(&t, "usr/lib/i386-linux-gnu/libfoo.so.1.0", "ELF");
	tt_add(&t, "usr/lib/i386-linux-gnu/libfoo.so.1", 'l', 0777, NULL, 0, "libfoo.so.1.0");
	tt_file(&t, "usr/lib/i386-linux-gnu/libonly32.so.1", "ELF");
	tt_file(&t, "usr/lib/x86_64-linux-gnu/libz.so.1", "ELF");
	tt_file(&t, "usr/lib/x86_64-linux-gnu/libdef.so.1", "ELF");
	tt_file(&t, "usr/local/lib/libloc.so.1", "ELF");
	tt_file(&t, "lib/libw.so.1", "ELF");
	tt_file(&t, "opt/app/bin/app", "ELF");
	tt_file(&t, "opt/app/lib/libapp.so.1", "ELF");
	tt_file(&t, "opt/app/lib/libhelper.so", "ELF");
	tt_file(&t, "opt/app/lib/libdup.so", "ELF");
	tt_file(&t, "opt/ld/libdup.so", "ELF");
	tt_file(&t, "opt/ld/libr.so", "ELF");
	tt_file(&t, "opt/r/rp/libdup.so", "ELF");
	tt_file(&t, "opt/r/rp/libr.so", "ELF");
	tt_file(&t, "opt/r/run/libdup.so", "ELF");
	tt_file(&t, "opt/p/x86_64/lib64/libp.so", "ELF");
	l[0] = tt_finish(&t);
	/* A later layer deletes libz: the cache still lists it. */
	tt_tar_init(&t2, 1u << 20);
	tt_file(&t2, "usr/lib/x86_64-linux-gnu/.wh.libz.so.1", "");
	l[1] = tt_finish(&t2);
	v = make_view(l, 2);

	assert_int_equal(sc_ldso_resolve_all(&r, v, e, n, env), 0);
	assert_int_equal(r.n_objects, n);
	assert_true(r.have_cache);
	assert_int_equal(r.n_cache_entries, 6);
	assert_int_equal(r.notes.n, 0);

	/* $ORIGIN RPATH of the executable. */
	assert_found(&r, "opt/app/bin/app", "libapp.so.1", "opt/app/lib/libapp.so.1", SC_LDSO_VIA_RPATH);
	/* RPATH comes before LD_LIBRARY_PATH. */
	assert_found(&r, "opt/app/bin/app", "libdup.so", "opt/app/lib/libdup.so", SC_LDSO_VIA_RPATH);
	/* The cache, through a symlink; x86-64 entry, not the i386 one. */
	assert_found(&r, "opt/app/bin/app", "libc.so.6", "lib/x86_64-linux-gnu/libc.so.6", SC_LDSO_VIA_CACHE);
	assert_found(&r, "opt/app/bin/app", "libfoo.so.1", "usr/lib/x86_64-linux-gnu/libfoo.so.1.2.3",
		     SC_LDSO_VIA_CACHE);
	assert_found(&r, "usr/lib/i386-linux-gnu/user32", "libfoo.so.1", "usr/lib/i386-linux-gnu/libfoo.so.1.0",
		     SC_LDSO_VIA_CACHE);
	assert_found(&r, "usr/lib/i386-linux-gnu/user32", "libonly32.so.1", "usr/lib/i386-linux-gnu/libonly32.so.1",
		     SC_LDSO_VIA_CACHE);
	/* Default directories (not in the cache); ld-linux through /lib64's symlink... or the multiarch dir. */
	assert_found(&r, "opt/app/bin/app", "libdef.so.1", "usr/lib/x86_64-linux-gnu/libdef.so.1",
		     SC_LDSO_VIA_DEFAULT);
	assert_found(&r, "lib/x86_64-linux-gnu/libc.so.6", "ld-linux-x86-64.so.2",
		     "lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", SC_LDSO_VIA_DEFAULT);
	/* Names with a slash. */
	assert_found(&r, "opt/app/bin/app", "/opt/app/lib/libapp.so.1", "opt/app/lib/libapp.so.1", SC_LDSO_VIA_PATH);
	assert_true(is_missing(&r, "opt/app/bin/app", "./nope.so"));
	/* Missing, with reasons. */
	assert_true(is_missing(&r, "opt/app/bin/app", "libmissing.so.2"));
	d = dep(&r, "opt/app/bin/app", "libmissing.so.2");
	assert_non_null(strstr(d->reason, "not found"));
	assert_true(is_missing(&r, "opt/app/bin/app", "libz.so.1"));      /* deleted by layer 2 */
	assert_true(is_missing(&r, "opt/app/bin/app", "libstale.so.1"));  /* in the cache, not in the image */
	d = dep(&r, "opt/app/bin/app", "libloc.so.1");                     /* needs ldconfig */
	assert_int_equal(d->status, SC_LDSO_MISSING);
	assert_non_null(strstr(d->reason, "run ldconfig"));
	assert_non_null(strstr(d->reason, "/usr/local/lib/libloc.so.1"));
	d = dep(&r, "opt/app/bin/app", "libonly32.so.1");                  /* i386 entry only */
	assert_int_equal(d->status, SC_LDSO_MISSING);
	d = dep(&r, "opt/app/bin/app", "libw.so.1");                       /* wrong machine in /lib */
	assert_int_equal(d->status, SC_LDSO_MISSING);
	assert_non_null(strstr(d->reason, "i386"));
	/* Driver libraries and the vDSO are not missing. */
	assert_int_equal(dep(&r, "opt/app/bin/app", "libcuda.so.1")->status, SC_LDSO_DRIVER);
	assert_int_equal(dep(&r, "opt/app/bin/app", "libnvidia-ml.so.1")->status, SC_LDSO_DRIVER);
	assert_int_equal(r.n_driver, 2);
	assert_int_equal(dep(&r, "opt/app/bin/app", "linux-vdso.so.1")->status, SC_LDSO_VDSO);
	assert_false(is_missing(&r, "opt/app/bin/app", "libcuda.so.1"));

	/* RUNPATH present: RPATH ignored, LD_LIBRARY_PATH first. */
	assert_found(&r, "opt/r/bin/both", "libdup.so", "opt/ld/libdup.so", SC_LDSO_VIA_LD_LIBRARY_PATH);
	assert_found(&r, "opt/r/bin/both", "libr.so", "opt/ld/libr.so", SC_LDSO_VIA_LD_LIBRARY_PATH);
	assert_found(&r, "opt/r/bin/runpath", "libp.so", "opt/p/x86_64/lib64/libp.so", SC_LDSO_VIA_RUNPATH);

	/* The library's own search fails, the executable's RPATH (inherited) finds it. */
	assert_found(&r, "opt/app/lib/libapp.so.1", "libhelper.so", "opt/app/lib/libhelper.so",
		     SC_LDSO_VIA_LOADER_RPATH);
	assert_found(&r, "opt/app/lib/libhelper.so", "libc.so.6", "lib/x86_64-linux-gnu/libc.so.6",
		     SC_LDSO_VIA_CACHE);

	/* The summary list is exactly the missing deps. */
	{
		size_t i, k, nm = 0;

		for (i = 0; i < r.n_objects; i++)
			for (k = 0; k < r.objects[i].n_deps; k++)
				nm += r.objects[i].deps[k].status == SC_LDSO_MISSING;
		assert_int_equal(r.n_missing, nm);
		assert_int_equal(nm, 7);
		for (i = 0; i < r.n_missing; i++)
			assert_non_null(r.missing[i].reason);
	}
	sc_ldso_result_release(&r);
	sc_ldso_result_release(NULL);

	/* Without LD_LIBRARY_PATH, RUNPATH then. */
	assert_int_equal(sc_ldso_resolve_all(&r, v, e, n, NULL), 0);
	assert_found(&r, "opt/r/bin/both", "libdup.so", "opt/r/run/libdup.so", SC_LDSO_VIA_RUNPATH);
	assert_true(is_missing(&r, "opt/r/bin/both", "libr.so")); /* only in the ignored RPATH */
	sc_ldso_result_release(&r);
	sc_fsview_free(v);
}

static void test_resolve_bad_cache(void **state)
{
	tt_tar t;
	tt_blob l[1];
	sc_fsview *v;
	sc_ldso_result r;
	sc_elf_info e[] = {
		{ .path = "usr/bin/x", .machine = "x86_64", .is_executable = 1, .interp = "/lib64/ld-linux-x86-64.so.2",
		  .needed = NEEDS("libloc.so.1", "libgone.so") },
	};

	(void)state;
	tt_tar_init(&t, 1u << 20);
	tt_file(&t, "etc/ld.so.cache", "glibc-ld.so.cache1.1 but then garbage");
	tt_file(&t, "etc/ld.so.conf", "/usr/local/lib\n");
	tt_file(&t, "usr/local/lib/libloc.so.1", "ELF");
	l[0] = tt_finish(&t);
	v = make_view(l, 1);
	assert_int_equal(sc_ldso_resolve_all(&r, v, e, 1, NULL), 0);
	assert_false(r.have_cache);
	assert_true(has_str(&r.notes, "ld.so.cache"));
	assert_found(&r, "usr/bin/x", "libloc.so.1", "usr/local/lib/libloc.so.1", SC_LDSO_VIA_CONF);
	assert_true(is_missing(&r, "usr/bin/x", "libgone.so"));
	sc_ldso_result_release(&r);
	/* No ELF at all. */
	assert_int_equal(sc_ldso_resolve_all(&r, v, NULL, 0, NULL), 0);
	assert_int_equal(r.n_objects, 0);
	assert_int_equal(r.n_missing, 0);
	sc_ldso_result_release(&r);
	sc_fsview_free(v);
}

static void test_resolve_musl(void **state)
{
	tt_tar t;
	tt_blob l[1];
	sc_fsview *v;
	sc_ldso_result r;
	sc_elf_info e[] = {
		{ .path = "bin/x", .machine = "x86_64", .is_executable = 1, .interp = "/lib/ld-musl-x86_64.so.1",
		  .needed = NEEDS("libc.musl-x86_64.so.1", "libssl.so.3", "libm1.so", "libnot.so", "libpthread.so.0",
				  "libr.so") , .rpath = "$ORIGIN/../rp" },
		{ .path = "usr/lib/libssl.so.3", .machine = "x86_64", .is_shared = 1, .soname = "libssl.so.3",
		  .needed = NEEDS("libcrypto.so.3", "libc.musl-x86_64.so.1") },
		{ .path = "lib/ld-musl-x86_64.so.1", .machine = "x86_64", .is_shared = 1 },
	};
	const sc_ldso_dep *d;

	(void)state;
	tt_tar_init(&t, 1u << 20);
	tt_file(&t, "lib/ld-musl-x86_64.so.1", "ELF");
	tt_add(&t, "lib/libc.musl-x86_64.so.1", 'l', 0777, NULL, 0, "ld-musl-x86_64.so.1");
	tt_file(&t, "etc/ld-musl-x86_64.path", "/opt/m/lib\n/usr/lib:/lib\n");
	tt_file(&t, "usr/lib/libssl.so.3", "ELF");
	tt_file(&t, "opt/m/lib/libm1.so", "ELF");
	tt_file(&t, "usr/local/lib/libnot.so", "ELF");
	tt_file(&t, "rp/libr.so", "ELF");
	tt_file(&t, "bin/x", "ELF");
	l[0] = tt_finish(&t);
	v = make_view(l, 1);
	assert_int_equal(sc_ldso_resolve_all(&r, v, e, 3, NULL), 0);
	assert_true(r.objects[0].musl);
	assert_true(r.objects[1].musl);
	d = dep(&r, "bin/x", "libc.musl-x86_64.so.1");
	assert_int_equal(d->status, SC_LDSO_LIBC);
	assert_string_equal(d->path, "lib/ld-musl-x86_64.so.1");
	assert_int_equal(dep(&r, "bin/x", "libpthread.so.0")->status, SC_LDSO_LIBC);
	assert_found(&r, "bin/x", "libssl.so.3", "usr/lib/libssl.so.3", SC_LDSO_VIA_MUSL_PATH);
	assert_found(&r, "bin/x", "libm1.so", "opt/m/lib/libm1.so", SC_LDSO_VIA_MUSL_PATH);
	assert_found(&r, "bin/x", "libr.so", "rp/libr.so", SC_LDSO_VIA_RPATH);
	/* The path file replaces musl's defaults: /usr/local/lib is not searched. */
	assert_true(is_missing(&r, "bin/x", "libnot.so"));
	assert_true(is_missing(&r, "usr/lib/libssl.so.3", "libcrypto.so.3"));
	assert_int_equal(dep(&r, "usr/lib/libssl.so.3", "libc.musl-x86_64.so.1")->status, SC_LDSO_LIBC);
	assert_int_equal(r.n_missing, 2);
	sc_ldso_result_release(&r);
	sc_fsview_free(v);

	/* No path file: /lib:/usr/local/lib:/usr/lib. */
	tt_tar_init(&t, 1u << 20);
	tt_file(&t, "lib/ld-musl-x86_64.so.1", "ELF");
	tt_file(&t, "usr/lib/libssl.so.3", "ELF");
	tt_file(&t, "usr/local/lib/libnot.so", "ELF");
	l[0] = tt_finish(&t);
	v = make_view(l, 1);
	assert_int_equal(sc_ldso_resolve_all(&r, v, e, 3, NULL), 0);
	assert_found(&r, "bin/x", "libnot.so", "usr/local/lib/libnot.so", SC_LDSO_VIA_MUSL_PATH);
	assert_true(is_missing(&r, "bin/x", "libm1.so"));
	sc_ldso_result_release(&r);
	sc_fsview_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache_new),
		cmocka_unit_test(test_cache_old),
		cmocka_unit_test(test_cache_hostile),
		cmocka_unit_test(test_cache_real),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_conf),
		cmocka_unit_test(test_conf_depth),
		cmocka_unit_test(test_resolve_glibc),
		cmocka_unit_test(test_resolve_bad_cache),
		cmocka_unit_test(test_resolve_musl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
