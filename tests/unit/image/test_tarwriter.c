/*
 * test_tarwriter.c - the deterministic tar writer (src/image/tarwriter.c):
 * entries round-trip through libarchive's reader and through
 * sc_layer_read() (types, modes, owners, link targets, whiteouts and
 * opaque markers), output is byte-identical across runs, mtimes are
 * clamped to the epoch, long names work, and a 5 MiB file is streamed in
 * odd-sized chunks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/stream.h"
#include "image/layer.h"
#include "image/tarwriter.h"

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#define EPOCH 1700000000

static int buf_sink(void *ud, const void *data, size_t len)
{
	return sc_buf_append(ud, data, len);
}

static sc_entry ent(const char *path, int type, unsigned mode, uint32_t uid, int64_t mtime, uint64_t size,
		    const char *link)
{
	sc_entry e;

	memset(&e, 0, sizeof(e));
	e.path = path;
	e.type = (uint8_t)type;
	e.mode = mode;
	e.uid = e.gid = uid;
	e.mtime = mtime;
	e.size = size;
	e.link = link;
	return e;
}

static char long_name[300];

/* A chunked stream: yields `total` bytes of a pattern in reads of at most 7777 bytes. */
typedef struct {
	sc_stream base;
	uint64_t total, pos;
} chunk_stream;

static ssize_t chunk_read(sc_stream *s, void *buf, size_t len)
{
	chunk_stream *c = (chunk_stream *)s;
	size_t n = len < 7777 ? len : 7777, i;

	if (n > c->total - c->pos)
		n = (size_t)(c->total - c->pos);
	for (i = 0; i < n; i++)
		((unsigned char *)buf)[i] = (unsigned char)((c->pos + i) * 31 % 251);
	c->pos += n;
	return (ssize_t)n;
}
static void chunk_close(sc_stream *s) { (void)s; }
static const sc_stream_ops chunk_ops = { chunk_read, chunk_close };

#define BIG (5u << 20)

/* Build the reference archive into out. */
static void build(sc_buf *out)
{
	sc_tarwriter *w = NULL;
	sc_entry e;
	chunk_stream cs = { { &chunk_ops }, BIG, 0 };
	size_t i;

	memset(long_name, 0, sizeof(long_name));
	memcpy(long_name, "usr/share/", 10);
	for (i = 10; i < 200; i++)
		long_name[i] = (char)('a' + i % 26);
	strcat(long_name, "/file.txt");

	sc_buf_init(out, 64u << 20, "tar");
	assert_int_equal(sc_tarwriter_new(&w, buf_sink, out, EPOCH), 0);
	e = ent("etc", SC_FT_DIR, 0755, 0, EPOCH + 1000, 0, NULL);
	assert_int_equal(sc_tarwriter_add(w, &e, NULL), 0);
	e = ent("etc/os-release", SC_FT_REG, 0644, 0, 1000, 10, NULL);
	assert_int_equal(sc_tarwriter_add_data(w, &e, "ID=debian\n"), 0);
	e = ent("home/app", SC_FT_DIR, 0700, 65532, EPOCH, 0, NULL);
	assert_int_equal(sc_tarwriter_add(w, &e, NULL), 0);
	e = ent("usr/bin/su", SC_FT_REG, 04755, 0, EPOCH + 5, 1, NULL);
	assert_int_equal(sc_tarwriter_add_data(w, &e, "x"), 0);
	e = ent("usr/bin/sh", SC_FT_SYMLINK, 0777, 0, 0, 0, "dash");
	assert_int_equal(sc_tarwriter_add(w, &e, NULL), 0);
	e = ent("usr/bin/su2", SC_FT_HARDLINK, 04755, 0, 0, 0, "usr/bin/su");
	assert_int_equal(sc_tarwriter_add(w, &e, NULL), 0);
	e = ent("var/cache", SC_FT_WHITEOUT, 0, 0, 0, 0, NULL);
	assert_int_equal(sc_tarwriter_add(w, &e, NULL), 0);
	e = ent("opt", SC_FT_OPAQUE, 0, 0, 0, 0, NULL);
	assert_int_equal(sc_tarwriter_add(w, &e, NULL), 0);
	e = ent(long_name, SC_FT_REG, 0600, 65532, 5, 3, NULL);
	assert_int_equal(sc_tarwriter_add_data(w, &e, "abc"), 0);
	e = ent("big.bin", SC_FT_REG, 0644, 0, EPOCH, BIG, NULL);
	assert_int_equal(sc_tarwriter_add(w, &e, &cs.base), 0);
	assert_int_equal(sc_tarwriter_finish(w), 0);
	assert_int_equal(sc_tarwriter_bytes(w), out->len);
	sc_tarwriter_free(w);
	assert_int_equal(out->len % 512, 0);
}

