/*
 * test_pickle.c - the pickle safety scanner (src/audit/pickle.c) on real
 * pickles made by CPython, NumPy and PyTorch (tests/fixtures/pickle/gen.py:
 * plain data in protocols 0-5, os.system / eval / subprocess.Popen /
 * functools.partial payloads built with pickle.dumps of a __reduce__, the
 * import hidden behind the memo and behind STRING escapes, a custom class,
 * NumPy arrays, a stream with every pickletools opcode) and on hostile
 * inputs built here (huge memo indices, deep marks, truncation at every
 * byte, oversized frames and lengths, 100k imports, computed imports).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "audit/pickle.h"
#include "core/error.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *load_fixture(const char *name, size_t *len)
{
	char path[1024];
	const char *root = getenv("SCUTE_SOURCE_ROOT");
	FILE *f;
	unsigned char *d;
	long n;

	snprintf(path, sizeof(path), "%s/tests/fixtures/pickle/%s", root ? root : ".", name);
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

static const sc_pickle_import *find_import(const sc_pickle_report *r, const char *module, const char *name)
{
	size_t i;

	for (i = 0; i < r->n_imports; i++)
		if (!strcmp(r->imports[i].module, module) && !strcmp(r->imports[i].name, name))
			return &r->imports[i];
	return NULL;
}

static void scan_fixture(const char *name, sc_pickle_report *r)
{
	size_t n;
	unsigned char *d = load_fixture(name, &n);

	assert_int_equal(sc_pickle_scan(r, d, n, name), 0);
	free(d);
}

static void scan_bytes(const void *b, size_t n, sc_pickle_report *r)
{
	assert_int_equal(sc_pickle_scan(r, b, n, "test"), 0);
}

/* ---- well-formed data ---- */

static void test_plain_protocols(void **state)
{
	static const int proto[] = { -1, -1, 2, 3, 4, 5 };
	int p;

	(void)state;
	for (p = 0; p <= 5; p++) {
		char name[32];
		sc_pickle_report r;

		snprintf(name, sizeof(name), "plain_p%d.pkl", p);
		scan_fixture(name, &r);
		assert_int_equal(r.verdict, SC_PICKLE_VERDICT_SAFE);
		assert_int_equal(r.protocol, proto[p]);
		assert_int_equal(r.pickles, 1);
		assert_int_equal(r.malformed, 0);
		assert_int_equal(r.truncated, 0);
		assert_int_equal(r.n_dangerous + r.n_unknown, 0);
		sc_pickle_report_release(&r);
	}
}

static void test_numpy(void **state)
{
	static const char *const files[] = { "numpy_p2.pkl", "numpy_p4.pkl", "numpy_p5.pkl" };
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		sc_pickle_report r;

		scan_fixture(files[i], &r);
		assert_int_equal(r.verdict, SC_PICKLE_VERDICT_SAFE);
		assert_non_null(find_import(&r, "numpy", "dtype"));
		sc_pickle_report_release(&r);
	}
	{
		sc_pickle_report r;
		const sc_pickle_import *im;

		scan_fixture("numpy_p2.pkl", &r);
		im = find_import(&r, "numpy.core.multiarray", "_reconstruct");
		assert_non_null(im);
		assert_int_equal(im->cls, SC_PICKLE_SAFE);
		assert_int_equal(im->calls, 1);
		assert_int_equal(im->builds, 1);
		assert_int_equal(im->first_offset, 2);
		sc_pickle_report_release(&r);
	}
}

static void test_all_opcodes(void **state)
{
	sc_pickle_report r;
	const sc_pickle_import *im;

	(void)state;
	scan_fixture("all_opcodes.pkl", &r);
	assert_int_equal(r.malformed, 0);
	assert_int_equal(r.pickles, 1);
	assert_int_equal(r.protocol, 5);
	assert_int_equal(r.n_reduce, 1);
	assert_int_equal(r.n_inst, 1);
	assert_int_equal(r.n_obj, 1);
	assert_int_equal(r.n_newobj, 1);
	assert_int_equal(r.n_newobj_ex, 1);
	assert_int_equal(r.n_build, 1);
	assert_int_equal(r.n_persid, 2);
	assert_int_equal(r.n_ext, 3);
	assert_int_equal(r.calls_unresolved, 0);
	im = find_import(&r, "collections", "OrderedDict");
	assert_non_null(im);
	assert_int_equal(im->count, 5);
	assert_int_equal(im->calls, 5);
	assert_int_equal(im->builds, 1);
	/* extension registry imports are not allowlisted */
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_UNKNOWN);
	assert_non_null(find_import(&r, "copyreg._extension_registry", "1"));
	sc_pickle_report_release(&r);
}

