/*
 * test_layer.c - the single-pass layer reader: entry model, whiteouts,
 * hostile names, device nodes, entry limits, diff_id checks and the
 * interest mechanism (globs, magic sniffing, size caps, streaming).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/digest.h"
#include "core/error.h"
#include "image/layer.h"
#include "tartest.h"

static int read_layer(tt_blob b, sc_layer *out, const sc_layer_opts *opts)
{
	sc_stream *m = NULL;
	sc_layer_opts o;

	if (opts)
		o = *opts;
	else
		memset(&o, 0, sizeof(o));
	if (!o.name)
		o.name = "layer 1/1 (test)";
	assert_int_equal(sc_stream_mem_new(&m, b.data, b.len), 0);
	return sc_layer_read(out, m, &o);
}

static const sc_entry *find(const sc_layer *l, const char *path, int type)
{
	size_t i;

	for (i = 0; i < l->n_entries; i++)
		if (strcmp(l->entries[i].path, path) == 0 && l->entries[i].type == type)
			return &l->entries[i];
	return NULL;
}

static void test_entries(void **state)
{
	tt_tar t;
	tt_blob b, gz;
	sc_layer l;
	const sc_entry *e;

	(void)state;
	tt_tar_init(&t, 1 << 20);
	tt_add(&t, "./", 'd', 0755, NULL, 0, NULL);
	tt_add(&t, "./etc/", 'd', 0755, NULL, 0, NULL);
	tt_file(&t, "./etc/os-release", "ID=debian\n");
	tt_add(&t, "usr/bin/su", 'f', 04755, "x", 1, NULL);
	tt_add(&t, "usr/bin/sh", 'l', 0777, NULL, 0, "dash");
	tt_add(&t, "usr/bin/su2", 'h', 0755, NULL, 0, "usr/bin/su");
	tt_add(&t, "var/.wh.cache", 'f', 0644, "", 0, NULL);
	tt_add(&t, "opt/.wh..wh..opq", 'f', 0644, "", 0, NULL);
	tt_add(&t, "opt/.wh..wh.plnk", 'd', 0700, NULL, 0, NULL);
	b = tt_finish(&t);
	gz = tt_gzip(b);

	assert_int_equal(read_layer(gz, &l, NULL), 0);
	assert_int_equal(l.compression, SC_COMP_GZIP);
	assert_int_equal(l.compressed_size, gz.len);
	assert_int_equal(l.uncompressed_size, b.len);
	assert_int_equal(l.n_entries, 7); /* root and AUFS metadata dropped */
	assert_int_equal(l.n_files, 3);
	assert_non_null(find(&l, "etc", SC_FT_DIR));
	e = find(&l, "etc/os-release", SC_FT_REG);
	assert_non_null(e);
	assert_int_equal(e->size, 10);
	assert_int_equal(e->mode, 0644);
	e = find(&l, "usr/bin/su", SC_FT_REG);
	assert_int_equal(e->mode, 04755);
	e = find(&l, "usr/bin/sh", SC_FT_SYMLINK);
	assert_string_equal(e->link, "dash");
	e = find(&l, "usr/bin/su2", SC_FT_HARDLINK);
	assert_string_equal(e->link, "usr/bin/su");
	assert_non_null(find(&l, "var/cache", SC_FT_WHITEOUT));
	assert_non_null(find(&l, "opt", SC_FT_OPAQUE));
	sc_layer_release(&l);
	free(gz.data);
	free(b.data);
}

static void expect_fail(tt_blob b, const sc_layer_opts *o, int code, const char *needle)
{
	sc_layer l;
	int rc = read_layer(b, &l, o);

	assert_int_equal(rc, code);
	if (!strstr(sc_error_msg(), needle))
		fail_msg("message '%s' lacks '%s'", sc_error_msg(), needle);
	assert_non_null(strstr(sc_error_msg(), "layer 1/1"));
}

static void test_hostile_names(void **state)
{
	tt_tar t;
	tt_blob b;

	(void)state;
	tt_tar_init(&t, 1 << 16);
	tt_file(&t, "../evil", "x");
	b = tt_finish(&t);
	expect_fail(b, NULL, SC_EINPUT, "escapes the image root");
	free(b.data);

	tt_tar_init(&t, 1 << 16);
	tt_file(&t, "a/../../evil", "x");
	b = tt_finish(&t);
	expect_fail(b, NULL, SC_EINPUT, "escapes");
	free(b.data);

	tt_tar_init(&t, 1 << 16);
	tt_file(&t, "/etc/passwd", "x");
	b = tt_finish(&t);
	expect_fail(b, NULL, SC_EINPUT, "absolute path");
	free(b.data);

	tt_tar_init(&t, 1 << 16);
	tt_add(&t, "x", 'h', 0644, NULL, 0, "../../etc/shadow");
	b = tt_finish(&t);
	expect_fail(b, NULL, SC_EINPUT, "hard link target");
	free(b.data);

	tt_tar_init(&t, 1 << 16);
	tt_file(&t, "dir/.wh...", "");
	b = tt_finish(&t);
	expect_fail(b, NULL, SC_EINPUT, "malformed whiteout");
	free(b.data);
}

