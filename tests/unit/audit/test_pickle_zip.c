/*
 * test_pickle_zip.c - the pickle container scanner (src/audit/pickle_zip.c)
 * on files written by torch.save (zip and legacy), zipfile rewrites of
 * them (deflated, malicious data.pkl), numpy.save / savez object arrays,
 * joblib.dump (raw, zlib, gzip, xz, old ZF), a zip bomb (1 GiB of zeros
 * deflated, stored gzipped in tests/fixtures/pickle/bomb.zip.gz), a Zip64
 * archive built here, and truncated / corrupted archives.  Files are read
 * through a descriptor (pread) and from memory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "audit/pickle_zip.h"
#include "core/error.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static void fixture_path(char *path, size_t n, const char *name)
{
	const char *root = getenv("SCUTE_SOURCE_ROOT");

	snprintf(path, n, "%s/tests/fixtures/pickle/%s", root ? root : ".", name);
}

static unsigned char *load_fixture(const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	unsigned char *d;
	long n;

	fixture_path(path, sizeof(path), name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	d = malloc((size_t)n + 1);
	assert_int_equal(fread(d, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return d;
}

/* Scan a fixture through its file descriptor. */
static void scan_file(const char *name, sc_pickle_file_report *r)
{
	char path[1024];
	struct stat st;
	int fd;

	fixture_path(path, sizeof(path), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(sc_pickle_scan_file(r, fd, (uint64_t)st.st_size, name), 0);
	close(fd);
}

static const sc_pickle_import *find_import(const sc_pickle_report *r, const char *module, const char *name)
{
	size_t i;

	for (i = 0; i < r->n_imports; i++)
		if (!strcmp(r->imports[i].module, module) && !strcmp(r->imports[i].name, name))
			return &r->imports[i];
	return NULL;
}

static void test_torch_zip(void **state)
{
	static const char *const files[] = { "torch.pt", "torch_deflated.pt" };
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		sc_pickle_file_report r;
		const sc_pickle_member *m;

		scan_file(files[i], &r);
		assert_string_equal(r.format, "pytorch-zip");
		assert_int_equal(r.verdict, SC_PICKLE_VERDICT_SAFE);
		assert_int_equal(r.n_members, 1);
		m = &r.members[0];
		assert_string_equal(m->name, "torch/data.pkl");
		assert_true(m->scanned);
		assert_string_equal(m->note, "");
		if (i == 1)
			assert_string_equal(m->compression, "deflate");
		else
			assert_null(m->compression);
		assert_non_null(find_import(&m->report, "torch._utils", "_rebuild_tensor_v2"));
		assert_non_null(find_import(&m->report, "torch", "FloatStorage"));
		assert_non_null(find_import(&m->report, "collections", "OrderedDict"));
		assert_int_equal(m->report.n_persid, 3);
		assert_true(r.zip_entries >= 4);
		sc_pickle_file_report_release(&r);
	}
}

static void test_torch_evil(void **state)
{
	static const char *const files[] = { "torch_evil.pt", "torch_evil_deflated.pt" };
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		sc_pickle_file_report r;

		scan_file(files[i], &r);
		assert_string_equal(r.format, "pytorch-zip");
		assert_int_equal(r.verdict, SC_PICKLE_VERDICT_DANGEROUS);
		assert_string_equal(r.reason, "torch/data.pkl: imports posix.system at offset 0xd");
		sc_pickle_file_report_release(&r);
	}
}

static void test_torch_legacy(void **state)
{
	sc_pickle_file_report r;

	(void)state;
	scan_file("torch_legacy.pt", &r);
	assert_string_equal(r.format, "pickle");
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_SAFE);
	assert_int_equal(r.n_members, 1);
	assert_int_equal(r.members[0].report.pickles, 5);
	assert_true(r.members[0].report.trailing > 0); /* the raw storage bytes */
	assert_non_null(find_import(&r.members[0].report, "torch._utils", "_rebuild_tensor_v2"));
	sc_pickle_file_report_release(&r);
}

