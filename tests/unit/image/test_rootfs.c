/*
 * test_rootfs.c - rootfs extraction (src/image/rootfs.c): a multi-layer
 * image (overrides, whiteouts, opaque dirs, a path repeated in one tar,
 * hard links whose target a later layer deleted, symlinks pointing outside
 * the root, a fifo, a device, setuid files, read-only directories) plus an
 * extra tar is extracted into an empty directory; every node of the view
 * is checked on disk (type, bytes, mode, owner when root, mtime, hard links
 * sharing an inode) and nothing outside the directory is touched.  A
 * non-empty directory is refused; without root, ownership is skipped; with
 * openat2 refused (a seccomp filter answering ENOSYS, as container runtimes'
 * default profiles may), the per-component O_NOFOLLOW walk gives the same
 * tree.
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
#include "image/rootfs.h"
#include "image/scan.h"
#include "image/writer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <grp.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[256];
static char outside[300]; /* a directory beside the rootfs that must stay untouched */

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/scute-test-rootfs-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(outside, sizeof(outside), "%s/outside", tmpdir);
	return mkdir(outside, 0755);
}

static int teardown(void **state)
{
	char cmd[1024];

	(void)state;
	snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s'; rm -rf '%s'", tmpdir, tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- building images ---------------------------------------------------- */

#define MT 1600000000

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
	e.mtime = MT + (int64_t)strlen(path);
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

static void D(sc_tarwriter *t, const char *path, unsigned mode, uint32_t uid)
{
	put(t, path, SC_FT_DIR, mode, uid, NULL, 0, NULL);
}

static void H(sc_tarwriter *t, const char *path, const char *target)
{
	put(t, path, SC_FT_HARDLINK, 0644, 0, NULL, 0, target);
}

static void L(sc_tarwriter *t, const char *path, const char *target)
{
	put(t, path, SC_FT_SYMLINK, 0777, 0, NULL, 0, target);
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

static unsigned char big[1 << 20];
static char outside_link[400];

static void l0(sc_tarwriter *t)
{
	D(t, "bin", 0755, 0);
	put(t, "bin/big", SC_FT_REG, 0755, 0, big, sizeof(big), NULL);
	H(t, "bin/big-link", "bin/big");
	put(t, "bin/su", SC_FT_REG, 04755, 1000, "setuid!", 7, NULL);
	put(t, "bin/sg", SC_FT_REG, 02711, 0, "setgid!", 7, NULL);
	D(t, "etc", 0755, 0);
	F(t, "etc/a", "one");
	F(t, "etc/b", "two");
	F(t, "etc/perl5.36", "#!perl");
	H(t, "etc/perl", "etc/perl5.36");
	D(t, "opt", 0755, 0);
	F(t, "opt/old", "old");
	F(t, "r", "first");
	F(t, "r", "second, longer: the last member wins");
	L(t, "abs-outside", outside_link);          /* verbatim, never followed */
	L(t, "etc-link", "/etc");
	L(t, "dotdot", "/../../../../../etc/shadow"); /* absolute: ".." stops at the root */
	L(t, "dir-link", outside_link);
	put(t, "fifo", SC_FT_FIFO, 0640, 7, NULL, 0, NULL);
	D(t, "dev", 0755, 0);
	put(t, "dev/null", SC_FT_CHAR, 0666, 0, NULL, 0, NULL);
	D(t, "ro", 0555, 0);
	F(t, "ro/inside", "in a read-only dir");
	D(t, "ro/locked", 0000, 0);
	F(t, "ro/locked/deep", "deep");
	D(t, "home", 0755, 0);
	D(t, "home/u", 0700, 1234);
	put(t, "home/u/secret", SC_FT_REG, 0600, 1234, "s3cr3t", 6, NULL);
	F(t, "empty", "");
}

static void l1(sc_tarwriter *t)
{
	F(t, "etc/a", "replaced");
	W(t, "etc/b");
	W(t, "etc/perl5.36");   /* etc/perl keeps the bytes */
	put(t, "opt", SC_FT_OPAQUE, 0, 0, NULL, 0, NULL);
	F(t, "opt/new", "new");
	F(t, "dir-link/through", "x"); /* a directory replaces the symlink (overlay) */
	L(t, "bin/sh", "busybox");
	H(t, "bin/sh-link", "bin/sh"); /* a hard link to a symlink */
}

static void extra(sc_tarwriter *t)
{
	W(t, "bin/su");
	put(t, "etc/a", SC_FT_REG, 0640, 65532, "hardened", 8, NULL);
	D(t, "home/nonroot", 0755, 65532);
	F(t, "home/nonroot/.profile", "umask 077\n");
}

/* ---- checking a tree against the view ------------------------------------ */

typedef struct coll {
	pthread_mutex_t mu;
	struct got {
		const sc_fsnode *node;
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
	g = &c->items[c->n++];
	g->node = node;
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

typedef struct chk {
	const char *dir;
	coll *c;
	int root;
	const sc_link_groups *g;
	size_t checked;
} chk;

static void slurp_cmp(const char *path, const unsigned char *data, size_t len)
{
	unsigned char *buf = malloc(len + 1);
	int fd = open(path, O_RDONLY | O_NOFOLLOW);
	size_t got = 0;
	ssize_t n;

	assert_true(fd >= 0);
	while ((n = read(fd, buf + got, len + 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	assert_int_equal(got, len);
	if (len)
		assert_memory_equal(buf, data, len);
	free(buf);
}

static int check_cb(const sc_fsnode *n, void *ud)
{
	chk *c = ud;
	const sc_fsnode *m = sc_content_source(n), *lead = sc_link_groups_leader(c->g, n);
	char p[4400], lp[4400];
	struct stat sb, lb;
	size_t i;

	snprintf(p, sizeof(p), "%s/%s", c->dir, n->e.path);
	if (m->e.type == SC_FT_CHAR || m->e.type == SC_FT_BLOCK) {
		assert_int_equal(lstat(p, &sb), -1); /* skipped */
		return 0;
	}
	if (lstat(p, &sb) != 0)
		fail_msg("missing %s", p);
	c->checked++;
	switch (m->e.type) {
	case SC_FT_DIR:
		assert_true(S_ISDIR(sb.st_mode));
		break;
	case SC_FT_REG:
		assert_true(S_ISREG(sb.st_mode));
		assert_int_equal((uint64_t)sb.st_size, m->e.size);
		for (i = 0; i < c->c->n; i++)
			if (c->c->items[i].node == lead)
				slurp_cmp(p, c->c->items[i].data, c->c->items[i].len);
		break;
	case SC_FT_SYMLINK: {
		char t[4096];
		ssize_t k = readlink(p, t, sizeof(t) - 1);

		assert_true(S_ISLNK(sb.st_mode));
		assert_true(k >= 0);
		t[k] = 0;
		assert_string_equal(t, m->e.link);
		break;
	}
	case SC_FT_FIFO:
		assert_true(S_ISFIFO(sb.st_mode));
		break;
	default:
		fail_msg("unexpected type %c at %s", m->e.type, n->e.path);
	}
	if (lead != n) {
		snprintf(lp, sizeof(lp), "%s/%s", c->dir, lead->e.path);
		assert_int_equal(lstat(lp, &lb), 0);
		assert_int_equal(sb.st_ino, lb.st_ino);
	}
	if (!S_ISLNK(sb.st_mode))
		assert_int_equal(sb.st_mode & 07777, m->e.mode & 07777);
	if (c->root) {
		assert_int_equal(sb.st_uid, m->e.uid);
		assert_int_equal(sb.st_gid, m->e.gid);
	}
	assert_int_equal(sb.st_mtime, m->e.mtime < 0 ? 0 : m->e.mtime);
	return 0;
}

static void check_tree(opened *o, const char *extra_tar, const char *dir, int root)
{
	sc_content_sink s;
	sc_link_groups *g = NULL;
	coll c;
	chk k;
	size_t i;

	memset(&c, 0, sizeof(c));
	pthread_mutex_init(&c.mu, NULL);
	s.begin = c_begin;
	s.data = c_data;
	s.end = c_end;
	s.ud = &c;
	assert_int_equal(sc_content_pass(o->img, extra_tar, o->scan.view, &s, 2), 0);
	assert_int_equal(sc_link_groups_new(&g, o->scan.view), 0);
	k.dir = dir;
	k.c = &c;
	k.root = root;
	k.g = g;
	k.checked = 0;
	assert_int_equal(sc_fsview_walk(o->scan.view, check_cb, &k), 0);
	assert_true(k.checked > 20);
	sc_link_groups_free(g);
	for (i = 0; i < c.n; i++)
		free(c.items[i].data);
	pthread_mutex_destroy(&c.mu);
}

/* Entries directly in dir (no recursion), for "nothing else was created". */
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

static void read_file(const char *path, char *out, size_t outsz)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, out, outsz - 1);
	assert_true(n >= 0);
	out[n] = 0;
	close(fd);
}

static void test_extract(void **state)
{
	const layer_fn layers[] = { l0, l1 };
	char extra_tar[512], dir[512], p[700], buf[256];
	sc_rootfs_stats st;
	struct stat sb;
	opened o;
	int root = geteuid() == 0;

	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)((i * 2654435761u) >> 11);
	snprintf(outside_link, sizeof(outside_link), "%s", outside);
	make_image("img", layers, 2);
	snprintf(extra_tar, sizeof(extra_tar), "%s/extra.tar", tmpdir);
	make_tar(extra_tar, extra);
	open_view(&o, "img", extra_tar);
	snprintf(dir, sizeof(dir), "%s/rootfs", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(sc_rootfs_extract_stats(o.img, extra_tar, o.scan.view, dir, 3, &st), 0);
	check_tree(&o, extra_tar, dir, root);

	/* The specific cases, spelled out. */
	snprintf(p, sizeof(p), "%s/r", dir);
	read_file(p, buf, sizeof(buf));
	assert_string_equal(buf, "second, longer: the last member wins");
	snprintf(p, sizeof(p), "%s/etc/a", dir);
	read_file(p, buf, sizeof(buf));
	assert_string_equal(buf, "hardened");
	snprintf(p, sizeof(p), "%s/etc/perl", dir);
	read_file(p, buf, sizeof(buf));
	assert_string_equal(buf, "#!perl");
	snprintf(p, sizeof(p), "%s/etc/b", dir);
	assert_int_equal(lstat(p, &sb), -1);
	snprintf(p, sizeof(p), "%s/opt/old", dir);
	assert_int_equal(lstat(p, &sb), -1);
	snprintf(p, sizeof(p), "%s/bin/su", dir);
	assert_int_equal(lstat(p, &sb), -1);
	snprintf(p, sizeof(p), "%s/bin/sg", dir);
	assert_int_equal(lstat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 02711);
	snprintf(p, sizeof(p), "%s/dir-link", dir);
	assert_int_equal(lstat(p, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	snprintf(p, sizeof(p), "%s/ro/locked/deep", dir);
	assert_int_equal(lstat(p, &sb), 0);
	snprintf(p, sizeof(p), "%s/bin/big-link", dir);
	assert_int_equal(lstat(p, &sb), 0);
	assert_int_equal(sb.st_nlink, 2);
	snprintf(p, sizeof(p), "%s/bin/sh-link", dir);
	assert_int_equal(lstat(p, &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));
	snprintf(p, sizeof(p), "%s/home/nonroot/.profile", dir);
	assert_int_equal(lstat(p, &sb), 0);
	if (root)
		assert_int_equal(sb.st_uid, 0);
	snprintf(p, sizeof(p), "%s/home/nonroot", dir);
	assert_int_equal(lstat(p, &sb), 0);
	if (root)
		assert_int_equal(sb.st_uid, 65532);
	/* Nothing was written through the symlinks. */
	assert_int_equal(count_entries(outside), 0);
	assert_int_equal(st.devices_skipped, 1);
	assert_int_equal(st.fifos, 1);
	assert_int_equal(st.symlinks, 4);
	assert_int_equal(st.hardlinks, 2);
	assert_int_equal(st.owners_applied, root);
	assert_true(st.bytes >= sizeof(big));

	/* Not empty: refused, nothing changed. */
	assert_int_equal(sc_rootfs_extract(o.img, extra_tar, o.scan.view, dir, 2), SC_EUSAGE);
	assert_non_null(strstr(sc_error_msg(), "not empty"));
	/* Missing, or a symlink to a directory: refused. */
	snprintf(p, sizeof(p), "%s/nope", tmpdir);
	assert_int_equal(sc_rootfs_extract(o.img, extra_tar, o.scan.view, p, 2), SC_EUSAGE);
	snprintf(p, sizeof(p), "%s/link-to-empty", tmpdir);
	assert_int_equal(symlink(outside, p), 0);
	assert_int_equal(sc_rootfs_extract(o.img, extra_tar, o.scan.view, p, 2), SC_EUSAGE);
	assert_int_equal(count_entries(outside), 0);
	close_view(&o);
}

/* Without root: the tree is extracted, files belong to the caller. */
static void test_not_root(void **state)
{
	const layer_fn layers[] = { l0, l1 };
	char extra_tar[512], dir[512], cmd[1200];
	opened o;
	pid_t pid;
	int status;

	(void)state;
	if (geteuid() != 0)
		skip();
	make_image("img2", layers, 2);
	snprintf(extra_tar, sizeof(extra_tar), "%s/extra.tar", tmpdir);
	open_view(&o, "img2", extra_tar);
	snprintf(dir, sizeof(dir), "%s/rootfs-user", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(chown(dir, 65534, 65534), 0);
	snprintf(cmd, sizeof(cmd), "chmod -R a+rX '%s/img2' '%s' && chmod a+rx '%s'", tmpdir, extra_tar, tmpdir);
	assert_int_equal(system(cmd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int rc;

		if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
			_exit(3);
		rc = sc_rootfs_extract(o.img, extra_tar, o.scan.view, dir, 2);
		if (rc)
			fprintf(stderr, "extract: %s\n", sc_error_msg());
		_exit(rc ? 1 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	check_tree(&o, extra_tar, dir, 0);
	{
		struct stat sb;
		char p[700];

		snprintf(p, sizeof(p), "%s/home/u/secret", dir);
		assert_int_equal(lstat(p, &sb), 0);
		assert_int_equal(sb.st_uid, 65534);
	}
	close_view(&o);
}

/* The fallback: openat2 answers ENOSYS (seccomp), components are walked one by one. */
static void test_no_openat2(void **state)
{
	const layer_fn layers[] = { l0, l1 };
	char extra_tar[512], dir[512];
	opened o;
	pid_t pid;
	int status;

	(void)state;
#ifndef SYS_openat2
	skip();
#else
	make_image("img4", layers, 2);
	snprintf(extra_tar, sizeof(extra_tar), "%s/extra.tar", tmpdir);
	open_view(&o, "img4", extra_tar);
	snprintf(dir, sizeof(dir), "%s/rootfs-noat2", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sock_filter f[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog prog = { (unsigned short)(sizeof(f) / sizeof(f[0])), f };
		int rc;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0)
			_exit(3);
		if (syscall(SYS_openat2, AT_FDCWD, ".", NULL, 0) != -1 || errno != ENOSYS)
			_exit(4);
		rc = sc_rootfs_extract(o.img, extra_tar, o.scan.view, dir, 2);
		if (rc)
			fprintf(stderr, "extract: %s\n", sc_error_msg());
		_exit(rc ? 1 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	check_tree(&o, extra_tar, dir, geteuid() == 0);
	assert_int_equal(count_entries(outside), 0);
	close_view(&o);
#endif
}

/* A bad extra tar (wanted member missing) fails the extraction. */
static void bad_extra(sc_tarwriter *t)
{
	D(t, "nothing", 0755, 0);
}

static void test_missing_member(void **state)
{
	const layer_fn layers[] = { l0, l1 };
	char extra_tar[512], bad[512], dir[512];
	opened o;

	(void)state;
	make_image("img3", layers, 2);
	snprintf(extra_tar, sizeof(extra_tar), "%s/extra.tar", tmpdir);
	snprintf(bad, sizeof(bad), "%s/bad.tar", tmpdir);
	make_tar(bad, bad_extra);
	open_view(&o, "img3", extra_tar);
	snprintf(dir, sizeof(dir), "%s/rootfs-bad", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(sc_rootfs_extract(o.img, bad, o.scan.view, dir, 2), SC_EINPUT);
	close_view(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extract),
		cmocka_unit_test(test_not_root),
		cmocka_unit_test(test_no_openat2),
		cmocka_unit_test(test_missing_member),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
