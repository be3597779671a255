/*
 * test_models.c - the models cataloger (src/catalog/models.c) over
 * in-memory layers: every model format is found, hashed while it streams
 * and described; non-models (.bin blobs, npm config.json) are skipped;
 * hostile files give notes without stopping the others; deleted files are
 * not reported.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "catalog/catalog.h"
#include "catalogtest.h"
#include "core/digest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *load_fixture(const char *name, size_t *len)
{
	char path[1024];
	const char *root = getenv("SCUTE_SOURCE_ROOT");
	FILE *f;
	unsigned char *d;
	long n;

	snprintf(path, sizeof(path), "%s/tests/fixtures/models/%s", root ? root : ".", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	d = malloc((size_t)n + 1);
	assert_int_equal(fread(d, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return d;
}

static void put_le(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* A safetensors file with one F32 tensor of `floats` elements. */
static unsigned char *make_safetensors(size_t floats, size_t *len)
{
	char json[256];
	size_t jl, i;
	unsigned char *b;

	snprintf(json, sizeof(json),
		 "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[%zu],"
		 "\"data_offsets\":[0,%zu]}}",
		 floats, floats * 4);
	jl = strlen(json);
	*len = 8 + jl + floats * 4;
	b = malloc(*len);
	put_le(b, jl, 8);
	memcpy(b + 8, json, jl);
	for (i = 8 + jl; i < *len; i++)
		b[i] = (unsigned char)(i * 31 + 7);
	return b;
}

/* GGUF v3 with general.architecture = "qwen2", file type Q8_0 and one tensor. */
static unsigned char *make_gguf(size_t *len)
{
	static unsigned char b[512];
	size_t o = 0;

	memset(b, 0, sizeof(b));
	memcpy(b, "GGUF", 4);
	put_le(b + 4, 3, 4);
	put_le(b + 8, 1, 8);
	put_le(b + 16, 2, 8);
	o = 24;
	put_le(b + o, 20, 8);
	memcpy(b + o + 8, "general.architecture", 20);
	o += 28;
	put_le(b + o, 8, 4);
	put_le(b + o + 4, 5, 8);
	memcpy(b + o + 12, "qwen2", 5);
	o += 17;
	put_le(b + o, 17, 8);
	memcpy(b + o + 8, "general.file_type", 17);
	o += 25;
	put_le(b + o, 4, 4);
	put_le(b + o + 4, 7, 4);
	o += 8;
	put_le(b + o, 1, 8);
	b[o + 8] = 'w';
	o += 9;
	put_le(b + o, 2, 4);
	put_le(b + o + 4, 32, 8);
	put_le(b + o + 12, 16, 8);
	put_le(b + o + 20, 8, 4);
	put_le(b + o + 24, 0, 8);
	*len = sizeof(b);
	return b;
}

static const sc_model_file *model(const sc_catalog *cat, const char *path)
{
	size_t i;

	for (i = 0; i < cat->n_models; i++)
		if (!strcmp(cat->models[i].path, path))
			return &cat->models[i];
	return NULL;
}

static const sc_note *note_for(const sc_catalog *cat, const char *path)
{
	size_t i;

	for (i = 0; i < cat->n_notes; i++)
		if (cat->notes[i].path && !strcmp(cat->notes[i].path, path))
			return &cat->notes[i];
	return NULL;
}