/* ---- malicious ---- */

static void expect_dangerous(const char *file, const char *module, const char *name)
{
	sc_pickle_report r;
	const sc_pickle_import *im;
	char want[256];

	scan_fixture(file, &r);
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_DANGEROUS);
	im = find_import(&r, module, name);
	assert_non_null(im);
	assert_int_equal(im->cls, SC_PICKLE_DANGEROUS);
	assert_true(im->calls >= 1);
	snprintf(want, sizeof(want), "imports %s.%s at offset 0x%" PRIx64, module, name, im->first_offset);
	assert_string_equal(r.reason, want);
	assert_int_equal(r.malformed, 0);
	sc_pickle_report_release(&r);
}

static void test_dangerous(void **state)
{
	(void)state;
	expect_dangerous("evil_os_p0.pkl", "posix", "system");
	expect_dangerous("evil_os_p2.pkl", "posix", "system");
	expect_dangerous("evil_os_p4.pkl", "posix", "system");
	expect_dangerous("evil_memo.pkl", "posix", "system");
	expect_dangerous("evil_escaped.pkl", "os", "system");
	expect_dangerous("evil_eval.pkl", "builtins", "eval");
	expect_dangerous("evil_popen.pkl", "subprocess", "Popen");
	expect_dangerous("evil_partial.pkl", "functools", "partial");
	expect_dangerous("evil_in_data.pkl", "posix", "system");
	{
		sc_pickle_report r;

		scan_fixture("evil_os_p0.pkl", &r);
		assert_string_equal(r.reason, "imports posix.system at offset 0x0");
		assert_int_equal(r.n_reduce, 1);
		sc_pickle_report_release(&r);
	}
}

static void test_custom_class(void **state)
{
	sc_pickle_report r;
	const sc_pickle_import *im;

	(void)state;
	scan_fixture("custom.pkl", &r);
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_UNKNOWN);
	im = find_import(&r, "mymodule", "Thing");
	assert_non_null(im);
	assert_int_equal(im->cls, SC_PICKLE_UNKNOWN);
	assert_int_equal(im->calls, 1);
	assert_int_equal(im->builds, 1);
	assert_non_null(strstr(r.reason, "mymodule.Thing"));
	sc_pickle_report_release(&r);

	scan_fixture("custom_p0.pkl", &r);
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_UNKNOWN);
	assert_non_null(find_import(&r, "mymodule", "Thing"));
	assert_non_null(find_import(&r, "copy_reg", "_reconstructor"));
	sc_pickle_report_release(&r);
}

