/*
 * purl.c - package URLs for catalogued packages and the image; shared
 * SBOM context (unique refs, timestamp, license ids, dependency lookup).
 *
 * Spec: https://github.com/package-url/purl-spec
 *   pkg:deb/debian/NAME@VERSION?arch=amd64&distro=debian-12
 *   pkg:apk/alpine/NAME@VERSION?arch=x86_64&distro=alpine-3.19.1
 *   pkg:rpm/fedora/NAME@VERSION-RELEASE?arch=x86_64&epoch=1&distro=fedora-39
 *   pkg:pypi/NAME@VERSION          (name lowercased, '_' -> '-')
 *   pkg:npm/%40scope/NAME@VERSION
 *   pkg:golang/github.com/org/NAME@VERSION
 *   pkg:generic/NAME@VERSION       (unpackaged binaries, GPU stack libraries)
 *   pkg:oci/NAME@sha256%3AHEX?tag=REF
 *   pkg:oci/NAME@sha256%3AHEX?repository_url=HOST/REPO&tag=TAG  (docker://)
 * Qualifiers are sorted by key; every component is percent-encoded.
 */
#include "sbom/sbom.h"
#include "core/error.h"
#include "core/json.h"
#include "registry/client.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int sc_purl_encode(sc_buf *out, const char *s)
{
	static const char hx[] = "0123456789ABCDEF";
	int rc = 0;

	for (; *s && !rc; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '.' || c == '-' || c == '_' || c == '~') {
			rc = sc_buf_putc(out, (char)c);
		} else {
			char e[3] = { '%', hx[c >> 4], hx[c & 15] };

			rc = sc_buf_append(out, e, 3);
		}
	}
	return rc;
}

typedef struct {
	const char *key;
	char *value; /* owned */
} qual;

static int qual_cmp(const void *a, const void *b)
{
	return strcmp(((const qual *)a)->key, ((const qual *)b)->key);
}

/* Build "pkg:TYPE/NS/NAME@VERSION?q=v&..." ; ns may contain '/' (each segment encoded). */
static char *build(const char *type, const char *ns, const char *name, const char *version, qual *q, size_t nq)
{
	sc_buf b;
	size_t i;
	int rc = 0;

	sc_buf_init(&b, 1u << 16, "purl");
	rc = sc_buf_printf(&b, "pkg:%s/", type);
	if (!rc && ns && *ns) {
		const char *p = ns;

		while (*p && !rc) {
			const char *e = strchr(p, '/');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			char seg[1024];

			if (n && n < sizeof(seg)) {
				memcpy(seg, p, n);
				seg[n] = '\0';
				rc = sc_purl_encode(&b, seg);
				if (!rc)
					rc = sc_buf_putc(&b, '/');
			}
			p += n;
			if (*p == '/')
				p++;
		}
	}
	if (!rc)
		rc = sc_purl_encode(&b, name && *name ? name : "unknown");
	if (!rc && version && *version) {
		rc = sc_buf_putc(&b, '@');
		if (!rc)
			rc = sc_purl_encode(&b, version);
	}
	qsort(q, nq, sizeof(*q), qual_cmp);
	for (i = 0; i < nq && !rc; i++) {
		if (!q[i].value || !*q[i].value)
			continue;
		rc = sc_buf_printf(&b, "%c%s=", b.data && strchr(b.data, '?') ? '&' : '?', q[i].key);
		if (!rc)
			rc = sc_purl_encode(&b, q[i].value);
	}
	for (i = 0; i < nq; i++)
		free(q[i].value);
	if (rc) {
		sc_buf_release(&b);
		return NULL;
	}
	return sc_buf_detach(&b, NULL);
}

static char *dupf(const char *fmt, const char *a, const char *b)
{
	sc_buf t;

	sc_buf_init(&t, 4096, "purl qualifier");
	if (sc_buf_printf(&t, fmt, a ? a : "", b ? b : "") != 0) {
		sc_buf_release(&t);
		return NULL;
	}
	return sc_buf_detach(&t, NULL);
}

static char *distro(const sc_os_info *os)
{
	if (!os || !os->id)
		return NULL;
	if (os->version_id)
		return dupf("%s-%s", os->id, os->version_id);
	return dupf("%s%s", os->id, "");
}

