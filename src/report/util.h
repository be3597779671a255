/*
 * util.h - helpers shared by the report writers (table, JSON, SARIF,
 * CycloneDX): the package of a finding, summary counts, JSON strings that
 * are always valid UTF-8.  Internal to src/report/; header-only.
 */
#ifndef SC_REPORT_UTIL_H
#define SC_REPORT_UTIL_H

#include "core/utf8.h"
#include "report/report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* The catalog package a finding points at, or NULL. */
static inline const sc_package *sc_rp_pkg(const sc_report_ctx *ctx, const sc_finding *f)
{
	if (!ctx->cat || f->pkg < 0 || (size_t)f->pkg >= ctx->cat->n_pkgs)
		return NULL;
	return &ctx->cat->pkgs[f->pkg];
}

/* The purl of a finding's package (from ctx->purls), or NULL. */
static inline const char *sc_rp_purl(const sc_report_ctx *ctx, const sc_finding *f)
{
	if (!sc_rp_pkg(ctx, f) || !ctx->purls)
		return NULL;
	return ctx->purls[f->pkg];
}

typedef struct sc_rp_counts {
	size_t level[SC_LEVEL_CRITICAL + 1]; /* shown (not suppressed) findings per level */
	size_t shown, suppressed;
} sc_rp_counts;

/*
 * Count findings per level.  Suppressed ones are counted from the list's
 * flags; ctx->n_suppressed covers callers that dropped them from the list.
 */
static inline void sc_rp_count(sc_rp_counts *c, const sc_report_ctx *ctx, const sc_findings *fs)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < fs->n; i++) {
		const sc_finding *f = &fs->items[i];

		if (f->suppressed) {
			c->suppressed++;
			continue;
		}
		c->level[(unsigned)f->level <= SC_LEVEL_CRITICAL ? f->level : SC_LEVEL_UNKNOWN]++;
		c->shown++;
	}
	if (ctx->n_suppressed > c->suppressed)
		c->suppressed = ctx->n_suppressed;
}

/* A JSON string; invalid UTF-8 is replaced with '?'; NULL gives JSON null. */
static inline json_t *sc_rp_str(const char *s)
{
	json_t *j;
	char *copy;

	if (!s)
		return json_null();
	if ((j = json_string(s)) != NULL)
		return j;
	if ((copy = strdup(s)) == NULL)
		return NULL;
	sc_utf8_sanitize(copy);
	j = json_string(copy);
	free(copy);
	return j;
}

/* Set key to a string when s is non-NULL (absent otherwise). */
static inline void sc_rp_set_opt(json_t *obj, const char *key, const char *s)
{
	if (s)
		json_object_set_new(obj, key, sc_rp_str(s));
}

/* A JSON array of the strings of a NULL-terminated array (empty when NULL). */
static inline json_t *sc_rp_strv(char *const *v)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && v && v[i]; i++)
		json_array_append_new(a, sc_rp_str(v[i]));
	return a;
}

/* The first alias starting with "CVE-", or NULL. */
static inline const char *sc_rp_first_cve(char *const *aliases)
{
	size_t i;

	for (i = 0; aliases && aliases[i]; i++)
		if (strncmp(aliases[i], "CVE-", 4) == 0)
			return aliases[i];
	return NULL;
}

/* An http(s) URL that is a valid URI as is: no spaces, controls or characters RFC 3986 excludes. */
static inline int sc_rp_url_ok(const char *u)
{
	const unsigned char *p;

	if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0)
		return 0;
	for (p = (const unsigned char *)u; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '"' || *p == '<' || *p == '>' || *p == '\\' || *p == '^' ||
		    *p == '`' || *p == '{' || *p == '|' || *p == '}')
			return 0;
	return 1;
}

static inline int sc_rp_digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/*
 * Parse an RFC 3339 date-time ("2024-01-02T03:04:05.123Z",
 * "...+02:00"; 't'/'z' and ' ' as separator are accepted per the RFC's
 * note) into seconds since the epoch (UTC) and nanoseconds.  -1 when not
 * RFC 3339.
 */
static inline int sc_rp_rfc3339(const char *s, long long *secs, long *nsec)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int Y, M, D, h, m, sec, oh = 0, om = 0, sign = 0, leap;
	long ns = 0, scale = 100000000;
	long long y, era, yoe, doy, doe, days;

	if (!s || sc_rp_digits(s, 4, &Y) || s[4] != '-' || sc_rp_digits(s + 5, 2, &M) || s[7] != '-' ||
	    sc_rp_digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    sc_rp_digits(s + 11, 2, &h) || s[13] != ':' || sc_rp_digits(s + 14, 2, &m) || s[16] != ':' ||
	    sc_rp_digits(s + 17, 2, &sec))
		return -1;
	s += 19;
	if (*s == '.') {
		if (s[1] < '0' || s[1] > '9')
			return -1;
		for (s++; *s >= '0' && *s <= '9'; s++) {
			ns += (*s - '0') * scale;
			scale /= 10;
		}
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s == '-' ? -1 : 1;
		if (sc_rp_digits(s + 1, 2, &oh) || s[3] != ':' || sc_rp_digits(s + 4, 2, &om) || oh > 23 || om > 59)
			return -1;
		s += 6;
	} else {
		return -1;
	}
	leap = (Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0;
	if (*s || M < 1 || M > 12 || D < 1 || D > mdays[M - 1] || (M == 2 && D == 29 && !leap) || h > 23 ||
	    m > 59 || sec > 60)
		return -1;
	/* Days from civil (H. Hinnant). */
	y = Y - (M <= 2);
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (M + (M > 2 ? -3 : 9)) + 2) / 5 + D - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	days = era * 146097 + doe - 719468;
	*secs = days * 86400 + h * 3600 + m * 60 + sec - sign * (oh * 3600 + om * 60);
	*nsec = ns;
	return 0;
}

#endif
