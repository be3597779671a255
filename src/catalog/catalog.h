/*
 * catalog.h - the inventory of an image: OS, packages of every ecosystem,
 * ELF objects, the AI/GPU stack and model files, collected by catalogers
 * from the single pass over the layers.
 *
 * How a cataloger works (one file per cataloger under src/catalog/):
 *   1. It declares sc_interest records (static, in its own file): path
 *      globs / magic bytes / size bounds and a capture size, or streaming
 *      callbacks for contents that must not be held in memory (model
 *      weights are hashed while they stream; ELF and Go binaries are parsed
 *      as they stream).
 *   2. sc_catalog_run() registers the interests of every cataloger, runs
 *      sc_image_scan() once, then calls each cataloger's collect() on the
 *      merged view, in a fixed order.  collect() walks the view, reads what
 *      its interests captured with sc_fsnode_capture(), and adds packages,
 *      models, ELF records and notes to the catalog.
 * Only files present in the final merged view are seen: a file deleted by
 * a later layer contributes nothing.
 *
 * Bad input inside one file (a corrupt METADATA, a hostile safetensors
 * header) never fails the whole run: the cataloger records a note naming
 * the file (sc_catalog_note) and goes on.  collect() fails only on
 * out-of-memory or internal errors.
 *
 * Ownership: the catalog owns every string and array in it; catalogers
 * hand over heap strings with the sc_catalog_add_* functions, which copy.
 */
#ifndef SC_CATALOG_CATALOG_H
#define SC_CATALOG_CATALOG_H

#include "core/digest.h"
#include "image/fsview.h"
#include "image/image.h"
#include "image/layer.h"
#include "image/manifest.h"
#include "image/scan.h"

#include <stddef.h>
#include <stdint.h>

typedef enum sc_ecosystem {
	SC_ECO_DEB = 1,
	SC_ECO_APK,
	SC_ECO_RPM,
	SC_ECO_PYPI,
	SC_ECO_NPM,
	SC_ECO_GOLANG,  /* a Go module (main module or dependency of a Go binary) */
	SC_ECO_BINARY,  /* an unpackaged ELF file or an AI-stack library found by file name */
} sc_ecosystem;

const char *sc_ecosystem_name(sc_ecosystem e); /* "deb", "apk", "rpm", "pypi", "npm", "golang", "binary" */

typedef struct sc_os_info {
	char *id;          /* "debian", "alpine", "ubuntu", "rhel"... (os-release ID) */
	char *version_id;  /* "12", "3.19.1" */
	char *codename;    /* "bookworm" or NULL */
	char *pretty_name;
	char *source;      /* file it came from: "etc/os-release", "etc/debian_version"... */
} sc_os_info;

typedef struct sc_kv_list {
	sc_kv *items; /* key/value pairs, in insertion order; sorted at output */
	size_t n, cap;
} sc_kv_list;

typedef struct sc_package {
	sc_ecosystem eco;
	char *name;            /* as the ecosystem spells it (PyPI: PEP 503-normalised) */
	char *version;         /* full version as recorded (deb "1:2.3-4", pypi "2.3.0+cu121") */
	char *arch;            /* "amd64", "x86_64", "noarch"... or NULL */
	char *source_name;     /* deb Source, apk origin, rpm source rpm name; NULL when same/unknown */
	char *source_version;  /* deb source version when it differs */
	char *license;         /* as the package database states it, or NULL */
	char *supplier;        /* maintainer / author / packager, or NULL */
	char *summary;         /* one-line description, or NULL */
	uint64_t installed_size; /* bytes, 0 when unknown */
	char *location;        /* path (no leading '/') of the record that declared it */
	int os_managed;        /* e.g. a Python distribution installed by dpkg */
	char **depends;        /* NULL-terminated raw dependency names (resolved at output), or NULL */
	char **files;          /* NULL-terminated owned paths (no leading '/'), or NULL */
	sc_kv_list props;      /* extra facts: "cuda" -> "12.1", "go.version" -> "go1.22.1"... */
} sc_package;

typedef struct sc_elf_info {
	char *path;            /* no leading '/' */
	char *soname;          /* DT_SONAME or NULL */
	char **needed;         /* DT_NEEDED, NULL-terminated, or NULL */
	char *rpath;           /* DT_RPATH or NULL */
	char *runpath;         /* DT_RUNPATH or NULL */
	char *interp;          /* PT_INTERP or NULL */
	char *machine;         /* "x86_64", "aarch64"... */
	int is_shared;         /* ET_DYN with SONAME or without PT_INTERP */
	int is_executable;     /* ET_EXEC, or ET_DYN with PT_INTERP */
	int packaged;          /* owned by an OS package (set by sc_catalog_attribute()) */
} sc_elf_info;

