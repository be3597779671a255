/*
 * aistack.c - the AI/GPU stack of an image: CUDA runtime, cuBLAS, cuDNN,
 * NCCL and TensorRT libraries (by file name, e.g.
 * usr/local/cuda-12.1/lib64/libcudart.so.12.1.105), CUDA toolkit
 * version.json / version.txt, cuDNN's version header, NVIDIA's pip wheels
 * (nvidia-*-cuXX), and ML frameworks (torch, tensorflow, jax, onnxruntime,
 * vllm, transformers) with the CUDA version they were built for.  Runs
 * last: it reads the packages other catalogers found.
 *
 * Results: an SC_ECO_BINARY package per library version (or props on the
 * OS/pip package that owns the file), props on framework packages, the
 * minimum NVIDIA driver for each CUDA runtime, and warnings when the
 * pieces do not fit together (torch built for CUDA 11 over CUDA 12 libs).
 *
 * Props (keys):
 *   every component:  "ai.component" = cuda-runtime | cuda-toolkit | cublas | cudnn | nccl |
 *                     tensorrt; "cuda.major" on NVIDIA wheels (from the -cuXX suffix)
 *   CUDA runtimes:    "cuda.version" (X.Y or the toolkit's X.Y.Z), "cuda.driver.min",
 *                     "cuda.driver.min_compat"
 *   frameworks:       "ai.framework" = torch | tensorflow | jax | onnxruntime | vllm | transformers,
 *                     "ai.cuda" (CUDA version built for), "ai.cudnn" (when stated),
 *                     "ai.accelerator" = cuda | rocm | cpu, "ai.rocm", "ai.git_version" (torch)
 */
#include "catalog/catalog.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_CAP (128u << 10)
#define MAX_FOUND 256

static const char *const text_globs[] = {
	"**/cuda*/version.json",
	"**/cuda*/version.txt",
	"**/include/cudnn_version.h",
	"**/include/cudnn.h",
	"**/include/cuda_runtime_api.h",
	"**/torch/version.py",
	"**/torch-*.dist-info/METADATA",
	"**/tensorflow/python/platform/build_info.py",
	"**/onnxruntime/capi/build_and_package_info.py",
	NULL,
};

static const sc_interest text_interest = {
	.name = "aistack",
	.globs = text_globs,
	.max_size = 16u << 20,
	.capture_max = TEXT_CAP,
};

static const sc_interest *const aistack_interests[] = { &text_interest, NULL };

/*
 * Minimum Linux x86_64 driver per CUDA toolkit release: NVIDIA CUDA Toolkit
 * Release Notes, Table 3 "CUDA Toolkit and Corresponding Driver Versions"
 * (column "Toolkit Driver Version", Linux x86_64), docs.nvidia.com/cuda/
 * cuda-toolkit-release-notes/.  The last update of each minor release was
 * cross-checked against the driver bundled in NVIDIA's runfile installer
 * (cuda_<X.Y.Z>_<driver>_linux.run).  Releases before 11.0 are keyed by
 * their GA version with update 0.
 */
typedef struct {
	unsigned major, minor, update;
	const char *driver;
} drv_row;