static unsigned char *gunzip_fixture(const char *name, size_t *out_len)
{
	size_t zn, cap = 4u << 20, n = 0;
	unsigned char *z = load_fixture(name, &zn), *o = malloc(cap);
	z_stream s;
	int zr;

	memset(&s, 0, sizeof(s));
	assert_int_equal(inflateInit2(&s, 31), Z_OK);
	s.next_in = z;
	s.avail_in = (uInt)zn;
	do {
		if (n == cap) {
			cap *= 2;
			o = realloc(o, cap);
		}
		s.next_out = o + n;
		s.avail_out = (uInt)(cap - n);
		zr = inflate(&s, Z_NO_FLUSH);
		n = cap - s.avail_out;
	} while (zr == Z_OK);
	assert_int_equal(zr, Z_STREAM_END);
	inflateEnd(&s);
	free(z);
	*out_len = n;
	return o;
}

static void test_zip_bomb(void **state)
{
	size_t n;
	unsigned char *zip = gunzip_fixture("bomb.zip.gz", &n);
	sc_pickle_file_report r;
	sc_pickle_file_opts o;
	const sc_pickle_member *m;

	(void)state;
	assert_true(n < (2u << 20)); /* ~1 MiB that inflates to 1 GiB */
	memset(&o, 0, sizeof(o));
	o.member_cap = 8u << 20;
	assert_int_equal(sc_pickle_scan_buffer(&r, zip, n, "bomb.zip", &o), 0);
	assert_string_equal(r.format, "pytorch-zip");
	assert_int_equal(r.n_members, 1);
	m = &r.members[0];
	assert_true(m->capped);
	assert_true(m->scanned_bytes <= (8u << 20));
	assert_non_null(strstr(m->note, "exceeds the 8388608-byte cap"));
	assert_true(r.verdict >= SC_PICKLE_VERDICT_UNKNOWN);
	sc_pickle_file_report_release(&r);

	/* the default cap (256 MiB) bounds it too */
	assert_int_equal(sc_pickle_scan_buffer(&r, zip, n, "bomb.zip", NULL), 0);
	assert_true(r.members[0].capped);
	assert_int_equal(r.members[0].scanned_bytes, SC_PICKLE_ZIP_MEMBER_CAP);
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_MALFORMED); /* zeros are no pickle opcodes */
	sc_pickle_file_report_release(&r);

	/* a total budget smaller than a member: the member is cut to the budget */
	o.member_cap = 0;
	o.total_cap = 1u << 20;
	assert_int_equal(sc_pickle_scan_buffer(&r, zip, n, "bomb.zip", &o), 0);
	assert_true(r.members[0].scanned_bytes <= (1u << 20));
	sc_pickle_file_report_release(&r);
	free(zip);
}

static void test_npy(void **state)
{
	sc_pickle_file_report r;

	(void)state;
	scan_file("obj.npy", &r);
	assert_string_equal(r.format, "npy");
	assert_int_equal(r.n_members, 1);
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_SAFE);
	assert_int_equal(r.members[0].report.protocol, 3);
	sc_pickle_file_report_release(&r);

	scan_file("evil_obj.npy", &r);
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_DANGEROUS);
	assert_non_null(strstr(r.reason, "posix.system"));
	sc_pickle_file_report_release(&r);

	scan_file("num.npy", &r);
	assert_string_equal(r.format, "npy");
	assert_int_equal(r.n_members, 0);
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_SAFE);
	sc_pickle_file_report_release(&r);

	scan_file("objs.npz", &r);
	assert_string_equal(r.format, "zip");
	assert_int_equal(r.n_members, 1); /* o.npy; the numeric a.npy is not a pickle */
	assert_string_equal(r.members[0].name, "o.npy");
	assert_string_equal(r.members[0].kind, "npy-object");
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_SAFE);
	sc_pickle_file_report_release(&r);
}

