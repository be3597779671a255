/*
 * test_fsview.c - merged view semantics: overrides, whiteouts, opaque
 * directories, type changes, implicit parents, hard links, symlink
 * resolution inside the root, loop and escape detection, walk order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "core/path.h"
#include "image/fsview.h"
#include "tartest.h"

static void apply(sc_fsview *v, tt_tar *t, size_t index, int expect_rc)
{
	tt_blob b = tt_finish(t);
	sc_stream *m = NULL;
	sc_layer l;
	sc_layer_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.index = index;
	o.name = "layer";
	assert_int_equal(sc_stream_mem_new(&m, b.data, b.len), 0);
	assert_int_equal(sc_layer_read(&l, m, &o), 0);
	rc = sc_fsview_apply(v, &l, "layer X");
	assert_int_equal(rc, expect_rc);
	free(b.data);
}

static const sc_fsnode *get(sc_fsview *v, const char *p)
{
	return sc_fsview_lookup(v, p);
}

static void test_override_and_whiteouts(void **state)
{
	sc_fsview *v;
	tt_tar t;

	(void)state;
	assert_int_equal(sc_fsview_new(&v), 0);
	tt_tar_init(&t, 1 << 20);
	tt_add(&t, "etc", 'd', 0755, NULL, 0, NULL);
	tt_file(&t, "etc/a", "one");
	tt_file(&t, "etc/b", "two");
	tt_add(&t, "var/cache/apt", 'd', 0755, NULL, 0, NULL);
	tt_file(&t, "var/cache/apt/pkg.bin", "xxxx");
	tt_file(&t, "opt/app/old1", "1");
	tt_file(&t, "opt/app/old2", "2");
	tt_add(&t, "srv", 'd', 0700, NULL, 0, NULL);
	tt_file(&t, "srv/keep", "k");
	apply(v, &t, 0, 0);
	assert_int_equal(sc_fsview_count(v), 13);
	assert_true(get(v, "var/cache")->implicit); /* no tar entry of its own */
	assert_int_equal(get(v, "var/cache")->e.mode, 0755);

	tt_tar_init(&t, 1 << 20);
	tt_file(&t, "etc/a", "replaced!");
	tt_file(&t, "etc/.wh.b", "");
	tt_file(&t, "var/.wh.cache", "");
	tt_add(&t, "opt/app", 'd', 0750, NULL, 0, NULL);
	tt_file(&t, "opt/app/.wh..wh..opq", "");
	tt_file(&t, "opt/app/new", "n");
	tt_add(&t, "srv", 'd', 0755, NULL, 0, NULL);
	tt_file(&t, "etc/.wh.nonexistent", "");
	apply(v, &t, 1, 0);

	assert_int_equal(get(v, "etc/a")->e.size, 9);
	assert_int_equal(get(v, "etc/a")->e.layer, 1);
	assert_null(get(v, "etc/b"));
	assert_null(get(v, "var/cache"));
	assert_null(get(v, "var/cache/apt/pkg.bin"));
	assert_non_null(get(v, "var"));
	assert_null(get(v, "opt/app/old1"));
	assert_null(get(v, "opt/app/old2"));
	assert_non_null(get(v, "opt/app/new"));
	assert_int_equal(get(v, "opt/app")->e.mode, 0750);
	/* dir over dir: metadata from the top, children kept */
	assert_int_equal(get(v, "srv")->e.mode, 0755);
	assert_int_equal(get(v, "srv")->e.layer, 1);
	assert_non_null(get(v, "srv/keep"));
	/* etc, etc/a, var, opt, opt/app, opt/app/new, srv, srv/keep */
	assert_int_equal(sc_fsview_count(v), 8);
	sc_fsview_free(v);
}

static void test_type_changes(void **state)
{
	sc_fsview *v;
	tt_tar t;

	(void)state;
	assert_int_equal(sc_fsview_new(&v), 0);
	tt_tar_init(&t, 1 << 20);
	tt_file(&t, "d/x/y", "deep");
	tt_file(&t, "f", "file");
	tt_add(&t, "lib", 'l', 0777, NULL, 0, "usr/lib");
	apply(v, &t, 0, 0);

	tt_tar_init(&t, 1 << 20);
	tt_file(&t, "d", "now a file");   /* file over dir: subtree gone */
	tt_add(&t, "f", 'd', 0711, NULL, 0, NULL); /* dir over file */
	tt_file(&t, "lib/libc.so", "c");  /* parent is a lower symlink: becomes a dir */
	apply(v, &t, 1, 0);
	assert_int_equal(get(v, "d")->e.type, SC_FT_REG);
	assert_null(get(v, "d/x"));
	assert_null(get(v, "d/x/y"));
	assert_int_equal(get(v, "f")->e.type, SC_FT_DIR);
	assert_int_equal(get(v, "lib")->e.type, SC_FT_DIR);
	assert_non_null(get(v, "lib/libc.so"));
	assert_int_equal(sc_fsview_count(v), 4);
	sc_fsview_free(v);
}

