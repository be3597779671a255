/*
 * test_store.c - sign/store.c on OCI layouts built by hand: the legacy
 * .sig/.att manifests cosign's way, appends without duplicates, referrers
 * merged into the tag-schema index, read-only refusals, and the dir:
 * transport on containers/image's real fixtures.
 */
#include "../image/layout_builder.h"
#include "core/error.h"
#include "core/json.h"
#include "sign/envelope.h"
#include "sign/store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <unistd.h>

static char layout[300], image[320];
static char img_dg[SC_DIGEST_STRLEN];

static int setup(void **state)
{
	static const size_t sizes[] = { 100 };
	char entry[512];
	size_t msize;

	(void)state;
	if (lb_mktemp("/tmp/scute-test-store-XXXXXX") != 0)
		return -1;
	snprintf(layout, sizeof(layout), "%s/lay", lb_tmpdir);
	snprintf(image, sizeof(image), "oci:%s:v1", layout);
	lb_init(layout);
	lb_image(layout, "{\"architecture\":\"amd64\",\"os\":\"linux\"}", sizes, 1, 3, "", img_dg, &msize);
	snprintf(entry, sizeof(entry),
		 "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}}",
		 img_dg, msize);
	lb_index(layout, entry);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return lb_rmtemp();
}

/* The JSON of the document tagged `tag` in the layout (via index.json). */
static json_t *tagged(const char *tag)
{
	char p[512], *s;
	json_t *ix, *m, *e, *doc = NULL;
	size_t i;

	snprintf(p, sizeof(p), "%s/index.json", layout);
	s = lb_slurp(p);
	ix = json_loads(s, 0, NULL);
	free(s);
	assert_non_null(ix);
	m = json_object_get(ix, "manifests");
	json_array_foreach(m, i, e) {
		const char *name = sc_json_str(json_object_get(e, "annotations"), "org.opencontainers.image.ref.name");

		if (name && strcmp(name, tag) == 0) {
			snprintf(p, sizeof(p), "%s/blobs/sha256/%s", layout, sc_json_str(e, "digest") + 7);
			s = lb_slurp(p);
			doc = json_loads(s, 0, NULL);
			free(s);
		}
	}
	json_decref(ix);
	return doc;
}

static void test_open_resolves_digest(void **state)
{
	sc_sigrepo *r = NULL;
	char dg[SC_DIGEST_STRLEN];

	(void)state;
	assert_int_equal(sc_sigrepo_open(&r, image, 0), 0);
	assert_string_equal(sc_digest_fmt(sc_sigrepo_digest(r), dg), img_dg);
	assert_string_equal(sc_sigrepo_identity(r), "v1");
	assert_non_null(strstr(sc_sigrepo_pinned(r), img_dg));
	/* read-only: no writes */
	{
		int added = 0;

		assert_int_equal(sc_sigrepo_append(r, "sig", SC_SIMPLESIGN_MEDIA_TYPE, "x", 1, "k", "v", &added, NULL),
				 SC_EUSAGE);
	}
	sc_sigrepo_free(r);
}

