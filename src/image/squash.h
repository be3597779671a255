/*
 * squash.h - write a merged view (the image's layers plus an optional
 * extra tar applied on top) as ONE deterministic layer of an image being
 * written.
 *
 *   walk -> plan: entries in sc_fsview_walk order, each regular file's
 *           place in a spool (a sparse temp file: the files' bytes back to
 *           back, in walk order)
 *   content pass (content.h, jobs layers in parallel) -> pwrite into the spool
 *   walk -> sc_image_writer_layer_begin / sc_tarwriter_add (files streamed
 *           from the spool) / sc_image_writer_layer_end -> spool closed
 *
 * The tar holds every node but the root, in walk order (implicit
 * directories as the view has them: 0755, root); regular files with their
 * bytes; a hard-link group's first node (in walk order) carries the
 * content and the others are tar hard links to it; all members of a group
 * carry the group's inode metadata (the content source's owner, mode and
 * mtime: sc_content_source), so any extractor gives the same inode.
 * mtimes are clamped to `epoch` (SC_TAR_NO_CLAMP: kept), and again to the
 * writer's own epoch.  Sockets (tar cannot hold them) are left out, with
 * any hard links to them.  Extended attributes are not written (the
 * tarwriter writes none).
 *
 * The spool is created in $TMPDIR (default /var/tmp) with O_TMPFILE (or
 * created and unlinked at once), so it never outlives the process; it
 * needs as much space as the files' bytes (holes where files are empty).
 * Same view and image give byte-identical blobs, whatever `jobs`.
 */
#ifndef SC_IMAGE_SQUASH_H
#define SC_IMAGE_SQUASH_H

#include "image/fsview.h"
#include "image/image.h"
#include "image/writer.h"

#include <stdint.h>

/*
 * Append `view` (nodes from img's layers 0..n-1 and from extra_tar, an
 * uncompressed tar read as layer n; NULL = none) to w as one new layer
 * whose history entry says created_by (may be NULL).  jobs: layers read in
 * parallel (0 = online CPUs).  On failure w may hold a half-written layer:
 * free the writer (nothing is committed).
 */
int sc_squash_layer(sc_image_writer *w, sc_image *img, const char *extra_tar, const sc_fsview *view, int64_t epoch,
		    const char *created_by, unsigned jobs);

#endif
