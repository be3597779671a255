/*
 * cmd_inspect.c - `scute inspect IMAGE`: what an image is made of.
 *
 * One pass over the layers (sc_image_scan) gives per-layer sizes and
 * entry counts, the merged filesystem and its largest files.  Output is a
 * human table or, with --json, the stable document described in
 * docs/inspect.md (scuteInspectVersion 1).
 */
#include "cli/cli.h"
#include "cli/registry_opts.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/mask.h"
#include "image/image.h"
#include "image/scan.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	int json, files, quiet, allow_devices, verify_diff_ids;
	unsigned jobs;
	size_t top;
	uint64_t max_entries;
	const char *platform, *output, *image;
} inspect_opts;

typedef struct {
	uint64_t files, dirs, symlinks, other, file_bytes;
	const sc_fsnode **top;
	size_t n_top, max_top;
	json_t *files_json; /* NULL unless --files */
	int rc;
} walk_state;

static const char *type_name(uint8_t t)
{
	switch (t) {
	case SC_FT_REG: return "file";
	case SC_FT_DIR: return "dir";
	case SC_FT_SYMLINK: return "symlink";
	case SC_FT_HARDLINK: return "hardlink";
	case SC_FT_CHAR: return "char";
	case SC_FT_BLOCK: return "block";
	case SC_FT_FIFO: return "fifo";
	case SC_FT_SOCK: return "socket";
	default: return "unknown";
	}
}

static char *slash_path(const char *p, char *out, size_t outsz)
{
	snprintf(out, outsz, "/%s", p);
	return out;
}

static int visit(const sc_fsnode *n, void *ud)
{
	walk_state *w = ud;

	switch (n->e.type) {
	case SC_FT_REG:
		w->files++;
		w->file_bytes += n->e.size;
		break;
	case SC_FT_HARDLINK: w->files++; break;
	case SC_FT_DIR: w->dirs++; break;
	case SC_FT_SYMLINK: w->symlinks++; break;
	default: w->other++; break;
	}
	if (n->e.type == SC_FT_REG && w->max_top) {
		/* Keep the largest max_top files, sorted descending (insertion). */
		size_t i = w->n_top < w->max_top ? w->n_top++ : w->max_top;

		if (i == w->max_top) {
			if (n->e.size <= w->top[w->max_top - 1]->e.size)
				goto files;
			i = w->max_top - 1;
		}
		while (i > 0 && w->top[i - 1]->e.size < n->e.size) {
			w->top[i] = w->top[i - 1];
			i--;
		}
		w->top[i] = n;
	}
files:
	if (w->files_json) {
		char p[4200];
		json_t *o = json_pack("{s:s,s:s,s:i,s:I,s:I,s:I,s:o,s:i}", "path",
				      slash_path(n->e.path, p, sizeof(p)), "type", type_name(n->e.type), "mode",
				      (int)n->e.mode, "uid", (json_int_t)n->e.uid, "gid", (json_int_t)n->e.gid, "size",
				      (json_int_t)n->e.size, "link",
				      n->e.link ? json_string(n->e.link) : json_null(), "layer", (int)n->e.layer);

		if (!o || json_array_append_new(w->files_json, o) != 0) {
			w->rc = sc_error_set(SC_ENOMEM, "out of memory building the file list");
			return -1;
		}
	}
	return 0;
}

static json_t *jstr_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *jstrv(char **v)
{
	json_t *a;
	size_t i;

	if (!v)
		return json_null();
	a = json_array();
	for (i = 0; v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static char *masked_text(const char *s)
{
	sc_buf b;

	sc_buf_init(&b, 1u << 20, "text");
	if (sc_mask_text(s, &b) != 0) {
		sc_buf_release(&b);
		return NULL;
	}
	return sc_buf_detach(&b, NULL);
}

static json_t *env_json(char **env)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; env && env[i]; i++) {
		const char *eq = strchr(env[i], '=');
		char name[512], mbuf[64];
		const char *val = eq ? eq + 1 : "";
		int secret;

		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - env[i]) : (int)strlen(env[i]), env[i]);
		secret = *val && (sc_secret_name(name) || sc_secret_value(val));
		json_array_append_new(a, json_pack("{s:s,s:s,s:b}", "name", name, "value",
						   secret ? sc_mask_value(val, mbuf, sizeof(mbuf)) : val, "masked",
						   secret));
	}
	return a;
}

static char *fmt_digest(const sc_digest *d, char *buf)
{
	return sc_digest_fmt(d, buf);
}

