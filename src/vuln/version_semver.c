/* version_semver.c - placeholder until the semver comparator lands: every version is rejected. */
#include "vuln/version.h"
#include "core/error.h"

int sc_version_cmp_semver(const char *a, const char *b, int *out)
{
	(void)b;
	(void)out;
	return sc_error_set(SC_EUNSUPPORTED, "semver versions are not supported yet ('%.64s')", a);
}
