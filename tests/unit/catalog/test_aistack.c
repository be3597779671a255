/*
 * test_aistack.c - the AI/GPU stack cataloger (src/catalog/aistack.c):
 * CUDA/cuDNN/NCCL libraries by file name, the toolkit's version.json,
 * cudnn_version.h, NVIDIA wheels, framework props (torch version.py and
 * METADATA pins, TensorFlow build_info.py), the driver table and the
 * mismatch warnings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "catalog/catalog.h"
#include "catalogtest.h"

#include <string.h>

#define SITE "usr/local/lib/python3.11/site-packages/"

static const sc_package *pkg_v(const sc_catalog *cat, sc_ecosystem eco, const char *name, const char *version)
{
	size_t i;

	for (i = 0; i < cat->n_pkgs; i++)
		if (cat->pkgs[i].eco == eco && !strcmp(cat->pkgs[i].name, name) &&
		    (!version || (cat->pkgs[i].version && !strcmp(cat->pkgs[i].version, version))))
			return &cat->pkgs[i];
	return NULL;
}

static const char *prop(const sc_package *p, const char *k)
{
	return p ? sc_kv_list_get(&p->props, k) : NULL;
}

static int has_note(const sc_catalog *cat, const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < cat->n_notes; i++)
		if (cat->notes[i].level == SC_NOTE_WARNING && strstr(cat->notes[i].message, a) &&
		    strstr(cat->notes[i].message, b))
			return 1;
	return 0;
}

static void test_stack(void **state)
{
	const sc_cataloger *cats[] = { &sc_cataloger_python, &sc_cataloger_aistack };
	tt_tar t;
	tt_blob layer;
	sc_catalog cat;
	const sc_package *p;

	(void)state;
	tt_tar_init(&t, 1u << 20);
	tt_file(&t, "usr/local/cuda-12.1/lib64/libcudart.so.12.1.105", "\177ELF");
	tt_add(&t, "usr/local/cuda-12.1/lib64/libcudart.so.12", 'l', 0777, NULL, 0, "libcudart.so.12.1.105");
	tt_file(&t, "usr/local/cuda-12.1/lib64/libcublas.so.12.1.3.1", "\177ELF");
	tt_file(&t, "usr/local/cuda-12.1/version.json",
		"{\"cuda\":{\"name\":\"CUDA SDK\",\"version\":\"12.1.1\"},"
		"\"cuda_cudart\":{\"name\":\"CUDA Runtime (cudart)\",\"version\":\"12.1.105\"}}");
	tt_file(&t, "usr/lib/x86_64-linux-gnu/libcudnn.so.8.9.2", "\177ELF");
	tt_file(&t, "usr/include/cudnn_version.h",
		"#ifndef CUDNN_VERSION_H_\n#define CUDNN_MAJOR 8\n#define CUDNN_MINOR 9\n#define CUDNN_PATCHLEVEL 2\n"
		"#define CUDNN_VERSION (CUDNN_MAJOR * 1000 + CUDNN_MINOR * 100 + CUDNN_PATCHLEVEL)\n#endif\n");
	tt_file(&t, "usr/lib/x86_64-linux-gnu/libnccl.so.2.18.3", "\177ELF");
	tt_file(&t, "usr/lib/x86_64-linux-gnu/libnvinfer.so.8.6.1", "\177ELF");
	tt_file(&t, SITE "torch-2.0.1+cu118.dist-info/METADATA",
		"Metadata-Version: 2.1\nName: torch\nVersion: 2.0.1+cu118\n"
		"Requires-Dist: filelock\n"
		"Requires-Dist: nvidia-cudnn-cu11 (==9.1.0.70) ; platform_system == \"Linux\"\n\nPyTorch\n");
	tt_file(&t, SITE "torch/version.py",
		"from typing import Optional\n\n__all__ = ['__version__', 'debug', 'cuda', 'git_version', 'hip']\n"
		"__version__ = '2.0.1+cu118'\ndebug = False\ncuda: Optional[str] = '11.8'\n"
		"git_version = 'e9ebda29d87ce0916ab08c06ab26fd3766a870e5'\nhip: Optional[str] = None\n");
	tt_file(&t, SITE "nvidia_cublas_cu12-12.1.3.1.dist-info/METADATA",
		"Metadata-Version: 2.1\nName: nvidia-cublas-cu12\nVersion: 12.1.3.1\n\n");
	tt_file(&t, SITE "nvidia_cuda_runtime_cu11-11.8.89.dist-info/METADATA",
		"Metadata-Version: 2.1\nName: nvidia-cuda-runtime-cu11\nVersion: 11.8.89\n\n");
	tt_file(&t, SITE "tensorflow-2.15.0.dist-info/METADATA",
		"Metadata-Version: 2.1\nName: tensorflow\nVersion: 2.15.0\n\n");
	tt_file(&t, SITE "tensorflow/python/platform/build_info.py",
		"import collections\nbuild_info = collections.OrderedDict([('cpu_compiler', '/usr/bin/gcc'), "
		"('cuda_compute_capabilities', ['sm_50']), ('cuda_version', '12.2'), ('cudnn_version', '8'), "
		"('is_cuda_build', True)])\n");
	tt_file(&t, SITE "vllm-0.4.0+cu118.dist-info/METADATA",
		"Metadata-Version: 2.1\nName: vllm\nVersion: 0.4.0+cu118\n\n");
	layer = tt_finish(&t);

	sc_catalog_init(&cat);
	assert_int_equal(ct_run(cats, 2, &layer, 1, &cat, NULL), 0);

	p = pkg_v(&cat, SC_ECO_BINARY, "cuda-runtime", "12.1.105");
	assert_non_null(p);
	assert_string_equal(p->location, "usr/local/cuda-12.1/lib64/libcudart.so.12.1.105");
	assert_string_equal(prop(p, "ai.component"), "cuda-runtime");
	assert_string_equal(prop(p, "cuda.version"), "12.1.1"); /* from the toolkit's version.json */
	assert_string_equal(prop(p, "cuda.driver.min"), "530.30.02");
	assert_string_equal(prop(p, "cuda.driver.min_compat"), "525.60.13");
	p = pkg_v(&cat, SC_ECO_BINARY, "cuda-toolkit", "12.1.1");
	assert_non_null(p);
	assert_string_equal(prop(p, "cuda.version"), "12.1.1");
	assert_string_equal(prop(p, "cuda.driver.min"), "530.30.02");
	assert_non_null(pkg_v(&cat, SC_ECO_BINARY, "cublas", "12.1.3.1"));
	p = pkg_v(&cat, SC_ECO_BINARY, "cudnn", "8.9.2");
	assert_non_null(p);
	assert_string_equal(prop(p, "ai.component"), "cudnn");
	assert_non_null(pkg_v(&cat, SC_ECO_BINARY, "nccl", "2.18.3"));
	assert_non_null(pkg_v(&cat, SC_ECO_BINARY, "tensorrt", "8.6.1"));
	assert_null(pkg_v(&cat, SC_ECO_BINARY, "cuda-runtime", "12")); /* the symlink */

	p = ct_pkg(&cat, SC_ECO_PYPI, "torch");
	assert_non_null(p);
	assert_string_equal(prop(p, "ai.framework"), "torch");
	assert_string_equal(prop(p, "ai.cuda"), "11.8");
	assert_string_equal(prop(p, "ai.accelerator"), "cuda");
	assert_string_equal(prop(p, "ai.git_version"), "e9ebda29d87ce0916ab08c06ab26fd3766a870e5");
	assert_null(pkg_v(&cat, SC_ECO_BINARY, "torch", NULL));

	p = ct_pkg(&cat, SC_ECO_PYPI, "nvidia-cublas-cu12");
	assert_non_null(p);
	assert_string_equal(prop(p, "ai.component"), "cublas");
	assert_string_equal(prop(p, "cuda.major"), "12");
	p = ct_pkg(&cat, SC_ECO_PYPI, "nvidia-cuda-runtime-cu11");
	assert_non_null(p);
	assert_string_equal(prop(p, "cuda.driver.min"), "520.61.05");
	assert_string_equal(prop(p, "cuda.driver.min_compat"), "450.80.02");

	p = ct_pkg(&cat, SC_ECO_PYPI, "tensorflow");
	assert_non_null(p);
	assert_string_equal(prop(p, "ai.framework"), "tensorflow");
	assert_string_equal(prop(p, "ai.cuda"), "12.2");
	assert_string_equal(prop(p, "ai.cudnn"), "8");
	p = ct_pkg(&cat, SC_ECO_PYPI, "vllm");
	assert_non_null(p);
	assert_string_equal(prop(p, "ai.cuda"), "11.8");

	/* torch for CUDA 11.8 with a cu11 runtime wheel present: no CUDA mismatch */
	assert_false(has_note(&cat, "CUDA 11.8", "major"));
	/* torch pins cuDNN 9 while the image has 8 */
	assert_true(has_note(&cat, "cuDNN 9.1.0.70", "major 8"));
	sc_catalog_release(&cat);
	free(layer.data);
}

