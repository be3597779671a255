/*
 * cvss.c - CVSS v3.0, v3.1 and v4.0 base scores from vector strings.
 *
 * v3.x: CVSS v3.1 specification section 7 (base metric equations) and
 * Appendix A (Roundup on integers, to avoid floating-point surprises);
 * v3.0 vectors use the v3.0 Roundup (smallest tenth >= the value).
 *
 * v4.0: CVSS v4.0 specification section 8 (MacroVectors, EQ1..EQ6) with the
 * MacroVector score table and the severity-distance interpolation of the
 * FIRST reference calculator (github.com/RedHatProductSecurity/cvss-v4-calculator,
 * cvss40.js: LOOKUP_TABLE, MAX_COMPOSED, MAX_SEVERITY, METRIC_LEVELS).  The
 * score is CVSS-B: threat, environmental and supplemental metrics are
 * validated but do not change base_score (E, CR, IR and AR count as "X").
 *
 * Parsing is strict: the "CVSS:3.0/", "CVSS:3.1/" or "CVSS:4.0/" prefix,
 * "/"-separated METRIC:VALUE pairs, every base metric exactly once, no
 * duplicates, no unknown metrics or values, no empty components, at most
 * SC_CVSS_VECTOR_MAX bytes.  Metrics may appear in any order.
 */
#include "vuln/cvss.h"
#include "core/error.h"

#include <math.h> /* NAN and isnan only: libscute does not link libm */
#include <string.h>

#define SC_CVSS_VECTOR_MAX 512

/*
 * Small replacements for libm, valid for the non-negative values below
 * 1e9 that occur here.
 */
static double floor_pos(double x)
{
	return (double)(long long)x;
}

static double ceil_pos(double x)
{
	double t = floor_pos(x);

	return t < x ? t + 1.0 : t;
}

static long round_pos(double x)
{
	return (long)floor_pos(x + 0.5);
}

static double dmin(double a, double b)
{
	return a < b ? a : b;
}

static double dmax(double a, double b)
{
	return a > b ? a : b;
}

static double pow15(double x)
{
	double r = 1.0;

	for (int i = 0; i < 15; i++)
		r *= x;
	return r;
}

/* One metric: name, accepted values (one letter each), base metric or not. */
struct metric_def {
	const char *name;
	const char *values;
	int base;
};

/* v3.x: base metrics first (indices used below), then temporal and environmental. */
enum { V3_AV, V3_AC, V3_PR, V3_UI, V3_S, V3_C, V3_I, V3_A, V3_NBASE };
static const struct metric_def v3_metrics[] = {
	{ "AV", "NALP", 1 }, { "AC", "LH", 1 }, { "PR", "NLH", 1 }, { "UI", "NR", 1 },
	{ "S", "UC", 1 },    { "C", "HLN", 1 },  { "I", "HLN", 1 },  { "A", "HLN", 1 },
	{ "E", "XUPFH", 0 }, { "RL", "XOTWU", 0 }, { "RC", "XURC", 0 },
	{ "CR", "XLMH", 0 }, { "IR", "XLMH", 0 }, { "AR", "XLMH", 0 },
	{ "MAV", "XNALP", 0 }, { "MAC", "XLH", 0 }, { "MPR", "XNLH", 0 }, { "MUI", "XNR", 0 },
	{ "MS", "XUC", 0 },  { "MC", "XNLH", 0 }, { "MI", "XNLH", 0 }, { "MA", "XNLH", 0 },
};

