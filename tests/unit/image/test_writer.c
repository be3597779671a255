/*
 * test_writer.c - the OCI layout writer (src/image/writer.c): a two-layer
 * image written into a temp layout opens back with sc_image_open() and
 * scans (diff_ids verified) to the files that were written; the same image
 * written twice gives the same manifest digest; an existing tag is only
 * replaced when asked; a failure mid-way leaves index.json as it was; the
 * source config's other fields are preserved.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/digest.h"
#include "core/error.h"
#include "core/stream.h"
#include "image/fsview.h"
#include "image/image.h"
#include "image/scan.h"
#include "image/writer.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EPOCH 1700000000

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/scute-test-writer-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char base_cfg[] =
	"{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2020-01-01T00:00:00Z\","
	"\"config\":{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"/bin/app\"],\"Labels\":{\"old\":\"1\",\"gone\":\"x\"}},"
	"\"x-custom\":{\"kept\":[1,2,3]},"
	"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";

static sc_entry ent(const char *path, int type, unsigned mode, uint32_t uid, uint64_t size, const char *link)
{
	sc_entry e;

	memset(&e, 0, sizeof(e));
	e.path = path;
	e.type = (uint8_t)type;
	e.mode = mode;
	e.uid = e.gid = uid;
	e.mtime = EPOCH + 100; /* clamped */
	e.size = size;
	e.link = link;
	return e;
}

#define ADD(w, e, data) assert_int_equal(sc_tarwriter_add_data((w), &(e), (data)), 0)

/* A stream that fails after a few bytes: the injected failure. */
static ssize_t bad_read(sc_stream *s, void *buf, size_t len)
{
	(void)s;
	(void)buf;
	(void)len;
	return sc_error_set(SC_EIO, "injected failure");
}
static void bad_close(sc_stream *s) { (void)s; }
static const sc_stream_ops bad_ops = { bad_read, bad_close };

/* Write the two-layer test image into dest; returns the writer's result. */
static int write_image(const char *dest, int replace, int fail, sc_digest *man)
{
	sc_image_writer_opts o = { .replace = replace, .gzip_level = 0, .epoch = EPOCH };
	sc_image_writer *w = NULL;
	sc_tarwriter *t = NULL;
	sc_entry e;
	const char *env[] = { "PATH=/usr/bin:/bin", "LANG=C.UTF-8", NULL };
	sc_kv labels[] = { { "gone", NULL }, { "org.example.hardened", "true" } };
	sc_image_config_edit edit = { .user = "65532:65532", .env = env, .labels = labels, .n_labels = 2 };
	int rc;

	if ((rc = sc_image_writer_open(&w, dest, &o)) != 0)
		return rc;
	assert_int_equal(sc_image_writer_layer_begin(w, &t), 0);
	e = ent("bin", SC_FT_DIR, 0755, 0, 0, NULL);
	ADD(t, e, NULL);
	e = ent("bin/app", SC_FT_REG, 0755, 0, 6, NULL);
	ADD(t, e, "#!app\n");
	e = ent("bin/sh", SC_FT_REG, 0755, 0, 3, NULL);
	ADD(t, e, "sh\n");
	e = ent("bin/app2", SC_FT_HARDLINK, 0755, 0, 0, "bin/app");
	ADD(t, e, NULL);
	e = ent("etc", SC_FT_DIR, 0755, 0, 0, NULL);
	ADD(t, e, NULL);
	e = ent("etc/motd", SC_FT_REG, 0644, 0, 5, NULL);
	ADD(t, e, "hello");
	e = ent("tmp", SC_FT_DIR, 01777, 0, 0, NULL);
	ADD(t, e, NULL);
	assert_int_equal(sc_image_writer_layer_end(w, "base", NULL, NULL), 0);

	assert_int_equal(sc_image_writer_layer_begin(w, &t), 0);
	e = ent("bin/sh", SC_FT_WHITEOUT, 0, 0, 0, NULL);
	ADD(t, e, NULL);
	e = ent("etc", SC_FT_OPAQUE, 0, 0, 0, NULL);
	ADD(t, e, NULL);
	e = ent("etc/hostname", SC_FT_SYMLINK, 0777, 0, 0, "/proc/sys/kernel/hostname");
	ADD(t, e, NULL);
	e = ent("home", SC_FT_DIR, 0755, 0, 0, NULL);
	ADD(t, e, NULL);
	e = ent("home/app", SC_FT_DIR, 0700, 65532, 0, NULL);
	ADD(t, e, NULL);
	if (fail) {
		sc_stream bad = { &bad_ops };

		e = ent("home/app/data", SC_FT_REG, 0600, 65532, 100, NULL);
		rc = sc_tarwriter_add(t, &e, &bad);
		assert_int_equal(rc, SC_EIO);
		sc_image_writer_free(w); /* the caller gives up */
		return rc;
	}
	assert_int_equal(sc_image_writer_layer_end(w, "harden", NULL, NULL), 0);
	rc = sc_image_writer_commit(w, base_cfg, sizeof(base_cfg) - 1, &edit, man);
	sc_image_writer_free(w);
	return rc;
}

