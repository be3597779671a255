/*
 * auth.c - WWW-Authenticate challenges, token responses and registry
 * credentials (auth.h).
 *
 * Specs:
 *   RFC 7235 2.1/4.1:  challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *                      auth-param = token BWS "=" BWS ( token / quoted-string )
 *   RFC 7230 3.2.6:    quoted-string with quoted-pair ("\" any visible char)
 *   Token auth:        https://distribution.github.io/distribution/spec/auth/token/
 *   Auth files:        containers-auth.json(5); docker config.json "auths"
 */
#include "registry/auth.h"

#include "core/base64.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void sc_secret_free(char *s)
{
	if (!s)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

/* ------------------------------------------------------------------ */
/* Challenges                                                         */
/* ------------------------------------------------------------------ */

/* RFC 7230 tchar */
static int is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* RFC 7235 token68 characters besides the trailing '=' padding */
static int is_t68char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("-._~+/", c) != NULL);
}

static const char *skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Commas and whitespace between list elements (RFC 7230 7: empty elements allowed). */
static const char *skip_list_sep(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	return p;
}

/* Is p at "token BWS =" (an auth-param rather than a new scheme or token68)? */
static int at_param(const char *p)
{
	const char *q = p;

	while (is_tchar((unsigned char)*q))
		q++;
	if (q == p)
		return 0;
	q = skip_ows(q);
	if (*q != '=')
		return 0;
	/* "abc==" or "abc=" followed by end/',' is token68 padding, not a param. */
	q = skip_ows(q + 1);
	return *q && *q != ',' && *q != '=';
}

/* A token or quoted-string value at *pp into a new string. */
static int parse_value(const char **pp, char **out)
{
	const char *p = *pp;
	sc_buf b;
	int rc;

	sc_buf_init(&b, SC_AUTH_HEADER_MAX, "WWW-Authenticate parameter");
	if (*p == '"') {
		p++;
		for (;;) {
			unsigned char c = (unsigned char)*p;

			if (c == '\0') {
				sc_buf_release(&b);
				return sc_error_set(SC_EINPUT, "WWW-Authenticate: unterminated quoted string");
			}
			if (c == '"')
				break;
			if (c == '\\') {
				p++;
				c = (unsigned char)*p;
				if (c == '\0') {
					sc_buf_release(&b);
					return sc_error_set(SC_EINPUT, "WWW-Authenticate: unterminated quoted string");
				}
			}
			/* qdtext / quoted-pair: HTAB, SP, VCHAR, obs-text; no other controls */
			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				sc_buf_release(&b);
				return sc_error_set(SC_EINPUT, "WWW-Authenticate: control character in a quoted string");
			}
			if ((rc = sc_buf_putc(&b, (char)c)) != 0) {
				sc_buf_release(&b);
				return rc;
			}
			p++;
		}
		p++; /* closing quote */
	} else {
		const char *s = p;

		/* RFC 7235 wants a token; servers send bare URLs too: take any
		 * visible character but ',' and '"'. */
		while ((unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f && *p != ',' && *p != '"')
			p++;
		if (p == s)
			return sc_error_set(SC_EINPUT, "WWW-Authenticate: parameter without a value");
		if ((rc = sc_buf_append(&b, s, (size_t)(p - s))) != 0) {
			sc_buf_release(&b);
			return rc;
		}
	}
	if (!b.data) { /* an empty value: nothing was appended */
		*out = sc_strdup("");
		if (!*out)
			return SC_ENOMEM;
	} else {
		*out = sc_buf_detach(&b, NULL);
	}
	*pp = p;
	return 0;
}

