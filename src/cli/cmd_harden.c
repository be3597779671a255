/*
 * cmd_harden.c - `scute harden SRC DST`: write a hardened image (harden.h)
 * and report what changed.  docs/harden.md.
 */
#include "cli/cli.h"
#include "core/error.h"
#include "harden/harden.h"
#include "report/audit_report.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WRITABLE 64

static void help(FILE *f)
{
	fprintf(f, "usage: scute harden [options] SRC DST\n"
		   "\n"
		   "Write a hardened copy of image SRC to DST (oci:DIR:TAG, oci-archive:FILE[:TAG],\n"
		   "docker-archive:FILE[:REPO:TAG]): the source layers\n"
		   "untouched plus one deterministic layer that removes shells, package-manager\n"
		   "binaries, network/debug tools, compilers, docs and caches (what `scute audit`\n"
		   "flags), adds a non-root user, makes the paths it needs writable, clears\n"
		   "setuid/setgid bits and world-writable modes, and drops secret-looking Env.\n"
		   "\n"
		   "  --user NAME[:UID]      the user to run as (default nonroot:65532)\n"
		   "  --keep-shell           keep shells (needed when the entrypoint runs sh -c)\n"
		   "  --entrypoint 'PROG ARG...'  set a new entrypoint (split at spaces; Cmd removed)\n"
		   "  --keep-package-managers\n"
		   "  --keep-tools           keep network/debug tools and compilers\n"
		   "  --writable PATH        a directory the user must be able to write (repeatable)\n"
		   "  --replace              replace DST's tag when it exists\n"
		   "  --db PATH              count vulnerabilities before/after with this database\n"
		   "  --sbom FILE            write the hardened image's CycloneDX SBOM to FILE\n"
		   "  --format FMT           report: table (default), json\n"
		   "  -o, --output FILE      write the report to FILE\n"
		   "  -j, --jobs N           layers read in parallel\n"
		   "  -q, --quiet            no progress bar\n");
}