static const sc_fsnode *must(const sc_fsview *v, const char *path, int type)
{
	const sc_fsnode *n = sc_fsview_lookup(v, path);

	if (!n)
		fail_msg("missing %s", path);
	assert_int_equal(n->e.type, type);
	return n;
}

static void test_roundtrip(void **state)
{
	char dest[512];
	sc_digest man;
	sc_image *img = NULL;
	sc_scan sc;
	sc_scan_opts so;
	const sc_fsnode *n;

	(void)state;
	snprintf(dest, sizeof(dest), "oci:%s/a:v1", tmpdir);
	assert_int_equal(write_image(dest, 0, 0, &man), 0);
	assert_int_equal(sc_image_open(&img, dest, NULL), 0);
	assert_true(sc_digest_eq(&img->manifest_digest, &man));
	assert_string_equal(img->manifest.media_type, SC_MT_OCI_MANIFEST);
	assert_int_equal(img->manifest.n_layers, 2);
	assert_string_equal(img->manifest.layers[0].media_type, SC_MT_OCI_LAYER_GZIP);
	assert_string_equal(img->config.user, "65532:65532");
	assert_string_equal(img->config.env[1], "LANG=C.UTF-8");
	assert_string_equal(img->config.created, "2023-11-14T22:13:20Z");
	assert_null(sc_kv_get(img->config.labels, img->config.n_labels, "gone"));
	assert_string_equal(sc_kv_get(img->config.labels, img->config.n_labels, "old"), "1");
	assert_string_equal(sc_kv_get(img->config.labels, img->config.n_labels, "org.example.hardened"), "true");
	assert_int_equal(img->config.n_history, 2);
	assert_string_equal(img->config.history[1].created_by, "harden");
	/* Fields scute does not model are preserved. */
	assert_non_null(strstr(img->config_raw.data, "\"x-custom\":{\"kept\":[1,2,3]}"));
	assert_non_null(strstr(img->config_raw.data, "\"Cmd\":[\"/bin/app\"]"));

	memset(&so, 0, sizeof(so));
	so.verify_diff_ids = 1;
	assert_int_equal(sc_image_scan(&sc, img, &so), 0);
	n = must(sc.view, "bin/app", SC_FT_REG);
	assert_int_equal(n->e.mode, 0755);
	assert_int_equal(n->e.size, 6);
	assert_int_equal(n->e.mtime, EPOCH);
	must(sc.view, "bin/app2", SC_FT_HARDLINK);
	assert_null(sc_fsview_lookup(sc.view, "bin/sh"));     /* whiteout */
	assert_null(sc_fsview_lookup(sc.view, "etc/motd"));   /* opaque etc */
	n = must(sc.view, "etc/hostname", SC_FT_SYMLINK);
	assert_string_equal(n->e.link, "/proc/sys/kernel/hostname");
	n = must(sc.view, "home/app", SC_FT_DIR);
	assert_int_equal(n->e.uid, 65532);
	assert_int_equal(n->e.mode, 0700);
	n = must(sc.view, "tmp", SC_FT_DIR);
	assert_int_equal(n->e.mode, 01777);
	sc_scan_release(&sc);
	sc_image_free(img);
}

