/*
 * tarwriter.c - deterministic tar stream writer over libarchive's pax
 * restricted format; see tarwriter.h for the rules.
 *
 * Spec: https://github.com/opencontainers/image-spec/blob/main/layer.md
 *       https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html
 */
#include "image/tarwriter.h"
#include "core/error.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TW_CHUNK (64u << 10)
#define TW_PATH_MAX 4096

struct sc_tarwriter {
	struct archive *a;
	sc_tar_sink_fn sink;
	void *ud;
	int64_t epoch;
	int sink_rc;      /* the sink's error, reported instead of libarchive's */
	int finished;
	int closing;      /* freed without finishing: drop what libarchive flushes */
	uint64_t bytes;
	unsigned char *chunk;
	locale_t c_locale;
};

static la_ssize_t tw_write_cb(struct archive *a, void *ud, const void *buf, size_t len)
{
	sc_tarwriter *w = ud;
	int rc;

	if (w->closing)
		return (la_ssize_t)len;
	if ((rc = w->sink(w->ud, buf, len)) != 0) {
		w->sink_rc = rc;
		archive_set_error(a, EIO, "sink failed");
		return -1;
	}
	w->bytes += len;
	return (la_ssize_t)len;
}

/* The error of a failed libarchive call: the sink's when it failed, else libarchive's. */
static int tw_fail(sc_tarwriter *w, const char *what, const char *path)
{
	if (w->sink_rc)
		return w->sink_rc;
	return sc_error_set(SC_EIO, "tar writer: %s '%s': %s", what, path ? path : "",
			    archive_error_string(w->a) ? archive_error_string(w->a) : "unknown error");
}