char *sc_purl_package(const sc_package *p, const sc_os_info *os)
{
	qual q[4];
	size_t nq = 0;
	const char *vendor = os && os->id ? os->id : NULL;

	memset(q, 0, sizeof(q));
	switch (p->eco) {
	case SC_ECO_DEB:
		if (p->arch)
			q[nq++] = (qual){ "arch", sc_strdup(p->arch) };
		q[nq++] = (qual){ "distro", distro(os) };
		/* Syft's form: "upstream=SRC", or "SRC@SRCVERSION" when the source version differs (binNMUs). */
		if (p->source_name && p->source_version && p->version && strcmp(p->source_version, p->version) != 0)
			q[nq++] = (qual){ "upstream", dupf("%s@%s", p->source_name, p->source_version) };
		else if (p->source_name && strcmp(p->source_name, p->name) != 0)
			q[nq++] = (qual){ "upstream", sc_strdup(p->source_name) };
		return build("deb", vendor ? vendor : "debian", p->name, p->version, q, nq);
	case SC_ECO_APK:
		if (p->arch)
			q[nq++] = (qual){ "arch", sc_strdup(p->arch) };
		q[nq++] = (qual){ "distro", distro(os) };
		return build("apk", vendor ? vendor : "alpine", p->name, p->version, q, nq);
	case SC_ECO_RPM: {
		const char *v = p->version ? p->version : "";
		const char *colon = strchr(v, ':');
		char *epoch = NULL;

		if (colon) {
			epoch = sc_strndup(v, (size_t)(colon - v));
			v = colon + 1;
		}
		if (p->arch)
			q[nq++] = (qual){ "arch", sc_strdup(p->arch) };
		q[nq++] = (qual){ "distro", distro(os) };
		if (epoch)
			q[nq++] = (qual){ "epoch", epoch };
		return build("rpm", vendor ? vendor : "redhat", p->name, v, q, nq);
	}
	case SC_ECO_PYPI: {
		char *n = sc_strdup(p->name ? p->name : ""), *r;
		size_t i;

		if (!n)
			return NULL;
		for (i = 0; n[i]; i++)
			n[i] = n[i] == '_' ? '-' : (char)tolower((unsigned char)n[i]);
		r = build("pypi", NULL, n, p->version, q, nq);
		free(n);
		return r;
	}
	case SC_ECO_NPM: {
		const char *slash = p->name && p->name[0] == '@' ? strchr(p->name, '/') : NULL;

		if (slash) {
			char *ns = sc_strndup(p->name, (size_t)(slash - p->name)), *r;

			if (!ns)
				return NULL;
			r = build("npm", ns, slash + 1, p->version, q, nq);
			free(ns);
			return r;
		}
		return build("npm", NULL, p->name, p->version, q, nq);
	}
	case SC_ECO_GOLANG: {
		const char *slash = p->name ? strrchr(p->name, '/') : NULL;

		if (slash) {
			char *ns = sc_strndup(p->name, (size_t)(slash - p->name)), *r;

			if (!ns)
				return NULL;
			r = build("golang", ns, slash + 1, p->version, q, nq);
			free(ns);
			return r;
		}
		return build("golang", NULL, p->name, p->version, q, nq);
	}
	case SC_ECO_BINARY:
	default:
		return build("generic", NULL, p->name, p->version, q, nq);
	}
}

