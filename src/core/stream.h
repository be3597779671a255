/*
 * stream.h - pull-based byte streams that can be stacked:
 *   file range -> digest/size verifier -> decompressor -> tar reader
 *
 * A stream is an object whose first member is `const sc_stream_ops *ops`.
 * read() returns the number of bytes read (0 at end of stream) or a negative
 * SC_E* code with the error message set.  Closing a stacked stream closes the
 * streams beneath it (each wrapper owns its inner stream).
 */
#ifndef SC_CORE_STREAM_H
#define SC_CORE_STREAM_H

#include "core/digest.h"

#include <stdint.h>
#include <sys/types.h>

typedef struct sc_stream sc_stream;
typedef struct sc_stream_ops {
	ssize_t (*read)(sc_stream *s, void *buf, size_t len);
	void (*close)(sc_stream *s);
} sc_stream_ops;

struct sc_stream {
	const sc_stream_ops *ops;
};

static inline ssize_t sc_stream_read(sc_stream *s, void *buf, size_t len)
{
	return s->ops->read(s, buf, len);
}
void sc_stream_close(sc_stream *s); /* accepts NULL */

/* Read until buf is full or end of stream; returns bytes read or error. */
ssize_t sc_stream_read_full(sc_stream *s, void *buf, size_t len);

struct sc_buf;
/*
 * Append the rest of the stream to out, failing with SC_ELIMIT (message
 * "<what> exceeds <max> bytes") once more than max bytes arrive.  On
 * failure out is restored to its length before the call.  The stream is
 * not closed.
 */
int sc_stream_read_all(sc_stream *s, struct sc_buf *out, size_t max, const char *what);

/*
 * All of the regular file open at fd (at most max bytes) into a malloc'd,
 * NUL-terminated buffer (*len_out excludes the NUL).  Not a regular file:
 * SC_EINPUT; over max (also when it grows while read): SC_ELIMIT.
 * Messages start with `what`.  fd is not closed.
 */
int sc_fd_read_all(int fd, size_t max, const char *what, char **out, size_t *len_out);
/* The same for the file at path (opened O_NONBLOCK, so a FIFO or device is
 * refused rather than waited on); a missing file is SC_ENOTFOUND. */
int sc_file_read_all(const char *path, size_t max, char **out, size_t *len_out);

/*
 * Bytes [offset, offset+length) of an open file descriptor, read with
 * pread().  If own_fd, the fd is closed with the stream.  length may be
 * UINT64_MAX for "to end of file".
 */
int sc_stream_fd_new(sc_stream **out, int fd, int own_fd, uint64_t offset, uint64_t length);

/* A stream over a memory buffer (not copied; must outlive the stream). */
int sc_stream_mem_new(sc_stream **out, const void *data, size_t len);

/*
 * Verify the inner stream against an expected SHA-256 digest and size while
 * it is read.  Reading past `size` bytes fails at once; at end of stream a
 * short size or a digest mismatch fails with SC_EDIGEST, naming `what`
 * (copied).  size may be UINT64_MAX when unknown (then only the digest is
 * checked).  If expect is NULL or unset, nothing is checked but the digest
 * is still computed (see sc_stream_verify_result()).
 */
int sc_stream_verify_new(sc_stream **out, sc_stream *inner, const sc_digest *expect,
			 uint64_t size, const char *what);
/* After EOF: the computed digest and the byte count.  Valid for verify streams only. */
void sc_stream_verify_result(sc_stream *s, sc_digest *digest_out, uint64_t *bytes_out);

/*
 * Counts bytes flowing through: adds each read's size to *counter with a
 * relaxed atomic add (for progress reporting across threads).
 */
int sc_stream_count_new(sc_stream **out, sc_stream *inner, uint64_t *counter);

#endif
