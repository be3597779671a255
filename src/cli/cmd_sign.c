/*
 * cmd_sign.c - `scute sign` and `scute attest`: cosign-compatible image
 * signatures and in-toto attestations (docs/signing.md).
 *
 *   sign    simple-signing payload for the image's digest, signed with
 *           the private key; a layer of the "sha256-<hex>.sig" manifest,
 *           or with --bundle a Sigstore bundle v0.3 referrer
 *   attest  in-toto Statement v1 about the digest in a DSSE envelope; a
 *           layer of "sha256-<hex>.att" (and with --referrer an OCI 1.1
 *           referrer too), or with --bundle a DSSE bundle referrer
 *
 * The image is resolved to its digest once (sign/store.c) and only the
 * digest is signed.  The key is decrypted once and freed (wiped) at exit.
 */
#include "cli/cli.h"
#include "cli/registry_opts.h"
#include "cli/reports.h"
#include "core/base64.h"
#include "core/error.h"
#include "core/json.h"
#include "core/stream.h"
#include "sc_config.h"
#include "sign/bundle.h"
#include "sign/envelope.h"
#include "sign/key.h"
#include "sign/predicate.h"
#include "sign/store.h"
#include "sign/verify.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_ANNOTATIONS 64
#define PREDICATE_FILE_MAX (32u << 20)
#define STATEMENT_MAX (SC_SIGN_DOC_MAX / 4 * 3 - 4096)

/* What one signing session writes. */
typedef struct sign_ctx {
	sc_key *key;
	sc_sigrepo *repo;
	char hint[45];
	int bundle;              /* Sigstore bundle referrers instead of legacy tags */
	int referrer;            /* attest: legacy tag and an OCI 1.1 referrer */
	int quiet;
	const char *bundle_file; /* copy of the bundle written here (after the commit) */
	const char *payload_file;
	sc_buf bundle_copy, payload_copy;
	sc_sigart *atts;         /* the attestations stored before this run, read once */
	size_t n_atts;
	int atts_read;
} sign_ctx;

static int write_file(const char *path, const void *data, size_t len)
{
	sc_out o;
	int rc;

	if ((rc = sc_out_open(&o, path)) != 0)
		return rc;
	if (fwrite(data, 1, len, o.f) != len) {
		sc_out_abort(&o);
		return sc_error_set_errno(SC_EIO, errno, "%s", path);
	}
	return sc_out_commit(&o);
}

/* key_path NULL: c->key is already loaded (and owned by the caller). */
static int ctx_open(sign_ctx *c, const char *image, const char *key_path)
{
	int rc;

	sc_buf_init(&c->bundle_copy, SC_SIGN_DOC_MAX * 2, "bundle");
	sc_buf_init(&c->payload_copy, SC_SIGN_PAYLOAD_MAX, "payload");
	if (key_path && (rc = sc_key_load_private(&c->key, key_path)) != 0)
		return rc;
	if ((rc = sc_key_hint(c->key, c->hint)) != 0)
		return rc;
	return sc_sigrepo_open(&c->repo, image, 1);
}

/* Commit, then write the requested copies: no file for a signature that was not stored. */
static int ctx_commit(sign_ctx *c)
{
	int rc = sc_sigrepo_commit(c->repo);

	if (rc == 0 && c->bundle_file)
		rc = write_file(c->bundle_file, c->bundle_copy.data, c->bundle_copy.len);
	if (rc == 0 && c->payload_file)
		rc = write_file(c->payload_file, c->payload_copy.data, c->payload_copy.len);
	return rc;
}

static void ctx_close(sign_ctx *c)
{
	sc_sigarts_free(c->atts, c->n_atts);
	c->atts = NULL;
	c->n_atts = 0;
	sc_buf_release(&c->bundle_copy);
	sc_buf_release(&c->payload_copy);
	sc_sigrepo_free(c->repo);
	sc_key_free(c->key);
	c->repo = NULL;
	c->key = NULL;
}

/*
 * Is the image already signed by this key for this identity with these
 * annotations?  Then signing again only adds a duplicate.
 */
