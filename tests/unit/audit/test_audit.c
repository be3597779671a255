/*
 * test_audit.c - the rule framework (registry, ids, score) and a positive
 * and a negative case for every privilege and attack-surface rule, on
 * views built from in-memory layers.
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

typedef struct env {
	sc_catalog cat;
	sc_fsview *view;
	sc_findings fs;
	sc_image img;
} env;

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/sbin/nologin\n";
static const char group[] = "root:x:0:\napp:x:1000:\n";

static void build(env *e, void (*fill)(tt_tar *t))
{
	tt_tar t;
	tt_blob b;

	memset(e, 0, sizeof(*e));
	sc_catalog_init(&e->cat);
	sc_findings_init(&e->fs);
	tt_tar_init(&t, 1 << 20);
	fill(&t);
	b = tt_finish(&t);
	assert_int_equal(at_view(&b, 1, &e->cat, &e->view), 0);
	free(b.data);
}

static void done(env *e)
{
	sc_findings_release(&e->fs);
	sc_catalog_release(&e->cat);
	sc_fsview_free(e->view);
}

/* A Debian-like base: accounts, a shell, apt, setuid su, /tmp. */
static void fill_base(tt_tar *t)
{
	at_add(t, "etc", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "etc/passwd", 'f', 0644, 0, 0, passwd, NULL, 0);
	at_add(t, "etc/group", 'f', 0644, 0, 0, group, NULL, 0);
	at_add(t, "etc/shadow", 'f', 0640, 0, 0, "root:*:19000:0:99999:7:::\napp:!:19000::::::\n", NULL, 0);
	at_add(t, "usr", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "usr/bin", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "bin", 'l', 0777, 0, 0, NULL, "usr/bin", 0);
	at_add(t, "usr/bin/dash", 'f', 0755, 0, 0, "\x7f" "ELF", NULL, 0);
	at_add(t, "usr/bin/sh", 'l', 0777, 0, 0, NULL, "dash", 0);
	at_add(t, "usr/bin/apt-get", 'f', 0755, 0, 0, "\x7f" "ELF", NULL, 0);
	at_add(t, "usr/bin/curl", 'f', 0755, 0, 0, "\x7f" "ELF", NULL, 0);
	at_add(t, "usr/bin/gcc", 'f', 0755, 0, 0, "\x7f" "ELF", NULL, 0);
	at_add(t, "usr/bin/su", 'f', 04755, 0, 0, "\x7f" "ELF", NULL, 0);
	at_add(t, "usr/bin/ping", 'f', 0755, 0, 0, "\x7f" "ELF", NULL, 1);
	at_add(t, "usr/bin/README-not-exec", 'f', 0644, 0, 0, "x", NULL, 0);
	at_add(t, "tmp", 'd', 01777, 0, 0, NULL, NULL, 0);
	at_add(t, "var", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "var/scratch", 'd', 0777, 0, 0, NULL, NULL, 0);
	at_add(t, "var/log.txt", 'f', 0666, 0, 0, "x", NULL, 0);
	at_add(t, "srv", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "srv/data", 'f', 0644, 4242, 4242, "x", NULL, 0);
	at_add(t, "usr/share", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "usr/share/doc", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "usr/share/doc/README", 'f', 0644, 0, 0, "docs docs", NULL, 0);
	at_add(t, "var/lib", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "var/lib/apt", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "var/lib/apt/lists", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "var/lib/apt/lists/partial", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "app", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "app/.git", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "app/.git/HEAD", 'f', 0644, 0, 0, "ref: refs/heads/main\n", NULL, 0);
	at_add(t, "app/Dockerfile", 'f', 0644, 0, 0, "FROM scratch\n", NULL, 0);
	at_add(t, "app/kept.py", 'f', 0644, 0, 0, "x = 1\n", NULL, 0);
	at_add(t, "app/__pycache__", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "app/__pycache__/kept.cpython-311.pyc", 'f', 0644, 0, 0, "pyc", NULL, 0);
	at_add(t, "app/__pycache__/gone.cpython-311.pyc", 'f', 0644, 0, 0, "pyc", NULL, 0);
	at_add(t, "root", 'd', 0700, 0, 0, NULL, NULL, 0);
	at_add(t, "root/.aws", 'd', 0700, 0, 0, NULL, NULL, 0);
	at_add(t, "usr/lib", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "usr/lib/gcc", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "usr/lib/gcc/x86_64-linux-gnu", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "usr/lib/gcc/x86_64-linux-gnu/12", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "usr/lib/gcc/x86_64-linux-gnu/12/cc1", 'f', 0755, 0, 0, "\x7f" "ELF", NULL, 0);
}

