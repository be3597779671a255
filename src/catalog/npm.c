/*
 * npm.c - the npm cataloger: one package per
 * node_modules/<name>/package.json or node_modules/@scope/<name>/package.json
 * (at any depth, so nested node_modules are included).
 *
 * Spec: https://docs.npmjs.com/cli/configuring-npm/package-json
 *       (name at most 214 characters; license as an SPDX expression string,
 *       the deprecated {type, url} object, or the legacy "licenses" array)
 */
#include "catalog/npm.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"

#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 214
#define VERSION_MAX_LEN 256
#define TEXT_MAX_LEN 1024
#define MAX_DEPENDS 4096
#define MAX_LICENSES 8
#define JSON_DEPTH 32

static const char *const npm_globs[] = {
	"**/node_modules/*/package.json",
	"**/node_modules/@*/*/package.json",
	NULL,
};

static const sc_interest npm_interest = {
	.name = "npm package.json",
	.globs = npm_globs,
	.capture_max = SC_NPM_PACKAGE_JSON_MAX,
};

static const sc_interest *const interests[] = { &npm_interest, NULL };

void sc_npm_pkg_release(sc_npm_pkg *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->version);
	free(p->license);
	free(p->author);
	free(p->description);
	sc_strv_free(p->depends);
	memset(p, 0, sizeof(*p));
}

/* An identifier (name, version, dependency key): bounded, no spaces or control bytes. */
static int token_ok(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f || i >= max)
			return 0;
	return i > 0;
}

/* Free text: trimmed, control bytes as spaces, cut at max bytes on a UTF-8 boundary; NULL when empty. */
static int text_dup(char **out, const char *s, size_t max)
{
	size_t len, i;
	char *c;

	*out = NULL;
	if (!s)
		return 0;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	if (len > max) {
		len = max;
		while (len && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	if (!len)
		return 0;
	if (!(c = sc_strndup(s, len)))
		return SC_ENOMEM;
	for (i = 0; i < len; i++)
		if ((unsigned char)c[i] < 0x20 || c[i] == 0x7f)
			c[i] = ' ';
	*out = c;
	return 0;
}

/* A license value: "MIT", or {"type": "MIT", ...}. */
static const char *license_of(const json_t *v)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_object(v))
		return sc_json_str(v, "type");
	return NULL;
}

static int get_license(char **out, const json_t *root)
{
	const json_t *lic = json_object_get(root, "license");
	const json_t *arr = json_object_get(root, "licenses");
	const char *s = license_of(lic);
	sc_buf b;
	size_t i, n = 0;
	int rc = 0;

	*out = NULL;
	if (s && *s)
		return text_dup(out, s, TEXT_MAX_LEN);
	if (!json_is_array(arr)) {
		/* {"licenses": {"type": ...}} appears in a few old packages. */
		s = license_of(arr);
		return s && *s ? text_dup(out, s, TEXT_MAX_LEN) : 0;
	}
	sc_buf_init(&b, TEXT_MAX_LEN * MAX_LICENSES, "license");
	for (i = 0; i < json_array_size(arr) && n < MAX_LICENSES && rc == 0; i++) {
		s = license_of(json_array_get(arr, i));
		if (!s || !*s || strlen(s) > TEXT_MAX_LEN)
			continue;
		if (n++)
			rc = sc_buf_puts(&b, " OR ");
		if (!rc)
			rc = sc_buf_puts(&b, s);
	}
	if (rc == 0 && b.len)
		rc = text_dup(out, b.data, TEXT_MAX_LEN * MAX_LICENSES);
	sc_buf_release(&b);
	return rc;
}

static int get_depends(char ***out, const json_t *root)
{
	const json_t *deps = json_object_get(root, "dependencies");
	const char *key;
	json_t *val;
	char **v;
	size_t n = 0;

	*out = NULL;
	if (!json_is_object(deps) || json_object_size(deps) == 0)
		return 0;
	v = sc_calloc((json_object_size(deps) < MAX_DEPENDS ? json_object_size(deps) : MAX_DEPENDS) + 1,
		      sizeof(*v));
	if (!v)
		return SC_ENOMEM;
	json_object_foreach((json_t *)deps, key, val) {
		(void)val;
		if (n >= MAX_DEPENDS)
			break;
		if (!token_ok(key, NAME_MAX_LEN))
			continue;
		if (!(v[n] = sc_strdup(key))) {
			sc_strv_free(v);
			return SC_ENOMEM;
		}
		n++;
	}
	if (n == 0) {
		free(v);
		return 0;
	}
	*out = v;
	return 0;
}

