/*
 * models.c - the models cataloger: every model-format file in the image
 * (safetensors, GGUF, ONNX, PyTorch/pickle, NumPy, Keras, tokenizers and
 * Hugging Face model configs) with its size, SHA-256 and header facts.
 *
 * Model weights are never held in memory: one streaming interest hashes
 * each file while the layer streams, keeps only the leading bytes its
 * header parser needs (safetensors 8 + N bytes with N capped at 16 MiB,
 * GGUF 8 MiB, config/tokenizer_config 1 MiB, others 64 KiB), runs the zip
 * local-header scanner or the ONNX top-level protobuf scanner over the
 * whole stream, and parses in stream_end on the worker thread.  collect()
 * only turns results into catalog entries and notes.
 *
 * .bin files are only models when they are a zip or a PROTO 2..5 pickle
 * (decided from their first bytes; other .bin files stop being hashed at
 * once); config.json only when it names "architectures" or "model_type".
 */
#include "catalog/catalog.h"
#include "catalog/model_formats.h"
#include "core/buf.h"
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	MK_SAFETENSORS = 1,
	MK_GGUF,
	MK_ONNX,
	MK_PICKLE,  /* .pt .pth .ckpt .pkl .pickle .joblib */
	MK_BIN,
	MK_NPY,
	MK_NPZ,
	MK_H5,
	MK_KERAS,
	MK_TOKENIZER,
	MK_TOKCONFIG,
	MK_CONFIG,
};

#define CONFIG_HEAD (1u << 20)

static const char *const model_globs[] = {
	"**/*.safetensors", "**/*.gguf",   "**/*.onnx", "**/*.pt",     "**/*.pth",
	"**/*.bin",         "**/*.pkl",    "**/*.pickle", "**/*.ckpt", "**/*.joblib",
	"**/*.npy",         "**/*.npz",    "**/*.h5",   "**/*.keras",  "**/tokenizer.json",
	"**/tokenizer_config.json", "**/config.json", NULL,
};

typedef struct {
	int kind;
	char ext[16];
	sc_sha256 *sha;
	uint64_t size;
	sc_buf head;
	size_t head_max;
	int decided;     /* first bytes looked at */
	int ignore;      /* not a model (a .bin that is neither zip nor pickle) */
	sc_zipscan *zip;
	sc_pbscan *pb;
	unsigned char last; /* last byte of the file so far */
} mstate;

typedef struct {
	int kind;
	int ignore;
	sc_digest sha256;
	uint64_t size;
	sc_model_info info;
} mresult;

static int kind_of(const char *path, char *ext, size_t extsz)
{
	const char *base = strrchr(path, '/'), *dot;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	ext[0] = '\0';
	if (dot && strlen(dot + 1) < extsz)
		strcpy(ext, dot + 1);
	if (!strcmp(base, "tokenizer.json"))
		return MK_TOKENIZER;
	if (!strcmp(base, "tokenizer_config.json"))
		return MK_TOKCONFIG;
	if (!strcmp(base, "config.json"))
		return MK_CONFIG;
	if (!strcmp(ext, "safetensors"))
		return MK_SAFETENSORS;
	if (!strcmp(ext, "gguf"))
		return MK_GGUF;
	if (!strcmp(ext, "onnx"))
		return MK_ONNX;
	if (!strcmp(ext, "bin"))
		return MK_BIN;
	if (!strcmp(ext, "npy"))
		return MK_NPY;
	if (!strcmp(ext, "npz"))
		return MK_NPZ;
	if (!strcmp(ext, "h5"))
		return MK_H5;
	if (!strcmp(ext, "keras"))
		return MK_KERAS;
	if (!strcmp(ext, "pt") || !strcmp(ext, "pth") || !strcmp(ext, "ckpt") || !strcmp(ext, "pkl") ||
	    !strcmp(ext, "pickle") || !strcmp(ext, "joblib"))
		return MK_PICKLE;
	return 0;
}

static void mstate_free(mstate *st)
{
	if (!st)
		return;
	sc_sha256_free(st->sha);
	sc_buf_release(&st->head);
	sc_zipscan_free(st->zip);
	sc_pbscan_free(st->pb);
	free(st);
}

