/*
 * rules_ai.c - risks AI images add: model weights baked into the image
 * (intellectual-property exposure), unsafe serialisation, GPU stack
 * alignment, writable model caches.  docs/checks.md explains each.
 */
#include "audit/audit.h"
#include "audit/ldso.h"
#include "audit/pickle.h"

#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Keras models with Lambda layers: the layer's Python function is stored as
 * marshalled bytecode in the model config and runs when the model is
 * loaded (unless safe_mode).  The config is JSON inside the HDF5 file's
 * model_config attribute (.h5) or the zip's config.json (.keras, stored);
 * the files are streamed and searched for "class_name": "Lambda" without
 * holding them.
 */
static const char *const keras_globs[] = { "**/*.h5", "**/*.hdf5", "**/*.keras", NULL };

#define LAMBDA_TAIL 40

typedef struct lambda_scan {
	unsigned char tail[LAMBDA_TAIL];
	size_t n_tail;
	int found;
} lambda_scan;

static int has_lambda(const unsigned char *b, size_t n)
{
	static const char *const pats[] = { "\"class_name\": \"Lambda\"", "\"class_name\":\"Lambda\"", NULL };
	size_t k;

	for (k = 0; pats[k]; k++)
		if (n >= strlen(pats[k]) && memmem(b, n, pats[k], strlen(pats[k])))
			return 1;
	return 0;
}

static void *lambda_begin(void *ud, const sc_entry *e)
{
	(void)ud;
	(void)e;
	return calloc(1, sizeof(lambda_scan));
}

static int lambda_data(void *st, const void *buf, size_t len)
{
	lambda_scan *s = st;
	unsigned char join[2 * LAMBDA_TAIL];
	size_t head = len < LAMBDA_TAIL ? len : LAMBDA_TAIL;

	if (s->found || len == 0)
		return 0;
	/* a pattern split across two chunks */
	memcpy(join, s->tail, s->n_tail);
	memcpy(join + s->n_tail, buf, head);
	if (has_lambda(join, s->n_tail + head) || has_lambda(buf, len)) {
		s->found = 1;
		return 0;
	}
	if (len >= LAMBDA_TAIL) {
		memcpy(s->tail, (const unsigned char *)buf + len - LAMBDA_TAIL, LAMBDA_TAIL);
		s->n_tail = LAMBDA_TAIL;
	} else {
		size_t keep = s->n_tail + len > LAMBDA_TAIL ? LAMBDA_TAIL - len : s->n_tail;

		memmove(s->tail, s->tail + s->n_tail - keep, keep);
		memcpy(s->tail + keep, buf, len);
		s->n_tail = keep + len;
	}
	return 0;
}

static void *lambda_end(void *st, int failed)
{
	lambda_scan *s = st;

	if (failed || !s || !s->found) {
		free(s);
		return NULL;
	}
	return s;
}

static void lambda_free(void *ud, void *result)
{
	(void)ud;
	free(result);
}

static const sc_interest keras_interest = {
	.name = "audit keras lambda",
	.globs = keras_globs,
	.stream_begin = lambda_begin,
	.stream_data = lambda_data,
	.stream_end = lambda_end,
	.result_free = lambda_free,
};

const sc_interest *const sc_interests_ai[] = { &keras_interest, NULL };

typedef struct lambda_walk {
	const sc_rule *r;
	sc_findings *out;
} lambda_walk;

static int lambda_cb(const sc_fsnode *n, void *ud)
{
	lambda_walk *w = ud;
	const sc_capture *c = sc_fsnode_capture(n, &keras_interest);

	if (!c || !c->result)
		return 0;
	return sc_audit_add(w->out, w->r, -1, n->e.path, NULL,
			    "/%s is a Keras model with a Lambda layer: its Python function runs when the model is loaded",
			    n->e.path);
}

static int check_lambda(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	lambda_walk w = { r, out };

	return ctx->view ? sc_fsview_walk(ctx->view, lambda_cb, &w) : 0;
}

static int is_weights(const sc_model_file *m)
{
	return m->format && strcmp(m->format, "tokenizer") != 0 && strcmp(m->format, "model-config") != 0;
}

