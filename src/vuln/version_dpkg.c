/*
 * version_dpkg.c - Debian version ordering (Debian Policy 5.6.12), as
 * `dpkg --compare-versions` orders versions.
 *
 *   [epoch:]upstream[-revision]
 *
 * The epoch is the decimal number before the first ':' (0 when absent,
 * at most INT_MAX); the revision is what follows the last '-' (empty when
 * absent, which compares equal to "0").  Upstream and revision are compared
 * by alternating a non-digit run (each character weighted: '~' below the
 * end of the string, the end, letters, then every other character) and a
 * digit run (numerically, leading zeros ignored).
 *
 * Validation follows dpkg's parser: empty versions, whitespace anywhere, an
 * empty or non-numeric epoch, nothing after the epoch, an empty revision
 * after a trailing '-' and characters outside [A-Za-z0-9.+~-:] (upstream) or
 * [A-Za-z0-9.+~] (revision) are rejected (dpkg errors on the former and
 * warns "invalid character" on the latter; we refuse both).  An upstream
 * version not starting with a digit is only a warning for dpkg and is
 * accepted here.  Everything is compared in place, no allocation.
 */
#include "vuln/version.h"
#include "core/error.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>

typedef struct dpkg_ver {
	unsigned long epoch;
	const char *up;
	size_t up_len;
	const char *rev; /* "" when absent */
	size_t rev_len;
} dpkg_ver;

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int bad(const char *v, const char *why)
{
	return sc_error_set(SC_EINPUT, "invalid dpkg version '%.64s': %s", v, why);
}

static int parse(dpkg_ver *out, const char *v)
{
	size_t len, i;
	const char *colon, *s, *hyphen = NULL;

	if (!v)
		return sc_error_set(SC_EUSAGE, "dpkg version is NULL");
	len = strnlen(v, SC_VERSION_MAX + 1);
	if (len > SC_VERSION_MAX)
		return bad(v, "longer than 256 bytes");
	if (len == 0)
		return bad(v, "empty");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
			return bad(v, "contains whitespace");
	}
	out->epoch = 0;
	s = v;
	colon = memchr(v, ':', len);
	if (colon) {
		unsigned long e = 0;
		if (colon == v)
			return bad(v, "empty epoch");
		for (const char *p = v; p < colon; p++) {
			if (!is_digit((unsigned char)*p))
				return bad(v, "epoch is not a number");
			e = e * 10 + (unsigned long)(*p - '0');
			if (e > INT_MAX)
				return bad(v, "epoch too big");
		}
		out->epoch = e;
		s = colon + 1;
		if (*s == '\0')
			return bad(v, "nothing after the epoch");
	}
	len -= (size_t)(s - v);
	for (i = 0; i < len; i++)
		if (s[i] == '-')
			hyphen = s + i;
	out->up = s;
	if (hyphen) {
		out->up_len = (size_t)(hyphen - s);
		out->rev = hyphen + 1;
		out->rev_len = len - out->up_len - 1;
		if (out->rev_len == 0)
			return bad(v, "empty revision");
	} else {
		out->up_len = len;
		out->rev = "";
		out->rev_len = 0;
	}
	if (out->up_len == 0)
		return bad(v, "empty upstream version");
	for (i = 0; i < out->up_len; i++) {
		int c = (unsigned char)s[i];
		if (!is_digit(c) && !is_alpha(c) && !strchr(".-+~:", c))
			return bad(v, "invalid character in upstream version");
	}
	for (i = 0; i < out->rev_len; i++) {
		int c = (unsigned char)out->rev[i];
		if (!is_digit(c) && !is_alpha(c) && !strchr(".+~", c))
			return bad(v, "invalid character in revision");
	}
	return 0;
}

/* Weight of a character in a non-digit run; 0 for the end (and digits). */
static int weight(const char *p, const char *end)
{
	int c;

	if (p >= end)
		return 0;
	c = (unsigned char)*p;
	if (is_digit(c))
		return 0;
	if (is_alpha(c))
		return c;
	if (c == '~')
		return -1;
	return c + 256;
}

static int part_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *ae = a + alen, *be = b + blen;

	while (a < ae || b < be) {
		const char *da, *db;
		size_t na, nb;
		int c;

		/* Non-digit run, the end weighing between '~' and everything else. */
		while ((a < ae && !is_digit((unsigned char)*a)) ||
		       (b < be && !is_digit((unsigned char)*b))) {
			int wa = weight(a, ae), wb = weight(b, be);
			if (wa != wb)
				return wa < wb ? -1 : 1;
			a++;
			b++;
		}
		/* Digit run, numerically. */
		while (a < ae && *a == '0')
			a++;
		while (b < be && *b == '0')
			b++;
		for (da = a; a < ae && is_digit((unsigned char)*a); a++)
			;
		for (db = b; b < be && is_digit((unsigned char)*b); b++)
			;
		na = (size_t)(a - da);
		nb = (size_t)(b - db);
		if (na != nb)
			return na < nb ? -1 : 1;
		c = memcmp(da, db, na);
		if (c)
			return c < 0 ? -1 : 1;
	}
	return 0;
}

int sc_version_cmp_dpkg(const char *a, const char *b, int *out)
{
	dpkg_ver va, vb;
	int rc, c;

	if (!out)
		return sc_error_set(SC_EUSAGE, "dpkg compare: NULL result");
	if ((rc = parse(&va, a)) < 0 || (rc = parse(&vb, b)) < 0)
		return rc;
	if (va.epoch != vb.epoch)
		c = va.epoch < vb.epoch ? -1 : 1;
	else if ((c = part_cmp(va.up, va.up_len, vb.up, vb.up_len)) == 0)
		c = part_cmp(va.rev, va.rev_len, vb.rev, vb.rev_len);
	*out = c;
	return 0;
}
