/*
 * test_minimize.c - the --minimize closure on a small merged view: ELF
 * dependencies through symlinks (usrmerge /lib, SONAME links), PT_INTERP,
 * "#!" interpreters, the Python standard library and imports (transitive,
 * dist metadata, RECORD), the GPU dlopen list, --keep and essentials; and
 * the import scanner on its own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "harden/minimize.h"
#include "tartest.h"

static sc_fsview *view_of(tt_tar *t)
{
	tt_blob b = tt_finish(t);
	sc_stream *m = NULL;
	sc_layer l;
	sc_layer_opts o;
	sc_fsview *v;
	size_t n = 0;

	while (sc_minimize_interests[n])
		n++;
	memset(&o, 0, sizeof(o));
	o.name = "layer";
	o.interests = sc_minimize_interests;
	o.n_interests = n;
	assert_int_equal(sc_fsview_new(&v), 0);
	assert_int_equal(sc_stream_mem_new(&m, b.data, b.len), 0);
	assert_int_equal(sc_layer_read(&l, m, &o), 0);
	assert_int_equal(sc_fsview_apply(v, &l, "layer"), 0);
	sc_layer_release(&l);
	free(b.data);
	return v;
}

static int kept(sc_fsview *v, const char *p)
{
	const sc_fsnode *n = sc_fsview_lookup(v, p);

	if (!n)
		fail_msg("%s is not in the view", p);
	return n->mark;
}

static void test_imports(void **state)
{
	sc_strv names = { 0 };
	const char *code = "import os, sys as system\n"
			   "from numpy.linalg import norm\n"
			   "  import torch.nn as nn; print(torch.__version__)\n"
			   "from . import sibling\n"
			   "from .pkg import x\n"
			   "x = importlib.import_module('scipy.sparse')\n"
			   "__import__(\"yaml\")\n"
			   "imports = 3\n"
			   "important_value = 1\n"
			   "from_here = 2\n"
			   "# import commented\n"
			   "import (bad\n";

	(void)state;
	assert_int_equal(sc_minimize_py_imports(code, strlen(code), &names), 0);
	assert_int_equal(names.n, 7);
	assert_string_equal(names.v[0], "os");
	assert_string_equal(names.v[1], "sys");
	assert_string_equal(names.v[2], "numpy");
	assert_string_equal(names.v[3], "torch");
	assert_string_equal(names.v[4], "scipy");
	assert_string_equal(names.v[5], "yaml");
	assert_string_equal(names.v[6], "bad");
	sc_strv_release(&names);
	/* the -c program of the test */
	code = "import torch, numpy; print(torch.__version__)";
	assert_int_equal(sc_minimize_py_imports(code, strlen(code), &names), 0);
	assert_int_equal(names.n, 2);
	assert_string_equal(names.v[0], "torch");
	assert_string_equal(names.v[1], "numpy");
	sc_strv_release(&names);
}

