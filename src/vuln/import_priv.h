/*
 * import_priv.h - helpers shared by the advisory importers (import.c,
 * import_osv.c, import_debian.c, import_alpine.c); not a public interface.
 * Formats: see import.h.
 */
#ifndef SC_VULN_IMPORT_PRIV_H
#define SC_VULN_IMPORT_PRIV_H

#include "vuln/import.h"

#include <jansson.h>
#include <stddef.h>

/* Longest advisory id and package name accepted. */
#define SC_IMPORT_ID_MAX 256
#define SC_IMPORT_NAME_MAX 1024

/*
 * Record a warning "<formatted text>": the first SC_IMPORT_MAX_WARNINGS
 * are kept, later ones (and ones that cannot be allocated) only counted.
 * Never touches the thread's error message.
 */
void sc_import_warn(sc_import_stats *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* 1 when v is 1..SC_VERSION_MAX bytes of printable ASCII/UTF-8 with no whitespace or control byte. */
int sc_import_version_ok(const char *v);
/* 1 when id is 1..SC_IMPORT_ID_MAX bytes of printable ASCII (0x21-0x7e). */
int sc_import_id_ok(const char *id);
/* 1 when name is 1..SC_IMPORT_NAME_MAX bytes without whitespace or control bytes. */
int sc_import_name_ok(const char *name);

/*
 * The string at obj[key]: 0 with *out = NULL when missing or null, 0 with
 * *out set for a string without NUL characters, -1 otherwise (no message).
 */
int sc_import_jstr(const json_t *obj, const char *key, const char **out);

/*
 * sc_import_alpine_buf() that also hands back the source name
 * "alpine:<distroversion>/<reponame>" (malloc'd) when source_out is not NULL.
 */
int sc_import_alpine_buf_src(const char *data, size_t len, const char *what, sc_vuln_emit_fn emit,
			     void *ud, sc_import_stats *st, char **source_out);

/*
 * sc_import_osv_buf() in two steps, so that parsing (the costly part) can
 * run on worker threads while records are emitted in order on one thread:
 * parse a document into a JSON tree, then emit the record(s) it holds.
 */
int sc_import_osv_parse(json_t **out, const char *data, size_t len, int yaml, const char *what);
int sc_import_osv_doc(json_t *root, const char *what, sc_vuln_emit_fn emit, void *ud, sc_import_stats *st);

#endif
