/*
 * ref.c - registry references "HOST[:PORT]/REPO[:TAG|@sha256:HEX]"
 * (registry/client.h).
 *
 * Grammar (a strict subset of the distribution reference grammar,
 * https://github.com/distribution/reference/blob/main/reference.go):
 *   host       = domain [":" port] | "[" ipv6 "]" [":" port]
 *   domain     = label ("." label)*, label = [A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?
 *   port       = 1..65535 in decimal, no leading zeros
 *   repo       = component ("/" component)*, component = [a-z0-9]+([._-][a-z0-9]+)*
 *                (at most 255 bytes; "__" is allowed as a separator, as there)
 *   tag        = [A-Za-z0-9_][A-Za-z0-9._-]{0,127}
 *   digest     = "sha256:" 64 lowercase hex
 * The host must contain '.' or ':' or be "localhost": no Docker Hub
 * defaulting.
 */
#include "registry/client.h"

#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REF_MAX 1024
#define HOST_MAX 255
#define REPO_MAX 255
#define TAG_MAX 128

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Decimal port 1..65535 without leading zeros; the whole of [s, s+n). */
static int valid_port(const char *s, size_t n)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 5 || s[0] == '0')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

static int valid_domain(const char *s, size_t n)
{
	size_t i, label = 0;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (c == '-') {
			if (label == 0)
				return 0;
		} else if (!is_alnum(c)) {
			return 0;
		}
		label++;
	}
	return label > 0 && s[n - 1] != '-';
}

static int valid_ipv6(const char *s, size_t n)
{
	size_t i, colons = 0;

	if (n < 2 || n > 45)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == ':')
			colons++;
		else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.'))
			return 0;
	}
	return colons >= 2;
}

/* s[0..n) is HOST[:PORT]; msg gets what is wrong. */
static int valid_host(const char *s, size_t n, const char **why)
{
	const char *colon;
	size_t hn;

	if (n == 0) {
		*why = "empty registry host";
		return 0;
	}
	if (n > HOST_MAX) {
		*why = "registry host longer than 255 bytes";
		return 0;
	}
	if (s[0] == '[') {
		const char *close = memchr(s, ']', n);

		if (!close || !valid_ipv6(s + 1, (size_t)(close - s - 1))) {
			*why = "malformed IPv6 registry host";
			return 0;
		}
		if ((size_t)(close - s) + 1 == n)
			return 1;
		if (close[1] != ':' || !valid_port(close + 2, n - (size_t)(close - s) - 2)) {
			*why = "malformed port after the IPv6 registry host";
			return 0;
		}
		return 1;
	}
	colon = memchr(s, ':', n);
	hn = colon ? (size_t)(colon - s) : n;
	if (!valid_domain(s, hn)) {
		*why = "malformed registry host name";
		return 0;
	}
	if (colon && !valid_port(colon + 1, n - hn - 1)) {
		*why = "malformed registry port (want 1-65535)";
		return 0;
	}
	if (!colon && !memchr(s, '.', n) && !(n == 9 && memcmp(s, "localhost", 9) == 0)) {
		*why = "the registry host must contain '.' or ':' or be localhost (no Docker Hub default)";
		return 0;
	}
	return 1;
}

/* One repository path: lowercase components joined by '/'. */
static int valid_repo(const char *s, size_t n, const char **why)
{
	size_t i = 0;

	if (n == 0) {
		*why = "empty repository";
		return 0;
	}
	if (n > REPO_MAX) {
		*why = "repository longer than 255 bytes";
		return 0;
	}
	while (i < n) {
		/* component: alnum+ (sep alnum+)* with sep = '.', '_', '__', '-'+ */
		if (!is_lower_alnum(s[i])) {
			*why = "repository components must be lowercase [a-z0-9] separated by '.', '_', '__' or '-'";
			return 0;
		}
		while (i < n && is_lower_alnum(s[i]))
			i++;
		while (i < n && s[i] != '/') {
			if (s[i] == '.') {
				i++;
			} else if (s[i] == '_') {
				i++;
				if (i < n && s[i] == '_')
					i++;
			} else if (s[i] == '-') {
				while (i < n && s[i] == '-')
					i++;
			} else {
				*why = "repository components must be lowercase [a-z0-9] separated by '.', '_', '__' or '-'";
				return 0;
			}
			if (i >= n || !is_lower_alnum(s[i])) {
				*why = "a repository component must not start or end with a separator";
				return 0;
			}
			while (i < n && is_lower_alnum(s[i]))
				i++;
		}
		if (i < n) { /* '/' */
			i++;
			if (i >= n) {
				*why = "repository ends with '/'";
				return 0;
			}
		}
	}
	return 1;
}

