/*
 * version.c - dispatch to the per-scheme comparators; see version.h.
 */
#include "vuln/version.h"
#include "core/error.h"

#include <stddef.h>

const char *sc_version_scheme_name(sc_version_scheme s)
{
	switch (s) {
	case SC_VER_DPKG: return "dpkg";
	case SC_VER_APK: return "apk";
	case SC_VER_RPM: return "rpm";
	case SC_VER_PEP440: return "pep440";
	case SC_VER_SEMVER: return "semver";
	case SC_VER_GO: return "go";
	case SC_VER_MAVEN: return "maven";
	}
	return "unknown";
}

int sc_version_compare(sc_version_scheme s, const char *a, const char *b, int *out)
{
	switch (s) {
	case SC_VER_DPKG: return sc_version_cmp_dpkg(a, b, out);
	case SC_VER_APK: return sc_version_cmp_apk(a, b, out);
	case SC_VER_RPM: return sc_version_cmp_rpm(a, b, out);
	case SC_VER_PEP440: return sc_version_cmp_pep440(a, b, out);
	case SC_VER_SEMVER: return sc_version_cmp_semver(a, b, out);
	case SC_VER_GO: return sc_version_cmp_go(a, b, out);
	case SC_VER_MAVEN: return sc_version_cmp_maven(a, b, out);
	}
	return sc_error_set(SC_EUSAGE, "unknown version scheme %d", (int)s);
}

int sc_version_valid(sc_version_scheme s, const char *v)
{
	int c;
	int rc = sc_version_compare(s, v, v, &c);

	if (rc)
		sc_error_clear();
	return rc == 0;
}
