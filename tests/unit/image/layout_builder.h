/*
 * layout_builder.h - build OCI image layouts by hand for tests: blobs
 * written under their digest, manifests and indexes from JSON text.
 * Test-only; header-only.
 */
#ifndef SC_TEST_LAYOUT_BUILDER_H
#define SC_TEST_LAYOUT_BUILDER_H

#include "core/digest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static inline void lb_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0)
		abort();
}

/* The test's temporary directory (lb_mktemp in the group setup, lb_rmtemp in its teardown). */
static char lb_tmpdir[256];

static inline int lb_mktemp(const char *template_)
{
	snprintf(lb_tmpdir, sizeof(lb_tmpdir), "%s", template_);
	return mkdtemp(lb_tmpdir) ? 0 : -1;
}

static inline int lb_rmtemp(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", lb_tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A whole (small, < 1 MiB) file as a NUL-terminated string; aborts when unreadable or empty. */
static inline char *lb_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s = calloc(1, 1 << 20);

	if (!f || !s || fread(s, 1, (1 << 20) - 1, f) == 0)
		abort();
	fclose(f);
	return s;
}

/* A new layout at dir (created) with an empty index. */
static inline void lb_init(const char *dir)
{
	char p[1024];

	mkdir(dir, 0755);
	snprintf(p, sizeof(p), "%s/blobs", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/blobs/sha256", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/oci-layout", dir);
	lb_write(p, "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
	snprintf(p, sizeof(p), "%s/index.json", dir);
	lb_write(p, "{\"schemaVersion\":2,\"manifests\":[]}", 34);
}

/* Store data as a blob; its "sha256:..." into dg. */
static inline void lb_blob(const char *dir, const void *data, size_t len, char dg[SC_DIGEST_STRLEN])
{
	sc_digest d;
	char p[1024], hex[65];

	sc_sha256_buf(&d, data, len);
	sc_digest_fmt(&d, dg);
	snprintf(p, sizeof(p), "%s/blobs/sha256/%s", dir, sc_digest_hex(&d, hex));
	lb_write(p, data, len);
}

static inline void lb_blob_str(const char *dir, const char *s, char dg[SC_DIGEST_STRLEN])
{
	lb_blob(dir, s, strlen(s), dg);
}

/* Set index.json to {"schemaVersion":2,"manifests":[<entries>]}. */
static inline void lb_index(const char *dir, const char *entries)
{
	char p[1024];
	size_t n = strlen(entries) + 64;
	char *s = malloc(n);

	snprintf(s, n, "{\"schemaVersion\":2,\"manifests\":[%s]}", entries);
	snprintf(p, sizeof(p), "%s/index.json", dir);
	lb_write(p, s, strlen(s));
	free(s);
}

/*
 * Store an OCI image manifest with a config (cfg text) and layers (blobs of
 * the given sizes filled with a pattern from seed), its digest into dg and
 * size into *size.  extra: more top-level JSON (",\"subject\":{...}") or "".
 */
static inline void lb_image(const char *dir, const char *cfg, const size_t *sizes, size_t n, unsigned seed,
			    const char *extra, char dg[SC_DIGEST_STRLEN], size_t *size)
{
	char cd[SC_DIGEST_STRLEN], ld[SC_DIGEST_STRLEN];
	size_t cap = 512 + n * 200 + strlen(extra), i, j, o;
	char *m = malloc(cap);

	lb_blob_str(dir, cfg, cd);
	o = (size_t)snprintf(m, cap,
			     "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
			     "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
			     "\"digest\":\"%s\",\"size\":%zu},\"layers\":[", cd, strlen(cfg));
	for (i = 0; i < n; i++) {
		unsigned char *b = malloc(sizes[i] ? sizes[i] : 1);

		for (j = 0; j < sizes[i]; j++)
			b[j] = (unsigned char)((j * 131u + seed * 7u + i) >> 3);
		lb_blob(dir, b, sizes[i], ld);
		free(b);
		o += (size_t)snprintf(m + o, cap - o,
				      "%s{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
				      "\"digest\":\"%s\",\"size\":%zu}", i ? "," : "", ld, sizes[i]);
	}
	snprintf(m + o, cap - o, "]%s}", extra);
	lb_blob_str(dir, m, dg);
	*size = strlen(m);
	free(m);
}

#endif
