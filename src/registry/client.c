/*
 * client.c - OCI Distribution Spec v1.1 client (client.h).
 *
 * Specs:
 *   https://github.com/opencontainers/distribution-spec/blob/main/spec.md
 *   https://distribution.github.io/distribution/spec/auth/token/
 *   https://distribution.github.io/distribution/spec/auth/scope/
 *
 * Request flow (reg_do):
 *   base URL decided once per sc_registry by a ping of /v2/ (ensure_base):
 *     plain_http -> http://; else https://, and for a loopback host a TLS
 *     handshake failure (a plain-http server answering the ClientHello)
 *     switches this sc_registry to http:// for good.  The ping's 401
 *     challenge tells the auth scheme, so later requests authenticate up
 *     front (Basic credentials, or a Bearer token for the request's scope).
 *   401 -> parse the challenge, fetch a token (or use Basic), resend once
 *     more; still 401/403 -> SC_EAUTH.
 *   429/500/502/503/504 and transient curl failures -> backoff (250 ms
 *     doubling, 8 s cap; Retry-After up to 30 s), opts->retries times.
 *   3xx (GET/HEAD) -> followed here, at most 5 times; the Authorization
 *     header goes only to the registry's own scheme://host:port, and an
 *     https registry is never redirected to http.
 *
 * Blob streams (open_blob) run one transfer on a private curl multi
 * handle: the write callback fills a bounded buffer and pauses the
 * transfer when it is full; read() drains it and resumes.  A transfer that
 * breaks mid-body is restarted with "Range: bytes=N-" (a 206 must start
 * at N; a 200 has its first N bytes dropped), so no byte is hashed twice.
 */
#include "registry/client.h"

#include "core/error.h"
#include "core/json.h"
#include "image/manifest.h"
#include "registry/auth.h"
#include "registry/http.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_REDIRECTS 5
#define MAX_AUTH_ROUNDS 2
#define BACKOFF_MS 250
#define BACKOFF_MAX_MS 8000
#define RETRY_AFTER_MAX_S 30
#define BLOB_BUF 262144
#define BLOB_BUF_MAX (16u << 20)
#define TAGS_PAGE_MAX (4u << 20)
#define TAGS_MAX_PAGES 1000
#define REFERRERS_MAX_PAGES 100
#define TAGS_MAX 100000
#define TOKEN_MARGIN_S 10

#define ACCEPT_MANIFESTS                                                                               \
	"Accept: " SC_MT_OCI_INDEX ", " SC_MT_OCI_MANIFEST ", " SC_MT_DOCKER_LIST ", " SC_MT_DOCKER_MANIFEST \
	", application/vnd.oci.artifact.manifest.v1+json"

typedef struct tok {
	struct tok *next;
	char *scope;
	char *value; /* "Bearer ..." */
	struct timespec expiry;
} tok;

typedef struct creds_entry {
	struct creds_entry *next;
	char *repo;
	sc_creds c;
} creds_entry;

struct sc_registry {
	char *host;
	sc_registry_opts o;
	char *ca_file, *auth_file, *creds_opt;
	int loopback;
	sc_http_share *share;

	pthread_mutex_t ping_mu; /* held while the base URL is decided */
	int pinged;
	char *base; /* "https://host" */

	pthread_mutex_t subject_mu; /* serialises referrers-tag read-modify-writes */

	pthread_mutex_t mu; /* everything below */
	sc_auth_scheme scheme;
	char *realm, *service;
	tok *toks;
	creds_entry *creds;

	uint64_t bytes_down, bytes_up, requests, retries, blobs_mounted;
};

static sc_registry_opts g_defaults = { .tls_verify = 1 };
static int g_defaults_set;

void sc_registry_opts_init(sc_registry_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->tls_verify = 1;
}

void sc_registry_set_defaults(const sc_registry_opts *o)
{
	g_defaults = *o;
	g_defaults_set = 1;
}

const sc_registry_opts *sc_registry_defaults(void)
{
	if (!g_defaults_set)
		sc_registry_opts_init(&g_defaults);
	return &g_defaults;
}

const char *sc_registry_host(const sc_registry *r)
{
	return r->host;
}

void sc_registry_get_stats(const sc_registry *r, sc_registry_stats *out)
{
	out->bytes_down = __atomic_load_n(&r->bytes_down, __ATOMIC_RELAXED);
	out->bytes_up = __atomic_load_n(&r->bytes_up, __ATOMIC_RELAXED);
	out->requests = __atomic_load_n(&r->requests, __ATOMIC_RELAXED);
	out->retries = __atomic_load_n(&r->retries, __ATOMIC_RELAXED);
	out->blobs_mounted = __atomic_load_n(&r->blobs_mounted, __ATOMIC_RELAXED);
}