/* Distroless-style: no shell, no package manager, nonroot accounts, app binary. */
static void fill_distroless(tt_tar *t)
{
	at_add(t, "etc", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "etc/passwd", 'f', 0644, 0, 0,
	       "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n",
	       NULL, 0);
	at_add(t, "etc/group", 'f', 0644, 0, 0, "root:x:0:\nnonroot:x:65532:\n", NULL, 0);
	at_add(t, "tmp", 'd', 01777, 0, 0, NULL, NULL, 0);
	at_add(t, "home", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "home/nonroot", 'd', 0700, 65532, 65532, NULL, NULL, 0);
	at_add(t, "app", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "app/server", 'f', 0755, 0, 0, "\x7f" "ELF", NULL, 0);
}

static void test_registry(void **state)
{
	size_t n, i, k;
	const sc_rule *const *r = sc_audit_rules(&n);

	assert_true(n >= 14);
	for (i = 0; i < n; i++) {
		assert_non_null(r[i]->id);
		assert_int_equal(strlen(r[i]->id), 7);
		assert_memory_equal(r[i]->id, "SC-", 3);
		assert_non_null(r[i]->title);
		assert_non_null(r[i]->remediation);
		assert_non_null(r[i]->references);
		assert_non_null(r[i]->check);
		assert_true(sc_audit_rule(r[i]->id) == r[i]);
		for (k = i + 1; k < n; k++)
			assert_true(strcmp(r[i]->id, r[k]->id) < 0); /* sorted, unique */
	}
	assert_null(sc_audit_rule("SC-0000"));
	assert_string_equal(sc_audit_category_name(SC_AUDIT_AI), "ai");
}

static void test_user(void **state)
{
	env e;

	build(&e, fill_base);
	assert_int_equal(at_rule("SC-1001", NULL, &e.cat, e.view, &e.fs), 0); /* no config: nothing to say */
	e.img.config.user = NULL;
	assert_int_equal(at_rule("SC-1001", &e.img, &e.cat, e.view, &e.fs), 1);
	assert_true(at_has(&e.fs, "SC-1001", "empty"));
	e.img.config.user = (char *)"0:0";
	assert_int_equal(at_rule("SC-1001", &e.img, &e.cat, e.view, &e.fs), 1);
	e.img.config.user = (char *)"root";
	assert_int_equal(at_rule("SC-1001", &e.img, &e.cat, e.view, &e.fs), 1);
	e.img.config.user = (char *)"app";
	assert_int_equal(at_rule("SC-1001", &e.img, &e.cat, e.view, &e.fs), 0);
	/* The runtime reads a numeric User as a uid: "00" and "+0:1" are root too. */
	e.img.config.user = (char *)"00";
	assert_int_equal(at_rule("SC-1001", &e.img, &e.cat, e.view, &e.fs), 1);
	e.img.config.user = (char *)"000:1000";
	assert_int_equal(at_rule("SC-1001", &e.img, &e.cat, e.view, &e.fs), 1);
	e.img.config.user = (char *)"1000:1000";
	assert_int_equal(at_rule("SC-1001", &e.img, &e.cat, e.view, &e.fs), 0);
	done(&e);
}

