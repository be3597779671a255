/*
 * cmd_db.c - `scute db import|update|status`: build and inspect the
 * vulnerability database.  docs/vulndb.md.
 */
#include "cli/cli.h"
#include "core/error.h"
#include "vuln/db.h"
#include "vuln/import.h"
#include "vuln/update.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void help(FILE *f)
{
	fprintf(f, "usage: scute db import [options] PATH...\n"
		   "       scute db update [options]\n"
		   "       scute db status [options]\n"
		   "\n"
		   "import   add advisories from files: OSV JSON/YAML (directory tree, file or\n"
		   "         all.zip), Debian security tracker JSON, Alpine secdb YAML.  Each PATH\n"
		   "         becomes one source; importing it again replaces it.\n"
		   "update   download BASE/<Ecosystem>/all.zip (OSV bulk export layout) for each\n"
		   "         ecosystem and import it; a failed download keeps the previous data\n"
		   "status   sources, record counts and last update\n"
		   "\n"
		   "  --db PATH              database file (default $SCUTE_DB, else\n"
		   "                         $XDG_CACHE_HOME/scute/vulndb.sqlite)\n"
		   "  --format FMT           import: auto (default), osv, debian, alpine;\n"
		   "                         status: table (default), json\n"
		   "  --name NAME            import: source name (default derived from PATH)\n"
		   "  --source URL           update: base URL (default %s)\n"
		   "  --ecosystem LIST       update: comma-separated (default %s)\n"
		   "  -q, --quiet            no per-source summary\n"
		   "  -v, --verbose          import: list each malformed record or value skipped\n",
		SC_UPDATE_DEFAULT_BASE, SC_UPDATE_DEFAULT_ECOSYSTEMS);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One summary line; each problem (the first SC_IMPORT_MAX_WARNINGS) with --verbose. */
static void print_warnings(const sc_import_stats *st, const char *path, int verbose)
{
	size_t i;

	if (st->skipped == 0 && st->dropped == 0)
		return;
	if (verbose) {
		for (i = 0; i < st->n_warnings; i++)
			fprintf(stderr, "scute: warning: %s\n", st->warnings[i]);
		if (st->more_warnings)
			fprintf(stderr, "scute: warning: ... and %zu more\n", st->more_warnings);
		return;
	}
	fprintf(stderr, "scute: warning: %s: %zu malformed records or entries skipped, %zu malformed values "
		"dropped (--verbose lists them)\n", path, st->skipped, st->dropped);
}

static int do_import(sc_vulndb *db, const char *path, sc_import_format fmt, const char *name, int quiet,
		     int verbose)
{
	sc_import_stats st;
	char *source = NULL, tmpname[64];
	double t0 = now_s(), dt;
	int rc;

	memset(&st, 0, sizeof(st));
	snprintf(tmpname, sizeof(tmpname), "importing:%ld", (long)getpid());
	if ((rc = sc_vulndb_begin_source(db, tmpname, fmt == SC_IMPORT_DEBIAN ? "debian"
							  : fmt == SC_IMPORT_ALPINE ? "alpine" : "osv",
					 path)) != 0)
		goto out;
	rc = sc_import_path(path, fmt, sc_vulndb_add, db, &st, &source);
	if (rc == 0)
		rc = sc_vulndb_name_source(db, name ? name : source ? source : path);
	if (rc == 0)
		rc = sc_vulndb_commit(db, st.records, st.skipped);
	else
		sc_vulndb_rollback(db);
	if (rc)
		goto out;
	dt = now_s() - t0;
	print_warnings(&st, path, verbose);
	if (!quiet)
		printf("imported %zu records from %s as %s in %.2f s (%.0f records/s); %zu files, %zu skipped, "
		       "%zu dropped values, %zu unsupported, %zu withdrawn\n",
		       st.records, path, name ? name : source ? source : path, dt, dt > 0 ? (double)st.records / dt : 0.0,
		       st.files, st.skipped, st.dropped, st.unsupported, st.withdrawn);
out:
	if (rc)
		sc_error_prefix(rc, "import of %s failed, database unchanged", path);
	free(source);
	sc_import_stats_release(&st);
	return rc;
}

static int status_json(sc_out *o, const sc_vulndb_status *st)
{
	json_t *doc = json_object(), *srcs = json_array();
	size_t i;

	if (!doc || !srcs) {
		json_decref(doc);
		json_decref(srcs);
		return sc_error_set(SC_ENOMEM, "out of memory");
	}
	json_object_set_new(doc, "path", json_string(st->path));
	json_object_set_new(doc, "schema", json_integer(st->schema));
	json_object_set_new(doc, "records", json_integer((json_int_t)st->records));
	json_object_set_new(doc, "affected", json_integer((json_int_t)st->affected));
	json_object_set_new(doc, "aliases", json_integer((json_int_t)st->aliases));
	for (i = 0; i < st->n_sources; i++) {
		const sc_vulndb_source_info *s = &st->sources[i];
		json_t *o2 = json_object();

		json_object_set_new(o2, "name", json_string(s->name));
		json_object_set_new(o2, "kind", json_string(s->kind));
		if (s->location)
			json_object_set_new(o2, "location", json_string(s->location));
		json_object_set_new(o2, "imported_at", json_string(s->imported_at ? s->imported_at : ""));
		json_object_set_new(o2, "records", json_integer((json_int_t)s->records));
		json_object_set_new(o2, "skipped", json_integer((json_int_t)s->skipped));
		json_object_set_new(o2, "affected", json_integer((json_int_t)s->affected));
		json_array_append_new(srcs, o2);
	}
	json_object_set_new(doc, "sources", srcs);
	i = (size_t)sc_out_json(o, doc);
	json_decref(doc);
	return (int)i;
}

static void status_table(FILE *f, const sc_vulndb_status *st)
{
	size_t i;

	fprintf(f, "Database  %s (schema %d)\n", st->path, st->schema);
	fprintf(f, "Records   %llu advisories, %llu affected packages, %llu aliases\n",
		(unsigned long long)st->records, (unsigned long long)st->affected, (unsigned long long)st->aliases);
	if (st->n_sources == 0) {
		fprintf(f, "Sources   none: run 'scute db import PATH' or 'scute db update'\n");
		return;
	}
	fprintf(f, "\n%-40s %-7s %9s %9s %8s  %s\n", "SOURCE", "KIND", "RECORDS", "AFFECTED", "SKIPPED", "UPDATED");
	for (i = 0; i < st->n_sources; i++) {
		const sc_vulndb_source_info *s = &st->sources[i];

		fprintf(f, "%-40s %-7s %9llu %9llu %8llu  %s\n", s->name, s->kind, (unsigned long long)s->records,
			(unsigned long long)s->affected, (unsigned long long)s->skipped,
			s->imported_at ? s->imported_at : "");
	}
}

int sc_cmd_db(int argc, char **argv)
{
	enum { O_DB = 256, O_FORMAT, O_NAME, O_SOURCE, O_ECO };
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, O_DB },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "name", required_argument, NULL, O_NAME },
		{ "source", required_argument, NULL, O_SOURCE },
		{ "ecosystem", required_argument, NULL, O_ECO },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sub, *db_opt = NULL, *format = NULL, *name = NULL, *source = NULL, *ecos = NULL, *output = NULL;
	char *db_path = NULL;
	sc_vulndb *db = NULL;
	sc_import_format fmt = SC_IMPORT_AUTO;
	int quiet = 0, verbose = 0, c, rc = 0, status = SC_EXIT_OK, i;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		help(argc < 2 ? stderr : stdout);
		return argc < 2 ? SC_EXIT_USAGE : SC_EXIT_OK;
	}
	sub = argv[1];
	if (strcmp(sub, "import") != 0 && strcmp(sub, "update") != 0 && strcmp(sub, "status") != 0)
		return sc_cli_usage_error("db", "unknown subcommand '%s' (import, update, status)", sub);
	argc--;
	argv++;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case O_DB: db_opt = optarg; break;
		case O_FORMAT: format = optarg; break;
		case O_NAME: name = optarg; break;
		case O_SOURCE: source = optarg; break;
		case O_ECO: ecos = optarg; break;
		case 'o': output = optarg; break;
		case 'q': quiet = 1; break;
		case 'v': verbose = 1; break;
		case 'h': help(stdout); return SC_EXIT_OK;
		case ':': return sc_cli_usage_error("db", "option '%s' needs a value", argv[optind - 1]);
		default: return sc_cli_usage_error("db", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (strcmp(sub, "import") == 0) {
		if (optind >= argc)
			return sc_cli_usage_error("db", "import: missing PATH");
		if (name && argc - optind > 1)
			return sc_cli_usage_error("db", "--name applies to one PATH only");
		if (format) {
			if (strcmp(format, "auto") == 0)
				fmt = SC_IMPORT_AUTO;
			else if (strcmp(format, "osv") == 0)
				fmt = SC_IMPORT_OSV;
			else if (strcmp(format, "debian") == 0)
				fmt = SC_IMPORT_DEBIAN;
			else if (strcmp(format, "alpine") == 0)
				fmt = SC_IMPORT_ALPINE;
			else
				return sc_cli_usage_error("db", "unknown import format '%s' (auto, osv, debian, alpine)",
							  format);
		}
	} else if (optind != argc) {
		return sc_cli_usage_error("db", "%s takes no arguments", sub);
	}
	if (strcmp(sub, "status") == 0 && format && strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return sc_cli_usage_error("db", "unknown status format '%s' (table, json)", format);
	if (db_opt)
		db_path = strdup(db_opt);
	else if ((rc = sc_vulndb_default_path(&db_path)) != 0)
		goto fail;
	if (!db_path) {
		rc = sc_error_set(SC_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = sc_vulndb_open(&db, db_path, strcmp(sub, "status") != 0)) != 0)
		goto fail;
	if (strcmp(sub, "import") == 0) {
		for (i = optind; i < argc; i++)
			if ((rc = do_import(db, argv[i], fmt, name, quiet, verbose)) != 0)
				goto fail;
	} else if (strcmp(sub, "update") == 0) {
		sc_update_opts uo = { .base_url = source, .ecosystems = ecos, .quiet = quiet };
		sc_update_result *res = NULL;
		size_t n = 0, k;

		rc = sc_vuln_update(db, db_path, &uo, &res, &n);
		for (k = 0; k < n; k++) {
			if (res[k].failed)
				fprintf(stderr, "scute: error: %s: %s (previous records kept)\n", res[k].ecosystem,
					res[k].error ? res[k].error : "failed");
			else if (!quiet)
				printf("updated %s: %zu records (%zu skipped) from %s, %llu bytes, sha256 %s\n",
				       res[k].ecosystem, res[k].stats.records, res[k].stats.skipped, res[k].url,
				       (unsigned long long)res[k].bytes, res[k].sha256);
		}
		sc_update_results_free(res, n);
		if (rc && n == 0)
			goto fail; /* nothing attempted: say why */
		if (rc) {
			status = sc_error_exit_status(rc);
			goto done;
		}
	} else {
		sc_vulndb_status st;
		sc_out out = { 0 };

		if ((rc = sc_vulndb_status_get(db, &st)) != 0)
			goto fail;
		if ((rc = sc_out_open(&out, output)) != 0) {
			sc_vulndb_status_release(&st);
			goto fail;
		}
		if (format && strcmp(format, "json") == 0)
			rc = status_json(&out, &st);
		else
			status_table(out.f, &st);
		sc_vulndb_status_release(&st);
		if (rc == 0)
			rc = sc_out_commit(&out);
		else
			sc_out_abort(&out);
		if (rc)
			goto fail;
	}
	goto done;
fail:
	status = sc_cli_fail(rc);
done:
	sc_vulndb_close(db);
	free(db_path);
	return status;
}
