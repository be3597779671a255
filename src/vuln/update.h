/*
 * update.h - `scute db update`: download advisory archives and import
 * them atomically.
 *
 * Layout (the OSV bulk export, https://google.github.io/osv.dev/data/#data-dumps):
 *   BASE/<Ecosystem>/all.zip    one OSV JSON record per zip entry
 * Default BASE: https://osv-vulnerabilities.storage.googleapis.com
 *
 * Each archive is downloaded with libcurl into a temporary file next to the
 * database (size-capped; HTTP status, Content-Length and completeness
 * checked; its SHA-256 recorded), then imported in one transaction as
 * source "osv:<Ecosystem>".  A failed or interrupted download or a
 * corrupt archive leaves that ecosystem's previous records untouched.
 */
#ifndef SC_VULN_UPDATE_H
#define SC_VULN_UPDATE_H

#include "vuln/db.h"
#include "vuln/import.h"

#include <stdint.h>

#define SC_UPDATE_DEFAULT_BASE "https://osv-vulnerabilities.storage.googleapis.com"
#define SC_UPDATE_DEFAULT_ECOSYSTEMS "PyPI,npm,Go,Debian,Alpine,Ubuntu"
#define SC_UPDATE_MAX_DOWNLOAD (4ull << 30)

typedef struct sc_update_result {
	char *ecosystem;
	char *url;
	uint64_t bytes;
	char sha256[65];
	sc_import_stats stats;
	int failed;               /* this ecosystem failed; previous records kept */
	char *error;              /* message when failed */
} sc_update_result;

typedef struct sc_update_opts {
	const char *base_url;     /* NULL: SC_UPDATE_DEFAULT_BASE */
	const char *ecosystems;   /* comma-separated; NULL: SC_UPDATE_DEFAULT_ECOSYSTEMS */
	const char *tmp_dir;      /* where downloads go; NULL: the database's directory */
	long timeout_s;           /* per download, 0 = 1800 s */
	int quiet;
} sc_update_opts;

/*
 * Update every ecosystem; results (one per ecosystem) through *out / *n_out.
 * Returns 0 when all succeeded, else the first failure's code (the others
 * were still attempted).
 */
int sc_vuln_update(sc_vulndb *db, const char *db_path, const sc_update_opts *opts, sc_update_result **out,
		   size_t *n_out);
void sc_update_results_free(sc_update_result *r, size_t n);

/* Download url into the file descriptor fd (at most max bytes); sha256 of the body in hex. */
int sc_http_download(const char *url, int fd, uint64_t max, long timeout_s, uint64_t *bytes_out,
		     char sha256_hex[65]);

#endif