static int already_signed(sign_ctx *c, const char *identity, json_t *optional)
{
	sc_key *pub[1] = { c->key };
	sc_verify_opts vo = { .keys = pub, .nkeys = 1, .identity = identity };
	sc_sigart *arts = NULL;
	size_t n = 0, i;
	int found = 0, rc;

	if ((rc = sc_sigrepo_collect(c->repo, SC_COLLECT_SIGNATURES, &arts, &n)) != 0)
		return rc;
	for (i = 0; i < n && !found && rc == 0; i++) {
		sc_verify_item it;

		if (arts[i].kind == SC_SIGART_BUNDLE && !c->bundle)
			continue;
		if (arts[i].kind == SC_SIGART_SIMPLESIGN && c->bundle)
			continue;
		rc = sc_verify_artifact(&it, &arts[i], sc_sigrepo_digest(c->repo), 0, &vo);
		if (rc == SC_ENOTFOUND) {
			rc = 0;
			continue;
		}
		if (rc == 0 && it.valid && it.docker_ref && strcmp(it.docker_ref, identity) == 0) {
			/* Same annotations (creator and timestamp aside)? */
			const char *k;
			json_t *v;
			int same = 1;
			size_t theirs = 0, ours = 0;

			json_object_foreach(optional, k, v) {
				if (strcmp(k, "creator") && strcmp(k, "timestamp")) {
					ours++;
					if (!json_equal(v, json_object_get(it.optional, k)))
						same = 0;
				}
			}
			if (json_is_object(it.optional))
				json_object_foreach(it.optional, k, v)
					if (strcmp(k, "creator") && strcmp(k, "timestamp"))
						theirs++;
			found = same && ours == theirs;
		}
		sc_verify_item_release(&it);
	}
	sc_sigarts_free(arts, n);
	return rc ? rc : found;
}

static int sign_image(sign_ctx *c, const char *identity, char **annotations, size_t n_ann)
{
	json_t *optional;
	sc_buf payload, sig;
	char *sig_b64 = NULL, hex[65];
	size_t i, n_layers = 0;
	int rc, added = 0;

	if (!identity && !(identity = sc_sigrepo_identity(c->repo)))
		return sc_error_set(SC_EUSAGE, "%s names no tag: give the identity to sign with --identity",
				    sc_sigrepo_pinned(c->repo));
	if (!(optional = json_pack("{s:s+, s:I}", "creator", "scute ", SCUTE_VERSION, "timestamp",
				   (json_int_t)time(NULL))))
		return sc_error_set(SC_ENOMEM, "out of memory");
	for (i = 0; i < n_ann; i++) {
		const char *eq = strchr(annotations[i], '=');

		if (json_object_setn_new(optional, annotations[i], (size_t)(eq - annotations[i]), json_string(eq + 1))) {
			json_decref(optional);
			return sc_error_set(SC_EINPUT, "annotation '%.100s' is not UTF-8", annotations[i]);
		}
	}
	/* Copies asked for: always sign, so there is something to copy. */
	if (!c->bundle_file && !c->payload_file && (rc = already_signed(c, identity, optional)) != 0) {
		json_decref(optional);
		if (rc > 0 && !c->quiet)
			fprintf(stderr, "scute: %s is already signed by key %s for %s\n", sc_sigrepo_pinned(c->repo),
				c->hint, identity);
		return rc > 0 ? 0 : rc;
	}
	sc_buf_init(&payload, SC_SIGN_PAYLOAD_MAX, "signature payload");
	sc_buf_init(&sig, SC_KEY_SIG_MAX, "signature");
	rc = sc_simplesign_payload(&payload, identity, sc_sigrepo_digest(c->repo), optional);
	optional = NULL; /* stolen */
	if (rc == 0)
		rc = sc_key_sign(c->key, payload.data, payload.len, &sig);
	if (rc == 0 && !c->bundle) {
		if ((rc = sc_base64_encode(&sig_b64, sig.data, sig.len)) == 0)
			rc = sc_sigrepo_append(c->repo, "sig", SC_SIMPLESIGN_MEDIA_TYPE, payload.data, payload.len,
					       SC_COSIGN_SIG_ANNOTATION, sig_b64, &added, &n_layers);
		if (rc == 0 && !c->quiet)
			fprintf(stderr, "scute: signature sha256-%s.sig (%zu signature%s) for %s\n",
				sc_digest_hex(sc_sigrepo_digest(c->repo), hex), n_layers, n_layers == 1 ? "" : "s",
				identity);
	} else if (rc == 0) {
		sc_buf bundle;
		sc_digest pd, rd;
		json_t *ann;

		sc_buf_init(&bundle, SC_SIGN_DOC_MAX, "bundle");
		sc_sha256_buf(&pd, payload.data, payload.len);
		rc = sc_bundle_build_message(&bundle, c->hint, &pd, sig.data, sig.len);
		ann = json_pack("{s:s, s:s}", SC_BUNDLE_CONTENT_ANNOTATION, "message-signature",
				SC_BUNDLE_PREDICATE_ANNOTATION, SC_COSIGN_SIGN_PREDICATE);
		if (rc == 0 && !ann)
			rc = sc_error_set(SC_ENOMEM, "out of memory");
		if (rc == 0) {
			sc_sigblob layers[2] = {
				{ SC_BUNDLE_MEDIA_TYPE, bundle.data, bundle.len },
				{ SC_SIMPLESIGN_MEDIA_TYPE, payload.data, payload.len },
			};

			rc = sc_sigrepo_push_referrer(c->repo, SC_BUNDLE_MEDIA_TYPE, layers, 2, ann, &rd);
		}
		if (rc == 0 && c->bundle_file)
			rc = sc_buf_append(&c->bundle_copy, bundle.data, bundle.len);
		if (rc == 0 && !c->quiet) {
			char dg[SC_DIGEST_STRLEN];

			fprintf(stderr, "scute: signature bundle referrer %s for %s\n", sc_digest_fmt(&rd, dg), identity);
		}
		json_decref(ann);
		sc_buf_release(&bundle);
	}
	if (rc == 0 && c->payload_file)
		rc = sc_buf_append(&c->payload_copy, payload.data, payload.len);
	free(sig_b64);
	sc_buf_release(&payload);
	sc_buf_release(&sig);
	return rc;
}

