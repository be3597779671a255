/*
 * ldso.h - resolve the DT_NEEDED entries of every ELF object of an image
 * the way the dynamic loader would at run time, and report what is
 * missing ("Missing libraries" of `scute audit`; the hardener's closure).
 *
 * Specs:
 *   - glibc's loader search order, ld.so(8):
 *     https://man7.org/linux/man-pages/man8/ld.so.8.html
 *   - the /etc/ld.so.cache formats, glibc sysdeps/generic/dl-cache.h:
 *     https://sourceware.org/git/?p=glibc.git;a=blob;f=sysdeps/generic/dl-cache.h
 *   - ld.so.conf syntax, glibc elf/ldconfig.c (parse_conf) and ldconfig(8):
 *     https://man7.org/linux/man-pages/man8/ldconfig.8.html
 *   - musl's loader (ldso/dynlink.c, load_library) and /etc/ld-musl-ARCH.path:
 *     https://wiki.musl-libc.org/environment-variables and
 *     https://git.musl-libc.org/cgit/musl/tree/ldso/dynlink.c
 * docs/ldso.md describes the search order implemented and what is not
 * modelled.
 *
 * Usage: add sc_ldso_interests[] to the single pass (they capture
 * etc/ld.so.cache, etc/ld.so.conf, etc/ld.so.conf.d/ and
 * etc/ld-musl-*.path), then call sc_ldso_resolve_all() on the merged view
 * with the catalog's ELF records and the image config's Env.
 *
 * All paths are image paths without a leading '/' (as in the fsview and
 * the catalog).
 */
#ifndef SC_AUDIT_LDSO_H
#define SC_AUDIT_LDSO_H

#include "catalog/catalog.h"
#include "core/arena.h"
#include "core/strv.h"
#include "image/fsview.h"
#include "image/layer.h"

#include <stddef.h>
#include <stdint.h>

#define SC_LDSO_CACHE_MAX_ENTRIES (1u << 20)  /* entries of one ld.so.cache */
#define SC_LDSO_CACHE_CAPTURE_MAX (32u << 20) /* bytes of ld.so.cache read */
#define SC_LDSO_CONF_MAX_DEPTH 8              /* nested `include` levels */
#define SC_LDSO_CONF_MAX_FILES 256            /* configuration files read in all */
#define SC_LDSO_CONF_MAX_DIRS 1024            /* directories kept from ld.so.conf */
#define SC_LDSO_SEARCH_MAX 64                 /* directories of one RPATH/RUNPATH/LD_LIBRARY_PATH */
#define SC_LDSO_MEMO_MAX (16u << 20)          /* memoized lookups per run */

/* ---- /etc/ld.so.cache ------------------------------------------------------ */

/* Flags of a cache entry (dl-cache.h FLAG_*): type in the low byte, ABI above. */
#define SC_LDSO_FLAG_TYPE_MASK 0x00ffu
#define SC_LDSO_FLAG_ELF 0x0001u
#define SC_LDSO_FLAG_ELF_LIBC6 0x0003u
#define SC_LDSO_FLAG_ABI_MASK 0xff00u

typedef enum sc_ldso_cache_format {
	SC_LDSO_CACHE_OLD = 1, /* "ld.so-1.7.0" only */
	SC_LDSO_CACHE_NEW = 2, /* "glibc-ld.so.cache1.1", alone or after the old table */
} sc_ldso_cache_format;

typedef struct sc_ldso_cache_entry {
	uint32_t flags;    /* SC_LDSO_FLAG_* */
	uint64_t hwcap;    /* 0 for the baseline entry; else a legacy hwcap mask or glibc-hwcaps index */
	const char *key;   /* SONAME; points into the cache's strings */
	const char *value; /* the library's path as ldconfig wrote it ("/lib/x86_64-linux-gnu/libc.so.6") */
	size_t order;      /* position in the file (ties of a key are kept in file order) */
} sc_ldso_cache_entry;