static int check_weights(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	size_t i;
	int rc;

	for (i = 0; ctx->cat && i < ctx->cat->n_models; i++) {
		const sc_model_file *m = &ctx->cat->models[i];

		if (!is_weights(m))
			continue;
		if ((rc = sc_audit_add(out, r, -1, m->path, NULL, "model weights /%s (%s, %llu bytes) are baked into the image",
				       m->path, m->format, (unsigned long long)m->size)) != 0)
			return rc;
	}
	return 0;
}

static const sc_rule weights_rule = {
	"SC-5002", SC_AUDIT_AI, SC_LEVEL_LOW, "model weights are baked into the image",
	"mount weights at run time or ship them as a separate signed OCI artifact (scute harden --strip-models)",
	"AI risk: IP exposure (anyone who can pull the image has the weights)", check_weights,
};

/* --- unsafe serialisation ---------------------------------------------------- */

/*
 * The models cataloger walks every pickle stream it meets in the single pass
 * (raw pickles, the data.pkl of PyTorch zips, object .npy, joblib) with the
 * opcode scanner (audit/pickle.c) and records the imported callables as
 * "pickle.globals"; here each one is classified.
 */
static int check_pickles(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	size_t i, k;
	int rc;

	for (i = 0; ctx->cat && i < ctx->cat->n_models; i++) {
		const sc_model_file *m = &ctx->cat->models[i];
		const char *globals = sc_kv_list_get(&m->props, "pickle.globals");
		char dangerous[512] = "", unknown[512] = "", item[SC_PICKLE_MAX_NAME * 2];
		const char *p = globals, *why = NULL;
		size_t nd = 0, nu = 0, od = 0, ou = 0;

		if (!m->pickle_based)
			continue;
		while (p && *p) {
			const char *comma = strchr(p, ','), *dot;
			size_t len = comma ? (size_t)(comma - p) : strlen(p);
			char mod[SC_PICKLE_MAX_NAME], name[SC_PICKLE_MAX_NAME];

			if (len > 0 && len < sizeof(item)) {
				memcpy(item, p, len);
				item[len] = '\0';
				dot = strrchr(item, '.');
				if (dot && (size_t)(dot - item) < sizeof(mod) && strlen(dot + 1) < sizeof(name)) {
					memcpy(mod, item, (size_t)(dot - item));
					mod[dot - item] = '\0';
					snprintf(name, sizeof(name), "%s", dot + 1);
				} else {
					snprintf(mod, sizeof(mod), "%.*s", (int)sizeof(mod) - 1, item);
					name[0] = '\0';
				}
				switch (sc_pickle_classify(mod, name)) {
				case SC_PICKLE_DANGEROUS:
					if (!nd++)
						why = sc_pickle_rationale(mod, name);
					if (od + len + 3 < sizeof(dangerous))
						od += (size_t)snprintf(dangerous + od, sizeof(dangerous) - od, "%s%s", od ? ", " : "", item);
					break;
				case SC_PICKLE_UNKNOWN:
					nu++;
					if (ou + len + 3 < sizeof(unknown))
						ou += (size_t)snprintf(unknown + ou, sizeof(unknown) - ou, "%s%s", ou ? ", " : "", item);
					break;
				case SC_PICKLE_SAFE:
					break;
				}
			}
			p = comma ? comma + 1 : NULL;
		}
		/* A stream the scanner could not walk to its end is itself a finding: what follows is unchecked. */
		for (k = 0; !nd && ctx->cat && k < ctx->cat->n_notes; k++) {
			const sc_note *n = &ctx->cat->notes[k];

			if (n->level >= SC_NOTE_WARNING && n->path && strcmp(n->path, m->path) == 0)
				break;
		}
		if (!nd && ctx->cat && k < ctx->cat->n_notes) {
			rc = sc_audit_add(out, r, SC_LEVEL_MEDIUM, m->path, NULL, "/%s (%s) could not be checked to its end: %s",
					  m->path, m->format,
					  ctx->cat->notes[k].message ? ctx->cat->notes[k].message : "malformed");
		} else if (!nd && !sc_kv_list_get(&m->props, "pickle.protocol")) {
			/* e.g. a deflated data.pkl in a zip, which torch.save never writes: cannot vouch for it */
			rc = sc_audit_add(out, r, SC_LEVEL_MEDIUM, m->path, NULL,
					  "/%s (%s) holds a pickle the single pass could not inspect (compressed member?)",
					  m->path, m->format);
		} else if (nd)
			rc = sc_audit_add(out, r, SC_LEVEL_CRITICAL, m->path, NULL,
					  "/%s (%s) imports %s when loaded%s%s: loading it runs code", m->path, m->format,
					  dangerous, why ? " - " : "", why ? why : "");
		else if (nu)
			rc = sc_audit_add(out, r, SC_LEVEL_MEDIUM, m->path, NULL,
					  "/%s (%s) imports callables that are not known tensor rebuilds: %s", m->path, m->format,
					  unknown);
		else
			rc = sc_audit_add(out, r, SC_LEVEL_NEGLIGIBLE, m->path, NULL,
					  "/%s (%s) is pickle-based; %s", m->path, m->format,
					  globals ? "its imports are known tensor rebuilds" : "it imports nothing");
		if (rc)
			return rc;
	}
	return 0;
}