static const drv_row driver_table[] = {
	{ 13, 0, 0, "580.65.06" },
	{ 12, 9, 1, "575.57.08" },   { 12, 9, 0, "575.51.03" },
	{ 12, 8, 1, "570.124.06" },  { 12, 8, 0, "570.26" },
	{ 12, 6, 3, "560.35.05" },   { 12, 6, 2, "560.35.03" },  { 12, 6, 1, "560.35.03" },
	{ 12, 6, 0, "560.28.03" },
	{ 12, 5, 1, "555.42.06" },   { 12, 5, 0, "555.42.02" },
	{ 12, 4, 1, "550.54.15" },   { 12, 4, 0, "550.54.14" },
	{ 12, 3, 2, "545.23.08" },   { 12, 3, 1, "545.23.08" },  { 12, 3, 0, "545.23.06" },
	{ 12, 2, 2, "535.104.05" },  { 12, 2, 1, "535.86.09" },  { 12, 2, 0, "535.54.03" },
	{ 12, 1, 1, "530.30.02" },   { 12, 1, 0, "530.30.02" },
	{ 12, 0, 1, "525.85.12" },   { 12, 0, 0, "525.60.13" },
	{ 11, 8, 0, "520.61.05" },
	{ 11, 7, 1, "515.65.01" },   { 11, 7, 0, "515.43.04" },
	{ 11, 6, 2, "510.47.03" },   { 11, 6, 1, "510.47.03" },  { 11, 6, 0, "510.39.01" },
	{ 11, 5, 2, "495.29.05" },   { 11, 5, 1, "495.29.05" },  { 11, 5, 0, "495.29.05" },
	{ 11, 4, 4, "470.82.01" },   { 11, 4, 3, "470.82.01" },  { 11, 4, 2, "470.57.02" },
	{ 11, 4, 1, "470.57.02" },   { 11, 4, 0, "470.42.01" },
	{ 11, 3, 1, "465.19.01" },   { 11, 3, 0, "465.19.01" },
	{ 11, 2, 2, "460.32.03" },   { 11, 2, 1, "460.32.03" },  { 11, 2, 0, "460.27.03" },
	{ 11, 1, 1, "455.32" },      { 11, 1, 0, "455.23" },
	{ 11, 0, 3, "450.51.06" },   { 11, 0, 2, "450.51.05" },  { 11, 0, 1, "450.36.06" },
	{ 10, 2, 0, "440.33" },      { 10, 1, 0, "418.39" },     { 10, 0, 0, "410.48" },
	{ 9, 2, 0, "396.26" },       { 9, 1, 0, "390.46" },      { 9, 0, 0, "384.81" },
};

/* CUDA minor version compatibility (same release notes, Table 2): the minimum per major. */
static const char *driver_min_compat(unsigned major)
{
	switch (major) {
	case 12: return "525.60.13";
	case 11: return "450.80.02";
	}
	return NULL;
}

/*
 * The minimum driver for CUDA major.minor(.update).  With update < 0
 * (only X.Y known, e.g. from libcudart.so.X.Y.<component patch>) the
 * release's first row (its GA, the lowest minimum) is used.
 */
static const char *driver_min(unsigned major, unsigned minor, int update)
{
	const char *best = NULL;
	size_t i;

	for (i = 0; i < sizeof(driver_table) / sizeof(driver_table[0]); i++) {
		const drv_row *r = &driver_table[i];

		if (r->major != major || r->minor != minor)
			continue;
		if (update < 0 || r->update <= (unsigned)update) {
			best = r->driver;
			if (update >= 0)
				return best; /* rows are newest first: highest update <= asked */
		}
	}
	return best; /* update < 0: the last row seen for X.Y is its earliest */
}

/* Parse "X.Y[.Z...]" into up to 3 numbers; returns how many were read. */
static int parse_ver(const char *s, unsigned v[3])
{
	int n = 0;

	while (n < 3 && *s >= '0' && *s <= '9') {
		unsigned long x = 0;

		while (*s >= '0' && *s <= '9') {
			x = x * 10 + (unsigned long)(*s - '0');
			if (x > 100000000ul)
				return n;
			s++;
		}
		v[n++] = (unsigned)x;
		if (*s != '.')
			break;
		s++;
	}
	return n;
}

/* ---- found components ---- */
typedef struct {
	const char *comp;      /* "cuda-runtime", "cudnn"... */
	char version[64];
	char path[512];
	int toolkit_update;    /* CUDA: known update of the toolkit, -1 unknown */
} found;

typedef struct {
	sc_catalog *cat;
	found f[MAX_FOUND];
	size_t n;
	/* framework facts */
	char torch_cuda[32];
	int torch_cuda_seen;
	char torch_cudnn_req[32];   /* from torch's Requires-Dist pins */
	char torch_path[512];
} scan_ctx;

static const struct {
	const char *prefix; /* lib<name>.so. */
	const char *comp;
} libs[] = {
	{ "libcudart.so.", "cuda-runtime" }, { "libcublas.so.", "cublas" }, { "libcudnn.so.", "cudnn" },
	{ "libnccl.so.", "nccl" },           { "libnvinfer.so.", "tensorrt" },
};

static void add_found(scan_ctx *c, const char *comp, const char *version, const char *path, int upd)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->f[i].comp == comp && !strcmp(c->f[i].version, version)) {
			if (upd >= 0 && c->f[i].toolkit_update < 0)
				c->f[i].toolkit_update = upd;
			return;
		}
	if (c->n == MAX_FOUND)
		return;
	c->f[c->n].comp = comp;
	snprintf(c->f[c->n].version, sizeof(c->f[c->n].version), "%.63s", version);
	snprintf(c->f[c->n].path, sizeof(c->f[c->n].path), "%s", path);
	c->f[c->n].toolkit_update = upd;
	c->n++;
}