static void test_append_sig_cosign_layout(void **state)
{
	sc_sigrepo *r = NULL;
	char tag[80], hex[65];
	json_t *m, *layers, *cfgd;
	sc_sigart *a = NULL;
	size_t n = 0, nl = 0;
	int added = 0;
	sc_digest d;

	(void)state;
	sc_digest_parse(&d, img_dg);
	snprintf(tag, sizeof(tag), "sha256-%s.sig", sc_digest_hex(&d, hex));
	assert_int_equal(sc_sigrepo_open(&r, image, 1), 0);
	assert_int_equal(sc_sigrepo_append(r, "sig", SC_SIMPLESIGN_MEDIA_TYPE, "payload-1", 9,
					   SC_COSIGN_SIG_ANNOTATION, "c2lnMQ==", &added, &nl), 0);
	assert_int_equal(added, 1);
	assert_int_equal(nl, 1);
	/* the same layer again in the same session: not added */
	assert_int_equal(sc_sigrepo_append(r, "sig", SC_SIMPLESIGN_MEDIA_TYPE, "payload-1", 9,
					   SC_COSIGN_SIG_ANNOTATION, "c2lnMQ==", &added, &nl), 0);
	assert_int_equal(added, 0);
	assert_int_equal(sc_sigrepo_commit(r), 0);
	sc_sigrepo_free(r);

	/* a second session appends to what is stored */
	assert_int_equal(sc_sigrepo_open(&r, image, 1), 0);
	assert_int_equal(sc_sigrepo_append(r, "sig", SC_SIMPLESIGN_MEDIA_TYPE, "payload-1", 9,
					   SC_COSIGN_SIG_ANNOTATION, "c2lnMQ==", &added, &nl), 0);
	assert_int_equal(added, 0);
	assert_int_equal(sc_sigrepo_append(r, "sig", SC_SIMPLESIGN_MEDIA_TYPE, "payload-2", 9,
					   SC_COSIGN_SIG_ANNOTATION, "c2lnMg==", &added, &nl), 0);
	assert_int_equal(added, 1);
	assert_int_equal(nl, 2);
	assert_int_equal(sc_sigrepo_commit(r), 0);
	sc_sigrepo_free(r);

	m = tagged(tag);
	assert_non_null(m);
	assert_string_equal(sc_json_str(m, "mediaType"), "application/vnd.oci.image.manifest.v1+json");
	cfgd = json_object_get(m, "config");
	assert_string_equal(sc_json_str(cfgd, "mediaType"), "application/vnd.oci.image.config.v1+json");
	layers = json_object_get(m, "layers");
	assert_int_equal(json_array_size(layers), 2);
	assert_string_equal(sc_json_str(json_array_get(layers, 0), "mediaType"), SC_SIMPLESIGN_MEDIA_TYPE);
	assert_string_equal(sc_json_str(json_object_get(json_array_get(layers, 1), "annotations"),
					SC_COSIGN_SIG_ANNOTATION), "c2lnMg==");
	{
		/* the config lists each layer as a diff_id, as cosign's does */
		char p[512], *s;
		json_t *cfg;

		snprintf(p, sizeof(p), "%s/blobs/sha256/%s", layout, sc_json_str(cfgd, "digest") + 7);
		s = lb_slurp(p);
		cfg = json_loads(s, 0, NULL);
		free(s);
		assert_int_equal(json_array_size(json_object_get(json_object_get(cfg, "rootfs"), "diff_ids")), 2);
		assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(cfg, "rootfs"),
										     "diff_ids"), 0)),
				    sc_json_str(json_array_get(layers, 0), "digest"));
		json_decref(cfg);
	}
	json_decref(m);

	/* read back: two simple signatures with their annotations and payloads */
	assert_int_equal(sc_sigrepo_open(&r, image, 0), 0);
	assert_int_equal(sc_sigrepo_collect(r, SC_COLLECT_SIGNATURES, &a, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(a[0].kind, SC_SIGART_SIMPLESIGN);
	assert_int_equal(a[0].doc_len, 9);
	assert_memory_equal(a[0].doc, "payload-1", 9);
	assert_string_equal(a[1].signature_b64, "c2lnMg==");
	assert_non_null(strstr(a[1].where, ".sig[1]"));
	sc_sigarts_free(a, n);
	/* the image itself is still tagged v1 */
	json_decref(tagged("v1"));
	sc_sigrepo_free(r);
}

static void test_tampered_layer_is_broken(void **state)
{
	sc_sigrepo *r = NULL;
	sc_sigart *a = NULL;
	size_t n = 0, i;
	int added = 0;
	char p[512];

	(void)state;
	assert_int_equal(sc_sigrepo_open(&r, image, 1), 0);
	assert_int_equal(sc_sigrepo_append(r, "att", SC_DSSE_MEDIA_TYPE, "{\"envelope\":1}", 14,
					   "predicateType", "https://example.com/p", &added, NULL), 0);
	assert_int_equal(sc_sigrepo_commit(r), 0);
	sc_sigrepo_free(r);
	{
		sc_digest d;
		char hex[65];

		sc_sha256_buf(&d, "{\"envelope\":1}", 14);
		snprintf(p, sizeof(p), "%s/blobs/sha256/%s", layout, sc_digest_hex(&d, hex));
		lb_write(p, "{\"envelope\":2}", 14); /* same size, other bytes */
	}
	assert_int_equal(sc_sigrepo_open(&r, image, 0), 0);
	assert_int_equal(sc_sigrepo_collect(r, SC_COLLECT_ATTESTATIONS, &a, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(a[0].kind, SC_SIGART_BROKEN);
	assert_non_null(a[0].error);
	assert_non_null(strstr(a[0].error, "sha256:"));
	for (i = 0; i < n; i++)
		assert_non_null(a[i].where);
	sc_sigarts_free(a, n);
	sc_sigrepo_free(r);
}

static void test_referrers_merged(void **state)
{
	sc_sigrepo *r = NULL;
	sc_sigart *a = NULL;
	size_t n = 0, i, bundles = 0;
	char tag[80], hex[65];
	sc_digest d, r1, r2;
	json_t *ix, *ann;
	sc_sigblob b1[2] = { { "application/vnd.dev.sigstore.bundle.v0.3+json", "{\"b\":1}", 7 },
			     { SC_SIMPLESIGN_MEDIA_TYPE, "payload", 7 } };
	sc_sigblob b2[1] = { { "application/vnd.dev.sigstore.bundle.v0.3+json", "{\"b\":2}", 7 } };

	(void)state;
	sc_digest_parse(&d, img_dg);
	snprintf(tag, sizeof(tag), "sha256-%s", sc_digest_hex(&d, hex));
	ann = json_pack("{s:s}", "dev.sigstore.bundle.content", "message-signature");
	assert_int_equal(sc_sigrepo_open(&r, image, 1), 0);
	assert_int_equal(sc_sigrepo_push_referrer(r, "application/vnd.dev.sigstore.bundle.v0.3+json", b1, 2, ann, &r1), 0);
	assert_int_equal(sc_sigrepo_commit(r), 0);
	sc_sigrepo_free(r);
	/* a second session: merged with the first, not replacing it */
	assert_int_equal(sc_sigrepo_open(&r, image, 1), 0);
	assert_int_equal(sc_sigrepo_push_referrer(r, "application/vnd.dev.sigstore.bundle.v0.3+json", b2, 1, NULL, &r2), 0);
	assert_int_equal(sc_sigrepo_commit(r), 0);
	sc_sigrepo_free(r);
	json_decref(ann);

	ix = tagged(tag);
	assert_non_null(ix);
	assert_int_equal(json_array_size(json_object_get(ix, "manifests")), 2);
	json_decref(ix);

	assert_int_equal(sc_sigrepo_open(&r, image, 0), 0);
	assert_int_equal(sc_sigrepo_collect(r, SC_COLLECT_SIGNATURES, &a, &n), 0);
	for (i = 0; i < n; i++) {
		if (a[i].kind != SC_SIGART_BUNDLE)
			continue;
		bundles++;
		if (a[i].doc_len == 7 && memcmp(a[i].doc, "{\"b\":1}", 7) == 0) {
			assert_int_equal(a[i].payload_len, 7);
			assert_memory_equal(a[i].payload, "payload", 7);
		}
	}
	assert_int_equal(bundles, 2);
	sc_sigarts_free(a, n);
	sc_sigrepo_free(r);
}

static void test_refusals(void **state)
{
	sc_sigrepo *r = NULL;
	char p[400];

	(void)state;
	snprintf(p, sizeof(p), "dir:%s", layout);
	assert_int_equal(sc_sigrepo_open(&r, p, 1), SC_EUSAGE);
	snprintf(p, sizeof(p), "oci-archive:%s/x.tar", lb_tmpdir);
	assert_int_equal(sc_sigrepo_open(&r, p, 1), SC_EUSAGE);
	snprintf(p, sizeof(p), "dir:%s/missing", lb_tmpdir);
	assert_int_equal(sc_sigrepo_open(&r, p, 0), SC_ENOTFOUND);
	assert_null(r);
}

/* A hostile .sig manifest with more layers than are read: the first ones are returned, and it says so. */
static void test_artifact_limit(void **state)
{
	static const size_t sizes[] = { 10 };
	char dir[400], img[420], entry[1024], dg[SC_DIGEST_STRLEN], bd[SC_DIGEST_STRLEN], md[SC_DIGEST_STRLEN], hex[65];
	size_t msize, i, n = 0, cap = (SC_SIGSTORE_MAX_ARTIFACTS + 10) * 220 + 512, o;
	char *m = malloc(cap);
	sc_sigrepo *r = NULL;
	sc_sigart *a = NULL;
	sc_digest d;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/many", lb_tmpdir);
	snprintf(img, sizeof(img), "oci:%s:v1", dir);
	lb_init(dir);
	lb_image(dir, "{\"os\":\"linux\"}", sizes, 1, 9, "", dg, &msize);
	lb_blob_str(dir, "payload!", bd);
	o = (size_t)snprintf(m, cap, "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
				     "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
				     "\"digest\":\"%s\",\"size\":8},\"layers\":[", bd);
	for (i = 0; i < SC_SIGSTORE_MAX_ARTIFACTS + 5; i++)
		o += (size_t)snprintf(m + o, cap - o, "%s{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":8,"
				      "\"annotations\":{\"%s\":\"c2ln\"}}", i ? "," : "", SC_SIMPLESIGN_MEDIA_TYPE, bd,
				      SC_COSIGN_SIG_ANNOTATION);
	snprintf(m + o, cap - o, "]}");
	lb_blob_str(dir, m, md);
	sc_digest_parse(&d, dg);
	snprintf(entry, sizeof(entry),
		 "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}},"
		 "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"annotations\":{\"org.opencontainers.image.ref.name\":\"sha256-%s.sig\"}}",
		 dg, msize, md, strlen(m), sc_digest_hex(&d, hex));
	lb_index(dir, entry);
	free(m);
	assert_int_equal(sc_sigrepo_open(&r, img, 0), 0);
	assert_int_equal(sc_sigrepo_collect(r, SC_COLLECT_SIGNATURES, &a, &n), 0);
	assert_int_equal(n, SC_SIGSTORE_MAX_ARTIFACTS);
	assert_int_equal(sc_sigrepo_truncated(r), 1);
	assert_int_equal(a[n - 1].kind, SC_SIGART_SIMPLESIGN);
	sc_sigarts_free(a, n);
	sc_sigrepo_free(r);
}

static void test_dir_fixtures(void **state)
{
	const char *root = getenv("SCUTE_SOURCE_ROOT");
	char p[1024];
	sc_sigrepo *r = NULL;
	sc_sigart *a = NULL;
	size_t n = 0;
	char dg[SC_DIGEST_STRLEN];

	(void)state;
	snprintf(p, sizeof(p), "%s/../shared/data/sigstore/ci-dir-img-cosign-valid-2", root ? root : ".");
	if (access(p, R_OK) != 0) {
		skip(); /* ../shared/data/sigstore is not present */
		return;
	}
	snprintf(p, sizeof(p), "dir:%s/../shared/data/sigstore/ci-dir-img-cosign-valid-2", root ? root : ".");
	assert_int_equal(sc_sigrepo_open(&r, p, 0), 0);
	assert_string_equal(sc_digest_fmt(sc_sigrepo_digest(r), dg),
			    "sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00");
	assert_int_equal(sc_sigrepo_collect(r, SC_COLLECT_SIGNATURES, &a, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(a[0].kind, SC_SIGART_SIMPLESIGN);
	assert_non_null(a[0].signature_b64);
	assert_non_null(strstr((const char *)a[0].doc, "cosign container image signature"));
	assert_string_equal(a[1].where, "signature-2");
	sc_sigarts_free(a, n);
	/* dir: holds no attestations */
	assert_int_equal(sc_sigrepo_collect(r, SC_COLLECT_ATTESTATIONS, &a, &n), 0);
	assert_int_equal(n, 0);
	sc_sigarts_free(a, n);
	sc_sigrepo_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_resolves_digest),
		cmocka_unit_test(test_append_sig_cosign_layout),
		cmocka_unit_test(test_tampered_layer_is_broken),
		cmocka_unit_test(test_referrers_merged),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_artifact_limit),
		cmocka_unit_test(test_dir_fixtures),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
