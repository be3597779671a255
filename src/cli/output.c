/*
 * output.c - CLI output helpers: error reporting, atomic output files,
 * colour detection and size formatting.
 */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/error.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sc_cli_fail(int code)
{
	const char *msg = sc_error_msg();
	char line[1100];
	size_t i;

	if (!code)
		code = SC_EINTERNAL;
	snprintf(line, sizeof(line), "%s", msg[0] ? msg : sc_error_name(code));
	/* One line, always: an image cannot smuggle newlines or escapes into it. */
	for (i = 0; line[i]; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	fprintf(stderr, "scute: error: %s\n", line);
	return sc_error_exit_status(code);
}

int sc_cli_usage_error(const char *verb, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "scute: error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'scute %s --help')\n", verb);
	return SC_EXIT_USAGE;
}

int sc_cli_jobs(const char *verb, const char *arg, unsigned *out)
{
	char *end;
	unsigned long long v = strtoull(arg, &end, 10);

	if (*end || !*arg || *arg == '-' || v == 0 || v > 256) {
		sc_cli_usage_error(verb, "--jobs wants a number from 1 to 256");
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

int sc_out_open(sc_out *o, const char *path)
{
	int fd;
	size_t n;

	memset(o, 0, sizeof(*o));
	if (!path || strcmp(path, "-") == 0) {
		o->f = stdout;
		return 0;
	}
	{
		struct stat st;

		/*
		 * Only regular files are replaced by rename: a device, FIFO or
		 * socket (`-o /dev/null`, `-o /dev/stdout`, a pipe) is written
		 * in place, or a root user would see /dev/null replaced.
		 */
		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
			if (S_ISDIR(st.st_mode))
				return sc_error_set(SC_EUSAGE, "output '%s' is a directory", path);
			o->f = fopen(path, "w");
			if (!o->f)
				return sc_error_set_errno(SC_EIO, errno, "cannot open output '%s'", path);
			o->direct = 1;
			return 0;
		}
	}
	n = strlen(path);
	o->path = sc_strdup(path);
	o->tmp = sc_malloc(n + 16);
	if (!o->path || !o->tmp) {
		sc_out_abort(o);
		return SC_ENOMEM;
	}
	snprintf(o->tmp, n + 16, "%s.tmpXXXXXX", path);
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		int e = errno;

		free(o->tmp);
		o->tmp = NULL;
		sc_out_abort(o);
		return sc_error_set_errno(SC_EIO, e, "cannot create output file next to '%s'", path);
	}
	fchmod(fd, 0644);
	o->f = fdopen(fd, "w");
	if (!o->f) {
		close(fd);
		sc_out_abort(o);
		return sc_error_set(SC_EIO, "cannot open output file");
	}
	return 0;
}

int sc_out_commit(sc_out *o)
{
	int rc = 0;

	if (o->direct) {
		if (fclose(o->f) != 0)
			rc = sc_error_set_errno(SC_EIO, errno, "writing the output failed");
		o->f = NULL;
		o->direct = 0;
		return rc;
	}
	if (o->f == stdout) {
		if (fflush(stdout) != 0)
			rc = sc_error_set_errno(SC_EIO, errno, "writing standard output failed");
		o->f = NULL;
		return rc;
	}
	if (fflush(o->f) != 0 || fsync(fileno(o->f)) != 0)
		rc = sc_error_set_errno(SC_EIO, errno, "writing '%s' failed", o->path);
	if (fclose(o->f) != 0 && !rc)
		rc = sc_error_set_errno(SC_EIO, errno, "writing '%s' failed", o->path);
	o->f = NULL;
	if (!rc && rename(o->tmp, o->path) != 0)
		rc = sc_error_set_errno(SC_EIO, errno, "cannot rename output into '%s'", o->path);
	if (rc)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	return rc;
}

int sc_out_json(sc_out *o, json_t *doc)
{
	if (!doc || json_dumpf(doc, o->f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) != 0 || fputc('\n', o->f) == EOF) {
		sc_out_abort(o);
		return sc_error_set(SC_EIO, "writing the JSON output failed");
	}
	return 0;
}

void sc_out_abort(sc_out *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	o->direct = 0;
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
}

int sc_cli_color(FILE *f)
{
	const char *term = getenv("TERM");

	if (getenv("NO_COLOR") && getenv("NO_COLOR")[0])
		return 0;
	if (term && strcmp(term, "dumb") == 0)
		return 0;
	return isatty(fileno(f));
}

char *sc_cli_size(uint64_t bytes, char *out, size_t outsz)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
	double v = (double)bytes;
	int u = 0;

	while (v >= 1000.0 && u < 5) {
		v /= 1000.0;
		u++;
	}
	if (u == 0)
		snprintf(out, outsz, "%llu B", (unsigned long long)bytes);
	else
		snprintf(out, outsz, "%.1f %s", v, units[u]);
	return out;
}
