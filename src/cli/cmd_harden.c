/*
 * cmd_harden.c - `scute harden SRC DST`: write a hardened image (harden.h)
 * and report what changed.  docs/harden.md.
 */
#include "cli/cli.h"
#include "cli/registry_opts.h"
#include "cli/reports.h"
#include "core/error.h"
#include "core/shellwords.h"
#include "harden/harden.h"
#include "registry/client.h"
#include "report/audit_report.h"
#include "sign/key.h"
#include "sign/predicate.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_WRITABLE 64
#define MAX_KEEP 256

static void help(FILE *f)
{
	fprintf(f, "usage: scute harden [options] SRC DST\n"
		   "\n"
		   "Write a hardened copy of image SRC to DST (oci:DIR:TAG, oci-archive:FILE[:TAG],\n"
		   "docker-archive:FILE[:REPO:TAG], docker://HOST/REPO:TAG; a docker:// SRC is\n"
		   "pulled once into --scratch): remove shells, package-manager binaries,\n"
		   "network/debug tools, compilers, docs and caches (what `scute audit` flags),\n"
		   "add a non-root user, make the paths it needs writable, clear setuid/setgid\n"
		   "bits and world-writable modes, drop secret-looking Env.  By default the\n"
		   "source layers stay untouched under one deterministic hardening layer.\n"
		   "\n"
		   "  --minimize             keep only what the workload needs (ELF, Python and\n"
		   "                         GPU closure of the entrypoint and --test-cmd)\n"
		   "  --keep PATH|GLOB       also keep this (repeatable; with --minimize)\n"
		   "  --test-cmd 'CMD ARGS'  run CMD in the source and in the result under runc;\n"
		   "                         fail (exit 1, DST not written) when exit status or\n"
		   "                         stdout differ\n"
		   "  --test-timeout SEC     per run (default 300)\n"
		   "  --probe                with --minimize: also keep the files --test-cmd opens\n"
		   "  --layering MODE        append (default) or squash (one layer)\n"
		   "  --scratch DIR          temporary files and bundles (default $TMPDIR or /var/tmp)\n"
		   "  --user NAME[:UID]      the user to run as (default nonroot:65532)\n"
		   "  --keep-shell           keep shells (needed when the entrypoint runs sh -c)\n"
		   "  --entrypoint 'PROG ARG...'  set a new entrypoint (shell-like quoting, no\n"
		   "                         expansion; Cmd removed)\n"
		   "  --keep-package-managers\n"
		   "  --keep-tools           keep network/debug tools and compilers\n"
		   "  --strip-models         remove the model files the audit flags (pickles, baked\n"
		   "                         weights: mount them at run time instead)\n"
		   "  --writable PATH        a directory the user must be able to write (repeatable)\n"
		   "  --replace              replace DST's tag when it exists\n"
		   "  --db PATH              count vulnerabilities before/after with this database\n"
		   "  --sbom FILE            write the hardened image's CycloneDX SBOM to FILE\n"
		   "  --provenance FILE      write the run's SLSA provenance v1 predicate to FILE\n"
		   "  --sign-key KEY         after DST is written (and --test-cmd passed), sign it\n"
		   "                         with cosign private key KEY and attest its CycloneDX\n"
		   "                         SBOM, SLSA provenance, audit and vulnerability scan\n"
		   "                         (needs the database, as 'scute scan'); DST must be\n"
		   "                         docker:// or oci:.  Passphrase: $SCUTE_PASSWORD,\n"
		   "                         $COSIGN_PASSWORD or a prompt\n"
		   "  --sign-identity REF    docker-reference to sign for (default: DST's\n"
		   "                         HOST/REPO:TAG, or an oci: DST's TAG)\n"
		   "  --format FMT           report: table (default), json\n"
		   "  -o, --output FILE      write the report to FILE\n"
		   "  -j, --jobs N           layers read in parallel\n"
		   "  -q, --quiet            no progress bar\n");
	fputs("\n" SC_CLI_REGISTRY_HELP, f);
}

/*
 * Before the long run: decrypt the key (a wrong passphrase fails now, not
 * after minutes of work) and open the vulnerability database (scan's
 * message when it does not).
 */
static int sign_precheck(const char *key_path, const char *db_path, sc_key **key)
{
	sc_vulndb *db = NULL;
	char *path = NULL;
	int rc;

	if ((rc = sc_key_load_private(key, key_path)) != 0)
		return sc_error_prefix(rc, "--sign-key");
	if ((rc = sc_cli_vulndb_open(&db, &path, db_path)) != 0)
		return rc;
	sc_vulndb_close(db);
	free(path);
	return 0;
}

