/*
 * source_docker_archive.c - docker-archive: sources (`docker save` output).
 *
 * Layouts understood (all described by manifest.json, an array of
 * {"Config": NAME, "RepoTags": [..], "Layers": [NAME, ..]}):
 *   docker save (legacy)  "<id>/layer.tar" members (often symlinks or hard
 *                         links for shared layers), "<hex>.json" config
 *   skopeo                "<hex>.tar" layers, "<hex>.json" config
 *   docker 25+            "blobs/sha256/<hex>" members (OCI layout inside)
 * Spec: https://github.com/moby/moby/blob/master/image/spec/v1.2.md and the
 * `docker save` implementation's manifest.json.
 *
 * The archive has no registry manifest, so one is synthesized as a Docker
 * v2.2 manifest (serialised deterministically with jansson, compact, keys in
 * insertion order) whose config digest is the SHA-256 of the config member
 * and whose layer digests are:
 *   - the hex of a "blobs/sha256/<hex>" member name (docker 25+), else
 *   - rootfs.diff_ids[i] when the member is an uncompressed tar (its bytes
 *     then hash to the diff_id), else
 *   - the SHA-256 of the member, computed at open (a gzip/zstd member in the
 *     legacy/skopeo layouts, which docker and skopeo do not normally write).
 * Every descriptor therefore has a digest (sc_manifest_parse requires one)
 * and open_blob() finds blobs by digest in a table built at open.
 */
#include "image/source.h"
#include "core/error.h"
#include "core/json.h"
#include "core/path.h"
#include "image/fileset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAGS_LIST_MAX 400

typedef struct blob_entry {
	char *member;      /* member name in the archive */
	const char *media_type; /* static string */
	sc_digest digest;
	uint64_t size;
} blob_entry;

typedef struct da_source {
	sc_source base;
	sc_fileset *fs;
	blob_entry *blobs; /* [0] = config, then the layers in order */
	size_t n_blobs;
	char *manifest; /* synthesized JSON */
	size_t manifest_len;
	sc_digest manifest_digest;
} da_source;

/* ------------------------------------------------------------------ */

static void da_free(sc_source *s)
{
	da_source *d = (da_source *)s;
	size_t i;

	for (i = 0; i < d->n_blobs; i++)
		free(d->blobs[i].member);
	free(d->blobs);
	free(d->manifest);
	sc_fileset_free(d->fs);
	free(d);
}

static int da_get_root(sc_source *s, sc_buf *out, char **media_type, sc_digest *digest)
{
	da_source *d = (da_source *)s;
	char *mt = sc_strdup(SC_MT_DOCKER_MANIFEST);
	int rc;

	if (!mt)
		return SC_ENOMEM;
	if ((rc = sc_buf_append(out, d->manifest, d->manifest_len)) != 0) {
		free(mt);
		return rc;
	}
	*media_type = mt;
	*digest = d->manifest_digest;
	return 0;
}

static int da_open_blob(sc_source *s, const sc_descriptor *desc, sc_stream **out)
{
	da_source *d = (da_source *)s;
	const blob_entry *e = NULL;
	sc_stream *inner = NULL, *v = NULL;
	char what[300], dg[SC_DIGEST_STRLEN];
	uint64_t size = 0;
	size_t i;
	int rc;

	if (!desc->digest.set)
		return sc_error_set(SC_EINPUT, "descriptor without a digest for %s", sc_fileset_name(d->fs));
	for (i = 0; i < d->n_blobs && !e; i++)
		if (sc_digest_eq(&d->blobs[i].digest, &desc->digest))
			e = &d->blobs[i];
	if (!e)
		return sc_error_set(SC_ENOTFOUND, "blob %s not found in %s", sc_digest_fmt(&desc->digest, dg),
				    sc_fileset_name(d->fs));
	snprintf(what, sizeof(what), "blob %s ('%.200s')", sc_digest_fmt(&e->digest, dg), e->member);
	if ((rc = sc_fileset_open(d->fs, e->member, &inner, &size)) != 0)
		return rc;
	if (size != desc->size) {
		sc_stream_close(inner);
		return sc_error_set(SC_EDIGEST, "%s: size mismatch: %llu bytes, descriptor declares %llu", what,
				    (unsigned long long)size, (unsigned long long)desc->size);
	}
	if ((rc = sc_stream_verify_new(&v, inner, &desc->digest, desc->size, what)) != 0) {
		sc_stream_close(inner);
		return rc;
	}
	*out = v;
	return 0;
}

