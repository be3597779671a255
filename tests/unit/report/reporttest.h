/*
 * reporttest.h - a small catalog, its purls and a findings list that
 * covers every report case (aliases, several packages per advisory, a
 * path-only finding, vendor and CVSS severities, every level), plus JSON
 * Schema validation through /usr/bin/python3 (python3-jsonschema).
 * Header-only; test code only.  Include after <cmocka.h>.
 */
#ifndef SC_TESTS_REPORTTEST_H
#define SC_TESTS_REPORTTEST_H

#include "catalog/catalog.h"
#include "core/error.h"
#include "core/json.h"
#include "report/report.h"
#include "sbom/sbom.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct rt_fixture {
	sc_catalog cat;
	char **purls;
	sc_findings fs;
	sc_report_ctx ctx;
} rt_fixture;

enum { RT_LIBC, RT_OPENSSL, RT_LODASH, RT_PILLOW, RT_TORCH, RT_N_PKGS };

static inline char **rt_strv(const char *first, ...)
{
	va_list ap;
	const char *s;
	size_t n = 0;
	char **v = calloc(16, sizeof(char *));

	va_start(ap, first);
	for (s = first; s && n < 15; s = va_arg(ap, const char *))
		v[n++] = strdup(s);
	va_end(ap);
	return v;
}

static inline void rt_add_pkg(sc_catalog *cat, sc_ecosystem eco, const char *name, const char *version,
			      const char *src, const char *location)
{
	sc_package p;

	memset(&p, 0, sizeof(p));
	p.eco = eco;
	p.name = (char *)name;
	p.version = (char *)version;
	p.source_name = (char *)src;
	p.location = (char *)location;
	if (eco == SC_ECO_DEB)
		p.arch = (char *)"amd64";
	assert_int_equal(sc_catalog_add_package(cat, &p, NULL), 0);
}

static inline sc_finding *rt_add(sc_findings *fs, const char *id, sc_level level, long pkg, const char *title)
{
	sc_finding *f = NULL;

	assert_int_equal(sc_findings_add(fs, &f), 0);
	f->kind = strdup("vulnerability");
	f->id = strdup(id);
	f->level = level;
	f->pkg = pkg;
	f->title = title ? strdup(title) : NULL;
	return f;
}

static inline const char *rt_pkg_name(const void *ctx, long pkg)
{
	const sc_catalog *cat = ctx;

	return pkg >= 0 && (size_t)pkg < cat->n_pkgs ? cat->pkgs[pkg].name : NULL;
}

/* The catalog (debian 12: libc6, openssl; npm lodash; pypi pillow, torch) and no findings. */
static inline void rt_catalog(rt_fixture *fx)
{
	size_t i;

	memset(fx, 0, sizeof(*fx));
	sc_catalog_init(&fx->cat);
	sc_findings_init(&fx->fs);
	fx->cat.os.id = strdup("debian");
	fx->cat.os.version_id = strdup("12");
	rt_add_pkg(&fx->cat, SC_ECO_DEB, "libc6", "2.36-9+deb12u4", "glibc", "var/lib/dpkg/status");
	rt_add_pkg(&fx->cat, SC_ECO_DEB, "openssl", "3.0.11-1~deb12u2", NULL, "var/lib/dpkg/status");
	rt_add_pkg(&fx->cat, SC_ECO_NPM, "lodash", "4.17.20", NULL, "app/node_modules/lodash/package.json");
	rt_add_pkg(&fx->cat, SC_ECO_PYPI, "pillow", "9.0.0", NULL,
		   "usr/lib/python3/dist-packages/Pillow-9.0.0.dist-info/METADATA");
	rt_add_pkg(&fx->cat, SC_ECO_PYPI, "torch", "2.0.0", NULL,
		   "usr/local/lib/python3.11/site-packages/torch-2.0.0.dist-info/METADATA");
	fx->purls = calloc(RT_N_PKGS + 1, sizeof(char *));
	for (i = 0; i < RT_N_PKGS; i++)
		fx->purls[i] = sc_purl_package(&fx->cat.pkgs[i], &fx->cat.os);
	fx->ctx.tool_version = "0.1.0";
	fx->ctx.target = "oci:/srv/images/app:1.0";
	fx->ctx.target_digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
	fx->ctx.target_purl = "pkg:oci/app@sha256%3A1111111111111111111111111111111111111111111111111111111111111111"
			      "?repository_url=registry.example%2Fteam%2Fapp&tag=1.0";
	fx->ctx.cat = &fx->cat;
	fx->ctx.purls = fx->purls;
	fx->ctx.timestamp = 1700000000;
	fx->ctx.db_path = "/var/cache/scute/vulndb.sqlite";
}

/*
 * Findings (before sorting):
 *   PYSEC-2024-1   critical torch   CVE alias, CVSS 3.1 9.8, fixed in 2.2.0
 *   CVE-2024-2961  high     libc6   matched via source glibc, fixed
 *   GHSA-pppp-0000-0000 medium pillow vendor severity, fixed in 9.0.1 and 8.4.1
 *   CVE-2024-1111  low      libc6 and openssl (one advisory, two packages), unfixed
 *   CVE-2020-0001  negligible lodash wont-fix
 *   GO-2024-0001   unknown  path-only finding (opt/app/bin/tool)
 */
