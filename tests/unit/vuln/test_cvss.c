/*
 * test_cvss.c - CVSS v3.0/v3.1 base scores (examples of the CVSS v3.1
 * "Examples" document, FIRST), CVSS v4.0 base scores (values of the FIRST/
 * Red Hat reference calculator; scute agrees with it on all 104976 base
 * vectors and with FIRST's cvsscalc30/31.js on all 2592 v3 base vectors),
 * ratings, and malformed vectors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "vuln/cvss.h"
#include "core/error.h"

#include <string.h>

static void check(const char *vec, int version, double score, sc_cvss_rating rating)
{
	sc_cvss c;
	int rc = sc_cvss_parse(&c, vec);

	if (rc != 0)
		fail_msg("%s: %s", vec, sc_error_msg());
	assert_int_equal(c.version, version);
	if ((int)(c.base_score * 10 + 0.5) != (int)(score * 10 + 0.5))
		fail_msg("%s: got %.1f want %.1f", vec, c.base_score, score);
	assert_int_equal(c.rating, rating);
}

static void bad(const char *vec, const char *msg_part)
{
	sc_cvss c = { 99, 1.5, SC_CVSS_LOW };

	sc_error_clear();
	assert_int_equal(sc_cvss_parse(&c, vec), SC_EINPUT);
	if (strstr(sc_error_msg(), msg_part) == NULL)
		fail_msg("%s: message '%s' lacks '%s'", vec, sc_error_msg(), msg_part);
	assert_int_equal(c.version, 99); /* untouched */
	sc_error_clear();
}

