/*
 * test_manifest.c - OCI/Docker index, manifest and config parsing, media
 * types and platform selection (src/image/manifest.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "core/json.h"
#include "image/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define H1 "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b"
#define H2 "d4735e3a265e16eee03f59718b9b5d03019c07d8b6c51f90da3a666eec13ab35"
#define H3 "4e07408562bedb8b60ce05c1decfe3ad16b72230967de01f640b7e4729b49fce"
#define H4 "4b227777d4dd1fc61c6f884f48641d02b4d121d3fd328cb08b5531fcacdabf8a"
#define H5 "ef2d127de37b942baad06145e54b0c619a1f22327b2ebbcfbec78f5564afe39d"
#define D1 "sha256:" H1
#define D2 "sha256:" H2
#define D3 "sha256:" H3
#define D4 "sha256:" H4
#define D5 "sha256:" H5

/* ---- helpers ---- */

static int index_s(sc_index *ix, const char *s)
{
	return sc_index_parse(ix, s, strlen(s));
}

static int manifest_s(sc_manifest *m, const char *s)
{
	return sc_manifest_parse(m, s, strlen(s));
}

static int config_s(sc_config *c, const char *s)
{
	return sc_config_parse(c, s, strlen(s));
}

static int detect_s(sc_doc_kind *k, const char *s, const char *media_type)
{
	return sc_doc_detect(k, s, strlen(s), media_type);
}

static void assert_msg(const char *needle)
{
	if (!strstr(sc_error_msg(), needle))
		fail_msg("error message '%s' lacks '%s'", sc_error_msg(), needle);
}

static void assert_digest(const sc_digest *d, const char *s)
{
	char buf[SC_DIGEST_STRLEN];

	assert_string_equal(sc_digest_fmt(d, buf), s);
}

/* Expect parsing `s` to fail with `code` and a message containing `needle`, out untouched. */
static void expect_index_fail(const char *s, int code, const char *needle)
{
	sc_index ix;

	memset(&ix, 0xa5, sizeof(ix));
	sc_error_clear();
	assert_int_equal(index_s(&ix, s), code);
	assert_int_equal(sc_error_code(), code);
	if (needle)
		assert_msg(needle);
	/* out-param untouched */
	{
		unsigned char *p = (unsigned char *)&ix;
		size_t i;

		for (i = 0; i < sizeof(ix); i++)
			assert_int_equal(p[i], 0xa5);
	}
}

static void expect_manifest_fail(const char *s, int code, const char *needle)
{
	sc_manifest m;
	unsigned char *p = (unsigned char *)&m;
	size_t i;

	memset(&m, 0x5a, sizeof(m));
	sc_error_clear();
	assert_int_equal(manifest_s(&m, s), code);
	assert_int_equal(sc_error_code(), code);
	if (needle)
		assert_msg(needle);
	for (i = 0; i < sizeof(m); i++)
		assert_int_equal(p[i], 0x5a);
}

static void expect_config_fail(const char *s, int code, const char *needle)
{
	sc_config c;
	unsigned char *p = (unsigned char *)&c;
	size_t i;

	memset(&c, 0x3c, sizeof(c));
	sc_error_clear();
	assert_int_equal(config_s(&c, s), code);
	assert_int_equal(sc_error_code(), code);
	if (needle)
		assert_msg(needle);
	for (i = 0; i < sizeof(c); i++)
		assert_int_equal(p[i], 0x3c);
}

/* ---- documents ---- */

/* docker buildx output: two platforms plus their attestation manifests. */
static const char OCI_INDEX[] =
	"{\n"
	"  \"schemaVersion\": 2,\n"
	"  \"mediaType\": \"application/vnd.oci.image.index.v1+json\",\n"
	"  \"manifests\": [\n"
	"    {\n"
	"      \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
	"      \"digest\": \"" D1 "\",\n"
	"      \"size\": 1058,\n"
	"      \"platform\": {\"architecture\": \"amd64\", \"os\": \"linux\"}\n"
	"    },\n"
	"    {\n"
	"      \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
	"      \"digest\": \"" D2 "\",\n"
	"      \"size\": 1058,\n"
	"      \"platform\": {\"architecture\": \"arm64\", \"os\": \"linux\", \"variant\": \"v8\"}\n"
	"    },\n"
	"    {\n"
	"      \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
	"      \"digest\": \"" D3 "\",\n"
	"      \"size\": 566,\n"
	"      \"annotations\": {\n"
	"        \"vnd.docker.reference.digest\": \"" D1 "\",\n"
	"        \"vnd.docker.reference.type\": \"attestation-manifest\"\n"
	"      },\n"
	"      \"platform\": {\"architecture\": \"unknown\", \"os\": \"unknown\"}\n"
	"    },\n"
	"    {\n"
	"      \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
	"      \"digest\": \"" D4 "\",\n"
	"      \"size\": 566,\n"
	"      \"annotations\": {\n"
	"        \"vnd.docker.reference.digest\": \"" D2 "\",\n"
	"        \"vnd.docker.reference.type\": \"attestation-manifest\"\n"
	"      },\n"
	"      \"platform\": {\"architecture\": \"unknown\", \"os\": \"unknown\"}\n"
	"    }\n"
	"  ]\n"
	"}\n";

static const char DOCKER_LIST[] =
	"{\n"
	"  \"schemaVersion\": 2,\n"
	"  \"mediaType\": \"application/vnd.docker.distribution.manifest.list.v2+json\",\n"
	"  \"manifests\": [\n"
	"    {\"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\", \"size\": 529,\n"
	"     \"digest\": \"" D1 "\", \"platform\": {\"architecture\": \"amd64\", \"os\": \"linux\"}},\n"
	"    {\"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\", \"size\": 529,\n"
	"     \"digest\": \"" D2 "\", \"platform\": {\"architecture\": \"arm\", \"os\": \"linux\", \"variant\": \"v6\"}},\n"
	"    {\"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\", \"size\": 529,\n"
	"     \"digest\": \"" D3 "\", \"platform\": {\"architecture\": \"arm\", \"os\": \"linux\", \"variant\": \"v7\"}},\n"
	"    {\"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\", \"size\": 529,\n"
	"     \"digest\": \"" D4 "\", \"platform\": {\"architecture\": \"arm64\", \"os\": \"linux\"}},\n"
	"    {\"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\", \"size\": 1125,\n"
	"     \"digest\": \"" D5 "\", \"platform\": {\"architecture\": \"amd64\", \"os\": \"windows\",\n"
	"     \"os.version\": \"10.0.17763.5576\", \"os.features\": [\"win32k\"]}}\n"
	"  ]\n"
	"}\n";

/* An OCI image layout's index.json. */
static const char OCI_LAYOUT_INDEX[] =
	"{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	"\"digest\":\"" D1 "\",\"size\":7143,\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1.0\"}}]}";

static const char OCI_MANIFEST[] =
	"{\n"
	"  \"schemaVersion\": 2,\n"
	"  \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
	"  \"config\": {\n"
	"    \"mediaType\": \"application/vnd.oci.image.config.v1+json\",\n"
	"    \"digest\": \"" D1 "\",\n"
	"    \"size\": 7023\n"
	"  },\n"
	"  \"layers\": [\n"
	"    {\"mediaType\": \"application/vnd.oci.image.layer.v1.tar+gzip\",\n"
	"     \"digest\": \"" D2 "\", \"size\": 32654},\n"
	"    {\"mediaType\": \"application/vnd.oci.image.layer.v1.tar+zstd\",\n"
	"     \"digest\": \"" D3 "\", \"size\": 16724},\n"
	"    {\"mediaType\": \"application/vnd.oci.image.layer.v1.tar\",\n"
	"     \"digest\": \"" D4 "\", \"size\": 0}\n"
	"  ],\n"
	"  \"annotations\": {\"com.example.key1\": \"value1\"}\n"
	"}\n";

