/*
 * cmd_mirror.c - `scute mirror [options] SRC DST`: copy an image (or a
 * whole index) by digest between oci:, oci-archive:, docker-archive: and
 * docker:// (image/copy.h), with its cosign signatures and OCI referrers.
 * Prints the pinned reference of the copy.  docs/mirror.md.
 */
#include "cli/cli.h"
#include "cli/registry_opts.h"
#include "core/error.h"
#include "image/copy.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
	fprintf(f, "usage: scute mirror [options] SRC DST\n"
		   "\n"
		   "Copy image SRC to DST by digest: blobs and manifests byte for byte (digests\n"
		   "kept), blobs DST already has are not copied again, names appear last (a\n"
		   "failed copy names nothing).  Images: oci:DIR[:TAG], oci-archive:FILE[:TAG],\n"
		   "docker-archive:FILE[:REPO:TAG], docker://HOST/REPO[:TAG|@DIGEST].\n"
		   "An index copies the host's platform unless --all-platforms or --platform.\n"
		   "docker-archive sources become OCI manifests elsewhere (their digest changes).\n"
		   "Prints the copy's pinned reference (TRANSPORT:PATH@sha256:... or\n"
		   "HOST/REPO@sha256:...).\n"
		   "\n"
		   "  --all-platforms        copy every platform of an index (and the index)\n"
		   "  --platform OS/ARCH[/VARIANT]  the platform to copy from an index\n"
		   "  --with-signatures      copy cosign .sig/.att/.sbom tags and OCI referrers (default)\n"
		   "  --no-signatures        do not copy them\n"
		   "  -j, --jobs N           concurrent blob transfers (1-64, default 4)\n"
		   "  --replace              replace DST's tag (or archive file) when it exists\n"
		   "  --digestfile FILE      write the copy's digest to FILE\n"
		   "  --json                 a JSON summary on stdout instead of the reference\n"
		   "  -q, --quiet            no progress bar\n"
		   "  -h, --help             this help\n"
		   "\n" SC_CLI_REGISTRY_HELP
		   "  --src-creds, --dest-creds USER:PASS  credentials for one side\n"
		   "  --src-tls-verify=false, --dest-tls-verify=false  for one side\n");
}

typedef struct bar {
	sc_progress *p;
	int enabled;
} bar;

static uint64_t *start_bar(void *ud, uint64_t total)
{
	bar *b = ud;

	if (!b->enabled || b->p)
		return NULL;
	b->p = sc_progress_start("copying", total, 1);
	return sc_progress_counter(b->p);
}

/* "HOST/REPO" of a docker:// name (the mount hint) into *out, malloc'd; the host into *host if not NULL. */
static int docker_repo(const char *name, char **out, char **host)
{
	sc_regref rr;
	int rc;

	if ((rc = sc_regref_parse(&rr, name + strlen("docker://"))) != 0)
		return rc;
	if (asprintf(out, "%s/%s", rr.host, rr.repo) < 0) {
		*out = NULL;
		rc = sc_error_set(SC_ENOMEM, "out of memory");
	} else if (host && !(*host = sc_strdup(rr.host))) {
		free(*out);
		*out = NULL;
		rc = SC_ENOMEM;
	}
	sc_regref_release(&rr);
	return rc;
}

/* The pinned reference: HOST/REPO@sha256:... or TRANSPORT:PATH@sha256:... */
static char *pinned(const char *dst, const sc_digest *d)
{
	sc_imgref ref;
	sc_regref rr;
	char dg[SC_DIGEST_STRLEN], *r = NULL;

	if (strncmp(dst, "docker://", 9) == 0) {
		if (sc_regref_parse(&rr, dst + 9) != 0)
			return NULL;
		r = sc_regref_pinned(&rr, d);
		sc_regref_release(&rr);
		return r;
	}
	if (sc_imgref_parse(&ref, dst) != 0)
		return NULL;
	if (asprintf(&r, "%s:%s@%s", sc_transport_name(ref.transport), ref.path, sc_digest_fmt(d, dg)) < 0)
		r = NULL;
	sc_imgref_release(&ref);
	return r;
}