/* --- GPU stack alignment ---------------------------------------------------- */

/* "12.1" -> 12, 1; returns the number of parts read (0 when not a version). */
static int ver2(const char *s, unsigned *maj, unsigned *min)
{
	char *e;
	unsigned long a, b = 0;
	int n = 0;

	if (!s || *s < '0' || *s > '9')
		return 0;
	a = strtoul(s, &e, 10);
	n = 1;
	if (*e == '.' && e[1] >= '0' && e[1] <= '9') {
		b = strtoul(e + 1, &e, 10);
		n = 2;
	}
	if (a > 1000 || b > 1000)
		return 0;
	*maj = (unsigned)a;
	*min = (unsigned)b;
	return n;
}

static const char *prop(const sc_package *p, const char *k)
{
	return sc_kv_list_get(&p->props, k);
}

static int is_component(const sc_package *p, const char *c)
{
	const char *v = prop(p, "ai.component");

	return v && strcmp(v, c) == 0;
}

static int check_gpu(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	size_t i, k;
	int rc;

	for (i = 0; ctx->cat && i < ctx->cat->n_pkgs; i++) {
		const sc_package *fw = &ctx->cat->pkgs[i];
		const char *want = prop(fw, "ai.cuda"), *want_dnn = prop(fw, "ai.cudnn");
		unsigned wmaj, wmin, rmaj, rmin;
		int n_rt = 0, same_major = 0, new_enough = 0, n_dnn = 0, dnn_ok = 0;
		char have[128] = "", have_dnn[64] = "";
		size_t o = 0, od = 0;

		if (!prop(fw, "ai.framework") || (!want && !want_dnn))
			continue;
		for (k = 0; k < ctx->cat->n_pkgs; k++) {
			const sc_package *c = &ctx->cat->pkgs[k];
			const char *cv = prop(c, "cuda.version");

			if ((is_component(c, "cuda-runtime") || is_component(c, "cuda-toolkit")) && cv &&
			    ver2(cv, &rmaj, &rmin) >= 1) {
				n_rt++;
				if (o + 16 < sizeof(have))
					o += (size_t)snprintf(have + o, sizeof(have) - o, "%s%s", o ? ", " : "", cv);
				if (want && ver2(want, &wmaj, &wmin) >= 1 && rmaj == wmaj) {
					same_major = 1;
					if (rmin >= wmin)
						new_enough = 1;
				}
			}
			if (is_component(c, "cudnn") && c->version && ver2(c->version, &rmaj, &rmin) >= 1) {
				n_dnn++;
				if (od + 16 < sizeof(have_dnn))
					od += (size_t)snprintf(have_dnn + od, sizeof(have_dnn) - od, "%s%s", od ? ", " : "",
							       c->version);
				if (want_dnn && ver2(want_dnn, &wmaj, &wmin) >= 1 && rmaj == wmaj)
					dnn_ok = 1;
			}
		}
		/* Frameworks that bundle their runtime (pip wheels) show no separate runtime: nothing to compare. */
		if (want && n_rt && !same_major &&
		    (rc = sc_audit_add(out, r, SC_LEVEL_HIGH, fw->location, NULL,
				       "%s %s is built for CUDA %s but the image's CUDA runtime is %s", fw->name,
				       fw->version ? fw->version : "", want, have)) != 0)
			return rc;
		if (want && n_rt && same_major && !new_enough &&
		    (rc = sc_audit_add(out, r, SC_LEVEL_MEDIUM, fw->location, NULL,
				       "%s %s is built for CUDA %s but the image's CUDA runtime is older (%s)", fw->name,
				       fw->version ? fw->version : "", want, have)) != 0)
			return rc;
		if (want_dnn && n_dnn && !dnn_ok &&
		    (rc = sc_audit_add(out, r, SC_LEVEL_HIGH, fw->location, NULL,
				       "%s %s expects cuDNN %s but the image's cuDNN is %s", fw->name,
				       fw->version ? fw->version : "", want_dnn, have_dnn)) != 0)
			return rc;
	}
	return 0;
}

