/*
 * test_fileset.c - directory and tar filesets (src/image/fileset.c): ustar,
 * prefix, GNU long names, pax, links, truncation, compression, escapes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "image/fileset.h"
#include "image/tar_writer.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/scute-test-fileset-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void tmp_path(char *out, size_t outsz, const char *rel)
{
	snprintf(out, outsz, "%s/%s", tmpdir, rel);
}

static void write_buf(const char *rel, const sc_buf *b)
{
	char p[512];

	tmp_path(p, sizeof(p), rel);
	assert_int_equal(tw_write(p, b->data, b->len), 0);
}

static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

/* Read a member and compare its contents. */
static void expect_content(sc_fileset *fs, const char *name, const char *want)
{
	sc_buf b;
	uint64_t size = 0;

	sc_buf_init(&b, 1 << 20, "test");
	if (sc_fileset_read(fs, name, 1 << 20, &b) != 0)
		fail_msg("reading %s: %s", name, sc_error_msg());
	assert_int_equal(b.len, strlen(want));
	assert_memory_equal(b.data, want, b.len);
	assert_int_equal(sc_fileset_stat(fs, name, &size), 0);
	assert_int_equal(size, strlen(want));
	sc_buf_release(&b);
}

static void expect_error(sc_fileset *fs, const char *name, int code, const char *msg_part)
{
	uint64_t size = 12345;
	sc_stream *s = (sc_stream *)0x1;

	assert_int_equal(sc_fileset_stat(fs, name, &size), code);
	assert_int_equal(size, 12345);
	if (msg_part && !strstr(sc_error_msg(), msg_part))
		fail_msg("message '%s' lacks '%s'", sc_error_msg(), msg_part);
	assert_int_equal(sc_fileset_open(fs, name, &s, &size), code);
	assert_ptr_equal(s, (sc_stream *)0x1);
}

static sc_fileset *open_tar_buf(const char *rel, const sc_buf *b)
{
	char p[512];
	sc_fileset *fs = NULL;

	write_buf(rel, b);
	tmp_path(p, sizeof(p), rel);
	if (sc_fileset_open_tar(&fs, p) != 0)
		fail_msg("open %s: %s", p, sc_error_msg());
	return fs;
}

static int open_tar_rc(const char *rel, const sc_buf *b)
{
	char p[512];
	sc_fileset *fs = (sc_fileset *)0x1;
	int rc;

	write_buf(rel, b);
	tmp_path(p, sizeof(p), rel);
	rc = sc_fileset_open_tar(&fs, p);
	if (rc == 0)
		sc_fileset_free(fs);
	else
		assert_ptr_equal(fs, (sc_fileset *)0x1);
	return rc;
}

/* ---- tar built in C ---- */

static void test_tar_ustar(void **state)
{
	sc_buf b;
	sc_fileset *fs;
	tw_opts o = { 0 };

	(void)state;
	sc_buf_init(&b, 1 << 24, "tar");
	tw_dir(&b, "./");
	tw_file(&b, "./index.json", "{\"schemaVersion\":2}");
	tw_dir(&b, "./blobs/");
	tw_dir(&b, "./blobs/sha256/");
	tw_file(&b, "blobs/sha256/abc", "hello");
	tw_file(&b, "empty", "");
	o.prefix = "deep/prefix/dir";
	tw_file_opts(&b, "file.txt", "pfx", 3, &o);
	tw_file(&b, "dup", "first");
	tw_file(&b, "dup", "second");
	tw_end(&b);
	fs = open_tar_buf("a.tar", &b);
	expect_content(fs, "index.json", "{\"schemaVersion\":2}");
	expect_content(fs, "./index.json", "{\"schemaVersion\":2}");
	expect_content(fs, "blobs//sha256/./abc", "hello");
	expect_content(fs, "empty", "");
	expect_content(fs, "deep/prefix/dir/file.txt", "pfx");
	expect_content(fs, "dup", "second");
	expect_error(fs, "blobs/sha256/missing", SC_ENOTFOUND, "'blobs/sha256/missing' not found in");
	expect_error(fs, "blobs", SC_ENOTFOUND, "not found"); /* directories are not members */
	expect_error(fs, "../index.json", SC_EINPUT, "escapes");
	expect_error(fs, "/index.json", SC_EINPUT, "escapes");
	assert_non_null(strstr(sc_fileset_name(fs), "a.tar"));
	sc_fileset_free(fs);
	sc_fileset_free(NULL);
	sc_buf_release(&b);
}

