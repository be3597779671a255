/*
 * version_semver.c - SemVer 2.0.0 precedence (https://semver.org/) as npm's
 * `semver` package (v7, semver.compare with default options) orders it.
 *
 * Accepted syntax (semver's strict FULL pattern): surrounding whitespace
 * (trimmed like JavaScript's String.prototype.trim), an optional lowercase
 * 'v', MAJOR.MINOR.PATCH without leading zeros and at most 2^53-1 each,
 * an optional "-" prerelease of '.'-separated identifiers ([0-9A-Za-z-]+,
 * numeric ones without leading zeros) and an optional "+" build of
 * identifiers ([0-9A-Za-z-]+).  '=' prefixes, "V", missing parts and
 * versions longer than SC_VERSION_MAX (= semver's MAX_LENGTH, 256) before
 * trimming are rejected.
 *
 * Precedence: numeric MAJOR, MINOR, PATCH; a prerelease sorts before the
 * release; prerelease identifiers compare numerically when both are numeric
 * (as JavaScript numbers, so digit strings beyond 2^53 compare by their
 * nearest double, exactly as semver does), numeric < alphanumeric, others
 * by ASCII; a shorter identifier list sorts first when it is a prefix;
 * the first pair of textually different identifiers decides.
 * Build metadata is ignored.
 */
#include "vuln/version.h"
#include "core/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SAFE_INTEGER 9007199254740991ULL

struct sv_ver {
	uint64_t num[3];
	const char *pre; /* prerelease text, NULL when none */
	size_t prelen;
};

/* Length of the JavaScript white space or line terminator at p (0 if none). */
static size_t js_space(const unsigned char *p, const unsigned char *end)
{
	size_t n = (size_t)(end - p);

	if (n >= 1 && (*p == ' ' || (*p >= 0x09 && *p <= 0x0d)))
		return 1;
	if (n >= 2 && p[0] == 0xc2 && p[1] == 0xa0) /* U+00A0 */
		return 2;
	if (n >= 3 && p[0] == 0xe1 && p[1] == 0x9a && p[2] == 0x80) /* U+1680 */
		return 3;
	if (n >= 3 && p[0] == 0xe2 && p[1] == 0x80 &&
		((p[2] >= 0x80 && p[2] <= 0x8a) || p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf))
		return 3; /* U+2000-200A, U+2028, U+2029, U+202F */
	if (n >= 3 && p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0x9f) /* U+205F */
		return 3;
	if (n >= 3 && p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80) /* U+3000 */
		return 3;
	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) /* U+FEFF */
		return 3;
	return 0;
}

/* Length of the JavaScript white space ending at end (0 if none). */
static size_t js_space_back(const unsigned char *begin, const unsigned char *end)
{
	for (size_t k = 1; k <= 3 && k <= (size_t)(end - begin); k++)
		if (js_space(end - k, end) == k)
			return k;
	return 0;
}

static int is_ident_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A '.'-separated identifier list in [p, end); numeric ones checked for leading zeros if `pre`. */
static int ident_list_ok(const char *p, const char *end, int pre)
{
	for (;;) {
		const char *s = p;
		int alldigits = 1;

		while (p < end && *p != '.') {
			if (!is_ident_char(*p))
				return 0;
			if (!is_digit(*p))
				alldigits = 0;
			p++;
		}
		if (p == s)
			return 0;
		if (pre && alldigits && p - s > 1 && *s == '0')
			return 0;
		if (p == end)
			return 1;
		p++;
	}
}

