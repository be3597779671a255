/*
 * dpkg.c - the dpkg cataloger: Debian packages from var/lib/dpkg.
 *
 *   var/lib/dpkg/status       deb822 paragraphs (Debian Policy 5.1,
 *                             https://www.debian.org/doc/debian-policy/ch-controlfields.html);
 *                             a paragraph counts when its Status is
 *                             installed (want and error flags ignored) or
 *                             when it has no Status (distroless)
 *   var/lib/dpkg/status.d/F   distroless: one or more paragraphs per file
 *                             (*.md5sums skipped)
 *   var/lib/dpkg/info/<pkg>[:<arch>].list
 *                             owned files, one absolute path per line
 *   usr/share/doc/<pkg>/copyright
 *                             license, only from a machine-readable DEP-5
 *                             file (https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/)
 * Owned paths are stored as the image holds them: parents resolved
 * through symlinks (usr-merged /bin/sh -> usr/bin/sh), directories left
 * out.  Props: "dpkg.multi_arch" (Multi-Arch field), "dpkg.status" (when
 * not plain "installed").
 */
#include "catalog/dpkg.h"
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
#include <strings.h>

#define DP_SMALL_MAX (16u * 1024 * 1024)  /* a status.d file or a .list file */
#define DP_COPYRIGHT_MAX (64u * 1024)
#define DP_NAME_MAX 256
#define DP_FILE_BYTES_MAX (256u * 1024 * 1024) /* owned-path bytes in all (resolving amplifies) */

static const char *const dp_status_globs[] = { "var/lib/dpkg/status", NULL };
static const char *const dp_statusd_globs[] = { "var/lib/dpkg/status.d/*", NULL };
static const char *const dp_list_globs[] = { "var/lib/dpkg/info/*.list", NULL };
static const char *const dp_copyright_globs[] = { "usr/share/doc/*/copyright", NULL };

static const sc_interest dp_status_in = {
	.name = "dpkg status", .globs = dp_status_globs, .capture_max = SC_DPKG_STATUS_MAX,
};
static const sc_interest dp_statusd_in = {
	.name = "dpkg status.d", .globs = dp_statusd_globs, .capture_max = DP_SMALL_MAX,
};
static const sc_interest dp_list_in = {
	.name = "dpkg list", .globs = dp_list_globs, .capture_max = DP_SMALL_MAX,
};
static const sc_interest dp_copyright_in = {
	.name = "dpkg copyright", .globs = dp_copyright_globs, .capture_max = DP_COPYRIGHT_MAX,
};
static const sc_interest *const dp_interests[] = {
	&dp_status_in, &dp_statusd_in, &dp_list_in, &dp_copyright_in, NULL,
};

/* ---- strings ---------------------------------------------------------- */

static int dp_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

typedef struct dp_span {
	const char *p;
	size_t len;
} dp_span;

/*
 * A field value as a string: the first line only (first_line) or all lines
 * folded with single spaces; trimmed; NUL bytes and invalid UTF-8 become
 * '?' (*bad set).  *out is NULL when the field is absent or empty.
 */
static int dp_value(char **out, dp_span v, int first_line, int *bad)
{
	char *s;
	size_t i, n = 0;
	int in_space = 0;

	*out = NULL;
	if (!v.p)
		return 0;
	if (first_line) {
		const char *nl = memchr(v.p, '\n', v.len);

		if (nl)
			v.len = (size_t)(nl - v.p);
	}
	s = sc_malloc(v.len + 1);
	if (!s)
		return SC_ENOMEM;
	for (i = 0; i < v.len; i++) {
		char c = v.p[i];

		if (dp_space(c)) {
			in_space = 1;
			continue;
		}
		if (in_space && n)
			s[n++] = ' ';
		in_space = 0;
		s[n++] = c ? c : '\x01'; /* NUL: made '?' below */
	}
	s[n] = '\0';
	if (!n) {
		free(s);
		return 0;
	}
	if (sc_utf8_sanitize(s) && bad)
		*bad = 1;
	*out = s;
	return 0;
}

/* ---- deb822 paragraphs ------------------------------------------------ */

