/*
 * http.c - one HTTP request over libcurl (http.h).
 *
 * libcurl: https://curl.se/libcurl/c/libcurl-easy.html
 * RFC 9110 (Retry-After 10.2.3, Content-Range 14.4), RFC 8288 (Link),
 * RFC 3986 (URL resolution via curl_url).
 */
#include "registry/http.h"

#include "sc_config.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_init_rc;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

int sc_http_global_init(void)
{
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != 0)
		return sc_error_set(SC_EINTERNAL, "libcurl failed to initialise");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Share handle                                                       */
/* ------------------------------------------------------------------ */

struct sc_http_share {
	CURLSH *sh;
	pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
};

static void share_lock(CURL *c, curl_lock_data d, curl_lock_access a, void *ud)
{
	sc_http_share *s = ud;

	(void)c;
	(void)a;
	if ((int)d >= 0 && d < CURL_LOCK_DATA_LAST)
		pthread_mutex_lock(&s->locks[d]);
}

static void share_unlock(CURL *c, curl_lock_data d, void *ud)
{
	sc_http_share *s = ud;

	(void)c;
	if ((int)d >= 0 && d < CURL_LOCK_DATA_LAST)
		pthread_mutex_unlock(&s->locks[d]);
}

int sc_http_share_new(sc_http_share **out)
{
	sc_http_share *s;
	int i, rc;

	if ((rc = sc_http_global_init()) != 0)
		return rc;
	if (!(s = sc_calloc(1, sizeof(*s))))
		return SC_ENOMEM;
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&s->locks[i], NULL);
	if (!(s->sh = curl_share_init())) {
		sc_http_share_free(s);
		return sc_error_set(SC_EINTERNAL, "libcurl: cannot create a share handle");
	}
	curl_share_setopt(s->sh, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(s->sh, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(s->sh, CURLSHOPT_USERDATA, s);
	curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	/*
	 * Not CURL_LOCK_DATA_CONNECT: libcurl does not support sharing
	 * connections between threads that run transfers at once (the
	 * CURLSHOPT_SHARE documentation), and the copy workers do.  TLS
	 * sessions are shared, so a new connection resumes the handshake.
	 */
	*out = s;
	return 0;
}

void sc_http_share_free(sc_http_share *s)
{
	int i;

	if (!s)
		return;
	if (s->sh)
		curl_share_cleanup(s->sh);
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&s->locks[i]);
	free(s);
}

/* ------------------------------------------------------------------ */
/* Response headers                                                   */
/* ------------------------------------------------------------------ */

void sc_http_headers_release(sc_http_headers *h)
{
	free(h->www_authenticate);
	free(h->location);
	free(h->docker_content_digest);
	free(h->content_type);
	free(h->retry_after);
	free(h->link);
	free(h->range);
	free(h->content_range);
	free(h->oci_subject);
	free(h->oci_filters_applied);
	memset(h, 0, sizeof(*h));
	h->content_length = -1;
}

/* Set or (join) append value [v, v+n) to *slot, bounded. */
static void capture(sc_http_headers *h, char **slot, const char *v, size_t n, int join)
{
	size_t old = *slot ? strlen(*slot) : 0, total;
	char *nv;

	if (!join && *slot) {
		free(*slot);
		*slot = NULL;
		old = 0;
	}
	total = old + (old ? 2 : 0) + n;
	if (total > SC_HTTP_HEADER_MAX) {
		h->too_long = 1;
		return;
	}
	nv = realloc(*slot, total + 1);
	if (!nv) {
		h->too_long = 1;
		return;
	}
	if (old)
		memcpy(nv + old, ", ", 2);
	memcpy(nv + old + (old ? 2 : 0), v, n);
	nv[total] = '\0';
	*slot = nv;
}

