/*
 * test_python.c - the Python cataloger: dist-info METADATA (torch with
 * markers and a local version), RECORD file lists, Debian dist-packages
 * egg-info files and directories, venv site-packages, name normalisation,
 * license fallbacks, and bad input (invalid UTF-8, a 2 MiB METADATA,
 * missing fields).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "catalog/python.h"
#include "core/json.h"
#include "catalogtest.h"

static const char torch_metadata[] =
	"Metadata-Version: 2.1\n"
	"Name: torch\n"
	"Version: 2.3.0+cu121\n"
	"Summary: Tensors and Dynamic neural networks in Python with strong GPU acceleration\n"
	"Home-page: https://pytorch.org/\n"
	"Author: PyTorch Team\n"
	"Author-email: packages@pytorch.org\n"
	"License: BSD-3\n"
	"Download-URL: https://github.com/pytorch/pytorch/tags\n"
	"Keywords: pytorch,machine learning\n"
	"Classifier: Development Status :: 5 - Production/Stable\n"
	"Classifier: License :: OSI Approved :: BSD License\n"
	"Requires-Python: >=3.8.0\n"
	"Description-Content-Type: text/markdown\n"
	"License-File: LICENSE\n"
	"Requires-Dist: filelock\n"
	"Requires-Dist: typing-extensions >=4.8.0\n"
	"Requires-Dist: sympy\n"
	"Requires-Dist: networkx\n"
	"Requires-Dist: jinja2\n"
	"Requires-Dist: fsspec\n"
	"Requires-Dist: nvidia-cuda-nvrtc-cu12 ==12.1.105 ; platform_system == \"Linux\" and platform_machine == \"x86_64\"\n"
	"Requires-Dist: nvidia-cudnn-cu12 ==8.9.2.26 ; platform_system == \"Linux\" and platform_machine == \"x86_64\"\n"
	"Requires-Dist: triton ==2.3.0 ; platform_system == \"Linux\" and platform_machine == \"x86_64\" and python_version < \"3.12\"\n"
	"Requires-Dist: Typing_Extensions>=4.8.0\n"
	"Provides-Extra: opt-einsum\n"
	"Requires-Dist: opt-einsum >=3.3 ; extra == 'opt-einsum'\n"
	"Provides-Extra: optree\n"
	"Requires-Dist: optree >=0.9.1 ; extra == \"optree\"\n"
	"\n"
	"![PyTorch Logo](https://github.com/pytorch/pytorch/raw/main/docs/source/_static/img/pytorch-logo-dark.png)\n"
	"Name: not-a-header\n";

static const char torch_record[] =
	"torch/__init__.py,sha256=abc,1234\n"
	"torch/lib/libtorch_cuda.so,sha256=def,1000000\n"
	"\"torch/odd,name.py\",sha256=x,1\n"
	"torch-2.3.0+cu121.dist-info/METADATA,,\n"
	"../../../bin/torchrun,sha256=y,200\r\n"
	"../../../../../../../etc/evil,sha256=z,1\n"
	"/usr/share/abs.txt,,\n"
	"\n";

static const char ruamel_metadata[] =
	"Metadata-Version: 2.1\n"
	"Name: ruamel.yaml.clib\n"
	"Version: 0.2.8\n"
	"Summary: C version of reader, parser and emitter for ruamel.yaml derived from libyaml\n"
	"Author: Anthon van der Neut\n"
	"License: MIT\n";

/* Debian's python3-six ships a plain-file egg-info in /usr/lib/python3/dist-packages. */
static const char six_egg[] =
	"Metadata-Version: 1.2\n"
	"Name: six\n"
	"Version: 1.16.0\n"
	"Summary: Python 2 and 3 compatibility utilities\n"
	"Home-page: https://github.com/benjaminp/six\n"
	"Author: Benjamin Peterson\n"
	"Author-email: benjamin@python.org\n"
	"License: MIT\n"
	"Platform: UNKNOWN\n"
	"Classifier: License :: OSI Approved :: MIT License\n"
	"Requires-Python: >=2.7, !=3.0.*, !=3.1.*, !=3.2.*\n";

static const char numpy_pkginfo[] =
	"Metadata-Version: 2.1\n"
	"Name: numpy\n"
	"Version: 1.24.2\n"
	"Summary: Fundamental package for array computing in Python\n"
	"Maintainer-email: NumPy Developers <numpy-discussion@python.org>\n"
	"License: Copyright (c) 2005-2022, NumPy Developers.\n"
	"        All rights reserved.\n"
	"        \n"
	"        Redistribution and use in source and binary forms...\n"
	"Classifier: License :: OSI Approved :: BSD License\n"
	"Classifier: License :: OSI Approved :: Apache Software License\n";

static const char *prop(const sc_package *p, const char *k)
{
	return sc_kv_list_get(&p->props, k);
}