char *sc_purl_image(const sc_image *img, char **name_out)
{
	char hex[65], dg[80], name[256];
	const char *base, *slash;
	size_t n, i;
	qual q[2];
	size_t nq = 0;
	char *r;
	sc_regref rr;
	sc_imgref ref = { 0 };
	int registry = 0;

	/* From the name as given (harden names a staged result after the registry reference it was pushed to). */
	if (!img->name || sc_imgref_parse(&ref, img->name) != 0) {
		sc_error_clear();
		ref = img->ref;
		ref.path = ref.path ? sc_strdup(ref.path) : NULL;
		ref.ref = ref.ref ? sc_strdup(ref.ref) : NULL;
	}
	base = ref.path ? ref.path : "image";

	/*
	 * The image name: for docker:// the repository's last segment, with
	 * the registry and repository in repository_url (purl-spec, type oci);
	 * else the last path component of the layout or archive, without
	 * extension.
	 */
	if (ref.transport == SC_TRANSPORT_DOCKER && ref.path && sc_regref_parse(&rr, ref.path) == 0) {
		registry = 1;
		base = rr.repo;
	}
	slash = strrchr(base, '/');
	snprintf(name, sizeof(name), "%s", slash && slash[1] ? slash + 1 : base);
	n = strlen(name);
	for (i = 0; i < n; i++)
		name[i] = (char)tolower((unsigned char)name[i]);
	if (!registry && n > 4 && strcmp(name + n - 4, ".tar") == 0)
		name[n - 4] = '\0';
	if (!name[0] || strcmp(name, ".") == 0)
		snprintf(name, sizeof(name), "image");
	sc_digest_hex(&img->manifest_digest, hex);
	snprintf(dg, sizeof(dg), "sha256:%s", hex);
	if (registry) {
		char *url = NULL;

		if (asprintf(&url, "%s/%s", rr.host, rr.repo) < 0)
			url = NULL;
		q[nq++] = (qual){ "repository_url", url };
		if (rr.tag)
			q[nq++] = (qual){ "tag", sc_strdup(rr.tag) };
		sc_regref_release(&rr);
	} else if (ref.ref && ref.ref[0] != '@') {
		q[nq++] = (qual){ "tag", sc_strdup(ref.ref) };
	}
	sc_imgref_release(&ref);
	r = build("oci", NULL, name, dg, q, nq);
	if (r && name_out) {
		*name_out = sc_strdup(name);
		if (!*name_out) {
			free(r);
			return NULL;
		}
	}
	return r;
}

/* Days since 1970-01-01 for a civil date (proleptic Gregorian). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/* RFC 3339 "YYYY-MM-DDThh:mm:ss[.frac](Z|+hh:mm)" to epoch seconds; -1 when malformed. */
static int parse_rfc3339(const char *s, time_t *out)
{
	int Y, M, D, h, m, sec, n = 0;
	long long t;
	const char *p;

	if (sscanf(s, "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &Y, &M, &D, &h, &m, &sec, &n) != 6 || n == 0)
		return -1;
	if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60 || Y < 1970)
		return -1;
	t = days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400 + h * 3600 + m * 60 + sec;
	p = s + n;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (*p == '+' || *p == '-') {
		int oh, om;

		if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
			return -1;
		t += (*p == '+' ? -1 : 1) * (oh * 3600 + om * 60);
	} else if (*p != 'Z' && *p != 'z') {
		return -1;
	}
	*out = (time_t)t;
	return 0;
}

time_t sc_sbom_timestamp(const sc_image *img)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t t = 0;

	if (sde && *sde) {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(sde, &end, 10);
		if (!errno && !*end && v >= 0)
			return (time_t)v;
	}
	if (img && img->config.created && parse_rfc3339(img->config.created, &t) == 0)
		return t;
	return 0;
}

char *sc_sbom_fmt_time(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return out;
}

const char *sc_spdx_license_id(const char *license)
{
	static const char *const ids[] = {
		"0BSD", "AFL-3.0", "AGPL-3.0-only", "AGPL-3.0-or-later", "Apache-1.1", "Apache-2.0",
		"Artistic-1.0", "Artistic-2.0", "BSD-1-Clause", "BSD-2-Clause", "BSD-3-Clause",
		"BSD-4-Clause", "BSL-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0", "CDDL-1.0", "EPL-1.0",
		"EPL-2.0", "GFDL-1.3-only", "GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only",
		"GPL-3.0-or-later", "ISC", "LGPL-2.0-only", "LGPL-2.0-or-later", "LGPL-2.1-only",
		"LGPL-2.1-or-later", "LGPL-3.0-only", "LGPL-3.0-or-later", "MIT", "MIT-0", "MPL-1.1",
		"MPL-2.0", "OpenSSL", "PSF-2.0", "Python-2.0", "Unlicense", "W3C", "WTFPL", "X11", "Zlib",
		"zlib-acknowledgement", "BlueOak-1.0.0", "Unicode-DFS-2016", "curl", "HPND",
	};
	static const struct {
		const char *alias, *id;
	} aliases[] = {
		{ "Apache", "Apache-2.0" }, { "Apache License 2.0", "Apache-2.0" },
		{ "Apache 2.0", "Apache-2.0" }, { "Apache Software License", "Apache-2.0" },
		{ "Apache License, Version 2.0", "Apache-2.0" }, { "MIT License", "MIT" },
		{ "BSD", "BSD-3-Clause" }, { "BSD License", "BSD-3-Clause" }, { "3-Clause BSD License", "BSD-3-Clause" },
		{ "new BSD", "BSD-3-Clause" }, { "GPL-2", "GPL-2.0-only" }, { "GPL-2+", "GPL-2.0-or-later" },
		{ "GPL-3", "GPL-3.0-only" }, { "GPL-3+", "GPL-3.0-or-later" }, { "LGPL-2.1", "LGPL-2.1-only" },
		{ "LGPL-2.1+", "LGPL-2.1-or-later" }, { "LGPL-3", "LGPL-3.0-only" }, { "LGPL-3+", "LGPL-3.0-or-later" },
		{ "Expat", "MIT" }, { "ISC License", "ISC" }, { "MPL-2", "MPL-2.0" }, { "PSF", "PSF-2.0" },
		{ "Python Software Foundation License", "PSF-2.0" }, { "public-domain", NULL },
	};
	size_t i;

	if (!license)
		return NULL;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (strcmp(license, ids[i]) == 0)
			return ids[i];
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcasecmp(license, aliases[i].alias) == 0)
			return aliases[i].id;
	return NULL;
}