static inline void rt_setup(rt_fixture *fx)
{
	sc_finding *f;

	rt_catalog(fx);
	f = rt_add(&fx->fs, "CVE-2024-1111", SC_LEVEL_LOW, RT_OPENSSL, "Timing side channel in RSA");
	f->vuln.status = strdup("unfixed");
	f->vuln.source = strdup("debian");
	f->vuln.ecosystem = strdup("Debian");
	f->vuln.matched_name = strdup("openssl");
	f->vuln.matched_version = strdup("3.0.11-1~deb12u2");
	f->vuln.severity_source = strdup("vendor");

	f = rt_add(&fx->fs, "PYSEC-2024-1", SC_LEVEL_CRITICAL, RT_TORCH,
		   "Remote code execution in torch.distributed.rpc via pickled arguments");
	f->description = strdup("The RPC framework of PyTorch deserialises\narguments with pickle.");
	f->remediation = strdup("upgrade torch to 2.2.0");
	f->vuln.aliases = rt_strv("CVE-2024-5480", "GHSA-aaaa-bbbb-cccc", NULL);
	f->vuln.status = strdup("fixed");
	f->vuln.fixed_in = rt_strv("2.2.0", NULL);
	f->vuln.source = strdup("osv:pypa-advisory-database");
	f->vuln.ecosystem = strdup("PyPI");
	f->vuln.matched_name = strdup("torch");
	f->vuln.matched_version = strdup("2.0.0");
	f->vuln.severity_source = strdup("cvss");
	f->vuln.cvss_vector = strdup("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
	f->vuln.cvss_score = 9.8;
	f->vuln.references = rt_strv("https://github.com/pytorch/pytorch/security/advisories/GHSA-aaaa-bbbb-cccc",
				     "https://nvd.nist.gov/vuln/detail/CVE-2024-5480", NULL);
	f->vuln.published = strdup("2024-06-06T18:15:00Z");
	f->vuln.modified = strdup("2024-06-20T10:00:00.123+02:00");

	f = rt_add(&fx->fs, "CVE-2020-0001", SC_LEVEL_NEGLIGIBLE, RT_LODASH, "Minor issue");
	f->vuln.status = strdup("wont-fix");
	f->vuln.source = strdup("osv:npm");
	f->vuln.published = strdup("not a date");

	f = rt_add(&fx->fs, "CVE-2024-2961", SC_LEVEL_HIGH, RT_LIBC, "iconv() out-of-bounds write in ISO-2022-CN-EXT");
	f->vuln.status = strdup("fixed");
	f->vuln.fixed_in = rt_strv("2.36-9+deb12u7", NULL);
	f->vuln.source = strdup("debian");
	f->vuln.ecosystem = strdup("Debian");
	f->vuln.matched_name = strdup("glibc");
	f->vuln.matched_version = strdup("2.36-9+deb12u4");
	f->vuln.severity_source = strdup("vendor");
	f->vuln.cvss_vector = strdup("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H");
	f->vuln.cvss_score = 8.1;

	f = rt_add(&fx->fs, "CVE-2024-1111", SC_LEVEL_LOW, RT_LIBC, "Timing side channel in RSA");
	f->vuln.status = strdup("unfixed");
	f->vuln.source = strdup("debian");
	f->vuln.severity_source = strdup("vendor");

	f = rt_add(&fx->fs, "GHSA-pppp-0000-0000", SC_LEVEL_MEDIUM, RT_PILLOW, "Pillow buffer overflow");
	f->vuln.aliases = rt_strv("PYSEC-2022-1", NULL);
	f->vuln.status = strdup("fixed");
	f->vuln.fixed_in = rt_strv("9.0.1", "8.4.1", NULL);
	f->vuln.source = strdup("osv:pypa-advisory-database");
	f->vuln.severity_source = strdup("vendor");
	f->vuln.os_managed_pypi = 1;

	f = rt_add(&fx->fs, "GO-2024-0001", SC_LEVEL_UNKNOWN, -1, "Vulnerable Go standard library in tool");
	f->path = strdup("opt/app/bin/tool");
	f->vuln.status = strdup("unfixed");
	f->vuln.cvss_vector = strdup("AV:N/AC:L/Au:N/C:P/I:P/A:P");
	f->vuln.cvss_score = 7.5;

	sc_findings_sort(&fx->fs, rt_pkg_name, &fx->cat);
}

static inline void rt_teardown(rt_fixture *fx)
{
	sc_findings_release(&fx->fs);
	sc_strv_free(fx->purls);
	sc_catalog_release(&fx->cat);
}

static inline sc_finding *rt_find(rt_fixture *fx, const char *id, long pkg)
{
	size_t i;

	for (i = 0; i < fx->fs.n; i++)
		if (strcmp(fx->fs.items[i].id, id) == 0 && fx->fs.items[i].pkg == pkg)
			return &fx->fs.items[i];
	fail_msg("no finding %s for package %ld", id, pkg);
	return NULL;
}

/* ------------------------------------------------------------------ schema validation */

static const char rt_validate_py[] =
	"import json, os, sys\n"
	"try:\n"
	"    import jsonschema\n"
	"except ImportError:\n"
	"    print('python3-jsonschema is not installed'); sys.exit(77)\n"
	"schema_path, doc_path = sys.argv[1], sys.argv[2]\n"
	"with open(schema_path) as f: schema = json.load(f)\n"
	"with open(doc_path) as f: doc = json.load(f)\n"
	"d = os.path.dirname(schema_path)\n"
	"others = {}\n"
	"for n in os.listdir(d):\n"
	"    if n.endswith('.json'):\n"
	"        try:\n"
	"            with open(os.path.join(d, n)) as f: others[n] = json.load(f)\n"
	"        except ValueError: pass\n"
	"cls = jsonschema.validators.validator_for(schema)\n"
	"try:\n"
	"    import referencing, referencing.jsonschema\n"
	"    res = []\n"
	"    for n, s in others.items():\n"
	"        r = referencing.Resource.from_contents(s, default_specification=referencing.jsonschema.DRAFT7)\n"
	"        res.append((n, r))\n"
	"        sid = isinstance(s, dict) and (s.get('$id') or s.get('id'))\n"
	"        if sid: res.append((sid, r))\n"
	"    v = cls(schema, registry=referencing.Registry().with_resources(res), format_checker=cls.FORMAT_CHECKER)\n"
	"except ImportError:\n"
	"    store = {}\n"
	"    for n, s in others.items():\n"
	"        store[n] = s\n"
	"        sid = isinstance(s, dict) and (s.get('$id') or s.get('id'))\n"
	"        if sid and isinstance(sid, str):\n"
	"            store[sid] = s\n"
	"            store[sid.rsplit('/', 1)[0] + '/' + n] = s\n"
	"    v = cls(schema, resolver=jsonschema.RefResolver.from_schema(schema, store=store),\n"
	"            format_checker=jsonschema.FormatChecker())\n"
	"errs = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))\n"
	"for e in errs[:20]:\n"
	"    print('  at /%s: %s' % ('/'.join(map(str, e.absolute_path)), e.message[:300]))\n"
	"sys.exit(1 if errs else 0)\n";

/*
 * Check doc against the JSON Schema at schema_path (other schemas in the
 * same folder resolve relative $refs).  Returns 0 when valid, 1 when not
 * (the validator's messages in msg), 77 when it cannot be checked here (no
 * python3, no jsonschema, no schema).
 */
static inline int rt_check(const json_t *doc, const char *schema_path, char *msg, size_t msg_len)
{
	char dir[] = "/tmp/scute-rt-XXXXXX", doc_path[64], py_path[64], cmd[4300];
	FILE *f, *p;
	size_t n;
	int status, rc;

	if (access(schema_path, R_OK) != 0 || access("/usr/bin/python3", X_OK) != 0) {
		snprintf(msg, msg_len, "%s or /usr/bin/python3 missing\n", schema_path);
		return 77;
	}
	assert_non_null(mkdtemp(dir));
	snprintf(doc_path, sizeof(doc_path), "%s/doc.json", dir);
	snprintf(py_path, sizeof(py_path), "%s/validate.py", dir);
	assert_int_equal(json_dump_file(doc, doc_path, JSON_INDENT(1) | JSON_REAL_PRECISION(15)), 0);
	f = fopen(py_path, "w");
	assert_non_null(f);
	fputs(rt_validate_py, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 '%s' '%s' '%s' 2>&1", py_path, schema_path, doc_path);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(msg, 1, msg_len - 1, p);
	msg[n] = '\0';
	status = pclose(p);
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	unlink(doc_path);
	unlink(py_path);
	rmdir(dir);
	return rc == 0 || rc == 77 ? rc : 1;
}

/* rt_check that fails the test on an invalid document; 77 means skip (after cleaning up). */
static inline int rt_validate(const json_t *doc, const char *schema_path)
{
	char out[8192];
	int rc = rt_check(doc, schema_path, out, sizeof(out));

	if (rc == 77)
		print_message("skipping schema validation: %s", out);
	else if (rc != 0)
		fail_msg("document does not validate against %s:\n%s", schema_path, out);
	return rc;
}

/* Path of a file under the checkout ($SCUTE_SOURCE_ROOT), or of shared/data/schemas next to it. */
static inline void rt_source_path(char *out, size_t n, const char *rel)
{
	const char *root = getenv("SCUTE_SOURCE_ROOT");

	snprintf(out, n, "%s/%s", root ? root : ".", rel);
}

static inline void rt_shared_schema(char *out, size_t n, const char *name)
{
	const char *dir = getenv("SCUTE_SCHEMAS"), *root = getenv("SCUTE_SOURCE_ROOT");

	if (dir)
		snprintf(out, n, "%s/%s", dir, name);
	else
		snprintf(out, n, "%s/../shared/data/schemas/%s", root ? root : ".", name);
}

#endif