static void *models_begin(void *ud, const sc_entry *e)
{
	mstate *st;
	int kind;
	char ext[16];

	(void)ud;
	kind = kind_of(e->path, ext, sizeof(ext));
	if (!kind)
		return NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->kind = kind;
	memcpy(st->ext, ext, sizeof(ext));
	st->sha = sc_sha256_new();
	switch (kind) {
	case MK_SAFETENSORS: st->head_max = 8; break; /* grows to 8 + N once N is known */
	case MK_GGUF: st->head_max = SC_MF_GGUF_HEAD; break;
	case MK_ONNX: st->head_max = 0; break;        /* streamed through the protobuf scanner */
	case MK_CONFIG:
	case MK_TOKCONFIG: st->head_max = CONFIG_HEAD; break;
	default: st->head_max = SC_MF_SMALL_HEAD; break;
	}
	sc_buf_init(&st->head, kind == MK_SAFETENSORS ? 8 + SC_MF_SAFETENSORS_MAX_HEADER : st->head_max + 1,
		    "model header");
	if (!st->sha || (kind == MK_ONNX && sc_pbscan_new(&st->pb) != 0)) {
		mstate_free(st);
		return NULL;
	}
	return st;
}

static int can_be_zip(int kind)
{
	return kind == MK_PICKLE || kind == MK_BIN || kind == MK_NPZ || kind == MK_KERAS;
}

/* Look at the first bytes (at least 4, or the whole file when shorter). */
static int decide(mstate *st, uint64_t prev_size)
{
	const unsigned char *h = (const unsigned char *)st->head.data;
	size_t n = st->head.len;
	int rc;

	st->decided = 1;
	if (can_be_zip(st->kind) && n >= 4 && !memcmp(h, "PK\x03\x04", 4)) {
		if ((rc = sc_zipscan_new(&st->zip)) != 0)
			return rc;
		/* bytes before the current chunk (fewer than 4) */
		return sc_zipscan_feed(st->zip, h, (size_t)prev_size);
	}
	if (st->kind == MK_BIN && !(n >= 2 && h[0] == 0x80 && h[1] >= 2 && h[1] <= 5))
		st->ignore = 1;
	return 0;
}

static int models_data(void *state, const void *buf, size_t len)
{
	mstate *st = state;
	uint64_t prev = st->size;
	int rc;

	if (st->ignore)
		return 0;
	sc_sha256_update(st->sha, buf, len);
	st->size += len;
	if (len)
		st->last = ((const unsigned char *)buf)[len - 1];
	if (st->head.len < st->head_max) {
		size_t take = st->head_max - st->head.len < len ? st->head_max - st->head.len : len;

		if ((rc = sc_buf_append(&st->head, buf, take)) != 0)
			return rc;
	}
	if (st->kind == MK_SAFETENSORS && prev < 8 && st->head.len >= 8) {
		const unsigned char *h = (const unsigned char *)st->head.data;
		uint64_t n = 0;
		int i;

		for (i = 7; i >= 0; i--)
			n = (n << 8) | h[i];
		if (n <= SC_MF_SAFETENSORS_MAX_HEADER) {
			st->head_max = 8 + (size_t)n;
			if (len > 8 - (size_t)prev) { /* rest of this chunk after the length */
				size_t off = (size_t)(8 - prev), take = len - off;

				if (take > st->head_max - st->head.len)
					take = st->head_max - st->head.len;
				if ((rc = sc_buf_append(&st->head, (const char *)buf + off, take)) != 0)
					return rc;
			}
		}
	}
	if (!st->decided && st->head.len >= 4) {
		if ((rc = decide(st, prev)) != 0)
			return rc;
		if (st->ignore)
			return 0;
	}
	if (st->zip && (rc = sc_zipscan_feed(st->zip, buf, len)) != 0)
		return rc;
	if (st->pb && (rc = sc_pbscan_feed(st->pb, buf, len)) != 0)
		return rc;
	return 0;
}

/*
 * Only the head of a pickle is walked, but the whole file streams by: a
 * pickle longer than the head whose last byte is not STOP ('.') never
 * ends (or was cut short), which the walk of the head cannot see.
 */
static int pickle_end_check(sc_model_info *mi, const mstate *st, int rc)
{
	if (rc == 0 && mi->pickle_based && !mi->error[0] && st->size > st->head.len && st->last != '.') {
		snprintf(mi->error, sizeof(mi->error),
			 "pickle does not end with a STOP opcode: the stream never terminates or is truncated");
		mi->error_level = SC_NOTE_WARNING;
	}
	return rc;
}