static void test_hardlinks(void **state)
{
	sc_fsview *v;
	tt_tar t;
	const sc_fsnode *n;

	(void)state;
	assert_int_equal(sc_fsview_new(&v), 0);
	tt_tar_init(&t, 1 << 20);
	tt_file(&t, "bin/a", "12345");
	tt_add(&t, "bin/b", 'h', 0755, NULL, 0, "bin/a");
	tt_add(&t, "bin/c", 'h', 0755, NULL, 0, "bin/b");
	apply(v, &t, 0, 0);
	n = get(v, "bin/b");
	assert_int_equal(n->e.type, SC_FT_HARDLINK);
	assert_int_equal(n->e.size, 5);
	assert_ptr_equal(n->link_target, get(v, "bin/a"));
	assert_ptr_equal(get(v, "bin/c")->link_target, get(v, "bin/a"));

	/* A link to a file of a lower layer is fine; to a missing one is not. */
	tt_tar_init(&t, 1 << 20);
	tt_add(&t, "bin/d", 'h', 0755, NULL, 0, "bin/a");
	apply(v, &t, 1, 0);
	tt_tar_init(&t, 1 << 20);
	tt_add(&t, "bin/e", 'h', 0755, NULL, 0, "bin/missing");
	apply(v, &t, 2, SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "hard link '/bin/e' points to missing '/bin/missing'"));
	sc_fsview_free(v);
}

static void test_hardlink_target_replaced(void **state)
{
	sc_fsview *v;
	tt_tar t;
	const sc_fsnode *b, *c;

	(void)state;
	assert_int_equal(sc_fsview_new(&v), 0);
	tt_tar_init(&t, 1 << 20);
	tt_file(&t, "a", "aaaa");
	tt_add(&t, "b", 'h', 0644, NULL, 0, "a");
	tt_add(&t, "c", 'h', 0644, NULL, 0, "a");
	apply(v, &t, 0, 0);
	tt_tar_init(&t, 1 << 20);
	tt_file(&t, "a", "new content");
	apply(v, &t, 1, 0);
	b = get(v, "b");
	c = get(v, "c");
	/* b and c still share the old content: b holds it, c links to b. */
	assert_int_equal(b->e.type, SC_FT_REG);
	assert_null(b->e.link);
	assert_int_equal(b->e.size, 4);
	assert_int_equal(c->e.type, SC_FT_HARDLINK);
	assert_string_equal(c->e.link, "b");
	assert_ptr_equal(c->link_target, b);
	assert_int_equal(get(v, "a")->e.size, 11);

	/* Deleting the heir as well turns the last link into a file. */
	tt_tar_init(&t, 1 << 20);
	tt_file(&t, ".wh.b", "");
	apply(v, &t, 2, 0);
	c = get(v, "c");
	assert_int_equal(c->e.type, SC_FT_REG);
	assert_int_equal(c->e.size, 4);
	sc_fsview_free(v);
}

