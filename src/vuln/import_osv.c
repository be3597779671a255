/*
 * import_osv.c - OSV records (JSON or YAML) -> sc_vuln_record.
 * Spec: https://ossf.github.io/osv-schema/ (validation/schema.json).
 *
 * A buffer holds one record object, or (tolerated) an array of them.  YAML
 * is read with every scalar kept as a string (SC_YAML_STRINGS) so that a
 * version written `1.10` keeps its spelling.
 *
 * What is skipped, and at which level (every skip is counted in
 * st->skipped and warned about, "<what>: <id>: <problem>"):
 *   record    not an object; id missing or not 1..256 printable ASCII
 *             bytes; summary/details/published/modified/withdrawn not a
 *             string; aliases, references, severity or affected not an
 *             array
 *   affected  not an object; package, ecosystem or name missing or
 *             malformed (PyPI names must normalise under PEP 503); ranges
 *             not an array; a range whose type is not ECOSYSTEM, SEMVER or
 *             GIT; events missing, empty, or an event that is not an object
 *             with exactly one of introduced/fixed/last_affected/limit as a
 *             string; an event version with whitespace or control bytes, or
 *             (ECOSYSTEM: the ecosystem's scheme, SEMVER: SemVer) that does
 *             not parse -- introduced "0" always passes
 *   value     (st->dropped, one warning per affected entry) `versions`
 *             items that are not strings or do not parse in the scheme;
 *             CVSS_V3/CVSS_V4 vectors that sc_cvss_parse() rejects, and
 *             CVSS_V2 vectors outside the v2 alphabet
 * Affected entries of an ecosystem without a version scheme (crates.io...)
 * are counted in st->unsupported and left out without a warning.  A record
 * left with no affected entries is still emitted (it never matches, but
 * its aliases and withdrawn state are kept).
 *
 * Ecosystems "Base:suffix" are split into ecosystem "Base" and release
 * "suffix" ("Debian:12" -> "12", "Alpine:v3.18" -> "v3.18"); for Ubuntu the
 * release is the first component starting with a digit, so
 * "Ubuntu:22.04:LTS" and "Ubuntu:Pro:22.04:LTS" are both "22.04".
 * Severities: the record's is database_specific.severity (GHSA "HIGH",
 * "MODERATE"), else a severity[] item of type "Ubuntu"; an affected entry's
 * is ecosystem_specific.severity, else database_specific.severity, else
 * its own severity[] "Ubuntu" item.  CVSS vectors come from the record's
 * severity[], then from affected[].severity[]; the first valid vector of
 * each version is kept.
 */
#include "vuln/import_priv.h"
#include "catalog/python.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/yaml.h"
#include "vuln/cvss.h"

#include <stdio.h>
#include <string.h>

typedef struct osv_ctx {
	const char *where;   /* "file" or "file[3]" */
	const char *id;
	sc_import_stats *st;
	sc_arena *a;
	sc_vuln_record *rec;
} osv_ctx;

/* Why an affected entry is skipped (formatted into a fixed buffer). */
typedef struct osv_why {
	char text[384];
} osv_why;

static int why(osv_why *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int why(osv_why *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->text, sizeof(w->text), fmt, ap);
	va_end(ap);
	return 1;
}

/* n items of size sz from the arena (NULL with *rc set when out of memory; NULL, rc 0 when n == 0). */
static void *osv_array(osv_ctx *c, size_t n, size_t sz, int *rc)
{
	size_t bytes;
	void *p;

	*rc = 0;
	if (n == 0)
		return NULL;
	if (sc_mul_overflow(n, sz, &bytes)) {
		*rc = sc_error_set(SC_ENOMEM, "%s: array too large", c->where);
		return NULL;
	}
	if (!(p = sc_arena_alloc(c->a, bytes)))
		*rc = SC_ENOMEM;
	return p;
}

/* CVSS v2 vectors have no prefix: "AV:N/AC:L/Au:N/C:P/I:P/A:P" (schema pattern alphabet). */
static int cvss2_ok(const char *v)
{
	size_t n = strlen(v);

	if (n < 3 || n > 256 || strncmp(v, "AV:", 3) != 0)
		return 0;
	return strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz:/") == n;
}

/*
 * severity[] items: CVSS vectors into the record (the first valid one per
 * version), the first "Ubuntu" score into *vendor.  -1 when not an array.
 */