static const char DOCKER_MANIFEST[] =
	"{\n"
	"   \"schemaVersion\": 2,\n"
	"   \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n"
	"   \"config\": {\n"
	"      \"mediaType\": \"application/vnd.docker.container.image.v1+json\",\n"
	"      \"size\": 1469,\n"
	"      \"digest\": \"" D5 "\"\n"
	"   },\n"
	"   \"layers\": [\n"
	"      {\n"
	"         \"mediaType\": \"application/vnd.docker.image.rootfs.diff.tar.gzip\",\n"
	"         \"size\": 2479,\n"
	"         \"digest\": \"" D1 "\"\n"
	"      },\n"
	"      {\n"
	"         \"mediaType\": \"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip\",\n"
	"         \"size\": 1051,\n"
	"         \"digest\": \"" D2 "\",\n"
	"         \"urls\": [\"https://mcr.microsoft.com/v2/windows/blobs/" D2 "\"]\n"
	"      }\n"
	"   ]\n"
	"}\n";

static const char DOCKER_CONFIG[] =
	"{\n"
	"  \"architecture\": \"amd64\",\n"
	"  \"config\": {\n"
	"    \"Hostname\": \"\",\n"
	"    \"User\": \"app\",\n"
	"    \"AttachStdin\": false,\n"
	"    \"ExposedPorts\": {\"8080/tcp\": {}, \"443/tcp\": {}, \"53/udp\": {}},\n"
	"    \"Tty\": false,\n"
	"    \"Env\": [\n"
	"      \"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
	"      \"LANG=C.UTF-8\",\n"
	"      \"PYTHON_VERSION=3.12.2\"\n"
	"    ],\n"
	"    \"Cmd\": [\"python3\", \"-m\", \"app\"],\n"
	"    \"Healthcheck\": {\"Test\": [\"CMD-SHELL\", \"curl -f http://localhost/ || exit 1\"],\n"
	"                     \"Interval\": 30000000000},\n"
	"    \"Image\": \"" D1 "\",\n"
	"    \"Volumes\": {\"/var/lib/data\": {}, \"/cache\": {}},\n"
	"    \"WorkingDir\": \"/srv/app\",\n"
	"    \"Entrypoint\": [\"/usr/bin/tini\", \"--\"],\n"
	"    \"OnBuild\": null,\n"
	"    \"Labels\": {\n"
	"      \"org.opencontainers.image.version\": \"1.4.2\",\n"
	"      \"maintainer\": \"ops@example.com\",\n"
	"      \"org.opencontainers.image.source\": \"https://github.com/example/app\"\n"
	"    },\n"
	"    \"StopSignal\": \"SIGTERM\"\n"
	"  },\n"
	"  \"container\": \"3a6a4f7e8c2b\",\n"
	"  \"created\": \"2024-03-12T10:21:33.123456789Z\",\n"
	"  \"author\": \"Example Ops\",\n"
	"  \"docker_version\": \"24.0.7\",\n"
	"  \"history\": [\n"
	"    {\"created\": \"2024-02-13T00:37:55Z\", \"created_by\": \"/bin/sh -c #(nop) ADD file:abc in / \"},\n"
	"    {\"created\": \"2024-02-13T00:37:55Z\", \"created_by\": \"/bin/sh -c #(nop)  CMD [\\\"bash\\\"]\",\n"
	"     \"empty_layer\": true},\n"
	"    {\"created\": \"2024-03-12T10:21:33Z\", \"created_by\": \"RUN /bin/sh -c pip install app # buildkit\",\n"
	"     \"comment\": \"buildkit.dockerfile.v0\", \"author\": \"someone\"}\n"
	"  ],\n"
	"  \"os\": \"linux\",\n"
	"  \"rootfs\": {\n"
	"    \"type\": \"layers\",\n"
	"    \"diff_ids\": [\"" D3 "\", \"" D4 "\"]\n"
	"  }\n"
	"}\n";

/* ---- index ---- */

static void test_oci_index(void **state)
{
	sc_index ix;
	const sc_descriptor *d;

	(void)state;
	assert_int_equal(index_s(&ix, OCI_INDEX), 0);
	assert_string_equal(ix.media_type, SC_MT_OCI_INDEX);
	assert_int_equal(ix.n_manifests, 4);
	d = &ix.manifests[0];
	assert_string_equal(d->media_type, SC_MT_OCI_MANIFEST);
	assert_digest(&d->digest, D1);
	assert_int_equal(d->size, 1058);
	assert_true(d->has_platform);
	assert_string_equal(d->platform.os, "linux");
	assert_string_equal(d->platform.architecture, "amd64");
	assert_null(d->platform.variant);
	assert_null(d->platform.os_version);
	assert_null(d->ref_name);
	assert_null(d->artifact_type);
	assert_string_equal(ix.manifests[1].platform.variant, "v8");
	assert_string_equal(ix.manifests[3].platform.os, "unknown");
	assert_int_equal(sc_doc_kind_of(ix.media_type), SC_DOC_INDEX);
	sc_index_release(&ix);
	assert_null(ix.manifests);
	assert_int_equal(ix.n_manifests, 0);
	sc_index_release(&ix); /* twice is fine */
}

static void test_docker_list(void **state)
{
	sc_index ix;

	(void)state;
	assert_int_equal(index_s(&ix, DOCKER_LIST), 0);
	assert_string_equal(ix.media_type, SC_MT_DOCKER_LIST);
	assert_int_equal(ix.n_manifests, 5);
	assert_string_equal(ix.manifests[1].platform.variant, "v6");
	assert_null(ix.manifests[3].platform.variant);
	assert_string_equal(ix.manifests[4].platform.os, "windows");
	assert_string_equal(ix.manifests[4].platform.os_version, "10.0.17763.5576");
	assert_int_equal(ix.manifests[4].size, 1125);
	sc_index_release(&ix);
}

static void test_layout_index(void **state)
{
	sc_index ix;
	sc_platform p;
	const sc_descriptor *d = NULL;

	(void)state;
	assert_int_equal(index_s(&ix, OCI_LAYOUT_INDEX), 0);
	assert_null(ix.media_type);
	assert_int_equal(ix.n_manifests, 1);
	assert_string_equal(ix.manifests[0].ref_name, "v1.0");
	assert_false(ix.manifests[0].has_platform);
	/* An entry without a platform does not match. */
	assert_int_equal(sc_platform_parse(&p, "linux/amd64"), 0);
	assert_int_equal(sc_index_select(&ix, &p, &d), SC_ENOTFOUND);
	assert_null(d);
	assert_msg("available: none");
	sc_platform_release(&p);
	sc_index_release(&ix);
}

static void test_index_artifact_and_empty(void **state)
{
	sc_index ix;

	(void)state;
	assert_int_equal(index_s(&ix, "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
				 "\"application/vnd.oci.image.manifest.v1+json\",\"artifactType\":"
				 "\"application/vnd.example.sbom\",\"digest\":\"" D1 "\",\"size\":0}]}"),
			 0);
	assert_string_equal(ix.manifests[0].artifact_type, "application/vnd.example.sbom");
	assert_int_equal(ix.manifests[0].size, 0);
	sc_index_release(&ix);

	assert_int_equal(index_s(&ix, "{\"manifests\":[]}"), 0);
	assert_int_equal(ix.n_manifests, 0);
	sc_index_release(&ix);

	/* Unknown fields and nulls are ignored. */
	assert_int_equal(index_s(&ix, "{\"manifests\":[],\"annotations\":null,\"x\":[1,2,{}],"
				 "\"subject\":null}"),
			 0);
	sc_index_release(&ix);
}