static size_t on_header(char *p, size_t size, size_t nitems, void *ud)
{
	sc_http *x = ud;
	sc_http_headers *h = &x->h;
	size_t n = size * nitems, nlen;
	const char *colon, *v, *end;

	if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		/* A new response (after 100 Continue): forget the previous headers. */
		sc_http_headers_release(h);
		sc_buf_reset(&x->err);
		return n;
	}
	colon = memchr(p, ':', n);
	if (!colon)
		return n;
	nlen = (size_t)(colon - p);
	v = colon + 1;
	end = p + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
#define H(name, field, join)                                                           \
	if (nlen == sizeof(name) - 1 && strncasecmp(p, name, nlen) == 0) {               \
		capture(h, &h->field, v, (size_t)(end - v), join);                        \
		return n;                                                               \
	}
	H("WWW-Authenticate", www_authenticate, 1)
	H("Location", location, 0)
	H("Docker-Content-Digest", docker_content_digest, 0)
	H("Content-Type", content_type, 0)
	H("Retry-After", retry_after, 0)
	H("Link", link, 1)
	H("Range", range, 0)
	H("Content-Range", content_range, 0)
	H("OCI-Subject", oci_subject, 0)
	H("OCI-Filters-Applied", oci_filters_applied, 0)
#undef H
	if (nlen == 14 && strncasecmp(p, "Content-Length", 14) == 0) {
		int64_t cl = 0;
		const char *q = v;

		if (q == end)
			return n;
		for (; q < end; q++) {
			if (*q < '0' || *q > '9' || cl > (INT64_MAX - 9) / 10) {
				cl = -1;
				break;
			}
			cl = cl * 10 + (*q - '0');
		}
		h->content_length = cl;
	}
	return n;
}

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud)
{
	sc_http *x = ud;
	size_t n = size * nmemb;
	long status = 0;

	curl_easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		/*
		 * An error body: keep the start for the message.  Once the
		 * buffer is full the transfer stops (an endless error body from
		 * a hostile server must not hold scute); sc_http_perform treats
		 * that stop as a complete response.
		 */
		size_t room = x->err.max - x->err.len;

		if (n > room) {
			sc_buf_append(&x->err, p, room);
			x->err_cut = 1;
			return 0;
		}
		sc_buf_append(&x->err, p, n);
		return n;
	}
	if (x->q.write_fn) {
		size_t r = x->q.write_fn(x->q.write_ud, p, n);

		if (r == n) {
			x->body_got += n;
			if (x->q.bytes_down)
				__atomic_fetch_add(x->q.bytes_down, (uint64_t)n, __ATOMIC_RELAXED);
		}
		return r;
	}
	if (x->q.out && sc_buf_append(x->q.out, p, n) != 0) {
		x->too_big = 1;
		return 0;
	}
	x->body_got += n;
	if (x->q.bytes_down)
		__atomic_fetch_add(x->q.bytes_down, (uint64_t)n, __ATOMIC_RELAXED);
	return n;
}

static size_t on_read(char *p, size_t size, size_t nitems, void *ud)
{
	sc_http *x = ud;
	size_t n = size * nitems;
	uint64_t left = x->q.body_size - x->body_sent;
	ssize_t r;

	if (left == 0) {
		if (x->q.body_more)
			return 0;
		/* Exactly the announced size sent: the stream must end here
		 * (this read also lets a verifying stream check its digest). */
		char probe;

		r = sc_stream_read(x->q.body_stream, &probe, 1);
		if (r == 0)
			return 0;
		if (r > 0)
			sc_error_set(SC_EDIGEST, "upload body is longer than %llu bytes",
				     (unsigned long long)x->q.body_size);
		sc_error_save(&x->body_err);
		x->body_failed = 1;
		return CURL_READFUNC_ABORT;
	}
	if (n > left)
		n = (size_t)left;
	r = sc_stream_read(x->q.body_stream, p, n);
	if (r <= 0) {
		if (r == 0)
			sc_error_set(SC_EDIGEST, "upload body ended after %llu of %llu bytes",
				     (unsigned long long)x->body_sent, (unsigned long long)x->q.body_size);
		sc_error_save(&x->body_err);
		x->body_failed = 1;
		return CURL_READFUNC_ABORT;
	}
	x->body_sent += (uint64_t)r;
	if (x->q.bytes_up)
		__atomic_fetch_add(x->q.bytes_up, (uint64_t)r, __ATOMIC_RELAXED);
	return (size_t)r;
}

