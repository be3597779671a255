/*
 * squash.c - a merged view as one layer; see squash.h and
 * docs/materialize.md.
 *
 * The content pass delivers files in layer order, several layers at once,
 * while the tar must list them in walk order.  Instead of a tar skeleton
 * whose data offsets depend on how libarchive blocks and pads, the spool
 * holds only the files' bytes, back to back in walk order: a file's offset
 * is the sum of the sizes before it, known before the pass.  The tar is
 * then produced by the writer's own tar writer, each file streamed from
 * its spool range, so the layer is exactly what sc_tarwriter makes of the
 * same entries.
 */
#include "image/squash.h"
#include "core/buf.h"
#include "core/error.h"
#include "image/content.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct spot {
	const sc_fsnode *node; /* a group leader with regular-file content */
	uint64_t off;          /* where its bytes go in the spool */
} spot;

typedef struct sq {
	int fd;                /* the spool */
	spot *spots;           /* sorted by node address (bsearch from the sink) */
	size_t n_spots;
	uint64_t done;         /* files written in full (atomic) */
} sq;

typedef struct sq_file {
	sq *s;
	const sc_fsnode *node;
	uint64_t off, size, pos;
} sq_file;

static int spot_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const spot *)a)->node, y = (uintptr_t)((const spot *)b)->node;

	return x < y ? -1 : x > y;
}

static const spot *find_spot(const sq *s, const sc_fsnode *n)
{
	spot key;

	key.node = n;
	return bsearch(&key, s->spots, s->n_spots, sizeof(*s->spots), spot_cmp);
}

/* ---- the sink: bytes into the spool at the file's offset ------------------ */

static void *sq_begin(void *ud, const sc_fsnode *node)
{
	sq *s = ud;
	const spot *sp = find_spot(s, node);
	sq_file *f;

	if (!sp || !(f = calloc(1, sizeof(*f))))
		return NULL; /* not planned (cannot happen) or no memory: caught by the count after the pass */
	f->s = s;
	f->node = node;
	f->off = sp->off;
	f->size = sc_content_source(node)->e.size;
	return f;
}

static int sq_data(void *st, const void *buf, size_t len)
{
	sq_file *f = st;
	const unsigned char *p = buf;

	if (len > f->size - f->pos)
		return sc_error_set(SC_EINPUT, "squash: '/%.200s' is longer than %llu bytes", f->node->e.path,
				    (unsigned long long)f->size);
	while (len > 0) {
		ssize_t n = pwrite(f->s->fd, p, len, (off_t)(f->off + f->pos));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return sc_error_set_errno(SC_EIO, n < 0 ? errno : ENOSPC, "squash: cannot write the spool");
		p += n;
		len -= (size_t)n;
		f->pos += (uint64_t)n;
	}
	return 0;
}

static int sq_end(void *st, int failed)
{
	sq_file *f = st;
	int rc = 0;

	if (!failed && f->pos != f->size)
		rc = sc_error_set(SC_EINPUT, "squash: '/%.200s' got %llu of %llu bytes", f->node->e.path,
				  (unsigned long long)f->pos, (unsigned long long)f->size);
	if (!failed && !rc)
		__atomic_fetch_add(&f->s->done, 1, __ATOMIC_RELAXED);
	free(f);
	return rc;
}

/* ---- the spool ------------------------------------------------------------ */

static int spool_open(int *fd_out)
{
	const char *dir = getenv("TMPDIR");
	char *tmpl = NULL;
	int fd;

	if (!dir || !dir[0])
		dir = "/var/tmp";
#ifdef O_TMPFILE
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0) {
		*fd_out = fd;
		return 0;
	}
#endif
	if (asprintf(&tmpl, "%s/scute-squash-XXXXXX", dir) < 0)
		return sc_error_set(SC_ENOMEM, "out of memory");
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0) {
		int rc = sc_error_set_errno(SC_EIO, errno, "squash: cannot create a spool file in '%s'", dir);

		free(tmpl);
		return rc;
	}
	unlink(tmpl);
	free(tmpl);
	*fd_out = fd;
	return 0;
}

/* ---- planning and writing --------------------------------------------------- */

typedef struct nodes {
	const sc_fsnode **v;
	size_t n;
} nodes;

