/*
 * cvss.h - CVSS base scores from vector strings.
 *
 *   CVSS v3.0/v3.1  https://www.first.org/cvss/v3.1/specification-document (section 7, appendix A)
 *   CVSS v4.0       https://www.first.org/cvss/v4.0/specification-document (MacroVector lookup)
 * Vectors are parsed strictly: the prefix names the version, every base
 * metric appears exactly once, unknown metrics or values are errors.
 */
#ifndef SC_VULN_CVSS_H
#define SC_VULN_CVSS_H

typedef enum { SC_CVSS_NONE = 0, SC_CVSS_LOW, SC_CVSS_MEDIUM, SC_CVSS_HIGH, SC_CVSS_CRITICAL } sc_cvss_rating;

typedef struct sc_cvss {
	int version;       /* 30, 31 or 40 */
	double base_score; /* 0.0 - 10.0, one decimal */
	sc_cvss_rating rating;
} sc_cvss;

/* Parse "CVSS:3.1/AV:N/AC:L/..." or "CVSS:4.0/AV:N/..."; SC_EINPUT naming the problem. */
int sc_cvss_parse(sc_cvss *out, const char *vector);
const char *sc_cvss_rating_name(sc_cvss_rating r); /* "none", "low", "medium", "high", "critical" */
sc_cvss_rating sc_cvss_rating_of(double score);

#endif