/* libX.so.A.B.C (at least three numeric parts) */
static void lib_name(scan_ctx *c, const char *base, const char *path)
{
	size_t i;

	for (i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
		size_t pl = strlen(libs[i].prefix);
		const char *v = base + pl, *p;
		int dots = 0;

		if (strncmp(base, libs[i].prefix, pl) != 0 || !*v)
			continue;
		for (p = v; *p; p++) {
			if (*p == '.')
				dots++;
			else if (*p < '0' || *p > '9')
				return;
		}
		if (dots >= 2 && p[-1] != '.' && strlen(v) < 64)
			add_found(c, libs[i].comp, v, path, -1);
		/*
		 * Wheel-style and NVIDIA redistributable layouts name the
		 * library by its major version only (libcudart.so.13): keep the
		 * major; a fuller version of the same component wins later.
		 */
		else if (dots == 0 && strlen(v) <= 3)
			add_found(c, libs[i].comp, v, path, -1);
		return;
	}
}

/* ---- small text parsers over captured files ---- */

/* `name [: type] = 'value'` at the start of a line; 1 value, 2 None, 0 absent. */
static int py_assign(const char *t, size_t len, const char *name, char *out, size_t outsz)
{
	size_t nl = strlen(name), i = 0;

	while (i < len) {
		size_t e = i, j;

		while (e < len && t[e] != '\n')
			e++;
		if (e - i > nl && !memcmp(t + i, name, nl) && (t[i + nl] == ' ' || t[i + nl] == '=' || t[i + nl] == ':')) {
			j = i + nl;
			while (j < e && t[j] != '=')
				j++;
			if (j < e) {
				j++;
				while (j < e && t[j] == ' ')
					j++;
				if (j + 4 <= e && !memcmp(t + j, "None", 4)) {
					out[0] = '\0';
					return 2;
				}
				if (j < e && (t[j] == '\'' || t[j] == '"')) {
					char q = t[j++];
					size_t o = 0;

					while (j < e && t[j] != q && o + 1 < outsz)
						out[o++] = t[j++];
					out[o] = '\0';
					if (j < e && t[j] == q)
						return 1;
				}
			}
		}
		i = e + 1;
	}
	return 0;
}

/* 'key' ... 'value' in a Python dict / OrderedDict literal. */
static int dict_str(const char *t, size_t len, const char *key, char *out, size_t outsz)
{
	size_t kl = strlen(key), i;

	for (i = 0; i + kl + 2 <= len; i++) {
		size_t j, o = 0;
		char q;

		if ((t[i] != '\'' && t[i] != '"') || memcmp(t + i + 1, key, kl) != 0 || t[i + 1 + kl] != t[i])
			continue;
		j = i + kl + 2;
		while (j < len && (t[j] == ' ' || t[j] == ':' || t[j] == ','))
			j++;
		if (j >= len || (t[j] != '\'' && t[j] != '"'))
			continue;
		q = t[j++];
		while (j < len && t[j] != q && t[j] != '\n' && o + 1 < outsz)
			out[o++] = t[j++];
		out[o] = '\0';
		return j < len && t[j] == q;
	}
	return 0;
}

/* `#define NAME 8` -> 8, or -1. */
static long c_define(const char *t, size_t len, const char *name)
{
	size_t nl = strlen(name), i;

	for (i = 0; i + 8 + nl < len; i++) {
		size_t j;
		long v = 0;
		int digits = 0;

		if (memcmp(t + i, "#define", 7) != 0)
			continue;
		j = i + 7;
		while (j < len && (t[j] == ' ' || t[j] == '\t'))
			j++;
		if (len - j <= nl || memcmp(t + j, name, nl) != 0 || (t[j + nl] != ' ' && t[j + nl] != '\t'))
			continue;
		j += nl;
		while (j < len && (t[j] == ' ' || t[j] == '\t'))
			j++;
		while (j < len && t[j] >= '0' && t[j] <= '9' && digits < 9) {
			v = v * 10 + (t[j++] - '0');
			digits++;
		}
		return digits ? v : -1;
	}
	return -1;
}

