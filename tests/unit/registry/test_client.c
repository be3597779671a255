/*
 * test_client.c - the registry client, the docker:// source and the
 * docker:// destination against a real CNCF distribution registry
 * (/usr/bin/docker-registry, Debian package docker-registry) started on a
 * free loopback port in a temp dir: plain http (reached through the
 * loopback https->http fallback) and htpasswd Basic auth.  Skipped with a
 * message when the binary (or htpasswd) is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/digest.h"
#include "core/error.h"
#include "image/dest.h"
#include "image/source.h"
#include "registry/client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#define REGISTRY_BIN "/usr/bin/docker-registry"

typedef struct reg {
	pid_t pid;
	int port;
	char host[64];
} reg;

static char tmpdir[64];
static reg plain, basic;
static int have_registry;

static int free_port(void)
{
	struct sockaddr_in a = { 0 };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), p;

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &al);
	p = ntohs(a.sin_port);
	close(fd);
	return p;
}

static int port_open(int port)
{
	struct sockaddr_in a = { 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

static int start(reg *g, const char *name, const char *auth_yaml)
{
	char cfg[256], data[256];
	FILE *f;
	int i;

	g->port = free_port();
	snprintf(g->host, sizeof(g->host), "127.0.0.1:%d", g->port);
	snprintf(cfg, sizeof(cfg), "%s/%s.yml", tmpdir, name);
	snprintf(data, sizeof(data), "%s/%s-data", tmpdir, name);
	if (!(f = fopen(cfg, "w")))
		return -1;
	fprintf(f,
		"version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"
		"storage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n"
		"http:\n  addr: 127.0.0.1:%d\n%s",
		data, g->port, auth_yaml ? auth_yaml : "");
	fclose(f);
	g->pid = fork();
	if (g->pid == 0) {
		int dn = open("/dev/null", 1);

		dup2(dn, 1);
		dup2(dn, 2);
		execl(REGISTRY_BIN, REGISTRY_BIN, "serve", cfg, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {
		if (port_open(g->port))
			return 0;
		usleep(25000);
	}
	return -1;
}

static void stop(reg *g)
{
	if (g->pid > 0) {
		kill(g->pid, SIGTERM);
		waitpid(g->pid, NULL, 0);
		g->pid = 0;
	}
}

static int setup(void **state)
{
	char cmd[512], auth[512];

	(void)state;
	if (access(REGISTRY_BIN, X_OK) != 0 || access("/usr/bin/htpasswd", X_OK) != 0) {
		fprintf(stderr, "SKIP: %s or /usr/bin/htpasswd is not installed (Debian docker-registry, apache2-utils)\n",
			REGISTRY_BIN);
		return 0;
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/scute-test-client-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(cmd, sizeof(cmd), "htpasswd -Bbn user pass > %s/htpasswd", tmpdir);
	if (system(cmd) != 0)
		return -1;
	snprintf(auth, sizeof(auth), "auth:\n  htpasswd:\n    realm: test\n    path: %s/htpasswd\n", tmpdir);
	if (start(&plain, "plain", NULL) != 0 || start(&basic, "basic", auth) != 0)
		return -1;
	/* No auth files from the environment. */
	unsetenv("REGISTRY_AUTH_FILE");
	setenv("XDG_RUNTIME_DIR", tmpdir, 1);
	setenv("HOME", tmpdir, 1);
	have_registry = 1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[200];

	(void)state;
	stop(&plain);
	stop(&basic);
	if (tmpdir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

#define NEED_REGISTRY()                         \
	do {                                    \
		if (!have_registry)             \
			skip();                 \
	} while (0)

static sc_registry *client(const reg *g, const char *creds, uint64_t chunk)
{
	sc_registry_opts o;
	sc_registry *r = NULL;

	sc_registry_opts_init(&o);
	o.creds = creds;
	o.chunk_size = chunk;
	o.retries = 1;
	if (sc_registry_new(&r, g->host, &o) != 0)
		fail_msg("%s", sc_error_msg());
	return r;
}

typedef struct memblob {
	const void *data;
	size_t len;
	int opens;
} memblob;

static int open_mem(void *ud, sc_stream **out)
{
	memblob *m = ud;

	m->opens++;
	return sc_stream_mem_new(out, m->data, m->len);
}

static void push(sc_registry *r, const char *repo, const void *data, size_t len, sc_digest *d)
{
	memblob m = { data, len, 0 };
	uint64_t sent = 0;

	sc_sha256_buf(d, data, len);
	if (sc_registry_push_blob(r, repo, d, len, open_mem, &m, &sent) != 0)
		fail_msg("push: %s", sc_error_msg());
	assert_int_equal(sent, len);
}

static void pull(sc_registry *r, const char *repo, const sc_digest *d, const void *want, size_t len)
{
	sc_stream *s = NULL;
	sc_buf b;

	sc_buf_init(&b, 64 << 20, "blob");
	if (sc_registry_open_blob(r, repo, d, len, &s) != 0)
		fail_msg("open: %s", sc_error_msg());
	if (sc_stream_read_all(s, &b, 64 << 20, "blob") != 0)
		fail_msg("read: %s", sc_error_msg());
	sc_stream_close(s);
	assert_int_equal(b.len, len);
	assert_memory_equal(b.data, want, len);
	sc_buf_release(&b);
}

static unsigned char *pattern(size_t n, unsigned seed)
{
	unsigned char *p = malloc(n);
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)((i * 131 + seed) ^ (i >> 9));
	return p;
}

