/*
 * test_http.c - the HTTP layer (src/registry/http.c: Link, Retry-After,
 * URL resolution) and the client's transport behaviour against a scripted
 * loopback HTTP/1.1 server: Authorization is dropped on a redirect to
 * another host, a body cut mid-way is resumed with Range (206, and a 200
 * that ignores the range), 503 + Retry-After is retried, tag lists follow
 * Link pagination.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/digest.h"
#include "core/error.h"
#include "registry/client.h"
#include "registry/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static void test_link(void **state)
{
	char *n = NULL;

	(void)state;
	assert_int_equal(sc_http_link_next("</v2/a/tags/list?n=2&last=b>; rel=\"next\"", &n), 0);
	assert_string_equal(n, "/v2/a/tags/list?n=2&last=b");
	free(n);
	assert_int_equal(sc_http_link_next("<https://x/p>; rel=prev, <https://x/n>; title=\"a;b,c\"; rel=\"prefetch NEXT\"", &n), 0);
	assert_string_equal(n, "https://x/n");
	free(n);
	assert_int_equal(sc_http_link_next("<https://x/p>; rel=prev", &n), 0);
	assert_null(n);
	assert_int_equal(sc_http_link_next("", &n), 0);
	assert_null(n);
	assert_int_equal(sc_http_link_next("<https://x/p; rel=next", &n), SC_EINPUT);
	assert_int_equal(sc_http_link_next("https://x/p; rel=next", &n), SC_EINPUT);
	assert_int_equal(sc_http_link_next("<a b>; rel=next", &n), SC_EINPUT);
	assert_int_equal(sc_http_link_next("<a>; rel=\"next", &n), SC_EINPUT);
	assert_int_equal(sc_http_link_next("<a>; =x", &n), SC_EINPUT);
	assert_int_equal(sc_http_link_next("<a> junk", &n), SC_EINPUT);
	assert_null(n);
}

static void test_retry_after(void **state)
{
	(void)state;
	assert_int_equal(sc_http_retry_after("0"), 0);
	assert_int_equal(sc_http_retry_after("120"), 120);
	assert_int_equal(sc_http_retry_after("99999999999999"), 1000000);
	assert_int_equal(sc_http_retry_after("12a"), -1);
	assert_int_equal(sc_http_retry_after(""), -1);
	assert_int_equal(sc_http_retry_after(NULL), -1);
	assert_int_equal(sc_http_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"), 0);
	assert_int_equal(sc_http_retry_after("garbage date"), -1);
}

static void test_urls(void **state)
{
	char *u = NULL;

	(void)state;
	assert_int_equal(sc_http_url_resolve("http://h:5/v2/a/blobs/uploads/", "/v2/a/blobs/uploads/x?s=1", &u), 0);
	assert_string_equal(u, "http://h:5/v2/a/blobs/uploads/x?s=1");
	free(u);
	assert_int_equal(sc_http_url_resolve("http://h:5/v2/a/", "https://s3.example/b?sig=z", &u), 0);
	assert_string_equal(u, "https://s3.example/b?sig=z");
	free(u);
	assert_int_equal(sc_http_url_resolve("http://h:5/v2/a/", "ftp://x/y", &u), SC_EINPUT);
	assert_int_equal(sc_http_url_resolve("http://h:5/v2/a/", "/a b", &u), SC_EINPUT);
	assert_int_equal(sc_http_url_resolve("http://h:5/v2/a/", "/a\r\nX: y", &u), SC_EINPUT);
	assert_true(sc_http_same_origin("http://h:5/a", "http://H:5/b"));
	assert_false(sc_http_same_origin("http://h:5/a", "http://h:6/a"));
	assert_false(sc_http_same_origin("http://h/a", "https://h/a"));
	assert_true(sc_http_same_origin("https://h/a", "https://h:443/a"));
	assert_false(sc_http_same_origin("http://127.0.0.1:5/a", "http://localhost:5/a"));
	u = sc_http_query_escape("sha256:ab/c d");
	assert_string_equal(u, "sha256%3Aab%2Fc%20d");
	free(u);
}

/* ------------------------------------------------------------------ */
/* A scripted loopback server                                         */
/* ------------------------------------------------------------------ */

#define BLOB_LEN 100000
static unsigned char blob[BLOB_LEN];
static char blob_digest[SC_DIGEST_STRLEN];
static int srv_fd = -1, port;
static pthread_t srv_thread;
static volatile int stop;
/* What the server saw. */
static int auth_on_registry, auth_on_store, store_requests, range_requests, n503, tag_pages, referrer_pages;
static char last_range[64];
static int mode_range_ignored;

static void send_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		c += w;
		n -= (size_t)w;
	}
}

static void respond(int fd, const char *status, const char *extra, const void *body, size_t len, size_t send_len)
{
	char h[1024];
	int n = snprintf(h, sizeof(h), "HTTP/1.1 %s\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n", status, len,
			 extra ? extra : "");

	send_all(fd, h, (size_t)n);
	send_all(fd, body, send_len);
}