static void test_closure(void **state)
{
	static const char elf[] = "\177ELF fake";
	sc_catalog cat;
	sc_elf_info elves[3];
	char *needed_app[] = { (char *)"libfoo.so.1", (char *)"libcudart.so.12", NULL };
	sc_ldso_dep deps[2];
	sc_ldso_object objs[3];
	sc_ldso_result ld;
	sc_minimize_result r;
	sc_minimize_opts o;
	const char *argv1[] = { "/app/run", NULL };
	const char *argv2[] = { "python3", "-c", "import numpy", NULL };
	const char *const *argvs[] = { argv1, argv2, NULL };
	const char *env[] = { "PATH=/usr/local/bin:/usr/bin", NULL };
	const char *keep[] = { "/opt/data", "usr/share/keepme/*.txt", NULL };
	sc_fsview *v;
	tt_tar t;

	(void)state;
	tt_tar_init(&t, 1 << 20);
	tt_add(&t, "lib", 'l', 0777, NULL, 0, "usr/lib");
	tt_add(&t, "lib64", 'l', 0777, NULL, 0, "usr/lib64");
	tt_add(&t, "usr/lib64/ld-linux-x86-64.so.2", 'l', 0777, NULL, 0, "../lib/ld-2.36.so");
	tt_add(&t, "usr/lib/ld-2.36.so", '0', 0755, elf, sizeof(elf), NULL);
	tt_add(&t, "usr/lib/libfoo.so.1", 'l', 0777, NULL, 0, "libfoo.so.1.2.3");
	tt_add(&t, "usr/lib/libfoo.so.1.2.3", '0', 0644, elf, sizeof(elf), NULL);
	tt_add(&t, "usr/lib/libfoo.so", 'l', 0777, NULL, 0, "libfoo.so.1.2.3"); /* dev link: not needed */
	tt_add(&t, "usr/lib/libunused.so.1", '0', 0644, elf, sizeof(elf), NULL);
	tt_add(&t, "usr/lib/libcudart.so.12", '0', 0644, elf, sizeof(elf), NULL);
	tt_add(&t, "usr/lib/libcudnn_ops.so.9", '0', 0644, elf, sizeof(elf), NULL);
	tt_add(&t, "usr/lib/libcublasLt.so.12", '0', 0644, elf, sizeof(elf), NULL);
	tt_add(&t, "app/run", '0', 0755, elf, sizeof(elf), NULL);
	tt_file(&t, "app/tool.sh", "#!/usr/bin/env python3\nprint(1)\n");
	tt_add(&t, "usr/bin/python3", 'l', 0777, NULL, 0, "python3.11");
	tt_add(&t, "usr/bin/python3.11", '0', 0755, elf, sizeof(elf), NULL);
	tt_add(&t, "usr/bin/perl", '0', 0755, elf, sizeof(elf), NULL);
	tt_file(&t, "usr/lib/python3.11/os.py", "import abc\n");
	tt_file(&t, "usr/lib/python3.11/test/test_os.py", "import unittest\n");
	tt_file(&t, "usr/lib/python3.11/ensurepip/__init__.py", "");
	tt_file(&t, "usr/lib/python3/dist-packages/numpy/__init__.py", "from numpy.core import x\nimport depmod\n");
	tt_file(&t, "usr/lib/python3/dist-packages/numpy-1.24.egg-info/PKG-INFO", "Name: numpy\n");
	tt_file(&t, "usr/lib/python3/dist-packages/numpy/testing/__init__.py", "");
	tt_file(&t, "usr/lib/python3/dist-packages/numpy/core/tests/test_core.py", "import pytest\n");
	tt_file(&t, "usr/lib/python3/dist-packages/numpy/core/test_helpers.py", "");
	tt_file(&t, "usr/lib/python3/dist-packages/depmod.py", "import os\n");
	tt_file(&t, "usr/lib/python3/dist-packages/unused/__init__.py", "");
	tt_file(&t, "usr/lib/python3/dist-packages/unused-2.0.egg-info/PKG-INFO", "Name: unused\n");
	tt_file(&t, "usr/lib/python3/dist-packages/PyYAML-6.0.egg-info/top_level.txt", "_yaml\nyaml\n");
	tt_file(&t, "usr/lib/python3/dist-packages/yaml/__init__.py", "");
	tt_file(&t, "usr/lib/python3/dist-packages/depmod.cpython-311-x86_64-linux-gnu.so", "so");
	tt_file(&t, "etc/passwd", "root:x:0:0::/root:/bin/sh\n");
	tt_file(&t, "etc/ssl/certs/ca-certificates.crt", "PEM");
	tt_file(&t, "usr/share/doc/foo/copyright", "text");
	tt_file(&t, "usr/share/keepme/a.txt", "a");
	tt_file(&t, "usr/share/keepme/b.bin", "b");
	tt_file(&t, "opt/data/x/y", "data");
	tt_add(&t, "tmp", 'd', 01777, NULL, 0, NULL);
	v = view_of(&t);

	/* the catalog's ELF records and what the loader resolves */
	sc_catalog_init(&cat);
	memset(elves, 0, sizeof(elves));
	elves[0].path = (char *)"app/run";
	elves[0].needed = needed_app;
	elves[0].interp = (char *)"/lib64/ld-linux-x86-64.so.2";
	elves[1].path = (char *)"usr/bin/python3.11";
	elves[2].path = (char *)"usr/lib/libfoo.so.1.2.3";
	cat.elves = elves;
	cat.n_elves = 3;
	memset(deps, 0, sizeof(deps));
	deps[0].needed = "libfoo.so.1";
	deps[0].status = SC_LDSO_FOUND;
	deps[0].candidate = "/lib/libfoo.so.1"; /* through the /lib -> usr/lib link */
	deps[0].path = "usr/lib/libfoo.so.1.2.3";
	deps[1].needed = "libcudart.so.12";
	deps[1].status = SC_LDSO_FOUND;
	deps[1].path = "usr/lib/libcudart.so.12";
	memset(objs, 0, sizeof(objs));
	objs[0].deps = deps;
	objs[0].n_deps = 2;
	memset(&ld, 0, sizeof(ld));
	ld.objects = objs;
	ld.n_objects = 3;

	memset(&o, 0, sizeof(o));
	o.argvs = argvs;
	o.env = env;
	o.keep = keep;
	assert_int_equal(sc_minimize(&r, v, &cat, &ld, &o), 0);

	assert_true(kept(v, "app/run"));
	assert_true(kept(v, "lib"));
	assert_true(kept(v, "usr/lib/libfoo.so.1"));
	assert_true(kept(v, "usr/lib/libfoo.so.1.2.3"));
	assert_false(kept(v, "usr/lib/libfoo.so"));
	assert_false(kept(v, "usr/lib/libunused.so.1"));
	assert_true(kept(v, "lib64"));
	assert_true(kept(v, "usr/lib64/ld-linux-x86-64.so.2"));
	assert_true(kept(v, "usr/lib/ld-2.36.so"));
	/* GPU: libcudart is needed, so what frameworks dlopen stays */
	assert_true(r.gpu);
	assert_true(kept(v, "usr/lib/libcudart.so.12"));
	assert_true(kept(v, "usr/lib/libcudnn_ops.so.9"));
	assert_true(kept(v, "usr/lib/libcublasLt.so.12"));
	/* Python */
	assert_true(r.python);
	assert_true(kept(v, "usr/bin/python3"));
	assert_true(kept(v, "usr/bin/python3.11"));
	assert_true(kept(v, "usr/lib/python3.11/os.py"));
	assert_false(kept(v, "usr/lib/python3.11/test"));
	assert_false(kept(v, "usr/lib/python3.11/ensurepip"));
	assert_true(kept(v, "usr/lib/python3/dist-packages/numpy/__init__.py"));
	assert_true(kept(v, "usr/lib/python3/dist-packages/numpy-1.24.egg-info/PKG-INFO"));
	assert_true(kept(v, "usr/lib/python3/dist-packages/numpy/testing/__init__.py"));
	assert_false(kept(v, "usr/lib/python3/dist-packages/numpy/core/tests"));  /* test suites go */
	assert_false(kept(v, "usr/lib/python3/dist-packages/numpy/core/test_helpers.py"));
	assert_true(kept(v, "usr/lib/python3/dist-packages/depmod.py"));      /* imported by numpy */
	assert_true(kept(v, "usr/lib/python3/dist-packages/depmod.cpython-311-x86_64-linux-gnu.so"));
	assert_false(kept(v, "usr/lib/python3/dist-packages/unused"));
	assert_false(kept(v, "usr/lib/python3/dist-packages/unused-2.0.egg-info"));
	assert_false(kept(v, "usr/lib/python3/dist-packages/yaml"));
	assert_false(kept(v, "usr/lib/python3/dist-packages/PyYAML-6.0.egg-info"));
	assert_false(kept(v, "usr/bin/perl"));
	assert_false(kept(v, "app/tool.sh"));
	/* essentials, mount points, --keep */
	assert_true(kept(v, "etc/passwd"));
	assert_true(kept(v, "etc/ssl/certs/ca-certificates.crt"));
	assert_true(kept(v, "tmp"));
	assert_false(kept(v, "usr/share/doc"));
	assert_true(kept(v, "opt/data/x/y"));
	assert_true(kept(v, "usr/share/keepme/a.txt"));
	assert_false(kept(v, "usr/share/keepme/b.bin"));
	assert_true(r.removed_files > 0 && r.kept_files > 0);
	sc_minimize_result_release(&r);

	/* a script's "#!/usr/bin/env python3" keeps env and python3 */
	{
		const char *argv3[] = { "/app/tool.sh", NULL };
		const char *const *argvs3[] = { argv3, NULL };
		sc_fsview *v2;
		tt_tar t2;

		tt_tar_init(&t2, 1 << 20);
		tt_file(&t2, "app/tool.sh", "#!/usr/bin/env python3\nprint(1)\n");
		tt_add(&t2, "usr/bin/env", '0', 0755, elf, sizeof(elf), NULL);
		tt_add(&t2, "usr/bin/python3", '0', 0755, elf, sizeof(elf), NULL);
		tt_add(&t2, "usr/bin/perl", '0', 0755, elf, sizeof(elf), NULL);
		v2 = view_of(&t2);
		memset(&o, 0, sizeof(o));
		o.argvs = argvs3;
		o.env = env;
		cat.n_elves = 0;
		ld.n_objects = 0;
		assert_int_equal(sc_minimize(&r, v2, &cat, &ld, &o), 0);
		assert_true(kept(v2, "app/tool.sh"));
		assert_true(kept(v2, "usr/bin/env"));
		assert_true(kept(v2, "usr/bin/python3"));
		assert_false(kept(v2, "usr/bin/perl"));
		sc_minimize_result_release(&r);
		sc_fsview_free(v2);
	}
	/* a workload whose program is missing is refused */
	{
		const char *argv4[] = { "nosuchprog", NULL };
		const char *const *argvs4[] = { argv4, NULL };

		memset(&o, 0, sizeof(o));
		o.argvs = argvs4;
		o.env = env;
		assert_int_equal(sc_minimize(&r, v, &cat, &ld, &o), SC_EUSAGE);
		assert_non_null(strstr(sc_error_msg(), "nosuchprog"));
	}
	sc_fsview_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_imports),
		cmocka_unit_test(test_closure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