static const sc_source_ops da_ops = { .get_root = da_get_root, .open_blob = da_open_blob, .free = da_free };

/* ------------------------------------------------------------------ */
/* Selecting an image                                                 */
/* ------------------------------------------------------------------ */

/*
 * Normalise a docker reference for comparison: add ":latest" when there is
 * no tag or digest, "docker.io/" when the first component is not a host,
 * "library/" for official images.
 */
static void normalize_ref(const char *in, char *out, size_t outsz)
{
	const char *slash = strchr(in, '/');
	const char *last_slash = strrchr(in, '/');
	const char *tail = last_slash ? last_slash + 1 : in;
	int has_tag = strchr(tail, ':') != NULL || strchr(in, '@') != NULL;
	int has_host = 0;

	if (slash) {
		size_t n = (size_t)(slash - in);

		has_host = memchr(in, '.', n) || memchr(in, ':', n) || (n == 9 && memcmp(in, "localhost", 9) == 0);
	}
	snprintf(out, outsz, "%s%s%s%s", has_host ? "" : "docker.io/", (!has_host && !slash) ? "library/" : "",
		 in, has_tag ? "" : ":latest");
}

static int tag_matches(const char *tag, const char *want)
{
	char a[600], b[600];

	if (strcmp(tag, want) == 0)
		return 1;
	if (strlen(tag) > 512 || strlen(want) > 512)
		return 0;
	normalize_ref(tag, a, sizeof(a));
	normalize_ref(want, b, sizeof(b));
	return strcmp(a, b) == 0;
}

static void list_tags(json_t *arr, char *out, size_t outsz)
{
	size_t i, j, o = 0, n = 0;
	json_t *img, *t;

	out[0] = '\0';
	json_array_foreach(arr, i, img) {
		json_t *tags = json_object_get(img, "RepoTags");

		if (!json_is_array(tags) || json_array_size(tags) == 0) {
			int k = snprintf(out + o, outsz - o, "%s@%zu", n ? ", " : "", i);

			if (k < 0 || (size_t)k >= outsz - o)
				goto full;
			o += (size_t)k;
			n++;
			continue;
		}
		json_array_foreach(tags, j, t) {
			int k;

			if (!json_is_string(t))
				continue;
			k = snprintf(out + o, outsz - o, "%s%.100s", n ? ", " : "", json_string_value(t));
			if (k < 0 || (size_t)k >= outsz - o)
				goto full;
			o += (size_t)k;
			n++;
		}
	}
	return;
full:
	if (outsz > 4)
		memcpy(out + outsz - 4, "...", 4);
}

static int select_image(json_t *arr, const char *ref, const char *file, json_t **out)
{
	char tags[TAGS_LIST_MAX];
	size_t n = json_array_size(arr), i, j;
	json_t *img, *t;

	if (n == 0)
		return sc_error_set(SC_EINPUT, "%s: manifest.json lists no images", file);
	if (!ref) {
		if (n == 1) {
			*out = json_array_get(arr, 0);
			return 0;
		}
		list_tags(arr, tags, sizeof(tags));
		return sc_error_set(SC_EUSAGE, "%s holds %zu images; name one as docker-archive:%s:REPO:TAG or :@N (%s)",
				    file, n, file, tags);
	}
	if (ref[0] == '@') {
		unsigned long long k = 0;
		const char *p = ref + 1;

		if (!*p)
			return sc_error_set(SC_EUSAGE, "bad image index '%s'", ref);
		for (; *p; p++) {
			if (*p < '0' || *p > '9' || k > 1000000)
				return sc_error_set(SC_EUSAGE, "bad image index '%.40s'", ref);
			k = k * 10 + (unsigned long long)(*p - '0');
		}
		if (k >= n)
			return sc_error_set(SC_ENOTFOUND, "%s holds %zu images; there is no image %s", file, n, ref);
		*out = json_array_get(arr, (size_t)k);
		return 0;
	}
	json_array_foreach(arr, i, img) {
		json_t *rt = json_object_get(img, "RepoTags");

		if (!json_is_array(rt))
			continue;
		json_array_foreach(rt, j, t) {
			if (json_is_string(t) && strlen(json_string_value(t)) == json_string_length(t) &&
			    tag_matches(json_string_value(t), ref)) {
				*out = img;
				return 0;
			}
		}
	}
	list_tags(arr, tags, sizeof(tags));
	return sc_error_set(SC_ENOTFOUND, "no image tagged '%.200s' in %s (tags: %s)", ref, file, tags);
}

