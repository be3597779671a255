/*
 * cmd_scan.c - `scute scan IMAGE|SBOM-FILE`: known vulnerabilities of an
 * image (catalogued in one pass) or of a CycloneDX/SPDX SBOM, matched
 * against the local database, triaged with OpenVEX, reported as a table,
 * JSON, SARIF or CycloneDX VEX.  docs/scan.md.
 */
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "cli/registry_opts.h"
#include "cli/reports.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/stream.h"
#include "image/image.h"
#include "image/scan.h"
#include "report/report.h"
#include "sbom/read.h"
#include "sbom/sbom.h"
#include "vuln/db.h"
#include "vuln/match.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_VEX 64
#define VEX_MAX_BYTES (16u << 20)

enum fmt { F_TABLE, F_JSON, F_SARIF, F_CYCLONEDX };

static void help(FILE *f)
{
	fprintf(f, "usage: scute scan [options] IMAGE|SBOM-FILE\n"
		   "\n"
		   "Match an image's packages (or those of a CycloneDX/SPDX JSON SBOM) against\n"
		   "the vulnerability database (see 'scute db').\n"
		   "\n"
		   "  --format FMT           table (default), json, sarif (2.1.0), cyclonedx (1.6 VEX)\n"
		   "  -o, --output FILE      write to FILE atomically instead of standard output\n"
		   "  --db PATH              database (default $SCUTE_DB, else\n"
		   "                         $XDG_CACHE_HOME/scute/vulndb.sqlite)\n"
		   "  --fail-on LEVEL        exit 1 when a finding is at or above LEVEL (negligible,\n"
		   "                         low, medium, high, critical; unknown: any finding,\n"
		   "                         including those without a severity)\n"
		   "  --ignore-unfixed       only findings with a released fix\n"
		   "  --vex FILE             apply an OpenVEX document (repeatable): not_affected\n"
		   "                         and fixed statements hide findings (kept in json)\n"
		   "  --pypi-os-managed      also match Python distributions owned by the OS package\n"
		   "                         manager against PyPI advisories (flagged as such)\n"
		   "  --platform OS/ARCH[/VARIANT]  manifest to pick from an index\n"
		   "  -j, --jobs N           layers read in parallel (default: CPUs)\n"
		   "  --timings              print phase timings on standard error\n"
		   "  -q, --quiet            no progress bar\n"
		   "\n"
		   "Exit status: 0 no finding at or above --fail-on, 1 there is one, 2 usage,\n"
		   "3 bad image, SBOM, VEX or database, 4 internal error.\n");
	fputs("\n" SC_CLI_REGISTRY_HELP, f);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* An existing regular file whose first non-blank byte is '{': an SBOM. */
static int looks_like_sbom(const char *arg)
{
	struct stat st;
	char buf[64];
	ssize_t n, i;
	int fd;

	if (stat(arg, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	if ((fd = open(arg, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	for (i = 0; i < n; i++) {
		if (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t')
			continue;
		return buf[i] == '{';
	}
	return 0;
}

static int has_fail(const sc_findings *fs, int level)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		if (!fs->items[i].suppressed && (int)fs->items[i].level >= level)
			return 1;
	return 0;
}

int sc_cmd_scan(int argc, char **argv)
{
	enum { O_FORMAT = 256, O_PLATFORM, O_DB, O_FAILON, O_UNFIXED, O_VEX, O_OSPYPI, O_TIMINGS };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, O_FORMAT },
		{ "platform", required_argument, NULL, O_PLATFORM },
		{ "db", required_argument, NULL, O_DB },
		{ "fail-on", required_argument, NULL, O_FAILON },
		{ "ignore-unfixed", no_argument, NULL, O_UNFIXED },
		{ "vex", required_argument, NULL, O_VEX },
		{ "pypi-os-managed", no_argument, NULL, O_OSPYPI },
		{ "timings", no_argument, NULL, O_TIMINGS },
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		SC_CLI_REGISTRY_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	enum fmt format = F_TABLE;
	const char *platform = NULL, *output = NULL, *db_opt = NULL, *vex_paths[MAX_VEX];
	size_t n_vex = 0, i, n_sup = 0, total_sup = 0;
	int quiet = 0, timings = 0, c, rc = 0, status = SC_EXIT_OK, fail_on = -1;
	sc_catalog_opts co;
	sc_match_opts mo;
	sc_platform want = { 0 };
	sc_image *img = NULL;
	sc_catalog cat;
	sc_cli_vuln v;
	sc_sbom_read_info info;
	sc_vulndb *db = NULL;
	sc_out out = { 0 };
	json_t *doc = NULL;
	char *db_path = NULL, *data = NULL;
	size_t len = 0;
	double t0, t_cat = 0, t_match = 0;
	const char *target;

	memset(&co, 0, sizeof(co));
	memset(&mo, 0, sizeof(mo));
	memset(&info, 0, sizeof(info));
	sc_catalog_init(&cat);
	sc_cli_vuln_init(&v);
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
			else if (strcmp(optarg, "cyclonedx") == 0)
				format = F_CYCLONEDX;
			else
				return sc_cli_usage_error("scan", "unknown format '%s' (table, json, sarif, cyclonedx)",
							  optarg);
			break;
		case O_PLATFORM: platform = optarg; break;
		case O_DB: db_opt = optarg; break;
		case O_FAILON:
			fail_on = sc_level_parse(optarg);
			if (fail_on < 0)
				return sc_cli_usage_error("scan",
							  "--fail-on wants unknown, negligible, low, medium, high or critical, not '%s'",
							  optarg);
			break;
		case O_UNFIXED: mo.ignore_unfixed = 1; break;
		case O_VEX:
			if (n_vex == MAX_VEX)
				return sc_cli_usage_error("scan", "at most %d --vex documents", MAX_VEX);
			vex_paths[n_vex++] = optarg;
			break;
		case O_OSPYPI: mo.pypi_os_managed = 1; break;
		case O_TIMINGS: timings = 1; break;
		case 'o': output = optarg; break;
		case 'j':
			if (sc_cli_jobs("scan", optarg, &co.scan.jobs) != 0)
				return SC_EXIT_USAGE;
			break;
		case 'q': quiet = 1; break;
		case 'h': help(stdout); return SC_EXIT_OK;
		case ':': return sc_cli_usage_error("scan", "option '%s' needs a value", argv[optind - 1]);
		default:
			switch (sc_cli_registry_opt(&reg, "scan", c, optarg)) {
			case 1: break;
			case 0: return sc_cli_usage_error("scan", "unknown option '%s'", argv[optind - 1]);
			default: return SC_EXIT_USAGE;
			}
			break;
		}
	}
	sc_cli_registry_apply(&reg);
	if (optind != argc - 1)
		return sc_cli_usage_error("scan", optind >= argc ? "missing IMAGE or SBOM-FILE" : "expected one IMAGE or SBOM-FILE");
	target = argv[optind];
	if (platform && sc_platform_parse(&want, platform) != 0)
		return sc_cli_usage_error("scan", "%s", sc_error_msg());

	/* The database first: a missing one should fail before a long catalog pass. */
	if ((rc = sc_cli_vulndb_open(&db, &db_path, db_opt)) != 0)
		goto fail;

	t0 = now_ms();
	if (looks_like_sbom(target)) {
		if ((rc = sc_file_read_all(target, SC_SBOM_READ_MAX, &data, &len)) != 0)
			goto fail;
		if ((rc = sc_sbom_read(&cat, &info, data, len, target)) != 0)
			goto fail;
		free(data);
		data = NULL;
		v.rctx.target = info.subject ? info.subject : target;
		v.rctx.target_purl = info.subject_purl;
		v.rctx.timestamp = sc_sbom_timestamp(NULL);
	} else {
		if ((rc = sc_cli_catalog_image(&img, &cat, target, platform ? &want : NULL, &co, quiet, NULL)) != 0 ||
		    (rc = sc_cli_vuln_target_image(&v, img)) != 0)
			goto fail;
	}
	t_cat = now_ms() - t0;

	t0 = now_ms();
	if ((rc = sc_cli_vuln_match(&v, db, db_path, &cat, &mo)) != 0)
		goto fail;
	t_match = now_ms() - t0;

	for (i = 0; i < n_vex; i++) {
		sc_vex *vx = NULL;

		if ((rc = sc_file_read_all(vex_paths[i], VEX_MAX_BYTES, &data, &len)) != 0)
			goto fail;
		rc = sc_vex_parse(&vx, data, len, vex_paths[i]);
		free(data);
		data = NULL;
		if (rc)
			goto fail;
		rc = sc_vex_apply(vx, &v.rctx, &v.fs, &n_sup);
		sc_vex_free(vx);
		if (rc)
			goto fail;
		total_sup += n_sup;
	}
	v.rctx.n_suppressed = total_sup;

	if (timings)
		fprintf(stderr, "scute: timings: catalog %.1f ms, match %.2f ms (%zu packages, %zu lookups, %zu findings)\n",
			t_cat, t_match, v.ms.packages, v.ms.lookups, v.fs.n);
	if ((rc = sc_out_open(&out, output)) != 0)
		goto fail;
	if (format == F_TABLE) {
		sc_report_table(out.f, &v.rctx, &v.fs, sc_cli_color(out.f));
	} else {
		rc = format == F_JSON	 ? sc_report_json(&doc, &v.rctx, &v.fs)
		     : format == F_SARIF ? sc_report_sarif(&doc, &v.rctx, &v.fs)
					 : sc_report_cyclonedx(&doc, &v.rctx, &v.fs);
		if (rc) {
			sc_out_abort(&out);
			goto fail;
		}
		if ((rc = sc_out_json(&out, doc)) != 0)
			goto fail;
	}
	if ((rc = sc_out_commit(&out)) != 0)
		goto fail;
	if (fail_on >= 0 && has_fail(&v.fs, fail_on))
		status = SC_EXIT_POLICY;
	goto done;
fail:
	status = sc_cli_fail(rc);
done:
	json_decref(doc);
	free(data);
	sc_cli_vuln_release(&v);
	sc_sbom_read_info_release(&info);
	sc_catalog_release(&cat);
	sc_image_free(img);
	sc_platform_release(&want);
	sc_vulndb_close(db);
	free(db_path);
	return status;
}
