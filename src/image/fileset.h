/*
 * fileset.h - a read-only set of named files: a host directory (an OCI
 * layout) or the members of an uncompressed tar archive (oci-archive,
 * docker-archive).  Sources read layouts through this so that `oci:` and
 * `oci-archive:` share one implementation.
 *
 * Names are relative ("blobs/sha256/ab..", "manifest.json"), cleaned with
 * sc_path_clean(); a name that escapes the root is rejected.  Directory
 * access uses openat(O_NOFOLLOW|O_CLOEXEC) component by component, so a
 * symlink inside the layout cannot redirect reads outside it.  Archives are
 * indexed once at open (ustar, GNU long names, pax path/size); members are
 * then read with pread(), so several threads may read different members at
 * once.  Symlink and hard-link members (docker save writes both for shared
 * layers) are followed inside the archive, at most 16 hops.
 */
#ifndef SC_IMAGE_FILESET_H
#define SC_IMAGE_FILESET_H

#include "core/buf.h"
#include "core/stream.h"

#include <stdint.h>

#define SC_ARCHIVE_MAX_MEMBERS (1u << 20)

typedef struct sc_fileset sc_fileset;

int sc_fileset_open_dir(sc_fileset **out, const char *dir);
/* The archive must be an uncompressed tar; a compressed one fails with SC_EUNSUPPORTED. */
int sc_fileset_open_tar(sc_fileset **out, const char *file);
/*
 * The same over an open descriptor of a regular file (used by the fuzzer).
 * fd is duplicated (F_DUPFD_CLOEXEC): the caller keeps and closes its own
 * fd.  name is used in messages only.
 */
int sc_fileset_open_tar_fd(sc_fileset **out, int fd, const char *name);
void sc_fileset_free(sc_fileset *fs);

/* SC_ENOTFOUND (message names the file and the fileset) when absent. */
int sc_fileset_stat(sc_fileset *fs, const char *name, uint64_t *size_out);
/* Open a member for streaming; thread-safe. */
int sc_fileset_open(sc_fileset *fs, const char *name, sc_stream **out, uint64_t *size_out);
/* Read a whole member into out (initialised by the caller); fails with SC_ELIMIT beyond max. */
int sc_fileset_read(sc_fileset *fs, const char *name, size_t max, sc_buf *out);
/* A name for messages: the directory or archive path. */
const char *sc_fileset_name(const sc_fileset *fs);

#endif
