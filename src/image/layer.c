/*
 * layer.c - single-pass layer reader; see layer.h for the contract.
 *
 * Tar parsing is libarchive's (ustar, pax, GNU); decompression is ours
 * (decompress.c) so that the blob digest, the diff_id and the byte counts
 * are all computed on the same single pass.
 */
#include "image/layer.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/path.h"
#include "image/decompress.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_CHUNK (256u * 1024u)
#define HEAD_MAX 64

typedef struct {
	sc_stream *s;
	unsigned char *buf;
	uint64_t total;
	int failed;
	sc_error_info err;
} reader_ctx;

static la_ssize_t rd_read(struct archive *a, void *ud, const void **out)
{
	reader_ctx *r = ud;
	ssize_t n = sc_stream_read(r->s, r->buf, READ_CHUNK);

	if (n < 0) {
		r->failed = 1;
		sc_error_save(&r->err);
		archive_set_error(a, EIO, "read failed");
		return -1;
	}
	r->total += (uint64_t)n;
	*out = r->buf;
	return n;
}

/* Atomically take n from a shared budget; 0 when it had that much. */
static int take_bytes(uint64_t *budget, uint64_t n)
{
	uint64_t cur = __atomic_load_n(budget, __ATOMIC_RELAXED);

	do {
		if (cur < n)
			return -1;
	} while (!__atomic_compare_exchange_n(budget, &cur, cur - n, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return 0;
}

/* Per-interest state while one file's data streams. */
typedef struct {
	const sc_interest *in;
	int decided;   /* magic checked */
	int active;
	sc_buf cap;
	void *fstate;
	int truncated;
	uint64_t *capture_budget; /* shared, may be NULL */
} want_state;

static int interest_path_match(const sc_interest *in, const sc_entry *e)
{
	const char *const *g;

	if (e->size < in->min_size || (in->max_size && e->size > in->max_size))
		return 0;
	if (!in->globs)
		return 1;
	for (g = in->globs; *g; g++)
		if (sc_path_match(*g, e->path))
			return 1;
	return 0;
}

static int feed(want_state *w, const void *data, size_t len)
{
	if (!w->active || len == 0)
		return 0;
	if (w->in->capture_max && !w->truncated) {
		size_t room = w->in->capture_max - w->cap.len;
		size_t take = len < room ? len : room;

		/* The image-wide capture budget bounds memory whatever the number of matching files. */
		if (take && w->capture_budget && take_bytes(w->capture_budget, take) != 0) {
			w->truncated = 1;
			take = 0;
		}
		if (take && sc_buf_append(&w->cap, data, take) != 0)
			return sc_error_code();
		if (take < len)
			w->truncated = 1;
	}
	if (w->fstate && w->in->stream_data) {
		int rc = w->in->stream_data(w->fstate, data, len);

		if (rc < 0) {
			if (sc_error_code() == 0)
				sc_error_set(rc, "%s: reading file contents failed", w->in->name);
			return rc;
		}
	}
	return 0;
}

static void activate(want_state *w, sc_entry *e, const unsigned char *head, size_t headlen)
{
	w->decided = 1;
	if (w->in->magic_len) {
		if (headlen < w->in->magic_len || memcmp(head, w->in->magic, w->in->magic_len) != 0)
			return;
	}
	w->active = 1;
	if (w->in->stream_begin)
		w->fstate = w->in->stream_begin(w->in->ud, e);
}

/* Attach the results of active interests to the entry; clean up the rest. */
static int finish_wants(want_state *w, size_t n, sc_entry *e, int failed)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		sc_capture *c;
		void *result = NULL;

		if (w[i].fstate && w[i].in->stream_end)
			result = w[i].in->stream_end(w[i].fstate, failed);
		if (!w[i].active || failed || (!w[i].in->capture_max && !result)) {
			if (result && w[i].in->result_free)
				w[i].in->result_free(w[i].in->ud, result);
			sc_buf_release(&w[i].cap);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			if (result && w[i].in->result_free)
				w[i].in->result_free(w[i].in->ud, result);
			sc_buf_release(&w[i].cap);
			rc = sc_error_set(SC_ENOMEM, "out of memory");
			continue;
		}
		c->interest = w[i].in;
		c->len = w[i].cap.len;
		c->data = (unsigned char *)sc_buf_detach(&w[i].cap, NULL);
		c->truncated = w[i].truncated;
		c->result = result;
		c->next = e->captures;
		e->captures = c;
	}
	return rc;
}

