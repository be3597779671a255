/*
 * auth.h - registry authentication pieces (internal to src/registry and
 * the image transports): WWW-Authenticate challenges, token responses and
 * credentials from --creds or the auth files.
 *
 * Specs:
 *   RFC 7235 section 4.1 / 2.1 (challenge and auth-param syntax),
 *   RFC 7230 section 3.2.6 (token, quoted-string, quoted-pair)
 *   https://distribution.github.io/distribution/spec/auth/token/
 *   containers-auth.json(5) and docker's config.json "auths" map
 *
 * Secrets (passwords, tokens, Authorization header values) never appear
 * in an error message and are wiped (OPENSSL_cleanse) when freed.
 */
#ifndef SC_REGISTRY_AUTH_H
#define SC_REGISTRY_AUTH_H

#include <stddef.h>

#define SC_AUTH_HEADER_MAX 8192          /* a WWW-Authenticate value */
#define SC_AUTH_MAX_PARAMS 32            /* auth-params over all challenges */
#define SC_AUTH_FILE_MAX (1u << 20)      /* an auth.json / config.json */
#define SC_TOKEN_RESPONSE_MAX (256u << 10)
#define SC_TOKEN_MAX (64u << 10)         /* the token itself */
#define SC_TOKEN_DEFAULT_TTL 60          /* seconds, as the token spec says */
#define SC_TOKEN_MAX_TTL 86400

typedef enum sc_auth_scheme {
	SC_AUTH_NONE = 0,
	SC_AUTH_BASIC,
	SC_AUTH_BEARER,
} sc_auth_scheme;

typedef struct sc_auth_challenge {
	sc_auth_scheme scheme;
	char *realm;   /* may be NULL (Basic); Bearer: the token endpoint */
	char *service; /* may be NULL */
	char *scope;   /* may be NULL */
} sc_auth_challenge;

/*
 * Parse a WWW-Authenticate value: one or more comma-separated challenges
 * (several header fields joined with ", ").  Bearer is preferred over
 * Basic; other schemes are skipped.  Malformed syntax (unterminated
 * quoted string, a parameter given twice in one challenge, over
 * SC_AUTH_HEADER_MAX bytes or SC_AUTH_MAX_PARAMS parameters): SC_EINPUT;
 * no Basic or Bearer challenge: SC_EUNSUPPORTED.  Parameter names are
 * case-insensitive; values are unescaped.
 */
int sc_auth_challenge_parse(sc_auth_challenge *out, const char *value);
void sc_auth_challenge_release(sc_auth_challenge *c);

/*
 * A token endpoint's JSON answer: "token" (else "access_token"), printable
 * ASCII without spaces, at most SC_TOKEN_MAX bytes; "expires_in" seconds
 * (default and minimum SC_TOKEN_DEFAULT_TTL, capped at SC_TOKEN_MAX_TTL);
 * "issued_at" is type-checked only.  *token is malloc'd (sc_secret_free).
 */
int sc_auth_token_parse(char **token, long *expires_in, const char *data, size_t len);

typedef struct sc_creds {
	char *user; /* NULL when there are no credentials */
	char *pass;
} sc_creds;

/* "USER:PASS" (split at the first ':'; USER not empty). */
int sc_creds_parse(sc_creds *out, const char *userpass);
void sc_creds_release(sc_creds *c); /* wipes; accepts NULL */

/*
 * The credentials for host (and repo, which may be NULL) in an auth file's
 * bytes: {"auths": {KEY: {"auth": base64("user:pass")} or
 * {"username": ..., "password": ...}}}.  KEY is "HOST[:PORT]", with an
 * optional "http(s)://" prefix and "/v1/" or "/v2/" suffix, or
 * "HOST/NAMESPACE[/REPO]"; the longest KEY matching host and a leading
 * part of repo wins.  out->user is NULL when nothing matches.  what names
 * the file in messages (never its content).
 */
int sc_auth_file_lookup(sc_creds *out, const char *data, size_t len, const char *host, const char *repo,
			const char *what);

/*
 * Credentials for host/repo: creds ("USER:PASS") when not NULL; else
 * auth_file when not NULL (it must be readable); else the first of
 * $REGISTRY_AUTH_FILE, ${XDG_RUNTIME_DIR}/containers/auth.json,
 * ~/.config/containers/auth.json and ~/.docker/config.json that has an
 * entry (missing files are skipped).  out->user is NULL when none.
 */
int sc_auth_lookup(sc_creds *out, const char *host, const char *repo, const char *creds,
		   const char *auth_file);

/* "Basic base64(user:pass)" (malloc'd; sc_secret_free). */
char *sc_auth_basic_value(const sc_creds *c);

/* Wipe a NUL-terminated secret and free it; accepts NULL. */
void sc_secret_free(char *s);

#endif
