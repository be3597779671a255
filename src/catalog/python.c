/*
 * python.c - the Python cataloger: installed distributions from
 * *.dist-info/METADATA (with the sibling RECORD as the file list) and
 * *.egg-info/PKG-INFO (a directory, an .egg's EGG-INFO, or a plain file as
 * Debian ships some) inside site-packages / dist-packages directories.
 *
 * Spec: https://packaging.python.org/en/latest/specifications/core-metadata/
 *       https://packaging.python.org/en/latest/specifications/recording-installed-packages/
 *       https://peps.python.org/pep-0503/#normalized-names
 *       https://peps.python.org/pep-0508/ (Requires-Dist)
 */
#include "catalog/python.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/path.h"
#include "core/utf8.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NAME_MAX_LEN 256
#define MAX_REQUIRES 4096
#define MAX_CLASSIFIER_LICENSES 8
#define LICENSE_LINE_MAX 256
#define RECORD_MAX_FILES (1u << 20)

static const char *const metadata_globs[] = {
	"**/site-packages/*.dist-info/METADATA",
	"**/dist-packages/*.dist-info/METADATA",
	"**/site-packages/*.egg-info/PKG-INFO",
	"**/dist-packages/*.egg-info/PKG-INFO",
	"**/site-packages/*.egg-info",
	"**/dist-packages/*.egg-info",
	"**/site-packages/*.egg/EGG-INFO/PKG-INFO",
	"**/dist-packages/*.egg/EGG-INFO/PKG-INFO",
	/* NVIDIA's CUDA redistributables keep wheel metadata in <root>/dist-info/ */
	"**/dist-info/*.dist-info/METADATA",
	NULL,
};

static const char *const record_globs[] = {
	"**/site-packages/*.dist-info/RECORD",
	"**/dist-packages/*.dist-info/RECORD",
	"**/dist-info/*.dist-info/RECORD",
	NULL,
};

static const sc_interest metadata_interest = {
	.name = "python metadata",
	.globs = metadata_globs,
	.capture_max = SC_PY_METADATA_MAX,
};

static const sc_interest record_interest = {
	.name = "python RECORD",
	.globs = record_globs,
	.capture_max = SC_PY_RECORD_MAX,
};

static const sc_interest *const interests[] = { &metadata_interest, &record_interest, NULL };

/* ---- names ---------------------------------------------------------------- */

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_sep(unsigned char c)
{
	return c == '-' || c == '_' || c == '.';
}

int sc_python_normalize(char *out, size_t outsz, const char *name, size_t len)
{
	size_t i, o = 0;

	if (len == 0 || len > NAME_MAX_LEN || !is_alnum((unsigned char)name[0]) ||
	    !is_alnum((unsigned char)name[len - 1]))
		return sc_error_set(SC_EINPUT, "invalid distribution name");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (is_sep(c)) {
			if (o && out[o - 1] == '-')
				continue;
			c = '-';
		} else if (!is_alnum(c)) {
			return sc_error_set(SC_EINPUT, "invalid distribution name");
		} else if (c >= 'A' && c <= 'Z') {
			c = (unsigned char)(c - 'A' + 'a');
		}
		if (o + 1 >= outsz)
			return sc_error_set(SC_ELIMIT, "distribution name too long");
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

/* ---- metadata ------------------------------------------------------------- */

typedef struct {
	const char *p;
	size_t len;
	int multiline;
	int set;
} field;

enum {
	F_NAME,
	F_VERSION,
	F_SUMMARY,
	F_LICENSE,
	F_LICENSE_EXPR,
	F_AUTHOR,
	F_AUTHOR_EMAIL,
	F_MAINTAINER,
	F_MAINTAINER_EMAIL,
	F_COUNT,
	F_CLASSIFIER = 100,
	F_REQUIRES,
	F_OTHER,
};

static const struct {
	const char *key;
	int id;
} known_fields[] = {
	{ "name", F_NAME },
	{ "version", F_VERSION },
	{ "summary", F_SUMMARY },
	{ "license", F_LICENSE },
	{ "license-expression", F_LICENSE_EXPR },
	{ "author", F_AUTHOR },
	{ "author-email", F_AUTHOR_EMAIL },
	{ "maintainer", F_MAINTAINER },
	{ "maintainer-email", F_MAINTAINER_EMAIL },
	{ "classifier", F_CLASSIFIER },
	{ "requires-dist", F_REQUIRES },
};

static int field_id(const char *k, size_t kl)
{
	size_t i;

	for (i = 0; i < sizeof(known_fields) / sizeof(known_fields[0]); i++)
		if (strlen(known_fields[i].key) == kl && strncasecmp(known_fields[i].key, k, kl) == 0)
			return known_fields[i].id;
	return F_OTHER;
}

static void trim(const char **p, size_t *len)
{
	while (*len && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*len)--;
	}
	while (*len && ((*p)[*len - 1] == ' ' || (*p)[*len - 1] == '\t' || (*p)[*len - 1] == '\r'))
		(*len)--;
}