int sc_auth_challenge_parse(sc_auth_challenge *out, const char *value)
{
	sc_auth_challenge best, cur;
	const char *p;
	unsigned n_params = 0;
	int rc = 0, have_best = 0;

	memset(&best, 0, sizeof(best));
	memset(&cur, 0, sizeof(cur));
	if (!value)
		return sc_error_set(SC_EINPUT, "WWW-Authenticate: missing");
	if (strlen(value) > SC_AUTH_HEADER_MAX)
		return sc_error_set(SC_ELIMIT, "WWW-Authenticate: longer than %u bytes", SC_AUTH_HEADER_MAX);
	p = skip_list_sep(value);
	while (*p) {
		const char *s = p;
		size_t slen;
		int seen_realm = 0, seen_service = 0, seen_scope = 0;
		/* Other parameter names seen in this challenge, to refuse duplicates. */
		char other[SC_AUTH_MAX_PARAMS][32];
		unsigned n_other = 0, i;

		while (is_tchar((unsigned char)*p))
			p++;
		slen = (size_t)(p - s);
		if (slen == 0) {
			rc = sc_error_set(SC_EINPUT, "WWW-Authenticate: expected an auth scheme");
			goto fail;
		}
		memset(&cur, 0, sizeof(cur));
		if (slen == 5 && strncasecmp(s, "Basic", 5) == 0)
			cur.scheme = SC_AUTH_BASIC;
		else if (slen == 6 && strncasecmp(s, "Bearer", 6) == 0)
			cur.scheme = SC_AUTH_BEARER;
		if (*p && *p != ' ' && *p != '\t' && *p != ',') {
			rc = sc_error_set(SC_EINPUT, "WWW-Authenticate: malformed auth scheme");
			goto fail;
		}
		p = skip_ows(p);
		/* token68 form: "Scheme abc123==" */
		if (*p && *p != ',' && !at_param(p)) {
			const char *t = p;

			while (is_t68char((unsigned char)*p))
				p++;
			while (*p == '=')
				p++;
			if (p == t) {
				rc = sc_error_set(SC_EINPUT, "WWW-Authenticate: malformed challenge");
				goto fail;
			}
			p = skip_ows(p);
			if (*p && *p != ',') {
				rc = sc_error_set(SC_EINPUT, "WWW-Authenticate: malformed challenge");
				goto fail;
			}
		}
		/* auth-params until the next scheme */
		for (;;) {
			const char *q = skip_list_sep(p), *name;
			size_t nlen;
			char *val = NULL;

			if (!*q || !at_param(q)) {
				p = q;
				break;
			}
			if (++n_params > SC_AUTH_MAX_PARAMS) {
				rc = sc_error_set(SC_ELIMIT, "WWW-Authenticate: more than %d parameters", SC_AUTH_MAX_PARAMS);
				goto fail;
			}
			name = q;
			while (is_tchar((unsigned char)*q))
				q++;
			nlen = (size_t)(q - name);
			q = skip_ows(q);
			q = skip_ows(q + 1); /* '=' */
			if ((rc = parse_value(&q, &val)) != 0)
				goto fail;
			p = skip_ows(q);
			if (*p && *p != ',') {
				free(val);
				rc = sc_error_set(SC_EINPUT, "WWW-Authenticate: junk after a parameter value");
				goto fail;
			}
#define TAKE(lit, flag, field)                                                                       \
	if (nlen == sizeof(lit) - 1 && strncasecmp(name, lit, nlen) == 0) {                           \
		if (flag) {                                                                           \
			free(val);                                                                    \
			rc = sc_error_set(SC_EINPUT, "WWW-Authenticate: parameter '%s' given twice", lit); \
			goto fail;                                                                    \
		}                                                                                     \
		flag = 1;                                                                             \
		cur.field = val;                                                                      \
		continue;                                                                             \
	}
			TAKE("realm", seen_realm, realm)
			TAKE("service", seen_service, service)
			TAKE("scope", seen_scope, scope)
#undef TAKE
			free(val);
			if (nlen >= sizeof(other[0])) {
				rc = sc_error_set(SC_EINPUT, "WWW-Authenticate: parameter name longer than %zu bytes",
						  sizeof(other[0]) - 1);
				goto fail;
			}
			for (i = 0; i < n_other; i++)
				if (strlen(other[i]) == nlen && strncasecmp(other[i], name, nlen) == 0) {
					rc = sc_error_set(SC_EINPUT, "WWW-Authenticate: parameter '%s' given twice",
							  other[i]);
					goto fail;
				}
			if (n_other < SC_AUTH_MAX_PARAMS) {
				memcpy(other[n_other], name, nlen);
				other[n_other][nlen] = '\0';
				n_other++;
			}
		}
		if (cur.scheme != SC_AUTH_NONE &&
		    (!have_best || (best.scheme == SC_AUTH_BASIC && cur.scheme == SC_AUTH_BEARER))) {
			sc_auth_challenge_release(&best);
			best = cur;
			have_best = 1;
		} else {
			sc_auth_challenge_release(&cur);
		}
		memset(&cur, 0, sizeof(cur));
	}
	if (!have_best)
		return sc_error_set(SC_EUNSUPPORTED, "WWW-Authenticate: no Basic or Bearer challenge");
	if (best.scheme == SC_AUTH_BEARER && (!best.realm || !best.realm[0])) {
		sc_auth_challenge_release(&best);
		return sc_error_set(SC_EINPUT, "WWW-Authenticate: Bearer challenge without a realm");
	}
	*out = best;
	return 0;
fail:
	sc_auth_challenge_release(&cur);
	sc_auth_challenge_release(&best);
	return rc;
}