static void test_files(void **state)
{
	env e;

	build(&e, fill_base);
	/* setuid su, not dash */
	assert_int_equal(at_rule("SC-1002", NULL, &e.cat, e.view, &e.fs), 1);
	assert_true(at_has(&e.fs, "SC-1002", "setuid file /usr/bin/su (mode 4755"));
	/* var/scratch (0777 dir without sticky) and var/log.txt (0666); not /tmp (1777) */
	assert_int_equal(at_rule("SC-1003", NULL, &e.cat, e.view, &e.fs), 2);
	assert_true(at_has(&e.fs, "SC-1003", "/var/scratch"));
	assert_true(at_has(&e.fs, "SC-1003", "/var/log.txt"));
	assert_false(at_has(&e.fs, "SC-1003", "/tmp"));
	/* srv/data owned by 4242:4242, unknown to passwd/group */
	assert_int_equal(at_rule("SC-1004", NULL, &e.cat, e.view, &e.fs), 1);
	assert_true(at_has(&e.fs, "SC-1004", "/srv/data is owned by 4242:4242"));
	/* capabilities on ping */
	assert_int_equal(at_rule("SC-1005", NULL, &e.cat, e.view, &e.fs), 1);
	assert_true(at_has(&e.fs, "SC-1005", "/usr/bin/ping"));
	/* accounts are clean: locked passwords, unique ids */
	assert_int_equal(at_rule("SC-1006", NULL, &e.cat, e.view, &e.fs), 0);
	done(&e);
}

static void fill_bad_accounts(tt_tar *t)
{
	at_add(t, "etc", 'd', 0755, 0, 0, NULL, NULL, 0);
	at_add(t, "etc/passwd", 'f', 0644, 0, 0,
	       "root:x:0:0:root:/root:/bin/sh\nnopw::1001:1001::/:/bin/sh\ntwin:x:0:0::/:/bin/sh\n", NULL, 0);
	at_add(t, "etc/shadow", 'f', 0640, 0, 0, "root::19000:0:99999:7:::\n", NULL, 0);
	at_add(t, "etc/group", 'f', 0644, 0, 0, "root:x:0:\nother:x:0:\n", NULL, 0);
}

static void test_accounts(void **state)
{
	env e;

	build(&e, fill_bad_accounts);
	/* root: empty shadow password; nopw: empty passwd field; uid 0 twice; gid 0 twice */
	assert_int_equal(at_rule("SC-1006", NULL, &e.cat, e.view, &e.fs), 4);
	assert_true(at_has(&e.fs, "SC-1006", "account 'root' has an empty password"));
	assert_true(at_has(&e.fs, "SC-1006", "account 'nopw' has an empty password"));
	assert_true(at_has(&e.fs, "SC-1006", "uid 0 is shared by 'root' and 'twin'"));
	assert_true(at_has(&e.fs, "SC-1006", "gid 0 is shared by 'root' and 'other'"));
	/* a user that maps to uid 0 runs as root */
	e.img.config.user = (char *)"twin";
	assert_int_equal(at_rule("SC-1001", &e.img, &e.cat, e.view, &e.fs), 1);
	assert_true(at_has(&e.fs, "SC-1001", "has uid 0"));
	done(&e);
}