static int osv_severity(osv_ctx *c, const json_t *arr, const char **vendor)
{
	json_t *it;
	size_t i;

	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return -1;
	json_array_foreach(arr, i, it) {
		const char *type = NULL, *score = NULL, **slot;
		sc_cvss cv;
		int ok;

		if (!json_is_object(it) || sc_import_jstr(it, "type", &type) != 0 ||
		    sc_import_jstr(it, "score", &score) != 0 || !type || !score)
			continue;
		if (strcmp(type, "Ubuntu") == 0) {
			if (vendor && !*vendor && sc_import_id_ok(score))
				*vendor = score;
			continue;
		}
		sc_error_clear();
		if (strcmp(type, "CVSS_V2") == 0) {
			slot = &c->rec->cvss_v2;
			if (!(ok = cvss2_ok(score)))
				sc_error_set(SC_EINPUT, "'%.80s' is not a CVSS v2 vector", score);
		} else if (strcmp(type, "CVSS_V3") == 0 || strcmp(type, "CVSS_V4") == 0) {
			int v4 = type[6] == '4';

			slot = v4 ? &c->rec->cvss_v4 : &c->rec->cvss_v3;
			ok = sc_cvss_parse(&cv, score) == 0 && (v4 ? cv.version == 40 : cv.version != 40);
			if (!ok && sc_error_code() == 0)
				sc_error_set(SC_EINPUT, "'%.80s' is not a CVSS %s vector", score, v4 ? "4.0" : "3.x");
		} else {
			continue;
		}
		if (!ok) {
			sc_import_warn(c->st, "%s: %s: %s dropped: %s", c->where, c->id, type, sc_error_msg());
			sc_error_clear();
			c->st->dropped++;
			continue;
		}
		if (!*slot)
			*slot = score;
	}
	return 0;
}

static const char *const ev_keys[] = { "introduced", "fixed", "last_affected", "limit" };
static const sc_event_kind ev_kinds[] = { SC_EV_INTRODUCED, SC_EV_FIXED, SC_EV_LAST_AFFECTED, SC_EV_LIMIT };

/* One event object -> out; 1 (with w) when malformed. */
static int osv_event(const json_t *ev, sc_range_type type, sc_version_scheme scheme, sc_vuln_event *out,
		     osv_why *w)
{
	const char *v = NULL;
	size_t k, found = 0;

	if (!json_is_object(ev))
		return why(w, "an event is not an object");
	for (k = 0; k < 4; k++) {
		const char *s = NULL;
		json_t *j = json_object_get(ev, ev_keys[k]);

		if (!j)
			continue;
		if (sc_import_jstr(ev, ev_keys[k], &s) != 0 || !s)
			return why(w, "event '%s' is not a string", ev_keys[k]);
		found++;
		out->kind = ev_kinds[k];
		v = s;
	}
	if (found != 1)
		return why(w, "an event has %zu of introduced/fixed/last_affected/limit", found);
	if (!sc_import_version_ok(v))
		return why(w, "event version '%.80s' is empty, too long or has whitespace", v);
	out->version = v;
	/* introduced "0" is "every version"; limit "*" is "no limit" (OSV schema). */
	if (type == SC_RANGE_GIT || (out->kind == SC_EV_INTRODUCED && strcmp(v, "0") == 0) ||
	    (out->kind == SC_EV_LIMIT && strcmp(v, "*") == 0))
		return 0;
	if (!sc_version_valid(scheme, v))
		return why(w, "version '%.80s' is not a valid %s version", v, sc_version_scheme_name(scheme));
	return 0;
}

static int osv_range(osv_ctx *c, const json_t *r, sc_version_scheme eco_scheme, sc_vuln_range *out,
		     osv_why *w, int *rc)
{
	const char *type = NULL;
	json_t *events, *ev;
	sc_vuln_event *evs;
	sc_version_scheme scheme = eco_scheme;
	size_t i;

	if (!json_is_object(r))
		return why(w, "a range is not an object");
	if (sc_import_jstr(r, "type", &type) != 0 || !type)
		return why(w, "a range has no type");
	if (strcmp(type, "ECOSYSTEM") == 0) {
		out->type = SC_RANGE_ECOSYSTEM;
	} else if (strcmp(type, "SEMVER") == 0) {
		out->type = SC_RANGE_SEMVER;
		scheme = SC_VER_SEMVER;
	} else if (strcmp(type, "GIT") == 0) {
		out->type = SC_RANGE_GIT;
	} else {
		return why(w, "unknown range type '%.40s'", type);
	}
	events = json_object_get(r, "events");
	if (!json_is_array(events) || json_array_size(events) == 0)
		return why(w, "range of type %s has no events", type);
	evs = osv_array(c, json_array_size(events), sizeof(*evs), rc);
	if (!evs)
		return 0;
	json_array_foreach(events, i, ev) {
		if (osv_event(ev, out->type, scheme, &evs[i], w))
			return 1;
	}
	out->events = evs;
	out->n_events = json_array_size(events);
	return 0;
}