/* The version pinned for `dist` in METADATA's Requires-Dist headers ("==X.Y..."), or 0. */
static int requires_pin(const char *t, size_t len, const char *dist, char *out, size_t outsz)
{
	size_t i = 0, dl = strlen(dist);

	while (i < len) {
		size_t e = i;

		while (e < len && t[e] != '\n')
			e++;
		if (e == i || (e == i + 1 && t[i] == '\r'))
			break; /* end of the headers */
		if (e - i > 15 + dl && !memcmp(t + i, "Requires-Dist: ", 15) && !memcmp(t + i + 15, dist, dl)) {
			size_t j = i + 15 + dl, o = 0;

			while (j < e && t[j] >= '0' && t[j] <= '9') /* the -cuNN suffix */
				j++;
			while (j < e && (t[j] == ' ' || t[j] == '('))
				j++;
			if (j + 2 < e && t[j] == '=' && t[j + 1] == '=') {
				j += 2;
				while (j < e && ((t[j] >= '0' && t[j] <= '9') || t[j] == '.') && o + 1 < outsz)
					out[o++] = t[j++];
				out[o] = '\0';
				return o > 0;
			}
		}
		i = e + 1;
	}
	return 0;
}

/* "+cu121" -> "12.1" */
static int local_cuda(const char *version, char *out, size_t outsz)
{
	const char *p = version ? strstr(version, "+cu") : NULL;
	size_t n = 0;

	if (!p)
		return 0;
	p += 3;
	while (p[n] >= '0' && p[n] <= '9')
		n++;
	if (n < 2 || n > 4)
		return 0;
	snprintf(out, outsz, "%.*s.%c", (int)(n - 1), p, p[n - 1]);
	return 1;
}

/* ---- package helpers ---- */

/* The package `name` installed in `site`, else one with the same version, else NULL. */
static sc_package *find_pkg(sc_catalog *cat, sc_ecosystem eco, const char *name, const char *site,
			    const char *version)
{
	size_t i;
	sc_package *any = NULL;

	for (i = 0; i < cat->n_pkgs; i++) {
		sc_package *p = &cat->pkgs[i];
		const char *s;

		if (p->eco != eco || strcmp(p->name, name) != 0)
			continue;
		s = sc_kv_list_get(&p->props, "python.site");
		if (!site || (s && !strcmp(s, site)))
			return p;
		if (!any && version && p->version && !strcmp(p->version, version))
			any = p;
	}
	return any;
}

/* The package whose file list has `path`, or NULL. */
static sc_package *owner(sc_catalog *cat, const char *path)
{
	size_t i, k;

	for (i = 0; i < cat->n_pkgs; i++)
		for (k = 0; cat->pkgs[i].files && cat->pkgs[i].files[k]; k++)
			if (!strcmp(cat->pkgs[i].files[k], path))
				return &cat->pkgs[i];
	return NULL;
}

/* Set a prop unless present. */
static int setp(sc_package *p, const char *k, const char *v)
{
	if (!v || sc_kv_list_get(&p->props, k))
		return 0;
	return sc_kv_list_add(&p->props, k, v);
}

static int cuda_props(sc_kv_list *l, const char *version, int update)
{
	unsigned v[3] = { 0, 0, 0 };
	char xy[48];
	const char *d, *c;
	int n = parse_ver(version, v), rc;

	if (n == 1) {
		/* Only the major is known: no exact driver minimum, but the compatibility one. */
		c = driver_min_compat(v[0]);
		snprintf(xy, sizeof(xy), "%u", v[0]);
		if (!sc_kv_list_get(l, "cuda.major") && (rc = sc_kv_list_add(l, "cuda.major", xy)) != 0)
			return rc;
		if (c && !sc_kv_list_get(l, "cuda.driver.min_compat") &&
		    (rc = sc_kv_list_add(l, "cuda.driver.min_compat", c)) != 0)
			return rc;
		return 0;
	}
	if (n < 2)
		return 0;
	if (update >= 0) /* the toolkit release: X.Y.update */
		snprintf(xy, sizeof(xy), "%u.%u.%d", v[0], v[1], update);
	else
		snprintf(xy, sizeof(xy), "%u.%u", v[0], v[1]);
	d = driver_min(v[0], v[1], update);
	c = driver_min_compat(v[0]);
	if (!sc_kv_list_get(l, "cuda.version") &&
	    (rc = sc_kv_list_add(l, "cuda.version", xy)) != 0)
		return rc;
	if (d && !sc_kv_list_get(l, "cuda.driver.min") && (rc = sc_kv_list_add(l, "cuda.driver.min", d)) != 0)
		return rc;
	if (c && !sc_kv_list_get(l, "cuda.driver.min_compat") &&
	    (rc = sc_kv_list_add(l, "cuda.driver.min_compat", c)) != 0)
		return rc;
	return 0;
}

