/*
 * writer.c - deterministic, atomic writer of OCI image layouts; see
 * writer.h and docs/writer.md.
 *
 * Specs:
 *   https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 *   https://github.com/opencontainers/image-spec/blob/main/manifest.md
 *   https://github.com/opencontainers/image-spec/blob/main/config.md
 *   https://www.rfc-editor.org/rfc/rfc1952 (gzip member header)
 */
#include "image/writer.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/stream.h"
#include "core/json.h"
#include "image/ref.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define GZ_OUT (128u << 10)
#define REF_ANNOTATION "org.opencontainers.image.ref.name"

/* A layer being built: tar -> deflate -> temp blob file, hashing both sides. */
typedef struct gz_layer {
	sc_tarwriter *tar;
	z_stream z;
	int z_init;
	gz_header gzh;
	int fd;
	char tmp[64];
	sc_sha256 *comp, *uncomp;
	uint64_t comp_size;
	unsigned char *out;
} gz_layer;

typedef struct w_layer {
	char *media_type;
	sc_digest digest, diff_id;
	uint64_t size;
	char *created_by; /* history entry to add, or NULL for copied layers */
	int add_history;
} w_layer;

struct sc_image_writer {
	sc_transport transport; /* oci, oci-archive or docker-archive */
	char *archive;    /* archives: the FILE written at commit (dir is a staging layout beside it) */
	char *dir;
	char *tag;        /* NULL: entry without a ref name */
	int dirfd, blobfd;
	sc_image_writer_opts opts;
	w_layer *layers;
	size_t n_layers;
	gz_layer *cur;
	int committed;
	unsigned tmp_seq;
};

/* ---- small file helpers ------------------------------------------------ */

