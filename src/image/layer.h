/*
 * layer.h - read one layer blob in a single streaming pass.
 *
 *   verified blob stream -> decompress (sniffed: gzip via ISA-L igzip or
 *   zlib, zstd, or plain) -> [diff_id verifier] -> libarchive tar reader
 *   -> entries (metadata) + interest deliveries (contents)
 *
 * Nothing is written to disk.  Entry names are cleaned; absolute names,
 * names that climb out of the root with "..", device nodes (unless
 * allowed), and more entries than the limit fail with a one-line error that
 * names the layer.  Whiteouts (.wh.NAME) and opaque markers (.wh..wh..opq)
 * are recorded as entries of type SC_FT_WHITEOUT / SC_FT_OPAQUE and applied
 * later by fsview.  The whole blob is always read to its end so that its
 * digest (and the diff_id, when asked) is checked even when the tar ends
 * early.
 *
 * Interests ("I want the contents of files like these") are how consumers
 * get file data without a second decompression pass: see sc_interest.
 */
#ifndef SC_IMAGE_LAYER_H
#define SC_IMAGE_LAYER_H

#include "core/arena.h"
#include "core/digest.h"
#include "core/stream.h"
#include "image/manifest.h"

#include <stddef.h>
#include <stdint.h>

typedef enum sc_ftype {
	SC_FT_REG = 'f',
	SC_FT_DIR = 'd',
	SC_FT_SYMLINK = 'l',
	SC_FT_HARDLINK = 'h',
	SC_FT_CHAR = 'c',
	SC_FT_BLOCK = 'b',
	SC_FT_FIFO = 'p',
	SC_FT_SOCK = 's',
	SC_FT_WHITEOUT = 'w', /* path names what is deleted from lower layers */
	SC_FT_OPAQUE = 'o',   /* path names the directory made opaque */
} sc_ftype;

#define SC_ENTRY_CAPS 0x01   /* has a security.capability xattr */
#define SC_ENTRY_XATTRS 0x02 /* has any xattr */

typedef struct sc_interest sc_interest;

/* What one interest got from one file. */
typedef struct sc_capture {
	struct sc_capture *next;
	const sc_interest *interest;
	unsigned char *data; /* first bytes of the file (<= capture_max), malloc'd, NUL-terminated */
	size_t len;
	int truncated;       /* the file was longer than capture_max */
	void *result;        /* what stream_end() returned */
} sc_capture;

typedef struct sc_entry {
	const char *path;  /* cleaned, no leading '/'; owned by the layer's arena */
	const char *link;  /* symlink target as stored, or cleaned hard-link target path */
	uint64_t size;     /* regular files (hard links: 0 in the tar; fsview fills it in) */
	int64_t mtime;
	uint32_t mode;     /* permission bits, 07777 */
	uint32_t uid, gid;
	uint32_t devmajor, devminor;
	uint16_t layer;    /* 0-based layer index */
	uint8_t type;      /* sc_ftype */
	uint8_t flags;     /* SC_ENTRY_* */
	uint32_t seq;      /* index in its layer's entries[]: (layer, seq) names the tar member
	                      whose bytes a node has, even when a path repeats in one tar */
	sc_capture *captures; /* owned */
} sc_entry;

/*
 * A consumer's declaration of which file contents it needs, registered
 * before the pass.  A regular file matches when its path matches any of
 * `globs` (sc_path_match; NULL = every path), its size is within
 * [min_size, max_size] (max_size 0 = no bound) and, when magic_len > 0, its
 * first bytes equal `magic`.  For a match the reader captures the first
 * capture_max bytes and/or streams the whole content through the stream_*
 * callbacks.  Callbacks run on worker threads, several layers at once, so
 * they must only touch the per-file state they return (or lock).  Results
 * of files that are deleted or replaced by a later layer are passed to
 * result_free.
 */
struct sc_interest {
	const char *name;
	const char *const *globs;
	const unsigned char *magic;
	size_t magic_len;     /* at most 64 */
	uint64_t min_size, max_size;
	size_t capture_max;
	void *(*stream_begin)(void *ud, const sc_entry *e); /* NULL return = not interested */
	int (*stream_data)(void *file_state, const void *buf, size_t len); /* <0 aborts the pass */
	void *(*stream_end)(void *file_state, int failed);  /* result to attach, may be NULL */
	void (*result_free)(void *ud, void *result);
	void *ud;
};

typedef struct sc_layer_opts {
	size_t index;                  /* 0-based, recorded in entries */
	const char *name;              /* "layer 2 (sha256:...)" for messages */
	sc_compression hint;           /* from the media type; the stream's magic decides */
	const sc_digest *diff_id;      /* verify the uncompressed stream when non-NULL */
	const sc_interest *const *interests;
	size_t n_interests;
	uint64_t *entry_budget;        /* shared across layers, atomically decremented; NULL = no limit */
	uint64_t entry_limit;          /* the original budget, for messages */
	uint64_t *name_budget;         /* bytes of entry names and link targets, shared; NULL = no limit */
	uint64_t name_limit;           /* the original budget, for messages */
	uint64_t *capture_budget;      /* bytes of captured contents, shared; past it captures are
	                                  truncated (the consumer sees `truncated`); NULL = no limit */
	int allow_devices;
	const int *cancel;             /* stop early when *cancel becomes non-zero */
} sc_layer_opts;

typedef struct sc_layer {
	size_t index;
	sc_compression compression;    /* detected */
	uint64_t compressed_size;      /* bytes read from the blob */
	uint64_t uncompressed_size;    /* bytes of tar stream */
	sc_digest diff_id;             /* SHA-256 of the tar stream (set only when computed) */
	sc_entry *entries;             /* tar order */
	size_t n_entries;
	size_t cap_entries;
	uint64_t n_files;              /* regular files + hard links in this layer */
	sc_arena arena;                /* owns paths and link targets */
} sc_layer;

/*
 * Read `blob` (owned; closed before return) into out.  On failure out is
 * released and the error names opts->name.
 */
int sc_layer_read(sc_layer *out, sc_stream *blob, const sc_layer_opts *opts);
void sc_layer_release(sc_layer *l);
/* Free a capture list (calls result_free for stream results). */
void sc_captures_free(sc_capture *c);

#endif
