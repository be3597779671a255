/*
 * client.h - OCI Distribution Spec v1.1 client over libcurl.
 *
 * Specs:
 *   https://github.com/opencontainers/distribution-spec/blob/main/spec.md
 *   https://distribution.github.io/distribution/spec/auth/token/  (bearer flow)
 *   https://distribution.github.io/distribution/spec/auth/scope/
 *   containers-auth.json(5), docker config.json "auths" (credentials)
 *
 * One sc_registry per host: it owns the TLS settings, the credentials and
 * a token cache keyed by scope (mutex-protected), so every call below is
 * safe from several threads at once (each call uses its own curl handle).
 *
 * Transport:
 *   https:// with certificate verification by default; opts->tls_verify = 0
 *   disables it, opts->ca_file adds a CA bundle (curl's CAINFO; the
 *   system CA directory stays in use).  HTTP/2 is negotiated by
 *   ALPN (CURL_HTTP_VERSION_2TLS).  Plain http:// only when opts->plain_http
 *   is set or the host is loopback (localhost, 127.0.0.0/8, [::1]); for a
 *   loopback host https is tried first unless plain_http: the first request
 *   (a GET /v2/ ping) that fails the TLS handshake itself
 *   (CURLE_SSL_CONNECT_ERROR, e.g. a plain-http server answering the
 *   ClientHello) switches that sc_registry to http:// for good; a
 *   certificate that fails verification never does.  A Bearer realm must
 *   be https unless it is on loopback or plain_http is set.  Redirects are
 *   followed by the client (at most 5, never https -> http) and carry the
 *   Authorization header only to the registry's own scheme://host:port.
 *
 * Auth (per request): anonymous first; on 401 the WWW-Authenticate
 * challenge decides: Basic -> the credentials; Bearer -> GET realm with
 * service and scope(s) (Basic credentials attached when known), token
 * cached by scope until expires_in (default 60 s) and refreshed on a 401.
 * Credentials and tokens never appear in an error message or log.
 *
 * Retries: 429, 500, 502, 503, 504 and connection-level failures (reset,
 * refused, timeout, partial transfer) are retried opts->retries times with
 * exponential backoff (250 ms doubling, capped at 8 s; Retry-After honoured
 * up to 30 s).  Other 4xx fail at once.
 *
 * Errors: 404 / MANIFEST_UNKNOWN / BLOB_UNKNOWN -> SC_ENOTFOUND; 401/403
 * after auth -> SC_EAUTH; network and 5xx after retries -> SC_ENET; a body
 * that does not match its digest -> SC_EDIGEST; oversized -> SC_ELIMIT.
 * Messages name the host, repository and object, e.g.
 *   "127.0.0.1:5000/app: manifest latest: not found".
 */
#ifndef SC_REGISTRY_CLIENT_H
#define SC_REGISTRY_CLIENT_H

#include "core/buf.h"
#include "core/digest.h"
#include "core/stream.h"

#include <stddef.h>
#include <stdint.h>

typedef struct sc_registry_opts {
	int tls_verify;         /* 1 = verify (default); 0 = --tls-verify=false */
	const char *ca_file;    /* extra PEM CA bundle (--ca-file) or NULL */
	const char *creds;      /* "USER:PASS" (--creds) or NULL: look in the auth files */
	const char *auth_file;  /* --authfile; NULL: $REGISTRY_AUTH_FILE, then
	                           ${XDG_RUNTIME_DIR}/containers/auth.json, then
	                           ~/.docker/config.json */
	int plain_http;         /* allow http:// for a non-loopback host */
	unsigned retries;       /* attempts after the first; 0 = default 5 */
	uint64_t chunk_size;    /* push: 0 = monolithic PUT; else PATCH chunks of this size */
	long timeout_s;         /* connect timeout; 0 = 30 s.  Transfers fail when
	                           under 1 KB/s for 60 s, never on total time. */
	int push;               /* a destination: every request asks for the
	                           repository:REPO:pull,push scope (HEADs too), so
	                           push-only credentials work and one token serves */
} sc_registry_opts;

