/*
 * match.c - catalog packages against the vulnerability database (match.h).
 * Range evaluation follows https://ossf.github.io/osv-schema/#evaluation.
 */
#include "vuln/match.h"

#include "catalog/python.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/strv.h"
#include "vuln/cvss.h"
#include "vuln/version_pep440.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EVENTS 4096
#define TITLE_MAX 160

/* --- what to look up ---------------------------------------------------- */

static void major_minor(char *out, size_t sz, const char *prefix, const char *v, int parts)
{
	size_t n = 0;
	int dots = 0;

	while (v[n] && (isdigit((unsigned char)v[n]) || v[n] == '.')) {
		if (v[n] == '.' && ++dots == parts)
			break;
		n++;
	}
	snprintf(out, sz, "%s%.*s", prefix, (int)n, v);
}

static const char *debian_release(const sc_os_info *os)
{
	static const struct {
		const char *codename, *release;
	} map[] = { { "jessie", "8" },	  { "stretch", "9" }, { "buster", "10" }, { "bullseye", "11" },
		    { "bookworm", "12" }, { "trixie", "13" }, { "forky", "14" },  { "sid", "unstable" } };
	size_t i;

	if (os->version_id && *os->version_id)
		return NULL; /* caller uses version_id */
	for (i = 0; os->codename && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(os->codename, map[i].codename) == 0)
			return map[i].release;
	return "unstable";
}

int sc_match_target(const sc_package *p, const sc_os_info *os, const char **eco_out, char *rel, size_t rel_sz)
{
	const char *id = os->id ? os->id : "";

	rel[0] = '\0';
	switch (p->eco) {
	case SC_ECO_DEB:
		if (strcmp(id, "ubuntu") == 0) {
			*eco_out = "Ubuntu";
			if (!os->version_id)
				return 0;
			snprintf(rel, rel_sz, "%s", os->version_id);
		} else if (strcmp(id, "debian") == 0 || !*id) {
			const char *r = debian_release(os);

			*eco_out = "Debian";
			if (r)
				snprintf(rel, rel_sz, "%s", r);
			else
				major_minor(rel, rel_sz, "", os->version_id, 1);
		} else
			return 0;
		return 1;
	case SC_ECO_APK:
		if (strcmp(id, "wolfi") == 0) {
			*eco_out = "Wolfi";
			return 1;
		}
		if (strcmp(id, "chainguard") == 0) {
			*eco_out = "Chainguard";
			return 1;
		}
		*eco_out = "Alpine";
		if (!os->version_id)
			return 0;
		major_minor(rel, rel_sz, "v", os->version_id, 2);
		return 1;
	case SC_ECO_RPM:
		if (strcmp(id, "rocky") == 0)
			*eco_out = "Rocky Linux";
		else if (strcmp(id, "almalinux") == 0)
			*eco_out = "AlmaLinux";
		else if (strcmp(id, "rhel") == 0)
			*eco_out = "Red Hat";
		else
			return 0;
		if (!os->version_id)
			return 0;
		major_minor(rel, rel_sz, "", os->version_id, 1);
		return 1;
	case SC_ECO_PYPI:
		*eco_out = "PyPI";
		return 1;
	case SC_ECO_NPM:
		*eco_out = "npm";
		return 1;
	case SC_ECO_GOLANG:
		*eco_out = "Go";
		return 1;
	case SC_ECO_BINARY:
	default:
		return 0;
	}
}

/* --- range evaluation --------------------------------------------------- */

static int cmp(sc_version_scheme scheme, const char *a, const char *b, int *out)
{
	if (scheme == SC_VER_SEMVER) {
		/* Go module versions carry a 'v' that OSV's SEMVER ranges do not. */
		if (a[0] == 'v')
			a++;
		if (b[0] == 'v')
			b++;
	}
	return sc_version_compare(scheme, a, b, out);
}

typedef struct ev {
	const sc_vuln_event *e;
	int zero; /* introduced "0": lower than everything */
	int inf;  /* limit "*": higher than everything */
} ev;

