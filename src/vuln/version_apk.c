/*
 * version_apk.c - Alpine package version ordering (apk-tools semantics).
 *
 *   digits{.digits}[letter]{_suffix[digits]}[~hexhash][-rdigits]
 *
 * A version is read as a sequence of tokens; each kind may only follow the
 * kinds before it in this order, which is also the order the tail rule
 * below uses:
 *
 *   FIRST      the leading number (required)
 *   DIGIT      ".N"       numeric, except that when either side has a
 *                         leading zero the two are compared as strings
 *   LETTER     one a-z    after the numbers only
 *   SUFFIX     "_name"    alpha < beta < pre < rc < (none) < cvs < svn
 *                         < git < hg < p
 *   SUFFIX_NO  the digits right after a suffix name
 *   HASH       "~hex"     compared as a string
 *   REVISION   "-rN"      numeric
 *   END
 *
 * Two versions are compared token by token while both have the same kind
 * of token; at the first difference in kind, a pre-release suffix (_alpha
 * .. _rc) on either side makes that side lower, otherwise the side whose
 * token kind comes earlier in the list above (i.e. has more version) is
 * greater.  Anything that does not fit the grammar is rejected.  Numbers
 * are compared at any length (apk-tools uses 64-bit integers, which only
 * differs beyond 19 digits).
 */
#include "vuln/version.h"
#include "core/error.h"

#include <stddef.h>
#include <string.h>

enum apk_tok {
	T_FIRST,
	T_DIGIT,
	T_LETTER,
	T_SUFFIX,
	T_SUFFIX_NO,
	T_HASH,
	T_REVISION,
	T_END,
	T_INVALID,
};

/* Suffix ranks; NONE is the rank of "no suffix". */
enum { S_ALPHA = 1, S_BETA, S_PRE, S_RC, S_NONE, S_CVS, S_SVN, S_GIT, S_HG, S_P };

static const struct {
	const char *name;
	int rank;
} suffixes[] = {
	{"alpha", S_ALPHA}, {"beta", S_BETA}, {"pre", S_PRE}, {"rc", S_RC},
	{"cvs", S_CVS}, {"svn", S_SVN}, {"git", S_GIT}, {"hg", S_HG}, {"p", S_P},
};

typedef struct apk_cursor {
	const char *p, *end;
	int tok;
	int suffix;
	const char *val; /* token text (digits, letter, hash) */
	size_t len;
} apk_cursor;

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static int is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static void take_digits(apk_cursor *c)
{
	c->val = c->p;
	while (c->p < c->end && is_digit((unsigned char)*c->p))
		c->p++;
	c->len = (size_t)(c->p - c->val);
	if (c->len == 0)
		c->tok = T_INVALID;
}

static void first(apk_cursor *c, const char *v, size_t len)
{
	c->p = v;
	c->end = v + len;
	c->suffix = 0;
	c->tok = T_FIRST;
	take_digits(c);
}