static json_t *build_json(const sc_image *img, const sc_scan *scan, const walk_state *w)
{
	const sc_config *c = &img->config;
	json_t *root = json_object(), *cfg = json_object(), *labels = json_object(), *hist = json_array();
	json_t *layers = json_array(), *largest = json_array(), *plat;
	char d[SC_DIGEST_STRLEN], p[4200];
	uint64_t csize = 0, usize = 0;
	size_t i;

	json_object_set_new(root, "scuteInspectVersion", json_integer(1));
	json_object_set_new(root, "image", json_string(img->name));
	json_object_set_new(root, "transport", json_string(sc_transport_name(img->ref.transport)));
	json_object_set_new(root, "digest", json_string(fmt_digest(&img->manifest_digest, d)));
	json_object_set_new(root, "mediaType", jstr_or_null(img->manifest_media_type));
	if (img->from_index)
		json_object_set_new(root, "index",
				    json_pack("{s:s,s:o}", "digest", fmt_digest(&img->index_digest, d), "mediaType",
					      jstr_or_null(img->index_media_type)));
	else
		json_object_set_new(root, "index", json_null());
	json_object_set_new(root, "id", json_string(fmt_digest(&img->manifest.config.digest, d)));
	plat = json_pack("{s:o,s:o,s:o}", "os", jstr_or_null(c->platform.os), "architecture",
			 jstr_or_null(c->platform.architecture), "variant", jstr_or_null(c->platform.variant));
	json_object_set_new(root, "platform", plat);
	json_object_set_new(root, "created", jstr_or_null(c->created));
	json_object_set_new(root, "author", jstr_or_null(c->author));

	json_object_set_new(cfg, "user", json_string(c->user ? c->user : ""));
	json_object_set_new(cfg, "entrypoint", jstrv(c->entrypoint));
	json_object_set_new(cfg, "cmd", jstrv(c->cmd));
	json_object_set_new(cfg, "workingDir", json_string(c->working_dir ? c->working_dir : ""));
	json_object_set_new(cfg, "exposedPorts", c->exposed_ports ? jstrv(c->exposed_ports) : json_array());
	json_object_set_new(cfg, "volumes", c->volumes ? jstrv(c->volumes) : json_array());
	for (i = 0; i < c->n_labels; i++) {
		char *m = masked_text(c->labels[i].value);

		json_object_set_new(labels, c->labels[i].key, json_string(m ? m : ""));
		free(m);
	}
	json_object_set_new(cfg, "labels", labels);
	json_object_set_new(cfg, "env", env_json(c->env));
	json_object_set_new(cfg, "stopSignal", jstr_or_null(c->stop_signal));
	json_object_set_new(cfg, "healthcheck", json_boolean(c->has_healthcheck));
	json_object_set_new(root, "config", cfg);

	for (i = 0; i < c->n_history; i++) {
		const sc_history *h = &c->history[i];
		char *m = h->created_by ? masked_text(h->created_by) : NULL;

		json_array_append_new(hist, json_pack("{s:o,s:o,s:o,s:b}", "created", jstr_or_null(h->created),
						      "createdBy", jstr_or_null(m), "comment",
						      jstr_or_null(h->comment), "emptyLayer", h->empty_layer));
		free(m);
	}
	json_object_set_new(root, "history", hist);

	for (i = 0; i < img->manifest.n_layers; i++) {
		const sc_descriptor *ld = &img->manifest.layers[i];
		const sc_layer_stats *st = &scan->layers[i];
		json_t *diff = i < c->n_diff_ids ? json_string(fmt_digest(&c->diff_ids[i], d)) : json_null();

		csize += st->compressed_size;
		usize += st->uncompressed_size;
		json_array_append_new(
			layers, json_pack("{s:I,s:o,s:s,s:s,s:I,s:I,s:o,s:I,s:I,s:I}", "index", (json_int_t)i,
					  "digest", ld->digest.set ? json_string(fmt_digest(&ld->digest, d)) : json_null(),
					  "mediaType", ld->media_type ? ld->media_type : "", "compression",
					  sc_compression_name(st->compression), "size", (json_int_t)st->compressed_size,
					  "uncompressedSize", (json_int_t)st->uncompressed_size, "diffId", diff,
					  "entries", (json_int_t)st->n_entries, "files", (json_int_t)st->n_files,
					  "whiteouts", (json_int_t)st->n_whiteouts));
	}
	json_object_set_new(root, "layers", layers);
	json_object_set_new(root, "totals",
			    json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "layers",
				      (json_int_t)img->manifest.n_layers, "compressedSize", (json_int_t)csize,
				      "uncompressedSize", (json_int_t)usize, "entries",
				      (json_int_t)sc_fsview_count(scan->view), "files", (json_int_t)w->files,
				      "directories", (json_int_t)w->dirs, "symlinks", (json_int_t)w->symlinks, "other",
				      (json_int_t)w->other, "fileBytes", (json_int_t)w->file_bytes));
	for (i = 0; i < w->n_top; i++)
		json_array_append_new(largest, json_pack("{s:s,s:I,s:i}", "path",
							 slash_path(w->top[i]->e.path, p, sizeof(p)), "size",
							 (json_int_t)w->top[i]->e.size, "layer", (int)w->top[i]->e.layer));
	json_object_set_new(root, "largestFiles", largest);
	if (w->files_json)
		json_object_set(root, "files", w->files_json);
	return root;
}

