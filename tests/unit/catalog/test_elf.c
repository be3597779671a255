/*
 * test_elf.c - the streaming ELF parser and cataloger: real system
 * binaries (libz, ls, a large library when present), constructed 32-bit
 * big-endian objects, chunked feeding, and hostile headers (truncation,
 * huge e_phnum, dynamic entries pointing outside, string tables outside
 * the kept ranges).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/elf.h"
#include "catalogtest.h"

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	struct stat st;

	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) != 0 || st.st_size <= 0) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)st.st_size);
	*len = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	return buf;
}

/* Parse bytes through the stream in chunks of `chunk` bytes (0 = all at once). */
static sc_elf_parsed *parse_chunked(const unsigned char *d, size_t len, size_t chunk, size_t prefix_max)
{
	sc_elf_stream *s = sc_elf_stream_new(prefix_max);
	sc_elf_parsed *r = NULL;
	size_t off = 0;

	assert_non_null(s);
	if (!chunk)
		chunk = len ? len : 1;
	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;

		assert_int_equal(sc_elf_stream_feed(s, d + off, n), 0);
		off += n;
	}
	assert_int_equal(sc_elf_stream_finish(s, &r), 0);
	sc_elf_stream_free(s);
	return r;
}

static int has(char **v, const char *s)
{
	for (; v && *v; v++)
		if (strcmp(*v, s) == 0)
			return 1;
	return 0;
}

/* ---- a constructed ELF ---------------------------------------------------- */

typedef struct {
	unsigned char *d;
	size_t len;
	int is64, be;
} eb;

static void put(eb *b, size_t off, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		b->d[off + (size_t)(b->be ? n - 1 - i : i)] = (unsigned char)(v >> (8 * i));
}

static void put_word(eb *b, size_t off, uint64_t v)
{
	put(b, off, v, b->is64 ? 8 : 4);
}

static const char strtab[] = "\0libfoo.so.1\0libc.so.6\0$ORIGIN/../lib\0libbar.so";

/*
 * ELF with PT_LOAD (whole file, vaddr = offset + 0x10000), PT_INTERP at
 * 0x100, the string table at str_off and PT_DYNAMIC at dyn_off.  bad_idx
 * adds a DT_NEEDED pointing past DT_STRSZ.
 */
static eb build(int is64, int be, unsigned machine, size_t str_off, size_t dyn_off, int bad_idx)
{
	eb b = { NULL, 0, is64, be };
	size_t eh = is64 ? 64 : 52, phe = is64 ? 56 : 32, dsz = is64 ? 16 : 8, dyn_len = 8 * dsz, ph;
	uint64_t base = 0x10000;
	size_t i = 0;
	const char *interp = "/lib/ld-test.so.1";

	b.len = (str_off > dyn_off ? str_off + sizeof(strtab) : dyn_off + dyn_len) + 16;
	b.d = calloc(1, b.len);
	memcpy(b.d, "\x7f" "ELF", 4);
	b.d[4] = is64 ? 2 : 1;
	b.d[5] = be ? 2 : 1;
	b.d[6] = 1;
	put(&b, 16, 3, 2); /* ET_DYN */
	put(&b, 18, machine, 2);
	put(&b, 20, 1, 4);
	put_word(&b, is64 ? 32 : 28, eh); /* e_phoff */
	put(&b, is64 ? 52 : 40, eh, 2);
	put(&b, is64 ? 54 : 42, phe, 2);
	put(&b, is64 ? 56 : 44, 3, 2);
	/* PT_LOAD */
	ph = eh;
	put(&b, ph, 1, 4);
	if (is64) {
		put(&b, ph + 8, 0, 8);
		put(&b, ph + 16, base, 8);
		put(&b, ph + 32, b.len, 8);
	} else {
		put(&b, ph + 4, 0, 4);
		put(&b, ph + 8, base, 4);
		put(&b, ph + 16, b.len, 4);
	}
	/* PT_INTERP */
	ph += phe;
	put(&b, ph, 3, 4);
	if (is64) {
		put(&b, ph + 8, 0x100, 8);
		put(&b, ph + 32, strlen(interp) + 1, 8);
	} else {
		put(&b, ph + 4, 0x100, 4);
		put(&b, ph + 16, strlen(interp) + 1, 4);
	}
	memcpy(b.d + 0x100, interp, strlen(interp) + 1);
	/* PT_DYNAMIC */
	ph += phe;
	put(&b, ph, 2, 4);
	if (is64) {
		put(&b, ph + 8, dyn_off, 8);
		put(&b, ph + 32, dyn_len, 8);
	} else {
		put(&b, ph + 4, dyn_off, 4);
		put(&b, ph + 16, dyn_len, 4);
	}
	memcpy(b.d + str_off, strtab, sizeof(strtab));
#define DYN(tag, val)                                                   \
	do {                                                            \
		put_word(&b, dyn_off + i * dsz, (tag));                     \
		put_word(&b, dyn_off + i * dsz + dsz / 2, (val));           \
		i++;                                                    \
	} while (0)
	DYN(1, 13); /* libc.so.6 */
	DYN(1, 38); /* libbar.so */
	DYN(14, 1); /* libfoo.so.1 */
	DYN(29, 23); /* $ORIGIN/../lib */
	DYN(5, base + str_off);
	DYN(10, sizeof(strtab));
	if (bad_idx)
		DYN(1, 100000);
	DYN(0, 0);
#undef DYN
	return b;
}

