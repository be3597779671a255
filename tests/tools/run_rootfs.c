/*
 * run_rootfs.c - test hook for src/harden/runc.c (not installed).
 *
 *   run_rootfs [--probe] [--uid N] [--gid N] [--cwd DIR] [--timeout S]
 *              [--output-max N] [--env NAME=VALUE]... BUNDLE -- ARGV...
 *   run_rootfs [options] BUNDLE --words 'COMMAND LINE'   (split by core/shellwords)
 *   run_rootfs --mount-tmpfs DIR SIZE_BYTES
 *   run_rootfs --umount DIR
 *
 * Prints one JSON object on stdout: {"exited", "status", "signaled",
 * "signo", "timed_out", "stdout", "stderr", "stdout_total",
 * "stderr_total", "opened"} when the container ran (exit 0), or
 * {"error", "code"} when sc_run failed (exit status from the error code).
 * Used by tests/e2e/test_runc.py.
 */
#include "core/error.h"
#include "core/shellwords.h"
#include "harden/runc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
	fprintf(stderr, "usage: run_rootfs [--probe] [--uid N] [--gid N] [--cwd DIR] [--timeout S] "
			"[--output-max N] [--env NAME=VALUE]... BUNDLE (-- ARGV... | --words CMD)\n"
			"       run_rootfs --mount-tmpfs DIR SIZE | --umount DIR\n");
	return 2;
}

static int num(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -1;
	v = strtoull(s, &end, 10);
	if (*end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* A JSON string of captured bytes; bytes JSON cannot carry become '?'. */
static json_t *bytes_json(const char *data, size_t len)
{
	json_t *j;
	char *copy;
	size_t i;

	j = json_stringn(data ? data : "", len);
	if (j)
		return j;
	copy = malloc(len + 1);
	if (!copy)
		return NULL;
	for (i = 0; i < len; i++)
		copy[i] = ((unsigned char)data[i] >= 0x80 || data[i] == '\0') ? '?' : data[i];
	j = json_stringn(copy, len);
	free(copy);
	return j;
}

static int print_error(int rc)
{
	json_t *o = json_pack("{s:s,s:s}", "error", sc_error_msg(), "code", sc_error_name(rc));

	if (o) {
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	}
	return sc_error_exit_status(rc);
}

int main(int argc, char **argv)
{
	sc_run_spec spec;
	sc_run_result r;
	const char *env[256];
	char **words = NULL;
	size_t nenv = 0, nwords = 0, i;
	unsigned long long v;
	json_t *o, *opened;
	int a = 1, rc;

	if (argc >= 4 && strcmp(argv[1], "--mount-tmpfs") == 0) {
		if (num(argv[3], UINT64_MAX, &v) != 0)
			return usage();
		rc = sc_run_tmpfs_mount(argv[2], v);
		return rc ? print_error(rc) : 0;
	}
	if (argc >= 3 && strcmp(argv[1], "--umount") == 0) {
		rc = sc_run_tmpfs_umount(argv[2]);
		return rc ? print_error(rc) : 0;
	}
	memset(&spec, 0, sizeof(spec));
	for (; a < argc && strncmp(argv[a], "--", 2) == 0 && argv[a][2]; a++) {
		const char *o_ = argv[a];

		if (strcmp(o_, "--probe") == 0) {
			spec.probe = 1;
			continue;
		}
		if (a + 1 >= argc)
			return usage();
		if (strcmp(o_, "--uid") == 0 && num(argv[a + 1], UINT32_MAX, &v) == 0)
			spec.uid = (uint32_t)v;
		else if (strcmp(o_, "--gid") == 0 && num(argv[a + 1], UINT32_MAX, &v) == 0)
			spec.gid = (uint32_t)v;
		else if (strcmp(o_, "--timeout") == 0 && num(argv[a + 1], UINT32_MAX, &v) == 0)
			spec.timeout_s = (unsigned)v;
		else if (strcmp(o_, "--output-max") == 0 && num(argv[a + 1], SIZE_MAX, &v) == 0)
			spec.output_max = (size_t)v;
		else if (strcmp(o_, "--cwd") == 0)
			spec.cwd = argv[a + 1];
		else if (strcmp(o_, "--env") == 0 && nenv + 1 < sizeof(env) / sizeof(env[0]))
			env[nenv++] = argv[a + 1];
		else
			return usage();
		a++;
	}
	if (a + 2 > argc)
		return usage();
	spec.bundle = argv[a++];
	if (strcmp(argv[a], "--words") == 0 && a + 2 == argc) {
		rc = sc_shell_split(argv[a + 1], &words, &nwords);
		if (rc)
			return print_error(rc);
		spec.argv = (const char *const *)words;
	} else if (strcmp(argv[a], "--") == 0 && a + 1 < argc) {
		spec.argv = (const char *const *)(argv + a + 1);
	} else {
		return usage();
	}
	env[nenv] = NULL;
	spec.env = nenv ? env : NULL;
	rc = sc_run(&spec, &r);
	sc_shell_free(words);
	if (rc)
		return print_error(rc);
	opened = json_array();
	for (i = 0; i < r.opened.n; i++)
		json_array_append_new(opened, bytes_json(r.opened.v[i], strlen(r.opened.v[i])));
	o = json_pack("{s:b,s:i,s:b,s:i,s:b,s:o,s:o,s:I,s:I,s:o}",
		      "exited", r.exited, "status", r.status, "signaled", r.signaled, "signo", r.signo,
		      "timed_out", r.timed_out, "stdout", bytes_json(r.out.data, r.out.len), "stderr", bytes_json(r.err.data, r.err.len),
		      "stdout_total", (json_int_t)r.out_total, "stderr_total", (json_int_t)r.err_total,
		      "opened", opened);
	sc_run_result_release(&r);
	if (!o) {
		fprintf(stderr, "run_rootfs: out of memory\n");
		return 4;
	}
	json_dumpf(o, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(o);
	return 0;
}