static void test_tar_read_limit(void **state)
{
	sc_buf b, out;
	sc_fileset *fs;

	(void)state;
	sc_buf_init(&b, 1 << 24, "tar");
	tw_file(&b, "big", "0123456789");
	tw_end(&b);
	fs = open_tar_buf("lim.tar", &b);
	sc_buf_init(&out, 100, "out");
	assert_int_equal(sc_fileset_read(fs, "big", 5, &out), SC_ELIMIT);
	assert_int_equal(out.len, 0);
	sc_buf_release(&out);
	sc_fileset_free(fs);
	sc_buf_release(&b);
}

static void test_tar_pax(void **state)
{
	sc_buf b;
	sc_fileset *fs;
	char longname[300], rec[1024], recs[2048];
	tw_opts o = { 0 };

	(void)state;
	memset(longname, 'p', 250);
	memcpy(longname + 250, "/name.txt", 10);
	sc_buf_init(&b, 1 << 24, "tar");
	tw_pax_record(rec, sizeof(rec), "path", longname);
	snprintf(recs, sizeof(recs), "%s", rec);
	tw_pax_record(rec, sizeof(rec), "mtime", "1700000000.5");
	strcat(recs, rec);
	tw_pax(&b, recs);
	tw_file(&b, "truncated-name-ignored", "pax long");
	/* pax size= overrides the header's size field */
	tw_pax_record(rec, sizeof(rec), "size", "11");
	tw_pax(&b, rec);
	o.size_field = 1; /* wrong on purpose; pax wins */
	tw_file_opts(&b, "sized", "eleven byte", 11, &o);
	/* pax linkpath for a symlink */
	tw_pax_record(rec, sizeof(rec), "linkpath", longname);
	tw_pax(&b, rec);
	tw_link(&b, "plink", '2', "ignored");
	/* global header is skipped */
	tw_header(&b, "global", 'g', 0, NULL);
	tw_file(&b, "after-global", "g");
	tw_end(&b);
	fs = open_tar_buf("pax.tar", &b);
	expect_content(fs, longname, "pax long");
	expect_content(fs, "sized", "eleven byte");
	expect_content(fs, "plink", "pax long");
	expect_content(fs, "after-global", "g");
	expect_error(fs, "truncated-name-ignored", SC_ENOTFOUND, NULL);
	sc_fileset_free(fs);
	sc_buf_release(&b);
}

static void test_tar_pax_malformed(void **state)
{
	static const char *bad[] = {
		"5 path=x\n",          /* length too short for the record */
		"99 path=x\n",         /* length past the data */
		"12 path=abc!",        /* not newline-terminated */
		"x path=abc\n",        /* no length */
		"8 =value\n",          /* empty key */
		"16 size=12a4567\n",   /* non-numeric size */
		"30 size=999999999999999999999\n", /* overflow */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sc_buf b;

		sc_buf_init(&b, 1 << 24, "tar");
		tw_pax(&b, bad[i]);
		tw_file(&b, "f", "x");
		tw_end(&b);
		if (open_tar_rc("badpax.tar", &b) != SC_EINPUT)
			fail_msg("record %zu accepted: %s", i, bad[i]);
		assert_non_null(strstr(sc_error_msg(), "pax"));
		sc_buf_release(&b);
	}
}

static void test_tar_gnu_long(void **state)
{
	sc_buf b;
	sc_fileset *fs;
	char longname[400], longlink[400];
	tw_opts o = { 0 };

	(void)state;
	memset(longname, 'n', 180);
	memcpy(longname + 180, "/x/long-file-name.json", 23);
	memset(longlink, 'n', 180);
	memcpy(longlink + 180, "/x/../x/long-file-name.json", 28);
	sc_buf_init(&b, 1 << 24, "tar");
	tw_gnu_long(&b, 'L', longname);
	o.gnu_magic = 1;
	tw_file_opts(&b, "nnnnn", "gnu", 3, &o);
	tw_gnu_long(&b, 'L', "hard-link-with-long-target");
	tw_gnu_long(&b, 'K', longlink);
	tw_header(&b, "hl", '1', 0, &o);
	tw_end(&b);
	fs = open_tar_buf("gnu.tar", &b);
	expect_content(fs, longname, "gnu");
	expect_content(fs, "hard-link-with-long-target", "gnu");
	expect_error(fs, "nnnnn", SC_ENOTFOUND, NULL);
	sc_fileset_free(fs);
	sc_buf_release(&b);
}