/*
 * The name to sign and its default identity: a docker:// DST pinned to the
 * digest just written, identity HOST/REPO:TAG (so a tag moved meanwhile
 * cannot be signed instead); an oci: DST as given (the TAG is the identity).
 */
static int sign_target(const sc_harden_opts *o, const sc_harden_report *r, char **name, char **identity)
{
	sc_regref rr;
	int rc;

	*name = *identity = NULL;
	if (strncmp(o->dst, "docker://", 9) != 0)
		return (*name = strdup(o->dst)) ? 0 : sc_error_set(SC_ENOMEM, "out of memory");
	if ((rc = sc_regref_parse(&rr, o->dst + 9)) != 0)
		return rc;
	if (asprintf(name, "docker://%s/%s@%s", rr.host, rr.repo, r->manifest_digest) < 0)
		*name = NULL;
	else if (rr.tag && asprintf(identity, "%s/%s:%s", rr.host, rr.repo, rr.tag) < 0)
		*identity = NULL;
	rc = (!*name || (rr.tag && !*identity)) ? sc_error_set(SC_ENOMEM, "out of memory") : 0;
	sc_regref_release(&rr);
	return rc;
}

/*
 * What --sign-key attests about DST, built from the run's own catalog and
 * audit of the result (sc_harden_opts.on_result): no second pass over
 * DST's layers, no pull of a docker:// DST.
 */
typedef struct harden_docs {
	const char *dst;
	const char *db_opt;   /* --db or NULL ($SCUTE_DB, the cache) */
	time_t started;
	sc_cli_reports rep;
} harden_docs;

static int collect_docs(void *arg, const sc_image *img, const sc_catalog *cat, const sc_findings *audit)
{
	harden_docs *d = arg;
	sc_vulndb *db = NULL;
	char *path = NULL;
	int rc;

	if ((rc = sc_cli_vulndb_open(&db, &path, d->db_opt)) == 0)
		rc = sc_cli_reports_build(&d->rep, img, cat, audit, SC_REPORT_CYCLONEDX | SC_REPORT_VULN | SC_REPORT_AUDIT, db,
				  path, d->started);
	sc_vulndb_close(db);
	free(path);
	return rc ? sc_error_prefix(rc, "%s was written but not signed", d->dst) : 0;
}

/* Sign the written DST and attest its SBOM, provenance, audit and scan. */
static int sign_result(const sc_harden_opts *o, const sc_harden_report *r, const sc_cli_reports *rep, json_t *prov,
		       sc_key *key, const char *identity, int quiet)
{
	sc_cli_attestation atts[4] = {
		{ SC_PREDICATE_CYCLONEDX, rep->cyclonedx },
		{ SC_PREDICATE_SLSA1, prov },
		{ SC_PREDICATE_AUDIT, rep->audit },
		{ SC_PREDICATE_VULN, rep->vuln },
	};
	char *name = NULL, *def_identity = NULL;
	int rc;

	if (!rep->cyclonedx || !rep->audit || !rep->vuln)
		return sc_error_set(SC_EINTERNAL, "the hardened image's reports were not made");
	if ((rc = sign_target(o, r, &name, &def_identity)) != 0)
		return rc;
	sc_error_clear();
	rc = sc_cli_sign_image(name, key, identity ? identity : def_identity, atts, 4, quiet);
	if (rc && !sc_error_msg()[0])
		sc_error_set(rc, "%s", sc_error_name(rc));
	free(name);
	free(def_identity);
	return rc;
}

/* After DST is committed: --provenance FILE and --sign-key; failures say DST was written. */
static int attest(const sc_harden_opts *o, const sc_harden_report *r, const sc_cli_reports *rep, time_t started,
		  time_t finished, const char *provenance, sc_key *key, const char *identity, int quiet)
{
	json_t *prov = NULL;
	sc_out out;
	char id[37];
	int rc;

	if ((rc = sc_predicate_uuid(id)) != 0 ||
	    (rc = sc_harden_provenance(&prov, o, r, started, finished, id)) != 0)
		goto fail;
	if (provenance) {
		if ((rc = sc_out_open(&out, provenance)) != 0 || (rc = sc_out_json(&out, prov)) != 0 ||
		    (rc = sc_out_commit(&out)) != 0) {
			rc = sc_error_prefix(rc, "%s was written%s, but --provenance %s was not", o->dst,
					     key ? " (not signed)" : "", provenance);
			json_decref(prov);
			return rc;
		}
	}
	if (key && (rc = sign_result(o, r, rep, prov, key, identity, quiet)) != 0)
		goto fail;
	json_decref(prov);
	return 0;
fail:
	json_decref(prov);
	return sc_error_prefix(rc, "%s was written but %s", o->dst, key ? "not signed" : "its provenance was not");
}

