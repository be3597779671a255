/*
 * version.h - exact version ordering, one module per versioning scheme,
 * for matching packages against vulnerability ranges.
 *
 *   dpkg    version_dpkg.c    Debian Policy 5.6.12 (epoch:upstream-revision, '~')
 *   apk     version_apk.c     apk-tools version.c semantics (letters, _suffixes, -rN)
 *   rpm     version_rpm.c     rpmvercmp (segments, '~' before, '^' after), EVR
 *   pep440  version_pep440.c  PEP 440 (epochs, pre/post/dev, local labels)
 *   semver  version_semver.c  SemVer 2.0.0 as npm's semver orders it
 *   go      version_go.c      Go module versions (semver with v, pseudo-versions, +incompatible)
 *   maven   version_maven.c   Maven ComparableVersion
 * Every function is pure and bounded: versions longer than
 * SC_VERSION_MAX bytes are rejected, no allocation proportional to input.
 */
#ifndef SC_VULN_VERSION_H
#define SC_VULN_VERSION_H

#define SC_VERSION_MAX 256

typedef enum sc_version_scheme {
	SC_VER_DPKG = 1,
	SC_VER_APK,
	SC_VER_RPM,
	SC_VER_PEP440,
	SC_VER_SEMVER,
	SC_VER_GO,
	SC_VER_MAVEN,
} sc_version_scheme;

/*
 * *out = -1, 0 or 1 as a is lower than, equal to or greater than b.
 * Fails with SC_EINPUT (message naming the version and the scheme) when
 * either does not parse in the scheme; *out is then untouched.
 */
int sc_version_compare(sc_version_scheme s, const char *a, const char *b, int *out);
/* 1 when v parses in the scheme. */
int sc_version_valid(sc_version_scheme s, const char *v);
const char *sc_version_scheme_name(sc_version_scheme s); /* "dpkg", "pep440", ... */

/* Per-scheme entry points (same contract as sc_version_compare). */
int sc_version_cmp_dpkg(const char *a, const char *b, int *out);
int sc_version_cmp_apk(const char *a, const char *b, int *out);
int sc_version_cmp_rpm(const char *a, const char *b, int *out);
int sc_version_cmp_pep440(const char *a, const char *b, int *out);
int sc_version_cmp_semver(const char *a, const char *b, int *out);
int sc_version_cmp_go(const char *a, const char *b, int *out);
int sc_version_cmp_maven(const char *a, const char *b, int *out);

#endif
