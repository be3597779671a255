/*
 * import_alpine.c - Alpine secdb -> sc_vuln_record, one record per
 * advisory id.  Source: https://secdb.alpinelinux.org/ (v3.x/main.yaml,
 * community.yaml; the same document is also published as .json, which is
 * read too):
 *   distroversion: v3.11
 *   reponame: main
 *   packages:
 *     - pkg:
 *         name: apache2            (the origin, i.e. source, package)
 *         secfixes:
 *           2.4.41-r0:             (the first version with the fixes)
 *             - CVE-2019-9517
 *             - CVE-2017-12122 TALOS-2017-0488
 *           "0":                   (never affected)
 *             - CVE-2018-1000001
 *
 * Each (id, package, version) becomes an affected entry: ecosystem
 * "Alpine", release = distroversion, name = package, status AFFECTED, one
 * ECOSYSTEM range introduced "0" fixed <version>; entries are grouped by
 * id across the packages of the file and emitted sorted by id, then
 * package, then version.  The version key "0" produces nothing.
 *
 * Fix lines are free text in practice.  Tokens are split on whitespace,
 * stripped of surrounding punctuation ("(", ")", ",", ";"), and kept when
 * they look like ids: "CVE-YYYY-NNNN..." (also "CVE_"; a suffix such as
 * "-1" or ".patch" after the number is cut: CVE-2017-17434-1 ->
 * CVE-2017-17434), or otherwise a letter, then [A-Za-z0-9], a '-', and
 * [A-Za-z0-9._-] with at least one digit after the '-' (XSA-201,
 * TALOS-2017-0488, GHSA-..., wnpa-sec-2017-18).  When a line names CVEs,
 * each CVE gets the entry and the line's other ids become its aliases;
 * otherwise every id on the line gets the entry.
 *
 * Whole-document errors (SC_EINPUT): not a mapping, no distroversion,
 * packages not a list.  Skipped with a warning (st->skipped): a package
 * without a name or with malformed secfixes, a version key that is not an
 * apk version (all its ids), a fix list that is not a list.  Dropped with
 * a warning (st->dropped): a fix line that is not a string or has no id.
 */
#include "vuln/import_priv.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/yaml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALP_TOKEN_MAX 128

typedef struct alp_item {
	const char *id;   /* arena */
	const char *pkg;  /* borrowed from the tree */
	const char *ver;
} alp_item;

typedef struct alp_alias {
	const char *id;
	const char *alias;
} alp_alias;

typedef struct alp_ctx {
	const char *what;
	sc_import_stats *st;
	sc_arena ids;     /* id strings, for the whole document */
	alp_item *items;
	size_t n, cap;
	alp_alias *aliases;
	size_t na, acap;
} alp_ctx;

static int is_alnum(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/*
 * Classify one whitespace-separated token (see the header comment): 2 for
 * a CVE id, 1 for another id, 0 for junk.  out receives the id.
 */
static int alp_token(const char *t, size_t n, char out[ALP_TOKEN_MAX + 1])
{
	size_t i, dash, digits;

	while (n && strchr("(,;[", t[0]))
		t++, n--;
	while (n && strchr("),;:.]", t[n - 1]))
		n--;
	if (n == 0 || n > ALP_TOKEN_MAX)
		return 0;
	if (n >= 13 && (t[0] == 'C' || t[0] == 'c') && (t[1] == 'V' || t[1] == 'v') &&
	    (t[2] == 'E' || t[2] == 'e') && (t[3] == '-' || t[3] == '_')) {
		for (i = 4; i < 8 && is_digit(t[i]); i++)
			;
		if (i == 8 && (t[8] == '-' || t[8] == '_')) {
			for (i = 9, digits = 0; i < n && is_digit(t[i]); i++)
				digits++;
			if (digits >= 4 && (i == n || !is_alnum(t[i]))) {
				memcpy(out, "CVE-", 4);
				memcpy(out + 4, t + 4, 4);
				out[8] = '-';
				memcpy(out + 9, t + 9, digits);
				out[9 + digits] = '\0';
				return 2;
			}
		}
	}
	if (!((t[0] >= 'a' && t[0] <= 'z') || (t[0] >= 'A' && t[0] <= 'Z')))
		return 0;
	for (i = 1; i < n && is_alnum(t[i]); i++)
		;
	if (i == n || t[i] != '-')
		return 0;
	dash = i;
	for (i = dash + 1, digits = 0; i < n; i++) {
		if (!is_alnum(t[i]) && t[i] != '.' && t[i] != '_' && t[i] != '-')
			return 0;
		digits += is_digit(t[i]);
	}
	if (!digits)
		return 0;
	memcpy(out, t, n);
	out[n] = '\0';
	return 1;
}

static int alp_push_item(alp_ctx *c, const char *id, const char *pkg, const char *ver)
{
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 1024;
		alp_item *ni = sc_reallocarray(c->items, ncap, sizeof(*ni));

		if (!ni)
			return SC_ENOMEM;
		c->items = ni;
		c->cap = ncap;
	}
	c->items[c->n].id = id;
	c->items[c->n].pkg = pkg;
	c->items[c->n].ver = ver;
	c->n++;
	return 0;
}

