/*
 * test_content.c - the content pass (src/image/content.c): multi-layer
 * images written into a temp OCI layout and scanned, plus an extra tar
 * applied on top, deliver exactly the merged view's files (overrides,
 * whiteouts, opaque dirs, a path repeated in one tar: the last wins), hard
 * link groups once, hard links whose target a later layer deleted (same
 * layer and across layers), with 1 and several jobs; layers without wanted
 * members are not read; a missing member, a wrong size and a failing sink
 * are errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "image/content.h"
#include "image/fsview.h"
#include "image/image.h"
#include "image/scan.h"
#include "image/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/scute-test-content-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- building images ---------------------------------------------------- */

static void put(sc_tarwriter *t, const char *path, int type, unsigned mode, const void *data, size_t len,
		const char *link)
{
	sc_entry e;

	memset(&e, 0, sizeof(e));
	e.path = path;
	e.type = (uint8_t)type;
	e.mode = mode;
	e.mtime = 1600000000;
	e.size = type == SC_FT_REG ? len : 0;
	e.link = link;
	assert_int_equal(sc_tarwriter_add_data(t, &e, data), 0);
}

static void F(sc_tarwriter *t, const char *path, const char *s)
{
	put(t, path, SC_FT_REG, 0644, s, strlen(s), NULL);
}

static void D(sc_tarwriter *t, const char *path)
{
	put(t, path, SC_FT_DIR, 0755, NULL, 0, NULL);
}

static void H(sc_tarwriter *t, const char *path, const char *target)
{
	put(t, path, SC_FT_HARDLINK, 0644, NULL, 0, target);
}

static void W(sc_tarwriter *t, const char *path)
{
	put(t, path, SC_FT_WHITEOUT, 0, NULL, 0, NULL);
}

typedef void (*layer_fn)(sc_tarwriter *t);

/* An image of the given layers at oci:tmpdir/name:t. */
static void make_image(const char *name, const layer_fn *layers, size_t n)
{
	sc_image_writer_opts o = { .replace = 1, .gzip_level = 1, .epoch = SC_TAR_NO_CLAMP };
	sc_image_writer *w = NULL;
	sc_tarwriter *t = NULL;
	char dest[512];
	size_t i;

	snprintf(dest, sizeof(dest), "oci:%s/%s:t", tmpdir, name);
	assert_int_equal(sc_image_writer_open(&w, dest, &o), 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(sc_image_writer_layer_begin(w, &t), 0);
		layers[i](t);
		assert_int_equal(sc_image_writer_layer_end(w, "test", NULL, NULL), 0);
	}
	assert_int_equal(sc_image_writer_commit(w, NULL, 0, NULL, NULL), 0);
	sc_image_writer_free(w);
}

static int fd_sink(void *ud, const void *data, size_t len)
{
	return write(*(int *)ud, data, len) == (ssize_t)len ? 0 : SC_EIO;
}

static void make_tar(const char *path, layer_fn fn)
{
	sc_tarwriter *t = NULL;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(sc_tarwriter_new(&t, fd_sink, &fd, SC_TAR_NO_CLAMP), 0);
	fn(t);
	assert_int_equal(sc_tarwriter_finish(t), 0);
	sc_tarwriter_free(t);
	close(fd);
}

typedef struct opened {
	sc_image *img;
	sc_scan scan;
} opened;

/* Open and scan oci:tmpdir/name:t; apply the tar at extra (may be NULL) as the next layer. */
static void open_view(opened *o, const char *name, const char *extra)
{
	char dest[512];
	sc_scan_opts so;

	snprintf(dest, sizeof(dest), "oci:%s/%s:t", tmpdir, name);
	assert_int_equal(sc_image_open(&o->img, dest, NULL), 0);
	memset(&so, 0, sizeof(so));
	so.jobs = 2;
	assert_int_equal(sc_image_scan(&o->scan, o->img, &so), 0);
	if (extra) {
		sc_layer_opts lo;
		sc_stream *s = NULL;
		sc_layer l;
		int fd = open(extra, O_RDONLY);

		assert_true(fd >= 0);
		assert_int_equal(sc_stream_fd_new(&s, fd, 1, 0, UINT64_MAX), 0);
		memset(&lo, 0, sizeof(lo));
		lo.index = o->img->manifest.n_layers;
		lo.name = "extra";
		assert_int_equal(sc_layer_read(&l, s, &lo), 0);
		assert_int_equal(sc_fsview_apply(o->scan.view, &l, "extra"), 0);
	}
}