/* opts with every field at its default. */
void sc_registry_opts_init(sc_registry_opts *o);

/*
 * "HOST[:PORT]/REPO[:TAG|@sha256:HEX]" (the part after docker://).  HOST
 * must contain '.' or ':' or be "localhost" (no Docker Hub defaulting: the
 * machine has no internet registries).  REPO is lowercase
 * [a-z0-9]+([._-][a-z0-9]+)* components joined by '/', at most 255 bytes;
 * TAG matches [A-Za-z0-9_][A-Za-z0-9._-]{0,127}.  Neither tag nor digest:
 * tag "latest".  Both: the digest wins and the tag is kept for naming.
 */
typedef struct sc_regref {
	char *host;      /* "127.0.0.1:5000" */
	char *repo;      /* "team/app" */
	char *tag;       /* NULL when only a digest was given */
	sc_digest digest; /* .set when given */
} sc_regref;

int sc_regref_parse(sc_regref *out, const char *s);
/* The same grammar for one repository path / one tag (1 = valid); *why (may be NULL) says what is wrong. */
int sc_regref_valid_repo(const char *repo, const char **why);
int sc_regref_valid_tag(const char *tag);
void sc_regref_release(sc_regref *r);
/* "host/repo@sha256:..." into a malloc'd string (NULL + SC_ENOMEM). */
char *sc_regref_pinned(const sc_regref *r, const sc_digest *d);

typedef struct sc_registry sc_registry;

/* host is "HOST[:PORT]".  *out is the caller's (sc_registry_free). */
int sc_registry_new(sc_registry **out, const char *host, const sc_registry_opts *opts);
void sc_registry_free(sc_registry *r); /* accepts NULL */
const char *sc_registry_host(const sc_registry *r);

/* Byte counters since sc_registry_new (relaxed atomics). */
typedef struct sc_registry_stats {
	uint64_t bytes_down;    /* blob and manifest bodies received */
	uint64_t bytes_up;      /* blob and manifest bodies sent */
	uint64_t requests;
	uint64_t retries;
	uint64_t blobs_mounted; /* cross-repository mounts that succeeded */
} sc_registry_stats;
void sc_registry_get_stats(const sc_registry *r, sc_registry_stats *out);

/*
 * GET /v2/<repo>/manifests/<ref> where ref is a tag or "sha256:..."
 * (Accept: OCI index + manifest, Docker list + v2 manifest, and any
 * artifact manifest).  out (initialised by the caller) gets the body, at
 * most SC_MANIFEST_MAX bytes; *media_type the Content-Type (malloc'd, may
 * be NULL); *digest the SHA-256 of the body.  When ref is a digest the
 * body must hash to it (SC_EDIGEST otherwise).  SC_ENOTFOUND when absent.
 */
int sc_registry_get_manifest(sc_registry *r, const char *repo, const char *ref, sc_buf *out,
			     char **media_type, sc_digest *digest);

/* HEAD /v2/<repo>/blobs/<digest>: *exists 1/0; *size when exists (may be NULL). */
int sc_registry_blob_exists(sc_registry *r, const char *repo, const sc_digest *d, int *exists,
			    uint64_t *size);
/* HEAD /v2/<repo>/manifests/<digest-or-tag>: *exists 1/0. */
int sc_registry_manifest_exists(sc_registry *r, const char *repo, const char *ref, int *exists);

/*
 * A verified stream over GET /v2/<repo>/blobs/<digest> (size may be
 * UINT64_MAX when unknown).  Bytes are pulled as the caller reads (no temp
 * file); redirects to blob storage are followed without the registry's
 * Authorization header; a connection that breaks mid-body is resumed with
 * "Range: bytes=N-" (up to opts->retries times; a 206 must start at N, a
 * 200 that ignores the range has its first N bytes dropped, so nothing is
 * hashed twice).  The digest and size are checked at end of stream
 * (SC_EDIGEST naming the blob).  HTTP errors of the transfer (404 ...)
 * surface from the first read(), not from this call.  Each stream is used
 * by one thread at a time; several streams may run at once.
 */
