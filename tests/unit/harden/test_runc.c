/*
 * test_runc.c - the OCI runtime config that sc_run() hands to runc
 * (src/harden/runc.c), checked field by field, and the refusals of bad
 * specs.  Running containers is covered by tests/e2e/test_runc.py.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "harden/runc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static json_t *config(const sc_run_spec *spec)
{
	json_t *cfg = NULL;

	if (sc_run_config_json(&cfg, spec) != 0)
		fail_msg("sc_run_config_json: %s", sc_error_msg());
	assert_non_null(cfg);
	return cfg;
}

static json_t *get(json_t *o, const char *path)
{
	char buf[256], *save = NULL, *k;

	snprintf(buf, sizeof(buf), "%s", path);
	for (k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
		o = json_is_array(o) ? json_array_get(o, (size_t)atoi(k)) : json_object_get(o, k);
	if (!o)
		fail_msg("no %s in config", path);
	return o;
}

static void check_str(json_t *cfg, const char *path, const char *want)
{
	json_t *v = get(cfg, path);

	if (!json_is_string(v) || strcmp(json_string_value(v), want) != 0)
		fail_msg("%s = '%s', want '%s'", path, json_is_string(v) ? json_string_value(v) : "(not a string)",
			 want);
}

static void check_int(json_t *cfg, const char *path, long long want)
{
	json_t *v = get(cfg, path);

	if (!json_is_integer(v) || json_integer_value(v) != want)
		fail_msg("%s is not %lld", path, want);
}

static void check_bool(json_t *cfg, const char *path, int want)
{
	json_t *v = get(cfg, path);

	if (!json_is_boolean(v) || json_is_true(v) != !!want)
		fail_msg("%s is not %s", path, want ? "true" : "false");
}

/* The array at path holds exactly the n strings of want, in order. */
static void check_strs(json_t *cfg, const char *path, size_t n, const char *const *want)
{
	json_t *a = get(cfg, path);
	size_t i;

	if (!json_is_array(a) || json_array_size(a) != n)
		fail_msg("%s: %zu items, want %zu", path, json_is_array(a) ? json_array_size(a) : 0, n);
	for (i = 0; i < n; i++) {
		json_t *s = json_array_get(a, i);

		if (!json_is_string(s) || strcmp(json_string_value(s), want[i]) != 0)
			fail_msg("%s[%zu] = '%s', want '%s'", path, i,
				 json_is_string(s) ? json_string_value(s) : "(not a string)", want[i]);
	}
}

#define STRS(cfg, path, ...)                                                            \
	do {                                                                            \
		static const char *const w_[] = { __VA_ARGS__ };                        \
		check_strs((cfg), (path), sizeof(w_) / sizeof(w_[0]), w_);              \
	} while (0)

static void check_empty(json_t *cfg, const char *path)
{
	json_t *a = get(cfg, path);

	if (!json_is_array(a) || json_array_size(a) != 0)
		fail_msg("%s is not an empty array", path);
}

static void check_mount(json_t *cfg, size_t i, const char *dest, const char *type, const char *src)
{
	char p[64];

	snprintf(p, sizeof(p), "mounts.%zu.destination", i);
	check_str(cfg, p, dest);
	snprintf(p, sizeof(p), "mounts.%zu.type", i);
	check_str(cfg, p, type);
	snprintf(p, sizeof(p), "mounts.%zu.source", i);
	check_str(cfg, p, src);
}

