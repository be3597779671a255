/*
 * version_pep440.h - PEP 440 helpers beyond the comparator in version.h.
 *
 * sc_version_cmp_pep440() (version.h) implements the full PEP 440 order,
 * local version labels included ("1.0+cu121" > "1.0").  Vulnerability
 * matching must ignore local labels (PEP 440: a local version identifies a
 * downstream rebuild of the same public release, and advisories name public
 * versions), so matchers compare the public parts returned here.
 */
#ifndef SC_VULN_VERSION_PEP440_H
#define SC_VULN_VERSION_PEP440_H

#include <stddef.h>

/*
 * Write the normalised public version of v (no local label; the form
 * packaging.version.Version(v).public prints: "1!2.0rc1.post2.dev3") into
 * out, NUL-terminated.  SC_EINPUT when v is not a PEP 440 version,
 * SC_ELIMIT when outsz is too small; out is then untouched.
 * SC_VERSION_MAX + 32 bytes are always enough.
 */
int sc_version_pep440_public(const char *v, char *out, size_t outsz);

#endif
