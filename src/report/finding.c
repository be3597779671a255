/*
 * finding.c - the finding model (finding.h): level names, the findings
 * list and its deterministic order.
 *
 * Level names follow the usual vulnerability scales: OSV/GHSA
 * ("moderate"), Red Hat ("important"), Debian ("unimportant" is mapped to
 * negligible by the matcher, not here).  No spec beyond that.
 */
#include "report/finding.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const level_names[] = {
	[SC_LEVEL_UNKNOWN] = "unknown", [SC_LEVEL_NEGLIGIBLE] = "negligible", [SC_LEVEL_LOW] = "low",
	[SC_LEVEL_MEDIUM] = "medium",   [SC_LEVEL_HIGH] = "high",             [SC_LEVEL_CRITICAL] = "critical",
};

const char *sc_level_name(sc_level l)
{
	if ((int)l < 0 || (size_t)l >= sizeof(level_names) / sizeof(level_names[0]))
		return "unknown";
	return level_names[l];
}

int sc_level_parse(const char *s)
{
	static const struct {
		const char *name;
		sc_level level;
	} names[] = {
		{ "unknown", SC_LEVEL_UNKNOWN }, { "negligible", SC_LEVEL_NEGLIGIBLE }, { "low", SC_LEVEL_LOW },
		{ "medium", SC_LEVEL_MEDIUM },   { "moderate", SC_LEVEL_MEDIUM },       { "high", SC_LEVEL_HIGH },
		{ "important", SC_LEVEL_HIGH },  { "critical", SC_LEVEL_CRITICAL },
		/* Debian tracker urgency for flaws it does not consider security bugs. */
		{ "unimportant", SC_LEVEL_NEGLIGIBLE },
		/* Audit rules' lowest level. */
		{ "info", SC_LEVEL_NEGLIGIBLE },
	};
	size_t i;

	if (!s)
		return -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i].name) == 0)
			return (int)names[i].level;
	return -1;
}

void sc_findings_init(sc_findings *f)
{
	memset(f, 0, sizeof(*f));
}

static void finding_release(sc_finding *x)
{
	sc_finding_vuln *v = &x->vuln;

	free(x->kind);
	free(x->id);
	free(x->title);
	free(x->description);
	free(x->remediation);
	free(x->path);
	sc_strv_free(v->aliases);
	free(v->status);
	sc_strv_free(v->fixed_in);
	free(v->source);
	free(v->ecosystem);
	free(v->matched_name);
	free(v->matched_version);
	free(v->severity_source);
	free(v->cvss_vector);
	sc_strv_free(v->references);
	free(v->published);
	free(v->modified);
	free(v->vex_status);
	free(v->vex_justification);
	free(v->vex_statement);
	free(v->vex_document);
}

void sc_findings_release(sc_findings *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++)
		finding_release(&f->items[i]);
	free(f->items);
	sc_findings_init(f);
}

int sc_findings_add(sc_findings *f, sc_finding **out)
{
	sc_finding *x;

	if (f->n == f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 16;
		sc_finding *ni;

		if (ncap < f->cap)
			return sc_error_set(SC_ELIMIT, "too many findings");
		ni = sc_reallocarray(f->items, ncap, sizeof(*ni));
		if (!ni)
			return SC_ENOMEM;
		f->items = ni;
		f->cap = ncap;
	}
	x = &f->items[f->n++];
	memset(x, 0, sizeof(*x));
	x->pkg = -1;
	x->vuln.cvss_score = -1;
	*out = x;
	return 0;
}

typedef struct sort_key {
	const sc_finding *f;
	const char *name; /* package name, "" when none */
	size_t index;     /* position before sorting: makes the order total */
} sort_key;

static int nullcmp(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int key_cmp(const void *pa, const void *pb)
{
	const sort_key *a = pa, *b = pb;
	int c;

	if (a->f->level != b->f->level)
		return a->f->level > b->f->level ? -1 : 1;
	if ((c = strcmp(a->name, b->name)) != 0)
		return c;
	if ((c = nullcmp(a->f->id, b->f->id)) != 0)
		return c;
	if ((c = nullcmp(a->f->path, b->f->path)) != 0)
		return c;
	/* Same name twice (two installs of one package): catalog order, which is sorted. */
	if (a->f->pkg != b->f->pkg)
		return a->f->pkg < b->f->pkg ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

/*
 * qsort is not stable and has no context argument: sort keys that carry
 * the looked-up name and the original position, then permute.  On
 * allocation failure the list is left as it was.
 */
void sc_findings_sort(sc_findings *f, const char *(*pkg_name)(const void *ctx, long pkg), const void *ctx)
{
	sort_key *keys;
	sc_finding *sorted;
	size_t i;

	if (!f || f->n < 2)
		return;
	keys = calloc(f->n, sizeof(*keys));
	sorted = calloc(f->n, sizeof(*sorted));
	if (!keys || !sorted)
		goto out;
	for (i = 0; i < f->n; i++) {
		const char *name = NULL;

		if (pkg_name && f->items[i].pkg >= 0)
			name = pkg_name(ctx, f->items[i].pkg);
		keys[i].f = &f->items[i];
		keys[i].name = name ? name : "";
		keys[i].index = i;
	}
	qsort(keys, f->n, sizeof(*keys), key_cmp);
	for (i = 0; i < f->n; i++)
		sorted[i] = *keys[i].f;
	memcpy(f->items, sorted, f->n * sizeof(*sorted));
out:
	free(keys);
	free(sorted);
}