/*
 * Copy a field value: NULL (and 0) when empty, "UNKNOWN", or (in a
 * document that is not valid UTF-8) containing non-ASCII bytes.
 */
static int value_dup(char **out, const char *p, size_t len, int ascii_only)
{
	size_t i;
	char *s;

	*out = NULL;
	trim(&p, &len);
	if (len == 0 || (len == 7 && memcmp(p, "UNKNOWN", 7) == 0))
		return 0;
	if (ascii_only)
		for (i = 0; i < len; i++)
			if ((unsigned char)p[i] >= 0x80)
				return 0;
	s = sc_malloc(len + 1);
	if (!s)
		return SC_ENOMEM;
	memcpy(s, p, len);
	s[len] = '\0';
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = ' '; /* NUL and other control bytes */
	*out = s;
	return 0;
}

typedef struct {
	char **v;
	size_t n, cap;
} strv;

static int strv_push_unique(strv *l, const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 0;
	if (l->n >= max)
		return 0;
	if (l->n + 1 >= l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		char **nv = sc_reallocarray(l->v, ncap, sizeof(*nv));

		if (!nv)
			return SC_ENOMEM;
		l->v = nv;
		l->cap = ncap;
	}
	if (!(l->v[l->n] = sc_strdup(s)))
		return SC_ENOMEM;
	l->n++;
	l->v[l->n] = NULL;
	return 0;
}

