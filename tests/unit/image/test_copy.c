/*
 * test_copy.c - the copy engine (src/image/copy.c) between OCI layouts
 * built in a temp dir: a single manifest, an index (all platforms, one
 * platform), a second copy that moves nothing, a corrupt source blob
 * (SC_EDIGEST, the destination's index.json unchanged), cosign signature
 * tags and referrers copied along, docker-archive -> oci conversion.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "image/copy.h"
#include "image/image.h"
#include "layout_builder.h"
#include "tar_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define tmpdir lb_tmpdir
#define slurp lb_slurp

static int setup(void **state)
{
	(void)state;
	return lb_mktemp("/tmp/scute-test-copy-XXXXXX");
}

static int teardown(void **state)
{
	(void)state;
	return lb_rmtemp();
}

/* Copy src_name to dst_name; returns sc_copy_image's result. */
static int copy(const char *src_name, const char *dst_name, const sc_copy_opts *o, sc_copy_result *res)
{
	sc_imgref ref;
	sc_source *src = NULL;
	sc_dest *dst = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	assert_int_equal(sc_imgref_parse(&ref, src_name), 0);
	if ((rc = sc_source_open(&src, &ref)) != 0)
		goto out;
	if ((rc = sc_dest_open(&dst, dst_name, NULL)) != 0)
		goto out;
	rc = sc_copy_image(src, NULL, dst, o, res);
out:
	sc_dest_free(dst);
	sc_source_free(src);
	sc_imgref_release(&ref);
	return rc;
}

static void cfg_for(char *out, size_t outsz, const char *arch, size_t n_layers, unsigned seed)
{
	size_t o, i;

	o = (size_t)snprintf(out, outsz, "{\"architecture\":\"%s\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[",
			     arch);
	for (i = 0; i < n_layers; i++)
		o += (size_t)snprintf(out + o, outsz - o, "%s\"sha256:%064zu\"", i ? "," : "", i + seed * 100);
	snprintf(out + o, outsz - o, "]}}");
}

static const size_t sizes[] = { 300000, 120000, 5000 };

/* An image in layout dir (tag v1); its manifest digest into dg. */
static void make_image(const char *dir, unsigned seed, char dg[SC_DIGEST_STRLEN], size_t *msize)
{
	char cfg[4096], ent[512];

	lb_init(dir);
	cfg_for(cfg, sizeof(cfg), "amd64", 3, seed);
	lb_image(dir, cfg, sizes, 3, seed, "", dg, msize);
	snprintf(ent, sizeof(ent),
		 "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}}", dg, *msize);
	lb_index(dir, ent);
}

static void test_single_manifest(void **state)
{
	char dir[512], src[600], dst[600], dg[SC_DIGEST_STRLEN], got[SC_DIGEST_STRLEN];
	sc_copy_opts o = { .signatures = 1, .jobs = 3 };
	sc_copy_result r;
	sc_image *img = NULL;
	uint64_t progress = 0;
	size_t msize;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/single", tmpdir);
	make_image(dir, 1, dg, &msize);
	snprintf(src, sizeof(src), "oci:%s:v1", dir);
	snprintf(dst, sizeof(dst), "oci:%s/single-dst:mirrored", tmpdir);
	o.progress = &progress;
	assert_int_equal(copy(src, dst, &o, &r), 0);
	assert_string_equal(sc_digest_fmt(&r.root, got), dg);
	assert_string_equal(r.root_media_type, SC_MT_OCI_MANIFEST);
	assert_int_equal(r.blobs, 4);
	assert_int_equal(r.blobs_skipped, 0);
	assert_int_equal(r.manifests, 1);
	assert_int_equal(r.signatures, 0);
	assert_true(r.bytes_sent > 300000 + 120000 + 5000);
	assert_int_equal(progress, r.bytes_sent);
	sc_copy_result_release(&r);
	assert_int_equal(sc_image_open(&img, dst, NULL), 0);
	assert_string_equal(sc_digest_fmt(&img->manifest_digest, got), dg);
	sc_image_free(img);

	/* Again: nothing moves, all skipped, still succeeds without replace. */
	assert_int_equal(copy(src, dst, &o, &r), 0);
	assert_int_equal(r.bytes_sent, 0);
	assert_int_equal(r.blobs_skipped, 4);
	sc_copy_result_release(&r);
}

