/*
 * predicate.c - predicate type names and URIs, SLSA Provenance v1 and
 * cosign's vulnerability scan record; see predicate.h.
 */
#include "sign/predicate.h"

#include "core/error.h"
#include "report/util.h"
#include "sbom/sbom.h"
#include "sc_config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static const struct {
	const char *name;
	const char *uri;
} types[] = {
	{ "sbom", SC_PREDICATE_CYCLONEDX },
	{ "cyclonedx", SC_PREDICATE_CYCLONEDX },
	{ "spdx", SC_PREDICATE_SPDX },
	{ "spdxjson", SC_PREDICATE_SPDX },
	{ "vuln", SC_PREDICATE_VULN },
	{ "slsa", SC_PREDICATE_SLSA1 },
	{ "slsaprovenance1", SC_PREDICATE_SLSA1 },
	{ "audit", SC_PREDICATE_AUDIT },
	{ "custom", SC_PREDICATE_CUSTOM },
};

#define N_TYPES (sizeof(types) / sizeof(types[0]))

int sc_predicate_type_lookup(const char *name, const char **uri)
{
	size_t i;

	if (!name || !*name)
		return sc_error_set(SC_EUSAGE, "empty predicate type");
	for (i = 0; i < N_TYPES; i++) {
		if (strcmp(name, types[i].name) == 0) {
			*uri = types[i].uri;
			return 0;
		}
	}
	if (strstr(name, "://")) {
		*uri = name;
		return 0;
	}
	return sc_error_set(SC_EUSAGE,
			    "unknown predicate type '%.100s' (sbom, cyclonedx, spdx, spdxjson, vuln, slsa, "
			    "slsaprovenance1, audit, custom, or a URI)",
			    name);
}

/* The first name of each URI in the table is its short name. */
const char *sc_predicate_type_name(const char *uri)
{
	size_t i;

	for (i = 0; uri && i < N_TYPES; i++)
		if (strcmp(uri, types[i].uri) == 0)
			return types[i].name;
	return NULL;
}

int sc_predicate_uuid(char out[37])
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return sc_error_set_errno(SC_EINTERNAL, errno, "getrandom");
		}
		got += (size_t)n;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

/* 64 lowercase hex digits, after an optional "sha256:". */
static const char *sha256_hex(const char *s)
{
	size_t i;

	if (!s)
		return NULL;
	if (strncmp(s, "sha256:", 7) == 0)
		s += 7;
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return NULL;
	return s[64] ? NULL : s;
}

/* Set key to a new value, failing (SC_ENOMEM) when v is NULL. */
static int set(json_t *obj, const char *key, json_t *v)
{
	if (!v || json_object_set_new(obj, key, v) != 0)
		return sc_error_set(SC_ENOMEM, "out of memory");
	return 0;
}

