/*
 * apk.c - the apk cataloger: Alpine packages from lib/apk/db/installed
 * (https://wiki.alpinelinux.org/wiki/Apk_spec#Installed_Database_V2).
 *
 * Fields used: P name, V version, A arch, o origin (source_name when it
 * differs), L license, m maintainer, T description, S size (prop
 * "apk.size"), I installed size (bytes), D depends (space separated;
 * version constraints stripped, "so:"/"cmd:"/"pc:" names kept as they
 * are, "!conflicts" dropped), c commit (prop "apk.commit"), F directory
 * and R file (owned files = F/R).
 */
#include "catalog/apk.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/path.h"
#include "core/strv.h"
#include "core/utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AP_NAME_MAX 1024
#define AP_FILE_BYTES_MAX (256u * 1024 * 1024) /* owned-path bytes per database (F/R joins amplify) */

static const char *const ap_globs[] = { "lib/apk/db/installed", NULL };
static const sc_interest ap_interest = {
	.name = "apk installed", .globs = ap_globs, .capture_max = SC_APK_DB_MAX,
};
static const sc_interest *const ap_interests[] = { &ap_interest, NULL };

typedef struct ap_span {
	const char *p;
	size_t len;
} ap_span;

/* Copy a span (trimmed, NUL bytes and bad UTF-8 made '?'); NULL when absent or empty. */
static int ap_value(char **out, ap_span v, int *bad)
{
	size_t i;

	*out = NULL;
	if (!v.p)
		return 0;
	while (v.len && (v.p[0] == ' ' || v.p[0] == '\t')) {
		v.p++;
		v.len--;
	}
	while (v.len && (v.p[v.len - 1] == ' ' || v.p[v.len - 1] == '\t' || v.p[v.len - 1] == '\r'))
		v.len--;
	if (!v.len)
		return 0;
	if (!(*out = sc_malloc(v.len + 1)))
		return SC_ENOMEM;
	for (i = 0; i < v.len; i++)
		(*out)[i] = v.p[i] ? v.p[i] : '\x01';
	(*out)[v.len] = '\0';
	if (sc_utf8_sanitize(*out))
		*bad = 1;
	return 0;
}

/* One record being read. */
typedef struct ap_rec {
	ap_span f[128];        /* first occurrence of each single-letter field, by ASCII code */
	ap_span dir;           /* current F: */
	sc_strv files;
	size_t line;           /* first line */
	int too_long;
	int any;
	int bad_path;
} ap_rec;

typedef struct ap_ctx {
	sc_catalog *cat;
	const char *location;
	size_t count;
	int limit_noted;
} ap_ctx;

static void ap_rec_reset(ap_rec *r)
{
	sc_strv_release(&r->files);
	memset(r, 0, sizeof(*r));
}

/* Owned file F/R (both relative), cleaned; paths climbing out are dropped. */
static int ap_add_file(ap_rec *r, ap_span file, size_t *total)
{
	char joined[SC_PATH_MAX], clean[SC_PATH_MAX];
	unsigned flags = 0;
	size_t dl = r->dir.p ? r->dir.len : 0;
	char *s;

	if (!file.len)
		return 0;
	if (dl + 1 + file.len + 1 > sizeof(joined) || (dl && memchr(r->dir.p, '\0', dl)) ||
	    memchr(file.p, '\0', file.len)) {
		r->bad_path = 1;
		return 0;
	}
	if (dl) {
		memcpy(joined, r->dir.p, dl);
		joined[dl] = '/';
		dl++;
	}
	memcpy(joined + dl, file.p, file.len);
	joined[dl + file.len] = '\0';
	if (sc_path_clean(clean, sizeof(clean), joined, &flags) != 0 || !clean[0] || (flags & SC_PATH_ESCAPES)) {
		sc_error_clear();
		r->bad_path = 1;
		return 0;
	}
	if (*total + strlen(clean) + 1 > AP_FILE_BYTES_MAX) {
		r->bad_path = 1;
		return 0;
	}
	*total += strlen(clean) + 1;
	if (!(s = sc_strdup(clean)))
		return SC_ENOMEM;
	sc_utf8_sanitize(s);
	return sc_strv_push(&r->files, s);
}