static int alp_push_alias(alp_ctx *c, const char *id, const char *alias)
{
	if (c->na == c->acap) {
		size_t ncap = c->acap ? c->acap * 2 : 256;
		alp_alias *na = sc_reallocarray(c->aliases, ncap, sizeof(*na));

		if (!na)
			return SC_ENOMEM;
		c->aliases = na;
		c->acap = ncap;
	}
	c->aliases[c->na].id = id;
	c->aliases[c->na].alias = alias;
	c->na++;
	return 0;
}

/* One fix line: its ids get (pkg, ver). */
static int alp_line(alp_ctx *c, const char *line, const char *pkg, const char *ver)
{
	const char *cves[64], *others[64];
	size_t ncve = 0, nother = 0, i, k;
	const char *p = line;
	int rc;

	while (*p) {
		char tok[ALP_TOKEN_MAX + 1];
		size_t n;
		int kind;
		char *s;

		p += strspn(p, " \t\r\n");
		n = strcspn(p, " \t\r\n");
		if (!n)
			break;
		kind = alp_token(p, n, tok);
		p += n;
		if (!kind || (kind == 2 ? ncve : nother) >= 64)
			continue;
		if (!(s = sc_arena_strdup(&c->ids, tok)))
			return SC_ENOMEM;
		if (kind == 2)
			cves[ncve++] = s;
		else
			others[nother++] = s;
	}
	if (!ncve && !nother) {
		c->st->dropped++;
		sc_import_warn(c->st, "%s: %s %s: fix line '%.80s' has no advisory id", c->what, pkg, ver, line);
		return 0;
	}
	if (!ncve) {
		for (i = 0; i < nother; i++)
			if ((rc = alp_push_item(c, others[i], pkg, ver)) != 0)
				return rc;
		return 0;
	}
	for (i = 0; i < ncve; i++) {
		if ((rc = alp_push_item(c, cves[i], pkg, ver)) != 0)
			return rc;
		for (k = 0; k < nother; k++)
			if ((rc = alp_push_alias(c, cves[i], others[k])) != 0)
				return rc;
	}
	return 0;
}