static void handle(int fd)
{
	char req[8192], path[2048], method[16], *hdrs;
	size_t got = 0;
	int has_auth;
	const char *rng;

	while (got < sizeof(req) - 1) {
		ssize_t k = recv(fd, req + got, sizeof(req) - 1 - got, 0);

		if (k <= 0)
			return;
		got += (size_t)k;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	if (sscanf(req, "%15s %2047s", method, path) != 2)
		return;
	hdrs = strstr(req, "\r\n");
	has_auth = hdrs && strcasestr(hdrs, "\r\nAuthorization:") != NULL;
	rng = hdrs ? strcasestr(hdrs, "\r\nRange: bytes=") : NULL;
	if (strcmp(path, "/v2/") == 0) {
		if (!has_auth)
			respond(fd, "401 Unauthorized", "WWW-Authenticate: Basic realm=\"t\"\r\n", "{}", 2, 2);
		else
			respond(fd, "200 OK", NULL, "{}", 2, 2);
		return;
	}
	if (!has_auth && strncmp(path, "/store/", 7) != 0) {
		respond(fd, "401 Unauthorized", "WWW-Authenticate: Basic realm=\"t\"\r\n", "", 0, 0);
		return;
	}
	if (strncmp(path, "/v2/r/blobs/", 12) == 0) {
		char loc[256];

		auth_on_registry = has_auth;
		/* to another origin: "localhost" is not "127.0.0.1" */
		snprintf(loc, sizeof(loc), "Location: http://localhost:%d/store/blob\r\n", port);
		respond(fd, "307 Temporary Redirect", loc, "", 0, 0);
		return;
	}
	if (strcmp(path, "/store/blob") == 0) {
		store_requests++;
		if (has_auth)
			auth_on_store = 1;
		if (!rng) {
			/* announce everything, send 40%, hang up */
			respond(fd, "200 OK", "Content-Type: application/octet-stream\r\n", blob, BLOB_LEN, 40000);
			return;
		}
		range_requests++;
		{
			unsigned long start = strtoul(rng + 15, NULL, 10);
			char extra[200];

			snprintf(last_range, sizeof(last_range), "%lu", start);
			if (mode_range_ignored || start >= BLOB_LEN) {
				respond(fd, "200 OK", NULL, blob, BLOB_LEN, BLOB_LEN);
				return;
			}
			snprintf(extra, sizeof(extra), "Content-Range: bytes %lu-%d/%d\r\n", start, BLOB_LEN - 1, BLOB_LEN);
			respond(fd, "206 Partial Content", extra, blob + start, BLOB_LEN - start, BLOB_LEN - start);
		}
		return;
	}
	if (strncmp(path, "/v2/r/manifests/", 16) == 0) {
		if (n503++ == 0) {
			respond(fd, "503 Service Unavailable", "Retry-After: 0\r\n", "", 0, 0);
			return;
		}
		respond(fd, "200 OK", "Content-Type: application/vnd.oci.image.index.v1+json\r\n",
			"{\"schemaVersion\":2,\"manifests\":[]}", 34, 34);
		return;
	}
	if (strncmp(path, "/v2/r/referrers/", 16) == 0) {
		static const char p1[] = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
					 "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
					 "\"digest\":\"sha256:1111111111111111111111111111111111111111111111111111111111111111\","
					 "\"size\":10,\"artifactType\":\"a/sig\"}]}";
		static const char p2[] = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
					 "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
					 "\"digest\":\"sha256:2222222222222222222222222222222222222222222222222222222222222222\","
					 "\"size\":20,\"artifactType\":\"a/att\"}]}";

		referrer_pages++;
		if (!strstr(path, "page=2"))
			respond(fd, "200 OK", "Link: <?page=2>; rel=\"next\"\r\n", p1, sizeof(p1) - 1, sizeof(p1) - 1);
		else
			respond(fd, "200 OK", NULL, p2, sizeof(p2) - 1, sizeof(p2) - 1);
		return;
	}
	if (strncmp(path, "/v2/r/tags/list", 15) == 0) {
		tag_pages++;
		if (!strstr(path, "last="))
			respond(fd, "200 OK", "Link: </v2/r/tags/list?n=1000&last=b>; rel=\"next\"\r\n",
				"{\"name\":\"r\",\"tags\":[\"a\",\"b\"]}", 29, 29);
		else
			respond(fd, "200 OK", NULL, "{\"name\":\"r\",\"tags\":[\"c\"]}", 25, 25);
		return;
	}
	respond(fd, "404 Not Found", NULL, "", 0, 0);
}

static void *serve(void *arg)
{
	(void)arg;
	while (!stop) {
		int c = accept(srv_fd, NULL, NULL);

		if (c < 0)
			continue;
		handle(c);
		shutdown(c, SHUT_WR);
		close(c);
	}
	return NULL;
}

static int setup(void **state)
{
	struct sockaddr_in a = { 0 };
	socklen_t al = sizeof(a);
	sc_digest d;
	int one = 1;
	size_t i;

	(void)state;
	for (i = 0; i < BLOB_LEN; i++)
		blob[i] = (unsigned char)(i * 7 + i / 251);
	sc_sha256_buf(&d, blob, BLOB_LEN);
	sc_digest_fmt(&d, blob_digest);
	srv_fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(srv_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(srv_fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(srv_fd, 16) != 0)
		return -1;
	getsockname(srv_fd, (struct sockaddr *)&a, &al);
	port = ntohs(a.sin_port);
	return pthread_create(&srv_thread, NULL, serve, NULL);
}

static int teardown(void **state)
{
	int c;
	struct sockaddr_in a = { 0 };

	(void)state;
	stop = 1;
	/* wake accept() */
	c = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	connect(c, (struct sockaddr *)&a, sizeof(a));
	close(c);
	pthread_join(srv_thread, NULL);
	close(srv_fd);
	return 0;
}

static sc_registry *client(void)
{
	sc_registry_opts o;
	sc_registry *r = NULL;
	char host[64];

	sc_registry_opts_init(&o);
	o.plain_http = 1;
	o.creds = "user:secret";
	o.retries = 3;
	snprintf(host, sizeof(host), "127.0.0.1:%d", port);
	if (sc_registry_new(&r, host, &o) != 0)
		fail_msg("%s", sc_error_msg());
	return r;
}

static void read_blob(sc_registry *r)
{
	sc_digest d;
	sc_stream *s = NULL;
	static unsigned char buf[BLOB_LEN + 10];
	ssize_t n;

	sc_digest_parse(&d, blob_digest);
	if (sc_registry_open_blob(r, "r", &d, BLOB_LEN, &s) != 0)
		fail_msg("%s", sc_error_msg());
	n = sc_stream_read_full(s, buf, sizeof(buf));
	if (n != BLOB_LEN)
		fail_msg("read %zd: %s", n, sc_error_msg());
	assert_memory_equal(buf, blob, BLOB_LEN);
	sc_stream_close(s);
}

static void test_redirect_and_resume(void **state)
{
	sc_registry *r = client();
	sc_registry_stats st;

	(void)state;
	read_blob(r);
	assert_true(auth_on_registry);   /* the registry got the credentials */
	assert_false(auth_on_store);     /* the other origin did not */
	assert_int_equal(store_requests, 2);
	assert_int_equal(range_requests, 1);
	assert_string_equal(last_range, "40000");
	sc_registry_get_stats(r, &st);
	assert_true(st.retries >= 1);
	assert_int_equal(st.bytes_down, BLOB_LEN);

	/* a server that ignores Range: the first bytes are dropped, not hashed twice */
	mode_range_ignored = 1;
	read_blob(r);
	mode_range_ignored = 0;
	assert_false(auth_on_store);
	sc_registry_free(r);
}

static void test_retry_and_pages(void **state)
{
	sc_registry *r = client();
	sc_buf b;
	char **tags = NULL, *mt = NULL;
	size_t n = 0, i;

	(void)state;
	sc_buf_init(&b, 1 << 20, "m");
	if (sc_registry_get_manifest(r, "r", "v1", &b, &mt, NULL) != 0)
		fail_msg("%s", sc_error_msg());
	assert_int_equal(n503, 2);
	assert_string_equal(mt, "application/vnd.oci.image.index.v1+json");
	free(mt);
	sc_buf_release(&b);
	if (sc_registry_list_tags(r, "r", &tags, &n) != 0)
		fail_msg("%s", sc_error_msg());
	assert_int_equal(n, 3);
	assert_int_equal(tag_pages, 2);
	assert_string_equal(tags[2], "c");
	assert_null(tags[3]);
	for (i = 0; i < n; i++)
		free(tags[i]);
	free(tags);
	/* referrers: both pages merged into one index, artifactType filtered here */
	{
		sc_digest d;
		int api = 0;

		memset(&d, 0x33, sizeof(d));
		d.set = 1;
		sc_buf_init(&b, 1 << 20, "referrers");
		if (sc_registry_referrers(r, "r", &d, NULL, &b, &api) != 0)
			fail_msg("%s", sc_error_msg());
		assert_int_equal(api, 1);
		assert_int_equal(referrer_pages, 2);
		assert_non_null(strstr(b.data, "sha256:1111"));
		assert_non_null(strstr(b.data, "sha256:2222"));
		sc_buf_release(&b);
		sc_buf_init(&b, 1 << 20, "referrers");
		if (sc_registry_referrers(r, "r", &d, "a/att", &b, &api) != 0)
			fail_msg("%s", sc_error_msg());
		assert_null(strstr(b.data, "sha256:1111"));
		assert_non_null(strstr(b.data, "sha256:2222"));
		sc_buf_release(&b);
	}
	/* messages never carry the credentials */
	assert_int_equal(sc_registry_manifest_exists(r, "other", "v1", (int[]){ 0 }), 0);
	assert_null(strstr(sc_error_msg(), "secret"));
	sc_registry_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_redirect_and_resume),
		cmocka_unit_test(test_retry_and_pages),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