/* Report one found component: props on its owning package, or a binary package. */
static int report(scan_ctx *c, const found *f)
{
	sc_package *o = owner(c->cat, f->path);
	sc_package p;
	int rc;

	if (o) {
		if ((rc = setp(o, "ai.component", f->comp)) != 0)
			return rc;
		if (!strcmp(f->comp, "cuda-runtime") || !strcmp(f->comp, "cuda-toolkit"))
			return cuda_props(&o->props, f->version, f->toolkit_update);
		return 0;
	}
	memset(&p, 0, sizeof(p));
	p.eco = SC_ECO_BINARY;
	p.name = (char *)f->comp;
	p.version = (char *)f->version;
	p.location = (char *)f->path;
	if ((rc = sc_kv_list_add(&p.props, "ai.component", f->comp)) == 0 &&
	    (!strcmp(f->comp, "cuda-runtime") || !strcmp(f->comp, "cuda-toolkit")))
		rc = cuda_props(&p.props, f->version, f->toolkit_update);
	if (rc == 0)
		rc = sc_catalog_add_package(c->cat, &p, NULL);
	sc_kv_list_release(&p.props);
	return rc;
}

/* ---- the walk ---- */

static int text_file(scan_ctx *c, const sc_fsnode *n, const char *base)
{
	const sc_capture *cap = sc_fsnode_capture(n, &text_interest);
	const char *t, *path = n->e.path;
	size_t len;
	char v[128];

	if (!cap || !cap->data)
		return 0;
	t = (const char *)cap->data;
	len = cap->len;
	if (!strcmp(base, "version.json")) {
		json_t *j = NULL, *cu;
		const char *s;

		if (cap->truncated || sc_json_parse(&j, t, len, len, 8, path) != 0) {
			sc_error_clear();
			return sc_catalog_note(c->cat, SC_NOTE_WARNING, "aistack", path, "unreadable CUDA version.json");
		}
		cu = json_object_get(j, "cuda");
		s = json_is_object(cu) ? sc_json_str(cu, "version") : NULL;
		if (s && strlen(s) < 32) {
			unsigned p[3] = { 0, 0, 0 };

			if (parse_ver(s, p) == 3)
				add_found(c, "cuda-toolkit", s, path, (int)p[2]);
		}
		json_decref(j);
		return 0;
	}
	if (!strcmp(base, "version.txt")) {
		const char *p = memmem(t, len, "CUDA Version ", 13);

		if (p) {
			size_t o = 0;

			p += 13;
			while (p < t + len && ((*p >= '0' && *p <= '9') || *p == '.') && o + 1 < sizeof(v))
				v[o++] = *p++;
			v[o] = '\0';
			if (o)
				add_found(c, "cuda-toolkit", v, path, -1);
		}
		return 0;
	}
	if (!strcmp(base, "cuda_runtime_api.h")) {
		/* CUDART_VERSION is major * 1000 + minor * 10 (13000 = 13.0). */
		long cv = c_define(t, len, "CUDART_VERSION");

		if (cv >= 1000 && cv < 1000000) {
			snprintf(v, sizeof(v), "%ld.%ld", cv / 1000, (cv % 1000) / 10);
			add_found(c, "cuda-toolkit", v, path, -1);
		}
		return 0;
	}
	if (!strcmp(base, "cudnn_version.h") || !strcmp(base, "cudnn.h")) {
		long ma = c_define(t, len, "CUDNN_MAJOR"), mi = c_define(t, len, "CUDNN_MINOR"),
		     pl = c_define(t, len, "CUDNN_PATCHLEVEL");

		if (ma >= 0 && mi >= 0 && pl >= 0) {
			snprintf(v, sizeof(v), "%ld.%ld.%ld", ma, mi, pl);
			add_found(c, "cudnn", v, path, -1);
		}
		return 0;
	}
	if (!strcmp(base, "version.py")) { /* torch/version.py */
		char ver[64], cuda[32], git[64], hip[32], site[SC_PATH_MAX];
		sc_package *p;
		int rc, has_ver, has_cuda, has_hip;
		size_t sl = strlen(path) - strlen("/torch/version.py");

		has_ver = py_assign(t, len, "__version__", ver, sizeof(ver)) == 1;
		has_cuda = py_assign(t, len, "cuda", cuda, sizeof(cuda));
		has_hip = py_assign(t, len, "hip", hip, sizeof(hip)) == 1;
		if (py_assign(t, len, "git_version", git, sizeof(git)) != 1)
			git[0] = '\0';
		if (!has_ver)
			return 0;
		snprintf(site, sizeof(site), "%.*s", (int)sl, path);
		if (has_cuda == 1) {
			snprintf(c->torch_cuda, sizeof(c->torch_cuda), "%s", cuda);
			c->torch_cuda_seen = 1;
			snprintf(c->torch_path, sizeof(c->torch_path), "%s", path);
		}
		p = find_pkg(c->cat, SC_ECO_PYPI, "torch", site, ver);
		if (!p) {
			sc_package np;

			memset(&np, 0, sizeof(np));
			np.eco = SC_ECO_BINARY;
			np.name = "torch";
			np.version = ver;
			np.location = (char *)path;
			if ((rc = sc_catalog_add_package(c->cat, &np, &p)) != 0)
				return rc;
		}
		if ((rc = setp(p, "ai.framework", "torch")) != 0)
			return rc;
		if (has_cuda == 1 && ((rc = setp(p, "ai.cuda", cuda)) != 0 || (rc = setp(p, "ai.accelerator", "cuda")) != 0))
			return rc;
		if (has_hip && ((rc = setp(p, "ai.rocm", hip)) != 0 || (rc = setp(p, "ai.accelerator", "rocm")) != 0))
			return rc;
		if (has_cuda != 1 && !has_hip && (rc = setp(p, "ai.accelerator", "cpu")) != 0)
			return rc;
		if (git[0] && (rc = setp(p, "ai.git_version", git)) != 0)
			return rc;
		return 0;
	}
	if (!strcmp(base, "METADATA")) { /* torch-*.dist-info */
		if (requires_pin(t, len, "nvidia-cudnn-cu", v, sizeof(v)))
			snprintf(c->torch_cudnn_req, sizeof(c->torch_cudnn_req), "%.31s", v);
		return 0;
	}
	if (!strcmp(base, "build_info.py") || !strcmp(base, "build_and_package_info.py")) {
		int tf = !strcmp(base, "build_info.py");
		const char *fw = tf ? "tensorflow" : "onnxruntime";
		char cuda[32] = "", cudnn[32] = "";
		sc_package *p = NULL;
		size_t i;
		int rc;

		if (!dict_str(t, len, "cuda_version", cuda, sizeof(cuda)))
			py_assign(t, len, "cuda_version", cuda, sizeof(cuda));
		if (!dict_str(t, len, "cudnn_version", cudnn, sizeof(cudnn)))
			py_assign(t, len, "cudnn_version", cudnn, sizeof(cudnn));
		for (i = 0; i < c->cat->n_pkgs && !p; i++) {
			sc_package *q = &c->cat->pkgs[i];

			if (q->eco == SC_ECO_PYPI && !strncmp(q->name, fw, strlen(fw)))
				p = q;
		}
		if (!p)
			return 0;
		if ((rc = setp(p, "ai.framework", fw)) != 0)
			return rc;
		if (cuda[0] && ((rc = setp(p, "ai.cuda", cuda)) != 0 || (rc = setp(p, "ai.accelerator", "cuda")) != 0))
			return rc;
		if (cudnn[0] && (rc = setp(p, "ai.cudnn", cudnn)) != 0)
			return rc;
	}
	return 0;
}

