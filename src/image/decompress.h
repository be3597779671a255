/*
 * decompress.h - a stream that decompresses another, choosing the format
 * from the first bytes: gzip (1f 8b; ISA-L igzip when built with it, else
 * zlib; multi-member streams accepted), zstd (28 b5 2f fd; libzstd; multiple
 * frames accepted), anything else passes through as uncompressed.  A
 * stream that ends inside a member or frame fails with SC_EINPUT
 * "truncated gzip stream"; corrupt data fails with SC_EINPUT naming the
 * format; trailing bytes after the last member that are not another
 * member are an error too.
 */
#ifndef SC_IMAGE_DECOMPRESS_H
#define SC_IMAGE_DECOMPRESS_H

#include "core/stream.h"
#include "image/manifest.h"

/* Takes ownership of inner.  *detected (if non-NULL) gets the format after the sniff. */
int sc_decompress_new(sc_stream **out, sc_stream *inner, const char *what, sc_compression *detected);

#endif