static int alp_package(alp_ctx *c, const json_t *item, size_t idx)
{
	const json_t *pkg = json_is_object(item) ? json_object_get(item, "pkg") : NULL;
	const char *name = NULL, *ver;
	json_t *secfixes, *list, *line;
	size_t i;
	int rc;

	if (!json_is_object(pkg) || sc_import_jstr(pkg, "name", &name) != 0 || !name ||
	    !sc_import_name_ok(name)) {
		c->st->skipped++;
		sc_import_warn(c->st, "%s: packages[%zu] skipped: no pkg.name", c->what, idx);
		return 0;
	}
	secfixes = json_object_get(pkg, "secfixes");
	if (!secfixes || json_is_null(secfixes))
		return 0;
	if (!json_is_object(secfixes)) {
		c->st->skipped++;
		sc_import_warn(c->st, "%s: %s skipped: secfixes is not a mapping", c->what, name);
		return 0;
	}
	json_object_foreach(secfixes, ver, list) {
		if (strcmp(ver, "0") == 0)
			continue;
		if (!sc_import_version_ok(ver) || !sc_version_valid(SC_VER_APK, ver)) {
			c->st->skipped++;
			sc_import_warn(c->st, "%s: %s: fixed version '%.80s' skipped: not an apk version", c->what,
				       name, ver);
			continue;
		}
		if (json_is_null(list) || (json_is_string(list) && json_string_length(list) == 0))
			continue;
		if (!json_is_array(list)) {
			c->st->skipped++;
			sc_import_warn(c->st, "%s: %s %s skipped: the fixes are not a list", c->what, name, ver);
			continue;
		}
		json_array_foreach(list, i, line) {
			if (!json_is_string(line) || strlen(json_string_value(line)) != json_string_length(line)) {
				c->st->dropped++;
				sc_import_warn(c->st, "%s: %s %s: fix line %zu is not a string", c->what, name, ver, i);
				continue;
			}
			if ((rc = alp_line(c, json_string_value(line), name, ver)) != 0)
				return rc;
		}
	}
	return 0;
}

static int alp_item_cmp(const void *a, const void *b)
{
	const alp_item *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	if (!c)
		c = strcmp(x->pkg, y->pkg);
	return c ? c : strcmp(x->ver, y->ver);
}

static int alp_alias_cmp(const void *a, const void *b)
{
	const alp_alias *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : strcmp(x->alias, y->alias);
}

/* Emit items [0, n) (one id, sorted, duplicates removed) with aliases [0, na). */
static int alp_emit(alp_ctx *c, const alp_item *items, size_t n, const alp_alias *al, size_t na,
		    const char *release, sc_vuln_emit_fn emit, void *ud)
{
	sc_vuln_record rec;
	sc_vuln_affected *affs = NULL;
	sc_vuln_range *ranges = NULL;
	sc_vuln_event *evs = NULL;
	const char **aliases = NULL;
	size_t i;
	int rc = 0;

	memset(&rec, 0, sizeof(rec));
	affs = sc_calloc(n, sizeof(*affs));
	ranges = sc_calloc(n, sizeof(*ranges));
	evs = sc_calloc(n, 2 * sizeof(*evs));
	aliases = na ? sc_calloc(na, sizeof(*aliases)) : NULL;
	if (!affs || !ranges || !evs || (na && !aliases)) {
		rc = SC_ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		evs[2 * i].kind = SC_EV_INTRODUCED;
		evs[2 * i].version = "0";
		evs[2 * i + 1].kind = SC_EV_FIXED;
		evs[2 * i + 1].version = items[i].ver;
		ranges[i].type = SC_RANGE_ECOSYSTEM;
		ranges[i].events = &evs[2 * i];
		ranges[i].n_events = 2;
		affs[i].ecosystem = "Alpine";
		affs[i].release = release;
		affs[i].name = items[i].pkg;
		affs[i].status = SC_VSTATUS_AFFECTED;
		affs[i].ranges = &ranges[i];
		affs[i].n_ranges = 1;
	}
	for (i = 0; i < na; i++)
		aliases[rec.n_aliases++] = al[i].alias;
	rec.id = items[0].id;
	rec.affected = affs;
	rec.n_affected = n;
	rec.aliases = aliases;
	if ((rc = emit(ud, &rec)) != 0)
		goto out;
	c->st->records++;
out:
	free(affs);
	free(ranges);
	free(evs);
	free(aliases);
	return rc;
}

