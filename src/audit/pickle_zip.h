/*
 * pickle_zip.h - find and scan the pickles inside model files: PyTorch zip
 * checkpoints (and any zip with *.pkl or object-dtype *.npy members),
 * NumPy .npy object arrays, joblib dumps (raw, zlib, gzip, old "ZF"),
 * and raw pickle streams (including legacy torch.save).
 *
 * Specs followed:
 *   zip     PKWARE APPNOTE.TXT 6.3.x: 4.3.12 central directory, 4.3.16
 *           end of central directory, 4.3.14-15 Zip64 end record and
 *           locator, 4.5.3 Zip64 extended information extra field
 *           https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT
 *   deflate RFC 1951 (raw, zip method 8), zlib RFC 1950, gzip RFC 1952
 *   .npy    https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 *   joblib  joblib/numpy_pickle.py, numpy_pickle_utils.py (compressor magics)
 *           and numpy_pickle_compat.py ("ZF" + 19-byte hex length + zlib)
 *
 * Only the bytes that hold pickles are read (pread on a descriptor: a file
 * of many GB costs its central directory and its pickle members).  Every
 * inflate has a hard output cap per member and a total cap per file, so a
 * zip bomb costs at most those; a member cut by a cap is scanned as a
 * prefix and reported (never SAFE).  Compressions scute does not decode
 * (xz, lzma, bz2, lz4, zip methods other than stored/deflate, encryption)
 * are reported as "not scanned", never as failures.
 */
#ifndef SC_AUDIT_PICKLE_ZIP_H
#define SC_AUDIT_PICKLE_ZIP_H

#include "audit/pickle.h"

#include <stddef.h>
#include <stdint.h>

#define SC_PICKLE_ZIP_MEMBER_CAP (256ull << 20) /* inflated/read bytes per member */
#define SC_PICKLE_ZIP_TOTAL_CAP (1ull << 30)    /* inflated/read bytes per file */
#define SC_PICKLE_ZIP_MAX_ENTRIES 1000000u      /* central directory entries */
#define SC_PICKLE_ZIP_MAX_CD (64u << 20)        /* central directory bytes */
#define SC_PICKLE_FILE_MAX_MEMBERS 256          /* pickle members scanned and reported */

typedef struct sc_pickle_member {
	char *name;              /* owned: zip member name; NULL for the file itself */
	const char *kind;        /* static: "pickle", "npy-object" */
	const char *compression; /* static: NULL (none), "deflate", "zlib", "gzip", "xz", ... */
	uint64_t offset;         /* where the member's stored bytes start in the file */
	uint64_t size;           /* stored bytes */
	uint64_t scanned_bytes;  /* pickle bytes handed to the scanner */
	int scanned;             /* report is meaningful */
	int capped;              /* a cap cut the data: only a prefix was scanned */
	char note[160];          /* "" or why not (fully) scanned, CRC/size problems */
	sc_pickle_report report;
} sc_pickle_member;

typedef struct sc_pickle_file_report {
	/* static: "pickle", "pytorch-zip", "zip", "npy", "joblib", NULL when no pickle was found */
	const char *format;
	sc_pickle_member *members; /* owned */
	size_t n_members;
	uint64_t members_skipped;  /* pickle members beyond SC_PICKLE_FILE_MAX_MEMBERS */
	uint64_t zip_entries;
	sc_pickle_verdict verdict; /* worst member; UNKNOWN when a pickle could not be scanned */
	char reason[320];          /* "archive/data.pkl: imports posix.system at offset 0x2a" */
} sc_pickle_file_report;

typedef struct sc_pickle_file_opts {
	uint64_t member_cap; /* 0: SC_PICKLE_ZIP_MEMBER_CAP */
	uint64_t total_cap;  /* 0: SC_PICKLE_ZIP_TOTAL_CAP */
} sc_pickle_file_opts;

void sc_pickle_file_report_init(sc_pickle_file_report *r);
void sc_pickle_file_report_release(sc_pickle_file_report *r); /* accepts NULL */

/*
 * Scan the file open on `fd` (read with pread; `size` bytes; the offset of
 * fd is not used).  Content problems are reported, not returned: returns
 * 0, SC_EIO (a read failed or the file is shorter than `size`), SC_ENOMEM
 * or SC_EUSAGE; on failure *out is untouched, on success it is overwritten
 * and owned by the caller.  `path` names the file in messages (may be NULL).
 */
int sc_pickle_scan_file(sc_pickle_file_report *out, int fd, uint64_t size, const char *path);
int sc_pickle_scan_file_ex(sc_pickle_file_report *out, int fd, uint64_t size, const char *path,
			   const sc_pickle_file_opts *opts);
/* The same on bytes in memory. */
int sc_pickle_scan_buffer(sc_pickle_file_report *out, const unsigned char *buf, size_t len, const char *path,
			  const sc_pickle_file_opts *opts);

#endif
