/*
 * fuzz.c (version) - the bytes up to the first NUL or newline are version a,
 * the rest (up to the next NUL or newline) version b; every scheme compares
 * them.  Aborts when an ordering is not antisymmetric (cmp(a,b) ==
 * -cmp(b,a)), not reflexive (cmp(a,a) == 0 for a valid a), answers outside
 * {-1,0,1}, or validity depends on the argument position.
 */
#include "vuln/version.h"
#include "core/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check(sc_version_scheme s, const char *a, const char *b)
{
	int ab = 7, ba = 7, aa = 7;
	int rab = sc_version_compare(s, a, b, &ab);
	int rba = sc_version_compare(s, b, a, &ba);
	int raa = sc_version_compare(s, a, a, &aa);

	if ((rab == 0) != (rba == 0))
		abort();
	if (rab == 0 && (ab < -1 || ab > 1 || ab != -ba))
		abort();
	if (raa == 0 && aa != 0)
		abort();
	if (rab == 0 && raa != 0) /* a valid in (a,b) but not in (a,a) */
		abort();
	if (rab != 0 && ab != 7)
		abort(); /* out touched on failure */
	sc_error_clear();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char a[1024], b[1024];
	size_t i = 0, na = 0, nb = 0;
	static const sc_version_scheme all[] = {SC_VER_DPKG, SC_VER_APK, SC_VER_RPM,
		SC_VER_PEP440, SC_VER_SEMVER, SC_VER_GO, SC_VER_MAVEN};

	while (i < size && data[i] != 0 && data[i] != '\n') {
		if (na < sizeof(a) - 1)
			a[na++] = (char)data[i];
		i++;
	}
	if (i < size)
		i++;
	while (i < size && data[i] != 0 && data[i] != '\n') {
		if (nb < sizeof(b) - 1)
			b[nb++] = (char)data[i];
		i++;
	}
	a[na] = '\0';
	b[nb] = '\0';
	for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
		check(all[k], a, b);
	return 0;
}
