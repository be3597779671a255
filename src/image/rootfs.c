/*
 * rootfs.c - extract a merged view into an empty directory; see rootfs.h
 * and docs/materialize.md.
 *
 * Every operation names its object by (directory fd, single component):
 * the directory fds come from open_below(), which opens a clean relative
 * path below the root fd without following any symlink (openat2 with
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, or one O_NOFOLLOW|O_DIRECTORY
 * openat per component).  Components are checked again here ("", ".",
 * ".." are refused) even though the view's paths are clean.
 */
#include "image/rootfs.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/path.h"
#include "image/content.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(SYS_openat2) && defined(__has_include)
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#define HAVE_OPENAT2 1
#endif
#endif

typedef struct rfs {
	int rootfd;
	const char *dir;
	int as_root;
	int openat2_ok;          /* atomic: 0 once the kernel said ENOSYS */
	sc_link_groups *g;
	sc_rootfs_stats st;      /* files and bytes: atomic (sink threads) */
} rfs;

/* ---- opening below the root ------------------------------------------- */

static int bad_component(const char *c, size_t len)
{
	return len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.') ||
	       len > 255;
}

/*
 * Open path[0..len) (clean, relative, non-empty) below the root with
 * `flags` (O_NOFOLLOW and O_CLOEXEC added), never following a symlink in
 * any component.  Returns the fd, or -errno.
 */
static int open_below(rfs *r, const char *path, size_t len, int flags, mode_t mode)
{
	char buf[SC_PATH_MAX];
	size_t pos = 0;
	int cur = r->rootfd, fd;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, path, len);
	buf[len] = '\0';
	flags |= O_NOFOLLOW | O_CLOEXEC;
#ifdef HAVE_OPENAT2
	if (__atomic_load_n(&r->openat2_ok, __ATOMIC_RELAXED)) {
		struct open_how how;

		memset(&how, 0, sizeof(how));
		how.flags = (uint64_t)flags;
		how.mode = (flags & O_CREAT) ? mode : 0;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
		fd = (int)syscall(SYS_openat2, r->rootfd, buf, &how, sizeof(how));
		if (fd >= 0)
			return fd;
		if (errno != ENOSYS && errno != EPERM)
			return -errno;
		/* No openat2 here (old kernel, or a seccomp filter): walk. */
		__atomic_store_n(&r->openat2_ok, 0, __ATOMIC_RELAXED);
	}
#endif
	for (;;) {
		size_t end = pos;

		while (end < len && buf[end] != '/')
			end++;
		if (bad_component(buf + pos, end - pos)) {
			if (cur != r->rootfd)
				close(cur);
			return -EINVAL;
		}
		if (end == len) {
			fd = openat(cur, buf + pos, flags, mode);
			if (fd < 0)
				fd = -errno;
			if (cur != r->rootfd)
				close(cur);
			return fd;
		}
		buf[end] = '\0';
		fd = openat(cur, buf + pos, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			fd = -errno;
		if (cur != r->rootfd)
			close(cur);
		if (fd < 0)
			return fd;
		cur = fd;
		pos = end + 1;
	}
}

/* One cached parent directory fd (walks visit siblings one after another). */
typedef struct dcache {
	rfs *r;
	int fd;
	size_t len;
	char path[SC_PATH_MAX];
} dcache;

static void dc_init(dcache *c, rfs *r)
{
	c->r = r;
	c->fd = -1;
	c->len = 0;
}