static int has(char **v, const char *s)
{
	for (; v && *v; v++)
		if (strcmp(*v, s) == 0)
			return 1;
	return 0;
}

static void test_parse_metadata(void **state)
{
	sc_pymeta m;

	(void)state;
	assert_int_equal(sc_python_parse_metadata(&m, torch_metadata, strlen(torch_metadata)), 0);
	assert_string_equal(m.name, "torch");
	assert_string_equal(m.version, "2.3.0+cu121");
	assert_string_equal(m.license, "BSD-3");
	assert_string_equal(m.supplier, "PyTorch Team");
	assert_string_equal(m.summary, "Tensors and Dynamic neural networks in Python with strong GPU acceleration");
	assert_true(has(m.requires, "typing-extensions"));
	assert_true(has(m.requires, "nvidia-cuda-nvrtc-cu12"));
	assert_true(has(m.requires, "triton"));
	assert_false(has(m.requires, "opt-einsum"));
	assert_false(has(m.requires, "optree"));
	assert_int_equal(sc_strv_len(m.requires), 9); /* Typing_Extensions deduplicated */
	assert_false(m.invalid_utf8);
	assert_false(m.headers_cut);
	sc_pymeta_release(&m);

	assert_int_equal(sc_python_parse_metadata(&m, numpy_pkginfo, strlen(numpy_pkginfo)), 0);
	assert_string_equal(m.license, "BSD License OR Apache Software License"); /* License is a text */
	assert_string_equal(m.supplier, "NumPy Developers <numpy-discussion@python.org>");
	assert_null(m.requires);
	assert_true(m.headers_cut);
	sc_pymeta_release(&m);

	assert_int_equal(sc_python_parse_metadata(&m, "Name: x\n", 8), SC_EINPUT);
	assert_int_equal(sc_python_parse_metadata(&m, "Version: 1\n", 11), SC_EINPUT);
	assert_int_equal(sc_python_parse_metadata(&m, "Name: -bad-\nVersion: 1\n", 23), SC_EINPUT);
	assert_int_equal(sc_python_parse_metadata(&m, "", 0), SC_EINPUT);
	/* CRLF and a License-Expression. */
	{
		static const char crlf[] = "Name: Foo__Bar.baz\r\nVersion: 1.0\r\nLicense-Expression: MIT OR Apache-2.0\r\n"
					   "License: whatever\r\n\r\nbody";

		assert_int_equal(sc_python_parse_metadata(&m, crlf, strlen(crlf)), 0);
		assert_string_equal(m.name, "foo-bar-baz");
		assert_string_equal(m.version, "1.0");
		assert_string_equal(m.license, "MIT OR Apache-2.0");
		sc_pymeta_release(&m);
	}
}

static void test_normalize(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(sc_python_normalize(out, sizeof(out), "Ruamel.Yaml__Clib", 17), 0);
	assert_string_equal(out, "ruamel-yaml-clib");
	assert_int_equal(sc_python_normalize(out, sizeof(out), "a-_.-b", 6), 0);
	assert_string_equal(out, "a-b");
	assert_int_equal(sc_python_normalize(out, sizeof(out), "a b", 3), SC_EINPUT);
	assert_int_equal(sc_python_normalize(out, sizeof(out), "_a", 2), SC_EINPUT);
	assert_int_equal(sc_python_normalize(out, 3, "abcdef", 6), SC_ELIMIT);
	sc_error_clear();
}