static void test_devices(void **state)
{
	tt_tar t;
	tt_blob b;
	sc_layer l;
	sc_layer_opts o;

	(void)state;
	tt_tar_init(&t, 1 << 16);
	tt_add(&t, "dev/null", 'c', 0666, NULL, 0, NULL);
	b = tt_finish(&t);
	expect_fail(b, NULL, SC_EINPUT, "device file 'dev/null'");
	memset(&o, 0, sizeof(o));
	o.allow_devices = 1;
	assert_int_equal(read_layer(b, &l, &o), 0);
	assert_int_equal(l.entries[0].type, SC_FT_CHAR);
	assert_int_equal(l.entries[0].devmajor, 1);
	assert_int_equal(l.entries[0].devminor, 3);
	sc_layer_release(&l);
	free(b.data);
}

static void test_entry_limit(void **state)
{
	tt_tar t;
	tt_blob b;
	sc_layer l;
	sc_layer_opts o;
	uint64_t budget = 10;
	char name[32];
	int i;

	(void)state;
	tt_tar_init(&t, 1 << 20);
	for (i = 0; i < 11; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		tt_file(&t, name, "x");
	}
	b = tt_finish(&t);
	memset(&o, 0, sizeof(o));
	o.entry_budget = &budget;
	o.entry_limit = 10;
	expect_fail(b, &o, SC_ELIMIT, "more than 10 tar entries");
	budget = 11;
	assert_int_equal(read_layer(b, &l, &o), 0);
	assert_int_equal(budget, 0);
	sc_layer_release(&l);
	free(b.data);
}

static void test_name_budget(void **state)
{
	tt_tar t;
	tt_blob b;
	sc_layer l;
	sc_layer_opts o;
	uint64_t budget = 20;

	(void)state;
	tt_tar_init(&t, 1 << 16);
	tt_file(&t, "aaaaaaaaa", "x");                 /* 9 + 1 */
	tt_add(&t, "l", 'l', 0777, NULL, 0, "target"); /* 1 + 1, then 6 + 1 */
	b = tt_finish(&t);
	memset(&o, 0, sizeof(o));
	o.name_budget = &budget;
	o.name_limit = 20;
	if (read_layer(b, &l, &o) != 0)
		fail_msg("%s", sc_error_msg());
	assert_int_equal(budget, 1);
	sc_layer_release(&l);
	budget = 18; /* one byte short of the 19 needed */
	expect_fail(b, &o, SC_ELIMIT, "exceed 20 bytes");
	free(b.data);
}

/* The shared capture budget truncates captures instead of growing memory. */
static void test_capture_budget(void **state)
{
	static const char *const all[] = { "**", NULL };
	sc_interest cap = { .name = "cap", .globs = all, .capture_max = 1000 };
	const sc_interest *ins[] = { &cap };
	tt_tar t;
	tt_blob b;
	sc_layer l;
	sc_layer_opts o;
	uint64_t budget = 15;
	const sc_entry *e1, *e2;

	(void)state;
	tt_tar_init(&t, 1 << 16);
	tt_file(&t, "a", "0123456789");
	tt_file(&t, "b", "0123456789");
	b = tt_finish(&t);
	memset(&o, 0, sizeof(o));
	o.interests = ins;
	o.n_interests = 1;
	o.capture_budget = &budget;
	assert_int_equal(read_layer(b, &l, &o), 0);
	e1 = find(&l, "a", SC_FT_REG);
	e2 = find(&l, "b", SC_FT_REG);
	assert_int_equal(e1->captures->len, 10);
	assert_false(e1->captures->truncated);
	/* 5 bytes left: not enough for b's 10, which is marked truncated, not half-captured. */
	assert_int_equal(e2->captures->len, 0);
	assert_true(e2->captures->truncated);
	assert_int_equal(budget, 5);
	sc_layer_release(&l);
	free(b.data);
}

static void test_diff_id(void **state)
{
	tt_tar t;
	tt_blob b, gz;
	sc_layer l;
	sc_layer_opts o;
	sc_digest d;

	(void)state;
	tt_tar_init(&t, 1 << 16);
	tt_file(&t, "a", "hello");
	b = tt_finish(&t);
	gz = tt_gzip(b);
	sc_sha256_buf(&d, b.data, b.len);
	memset(&o, 0, sizeof(o));
	o.diff_id = &d;
	assert_int_equal(read_layer(gz, &l, &o), 0);
	assert_true(sc_digest_eq(&l.diff_id, &d));
	sc_layer_release(&l);
	d.bytes[0] ^= 1;
	expect_fail(gz, &o, SC_EDIGEST, "diff_id");
	free(gz.data);
	free(b.data);
}