/* v4.0: base metrics first, then threat, environmental and supplemental. */
enum { V4_AV, V4_AC, V4_AT, V4_PR, V4_UI, V4_VC, V4_VI, V4_VA, V4_SC, V4_SI, V4_SA, V4_NBASE };
static const struct metric_def v4_metrics[] = {
	{ "AV", "NALP", 1 }, { "AC", "LH", 1 },  { "AT", "NP", 1 },  { "PR", "NLH", 1 },
	{ "UI", "NPA", 1 },  { "VC", "HLN", 1 }, { "VI", "HLN", 1 }, { "VA", "HLN", 1 },
	{ "SC", "HLN", 1 },  { "SI", "HLN", 1 }, { "SA", "HLN", 1 },
	{ "E", "XAPU", 0 },
	{ "CR", "XHML", 0 }, { "IR", "XHML", 0 }, { "AR", "XHML", 0 },
	{ "MAV", "XNALP", 0 }, { "MAC", "XLH", 0 }, { "MAT", "XNP", 0 }, { "MPR", "XNLH", 0 },
	{ "MUI", "XNPA", 0 }, { "MVC", "XHLN", 0 }, { "MVI", "XHLN", 0 }, { "MVA", "XHLN", 0 },
	{ "MSC", "XHLN", 0 }, { "MSI", "XSHLN", 0 }, { "MSA", "XSHLN", 0 },
	{ "S", "XNP", 0 },   { "AU", "XNY", 0 }, { "R", "XAUI", 0 }, { "V", "XDC", 0 },
	{ "RE", "XLMH", 0 }, { "U", "X", 0 },
};

#define MAX_METRICS (sizeof(v4_metrics) / sizeof(v4_metrics[0]))

/*
 * Split "M:V/M:V/..." (after the prefix) into one value letter per metric of
 * `defs` (0 when absent).  Multi-letter values exist only for v4's U
 * (Clear, Green, Amber, Red), handled as a special case.
 */
static int parse_metrics(const char *p, const struct metric_def *defs, size_t ndefs,
	char *vals, const char *vector)
{
	memset(vals, 0, ndefs);
	if (*p == '\0')
		return sc_error_set(SC_EINPUT, "CVSS vector '%.64s' has no metrics", vector);
	for (;;) {
		const char *colon = NULL, *end = p;
		size_t nlen, vlen, i;

		while (*end != '\0' && *end != '/') {
			if (*end == ':' && colon == NULL)
				colon = end;
			end++;
		}
		if (colon == NULL || colon == p || colon + 1 == end)
			return sc_error_set(SC_EINPUT, "CVSS vector '%.64s': malformed component '%.*s'",
				vector, (int)(end - p > 32 ? 32 : end - p), p);
		nlen = (size_t)(colon - p);
		vlen = (size_t)(end - colon - 1);
		for (i = 0; i < ndefs; i++)
			if (strlen(defs[i].name) == nlen && memcmp(defs[i].name, p, nlen) == 0)
				break;
		if (i == ndefs)
			return sc_error_set(SC_EINPUT, "CVSS vector '%.64s': unknown metric '%.*s'",
				vector, (int)(nlen > 16 ? 16 : nlen), p);
		if (vals[i] != 0)
			return sc_error_set(SC_EINPUT, "CVSS vector '%.64s': metric %s given twice",
				vector, defs[i].name);
		if (strcmp(defs[i].name, "U") == 0) {
			static const char *const u[] = { "X", "Clear", "Green", "Amber", "Red" };
			size_t k;

			for (k = 0; k < sizeof(u) / sizeof(u[0]); k++)
				if (strlen(u[k]) == vlen && memcmp(u[k], colon + 1, vlen) == 0)
					break;
			if (k == sizeof(u) / sizeof(u[0]))
				goto badvalue;
			vals[i] = u[k][0];
		} else {
			if (vlen != 1 || colon[1] == '\0' || strchr(defs[i].values, colon[1]) == NULL)
				goto badvalue;
			vals[i] = colon[1];
		}
		if (*end == '\0')
			break;
		p = end + 1;
		if (*p == '\0')
			return sc_error_set(SC_EINPUT, "CVSS vector '%.64s' ends with '/'", vector);
		continue;
badvalue:
		return sc_error_set(SC_EINPUT, "CVSS vector '%.64s': invalid value '%.*s' for metric %s",
			vector, (int)(vlen > 16 ? 16 : vlen), colon + 1, defs[i].name);
	}
	for (size_t i = 0; i < ndefs; i++)
		if (defs[i].base && vals[i] == 0)
			return sc_error_set(SC_EINPUT, "CVSS vector '%.64s': base metric %s missing",
				vector, defs[i].name);
	return 0;
}

