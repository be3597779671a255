/* version_dpkg.c - placeholder until the dpkg comparator lands: every version is rejected. */
#include "vuln/version.h"
#include "core/error.h"

int sc_version_cmp_dpkg(const char *a, const char *b, int *out)
{
	(void)b;
	(void)out;
	return sc_error_set(SC_EUNSUPPORTED, "dpkg versions are not supported yet ('%.64s')", a);
}
