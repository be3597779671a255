/*
 * cli_reports.c - test hook for src/cli/reports.c (not installed).
 *
 * Usage: cli_reports [--db PATH] WANT IMAGE OUTDIR
 * WANT: comma-separated cyclonedx, spdx, vuln, audit.  Builds those
 * documents with sc_cli_reports_make_db (one catalog pass) and writes
 * OUTDIR/<name>.json for each, as the verbs write JSON.  Errors are
 * printed like scute's ("scute: error: ..."), with scute's exit statuses.
 * Used by tests/e2e/test_reports.py to prove the documents equal those of
 * `scute sbom`, `scute scan` and `scute audit`.
 */
#include "cli/cli.h"
#include "cli/reports.h"
#include "core/error.h"

#include <stdio.h>
#include <string.h>

static int write_doc(const char *dir, const char *name, json_t *doc)
{
	char path[4096];
	sc_out o;
	int rc;

	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	if ((rc = sc_out_open(&o, path)) != 0 || (rc = sc_out_json(&o, doc)) != 0)
		return rc;
	return sc_out_commit(&o);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = { { "cyclonedx", SC_REPORT_CYCLONEDX }, { "spdx", SC_REPORT_SPDX },
		      { "vuln", SC_REPORT_VULN }, { "audit", SC_REPORT_AUDIT } };
	const char *db = NULL;
	char wantbuf[256], *tok, *save = NULL;
	unsigned want = 0;
	sc_cli_reports r;
	size_t i;
	int rc;

	if (argc == 6 && strcmp(argv[1], "--db") == 0) {
		db = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 4 || strlen(argv[1]) >= sizeof(wantbuf)) {
		fprintf(stderr, "usage: cli_reports [--db PATH] WANT IMAGE OUTDIR\n");
		return SC_EXIT_USAGE;
	}
	strcpy(wantbuf, argv[1]);
	for (tok = strtok_r(wantbuf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(tok, names[i].name) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0])) {
			fprintf(stderr, "cli_reports: unknown report '%s'\n", tok);
			return SC_EXIT_USAGE;
		}
		want |= names[i].bit;
	}
	if ((rc = sc_cli_reports_make_db(&r, argv[2], want, 1, db)) != 0)
		return sc_cli_fail(rc);
	if ((r.cyclonedx && (rc = write_doc(argv[3], "cyclonedx", r.cyclonedx)) != 0) ||
	    (r.spdx && (rc = write_doc(argv[3], "spdx", r.spdx)) != 0) ||
	    (r.vuln && (rc = write_doc(argv[3], "vuln", r.vuln)) != 0) ||
	    (r.audit && (rc = write_doc(argv[3], "audit", r.audit)) != 0)) {
		sc_cli_reports_release(&r);
		return sc_cli_fail(rc);
	}
	sc_cli_reports_release(&r);
	return 0;
}