static void test_catalog_models(void **state)
{
	const sc_cataloger *cats[] = { &sc_cataloger_models };
	tt_tar t, t2;
	tt_blob layers[2];
	sc_catalog cat;
	unsigned char *st, *pt, *legacy, *onnx, *npy, *npz, *gguf;
	size_t stl, ptl, legacyl, onnxl, npyl, npzl, ggufl;
	unsigned char evil_st[16], hostile_gguf[64];
	const unsigned char noend[] = { 0x80, 0x04, 'K', 1, 'K', 2 };
	const char *cfg = "{\"architectures\":[\"Qwen2ForCausalLM\"],\"model_type\":\"qwen2\"}";
	const sc_model_file *m;
	const sc_note *n;
	sc_digest d;
	unsigned char h5[600];

	(void)state;
	st = make_safetensors(100000, &stl); /* ~400 KB: many stream chunks */
	gguf = make_gguf(&ggufl);
	pt = load_fixture("tiny.pt", &ptl);
	legacy = load_fixture("legacy.pt", &legacyl);
	onnx = load_fixture("tiny.onnx", &onnxl);
	npy = load_fixture("arr.npy", &npyl);
	npz = load_fixture("arrs.npz", &npzl);
	memset(evil_st, 'x', sizeof(evil_st));
	put_le(evil_st, 1ull << 63, 8);
	memset(hostile_gguf, 0, sizeof(hostile_gguf));
	memcpy(hostile_gguf, "GGUF", 4);
	put_le(hostile_gguf + 4, 3, 4);
	put_le(hostile_gguf + 16, 1ull << 40, 8);
	memset(h5, 0, sizeof(h5));
	memcpy(h5, "\x89HDF\r\n\x1a\n", 8);

	tt_tar_init(&t, 4u << 20);
	tt_add(&t, "models/qwen/model.safetensors", 'f', 0644, (const char *)st, stl, NULL);
	tt_file(&t, "models/qwen/config.json", cfg);
	tt_file(&t, "models/qwen/tokenizer_config.json", "{\"tokenizer_class\":\"Qwen2Tokenizer\"}");
	tt_file(&t, "models/qwen/tokenizer.json", "{\"model\":{\"type\":\"BPE\"}}");
	tt_add(&t, "models/q8.gguf", 'f', 0644, (const char *)gguf, ggufl, NULL);
	tt_add(&t, "models/tiny.onnx", 'f', 0644, (const char *)onnx, onnxl, NULL);
	tt_add(&t, "models/pytorch_model.bin", 'f', 0644, (const char *)pt, ptl, NULL);
	tt_add(&t, "models/legacy.bin", 'f', 0644, (const char *)legacy, legacyl, NULL);
	tt_add(&t, "models/old.pth", 'f', 0644, (const char *)legacy, legacyl, NULL);
	tt_add(&t, "models/keras.h5", 'f', 0644, (const char *)h5, sizeof(h5), NULL);
	tt_add(&t, "data/arr.npy", 'f', 0644, (const char *)npy, npyl, NULL);
	tt_add(&t, "data/arrs.npz", 'f', 0644, (const char *)npz, npzl, NULL);
	tt_file(&t, "usr/share/misc/firmware.bin", "\x01\x02 not a model at all");
	tt_file(&t, "usr/lib/node_modules/x/config.json", "{\"name\":\"x\",\"port\":8080}");
	tt_file(&t, "etc/broken/config.json", "{{{{");
	tt_add(&t, "bad/evil.safetensors", 'f', 0644, (const char *)evil_st, sizeof(evil_st), NULL);
	tt_add(&t, "bad/hostile.gguf", 'f', 0644, (const char *)hostile_gguf, sizeof(hostile_gguf), NULL);
	tt_add(&t, "bad/noend.pkl", 'f', 0644, (const char *)noend, sizeof(noend), NULL);
	tt_file(&t, "bad/text.pt", "hello");
	layers[0] = tt_finish(&t);
	tt_tar_init(&t2, 1u << 20);
	tt_file(&t2, "models/.wh.old.pth", "");
	layers[1] = tt_finish(&t2);

	sc_catalog_init(&cat);
	assert_int_equal(ct_run(cats, 1, layers, 2, &cat, NULL), 0);

	m = model(&cat, "models/qwen/model.safetensors");
	assert_non_null(m);
	assert_string_equal(m->format, "safetensors");
	assert_int_equal(m->size, stl);
	assert_int_equal(m->parameters, 100000);
	assert_string_equal(m->quantization, "F32");
	assert_int_equal(sc_sha256_buf(&d, st, stl), 0);
	assert_true(sc_digest_eq(&d, &m->sha256));
	assert_string_equal(sc_kv_list_get(&m->props, "metadata.format"), "pt");

	m = model(&cat, "models/qwen/config.json");
	assert_non_null(m);
	assert_string_equal(m->format, "model-config");
	assert_string_equal(m->architecture, "Qwen2ForCausalLM");
	assert_true(m->sha256.set);
	m = model(&cat, "models/qwen/tokenizer_config.json");
	assert_non_null(m);
	assert_string_equal(m->format, "tokenizer");
	assert_non_null(model(&cat, "models/qwen/tokenizer.json"));

	m = model(&cat, "models/q8.gguf");
	assert_non_null(m);
	assert_string_equal(m->format, "gguf");
	assert_string_equal(m->architecture, "qwen2");
	assert_string_equal(m->quantization, "Q8_0");
	assert_int_equal(m->parameters, 512);

	m = model(&cat, "models/tiny.onnx");
	assert_non_null(m);
	assert_string_equal(m->format, "onnx");
	assert_string_equal(sc_kv_list_get(&m->props, "opset"), "13");

	m = model(&cat, "models/pytorch_model.bin");
	assert_non_null(m);
	assert_string_equal(m->format, "pytorch-zip");
	assert_int_equal(m->pickle_based, 1);
	assert_int_equal(sc_sha256_buf(&d, pt, ptl), 0);
	assert_true(sc_digest_eq(&d, &m->sha256));
	assert_non_null(strstr(sc_kv_list_get(&m->props, "pickle.globals"), "torch._utils._rebuild_tensor_v2"));

	m = model(&cat, "models/legacy.bin");
	assert_non_null(m);
	assert_string_equal(m->format, "pickle");
	assert_int_equal(m->pickle_based, 1);
	assert_null(model(&cat, "models/old.pth")); /* deleted by the upper layer */

	m = model(&cat, "models/keras.h5");
	assert_non_null(m);
	assert_string_equal(m->format, "keras-h5");

	m = model(&cat, "data/arr.npy");
	assert_non_null(m);
	assert_string_equal(m->format, "numpy");
	assert_int_equal(m->parameters, 12);
	m = model(&cat, "data/arrs.npz");
	assert_non_null(m);
	assert_string_equal(m->format, "numpy-zip");
	assert_int_equal(m->parameters, 17);

	/* not models */
	assert_null(model(&cat, "usr/share/misc/firmware.bin"));
	assert_null(model(&cat, "usr/lib/node_modules/x/config.json"));
	assert_null(model(&cat, "etc/broken/config.json"));
	assert_null(note_for(&cat, "usr/share/misc/firmware.bin"));
	assert_null(note_for(&cat, "usr/lib/node_modules/x/config.json"));
	assert_null(note_for(&cat, "etc/broken/config.json"));

	/* hostile files: listed with a note, and the rest is still there */
	m = model(&cat, "bad/evil.safetensors");
	assert_non_null(m);
	assert_true(m->sha256.set);
	n = note_for(&cat, "bad/evil.safetensors");
	assert_non_null(n);
	assert_int_equal(n->level, SC_NOTE_WARNING);
	assert_string_equal(n->cataloger, "models");
	assert_non_null(strstr(n->message, "100 MB"));
	n = note_for(&cat, "bad/hostile.gguf");
	assert_non_null(n);
	assert_non_null(strstr(n->message, "key/value pairs"));
	n = note_for(&cat, "bad/noend.pkl");
	assert_non_null(n);
	assert_non_null(strstr(n->message, "no STOP"));
	assert_null(model(&cat, "bad/text.pt"));
	n = note_for(&cat, "bad/text.pt");
	assert_non_null(n);
	assert_int_equal(n->level, SC_NOTE_INFO);

	assert_int_equal(cat.n_models, 14);
	sc_catalog_release(&cat);
	free(layers[0].data);
	free(layers[1].data);
	free(st);
	free(pt);
	free(legacy);
	free(onnx);
	free(npy);
	free(npz);
}