static void test_blobs(void **state)
{
	sc_registry *r, *rc;
	unsigned char *big = pattern(3u << 20, 1), *small = pattern(1000, 2);
	sc_digest d1, d2, none;
	sc_stream *s = NULL;
	sc_buf b;
	uint64_t size = 0;
	int ex = -1, mounted = -1;
	char buf[4096];
	ssize_t n;

	(void)state;
	NEED_REGISTRY();
	r = client(&plain, NULL, 0);
	push(r, "team/a", big, 3u << 20, &d1);
	assert_int_equal(sc_registry_blob_exists(r, "team/a", &d1, &ex, &size), 0);
	assert_int_equal(ex, 1);
	assert_int_equal(size, 3u << 20);
	pull(r, "team/a", &d1, big, 3u << 20);
	/* chunked upload */
	rc = client(&plain, NULL, 100000);
	push(rc, "team/c", big, 3u << 20, &d1);
	pull(rc, "team/c", &d1, big, 3u << 20);
	push(rc, "team/c", "", 0, &d2);
	sc_registry_free(rc);
	/* absent blob */
	memset(&none, 0, sizeof(none));
	none.set = 1;
	assert_int_equal(sc_registry_blob_exists(r, "team/a", &none, &ex, NULL), 0);
	assert_int_equal(ex, 0);
	assert_int_equal(sc_registry_open_blob(r, "team/a", &none, 5, &s), 0);
	n = sc_stream_read(s, buf, sizeof(buf));
	assert_int_equal(n, SC_ENOTFOUND);
	assert_non_null(strstr(sc_error_msg(), "team/a"));
	sc_stream_close(s);
	/* a size that does not match: the verifier fails at the end */
	push(r, "team/a", small, 1000, &d2);
	assert_int_equal(sc_registry_open_blob(r, "team/a", &d2, 999, &s), 0);
	sc_buf_init(&b, 1 << 20, "blob");
	assert_int_equal(sc_stream_read_all(s, &b, 1 << 20, "blob"), SC_EDIGEST);
	sc_stream_close(s);
	sc_buf_release(&b);
	/* cross-repository mount */
	assert_int_equal(sc_registry_mount_blob(r, "team/b", "team/a", &d1, &mounted), 0);
	assert_int_equal(mounted, 1);
	assert_int_equal(sc_registry_mount_blob(r, "team/b", "team/a", &none, &mounted), 0);
	assert_int_equal(mounted, 0);
	pull(r, "team/b", &d1, big, 3u << 20);
	{
		sc_registry_stats st;

		sc_registry_get_stats(r, &st);
		assert_int_equal(st.blobs_mounted, 1);
		assert_true(st.bytes_up >= (3u << 20) + 1000);
	}
	sc_registry_free(r);
	free(big);
	free(small);
}

static char *image(sc_registry *r, const char *repo, sc_digest *md, const char *subject)
{
	static const char cfg[] = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
	unsigned char *layer = pattern(5000, 9);
	sc_digest cd, ld;
	char c[SC_DIGEST_STRLEN], l[SC_DIGEST_STRLEN], sub[200] = "", *m = malloc(2048);

	push(r, repo, cfg, strlen(cfg), &cd);
	push(r, repo, layer, 5000, &ld);
	if (subject)
		snprintf(sub, sizeof(sub), ",\"subject\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":1}",
			 subject);
	snprintf(m, 2048,
		 "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"%s,"
		 "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\",\"size\":%zu},"
		 "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"%s\",\"size\":5000}]%s}",
		 subject ? ",\"artifactType\":\"application/vnd.test.sig\"" : "", sc_digest_fmt(&cd, c), strlen(cfg),
		 sc_digest_fmt(&ld, l), sub);
	sc_sha256_buf(md, m, strlen(m));
	free(layer);
	return m;
}