/* Ecosystem names are printable ASCII and may hold spaces ("Red Hat", "Rocky Linux"). */
static int eco_ok(const char *s)
{
	size_t n;

	for (n = 0; s[n]; n++)
		if (s[n] < 0x20 || s[n] > 0x7e || n >= 128)
			return 0;
	return n > 0 && s[0] != ' ';
}

/* "Ubuntu:Pro:22.04:LTS" -> base "Ubuntu", release "22.04". */
static int osv_ecosystem(osv_ctx *c, const char *eco, const char **base, const char **release)
{
	const char *colon = strchr(eco, ':'), *rest, *p;

	*release = NULL;
	if (!colon) {
		*base = eco;
		return 0;
	}
	if (!(*base = sc_arena_strndup(c->a, eco, (size_t)(colon - eco))))
		return SC_ENOMEM;
	rest = colon + 1;
	if (!*rest)
		return 0;
	if (strcmp(*base, "Ubuntu") == 0) {
		for (p = rest; *p; p += strcspn(p, ":"), p += *p == ':') {
			if (*p >= '0' && *p <= '9') {
				if (!(*release = sc_arena_strndup(c->a, p, strcspn(p, ":"))))
					return SC_ENOMEM;
				return 0;
			}
		}
	}
	*release = rest;
	return 0;
}

/* The vendor severity of an affected entry (see the header comment). */
static const char *osv_affected_severity(const json_t *aff)
{
	static const char *const objs[] = { "ecosystem_specific", "database_specific" };
	size_t i;

	for (i = 0; i < 2; i++) {
		json_t *o = json_object_get(aff, objs[i]);
		const char *s = NULL;

		if (json_is_object(o) && sc_import_jstr(o, "severity", &s) == 0 && s && sc_import_id_ok(s))
			return s;
	}
	return NULL;
}

/*
 * affected[idx] -> *out.  Returns 0 with *keep set when the entry is used,
 * 0 with *keep = 0 when it is skipped or unsupported (counted here), or an
 * error code.
 */