int sc_tarwriter_new(sc_tarwriter **out, sc_tar_sink_fn sink, void *ud, int64_t epoch)
{
	sc_tarwriter *w;
	int rc = 0;

	if (!sink)
		return sc_error_set(SC_EUSAGE, "tar writer: no sink");
	if (!(w = calloc(1, sizeof(*w))) || !(w->chunk = malloc(TW_CHUNK))) {
		rc = sc_error_set(SC_ENOMEM, "out of memory");
		goto out;
	}
	w->sink = sink;
	w->ud = ud;
	w->epoch = epoch;
	if (!(w->a = archive_write_new())) {
		rc = sc_error_set(SC_ENOMEM, "out of memory");
		goto out;
	}
	if (!(w->c_locale = newlocale(LC_CTYPE_MASK, "C", (locale_t)0))) {
		rc = sc_error_set(SC_ENOMEM, "out of memory");
		goto out;
	}
	if (archive_write_set_format_pax_restricted(w->a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(w->a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(w->a, 10240) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(w->a, 1) != ARCHIVE_OK ||
	    archive_write_open2(w->a, w, NULL, tw_write_cb, NULL, NULL) != ARCHIVE_OK) {
		rc = tw_fail(w, "setup", NULL);
		goto out;
	}
	*out = w;
	w = NULL;
out:
	sc_tarwriter_free(w);
	return rc;
}

static int tw_name(char *out, size_t outsz, const sc_entry *e)
{
	const char *slash, *base;
	int n;

	switch (e->type) {
	case SC_FT_OPAQUE:
		n = e->path[0] ? snprintf(out, outsz, "%s/.wh..wh..opq", e->path)
			       : snprintf(out, outsz, ".wh..wh..opq");
		break;
	case SC_FT_WHITEOUT:
		slash = strrchr(e->path, '/');
		base = slash ? slash + 1 : e->path;
		n = snprintf(out, outsz, "%.*s.wh.%s", slash ? (int)(slash - e->path + 1) : 0, e->path, base);
		if (!base[0])
			return sc_error_set(SC_EUSAGE, "tar writer: whiteout of an empty name '%s'", e->path);
		break;
	default:
		n = snprintf(out, outsz, "%s", e->path);
		break;
	}
	if (n < 0 || (size_t)n >= outsz)
		return sc_error_set(SC_ELIMIT, "tar writer: path longer than %zu bytes", outsz - 1);
	return 0;
}

static int tw_check_path(const sc_entry *e)
{
	const char *p = e->path;
	size_t len;

	if (!p)
		return sc_error_set(SC_EUSAGE, "tar writer: entry without a path");
	len = strlen(p);
	if (!len && e->type != SC_FT_OPAQUE)
		return sc_error_set(SC_EUSAGE, "tar writer: empty path");
	if (p[0] == '/' || (len && p[len - 1] == '/') || strstr(p, "//") || !strcmp(p, "..") ||
	    !strncmp(p, "../", 3) || strstr(p, "/../") || (len >= 3 && !strcmp(p + len - 3, "/..")) ||
	    !strcmp(p, ".") || !strncmp(p, "./", 2) || strstr(p, "/./"))
		return sc_error_set(SC_EUSAGE, "tar writer: path '%s' is not clean and relative", p);
	return 0;
}

static int tw_copy(sc_tarwriter *w, const sc_entry *e, sc_stream *content, const void *data)
{
	uint64_t left = e->size;
	const unsigned char *src = data;

	while (left > 0) {
		size_t want = left < TW_CHUNK ? (size_t)left : TW_CHUNK;
		const void *p;
		ssize_t n;

		if (src) {
			p = src;
			n = (ssize_t)want;
			src += want;
		} else {
			n = sc_stream_read(content, w->chunk, want);
			if (n < 0)
				return sc_error_prefix((int)n, "tar writer: content of '%s'", e->path);
			if (n == 0)
				return sc_error_set(SC_EINPUT,
						    "tar writer: content of '%s' ended %llu bytes short of %llu",
						    e->path, (unsigned long long)left, (unsigned long long)e->size);
			p = w->chunk;
		}
		if (archive_write_data(w->a, p, (size_t)n) != n)
			return tw_fail(w, "cannot write data of", e->path);
		left -= (uint64_t)n;
	}
	if (content) {
		/* The content must end exactly at size. */
		ssize_t n = sc_stream_read(content, w->chunk, 1);

		if (n < 0)
			return sc_error_prefix((int)n, "tar writer: content of '%s'", e->path);
		if (n > 0)
			return sc_error_set(SC_EINPUT, "tar writer: content of '%s' is longer than %llu bytes",
					    e->path, (unsigned long long)e->size);
	}
	return 0;
}

static int tw_add(sc_tarwriter *w, const sc_entry *e, sc_stream *content, const void *data)
{
	struct archive_entry *ae = NULL;
	char name[TW_PATH_MAX + 32];
	int64_t mtime;
	int rc = 0, has_data = 0, ar;

	if (w->finished)
		return sc_error_set(SC_EUSAGE, "tar writer: add after finish");
	if (w->sink_rc)
		return sc_error_set(SC_ECANCELED, "tar writer: an earlier write failed");
	if ((rc = tw_check_path(e)) != 0 || (rc = tw_name(name, sizeof(name), e)) != 0)
		return rc;
	if (!(ae = archive_entry_new()))
		return sc_error_set(SC_ENOMEM, "out of memory");
	mtime = e->mtime < 0 ? 0 : e->mtime;
	if (mtime > w->epoch)
		mtime = w->epoch;
	archive_entry_copy_pathname(ae, name);
	archive_entry_set_perm(ae, e->mode & 07777);
	archive_entry_set_uid(ae, e->uid);
	archive_entry_set_gid(ae, e->gid);
	archive_entry_set_mtime(ae, (time_t)mtime, 0);
	switch (e->type) {
	case SC_FT_REG:
		if (e->size > INT64_MAX) {
			rc = sc_error_set(SC_ELIMIT, "tar writer: '%s' is too large", e->path);
			goto out;
		}
		if (e->size && !content && !data) {
			rc = sc_error_set(SC_EUSAGE, "tar writer: no content for '%s'", e->path);
			goto out;
		}
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_size(ae, (la_int64_t)e->size);
		has_data = e->size > 0;
		break;
	case SC_FT_DIR:
		archive_entry_set_filetype(ae, AE_IFDIR);
		break;
	case SC_FT_SYMLINK:
		if (!e->link) {
			rc = sc_error_set(SC_EUSAGE, "tar writer: symlink '%s' without a target", e->path);
			goto out;
		}
		archive_entry_set_filetype(ae, AE_IFLNK);
		archive_entry_copy_symlink(ae, e->link);
		break;
	case SC_FT_HARDLINK:
		if (!e->link || !e->link[0]) {
			rc = sc_error_set(SC_EUSAGE, "tar writer: hard link '%s' without a target", e->path);
			goto out;
		}
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_copy_hardlink(ae, e->link);
		archive_entry_set_size(ae, 0);
		break;
	case SC_FT_CHAR:
	case SC_FT_BLOCK:
		archive_entry_set_filetype(ae, e->type == SC_FT_CHAR ? AE_IFCHR : AE_IFBLK);
		archive_entry_set_rdevmajor(ae, e->devmajor);
		archive_entry_set_rdevminor(ae, e->devminor);
		break;
	case SC_FT_FIFO:
		archive_entry_set_filetype(ae, AE_IFIFO);
		break;
	case SC_FT_WHITEOUT:
	case SC_FT_OPAQUE:
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_size(ae, 0);
		break;
	default:
		rc = sc_error_set(SC_EUSAGE, "tar writer: '%s' has a type tar cannot hold (%d)", e->path,
				  e->type);
		goto out;
	}
	/* ARCHIVE_WARN: a name not valid in the locale, stored as raw bytes (hdrcharset=BINARY). */
	ar = archive_write_header(w->a, ae);
	if (ar != ARCHIVE_OK && ar != ARCHIVE_WARN) {
		rc = tw_fail(w, "cannot write header of", name);
		goto out;
	}
	if (has_data && (rc = tw_copy(w, e, content, data)) != 0 && !w->sink_rc)
		w->sink_rc = SC_ECANCELED; /* the stream is now broken: refuse further adds */
out:
	archive_entry_free(ae);
	return rc;
}

/*
 * libarchive converts names through the thread's LC_CTYPE (pax stores
 * UTF-8, or the raw bytes with hdrcharset=BINARY when the conversion
 * fails).  Running every write in the C locale makes a non-ASCII name give
 * the same bytes whatever locale the process set (scute's CLI sets
 * LC_CTYPE from the environment): raw bytes, hdrcharset=BINARY.
 */
int sc_tarwriter_add(sc_tarwriter *w, const sc_entry *e, sc_stream *content)
{
	locale_t old = uselocale(w->c_locale);
	int rc = tw_add(w, e, e->type == SC_FT_REG ? content : NULL, NULL);

	uselocale(old);
	return rc;
}

int sc_tarwriter_add_data(sc_tarwriter *w, const sc_entry *e, const void *data)
{
	locale_t old = uselocale(w->c_locale);
	int rc = tw_add(w, e, NULL, e->type == SC_FT_REG ? data : NULL);

	uselocale(old);
	return rc;
}

int sc_tarwriter_finish(sc_tarwriter *w)
{
	if (w->finished)
		return 0;
	if (w->sink_rc)
		return sc_error_set(SC_ECANCELED, "tar writer: an earlier write failed");
	locale_t old;
	int rc = 0;

	w->finished = 1;
	old = uselocale(w->c_locale);
	if (archive_write_close(w->a) != ARCHIVE_OK)
		rc = tw_fail(w, "cannot finish", NULL);
	uselocale(old);
	return rc;
}

uint64_t sc_tarwriter_bytes(const sc_tarwriter *w)
{
	return w->bytes;
}

void sc_tarwriter_free(sc_tarwriter *w)
{
	if (!w)
		return;
	w->closing = !w->finished;
	if (w->a)
		archive_write_free(w->a); /* flushes to nowhere when not finished */
	if (w->c_locale)
		freelocale(w->c_locale);
	free(w->chunk);
	free(w);
}