/* ---- human output ---- */

static void row(FILE *f, int color, const char *k, const char *v)
{
	fprintf(f, "%s%-12s%s %s\n", color ? "\033[1m" : "", k, color ? "\033[0m" : "", v);
}

static void print_strv(FILE *f, int color, const char *k, char **v)
{
	sc_buf b;
	size_t i;

	if (!v) {
		row(f, color, k, "-");
		return;
	}
	sc_buf_init(&b, 1u << 20, "text");
	sc_buf_putc(&b, '[');
	for (i = 0; v[i]; i++)
		sc_buf_printf(&b, "%s\"%s\"", i ? ", " : "", v[i]);
	sc_buf_putc(&b, ']');
	row(f, color, k, b.data ? b.data : "");
	sc_buf_release(&b);
}

static void print_human(FILE *f, const sc_image *img, const sc_scan *scan, const walk_state *w)
{
	const sc_config *c = &img->config;
	int color = sc_cli_color(f);
	char d[SC_DIGEST_STRLEN], s1[32], s2[32], buf[256];
	uint64_t csize = 0, usize = 0;
	size_t i, hi = 0;
	const char *bold = color ? "\033[1m" : "", *reset = color ? "\033[0m" : "";

	row(f, color, "Image", img->name);
	row(f, color, "Digest", sc_digest_fmt(&img->manifest_digest, d));
	if (img->from_index)
		row(f, color, "Index", sc_digest_fmt(&img->index_digest, d));
	row(f, color, "ID", sc_digest_fmt(&img->manifest.config.digest, d));
	row(f, color, "MediaType", img->manifest_media_type ? img->manifest_media_type : "-");
	row(f, color, "Platform", sc_platform_fmt(&c->platform, buf, sizeof(buf)));
	row(f, color, "Created", c->created ? c->created : "-");
	if (c->user && c->user[0] && strcmp(c->user, "root") != 0 && strcmp(c->user, "0") != 0 &&
	    strncmp(c->user, "0:", 2) != 0 && strncmp(c->user, "root:", 5) != 0) {
		row(f, color, "User", c->user);
	} else {
		snprintf(buf, sizeof(buf), "%s%s (runs as root)%s", color ? "\033[31m" : "",
			 c->user && c->user[0] ? c->user : "<unset>", reset);
		row(f, color, "User", buf);
	}
	print_strv(f, color, "Entrypoint", c->entrypoint);
	print_strv(f, color, "Cmd", c->cmd);
	row(f, color, "WorkingDir", c->working_dir && c->working_dir[0] ? c->working_dir : "-");
	if (c->exposed_ports)
		for (i = 0; c->exposed_ports[i]; i++)
			row(f, color, i ? "" : "Ports", c->exposed_ports[i]);
	for (i = 0; c->env && c->env[i]; i++) {
		const char *eq = strchr(c->env[i], '=');
		char name[256], mbuf[64], line[1200];
		const char *val = eq ? eq + 1 : "";

		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - c->env[i]) : 255, c->env[i]);
		if (*val && (sc_secret_name(name) || sc_secret_value(val)))
			snprintf(line, sizeof(line), "%s=%s (masked)", name, sc_mask_value(val, mbuf, sizeof(mbuf)));
		else
			snprintf(line, sizeof(line), "%s", c->env[i]);
		row(f, color, i ? "" : "Env", line);
	}
	for (i = 0; i < c->n_labels; i++) {
		char *m = masked_text(c->labels[i].value);
		char line[1200];

		snprintf(line, sizeof(line), "%s=%s", c->labels[i].key, m ? m : "");
		free(m);
		row(f, color, i ? "" : "Labels", line);
	}
	row(f, color, "Healthcheck", c->has_healthcheck ? "yes" : "none");

	fprintf(f, "\n%sLAYERS%s\n", bold, reset);
	fprintf(f, "  %-3s %-19s %-5s %10s %13s %8s %8s %5s  %s\n", "#", "DIGEST", "COMP", "SIZE", "UNCOMPRESSED",
		"ENTRIES", "FILES", "WH", "CREATED BY");
	for (i = 0; i < img->manifest.n_layers; i++) {
		const sc_layer_stats *st = &scan->layers[i];
		const sc_descriptor *ld = &img->manifest.layers[i];
		const char *by = "";
		char *m = NULL;

		/* History entries without empty_layer map to layers in order. */
		while (hi < c->n_history && c->history[hi].empty_layer)
			hi++;
		if (hi < c->n_history) {
			by = c->history[hi].created_by ? c->history[hi].created_by : "";
			hi++;
		}
		m = masked_text(by);
		csize += st->compressed_size;
		usize += st->uncompressed_size;
		if (ld->digest.set)
			sc_digest_fmt(&ld->digest, d);
		else
			snprintf(d, sizeof(d), "-");
		fprintf(f, "  %-3zu %-19.19s %-5s %10s %13s %8llu %8llu %5llu  %.60s\n", i + 1, d,
			sc_compression_name(st->compression), sc_cli_size(st->compressed_size, s1, sizeof(s1)),
			sc_cli_size(st->uncompressed_size, s2, sizeof(s2)), (unsigned long long)st->n_entries,
			(unsigned long long)st->n_files, (unsigned long long)st->n_whiteouts, m ? m : "");
		free(m);
	}
	fprintf(f, "\n%sTOTAL%s  %zu layers, %s compressed, %s uncompressed; merged: %zu entries (%llu files, "
		   "%llu dirs, %llu symlinks, %llu other), %s in files\n",
		bold, reset, img->manifest.n_layers, sc_cli_size(csize, s1, sizeof(s1)),
		sc_cli_size(usize, s2, sizeof(s2)), sc_fsview_count(scan->view), (unsigned long long)w->files,
		(unsigned long long)w->dirs, (unsigned long long)w->symlinks, (unsigned long long)w->other,
		sc_cli_size(w->file_bytes, buf, sizeof(buf)));
	if (w->n_top) {
		fprintf(f, "\n%sLARGEST FILES%s\n", bold, reset);
		for (i = 0; i < w->n_top; i++)
			fprintf(f, "  %10s  layer %-3u /%s\n", sc_cli_size(w->top[i]->e.size, s1, sizeof(s1)),
				(unsigned)w->top[i]->e.layer + 1, w->top[i]->e.path);
	}
}

