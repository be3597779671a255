/*
 * write_image.c - test hook for the image writer (not installed).
 *
 * Usage: write_image [--replace] [--epoch N] SRC DST
 * Opens SRC (containers-transports name), merges its layers (sc_image_scan)
 * and writes the merged filesystem as ONE squashed, deterministic layer
 * into DST (oci:DIR[:TAG]) with the source config (history reset to one
 * entry).  Entries are written in sc_fsview_walk() order (path order),
 * hard links last so that their targets precede them.  Prints the manifest
 * digest.  File contents are captured in memory by the scan (a test tool:
 * the harden command will stream them instead).  Exit status: 0 ok, 2
 * usage, 3 input error, 4 other errors.  Used by tests/e2e/test_writer.py.
 */
#include "core/error.h"
#include "core/stream.h"
#include "image/fsview.h"
#include "image/image.h"
#include "image/scan.h"
#include "image/writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const sc_interest all_files = {
	.name = "write_image",
	.capture_max = (size_t)1 << 30,
};

typedef struct walk_ctx {
	sc_tarwriter *tar;
	int links; /* 0: everything but hard links; 1: hard links only */
} walk_ctx;

static int add_node(const sc_fsnode *n, void *ud)
{
	walk_ctx *c = ud;
	const sc_capture *cap;
	sc_entry e;

	if (!n->e.path[0])
		return 0; /* the root */
	if ((n->e.type == SC_FT_HARDLINK) != c->links)
		return 0;
	e = n->e;
	if (e.type == SC_FT_REG) {
		cap = sc_fsnode_capture(n, &all_files);
		if (e.size && (!cap || cap->truncated || cap->len != e.size))
			return sc_error_set(SC_ELIMIT, "%s: content not captured", e.path);
		return sc_tarwriter_add_data(c->tar, &e, e.size ? cap->data : NULL);
	}
	if (e.type == SC_FT_HARDLINK && n->link_target)
		e.link = n->link_target->e.path;
	return sc_tarwriter_add(c->tar, &e, NULL);
}

int main(int argc, char **argv)
{
	const sc_interest *ins[] = { &all_files };
	sc_image_writer_opts wo = { .replace = 0, .gzip_level = 0, .epoch = SC_TAR_NO_CLAMP };
	sc_image_config_edit edit = { .reset_history = 1 };
	sc_image *img = NULL;
	sc_image_writer *w = NULL;
	sc_scan scan;
	sc_scan_opts so;
	walk_ctx c = { NULL, 0 };
	sc_digest man;
	char s[SC_DIGEST_STRLEN];
	int i, rc, scanned = 0;

	for (i = 1; i < argc - 2; i++) {
		if (!strcmp(argv[i], "--replace"))
			wo.replace = 1;
		else if (!strcmp(argv[i], "--epoch") && i + 1 < argc - 2)
			wo.epoch = strtoll(argv[++i], NULL, 10);
		else
			break;
	}
	if (i != argc - 2) {
		fprintf(stderr, "usage: write_image [--replace] [--epoch N] SRC DST\n");
		return 2;
	}
	memset(&so, 0, sizeof(so));
	so.interests = ins;
	so.n_interests = 1;
	so.allow_devices = 1;
	if ((rc = sc_image_open(&img, argv[i], NULL)) != 0)
		goto out;
	if ((rc = sc_image_scan(&scan, img, &so)) != 0)
		goto out;
	scanned = 1;
	if ((rc = sc_image_writer_open(&w, argv[i + 1], &wo)) != 0 ||
	    (rc = sc_image_writer_layer_begin(w, &c.tar)) != 0 ||
	    (rc = sc_fsview_walk(scan.view, add_node, &c)) != 0)
		goto out;
	c.links = 1;
	if ((rc = sc_fsview_walk(scan.view, add_node, &c)) != 0 ||
	    (rc = sc_image_writer_layer_end(w, "write_image: squashed", NULL, NULL)) != 0 ||
	    (rc = sc_image_writer_commit(w, img->config_raw.data, img->config_raw.len, &edit, &man)) != 0)
		goto out;
	printf("%s\n", sc_digest_fmt(&man, s));
out:
	if (rc)
		fprintf(stderr, "write_image: %s\n", sc_error_msg());
	sc_image_writer_free(w);
	if (scanned)
		sc_scan_release(&scan);
	sc_image_free(img);
	return rc ? sc_error_exit_status(rc) : 0;
}
