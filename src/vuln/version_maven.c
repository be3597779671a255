/*
 * version_maven.c - Maven version order (ComparableVersion, maven-artifact 3.8;
 * https://maven.apache.org/pom.html#version-order-specification).
 *
 * A version is lower-cased and split into items at '.', '-' and at every
 * transition between digits and non-digits: numbers (arbitrary size, but
 * see add_item() for Maven's int/long/BigInteger quirk) and qualifiers.  '-' and every digit/letter transition open a nested list; a
 * string item that starts after a '.' opens one too.  The lists form a
 * chain (a nested list is always the last item of its parent), so a version
 * is kept here as a flat array of items cut into "segments", one per list,
 * and compared without recursion.  Normalisation drops trailing "null"
 * items (0, "", ga/final/release, empty lists) from every list, innermost
 * first.
 *
 * Qualifier order: alpha < beta < milestone < rc (= cr) < snapshot <
 * "" (= ga, final, release) < sp < any other string (lexical order);
 * "a1", "b1", "m1" mean alpha-1, beta-1, milestone-1.  Item order:
 * list < number, string < number, string < list; an absent item compares
 * like null (0 or "").
 *
 * Maven accepts every string; only versions longer than SC_VERSION_MAX
 * bytes are rejected.  Bytes are compared as ASCII: non-ASCII bytes are
 * never digits and are not case-folded (Java folds and classifies them by
 * Unicode; versions in practice are ASCII).
 */
#include "vuln/version.h"
#include "core/error.h"

#include <string.h>

enum { MI_INT, MI_STR };

/* Qualifier ranks; Q_OTHER sorts after all of them, then by text. */
enum { Q_ALPHA, Q_BETA, Q_MILESTONE, Q_RC, Q_SNAPSHOT, Q_RELEASE, Q_SP, Q_OTHER };

struct mv_item {
	unsigned char kind;
	unsigned char q;    /* MI_STR: qualifier rank; MI_INT: 0 int, 1 long, 2 BigInteger */
	unsigned short off; /* MI_INT: digits without leading zeros; MI_STR (Q_OTHER): text */
	unsigned short len;
};

#define MV_MAXITEMS (SC_VERSION_MAX + 2)
#define MV_MAXSEGS (2 * SC_VERSION_MAX + 4)

struct mv_ver {
	char s[SC_VERSION_MAX + 1]; /* lower-cased copy */
	struct mv_item it[MV_MAXITEMS];
	unsigned short seg_first[MV_MAXSEGS];
	unsigned short seg_n[MV_MAXSEGS];
	int nseg, nit;
};

static void new_list(struct mv_ver *v)
{
	v->seg_first[v->nseg] = (unsigned short)v->nit;
	v->seg_n[v->nseg] = 0;
	v->nseg++;
}

static int word_is(const char *p, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(p, w, n) == 0;
}

static void add_item(struct mv_ver *v, int digits, size_t off, size_t len, int followed_by_digit)
{
	struct mv_item *it = &v->it[v->nit++];
	const char *p = v->s + off;

	v->seg_n[v->nseg - 1]++;
	if (digits) {
		size_t sig = len;

		while (sig > 0 && *p == '0')
			p++, off++, sig--;
		/*
		 * Maven keeps numbers in an int, a long or a BigInteger item by
		 * their length without leading zeros (all-zero strings keep
		 * theirs): <= 9, <= 18 or more digits.  Items of different
		 * kinds compare by kind (int < long < BigInteger), whatever
		 * their values.
		 */
		if (sig > 0)
			len = sig;
		it->q = len <= 9 ? 0 : len <= 18 ? 1 : 2;
		len = sig;
		it->kind = MI_INT;
	} else {
		static const char *const names[] = { "alpha", "beta", "milestone", "rc", "snapshot", "", "sp" };
		int q = Q_OTHER;

		if (followed_by_digit && len == 1 && (*p == 'a' || *p == 'b' || *p == 'm'))
			q = *p == 'a' ? Q_ALPHA : *p == 'b' ? Q_BETA : Q_MILESTONE;
		else if (word_is(p, len, "ga") || word_is(p, len, "final") || word_is(p, len, "release"))
			q = Q_RELEASE;
		else if (word_is(p, len, "cr"))
			q = Q_RC;
		else
			for (int i = 0; i < Q_OTHER; i++)
				if (word_is(p, len, names[i]))
					q = i;
		it->kind = MI_STR;
		it->q = (unsigned char)q;
	}
	it->off = (unsigned short)off;
	it->len = (unsigned short)len;
}

static int item_is_null(const struct mv_item *it)
{
	return it->kind == MI_INT ? it->len == 0 : it->q == Q_RELEASE;
}

