/*
 * decompress.c - sniffing decompression stream; see decompress.h.
 *
 * gzip: RFC 1952 (members may be concatenated).  With ISA-L the inflate
 * runs in igzip's assembly kernels, which is what makes a single pass over
 * multi-GB layers cheap; without it zlib's inflate is used.
 * zstd: RFC 8878 frames via ZSTD_decompressStream.
 */
#include "image/decompress.h"
#include "core/buf.h"
#include "core/error.h"
#include "sc_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>
#if SC_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#else
#include <zlib.h>
#endif

#define IN_SIZE (256u * 1024u)

typedef struct {
	sc_stream base;
	sc_stream *inner;
	sc_compression kind;
	unsigned char *in;
	size_t in_pos, in_len;
	int in_eof;
	int member_done;  /* gzip member or zstd frame finished, nothing pending */
	int finished;
	uint64_t members;
	char what[200];
#if SC_HAVE_ISAL
	struct inflate_state *isal;
#else
	z_stream z;
	int z_init;
#endif
	ZSTD_DCtx *zd;
} dec_stream;

static const unsigned char GZ_MAGIC[2] = { 0x1f, 0x8b };
static const unsigned char ZSTD_MAGIC[4] = { 0x28, 0xb5, 0x2f, 0xfd };

/* Make sure at least `want` unread bytes are buffered unless the input ends. */
static int fill(dec_stream *d, size_t want)
{
	if (d->in_len - d->in_pos >= want || d->in_eof)
		return 0;
	if (d->in_pos > 0) {
		memmove(d->in, d->in + d->in_pos, d->in_len - d->in_pos);
		d->in_len -= d->in_pos;
		d->in_pos = 0;
	}
	while (d->in_len < want && !d->in_eof) {
		ssize_t n = sc_stream_read(d->inner, d->in + d->in_len, IN_SIZE - d->in_len);

		if (n < 0)
			return (int)n;
		if (n == 0)
			d->in_eof = 1;
		d->in_len += (size_t)n;
	}
	return 0;
}

static int trailing_garbage(dec_stream *d)
{
	return sc_error_set(SC_EINPUT, "%s: corrupt %s stream: unexpected data after the last %s", d->what,
			    sc_compression_name(d->kind), d->kind == SC_COMP_GZIP ? "member" : "frame");
}

/* After a member/frame: EOF, another member, or garbage. */
static int next_member(dec_stream *d)
{
	int rc = fill(d, 4);
	size_t avail;

	if (rc)
		return rc;
	avail = d->in_len - d->in_pos;
	if (avail == 0) {
		d->finished = 1;
		return 0;
	}
	if (d->kind == SC_COMP_GZIP) {
		if (avail < 2 || memcmp(d->in + d->in_pos, GZ_MAGIC, 2) != 0)
			return trailing_garbage(d);
#if SC_HAVE_ISAL
		isal_inflate_reset(d->isal);
		d->isal->crc_flag = ISAL_GZIP;
#else
		inflateReset(&d->z);
#endif
	} else {
		/* zstd skippable frames (0x184D2A5?) are also frames the decoder accepts. */
		if (avail < 4 || (memcmp(d->in + d->in_pos, ZSTD_MAGIC, 4) != 0 &&
				  (d->in[d->in_pos] & 0xf0) != 0x50))
			return trailing_garbage(d);
		ZSTD_DCtx_reset(d->zd, ZSTD_reset_session_only);
	}
	d->member_done = 0;
	return 0;
}

#if SC_HAVE_ISAL
static ssize_t gz_read(dec_stream *d, void *buf, size_t len)
{
	struct inflate_state *s = d->isal;

	if (len > UINT32_MAX)
		len = UINT32_MAX;
	for (;;) {
		int ret;
		size_t produced, before;

		if (d->member_done) {
			int rc = next_member(d);

			if (rc)
				return rc;
			if (d->finished)
				return 0;
		}
		if (d->in_pos == d->in_len) {
			int rc;

			d->in_pos = d->in_len = 0;
			if ((rc = fill(d, 1)) != 0)
				return rc;
			if (d->in_len == 0)
				return sc_error_set(SC_EINPUT, "%s: truncated gzip stream", d->what);
		}
		before = d->in_pos;
		s->next_in = d->in + d->in_pos;
		s->avail_in = (uint32_t)(d->in_len - d->in_pos);
		s->next_out = buf;
		s->avail_out = (uint32_t)len;
		ret = isal_inflate(s);
		d->in_pos = (size_t)(s->next_in - d->in);
		produced = len - s->avail_out;
		if (ret < 0 || ret == ISAL_NEED_DICT)
			return sc_error_set(SC_EINPUT, "%s: corrupt gzip stream (%s)", d->what,
					    ret == ISAL_INCORRECT_CHECKSUM ? "checksum mismatch" :
					    ret == ISAL_INVALID_WRAPPER ? "invalid header" :
					    "invalid deflate data");
		if (s->block_state == ISAL_BLOCK_FINISH) {
			d->member_done = 1;
			d->members++;
		}
		if (produced)
			return (ssize_t)produced;
		if (!d->member_done && d->in_pos == before)
			return sc_error_set(SC_EINPUT, "%s: corrupt gzip stream (decoder stalled)", d->what);
	}
}
#else
static ssize_t gz_read(dec_stream *d, void *buf, size_t len)
{
	z_stream *z = &d->z;

	if (len > UINT32_MAX)
		len = UINT32_MAX;
	for (;;) {
		int ret;
		size_t produced;

		if (d->member_done) {
			int rc = next_member(d);

			if (rc)
				return rc;
			if (d->finished)
				return 0;
		}
		if (d->in_pos == d->in_len) {
			int rc;

			d->in_pos = d->in_len = 0;
			if ((rc = fill(d, 1)) != 0)
				return rc;
			if (d->in_len == 0)
				return sc_error_set(SC_EINPUT, "%s: truncated gzip stream", d->what);
		}
		z->next_in = d->in + d->in_pos;
		z->avail_in = (uInt)(d->in_len - d->in_pos);
		z->next_out = buf;
		z->avail_out = (uInt)len;
		ret = inflate(z, Z_NO_FLUSH);
		d->in_pos = (size_t)(z->next_in - d->in);
		produced = len - z->avail_out;
		if (ret == Z_STREAM_END) {
			d->member_done = 1;
			d->members++;
		} else if (ret != Z_OK && ret != Z_BUF_ERROR) {
			return sc_error_set(SC_EINPUT, "%s: corrupt gzip stream (%s)", d->what,
					    z->msg ? z->msg : "invalid data");
		}
		if (produced)
			return (ssize_t)produced;
	}
}
#endif