/* A two-platform index; its digest into ix_dg, the arm64 manifest's into arm_dg. */
static void make_index(const char *dir, char ix_dg[SC_DIGEST_STRLEN], char arm_dg[SC_DIGEST_STRLEN],
		       char amd_dg[SC_DIGEST_STRLEN])
{
	char cfg[4096], ix[2048], ent[512];
	size_t sa, sb;

	lb_init(dir);
	cfg_for(cfg, sizeof(cfg), "amd64", 3, 7);
	lb_image(dir, cfg, sizes, 3, 7, "", amd_dg, &sa);
	cfg_for(cfg, sizeof(cfg), "arm64", 3, 8);
	lb_image(dir, cfg, sizes, 3, 8, "", arm_dg, &sb);
	snprintf(ix, sizeof(ix),
		 "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"manifests\":["
		 "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
		 "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu,\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}}]}",
		 SC_MT_OCI_INDEX, SC_MT_OCI_MANIFEST, amd_dg, sa, SC_MT_OCI_MANIFEST, arm_dg, sb);
	lb_blob_str(dir, ix, ix_dg);
	snprintf(ent, sizeof(ent),
		 "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"annotations\":{\"org.opencontainers.image.ref.name\":\"multi\"}}", SC_MT_OCI_INDEX, ix_dg, strlen(ix));
	lb_index(dir, ent);
}

static void test_index(void **state)
{
	char dir[512], src[600], dst[600], ix_dg[SC_DIGEST_STRLEN], arm[SC_DIGEST_STRLEN], amd[SC_DIGEST_STRLEN],
		got[SC_DIGEST_STRLEN], path[700];
	sc_platform arm64;
	sc_copy_opts o = { .all_platforms = 1 };
	sc_copy_result r;
	sc_image *img = NULL;
	char *ix;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/multi", tmpdir);
	make_index(dir, ix_dg, arm, amd);
	snprintf(src, sizeof(src), "oci:%s:multi", dir);
	/* All platforms: the index and both manifests, digests kept. */
	snprintf(dst, sizeof(dst), "oci:%s/multi-all:m", tmpdir);
	assert_int_equal(copy(src, dst, &o, &r), 0);
	assert_string_equal(sc_digest_fmt(&r.root, got), ix_dg);
	assert_string_equal(r.root_media_type, SC_MT_OCI_INDEX);
	assert_int_equal(r.manifests, 3);
	assert_int_equal(r.blobs, 8);
	sc_copy_result_release(&r);
	assert_int_equal(sc_platform_parse(&arm64, "linux/arm64"), 0);
	assert_int_equal(sc_image_open(&img, dst, &arm64), 0);
	assert_string_equal(sc_digest_fmt(&img->manifest_digest, got), arm);
	sc_image_free(img);
	img = NULL;

	/* One platform: that manifest alone (its digest unchanged), no index. */
	o.all_platforms = 0;
	o.platform = &arm64;
	snprintf(dst, sizeof(dst), "oci:%s/multi-arm:m", tmpdir);
	assert_int_equal(copy(src, dst, &o, &r), 0);
	assert_string_equal(sc_digest_fmt(&r.root, got), arm);
	assert_int_equal(r.manifests, 1);
	assert_int_equal(r.blobs, 4);
	sc_copy_result_release(&r);
	snprintf(path, sizeof(path), "%s/multi-arm/index.json", tmpdir);
	ix = slurp(path);
	assert_non_null(strstr(ix, arm));
	assert_null(strstr(ix, ix_dg));
	free(ix);
	snprintf(path, sizeof(path), "%s/multi-arm/blobs/sha256/%s", tmpdir, amd + 7);
	assert_int_not_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/multi-arm/blobs/sha256/%s", tmpdir, ix_dg + 7);
	assert_int_not_equal(access(path, F_OK), 0);
	/* No such platform: SC_ENOTFOUND naming what there is. */
	{
		sc_platform s390;

		assert_int_equal(sc_platform_parse(&s390, "linux/s390x"), 0);
		o.platform = &s390;
		snprintf(dst, sizeof(dst), "oci:%s/multi-none:m", tmpdir);
		assert_int_equal(copy(src, dst, &o, &r), SC_ENOTFOUND);
		assert_non_null(strstr(sc_error_msg(), "arm64"));
		sc_platform_release(&s390);
	}
	/* A docker archive holds one image: --all-platforms is refused there. */
	o.all_platforms = 1;
	o.platform = NULL;
	snprintf(dst, sizeof(dst), "docker-archive:%s/multi.tar:x/y:1", tmpdir);
	assert_int_equal(copy(src, dst, &o, &r), SC_EUSAGE);
	o.all_platforms = 0;
	o.platform = &arm64;
	assert_int_equal(copy(src, dst, &o, &r), 0);
	assert_string_equal(sc_digest_fmt(&r.root, got), arm);
	sc_copy_result_release(&r);
	sc_platform_release(&arm64);
}

