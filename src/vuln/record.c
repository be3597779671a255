/*
 * record.c - names and version schemes of the advisory model (record.h).
 * Ecosystem names follow the OSV schema's ecosystem list:
 * https://ossf.github.io/osv-schema/#affectedpackage-field
 * Go advisories write module versions as SemVer without Go's leading 'v'
 * ("1.2.3", "0.0.0-20230101000000-abcdef123456"), so "Go" orders by SemVer;
 * the matcher drops the 'v' of installed Go versions.
 */
#include "vuln/record.h"

#include <string.h>

const char *sc_vuln_status_name(sc_vuln_status s)
{
	switch (s) {
	case SC_VSTATUS_AFFECTED:
		return "affected";
	case SC_VSTATUS_UNFIXED:
		return "unfixed";
	case SC_VSTATUS_WONTFIX:
		return "wont-fix";
	case SC_VSTATUS_UNIMPORTANT:
		return "unimportant";
	}
	return "affected";
}

sc_version_scheme sc_vuln_ecosystem_scheme(const char *eco)
{
	static const struct {
		const char *name;
		sc_version_scheme scheme;
	} map[] = {
		{ "PyPI", SC_VER_PEP440 },     { "npm", SC_VER_SEMVER },        { "Go", SC_VER_SEMVER },
		{ "Debian", SC_VER_DPKG },     { "Ubuntu", SC_VER_DPKG },       { "Alpine", SC_VER_APK },
		{ "Maven", SC_VER_MAVEN },     { "Red Hat", SC_VER_RPM },       { "Rocky Linux", SC_VER_RPM },
		{ "AlmaLinux", SC_VER_RPM },   { "openSUSE", SC_VER_RPM },      { "SUSE", SC_VER_RPM },
		{ "Mageia", SC_VER_RPM },      { "Wolfi", SC_VER_APK },         { "Chainguard", SC_VER_APK },
	};
	size_t i;

	if (!eco)
		return 0;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(eco, map[i].name) == 0)
			return map[i].scheme;
	return 0;
}