static void close_view(opened *o)
{
	sc_scan_release(&o->scan);
	sc_image_free(o->img);
}

/* ---- a collecting sink -------------------------------------------------- */

typedef struct got {
	char path[256];
	unsigned char *data;
	size_t len;
	int ended, failed;
	pthread_t thread;
} got;

typedef struct coll {
	pthread_mutex_t mu;
	got items[64];
	size_t n;
	int skip;        /* begin() returns NULL for "skip*" paths */
} coll;

static int fail_enabled; /* data() of "fail-here" fails */

static void *c_begin(void *ud, const sc_fsnode *node)
{
	coll *c = ud;
	got *g;

	if (c->skip && !strncmp(node->e.path, "skip", 4))
		return NULL;
	pthread_mutex_lock(&c->mu);
	assert_true(c->n < 64);
	g = &c->items[c->n++];
	snprintf(g->path, sizeof(g->path), "%s", node->e.path);
	g->thread = pthread_self();
	pthread_mutex_unlock(&c->mu);
	return g;
}

static int c_data(void *st, const void *buf, size_t len)
{
	got *g = st;

	if (fail_enabled && !strcmp(g->path, "fail-here"))
		return sc_error_set(SC_EIO, "sink says no");
	g->data = realloc(g->data, g->len + len + 1);
	memcpy(g->data + g->len, buf, len);
	g->len += len;
	g->data[g->len] = 0;
	return 0;
}

static int c_end(void *st, int failed)
{
	got *g = st;

	g->ended++;
	g->failed = failed;
	return 0;
}

static void coll_init(coll *c)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->mu, NULL);
}

static void coll_free(coll *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->items[i].data);
	pthread_mutex_destroy(&c->mu);
}

static const got *find(const coll *c, const char *path)
{
	const got *r = NULL;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->items[i].path, path)) {
			if (r)
				fail_msg("'%s' delivered twice", path);
			r = &c->items[i];
		}
	return r;
}

static void expect(const coll *c, const char *path, const void *data, size_t len)
{
	const got *g = find(c, path);

	if (!g)
		fail_msg("'%s' not delivered", path);
	assert_int_equal(g->ended, 1);
	assert_int_equal(g->failed, 0);
	assert_int_equal(g->len, len);
	if (len)
		assert_memory_equal(g->data, data, len);
}

static int run(opened *o, const char *extra, coll *c, unsigned jobs)
{
	sc_content_sink s = { c_begin, c_data, c_end, c };

	return sc_content_pass(o->img, extra, o->scan.view, &s, jobs);
}

/* ---- the image of the main test ----------------------------------------- */

static unsigned char big[300001];

static void base_layer_ok(sc_tarwriter *t)
{
	D(t, "bin");
	put(t, "bin/big", SC_FT_REG, 0755, big, sizeof(big), NULL);
	H(t, "bin/big2", "bin/big");
	D(t, "etc");
	F(t, "etc/a", "one");
	F(t, "etc/b", "two");
	D(t, "opt");
	F(t, "opt/old", "old");
	F(t, "r", "first");
	F(t, "r", "second, longer: the last member wins");
	F(t, "empty", "");
	F(t, "z-target", "zzz");
	H(t, "a-link", "z-target"); /* leader is a-link: first in walk order */
}

static void upper_layer(sc_tarwriter *t)
{
	F(t, "etc/a", "replaced");
	W(t, "etc/b");
	put(t, "opt", SC_FT_OPAQUE, 0, NULL, 0, NULL);
	F(t, "opt/new", "new");
}