static void test_corrupt_blob(void **state)
{
	char dir[512], src[600], dst[600], dg[SC_DIGEST_STRLEN], other[SC_DIGEST_STRLEN], path[700], cmd[1600];
	sc_copy_opts o = { .jobs = 4 };
	sc_copy_result r;
	char *before, *after;
	size_t msize;
	sc_image *img = NULL;
	FILE *f;

	(void)state;
	/* The destination holds another image under the same tag. */
	snprintf(dir, sizeof(dir), "%s/corrupt-old", tmpdir);
	make_image(dir, 3, other, &msize);
	snprintf(src, sizeof(src), "oci:%s:v1", dir);
	snprintf(dst, sizeof(dst), "oci:%s/corrupt-dst:v1", tmpdir);
	assert_int_equal(copy(src, dst, &o, &r), 0);
	sc_copy_result_release(&r);
	snprintf(path, sizeof(path), "%s/corrupt-dst/index.json", tmpdir);
	before = slurp(path);

	snprintf(dir, sizeof(dir), "%s/corrupt", tmpdir);
	make_image(dir, 4, dg, &msize);
	assert_int_equal(sc_image_open(&img, src, NULL), 0);
	sc_image_free(img);
	img = NULL;
	snprintf(src, sizeof(src), "oci:%s:v1", dir);
	assert_int_equal(sc_image_open(&img, src, NULL), 0);
	{
		char hex[65];

		snprintf(path, sizeof(path), "%s/blobs/sha256/%s", dir, sc_digest_hex(&img->manifest.layers[1].digest, hex));
	}
	sc_image_free(img);
	f = fopen(path, "r+b");
	assert_non_null(f);
	fseek(f, 1000, SEEK_SET);
	fputc('!', f);
	fputc('!', f);
	fclose(f);
	/* Even with replace the failed copy changes no name. */
	{
		sc_imgref ref;
		sc_source *s = NULL;
		sc_dest *d = NULL;
		sc_dest_opts dopts = { .replace = 1 };

		assert_int_equal(sc_imgref_parse(&ref, src), 0);
		assert_int_equal(sc_source_open(&s, &ref), 0);
		assert_int_equal(sc_dest_open(&d, dst, &dopts), 0);
		assert_int_equal(sc_copy_image(s, NULL, d, &o, &r), SC_EDIGEST);
		assert_non_null(strstr(sc_error_msg(), "sha256:"));
		sc_dest_free(d);
		sc_source_free(s);
		sc_imgref_release(&ref);
	}
	after = slurp(path);
	free(after);
	snprintf(path, sizeof(path), "%s/corrupt-dst/index.json", tmpdir);
	after = slurp(path);
	assert_string_equal(before, after);
	/* No temp files and no corrupt blob left behind. */
	snprintf(cmd, sizeof(cmd), "! ls -A '%s/corrupt-dst/blobs/sha256' '%s/corrupt-dst' | grep -q '^\\.tmp'",
		 tmpdir, tmpdir);
	assert_int_equal(system(cmd), 0);
	free(before);
	free(after);
}

