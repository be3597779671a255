/*
 * test_rules_ai.c - the AI rules: weights baked in, GPU stack alignment
 * (CUDA major and minor, cuDNN), the host driver requirement, model cache
 * paths the run user cannot write.  Positive and negative cases each.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "audittest.h"
#include "core/stream.h"

#include <stdlib.h>
#include <string.h>

static void add_pkg(sc_catalog *cat, const char *name, const char *version, const char *k1, const char *v1,
		    const char *k2, const char *v2, const char *k3, const char *v3)
{
	sc_package p;

	memset(&p, 0, sizeof(p));
	p.eco = SC_ECO_PYPI;
	p.name = (char *)name;
	p.version = (char *)version;
	p.location = (char *)"usr/lib/python3/dist-packages/x/METADATA";
	if (k1)
		assert_int_equal(sc_kv_list_add(&p.props, k1, v1), 0);
	if (k2)
		assert_int_equal(sc_kv_list_add(&p.props, k2, v2), 0);
	if (k3)
		assert_int_equal(sc_kv_list_add(&p.props, k3, v3), 0);
	assert_int_equal(sc_catalog_add_package(cat, &p, NULL), 0);
	sc_kv_list_release(&p.props);
}

static size_t gpu(const char *rt, const char *want, sc_findings *fs, int *level)
{
	sc_catalog cat;
	size_t n;

	sc_catalog_init(&cat);
	add_pkg(&cat, "torch", "2.1.0", "ai.framework", "torch", "ai.cuda", want, NULL, NULL);
	if (rt)
		add_pkg(&cat, "cuda-runtime", rt, "ai.component", "cuda-runtime", "cuda.version", rt, NULL, NULL);
	n = at_rule("SC-5003", NULL, &cat, NULL, fs);
	if (n && level)
		*level = (int)fs->items[fs->n - 1].level;
	sc_catalog_release(&cat);
	return n;
}

static void test_gpu_alignment(void **state)
{
	sc_findings fs;
	int level = -1;

	sc_findings_init(&fs);
	assert_int_equal(gpu("11.8", "12.1", &fs, &level), 1); /* the example: an error */
	assert_int_equal(level, SC_LEVEL_HIGH);
	assert_true(at_has(&fs, "SC-5003", "built for CUDA 12.1 but the image's CUDA runtime is 11.8"));
	assert_int_equal(gpu("12.0", "12.1", &fs, &level), 1); /* same major, older minor */
	assert_int_equal(level, SC_LEVEL_MEDIUM);
	assert_int_equal(gpu("12.4", "12.1", &fs, NULL), 0);
	assert_int_equal(gpu("12.1", "12.1", &fs, NULL), 0);
	assert_int_equal(gpu(NULL, "12.1", &fs, NULL), 0); /* wheels bundle their runtime */
	sc_findings_release(&fs);
}

static void test_cudnn_and_driver(void **state)
{
	sc_catalog cat;
	sc_findings fs;

	sc_catalog_init(&cat);
	sc_findings_init(&fs);
	add_pkg(&cat, "torch", "2.1.0", "ai.framework", "torch", "ai.cudnn", "8.9", NULL, NULL);
	add_pkg(&cat, "libcudnn", "9.1.0", "ai.component", "cudnn", NULL, NULL, NULL, NULL);
	add_pkg(&cat, "cuda-runtime", "12.1", "ai.component", "cuda-runtime", "cuda.version", "12.1",
		"cuda.driver.min", "530.30.02");
	assert_int_equal(at_rule("SC-5003", NULL, &cat, NULL, &fs), 1);
	assert_true(at_has(&fs, "SC-5003", "expects cuDNN 8.9 but the image's cuDNN is 9.1.0"));
	assert_int_equal(at_rule("SC-5006", NULL, &cat, NULL, &fs), 1);
	assert_true(at_has(&fs, "SC-5006", "CUDA 12.1 needs an NVIDIA driver >= 530.30.02"));
	sc_catalog_release(&cat);
	sc_findings_release(&fs);

	/* cuDNN of the right major, no runtime with a driver minimum: nothing. */
	sc_catalog_init(&cat);
	sc_findings_init(&fs);
	add_pkg(&cat, "torch", "2.1.0", "ai.framework", "torch", "ai.cudnn", "8.9", NULL, NULL);
	add_pkg(&cat, "libcudnn", "8.9.7", "ai.component", "cudnn", NULL, NULL, NULL, NULL);
	assert_int_equal(at_rule("SC-5003", NULL, &cat, NULL, &fs), 0);
	assert_int_equal(at_rule("SC-5006", NULL, &cat, NULL, &fs), 0);
	sc_catalog_release(&cat);
	sc_findings_release(&fs);
}