static int artifacts(json_t **out, const sc_slsa_artifact *a, size_t n, const char *what)
{
	json_t *arr = json_array();
	size_t i;
	int rc = 0;

	if (!arr)
		return sc_error_set(SC_ENOMEM, "out of memory");
	for (i = 0; i < n && rc == 0; i++) {
		const char *hex = sha256_hex(a[i].sha256);
		json_t *o;

		if (!a[i].uri || !a[i].uri[0]) {
			rc = sc_error_set(SC_EUSAGE, "SLSA provenance: %s[%zu] has no uri", what, i);
			break;
		}
		if (!hex) {
			rc = sc_error_set(SC_EUSAGE, "SLSA provenance: %s[%zu] digest '%.80s' is not a sha256", what, i,
					  a[i].sha256 ? a[i].sha256 : "");
			break;
		}
		if (!(o = json_object()) || json_array_append_new(arr, o) != 0) {
			rc = sc_error_set(SC_ENOMEM, "out of memory");
			break;
		}
		if ((rc = set(o, "uri", sc_rp_str(a[i].uri))) != 0 ||
		    (rc = set(o, "digest", json_pack("{s:s}", "sha256", hex))) != 0)
			break;
		if (a[i].name && (rc = set(o, "name", sc_rp_str(a[i].name))) != 0)
			break;
	}
	if (rc) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

int sc_predicate_slsa(json_t **out, const sc_slsa_opts *o)
{
	json_t *doc = NULL, *bd, *rd, *builder, *meta, *deps = NULL, *by = NULL;
	char ts[32];
	int rc;

	if (!o->external_parameters || !json_is_object(o->external_parameters))
		return sc_error_set(SC_EUSAGE, "SLSA provenance: externalParameters must be an object");
	if (o->internal_parameters && !json_is_object(o->internal_parameters))
		return sc_error_set(SC_EUSAGE, "SLSA provenance: internalParameters must be an object");
	if (o->started_on && o->finished_on && o->finished_on < o->started_on)
		return sc_error_set(SC_EUSAGE, "SLSA provenance: finishedOn is before startedOn");
	if ((rc = artifacts(&deps, o->deps, o->n_deps, "resolvedDependencies")) != 0)
		return rc;
	if (o->n_byproducts && (rc = artifacts(&by, o->byproducts, o->n_byproducts, "byproducts")) != 0) {
		json_decref(deps);
		return rc;
	}
	if (!(doc = json_object()) || !(bd = json_object()) || set(doc, "buildDefinition", bd) != 0 ||
	    !(rd = json_object()) || set(doc, "runDetails", rd) != 0) {
		rc = sc_error_set(SC_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = set(bd, "buildType", sc_rp_str(o->build_type ? o->build_type : SC_SLSA_BUILD_TYPE_HARDEN))) != 0 ||
	    (rc = set(bd, "externalParameters", json_deep_copy(o->external_parameters))) != 0 ||
	    (rc = set(bd, "internalParameters",
		      o->internal_parameters ? json_deep_copy(o->internal_parameters) : json_object())) != 0)
		goto fail;
	rc = set(bd, "resolvedDependencies", deps);
	deps = NULL;
	if (rc)
		goto fail;

	if (!(builder = json_object()) || set(rd, "builder", builder) != 0) {
		rc = sc_error_set(SC_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = set(builder, "id", sc_rp_str(o->builder_id ? o->builder_id : SC_SLSA_BUILDER_ID))) != 0 ||
	    (rc = set(builder, "version",
		      json_pack("{s:o}", "scute", sc_rp_str(o->builder_version ? o->builder_version : SCUTE_VERSION)))) != 0)
		goto fail;
	if (!(meta = json_object()) || set(rd, "metadata", meta) != 0) {
		rc = sc_error_set(SC_ENOMEM, "out of memory");
		goto fail;
	}
	if (o->invocation_id && (rc = set(meta, "invocationId", sc_rp_str(o->invocation_id))) != 0)
		goto fail;
	if (o->started_on && (rc = set(meta, "startedOn", json_string(sc_sbom_fmt_time(o->started_on, ts)))) != 0)
		goto fail;
	if (o->finished_on && (rc = set(meta, "finishedOn", json_string(sc_sbom_fmt_time(o->finished_on, ts)))) != 0)
		goto fail;
	if (by) {
		rc = set(rd, "byproducts", by);
		by = NULL;
		if (rc)
			goto fail;
	}
	*out = doc;
	return 0;
fail:
	json_decref(deps);
	json_decref(by);
	json_decref(doc);
	return rc;
}

int sc_predicate_vuln(json_t **out, const sc_vuln_predicate_opts *o)
{
	json_t *doc, *inv, *sc, *meta;
	char t1[32], t2[32];

	if (!o->result)
		return sc_error_set(SC_EUSAGE, "vulnerability predicate: no scan result");
	if (o->finished_on < o->started_on)
		return sc_error_set(SC_EUSAGE, "vulnerability predicate: scanFinishedOn is before scanStartedOn");
	sc_sbom_fmt_time(o->started_on, t1);
	sc_sbom_fmt_time(o->finished_on, t2);
	/* key order as cosign's Go structs: invocation, scanner, metadata */
	inv = json_pack("{s:O?,s:s,s:s,s:s}", "parameters", o->invocation_parameters, "uri", "", "event_id", "",
			"builder.id", "");
	sc = json_pack("{s:o,s:o,s:{s:o,s:o},s:O}", "uri", sc_rp_str(o->scanner_uri ? o->scanner_uri : SC_SCANNER_URI),
		       "version", sc_rp_str(o->scanner_version ? o->scanner_version : SCUTE_VERSION), "db", "uri",
		       sc_rp_str(o->db_uri ? o->db_uri : ""), "version", sc_rp_str(o->db_version ? o->db_version : ""),
		       "result", o->result);
	meta = json_pack("{s:s,s:s}", "scanStartedOn", t1, "scanFinishedOn", t2);
	/* json_pack releases the "o" values it was given when it fails */
	if (!(doc = json_pack("{s:o,s:o,s:o}", "invocation", inv, "scanner", sc, "metadata", meta)))
		return sc_error_set(SC_ENOMEM, "out of memory");
	*out = doc;
	return 0;
}
