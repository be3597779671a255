/*
 * apk.h - the parser of the apk cataloger, exposed for tests and fuzzing.
 *
 * Format: Alpine's installed-packages database, lib/apk/db/installed
 * (https://wiki.alpinelinux.org/wiki/Apk_spec#Installed_Database_V2):
 * records separated by blank lines, one "K:value" field per line.
 * Input is hostile; bad content yields notes, only SC_ENOMEM fails.
 */
#ifndef SC_CATALOG_APK_H
#define SC_CATALOG_APK_H

#include "catalog/catalog.h"

#include <stddef.h>

#define SC_APK_DB_MAX (64u * 1024 * 1024) /* capture cap of lib/apk/db/installed */
#define SC_APK_LINE_MAX (1024u * 1024)    /* a longer line skips its record */
#define SC_APK_MAX_PACKAGES 200000
#define SC_APK_MAX_DEPENDS 1024

/*
 * Add a package (eco apk, location = `location`) for every record with a
 * P: field, with its owned files (F: directory + R: file, no leading '/').
 */
int sc_apk_parse_installed(sc_catalog *cat, const void *data, size_t len, const char *location);

#endif
