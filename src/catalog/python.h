/*
 * python.h - installed Python distributions (PyPI ecosystem) from their
 * core metadata: *.dist-info/METADATA (+ RECORD for the file list) and
 * *.egg-info/PKG-INFO (directory or plain file, as Debian ships some) in
 * site-packages / dist-packages directories.
 *
 * Spec: https://packaging.python.org/en/latest/specifications/core-metadata/
 *       https://packaging.python.org/en/latest/specifications/recording-installed-packages/
 *       https://peps.python.org/pep-0503/#normalized-names
 */
#ifndef SC_CATALOG_PYTHON_H
#define SC_CATALOG_PYTHON_H

#include "catalog/catalog.h"

#include <stddef.h>

#define SC_PY_METADATA_MAX (1u << 20) /* bytes of METADATA / PKG-INFO read */
#define SC_PY_RECORD_MAX (8u << 20)   /* bytes of RECORD read */

/* The header fields of one METADATA / PKG-INFO file; every string owned. */
typedef struct sc_pymeta {
	char *name;       /* PEP 503-normalised */
	char *version;    /* as written, trimmed */
	char *summary;
	char *license;    /* License-Expression, else a one-line License, else classifiers */
	char *supplier;   /* Author, else Author-email, else Maintainer, else Maintainer-email */
	char **requires;  /* normalised names of Requires-Dist without an `extra` marker; NULL-terminated or NULL */
	int invalid_utf8; /* the headers were not valid UTF-8: fields with non-ASCII bytes were dropped */
	int headers_cut;  /* the data ended inside the headers (no blank line seen) */
} sc_pymeta;

/*
 * Parse the header block of a core-metadata document (stops at the first
 * blank line).  Fails with SC_EINPUT (message set) when there is no usable
 * Name or Version, SC_ENOMEM on allocation failure; *out is filled only on
 * success (release it with sc_pymeta_release).
 */
int sc_python_parse_metadata(sc_pymeta *out, const char *data, size_t len);
void sc_pymeta_release(sc_pymeta *m);

/*
 * PEP 503 normalisation of a distribution name into out (lowercase, runs of
 * '-', '_', '.' become one '-').  Fails (SC_EINPUT) when name is not a valid
 * PEP 508 name or does not fit.
 */
int sc_python_normalize(char *out, size_t outsz, const char *name, size_t len);

/*
 * Parse a RECORD file (CSV: path,hash,size) and join every path to site_dir
 * (a clean image path); entries climbing above the image root are skipped.
 * *out gets a NULL-terminated list (NULL when empty).  Fails only on
 * SC_ENOMEM.
 */
int sc_python_parse_record(char ***out, const char *site_dir, const char *data, size_t len);

#endif
