/*
 * purl_parse.c - parse a package URL string into its components.
 *
 * Spec: https://github.com/package-url/purl-spec
 *       (PURL-SPECIFICATION.rst, "How to parse a purl string in its
 *       components"; docs/how-to-parse.md), right to left:
 *   '#' subpath   segments percent-decoded, empty / "." / ".." dropped
 *   '?' qualifiers  key=value&...: keys lowercased, values percent-decoded,
 *                   pairs with an empty value dropped, duplicate keys refused
 *   "pkg:" scheme (case-insensitive; "pkg://" tolerated), type lowercased
 *   '@' version   the last '@' after the last '/' (so an unencoded npm
 *                 scope "pkg:npm/@babel/core" is not taken for a version)
 *   name          last segment, percent-decoded
 *   namespace     the segments before it, empty ones dropped, each decoded
 * Type-specific normalisation: pypi names are lowercased with '_' -> '-';
 * github and bitbucket namespaces and names are lowercased; other types
 * (deb, apk, rpm, npm, golang...) are kept as given.
 * Input is bounded (SC_PURL_MAX_LEN bytes, SC_PURL_MAX_QUALS qualifiers);
 * every failure is SC_EINPUT (SC_ENOMEM on allocation failure).
 */
#include "sbom/read.h"
#include "core/buf.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>

#define SC_PURL_MAX_LEN 4096
#define SC_PURL_MAX_QUALS 64

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c - 'A' + 10;
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Percent-decode [p, p+n) into a new string; what names the component in errors. */
static int decode(char **out, const char *p, size_t n, const char *what)
{
	char *s = sc_malloc(n + 1);
	size_t i, o = 0;

	if (!s)
		return SC_ENOMEM;
	for (i = 0; i < n; i++) {
		char c = p[i];

		if (c == '%') {
			if (i + 2 >= n) {
				free(s);
				return sc_error_set(SC_EINPUT, "purl: truncated percent-encoding in the %s", what);
			}
			if (!is_hex(p[i + 1]) || !is_hex(p[i + 2])) {
				free(s);
				return sc_error_set(SC_EINPUT, "purl: bad percent-encoding in the %s", what);
			}
			c = (char)(hex_val(p[i + 1]) * 16 + hex_val(p[i + 2]));
			if (c == '\0') {
				free(s);
				return sc_error_set(SC_EINPUT, "purl: encoded NUL in the %s", what);
			}
			i += 2;
		}
		s[o++] = c;
	}
	s[o] = '\0';
	*out = s;
	return 0;
}

/*
 * Split [p, p+n) on '/', drop empty segments (and "." / ".." after decoding
 * when drop_dots), decode each and join them with '/' into *out (NULL when
 * nothing is left).  A decoded segment holding '/' is an error.
 */
static int segments(char **out, const char *p, size_t n, int drop_dots, const char *what)
{
	sc_buf b;
	size_t i = 0;
	int rc = 0;

	*out = NULL;
	sc_buf_init(&b, SC_PURL_MAX_LEN, "purl");
	while (i < n && !rc) {
		size_t e = i;
		char *seg = NULL;

		while (e < n && p[e] != '/')
			e++;
		if (e > i) {
			if ((rc = decode(&seg, p + i, e - i, what)) != 0)
				break;
			if (strchr(seg, '/')) {
				rc = sc_error_set(SC_EINPUT, "purl: a %s segment contains an encoded '/'", what);
			} else if (!(drop_dots && (strcmp(seg, ".") == 0 || strcmp(seg, "..") == 0))) {
				if (b.len)
					rc = sc_buf_putc(&b, '/');
				if (!rc)
					rc = sc_buf_puts(&b, seg);
			}
			free(seg);
		}
		i = e + 1;
	}
	if (!rc && b.len)
		*out = sc_buf_detach(&b, NULL);
	sc_buf_release(&b);
	return rc;
}

/* Qualifier keys: [A-Za-z0-9.-_], not starting with a digit (lowercased by the caller). */
static int valid_key(const char *k, size_t n)
{
	size_t i;

	if (n == 0 || (k[0] >= '0' && k[0] <= '9'))
		return 0;
	for (i = 0; i < n; i++) {
		char c = lower(k[i]);

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

static int parse_quals(sc_kv_list *out, const char *p, size_t n)
{
	size_t i = 0, count = 0;
	int rc = 0;

	while (i < n && !rc) {
		size_t e = i, eq, k;
		char key[256], *val = NULL;

		while (e < n && p[e] != '&')
			e++;
		if (e == i) { /* "a=b&&c=d": empty pair */
			i = e + 1;
			continue;
		}
		if (++count > SC_PURL_MAX_QUALS)
			return sc_error_set(SC_EINPUT, "purl: more than %d qualifiers", SC_PURL_MAX_QUALS);
		for (eq = i; eq < e && p[eq] != '='; eq++)
			;
		if (eq == e)
			return sc_error_set(SC_EINPUT, "purl: qualifier without '='");
		if (!valid_key(p + i, eq - i) || eq - i >= sizeof(key))
			return sc_error_set(SC_EINPUT, "purl: invalid qualifier key");
		for (k = 0; k < eq - i; k++)
			key[k] = lower(p[i + k]);
		key[k] = '\0';
		if ((rc = decode(&val, p + eq + 1, e - eq - 1, "qualifier value")) != 0)
			return rc;
		if (sc_kv_list_get(out, key))
			rc = sc_error_set(SC_EINPUT, "purl: duplicate qualifier '%s'", key);
		else if (*val)
			rc = sc_kv_list_add(out, key, val);
		free(val);
		i = e + 1;
	}
	return rc;
}

/* Type: [a-z0-9.+-] (any case in input), not starting with a digit. */
static int parse_type(char **out, const char *p, size_t n)
{
	size_t i;
	char *t;

	if (n == 0)
		return sc_error_set(SC_EINPUT, "purl: no type");
	if (p[0] >= '0' && p[0] <= '9')
		return sc_error_set(SC_EINPUT, "purl: type starts with a digit");
	for (i = 0; i < n; i++) {
		char c = lower(p[i]);

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '+' || c == '-'))
			return sc_error_set(SC_EINPUT, "purl: invalid character in the type");
	}
	t = sc_strndup(p, n);
	if (!t)
		return SC_ENOMEM;
	for (i = 0; t[i]; i++)
		t[i] = lower(t[i]);
	*out = t;
	return 0;
}