typedef struct deb822 {
	const char *p, *end;
	size_t line;      /* 1-based number of the next line */
	size_t para_line; /* first line of the paragraph just returned */
	size_t malformed; /* lines that are neither fields nor continuations */
	size_t longest;   /* longest field of the paragraph just returned */
} deb822;

static void deb822_init(deb822 *it, const void *data, size_t len)
{
	memset(it, 0, sizeof(*it));
	it->p = data ? data : "";
	it->end = it->p + (data ? len : 0);
	it->line = 1;
}

static int dp_blank(const char *p, const char *e)
{
	for (; p < e; p++)
		if (!dp_space(*p))
			return 0;
	return 1;
}

/*
 * Next paragraph: vals[i] gets the first occurrence of names[i] (value
 * from after the colon to the end of its last continuation line).
 * Returns 1 for a paragraph, 0 at the end of the data.
 */
static int deb822_next(deb822 *it, const char *const *names, size_t n_names, dp_span *vals)
{
	const char *field_start = NULL;
	dp_span *cur = NULL;
	int got = 0;

	memset(vals, 0, n_names * sizeof(*vals));
	it->longest = 0;
	while (it->p < it->end) {
		const char *p = it->p;
		const char *nl = memchr(p, '\n', (size_t)(it->end - p));
		const char *le = nl ? nl : it->end;

		if (dp_blank(p, le)) {
			if (got)
				break; /* leave the blank line for the next call: harmless */
			it->p = nl ? nl + 1 : it->end;
			it->line++;
			continue;
		}
		if (!got)
			it->para_line = it->line;
		got = 1;
		it->p = nl ? nl + 1 : it->end;
		it->line++;
		if (*p == ' ' || *p == '\t') {
			if (field_start) {
				if (cur)
					cur->len = (size_t)(le - cur->p);
				if ((size_t)(le - field_start) > it->longest)
					it->longest = (size_t)(le - field_start);
			}
			continue;
		}
		if (*p == '#') {
			field_start = NULL;
			cur = NULL;
			continue;
		}
		{
			const char *colon = memchr(p, ':', (size_t)(le - p));
			size_t i, nlen;

			field_start = NULL;
			cur = NULL;
			if (!colon || colon == p) {
				it->malformed++;
				continue;
			}
			nlen = (size_t)(colon - p);
			field_start = p;
			if ((size_t)(le - p) > it->longest)
				it->longest = (size_t)(le - p);
			for (i = 0; i < n_names; i++) {
				if (strlen(names[i]) == nlen && strncasecmp(names[i], p, nlen) == 0) {
					if (!vals[i].p) {
						cur = &vals[i];
						cur->p = colon + 1;
						cur->len = (size_t)(le - cur->p);
					}
					break;
				}
			}
		}
	}
	return got;
}

/* ---- dependencies ----------------------------------------------------- */

/* "libc6 (>= 2.34), debconf (>= 0.5) | debconf-2.0, python3:any" -> names. */
static int dp_depends_add(sc_strv *out, const char *s)
{
	while (s && *s) {
		size_t n;

		while (*s == ' ' || *s == ',' || *s == '|')
			s++;
		n = strcspn(s, " ,|(:[<>=");
		if (n && n <= DP_NAME_MAX) {
			int rc = sc_strv_pushn(out, s, n);

			if (rc)
				return rc;
		}
		s += n;
		s += strcspn(s, ",|"); /* skip constraints and qualifiers */
	}
	return 0;
}

/* ---- owned files ------------------------------------------------------ */

/*
 * Lines of a .list file into *out.  Entries that are the parent of the
 * next entry are directories and left out; with a view, so are entries
 * that are directories in the image, and parents are resolved through
 * symlinks.  *total counts the bytes kept (bounded by DP_FILE_BYTES_MAX).
 */