int sc_cmd_harden(int argc, char **argv)
{
	enum { O_USER = 256, O_KEEPSH, O_KEEPPM, O_KEEPTOOLS, O_WRITABLE, O_REPLACE, O_FORMAT, O_ENTRY, O_DB, O_SBOM };
	static const struct option longopts[] = {
		{ "user", required_argument, NULL, O_USER },
		{ "keep-shell", no_argument, NULL, O_KEEPSH },
		{ "keep-package-managers", no_argument, NULL, O_KEEPPM },
		{ "keep-tools", no_argument, NULL, O_KEEPTOOLS },
		{ "writable", required_argument, NULL, O_WRITABLE },
		{ "replace", no_argument, NULL, O_REPLACE },
		{ "entrypoint", required_argument, NULL, O_ENTRY },
		{ "db", required_argument, NULL, O_DB },
		{ "sbom", required_argument, NULL, O_SBOM },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *writable[MAX_WRITABLE + 1] = { NULL }, *output = NULL, *entry = NULL;
	char *entry_copy = NULL, *ep_argv[65] = { NULL }, *tok, *save = NULL;
	size_t n_ep = 0;
	size_t n_writable = 0, i;
	int json = 0, c, rc, status = SC_EXIT_OK;
	sc_harden_opts o;
	sc_harden_report r;
	sc_out out = { 0 };
	json_t *doc = NULL;

	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:j:qh", longopts, NULL)) != -1) {
		switch (c) {
		case O_USER: o.user = optarg; break;
		case O_KEEPSH: o.keep_shell = 1; break;
		case O_KEEPPM: o.keep_package_managers = 1; break;
		case O_KEEPTOOLS: o.keep_tools = 1; break;
		case O_WRITABLE:
			if (n_writable == MAX_WRITABLE)
				return sc_cli_usage_error("harden", "at most %d --writable paths", MAX_WRITABLE);
			writable[n_writable++] = optarg;
			break;
		case O_REPLACE: o.replace = 1; break;
		case O_ENTRY: entry = optarg; break;
		case O_DB: o.db_path = optarg; break;
		case O_SBOM: o.sbom_path = optarg; break;
		case O_FORMAT:
			if (strcmp(optarg, "json") == 0)
				json = 1;
			else if (strcmp(optarg, "table") != 0)
				return sc_cli_usage_error("harden", "unknown format '%s' (table, json)", optarg);
			break;
		case 'o': output = optarg; break;
		case 'j':
			if (sc_cli_jobs("harden", optarg, &o.jobs) != 0)
				return SC_EXIT_USAGE;
			break;
		case 'q': break;
		case 'h': help(stdout); return SC_EXIT_OK;
		case ':': return sc_cli_usage_error("harden", "option '%s' needs a value", argv[optind - 1]);
		default: return sc_cli_usage_error("harden", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return sc_cli_usage_error("harden", "expected SRC and DST");
	o.src = argv[optind];
	o.dst = argv[optind + 1];
	if (strncmp(o.dst, "oci:", 4) == 0 ? !strchr(o.dst + 4, ':')
	    : strncmp(o.dst, "oci-archive:", 12) != 0 && strncmp(o.dst, "docker-archive:", 15) != 0)
		return sc_cli_usage_error("harden", "DST must be oci:DIR:TAG, oci-archive:FILE[:TAG] or "
						    "docker-archive:FILE[:REPO:TAG] (registries come with `scute mirror`)");
	o.writable = writable;
	if (entry) {
		if (!(entry_copy = strdup(entry)))
			return sc_cli_fail(sc_error_set(SC_ENOMEM, "out of memory"));
		for (tok = strtok_r(entry_copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			if (n_ep == 64) {
				free(entry_copy);
				return sc_cli_usage_error("harden", "--entrypoint takes at most 64 words");
			}
			ep_argv[n_ep++] = tok;
		}
		if (n_ep == 0 || ep_argv[0][0] != '/') {
			free(entry_copy);
			return sc_cli_usage_error("harden", "--entrypoint wants an absolute program path and its arguments");
		}
		o.entrypoint = (const char *const *)ep_argv;
	}
	if ((rc = sc_harden_run(&r, &o)) != 0)
		goto fail;
	if ((rc = sc_out_open(&out, output)) != 0)
		goto fail;
	if (json) {
		if ((rc = sc_harden_report_json(&doc, &r, &o)) != 0) {
			sc_out_abort(&out);
			goto fail;
		}
		if ((rc = sc_out_json(&out, doc)) != 0) /* aborts the output on failure */
			goto fail;
	} else {
		fprintf(out.f, "%-22s %s\n%-22s %s (%s)\n", "Source", o.src, "Hardened", o.dst, r.manifest_digest);
		fprintf(out.f, "%-22s %s\n", "User", r.user ? r.user : "-");
		fprintf(out.f, "%-22s %d -> %d\n", "Audit score", r.score_before, r.score_after);
		fprintf(out.f, "%-22s %zu -> %zu\n", "Audit findings", r.findings_before, r.findings_after);
		fprintf(out.f, "%-22s %zu\n", "Paths removed", r.removed);
		fprintf(out.f, "%-22s %zu\n", "Modes fixed", r.modes_fixed);
		fprintf(out.f, "%-22s %zu -> %zu\n", "Packages", r.packages_before, r.packages_after);
		if (r.have_vulns) {
			size_t b = 0, a = 0;
			int l;

			for (l = 0; l <= SC_LEVEL_CRITICAL; l++) {
				b += r.vulns_before[l];
				a += r.vulns_after[l];
			}
			fprintf(out.f, "%-22s %zu -> %zu (critical %zu -> %zu, high %zu -> %zu)\n", "Vulnerabilities", b, a,
				r.vulns_before[SC_LEVEL_CRITICAL], r.vulns_after[SC_LEVEL_CRITICAL],
				r.vulns_before[SC_LEVEL_HIGH], r.vulns_after[SC_LEVEL_HIGH]);
		}
		for (i = 0; r.dropped_env && r.dropped_env[i]; i++)
			fprintf(out.f, "%-22s %s\n", i ? "" : "Env dropped", r.dropped_env[i]);
		for (i = 0; r.removed_paths && r.removed_paths[i] && i < 40; i++)
			fprintf(out.f, "  removed /%s\n", r.removed_paths[i]);
	}
	if ((rc = sc_out_commit(&out)) != 0)
		goto fail;
	goto done;
fail:
	status = sc_cli_fail(rc);
done:
	json_decref(doc);
	free(entry_copy);
	sc_harden_report_release(&r);
	return status;
}