typedef struct sc_model_file {
	char *path;            /* no leading '/' */
	uint64_t size;
	sc_digest sha256;      /* of the whole file, computed while streaming */
	char *format;          /* "safetensors", "gguf", "onnx", "pytorch-zip", "pickle", "keras-h5",
	                          "keras", "numpy", "numpy-zip", "tokenizer", "model-config" */
	int pickle_based;      /* loading it runs pickle (code execution risk) */
	char *architecture;    /* "llama", "BertModel"... or NULL */
	char *quantization;    /* "Q4_K_M", "F16", "BF16"... or NULL */
	uint64_t parameters;   /* number of parameters, 0 when unknown */
	sc_kv_list props;      /* format-specific facts (tensor count, dtypes, opset, producer...) */
} sc_model_file;

typedef enum { SC_NOTE_INFO = 0, SC_NOTE_WARNING, SC_NOTE_ERROR } sc_note_level;

typedef struct sc_note {
	sc_note_level level;
	char *cataloger;       /* "dpkg", "safetensors"... */
	char *path;            /* file concerned (no leading '/') or NULL */
	char *message;         /* one line */
} sc_note;

typedef struct sc_catalog {
	sc_os_info os;
	sc_package *pkgs;
	size_t n_pkgs, cap_pkgs;
	sc_elf_info *elves;
	size_t n_elves, cap_elves;
	sc_model_file *models;
	size_t n_models, cap_models;
	sc_note *notes;
	size_t n_notes, cap_notes;
} sc_catalog;

typedef struct sc_cataloger {
	const char *name;
	const sc_interest *const *interests; /* NULL-terminated */
	int (*collect)(const sc_fsview *view, sc_catalog *cat);
} sc_cataloger;

/* The catalogers, in the order they run (OS first: others use cat->os). */
extern const sc_cataloger sc_cataloger_os;
extern const sc_cataloger sc_cataloger_dpkg;
extern const sc_cataloger sc_cataloger_apk;
extern const sc_cataloger sc_cataloger_rpm;
extern const sc_cataloger sc_cataloger_python;
extern const sc_cataloger sc_cataloger_npm;
extern const sc_cataloger sc_cataloger_gobin;
extern const sc_cataloger sc_cataloger_elf;
extern const sc_cataloger sc_cataloger_models;
extern const sc_cataloger sc_cataloger_aistack; /* runs last: uses packages, ELF records and files */

void sc_catalog_init(sc_catalog *cat);
void sc_catalog_release(sc_catalog *cat);

/*
 * Add a package: copies every field (strings, arrays, props) and returns
 * the stored package through *out (may be NULL).  Strings may be NULL.
 */
int sc_catalog_add_package(sc_catalog *cat, const sc_package *p, sc_package **out);
/* Free every field of a package (as sc_catalog_add_package copies them) and zero it. */
void sc_package_release(sc_package *p);
int sc_catalog_add_elf(sc_catalog *cat, const sc_elf_info *e);
int sc_catalog_add_model(sc_catalog *cat, const sc_model_file *m, sc_model_file **out);
int sc_catalog_note(sc_catalog *cat, sc_note_level level, const char *cataloger, const char *path,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

int sc_kv_list_add(sc_kv_list *l, const char *key, const char *value);
void sc_kv_list_release(sc_kv_list *l);
const char *sc_kv_list_get(const sc_kv_list *l, const char *key);

/*
 * Sort packages (ecosystem, name, version, location), ELF records and
 * models (path), notes (path, message) so output is deterministic, and
 * mark ELF files owned by a package (files lists) as packaged.
 */
int sc_catalog_finish(sc_catalog *cat);

typedef struct sc_catalog_opts {
	sc_scan_opts scan;              /* interests are filled in by sc_catalog_run */
} sc_catalog_opts;

/* Append every cataloger's interests to out[*n..max). */
int sc_catalog_interests(const sc_interest **out, size_t *n, size_t max);
/* Run every cataloger's collect() on a view whose files were read with those interests, then finish. */
int sc_catalog_collect(sc_catalog *cat, const sc_fsview *view);

/* One pass over the image with every cataloger; fills *cat (initialised by the caller). */
int sc_catalog_run(sc_catalog *cat, sc_image *img, const sc_catalog_opts *opts, sc_scan *scan_out);

#endif