/* Insertion sort by version; equal versions keep introduced before the others. */
static int sort_events(ev *v, size_t n, sc_version_scheme scheme)
{
	size_t i, j;
	int c;

	for (i = 1; i < n; i++) {
		ev x = v[i];

		for (j = i; j > 0; j--) {
			if (x.zero)
				c = v[j - 1].zero ? 0 : -1;
			else if (v[j - 1].zero)
				c = 1;
			else if (x.inf)
				c = v[j - 1].inf ? 0 : 1;
			else if (v[j - 1].inf)
				c = -1;
			else if (cmp(scheme, x.e->version, v[j - 1].e->version, &c) != 0)
				return SC_EINPUT;
			if (c > 0 || (c == 0 && !(x.e->kind == SC_EV_INTRODUCED && v[j - 1].e->kind != SC_EV_INTRODUCED)))
				break;
			v[j] = v[j - 1];
		}
		v[j] = x;
	}
	return 0;
}

/* 1 when version is in the range; *fixed gets the first fixed event above it. */
static int in_range(const sc_vuln_range *r, sc_version_scheme scheme, const char *version, const char **fixed)
{
	ev stackv[32], *v = stackv;
	size_t i, n = r->n_events;
	int affected = 0, c, ret, limited = 0, below_limit = 0;

	*fixed = NULL;
	if (n == 0)
		return 0;
	if (n > MAX_EVENTS)
		return sc_error_set(SC_EINPUT, "too many range events");
	if (n > sizeof(stackv) / sizeof(stackv[0]) && !(v = sc_calloc(n, sizeof(*v))))
		return SC_ENOMEM;
	for (i = 0; i < n; i++) {
		v[i].e = &r->events[i];
		v[i].zero = r->events[i].kind == SC_EV_INTRODUCED && strcmp(r->events[i].version, "0") == 0;
		v[i].inf = r->events[i].kind == SC_EV_LIMIT && strcmp(r->events[i].version, "*") == 0;
	}
	if ((ret = sort_events(v, n, scheme)) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		const sc_vuln_event *e = v[i].e;

		if (v[i].zero) {
			affected = 1;
			continue;
		}
		if (e->kind == SC_EV_LIMIT && strcmp(e->version, "*") == 0) {
			limited = 1;
			below_limit = 1; /* "*": no limit */
			continue;
		}
		if ((ret = cmp(scheme, version, e->version, &c)) != 0)
			goto out;
		switch (e->kind) {
		case SC_EV_INTRODUCED:
			if (c >= 0)
				affected = 1;
			break;
		case SC_EV_FIXED:
			if (c >= 0)
				affected = 0;
			else if (affected && !*fixed)
				*fixed = e->version;
			break;
		case SC_EV_LAST_AFFECTED:
			if (c > 0)
				affected = 0;
			break;
		case SC_EV_LIMIT:
			limited = 1;
			if (c < 0)
				below_limit = 1;
			break;
		}
	}
	if (limited && !below_limit)
		affected = 0;
	if (!affected)
		*fixed = NULL;
	ret = affected;
out:
	if (v != stackv)
		free(v);
	return ret;
}

int sc_match_affected(const sc_vulndb_hit *hit, sc_version_scheme scheme, const char *version,
		      const char **fixed_out)
{
	const char *fixed = NULL, *f;
	size_t i;
	int hit_any = 0, r, c, bad = 0;

	if (!sc_version_valid(scheme, scheme == SC_VER_SEMVER && version[0] == 'v' ? version + 1 : version))
		return sc_error_set(SC_EINPUT, "version '%s' does not parse as %s", version,
				    sc_version_scheme_name(scheme));
	for (i = 0; i < hit->n_ranges; i++) {
		const sc_vuln_range *rg = &hit->ranges[i];
		sc_version_scheme s = rg->type == SC_RANGE_SEMVER ? SC_VER_SEMVER : scheme;

		if (rg->type == SC_RANGE_GIT)
			continue;
		r = in_range(rg, s, version, &f);
		if (r == SC_ENOMEM)
			return r;
		if (r < 0) {
			bad = 1;
			sc_error_clear();
			continue;
		}
		if (r == 1) {
			hit_any = 1;
			if (f && (!fixed || (cmp(s, f, fixed, &c) == 0 && c < 0)))
				fixed = f;
		}
	}
	for (i = 0; !hit_any && i < hit->n_versions; i++) {
		if (strcmp(hit->versions[i], version) == 0 ||
		    (cmp(scheme, hit->versions[i], version, &c) == 0 && c == 0))
			hit_any = 1;
		sc_error_clear();
	}
	if (fixed_out)
		*fixed_out = hit_any ? fixed : NULL;
	if (!hit_any && bad)
		return sc_error_set(SC_EINPUT, "a range of %s did not evaluate for %s", hit->id, version);
	return hit_any;
}

