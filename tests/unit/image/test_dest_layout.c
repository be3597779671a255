/*
 * test_dest_layout.c - the oci:/oci-archive:/docker-archive: destination
 * (src/image/dest_layout.c over the writer's raw API): blobs and manifests
 * stored byte for byte and verified, names only at commit, the same
 * content under the same name is not a conflict, another one is (unless
 * replaced), a corrupt source blob leaves nothing behind, put_blob from
 * several threads, docker-archive's manifest.json, referrers-index merge.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "image/dest.h"
#include "image/image.h"
#include "image/source.h"
#include "layout_builder.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define tmpdir lb_tmpdir
#define slurp lb_slurp

static int setup(void **state)
{
	(void)state;
	return lb_mktemp("/tmp/scute-test-dest-XXXXXX");
}

static int teardown(void **state)
{
	(void)state;
	return lb_rmtemp();
}

typedef struct opened {
	sc_imgref ref;
	sc_source *src;
	sc_buf root;
	char *mt;
	sc_digest dg;
	sc_manifest m;
} opened;

static void open_src(opened *o, const char *name)
{
	memset(o, 0, sizeof(*o));
	assert_int_equal(sc_imgref_parse(&o->ref, name), 0);
	assert_int_equal(sc_source_open(&o->src, &o->ref), 0);
	sc_buf_init(&o->root, SC_MANIFEST_MAX, "root");
	assert_int_equal(o->src->ops->get_root(o->src, &o->root, &o->mt, &o->dg), 0);
	assert_int_equal(sc_manifest_parse(&o->m, o->root.data, o->root.len), 0);
}

static void close_src(opened *o)
{
	sc_manifest_release(&o->m);
	free(o->mt);
	sc_buf_release(&o->root);
	sc_source_free(o->src);
	sc_imgref_release(&o->ref);
}

/* Copy o's image into dest by hand; returns commit's result.  *sent: blob bytes. */
static int copy_into(opened *o, const char *dest, int replace, uint64_t *sent)
{
	sc_dest_opts opts = { .replace = replace };
	sc_dest *d = NULL;
	sc_descriptor root;
	size_t i;
	int rc, present;

	*sent = 0;
	if ((rc = sc_dest_open(&d, dest, &opts)) != 0)
		return rc;
	for (i = 0; i <= o->m.n_layers; i++) {
		const sc_descriptor *b = i ? &o->m.layers[i - 1] : &o->m.config;
		uint64_t n = 0;

		assert_int_equal(d->ops->has_blob(d, b, &present), 0);
		if (present)
			continue;
		if ((rc = d->ops->put_blob(d, b, o->src, NULL, &n)) != 0)
			goto out;
		*sent += n;
		assert_int_equal(d->ops->has_blob(d, b, &present), 0);
		assert_true(present);
	}
	memset(&root, 0, sizeof(root));
	root.media_type = o->mt;
	root.digest = o->dg;
	root.size = o->root.len;
	assert_int_equal(d->ops->put_manifest(d, &root, o->root.data, o->root.len), 0);
	assert_int_equal(d->ops->tag(d, d->tag, &root), 0);
	rc = d->ops->commit(d);
out:
	sc_dest_free(d);
	return rc;
}

static void make_src(const char *name, unsigned seed, size_t n_layers, size_t layer_size)
{
	char dir[512], dg[SC_DIGEST_STRLEN], ent[512], cfg[8192];
	size_t sizes[64], i, msize, o;

	for (i = 0; i < n_layers; i++)
		sizes[i] = layer_size + i;
	snprintf(dir, sizeof(dir), "%s/%s", tmpdir, name);
	lb_init(dir);
	cfg[0] = '\0';
	o = (size_t)snprintf(cfg, sizeof(cfg), "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[");
	for (i = 0; i < n_layers; i++)
		o += (size_t)snprintf(cfg + o, sizeof(cfg) - o, "%s\"sha256:%064zu\"", i ? "," : "", i + seed * 100);
	snprintf(cfg + o, sizeof(cfg) - o, "]}}");
	lb_image(dir, cfg, sizes, n_layers, seed, "", dg, &msize);
	snprintf(ent, sizeof(ent),
		 "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}}", dg, msize);
	lb_index(dir, ent);
}