static int parse(struct mv_ver *v, const char *in)
{
	size_t n = strlen(in), start = 0, i;
	int digit = 0;

	if (n > SC_VERSION_MAX)
		return sc_error_set(SC_EINPUT, "maven version longer than %d bytes ('%.32s...')",
			SC_VERSION_MAX, in);
	for (i = 0; i < n; i++)
		v->s[i] = (in[i] >= 'A' && in[i] <= 'Z') ? (char)(in[i] - 'A' + 'a') : in[i];
	v->s[n] = '\0';
	v->nseg = 0;
	v->nit = 0;
	new_list(v);
	for (i = 0; i < n; i++) {
		char c = v->s[i];

		if (c == '.' || c == '-') {
			if (i == start)
				add_item(v, 1, i, 0, 0); /* an empty item is 0 */
			else
				add_item(v, digit, start, i - start, 0);
			start = i + 1;
			if (c == '-')
				new_list(v);
		} else if (c >= '0' && c <= '9') {
			if (!digit && i > start) {
				if (v->seg_n[v->nseg - 1] != 0)
					new_list(v);
				add_item(v, 0, start, i - start, 1);
				start = i;
				new_list(v);
			}
			digit = 1;
		} else {
			if (digit && i > start) {
				add_item(v, 1, start, i - start, 0);
				start = i;
				new_list(v);
			}
			digit = 0;
		}
	}
	if (n > start) {
		if (!digit && v->seg_n[v->nseg - 1] != 0)
			new_list(v);
		add_item(v, digit, start, n - start, 0);
	}
	/* Normalise, innermost list first: drop an empty child list, then trailing nulls. */
	for (int k = v->nseg - 1; k >= 0; k--) {
		if (k + 2 == v->nseg && v->seg_n[k + 1] == 0)
			v->nseg = k + 1;
		while (v->seg_n[k] > 0 && item_is_null(&v->it[v->seg_first[k] + v->seg_n[k] - 1]))
			v->seg_n[k]--;
	}
	return 0;
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

/* Compare two qualifiers (both MI_STR). */
static int cmp_str(const struct mv_ver *va, const struct mv_item *a, const struct mv_ver *vb,
	const struct mv_item *b)
{
	size_t n;
	int c;

	if (a->q != b->q)
		return a->q < b->q ? -1 : 1;
	if (a->q != Q_OTHER)
		return 0;
	n = a->len < b->len ? a->len : b->len;
	c = memcmp(va->s + a->off, vb->s + b->off, n);
	if (c != 0)
		return sign(c);
	return a->len < b->len ? -1 : a->len > b->len;
}

/* An item against an absent one. */
static int cmp_null(const struct mv_item *it)
{
	if (it->kind == MI_INT)
		return it->len != 0;
	return it->q < Q_RELEASE ? -1 : it->q > Q_RELEASE;
}

/* The nested list starting at segment k against an absent item. */
static int list_cmp_null(const struct mv_ver *v, int k)
{
	for (; k < v->nseg; k++)
		for (int i = 0; i < v->seg_n[k]; i++) {
			int c = cmp_null(&v->it[v->seg_first[k] + i]);

			if (c != 0)
				return c;
		}
	return 0;
}

enum { E_NONE, E_ITEM, E_LIST };

static int elem(const struct mv_ver *v, int k, int i, const struct mv_item **it)
{
	if (i < v->seg_n[k]) {
		*it = &v->it[v->seg_first[k] + i];
		return E_ITEM;
	}
	return k + 1 < v->nseg ? E_LIST : E_NONE;
}

static int compare(const struct mv_ver *a, const struct mv_ver *b)
{
	int ka = 0, kb = 0, ia = 0, ib = 0;

	for (;;) {
		const struct mv_item *x = NULL, *y = NULL;
		int ea = elem(a, ka, ia, &x), eb = elem(b, kb, ib, &y), c;

		if (ea == E_NONE && eb == E_NONE)
			return 0;
		if (ea == E_LIST && eb == E_LIST) {
			ka++, kb++, ia = ib = 0;
			continue;
		}
		if (ea == E_NONE) {
			if (eb == E_LIST)
				return -list_cmp_null(b, kb + 1);
			c = -cmp_null(y);
		} else if (eb == E_NONE) {
			if (ea == E_LIST)
				return list_cmp_null(a, ka + 1);
			c = cmp_null(x);
		} else if (ea == E_LIST) {
			return y->kind == MI_INT ? -1 : 1; /* list < number, list > string */
		} else if (eb == E_LIST) {
			return x->kind == MI_INT ? 1 : -1;
		} else if (x->kind == MI_INT && y->kind == MI_INT && x->q != y->q) {
			c = x->q < y->q ? -1 : 1;
		} else if (x->kind == MI_INT && y->kind == MI_INT) {
			c = x->len != y->len ? (x->len < y->len ? -1 : 1)
					     : sign(memcmp(a->s + x->off, b->s + y->off, x->len));
		} else if (x->kind == MI_INT) {
			c = 1;
		} else if (y->kind == MI_INT) {
			c = -1;
		} else {
			c = cmp_str(a, x, b, y);
		}
		if (c != 0)
			return c;
		if (ea == E_ITEM)
			ia++;
		if (eb == E_ITEM)
			ib++;
	}
}

int sc_version_cmp_maven(const char *a, const char *b, int *out)
{
	struct mv_ver va, vb;
	int rc;

	if (a == NULL || b == NULL)
		return sc_error_set(SC_EUSAGE, "maven version is NULL");
	if ((rc = parse(&va, a)) < 0 || (rc = parse(&vb, b)) < 0)
		return rc;
	*out = compare(&va, &vb);
	return 0;
}
