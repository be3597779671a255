/* cvss.c - placeholder until the CVSS calculator lands: every vector is rejected. */
#include "vuln/cvss.h"
#include "core/error.h"

int sc_cvss_parse(sc_cvss *out, const char *vector)
{
	(void)out;
	return sc_error_set(SC_EUNSUPPORTED, "CVSS vectors are not supported yet ('%.64s')", vector);
}

const char *sc_cvss_rating_name(sc_cvss_rating r)
{
	static const char *const n[] = { "none", "low", "medium", "high", "critical" };

	return (unsigned)r < 5 ? n[r] : "none";
}

sc_cvss_rating sc_cvss_rating_of(double score)
{
	if (score >= 9.0)
		return SC_CVSS_CRITICAL;
	if (score >= 7.0)
		return SC_CVSS_HIGH;
	if (score >= 4.0)
		return SC_CVSS_MEDIUM;
	if (score > 0.0)
		return SC_CVSS_LOW;
	return SC_CVSS_NONE;
}