static void test_classify(void **state)
{
	static const struct {
		const char *m, *n;
		sc_pickle_class c;
	} t[] = {
		{ "os", "system", SC_PICKLE_DANGEROUS },
		{ "os.path", "join", SC_PICKLE_DANGEROUS },
		{ "posix", "system", SC_PICKLE_DANGEROUS },
		{ "nt", "system", SC_PICKLE_DANGEROUS },
		{ "subprocess", "check_output", SC_PICKLE_DANGEROUS },
		{ "builtins", "eval", SC_PICKLE_DANGEROUS },
		{ "__builtin__", "getattr", SC_PICKLE_DANGEROUS },
		{ "builtins", "__import__", SC_PICKLE_DANGEROUS },
		{ "_operator", "attrgetter", SC_PICKLE_DANGEROUS },
		{ "operator", "methodcaller", SC_PICKLE_DANGEROUS },
		{ "functools", "reduce", SC_PICKLE_DANGEROUS },
		{ "types", "CodeType", SC_PICKLE_DANGEROUS },
		{ "importlib.import_module", "x", SC_PICKLE_DANGEROUS },
		{ "socket", "create_connection", SC_PICKLE_DANGEROUS },
		{ "http.client", "HTTPConnection", SC_PICKLE_DANGEROUS },
		{ "runpy", "_run_code", SC_PICKLE_DANGEROUS },
		{ "pickle", "loads", SC_PICKLE_DANGEROUS },
		{ "_pickle", "loads", SC_PICKLE_DANGEROUS },
		{ "marshal", "loads", SC_PICKLE_DANGEROUS },
		{ "numpy.testing._private.utils", "runstring", SC_PICKLE_DANGEROUS },
		{ "torch.hub", "load", SC_PICKLE_DANGEROUS },
		{ "torch", "load", SC_PICKLE_DANGEROUS },
		{ "ctypes", "CDLL", SC_PICKLE_DANGEROUS },
		{ "torch._utils", "_rebuild_tensor_v2", SC_PICKLE_SAFE },
		{ "torch._utils", "_rebuild_parameter", SC_PICKLE_SAFE },
		{ "torch", "FloatStorage", SC_PICKLE_SAFE },
		{ "torch", "BFloat16Storage", SC_PICKLE_SAFE },
		{ "torch.cuda", "HalfStorage", SC_PICKLE_SAFE },
		{ "torch.storage", "UntypedStorage", SC_PICKLE_SAFE },
		{ "torch", "bfloat16", SC_PICKLE_SAFE },
		{ "torch", "Size", SC_PICKLE_SAFE },
		{ "torch._tensor", "_rebuild_from_type_v2", SC_PICKLE_SAFE },
		{ "collections", "OrderedDict", SC_PICKLE_SAFE },
		{ "__builtin__", "set", SC_PICKLE_SAFE },
		{ "builtins", "frozenset", SC_PICKLE_SAFE },
		{ "_codecs", "encode", SC_PICKLE_SAFE },
		{ "numpy._core.multiarray", "_reconstruct", SC_PICKLE_SAFE },
		{ "numpy", "ndarray", SC_PICKLE_SAFE },
		{ "joblib.numpy_pickle", "NumpyArrayWrapper", SC_PICKLE_SAFE },
		{ "torch.storage", "_load_from_bytes", SC_PICKLE_UNKNOWN },
		{ "copyreg", "_reconstructor", SC_PICKLE_UNKNOWN },
		{ "osx", "thing", SC_PICKLE_UNKNOWN },
		{ "torch", "Storage Evil", SC_PICKLE_UNKNOWN },
		{ "torch", "system", SC_PICKLE_UNKNOWN },
		{ "mymodule", "Thing", SC_PICKLE_UNKNOWN },
		{ "builtins", "print", SC_PICKLE_UNKNOWN },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (sc_pickle_classify(t[i].m, t[i].n) != t[i].c)
			fail_msg("%s.%s: got %d, want %d", t[i].m, t[i].n, sc_pickle_classify(t[i].m, t[i].n), t[i].c);
	}
	assert_int_equal(sc_pickle_classify(NULL, "x"), SC_PICKLE_UNKNOWN);
	assert_int_equal(sc_pickle_classify("os", NULL), SC_PICKLE_UNKNOWN);
	assert_non_null(sc_pickle_rationale("os", "system"));
	assert_non_null(strstr(sc_pickle_rationale("torch.storage", "_load_from_bytes"), "nested"));
	assert_string_equal(sc_pickle_class_name(SC_PICKLE_DANGEROUS), "dangerous");
	assert_string_equal(sc_pickle_verdict_name(SC_PICKLE_VERDICT_MALFORMED), "malformed");
}

/* ---- streams ---- */

static void test_concatenated(void **state)
{
	size_t a, b;
	unsigned char *pa = load_fixture("plain_p2.pkl", &a), *pb = load_fixture("evil_os_p2.pkl", &b);
	unsigned char *cat = malloc(a + b + 16);
	sc_pickle_report r;

	(void)state;
	memcpy(cat, pa, a);
	memcpy(cat + a, pb, b);
	scan_bytes(cat, a + b, &r);
	assert_int_equal(r.pickles, 2);
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_DANGEROUS);
	sc_pickle_report_release(&r);

	/* protocol 0 evil pickle after a protocol 2 one: still scanned */
	memcpy(cat + a, "cos\nsystem\n(S'x'\ntR.", 20);
	scan_bytes(cat, a + 20, &r);
	assert_int_equal(r.pickles, 2);
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_DANGEROUS);
	sc_pickle_report_release(&r);

	/* bytes after a pickle that are not one: trailing data, not malformed */
	memcpy(cat + a, "\x0c\x00\x00\x00\x00\x00\x00\x00\xff\xfe\x00", 11);
	scan_bytes(cat, a + 11, &r);
	assert_int_equal(r.pickles, 1);
	assert_int_equal(r.trailing, 11);
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_SAFE);
	sc_pickle_report_release(&r);

	/* ... but a max_pickles limit stops early */
	{
		sc_pickle_opts o;

		memset(&o, 0, sizeof(o));
		o.max_pickles = 1;
		memcpy(cat + a, pb, b);
		assert_int_equal(sc_pickle_scan_ex(&r, cat, a + b, "t", &o), 0);
		assert_int_equal(r.pickles, 1);
		assert_int_equal(r.trailing, b);
		sc_pickle_report_release(&r);
	}
	free(pa);
	free(pb);
	free(cat);
}

