/*
 * model_formats.h - bounded parsers for the headers of ML model files.
 *
 * Each parser takes the first bytes of a file (what the models cataloger
 * kept while the file streamed) and the file's full size, and fills an
 * sc_model_info.  Hostile input never makes a parser fail: it sets
 * `error` (one line, for a catalog note) and keeps whatever it found.
 * Parsers return 0, or SC_ENOMEM.  No recursion on input data, no
 * allocation proportional to a size or count read from the file.
 *
 * Formats and their specs (read, not copied):
 *   safetensors  https://huggingface.co/docs/safetensors/ (8-byte LE length + JSON)
 *   GGUF         https://github.com/ggml-org/ggml/blob/master/docs/gguf.md (v2, v3)
 *   ONNX         https://github.com/onnx/onnx/blob/main/onnx/onnx.proto (ModelProto)
 *                over the protobuf wire format https://protobuf.dev/programming-guides/encoding/
 *   pickle       CPython Lib/pickletools.py opcode documentation (protocols 0-5)
 *   zip          PKWARE APPNOTE.TXT 4.3.7 local file headers, 4.5.3 Zip64 extra field
 *   NumPy .npy   https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 *   HDF5         https://docs.hdfgroup.org/hdf5/develop/_f_m_t3.html (superblock signature)
 *
 * Props set on models (sc_model_info.props -> sc_model_file.props):
 *   safetensors: "tensors", "dtypes", "header_size", "metadata.<key>" (string metadata,
 *                at most 16 keys, values <= 256 bytes)
 *   gguf:        "gguf.version", "tensors", "kv_count", "name", "file_type",
 *                "context_length", "block_count", "dtypes" (ggml tensor types)
 *   onnx:        "ir_version", "producer", "producer_version", "opset" (default domain),
 *                "opsets" ("domain:version,..." for every opset_import), "model_version",
 *                "domain"
 *   pickle:      "pickle.protocol", "pickle.globals" (sorted "module.name" list, <= 64),
 *                "compression" (joblib/pickle compressed with zlib/gzip/bz2/xz/lz4)
 *   zips:        "zip.entries", "pickle.files" (names of <dir>/data.pkl entries, <= 16),
 *                plus the pickle props of the first stored data.pkl
 *   numpy:       "dtype", "shape", "fortran_order"; numpy-zip: "arrays", "dtypes"
 *   keras(-h5):  "keras.config" ("found"), architecture = model class_name
 *   tokenizer:   "tokenizer_class", "model_max_length"
 *   model-config:"model_type", "torch_dtype", "transformers_version"
 */
#ifndef SC_CATALOG_MODEL_FORMATS_H
#define SC_CATALOG_MODEL_FORMATS_H

#include "catalog/catalog.h"

#include <stddef.h>
#include <stdint.h>

/* Caps on how many leading bytes the cataloger keeps for each format. */
#define SC_MF_SAFETENSORS_MAX_HEADER (16u << 20)   /* scute's cap on N; the spec allows 100 MB */
#define SC_MF_SAFETENSORS_SPEC_MAX 100000000ull     /* reference implementation's limit */
#define SC_MF_GGUF_HEAD (8u << 20)
#define SC_MF_ONNX_HEAD (4u << 20)
#define SC_MF_SMALL_HEAD (64u << 10)

typedef struct sc_model_info {
	const char *format;   /* static string, NULL when the file is not a model */
	int pickle_based;
	char *architecture;   /* heap or NULL */
	char *quantization;   /* heap or NULL */
	uint64_t parameters;
	sc_kv_list props;
	char error[256];      /* "" or a one-line problem description */
	int error_level;      /* sc_note_level for error */
} sc_model_info;

void sc_model_info_init(sc_model_info *mi);
void sc_model_info_release(sc_model_info *mi);

int sc_model_parse_safetensors(sc_model_info *out, const unsigned char *buf, size_t len, uint64_t file_size);
int sc_model_parse_gguf(sc_model_info *out, const unsigned char *buf, size_t len, uint64_t file_size);
int sc_model_parse_onnx(sc_model_info *out, const unsigned char *buf, size_t len, uint64_t file_size);
/* Raw pickle (any protocol); `strict` requires a PROTO 2..5 opcode first (for .bin). */
int sc_model_parse_pickle(sc_model_info *out, const unsigned char *buf, size_t len, uint64_t file_size,
			  int strict);
int sc_model_parse_npy(sc_model_info *out, const unsigned char *buf, size_t len, uint64_t file_size);
int sc_model_parse_hdf5(sc_model_info *out, const unsigned char *buf, size_t len, uint64_t file_size);
/* config.json: format "model-config" when it has "architectures" or "model_type", else NULL. */
int sc_model_parse_config(sc_model_info *out, const unsigned char *buf, size_t len, uint64_t file_size);
/* tokenizer.json / tokenizer_config.json (is_config selects which). */
int sc_model_parse_tokenizer(sc_model_info *out, const unsigned char *buf, size_t len, uint64_t file_size,
			     int is_config);

/*
 * Streaming scanners: fed the whole file in pieces, O(1) memory (a few
 * bounded buffers), never failing on bad input (they stop and remember why).
 */
typedef struct sc_zipscan sc_zipscan;
int sc_zipscan_new(sc_zipscan **out);
void sc_zipscan_free(sc_zipscan *z);
int sc_zipscan_feed(sc_zipscan *z, const void *buf, size_t len); /* 0 or SC_ENOMEM */
/*
 * Classify a zip from what its local headers showed: "pytorch-zip" (has a
 * <dir>/data.pkl entry), "numpy-zip" (only .npy entries), "keras" (config.json and
 * no data.pkl).  `ext` is the file name's extension without the dot.
 */
int sc_model_from_zip(sc_model_info *out, const sc_zipscan *z, const char *ext, uint64_t file_size);

typedef struct sc_pbscan sc_pbscan;
int sc_pbscan_new(sc_pbscan **out);
void sc_pbscan_free(sc_pbscan *p);
int sc_pbscan_feed(sc_pbscan *p, const void *buf, size_t len);
/* ONNX facts from the streamed top-level ModelProto fields. */
int sc_model_from_pbscan(sc_model_info *out, const sc_pbscan *p, uint64_t file_size);

/* Name of a GGUF general.file_type (llama_ftype) value, or NULL. */
const char *sc_gguf_file_type_name(uint64_t ft);

#endif