static int visit(const sc_fsnode *n, void *ud)
{
	scan_ctx *c = ud;
	const char *base = n->name;

	if (n->e.type != SC_FT_REG && n->e.type != SC_FT_HARDLINK)
		return 0;
	if (!strncmp(base, "lib", 3)) {
		lib_name(c, base, n->e.path);
		return 0;
	}
	return text_file(c, n, base);
}

/* NVIDIA wheels: nvidia-<part>-cuXX, and nvidia-<part> from CUDA 13 on. */
static const struct {
	const char *wheel;
	const char *comp;
} wheels[] = {
	{ "nvidia-cuda-runtime-cu", "cuda-runtime" },
	{ "nvidia-cublas-cu", "cublas" },
	{ "nvidia-cudnn-cu", "cudnn" },
	{ "nvidia-nccl-cu", "nccl" },
	{ "tensorrt-cu", "tensorrt" },
	{ "nvidia-tensorrt", "tensorrt" },
};

static const struct {
	const char *name;
	const char *fw;
} frameworks[] = {
	{ "torch", "torch" },           { "tensorflow", "tensorflow" },   { "tensorflow-gpu", "tensorflow" },
	{ "tensorflow-cpu", "tensorflow" }, { "tf-nightly", "tensorflow" }, { "jax", "jax" },
	{ "jaxlib", "jax" },            { "onnxruntime", "onnxruntime" }, { "onnxruntime-gpu", "onnxruntime" },
	{ "vllm", "vllm" },             { "transformers", "transformers" },
};

