/* version_rpm.c - placeholder until the rpm comparator lands: every version is rejected. */
#include "vuln/version.h"
#include "core/error.h"

int sc_version_cmp_rpm(const char *a, const char *b, int *out)
{
	(void)b;
	(void)out;
	return sc_error_set(SC_EUNSUPPORTED, "rpm versions are not supported yet ('%.64s')", a);
}