static void normalize(sc_purl *u)
{
	char *s;

	if (strcmp(u->type, "pypi") == 0) {
		for (s = u->name; *s; s++)
			*s = *s == '_' ? '-' : lower(*s);
	} else if (strcmp(u->type, "github") == 0 || strcmp(u->type, "bitbucket") == 0) {
		for (s = u->name; *s; s++)
			*s = lower(*s);
		for (s = u->ns; s && *s; s++)
			*s = lower(*s);
	}
}

int sc_purl_parse(sc_purl *out, const char *s)
{
	sc_purl u;
	size_t len, end, qs, i, slash, at, name_start;
	const char *hash, *q, *colon;
	int rc = 0;

	memset(&u, 0, sizeof(u));
	if (!s)
		return sc_error_set(SC_EINPUT, "purl: empty");
	len = strnlen(s, SC_PURL_MAX_LEN + 1);
	if (len > SC_PURL_MAX_LEN)
		return sc_error_set(SC_EINPUT, "purl: longer than %d bytes", SC_PURL_MAX_LEN);

	/* subpath: right of the last '#' */
	end = len;
	hash = memrchr(s, '#', len);
	if (hash) {
		end = (size_t)(hash - s);
		if ((rc = segments(&u.subpath, hash + 1, len - end - 1, 1, "subpath")) != 0)
			goto out;
	}
	/* qualifiers: right of the last '?' */
	q = memrchr(s, '?', end);
	if (q) {
		qs = (size_t)(q - s);
		if ((rc = parse_quals(&u.quals, q + 1, end - qs - 1)) != 0)
			goto out;
		end = qs;
	}
	/* scheme */
	colon = memchr(s, ':', end);
	if (!colon || colon - s != 3 || lower(s[0]) != 'p' || lower(s[1]) != 'k' || lower(s[2]) != 'g') {
		rc = sc_error_set(SC_EINPUT, "purl: does not start with \"pkg:\"");
		goto out;
	}
	i = 4;
	while (i < end && s[i] == '/')
		i++;
	/* type */
	for (slash = i; slash < end && s[slash] != '/'; slash++)
		;
	if (slash == end) {
		rc = sc_error_set(SC_EINPUT, i == end ? "purl: no type" : "purl: no name");
		goto out;
	}
	if ((rc = parse_type(&u.type, s + i, slash - i)) != 0)
		goto out;
	i = slash + 1;
	while (end > i && s[end - 1] == '/')
		end--;
	/* version: the last '@' after the last '/' */
	for (slash = end; slash > i && s[slash - 1] != '/'; slash--)
		;
	at = end;
	while (at > slash && s[at - 1] != '@')
		at--;
	if (at > slash) {
		at--; /* index of the '@' */
		if (at + 1 == end) {
			rc = sc_error_set(SC_EINPUT, "purl: empty version");
			goto out;
		}
		if ((rc = decode(&u.version, s + at + 1, end - at - 1, "version")) != 0)
			goto out;
		end = at;
	}
	/* name: the last segment */
	name_start = slash;
	if (name_start >= end) {
		rc = sc_error_set(SC_EINPUT, "purl: no name");
		goto out;
	}
	if ((rc = decode(&u.name, s + name_start, end - name_start, "name")) != 0)
		goto out;
	if (!*u.name) {
		rc = sc_error_set(SC_EINPUT, "purl: no name");
		goto out;
	}
	/* namespace: everything between type and name */
	if (name_start > i && (rc = segments(&u.ns, s + i, name_start - i, 0, "namespace")) != 0)
		goto out;
	normalize(&u);
	*out = u;
	return 0;
out:
	sc_purl_release(&u);
	return rc;
}

void sc_purl_release(sc_purl *p)
{
	if (!p)
		return;
	free(p->type);
	free(p->ns);
	free(p->name);
	free(p->version);
	sc_kv_list_release(&p->quals);
	free(p->subpath);
	memset(p, 0, sizeof(*p));
}
