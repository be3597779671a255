/*
 * import_debian.c - the Debian security tracker's JSON export ->
 * sc_vuln_record, one record per CVE (or TEMP-) id.
 * Source: https://security-tracker.debian.org/tracker/data/json
 *   { "<source package>": { "<id>": { "description": "...",
 *       "releases": { "<codename>": { "status": "resolved"|"open"|"undetermined",
 *           "fixed_version": "1.2-3", "urgency": "low", "nodsa_reason": "ignored" } } } } }
 * Field meanings: https://security-team.debian.org/security_tracker.html
 *
 * The same id appears under every source package it affects; entries are
 * collected, sorted by (id, package) and emitted as one record per id with
 * one affected entry per (package, release), sorted by package then release.
 *
 * Mapping of one release entry (ecosystem "Debian", release from the
 * codename, name = source package, one ECOSYSTEM range):
 *   resolved, fixed_version "0"    not affected: no entry
 *   resolved, fixed_version V      AFFECTED, introduced "0" fixed V (V must parse as dpkg)
 *   open                           UNFIXED, introduced "0"; UNIMPORTANT when the urgency is
 *                                  "unimportant"; WONTFIX when nodsa_reason is "ignored" or the
 *                                  urgency "end-of-life"
 *   undetermined                   UNFIXED, introduced "0"
 * affected.severity is the urgency without trailing '*' when it is low,
 * medium, high or unimportant, else NULL; the record's summary is the first
 * non-empty description (packages in name order).
 *
 * Skipped with a warning (st->skipped): a package or id whose value is not
 * an object, malformed ids or package names, an entry without a releases
 * object, a release entry with an unknown status, a fixed_version that is
 * missing or not a dpkg version.  Codenames the tracker has but scute does
 * not know (experimental, ...) are left out silently.  Ids that end up
 * with no affected entry (every release fixed_version "0") are not
 * emitted: the tracker says nothing is vulnerable.
 */
#include "vuln/import_priv.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"

#include <stdlib.h>
#include <string.h>

