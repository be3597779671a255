/*
 * manifest.c - parse OCI image indexes, manifests and configs (and their
 * Docker v2.2 equivalents) into the model of manifest.h, and pick the
 * manifest for a platform from an index.
 *
 * Specs:
 *   https://github.com/opencontainers/image-spec/blob/main/image-index.md
 *   https://github.com/opencontainers/image-spec/blob/main/manifest.md
 *   https://github.com/opencontainers/image-spec/blob/main/config.md
 *   https://github.com/opencontainers/image-spec/blob/main/descriptor.md
 *   https://distribution.github.io/distribution/spec/manifest-v2-2/
 *
 * Every document is hostile: it is parsed with sc_json_parse() size and
 * depth limits, every field used is type-checked (JSON null counts as
 * absent, as Docker writes "Cmd": null), strings with embedded NULs are
 * rejected, and array sizes are bounded.  Error messages name the field
 * ("image config: field 'config.Env' item 3 is not a string").
 */
#include "image/manifest.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define W_INDEX "image index"
#define W_MANIFEST "image manifest"
#define W_CONFIG "image config"
#define W_DOC "manifest document"

/* Bound on the items of any list in an image config (Env, Labels, history...). */
#define CONFIG_MAX_ITEMS 65536
/* Room for a field path such as "manifests[4095].platform.os.version". */
#define NAME_LEN 160

/* ---- media types ---- */

/* Compare a media type (maybe with "; parameters" and blanks, as in HTTP) to `want`. */
static int mt_eq(const char *mt, const char *want)
{
	size_t n;

	if (!mt)
		return 0;
	while (*mt == ' ' || *mt == '\t')
		mt++;
	n = strcspn(mt, ";");
	while (n > 0 && (mt[n - 1] == ' ' || mt[n - 1] == '\t'))
		n--;
	return n == strlen(want) && strncasecmp(mt, want, n) == 0;
}

sc_doc_kind sc_doc_kind_of(const char *media_type)
{
	if (mt_eq(media_type, SC_MT_OCI_INDEX) || mt_eq(media_type, SC_MT_DOCKER_LIST))
		return SC_DOC_INDEX;
	if (mt_eq(media_type, SC_MT_OCI_MANIFEST) || mt_eq(media_type, SC_MT_DOCKER_MANIFEST))
		return SC_DOC_MANIFEST;
	return SC_DOC_UNKNOWN;
}

sc_compression sc_layer_compression(const char *media_type)
{
	static const struct {
		const char *mt;
		sc_compression c;
	} tab[] = {
		{ SC_MT_OCI_LAYER, SC_COMP_NONE },
		{ SC_MT_OCI_LAYER_ND, SC_COMP_NONE },
		{ SC_MT_DOCKER_LAYER_TAR, SC_COMP_NONE },
		{ SC_MT_OCI_LAYER_GZIP, SC_COMP_GZIP },
		{ SC_MT_OCI_LAYER_ND_GZIP, SC_COMP_GZIP },
		{ SC_MT_DOCKER_LAYER_GZIP, SC_COMP_GZIP },
		{ SC_MT_DOCKER_LAYER_FOREIGN, SC_COMP_GZIP },
		{ SC_MT_OCI_LAYER_ZSTD, SC_COMP_ZSTD },
		{ SC_MT_OCI_LAYER_ND_ZSTD, SC_COMP_ZSTD },
	};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (mt_eq(media_type, tab[i].mt))
			return tab[i].c;
	return SC_COMP_UNKNOWN;
}

const char *sc_compression_name(sc_compression c)
{
	switch (c) {
	case SC_COMP_NONE: return "none";
	case SC_COMP_GZIP: return "gzip";
	case SC_COMP_ZSTD: return "zstd";
	default: return "unknown";
	}
}

/* ---- typed field helpers ---- */

/* "prefix.key" (or "key"), truncated to fit: names only appear in messages. */
static const char *fname(char buf[NAME_LEN], const char *prefix, const char *key)
{
	size_t o = 0, n;

	if (prefix && *prefix) {
		n = strnlen(prefix, NAME_LEN - 2);
		memcpy(buf, prefix, n);
		o = n;
		buf[o++] = '.';
	}
	n = strnlen(key, NAME_LEN - 1 - o);
	memcpy(buf + o, key, n);
	buf[o + n] = '\0';
	return buf;
}

/* The member `key` of obj, or NULL when missing or JSON null. */
static json_t *get(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_null(v) ? NULL : v;
}

static int check_str(const json_t *v, const char *what, const char *name)
{
	if (!json_is_string(v))
		return sc_error_set(SC_EINPUT, "%s: field '%s' is not a string", what, name);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return sc_error_set(SC_EINPUT, "%s: field '%s' contains a NUL character", what, name);
	return 0;
}

