/*
 * audittest.h - build an image view from in-memory layers with the audit
 * interests (and the catalogers') and run audit rules on it.  Entries take
 * explicit owners, modes and xattrs.  Header-only; test code only.
 */
#ifndef SC_TESTS_AUDITTEST_H
#define SC_TESTS_AUDITTEST_H

#include "audit/audit.h"
#include "catalog/catalog.h"
#include "core/error.h"
#include "image/fsview.h"
#include "image/layer.h"
#include "tartest.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>

/* Add an entry with owner and mode; type 'f', 'd', 'l'; xattr_cap adds security.capability. */
static inline void at_add(tt_tar *t, const char *path, int type, unsigned mode, unsigned uid, unsigned gid,
			  const char *data, const char *link, int xattr_cap)
{
	struct archive_entry *e = archive_entry_new();
	size_t len = data ? strlen(data) : 0;

	archive_entry_set_pathname(e, path);
	archive_entry_set_perm(e, mode);
	archive_entry_set_uid(e, uid);
	archive_entry_set_gid(e, gid);
	archive_entry_set_mtime(e, 1700000000, 0);
	if (type == 'd') {
		archive_entry_set_filetype(e, AE_IFDIR);
	} else if (type == 'l') {
		archive_entry_set_filetype(e, AE_IFLNK);
		archive_entry_set_symlink(e, link);
	} else {
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_size(e, (la_int64_t)len);
	}
	if (xattr_cap) {
		static const unsigned char cap[20] = { 0x01, 0x00, 0x00, 0x02, 0x00, 0x20 };

		archive_entry_xattr_add_entry(e, "security.capability", cap, sizeof(cap));
	}
	archive_write_header(t->a, e);
	if (type == 'f' && len)
		archive_write_data(t->a, data, len);
	archive_entry_free(e);
}

/* Read layers with every cataloger's and the audit's interests; catalog and view out. */
static inline int at_view(const tt_blob *layers, size_t n_layers, sc_catalog *cat, sc_fsview **view_out)
{
	static const sc_cataloger *const cats[] = { &sc_cataloger_os, &sc_cataloger_dpkg, &sc_cataloger_apk,
						    &sc_cataloger_python, &sc_cataloger_models };
	const sc_interest *ins[128];
	size_t n = 0, i, k;
	sc_fsview *v = NULL;
	int rc;

	if ((rc = sc_audit_interests(ins, &n, 64)) != 0)
		return rc;
	for (i = 0; i < sizeof(cats) / sizeof(cats[0]); i++)
		for (k = 0; cats[i]->interests && cats[i]->interests[k] && n < 128; k++)
			ins[n++] = cats[i]->interests[k];
	if ((rc = sc_fsview_new(&v)) != 0)
		return rc;
	for (i = 0; i < n_layers; i++) {
		sc_stream *m = NULL;
		sc_layer l;
		sc_layer_opts o;

		memset(&o, 0, sizeof(o));
		o.index = i;
		o.name = "test layer";
		o.interests = ins;
		o.n_interests = n;
		if ((rc = sc_stream_mem_new(&m, layers[i].data, layers[i].len)) != 0 ||
		    (rc = sc_layer_read(&l, m, &o)) != 0 || (rc = sc_fsview_apply(v, &l, "test layer")) != 0) {
			sc_fsview_free(v);
			return rc;
		}
	}
	for (i = 0; i < sizeof(cats) / sizeof(cats[0]); i++)
		if (cats[i]->collect && (rc = cats[i]->collect(v, cat)) != 0) {
			sc_fsview_free(v);
			return rc;
		}
	if ((rc = sc_catalog_finish(cat)) != 0) {
		sc_fsview_free(v);
		return rc;
	}
	*view_out = v;
	return 0;
}

/* Run one rule by id; returns the number of its findings (fs receives them). */
static inline size_t at_rule(const char *id, const sc_image *img, const sc_catalog *cat, const sc_fsview *v,
			     sc_findings *fs)
{
	const sc_rule *r = sc_audit_rule(id);
	sc_audit_ctx ctx = { img, cat, v };
	size_t before = fs->n;

	if (!r || r->check(&ctx, r, fs) != 0)
		return (size_t)-1;
	return fs->n - before;
}

/* 1 when some finding's title contains s. */
static inline int at_has(const sc_findings *fs, const char *id, const char *s)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		if (strcmp(fs->items[i].id, id) == 0 && fs->items[i].title && strstr(fs->items[i].title, s))
			return 1;
	return 0;
}

#endif
