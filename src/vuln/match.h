/*
 * match.h - match a catalog's packages against the vulnerability database
 * and produce findings (report/finding.h).
 *
 * What is looked up, per package:
 *   deb     "Debian"/"Ubuntu" + release (os-release), by SOURCE package and
 *           source version: a binary built from a vulnerable source is affected
 *   apk     "Alpine" + "vMAJOR.MINOR", by origin
 *   rpm     "Rocky Linux"/"AlmaLinux"/"Red Hat" + major release, by name
 *   pypi    "PyPI" by PEP 503 name, local version labels ignored ("2.1.0+cu121"
 *           is compared as 2.1.0).  Distributions owned by the OS package
 *           manager carry distro versions with backported fixes: they are
 *           covered by the distro's advisories through their deb/rpm/apk
 *           package, and only matched against PyPI with `pypi_os_managed`
 *           (flagged in the finding)
 *   npm     "npm" by name;  golang "Go" by module path, and "stdlib" for the
 *           toolchain a Go binary was built with
 * Ranges are evaluated as the OSV schema specifies
 * (https://ossf.github.io/osv-schema/#evaluation): events sorted by
 * version, introduced/fixed/last_affected/limit; plus the explicit
 * `versions` list.  GIT ranges are never evaluated against package
 * versions.  A version that does not parse in its scheme never matches.
 */
#ifndef SC_VULN_MATCH_H
#define SC_VULN_MATCH_H

#include "catalog/catalog.h"
#include "report/finding.h"
#include "vuln/db.h"

typedef struct sc_match_opts {
	int pypi_os_managed;   /* also match OS-managed Python distributions against PyPI */
	int ignore_unfixed;    /* drop findings without a released fix */
} sc_match_opts;

typedef struct sc_match_stats {
	size_t packages;       /* packages looked up */
	size_t skipped;        /* packages not looked up (no ecosystem, no version, OS-managed PyPI) */
	size_t lookups;        /* database lookups */
	size_t unparsable;     /* comparisons skipped because a version did not parse */
	size_t unfixed_dropped;/* findings dropped by ignore_unfixed */
} sc_match_stats;

/* The OSV ecosystem and release for a catalog package (release may be NULL); 0 when not matchable. */
int sc_match_target(const sc_package *p, const sc_os_info *os, const char **eco_out, char *release,
		    size_t release_sz);

/*
 * Evaluate whether `version` is affected by a hit (ranges and versions),
 * in `scheme`.  *fixed_out (may be NULL) receives the lowest fixed version
 * above `version` among the ranges that contain it (pointer into hit), or NULL.
 * Returns 1 affected, 0 not affected, or a negative SC_E* (version unparsable).
 */
int sc_match_affected(const sc_vulndb_hit *hit, sc_version_scheme scheme, const char *version,
		      const char **fixed_out);

/* Append findings for every package of cat to out (sorted at the end). */
int sc_vuln_match(sc_findings *out, sc_vulndb *db, const sc_catalog *cat, const sc_match_opts *opts,
		  sc_match_stats *st);

#endif