/* ---- platform selection ---- */

static const sc_descriptor *select_ok(const sc_index *ix, const char *plat)
{
	sc_platform p;
	const sc_descriptor *d = NULL;

	assert_int_equal(sc_platform_parse(&p, plat), 0);
	if (sc_index_select(ix, &p, &d) != 0)
		fail_msg("select %s: %s", plat, sc_error_msg());
	sc_platform_release(&p);
	return d;
}

static void select_fail(const sc_index *ix, const char *plat)
{
	sc_platform p;
	const sc_descriptor *d = (const sc_descriptor *)(uintptr_t)1;

	assert_int_equal(sc_platform_parse(&p, plat), 0);
	sc_error_clear();
	assert_int_equal(sc_index_select(ix, &p, &d), SC_ENOTFOUND);
	assert_ptr_equal(d, (const sc_descriptor *)(uintptr_t)1);
	sc_platform_release(&p);
}

static void test_select_oci(void **state)
{
	sc_index ix;

	(void)state;
	assert_int_equal(index_s(&ix, OCI_INDEX), 0);
	assert_ptr_equal(select_ok(&ix, "linux/amd64"), &ix.manifests[0]);
	assert_ptr_equal(select_ok(&ix, "linux/arm64"), &ix.manifests[1]);
	assert_ptr_equal(select_ok(&ix, "linux/arm64/v8"), &ix.manifests[1]);
	select_fail(&ix, "linux/arm/v7");
	assert_string_equal(sc_error_msg(),
			    "no manifest for platform linux/arm/v7 in index (available: linux/amd64, linux/arm64/v8)");
	select_fail(&ix, "linux/arm64/v9");
	select_fail(&ix, "windows/amd64");
	sc_index_release(&ix);
}

static void test_select_docker(void **state)
{
	sc_index ix;

	(void)state;
	assert_int_equal(index_s(&ix, DOCKER_LIST), 0);
	assert_ptr_equal(select_ok(&ix, "linux/amd64"), &ix.manifests[0]);
	/* arm64 without variant in the index matches a wanted v8 */
	assert_ptr_equal(select_ok(&ix, "linux/arm64/v8"), &ix.manifests[3]);
	assert_ptr_equal(select_ok(&ix, "linux/arm64"), &ix.manifests[3]);
	assert_ptr_equal(select_ok(&ix, "linux/arm/v6"), &ix.manifests[1]);
	assert_ptr_equal(select_ok(&ix, "linux/arm/v7"), &ix.manifests[2]);
	/* no variant wanted: the default (v7) is preferred over the first */
	assert_ptr_equal(select_ok(&ix, "linux/arm"), &ix.manifests[2]);
	assert_ptr_equal(select_ok(&ix, "windows/amd64"), &ix.manifests[4]);
	/* amd64 ignores variants */
	assert_ptr_equal(select_ok(&ix, "linux/amd64/v3"), &ix.manifests[0]);
	select_fail(&ix, "linux/arm/v5");
	assert_msg("linux/arm/v5");
	assert_msg("linux/amd64, linux/arm/v6, linux/arm/v7, linux/arm64, windows/amd64");
	select_fail(&ix, "linux/s390x");
	sc_index_release(&ix);
}

static void test_select_misc(void **state)
{
	sc_index ix;
	sc_platform p;
	const sc_descriptor *d = NULL;

	(void)state;
	/* Only arm/v6 offered: a bare "arm" still finds it; v8 arm64 index vs want no variant. */
	assert_int_equal(index_s(&ix, "{\"manifests\":["
				 "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" D1 "\",\"size\":1,"
				 "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v6\"}},"
				 "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D2 "\",\"size\":1,"
				 "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v6\"}},"
				 "{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\"" D3 "\",\"size\":1,"
				 "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}}]}"),
			 0);
	/* the layer-typed entry is skipped although its platform matches */
	assert_ptr_equal(select_ok(&ix, "linux/arm/v6"), &ix.manifests[1]);
	assert_ptr_equal(select_ok(&ix, "linux/arm"), &ix.manifests[1]);
	select_fail(&ix, "linux/arm/v7");
	/* nested index entries may match (the caller descends) */
	assert_ptr_equal(select_ok(&ix, "linux/arm64"), &ix.manifests[2]);

	/* usage errors */
	memset(&p, 0, sizeof(p));
	assert_int_equal(sc_index_select(&ix, &p, &d), SC_EUSAGE);
	assert_int_equal(sc_index_select(&ix, NULL, &d), SC_EUSAGE);
	assert_null(d);
	sc_index_release(&ix);
}

/* ---- manifest ---- */

static void test_oci_manifest(void **state)
{
	sc_manifest m;

	(void)state;
	assert_int_equal(manifest_s(&m, OCI_MANIFEST), 0);
	assert_string_equal(m.media_type, SC_MT_OCI_MANIFEST);
	assert_string_equal(m.config.media_type, SC_MT_OCI_CONFIG);
	assert_digest(&m.config.digest, D1);
	assert_int_equal(m.config.size, 7023);
	assert_int_equal(m.n_layers, 3);
	assert_int_equal(sc_layer_compression(m.layers[0].media_type), SC_COMP_GZIP);
	assert_int_equal(sc_layer_compression(m.layers[1].media_type), SC_COMP_ZSTD);
	assert_int_equal(sc_layer_compression(m.layers[2].media_type), SC_COMP_NONE);
	assert_digest(&m.layers[1].digest, D3);
	assert_int_equal(m.layers[1].size, 16724);
	assert_int_equal(m.layers[2].size, 0);
	assert_int_equal(m.n_annotations, 1);
	assert_string_equal(sc_kv_get(m.annotations, m.n_annotations, "com.example.key1"), "value1");
	assert_null(sc_kv_get(m.annotations, m.n_annotations, "com.example.key2"));
	sc_manifest_release(&m);
	assert_null(m.layers);
	assert_null(m.annotations);
	assert_null(m.config.media_type);
	sc_manifest_release(&m);
}

static void test_docker_manifest(void **state)
{
	sc_manifest m;

	(void)state;
	assert_int_equal(manifest_s(&m, DOCKER_MANIFEST), 0);
	assert_string_equal(m.media_type, SC_MT_DOCKER_MANIFEST);
	assert_string_equal(m.config.media_type, SC_MT_DOCKER_CONFIG);
	assert_digest(&m.config.digest, D5);
	assert_int_equal(m.n_layers, 2);
	assert_int_equal(sc_layer_compression(m.layers[0].media_type), SC_COMP_GZIP);
	assert_int_equal(sc_layer_compression(m.layers[1].media_type), SC_COMP_GZIP);
	assert_int_equal(m.layers[1].size, 1051);
	sc_manifest_release(&m);
}

static void test_manifest_minimal(void **state)
{
	sc_manifest m;

	(void)state;
	/* OCI: mediaType optional, zero layers allowed */
	assert_int_equal(manifest_s(&m, "{\"schemaVersion\":2,\"config\":{\"mediaType\":"
				    "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" D1
				    "\",\"size\":2},\"layers\":[]}"),
			 0);
	assert_null(m.media_type);
	assert_int_equal(m.n_layers, 0);
	assert_null(m.layers);
	assert_null(m.annotations);
	assert_int_equal(m.n_annotations, 0);
	sc_manifest_release(&m);
}

