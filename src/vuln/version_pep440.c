/* version_pep440.c - placeholder until the pep440 comparator lands: every version is rejected. */
#include "vuln/version.h"
#include "core/error.h"

int sc_version_cmp_pep440(const char *a, const char *b, int *out)
{
	(void)b;
	(void)out;
	return sc_error_set(SC_EUNSUPPORTED, "pep440 versions are not supported yet ('%.64s')", a);
}
