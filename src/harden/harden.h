/*
 * harden.h - `scute harden`: turn an image into a hardened one.  The plan
 * comes from the audit's findings (one source of truth: the rule that
 * flags a shell is the rule that removes it) and is written as ONE layer
 * appended to the source's untouched layers (--layering append):
 *   - whiteouts for shells, package-manager binaries (their databases stay,
 *     so SBOMs and scanners keep working), network/debug tools, compilers,
 *     docs and caches, repository leftovers;
 *   - a non-root user (default nonroot, 65532:65532, /home/nonroot,
 *     /sbin/nologin) in etc/passwd and etc/group, config User set to it;
 *     writable paths it needs (HOME, WORKDIR, model cache variables,
 *     --writable) owned by it; /tmp 01777;
 *   - setuid/setgid bits cleared and world-writable modes fixed (the files
 *     are re-added with the new mode: their bytes are captured in the pass);
 *   - config: User, Env without secret-looking values, base-image labels,
 *     a history entry.
 * Output is deterministic (image/writer.c).  Not done yet (issue 6):
 * --minimize by closure, --probe, --test-cmd under runc, squashing, and
 * archive destinations.
 */
#ifndef SC_HARDEN_HARDEN_H
#define SC_HARDEN_HARDEN_H

#include "report/finding.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sc_harden_opts {
	const char *src;            /* image name */
	const char *dst;            /* oci:DIR[:TAG] */
	const char *user;           /* "NAME" or "NAME:UID" (default "nonroot:65532") */
	int keep_shell;             /* do not remove shells (needed when the entrypoint runs sh -c) */
	int keep_package_managers;
	int keep_tools;             /* network/debug tools and compilers */
	int replace;                /* replace DST's tag */
	const char *const *writable; /* extra paths the user must be able to write (NULL-terminated) */
	const char *const *entrypoint; /* new Entrypoint (Cmd removed), NULL-terminated; NULL = keep */
	const char *db_path;        /* vulnerability DB for the before/after counts; NULL = none */
	const char *sbom_path;      /* write the hardened image's CycloneDX SBOM here; NULL = none */
	unsigned jobs;
} sc_harden_opts;

typedef struct sc_harden_report {
	int score_before, score_after;
	size_t findings_before, findings_after;
	size_t removed;             /* whiteouts written */
	size_t modes_fixed;         /* files and dirs re-added with safe modes */
	char **removed_paths;       /* NULL-terminated (first 1000) */
	char **dropped_env;         /* names of Env entries dropped */
	char *user;                 /* "65532:65532" */
	char manifest_digest[80];   /* "sha256:..." of the written image */
	sc_findings after;          /* the audit of the written image */
	int have_vulns;             /* vulns_* are set (a DB was given) */
	size_t vulns_before[SC_LEVEL_CRITICAL + 1], vulns_after[SC_LEVEL_CRITICAL + 1];
	size_t packages_before, packages_after;
} sc_harden_report;

void sc_harden_report_release(sc_harden_report *r);

/*
 * Plan and write.  Refuses (SC_EUSAGE) an entrypoint/cmd that runs a shell
 * while shells are being removed, a uid taken by another account, and a
 * DST tag that exists without replace; SC_EINPUT for an etc/passwd that is
 * not a regular file.  DST is committed atomically (index.json renamed
 * last), never half-written.
 */
int sc_harden_run(sc_harden_report *out, const sc_harden_opts *opts);

int sc_harden_report_json(json_t **out, const sc_harden_report *r, const sc_harden_opts *opts);

#endif