static void test_resolve(void **state)
{
	sc_fsview *v;
	tt_tar t;
	const sc_fsnode *n;
	char res[SC_PATH_MAX];

	(void)state;
	assert_int_equal(sc_fsview_new(&v), 0);
	tt_tar_init(&t, 1 << 20);
	tt_file(&t, "usr/lib/libz.so.1.2", "z");
	tt_add(&t, "usr/lib/libz.so.1", 'l', 0777, NULL, 0, "libz.so.1.2");
	tt_add(&t, "lib", 'l', 0777, NULL, 0, "usr/lib");
	tt_add(&t, "abs", 'l', 0777, NULL, 0, "/usr/lib/libz.so.1");
	tt_add(&t, "usr/bin/up", 'l', 0777, NULL, 0, "../../../../../usr/lib");
	tt_add(&t, "loop1", 'l', 0777, NULL, 0, "loop2");
	tt_add(&t, "loop2", 'l', 0777, NULL, 0, "loop1");
	tt_add(&t, "dangling", 'l', 0777, NULL, 0, "nowhere");
	apply(v, &t, 0, 0);

	assert_int_equal(sc_fsview_resolve(v, "/lib/libz.so.1", 1, &n, res, sizeof(res)), 0);
	assert_string_equal(res, "usr/lib/libz.so.1.2");
	assert_int_equal(n->e.type, SC_FT_REG);
	assert_int_equal(sc_fsview_resolve(v, "lib/libz.so.1", 0, &n, res, sizeof(res)), 0);
	assert_string_equal(res, "usr/lib/libz.so.1");
	assert_int_equal(n->e.type, SC_FT_SYMLINK);
	assert_int_equal(sc_fsview_resolve(v, "abs", 1, &n, res, sizeof(res)), 0);
	assert_string_equal(res, "usr/lib/libz.so.1.2");
	/* ".." never climbs above the root */
	assert_int_equal(sc_fsview_resolve(v, "usr/bin/up/libz.so.1", 1, &n, res, sizeof(res)), 0);
	assert_string_equal(res, "usr/lib/libz.so.1.2");
	assert_int_equal(sc_fsview_resolve(v, "../../../lib", 1, &n, res, sizeof(res)), 0);
	assert_string_equal(res, "usr/lib");
	assert_int_equal(sc_fsview_resolve(v, "loop1", 1, &n, NULL, 0), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "symlink loop"));
	assert_int_equal(sc_fsview_resolve(v, "dangling", 1, &n, NULL, 0), SC_ENOTFOUND);
	assert_int_equal(sc_fsview_resolve(v, "usr/lib/libz.so.1.2/x", 1, &n, NULL, 0), SC_ENOTFOUND);

	/* The whole-view check reports the escaping link first (path order: "usr/bin/up" > "loop1"). */
	assert_int_equal(sc_fsview_check_symlinks(v), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "symlink loop at '/loop1'"));
	sc_fsview_free(v);

	assert_int_equal(sc_fsview_new(&v), 0);
	tt_tar_init(&t, 1 << 20);
	tt_add(&t, "a/b/x", 'l', 0777, NULL, 0, "../../../etc/passwd");
	tt_add(&t, "etc/ok", 'l', 0777, NULL, 0, "/etc/../../etc/passwd");
	apply(v, &t, 0, 0);
	assert_int_equal(sc_fsview_check_symlinks(v), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "points outside the image root"));
	sc_fsview_free(v);
}

typedef struct {
	char paths[16][64];
	int n;
} order_state;

static int collect(const sc_fsnode *n, void *ud)
{
	order_state *s = ud;

	if (s->n < 16)
		snprintf(s->paths[s->n++], 64, "%s", n->e.path);
	return 0;
}

static void test_walk_order(void **state)
{
	sc_fsview *v;
	tt_tar t;
	order_state s = { .n = 0 };

	(void)state;
	assert_int_equal(sc_fsview_new(&v), 0);
	tt_tar_init(&t, 1 << 20);
	tt_file(&t, "b", "");
	tt_file(&t, "a-b", "");
	tt_file(&t, "a/z", "");
	tt_file(&t, "a/b", "");
	apply(v, &t, 0, 0);
	assert_int_equal(sc_fsview_walk(v, collect, &s), 0);
	assert_int_equal(s.n, 5);
	assert_string_equal(s.paths[0], "a");
	assert_string_equal(s.paths[1], "a/b");
	assert_string_equal(s.paths[2], "a/z");
	assert_string_equal(s.paths[3], "a-b");
	assert_string_equal(s.paths[4], "b");
	sc_fsview_free(v);
}

static void test_deep_tree_removal(void **state)
{
	sc_fsview *v;
	tt_tar t;
	char path[SC_PATH_MAX];
	size_t i, len = 0;

	(void)state;
	/* 1500 nested directories: removal and walks must not recurse. */
	for (i = 0; i < 1500 && len + 3 < 3000; i++) {
		path[len++] = 'd';
		path[len++] = '/';
	}
	memcpy(path + len, "leaf", 5);
	assert_int_equal(sc_fsview_new(&v), 0);
	tt_tar_init(&t, 1 << 22);
	tt_file(&t, path, "x");
	apply(v, &t, 0, 0);
	assert_true(sc_fsview_count(v) > 1400);
	tt_tar_init(&t, 1 << 16);
	tt_file(&t, ".wh.d", "");
	apply(v, &t, 1, 0);
	assert_int_equal(sc_fsview_count(v), 0);
	sc_fsview_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_override_and_whiteouts),
		cmocka_unit_test(test_type_changes),
		cmocka_unit_test(test_hardlinks),
		cmocka_unit_test(test_hardlink_target_replaced),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_walk_order),
		cmocka_unit_test(test_deep_tree_removal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