static void test_tar_base256(void **state)
{
	sc_buf b;
	sc_fileset *fs;
	tw_opts o = { 0 };

	(void)state;
	sc_buf_init(&b, 1 << 24, "tar");
	o.base256 = 1;
	tw_file_opts(&b, "b256", "base-256 size", 13, &o);
	tw_end(&b);
	fs = open_tar_buf("b256.tar", &b);
	expect_content(fs, "b256", "base-256 size");
	sc_fileset_free(fs);
	sc_buf_release(&b);

	/* a huge base-256 size is "truncated", never an overflow */
	sc_buf_init(&b, 1 << 24, "tar");
	o.size_field = UINT64_MAX >> 2;
	tw_file_opts(&b, "huge", "x", 1, &o);
	tw_end(&b);
	assert_int_equal(open_tar_rc("huge.tar", &b), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "is truncated"));
	sc_buf_release(&b);
}

static void test_tar_links(void **state)
{
	sc_buf b;
	sc_fileset *fs;

	(void)state;
	sc_buf_init(&b, 1 << 24, "tar");
	tw_file(&b, "aaa/layer.tar", "layer bytes");
	tw_link(&b, "bbb/layer.tar", '2', "../aaa/layer.tar");
	tw_link(&b, "ccc/layer.tar", '1', "aaa/layer.tar");
	tw_link(&b, "ddd/layer.tar", '2', "/bbb/layer.tar"); /* absolute: archive root */
	tw_link(&b, "chain", '2', "ddd/layer.tar");
	tw_link(&b, "loop1", '2', "loop2");
	tw_link(&b, "loop2", '2', "loop1");
	tw_link(&b, "escape", '2', "../../etc/passwd");
	tw_link(&b, "dangling", '2', "nothing-here");
	tw_link(&b, "self", '1', "self");
	tw_end(&b);
	fs = open_tar_buf("links.tar", &b);
	expect_content(fs, "bbb/layer.tar", "layer bytes");
	expect_content(fs, "ccc/layer.tar", "layer bytes");
	expect_content(fs, "ddd/layer.tar", "layer bytes");
	expect_content(fs, "chain", "layer bytes");
	expect_error(fs, "loop1", SC_EINPUT, "levels of links");
	expect_error(fs, "self", SC_EINPUT, "levels of links");
	expect_error(fs, "escape", SC_EINPUT, "outside the archive");
	expect_error(fs, "dangling", SC_ENOTFOUND, "'dangling' not found");
	sc_fileset_free(fs);
	sc_buf_release(&b);
}

static void test_tar_truncated(void **state)
{
	sc_buf b;

	(void)state;
	sc_buf_init(&b, 1 << 24, "tar");
	tw_file(&b, "a", "aaaa");
	tw_header(&b, "b", '0', 4096, NULL);
	sc_buf_append(&b, "short", 5);
	assert_int_equal(open_tar_rc("trunc.tar", &b), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "trunc.tar is truncated"));
	/* a partial header */
	sc_buf_reset(&b);
	tw_file(&b, "a", "aaaa");
	sc_buf_append(&b, "partial header", 14);
	assert_int_equal(open_tar_rc("trunc2.tar", &b), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "is truncated"));
	sc_buf_release(&b);
}

static void test_tar_end_markers(void **state)
{
	sc_buf b;
	sc_fileset *fs;

	(void)state;
	/* no end-of-archive blocks at all: accepted */
	sc_buf_init(&b, 1 << 24, "tar");
	tw_file(&b, "a", "aaaa");
	fs = open_tar_buf("noend.tar", &b);
	expect_content(fs, "a", "aaaa");
	sc_fileset_free(fs);
	/* garbage after the two zero blocks is ignored */
	tw_end(&b);
	sc_buf_append(&b, "trailing garbage", 16);
	fs = open_tar_buf("trailing.tar", &b);
	expect_content(fs, "a", "aaaa");
	sc_fileset_free(fs);
	/* empty file: an empty archive */
	sc_buf_reset(&b);
	fs = open_tar_buf("empty.tar", &b);
	expect_error(fs, "a", SC_ENOTFOUND, NULL);
	sc_fileset_free(fs);
	sc_buf_release(&b);
}