void sc_auth_challenge_release(sc_auth_challenge *c)
{
	if (!c)
		return;
	free(c->realm);
	free(c->service);
	free(c->scope);
	memset(c, 0, sizeof(*c));
}

/* ------------------------------------------------------------------ */
/* Token responses                                                    */
/* ------------------------------------------------------------------ */

static int printable_token(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

int sc_auth_token_parse(char **token, long *expires_in, const char *data, size_t len)
{
	json_t *j = NULL, *v;
	const char *t = NULL;
	long ttl = SC_TOKEN_DEFAULT_TTL;
	char *copy;
	int rc;

	if ((rc = sc_json_parse(&j, data, len, SC_TOKEN_RESPONSE_MAX, 8, "token response")) != 0) {
		/* jansson's message may quote the token text: say less. */
		if (rc == SC_EINPUT)
			rc = sc_error_set(SC_EINPUT, "token response: malformed JSON");
		return rc;
	}
	if (!json_is_object(j)) {
		rc = sc_error_set(SC_EINPUT, "token response: not a JSON object");
		goto out;
	}
	v = json_object_get(j, "token");
	if (!v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
		v = json_object_get(j, "access_token");
	if (!v || !json_is_string(v) || json_string_length(v) == 0) {
		rc = sc_error_set(SC_EINPUT, "token response: no 'token' or 'access_token' string");
		goto out;
	}
	t = json_string_value(v);
	if (json_string_length(v) > SC_TOKEN_MAX) {
		rc = sc_error_set(SC_ELIMIT, "token response: token longer than %u bytes", SC_TOKEN_MAX);
		goto out;
	}
	if (strlen(t) != json_string_length(v) || !printable_token(t)) {
		rc = sc_error_set(SC_EINPUT, "token response: token has spaces or control characters");
		goto out;
	}
	v = json_object_get(j, "expires_in");
	if (v && !json_is_null(v)) {
		json_int_t e;

		if (!json_is_integer(v) || (e = json_integer_value(v)) < 0) {
			rc = sc_error_set(SC_EINPUT, "token response: 'expires_in' is not a non-negative integer");
			goto out;
		}
		ttl = e < SC_TOKEN_DEFAULT_TTL ? SC_TOKEN_DEFAULT_TTL : e > SC_TOKEN_MAX_TTL ? SC_TOKEN_MAX_TTL : (long)e;
	}
	v = json_object_get(j, "issued_at");
	if (v && !json_is_null(v) && !json_is_string(v)) {
		rc = sc_error_set(SC_EINPUT, "token response: 'issued_at' is not a string");
		goto out;
	}
	if (!(copy = sc_strdup(t))) {
		rc = SC_ENOMEM;
		goto out;
	}
	*token = copy;
	*expires_in = ttl;
out:
	json_decref(j);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Credentials                                                        */
/* ------------------------------------------------------------------ */

void sc_creds_release(sc_creds *c)
{
	if (!c)
		return;
	sc_secret_free(c->user);
	sc_secret_free(c->pass);
	c->user = c->pass = NULL;
}

static int creds_from(sc_creds *out, const char *s, size_t n, const char *what)
{
	const char *colon = memchr(s, ':', n);
	sc_creds c = { 0 };

	if (!colon || colon == s)
		return sc_error_set(SC_EINPUT, "%s: credentials are not USER:PASSWORD", what);
	if (memchr(s, '\0', n))
		return sc_error_set(SC_EINPUT, "%s: credentials contain a NUL byte", what);
	c.user = sc_strndup(s, (size_t)(colon - s));
	c.pass = sc_strndup(colon + 1, n - (size_t)(colon - s) - 1);
	if (!c.user || !c.pass) {
		sc_creds_release(&c);
		return SC_ENOMEM;
	}
	*out = c;
	return 0;
}

int sc_creds_parse(sc_creds *out, const char *userpass)
{
	int rc = creds_from(out, userpass, strlen(userpass), "--creds");

	if (rc == SC_EINPUT)
		rc = sc_error_set(SC_EUSAGE, "--creds: want USER:PASSWORD");
	return rc;
}

/*
 * The registry part of an auths key: "https://host:5000/v1/" -> host
 * "host:5000", path "" ; "host/ns/repo" -> path "ns/repo".
 */
static void split_key(const char *key, const char **host, size_t *hlen, const char **path, size_t *plen)
{
	const char *slash;
	size_t n;

	if (strncasecmp(key, "https://", 8) == 0)
		key += 8;
	else if (strncasecmp(key, "http://", 7) == 0)
		key += 7;
	slash = strchr(key, '/');
	*host = key;
	*hlen = slash ? (size_t)(slash - key) : strlen(key);
	*path = "";
	*plen = 0;
	if (!slash)
		return;
	slash++;
	n = strlen(slash);
	while (n > 0 && slash[n - 1] == '/')
		n--;
	if ((n == 2 && (strncmp(slash, "v1", 2) == 0 || strncmp(slash, "v2", 2) == 0)) || n == 0)
		return;
	*path = slash;
	*plen = n;
}

static int entry_creds(sc_creds *out, const json_t *e, const char *what)
{
	const char *auth = sc_json_str(e, "auth");
	const char *user = sc_json_str(e, "username"), *pass = sc_json_str(e, "password");
	int rc;

	if (auth && *auth) {
		size_t n = strlen(auth), dn = 0;
		unsigned char *dec;

		if (n > SC_AUTH_FILE_MAX)
			return sc_error_set(SC_ELIMIT, "%s: credentials too long", what);
		if (sc_base64_decode(&dec, &dn, auth, n, SC_AUTH_FILE_MAX, 0, what) != 0)
			return sc_error_set(SC_EINPUT, "%s: an \"auth\" value is not base64", what);
		rc = creds_from(out, (const char *)dec, dn, what);
		OPENSSL_cleanse(dec, dn);
		free(dec);
		return rc;
	}
	if (user && *user) {
		sc_creds c = { 0 };

		c.user = sc_strdup(user);
		c.pass = sc_strdup(pass ? pass : "");
		if (!c.user || !c.pass) {
			sc_creds_release(&c);
			return SC_ENOMEM;
		}
		*out = c;
		return 0;
	}
	return 0; /* an entry without usable credentials (identitytoken, credHelpers) */
}

int sc_auth_file_lookup(sc_creds *out, const char *data, size_t len, const char *host, const char *repo,
			const char *what)
{
	json_t *j = NULL, *auths, *e, *best_e = NULL;
	const char *key;
	long best = -1;
	size_t host_len = strlen(host);
	int rc = 0;

	out->user = out->pass = NULL;
	if ((rc = sc_json_parse(&j, data, len, SC_AUTH_FILE_MAX, 16, what)) != 0) {
		/* jansson's message may quote a secret: name the file only. */
		if (rc == SC_EINPUT)
			rc = sc_error_set(SC_EINPUT, "%s: malformed JSON", what);
		return rc;
	}
	if (!json_is_object(j)) {
		rc = sc_error_set(SC_EINPUT, "%s: not a JSON object", what);
		goto out;
	}
	auths = json_object_get(j, "auths");
	if (!auths || json_is_null(auths))
		goto out;
	if (!json_is_object(auths)) {
		rc = sc_error_set(SC_EINPUT, "%s: \"auths\" is not an object", what);
		goto out;
	}
	json_object_foreach(auths, key, e)
	{
		const char *kh, *kp;
		size_t khl, kpl;
		long score;

		if (!json_is_object(e))
			continue;
		split_key(key, &kh, &khl, &kp, &kpl);
		if (khl != host_len || strncasecmp(kh, host, host_len) != 0)
			continue;
		if (kpl) {
			size_t rl = repo ? strlen(repo) : 0;

			if (!repo || rl < kpl || strncmp(repo, kp, kpl) != 0 || (rl > kpl && repo[kpl] != '/'))
				continue;
			score = (long)kpl;
		} else {
			score = 0;
		}
		if (score > best) {
			best = score;
			best_e = e;
		}
	}
	if (best_e)
		rc = entry_creds(out, best_e, what);
out:
	json_decref(j);
	return rc;
}

/* 0 and out->user set or NULL; SC_ENOTFOUND when the file does not exist. */
static int lookup_file(sc_creds *out, const char *path, const char *host, const char *repo)
{
	char *data = NULL;
	size_t len = 0;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return SC_ENOTFOUND;
		return sc_error_set_errno(SC_EIO, errno, "auth file %s", path);
	}
	{
		char what[600];

		snprintf(what, sizeof(what), "auth file %.500s", path);
		rc = sc_fd_read_all(fd, SC_AUTH_FILE_MAX, what, &data, &len);
		close(fd);
		if (rc == 0)
			rc = sc_auth_file_lookup(out, data, len, host, repo, what);
	}
	if (data) {
		OPENSSL_cleanse(data, len);
		free(data);
	}
	return rc;
}

int sc_auth_lookup(sc_creds *out, const char *host, const char *repo, const char *creds, const char *auth_file)
{
	char path[4096];
	const char *env, *home;
	sc_creds c = { 0 };
	int rc;

	if (creds) {
		if ((rc = sc_creds_parse(&c, creds)) != 0)
			return rc;
		*out = c;
		return 0;
	}
	if (auth_file) {
		rc = lookup_file(&c, auth_file, host, repo);
		if (rc == SC_ENOTFOUND)
			return sc_error_set(SC_EUSAGE, "auth file %.500s does not exist", auth_file);
		if (rc == 0)
			*out = c;
		return rc;
	}
	for (int i = 0; i < 4; i++) {
		path[0] = '\0';
		home = getenv("HOME");
		switch (i) {
		case 0:
			if ((env = getenv("REGISTRY_AUTH_FILE")) && *env)
				snprintf(path, sizeof(path), "%s", env);
			break;
		case 1:
			if ((env = getenv("XDG_RUNTIME_DIR")) && *env)
				snprintf(path, sizeof(path), "%s/containers/auth.json", env);
			break;
		case 2:
			if (home && *home)
				snprintf(path, sizeof(path), "%s/.config/containers/auth.json", home);
			break;
		case 3:
			if (home && *home)
				snprintf(path, sizeof(path), "%s/.docker/config.json", home);
			break;
		}
		if (!path[0])
			continue;
		rc = lookup_file(&c, path, host, repo);
		if (rc == SC_ENOTFOUND)
			continue;
		if (rc)
			return rc;
		if (c.user) {
			*out = c;
			return 0;
		}
	}
	out->user = out->pass = NULL;
	return 0;
}

char *sc_auth_basic_value(const sc_creds *c)
{
	size_t ul = strlen(c->user), pl = strlen(c->pass), n, enc;
	char *plain, *out;

	if (sc_add_overflow(ul, pl, &n) || sc_add_overflow(n, 2, &n) || n > SC_AUTH_FILE_MAX) {
		sc_error_set(SC_ELIMIT, "credentials too long");
		return NULL;
	}
	if (!(plain = sc_malloc(n)))
		return NULL;
	memcpy(plain, c->user, ul);
	plain[ul] = ':';
	memcpy(plain + ul + 1, c->pass, pl);
	plain[ul + 1 + pl] = '\0';
	enc = 4 * ((ul + 1 + pl + 2) / 3) + 1;
	if (!(out = sc_malloc(6 + enc))) {
		OPENSSL_cleanse(plain, n);
		free(plain);
		return NULL;
	}
	memcpy(out, "Basic ", 6);
	EVP_EncodeBlock((unsigned char *)out + 6, (const unsigned char *)plain, (int)(ul + 1 + pl));
	OPENSSL_cleanse(plain, n);
	free(plain);
	return out;
}