/* Manifest annotations (image-spec annotations.md): the base image, sorted by key. */
static void test_manifest_annotations(void **state)
{
	sc_manifest m;

	(void)state;
	assert_int_equal(manifest_s(&m, "{\"schemaVersion\":2,\"config\":{\"mediaType\":"
				    "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" D1
				    "\",\"size\":2},\"layers\":[],\"annotations\":{"
				    "\"org.opencontainers.image.base.name\":\"docker.io/library/debian:12\","
				    "\"org.opencontainers.image.base.digest\":\"" D2 "\","
				    "\"a.first\":\"\"}}"),
			 0);
	assert_int_equal(m.n_annotations, 3);
	assert_string_equal(m.annotations[0].key, "a.first");
	assert_string_equal(sc_kv_get(m.annotations, m.n_annotations, "org.opencontainers.image.base.name"),
			    "docker.io/library/debian:12");
	assert_string_equal(sc_kv_get(m.annotations, m.n_annotations, "org.opencontainers.image.base.digest"), D2);
	sc_manifest_release(&m);
	/* null is absent; a non-string value is rejected as for descriptor annotations. */
	assert_int_equal(manifest_s(&m, "{\"config\":{\"mediaType\":\"c\",\"digest\":\"" D1
				    "\",\"size\":2},\"layers\":[],\"annotations\":null}"),
			 0);
	assert_null(m.annotations);
	sc_manifest_release(&m);
	expect_manifest_fail("{\"config\":{\"mediaType\":\"c\",\"digest\":\"" D1
			     "\",\"size\":2},\"layers\":[],\"annotations\":{\"a\":[1]}}",
			     SC_EINPUT, "field 'annotations' value of 'a' is not a string");
	expect_manifest_fail("{\"config\":{\"mediaType\":\"c\",\"digest\":\"" D1
			     "\",\"size\":2},\"layers\":[],\"annotations\":[]}",
			     SC_EINPUT, "field 'annotations' is not an object");
}

static void test_max_layers(void **state)
{
	const char *head = "{\"config\":{\"mediaType\":\"a\",\"digest\":\"" D1 "\",\"size\":1},\"layers\":[";
	const char *item = "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" D2
			   "\",\"size\":1}";
	size_t il = strlen(item), hl = strlen(head), n, i;
	char *doc = malloc(hl + (il + 1) * (SC_MAX_LAYERS + 1) + 4);
	sc_manifest m;

	(void)state;
	assert_non_null(doc);
	for (n = SC_MAX_LAYERS; n <= SC_MAX_LAYERS + 1; n++) {
		char *p = doc;

		memcpy(p, head, hl);
		p += hl;
		for (i = 0; i < n; i++) {
			if (i)
				*p++ = ',';
			memcpy(p, item, il);
			p += il;
		}
		memcpy(p, "]}", 3);
		if (n == SC_MAX_LAYERS) {
			assert_int_equal(manifest_s(&m, doc), 0);
			assert_int_equal(m.n_layers, SC_MAX_LAYERS);
			sc_manifest_release(&m);
		} else {
			expect_manifest_fail(doc, SC_ELIMIT, "field 'layers' has 1025 items, limit is 1024");
		}
	}
	free(doc);
}

static void test_max_index_entries(void **state)
{
	const char *item = "{\"mediaType\":\"m\",\"digest\":\"" D2 "\",\"size\":1}";
	size_t il = strlen(item), i, n = SC_MAX_INDEX_ENTRIES + 1;
	char *doc = malloc(32 + (il + 1) * n), *p = doc;

	(void)state;
	assert_non_null(doc);
	p += sprintf(p, "{\"manifests\":[");
	for (i = 0; i < n; i++) {
		if (i)
			*p++ = ',';
		memcpy(p, item, il);
		p += il;
	}
	memcpy(p, "]}", 3);
	expect_index_fail(doc, SC_ELIMIT, "limit is 4096");
	free(doc);
}

/* ---- config ---- */

static void test_docker_config(void **state)
{
	sc_config c;

	(void)state;
	assert_int_equal(config_s(&c, DOCKER_CONFIG), 0);
	assert_string_equal(c.created, "2024-03-12T10:21:33.123456789Z");
	assert_string_equal(c.author, "Example Ops");
	assert_string_equal(c.platform.os, "linux");
	assert_string_equal(c.platform.architecture, "amd64");
	assert_null(c.platform.variant);
	assert_string_equal(c.user, "app");
	assert_int_equal(sc_strv_len(c.entrypoint), 2);
	assert_string_equal(c.entrypoint[0], "/usr/bin/tini");
	assert_string_equal(c.entrypoint[1], "--");
	assert_int_equal(sc_strv_len(c.cmd), 3);
	assert_string_equal(c.cmd[2], "app");
	assert_int_equal(sc_strv_len(c.env), 3);
	assert_string_equal(c.env[1], "LANG=C.UTF-8");
	assert_string_equal(c.working_dir, "/srv/app");
	assert_string_equal(c.stop_signal, "SIGTERM");
	assert_int_equal(sc_strv_len(c.exposed_ports), 3);
	assert_string_equal(c.exposed_ports[0], "443/tcp");
	assert_string_equal(c.exposed_ports[1], "53/udp");
	assert_string_equal(c.exposed_ports[2], "8080/tcp");
	assert_int_equal(sc_strv_len(c.volumes), 2);
	assert_string_equal(c.volumes[0], "/cache");
	assert_string_equal(c.volumes[1], "/var/lib/data");
	assert_int_equal(c.n_labels, 3);
	assert_string_equal(c.labels[0].key, "maintainer");
	assert_string_equal(c.labels[0].value, "ops@example.com");
	assert_string_equal(c.labels[1].key, "org.opencontainers.image.source");
	assert_string_equal(c.labels[2].key, "org.opencontainers.image.version");
	assert_string_equal(c.labels[2].value, "1.4.2");
	assert_true(c.has_healthcheck);
	assert_int_equal(c.n_diff_ids, 2);
	assert_digest(&c.diff_ids[0], D3);
	assert_digest(&c.diff_ids[1], D4);
	assert_int_equal(c.n_history, 3);
	assert_false(c.history[0].empty_layer);
	assert_true(c.history[1].empty_layer);
	assert_string_equal(c.history[1].created_by, "/bin/sh -c #(nop)  CMD [\"bash\"]");
	assert_string_equal(c.history[2].comment, "buildkit.dockerfile.v0");
	assert_string_equal(c.history[2].author, "someone");
	assert_null(c.history[0].comment);
	sc_config_release(&c);
	assert_null(c.env);
	assert_int_equal(c.n_labels, 0);
	sc_config_release(&c);
}

