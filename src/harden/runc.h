/*
 * runc.h - run a command in an already-extracted root filesystem with the
 * real `runc` binary (OCI runtime), capture its output within bounds, kill
 * it on a timeout, and optionally record every file its process tree opens
 * or executes inside the rootfs (the "probe", with fanotify from the host).
 *
 * Specs: OCI runtime-spec config.json,
 * https://github.com/opencontainers/runtime-spec/blob/main/config.md and
 * config-linux.md; runc's command line (runc create/start/kill/delete).
 * docs/runtime.md explains the generated config, output, timeouts and the
 * probe.
 */
#ifndef SC_HARDEN_RUNC_H
#define SC_HARDEN_RUNC_H

#include "core/buf.h"
#include "core/strv.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define SC_RUN_DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define SC_RUN_DEFAULT_TIMEOUT_S 300u
#define SC_RUN_DEFAULT_OUTPUT ((size_t)1 << 20)
#define SC_RUN_MAX_OUTPUT ((size_t)1 << 30)      /* output_max above it: SC_EUSAGE */
#define SC_RUN_MAX_ARGS 4096u                    /* argv entries, and env entries */
#define SC_RUN_MAX_ARG_BYTES ((size_t)1 << 20)   /* argv + env + cwd bytes together */
#define SC_RUN_MAX_OPENED 1000000u               /* probe: distinct paths */
#define SC_RUN_MAX_OPENED_BYTES ((size_t)256 << 20) /* probe: bytes of those paths */

typedef struct sc_run_spec {
	const char *bundle;          /* directory that contains rootfs/ (absolute); config.json is written here */
	const char *const *argv;     /* NULL-terminated; argv[0] as the image config would give it */
	const char *const *env;      /* "NAME=value", NULL-terminated, may be NULL (then SC_RUN_DEFAULT_PATH) */
	const char *cwd;             /* NULL = "/"; absolute */
	uint32_t uid, gid;
	unsigned timeout_s;          /* 0 = SC_RUN_DEFAULT_TIMEOUT_S */
	size_t output_max;           /* bytes kept of stdout and of stderr each; 0 = 1 MiB; rest dropped but counted */
	int probe;                   /* record the files the process tree opens/executes inside rootfs */
} sc_run_spec;

typedef struct sc_run_result {
	int exited, status;          /* exited normally and its status */
	int signaled, signo;         /* killed by a signal (SIGKILL after a timeout) */
	int timed_out;               /* the timeout expired and the container was killed */
	sc_buf out, err;             /* captured stdout/stderr (bounded by output_max) */
	uint64_t out_total, err_total; /* bytes the container wrote, kept or not */
	sc_strv opened;              /* probe: sorted unique paths relative to rootfs, no leading '/' */
} sc_run_result;

/*
 * Run spec->argv in spec->bundle/rootfs with runc and fill *out (which the
 * caller releases with sc_run_result_release()).  Returns 0 when the
 * container ran, whatever its exit status; a negative SC_E* code when runc
 * could not run it (the message names why, with runc's last error line;
 * SC_ENOTFOUND when argv[0] does not exist in the rootfs), when the probe
 * was asked for and cannot work, or when the probe's limits were passed
 * (SC_ELIMIT).  *out is untouched on failure.  Writes
 * spec->bundle/config.json (left there); runc's state lives in a private
 * temporary --root that is removed, and the container is always deleted.
 * Needs root (sc_run_available()).  Blocks until the container is gone.
 *
 * With probe set, spec->bundle/rootfs must be on a filesystem of its own
 * (e.g. sc_run_tmpfs_mount(rootfs)) that supports fanotify file handles:
 * every open on that filesystem while the workload runs is recorded.
 */
int sc_run(const sc_run_spec *spec, sc_run_result *out);
void sc_run_result_release(sc_run_result *r);

/* 1 when runc is on PATH and we are root, else 0. */
int sc_run_available(void);

/*
 * The OCI runtime config for spec as a new JSON object owned by the caller
 * (bundle is not used).  SC_EUSAGE for a bad spec (empty argv, relative
 * cwd, env entry without '=', too many or too long strings), SC_EUNSUPPORTED
 * for a string that is not UTF-8 (JSON cannot carry it).
 */
int sc_run_config_json(json_t **out, const sc_run_spec *spec);

/*
 * Mount a fresh tmpfs of size_bytes (> 0, rounded up to pages by the
 * kernel) on dir (nosuid, nodev, mode 0755) / unmount it.  For the probe:
 * copy the rootfs into it before sc_run().
 */
int sc_run_tmpfs_mount(const char *dir, uint64_t size_bytes);
int sc_run_tmpfs_umount(const char *dir);

#endif