static int write_all(int fd, const void *data, size_t len, const char *what)
{
	const unsigned char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sc_error_set_errno(SC_EIO, errno, "cannot write %s", what);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A new temp file in dirfd named .tmp-<pid>-<seq>-<n>; name into out. */
static int tmp_open(sc_image_writer *w, int dirfd, char *out, size_t outsz, int *fd_out)
{
	int tries, fd;

	for (tries = 0; tries < 100; tries++) {
		/* The sequence is atomic: the raw API writes blobs from several threads. */
		snprintf(out, outsz, ".tmp-%ld-%u-%d", (long)getpid(),
			 __atomic_fetch_add(&w->tmp_seq, 1u, __ATOMIC_RELAXED), tries);
		fd = openat(dirfd, out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd >= 0) {
			*fd_out = fd;
			return 0;
		}
		if (errno != EEXIST)
			return sc_error_set_errno(SC_EIO, errno, "cannot create a temp file in '%s'", w->dir);
	}
	return sc_error_set(SC_EIO, "cannot create a temp file in '%s'", w->dir);
}

/*
 * Remove the .tmp-<pid>-* files a killed writer left in dirfd (an
 * interrupted mirror of a large layer would otherwise leave gigabytes
 * behind).  Only files of a process that no longer exists are removed, so
 * a writer running at the same time keeps its own.  Best effort: errors
 * are ignored, the layout stays valid either way.
 */
static void sweep_stale_tmp(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *e;

	if (fd < 0)
		return;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return;
	}
	while ((e = readdir(d))) {
		char *end;
		long pid;

		if (strncmp(e->d_name, ".tmp-", 5) != 0)
			continue;
		errno = 0;
		pid = strtol(e->d_name + 5, &end, 10);
		if (errno || end == e->d_name + 5 || *end != '-' || pid <= 0 || pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
			unlinkat(dirfd, e->d_name, 0);
	}
	closedir(d);
}

/* fsync and close fd, then rename dirfd/tmp to dirfd/name.  fd is closed either way. */
static int commit_file(sc_image_writer *w, int fd, int dirfd, const char *tmp, const char *name)
{
	int rc = 0;

	if (fsync(fd) != 0)
		rc = sc_error_set_errno(SC_EIO, errno, "cannot sync '%s/%s'", w->dir, name);
	if (close(fd) != 0 && !rc)
		rc = sc_error_set_errno(SC_EIO, errno, "cannot write '%s/%s'", w->dir, name);
	if (!rc && renameat(dirfd, tmp, dirfd, name) != 0)
		rc = sc_error_set_errno(SC_EIO, errno, "cannot rename into '%s/%s'", w->dir, name);
	if (rc)
		unlinkat(dirfd, tmp, 0);
	return rc;
}

/* Store data as blobs/sha256/<hex> (temp + rename); digest into out. */
static int put_blob(sc_image_writer *w, const void *data, size_t len, sc_digest *out)
{
	char tmp[64], hex[65];
	int fd = -1, rc;

	if ((rc = sc_sha256_buf(out, data, len)) != 0)
		return rc;
	if ((rc = tmp_open(w, w->blobfd, tmp, sizeof(tmp), &fd)) != 0)
		return rc;
	if ((rc = write_all(fd, data, len, "a blob")) != 0) {
		close(fd);
		unlinkat(w->blobfd, tmp, 0);
		return rc;
	}
	return commit_file(w, fd, w->blobfd, tmp, sc_digest_hex(out, hex));
}

static int read_small(int dirfd, const char *name, size_t max, char **out, size_t *len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	int rc;

	if (fd < 0) {
		if (errno == ENOENT)
			return SC_ENOTFOUND;
		return sc_error_set_errno(SC_EIO, errno, "cannot open %s", name);
	}
	rc = sc_fd_read_all(fd, max, name, out, len);
	close(fd);
	return rc;
}

/* ---- open --------------------------------------------------------------- */

static int dir_is_empty(int dirfd)
{
	/* A fresh fd: fdopendir takes it over. */
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *d;
	int empty = 1;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty;
}

static json_t *empty_index(void)
{
	return json_pack("{s:i, s:s, s:[]}", "schemaVersion", 2, "mediaType", SC_MT_OCI_INDEX, "manifests");
}

/* index.json as a jansson object (an empty index when the file is missing). */
static int load_index(sc_image_writer *w, json_t **out)
{
	char *data = NULL;
	size_t len = 0;
	json_t *ix = NULL, *m;
	int rc;

	rc = read_small(w->dirfd, "index.json", SC_MANIFEST_MAX, &data, &len);
	if (rc == SC_ENOTFOUND) {
		if (!(ix = empty_index()))
			return sc_error_set(SC_ENOMEM, "out of memory");
		*out = ix;
		return 0;
	}
	if (rc)
		return sc_error_prefix(rc, "%s", w->dir);
	rc = sc_json_parse(&ix, data, len, SC_MANIFEST_MAX, SC_JSON_MAX_DEPTH, "index.json");
	free(data);
	if (rc)
		return sc_error_prefix(rc, "%s", w->dir);
	m = json_object_get(ix, "manifests");
	if (!json_is_object(ix) || (m && !json_is_array(m))) {
		json_decref(ix);
		return sc_error_set(SC_EINPUT, "%s/index.json: not an image index", w->dir);
	}
	if (!m && json_object_set_new(ix, "manifests", json_array()) != 0) {
		json_decref(ix);
		return sc_error_set(SC_ENOMEM, "out of memory");
	}
	*out = ix;
	return 0;
}

static const char *entry_ref(const json_t *d)
{
	return sc_json_str(json_object_get(d, "annotations"), REF_ANNOTATION);
}

/* SC_EUSAGE when the tag is present and replacing was not asked for. */
static int check_tag(sc_image_writer *w, const json_t *ix)
{
	const json_t *ms = json_object_get(ix, "manifests");
	size_t i;

	if (!w->tag || w->opts.replace)
		return 0;
	for (i = 0; i < json_array_size(ms); i++) {
		const char *r = entry_ref(json_array_get(ms, i));

		if (r && !strcmp(r, w->tag))
			return sc_error_set(SC_EUSAGE, "oci:%s:%s exists (replace it explicitly)", w->dir, w->tag);
	}
	return 0;
}

static int ensure_layout(sc_image_writer *w)
{
	char *data = NULL;
	size_t len = 0;
	json_t *lay = NULL;
	const char *v;
	int rc, fd = -1;
	char tmp[64];
	static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";

	rc = read_small(w->dirfd, "oci-layout", 4096, &data, &len);
	if (rc == SC_ENOTFOUND) {
		if (!dir_is_empty(w->dirfd))
			return sc_error_set(SC_EUSAGE, "'%s' is not empty and not an OCI image layout", w->dir);
		if ((rc = tmp_open(w, w->dirfd, tmp, sizeof(tmp), &fd)) != 0)
			return rc;
		if ((rc = write_all(fd, layout, sizeof(layout) - 1, "oci-layout")) != 0) {
			close(fd);
			unlinkat(w->dirfd, tmp, 0);
			return rc;
		}
		return commit_file(w, fd, w->dirfd, tmp, "oci-layout");
	}
	if (rc)
		return sc_error_prefix(rc, "%s", w->dir);
	rc = sc_json_parse(&lay, data, len, 4096, 4, "oci-layout");
	free(data);
	if (rc)
		return sc_error_prefix(rc, "%s", w->dir);
	v = sc_json_str(lay, "imageLayoutVersion");
	if (!v || strcmp(v, "1.0.0"))
		rc = sc_error_set(SC_EUNSUPPORTED, "%s/oci-layout: imageLayoutVersion %s is not 1.0.0", w->dir,
				  v ? v : "(missing)");
	json_decref(lay);
	return rc;
}

static int mkdir_at(int dirfd, const char *name, const char *what)
{
	if (mkdirat(dirfd, name, 0755) != 0 && errno != EEXIST)
		return sc_error_set_errno(SC_EIO, errno, "cannot create '%s'", what);
	return 0;
}

int sc_image_writer_open(sc_image_writer **out, const char *dest, const sc_image_writer_opts *opts)
{
	sc_image_writer *w = NULL;
	sc_imgref ref;
	json_t *ix = NULL;
	int rc, fd = -1;
	char what[4200];

	memset(&ref, 0, sizeof(ref));
	if ((rc = sc_imgref_parse(&ref, dest)) != 0)
		return rc;
	if (ref.transport != SC_TRANSPORT_OCI && ref.transport != SC_TRANSPORT_OCI_ARCHIVE &&
	    ref.transport != SC_TRANSPORT_DOCKER_ARCHIVE) {
		rc = sc_error_set(SC_EUSAGE, "cannot write to %s: images (oci:, oci-archive:, docker-archive:)",
				  sc_transport_name(ref.transport));
		goto out;
	}
	if (ref.transport == SC_TRANSPORT_DOCKER_ARCHIVE && ref.ref && ref.ref[0] == '@') {
		rc = sc_error_set(SC_EUSAGE, "%s: a docker-archive destination takes REPO:TAG, not an index", dest);
		goto out;
	}
	if (opts && opts->gzip_level && (opts->gzip_level < 1 || opts->gzip_level > 9)) {
		rc = sc_error_set(SC_EUSAGE, "gzip level %d is not within 1..9", opts->gzip_level);
		goto out;
	}
	if (!(w = calloc(1, sizeof(*w)))) {
		rc = sc_error_set(SC_ENOMEM, "out of memory");
		goto out;
	}
	w->dirfd = w->blobfd = -1;
	if (opts)
		w->opts = *opts;
	else
		w->opts.epoch = SC_TAR_NO_CLAMP;
	if (!w->opts.gzip_level)
		w->opts.gzip_level = SC_WRITER_GZIP_LEVEL;
	w->transport = ref.transport;
	w->tag = ref.ref;
	ref.ref = NULL;
	if (w->tag && !w->tag[0]) {
		rc = sc_error_set(SC_EUSAGE, "%s: empty tag", dest);
		goto out;
	}
	if (w->transport == SC_TRANSPORT_OCI) {
		w->dir = ref.path;
		ref.path = NULL;
	} else {
		/* An archive holds this one image: it is built as a layout in a staging
		 * directory beside FILE, then tarred into FILE.tmp and renamed at commit. */
		w->archive = ref.path;
		ref.path = NULL;
		if (!w->opts.replace && access(w->archive, F_OK) == 0) {
			rc = sc_error_set(SC_EUSAGE, "%s exists (replace it explicitly)", w->archive);
			goto out;
		}
		if (asprintf(&w->dir, "%s.stage-XXXXXX", w->archive) < 0) {
			w->dir = NULL;
			rc = sc_error_set(SC_ENOMEM, "out of memory");
			goto out;
		}
		if (!mkdtemp(w->dir)) {
			rc = sc_error_set_errno(SC_EIO, errno, "cannot create a staging directory beside '%s'", w->archive);
			free(w->dir);
			w->dir = NULL;
			goto out;
		}
	}
	if (mkdir(w->dir, 0755) != 0 && errno != EEXIST) {
		rc = sc_error_set_errno(SC_EIO, errno, "cannot create '%s'", w->dir);
		goto out;
	}
	if ((w->dirfd = open(w->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = sc_error_set_errno(SC_EIO, errno, "cannot open '%s'", w->dir);
		goto out;
	}
	if ((rc = ensure_layout(w)) != 0 || (rc = load_index(w, &ix)) != 0 || (rc = check_tag(w, ix)) != 0)
		goto out;
	snprintf(what, sizeof(what), "%s/blobs", w->dir);
	if ((rc = mkdir_at(w->dirfd, "blobs", what)) != 0)
		goto out;
	snprintf(what, sizeof(what), "%s/blobs/sha256", w->dir);
	if ((rc = mkdir_at(w->dirfd, "blobs/sha256", what)) != 0)
		goto out;
	if ((fd = openat(w->dirfd, "blobs/sha256", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		rc = sc_error_set_errno(SC_EIO, errno, "cannot open '%s'", what);
		goto out;
	}
	w->blobfd = fd;
	sweep_stale_tmp(w->blobfd);
	/* index.json is written at commit only; a new layout gets an empty one now. */
	if (faccessat(w->dirfd, "index.json", F_OK, 0) != 0) {
		char *s = json_dumps(ix, JSON_COMPACT | JSON_SORT_KEYS);
		char tmp[64];

		if (!s) {
			rc = sc_error_set(SC_ENOMEM, "out of memory");
			goto out;
		}
		if ((rc = tmp_open(w, w->dirfd, tmp, sizeof(tmp), &fd)) == 0) {
			if ((rc = write_all(fd, s, strlen(s), "index.json")) != 0) {
				close(fd);
				unlinkat(w->dirfd, tmp, 0);
			} else {
				rc = commit_file(w, fd, w->dirfd, tmp, "index.json");
			}
		}
		free(s);
		if (rc)
			goto out;
	}
	*out = w;
	w = NULL;
out:
	json_decref(ix);
	sc_imgref_release(&ref);
	sc_image_writer_free(w);
	return rc;
}

/* ---- layers ------------------------------------------------------------- */

static int gz_drain(gz_layer *g, int flush)
{
	int zr;

	do {
		size_t have;
		int rc;

		g->z.next_out = g->out;
		g->z.avail_out = GZ_OUT;
		zr = deflate(&g->z, flush);
		if (zr == Z_STREAM_ERROR)
			return sc_error_set(SC_EINTERNAL, "deflate failed");
		have = GZ_OUT - g->z.avail_out;
		if (have) {
			if ((rc = write_all(g->fd, g->out, have, "a layer blob")) != 0)
				return rc;
			sc_sha256_update(g->comp, g->out, have);
			g->comp_size += have;
		}
	} while (g->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
	return 0;
}

static int gz_sink(void *ud, const void *data, size_t len)
{
	gz_layer *g = ud;
	const unsigned char *p = data;

	sc_sha256_update(g->uncomp, data, len);
	while (len > 0) {
		uInt n = len > (1u << 30) ? (1u << 30) : (uInt)len;
		int rc;

		g->z.next_in = (Bytef *)p;
		g->z.avail_in = n;
		if ((rc = gz_drain(g, Z_NO_FLUSH)) != 0)
			return rc;
		p += n;
		len -= n;
	}
	return 0;
}

static void gz_free(sc_image_writer *w, gz_layer *g)
{
	if (!g)
		return;
	sc_tarwriter_free(g->tar);
	if (g->z_init)
		deflateEnd(&g->z);
	if (g->fd >= 0) {
		close(g->fd);
		unlinkat(w->blobfd, g->tmp, 0);
	}
	sc_sha256_free(g->comp);
	sc_sha256_free(g->uncomp);
	free(g->out);
	free(g);
}

static int check_open(sc_image_writer *w)
{
	if (w->committed)
		return sc_error_set(SC_EUSAGE, "image writer: already committed");
	if (w->n_layers >= SC_MAX_LAYERS)
		return sc_error_set(SC_ELIMIT, "image writer: more than %d layers", SC_MAX_LAYERS);
	return 0;
}

int sc_image_writer_layer_begin(sc_image_writer *w, sc_tarwriter **tar_out)
{
	gz_layer *g = NULL;
	int rc;

	if ((rc = check_open(w)) != 0)
		return rc;
	if (w->cur)
		return sc_error_set(SC_EUSAGE, "image writer: a layer is already open");
	if (!(g = calloc(1, sizeof(*g)))) {
		rc = sc_error_set(SC_ENOMEM, "out of memory");
		goto out;
	}
	g->fd = -1;
	if (!(g->out = malloc(GZ_OUT)) || !(g->comp = sc_sha256_new()) || !(g->uncomp = sc_sha256_new())) {
		rc = sc_error_set(SC_ENOMEM, "out of memory");
		goto out;
	}
	/* windowBits 15 + 16: gzip wrapper; memLevel 8, default strategy (zlib's defaults). */
	if (deflateInit2(&g->z, w->opts.gzip_level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		rc = sc_error_set(SC_ENOMEM, "deflateInit2 failed");
		goto out;
	}
	g->z_init = 1;
	/* mtime 0, no name, no comment, no extra, OS fixed. */
	memset(&g->gzh, 0, sizeof(g->gzh));
	g->gzh.os = SC_WRITER_GZIP_OS;
	if (deflateSetHeader(&g->z, &g->gzh) != Z_OK) {
		rc = sc_error_set(SC_EINTERNAL, "deflateSetHeader failed");
		goto out;
	}
	if ((rc = tmp_open(w, w->blobfd, g->tmp, sizeof(g->tmp), &g->fd)) != 0)
		goto out;
	if ((rc = sc_tarwriter_new(&g->tar, gz_sink, g, w->opts.epoch)) != 0)
		goto out;
	w->cur = g;
	*tar_out = g->tar;
	g = NULL;
out:
	gz_free(w, g);
	return rc;
}

static int add_layer(sc_image_writer *w, const char *media_type, const sc_digest *digest, uint64_t size,
		     const sc_digest *diff_id, const char *created_by, int add_history)
{
	w_layer *nl, *l;

	if (!(nl = realloc(w->layers, (w->n_layers + 1) * sizeof(*nl))))
		return sc_error_set(SC_ENOMEM, "out of memory");
	w->layers = nl;
	l = &nl[w->n_layers];
	memset(l, 0, sizeof(*l));
	if (!(l->media_type = sc_strdup(media_type)) || (created_by && !(l->created_by = sc_strdup(created_by)))) {
		free(l->media_type);
		return sc_error_set(SC_ENOMEM, "out of memory");
	}
	l->digest = *digest;
	l->diff_id = *diff_id;
	l->size = size;
	l->add_history = add_history;
	w->n_layers++;
	return 0;
}

int sc_image_writer_layer_end(sc_image_writer *w, const char *created_by, sc_digest *desc_out,
			      sc_digest *diff_id_out)
{
	gz_layer *g = w->cur;
	sc_digest dg, diff;
	char hex[65];
	int rc;

	if (!g)
		return sc_error_set(SC_EUSAGE, "image writer: no layer is open");
	w->cur = NULL;
	if ((rc = sc_tarwriter_finish(g->tar)) != 0)
		goto out;
	g->z.next_in = NULL;
	g->z.avail_in = 0;
	if ((rc = gz_drain(g, Z_FINISH)) != 0)
		goto out;
	sc_sha256_final(g->comp, &dg);
	sc_sha256_final(g->uncomp, &diff);
	rc = commit_file(w, g->fd, w->blobfd, g->tmp, sc_digest_hex(&dg, hex));
	g->fd = -1;
	if (rc)
		goto out;
	if ((rc = add_layer(w, SC_MT_OCI_LAYER_GZIP, &dg, g->comp_size, &diff, created_by, 1)) != 0)
		goto out;
	if (desc_out)
		*desc_out = dg;
	if (diff_id_out)
		*diff_id_out = diff;
out:
	gz_free(w, g);
	return rc;
}

static const char *oci_media_type(const char *mt)
{
	if (!strcmp(mt, SC_MT_DOCKER_LAYER_GZIP))
		return SC_MT_OCI_LAYER_GZIP;
	if (!strcmp(mt, SC_MT_DOCKER_LAYER_TAR))
		return SC_MT_OCI_LAYER;
	if (!strcmp(mt, SC_MT_DOCKER_LAYER_FOREIGN))
		return SC_MT_OCI_LAYER_ND_GZIP;
	return mt;
}

int sc_image_writer_copy_layer(sc_image_writer *w, sc_image *src, size_t i)
{
	const sc_descriptor *d;
	sc_stream *s = NULL;
	unsigned char *buf = NULL;
	char tmp[64], hex[65];
	int fd = -1, rc;
	uint64_t n = 0;

	if ((rc = check_open(w)) != 0)
		return rc;
	if (i >= src->manifest.n_layers || i >= src->config.n_diff_ids)
		return sc_error_set(SC_EUSAGE, "image writer: no layer %zu in %s", i + 1, src->name);
	d = &src->manifest.layers[i];
	if (!(buf = malloc(GZ_OUT)))
		return sc_error_set(SC_ENOMEM, "out of memory");
	if ((rc = sc_image_open_layer(src, i, &s)) != 0)
		goto out;
	if ((rc = tmp_open(w, w->blobfd, tmp, sizeof(tmp), &fd)) != 0)
		goto out;
	for (;;) {
		ssize_t r = sc_stream_read(s, buf, GZ_OUT);

		if (r < 0) {
			rc = (int)r;
			goto out;
		}
		if (r == 0)
			break;
		if ((rc = write_all(fd, buf, (size_t)r, "a layer blob")) != 0)
			goto out;
		n += (uint64_t)r;
	}
	/* The verify stream checked digest and size at EOF. */
	rc = commit_file(w, fd, w->blobfd, tmp, sc_digest_hex(&d->digest, hex));
	fd = -1;
	if (rc)
		goto out;
	rc = add_layer(w, oci_media_type(d->media_type), &d->digest, n, &src->config.diff_ids[i], NULL, 0);
out:
	if (fd >= 0) {
		close(fd);
		unlinkat(w->blobfd, tmp, 0);
	}
	sc_stream_close(s);
	free(buf);
	return rc;
}

/* ---- config, manifest, index ------------------------------------------- */

static json_t *digest_str(const sc_digest *d)
{
	char s[SC_DIGEST_STRLEN];

	return json_string(sc_digest_fmt(d, s));
}

/* obj[key], created as an empty object/array when missing or of another type. */
static json_t *child(json_t *obj, const char *key, int array)
{
	json_t *c = json_object_get(obj, key);

	if (array ? json_is_array(c) : json_is_object(c))
		return c;
	c = array ? json_array() : json_object();
	if (!c || json_object_set_new(obj, key, c) != 0)
		return NULL;
	return c;
}

static int base_config(json_t **out, const char *base, size_t len)
{
	sc_platform p;
	json_t *c;
	int rc;

	if (base) {
		if ((rc = sc_json_parse(&c, base, len, SC_CONFIG_MAX, SC_JSON_MAX_DEPTH, "source config")) != 0)
			return rc;
		if (!json_is_object(c)) {
			json_decref(c);
			return sc_error_set(SC_EINPUT, "source config: not a JSON object");
		}
		*out = c;
		return 0;
	}
	if ((rc = sc_platform_default(&p)) != 0)
		return rc;
	c = json_pack("{s:s, s:s, s:{}}", "architecture", p.architecture, "os", p.os ? p.os : "linux", "config");
	if (c && p.variant && json_object_set_new(c, "variant", json_string(p.variant)) != 0) {
		json_decref(c);
		c = NULL;
	}
	sc_platform_release(&p);
	if (!c)
		return sc_error_set(SC_ENOMEM, "out of memory");
	*out = c;
	return 0;
}

#define NOMEM(expr)                                                      \
	do {                                                             \
		if (expr) {                                              \
			rc = sc_error_set(SC_ENOMEM, "out of memory");   \
			goto out;                                        \
		}                                                        \
	} while (0)

static int build_config(sc_image_writer *w, json_t *c, const sc_image_config_edit *edit)
{
	json_t *cfg, *hist, *rootfs, *ids, *labels, *env;
	char created[32] = "";
	size_t i;
	int rc = 0;

	if (w->opts.epoch != SC_TAR_NO_CLAMP) {
		time_t t = (time_t)w->opts.epoch;
		struct tm tm;

		if (w->opts.epoch < 0 || !gmtime_r(&t, &tm) ||
		    !strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm))
			return sc_error_set(SC_EUSAGE, "epoch %lld cannot be a date", (long long)w->opts.epoch);
		NOMEM(json_object_set_new(c, "created", json_string(created)) != 0);
	} else if (sc_json_str(c, "created")) {
		snprintf(created, sizeof(created), "%s", sc_json_str(c, "created"));
	}
	NOMEM(!(cfg = child(c, "config", 0)));
	if (edit && edit->user)
		NOMEM(json_object_set_new(cfg, "User", json_string(edit->user)) != 0);
	if (edit && edit->env) {
		NOMEM(!(env = json_array()) || json_object_set_new(cfg, "Env", env) != 0);
		for (i = 0; edit->env[i]; i++)
			NOMEM(json_array_append_new(env, json_string(edit->env[i])) != 0);
	}
	if (edit && edit->entrypoint) {
		json_t *ep;

		/* A new entrypoint replaces Cmd too: the old Cmd was arguments for the old program. */
		NOMEM(!(ep = json_array()) || json_object_set_new(cfg, "Entrypoint", ep) != 0);
		for (i = 0; edit->entrypoint[i]; i++)
			NOMEM(json_array_append_new(ep, json_string(edit->entrypoint[i])) != 0);
		json_object_del(cfg, "Cmd");
	}
	if (edit && edit->n_labels) {
		NOMEM(!(labels = child(cfg, "Labels", 0)));
		for (i = 0; i < edit->n_labels; i++) {
			if (edit->labels[i].value)
				NOMEM(json_object_set_new(labels, edit->labels[i].key,
							  json_string(edit->labels[i].value)) != 0);
			else
				json_object_del(labels, edit->labels[i].key);
		}
	}
	if (edit && edit->reset_history)
		NOMEM(json_object_set_new(c, "history", json_array()) != 0);
	NOMEM(!(hist = child(c, "history", 1)));
	for (i = 0; i < w->n_layers; i++) {
		json_t *h;

		if (!w->layers[i].add_history)
			continue;
		NOMEM(!(h = json_object()) || json_array_append_new(hist, h) != 0);
		if (created[0])
			NOMEM(json_object_set_new(h, "created", json_string(created)) != 0);
		NOMEM(json_object_set_new(h, "created_by",
					  json_string(w->layers[i].created_by ? w->layers[i].created_by
									       : "scute")) != 0);
	}
	if (!json_array_size(hist))
		json_object_del(c, "history");
	NOMEM(!(rootfs = json_object()) || json_object_set_new(c, "rootfs", rootfs) != 0);
	NOMEM(!(ids = json_array()) || json_object_set_new(rootfs, "diff_ids", ids) != 0 ||
	      json_object_set_new(rootfs, "type", json_string("layers")) != 0);
	for (i = 0; i < w->n_layers; i++)
		NOMEM(json_array_append_new(ids, digest_str(&w->layers[i].diff_id)) != 0);
out:
	return rc;
}

/* Serialise deterministically (compact, sorted keys) and store as a blob. */
static int put_json(sc_image_writer *w, const json_t *doc, sc_digest *out, uint64_t *size)
{
	char *s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	int rc;

	if (!s)
		return sc_error_set(SC_ENOMEM, "out of memory");
	*size = strlen(s);
	rc = put_blob(w, s, *size, out);
	free(s);
	return rc;
}

static json_t *descriptor(const char *media_type, const sc_digest *d, uint64_t size)
{
	return json_pack("{s:s, s:o, s:I}", "mediaType", media_type, "digest", digest_str(d), "size",
			 (json_int_t)size);
}

static json_t *platform_json(const sc_platform *p)
{
	json_t *o;

	if (!p || !p->os || !p->architecture)
		return NULL;
	if (!(o = json_pack("{s:s, s:s}", "architecture", p->architecture, "os", p->os)))
		return NULL;
	if ((p->variant && json_object_set_new(o, "variant", json_string(p->variant)) != 0) ||
	    (p->os_version && json_object_set_new(o, "os.version", json_string(p->os_version)) != 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* A stored blob as parsed JSON (SC_ENOTFOUND when it is not in the layout). */
static int read_blob_json(sc_image_writer *w, const sc_digest *d, json_t **out)
{
	char hex[65], *data = NULL;
	size_t len = 0;
	int rc;

	if ((rc = read_small(w->blobfd, sc_digest_hex(d, hex), SC_MANIFEST_MAX, &data, &len)) != 0)
		return rc;
	rc = sc_json_parse(out, data, len, SC_MANIFEST_MAX, SC_JSON_MAX_DEPTH, "a stored index");
	free(data);
	return rc;
}

/*
 * ref->merge: the index the name points at now (old) and the new one are
 * merged: the new index's manifests, then the old one's that it lacks (by
 * digest), stored as a new blob whose digest/size go to *d / *size.  When
 * either cannot be read as an index the new one simply replaces the old.
 */
static int merge_index(sc_image_writer *w, const char *old_digest, sc_digest *d, uint64_t *size)
{
	json_t *oldj = NULL, *newj = NULL, *om, *nm;
	sc_digest od;
	size_t i, j;
	int rc = 0;

	if (sc_digest_parse(&od, old_digest) != 0 || read_blob_json(w, &od, &oldj) != 0 ||
	    read_blob_json(w, d, &newj) != 0) {
		sc_error_clear();
		goto out;
	}
	om = json_object_get(oldj, "manifests");
	nm = json_object_get(newj, "manifests");
	if (!json_is_array(om) || !json_is_array(nm))
		goto out;
	for (i = 0; i < json_array_size(om); i++) {
		const char *dg = sc_json_str(json_array_get(om, i), "digest");
		int have = 0;

		if (!dg)
			continue;
		for (j = 0; j < json_array_size(nm) && !have; j++)
			have = sc_json_str(json_array_get(nm, j), "digest") &&
			       !strcmp(sc_json_str(json_array_get(nm, j), "digest"), dg);
		if (have)
			continue;
		if (json_array_size(nm) >= SC_MAX_INDEX_ENTRIES) {
			rc = sc_error_set(SC_ELIMIT, "%s: merged index has more than %d entries", w->dir,
					  SC_MAX_INDEX_ENTRIES);
			goto out;
		}
		NOMEM(json_array_append(nm, json_array_get(om, i)) != 0);
	}
	rc = put_json(w, newj, d, size);
out:
	json_decref(oldj);
	json_decref(newj);
	return rc;
}

/*
 * Rewrite index.json with the refs set (temp + rename + directory sync: the
 * commit point).  Entries of other names are kept in their order; new ones
 * are appended.  strict (sc_image_writer_commit): an existing name is an
 * error unless opts.replace, even with the same digest.  Otherwise an
 * existing name with the same digest is left as it is, and a different one
 * is replaced only with opts.replace / ref->replace, or merged (ref->merge).
 * An untagged ref replaces untagged entries of the same digest.
 */
static int update_index(sc_image_writer *w, const sc_writer_ref *refs, size_t n, int strict)
{
	json_t *ix = NULL, *ms, *d = NULL, *keep = NULL, *next = NULL;
	char *s = NULL, tmp[64], want[SC_DIGEST_STRLEN];
	size_t i, k;
	int rc = 0, fd = -1;

	/* Re-read: the layout may have changed since open. */
	if ((rc = load_index(w, &ix)) != 0)
		goto out;
	ms = json_object_get(ix, "manifests");
	NOMEM(!(keep = json_copy(ms)));
	for (k = 0; k < n; k++) {
		const sc_writer_ref *r = &refs[k];
		sc_digest dg = r->digest;
		uint64_t size = r->size;
		const char *other = NULL;
		int same = 0;

		sc_digest_fmt(&dg, want);
		for (i = 0; r->name && i < json_array_size(keep); i++) {
			json_t *e = json_array_get(keep, i);
			const char *er = entry_ref(e), *edg = sc_json_str(e, "digest");

			if (!er || strcmp(er, r->name))
				continue;
			if (edg && !strcmp(edg, want))
				same = 1;
			else
				other = edg ? edg : "";
		}
		if (r->name && (same || other)) {
			if (!strict && !other)
				continue; /* already there: a re-mirror of the same content */
			if (!w->opts.replace && (strict || (!r->replace && !r->merge))) {
				rc = sc_error_set(SC_EUSAGE, "%s:%s:%s exists (replace it explicitly)",
						  sc_transport_name(w->transport), w->archive ? w->archive : w->dir,
						  r->name);
				goto out;
			}
			if (!strict && r->merge && other && other[0] && (rc = merge_index(w, other, &dg, &size)) != 0)
				goto out;
			sc_digest_fmt(&dg, want);
		}
		NOMEM(!(next = json_array()));
		for (i = 0; i < json_array_size(keep); i++) {
			json_t *e = json_array_get(keep, i);
			const char *er = entry_ref(e), *edg = sc_json_str(e, "digest");

			if (r->name ? (er && !strcmp(er, r->name)) : (!er && edg && !strcmp(edg, want)))
				continue; /* replaced */
			NOMEM(json_array_append(next, e) != 0);
		}
		json_decref(keep);
		keep = next;
		next = NULL;
		if (json_array_size(keep) >= SC_MAX_INDEX_ENTRIES) {
			rc = sc_error_set(SC_ELIMIT, "%s/index.json: more than %d entries", w->dir,
					  SC_MAX_INDEX_ENTRIES);
			goto out;
		}
		NOMEM(!(d = descriptor(r->media_type, &dg, size)));
		if (r->name)
			NOMEM(json_object_set_new(d, "annotations", json_pack("{s:s}", REF_ANNOTATION, r->name)) != 0);
		if (r->platform && r->platform->os)
			NOMEM(json_object_set_new(d, "platform", platform_json(r->platform)) != 0);
		NOMEM(json_array_append_new(keep, d) != 0);
		d = NULL;
	}
	NOMEM(json_object_set(ix, "manifests", keep) != 0);
	if (!json_object_get(ix, "schemaVersion"))
		NOMEM(json_object_set_new(ix, "schemaVersion", json_integer(2)) != 0);
	NOMEM(!(s = json_dumps(ix, JSON_COMPACT | JSON_SORT_KEYS)));
	/* Blobs renamed into blobs/sha256 are durable before a name points at them. */
	if (fsync(w->blobfd) != 0) {
		rc = sc_error_set_errno(SC_EIO, errno, "cannot sync '%s/blobs/sha256'", w->dir);
		goto out;
	}
	if ((rc = tmp_open(w, w->dirfd, tmp, sizeof(tmp), &fd)) != 0)
		goto out;
	if ((rc = write_all(fd, s, strlen(s), "index.json")) != 0) {
		close(fd);
		unlinkat(w->dirfd, tmp, 0);
		goto out;
	}
	/* The commit point. */
	if ((rc = commit_file(w, fd, w->dirfd, tmp, "index.json")) != 0)
		goto out;
	if (fsync(w->dirfd) != 0)
		rc = sc_error_set_errno(SC_EIO, errno, "cannot sync '%s'", w->dir);
out:
	free(s);
	json_decref(d);
	json_decref(next);
	json_decref(keep);
	json_decref(ix);
	return rc;
}

static int write_index(sc_image_writer *w, const sc_digest *man, uint64_t man_size)
{
	sc_writer_ref r;

	memset(&r, 0, sizeof(r));
	r.name = w->tag;
	r.media_type = SC_MT_OCI_MANIFEST;
	r.digest = *man;
	r.size = man_size;
	return update_index(w, &r, 1, 1);
}

/* ---- archives ---------------------------------------------------------- */

/*
 * docker-archive: manifest.json as `docker save` (docker 25+) writes it
 * beside the OCI layout: Config and Layers name the blobs.
 */
static int write_docker_manifest(sc_image_writer *w, const char *tag, const sc_digest *cfg,
				 const sc_digest *layer_digests, size_t n_layers)
{
	json_t *arr = NULL, *img = NULL, *layers, *tags;
	char path[128], hex[65], tmp[64], *s = NULL;
	size_t i;
	int rc = 0, fd;

	NOMEM(!(arr = json_array()) || !(img = json_object()) || !(layers = json_array()) || !(tags = json_array()));
	snprintf(path, sizeof(path), "blobs/sha256/%s", sc_digest_hex(cfg, hex));
	NOMEM(json_object_set_new(img, "Config", json_string(path)) != 0);
	if (tag)
		NOMEM(json_array_append_new(tags, json_string(tag)) != 0);
	NOMEM(json_object_set_new(img, "RepoTags", tags) != 0);
	for (i = 0; i < n_layers; i++) {
		snprintf(path, sizeof(path), "blobs/sha256/%s", sc_digest_hex(&layer_digests[i], hex));
		NOMEM(json_array_append_new(layers, json_string(path)) != 0);
	}
	NOMEM(json_object_set_new(img, "Layers", layers) != 0);
	NOMEM(json_array_append(arr, img) != 0);
	NOMEM(!(s = json_dumps(arr, JSON_COMPACT | JSON_SORT_KEYS)));
	if ((rc = tmp_open(w, w->dirfd, tmp, sizeof(tmp), &fd)) != 0)
		goto out;
	if ((rc = write_all(fd, s, strlen(s), "manifest.json")) != 0) {
		close(fd);
		unlinkat(w->dirfd, tmp, 0);
		goto out;
	}
	rc = commit_file(w, fd, w->dirfd, tmp, "manifest.json");
out:
	free(s);
	json_decref(img);
	json_decref(arr);
	return rc;
}

static int fd_sink(void *ud, const void *data, size_t len)
{
	return write_all(*(int *)ud, data, len, "the archive");
}

/* Add dirfd/name (a regular file of the staging layout) to the archive's tar. */
static int tar_file(sc_tarwriter *t, int dirfd, const char *name, const char *path)
{
	sc_stream *st = NULL;
	struct stat sb;
	sc_entry e;
	int fd, rc;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return sc_error_set_errno(SC_EIO, errno, "cannot open '%s'", path);
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return sc_error_set(SC_EIO, "'%s' is not a regular file", path);
	}
	if ((rc = sc_stream_fd_new(&st, fd, 1, 0, (uint64_t)sb.st_size)) != 0) {
		close(fd);
		return rc;
	}
	memset(&e, 0, sizeof(e));
	e.path = path;
	e.type = SC_FT_REG;
	e.mode = 0644;
	e.size = (uint64_t)sb.st_size;
	rc = sc_tarwriter_add(t, &e, st);
	sc_stream_close(st);
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Tar the staging layout into FILE (temp + fsync + rename), deterministically:
 * oci-layout, index.json, manifest.json (docker), blobs/, blobs/sha256/ and
 * the blobs in name order, mtime 0, root-owned.
 */
static int write_archive(sc_image_writer *w)
{
	static const char *const top[] = { "oci-layout", "index.json", "manifest.json" };
	sc_tarwriter *t = NULL;
	char *tmp = NULL, **names = NULL, path[128];
	size_t n = 0, cap = 0, i;
	DIR *d = NULL;
	struct dirent *de;
	sc_entry e;
	int fd = -1, rc = 0, bfd;

	if (asprintf(&tmp, "%s.tmp-XXXXXX", w->archive) < 0) {
		tmp = NULL;
		return sc_error_set(SC_ENOMEM, "out of memory");
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		rc = sc_error_set_errno(SC_EIO, errno, "cannot create a temp file beside '%s'", w->archive);
		free(tmp);
		return rc;
	}
	if (fchmod(fd, 0644) != 0) {
		rc = sc_error_set_errno(SC_EIO, errno, "cannot write '%s'", tmp);
		goto out;
	}
	if ((rc = sc_tarwriter_new(&t, fd_sink, &fd, 0)) != 0)
		goto out;
	for (i = 0; i < sizeof(top) / sizeof(top[0]); i++)
		if (faccessat(w->dirfd, top[i], F_OK, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (rc = tar_file(t, w->dirfd, top[i], top[i])) != 0)
			goto out;
	memset(&e, 0, sizeof(e));
	e.type = SC_FT_DIR;
	e.mode = 0755;
	e.path = "blobs";
	if ((rc = sc_tarwriter_add(t, &e, NULL)) != 0)
		goto out;
	e.path = "blobs/sha256";
	if ((rc = sc_tarwriter_add(t, &e, NULL)) != 0)
		goto out;
	if ((bfd = dup(w->blobfd)) < 0 || !(d = fdopendir(bfd))) {
		rc = sc_error_set_errno(SC_EIO, errno, "cannot list '%s/blobs/sha256'", w->dir);
		if (bfd >= 0)
			close(bfd);
		goto out;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue; /* ".", "..", temp files */
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			char **nn = sc_reallocarray(names, nc, sizeof(*nn));

			if (!nn) {
				rc = SC_ENOMEM;
				goto out;
			}
			names = nn;
			cap = nc;
		}
		if (!(names[n] = sc_strdup(de->d_name))) {
			rc = SC_ENOMEM;
			goto out;
		}
		n++;
	}
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "blobs/sha256/%s", names[i]);
		if ((rc = tar_file(t, w->blobfd, names[i], path)) != 0)
			goto out;
	}
	if ((rc = sc_tarwriter_finish(t)) != 0)
		goto out;
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		rc = sc_error_set_errno(SC_EIO, errno, "cannot write '%s'", w->archive);
		goto out;
	}
	fd = -1;
	if (rename(tmp, w->archive) != 0)
		rc = sc_error_set_errno(SC_EIO, errno, "cannot rename into '%s'", w->archive);
out:
	if (d)
		closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	sc_tarwriter_free(t);
	if (fd >= 0)
		close(fd);
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* Remove the staging layout (only files scute wrote: blobs, temp files, layout files). */
static void remove_stage(sc_image_writer *w)
{
	DIR *d;
	struct dirent *de;
	int fd;

	if (!w->archive || !w->dir || w->dirfd < 0)
		return;
	if (w->blobfd >= 0 && (fd = dup(w->blobfd)) >= 0) {
		if ((d = fdopendir(fd)) != NULL) {
			rewinddir(d); /* the dup shares the offset write_archive left at the end */
			while ((de = readdir(d)) != NULL)
				if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
					unlinkat(w->blobfd, de->d_name, 0);
			closedir(d);
		} else {
			close(fd);
		}
	}
	unlinkat(w->dirfd, "blobs/sha256", AT_REMOVEDIR);
	unlinkat(w->dirfd, "blobs", AT_REMOVEDIR);
	if ((fd = dup(w->dirfd)) >= 0) {
		if ((d = fdopendir(fd)) != NULL) {
			rewinddir(d);
			while ((de = readdir(d)) != NULL)
				if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
					unlinkat(w->dirfd, de->d_name, 0);
			closedir(d);
		} else {
			close(fd);
		}
	}
	rmdir(w->dir);
}

int sc_image_writer_commit(sc_image_writer *w, const char *base_json, size_t base_len,
			   const sc_image_config_edit *edit, sc_digest *manifest_out)
{
	json_t *c = NULL, *man = NULL, *layers;
	sc_digest cd, md, *ld = NULL;
	uint64_t csize, msize;
	size_t i;
	int rc;

	if (w->committed)
		return sc_error_set(SC_EUSAGE, "image writer: already committed");
	if (w->cur)
		return sc_error_set(SC_EUSAGE, "image writer: a layer is still open");
	if ((rc = base_config(&c, base_json, base_len)) != 0 || (rc = build_config(w, c, edit)) != 0 ||
	    (rc = put_json(w, c, &cd, &csize)) != 0)
		goto out;
	NOMEM(!(man = json_pack("{s:i, s:s, s:o, s:[]}", "schemaVersion", 2, "mediaType", SC_MT_OCI_MANIFEST,
				"config", descriptor(SC_MT_OCI_CONFIG, &cd, csize), "layers")));
	layers = json_object_get(man, "layers");
	for (i = 0; i < w->n_layers; i++)
		NOMEM(json_array_append_new(layers, descriptor(w->layers[i].media_type, &w->layers[i].digest,
							       w->layers[i].size)) != 0);
	if ((rc = put_json(w, man, &md, &msize)) != 0 || (rc = write_index(w, &md, msize)) != 0)
		goto out;
	if (w->transport == SC_TRANSPORT_DOCKER_ARCHIVE) {
		NOMEM(!(ld = sc_calloc(w->n_layers ? w->n_layers : 1, sizeof(*ld))));
		for (i = 0; i < w->n_layers; i++)
			ld[i] = w->layers[i].digest;
		if ((rc = write_docker_manifest(w, w->tag, &cd, ld, w->n_layers)) != 0)
			goto out;
	}
	if (w->archive && (rc = write_archive(w)) != 0)
		goto out;
	w->committed = 1;
	if (manifest_out)
		*manifest_out = md;
out:
	free(ld);
	json_decref(man);
	json_decref(c);
	return rc;
}

void sc_image_writer_free(sc_image_writer *w)
{
	size_t i;

	if (!w)
		return;
	gz_free(w, w->cur);
	for (i = 0; i < w->n_layers; i++) {
		free(w->layers[i].media_type);
		free(w->layers[i].created_by);
	}
	free(w->layers);
	remove_stage(w);
	free(w->archive);
	if (w->blobfd >= 0)
		close(w->blobfd);
	if (w->dirfd >= 0)
		close(w->dirfd);
	free(w->dir);
	free(w->tag);
	free(w);
}

/* ---- raw API: the writer as a byte-exact, content-addressed store ------- */

#define RAW_CHUNK (1u << 20)
#define WRITEBACK_CHUNK (8u << 20)

static int check_raw(sc_image_writer *w, const sc_digest *d)
{
	if (w->committed)
		return sc_error_set(SC_EUSAGE, "image writer: already committed");
	if (w->cur)
		return sc_error_set(SC_EUSAGE, "image writer: a layer is open");
	if (!d || !d->set)
		return sc_error_set(SC_EUSAGE, "image writer: a blob without a digest");
	return 0;
}

int sc_image_writer_has_blob(sc_image_writer *w, const sc_digest *digest, uint64_t size, int *present)
{
	struct stat sb;
	char hex[65];
	int rc;

	if ((rc = check_raw(w, digest)) != 0)
		return rc;
	if (fstatat(w->blobfd, sc_digest_hex(digest, hex), &sb, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno != ENOENT)
			return sc_error_set_errno(SC_EIO, errno, "cannot stat '%s/blobs/sha256/%s'", w->dir, hex);
		*present = 0;
		return 0;
	}
	/* Anything else under the name (wrong size, not a file) is replaced by the rename. */
	*present = S_ISREG(sb.st_mode) && (uint64_t)sb.st_size == size;
	return 0;
}

int sc_image_writer_put_blob_stream(sc_image_writer *w, const sc_digest *digest, uint64_t size,
				    sc_stream *s, int s_verifies, uint64_t *written)
{
	char tmp[64], hex[65], dg[SC_DIGEST_STRLEN];
	unsigned char *buf = NULL;
	sc_sha256 *h = NULL;
	sc_digest got;
	uint64_t n = 0, kicked = 0;
	int fd = -1, rc, present = 0;

	if (written)
		*written = 0;
	if ((rc = sc_image_writer_has_blob(w, digest, size, &present)) != 0)
		return rc;
	if (present)
		return 0;
	sc_digest_fmt(digest, dg);
	if (!(buf = malloc(RAW_CHUNK)) || (!s_verifies && !(h = sc_sha256_new()))) {
		rc = sc_error_set(SC_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = tmp_open(w, w->blobfd, tmp, sizeof(tmp), &fd)) != 0)
		goto out;
	for (;;) {
		ssize_t r = sc_stream_read(s, buf, RAW_CHUNK);

		if (r < 0) {
			rc = (int)r;
			goto out;
		}
		if (r == 0)
			break;
		if ((uint64_t)r > size - n) {
			rc = sc_error_set(SC_EDIGEST, "blob %s: more than the %llu bytes its descriptor declares", dg,
					  (unsigned long long)size);
			goto out;
		}
		if (h)
			sc_sha256_update(h, buf, (size_t)r);
		if ((rc = write_all(fd, buf, (size_t)r, "a blob")) != 0)
			goto out;
		n += (uint64_t)r;
		/* Start writeback of what arrived (advisory: errors surface at fsync). */
		if (n - kicked >= WRITEBACK_CHUNK) {
			(void)sync_file_range(fd, (off_t)kicked, (off_t)(n - kicked), SYNC_FILE_RANGE_WRITE);
			kicked = n;
		}
	}
	if (h)
		sc_sha256_final(h, &got);
	else
		got = *digest; /* the verifying stream checked it at end of stream */
	if (n != size) {
		rc = sc_error_set(SC_EDIGEST, "blob %s: %llu bytes, its descriptor declares %llu", dg,
				  (unsigned long long)n, (unsigned long long)size);
		goto out;
	}
	if (!sc_digest_eq(&got, digest)) {
		rc = sc_error_set(SC_EDIGEST, "blob %s: digest mismatch (the bytes hash to another digest)", dg);
		goto out;
	}
	rc = commit_file(w, fd, w->blobfd, tmp, sc_digest_hex(digest, hex));
	fd = -1;
	if (!rc && written)
		*written = n;
out:
	if (fd >= 0) {
		close(fd);
		unlinkat(w->blobfd, tmp, 0);
	}
	sc_sha256_free(h);
	free(buf);
	return rc;
}

int sc_image_writer_put_bytes(sc_image_writer *w, const sc_digest *digest, const void *data, size_t len)
{
	sc_digest got;
	char dg[SC_DIGEST_STRLEN];
	int rc, present = 0;

	if ((rc = sc_image_writer_has_blob(w, digest, len, &present)) != 0)
		return rc;
	if (present)
		return 0;
	if ((rc = sc_sha256_buf(&got, data, len)) != 0)
		return rc;
	if (!sc_digest_eq(&got, digest))
		return sc_error_set(SC_EDIGEST, "document %s: digest mismatch", sc_digest_fmt(digest, dg));
	return put_blob(w, data, len, &got);
}

/* docker-archive: manifest.json from the root manifest stored in the staging layout. */
static int docker_manifest_from_root(sc_image_writer *w, const sc_writer_ref *r)
{
	char hex[65], *data = NULL;
	size_t len = 0, i;
	sc_manifest m;
	sc_digest *ld = NULL;
	int rc, have = 0, present;

	if (sc_doc_kind_of(r->media_type) != SC_DOC_MANIFEST)
		return sc_error_set(SC_EUSAGE, "docker-archive:%s holds one image manifest, not %s", w->archive,
				    r->media_type);
	if ((rc = read_small(w->blobfd, sc_digest_hex(&r->digest, hex), SC_MANIFEST_MAX, &data, &len)) != 0)
		goto out;
	if ((rc = sc_manifest_parse(&m, data, len)) != 0)
		goto out;
	have = 1;
	if (!(ld = sc_calloc(m.n_layers ? m.n_layers : 1, sizeof(*ld)))) {
		rc = SC_ENOMEM;
		goto out;
	}
	for (i = 0; i <= m.n_layers; i++) {
		const sc_descriptor *d = i ? &m.layers[i - 1] : &m.config;

		if ((rc = sc_image_writer_has_blob(w, &d->digest, d->size, &present)) != 0)
			goto out;
		if (!present) {
			rc = sc_error_set(SC_EUSAGE, "docker-archive:%s: blob sha256:%s of the image was not stored",
					  w->archive, sc_digest_hex(&d->digest, hex));
			goto out;
		}
		if (i)
			ld[i - 1] = d->digest;
	}
	rc = write_docker_manifest(w, r->name, &m.config.digest, ld, m.n_layers);
out:
	if (rc == SC_ENOTFOUND)
		rc = sc_error_set(SC_EUSAGE, "docker-archive:%s: the manifest was not stored", w->archive);
	if (have)
		sc_manifest_release(&m);
	free(ld);
	free(data);
	return rc;
}

int sc_image_writer_commit_refs(sc_image_writer *w, const sc_writer_ref *refs, size_t n)
{
	size_t i;
	int rc, present;

	if (w->committed)
		return sc_error_set(SC_EUSAGE, "image writer: already committed");
	if (w->cur || w->n_layers)
		return sc_error_set(SC_EUSAGE, "image writer: layers were added; use sc_image_writer_commit");
	if (w->transport == SC_TRANSPORT_DOCKER_ARCHIVE && n != 1)
		return sc_error_set(SC_EUSAGE, "docker-archive:%s holds exactly one image (%zu names given)",
				    w->archive, n);
	if (n > SC_MAX_INDEX_ENTRIES)
		return sc_error_set(SC_ELIMIT, "image writer: %zu names, limit is %d", n, SC_MAX_INDEX_ENTRIES);
	for (i = 0; i < n; i++) {
		if (!refs[i].media_type || (refs[i].name && !refs[i].name[0]))
			return sc_error_set(SC_EUSAGE, "image writer: a name without a media type, or an empty name");
		if ((rc = sc_image_writer_has_blob(w, &refs[i].digest, refs[i].size, &present)) != 0)
			return rc;
		if (!present)
			return sc_error_set(SC_EUSAGE, "image writer: %s is named but was not stored",
					    refs[i].name ? refs[i].name : "a document");
	}
	if ((rc = update_index(w, refs, n, 0)) != 0)
		return rc;
	if (w->transport == SC_TRANSPORT_DOCKER_ARCHIVE && (rc = docker_manifest_from_root(w, &refs[0])) != 0)
		return rc;
	if (w->archive && (rc = write_archive(w)) != 0)
		return rc;
	w->committed = 1;
	return 0;
}