/* --- findings ----------------------------------------------------------- */

typedef struct mctx {
	sc_vulndb *db;
	const sc_catalog *cat;
	const sc_match_opts *opts;
	sc_match_stats *st;
	sc_findings *out;
	size_t first;             /* first finding of the current package */
	long pkg;
	const char *eco;
	const char *name, *version; /* as compared */
	sc_version_scheme scheme;
	int os_managed_pypi;
} mctx;

static int strv_has(char **v, const char *s)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

static int strv_add(char ***v, const char *s)
{
	size_t n = sc_strv_len(*v);
	char **nv;

	if (strv_has(*v, s))
		return 0;
	if (!(nv = sc_reallocarray(*v, n + 2, sizeof(char *))))
		return SC_ENOMEM;
	*v = nv;
	if (!(nv[n] = sc_strdup(s)))
		return SC_ENOMEM;
	nv[n + 1] = NULL;
	return 0;
}

static char *title_of(const sc_vulndb_advisory *a)
{
	const char *t = a->summary && *a->summary ? a->summary : a->details && *a->details ? a->details : a->id;
	size_t n = strcspn(t, "\r\n");
	char *r;

	if (n > TITLE_MAX) {
		n = TITLE_MAX;
		while (n > 0 && ((unsigned char)t[n] & 0xc0) == 0x80)
			n--;
		r = sc_malloc(n + 4);
		if (r) {
			memcpy(r, t, n);
			memcpy(r + n, "...", 4);
		}
		return r;
	}
	return sc_strndup(t, n);
}

static void set_level(sc_finding *f, const sc_vulndb_hit *h, const sc_vulndb_advisory *a)
{
	int l = -1;

	if (h->severity && (l = sc_level_parse(h->severity)) > 0) {
		f->level = (sc_level)l;
		f->vuln.severity_source = sc_strdup("vendor");
	} else if (a->severity && (l = sc_level_parse(a->severity)) > 0) {
		f->level = (sc_level)l;
		f->vuln.severity_source = sc_strdup("vendor");
	}
	if (a->cvss_v3_score >= 0) {
		f->vuln.cvss_score = a->cvss_v3_score;
		f->vuln.cvss_vector = sc_strdup(a->cvss_v3);
	} else if (a->cvss_v4_score >= 0) {
		f->vuln.cvss_score = a->cvss_v4_score;
		f->vuln.cvss_vector = sc_strdup(a->cvss_v4);
	}
	if (l <= 0 && f->vuln.cvss_score >= 0) {
		switch (sc_cvss_rating_of(f->vuln.cvss_score)) {
		case SC_CVSS_CRITICAL:
			f->level = SC_LEVEL_CRITICAL;
			break;
		case SC_CVSS_HIGH:
			f->level = SC_LEVEL_HIGH;
			break;
		case SC_CVSS_MEDIUM:
			f->level = SC_LEVEL_MEDIUM;
			break;
		case SC_CVSS_LOW:
			f->level = SC_LEVEL_LOW;
			break;
		case SC_CVSS_NONE:
			f->level = SC_LEVEL_NEGLIGIBLE;
			break;
		}
		f->vuln.severity_source = sc_strdup("cvss");
	}
}

/* An earlier finding of this package for the same advisory (by id or alias), or NULL. */
static sc_finding *same_advisory(mctx *m, const char *id, char **aliases)
{
	size_t i;

	for (i = m->first; i < m->out->n; i++) {
		sc_finding *f = &m->out->items[i];

		if (strcmp(f->id, id) == 0 || strv_has(f->vuln.aliases, id) || strv_has(aliases, f->id))
			return f;
	}
	return NULL;
}

