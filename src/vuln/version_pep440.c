/*
 * version_pep440.c - PEP 440 version order (https://peps.python.org/pep-0440/),
 * as packaging.version.Version parses and orders versions.
 *
 * Syntax, case-insensitive, surrounding white space ignored:
 *   [v][N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]
 * with the normalisations of PEP 440: alpha = a, beta = b, c/pre/preview = rc,
 * rev/r = post, "-", "_" or "." (or nothing) before and after the labels,
 * implicit numbers ("1.0a" = 1.0a0), implicit post releases ("1.0-1" =
 * 1.0.post1); local labels are [a-z0-9]+ separated by "-", "_" or ".".
 *
 * Order: epoch; release (numerically, trailing zeros ignored); then
 * X.devN < X.aN < X.bN < X.rcN < X < X.postN, with the dev release of a pre
 * or post release just before it (1.0a1.dev1 < 1.0a1); then local labels:
 * no label < any label, labels segment by segment, numeric segments
 * numerically and after alphanumeric ones (compared as lower-case text),
 * a shorter label first when it is a prefix.  Numbers have no size limit.
 *
 * Vulnerability matching ignores local labels: see version_pep440.h.
 * Non-ASCII input is rejected except Unicode white space around the version
 * (packaging's IGNORECASE would also fold a few non-ASCII letters; versions
 * in practice are ASCII).
 */
#include "vuln/version_pep440.h"
#include "vuln/version.h"
#include "core/error.h"

#include <string.h>

struct num {
	const char *p; /* digits without leading zeros */
	size_t n;      /* 0 means zero */
};

#define MAXREL (SC_VERSION_MAX / 2 + 1)

enum { PRE_A, PRE_B, PRE_RC };

struct pep {
	struct num epoch;
	struct num rel[MAXREL];
	size_t nrel;
	int pre; /* -1 or PRE_* */
	struct num pre_n;
	int has_post;
	struct num post_n;
	int has_dev;
	struct num dev_n;
	const char *local; /* NULL or the label after '+' */
	size_t local_len;
};