static void test_constructed_32be(void **state)
{
	eb b = build(0, 1, 20, 0x200, 0x400, 0);
	size_t chunks[] = { 0, 1, 3, 7, 64, 1000 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		sc_elf_parsed *r = parse_chunked(b.d, b.len, chunks[i], 0);

		assert_true(r->valid);
		assert_null(r->problem);
		assert_string_equal(r->machine, "ppc");
		assert_string_equal(r->soname, "libfoo.so.1");
		assert_string_equal(r->runpath, "$ORIGIN/../lib");
		assert_null(r->rpath);
		assert_string_equal(r->interp, "/lib/ld-test.so.1");
		assert_string_equal(r->needed[0], "libc.so.6");
		assert_string_equal(r->needed[1], "libbar.so");
		assert_null(r->needed[2]);
		assert_true(r->is_shared);
		assert_true(r->is_executable);
		sc_elf_parsed_free(r);
	}
	free(b.d);
}

static void test_strtab_after_dynamic(void **state)
{
	/* 64-bit little-endian aarch64, string table after the dynamic section. */
	eb b = build(1, 0, 183, 0x3000, 0x800, 0);
	sc_elf_parsed *r = parse_chunked(b.d, b.len, 100, 0);

	(void)state;
	assert_null(r->problem);
	assert_string_equal(r->machine, "aarch64");
	assert_string_equal(r->soname, "libfoo.so.1");
	assert_true(has(r->needed, "libbar.so"));
	sc_elf_parsed_free(r);
	free(b.d);
}

static void test_strtab_outside_prefix(void **state)
{
	/* The string table lies beyond a 64 KiB prefix but before PT_DYNAMIC. */
	eb b = build(1, 0, 62, 100000, 200000, 0);
	sc_elf_parsed *r = parse_chunked(b.d, b.len, 4096, 64 * 1024);

	(void)state;
	assert_true(r->valid);
	assert_non_null(r->problem);
	assert_string_equal(r->problem, "dynamic string table outside the captured range");
	assert_null(r->soname);
	assert_null(r->needed);
	assert_string_equal(r->interp, "/lib/ld-test.so.1");
	sc_elf_parsed_free(r);
	/* With the default prefix it is found. */
	r = parse_chunked(b.d, b.len, 4096, 0);
	assert_null(r->problem);
	assert_string_equal(r->soname, "libfoo.so.1");
	sc_elf_parsed_free(r);
	free(b.d);
}

static void test_dynamic_points_outside(void **state)
{
	eb b = build(1, 1, 22, 0x200, 0x400, 1);
	sc_elf_parsed *r = parse_chunked(b.d, b.len, 0, 0);

	(void)state;
	assert_non_null(r->problem);
	assert_string_equal(r->problem, "dynamic entry points outside the string table");
	assert_string_equal(r->machine, "s390x");
	assert_true(has(r->needed, "libc.so.6"));
	assert_true(has(r->needed, "libbar.so"));
	assert_null(r->needed[2]);
	sc_elf_parsed_free(r);
	/* PT_DYNAMIC beyond the end of the file. */
	put(&b, 64 + 2 * 56 + 8, 1u << 30, 8);
	r = parse_chunked(b.d, b.len, 0, 0);
	assert_non_null(r->problem);
	assert_null(r->needed);
	sc_elf_parsed_free(r);
	free(b.d);
}

