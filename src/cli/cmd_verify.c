/*
 * cmd_verify.c - `scute verify` (an image's signatures or attestations)
 * and `scute verify-blob` (a bundle or signature over a file).
 *
 * Every signature document found for the image's digest is checked
 * (sign/verify.c); the valid ones are printed on stdout, the rejected ones
 * with their reason on stderr (or all of them in --json).  Exit 0 when at
 * least one valid item of the requested kind exists, 1 when none.
 */
#include "cli/cli.h"
#include "cli/registry_opts.h"
#include "core/error.h"
#include "core/stream.h"
#include "sign/envelope.h"
#include "sign/key.h"
#include "sign/predicate.h"
#include "sign/store.h"
#include "sign/verify.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KEYS 16
#define BLOB_MAX (1ull << 32) /* verify-blob reads the file whole */

enum { O_KEY = 0x100, O_TYPE, O_IDENTITY, O_JSON, O_IGNORE_TLOG, O_BUNDLE, O_SIGNATURE };

static const struct option verify_longopts[] = {
	{ "key", required_argument, NULL, O_KEY },
	{ "type", required_argument, NULL, O_TYPE },
	{ "identity", required_argument, NULL, O_IDENTITY },
	{ "json", no_argument, NULL, O_JSON },
	{ "insecure-ignore-tlog", no_argument, NULL, O_IGNORE_TLOG },
	{ "bundle", required_argument, NULL, O_BUNDLE },
	{ "signature", required_argument, NULL, O_SIGNATURE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	SC_CLI_REGISTRY_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static void verify_help(FILE *f)
{
	fprintf(f,
		"usage: scute verify --key KEY [options] IMAGE\n\n"
		"Check IMAGE's cosign signatures (sha256-<hex>.sig layers, Sigstore bundle\n"
		"referrers, or a containers/image dir:PATH's signature-N files) or, with --type,\n"
		"its attestations (sha256-<hex>.att layers, DSSE and bundle referrers) against\n"
		"public keys.  Only the image's digest is trusted, never a tag.\n\n"
		"options:\n"
		"  --key KEY             a public key (PEM); repeat for several (any may match)\n"
		"  --type TYPE           verify attestations of TYPE (sbom, spdx, vuln, slsa, audit,\n"
		"                        custom, a predicate type URI, or any)\n"
		"  --identity REF        require this docker-reference (HOST/REPO matches any tag)\n"
		"  --insecure-ignore-tlog  accept bundles whose transparency-log entries cannot be\n"
		"                        checked offline (the signature is still verified)\n"
		"  --json                print every item found, valid or not, as JSON\n"
		"  -q, --quiet           print nothing; the exit status tells\n"
		"  -h, --help            this help\n\n" SC_CLI_REGISTRY_HELP
		"\nImages: docker://, oci:, oci-archive:, docker-archive: and dir:PATH.\n"
		"Exit status: 0 at least one valid signature (attestation), 1 none, 2 usage,\n"
		"3 bad key or image, 4 registry or I/O failure.\n");
}

static void verify_blob_help(FILE *f)
{
	fprintf(f,
		"usage: scute verify-blob --key KEY (--bundle FILE | --signature FILE) [options] [BLOB]\n\n"
		"Verify a Sigstore bundle (v0.1-v0.3, message signature or DSSE) or a detached\n"
		"signature (base64 or DER) over BLOB with public keys, offline.\n\n"
		"options:\n"
		"  --key KEY             a public key (PEM); repeatable\n"
		"  --bundle FILE         a Sigstore bundle JSON\n"
		"  --signature FILE      a detached signature over BLOB\n"
		"  --insecure-ignore-tlog  accept a bundle whose transparency-log entries cannot be\n"
		"                        checked offline\n"
		"  --json                the result as JSON\n"
		"  -q, --quiet           print nothing\n"
		"  -h, --help            this help\n\n"
		"BLOB may be omitted for a DSSE bundle (its statement is then not matched to a file).\n"
		"Exit status: 0 valid, 1 not valid, 2 usage, 3 bad key or file.\n");
}

typedef struct verify_args {
	const char *keys[MAX_KEYS];
	size_t nkeys;
	const char *type, *identity, *bundle, *signature;
	int json, ignore_tlog, quiet;
} verify_args;

static int parse(int argc, char **argv, const char *verb, verify_args *a, int *status)
{
	sc_cli_registry reg;
	int blob = strcmp(verb, "verify-blob") == 0, ch;

	sc_cli_registry_init(&reg);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":qh", verify_longopts, NULL)) != -1) {
		switch (ch) {
		case O_KEY:
			if (a->nkeys == MAX_KEYS) {
				*status = sc_cli_usage_error(verb, "at most %d keys", MAX_KEYS);
				return -1;
			}
			a->keys[a->nkeys++] = optarg;
			break;
		case O_TYPE: a->type = optarg; break;
		case O_IDENTITY: a->identity = optarg; break;
		case O_JSON: a->json = 1; break;
		case O_IGNORE_TLOG: a->ignore_tlog = 1; break;
		case O_BUNDLE: a->bundle = optarg; break;
		case O_SIGNATURE: a->signature = optarg; break;
		case 'q': a->quiet = 1; break;
		case 'h':
			blob ? verify_blob_help(stdout) : verify_help(stdout);
			*status = SC_EXIT_OK;
			return -1;
		case ':':
			*status = sc_cli_usage_error(verb, "option '%s' needs a value", argv[optind - 1]);
			return -1;
		default:
			if (!blob) {
				int r = sc_cli_registry_opt(&reg, verb, ch, optarg);

				if (r == 1)
					break;
				if (r < 0) {
					*status = SC_EXIT_USAGE;
					return -1;
				}
			}
			*status = sc_cli_usage_error(verb, "unknown option '%s'", argv[optind - 1]);
			return -1;
		}
	}
	if (a->nkeys == 0)
		*status = sc_cli_usage_error(verb, "--key KEY is required (keyless verification is not supported)");
	else if (!blob && (a->bundle || a->signature))
		*status = sc_cli_usage_error(verb, "--bundle and --signature are verify-blob options");
	else if (!blob && a->type && a->identity)
		*status = sc_cli_usage_error(verb, "--identity applies to signatures, not to attestations (--type)");
	else if (blob && (a->type || a->identity))
		*status = sc_cli_usage_error(verb, "--type and --identity are verify options");
	else if (blob && !a->bundle == !a->signature)
		*status = sc_cli_usage_error(verb, "give one of --bundle FILE or --signature FILE");
	else if (!blob && optind != argc - 1)
		*status = sc_cli_usage_error(verb, "expected one IMAGE");
	else if (blob && (optind < argc - 1 || (optind == argc && !a->bundle)))
		*status = sc_cli_usage_error(verb, "expected one BLOB");
	else {
		if (!blob)
			sc_cli_registry_apply(&reg);
		return 0;
	}
	return -1;
}

