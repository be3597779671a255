/*
 * walk_record.h - an emit callback for the importer harnesses that reads
 * every field of a record (so that a dangling or unterminated string shows
 * under ASan) and checks the model's invariants.
 */
#ifndef SC_FUZZ_WALK_RECORD_H
#define SC_FUZZ_WALK_RECORD_H

#include "vuln/record.h"

#include <stdlib.h>
#include <string.h>

static size_t fz_sink;

static inline void fz_str(const char *s, int required)
{
	if (!s) {
		if (required)
			abort();
		return;
	}
	fz_sink += strlen(s);
}

static inline int fz_walk_record(void *ud, const sc_vuln_record *r)
{
	size_t i, k, e;

	(void)ud;
	fz_str(r->id, 1);
	if (!r->id[0])
		abort();
	fz_str(r->summary, 0);
	fz_str(r->details, 0);
	fz_str(r->published, 0);
	fz_str(r->modified, 0);
	fz_str(r->severity, 0);
	fz_str(r->cvss_v2, 0);
	fz_str(r->cvss_v3, 0);
	fz_str(r->cvss_v4, 0);
	fz_sink += (size_t)r->withdrawn;
	for (i = 0; i < r->n_aliases; i++)
		fz_str(r->aliases[i], 1);
	for (i = 0; i < r->n_references; i++)
		fz_str(r->references[i], 1);
	for (i = 0; i < r->n_affected; i++) {
		const sc_vuln_affected *a = &r->affected[i];

		fz_str(a->ecosystem, 1);
		fz_str(a->release, 0);
		fz_str(a->name, 1);
		fz_str(a->severity, 0);
		if (!sc_vuln_ecosystem_scheme(a->ecosystem))
			abort(); /* unsupported ecosystems are never emitted */
		if (a->status < SC_VSTATUS_AFFECTED || a->status > SC_VSTATUS_UNIMPORTANT)
			abort();
		for (k = 0; k < a->n_ranges; k++) {
			const sc_vuln_range *rg = &a->ranges[k];

			if (rg->type < SC_RANGE_ECOSYSTEM || rg->type > SC_RANGE_GIT || !rg->n_events)
				abort();
			for (e = 0; e < rg->n_events; e++) {
				const char *v = rg->events[e].version;

				fz_str(v, 1);
				if (!v[0] || strpbrk(v, " \t\r\n"))
					abort();
				if (rg->type != SC_RANGE_GIT && !(rg->events[e].kind == SC_EV_INTRODUCED && !strcmp(v, "0")) &&
				    !sc_version_valid(rg->type == SC_RANGE_SEMVER ? SC_VER_SEMVER
										  : sc_vuln_ecosystem_scheme(a->ecosystem),
						      v))
					abort();
				fz_sink += (size_t)rg->events[e].kind;
			}
		}
		for (k = 0; k < a->n_versions; k++) {
			fz_str(a->versions[k], 1);
			if (!sc_version_valid(sc_vuln_ecosystem_scheme(a->ecosystem), a->versions[k]))
				abort();
		}
	}
	return 0;
}

#endif