static void test_libz(void **state)
{
	size_t len, chunks[] = { 0, 1, 13, 4096, 65536 + 7 };
	unsigned char *d = slurp("/usr/lib/x86_64-linux-gnu/libz.so.1", &len);
	size_t i;

	(void)state;
	if (!d)
		skip();
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		sc_elf_parsed *r;

		if (chunks[i] == 1 && len > (1u << 20))
			continue;
		r = parse_chunked(d, len, chunks[i], 0);
		assert_null(r->problem);
		assert_string_equal(r->soname, "libz.so.1");
		assert_true(has(r->needed, "libc.so.6"));
		assert_string_equal(r->machine, "x86_64");
		assert_true(r->is_shared);
		assert_false(r->is_executable);
		assert_null(r->interp);
		sc_elf_parsed_free(r);
	}
	free(d);
}

/*
 * Every two-chunk split of a real library must parse the same: a split
 * inside PT_DYNAMIC once left the section half in the prefix and half in
 * its range buffer and lost it ("dynamic section missing").
 */
static void test_every_split(void **state)
{
	size_t len, cut, bad = 0;
	unsigned char *d = slurp("/usr/lib/x86_64-linux-gnu/libz.so.1", &len);

	(void)state;
	if (!d)
		skip();
	for (cut = 1; cut < len; cut += (cut > 4096 && cut < len - 70000) ? 61 : 1) {
		sc_elf_stream *st = sc_elf_stream_new(0);
		sc_elf_parsed *r = NULL;

		assert_non_null(st);
		assert_int_equal(sc_elf_stream_feed(st, d, cut), 0);
		assert_int_equal(sc_elf_stream_feed(st, d + cut, len - cut), 0);
		assert_int_equal(sc_elf_stream_finish(st, &r), 0);
		if (r->problem || !r->soname || !has(r->needed, "libc.so.6")) {
			if (!bad)
				print_message("split at %zu: %s\n", cut, r->problem ? r->problem : "no soname/needed");
			bad++;
		}
		sc_elf_parsed_free(r);
		sc_elf_stream_free(st);
	}
	assert_int_equal(bad, 0);
	free(d);
}

static void test_hostile_headers(void **state)
{
	size_t len;
	unsigned char *d = slurp("/usr/lib/x86_64-linux-gnu/libz.so.1", &len);
	sc_elf_parsed *r;

	(void)state;
	if (!d)
		skip();
	/* Truncated. */
	r = parse_chunked(d, 1000, 0, 0);
	assert_true(r->valid);
	assert_non_null(r->problem);
	assert_non_null(strstr(r->problem, "truncated"));
	sc_elf_parsed_free(r);
	r = parse_chunked(d, 30, 7, 0);
	assert_false(r->valid);
	assert_string_equal(r->problem, "truncated ELF header");
	sc_elf_parsed_free(r);
	/* Huge e_phnum. */
	d[56] = 0x88;
	d[57] = 0x13; /* 5000 */
	r = parse_chunked(d, len, 0, 0);
	assert_true(r->valid);
	assert_string_equal(r->problem, "e_phnum 5000 exceeds the limit of 4096");
	assert_null(r->needed);
	sc_elf_parsed_free(r);
	d[56] = 0xff;
	d[57] = 0xff;
	r = parse_chunked(d, len, 0, 0);
	assert_non_null(strstr(r->problem, "PN_XNUM"));
	sc_elf_parsed_free(r);
	/* e_phoff beyond the file / overflowing. */
	d[56] = 9;
	d[57] = 0;
	memset(d + 32, 0xff, 8);
	r = parse_chunked(d, len, 0, 0);
	assert_non_null(r->problem);
	sc_elf_parsed_free(r);
	/* Bad class. */
	d[4] = 9;
	r = parse_chunked(d, len, 0, 0);
	assert_false(r->valid);
	assert_non_null(r->problem);
	sc_elf_parsed_free(r);
	free(d);
}

static void test_large_library(void **state)
{
	static const char *const candidates[] = {
		"/usr/lib/x86_64-linux-gnu/libtorch_cpu.so.1.13.0",
		"/usr/lib/x86_64-linux-gnu/libLLVM-15.so.1",
		"/usr/lib/x86_64-linux-gnu/libLLVM-14.so.1",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		int fd = open(candidates[i], O_RDONLY | O_CLOEXEC);
		sc_elf_stream *s;
		sc_elf_parsed *r = NULL;
		static unsigned char buf[256 * 1024];
		ssize_t n;

		if (fd < 0)
			continue;
		s = sc_elf_stream_new(0);
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			assert_int_equal(sc_elf_stream_feed(s, buf, (size_t)n), 0);
		close(fd);
		assert_int_equal(sc_elf_stream_finish(s, &r), 0);
		sc_elf_stream_free(s);
		assert_null(r->problem);
		assert_non_null(r->soname);
		assert_true(has(r->needed, "libc.so.6"));
		sc_elf_parsed_free(r);
		return;
	}
	skip();
}