static void test_truncation(void **state)
{
	static const char *const files[] = { "evil_os_p4.pkl", "all_opcodes.pkl", "numpy_p4.pkl", "plain_p0.pkl" };
	size_t f;

	(void)state;
	for (f = 0; f < 4; f++) {
		size_t n, k;
		unsigned char *d = load_fixture(files[f], &n);

		for (k = 0; k < n; k++) {
			unsigned char *c = malloc(k ? k : 1);
			sc_pickle_report r;
			sc_pickle_opts o;

			memcpy(c, d, k);
			scan_bytes(c, k, &r);
			assert_true(r.verdict == SC_PICKLE_VERDICT_MALFORMED || r.verdict == SC_PICKLE_VERDICT_DANGEROUS ||
				    r.verdict == SC_PICKLE_VERDICT_UNKNOWN);
			assert_true(r.malformed);
			sc_pickle_report_release(&r);
			/* prefix mode: running out is `truncated`, not malformed */
			memset(&o, 0, sizeof(o));
			o.prefix = 1;
			assert_int_equal(sc_pickle_scan_ex(&r, c, k, "t", &o), 0);
			assert_true(r.truncated);
			assert_false(r.malformed);
			sc_pickle_report_release(&r);
			free(c);
		}
		free(d);
	}
}

/* ---- hostile ---- */

static void test_hostile_memo(void **state)
{
	sc_pickle_report r;
	size_t n = 0, i, count = SC_PICKLE_MAX_MEMO + 10;
	unsigned char *b;

	(void)state;
	{
		/* LONG_BINPUT 0xffffffff, then LONG_BINGET of it: fine, and no big allocation */
		static const unsigned char p[] = { 0x80, 0x04, 0x8c, 0x05, 'p', 'o', 's', 'i', 'x', 'r', 0xff, 0xff, 0xff,
						   0xff, '0', 'j', 0xff, 0xff, 0xff, 0xff, 0x8c, 0x06, 's', 'y', 's',
						   't', 'e', 'm', 0x93, 'N', 0x85, 'R', '.' };

		scan_bytes(p, sizeof(p), &r);
		assert_int_equal(r.malformed, 0);
		assert_int_equal(r.verdict, SC_PICKLE_VERDICT_DANGEROUS);
		assert_non_null(find_import(&r, "posix", "system"));
		sc_pickle_report_release(&r);
	}
	{
		/* GET of a key that was never put */
		static const unsigned char p[] = { 0x80, 0x04, 'j', 0xff, 0xff, 0xff, 0xff, '.' };

		scan_bytes(p, sizeof(p), &r);
		assert_int_equal(r.verdict, SC_PICKLE_VERDICT_MALFORMED);
		assert_non_null(strstr(r.error, "memo key 4294967295 missing"));
		sc_pickle_report_release(&r);
	}
	/* more distinct memo keys than the cap */
	b = malloc(count * 5 + 16);
	b[n++] = 0x80;
	b[n++] = 0x04;
	b[n++] = 'N';
	for (i = 0; i < count; i++) {
		b[n++] = 'r';
		b[n++] = (unsigned char)i;
		b[n++] = (unsigned char)(i >> 8);
		b[n++] = (unsigned char)(i >> 16);
		b[n++] = (unsigned char)(i >> 24);
	}
	b[n++] = '.';
	scan_bytes(b, n, &r);
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_MALFORMED);
	assert_non_null(strstr(r.error, "memo exceeds"));
	sc_pickle_report_release(&r);
	free(b);
}