static void strv_free(strv *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Does a PEP 508 marker mention the `extra` variable? */
static int marker_has_extra(const char *m, size_t len)
{
	size_t i;

	for (i = 0; i + 5 <= len; i++) {
		if (memcmp(m + i, "extra", 5) != 0)
			continue;
		if (i > 0 && (is_alnum((unsigned char)m[i - 1]) || m[i - 1] == '_' || m[i - 1] == '.' ||
			      m[i - 1] == '\'' || m[i - 1] == '"'))
			continue;
		if (i + 5 < len && (is_alnum((unsigned char)m[i + 5]) || m[i + 5] == '_' || m[i + 5] == '.' ||
				    m[i + 5] == '\'' || m[i + 5] == '"'))
			continue;
		return 1;
	}
	return 0;
}

static int add_requirement(strv *req, const char *p, size_t len)
{
	const char *semi = memchr(p, ';', len);
	char norm[NAME_MAX_LEN + 1];
	size_t nl = 0;

	if (semi && marker_has_extra(semi + 1, len - (size_t)(semi + 1 - p)))
		return 0;
	while (len && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	while (nl < len && (is_alnum((unsigned char)p[nl]) || is_sep((unsigned char)p[nl])))
		nl++;
	while (nl && is_sep((unsigned char)p[nl - 1]))
		nl--;
	if (nl == 0 || sc_python_normalize(norm, sizeof(norm), p, nl) != 0) {
		sc_error_clear();
		return 0;
	}
	return strv_push_unique(req, norm, MAX_REQUIRES);
}

/* "License :: OSI Approved :: MIT License" -> "MIT License" */
static int add_classifier_license(strv *lic, const char *p, size_t len)
{
	static const char pre[] = "License ::";
	static const char osi[] = "OSI Approved";
	char buf[LICENSE_LINE_MAX + 1];

	trim(&p, &len);
	if (len < sizeof(pre) - 1 || memcmp(p, pre, sizeof(pre) - 1) != 0)
		return 0;
	p += sizeof(pre) - 1;
	len -= sizeof(pre) - 1;
	trim(&p, &len);
	if (len >= sizeof(osi) - 1 && memcmp(p, osi, sizeof(osi) - 1) == 0) {
		p += sizeof(osi) - 1;
		len -= sizeof(osi) - 1;
		trim(&p, &len);
		if (len >= 2 && p[0] == ':' && p[1] == ':') {
			p += 2;
			len -= 2;
			trim(&p, &len);
		}
	}
	if (len == 0 || len > LICENSE_LINE_MAX || memchr(p, '\0', len))
		return 0;
	memcpy(buf, p, len);
	buf[len] = '\0';
	return strv_push_unique(lic, buf, MAX_CLASSIFIER_LICENSES);
}

static int join_licenses(char **out, const strv *lic)
{
	sc_buf b;
	size_t i;
	int rc = 0;

	*out = NULL;
	if (!lic->n)
		return 0;
	sc_buf_init(&b, 4096, "license");
	for (i = 0; i < lic->n && rc == 0; i++) {
		if (i)
			rc = sc_buf_puts(&b, " OR ");
		if (!rc)
			rc = sc_buf_puts(&b, lic->v[i]);
	}
	if (rc == SC_ENOMEM) {
		sc_buf_release(&b);
		return rc;
	}
	sc_error_clear();
	*out = sc_buf_detach(&b, NULL);
	return *out ? 0 : SC_ENOMEM;
}

void sc_pymeta_release(sc_pymeta *m)
{
	if (!m)
		return;
	free(m->name);
	free(m->version);
	free(m->summary);
	free(m->license);
	free(m->supplier);
	sc_strv_free(m->requires);
	memset(m, 0, sizeof(*m));
}

int sc_python_parse_metadata(sc_pymeta *out, const char *data, size_t len)
{
	field f[F_COUNT];
	strv req = { 0 }, lic = { 0 };
	sc_pymeta m;
	size_t pos = 0, hdr_end;
	int last = F_OTHER, ascii_only, rc = 0;
	char norm[NAME_MAX_LEN + 1];

	memset(f, 0, sizeof(f));
	memset(&m, 0, sizeof(m));
	/* The header block ends at the first empty line. */
	for (hdr_end = 0; hdr_end < len;) {
		const char *nl = memchr(data + hdr_end, '\n', len - hdr_end);
		size_t ll = nl ? (size_t)(nl - (data + hdr_end)) : len - hdr_end;

		if (ll == 0 || (ll == 1 && data[hdr_end] == '\r'))
			break;
		hdr_end += ll + (nl ? 1 : 0);
	}
	m.headers_cut = hdr_end >= len;
	m.invalid_utf8 = !sc_utf8_valid(data, hdr_end);
	ascii_only = m.invalid_utf8;

	while (pos < hdr_end) {
		const char *line = data + pos;
		const char *nl = memchr(line, '\n', hdr_end - pos);
		size_t ll = nl ? (size_t)(nl - line) : hdr_end - pos;
		const char *colon;
		int id;

		pos += ll + (nl ? 1 : 0);
		if (ll && (line[0] == ' ' || line[0] == '\t')) {
			if (last < F_COUNT)
				f[last].multiline = 1;
			continue;
		}
		colon = memchr(line, ':', ll);
		if (!colon) {
			last = F_OTHER;
			continue;
		}
		id = field_id(line, (size_t)(colon - line));
		last = id;
		{
			const char *v = colon + 1;
			size_t vl = ll - (size_t)(v - line);

			if (id == F_CLASSIFIER) {
				if ((rc = add_classifier_license(&lic, v, vl)) != 0)
					goto out;
			} else if (id == F_REQUIRES) {
				if (ascii_only) {
					size_t i;

					for (i = 0; i < vl && (unsigned char)v[i] < 0x80; i++)
						;
					if (i < vl)
						continue;
				}
				if ((rc = add_requirement(&req, v, vl)) != 0)
					goto out;
			} else if (id < F_COUNT && !f[id].set) {
				f[id].set = 1;
				f[id].p = v;
				f[id].len = vl;
			}
		}
	}

	{
		const char *p = f[F_NAME].p;
		size_t l = f[F_NAME].len;

		if (p)
			trim(&p, &l);
		if (!p || l == 0 || sc_python_normalize(norm, sizeof(norm), p, l) != 0) {
			rc = sc_error_set(SC_EINPUT, "%s", p && l ? "invalid Name field" : "no Name field");
			goto out;
		}
	}
	if (!(m.name = sc_strdup(norm))) {
		rc = SC_ENOMEM;
		goto out;
	}
	if (f[F_VERSION].set && (rc = value_dup(&m.version, f[F_VERSION].p, f[F_VERSION].len, ascii_only)) != 0)
		goto out;
	if (!m.version) {
		rc = sc_error_set(SC_EINPUT, "no usable Version field");
		goto out;
	}
	if (f[F_SUMMARY].set && (rc = value_dup(&m.summary, f[F_SUMMARY].p, f[F_SUMMARY].len, ascii_only)) != 0)
		goto out;
	if (f[F_LICENSE_EXPR].set &&
	    (rc = value_dup(&m.license, f[F_LICENSE_EXPR].p, f[F_LICENSE_EXPR].len, ascii_only)) != 0)
		goto out;
	if (!m.license && f[F_LICENSE].set && !f[F_LICENSE].multiline && f[F_LICENSE].len <= LICENSE_LINE_MAX &&
	    (rc = value_dup(&m.license, f[F_LICENSE].p, f[F_LICENSE].len, ascii_only)) != 0)
		goto out;
	if (!m.license && (rc = join_licenses(&m.license, &lic)) != 0)
		goto out;
	{
		static const int order[] = { F_AUTHOR, F_AUTHOR_EMAIL, F_MAINTAINER, F_MAINTAINER_EMAIL };
		size_t i;

		for (i = 0; i < 4 && !m.supplier; i++)
			if (f[order[i]].set &&
			    (rc = value_dup(&m.supplier, f[order[i]].p, f[order[i]].len, ascii_only)) != 0)
				goto out;
	}
	m.requires = req.v;
	req.v = NULL;
	req.n = 0;
	*out = m;
	memset(&m, 0, sizeof(m));
out:
	sc_pymeta_release(&m);
	strv_free(&req);
	strv_free(&lic);
	return rc;
}

/* ---- RECORD --------------------------------------------------------------- */

int sc_python_parse_record(char ***out, const char *site_dir, const char *data, size_t len)
{
	strv files = { 0 };
	size_t pos = 0;
	char *field_buf = NULL;
	char *joined = NULL;
	int rc = 0;

	*out = NULL;
	field_buf = sc_malloc(SC_PATH_MAX + 1);
	joined = sc_malloc(SC_PATH_MAX);
	if (!field_buf || !joined) {
		rc = SC_ENOMEM;
		goto out;
	}
	while (pos < len && files.n < RECORD_MAX_FILES) {
		const char *line = data + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		size_t fl = 0, i;
		int too_long = 0, bad = 0;
		unsigned flags = 0;

		pos += ll + (nl ? 1 : 0);
		if (ll && line[ll - 1] == '\r')
			ll--;
		if (ll == 0)
			continue;
		if (line[0] == '"') {
			for (i = 1; i < ll; i++) {
				if (line[i] == '"') {
					if (i + 1 < ll && line[i + 1] == '"')
						i++;
					else
						break;
				}
				if (fl < SC_PATH_MAX)
					field_buf[fl++] = line[i];
				else
					too_long = 1;
			}
			if (i >= ll)
				bad = 1; /* unterminated quote */
		} else {
			for (i = 0; i < ll && line[i] != ','; i++) {
				if (fl < SC_PATH_MAX)
					field_buf[fl++] = line[i];
				else
					too_long = 1;
			}
		}
		if (too_long || bad || fl == 0 || memchr(field_buf, '\0', fl))
			continue;
		field_buf[fl] = '\0';
		if (sc_path_join(joined, SC_PATH_MAX, site_dir, field_buf, &flags) != 0) {
			sc_error_clear();
			continue;
		}
		if ((flags & SC_PATH_ESCAPES) || joined[0] == '\0')
			continue;
		if (files.n + 1 >= files.cap) {
			size_t ncap = files.cap ? files.cap * 2 : 64;
			char **nv = sc_reallocarray(files.v, ncap, sizeof(*nv));

			if (!nv) {
				rc = SC_ENOMEM;
				goto out;
			}
			files.v = nv;
			files.cap = ncap;
		}
		if (!(files.v[files.n] = sc_strdup(joined))) {
			rc = SC_ENOMEM;
			goto out;
		}
		files.n++;
		files.v[files.n] = NULL;
	}
	*out = files.v;
	files.v = NULL;
	files.n = 0;
out:
	strv_free(&files);
	free(field_buf);
	free(joined);
	return rc;
}

/* ---- the cataloger -------------------------------------------------------- */

typedef struct {
	const sc_fsview *view;
	sc_catalog *cat;
} walk_ctx;

/* Length of the site directory prefix: up to the last site-packages/dist-packages component. */
static size_t site_dir_len(const char *path)
{
	size_t best = 0, i = 0;
	int found = 0;

	while (path[i]) {
		size_t s = i, e;

		while (path[i] && path[i] != '/')
			i++;
		e = i;
		if ((e - s == 13 && (memcmp(path + s, "site-packages", 13) == 0 ||
				     memcmp(path + s, "dist-packages", 13) == 0))) {
			best = e;
			found = 1;
		}
		if (path[i] == '/')
			i++;
	}
	return found ? best : 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

static int note_err(sc_catalog *cat, sc_note_level lvl, const char *path, const char *what)
{
	int rc = sc_catalog_note(cat, lvl, "python", path, "%s: %s", what, sc_error_msg());

	sc_error_clear();
	return rc;
}

static int catalog_one(walk_ctx *w, const sc_fsnode *n, const sc_capture *c)
{
	const char *path = n->e.path;
	const char *what = ends_with(path, "/METADATA") ? "METADATA" : "PKG-INFO";
	int dist_info = ends_with(path, "/METADATA");
	size_t len = c->len, site_len = site_dir_len(path);
	char *site = NULL;
	sc_pymeta m;
	sc_package p;
	int rc;

	memset(&p, 0, sizeof(p));
	if (c->truncated) {
		/* Headers of a huge document: keep only complete lines. */
		while (len && c->data[len - 1] != '\n')
			len--;
	}
	rc = sc_python_parse_metadata(&m, (const char *)c->data, len);
	if (rc == SC_ENOMEM)
		return rc;
	if (rc != 0)
		return note_err(w->cat, SC_NOTE_WARNING, path, what);
	if (c->truncated && m.headers_cut &&
	    (rc = sc_catalog_note(w->cat, SC_NOTE_WARNING, "python", path,
				  "%s: headers longer than %u bytes; the rest was ignored", what,
				  (unsigned)SC_PY_METADATA_MAX)) != 0)
		goto out;
	if (m.invalid_utf8 &&
	    (rc = sc_catalog_note(w->cat, SC_NOTE_WARNING, "python", path,
				  "%s: invalid UTF-8; only ASCII fields were used", what)) != 0)
		goto out;
	if (!(site = sc_strndup(path, site_len))) {
		rc = SC_ENOMEM;
		goto out;
	}
	p.eco = SC_ECO_PYPI;
	p.name = m.name;
	p.version = m.version;
	p.summary = m.summary;
	p.license = m.license;
	p.supplier = m.supplier;
	p.depends = m.requires;
	p.location = (char *)path;
	p.os_managed = sc_path_match("usr/lib/python3*/dist-packages", site);
	if ((rc = sc_kv_list_add(&p.props, "python.site", site)) != 0)
		goto out;
	if (dist_info) {
		char rec[SC_PATH_MAX];
		size_t dl;
		const char *base;
		const sc_fsnode *rn;
		const sc_capture *rc_cap;

		sc_path_split(path, &dl, &base);
		if (dl + sizeof("/RECORD") <= sizeof(rec)) {
			memcpy(rec, path, dl);
			memcpy(rec + dl, "/RECORD", sizeof("/RECORD"));
			rn = sc_fsview_lookup(w->view, rec);
			rc_cap = rn ? sc_fsnode_capture(rn, &record_interest) : NULL;
			if (rc_cap) {
				if (rc_cap->truncated &&
				    (rc = sc_catalog_note(w->cat, SC_NOTE_WARNING, "python", rec,
							  "RECORD larger than %u bytes; file list incomplete",
							  (unsigned)SC_PY_RECORD_MAX)) != 0)
					goto out;
				if ((rc = sc_python_parse_record(&p.files, site, (const char *)rc_cap->data,
								 rc_cap->len)) != 0)
					goto out;
			}
		}
	}
	rc = sc_catalog_add_package(w->cat, &p, NULL);
out:
	sc_strv_free(p.files);
	sc_kv_list_release(&p.props);
	sc_pymeta_release(&m);
	free(site);
	return rc;
}

static int walk_cb(const sc_fsnode *n, void *ud)
{
	walk_ctx *w = ud;
	const sc_capture *c;

	if (n->e.type != SC_FT_REG && n->e.type != SC_FT_HARDLINK)
		return 0;
	c = sc_fsnode_capture(n, &metadata_interest);
	if (!c || !c->data)
		return 0;
	return catalog_one(w, n, c);
}

static int python_collect(const sc_fsview *view, sc_catalog *cat)
{
	walk_ctx w = { view, cat };

	return sc_fsview_walk(view, walk_cb, &w);
}

const sc_cataloger sc_cataloger_python = { "python", interests, python_collect };
