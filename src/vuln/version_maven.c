/* version_maven.c - placeholder until the maven comparator lands: every version is rejected. */
#include "vuln/version.h"
#include "core/error.h"

int sc_version_cmp_maven(const char *a, const char *b, int *out)
{
	(void)b;
	(void)out;
	return sc_error_set(SC_EUNSUPPORTED, "maven versions are not supported yet ('%.64s')", a);
}