static int parse(struct sv_ver *v, const char *in)
{
	size_t n = strlen(in), k;
	const char *p, *end, *plus;

	if (n > SC_VERSION_MAX)
		return sc_error_set(SC_EINPUT, "semver version longer than %d bytes ('%.32s...')",
			SC_VERSION_MAX, in);
	p = in;
	end = in + n;
	while (p < end && (k = js_space((const unsigned char *)p, (const unsigned char *)end)) > 0)
		p += k;
	while (end > p && (k = js_space_back((const unsigned char *)p, (const unsigned char *)end)) > 0)
		end -= k;
	if (p < end && *p == 'v')
		p++;
	for (int i = 0; i < 3; i++) {
		const char *s = p;
		uint64_t x = 0;

		while (p < end && is_digit(*p)) {
			if (x <= MAX_SAFE_INTEGER)
				x = x * 10 + (uint64_t)(*p - '0');
			p++;
		}
		if (p == s || (p - s > 1 && *s == '0'))
			goto bad;
		if (x > MAX_SAFE_INTEGER)
			return sc_error_set(SC_EINPUT, "semver version '%.64s': number too large", in);
		v->num[i] = x;
		if (i < 2) {
			if (p == end || *p != '.')
				goto bad;
			p++;
		}
	}
	v->pre = NULL;
	v->prelen = 0;
	plus = memchr(p, '+', (size_t)(end - p));
	if (p < end && *p == '-') {
		const char *pe = plus ? plus : end;

		if (!ident_list_ok(p + 1, pe, 1))
			goto bad;
		v->pre = p + 1;
		v->prelen = (size_t)(pe - p - 1);
		p = pe;
	}
	if (p < end && *p == '+') {
		if (!ident_list_ok(p + 1, end, 0))
			goto bad;
		p = end;
	}
	if (p != end)
		goto bad;
	return 0;
bad:
	return sc_error_set(SC_EINPUT, "invalid semver version '%.64s'", in);
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* A numeric identifier as JavaScript's Number(): the nearest double. */
static double js_number(const char *p, size_t n)
{
	char buf[SC_VERSION_MAX + 1];

	memcpy(buf, p, n);
	buf[n] = '\0';
	return strtod(buf, NULL);
}

static int cmp_ident(const char *a, size_t an, const char *b, size_t bn)
{
	int anum = 1, bnum = 1;
	size_t i, m;
	int c;

	for (i = 0; i < an; i++)
		anum &= is_digit(a[i]);
	for (i = 0; i < bn; i++)
		bnum &= is_digit(b[i]);
	if (anum && bnum) {
		double x = js_number(a, an), y = js_number(b, bn);

		return x < y ? -1 : x > y;
	}
	if (anum)
		return -1;
	if (bnum)
		return 1;
	m = an < bn ? an : bn;
	c = memcmp(a, b, m);
	if (c != 0)
		return c < 0 ? -1 : 1;
	return an < bn ? -1 : an > bn;
}

static int compare(const struct sv_ver *a, const struct sv_ver *b)
{
	const char *pa, *pb, *ea, *eb;

	for (int i = 0; i < 3; i++)
		if (a->num[i] != b->num[i])
			return cmp_u64(a->num[i], b->num[i]);
	if (a->pre == NULL || b->pre == NULL)
		return (a->pre == NULL) - (b->pre == NULL);
	pa = a->pre, ea = a->pre + a->prelen;
	pb = b->pre, eb = b->pre + b->prelen;
	for (;;) {
		const char *sa = pa, *sb = pb;

		if (pa == ea && pb == eb)
			return 0;
		if (pb == eb)
			return 1;
		if (pa == ea)
			return -1;
		while (pa < ea && *pa != '.')
			pa++;
		while (pb < eb && *pb != '.')
			pb++;
		/* Like semver's comparePre: identical identifiers go on, the first
		 * different pair decides, even when it compares equal as numbers
		 * (digit strings beyond 2^53 that round to the same double). */
		if (pa - sa != pb - sb || memcmp(sa, sb, (size_t)(pa - sa)) != 0)
			return cmp_ident(sa, (size_t)(pa - sa), sb, (size_t)(pb - sb));
		if (pa < ea)
			pa++;
		if (pb < eb)
			pb++;
	}
}

int sc_version_cmp_semver(const char *a, const char *b, int *out)
{
	struct sv_ver va, vb;
	int rc;

	if (a == NULL || b == NULL)
		return sc_error_set(SC_EUSAGE, "semver version is NULL");
	if ((rc = parse(&va, a)) < 0 || (rc = parse(&vb, b)) < 0)
		return rc;
	*out = compare(&va, &vb);
	return 0;
}