typedef struct sc_ldso_cache {
	sc_ldso_cache_entry *entries; /* sorted by key, then file order */
	size_t n;
	sc_ldso_cache_format format;
	int big_endian;
	char *strings;     /* owned copy of the file the keys and values point into */
} sc_ldso_cache;

/*
 * Parse an ld.so.cache image of `len` bytes.  Every count and offset is
 * checked against the buffer: a truncated file, an offset outside it, an
 * unterminated string or a count that cannot fit fails with SC_EINPUT;
 * more than SC_LDSO_CACHE_MAX_ENTRIES entries with SC_ELIMIT.  The byte
 * order is the one the header declares, else guessed (little endian
 * first).  When both tables are present the new one is used.  out is
 * untouched on failure; release with sc_ldso_cache_release().
 */
int sc_ldso_cache_parse(sc_ldso_cache *out, const unsigned char *buf, size_t len);
void sc_ldso_cache_release(sc_ldso_cache *c);

/*
 * Entries for `soname`: returns how many, *first the index of the first
 * (entries of one key are adjacent).
 */
size_t sc_ldso_cache_find(const sc_ldso_cache *c, const char *soname, size_t *first);

/*
 * Whether an entry with these flags may be loaded by an object of this
 * machine (sc_elf_info.machine: "x86_64", "i386", "aarch64", ...), as the
 * loader's _dl_cache_check_flags does: x86_64 wants libc6 + x86-64,
 * i386 plain libc6, and so on.  Unknown machines accept plain ELF/libc6.
 */
int sc_ldso_cache_flags_match(uint32_t flags, const char *machine);

/* ---- /etc/ld.so.conf --------------------------------------------------------- */

typedef struct sc_ldso_conf {
	sc_strv dirs;      /* clean image paths, first-seen order, no duplicates */
	sc_strv warnings;  /* "etc/ld.so.conf.d/x.conf: include loop" ... */
} sc_ldso_conf;

/*
 * Read `path` (usually "etc/ld.so.conf") from the view and its `include`
 * globs recursively (glob in the last component only; relative patterns
 * are relative to the including file's directory), at most
 * SC_LDSO_CONF_MAX_DEPTH levels and SC_LDSO_CONF_MAX_FILES files; a file
 * already on the include stack is skipped (loop).  Comments ('#'), blank
 * and `hwcap` lines are ignored.  Files must have been captured by
 * sc_ldso_interest_conf.  A missing top file gives an empty result.
 * Problems are recorded in out->warnings; the call fails only on
 * out-of-memory.  Release with sc_ldso_conf_release().
 */
int sc_ldso_conf_load(sc_ldso_conf *out, const sc_fsview *view, const char *path);
void sc_ldso_conf_release(sc_ldso_conf *c);

/* ---- interests for the single pass -------------------------------------------- */

extern const sc_interest sc_ldso_interest_cache; /* etc/ld.so.cache */
extern const sc_interest sc_ldso_interest_conf;  /* etc/ld.so.conf, etc/ld.so.conf.d/... */
extern const sc_interest sc_ldso_interest_musl;  /* etc/ld-musl-*.path */
extern const sc_interest *const sc_ldso_interests[]; /* the three above, NULL-terminated */

/* ---- resolution ------------------------------------------------------------------ */

typedef enum sc_ldso_status {
	SC_LDSO_FOUND = 0,  /* path is the file the loader would map */
	SC_LDSO_MISSING,    /* reason says why */
	SC_LDSO_DRIVER,     /* NVIDIA driver library: the container runtime mounts it at run time */
	SC_LDSO_VDSO,       /* linux-vdso.so.1, linux-gate.so.1: provided by the kernel */
	SC_LDSO_LIBC,       /* musl: libc, libm, libpthread... are the loader itself (path = interpreter) */
} sc_ldso_status;

