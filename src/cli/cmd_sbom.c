/*
 * cmd_sbom.c - `scute sbom IMAGE`: the inventory of an image from one pass
 * over its layers, as CycloneDX 1.6, SPDX 2.3, scute's catalog JSON or a
 * human table (AI stack and model files first).  docs/sbom.md.
 */
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "cli/registry_opts.h"
#include "core/buf.h"
#include "core/error.h"
#include "image/image.h"
#include "image/scan.h"
#include "sbom/sbom.h"
#include "sc_config.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum fmt { F_TABLE, F_CYCLONEDX, F_SPDX, F_JSON };

static void help(FILE *f)
{
	fprintf(f, "usage: scute sbom [options] IMAGE\n"
		   "\n"
		   "Inventory an image from one pass over its layers: OS and language packages,\n"
		   "ELF objects, the GPU stack and model files.\n"
		   "\n"
		   "  --format FMT           table (default), cyclonedx (1.6 JSON), spdx (2.3 JSON), json\n"
		   "  -o, --output FILE      write to FILE atomically instead of standard output\n"
		   "  --platform OS/ARCH[/VARIANT]  manifest to pick from an index (default linux/amd64)\n"
		   "  -j, --jobs N           layers read in parallel (default: CPUs)\n"
		   "  --max-entries N        refuse images with more tar entries (default %u)\n"
		   "  -q, --quiet            no progress bar\n"
		   "\n"
		   "Timestamps come from SOURCE_DATE_EPOCH or the image's created time, so the\n"
		   "same image always gives the same bytes.\n",
		SC_DEFAULT_MAX_ENTRIES);
	fputs("\n" SC_CLI_REGISTRY_HELP, f);
}

static int is_ai(const sc_package *p)
{
	size_t i;

	if (p->eco == SC_ECO_BINARY)
		return 1;
	for (i = 0; i < p->props.n; i++)
		if (strncmp(p->props.items[i].key, "ai.", 3) == 0 || strncmp(p->props.items[i].key, "cuda", 4) == 0)
			return 1;
	return 0;
}

static void props_line(sc_buf *b, const sc_kv_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		sc_buf_printf(b, "%s%s=%s", i ? " " : "", l->items[i].key, l->items[i].value);
}

static void print_table(FILE *f, const sc_image *img, const sc_catalog *cat)
{
	int color = sc_cli_color(f);
	const char *bold = color ? "\033[1m" : "", *reset = color ? "\033[0m" : "";
	size_t counts[8] = { 0 }, i, n_ai = 0, n_unpackaged = 0;
	int eco;
	char s1[32];

	for (i = 0; i < cat->n_pkgs; i++) {
		if (cat->pkgs[i].eco < 8)
			counts[cat->pkgs[i].eco]++;
		n_ai += is_ai(&cat->pkgs[i]);
	}
	for (i = 0; i < cat->n_elves; i++)
		n_unpackaged += !cat->elves[i].packaged;
	fprintf(f, "%s%-10s%s %s\n", bold, "Image", reset, img->name);
	fprintf(f, "%s%-10s%s %s\n", bold, "OS", reset,
		cat->os.pretty_name ? cat->os.pretty_name : cat->os.id ? cat->os.id : "unknown");
	fprintf(f, "%s%-10s%s", bold, "Packages", reset);
	for (eco = SC_ECO_DEB; eco <= SC_ECO_BINARY; eco++)
		if (counts[eco])
			fprintf(f, " %s %zu", sc_ecosystem_name((sc_ecosystem)eco), counts[eco]);
	fprintf(f, "%s\n", cat->n_pkgs ? "" : " none");
	fprintf(f, "%s%-10s%s %zu ELF files, %zu not owned by any package; %zu model files\n", bold, "Files", reset,
		cat->n_elves, n_unpackaged, cat->n_models);

	if (n_ai) {
		fprintf(f, "\n%sAI STACK%s\n", bold, reset);
		for (i = 0; i < cat->n_pkgs; i++) {
			sc_buf b;

			if (!is_ai(&cat->pkgs[i]))
				continue;
			sc_buf_init(&b, 1u << 16, "line");
			props_line(&b, &cat->pkgs[i].props);
			fprintf(f, "  %-28s %-22s %s\n", cat->pkgs[i].name, cat->pkgs[i].version ? cat->pkgs[i].version : "-",
				b.data ? b.data : "");
			sc_buf_release(&b);
		}
	}
	if (cat->n_models) {
		fprintf(f, "\n%sMODEL FILES%s\n  %-12s %10s %14s %-10s %-7s %s\n", bold, reset, "FORMAT", "SIZE",
			"PARAMETERS", "QUANT", "PICKLE", "PATH");
		for (i = 0; i < cat->n_models; i++) {
			const sc_model_file *m = &cat->models[i];
			char params[32];

			if (m->parameters)
				snprintf(params, sizeof(params), "%llu", (unsigned long long)m->parameters);
			else
				snprintf(params, sizeof(params), "-");
			fprintf(f, "  %-12s %10s %14s %-10s %-7s /%s\n", m->format ? m->format : "?",
				sc_cli_size(m->size, s1, sizeof(s1)), params, m->quantization ? m->quantization : "-",
				m->pickle_based ? (color ? "\033[31myes\033[0m" : "yes") : "no", m->path);
		}
	}
	for (eco = SC_ECO_DEB; eco <= SC_ECO_GOLANG; eco++) {
		if (!counts[eco])
			continue;
		fprintf(f, "\n%sPACKAGES (%s)%s\n", bold, sc_ecosystem_name((sc_ecosystem)eco), reset);
		for (i = 0; i < cat->n_pkgs; i++) {
			const sc_package *p = &cat->pkgs[i];

			if ((int)p->eco != eco || is_ai(p))
				continue;
			fprintf(f, "  %-36s %-28s %s\n", p->name, p->version ? p->version : "-",
				p->eco == SC_ECO_DEB || p->eco == SC_ECO_APK || p->eco == SC_ECO_RPM
					? (p->arch ? p->arch : "")
					: (p->location ? p->location : ""));
		}
	}
	if (cat->n_notes) {
		static const char *const lv[] = { "info", "warning", "error" };

		fprintf(f, "\n%sNOTES%s\n", bold, reset);
		for (i = 0; i < cat->n_notes; i++)
			fprintf(f, "  %-7s %s: %s%s%s%s\n", lv[cat->notes[i].level], cat->notes[i].cataloger,
				cat->notes[i].path ? "/" : "", cat->notes[i].path ? cat->notes[i].path : "",
				cat->notes[i].path ? ": " : "", cat->notes[i].message);
	}
}

