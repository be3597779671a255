/*
 * test_squash.c - one-layer squash (src/image/squash.c): a multi-layer
 * image plus an extra tar is written as one layer; the layer read back
 * with sc_layer_read lists the view's nodes in walk order with their
 * metadata (mtimes clamped), and its merged view has the same files with
 * the same bytes (overrides, whiteouts, opaque dirs, a path repeated in one
 * tar, hard links whose target was deleted, hard links to symlinks, a
 * device); the same input twice (1 or 4 jobs) gives the same digests; the
 * spool leaves nothing behind; a missing member fails without a commit.
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
#include "image/squash.h"
#include "image/writer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MT 1600000000
#define EPOCH (MT + 20)

static char tmpdir[256], spooldir[300];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/scute-test-squash-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(spooldir, sizeof(spooldir), "%s/spool", tmpdir);
	if (mkdir(spooldir, 0700) != 0)
		return -1;
	return setenv("TMPDIR", spooldir, 1);
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- building images ---------------------------------------------------- */

static void put(sc_tarwriter *t, const char *path, int type, unsigned mode, uint32_t uid, const void *data,
		size_t len, const char *link)
{
	sc_entry e;

	memset(&e, 0, sizeof(e));
	e.path = path;
	e.type = (uint8_t)type;
	e.mode = mode;
	e.uid = uid;
	e.gid = uid ? uid + 1 : 0;
	e.mtime = MT + (int64_t)strlen(path) * 3; /* some above EPOCH */
	e.size = type == SC_FT_REG ? len : 0;
	e.link = link;
	if (type == SC_FT_CHAR) {
		e.devmajor = 1;
		e.devminor = 3;
	}
	assert_int_equal(sc_tarwriter_add_data(t, &e, data), 0);
}

static void F(sc_tarwriter *t, const char *path, const char *s)
{
	put(t, path, SC_FT_REG, 0644, 0, s, strlen(s), NULL);
}

static void H(sc_tarwriter *t, const char *path, const char *target)
{
	put(t, path, SC_FT_HARDLINK, 0644, 0, NULL, 0, target);
}

static void W(sc_tarwriter *t, const char *path)
{
	put(t, path, SC_FT_WHITEOUT, 0, 0, NULL, 0, NULL);
}

typedef void (*layer_fn)(sc_tarwriter *t);

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

static void open_view(opened *o, const char *name, const char *extra)
{
	char dest[512];
	sc_scan_opts so;

	snprintf(dest, sizeof(dest), "oci:%s/%s:t", tmpdir, name);
	assert_int_equal(sc_image_open(&o->img, dest, NULL), 0);
	memset(&so, 0, sizeof(so));
	so.jobs = 2;
	so.allow_devices = 1;
	so.verify_diff_ids = 1;
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

/* ---- the image ------------------------------------------------------------ */

static unsigned char big[(1 << 20) + 777];

static void l0(sc_tarwriter *t)
{
	put(t, "bin", SC_FT_DIR, 0755, 0, NULL, 0, NULL);
	put(t, "bin/big", SC_FT_REG, 0755, 0, big, sizeof(big), NULL);
	H(t, "bin/big-link", "bin/big");
	put(t, "bin/su", SC_FT_REG, 04755, 1000, "setuid!", 7, NULL);
	put(t, "etc", SC_FT_DIR, 0755, 0, NULL, 0, NULL);
	F(t, "etc/a", "one");
	F(t, "etc/b", "two");
	F(t, "etc/perl5.36", "#!perl");
	H(t, "etc/perl", "etc/perl5.36");
	F(t, "opt/old", "old");
	F(t, "r", "first");
	F(t, "r", "second, longer: the last member wins");
	put(t, "abs", SC_FT_SYMLINK, 0777, 0, NULL, 0, "/etc/../../outside");
	put(t, "fifo", SC_FT_FIFO, 0640, 7, NULL, 0, NULL);
	put(t, "dev/null", SC_FT_CHAR, 0666, 0, NULL, 0, NULL); /* implicit dev/ */
	F(t, "z/target", "zzz");
	H(t, "a/link", "z/target"); /* the group's first node in walk order is a/link */
	F(t, "empty", "");
	for (int i = 0; i < 40; i++) {
		char p[32], d[64];

		snprintf(p, sizeof(p), "many/f%02d", i);
		snprintf(d, sizeof(d), "%.*s", i + 1, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ");
		F(t, p, d);
	}
}

static void l1(sc_tarwriter *t)
{
	F(t, "etc/a", "replaced");
	W(t, "etc/b");
	W(t, "etc/perl5.36");
	put(t, "opt", SC_FT_OPAQUE, 0, 0, NULL, 0, NULL);
	F(t, "opt/new", "new");
	put(t, "bin/sh", SC_FT_SYMLINK, 0777, 0, NULL, 0, "busybox");
	H(t, "bin/sh-link", "bin/sh");
}

static void extra(sc_tarwriter *t)
{
	W(t, "bin/su");
	put(t, "etc/a", SC_FT_REG, 0640, 65532, "hardened", 8, NULL);
	F(t, "home/nonroot/.profile", "umask 077\n");
}

/* ---- comparing ------------------------------------------------------------ */

typedef struct coll {
	pthread_mutex_t mu;
	struct got {
		char path[128];
		unsigned char *data;
		size_t len;
	} items[128];
	size_t n;
} coll;

static void *c_begin(void *ud, const sc_fsnode *node)
{
	coll *c = ud;
	struct got *g;

	pthread_mutex_lock(&c->mu);
	assert_true(c->n < 128);
	g = &c->items[c->n++];
	snprintf(g->path, sizeof(g->path), "%s", node->e.path);
	pthread_mutex_unlock(&c->mu);
	return g;
}

static int c_data(void *st, const void *buf, size_t len)
{
	struct got *g = st;

	g->data = realloc(g->data, g->len + len + 1);
	memcpy(g->data + g->len, buf, len);
	g->len += len;
	return 0;
}

static int c_end(void *st, int failed)
{
	(void)st;
	return failed ? -1 : 0;
}

static void contents(opened *o, const char *extra_tar, coll *c)
{
	sc_content_sink s = { c_begin, c_data, c_end, c };

	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->mu, NULL);
	assert_int_equal(sc_content_pass(o->img, extra_tar, o->scan.view, &s, 2), 0);
}

static void coll_free(coll *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->items[i].data);
	pthread_mutex_destroy(&c->mu);
}