typedef enum sc_ldso_via {
	SC_LDSO_VIA_NONE = 0,
	SC_LDSO_VIA_PATH,            /* the name contains '/' */
	SC_LDSO_VIA_RPATH,           /* DT_RPATH of the object */
	SC_LDSO_VIA_LD_LIBRARY_PATH, /* LD_LIBRARY_PATH of the image config */
	SC_LDSO_VIA_RUNPATH,         /* DT_RUNPATH of the object (musl: RPATH or RUNPATH) */
	SC_LDSO_VIA_CACHE,           /* /etc/ld.so.cache */
	SC_LDSO_VIA_CONF,            /* an ld.so.conf directory (only when the cache is unreadable) */
	SC_LDSO_VIA_DEFAULT,         /* the loader's built-in directories */
	SC_LDSO_VIA_MUSL_PATH,       /* /etc/ld-musl-ARCH.path (or musl's defaults) */
	SC_LDSO_VIA_LOADER_RPATH,    /* DT_RPATH of an executable that loads this object */
	SC_LDSO_VIA_LOADED,          /* already loaded by SONAME through an executable's closure */
} sc_ldso_via;

const char *sc_ldso_status_name(sc_ldso_status s); /* "found", "missing", "driver", "vdso", "libc" */
const char *sc_ldso_via_name(sc_ldso_via v);       /* "path", "rpath", "ld_library_path", ... */

typedef struct sc_ldso_dep {
	const char *needed;    /* the DT_NEEDED string */
	sc_ldso_status status;
	sc_ldso_via via;
	const char *path;      /* FOUND/LIBC: the resolved file (symlinks followed); else NULL */
	const char *candidate; /* FOUND: the path the loader opens, as searched (before symlinks:
	                          "/lib/x86_64-linux-gnu/libz.so.1"); the hardener keeps its links */
	const char *reason;    /* MISSING: one line; otherwise NULL or a remark */
} sc_ldso_dep;

typedef struct sc_ldso_object {
	const char *path;      /* the ELF file (sc_elf_info.path) */
	int musl;              /* resolved with musl's rules */
	sc_ldso_dep *deps;     /* in DT_NEEDED order */
	size_t n_deps;
} sc_ldso_object;

typedef struct sc_ldso_missing {
	const char *elf;       /* object path */
	const char *needed;
	const char *reason;
} sc_ldso_missing;

typedef struct sc_ldso_result {
	sc_ldso_object *objects; /* one per ELF given, in the same order */
	size_t n_objects;
	sc_ldso_missing *missing; /* every MISSING dep, in object order */
	size_t n_missing;
	size_t n_driver;        /* deps left to the NVIDIA driver */
	int have_cache;         /* an ld.so.cache was read */
	size_t n_cache_entries;
	sc_strv notes;          /* configuration problems (bad cache, include loop...) */
	sc_arena arena;         /* owns every string and array above but notes */
} sc_ldso_result;

/*
 * Resolve the DT_NEEDED list of each of the n ELF records against the
 * merged view (which must come from a pass that included
 * sc_ldso_interests).  env is the image config's Env ("NAME=value",
 * NULL-terminated, may be NULL): LD_LIBRARY_PATH is taken from it.
 * A candidate counts only when it resolves (symlinks followed, inside the
 * image) to a regular file and, when it is one of the ELF records given,
 * has the object's machine.  Lookups are memoized.  Fails on out-of-memory
 * or SC_ELIMIT (memo table); out is untouched on failure.  Release with
 * sc_ldso_result_release().
 */
int sc_ldso_resolve_all(sc_ldso_result *out, const sc_fsview *view, const sc_elf_info *elves, size_t n,
			const char *const *env);
void sc_ldso_result_release(sc_ldso_result *r);

/* Whether a library name is one the NVIDIA container runtime mounts (libcuda.so.1...). */
int sc_ldso_is_driver_lib(const char *name);

#endif
