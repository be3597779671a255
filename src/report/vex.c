/*
 * vex.c - OpenVEX documents: parse, and apply their statements to
 * findings (report.h).
 *
 * Spec: OpenVEX 0.2.0, https://github.com/openvex/spec/blob/main/OPENVEX-SPEC.md
 * (also the v0.0.1 layout: "vulnerability" as a string, "products" as
 * purl strings, statement-level "subcomponents").
 *
 * Parsing is bounded (16 MiB, nesting depth 64) and strict where the spec
 * is: @context must be an openvex.dev namespace, statuses and
 * justifications must be the spec's names, a not_affected statement needs
 * a justification or an impact_statement, timestamps must be RFC 3339.
 * Errors name the statement ("statements[3]: ...").
 *
 * Matching (docs/scan.md, "VEX"):
 *   vulnerability  the statement's name or one of its aliases equals the
 *                  finding's id or one of the finding's aliases (exact);
 *   product        a purl equal to the package's in type, namespace, name
 *                  and (when given) version; qualifiers only count when
 *                  the VEX purl has some, and then each must be present
 *                  with the same value; or the image itself (its purl
 *                  compared without qualifiers, its name, or its
 *                  "sha256:" digest): with no subcomponents that is every
 *                  package of the image, with subcomponents one of them
 *                  must match the package as above.
 * The statement that wins for a finding is the latest matching one by
 * timestamp (a statement without one inherits the document's), then by
 * document order.  Lookups go through a sorted index of vulnerability
 * names, so applying costs about (findings x aliases x log statements).
 *
 * Purls are split here by a small internal parser (enough for matching:
 * percent-decoding and the per-type case rules of PURL-TYPES.rst); it is
 * not a general purl validator.
 */
#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "report/report.h"
#include "report/util.h"
#include "sbom/sbom.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VEX_MAX_BYTES (16u << 20)
#define VEX_MAX_DEPTH 64

typedef struct vex_purl {
	char *type, *ns, *name, *version; /* decoded and normalised; ns/version NULL when absent */
	char **qk, **qv;                  /* qualifiers, decoded, keys lowercased */
	size_t n_q;
} vex_purl;

typedef struct vex_ident {
	const char *id;  /* @id, or the legacy string; may be NULL */
	vex_purl *purl;  /* identifiers.purl, else @id when it is a purl; or NULL */
} vex_ident;

typedef struct vex_product {
	vex_ident self;
	vex_ident *subs;
	size_t n_subs;
} vex_product;

typedef struct vex_stmt {
	size_t index; /* position in the document */
	size_t rank;  /* position by (timestamp, index): higher wins */
	long long ts;
	long ts_ns;
	const char *status, *justification, *statement;
	vex_product *products;
	size_t n_products;
} vex_stmt;

typedef struct vex_name {
	const char *name;
	size_t stmt;
	size_t rank; /* the statement's, copied so the sort needs no context */
} vex_name;

struct sc_vex {
	json_t *root; /* every const char * below points into it */
	sc_arena arena;
	const char *id;
	vex_stmt *stmts;
	size_t n_stmts;
	vex_name *names; /* sorted by name, then statement rank */
	size_t n_names, cap_names;
};

static const char *const statuses[] = { "not_affected", "affected", "fixed", "under_investigation" };
static const char *const justifications[] = {
	"component_not_present",
	"vulnerable_code_not_present",
	"vulnerable_code_not_in_execute_path",
	"vulnerable_code_cannot_be_controlled_by_adversary",
	"inline_mitigations_already_exist",
};

static int in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* ---------------------------------------------------------------- purls */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode [s, s+n) into the arena: 0, 1 on a bad escape or %00, or SC_ENOMEM. */
static int pct_decode(sc_arena *a, const char *s, size_t n, char **out)
{
	char *buf = sc_arena_alloc(a, n + 1), *o = buf;
	size_t i;

	if (!buf)
		return SC_ENOMEM;
	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= n || (hi = hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)s[i + 2])) < 0 || (hi == 0 && lo == 0))
				return 1;
			*o++ = (char)(hi * 16 + lo);
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	*out = buf;
	return 0;
}