static int on_hit(void *ud, const sc_vulndb_hit *h)
{
	mctx *m = ud;
	const sc_package *p = &m->cat->pkgs[m->pkg];
	const char *fixed = NULL;
	sc_vulndb_advisory a;
	sc_finding *f, *dup;
	const char *status;
	char buf[512];
	int r, ret;

	r = sc_match_affected(h, m->scheme, m->version, &fixed);
	if (r < 0) {
		if (r == SC_ENOMEM)
			return r;
		m->st->unparsable++;
		sc_error_clear();
		return 0;
	}
	if (r == 0)
		return 0;
	status = h->status == SC_VSTATUS_AFFECTED ? (fixed ? "fixed" : "unfixed") : sc_vuln_status_name(h->status);
	if (m->opts->ignore_unfixed && strcmp(status, "fixed") != 0) {
		m->st->unfixed_dropped++;
		return 0;
	}
	if ((ret = sc_vulndb_get_advisory(m->db, h->vuln_key, &a)) != 0)
		return ret;
	dup = same_advisory(m, h->id, a.aliases);
	if (dup) {
		/* Another source or entry for the same advisory: keep one finding, merge what it adds. */
		ret = 0;
		if (fixed && strcmp(dup->vuln.status, "unfixed") == 0) {
			/* The first source knew no fix, this one does: the finding is fixed. */
			char *st = sc_strdup("fixed");

			if (!st)
				ret = sc_error_set(SC_ENOMEM, "out of memory");
			else {
				free(dup->vuln.status);
				dup->vuln.status = st;
			}
			if (ret == 0 && !dup->remediation) {
				snprintf(buf, sizeof(buf), "upgrade %s to %s or later", p->name, fixed);
				if (!(dup->remediation = sc_strdup(buf)))
					ret = sc_error_set(SC_ENOMEM, "out of memory");
			}
		}
		if (ret == 0 && fixed && strcmp(dup->vuln.status, "fixed") == 0)
			ret = strv_add(&dup->vuln.fixed_in, fixed);
		if (ret == 0 && strcmp(dup->id, h->id) != 0)
			ret = strv_add(&dup->vuln.aliases, h->id);
		sc_vulndb_advisory_release(&a);
		return ret;
	}
	if ((ret = sc_findings_add(m->out, &f)) != 0)
		goto out;
	f->kind = sc_strdup("vulnerability");
	f->id = sc_strdup(h->id);
	f->pkg = m->pkg;
	f->title = title_of(&a);
	f->description = a.details ? sc_strdup(a.details) : NULL;
	f->vuln.aliases = a.aliases;
	a.aliases = NULL;
	f->vuln.references = a.references;
	a.references = NULL;
	f->vuln.status = sc_strdup(status);
	f->vuln.source = sc_strdup(h->source);
	f->vuln.ecosystem = sc_strdup(h->release && *h->release ? h->ecosystem : m->eco);
	if (h->release && *h->release) {
		snprintf(buf, sizeof(buf), "%s:%s", h->ecosystem, h->release);
		free(f->vuln.ecosystem);
		f->vuln.ecosystem = sc_strdup(buf);
	}
	f->vuln.matched_name = sc_strdup(m->name);
	f->vuln.matched_version = sc_strdup(m->version);
	f->vuln.published = a.published ? sc_strdup(a.published) : NULL;
	f->vuln.modified = a.modified ? sc_strdup(a.modified) : NULL;
	f->vuln.os_managed_pypi = m->os_managed_pypi;
	set_level(f, h, &a);
	if (fixed && (ret = strv_add(&f->vuln.fixed_in, fixed)) != 0)
		goto out;
	if (fixed) {
		if (p->eco == SC_ECO_DEB && p->source_name && strcmp(p->source_name, p->name) != 0)
			snprintf(buf, sizeof(buf), "upgrade %s to a version built from %s %s or later", p->name,
				 p->source_name, fixed);
		else
			snprintf(buf, sizeof(buf), "upgrade %s to %s or later", p->name, fixed);
		f->remediation = sc_strdup(buf);
	}
	if (!f->kind || !f->id || !f->title || !f->vuln.status || !f->vuln.source || !f->vuln.ecosystem ||
	    !f->vuln.matched_name || !f->vuln.matched_version)
		ret = sc_error_set(SC_ENOMEM, "out of memory");
out:
	sc_vulndb_advisory_release(&a);
	return ret;
}