/* Stream one regular file's data to the interests that match it. */
static int read_contents(struct archive *a, sc_entry *e, const sc_layer_opts *o, reader_ctx *r)
{
	want_state w[32];
	size_t nw = 0, i, need = 0;
	unsigned char head[HEAD_MAX];
	size_t headlen = 0;
	int decided = 0, rc = 0;

	for (i = 0; i < o->n_interests && nw < 32; i++) {
		const sc_interest *in = o->interests[i];

		if (!interest_path_match(in, e))
			continue;
		memset(&w[nw], 0, sizeof(w[nw]));
		w[nw].in = in;
		w[nw].capture_budget = o->capture_budget;
		sc_buf_init(&w[nw].cap, in->capture_max ? in->capture_max : 1, in->name);
		if (in->magic_len > need)
			need = in->magic_len > HEAD_MAX ? HEAD_MAX : in->magic_len;
		nw++;
	}
	if (nw == 0)
		return 0;
	if (need == 0) {
		for (i = 0; i < nw; i++)
			activate(&w[i], e, head, 0);
		decided = 1;
	}
	for (;;) {
		const void *blk;
		size_t len, off = 0;
		la_int64_t offset;
		int ar = archive_read_data_block(a, &blk, &len, &offset);

		if (ar == ARCHIVE_EOF)
			break;
		if (ar != ARCHIVE_OK && ar != ARCHIVE_WARN) {
			if (r->failed)
				rc = sc_error_restore(&r->err);
			else
				rc = sc_error_set(SC_EINPUT, "%s: corrupt tar data in '%s': %s", o->name, e->path,
						  archive_error_string(a) ? archive_error_string(a) : "read error");
			goto out;
		}
		if (!decided) {
			size_t take = need - headlen < len ? need - headlen : len;

			memcpy(head + headlen, blk, take);
			headlen += take;
			off = take;
			if (headlen < need)
				continue;
			for (i = 0; i < nw; i++) {
				activate(&w[i], e, head, headlen);
				if ((rc = feed(&w[i], head, headlen)) != 0)
					goto out;
			}
			decided = 1;
		}
		for (i = 0; i < nw; i++)
			if ((rc = feed(&w[i], (const char *)blk + off, len - off)) != 0)
				goto out;
	}
	if (!decided) {
		/* File shorter than the longest magic. */
		for (i = 0; i < nw; i++) {
			activate(&w[i], e, head, headlen);
			if ((rc = feed(&w[i], head, headlen)) != 0)
				goto out;
		}
	}
out:
	{
		int frc = finish_wants(w, nw, e, rc != 0);

		if (!rc)
			rc = frc;
	}
	return rc;
}

static int push_entry(sc_layer *l, sc_entry **out)
{
	if (l->n_entries >= UINT32_MAX)
		return sc_error_set(SC_ELIMIT, "a layer has more than %u tar entries", (unsigned)UINT32_MAX);
	if (l->n_entries == l->cap_entries) {
		size_t ncap = l->cap_entries ? l->cap_entries * 2 : 256;
		sc_entry *ne = sc_reallocarray(l->entries, ncap, sizeof(*ne));

		if (!ne)
			return SC_ENOMEM;
		l->entries = ne;
		l->cap_entries = ncap;
	}
	*out = &l->entries[l->n_entries++];
	memset(*out, 0, sizeof(**out));
	return 0;
}

static int clean_name(char *out, const char *raw, const char *kind, const sc_layer_opts *o, int *is_root)
{
	unsigned flags = 0;
	int rc = sc_path_clean(out, SC_PATH_MAX, raw, &flags);

	if (rc)
		return sc_error_prefix(rc, "%s", o->name);
	if (flags & SC_PATH_ESCAPES)
		return sc_error_set(SC_EINPUT, "%s: %s '%.200s' escapes the image root", o->name, kind, raw);
	if (is_root)
		*is_root = out[0] == '\0';
	if ((flags & SC_PATH_ABSOLUTE) && out[0])
		return sc_error_set(SC_EINPUT, "%s: %s '%.200s' is an absolute path", o->name, kind, raw);
	return 0;
}

static int take_name(const sc_layer_opts *o, size_t n)
{
	if (o->name_budget && take_bytes(o->name_budget, (uint64_t)n + 1) != 0)
		return sc_error_set(SC_ELIMIT, "%s: the image's entry names and link targets exceed %llu bytes (limit)",
				    o->name, (unsigned long long)o->name_limit);
	return 0;
}