static int osv_affected(osv_ctx *c, const json_t *aff, size_t idx, sc_vuln_affected *out, int *keep)
{
	const char *eco = NULL, *name = NULL, *vendor;
	json_t *pkg, *ranges, *versions, *it;
	sc_version_scheme scheme;
	sc_vuln_range *rs = NULL;
	const char **vs = NULL;
	size_t i, nv = 0, bad_v = 0;
	const char *first_bad = NULL;
	osv_why w;
	int rc = 0;

	*keep = 0;
	memset(out, 0, sizeof(*out));
	w.text[0] = '\0';
	if (!json_is_object(aff)) {
		why(&w, "not an object");
		goto skip;
	}
	pkg = json_object_get(aff, "package");
	if (!json_is_object(pkg)) {
		why(&w, "no package object");
		goto skip;
	}
	if (sc_import_jstr(pkg, "ecosystem", &eco) != 0 || !eco || !eco_ok(eco)) {
		why(&w, "package.ecosystem missing or malformed");
		goto skip;
	}
	if (sc_import_jstr(pkg, "name", &name) != 0 || !name || !sc_import_name_ok(name)) {
		why(&w, "package.name missing or malformed");
		goto skip;
	}
	if ((rc = osv_ecosystem(c, eco, &out->ecosystem, &out->release)) != 0)
		return rc;
	scheme = sc_vuln_ecosystem_scheme(out->ecosystem);
	if (!scheme) {
		c->st->unsupported++;
		return 0;
	}
	if (strcmp(out->ecosystem, "PyPI") == 0) {
		char norm[SC_IMPORT_NAME_MAX + 1];

		if (sc_python_normalize(norm, sizeof(norm), name, strlen(name)) != 0) {
			sc_error_clear();
			why(&w, "'%.80s' is not a valid PyPI name", name);
			goto skip;
		}
		if (!(out->name = sc_arena_strdup(c->a, norm)))
			return SC_ENOMEM;
	} else {
		out->name = name;
	}
	out->status = SC_VSTATUS_AFFECTED;

	ranges = json_object_get(aff, "ranges");
	if (ranges && !json_is_null(ranges)) {
		if (!json_is_array(ranges)) {
			why(&w, "ranges is not an array");
			goto skip;
		}
		/* The database decodes at most this many per entry (db.c): refuse more here, not at scan time. */
		if (json_array_size(ranges) > SC_VULN_MAX_RANGES) {
			why(&w, "more than %d ranges", SC_VULN_MAX_RANGES);
			goto skip;
		}
		if (json_array_size(ranges) && !(rs = osv_array(c, json_array_size(ranges), sizeof(*rs), &rc)))
			return rc;
		json_array_foreach(ranges, i, it) {
			if (osv_range(c, it, scheme, &rs[i], &w, &rc))
				goto skip;
			if (rc)
				return rc;
		}
		out->ranges = rs;
		out->n_ranges = json_array_size(ranges);
	}

	versions = json_object_get(aff, "versions");
	if (versions && !json_is_null(versions)) {
		if (!json_is_array(versions)) {
			why(&w, "versions is not an array");
			goto skip;
		}
		if (json_array_size(versions) &&
		    !(vs = osv_array(c, json_array_size(versions), sizeof(*vs), &rc)))
			return rc;
		json_array_foreach(versions, i, it) {
			const char *v = json_is_string(it) ? json_string_value(it) : NULL;

			if (v && strlen(v) == json_string_length(it) && sc_import_version_ok(v) &&
			    sc_version_valid(scheme, v)) {
				vs[nv++] = v;
				continue;
			}
			if (!bad_v++)
				first_bad = v ? v : "(not a string)";
		}
		if (bad_v) {
			c->st->dropped += bad_v;
			sc_import_warn(c->st, "%s: %s: affected[%zu] (%s %s): %zu of %zu versions dropped as not %s (first: '%.80s')",
				       c->where, c->id, idx, eco, name, bad_v, json_array_size(versions),
				       sc_version_scheme_name(scheme), first_bad);
		}
		out->versions = vs;
		out->n_versions = nv;
	}

	vendor = osv_affected_severity(aff);
	if (osv_severity(c, json_object_get(aff, "severity"), vendor ? NULL : &vendor) != 0) {
		why(&w, "severity is not an array");
		goto skip;
	}
	out->severity = vendor;
	*keep = 1;
	return 0;
skip:
	c->st->skipped++;
	sc_import_warn(c->st, "%s: %s: affected[%zu]%s%s%s%s%s skipped: %s", c->where, c->id, idx,
		       eco ? " (" : "", eco ? eco : "", name ? " " : "", name ? name : "", eco ? ")" : "",
		       w.text);
	memset(out, 0, sizeof(*out));
	return 0;
}

/* A URL worth keeping: 1..4096 bytes, no whitespace or control bytes. */
static int url_ok(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if ((unsigned char)s[n] <= 0x20 || s[n] == 0x7f || n >= 4096)
			return 0;
	return n > 0;
}

/* An array of strings at obj[key] into the arena; -1 when present and not an array of strings. */
static int osv_strings(osv_ctx *c, const json_t *obj, const char *key, int urls, const char *const **out,
		       size_t *n, int *rc)
{
	json_t *arr = json_object_get(obj, key), *it;
	const char **v;
	size_t i;

	*rc = 0;
	*out = NULL;
	*n = 0;
	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return -1;
	if (json_array_size(arr) == 0)
		return 0;
	if (!(v = osv_array(c, json_array_size(arr), sizeof(*v), rc)))
		return 0;
	json_array_foreach(arr, i, it) {
		const char *s = NULL;

		if (urls) {
			/* references[]: objects with a url; anything else is ignored */
			if (json_is_object(it) && sc_import_jstr(it, "url", &s) == 0 && s && url_ok(s))
				v[(*n)++] = s;
			continue;
		}
		if (!json_is_string(it))
			return -1;
		s = json_string_value(it);
		if (strlen(s) == json_string_length(it) && sc_import_id_ok(s))
			v[(*n)++] = s;
	}
	*out = v;
	return 0;
}