static void help(FILE *f)
{
	fprintf(f,
		"usage: scute inspect [options] IMAGE\n"
		"\n"
		"Show an image's digest, platform, config, history, layers and largest files,\n"
		"from one pass over its layers.\n"
		"\n"
		"  --json                 machine-readable output (docs/inspect.md)\n"
		"  --files                include every file of the merged filesystem (JSON only)\n"
		"  --platform OS/ARCH[/VARIANT]  manifest to pick from an index (default linux/amd64)\n"
		"  -o, --output FILE      write to FILE atomically instead of standard output\n"
		"  -j, --jobs N           layers read in parallel (default: CPUs)\n"
		"  --top N                how many largest files to list (default 10)\n"
		"  --max-entries N        refuse images with more tar entries (default %u)\n"
		"  --verify-diff-ids      also check each uncompressed layer against rootfs.diff_ids\n"
		"  --allow-devices        accept device nodes in layers\n"
		"  -q, --quiet            no progress bar\n"
		"\n"
		"IMAGE: oci:DIR[:REF], oci-archive:FILE[:REF], docker-archive:FILE[:REF|@N],\n"
		"       docker://HOST[:PORT]/REPO[:TAG|@DIGEST]\n",
		SC_DEFAULT_MAX_ENTRIES);
	fputs("\n" SC_CLI_REGISTRY_HELP, f);
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -1;
	v = strtoull(s, &end, 10);
	if (*end)
		return -1;
	*out = v;
	return 0;
}

