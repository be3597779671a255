/* version_apk.c - placeholder until the apk comparator lands: every version is rejected. */
#include "vuln/version.h"
#include "core/error.h"

int sc_version_cmp_apk(const char *a, const char *b, int *out)
{
	(void)b;
	(void)out;
	return sc_error_set(SC_EUNSUPPORTED, "apk versions are not supported yet ('%.64s')", a);
}