static void test_weights(void **state)
{
	sc_catalog cat;
	sc_findings fs;
	sc_model_file m;

	sc_catalog_init(&cat);
	sc_findings_init(&fs);
	memset(&m, 0, sizeof(m));
	m.path = (char *)"models/config.json";
	m.format = (char *)"model-config";
	assert_int_equal(sc_catalog_add_model(&cat, &m, NULL), 0);
	assert_int_equal(at_rule("SC-5002", NULL, &cat, NULL, &fs), 0); /* configs are not weights */
	m.path = (char *)"models/model.safetensors";
	m.format = (char *)"safetensors";
	m.size = 123456789;
	assert_int_equal(sc_catalog_add_model(&cat, &m, NULL), 0);
	assert_int_equal(at_rule("SC-5002", NULL, &cat, NULL, &fs), 1);
	assert_true(at_has(&fs, "SC-5002", "/models/model.safetensors (safetensors, 123456789 bytes)"));
	sc_catalog_release(&cat);
	sc_findings_release(&fs);
}

static void add_model(sc_catalog *cat, const char *path, const char *format, const char *globals)
{
	sc_model_file m;

	memset(&m, 0, sizeof(m));
	m.path = (char *)path;
	m.format = (char *)format;
	m.pickle_based = 1;
	assert_int_equal(sc_kv_list_add(&m.props, "pickle.protocol", "2"), 0);
	if (globals)
		assert_int_equal(sc_kv_list_add(&m.props, "pickle.globals", globals), 0);
	assert_int_equal(sc_catalog_add_model(cat, &m, NULL), 0);
	sc_kv_list_release(&m.props);
}

static void test_pickles(void **state)
{
	sc_catalog cat;
	sc_findings fs;
	size_t i;

	sc_catalog_init(&cat);
	sc_findings_init(&fs);
	add_model(&cat, "m/evil.pkl", "pickle", "builtins.eval,collections.OrderedDict");
	add_model(&cat, "m/custom.pt", "pytorch-zip", "collections.OrderedDict,mymodule.Thing");
	add_model(&cat, "m/ok.pt", "pytorch-zip", "collections.OrderedDict,torch.FloatStorage,torch._utils._rebuild_tensor_v2");
	add_model(&cat, "m/cut.pkl", "pickle", "collections.OrderedDict");
	assert_int_equal(sc_catalog_note(&cat, SC_NOTE_WARNING, "pickle", "m/cut.pkl", "truncated at offset 0x40"), 0);
	assert_int_equal(at_rule("SC-5001", NULL, &cat, NULL, &fs), 4);
	assert_true(at_has(&fs, "SC-5001", "/m/cut.pkl (pickle) could not be checked to its end: truncated at offset 0x40"));
	for (i = 0; i < fs.n; i++) {
		if (strcmp(fs.items[i].path, "m/evil.pkl") == 0) {
			assert_int_equal(fs.items[i].level, SC_LEVEL_CRITICAL);
			assert_non_null(strstr(fs.items[i].title, "imports builtins.eval when loaded"));
		} else if (strcmp(fs.items[i].path, "m/custom.pt") == 0) {
			assert_int_equal(fs.items[i].level, SC_LEVEL_MEDIUM);
			assert_non_null(strstr(fs.items[i].title, "mymodule.Thing"));
		} else if (strcmp(fs.items[i].path, "m/cut.pkl") == 0) {
			assert_int_equal(fs.items[i].level, SC_LEVEL_MEDIUM);
		} else {
			assert_string_equal(fs.items[i].path, "m/ok.pt");
			assert_int_equal(fs.items[i].level, SC_LEVEL_NEGLIGIBLE);
		}
	}
	sc_catalog_release(&cat);
	sc_findings_release(&fs);
}

static void fill_cache(tt_tar *t)
{
	at_add(t, "etc", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "etc/passwd", 'f', 0644, 0, 0, "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n",
	       NULL, 0);
	at_add(t, "models", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "data", 'd', 0755, 1000, 1000, NULL, NULL, 0);
}