static void test_manifests_and_referrers(void **state)
{
	sc_registry *r;
	sc_digest md, got, rd;
	char dg[SC_DIGEST_STRLEN], *m, *sig, *mt = NULL, **tags = NULL;
	sc_buf b;
	int ex = -1, api = -1;
	size_t n = 0, i;

	(void)state;
	NEED_REGISTRY();
	r = client(&plain, NULL, 0);
	m = image(r, "app", &md, NULL);
	sc_digest_fmt(&md, dg);
	assert_int_equal(sc_registry_put_manifest(r, "app", dg, m, strlen(m), SC_MT_OCI_MANIFEST, &got), 0);
	assert_true(sc_digest_eq(&got, &md));
	assert_int_equal(sc_registry_manifest_exists(r, "app", "v1", &ex), 0);
	assert_int_equal(ex, 0);
	assert_int_equal(sc_registry_put_manifest(r, "app", "v1", m, strlen(m), SC_MT_OCI_MANIFEST, NULL), 0);
	assert_int_equal(sc_registry_manifest_exists(r, "app", "v1", &ex), 0);
	assert_int_equal(ex, 1);
	sc_buf_init(&b, 1 << 20, "m");
	assert_int_equal(sc_registry_get_manifest(r, "app", "v1", &b, &mt, &got), 0);
	assert_string_equal(mt, SC_MT_OCI_MANIFEST);
	assert_true(sc_digest_eq(&got, &md));
	assert_memory_equal(b.data, m, strlen(m));
	free(mt);
	mt = NULL;
	sc_buf_reset(&b);
	assert_int_equal(sc_registry_get_manifest(r, "app", dg, &b, NULL, NULL), 0);
	assert_int_equal(sc_registry_get_manifest(r, "app", "nope", &b, NULL, NULL), SC_ENOTFOUND);
	assert_non_null(strstr(sc_error_msg(), "/app: manifest nope: not found"));
	assert_int_equal(sc_registry_put_manifest(r, "app", "sha256:0000000000000000000000000000000000000000000000000000000000000000",
						  m, strlen(m), SC_MT_OCI_MANIFEST, NULL),
			 SC_EDIGEST);
	/* referrers: distribution 2.8 has no API -> tag schema; none yet -> empty index */
	sc_buf_reset(&b);
	assert_int_equal(sc_registry_referrers(r, "app", &md, NULL, &b, &api), 0);
	assert_int_equal(api, 0);
	assert_non_null(strstr(b.data, "\"manifests\":[]"));
	/* a manifest with a subject, pushed by digest, is added to the sha256-<hex> index */
	sig = image(r, "app", &rd, dg);
	sc_digest_fmt(&rd, dg);
	assert_int_equal(sc_registry_put_manifest(r, "app", dg, sig, strlen(sig), SC_MT_OCI_MANIFEST, NULL), 0);
	assert_int_equal(sc_registry_put_manifest(r, "app", dg, sig, strlen(sig), SC_MT_OCI_MANIFEST, NULL), 0);
	sc_buf_reset(&b);
	assert_int_equal(sc_registry_referrers(r, "app", &md, NULL, &b, &api), 0);
	assert_non_null(strstr(b.data, dg));
	assert_non_null(strstr(b.data, "application/vnd.test.sig"));
	assert_null(strstr(strstr(b.data, dg) + 1, dg)); /* listed once */
	sc_buf_reset(&b);
	assert_int_equal(sc_registry_referrers(r, "app", &md, "application/other", &b, &api), 0);
	assert_null(strstr(b.data, dg));
	/* tags */
	assert_int_equal(sc_registry_list_tags(r, "app", &tags, &n), 0);
	assert_int_equal(n, 2); /* v1 and sha256-<hex> */
	for (i = 0; i < n; i++)
		free(tags[i]);
	free(tags);
	assert_int_equal(sc_registry_list_tags(r, "nothere", &tags, &n), SC_ENOTFOUND);
	sc_buf_release(&b);
	free(m);
	free(sig);
	sc_registry_free(r);
}

static void test_basic_auth(void **state)
{
	sc_registry *r;
	sc_digest d;
	int ex = -1;

	(void)state;
	NEED_REGISTRY();
	r = client(&basic, "user:pass", 0);
	push(r, "sec/app", "hello", 5, &d);
	pull(r, "sec/app", &d, "hello", 5);
	sc_registry_free(r);
	r = client(&basic, NULL, 0);
	assert_int_equal(sc_registry_blob_exists(r, "sec/app", &d, &ex, NULL), SC_EAUTH);
	assert_non_null(strstr(sc_error_msg(), "no credentials"));
	sc_registry_free(r);
	r = client(&basic, "user:wrongpassword", 0);
	assert_int_equal(sc_registry_blob_exists(r, "sec/app", &d, &ex, NULL), SC_EAUTH);
	assert_null(strstr(sc_error_msg(), "wrongpassword"));
	sc_registry_free(r);
	/* credentials from an auth file */
	{
		char p[200];
		FILE *f;

		snprintf(p, sizeof(p), "%s/containers", tmpdir);
		mkdir(p, 0700);
		snprintf(p, sizeof(p), "%s/containers/auth.json", tmpdir);
		f = fopen(p, "w");
		fprintf(f, "{\"auths\":{\"%s\":{\"auth\":\"dXNlcjpwYXNz\"}}}", basic.host); /* user:pass */
		fclose(f);
		r = client(&basic, NULL, 0);
		assert_int_equal(sc_registry_blob_exists(r, "sec/app", &d, &ex, NULL), 0);
		assert_int_equal(ex, 1);
		sc_registry_free(r);
		unlink(p);
	}
}

