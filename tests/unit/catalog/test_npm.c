/*
 * test_npm.c - the npm cataloger: plain, scoped and nested node_modules
 * packages, the license forms (string, {type}, legacy licenses array),
 * author forms, dependencies, and bad input (no version, invalid JSON,
 * deep nesting, oversized files).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "catalog/npm.h"
#include "core/json.h"
#include "catalogtest.h"

static int has(char **v, const char *s)
{
	for (; v && *v; v++)
		if (strcmp(*v, s) == 0)
			return 1;
	return 0;
}

static const sc_package *find(const sc_catalog *cat, const char *name, const char *location)
{
	size_t i;

	for (i = 0; i < cat->n_pkgs; i++)
		if (cat->pkgs[i].eco == SC_ECO_NPM && strcmp(cat->pkgs[i].name, name) == 0 &&
		    strcmp(cat->pkgs[i].location, location) == 0)
			return &cat->pkgs[i];
	return NULL;
}

static void test_parse(void **state)
{
	sc_npm_pkg p;
	static const char express[] =
		"{\"name\":\"express\",\"description\":\"Fast, unopinionated, minimalist web framework\","
		"\"version\":\"4.18.2\",\"author\":\"TJ Holowaychuk <tj@vision-media.ca>\",\"license\":\"MIT\","
		"\"dependencies\":{\"accepts\":\"~1.3.8\",\"body-parser\":\"1.20.1\",\"@types/node\":\"*\"}}";

	(void)state;
	assert_int_equal(sc_npm_parse_package_json(&p, express, strlen(express)), 0);
	assert_string_equal(p.name, "express");
	assert_string_equal(p.version, "4.18.2");
	assert_string_equal(p.license, "MIT");
	assert_string_equal(p.author, "TJ Holowaychuk <tj@vision-media.ca>");
	assert_string_equal(p.description, "Fast, unopinionated, minimalist web framework");
	assert_true(has(p.depends, "body-parser"));
	assert_true(has(p.depends, "@types/node"));
	assert_int_equal(sc_strv_len(p.depends), 3);
	sc_npm_pkg_release(&p);

	{
		static const char obj[] = "{\"name\":\"x\",\"version\":\"1\",\"license\":{\"type\":\"ISC\","
					  "\"url\":\"u\"},\"author\":{\"name\":\"Ann\",\"email\":\"a@b\"}}";

		assert_int_equal(sc_npm_parse_package_json(&p, obj, strlen(obj)), 0);
	}
	assert_string_equal(p.license, "ISC");
	assert_string_equal(p.author, "Ann");
	assert_null(p.depends);
	sc_npm_pkg_release(&p);
	{
		static const char legacy[] = "{\"name\":\"y\",\"version\":\"2\",\"licenses\":[{\"type\":\"MIT\"},"
					     "{\"type\":\"Apache-2.0\"},7,\"BSD\"]}";

		assert_int_equal(sc_npm_parse_package_json(&p, legacy, strlen(legacy)), 0);
		assert_string_equal(p.license, "MIT OR Apache-2.0 OR BSD");
		sc_npm_pkg_release(&p);
	}
	assert_int_equal(sc_npm_parse_package_json(&p, "{\"name\":\"x\"}", strlen("{\"name\":\"x\"}")), SC_ENOTFOUND);
	assert_int_equal(sc_npm_parse_package_json(&p, "{\"name\":\"x\",\"version\":3}", strlen("{\"name\":\"x\",\"version\":3}")), SC_ENOTFOUND);
	assert_int_equal(sc_npm_parse_package_json(&p, "{\"name\":\"a b\",\"version\":\"1\"}", strlen("{\"name\":\"a b\",\"version\":\"1\"}")), SC_ENOTFOUND);
	assert_int_equal(sc_npm_parse_package_json(&p, "[1,2]", strlen("[1,2]")), SC_EINPUT);
	assert_int_equal(sc_npm_parse_package_json(&p, "{\"name\":", strlen("{\"name\":")), SC_EINPUT);
	{
		char deep[200];

		memset(deep, '[', sizeof(deep));
		assert_int_equal(sc_npm_parse_package_json(&p, deep, sizeof(deep)), SC_ELIMIT);
	}
	sc_error_clear();
}

static void test_catalog(void **state)
{
	static const sc_cataloger *const cats[] = { &sc_cataloger_npm };
	sc_catalog cat;
	const sc_package *p;
	tt_tar t;
	tt_blob b;
	char *big;
	size_t n = (1u << 20) + 100;

	(void)state;
	tt_tar_init(&t, 8 << 20);
	tt_file(&t, "app/package.json", "{\"name\":\"myapp\",\"version\":\"1.0.0\"}"); /* the app itself: not installed */
	tt_file(&t, "app/node_modules/express/package.json",
		"{\"name\":\"express\",\"version\":\"4.18.2\",\"license\":\"MIT\",\"dependencies\":{\"debug\":\"2.6.9\"}}");
	tt_file(&t, "app/node_modules/express/node_modules/debug/package.json",
		"{\"name\":\"debug\",\"version\":\"2.6.9\",\"author\":{\"name\":\"TJ Holowaychuk\"}}");
	tt_file(&t, "app/node_modules/debug/package.json", "{\"name\":\"debug\",\"version\":\"4.3.4\"}");
	tt_file(&t, "app/node_modules/@babel/core/package.json",
		"{\"name\":\"@babel/core\",\"version\":\"7.24.0\",\"license\":{\"type\":\"MIT\"}}");
	tt_file(&t, "app/node_modules/@babel/core/node_modules/@babel/types/package.json",
		"{\"name\":\"@babel/types\",\"version\":\"7.24.0\"}");
	tt_file(&t, "app/node_modules/express/lib/package.json", "{\"name\":\"not-a-package\",\"version\":\"0\"}");
	tt_file(&t, "usr/lib/node_modules/npm/package.json", "{\"name\":\"npm\",\"version\":\"9.2.0\",\"licenses\":[\"Artistic-2.0\"]}");
	tt_file(&t, "app/node_modules/noversion/package.json", "{\"name\":\"noversion\"}");
	tt_file(&t, "app/node_modules/broken/package.json", "{\"name\": \"broken\", ");
	big = malloc(n);
	memset(big, ' ', n);
	memcpy(big, "{\"name\":\"big\",\"version\":\"1\"", 27);
	big[n - 1] = '}';
	tt_add(&t, "app/node_modules/big/package.json", 'f', 0644, big, n, NULL);
	free(big);
	b = tt_finish(&t);

	sc_catalog_init(&cat);
	assert_int_equal(ct_run(cats, 1, &b, 1, &cat, NULL), 0);
	assert_int_equal(cat.n_pkgs, 6);
	p = find(&cat, "express", "app/node_modules/express/package.json");
	assert_non_null(p);
	assert_string_equal(p->license, "MIT");
	assert_true(has(p->depends, "debug"));
	p = find(&cat, "debug", "app/node_modules/express/node_modules/debug/package.json");
	assert_non_null(p);
	assert_string_equal(p->version, "2.6.9");
	assert_string_equal(p->supplier, "TJ Holowaychuk");
	assert_non_null(find(&cat, "debug", "app/node_modules/debug/package.json"));
	p = find(&cat, "@babel/core", "app/node_modules/@babel/core/package.json");
	assert_non_null(p);
	assert_string_equal(p->license, "MIT");
	assert_non_null(find(&cat, "@babel/types", "app/node_modules/@babel/core/node_modules/@babel/types/package.json"));
	p = find(&cat, "npm", "usr/lib/node_modules/npm/package.json");
	assert_non_null(p);
	assert_string_equal(p->license, "Artistic-2.0");
	assert_null(ct_pkg(&cat, SC_ECO_NPM, "myapp"));
	assert_null(ct_pkg(&cat, SC_ECO_NPM, "not-a-package"));
	assert_int_equal(cat.n_notes, 3);
	assert_string_equal(cat.notes[0].path, "app/node_modules/big/package.json");
	assert_int_equal(cat.notes[0].level, SC_NOTE_WARNING);
	assert_string_equal(cat.notes[1].path, "app/node_modules/broken/package.json");
	assert_int_equal(cat.notes[1].level, SC_NOTE_WARNING);
	assert_string_equal(cat.notes[2].path, "app/node_modules/noversion/package.json");
	assert_int_equal(cat.notes[2].level, SC_NOTE_INFO);
	sc_catalog_release(&cat);
	free(b.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_catalog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