static json_t *summary(const char *src, const char *dst, const char *ref, const sc_copy_result *r)
{
	char dg[SC_DIGEST_STRLEN];

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "source", src, "destination", dst,
			 "reference", ref, "digest", sc_digest_fmt(&r->root, dg), "media_type",
			 r->root_media_type ? r->root_media_type : "", "blobs", (json_int_t)r->blobs, "skipped",
			 (json_int_t)r->blobs_skipped, "mounted", (json_int_t)r->blobs_mounted, "bytes_sent",
			 (json_int_t)r->bytes_sent, "manifests", (json_int_t)r->manifests, "signatures",
			 (json_int_t)r->signatures);
}

int sc_cmd_mirror(int argc, char **argv)
{
	enum { O_ALL = 256, O_PLATFORM, O_NOSIG, O_SIG, O_REPLACE, O_DIGESTFILE, O_JSON };
	static const struct option longopts[] = {
		{ "all-platforms", no_argument, NULL, O_ALL },
		{ "platform", required_argument, NULL, O_PLATFORM },
		{ "no-signatures", no_argument, NULL, O_NOSIG },
		{ "with-signatures", no_argument, NULL, O_SIG },
		{ "replace", no_argument, NULL, O_REPLACE },
		{ "digestfile", required_argument, NULL, O_DIGESTFILE },
		{ "json", no_argument, NULL, O_JSON },
		{ "jobs", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		SC_CLI_MIRROR_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *platform_arg = NULL, *digestfile = NULL, *src_name, *dst_name;
	int all = 0, sigs = 1, replace = 0, json = 0, quiet = 0, c, rc = 0, status = SC_EXIT_OK, have_platform = 0;
	unsigned jobs = 4;
	sc_platform plat;
	sc_imgref sref;
	sc_source *src = NULL;
	sc_dest *dst = NULL;
	sc_dest_opts dopts;
	sc_copy_opts co;
	sc_copy_result res;
	sc_out dfile = { 0 }, out = { 0 };
	int dfile_open = 0;
	char *ref = NULL, *src_repo = NULL, dg[SC_DIGEST_STRLEN];
	json_t *doc = NULL;
	bar b = { 0 };
	sc_cli_registry reg;

	sc_cli_registry_init(&reg);
	memset(&plat, 0, sizeof(plat));
	memset(&sref, 0, sizeof(sref));
	memset(&res, 0, sizeof(res));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":j:qh", longopts, NULL)) != -1) {
		switch (c) {
		case O_ALL: all = 1; break;
		case O_PLATFORM: platform_arg = optarg; break;
		case O_NOSIG: sigs = 0; break;
		case O_SIG: sigs = 1; break;
		case O_REPLACE: replace = 1; break;
		case O_DIGESTFILE: digestfile = optarg; break;
		case O_JSON: json = 1; break;
		case 'j': {
			char *e;
			unsigned long v = strtoul(optarg, &e, 10);

			if (*e || !*optarg || *optarg == '-' || v < 1 || v > 64)
				return sc_cli_usage_error("mirror", "--jobs wants a number from 1 to 64, not '%s'",
							  optarg);
			jobs = (unsigned)v;
			break;
		}
		case 'q': quiet = 1; break;
		case 'h': help(stdout); return SC_EXIT_OK;
		case ':': return sc_cli_usage_error("mirror", "option '%s' needs a value", argv[optind - 1]);
		default:
			switch (sc_cli_registry_opt(&reg, "mirror", c, optarg)) {
			case 1: break;
			case 0: return sc_cli_usage_error("mirror", "unknown option '%s'", argv[optind - 1]);
			default: return SC_EXIT_USAGE;
			}
			break;
		}
	}
	sc_cli_registry_apply(&reg);
	if (argc - optind != 2)
		return sc_cli_usage_error("mirror", "expected SRC and DST");
	src_name = argv[optind];
	dst_name = argv[optind + 1];
	if (all && platform_arg)
		return sc_cli_usage_error("mirror", "--all-platforms and --platform exclude each other");
	if (platform_arg) {
		if (sc_platform_parse(&plat, platform_arg) != 0)
			return sc_cli_usage_error("mirror", "--platform: %s", sc_error_msg());
		have_platform = 1;
	}
	if ((rc = sc_imgref_parse(&sref, src_name)) != 0) {
		status = sc_cli_usage_error("mirror", "%s", sc_error_msg());
		goto done;
	}
	if (sref.transport == SC_TRANSPORT_DOCKER) {
		char *src_host = NULL, *dst_repo = NULL, *dst_host = NULL;
		int other_host;

		if ((rc = docker_repo(src_name, &src_repo, &src_host)) != 0) {
			status = sc_cli_usage_error("mirror", "%s", sc_error_msg());
			goto done;
		}
		/* --creds names one registry's account: never send it to another one. */
		other_host = reg.creds && (!reg.src_creds || !reg.dest_creds) && strncmp(dst_name, "docker://", 9) == 0 &&
			     docker_repo(dst_name, &dst_repo, &dst_host) == 0 && strcmp(src_host, dst_host) != 0;
		sc_error_clear();
		free(src_host);
		free(dst_repo);
		free(dst_host);
		if (other_host) {
			status = sc_cli_usage_error("mirror", "SRC and DST are different registries: give their credentials "
							      "with --src-creds and --dest-creds, not --creds");
			goto done;
		}
	}
	/* The digest file is opened first, so a bad path fails before any copying. */
	if (digestfile) {
		if ((rc = sc_out_open(&dfile, digestfile)) != 0)
			goto fail;
		dfile_open = 1;
	}
	memset(&dopts, 0, sizeof(dopts));
	dopts.replace = replace;
	dopts.registry = &reg.dest;
	rc = sref.transport == SC_TRANSPORT_DOCKER ? sc_source_registry_open_opts(&src, &sref, &reg.src)
						   : sc_source_open(&src, &sref);
	if (rc != 0 || (rc = sc_dest_open(&dst, dst_name, &dopts)) != 0)
		goto fail;
	memset(&co, 0, sizeof(co));
	co.all_platforms = all;
	co.platform = have_platform ? &plat : NULL;
	co.signatures = sigs;
	co.jobs = jobs;
	b.enabled = !quiet;
	co.on_plan = start_bar;
	co.on_plan_ud = &b;
	rc = sc_copy_image(src, src_repo, dst, &co, &res);
	sc_progress_stop(b.p);
	b.p = NULL;
	if (rc)
		goto fail;
	if (!(ref = pinned(dst_name, &res.root))) {
		rc = sc_error_set(SC_ENOMEM, "out of memory");
		goto fail;
	}
	if (dfile_open) {
		fprintf(dfile.f, "%s", sc_digest_fmt(&res.root, dg));
		dfile_open = 0;
		if ((rc = sc_out_commit(&dfile)) != 0)
			goto fail;
	}
	if (json) {
		if (!(doc = summary(src_name, dst_name, ref, &res))) {
			rc = sc_error_set(SC_ENOMEM, "out of memory");
			goto fail;
		}
		if ((rc = sc_out_open(&out, NULL)) != 0 || (rc = sc_out_json(&out, doc)) != 0 ||
		    (rc = sc_out_commit(&out)) != 0)
			goto fail;
	} else {
		printf("%s\n", ref);
		if (fflush(stdout) != 0) {
			rc = sc_error_set(SC_EIO, "writing standard output failed");
			goto fail;
		}
	}
	goto done;
fail:
	status = sc_cli_fail(rc);
done:
	if (dfile_open)
		sc_out_abort(&dfile);
	sc_progress_stop(b.p);
	json_decref(doc);
	free(ref);
	free(src_repo);
	sc_copy_result_release(&res);
	sc_dest_free(dst);
	sc_source_free(src);
	sc_imgref_release(&sref);
	if (have_platform)
		sc_platform_release(&plat);
	return status;
}