int sc_cmd_inspect(int argc, char **argv)
{
	enum { O_JSON = 256, O_FILES, O_PLATFORM, O_TOP, O_MAXENT, O_DEV, O_DIFF };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "files", no_argument, NULL, O_FILES },
		{ "platform", required_argument, NULL, O_PLATFORM },
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "top", required_argument, NULL, O_TOP },
		{ "max-entries", required_argument, NULL, O_MAXENT },
		{ "allow-devices", no_argument, NULL, O_DEV },
		{ "verify-diff-ids", no_argument, NULL, O_DIFF },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		SC_CLI_REGISTRY_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	inspect_opts o = { .top = 10 };
	sc_platform want = { 0 };
	sc_image *img = NULL;
	sc_scan scan = { 0 };
	sc_scan_opts so = { 0 };
	sc_progress *prog = NULL;
	walk_state w = { 0 };
	sc_out out = { 0 };
	json_t *doc = NULL;
	int c, rc = 0, status = SC_EXIT_OK;
	uint64_t v, total = 0;
	size_t i;

	sc_cli_registry reg;

	sc_cli_registry_init(&reg);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:j:qh", longopts, NULL)) != -1) {
		switch (c) {
		case O_JSON: o.json = 1; break;
		case O_FILES: o.files = 1; break;
		case O_PLATFORM: o.platform = optarg; break;
		case 'o': o.output = optarg; break;
		case 'j':
			if (parse_u64(optarg, &v) || v == 0 || v > 256)
				return sc_cli_usage_error("inspect", "--jobs wants a number from 1 to 256");
			o.jobs = (unsigned)v;
			break;
		case O_TOP:
			if (parse_u64(optarg, &v) || v > 10000)
				return sc_cli_usage_error("inspect", "--top wants a number from 0 to 10000");
			o.top = (size_t)v;
			break;
		case O_MAXENT:
			if (parse_u64(optarg, &v) || v == 0)
				return sc_cli_usage_error("inspect", "--max-entries wants a positive number");
			o.max_entries = v;
			break;
		case O_DEV: o.allow_devices = 1; break;
		case O_DIFF: o.verify_diff_ids = 1; break;
		case 'q': o.quiet = 1; break;
		case 'h': help(stdout); return SC_EXIT_OK;
		case ':': return sc_cli_usage_error("inspect", "option '%s' needs a value", argv[optind - 1]);
		default:
			switch (sc_cli_registry_opt(&reg, "inspect", c, optarg)) {
			case 1: break;
			case 0: return sc_cli_usage_error("inspect", "unknown option '%s'", argv[optind - 1]);
			default: return SC_EXIT_USAGE;
			}
			break;
		}
	}
	sc_cli_registry_apply(&reg);
	if (optind != argc - 1)
		return sc_cli_usage_error("inspect", optind >= argc ? "missing IMAGE" : "expected one IMAGE");
	o.image = argv[optind];
	if (o.files && !o.json)
		return sc_cli_usage_error("inspect", "--files needs --json");

	if (o.platform && (rc = sc_platform_parse(&want, o.platform)) != 0)
		return sc_cli_usage_error("inspect", "%s", sc_error_msg());
	if ((rc = sc_image_open(&img, o.image, o.platform ? &want : NULL)) != 0)
		goto fail;
	for (i = 0; i < img->manifest.n_layers; i++)
		total += img->manifest.layers[i].size;
	prog = sc_progress_start("reading layers", total, !o.quiet);
	so.jobs = o.jobs;
	so.max_entries = o.max_entries;
	so.verify_diff_ids = o.verify_diff_ids;
	so.allow_devices = o.allow_devices;
	so.progress_bytes = sc_progress_counter(prog);
	rc = sc_image_scan(&scan, img, &so);
	sc_progress_stop(prog);
	if (rc)
		goto fail;

	w.max_top = o.top;
	w.top = sc_calloc(o.top ? o.top : 1, sizeof(*w.top));
	if (!w.top) {
		rc = SC_ENOMEM;
		goto fail;
	}
	if (o.files)
		w.files_json = json_array();
	if ((rc = sc_fsview_walk(scan.view, visit, &w)) != 0)
		goto fail;

	if ((rc = sc_out_open(&out, o.output)) != 0)
		goto fail;
	if (o.json) {
		doc = build_json(img, &scan, &w);
		if ((rc = sc_out_json(&out, doc)) != 0)
			goto fail;
	} else {
		print_human(out.f, img, &scan, &w);
	}
	if ((rc = sc_out_commit(&out)) != 0)
		goto fail;
	goto done;
fail:
	status = sc_cli_fail(rc);
done:
	json_decref(doc);
	json_decref(w.files_json);
	free(w.top);
	sc_scan_release(&scan);
	sc_image_free(img);
	sc_platform_release(&want);
	return status;
}
