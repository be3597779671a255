/*
 * rpm.h - parsers of the rpm cataloger, exposed for tests and fuzzing.
 *
 * Formats: the SQLite rpmdb (rpmdb.sqlite, table Packages(hnum, blob)) and
 * the RPM v4 header structure stored in each blob, without the 8-byte
 * header magic (https://rpm-software-management.github.io/rpm/manual/format_v4.html):
 *   il (BE32 index entry count), dl (BE32 data length),
 *   il x {tag, type, offset, count} (BE32 each), dl bytes of data.
 * Input is hostile; bad content yields notes, only SC_ENOMEM fails.
 */
#ifndef SC_CATALOG_RPM_H
#define SC_CATALOG_RPM_H

#include "catalog/catalog.h"

#include <stddef.h>

#define SC_RPM_DB_MAX (512u * 1024 * 1024) /* capture cap of rpmdb.sqlite */
#define SC_RPM_IL_MAX 65536                /* index entries per header */
#define SC_RPM_DL_MAX (256u * 1024 * 1024) /* data bytes per header */
#define SC_RPM_MAX_DEPENDS 4096            /* per package */
#define SC_RPM_FILE_BYTES_MAX (64u * 1024 * 1024) /* owned-path bytes per package */

/*
 * Parse one header blob and add its package (eco rpm, location =
 * `location`); a malformed blob adds a note naming `location` and `what`
 * (e.g. "header 42") instead.  "gpg-pubkey" pseudo-packages are skipped.
 */
int sc_rpm_parse_header(sc_catalog *cat, const void *blob, size_t len, const char *location, const char *what);

/*
 * Open an rpmdb.sqlite image in memory (read-only, never written to disk)
 * and parse every header of its Packages table.  A file that is not a
 * usable rpmdb adds an SC_NOTE_ERROR note.
 */
int sc_rpm_parse_sqlite(sc_catalog *cat, const void *data, size_t len, const char *location);

#endif