static void next(apk_cursor *c)
{
	int ch;

	if (c->p >= c->end) {
		c->tok = T_END;
		return;
	}
	ch = (unsigned char)*c->p;
	if (is_lower(ch)) {
		if (c->tok > T_DIGIT)
			goto invalid;
		c->val = c->p++;
		c->len = 1;
		c->tok = T_LETTER;
	} else if (ch == '.' || is_digit(ch)) {
		if (ch == '.') {
			if (c->tok > T_DIGIT)
				goto invalid;
			c->p++;
		}
		if (c->tok == T_FIRST || c->tok == T_DIGIT)
			c->tok = T_DIGIT;
		else if (c->tok == T_SUFFIX)
			c->tok = T_SUFFIX_NO;
		else
			goto invalid;
		take_digits(c);
	} else if (ch == '_') {
		size_t i;
		if (c->tok > T_SUFFIX_NO)
			goto invalid;
		c->val = ++c->p;
		while (c->p < c->end && is_lower((unsigned char)*c->p))
			c->p++;
		c->len = (size_t)(c->p - c->val);
		c->suffix = 0;
		for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
			if (strlen(suffixes[i].name) == c->len &&
			    memcmp(suffixes[i].name, c->val, c->len) == 0)
				c->suffix = suffixes[i].rank;
		if (!c->suffix)
			goto invalid;
		c->tok = T_SUFFIX;
	} else if (ch == '~') {
		if (c->tok >= T_HASH)
			goto invalid;
		c->val = ++c->p;
		while (c->p < c->end && is_hex((unsigned char)*c->p))
			c->p++;
		c->len = (size_t)(c->p - c->val);
		if (c->len == 0)
			goto invalid;
		c->tok = T_HASH;
	} else if (ch == '-') {
		if (c->tok >= T_REVISION || c->end - c->p < 2 || c->p[1] != 'r')
			goto invalid;
		c->p += 2;
		c->tok = T_REVISION;
		take_digits(c);
	} else {
		goto invalid;
	}
	return;
invalid:
	c->tok = T_INVALID;
}

static int validate(const char *v, size_t *len)
{
	apk_cursor c;

	if (!v)
		return sc_error_set(SC_EUSAGE, "apk version is NULL");
	*len = strnlen(v, SC_VERSION_MAX + 1);
	if (*len > SC_VERSION_MAX)
		return sc_error_set(SC_EINPUT, "invalid apk version '%.64s': longer than 256 bytes", v);
	for (first(&c, v, *len); c.tok < T_END; next(&c))
		;
	if (c.tok != T_END)
		return sc_error_set(SC_EINPUT, "invalid apk version '%.64s'", v);
	return 0;
}

static int numcmp(const char *a, size_t na, const char *b, size_t nb)
{
	int r;

	while (na > 0 && *a == '0')
		a++, na--;
	while (nb > 0 && *b == '0')
		b++, nb--;
	if (na != nb)
		return na < nb ? -1 : 1;
	r = memcmp(a, b, na);
	return r < 0 ? -1 : r > 0;
}

static int strsort(const char *a, size_t na, const char *b, size_t nb)
{
	int r = memcmp(a, b, na < nb ? na : nb);

	if (r)
		return r < 0 ? -1 : 1;
	return na < nb ? -1 : na > nb;
}

static int tok_cmp(const apk_cursor *a, const apk_cursor *b)
{
	switch (a->tok) {
	case T_DIGIT:
		if (a->val[0] == '0' || b->val[0] == '0')
			return strsort(a->val, a->len, b->val, b->len);
		return numcmp(a->val, a->len, b->val, b->len);
	case T_FIRST:
	case T_SUFFIX_NO:
	case T_REVISION:
		return numcmp(a->val, a->len, b->val, b->len);
	case T_SUFFIX:
		return a->suffix < b->suffix ? -1 : a->suffix > b->suffix;
	default: /* letter, hash */
		return strsort(a->val, a->len, b->val, b->len);
	}
}

int sc_version_cmp_apk(const char *a, const char *b, int *out)
{
	apk_cursor ca, cb;
	size_t la, lb;
	int rc, r = 0;

	if (!out)
		return sc_error_set(SC_EUSAGE, "apk compare: NULL result");
	if ((rc = validate(a, &la)) < 0 || (rc = validate(b, &lb)) < 0)
		return rc;
	for (first(&ca, a, la), first(&cb, b, lb); ca.tok == cb.tok && ca.tok < T_END;
	     next(&ca), next(&cb)) {
		r = tok_cmp(&ca, &cb);
		if (r)
			goto done;
	}
	if (ca.tok == cb.tok)
		r = 0;
	else if (ca.tok == T_SUFFIX && ca.suffix < S_NONE)
		r = -1;
	else if (cb.tok == T_SUFFIX && cb.suffix < S_NONE)
		r = 1;
	else
		r = ca.tok > cb.tok ? -1 : 1;
done:
	*out = r;
	return 0;
}
