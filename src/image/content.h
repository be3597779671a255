/*
 * content.h - the content pass: deliver the bytes of every regular file of
 * a merged view (sc_fsview) to a consumer, reading each needed layer once,
 * several layers in parallel, without holding a file in memory.
 *
 *   view --walk--> wanted members, keyed by (layer, seq)
 *        layers holding wanted members --sc_layer_read (jobs threads)-->
 *        sc_interest.stream_begin looks up (e->layer, e->seq)
 *          -> sink.begin(node) / sink.data(...)* / sink.end(failed)
 *
 * Used by rootfs.c (extract a view into a directory) and squash.c (write a
 * view as one layer).  See docs/materialize.md.
 *
 * Hard-link groups: the nodes that share one content (a hard link and its
 * target, all links to one target) form a group; the group's "leader" is
 * its first node in sc_fsview_walk() order.  Only leaders get their bytes
 * delivered; the other members are links to the leader.
 *
 * Content source: a node's bytes are in the tar member (m->e.layer,
 * m->e.seq) with m = sc_content_source(node).  When m is a hard link whose
 * target a later layer deleted (fsview turned it into a regular file), its
 * tar member is the hard link itself and holds no bytes: the pass follows
 * the link's target name back to the member that was the target when the
 * link was applied (same layer first, then lower layers), as the merge did.
 */
#ifndef SC_IMAGE_CONTENT_H
#define SC_IMAGE_CONTENT_H

#include "image/fsview.h"
#include "image/image.h"
#include "image/scan.h"

#include <stddef.h>
#include <stdint.h>

/* Entries one layer read may hold (the layer's entry array is freed after it). */
#define SC_CONTENT_MAX_ENTRIES (4ull * SC_DEFAULT_MAX_ENTRIES)

/*
 * A consumer of file contents.  begin() gets the group leader (see above)
 * and returns the per-file state given to data() and end() (NULL: skip this
 * file).  A callback that fails returns a negative SC_E* code after setting
 * the message (sc_error_set) on its thread; the pass stops and returns it.
 * end() is called once for every file begun, with failed != 0 when the
 * file did not arrive complete.
 */
typedef struct sc_content_sink {
	void *(*begin)(void *ud, const sc_fsnode *node); /* NULL = skip this node */
	int (*data)(void *st, const void *buf, size_t len); /* <0 aborts */
	int (*end)(void *st, int failed);                   /* <0 aborts */
	void *ud;
} sc_content_sink;

/* The node whose tar member holds n's bytes (and whose metadata is the inode's): n's hard-link target, or n. */
const sc_fsnode *sc_content_source(const sc_fsnode *n);

/* 1 when n has regular-file content: a regular file, or a hard link to one. */
int sc_content_is_file(const sc_fsnode *n);

/* Hard-link groups of a view, computed once (one walk). */
typedef struct sc_link_groups sc_link_groups;
int sc_link_groups_new(sc_link_groups **out, const sc_fsview *view);
/* The first node in walk order of n's group (n itself when n is first or in no group). */
const sc_fsnode *sc_link_groups_leader(const sc_link_groups *g, const sc_fsnode *n);
void sc_link_groups_free(sc_link_groups *g); /* accepts NULL */

/*
 * Deliver the bytes of every regular-file node of `view` reachable by
 * sc_fsview_walk (hard-link groups: once, for the first node in walk order
 * whose content source is that member), reading each layer once, `jobs`
 * layers in parallel (0 = online CPUs; callbacks run on worker threads, one
 * file at a time per layer).  Content source of node n: m = n->link_target
 * ? n->link_target : n; the tar member (m->e.layer, m->e.seq).  extra_tar:
 * path of an uncompressed tar read as layer index img->manifest.n_layers
 * (NULL = none).  Only layers holding wanted members are read (a member
 * that is a hard link whose target was deleted costs another read of the
 * layer(s) holding the target's bytes).  Fails if a wanted member is not
 * found or its size differs from the node's.  On failure the sink may have
 * received some files (each begun file gets its end(failed) call).
 */
int sc_content_pass(sc_image *img, const char *extra_tar, const sc_fsview *view, const sc_content_sink *sink,
		    unsigned jobs);

#endif