static int load_keys(const verify_args *a, sc_key **keys)
{
	size_t i;
	int rc;

	for (i = 0; i < a->nkeys; i++)
		if ((rc = sc_key_load_public(&keys[i], a->keys[i])) != 0)
			return rc;
	return 0;
}

static void free_keys(sc_key **keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sc_key_free(keys[i]);
}

/* One line, whatever an image put into the reason. */
static void print_clean(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

static void print_item(const sc_verify_item *it)
{
	if (it->valid) {
		printf("verified %-11s %s  key %s", it->attestation ? "attestation" : "signature", it->where, it->key_hint);
		if (it->attestation && it->predicate_type) {
			printf("  ");
			print_clean(stdout, it->predicate_type);
		} else if (it->docker_ref) {
			printf("  docker-reference ");
			print_clean(stdout, it->docker_ref);
		}
		printf("\n");
	} else {
		fprintf(stderr, "scute: rejected %s: ", it->where);
		print_clean(stderr, it->reason ? it->reason : "not valid");
		fprintf(stderr, "\n");
	}
}

int sc_cmd_verify(int argc, char **argv)
{
	verify_args a = { 0 };
	sc_key *keys[MAX_KEYS] = { 0 };
	sc_verify_opts vo = { 0 };
	sc_sigrepo *repo = NULL;
	sc_sigart *arts = NULL;
	sc_verify_item *items = NULL;
	size_t n = 0, ni = 0, i, valid = 0;
	int rc, status, attest;
	const char *uri = NULL;

	if (parse(argc, argv, "verify", &a, &status) < 0)
		return status;
	attest = a.type != NULL;
	if (attest && strcmp(a.type, "any") != 0 && sc_predicate_type_lookup(a.type, &uri) != 0)
		return sc_cli_usage_error("verify", "%s", sc_error_msg());
	vo.keys = keys;
	vo.nkeys = a.nkeys;
	vo.identity = a.identity;
	vo.predicate_type = uri;
	vo.ignore_tlog = a.ignore_tlog;
	if ((rc = load_keys(&a, keys)) != 0 || (rc = sc_sigrepo_open(&repo, argv[optind], 0)) != 0 ||
	    (rc = sc_sigrepo_collect(repo, attest ? SC_COLLECT_ATTESTATIONS : SC_COLLECT_SIGNATURES, &arts, &n)) != 0)
		goto out;
	if (sc_sigrepo_truncated(repo) && !a.quiet)
		fprintf(stderr, "scute: warning: stopped reading after %zu signature documents (limits: %d documents, "
			"%u MiB); the rest were not checked\n", n, SC_SIGSTORE_MAX_ARTIFACTS, SC_SIGSTORE_MAX_BYTES >> 20);
	if (n && !(items = sc_calloc(n, sizeof(*items)))) {
		rc = SC_ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		rc = sc_verify_artifact(&items[ni], &arts[i], sc_sigrepo_digest(repo), attest, &vo);
		if (rc == SC_ENOTFOUND) {
			sc_error_clear();
			rc = 0;
			continue;
		}
		if (rc)
			goto out;
		valid += items[ni].valid != 0;
		ni++;
	}
	if (!a.quiet) /* rejections are explained on stderr, also with --json */
		for (i = 0; i < ni; i++)
			if (!items[i].valid)
				print_item(&items[i]);
	if (a.json) {
		json_t *doc, *sigs = json_array();
		char dg[SC_DIGEST_STRLEN];
		sc_out o;

		/* Both lists always; the one not asked for is empty. */
		doc = json_pack("{s:s, s:s, s:I, s:I, s:o, s:o}", "image", argv[optind], "digest",
				sc_digest_fmt(sc_sigrepo_digest(repo), dg), "verified", (json_int_t)valid, "rejected",
				(json_int_t)(ni - valid), "signatures", attest ? json_array() : sigs, "attestations",
				attest ? sigs : json_array());
		for (i = 0; doc && i < ni; i++)
			json_array_append_new(sigs, sc_verify_item_json(&items[i]));
		if (!doc)
			rc = sc_error_set(SC_ENOMEM, "out of memory");
		else if ((rc = sc_out_open(&o, NULL)) == 0 && (rc = sc_out_json(&o, doc)) == 0)
			rc = sc_out_commit(&o);
		json_decref(doc);
	} else if (!a.quiet) {
		for (i = 0; i < ni; i++)
			if (items[i].valid)
				print_item(&items[i]);
	}
	if (rc == 0 && valid == 0) {
		if (!a.quiet)
			fprintf(stderr, "scute: error: no valid %s for %s (%zu rejected)\n",
				attest ? (uri ? "attestations of that type" : "attestations") : "signatures",
				sc_sigrepo_pinned(repo), ni);
		status = SC_EXIT_POLICY;
	} else {
		status = SC_EXIT_OK;
	}
out:
	for (i = 0; i < ni; i++)
		sc_verify_item_release(&items[i]);
	free(items);
	sc_sigarts_free(arts, n);
	sc_sigrepo_free(repo);
	free_keys(keys, a.nkeys);
	if (rc)
		return sc_cli_fail(rc);
	return status;
}

int sc_cmd_verify_blob(int argc, char **argv)
{
	verify_args a = { 0 };
	sc_key *keys[MAX_KEYS] = { 0 };
	sc_verify_opts vo = { 0 };
	sc_verify_item it;
	char *doc = NULL, *blob = NULL;
	size_t doc_len = 0, blob_len = 0;
	int rc, status, have_blob;

	memset(&it, 0, sizeof(it));
	if (parse(argc, argv, "verify-blob", &a, &status) < 0)
		return status;
	have_blob = optind < argc;
	vo.keys = keys;
	vo.nkeys = a.nkeys;
	vo.ignore_tlog = a.ignore_tlog;
	if ((rc = load_keys(&a, keys)) != 0 ||
	    (rc = sc_file_read_all(a.bundle ? a.bundle : a.signature, SC_SIGN_DOC_MAX, &doc, &doc_len)) != 0 ||
	    (have_blob && (rc = sc_file_read_all(argv[optind], BLOB_MAX, &blob, &blob_len)) != 0))
		goto out;
	rc = a.bundle ? sc_verify_bundle_blob(&it, doc, doc_len, blob, blob_len, have_blob, &vo)
		      : sc_verify_signature_blob(&it, doc, doc_len, blob, blob_len, &vo);
	if (rc)
		goto out;
	if (a.json) {
		json_t *j = sc_verify_item_json(&it);
		sc_out o;

		if (!j)
			rc = sc_error_set(SC_ENOMEM, "out of memory");
		else if ((rc = sc_out_open(&o, NULL)) == 0 && (rc = sc_out_json(&o, j)) == 0)
			rc = sc_out_commit(&o);
		json_decref(j);
	} else if (!a.quiet) {
		if (it.valid)
			printf("verified %s  key %s\n", have_blob ? argv[optind] : a.bundle, it.key_hint);
		else
			print_item(&it);
	}
	status = it.valid ? SC_EXIT_OK : SC_EXIT_POLICY;
out:
	sc_verify_item_release(&it);
	free(doc);
	free(blob);
	free_keys(keys, a.nkeys);
	return rc ? sc_cli_fail(rc) : status;
}