static const sc_entry *find(const sc_layer *l, const char *path, int type)
{
	size_t i;

	for (i = 0; i < l->n_entries; i++)
		if (!strcmp(l->entries[i].path, path) && l->entries[i].type == type)
			return &l->entries[i];
	return NULL;
}

static void test_layer_roundtrip(void **state)
{
	sc_buf b;
	sc_stream *m = NULL;
	sc_layer l;
	sc_layer_opts o;
	const sc_entry *e;

	(void)state;
	build(&b);
	memset(&o, 0, sizeof(o));
	o.name = "written layer";
	assert_int_equal(sc_stream_mem_new(&m, b.data, b.len), 0);
	assert_int_equal(sc_layer_read(&l, m, &o), 0);
	assert_int_equal(l.n_entries, 10);
	e = find(&l, "etc", SC_FT_DIR);
	assert_non_null(e);
	assert_int_equal(e->mode, 0755);
	assert_int_equal(e->mtime, EPOCH); /* clamped */
	e = find(&l, "etc/os-release", SC_FT_REG);
	assert_non_null(e);
	assert_int_equal(e->size, 10);
	assert_int_equal(e->mtime, 1000); /* older than the epoch: kept */
	e = find(&l, "home/app", SC_FT_DIR);
	assert_non_null(e);
	assert_int_equal(e->uid, 65532);
	assert_int_equal(e->gid, 65532);
	assert_int_equal(e->mode, 0700);
	e = find(&l, "usr/bin/su", SC_FT_REG);
	assert_int_equal(e->mode, 04755);
	assert_int_equal(e->mtime, EPOCH);
	e = find(&l, "usr/bin/sh", SC_FT_SYMLINK);
	assert_non_null(e);
	assert_string_equal(e->link, "dash");
	e = find(&l, "usr/bin/su2", SC_FT_HARDLINK);
	assert_non_null(e);
	assert_string_equal(e->link, "usr/bin/su");
	assert_non_null(find(&l, "var/cache", SC_FT_WHITEOUT));
	assert_non_null(find(&l, "opt", SC_FT_OPAQUE));
	e = find(&l, long_name, SC_FT_REG);
	assert_non_null(e);
	assert_int_equal(e->size, 3);
	assert_int_equal(e->mode, 0600);
	e = find(&l, "big.bin", SC_FT_REG);
	assert_non_null(e);
	assert_int_equal(e->size, BIG);
	sc_layer_release(&l);
	sc_buf_release(&b);
}

static void test_libarchive_roundtrip(void **state)
{
	sc_buf b;
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	int n = 0, r;
	char *big = malloc(BIG);

	(void)state;
	build(&b);
	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_memory(a, b.data, b.len), ARCHIVE_OK);
	while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
		const char *p = archive_entry_pathname(ae);

		n++;
		/* No host identity leaks into the tar. */
		assert_true(!archive_entry_uname(ae) || !archive_entry_uname(ae)[0]);
		assert_true(!archive_entry_gname(ae) || !archive_entry_gname(ae)[0]);
		assert_false(archive_entry_atime_is_set(ae));
		assert_false(archive_entry_ctime_is_set(ae));
		assert_true(archive_entry_mtime(ae) <= EPOCH);
		assert_int_equal(archive_entry_mtime_nsec(ae), 0);
		assert_int_equal(archive_entry_rdev(ae), 0);
		if (!strcmp(p, "var/.wh.cache") || !strcmp(p, "opt/.wh..wh..opq")) {
			assert_int_equal(archive_entry_filetype(ae), AE_IFREG);
			assert_int_equal(archive_entry_size(ae), 0);
		} else if (!strcmp(p, long_name)) {
			assert_int_equal(archive_entry_uid(ae), 65532);
		} else if (!strcmp(p, "big.bin")) {
			la_ssize_t got = 0, k;
			size_t i;

			while ((k = archive_read_data(a, big + got, BIG - (size_t)got)) > 0)
				got += k;
			assert_int_equal(got, BIG);
			for (i = 0; i < BIG; i += 4099)
				assert_int_equal((unsigned char)big[i], (unsigned char)(i * 31 % 251));
		} else if (!strcmp(p, "etc/")) {
			assert_int_equal(archive_entry_filetype(ae), AE_IFDIR);
		}
	}
	assert_int_equal(r, ARCHIVE_EOF);
	assert_int_equal(n, 10);
	archive_read_free(a);
	free(big);
	/* Only the long name needed a pax extended header. */
	assert_non_null(memmem(b.data, b.len, "PaxHeader", 9));
	sc_buf_release(&b);
}