static void test_config_nulls_and_minimal(void **state)
{
	sc_config c;

	(void)state;
	/* What Docker writes for a scratch-based image. */
	assert_int_equal(config_s(&c, "{\"architecture\":\"arm64\",\"variant\":\"v8\",\"os\":\"linux\","
				  "\"config\":{\"Env\":null,\"Cmd\":null,\"Entrypoint\":null,\"Volumes\":null,"
				  "\"Labels\":null,\"ExposedPorts\":null,\"Healthcheck\":null,\"User\":\"\"},"
				  "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"history\":[]}"),
			 0);
	assert_string_equal(c.platform.variant, "v8");
	assert_null(c.env);
	assert_null(c.cmd);
	assert_null(c.entrypoint);
	assert_null(c.volumes);
	assert_null(c.exposed_ports);
	assert_null(c.labels);
	assert_false(c.has_healthcheck);
	assert_string_equal(c.user, "");
	assert_int_equal(c.n_diff_ids, 0);
	assert_int_equal(c.n_history, 0);
	sc_config_release(&c);

	assert_int_equal(config_s(&c, "{}"), 0);
	assert_null(c.platform.os);
	sc_config_release(&c);

	/* [] is kept distinct from null: ENTRYPOINT [] resets the entrypoint. */
	assert_int_equal(config_s(&c, "{\"config\":{\"Entrypoint\":[],\"Labels\":{},\"os.version\":1},"
				  "\"os.version\":\"10.0.20348.2322\"}"),
			 0);
	assert_non_null(c.entrypoint);
	assert_null(c.entrypoint[0]);
	assert_int_equal(c.n_labels, 0);
	assert_string_equal(c.platform.os_version, "10.0.20348.2322");
	sc_config_release(&c);
}

static void test_config_healthcheck(void **state)
{
	sc_config c;

	(void)state;
	assert_int_equal(config_s(&c, "{\"config\":{\"Healthcheck\":{\"Test\":[\"NONE\"]}}}"), 0);
	assert_false(c.has_healthcheck);
	sc_config_release(&c);
	assert_int_equal(config_s(&c, "{\"config\":{\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"]}}}"), 0);
	assert_true(c.has_healthcheck);
	sc_config_release(&c);
	assert_int_equal(config_s(&c, "{\"config\":{\"Healthcheck\":{\"Interval\":5}}}"), 0);
	assert_true(c.has_healthcheck);
	sc_config_release(&c);
	expect_config_fail("{\"config\":{\"Healthcheck\":{\"Test\":\"NONE\"}}}", SC_EINPUT,
			   "field 'config.Healthcheck.Test' is not an array");
	expect_config_fail("{\"config\":{\"Healthcheck\":{\"Test\":[1]}}}", SC_EINPUT,
			   "field 'config.Healthcheck.Test' item 0 is not a string");
	expect_config_fail("{\"config\":{\"Healthcheck\":[]}}", SC_EINPUT,
			   "field 'config.Healthcheck' is not an object");
}

static void test_config_rejects(void **state)
{
	(void)state;
	expect_config_fail("{\"config\":{\"Env\":[\"A=1\",\"B=2\",\"C=3\",4]}}", SC_EINPUT,
			   "image config: field 'config.Env' item 3 is not a string");
	expect_config_fail("{\"config\":{\"Env\":\"A=1\"}}", SC_EINPUT,
			   "image config: field 'config.Env' is not an array");
	expect_config_fail("{\"config\":{\"Cmd\":[null]}}", SC_EINPUT, "field 'config.Cmd' item 0");
	expect_config_fail("{\"config\":{\"Entrypoint\":\"/bin/sh\"}}", SC_EINPUT, "'config.Entrypoint'");
	expect_config_fail("{\"config\":{\"User\":0}}", SC_EINPUT, "field 'config.User' is not a string");
	expect_config_fail("{\"config\":{\"WorkingDir\":[]}}", SC_EINPUT, "'config.WorkingDir'");
	expect_config_fail("{\"config\":{\"StopSignal\":15}}", SC_EINPUT, "'config.StopSignal'");
	expect_config_fail("{\"config\":{\"ExposedPorts\":[\"80/tcp\"]}}", SC_EINPUT,
			   "field 'config.ExposedPorts' is not an object");
	expect_config_fail("{\"config\":{\"ExposedPorts\":{\"80/tcp\":1}}}", SC_EINPUT,
			   "'config.ExposedPorts' value of '80/tcp'");
	expect_config_fail("{\"config\":{\"Volumes\":\"/data\"}}", SC_EINPUT, "'config.Volumes'");
	expect_config_fail("{\"config\":{\"Labels\":{\"a\":\"b\",\"version\":2}}}", SC_EINPUT,
			   "field 'config.Labels' value of 'version' is not a string");
	expect_config_fail("{\"config\":{\"Labels\":[]}}", SC_EINPUT, "'config.Labels' is not an object");
	expect_config_fail("{\"config\":{\"Labels\":{\"a\\u0000b\":\"x\"}}}", SC_EINPUT, "NUL");
	expect_config_fail("{\"config\":[]}", SC_EINPUT, "field 'config' is not an object");
	expect_config_fail("{\"created\":1}", SC_EINPUT, "field 'created' is not a string");
	expect_config_fail("{\"architecture\":[\"amd64\"]}", SC_EINPUT, "'architecture'");
	expect_config_fail("{\"os\":true}", SC_EINPUT, "'os'");
	expect_config_fail("{\"os.version\":{}}", SC_EINPUT, "'os.version'");
	expect_config_fail("{\"rootfs\":{\"type\":\"layers\"}}", SC_EINPUT, "missing field 'rootfs.diff_ids'");
	expect_config_fail("{\"rootfs\":{\"diff_ids\":[]}}", SC_EINPUT, "missing field 'rootfs.type'");
	expect_config_fail("{\"rootfs\":{\"type\":\"tar\",\"diff_ids\":[]}}", SC_EINPUT,
			   "field 'rootfs.type' is 'tar', want 'layers'");
	expect_config_fail("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\",\"sha256:abc\"]}}",
			   SC_EINPUT, "field 'rootfs.diff_ids[1]': malformed digest");
	expect_config_fail("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[7]}}", SC_EINPUT,
			   "'rootfs.diff_ids' item 0 is not a string");
	expect_config_fail("{\"rootfs\":[]}", SC_EINPUT, "'rootfs' is not an object");
	expect_config_fail("{\"history\":{}}", SC_EINPUT, "'history' is not an array");
	expect_config_fail("{\"history\":[{},\"x\"]}", SC_EINPUT, "field 'history[1]' is not an object");
	expect_config_fail("{\"history\":[{\"empty_layer\":\"true\"}]}", SC_EINPUT,
			   "field 'history[0].empty_layer' is not a boolean");
	expect_config_fail("{\"history\":[{\"created_by\":5}]}", SC_EINPUT,
			   "field 'history[0].created_by' is not a string");
	expect_config_fail("[]", SC_EINPUT, "image config: document is not a JSON object");
	expect_config_fail("{\"os\":\"linux\",\"os\":\"windows\"}", SC_EINPUT, "duplicate");
	expect_config_fail("{\"os\":\"linux\"", SC_EINPUT, "malformed JSON");
}

static void test_config_limits(void **state)
{
	size_t n = 65537, i;
	char *doc = malloc(64 + n * 4), *p = doc;

	(void)state;
	assert_non_null(doc);
	/* 65537 env entries */
	p += sprintf(p, "{\"config\":{\"Env\":[");
	for (i = 0; i < n; i++) {
		if (i)
			*p++ = ',';
		memcpy(p, "\"\"", 2);
		p += 2;
	}
	memcpy(p, "]}}", 4);
	expect_config_fail(doc, SC_ELIMIT, "field 'config.Env' has 65537 items, limit is 65536");
	/* 65537 history entries */
	p = doc;
	p += sprintf(p, "{\"history\":[");
	for (i = 0; i < n; i++) {
		if (i)
			*p++ = ',';
		memcpy(p, "{}", 2);
		p += 2;
	}
	memcpy(p, "]}", 3);
	expect_config_fail(doc, SC_ELIMIT, "field 'history' has 65537 items");
	free(doc);

	/* larger than SC_CONFIG_MAX */
	n = SC_CONFIG_MAX + 1;
	doc = malloc(n + 1);
	assert_non_null(doc);
	memset(doc, ' ', n);
	doc[0] = '{';
	doc[n - 1] = '}';
	doc[n] = '\0';
	expect_config_fail(doc, SC_ELIMIT, "limit is");
	free(doc);
}