/* "so:libc.musl-x86_64.so.1 musl>=1.2 /bin/sh !foo" -> names. */
static int ap_depends(sc_strv *out, const char *s)
{
	while (s && *s) {
		size_t n;
		int rc;

		while (*s == ' ')
			s++;
		n = strcspn(s, " ");
		if (n && s[0] != '!') {
			size_t k = strcspn(s, "<>=~");

			if (k > n)
				k = n;
			if (k && k <= AP_NAME_MAX) {
				char *d = sc_strndup(s, k);

				if (!d)
					return SC_ENOMEM;
				if ((rc = sc_strv_push(out, d)) != 0)
					return rc;
			}
		}
		s += n;
	}
	return 0;
}

static int ap_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++)
		if (*s < '0' || *s > '9' || __builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v))
			return -1;
	*out = v;
	return 0;
}

static int ap_finish(ap_ctx *c, ap_rec *r)
{
	sc_package p;
	char *size = NULL, *isize = NULL, *deps = NULL, *commit = NULL;
	sc_strv dv;
	uint64_t u;
	int bad = 0, rc;

	memset(&p, 0, sizeof(p));
	memset(&dv, 0, sizeof(dv));
	if (!r->any)
		return 0;
	if (r->too_long)
		return sc_catalog_note(c->cat, SC_NOTE_WARNING, "apk", c->location,
				       "record at line %zu skipped: a line is longer than %u bytes", r->line,
				       SC_APK_LINE_MAX);
	if ((rc = ap_value(&p.name, r->f['P'], &bad)) != 0)
		goto out;
	if (!p.name) {
		rc = sc_catalog_note(c->cat, SC_NOTE_WARNING, "apk", c->location,
				     "record at line %zu skipped: no P: (name) field", r->line);
		goto out;
	}
	if (c->count >= SC_APK_MAX_PACKAGES) {
		if (!c->limit_noted)
			rc = sc_catalog_note(c->cat, SC_NOTE_WARNING, "apk", c->location,
					     "more than %d packages; the rest are not listed", SC_APK_MAX_PACKAGES);
		c->limit_noted = 1;
		goto out;
	}
	p.eco = SC_ECO_APK;
	p.location = (char *)c->location;
	if ((rc = ap_value(&p.version, r->f['V'], &bad)) || (rc = ap_value(&p.arch, r->f['A'], &bad)) ||
	    (rc = ap_value(&p.source_name, r->f['o'], &bad)) || (rc = ap_value(&p.license, r->f['L'], &bad)) ||
	    (rc = ap_value(&p.supplier, r->f['m'], &bad)) || (rc = ap_value(&p.summary, r->f['T'], &bad)) ||
	    (rc = ap_value(&size, r->f['S'], &bad)) || (rc = ap_value(&isize, r->f['I'], &bad)) ||
	    (rc = ap_value(&deps, r->f['D'], &bad)) || (rc = ap_value(&commit, r->f['c'], &bad)))
		goto out;
	if (p.source_name && strcmp(p.source_name, p.name) == 0) {
		free(p.source_name);
		p.source_name = NULL;
	}
	if (isize) {
		if (ap_u64(isize, &u) == 0)
			p.installed_size = u;
		else if ((rc = sc_catalog_note(c->cat, SC_NOTE_WARNING, "apk", c->location,
					       "package '%s': bad installed size '%.40s'", p.name, isize)) != 0)
			goto out;
	}
	if (size && ap_u64(size, &u) == 0 && (rc = sc_kv_list_add(&p.props, "apk.size", size)) != 0)
		goto out;
	if (commit && (rc = sc_kv_list_add(&p.props, "apk.commit", commit)) != 0)
		goto out;
	dv.max = SC_APK_MAX_DEPENDS;
	if ((rc = ap_depends(&dv, deps)) != 0)
		goto out;
	if (dv.dropped && (rc = sc_catalog_note(c->cat, SC_NOTE_WARNING, "apk", c->location,
						"package '%s': more than %d dependencies, the rest dropped", p.name,
						SC_APK_MAX_DEPENDS)) != 0)
		goto out;
	p.depends = sc_strv_finish(&dv, 1);
	p.files = sc_strv_finish(&r->files, 0);
	if (bad && (rc = sc_catalog_note(c->cat, SC_NOTE_WARNING, "apk", c->location,
					 "package '%s': invalid UTF-8 or control bytes replaced with '?'", p.name)) != 0)
		goto out;
	if (r->bad_path && (rc = sc_catalog_note(c->cat, SC_NOTE_WARNING, "apk", c->location,
						 "package '%s': unusable file paths (or more than 256 MiB of them) dropped", p.name)) != 0)
		goto out;
	if ((rc = sc_catalog_add_package(c->cat, &p, NULL)) != 0)
		goto out;
	c->count++;
out:
	free(p.name);
	free(p.version);
	free(p.arch);
	free(p.source_name);
	free(p.license);
	free(p.supplier);
	free(p.summary);
	sc_strv_free(p.depends);
	sc_strv_free(p.files);
	sc_kv_list_release(&p.props);
	sc_strv_release(&dv);
	free(size);
	free(isize);
	free(deps);
	free(commit);
	return rc;
}