static void test_tar_bad_checksum(void **state)
{
	sc_buf b;
	tw_opts o = { 0 };

	(void)state;
	sc_buf_init(&b, 1 << 24, "tar");
	o.bad_checksum = 1;
	tw_file_opts(&b, "a", "x", 1, &o);
	tw_end(&b);
	assert_int_equal(open_tar_rc("cksum.tar", &b), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "checksum"));
	/* random bytes are not a tar */
	sc_buf_reset(&b);
	sc_buf_puts(&b, "this is not a tar archive at all");
	{
		char pad[600];

		memset(pad, 'z', sizeof(pad));
		sc_buf_append(&b, pad, sizeof(pad));
	}
	assert_int_equal(open_tar_rc("text.tar", &b), SC_EINPUT);
	sc_buf_release(&b);
}

static void test_tar_compressed(void **state)
{
	char p[512];
	sc_fileset *fs = NULL;
	static const struct {
		const char *name;
		const char *magic;
		size_t len;
	} magics[] = {
		{ "x.tar.zst", "\x28\xb5\x2f\xfd", 4 },
		{ "x.tar.xz", "\xfd" "7zXZ\0", 6 },
		{ "x.tar.bz2", "BZh9", 4 },
	};
	size_t i;

	(void)state;
	run("printf hello > '%s/hello' && tar -C '%s' -czf '%s/x.tar.gz' hello", tmpdir, tmpdir, tmpdir);
	tmp_path(p, sizeof(p), "x.tar.gz");
	assert_int_equal(sc_fileset_open_tar(&fs, p), SC_EUNSUPPORTED);
	assert_non_null(strstr(sc_error_msg(), "compressed archives are not supported; decompress"));
	assert_non_null(strstr(sc_error_msg(), "x.tar.gz first"));
	for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		char buf[1024];

		memset(buf, 0, sizeof(buf));
		memcpy(buf, magics[i].magic, magics[i].len);
		tmp_path(p, sizeof(p), magics[i].name);
		assert_int_equal(tw_write(p, buf, sizeof(buf)), 0);
		assert_int_equal(sc_fileset_open_tar(&fs, p), SC_EUNSUPPORTED);
	}
	tmp_path(p, sizeof(p), "does-not-exist.tar");
	assert_int_equal(sc_fileset_open_tar(&fs, p), SC_ENOTFOUND);
	/* a directory is not an archive */
	assert_int_not_equal(sc_fileset_open_tar(&fs, tmpdir), 0);
}

/* ---- tar built by GNU tar ---- */

static void test_tar_gnu_tar_tool(void **state)
{
	static const char *formats[] = { "gnu", "pax", "ustar", "v7" };
	char longdir[200], p[512];
	size_t i;

	(void)state;
	/* 121 bytes in two components, so that ustar can split it into prefix/name */
	memset(longdir, 'd', 60);
	longdir[60] = '/';
	memset(longdir + 61, 'e', 60);
	longdir[121] = '\0';
	run("mkdir -p '%s/src/%s/sub' && printf 'long content' > '%s/src/%s/sub/file-with-a-long-name.txt'",
	    tmpdir, longdir, tmpdir, longdir);
	run("cd '%s/src' && printf 'top' > top.txt && ln -sf top.txt sym && ln -f top.txt hard", tmpdir);
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		sc_fileset *fs = NULL;
		char name[300];

		if (strcmp(formats[i], "v7") == 0)
			run("tar -C '%s/src' --format=v7 -cf '%s/tool-v7.tar' ./top.txt ./sym ./hard", tmpdir, tmpdir);
		else
			run("tar -C '%s/src' --format=%s -cf '%s/tool-%s.tar' .", tmpdir, formats[i], tmpdir, formats[i]);
		snprintf(p, sizeof(p), "%s/tool-%s.tar", tmpdir, formats[i]);
		if (sc_fileset_open_tar(&fs, p) != 0)
			fail_msg("%s: %s", formats[i], sc_error_msg());
		expect_content(fs, "top.txt", "top");
		expect_content(fs, "sym", "top");
		expect_content(fs, "hard", "top");
		if (strcmp(formats[i], "v7") != 0) {
			snprintf(name, sizeof(name), "%s/sub/file-with-a-long-name.txt", longdir);
			expect_content(fs, name, "long content");
		}
		sc_fileset_free(fs);
	}
}