/* A safetensors header larger than the 16 MiB cap: listed, hashed, an info note. */
static void test_large_header(void **state)
{
	const sc_cataloger *cats[] = { &sc_cataloger_models };
	tt_tar t;
	tt_blob layer;
	sc_catalog cat;
	size_t n = 17u << 20, i;
	unsigned char *b = malloc(n + 8);
	const sc_model_file *m;
	const sc_note *no;

	(void)state;
	put_le(b, n, 8);
	b[8] = '{';
	for (i = 9; i < n + 8; i++)
		b[i] = ' ';
	tt_tar_init(&t, n + (1u << 20));
	tt_add(&t, "big.safetensors", 'f', 0644, (const char *)b, n + 8, NULL);
	layer = tt_finish(&t);
	sc_catalog_init(&cat);
	assert_int_equal(ct_run(cats, 1, &layer, 1, &cat, NULL), 0);
	m = model(&cat, "big.safetensors");
	assert_non_null(m);
	assert_int_equal(m->size, n + 8);
	no = note_for(&cat, "big.safetensors");
	assert_non_null(no);
	assert_int_equal(no->level, SC_NOTE_INFO);
	assert_non_null(strstr(no->message, "16 MiB"));
	sc_catalog_release(&cat);
	free(layer.data);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalog_models),
		cmocka_unit_test(test_large_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