static int check_driver(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	size_t i;
	int rc;

	for (i = 0; ctx->cat && i < ctx->cat->n_pkgs; i++) {
		const sc_package *c = &ctx->cat->pkgs[i];
		const char *min = prop(c, "cuda.driver.min"), *compat = prop(c, "cuda.driver.min_compat");

		if (!is_component(c, "cuda-runtime") && !is_component(c, "cuda-toolkit"))
			continue;
		if (!min && !compat)
			continue;
		if ((rc = sc_audit_add(out, r, -1, c->location, NULL,
				       "CUDA %s needs an NVIDIA driver >= %s on the host%s%s%s",
				       prop(c, "cuda.version") ? prop(c, "cuda.version") : c->version ? c->version : "?",
				       min ? min : compat, min && compat ? " (>= " : "", min && compat ? compat : "",
				       min && compat ? " with the forward-compatibility package)" : "")) != 0)
			return rc;
	}
	return 0;
}

/* --- model and cache paths the run user cannot write ----------------------- */

static int writable_by(const sc_fsnode *n, long uid, long gid)
{
	if (uid == 0)
		return 1;
	if (n->e.mode & 0002)
		return 1;
	if ((long)n->e.uid == uid && (n->e.mode & 0200))
		return 1;
	return gid >= 0 && (long)n->e.gid == gid && (n->e.mode & 0020);
}

static int check_cache_paths(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	static const char *const vars[] = { "HF_HOME", "HUGGINGFACE_HUB_CACHE", "HF_HUB_CACHE", "TRANSFORMERS_CACHE",
					    "HF_DATASETS_CACHE", "TORCH_HOME", "XDG_CACHE_HOME", "SENTENCE_TRANSFORMERS_HOME",
					    NULL };
	long uid, gid;
	size_t i, k;
	int rc;

	if (!ctx->img || !ctx->view)
		return 0;
	sc_audit_run_as(ctx, &uid, &gid);
	if (uid <= 0)
		return 0; /* root (SC-1001) or unknown: nothing to say about write access */
	for (i = 0; ctx->img->config.env && ctx->img->config.env[i]; i++) {
		const char *kv = ctx->img->config.env[i], *eq = strchr(kv, '=');
		char path[1024];
		const sc_fsnode *n = NULL;
		size_t len;

		if (!eq || eq[1] != '/')
			continue;
		for (k = 0; vars[k]; k++)
			if ((size_t)(eq - kv) == strlen(vars[k]) && strncmp(kv, vars[k], (size_t)(eq - kv)) == 0)
				break;
		if (!vars[k])
			continue;
		if ((len = strlen(eq + 1)) >= sizeof(path))
			continue;
		memcpy(path, eq + 1, len + 1);
		/* The directory, or the nearest existing ancestor the app would create it in. */
		while (sc_fsview_resolve(ctx->view, path, 1, &n, NULL, 0) != 0 || !n) {
			char *slash = strrchr(path, '/');

			sc_error_clear();
			n = NULL;
			if (!slash || slash == path) {
				path[0] = '/';
				path[1] = '\0';
				if (sc_fsview_resolve(ctx->view, path, 1, &n, NULL, 0) != 0)
					sc_error_clear();
				break;
			}
			*slash = '\0';
		}
		if (!n || n->e.type != SC_FT_DIR || writable_by(n, uid, gid))
			continue;
		if ((rc = sc_audit_add(out, r, -1, n->e.path, NULL,
				       "%.*s points to %s, which uid %ld cannot write (/%s is %u:%u mode %04o)",
				       (int)(eq - kv), kv, eq + 1, uid, n->e.path, n->e.uid, n->e.gid,
				       n->e.mode & 07777)) != 0)
			return rc;
	}
	return 0;
}