static void test_not_tar(void **state)
{
	tt_blob b;
	sc_layer l;
	unsigned char junk[2048];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 7 + 1);
	b.data = junk;
	b.len = sizeof(junk);
	assert_int_not_equal(read_layer(b, &l, NULL), 0);
	assert_int_equal(sc_error_code(), SC_EINPUT);
}

/* A streaming consumer: counts bytes and sums them. */
typedef struct {
	uint64_t bytes;
	uint64_t sum;
} sum_state;

static void *sum_begin(void *ud, const sc_entry *e)
{
	(void)ud;
	(void)e;
	return calloc(1, sizeof(sum_state));
}

static int sum_data(void *fs, const void *buf, size_t len)
{
	sum_state *s = fs;
	size_t i;

	s->bytes += len;
	for (i = 0; i < len; i++)
		s->sum += ((const unsigned char *)buf)[i];
	return 0;
}

static void *sum_end(void *fs, int failed)
{
	if (failed) {
		free(fs);
		return NULL;
	}
	return fs;
}

static void sum_free(void *ud, void *r)
{
	(void)ud;
	free(r);
}

static void test_interests(void **state)
{
	static const char *const os_globs[] = { "etc/os-release", "usr/lib/os-release", NULL };
	static const char *const py_globs[] = { "**/*.py", NULL };
	static const unsigned char elf_magic[] = { 0x7f, 'E', 'L', 'F' };
	sc_interest os = { .name = "os", .globs = os_globs, .capture_max = 4 };
	sc_interest elf = { .name = "elf", .magic = elf_magic, .magic_len = 4, .capture_max = 64 };
	sc_interest py = { .name = "py", .globs = py_globs, .max_size = 100, .stream_begin = sum_begin,
			   .stream_data = sum_data, .stream_end = sum_end, .result_free = sum_free };
	const sc_interest *ins[] = { &os, &elf, &py };
	sc_layer_opts o;
	tt_tar t;
	tt_blob b;
	sc_layer l;
	const sc_entry *e;
	const sc_capture *c;
	char big[200];

	(void)state;
	memset(big, 'a', sizeof(big));
	tt_tar_init(&t, 1 << 20);
	tt_file(&t, "etc/os-release", "ID=debian\n");
	tt_add(&t, "bin/true", 'f', 0755, "\x7f" "ELF\x02\x01\x01rest-of-header", 22, NULL);
	tt_add(&t, "bin/script", 'f', 0755, "#!/bin/sh\n", 10, NULL);
	tt_add(&t, "bin/tiny", 'f', 0755, "\x7f" "E", 2, NULL);
	tt_file(&t, "app/main.py", "print(1)\n");
	tt_add(&t, "app/big.py", 'f', 0644, big, sizeof(big), NULL);
	b = tt_finish(&t);
	memset(&o, 0, sizeof(o));
	o.interests = ins;
	o.n_interests = 3;
	assert_int_equal(read_layer(b, &l, &o), 0);

	e = find(&l, "etc/os-release", SC_FT_REG);
	c = e->captures;
	assert_non_null(c);
	assert_ptr_equal(c->interest, &os);
	assert_int_equal(c->len, 4);
	assert_memory_equal(c->data, "ID=d", 4);
	assert_true(c->truncated);
	assert_null(c->next);

	e = find(&l, "bin/true", SC_FT_REG);
	assert_non_null(e->captures);
	assert_ptr_equal(e->captures->interest, &elf);
	assert_int_equal(e->captures->len, 22);
	assert_false(e->captures->truncated);
	assert_null(find(&l, "bin/script", SC_FT_REG)->captures);
	assert_null(find(&l, "bin/tiny", SC_FT_REG)->captures);

	e = find(&l, "app/main.py", SC_FT_REG);
	assert_non_null(e->captures);
	{
		sum_state *s = e->captures->result;

		assert_int_equal(s->bytes, 9);
		assert_int_equal(s->sum, 'p' + 'r' + 'i' + 'n' + 't' + '(' + '1' + ')' + '\n');
	}
	assert_null(find(&l, "app/big.py", SC_FT_REG)->captures); /* over max_size */
	sc_layer_release(&l);
	free(b.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_entry_limit),
		cmocka_unit_test(test_name_budget),
		cmocka_unit_test(test_capture_budget),
		cmocka_unit_test(test_diff_id),
		cmocka_unit_test(test_not_tar),
		cmocka_unit_test(test_interests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