static int write_entries(sc_tarwriter *t, sq *s, const nodes *ns, const sc_link_groups *g, int64_t epoch)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < ns->n && !rc; i++) {
		const sc_fsnode *n = ns->v[i], *m, *lead;
		sc_stream *content = NULL;
		sc_entry e;

		m = sc_content_source(n);
		if (n->e.type == SC_FT_HARDLINK && !n->link_target)
			return sc_error_set(SC_EINPUT, "squash: hard link '/%.200s' has no target", n->e.path);
		if (m->e.type == SC_FT_SOCK)
			continue; /* tar cannot hold sockets */
		lead = sc_link_groups_leader(g, n);
		memset(&e, 0, sizeof(e));
		e.path = n->e.path;
		/* Group members carry the inode's metadata (the content source's). */
		e.mode = m->e.mode & 07777;
		e.uid = m->e.uid;
		e.gid = m->e.gid;
		e.mtime = m->e.mtime < 0 ? 0 : m->e.mtime;
		if (e.mtime > epoch)
			e.mtime = epoch;
		if (lead != n) {
			e.type = SC_FT_HARDLINK;
			e.link = lead->e.path;
			rc = sc_tarwriter_add(t, &e, NULL);
			continue;
		}
		e.type = m->e.type;
		switch (m->e.type) {
		case SC_FT_DIR:
			break;
		case SC_FT_REG: {
			const spot *sp = find_spot(s, n);

			if (!sp)
				return sc_error_set(SC_EINTERNAL, "squash: '/%.200s' has no place in the spool", n->e.path);
			e.size = m->e.size;
			if (e.size && (rc = sc_stream_fd_new(&content, s->fd, 0, sp->off, e.size)) != 0)
				return rc;
			break;
		}
		case SC_FT_SYMLINK:
			e.link = m->e.link;
			break;
		case SC_FT_CHAR:
		case SC_FT_BLOCK:
			e.devmajor = m->e.devmajor;
			e.devminor = m->e.devminor;
			break;
		case SC_FT_FIFO:
			break;
		default:
			return sc_error_set(SC_EINPUT, "squash: '/%.200s' has a type a layer cannot hold (%d)", n->e.path,
					    m->e.type);
		}
		rc = sc_tarwriter_add(t, &e, content);
		sc_stream_close(content);
	}
	return rc;
}

int sc_squash_layer(sc_image_writer *w, sc_image *img, const char *extra_tar, const sc_fsview *view, int64_t epoch,
		    const char *created_by, unsigned jobs)
{
	sc_link_groups *g = NULL;
	sc_content_sink sink;
	sc_tarwriter *t = NULL;
	nodes ns = { NULL, 0 };
	sq s;
	uint64_t total = 0;
	size_t i;
	int rc;

	memset(&s, 0, sizeof(s));
	s.fd = -1;
	if (!(s.spots = sc_calloc(sc_fsview_count(view) + 1, sizeof(*s.spots)))) {
		rc = SC_ENOMEM;
		goto out;
	}
	if ((rc = sc_fsview_list(view, &ns.v, &ns.n)) != 0 || (rc = sc_link_groups_new(&g, view)) != 0)
		goto out;
	/* Each file's place in the spool: walk order, back to back. */
	for (i = 0; i < ns.n; i++) {
		const sc_fsnode *n = ns.v[i];
		uint64_t size;

		if (!sc_content_is_file(n) || sc_link_groups_leader(g, n) != n)
			continue;
		size = sc_content_source(n)->e.size;
		if (size > (uint64_t)INT64_MAX - total) {
			rc = sc_error_set(SC_ELIMIT, "squash: the files' bytes exceed %lld", (long long)INT64_MAX);
			goto out;
		}
		s.spots[s.n_spots].node = n;
		s.spots[s.n_spots].off = total;
		s.n_spots++;
		total += size;
	}
	qsort(s.spots, s.n_spots, sizeof(*s.spots), spot_cmp);
	if ((rc = spool_open(&s.fd)) != 0)
		goto out;
	if (ftruncate(s.fd, (off_t)total) != 0) {
		rc = sc_error_set_errno(SC_EIO, errno, "squash: cannot size the spool to %llu bytes",
					(unsigned long long)total);
		goto out;
	}
	sink.begin = sq_begin;
	sink.data = sq_data;
	sink.end = sq_end;
	sink.ud = &s;
	if ((rc = sc_content_pass(img, extra_tar, view, &sink, jobs)) != 0)
		goto out;
	if (s.done != s.n_spots) {
		rc = sc_error_set(SC_ENOMEM, "squash: %llu of %zu files could not be spooled (out of memory)",
				  (unsigned long long)(s.n_spots - s.done), s.n_spots);
		goto out;
	}
	if ((rc = sc_image_writer_layer_begin(w, &t)) != 0)
		goto out;
	if ((rc = write_entries(t, &s, &ns, g, epoch)) != 0)
		goto out;
	rc = sc_image_writer_layer_end(w, created_by, NULL, NULL);
out:
	if (s.fd >= 0)
		close(s.fd);
	free(s.spots);
	free(ns.v);
	sc_link_groups_free(g);
	return rc;
}