int sc_cmd_sbom(int argc, char **argv)
{
	enum { O_FORMAT = 256, O_PLATFORM, O_MAXENT };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, O_FORMAT },
		{ "platform", required_argument, NULL, O_PLATFORM },
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "max-entries", required_argument, NULL, O_MAXENT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		SC_CLI_REGISTRY_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	enum fmt format = F_TABLE;
	const char *platform = NULL, *output = NULL;
	int quiet = 0, c, rc = 0, status = SC_EXIT_OK, ctx_ok = 0;
	unsigned long long v;
	sc_catalog_opts co;
	sc_platform want = { 0 };
	sc_image *img = NULL;
	sc_catalog cat;
	sc_sbom_ctx ctx;
	sc_out out = { 0 };
	json_t *doc = NULL;
	char *end;

	memset(&co, 0, sizeof(co));
	sc_catalog_init(&cat);
	sc_cli_registry reg;

	sc_cli_registry_init(&reg);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:j:qh", longopts, NULL)) != -1) {
		switch (c) {
		case O_FORMAT:
			if (strcmp(optarg, "table") == 0)
				format = F_TABLE;
			else if (strcmp(optarg, "cyclonedx") == 0)
				format = F_CYCLONEDX;
			else if (strcmp(optarg, "spdx") == 0)
				format = F_SPDX;
			else if (strcmp(optarg, "json") == 0)
				format = F_JSON;
			else
				return sc_cli_usage_error("sbom", "unknown format '%s' (table, cyclonedx, spdx, json)", optarg);
			break;
		case O_PLATFORM: platform = optarg; break;
		case 'o': output = optarg; break;
		case 'j':
			if (sc_cli_jobs("sbom", optarg, &co.scan.jobs) != 0)
				return SC_EXIT_USAGE;
			break;
		case O_MAXENT:
			v = strtoull(optarg, &end, 10);
			if (*end || !*optarg || *optarg == '-' || v == 0)
				return sc_cli_usage_error("sbom", "--max-entries wants a positive number");
			co.scan.max_entries = v;
			break;
		case 'q': quiet = 1; break;
		case 'h': help(stdout); return SC_EXIT_OK;
		case ':': return sc_cli_usage_error("sbom", "option '%s' needs a value", argv[optind - 1]);
		default:
			switch (sc_cli_registry_opt(&reg, "sbom", c, optarg)) {
			case 1: break;
			case 0: return sc_cli_usage_error("sbom", "unknown option '%s'", argv[optind - 1]);
			default: return SC_EXIT_USAGE;
			}
			break;
		}
	}
	sc_cli_registry_apply(&reg);
	if (optind != argc - 1)
		return sc_cli_usage_error("sbom", optind >= argc ? "missing IMAGE" : "expected one IMAGE");
	if (platform && sc_platform_parse(&want, platform) != 0)
		return sc_cli_usage_error("sbom", "%s", sc_error_msg());
	if ((rc = sc_cli_catalog_image(&img, &cat, argv[optind], platform ? &want : NULL, &co, quiet, NULL)) != 0)
		goto fail;
	if ((rc = sc_sbom_ctx_init(&ctx, img, &cat, SCUTE_VERSION)) != 0)
		goto fail;
	ctx_ok = 1;
	if ((rc = sc_out_open(&out, output)) != 0)
		goto fail;
	if (format == F_TABLE) {
		print_table(out.f, img, &cat);
	} else {
		rc = format == F_CYCLONEDX ? sc_sbom_cyclonedx(&doc, &ctx)
		     : format == F_SPDX    ? sc_sbom_spdx(&doc, &ctx)
					   : sc_sbom_native(&doc, &ctx);
		if (rc) {
			sc_out_abort(&out);
			goto fail;
		}
		if ((rc = sc_out_json(&out, doc)) != 0)
			goto fail;
	}
	if ((rc = sc_out_commit(&out)) != 0)
		goto fail;
	goto done;
fail:
	status = sc_cli_fail(rc);
done:
	json_decref(doc);
	if (ctx_ok)
		sc_sbom_ctx_release(&ctx);
	sc_catalog_release(&cat);
	sc_image_free(img);
	sc_platform_release(&want);
	return status;
}