static void test_mismatch_and_driver_ga(void **state)
{
	const sc_cataloger *cats[] = { &sc_cataloger_python, &sc_cataloger_aistack };
	tt_tar t;
	tt_blob layer;
	sc_catalog cat;
	const sc_package *p;

	(void)state;
	tt_tar_init(&t, 1u << 20);
	tt_file(&t, "usr/local/cuda-12.2/targets/x86_64-linux/lib/libcudart.so.12.2.140", "\177ELF");
	tt_file(&t, "usr/lib/x86_64-linux-gnu/libcudnn.so.8.9.2", "\177ELF");
	tt_file(&t, "usr/include/cudnn_version.h", "#define CUDNN_MAJOR 8\n#define CUDNN_MINOR 9\n#define CUDNN_PATCHLEVEL 2\n");
	tt_file(&t, SITE "torch-2.0.1.dist-info/METADATA", "Metadata-Version: 2.1\nName: torch\nVersion: 2.0.1\n\n");
	tt_file(&t, SITE "torch/version.py", "__version__ = '2.0.1'\ncuda = '11.8'\ngit_version = 'abc'\n");
	tt_file(&t, "opt/other/torch/version.py", "__version__ = '1.13.0'\ncuda = None\n");
	layer = tt_finish(&t);

	sc_catalog_init(&cat);
	assert_int_equal(ct_run(cats, 2, &layer, 1, &cat, NULL), 0);
	p = pkg_v(&cat, SC_ECO_BINARY, "cuda-runtime", "12.2.140");
	assert_non_null(p);
	assert_string_equal(prop(p, "cuda.version"), "12.2");
	assert_string_equal(prop(p, "cuda.driver.min"), "535.54.03"); /* 12.2 GA: update unknown */
	/* a torch without dist-info becomes a binary package */
	p = pkg_v(&cat, SC_ECO_BINARY, "torch", "1.13.0");
	assert_non_null(p);
	assert_string_equal(prop(p, "ai.accelerator"), "cpu");
	assert_string_equal(p->location, "opt/other/torch/version.py");
	assert_true(has_note(&cat, "CUDA 11.8", "major 12"));
	sc_catalog_release(&cat);
	free(layer.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stack),
		cmocka_unit_test(test_mismatch_and_driver_ga),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