static void test_joblib(void **state)
{
	static const struct {
		const char *file, *comp;
	} t[] = { { "model.joblib", NULL }, { "model_zlib.joblib", "zlib" }, { "model_gzip.joblib", "gzip" } };
	size_t i;
	sc_pickle_file_report r;

	(void)state;
	for (i = 0; i < 3; i++) {
		scan_file(t[i].file, &r);
		assert_string_equal(r.format, "joblib");
		assert_int_equal(r.verdict, SC_PICKLE_VERDICT_SAFE);
		assert_int_equal(r.n_members, 1);
		if (t[i].comp)
			assert_string_equal(r.members[0].compression, t[i].comp);
		else
			assert_null(r.members[0].compression);
		/* two numeric arrays skipped, one object array's nested pickle walked */
		assert_int_equal(r.members[0].report.joblib_arrays, 3);
		assert_int_equal(r.members[0].report.pickles, 1);
		assert_non_null(find_import(&r.members[0].report, "joblib.numpy_pickle", "NumpyArrayWrapper"));
		sc_pickle_file_report_release(&r);
	}
	scan_file("model_xz.joblib", &r);
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_UNKNOWN);
	assert_string_equal(r.reason, "compressed with xz, not scanned");
	assert_false(r.members[0].scanned);
	sc_pickle_file_report_release(&r);

	scan_file("evil.joblib", &r);
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_DANGEROUS);
	sc_pickle_file_report_release(&r);

	scan_file("old_zf.joblib", &r);
	assert_string_equal(r.format, "joblib");
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_SAFE);
	assert_int_equal(r.members[0].report.pickles, 1);
	sc_pickle_file_report_release(&r);
}

static void test_raw_pickles(void **state)
{
	sc_pickle_file_report r;

	(void)state;
	scan_file("evil_os_p0.pkl", &r);
	assert_string_equal(r.format, "pickle");
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_DANGEROUS);
	assert_string_equal(r.reason, "imports posix.system at offset 0x0");
	sc_pickle_file_report_release(&r);

	scan_file("plain_p0.pkl", &r);
	assert_string_equal(r.format, "pickle");
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_SAFE);
	sc_pickle_file_report_release(&r);

	/* not a pickle at all */
	assert_int_equal(sc_pickle_scan_buffer(&r, (const unsigned char *)"hello world\n", 12, "t", NULL), 0);
	assert_null(r.format);
	assert_int_equal(r.n_members, 0);
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_SAFE);
	sc_pickle_file_report_release(&r);
	assert_int_equal(sc_pickle_scan_buffer(&r, NULL, 0, "t", NULL), 0);
	assert_null(r.format);
	sc_pickle_file_report_release(&r);
}

/* ---- a Zip64 archive written here (APPNOTE 4.3.14-4.3.16, 4.5.3) ---- */
typedef struct {
	unsigned char *p;
	size_t n;
} bb;

static void put(bb *b, const void *d, size_t n)
{
	b->p = realloc(b->p, b->n + n);
	memcpy(b->p + b->n, d, n);
	b->n += n;
}
static void u16(bb *b, unsigned v)
{
	unsigned char c[2] = { (unsigned char)v, (unsigned char)(v >> 8) };

	put(b, c, 2);
}
static void u32(bb *b, uint32_t v)
{
	u16(b, v & 0xffff);
	u16(b, v >> 16);
}
static void u64(bb *b, uint64_t v)
{
	u32(b, (uint32_t)v);
	u32(b, (uint32_t)(v >> 32));
}

