/*
 * fsview.h - the merged filesystem of an image: layers applied in order with
 * OCI whiteout semantics, as a tree with a path index.
 *
 * Spec: https://github.com/opencontainers/image-spec/blob/main/layer.md
 *   - .wh.NAME removes NAME (and everything below it) from lower layers;
 *   - DIR/.wh..wh..opq removes every lower-layer child of DIR;
 *   - an entry replaces the lower one at the same path; a non-directory
 *     replacing a directory removes the directory's subtree; a directory
 *     over a directory keeps the children and takes the new metadata;
 *   - parents missing from a layer are created as implicit directories
 *     (0755, root) as `umoci unpack` and container runtimes do.
 * Hard links are resolved to their target within the merged view at the
 * time their layer is applied (a missing target is an input error).  When
 * a later layer deletes or replaces the target, the link keeps the old
 * content, so it becomes a regular file (the first link of its group; the
 * others link to it).
 * A path whose parent is a lower-layer symlink (or file) gets a directory
 * in its place instead of being written through the link: that is what
 * the overlay drivers of containerd, Docker and CRI-O show, since each
 * layer is unpacked into its own empty directory.  (umoci unpack and
 * containerd's native snapshotter follow the link instead; images built by
 * `docker build` never contain such entries.)
 * Symlinks resolve inside the image root only: absolute targets are taken
 * relative to the root and ".." stops at the root, as in chroot/securejoin.
 */
#ifndef SC_IMAGE_FSVIEW_H
#define SC_IMAGE_FSVIEW_H

#include "image/layer.h"

#include <stddef.h>
#include <stdint.h>

#define SC_SYMLINK_MAX_HOPS 40

typedef struct sc_fsnode sc_fsnode;
struct sc_fsnode {
	sc_entry e;          /* e.path is the full path, "" for the root */
	const char *name;    /* last component of e.path */
	sc_fsnode *parent;
	sc_fsnode *first_child, *last_child;
	sc_fsnode *prev_sibling, *next_sibling;
	sc_fsnode *link_target; /* hard links: the node they share content with */
	uint8_t implicit;    /* directory created because a child needed it */
	uint8_t removed;
	uint8_t mark;        /* scratch for one algorithm at a time over the view (harden --minimize) */
};

typedef struct sc_fsview sc_fsview;

int sc_fsview_new(sc_fsview **out);
void sc_fsview_free(sc_fsview *v);

/*
 * Apply a layer on top of what is already applied.  Takes ownership of the
 * layer's arena and captures (the layer is left empty).  Layers must be
 * applied in order.  layer_name is used in error messages.
 */
int sc_fsview_apply(sc_fsview *v, sc_layer *layer, const char *layer_name);

/* Number of nodes, excluding the root. */
size_t sc_fsview_count(const sc_fsview *v);
const sc_fsnode *sc_fsview_root(const sc_fsview *v);

/* The node at a clean path (no symlinks followed), or NULL. */
const sc_fsnode *sc_fsview_lookup(const sc_fsview *v, const char *path);

/*
 * Resolve `path` (any form; cleaned first) following symlinks in every
 * component, and in the last one when follow_last.  Never leaves the root.
 * On success *out is the node (or NULL with SC_ENOTFOUND when a component
 * is missing) and resolved (if non-NULL) gets the final clean path.
 * SC_EINPUT "symlink loop" after SC_SYMLINK_MAX_HOPS links.
 */
int sc_fsview_resolve(const sc_fsview *v, const char *path, int follow_last, const sc_fsnode **out,
		      char *resolved, size_t resolved_sz);

/*
 * Depth-first walk in path order (children sorted by name bytewise).
 * cb returns 0 to continue, >0 to stop (walk returns 0), <0 to fail.
 */
typedef int (*sc_fsview_walk_cb)(const sc_fsnode *n, void *ud);
int sc_fsview_walk(const sc_fsview *v, sc_fsview_walk_cb cb, void *ud);

/*
 * Every node but the root in walk order, as an array the caller frees
 * (*n entries).  The nodes stay the view's.
 */
int sc_fsview_list(const sc_fsview *v, const sc_fsnode ***out, size_t *n);

/*
 * The node after n in a pre-order traversal of top's subtree (top itself
 * excluded), following the tree links; descend = 0 skips n's children.
 * NULL when the subtree is done.  Start with n = top, descend = 1.  For
 * algorithms that prune whole subtrees; the order of siblings is the
 * order they were linked, not name order.
 */
sc_fsnode *sc_fsview_next(const sc_fsnode *top, const sc_fsnode *n, int descend);

/* What `interest` captured from the file at this node (hard links: their target), or NULL. */
const sc_capture *sc_fsnode_capture(const sc_fsnode *n, const sc_interest *interest);

/*
 * Check every symlink for a loop or a relative target that climbs above
 * the root; fails with SC_EINPUT naming the first bad link.
 */
int sc_fsview_check_symlinks(const sc_fsview *v);

#endif