static void test_signatures(void **state)
{
	char dir[512], src[600], dst[600], dg[SC_DIGEST_STRLEN], sig[SC_DIGEST_STRLEN], att[SC_DIGEST_STRLEN],
		ref[SC_DIGEST_STRLEN], rix[SC_DIGEST_STRLEN], got[SC_DIGEST_STRLEN], entries[4096], extra[512], buf[2048],
		ssig[SC_DIGEST_STRLEN];
	sc_copy_opts o = { .signatures = 1 };
	sc_copy_result r;
	size_t msize, ssize, asize, rsize, sssize;
	static const size_t one[] = { 250 };
	sc_imgref iref;
	sc_source *s = NULL;
	sc_buf b;
	char *mt = NULL;
	sc_digest gd;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/signed", tmpdir);
	make_image(dir, 5, dg, &msize);
	/* cosign-style .sig and .att manifests, a signature of the signature, and an OCI 1.1 referrer. */
	lb_image(dir, "{\"sig\":1}", one, 1, 50, "", sig, &ssize);
	lb_image(dir, "{\"att\":1}", one, 1, 51, "", att, &asize);
	lb_image(dir, "{\"sig-of-sig\":1}", one, 1, 53, "", ssig, &sssize);
	snprintf(extra, sizeof(extra), ",\"artifactType\":\"application/example\",\"subject\":{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu}",
		 SC_MT_OCI_MANIFEST, dg, msize);
	lb_image(dir, "{\"ref\":1}", one, 1, 52, extra, ref, &rsize);
	snprintf(buf, sizeof(buf),
		 "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"manifests\":[{\"mediaType\":\"%s\",\"digest\":\"%s\","
		 "\"size\":%zu,\"artifactType\":\"application/example\"}]}", SC_MT_OCI_INDEX, SC_MT_OCI_MANIFEST, ref, rsize);
	lb_blob_str(dir, buf, rix);
#define ENT(d, s, n) "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu,\"annotations\":{\"org.opencontainers.image.ref.name\":\"" n "\"}}"
	snprintf(entries, sizeof(entries),
		 ENT(, , "v1") "," ENT(, , "sha256-%s.sig") "," ENT(, , "sha256-%s.att") "," ENT(, , "sha256-%s") ","
		 ENT(, , "sha256-%s.sig"),
		 SC_MT_OCI_MANIFEST, dg, msize, SC_MT_OCI_MANIFEST, sig, ssize, dg + 7, SC_MT_OCI_MANIFEST, att, asize,
		 dg + 7, SC_MT_OCI_INDEX, rix, strlen(buf), dg + 7, SC_MT_OCI_MANIFEST, ssig, sssize, sig + 7);
	lb_index(dir, entries);
	snprintf(src, sizeof(src), "oci:%s:v1", dir);

	/* Without signatures: only the image. */
	o.signatures = 0;
	snprintf(dst, sizeof(dst), "oci:%s/signed-nosig:v1", tmpdir);
	assert_int_equal(copy(src, dst, &o, &r), 0);
	assert_int_equal(r.signatures, 0);
	assert_int_equal(r.manifests, 1);
	sc_copy_result_release(&r);

	o.signatures = 1;
	snprintf(dst, sizeof(dst), "oci:%s/signed-dst:v1", tmpdir);
	assert_int_equal(copy(src, dst, &o, &r), 0);
	assert_string_equal(sc_digest_fmt(&r.root, got), dg);
	assert_int_equal(r.signatures, 4); /* .sig, .att, the referrer, the .sig of the .sig */
	assert_int_equal(r.manifests, 6);  /* + the image and the referrers index */
	assert_int_equal(r.blobs, 2 + 4 * 2 + 2);
	sc_copy_result_release(&r);

	/* Same names, same digests at the destination. */
	snprintf(dst, sizeof(dst), "oci:%s/signed-dst:v1", tmpdir);
	assert_int_equal(sc_imgref_parse(&iref, dst), 0);
	assert_int_equal(sc_source_open(&s, &iref), 0);
	sc_buf_init(&b, SC_MANIFEST_MAX, "doc");
#define HAS(name, want)                                                                  \
	do {                                                                             \
		sc_buf_reset(&b);                                                        \
		assert_int_equal(s->ops->get_doc(s, name, &b, &mt, &gd), 0);             \
		free(mt);                                                                \
		mt = NULL;                                                               \
		assert_string_equal(sc_digest_fmt(&gd, got), want);                      \
	} while (0)
	snprintf(buf, sizeof(buf), "sha256-%s.sig", dg + 7);
	HAS(buf, sig);
	snprintf(buf, sizeof(buf), "sha256-%s.att", dg + 7);
	HAS(buf, att);
	snprintf(buf, sizeof(buf), "sha256-%s.sig", sig + 7);
	HAS(buf, ssig);
	snprintf(buf, sizeof(buf), "sha256-%s", dg + 7);
	HAS(buf, rix);
	HAS(ref, ref);
	sc_buf_release(&b);
	sc_source_free(s);
	sc_imgref_release(&iref);

	/* A second mirror moves nothing and keeps every name. */
	assert_int_equal(copy(src, dst, &o, &r), 0);
	assert_int_equal(r.bytes_sent, 0);
	assert_int_equal(r.signatures, 4);
	sc_copy_result_release(&r);
}

