/*
 * read.h - read SBOM documents written by scute or by other tools (Syft,
 * Trivy, cdxgen...) back into a catalog, so `scute scan SBOM-FILE` matches
 * the same packages an image scan would.
 *
 *   purl           https://github.com/package-url/purl-spec (parsing rules)
 *   CycloneDX      1.2 - 1.6 JSON: components[] (nested too), purl,
 *                  metadata.component, "operating-system" components,
 *                  properties (syft:package:*, aquasecurity:trivy:*, scute:*)
 *   SPDX           2.2 / 2.3 JSON: packages[].externalRefs (PACKAGE-MANAGER purl)
 * Documents are hostile: size and depth are bounded, component nesting is
 * walked with an explicit limit, unknown purl types are kept as packages of
 * no ecosystem scute matches (skipped with a count).
 */
#ifndef SC_SBOM_READ_H
#define SC_SBOM_READ_H

#include "catalog/catalog.h"

#include <stddef.h>

#define SC_SBOM_READ_MAX (256u << 20)   /* document size */
#define SC_SBOM_READ_MAX_COMPONENTS 1000000

/* A parsed package URL; every field malloc'd, NULL when absent; qualifiers in order of the string. */
typedef struct sc_purl {
	char *type;          /* lowercased */
	char *ns;            /* namespace, percent-decoded, segments joined with '/' */
	char *name;          /* percent-decoded */
	char *version;       /* percent-decoded */
	sc_kv_list quals;    /* keys lowercased, values percent-decoded */
	char *subpath;
} sc_purl;

/* Parse per the purl spec; SC_EINPUT with a message naming what is wrong. */
int sc_purl_parse(sc_purl *out, const char *s);
void sc_purl_release(sc_purl *p);

typedef struct sc_sbom_read_info {
	char *format;        /* "cyclonedx" or "spdx" */
	char *spec_version;  /* "1.6", "SPDX-2.3" */
	char *subject;       /* metadata.component name (+ version) / SPDX document name, or NULL */
	char *subject_purl;  /* pkg:oci/... when the subject has one, or NULL */
	size_t components;   /* components / packages read */
	size_t without_purl; /* of those, without a usable purl (skipped) */
	size_t unsupported;  /* purl types scute does not catalog (skipped) */
} sc_sbom_read_info;

void sc_sbom_read_info_release(sc_sbom_read_info *i);

/*
 * Read a CycloneDX or SPDX JSON document into cat (initialised by the
 * caller): packages from purls (deb, apk, rpm, pypi, npm, golang), with
 * the source package from the purl's `upstream` qualifier (deb "upstream",
 * apk "origin", rpm "upstream") or tool properties (syft:package:*,
 * aquasecurity:trivy:SrcName/SrcVersion, scute:source-*), the OS from an
 * "operating-system" component or the purls' distro qualifier
 * ("debian-12", "alpine-3.19.1"), and the os-managed flag for PyPI
 * packages from scute's property.  Finishes the catalog (sorted).
 */
int sc_sbom_read(sc_catalog *cat, sc_sbom_read_info *info, const char *data, size_t len, const char *what);

#endif