/* v3.1 Appendix A: Roundup via integers. */
static double roundup31(double x)
{
	long i = round_pos(x * 100000.0);

	if (i % 10000 == 0)
		return (double)i / 100000.0;
	return (double)(i / 10000 + 1) / 10.0;
}

/* v3.0: the smallest number, to one decimal place, >= the input. */
static double roundup30(double x)
{
	return ceil_pos(x * 10.0) / 10.0;
}

static double v3_cia(char v)
{
	return v == 'H' ? 0.56 : v == 'L' ? 0.22 : 0.0;
}

static double v3_score(const char *m, int version)
{
	int changed = m[V3_S] == 'C';
	double av, ac, pr, ui, iss, impact, expl, s;

	av = m[V3_AV] == 'N' ? 0.85 : m[V3_AV] == 'A' ? 0.62 : m[V3_AV] == 'L' ? 0.55 : 0.2;
	ac = m[V3_AC] == 'L' ? 0.77 : 0.44;
	if (m[V3_PR] == 'N')
		pr = 0.85;
	else if (m[V3_PR] == 'L')
		pr = changed ? 0.68 : 0.62;
	else
		pr = changed ? 0.5 : 0.27;
	ui = m[V3_UI] == 'N' ? 0.85 : 0.62;
	iss = 1.0 - ((1.0 - v3_cia(m[V3_C])) * (1.0 - v3_cia(m[V3_I])) * (1.0 - v3_cia(m[V3_A])));
	if (changed)
		impact = 7.52 * (iss - 0.029) - 3.25 * pow15(iss - 0.02);
	else
		impact = 6.42 * iss;
	expl = 8.22 * av * ac * pr * ui;
	if (impact <= 0)
		return 0.0;
	s = changed ? dmin(1.08 * (impact + expl), 10.0) : dmin(impact + expl, 10.0);
	return version == 30 ? roundup30(s) : roundup31(s);
}

/*
 * MacroVector scores in tenths, indexed [eq1][eq2][eq3][eq4][eq5][eq6]
 * (3x2x3x3x3x2); -1 where the MacroVector does not exist.  Data transcribed
 * from LOOKUP_TABLE in the FIRST/Red Hat CVSS v4.0 reference calculator
 * (cvss40.js, github.com/RedHatProductSecurity/cvss-v4-calculator).
 */
static const signed char v4_lookup[324] = {
	100, 99, 98, 95, 95, 92, 100, 96, 93, 87, 91, 81, 93, 90, 89, 80, 81, 68,
	98, 95, 95, 92, 90, 84, 93, 92, 89, 81, 81, 65, 88, 80, 78, 70, 69, 48,
	-1, 92, -1, 82, -1, 72, -1, 79, -1, 69, -1, 50, -1, 69, -1, 55, -1, 27,
	99, 97, 95, 92, 92, 85, 95, 91, 90, 83, 84, 71, 92, 81, 82, 71, 72, 53,
	95, 93, 92, 85, 85, 73, 92, 82, 80, 72, 70, 59, 84, 70, 71, 52, 50, 30,
	-1, 86, -1, 75, -1, 52, -1, 71, -1, 52, -1, 29, -1, 63, -1, 29, -1, 17,
	98, 95, 94, 87, 91, 81, 94, 89, 86, 74, 77, 64, 87, 75, 74, 63, 63, 49,
	94, 89, 88, 77, 76, 67, 86, 76, 74, 58, 59, 50, 72, 57, 57, 52, 52, 25,
	-1, 83, -1, 70, -1, 54, -1, 65, -1, 58, -1, 26, -1, 53, -1, 21, -1, 13,
	95, 90, 88, 76, 76, 70, 90, 77, 75, 62, 61, 53, 77, 66, 68, 59, 52, 30,
	89, 78, 76, 67, 62, 58, 74, 59, 57, 57, 47, 23, 61, 52, 57, 29, 24, 16,
	-1, 71, -1, 59, -1, 30, -1, 58, -1, 26, -1, 15, -1, 23, -1, 13, -1, 6,
	93, 87, 86, 72, 75, 58, 86, 74, 74, 61, 56, 34, 70, 54, 52, 40, 40, 22,
	85, 75, 74, 55, 62, 51, 72, 57, 55, 41, 46, 19, 53, 36, 34, 19, 19, 8,
	-1, 64, -1, 51, -1, 20, -1, 47, -1, 21, -1, 11, -1, 24, -1, 9, -1, 4,
	88, 75, 73, 53, 60, 50, 73, 55, 59, 40, 41, 20, 54, 43, 45, 22, 20, 11,
	75, 55, 58, 45, 40, 21, 61, 51, 48, 18, 20, 9, 46, 18, 17, 7, 8, 2,
	-1, 53, -1, 24, -1, 14, -1, 24, -1, 12, -1, 5, -1, 10, -1, 3, -1, 1,
};