/* ------------------------------------------------------------------ */
/* Building the manifest                                              */
/* ------------------------------------------------------------------ */

static int read_diff_ids(const char *data, size_t len, const char *what, sc_digest **out, size_t *n_out)
{
	json_t *j = NULL, *rootfs = NULL, *ids = NULL, *it;
	sc_digest *v = NULL;
	size_t i, n;
	int rc;

	if ((rc = sc_json_parse(&j, data, len, SC_CONFIG_MAX, SC_JSON_MAX_DEPTH, what)) != 0)
		return rc;
	if ((rc = sc_json_get_obj(j, "rootfs", 1, &rootfs, what)) != 0 ||
	    (rc = sc_json_get_arr(rootfs, "diff_ids", 1, &ids, what)) != 0)
		goto out;
	n = json_array_size(ids);
	if (n > SC_MAX_LAYERS) {
		rc = sc_error_set(SC_ELIMIT, "%s: %zu diff_ids, limit is %d", what, n, SC_MAX_LAYERS);
		goto out;
	}
	v = sc_calloc(n ? n : 1, sizeof(*v));
	if (!v) {
		rc = SC_ENOMEM;
		goto out;
	}
	json_array_foreach(ids, i, it) {
		if (!json_is_string(it)) {
			rc = sc_error_set(SC_EINPUT, "%s: diff_ids[%zu] is not a string", what, i);
			goto out;
		}
		if ((rc = sc_digest_parse(&v[i], json_string_value(it))) != 0) {
			rc = sc_error_prefix(rc, "%s: diff_ids[%zu]", what, i);
			goto out;
		}
	}
	*out = v;
	*n_out = n;
	v = NULL;
out:
	free(v);
	json_decref(j);
	return rc;
}

/* digest from a "blobs/sha256/<hex>" member name (docker 25+) */
static int digest_from_name(const char *name, sc_digest *out)
{
	char clean[SC_PATH_MAX], buf[80];
	unsigned flags = 0;

	if (sc_path_clean(clean, sizeof(clean), name, &flags) != 0)
		return -1;
	if (strncmp(clean, "blobs/sha256/", 13) != 0 || strlen(clean + 13) != 64)
		return -1;
	snprintf(buf, sizeof(buf), "sha256:%s", clean + 13);
	if (sc_digest_parse(out, buf) != 0)
		return -1;
	return 0;
}