const char *sc_debian_codename_release(const char *codename)
{
	static const char *const map[][2] = {
		{ "squeeze", "6" }, { "wheezy", "7" },    { "jessie", "8" },  { "stretch", "9" },
		{ "buster", "10" }, { "bullseye", "11" }, { "bookworm", "12" }, { "trixie", "13" },
		{ "forky", "14" },  { "duke", "15" },     { "sid", "unstable" },
	};
	size_t i;

	if (!codename)
		return NULL;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(codename, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

typedef struct deb_item {
	const char *id;       /* key under the package (borrowed from the tree) */
	const char *pkg;
	const json_t *entry;  /* the id's object under the package */
} deb_item;

static int deb_item_cmp(const void *a, const void *b)
{
	const deb_item *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : strcmp(x->pkg, y->pkg);
}

static int deb_aff_cmp(const void *a, const void *b)
{
	const sc_vuln_affected *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->release, y->release);
}

static const char *deb_severity(const char *urgency)
{
	static const char *const known[] = { "low", "medium", "high", "unimportant" };
	size_t i, n;

	if (!urgency)
		return NULL;
	n = strlen(urgency);
	while (n && urgency[n - 1] == '*')
		n--;
	for (i = 0; i < 4; i++)
		if (strlen(known[i]) == n && strncmp(urgency, known[i], n) == 0)
			return known[i];
	return NULL;
}

typedef struct deb_ctx {
	const char *what;
	sc_import_stats *st;
	sc_arena *a;
} deb_ctx;

/*
 * One release entry -> *out; returns 1 when an entry was made, 0 when the
 * release is left out (not affected, unknown codename, or skipped with a
 * warning), or an error code (negative).
 */
static int deb_release(deb_ctx *c, const deb_item *it, const char *codename, const json_t *rel,
		       sc_vuln_affected *out)
{
	const char *release = sc_debian_codename_release(codename);
	const char *status = NULL, *fixed = NULL, *urgency = NULL, *nodsa = NULL;
	sc_vuln_event *ev;
	sc_vuln_range *range;
	const char *problem;

	if (!release)
		return 0;
	if (!json_is_object(rel) || sc_import_jstr(rel, "status", &status) != 0 || !status ||
	    sc_import_jstr(rel, "fixed_version", &fixed) != 0 || sc_import_jstr(rel, "urgency", &urgency) != 0 ||
	    sc_import_jstr(rel, "nodsa_reason", &nodsa) != 0) {
		problem = "malformed release entry";
		goto skip;
	}
	memset(out, 0, sizeof(*out));
	out->ecosystem = "Debian";
	out->release = release;
	out->name = it->pkg;
	out->severity = deb_severity(urgency);
	if (strcmp(status, "resolved") == 0) {
		if (!fixed) {
			problem = "resolved without fixed_version";
			goto skip;
		}
		if (strcmp(fixed, "0") == 0)
			return 0;
		if (!sc_import_version_ok(fixed) || !sc_version_valid(SC_VER_DPKG, fixed)) {
			problem = "fixed_version is not a dpkg version";
			goto skip;
		}
		out->status = SC_VSTATUS_AFFECTED;
	} else if (strcmp(status, "open") == 0) {
		if (urgency && strcmp(urgency, "unimportant") == 0)
			out->status = SC_VSTATUS_UNIMPORTANT;
		else if ((nodsa && strcmp(nodsa, "ignored") == 0) || (urgency && strcmp(urgency, "end-of-life") == 0))
			out->status = SC_VSTATUS_WONTFIX;
		else
			out->status = SC_VSTATUS_UNFIXED;
		fixed = NULL;
	} else if (strcmp(status, "undetermined") == 0) {
		out->status = SC_VSTATUS_UNFIXED;
		fixed = NULL;
	} else {
		problem = "unknown status";
		goto skip;
	}
	ev = sc_arena_alloc(c->a, 2 * sizeof(*ev));
	range = sc_arena_alloc(c->a, sizeof(*range));
	if (!ev || !range)
		return SC_ENOMEM;
	ev[0].kind = SC_EV_INTRODUCED;
	ev[0].version = "0";
	ev[1].kind = SC_EV_FIXED;
	ev[1].version = fixed;
	range->type = SC_RANGE_ECOSYSTEM;
	range->events = ev;
	range->n_events = fixed ? 2 : 1;
	out->ranges = range;
	out->n_ranges = 1;
	return 1;
skip:
	c->st->skipped++;
	sc_import_warn(c->st, "%s: %s: %s (%s) skipped: %s", c->what, it->id, it->pkg, codename, problem);
	return 0;
}

/* Items [0, n) share one id: build and emit its record. */
static int deb_group(deb_ctx *c, const deb_item *items, size_t n, sc_vuln_emit_fn emit, void *ud)
{
	sc_vuln_record rec;
	sc_vuln_affected *affs;
	size_t i, cap = 0, na = 0, bytes;
	int rc;

	memset(&rec, 0, sizeof(rec));
	rec.id = items[0].id;
	if (!sc_import_id_ok(rec.id)) {
		c->st->skipped++;
		sc_import_warn(c->st, "%s: id '%.80s' (package %s) skipped: malformed id", c->what, rec.id,
			       items[0].pkg);
		return 0;
	}
	for (i = 0; i < n; i++) {
		const json_t *rels = json_object_get(items[i].entry, "releases");

		if (json_is_object(rels) && sc_add_overflow(cap, json_object_size(rels), &cap))
			return sc_error_set(SC_ELIMIT, "%s: too many releases", c->what);
	}
	if (sc_mul_overflow(cap ? cap : 1, sizeof(*affs), &bytes) || !(affs = sc_arena_alloc(c->a, bytes)))
		return SC_ENOMEM;
	for (i = 0; i < n; i++) {
		const json_t *rels = json_object_get(items[i].entry, "releases");
		const char *codename, *desc = NULL;
		json_t *rel;

		if (!rec.summary && sc_import_jstr(items[i].entry, "description", &desc) == 0 && desc && *desc)
			rec.summary = desc;
		if (!json_is_object(rels)) {
			c->st->skipped++;
			sc_import_warn(c->st, "%s: %s: %s skipped: no releases object", c->what, rec.id, items[i].pkg);
			continue;
		}
		json_object_foreach((json_t *)rels, codename, rel) {
			if ((rc = deb_release(c, &items[i], codename, rel, &affs[na])) < 0)
				return rc;
			na += (size_t)rc;
		}
	}
	if (!na)
		return 0;
	qsort(affs, na, sizeof(*affs), deb_aff_cmp);
	rec.affected = affs;
	rec.n_affected = na;
	if ((rc = emit(ud, &rec)) != 0)
		return rc;
	c->st->records++;
	return 0;
}

int sc_import_debian_buf(const char *data, size_t len, const char *what, sc_vuln_emit_fn emit, void *ud,
			 sc_import_stats *st)
{
	sc_import_stats local;
	json_t *root = NULL, *pv, *cv;
	deb_item *items = NULL;
	size_t n = 0, cap = 0, i, j;
	const char *pkg, *id;
	sc_arena arena;
	deb_ctx c;
	int rc;

	memset(&local, 0, sizeof(local));
	if (!st)
		st = &local;
	sc_arena_init(&arena);
	c.what = what;
	c.st = st;
	c.a = &arena;
	if ((rc = sc_json_parse(&root, data, len, SC_IMPORT_MAX_DEBIAN, SC_JSON_MAX_DEPTH, what)) != 0)
		goto out;
	if (!json_is_object(root)) {
		rc = sc_error_set(SC_EINPUT, "%s: not a Debian security tracker document (no top-level object)",
				  what);
		goto out;
	}
	/* Pass 1: every (id, package) pair. */
	json_object_foreach(root, pkg, pv) {
		if (!json_is_object(pv) || !sc_import_name_ok(pkg)) {
			st->skipped++;
			sc_import_warn(st, "%s: package '%.80s' skipped: %s", what, pkg,
				       json_is_object(pv) ? "malformed name" : "value is not an object");
			continue;
		}
		json_object_foreach(pv, id, cv) {
			if (!json_is_object(cv)) {
				st->skipped++;
				sc_import_warn(st, "%s: %.80s: %s skipped: value is not an object", what, id, pkg);
				continue;
			}
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 4096;
				deb_item *ni = sc_reallocarray(items, ncap, sizeof(*ni));

				if (!ni) {
					rc = SC_ENOMEM;
					goto out;
				}
				items = ni;
				cap = ncap;
			}
			items[n].id = id;
			items[n].pkg = pkg;
			items[n].entry = cv;
			n++;
		}
	}
	/* Pass 2: sorted by id, one record per run of equal ids. */
	if (n)
		qsort(items, n, sizeof(*items), deb_item_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && strcmp(items[j].id, items[i].id) == 0; j++)
			;
		rc = deb_group(&c, items + i, j - i, emit, ud);
		sc_arena_release(&arena);
		if (rc)
			goto out;
	}
out:
	sc_arena_release(&arena);
	free(items);
	json_decref(root);
	sc_import_stats_release(&local);
	return rc;
}