/* Score of MacroVector eq[0..5], or NAN when it does not exist. */
static double v4_macro(const int *eq)
{
	static const int lim[6] = { 3, 2, 3, 3, 3, 2 };
	int idx = 0;

	for (int i = 0; i < 6; i++) {
		if (eq[i] < 0 || eq[i] >= lim[i])
			return NAN;
		idx = idx * lim[i] + eq[i];
	}
	if (v4_lookup[idx] < 0)
		return NAN;
	return v4_lookup[idx] / 10.0;
}

/* Severity levels of the reference calculator (METRIC_LEVELS). */
static double lvl_av(char v) { return v == 'N' ? 0.0 : v == 'A' ? 0.1 : v == 'L' ? 0.2 : 0.3; }
static double lvl_pr(char v) { return v == 'N' ? 0.0 : v == 'L' ? 0.1 : 0.2; }
static double lvl_ui(char v) { return v == 'N' ? 0.0 : v == 'P' ? 0.1 : 0.2; }
static double lvl_ac(char v) { return v == 'L' ? 0.0 : 0.1; }
static double lvl_at(char v) { return v == 'N' ? 0.0 : 0.1; }
static double lvl_v(char v) { return v == 'H' ? 0.0 : v == 'L' ? 0.1 : 0.2; }
static double lvl_sc(char v) { return v == 'H' ? 0.1 : v == 'L' ? 0.2 : 0.3; }
static double lvl_s(char v) { return v == 'S' ? 0.0 : v == 'H' ? 0.1 : v == 'L' ? 0.2 : 0.3; }
static double lvl_req(char v) { return v == 'H' ? 0.0 : v == 'M' ? 0.1 : 0.2; }

/*
 * Highest-severity vectors of each EQ level (MAX_COMPOSED), as value letters:
 * eq1 "AV PR UI", eq2 "AC AT", eq3+eq6 "VC VI VA CR IR AR", eq4 "SC SI SA".
 */
static const char *const max_eq1[3][3] = { { "NNN" }, { "ANN", "NLN", "NNP" }, { "PNN", "ALP" } };
static const char *const max_eq2[2][2] = { { "LN" }, { "HN", "LP" } };
static const char *const max_eq36[3][2][5] = {
	{ { "HHHHHH" }, { "HHLMMH", "HHHMMM" } },
	{ { "LHHHHH", "HLHHHH" }, { "LHLHMH", "LHHHMM", "HLHMHM", "HLLMHH", "LLHHHM" } },
	{ { NULL }, { "LLLHHH" } },
};
static const char *const max_eq4[3] = { "HSS", "HHH", "LLL" };
/* MAX_SEVERITY: maximal severity distance within each level (+1), in steps of 0.1. */
static const int maxsev_eq1[3] = { 1, 4, 5 };
static const int maxsev_eq2[2] = { 1, 2 };
static const int maxsev_eq36[3][2] = { { 7, 6 }, { 8, 8 }, { 0, 10 } };
static const int maxsev_eq4[3] = { 6, 5, 4 };