static int pip_pass(scan_ctx *c, unsigned *cudnn_majors, size_t *n_cudnn, unsigned *cuda_majors, size_t *n_cuda)
{
	size_t i, k;
	int rc;

	for (i = 0; i < c->cat->n_pkgs; i++) {
		sc_package *p = &c->cat->pkgs[i];

		if (p->eco != SC_ECO_PYPI)
			continue;
		for (k = 0; k < sizeof(wheels) / sizeof(wheels[0]); k++) {
			size_t wl = strlen(wheels[k].wheel);
			const char *suf = p->name + wl;

			/* CUDA 13 wheels dropped the -cuXX suffix: nvidia-cuda-runtime 13.0.96. */
			if (wl > 3 && !strcmp(wheels[k].wheel + wl - 3, "-cu") && strlen(p->name) == wl - 3 &&
			    !strncmp(p->name, wheels[k].wheel, wl - 3)) {
				suf = "";
			} else if (strncmp(p->name, wheels[k].wheel, wl) != 0) {
				continue;
			}
			if ((rc = setp(p, "ai.component", wheels[k].comp)) != 0)
				return rc;
			if (suf[0] >= '0' && suf[0] <= '9' && strspn(suf, "0123456789") == strlen(suf) &&
			    (rc = setp(p, "cuda.major", suf)) != 0)
				return rc;
			if (p->version) {
				unsigned v[3] = { 0, 0, 0 };

				if (parse_ver(p->version, v) >= 1) {
					if (!strcmp(wheels[k].comp, "cudnn") && *n_cudnn < 16)
						cudnn_majors[(*n_cudnn)++] = v[0];
					if (!strcmp(wheels[k].comp, "cuda-runtime")) {
						if (*n_cuda < 16)
							cuda_majors[(*n_cuda)++] = v[0];
						if ((rc = cuda_props(&p->props, p->version, -1)) != 0)
							return rc;
					}
				}
			}
			break;
		}
		for (k = 0; k < sizeof(frameworks) / sizeof(frameworks[0]); k++) {
			char cu[16];

			if (strcmp(p->name, frameworks[k].name) != 0)
				continue;
			if ((rc = setp(p, "ai.framework", frameworks[k].fw)) != 0)
				return rc;
			if (local_cuda(p->version, cu, sizeof(cu)) &&
			    ((rc = setp(p, "ai.cuda", cu)) != 0 || (rc = setp(p, "ai.accelerator", "cuda")) != 0))
				return rc;
			if (p->version && strstr(p->version, "+cpu") && (rc = setp(p, "ai.accelerator", "cpu")) != 0)
				return rc;
			if (!strcmp(p->name, "onnxruntime-gpu") && (rc = setp(p, "ai.accelerator", "cuda")) != 0)
				return rc;
			if (!strcmp(p->name, "torch") && !c->torch_cuda_seen && local_cuda(p->version, cu, sizeof(cu))) {
				snprintf(c->torch_cuda, sizeof(c->torch_cuda), "%s", cu);
				c->torch_cuda_seen = 1;
				snprintf(c->torch_path, sizeof(c->torch_path), "%s", p->location ? p->location : "");
			}
		}
		/* jax CUDA plugins: jax-cuda12-plugin, jax-cuda12-pjrt */
		if (!strncmp(p->name, "jax-cuda", 8)) {
			char cu[8];
			size_t d = strspn(p->name + 8, "0123456789");

			if (d && d < sizeof(cu)) {
				memcpy(cu, p->name + 8, d);
				cu[d] = '\0';
				if ((rc = setp(p, "ai.framework", "jax")) != 0 || (rc = setp(p, "ai.cuda", cu)) != 0 ||
				    (rc = setp(p, "ai.accelerator", "cuda")) != 0)
					return rc;
			}
		}
	}
	return 0;
}