static void meta_layer(sc_tarwriter *t)
{
	/* Only metadata: no wanted member in it. */
	D(t, "etc");
	put(t, "var", SC_FT_DIR, 01777, NULL, 0, NULL);
	W(t, "empty");
}

static void extra_layer(sc_tarwriter *t)
{
	F(t, "etc/a", "from the extra tar");
	F(t, "x/y", "extra file");
}

static void test_layers_and_extra(void **state)
{
	const layer_fn layers[] = { base_layer_ok, upper_layer, meta_layer };
	char extra[512], blob[700], hex[65];
	opened o;
	coll c;
	unsigned jobs;

	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)((i * 2654435761u) >> 13);
	make_image("main", layers, 3);
	snprintf(extra, sizeof(extra), "%s/extra.tar", tmpdir);
	make_tar(extra, extra_layer);
	for (jobs = 1; jobs <= 4; jobs += 3) {
		open_view(&o, "main", extra);
		coll_init(&c);
		assert_int_equal(run(&o, extra, &c, jobs), 0);
		expect(&c, "bin/big", big, sizeof(big));
		assert_null(find(&c, "bin/big2")); /* same group: delivered once, to the first node */
		expect(&c, "etc/a", "from the extra tar", 18);
		assert_null(find(&c, "etc/b"));
		assert_null(find(&c, "opt/old"));
		expect(&c, "opt/new", "new", 3);
		expect(&c, "r", "second, longer: the last member wins", 36);
		assert_null(find(&c, "empty"));
		expect(&c, "a-link", "zzz", 3);
		assert_null(find(&c, "z-target"));
		expect(&c, "x/y", "extra file", 10);
		assert_int_equal(c.n, 6);
		coll_free(&c);
		close_view(&o);
	}

	/* The metadata-only layer is not read: removing its blob changes nothing. */
	open_view(&o, "main", extra);
	snprintf(blob, sizeof(blob), "%s/main/blobs/sha256/%s", tmpdir,
		 sc_digest_hex(&o.img->manifest.layers[2].digest, hex));
	assert_int_equal(unlink(blob), 0);
	coll_init(&c);
	assert_int_equal(run(&o, extra, &c, 2), 0);
	assert_int_equal(c.n, 6);
	coll_free(&c);
	/* Without the extra tar the view's extra-layer nodes cannot be read. */
	coll_init(&c);
	assert_int_equal(run(&o, NULL, &c, 2), SC_EUSAGE);
	assert_non_null(strstr(sc_error_msg(), "extra tar"));
	coll_free(&c);
	/* A layer blob that changed since the scan: the pass fails, every begun file is ended. */
	snprintf(blob, sizeof(blob), "%s/main/blobs/sha256/%s", tmpdir,
		 sc_digest_hex(&o.img->manifest.layers[1].digest, hex));
	{
		FILE *f = fopen(blob, "r+b");

		assert_non_null(f);
		assert_int_equal(fseek(f, -12, SEEK_END), 0);
		assert_int_equal(fwrite("garbage!", 1, 8, f), 8);
		fclose(f);
	}
	coll_init(&c);
	assert_true(run(&o, extra, &c, 2) < 0);
	assert_non_null(strstr(sc_error_msg(), "digest mismatch"));
	for (size_t i = 0; i < c.n; i++)
		assert_int_equal(c.items[i].ended, 1);
	coll_free(&c);
	close_view(&o);
}

/* ---- hard links whose target was deleted -------------------------------- */

static void hl0(sc_tarwriter *t)
{
	F(t, "a", "AAAA");
	H(t, "b", "a");
	H(t, "c", "a");
	F(t, "p", "PPP");
	F(t, "s", "S-one");
	F(t, "k", "kept");
	F(t, "k", "k-final");
	H(t, "kl", "k");   /* links to the last "k" */
}

static void hl1(sc_tarwriter *t)
{
	W(t, "a");
	H(t, "q", "p");  /* across layers */
	H(t, "t", "s");
	F(t, "k", "k-new"); /* replaces k: kl keeps the old bytes */
}