/*
 * Does this key already attest this exact predicate for the image (the
 * same SBOM attached by a re-run)?  1 yes, 0 no, <0 error.  A provenance
 * or scan carries its times, so a new run is a new attestation.
 */
static int already_attested(sign_ctx *c, const char *predicate_type, const json_t *predicate)
{
	sc_key *pub[1] = { c->key };
	sc_verify_opts vo = { .keys = pub, .nkeys = 1, .predicate_type = predicate_type };
	sc_sigart *arts;
	size_t i;
	int found = 0, rc = 0;

	/* Read once per run: harden attests four predicates in a row. */
	if (!c->atts_read) {
		if ((rc = sc_sigrepo_collect(c->repo, SC_COLLECT_ATTESTATIONS, &c->atts, &c->n_atts)) != 0)
			return rc;
		c->atts_read = 1;
	}
	arts = c->atts;
	for (i = 0; i < c->n_atts && !found; i++) {
		sc_verify_item it;

		/* Only where this run would write: the .att tag, or bundle referrers. */
		if (c->bundle ? arts[i].kind != SC_SIGART_BUNDLE
			      : arts[i].kind != SC_SIGART_DSSE || !strstr(arts[i].where, ".att["))
			continue;
		rc = sc_verify_artifact(&it, &arts[i], sc_sigrepo_digest(c->repo), 1, &vo);
		if (rc == SC_ENOTFOUND) {
			rc = 0;
			continue;
		}
		if (rc)
			break;
		found = it.valid && json_equal(it.predicate, (json_t *)predicate);
		sc_verify_item_release(&it);
	}
	return rc ? rc : found;
}