static void test_copy_and_recopy(void **state)
{
	char src[512], dst[512], ix[512];
	opened o;
	uint64_t sent;
	char *before, *after;
	size_t i;

	(void)state;
	make_src("s1", 1, 3, 70000);
	snprintf(src, sizeof(src), "oci:%s/s1:v1", tmpdir);
	snprintf(dst, sizeof(dst), "oci:%s/d1:v1", tmpdir);
	snprintf(ix, sizeof(ix), "%s/d1/index.json", tmpdir);
	open_src(&o, src);
	assert_int_equal(copy_into(&o, dst, 0, &sent), 0);
	assert_int_equal(sent, o.m.config.size + 70000 + 70001 + 70002);
	before = slurp(ix);
	assert_non_null(strstr(before, "\"org.opencontainers.image.ref.name\":\"v1\""));
	/* The same content again: nothing moves, no conflict, index unchanged. */
	assert_int_equal(copy_into(&o, dst, 0, &sent), 0);
	assert_int_equal(sent, 0);
	after = slurp(ix);
	assert_string_equal(before, after);
	free(after);
	free(before);
	/* Byte for byte: the copy reads back with the same digests. */
	{
		sc_image *img = NULL;

		assert_int_equal(sc_image_open(&img, dst, NULL), 0);
		assert_true(sc_digest_eq(&img->manifest_digest, &o.dg));
		assert_int_equal(img->manifest.n_layers, 3);
		for (i = 0; i < 3; i++)
			assert_true(sc_digest_eq(&img->manifest.layers[i].digest, &o.m.layers[i].digest));
		sc_image_free(img);
	}
	close_src(&o);
}

static void test_conflict_and_replace(void **state)
{
	char src[512], dst[512], ix[512];
	opened a, b;
	uint64_t sent;
	char *before, *after;

	(void)state;
	make_src("s2a", 2, 1, 1000);
	make_src("s2b", 3, 1, 1000);
	snprintf(dst, sizeof(dst), "oci:%s/d2:v1", tmpdir);
	snprintf(ix, sizeof(ix), "%s/d2/index.json", tmpdir);
	snprintf(src, sizeof(src), "oci:%s/s2a:v1", tmpdir);
	open_src(&a, src);
	snprintf(src, sizeof(src), "oci:%s/s2b:v1", tmpdir);
	open_src(&b, src);
	assert_int_equal(copy_into(&a, dst, 0, &sent), 0);
	before = slurp(ix);
	assert_int_equal(copy_into(&b, dst, 0, &sent), SC_EUSAGE);
	assert_non_null(strstr(sc_error_msg(), "exists"));
	after = slurp(ix);
	assert_string_equal(before, after);
	free(after);
	assert_int_equal(copy_into(&b, dst, 1, &sent), 0);
	after = slurp(ix);
	{
		char dg[SC_DIGEST_STRLEN];

		assert_non_null(strstr(after, sc_digest_fmt(&b.dg, dg)));
		assert_null(strstr(after, sc_digest_fmt(&a.dg, dg)));
	}
	free(after);
	free(before);
	close_src(&a);
	close_src(&b);
}

static void test_corrupt_blob(void **state)
{
	char src[512], dst[512], path[1024], hex[65], cmd[1200];
	opened o;
	sc_dest *d = NULL;
	uint64_t sent = 99;
	int present = 1;
	FILE *f;

	(void)state;
	make_src("s3", 4, 1, 300000);
	snprintf(src, sizeof(src), "oci:%s/s3:v1", tmpdir);
	open_src(&o, src);
	/* Same size, other bytes. */
	snprintf(path, sizeof(path), "%s/s3/blobs/sha256/%s", tmpdir, sc_digest_hex(&o.m.layers[0].digest, hex));
	f = fopen(path, "r+b");
	assert_non_null(f);
	fseek(f, 200000, SEEK_SET);
	fputc('X', f);
	fputc('Y', f);
	fclose(f);
	snprintf(dst, sizeof(dst), "oci:%s/d3:v1", tmpdir);
	assert_int_equal(sc_dest_open(&d, dst, NULL), 0);
	assert_int_equal(d->ops->put_blob(d, &o.m.layers[0], o.src, NULL, &sent), SC_EDIGEST);
	assert_int_equal(sent, 0);
	assert_int_equal(d->ops->has_blob(d, &o.m.layers[0], &present), 0);
	assert_false(present);
	/* A manifest whose bytes are not its digest. */
	{
		sc_descriptor m = { .media_type = SC_MT_OCI_MANIFEST, .digest = o.m.layers[0].digest, .size = o.root.len };

		assert_int_equal(d->ops->put_manifest(d, &m, o.root.data, o.root.len), SC_EDIGEST);
	}
	sc_dest_free(d);
	snprintf(cmd, sizeof(cmd), "test $(ls -A '%s/d3/blobs/sha256' | wc -l) = 0 && grep -q '\"manifests\":\\[\\]' '%s/d3/index.json'",
		 tmpdir, tmpdir);
	assert_int_equal(system(cmd), 0);
	close_src(&o);
}

