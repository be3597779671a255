/*
 * rootfs.h - extract a merged view (the image's layers, plus an optional
 * extra tar applied on top) into an empty directory, as a container
 * runtime's rootfs.
 *
 *   walk  -> directories (mkdirat, 0700 while filling)
 *   content pass (content.h, jobs layers in parallel)
 *         -> regular files (O_CREAT|O_EXCL|O_NOFOLLOW), then their owner,
 *            mode (setuid bits too, after chown) and mtime on the open fd
 *   walk  -> symlinks (target as stored), fifos, then hard links (linkat
 *            to the group's first node); device nodes and sockets skipped
 *   reverse walk -> directories' owner, mode and mtime (deepest first)
 *
 * Nothing outside `dir` is touched: every name is created or opened
 * relative to a directory fd scute created, with O_NOFOLLOW, through
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) where the kernel has it
 * and a component-by-component O_NOFOLLOW walk where it does not; a
 * symlink from the image is created, never followed.
 * Ownership is applied only when running as root (euid 0; an owner a user
 * namespace cannot map is then an error); otherwise files
 * belong to the caller and the mode bits are applied as far as the kernel
 * lets a non-root owner (setgid may be cleared).  The root directory `dir`
 * keeps its own owner, mode and mtime (layers do not carry the root's
 * metadata).  Extended attributes (file capabilities) are not restored.
 * A hard-link group is one inode: it gets the owner, mode and mtime of the
 * group's content source (sc_content_source), as the audit sees it.
 * On failure `dir` holds a partial tree the caller removes.
 */
#ifndef SC_IMAGE_ROOTFS_H
#define SC_IMAGE_ROOTFS_H

#include "image/fsview.h"
#include "image/image.h"

#include <stdint.h>

typedef struct sc_rootfs_stats {
	uint64_t dirs, files, symlinks, fifos, hardlinks;
	uint64_t bytes;            /* file contents written */
	uint64_t devices_skipped;  /* character and block devices (and hard links to them) */
	uint64_t sockets_skipped;
	int owners_applied;        /* 1 when running as root */
} sc_rootfs_stats;

/*
 * Extract `view` (nodes from img's layers 0..n-1 and from extra_tar, an
 * uncompressed tar read as layer n; NULL = none) into `dir`, which must
 * exist and be empty (SC_EUSAGE otherwise).  jobs: layers read in
 * parallel (0 = online CPUs).
 */
int sc_rootfs_extract(sc_image *img, const char *extra_tar, const sc_fsview *view, const char *dir, unsigned jobs);
/* The same, with counts (stats may be NULL). */
int sc_rootfs_extract_stats(sc_image *img, const char *extra_tar, const sc_fsview *view, const char *dir,
			    unsigned jobs, sc_rootfs_stats *stats);

#endif