static int check_item_str(const json_t *v, const char *what, const char *name, size_t i)
{
	if (!json_is_string(v))
		return sc_error_set(SC_EINPUT, "%s: field '%s' item %zu is not a string", what, name, i);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return sc_error_set(SC_EINPUT, "%s: field '%s' item %zu contains a NUL character", what,
				    name, i);
	return 0;
}

/* String field `key` copied into *dst (left NULL when absent and optional). */
static int get_strdup(char **dst, const json_t *obj, const char *prefix, const char *key,
		      int required, const char *what)
{
	char nb[NAME_LEN];
	json_t *v = get(obj, key);
	int rc;

	fname(nb, prefix, key);
	if (!v) {
		if (required)
			return sc_error_set(SC_EINPUT, "%s: missing field '%s'", what, nb);
		return 0;
	}
	if ((rc = check_str(v, what, nb)) != 0)
		return rc;
	*dst = sc_strdup(json_string_value(v));
	return *dst ? 0 : SC_ENOMEM;
}

/* Optional object or array field: *dst = NULL when absent. */
static int get_typed(json_t **dst, const json_t *obj, const char *prefix, const char *key,
		     int required, int want_array, const char *what)
{
	char nb[NAME_LEN];
	json_t *v = get(obj, key);

	fname(nb, prefix, key);
	*dst = NULL;
	if (!v) {
		if (required)
			return sc_error_set(SC_EINPUT, "%s: missing field '%s'", what, nb);
		return 0;
	}
	if (want_array && !json_is_array(v))
		return sc_error_set(SC_EINPUT, "%s: field '%s' is not an array", what, nb);
	if (!want_array && !json_is_object(v))
		return sc_error_set(SC_EINPUT, "%s: field '%s' is not an object", what, nb);
	*dst = v;
	return 0;
}

static int check_count(size_t n, size_t max, const char *what, const char *name)
{
	if (n > max)
		return sc_error_set(SC_ELIMIT, "%s: field '%s' has %zu items, limit is %zu", what, name,
				    n, max);
	return 0;
}

/* Array of strings into a NULL-terminated vector (NULL when absent). */
static int get_strv(char ***dst, const json_t *obj, const char *prefix, const char *key,
		    const char *what)
{
	char nb[NAME_LEN];
	json_t *arr, *it;
	char **v = NULL;
	size_t i, n;
	int rc;

	if ((rc = get_typed(&arr, obj, prefix, key, 0, 1, what)) != 0 || !arr)
		return rc;
	fname(nb, prefix, key);
	n = json_array_size(arr);
	if ((rc = check_count(n, CONFIG_MAX_ITEMS, what, nb)) != 0)
		return rc;
	v = sc_calloc(n + 1, sizeof(*v));
	if (!v)
		return SC_ENOMEM;
	json_array_foreach(arr, i, it) {
		if ((rc = check_item_str(it, what, nb, i)) != 0)
			goto out;
		v[i] = sc_strdup(json_string_value(it));
		if (!v[i]) {
			rc = SC_ENOMEM;
			goto out;
		}
	}
	*dst = v;
	v = NULL;
out:
	sc_strv_free(v);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const sc_kv *)a)->key, ((const sc_kv *)b)->key);
}

/* `key` must come from json_object_foreach (it is mapped back to its iterator). */
static int check_key(const char *key, const char *what, const char *name)
{
	if (strlen(key) != json_object_iter_key_len(json_object_key_to_iter(key)))
		return sc_error_set(SC_EINPUT, "%s: field '%s' has a key containing a NUL character",
				    what, name);
	return 0;
}

/* The keys of an object whose values are objects ({} in practice), sorted. */
static int get_keys(char ***dst, const json_t *obj, const char *prefix, const char *key,
		    const char *what)
{
	char nb[NAME_LEN];
	json_t *o, *val;
	const char *k;
	char **v = NULL;
	size_t i = 0, n;
	int rc;

	if ((rc = get_typed(&o, obj, prefix, key, 0, 0, what)) != 0 || !o)
		return rc;
	fname(nb, prefix, key);
	n = json_object_size(o);
	if ((rc = check_count(n, CONFIG_MAX_ITEMS, what, nb)) != 0)
		return rc;
	v = sc_calloc(n + 1, sizeof(*v));
	if (!v)
		return SC_ENOMEM;
	json_object_foreach(o, k, val) {
		if (i >= n)
			break;
		if ((rc = check_key(k, what, nb)) != 0)
			goto out;
		if (!json_is_object(val) && !json_is_null(val)) {
			rc = sc_error_set(SC_EINPUT, "%s: field '%s' value of '%.64s' is not an object",
					  what, nb, k);
			goto out;
		}
		v[i] = sc_strdup(k);
		if (!v[i]) {
			rc = SC_ENOMEM;
			goto out;
		}
		i++;
	}
	qsort(v, i, sizeof(*v), cmp_str);
	*dst = v;
	v = NULL;
out:
	sc_strv_free(v);
	return rc;
}

