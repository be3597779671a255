/*
 * model_formats.c - bounded header parsers for ML model files: safetensors,
 * GGUF, ONNX (streaming top-level protobuf reader), pickle (facts from the
 * opcode walk of audit/pickle.c, the one pickle walker in the tree),
 * zip local-header scanner (PyTorch, NumPy .npz, Keras), NumPy .npy, HDF5,
 * Hugging Face config.json and tokenizer files.  See model_formats.h for
 * the specs followed and the props set.
 *
 * Every size or count read from a file is checked against the bytes that
 * can hold it before it is used; no recursion on input data; no
 * allocation proportional to a claimed size.
 */
#include "catalog/model_formats.h"
#include "audit/pickle.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* common helpers                                                      */

void sc_model_info_init(sc_model_info *mi)
{
	memset(mi, 0, sizeof(*mi));
}

void sc_model_info_release(sc_model_info *mi)
{
	if (!mi)
		return;
	free(mi->architecture);
	free(mi->quantization);
	sc_kv_list_release(&mi->props);
	memset(mi, 0, sizeof(*mi));
}

/* Record the first problem only (later ones are usually consequences). */
static void mf_err(sc_model_info *mi, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void mf_err(sc_model_info *mi, int level, const char *fmt, ...)
{
	va_list ap;

	if (mi->error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(mi->error, sizeof(mi->error), fmt, ap);
	va_end(ap);
	mi->error_level = level;
}

static int prop(sc_model_info *mi, const char *key, const char *value)
{
	return sc_kv_list_add(&mi->props, key, value);
}

static int prop_u64(sc_model_info *mi, const char *key, uint64_t v)
{
	char b[32];

	snprintf(b, sizeof(b), "%" PRIu64, v);
	return prop(mi, key, b);
}

/* Copy at most `max` printable bytes of s into a new string (control bytes become '?'). */
static char *dup_clean(const char *s, size_t len, size_t max)
{
	char *r;
	size_t i;

	if (len > max)
		len = max;
	r = sc_malloc(len + 1);
	if (!r)
		return NULL;
	for (i = 0; i < len; i++)
		r[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	r[len] = '\0';
	return r;
}

static int set_str(char **dst, const char *s, size_t len, size_t max)
{
	char *r;

	if (*dst)
		return 0;
	r = dup_clean(s, len, max);
	if (!r)
		return SC_ENOMEM;
	*dst = r;
	return 0;
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | ((uint64_t)le32(p + 4) << 32);
}

static int mul64(uint64_t a, uint64_t b, uint64_t *out)
{
	return __builtin_mul_overflow(a, b, out) ? -1 : 0;
}

static int add64(uint64_t a, uint64_t b, uint64_t *out)
{
	return __builtin_add_overflow(a, b, out) ? -1 : 0;
}

/* A bounded set of short strings, joined sorted for props. */
#define STRSET_MAX 64
typedef struct {
	char *v[STRSET_MAX];
	uint64_t count[STRSET_MAX]; /* weight (elements) per string */
	size_t n;
	int more;
} strset;

static void strset_release(strset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	memset(s, 0, sizeof(*s));
}

static int strset_add(strset *s, const char *str, size_t len, uint64_t weight)
{
	size_t i;

	if (len > 200)
		len = 200;
	for (i = 0; i < s->n; i++)
		if (strlen(s->v[i]) == len && memcmp(s->v[i], str, len) == 0) {
			if (add64(s->count[i], weight, &s->count[i]) != 0)
				s->count[i] = UINT64_MAX;
			return 0;
		}
	if (s->n == STRSET_MAX) {
		s->more = 1;
		return 0;
	}
	s->v[s->n] = dup_clean(str, len, 200);
	if (!s->v[s->n])
		return SC_ENOMEM;
	s->count[s->n++] = weight;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted comma list as a prop; nothing when empty. */
static int strset_prop(sc_model_info *mi, const char *key, const strset *s)
{
	char *sorted[STRSET_MAX];
	sc_buf b;
	size_t i;
	int rc = 0;

	if (!s->n)
		return 0;
	memcpy(sorted, s->v, s->n * sizeof(*sorted));
	qsort(sorted, s->n, sizeof(*sorted), cmp_str);
	sc_buf_init(&b, 64 * 1024, key);
	for (i = 0; i < s->n && !rc; i++)
		rc = sc_buf_printf(&b, "%s%s", i ? "," : "", sorted[i]);
	if (!rc && s->more)
		rc = sc_buf_puts(&b, ",...");
	if (!rc)
		rc = prop(mi, key, b.data);
	sc_buf_release(&b);
	return rc;
}

/* The string with the largest weight (ties: smallest name), or NULL. */
static const char *strset_dominant(const strset *s)
{
	const char *best = NULL;
	uint64_t bw = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!best || s->count[i] > bw || (s->count[i] == bw && strcmp(s->v[i], best) < 0)) {
			best = s->v[i];
			bw = s->count[i];
		}
	return best;
}

/*
 * Bounded text scan: the string value of the first `"key": "value"` in
 * buf (no escapes; stops at a backslash).  For documents too large to
 * parse whole (a truncated capture).  Returns 1 when found.
 */
static int scan_json_str(const unsigned char *buf, size_t len, const char *key, char *out, size_t outsz)
{
	size_t kl = strlen(key), i, j, o;

	if (outsz == 0 || len < kl + 2)
		return 0;
	for (i = 0; i + kl + 2 <= len; i++) {
		if (buf[i] != '"' || memcmp(buf + i + 1, key, kl) != 0 || buf[i + 1 + kl] != '"')
			continue;
		j = i + kl + 2;
		while (j < len && (buf[j] == ' ' || buf[j] == '\t' || buf[j] == '\n' || buf[j] == '\r'))
			j++;
		if (j >= len || buf[j] != ':')
			continue;
		j++;
		while (j < len && (buf[j] == ' ' || buf[j] == '\t' || buf[j] == '\n' || buf[j] == '\r'))
			j++;
		if (j >= len || buf[j] != '"')
			continue;
		j++;
		for (o = 0; j < len && buf[j] != '"' && buf[j] != '\\' && o + 1 < outsz; j++)
			out[o++] = (buf[j] < 0x20) ? '?' : (char)buf[j];
		if (j >= len || buf[j] != '"' || o == 0)
			return 0;
		out[o] = '\0';
		return 1;
	}
	return 0;
}

/* Parse a JSON capture; on failure the note text goes into mi->error. */
static json_t *parse_json(sc_model_info *mi, const unsigned char *buf, size_t len, const char *what)
{
	json_t *j = NULL;

	if (sc_json_parse(&j, (const char *)buf, len, len, 16, what) != 0) {
		mf_err(mi, SC_NOTE_WARNING, "%s", sc_error_msg());
		sc_error_clear();
		return NULL;
	}
	return j;
}

/* ------------------------------------------------------------------ */
/* safetensors                                                         */

typedef struct {
	const char *name;
	unsigned bits;
} st_dtype;

/* safetensors Dtype enum (safetensors/src/tensor.rs), element sizes in bits. */
static const st_dtype st_dtypes[] = {
	{ "BOOL", 8 },     { "U8", 8 },       { "I8", 8 },       { "F8_E5M2", 8 }, { "F8_E4M3", 8 },
	{ "F8_E8M0", 8 },  { "I16", 16 },     { "U16", 16 },     { "F16", 16 },    { "BF16", 16 },
	{ "I32", 32 },     { "U32", 32 },     { "F32", 32 },     { "F64", 64 },    { "I64", 64 },
	{ "U64", 64 },     { "C64", 64 },     { "F4", 4 },       { "F6_E2M3", 6 }, { "F6_E3M2", 6 },
};

static unsigned st_bits(const char *d)
{
	size_t i;

	for (i = 0; i < sizeof(st_dtypes) / sizeof(st_dtypes[0]); i++)
		if (strcmp(st_dtypes[i].name, d) == 0)
			return st_dtypes[i].bits;
	return 0;
}

static int json_u64(const json_t *v, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int st_tensor(sc_model_info *mi, const char *name, const json_t *t, uint64_t data_len, strset *dt,
		     uint64_t *params)
{
	const char *dtype = sc_json_str(t, "dtype");
	json_t *shape = json_object_get(t, "shape"), *offs = json_object_get(t, "data_offsets");
	uint64_t elems = 1, b, e, bits, nbytes;
	size_t i;

	if (!json_is_object(t) || !dtype || !json_is_array(shape) || !json_is_array(offs) ||
	    json_array_size(offs) != 2) {
		mf_err(mi, SC_NOTE_WARNING, "tensor '%.64s': needs dtype, shape and data_offsets [begin, end]", name);
		return 0;
	}
	for (i = 0; i < json_array_size(shape); i++) {
		uint64_t d;

		if (json_u64(json_array_get(shape, i), &d) != 0) {
			mf_err(mi, SC_NOTE_WARNING, "tensor '%.64s': shape entries must be non-negative integers", name);
			return 0;
		}
		if (mul64(elems, d, &elems) != 0) {
			mf_err(mi, SC_NOTE_WARNING, "tensor '%.64s': shape product overflows", name);
			return 0;
		}
	}
	if (json_u64(json_array_get(offs, 0), &b) != 0 || json_u64(json_array_get(offs, 1), &e) != 0 || b > e ||
	    e > data_len) {
		mf_err(mi, SC_NOTE_WARNING, "tensor '%.64s': data_offsets out of the %" PRIu64 "-byte data region",
		       name, data_len);
		return 0;
	}
	bits = st_bits(dtype);
	if (bits) {
		if (mul64(elems, bits, &nbytes) != 0 || nbytes > UINT64_MAX - 7 || (nbytes + 7) / 8 != e - b) {
			mf_err(mi, SC_NOTE_WARNING, "tensor '%.64s': %" PRIu64 " bytes do not match its %s shape", name,
			       e - b, dtype);
			return 0;
		}
	} else {
		mf_err(mi, SC_NOTE_INFO, "tensor '%.64s': unknown dtype '%.32s'", name, dtype);
	}
	if (add64(*params, elems, params) != 0)
		*params = UINT64_MAX;
	return strset_add(dt, dtype, strlen(dtype), elems);
}

int sc_model_parse_safetensors(sc_model_info *out, const unsigned char *buf, size_t len, uint64_t file_size)
{
	json_t *root = NULL, *meta;
	const char *key;
	json_t *val;
	strset dt;
	uint64_t n, data_len, params = 0, tensors = 0;
	int rc = 0, nmeta = 0;

	memset(&dt, 0, sizeof(dt));
	out->format = "safetensors";
	if (len < 8 || file_size < 8) {
		mf_err(out, SC_NOTE_WARNING, "file is shorter than the 8-byte header length");
		return 0;
	}
	n = le64(buf);
	if (n > SC_MF_SAFETENSORS_SPEC_MAX) {
		mf_err(out, SC_NOTE_WARNING, "header length %" PRIu64 " exceeds the 100 MB limit", n);
		return 0;
	}
	if (n > file_size - 8) {
		mf_err(out, SC_NOTE_WARNING, "header length %" PRIu64 " exceeds the file size %" PRIu64, n, file_size);
		return 0;
	}
	if ((rc = prop_u64(out, "header_size", n)) != 0)
		return rc;
	if (n > SC_MF_SAFETENSORS_MAX_HEADER) {
		mf_err(out, SC_NOTE_INFO, "header of %" PRIu64 " bytes exceeds scute's 16 MiB cap; not parsed", n);
		return 0;
	}
	if (len - 8 < n) {
		mf_err(out, SC_NOTE_WARNING, "header truncated (%zu of %" PRIu64 " bytes)", len - 8, n);
		return 0;
	}
	if (n < 2 || buf[8] != '{') {
		mf_err(out, SC_NOTE_WARNING, "header is not a JSON object");
		return 0;
	}
	data_len = file_size - 8 - n;
	if (!(root = parse_json(out, buf + 8, (size_t)n, "safetensors header")))
		return 0;
	if (!json_is_object(root)) {
		mf_err(out, SC_NOTE_WARNING, "header is not a JSON object");
		goto out;
	}
	json_object_foreach(root, key, val) {
		if (strcmp(key, "__metadata__") == 0) {
			const char *mk;
			json_t *mv;

			meta = val;
			if (!json_is_object(meta)) {
				mf_err(out, SC_NOTE_WARNING, "__metadata__ is not a string map");
				continue;
			}
			json_object_foreach(meta, mk, mv) {
				char pk[96];
				const char *s;

				if (!json_is_string(mv)) {
					mf_err(out, SC_NOTE_WARNING, "__metadata__ is not a string map");
					continue;
				}
				s = json_string_value(mv);
				if (!out->architecture &&
				    (!strcmp(mk, "architecture") || !strcmp(mk, "modelspec.architecture")) &&
				    (rc = set_str(&out->architecture, s, strlen(s), 128)) != 0)
					goto out;
				if (nmeta >= 16 || strlen(s) > 256 || strlen(mk) > 64)
					continue;
				snprintf(pk, sizeof(pk), "metadata.%s", mk);
				if ((rc = prop(out, pk, s)) != 0)
					goto out;
				nmeta++;
			}
			continue;
		}
		tensors++;
		if ((rc = st_tensor(out, key, val, data_len, &dt, &params)) != 0)
			goto out;
	}
	out->parameters = params;
	if ((rc = prop_u64(out, "tensors", tensors)) != 0 || (rc = strset_prop(out, "dtypes", &dt)) != 0)
		goto out;
	if (strset_dominant(&dt))
		rc = set_str(&out->quantization, strset_dominant(&dt), strlen(strset_dominant(&dt)), 32);
out:
	json_decref(root);
	strset_release(&dt);
	return rc;
}

/* ------------------------------------------------------------------ */
/* GGUF                                                                */

/*
 * general.file_type is a llama_ftype (llama.cpp include/llama.h):
 *   0 ALL_F32, 1 MOSTLY_F16, 2 Q4_0, 3 Q4_1, (4 Q4_1_SOME_F16, 5 Q4_2, 6 Q4_3:
 *   removed), 7 Q8_0, 8 Q5_0, 9 Q5_1, 10 Q2_K, 11 Q3_K_S, 12 Q3_K_M,
 *   13 Q3_K_L, 14 Q4_K_S, 15 Q4_K_M, 16 Q5_K_S, 17 Q5_K_M, 18 Q6_K,
 *   19 IQ2_XXS, 20 IQ2_XS, 21 Q2_K_S, 22 IQ3_XS, 23 IQ3_XXS, 24 IQ1_S,
 *   25 IQ4_NL, 26 IQ3_S, 27 IQ3_M, 28 IQ2_S, 29 IQ2_M, 30 IQ4_XS, 31 IQ1_M,
 *   32 BF16, (33-35 Q4_0_4_4/4_8/8_8: removed), 36 TQ1_0, 37 TQ2_0.
 */
static const char *const gguf_ftypes[] = {
	"F32",     "F16",    "Q4_0",    "Q4_1",   "Q4_1_SOME_F16", "Q4_2",   "Q4_3",   "Q8_0",
	"Q5_0",    "Q5_1",   "Q2_K",    "Q3_K_S", "Q3_K_M",        "Q3_K_L", "Q4_K_S", "Q4_K_M",
	"Q5_K_S",  "Q5_K_M", "Q6_K",    "IQ2_XXS", "IQ2_XS",       "Q2_K_S", "IQ3_XS", "IQ3_XXS",
	"IQ1_S",   "IQ4_NL", "IQ3_S",   "IQ3_M",  "IQ2_S",         "IQ2_M",  "IQ4_XS", "IQ1_M",
	"BF16",    "Q4_0_4_4", "Q4_0_4_8", "Q4_0_8_8", "TQ1_0",    "TQ2_0",
};

const char *sc_gguf_file_type_name(uint64_t ft)
{
	return ft < sizeof(gguf_ftypes) / sizeof(gguf_ftypes[0]) ? gguf_ftypes[ft] : NULL;
}

/* ggml_type (ggml/include/ggml.h) names; NULL = unused/removed slot. */
static const char *const ggml_types[] = {
	"F32",  "F16",   "Q4_0",    "Q4_1",   NULL,    NULL,    "Q5_0",  "Q5_1",  "Q8_0",   "Q8_1",
	"Q2_K", "Q3_K",  "Q4_K",    "Q5_K",   "Q6_K",  "Q8_K",  "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S",
	"IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS", "I8",    "I16",   "I32",   "I64",   "F64",    "IQ1_M",
	"BF16", NULL,    NULL,      NULL,     "TQ1_0", "TQ2_0",
};

enum { G_U8, G_I8, G_U16, G_I16, G_U32, G_I32, G_F32, G_BOOL, G_STR, G_ARR, G_U64, G_I64, G_F64 };
#define GGUF_MAX_DEPTH 4
#define GGUF_MAX_KEY 65535

typedef struct {
	const unsigned char *p;
	size_t len, off;
	uint64_t file_size;
	int trunc; /* ran past the capture (but not past the file) */
	int bad;   /* ran past the file */
} rd;

/* Make n bytes available at r->off; 0 ok, -1 past the capture or the file. */
static int rd_need(rd *r, uint64_t n)
{
	if (r->trunc || r->bad)
		return -1;
	if (n > r->file_size || r->off > r->file_size - n) {
		r->bad = 1;
		return -1;
	}
	if (n > r->len - r->off) {
		r->trunc = 1;
		return -1;
	}
	return 0;
}

static int rd_u32(rd *r, uint32_t *v)
{
	if (rd_need(r, 4))
		return -1;
	*v = le32(r->p + r->off);
	r->off += 4;
	return 0;
}

static int rd_u64(rd *r, uint64_t *v)
{
	if (rd_need(r, 8))
		return -1;
	*v = le64(r->p + r->off);
	r->off += 8;
	return 0;
}

static int rd_skip(rd *r, uint64_t n)
{
	if (rd_need(r, n))
		return -1;
	r->off += (size_t)n;
	return 0;
}

/* Bytes the file still has after the current offset. */
static uint64_t rd_left(const rd *r)
{
	return r->off < r->file_size ? r->file_size - r->off : 0;
}

static int rd_str(rd *r, const char **s, uint64_t *slen)
{
	uint64_t n;

	if (rd_u64(r, &n))
		return -1;
	if (rd_need(r, n))
		return -1;
	*s = (const char *)r->p + r->off;
	*slen = n;
	r->off += (size_t)n;
	return 0;
}

static unsigned gguf_fixed_size(uint32_t t)
{
	switch (t) {
	case G_U8: case G_I8: case G_BOOL: return 1;
	case G_U16: case G_I16: return 2;
	case G_U32: case G_I32: case G_F32: return 4;
	case G_U64: case G_I64: case G_F64: return 8;
	}
	return 0;
}

/* Smallest encoding of one element of type t, 0 = unknown type. */
static unsigned gguf_min_size(uint32_t t)
{
	if (t == G_STR)
		return 8;
	if (t == G_ARR)
		return 12;
	return gguf_fixed_size(t);
}

static int gguf_int(rd *r, uint32_t t, uint64_t *v)
{
	uint32_t u32;

	switch (t) {
	case G_U8: case G_I8: case G_BOOL:
		if (rd_need(r, 1))
			return -1;
		*v = r->p[r->off++];
		return 0;
	case G_U16: case G_I16:
		if (rd_need(r, 2))
			return -1;
		*v = le16(r->p + r->off);
		r->off += 2;
		return 0;
	case G_U32: case G_I32:
		if (rd_u32(r, &u32))
			return -1;
		*v = u32;
		return 0;
	case G_U64: case G_I64:
		return rd_u64(r, v);
	}
	return -2;
}

/* Skip an array value without recursion; depth-bounded explicit stack. */
static int gguf_skip_array(sc_model_info *mi, rd *r, const char *key)
{
	struct {
		uint32_t type;
		uint64_t left;
	} st[GGUF_MAX_DEPTH];
	int d = 0;
	uint32_t et;
	uint64_t n;

	if (rd_u32(r, &et) || rd_u64(r, &n))
		return -1;
	for (;;) {
		unsigned ms = gguf_min_size(et);

		if (!ms) {
			mf_err(mi, SC_NOTE_WARNING, "key '%.64s': unknown array element type %u", key, et);
			return -1;
		}
		if (n > rd_left(r) / ms) {
			mf_err(mi, SC_NOTE_WARNING, "key '%.64s': array of %" PRIu64 " elements exceeds the file", key,
			       n);
			return -1;
		}
		st[d].type = et;
		st[d].left = n;
		for (;;) {
			if (st[d].left == 0) {
				if (d == 0)
					return 0;
				d--;
				continue;
			}
			if (gguf_fixed_size(st[d].type)) {
				if (rd_skip(r, st[d].left * gguf_fixed_size(st[d].type)))
					return -1;
				st[d].left = 0;
				continue;
			}
			if (st[d].type == G_STR) {
				const char *s;
				uint64_t sl;

				if (rd_str(r, &s, &sl))
					return -1;
				st[d].left--;
				continue;
			}
			/* an array of arrays */
			st[d].left--;
			if (d + 1 >= GGUF_MAX_DEPTH) {
				mf_err(mi, SC_NOTE_WARNING, "key '%.64s': arrays nested deeper than %d levels", key,
				       GGUF_MAX_DEPTH);
				return -1;
			}
			if (rd_u32(r, &et) || rd_u64(r, &n))
				return -1;
			d++;
			break;
		}
	}
}

typedef struct {
	char prefix[64];
	uint64_t v;
} gguf_archval;

static int key_suffix(const char *k, size_t kl, const char *suffix, char *prefix, size_t psz)
{
	size_t sl = strlen(suffix);

	if (kl <= sl || memcmp(k + kl - sl, suffix, sl) != 0 || kl - sl >= psz)
		return 0;
	memcpy(prefix, k, kl - sl);
	prefix[kl - sl] = '\0';
	return 1;
}

int sc_model_parse_gguf(sc_model_info *out, const unsigned char *buf, size_t len, uint64_t file_size)
{
	rd r = { buf, len, 0, file_size, 0, 0 };
	uint32_t version;
	uint64_t n_tensors, n_kv, i, ft = UINT64_MAX, params = 0;
	gguf_archval ctx[8], blk[8];
	size_t n_ctx = 0, n_blk = 0, k;
	char *name = NULL;
	strset types;
	int rc = 0, params_ok = 0;

	memset(&types, 0, sizeof(types));
	out->format = "gguf";
	if (len < 24 || file_size < 24 || memcmp(buf, "GGUF", 4) != 0) {
		mf_err(out, SC_NOTE_WARNING, "not a GGUF file (short or bad magic)");
		return 0;
	}
	version = le32(buf + 4);
	if (version != 2 && version != 3) {
		if (__builtin_bswap32(version) == 2 || __builtin_bswap32(version) == 3)
			mf_err(out, SC_NOTE_INFO, "big-endian GGUF is not supported");
		else
			mf_err(out, SC_NOTE_WARNING, "unsupported GGUF version %u", version);
		return 0;
	}
	n_tensors = le64(buf + 8);
	n_kv = le64(buf + 16);
	r.off = 24;
	if ((rc = prop_u64(out, "gguf.version", version)) != 0)
		return rc;
	/* Fail fast: every KV takes >= 13 bytes, every tensor info >= 24. */
	if (n_kv > (file_size - 24) / 13 || n_tensors > (file_size - 24) / 24 ||
	    n_kv * 13 > (file_size - 24) - n_tensors * 24) {
		mf_err(out, SC_NOTE_WARNING,
		       "claims %" PRIu64 " key/value pairs and %" PRIu64 " tensors, more than its %" PRIu64
		       " bytes can hold",
		       n_kv, n_tensors, file_size);
		return 0;
	}
	if ((rc = prop_u64(out, "tensors", n_tensors)) != 0 || (rc = prop_u64(out, "kv_count", n_kv)) != 0)
		return rc;
	for (i = 0; i < n_kv; i++) {
		const char *key;
		uint64_t kl, v;
		uint32_t type;
		char kbuf[256];

		if (rd_str(&r, &key, &kl) || rd_u32(&r, &type))
			goto end;
		if (kl > GGUF_MAX_KEY) {
			mf_err(out, SC_NOTE_WARNING, "key of %" PRIu64 " bytes is longer than 65535", kl);
			goto end;
		}
		memcpy(kbuf, key, kl < sizeof(kbuf) - 1 ? kl : sizeof(kbuf) - 1);
		kbuf[kl < sizeof(kbuf) - 1 ? kl : sizeof(kbuf) - 1] = '\0';
		if (type == G_STR) {
			const char *s;
			uint64_t sl;

			if (rd_str(&r, &s, &sl))
				goto end;
			if (!strcmp(kbuf, "general.architecture") &&
			    (rc = set_str(&out->architecture, s, sl, 128)) != 0)
				goto out;
			if (!strcmp(kbuf, "general.name") && (rc = set_str(&name, s, sl, 256)) != 0)
				goto out;
		} else if (type == G_ARR) {
			if (gguf_skip_array(out, &r, kbuf))
				goto end;
		} else if (type == G_F32 || type == G_F64) {
			if (rd_skip(&r, gguf_fixed_size(type)))
				goto end;
		} else {
			int g = gguf_int(&r, type, &v);
			char pfx[64];

			if (g == -2) {
				mf_err(out, SC_NOTE_WARNING, "key '%.64s': unknown value type %u", kbuf, type);
				goto end;
			}
			if (g)
				goto end;
			if (!strcmp(kbuf, "general.file_type"))
				ft = v;
			else if (n_ctx < 8 && key_suffix(kbuf, strlen(kbuf), ".context_length", pfx, sizeof(pfx))) {
				memcpy(ctx[n_ctx].prefix, pfx, sizeof(pfx));
				ctx[n_ctx++].v = v;
			} else if (n_blk < 8 && key_suffix(kbuf, strlen(kbuf), ".block_count", pfx, sizeof(pfx))) {
				memcpy(blk[n_blk].prefix, pfx, sizeof(pfx));
				blk[n_blk++].v = v;
			}
		}
	}
	for (i = 0; i < n_tensors; i++) {
		const char *tn;
		uint64_t tl, e = 1, d, off;
		uint32_t nd, tt, j;

		if (rd_str(&r, &tn, &tl) || rd_u32(&r, &nd))
			goto end;
		if (nd > 4) {
			mf_err(out, SC_NOTE_WARNING, "tensor %" PRIu64 ": %u dimensions (at most 4)", i, nd);
			goto end;
		}
		for (j = 0; j < nd; j++) {
			if (rd_u64(&r, &d))
				goto end;
			if (mul64(e, d, &e) != 0) {
				mf_err(out, SC_NOTE_WARNING, "tensor %" PRIu64 ": dimension product overflows", i);
				goto end;
			}
		}
		if (rd_u32(&r, &tt) || rd_u64(&r, &off))
			goto end;
		if (off >= file_size && e) {
			mf_err(out, SC_NOTE_WARNING, "tensor %" PRIu64 ": data offset beyond the file", i);
			goto end;
		}
		if (add64(params, e, &params) != 0)
			params = UINT64_MAX;
		if (tt < sizeof(ggml_types) / sizeof(ggml_types[0]) && ggml_types[tt]) {
			if ((rc = strset_add(&types, ggml_types[tt], strlen(ggml_types[tt]), e)) != 0)
				goto out;
		} else {
			mf_err(out, SC_NOTE_INFO, "tensor %" PRIu64 ": unknown ggml type %u", i, tt);
		}
	}
	params_ok = 1;
end:
	if (r.bad)
		mf_err(out, SC_NOTE_WARNING, "header runs past the end of the file");
	else if (r.trunc)
		mf_err(out, SC_NOTE_INFO, "header continues beyond the first %zu bytes read; partial facts", len);
	if (params_ok)
		out->parameters = params;
	if (name && (rc = prop(out, "name", name)) != 0)
		goto out;
	if (ft != UINT64_MAX) {
		if ((rc = prop_u64(out, "file_type", ft)) != 0)
			goto out;
		if (sc_gguf_file_type_name(ft) &&
		    (rc = set_str(&out->quantization, sc_gguf_file_type_name(ft), strlen(sc_gguf_file_type_name(ft)),
				  32)) != 0)
			goto out;
	}
	if (!out->quantization && strset_dominant(&types) &&
	    (rc = set_str(&out->quantization, strset_dominant(&types), strlen(strset_dominant(&types)), 32)) != 0)
		goto out;
	if ((rc = strset_prop(out, "dtypes", &types)) != 0)
		goto out;
	for (k = 0; out->architecture && k < n_ctx; k++)
		if (!strcmp(ctx[k].prefix, out->architecture)) {
			if ((rc = prop_u64(out, "context_length", ctx[k].v)) != 0)
				goto out;
			break;
		}
	for (k = 0; out->architecture && k < n_blk; k++)
		if (!strcmp(blk[k].prefix, out->architecture)) {
			if ((rc = prop_u64(out, "block_count", blk[k].v)) != 0)
				goto out;
			break;
		}
out:
	free(name);
	strset_release(&types);
	return rc;
}

/* ------------------------------------------------------------------ */
/* ONNX: streaming reader of the top-level ModelProto fields           */

#define PB_FIELD_MAX (64u << 10) /* largest top-level field collected (opset_import, strings) */
#define PB_MAX_OPSETS 32

enum { PB_TAG, PB_LEN, PB_VARINT, PB_SKIP, PB_COLLECT, PB_STOP };

struct sc_pbscan {
	int state;
	uint64_t acc;
	unsigned shift;
	uint32_t field;
	uint64_t left;
	sc_buf fb;
	uint64_t offset;
	uint64_t n_fields;
	/* results */
	int have_ir, have_mv, seen_graph;
	uint64_t ir_version, model_version;
	char producer[128], producer_version[64], domain[128];
	struct {
		char domain[64];
		uint64_t version;
	} opsets[PB_MAX_OPSETS];
	size_t n_opsets;
	char error[160];
};

int sc_pbscan_new(sc_pbscan **out)
{
	sc_pbscan *p = sc_calloc(1, sizeof(*p));

	if (!p)
		return SC_ENOMEM;
	sc_buf_init(&p->fb, PB_FIELD_MAX, "onnx field");
	*out = p;
	return 0;
}

void sc_pbscan_free(sc_pbscan *p)
{
	if (!p)
		return;
	sc_buf_release(&p->fb);
	free(p);
}

static void pb_stop(sc_pbscan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pb_stop(sc_pbscan *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->error, sizeof(p->error), fmt, ap);
	va_end(ap);
	p->state = PB_STOP;
}

/* Read a varint from a complete buffer; -1 truncated or too long. */
static int pb_varint(const unsigned char *b, size_t len, size_t *off, uint64_t *v)
{
	uint64_t r = 0;
	unsigned s = 0;

	while (*off < len) {
		unsigned char c = b[(*off)++];

		if (s == 63 && c > 1)
			return -1;
		r |= (uint64_t)(c & 0x7f) << s;
		if (!(c & 0x80)) {
			*v = r;
			return 0;
		}
		s += 7;
		if (s > 63)
			return -1;
	}
	return -1;
}

static void pb_copy(char *dst, size_t dsz, const unsigned char *s, size_t n)
{
	size_t i;

	if (n >= dsz)
		n = dsz - 1;
	for (i = 0; i < n; i++)
		dst[i] = (s[i] < 0x20 || s[i] == 0x7f) ? '?' : (char)s[i];
	dst[n] = '\0';
}

/* OperatorSetIdProto { 1: string domain; 2: int64 version } from a complete buffer. */
static void pb_opset(sc_pbscan *p, const unsigned char *b, size_t len)
{
	size_t off = 0;
	char dom[64] = "";
	uint64_t ver = 0;

	while (off < len) {
		uint64_t tag, v;

		if (pb_varint(b, len, &off, &tag))
			goto bad;
		switch (tag & 7) {
		case 0:
			if (pb_varint(b, len, &off, &v))
				goto bad;
			if ((tag >> 3) == 2)
				ver = v;
			break;
		case 1:
			if (len - off < 8)
				goto bad;
			off += 8;
			break;
		case 5:
			if (len - off < 4)
				goto bad;
			off += 4;
			break;
		case 2:
			if (pb_varint(b, len, &off, &v) || v > len - off)
				goto bad;
			if ((tag >> 3) == 1)
				pb_copy(dom, sizeof(dom), b + off, (size_t)v);
			off += (size_t)v;
			break;
		default:
			goto bad;
		}
	}
	if (p->n_opsets < PB_MAX_OPSETS) {
		memcpy(p->opsets[p->n_opsets].domain, dom, sizeof(dom));
		p->opsets[p->n_opsets++].version = ver;
	}
	return;
bad:
	if (!p->error[0])
		snprintf(p->error, sizeof(p->error), "malformed opset_import at offset %" PRIu64, p->offset);
}

static void pb_field_done(sc_pbscan *p)
{
	const unsigned char *b = (const unsigned char *)p->fb.data;
	size_t n = p->fb.len;

	switch (p->field) {
	case 2: pb_copy(p->producer, sizeof(p->producer), b, n); break;
	case 3: pb_copy(p->producer_version, sizeof(p->producer_version), b, n); break;
	case 4: pb_copy(p->domain, sizeof(p->domain), b, n); break;
	case 8: pb_opset(p, b, n); break;
	}
	sc_buf_reset(&p->fb);
}

/* Does this top-level field (length-delimited) get collected? */
static int pb_wanted(uint32_t field, uint64_t len)
{
	if (field == 2 || field == 3 || field == 4)
		return len <= 4096;
	return field == 8 && len <= PB_FIELD_MAX;
}

int sc_pbscan_feed(sc_pbscan *p, const void *data, size_t len)
{
	const unsigned char *b = data;
	size_t i = 0;

	while (i < len && p->state != PB_STOP) {
		switch (p->state) {
		case PB_TAG:
		case PB_LEN:
		case PB_VARINT: {
			unsigned char c = b[i++];

			p->offset++;
			if (p->shift == 63 && c > 1) {
				pb_stop(p, "varint longer than 10 bytes at offset %" PRIu64, p->offset - 1);
				break;
			}
			p->acc |= (uint64_t)(c & 0x7f) << p->shift;
			if (c & 0x80) {
				p->shift += 7;
				if (p->shift > 63)
					pb_stop(p, "varint longer than 10 bytes at offset %" PRIu64, p->offset - 1);
				break;
			}
			{
				uint64_t v = p->acc;

				p->acc = 0;
				p->shift = 0;
				if (p->state == PB_TAG) {
					unsigned wt = (unsigned)(v & 7);

					if ((v >> 3) == 0 || (v >> 3) > 0x1fffffff) {
						pb_stop(p, "invalid field number at offset %" PRIu64, p->offset);
						break;
					}
					p->field = (uint32_t)(v >> 3);
					p->n_fields++;
					if (wt == 0)
						p->state = PB_VARINT;
					else if (wt == 1) {
						p->left = 8;
						p->state = PB_SKIP;
					} else if (wt == 5) {
						p->left = 4;
						p->state = PB_SKIP;
					} else if (wt == 2)
						p->state = PB_LEN;
					else
						pb_stop(p, "unsupported wire type %u (groups) at offset %" PRIu64, wt,
							p->offset);
				} else if (p->state == PB_VARINT) {
					if (p->field == 1) {
						p->ir_version = v;
						p->have_ir = 1;
					} else if (p->field == 5) {
						p->model_version = v;
						p->have_mv = 1;
					}
					p->state = PB_TAG;
				} else {
					p->left = v;
					if (p->field == 7)
						p->seen_graph = 1;
					p->state = pb_wanted(p->field, v) ? PB_COLLECT : PB_SKIP;
					if (p->left == 0) {
						if (p->state == PB_COLLECT)
							pb_field_done(p);
						p->state = PB_TAG;
					}
				}
			}
			break;
		}
		case PB_SKIP:
		case PB_COLLECT: {
			size_t take = len - i;

			if ((uint64_t)take > p->left)
				take = (size_t)p->left;
			if (p->state == PB_COLLECT && sc_buf_append(&p->fb, b + i, take) != 0)
				return SC_ENOMEM;
			i += take;
			p->offset += take;
			p->left -= take;
			if (p->left == 0) {
				if (p->state == PB_COLLECT)
					pb_field_done(p);
				p->state = PB_TAG;
			}
			break;
		}
		}
	}
	return 0;
}

int sc_model_from_pbscan(sc_model_info *out, const sc_pbscan *p, uint64_t file_size)
{
	char opsets[1024];
	size_t k, o = 0;
	int rc, found_default = 0;

	out->format = "onnx";
	if (p->error[0])
		mf_err(out, SC_NOTE_WARNING, "%s", p->error);
	if (p->offset >= file_size && p->state != PB_TAG && p->state != PB_STOP)
		mf_err(out, SC_NOTE_WARNING, "file ends inside field %u", p->field);
	if (!p->have_ir && !p->n_fields)
		mf_err(out, SC_NOTE_WARNING, "no ModelProto fields");
	if (p->have_ir && (rc = prop_u64(out, "ir_version", p->ir_version)) != 0)
		return rc;
	if (p->have_mv && (rc = prop_u64(out, "model_version", p->model_version)) != 0)
		return rc;
	if (p->producer[0] && (rc = prop(out, "producer", p->producer)) != 0)
		return rc;
	if (p->producer_version[0] && (rc = prop(out, "producer_version", p->producer_version)) != 0)
		return rc;
	if (p->domain[0] && (rc = prop(out, "domain", p->domain)) != 0)
		return rc;
	opsets[0] = '\0';
	for (k = 0; k < p->n_opsets; k++) {
		const char *d = p->opsets[k].domain;
		int w;

		if (!found_default && (!d[0] || !strcmp(d, "ai.onnx"))) {
			if ((rc = prop_u64(out, "opset", p->opsets[k].version)) != 0)
				return rc;
			found_default = 1;
		}
		w = snprintf(opsets + o, sizeof(opsets) - o, "%s%s:%" PRIu64, k ? "," : "", d[0] ? d : "ai.onnx",
			     p->opsets[k].version);
		if (w < 0 || (size_t)w >= sizeof(opsets) - o)
			break;
		o += (size_t)w;
	}
	if (o && (rc = prop(out, "opsets", opsets)) != 0)
		return rc;
	if (!p->n_opsets && p->offset < file_size && !p->error[0])
		mf_err(out, SC_NOTE_INFO, "opset_import not within the first %" PRIu64 " bytes read", p->offset);
	return 0;
}

int sc_model_parse_onnx(sc_model_info *out, const unsigned char *buf, size_t len, uint64_t file_size)
{
	sc_pbscan *p = NULL;
	int rc;

	if ((rc = sc_pbscan_new(&p)) != 0)
		return rc;
	if ((rc = sc_pbscan_feed(p, buf, len)) == 0)
		rc = sc_model_from_pbscan(out, p, file_size < len ? len : file_size);
	sc_pbscan_free(p);
	return rc;
}

/* ------------------------------------------------------------------ */
/* pickle: facts from the audit scanner's opcode walk (audit/pickle.c)  */

#define PK_MAX_PICKLES 16

/*
 * Pickle facts into mi; complete = buf is the whole file.  The walk is
 * sc_pickle_scan_ex() in prefix mode (the cataloger keeps only the first
 * bytes of a file), reading up to PK_MAX_PICKLES pickles back to back as
 * legacy torch.save writes them, each after the first starting with PROTO.
 */
static int pk_props(sc_model_info *mi, const unsigned char *buf, size_t len, int complete, int *is_pickle)
{
	sc_pickle_report res;
	sc_pickle_opts o;
	strset globals;
	size_t i;
	int rc;

	memset(&globals, 0, sizeof(globals));
	memset(&o, 0, sizeof(o));
	o.prefix = 1;
	o.max_pickles = PK_MAX_PICKLES;
	o.proto_only_after_stop = 1;
	if ((rc = sc_pickle_scan_ex(&res, buf, len, "pickle", &o)) != 0)
		return rc;
	/* a stream with no PROTO first must end a pickle cleanly (or fill the capture) to count */
	if (len && buf[0] == 0x80)
		*is_pickle = !(res.malformed && res.pickles == 0 && res.error_offset == 0);
	else
		*is_pickle = !res.malformed && (res.pickles > 0 || !complete);
	if (res.malformed && *is_pickle)
		mf_err(mi, SC_NOTE_WARNING, "%s", res.error);
	else if (res.truncated && complete && res.pickles == 0)
		mf_err(mi, SC_NOTE_WARNING, "pickle has no STOP opcode");
	if (res.protocol >= 0 && (rc = prop_u64(mi, "pickle.protocol", (uint64_t)res.protocol)) != 0)
		goto out;
	for (i = 0; i < res.n_imports; i++) {
		char g[256];
		int n = snprintf(g, sizeof(g), "%s.%s", res.imports[i].module, res.imports[i].name);

		if (n < 0 || (size_t)n >= sizeof(g))
			continue; /* over-long names: not useful as an SBOM property */
		if ((rc = strset_add(&globals, g, (size_t)n, res.imports[i].count)) != 0)
			goto out;
	}
	if (res.imports_dropped)
		globals.more = 1;
	rc = strset_prop(mi, "pickle.globals", &globals);
out:
	strset_release(&globals);
	sc_pickle_report_release(&res);
	return rc;
}

static const char *compression_magic(const unsigned char *b, size_t len)
{
	if (len >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return "gzip";
	if (len >= 2 && b[0] == 0x78 && (b[1] == 0x01 || b[1] == 0x5e || b[1] == 0x9c || b[1] == 0xda))
		return "zlib";
	if (len >= 3 && !memcmp(b, "BZh", 3))
		return "bz2";
	if (len >= 6 && !memcmp(b, "\xfd" "7zXZ\0", 6))
		return "xz";
	if (len >= 4 && !memcmp(b, "\x04\x22\x4d\x18", 4))
		return "lz4";
	return NULL;
}

int sc_model_parse_pickle(sc_model_info *out, const unsigned char *buf, size_t len, uint64_t file_size,
			  int strict)
{
	const char *comp;
	int is_pickle = 0, rc;

	if (len >= 2 && buf[0] == 0x80 && buf[1] >= 2 && buf[1] <= 5) {
		out->format = "pickle";
		out->pickle_based = 1;
		return pk_props(out, buf, len, (uint64_t)len >= file_size, &is_pickle);
	}
	if (strict)
		return 0; /* .bin: only a PROTO 2..5 pickle counts */
	if ((comp = compression_magic(buf, len)) != NULL) {
		out->format = "pickle";
		out->pickle_based = 1;
		return prop(out, "compression", comp);
	}
	if (len == 0) {
		mf_err(out, SC_NOTE_INFO, "empty file");
		return 0;
	}
	{
		sc_model_info tmp;

		sc_model_info_init(&tmp);
		rc = pk_props(&tmp, buf, len, (uint64_t)len >= file_size, &is_pickle);
		if (rc == 0 && is_pickle && !(tmp.error[0] && tmp.error_level == SC_NOTE_WARNING &&
					      strstr(tmp.error, "unknown pickle opcode"))) {
			/* a protocol 0/1 pickle: take its facts */
			out->format = "pickle";
			out->pickle_based = 1;
			sc_kv_list_release(&out->props);
			out->props = tmp.props;
			memset(&tmp.props, 0, sizeof(tmp.props));
			if (tmp.error[0])
				mf_err(out, tmp.error_level, "%s", tmp.error);
		} else if (rc == 0) {
			mf_err(out, SC_NOTE_INFO, "neither a pickle nor a zip archive");
		}
		sc_model_info_release(&tmp);
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* NumPy .npy                                                          */

typedef struct {
	char descr[64];
	int structured;
	int object;
	int fortran;
	int have_shape;
	uint64_t elems;
	char shape[128];
	char err[128];
} npy_hdr;

static void skip_ws(const unsigned char *b, size_t len, size_t *i)
{
	while (*i < len && (b[*i] == ' ' || b[*i] == '\t' || b[*i] == '\n' || b[*i] == '\r'))
		(*i)++;
}

/* A Python string literal ('..' or ".."); no escapes in the npy header keys/values we need. */
static int npy_str(const unsigned char *b, size_t len, size_t *i, const unsigned char **s, size_t *n)
{
	unsigned char q;
	size_t st;

	if (*i >= len || (b[*i] != '\'' && b[*i] != '"'))
		return -1;
	q = b[(*i)++];
	st = *i;
	while (*i < len && b[*i] != q) {
		if (b[*i] == '\\')
			(*i)++;
		(*i)++;
	}
	if (*i >= len)
		return -1;
	*s = b + st;
	*n = *i - st;
	(*i)++;
	return 0;
}

/* A dtype code for Python objects: [|<>=]?O[0-9]* */
static int npy_object_code(const unsigned char *s, size_t n)
{
	size_t i = 0;

	if (n && (s[0] == '|' || s[0] == '<' || s[0] == '>' || s[0] == '='))
		i++;
	if (i >= n || s[i] != 'O')
		return 0;
	for (i++; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* Skip a bracketed value ([...] or (...)), strings included; bounded depth, no recursion. */
static int npy_skip_nested(const unsigned char *b, size_t len, size_t *i, int *object)
{
	int depth = 0;

	while (*i < len) {
		unsigned char c = b[*i];

		if (c == '\'' || c == '"') {
			const unsigned char *s;
			size_t n;

			if (npy_str(b, len, i, &s, &n))
				return -1;
			if (npy_object_code(s, n))
				*object = 1;
			continue;
		}
		if (c == '[' || c == '(') {
			if (++depth > 32)
				return -1;
		} else if (c == ']' || c == ')') {
			if (--depth == 0) {
				(*i)++;
				return 0;
			}
		}
		(*i)++;
	}
	return -1;
}

static int npy_parse_header(const unsigned char *b, size_t len, npy_hdr *h)
{
	size_t i = 0;

	memset(h, 0, sizeof(*h));
	skip_ws(b, len, &i);
	if (i >= len || b[i++] != '{')
		goto bad;
	for (;;) {
		const unsigned char *k, *s;
		size_t kn, sn;

		skip_ws(b, len, &i);
		if (i < len && b[i] == '}')
			break;
		if (npy_str(b, len, &i, &k, &kn))
			goto bad;
		skip_ws(b, len, &i);
		if (i >= len || b[i++] != ':')
			goto bad;
		skip_ws(b, len, &i);
		if (i >= len)
			goto bad;
		if (kn == 5 && !memcmp(k, "descr", 5)) {
			if (b[i] == '[') {
				h->structured = 1;
				snprintf(h->descr, sizeof(h->descr), "structured");
				if (npy_skip_nested(b, len, &i, &h->object))
					goto bad;
			} else {
				if (npy_str(b, len, &i, &s, &sn))
					goto bad;
				pb_copy(h->descr, sizeof(h->descr), s, sn);
				if (npy_object_code(s, sn))
					h->object = 1;
			}
		} else if (kn == 13 && !memcmp(k, "fortran_order", 13)) {
			if (len - i >= 4 && !memcmp(b + i, "True", 4)) {
				h->fortran = 1;
				i += 4;
			} else if (len - i >= 5 && !memcmp(b + i, "False", 5)) {
				i += 5;
			} else {
				goto bad;
			}
		} else if (kn == 5 && !memcmp(k, "shape", 5)) {
			size_t o = 0;

			if (b[i++] != '(')
				goto bad;
			h->elems = 1;
			for (;;) {
				uint64_t v = 0;
				int digits = 0;

				skip_ws(b, len, &i);
				if (i < len && b[i] == ')') {
					i++;
					break;
				}
				while (i < len && b[i] >= '0' && b[i] <= '9') {
					if (mul64(v, 10, &v) || add64(v, (uint64_t)(b[i] - '0'), &v)) {
						snprintf(h->err, sizeof(h->err), "shape dimension overflows");
						return -1;
					}
					digits++;
					i++;
				}
				while (i < len && b[i] == 'L') /* Python 2 longs */
					i++;
				if (!digits)
					goto bad;
				if (mul64(h->elems, v, &h->elems)) {
					snprintf(h->err, sizeof(h->err), "shape product overflows");
					return -1;
				}
				if (o < sizeof(h->shape) - 24)
					o += (size_t)snprintf(h->shape + o, sizeof(h->shape) - o, "%s%" PRIu64,
							      o ? "," : "", v);
				skip_ws(b, len, &i);
				if (i < len && b[i] == ',')
					i++;
			}
			h->have_shape = 1;
		} else {
			goto bad;
		}
		skip_ws(b, len, &i);
		if (i < len && b[i] == ',')
			i++;
	}
	if (!h->descr[0] || !h->have_shape)
		goto bad;
	return 0;
bad:
	if (!h->err[0])
		snprintf(h->err, sizeof(h->err), "malformed .npy header dictionary");
	return -1;
}

/* The header dict of an .npy prefix: 0 ok (h filled), -1 bad (h->err), 1 truncated. */
static int npy_header(const unsigned char *buf, size_t len, npy_hdr *h)
{
	uint64_t hl;
	size_t pre;

	memset(h, 0, sizeof(*h));
	if (len < 10 || memcmp(buf, "\x93NUMPY", 6) != 0) {
		snprintf(h->err, sizeof(h->err), "bad .npy magic");
		return -1;
	}
	if (buf[6] == 1) {
		hl = le16(buf + 8);
		pre = 10;
	} else if (buf[6] == 2 || buf[6] == 3) {
		if (len < 12)
			return 1;
		hl = le32(buf + 8);
		pre = 12;
	} else {
		snprintf(h->err, sizeof(h->err), "unsupported .npy version %u", buf[6]);
		return -1;
	}
	if (hl > (1u << 20)) {
		snprintf(h->err, sizeof(h->err), ".npy header of %" PRIu64 " bytes is too large", hl);
		return -1;
	}
	if (hl > len - pre)
		return 1;
	return npy_parse_header(buf + pre, (size_t)hl, h);
}

int sc_model_parse_npy(sc_model_info *out, const unsigned char *buf, size_t len, uint64_t file_size)
{
	npy_hdr h;
	int r, rc;

	out->format = "numpy";
	r = npy_header(buf, len, &h);
	if (r == 1) {
		mf_err(out, SC_NOTE_WARNING, ".npy header truncated");
		return 0;
	}
	if (r < 0) {
		mf_err(out, SC_NOTE_WARNING, "%s", h.err);
		return 0;
	}
	out->pickle_based = h.object;
	out->parameters = h.elems;
	if ((rc = prop(out, "dtype", h.descr)) != 0 || (rc = prop(out, "shape", h.shape)) != 0 ||
	    (rc = prop(out, "fortran_order", h.fortran ? "true" : "false")) != 0)
		return rc;
	(void)file_size;
	return 0;
}

/* ------------------------------------------------------------------ */
/* zip local-header scanner (APPNOTE 4.3.7)                            */

#define ZIP_MAX_ENTRIES 1000000u
#define ZIP_MAX_PKL 16
#define ZIP_PKL_CAP (64u << 10)
#define ZIP_NPY_CAP 4096u
#define ZIP_JSON_CAP (64u << 10)

enum { Z_HDR, Z_VAR, Z_DATA, Z_DDATA, Z_DESC, Z_END };
enum { ZC_NONE, ZC_PKL, ZC_NPY, ZC_CONFIG };

struct sc_zipscan {
	int state;
	unsigned char fixed[30];
	size_t have;
	sc_buf var;
	size_t var_need;
	uint64_t data_left;
	uint64_t dcount;     /* Z_DDATA: bytes since the entry's data began */
	unsigned char dwin[24]; /* Z_DDATA: the last 24 bytes (when a 'P' is among them) */
	unsigned dhot;       /* Z_DDATA: bytes until the last 'P' leaves the window */
	int after_desc;      /* previous entry had a data descriptor */
	unsigned char win[4];
	size_t desc_seen;
	int cap_kind;
	size_t cap_max;
	sc_buf cap;          /* current entry's captured prefix */
	/* results */
	uint64_t entries;
	uint64_t n_npy, n_npy_parsed, npy_elems;
	int npy_object, npy_overflow;
	strset npy_dtypes;
	char *pkl_names[ZIP_MAX_PKL];
	size_t n_pkl;
	uint64_t n_pkl_total;
	int torchscript;
	int has_config, has_keras_meta, has_weights_h5, other_entries;
	unsigned char *pkl;  /* first stored data.pkl prefix */
	size_t pkl_len;
	int pkl_complete;
	unsigned char *config; /* stored config.json */
	size_t config_len;
	int config_complete;
	int started, not_zip;
	char stop[160];
};

int sc_zipscan_new(sc_zipscan **out)
{
	sc_zipscan *z = sc_calloc(1, sizeof(*z));

	if (!z)
		return SC_ENOMEM;
	sc_buf_init(&z->var, 2 * 65535, "zip header");
	sc_buf_init(&z->cap, ZIP_PKL_CAP, "zip entry");
	*out = z;
	return 0;
}

void sc_zipscan_free(sc_zipscan *z)
{
	size_t i;

	if (!z)
		return;
	sc_buf_release(&z->var);
	sc_buf_release(&z->cap);
	for (i = 0; i < z->n_pkl; i++)
		free(z->pkl_names[i]);
	strset_release(&z->npy_dtypes);
	free(z->pkl);
	free(z->config);
	free(z);
}

static void z_stop(sc_zipscan *z, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void z_stop(sc_zipscan *z, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(z->stop, sizeof(z->stop), fmt, ap);
	va_end(ap);
	z->state = Z_END;
}

static int ends_with(const char *s, size_t n, const char *suf)
{
	size_t sl = strlen(suf);

	return n >= sl && memcmp(s + n - sl, suf, sl) == 0;
}

/* The entry's captured prefix is complete (or full): use it. */
static int z_entry_done(sc_zipscan *z, int whole)
{
	int rc = 0;

	if (z->cap.len >= z->cap_max)
		whole = 0; /* the capture is a prefix */
	if (z->cap_kind == ZC_PKL && !z->pkl) {
		z->pkl_len = z->cap.len;
		z->pkl = (unsigned char *)sc_buf_detach(&z->cap, NULL);
		z->pkl_complete = whole;
		if (!z->pkl && z->pkl_len)
			return SC_ENOMEM;
	} else if (z->cap_kind == ZC_CONFIG && !z->config) {
		z->config_len = z->cap.len;
		z->config = (unsigned char *)sc_buf_detach(&z->cap, NULL);
		z->config_complete = whole;
		if (!z->config && z->config_len)
			return SC_ENOMEM;
	} else if (z->cap_kind == ZC_NPY) {
		npy_hdr h;

		if (npy_header((const unsigned char *)z->cap.data, z->cap.len, &h) == 0) {
			z->n_npy_parsed++;
			if (h.object)
				z->npy_object = 1;
			if (add64(z->npy_elems, h.elems, &z->npy_elems))
				z->npy_overflow = 1;
			rc = strset_add(&z->npy_dtypes, h.descr, strlen(h.descr), h.elems);
		}
	}
	sc_buf_reset(&z->cap);
	z->cap_kind = ZC_NONE;
	return rc;
}

/* A complete local header (fixed + name + extra) is in z->fixed / z->var. */
static int z_header(sc_zipscan *z)
{
	const unsigned char *f = z->fixed;
	uint16_t flags = le16(f + 6), method = le16(f + 8), nl = le16(f + 26), xl = le16(f + 28);
	uint64_t csize = le32(f + 18), usize = le32(f + 22);
	const char *name = z->var.data ? z->var.data : "";
	const unsigned char *x = (const unsigned char *)name + nl;
	size_t xo = 0;

	if (csize == 0xffffffffu || usize == 0xffffffffu) {
		/* Zip64 extended information extra field (APPNOTE 4.5.3) */
		int found = 0;

		while (xo + 4 <= xl) {
			uint16_t id = le16(x + xo), sz = le16(x + xo + 2);

			if (sz > xl - xo - 4)
				break;
			if (id == 0x0001) {
				const unsigned char *d = x + xo + 4;
				size_t o = 0;

				if (usize == 0xffffffffu && o + 8 <= sz) {
					usize = le64(d + o);
					o += 8;
				}
				if (csize == 0xffffffffu && o + 8 <= sz) {
					csize = le64(d + o);
					found = 1;
				}
				break;
			}
			xo += 4u + sz;
		}
		if (!found && csize == 0xffffffffu) {
			z_stop(z, "zip64 entry without sizes; entry list incomplete");
			return 0;
		}
	}
	z->entries++;
	if (z->entries > ZIP_MAX_ENTRIES) {
		z_stop(z, "more than %u entries; listing stopped", ZIP_MAX_ENTRIES);
		return 0;
	}
	z->after_desc = (flags & 0x08) != 0;
	z->cap_kind = ZC_NONE;
	if (ends_with(name, nl, "data.pkl")) {
		z->n_pkl_total++;
		if (z->n_pkl < ZIP_MAX_PKL) {
			z->pkl_names[z->n_pkl] = dup_clean(name, nl, 512);
			if (!z->pkl_names[z->n_pkl])
				return SC_ENOMEM;
			z->n_pkl++;
		}
		if (method == 0 && !z->pkl) {
			z->cap_kind = ZC_PKL;
			z->cap_max = ZIP_PKL_CAP;
		}
	} else if (ends_with(name, nl, ".npy")) {
		z->n_npy++;
		if (method == 0) {
			z->cap_kind = ZC_NPY;
			z->cap_max = ZIP_NPY_CAP;
		}
	} else if (nl == 11 && !memcmp(name, "config.json", 11)) {
		z->has_config = 1;
		if (method == 0 && !z->config) {
			z->cap_kind = ZC_CONFIG;
			z->cap_max = ZIP_JSON_CAP;
		}
	} else if (nl == 13 && !memcmp(name, "metadata.json", 13)) {
		z->has_keras_meta = 1;
	} else if (nl == 16 && !memcmp(name, "model.weights.h5", 16)) {
		z->has_weights_h5 = 1;
	} else if (!(nl && name[nl - 1] == '/')) {
		z->other_entries = 1;
	}
	if ((nl >= 5 && !memcmp(name, "code/", 5)) || memmem(name, nl, "/code/", 6) ||
	    ends_with(name, nl, "constants.pkl"))
		z->torchscript = 1;
	if ((flags & 0x08) && csize == 0) {
		/* sizes follow the data in a descriptor (PyTorch's writer does this) */
		z->dcount = 0;
		z->dhot = 0;
		z->state = Z_DDATA;
		return 0;
	}
	z->data_left = csize;
	z->state = Z_DATA;
	if (csize == 0)
		return z_entry_done(z, 1);
	return 0;
}

/* Capture entry bytes when the current entry is being captured. */
static int z_capture(sc_zipscan *z, const unsigned char *b, size_t n)
{
	size_t c;

	if (z->cap_kind == ZC_NONE || z->cap.len >= z->cap_max)
		return 0;
	c = z->cap_max - z->cap.len < n ? z->cap_max - z->cap.len : n;
	return sc_buf_append(&z->cap, b, c) != 0 ? SC_ENOMEM : 0;
}

/*
 * Data of unknown size, ended by a signed data descriptor (APPNOTE 4.3.9):
 * "PK\7\10" crc32 csize usize (4-byte sizes, or 8-byte ones for Zip64)
 * whose csize equals the bytes before it.  Bytes are skipped with memchr
 * until a 'P' shows up; only the 24 bytes after each 'P' are looked at
 * one by one.  Returns the bytes of buf consumed; *done when the entry ended.
 */
static size_t z_ddata(sc_zipscan *z, const unsigned char *buf, size_t len, int *done)
{
	size_t i = 0;

	*done = 0;
	while (i < len) {
		unsigned char c;

		if (!z->dhot) {
			const unsigned char *p = memchr(buf + i, 'P', len - i);
			size_t skip = p ? (size_t)(p - (buf + i)) : len - i;

			z->dcount += skip;
			i += skip;
			memset(z->dwin, 0, sizeof(z->dwin));
			if (!p)
				break;
		}
		c = buf[i++];
		z->dcount++;
		memmove(z->dwin, z->dwin + 1, sizeof(z->dwin) - 1);
		z->dwin[sizeof(z->dwin) - 1] = c;
		if (c == 'P')
			z->dhot = sizeof(z->dwin);
		else if (z->dhot)
			z->dhot--;
		if (z->dcount >= 16 && !memcmp(z->dwin + 8, "PK\x07\x08", 4) &&
		    le32(z->dwin + 16) == z->dcount - 16) {
			*done = 1;
			return i;
		}
		if (z->dcount >= 24 && !memcmp(z->dwin, "PK\x07\x08", 4) && le64(z->dwin + 8) == z->dcount - 24) {
			*done = 1;
			return i;
		}
	}
	return i;
}

int sc_zipscan_feed(sc_zipscan *z, const void *data, size_t len)
{
	const unsigned char *b = data;
	size_t i = 0;
	int rc;

	while (i < len && z->state != Z_END) {
		switch (z->state) {
		case Z_DESC: {
			/* After a data descriptor entry: look for the next signature within 24 bytes. */
			z->win[0] = z->win[1];
			z->win[1] = z->win[2];
			z->win[2] = z->win[3];
			z->win[3] = b[i++];
			z->desc_seen++;
			if (z->desc_seen >= 4 && z->win[0] == 'P' && z->win[1] == 'K' &&
			    ((z->win[2] == 3 && z->win[3] == 4) || (z->win[2] == 1 && z->win[3] == 2) ||
			     (z->win[2] == 5 && z->win[3] == 6))) {
				if (z->win[2] == 3) {
					memcpy(z->fixed, z->win, 4);
					z->have = 4;
					z->state = Z_HDR;
				} else {
					z->state = Z_END; /* central directory: done */
				}
			} else if (z->desc_seen > 28) {
				z_stop(z, "no entry after a data descriptor; entry list incomplete");
			}
			break;
		}
		case Z_HDR: {
			size_t take = 30 - z->have < len - i ? 30 - z->have : len - i;

			memcpy(z->fixed + z->have, b + i, take);
			z->have += take;
			i += take;
			if (z->have >= 4 && le32(z->fixed) != 0x04034b50u) {
				uint32_t sig = le32(z->fixed);

				if (!z->started)
					z->not_zip = 1;
				if (sig == 0x02014b50u || sig == 0x06054b50u || sig == 0x06064b50u)
					z->state = Z_END; /* central directory: every entry seen */
				else
					z_stop(z, "unexpected bytes where a zip entry should start");
				break;
			}
			if (z->have < 30)
				break;
			z->started = 1;
			z->var_need = (size_t)le16(z->fixed + 26) + le16(z->fixed + 28);
			sc_buf_reset(&z->var);
			z->state = Z_VAR;
			if (z->var_need == 0 && (rc = z_header(z)) != 0)
				return rc;
			break;
		}
		case Z_VAR: {
			size_t take = z->var_need - z->var.len < len - i ? z->var_need - z->var.len : len - i;

			if (sc_buf_append(&z->var, b + i, take) != 0)
				return SC_ENOMEM;
			i += take;
			if (z->var.len == z->var_need && (rc = z_header(z)) != 0)
				return rc;
			break;
		}
		case Z_DDATA: {
			int done;
			size_t used = z_ddata(z, b + i, len - i, &done);

			if ((rc = z_capture(z, b + i, used)) != 0)
				return rc;
			i += used;
			if (done) {
				if ((rc = z_entry_done(z, 1)) != 0)
					return rc;
				z->have = 0;
				z->state = Z_HDR;
			}
			break;
		}
		case Z_DATA: {
			size_t take = len - i;

			if ((uint64_t)take > z->data_left)
				take = (size_t)z->data_left;
			if ((rc = z_capture(z, b + i, take)) != 0)
				return rc;
			i += take;
			z->data_left -= take;
			if (z->data_left == 0) {
				if ((rc = z_entry_done(z, 1)) != 0)
					return rc;
				z->have = 0;
				if (z->after_desc) {
					z->desc_seen = 0;
					memset(z->win, 0, sizeof(z->win));
					z->state = Z_DESC;
				} else {
					z->state = Z_HDR;
				}
			} else if (z->cap_kind != ZC_NONE && z->cap.len >= z->cap_max) {
				if ((rc = z_entry_done(z, 0)) != 0)
					return rc;
			}
			break;
		}
		}
	}
	return 0;
}

static int keras_config(sc_model_info *out, const unsigned char *cfg, size_t len, int complete)
{
	char cls[128];

	if (complete) {
		json_t *j = NULL;

		if (sc_json_parse(&j, (const char *)cfg, len, len, 64, "keras config.json") == 0) {
			const char *c = sc_json_str(j, "class_name");
			int rc = 0;

			if (c)
				rc = set_str(&out->architecture, c, strlen(c), 128);
			json_decref(j);
			return rc;
		}
		sc_error_clear();
	}
	if (scan_json_str(cfg, len, "class_name", cls, sizeof(cls)))
		return set_str(&out->architecture, cls, strlen(cls), 128);
	return 0;
}

int sc_model_from_zip(sc_model_info *out, const sc_zipscan *z, const char *ext, uint64_t file_size)
{
	int rc;

	(void)file_size;
	if (z->not_zip || !z->started) {
		mf_err(out, SC_NOTE_WARNING, "not a zip archive");
		return 0;
	}
	if (z->n_pkl_total) {
		out->format = "pytorch-zip";
		out->pickle_based = 1;
	} else if (z->n_npy && !z->other_entries && !z->has_config) {
		out->format = "numpy-zip";
		out->pickle_based = z->npy_object;
	} else if (z->has_config && (z->has_keras_meta || z->has_weights_h5 || !strcmp(ext, "keras"))) {
		out->format = "keras";
	} else if (!strcmp(ext, "npz")) {
		out->format = "numpy-zip";
		out->pickle_based = z->npy_object;
	} else {
		/* a zip with an ML extension but none of the known layouts */
		if (!strcmp(ext, "bin"))
			return 0;
		out->format = "zip";
		mf_err(out, SC_NOTE_INFO, "zip archive without data.pkl, .npy entries or config.json");
	}
	if (z->stop[0])
		mf_err(out, SC_NOTE_INFO, "%s", z->stop);
	else if (z->state != Z_END)
		mf_err(out, SC_NOTE_INFO, "zip entries continue past the bytes read");
	if ((rc = prop_u64(out, "zip.entries", z->entries)) != 0)
		return rc;
	if (z->n_pkl) {
		sc_buf b;
		size_t i;

		sc_buf_init(&b, 16 * 600, "pickle.files");
		for (i = 0; i < z->n_pkl && !rc; i++)
			rc = sc_buf_printf(&b, "%s%s", i ? "," : "", z->pkl_names[i]);
		if (!rc)
			rc = prop(out, "pickle.files", b.data);
		sc_buf_release(&b);
		if (rc)
			return rc;
	}
	if (z->torchscript && !strcmp(out->format, "pytorch-zip") && (rc = prop(out, "pytorch.torchscript", "true")))
		return rc;
	if (z->pkl) {
		int is_pickle = 0;

		if ((rc = pk_props(out, z->pkl, z->pkl_len, z->pkl_complete, &is_pickle)) != 0)
			return rc;
	}
	if (!strcmp(out->format, "numpy-zip")) {
		if ((rc = prop_u64(out, "arrays", z->n_npy)) != 0 || (rc = strset_prop(out, "dtypes", &z->npy_dtypes)))
			return rc;
		if (z->n_npy && z->n_npy_parsed == z->n_npy && !z->npy_overflow)
			out->parameters = z->npy_elems;
	}
	if (!strcmp(out->format, "keras") && z->config)
		return keras_config(out, z->config, z->config_len, z->config_complete);
	return 0;
}

/* ------------------------------------------------------------------ */
/* HDF5 (Keras .h5)                                                    */

int sc_model_parse_hdf5(sc_model_info *out, const unsigned char *buf, size_t len, uint64_t file_size)
{
	static const unsigned char sig[8] = { 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n' };
	size_t off;
	int found = 0;
	char cls[128];

	(void)file_size;
	/* The superblock is at 0, 512, 1024, 2048... (after an optional user block). */
	for (off = 0; off + 8 <= len; off = off ? off * 2 : 512)
		if (!memcmp(buf + off, sig, 8)) {
			found = 1;
			break;
		}
	if (!found) {
		mf_err(out, SC_NOTE_INFO, "no HDF5 signature");
		return 0;
	}
	out->format = "keras-h5";
	if (buf && (memmem(buf, len, "model_config", 12) || memmem(buf, len, "keras_version", 13))) {
		int rc = prop(out, "keras.config", "found");

		if (rc)
			return rc;
		if (scan_json_str(buf, len, "class_name", cls, sizeof(cls)))
			return set_str(&out->architecture, cls, strlen(cls), 128);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Hugging Face config.json / tokenizer files                          */

int sc_model_parse_config(sc_model_info *out, const unsigned char *buf, size_t len, uint64_t file_size)
{
	json_t *j = NULL, *arch, *qc;
	const char *mt, *s;
	char tmp[128];
	int rc = 0;

	if ((uint64_t)len < file_size) {
		/* too large to parse whole: look for the keys as text */
		if (!scan_json_str(buf, len, "model_type", tmp, sizeof(tmp)))
			return 0;
		out->format = "model-config";
		return prop(out, "model_type", tmp);
	}
	if (sc_json_parse(&j, (const char *)buf, len, len, 32, "config.json") != 0) {
		sc_error_clear(); /* not ours to judge: many config.json files are not model configs */
		return 0;
	}
	arch = json_object_get(j, "architectures");
	mt = sc_json_str(j, "model_type");
	if (!json_is_object(j) || (!json_is_array(arch) && !mt))
		goto out;
	out->format = "model-config";
	if (json_is_array(arch) && json_is_string(json_array_get(arch, 0))) {
		s = json_string_value(json_array_get(arch, 0));
		if ((rc = set_str(&out->architecture, s, strlen(s), 128)) != 0)
			goto out;
	}
	if (mt && (rc = prop(out, "model_type", mt)) != 0)
		goto out;
	if ((s = sc_json_str(j, "torch_dtype")) && (rc = prop(out, "torch_dtype", s)) != 0)
		goto out;
	if ((s = sc_json_str(j, "transformers_version")) && (rc = prop(out, "transformers_version", s)) != 0)
		goto out;
	qc = json_object_get(j, "quantization_config");
	if (json_is_object(qc) && (s = sc_json_str(qc, "quant_method"))) {
		json_t *bits = json_object_get(qc, "bits");

		if (json_is_integer(bits))
			snprintf(tmp, sizeof(tmp), "%.64s-%lldbit", s, (long long)json_integer_value(bits));
		else
			snprintf(tmp, sizeof(tmp), "%.64s", s);
		rc = set_str(&out->quantization, tmp, strlen(tmp), 128);
	}
out:
	json_decref(j);
	return rc;
}

int sc_model_parse_tokenizer(sc_model_info *out, const unsigned char *buf, size_t len, uint64_t file_size,
			     int is_config)
{
	json_t *j = NULL, *v;
	const char *s;
	char tmp[128];
	int rc = 0;

	out->format = "tokenizer";
	if ((uint64_t)len < file_size) {
		if (is_config && scan_json_str(buf, len, "tokenizer_class", tmp, sizeof(tmp)))
			return prop(out, "tokenizer_class", tmp);
		return 0;
	}
	if (!(j = parse_json(out, buf, len, is_config ? "tokenizer_config.json" : "tokenizer.json")))
		return 0;
	if (is_config) {
		if ((s = sc_json_str(j, "tokenizer_class")) && (rc = prop(out, "tokenizer_class", s)) != 0)
			goto out;
		v = json_object_get(j, "model_max_length");
		if (json_is_integer(v) && json_integer_value(v) >= 0)
			rc = prop_u64(out, "model_max_length", (uint64_t)json_integer_value(v));
	} else {
		v = json_object_get(j, "model");
		if (json_is_object(v) && (s = sc_json_str(v, "type")))
			rc = prop(out, "tokenizer.model", s);
	}
out:
	json_decref(j);
	return rc;
}
