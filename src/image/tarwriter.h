/*
 * tarwriter.h - a deterministic tar stream writer (libarchive, pax
 * restricted format) that streams into a caller's sink.
 *
 * Spec: https://github.com/opencontainers/image-spec/blob/main/layer.md
 *   (changesets, whiteouts ".wh.NAME", opaque markers ".wh..wh..opq");
 *   tar format: POSIX.1-2001 pax, restricted (plain ustar headers unless
 *   a field does not fit: long names and link targets, large sizes, large
 *   ids, non-ASCII names).
 *
 * Determinism rules (the same entries give the same bytes on every run):
 *   - entries are written in the caller's order; callers sort them (layers
 *     built from an fsview use sc_fsview_walk(), which is in path order);
 *   - uid/gid as given, uname/gname empty, mtime = min(mtime, epoch) with
 *     no sub-second part, no atime/ctime, no xattrs;
 *   - device numbers are zero except for character and block devices;
 *   - hard links and whiteouts have size 0.
 *   - names are converted in the C locale whatever the process set, so a
 *     non-ASCII name is stored as its raw bytes (pax hdrcharset=BINARY).
 * Nothing else from the host (umask, user database, clock, pid) is used.
 */
#ifndef SC_IMAGE_TARWRITER_H
#define SC_IMAGE_TARWRITER_H

#include "core/stream.h"
#include "image/layer.h"

#include <stddef.h>
#include <stdint.h>

/* Receives the tar bytes; returns 0 or a negative SC_E* code with the message set. */
typedef int (*sc_tar_sink_fn)(void *ud, const void *data, size_t len);

/* epoch for sc_tarwriter_new() that disables mtime clamping. */
#define SC_TAR_NO_CLAMP INT64_MAX

typedef struct sc_tarwriter sc_tarwriter;

/*
 * A writer that sends its bytes to sink(ud, ...).  Every mtime is clamped to
 * epoch (SOURCE_DATE_EPOCH semantics; SC_TAR_NO_CLAMP keeps mtimes; negative
 * mtimes become 0).  *out is owned by the caller (sc_tarwriter_free).
 */
int sc_tarwriter_new(sc_tarwriter **out, sc_tar_sink_fn sink, void *ud, int64_t epoch);

/*
 * Add one entry.  Fields used: path (clean, relative, no leading '/'),
 * type, mode (07777), uid, gid, mtime, size (regular files), link (symlink
 * target as stored; hard links: the target's path in the same tar),
 * devmajor/devminor (char/block only).
 *   SC_FT_WHITEOUT: path names what is deleted; written as DIR/.wh.NAME;
 *   SC_FT_OPAQUE:   path names the directory ("" for the root); written as
 *                   DIR/.wh..wh..opq.
 * Regular files: content (not owned, not closed) must deliver exactly
 * e->size bytes (else SC_EINPUT); NULL content is allowed only when size
 * is 0.  Other types ignore content.
 */
int sc_tarwriter_add(sc_tarwriter *w, const sc_entry *e, sc_stream *content);
/* Convenience: a regular file's content from memory (e->size bytes). */
int sc_tarwriter_add_data(sc_tarwriter *w, const sc_entry *e, const void *data);

/* Write the end-of-archive marker and flush.  No adds after this. */
int sc_tarwriter_finish(sc_tarwriter *w);
/* Bytes of tar stream sent to the sink so far. */
uint64_t sc_tarwriter_bytes(const sc_tarwriter *w);
void sc_tarwriter_free(sc_tarwriter *w); /* accepts NULL; does not finish */

#endif
