/*
 * os.c - the os cataloger: which distribution an image is built on.
 *
 * Sources, first found wins:
 *   etc/os-release, else usr/lib/os-release (os-release(5),
 *   https://www.freedesktop.org/software/systemd/man/latest/os-release.html):
 *   KEY=VALUE lines, values optionally single- or double-quoted with
 *   backslash escapes as in a shell assignment; ID, VERSION_ID,
 *   VERSION_CODENAME (else UBUNTU_CODENAME, else the word in parentheses of
 *   VERSION "12 (bookworm)"), PRETTY_NAME.
 *   Fallbacks: etc/debian_version ("12.5" -> debian 12, "bookworm/sid" ->
 *   codename), etc/alpine-release, etc/redhat-release ("Rocky Linux
 *   release 9.3 (Blue Onyx)").
 * etc/os-release is usually a symlink to ../usr/lib/os-release: it is
 * resolved through the view and the target's capture is read.
 */
#include "catalog/catalog.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/path.h"
#include "core/utf8.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define OS_CAPTURE_MAX (64 * 1024)
#define OS_VALUE_MAX 1024

static const char *const os_globs[] = {
	"etc/os-release", "usr/lib/os-release", "etc/*-release", "etc/*_version", "usr/lib/*-release", NULL,
};

static const sc_interest os_interest = {
	.name = "os-release",
	.globs = os_globs,
	.capture_max = OS_CAPTURE_MAX,
};

static const sc_interest *const os_interests[] = { &os_interest, NULL };

/* The capture of the regular file at `path` (symlinks followed), or NULL. */
static const sc_capture *os_capture(const sc_fsview *view, sc_catalog *cat, const char *path, int *rc)
{
	const sc_fsnode *n = NULL;
	const sc_capture *c;

	*rc = 0;
	if (sc_fsview_resolve(view, path, 1, &n, NULL, 0) != 0 || !n) {
		sc_error_clear();
		return NULL;
	}
	if (n->e.type != SC_FT_REG && n->e.type != SC_FT_HARDLINK)
		return NULL;
	c = sc_fsnode_capture(n, &os_interest);
	if (!c) {
		*rc = sc_catalog_note(cat, SC_NOTE_WARNING, "os", path, "resolves to '%s', which was not read",
				      n->e.path);
		return NULL;
	}
	if (c->truncated)
		*rc = sc_catalog_note(cat, SC_NOTE_WARNING, "os", path, "file larger than %d bytes, truncated",
				      OS_CAPTURE_MAX);
	return c;
}

/* Set *dst to a copy of s (len bytes), sanitised; replaces an earlier value. */
static int os_set(char **dst, const char *s, size_t len)
{
	char *c = sc_strndup(s, len);

	if (!c)
		return SC_ENOMEM;
	sc_utf8_sanitize(c);
	free(*dst);
	*dst = c;
	return 0;
}

/*
 * Decode an os-release value (shell-like quoting) from [p, end) into out
 * (at most OS_VALUE_MAX bytes; the rest is dropped).
 */
static size_t os_unquote(const char *p, const char *end, char *out)
{
	size_t n = 0, keep = 0;
	char q = 0;

	while (p < end) {
		char c = *p++;

		if (!q && (c == '"' || c == '\'')) {
			q = c;
			continue;
		}
		if (q && c == q) {
			q = 0;
			keep = n;
			continue;
		}
		if (c == '\\' && q != '\'' && p < end) {
			char nx = *p;

			/* In double quotes only \ " $ ` are escapes (shell rules). */
			if (!q || nx == '\\' || nx == '"' || nx == '$' || nx == '`') {
				c = nx;
				p++;
				if (n < OS_VALUE_MAX)
					out[n++] = c;
				keep = n;
				continue;
			}
		}
		if (!q && (c == ' ' || c == '\t')) {
			/* Unquoted whitespace: ends the word unless more text follows. */
			if (n < OS_VALUE_MAX)
				out[n++] = c;
			continue;
		}
		if (n < OS_VALUE_MAX)
			out[n++] = c;
		keep = n;
	}
	return keep;
}