static void hl2(sc_tarwriter *t)
{
	W(t, "p");
	W(t, "s");
}

static void hl3(sc_tarwriter *t)
{
	H(t, "u", "t"); /* t is a former link (fsview made it a file) */
}

static void hl4(sc_tarwriter *t)
{
	W(t, "t");
}

static void test_deleted_targets(void **state)
{
	const layer_fn layers[] = { hl0, hl1, hl2, hl3, hl4 };
	const sc_fsnode *n;
	opened o;
	coll c;

	(void)state;
	make_image("hl", layers, 5);
	open_view(&o, "hl", NULL);
	n = sc_fsview_lookup(o.scan.view, "b");
	assert_non_null(n);
	assert_int_equal(n->e.type, SC_FT_REG); /* the merge made it the group's file */
	assert_int_equal(sc_fsview_lookup(o.scan.view, "u")->e.type, SC_FT_REG);
	coll_init(&c);
	assert_int_equal(run(&o, NULL, &c, 3), 0);
	expect(&c, "b", "AAAA", 4);
	assert_null(find(&c, "c"));
	expect(&c, "q", "PPP", 3);
	expect(&c, "u", "S-one", 5);
	expect(&c, "k", "k-new", 5);
	expect(&c, "kl", "k-final", 7);
	assert_int_equal(c.n, 5);
	coll_free(&c);
	close_view(&o);
}

/* ---- errors --------------------------------------------------------------- */

static void small_layer(sc_tarwriter *t)
{
	F(t, "f", "ffff");
	F(t, "fail-here", "x");
	F(t, "skip-me", "s");
}

static void x1(sc_tarwriter *t)
{
	F(t, "n", "new!");
}

static void x2(sc_tarwriter *t)
{
	D(t, "n");
}

static void x3(sc_tarwriter *t)
{
	F(t, "n", "longer");
}

static void x4(sc_tarwriter *t)
{
	F(t, "other", "new!");
}

static void test_errors(void **state)
{
	const layer_fn layers[] = { small_layer };
	char e1[512], e2[512], e3[512], e4[512];
	opened o;
	coll c;
	size_t i;

	(void)state;
	make_image("err", layers, 1);
	snprintf(e1, sizeof(e1), "%s/x1.tar", tmpdir);
	snprintf(e2, sizeof(e2), "%s/x2.tar", tmpdir);
	snprintf(e3, sizeof(e3), "%s/x3.tar", tmpdir);
	snprintf(e4, sizeof(e4), "%s/x4.tar", tmpdir);
	make_tar(e1, x1);
	make_tar(e2, x2);
	make_tar(e3, x3);
	make_tar(e4, x4);
	open_view(&o, "err", e1);

	/* A sink that fails: the pass fails with its message; every begun file ended. */
	coll_init(&c);
	c.skip = 1;
	fail_enabled = 1;
	assert_int_equal(run(&o, e1, &c, 2), SC_EIO);
	fail_enabled = 0;
	assert_non_null(strstr(sc_error_msg(), "sink says no"));
	for (i = 0; i < c.n; i++)
		assert_int_equal(c.items[i].ended, 1);
	assert_null(find(&c, "skip-me"));
	coll_free(&c);

	/* The member is not a regular file in the tar given. */
	coll_init(&c);
	c.skip = 1;
	assert_int_equal(run(&o, e2, &c, 1), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "directory"));
	coll_free(&c);
	/* Its size differs. */
	coll_init(&c);
	assert_int_equal(run(&o, e3, &c, 1), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "bytes"));
	coll_free(&c);
	/* Another path at that position. */
	coll_init(&c);
	assert_int_equal(run(&o, e4, &c, 1), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "another image"));
	coll_free(&c);
	/* A missing tar. */
	coll_init(&c);
	snprintf(e4, sizeof(e4), "%s/nope.tar", tmpdir);
	assert_int_equal(run(&o, e4, &c, 1), SC_EIO);
	coll_free(&c);
	close_view(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layers_and_extra),
		cmocka_unit_test(test_deleted_targets),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
