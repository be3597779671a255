/*
 * pickle.h - opcode-level safety scanner for Python pickle streams.
 *
 * Spec followed: the opcode table and argument encodings documented in
 * CPython's Lib/pickletools.py (protocols 0-5), and the stack/memo
 * semantics of Lib/pickle.py's _Unpickler
 * (https://github.com/python/cpython/blob/main/Lib/pickletools.py,
 *  https://github.com/python/cpython/blob/main/Lib/pickle.py).
 * joblib's inline array data (joblib/numpy_pickle.py NumpyArrayWrapper
 * write_array/read_array) is skipped the way joblib's unpickler reads it.
 *
 * The scanner never unpickles: it walks every opcode, decodes every
 * argument, and simulates just enough of the unpickler's stack and memo to
 * name the callables a pickle imports (GLOBAL, STACK_GLOBAL, INST) and the
 * calls applied to them (REDUCE, NEWOBJ, NEWOBJ_EX, OBJ, INST, BUILD).
 * Work is linear in the input and bounded (SC_PICKLE_MAX_*); no recursion;
 * nothing is allocated in proportion to a size or index read from the data.
 * Every import is classified by sc_pickle_classify() (docs/pickle.md gives
 * the lists and why).
 */
#ifndef SC_AUDIT_PICKLE_H
#define SC_AUDIT_PICKLE_H

#include <stddef.h>
#include <stdint.h>

#define SC_PICKLE_MAX_OPCODES 50000000ull /* opcodes walked per stream */
#define SC_PICKLE_MAX_MEMO (1u << 20)     /* distinct memo entries per pickle */
#define SC_PICKLE_MAX_STACK (1u << 20)    /* simulated stack depth, marks included */
#define SC_PICKLE_MAX_IMPORTS 256         /* distinct imports kept in a report */
#define SC_PICKLE_MAX_NAME 512            /* bytes kept of a module or attribute name */

/* Class of one imported callable, least to most severe. */
typedef enum sc_pickle_class {
	SC_PICKLE_SAFE = 0,      /* allowlisted tensor/container rebuild or harmless constructor */
	SC_PICKLE_UNKNOWN = 1,   /* not on either list: runs code we cannot vouch for (medium) */
	SC_PICKLE_DANGEROUS = 2, /* runs commands, code, I/O or nested unpickling (critical) */
} sc_pickle_class;

/* Verdict on a whole stream, least to most severe. */
typedef enum sc_pickle_verdict {
	SC_PICKLE_VERDICT_SAFE = 0,      /* only allowlisted imports, well-formed */
	SC_PICKLE_VERDICT_UNKNOWN = 1,   /* some import is neither safe nor dangerous */
	SC_PICKLE_VERDICT_MALFORMED = 2, /* the walk stopped on bad or over-limit input */
	SC_PICKLE_VERDICT_DANGEROUS = 3, /* some import is dangerous */
} sc_pickle_verdict;

typedef struct sc_pickle_import {
	char *module;          /* owned, NUL-terminated, at most SC_PICKLE_MAX_NAME bytes */
	char *name;            /* owned; "?" parts for an import whose target is not a literal */
	sc_pickle_class cls;
	uint64_t count;        /* times imported (GLOBAL, STACK_GLOBAL, INST) */
	uint64_t calls;        /* REDUCE, NEWOBJ, NEWOBJ_EX, OBJ, INST applied to it */
	uint64_t builds;       /* BUILD applied to an object it returned */
	uint64_t first_offset; /* byte offset of the first importing opcode */
} sc_pickle_import;

typedef struct sc_pickle_report {
	int protocol;          /* highest PROTO seen, -1 when none (protocol 0/1) */
	uint64_t pickles;      /* complete pickles (reaching STOP) in the stream */
	uint64_t opcodes;      /* opcodes walked */
	uint64_t bytes;        /* bytes covered by the walk (pickles and joblib array data) */

	sc_pickle_import *imports; /* owned; distinct imports in first-seen order */
	size_t n_imports;
	uint64_t imports_dropped;  /* import opcodes not kept (beyond SC_PICKLE_MAX_IMPORTS distinct) */
	uint64_t n_dangerous, n_unknown; /* import opcodes of each class (kept or not) */

	/* call opcodes */
	uint64_t n_reduce, n_build, n_newobj, n_newobj_ex, n_obj, n_inst;
	uint64_t calls_unresolved; /* call opcodes whose callable is not a known import */
	uint64_t n_persid;         /* PERSID/BINPERSID (torch storages, ...) */
	uint64_t n_ext;            /* EXT1/2/4 (copyreg extension registry imports) */
	uint64_t joblib_arrays;    /* joblib NumpyArrayWrapper payloads skipped or scanned */

	int truncated;         /* the data ended inside a pickle */
	int malformed;         /* the walk stopped: error/error_offset say why */
	uint64_t error_offset;
	char error[160];
	uint64_t trailing;     /* bytes after the last pickle that are not a pickle */

	sc_pickle_verdict verdict;
	char reason[256];      /* one line: "imports os.system at offset 0x2a", ... */
} sc_pickle_report;

typedef struct sc_pickle_opts {
	/* buf is only the first bytes of the data: running out is `truncated`, not malformed */
	int prefix;
	/* stop after this many pickles (0 = no limit); the rest is counted as trailing */
	uint64_t max_pickles;
	/* only continue after a STOP when the next byte is PROTO (catalog compatibility) */
	int proto_only_after_stop;
} sc_pickle_opts;

void sc_pickle_report_init(sc_pickle_report *r);
void sc_pickle_report_release(sc_pickle_report *r); /* accepts NULL */

/*
 * Scan buf[0..len) as a pickle stream (one or more pickles back to back).
 * Hostile or broken data is not an error: it yields verdict MALFORMED with
 * `error` set.  Returns 0, SC_EUSAGE (NULL out/buf with len) or SC_ENOMEM;
 * on failure *out is untouched.  On success *out is overwritten (it must
 * not hold an unreleased report) and owned by the caller
 * (sc_pickle_report_release).  Pickles after the first that fail before
 * importing anything are not pickles but trailing data (legacy torch.save
 * storage bytes): they are counted in `trailing`, not reported malformed.  `what` names the data in
 * error messages (may be NULL).
 */
int sc_pickle_scan(sc_pickle_report *out, const unsigned char *buf, size_t len, const char *what);
int sc_pickle_scan_ex(sc_pickle_report *out, const unsigned char *buf, size_t len, const char *what,
		      const sc_pickle_opts *opts);

/*
 * Class of the callable `module`.`name` (either may be NULL: UNKNOWN).
 * Dangerous entries match a whole module and its submodules ("os" matches
 * "os.path"), or single attributes ("builtins.eval").
 */
sc_pickle_class sc_pickle_classify(const char *module, const char *name);

/* Static one-line rationale for a dangerous or safe import, or NULL. */
const char *sc_pickle_rationale(const char *module, const char *name);

const char *sc_pickle_class_name(sc_pickle_class c);     /* "safe", "unknown", "dangerous" */
const char *sc_pickle_verdict_name(sc_pickle_verdict v); /* "safe", "unknown", "malformed", "dangerous" */

#endif