static void kv_free(sc_kv *kv, size_t n)
{
	size_t i;

	if (!kv)
		return;
	for (i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

/* A string-to-string map into a key-sorted array. */
static int get_kv(sc_kv **dst, size_t *n_out, const json_t *obj, const char *prefix,
		  const char *key, const char *what)
{
	char nb[NAME_LEN];
	json_t *o, *val;
	const char *k;
	sc_kv *kv = NULL;
	size_t i = 0, n = 0;
	int rc;

	if ((rc = get_typed(&o, obj, prefix, key, 0, 0, what)) != 0 || !o)
		return rc;
	fname(nb, prefix, key);
	n = json_object_size(o);
	if ((rc = check_count(n, CONFIG_MAX_ITEMS, what, nb)) != 0)
		return rc;
	kv = sc_calloc(n, sizeof(*kv));
	if (!kv)
		return SC_ENOMEM;
	json_object_foreach(o, k, val) {
		if (i >= n)
			break;
		if ((rc = check_key(k, what, nb)) != 0)
			goto out;
		if (!json_is_string(val) || strlen(json_string_value(val)) != json_string_length(val)) {
			rc = sc_error_set(SC_EINPUT, "%s: field '%s' value of '%.64s' is not a string",
					  what, nb, k);
			goto out;
		}
		kv[i].key = sc_strdup(k);
		kv[i].value = kv[i].key ? sc_strdup(json_string_value(val)) : NULL;
		i++;
		if (!kv[i - 1].value) {
			rc = SC_ENOMEM;
			goto out;
		}
	}
	qsort(kv, i, sizeof(*kv), cmp_kv);
	*dst = kv;
	*n_out = i;
	kv = NULL;
out:
	kv_free(kv, i);
	return rc;
}

const char *sc_kv_get(const sc_kv *kv, size_t n, const char *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(kv[mid].key, key);

		if (c == 0)
			return kv[mid].value;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* schemaVersion, when present, must be the integer 2. */
static int check_schema_version(const json_t *root, const char *what)
{
	json_t *v = get(root, "schemaVersion");

	if (!v)
		return 0;
	if (!json_is_integer(v))
		return sc_error_set(SC_EINPUT, "%s: field 'schemaVersion' is not an integer", what);
	if (json_integer_value(v) == 1)
		return sc_error_set(SC_EUNSUPPORTED,
				    "%s: Docker schema 1 manifests are not supported (schemaVersion 1)",
				    what);
	if (json_integer_value(v) != 2)
		return sc_error_set(SC_EINPUT, "%s: schemaVersion is %lld, want 2", what,
				    (long long)json_integer_value(v));
	return 0;
}

static int parse_root(json_t **out, const char *data, size_t len, size_t max, const char *what)
{
	json_t *root = NULL;
	int rc;

	if (!data && len)
		return sc_error_set(SC_EUSAGE, "%s: no data", what);
	if ((rc = sc_json_parse(&root, data ? data : "", len, max, SC_JSON_MAX_DEPTH, what)) != 0)
		return rc;
	if (!json_is_object(root)) {
		json_decref(root);
		return sc_error_set(SC_EINPUT, "%s: document is not a JSON object", what);
	}
	*out = root;
	return 0;
}

/* ---- descriptors ---- */

void sc_platform_release(sc_platform *p)
{
	if (!p)
		return;
	free(p->os);
	free(p->architecture);
	free(p->variant);
	free(p->os_version);
	memset(p, 0, sizeof(*p));
}

void sc_descriptor_release(sc_descriptor *d)
{
	free(d->media_type);
	free(d->artifact_type);
	free(d->ref_name);
	kv_free(d->annotations, d->n_annotations);
	sc_platform_release(&d->platform);
	memset(d, 0, sizeof(*d));
}

static int parse_platform(sc_platform *p, const json_t *obj, const char *prefix, const char *what)
{
	char nb[NAME_LEN];
	json_t *feat;
	int rc;

	if ((rc = get_strdup(&p->architecture, obj, prefix, "architecture", 1, what)) != 0 ||
	    (rc = get_strdup(&p->os, obj, prefix, "os", 1, what)) != 0 ||
	    (rc = get_strdup(&p->variant, obj, prefix, "variant", 0, what)) != 0 ||
	    (rc = get_strdup(&p->os_version, obj, prefix, "os.version", 0, what)) != 0)
		return rc;
	/* Not kept, but type-checked. */
	if ((rc = get_typed(&feat, obj, prefix, "os.features", 0, 1, what)) != 0)
		return rc;
	if (feat) {
		size_t i;
		json_t *it;

		fname(nb, prefix, "os.features");
		json_array_foreach(feat, i, it) {
			if (!json_is_string(it))
				return sc_error_set(SC_EINPUT, "%s: field '%s' item %zu is not a string",
						    what, nb, i);
		}
	}
	return 0;
}

/* Parse the descriptor j (named `prefix` in messages) into d (zeroed by the caller). */
static int parse_descriptor(sc_descriptor *d, const json_t *j, const char *prefix, const char *what)
{
	char nb[NAME_LEN];
	json_t *v, *plat;
	int rc;

	if (!json_is_object(j))
		return sc_error_set(SC_EINPUT, "%s: field '%s' is not an object", what, prefix);
	if ((rc = get_strdup(&d->media_type, j, prefix, "mediaType", 1, what)) != 0)
		return rc;

	fname(nb, prefix, "digest");
	v = get(j, "digest");
	if (!v)
		return sc_error_set(SC_EINPUT, "%s: missing field '%s'", what, nb);
	if ((rc = check_str(v, what, nb)) != 0)
		return rc;
	if ((rc = sc_digest_parse(&d->digest, json_string_value(v))) != 0)
		return sc_error_prefix(rc, "%s: field '%s'", what, nb);

	fname(nb, prefix, "size");
	v = get(j, "size");
	if (!v)
		return sc_error_set(SC_EINPUT, "%s: missing field '%s'", what, nb);
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return sc_error_set(SC_EINPUT, "%s: field '%s' is not a non-negative integer", what, nb);
	d->size = (uint64_t)json_integer_value(v);

	if ((rc = get_strdup(&d->artifact_type, j, prefix, "artifactType", 0, what)) != 0)
		return rc;

	if ((rc = get_kv(&d->annotations, &d->n_annotations, j, prefix, "annotations", what)) != 0)
		return rc;
	{
		const char *ref = sc_kv_get(d->annotations, d->n_annotations, "org.opencontainers.image.ref.name");

		if (ref && !(d->ref_name = sc_strdup(ref)))
			return SC_ENOMEM;
	}

	if ((rc = get_typed(&plat, j, prefix, "platform", 0, 0, what)) != 0)
		return rc;
	if (plat) {
		fname(nb, prefix, "platform");
		if ((rc = parse_platform(&d->platform, plat, nb, what)) != 0)
			return rc;
		d->has_platform = 1;
	}
	return 0;
}

/* ---- document kind ---- */

int sc_doc_detect(sc_doc_kind *out, const char *data, size_t len, const char *media_type)
{
	json_t *root = NULL, *mtv;
	sc_doc_kind k = sc_doc_kind_of(media_type);
	int has_m, has_l, rc;

	if (k != SC_DOC_UNKNOWN) {
		*out = k;
		return 0;
	}
	if ((rc = parse_root(&root, data, len, SC_MANIFEST_MAX, W_DOC)) != 0)
		return rc;
	if ((rc = check_schema_version(root, W_DOC)) != 0)
		goto out;
	mtv = get(root, "mediaType");
	if (mtv && (rc = check_str(mtv, W_DOC, "mediaType")) != 0)
		goto out;
	k = sc_doc_kind_of(mtv ? json_string_value(mtv) : NULL);
	if (k == SC_DOC_UNKNOWN) {
		has_m = get(root, "manifests") != NULL;
		has_l = get(root, "layers") != NULL;
		if (has_m && has_l) {
			rc = sc_error_set(SC_EINPUT,
					  "%s: ambiguous document: it has both 'manifests' and 'layers'",
					  W_DOC);
			goto out;
		}
		if (has_m)
			k = SC_DOC_INDEX;
		else if (has_l)
			k = SC_DOC_MANIFEST;
		else if (mtv) {
			rc = sc_error_set(SC_EUNSUPPORTED,
					  "%s: mediaType '%.128s' is neither an image index nor an image manifest",
					  W_DOC, json_string_value(mtv));
			goto out;
		} else {
			rc = sc_error_set(SC_EINPUT,
					  "%s: neither an image index nor an image manifest (no mediaType, 'manifests' or 'layers')",
					  W_DOC);
			goto out;
		}
	}
	*out = k;
out:
	json_decref(root);
	return rc;
}

/* ---- index ---- */

void sc_index_release(sc_index *ix)
{
	size_t i;

	if (!ix)
		return;
	for (i = 0; i < ix->n_manifests; i++)
		sc_descriptor_release(&ix->manifests[i]);
	free(ix->manifests);
	free(ix->media_type);
	memset(ix, 0, sizeof(*ix));
}

/*
 * The required array `key` of descriptors (at most max), into a new array.
 * *out and *n_out are set even on failure, so the caller's release frees
 * what was parsed.
 */
static int parse_descriptors(sc_descriptor **out, size_t *n_out, json_t *root, const char *key, size_t max,
			     const char *what)
{
	json_t *arr, *it;
	size_t i, n;
	char prefix[NAME_LEN];
	int rc;

	if ((rc = get_typed(&arr, root, NULL, key, 1, 1, what)) != 0)
		return rc;
	n = json_array_size(arr);
	if ((rc = check_count(n, max, what, key)) != 0)
		return rc;
	if (!n)
		return 0;
	*out = sc_calloc(n, sizeof(**out));
	if (!*out)
		return SC_ENOMEM;
	*n_out = n;
	json_array_foreach(arr, i, it) {
		snprintf(prefix, sizeof(prefix), "%s[%zu]", key, i);
		if ((rc = parse_descriptor(&(*out)[i], it, prefix, what)) != 0)
			return rc;
	}
	return 0;
}

char *sc_doc_media_type(const char *data, size_t len)
{
	json_t *j = NULL;
	const char *m;
	char *mt = NULL;

	if (sc_json_parse(&j, data ? data : "", len, SC_MANIFEST_MAX, SC_JSON_MAX_DEPTH, "document") != 0) {
		sc_error_clear();
		return NULL;
	}
	m = json_is_object(j) ? sc_json_str(j, "mediaType") : NULL;
	if (m && m[0] && strlen(m) < 256)
		mt = sc_strdup(m);
	json_decref(j);
	sc_error_clear();
	return mt;
}

int sc_index_parse(sc_index *out, const char *data, size_t len)
{
	json_t *root = NULL;
	sc_index ix;
	int rc;

	memset(&ix, 0, sizeof(ix));
	if ((rc = parse_root(&root, data, len, SC_MANIFEST_MAX, W_INDEX)) != 0)
		return rc;
	if ((rc = check_schema_version(root, W_INDEX)) != 0)
		goto out;
	if ((rc = get_strdup(&ix.media_type, root, NULL, "mediaType", 0, W_INDEX)) != 0)
		goto out;
	if (ix.media_type && sc_doc_kind_of(ix.media_type) == SC_DOC_MANIFEST) {
		rc = sc_error_set(SC_EINPUT, "%s: document is an image manifest (mediaType '%.128s'), not an index",
				  W_INDEX, ix.media_type);
		goto out;
	}
	if (!get(root, "manifests") && get(root, "layers")) {
		rc = sc_error_set(SC_EINPUT, "%s: document is an image manifest (it has 'layers'), not an index",
				  W_INDEX);
		goto out;
	}
	if ((rc = parse_descriptors(&ix.manifests, &ix.n_manifests, root, "manifests", SC_MAX_INDEX_ENTRIES,
				    W_INDEX)) != 0)
		goto out;
	*out = ix;
	memset(&ix, 0, sizeof(ix));
out:
	sc_index_release(&ix);
	json_decref(root);
	return rc;
}

/* ---- manifest ---- */

void sc_manifest_release(sc_manifest *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n_layers; i++)
		sc_descriptor_release(&m->layers[i]);
	free(m->layers);
	sc_descriptor_release(&m->config);
	kv_free(m->annotations, m->n_annotations);
	free(m->media_type);
	memset(m, 0, sizeof(*m));
}

int sc_manifest_parse(sc_manifest *out, const char *data, size_t len)
{
	json_t *root = NULL, *cfg;
	sc_manifest m;
	int rc;

	memset(&m, 0, sizeof(m));
	if ((rc = parse_root(&root, data, len, SC_MANIFEST_MAX, W_MANIFEST)) != 0)
		return rc;
	if ((rc = check_schema_version(root, W_MANIFEST)) != 0)
		goto out;
	if ((rc = get_strdup(&m.media_type, root, NULL, "mediaType", 0, W_MANIFEST)) != 0)
		goto out;
	if (m.media_type && sc_doc_kind_of(m.media_type) == SC_DOC_INDEX) {
		rc = sc_error_set(SC_EINPUT, "%s: document is an image index (mediaType '%.128s'), not a manifest",
				  W_MANIFEST, m.media_type);
		goto out;
	}
	if (get(root, "manifests") && !get(root, "layers")) {
		rc = sc_error_set(SC_EINPUT, "%s: document is an image index (it has 'manifests'), not a manifest",
				  W_MANIFEST);
		goto out;
	}
	if ((rc = get_typed(&cfg, root, NULL, "config", 1, 0, W_MANIFEST)) != 0)
		goto out;
	if ((rc = parse_descriptor(&m.config, cfg, "config", W_MANIFEST)) != 0)
		goto out;
	if ((rc = parse_descriptors(&m.layers, &m.n_layers, root, "layers", SC_MAX_LAYERS, W_MANIFEST)) != 0)
		goto out;
	/* image-spec manifest.md: annotations is a string-to-string map. */
	if ((rc = get_kv(&m.annotations, &m.n_annotations, root, NULL, "annotations", W_MANIFEST)) != 0)
		goto out;
	*out = m;
	memset(&m, 0, sizeof(m));
out:
	sc_manifest_release(&m);
	json_decref(root);
	return rc;
}

/* ---- config ---- */

void sc_config_release(sc_config *c)
{
	size_t i;

	if (!c)
		return;
	free(c->created);
	free(c->author);
	sc_platform_release(&c->platform);
	free(c->user);
	sc_strv_free(c->entrypoint);
	sc_strv_free(c->cmd);
	sc_strv_free(c->env);
	free(c->working_dir);
	free(c->stop_signal);
	sc_strv_free(c->exposed_ports);
	sc_strv_free(c->volumes);
	kv_free(c->labels, c->n_labels);
	free(c->diff_ids);
	for (i = 0; i < c->n_history; i++) {
		free(c->history[i].created);
		free(c->history[i].created_by);
		free(c->history[i].author);
		free(c->history[i].comment);
	}
	free(c->history);
	memset(c, 0, sizeof(*c));
}

static int parse_run_config(sc_config *c, const json_t *cfg)
{
	json_t *hc, *test;
	int rc;

	if ((rc = get_strdup(&c->user, cfg, "config", "User", 0, W_CONFIG)) != 0 ||
	    (rc = get_strv(&c->entrypoint, cfg, "config", "Entrypoint", W_CONFIG)) != 0 ||
	    (rc = get_strv(&c->cmd, cfg, "config", "Cmd", W_CONFIG)) != 0 ||
	    (rc = get_strv(&c->env, cfg, "config", "Env", W_CONFIG)) != 0 ||
	    (rc = get_strdup(&c->working_dir, cfg, "config", "WorkingDir", 0, W_CONFIG)) != 0 ||
	    (rc = get_strdup(&c->stop_signal, cfg, "config", "StopSignal", 0, W_CONFIG)) != 0 ||
	    (rc = get_keys(&c->exposed_ports, cfg, "config", "ExposedPorts", W_CONFIG)) != 0 ||
	    (rc = get_keys(&c->volumes, cfg, "config", "Volumes", W_CONFIG)) != 0 ||
	    (rc = get_kv(&c->labels, &c->n_labels, cfg, "config", "Labels", W_CONFIG)) != 0)
		return rc;
	if ((rc = get_typed(&hc, cfg, "config", "Healthcheck", 0, 0, W_CONFIG)) != 0)
		return rc;
	if (hc) {
		size_t i;
		json_t *it;

		if ((rc = get_typed(&test, hc, "config.Healthcheck", "Test", 0, 1, W_CONFIG)) != 0)
			return rc;
		if (test) {
			json_array_foreach(test, i, it) {
				if ((rc = check_item_str(it, W_CONFIG, "config.Healthcheck.Test", i)) != 0)
					return rc;
			}
		}
		/* {"Test": ["NONE"]} disables a health check inherited from the base image. */
		c->has_healthcheck = !(test && json_array_size(test) == 1 &&
				       strcmp(json_string_value(json_array_get(test, 0)), "NONE") == 0);
	}
	return 0;
}

static int parse_rootfs(sc_config *c, const json_t *rootfs)
{
	json_t *v, *arr, *it;
	size_t i, n;
	char nb[NAME_LEN];
	int rc;

	v = get(rootfs, "type");
	if (!v)
		return sc_error_set(SC_EINPUT, "%s: missing field 'rootfs.type'", W_CONFIG);
	if ((rc = check_str(v, W_CONFIG, "rootfs.type")) != 0)
		return rc;
	if (strcmp(json_string_value(v), "layers") != 0)
		return sc_error_set(SC_EINPUT, "%s: field 'rootfs.type' is '%.64s', want 'layers'",
				    W_CONFIG, json_string_value(v));
	if ((rc = get_typed(&arr, rootfs, "rootfs", "diff_ids", 1, 1, W_CONFIG)) != 0)
		return rc;
	n = json_array_size(arr);
	if ((rc = check_count(n, SC_MAX_LAYERS, W_CONFIG, "rootfs.diff_ids")) != 0)
		return rc;
	if (n == 0)
		return 0;
	c->diff_ids = sc_calloc(n, sizeof(*c->diff_ids));
	if (!c->diff_ids)
		return SC_ENOMEM;
	c->n_diff_ids = n;
	json_array_foreach(arr, i, it) {
		if ((rc = check_item_str(it, W_CONFIG, "rootfs.diff_ids", i)) != 0)
			return rc;
		if ((rc = sc_digest_parse(&c->diff_ids[i], json_string_value(it))) != 0) {
			snprintf(nb, sizeof(nb), "rootfs.diff_ids[%zu]", i);
			return sc_error_prefix(rc, "%s: field '%s'", W_CONFIG, nb);
		}
	}
	return 0;
}

static int parse_history(sc_config *c, const json_t *arr)
{
	json_t *it, *v;
	size_t i, n = json_array_size(arr);
	char prefix[NAME_LEN], nb[NAME_LEN];
	int rc;

	if ((rc = check_count(n, CONFIG_MAX_ITEMS, W_CONFIG, "history")) != 0)
		return rc;
	if (n == 0)
		return 0;
	c->history = sc_calloc(n, sizeof(*c->history));
	if (!c->history)
		return SC_ENOMEM;
	c->n_history = n;
	json_array_foreach(arr, i, it) {
		sc_history *h = &c->history[i];

		snprintf(prefix, sizeof(prefix), "history[%zu]", i);
		if (!json_is_object(it))
			return sc_error_set(SC_EINPUT, "%s: field '%s' is not an object", W_CONFIG, prefix);
		if ((rc = get_strdup(&h->created, it, prefix, "created", 0, W_CONFIG)) != 0 ||
		    (rc = get_strdup(&h->created_by, it, prefix, "created_by", 0, W_CONFIG)) != 0 ||
		    (rc = get_strdup(&h->author, it, prefix, "author", 0, W_CONFIG)) != 0 ||
		    (rc = get_strdup(&h->comment, it, prefix, "comment", 0, W_CONFIG)) != 0)
			return rc;
		v = get(it, "empty_layer");
		if (v && !json_is_boolean(v))
			return sc_error_set(SC_EINPUT, "%s: field '%s' is not a boolean", W_CONFIG,
					    fname(nb, prefix, "empty_layer"));
		h->empty_layer = v ? json_is_true(v) : 0;
	}
	return 0;
}

int sc_config_parse(sc_config *out, const char *data, size_t len)
{
	json_t *root = NULL, *cfg, *rootfs, *hist;
	sc_config c;
	int rc;

	memset(&c, 0, sizeof(c));
	if ((rc = parse_root(&root, data, len, SC_CONFIG_MAX, W_CONFIG)) != 0)
		return rc;
	if ((rc = get_strdup(&c.created, root, NULL, "created", 0, W_CONFIG)) != 0 ||
	    (rc = get_strdup(&c.author, root, NULL, "author", 0, W_CONFIG)) != 0 ||
	    (rc = get_strdup(&c.platform.architecture, root, NULL, "architecture", 0, W_CONFIG)) != 0 ||
	    (rc = get_strdup(&c.platform.os, root, NULL, "os", 0, W_CONFIG)) != 0 ||
	    (rc = get_strdup(&c.platform.variant, root, NULL, "variant", 0, W_CONFIG)) != 0 ||
	    (rc = get_strdup(&c.platform.os_version, root, NULL, "os.version", 0, W_CONFIG)) != 0)
		goto out;
	if ((rc = get_typed(&cfg, root, NULL, "config", 0, 0, W_CONFIG)) != 0)
		goto out;
	if (cfg && (rc = parse_run_config(&c, cfg)) != 0)
		goto out;
	if ((rc = get_typed(&rootfs, root, NULL, "rootfs", 0, 0, W_CONFIG)) != 0)
		goto out;
	if (rootfs && (rc = parse_rootfs(&c, rootfs)) != 0)
		goto out;
	if ((rc = get_typed(&hist, root, NULL, "history", 0, 1, W_CONFIG)) != 0)
		goto out;
	if (hist && (rc = parse_history(&c, hist)) != 0)
		goto out;
	*out = c;
	memset(&c, 0, sizeof(c));
out:
	sc_config_release(&c);
	json_decref(root);
	return rc;
}

/* ---- platforms ---- */

int sc_platform_parse(sc_platform *out, const char *s)
{
	sc_platform p;
	const char *part[3];
	size_t plen[3];
	size_t n = 0;
	const char *q;
	int rc = 0;

	memset(&p, 0, sizeof(p));
	if (!s || !*s)
		return sc_error_set(SC_EUSAGE, "empty platform (want os/arch[/variant])");
	q = s;
	for (;;) {
		size_t l = strcspn(q, "/");

		if (n == 3)
			return sc_error_set(SC_EUSAGE, "bad platform '%.64s': too many parts (want os/arch[/variant])", s);
		if (l == 0)
			return sc_error_set(SC_EUSAGE, "bad platform '%.64s': empty part (want os/arch[/variant])", s);
		part[n] = q;
		plen[n] = l;
		n++;
		q += l;
		if (!*q)
			break;
		q++;
	}
	if (n < 2)
		return sc_error_set(SC_EUSAGE, "bad platform '%.64s' (want os/arch[/variant])", s);
	p.os = sc_strndup(part[0], plen[0]);
	p.architecture = sc_strndup(part[1], plen[1]);
	if (n == 3)
		p.variant = sc_strndup(part[2], plen[2]);
	if (!p.os || !p.architecture || (n == 3 && !p.variant)) {
		rc = SC_ENOMEM;
		sc_platform_release(&p);
		return rc;
	}
	*out = p;
	return 0;
}

int sc_platform_default(sc_platform *out)
{
	const char *arch, *variant = NULL;
	sc_platform p;

#if defined(__x86_64__)
	arch = "amd64";
#elif defined(__aarch64__)
	arch = "arm64";
	variant = "v8";
#elif defined(__arm__)
	arch = "arm";
#if defined(__ARM_ARCH) && __ARM_ARCH <= 5
	variant = "v5";
#elif defined(__ARM_ARCH) && __ARM_ARCH == 6
	variant = "v6";
#else
	variant = "v7";
#endif
#elif defined(__i386__)
	arch = "386";
#elif defined(__powerpc64__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	arch = "ppc64le";
#elif defined(__powerpc64__)
	arch = "ppc64";
#elif defined(__s390x__)
	arch = "s390x";
#elif defined(__riscv) && defined(__riscv_xlen) && __riscv_xlen == 64
	arch = "riscv64";
#elif defined(__loongarch64)
	arch = "loong64";
#else
	arch = NULL;
#endif
	if (!arch)
		return sc_error_set(SC_EUNSUPPORTED, "no default platform for this build architecture; give one explicitly");
	memset(&p, 0, sizeof(p));
	p.os = sc_strdup("linux");
	p.architecture = sc_strdup(arch);
	if (variant)
		p.variant = sc_strdup(variant);
	if (!p.os || !p.architecture || (variant && !p.variant)) {
		sc_platform_release(&p);
		return SC_ENOMEM;
	}
	*out = p;
	return 0;
}

char *sc_platform_fmt(const sc_platform *p, char *out, size_t outsz)
{
	if (!out || outsz == 0)
		return out;
	if (!p) {
		out[0] = '\0';
		return out;
	}
	snprintf(out, outsz, "%s/%s%s%s", p->os ? p->os : "", p->architecture ? p->architecture : "",
		 p->variant ? "/" : "", p->variant ? p->variant : "");
	return out;
}

/* The variant an architecture implies when none is given (as containerd normalises). */
static const char *norm_variant(const char *arch, const char *variant)
{
	if (variant)
		return variant;
	if (strcmp(arch, "arm64") == 0)
		return "v8";
	if (strcmp(arch, "arm") == 0)
		return "v7";
	return NULL;
}

static int str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/*
 * How well entry platform e fits want: 0 no, 1 acceptable, 2 exact (after
 * variant normalisation).  A wanted variant must match, except on amd64
 * where variants (microarchitecture levels) are ignored; with no wanted
 * variant any variant is acceptable, the default one is exact.
 */
static int platform_score(const sc_platform *e, const sc_platform *want)
{
	const char *ev, *wv;

	if (!e->os || !e->architecture || strcmp(e->os, want->os) != 0 ||
	    strcmp(e->architecture, want->architecture) != 0)
		return 0;
	ev = norm_variant(e->architecture, e->variant);
	wv = norm_variant(want->architecture, want->variant);
	if (str_eq(ev, wv))
		return 2;
	if (!want->variant || strcmp(want->architecture, "amd64") == 0)
		return 1;
	return 0;
}

int sc_index_select(const sc_index *ix, const sc_platform *want, const sc_descriptor **out)
{
	const sc_descriptor *best = NULL;
	int best_score = 0;
	size_t i;
	char wantbuf[256], avail[640], one[256];
	size_t alen = 0, shown = 0;

	if (!ix || !want || !want->os || !want->architecture || !out)
		return sc_error_set(SC_EUSAGE, "sc_index_select: no index or incomplete platform");
	for (i = 0; i < ix->n_manifests; i++) {
		const sc_descriptor *d = &ix->manifests[i];
		int s;

		if (!d->has_platform || sc_doc_kind_of(d->media_type) == SC_DOC_UNKNOWN)
			continue;
		s = platform_score(&d->platform, want);
		if (s > best_score) {
			best = d;
			best_score = s;
			if (s == 2)
				break;
		}
	}
	if (best) {
		*out = best;
		return 0;
	}

	/* List what the index offers (skipping attestations' unknown/unknown). */
	avail[0] = '\0';
	for (i = 0; i < ix->n_manifests; i++) {
		const sc_descriptor *d = &ix->manifests[i];
		int n;

		if (!d->has_platform || sc_doc_kind_of(d->media_type) == SC_DOC_UNKNOWN ||
		    str_eq(d->platform.os, "unknown") || str_eq(d->platform.architecture, "unknown"))
			continue;
		sc_platform_fmt(&d->platform, one, sizeof(one));
		n = snprintf(avail + alen, sizeof(avail) - alen, "%s%s", shown ? ", " : "", one);
		if (n < 0 || (size_t)n >= sizeof(avail) - alen || alen + (size_t)n > 480) {
			avail[alen] = '\0';
			snprintf(avail + alen, sizeof(avail) - alen, ", ...");
			break;
		}
		alen += (size_t)n;
		shown++;
	}
	sc_platform_fmt(want, wantbuf, sizeof(wantbuf));
	return sc_error_set(SC_ENOTFOUND, "no manifest for platform %.200s in index (available: %s)",
			    wantbuf, shown ? avail : "none");
}