static void dc_release(dcache *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* The fd of path's parent directory (borrowed) and its last component. */
static int dc_parent(dcache *c, const char *path, int *fd_out, const char **base)
{
	size_t dirlen;
	int fd;

	sc_path_split(path, &dirlen, base);
	if (bad_component(*base, strlen(*base)))
		return sc_error_set(SC_EINPUT, "rootfs: bad name '/%.200s'", path);
	if (dirlen == 0) {
		*fd_out = c->r->rootfd;
		return 0;
	}
	if (c->fd >= 0 && c->len == dirlen && memcmp(c->path, path, dirlen) == 0) {
		*fd_out = c->fd;
		return 0;
	}
	dc_release(c);
	fd = open_below(c->r, path, dirlen, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return sc_error_set_errno(SC_EIO, -fd, "rootfs: cannot open directory '%s/%.*s'", c->r->dir,
					  (int)dirlen, path);
	c->fd = fd;
	c->len = dirlen;
	memcpy(c->path, path, dirlen);
	*fd_out = fd;
	return 0;
}

/* ---- metadata ------------------------------------------------------------- */

static struct timespec clamp_time(int64_t t)
{
	struct timespec ts;

	ts.tv_sec = t < 0 ? 0 : (time_t)t;
	ts.tv_nsec = 0;
	return ts;
}

/* Owner (as root), then mode (chown clears setuid bits), then mtime, on an open fd. */
static int meta_fd(rfs *r, int fd, const sc_entry *m, const char *path)
{
	struct timespec ts[2];

	if (r->as_root && fchown(fd, m->uid, m->gid) != 0)
		return sc_error_set_errno(SC_EIO, errno, "rootfs: cannot chown '%s/%s' to %u:%u", r->dir, path,
					  (unsigned)m->uid, (unsigned)m->gid);
	if (fchmod(fd, m->mode & 07777) != 0)
		return sc_error_set_errno(SC_EIO, errno, "rootfs: cannot chmod '%s/%s'", r->dir, path);
	ts[0] = ts[1] = clamp_time(m->mtime);
	if (futimens(fd, ts) != 0)
		return sc_error_set_errno(SC_EIO, errno, "rootfs: cannot set the mtime of '%s/%s'", r->dir, path);
	return 0;
}

/* Open pfd/base (no symlink followed, fifos not blocking), check its type, apply metadata. */
static int meta_name(rfs *r, int pfd, const char *base, mode_t want, const sc_entry *m, const char *path)
{
	struct stat sb;
	int fd, rc;

	fd = openat(pfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | (want == S_IFDIR ? O_DIRECTORY : 0));
	if (fd < 0)
		return sc_error_set_errno(SC_EIO, errno, "rootfs: cannot open '%s/%s'", r->dir, path);
	if (fstat(fd, &sb) != 0 || (sb.st_mode & S_IFMT) != want) {
		close(fd);
		return sc_error_set(SC_EIO, "rootfs: '%s/%s' changed type while extracting", r->dir, path);
	}
	rc = meta_fd(r, fd, m, path);
	close(fd);
	return rc;
}

static int meta_symlink(rfs *r, int pfd, const char *base, const sc_entry *m, const char *path)
{
	struct timespec ts[2];

	if (r->as_root && fchownat(pfd, base, m->uid, m->gid, AT_SYMLINK_NOFOLLOW) != 0)
		return sc_error_set_errno(SC_EIO, errno, "rootfs: cannot chown '%s/%s' to %u:%u", r->dir, path,
					  (unsigned)m->uid, (unsigned)m->gid);
	ts[0] = ts[1] = clamp_time(m->mtime);
	if (utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW) != 0)
		return sc_error_set_errno(SC_EIO, errno, "rootfs: cannot set the mtime of '%s/%s'", r->dir, path);
	return 0;
}

/* ---- regular files: the content sink -------------------------------------- */

typedef struct fsink {
	rfs *r;
	const sc_fsnode *node;
	int fd;
	int rc;              /* begin failed: its error is in err */
	sc_error_info err;
	uint64_t bytes;
} fsink;

static void *fs_begin(void *ud, const sc_fsnode *node)
{
	rfs *r = ud;
	fsink *f = calloc(1, sizeof(*f));
	int fd;

	if (!f)
		return NULL; /* the file is missing: counted after the pass */
	f->r = r;
	f->node = node;
	f->fd = -1;
	fd = open_below(r, node->e.path, strlen(node->e.path), O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		f->rc = sc_error_set_errno(SC_EIO, -fd, "rootfs: cannot create '%s/%s'", r->dir, node->e.path);
		sc_error_save(&f->err);
	}
	f->fd = fd;
	return f;
}

static int fs_data(void *st, const void *buf, size_t len)
{
	fsink *f = st;
	const unsigned char *p = buf;

	if (f->rc)
		return sc_error_restore(&f->err);
	while (len > 0) {
		ssize_t n = write(f->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			f->rc = sc_error_set_errno(SC_EIO, errno, "rootfs: cannot write '%s/%s'", f->r->dir,
						   f->node->e.path);
			sc_error_save(&f->err);
			return f->rc;
		}
		p += n;
		len -= (size_t)n;
		f->bytes += (uint64_t)n;
	}
	return 0;
}

static int fs_end(void *st, int failed)
{
	fsink *f = st;
	rfs *r = f->r;
	int rc = f->rc ? sc_error_restore(&f->err) : 0;

	if (!rc && !failed)
		rc = meta_fd(r, f->fd, &sc_content_source(f->node)->e, f->node->e.path);
	if (f->fd >= 0 && close(f->fd) != 0 && !rc && !failed)
		rc = sc_error_set_errno(SC_EIO, errno, "rootfs: cannot write '%s/%s'", r->dir, f->node->e.path);
	if (!rc && !failed) {
		__atomic_fetch_add(&r->st.files, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&r->st.bytes, f->bytes, __ATOMIC_RELAXED);
	}
	free(f);
	return rc;
}

/* ---- the walk phases ------------------------------------------------------- */

typedef struct nodes {
	const sc_fsnode **v;
	size_t n;
} nodes;

/* Regular files the content pass must have created (one per hard-link group). */
static uint64_t count_files(rfs *r, const nodes *ns)
{
	uint64_t k = 0;
	size_t i;

	for (i = 0; i < ns->n; i++)
		if (sc_content_is_file(ns->v[i]) && sc_link_groups_leader(r->g, ns->v[i]) == ns->v[i])
			k++;
	return k;
}

/* What the group's first node is created as. */
static int skipped_type(int t)
{
	return t == SC_FT_CHAR || t == SC_FT_BLOCK || t == SC_FT_SOCK;
}

static void count_skip(rfs *r, int t)
{
	if (t == SC_FT_SOCK)
		r->st.sockets_skipped++;
	else
		r->st.devices_skipped++;
}

static int make_dirs(rfs *r, const nodes *ns)
{
	dcache dc;
	size_t i;
	int rc = 0, pfd;
	const char *base;

	dc_init(&dc, r);
	for (i = 0; i < ns->n && !rc; i++) {
		const sc_fsnode *n = ns->v[i];

		if (n->e.type != SC_FT_DIR)
			continue;
		if ((rc = dc_parent(&dc, n->e.path, &pfd, &base)) != 0)
			break;
		if (mkdirat(pfd, base, 0700) != 0)
			rc = sc_error_set_errno(SC_EIO, errno, "rootfs: cannot create directory '%s/%s'", r->dir,
						n->e.path);
		else
			r->st.dirs++;
	}
	dc_release(&dc);
	return rc;
}

/* Symlinks and fifos (group leaders), devices and sockets counted; then hard links. */
static int make_others(rfs *r, const nodes *ns)
{
	dcache dc, lc;
	size_t i;
	int rc = 0, pfd, lfd;
	const char *base, *lbase;

	dc_init(&dc, r);
	dc_init(&lc, r);
	for (i = 0; i < ns->n && !rc; i++) {
		const sc_fsnode *n = ns->v[i], *m;

		if (n->e.type == SC_FT_DIR || sc_link_groups_leader(r->g, n) != n)
			continue;
		if (n->e.type == SC_FT_HARDLINK && !n->link_target) {
			rc = sc_error_set(SC_EINPUT, "rootfs: hard link '/%.200s' has no target", n->e.path);
			break;
		}
		m = sc_content_source(n);
		if (m->e.type == SC_FT_REG)
			continue; /* made by the content pass */
		if (skipped_type(m->e.type)) {
			count_skip(r, m->e.type);
			continue;
		}
		if ((rc = dc_parent(&dc, n->e.path, &pfd, &base)) != 0)
			break;
		switch (m->e.type) {
		case SC_FT_SYMLINK:
			if (!m->e.link || symlinkat(m->e.link, pfd, base) != 0)
				rc = sc_error_set_errno(SC_EIO, m->e.link ? errno : EINVAL,
							"rootfs: cannot create symlink '%s/%s'", r->dir, n->e.path);
			else if ((rc = meta_symlink(r, pfd, base, &m->e, n->e.path)) == 0)
				r->st.symlinks++;
			break;
		case SC_FT_FIFO:
			if (mkfifoat(pfd, base, 0600) != 0)
				rc = sc_error_set_errno(SC_EIO, errno, "rootfs: cannot create fifo '%s/%s'", r->dir,
							n->e.path);
			else if ((rc = meta_name(r, pfd, base, S_IFIFO, &m->e, n->e.path)) == 0)
				r->st.fifos++;
			break;
		default:
			rc = sc_error_set(SC_EINPUT, "rootfs: '/%.200s' has an unknown type (%d)", n->e.path, m->e.type);
			break;
		}
	}
	for (i = 0; i < ns->n && !rc; i++) {
		const sc_fsnode *n = ns->v[i], *l;

		if (n->e.type == SC_FT_DIR || (l = sc_link_groups_leader(r->g, n)) == n)
			continue;
		if (skipped_type(sc_content_source(n)->e.type)) {
			count_skip(r, sc_content_source(n)->e.type);
			continue;
		}
		if ((rc = dc_parent(&lc, l->e.path, &lfd, &lbase)) != 0 ||
		    (rc = dc_parent(&dc, n->e.path, &pfd, &base)) != 0)
			break;
		if (linkat(lfd, lbase, pfd, base, 0) != 0)
			rc = sc_error_set_errno(SC_EIO, errno, "rootfs: cannot link '%s/%s' to '%s'", r->dir, n->e.path,
						l->e.path);
		else
			r->st.hardlinks++;
	}
	dc_release(&dc);
	dc_release(&lc);
	return rc;
}

/* Directories' owner, mode and mtime, every directory after everything below it. */
static int dir_meta(rfs *r, const nodes *ns)
{
	dcache dc;
	size_t i;
	int rc = 0, pfd;
	const char *base;

	dc_init(&dc, r);
	for (i = ns->n; i-- > 0 && !rc;) {
		const sc_fsnode *n = ns->v[i];

		if (n->e.type != SC_FT_DIR)
			continue;
		if ((rc = dc_parent(&dc, n->e.path, &pfd, &base)) != 0)
			break;
		rc = meta_name(r, pfd, base, S_IFDIR, &n->e, n->e.path);
	}
	dc_release(&dc);
	return rc;
}

static int check_empty(rfs *r)
{
	int fd = dup(r->rootfd);
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (fd < 0 || !(d = fdopendir(fd))) {
		rc = sc_error_set_errno(SC_EIO, errno, "rootfs: cannot list '%s'", r->dir);
		if (fd >= 0)
			close(fd);
		return rc;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			rc = sc_error_set(SC_EUSAGE, "rootfs: '%s' is not empty", r->dir);
			break;
		}
	closedir(d);
	return rc;
}

int sc_rootfs_extract_stats(sc_image *img, const char *extra_tar, const sc_fsview *view, const char *dir,
			    unsigned jobs, sc_rootfs_stats *stats)
{
	sc_content_sink sink;
	nodes ns = { NULL, 0 };
	rfs r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.dir = dir;
	r.as_root = geteuid() == 0;
	r.openat2_ok = 1;
	r.rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (r.rootfd < 0)
		return sc_error_set_errno(errno == ENOENT || errno == ENOTDIR || errno == ELOOP ? SC_EUSAGE : SC_EIO,
					  errno, "rootfs: cannot open directory '%s'", dir);
	if ((rc = check_empty(&r)) != 0)
		goto out;
	if ((rc = sc_fsview_list(view, &ns.v, &ns.n)) != 0 || (rc = sc_link_groups_new(&r.g, view)) != 0)
		goto out;
	if ((rc = make_dirs(&r, &ns)) != 0)
		goto out;
	sink.begin = fs_begin;
	sink.data = fs_data;
	sink.end = fs_end;
	sink.ud = &r;
	if ((rc = sc_content_pass(img, extra_tar, view, &sink, jobs)) != 0)
		goto out;
	if (r.st.files != count_files(&r, &ns)) {
		rc = sc_error_set(SC_ENOMEM, "rootfs: %llu of %llu files could not be started (out of memory)",
				  (unsigned long long)(count_files(&r, &ns) - r.st.files),
				  (unsigned long long)count_files(&r, &ns));
		goto out;
	}
	if ((rc = make_others(&r, &ns)) != 0 || (rc = dir_meta(&r, &ns)) != 0)
		goto out;
	r.st.owners_applied = r.as_root;
	if (stats)
		*stats = r.st;
out:
	free(ns.v);
	sc_link_groups_free(r.g);
	close(r.rootfd);
	return rc;
}

int sc_rootfs_extract(sc_image *img, const char *extra_tar, const sc_fsview *view, const char *dir, unsigned jobs)
{
	return sc_rootfs_extract_stats(img, extra_tar, view, dir, jobs, NULL);
}
