/*
 * http.h - one HTTP request over libcurl, for the registry client
 * (internal to src/registry; vuln/update.c shares the global init).
 *
 * A request has a method, a URL, extra header lines, an optional body
 * (memory or a pull stream with a known size) and sends its 2xx response
 * body to a capped sc_buf or a write callback; non-2xx bodies go to a
 * small capped error buffer (truncated, for the message).  Redirects are
 * never followed here: the caller decides (client.c follows them itself
 * so that the registry's Authorization never leaves the registry).
 * The response headers the registry protocol needs are captured, each
 * bounded to SC_HTTP_HEADER_MAX bytes.
 *
 * libcurl: https://curl.se/libcurl/c/libcurl-easy.html
 * Link header: RFC 8288; URL resolution: RFC 3986 5.2 (curl_url).
 */
#ifndef SC_REGISTRY_HTTP_H
#define SC_REGISTRY_HTTP_H

#include "core/buf.h"
#include "core/error.h"
#include "core/stream.h"

#include <curl/curl.h>
#include <stdint.h>

#define SC_HTTP_HEADER_MAX 8192
#define SC_HTTP_ERROR_BODY_MAX (64u << 10)
#define SC_HTTP_URL_MAX 8192
#define SC_HTTP_RECV_BUFFER (512 * 1024)    /* CURLOPT_BUFFERSIZE */
#define SC_HTTP_UPLOAD_BUFFER (2 * 1024 * 1024) /* CURLOPT_UPLOAD_BUFFERSIZE (libcurl's maximum) */

/* curl_global_init exactly once per process (pthread_once); SC_EINTERNAL on failure. */
int sc_http_global_init(void);

/* Response headers of the last response (1xx interim responses dropped). */
typedef struct sc_http_headers {
	long status;
	char *www_authenticate; /* several fields joined with ", " */
	char *location;
	char *docker_content_digest;
	char *content_type;
	char *retry_after;
	char *link;             /* several fields joined with ", " */
	char *range;
	char *content_range;
	char *oci_subject;
	char *oci_filters_applied;
	int64_t content_length; /* -1 when absent */
	int too_long;           /* a captured header was over the bound (dropped) */
} sc_http_headers;

/* Returns n to accept, CURL_WRITEFUNC_PAUSE to pause, anything else fails. */
typedef size_t (*sc_http_write_fn)(void *ud, const char *data, size_t n);

typedef struct sc_http_req {
	const char *method;             /* GET HEAD PUT POST PATCH DELETE */
	const char *url;
	const char *const *headers;     /* "Name: value" lines, NULL-terminated, or NULL */
	const char *authorization;      /* "Bearer ..." / "Basic ..." (secret) or NULL */
	const void *body;               /* memory body (may be NULL with body_len 0) */
	size_t body_len;
	sc_stream *body_stream;         /* streamed body of exactly body_size bytes, or NULL */
	uint64_t body_size;
	int body_more;                  /* the stream goes on after body_size (a chunk):
	                                   do not check that it ends there */
	sc_buf *out;                    /* 2xx body (capped) or NULL */
	sc_http_write_fn write_fn;      /* instead of out */
	void *write_ud;
	int tls_verify;
	const char *ca_file;
	long connect_timeout_s;
	struct sc_http_share *share;    /* connection/TLS-session/DNS cache or NULL */
	uint64_t *bytes_down;           /* relaxed atomic counters or NULL */
	uint64_t *bytes_up;
} sc_http_req;

typedef struct sc_http {
	CURL *c;
	struct curl_slist *hdrs;
	sc_http_req q;
	sc_http_headers h;
	sc_buf err;                     /* non-2xx body, truncated at SC_HTTP_ERROR_BODY_MAX */
	CURLcode cc;
	char errbuf[CURL_ERROR_SIZE];
	int too_big;                    /* q.out overflowed */
	int err_cut;                    /* an error body was cut at err.max */
	int body_failed;                /* body_stream failed or was short/long: body_err */
	sc_error_info body_err;
	uint64_t body_sent;
	uint64_t body_got;              /* 2xx body bytes received */
} sc_http;

/* Prepare x for q (q's pointers must outlive x); *x is zeroed first.
 * sc_http_release(x) is needed whatever this returns. */
int sc_http_init(sc_http *x, const sc_http_req *q);
/* Run it (curl_easy_perform); the result is in x->cc, x->h, x->err. */
void sc_http_perform(sc_http *x);
void sc_http_release(sc_http *x); /* wipes the Authorization line */

/* The header list's Authorization value etc. are wiped and freed. */
void sc_http_headers_release(sc_http_headers *h);

/* Does the curl result look like a transient network failure worth retrying? */
int sc_http_cc_retryable(CURLcode cc);

/* Resolve ref (absolute or relative URL) against base into a malloc'd URL. */
int sc_http_url_resolve(const char *base, const char *ref, char **out);
/* 1 when a and b have the same scheme, host and port (absolute URLs). */
int sc_http_same_origin(const char *a, const char *b);
/* The scheme of an absolute URL is https (1), http (0), other (-1). */
int sc_http_url_is_https(const char *url);

/*
 * The target of the first rel="next" link in a Link header value (RFC
 * 8288: `<uri>; rel="next", <uri2>; rel=prev`).  *out is NULL when there
 * is none; SC_EINPUT when malformed; SC_ELIMIT over SC_HTTP_HEADER_MAX.
 */
int sc_http_link_next(const char *value, char **out);

/* Retry-After in seconds (delta-seconds or an HTTP-date), -1 when absent or malformed. */
long sc_http_retry_after(const char *value);

/* Percent-encode a query parameter value (RFC 3986 unreserved kept). */
char *sc_http_query_escape(const char *s);

/* A CURLSH sharing connections, TLS sessions and DNS, with its own locks,
 * usable from several threads. */
typedef struct sc_http_share sc_http_share;
int sc_http_share_new(sc_http_share **out);
void sc_http_share_free(sc_http_share *sh); /* after every handle using it is gone */

#endif