static int attest_image(sign_ctx *c, const char *predicate_type, const json_t *predicate)
{
	sc_buf st, pae, sig, env;
	char hex[65];
	size_t n_layers = 0;
	int rc, added = 0;

	/* Copies or a referrer asked for: always attest, so they are written. */
	if (!c->bundle_file && !c->referrer && (rc = already_attested(c, predicate_type, predicate)) != 0) {
		if (rc > 0 && !c->quiet)
			fprintf(stderr, "scute: %s already has this %s attestation by key %s\n",
				sc_sigrepo_pinned(c->repo), predicate_type, c->hint);
		return rc > 0 ? 0 : rc;
	}

	sc_buf_init(&st, SC_SIGN_DOC_MAX, "in-toto statement");
	sc_buf_init(&pae, SC_SIGN_DOC_MAX + 256, "DSSE PAE");
	sc_buf_init(&sig, SC_KEY_SIG_MAX, "signature");
	sc_buf_init(&env, SC_SIGN_DOC_MAX * 2, "DSSE envelope");
	rc = sc_intoto_statement(&st, sc_sigrepo_subject_name(c->repo), sc_sigrepo_digest(c->repo), predicate_type,
				 predicate);
	/* The envelope (base64 of the statement) must stay readable by verify. */
	if (rc == 0 && st.len > STATEMENT_MAX)
		rc = sc_error_set(SC_ELIMIT, "the in-toto statement is %zu bytes, at most %u can be attested", st.len,
				  STATEMENT_MAX);
	if (rc == 0)
		rc = sc_dsse_pae(&pae, SC_INTOTO_PAYLOAD_TYPE, st.data, st.len);
	if (rc == 0)
		rc = sc_key_sign(c->key, pae.data, pae.len, &sig);
	if (rc == 0 && !c->bundle) {
		rc = sc_dsse_build(&env, SC_INTOTO_PAYLOAD_TYPE, st.data, st.len, "", sig.data, sig.len);
		if (rc == 0)
			rc = sc_sigrepo_append(c->repo, "att", SC_DSSE_MEDIA_TYPE, env.data, env.len,
					       SC_COSIGN_PREDICATE_ANNOTATION, predicate_type, &added, &n_layers);
		if (rc == 0 && c->referrer) {
			sc_sigblob layer = { SC_DSSE_MEDIA_TYPE, env.data, env.len };
			json_t *ann = json_pack("{s:s}", SC_COSIGN_PREDICATE_ANNOTATION, predicate_type);

			rc = ann ? sc_sigrepo_push_referrer(c->repo, SC_DSSE_MEDIA_TYPE, &layer, 1, ann, NULL)
				 : sc_error_set(SC_ENOMEM, "out of memory");
			json_decref(ann);
		}
		if (rc == 0 && !c->quiet)
			fprintf(stderr, "scute: attestation %s in sha256-%s.att (%zu attestation%s)%s\n",
				predicate_type, sc_digest_hex(sc_sigrepo_digest(c->repo), hex), n_layers,
				n_layers == 1 ? "" : "s", c->referrer ? " and as a referrer" : "");
	} else if (rc == 0) {
		json_t *ann = json_pack("{s:s, s:s}", SC_BUNDLE_CONTENT_ANNOTATION, "dsse-envelope",
					SC_BUNDLE_PREDICATE_ANNOTATION, predicate_type);

		rc = ann ? sc_bundle_build_dsse(&env, c->hint, SC_INTOTO_PAYLOAD_TYPE, st.data, st.len, sig.data,
						sig.len)
			 : sc_error_set(SC_ENOMEM, "out of memory");
		if (rc == 0) {
			sc_sigblob layer = { SC_BUNDLE_MEDIA_TYPE, env.data, env.len };

			rc = sc_sigrepo_push_referrer(c->repo, SC_BUNDLE_MEDIA_TYPE, &layer, 1, ann, NULL);
		}
		if (rc == 0 && c->bundle_file)
			rc = sc_buf_append(&c->bundle_copy, env.data, env.len);
		if (rc == 0 && !c->quiet)
			fprintf(stderr, "scute: attestation bundle %s as a referrer\n", predicate_type);
		json_decref(ann);
	}
	sc_buf_release(&st);
	sc_buf_release(&pae);
	sc_buf_release(&sig);
	sc_buf_release(&env);
	return rc;
}

int sc_cli_sign_image(const char *image, sc_key *key, const char *identity, const sc_cli_attestation *atts,
		      size_t natts, int quiet)
{
	sign_ctx c = { 0 };
	size_t i;
	int rc;

	c.quiet = quiet;
	c.key = key;
	if ((rc = ctx_open(&c, image, NULL)) == 0)
		rc = sign_image(&c, identity, NULL, 0);
	for (i = 0; i < natts && rc == 0; i++)
		rc = attest_image(&c, atts[i].predicate_type, atts[i].predicate);
	if (rc == 0)
		rc = ctx_commit(&c);
	c.key = NULL; /* the caller's */
	ctx_close(&c);
	return rc;
}

/* ---- the verbs ---- */

