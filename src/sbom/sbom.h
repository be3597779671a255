/*
 * sbom.h - turn a catalog into SBOM documents: package URLs, CycloneDX 1.6
 * JSON, SPDX 2.3 JSON and scute's own catalog JSON.
 *
 * Specs:
 *   purl        https://github.com/package-url/purl-spec (PURL-SPECIFICATION.rst, PURL-TYPES.rst)
 *   CycloneDX   https://cyclonedx.org/docs/1.6/json/
 *   SPDX 2.3    https://spdx.github.io/spdx-spec/v2.3/
 * Output is deterministic: the catalog is sorted (sc_catalog_finish), ids
 * are derived from content, and the timestamp comes from SOURCE_DATE_EPOCH
 * or the image config's `created`, never from the clock.
 */
#ifndef SC_SBOM_SBOM_H
#define SC_SBOM_SBOM_H

#include "catalog/catalog.h"
#include "core/buf.h"
#include "image/image.h"

#include <jansson.h>
#include <time.h>

typedef struct sc_sbom_ctx {
	const sc_image *img;
	const sc_catalog *cat;
	const char *tool_version;
	time_t timestamp;          /* sc_sbom_timestamp() */
	char **purls;              /* per package, from sc_sbom_ctx_init */
	char **refs;               /* unique bom-refs per package */
	char *image_purl;
	char *image_name;
} sc_sbom_ctx;

int sc_sbom_ctx_init(sc_sbom_ctx *ctx, const sc_image *img, const sc_catalog *cat, const char *tool_version);
void sc_sbom_ctx_release(sc_sbom_ctx *ctx);

/* SOURCE_DATE_EPOCH when set and valid, else the config's created time, else 0. */
time_t sc_sbom_timestamp(const sc_image *img);
/* "2024-01-02T03:04:05Z" */
char *sc_sbom_fmt_time(time_t t, char out[32]);

/* Percent-encode per the purl spec (everything but A-Za-z0-9 . - _ ~). */
int sc_purl_encode(sc_buf *out, const char *s);
/* The purl of a package (malloc'd), using the OS for distro qualifiers. */
char *sc_purl_package(const sc_package *p, const sc_os_info *os);
/* pkg:oci/NAME@sha256%3AHEX?tag=REF (malloc'd); name_out gets NAME (malloc'd) if non-NULL. */
char *sc_purl_image(const sc_image *img, char **name_out);

/* Index of the package `name` depends on, within p's ecosystem, or -1. */
long sc_sbom_resolve_dep(const sc_catalog *cat, const sc_package *p, const char *name);
/* The SPDX license id for a license string, when it is one we know to be valid, else NULL. */
const char *sc_spdx_license_id(const char *license);

int sc_sbom_cyclonedx(json_t **out, const sc_sbom_ctx *ctx);
int sc_sbom_spdx(json_t **out, const sc_sbom_ctx *ctx);
int sc_sbom_native(json_t **out, const sc_sbom_ctx *ctx);

#endif
