/*
 * vercmp.c - test hook for the version comparators (not installed).
 *
 * Reads lines "SCHEME A B" on stdin (SCHEME: dpkg apk rpm pep440 semver go
 * maven; A and B contain no whitespace) and prints, one line per input line,
 * -1, 0 or 1 (A lower, equal or greater than B) or "error" when either does
 * not parse.  Used by tests/e2e/test_version_diff.py, which compares the
 * answers with the real implementations (dpkg, rpm).
 */
#include "vuln/version.h"
#include "core/error.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	sc_version_scheme s;
} schemes[] = {
	{"dpkg", SC_VER_DPKG}, {"apk", SC_VER_APK}, {"rpm", SC_VER_RPM},
	{"pep440", SC_VER_PEP440}, {"semver", SC_VER_SEMVER}, {"go", SC_VER_GO},
	{"maven", SC_VER_MAVEN},
};

int main(void)
{
	char line[4096];

	while (fgets(line, sizeof(line), stdin)) {
		char *save = NULL, *name, *a, *b;
		int found = 0, c;
		size_t i;

		name = strtok_r(line, " \t\r\n", &save);
		a = strtok_r(NULL, " \t\r\n", &save);
		b = strtok_r(NULL, " \t\r\n", &save);
		if (!name || !a || !b) {
			puts("error");
			continue;
		}
		for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
			if (strcmp(name, schemes[i].name) == 0) {
				found = 1;
				if (sc_version_compare(schemes[i].s, a, b, &c) == 0)
					printf("%d\n", c);
				else
					puts("error");
				sc_error_clear();
			}
		}
		if (!found)
			puts("error");
	}
	return 0;
}