static double v4_score(const char *m)
{
	const double step = 0.1;
	char av = m[V4_AV], pr = m[V4_PR], ui = m[V4_UI], vc = m[V4_VC], vi = m[V4_VI], va = m[V4_VA];
	char sc = m[V4_SC], si = m[V4_SI], sa = m[V4_SA];
	int eq[6], nx[6];
	double value, lower[5], d1 = 0, d2 = 0, d36 = 0, d4 = 0, dist[5], mean, sum = 0;
	int found = 0, nlower = 0;

	if (vc == 'N' && vi == 'N' && va == 'N' && sc == 'N' && si == 'N' && sa == 'N')
		return 0.0;
	/* EQ1..EQ6 (spec section 8.1; E, CR, IR, AR at their "X" defaults A, H, H, H). */
	if (av == 'N' && pr == 'N' && ui == 'N')
		eq[0] = 0;
	else if ((av == 'N' || pr == 'N' || ui == 'N') && av != 'P')
		eq[0] = 1;
	else
		eq[0] = 2;
	eq[1] = (m[V4_AC] == 'L' && m[V4_AT] == 'N') ? 0 : 1;
	if (vc == 'H' && vi == 'H')
		eq[2] = 0;
	else if (vc == 'H' || vi == 'H' || va == 'H')
		eq[2] = 1;
	else
		eq[2] = 2;
	eq[3] = (sc == 'H' || si == 'H' || sa == 'H') ? 1 : 2;
	eq[4] = 0;
	eq[5] = (vc == 'H' || vi == 'H' || va == 'H') ? 0 : 1;

	value = v4_macro(eq);
	/* The next lower MacroVector along each EQ. */
	for (int k = 0; k < 5; k++) {
		memcpy(nx, eq, sizeof(nx));
		if (k == 2) {
			if (eq[2] == 0 && eq[5] == 0) {
				double l, r;

				nx[5]++;
				l = v4_macro(nx);
				nx[5]--;
				nx[2]++;
				r = v4_macro(nx);
				/* Math.max: NaN when either is NaN. */
				lower[k] = (isnan(l) || isnan(r)) ? NAN : dmax(l, r);
				continue;
			}
			if (eq[2] == 1 && eq[5] == 0) {
				nx[5]++;
			} else if (eq[2] <= 1) {
				nx[2]++;
			} else {
				nx[2]++;
				nx[5]++;
			}
		} else {
			nx[k]++;
		}
		lower[k] = v4_macro(nx);
	}

	/* The first highest-severity vector of this MacroVector that the vector does not exceed. */
	for (int a = 0; a < 3 && !found; a++) {
		const char *x1 = max_eq1[eq[0]][a];
		if (x1 == NULL)
			break;
		for (int b = 0; b < 2 && !found; b++) {
			const char *x2 = max_eq2[eq[1]][b];
			if (x2 == NULL)
				break;
			for (int c = 0; c < 5 && !found; c++) {
				const char *x3 = max_eq36[eq[2]][eq[5]][c];
				const char *x4 = max_eq4[eq[3]];
				double dd[15];
				int ok = 1;

				if (x3 == NULL)
					break;
				dd[0] = lvl_av(av) - lvl_av(x1[0]);
				dd[1] = lvl_pr(pr) - lvl_pr(x1[1]);
				dd[2] = lvl_ui(ui) - lvl_ui(x1[2]);
				dd[3] = lvl_ac(m[V4_AC]) - lvl_ac(x2[0]);
				dd[4] = lvl_at(m[V4_AT]) - lvl_at(x2[1]);
				dd[5] = lvl_v(vc) - lvl_v(x3[0]);
				dd[6] = lvl_v(vi) - lvl_v(x3[1]);
				dd[7] = lvl_v(va) - lvl_v(x3[2]);
				dd[8] = lvl_sc(sc) - lvl_sc(x4[0]);
				dd[9] = lvl_s(si) - lvl_s(x4[1]);
				dd[10] = lvl_s(sa) - lvl_s(x4[2]);
				dd[11] = lvl_req('H') - lvl_req(x3[3]);
				dd[12] = lvl_req('H') - lvl_req(x3[4]);
				dd[13] = lvl_req('H') - lvl_req(x3[5]);
				dd[14] = 0.0; /* E */
				for (int i = 0; i < 15; i++)
					if (dd[i] < 0)
						ok = 0;
				/* Like the reference, the last candidate's distances
				 * stay when no candidate fits. */
				d1 = dd[0] + dd[1] + dd[2];
				d2 = dd[3] + dd[4];
				d36 = dd[5] + dd[6] + dd[7] + dd[11] + dd[12] + dd[13];
				d4 = dd[8] + dd[9] + dd[10];
				found = ok;
			}
		}
	}
	dist[0] = d1 / (maxsev_eq1[eq[0]] * step);
	dist[1] = d2 / (maxsev_eq2[eq[1]] * step);
	dist[2] = d36 / (maxsev_eq36[eq[2]][eq[5]] * step);
	dist[3] = d4 / (maxsev_eq4[eq[3]] * step);
	dist[4] = 0.0;
	for (int k = 0; k < 5; k++) {
		double n = 0.0;

		if (isnan(lower[k]))
			continue;
		nlower++;
		n = (value - lower[k]) * dist[k];
		sum += n;
	}
	mean = nlower == 0 ? 0.0 : sum / nlower;
	value = dmax(0.0, dmin(10.0, value - mean));
	return floor_pos((value + 1e-6) * 10.0 + 0.5) / 10.0;
}