static void test_hostile_marks_and_frames(void **state)
{
	sc_pickle_report r;
	size_t n = SC_PICKLE_MAX_STACK + 100;
	unsigned char *b = malloc(n + 2);

	(void)state;
	memset(b, '(', n);
	b[n] = '.';
	scan_bytes(b, n + 1, &r);
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_MALFORMED);
	assert_non_null(strstr(r.error, "nested marks"));
	sc_pickle_report_release(&r);
	memset(b, 'N', n);
	scan_bytes(b, n + 1, &r);
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_MALFORMED);
	assert_non_null(strstr(r.error, "stack deeper"));
	sc_pickle_report_release(&r);
	free(b);
	{
		static const unsigned char frame[] = { 0x80, 0x04, 0x95, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 'N', '.' };
		static const unsigned char frame2[] = { 0x80, 0x04, 0x95, 0x0c, 0, 0, 0, 0, 0, 0, 0, 'N', 0x95, 1, 0, 0, 0, 0, 0, 0, 0, '.', '.' };
		static const unsigned char cross[] = { 0x80, 0x04, 0x95, 0x02, 0, 0, 0, 0, 0, 0, 0, 'K', 0x01, '.', '.' };
		static const unsigned char cross2[] = { 0x80, 0x04, 0x95, 0x01, 0, 0, 0, 0, 0, 0, 0, 'K', 0x01, '.' };

		scan_bytes(frame, sizeof(frame), &r);
		assert_int_equal(r.verdict, SC_PICKLE_VERDICT_MALFORMED);
		assert_non_null(strstr(r.error, "FRAME of 18446744073709551615 bytes"));
		sc_pickle_report_release(&r);
		scan_bytes(frame2, sizeof(frame2), &r);
		assert_int_equal(r.verdict, SC_PICKLE_VERDICT_MALFORMED);
		assert_non_null(strstr(r.error, "inside the previous frame"));
		sc_pickle_report_release(&r);
		scan_bytes(cross, sizeof(cross), &r);
		assert_int_equal(r.malformed, 0);
		sc_pickle_report_release(&r);
		scan_bytes(cross2, sizeof(cross2), &r);
		assert_non_null(strstr(r.error, "crosses the end of its frame"));
		sc_pickle_report_release(&r);
	}
}

static void test_hostile_lengths(void **state)
{
	static const unsigned char big8[] = { 0x80, 0x04, 0x8d, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 'a', '.' };
	static const unsigned char negstr[] = { 0x80, 0x02, 'T', 0xff, 0xff, 0xff, 0xff, 'a', '.' };
	static const unsigned char proto9[] = { 0x80, 0x09, 'N', '.' };
	static const unsigned char badop[] = { 0x80, 0x02, 0xff, '.' };
	static const unsigned char under[] = { 0x80, 0x02, 'R', '.' };
	static const unsigned char nomark[] = { 0x80, 0x02, 't', '.' };
	static const unsigned char badglobal[] = { 'c', 'o', ' ', 's', '\n', 'x', '\n', '.' };
	static const unsigned char bytesglobal[] = { 0x80, 0x04, 'C', 2, 'o', 's', 'C', 6, 's', 'y', 's', 't', 'e', 'm', 0x93, '.' };
	static const unsigned char unquoted[] = { 'S', 'a', 'b', 'c', '\n', '.' };
	sc_pickle_report r;

	(void)state;
	scan_bytes(big8, sizeof(big8), &r);
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_MALFORMED);
	assert_true(r.truncated);
	sc_pickle_report_release(&r);
	scan_bytes(negstr, sizeof(negstr), &r);
	assert_non_null(strstr(r.error, "negative length in BINSTRING"));
	sc_pickle_report_release(&r);
	scan_bytes(proto9, sizeof(proto9), &r);
	assert_string_equal(r.error, "unsupported pickle protocol 9");
	sc_pickle_report_release(&r);
	scan_bytes(badop, sizeof(badop), &r);
	assert_string_equal(r.reason, "unknown pickle opcode 0xff at offset 2");
	assert_int_equal(r.error_offset, 2);
	sc_pickle_report_release(&r);
	scan_bytes(under, sizeof(under), &r);
	assert_non_null(strstr(r.error, "stack underflow"));
	sc_pickle_report_release(&r);
	scan_bytes(nomark, sizeof(nomark), &r);
	assert_non_null(strstr(r.error, "no mark"));
	sc_pickle_report_release(&r);
	scan_bytes(badglobal, sizeof(badglobal), &r);
	assert_non_null(strstr(r.error, "not a module and a name"));
	sc_pickle_report_release(&r);
	scan_bytes(bytesglobal, sizeof(bytesglobal), &r);
	assert_non_null(strstr(r.error, "not a str"));
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_MALFORMED);
	sc_pickle_report_release(&r);
	scan_bytes(unquoted, sizeof(unquoted), &r);
	assert_non_null(strstr(r.error, "not quoted"));
	sc_pickle_report_release(&r);
	scan_bytes("", 0, &r);
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_MALFORMED);
	sc_pickle_report_release(&r);
	assert_int_equal(sc_pickle_scan(NULL, (const unsigned char *)"N.", 2, "x"), SC_EUSAGE);
	assert_int_equal(sc_pickle_scan(&r, NULL, 2, "x"), SC_EUSAGE);
}