int sc_registry_open_blob(sc_registry *r, const char *repo, const sc_digest *d, uint64_t size,
			  sc_stream **out);

/* Reopens the blob's bytes from the start (called again on a retry). */
typedef int (*sc_blob_open_fn)(void *ud, sc_stream **out);

/*
 * Upload a blob: POST /v2/<repo>/blobs/uploads/, then one PUT
 * ?digest= (monolithic) or PATCH chunks of opts->chunk_size and a final
 * PUT.  Retried from a fresh upload session on retryable failures.
 * *sent (may be NULL) gets the bytes sent by the successful attempt.
 */
int sc_registry_push_blob(sc_registry *r, const char *repo, const sc_digest *d, uint64_t size,
			  sc_blob_open_fn open, void *ud, uint64_t *sent);

/*
 * Cross-repository mount: POST /v2/<repo>/blobs/uploads/?mount=<d>&from=<from>.
 * *mounted = 1 on 201; 0 when the registry started an upload instead (that
 * session is cancelled with DELETE) or refused.
 */
int sc_registry_mount_blob(sc_registry *r, const char *repo, const char *from_repo, const sc_digest *d,
			   int *mounted);

/*
 * PUT /v2/<repo>/manifests/<ref> (a tag, or the body's own digest) with
 * Content-Type media_type.  *digest_out (may be NULL) gets the digest of
 * the body (checked against Docker-Content-Digest when the registry sends it).
 * A manifest with a "subject" pushed by digest to a registry that does not
 * answer OCI-Subject (no referrers API) is also added to the subject's
 * "sha256-<hex>" tag-schema index (distribution-spec "Pushing Manifests
 * with Subject"; serialised per sc_registry, not across processes).
 */
int sc_registry_put_manifest(sc_registry *r, const char *repo, const char *ref, const void *data,
			     size_t len, const char *media_type, sc_digest *digest_out);

/*
 * The referrers of a manifest as an OCI image index (JSON, at most
 * SC_MANIFEST_MAX bytes) in out: GET /v2/<repo>/referrers/<digest>
 * (filtered by artifact_type when not NULL; Link rel="next" pages on the
 * registry's origin followed, at most 100, and merged); when the registry
 * has no referrers API (404, 400 or 405: a registry with the API must
 * answer 200), the tag schema fallback: the index tagged "sha256-<hex>"
 * (an empty index when absent).  *via_api (may be NULL) tells which was used.
 */
int sc_registry_referrers(sc_registry *r, const char *repo, const sc_digest *d,
			  const char *artifact_type, sc_buf *out, int *via_api);

/* GET /v2/<repo>/tags/list (follows Link pagination; at most 100000 tags). */
int sc_registry_list_tags(sc_registry *r, const char *repo, char ***tags_out, size_t *n_out);

/*
 * Parsers behind referrers and list_tags (exposed for tests and fuzzing).
 * sc_registry_referrers_parse: check that data is an image index whose
 * "manifests" are descriptors (at most SC_MAX_INDEX_ENTRIES) and append it
 * to out - as is, or re-serialised keeping only the entries whose
 * artifactType equals artifact_type when that is not NULL.
 * sc_registry_tags_parse: append the "tags" of one tags/list page to the
 * NULL-terminated *tags (*n used, *cap allocated), failing with SC_ELIMIT
 * beyond max tags.
 */
int sc_registry_referrers_parse(const char *data, size_t len, const char *artifact_type, sc_buf *out);
int sc_registry_tags_parse(const char *data, size_t len, char ***tags, size_t *n, size_t *cap, size_t max);

/*
 * The process-wide options the CLI set from --tls-verify, --ca-file,
 * --creds and --authfile; used by the docker:// source and destination.
 * Not thread-safe: set once before images are opened.  The struct is
 * copied but its strings are not: they must outlive every open image
 * (sc_registry_new copies them for each registry).
 */
void sc_registry_set_defaults(const sc_registry_opts *o);
const sc_registry_opts *sc_registry_defaults(void);

#endif
