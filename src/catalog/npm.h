/*
 * npm.h - installed npm packages: node_modules/<name>/package.json and
 * node_modules/@scope/<name>/package.json, nested node_modules included.
 *
 * Spec: https://docs.npmjs.com/cli/configuring-npm/package-json
 */
#ifndef SC_CATALOG_NPM_H
#define SC_CATALOG_NPM_H

#include "catalog/catalog.h"

#include <stddef.h>

#define SC_NPM_PACKAGE_JSON_MAX (1u << 20)

/* The fields of one package.json; every string owned. */
typedef struct sc_npm_pkg {
	char *name;
	char *version;
	char *license;      /* "MIT", {type}, or legacy licenses[] joined with " OR " */
	char *author;       /* string, or {name} */
	char *description;
	char **depends;     /* keys of "dependencies", NULL-terminated, or NULL */
} sc_npm_pkg;

/*
 * Parse a package.json.  Fails with SC_EINPUT/SC_ELIMIT (message set) when
 * it is not a bounded JSON object, SC_ENOTFOUND (message set) when name or
 * version is missing or unusable, SC_ENOMEM.  *out is filled only on
 * success (release with sc_npm_pkg_release).
 */
int sc_npm_parse_package_json(sc_npm_pkg *out, const char *data, size_t len);
void sc_npm_pkg_release(sc_npm_pkg *p);

#endif