static ssize_t zstd_read(dec_stream *d, void *buf, size_t len)
{
	for (;;) {
		ZSTD_inBuffer in;
		ZSTD_outBuffer out = { buf, len, 0 };
		size_t ret;

		if (d->member_done) {
			int rc = next_member(d);

			if (rc)
				return rc;
			if (d->finished)
				return 0;
		}
		if (d->in_pos == d->in_len) {
			int rc;

			d->in_pos = d->in_len = 0;
			if ((rc = fill(d, 1)) != 0)
				return rc;
			if (d->in_len == 0)
				return sc_error_set(SC_EINPUT, "%s: truncated zstd stream", d->what);
		}
		in.src = d->in;
		in.size = d->in_len;
		in.pos = d->in_pos;
		ret = ZSTD_decompressStream(d->zd, &out, &in);
		d->in_pos = in.pos;
		if (ZSTD_isError(ret))
			return sc_error_set(SC_EINPUT, "%s: corrupt zstd stream (%s)", d->what, ZSTD_getErrorName(ret));
		if (ret == 0) {
			d->member_done = 1;
			d->members++;
		}
		if (out.pos)
			return (ssize_t)out.pos;
	}
}

static ssize_t plain_read(dec_stream *d, void *buf, size_t len)
{
	size_t avail = d->in_len - d->in_pos;

	if (avail) {
		if (len > avail)
			len = avail;
		memcpy(buf, d->in + d->in_pos, len);
		d->in_pos += len;
		return (ssize_t)len;
	}
	return sc_stream_read(d->inner, buf, len);
}

static ssize_t dec_read(sc_stream *st, void *buf, size_t len)
{
	dec_stream *d = (dec_stream *)st;

	if (d->finished || len == 0)
		return 0;
	switch (d->kind) {
	case SC_COMP_GZIP: return gz_read(d, buf, len);
	case SC_COMP_ZSTD: return zstd_read(d, buf, len);
	default: return plain_read(d, buf, len);
	}
}

static void dec_close(sc_stream *st)
{
	dec_stream *d = (dec_stream *)st;

	sc_stream_close(d->inner);
#if SC_HAVE_ISAL
	free(d->isal);
#else
	if (d->z_init)
		inflateEnd(&d->z);
#endif
	ZSTD_freeDCtx(d->zd);
	free(d->in);
	free(d);
}

static const sc_stream_ops dec_ops = { dec_read, dec_close };

int sc_decompress_new(sc_stream **out, sc_stream *inner, const char *what, sc_compression *detected)
{
	dec_stream *d = sc_calloc(1, sizeof(*d));
	int rc;

	if (!d) {
		sc_stream_close(inner);
		return SC_ENOMEM;
	}
	d->base.ops = &dec_ops;
	d->inner = inner;
	snprintf(d->what, sizeof(d->what), "%s", what ? what : "stream");
	d->in = malloc(IN_SIZE);
	if (!d->in) {
		rc = sc_error_set(SC_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = fill(d, 4)) != 0)
		goto fail;
	if (d->in_len >= 2 && memcmp(d->in, GZ_MAGIC, 2) == 0) {
		d->kind = SC_COMP_GZIP;
#if SC_HAVE_ISAL
		d->isal = malloc(sizeof(*d->isal));
		if (!d->isal) {
			rc = sc_error_set(SC_ENOMEM, "out of memory");
			goto fail;
		}
		isal_inflate_init(d->isal);
		d->isal->crc_flag = ISAL_GZIP;
#else
		if (inflateInit2(&d->z, 15 + 16) != Z_OK) {
			rc = sc_error_set(SC_EINTERNAL, "cannot initialise zlib");
			goto fail;
		}
		d->z_init = 1;
#endif
	} else if (d->in_len >= 4 && memcmp(d->in, ZSTD_MAGIC, 4) == 0) {
		d->kind = SC_COMP_ZSTD;
		d->zd = ZSTD_createDCtx();
		if (!d->zd) {
			rc = sc_error_set(SC_ENOMEM, "out of memory");
			goto fail;
		}
		/* Bound the window a hostile frame can demand (default limit is 128 MiB). */
		ZSTD_DCtx_setParameter(d->zd, ZSTD_d_windowLogMax, 27);
	} else {
		d->kind = SC_COMP_NONE;
	}
	if (detected)
		*detected = d->kind;
	*out = &d->base;
	return 0;
fail:
	dec_close(&d->base);
	return rc;
}
