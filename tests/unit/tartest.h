/*
 * tartest.h - helpers for unit tests: build tar streams in memory with
 * libarchive's writer, compress them with zlib (gzip) or libzstd, and read
 * them back through sc_layer_read().  Header-only; test code only.
 */
#ifndef SC_TESTS_TARTEST_H
#define SC_TESTS_TARTEST_H

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

typedef struct {
	unsigned char *data;
	size_t len;
} tt_blob;

typedef struct {
	struct archive *a;
	unsigned char *mem;
	size_t cap;
	size_t used;
} tt_tar;

static inline void tt_tar_init(tt_tar *t, size_t cap)
{
	t->cap = cap;
	t->mem = malloc(cap);
	t->used = 0;
	t->a = archive_write_new();
	archive_write_set_format_pax_restricted(t->a);
	archive_write_set_bytes_in_last_block(t->a, 1);
	archive_write_open_memory(t->a, t->mem, t->cap, &t->used);
}

static inline void tt_add(tt_tar *t, const char *path, int type, unsigned mode, const char *data, size_t len,
			  const char *link)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, path);
	archive_entry_set_perm(e, mode);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_mtime(e, 1700000000, 0);
	switch (type) {
	case 'd': archive_entry_set_filetype(e, AE_IFDIR); break;
	case 'l':
		archive_entry_set_filetype(e, AE_IFLNK);
		archive_entry_set_symlink(e, link);
		break;
	case 'h':
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_hardlink(e, link);
		break;
	case 'c':
		archive_entry_set_filetype(e, AE_IFCHR);
		archive_entry_set_rdevmajor(e, 1);
		archive_entry_set_rdevminor(e, 3);
		break;
	default:
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_size(e, (la_int64_t)len);
		break;
	}
	archive_write_header(t->a, e);
	if (type == 'f' && len)
		archive_write_data(t->a, data, len);
	archive_entry_free(e);
}

static inline void tt_file(tt_tar *t, const char *path, const char *content)
{
	tt_add(t, path, 'f', 0644, content, strlen(content), NULL);
}

static inline tt_blob tt_finish(tt_tar *t)
{
	tt_blob b;

	archive_write_close(t->a);
	archive_write_free(t->a);
	b.data = t->mem;
	b.len = t->used;
	return b;
}

static inline tt_blob tt_gzip(tt_blob in)
{
	z_stream z;
	tt_blob out;

	memset(&z, 0, sizeof(z));
	deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
	out.len = deflateBound(&z, in.len) + 64;
	out.data = malloc(out.len);
	z.next_in = in.data;
	z.avail_in = (uInt)in.len;
	z.next_out = out.data;
	z.avail_out = (uInt)out.len;
	deflate(&z, Z_FINISH);
	out.len = z.total_out;
	deflateEnd(&z);
	return out;
}

static inline tt_blob tt_zstd(tt_blob in)
{
	tt_blob out;
	ZSTD_CCtx *c = ZSTD_createCCtx();

	/* With a content checksum, as `zstd` writes by default. */
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	out.len = ZSTD_compressBound(in.len);
	out.data = malloc(out.len);
	out.len = ZSTD_compress2(c, out.data, out.len, in.data, in.len);
	ZSTD_freeCCtx(c);
	return out;
}

#endif
