/*
 * cli.h - shared pieces of the `scute` command line: verbs, output files,
 * terminal handling, progress, human-readable sizes.
 */
#ifndef SC_CLI_CLI_H
#define SC_CLI_CLI_H

#include "catalog/catalog.h"
#include "image/image.h"

#include <stdint.h>
#include <stdio.h>

/* Each verb: returns a process exit status (see README "Exit status"). */
int sc_cmd_inspect(int argc, char **argv);
int sc_cmd_sbom(int argc, char **argv);
int sc_cmd_scan(int argc, char **argv);
int sc_cmd_db(int argc, char **argv);
int sc_cmd_audit(int argc, char **argv);
int sc_cmd_harden(int argc, char **argv);
int sc_cmd_mirror(int argc, char **argv);
int sc_cmd_keygen(int argc, char **argv);      /* cmd_keygen.c */
int sc_cmd_sign(int argc, char **argv);        /* cmd_sign.c */
int sc_cmd_attest(int argc, char **argv);      /* cmd_sign.c */
int sc_cmd_verify(int argc, char **argv);      /* cmd_verify.c */
int sc_cmd_verify_blob(int argc, char **argv); /* cmd_verify.c */

/*
 * cmd_sign.c: sign `image` (a name any verb takes; pinned by digest or
 * tagged) with the private key `key` (sc_key_load_private: decrypted
 * before a long run, so a wrong passphrase fails first) in cosign's legacy
 * .sig format, then attach one DSSE attestation (.att) per element of
 * atts.  identity: the docker-reference, or NULL for the default.
 * Registry options are sc_registry_defaults().  Used by `harden --sign-key`.
 */
struct json_t;
struct sc_key;
typedef struct sc_cli_attestation {
	const char *predicate_type;   /* URI */
	struct json_t *predicate;     /* borrowed */
} sc_cli_attestation;
int sc_cli_sign_image(const char *image, struct sc_key *key, const char *identity,
		      const sc_cli_attestation *atts, size_t natts, int quiet);

/* Print "scute: error: <current error message>" and return its exit status. */
int sc_cli_fail(int code);
/* Print a usage error and return SC_EXIT_USAGE. */
int sc_cli_usage_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Output destination: stdout, or FILE written atomically (temp file in the
 * same directory, fsync, rename on commit; removed on abort).  An existing
 * non-regular FILE (/dev/null, a FIFO) is written in place instead.
 */
typedef struct sc_out {
	FILE *f;
	char *path;
	char *tmp;
	int direct; /* not a regular file (device, FIFO): written in place */
} sc_out;
int sc_out_open(sc_out *o, const char *path);
int sc_out_commit(sc_out *o);
/* Write doc as indented JSON plus a newline; on failure the output is aborted. */
struct json_t;
int sc_out_json(sc_out *o, struct json_t *doc);
void sc_out_abort(sc_out *o);

/* Parse a --jobs value (1..256) into *out; on error prints the usage error and returns -1. */
int sc_cli_jobs(const char *verb, const char *arg, unsigned *out);

/* Colour only on a terminal and when NO_COLOR is unset. */
int sc_cli_color(FILE *f);
/* "1.5 GB" style (SI units, as docker prints). */
char *sc_cli_size(uint64_t bytes, char *out, size_t outsz);

/* Progress bar on stderr (only on a TTY and when enabled). */
typedef struct sc_progress sc_progress;
sc_progress *sc_progress_start(const char *label, uint64_t total, int enabled);
uint64_t *sc_progress_counter(sc_progress *p);
void sc_progress_stop(sc_progress *p); /* accepts NULL */

/*
 * Open image `name` (narrowed to *want when not NULL) and catalog it in one
 * pass (progress bar on a terminal unless quiet).  *img_out is the caller's,
 * and so is *scan_out (the merged view) when scan_out is not NULL.
 */
int sc_cli_catalog_image(sc_image **img_out, sc_catalog *cat, const char *name, const sc_platform *want,
			 sc_catalog_opts *co, int quiet, sc_scan *scan_out);

#endif