static void test_v31_examples(void **state)
{
	(void)state;
	/* CVSS v3.1 Examples document (FIRST), section by CVE. */
	check("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 31, 6.1, SC_CVSS_MEDIUM); /* CVE-2013-1937 */
	check("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 31, 6.4, SC_CVSS_MEDIUM); /* CVE-2013-0375 */
	check("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 31, 3.1, SC_CVSS_LOW);    /* CVE-2014-3566 */
	check("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 31, 9.9, SC_CVSS_CRITICAL); /* CVE-2012-1516 */
	check("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 31, 8.8, SC_CVSS_HIGH);   /* CVE-2012-0384 */
	check("CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 31, 7.8, SC_CVSS_HIGH);   /* CVE-2015-1098 */
	check("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 31, 7.5, SC_CVSS_HIGH);   /* CVE-2014-0160 */
	check("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 31, 9.8, SC_CVSS_CRITICAL); /* CVE-2014-6271 */
	check("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N", 31, 6.8, SC_CVSS_MEDIUM); /* CVE-2008-1447 */
	check("CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 31, 6.8, SC_CVSS_MEDIUM); /* CVE-2014-2005 */
	check("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 31, 5.8, SC_CVSS_MEDIUM); /* CVE-2010-0467 */
	check("CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 31, 8.8, SC_CVSS_HIGH);   /* CVE-2011-1265 */
	check("CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N", 31, 4.6, SC_CVSS_MEDIUM); /* CVE-2014-2019 */
	check("CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", 31, 5.4, SC_CVSS_MEDIUM); /* CVE-2014-9253 */
	check("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 31, 0.0, SC_CVSS_NONE);
	check("CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L", 31, 4.2, SC_CVSS_MEDIUM);
}

static void test_v30_and_order(void **state)
{
	(void)state;
	check("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 30, 7.5, SC_CVSS_HIGH);
	check("CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 30, 9.9, SC_CVSS_CRITICAL);
	check("CVSS:3.0/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L", 30, 4.2, SC_CVSS_MEDIUM);
	/* Any order; temporal and environmental metrics are validated, not scored. */
	check("CVSS:3.1/A:N/I:N/C:H/S:U/UI:N/PR:N/AC:L/AV:N", 31, 7.5, SC_CVSS_HIGH);
	check("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N/E:P/RL:O/RC:C/CR:H/MAV:L/MPR:X", 31, 7.5,
		SC_CVSS_HIGH);
}

static void test_v40(void **state)
{
	(void)state;
	check("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 40, 9.3, SC_CVSS_CRITICAL);
	check("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 40, 10.0, SC_CVSS_CRITICAL);
	check("CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 40, 8.5, SC_CVSS_HIGH);
	check("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N", 40, 5.3, SC_CVSS_MEDIUM);
	check("CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N", 40, 1.0, SC_CVSS_LOW);
	check("CVSS:4.0/AV:N/AC:H/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N", 40, 8.2, SC_CVSS_HIGH);
	check("CVSS:4.0/AV:A/AC:L/AT:P/PR:L/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N", 40, 5.9, SC_CVSS_MEDIUM);
	check("CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N", 40, 5.3, SC_CVSS_MEDIUM);
	check("CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 40, 8.5, SC_CVSS_HIGH);
	check("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 40, 0.0, SC_CVSS_NONE);
	check("CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 40, 9.2, SC_CVSS_CRITICAL);
	check("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N", 40, 6.9, SC_CVSS_MEDIUM);
	/* Threat, environmental and supplemental metrics: validated, CVSS-B score. */
	check("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U/CR:L/MAV:P/MSI:S/S:P/AU:Y/U:Amber",
		40, 9.3, SC_CVSS_CRITICAL);
}

static void test_malformed(void **state)
{
	char big[1200];
	sc_cvss c;

	(void)state;
	bad("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N", "base metric A missing");
	bad("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N/A:N", "given twice");
	bad("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "invalid value");
	bad("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:NN", "invalid value");
	bad("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N/ZZ:1", "unknown metric");
	bad("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N/AT:N", "unknown metric");
	bad("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N/", "ends with");
	bad("CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "malformed");
	bad("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:", "malformed");
	bad("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/:N", "malformed");
	bad("CVSS:3.1/", "no metrics");
	bad("CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "not a CVSS");
	bad("cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "not a CVSS");
	bad("AV:N/AC:L/Au:N/C:P/I:P/A:P", "not a CVSS"); /* CVSS v2 */
	bad("", "not a CVSS");
	bad("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N", "base metric SA missing");
	bad("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N", "invalid value");
	bad("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:R/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "invalid value");
	bad("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:Purple", "invalid value");
	bad("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:U", "invalid value");
	bad("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/C:H", "unknown metric");
	strcpy(big, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N");
	while (strlen(big) + 5 < sizeof(big))
		strcat(big, "/E:X");
	bad(big, "longer than");
	assert_int_equal(sc_cvss_parse(&c, NULL), SC_EUSAGE);
	sc_error_clear();
}

static void test_ratings(void **state)
{
	(void)state;
	assert_int_equal(sc_cvss_rating_of(0.0), SC_CVSS_NONE);
	assert_int_equal(sc_cvss_rating_of(0.1), SC_CVSS_LOW);
	assert_int_equal(sc_cvss_rating_of(3.9), SC_CVSS_LOW);
	assert_int_equal(sc_cvss_rating_of(4.0), SC_CVSS_MEDIUM);
	assert_int_equal(sc_cvss_rating_of(6.9), SC_CVSS_MEDIUM);
	assert_int_equal(sc_cvss_rating_of(7.0), SC_CVSS_HIGH);
	assert_int_equal(sc_cvss_rating_of(8.9), SC_CVSS_HIGH);
	assert_int_equal(sc_cvss_rating_of(9.0), SC_CVSS_CRITICAL);
	assert_int_equal(sc_cvss_rating_of(10.0), SC_CVSS_CRITICAL);
	assert_string_equal(sc_cvss_rating_name(SC_CVSS_CRITICAL), "critical");
	assert_string_equal(sc_cvss_rating_name(SC_CVSS_NONE), "none");
	assert_string_equal(sc_cvss_rating_name((sc_cvss_rating)42), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v31_examples),
		cmocka_unit_test(test_v30_and_order),
		cmocka_unit_test(test_v40),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_ratings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