/* Media type of a layer member by its first bytes. */
static int sniff_layer(sc_fileset *fs, const char *name, const char **mt)
{
	sc_stream *s = NULL;
	unsigned char b[4];
	ssize_t n;
	int rc;

	if ((rc = sc_fileset_open(fs, name, &s, NULL)) != 0)
		return rc;
	n = sc_stream_read_full(s, b, sizeof(b));
	sc_stream_close(s);
	if (n < 0)
		return (int)n;
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		*mt = SC_MT_DOCKER_LAYER_GZIP;
	else if (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
		*mt = SC_MT_OCI_LAYER_ZSTD;
	else
		*mt = SC_MT_DOCKER_LAYER_TAR;
	return 0;
}

static int hash_member(sc_fileset *fs, const char *name, sc_digest *out)
{
	sc_stream *s = NULL, *v = NULL;
	char chunk[65536];
	ssize_t n;
	int rc;

	if ((rc = sc_fileset_open(fs, name, &s, NULL)) != 0)
		return rc;
	if ((rc = sc_stream_verify_new(&v, s, NULL, UINT64_MAX, name)) != 0) {
		sc_stream_close(s);
		return rc;
	}
	while ((n = sc_stream_read(v, chunk, sizeof(chunk))) > 0)
		;
	if (n < 0)
		rc = (int)n;
	else
		sc_stream_verify_result(v, out, NULL);
	sc_stream_close(v);
	return rc;
}

static json_t *descriptor_json(const char *mt, uint64_t size, const sc_digest *dg)
{
	json_t *o = json_object();
	char s[SC_DIGEST_STRLEN];

	if (!o)
		return NULL;
	if (json_object_set_new(o, "mediaType", json_string(mt)) != 0 ||
	    json_object_set_new(o, "size", json_integer((json_int_t)size)) != 0 ||
	    json_object_set_new(o, "digest", json_string(sc_digest_fmt(dg, s))) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int synthesize(da_source *d)
{
	json_t *m = json_object(), *layers = json_array(), *cfg;
	size_t i, len;
	char *text = NULL;
	int rc = 0;

	if (!m || !layers)
		goto nomem;
	cfg = descriptor_json(SC_MT_DOCKER_CONFIG, d->blobs[0].size, &d->blobs[0].digest);
	if (!cfg)
		goto nomem;
	if (json_object_set_new(m, "schemaVersion", json_integer(2)) != 0 ||
	    json_object_set_new(m, "mediaType", json_string(SC_MT_DOCKER_MANIFEST)) != 0 ||
	    json_object_set_new(m, "config", cfg) != 0)
		goto nomem;
	for (i = 1; i < d->n_blobs; i++) {
		json_t *l = descriptor_json(d->blobs[i].media_type, d->blobs[i].size, &d->blobs[i].digest);

		if (!l || json_array_append_new(layers, l) != 0)
			goto nomem;
	}
	if (json_object_set(m, "layers", layers) != 0)
		goto nomem;
	len = json_dumpb(m, NULL, 0, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!len || !(text = sc_malloc(len + 1)))
		goto nomem;
	if (json_dumpb(m, text, len, JSON_COMPACT | JSON_PRESERVE_ORDER) != len)
		goto nomem;
	text[len] = '\0';
	if ((rc = sc_sha256_buf(&d->manifest_digest, text, len)) != 0)
		goto out;
	d->manifest = text;
	d->manifest_len = len;
	text = NULL;
	goto out;
nomem:
	rc = sc_error_set(SC_ENOMEM, "out of memory building the manifest of %s", sc_fileset_name(d->fs));
out:
	free(text);
	json_decref(layers);
	json_decref(m);
	return rc;
}

static int build(da_source *d, json_t *img, const char *file)
{
	json_t *layers = NULL, *it;
	const char *config_name = NULL;
	sc_buf cfg;
	sc_digest *diff_ids = NULL;
	size_t n_diff = 0, n_layers, i;
	char what[300];
	int rc;

	sc_buf_init(&cfg, SC_CONFIG_MAX, "image config");
	if (!json_is_object(img)) {
		rc = sc_error_set(SC_EINPUT, "%s: manifest.json entry is not an object", file);
		goto out;
	}
	if ((rc = sc_json_get_str(img, "Config", 1, &config_name, "manifest.json")) != 0 ||
	    (rc = sc_json_get_arr(img, "Layers", 1, &layers, "manifest.json")) != 0) {
		rc = sc_error_prefix(rc, "%s", file);
		goto out;
	}
	n_layers = json_array_size(layers);
	if (n_layers > SC_MAX_LAYERS) {
		rc = sc_error_set(SC_ELIMIT, "%s: %zu layers, limit is %d", file, n_layers, SC_MAX_LAYERS);
		goto out;
	}
	d->blobs = sc_calloc(n_layers + 1, sizeof(*d->blobs));
	if (!d->blobs) {
		rc = SC_ENOMEM;
		goto out;
	}
	/* config */
	if ((rc = sc_fileset_read(d->fs, config_name, SC_CONFIG_MAX, &cfg)) != 0)
		goto out;
	snprintf(what, sizeof(what), "%s: config '%.200s'", file, config_name);
	if ((rc = read_diff_ids(cfg.data ? cfg.data : "", cfg.len, what, &diff_ids, &n_diff)) != 0)
		goto out;
	if (n_diff != n_layers) {
		rc = sc_error_set(SC_EINPUT, "%s: image config lists %zu diff_ids but manifest.json has %zu layers",
				  file, n_diff, n_layers);
		goto out;
	}
	d->blobs[0].member = sc_strdup(config_name);
	if (!d->blobs[0].member) {
		rc = SC_ENOMEM;
		goto out;
	}
	d->n_blobs = 1;
	d->blobs[0].media_type = SC_MT_DOCKER_CONFIG;
	d->blobs[0].size = cfg.len;
	if ((rc = sc_sha256_buf(&d->blobs[0].digest, cfg.data ? cfg.data : "", cfg.len)) != 0)
		goto out;
	/* layers */
	json_array_foreach(layers, i, it) {
		blob_entry *e = &d->blobs[i + 1];
		const char *name;

		if (!json_is_string(it) || strlen(json_string_value(it)) != json_string_length(it)) {
			rc = sc_error_set(SC_EINPUT, "%s: manifest.json Layers[%zu] is not a string without NULs",
					  file, i);
			goto out;
		}
		name = json_string_value(it);
		if (!(e->member = sc_strdup(name))) {
			rc = SC_ENOMEM;
			goto out;
		}
		d->n_blobs++;
		if ((rc = sc_fileset_stat(d->fs, name, &e->size)) != 0 ||
		    (rc = sniff_layer(d->fs, name, &e->media_type)) != 0)
			goto out;
		if (digest_from_name(name, &e->digest) == 0)
			continue;
		if (strcmp(e->media_type, SC_MT_DOCKER_LAYER_TAR) == 0)
			e->digest = diff_ids[i];
		else if ((rc = hash_member(d->fs, name, &e->digest)) != 0)
			goto out;
	}
	rc = synthesize(d);
out:
	free(diff_ids);
	sc_buf_release(&cfg);
	return rc;
}

int sc_source_docker_archive_open(sc_source **out, const sc_imgref *ref)
{
	da_source *d = NULL;
	sc_buf b;
	json_t *arr = NULL, *img = NULL;
	int rc;

	sc_buf_init(&b, SC_MANIFEST_MAX, "manifest.json");
	if (ref->transport != SC_TRANSPORT_DOCKER_ARCHIVE)
		return sc_error_set(SC_EUSAGE, "not a docker-archive transport: %s",
				    sc_transport_name(ref->transport));
	d = sc_calloc(1, sizeof(*d));
	if (!d)
		return SC_ENOMEM;
	d->base.ops = &da_ops;
	d->base.ref = ref;
	if ((rc = sc_fileset_open_tar(&d->fs, ref->path)) != 0)
		goto out;
	rc = sc_fileset_read(d->fs, "manifest.json", SC_MANIFEST_MAX, &b);
	if (rc == SC_ENOTFOUND)
		rc = sc_error_set(SC_EINPUT, "%s is not a docker archive (no manifest.json)", ref->path);
	if (rc)
		goto out;
	if ((rc = sc_json_parse(&arr, b.data ? b.data : "", b.len, SC_MANIFEST_MAX, SC_JSON_MAX_DEPTH,
				"manifest.json")) != 0) {
		rc = sc_error_prefix(rc, "%s", ref->path);
		goto out;
	}
	if (!json_is_array(arr)) {
		rc = sc_error_set(SC_EINPUT, "%s: manifest.json is not an array", ref->path);
		goto out;
	}
	if ((rc = select_image(arr, ref->ref, ref->path, &img)) != 0)
		goto out;
	if ((rc = build(d, img, ref->path)) != 0)
		goto out;
	*out = &d->base;
	d = NULL;
out:
	json_decref(arr);
	sc_buf_release(&b);
	if (d)
		da_free(&d->base);
	return rc;
}