static void test_catalog(void **state)
{
	static const sc_cataloger *const cats[] = { &sc_cataloger_elf };
	size_t zlen, lslen, i;
	unsigned char *z = slurp("/usr/lib/x86_64-linux-gnu/libz.so.1", &zlen);
	unsigned char *ls = slurp("/usr/bin/ls", &lslen);
	eb b = build(0, 1, 20, 0x200, 0x400, 0);
	sc_catalog cat;
	tt_tar t;
	tt_blob blob;
	const sc_elf_info *ez = NULL, *els = NULL, *eppc = NULL;

	(void)state;
	if (!z || !ls)
		skip();
	tt_tar_init(&t, zlen + lslen + b.len + (1 << 20));
	tt_add(&t, "usr/lib/x86_64-linux-gnu/libz.so.1.2.13", 'f', 0644, (const char *)z, zlen, NULL);
	tt_add(&t, "usr/lib/x86_64-linux-gnu/libz.so.1", 'l', 0777, NULL, 0, "libz.so.1.2.13");
	tt_add(&t, "usr/bin/ls", 'f', 0755, (const char *)ls, lslen, NULL);
	tt_add(&t, "usr/bin/dir", 'h', 0755, NULL, 0, "usr/bin/ls");
	tt_add(&t, "opt/ppc/libfoo.so.1", 'f', 0644, (const char *)b.d, b.len, NULL);
	tt_add(&t, "opt/trunc.so", 'f', 0644, (const char *)z, 900, NULL);
	tt_file(&t, "etc/notelf", "hello world, this is not an ELF file at all........................");
	blob = tt_finish(&t);

	sc_catalog_init(&cat);
	assert_int_equal(ct_run(cats, 1, &blob, 1, &cat, NULL), 0);
	assert_int_equal(cat.n_elves, 5);
	for (i = 0; i < cat.n_elves; i++) {
		if (strcmp(cat.elves[i].path, "usr/lib/x86_64-linux-gnu/libz.so.1.2.13") == 0)
			ez = &cat.elves[i];
		else if (strcmp(cat.elves[i].path, "usr/bin/ls") == 0)
			els = &cat.elves[i];
		else if (strcmp(cat.elves[i].path, "opt/ppc/libfoo.so.1") == 0)
			eppc = &cat.elves[i];
	}
	assert_non_null(ez);
	assert_string_equal(ez->soname, "libz.so.1");
	assert_true(has(ez->needed, "libc.so.6"));
	assert_true(ez->is_shared);
	assert_non_null(els);
	assert_true(els->is_executable);
	assert_false(els->is_shared);
	assert_non_null(els->interp);
	assert_string_equal(els->interp, "/lib64/ld-linux-x86-64.so.2");
	assert_true(has(els->needed, "libc.so.6"));
	assert_null(els->soname);
	assert_string_equal(els->machine, "x86_64");
	assert_string_equal(cat.elves[0].path, "opt/ppc/libfoo.so.1"); /* sorted; hard link usr/bin/dir too */
	assert_string_equal(cat.elves[2].path, "usr/bin/dir");
	assert_non_null(eppc);
	assert_string_equal(eppc->machine, "ppc");
	assert_int_equal(cat.n_notes, 1);
	assert_string_equal(cat.notes[0].path, "opt/trunc.so");
	assert_string_equal(cat.notes[0].cataloger, "elf");
	sc_catalog_release(&cat);
	free(blob.data);
	free(z);
	free(ls);
	free(b.d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constructed_32be),
		cmocka_unit_test(test_strtab_after_dynamic),
		cmocka_unit_test(test_strtab_outside_prefix),
		cmocka_unit_test(test_dynamic_points_outside),
		cmocka_unit_test(test_libz),
		cmocka_unit_test(test_every_split),
		cmocka_unit_test(test_hostile_headers),
		cmocka_unit_test(test_large_library),
		cmocka_unit_test(test_catalog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