typedef struct job {
	sc_dest *d;
	opened *o;
	size_t first, step;
	int rc;
} job;

static void *put_some(void *arg)
{
	job *j = arg;
	size_t i;

	for (i = j->first; i < j->o->m.n_layers && !j->rc; i += j->step)
		j->rc = j->d->ops->put_blob(j->d, &j->o->m.layers[i], j->o->src, NULL, NULL);
	return NULL;
}

static void test_threads(void **state)
{
	char src[512], dst[512];
	opened o;
	sc_dest *d = NULL;
	pthread_t th[8];
	job jobs[8];
	size_t i;
	int present;

	(void)state;
	make_src("s4", 5, 48, 65536);
	snprintf(src, sizeof(src), "oci:%s/s4:v1", tmpdir);
	open_src(&o, src);
	snprintf(dst, sizeof(dst), "oci:%s/d4", tmpdir);
	assert_int_equal(sc_dest_open(&d, dst, NULL), 0);
	assert_null(d->tag);
	for (i = 0; i < 8; i++) {
		jobs[i] = (job){ .d = d, .o = &o, .first = i, .step = 8 };
		assert_int_equal(pthread_create(&th[i], NULL, put_some, &jobs[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(jobs[i].rc, 0);
	}
	for (i = 0; i < o.m.n_layers; i++) {
		assert_int_equal(d->ops->has_blob(d, &o.m.layers[i], &present), 0);
		assert_true(present);
	}
	sc_dest_free(d);
	close_src(&o);
}

static void test_archives(void **state)
{
	char src[512], dst[512], path[512];
	opened o;
	uint64_t sent;
	sc_image *img = NULL;
	char *mj;
	size_t k;

	(void)state;
	make_src("s5", 6, 2, 5000);
	snprintf(src, sizeof(src), "oci:%s/s5:v1", tmpdir);
	open_src(&o, src);
	for (k = 0; k < 2; k++) {
		snprintf(dst, sizeof(dst), k ? "docker-archive:%s/d5.tar:example.org/app:v1" : "oci-archive:%s/d5.oci.tar:v1",
			 tmpdir);
		assert_int_equal(copy_into(&o, dst, 0, &sent), 0);
		/* An existing archive is only replaced when asked. */
		assert_int_equal(copy_into(&o, dst, 0, &sent), SC_EUSAGE);
		assert_int_equal(copy_into(&o, dst, 1, &sent), 0);
		snprintf(path, sizeof(path), k ? "docker-archive:%s/d5.tar" : "oci-archive:%s/d5.oci.tar", tmpdir);
		assert_int_equal(sc_image_open(&img, path, NULL), 0);
		assert_int_equal(img->manifest.n_layers, 2);
		assert_true(sc_digest_eq(&img->manifest.layers[1].digest, &o.m.layers[1].digest));
		if (!k)
			assert_true(sc_digest_eq(&img->manifest_digest, &o.dg));
		sc_image_free(img);
		img = NULL;
	}
	/* docker save's manifest.json names the repo tag and the blobs. */
	snprintf(path, sizeof(path), "cd '%s' && tar -xOf d5.tar manifest.json > mj.json", tmpdir);
	assert_int_equal(system(path), 0);
	snprintf(path, sizeof(path), "%s/mj.json", tmpdir);
	mj = slurp(path);
	assert_non_null(strstr(mj, "\"RepoTags\":[\"example.org/app:v1\"]"));
	assert_non_null(strstr(mj, "\"Layers\":[\"blobs/sha256/"));
	free(mj);
	/* No staging directory or temp file left. */
	snprintf(path, sizeof(path), "! ls '%s' | grep -q 'stage-\\|tmp-'", tmpdir);
	assert_int_equal(system(path), 0);
	close_src(&o);
}

/* The referrers tag-schema index is merged with what the destination has; .sig tags follow the source. */
static void test_derived_names(void **state)
{
	char dir[512], dst[1024], ix_a[600], ix_b[600], name[100], sig[100], da[SC_DIGEST_STRLEN], db[SC_DIGEST_STRLEN];
	sc_descriptor a, b, s1, s2;
	sc_dest *d = NULL;
	char *idx;
	int round;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/d6", tmpdir);
	snprintf(dst, sizeof(dst), "oci:%s", dir);
	snprintf(name, sizeof(name), "sha256-%064d", 0);
	snprintf(sig, sizeof(sig), "sha256-%064d.sig", 0);
	snprintf(ix_a, sizeof(ix_a), "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"manifests\":[{\"mediaType\":\"%s\","
		 "\"digest\":\"sha256:%064d\",\"size\":1}]}", SC_MT_OCI_INDEX, SC_MT_OCI_MANIFEST, 1);
	snprintf(ix_b, sizeof(ix_b), "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"manifests\":[{\"mediaType\":\"%s\","
		 "\"digest\":\"sha256:%064d\",\"size\":1}]}", SC_MT_OCI_INDEX, SC_MT_OCI_MANIFEST, 2);
	memset(&a, 0, sizeof(a));
	a.media_type = SC_MT_OCI_INDEX;
	b = a;
	sc_sha256_buf(&a.digest, ix_a, strlen(ix_a));
	a.size = strlen(ix_a);
	sc_sha256_buf(&b.digest, ix_b, strlen(ix_b));
	b.size = strlen(ix_b);
	s1 = a;
	s2 = b;
	for (round = 0; round < 2; round++) {
		const sc_descriptor *x = round ? &b : &a;

		assert_int_equal(sc_dest_open(&d, dst, NULL), 0);
		assert_int_equal(d->ops->put_manifest(d, x, round ? ix_b : ix_a, x->size), 0);
		assert_int_equal(d->ops->tag(d, name, x), 0);
		assert_int_equal(d->ops->tag(d, sig, round ? &s2 : &s1), 0);
		assert_int_equal(d->ops->commit(d), 0);
		sc_dest_free(d);
		d = NULL;
	}
	/* The merged index holds both referrers; the .sig tag points at round 2's document. */
	{
		opened o;
		sc_buf out;
		char *mt = NULL;
		sc_digest g;

		memset(&o, 0, sizeof(o));
		snprintf(dst, sizeof(dst), "oci:%s:%s", dir, name);
		assert_int_equal(sc_imgref_parse(&o.ref, dst), 0);
		assert_int_equal(sc_source_open(&o.src, &o.ref), 0);
		sc_buf_init(&out, SC_MANIFEST_MAX, "x");
		assert_int_equal(o.src->ops->get_doc(o.src, name, &out, &mt, &g), 0);
		assert_non_null(strstr(out.data, "0000000001\""));
		assert_non_null(strstr(out.data, "0000000002\""));
		free(mt);
		mt = NULL;
		sc_buf_reset(&out);
		assert_int_equal(o.src->ops->get_doc(o.src, sig, &out, &mt, &g), 0);
		assert_true(sc_digest_eq(&g, &b.digest));
		free(mt);
		sc_buf_release(&out);
		sc_source_free(o.src);
		sc_imgref_release(&o.ref);
	}
	snprintf(ix_a, sizeof(ix_a), "%s/index.json", dir);
	idx = slurp(ix_a);
	assert_null(strstr(strstr(idx, name) + 1, "\"sha256-0000000000000000000000000000000000000000000000000000000000000000\""));
	free(idx);
	(void)da;
	(void)db;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_and_recopy),
		cmocka_unit_test(test_conflict_and_replace),
		cmocka_unit_test(test_corrupt_blob),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_archives),
		cmocka_unit_test(test_derived_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