static void test_source_dest(void **state)
{
	sc_registry *r;
	sc_digest md;
	char dg[SC_DIGEST_STRLEN], name[200], *m, *mt = NULL;
	sc_imgref ref;
	sc_source *src = NULL;
	sc_dest *dst = NULL;
	sc_buf b;
	sc_descriptor desc = { 0 };
	sc_manifest man;
	size_t i;
	int present = -1;

	(void)state;
	NEED_REGISTRY();
	r = client(&plain, NULL, 0);
	m = image(r, "src/img", &md, NULL);
	assert_int_equal(sc_registry_put_manifest(r, "src/img", "v2", m, strlen(m), SC_MT_OCI_MANIFEST, NULL), 0);
	sc_registry_free(r);

	snprintf(name, sizeof(name), "docker://%s/src/img:v2", plain.host);
	assert_int_equal(sc_imgref_parse(&ref, name), 0);
	if (sc_source_open(&src, &ref) != 0)
		fail_msg("%s", sc_error_msg());
	sc_buf_init(&b, 1 << 20, "m");
	assert_int_equal(src->ops->get_root(src, &b, &mt, &desc.digest), 0);
	assert_true(sc_digest_eq(&desc.digest, &md));
	desc.media_type = mt;
	desc.size = b.len;
	sc_buf_reset(&b);
	/* a manifest descriptor is read from /manifests/ */
	assert_int_equal(sc_source_read_blob(src, &desc, 1 << 20, &b), 0);
	assert_memory_equal(b.data, m, strlen(m));

	/* copy to another repository through the destination */
	snprintf(name, sizeof(name), "docker://%s/dst/img:copied", plain.host);
	if (sc_dest_registry_open(&dst, name, NULL) != 0)
		fail_msg("%s", sc_error_msg());
	assert_string_equal(dst->tag, "copied");
	assert_int_equal(sc_manifest_parse(&man, m, strlen(m)), 0);
	snprintf(name, sizeof(name), "%s/src/img", plain.host);
	for (i = 0; i <= man.n_layers; i++) {
		const sc_descriptor *bd = i == 0 ? &man.config : &man.layers[i - 1];
		uint64_t sent = 99;

		assert_int_equal(dst->ops->has_blob(dst, bd, &present), 0);
		assert_int_equal(present, 0);
		/* the config is mounted, the layer uploaded from the source */
		if (dst->ops->put_blob(dst, bd, src, i == 0 ? name : NULL, &sent) != 0)
			fail_msg("%s", sc_error_msg());
		assert_int_equal(sent, i == 0 ? 0 : bd->size);
		assert_int_equal(dst->ops->has_blob(dst, bd, &present), 0);
		assert_int_equal(present, 1);
	}
	assert_int_equal(dst->ops->put_manifest(dst, &desc, m, strlen(m)), 0);
	r = client(&plain, NULL, 0);
	assert_int_equal(sc_registry_manifest_exists(r, "dst/img", "copied", &present), 0);
	assert_int_equal(present, 0); /* no name before tag() */
	assert_int_equal(dst->ops->tag(dst, "copied", &desc), 0);
	assert_int_equal(dst->ops->commit(dst), 0);
	assert_int_equal(sc_registry_manifest_exists(r, "dst/img", "copied", &present), 0);
	assert_int_equal(present, 1);
	sc_buf_reset(&b);
	assert_int_equal(sc_registry_get_manifest(r, "dst/img", "copied", &b, NULL, NULL), 0);
	assert_memory_equal(b.data, m, strlen(m));
	sc_registry_free(r);
	sc_manifest_release(&man);
	dst->ops->free(dst);
	sc_source_free(src);
	sc_imgref_release(&ref);
	sc_buf_release(&b);
	free(mt);
	free(m);
	(void)sc_digest_fmt(&md, dg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blobs),
		cmocka_unit_test(test_manifests_and_referrers),
		cmocka_unit_test(test_basic_auth),
		cmocka_unit_test(test_source_dest),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