static void lower(char *s)
{
	for (; s && *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* PURL-TYPES.rst case rules, plus PEP 503 names for pypi. */
static void normalise(vex_purl *p)
{
	static const char *const lower_both[] = { "deb", "apk", "alpm", "npm", "oci", "github", "bitbucket",
						  "composer", "hex", "pub" };
	char *r, *w;

	lower(p->type);
	if (strcmp(p->type, "pypi") == 0) {
		lower(p->name);
		for (r = w = p->name; *r; r++) {
			if (*r == '-' || *r == '_' || *r == '.') {
				if (w == p->name || w[-1] != '-')
					*w++ = '-';
			} else {
				*w++ = *r;
			}
		}
		*w = '\0';
	} else if (in_list(p->type, lower_both, sizeof(lower_both) / sizeof(lower_both[0]))) {
		lower(p->ns);
		lower(p->name);
	} else if (strcmp(p->type, "rpm") == 0) {
		lower(p->ns);
	}
}

/*
 * Split "pkg:type/namespace/name@version?qualifiers#subpath" (subpath
 * ignored) into *out, allocated in the arena.  Returns 0, 1 when s is not
 * a purl, or SC_ENOMEM.
 */
static int purl_split(sc_arena *a, const char *s, vex_purl **out)
{
	const char *end, *q, *at, *slash, *t;
	vex_purl *p;
	size_t n_q = 0, k;
	int rc;

	if (strncasecmp(s, "pkg:", 4) != 0)
		return 1;
	s += 4;
	while (*s == '/')
		s++;
	end = s + strcspn(s, "#");
	q = memchr(s, '?', (size_t)(end - s));
	if (!q)
		q = end;
	t = memchr(s, '/', (size_t)(q - s));
	if (!t || t == s)
		return 1;
	if (!(p = sc_arena_alloc(a, sizeof(*p))))
		return SC_ENOMEM;
	memset(p, 0, sizeof(*p));
	if ((rc = pct_decode(a, s, (size_t)(t - s), &p->type)) != 0)
		return rc;
	s = t + 1;
	while (s < q && *s == '/')
		s++;
	/* The version is after the last '@' (an npm scope's '@' is encoded). */
	at = NULL;
	for (t = s; t < q; t++)
		if (*t == '@')
			at = t;
	if (at) {
		if (at + 1 == q)
			return 1;
		if ((rc = pct_decode(a, at + 1, (size_t)(q - at - 1), &p->version)) != 0)
			return rc;
	} else {
		at = q;
	}
	while (at > s && at[-1] == '/')
		at--;
	slash = NULL;
	for (t = s; t < at; t++)
		if (*t == '/')
			slash = t;
	if (slash) {
		if ((rc = pct_decode(a, s, (size_t)(slash - s), &p->ns)) != 0 ||
		    (rc = pct_decode(a, slash + 1, (size_t)(at - slash - 1), &p->name)) != 0)
			return rc;
	} else if ((rc = pct_decode(a, s, (size_t)(at - s), &p->name)) != 0) {
		return rc;
	}
	if (!*p->name || !*p->type)
		return 1;
	if (p->ns && !*p->ns)
		p->ns = NULL;
	if (q < end) {
		const char *r = q + 1;

		for (t = r; t < end; t++)
			n_q += *t == '&';
		n_q++;
		p->qk = sc_arena_alloc(a, n_q * sizeof(char *));
		p->qv = sc_arena_alloc(a, n_q * sizeof(char *));
		if (!p->qk || !p->qv)
			return SC_ENOMEM;
		for (k = 0; r < end;) {
			const char *amp = memchr(r, '&', (size_t)(end - r)), *eq;

			if (!amp)
				amp = end;
			eq = memchr(r, '=', (size_t)(amp - r));
			if (eq && eq > r) {
				if ((rc = pct_decode(a, r, (size_t)(eq - r), &p->qk[k])) != 0 ||
				    (rc = pct_decode(a, eq + 1, (size_t)(amp - eq - 1), &p->qv[k])) != 0)
					return rc;
				lower(p->qk[k]);
				k++;
			} else if (amp > r) {
				return 1;
			}
			r = amp + (amp < end);
		}
		p->n_q = k;
	}
	normalise(p);
	*out = p;
	return 0;
}

static int opt_eq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static const char *qual(const vex_purl *p, const char *key)
{
	size_t i;

	for (i = 0; i < p->n_q; i++)
		if (strcmp(p->qk[i], key) == 0)
			return p->qv[i];
	return NULL;
}

/* Does VEX purl v name package purl p?  Qualifiers of v are honoured when `quals`. */
static int purl_match(const vex_purl *v, const vex_purl *p, int quals)
{
	size_t i;

	if (strcmp(v->type, p->type) != 0 || !opt_eq(v->ns, p->ns) || strcmp(v->name, p->name) != 0)
		return 0;
	if (v->version && !opt_eq(v->version, p->version))
		return 0;
	for (i = 0; quals && i < v->n_q; i++) {
		const char *pv = qual(p, v->qk[i]);

		if (!pv || strcmp(pv, v->qv[i]) != 0)
			return 0;
	}
	return 1;
}

/* ---------------------------------------------------------------- parse */

typedef struct parse_ctx {
	sc_vex *v;
	const char *what;
} parse_ctx;

#define WHAT_LEN 1024

/* "<what>: <JSON path>" for messages, e.g. "vex.json: statements[3].products[0]". */
static void at(char out[WHAT_LEN], const parse_ctx *pc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void at(char out[WHAT_LEN], const parse_ctx *pc, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(out, WHAT_LEN, "%.400s: ", pc->what);

	va_start(ap, fmt);
	vsnprintf(out + n, WHAT_LEN - (size_t)n, fmt, ap);
	va_end(ap);
}

static int add_name(sc_vex *v, const char *name, size_t stmt)
{
	if (!*name)
		return 0;
	if (v->n_names == v->cap_names) {
		size_t ncap = v->cap_names ? v->cap_names * 2 : 64;
		vex_name *nn = sc_reallocarray(v->names, ncap, sizeof(*nn));

		if (!nn)
			return SC_ENOMEM;
		v->names = nn;
		v->cap_names = ncap;
	}
	v->names[v->n_names].name = name;
	v->names[v->n_names].stmt = stmt;
	v->n_names++;
	return 0;
}

/* A string array element, without embedded NULs. */
static const char *elem_str(const json_t *j)
{
	if (!json_is_string(j) || strlen(json_string_value(j)) != json_string_length(j))
		return NULL;
	return json_string_value(j);
}

/* A product or subcomponent: a purl string (legacy), or {@id, identifiers: {purl}}. */
static int parse_ident(parse_ctx *pc, const json_t *j, vex_ident *out, const char *what)
{
	const char *id = NULL, *purl = NULL;
	json_t *idents = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (json_is_string(j)) {
		if (!(id = elem_str(j)))
			return sc_error_set(SC_EINPUT, "%s contains a NUL character", what);
	} else if (json_is_object(j)) {
		if ((rc = sc_json_get_str(j, "@id", 0, &id, what)) != 0 ||
		    (rc = sc_json_get_obj(j, "identifiers", 0, &idents, what)) != 0 ||
		    (idents && (rc = sc_json_get_str(idents, "purl", 0, &purl, what)) != 0))
			return rc;
	} else {
		return sc_error_set(SC_EINPUT, "%s is neither a string nor an object", what);
	}
	if (!id && !purl)
		return sc_error_set(SC_EINPUT, "%s has neither an @id nor identifiers.purl", what);
	out->id = id;
	if (!purl && strncasecmp(id, "pkg:", 4) == 0)
		purl = id;
	if (purl && (rc = purl_split(&pc->v->arena, purl, &out->purl)) != 0)
		return rc < 0 ? rc : sc_error_set(SC_EINPUT, "%s: malformed purl '%.200s'", what, purl);
	return 0;
}

static int parse_idents(parse_ctx *pc, const json_t *arr, vex_ident **out, size_t *n_out, const char *path)
{
	size_t i, n = json_array_size(arr);
	vex_ident *ids;
	char what[WHAT_LEN];
	int rc;

	*out = NULL;
	*n_out = 0;
	if (!n)
		return 0;
	if (!(ids = sc_arena_alloc(&pc->v->arena, n * sizeof(*ids))))
		return SC_ENOMEM;
	for (i = 0; i < n; i++) {
		at(what, pc, "%s[%zu]", path, i);
		if ((rc = parse_ident(pc, json_array_get(arr, i), &ids[i], what)) != 0)
			return rc;
	}
	*out = ids;
	*n_out = n;
	return 0;
}

/* vulnerability: {name, @id?, aliases?} or (v0.0.1) a string; its names go into the index. */
static int parse_vuln(parse_ctx *pc, const json_t *js, size_t si)
{
	json_t *vuln = json_object_get(js, "vulnerability"), *aliases = NULL;
	const char *name = NULL;
	char what[WHAT_LEN];
	size_t i;
	int rc;

	at(what, pc, "statements[%zu].vulnerability", si);
	if (!vuln || json_is_null(vuln))
		return sc_error_set(SC_EINPUT, "%s is missing", what);
	if (json_is_string(vuln)) {
		if (!(name = elem_str(vuln)))
			return sc_error_set(SC_EINPUT, "%s contains a NUL character", what);
	} else if (json_is_object(vuln)) {
		if ((rc = sc_json_get_str(vuln, "name", 1, &name, what)) != 0 ||
		    (rc = sc_json_get_arr(vuln, "aliases", 0, &aliases, what)) != 0)
			return rc;
	} else {
		return sc_error_set(SC_EINPUT, "%s is neither a string nor an object", what);
	}
	if (!*name)
		return sc_error_set(SC_EINPUT, "%s: empty name", what);
	if ((rc = add_name(pc->v, name, si)) != 0)
		return rc;
	for (i = 0; i < json_array_size(aliases); i++) {
		const char *a = elem_str(json_array_get(aliases, i));

		if (!a)
			return sc_error_set(SC_EINPUT, "%s.aliases[%zu] is not a string", what, i);
		if ((rc = add_name(pc->v, a, si)) != 0)
			return rc;
	}
	return 0;
}

static int parse_products(parse_ctx *pc, const json_t *js, vex_stmt *st, size_t si)
{
	json_t *prods = NULL, *legacy_subs = NULL;
	vex_ident *lsubs = NULL;
	size_t n_lsubs = 0, i;
	char what[WHAT_LEN], path[128];
	int rc;

	at(what, pc, "statements[%zu]", si);
	if ((rc = sc_json_get_arr(js, "products", 0, &prods, what)) != 0 ||
	    (rc = sc_json_get_arr(js, "subcomponents", 0, &legacy_subs, what)) != 0)
		return rc;
	if (!json_array_size(prods))
		return sc_error_set(SC_EINPUT, "%s: no products", what);
	snprintf(path, sizeof(path), "statements[%zu].subcomponents", si);
	if ((rc = parse_idents(pc, legacy_subs, &lsubs, &n_lsubs, path)) != 0)
		return rc;
	st->n_products = json_array_size(prods);
	if (!(st->products = sc_arena_alloc(&pc->v->arena, st->n_products * sizeof(*st->products))))
		return SC_ENOMEM;
	for (i = 0; i < st->n_products; i++) {
		vex_product *p = &st->products[i];
		json_t *jp = json_array_get(prods, i), *subs = NULL;

		memset(p, 0, sizeof(*p));
		at(what, pc, "statements[%zu].products[%zu]", si, i);
		if ((rc = parse_ident(pc, jp, &p->self, what)) != 0)
			return rc;
		if (json_is_object(jp)) {
			if ((rc = sc_json_get_arr(jp, "subcomponents", 0, &subs, what)) != 0)
				return rc;
			snprintf(path, sizeof(path), "statements[%zu].products[%zu].subcomponents", si, i);
			if ((rc = parse_idents(pc, subs, &p->subs, &p->n_subs, path)) != 0)
				return rc;
		}
		if (!p->n_subs) {
			p->subs = lsubs;
			p->n_subs = n_lsubs;
		}
	}
	return 0;
}

static int parse_statement(parse_ctx *pc, const json_t *js, size_t si, vex_stmt *st, long long doc_ts,
			   long doc_ns)
{
	const char *ts = NULL, *impact = NULL, *action = NULL, *notes = NULL;
	char what[WHAT_LEN];
	int rc;

	at(what, pc, "statements[%zu]", si);
	if (!json_is_object(js))
		return sc_error_set(SC_EINPUT, "%s is not an object", what);
	st->index = si;
	if ((rc = parse_vuln(pc, js, si)) != 0 || (rc = parse_products(pc, js, st, si)) != 0)
		return rc;
	if ((rc = sc_json_get_str(js, "status", 1, &st->status, what)) != 0 ||
	    (rc = sc_json_get_str(js, "justification", 0, &st->justification, what)) != 0 ||
	    (rc = sc_json_get_str(js, "impact_statement", 0, &impact, what)) != 0 ||
	    (rc = sc_json_get_str(js, "action_statement", 0, &action, what)) != 0 ||
	    (rc = sc_json_get_str(js, "status_notes", 0, &notes, what)) != 0 ||
	    (rc = sc_json_get_str(js, "timestamp", 0, &ts, what)) != 0)
		return rc;
	if (!in_list(st->status, statuses, sizeof(statuses) / sizeof(statuses[0])))
		return sc_error_set(SC_EINPUT,
				    "%s: unknown status '%.64s' (not_affected, affected, fixed, under_investigation)",
				    what, st->status);
	if (st->justification &&
	    !in_list(st->justification, justifications, sizeof(justifications) / sizeof(justifications[0])))
		return sc_error_set(SC_EINPUT, "%s: unknown justification '%.64s'", what, st->justification);
	if (strcmp(st->status, "not_affected") == 0 && !st->justification && !impact)
		return sc_error_set(SC_EINPUT, "%s: not_affected needs a justification or an impact_statement", what);
	if (strcmp(st->status, "not_affected") == 0)
		st->statement = impact ? impact : action ? action : notes;
	else if (strcmp(st->status, "affected") == 0)
		st->statement = action ? action : impact ? impact : notes;
	else
		st->statement = notes ? notes : impact ? impact : action;
	st->ts = doc_ts;
	st->ts_ns = doc_ns;
	if (ts && sc_rp_rfc3339(ts, &st->ts, &st->ts_ns) != 0)
		return sc_error_set(SC_EINPUT, "%s: timestamp '%.64s' is not RFC 3339", what, ts);
	return 0;
}

static int stmt_time_cmp(const void *pa, const void *pb)
{
	const vex_stmt *a = *(vex_stmt *const *)pa, *b = *(vex_stmt *const *)pb;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (a->ts_ns != b->ts_ns)
		return a->ts_ns < b->ts_ns ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

static int name_cmp(const void *pa, const void *pb)
{
	const vex_name *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	if (c)
		return c;
	return a->rank < b->rank ? -1 : a->rank > b->rank;
}

void sc_vex_free(sc_vex *v)
{
	if (!v)
		return;
	json_decref(v->root);
	sc_arena_release(&v->arena);
	free(v->stmts);
	free(v->names);
	free(v);
}

int sc_vex_parse(sc_vex **out, const char *data, size_t len, const char *what)
{
	sc_vex *v;
	json_t *stmts = NULL;
	const char *ctxs = NULL, *ts = NULL, *author = NULL;
	vex_stmt **order = NULL;
	long long doc_ts = 0;
	long doc_ns = 0;
	parse_ctx pc;
	size_t i;
	int rc;

	if (!what)
		what = "VEX document";
	if (!(v = sc_calloc(1, sizeof(*v))))
		return SC_ENOMEM;
	sc_arena_init(&v->arena);
	pc.v = v;
	pc.what = what;
	if ((rc = sc_json_parse(&v->root, data, len, VEX_MAX_BYTES, VEX_MAX_DEPTH, what)) != 0)
		goto out;
	if (!json_is_object(v->root)) {
		rc = sc_error_set(SC_EINPUT, "%s: not a JSON object", what);
		goto out;
	}
	if ((rc = sc_json_get_str(v->root, "@context", 1, &ctxs, what)) != 0)
		goto out;
	if (strncmp(ctxs, "https://openvex.dev/ns", 22) != 0 && strncmp(ctxs, "http://openvex.dev/ns", 21) != 0) {
		rc = sc_error_set(SC_EINPUT, "%s: @context '%.100s' is not an OpenVEX namespace (https://openvex.dev/ns)",
				  what, ctxs);
		goto out;
	}
	if ((rc = sc_json_get_str(v->root, "@id", 0, &v->id, what)) != 0 ||
	    (rc = sc_json_get_str(v->root, "author", 0, &author, what)) != 0 ||
	    (rc = sc_json_get_str(v->root, "timestamp", 0, &ts, what)) != 0 ||
	    (rc = sc_json_get_arr(v->root, "statements", 1, &stmts, what)) != 0)
		goto out;
	if (ts && sc_rp_rfc3339(ts, &doc_ts, &doc_ns) != 0) {
		rc = sc_error_set(SC_EINPUT, "%s: timestamp '%.64s' is not RFC 3339", what, ts);
		goto out;
	}
	v->n_stmts = json_array_size(stmts);
	if (v->n_stmts && !(v->stmts = sc_calloc(v->n_stmts, sizeof(*v->stmts)))) {
		rc = SC_ENOMEM;
		goto out;
	}
	for (i = 0; i < v->n_stmts; i++) {
		if ((rc = parse_statement(&pc, json_array_get(stmts, i), i, &v->stmts[i], doc_ts, doc_ns)) != 0)
			goto out;
	}
	/* Rank statements by (timestamp, document order). */
	if (v->n_stmts) {
		if (!(order = sc_calloc(v->n_stmts, sizeof(*order)))) {
			rc = SC_ENOMEM;
			goto out;
		}
		for (i = 0; i < v->n_stmts; i++)
			order[i] = &v->stmts[i];
		qsort(order, v->n_stmts, sizeof(*order), stmt_time_cmp);
		for (i = 0; i < v->n_stmts; i++)
			order[i]->rank = i;
	}
	for (i = 0; i < v->n_names; i++)
		v->names[i].rank = v->stmts[v->names[i].stmt].rank;
	if (v->n_names)
		qsort(v->names, v->n_names, sizeof(*v->names), name_cmp);
out:
	free(order);
	if (rc) {
		sc_vex_free(v);
		return rc;
	}
	*out = v;
	return 0;
}

/* ---------------------------------------------------------------- apply */

typedef struct apply_ctx {
	const sc_vex *v;
	const sc_report_ctx *ctx;
	sc_arena arena;      /* package purls parsed during this call */
	vex_purl **pkg_purl; /* per catalog package, parsed lazily */
	unsigned char *pkg_tried;
	vex_purl *target;    /* the image's purl, or NULL */
	int err;             /* SC_ENOMEM while parsing a package purl */
} apply_ctx;

static const vex_purl *package_purl(apply_ctx *ac, long pkg)
{
	const sc_report_ctx *ctx = ac->ctx;
	char *made = NULL;
	const char *s;
	int rc;

	if (!ctx->cat || pkg < 0 || (size_t)pkg >= ctx->cat->n_pkgs)
		return NULL;
	if (ac->pkg_tried[pkg])
		return ac->pkg_purl[pkg];
	ac->pkg_tried[pkg] = 1;
	s = ctx->purls ? ctx->purls[pkg] : NULL;
	if (!s && !(s = made = sc_purl_package(&ctx->cat->pkgs[pkg], &ctx->cat->os)))
		ac->err = SC_ENOMEM;
	if (s && (rc = purl_split(&ac->arena, s, &ac->pkg_purl[pkg])) != 0) {
		ac->pkg_purl[pkg] = NULL;
		if (rc < 0)
			ac->err = rc;
	}
	free(made);
	return ac->pkg_purl[pkg];
}

static int ident_is_image(const apply_ctx *ac, const vex_ident *id)
{
	const sc_report_ctx *ctx = ac->ctx;

	if (id->id && ((ctx->target && strcmp(id->id, ctx->target) == 0) ||
		       (ctx->target_digest && strcmp(id->id, ctx->target_digest) == 0) ||
		       (ctx->target_purl && strcmp(id->id, ctx->target_purl) == 0)))
		return 1;
	return id->purl && ac->target && purl_match(id->purl, ac->target, 0);
}

static int ident_is_package(const vex_ident *id, const vex_purl *pp)
{
	return id->purl && pp && purl_match(id->purl, pp, 1);
}

static int statement_applies(apply_ctx *ac, const vex_stmt *st, const sc_finding *f)
{
	const vex_purl *pp = f->pkg >= 0 ? package_purl(ac, f->pkg) : NULL;
	size_t i, k;

	for (i = 0; i < st->n_products; i++) {
		const vex_product *p = &st->products[i];

		if (ident_is_package(&p->self, pp))
			return 1;
		if (!ident_is_image(ac, &p->self))
			continue;
		if (!p->n_subs)
			return 1;
		for (k = 0; k < p->n_subs; k++)
			if (ident_is_package(&p->subs[k], pp))
				return 1;
	}
	return 0;
}

/* First index in v->names with name >= s. */
static size_t lower_bound(const sc_vex *v, const char *s)
{
	size_t lo = 0, hi = v->n_names;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(v->names[mid].name, s) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The winning statement among those naming `name` that apply to f, better than *best. */
static void consider(apply_ctx *ac, const char *name, const sc_finding *f, const vex_stmt **best)
{
	const sc_vex *v = ac->v;
	size_t i = lower_bound(v, name), end = i;

	while (end < v->n_names && strcmp(v->names[end].name, name) == 0)
		end++;
	/* Names are sorted by rank within a name: walk from the latest down. */
	while (end > i) {
		const vex_stmt *st = &v->stmts[v->names[--end].stmt];

		if (*best && (*best)->rank >= st->rank)
			return;
		if (statement_applies(ac, st, f)) {
			*best = st;
			return;
		}
	}
}

static int record(const sc_vex *v, const vex_stmt *st, sc_finding *f)
{
	sc_finding_vuln *fv = &f->vuln;
	char *s[4] = { NULL, NULL, NULL, NULL };
	const char *src[4] = { st->status, st->justification, st->statement, v->id };
	char **dst[4] = { &fv->vex_status, &fv->vex_justification, &fv->vex_statement, &fv->vex_document };
	size_t i;

	/* All copies first, so a failure leaves the finding as it was. */
	for (i = 0; i < 4; i++) {
		if (src[i] && !(s[i] = sc_strdup(src[i]))) {
			while (i-- > 0)
				free(s[i]);
			return SC_ENOMEM;
		}
	}
	for (i = 0; i < 4; i++) {
		free(*dst[i]);
		*dst[i] = s[i];
	}
	f->suppressed = strcmp(st->status, "not_affected") == 0 || strcmp(st->status, "fixed") == 0;
	return 0;
}

int sc_vex_apply(const sc_vex *v, const sc_report_ctx *ctx, sc_findings *fs, size_t *n_suppressed)
{
	apply_ctx ac;
	size_t n_pkgs = ctx->cat ? ctx->cat->n_pkgs : 0, i, k, newly = 0;
	int rc = 0;

	memset(&ac, 0, sizeof(ac));
	ac.v = v;
	ac.ctx = ctx;
	sc_arena_init(&ac.arena);
	ac.pkg_purl = sc_calloc(n_pkgs + 1, sizeof(*ac.pkg_purl));
	ac.pkg_tried = sc_calloc(n_pkgs + 1, 1);
	if (!ac.pkg_purl || !ac.pkg_tried) {
		rc = SC_ENOMEM;
		goto out;
	}
	if (ctx->target_purl && (rc = purl_split(&ac.arena, ctx->target_purl, &ac.target)) != 0) {
		ac.target = NULL;
		if (rc < 0)
			goto out;
		rc = 0; /* not a purl: the image is matched by name and digest only */
	}
	for (i = 0; i < fs->n && v->n_names; i++) {
		sc_finding *f = &fs->items[i];
		const vex_stmt *best = NULL;
		int was;

		if (!f->id)
			continue;
		consider(&ac, f->id, f, &best);
		for (k = 0; f->vuln.aliases && f->vuln.aliases[k]; k++)
			consider(&ac, f->vuln.aliases[k], f, &best);
		if ((rc = ac.err) != 0)
			goto out;
		if (!best)
			continue;
		was = f->suppressed;
		if ((rc = record(v, best, f)) != 0)
			goto out;
		newly += !was && f->suppressed;
	}
	if (n_suppressed)
		*n_suppressed = newly;
out:
	sc_arena_release(&ac.arena);
	free(ac.pkg_purl);
	free(ac.pkg_tried);
	return rc;
}