enum { O_KEY = 0x100, O_IDENTITY, O_BUNDLE, O_BUNDLE_FILE, O_PAYLOAD_FILE, O_TYPE, O_PREDICATE, O_PREDICATE_TYPE,
       O_REFERRER };

static void sign_help(FILE *f)
{
	fprintf(f,
		"usage: scute sign --key KEY [options] IMAGE\n\n"
		"Sign IMAGE's manifest digest with a cosign-compatible key (scute keygen).\n"
		"The signature is a cosign simple-signing payload stored as a layer of the\n"
		"sha256-<hex>.sig tag next to the image (docker:// repository or oci: layout),\n"
		"or with --bundle a Sigstore bundle v0.3 stored as an OCI 1.1 referrer.\n\n"
		"options:\n"
		"  --key KEY             the encrypted private key (passphrase from $SCUTE_PASSWORD,\n"
		"                        $COSIGN_PASSWORD or a prompt)\n"
		"  --identity REF        docker-reference to sign (default: HOST/REPO:TAG as given;\n"
		"                        for oci: layouts the tag)\n"
		"  -a, --annotation K=V  add K=V to the payload's optional section (repeatable)\n"
		"  --bundle              write a Sigstore bundle referrer instead of the .sig tag\n"
		"  --bundle-file FILE    also write the bundle to FILE\n"
		"  --payload-file FILE   also write the signed payload to FILE\n"
		"  -q, --quiet           no messages on stderr\n"
		"  -h, --help            this help\n\n" SC_CLI_REGISTRY_HELP
		"\nstdout: the signed image, pinned by digest.  Exit status: 0 signed,\n"
		"2 usage, 3 bad key, passphrase or image, 4 registry or I/O failure.\n");
}

static void attest_help(FILE *f)
{
	fprintf(f,
		"usage: scute attest --key KEY --type TYPE [options] IMAGE\n\n"
		"Attach a signed in-toto attestation (Statement v1 in a DSSE envelope) about\n"
		"IMAGE's digest, stored as a layer of the sha256-<hex>.att tag (cosign's layout),\n"
		"or with --bundle as a Sigstore bundle v0.3 referrer.\n\n"
		"types (predicate generated from IMAGE unless --predicate is given):\n"
		"  sbom|cyclonedx        CycloneDX SBOM          https://cyclonedx.org/bom\n"
		"  spdx|spdxjson         SPDX 2.3 SBOM           https://spdx.dev/Document\n"
		"  vuln                  vulnerability scan      https://cosign.sigstore.dev/attestation/vuln/v1\n"
		"  audit                 scute audit report      https://scute.dev/attestation/audit/v1\n"
		"  slsa|slsaprovenance1  SLSA provenance v1 (needs --predicate; harden --provenance\n"
		"                        writes one)           https://slsa.dev/provenance/v1\n"
		"  custom                --predicate FILE with --predicate-type URI\n\n"
		"options:\n"
		"  --key KEY             the encrypted private key\n"
		"  --type TYPE           see above\n"
		"  --predicate FILE      the predicate JSON (instead of generating it)\n"
		"  --predicate-type URI  predicate type for custom (default\n"
		"                        https://cosign.sigstore.dev/attestation/v1)\n"
		"  --referrer            also store the envelope as an OCI 1.1 referrer\n"
		"  --bundle              a Sigstore bundle referrer instead of the .att tag\n"
		"  --bundle-file FILE    also write the bundle to FILE\n"
		"  -q, --quiet           no messages on stderr\n"
		"  -h, --help            this help\n\n" SC_CLI_REGISTRY_HELP
		"\nstdout: the attested image, pinned by digest.  Exit status: 0 attested,\n"
		"2 usage, 3 bad key, passphrase, predicate or image, 4 registry or I/O failure.\n");
}