/*
 * Archives: the image is read back through scute's own oci-archive and
 * docker-archive readers, the same content gives the same bytes, a failed
 * write leaves no file and no staging directory.
 */
static void test_archives(void **state)
{
	static const char *const kinds[] = { "oci-archive:%s/img-%d.tar:v1", "docker-archive:%s/img-%d.tar:scute/img:v1" };
	char dest[512], dest2[512], cmd[1400];
	sc_digest man, man2;
	sc_image *img = NULL;
	size_t k;

	(void)state;
	for (k = 0; k < 2; k++) {
		snprintf(dest, sizeof(dest), kinds[k], tmpdir, (int)k);
		snprintf(dest2, sizeof(dest2), kinds[k], tmpdir, (int)k + 10);
		assert_int_equal(write_image(dest, 0, 0, &man), 0);
		assert_int_equal(write_image(dest2, 0, 0, &man2), 0);
		assert_true(sc_digest_eq(&man, &man2));
		assert_int_equal(sc_image_open(&img, dest, NULL), 0);
		assert_int_equal(img->manifest.n_layers, 2);
		assert_string_equal(img->config.user, "65532:65532");
		sc_image_free(img);
		img = NULL;
		/* byte-identical archives, no staging directory or temp file left */
		snprintf(cmd, sizeof(cmd), "cmp '%s/img-%d.tar' '%s/img-%d.tar' && ! ls '%s' | grep -q 'stage-\\|tmp-'",
			 tmpdir, (int)k, tmpdir, (int)k + 10, tmpdir);
		assert_int_equal(system(cmd), 0);
		/* a failure mid-way: nothing written */
		snprintf(dest, sizeof(dest), kinds[k], tmpdir, (int)k + 20);
		assert_int_not_equal(write_image(dest, 0, 1, &man), 0);
		snprintf(cmd, sizeof(cmd), "! ls '%s' | grep -q 'img-%d\\|stage-\\|tmp-'", tmpdir, (int)k + 20);
		assert_int_equal(system(cmd), 0);
	}
}

static void test_deterministic(void **state)
{
	char a[512], b[512], cmd[2400];
	sc_digest ma, mb;

	(void)state;
	snprintf(a, sizeof(a), "oci:%s/d1:t", tmpdir);
	snprintf(b, sizeof(b), "oci:%s/d2:t", tmpdir);
	assert_int_equal(write_image(a, 0, 0, &ma), 0);
	assert_int_equal(write_image(b, 0, 0, &mb), 0);
	assert_true(sc_digest_eq(&ma, &mb));
	/* Same blobs, byte for byte, and no temp files left. */
	snprintf(cmd, sizeof(cmd), "diff -r '%s/d1/blobs' '%s/d2/blobs' && cmp '%s/d1/index.json' '%s/d2/index.json'"
		 " && ! ls -a '%s/d1/blobs/sha256' '%s/d1' | grep -q '^\\.tmp'", tmpdir, tmpdir, tmpdir, tmpdir, tmpdir, tmpdir);
	assert_int_equal(system(cmd), 0);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s = calloc(1, 1 << 16);

	assert_non_null(f);
	assert_true(fread(s, 1, (1 << 16) - 1, f) > 0);
	fclose(f);
	return s;
}

static void test_replace(void **state)
{
	char dest[512], other[512], ix[512];
	sc_digest m1, m2;
	char *before, *after;

	(void)state;
	snprintf(dest, sizeof(dest), "oci:%s/r:v1", tmpdir);
	snprintf(other, sizeof(other), "oci:%s/r:v2", tmpdir);
	snprintf(ix, sizeof(ix), "%s/r/index.json", tmpdir);
	assert_int_equal(write_image(dest, 0, 0, &m1), 0);
	before = slurp(ix);
	assert_int_equal(write_image(dest, 0, 0, &m2), SC_EUSAGE);
	assert_non_null(strstr(sc_error_msg(), "exists"));
	after = slurp(ix);
	assert_string_equal(before, after);
	free(after);
	/* With replace: still one entry for v1. */
	assert_int_equal(write_image(dest, 1, 0, &m2), 0);
	assert_true(sc_digest_eq(&m1, &m2));
	/* Another tag is added beside it. */
	assert_int_equal(write_image(other, 0, 0, &m2), 0);
	after = slurp(ix);
	assert_non_null(strstr(after, "\"org.opencontainers.image.ref.name\":\"v1\""));
	assert_non_null(strstr(after, "\"org.opencontainers.image.ref.name\":\"v2\""));
	assert_null(strstr(strstr(after, "\"v1\"") + 1, "\"v1\""));
	free(after);
	free(before);
}