/* ---- rejections common to index and manifest ---- */

#define DESC(mt, dg, sz) "{\"mediaType\":" mt ",\"digest\":" dg ",\"size\":" sz "}"
#define MAN_WITH_LAYER(l) "{\"config\":" DESC("\"c\"", "\"" D1 "\"", "1") ",\"layers\":[" l "]}"

static void test_bad_digests(void **state)
{
	(void)state;
	/* uppercase hex */
	expect_manifest_fail(MAN_WITH_LAYER(DESC("\"l\"", "\"sha256:6B86B273FF34FCE19D6B804EFF5A3F5747ADA4EAA22F1D49C01E52DDB7875B4B\"", "1")),
			     SC_EINPUT, "field 'layers[0].digest': malformed digest");
	/* short */
	expect_manifest_fail(MAN_WITH_LAYER(DESC("\"l\"", "\"sha256:6b86b273ff34\"", "1")), SC_EINPUT,
			     "want 64 hex digits");
	/* long */
	expect_manifest_fail(MAN_WITH_LAYER(DESC("\"l\"", "\"" D1 "0\"", "1")), SC_EINPUT, "malformed digest");
	/* sha512 */
	expect_manifest_fail(MAN_WITH_LAYER(DESC("\"l\"", "\"sha512:" H1 H2 "\"", "1")), SC_EUNSUPPORTED,
			     "sha512");
	/* no algorithm, whitespace, wrong type, NUL smuggling */
	expect_manifest_fail(MAN_WITH_LAYER(DESC("\"l\"", "\"" H1 "\"", "1")), SC_EINPUT, "malformed digest");
	expect_manifest_fail(MAN_WITH_LAYER(DESC("\"l\"", "\" " D1 "\"", "1")), SC_EINPUT, "malformed digest");
	expect_manifest_fail(MAN_WITH_LAYER(DESC("\"l\"", "42", "1")), SC_EINPUT,
			     "field 'layers[0].digest' is not a string");
	expect_manifest_fail(MAN_WITH_LAYER(DESC("\"l\"", "\"" D1 "\\u0000x\"", "1")), SC_EINPUT, "NUL");
	expect_manifest_fail("{\"config\":" DESC("\"c\"", "\"sha256:\"", "1") ",\"layers\":[]}", SC_EINPUT,
			     "'config.digest'");
	expect_index_fail("{\"manifests\":[" DESC("\"m\"", "\"sha256:zz\"", "1") "]}", SC_EINPUT,
			  "image index: field 'manifests[0].digest'");
	expect_index_fail("{\"manifests\":[" DESC("\"m\"", "\"md5:d41d8cd98f00b204e9800998ecf8427e\"", "1") "]}",
			  SC_EINPUT, "malformed digest");
}

static void test_bad_descriptors(void **state)
{
	(void)state;
	expect_manifest_fail(MAN_WITH_LAYER(DESC("\"l\"", "\"" D2 "\"", "-1")), SC_EINPUT,
			     "field 'layers[0].size' is not a non-negative integer");
	expect_manifest_fail(MAN_WITH_LAYER(DESC("\"l\"", "\"" D2 "\"", "1.5")), SC_EINPUT, "'layers[0].size'");
	expect_manifest_fail(MAN_WITH_LAYER(DESC("\"l\"", "\"" D2 "\"", "\"12\"")), SC_EINPUT, "'layers[0].size'");
	expect_manifest_fail(MAN_WITH_LAYER(DESC("\"l\"", "\"" D2 "\"", "99999999999999999999999")), SC_EINPUT,
			     "malformed JSON");
	expect_manifest_fail(MAN_WITH_LAYER(DESC("7", "\"" D2 "\"", "1")), SC_EINPUT,
			     "field 'layers[0].mediaType' is not a string");
	expect_manifest_fail(MAN_WITH_LAYER("{\"digest\":\"" D2 "\",\"size\":1}"), SC_EINPUT,
			     "missing field 'layers[0].mediaType'");
	expect_manifest_fail(MAN_WITH_LAYER("{\"mediaType\":\"l\",\"size\":1}"), SC_EINPUT,
			     "missing field 'layers[0].digest'");
	expect_manifest_fail(MAN_WITH_LAYER("{\"mediaType\":\"l\",\"digest\":\"" D2 "\"}"), SC_EINPUT,
			     "missing field 'layers[0].size'");
	expect_manifest_fail(MAN_WITH_LAYER("\"" D2 "\""), SC_EINPUT, "field 'layers[0]' is not an object");
	expect_manifest_fail(MAN_WITH_LAYER("{\"mediaType\":\"l\",\"digest\":\"" D2 "\",\"size\":1,\"annotations\":[]}"),
			     SC_EINPUT, "'layers[0].annotations' is not an object");
	expect_manifest_fail(MAN_WITH_LAYER("{\"mediaType\":\"l\",\"digest\":\"" D2 "\",\"size\":1,\"annotations\":{\"a\":1}}"),
			     SC_EINPUT, "value of 'a' is not a string");
	expect_manifest_fail(MAN_WITH_LAYER("{\"mediaType\":\"l\",\"digest\":\"" D2 "\",\"size\":1,\"artifactType\":{}}"),
			     SC_EINPUT, "'layers[0].artifactType'");
	expect_manifest_fail("{\"layers\":[]}", SC_EINPUT, "image manifest: missing field 'config'");
	expect_manifest_fail("{\"config\":" DESC("\"c\"", "\"" D1 "\"", "1") "}", SC_EINPUT,
			     "missing field 'layers'");
	expect_manifest_fail("{\"config\":" DESC("\"c\"", "\"" D1 "\"", "1") ",\"layers\":{}}", SC_EINPUT,
			     "field 'layers' is not an array");
	expect_manifest_fail("{\"config\":[],\"layers\":[]}", SC_EINPUT, "field 'config' is not an object");
	expect_manifest_fail("{\"config\":" DESC("\"c\"", "\"" D1 "\"", "1") ",\"layers\":[],\"mediaType\":1}",
			     SC_EINPUT, "'mediaType' is not a string");

	/* index descriptors and platforms */
	expect_index_fail("{\"manifests\":[" DESC("\"m\"", "\"" D1 "\"", "-5") "]}", SC_EINPUT,
			  "field 'manifests[0].size' is not a non-negative integer");
	expect_index_fail("{\"manifests\":[{\"mediaType\":\"m\",\"digest\":\"" D1 "\",\"size\":1,"
			  "\"platform\":{\"os\":\"linux\"}}]}",
			  SC_EINPUT, "missing field 'manifests[0].platform.architecture'");
	expect_index_fail("{\"manifests\":[{\"mediaType\":\"m\",\"digest\":\"" D1 "\",\"size\":1,"
			  "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\",\"variant\":8}}]}",
			  SC_EINPUT, "field 'manifests[0].platform.variant' is not a string");
	expect_index_fail("{\"manifests\":[{\"mediaType\":\"m\",\"digest\":\"" D1 "\",\"size\":1,"
			  "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\",\"os.features\":[1]}}]}",
			  SC_EINPUT, "'manifests[0].platform.os.features' item 0");
	expect_index_fail("{\"manifests\":[{\"mediaType\":\"m\",\"digest\":\"" D1 "\",\"size\":1,"
			  "\"platform\":\"linux/amd64\"}]}",
			  SC_EINPUT, "'manifests[0].platform' is not an object");
	expect_index_fail("{\"manifests\":[{\"mediaType\":\"m\",\"digest\":\"" D1 "\",\"size\":1,"
			  "\"annotations\":{\"org.opencontainers.image.ref.name\":[\"latest\"]}}]}",
			  SC_EINPUT, "value of 'org.opencontainers.image.ref.name' is not a string");
	expect_index_fail("{\"manifests\":{}}", SC_EINPUT, "field 'manifests' is not an array");
	expect_index_fail("{}", SC_EINPUT, "image index: missing field 'manifests'");
	expect_index_fail("{\"manifests\":[1]}", SC_EINPUT, "field 'manifests[0]' is not an object");
}