static const struct option sign_longopts[] = {
	{ "key", required_argument, NULL, O_KEY },
	{ "identity", required_argument, NULL, O_IDENTITY },
	{ "annotation", required_argument, NULL, 'a' },
	{ "bundle", no_argument, NULL, O_BUNDLE },
	{ "bundle-file", required_argument, NULL, O_BUNDLE_FILE },
	{ "payload-file", required_argument, NULL, O_PAYLOAD_FILE },
	{ "type", required_argument, NULL, O_TYPE },
	{ "predicate", required_argument, NULL, O_PREDICATE },
	{ "predicate-type", required_argument, NULL, O_PREDICATE_TYPE },
	{ "referrer", no_argument, NULL, O_REFERRER },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	SC_CLI_REGISTRY_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

typedef struct sign_args {
	const char *key, *identity, *type, *predicate, *predicate_type;
	char *annotations[MAX_ANNOTATIONS];
	size_t n_ann;
	const char *image;
} sign_args;

/* Parse the options of sign (attest = 0) or attest; -1 = return *status. */
static int parse_args(int argc, char **argv, int attest, sign_args *a, sign_ctx *c, int *status)
{
	const char *verb = attest ? "attest" : "sign";
	sc_cli_registry reg;
	int ch;

	sc_cli_registry_init(&reg);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":a:qh", sign_longopts, NULL)) != -1) {
		switch (ch) {
		case O_KEY: a->key = optarg; break;
		case O_IDENTITY: a->identity = optarg; break;
		case O_BUNDLE: c->bundle = 1; break;
		case O_BUNDLE_FILE: c->bundle_file = optarg; break;
		case O_PAYLOAD_FILE: c->payload_file = optarg; break;
		case O_TYPE: a->type = optarg; break;
		case O_PREDICATE: a->predicate = optarg; break;
		case O_PREDICATE_TYPE: a->predicate_type = optarg; break;
		case O_REFERRER: c->referrer = 1; break;
		case 'a':
			if (!strchr(optarg, '=') || optarg[0] == '=') {
				*status = sc_cli_usage_error(verb, "--annotation wants KEY=VALUE");
				return -1;
			}
			if (a->n_ann == MAX_ANNOTATIONS) {
				*status = sc_cli_usage_error(verb, "at most %d annotations", MAX_ANNOTATIONS);
				return -1;
			}
			a->annotations[a->n_ann++] = optarg;
			break;
		case 'q': c->quiet = 1; break;
		case 'h':
			attest ? attest_help(stdout) : sign_help(stdout);
			*status = SC_EXIT_OK;
			return -1;
		case ':':
			*status = sc_cli_usage_error(verb, "option '%s' needs a value", argv[optind - 1]);
			return -1;
		default:
			switch (sc_cli_registry_opt(&reg, verb, ch, optarg)) {
			case 1: break;
			case 0:
				*status = sc_cli_usage_error(verb, "unknown option '%s'", argv[optind - 1]);
				return -1;
			default: *status = SC_EXIT_USAGE; return -1;
			}
		}
	}
	/* Options of the other verb are not silently accepted. */
	if (!attest && (a->type || a->predicate || a->predicate_type || c->referrer))
		*status = sc_cli_usage_error(verb, "--type, --predicate, --predicate-type and --referrer are attest options");
	else if (attest && (a->identity || a->n_ann || c->payload_file))
		*status = sc_cli_usage_error(verb, "--identity, --annotation and --payload-file are sign options");
	else if (!a->key)
		*status = sc_cli_usage_error(verb, "--key KEY is required");
	else if (attest && !a->type)
		*status = sc_cli_usage_error(verb, "--type TYPE is required");
	else if (optind != argc - 1)
		*status = sc_cli_usage_error(verb, "expected one IMAGE");
	else if (c->bundle && c->referrer)
		*status = sc_cli_usage_error(verb, "--bundle and --referrer: a bundle is always a referrer");
	else if (c->bundle_file && !c->bundle)
		*status = sc_cli_usage_error(verb, "--bundle-file needs --bundle");
	else {
		a->image = argv[optind];
		sc_cli_registry_apply(&reg);
		return 0;
	}
	return -1;
}

int sc_cmd_sign(int argc, char **argv)
{
	sign_args a = { 0 };
	sign_ctx c = { 0 };
	int rc, status;

	if (parse_args(argc, argv, 0, &a, &c, &status) < 0)
		return status;
	if ((rc = ctx_open(&c, a.image, a.key)) == 0 && (rc = sign_image(&c, a.identity, a.annotations, a.n_ann)) == 0 &&
	    (rc = ctx_commit(&c)) == 0)
		printf("%s\n", sc_sigrepo_pinned(c.repo));
	ctx_close(&c);
	return rc ? sc_cli_fail(rc) : SC_EXIT_OK;
}