static int osv_record(const json_t *j, const char *where, sc_vuln_emit_fn emit, void *ud, sc_import_stats *st)
{
	static const char *const text_keys[] = { "summary", "details", "published", "modified", "withdrawn" };
	const char *texts[5] = { NULL, NULL, NULL, NULL, NULL };
	sc_vuln_record rec;
	sc_vuln_affected *affs = NULL;
	json_t *affected, *dbs, *it;
	sc_arena arena;
	osv_ctx c;
	const char *problem = NULL;
	size_t i;
	int rc = 0, keep;

	memset(&rec, 0, sizeof(rec));
	sc_arena_init(&arena);
	c.where = where;
	c.id = "(no id)";
	c.st = st;
	c.a = &arena;
	c.rec = &rec;
	if (!json_is_object(j)) {
		problem = "not a JSON object";
		goto skip;
	}
	if (sc_import_jstr(j, "id", &rec.id) != 0 || !rec.id) {
		problem = "no id";
		goto skip;
	}
	if (!sc_import_id_ok(rec.id)) {
		problem = "malformed id";
		rec.id = NULL;
		goto skip;
	}
	c.id = rec.id;
	for (i = 0; i < 5; i++) {
		if (sc_import_jstr(j, text_keys[i], &texts[i]) != 0) {
			problem = "a text field (summary, details, published, modified, withdrawn) is not a string";
			goto skip;
		}
	}
	rec.summary = texts[0];
	rec.details = texts[1];
	rec.published = texts[2];
	rec.modified = texts[3];
	rec.withdrawn = texts[4] != NULL;
	if (osv_strings(&c, j, "aliases", 0, &rec.aliases, &rec.n_aliases, &rc) != 0) {
		problem = "aliases is not an array of strings";
		goto skip;
	}
	if (rc)
		goto out;
	if (osv_strings(&c, j, "references", 1, &rec.references, &rec.n_references, &rc) != 0) {
		problem = "references is not an array";
		goto skip;
	}
	if (rc)
		goto out;
	dbs = json_object_get(j, "database_specific");
	if (json_is_object(dbs) && sc_import_jstr(dbs, "severity", &rec.severity) == 0 && rec.severity &&
	    !sc_import_id_ok(rec.severity))
		rec.severity = NULL;
	if (osv_severity(&c, json_object_get(j, "severity"), rec.severity ? NULL : &rec.severity) != 0) {
		problem = "severity is not an array";
		goto skip;
	}
	affected = json_object_get(j, "affected");
	if (affected && !json_is_null(affected)) {
		if (!json_is_array(affected)) {
			problem = "affected is not an array";
			goto skip;
		}
		if (json_array_size(affected) &&
		    !(affs = osv_array(&c, json_array_size(affected), sizeof(*affs), &rc)))
			goto out;
		json_array_foreach(affected, i, it) {
			if ((rc = osv_affected(&c, it, i, &affs[rec.n_affected], &keep)) != 0)
				goto out;
			rec.n_affected += keep;
		}
		rec.affected = affs;
	}
	if ((rc = emit(ud, &rec)) != 0)
		goto out;
	st->records++;
	st->withdrawn += rec.withdrawn != 0;
	goto out;
skip:
	st->skipped++;
	sc_import_warn(st, "%s: %s%srecord skipped: %s", where, rec.id ? rec.id : "", rec.id ? ": " : "",
		       problem);
out:
	sc_arena_release(&arena);
	return rc;
}

int sc_import_osv_parse(json_t **out, const char *data, size_t len, int yaml, const char *what)
{
	if (yaml)
		return sc_yaml_parse(out, data, len, SC_IMPORT_MAX_FILE, SC_YAML_STRINGS, what);
	return sc_json_parse(out, data, len, SC_IMPORT_MAX_FILE, SC_JSON_MAX_DEPTH, what);
}

int sc_import_osv_doc(json_t *root, const char *what, sc_vuln_emit_fn emit, void *ud, sc_import_stats *st)
{
	json_t *it;
	size_t i;
	int rc;

	if (!json_is_array(root))
		return osv_record(root, what, emit, ud, st);
	json_array_foreach(root, i, it) {
		char where[512];

		snprintf(where, sizeof(where), "%s[%zu]", what, i);
		if ((rc = osv_record(it, where, emit, ud, st)) != 0)
			return rc;
	}
	return 0;
}

int sc_import_osv_buf(const char *data, size_t len, int yaml, const char *what, sc_vuln_emit_fn emit,
		      void *ud, sc_import_stats *st)
{
	sc_import_stats local;
	json_t *root = NULL;
	int rc;

	memset(&local, 0, sizeof(local));
	if (!st)
		st = &local;
	if ((rc = sc_import_osv_parse(&root, data, len, yaml, what)) == 0)
		rc = sc_import_osv_doc(root, what, emit, ud, st);
	json_decref(root);
	sc_import_stats_release(&local);
	return rc;
}