/* A docker save (legacy layout) archive with one uncompressed layer. */
static void make_docker_archive(const char *path, char layer_dg[SC_DIGEST_STRLEN])
{
	sc_buf layer, outer;
	sc_digest d;
	char cfg[512], mj[512];

	sc_buf_init(&layer, 1 << 20, "layer");
	sc_buf_init(&outer, 1 << 22, "archive");
	tw_dir(&layer, "etc/");
	tw_file(&layer, "etc/hello", "hello from a docker archive\n");
	tw_end(&layer);
	sc_sha256_buf(&d, layer.data, layer.len);
	sc_digest_fmt(&d, layer_dg);
	snprintf(cfg, sizeof(cfg),
		 "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}",
		 layer_dg);
	snprintf(mj, sizeof(mj), "[{\"Config\":\"cfg.json\",\"RepoTags\":[\"example.org/app:v1\"],\"Layers\":[\"l1/layer.tar\"]}]");
	tw_file(&outer, "manifest.json", mj);
	tw_file(&outer, "cfg.json", cfg);
	tw_file_opts(&outer, "l1/layer.tar", layer.data, layer.len, NULL);
	tw_end(&outer);
	assert_int_equal(tw_write(path, outer.data, outer.len), 0);
	sc_buf_release(&layer);
	sc_buf_release(&outer);
}

