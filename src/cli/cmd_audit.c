/*
 * cmd_audit.c - `scute audit IMAGE`: hardening checks (audit/audit.h) over
 * the same single pass that catalogs the image, with a 0-100 score.
 * docs/audit.md, docs/checks.md.
 */
#include "audit/audit.h"
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "cli/registry_opts.h"
#include "cli/reports.h"
#include "core/error.h"
#include "image/image.h"
#include "image/scan.h"
#include "report/audit_report.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum fmt { F_TABLE, F_JSON, F_SARIF };

static void help(FILE *f)
{
	fprintf(f, "usage: scute audit [options] IMAGE\n"
		   "\n"
		   "Check an image against hardening rules (privilege, attack surface, secrets,\n"
		   "supply chain, AI-specific risks) in one pass over its layers, with a 0-100\n"
		   "hardening score.  Every rule has a stable id (SC-xxxx, docs/checks.md).\n"
		   "\n"
		   "  --format FMT           table (default), json, sarif (2.1.0)\n"
		   "  -o, --output FILE      write to FILE atomically instead of standard output\n"
		   "  --fail-on LEVEL        exit 1 when a finding is at or above LEVEL\n"
		   "                         (info, low, medium, high, critical)\n"
		   "  --platform OS/ARCH[/VARIANT]  manifest to pick from an index\n"
		   "  -j, --jobs N           layers read in parallel (default: CPUs)\n"
		   "  -q, --quiet            no progress bar\n"
		   "\n"
		   "Exit status: 0 no finding at or above --fail-on, 1 there is one, 2 usage,\n"
		   "3 bad image, 4 internal error.\n");
	fputs("\n" SC_CLI_REGISTRY_HELP, f);
}

int sc_cmd_audit(int argc, char **argv)
{
	enum { O_FORMAT = 256, O_PLATFORM, O_FAILON };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, O_FORMAT },
		{ "platform", required_argument, NULL, O_PLATFORM },
		{ "fail-on", required_argument, NULL, O_FAILON },
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		SC_CLI_REGISTRY_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	enum fmt format = F_TABLE;
	const char *platform = NULL, *output = NULL;
	int quiet = 0, c, rc = 0, status = SC_EXIT_OK, fail_on = -1, have_scan = 0;
	size_t i;
	sc_catalog_opts co;
	sc_platform want = { 0 };
	sc_image *img = NULL;
	sc_catalog cat;
	sc_scan scan;
	sc_cli_audit a;
	sc_out out = { 0 };
	json_t *doc = NULL;

	memset(&co, 0, sizeof(co));
	memset(&scan, 0, sizeof(scan));
	sc_catalog_init(&cat);
	sc_cli_audit_init(&a);
	sc_cli_registry reg;

	sc_cli_registry_init(&reg);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:j:qh", longopts, NULL)) != -1) {
		switch (c) {
		case O_FORMAT:
			if (strcmp(optarg, "table") == 0)
				format = F_TABLE;
			else if (strcmp(optarg, "json") == 0)
				format = F_JSON;
			else if (strcmp(optarg, "sarif") == 0)
				format = F_SARIF;
			else
				return sc_cli_usage_error("audit", "unknown format '%s' (table, json, sarif)", optarg);
			break;
		case O_PLATFORM: platform = optarg; break;
		case O_FAILON:
			fail_on = sc_level_parse(optarg);
			if (fail_on < SC_LEVEL_NEGLIGIBLE)
				return sc_cli_usage_error("audit", "--fail-on wants info, low, medium, high or critical, not '%s'",
							  optarg);
			break;
		case 'o': output = optarg; break;
		case 'j':
			if (sc_cli_jobs("audit", optarg, &co.scan.jobs) != 0)
				return SC_EXIT_USAGE;
			break;
		case 'q': quiet = 1; break;
		case 'h': help(stdout); return SC_EXIT_OK;
		case ':': return sc_cli_usage_error("audit", "option '%s' needs a value", argv[optind - 1]);
		default:
			switch (sc_cli_registry_opt(&reg, "audit", c, optarg)) {
			case 1: break;
			case 0: return sc_cli_usage_error("audit", "unknown option '%s'", argv[optind - 1]);
			default: return SC_EXIT_USAGE;
			}
			break;
		}
	}
	sc_cli_registry_apply(&reg);
	if (optind != argc - 1)
		return sc_cli_usage_error("audit", optind >= argc ? "missing IMAGE" : "expected one IMAGE");
	if (platform && sc_platform_parse(&want, platform) != 0)
		return sc_cli_usage_error("audit", "%s", sc_error_msg());
	if ((rc = sc_cli_audit_interests(&a, &co)) != 0)
		goto fail;
	if ((rc = sc_cli_catalog_image(&img, &cat, argv[optind], platform ? &want : NULL, &co, quiet, &scan)) != 0)
		goto fail;
	have_scan = 1;
	if ((rc = sc_cli_audit_run(&a, img, &cat, &scan)) != 0)
		goto fail;
	if ((rc = sc_out_open(&out, output)) != 0)
		goto fail;
	if (format == F_TABLE) {
		sc_report_audit_table(out.f, &a.rctx, &a.fs, sc_cli_color(out.f));
	} else {
		rc = format == F_JSON ? sc_report_audit_json(&doc, &a.rctx, &a.fs)
				      : sc_report_audit_sarif(&doc, &a.rctx, &a.fs);
		if (rc) {
			sc_out_abort(&out);
			goto fail;
		}
		if ((rc = sc_out_json(&out, doc)) != 0)
			goto fail;
	}
	if ((rc = sc_out_commit(&out)) != 0)
		goto fail;
	if (fail_on >= 0)
		for (i = 0; i < a.fs.n; i++)
			if (!a.fs.items[i].suppressed && (int)a.fs.items[i].level >= fail_on)
				status = SC_EXIT_POLICY;
	goto done;
fail:
	status = sc_cli_fail(rc);
done:
	json_decref(doc);
	sc_cli_audit_release(&a);
	if (have_scan)
		sc_scan_release(&scan);
	sc_catalog_release(&cat);
	sc_image_free(img);
	sc_platform_release(&want);
	return status;
}
