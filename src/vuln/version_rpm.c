/*
 * version_rpm.c - RPM EVR ordering: "[epoch:]version[-release]" with
 * rpmvercmp() semantics for version and release, as rpm's Python binding
 * rpm.labelCompare() orders (epoch, version, release) triples.
 *
 * Parsing (as rpm's EVR splitter): an epoch is the decimal digits before a
 * ':' (0 when absent, at most UINT32_MAX); the release is what follows the
 * last '-'.  Version and release must be non-empty and made of ASCII letters,
 * digits and ". _ + ~ ^" (rpmbuild's character set for both fields); a
 * missing release sorts before any release (labelCompare compares a None
 * release as lower).
 *
 * rpmvercmp: separators (anything but letters, digits, '~' and '^') are
 * skipped; '~' sorts before everything including the end; '^' sorts after
 * the end but before any further segment; a segment is a maximal run of
 * digits (compared numerically, leading zeros ignored) or of letters
 * (compared bytewise); a numeric segment beats an alphabetic one; when one
 * string runs out, the one with segments left is greater.
 */
#include "vuln/version.h"
#include "core/error.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct rpm_evr {
	unsigned long long epoch;
	const char *ver;
	size_t ver_len;
	const char *rel; /* NULL when absent */
	size_t rel_len;
} rpm_evr;

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
	return sc_error_set(SC_EINPUT, "invalid rpm version '%.64s': %s", v, why);
}

static int field_ok(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)p[i];
		if (!is_digit(c) && !is_alpha(c) && !strchr("._+~^", c))
			return 0;
	}
	return 1;
}

static int parse(rpm_evr *out, const char *v)
{
	size_t len, i;
	const char *s = v, *hyphen = NULL;

	if (!v)
		return sc_error_set(SC_EUSAGE, "rpm version is NULL");
	len = strnlen(v, SC_VERSION_MAX + 1);
	if (len > SC_VERSION_MAX)
		return bad(v, "longer than 256 bytes");
	if (len == 0)
		return bad(v, "empty");
	out->epoch = 0;
	for (i = 0; i < len && v[i] != ':'; i++)
		;
	if (i < len) {
		if (i == 0)
			return bad(v, "empty epoch");
		for (size_t j = 0; j < i; j++) {
			if (!is_digit((unsigned char)v[j]))
				return bad(v, "epoch is not a number");
			out->epoch = out->epoch * 10 + (unsigned)(v[j] - '0');
			if (out->epoch > UINT32_MAX)
				return bad(v, "epoch too big");
		}
		s = v + i + 1;
		len -= i + 1;
	}
	for (i = 0; i < len; i++)
		if (s[i] == '-')
			hyphen = s + i;
	out->ver = s;
	if (hyphen) {
		out->ver_len = (size_t)(hyphen - s);
		out->rel = hyphen + 1;
		out->rel_len = len - out->ver_len - 1;
		if (out->rel_len == 0)
			return bad(v, "empty release");
		if (!field_ok(out->rel, out->rel_len))
			return bad(v, "invalid character in release");
	} else {
		out->ver_len = len;
		out->rel = NULL;
		out->rel_len = 0;
	}
	if (out->ver_len == 0)
		return bad(v, "empty version");
	if (!field_ok(out->ver, out->ver_len))
		return bad(v, "invalid character in version");
	return 0;
}

static int is_sep(const char *p, const char *end)
{
	int c;

	if (p >= end)
		return 0;
	c = (unsigned char)*p;
	return !is_digit(c) && !is_alpha(c) && c != '~' && c != '^';
}

/* rpmvercmp over two (pointer, length) strings. */
static int vercmp(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *ae = a + alen, *be = b + blen;

	while (a < ae || b < be) {
		const char *sa, *sb;
		int num, c;
		size_t na, nb;

		while (is_sep(a, ae))
			a++;
		while (is_sep(b, be))
			b++;
		if ((a < ae && *a == '~') || (b < be && *b == '~')) {
			if (!(a < ae && *a == '~'))
				return 1;
			if (!(b < be && *b == '~'))
				return -1;
			a++;
			b++;
			continue;
		}
		if ((a < ae && *a == '^') || (b < be && *b == '^')) {
			if (a >= ae)
				return -1;
			if (b >= be)
				return 1;
			if (*a != '^')
				return 1;
			if (*b != '^')
				return -1;
			a++;
			b++;
			continue;
		}
		if (a >= ae || b >= be)
			break;
		num = is_digit((unsigned char)*a);
		sa = a;
		sb = b;
		if (num) {
			while (a < ae && is_digit((unsigned char)*a))
				a++;
			while (b < be && is_digit((unsigned char)*b))
				b++;
		} else {
			while (a < ae && is_alpha((unsigned char)*a))
				a++;
			while (b < be && is_alpha((unsigned char)*b))
				b++;
		}
		if (sb == b) /* b's segment is of the other kind */
			return num ? 1 : -1;
		if (num) {
			while (sa < a && *sa == '0')
				sa++;
			while (sb < b && *sb == '0')
				sb++;
		}
		na = (size_t)(a - sa);
		nb = (size_t)(b - sb);
		if (num && na != nb)
			return na < nb ? -1 : 1;
		c = memcmp(sa, sb, na < nb ? na : nb);
		if (c)
			return c < 0 ? -1 : 1;
		if (na != nb)
			return na < nb ? -1 : 1;
	}
	if (a >= ae && b >= be)
		return 0;
	return a >= ae ? -1 : 1;
}

int sc_version_cmp_rpm(const char *a, const char *b, int *out)
{
	rpm_evr va, vb;
	int rc, c;

	if (!out)
		return sc_error_set(SC_EUSAGE, "rpm compare: NULL result");
	if ((rc = parse(&va, a)) < 0 || (rc = parse(&vb, b)) < 0)
		return rc;
	if (va.epoch != vb.epoch)
		c = va.epoch < vb.epoch ? -1 : 1;
	else if ((c = vercmp(va.ver, va.ver_len, vb.ver, vb.ver_len)) == 0) {
		if (va.rel && vb.rel)
			c = vercmp(va.rel, va.rel_len, vb.rel, vb.rel_len);
		else if (va.rel || vb.rel)
			c = va.rel ? 1 : -1;
	}
	*out = c;
	return 0;
}