int sc_cmd_harden(int argc, char **argv)
{
	enum { O_USER = 256, O_KEEPSH, O_KEEPPM, O_KEEPTOOLS, O_WRITABLE, O_REPLACE, O_FORMAT, O_ENTRY, O_DB, O_SBOM,
	       O_MIN, O_KEEP, O_TEST, O_TTIME, O_PROBE, O_LAYERING, O_SCRATCH, O_STRIP, O_PROV, O_SIGNKEY, O_SIGNID };
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
		{ "minimize", no_argument, NULL, O_MIN },
		{ "keep", required_argument, NULL, O_KEEP },
		{ "test-cmd", required_argument, NULL, O_TEST },
		{ "test-timeout", required_argument, NULL, O_TTIME },
		{ "probe", no_argument, NULL, O_PROBE },
		{ "layering", required_argument, NULL, O_LAYERING },
		{ "scratch", required_argument, NULL, O_SCRATCH },
		{ "strip-models", no_argument, NULL, O_STRIP },
		{ "provenance", required_argument, NULL, O_PROV },
		{ "sign-key", required_argument, NULL, O_SIGNKEY },
		{ "sign-identity", required_argument, NULL, O_SIGNID },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		SC_CLI_REGISTRY_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *writable[MAX_WRITABLE + 1] = { NULL }, *keep[MAX_KEEP + 1] = { NULL }, *output = NULL,
		   *entry = NULL, *test = NULL, *provenance = NULL, *sign_key = NULL, *sign_identity = NULL;
	char **ep_argv = NULL, **test_argv = NULL;
	size_t n_ep = 0, n_test = 0, n_keep = 0;
	size_t n_writable = 0, i;
	int json = 0, quiet = 0, c, rc, status = SC_EXIT_OK;
	time_t started, finished;
	sc_key *key = NULL; /* --sign-key, decrypted before the run */
	harden_docs docs = { 0 };
	sc_harden_opts o;
	sc_harden_report r;
	sc_out out = { 0 };
	json_t *doc = NULL;

	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	sc_cli_registry reg;

	sc_cli_registry_init(&reg);
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
		case O_MIN: o.minimize = 1; break;
		case O_KEEP:
			if (n_keep == MAX_KEEP)
				return sc_cli_usage_error("harden", "at most %d --keep paths", MAX_KEEP);
			keep[n_keep++] = optarg;
			break;
		case O_TEST: test = optarg; break;
		case O_TTIME: {
			char *e;
			unsigned long t = strtoul(optarg, &e, 10);

			if (*e || !*optarg || t == 0 || t > 86400)
				return sc_cli_usage_error("harden", "--test-timeout wants seconds (1-86400), not '%s'", optarg);
			o.test_timeout = (unsigned)t;
			break;
		}
		case O_PROBE: o.probe = 1; break;
		case O_LAYERING:
			if (strcmp(optarg, "squash") == 0)
				o.squash = 1;
			else if (strcmp(optarg, "append") == 0)
				o.squash = 0;
			else
				return sc_cli_usage_error("harden", "--layering wants squash or append, not '%s'", optarg);
			break;
		case O_SCRATCH: o.scratch = optarg; break;
		case O_STRIP: o.strip_models = 1; break;
		case O_PROV: provenance = optarg; break;
		case O_SIGNKEY: sign_key = optarg; break;
		case O_SIGNID: sign_identity = optarg; break;
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
		case 'q': quiet = 1; break;
		case 'h': help(stdout); return SC_EXIT_OK;
		case ':': return sc_cli_usage_error("harden", "option '%s' needs a value", argv[optind - 1]);
		default:
			switch (sc_cli_registry_opt(&reg, "harden", c, optarg)) {
			case 1: break;
			case 0: return sc_cli_usage_error("harden", "unknown option '%s'", argv[optind - 1]);
			default: return SC_EXIT_USAGE;
			}
			break;
		}
	}
	sc_cli_registry_apply(&reg);
	if (argc - optind != 2)
		return sc_cli_usage_error("harden", "expected SRC and DST");
	o.src = argv[optind];
	o.dst = argv[optind + 1];
	if (strncmp(o.dst, "oci:", 4) == 0 ? !strchr(o.dst + 4, ':')
	    : strncmp(o.dst, "oci-archive:", 12) != 0 && strncmp(o.dst, "docker-archive:", 15) != 0 &&
		      strncmp(o.dst, "docker://", 9) != 0)
		return sc_cli_usage_error("harden", "DST must be oci:DIR:TAG, oci-archive:FILE[:TAG], "
						    "docker-archive:FILE[:REPO:TAG] or docker://HOST/REPO:TAG");
	if (sign_identity && !sign_key)
		return sc_cli_usage_error("harden", "--sign-identity needs --sign-key");
	if (sign_key && strncmp(o.dst, "oci:", 4) != 0 && strncmp(o.dst, "docker://", 9) != 0)
		return sc_cli_usage_error("harden", "--sign-key needs a docker:// or oci: DST (signatures are stored "
						    "next to the image)");
	o.writable = writable;
	o.keep = keep;
	if (n_keep && !o.minimize)
		return sc_cli_usage_error("harden", "--keep needs --minimize");
	if (entry) {
		if ((rc = sc_shell_split(entry, &ep_argv, &n_ep)) != 0) {
			status = sc_cli_usage_error("harden", "--entrypoint: %s", sc_error_msg());
			goto done;
		}
		if (n_ep == 0 || ep_argv[0][0] != '/') {
			status = sc_cli_usage_error("harden", "--entrypoint wants an absolute program path and its arguments");
			goto done;
		}
		o.entrypoint = (const char *const *)ep_argv;
	}
	if (test) {
		if ((rc = sc_shell_split(test, &test_argv, &n_test)) != 0) {
			status = sc_cli_usage_error("harden", "--test-cmd: %s", sc_error_msg());
			goto done;
		}
		if (n_test == 0) {
			status = sc_cli_usage_error("harden", "--test-cmd is empty");
			goto done;
		}
		o.test_cmd = (const char *const *)test_argv;
	}
	/* what signing needs, checked before the long run */
	if (sign_key && (rc = sign_precheck(sign_key, o.db_path, &key)) != 0)
		goto fail;
	started = time(NULL);
	if (sign_key) {
		docs.dst = o.dst;
		docs.db_opt = o.db_path;
		docs.started = started;
		o.on_result = collect_docs;
		o.on_result_arg = &docs;
	}
	if ((rc = sc_harden_run(&r, &o)) != 0)
		goto fail;
	finished = time(NULL);
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
		fprintf(out.f, "%-22s %s (%s)\n", "User", r.user ? r.user : "-", o.squash ? "squashed" : "layers appended");
		fprintf(out.f, "%-22s %12s %12s\n", "", "before", "after");
		fprintf(out.f, "%-22s %12.1f %12.1f\n", "Size (MB, compressed)", r.before.size / 1e6, r.after.size / 1e6);
		fprintf(out.f, "%-22s %12.1f %12.1f\n", "Files (MB)", r.before.bytes / 1e6, r.after.bytes / 1e6);
		fprintf(out.f, "%-22s %12zu %12zu\n", "Files", r.before.files, r.after.files);
		fprintf(out.f, "%-22s %12zu %12zu\n", "Layers", r.before.layers, r.after.layers);
		fprintf(out.f, "%-22s %12zu %12zu\n", "Packages", r.packages_before, r.packages_after);
		fprintf(out.f, "%-22s %12zu %12zu\n", "Shells", r.before.shells, r.after.shells);
		fprintf(out.f, "%-22s %12zu %12zu\n", "Package managers", r.before.package_managers,
			r.after.package_managers);
		fprintf(out.f, "%-22s %12d %12d\n", "Audit score", r.score_before, r.score_after);
		fprintf(out.f, "%-22s %12zu %12zu\n", "Audit findings", r.findings_before, r.findings_after);
		fprintf(out.f, "%-22s %zu paths, %zu files, %.1f MB\n", "Removed", r.removed, r.removed_files,
			r.removed_bytes / 1e6);
		fprintf(out.f, "%-22s %zu\n", "Modes fixed", r.modes_fixed);
		if (r.minimized)
			fprintf(out.f, "%-22s closure%s%s, %zu Python modules, %zu files probed, %zu packages gone\n",
				"Minimized", r.python ? " + Python" : "", r.gpu ? " + GPU dlopen list" : "", r.modules,
				r.probed, r.packages_dropped);
		if (o.test_cmd)
			fprintf(out.f, "%-22s identical (exit %d, %zu bytes of stdout)\n", "Test command",
				r.test_after.status, r.test_after.out_len);
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
	if ((provenance || sign_key) &&
	    (rc = attest(&o, &r, &docs.rep, started, finished, provenance, key, sign_identity, quiet)) != 0)
		goto fail;
	goto done;
fail:
	status = sc_cli_fail(rc);
done:
	sc_cli_reports_release(&docs.rep);
	sc_key_free(key);
	json_decref(doc);
	sc_shell_free(ep_argv);
	sc_shell_free(test_argv);
	sc_harden_report_release(&r);
	return status;
}