/* --- libraries the dynamic loader will not find ---------------------------- */

#define MAX_MISSING 200

static int check_libs(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	static const char *const ca_bundles[] = { "etc/ssl/certs/ca-certificates.crt", "etc/pki/tls/certs/ca-bundle.crt",
						  "etc/ssl/cert.pem", "etc/ssl/certs/ca-bundle.crt", NULL };
	static const char *const tls_libs[] = { "libssl.so", "libgnutls.so", "libnss3.so", "libmbedtls.so",
						"libwolfssl.so", NULL };
	sc_ldso_result res;
	const char *tls = NULL;
	size_t i, k;
	int rc;

	if (!ctx->view || !ctx->cat || ctx->cat->n_elves == 0)
		return 0;
	if ((rc = sc_ldso_resolve_all(&res, ctx->view, ctx->cat->elves, ctx->cat->n_elves,
				      ctx->img ? (const char *const *)ctx->img->config.env : NULL)) != 0)
		return rc;
	for (i = 0; i < res.n_missing && i < MAX_MISSING; i++)
		if ((rc = sc_audit_add(out, r, -1, res.missing[i].elf, NULL, "/%s needs %s, which the loader will not find: %s",
				       res.missing[i].elf, res.missing[i].needed,
				       res.missing[i].reason ? res.missing[i].reason : "not found")) != 0)
			goto out;
	if (res.n_missing > MAX_MISSING &&
	    (rc = sc_audit_add(out, r, -1, NULL, NULL, "... and %zu more missing libraries", res.n_missing - MAX_MISSING)) != 0)
		goto out;
	/* TLS libraries without a CA bundle: every verified connection fails. */
	for (i = 0; !tls && i < ctx->cat->n_elves; i++)
		for (k = 0; tls_libs[k] && ctx->cat->elves[i].soname; k++)
			if (strncmp(ctx->cat->elves[i].soname, tls_libs[k], strlen(tls_libs[k])) == 0)
				tls = ctx->cat->elves[i].path;
	if (tls) {
		for (k = 0; ca_bundles[k]; k++) {
			const sc_fsnode *n = NULL;

			if (sc_fsview_resolve(ctx->view, ca_bundles[k], 1, &n, NULL, 0) == 0 && n && n->e.type == SC_FT_REG)
				break;
			sc_error_clear();
		}
		if (!ca_bundles[k] &&
		    (rc = sc_audit_add(out, r, SC_LEVEL_MEDIUM, tls, NULL,
				       "/%s is a TLS library but the image has no CA certificate bundle", tls)) != 0)
			goto out;
	}
	rc = 0;
out:
	sc_ldso_result_release(&res);
	return rc;
}

static const sc_rule pickle_rule = {
	"SC-5001", SC_AUDIT_AI, SC_LEVEL_CRITICAL, "model files in pickle formats import code",
	"convert the weights to safetensors (or GGUF/ONNX) and load with weights_only; remove files that import "
	"os/subprocess/builtins (scute harden --strip-models)",
	"AI risk: unsafe model serialisation (pickle runs code on load); prior art: picklescan, fickling", check_pickles,
};

/* --- runtime data the application's runtime expects ------------------------ */

static int exists(const sc_fsview *v, const char *path)
{
	const sc_fsnode *n = NULL;
	int ok = sc_fsview_resolve(v, path, 1, &n, NULL, 0) == 0 && n;

	sc_error_clear();
	return ok;
}

static const char *env_get(const sc_image *img, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; img && img->config.env && img->config.env[i]; i++)
		if (strncmp(img->config.env[i], name, n) == 0 && img->config.env[i][n] == '=')
			return img->config.env[i] + n + 1;
	return NULL;
}