static int take_budget(const sc_layer_opts *o)
{
	if (!o->entry_budget)
		return 0;
	for (;;) {
		uint64_t cur = __atomic_load_n(o->entry_budget, __ATOMIC_RELAXED);

		if (cur == 0)
			return sc_error_set(SC_ELIMIT,
					    "%s: the image has more than %llu tar entries (limit; raise it with --max-entries)",
					    o->name, (unsigned long long)o->entry_limit);
		if (__atomic_compare_exchange_n(o->entry_budget, &cur, cur - 1, 0, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			return 0;
	}
}

static int handle_entry(struct archive *a, struct archive_entry *ae, sc_layer *l, const sc_layer_opts *o,
			reader_ctx *r)
{
	char path[SC_PATH_MAX];
	const char *raw = archive_entry_pathname(ae);
	const char *base;
	size_t dirlen;
	int is_root = 0, rc;
	sc_entry *e = NULL;
	const char *hl;
	mode_t ft;

	if (!raw)
		return sc_error_set(SC_EINPUT, "%s: tar entry with an unreadable name", o->name);
	if ((rc = clean_name(path, raw, "tar entry", o, &is_root)) != 0)
		return rc;
	if ((rc = take_budget(o)) != 0 || (rc = take_name(o, strlen(path))) != 0)
		return rc;
	if (is_root)
		return 0; /* "./" itself: the root's metadata is not part of the view */
	sc_path_split(path, &dirlen, &base);
	if ((rc = push_entry(l, &e)) != 0)
		return rc;
	e->layer = (uint16_t)o->index;
	e->seq = (uint32_t)(l->n_entries - 1);
	e->mtime = archive_entry_mtime(ae);
	e->mode = (uint32_t)archive_entry_perm(ae) & 07777;
	e->uid = (uint32_t)archive_entry_uid(ae);
	e->gid = (uint32_t)archive_entry_gid(ae);

	if (strncmp(base, ".wh.", 4) == 0) {
		const char *name = base + 4;

		if (strcmp(name, ".wh..opq") == 0) {
			e->type = SC_FT_OPAQUE;
			e->path = sc_arena_strndup(&l->arena, path, dirlen);
		} else if (strncmp(name, ".wh.", 4) == 0) {
			l->n_entries--; /* other AUFS metadata (.wh..wh.plnk etc.): not part of the tree */
			return 0;
		} else {
			char target[SC_PATH_MAX];

			if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
				return sc_error_set(SC_EINPUT, "%s: malformed whiteout '%.200s'", o->name, raw);
			snprintf(target, sizeof(target), "%.*s%s%s", (int)dirlen, path, dirlen ? "/" : "", name);
			e->type = SC_FT_WHITEOUT;
			e->path = sc_arena_strdup(&l->arena, target);
		}
		return e->path ? 0 : SC_ENOMEM;
	}

	e->path = sc_arena_strdup(&l->arena, path);
	if (!e->path)
		return SC_ENOMEM;
	if (archive_entry_xattr_reset(ae) > 0) {
		const char *xname;
		const void *xval;
		size_t xlen;

		e->flags |= SC_ENTRY_XATTRS;
		while (archive_entry_xattr_next(ae, &xname, &xval, &xlen) == ARCHIVE_OK)
			if (xname && strcmp(xname, "security.capability") == 0)
				e->flags |= SC_ENTRY_CAPS;
	}
	hl = archive_entry_hardlink(ae);
	if (hl) {
		char target[SC_PATH_MAX];
		int troot = 0;

		if ((rc = clean_name(target, hl, "hard link target", o, &troot)) != 0)
			return rc;
		if (troot)
			return sc_error_set(SC_EINPUT, "%s: hard link '%s' points at the root directory", o->name, path);
		if ((rc = take_name(o, strlen(target))) != 0)
			return rc;
		e->type = SC_FT_HARDLINK;
		e->link = sc_arena_strdup(&l->arena, target);
		l->n_files++;
		return e->link ? 0 : SC_ENOMEM;
	}
	ft = archive_entry_filetype(ae);
	switch (ft) {
	case AE_IFREG:
		e->type = SC_FT_REG;
		if (archive_entry_size(ae) < 0)
			return sc_error_set(SC_EINPUT, "%s: '%s' has a negative size", o->name, path);
		e->size = (uint64_t)archive_entry_size(ae);
		l->n_files++;
		return read_contents(a, e, o, r);
	case AE_IFDIR:
		e->type = SC_FT_DIR;
		return 0;
	case AE_IFLNK: {
		const char *t = archive_entry_symlink(ae);

		if (!t)
			return sc_error_set(SC_EINPUT, "%s: symlink '%s' has no target", o->name, path);
		if (strlen(t) >= SC_PATH_MAX)
			return sc_error_set(SC_ELIMIT, "%s: symlink '%s' target longer than %d bytes", o->name, path,
					    SC_PATH_MAX);
		if ((rc = take_name(o, strlen(t))) != 0)
			return rc;
		e->type = SC_FT_SYMLINK;
		e->link = sc_arena_strdup(&l->arena, t);
		e->size = strlen(t);
		return e->link ? 0 : SC_ENOMEM;
	}
	case AE_IFCHR:
	case AE_IFBLK:
		if (!o->allow_devices)
			return sc_error_set(SC_EINPUT,
					    "%s: device file '%s' (%s %u:%u) is not allowed in an image layer (see --allow-devices)",
					    o->name, path, ft == AE_IFCHR ? "char" : "block",
					    (unsigned)archive_entry_rdevmajor(ae), (unsigned)archive_entry_rdevminor(ae));
		e->type = ft == AE_IFCHR ? SC_FT_CHAR : SC_FT_BLOCK;
		e->devmajor = (uint32_t)archive_entry_rdevmajor(ae);
		e->devminor = (uint32_t)archive_entry_rdevminor(ae);
		return 0;
	case AE_IFIFO:
		e->type = SC_FT_FIFO;
		return 0;
	case AE_IFSOCK:
		e->type = SC_FT_SOCK;
		return 0;
	default:
		return sc_error_set(SC_EINPUT, "%s: tar entry '%s' has an unknown type", o->name, path);
	}
}

void sc_captures_free(sc_capture *c)
{
	while (c) {
		sc_capture *n = c->next;

		if (c->result && c->interest && c->interest->result_free)
			c->interest->result_free(c->interest->ud, c->result);
		free(c->data);
		free(c);
		c = n;
	}
}

void sc_layer_release(sc_layer *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n_entries; i++)
		sc_captures_free(l->entries[i].captures);
	free(l->entries);
	sc_arena_release(&l->arena);
	memset(l, 0, sizeof(*l));
}

int sc_layer_read(sc_layer *out, sc_stream *blob, const sc_layer_opts *o)
{
	sc_layer l;
	uint64_t compressed = 0;
	sc_stream *counted = NULL, *dec = NULL, *top = NULL;
	struct archive *a = NULL;
	struct archive_entry *ae = NULL;
	reader_ctx r = { 0 };
	int rc = 0, ar;
	char vwhat[256];

	memset(&l, 0, sizeof(l));
	sc_arena_init(&l.arena);
	l.index = o->index;

	if ((rc = sc_stream_count_new(&counted, blob, &compressed)) != 0) {
		sc_stream_close(blob);
		goto out;
	}
	if ((rc = sc_decompress_new(&dec, counted, o->name, &l.compression)) != 0) {
		counted = NULL; /* closed by sc_decompress_new */
		goto out;
	}
	counted = NULL;
	if (o->diff_id) {
		snprintf(vwhat, sizeof(vwhat), "%s: uncompressed content (diff_id)", o->name);
		if ((rc = sc_stream_verify_new(&top, dec, o->diff_id, UINT64_MAX, vwhat)) != 0) {
			sc_stream_close(dec);
			dec = NULL;
			goto out;
		}
	} else {
		top = dec;
	}
	dec = NULL;
	r.s = top;
	r.buf = malloc(READ_CHUNK);
	a = archive_read_new();
	ae = archive_entry_new();
	if (!r.buf || !a || !ae) {
		rc = sc_error_set(SC_ENOMEM, "out of memory");
		goto out;
	}
	archive_read_support_format_tar(a);
	if (archive_read_open(a, &r, NULL, rd_read, NULL) != ARCHIVE_OK) {
		rc = r.failed ? sc_error_restore(&r.err)
			      : sc_error_set(SC_EINPUT, "%s: not a tar archive: %s", o->name,
					     archive_error_string(a) ? archive_error_string(a) : "unknown format");
		goto out;
	}
	for (;;) {
		if (o->cancel && __atomic_load_n(o->cancel, __ATOMIC_RELAXED)) {
			rc = sc_error_set(SC_ECANCELED, "%s: canceled", o->name);
			goto out;
		}
		ar = archive_read_next_header2(a, ae);
		if (ar == ARCHIVE_EOF)
			break;
		if (ar != ARCHIVE_OK && ar != ARCHIVE_WARN) {
			rc = r.failed ? sc_error_restore(&r.err)
				      : sc_error_set(SC_EINPUT, "%s: corrupt tar stream after %zu entries: %s", o->name,
						     l.n_entries,
						     archive_error_string(a) ? archive_error_string(a) : "read error");
			goto out;
		}
		if ((rc = handle_entry(a, ae, &l, o, &r)) != 0)
			goto out;
	}
	/* Read to the end so the blob digest and the diff_id are checked in full. */
	for (;;) {
		ssize_t n = sc_stream_read(top, r.buf, READ_CHUNK);

		if (n < 0) {
			rc = (int)n;
			goto out;
		}
		if (n == 0)
			break;
		r.total += (uint64_t)n;
	}
	if (o->diff_id)
		sc_stream_verify_result(top, &l.diff_id, NULL);
	l.uncompressed_size = r.total;
out:
	if (a)
		archive_read_free(a);
	archive_entry_free(ae);
	free(r.buf);
	sc_stream_close(top);
	sc_stream_close(dec);
	sc_stream_close(counted);
	l.compressed_size = compressed;
	if (rc) {
		sc_layer_release(&l);
		return rc;
	}
	*out = l;
	return 0;
}