static void test_cache_paths(void **state)
{
	sc_catalog cat;
	sc_findings fs;
	sc_fsview *v = NULL;
	sc_image img;
	tt_tar t;
	tt_blob b;
	char *env_bad[] = { (char *)"HF_HOME=/models/hf", (char *)"PATH=/usr/bin", NULL };
	char *env_ok[] = { (char *)"HF_HOME=/data/hf", (char *)"TORCH_HOME=/data/torch", NULL };

	sc_catalog_init(&cat);
	sc_findings_init(&fs);
	tt_tar_init(&t, 1 << 20);
	fill_cache(&t);
	b = tt_finish(&t);
	assert_int_equal(at_view(&b, 1, &cat, &v), 0);
	free(b.data);
	memset(&img, 0, sizeof(img));
	img.config.user = (char *)"app";
	img.config.env = env_bad;
	/* /models/hf does not exist: its parent /models is root's 0755 */
	assert_int_equal(at_rule("SC-5005", &img, &cat, v, &fs), 1);
	assert_true(at_has(&fs, "SC-5005", "HF_HOME points to /models/hf, which uid 1000 cannot write"));
	img.config.env = env_ok;
	assert_int_equal(at_rule("SC-5005", &img, &cat, v, &fs), 0);
	img.config.env = env_bad;
	img.config.user = (char *)"0";
	assert_int_equal(at_rule("SC-5005", &img, &cat, v, &fs), 0); /* root: SC-1001's business */
	img.config.user = (char *)"1000:1000";
	assert_int_equal(at_rule("SC-5005", &img, &cat, v, &fs), 1);
	sc_fsview_free(v);
	sc_catalog_release(&cat);
	sc_findings_release(&fs);
}

static void fill_keras(tt_tar *t)
{
	static const char cfg[] = "\x89HDF\r\n\x1a\n....{\"class_name\": \"Sequential\", \"config\": {\"layers\": "
				  "[{\"class_name\": \"Lambda\", \"config\": {\"function\": [\"4wEAAAAAAAAA\"]}}]}}";

	at_add(t, "models", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "models/lambda.h5", 'f', 0644, 0, 0, cfg, NULL, 0);
	at_add(t, "models/dense.h5", 'f', 0644, 0, 0, "\x89HDF\r\n\x1a\n{\"class_name\": \"Dense\"}", NULL, 0);
	at_add(t, "models/notes.json", 'f', 0644, 0, 0, "{\"class_name\": \"Lambda\"}", NULL, 0);
}

static void test_keras_lambda(void **state)
{
	sc_catalog cat;
	sc_findings fs;
	sc_fsview *v = NULL;
	tt_tar t;
	tt_blob b;

	sc_catalog_init(&cat);
	sc_findings_init(&fs);
	tt_tar_init(&t, 1 << 20);
	fill_keras(&t);
	b = tt_finish(&t);
	assert_int_equal(at_view(&b, 1, &cat, &v), 0);
	free(b.data);
	assert_int_equal(at_rule("SC-5007", NULL, &cat, v, &fs), 1);
	assert_string_equal(fs.items[0].path, "models/lambda.h5");
	sc_fsview_free(v);
	sc_catalog_release(&cat);
	sc_findings_release(&fs);
}

static void fill_py_no_tz(tt_tar *t)
{
	at_add(t, "usr", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "usr/bin", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "usr/bin/python3", 'f', 0755, 0, 0, "\x7f" "ELF", NULL, 0);
}

static void fill_py_tz(tt_tar *t)
{
	fill_py_no_tz(t);
	at_add(t, "usr/share", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "usr/share/zoneinfo", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "usr/share/zoneinfo/UTC", 'f', 0644, 0, 0, "TZif2", NULL, 0);
	at_add(t, "usr/lib", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "usr/lib/locale", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "usr/lib/locale/locale-archive", 'f', 0644, 0, 0, "x", NULL, 0);
}

static size_t runtime_data(void (*fill)(tt_tar *), char **env, sc_findings *fs)
{
	sc_catalog cat;
	sc_fsview *v = NULL;
	sc_image img;
	tt_tar t;
	tt_blob b;
	size_t n;

	sc_catalog_init(&cat);
	tt_tar_init(&t, 1 << 20);
	fill(&t);
	b = tt_finish(&t);
	assert_int_equal(at_view(&b, 1, &cat, &v), 0);
	free(b.data);
	memset(&img, 0, sizeof(img));
	img.config.env = env;
	n = at_rule("SC-5008", &img, &cat, v, fs);
	sc_fsview_free(v);
	sc_catalog_release(&cat);
	return n;
}

static void test_runtime_data(void **state)
{
	char *de[] = { (char *)"LANG=de_DE.UTF-8", NULL };
	char *c[] = { (char *)"LANG=C.UTF-8", NULL };
	sc_findings fs;

	sc_findings_init(&fs);
	assert_int_equal(runtime_data(fill_py_no_tz, de, &fs), 2);
	assert_true(at_has(&fs, "SC-5008", "no time zone database"));
	assert_true(at_has(&fs, "SC-5008", "locale de_DE.UTF-8"));
	assert_int_equal(runtime_data(fill_py_no_tz, c, &fs), 1);
	assert_int_equal(runtime_data(fill_py_tz, de, &fs), 0);
	sc_findings_release(&fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gpu_alignment),
		cmocka_unit_test(test_cudnn_and_driver),
		cmocka_unit_test(test_weights),
		cmocka_unit_test(test_pickles),
		cmocka_unit_test(test_keras_lambda),
		cmocka_unit_test(test_runtime_data),
		cmocka_unit_test(test_cache_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