static void test_docker_archive(void **state)
{
	char path[512], src[600], dst[600], layer[SC_DIGEST_STRLEN], got[SC_DIGEST_STRLEN];
	sc_copy_opts o = { .signatures = 1 };
	sc_copy_result r;
	sc_image *img = NULL, *orig = NULL;

	(void)state;
	snprintf(path, sizeof(path), "%s/docker.tar", tmpdir);
	make_docker_archive(path, layer);
	snprintf(src, sizeof(src), "docker-archive:%s", path);
	assert_int_equal(sc_image_open(&orig, src, NULL), 0);
	assert_string_equal(orig->manifest.layers[0].media_type, SC_MT_DOCKER_LAYER_TAR);

	/* To an OCI layout: an OCI manifest (new digest), same layer and config bytes. */
	snprintf(dst, sizeof(dst), "oci:%s/from-docker:v1", tmpdir);
	assert_int_equal(copy(src, dst, &o, &r), 0);
	assert_string_equal(r.root_media_type, SC_MT_OCI_MANIFEST);
	assert_false(sc_digest_eq(&r.root, &orig->manifest_digest));
	sc_copy_result_release(&r);
	assert_int_equal(sc_image_open(&img, dst, NULL), 0);
	assert_string_equal(img->manifest.media_type, SC_MT_OCI_MANIFEST);
	assert_string_equal(img->manifest.config.media_type, SC_MT_OCI_CONFIG);
	assert_string_equal(img->manifest.layers[0].media_type, SC_MT_OCI_LAYER);
	assert_string_equal(sc_digest_fmt(&img->manifest.layers[0].digest, got), layer);
	assert_true(sc_digest_eq(&img->manifest.config.digest, &orig->manifest.config.digest));
	sc_image_free(img);
	img = NULL;

	/* And back to a docker archive: the same layer, loadable by scute's reader. */
	snprintf(src, sizeof(src), "oci:%s/from-docker:v1", tmpdir);
	snprintf(dst, sizeof(dst), "docker-archive:%s/back.tar:example.org/app:v2", tmpdir);
	assert_int_equal(copy(src, dst, &o, &r), 0);
	sc_copy_result_release(&r);
	snprintf(dst, sizeof(dst), "docker-archive:%s/back.tar", tmpdir);
	assert_int_equal(sc_image_open(&img, dst, NULL), 0);
	assert_string_equal(sc_digest_fmt(&img->manifest.layers[0].digest, got), layer);
	assert_true(sc_digest_eq(&img->config.diff_ids[0], &orig->config.diff_ids[0]));
	sc_image_free(img);
	sc_image_free(orig);
}

/* Hostile shapes: indexes nested too deep; a signature tag cycle terminates. */
static void test_hostile(void **state)
{
	char dir[512], src[600], dst[600], dg[SC_DIGEST_STRLEN], cur[SC_DIGEST_STRLEN], doc[1024], ent[2048];
	sc_copy_opts o = { .all_platforms = 1, .signatures = 1 };
	sc_copy_result r;
	size_t msize, len = 0;
	int i;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/deep", tmpdir);
	make_image(dir, 9, dg, &msize);
	memcpy(cur, dg, sizeof(cur));
	len = msize;
	for (i = 0; i < 6; i++) {
		snprintf(doc, sizeof(doc), "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"manifests\":[{\"mediaType\":\"%s\","
			 "\"digest\":\"%s\",\"size\":%zu,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}",
			 SC_MT_OCI_INDEX, i ? SC_MT_OCI_INDEX : SC_MT_OCI_MANIFEST, cur, len);
		lb_blob_str(dir, doc, cur);
		len = strlen(doc);
	}
	snprintf(ent, sizeof(ent),
		 "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"annotations\":{\"org.opencontainers.image.ref.name\":\"deep\"}},"
		 "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}},"
		 "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"annotations\":{\"org.opencontainers.image.ref.name\":\"sha256-%s.sig\"}}",
		 SC_MT_OCI_INDEX, cur, len, SC_MT_OCI_MANIFEST, dg, msize, SC_MT_OCI_MANIFEST, dg, msize, dg + 7);
	lb_index(dir, ent);
	snprintf(src, sizeof(src), "oci:%s:deep", dir);
	snprintf(dst, sizeof(dst), "oci:%s/deep-dst:x", tmpdir);
	assert_int_equal(copy(src, dst, &o, &r), SC_ELIMIT);
	assert_non_null(strstr(sc_error_msg(), "nested"));
	/* The image is its own signature: named, not copied twice, no endless walk. */
	snprintf(src, sizeof(src), "oci:%s:v1", dir);
	assert_int_equal(copy(src, dst, &o, &r), 0);
	assert_int_equal(r.manifests, 1);
	assert_int_equal(r.signatures, 0);
	sc_copy_result_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_manifest),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_corrupt_blob),
		cmocka_unit_test(test_signatures),
		cmocka_unit_test(test_docker_archive),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
