/*
 * version_go.c - Go module version ordering (golang.org/x/mod/semver).
 *
 * Accepted: "v" MAJOR [ "." MINOR [ "." PATCH [ "-" pre ] [ "+" build ] ] ]
 * where the numbers are "0" or have no leading zero, pre is a dot-separated
 * list of non-empty [0-9A-Za-z-] identifiers whose numeric ones have no
 * leading zero, and build is a dot-separated list of non-empty [0-9A-Za-z-]
 * identifiers.  The shorthands "v1" and "v1.2" mean v1.0.0 and v1.2.0 (as in
 * x/mod/semver; they take no pre-release or build).  Build metadata,
 * including "+incompatible", is ignored for ordering.
 *
 * Pseudo-versions (v0.0.0-20191109021931-daa7c04131f5,
 * v1.2.3-pre.0.20191109021931-daa7c04131f5, v1.2.4-0.20191109021931-...)
 * are ordinary pre-releases and order correctly under these rules.
 *
 * Only module versions are accepted: Go toolchain spellings ("go1.21.3",
 * "1.21.3", "go1.21rc1") and versions without the leading "v" are rejected.
 *
 * Ordering (SemVer 2.0.0 section 11): MAJOR, MINOR, PATCH numerically; a
 * version with a pre-release is lower than the same version without; pre-
 * release identifiers compare left to right, numeric ones numerically and
 * below alphanumeric ones, alphanumeric ones bytewise; a shorter list that
 * is a prefix of a longer one is lower.
 */
#include "vuln/version.h"
#include "core/error.h"

#include <stddef.h>
#include <string.h>

typedef struct go_ver {
	const char *num[3]; /* NULL for an omitted (shorthand) component: 0 */
	size_t num_len[3];
	const char *pre; /* after '-', NULL when absent */
	size_t pre_len;
} go_ver;

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_ident(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

static int bad(const char *v, const char *why)
{
	return sc_error_set(SC_EINPUT, "invalid go module version '%.64s': %s", v, why);
}

/* Dot-separated identifiers in [p, end); numeric ones without leading 0s if strict. */
static int idents_ok(const char *p, const char *end, int strict)
{
	while (1) {
		const char *s = p;
		int numeric = 1;

		while (p < end && *p != '.') {
			if (!is_ident((unsigned char)*p))
				return 0;
			if (!is_digit((unsigned char)*p))
				numeric = 0;
			p++;
		}
		if (p == s)
			return 0;
		if (strict && numeric && *s == '0' && p - s > 1)
			return 0;
		if (p == end)
			return 1;
		p++; /* '.' */
	}
}

static int parse(go_ver *out, const char *v)
{
	size_t len;
	const char *p, *end;
	int i;

	if (!v)
		return sc_error_set(SC_EUSAGE, "go module version is NULL");
	len = strnlen(v, SC_VERSION_MAX + 1);
	if (len > SC_VERSION_MAX)
		return bad(v, "longer than 256 bytes");
	if (len == 0 || v[0] != 'v')
		return bad(v, "does not start with 'v'");
	p = v + 1;
	end = v + len;
	memset(out, 0, sizeof(*out));
	for (i = 0; i < 3; i++) {
		const char *s = p;
		while (p < end && is_digit((unsigned char)*p))
			p++;
		if (p == s)
			return bad(v, "missing number");
		if (*s == '0' && p - s > 1)
			return bad(v, "number with a leading zero");
		out->num[i] = s;
		out->num_len[i] = (size_t)(p - s);
		if (p == end)
			return 0; /* v1, v1.2 (shorthand) or v1.2.3 */
		if (i < 2 && *p != '.')
			return bad(v, i == 0 ? "unexpected character after major" :
					       "unexpected character after minor");
		if (i < 2)
			p++;
	}
	if (*p == '-') {
		const char *s = ++p;
		while (p < end && *p != '+')
			p++;
		if (!idents_ok(s, p, 1))
			return bad(v, "invalid pre-release");
		out->pre = s;
		out->pre_len = (size_t)(p - s);
	}
	if (p < end) {
		if (*p != '+')
			return bad(v, "unexpected character after patch");
		p++;
		if (!idents_ok(p, end, 0))
			return bad(v, "invalid build metadata");
	}
	return 0;
}

static int numcmp(const char *a, size_t na, const char *b, size_t nb)
{
	int r;

	if (na != nb)
		return na < nb ? -1 : 1;
	r = memcmp(a, b, na);
	return r < 0 ? -1 : r > 0;
}

static int all_digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit((unsigned char)p[i]))
			return 0;
	return 1;
}

static int pre_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *ae = a + alen, *be = b + blen;

	while (a < ae && b < be) {
		const char *sa = a, *sb = b;
		size_t na, nb;
		int da, db, r;

		while (a < ae && *a != '.')
			a++;
		while (b < be && *b != '.')
			b++;
		na = (size_t)(a - sa);
		nb = (size_t)(b - sb);
		da = all_digits(sa, na);
		db = all_digits(sb, nb);
		if (da != db)
			return da ? -1 : 1;
		if (da) {
			r = numcmp(sa, na, sb, nb);
		} else {
			r = memcmp(sa, sb, na < nb ? na : nb);
			r = r ? (r < 0 ? -1 : 1) : (na < nb ? -1 : na > nb);
		}
		if (r)
			return r;
		if (a < ae)
			a++;
		if (b < be)
			b++;
	}
	if (a < ae)
		return 1;
	if (b < be)
		return -1;
	return 0;
}

int sc_version_cmp_go(const char *a, const char *b, int *out)
{
	go_ver va, vb;
	int rc, r = 0, i;

	if (!out)
		return sc_error_set(SC_EUSAGE, "go compare: NULL result");
	if ((rc = parse(&va, a)) < 0 || (rc = parse(&vb, b)) < 0)
		return rc;
	for (i = 0; i < 3 && !r; i++)
		r = numcmp(va.num[i] ? va.num[i] : "0", va.num[i] ? va.num_len[i] : 1,
			   vb.num[i] ? vb.num[i] : "0", vb.num[i] ? vb.num_len[i] : 1);
	if (!r) {
		if (va.pre && vb.pre)
			r = pre_cmp(va.pre, va.pre_len, vb.pre, vb.pre_len);
		else if (va.pre || vb.pre)
			r = va.pre ? -1 : 1;
	}
	*out = r;
	return 0;
}