int sc_http_init(sc_http *x, const sc_http_req *q)
{
	const char *const *hp;
	struct curl_slist *l;
	int rc, has_ct = 0;
	const char *m = q->method;

	memset(x, 0, sizeof(*x));
	x->h.content_length = -1;
	x->q = *q;
	sc_buf_init(&x->err, SC_HTTP_ERROR_BODY_MAX, "error body");
	if ((rc = sc_http_global_init()) != 0)
		return rc;
	if (!(x->c = curl_easy_init()))
		return sc_error_set(SC_EINTERNAL, "libcurl: cannot create a handle");
	for (hp = q->headers; hp && *hp; hp++) {
		if (strncasecmp(*hp, "Content-Type:", 13) == 0)
			has_ct = 1;
		if (!(l = curl_slist_append(x->hdrs, *hp)))
			goto nomem;
		x->hdrs = l;
	}
	if (q->authorization) {
		size_t n = strlen(q->authorization) + sizeof("Authorization: ");
		char *line = sc_malloc(n);

		if (!line)
			return SC_ENOMEM;
		snprintf(line, n, "Authorization: %s", q->authorization);
		l = curl_slist_append(x->hdrs, line);
		OPENSSL_cleanse(line, n);
		free(line);
		if (!l)
			goto nomem;
		x->hdrs = l;
	}
	/* curl would label a memory body as a form; the registry gets none. */
	if (!has_ct && !q->body_stream && (strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0)) {
		if (!(l = curl_slist_append(x->hdrs, "Content-Type:")))
			goto nomem;
		x->hdrs = l;
	}
	curl_easy_setopt(x->c, CURLOPT_URL, q->url);
	curl_easy_setopt(x->c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(x->c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(x->c, CURLOPT_CONNECTTIMEOUT, q->connect_timeout_s > 0 ? q->connect_timeout_s : 30L);
	/* Stalled (under 1 KB/s for a minute) fails; no limit on total time. */
	curl_easy_setopt(x->c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(x->c, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(x->c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(x->c, CURLOPT_BUFFERSIZE, (long)SC_HTTP_RECV_BUFFER);
	curl_easy_setopt(x->c, CURLOPT_SSL_VERIFYPEER, q->tls_verify ? 1L : 0L);
	curl_easy_setopt(x->c, CURLOPT_SSL_VERIFYHOST, q->tls_verify ? 2L : 0L);
	if (q->ca_file)
		curl_easy_setopt(x->c, CURLOPT_CAINFO, q->ca_file);
	curl_easy_setopt(x->c, CURLOPT_USERAGENT, "scute/" SCUTE_VERSION);
	curl_easy_setopt(x->c, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(x->c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(x->c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(x->c, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(x->c, CURLOPT_WRITEDATA, x);
	if (q->share)
		curl_easy_setopt(x->c, CURLOPT_SHARE, q->share->sh);
	if (strcmp(m, "HEAD") == 0) {
		curl_easy_setopt(x->c, CURLOPT_NOBODY, 1L);
	} else if (q->body_stream) {
		curl_easy_setopt(x->c, CURLOPT_UPLOAD, 1L);
		/* Layers are large: big send buffers mean fewer syscalls and callbacks. */
		curl_easy_setopt(x->c, CURLOPT_UPLOAD_BUFFERSIZE, (long)SC_HTTP_UPLOAD_BUFFER);
		curl_easy_setopt(x->c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(x->c, CURLOPT_READDATA, x);
		curl_easy_setopt(x->c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)q->body_size);
		if (strcmp(m, "PUT") != 0)
			curl_easy_setopt(x->c, CURLOPT_CUSTOMREQUEST, m);
	} else if (strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0) {
		curl_easy_setopt(x->c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->body_len);
		curl_easy_setopt(x->c, CURLOPT_POSTFIELDS, q->body ? q->body : "");
		if (strcmp(m, "POST") != 0)
			curl_easy_setopt(x->c, CURLOPT_CUSTOMREQUEST, m);
		if (q->bytes_up)
			__atomic_fetch_add(q->bytes_up, (uint64_t)q->body_len, __ATOMIC_RELAXED);
	} else if (strcmp(m, "GET") != 0) {
		curl_easy_setopt(x->c, CURLOPT_CUSTOMREQUEST, m);
	}
	if (x->hdrs)
		curl_easy_setopt(x->c, CURLOPT_HTTPHEADER, x->hdrs);
	return 0;
nomem:
	return sc_error_set(SC_ENOMEM, "out of memory");
}

void sc_http_perform(sc_http *x)
{
	x->cc = curl_easy_perform(x->c);
	curl_easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, &x->h.status);
	if (x->cc == CURLE_WRITE_ERROR && x->err_cut)
		x->cc = CURLE_OK; /* the status and the start of the error body are all we wanted */
}

void sc_http_release(sc_http *x)
{
	struct curl_slist *l;

	if (x->c)
		curl_easy_cleanup(x->c);
	for (l = x->hdrs; l; l = l->next)
		if (strncasecmp(l->data, "Authorization:", 14) == 0)
			OPENSSL_cleanse(l->data, strlen(l->data));
	curl_slist_free_all(x->hdrs);
	sc_http_headers_release(&x->h);
	sc_buf_release(&x->err);
	memset(x, 0, sizeof(*x));
}

int sc_http_cc_retryable(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_AGAIN:
		return 1;
	default:
		return 0;
	}
}

/* ------------------------------------------------------------------ */
/* URLs                                                               */
/* ------------------------------------------------------------------ */

int sc_http_url_resolve(const char *base, const char *ref, char **out)
{
	CURLU *u;
	char *s = NULL;
	int rc = 0;

	if ((rc = sc_http_global_init()) != 0)
		return rc;
	if (strlen(ref) > SC_HTTP_URL_MAX)
		return sc_error_set(SC_ELIMIT, "URL longer than %d bytes", SC_HTTP_URL_MAX);
	for (const char *p = ref; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return sc_error_set(SC_EINPUT, "URL with a space, control or non-ASCII character");
	if (!(u = curl_url()))
		return sc_error_set(SC_ENOMEM, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_URL, ref, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK) {
		rc = sc_error_set(SC_EINPUT, "malformed URL '%.200s'", ref);
		goto out;
	}
	if (sc_http_url_is_https(s) < 0) {
		rc = sc_error_set(SC_EINPUT, "URL '%.200s' is not http or https", ref);
		goto out;
	}
	if (!(*out = sc_strdup(s)))
		rc = SC_ENOMEM;
out:
	curl_free(s);
	curl_url_cleanup(u);
	return rc;
}

static int url_parts(const char *url, char **scheme, char **host, char **port)
{
	CURLU *u = curl_url();
	int ok;

	*scheme = *host = *port = NULL;
	if (!u)
		return -1;
	ok = curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	     curl_url_get(u, CURLUPART_SCHEME, scheme, 0) == CURLUE_OK &&
	     curl_url_get(u, CURLUPART_HOST, host, 0) == CURLUE_OK &&
	     curl_url_get(u, CURLUPART_PORT, port, CURLU_DEFAULT_PORT) == CURLUE_OK;
	curl_url_cleanup(u);
	return ok ? 0 : -1;
}

int sc_http_same_origin(const char *a, const char *b)
{
	char *s1, *h1, *p1, *s2, *h2, *p2;
	int same = 0;

	if (sc_http_global_init() != 0)
		return 0;
	if (url_parts(a, &s1, &h1, &p1) == 0 && url_parts(b, &s2, &h2, &p2) == 0)
		same = strcasecmp(s1, s2) == 0 && strcasecmp(h1, h2) == 0 && strcmp(p1, p2) == 0;
	else
		url_parts(b, &s2, &h2, &p2);
	curl_free(s1);
	curl_free(h1);
	curl_free(p1);
	curl_free(s2);
	curl_free(h2);
	curl_free(p2);
	return same;
}

int sc_http_url_is_https(const char *url)
{
	if (strncasecmp(url, "https://", 8) == 0)
		return 1;
	if (strncasecmp(url, "http://", 7) == 0)
		return 0;
	return -1;
}

char *sc_http_query_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s), i, o = 0, cap;
	char *out;

	if (sc_mul_overflow(n, 3, &cap) || sc_add_overflow(cap, 1, &cap)) {
		sc_error_set(SC_ELIMIT, "query value too long");
		return NULL;
	}
	if (!(out = sc_malloc(cap)))
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return out;
}

/* ------------------------------------------------------------------ */
/* Link and Retry-After                                               */
/* ------------------------------------------------------------------ */

static const char *ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static int link_tchar(unsigned char c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Does a rel value (space-separated relation types) contain "next"? */
static int rel_has_next(const char *v, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t s;

		while (i < n && v[i] == ' ')
			i++;
		s = i;
		while (i < n && v[i] != ' ')
			i++;
		if (i - s == 4 && strncasecmp(v + s, "next", 4) == 0)
			return 1;
	}
	return 0;
}

int sc_http_link_next(const char *value, char **out)
{
	const char *p = value;

	*out = NULL;
	if (strlen(value) > SC_HTTP_HEADER_MAX)
		return sc_error_set(SC_ELIMIT, "Link header longer than %d bytes", SC_HTTP_HEADER_MAX);
	for (;;) {
		const char *u, *ue;
		int is_next = 0;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			return 0;
		if (*p != '<')
			return sc_error_set(SC_EINPUT, "Link header: expected '<'");
		u = ++p;
		while (*p && *p != '>') {
			if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
				return sc_error_set(SC_EINPUT, "Link header: bad character in a URI");
			p++;
		}
		if (*p != '>')
			return sc_error_set(SC_EINPUT, "Link header: unterminated '<'");
		ue = p++;
		/* link-params */
		for (;;) {
			const char *n, *v;
			size_t nl, vl;

			p = ows(p);
			if (*p != ';')
				break;
			p = ows(p + 1);
			n = p;
			while (link_tchar((unsigned char)*p))
				p++;
			nl = (size_t)(p - n);
			if (nl == 0)
				return sc_error_set(SC_EINPUT, "Link header: expected a parameter name");
			p = ows(p);
			v = NULL;
			vl = 0;
			if (*p == '=') {
				p = ows(p + 1);
				if (*p == '"') {
					v = ++p;
					while (*p && *p != '"') {
						if (*p == '\\' && p[1])
							p++;
						p++;
					}
					if (*p != '"')
						return sc_error_set(SC_EINPUT, "Link header: unterminated quoted string");
					vl = (size_t)(p - v);
					p++;
				} else {
					v = p;
					while (link_tchar((unsigned char)*p))
						p++;
					vl = (size_t)(p - v);
				}
			}
			if (nl == 3 && strncasecmp(n, "rel", 3) == 0 && v && rel_has_next(v, vl))
				is_next = 1;
		}
		p = ows(p);
		if (*p && *p != ',')
			return sc_error_set(SC_EINPUT, "Link header: junk after a link");
		if (is_next) {
			if (!(*out = sc_strndup(u, (size_t)(ue - u))))
				return SC_ENOMEM;
			return 0;
		}
	}
}

long sc_http_retry_after(const char *v)
{
	long s = 0;
	const char *p;

	if (!v || !*v)
		return -1;
	if (*v >= '0' && *v <= '9') {
		for (p = v; *p; p++) {
			if (*p < '0' || *p > '9')
				return -1;
			if (s > 1000000)
				return 1000000;
			s = s * 10 + (*p - '0');
		}
		return s;
	}
	{
		/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
		time_t t = curl_getdate(v, NULL), now = time(NULL);

		if (t < 0)
			return -1;
		return t > now ? (long)(t - now > 1000000 ? 1000000 : t - now) : 0;
	}
}
