/*
 * minimize.h - `scute harden --minimize`: the set of files a workload needs,
 * computed on the merged view by closure (docs/harden.md, "Minimise"):
 *
 *   roots     the workload's command lines (entrypoint/cmd, --test-cmd):
 *             argv[0] found through the image's PATH, arguments that name
 *             files; a script's "#!" interpreter;
 *   ELF       PT_INTERP and every DT_NEEDED as the loader resolves it
 *             (audit/ldso.c: RPATH/RUNPATH/$ORIGIN, LD_LIBRARY_PATH,
 *             ld.so.cache, defaults), with the symlinks on the way
 *             (SONAME links, /lib -> usr/lib);
 *   Python    when the workload runs a Python interpreter: its standard
 *             library (without test/, idlelib/, ensurepip/, turtledemo/),
 *             and in the site directories every top-level module imported by
 *             the workload's code (-c, -m, script), transitively through the
 *             imports of each kept module, whole; the files a kept
 *             distribution's RECORD lists; its metadata directory; .pth
 *             files and what they import;
 *   GPU       when a CUDA library is kept: the libraries frameworks dlopen
 *             by name (sc_minimize_gpu_patterns[]) and their closure;
 *   always    accounts, NSS, CA certificates, tzdata, the C.UTF-8 locale,
 *             the loader's configuration, the package databases (so
 *             scanners keep working), mount points;
 *   Env       values naming files or directories of the image (MODEL_PATH,
 *             HF_HOME, HOME...), with their contents; --writable paths;
 *   --keep    PATHs (a directory keeps its subtree) and GLOBs;
 *   --probe   the files the workload was seen opening.
 * Keeping a symlink keeps what it points to; keeping a node keeps its
 * directories.  The result is node->mark = 1 on every kept node of the view.
 */
#ifndef SC_HARDEN_MINIMIZE_H
#define SC_HARDEN_MINIMIZE_H

#include "audit/ldso.h"
#include "catalog/catalog.h"
#include "core/strv.h"
#include "image/fsview.h"

#include <stddef.h>
#include <stdint.h>

/* Python sources and .pth files: the top-level module names they import. */
extern const sc_interest sc_minimize_interest_py;
/* Files starting with "#!": their first line. */
extern const sc_interest sc_minimize_interest_shebang;

/* The two interests above and one for top_level.txt files, NULL-terminated: add them to the pass. */
extern const sc_interest *const sc_minimize_interests[];

/* Basename globs of the GPU libraries loaded with dlopen() (NULL-terminated). */
extern const char *const sc_minimize_gpu_patterns[];

typedef struct sc_minimize_opts {
	const char *const *const *argvs; /* the workload's command lines, NULL-terminated list */
	const char *const *env;          /* image Env: PATH, PYTHONPATH */
	const char *workdir;             /* image WorkingDir or NULL */
	const char *const *keep;         /* --keep PATH or GLOB (leading '/' optional) */
	const char *const *observed;     /* --probe: files the workload opened */
	const char *const *dirs;         /* paths kept with their contents: Env values that name files or
	                                    directories (HOME, HF_HOME, MODEL_PATH...), --writable */
} sc_minimize_opts;

typedef struct sc_minimize_result {
	size_t kept_files, removed_files;   /* non-directories */
	uint64_t kept_bytes, removed_bytes; /* regular-file bytes */
	int python;                         /* the Python closure was applied */
	int gpu;                            /* the GPU dlopen list was applied */
	size_t modules;                     /* Python top-level modules kept */
	sc_strv notes;                      /* one line each: what could not be resolved */
} sc_minimize_result;

/*
 * Mark what to keep.  Clears every mark first.  Fails with SC_EUSAGE when
 * a command's program does not exist in the image, SC_ENOMEM.  ld is the
 * resolution of cat->elves (same order).
 */
int sc_minimize(sc_minimize_result *out, sc_fsview *v, const sc_catalog *cat, const sc_ldso_result *ld,
		const sc_minimize_opts *o);
void sc_minimize_result_release(sc_minimize_result *r);

/*
 * The top-level modules `code` imports (import X, from X import, and
 * import_module/__import__ of a literal), appended to names (unique, in
 * order).  Relative imports are skipped.  Exposed for tests.
 */
int sc_minimize_py_imports(const char *code, size_t len, sc_strv *names);

/*
 * Find `prog` as execvp would in the view: with a '/' as it is (relative to
 * cwd), else in PATH from env (default "/usr/local/sbin:/usr/local/bin:
 * /usr/sbin:/usr/bin:/sbin:/bin").  Writes the clean image path and returns
 * 0, or SC_ENOTFOUND.
 */
int sc_minimize_which(const sc_fsview *v, const char *prog, const char *const *env, const char *cwd, char *out,
		      size_t outsz);

#endif