static void test_defaults(void **state)
{
	static const char *const argv[] = { "python3", "-c", "print(1)", NULL };
	sc_run_spec spec = { .bundle = "/b", .argv = argv, .uid = 65532, .gid = 65533 };
	json_t *cfg, *caps;

	(void)state;
	cfg = config(&spec);
	check_str(cfg, "ociVersion", "1.0.2");
	check_bool(cfg, "process.terminal", 0);
	check_int(cfg, "process.user.uid", 65532);
	check_int(cfg, "process.user.gid", 65533);
	STRS(cfg, "process.args", "python3", "-c", "print(1)");
	STRS(cfg, "process.env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	check_str(cfg, "process.cwd", "/");
	check_bool(cfg, "process.noNewPrivileges", 1);
	/* not root: no capabilities at all (an absent set would let runc keep them) */
	caps = get(cfg, "process.capabilities");
	assert_int_equal(json_object_size(caps), 4);
	check_empty(cfg, "process.capabilities.bounding");
	check_empty(cfg, "process.capabilities.effective");
	check_empty(cfg, "process.capabilities.permitted");
	check_empty(cfg, "process.capabilities.ambient");
	assert_int_equal(json_array_size(get(cfg, "process.rlimits")), 1);
	check_str(cfg, "process.rlimits.0.type", "RLIMIT_NOFILE");
	check_int(cfg, "process.rlimits.0.hard", 1024);
	check_int(cfg, "process.rlimits.0.soft", 1024);
	assert_null(json_object_get(get(cfg, "process"), "terminalSize"));

	check_str(cfg, "root.path", "rootfs");
	check_bool(cfg, "root.readonly", 0);
	check_str(cfg, "hostname", "scute");

	assert_int_equal(json_array_size(get(cfg, "mounts")), 7);
	check_mount(cfg, 0, "/proc", "proc", "proc");
	check_mount(cfg, 1, "/dev", "tmpfs", "tmpfs");
	STRS(cfg, "mounts.1.options", "nosuid", "strictatime", "mode=755", "size=65536k");
	check_mount(cfg, 2, "/dev/pts", "devpts", "devpts");
	STRS(cfg, "mounts.2.options", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5");
	check_mount(cfg, 3, "/dev/shm", "tmpfs", "shm");
	STRS(cfg, "mounts.3.options", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k");
	check_mount(cfg, 4, "/dev/mqueue", "mqueue", "mqueue");
	STRS(cfg, "mounts.4.options", "nosuid", "noexec", "nodev");
	check_mount(cfg, 5, "/sys", "sysfs", "sysfs");
	STRS(cfg, "mounts.5.options", "nosuid", "noexec", "nodev", "ro");
	check_mount(cfg, 6, "/sys/fs/cgroup", "cgroup", "cgroup");
	STRS(cfg, "mounts.6.options", "nosuid", "noexec", "nodev", "relatime", "ro");

	assert_int_equal(json_array_size(get(cfg, "linux.namespaces")), 6);
	check_str(cfg, "linux.namespaces.0.type", "pid");
	check_str(cfg, "linux.namespaces.1.type", "network");
	check_str(cfg, "linux.namespaces.2.type", "ipc");
	check_str(cfg, "linux.namespaces.3.type", "uts");
	check_str(cfg, "linux.namespaces.4.type", "mount");
	check_str(cfg, "linux.namespaces.5.type", "cgroup");
	assert_null(json_object_get(get(cfg, "linux.namespaces.1"), "path")); /* a new, empty netns */
	check_bool(cfg, "linux.resources.devices.0.allow", 0);
	check_str(cfg, "linux.resources.devices.0.access", "rwm");
	STRS(cfg, "linux.maskedPaths", "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
	     "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
	     "/sys/firmware", "/proc/scsi");
	STRS(cfg, "linux.readonlyPaths", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");
	/* nothing else at the top */
	assert_int_equal(json_object_size(cfg), 6);
	json_decref(cfg);
}

static void test_root_env_cwd(void **state)
{
	static const char *const argv[] = { "/bin/sh", NULL };
	static const char *const env[] = { "PATH=/bin", "LANG=C.UTF-8", "EMPTY=", "X=a=b", NULL };
	sc_run_spec spec = { .argv = argv, .env = env, .cwd = "/srv/app" };
	json_t *cfg;

	(void)state;
	cfg = config(&spec);
	check_int(cfg, "process.user.uid", 0);
	check_int(cfg, "process.user.gid", 0);
	STRS(cfg, "process.env", "PATH=/bin", "LANG=C.UTF-8", "EMPTY=", "X=a=b");
	check_str(cfg, "process.cwd", "/srv/app");
	/* root: runc's default set, as `runc spec` writes it */
	STRS(cfg, "process.capabilities.bounding", "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
	STRS(cfg, "process.capabilities.effective", "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
	STRS(cfg, "process.capabilities.permitted", "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
	STRS(cfg, "process.capabilities.ambient", "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
	check_bool(cfg, "process.noNewPrivileges", 1);
	json_decref(cfg);
}

static void test_strings_kept_exactly(void **state)
{
	/* quotes, newlines, UTF-8 and JSON specials survive as they are */
	static const char *const argv[] = { "python3", "-c", "import torch, numpy; print(\"\\n\")\n\tx",
					    "caf\xc3\xa9 \xf0\x9f\x90\x8d", "", NULL };
	sc_run_spec spec = { .argv = argv, .uid = 1, .gid = 1 };
	json_t *cfg;
	char *s;

	(void)state;
	cfg = config(&spec);
	STRS(cfg, "process.args", "python3", "-c", "import torch, numpy; print(\"\\n\")\n\tx",
	     "caf\xc3\xa9 \xf0\x9f\x90\x8d", "");
	/* and the document round-trips through text */
	s = json_dumps(cfg, 0);
	assert_non_null(s);
	json_decref(cfg);
	cfg = json_loads(s, 0, NULL);
	free(s);
	assert_non_null(cfg);
	check_str(cfg, "process.args.3", "caf\xc3\xa9 \xf0\x9f\x90\x8d");
	json_decref(cfg);
}

static void check_refused(const sc_run_spec *spec, int code, const char *phrase)
{
	json_t *cfg = (json_t *)(uintptr_t)0x1;
	int rc = sc_run_config_json(&cfg, spec);

	if (rc != code)
		fail_msg("rc %d, want %d (%s)", rc, code, sc_error_msg());
	if (!strstr(sc_error_msg(), phrase))
		fail_msg("message '%s' lacks '%s'", sc_error_msg(), phrase);
	assert_true(cfg == (json_t *)(uintptr_t)0x1);
}

static void test_refusals(void **state)
{
	static const char *const argv[] = { "/bin/true", NULL };
	static const char *const empty[] = { NULL };
	static const char *const blank[] = { "", NULL };
	static const char *const bad_utf8[] = { "/bin/echo", "\xff\xfe", NULL };
	static const char *const overlong[] = { "/bin/echo", "\xc0\xaf", NULL };
	static const char *const surrogate[] = { "/bin/echo", "\xed\xa0\x80", NULL };
	static const char *const no_eq[] = { "PATH", NULL };
	static const char *const no_name[] = { "=x", NULL };
	static const char *const env_utf8[] = { "A=\x80", NULL };
	sc_run_spec spec;
	json_t *cfg = NULL;

	(void)state;
	check_refused(NULL, SC_EUSAGE, "empty argv");
	memset(&spec, 0, sizeof(spec));
	check_refused(&spec, SC_EUSAGE, "empty argv");
	spec.argv = empty;
	check_refused(&spec, SC_EUSAGE, "empty argv");
	spec.argv = blank;
	check_refused(&spec, SC_EUSAGE, "empty argv");
	spec.argv = bad_utf8;
	check_refused(&spec, SC_EUNSUPPORTED, "argv[1] is not valid UTF-8");
	spec.argv = overlong;
	check_refused(&spec, SC_EUNSUPPORTED, "argv[1] is not valid UTF-8");
	spec.argv = surrogate;
	check_refused(&spec, SC_EUNSUPPORTED, "argv[1] is not valid UTF-8");
	spec.argv = argv;
	spec.env = no_eq;
	check_refused(&spec, SC_EUSAGE, "env[0] 'PATH' is not NAME=value");
	spec.env = no_name;
	check_refused(&spec, SC_EUSAGE, "env[0] '=x' is not NAME=value");
	spec.env = env_utf8;
	check_refused(&spec, SC_EUNSUPPORTED, "env[0] is not valid UTF-8");
	spec.env = NULL;
	spec.cwd = "relative/dir";
	check_refused(&spec, SC_EUSAGE, "cwd 'relative/dir' is not absolute");
	spec.cwd = "/\xff";
	check_refused(&spec, SC_EUNSUPPORTED, "cwd[0] is not valid UTF-8");
	spec.cwd = NULL;
	spec.uid = UINT32_MAX;
	check_refused(&spec, SC_EUSAGE, "not a valid id");
	spec.uid = 0;
	spec.gid = UINT32_MAX;
	check_refused(&spec, SC_EUSAGE, "not a valid id");
	spec.gid = 0;
	spec.output_max = SC_RUN_MAX_OUTPUT + 1;
	check_refused(&spec, SC_EUSAGE, "output_max");
	spec.output_max = SC_RUN_MAX_OUTPUT;
	assert_int_equal(sc_run_config_json(&cfg, &spec), 0);
	json_decref(cfg);
	assert_int_equal(sc_run_config_json(NULL, &spec), SC_EUSAGE);
}

static void test_limits(void **state)
{
	const char **v = calloc(SC_RUN_MAX_ARGS + 2, sizeof(*v));
	char *big = malloc(SC_RUN_MAX_ARG_BYTES + 1);
	sc_run_spec spec;
	json_t *cfg = NULL;
	size_t i;

	(void)state;
	memset(&spec, 0, sizeof(spec));
	for (i = 0; i < SC_RUN_MAX_ARGS; i++)
		v[i] = "x";
	spec.argv = v;
	assert_int_equal(sc_run_config_json(&cfg, &spec), 0);
	assert_int_equal(json_array_size(get(cfg, "process.args")), SC_RUN_MAX_ARGS);
	json_decref(cfg);
	v[SC_RUN_MAX_ARGS] = "x";
	check_refused(&spec, SC_EUSAGE, "more than 4096 argv entries");
	spec.argv = (const char *const[]){ "/bin/true", NULL };
	spec.env = v;
	v[SC_RUN_MAX_ARGS] = NULL;
	v[0] = "A=1";
	for (i = 1; i < SC_RUN_MAX_ARGS; i++)
		v[i] = "B=2";
	assert_int_equal(sc_run_config_json(&cfg, &spec), 0);
	json_decref(cfg);
	v[SC_RUN_MAX_ARGS] = "C=3";
	check_refused(&spec, SC_EUSAGE, "more than 4096 env entries");
	/* bytes: argv, env and cwd count together */
	memset(big, 'a', SC_RUN_MAX_ARG_BYTES);
	big[SC_RUN_MAX_ARG_BYTES - 1] = '\0'; /* with its NUL: exactly the limit */
	spec.env = NULL;
	spec.argv = (const char *const[]){ big, NULL };
	assert_int_equal(sc_run_config_json(&cfg, &spec), 0);
	json_decref(cfg);
	spec.cwd = "/";
	check_refused(&spec, SC_EUSAGE, "exceed 1048576 bytes");
	free(big);
	free(v);
}

static void test_run_refusals(void **state)
{
	static const char *const argv[] = { "/bin/true", NULL };
	sc_run_spec spec = { .argv = argv, .bundle = "relative" };
	sc_run_result r;

	(void)state;
	memset(&r, 0x5a, sizeof(r));
	assert_int_equal(sc_run(&spec, &r), SC_EUSAGE);
	assert_non_null(strstr(sc_error_msg(), "absolute"));
	spec.bundle = NULL;
	assert_int_equal(sc_run(&spec, &r), SC_EUSAGE);
	spec.bundle = "/nonexistent-scute-bundle";
	assert_int_equal(sc_run(&spec, &r), SC_ENOTFOUND);
	assert_non_null(strstr(sc_error_msg(), "no rootfs directory"));
	assert_int_equal(sc_run(&spec, NULL), SC_EUSAGE);
	spec.argv = NULL;
	assert_int_equal(sc_run(&spec, &r), SC_EUSAGE);
	/* untouched on failure */
	assert_int_equal(r.exited, 0x5a5a5a5a);
	sc_run_result_release(NULL);

	assert_int_equal(sc_run_tmpfs_mount("relative", 1 << 20), SC_EUSAGE);
	assert_int_equal(sc_run_tmpfs_mount("/tmp", 0), SC_EUSAGE);
	assert_int_equal(sc_run_tmpfs_mount(NULL, 1), SC_EUSAGE);
	assert_int_equal(sc_run_tmpfs_umount(NULL), SC_EUSAGE);
	assert_int_equal(sc_run_tmpfs_umount("/nonexistent-scute-mount"), SC_EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_root_env_cwd),
		cmocka_unit_test(test_strings_kept_exactly),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_run_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
