/*
 * test_image.c - opening images (src/image/image.c, source*.c): OCI layouts
 * (directory and archive) with a two-platform index, REF and --platform
 * selection, docker-archive layouts, and the integrity checks (digest
 * mismatch, missing blob, diff_id count).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/digest.h"
#include "core/error.h"
#include "image/image.h"
#include "image/tar_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];

/* Digests of the test layout's documents ("sha256:..."). */
static char d_layer[SC_DIGEST_STRLEN], d_cfg_amd[SC_DIGEST_STRLEN], d_cfg_arm[SC_DIGEST_STRLEN];
static char d_man_amd[SC_DIGEST_STRLEN], d_man_arm[SC_DIGEST_STRLEN], d_index[SC_DIGEST_STRLEN];

static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/scute-test-image-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_at(const char *dir, const char *rel, const void *data, size_t len)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	if (tw_write(p, data, len) != 0)
		fail_msg("cannot write %s", p);
}

/* Store a blob in an OCI layout; digest_out gets "sha256:<hex>". */
static size_t put_blob(const char *layout, const void *data, size_t len, char digest_out[SC_DIGEST_STRLEN])
{
	sc_digest d;
	char rel[128], hex[65];

	assert_int_equal(sc_sha256_buf(&d, data, len), 0);
	sc_digest_fmt(&d, digest_out);
	snprintf(rel, sizeof(rel), "blobs/sha256/%s", sc_digest_hex(&d, hex));
	write_at(layout, rel, data, len);
	return len;
}

static size_t put_str(const char *layout, const char *s, char digest_out[SC_DIGEST_STRLEN])
{
	return put_blob(layout, s, strlen(s), digest_out);
}

static void layer_tar(sc_buf *b, const char *content)
{
	sc_buf_init(b, 1 << 20, "layer");
	tw_dir(b, "etc/");
	tw_file(b, "etc/os-release", content);
	tw_end(b);
}

static char *config_json(char *out, size_t outsz, const char *arch, const char *variant, int n_diff_ids,
			 const char *diff_id)
{
	char ids[400] = "";
	int i;

	for (i = 0; i < n_diff_ids; i++) {
		strcat(ids, i ? ",\"" : "\"");
		strcat(ids, diff_id);
		strcat(ids, "\"");
	}
	snprintf(out, outsz,
		 "{\"architecture\":\"%s\",%s%s%s\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"]},"
		 "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[%s]}}",
		 arch, variant ? "\"variant\":\"" : "", variant ? variant : "", variant ? "\"," : "", ids);
	return out;
}

static char *manifest_json(char *out, size_t outsz, const char *cfg_dg, size_t cfg_size, const char *layer_mt,
			   const char *layer_dg, size_t layer_size)
{
	snprintf(out, outsz,
		 "{\"schemaVersion\":2,\"mediaType\":\"" SC_MT_OCI_MANIFEST "\","
		 "\"config\":{\"mediaType\":\"" SC_MT_OCI_CONFIG "\",\"digest\":\"%s\",\"size\":%zu},"
		 "\"layers\":[{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu}]}",
		 cfg_dg, cfg_size, layer_mt, layer_dg, layer_size);
	return out;
}

enum { BAD_NONE = 0, BAD_DIFF_IDS = 1, BAD_LAYER_MT = 2, BAD_CONFIG_MT = 4 };

/*
 * An OCI layout at tmpdir/NAME: index.json tags "multi" (an index of
 * linux/amd64 and linux/arm64/v8) and "single" (the amd64 manifest).
 */