static int lookup(mctx *m, const char *eco, const char *release, const char *name, const char *version)
{
	m->eco = eco;
	m->name = name;
	m->version = version;
	m->scheme = strcmp(eco, "Go") == 0 ? SC_VER_SEMVER : sc_vuln_ecosystem_scheme(eco);
	if (!m->scheme)
		return 0;
	m->st->lookups++;
	return sc_vulndb_lookup(m->db, eco, release && *release ? release : NULL, name, on_hit, m);
}

static int match_package(mctx *m, long i)
{
	const sc_package *p = &m->cat->pkgs[i];
	const char *eco, *name, *version;
	char rel[64], pub[SC_VERSION_MAX + 1], gover[64];
	int ret;

	m->pkg = i;
	m->first = m->out->n;
	m->os_managed_pypi = 0;
	if (!p->name || !p->version || !sc_match_target(p, &m->cat->os, &eco, rel, sizeof(rel))) {
		m->st->skipped++;
		return 0;
	}
	name = p->name;
	version = p->version;
	switch (p->eco) {
	case SC_ECO_DEB:
	case SC_ECO_APK:
		if (p->source_name)
			name = p->source_name;
		if (p->source_version)
			version = p->source_version;
		break;
	case SC_ECO_PYPI:
		if (p->os_managed) {
			if (!m->opts->pypi_os_managed) {
				m->st->skipped++;
				return 0;
			}
			m->os_managed_pypi = 1;
		}
		/* Local labels ("+cu121") do not take part in matching. */
		if (sc_version_pep440_public(p->version, pub, sizeof(pub)) != 0) {
			sc_error_clear();
			m->st->unparsable++;
			return 0;
		}
		version = pub;
		break;
	default:
		break;
	}
	m->st->packages++;
	if ((ret = lookup(m, eco, rel, name, version)) != 0)
		return ret;
	if (p->eco == SC_ECO_GOLANG && p->arch) {
		/* The main module of a Go binary: also the standard library it was built with. */
		const char *tc = sc_kv_list_get(&p->props, "go.toolchain");

		if (tc && strncmp(tc, "go", 2) == 0 && strlen(tc) < sizeof(gover)) {
			snprintf(gover, sizeof(gover), "%s", tc + 2);
			gover[strcspn(gover, " -")] = '\0';
			/* Before Go 1.21 a first release is "go1.20", which OSV writes 1.20.0. */
			if (strchr(gover, '.') == strrchr(gover, '.') && strlen(gover) + 2 < sizeof(gover))
				strcat(gover, ".0");
			if (sc_version_valid(SC_VER_SEMVER, gover))
				ret = lookup(m, "Go", NULL, "stdlib", gover);
			sc_error_clear();
		}
	}
	return ret;
}

static const char *pkg_name(const void *ctx, long pkg)
{
	const sc_catalog *cat = ctx;

	return pkg >= 0 && (size_t)pkg < cat->n_pkgs && cat->pkgs[pkg].name ? cat->pkgs[pkg].name : "";
}

int sc_vuln_match(sc_findings *out, sc_vulndb *db, const sc_catalog *cat, const sc_match_opts *opts,
		  sc_match_stats *st)
{
	static const sc_match_opts defaults;
	sc_match_stats local;
	mctx m;
	size_t i;
	int ret;

	memset(&m, 0, sizeof(m));
	if (!st)
		st = &local;
	memset(st, 0, sizeof(*st));
	m.db = db;
	m.cat = cat;
	m.opts = opts ? opts : &defaults;
	m.st = st;
	m.out = out;
	if ((ret = sc_vulndb_read_begin(db)) != 0)
		return ret;
	for (i = 0; i < cat->n_pkgs; i++)
		if ((ret = match_package(&m, (long)i)) != 0)
			break;
	sc_vulndb_read_end(db);
	if (ret)
		return ret;
	sc_findings_sort(out, pkg_name, cat);
	return 0;
}