static int aistack_collect(const sc_fsview *view, sc_catalog *cat)
{
	scan_ctx *c = calloc(1, sizeof(*c));
	unsigned cudnn_majors[32], cuda_majors[32];
	size_t n_cudnn = 0, n_cuda = 0, i;
	int rc;

	if (!c)
		return sc_error_set(SC_ENOMEM, "out of memory");
	c->cat = cat;
	if ((rc = sc_fsview_walk(view, visit, c)) != 0)
		goto out;
	/* a toolkit's version.json gives the update of the runtime under the same root */
	for (i = 0; i < c->n; i++) {
		size_t k;

		if (strcmp(c->f[i].comp, "cuda-toolkit") != 0 || c->f[i].toolkit_update < 0)
			continue;
		for (k = 0; k < c->n; k++) {
			size_t dl;
			const char *b;

			sc_path_split(c->f[i].path, &dl, &b);
			if (!strcmp(c->f[k].comp, "cuda-runtime") && c->f[k].toolkit_update < 0 &&
			    !strncmp(c->f[k].path, c->f[i].path, dl) && c->f[k].path[dl] == '/') {
				unsigned a[3] = { 0 }, t[3] = { 0 };

				if (parse_ver(c->f[k].version, a) >= 2 && parse_ver(c->f[i].version, t) == 3 &&
				    a[0] == t[0] && a[1] == t[1])
					c->f[k].toolkit_update = (int)t[2];
			}
		}
	}
	for (i = 0; i < c->n; i++) {
		unsigned v[3] = { 0, 0, 0 }, w[3] = { 0, 0, 0 };
		size_t k;
		int shadowed = 0;

		/* A major-only finding adds nothing when a fuller version of it exists. */
		if (!strchr(c->f[i].version, '.') && parse_ver(c->f[i].version, v) == 1)
			for (k = 0; k < c->n && !shadowed; k++)
				shadowed = k != i && c->f[k].comp == c->f[i].comp && strchr(c->f[k].version, '.') &&
					   parse_ver(c->f[k].version, w) >= 2 && w[0] == v[0];
		if (shadowed)
			continue;
		if (parse_ver(c->f[i].version, v) >= 1) {
			if (!strcmp(c->f[i].comp, "cudnn") && n_cudnn < 16)
				cudnn_majors[n_cudnn++] = v[0];
			if ((!strcmp(c->f[i].comp, "cuda-runtime") || !strcmp(c->f[i].comp, "cuda-toolkit")) &&
			    n_cuda < 16)
				cuda_majors[n_cuda++] = v[0];
		}
		if ((rc = report(c, &c->f[i])) != 0)
			goto out;
	}
	if ((rc = pip_pass(c, cudnn_majors, &n_cudnn, cuda_majors, &n_cuda)) != 0)
		goto out;
	/* mismatches */
	if (c->torch_cuda_seen && c->torch_cuda[0] && n_cuda) {
		unsigned t[3] = { 0 };
		int match = 0;

		if (parse_ver(c->torch_cuda, t) >= 1) {
			for (i = 0; i < n_cuda; i++)
				if (cuda_majors[i] == t[0])
					match = 1;
			if (!match) {
				char list[128];
				size_t o = 0;

				list[0] = '\0';
				for (i = 0; i < n_cuda && o + 12 < sizeof(list); i++)
					o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%u", i ? "," : "", cuda_majors[i]);
				if ((rc = sc_catalog_note(cat, SC_NOTE_WARNING, "aistack", c->torch_path[0] ? c->torch_path : NULL,
							  "torch is built for CUDA %s but the image's CUDA runtime is major %s",
							  c->torch_cuda, list)) != 0)
					goto out;
			}
		}
	}
	if (c->torch_cudnn_req[0] && n_cudnn) {
		unsigned want[3] = { 0 };
		int match = 0;

		if (parse_ver(c->torch_cudnn_req, want) >= 1) {
			for (i = 0; i < n_cudnn; i++)
				if (cudnn_majors[i] == want[0])
					match = 1;
			if (!match && (rc = sc_catalog_note(cat, SC_NOTE_WARNING, "aistack", NULL,
							    "torch requires cuDNN %s but the image's cuDNN is major %u",
							    c->torch_cudnn_req, cudnn_majors[0])) != 0)
				goto out;
		}
	}
out:
	free(c);
	return rc;
}

const sc_cataloger sc_cataloger_aistack = { "aistack", aistack_interests, aistack_collect };