static int dp_list(sc_strv *out, const sc_fsview *view, const char *data, size_t len, size_t *total)
{
	const char *p = data ? data : "", *end = p + (data ? len : 0);
	char clean[SC_PATH_MAX], resolved[SC_PATH_MAX];
	sc_strv raw;
	size_t i;
	int rc = 0;

	memset(&raw, 0, sizeof(raw));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t l = (size_t)(le - p);
		unsigned flags = 0;

		if (l && p[l - 1] == '\r')
			l--;
		if (l && l < sizeof(clean) && !memchr(p, '\0', l)) {
			memcpy(resolved, p, l);
			resolved[l] = '\0';
			if (sc_path_clean(clean, sizeof(clean), resolved, &flags) != 0) {
				sc_error_clear();
				clean[0] = '\0';
			}
			if (clean[0] && !(flags & SC_PATH_ESCAPES) && (rc = sc_strv_pushn(&raw, clean, strlen(clean))) != 0)
				goto out;
		}
		p = nl ? nl + 1 : end;
	}
	for (i = 0; i < raw.n; i++) {
		const char *use = raw.v[i];
		size_t l = strlen(use);

		if (i + 1 < raw.n && strncmp(raw.v[i + 1], use, l) == 0 && raw.v[i + 1][l] == '/')
			continue; /* a directory */
		if (view) {
			const sc_fsnode *n = NULL;

			if (sc_fsview_resolve(view, use, 0, &n, resolved, sizeof(resolved)) == 0 && n) {
				if (n->e.type == SC_FT_DIR)
					continue;
				use = resolved;
			} else {
				sc_error_clear();
			}
		}
		if (*total + strlen(use) + 1 > DP_FILE_BYTES_MAX) {
			out->dropped = 1;
			break;
		}
		*total += strlen(use) + 1;
		if ((rc = sc_strv_pushn(out, use, strlen(use))) != 0)
			goto out;
	}
out:
	sc_strv_release(&raw);
	return rc;
}

int sc_dpkg_parse_list(char ***out, const void *data, size_t len)
{
	sc_strv s;
	size_t i, total = 0;
	int rc;

	memset(&s, 0, sizeof(s));
	if ((rc = dp_list(&s, NULL, data, len, &total)) != 0) {
		sc_strv_release(&s);
		return rc;
	}
	for (i = 0; i < s.n; i++)
		sc_utf8_sanitize(s.v[i]);
	*out = sc_strv_finish(&s, 0);
	return 0;
}

/* ---- copyright -------------------------------------------------------- */

int sc_dpkg_copyright_license(char **out, const void *data, size_t len)
{
	static const char *const names[] = { "Format", "Format-Specification", "Files", "License" };
	dp_span v[4];
	deb822 it;
	int first = 1, rc;

	*out = NULL;
	deb822_init(&it, data, len);
	while (deb822_next(&it, names, 4, v)) {
		char *files = NULL;

		if (first) {
			first = 0;
			if (!v[0].p && !v[1].p)
				return 0; /* not machine-readable */
			if (!v[2].p)
				continue;
		}
		if (!v[2].p || !v[3].p)
			continue;
		if ((rc = dp_value(&files, v[2], 0, NULL)) != 0)
			return rc;
		if (files && files[0] == '*' && (files[1] == '\0' || files[1] == ' ')) {
			free(files);
			if ((rc = dp_value(out, v[3], 1, NULL)) != 0)
				return rc;
			if (*out && strlen(*out) > DP_NAME_MAX) {
				free(*out);
				*out = NULL;
			}
			return 0;
		}
		free(files);
	}
	return 0;
}

/* ---- packages --------------------------------------------------------- */

enum {
	F_PACKAGE, F_STATUS, F_VERSION, F_ARCH, F_SOURCE, F_ISIZE, F_MAINT, F_DESC, F_DEPENDS,
	F_PREDEPENDS, F_MULTIARCH, F_COUNT
};
static const char *const dp_fields[F_COUNT] = {
	"Package", "Status", "Version", "Architecture", "Source", "Installed-Size", "Maintainer",
	"Description", "Depends", "Pre-Depends", "Multi-Arch",
};

typedef struct dp_ctx {
	sc_catalog *cat;
	const sc_fsview *view; /* NULL: no owned files, no licenses */
	const char *location;
	size_t count;          /* packages added so far */
	size_t file_bytes;     /* owned-path bytes so far */
	int limit_noted;
} dp_ctx;