static const struct got *find(const coll *c, const char *path)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->items[i].path, path))
			return &c->items[i];
	return NULL;
}

typedef struct walked {
	const sc_fsnode *v[256];
	size_t n;
} walked;

static int walk_cb(const sc_fsnode *n, void *ud)
{
	walked *w = ud;

	assert_true(w->n < 256);
	w->v[w->n++] = n;
	return 0;
}

/* Squash oci:tmpdir/src:t (+ extra) into oci:tmpdir/dst:t; returns the manifest digest. */
static int squash(opened *o, const char *extra_tar, const char *dst, unsigned jobs, sc_digest *man)
{
	sc_image_writer_opts wo = { .replace = 1, .gzip_level = 0, .epoch = SC_TAR_NO_CLAMP };
	sc_image_writer *w = NULL;
	char dest[512];
	int rc;

	snprintf(dest, sizeof(dest), "oci:%s/%s:t", tmpdir, dst);
	assert_int_equal(sc_image_writer_open(&w, dest, &wo), 0);
	rc = sc_squash_layer(w, o->img, extra_tar, o->scan.view, EPOCH, "squash", jobs);
	if (!rc)
		rc = sc_image_writer_commit(w, o->img->config_raw.data, o->img->config_raw.len, NULL, man);
	sc_image_writer_free(w);
	return rc;
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_squash(void **state)
{
	const layer_fn layers[] = { l0, l1 };
	char extra_tar[512], dest[512], cmd[1400];
	sc_digest m1, m2, m3;
	opened o, q;
	walked a, b;
	coll ca, cb;
	sc_stream *blob = NULL;
	sc_layer l;
	sc_layer_opts lo;
	sc_link_groups *g = NULL;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)((i * 2654435761u) >> 9);
	make_image("src", layers, 2);
	snprintf(extra_tar, sizeof(extra_tar), "%s/extra.tar", tmpdir);
	make_tar(extra_tar, extra);
	open_view(&o, "src", extra_tar);

	assert_int_equal(squash(&o, extra_tar, "sq1", 4, &m1), 0);
	assert_int_equal(squash(&o, extra_tar, "sq2", 1, &m2), 0);
	assert_true(sc_digest_eq(&m1, &m2));
	snprintf(cmd, sizeof(cmd), "diff -r '%s/sq1/blobs' '%s/sq2/blobs'", tmpdir, tmpdir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(count_entries(spooldir), 0); /* no spool left */

	/* The layer as written: walk order, metadata of the view, clamped mtimes. */
	snprintf(dest, sizeof(dest), "oci:%s/sq1:t", tmpdir);
	assert_int_equal(sc_image_open(&q.img, dest, NULL), 0);
	assert_int_equal(q.img->manifest.n_layers, 1);
	assert_string_equal(q.img->config.history[q.img->config.n_history - 1].created_by, "squash");
	assert_int_equal(sc_image_open_layer(q.img, 0, &blob), 0);
	memset(&lo, 0, sizeof(lo));
	lo.name = "squashed";
	lo.allow_devices = 1;
	lo.diff_id = &q.img->config.diff_ids[0];
	assert_int_equal(sc_layer_read(&l, blob, &lo), 0);
	memset(&a, 0, sizeof(a));
	assert_int_equal(sc_fsview_walk(o.scan.view, walk_cb, &a), 0);
	assert_int_equal(sc_link_groups_new(&g, o.scan.view), 0);
	assert_int_equal(l.n_entries, a.n);
	for (i = 0; i < a.n; i++) {
		const sc_entry *e = &l.entries[i];
		const sc_fsnode *n = a.v[i], *m = sc_content_source(n), *lead = sc_link_groups_leader(g, n);
		int64_t mt = m->e.mtime < EPOCH ? m->e.mtime : EPOCH;

		assert_string_equal(e->path, n->e.path);
		if (lead != n) {
			assert_int_equal(e->type, SC_FT_HARDLINK);
			assert_string_equal(e->link, lead->e.path);
		} else {
			assert_int_equal(e->type, m->e.type);
			if (m->e.type == SC_FT_REG)
				assert_int_equal(e->size, m->e.size);
			if (m->e.type == SC_FT_SYMLINK)
				assert_string_equal(e->link, m->e.link);
		}
		assert_int_equal(e->mode, m->e.mode & 07777);
		assert_int_equal(e->uid, m->e.uid);
		assert_int_equal(e->gid, m->e.gid);
		assert_int_equal(e->mtime, mt);
	}
	sc_layer_release(&l);
	sc_link_groups_free(g);

	/* Its merged view: the same nodes with the same bytes. */
	{
		sc_scan_opts so;

		memset(&so, 0, sizeof(so));
		so.allow_devices = 1;
		so.verify_diff_ids = 1;
		assert_int_equal(sc_image_scan(&q.scan, q.img, &so), 0);
	}
	memset(&b, 0, sizeof(b));
	assert_int_equal(sc_fsview_walk(q.scan.view, walk_cb, &b), 0);
	assert_int_equal(a.n, b.n);
	for (i = 0; i < a.n; i++) {
		assert_string_equal(a.v[i]->e.path, b.v[i]->e.path);
		assert_int_equal(sc_content_source(a.v[i])->e.type == SC_FT_REG,
				 sc_content_source(b.v[i])->e.type == SC_FT_REG);
	}
	contents(&o, extra_tar, &ca);
	contents(&q, NULL, &cb);
	assert_int_equal(ca.n, cb.n);
	for (k = 0; k < ca.n; k++) {
		const struct got *x = &ca.items[k], *y = find(&cb, x->path);

		assert_non_null(y);
		assert_int_equal(x->len, y->len);
		if (x->len)
			assert_memory_equal(x->data, y->data, x->len);
	}
	{
		const struct got *x = find(&cb, "r");

		assert_non_null(x);
		assert_memory_equal(x->data, "second, longer: the last member wins", 36);
		assert_non_null(x = find(&cb, "etc/perl"));
		assert_memory_equal(x->data, "#!perl", 6);
		assert_non_null(x = find(&cb, "a/link"));
		assert_memory_equal(x->data, "zzz", 3);
		assert_non_null(x = find(&cb, "bin/big"));
		assert_int_equal(x->len, sizeof(big));
		assert_memory_equal(x->data, big, sizeof(big));
		assert_null(find(&cb, "bin/su"));
		assert_null(find(&cb, "opt/old"));
	}
	coll_free(&ca);
	coll_free(&cb);
	assert_int_equal(sc_fsview_lookup(q.scan.view, "bin/sh-link")->e.type, SC_FT_HARDLINK);
	assert_int_equal(sc_fsview_lookup(q.scan.view, "dev/null")->e.type, SC_FT_CHAR);
	assert_int_equal(sc_fsview_lookup(q.scan.view, "etc/a")->e.uid, 65532);
	close_view(&q);

	/* Squashing the squashed image again gives the same layer blob. */
	open_view(&q, "sq1", NULL);
	assert_int_equal(squash(&q, NULL, "sq3", 2, &m3), 0);
	{
		sc_image *r = NULL;

		snprintf(dest, sizeof(dest), "oci:%s/sq3:t", tmpdir);
		assert_int_equal(sc_image_open(&r, dest, NULL), 0);
		assert_int_equal(r->manifest.n_layers, 1);
		assert_true(sc_digest_eq(&r->manifest.layers[0].digest, &q.img->manifest.layers[0].digest));
		sc_image_free(r);
	}
	close_view(&q);
	close_view(&o);
}

static void bad_extra(sc_tarwriter *t)
{
	F(t, "something-else", "x");
}

static void test_missing_member(void **state)
{
	const layer_fn layers[] = { l0, l1 };
	char extra_tar[512], bad[512], ix[600], buf[4096];
	sc_digest m;
	opened o;
	FILE *f;
	size_t n;

	(void)state;
	make_image("src2", layers, 2);
	snprintf(extra_tar, sizeof(extra_tar), "%s/extra.tar", tmpdir);
	snprintf(bad, sizeof(bad), "%s/bad.tar", tmpdir);
	make_tar(bad, bad_extra);
	open_view(&o, "src2", extra_tar);
	assert_int_equal(squash(&o, bad, "sqbad", 2, &m), SC_EINPUT);
	/* Nothing committed: the new layout's index is empty, no spool left. */
	snprintf(ix, sizeof(ix), "%s/sqbad/index.json", tmpdir);
	assert_non_null(f = fopen(ix, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	assert_null(strstr(buf, "sha256"));
	assert_int_equal(count_entries(spooldir), 0);
	close_view(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_squash),
		cmocka_unit_test(test_missing_member),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