static int valid_tag(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > TAG_MAX)
		return 0;
	if (!(is_alnum(s[0]) || s[0] == '_'))
		return 0;
	for (i = 1; i < n; i++)
		if (!(is_alnum(s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return 0;
	return 1;
}

int sc_regref_valid_repo(const char *repo, const char **why)
{
	const char *w = NULL;
	int ok = repo && valid_repo(repo, strlen(repo), &w);

	if (why)
		*why = ok ? NULL : (w ? w : "empty repository");
	return ok;
}

int sc_regref_valid_tag(const char *tag)
{
	return tag && valid_tag(tag, strlen(tag));
}

int sc_regref_parse(sc_regref *out, const char *s)
{
	sc_regref r;
	const char *slash, *at, *repo, *repo_end, *colon = NULL, *p;
	const char *why = NULL;
	size_t len;

	memset(&r, 0, sizeof(r));
	if (!s || !*s)
		return sc_error_set(SC_EUSAGE, "empty registry reference");
	len = strlen(s);
	if (len > REF_MAX)
		return sc_error_set(SC_EUSAGE, "registry reference longer than %d bytes", REF_MAX);
	for (p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return sc_error_set(SC_EUSAGE, "registry reference '%.200s': control, space or non-ASCII character",
					    s);
	slash = strchr(s, '/');
	if (!slash)
		return sc_error_set(SC_EUSAGE, "registry reference '%.200s': want HOST/REPO[:TAG|@DIGEST]", s);
	if (!valid_host(s, (size_t)(slash - s), &why))
		return sc_error_set(SC_EUSAGE, "registry reference '%.200s': %s", s, why);
	repo = slash + 1;
	at = strchr(repo, '@');
	repo_end = at ? at : s + len;
	/* A tag is after the last ':' that follows the last '/'. */
	for (p = repo_end; p > repo; p--) {
		if (p[-1] == '/')
			break;
		if (p[-1] == ':') {
			colon = p - 1;
			break;
		}
	}
	if (colon) {
		if (!valid_tag(colon + 1, (size_t)(repo_end - colon - 1)))
			return sc_error_set(SC_EUSAGE,
					    "registry reference '%.200s': malformed tag (want [A-Za-z0-9_][A-Za-z0-9._-]{0,127})",
					    s);
		repo_end = colon;
	}
	if (!valid_repo(repo, (size_t)(repo_end - repo), &why))
		return sc_error_set(SC_EUSAGE, "registry reference '%.200s': %s", s, why);
	if (at) {
		if (strncmp(at + 1, "sha256:", 7) != 0)
			return sc_error_set(SC_EUSAGE, "registry reference '%.200s': only sha256 digests are supported", s);
		if (sc_digest_parse(&r.digest, at + 1) != 0)
			return sc_error_set(SC_EUSAGE,
					    "registry reference '%.200s': malformed digest (want sha256: and 64 lowercase hex)",
					    s);
	}
	r.host = sc_strndup(s, (size_t)(slash - s));
	r.repo = sc_strndup(repo, (size_t)(repo_end - repo));
	if (colon)
		r.tag = sc_strndup(colon + 1, (size_t)((at ? at : s + len) - colon - 1));
	else if (!at)
		r.tag = sc_strdup("latest");
	if (!r.host || !r.repo || ((colon || !at) && !r.tag)) {
		sc_regref_release(&r);
		return SC_ENOMEM;
	}
	*out = r;
	return 0;
}

void sc_regref_release(sc_regref *r)
{
	if (!r)
		return;
	free(r->host);
	free(r->repo);
	free(r->tag);
	memset(r, 0, sizeof(*r));
}

char *sc_regref_pinned(const sc_regref *r, const sc_digest *d)
{
	char dg[SC_DIGEST_STRLEN];
	size_t n;
	char *s;

	sc_digest_fmt(d, dg);
	n = strlen(r->host) + 1 + strlen(r->repo) + 1 + strlen(dg) + 1;
	s = sc_malloc(n);
	if (!s)
		return NULL;
	snprintf(s, n, "%s/%s@%s", r->host, r->repo, dg);
	return s;
}