int sc_apk_parse_installed(sc_catalog *cat, const void *data, size_t len, const char *location)
{
	const char *p = data ? data : "", *end = p + (data ? len : 0);
	size_t line = 0, malformed = 0, file_bytes = 0;
	ap_ctx c;
	ap_rec *r;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	c.cat = cat;
	c.location = location;
	r = sc_calloc(1, sizeof(*r));
	if (!r)
		return SC_ENOMEM;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t l = (size_t)(le - p);
		ap_span v;

		line++;
		if (l && p[l - 1] == '\r')
			l--;
		if (l == 0) {
			if ((rc = ap_finish(&c, r)) != 0)
				goto out;
			ap_rec_reset(r);
			p = nl ? nl + 1 : end;
			continue;
		}
		if (!r->any)
			r->line = line;
		r->any = 1;
		if (l > SC_APK_LINE_MAX) {
			r->too_long = 1;
		} else if (l < 2 || p[1] != ':' || (unsigned char)p[0] >= 128) {
			malformed++;
		} else if (!r->too_long) {
			unsigned char k = (unsigned char)p[0];

			v.p = p + 2;
			v.len = l - 2;
			if (k == 'F') {
				r->dir = v;
			} else if (k == 'R') {
				if ((rc = ap_add_file(r, v, &file_bytes)) != 0)
					goto out;
			} else if (!r->f[k].p) {
				r->f[k] = v;
			}
		}
		p = nl ? nl + 1 : end;
	}
	if ((rc = ap_finish(&c, r)) != 0)
		goto out;
	if (malformed)
		rc = sc_catalog_note(cat, SC_NOTE_WARNING, "apk", location, "%zu malformed line(s) ignored", malformed);
out:
	ap_rec_reset(r);
	free(r);
	return rc;
}

static int ap_collect(const sc_fsview *view, sc_catalog *cat)
{
	const sc_fsnode *n = NULL;
	const sc_capture *cap;
	int rc;

	if (sc_fsview_resolve(view, "lib/apk/db/installed", 1, &n, NULL, 0) != 0 || !n) {
		sc_error_clear();
		return 0;
	}
	if (!(cap = sc_fsnode_capture(n, &ap_interest)))
		return 0;
	if (cap->truncated && (rc = sc_catalog_note(cat, SC_NOTE_WARNING, "apk", "lib/apk/db/installed",
						    "database larger than %u MiB, truncated", SC_APK_DB_MAX >> 20)) != 0)
		return rc;
	return sc_apk_parse_installed(cat, cap->data, cap->len, "lib/apk/db/installed");
}

const sc_cataloger sc_cataloger_apk = { "apk", ap_interests, ap_collect };
