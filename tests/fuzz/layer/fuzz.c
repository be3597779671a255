/*
 * fuzz.c (layer) - one layer blob (plain tar, gzip or zstd) through the
 * layer reader with content interests, then into an fsview with a second
 * copy of itself on top (whiteouts act on the first), symlink checks and a
 * few resolutions.
 */
#include "core/error.h"
#include "image/fsview.h"
#include "image/layer.h"

#include <stdint.h>
#include <string.h>

static const char *const globs[] = { "etc/*", "**/METADATA", NULL };
static const unsigned char elf[] = { 0x7f, 'E', 'L', 'F' };
static const sc_interest cap = { .name = "cap", .globs = globs, .capture_max = 128 };
static const sc_interest sniff = { .name = "sniff", .magic = elf, .magic_len = 4, .capture_max = 16 };

static int read_one(sc_layer *l, const uint8_t *data, size_t size, size_t index, uint64_t *budget)
{
	const sc_interest *ins[] = { &cap, &sniff };
	sc_layer_opts o;
	sc_stream *m = NULL;

	memset(&o, 0, sizeof(o));
	o.index = index;
	o.name = "fuzz layer";
	o.interests = ins;
	o.n_interests = 2;
	o.entry_budget = budget;
	o.entry_limit = 100000;
	o.allow_devices = size & 1;
	if (sc_stream_mem_new(&m, data, size) != 0)
		return -1;
	return sc_layer_read(l, m, &o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sc_fsview *v = NULL;
	sc_layer l;
	uint64_t budget = 100000;
	const sc_fsnode *n;
	size_t i;

	if (sc_fsview_new(&v) != 0)
		return 0;
	for (i = 0; i < 2; i++) {
		if (read_one(&l, data, size, i, &budget) != 0)
			goto out;
		if (sc_fsview_apply(v, &l, "fuzz layer") != 0)
			goto out;
	}
	sc_fsview_check_symlinks(v);
	sc_fsview_resolve(v, "etc/passwd", 1, &n, NULL, 0);
	sc_fsview_resolve(v, "/usr/lib/../bin/sh", 1, &n, NULL, 0);
out:
	sc_fsview_free(v);
	sc_error_clear();
	return 0;
}