static int check_runtime_data(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	static const char *const runtimes[] = { "usr/bin/python3", "usr/local/bin/python3", "usr/bin/java",
						"usr/bin/node", "usr/local/bin/node", NULL };
	const char *rt = NULL, *loc;
	size_t i;
	int rc;

	if (!ctx->view)
		return 0;
	for (i = 0; runtimes[i] && !rt; i++)
		if (exists(ctx->view, runtimes[i]))
			rt = runtimes[i];
	/* Python's zoneinfo, Java and Node read the system time zone database. */
	if (rt && !exists(ctx->view, "usr/share/zoneinfo/UTC") && !exists(ctx->view, "usr/share/zoneinfo/Etc/UTC") &&
	    (rc = sc_audit_add(out, r, -1, rt, NULL,
			       "/%s is present but the image has no time zone database (usr/share/zoneinfo): "
			       "zone lookups fail or fall back to UTC", rt)) != 0)
		return rc;
	/* A configured locale must exist, or programs silently fall back to C. */
	loc = env_get(ctx->img, "LC_ALL");
	if (!loc || !*loc)
		loc = env_get(ctx->img, "LANG");
	if (loc && *loc && strcmp(loc, "C") != 0 && strcmp(loc, "POSIX") != 0 && strncmp(loc, "C.", 2) != 0 &&
	    !exists(ctx->view, "usr/lib/locale/locale-archive") && strlen(loc) < 200) {
		char path[256];

		snprintf(path, sizeof(path), "usr/lib/locale/%s", loc);
		if (!exists(ctx->view, path) &&
		    (rc = sc_audit_add(out, r, -1, NULL, NULL,
				       "config sets the locale %s but the image has no locale data for it", loc)) != 0)
			return rc;
	}
	return 0;
}

static const sc_rule runtime_data_rule = {
	"SC-5008", SC_AUDIT_AI, SC_LEVEL_LOW, "runtime data the application expects is missing",
	"install tzdata / the locale (or set LANG=C.UTF-8); scute harden keeps usr/share/zoneinfo when a runtime needs it",
	"AI risk: missing libraries and data after slimming (timestamps in logs and schedulers, text encoding)",
	check_runtime_data,
};

static const sc_rule lambda_rule = {
	"SC-5007", SC_AUDIT_AI, SC_LEVEL_HIGH, "Keras models with Lambda layers",
	"rebuild the model without Lambda layers (custom layers registered in code), load with safe_mode=True",
	"AI risk: unsafe model serialisation (Keras Lambda layers carry marshalled Python bytecode)", check_lambda,
};

static const sc_rule gpu_rule = {
	"SC-5003", SC_AUDIT_AI, SC_LEVEL_HIGH, "the GPU stack does not fit together",
	"install the CUDA/cuDNN runtime the framework was built for, or the framework build for the runtime present",
	"AI risk: GPU stack mismatch (fails at the first CUDA call, or silently falls back to CPU)", check_gpu,
};
static const sc_rule driver_rule = {
	"SC-5006", SC_AUDIT_AI, SC_LEVEL_NEGLIGIBLE, "the CUDA runtime needs a minimum host driver",
	"schedule on nodes whose NVIDIA driver meets the minimum (node labels / nodeSelector)",
	"NVIDIA CUDA Toolkit release notes, table 3 (minimum driver per toolkit)", check_driver,
};
static const sc_rule cache_rule = {
	"SC-5005", SC_AUDIT_AI, SC_LEVEL_MEDIUM, "a model or cache path is not writable by the run user",
	"scute harden --user NAME (creates the cache directories owned by the user), or point the variable at a volume",
	"AI risk: downloads at start-up fail, or weights get fetched on every start", check_cache_paths,
};

static const sc_rule libs_rule = {
	"SC-5004", SC_AUDIT_AI, SC_LEVEL_HIGH, "libraries the dynamic loader will not find",
	"install the package that provides the library (or restore it); scute harden keeps every library an ELF needs",
	"AI risk: missing libraries (CUDA/cuDNN pieces deleted by slimming); the NVIDIA driver libraries are exempt",
	check_libs,
};

const sc_rule *const sc_rules_ai[] = { &pickle_rule, &weights_rule, &gpu_rule, &libs_rule, &cache_rule,
				       &driver_rule, &lambda_rule, &runtime_data_rule, NULL };
