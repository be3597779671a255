/*
 * dpkg.h - parsers of the dpkg cataloger, exposed for tests and fuzzing.
 *
 * Formats: deb822 control paragraphs (Debian Policy 5.1,
 * https://www.debian.org/doc/debian-policy/ch-controlfields.html), the
 * dpkg database (dpkg(1), var/lib/dpkg/status and info/<pkg>.list), and
 * machine-readable copyright files (DEP-5,
 * https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/).
 * Every function treats its input as hostile; bad content yields notes,
 * never a failure (only SC_ENOMEM fails).
 */
#ifndef SC_CATALOG_DPKG_H
#define SC_CATALOG_DPKG_H

#include "catalog/catalog.h"

#include <stddef.h>

#define SC_DPKG_STATUS_MAX (64u * 1024 * 1024) /* capture cap of var/lib/dpkg/status */
#define SC_DPKG_FIELD_MAX (1024u * 1024)       /* a longer field skips its paragraph */
#define SC_DPKG_MAX_PACKAGES 200000
#define SC_DPKG_MAX_DEPENDS 1024               /* per package; more are dropped with a note */

/*
 * Parse a status file (or one distroless status.d file): add a package
 * (eco deb, location = `location`) for every paragraph whose Status is
 * installed or that has no Status, notes for bad paragraphs.  No owned
 * files or licenses (those need the image view).
 */
int sc_dpkg_parse_status(sc_catalog *cat, const void *data, size_t len, const char *location);

/*
 * Parse an info/<pkg>.list file into *out: a NULL-terminated array of
 * clean paths without the leading '/' ("/." and empty lines skipped, paths
 * climbing out of the root dropped), or NULL when there are none.  The
 * caller frees with sc_strv_free().
 */
int sc_dpkg_parse_list(char ***out, const void *data, size_t len);

/*
 * The license short name of a DEP-5 copyright file: the first line of the
 * License field of the "Files: *" paragraph.  *out is a new string, or NULL
 * when the file is not machine-readable or has no such paragraph.
 */
int sc_dpkg_copyright_license(char **out, const void *data, size_t len);

#endif
