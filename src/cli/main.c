/*
 * main.c - `scute` entry point: verb dispatch, top-level help and version.
 */
#include "cli/cli.h"
#include "core/error.h"
#include "sc_config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} verbs[] = {
	{ "inspect", sc_cmd_inspect, "show an image's manifest, config, layers and largest files" },
	{ "sbom", sc_cmd_sbom, "inventory: OS and language packages, GPU stack, model files (CycloneDX, SPDX)" },
	{ "scan", sc_cmd_scan, "known vulnerabilities of an image or SBOM (table, JSON, SARIF, CycloneDX VEX)" },
	{ "db", sc_cmd_db, "vulnerability database: import, update, status" },
	{ "harden", sc_cmd_harden, "write a hardened copy: no shells or package managers, non-root, safe modes" },
	{ "audit", sc_cmd_audit, "hardening checks and AI-specific risks, with a 0-100 score (table, JSON, SARIF)" },
	{ "mirror", sc_cmd_mirror, "copy an image by digest (with its signatures) between layouts, archives, registries" },
	{ "keygen", sc_cmd_keygen, "create a cosign-compatible key pair (encrypted private key, public key)" },
	{ "sign", sc_cmd_sign, "sign an image's digest (cosign simple signing or a Sigstore bundle)" },
	{ "attest", sc_cmd_attest, "attach a signed in-toto attestation: SBOM, vulnerabilities, SLSA provenance, audit" },
	{ "verify", sc_cmd_verify, "verify an image's signatures or attestations against public keys" },
	{ "verify-blob", sc_cmd_verify_blob, "verify a Sigstore bundle or signature over a file" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: scute [--version] [--help] VERB [options] IMAGE\n\nverbs:\n");
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].help);
	fprintf(f, "\nimages: oci:DIR[:REF]  oci-archive:FILE[:REF]  docker-archive:FILE[:REF]\n"
		   "        docker://HOST[:PORT]/REPO[:TAG|@DIGEST]\n"
		   "run 'scute VERB --help' for a verb's options\n");
}

int main(int argc, char **argv)
{
	size_t i;

	setlocale(LC_CTYPE, "");
	if (argc < 2) {
		usage(stderr);
		return SC_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return SC_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("scute %s\n", SCUTE_VERSION);
		return SC_EXIT_OK;
	}
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(argv[1], verbs[i].name) == 0)
			return verbs[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "scute: error: unknown verb '%s' (see 'scute --help')\n", argv[1]);
	return SC_EXIT_USAGE;
}