int sc_cvss_parse(sc_cvss *out, const char *vector)
{
	char vals[MAX_METRICS];
	sc_cvss r;
	int rc;

	if (vector == NULL)
		return sc_error_set(SC_EUSAGE, "CVSS vector is NULL");
	if (strnlen(vector, SC_CVSS_VECTOR_MAX + 1) > SC_CVSS_VECTOR_MAX)
		return sc_error_set(SC_EINPUT, "CVSS vector longer than %d bytes", SC_CVSS_VECTOR_MAX);
	if (strncmp(vector, "CVSS:3.0/", 9) == 0 || strncmp(vector, "CVSS:3.1/", 9) == 0) {
		r.version = vector[7] == '0' ? 30 : 31;
		rc = parse_metrics(vector + 9, v3_metrics, sizeof(v3_metrics) / sizeof(v3_metrics[0]),
			vals, vector);
		if (rc < 0)
			return rc;
		r.base_score = v3_score(vals, r.version);
	} else if (strncmp(vector, "CVSS:4.0/", 9) == 0) {
		r.version = 40;
		rc = parse_metrics(vector + 9, v4_metrics, MAX_METRICS, vals, vector);
		if (rc < 0)
			return rc;
		r.base_score = v4_score(vals);
	} else {
		return sc_error_set(SC_EINPUT, "'%.64s' is not a CVSS v3.0, v3.1 or v4.0 vector", vector);
	}
	r.rating = sc_cvss_rating_of(r.base_score);
	*out = r;
	return 0;
}

const char *sc_cvss_rating_name(sc_cvss_rating r)
{
	static const char *const n[] = { "none", "low", "medium", "high", "critical" };

	return (unsigned)r < 5 ? n[r] : "none";
}

sc_cvss_rating sc_cvss_rating_of(double score)
{
	if (score >= 9.0)
		return SC_CVSS_CRITICAL;
	if (score >= 7.0)
		return SC_CVSS_HIGH;
	if (score >= 4.0)
		return SC_CVSS_MEDIUM;
	if (score > 0.0)
		return SC_CVSS_LOW;
	return SC_CVSS_NONE;
}