static void test_catalog(void **state)
{
	static const sc_cataloger *const cats[] = { &sc_cataloger_python };
	static const char *const site = "opt/venv/lib/python3.11/site-packages";
	sc_catalog cat;
	const sc_package *p;
	tt_tar t;
	tt_blob b;
	char *big;
	size_t i, n;
	char path[256];

	(void)state;
	tt_tar_init(&t, 8 << 20);
	snprintf(path, sizeof(path), "%s/torch-2.3.0+cu121.dist-info/METADATA", site);
	tt_file(&t, path, torch_metadata);
	snprintf(path, sizeof(path), "%s/torch-2.3.0+cu121.dist-info/RECORD", site);
	tt_file(&t, path, torch_record);
	tt_file(&t, "usr/local/lib/python3.11/dist-packages/ruamel.yaml.clib-0.2.8.dist-info/METADATA",
		ruamel_metadata);
	tt_file(&t, "usr/lib/python3/dist-packages/six-1.16.0.egg-info", six_egg);
	tt_file(&t, "usr/lib/python3/dist-packages/numpy-1.24.2.egg-info/PKG-INFO", numpy_pkginfo);
	/* Not in a site directory: ignored. */
	tt_file(&t, "src/project/foo.egg-info/PKG-INFO", six_egg);
	/* Invalid UTF-8: the author has a Latin-1 byte; the summary is ASCII. */
	tt_file(&t, "usr/lib/python3/dist-packages/latin-1.0.dist-info/METADATA",
		"Name: latin\nVersion: 1.0\nAuthor: Jos\xe9 Garc\xed" "a\nSummary: plain ascii\n"
		"Requires-Dist: caf\xe9" "\nRequires-Dist: requests\n");
	/* Broken ones. */
	tt_file(&t, "usr/lib/python3/dist-packages/noversion-1.0.dist-info/METADATA", "Name: noversion\n");
	tt_file(&t, "usr/lib/python3/dist-packages/garbage-1.0.dist-info/METADATA", "\x01\x02\x03\xff\xfe");
	/* 2 MiB METADATA: complete headers, huge description. */
	n = 2u << 20;
	big = malloc(n + 1);
	memset(big, 'x', n);
	memcpy(big, "Name: Big_Pkg\nVersion: 3.0\n\n", 28);
	tt_add(&t, "usr/lib/python3/dist-packages/big_pkg-3.0.dist-info/METADATA", 'f', 0644, big, n, NULL);
	/* 2 MiB of headers: cut. */
	memcpy(big, "Name: hdrs\nVersion: 4.0\n", 24);
	for (i = 24; i + 20 < n; i += 20)
		memcpy(big + i, "Classifier: aaaaaaa\n", 20);
	tt_add(&t, "usr/lib/python3/dist-packages/hdrs-4.0.dist-info/METADATA", 'f', 0644, big, n, NULL);
	b = tt_finish(&t);
	free(big);

	sc_catalog_init(&cat);
	assert_int_equal(ct_run(cats, 1, &b, 1, &cat, NULL), 0);

	p = ct_pkg(&cat, SC_ECO_PYPI, "torch");
	assert_non_null(p);
	assert_string_equal(p->version, "2.3.0+cu121");
	assert_string_equal(p->location, "opt/venv/lib/python3.11/site-packages/torch-2.3.0+cu121.dist-info/METADATA");
	assert_false(p->os_managed);
	assert_string_equal(prop(p, "python.site"), site);
	assert_true(has(p->depends, "nvidia-cudnn-cu12"));
	assert_true(has(p->files, "opt/venv/lib/python3.11/site-packages/torch/lib/libtorch_cuda.so"));
	assert_true(has(p->files, "opt/venv/lib/python3.11/site-packages/torch/odd,name.py"));
	assert_true(has(p->files, "opt/venv/bin/torchrun"));
	assert_true(has(p->files, "usr/share/abs.txt"));
	assert_int_equal(sc_strv_len(p->files), 6); /* the escaping entry is dropped */

	p = ct_pkg(&cat, SC_ECO_PYPI, "ruamel-yaml-clib");
	assert_non_null(p);
	assert_false(p->os_managed); /* /usr/local: pip, not dpkg */
	assert_null(p->files);
	assert_string_equal(p->license, "MIT");

	p = ct_pkg(&cat, SC_ECO_PYPI, "six");
	assert_non_null(p);
	assert_true(p->os_managed);
	assert_string_equal(p->location, "usr/lib/python3/dist-packages/six-1.16.0.egg-info");
	assert_string_equal(prop(p, "python.site"), "usr/lib/python3/dist-packages");
	assert_string_equal(p->supplier, "Benjamin Peterson");

	p = ct_pkg(&cat, SC_ECO_PYPI, "numpy");
	assert_non_null(p);
	assert_true(p->os_managed);

	p = ct_pkg(&cat, SC_ECO_PYPI, "latin");
	assert_non_null(p);
	assert_null(p->supplier);
	assert_string_equal(p->summary, "plain ascii");
	assert_true(has(p->depends, "requests"));
	assert_int_equal(sc_strv_len(p->depends), 1);

	p = ct_pkg(&cat, SC_ECO_PYPI, "big-pkg");
	assert_non_null(p);
	assert_string_equal(p->version, "3.0");
	p = ct_pkg(&cat, SC_ECO_PYPI, "hdrs");
	assert_non_null(p);

	assert_null(ct_pkg(&cat, SC_ECO_PYPI, "noversion"));
	assert_int_equal(cat.n_pkgs, 7);
	assert_int_equal(cat.n_notes, 4);
	for (i = 0; i < cat.n_notes; i++)
		assert_string_equal(cat.notes[i].cataloger, "python");
	assert_non_null(strstr(cat.notes[0].path, "garbage"));
	assert_non_null(strstr(cat.notes[1].path, "hdrs"));
	assert_non_null(strstr(cat.notes[1].message, "headers longer than"));
	assert_non_null(strstr(cat.notes[2].path, "latin"));
	assert_non_null(strstr(cat.notes[2].message, "invalid UTF-8"));
	assert_non_null(strstr(cat.notes[3].path, "noversion"));
	sc_catalog_release(&cat);
	free(b.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_metadata),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_catalog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