static void test_surface(void **state)
{
	env e;

	build(&e, fill_base);
	assert_int_equal(at_rule("SC-2001", NULL, &e.cat, e.view, &e.fs), 2); /* dash, sh -> dash, once (bin -> usr/bin) */
	assert_true(at_has(&e.fs, "SC-2001", "shell /usr/bin/sh (-> dash)"));
	assert_int_equal(at_rule("SC-2002", NULL, &e.cat, e.view, &e.fs), 1);
	assert_true(at_has(&e.fs, "SC-2002", "/usr/bin/apt-get"));
	assert_int_equal(at_rule("SC-2003", NULL, &e.cat, e.view, &e.fs), 1);
	assert_true(at_has(&e.fs, "SC-2003", "/usr/bin/curl"));
	assert_int_equal(at_rule("SC-2004", NULL, &e.cat, e.view, &e.fs), 2);
	assert_true(at_has(&e.fs, "SC-2004", "/usr/bin/gcc"));
	assert_true(at_has(&e.fs, "SC-2004", "C compiler proper: 1 found (first /usr/lib/gcc/x86_64-linux-gnu/12/cc1)"));
	/* docs (a file), not the empty apt lists directory; bytecode whose source is gone, not kept.py's */
	assert_int_equal(at_rule("SC-2005", NULL, &e.cat, e.view, &e.fs), 2);
	assert_true(at_has(&e.fs, "SC-2005", "/usr/share/doc holds 1 files"));
	assert_true(at_has(&e.fs, "SC-2005", "1 .pyc files in __pycache__ without their .py (first /app/__pycache__/gone"));
	assert_int_equal(at_rule("SC-2006", NULL, &e.cat, e.view, &e.fs), 3);
	assert_true(at_has(&e.fs, "SC-2006", "AWS CLI directory"));
	assert_true(at_has(&e.fs, "SC-2006", "git repository"));
	assert_true(at_has(&e.fs, "SC-2006", "Dockerfile"));
	done(&e);
}

static void test_distroless_score(void **state)
{
	env e;
	sc_audit_ctx ctx;
	size_t i;

	build(&e, fill_distroless);
	e.img.config.user = (char *)"65532";
	e.img.config.has_healthcheck = 1;
	ctx.img = &e.img;
	ctx.cat = &e.cat;
	ctx.view = e.view;
	assert_int_equal(sc_audit_run(&e.fs, &ctx), 0);
	for (i = 0; i < e.fs.n; i++)
		print_message("finding %s %s\n", e.fs.items[i].id, e.fs.items[i].title);
	assert_true(sc_audit_score(&e.fs) >= 90);
	for (i = 0; i < e.fs.n; i++) {
		assert_true(strncmp(e.fs.items[i].id, "SC-1", 4) != 0 || e.fs.items[i].level < SC_LEVEL_MEDIUM);
		assert_true(strcmp(e.fs.items[i].id, "SC-2001") != 0 && strcmp(e.fs.items[i].id, "SC-2002") != 0);
	}
	done(&e);
}

static void test_base_score_and_order(void **state)
{
	env e;
	sc_audit_ctx ctx;
	size_t i;

	build(&e, fill_base);
	e.img.config.user = (char *)"root";
	ctx.img = &e.img;
	ctx.cat = &e.cat;
	ctx.view = e.view;
	assert_int_equal(sc_audit_run(&e.fs, &ctx), 0);
	assert_true(sc_audit_score(&e.fs) < 60);
	for (i = 1; i < e.fs.n; i++)
		assert_true(e.fs.items[i - 1].level >= e.fs.items[i].level);
	for (i = 0; i < e.fs.n; i++) {
		assert_string_equal(e.fs.items[i].kind, "audit");
		assert_non_null(e.fs.items[i].remediation);
	}
	done(&e);
}

static void test_score_weights(void **state)
{
	sc_findings fs;
	const sc_rule *r = sc_audit_rule("SC-2001"), *u = sc_audit_rule("SC-1001");

	sc_findings_init(&fs);
	assert_int_equal(sc_audit_score(&fs), 100);
	/* one rule, many files: counted once */
	assert_int_equal(sc_audit_add(&fs, r, -1, "usr/bin/sh", NULL, "shell"), 0);
	assert_int_equal(sc_audit_add(&fs, r, -1, "usr/bin/bash", NULL, "shell"), 0);
	assert_int_equal(sc_audit_score(&fs), 94);
	assert_int_equal(sc_audit_add(&fs, u, -1, NULL, NULL, "root"), 0);
	assert_int_equal(sc_audit_score(&fs), 79);
	/* suppressed findings do not count */
	fs.items[2].suppressed = 1;
	assert_int_equal(sc_audit_score(&fs), 94);
	sc_findings_release(&fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_user),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_accounts),
		cmocka_unit_test(test_surface),
		cmocka_unit_test(test_distroless_score),
		cmocka_unit_test(test_base_score_and_order),
		cmocka_unit_test(test_score_weights),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