/* Length of the Python str.isspace() character at p, 0 if none. */
static size_t py_space(const unsigned char *p, const unsigned char *end)
{
	size_t n = (size_t)(end - p);

	if (n >= 1 && (*p == ' ' || (*p >= 0x09 && *p <= 0x0d) || (*p >= 0x1c && *p <= 0x1f)))
		return 1;
	if (n >= 2 && p[0] == 0xc2 && (p[1] == 0x85 || p[1] == 0xa0))
		return 2;
	if (n >= 3 && p[0] == 0xe1 && p[1] == 0x9a && p[2] == 0x80)
		return 3;
	if (n >= 3 && p[0] == 0xe2 && p[1] == 0x80 &&
		((p[2] >= 0x80 && p[2] <= 0x8a) || p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf))
		return 3;
	if (n >= 3 && p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0x9f)
		return 3;
	if (n >= 3 && p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80)
		return 3;
	return 0;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_sep(char c)
{
	return c == '-' || c == '_' || c == '.';
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Length of `word` when [p, end) starts with it, ignoring ASCII case; else 0. */
static size_t match_ci(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lower(p[i]) != word[i])
			return 0;
	return n;
}

/* Read digits at *pp (at least one must be there); returns the number. */
static struct num read_num(const char **pp, const char *end)
{
	const char *p = *pp;
	struct num r;

	while (p < end && *p == '0')
		p++;
	r.p = p;
	while (p < end && is_digit(*p))
		p++;
	r.n = (size_t)(p - r.p);
	*pp = p;
	return r;
}

/* An optional separator, then optional digits (0 when absent). */
static struct num read_opt_num(const char **pp, const char *end)
{
	const char *p = *pp;
	struct num zero = { NULL, 0 };

	if (p < end && is_sep(*p))
		p++;
	if (p < end && is_digit(*p)) {
		*pp = p;
		return read_num(pp, end);
	}
	*pp = p;
	return zero;
}

static int parse(struct pep *v, const char *in)
{
	static const struct {
		const char *w;
		int kind;
	} pre_labels[] = { /* longest first */
		{ "preview", PRE_RC }, { "alpha", PRE_A }, { "beta", PRE_B }, { "pre", PRE_RC },
		{ "rc", PRE_RC }, { "a", PRE_A }, { "b", PRE_B }, { "c", PRE_RC },
	};
	static const char *const post_labels[] = { "post", "rev", "r" };
	size_t len = strlen(in), k;
	const char *p = in, *end, *q;
	struct num first;

	if (len > SC_VERSION_MAX)
		return sc_error_set(SC_EINPUT, "pep440 version longer than %d bytes ('%.32s...')",
			SC_VERSION_MAX, in);
	end = in + len;
	while (p < end && (k = py_space((const unsigned char *)p, (const unsigned char *)end)) > 0)
		p += k;
	for (;;) {
		size_t back = 0;

		for (k = 1; k <= 3 && k <= (size_t)(end - p); k++)
			if (py_space((const unsigned char *)end - k, (const unsigned char *)end) == k) {
				back = k;
				break;
			}
		if (back == 0)
			break;
		end -= back;
	}
	memset(v, 0, sizeof(*v));
	v->pre = -1;
	if (p < end && lower(*p) == 'v')
		p++;
	if (p == end || !is_digit(*p))
		goto bad;
	first = read_num(&p, end);
	if (p < end && *p == '!') {
		v->epoch = first;
		p++;
		if (p == end || !is_digit(*p))
			goto bad;
		first = read_num(&p, end);
	}
	v->rel[v->nrel++] = first;
	while (p + 1 < end && *p == '.' && is_digit(p[1])) {
		p++;
		if (v->nrel == MAXREL)
			goto bad; /* cannot happen within SC_VERSION_MAX */
		v->rel[v->nrel++] = read_num(&p, end);
	}
	/* pre-release */
	q = p < end && is_sep(*p) ? p + 1 : p;
	for (size_t i = 0; i < sizeof(pre_labels) / sizeof(pre_labels[0]); i++) {
		size_t l = match_ci(q, end, pre_labels[i].w);

		if (l > 0) {
			p = q + l;
			v->pre = pre_labels[i].kind;
			v->pre_n = read_opt_num(&p, end);
			break;
		}
	}
	/* post-release */
	if (p + 1 < end && *p == '-' && is_digit(p[1])) {
		p++;
		v->has_post = 1;
		v->post_n = read_num(&p, end);
	} else {
		q = p < end && is_sep(*p) ? p + 1 : p;
		for (size_t i = 0; i < sizeof(post_labels) / sizeof(post_labels[0]); i++) {
			size_t l = match_ci(q, end, post_labels[i]);

			if (l > 0) {
				p = q + l;
				v->has_post = 1;
				v->post_n = read_opt_num(&p, end);
				break;
			}
		}
	}
	/* development release */
	q = p < end && is_sep(*p) ? p + 1 : p;
	if ((k = match_ci(q, end, "dev")) > 0) {
		p = q + k;
		v->has_dev = 1;
		v->dev_n = read_opt_num(&p, end);
	}
	/* local label */
	if (p < end && *p == '+') {
		p++;
		v->local = p;
		for (;;) {
			const char *s = p;

			while (p < end && is_alnum(*p))
				p++;
			if (p == s)
				goto bad;
			if (p == end || !is_sep(*p))
				break;
			p++;
		}
		v->local_len = (size_t)(p - v->local);
	}
	if (p != end)
		goto bad;
	return 0;
bad:
	return sc_error_set(SC_EINPUT, "invalid pep440 version '%.64s'", in);
}

static int cmp_num(struct num a, struct num b)
{
	int c;

	if (a.n != b.n)
		return a.n < b.n ? -1 : 1;
	if (a.n == 0)
		return 0;
	c = memcmp(a.p, b.p, a.n);
	return (c > 0) - (c < 0);
}

/* Release segments with trailing zeros ignored. */
static int cmp_release(const struct pep *a, const struct pep *b)
{
	size_t na = a->nrel, nb = b->nrel;
	struct num zero = { NULL, 0 };

	while (na > 0 && a->rel[na - 1].n == 0)
		na--;
	while (nb > 0 && b->rel[nb - 1].n == 0)
		nb--;
	for (size_t i = 0; i < na || i < nb; i++) {
		int c;

		if (i >= na)
			return -1;
		if (i >= nb)
			return 1;
		c = cmp_num(i < na ? a->rel[i] : zero, i < nb ? b->rel[i] : zero);
		if (c != 0)
			return c;
	}
	return 0;
}

/* Local labels: segments split at separators; numeric > alphanumeric. */
static int cmp_local(const struct pep *a, const struct pep *b)
{
	const char *pa = a->local, *ea, *pb = b->local, *eb;

	if (a->local == NULL || b->local == NULL)
		return (a->local != NULL) - (b->local != NULL);
	ea = pa + a->local_len;
	eb = pb + b->local_len;
	for (;;) {
		const char *sa = pa, *sb = pb;
		int da = 1, db = 1, c = 0;

		if (pa >= ea || pb >= eb)
			return (pa < ea) - (pb < eb);
		while (pa < ea && !is_sep(*pa))
			da &= is_digit(*pa++);
		while (pb < eb && !is_sep(*pb))
			db &= is_digit(*pb++);
		if (da && db) {
			const char *x = sa, *y = sb;
			struct num na, nb;

			na = read_num(&x, pa);
			nb = read_num(&y, pb);
			c = cmp_num(na, nb);
		} else if (da != db) {
			c = da ? 1 : -1;
		} else {
			size_t la = (size_t)(pa - sa), lb = (size_t)(pb - sb);

			for (size_t i = 0; i < la && i < lb && c == 0; i++) {
				char x = lower(sa[i]), y = lower(sb[i]);

				c = x < y ? -1 : x > y;
			}
			if (c == 0)
				c = la < lb ? -1 : la > lb;
		}
		if (c != 0)
			return c;
		if (pa < ea)
			pa++;
		if (pb < eb)
			pb++;
	}
}

/* Key rank of the pre-release part: 0 = dev-only (-inf), 1 = a pre-release, 2 = none (+inf). */
static int pre_rank(const struct pep *v)
{
	if (v->pre >= 0)
		return 1;
	return (!v->has_post && v->has_dev) ? 0 : 2;
}

static int compare(const struct pep *a, const struct pep *b)
{
	int c, ra, rb;

	if ((c = cmp_num(a->epoch, b->epoch)) != 0)
		return c;
	if ((c = cmp_release(a, b)) != 0)
		return c;
	ra = pre_rank(a);
	rb = pre_rank(b);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (ra == 1) {
		if (a->pre != b->pre)
			return a->pre < b->pre ? -1 : 1;
		if ((c = cmp_num(a->pre_n, b->pre_n)) != 0)
			return c;
	}
	if (a->has_post != b->has_post)
		return a->has_post ? 1 : -1;
	if (a->has_post && (c = cmp_num(a->post_n, b->post_n)) != 0)
		return c;
	if (a->has_dev != b->has_dev)
		return a->has_dev ? -1 : 1;
	if (a->has_dev && (c = cmp_num(a->dev_n, b->dev_n)) != 0)
		return c;
	return cmp_local(a, b);
}

int sc_version_cmp_pep440(const char *a, const char *b, int *out)
{
	struct pep va, vb;
	int rc;

	if (a == NULL || b == NULL)
		return sc_error_set(SC_EUSAGE, "pep440 version is NULL");
	if ((rc = parse(&va, a)) < 0 || (rc = parse(&vb, b)) < 0)
		return rc;
	*out = compare(&va, &vb);
	return 0;
}

/* Append the decimal number to out at *pos (bounded by outsz). */
static void put_num(char *out, size_t outsz, size_t *pos, struct num n)
{
	if (n.n == 0) {
		if (*pos < outsz)
			out[*pos] = '0';
		(*pos)++;
		return;
	}
	for (size_t i = 0; i < n.n; i++, (*pos)++)
		if (*pos < outsz)
			out[*pos] = n.p[i];
}

static void put_str(char *out, size_t outsz, size_t *pos, const char *s)
{
	for (; *s != '\0'; s++, (*pos)++)
		if (*pos < outsz)
			out[*pos] = *s;
}

int sc_version_pep440_public(const char *v, char *out, size_t outsz)
{
	static const char *const pre_names[] = { "a", "b", "rc" };
	char buf[4 * SC_VERSION_MAX + 64];
	struct pep pv;
	size_t pos = 0;
	int rc;

	if (v == NULL || out == NULL)
		return sc_error_set(SC_EUSAGE, "pep440 version or buffer is NULL");
	if ((rc = parse(&pv, v)) < 0)
		return rc;
	if (pv.epoch.n != 0) {
		put_num(buf, sizeof(buf), &pos, pv.epoch);
		put_str(buf, sizeof(buf), &pos, "!");
	}
	for (size_t i = 0; i < pv.nrel; i++) {
		if (i > 0)
			put_str(buf, sizeof(buf), &pos, ".");
		put_num(buf, sizeof(buf), &pos, pv.rel[i]);
	}
	if (pv.pre >= 0) {
		put_str(buf, sizeof(buf), &pos, pre_names[pv.pre]);
		put_num(buf, sizeof(buf), &pos, pv.pre_n);
	}
	if (pv.has_post) {
		put_str(buf, sizeof(buf), &pos, ".post");
		put_num(buf, sizeof(buf), &pos, pv.post_n);
	}
	if (pv.has_dev) {
		put_str(buf, sizeof(buf), &pos, ".dev");
		put_num(buf, sizeof(buf), &pos, pv.dev_n);
	}
	if (pos >= outsz || pos >= sizeof(buf))
		return sc_error_set(SC_ELIMIT, "public part of pep440 version '%.64s' does not fit in %zu bytes",
			v, outsz);
	memcpy(out, buf, pos);
	out[pos] = '\0';
	return 0;
}
