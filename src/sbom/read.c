/*
 * read.c - read CycloneDX and SPDX JSON documents back into a catalog; see
 * read.h and docs/sbom-input.md.
 *
 * Specs:
 *   CycloneDX 1.2 - 1.6 JSON  https://cyclonedx.org/docs/1.6/json/
 *   SPDX 2.2 / 2.3 JSON       https://spdx.github.io/spdx-spec/v2.3/
 *   purl                      https://github.com/package-url/purl-spec
 * Tool conventions read (besides scute's own "scute:*" properties):
 *   Syft   purl qualifiers upstream / distro, properties
 *          syft:metadata:source, :sourceVersion, :originPackage, :sourceRpm,
 *          syft:location:0:path, syft:distro:versionCodename; SPDX sourceInfo
 *   Trivy  properties aquasecurity:trivy:SrcName, :SrcVersion, :SrcRelease,
 *          :SrcEpoch, :FilePath (CycloneDX) and the same facts as SPDX
 *          annotations ("SrcName: openssl"); purl qualifier epoch
 * The document is bounded before parsing (size, JSON depth); nested
 * CycloneDX components are walked with an explicit stack of bounded depth
 * and the total number of components is capped.
 */
#include "sbom/read.h"
#include "catalog/python.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RD_JSON_DEPTH 128  /* JSON nesting accepted by the parser */
#define RD_MAX_NESTING 32  /* CycloneDX components inside components */

/* Facts a component's properties (or SPDX annotations) give; pointers into the document. */
typedef struct rd_props {
	const char *scute_src_name, *scute_src_version, *scute_location, *scute_arch;
	int scute_os_managed;
	const char *trivy_src_name, *trivy_src_version, *trivy_src_release, *trivy_src_epoch, *trivy_path;
	const char *syft_source, *syft_source_version, *syft_origin, *syft_srpm, *syft_path, *syft_codename;
} rd_props;

/* One component / SPDX package to turn into a package. */
typedef struct rd_item {
	const char *purl;
	const char *version;   /* component version / versionInfo, used when the purl has none */
	const char *location;  /* from SPDX sourceInfo, when properties give none */
	rd_props pr;
} rd_item;

typedef struct rd {
	sc_catalog *cat;
	const char *what;
	sc_sbom_read_info info;
	size_t seen;           /* entries visited (the component limit) */
	/* OS from the first operating-system component (pointers into the document) */
	const char *os_name, *os_version, *os_pretty, *os_codename;
	/* OS from the first distro qualifier (owned) */
	char *distro_id, *distro_version;
	int have_distro;
} rd;

