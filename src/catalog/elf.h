/*
 * elf.h - ELF objects (executables, shared libraries) and their dynamic
 * linking facts, parsed while the file streams by (files can be GBs: only
 * bounded byte ranges are kept).
 *
 * Spec: System V ABI, "Object Files" (ELF header, program headers, dynamic
 * section): https://refspecs.linuxfoundation.org/elf/gabi4+/contents.html
 * and elf(5).
 *
 * Streaming strategy: data arrives in file order, so the parser keeps a
 * prefix of the file (up to prefix_max bytes, and no further than the
 * PT_DYNAMIC segment once the program headers are known) plus the byte
 * ranges it learns it needs before they pass (program headers, PT_INTERP,
 * PT_DYNAMIC, and DT_STRTAB when it lies after PT_DYNAMIC).  A string
 * table that lay beyond the kept prefix is reported as a problem, not a
 * failure.
 */
#ifndef SC_CATALOG_ELF_H
#define SC_CATALOG_ELF_H

#include "catalog/catalog.h"

#include <stddef.h>

#define SC_ELF_PREFIX_MAX (8u << 20) /* default bytes of the file prefix kept */
#define SC_ELF_MAX_NEEDED 4096

/* The parse result (every string owned). */
typedef struct sc_elf_parsed {
	int valid;             /* the ELF header was usable (machine and type are set) */
	char *soname, *rpath, *runpath, *interp;
	char **needed;         /* NULL-terminated or NULL */
	char *machine;         /* "x86_64", "aarch64", ... or "em-<n>" */
	int is_shared, is_executable;
	int problem_level;     /* sc_note_level of problem */
	char *problem;         /* first problem met (one line), or NULL */
} sc_elf_parsed;

typedef struct sc_elf_stream sc_elf_stream;

/* prefix_max 0 = SC_ELF_PREFIX_MAX.  NULL + error on ENOMEM. */
sc_elf_stream *sc_elf_stream_new(size_t prefix_max);
/* Feed the next bytes of the file.  Fails only with SC_ENOMEM. */
int sc_elf_stream_feed(sc_elf_stream *s, const void *buf, size_t len);
/*
 * End of file: build the result into *out (new heap object; free with
 * sc_elf_parsed_free).  Fails only with SC_ENOMEM.  The stream is left
 * usable only for sc_elf_stream_free.
 */
int sc_elf_stream_finish(sc_elf_stream *s, sc_elf_parsed **out);
void sc_elf_stream_free(sc_elf_stream *s);
void sc_elf_parsed_free(sc_elf_parsed *p);

/* "x86_64" for EM_X86_64 etc.; NULL for unknown machines. */
const char *sc_elf_machine_name(unsigned machine, int is64, int big_endian);

#endif