static void test_failure_keeps_index(void **state)
{
	char dest[512], ix[512], cmd[1024];
	sc_digest m;
	char *before, *after;

	(void)state;
	snprintf(dest, sizeof(dest), "oci:%s/f:v1", tmpdir);
	snprintf(ix, sizeof(ix), "%s/f/index.json", tmpdir);
	assert_int_equal(write_image(dest, 0, 0, &m), 0);
	before = slurp(ix);
	assert_int_equal(write_image(dest, 1, 1, &m), SC_EIO);
	after = slurp(ix);
	assert_string_equal(before, after);
	/* The temp blob of the failed layer is gone. */
	snprintf(cmd, sizeof(cmd), "! ls -a '%s/f/blobs/sha256' | grep -q '^\\.tmp'", tmpdir);
	assert_int_equal(system(cmd), 0);
	free(before);
	free(after);
}

/* A killed writer's temp files are swept by the next writer; a live one's are kept. */
static void test_sweeps_stale_temp_files(void **state)
{
	char dest[512], path[600], live[600], cmd[1024];
	sc_image_writer *w = NULL;
	sc_digest m;
	long dead = 4194303; /* above pid_max's default unless raised: check it */
	FILE *f;

	(void)state;
	while (dead > 2 && kill((pid_t)dead, 0) == 0)
		dead--;
	snprintf(dest, sizeof(dest), "oci:%s/sw:v1", tmpdir);
	assert_int_equal(write_image(dest, 0, 0, &m), 0);
	snprintf(path, sizeof(path), "%s/sw/blobs/sha256/.tmp-%ld-0-0", tmpdir, dead);
	snprintf(live, sizeof(live), "%s/sw/blobs/sha256/.tmp-%ld-0-0", tmpdir, (long)getppid());
	assert_non_null(f = fopen(path, "w"));
	fputs("half a layer", f);
	fclose(f);
	assert_non_null(f = fopen(live, "w"));
	fclose(f);
	assert_int_equal(sc_image_writer_open(&w, dest, &(sc_image_writer_opts){ .replace = 1 }), 0);
	sc_image_writer_free(w);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(access(live, F_OK), 0);
	snprintf(cmd, sizeof(cmd), "rm -f '%s'", live);
	assert_int_equal(system(cmd), 0);
}

static void test_usage(void **state)
{
	sc_image_writer *w = NULL;
	char dest[512], path[512];
	FILE *f;

	(void)state;
	assert_int_equal(sc_image_writer_open(&w, "docker://example.org/x:1", NULL), SC_EUSAGE);
	snprintf(dest, sizeof(dest), "docker-archive:%s/x.tar:@1", tmpdir);
	assert_int_equal(sc_image_writer_open(&w, dest, NULL), SC_EUSAGE);
	/* An existing archive is not overwritten without replace. */
	snprintf(path, sizeof(path), "%s/exists.tar", tmpdir);
	f = fopen(path, "w");
	fclose(f);
	snprintf(dest, sizeof(dest), "oci-archive:%s/exists.tar:t", tmpdir);
	assert_int_equal(sc_image_writer_open(&w, dest, NULL), SC_EUSAGE);
	assert_null(w);
	/* A non-empty directory that is not a layout is refused. */
	snprintf(path, sizeof(path), "%s/junk", tmpdir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/junk/file", tmpdir);
	f = fopen(path, "w");
	fclose(f);
	snprintf(dest, sizeof(dest), "oci:%s/junk:t", tmpdir);
	assert_int_equal(sc_image_writer_open(&w, dest, NULL), SC_EUSAGE);
	assert_null(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_archives),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_failure_keeps_index),
		cmocka_unit_test(test_sweeps_stale_temp_files),
		cmocka_unit_test(test_usage),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