long sc_sbom_resolve_dep(const sc_catalog *cat, const sc_package *p, const char *name)
{
	size_t lo = 0, hi = cat->n_pkgs;
	char norm[512];
	size_t i;
	long found = -1;

	snprintf(norm, sizeof(norm), "%s", name);
	if (p->eco == SC_ECO_PYPI)
		for (i = 0; norm[i]; i++)
			norm[i] = (norm[i] == '_' || norm[i] == '.') ? '-' : (char)tolower((unsigned char)norm[i]);
	/* Packages are sorted by (ecosystem, name): binary search the first match. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const sc_package *q = &cat->pkgs[mid];
		int c = q->eco != p->eco ? (q->eco < p->eco ? -1 : 1) : strcmp(q->name ? q->name : "", norm);

		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < cat->n_pkgs && cat->pkgs[i].eco == p->eco && strcmp(cat->pkgs[i].name, norm) == 0; i++) {
		/* Prefer the same architecture (multi-arch dpkg), else the first. */
		if (found < 0)
			found = (long)i;
		if (p->arch && cat->pkgs[i].arch &&
		    (strcmp(p->arch, cat->pkgs[i].arch) == 0 || strcmp(cat->pkgs[i].arch, "all") == 0)) {
			found = (long)i;
			break;
		}
	}
	if (found >= 0 && &cat->pkgs[found] == p)
		return -1;
	return found;
}

int sc_sbom_ctx_init(sc_sbom_ctx *ctx, const sc_image *img, const sc_catalog *cat, const char *tool_version)
{
	size_t i;
	unsigned dup = 0;

	memset(ctx, 0, sizeof(*ctx));
	ctx->img = img;
	ctx->cat = cat;
	ctx->tool_version = tool_version;
	ctx->timestamp = sc_sbom_timestamp(img);
	ctx->image_purl = sc_purl_image(img, &ctx->image_name);
	ctx->purls = sc_calloc(cat->n_pkgs + 1, sizeof(char *));
	ctx->refs = sc_calloc(cat->n_pkgs + 1, sizeof(char *));
	if (!ctx->image_purl || !ctx->purls || !ctx->refs)
		goto nomem;
	for (i = 0; i < cat->n_pkgs; i++) {
		sc_buf b;

		ctx->purls[i] = sc_purl_package(&cat->pkgs[i], &cat->os);
		if (!ctx->purls[i])
			goto nomem;
		/*
		 * bom-refs must be unique: the same purl can appear at two
		 * locations; sorted packages put such twins next to each other.
		 */
		dup = (i > 0 && strcmp(ctx->purls[i - 1], ctx->purls[i]) == 0) ? dup + 1 : 0;
		sc_buf_init(&b, 1u << 16, "bom-ref");
		if (dup ? sc_buf_printf(&b, "%s#%u", ctx->purls[i], dup) : sc_buf_puts(&b, ctx->purls[i])) {
			sc_buf_release(&b);
			goto nomem;
		}
		ctx->refs[i] = sc_buf_detach(&b, NULL);
	}
	return 0;
nomem:
	sc_sbom_ctx_release(ctx);
	return sc_error_set(SC_ENOMEM, "out of memory building the SBOM");
}

void sc_sbom_ctx_release(sc_sbom_ctx *ctx)
{
	sc_strv_free(ctx->purls);
	sc_strv_free(ctx->refs);
	free(ctx->image_purl);
	free(ctx->image_name);
	memset(ctx, 0, sizeof(*ctx));
}