static void make_oci(const char *name, int bad)
{
	char dir[512], doc[4096], cfg[1024], man_amd[2048], man_arm[2048];
	size_t layer_size, cfg_amd_size, cfg_arm_size, man_amd_size, man_arm_size, index_size;
	sc_buf layer;
	const char *lmt = (bad & BAD_LAYER_MT) ? "application/x-strange-layer" : SC_MT_OCI_LAYER;

	snprintf(dir, sizeof(dir), "%s/%s", tmpdir, name);
	run("rm -rf '%s' && mkdir -p '%s/blobs/sha256'", dir, dir);
	write_at(dir, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
	layer_tar(&layer, "ID=test\n");
	layer_size = put_blob(dir, layer.data, layer.len, d_layer);
	sc_buf_release(&layer);

	cfg_amd_size = put_str(dir, config_json(cfg, sizeof(cfg), "amd64", NULL, (bad & BAD_DIFF_IDS) ? 2 : 1, d_layer),
			       d_cfg_amd);
	cfg_arm_size = put_str(dir, config_json(cfg, sizeof(cfg), "arm64", "v8", 1, d_layer), d_cfg_arm);
	man_amd_size = put_str(dir, manifest_json(man_amd, sizeof(man_amd), d_cfg_amd, cfg_amd_size, lmt, d_layer,
						  layer_size),
			       d_man_amd);
	if (bad & BAD_CONFIG_MT) {
		char *p = strstr(man_amd, SC_MT_OCI_CONFIG);

		assert_non_null(p);
		p[strlen(SC_MT_OCI_CONFIG) - 1] = 'X'; /* "...v1+jsoX" */
		man_amd_size = put_str(dir, man_amd, d_man_amd);
	}
	man_arm_size = put_str(dir, manifest_json(man_arm, sizeof(man_arm), d_cfg_arm, cfg_arm_size, lmt, d_layer,
						  layer_size),
			       d_man_arm);
	snprintf(doc, sizeof(doc),
		 "{\"schemaVersion\":2,\"mediaType\":\"" SC_MT_OCI_INDEX "\",\"manifests\":["
		 "{\"mediaType\":\"" SC_MT_OCI_MANIFEST "\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
		 "{\"mediaType\":\"" SC_MT_OCI_MANIFEST "\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}}]}",
		 d_man_amd, man_amd_size, d_man_arm, man_arm_size);
	index_size = put_str(dir, doc, d_index);
	snprintf(doc, sizeof(doc),
		 "{\"schemaVersion\":2,\"manifests\":["
		 "{\"mediaType\":\"" SC_MT_OCI_INDEX "\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"annotations\":{\"org.opencontainers.image.ref.name\":\"multi\"}},"
		 "{\"mediaType\":\"" SC_MT_OCI_MANIFEST "\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"annotations\":{\"org.opencontainers.image.ref.name\":\"single\"}}]}",
		 d_index, index_size, d_man_amd, man_amd_size);
	write_at(dir, "index.json", doc, strlen(doc));
}

static void blob_path(char *out, size_t outsz, const char *layout, const char *digest)
{
	snprintf(out, outsz, "%s/%s/blobs/sha256/%s", tmpdir, layout, digest + 7);
}

static sc_image *open_ok(const char *name, const char *platform)
{
	sc_image *img = NULL;
	sc_platform want = { 0 };
	int rc;

	if (platform)
		assert_int_equal(sc_platform_parse(&want, platform), 0);
	rc = sc_image_open(&img, name, platform ? &want : NULL);
	if (platform)
		sc_platform_release(&want);
	if (rc != 0)
		fail_msg("opening %s: %s", name, sc_error_msg());
	return img;
}

static void open_fails(const char *name, const char *platform, int code, const char *msg_part)
{
	sc_image *img = (sc_image *)0x1;
	sc_platform want = { 0 };
	int rc;

	if (platform)
		assert_int_equal(sc_platform_parse(&want, platform), 0);
	rc = sc_image_open(&img, name, platform ? &want : NULL);
	if (platform)
		sc_platform_release(&want);
	if (rc != code)
		fail_msg("opening %s: got %d, want %d: %s", name, rc, code, sc_error_msg());
	assert_ptr_equal(img, (sc_image *)0x1);
	if (msg_part && !strstr(sc_error_msg(), msg_part))
		fail_msg("message '%s' lacks '%s'", sc_error_msg(), msg_part);
	if (strchr(sc_error_msg(), '\n'))
		fail_msg("message has a newline: '%s'", sc_error_msg());
}

/* Read a whole layer through its verified stream. */
static void read_layer(sc_image *img, size_t i, size_t *len_out)
{
	sc_stream *s = NULL;
	char buf[4096];
	ssize_t n;
	size_t total = 0;

	if (sc_image_open_layer(img, i, &s) != 0)
		fail_msg("layer %zu: %s", i, sc_error_msg());
	while ((n = sc_stream_read(s, buf, sizeof(buf))) > 0)
		total += (size_t)n;
	if (n < 0)
		fail_msg("layer %zu: %s", i, sc_error_msg());
	sc_stream_close(s);
	if (len_out)
		*len_out = total;
}

static void test_oci_select(void **state)
{
	char name[600], dg[SC_DIGEST_STRLEN], lname[80];
	sc_image *img;

	(void)state;
	make_oci("lay", BAD_NONE);

	snprintf(name, sizeof(name), "oci:%s/lay:multi", tmpdir);
	img = open_ok(name, "linux/arm64/v8");
	assert_true(img->from_index);
	assert_string_equal(sc_digest_fmt(&img->index_digest, dg), d_index);
	assert_string_equal(sc_digest_fmt(&img->manifest_digest, dg), d_man_arm);
	assert_string_equal(img->manifest_media_type, SC_MT_OCI_MANIFEST);
	assert_string_equal(img->platform.architecture, "arm64");
	assert_string_equal(img->platform.variant, "v8");
	assert_string_equal(img->config.platform.architecture, "arm64");
	assert_int_equal(img->manifest.n_layers, 1);
	assert_int_equal(img->config.n_diff_ids, 1);
	read_layer(img, 0, NULL);
	snprintf(lname, sizeof(lname), "layer 1/1 (sha256:%.12s)", d_layer + 7);
	assert_string_equal(sc_image_layer_name(img, 0, name, sizeof(name)), lname);
	{
		sc_stream *s = (sc_stream *)0x1;

		assert_int_equal(sc_image_open_layer(img, 1, &s), SC_EUSAGE);
		assert_ptr_equal(s, (sc_stream *)0x1);
	}
	sc_image_free(img);

	snprintf(name, sizeof(name), "oci:%s/lay:multi", tmpdir);
	img = open_ok(name, "linux/amd64");
	assert_string_equal(sc_digest_fmt(&img->manifest_digest, dg), d_man_amd);
	assert_string_equal(img->platform.architecture, "amd64");
	assert_string_equal(sc_digest_fmt(&img->config.diff_ids[0], dg), d_layer);
	sc_image_free(img);

	/* the host default platform (linux/amd64 or linux/arm64 on test machines) */
#if defined(__x86_64__) || defined(__aarch64__)
	img = open_ok(name, NULL);
	assert_true(img->from_index);
	sc_image_free(img);
#endif

	open_fails(name, "linux/s390x", SC_ENOTFOUND, "linux/arm64");

	snprintf(name, sizeof(name), "oci:%s/lay:single", tmpdir);
	img = open_ok(name, NULL);
	assert_false(img->from_index);
	assert_string_equal(sc_digest_fmt(&img->manifest_digest, dg), d_man_amd);
	assert_string_equal(img->platform.os, "linux");
	assert_int_equal(img->manifest_raw.len > 0, 1);
	assert_int_equal(img->config_raw.len > 0, 1);
	sc_image_free(img);

	snprintf(name, sizeof(name), "oci:%s/lay", tmpdir);
	open_fails(name, NULL, SC_EUSAGE, "tags: multi, single");
	snprintf(name, sizeof(name), "oci:%s/lay:nope", tmpdir);
	open_fails(name, NULL, SC_ENOTFOUND, "no image tagged 'nope'");
	open_fails(name, NULL, SC_ENOTFOUND, "(tags: multi, single)");
	sc_image_free(NULL);
}

static void test_oci_archive(void **state)
{
	char name[600];
	sc_image *img;

	(void)state;
	make_oci("arch", BAD_NONE);
	run("tar -C '%s/arch' -cf '%s/arch.tar' .", tmpdir, tmpdir);
	snprintf(name, sizeof(name), "oci-archive:%s/arch.tar:multi", tmpdir);
	img = open_ok(name, "linux/arm64");
	assert_string_equal(img->platform.architecture, "arm64");
	read_layer(img, 0, NULL);
	sc_image_free(img);

	run("gzip -c '%s/arch.tar' > '%s/arch.tar.gz'", tmpdir, tmpdir);
	snprintf(name, sizeof(name), "oci-archive:%s/arch.tar.gz", tmpdir);
	open_fails(name, NULL, SC_EUNSUPPORTED, "decompress");
	snprintf(name, sizeof(name), "oci-archive:%s/missing.tar", tmpdir);
	open_fails(name, NULL, SC_ENOTFOUND, "missing.tar");
	/* docker:// goes to the registry client; a bad reference fails before any I/O. */
	open_fails("docker://example/x:1", NULL, SC_EUSAGE, "must contain");
	open_fails("nonsense", NULL, SC_EUSAGE, "transport");
}

static void test_oci_layout_file(void **state)
{
	char name[600], dir[512];

	(void)state;
	make_oci("nolayout", BAD_NONE);
	snprintf(dir, sizeof(dir), "%s/nolayout", tmpdir);
	snprintf(name, sizeof(name), "oci:%s:single", dir);
	run("rm '%s/oci-layout'", dir);
	open_fails(name, NULL, SC_EINPUT, "oci-layout");
	write_at(dir, "oci-layout", "{\"imageLayoutVersion\":\"2.0.0\"}", 30);
	open_fails(name, NULL, SC_EINPUT, "2.0.0");
	write_at(dir, "oci-layout", "not json", 8);
	open_fails(name, NULL, SC_EINPUT, "oci-layout");
	/* the parser's code is kept (a limit stays a limit, out of memory stays internal) */
	write_at(dir, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\",\"x\":[[[[[1]]]]]}", 46);
	open_fails(name, NULL, SC_ELIMIT, "nested deeper");
	write_at(dir, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
	run("rm '%s/index.json'", dir);
	open_fails(name, NULL, SC_EINPUT, "index.json");
}

static void test_digest_mismatch(void **state)
{
	char name[600], p[1024], want[128];
	FILE *f;

	(void)state;
	make_oci("corrupt", BAD_NONE);
	blob_path(p, sizeof(p), "corrupt", d_cfg_amd);
	/* same size, different bytes */
	f = fopen(p, "r+b");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	fputc('[', f);
	fclose(f);
	snprintf(name, sizeof(name), "oci:%s/corrupt:single", tmpdir);
	snprintf(want, sizeof(want), "blob %s", d_cfg_amd);
	open_fails(name, NULL, SC_EDIGEST, want);
	open_fails(name, NULL, SC_EDIGEST, "digest mismatch");
	/* the other platform is intact */
	snprintf(name, sizeof(name), "oci:%s/corrupt:multi", tmpdir);
	sc_image_free(open_ok(name, "linux/arm64/v8"));
	/* a truncated blob is a size mismatch */
	run("truncate -s 10 '%s'", p);
	snprintf(name, sizeof(name), "oci:%s/corrupt:single", tmpdir);
	open_fails(name, NULL, SC_EDIGEST, want);
}

static void test_missing_blob(void **state)
{
	char name[600], p[1024], want[128];
	sc_image *img;
	sc_stream *s = (sc_stream *)0x1;

	(void)state;
	make_oci("missing", BAD_NONE);
	/* layer missing: the image opens, the layer does not */
	blob_path(p, sizeof(p), "missing", d_layer);
	assert_int_equal(unlink(p), 0);
	snprintf(name, sizeof(name), "oci:%s/missing:single", tmpdir);
	img = open_ok(name, NULL);
	assert_int_equal(sc_image_open_layer(img, 0, &s), SC_ENOTFOUND);
	assert_ptr_equal(s, (sc_stream *)0x1);
	snprintf(want, sizeof(want), "blob %s", d_layer);
	assert_non_null(strstr(sc_error_msg(), want));
	sc_image_free(img);
	/* config missing */
	blob_path(p, sizeof(p), "missing", d_cfg_amd);
	assert_int_equal(unlink(p), 0);
	snprintf(want, sizeof(want), "blob %s", d_cfg_amd);
	open_fails(name, NULL, SC_ENOTFOUND, want);
	/* child manifest of the index missing */
	blob_path(p, sizeof(p), "missing", d_man_arm);
	assert_int_equal(unlink(p), 0);
	snprintf(name, sizeof(name), "oci:%s/missing:multi", tmpdir);
	snprintf(want, sizeof(want), "blob %s", d_man_arm);
	open_fails(name, "linux/arm64", SC_ENOTFOUND, want);
}

static void test_checks(void **state)
{
	char name[600];

	(void)state;
	make_oci("diffids", BAD_DIFF_IDS);
	snprintf(name, sizeof(name), "oci:%s/diffids:single", tmpdir);
	open_fails(name, NULL, SC_EINPUT, "image config lists 2 diff_ids but the manifest has 1 layers");

	make_oci("layermt", BAD_LAYER_MT);
	snprintf(name, sizeof(name), "oci:%s/layermt:single", tmpdir);
	open_fails(name, NULL, SC_EUNSUPPORTED, "application/x-strange-layer");

	make_oci("cfgmt", BAD_CONFIG_MT);
	snprintf(name, sizeof(name), "oci:%s/cfgmt:single", tmpdir);
	open_fails(name, NULL, SC_EUNSUPPORTED, "v1+jsoX");
}

/* ---- docker-archive ---- */

static void sha_hex(const void *data, size_t len, char out[SC_DIGEST_STRLEN])
{
	sc_digest d;

	assert_int_equal(sc_sha256_buf(&d, data, len), 0);
	sc_digest_fmt(&d, out);
}

/*
 * A `docker save`-style archive with two images: "busybox:latest" (layers:
 * an uncompressed tar, a gzip-compressed tar, and a symlink to the first)
 * and "example.com/team/app:1.0" (arm64, one layer).
 */
static void make_docker_archive(const char *name, int bad_count)
{
	char dir[512], cfg[1024], cfg2[1024], ids[600], man[2048];
	char d1[SC_DIGEST_STRLEN], d2[SC_DIGEST_STRLEN], dc[SC_DIGEST_STRLEN], dc2[SC_DIGEST_STRLEN];
	sc_buf l1, l2;

	snprintf(dir, sizeof(dir), "%s/%s.d", tmpdir, name);
	run("rm -rf '%s' && mkdir -p '%s/aaa' '%s/bbb' '%s/ccc'", dir, dir, dir, dir);
	layer_tar(&l1, "layer one\n");
	layer_tar(&l2, "layer two\n");
	sha_hex(l1.data, l1.len, d1);
	sha_hex(l2.data, l2.len, d2);
	write_at(dir, "aaa/layer.tar", l1.data, l1.len);
	write_at(dir, "bbb/layer.tar", l2.data, l2.len);
	run("gzip -n '%s/bbb/layer.tar' && mv '%s/bbb/layer.tar.gz' '%s/bbb/layer.tar'", dir, dir, dir);
	run("ln -s ../aaa/layer.tar '%s/ccc/layer.tar'", dir);
	sc_buf_release(&l1);
	sc_buf_release(&l2);
	if (bad_count)
		snprintf(ids, sizeof(ids), "\"%s\",\"%s\"", d1, d2);
	else
		snprintf(ids, sizeof(ids), "\"%s\",\"%s\",\"%s\"", d1, d2, d1);
	snprintf(cfg, sizeof(cfg),
		 "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[%s]}}",
		 ids);
	sha_hex(cfg, strlen(cfg), dc);
	write_at(dir, "cfg1.json", cfg, strlen(cfg));
	snprintf(cfg2, sizeof(cfg2),
		 "{\"architecture\":\"arm64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}",
		 d1);
	sha_hex(cfg2, strlen(cfg2), dc2);
	write_at(dir, "cfg2.json", cfg2, strlen(cfg2));
	snprintf(man, sizeof(man),
		 "[{\"Config\":\"cfg1.json\",\"RepoTags\":[\"busybox:latest\"],"
		 "\"Layers\":[\"aaa/layer.tar\",\"bbb/layer.tar\",\"ccc/layer.tar\"]},"
		 "{\"Config\":\"cfg2.json\",\"RepoTags\":[\"example.com/team/app:1.0\"],\"Layers\":[\"aaa/layer.tar\"]}]");
	write_at(dir, "manifest.json", man, strlen(man));
	run("cd '%s' && tar -cf '%s/%s' manifest.json cfg1.json cfg2.json aaa bbb ccc", dir, tmpdir, name);
	(void)dc;
	(void)dc2;
}

static void test_docker_archive(void **state)
{
	char name[600], dg[SC_DIGEST_STRLEN], gz[SC_DIGEST_STRLEN], p[600];
	sc_image *img, *img2;
	size_t len;

	(void)state;
	make_docker_archive("save.tar", 0);

	snprintf(name, sizeof(name), "docker-archive:%s/save.tar:busybox:latest", tmpdir);
	img = open_ok(name, NULL);
	assert_false(img->from_index);
	assert_string_equal(img->manifest_media_type, SC_MT_DOCKER_MANIFEST);
	assert_int_equal(img->manifest.n_layers, 3);
	assert_string_equal(img->manifest.config.media_type, SC_MT_DOCKER_CONFIG);
	assert_string_equal(img->manifest.layers[0].media_type, SC_MT_DOCKER_LAYER_TAR);
	assert_string_equal(img->manifest.layers[1].media_type, SC_MT_DOCKER_LAYER_GZIP);
	assert_string_equal(img->manifest.layers[2].media_type, SC_MT_DOCKER_LAYER_TAR);
	/* uncompressed layers carry their diff_id, the gzip layer its own digest */
	assert_true(sc_digest_eq(&img->manifest.layers[0].digest, &img->config.diff_ids[0]));
	assert_true(sc_digest_eq(&img->manifest.layers[2].digest, &img->config.diff_ids[2]));
	assert_false(sc_digest_eq(&img->manifest.layers[1].digest, &img->config.diff_ids[1]));
	{
		sc_buf gzb;

		sc_buf_init(&gzb, 1 << 20, "gz");
		snprintf(p, sizeof(p), "%s/save.tar.d/bbb/layer.tar", tmpdir);
		{
			FILE *f = fopen(p, "rb");
			char c[4096];
			size_t n;

			assert_non_null(f);
			while ((n = fread(c, 1, sizeof(c), f)) > 0)
				sc_buf_append(&gzb, c, n);
			fclose(f);
		}
		sha_hex(gzb.data, gzb.len, gz);
		assert_string_equal(sc_digest_fmt(&img->manifest.layers[1].digest, dg), gz);
		assert_int_equal(img->manifest.layers[1].size, gzb.len);
		sc_buf_release(&gzb);
	}
	read_layer(img, 0, &len);
	assert_int_equal(len, img->manifest.layers[0].size);
	read_layer(img, 1, NULL);
	read_layer(img, 2, NULL);
	assert_string_equal(img->platform.architecture, "amd64");
	/* the synthesized manifest is deterministic */
	img2 = open_ok(name, NULL);
	assert_int_equal(img2->manifest_raw.len, img->manifest_raw.len);
	assert_memory_equal(img2->manifest_raw.data, img->manifest_raw.data, img->manifest_raw.len);
	assert_true(sc_digest_eq(&img->manifest_digest, &img2->manifest_digest));
	sc_image_free(img2);
	sc_image_free(img);

	snprintf(name, sizeof(name), "docker-archive:%s/save.tar:docker.io/library/busybox", tmpdir);
	img = open_ok(name, NULL);
	assert_int_equal(img->manifest.n_layers, 3);
	sc_image_free(img);
	snprintf(name, sizeof(name), "docker-archive:%s/save.tar:@1", tmpdir);
	img = open_ok(name, NULL);
	assert_int_equal(img->manifest.n_layers, 1);
	assert_string_equal(img->platform.architecture, "arm64");
	sc_image_free(img);
	snprintf(name, sizeof(name), "docker-archive:%s/save.tar:example.com/team/app:1.0", tmpdir);
	img = open_ok(name, NULL);
	assert_int_equal(img->manifest.n_layers, 1);
	sc_image_free(img);

	snprintf(name, sizeof(name), "docker-archive:%s/save.tar", tmpdir);
	open_fails(name, NULL, SC_EUSAGE, "busybox:latest, example.com/team/app:1.0");
	snprintf(name, sizeof(name), "docker-archive:%s/save.tar:@2", tmpdir);
	open_fails(name, NULL, SC_ENOTFOUND, "@2");
	snprintf(name, sizeof(name), "docker-archive:%s/save.tar:@x", tmpdir);
	open_fails(name, NULL, SC_EUSAGE, "@x");
	snprintf(name, sizeof(name), "docker-archive:%s/save.tar:busybox:1.0", tmpdir);
	open_fails(name, NULL, SC_ENOTFOUND, "no image tagged 'busybox:1.0'");
	/* an OCI layout is not a docker archive */
	run("tar -C '%s/lay' -cf '%s/oci-as-docker.tar' .", tmpdir, tmpdir);
	snprintf(name, sizeof(name), "docker-archive:%s/oci-as-docker.tar", tmpdir);
	open_fails(name, NULL, SC_EINPUT, "manifest.json");
}

static void test_docker_archive_bad(void **state)
{
	char name[600];

	(void)state;
	make_docker_archive("bad.tar", 1);
	snprintf(name, sizeof(name), "docker-archive:%s/bad.tar:busybox:latest", tmpdir);
	open_fails(name, NULL, SC_EINPUT, "2 diff_ids but manifest.json has 3 layers");
}

/* A name with an embedded NUL ("\u0000") must not open the member named by its prefix. */
static void test_docker_archive_nul_names(void **state)
{
	static const char *const mans[] = {
		"[{\"Config\":\"cfg2.json\",\"RepoTags\":[],\"Layers\":[\"aaa/layer.tar\\u0000x\"]}]",
		"[{\"Config\":\"cfg2.json\\u0000x\",\"RepoTags\":[],\"Layers\":[\"aaa/layer.tar\"]}]",
		"[{\"Config\":\"cfg2.json\",\"RepoTags\":[\"app:1\\u0000x\"],\"Layers\":[\"aaa/layer.tar\"]}]",
	};
	static const char clean[] =
		"[{\"Config\":\"cfg2.json\",\"RepoTags\":[\"app:1\"],\"Layers\":[\"aaa/layer.tar\"]}]";
	char name[600], dir[512];
	size_t i;

	(void)state;
	make_docker_archive("nul.tar", 0);
	snprintf(dir, sizeof(dir), "%s/nul.tar.d", tmpdir);
	for (i = 0; i < sizeof(mans) / sizeof(mans[0]); i++) {
		write_at(dir, "manifest.json", mans[i], strlen(mans[i]));
		run("cd '%s' && tar -cf '%s/nul.tar' manifest.json cfg1.json cfg2.json aaa bbb ccc", dir, tmpdir);
		if (i < 2) {
			snprintf(name, sizeof(name), "docker-archive:%s/nul.tar", tmpdir);
			open_fails(name, NULL, SC_EINPUT, "NUL");
		} else {
			snprintf(name, sizeof(name), "docker-archive:%s/nul.tar:app:1", tmpdir);
			open_fails(name, NULL, SC_ENOTFOUND, "no image tagged 'app:1'");
		}
	}
	/* the same archive with clean names opens */
	write_at(dir, "manifest.json", clean, strlen(clean));
	run("cd '%s' && tar -cf '%s/nul.tar' manifest.json cfg1.json cfg2.json aaa bbb ccc", dir, tmpdir);
	snprintf(name, sizeof(name), "docker-archive:%s/nul.tar:app:1", tmpdir);
	sc_image_free(open_ok(name, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oci_select),
		cmocka_unit_test(test_oci_archive),
		cmocka_unit_test(test_oci_layout_file),
		cmocka_unit_test(test_digest_mismatch),
		cmocka_unit_test(test_missing_blob),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_docker_archive),
		cmocka_unit_test(test_docker_archive_bad),
		cmocka_unit_test(test_docker_archive_nul_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