static void bump(uint64_t *c, uint64_t n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------------ */
/* Names                                                              */
/* ------------------------------------------------------------------ */

/* "127.0.0.1:5000" -> is the host part loopback? */
static int host_is_loopback(const char *host)
{
	char h[256];
	const char *end;
	size_t n;
	int dots = 0;

	if (host[0] == '[') {
		end = strchr(host, ']');
		if (!end)
			return 0;
		n = (size_t)(end - host - 1);
		return n == 3 && strncmp(host + 1, "::1", 3) == 0;
	}
	end = strchr(host, ':');
	n = end ? (size_t)(end - host) : strlen(host);
	if (n >= sizeof(h))
		return 0;
	memcpy(h, host, n);
	h[n] = '\0';
	if (strcasecmp(h, "localhost") == 0)
		return 1;
	if (strncmp(h, "127.", 4) != 0)
		return 0;
	for (const char *p = h; *p; p++) {
		if (*p == '.')
			dots++;
		else if (!isdigit((unsigned char)*p))
			return 0;
	}
	return dots == 3;
}

static int url_host_is_loopback(const char *url)
{
	const char *p = strstr(url, "://"), *e;
	char h[256];
	size_t n;

	if (!p)
		return 0;
	p += 3;
	e = p + strcspn(p, "/?#");
	n = (size_t)(e - p);
	if (n >= sizeof(h))
		return 0;
	memcpy(h, p, n);
	h[n] = '\0';
	if (strchr(h, '@'))
		return 0;
	return host_is_loopback(h);
}

/* A repository path as the API accepts it (ref.c checks the full grammar). */
static int check_repo(const sc_registry *r, const char *repo)
{
	const char *why = NULL;

	if (sc_regref_valid_repo(repo, &why))
		return 0;
	return sc_error_set(SC_EUSAGE, "%s: malformed repository name '%.100s': %s", r->host, repo ? repo : "", why);
}

static int check_ref(const sc_registry *r, const char *repo, const char *ref)
{
	sc_digest d;

	if (ref && strncmp(ref, "sha256:", 7) == 0 ? sc_digest_parse(&d, ref) == 0 : sc_regref_valid_tag(ref))
		return 0;
	return sc_error_set(SC_EUSAGE, "%s/%s: malformed tag or digest '%.100s'", r->host, repo, ref ? ref : "");
}

/* ------------------------------------------------------------------ */
/* Lifecycle                                                          */
/* ------------------------------------------------------------------ */

static char *dup_opt(const char *s, int *fail)
{
	char *c;

	if (!s)
		return NULL;
	if (!(c = sc_strdup(s)))
		*fail = 1;
	return c;
}

int sc_registry_new(sc_registry **out, const char *host, const sc_registry_opts *opts)
{
	sc_registry *r;
	sc_registry_opts def;
	int fail = 0, rc;

	if (!opts) {
		sc_registry_opts_init(&def);
		opts = &def;
	}
	if (!host || !*host || strlen(host) > 255 || strpbrk(host, "/?#@ \t\r\n"))
		return sc_error_set(SC_EUSAGE, "malformed registry host '%.100s'", host ? host : "");
	if ((rc = sc_http_global_init()) != 0)
		return rc;
	if (!(r = sc_calloc(1, sizeof(*r))))
		return SC_ENOMEM;
	pthread_mutex_init(&r->mu, NULL);
	pthread_mutex_init(&r->ping_mu, NULL);
	pthread_mutex_init(&r->subject_mu, NULL);
	r->o = *opts;
	if (r->o.retries == 0)
		r->o.retries = 5;
	if (r->o.retries > 100)
		r->o.retries = 100;
	if (r->o.timeout_s <= 0)
		r->o.timeout_s = 30;
	r->host = dup_opt(host, &fail);
	r->ca_file = dup_opt(opts->ca_file, &fail);
	r->auth_file = dup_opt(opts->auth_file, &fail);
	r->creds_opt = dup_opt(opts->creds, &fail);
	r->o.ca_file = r->ca_file;
	r->o.auth_file = r->auth_file;
	r->o.creds = r->creds_opt;
	if (fail) {
		sc_registry_free(r);
		return SC_ENOMEM;
	}
	if (r->creds_opt) { /* fail early on a malformed --creds */
		sc_creds c = { 0 };

		if ((rc = sc_creds_parse(&c, r->creds_opt)) != 0) {
			sc_registry_free(r);
			return rc;
		}
		sc_creds_release(&c);
	}
	r->loopback = host_is_loopback(host);
	if ((rc = sc_http_share_new(&r->share)) != 0) {
		sc_registry_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void sc_registry_free(sc_registry *r)
{
	tok *t, *tn;
	creds_entry *c, *cn;

	if (!r)
		return;
	for (t = r->toks; t; t = tn) {
		tn = t->next;
		free(t->scope);
		sc_secret_free(t->value);
		free(t);
	}
	for (c = r->creds; c; c = cn) {
		cn = c->next;
		free(c->repo);
		sc_creds_release(&c->c);
		free(c);
	}
	sc_http_share_free(r->share);
	free(r->host);
	free(r->ca_file);
	free(r->auth_file);
	sc_secret_free(r->creds_opt);
	free(r->base);
	free(r->realm);
	free(r->service);
	pthread_mutex_destroy(&r->mu);
	pthread_mutex_destroy(&r->ping_mu);
	pthread_mutex_destroy(&r->subject_mu);
	free(r);
}

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static long backoff_ms(unsigned attempt, const char *retry_after)
{
	long ms = BACKOFF_MS, ra;
	unsigned i;

	for (i = 0; i < attempt && ms < BACKOFF_MAX_MS; i++)
		ms *= 2;
	if (ms > BACKOFF_MAX_MS)
		ms = BACKOFF_MAX_MS;
	ra = sc_http_retry_after(retry_after);
	if (ra >= 0) {
		if (ra > RETRY_AFTER_MAX_S)
			ra = RETRY_AFTER_MAX_S;
		if (ra * 1000 > ms)
			ms = ra * 1000;
	}
	return ms;
}

static int status_retryable(long st)
{
	return st == 429 || st == 500 || st == 502 || st == 503 || st == 504;
}

static void now_mono(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
}

/* A printable, bounded copy of untrusted text for a message. */
static void clean_text(char *dst, size_t dsz, const char *src, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < dsz; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	dst[o] = '\0';
}

/* "CODE: message" of the first entry of a registry error body, or "". */
static void error_detail(const sc_buf *err, char *out, size_t outsz, char *code, size_t codesz)
{
	json_t *j = NULL, *arr, *e;
	const char *c, *m;

	out[0] = '\0';
	code[0] = '\0';
	if (!err->data || err->len == 0 || err->len >= err->max)
		return;
	if (sc_json_parse(&j, err->data, err->len, SC_HTTP_ERROR_BODY_MAX, 16, "error body") != 0) {
		sc_error_clear();
		return;
	}
	arr = json_object_get(j, "errors");
	e = json_is_array(arr) ? json_array_get(arr, 0) : NULL;
	if (json_is_object(e)) {
		char cb[64], mb[200];

		c = sc_json_str(e, "code");
		m = sc_json_str(e, "message");
		clean_text(cb, sizeof(cb), c ? c : "", c ? strlen(c) : 0);
		clean_text(mb, sizeof(mb), m ? m : "", m ? strlen(m) : 0);
		snprintf(code, codesz, "%s", cb);
		snprintf(out, outsz, "%s%s%s", cb, cb[0] && mb[0] ? ": " : "", mb);
	}
	json_decref(j);
}

/* The error for an unexpected final status. */
static int status_error(sc_registry *r, const char *repo, const char *what, const sc_http *x)
{
	char detail[300], code[64], sep[4] = "";
	long st = x->h.status;
	int rc;

	error_detail(&x->err, detail, sizeof(detail), code, sizeof(code));
	if (detail[0])
		snprintf(sep, sizeof(sep), ": ");
	if (st == 404 || strcmp(code, "MANIFEST_UNKNOWN") == 0 || strcmp(code, "BLOB_UNKNOWN") == 0 ||
	    strcmp(code, "NAME_UNKNOWN") == 0)
		return sc_error_set(SC_ENOTFOUND, "%s/%s: %s: not found%s%s", r->host, repo, what, sep, detail);
	if (st == 401 || st == 403 || strcmp(code, "DENIED") == 0 || strcmp(code, "UNAUTHORIZED") == 0)
		return sc_error_set(SC_EAUTH, "%s/%s: %s: access denied (HTTP %ld)%s%s", r->host, repo, what, st, sep,
				    detail);
	if (status_retryable(st) || (st >= 500 && st != 501))
		return sc_error_set(SC_ENET, "%s/%s: %s: HTTP %ld after %u retries%s%s", r->host, repo, what, st,
				    r->o.retries, sep, detail);
	rc = st == 405 || st == 501 ? SC_EUNSUPPORTED : SC_EINPUT;
	return sc_error_set(rc, "%s/%s: %s: registry answered HTTP %ld%s%s", r->host, repo, what, st, sep, detail);
}

static int net_error(sc_registry *r, const char *repo, const char *what, const sc_http *x)
{
	return sc_error_set(SC_ENET, "%s%s%s: %s: %s", r->host, repo ? "/" : "", repo ? repo : "", what,
			    x->errbuf[0] ? x->errbuf : curl_easy_strerror(x->cc));
}

/* ------------------------------------------------------------------ */
/* Base URL and ping                                                  */
/* ------------------------------------------------------------------ */

static void set_challenge(sc_registry *r, const char *www)
{
	sc_auth_challenge c;

	if (!www || sc_auth_challenge_parse(&c, www) != 0) {
		sc_error_clear();
		return;
	}
	pthread_mutex_lock(&r->mu);
	r->scheme = c.scheme;
	free(r->realm);
	free(r->service);
	r->realm = c.realm;
	r->service = c.service;
	c.realm = c.service = NULL;
	pthread_mutex_unlock(&r->mu);
	sc_auth_challenge_release(&c);
}

static int ensure_base(sc_registry *r)
{
	int rc = 0;
	unsigned attempt = 0;
	char *base = NULL, url[600];

	pthread_mutex_lock(&r->ping_mu);
	if (r->pinged)
		goto out;
	base = sc_malloc(strlen(r->host) + 9);
	if (!base) {
		rc = SC_ENOMEM;
		goto out;
	}
	sprintf(base, "%s://%s", r->o.plain_http ? "http" : "https", r->host);
	for (;;) {
		sc_http x;
		sc_http_req q = { 0 };

		snprintf(url, sizeof(url), "%s/v2/", base);
		q.method = "GET";
		q.url = url;
		q.tls_verify = r->o.tls_verify;
		q.ca_file = r->o.ca_file;
		q.connect_timeout_s = r->o.timeout_s;
		q.share = r->share;
		if ((rc = sc_http_init(&x, &q)) != 0) {
			sc_http_release(&x);
			goto out;
		}
		sc_http_perform(&x);
		bump(&r->requests, 1);
		if (x.cc == CURLE_SSL_CONNECT_ERROR && r->loopback && strncmp(base, "https:", 6) == 0) {
			/* A plain-http server on loopback: use http from now on. */
			sc_http_release(&x);
			sprintf(base, "http://%s", r->host);
			continue;
		}
		if (x.cc != CURLE_OK) {
			if (sc_http_cc_retryable(x.cc) && attempt < r->o.retries) {
				long ms = backoff_ms(attempt++, NULL);

				sc_http_release(&x);
				bump(&r->retries, 1);
				sleep_ms(ms);
				continue;
			}
			rc = sc_error_set(SC_ENET, "%s: cannot reach the registry: %s", r->host,
					  x.errbuf[0] ? x.errbuf : curl_easy_strerror(x.cc));
			sc_http_release(&x);
			goto out;
		}
		if (status_retryable(x.h.status) && attempt < r->o.retries) {
			long ms = backoff_ms(attempt++, x.h.retry_after);

			sc_http_release(&x);
			bump(&r->retries, 1);
			sleep_ms(ms);
			continue;
		}
		if (x.h.status == 401)
			set_challenge(r, x.h.www_authenticate);
		sc_http_release(&x);
		break;
	}
	r->base = base;
	base = NULL;
	r->pinged = 1;
out:
	pthread_mutex_unlock(&r->ping_mu);
	free(base);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Credentials and tokens                                             */
/* ------------------------------------------------------------------ */

/* Credentials for repo (cached per repository); *user NULL when none. */
static int creds_for(sc_registry *r, const char *repo, sc_creds *out)
{
	creds_entry *e;
	sc_creds c = { 0 };
	int rc = 0;

	out->user = out->pass = NULL;
	pthread_mutex_lock(&r->mu);
	for (e = r->creds; e; e = e->next)
		if (strcmp(e->repo, repo ? repo : "") == 0)
			break;
	if (!e) {
		if ((rc = sc_auth_lookup(&c, r->host, repo, r->creds_opt, r->auth_file)) != 0)
			goto out;
		if (!(e = sc_calloc(1, sizeof(*e))) || !(e->repo = sc_strdup(repo ? repo : ""))) {
			free(e);
			sc_creds_release(&c);
			rc = SC_ENOMEM;
			goto out;
		}
		e->c = c;
		e->next = r->creds;
		r->creds = e;
	}
	if (e->c.user) {
		out->user = sc_strdup(e->c.user);
		out->pass = sc_strdup(e->c.pass);
		if (!out->user || !out->pass) {
			sc_creds_release(out);
			rc = SC_ENOMEM;
		}
	}
out:
	pthread_mutex_unlock(&r->mu);
	return rc;
}

static char *cached_token(sc_registry *r, const char *scope)
{
	struct timespec now;
	tok *t;
	char *v = NULL;

	now_mono(&now);
	pthread_mutex_lock(&r->mu);
	for (t = r->toks; t; t = t->next)
		if (strcmp(t->scope, scope) == 0 && now.tv_sec < t->expiry.tv_sec) {
			v = sc_strdup(t->value);
			break;
		}
	pthread_mutex_unlock(&r->mu);
	return v;
}

static void drop_token(sc_registry *r, const char *scope)
{
	tok **pp, *t;

	pthread_mutex_lock(&r->mu);
	for (pp = &r->toks; (t = *pp); pp = &t->next)
		if (strcmp(t->scope, scope) == 0) {
			*pp = t->next;
			free(t->scope);
			sc_secret_free(t->value);
			free(t);
			break;
		}
	pthread_mutex_unlock(&r->mu);
}

static void store_token(sc_registry *r, const char *scope, const char *value, long ttl)
{
	tok *t, *old;
	unsigned n = 0;

	if (!(t = calloc(1, sizeof(*t))))
		return;
	t->scope = strdup(scope);
	t->value = strdup(value);
	if (!t->scope || !t->value) {
		free(t->scope);
		sc_secret_free(t->value);
		free(t);
		return;
	}
	now_mono(&t->expiry);
	t->expiry.tv_sec += ttl > 2 * TOKEN_MARGIN_S ? ttl - TOKEN_MARGIN_S : ttl / 2;
	drop_token(r, scope);
	pthread_mutex_lock(&r->mu);
	t->next = r->toks;
	r->toks = t;
	/* Bound the cache: forget the oldest beyond 64 scopes. */
	for (old = r->toks; old; old = old->next)
		if (++n == 64 && old->next) {
			tok *rest = old->next, *nx;

			old->next = NULL;
			for (; rest; rest = nx) {
				nx = rest->next;
				free(rest->scope);
				sc_secret_free(rest->value);
				free(rest);
			}
			break;
		}
	pthread_mutex_unlock(&r->mu);
}

/* GET the realm for scope (space-separated scopes); *value "Bearer ...". */
static int fetch_token(sc_registry *r, const char *repo, const char *scope, char **value)
{
	char *realm = NULL, *service = NULL, *url = NULL, *tokv = NULL, *basic = NULL;
	sc_creds c = { 0 };
	sc_buf u, body;
	long ttl = 0;
	unsigned attempt = 0;
	int rc = 0;

	sc_buf_init(&u, SC_HTTP_URL_MAX, "token URL");
	sc_buf_init(&body, SC_TOKEN_RESPONSE_MAX, "token response");
	pthread_mutex_lock(&r->mu);
	realm = r->realm ? sc_strdup(r->realm) : NULL;
	service = r->service ? sc_strdup(r->service) : NULL;
	pthread_mutex_unlock(&r->mu);
	if (!realm) {
		rc = sc_error_set(SC_EAUTH, "%s: Bearer challenge without a realm", r->host);
		goto out;
	}
	{
		int https = sc_http_url_is_https(realm);

		/*
		 * Credentials go to the realm: over http only to loopback or to
		 * the registry's own origin when it is itself plain http
		 * (--plain-http); never in clear text to another host.
		 */
		if (https < 0 || (https == 0 && !url_host_is_loopback(realm) &&
				  !(r->o.plain_http && sc_http_same_origin(realm, r->base)))) {
			rc = sc_error_set(SC_EAUTH, "%s: refusing token realm '%.200s' (want https://)", r->host, realm);
			goto out;
		}
	}
	if ((rc = sc_buf_puts(&u, realm)) != 0)
		goto out;
	{
		const char *sep = strchr(realm, '?') ? "&" : "?";
		char *e;

		if (service) {
			if (!(e = sc_http_query_escape(service))) {
				rc = SC_ENOMEM;
				goto out;
			}
			rc = sc_buf_printf(&u, "%sservice=%s", sep, e);
			free(e);
			sep = "&";
			if (rc)
				goto out;
		}
		for (const char *s = scope; *s;) {
			size_t n = strcspn(s, " ");
			char *one = sc_strndup(s, n);

			if (!one) {
				rc = SC_ENOMEM;
				goto out;
			}
			e = sc_http_query_escape(one);
			free(one);
			if (!e) {
				rc = SC_ENOMEM;
				goto out;
			}
			rc = sc_buf_printf(&u, "%sscope=%s", sep, e);
			free(e);
			sep = "&";
			if (rc)
				goto out;
			s += n;
			while (*s == ' ')
				s++;
		}
	}
	url = sc_buf_detach(&u, NULL);
	if ((rc = creds_for(r, repo, &c)) != 0)
		goto out;
	if (c.user && !(basic = sc_auth_basic_value(&c))) {
		rc = SC_ENOMEM;
		goto out;
	}
	for (;;) {
		sc_http x;
		sc_http_req q = { 0 };

		q.method = "GET";
		q.url = url;
		q.authorization = basic;
		q.out = &body;
		q.tls_verify = r->o.tls_verify;
		q.ca_file = r->o.ca_file;
		q.connect_timeout_s = r->o.timeout_s;
		q.share = r->share;
		sc_buf_reset(&body);
		if ((rc = sc_http_init(&x, &q)) != 0) {
			sc_http_release(&x);
			goto out;
		}
		sc_http_perform(&x);
		bump(&r->requests, 1);
		if (x.too_big) {
			rc = sc_error_set(SC_ELIMIT, "%s: token response over %u bytes", r->host, SC_TOKEN_RESPONSE_MAX);
			sc_http_release(&x);
			goto out;
		}
		if ((x.cc != CURLE_OK && sc_http_cc_retryable(x.cc)) || (x.cc == CURLE_OK && status_retryable(x.h.status))) {
			if (attempt < r->o.retries) {
				long ms = backoff_ms(attempt++, x.h.retry_after);

				sc_http_release(&x);
				bump(&r->retries, 1);
				sleep_ms(ms);
				continue;
			}
		}
		if (x.cc != CURLE_OK) {
			rc = sc_error_set(SC_ENET, "%s: token server: %s", r->host,
					  x.errbuf[0] ? x.errbuf : curl_easy_strerror(x.cc));
		} else if (x.h.status == 401 || x.h.status == 403) {
			rc = sc_error_set(SC_EAUTH, "%s: the token server refused %s (HTTP %ld)", r->host,
					  c.user ? "the credentials" : "anonymous access", x.h.status);
		} else if (x.h.status != 200) {
			rc = sc_error_set(SC_ENET, "%s: token server answered HTTP %ld", r->host, x.h.status);
		}
		sc_http_release(&x);
		break;
	}
	if (rc)
		goto out;
	if ((rc = sc_auth_token_parse(&tokv, &ttl, body.data ? body.data : "", body.len)) != 0) {
		rc = sc_error_prefix(rc, "%s", r->host);
		goto out;
	}
	{
		size_t n = strlen(tokv) + 8;
		char *v = sc_malloc(n);

		if (!v) {
			rc = SC_ENOMEM;
			goto out;
		}
		snprintf(v, n, "Bearer %s", tokv);
		store_token(r, scope, v, ttl);
		*value = v;
	}
out:
	if (body.data)
		OPENSSL_cleanse(body.data, body.cap);
	sc_buf_release(&body);
	sc_buf_release(&u);
	free(realm);
	free(service);
	free(url);
	sc_secret_free(tokv);
	sc_secret_free(basic);
	sc_creds_release(&c);
	return rc;
}

/* The Authorization value to send for repo/scope now (NULL: none). */
static int auth_value(sc_registry *r, const char *repo, const char *scope, char **out)
{
	sc_auth_scheme scheme;
	sc_creds c = { 0 };
	int rc = 0;

	*out = NULL;
	pthread_mutex_lock(&r->mu);
	scheme = r->scheme;
	pthread_mutex_unlock(&r->mu);
	if (scheme == SC_AUTH_BASIC) {
		if ((rc = creds_for(r, repo, &c)) != 0)
			return rc;
		if (c.user && !(*out = sc_auth_basic_value(&c)))
			rc = SC_ENOMEM;
		sc_creds_release(&c);
		return rc;
	}
	if (scheme == SC_AUTH_BEARER && scope) {
		if ((*out = cached_token(r, scope)))
			return 0;
		return fetch_token(r, repo, scope, out);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* One request with auth, retries and redirects                       */
/* ------------------------------------------------------------------ */

typedef struct rq {
	const char *method;
	const char *url;            /* absolute */
	const char *repo;
	const char *scope;
	const char *what;           /* for messages: "manifest latest" */
	const char *const *headers;
	const void *body;
	size_t body_len;
	sc_stream *body_stream;     /* not replayable: no retry, no re-auth */
	uint64_t body_size;
	int body_more;
	sc_buf *out;
	int follow;
	sc_http_write_fn write_fn;
	void *write_ud;
	int no_retry;               /* best effort: one attempt (cleanup requests) */
} rq;

static void rq_init(rq *q, const char *method, const char *url, const char *repo, const char *scope, const char *what)
{
	memset(q, 0, sizeof(*q));
	q->method = method;
	q->url = url;
	q->repo = repo;
	q->scope = scope;
	q->what = what;
}

/*
 * Run q.  0: *x holds the final response (any status; the caller maps it
 * and releases x).  Else an error: network failure after retries
 * (SC_ENET), body over its cap (SC_ELIMIT), auth failures (SC_EAUTH), a
 * failing body stream (its own code); x is released.
 */
static int reg_do(sc_registry *r, const rq *q, sc_http *x)
{
	unsigned attempt = 0, auth_rounds = 0, redirects = 0;
	char *url = NULL, *authz = NULL;
	int rc = 0, replayable = q->body_stream == NULL;
	unsigned retries = q->no_retry ? 0 : r->o.retries;

	memset(x, 0, sizeof(*x));
	if (!(url = sc_strdup(q->url)))
		return SC_ENOMEM;
	for (;;) {
		sc_http_req hq = { 0 };
		int own = sc_http_same_origin(url, r->base);

		sc_secret_free(authz);
		authz = NULL;
		if (own && (rc = auth_value(r, q->repo, q->scope, &authz)) != 0)
			goto fail;
		hq.method = q->method;
		hq.url = url;
		hq.headers = q->headers;
		hq.authorization = authz;
		hq.body = q->body;
		hq.body_len = q->body_len;
		hq.body_stream = q->body_stream;
		hq.body_size = q->body_size;
		hq.body_more = q->body_more;
		hq.out = q->out;
		hq.write_fn = q->write_fn;
		hq.write_ud = q->write_ud;
		hq.tls_verify = r->o.tls_verify;
		hq.ca_file = r->o.ca_file;
		hq.connect_timeout_s = r->o.timeout_s;
		hq.share = r->share;
		hq.bytes_down = &r->bytes_down;
		hq.bytes_up = &r->bytes_up;
		if (q->out)
			sc_buf_reset(q->out);
		if ((rc = sc_http_init(x, &hq)) != 0)
			goto fail;
		sc_http_perform(x);
		bump(&r->requests, 1);
		if (x->h.too_long) {
			rc = sc_error_set(SC_ELIMIT, "%s/%s: %s: a response header is over %d bytes", r->host, q->repo,
					  q->what, SC_HTTP_HEADER_MAX);
			goto fail;
		}
		if (x->body_failed) {
			rc = sc_error_restore(&x->body_err);
			goto fail;
		}
		if (x->too_big) {
			rc = sc_error_set(SC_ELIMIT, "%s/%s: %s: larger than %zu bytes", r->host, q->repo, q->what,
					  q->out ? q->out->max : (size_t)0);
			goto fail;
		}
		if (x->cc != CURLE_OK) {
			if (replayable && sc_http_cc_retryable(x->cc) && attempt < retries) {
				long ms = backoff_ms(attempt++, NULL);

				sc_http_release(x);
				bump(&r->retries, 1);
				sleep_ms(ms);
				continue;
			}
			rc = net_error(r, q->repo, q->what, x);
			goto fail;
		}
		if (x->h.status == 401 && own) {
			sc_auth_scheme before;

			pthread_mutex_lock(&r->mu);
			before = r->scheme;
			pthread_mutex_unlock(&r->mu);
			if (!replayable || auth_rounds >= MAX_AUTH_ROUNDS)
				goto done; /* the caller reports SC_EAUTH */
			auth_rounds++;
			set_challenge(r, x->h.www_authenticate);
			if (q->scope)
				drop_token(r, q->scope);
			if (before == SC_AUTH_BASIC && auth_rounds > 1)
				goto done;
			sc_http_release(x);
			continue;
		}
		if (status_retryable(x->h.status) && replayable && attempt < retries) {
			long ms = backoff_ms(attempt++, x->h.retry_after);

			sc_http_release(x);
			bump(&r->retries, 1);
			sleep_ms(ms);
			continue;
		}
		if (q->follow && x->h.status >= 300 && x->h.status < 400 && x->h.status != 304 && x->h.location) {
			char *next = NULL;

			if (++redirects > MAX_REDIRECTS) {
				rc = sc_error_set(SC_ENET, "%s/%s: %s: more than %d redirects", r->host, q->repo, q->what,
						  MAX_REDIRECTS);
				goto fail;
			}
			if ((rc = sc_http_url_resolve(url, x->h.location, &next)) != 0) {
				rc = sc_error_prefix(rc, "%s/%s: %s: redirect", r->host, q->repo, q->what);
				goto fail;
			}
			if (sc_http_url_is_https(url) == 1 && sc_http_url_is_https(next) != 1) {
				free(next);
				rc = sc_error_set(SC_ENET, "%s/%s: %s: refusing a redirect from https to http", r->host,
						  q->repo, q->what);
				goto fail;
			}
			free(url);
			url = next;
			sc_http_release(x);
			continue;
		}
		goto done;
	}
done:
	free(url);
	sc_secret_free(authz);
	return 0;
fail:
	sc_http_release(x);
	free(url);
	sc_secret_free(authz);
	return rc;
}

/* The final status of a request that went through reg_do. */
static int expect_status(sc_registry *r, const char *repo, const char *what, const sc_http *x, long a, long b)
{
	if (x->h.status == a || (b && x->h.status == b))
		return 0;
	if (x->h.status == 401) {
		sc_creds c = { 0 };
		int have = creds_for(r, repo, &c) == 0 && c.user;

		sc_creds_release(&c);
		sc_error_clear();
		return sc_error_set(SC_EAUTH, "%s/%s: %s: %s", r->host, repo, what,
				    have ? "the registry refused the credentials"
					 : "authentication required (no credentials: use --creds or --authfile)");
	}
	return status_error(r, repo, what, x);
}

static char *mkurl(sc_registry *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *mkurl(sc_registry *r, const char *fmt, ...)
{
	sc_buf b;
	va_list ap;
	char tmp[2048];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		sc_error_set(SC_ELIMIT, "%s: URL too long", r->host);
		return NULL;
	}
	sc_buf_init(&b, SC_HTTP_URL_MAX, "URL");
	if (sc_buf_puts(&b, r->base) != 0 || sc_buf_puts(&b, tmp) != 0) {
		sc_buf_release(&b);
		return NULL;
	}
	return sc_buf_detach(&b, NULL);
}

/* The code a failed mkurl (or another allocator that set an error) left. */
static int url_failed(void)
{
	return sc_error_code() ? sc_error_code() : SC_ENOMEM;
}

/* A destination handle (opts.push) asks for pull,push on everything, so one token serves it. */
static int scope_for(const sc_registry *r, char *out, size_t outsz, const char *repo, int push, const char *from)
{
	int n;

	push |= r->o.push;
	n = from ? snprintf(out, outsz, "repository:%s:pull,push repository:%s:pull", repo, from)
		     : snprintf(out, outsz, "repository:%s:%s", repo, push ? "pull,push" : "pull");

	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

/* Prepare: base URL known, names checked. */
static int begin(sc_registry *r, const char *repo)
{
	int rc;

	if ((rc = check_repo(r, repo)) != 0)
		return rc;
	return ensure_base(r);
}

/* ------------------------------------------------------------------ */
/* Manifests                                                          */
/* ------------------------------------------------------------------ */

/* Content-Type without parameters, or NULL when it says nothing useful. */
static char *media_type_of(const char *ct, const char *body, size_t len)
{
	size_t n;
	char *mt;

	if (ct) {
		n = strcspn(ct, "; \t");
		if (n > 0 && n < 256 && strncasecmp(ct, "application/json", n) != 0 &&
		    strncasecmp(ct, "text/plain", n) != 0 && strncasecmp(ct, "application/octet-stream", n) != 0) {
			mt = sc_strndup(ct, n);
			for (char *p = mt; p && *p; p++)
				if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
					*p = '?';
			return mt;
		}
	}
	/* The document's own mediaType field. */
	return sc_doc_media_type(body, len);
}

int sc_registry_get_manifest(sc_registry *r, const char *repo, const char *ref, sc_buf *out, char **media_type,
			     sc_digest *digest)
{
	const char *hdrs[] = { ACCEPT_MANIFESTS, NULL };
	char scope[600], what[200], *url = NULL, *mt = NULL;
	sc_buf body;
	sc_digest got, want = { 0 };
	sc_http x;
	rq q = { 0 };
	int rc;

	sc_buf_init(&body, SC_MANIFEST_MAX, "manifest");
	if ((rc = begin(r, repo)) != 0 || (rc = check_ref(r, repo, ref)) != 0)
		return rc;
	snprintf(what, sizeof(what), "manifest %s", ref);
	if (strncmp(ref, "sha256:", 7) == 0)
		sc_digest_parse(&want, ref);
	scope_for(r, scope, sizeof(scope), repo, 0, NULL);
	if (!(url = mkurl(r, "/v2/%s/manifests/%s", repo, ref)))
		return url_failed();
	rq_init(&q, "GET", url, repo, scope, what);
	q.headers = hdrs;
	q.out = &body;
	q.follow = 1;
	if ((rc = reg_do(r, &q, &x)) != 0) {
		if (rc == SC_ELIMIT)
			rc = sc_error_set(SC_ELIMIT, "%s/%s: %s is larger than %u bytes", r->host, repo, what,
					  SC_MANIFEST_MAX);
		goto out;
	}
	if ((rc = expect_status(r, repo, what, &x, 200, 0)) != 0) {
		sc_http_release(&x);
		goto out;
	}
	sc_sha256_buf(&got, body.data ? body.data : "", body.len);
	if (want.set && !sc_digest_eq(&want, &got)) {
		char g[SC_DIGEST_STRLEN];

		rc = sc_error_set(SC_EDIGEST, "%s/%s: %s: the registry sent content with digest %s", r->host, repo,
				  what, sc_digest_fmt(&got, g));
		sc_http_release(&x);
		goto out;
	}
	mt = media_type_of(x.h.content_type, body.data ? body.data : "", body.len);
	sc_http_release(&x);
	if ((rc = sc_buf_append(out, body.data ? body.data : "", body.len)) != 0)
		goto out;
	if (media_type)
		*media_type = mt;
	else
		free(mt);
	mt = NULL;
	if (digest)
		*digest = got;
out:
	free(mt);
	free(url);
	sc_buf_release(&body);
	return rc;
}

static int head_exists(sc_registry *r, const char *repo, const char *kind, const char *ref, const char *what,
		       int *exists, uint64_t *size)
{
	const char *hdrs[] = { ACCEPT_MANIFESTS, NULL };
	char scope[600], *url;
	sc_http x;
	rq q = { 0 };
	int rc;

	scope_for(r, scope, sizeof(scope), repo, 0, NULL);
	if (!(url = mkurl(r, "/v2/%s/%s/%s", repo, kind, ref)))
		return url_failed();
	rq_init(&q, "HEAD", url, repo, scope, what);
	q.headers = strcmp(kind, "manifests") == 0 ? hdrs : NULL;
	q.follow = 1;
	rc = reg_do(r, &q, &x);
	free(url);
	if (rc)
		return rc;
	if (x.h.status == 404) {
		*exists = 0;
	} else if ((rc = expect_status(r, repo, what, &x, 200, 0)) == 0) {
		*exists = 1;
		if (size)
			*size = x.h.content_length >= 0 ? (uint64_t)x.h.content_length : UINT64_MAX;
	}
	sc_http_release(&x);
	return rc;
}

int sc_registry_blob_exists(sc_registry *r, const char *repo, const sc_digest *d, int *exists, uint64_t *size)
{
	char dg[SC_DIGEST_STRLEN], what[100];
	int rc;

	if ((rc = begin(r, repo)) != 0)
		return rc;
	sc_digest_fmt(d, dg);
	snprintf(what, sizeof(what), "blob %s", dg);
	return head_exists(r, repo, "blobs", dg, what, exists, size);
}

int sc_registry_manifest_exists(sc_registry *r, const char *repo, const char *ref, int *exists)
{
	char what[200];
	int rc;

	if ((rc = begin(r, repo)) != 0 || (rc = check_ref(r, repo, ref)) != 0)
		return rc;
	snprintf(what, sizeof(what), "manifest %s", ref);
	return head_exists(r, repo, "manifests", ref, what, exists, NULL);
}

/* ------------------------------------------------------------------ */
/* Blob download stream                                               */
/* ------------------------------------------------------------------ */

typedef struct blob_stream {
	sc_stream base;
	sc_registry *r;
	char *repo;
	char what[100];
	char scope[600];
	char *reg_url;  /* /v2/<repo>/blobs/<digest> on the registry */
	char *url;      /* the URL of the current transfer */
	uint64_t size;

	CURLM *m;
	sc_http x;
	int active;     /* x is set up and added to m */
	int xfer_done;
	int checked;    /* this transfer's status/Content-Range was checked */
	int failed;     /* the write callback refused: err holds why */
	sc_error_info err;
	char *authz;

	char *buf;
	size_t cap, len, off;
	int paused;
	uint64_t pos;   /* bytes of the blob received so far */
	uint64_t skip;  /* bytes to drop from a 200 answer to a range request */
	unsigned attempts, auth_rounds, redirects;
	int eof;
} blob_stream;

static size_t blob_write(void *ud, const char *p, size_t n)
{
	blob_stream *b = ud;
	size_t drop, payload;

	if (!b->checked) {
		long st = b->x.h.status;

		curl_easy_getinfo(b->x.c, CURLINFO_RESPONSE_CODE, &st);
		b->checked = 1;
		if (b->pos > 0) {
			if (st == 206) {
				unsigned long long s = 0, e = 0;
				const char *cr = b->x.h.content_range;

				if (!cr || sscanf(cr, "bytes %llu-%llu/", &s, &e) != 2 || s != b->pos) {
					sc_error_set(SC_ENET, "%s/%s: %s: resumed at byte %llu but the registry sent '%.80s'",
						     b->r->host, b->repo, b->what, (unsigned long long)b->pos,
						     cr ? cr : "no Content-Range");
					sc_error_save(&b->err);
					b->failed = 1;
					return 0;
				}
				b->skip = 0;
			} else {
				b->skip = b->pos; /* the whole blob again: drop what we have */
			}
		} else if (st == 206) {
			sc_error_set(SC_ENET, "%s/%s: %s: unexpected partial content", b->r->host, b->repo, b->what);
			sc_error_save(&b->err);
			b->failed = 1;
			return 0;
		}
	}
	drop = b->skip < n ? (size_t)b->skip : n;
	payload = n - drop;
	if (payload > b->cap - b->len) {
		if (b->len == 0 && payload <= BLOB_BUF_MAX) {
			char *nb = realloc(b->buf, payload);

			if (!nb) {
				sc_error_set(SC_ENOMEM, "out of memory");
				sc_error_save(&b->err);
				b->failed = 1;
				return 0;
			}
			b->buf = nb;
			b->cap = payload;
		} else {
			b->paused = 1;
			return CURL_WRITEFUNC_PAUSE;
		}
	}
	b->skip -= drop;
	memcpy(b->buf + b->len, p + drop, payload);
	b->len += payload;
	b->pos += payload;
	return n;
}

static void blob_stop(blob_stream *b)
{
	if (b->active) {
		curl_multi_remove_handle(b->m, b->x.c);
		sc_http_release(&b->x);
		b->active = 0;
	}
}

static int blob_start(blob_stream *b)
{
	sc_http_req hq = { 0 };
	char range[64];
	const char *hdrs[2] = { NULL, NULL };
	int rc;

	sc_secret_free(b->authz);
	b->authz = NULL;
	if (sc_http_same_origin(b->url, b->r->base) &&
	    (rc = auth_value(b->r, b->repo, b->scope, &b->authz)) != 0)
		return rc;
	if (b->pos > 0) {
		snprintf(range, sizeof(range), "Range: bytes=%llu-", (unsigned long long)b->pos);
		hdrs[0] = range;
	}
	hq.method = "GET";
	hq.url = b->url;
	hq.headers = hdrs;
	hq.authorization = b->authz;
	hq.write_fn = blob_write;
	hq.write_ud = b;
	hq.tls_verify = b->r->o.tls_verify;
	hq.ca_file = b->r->o.ca_file;
	hq.connect_timeout_s = b->r->o.timeout_s;
	hq.share = b->r->share;
	hq.bytes_down = &b->r->bytes_down;
	b->checked = 0;
	b->xfer_done = 0;
	b->paused = 0;
	b->failed = 0;
	if ((rc = sc_http_init(&b->x, &hq)) != 0) {
		sc_http_release(&b->x);
		return rc;
	}
	if (curl_multi_add_handle(b->m, b->x.c) != CURLM_OK) {
		sc_http_release(&b->x);
		return sc_error_set(SC_EINTERNAL, "libcurl: cannot add a transfer");
	}
	b->active = 1;
	bump(&b->r->requests, 1);
	return 0;
}

/* A transfer ended: decide what comes next (0: continue reading). */
static int blob_after(blob_stream *b)
{
	sc_http *x = &b->x;
	long st;
	int rc;

	curl_easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, &x->h.status);
	st = x->h.status;
	if (b->failed) {
		blob_stop(b);
		return sc_error_restore(&b->err);
	}
	if (x->cc != CURLE_OK) {
		int got_body = (st == 200 || st == 206);

		if (sc_http_cc_retryable(x->cc) && b->attempts < b->r->o.retries) {
			long ms = backoff_ms(got_body ? 0 : b->attempts, NULL);

			b->attempts++;
			bump(&b->r->retries, 1);
			blob_stop(b);
			sleep_ms(ms);
			/* Resume from the registry URL (a redirect target may be signed and short-lived). */
			free(b->url);
			if (!(b->url = sc_strdup(b->reg_url)))
				return SC_ENOMEM;
			b->redirects = 0;
			return blob_start(b);
		}
		rc = net_error(b->r, b->repo, b->what, x);
		blob_stop(b);
		return rc;
	}
	if (st == 200 || st == 206) {
		if (b->size != UINT64_MAX && b->pos < b->size && b->attempts < b->r->o.retries) {
			/* The body ended early without a transport error: resume. */
			b->attempts++;
			bump(&b->r->retries, 1);
			blob_stop(b);
			free(b->url);
			if (!(b->url = sc_strdup(b->reg_url)))
				return SC_ENOMEM;
			b->redirects = 0;
			return blob_start(b);
		}
		blob_stop(b);
		b->eof = 1; /* the verifier above checks size and digest */
		return 0;
	}
	if (st == 401 && sc_http_same_origin(b->url, b->r->base) && b->auth_rounds < MAX_AUTH_ROUNDS) {
		b->auth_rounds++;
		set_challenge(b->r, x->h.www_authenticate);
		drop_token(b->r, b->scope);
		blob_stop(b);
		return blob_start(b);
	}
	if (status_retryable(st) && b->attempts < b->r->o.retries) {
		long ms = backoff_ms(b->attempts++, x->h.retry_after);

		bump(&b->r->retries, 1);
		blob_stop(b);
		sleep_ms(ms);
		return blob_start(b);
	}
	if (st >= 300 && st < 400 && st != 304 && x->h.location) {
		char *next = NULL;

		if (++b->redirects > MAX_REDIRECTS) {
			blob_stop(b);
			return sc_error_set(SC_ENET, "%s/%s: %s: more than %d redirects", b->r->host, b->repo, b->what,
					    MAX_REDIRECTS);
		}
		if ((rc = sc_http_url_resolve(b->url, x->h.location, &next)) != 0) {
			blob_stop(b);
			return sc_error_prefix(rc, "%s/%s: %s: redirect", b->r->host, b->repo, b->what);
		}
		if (sc_http_url_is_https(b->url) == 1 && sc_http_url_is_https(next) != 1) {
			free(next);
			blob_stop(b);
			return sc_error_set(SC_ENET, "%s/%s: %s: refusing a redirect from https to http", b->r->host,
					    b->repo, b->what);
		}
		free(b->url);
		b->url = next;
		blob_stop(b);
		return blob_start(b);
	}
	rc = expect_status(b->r, b->repo, b->what, x, 200, 206);
	blob_stop(b);
	return rc;
}

static ssize_t blob_read(sc_stream *s, void *out, size_t len)
{
	blob_stream *b = (blob_stream *)s;
	int rc;

	for (;;) {
		if (b->off < b->len) {
			size_t n = b->len - b->off < len ? b->len - b->off : len;

			memcpy(out, b->buf + b->off, n);
			b->off += n;
			if (b->off == b->len) {
				b->off = b->len = 0;
				if (b->paused && b->active) {
					b->paused = 0;
					curl_easy_pause(b->x.c, CURLPAUSE_CONT);
				}
			}
			return (ssize_t)n;
		}
		if (b->eof)
			return 0;
		if (!b->active)
			return sc_error_set(SC_EINTERNAL, "%s/%s: %s: read after an error", b->r->host, b->repo, b->what);
		if (b->paused) {
			b->off = b->len = 0;
			b->paused = 0;
			curl_easy_pause(b->x.c, CURLPAUSE_CONT);
			continue;
		}
		if (b->xfer_done) {
			if ((rc = blob_after(b)) != 0)
				return rc;
			continue;
		}
		{
			int running = 0, q;
			CURLMsg *msg;

			if (curl_multi_perform(b->m, &running) != CURLM_OK) {
				blob_stop(b);
				return sc_error_set(SC_EINTERNAL, "%s/%s: %s: libcurl multi failure", b->r->host, b->repo,
						    b->what);
			}
			while ((msg = curl_multi_info_read(b->m, &q)))
				if (msg->msg == CURLMSG_DONE && msg->easy_handle == b->x.c) {
					b->x.cc = msg->data.result;
					b->xfer_done = 1;
				}
			if (b->failed && !b->xfer_done)
				continue;
			if (!b->xfer_done && b->len == 0 && !b->paused)
				curl_multi_poll(b->m, NULL, 0, 1000, NULL);
		}
	}
}

static void blob_close(sc_stream *s)
{
	blob_stream *b = (blob_stream *)s;

	blob_stop(b);
	if (b->m)
		curl_multi_cleanup(b->m);
	sc_secret_free(b->authz);
	free(b->buf);
	free(b->repo);
	free(b->reg_url);
	free(b->url);
	free(b);
}

static const sc_stream_ops blob_ops = { blob_read, blob_close };

int sc_registry_open_blob(sc_registry *r, const char *repo, const sc_digest *d, uint64_t size, sc_stream **out)
{
	blob_stream *b;
	sc_stream *v = NULL;
	char dg[SC_DIGEST_STRLEN];
	int rc;

	if ((rc = begin(r, repo)) != 0)
		return rc;
	if (!d || !d->set)
		return sc_error_set(SC_EUSAGE, "%s/%s: blob without a digest", r->host, repo);
	sc_digest_fmt(d, dg);
	if (!(b = sc_calloc(1, sizeof(*b))))
		return SC_ENOMEM;
	b->base.ops = &blob_ops;
	b->r = r;
	b->size = size;
	snprintf(b->what, sizeof(b->what), "blob %s", dg);
	scope_for(r, b->scope, sizeof(b->scope), repo, 0, NULL);
	b->cap = BLOB_BUF;
	if (!(b->repo = sc_strdup(repo)) || !(b->buf = sc_malloc(b->cap)) ||
	    !(b->reg_url = mkurl(r, "/v2/%s/blobs/%s", repo, dg)) || !(b->url = sc_strdup(b->reg_url))) {
		blob_close(&b->base);
		return url_failed();
	}
	if (!(b->m = curl_multi_init())) {
		blob_close(&b->base);
		return sc_error_set(SC_EINTERNAL, "libcurl: cannot create a multi handle");
	}
	if ((rc = blob_start(b)) != 0) {
		blob_close(&b->base);
		return rc;
	}
	{
		char what[160];

		snprintf(what, sizeof(what), "%s/%s: %s", r->host, repo, b->what);
		if ((rc = sc_stream_verify_new(&v, &b->base, d, size, what)) != 0) {
			blob_close(&b->base);
			return rc;
		}
	}
	*out = v;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Uploads                                                            */
/* ------------------------------------------------------------------ */

/* url + "?digest=<d>" or "&digest=<d>". */
static char *with_digest(const char *url, const char *dg)
{
	char *e = sc_http_query_escape(dg), *s;
	size_t n;

	if (!e)
		return NULL;
	n = strlen(url) + strlen(e) + 10;
	if ((s = sc_malloc(n)))
		snprintf(s, n, "%s%sdigest=%s", url, strchr(url, '?') ? "&" : "?", e);
	free(e);
	return s;
}

/* The upload session's next URL from a 202's Location (relative to base_url). */
static int session_url(sc_registry *r, const char *repo, const char *what, const sc_http *x, const char *base_url,
		       char **out)
{
	int rc;

	if (!x->h.location)
		return sc_error_set(SC_EINPUT, "%s/%s: %s: upload response without a Location", r->host, repo, what);
	if ((rc = sc_http_url_resolve(base_url, x->h.location, out)) != 0)
		return sc_error_prefix(rc, "%s/%s: %s: upload Location", r->host, repo, what);
	if (!sc_http_same_origin(*out, r->base)) {
		/* Our Authorization would not go there; registries keep sessions at home. */
		free(*out);
		*out = NULL;
		return sc_error_set(SC_EUNSUPPORTED, "%s/%s: %s: upload session on another host", r->host, repo, what);
	}
	return 0;
}

static void cancel_session(sc_registry *r, const char *repo, const char *scope, const char *loc)
{
	sc_http x;
	rq q = { 0 };

	rq_init(&q, "DELETE", loc, repo, scope, "upload session");
	q.no_retry = 1; /* after a failure: one try, so a dead registry is not waited for twice */
	if (reg_do(r, &q, &x) == 0)
		sc_http_release(&x);
	sc_error_clear();
}

static int check_dcd(sc_registry *r, const char *repo, const char *what, const sc_http *x, const sc_digest *d)
{
	sc_digest got;
	char g[SC_DIGEST_STRLEN];

	if (!x->h.docker_content_digest || strncmp(x->h.docker_content_digest, "sha256:", 7) != 0)
		return 0;
	if (sc_digest_parse(&got, x->h.docker_content_digest) != 0 || !sc_digest_eq(&got, d))
		return sc_error_set(SC_EDIGEST, "%s/%s: %s: the registry stored it as %.80s (expected %s)", r->host, repo,
				    what, x->h.docker_content_digest, sc_digest_fmt(d, g));
	return 0;
}

/*
 * One upload session.  *body_stage = 1 when it failed while the blob's
 * bytes were on the wire (a request reg_do cannot replay); failures of the
 * POST or of a body-less PUT were already retried by reg_do.
 */
static int push_once(sc_registry *r, const char *repo, const sc_digest *d, uint64_t size, sc_blob_open_fn open,
		     void *ud, const char *scope, const char *what, uint64_t *sent, int *body_stage)
{
	const char *oct[] = { "Content-Type: application/octet-stream", NULL, NULL };
	char dg[SC_DIGEST_STRLEN], *post_url = NULL, *loc = NULL, *put_url = NULL;
	sc_stream *s = NULL;
	sc_http x;
	rq q = { 0 };
	int rc, have_x = 0;

	*body_stage = 0;
	sc_digest_fmt(d, dg);
	if (!(post_url = mkurl(r, "/v2/%s/blobs/uploads/", repo)))
		return url_failed();
	rq_init(&q, "POST", post_url, repo, scope, what);
	if ((rc = reg_do(r, &q, &x)) != 0)
		goto out;
	have_x = 1;
	if ((rc = expect_status(r, repo, what, &x, 202, 0)) != 0 ||
	    (rc = session_url(r, repo, what, &x, post_url, &loc)) != 0)
		goto out;
	sc_http_release(&x);
	have_x = 0;
	if ((rc = open(ud, &s)) != 0)
		goto out;
	*body_stage = 1;
	if (r->o.chunk_size && size > 0) {
		uint64_t off = 0;
		char range[80];

		while (off < size) {
			uint64_t n = size - off < r->o.chunk_size ? size - off : r->o.chunk_size;
			char *next = NULL;

			snprintf(range, sizeof(range), "Content-Range: %llu-%llu", (unsigned long long)off,
				 (unsigned long long)(off + n - 1));
			oct[1] = range;
			rq_init(&q, "PATCH", loc, repo, scope, what);
			q.headers = oct;
			q.body_stream = s;
			q.body_size = n;
			q.body_more = off + n < size;
			if ((rc = reg_do(r, &q, &x)) != 0)
				goto out;
			have_x = 1;
			if ((rc = expect_status(r, repo, what, &x, 202, 0)) != 0 ||
			    (rc = session_url(r, repo, what, &x, loc, &next)) != 0)
				goto out;
			sc_http_release(&x);
			have_x = 0;
			free(loc);
			loc = next;
			off += n;
		}
		*body_stage = 0; /* the final PUT has no body: reg_do retries it itself */
	}
	if (!(put_url = with_digest(loc, dg))) {
		rc = SC_ENOMEM;
		goto out;
	}
	rq_init(&q, "PUT", put_url, repo, scope, what);
	q.headers = oct;
	oct[1] = NULL;
	if (!(r->o.chunk_size && size > 0)) {
		q.body_stream = s;
		q.body_size = size;
	}
	if ((rc = reg_do(r, &q, &x)) != 0)
		goto out;
	have_x = 1;
	if ((rc = expect_status(r, repo, what, &x, 201, 0)) != 0 || (rc = check_dcd(r, repo, what, &x, d)) != 0)
		goto out;
	/* This attempt sent the whole blob (the registry-wide counter would
	 * also count other threads' uploads). */
	if (sent)
		*sent = size;
out:
	if (have_x)
		sc_http_release(&x);
	if (rc && loc) {
		sc_error_info e;

		sc_error_save(&e);
		cancel_session(r, repo, scope, loc);
		sc_error_restore(&e);
	}
	sc_stream_close(s);
	free(post_url);
	free(loc);
	free(put_url);
	return rc;
}

int sc_registry_push_blob(sc_registry *r, const char *repo, const sc_digest *d, uint64_t size, sc_blob_open_fn open,
			  void *ud, uint64_t *sent)
{
	char scope[600], what[100], dg[SC_DIGEST_STRLEN];
	unsigned attempt = 0;
	int rc, body_stage = 0;

	if ((rc = begin(r, repo)) != 0)
		return rc;
	if (!d || !d->set || size == UINT64_MAX)
		return sc_error_set(SC_EUSAGE, "%s/%s: a pushed blob needs its digest and size", r->host, repo);
	snprintf(what, sizeof(what), "blob %s", sc_digest_fmt(d, dg));
	if (scope_for(r, scope, sizeof(scope), repo, 1, NULL) != 0)
		return sc_error_set(SC_EUSAGE, "%s: repository name too long", r->host);
	for (;;) {
		rc = push_once(r, repo, d, size, open, ud, scope, what, sent, &body_stage);
		/* Only a failure with the bytes on the wire is retried here:
		 * everything else was retried by reg_do (no nested retry loops). */
		if (rc == 0 || rc != SC_ENET || !body_stage || attempt >= r->o.retries)
			return rc;
		bump(&r->retries, 1);
		sleep_ms(backoff_ms(attempt++, NULL));
	}
}

int sc_registry_mount_blob(sc_registry *r, const char *repo, const char *from_repo, const sc_digest *d, int *mounted)
{
	char scope[800], what[200], dg[SC_DIGEST_STRLEN], *url = NULL, *e = NULL, *loc = NULL;
	sc_http x;
	rq q = { 0 };
	int rc;

	*mounted = 0;
	if ((rc = begin(r, repo)) != 0 || (rc = check_repo(r, from_repo)) != 0)
		return rc;
	sc_digest_fmt(d, dg);
	snprintf(what, sizeof(what), "mount of blob %s from %.100s", dg, from_repo ? from_repo : "");
	if (scope_for(r, scope, sizeof(scope), repo, 1, from_repo) != 0)
		return sc_error_set(SC_EUSAGE, "%s: repository name too long", r->host);
	if (!(e = sc_http_query_escape(dg)) || !(url = mkurl(r, "/v2/%s/blobs/uploads/?mount=%s&from=%s", repo, e, from_repo))) {
		free(e);
		return url_failed();
	}
	free(e);
	rq_init(&q, "POST", url, repo, scope, what);
	if ((rc = reg_do(r, &q, &x)) != 0)
		goto out;
	if (x.h.status == 201) {
		*mounted = 1;
		bump(&r->blobs_mounted, 1);
	} else if (x.h.status == 202) {
		if (session_url(r, repo, what, &x, url, &loc) == 0)
			cancel_session(r, repo, scope, loc);
		sc_error_clear();
	} else if (x.h.status >= 500 || x.h.status == 429) {
		rc = status_error(r, repo, what, &x);
	}
	/* Other refusals (401/403 for the source repository, 404): not mounted. */
	sc_http_release(&x);
out:
	free(loc);
	free(url);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Manifest upload                                                    */
/* ------------------------------------------------------------------ */

static const char empty_index[] =
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}";

static int put_manifest_raw(sc_registry *r, const char *repo, const char *ref, const void *data, size_t len,
			    const char *media_type, sc_digest *digest_out, int *has_subject_header);

/*
 * distribution-spec "Pushing Manifests with Subject": a registry that does
 * not answer OCI-Subject has no referrers API, so the client keeps the
 * "sha256-<hex of subject>" index up to date: add a descriptor of the
 * pushed manifest (artifactType, or the config's media type, and its
 * annotations) unless it is already listed.
 */
static int update_referrers_tag(sc_registry *r, const char *repo, const char *data, size_t len,
				const char *media_type, const sc_digest *d)
{
	json_t *m = NULL, *ix = NULL, *subj, *arr, *e, *desc = NULL, *ann;
	const char *sd, *at;
	char tag[80], dg[SC_DIGEST_STRLEN], *out = NULL;
	sc_digest sdg;
	sc_buf b;
	size_t i;
	int rc;

	sc_buf_init(&b, SC_MANIFEST_MAX, "referrers index");
	if (sc_json_parse(&m, data, len, SC_MANIFEST_MAX, SC_JSON_MAX_DEPTH, "manifest") != 0) {
		sc_error_clear();
		return 0;
	}
	subj = json_object_get(m, "subject");
	sd = sc_json_str(subj, "digest");
	if (!sd || sc_digest_parse(&sdg, sd) != 0) {
		rc = 0;
		goto out;
	}
	snprintf(tag, sizeof(tag), "sha256-%.64s", sd + 7);
	rc = sc_registry_get_manifest(r, repo, tag, &b, NULL, NULL);
	if (rc == SC_ENOTFOUND) {
		sc_error_clear();
		rc = sc_json_parse(&ix, empty_index, strlen(empty_index), sizeof(empty_index), 4, "index");
	} else if (rc == 0) {
		rc = sc_json_parse(&ix, b.data ? b.data : "", b.len, SC_MANIFEST_MAX, SC_JSON_MAX_DEPTH, "referrers index");
	}
	if (rc)
		goto out;
	arr = json_object_get(ix, "manifests");
	if (!json_is_array(arr) || json_array_size(arr) >= SC_MAX_INDEX_ENTRIES) {
		rc = sc_error_set(SC_EINPUT, "%s/%s: tag %s is not a referrers index", r->host, repo, tag);
		goto out;
	}
	sc_digest_fmt(d, dg);
	json_array_foreach(arr, i, e)
	{
		const char *x = sc_json_str(e, "digest");

		if (x && strcmp(x, dg) == 0)
			goto out; /* already listed */
	}
	at = sc_json_str(m, "artifactType");
	if (!at)
		at = sc_json_str(json_object_get(m, "config"), "mediaType");
	if (!(desc = json_pack("{s:s, s:s, s:I}", "mediaType", media_type, "digest", dg, "size", (json_int_t)len))) {
		rc = SC_ENOMEM;
		goto out;
	}
	if (at)
		json_object_set_new(desc, "artifactType", json_string(at));
	ann = json_object_get(m, "annotations");
	if (json_is_object(ann))
		json_object_set(desc, "annotations", ann);
	if (json_array_append(arr, desc) != 0 || !(out = json_dumps(ix, JSON_COMPACT))) {
		rc = SC_ENOMEM;
		goto out;
	}
	rc = put_manifest_raw(r, repo, tag, out, strlen(out), SC_MT_OCI_INDEX, NULL, NULL);
out:
	free(out);
	json_decref(desc);
	json_decref(ix);
	json_decref(m);
	sc_buf_release(&b);
	return rc;
}

int sc_registry_put_manifest(sc_registry *r, const char *repo, const char *ref, const void *data, size_t len,
			     const char *media_type, sc_digest *digest_out)
{
	sc_digest d;
	int subject_hdr = 0, rc;

	if ((rc = put_manifest_raw(r, repo, ref, data, len, media_type, &d, &subject_hdr)) != 0)
		return rc;
	/* Only a manifest pushed by digest has its subject's tag updated (a
	 * tag push of the same bytes follows a digest push). */
	if (!subject_hdr && strncmp(ref, "sha256:", 7) == 0 && memmem(data, len, "\"subject\"", 9)) {
		pthread_mutex_lock(&r->subject_mu);
		rc = update_referrers_tag(r, repo, data, len, media_type, &d);
		pthread_mutex_unlock(&r->subject_mu);
		if (rc)
			return sc_error_prefix(rc, "%s/%s: manifest %s: updating the referrers tag", r->host, repo, ref);
	}
	if (digest_out)
		*digest_out = d;
	return 0;
}

static int put_manifest_raw(sc_registry *r, const char *repo, const char *ref, const void *data, size_t len,
			    const char *media_type, sc_digest *digest_out, int *has_subject_header)
{
	char scope[600], what[200], ct[300], *url = NULL;
	const char *hdrs[] = { ct, NULL };
	sc_digest d, want;
	sc_http x;
	rq q = { 0 };
	int rc;

	if ((rc = begin(r, repo)) != 0 || (rc = check_ref(r, repo, ref)) != 0)
		return rc;
	if (len > SC_MANIFEST_MAX)
		return sc_error_set(SC_ELIMIT, "%s/%s: manifest %s is %zu bytes, limit is %u", r->host, repo, ref, len,
				    SC_MANIFEST_MAX);
	if (!media_type || !*media_type || strlen(media_type) > 255 || strpbrk(media_type, "\r\n"))
		return sc_error_set(SC_EUSAGE, "%s/%s: manifest %s: missing or malformed media type", r->host, repo, ref);
	sc_sha256_buf(&d, data, len);
	if (strncmp(ref, "sha256:", 7) == 0 && (sc_digest_parse(&want, ref) != 0 || !sc_digest_eq(&want, &d)))
		return sc_error_set(SC_EDIGEST, "%s/%s: manifest %s: the bytes have another digest", r->host, repo, ref);
	snprintf(what, sizeof(what), "manifest %s", ref);
	snprintf(ct, sizeof(ct), "Content-Type: %s", media_type);
	scope_for(r, scope, sizeof(scope), repo, 1, NULL);
	if (!(url = mkurl(r, "/v2/%s/manifests/%s", repo, ref)))
		return url_failed();
	rq_init(&q, "PUT", url, repo, scope, what);
	q.headers = hdrs;
	q.body = data;
	q.body_len = len;
	rc = reg_do(r, &q, &x);
	free(url);
	if (rc)
		return rc;
	if ((rc = expect_status(r, repo, what, &x, 201, 200)) == 0 && (rc = check_dcd(r, repo, what, &x, &d)) == 0) {
		if (digest_out)
			*digest_out = d;
		if (has_subject_header)
			*has_subject_header = x.h.oci_subject != NULL;
	}
	sc_http_release(&x);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Referrers                                                          */
/* ------------------------------------------------------------------ */

int sc_registry_referrers_parse(const char *data, size_t len, const char *artifact_type, sc_buf *out)
{
	json_t *j = NULL, *m, *keep = NULL, *e;
	size_t i;
	char *s = NULL;
	int rc;

	if ((rc = sc_json_parse(&j, data, len, SC_MANIFEST_MAX, SC_JSON_MAX_DEPTH, "referrers index")) != 0)
		return rc;
	m = json_object_get(j, "manifests");
	if (!json_is_object(j) || (m && !json_is_array(m) && !json_is_null(m))) {
		rc = sc_error_set(SC_EINPUT, "referrers index: not an image index");
		goto out;
	}
	if (json_array_size(m) > SC_MAX_INDEX_ENTRIES) {
		rc = sc_error_set(SC_ELIMIT, "referrers index: more than %d entries", SC_MAX_INDEX_ENTRIES);
		goto out;
	}
	json_array_foreach(m, i, e)
	{
		if (!json_is_object(e) || !json_is_string(json_object_get(e, "digest"))) {
			rc = sc_error_set(SC_EINPUT, "referrers index: entry %zu is not a descriptor", i);
			goto out;
		}
	}
	if (!artifact_type) {
		rc = sc_buf_append(out, data, len);
		goto out;
	}
	if (!(keep = json_array())) {
		rc = SC_ENOMEM;
		goto out;
	}
	json_array_foreach(m, i, e)
	{
		const char *at = sc_json_str(e, "artifactType");

		if (at && strcmp(at, artifact_type) == 0 && json_array_append(keep, e) != 0) {
			rc = SC_ENOMEM;
			goto out;
		}
	}
	if (json_object_set(j, "manifests", keep) != 0 || !(s = json_dumps(j, JSON_COMPACT))) {
		rc = SC_ENOMEM;
		goto out;
	}
	rc = sc_buf_puts(out, s);
out:
	free(s);
	json_decref(keep);
	json_decref(j);
	return rc;
}

/* Append the (validated, filtered) descriptors of one referrers page to arr. */
static int referrers_merge(json_t *arr, const char *data, size_t len, const char *artifact_type)
{
	sc_buf one;
	json_t *j = NULL, *e;
	size_t i;
	int rc;

	sc_buf_init(&one, SC_MANIFEST_MAX, "referrers index");
	if ((rc = sc_registry_referrers_parse(data, len, artifact_type, &one)) == 0 &&
	    (rc = sc_json_parse(&j, one.data, one.len, SC_MANIFEST_MAX, SC_JSON_MAX_DEPTH, "referrers index")) == 0) {
		json_array_foreach(json_object_get(j, "manifests"), i, e)
		{
			if (json_array_size(arr) >= SC_MAX_INDEX_ENTRIES) {
				rc = sc_error_set(SC_ELIMIT, "referrers: more than %d entries", SC_MAX_INDEX_ENTRIES);
				break;
			}
			if (json_array_append(arr, e) != 0) {
				rc = SC_ENOMEM;
				break;
			}
		}
	}
	json_decref(j);
	sc_buf_release(&one);
	return rc;
}

int sc_registry_referrers(sc_registry *r, const char *repo, const sc_digest *d, const char *artifact_type, sc_buf *out,
			  int *via_api)
{
	const char *hdrs[] = { "Accept: " SC_MT_OCI_INDEX, NULL };
	char scope[600], what[120], dg[SC_DIGEST_STRLEN], hex[65], tag[80], *url = NULL, *e = NULL;
	sc_buf body;
	sc_http x;
	rq q = { 0 };
	size_t before = out->len;
	unsigned pages = 0;
	json_t *merged = NULL;
	int rc;

	if ((rc = begin(r, repo)) != 0)
		return rc;
	sc_digest_fmt(d, dg);
	snprintf(what, sizeof(what), "referrers of %s", dg);
	scope_for(r, scope, sizeof(scope), repo, 0, NULL);
	if (artifact_type) {
		if (strlen(artifact_type) > 255)
			return sc_error_set(SC_EUSAGE, "%s/%s: artifact type too long", r->host, repo);
		if (!(e = sc_http_query_escape(artifact_type)))
			return SC_ENOMEM;
	}
	url = e ? mkurl(r, "/v2/%s/referrers/%s?artifactType=%s", repo, dg, e) : mkurl(r, "/v2/%s/referrers/%s", repo, dg);
	free(e);
	if (!url)
		return url_failed();
	sc_buf_init(&body, SC_MANIFEST_MAX, "referrers index");
	/*
	 * The API may page with Link: rel="next" (distribution-spec); pages
	 * are followed on the registry's own origin, at most
	 * REFERRERS_MAX_PAGES, and their descriptors merged into one index.
	 */
	for (;;) {
		char *next = NULL, *abs = NULL;
		int filtered;

		rq_init(&q, "GET", url, repo, scope, what);
		q.headers = hdrs;
		q.out = &body;
		q.follow = 1;
		if ((rc = reg_do(r, &q, &x)) != 0)
			goto out;
		if (x.h.status != 200) {
			if (!merged)
				break; /* the first page: no API? (below) */
			rc = expect_status(r, repo, what, &x, 200, 0); /* a later page */
			sc_http_release(&x);
			goto out;
		}
		/* The API answered; filter here when the registry did not. */
		filtered = x.h.oci_filters_applied && strstr(x.h.oci_filters_applied, "artifactType");
		if (x.h.link && (rc = sc_http_link_next(x.h.link, &next)) != 0) {
			sc_http_release(&x);
			goto out;
		}
		sc_http_release(&x);
		if (!merged && !(merged = json_array())) {
			free(next);
			rc = SC_ENOMEM;
			goto out;
		}
		if ((rc = referrers_merge(merged, body.data ? body.data : "", body.len, filtered ? NULL : artifact_type)) != 0) {
			free(next);
			rc = sc_error_prefix(rc, "%s/%s: %s", r->host, repo, what);
			goto out;
		}
		if (!next)
			break;
		rc = sc_http_url_resolve(url, next, &abs);
		free(next);
		if (rc)
			goto out;
		if (!sc_http_same_origin(abs, r->base) || ++pages >= REFERRERS_MAX_PAGES) {
			free(abs);
			rc = sc_error_set(SC_EINPUT, "%s/%s: %s: next page on another host or past %d pages", r->host, repo,
					  what, REFERRERS_MAX_PAGES);
			goto out;
		}
		free(url);
		url = abs;
		sc_buf_reset(&body);
	}
	if (merged) {
		json_t *ix = json_pack("{s:i, s:s, s:O}", "schemaVersion", 2, "mediaType", SC_MT_OCI_INDEX, "manifests",
				       merged);
		char *text = ix ? json_dumps(ix, JSON_COMPACT) : NULL;

		rc = text ? sc_buf_puts(out, text) : SC_ENOMEM;
		free(text);
		json_decref(ix);
		if (rc == 0 && via_api)
			*via_api = 1;
		goto out;
	}
	/*
	 * A registry with the API answers 200 (an empty index when there
	 * are no referrers) and must not answer 404 (distribution-spec
	 * "Listing Referrers"), so 404 - distribution 2.8 answers unknown
	 * routes with 404 - and 400/405 mean "no API": use the tag schema.
	 */
	if (x.h.status != 404 && x.h.status != 400 && x.h.status != 405) {
		rc = expect_status(r, repo, what, &x, 200, 0);
		sc_http_release(&x);
		goto out;
	}
	sc_http_release(&x);
	snprintf(tag, sizeof(tag), "sha256-%s", sc_digest_hex(d, hex));
	sc_buf_reset(&body);
	rc = sc_registry_get_manifest(r, repo, tag, &body, NULL, NULL);
	if (rc == SC_ENOTFOUND) {
		sc_error_clear();
		rc = sc_buf_puts(out, empty_index);
	} else if (rc == 0) {
		rc = sc_registry_referrers_parse(body.data ? body.data : "", body.len, artifact_type, out);
		if (rc)
			rc = sc_error_prefix(rc, "%s/%s: tag %s", r->host, repo, tag);
	}
	if (rc == 0 && via_api)
		*via_api = 0;
out:
	if (rc)
		out->len = before;
	json_decref(merged);
	free(url);
	sc_buf_release(&body);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Tags                                                               */
/* ------------------------------------------------------------------ */

int sc_registry_tags_parse(const char *data, size_t len, char ***tags, size_t *n, size_t *cap, size_t max)
{
	json_t *j = NULL, *t, *e;
	size_t i;
	int rc;

	if ((rc = sc_json_parse(&j, data, len, TAGS_PAGE_MAX, 8, "tag list")) != 0)
		return rc;
	t = json_object_get(j, "tags");
	if (!json_is_object(j) || (t && !json_is_array(t) && !json_is_null(t))) {
		rc = sc_error_set(SC_EINPUT, "tag list: not a {\"tags\": [...]} object");
		goto out;
	}
	json_array_foreach(t, i, e)
	{
		const char *s = json_string_value(e);
		char *c;

		if (!s || json_string_length(e) == 0 || json_string_length(e) > 128 || strlen(s) != json_string_length(e)) {
			rc = sc_error_set(SC_EINPUT, "tag list: entry %zu is not a tag", i);
			goto out;
		}
		if (*n >= max) {
			rc = sc_error_set(SC_ELIMIT, "tag list: more than %zu tags", max);
			goto out;
		}
		if (*n + 1 >= *cap) {
			size_t nc = *cap ? *cap * 2 : 64;
			char **nv = sc_reallocarray(*tags, nc, sizeof(char *));

			if (!nv) {
				rc = SC_ENOMEM;
				goto out;
			}
			*tags = nv;
			*cap = nc;
		}
		if (!(c = sc_strdup(s))) {
			rc = SC_ENOMEM;
			goto out;
		}
		(*tags)[(*n)++] = c;
		(*tags)[*n] = NULL;
	}
out:
	json_decref(j);
	return rc;
}

int sc_registry_list_tags(sc_registry *r, const char *repo, char ***tags_out, size_t *n_out)
{
	char scope[600], *url = NULL;
	char **tags = NULL;
	size_t n = 0, cap = 0, i;
	sc_buf body;
	unsigned pages = 0;
	int rc;

	if ((rc = begin(r, repo)) != 0)
		return rc;
	scope_for(r, scope, sizeof(scope), repo, 0, NULL);
	sc_buf_init(&body, TAGS_PAGE_MAX, "tag list");
	if (!(url = mkurl(r, "/v2/%s/tags/list?n=1000", repo)))
		return url_failed();
	while (url) {
		sc_http x;
		rq q = { 0 };
		char *next = NULL, *abs = NULL;

		if (++pages > TAGS_MAX_PAGES) {
			rc = sc_error_set(SC_ELIMIT, "%s/%s: tag list over %d pages", r->host, repo, TAGS_MAX_PAGES);
			goto out;
		}
		rq_init(&q, "GET", url, repo, scope, "tag list");
		q.out = &body;
		q.follow = 1;
		if ((rc = reg_do(r, &q, &x)) != 0)
			goto out;
		if ((rc = expect_status(r, repo, "tag list", &x, 200, 0)) != 0) {
			sc_http_release(&x);
			goto out;
		}
		if (x.h.link && (rc = sc_http_link_next(x.h.link, &next)) != 0) {
			sc_http_release(&x);
			rc = sc_error_prefix(rc, "%s/%s: tag list", r->host, repo);
			goto out;
		}
		sc_http_release(&x);
		if ((rc = sc_registry_tags_parse(body.data ? body.data : "", body.len, &tags, &n, &cap, TAGS_MAX)) != 0) {
			free(next);
			rc = sc_error_prefix(rc, "%s/%s", r->host, repo);
			goto out;
		}
		if (next) {
			rc = sc_http_url_resolve(url, next, &abs);
			free(next);
			if (rc)
				goto out;
			if (!sc_http_same_origin(abs, r->base)) {
				free(abs);
				rc = sc_error_set(SC_EINPUT, "%s/%s: tag list: next page on another host", r->host, repo);
				goto out;
			}
		}
		free(url);
		url = abs;
	}
	if (!tags && !(tags = sc_calloc(1, sizeof(char *)))) {
		rc = SC_ENOMEM;
		goto out;
	}
	*tags_out = tags;
	*n_out = n;
	tags = NULL;
out:
	if (tags) {
		for (i = 0; i < n; i++)
			free(tags[i]);
		free(tags);
	}
	free(url);
	sc_buf_release(&body);
	return rc;
}