static void test_schema_and_kind_mismatch(void **state)
{
	(void)state;
	expect_index_fail(OCI_MANIFEST, SC_EINPUT, "document is an image manifest");
	expect_index_fail(DOCKER_MANIFEST, SC_EINPUT,
			  "image index: document is an image manifest (mediaType "
			  "'application/vnd.docker.distribution.manifest.v2+json'), not an index");
	expect_index_fail("{\"config\":{},\"layers\":[]}", SC_EINPUT, "(it has 'layers'), not an index");
	expect_manifest_fail(OCI_INDEX, SC_EINPUT, "image manifest: document is an image index");
	expect_manifest_fail(DOCKER_LIST, SC_EINPUT, "not a manifest");
	expect_manifest_fail(OCI_LAYOUT_INDEX, SC_EINPUT, "(it has 'manifests'), not a manifest");
	expect_manifest_fail("{\"schemaVersion\":1,\"name\":\"library/busybox\",\"fsLayers\":[]}",
			     SC_EUNSUPPORTED, "schema 1");
	expect_manifest_fail("{\"schemaVersion\":3,\"config\":{},\"layers\":[]}", SC_EINPUT,
			     "schemaVersion is 3, want 2");
	expect_manifest_fail("{\"schemaVersion\":\"2\",\"config\":{},\"layers\":[]}", SC_EINPUT,
			     "'schemaVersion' is not an integer");
	expect_index_fail("{\"schemaVersion\":2.0,\"manifests\":[]}", SC_EINPUT, "schemaVersion");
	expect_index_fail("{\"schemaVersion\":-2,\"manifests\":[]}", SC_EINPUT, "schemaVersion is -2");
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"", "{", "}", "{\"manifests\":[}", "{\"manifests\":[],}", "nul", "{'a':1}",
		"{\"a\":1} trailing", "\xff\xfe{}", "{\"a\":\"\xc3\x28\"}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_index_fail(bad[i], SC_EINPUT, "malformed JSON");
		expect_manifest_fail(bad[i], SC_EINPUT, "image manifest: malformed JSON");
		expect_config_fail(bad[i], SC_EINPUT, "image config: malformed JSON");
	}
	/* valid JSON, wrong top-level type */
	expect_index_fail("[]", SC_EINPUT, "not a JSON object");
	expect_manifest_fail("[{\"layers\":[]}]", SC_EINPUT, "not a JSON object");
	/* duplicate keys are rejected (would let two readers see different documents) */
	expect_manifest_fail("{\"config\":" DESC("\"c\"", "\"" D1 "\"", "1") ",\"layers\":[],\"layers\":[]}",
			     SC_EINPUT, "duplicate");
	expect_index_fail("{\"manifests\":[{\"mediaType\":\"m\",\"digest\":\"" D1 "\",\"digest\":\"" D2
			  "\",\"size\":1}]}",
			  SC_EINPUT, "duplicate");
	/* NULL data */
	{
		sc_index ix;

		assert_int_equal(sc_index_parse(&ix, NULL, 5), SC_EUSAGE);
	}
}

static void test_deep_and_large(void **state)
{
	char deep[2 * 80 + 32];
	char *big;
	size_t i, n;

	(void)state;
	/* nesting deeper than SC_JSON_MAX_DEPTH inside an ignored field */
	strcpy(deep, "{\"x\":");
	for (i = 0; i < 70; i++)
		strcat(deep, "[");
	for (i = 0; i < 70; i++)
		strcat(deep, "]");
	strcat(deep, "}");
	expect_index_fail(deep, SC_ELIMIT, "nested deeper than 64");
	expect_manifest_fail(deep, SC_ELIMIT, "nested deeper");
	expect_config_fail(deep, SC_ELIMIT, "nested deeper");

	/* larger than SC_MANIFEST_MAX */
	n = SC_MANIFEST_MAX + 1;
	big = malloc(n + 1);
	assert_non_null(big);
	memset(big, ' ', n);
	memcpy(big, "{\"manifests\":[]", 15);
	big[n - 1] = '}';
	big[n] = '\0';
	expect_index_fail(big, SC_ELIMIT, "document is 4194305 bytes, limit is 4194304");
	expect_manifest_fail(big, SC_ELIMIT, "limit is");
	{
		sc_doc_kind k = SC_DOC_INDEX;

		assert_int_equal(sc_doc_detect(&k, big, n, NULL), SC_ELIMIT);
	}
	/* exactly at the limit is fine */
	big[n - 1] = ' ';
	big[n - 2] = '}';
	{
		sc_index ix;

		assert_int_equal(sc_index_parse(&ix, big, n - 1), 0);
		sc_index_release(&ix);
	}
	free(big);
}

/* ---- kinds, media types, platforms ---- */

static void test_doc_detect(void **state)
{
	sc_doc_kind k;

	(void)state;
	assert_int_equal(sc_doc_kind_of(SC_MT_OCI_INDEX), SC_DOC_INDEX);
	assert_int_equal(sc_doc_kind_of(SC_MT_DOCKER_LIST), SC_DOC_INDEX);
	assert_int_equal(sc_doc_kind_of(SC_MT_OCI_MANIFEST), SC_DOC_MANIFEST);
	assert_int_equal(sc_doc_kind_of(SC_MT_DOCKER_MANIFEST), SC_DOC_MANIFEST);
	assert_int_equal(sc_doc_kind_of(SC_MT_OCI_CONFIG), SC_DOC_UNKNOWN);
	assert_int_equal(sc_doc_kind_of(NULL), SC_DOC_UNKNOWN);
	assert_int_equal(sc_doc_kind_of(""), SC_DOC_UNKNOWN);
	assert_int_equal(sc_doc_kind_of(SC_MT_OCI_MANIFEST "x"), SC_DOC_UNKNOWN);
	/* HTTP Content-Type style */
	assert_int_equal(sc_doc_kind_of("application/vnd.oci.image.index.v1+json; charset=utf-8"), SC_DOC_INDEX);

	/* The media_type argument wins without looking at the data. */
	assert_int_equal(detect_s(&k, "garbage", SC_MT_DOCKER_MANIFEST), 0);
	assert_int_equal(k, SC_DOC_MANIFEST);
	assert_int_equal(detect_s(&k, OCI_INDEX, NULL), 0);
	assert_int_equal(k, SC_DOC_INDEX);
	assert_int_equal(detect_s(&k, DOCKER_MANIFEST, "text/plain"), 0);
	assert_int_equal(k, SC_DOC_MANIFEST);
	/* by shape */
	assert_int_equal(detect_s(&k, OCI_LAYOUT_INDEX, NULL), 0);
	assert_int_equal(k, SC_DOC_INDEX);
	k = SC_DOC_INDEX;
	assert_int_equal(detect_s(&k, "{\"config\":{},\"layers\":[]}", NULL), 0);
	assert_int_equal(k, SC_DOC_MANIFEST);
	/* failures leave *out alone */
	k = SC_DOC_UNKNOWN;
	assert_int_equal(detect_s(&k, "{\"manifests\":[],\"layers\":[]}", NULL), SC_EINPUT);
	assert_msg("ambiguous");
	assert_int_equal(detect_s(&k, "{}", NULL), SC_EINPUT);
	assert_int_equal(detect_s(&k, "{\"mediaType\":\"" SC_MT_OCI_CONFIG "\"}", NULL), SC_EUNSUPPORTED);
	assert_int_equal(detect_s(&k, "{\"mediaType\":5,\"layers\":[]}", NULL), SC_EINPUT);
	assert_int_equal(detect_s(&k, "{\"schemaVersion\":1,\"fsLayers\":[]}", NULL), SC_EUNSUPPORTED);
	assert_int_equal(detect_s(&k, "[1", NULL), SC_EINPUT);
	assert_int_equal(k, SC_DOC_UNKNOWN);
}

