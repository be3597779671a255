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
 * With --minimize, everything outside the workload's closure is removed
 * too (minimize.h); --layering squash writes the merged result as one
 * layer instead (image/squash.c).  --test-cmd runs a command in the source
 * and in the result under runc (harden/runc.c) and fails the harden when
 * exit status or stdout differ; --probe adds the files the command opened
 * in the source to the closure.
 * The result's audit, catalog and counts come from the first pass's view
 * with the hardening layer applied: the source layers are read once (plus
 * once more to squash or to extract a bundle for --test-cmd).
 * Output is deterministic (image/writer.c).
 */
#ifndef SC_HARDEN_HARDEN_H
#define SC_HARDEN_HARDEN_H

#include "catalog/catalog.h"
#include "image/image.h"
#include "report/finding.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct sc_harden_opts {
	const char *src;            /* image name */
	const char *dst;            /* oci:DIR:TAG, oci-archive:FILE[:TAG], docker-archive:FILE[:REPO:TAG] */
	const char *user;           /* "NAME" or "NAME:UID" (default "nonroot:65532") */
	int keep_shell;             /* do not remove shells (needed when the entrypoint runs sh -c) */
	int keep_package_managers;
	int keep_tools;             /* network/debug tools and compilers */
	int strip_models;           /* also remove model files the audit flags (SC-5001 pickles, SC-5002 weights) */
	int replace;                /* replace DST's tag */
	const char *const *writable; /* extra paths the user must be able to write (NULL-terminated) */
	const char *const *entrypoint; /* new Entrypoint (Cmd removed), NULL-terminated; NULL = keep */
	const char *db_path;        /* vulnerability DB for the before/after counts; NULL = none */
	const char *sbom_path;      /* write the hardened image's CycloneDX SBOM here; NULL = none */
	int minimize;               /* keep only the workload's closure (minimize.h) */
	const char *const *keep;    /* --keep PATH/GLOB for --minimize (NULL-terminated) */
	const char *const *test_cmd; /* run in the source and in the result, compare (NULL = none) */
	unsigned test_timeout;      /* seconds per run; 0 = 300 */
	int probe;                  /* --minimize also keeps what --test-cmd opens in the source */
	int squash;                 /* one layer instead of source layers + a hardening layer */
	const char *scratch;        /* directory for temporary files and bundles; NULL = $TMPDIR or /var/tmp */
	unsigned jobs;
	/*
	 * Optional: called once DST is written (and pushed), with the result
	 * image, its catalog and its audit from this run's own pass, so what
	 * describes DST (harden --sign-key's attestations) needs no second
	 * read of its layers.  A failure fails the run (DST stays written).
	 */
	int (*on_result)(void *arg, const sc_image *img, const sc_catalog *cat, const sc_findings *audit);
	void *on_result_arg;
} sc_harden_opts;

typedef struct sc_harden_run_out {
	int ran;                    /* the command ran (see exited/status) */
	int exited, status, signaled, signo, timed_out;
	char *out, *err;            /* captured output (bounded), NUL-terminated */
	size_t out_len, err_len;
	uint64_t out_total;         /* bytes written to stdout, kept or not */
} sc_harden_run_out;

typedef struct sc_harden_side {
	uint64_t size;              /* compressed layer bytes */
	uint64_t bytes;             /* regular-file bytes of the merged filesystem */
	size_t files;               /* non-directory entries */
	size_t layers;
	size_t shells, package_managers; /* SC-2001 / SC-2002 findings */
} sc_harden_side;

typedef struct sc_harden_report {
	int score_before, score_after;
	size_t findings_before, findings_after;
	size_t removed;             /* whiteouts written */
	size_t removed_files;       /* non-directories gone (whole subtrees counted) */
	uint64_t removed_bytes;
	size_t modes_fixed;         /* files and dirs re-added with safe modes */
	char **removed_paths;       /* NULL-terminated, sorted: the top of each removed subtree */
	char **dropped_env;         /* names of Env entries dropped */
	char **notes;               /* minimize: what could not be resolved */
	char *user;                 /* "65532:65532" */
	char manifest_digest[80];   /* "sha256:..." of the written image */
	char source_digest[80];     /* "sha256:..." manifest digest of SRC (the one read) */
	sc_findings findings;       /* the audit of the written image */
	int have_vulns;             /* vulns_* are set (a DB was given) */
	size_t vulns_before[SC_LEVEL_CRITICAL + 1], vulns_after[SC_LEVEL_CRITICAL + 1];
	size_t packages_before, packages_after;
	size_t packages_dropped;    /* --minimize: deb packages with no file left, dropped from dpkg status */
	sc_harden_side before, after;
	int minimized, python, gpu; /* --minimize ran; its Python / GPU rules applied */
	size_t modules;             /* Python top-level modules kept */
	size_t probed;              /* files --probe saw the workload open */
	int tested;                 /* --test-cmd ran in both images and matched */
	sc_harden_run_out test_before, test_after;
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

/*
 * The options that shape the result, as SLSA externalParameters: source,
 * destination, layering, and every other option that differs from its
 * default (user, keepShell, writable, entrypoint, minimize, keep, testCmd,
 * ...).  Scratch directory, jobs, --db and --sbom are not: they do not
 * change the image.
 */
int sc_harden_params_json(json_t **out, const sc_harden_opts *opts);

/*
 * The SLSA Provenance v1 predicate (sign/predicate.h) of a run that
 * wrote r: buildType https://scute.dev/harden/v1, externalParameters from
 * sc_harden_params_json, resolvedDependencies = SRC by its manifest digest
 * (a docker:// SRC as "docker://HOST/REPO@sha256:.."; other names as
 * given), started/finished the run's wall-clock times, invocation_id may
 * be NULL.
 */
int sc_harden_provenance(json_t **out, const sc_harden_opts *opts, const sc_harden_report *r, time_t started,
			 time_t finished, const char *invocation_id);

#endif