/* A string member without embedded NUL, else NULL. */
static const char *str(const json_t *o, const char *key)
{
	json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;

	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		return NULL;
	return json_string_value(v);
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static int streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static void set_once(const char **slot, const char *v)
{
	if (!*slot && v && *v)
		*slot = v;
}

static void prop(rd_props *pr, const char *name, const char *value)
{
	static const char trivy[] = "aquasecurity:trivy:";
	static const char syft[] = "syft:";

	if (strncmp(name, "scute:", 6) == 0) {
		name += 6;
		if (strcmp(name, "source-name") == 0)
			set_once(&pr->scute_src_name, value);
		else if (strcmp(name, "source-version") == 0)
			set_once(&pr->scute_src_version, value);
		else if (strcmp(name, "location") == 0)
			set_once(&pr->scute_location, value);
		else if (strcmp(name, "arch") == 0)
			set_once(&pr->scute_arch, value);
		else if (strcmp(name, "os-managed") == 0 && strcmp(value, "true") == 0)
			pr->scute_os_managed = 1;
	} else if (strncmp(name, trivy, sizeof(trivy) - 1) == 0) {
		name += sizeof(trivy) - 1;
		if (strcmp(name, "SrcName") == 0)
			set_once(&pr->trivy_src_name, value);
		else if (strcmp(name, "SrcVersion") == 0)
			set_once(&pr->trivy_src_version, value);
		else if (strcmp(name, "SrcRelease") == 0)
			set_once(&pr->trivy_src_release, value);
		else if (strcmp(name, "SrcEpoch") == 0)
			set_once(&pr->trivy_src_epoch, value);
		else if (strcmp(name, "FilePath") == 0)
			set_once(&pr->trivy_path, value);
	} else if (strncmp(name, syft, sizeof(syft) - 1) == 0) {
		name += sizeof(syft) - 1;
		if (strcmp(name, "metadata:source") == 0)
			set_once(&pr->syft_source, value);
		else if (strcmp(name, "metadata:sourceVersion") == 0)
			set_once(&pr->syft_source_version, value);
		else if (strcmp(name, "metadata:originPackage") == 0)
			set_once(&pr->syft_origin, value);
		else if (strcmp(name, "metadata:sourceRpm") == 0)
			set_once(&pr->syft_srpm, value);
		else if (strcmp(name, "location:0:path") == 0)
			set_once(&pr->syft_path, value);
		else if (strcmp(name, "distro:versionCodename") == 0)
			set_once(&pr->syft_codename, value);
	}
}

/* CycloneDX properties: [{"name": ..., "value": ...}]. */
static void cdx_props(rd_props *pr, const json_t *c)
{
	json_t *arr = json_object_get(c, "properties"), *it;
	size_t i;

	if (!json_is_array(arr))
		return;
	json_array_foreach(arr, i, it) {
		const char *n = str(it, "name"), *v = str(it, "value");

		if (n && v)
			prop(pr, n, v);
	}
}

/* Trivy's SPDX annotations: {"annotator": "Tool: trivy-0.52.0", "comment": "SrcName: openssl"}. */
static void spdx_annotations(rd_props *pr, const json_t *p)
{
	static const char *const keys[] = { "SrcName", "SrcVersion", "SrcRelease", "SrcEpoch", "FilePath" };
	json_t *arr = json_object_get(p, "annotations"), *it;
	size_t i, k;

	if (!json_is_array(arr))
		return;
	json_array_foreach(arr, i, it) {
		const char *who = str(it, "annotator"), *c = str(it, "comment");
		char name[64];

		if (!who || !c || strncmp(who, "Tool: trivy", 11) != 0)
			continue;
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			size_t n = strlen(keys[k]);

			if (strncmp(c, keys[k], n) == 0 && c[n] == ':' && c[n + 1] == ' ') {
				snprintf(name, sizeof(name), "aquasecurity:trivy:%s", keys[k]);
				prop(pr, name, c + n + 2);
			}
		}
	}
}