static void test_tar_fd(void **state)
{
	sc_buf b;
	sc_fileset *fs = NULL;
	int fd;

	(void)state;
	sc_buf_init(&b, 1 << 24, "tar");
	tw_file(&b, "m", "memfd member");
	tw_end(&b);
	fd = memfd_create("t", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b.data, b.len), (ssize_t)b.len);
	assert_int_equal(sc_fileset_open_tar_fd(&fs, fd, "memory"), 0);
	close(fd); /* the fileset has its own descriptor */
	expect_content(fs, "m", "memfd member");
	expect_error(fs, "x", SC_ENOTFOUND, "'x' not found in memory");
	sc_fileset_free(fs);
	sc_buf_release(&b);
}

/* An archive path naming a FIFO fails at once instead of waiting for a writer. */
static void test_tar_fifo(void **state)
{
	char p[512];
	sc_fileset *fs = (sc_fileset *)0x1;

	(void)state;
	run("mkfifo '%s/pipe.tar'", tmpdir);
	tmp_path(p, sizeof(p), "pipe.tar");
	alarm(10); /* without O_NONBLOCK open() blocks forever: SIGALRM fails the test */
	assert_int_equal(sc_fileset_open_tar(&fs, p), SC_EINPUT);
	alarm(0);
	assert_ptr_equal(fs, (sc_fileset *)0x1);
	assert_non_null(strstr(sc_error_msg(), "not a regular file"));
}

/* ---- directory ---- */

static void test_dir(void **state)
{
	char p[512];
	sc_fileset *fs = NULL;

	(void)state;
	run("mkdir -p '%s/lay/blobs/sha256' '%s/outside' && printf secret > '%s/outside/secret'", tmpdir, tmpdir,
	    tmpdir);
	run("printf '{}' > '%s/lay/index.json' && printf blob > '%s/lay/blobs/sha256/ab'", tmpdir, tmpdir);
	run("ln -s ../outside/secret '%s/lay/escape' && ln -s ../outside '%s/lay/escdir'", tmpdir, tmpdir);
	run("ln -s index.json '%s/lay/inner-link' && mkfifo '%s/lay/fifo'", tmpdir, tmpdir);
	tmp_path(p, sizeof(p), "lay");
	assert_int_equal(sc_fileset_open_dir(&fs, p), 0);
	expect_content(fs, "index.json", "{}");
	expect_content(fs, "./blobs/sha256/ab", "blob");
	expect_content(fs, "blobs/../index.json", "{}");
	expect_error(fs, "blobs/sha256/cd", SC_ENOTFOUND, "'blobs/sha256/cd' not found in");
	expect_error(fs, "nodir/sha256/cd", SC_ENOTFOUND, "not found");
	expect_error(fs, "index.json/x", SC_ENOTFOUND, "not found");
	expect_error(fs, "escape", SC_EINPUT, "symbolic link");
	expect_error(fs, "escdir/secret", SC_EINPUT, "symbolic link");
	expect_error(fs, "inner-link", SC_EINPUT, "symbolic link");
	expect_error(fs, "../outside/secret", SC_EINPUT, "escapes");
	expect_error(fs, "/etc/passwd", SC_EINPUT, "escapes");
	expect_error(fs, "blobs", SC_EINPUT, "not a regular file");
	expect_error(fs, "fifo", SC_EINPUT, "not a regular file");
	expect_error(fs, "", SC_EINPUT, "empty");
	sc_fileset_free(fs);

	tmp_path(p, sizeof(p), "no-such-dir");
	assert_int_equal(sc_fileset_open_dir(&fs, p), SC_ENOTFOUND);
	tmp_path(p, sizeof(p), "lay/index.json");
	assert_int_equal(sc_fileset_open_dir(&fs, p), SC_EINPUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tar_ustar),
		cmocka_unit_test(test_tar_read_limit),
		cmocka_unit_test(test_tar_pax),
		cmocka_unit_test(test_tar_pax_malformed),
		cmocka_unit_test(test_tar_gnu_long),
		cmocka_unit_test(test_tar_base256),
		cmocka_unit_test(test_tar_links),
		cmocka_unit_test(test_tar_truncated),
		cmocka_unit_test(test_tar_end_markers),
		cmocka_unit_test(test_tar_bad_checksum),
		cmocka_unit_test(test_tar_compressed),
		cmocka_unit_test(test_tar_gnu_tar_tool),
		cmocka_unit_test(test_tar_fd),
		cmocka_unit_test(test_tar_fifo),
		cmocka_unit_test(test_dir),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