static int parse(mresult *r, mstate *st)
{
	const unsigned char *h = (const unsigned char *)(st->head.data ? st->head.data : "");
	size_t n = st->head.len;
	sc_model_info *mi = &r->info;

	if (st->zip)
		return sc_model_from_zip(mi, st->zip, st->ext, st->size);
	switch (st->kind) {
	case MK_SAFETENSORS: return sc_model_parse_safetensors(mi, h, n, st->size);
	case MK_GGUF: return sc_model_parse_gguf(mi, h, n, st->size);
	case MK_ONNX: return sc_model_from_pbscan(mi, st->pb, st->size);
	case MK_BIN: return pickle_end_check(mi, st, sc_model_parse_pickle(mi, h, n, st->size, 1));
	case MK_NPY: return sc_model_parse_npy(mi, h, n, st->size);
	case MK_H5: return sc_model_parse_hdf5(mi, h, n, st->size);
	case MK_TOKENIZER: return sc_model_parse_tokenizer(mi, h, n, st->size, 0);
	case MK_TOKCONFIG: return sc_model_parse_tokenizer(mi, h, n, st->size, 1);
	case MK_CONFIG: return sc_model_parse_config(mi, h, n, st->size);
	case MK_NPZ:
	case MK_KERAS:
		mi->format = st->kind == MK_NPZ ? "numpy-zip" : "keras";
		mi->pickle_based = 0;
		snprintf(mi->error, sizeof(mi->error), "not a zip archive");
		mi->error_level = SC_NOTE_WARNING;
		return 0;
	default: return pickle_end_check(mi, st, sc_model_parse_pickle(mi, h, n, st->size, 0));
	}
}

static void *models_end(void *state, int failed)
{
	mstate *st = state;
	mresult *r = NULL;

	if (!st)
		return NULL;
	if (failed)
		goto out;
	if (!st->decided && !st->ignore && decide(st, st->size) != 0)
		goto out;
	r = calloc(1, sizeof(*r));
	if (!r)
		goto out;
	r->kind = st->kind;
	r->size = st->size;
	r->ignore = st->ignore;
	sc_model_info_init(&r->info);
	if (!st->ignore) {
		sc_sha256_final(st->sha, &r->sha256);
		if (parse(r, st) != 0) {
			sc_model_info_release(&r->info);
			free(r);
			r = NULL;
		}
	}
	sc_error_clear();
out:
	mstate_free(st);
	return r;
}

static void models_free(void *ud, void *result)
{
	mresult *r = result;

	(void)ud;
	if (!r)
		return;
	sc_model_info_release(&r->info);
	free(r);
}

static const sc_interest models_interest = {
	.name = "models",
	.globs = model_globs,
	.stream_begin = models_begin,
	.stream_data = models_data,
	.stream_end = models_end,
	.result_free = models_free,
};

static const sc_interest *const models_interests[] = { &models_interest, NULL };

static int visit(const sc_fsnode *n, void *ud)
{
	sc_catalog *cat = ud;
	const sc_capture *c;
	const mresult *r;
	sc_model_file m;

	if (n->e.type != SC_FT_REG && n->e.type != SC_FT_HARDLINK)
		return 0;
	c = sc_fsnode_capture(n, &models_interest);
	if (!c || !c->result)
		return 0;
	r = c->result;
	if (r->ignore)
		return 0;
	if (!r->info.format) {
		/* not a model; say why only for files that claim to be one */
		if (r->info.error[0] && r->kind != MK_CONFIG && r->kind != MK_BIN)
			return sc_catalog_note(cat, (sc_note_level)r->info.error_level, "models", n->e.path, "%s",
					       r->info.error);
		return 0;
	}
	memset(&m, 0, sizeof(m));
	m.path = (char *)n->e.path;
	m.size = r->size;
	m.sha256 = r->sha256;
	m.format = (char *)r->info.format;
	m.pickle_based = r->info.pickle_based;
	m.architecture = r->info.architecture;
	m.quantization = r->info.quantization;
	m.parameters = r->info.parameters;
	m.props = r->info.props;
	{
		int rc = sc_catalog_add_model(cat, &m, NULL);

		if (rc)
			return rc;
	}
	if (r->info.error[0])
		return sc_catalog_note(cat, (sc_note_level)r->info.error_level, "models", n->e.path, "%s: %s",
				       r->info.format, r->info.error);
	return 0;
}

static int models_collect(const sc_fsview *view, sc_catalog *cat)
{
	return sc_fsview_walk(view, visit, cat);
}

const sc_cataloger sc_cataloger_models = { "models", models_interests, models_collect };