/* os-release IDs for the distribution names other tools use. */
static const char *os_alias(const char *id)
{
	static const struct {
		const char *from, *to;
	} map[] = {
		{ "redhat", "rhel" }, { "amazon", "amzn" }, { "oracle", "ol" }, { "alma", "almalinux" },
		{ "cbl-mariner", "mariner" }, { "opensuse.leap", "opensuse-leap" },
		{ "opensuse.tumbleweed", "opensuse-tumbleweed" }, { "suse linux enterprise server", "sles" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(id, map[i].from) == 0)
			return map[i].to;
	return id;
}

/* Lowercase an OS name into a new os-release style id. */
static char *os_id(const char *name, size_t n)
{
	char *s = sc_strndup(name, n), *r;
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; s[i]; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
	r = sc_strdup(os_alias(s));
	free(s);
	return r;
}

/*
 * "debian-12", "alpine-3.19.1", "opensuse-leap-15.5": split at the last
 * '-' followed by a digit; "3.19.1" (Trivy's apk distro) takes the id from
 * the purl namespace; "debian" is an id alone.
 */
static int record_distro(rd *r, const char *d, const char *ns)
{
	size_t n = strlen(d), k;
	char *id = NULL, *ver = NULL;

	for (k = n; k > 0; k--)
		if (d[k - 1] == '-' && d[k] >= '0' && d[k] <= '9')
			break;
	if (k > 1) {
		id = os_id(d, k - 1);
		ver = sc_strdup(d + k);
		if (!id || !ver)
			goto nomem;
	} else if (d[0] >= '0' && d[0] <= '9') {
		ver = sc_strdup(d);
		if (!ver || (ns && !(id = os_id(ns, strlen(ns)))))
			goto nomem;
	} else if (!(id = os_id(d, n))) {
		goto nomem;
	}
	r->distro_id = id;
	r->distro_version = ver;
	r->have_distro = 1;
	return 0;
nomem:
	free(id);
	free(ver);
	return SC_ENOMEM;
}

static sc_ecosystem eco_of(const char *type)
{
	if (strcmp(type, "deb") == 0)
		return SC_ECO_DEB;
	if (strcmp(type, "apk") == 0)
		return SC_ECO_APK;
	if (strcmp(type, "rpm") == 0)
		return SC_ECO_RPM;
	if (strcmp(type, "pypi") == 0)
		return SC_ECO_PYPI;
	if (strcmp(type, "npm") == 0)
		return SC_ECO_NPM;
	if (strcmp(type, "golang") == 0)
		return SC_ECO_GOLANG;
	return 0;
}

static char *join3(const char *a, const char *sep, const char *b)
{
	size_t na = strlen(a), ns = strlen(sep), nb = strlen(b);
	char *s = sc_malloc(na + ns + nb + 1);

	if (!s)
		return NULL;
	memcpy(s, a, na);
	memcpy(s + na, sep, ns);
	memcpy(s + na + ns, b, nb + 1);
	return s;
}

/* "bash-5.1.8-6.el9.src.rpm" -> "bash", "5.1.8-6.el9"; anything else is a plain name. */
static int split_srpm(const char *srpm, char **name, char **ver)
{
	static const char *const sfx[] = { ".src.rpm", ".nosrc.rpm" };
	size_t n = strlen(srpm), i, l, d1 = 0, d2 = 0;
	int is_srpm = 0;

	for (i = 0; i < 2; i++) {
		l = strlen(sfx[i]);
		if (n > l && strcmp(srpm + n - l, sfx[i]) == 0) {
			n -= l;
			is_srpm = 1;
			break;
		}
	}
	if (is_srpm) {
		for (i = n; i > 0; i--) {
			if (srpm[i - 1] != '-')
				continue;
			if (!d2)
				d2 = i;
			else {
				d1 = i;
				break;
			}
		}
	}
	if (d1 > 1) {
		*name = sc_strndup(srpm, d1 - 1);
		*ver = sc_strndup(srpm + d1, n - d1);
		if (!*name || !*ver)
			return SC_ENOMEM;
		return 0;
	}
	*name = sc_strndup(srpm, n);
	return *name ? 0 : SC_ENOMEM;
}

/* "openssl" or "openssl@3.0.11-1" (Syft's upstream qualifier). */
static int split_at(const char *s, char **name, char **ver)
{
	const char *at = strchr(s, '@');

	if (!at || at == s) {
		*name = sc_strdup(s);
		return *name ? 0 : SC_ENOMEM;
	}
	*name = sc_strndup(s, (size_t)(at - s));
	if (!*name)
		return SC_ENOMEM;
	if (at[1] && !(*ver = sc_strdup(at + 1)))
		return SC_ENOMEM;
	return 0;
}

/* The source package: scute properties, then Trivy, then Syft, then the purl. */
static int source_of(const sc_purl *u, sc_ecosystem eco, const rd_props *pr, char **name, char **ver)
{
	const char *q;

	if (pr->scute_src_name || pr->scute_src_version) {
		if (pr->scute_src_name && !(*name = sc_strdup(pr->scute_src_name)))
			return SC_ENOMEM;
		if (pr->scute_src_version && !(*ver = sc_strdup(pr->scute_src_version)))
			return SC_ENOMEM;
		return 0;
	}
	if (eco != SC_ECO_DEB && eco != SC_ECO_APK && eco != SC_ECO_RPM)
		return 0;
	if (pr->trivy_src_name) {
		sc_buf b;
		int rc = 0;

		if (!(*name = sc_strdup(pr->trivy_src_name)))
			return SC_ENOMEM;
		if (!pr->trivy_src_version)
			return 0;
		sc_buf_init(&b, 4096, "source version");
		if (eco == SC_ECO_DEB && pr->trivy_src_epoch && strcmp(pr->trivy_src_epoch, "0") != 0)
			rc = sc_buf_printf(&b, "%s:", pr->trivy_src_epoch);
		if (!rc)
			rc = sc_buf_puts(&b, pr->trivy_src_version);
		if (!rc && eco != SC_ECO_APK && pr->trivy_src_release)
			rc = sc_buf_printf(&b, "-%s", pr->trivy_src_release);
		if (rc) {
			sc_buf_release(&b);
			return rc;
		}
		*ver = sc_buf_detach(&b, NULL);
		return 0;
	}
	if (eco == SC_ECO_DEB && pr->syft_source) {
		if (!(*name = sc_strdup(pr->syft_source)))
			return SC_ENOMEM;
		if (pr->syft_source_version && !(*ver = sc_strdup(pr->syft_source_version)))
			return SC_ENOMEM;
		return 0;
	}
	if (eco == SC_ECO_APK && pr->syft_origin)
		return (*name = sc_strdup(pr->syft_origin)) ? 0 : SC_ENOMEM;
	if (eco == SC_ECO_RPM && pr->syft_srpm)
		return split_srpm(pr->syft_srpm, name, ver);
	q = nonempty(sc_kv_list_get(&u->quals, "upstream"));
	if (eco == SC_ECO_APK && !q)
		q = nonempty(sc_kv_list_get(&u->quals, "origin"));
	if (!q)
		return 0;
	if (eco == SC_ECO_RPM)
		return split_srpm(q, name, ver);
	return split_at(q, name, ver);
}

/* Drop what only repeats the binary package (catalog convention: NULL when same). */
static int normalize_source(sc_package *p)
{
	const char *v = p->version ? p->version : "";

	if (p->eco == SC_ECO_RPM && strchr(v, ':'))
		v = strchr(v, ':') + 1;
	if (p->source_version && strcmp(p->source_version, v) == 0) {
		free(p->source_version);
		p->source_version = NULL;
	}
	if (!p->source_version && p->source_name && strcmp(p->source_name, p->name) == 0) {
		free(p->source_name);
		p->source_name = NULL;
	}
	if (p->source_version && !p->source_name && !(p->source_name = sc_strdup(p->name)))
		return SC_ENOMEM;
	return 0;
}

/* Debian's layout: usr/lib/python3/dist-packages, usr/lib/python3.11/dist-packages. */
static int debian_dist_packages(const char *loc)
{
	static const char pre[] = "usr/lib/python3";

	if (!loc || strncmp(loc, pre, sizeof(pre) - 1) != 0)
		return 0;
	loc += sizeof(pre) - 1;
	while ((*loc >= '0' && *loc <= '9') || *loc == '.')
		loc++;
	return strncmp(loc, "/dist-packages/", 15) == 0;
}

static int add_package(rd *r, const rd_item *it)
{
	sc_purl u;
	sc_package p;
	const char *v, *epoch, *arch, *distro, *loc;
	char norm[256];
	int rc;

	memset(&p, 0, sizeof(p));
	if (!nonempty(it->purl)) {
		r->info.without_purl++;
		return 0;
	}
	rc = sc_purl_parse(&u, it->purl);
	if (rc == SC_ENOMEM)
		return rc;
	if (rc) {
		sc_error_clear();
		r->info.without_purl++;
		return 0;
	}
	p.eco = eco_of(u.type);
	if (!p.eco) {
		r->info.unsupported++;
		rc = 0;
		goto out;
	}
	switch (p.eco) {
	case SC_ECO_PYPI:
		if (sc_python_normalize(norm, sizeof(norm), u.name, strlen(u.name)) != 0) {
			sc_error_clear();
			r->info.without_purl++;
			rc = 0;
			goto out;
		}
		p.name = sc_strdup(norm);
		break;
	case SC_ECO_NPM:
		if (u.ns) { /* "@scope/name"; the scope's '@' is added when a tool left it out */
			char *scope = u.ns[0] == '@' ? sc_strdup(u.ns) : join3("@", u.ns, "");

			p.name = scope ? join3(scope, "/", u.name) : NULL;
			free(scope);
		} else {
			p.name = sc_strdup(u.name);
		}
		break;
	case SC_ECO_GOLANG:
		p.name = u.ns ? join3(u.ns, "/", u.name) : sc_strdup(u.name);
		break;
	default:
		p.name = sc_strdup(u.name);
		break;
	}
	if (!p.name) {
		rc = SC_ENOMEM;
		goto out;
	}

	v = u.version ? u.version : nonempty(it->version);
	epoch = nonempty(sc_kv_list_get(&u.quals, "epoch"));
	if (v && epoch && strcmp(epoch, "0") != 0 && (p.eco == SC_ECO_DEB || p.eco == SC_ECO_RPM) && !strchr(v, ':'))
		p.version = join3(epoch, ":", v);
	else if (v)
		p.version = sc_strdup(v);
	arch = nonempty(sc_kv_list_get(&u.quals, "arch"));
	if (!arch)
		arch = it->pr.scute_arch;
	if ((v && !p.version) || (arch && !(p.arch = sc_strdup(arch)))) {
		rc = SC_ENOMEM;
		goto out;
	}

	distro = nonempty(sc_kv_list_get(&u.quals, "distro"));
	if (distro && !r->have_distro && (p.eco == SC_ECO_DEB || p.eco == SC_ECO_APK || p.eco == SC_ECO_RPM) &&
	    (rc = record_distro(r, distro, u.ns)) != 0)
		goto out;

	if ((rc = source_of(&u, p.eco, &it->pr, &p.source_name, &p.source_version)) != 0 ||
	    (rc = normalize_source(&p)) != 0)
		goto out;

	loc = it->pr.scute_location;
	if (!loc)
		loc = it->pr.syft_path;
	if (!loc)
		loc = it->pr.trivy_path;
	if (!loc)
		loc = it->location;
	while (loc && *loc == '/')
		loc++;
	if (loc && *loc && !(p.location = sc_strdup(loc))) {
		rc = SC_ENOMEM;
		goto out;
	}
	p.os_managed = it->pr.scute_os_managed || (p.eco == SC_ECO_PYPI && debian_dist_packages(p.location));
	rc = sc_catalog_add_package(r->cat, &p, NULL);
out:
	sc_package_release(&p);
	sc_purl_release(&u);
	return rc;
}

static int count(rd *r)
{
	if (++r->seen > SC_SBOM_READ_MAX_COMPONENTS)
		return sc_error_set(SC_ELIMIT, "%s: more than %u components", r->what,
				    (unsigned)SC_SBOM_READ_MAX_COMPONENTS);
	return 0;
}

static void os_component(rd *r, const char *name, const char *version, const char *pretty, const char *codename)
{
	if (r->os_name || !nonempty(name))
		return;
	r->os_name = name;
	r->os_version = nonempty(version);
	r->os_pretty = nonempty(pretty);
	r->os_codename = nonempty(codename);
}

/* ---- CycloneDX -------------------------------------------------------------- */

static int cdx_component(rd *r, const json_t *c)
{
	rd_item it;
	const char *type;

	r->info.components++;
	if (!json_is_object(c)) {
		r->info.without_purl++;
		return 0;
	}
	memset(&it, 0, sizeof(it));
	cdx_props(&it.pr, c);
	type = str(c, "type");
	if (streq(type, "operating-system")) {
		os_component(r, str(c, "name"), str(c, "version"), str(c, "description"), it.pr.syft_codename);
		return 0;
	}
	it.purl = str(c, "purl");
	it.version = str(c, "version");
	return add_package(r, &it);
}

static int read_cdx(rd *r, const json_t *doc)
{
	struct {
		json_t *arr;
		size_t i;
	} st[RD_MAX_NESTING];
	json_t *meta, *comps = NULL;
	const char *spec = str(doc, "specVersion");
	int sp = 0, rc;

	if (spec && !(r->info.spec_version = sc_strdup(spec)))
		return SC_ENOMEM;
	meta = json_object_get(doc, "metadata");
	if (json_is_object(meta)) {
		json_t *mc = json_object_get(meta, "component");
		const char *name = str(mc, "name"), *ver = str(mc, "version"), *purl = str(mc, "purl");

		if (nonempty(name) && !(r->info.subject = nonempty(ver) ? join3(name, "@", ver) : sc_strdup(name)))
			return SC_ENOMEM;
		if (nonempty(purl) && !(r->info.subject_purl = sc_strdup(purl)))
			return SC_ENOMEM;
	}
	if ((rc = sc_json_get_arr(doc, "components", 0, &comps, r->what)) != 0 || !comps)
		return rc;
	st[0].arr = comps;
	st[0].i = 0;
	while (sp >= 0) {
		json_t *c, *kids;

		if (st[sp].i >= json_array_size(st[sp].arr)) {
			sp--;
			continue;
		}
		c = json_array_get(st[sp].arr, st[sp].i++);
		if ((rc = count(r)) != 0 || (rc = cdx_component(r, c)) != 0)
			return rc;
		kids = json_is_object(c) ? json_object_get(c, "components") : NULL;
		if (json_is_array(kids) && json_array_size(kids)) {
			if (sp + 1 >= RD_MAX_NESTING)
				return sc_error_set(SC_ELIMIT, "%s: components nested deeper than %d levels", r->what,
						    RD_MAX_NESTING);
			sp++;
			st[sp].arr = kids;
			st[sp].i = 0;
		}
	}
	return 0;
}

/* ---- SPDX ------------------------------------------------------------------- */

/* The purl among a package's externalRefs (category PACKAGE-MANAGER, type purl). */
static const char *spdx_purl(const json_t *p)
{
	json_t *refs = json_object_get(p, "externalRefs"), *it;
	size_t i;

	if (!json_is_array(refs))
		return NULL;
	json_array_foreach(refs, i, it) {
		const char *cat = str(it, "referenceCategory"), *type = str(it, "referenceType");

		if (cat && type && (strcasecmp(cat, "PACKAGE-MANAGER") == 0 || strcasecmp(cat, "PACKAGE_MANAGER") == 0) &&
		    strcmp(type, "purl") == 0 && nonempty(str(it, "referenceLocator")))
			return str(it, "referenceLocator");
	}
	return NULL;
}

/*
 * The path a sourceInfo names: scute writes "deb package recorded in
 * /var/lib/dpkg/status", Syft "acquired package info from ...: /path, /other".
 * Returns a pointer into s and the length, or NULL.
 */
static const char *spdx_source_path(const char *s, size_t *len)
{
	static const char scute[] = " package recorded in /";
	static const char syft[] = "acquired package info from ";
	const char *p;

	if (!s)
		return NULL;
	if ((p = strstr(s, scute)) != NULL && !memchr(s, ' ', (size_t)(p - s))) {
		p += sizeof(scute) - 2;
		*len = strlen(p);
		return p;
	}
	if (strncmp(s, syft, sizeof(syft) - 1) == 0 && (p = strstr(s, ": /")) != NULL) {
		p += 2;
		*len = strcspn(p, ", ");
		return p;
	}
	return NULL;
}

/* The SPDXID the document DESCRIBES (documentDescribes, else a DESCRIBES relationship). */
static const char *spdx_described(const json_t *doc)
{
	json_t *arr = json_object_get(doc, "documentDescribes"), *it;
	size_t i;

	if (json_is_array(arr) && json_is_string(json_array_get(arr, 0)))
		return json_string_value(json_array_get(arr, 0));
	arr = json_object_get(doc, "relationships");
	if (!json_is_array(arr))
		return NULL;
	json_array_foreach(arr, i, it) {
		if (streq(str(it, "spdxElementId"), "SPDXRef-DOCUMENT") && streq(str(it, "relationshipType"), "DESCRIBES"))
			return str(it, "relatedSpdxElement");
	}
	return NULL;
}

static int is_os_purpose(const char *purpose)
{
	return purpose && (strcmp(purpose, "OPERATING_SYSTEM") == 0 || strcmp(purpose, "OPERATING-SYSTEM") == 0);
}

static int spdx_package(rd *r, const json_t *p, const char *described)
{
	rd_item it;
	const char *purpose, *path;
	char locbuf[4096];
	size_t plen = 0;

	memset(&it, 0, sizeof(it));
	it.purl = spdx_purl(p);
	purpose = str(p, "primaryPackagePurpose");
	if (described && streq(str(p, "SPDXID"), described) &&
	    (streq(purpose, "CONTAINER") || !it.purl || strncmp(it.purl, "pkg:oci/", 8) == 0 ||
	     strncmp(it.purl, "pkg:docker/", 11) == 0)) {
		/* the subject (the image), not one of its packages */
		if (it.purl && !r->info.subject_purl && !(r->info.subject_purl = sc_strdup(it.purl)))
			return SC_ENOMEM;
		return 0;
	}
	r->info.components++;
	if (is_os_purpose(purpose)) {
		os_component(r, str(p, "name"), str(p, "versionInfo"), str(p, "description"), NULL);
		return 0;
	}
	spdx_annotations(&it.pr, p);
	it.version = str(p, "versionInfo");
	path = spdx_source_path(str(p, "sourceInfo"), &plen);
	if (path && plen < sizeof(locbuf)) {
		memcpy(locbuf, path, plen);
		locbuf[plen] = '\0';
		it.location = locbuf;
	}
	return add_package(r, &it);
}

static int read_spdx(rd *r, const json_t *doc, const char *spec)
{
	json_t *pkgs = NULL, *p;
	const char *name = str(doc, "name"), *described = spdx_described(doc);
	size_t i;
	int rc;

	if (!(r->info.spec_version = sc_strdup(spec)))
		return SC_ENOMEM;
	if (nonempty(name) && !(r->info.subject = sc_strdup(name)))
		return SC_ENOMEM;
	if ((rc = sc_json_get_arr(doc, "packages", 0, &pkgs, r->what)) != 0 || !pkgs)
		return rc;
	json_array_foreach(pkgs, i, p) {
		if ((rc = count(r)) != 0)
			return rc;
		if (!json_is_object(p)) {
			r->info.components++;
			r->info.without_purl++;
			continue;
		}
		if ((rc = spdx_package(r, p, described)) != 0)
			return rc;
	}
	return 0;
}

/* ---- the catalog ------------------------------------------------------------ */

static int nz_cmp(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static void take(char **dst, char **src)
{
	if (!*dst) {
		*dst = *src;
		*src = NULL;
	}
}

/*
 * Packages are sorted: merge neighbours with the same (ecosystem, name,
 * version, arch).  The copy that is not OS-managed wins the location (it
 * is the one a vulnerability matcher must see); missing facts are filled in.
 */
static void dedupe(sc_catalog *cat)
{
	size_t i, o = 0;

	for (i = 0; i < cat->n_pkgs; i++) {
		sc_package *d = &cat->pkgs[i], *k = o ? &cat->pkgs[o - 1] : NULL;

		if (k && k->eco == d->eco && nz_cmp(k->name, d->name) == 0 && nz_cmp(k->version, d->version) == 0 &&
		    nz_cmp(k->arch, d->arch) == 0) {
			if (k->os_managed && !d->os_managed) {
				char *t = k->location;

				k->location = d->location;
				d->location = t;
				k->os_managed = 0;
			} else if (k->os_managed == d->os_managed) {
				take(&k->location, &d->location);
			}
			take(&k->source_name, &d->source_name);
			take(&k->source_version, &d->source_version);
			take(&k->license, &d->license);
			take(&k->supplier, &d->supplier);
			take(&k->summary, &d->summary);
			sc_package_release(d);
			continue;
		}
		if (o != i)
			cat->pkgs[o] = *d;
		o++;
	}
	cat->n_pkgs = o;
}

static int set_os(sc_os_info *os, const rd *r)
{
	const char *ver = r->os_name ? r->os_version : r->distro_version;
	char *id = NULL;

	if (os->id)
		return 0;
	if (r->os_name)
		id = os_id(r->os_name, strlen(r->os_name));
	else if (r->distro_id)
		id = sc_strdup(r->distro_id);
	else
		return 0;
	if (!id)
		return SC_ENOMEM;
	memset(os, 0, sizeof(*os));
	os->id = id;
	if ((ver && !(os->version_id = sc_strdup(ver))) ||
	    (r->os_name && r->os_pretty && !(os->pretty_name = sc_strdup(r->os_pretty))) ||
	    (r->os_name && r->os_codename && !(os->codename = sc_strdup(r->os_codename))) ||
	    !(os->source = sc_strdup("sbom"))) {
		free(os->id);
		free(os->version_id);
		free(os->pretty_name);
		free(os->codename);
		free(os->source);
		memset(os, 0, sizeof(*os));
		return SC_ENOMEM;
	}
	return 0;
}

int sc_sbom_read(sc_catalog *cat, sc_sbom_read_info *info, const char *data, size_t len, const char *what)
{
	rd r;
	json_t *doc = NULL;
	const char *spdx;
	size_t n0 = cat->n_pkgs, i;
	int rc, finished = 0;

	memset(&r, 0, sizeof(r));
	r.cat = cat;
	r.what = what ? what : "SBOM";
	if (len > SC_SBOM_READ_MAX) {
		rc = sc_error_set(SC_ELIMIT, "%s: document is %zu bytes, limit is %u", r.what, len,
				  (unsigned)SC_SBOM_READ_MAX);
		goto out;
	}
	if ((rc = sc_json_parse(&doc, data, len, SC_SBOM_READ_MAX, RD_JSON_DEPTH, r.what)) != 0) {
		if (rc == SC_EINPUT) {
			/* Say what was expected, keeping the parser's detail ("WHAT: malformed JSON at ..."). */
			char detail[1024];
			size_t wl = strlen(r.what);
			const char *m = sc_error_msg();

			if (strncmp(m, r.what, wl) == 0 && strncmp(m + wl, ": ", 2) == 0)
				m += wl + 2;
			snprintf(detail, sizeof(detail), "%s", m);
			rc = sc_error_set(SC_EINPUT, "%s: not a CycloneDX or SPDX JSON document: %s", r.what, detail);
		}
		goto out;
	}
	spdx = str(doc, "spdxVersion");
	if (streq(str(doc, "bomFormat"), "CycloneDX")) {
		if (!(r.info.format = sc_strdup("cyclonedx"))) {
			rc = SC_ENOMEM;
			goto out;
		}
		rc = read_cdx(&r, doc);
	} else if (spdx && strncmp(spdx, "SPDX-", 5) == 0) {
		if (!(r.info.format = sc_strdup("spdx"))) {
			rc = SC_ENOMEM;
			goto out;
		}
		rc = read_spdx(&r, doc, spdx);
	} else {
		rc = sc_error_set(SC_EINPUT, "%s: not a CycloneDX or SPDX JSON document", r.what);
	}
	if (rc || (rc = set_os(&cat->os, &r)) != 0)
		goto out;
	json_decref(doc);
	doc = NULL;
	/* Only the catalog's own ELF attribution can fail from here (ENOMEM); the packages stay. */
	finished = 1;
	rc = sc_catalog_finish(cat);
	dedupe(cat);
	if (rc)
		goto out;
	if (info)
		*info = r.info;
	else
		sc_sbom_read_info_release(&r.info);
	memset(&r.info, 0, sizeof(r.info));
out:
	if (rc && !finished) {
		for (i = n0; i < cat->n_pkgs; i++)
			sc_package_release(&cat->pkgs[i]);
		cat->n_pkgs = n0;
	}
	json_decref(doc);
	free(r.distro_id);
	free(r.distro_version);
	sc_sbom_read_info_release(&r.info);
	return rc;
}

void sc_sbom_read_info_release(sc_sbom_read_info *i)
{
	if (!i)
		return;
	free(i->format);
	free(i->spec_version);
	free(i->subject);
	free(i->subject_purl);
	memset(i, 0, sizeof(*i));
}
