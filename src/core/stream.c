/*
 * stream.c - basic streams: file range, memory, digest verifier, counter.
 */
#include "core/stream.h"
#include "core/buf.h"
#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void sc_stream_close(sc_stream *s)
{
	if (s)
		s->ops->close(s);
}

ssize_t sc_stream_read_full(sc_stream *s, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = sc_stream_read(s, (char *)buf + got, len - got);

		if (n < 0)
			return n;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int sc_stream_read_all(sc_stream *s, sc_buf *out, size_t max, const char *what)
{
	size_t start = out->len;
	char chunk[65536];
	int rc = 0;

	for (;;) {
		ssize_t n = sc_stream_read(s, chunk, sizeof(chunk));

		if (n < 0) {
			rc = (int)n;
			break;
		}
		if (n == 0)
			break;
		if (out->len - start + (size_t)n > max) {
			rc = sc_error_set(SC_ELIMIT, "%s exceeds %zu bytes", what, max);
			break;
		}
		if ((rc = sc_buf_append(out, chunk, (size_t)n)) != 0)
			break;
	}
	if (rc && out->data) {
		out->len = start;
		out->data[start] = '\0';
	}
	return rc;
}

/* ---- file range ---- */

typedef struct {
	sc_stream base;
	int fd;
	int own;
	uint64_t pos, end;
} fd_stream;

static ssize_t fd_read(sc_stream *s, void *buf, size_t len)
{
	fd_stream *f = (fd_stream *)s;
	ssize_t n;

	if (f->pos >= f->end)
		return 0;
	if (len > f->end - f->pos)
		len = (size_t)(f->end - f->pos);
	if (len > (1u << 30))
		len = 1u << 30;
	do {
		n = pread(f->fd, buf, len, (off_t)f->pos);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return sc_error_set_errno(SC_EIO, errno, "read failed");
	if (n == 0 && f->end != UINT64_MAX)
		return sc_error_set(SC_EINPUT, "file is truncated (%llu bytes missing)",
				    (unsigned long long)(f->end - f->pos));
	f->pos += (uint64_t)n;
	return n;
}

static void fd_close(sc_stream *s)
{
	fd_stream *f = (fd_stream *)s;

	if (f->own)
		close(f->fd);
	free(f);
}

static const sc_stream_ops fd_ops = { fd_read, fd_close };

int sc_stream_fd_new(sc_stream **out, int fd, int own_fd, uint64_t offset, uint64_t length)
{
	fd_stream *f = sc_calloc(1, sizeof(*f));

	if (!f)
		return SC_ENOMEM;
	f->base.ops = &fd_ops;
	f->fd = fd;
	f->own = own_fd;
	f->pos = offset;
	if (length == UINT64_MAX || __builtin_add_overflow(offset, length, &f->end))
		f->end = UINT64_MAX;
	*out = &f->base;
	return 0;
}

/* ---- memory ---- */

typedef struct {
	sc_stream base;
	const char *data;
	size_t len, pos;
} mem_stream;

static ssize_t mem_read(sc_stream *s, void *buf, size_t len)
{
	mem_stream *m = (mem_stream *)s;

	if (len > m->len - m->pos)
		len = m->len - m->pos;
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	memcpy(buf, m->data + m->pos, len);
	m->pos += len;
	return (ssize_t)len;
}

static void mem_close(sc_stream *s)
{
	free(s);
}

static const sc_stream_ops mem_ops = { mem_read, mem_close };

int sc_stream_mem_new(sc_stream **out, const void *data, size_t len)
{
	mem_stream *m = sc_calloc(1, sizeof(*m));

	if (!m)
		return SC_ENOMEM;
	m->base.ops = &mem_ops;
	m->data = data;
	m->len = len;
	*out = &m->base;
	return 0;
}

/* ---- verifier ---- */

typedef struct {
	sc_stream base;
	sc_stream *inner;
	sc_sha256 *h;
	sc_digest expect, got;
	uint64_t size, count;
	int done;
	int err; /* sticky: a failed check fails every later read too */
	char what[256];
} verify_stream;

static ssize_t verify_read(sc_stream *s, void *buf, size_t len)
{
	verify_stream *v = (verify_stream *)s;
	ssize_t n;
	char a[SC_DIGEST_STRLEN], b[SC_DIGEST_STRLEN];

	if (v->err)
		return sc_error_set(v->err, "%s: read after a verification failure", v->what);
	if (v->done)
		return 0;
	n = sc_stream_read(v->inner, buf, len);
	if (n < 0)
		return sc_error_prefix((int)n, "%s", v->what);
	if (n > 0) {
		v->count += (uint64_t)n;
		if (v->size != UINT64_MAX && v->count > v->size)
			return v->err = sc_error_set(SC_EDIGEST, "%s: size mismatch: more than the %llu bytes its descriptor declares",
					    v->what, (unsigned long long)v->size);
		sc_sha256_update(v->h, buf, (size_t)n);
		return n;
	}
	v->done = 1;
	sc_sha256_final(v->h, &v->got);
	if (v->size != UINT64_MAX && v->count != v->size)
		return v->err = sc_error_set(SC_EDIGEST, "%s: size mismatch: %llu bytes, descriptor declares %llu",
				    v->what, (unsigned long long)v->count, (unsigned long long)v->size);
	if (v->expect.set && !sc_digest_eq(&v->expect, &v->got))
		return v->err = sc_error_set(SC_EDIGEST, "%s: digest mismatch: expected %s, content is %s",
					     v->what, sc_digest_fmt(&v->expect, a), sc_digest_fmt(&v->got, b));
	return 0;
}

static void verify_close(sc_stream *s)
{
	verify_stream *v = (verify_stream *)s;

	sc_stream_close(v->inner);
	sc_sha256_free(v->h);
	free(v);
}

static const sc_stream_ops verify_ops = { verify_read, verify_close };

int sc_stream_verify_new(sc_stream **out, sc_stream *inner, const sc_digest *expect,
			 uint64_t size, const char *what)
{
	verify_stream *v = sc_calloc(1, sizeof(*v));

	if (!v)
		return SC_ENOMEM;
	v->h = sc_sha256_new();
	if (!v->h) {
		free(v);
		return sc_error_code();
	}
	v->base.ops = &verify_ops;
	v->inner = inner;
	if (expect)
		v->expect = *expect;
	v->size = size;
	snprintf(v->what, sizeof(v->what), "%s", what ? what : "blob");
	*out = &v->base;
	return 0;
}

void sc_stream_verify_result(sc_stream *s, sc_digest *digest_out, uint64_t *bytes_out)
{
	verify_stream *v = (verify_stream *)s;

	if (digest_out)
		*digest_out = v->got;
	if (bytes_out)
		*bytes_out = v->count;
}

/* ---- counter ---- */

typedef struct {
	sc_stream base;
	sc_stream *inner;
	uint64_t *counter;
} count_stream;

static ssize_t count_read(sc_stream *s, void *buf, size_t len)
{
	count_stream *c = (count_stream *)s;
	ssize_t n = sc_stream_read(c->inner, buf, len);

	if (n > 0)
		__atomic_add_fetch(c->counter, (uint64_t)n, __ATOMIC_RELAXED);
	return n;
}

static void count_close(sc_stream *s)
{
	count_stream *c = (count_stream *)s;

	sc_stream_close(c->inner);
	free(c);
}

static const sc_stream_ops count_ops = { count_read, count_close };

int sc_stream_count_new(sc_stream **out, sc_stream *inner, uint64_t *counter)
{
	count_stream *c = sc_calloc(1, sizeof(*c));

	if (!c)
		return SC_ENOMEM;
	c->base.ops = &count_ops;
	c->inner = inner;
	c->counter = counter;
	*out = &c->base;
	return 0;
}

/* Read all of fd (at most max bytes) into a malloc'd, NUL-terminated buffer. */
int sc_fd_read_all(int fd, size_t max, const char *what, char **out, size_t *len_out)
{
	struct stat sb;
	char *buf = NULL, *nb;
	size_t len = 0, cap;
	ssize_t k;
	int rc = 0;

	if (fstat(fd, &sb) != 0)
		return sc_error_set_errno(SC_EIO, errno, "%s", what);
	if (!S_ISREG(sb.st_mode))
		return sc_error_set(SC_EINPUT, "%s: not a regular file", what);
	if (sb.st_size < 0 || (unsigned long long)sb.st_size > max)
		return sc_error_set(SC_ELIMIT, "%s: file is %lld bytes, limit is %zu", what,
				    (long long)sb.st_size, max);
	cap = (size_t)sb.st_size + 1;
	if (!(buf = sc_malloc(cap)))
		return SC_ENOMEM;
	for (;;) {
		if (len + 1 == cap) {
			/* Full: one more byte means the file grew since fstat(). */
			char probe;
			size_t ncap;

			k = read(fd, &probe, 1);
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				rc = sc_error_set_errno(SC_EIO, errno, "%s", what);
				goto out;
			}
			if (k == 0)
				break;
			if (len >= max) {
				rc = sc_error_set(SC_ELIMIT, "%s: file exceeds %zu bytes", what, max);
				goto out;
			}
			ncap = cap < max / 2 ? cap * 2 : max + 1;
			if (!(nb = sc_realloc(buf, ncap))) {
				rc = SC_ENOMEM;
				goto out;
			}
			buf = nb;
			cap = ncap;
			buf[len++] = probe;
			continue;
		}
		k = read(fd, buf + len, cap - 1 - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			rc = sc_error_set_errno(SC_EIO, errno, "%s", what);
			goto out;
		}
		if (k == 0)
			break;
		len += (size_t)k;
	}
	buf[len] = '\0';
	*out = buf;
	*len_out = len;
	buf = NULL;
out:
	free(buf);
	return rc;
}

int sc_file_read_all(const char *path, size_t max, char **out, size_t *len_out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), rc;

	*out = NULL;
	*len_out = 0;
	if (fd < 0)
		return sc_error_set_errno(errno == ENOENT ? SC_ENOTFOUND : SC_EIO, errno, "%s", path);
	rc = sc_fd_read_all(fd, max, path, out, len_out);
	close(fd);
	return rc;
}