static void test_deterministic(void **state)
{
	sc_buf a, b;

	(void)state;
	build(&a);
	build(&b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	sc_buf_release(&a);
	sc_buf_release(&b);
}

static void test_short_names_plain_ustar(void **state)
{
	sc_buf b;
	sc_tarwriter *w = NULL;
	sc_entry e = ent("a/b", SC_FT_REG, 0644, 0, 99, 2, NULL);

	(void)state;
	sc_buf_init(&b, 1 << 20, "tar");
	assert_int_equal(sc_tarwriter_new(&w, buf_sink, &b, SC_TAR_NO_CLAMP), 0);
	assert_int_equal(sc_tarwriter_add_data(w, &e, "hi"), 0);
	assert_int_equal(sc_tarwriter_finish(w), 0);
	sc_tarwriter_free(w);
	/* header + data block + end-of-archive (2 blocks) */
	assert_int_equal(b.len, 4 * 512);
	assert_null(memmem(b.data, b.len, "PaxHeader", 9));
	assert_memory_equal(b.data + 257, "ustar\0" "00", 8);
	sc_buf_release(&b);
}

static void one_entry(sc_buf *b, const char *path)
{
	sc_tarwriter *w = NULL;
	sc_entry e = ent(path, SC_FT_REG, 0644, 0, 99, 0, NULL);

	sc_buf_init(b, 1 << 20, "tar");
	assert_int_equal(sc_tarwriter_new(&w, buf_sink, b, EPOCH), 0);
	assert_int_equal(sc_tarwriter_add_data(w, &e, ""), 0);
	assert_int_equal(sc_tarwriter_finish(w), 0);
	sc_tarwriter_free(w);
}

/* A non-ASCII name gives the same bytes whatever LC_CTYPE the process set. */
static void test_locale_independent(void **state)
{
	sc_buf a, b, c;
	const char *utf8 = "caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac", *latin1 = "caf\xe9";

	(void)state;
	setlocale(LC_CTYPE, "C");
	one_entry(&a, utf8);
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "en_US.UTF-8");
	one_entry(&b, utf8);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	/* Not UTF-8 at all: stored as raw bytes, still no failure. */
	one_entry(&c, latin1);
	assert_non_null(memmem(c.data, c.len, latin1, strlen(latin1)));
	setlocale(LC_CTYPE, "C");
	sc_buf_release(&a);
	sc_buf_release(&b);
	sc_buf_release(&c);
}

static void test_errors(void **state)
{
	sc_buf b;
	sc_tarwriter *w = NULL;
	sc_stream *m = NULL;
	sc_entry e;

	(void)state;
	sc_buf_init(&b, 1 << 20, "tar");
	assert_int_equal(sc_tarwriter_new(&w, buf_sink, &b, EPOCH), 0);
	e = ent("/abs", SC_FT_DIR, 0755, 0, 0, 0, NULL);
	assert_int_equal(sc_tarwriter_add(w, &e, NULL), SC_EUSAGE);
	e = ent("a/../b", SC_FT_DIR, 0755, 0, 0, 0, NULL);
	assert_int_equal(sc_tarwriter_add(w, &e, NULL), SC_EUSAGE);
	e = ent("", SC_FT_DIR, 0755, 0, 0, 0, NULL);
	assert_int_equal(sc_tarwriter_add(w, &e, NULL), SC_EUSAGE);
	/* Content shorter than declared. */
	assert_int_equal(sc_stream_mem_new(&m, "abc", 3), 0);
	e = ent("f", SC_FT_REG, 0644, 0, 0, 5, NULL);
	assert_int_equal(sc_tarwriter_add(w, &e, m), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "short"));
	sc_stream_close(m);
	/* The stream is broken now: further adds fail. */
	e = ent("g", SC_FT_DIR, 0755, 0, 0, 0, NULL);
	assert_int_equal(sc_tarwriter_add(w, &e, NULL), SC_ECANCELED);
	sc_tarwriter_free(w);
	sc_buf_release(&b);
}

static int fail_sink(void *ud, const void *data, size_t len)
{
	(void)ud;
	(void)data;
	(void)len;
	return sc_error_set(SC_EIO, "disk full");
}

static void test_sink_error(void **state)
{
	sc_tarwriter *w = NULL;
	sc_entry e = ent("f", SC_FT_REG, 0644, 0, 0, 3, NULL);
	int rc;

	(void)state;
	assert_int_equal(sc_tarwriter_new(&w, fail_sink, NULL, EPOCH), 0);
	/* libarchive buffers a block: the failure shows at the latest in finish. */
	rc = sc_tarwriter_add_data(w, &e, "abc");
	if (rc == 0)
		rc = sc_tarwriter_finish(w);
	assert_int_equal(rc, SC_EIO);
	assert_string_equal(sc_error_msg(), "disk full");
	sc_tarwriter_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layer_roundtrip),
		cmocka_unit_test(test_libarchive_roundtrip),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_short_names_plain_ustar),
		cmocka_unit_test(test_locale_independent),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_sink_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