/* Sort, drop duplicate items and aliases, and emit one record per id. */
static int alp_flush(alp_ctx *c, const char *release, sc_vuln_emit_fn emit, void *ud)
{
	size_t i, j, a = 0, a_end, u;
	int rc;

	if (c->n)
		qsort(c->items, c->n, sizeof(*c->items), alp_item_cmp);
	if (c->na)
		qsort(c->aliases, c->na, sizeof(*c->aliases), alp_alias_cmp);
	for (i = 0, u = 0; i < c->n; i++)
		if (!u || alp_item_cmp(&c->items[u - 1], &c->items[i]) != 0)
			c->items[u++] = c->items[i];
	c->n = u;
	for (i = 0, u = 0; i < c->na; i++)
		if (!u || alp_alias_cmp(&c->aliases[u - 1], &c->aliases[i]) != 0)
			c->aliases[u++] = c->aliases[i];
	c->na = u;
	for (i = 0; i < c->n; i = j) {
		for (j = i + 1; j < c->n && strcmp(c->items[j].id, c->items[i].id) == 0; j++)
			;
		while (a < c->na && strcmp(c->aliases[a].id, c->items[i].id) < 0)
			a++;
		for (a_end = a; a_end < c->na && strcmp(c->aliases[a_end].id, c->items[i].id) == 0; a_end++)
			;
		if ((rc = alp_emit(c, c->items + i, j - i, c->aliases + a, a_end - a, release, emit, ud)) != 0)
			return rc;
		a = a_end;
	}
	return 0;
}

int sc_import_alpine_buf_src(const char *data, size_t len, const char *what, sc_vuln_emit_fn emit,
			     void *ud, sc_import_stats *st, char **source_out)
{
	sc_import_stats local;
	json_t *root = NULL, *pkgs, *it;
	const char *dv = NULL, *repo = NULL;
	size_t i = 0;
	alp_ctx c;
	int rc;

	memset(&local, 0, sizeof(local));
	memset(&c, 0, sizeof(c));
	if (!st)
		st = &local;
	c.what = what;
	c.st = st;
	sc_arena_init(&c.ids);
	while (i < len && strchr(" \t\r\n", data[i]))
		i++;
	if (i < len && data[i] == '{')
		rc = sc_json_parse(&root, data, len, SC_IMPORT_MAX_FILE, SC_JSON_MAX_DEPTH, what);
	else
		rc = sc_yaml_parse(&root, data, len, SC_IMPORT_MAX_FILE, SC_YAML_STRINGS, what);
	if (rc)
		goto out;
	if (!json_is_object(root)) {
		rc = sc_error_set(SC_EINPUT, "%s: not an Alpine secdb document (no top-level mapping)", what);
		goto out;
	}
	if (sc_import_jstr(root, "distroversion", &dv) != 0 || !dv || !sc_import_id_ok(dv)) {
		rc = sc_error_set(SC_EINPUT, "%s: not an Alpine secdb document (no distroversion)", what);
		goto out;
	}
	if (sc_import_jstr(root, "reponame", &repo) != 0 || (repo && !sc_import_id_ok(repo)))
		repo = NULL;
	pkgs = json_object_get(root, "packages");
	if (pkgs && !json_is_null(pkgs) && !json_is_array(pkgs)) {
		rc = sc_error_set(SC_EINPUT, "%s: packages is not a list", what);
		goto out;
	}
	json_array_foreach(pkgs, i, it) {
		if ((rc = alp_package(&c, it, i)) != 0)
			goto out;
	}
	if ((rc = alp_flush(&c, dv, emit, ud)) != 0)
		goto out;
	if (source_out) {
		char *s = NULL;

		if (asprintf(&s, "alpine:%s%s%s", dv, repo ? "/" : "", repo ? repo : "") < 0) {
			rc = sc_error_set(SC_ENOMEM, "out of memory");
			goto out;
		}
		*source_out = s;
	}
out:
	free(c.items);
	free(c.aliases);
	sc_arena_release(&c.ids);
	json_decref(root);
	sc_import_stats_release(&local);
	return rc;
}

int sc_import_alpine_buf(const char *data, size_t len, const char *what, sc_vuln_emit_fn emit, void *ud,
			 sc_import_stats *st)
{
	return sc_import_alpine_buf_src(data, len, what, emit, ud, st, NULL);
}