/* Safe as a file name component: no '/', not "." or "..", printable ASCII. */
static int dp_name_ok(const char *s)
{
	size_t i;

	if (!s || !s[0] || s[0] == '.' || strlen(s) > DP_NAME_MAX)
		return 0;
	for (i = 0; s[i]; i++)
		if (s[i] == '/' || (unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

static int dp_files(dp_ctx *c, sc_package *p)
{
	char path[DP_NAME_MAX * 2 + 64];
	const sc_fsnode *n = NULL;
	const sc_capture *cap = NULL;
	sc_strv s;
	int rc;

	if (!dp_name_ok(p->name))
		return 0;
	if (p->arch && dp_name_ok(p->arch)) {
		snprintf(path, sizeof(path), "var/lib/dpkg/info/%s:%s.list", p->name, p->arch);
		n = sc_fsview_lookup(c->view, path);
	}
	if (!n) {
		snprintf(path, sizeof(path), "var/lib/dpkg/info/%s.list", p->name);
		n = sc_fsview_lookup(c->view, path);
	}
	if (!n || !(cap = sc_fsnode_capture(n, &dp_list_in)))
		return 0;
	if (cap->truncated &&
	    (rc = sc_catalog_note(c->cat, SC_NOTE_WARNING, "dpkg", path, "file list larger than %u bytes, truncated",
				  DP_SMALL_MAX)) != 0)
		return rc;
	memset(&s, 0, sizeof(s));
	if ((rc = dp_list(&s, c->view, (const char *)cap->data, cap->len, &c->file_bytes)) != 0) {
		sc_strv_release(&s);
		return rc;
	}
	{
		size_t i;
		int bad = 0;

		for (i = 0; i < s.n; i++)
			bad |= sc_utf8_sanitize(s.v[i]);
		if (bad && (rc = sc_catalog_note(c->cat, SC_NOTE_WARNING, "dpkg", path,
						 "invalid UTF-8 in file names replaced with '?'")) != 0) {
			sc_strv_release(&s);
			return rc;
		}
		if (s.dropped && (rc = sc_catalog_note(c->cat, SC_NOTE_WARNING, "dpkg", path,
						       "more than %u MiB of owned paths; the rest dropped",
						       DP_FILE_BYTES_MAX >> 20)) != 0) {
			sc_strv_release(&s);
			return rc;
		}
	}
	p->files = sc_strv_finish(&s, 0);
	return 0;
}

static int dp_license(dp_ctx *c, sc_package *p)
{
	char path[DP_NAME_MAX + 64];
	const sc_fsnode *n = NULL;
	const sc_capture *cap;

	if (!dp_name_ok(p->name))
		return 0;
	snprintf(path, sizeof(path), "usr/share/doc/%s/copyright", p->name);
	if (sc_fsview_resolve(c->view, path, 1, &n, NULL, 0) != 0 || !n) {
		sc_error_clear();
		return 0;
	}
	if (!(cap = sc_fsnode_capture(n, &dp_copyright_in)))
		return 0;
	return sc_dpkg_copyright_license(&p->license, cap->data, cap->len);
}

/* Status "want flag status": is the package's content on disk? */
static int dp_installed(const char *status, const char **state)
{
	static const char *const ok[] = { "installed", "triggers-pending", "triggers-awaiting" };
	const char *w = strrchr(status, ' ');
	size_t i;

	w = w ? w + 1 : status;
	*state = w;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(w, ok[i]) == 0)
			return 1;
	return 0;
}

/* "src" or "src (1.2-3)". */
static int dp_source(sc_package *p, const char *src)
{
	size_t n = strcspn(src, " (");
	const char *o = strchr(src, '(');
	char *name, *ver = NULL;

	if (!n)
		return 0;
	if (!(name = sc_strndup(src, n)))
		return SC_ENOMEM;
	if (o) {
		const char *e = strchr(++o, ')');
		size_t vl;

		while (*o == ' ')
			o++;
		vl = e ? (size_t)(e - o) : strlen(o);
		while (vl && o[vl - 1] == ' ')
			vl--;
		if (vl && !(ver = sc_strndup(o, vl))) {
			free(name);
			return SC_ENOMEM;
		}
	}
	if (ver && p->version && strcmp(ver, p->version) == 0) {
		free(ver);
		ver = NULL;
	}
	if (!ver && strcmp(name, p->name) == 0) {
		free(name);
		name = NULL;
	}
	p->source_name = name;
	p->source_version = ver;
	return 0;
}

static int dp_paragraph(dp_ctx *c, deb822 *it, const dp_span *v)
{
	sc_package p;
	char *status = NULL, *src = NULL, *isize = NULL, *dep = NULL, *ma = NULL;
	const char *state = NULL;
	sc_strv deps;
	int bad = 0, rc;

	memset(&p, 0, sizeof(p));
	memset(&deps, 0, sizeof(deps));
	if (it->longest > SC_DPKG_FIELD_MAX)
		return sc_catalog_note(c->cat, SC_NOTE_WARNING, "dpkg", c->location,
				       "paragraph at line %zu skipped: a field is longer than %u bytes", it->para_line,
				       SC_DPKG_FIELD_MAX);
	if ((rc = dp_value(&status, v[F_STATUS], 0, &bad)) != 0)
		return rc;
	if (status && !dp_installed(status, &state)) {
		free(status);
		return 0; /* removed, config-files only, half-installed... */
	}
	if ((rc = dp_value(&p.name, v[F_PACKAGE], 1, &bad)) != 0)
		goto out;
	if (!p.name || strchr(p.name, ' ')) {
		rc = sc_catalog_note(c->cat, SC_NOTE_WARNING, "dpkg", c->location,
				     "paragraph at line %zu skipped: no valid Package field", it->para_line);
		goto out;
	}
	if (c->count >= SC_DPKG_MAX_PACKAGES) {
		if (!c->limit_noted)
			rc = sc_catalog_note(c->cat, SC_NOTE_WARNING, "dpkg", c->location,
					     "more than %d packages; the rest are not listed", SC_DPKG_MAX_PACKAGES);
		c->limit_noted = 1;
		goto out;
	}
	p.eco = SC_ECO_DEB;
	p.location = (char *)c->location;
	if ((rc = dp_value(&p.version, v[F_VERSION], 1, &bad)) || (rc = dp_value(&p.arch, v[F_ARCH], 1, &bad)) ||
	    (rc = dp_value(&p.supplier, v[F_MAINT], 0, &bad)) || (rc = dp_value(&p.summary, v[F_DESC], 1, &bad)) ||
	    (rc = dp_value(&src, v[F_SOURCE], 1, &bad)) || (rc = dp_value(&isize, v[F_ISIZE], 1, &bad)) ||
	    (rc = dp_value(&ma, v[F_MULTIARCH], 1, &bad)))
		goto out;
	if (src && (rc = dp_source(&p, src)) != 0)
		goto out;
	if (isize) {
		uint64_t kib = 0;
		size_t i;
		int ok = isize[0] != '\0';

		for (i = 0; ok && isize[i]; i++) {
			if (isize[i] < '0' || isize[i] > '9' || __builtin_mul_overflow(kib, 10, &kib) ||
			    __builtin_add_overflow(kib, (uint64_t)(isize[i] - '0'), &kib))
				ok = 0;
		}
		if (!ok || __builtin_mul_overflow(kib, 1024, &p.installed_size)) {
			p.installed_size = 0;
			if ((rc = sc_catalog_note(c->cat, SC_NOTE_WARNING, "dpkg", c->location,
						   "package '%s': bad Installed-Size '%.40s'", p.name, isize)) != 0)
				goto out;
		}
	}
	deps.max = SC_DPKG_MAX_DEPENDS;
	if ((rc = dp_value(&dep, v[F_PREDEPENDS], 0, &bad)) != 0 || (rc = dp_depends_add(&deps, dep)) != 0)
		goto out;
	free(dep);
	if ((rc = dp_value(&dep, v[F_DEPENDS], 0, &bad)) != 0 || (rc = dp_depends_add(&deps, dep)) != 0)
		goto out;
	if (deps.dropped && (rc = sc_catalog_note(c->cat, SC_NOTE_WARNING, "dpkg", c->location,
						  "package '%s': more than %d dependencies, the rest dropped", p.name,
						  SC_DPKG_MAX_DEPENDS)) != 0)
		goto out;
	p.depends = sc_strv_finish(&deps, 1);
	if (ma && (rc = sc_kv_list_add(&p.props, "dpkg.multi_arch", ma)) != 0)
		goto out;
	if (state && strcmp(state, "installed") != 0 && (rc = sc_kv_list_add(&p.props, "dpkg.status", state)) != 0)
		goto out;
	if (bad && (rc = sc_catalog_note(c->cat, SC_NOTE_WARNING, "dpkg", c->location,
					 "package '%s': invalid UTF-8 or control bytes replaced with '?'", p.name)) != 0)
		goto out;
	if (c->view && ((rc = dp_files(c, &p)) != 0 || (rc = dp_license(c, &p)) != 0))
		goto out;
	if ((rc = sc_catalog_add_package(c->cat, &p, NULL)) != 0)
		goto out;
	c->count++;
out:
	p.location = NULL;
	sc_package_release(&p);
	sc_strv_release(&deps);
	free(status);
	free(src);
	free(isize);
	free(dep);
	free(ma);
	return rc;
}

static int dp_parse(dp_ctx *c, const void *data, size_t len)
{
	dp_span v[F_COUNT];
	deb822 it;
	int rc;

	deb822_init(&it, data, len);
	while (deb822_next(&it, dp_fields, F_COUNT, v))
		if ((rc = dp_paragraph(c, &it, v)) != 0)
			return rc;
	if (it.malformed)
		return sc_catalog_note(c->cat, SC_NOTE_WARNING, "dpkg", c->location,
				       "%zu malformed line(s) ignored", it.malformed);
	return 0;
}

int sc_dpkg_parse_status(sc_catalog *cat, const void *data, size_t len, const char *location)
{
	dp_ctx c;

	memset(&c, 0, sizeof(c));
	c.cat = cat;
	c.location = location;
	return dp_parse(&c, data, len);
}

/* ---- the cataloger ---------------------------------------------------- */

static int dp_ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int dp_collect(const sc_fsview *view, sc_catalog *cat)
{
	const sc_fsnode *n = NULL, *ch;
	const sc_capture *cap;
	dp_ctx c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.cat = cat;
	c.view = view;
	if (sc_fsview_resolve(view, "var/lib/dpkg/status", 1, &n, NULL, 0) != 0)
		sc_error_clear();
	else if (n && (cap = sc_fsnode_capture(n, &dp_status_in)) != NULL) {
		c.location = "var/lib/dpkg/status";
		if (cap->truncated &&
		    (rc = sc_catalog_note(cat, SC_NOTE_WARNING, "dpkg", c.location,
					  "status file larger than %u MiB, truncated", SC_DPKG_STATUS_MAX >> 20)) != 0)
			return rc;
		if ((rc = dp_parse(&c, cap->data, cap->len)) != 0)
			return rc;
	}
	n = NULL;
	if (sc_fsview_resolve(view, "var/lib/dpkg/status.d", 1, &n, NULL, 0) != 0) {
		sc_error_clear();
		return 0;
	}
	if (!n || n->e.type != SC_FT_DIR)
		return 0;
	for (ch = n->first_child; ch; ch = ch->next_sibling) {
		if (ch->removed || dp_ends_with(ch->name, ".md5sums"))
			continue;
		if (!(cap = sc_fsnode_capture(ch, &dp_statusd_in)))
			continue;
		c.location = ch->e.path;
		if (cap->truncated &&
		    (rc = sc_catalog_note(cat, SC_NOTE_WARNING, "dpkg", c.location, "file larger than %u MiB, truncated",
					  DP_SMALL_MAX >> 20)) != 0)
			return rc;
		if ((rc = dp_parse(&c, cap->data, cap->len)) != 0)
			return rc;
	}
	return 0;
}

const sc_cataloger sc_cataloger_dpkg = { "dpkg", dp_interests, dp_collect };
