/*
 * gobin.h - Go modules compiled into Go binaries, from the build
 * information the Go linker embeds (what `go version -m` prints).
 *
 * Format: the .go.buildinfo blob starts with the 14-byte magic
 * "\xff Go buildinf:" at a 16-byte-aligned offset, then pointer size (1
 * byte) and flags (1 byte), padded to a 32-byte header.  With flags & 2
 * (Go >= 1.18) the Go version and the module info follow as
 * uvarint-length-prefixed strings; the module info is wrapped in 16-byte
 * sentinels.  See the Go source, src/debug/buildinfo/buildinfo.go and
 * src/runtime/debug/mod.go (BuildInfo.String / ParseBuildInfo).
 */
#ifndef SC_CATALOG_GOBIN_H
#define SC_CATALOG_GOBIN_H

#include "catalog/catalog.h"

#include <stddef.h>

#define SC_GOBIN_CAPTURE_MAX (64u * 1024u) /* bytes kept from the magic on */

typedef struct sc_gomod {
	char *path;
	char *version;  /* may be NULL (GOPATH builds have no main module version) */
	char *sum;      /* "h1:..." or NULL */
	char *replaces; /* "path@version" of the module this one replaced, or NULL */
} sc_gomod;

typedef struct sc_gobin_info {
	char *toolchain;  /* "go1.22.1" */
	char *pkg_path;   /* the "path" line: main package import path, or NULL */
	sc_gomod main;    /* main.path NULL when there is no "mod" line */
	sc_gomod *deps;
	size_t n_deps;
	char *goarch;     /* build GOARCH=..., or NULL */
} sc_gobin_info;

/*
 * Parse the buildinfo blob starting at the magic (data may extend past it).
 * SC_EUNSUPPORTED for the pointer-based format of Go < 1.18, SC_EINPUT for
 * anything malformed or cut short (message set), SC_ENOMEM.  *out is filled
 * only on success; release with sc_gobin_info_release.
 */
int sc_gobin_parse(sc_gobin_info *out, const void *data, size_t len);
void sc_gobin_info_release(sc_gobin_info *g);

/*
 * Streaming scanner for the magic (used by the cataloger's interest; exposed
 * for tests and fuzzing).  Feed the file's bytes in order; once the magic
 * is seen, up to SC_GOBIN_CAPTURE_MAX bytes from it are kept.
 */
typedef struct sc_gobin_scan sc_gobin_scan;
sc_gobin_scan *sc_gobin_scan_new(void); /* NULL + error on ENOMEM */
int sc_gobin_scan_feed(sc_gobin_scan *s, const void *buf, size_t len);
/* The kept bytes (starting at the magic) or NULL when no magic was seen. */
const unsigned char *sc_gobin_scan_result(const sc_gobin_scan *s, size_t *len);
void sc_gobin_scan_free(sc_gobin_scan *s);

#endif