int sc_npm_parse_package_json(sc_npm_pkg *out, const char *data, size_t len)
{
	json_t *root = NULL;
	sc_npm_pkg p;
	const char *name, *version;
	const json_t *author;
	int rc;

	memset(&p, 0, sizeof(p));
	if ((rc = sc_json_parse(&root, data, len, SC_NPM_PACKAGE_JSON_MAX, JSON_DEPTH, "package.json")) != 0)
		return rc;
	if (!json_is_object(root)) {
		rc = sc_error_set(SC_EINPUT, "package.json: not a JSON object");
		goto out;
	}
	name = sc_json_str(root, "name");
	version = sc_json_str(root, "version");
	if (!name || !version || !token_ok(name, NAME_MAX_LEN) || !token_ok(version, VERSION_MAX_LEN)) {
		rc = sc_error_set(SC_ENOTFOUND, "package.json: %s", !name ? "no name" : !version ? "no version" :
									       "unusable name or version");
		goto out;
	}
	if (!(p.name = sc_strdup(name)) || !(p.version = sc_strdup(version))) {
		rc = SC_ENOMEM;
		goto out;
	}
	if ((rc = get_license(&p.license, root)) != 0)
		goto out;
	author = json_object_get(root, "author");
	if (json_is_string(author))
		rc = text_dup(&p.author, json_string_value(author), TEXT_MAX_LEN);
	else if (json_is_object(author))
		rc = text_dup(&p.author, sc_json_str(author, "name"), TEXT_MAX_LEN);
	if (rc || (rc = text_dup(&p.description, sc_json_str(root, "description"), TEXT_MAX_LEN)) != 0 ||
	    (rc = get_depends(&p.depends, root)) != 0)
		goto out;
	*out = p;
	memset(&p, 0, sizeof(p));
out:
	sc_npm_pkg_release(&p);
	json_decref(root);
	return rc;
}

static int walk_cb(const sc_fsnode *n, void *ud)
{
	sc_catalog *cat = ud;
	const sc_capture *c;
	sc_npm_pkg m;
	sc_package p;
	int rc;

	if (n->e.type != SC_FT_REG && n->e.type != SC_FT_HARDLINK)
		return 0;
	c = sc_fsnode_capture(n, &npm_interest);
	if (!c || !c->data)
		return 0;
	if (c->truncated)
		return sc_catalog_note(cat, SC_NOTE_WARNING, "npm", n->e.path, "package.json larger than %u bytes",
				       (unsigned)SC_NPM_PACKAGE_JSON_MAX);
	rc = sc_npm_parse_package_json(&m, (const char *)c->data, c->len);
	if (rc == SC_ENOMEM)
		return rc;
	if (rc != 0) {
		rc = sc_catalog_note(cat, rc == SC_ENOTFOUND ? SC_NOTE_INFO : SC_NOTE_WARNING, "npm", n->e.path,
				     "%s", sc_error_msg());
		sc_error_clear();
		return rc;
	}
	memset(&p, 0, sizeof(p));
	p.eco = SC_ECO_NPM;
	p.name = m.name;
	p.version = m.version;
	p.license = m.license;
	p.supplier = m.author;
	p.summary = m.description;
	p.depends = m.depends;
	p.location = (char *)n->e.path;
	rc = sc_catalog_add_package(cat, &p, NULL);
	sc_npm_pkg_release(&m);
	return rc;
}

static int npm_collect(const sc_fsview *view, sc_catalog *cat)
{
	return sc_fsview_walk(view, walk_cb, cat);
}

const sc_cataloger sc_cataloger_npm = { "npm", interests, npm_collect };