static void test_layer_compression(void **state)
{
	(void)state;
	assert_int_equal(sc_layer_compression(SC_MT_OCI_LAYER), SC_COMP_NONE);
	assert_int_equal(sc_layer_compression(SC_MT_OCI_LAYER_GZIP), SC_COMP_GZIP);
	assert_int_equal(sc_layer_compression(SC_MT_OCI_LAYER_ZSTD), SC_COMP_ZSTD);
	assert_int_equal(sc_layer_compression(SC_MT_OCI_LAYER_ND), SC_COMP_NONE);
	assert_int_equal(sc_layer_compression(SC_MT_OCI_LAYER_ND_GZIP), SC_COMP_GZIP);
	assert_int_equal(sc_layer_compression(SC_MT_OCI_LAYER_ND_ZSTD), SC_COMP_ZSTD);
	assert_int_equal(sc_layer_compression(SC_MT_DOCKER_LAYER_GZIP), SC_COMP_GZIP);
	assert_int_equal(sc_layer_compression(SC_MT_DOCKER_LAYER_FOREIGN), SC_COMP_GZIP);
	assert_int_equal(sc_layer_compression(SC_MT_DOCKER_LAYER_TAR), SC_COMP_NONE);
	assert_int_equal(sc_layer_compression("application/vnd.docker.image.rootfs.diff.tar"), SC_COMP_NONE);
	assert_int_equal(sc_layer_compression(SC_MT_OCI_CONFIG), SC_COMP_UNKNOWN);
	assert_int_equal(sc_layer_compression("application/octet-stream"), SC_COMP_UNKNOWN);
	assert_int_equal(sc_layer_compression(""), SC_COMP_UNKNOWN);
	assert_int_equal(sc_layer_compression(NULL), SC_COMP_UNKNOWN);
	assert_string_equal(sc_compression_name(SC_COMP_NONE), "none");
	assert_string_equal(sc_compression_name(SC_COMP_GZIP), "gzip");
	assert_string_equal(sc_compression_name(SC_COMP_ZSTD), "zstd");
	assert_string_equal(sc_compression_name(SC_COMP_UNKNOWN), "unknown");
	assert_string_equal(sc_compression_name((sc_compression)42), "unknown");
}

static void test_platform_parse(void **state)
{
	static const char *const bad[] = {
		"", "linux", "linux/", "/amd64", "linux//v8", "linux/arm64/", "a/b/c/d", "/", "//", "linux/arm/v7/x",
	};
	sc_platform p, q;
	char buf[64];
	size_t i;

	(void)state;
	assert_int_equal(sc_platform_parse(&p, "linux/amd64"), 0);
	assert_string_equal(p.os, "linux");
	assert_string_equal(p.architecture, "amd64");
	assert_null(p.variant);
	assert_null(p.os_version);
	assert_string_equal(sc_platform_fmt(&p, buf, sizeof(buf)), "linux/amd64");
	sc_platform_release(&p);
	assert_null(p.os);
	assert_int_equal(sc_platform_parse(&p, "linux/arm64/v8"), 0);
	assert_string_equal(p.variant, "v8");
	assert_string_equal(sc_platform_fmt(&p, buf, sizeof(buf)), "linux/arm64/v8");
	/* truncation is safe */
	assert_string_equal(sc_platform_fmt(&p, buf, 6), "linux");
	sc_platform_release(&p);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&q, 0x77, sizeof(q));
		memcpy(&p, &q, sizeof(p));
		if (sc_platform_parse(&p, bad[i]) != SC_EUSAGE)
			fail_msg("platform '%s' accepted", bad[i]);
		assert_memory_equal(&p, &q, sizeof(p));
	}
	assert_int_equal(sc_platform_parse(&p, NULL), SC_EUSAGE);
	sc_platform_release(NULL);
	memset(&p, 0, sizeof(p));
	sc_platform_release(&p);
}

static void test_platform_default(void **state)
{
	sc_platform p;
	char buf[64];

	(void)state;
	assert_int_equal(sc_platform_default(&p), 0);
	assert_string_equal(p.os, "linux");
#if defined(__x86_64__)
	assert_string_equal(p.architecture, "amd64");
	assert_null(p.variant);
	assert_string_equal(sc_platform_fmt(&p, buf, sizeof(buf)), "linux/amd64");
#elif defined(__aarch64__)
	assert_string_equal(p.architecture, "arm64");
	assert_string_equal(p.variant, "v8");
	assert_string_equal(sc_platform_fmt(&p, buf, sizeof(buf)), "linux/arm64/v8");
#else
	(void)buf;
	assert_non_null(p.architecture);
#endif
	sc_platform_release(&p);
}

static void test_release_zeroed(void **state)
{
	sc_index ix;
	sc_manifest m;
	sc_config c;

	(void)state;
	memset(&ix, 0, sizeof(ix));
	memset(&m, 0, sizeof(m));
	memset(&c, 0, sizeof(c));
	sc_index_release(&ix);
	sc_manifest_release(&m);
	sc_config_release(&c);
	sc_index_release(NULL);
	sc_manifest_release(NULL);
	sc_config_release(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oci_index),
		cmocka_unit_test(test_docker_list),
		cmocka_unit_test(test_layout_index),
		cmocka_unit_test(test_index_artifact_and_empty),
		cmocka_unit_test(test_select_oci),
		cmocka_unit_test(test_select_docker),
		cmocka_unit_test(test_select_misc),
		cmocka_unit_test(test_oci_manifest),
		cmocka_unit_test(test_docker_manifest),
		cmocka_unit_test(test_manifest_minimal),
		cmocka_unit_test(test_manifest_annotations),
		cmocka_unit_test(test_max_layers),
		cmocka_unit_test(test_max_index_entries),
		cmocka_unit_test(test_docker_config),
		cmocka_unit_test(test_config_nulls_and_minimal),
		cmocka_unit_test(test_config_healthcheck),
		cmocka_unit_test(test_config_rejects),
		cmocka_unit_test(test_config_limits),
		cmocka_unit_test(test_bad_digests),
		cmocka_unit_test(test_bad_descriptors),
		cmocka_unit_test(test_schema_and_kind_mismatch),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_deep_and_large),
		cmocka_unit_test(test_doc_detect),
		cmocka_unit_test(test_layer_compression),
		cmocka_unit_test(test_platform_parse),
		cmocka_unit_test(test_platform_default),
		cmocka_unit_test(test_release_zeroed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