typedef struct os_fields {
	char *id, *version_id, *codename, *ubuntu_codename, *version, *pretty_name;
} os_fields;

static void os_fields_release(os_fields *f)
{
	free(f->id);
	free(f->version_id);
	free(f->codename);
	free(f->ubuntu_codename);
	free(f->version);
	free(f->pretty_name);
}

static int os_parse_release(os_fields *f, const char *data, size_t len)
{
	const char *p = data, *end = data + len;
	char val[OS_VALUE_MAX];
	int rc;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *k, *eq;
		char **dst = NULL;
		size_t klen, vlen;

		while (p < le && (*p == ' ' || *p == '\t'))
			p++;
		k = p;
		eq = memchr(p, '=', (size_t)(le - p));
		if (eq && *k != '#') {
			klen = (size_t)(eq - k);
			if (le > eq + 1 && le[-1] == '\r')
				le--;
#define KEY(s) (klen == sizeof(s) - 1 && memcmp(k, s, klen) == 0)
			if (KEY("ID"))
				dst = &f->id;
			else if (KEY("VERSION_ID"))
				dst = &f->version_id;
			else if (KEY("VERSION_CODENAME"))
				dst = &f->codename;
			else if (KEY("UBUNTU_CODENAME"))
				dst = &f->ubuntu_codename;
			else if (KEY("VERSION"))
				dst = &f->version;
			else if (KEY("PRETTY_NAME"))
				dst = &f->pretty_name;
#undef KEY
			if (dst) {
				vlen = os_unquote(eq + 1, le, val);
				if ((rc = os_set(dst, val, vlen)) != 0)
					return rc;
				if (!**dst) {
					free(*dst);
					*dst = NULL;
				}
			}
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* "12 (bookworm)" -> "bookworm"; "22.04.3 LTS (Jammy Jellyfish)" -> "jammy" (first word, lowercased). */
static int os_codename_from_version(char **out, const char *version)
{
	const char *o = strchr(version, '('), *c;
	size_t n = 0;

	if (!o)
		return 0;
	o++;
	c = o;
	while (*c && *c != ')' && *c != ' ' && *c != ',')
		c++;
	n = (size_t)(c - o);
	if (!n)
		return 0;
	*out = sc_strndup(o, n);
	if (!*out)
		return SC_ENOMEM;
	for (c = *out; *c; c++)
		*(char *)c = (char)tolower((unsigned char)*c);
	return 0;
}

static int os_from_release(sc_catalog *cat, const sc_capture *c, const char *source)
{
	os_fields f;
	sc_os_info *o = &cat->os;
	int rc;

	memset(&f, 0, sizeof(f));
	if ((rc = os_parse_release(&f, (const char *)c->data, c->len)) != 0)
		goto out;
	if (!f.codename && f.ubuntu_codename) {
		f.codename = f.ubuntu_codename;
		f.ubuntu_codename = NULL;
	}
	if (!f.codename && f.version && (rc = os_codename_from_version(&f.codename, f.version)) != 0)
		goto out;
	if (!f.id && !(f.id = sc_strdup("linux"))) { /* os-release(5): ID defaults to "linux" */
		rc = SC_ENOMEM;
		goto out;
	}
	o->id = f.id;
	o->version_id = f.version_id;
	o->codename = f.codename;
	o->pretty_name = f.pretty_name;
	f.id = f.version_id = f.codename = f.pretty_name = NULL;
	if (!(o->source = sc_strdup(source)))
		rc = SC_ENOMEM;
out:
	os_fields_release(&f);
	return rc;
}

/* The first line of a capture, trimmed, into a new string. */
static char *os_first_line(const sc_capture *c)
{
	const char *p = (const char *)c->data, *e;
	size_t len = c->len;
	char *s;

	if (!p)
		return sc_strdup("");
	e = memchr(p, '\n', len);
	if (e)
		len = (size_t)(e - p);
	if (len > OS_VALUE_MAX)
		len = OS_VALUE_MAX;
	while (len && isspace((unsigned char)*p)) {
		p++;
		len--;
	}
	while (len && isspace((unsigned char)p[len - 1]))
		len--;
	s = sc_strndup(p, len);
	if (s)
		sc_utf8_sanitize(s);
	return s;
}

static int os_debian(sc_catalog *cat, const sc_capture *c)
{
	sc_os_info *o = &cat->os;
	char *line = os_first_line(c);

	if (!line)
		return SC_ENOMEM;
	if (!(o->id = sc_strdup("debian")) || !(o->source = sc_strdup("etc/debian_version")))
		goto nomem;
	if (isdigit((unsigned char)line[0])) {
		size_t n = strspn(line, "0123456789");

		if (!(o->version_id = sc_strndup(line, n)))
			goto nomem;
	} else if (line[0]) {
		size_t n = strcspn(line, "/ ");

		if (!(o->codename = sc_strndup(line, n)))
			goto nomem;
	}
	free(line);
	return 0;
nomem:
	free(line);
	return SC_ENOMEM;
}

static int os_alpine(sc_catalog *cat, const sc_capture *c)
{
	sc_os_info *o = &cat->os;
	char *line = os_first_line(c);

	if (!line)
		return SC_ENOMEM;
	if (!(o->id = sc_strdup("alpine")) || !(o->source = sc_strdup("etc/alpine-release"))) {
		free(line);
		return SC_ENOMEM;
	}
	if (line[0])
		o->version_id = line;
	else
		free(line);
	return 0;
}

/* "CentOS Linux release 7.9.2009 (Core)" and friends. */
static int os_redhat(sc_catalog *cat, const sc_capture *c)
{
	static const struct {
		const char *prefix, *id;
	} ids[] = {
		{ "Red Hat", "rhel" },     { "CentOS", "centos" },      { "Fedora", "fedora" },
		{ "Rocky", "rocky" },      { "AlmaLinux", "almalinux" }, { "Oracle", "ol" },
		{ "Scientific", "scientific" }, { "Amazon", "amzn" },
	};
	sc_os_info *o = &cat->os;
	char *line = os_first_line(c);
	const char *id = "rhel", *r;
	size_t i;

	if (!line)
		return SC_ENOMEM;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (strncmp(line, ids[i].prefix, strlen(ids[i].prefix)) == 0)
			id = ids[i].id;
	if (!(o->id = sc_strdup(id)) || !(o->source = sc_strdup("etc/redhat-release")))
		goto nomem;
	r = strstr(line, " release ");
	if (r) {
		r += 9;
		if (!(o->version_id = sc_strndup(r, strcspn(r, " "))))
			goto nomem;
	}
	if (line[0]) {
		o->pretty_name = line;
		line = NULL;
	}
	free(line);
	return 0;
nomem:
	free(line);
	return SC_ENOMEM;
}

static int os_collect(const sc_fsview *view, sc_catalog *cat)
{
	static const char *const releases[] = { "etc/os-release", "usr/lib/os-release" };
	const sc_capture *c;
	size_t i;
	int rc;

	if (cat->os.id)
		return 0; /* already known */
	for (i = 0; i < sizeof(releases) / sizeof(releases[0]); i++) {
		c = os_capture(view, cat, releases[i], &rc);
		if (rc)
			return rc;
		if (c)
			return os_from_release(cat, c, releases[i]);
	}
	c = os_capture(view, cat, "etc/debian_version", &rc);
	if (rc)
		return rc;
	if (c)
		return os_debian(cat, c);
	c = os_capture(view, cat, "etc/alpine-release", &rc);
	if (rc)
		return rc;
	if (c)
		return os_alpine(cat, c);
	c = os_capture(view, cat, "etc/redhat-release", &rc);
	if (rc)
		return rc;
	if (c)
		return os_redhat(cat, c);
	return 0;
}

const sc_cataloger sc_cataloger_os = { "os", os_interests, os_collect };