/* The report that makes the predicate of type uri, or 0 when scute makes none. */
static unsigned generated_report(const char *uri)
{
	static const struct {
		const char *uri;
		unsigned want;
	} gen[] = {
		{ SC_PREDICATE_CYCLONEDX, SC_REPORT_CYCLONEDX },
		{ SC_PREDICATE_SPDX, SC_REPORT_SPDX },
		{ SC_PREDICATE_VULN, SC_REPORT_VULN },
		{ SC_PREDICATE_AUDIT, SC_REPORT_AUDIT },
	};
	size_t i;

	for (i = 0; i < sizeof(gen) / sizeof(gen[0]); i++)
		if (strcmp(gen[i].uri, uri) == 0)
			return gen[i].want;
	return 0;
}

/* The predicate: --predicate FILE, or generated from the image. */
static int load_predicate(const sign_args *a, const char *image, const char *uri, int quiet, json_t **out)
{
	char *data = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (a->predicate) {
		if ((rc = sc_file_read_all(a->predicate, PREDICATE_FILE_MAX, &data, &len)) != 0)
			return rc;
		rc = sc_json_parse(out, data, len, PREDICATE_FILE_MAX, SC_JSON_MAX_DEPTH, a->predicate);
		free(data);
		if (rc == 0 && !json_is_object(*out)) {
			json_decref(*out);
			*out = NULL;
			rc = sc_error_set(SC_EINPUT, "%s: a predicate must be a JSON object", a->predicate);
		}
		return rc;
	}
	{
		unsigned want = generated_report(uri);
		sc_cli_reports r;

		if (!want)
			return sc_error_set(SC_EINTERNAL, "no report makes %s", uri);
		memset(&r, 0, sizeof(r));
		if ((rc = sc_cli_reports_make(&r, image, want, quiet)) != 0)
			return rc;
		*out = json_incref(want == SC_REPORT_CYCLONEDX ? r.cyclonedx
				   : want == SC_REPORT_SPDX    ? r.spdx
				   : want == SC_REPORT_VULN    ? r.vuln
							       : r.audit);
		sc_cli_reports_release(&r);
		return *out ? 0 : sc_error_set(SC_EINTERNAL, "no %s report was produced", a->type);
	}
}

int sc_cmd_attest(int argc, char **argv)
{
	sign_args a = { 0 };
	sign_ctx c = { 0 };
	const char *uri = NULL;
	json_t *pred = NULL;
	int rc, status;

	if (parse_args(argc, argv, 1, &a, &c, &status) < 0)
		return status;
	if (sc_predicate_type_lookup(a.type, &uri) != 0)
		return sc_cli_usage_error("attest", "%s", sc_error_msg());
	if (a.predicate_type) {
		if (strcmp(uri, SC_PREDICATE_CUSTOM) != 0)
			return sc_cli_usage_error("attest", "--predicate-type goes with --type custom");
		if (!strstr(a.predicate_type, "://"))
			return sc_cli_usage_error("attest", "--predicate-type wants a URI");
		uri = a.predicate_type;
	}
	if (!a.predicate && !generated_report(uri))
		return sc_cli_usage_error("attest", "--type %s needs --predicate FILE (scute generates sbom, spdx, vuln "
				"and audit predicates; `scute harden --provenance` writes SLSA provenance)", a.type);
	/* Resolve the image once; a generated predicate describes that digest,
	 * not whatever the tag names by then (docker://: by digest). */
	if ((rc = ctx_open(&c, a.image, a.key)) == 0) {
		char *pinned = NULL;

		if (strncmp(a.image, "docker://", 9) == 0 && asprintf(&pinned, "docker://%s", sc_sigrepo_pinned(c.repo)) < 0)
			rc = sc_error_set(SC_ENOMEM, "out of memory");
		if (rc == 0 && (rc = load_predicate(&a, pinned ? pinned : a.image, uri, c.quiet, &pred)) == 0 &&
		    (rc = attest_image(&c, uri, pred)) == 0 && (rc = ctx_commit(&c)) == 0)
			printf("%s\n", sc_sigrepo_pinned(c.repo));
		free(pinned);
	}
	json_decref(pred);
	ctx_close(&c);
	if (rc == SC_EUSAGE)
		return sc_cli_usage_error("attest", "%s", sc_error_msg());
	return rc ? sc_cli_fail(rc) : SC_EXIT_OK;
}
