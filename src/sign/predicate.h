/*
 * predicate.h - what an attestation says: predicate type names and URIs,
 * and the two predicates scute writes itself.
 *
 * Types (`scute attest --type`, `scute verify --type`):
 *   sbom, cyclonedx        https://cyclonedx.org/bom
 *   spdx, spdxjson         https://spdx.dev/Document
 *   vuln                   https://cosign.sigstore.dev/attestation/vuln/v1
 *   slsa, slsaprovenance1  https://slsa.dev/provenance/v1
 *   audit                  https://scute.dev/attestation/audit/v1
 *   custom                 https://cosign.sigstore.dev/attestation/v1
 * A value containing "://" is taken as a URI as it is.
 *
 * SLSA Provenance v1 (https://slsa.dev/spec/v1.0/provenance): the
 * predicate
 *   {"buildDefinition":{"buildType":URI,"externalParameters":{..},
 *                       "internalParameters":{..},
 *                       "resolvedDependencies":[{"uri":..,"digest":{"sha256":HEX},"name":..}]},
 *    "runDetails":{"builder":{"id":URI,"version":{"scute":VERSION}},
 *                  "metadata":{"invocationId":..,"startedOn":RFC3339,"finishedOn":RFC3339},
 *                  "byproducts":[..]}}
 * (timestamps in UTC, "2006-01-02T15:04:05Z"; byproducts only when any).
 *
 * Cosign's vulnerability scan record (cosign pkg/cosign/attestation
 * CosignVulnPredicate, predicate type .../attestation/vuln/v1):
 *   {"invocation":{"parameters":..,"uri":"","event_id":"","builder.id":""},
 *    "scanner":{"uri":..,"version":..,"db":{"uri":..,"version":..},"result":REPORT},
 *    "metadata":{"scanStartedOn":RFC3339,"scanFinishedOn":RFC3339}}
 * with REPORT the scanner's own JSON (scute's "scute-scan/1" report).
 *
 * Library code: no printing, no clock (times are the caller's).
 */
#ifndef SC_SIGN_PREDICATE_H
#define SC_SIGN_PREDICATE_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

#define SC_PREDICATE_CYCLONEDX "https://cyclonedx.org/bom"
#define SC_PREDICATE_SPDX "https://spdx.dev/Document"
#define SC_PREDICATE_VULN "https://cosign.sigstore.dev/attestation/vuln/v1"
#define SC_PREDICATE_SLSA1 "https://slsa.dev/provenance/v1"
#define SC_PREDICATE_AUDIT "https://scute.dev/attestation/audit/v1"
#define SC_PREDICATE_CUSTOM "https://cosign.sigstore.dev/attestation/v1"

#define SC_SLSA_BUILD_TYPE_HARDEN "https://scute.dev/harden/v1"
#define SC_SLSA_BUILDER_ID "https://scute.dev/scute"
#define SC_SCANNER_URI "https://scute.dev/scute"

/*
 * The URI of predicate type `name` (a short name above, or a URI given as
 * it is when it contains "://").  *uri points at static storage or at
 * name.  Unknown names: SC_EUSAGE "unknown predicate type 'x' (sbom, ...)".
 */
int sc_predicate_type_lookup(const char *name, const char **uri);

/* The short name of a URI ("sbom", "spdx", "vuln", "slsa", "audit", "custom"), NULL when none. */
const char *sc_predicate_type_name(const char *uri);

/* An artifact of a build: uri, sha256 (64 hex digits, "sha256:" prefix allowed), name (may be NULL). */
typedef struct sc_slsa_artifact {
	const char *uri;
	const char *sha256;
	const char *name;
} sc_slsa_artifact;

typedef struct sc_slsa_opts {
	const char *build_type;        /* NULL: SC_SLSA_BUILD_TYPE_HARDEN */
	const char *builder_id;        /* NULL: SC_SLSA_BUILDER_ID */
	const char *builder_version;   /* runDetails.builder.version.scute; NULL: SCUTE_VERSION */
	json_t *external_parameters;   /* borrowed JSON object (required) */
	json_t *internal_parameters;   /* borrowed JSON object; NULL: {} */
	const sc_slsa_artifact *deps;  /* resolvedDependencies */
	size_t n_deps;
	const sc_slsa_artifact *byproducts; /* runDetails.byproducts (omitted when none) */
	size_t n_byproducts;
	const char *invocation_id;     /* NULL: omitted */
	time_t started_on, finished_on; /* 0: omitted; finished_on >= started_on */
} sc_slsa_opts;

/* The SLSA Provenance v1 predicate.  Bad options: SC_EUSAGE naming the field. */
int sc_predicate_slsa(json_t **out, const sc_slsa_opts *o);

typedef struct sc_vuln_predicate_opts {
	json_t *result;                /* borrowed: the scanner's report (required) */
	const char *scanner_uri;       /* NULL: SC_SCANNER_URI */
	const char *scanner_version;   /* NULL: SCUTE_VERSION */
	const char *db_uri;            /* NULL: "" */
	const char *db_version;        /* NULL: "" */
	json_t *invocation_parameters; /* borrowed; NULL: null */
	time_t started_on, finished_on; /* the scan's wall-clock times */
} sc_vuln_predicate_opts;

/* Cosign's vulnerability scan record wrapping o->result. */
int sc_predicate_vuln(json_t **out, const sc_vuln_predicate_opts *o);

/* A random (version 4) UUID, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", for invocationId. */
int sc_predicate_uuid(char out[37]);

#endif