static void test_dynamic_import(void **state)
{
	/* STACK_GLOBAL whose module is the result of a call: cannot be named -> dangerous */
	static const unsigned char p[] = { 0x80, 0x04, 0x8c, 0x08, 'b', 'u', 'i', 'l', 't', 'i', 'n', 's', 0x8c, 0x03, 's',
					   't', 'r', 0x93, 0x8c, 0x02, 'o', 's', 0x85, 'R', 0x8c, 0x06, 's', 'y', 's',
					   't', 'e', 'm', 0x93, 'N', 0x85, 'R', '.' };
	sc_pickle_report r;

	(void)state;
	scan_bytes(p, sizeof(p), &r);
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_DANGEROUS);
	assert_non_null(find_import(&r, "?", "system"));
	assert_non_null(strstr(r.reason, "imports ?.system"));
	sc_pickle_report_release(&r);
}

static void test_many_globals(void **state)
{
	size_t n = 0, i, count = 100000;
	unsigned char *b = malloc(count * 32 + 16);
	sc_pickle_report r;

	(void)state;
	b[n++] = 0x80;
	b[n++] = 0x02;
	for (i = 0; i < count; i++) {
		n += (size_t)sprintf((char *)b + n, "cmod%zu\nname\n0", i);
	}
	b[n++] = 'N';
	b[n++] = '.';
	scan_bytes(b, n, &r);
	assert_int_equal(r.n_imports, SC_PICKLE_MAX_IMPORTS);
	assert_int_equal(r.imports_dropped, count - SC_PICKLE_MAX_IMPORTS);
	assert_int_equal(r.n_unknown, count);
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_UNKNOWN);
	sc_pickle_report_release(&r);

	/* the same dangerous global 100k times: one entry, counted */
	n = 2;
	for (i = 0; i < count; i++) {
		memcpy(b + n, "cos\nsystem\n0", 12);
		n += 12;
	}
	b[n++] = 'N';
	b[n++] = '.';
	scan_bytes(b, n, &r);
	assert_int_equal(r.n_imports, 1);
	assert_int_equal(r.imports[0].count, count);
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_DANGEROUS);
	sc_pickle_report_release(&r);

	/* a dangerous import after the kept-imports cap still decides the verdict */
	n = 2;
	for (i = 0; i < 300; i++)
		n += (size_t)sprintf((char *)b + n, "cmod%zu\nname\n0", i);
	n += (size_t)sprintf((char *)b + n, "cposix\nsystem\n0N.");
	scan_bytes(b, n, &r);
	assert_int_equal(r.verdict, SC_PICKLE_VERDICT_DANGEROUS);
	assert_null(find_import(&r, "posix", "system"));
	assert_non_null(strstr(r.reason, "posix.system"));
	sc_pickle_report_release(&r);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_protocols),
		cmocka_unit_test(test_numpy),
		cmocka_unit_test(test_all_opcodes),
		cmocka_unit_test(test_dangerous),
		cmocka_unit_test(test_custom_class),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_concatenated),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_hostile_memo),
		cmocka_unit_test(test_hostile_marks_and_frames),
		cmocka_unit_test(test_hostile_lengths),
		cmocka_unit_test(test_dynamic_import),
		cmocka_unit_test(test_many_globals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