static void zip64(bb *b, const char *name, const unsigned char *data, size_t dn)
{
	uint32_t crc = (uint32_t)crc32(0, data, (uInt)dn);
	size_t nl = strlen(name), cd, z64;

	memset(b, 0, sizeof(*b));
	put(b, "PK\x03\x04", 4);
	u16(b, 45); u16(b, 0); u16(b, 0); u16(b, 0); u16(b, 0);
	u32(b, crc); u32(b, 0xffffffffu); u32(b, 0xffffffffu);
	u16(b, (unsigned)nl); u16(b, 20);
	put(b, name, nl);
	u16(b, 1); u16(b, 16); u64(b, dn); u64(b, dn);
	put(b, data, dn);
	cd = b->n;
	put(b, "PK\x01\x02", 4);
	u16(b, 45); u16(b, 45); u16(b, 0); u16(b, 0); u16(b, 0); u16(b, 0);
	u32(b, crc); u32(b, 0xffffffffu); u32(b, 0xffffffffu);
	u16(b, (unsigned)nl); u16(b, 28); u16(b, 0); u16(b, 0); u16(b, 0); u32(b, 0);
	u32(b, 0xffffffffu);
	put(b, name, nl);
	u16(b, 1); u16(b, 24); u64(b, dn); u64(b, dn); u64(b, 0);
	z64 = b->n;
	put(b, "PK\x06\x06", 4);
	u64(b, 44); u16(b, 45); u16(b, 45); u32(b, 0); u32(b, 0);
	u64(b, 1); u64(b, 1); u64(b, z64 - cd); u64(b, cd);
	put(b, "PK\x06\x07", 4);
	u32(b, 0); u64(b, z64); u32(b, 1);
	put(b, "PK\x05\x06", 4);
	u16(b, 0); u16(b, 0); u16(b, 0xffff); u16(b, 0xffff); u32(b, 0xffffffffu); u32(b, 0xffffffffu); u16(b, 0);
}

static void test_zip64(void **state)
{
	size_t n;
	unsigned char *evil = load_fixture("evil_os_p2.pkl", &n);
	sc_pickle_file_report r;
	bb b;

	(void)state;
	zip64(&b, "archive/data.pkl", evil, n);
	assert_int_equal(sc_pickle_scan_buffer(&r, b.p, b.n, "z64.pt", NULL), 0);
	assert_string_equal(r.format, "pytorch-zip");
	assert_int_equal(r.n_members, 1);
	assert_string_equal(r.members[0].note, "");
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_DANGEROUS);
	sc_pickle_file_report_release(&r);

	/* a Zip64 locator pointing nowhere: reported, not scanned, not a crash */
	b.p[b.n - 22 - 20 + 8] ^= 0x40;
	assert_int_equal(sc_pickle_scan_buffer(&r, b.p, b.n, "z64.pt", NULL), 0);
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_UNKNOWN);
	assert_non_null(strstr(r.reason, "Zip64"));
	sc_pickle_file_report_release(&r);
	free(b.p);
	free(evil);
}

static void test_truncated_and_corrupt(void **state)
{
	static const char *const files[] = { "torch.pt", "torch_deflated.pt", "objs.npz", "model_zlib.joblib",
					      "obj.npy", "model.joblib", "torch_legacy.pt" };
	size_t f;

	(void)state;
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		size_t n, k;
		unsigned char *d = load_fixture(files[f], &n);

		for (k = 0; k < n; k++) {
			sc_pickle_file_report r;
			unsigned char *c = malloc(n);

			/* every prefix */
			memcpy(c, d, n);
			assert_int_equal(sc_pickle_scan_buffer(&r, c, k, files[f], NULL), 0);
			sc_pickle_file_report_release(&r);
			/* every single-byte corruption */
			c[k] ^= 0xa5;
			assert_int_equal(sc_pickle_scan_buffer(&r, c, n, files[f], NULL), 0);
			sc_pickle_file_report_release(&r);
			free(c);
		}
		free(d);
	}
}

static void test_fd_errors(void **state)
{
	char path[1024];
	struct stat st;
	sc_pickle_file_report r;
	int fd;

	(void)state;
	fixture_path(path, sizeof(path), "torch.pt");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	/* the caller claims more bytes than the file has */
	assert_int_equal(sc_pickle_scan_file(&r, fd, (uint64_t)st.st_size + 100000, "torch.pt"), SC_EIO);
	close(fd);
	assert_int_equal(sc_pickle_scan_file(&r, -1, 10, "x"), SC_EUSAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_torch_zip),
		cmocka_unit_test(test_torch_evil),
		cmocka_unit_test(test_torch_legacy),
		cmocka_unit_test(test_zip_bomb),
		cmocka_unit_test(test_npy),
		cmocka_unit_test(test_joblib),
		cmocka_unit_test(test_raw_pickles),
		cmocka_unit_test(test_zip64),
		cmocka_unit_test(test_truncated_and_corrupt),
		cmocka_unit_test(test_fd_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
