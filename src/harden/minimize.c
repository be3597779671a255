/*
 * minimize.c - the closure behind `scute harden --minimize` (minimize.h).
 *
 * Everything works on node->mark of the merged view: keep_node() marks a
 * node and its directories and queues files for processing; keep_path()
 * walks a path component by component, keeping every symlink it follows;
 * the work loop turns a kept file into more kept files (ELF dependencies,
 * a script's interpreter, Python imports, a distribution's RECORD).  Each
 * node is queued at most once, so the loop ends; nothing recurses.
 */
#include "harden/minimize.h"

#include "core/error.h"
#include "core/json.h"
#include "core/path.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PY_SRC_MAX (16u << 20)   /* bytes of one Python file scanned for imports */
#define PY_LINE_MAX 4096         /* longer lines are scanned up to this length */
#define PY_NAMES_MAX 512         /* distinct modules recorded per file */
#define PY_NAME_MAX 128
#define SHEBANG_MAX 256
#define TOPLEVEL_MAX 4096
#define MAX_SITE_DIRS 64
#define MAX_HOPS SC_SYMLINK_MAX_HOPS
#define SC_MINIMIZE_MAX_ARGS 256

static const char *const default_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/* ---- interests ---------------------------------------------------------------- */

typedef struct py_state {
	char line[PY_LINE_MAX + 1];
	size_t len;
	int overlong;
	sc_strv names;
} py_state;

static int is_ident_start(int c)
{
	return isalpha(c) || c == '_';
}

static int is_ident(int c)
{
	return isalnum(c) || c == '_';
}

/* Add the top-level part of a dotted module name at s (len bytes max). */
static int add_top(sc_strv *names, const char *s, size_t len)
{
	size_t n = 0, i;

	if (!len || !is_ident_start((unsigned char)s[0]))
		return 0;
	while (n < len && is_ident((unsigned char)s[n]))
		n++;
	if (n >= PY_NAME_MAX)
		return 0;
	for (i = 0; i < names->n; i++)
		if (strlen(names->v[i]) == n && memcmp(names->v[i], s, n) == 0)
			return 0;
	if (names->n >= PY_NAMES_MAX)
		return 0;
	return sc_strv_pushn(names, s, n);
}

static size_t skip_ws(const char *s, size_t i, size_t len)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

static int kw_at(const char *s, size_t i, size_t len, const char *kw)
{
	size_t k = strlen(kw);

	return i + k < len && memcmp(s + i, kw, k) == 0 && (s[i + k] == ' ' || s[i + k] == '\t');
}

/* import_module("x") / __import__('x') anywhere in the segment. */
static int scan_dynamic(const char *s, size_t len, sc_strv *names)
{
	static const char *const fns[] = { "import_module(", "__import__(", NULL };
	size_t f;
	int rc;

	for (f = 0; fns[f]; f++) {
		size_t k = strlen(fns[f]), i;

		for (i = 0; i + k < len; i++) {
			size_t j, st;
			char q;

			if (memcmp(s + i, fns[f], k) != 0)
				continue;
			j = skip_ws(s, i + k, len);
			if (j >= len || (s[j] != '\'' && s[j] != '"'))
				continue;
			q = s[j];
			st = j + 1;
			for (j = st; j < len && s[j] != q; j++)
				;
			if (j < len && (rc = add_top(names, s + st, j - st)) != 0)
				return rc;
		}
	}
	return 0;
}

static int scan_segment(const char *s, size_t len, sc_strv *names)
{
	size_t i = skip_ws(s, 0, len);
	int rc;

	if ((rc = scan_dynamic(s, len, names)) != 0)
		return rc;
	if (kw_at(s, i, len, "import")) {
		i += 6;
		for (;;) {
			size_t st;

			i = skip_ws(s, i, len);
			if (i < len && s[i] == '(')
				i = skip_ws(s, i + 1, len);
			st = i;
			while (i < len && (is_ident((unsigned char)s[i]) || s[i] == '.'))
				i++;
			if (i > st && (rc = add_top(names, s + st, i - st)) != 0)
				return rc;
			/* skip "as NAME" up to the next comma */
			while (i < len && s[i] != ',' && s[i] != '#')
				i++;
			if (i >= len || s[i] != ',')
				break;
			i++;
		}
		return 0;
	}
	if (kw_at(s, i, len, "from")) {
		size_t st;

		i = skip_ws(s, i + 4, len);
		if (i < len && s[i] == '.')
			return 0; /* relative: inside the same package */
		st = i;
		while (i < len && (is_ident((unsigned char)s[i]) || s[i] == '.'))
			i++;
		if (i > st && kw_at(s, skip_ws(s, i, len), len, "import"))
			return add_top(names, s + st, i - st);
	}
	return 0;
}

static int scan_line(const char *s, size_t len, sc_strv *names)
{
	size_t st = 0, i;
	int rc;

	for (i = 0; i <= len; i++)
		if (i == len || s[i] == ';') {
			if ((rc = scan_segment(s + st, i - st, names)) != 0)
				return rc;
			st = i + 1;
		}
	return 0;
}

int sc_minimize_py_imports(const char *code, size_t len, sc_strv *names)
{
	size_t st = 0, i;
	int rc;

	for (i = 0; i <= len; i++)
		if (i == len || code[i] == '\n') {
			size_t l = i - st;

			if ((rc = scan_line(code + st, l > PY_LINE_MAX ? PY_LINE_MAX : l, names)) != 0)
				return rc;
			st = i + 1;
		}
	return 0;
}

static void *py_begin(void *ud, const sc_entry *e)
{
	(void)ud;
	(void)e;
	return sc_calloc(1, sizeof(py_state));
}

static int py_data(void *st, const void *buf, size_t len)
{
	py_state *s = st;
	const char *p = buf;
	size_t i;
	int rc;

	for (i = 0; i < len; i++) {
		if (p[i] == '\n') {
			if ((rc = scan_line(s->line, s->len, &s->names)) != 0)
				return rc;
			s->len = 0;
			s->overlong = 0;
		} else if (s->len < PY_LINE_MAX) {
			s->line[s->len++] = p[i];
		} else {
			s->overlong = 1;
		}
	}
	return 0;
}

typedef struct py_names {
	char **v; /* NULL-terminated */
} py_names;

static void *py_end(void *st, int failed)
{
	py_state *s = st;
	py_names *r = NULL;

	if (!failed && scan_line(s->line, s->len, &s->names) == 0 && (r = sc_calloc(1, sizeof(*r))) != NULL)
		r->v = sc_strv_finish(&s->names, 0);
	sc_strv_release(&s->names);
	free(s);
	return r;
}

static void py_free(void *ud, void *r)
{
	py_names *p = r;

	(void)ud;
	if (p) {
		sc_strv_free(p->v);
		free(p);
	}
}

static const char *const py_globs[] = { "*.py", "**/*.py", "*.pth", "**/*.pth", NULL };
const sc_interest sc_minimize_interest_py = {
	.name = "minimize python imports", .globs = py_globs, .max_size = PY_SRC_MAX,
	.stream_begin = py_begin, .stream_data = py_data, .stream_end = py_end, .result_free = py_free,
};

const sc_interest sc_minimize_interest_shebang = {
	.name = "minimize shebang", .magic = (const unsigned char *)"#!", .magic_len = 2,
	.capture_max = SHEBANG_MAX,
};

static const char *const toplevel_globs[] = { "**/*.egg-info/top_level.txt", "**/*.dist-info/top_level.txt",
					       NULL };
static const sc_interest toplevel_interest = {
	.name = "minimize top_level.txt", .globs = toplevel_globs, .capture_max = TOPLEVEL_MAX,
};

const sc_interest *const sc_minimize_interests[] = { &sc_minimize_interest_py, &sc_minimize_interest_shebang,
						     &toplevel_interest, NULL };

/*
 * GPU libraries that CUDA frameworks open by name at run time (PyTorch,
 * TensorFlow, JAX, ONNX Runtime, cuDNN's own sub-libraries): no DT_NEEDED
 * points at them, so only this list keeps them.  docs/harden.md.
 */
const char *const sc_minimize_gpu_patterns[] = {
	"libcudart.so*", "libcublas.so*", "libcublasLt.so*", "libcudnn*.so*", "libnvrtc.so*",
	"libnvrtc-builtins*.so*", "libnccl.so*", "libcufft.so*", "libcurand.so*", "libcusolver.so*",
	"libcusparse.so*", "libcusparseLt.so*", "libnvJitLink.so*", "libcupti.so*", "libnvToolsExt.so*",
	"libcufile.so*", "libnvinfer*.so*", "libnvonnxparser.so*", NULL,
};

/* A kept file with one of these names makes the workload a GPU one. */
static const char *const gpu_triggers[] = {
	"libcudart.so*", "libcublas*.so*", "libcudnn*.so*", "libtorch_cuda*.so*", "libc10_cuda.so*",
	"libnccl.so*", "libtensorflow_framework.so*", "libonnxruntime_providers_cuda.so*", NULL,
};

/* Always kept when present. */
static const char *const essentials[] = {
	"etc/passwd", "etc/group", "etc/nsswitch.conf", "etc/hosts", "etc/host.conf", "etc/resolv.conf",
	"etc/hostname", "etc/os-release", "usr/lib/os-release", "etc/debian_version", "etc/alpine-release",
	"etc/redhat-release", "etc/system-release", "etc/lsb-release",
	"etc/ssl/**", "etc/pki/**", "usr/share/ca-certificates/**", "etc/ca-certificates.conf",
	"usr/lib/ssl/openssl.cnf", "usr/lib/ssl/certs", "usr/lib/ssl/cert.pem", "etc/ca-certificates/**",
	"usr/share/zoneinfo/**", "etc/localtime", "etc/timezone",
	"usr/lib/locale/C.utf8/**", "usr/lib/locale/C.UTF-8/**",
	"etc/ld.so.cache", "etc/ld.so.conf", "etc/ld.so.conf.d/**", "etc/ld-musl-*.path",
	"var/lib/dpkg/status", "var/lib/dpkg/status.d/**", "var/lib/dpkg/info/*.list",
	"lib/apk/db/**", "var/lib/rpm/**", "usr/lib/sysimage/rpm/**",
	NULL,
};

/* Directories kept (empty) when present: mount points and scratch space. */
static const char *const mount_dirs[] = { "tmp", "var/tmp", "proc", "sys", "dev", "run", "home", "root", NULL };

/* ---- state ------------------------------------------------------------------ */

typedef struct eix {
	const char *path;
	size_t i;
} eix;

typedef struct mz {
	sc_fsview *v;
	const sc_catalog *cat;
	const sc_ldso_result *ld;
	const sc_minimize_opts *o;
	sc_minimize_result *r;
	sc_fsnode **work;
	size_t nw, cw;
	eix *elves;             /* sorted by path */
	eix *files;             /* RECORD files of pip distributions -> package index, sorted */
	size_t nfiles;
	unsigned char *pkg_kept;
	int py, gpu_seen;
	sc_strv sites;          /* directories searched for top-level modules */
	char **mods;            /* open addressing: top-level module names already looked up */
	size_t nmods, capmods;  /* capmods: power of two */
} mz;

static int eix_cmp(const void *a, const void *b)
{
	return strcmp(((const eix *)a)->path, ((const eix *)b)->path);
}

static const eix *eix_find(const eix *v, size_t n, const char *path)
{
	eix key = { path, 0 };

	return n ? bsearch(&key, v, n, sizeof(*v), eix_cmp) : NULL;
}

static sc_fsnode *lookup(mz *m, const char *path)
{
	return (sc_fsnode *)sc_fsview_lookup(m->v, path);
}

static int push_work(mz *m, sc_fsnode *n)
{
	if (m->nw == m->cw) {
		size_t nc = m->cw ? m->cw * 2 : 1024;
		sc_fsnode **nv = sc_reallocarray(m->work, nc, sizeof(*nv));

		if (!nv)
			return SC_ENOMEM;
		m->work = nv;
		m->cw = nc;
	}
	m->work[m->nw++] = n;
	return 0;
}

/* Keep n and its directories; queue files for processing. */
static int keep_node(mz *m, sc_fsnode *n)
{
	sc_fsnode *p;

	if (n->mark)
		return 0;
	n->mark = 1;
	for (p = n->parent; p && !p->mark; p = p->parent)
		p->mark = 1;
	if (n->e.type == SC_FT_REG || n->e.type == SC_FT_HARDLINK)
		return push_work(m, n);
	return 0;
}

/*
 * Keep path: every symlink met on the way (all components, and the last
 * one when follow_last) and the node it ends at.  A missing component is
 * not an error (*out = NULL).
 */
static int keep_path(mz *m, const char *path, int follow_last, sc_fsnode **out)
{
	char cur[SC_PATH_MAX], rest[SC_PATH_MAX], cand[SC_PATH_MAX];
	sc_fsnode *n = NULL;
	int hops = 0, rc;

	if (out)
		*out = NULL;
	while (*path == '/')
		path++;
	if (strlen(path) >= sizeof(rest))
		return 0;
	cur[0] = '\0';
	memmove(rest, path, strlen(path) + 1);
	for (;;) {
		char *p = rest, *after;
		size_t cl, curl = strlen(cur);
		int last;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		cl = strcspn(p, "/");
		after = p + cl;
		if (cl == 1 && p[0] == '.') {
			memmove(rest, after, strlen(after) + 1);
			continue;
		}
		if (cl == 2 && p[0] == '.' && p[1] == '.') {
			char *s = strrchr(cur, '/');

			if (s)
				*s = '\0';
			else
				cur[0] = '\0';
			memmove(rest, after, strlen(after) + 1);
			continue;
		}
		if (curl + 1 + cl >= sizeof(cand))
			return 0;
		if (curl) {
			memcpy(cand, cur, curl);
			cand[curl] = '/';
			memcpy(cand + curl + 1, p, cl);
			cand[curl + 1 + cl] = '\0';
		} else {
			memcpy(cand, p, cl);
			cand[cl] = '\0';
		}
		if (!(n = lookup(m, cand)))
			return 0;
		last = after[strspn(after, "/")] == '\0';
		if (n->e.type == SC_FT_SYMLINK && n->e.link && (!last || follow_last)) {
			size_t tl = strlen(n->e.link), al = strlen(after);

			if ((rc = keep_node(m, n)) != 0)
				return rc;
			if (++hops > MAX_HOPS || tl + al + 1 >= sizeof(cand))
				return 0;
			memcpy(cand, n->e.link, tl);
			memcpy(cand + tl, after, al + 1);
			if (n->e.link[0] == '/')
				cur[0] = '\0';
			memmove(rest, cand, tl + al + 1);
			continue;
		}
		memmove(cur, cand, strlen(cand) + 1);
		memmove(rest, after, strlen(after) + 1);
	}
	n = cur[0] ? lookup(m, cur) : (sc_fsnode *)sc_fsview_root(m->v);
	if (!n)
		return 0;
	if ((rc = keep_node(m, n)) != 0)
		return rc;
	if (out)
		*out = n;
	return 0;
}

typedef int (*skip_fn)(const sc_fsnode *top, const sc_fsnode *n);

/* Keep top and everything below it (but subtrees skip() says no to). */
static int keep_tree(mz *m, sc_fsnode *top, skip_fn skip)
{
	sc_fsnode *n;
	int rc, descend = 1;

	if ((rc = keep_node(m, top)) != 0)
		return rc;
	for (n = sc_fsview_next(top, top, 1); n; n = sc_fsview_next(top, n, descend)) {
		descend = 0;
		if (skip && skip(top, n))
			continue;
		if ((rc = n->e.type == SC_FT_SYMLINK ? keep_path(m, n->e.path, 1, NULL) : keep_node(m, n)) != 0)
			return rc;
		descend = n->e.type == SC_FT_DIR;
	}
	return 0;
}

static const char *env_get(const char *const *env, const char *name)
{
	size_t nl = strlen(name), i;

	for (i = 0; env && env[i]; i++)
		if (strncmp(env[i], name, nl) == 0 && env[i][nl] == '=')
			return env[i] + nl + 1;
	return NULL;
}

int sc_minimize_which(const sc_fsview *v, const char *prog, const char *const *env, const char *cwd, char *out,
		      size_t outsz)
{
	const char *path = env_get(env, "PATH");
	const sc_fsnode *n;
	char cand[SC_PATH_MAX];
	int rc;

	if (!prog || !*prog)
		return SC_ENOTFOUND;
	if (strchr(prog, '/')) {
		if (sc_path_join(cand, sizeof(cand), prog[0] == '/' ? "" : (cwd ? cwd : ""), prog, NULL) != 0)
			return SC_ENOTFOUND;
		rc = sc_fsview_resolve(v, cand, 1, &n, NULL, 0);
		sc_error_clear();
		if (rc || !n || (n->e.type != SC_FT_REG && n->e.type != SC_FT_HARDLINK))
			return SC_ENOTFOUND;
		snprintf(out, outsz, "%s", cand);
		return 0;
	}
	if (!path)
		path = default_path;
	while (*path) {
		size_t dl = strcspn(path, ":");
		char dir[SC_PATH_MAX];

		if (dl < sizeof(dir)) {
			memcpy(dir, path, dl);
			dir[dl] = '\0';
			if (sc_path_join(cand, sizeof(cand), dl ? dir : ".", prog, NULL) == 0 && cand[0]) {
				rc = sc_fsview_resolve(v, cand, 1, &n, NULL, 0);
				sc_error_clear();
				if (rc == 0 && n && (n->e.type == SC_FT_REG || n->e.type == SC_FT_HARDLINK) &&
				    (n->e.mode & 0111)) {
					snprintf(out, outsz, "%s", cand);
					return 0;
				}
			}
		}
		path += dl;
		if (*path == ':')
			path++;
	}
	return SC_ENOTFOUND;
}

static int note(mz *m, const char *fmt, const char *arg)
{
	char buf[SC_PATH_MAX + 200];

	snprintf(buf, sizeof(buf), fmt, arg);
	return sc_strv_pushn(&m->r->notes, buf, strlen(buf));
}

static int basename_match(const char *const *pats, const char *path)
{
	const char *b = strrchr(path, '/');
	size_t i;

	b = b ? b + 1 : path;
	for (i = 0; pats[i]; i++)
		if (sc_path_match(pats[i], b))
			return 1;
	return 0;
}

/* ---- Python ------------------------------------------------------------------- */

static int is_python(const char *path)
{
	const char *b = strrchr(path, '/');

	b = b ? b + 1 : path;
	return strncmp(b, "python", 6) == 0 && (b[6] == '\0' || isdigit((unsigned char)b[6]));
}

static int stdlib_skip(const sc_fsnode *top, const sc_fsnode *n)
{
	static const char *const skip[] = { "site-packages", "dist-packages", "test", "idlelib", "ensurepip",
					    "turtledemo", NULL };
	size_t i;

	if (n->parent != top)
		return 0;
	for (i = 0; skip[i]; i++)
		if (strcmp(n->name, skip[i]) == 0)
			return 1;
	return 0;
}

static int add_site(mz *m, const char *dir)
{
	char clean[SC_PATH_MAX];
	size_t i;

	if (sc_path_clean(clean, sizeof(clean), dir, NULL) != 0 || m->sites.n >= MAX_SITE_DIRS)
		return 0;
	for (i = 0; i < m->sites.n; i++)
		if (strcmp(m->sites.v[i], clean) == 0)
			return 0;
	return sc_strv_pushn(&m->sites, clean, strlen(clean));
}

static int site_walk(const sc_fsnode *n, void *ud)
{
	mz *m = ud;

	if (n->e.type == SC_FT_DIR && (strcmp(n->name, "site-packages") == 0 || strcmp(n->name, "dist-packages") == 0))
		return add_site(m, n->e.path);
	return 0;
}

/* Test suites inside packages: tests/ and test/ directories, test_*.py files and test_* programs. */
static int is_test_path(const char *name, int is_dir)
{
	if (is_dir)
		return strcmp(name, "tests") == 0 || strcmp(name, "test") == 0;
	return strncmp(name, "test_", 5) == 0;
}

static int pkg_skip(const sc_fsnode *top, const sc_fsnode *n)
{
	(void)top;
	return is_test_path(n->name, n->e.type == SC_FT_DIR);
}

static int record_skip(const char *path)
{
	const char *p = path, *slash;

	while ((slash = strchr(p, '/')) != NULL) {
		size_t l = (size_t)(slash - p);

		if ((l == 5 && memcmp(p, "tests", 5) == 0) || (l == 4 && memcmp(p, "test", 4) == 0))
			return 1;
		p = slash + 1;
	}
	return is_test_path(p, 0);
}

static size_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return (size_t)h;
}

/* 1 when name is new (added), 0 when seen, SC_ENOMEM. */
static int mods_add(mz *m, const char *name)
{
	size_t h, i;

	if ((m->nmods + 1) * 2 > m->capmods) {
		size_t nc = m->capmods ? m->capmods * 2 : 256;
		char **nt = sc_calloc(nc, sizeof(*nt));

		if (!nt)
			return SC_ENOMEM;
		for (i = 0; i < m->capmods; i++)
			if (m->mods[i]) {
				for (h = str_hash(m->mods[i]) & (nc - 1); nt[h]; h = (h + 1) & (nc - 1))
					;
				nt[h] = m->mods[i];
			}
		free(m->mods);
		m->mods = nt;
		m->capmods = nc;
	}
	for (h = str_hash(name) & (m->capmods - 1); m->mods[h]; h = (h + 1) & (m->capmods - 1))
		if (strcmp(m->mods[h], name) == 0)
			return 0;
	if (!(m->mods[h] = sc_strdup(name)))
		return SC_ENOMEM;
	m->nmods++;
	return 1;
}

/* Look up a top-level module in the site directories and keep it whole (but its test suites). */
static int py_module(mz *m, const char *name)
{
	size_t i, nl = strlen(name);
	int rc, found = 0;

	if ((rc = mods_add(m, name)) <= 0)
		return rc; /* seen before, or out of memory */
	for (i = 0; i < m->sites.n; i++) {
		char cand[SC_PATH_MAX];
		sc_fsnode *d = m->sites.v[i][0] ? lookup(m, m->sites.v[i]) : (sc_fsnode *)sc_fsview_root(m->v);
		sc_fsnode *n, *c;

		if (!d || d->e.type != SC_FT_DIR)
			continue;
		if (snprintf(cand, sizeof(cand), "%s%s%s", m->sites.v[i], m->sites.v[i][0] ? "/" : "", name) >=
		    (int)sizeof(cand))
			continue;
		if ((n = lookup(m, cand)) != NULL && n->e.type == SC_FT_DIR) {
			if ((rc = keep_tree(m, n, pkg_skip)) != 0)
				return rc;
			found = 1;
		}
		for (c = d->first_child; c; c = c->next_sibling) {
			size_t cl = strlen(c->name);

			if (strncmp(c->name, name, nl) != 0 || c->name[nl] != '.')
				continue;
			if (strcmp(c->name + nl, ".py") == 0 || (cl > 3 && strcmp(c->name + cl - 3, ".so") == 0)) {
				if ((rc = keep_path(m, c->e.path, 1, NULL)) != 0)
					return rc;
				found = 1;
			}
		}
	}
	if (found)
		m->r->modules++;
	return 0;
}

static int py_names_of(mz *m, char **names)
{
	size_t i;
	int rc;

	for (i = 0; names && names[i]; i++)
		if ((rc = py_module(m, names[i])) != 0)
			return rc;
	return 0;
}

static int py_code(mz *m, const char *code)
{
	sc_strv names = { 0 };
	int rc = sc_minimize_py_imports(code, strlen(code), &names);

	if (rc == 0)
		rc = py_names_of(m, names.v);
	sc_strv_release(&names);
	return rc;
}

/* The interpreter's standard library: PREFIX/lib/pythonX.Y for PREFIX/bin/pythonX[.Y]. */
static int py_stdlib(mz *m, const char *interp)
{
	char prefix[SC_PATH_MAX], cand[SC_PATH_MAX];
	const char *b = strrchr(interp, '/');
	const char *slash;
	sc_fsnode *lib, *c;
	size_t pl;
	int rc;

	if (!b)
		return 0;
	pl = (size_t)(b - interp);
	memcpy(prefix, interp, pl);
	prefix[pl] = '\0';
	slash = strrchr(prefix, '/');
	pl = slash ? (size_t)(slash - prefix) : 0; /* strip "bin" */
	prefix[pl] = '\0';
	if (pl + 5 > sizeof(cand))
		return 0;
	snprintf(cand, sizeof(cand), "%.*s%slib", (int)pl, prefix, pl ? "/" : "");
	if (!(lib = lookup(m, cand)) || lib->e.type != SC_FT_DIR)
		return note(m, "python: no %s directory for the standard library", cand);
	for (c = lib->first_child; c; c = c->next_sibling) {
		/* python3.11 for python3.11; every python3.* when the name has no minor version */
		if (strncmp(c->name, "python", 6) != 0 || c->e.type != SC_FT_DIR)
			continue;
		if (strcmp(c->name, b + 1) != 0 && !(strncmp(c->name, b + 1, strlen(b + 1)) == 0 &&
						       c->name[strlen(b + 1)] == '.'))
			continue;
		if ((rc = keep_tree(m, c, stdlib_skip)) != 0)
			return rc;
	}
	return 0;
}

static int py_command(mz *m, const char *const *argv, const char *interp)
{
	const char *cwd = m->o->workdir && m->o->workdir[0] ? m->o->workdir : "/";
	char script[SC_PATH_MAX];
	size_t i;
	int rc;

	if (!m->py) {
		const char *pp = env_get(m->o->env, "PYTHONPATH");

		m->py = 1;
		m->r->python = 1;
		if ((rc = py_stdlib(m, interp)) != 0 || (rc = sc_fsview_walk(m->v, site_walk, m)) != 0)
			return rc;
		while (pp && *pp) {
			size_t dl = strcspn(pp, ":");
			char dir[SC_PATH_MAX];

			if (dl && dl < sizeof(dir)) {
				memcpy(dir, pp, dl);
				dir[dl] = '\0';
				if ((rc = add_site(m, dir)) != 0)
					return rc;
			}
			pp += dl;
			if (*pp == ':')
				pp++;
		}
	}
	for (i = 1; argv[i]; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-c") == 0 && argv[i + 1]) {
			/* sys.path[0] is the working directory */
			if ((rc = add_site(m, cwd)) != 0 || (rc = py_code(m, argv[i + 1])) != 0)
				return rc;
			return 0;
		}
		if (strcmp(a, "-m") == 0 && argv[i + 1]) {
			if ((rc = add_site(m, cwd)) != 0)
				return rc;
			{
				char imp[PY_NAME_MAX + 8];

				snprintf(imp, sizeof(imp), "import %.*s", PY_NAME_MAX - 1, argv[i + 1]);
				return py_code(m, imp);
			}
		}
		if ((strcmp(a, "-W") == 0 || strcmp(a, "-X") == 0) && argv[i + 1]) {
			i++;
			continue;
		}
		if (a[0] == '-')
			continue;
		/* the script: its directory is sys.path[0] */
		if (sc_path_join(script, sizeof(script), a[0] == '/' ? "" : cwd, a, NULL) == 0) {
			char *s = strrchr(script, '/');
			sc_fsnode *n = NULL;

			if ((rc = keep_path(m, script, 1, &n)) != 0)
				return rc;
			if (!n)
				return note(m, "python: script %s is not in the image", a);
			if (s) {
				*s = '\0';
				rc = add_site(m, script);
			} else {
				rc = add_site(m, "");
			}
			return rc;
		}
		return 0;
	}
	return 0;
}

static int ends_with(const char *s, size_t len, const char *suffix)
{
	size_t sl = strlen(suffix);

	return len > sl && memcmp(s + len - sl, suffix, sl) == 0;
}

/* The module NAME (len bytes) of site directory `site` is kept: SITE/NAME or SITE/NAME.py. */
static int module_kept(mz *m, const char *site, const char *name, size_t len)
{
	char p[SC_PATH_MAX];
	const sc_fsnode *n;

	if (snprintf(p, sizeof(p), "%s/%.*s", site, (int)len, name) >= (int)sizeof(p) - 3)
		return 0;
	if (!(n = sc_fsview_lookup(m->v, p))) {
		strcat(p, ".py");
		n = sc_fsview_lookup(m->v, p);
	}
	return n && n->mark;
}

/* Metadata of kept distributions: *.dist-info / *.egg-info named after a kept module or listing one. */
static int py_metadata(mz *m)
{
	size_t i, k;
	int rc;

	for (i = 0; i < m->sites.n; i++) {
		sc_fsnode *d = lookup(m, m->sites.v[i]), *c;

		if (!d || d->e.type != SC_FT_DIR)
			continue;
		for (c = d->first_child; c; c = c->next_sibling) {
			size_t cl = strlen(c->name), dl;
			char dist[PY_NAME_MAX];
			int keep = 0;

			if (c->mark || !(ends_with(c->name, cl, ".dist-info") || ends_with(c->name, cl, ".egg-info")))
				continue;
			dl = strcspn(c->name, "-");
			if (dl >= sizeof(dist))
				continue;
			for (k = 0; k < dl; k++)
				dist[k] = c->name[k] == '.' ? '_' : (char)tolower((unsigned char)c->name[k]);
			dist[dl] = '\0';
			keep = module_kept(m, m->sites.v[i], dist, dl);
			if (!keep && c->e.type == SC_FT_DIR) {
				char p[SC_PATH_MAX];
				const sc_fsnode *tl;
				const sc_capture *cap;

				snprintf(p, sizeof(p), "%s/top_level.txt", c->e.path);
				if ((tl = sc_fsview_lookup(m->v, p)) && (cap = sc_fsnode_capture(tl, &toplevel_interest))) {
					const char *s = (const char *)cap->data, *end = s + cap->len;

					while (s < end && !keep) {
						const char *nl = memchr(s, '\n', (size_t)(end - s));
						size_t ll = nl ? (size_t)(nl - s) : (size_t)(end - s);
						if (ll && ll < PY_NAME_MAX)
							keep = module_kept(m, m->sites.v[i], s, ll);
						s += ll + 1;
					}
				}
			}
			if (keep && (rc = c->e.type == SC_FT_DIR ? keep_tree(m, c, NULL) : keep_node(m, c)) != 0)
				return rc;
		}
	}
	return 0;
}

/*
 * A program that is a script: keep its "#!" interpreter (and env's
 * target); interp_out gets the interpreter's path ("" when not a script).
 */
static int keep_interp(mz *m, const sc_fsnode *n, char *interp_out, size_t outsz)
{
	const sc_capture *c = sc_fsnode_capture(n, &sc_minimize_interest_shebang);
	char line[SHEBANG_MAX + 1], *s, *interp, *arg;
	size_t l;
	int rc;

	interp_out[0] = '\0';
	if (!c || c->len <= 2)
		return 0;
	l = c->len < SHEBANG_MAX ? c->len : SHEBANG_MAX;
	memcpy(line, c->data, l);
	line[l] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	s = line + 2;
	while (*s == ' ' || *s == '\t')
		s++;
	interp = s;
	s += strcspn(s, " \t");
	if (*s)
		*s++ = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	arg = s;
	arg[strcspn(arg, " \t")] = '\0';
	if (!*interp)
		return 0;
	if ((rc = keep_path(m, interp, 1, NULL)) != 0)
		return rc;
	snprintf(interp_out, outsz, "%s", interp);
	if (*arg && strcmp(strrchr(interp, '/') ? strrchr(interp, '/') + 1 : interp, "env") == 0) {
		char found[SC_PATH_MAX];

		if (sc_minimize_which(m->v, arg, m->o->env, NULL, found, sizeof(found)) == 0) {
			if ((rc = keep_path(m, found, 1, NULL)) != 0)
				return rc;
			snprintf(interp_out, outsz, "%s", found);
		}
	}
	return 0;
}

/* ---- the work loop ----------------------------------------------------------------- */

static int process(mz *m, sc_fsnode *n)
{
	const char *path = n->e.path;
	const eix *x;
	const sc_capture *c;
	size_t i;
	int rc;

	if (!m->gpu_seen && basename_match(gpu_triggers, path))
		m->gpu_seen = 1;
	if ((x = eix_find(m->elves, m->cat->n_elves, path)) != NULL) {
		const sc_elf_info *e = &m->cat->elves[x->i];
		const sc_ldso_object *ob = x->i < m->ld->n_objects ? &m->ld->objects[x->i] : NULL;

		if (e->interp && (rc = keep_path(m, e->interp, 1, NULL)) != 0)
			return rc;
		for (i = 0; ob && i < ob->n_deps; i++) {
			const sc_ldso_dep *d = &ob->deps[i];

			if (d->status == SC_LDSO_DRIVER)
				m->gpu_seen = 1;
			if ((d->status == SC_LDSO_FOUND || d->status == SC_LDSO_LIBC) &&
			    (rc = keep_path(m, d->candidate ? d->candidate : d->path, 1, NULL)) != 0)
				return rc;
		}
	}
	if (m->py && (c = sc_fsnode_capture(n, &sc_minimize_interest_py)) != NULL && c->result &&
	    (rc = py_names_of(m, ((const py_names *)c->result)->v)) != 0)
		return rc;
	if ((x = eix_find(m->files, m->nfiles, path)) != NULL && !m->pkg_kept[x->i]) {
		const sc_package *p = &m->cat->pkgs[x->i];

		m->pkg_kept[x->i] = 1;
		for (i = 0; p->files && p->files[i]; i++)
			if (!record_skip(p->files[i]) && (rc = keep_path(m, p->files[i], 0, NULL)) != 0)
				return rc;
	}
	return 0;
}

static int drain(mz *m)
{
	int rc;

	while (m->nw)
		if ((rc = process(m, m->work[--m->nw])) != 0)
			return rc;
	return 0;
}

typedef struct pat_walk {
	mz *m;
	const char *const *pats;
	int base;  /* match the base name only */
	int rc;
} pat_walk;

static int pat_cb(const sc_fsnode *cn, void *ud)
{
	pat_walk *w = ud;
	sc_fsnode *n = (sc_fsnode *)cn;
	size_t i;

	if (!n->e.path[0] || n->mark)
		return 0;
	const char *b = strrchr(n->e.path, '/');

	b = w->base ? (b ? b + 1 : n->e.path) : n->e.path;
	for (i = 0; w->pats[i]; i++) {
		int hit = sc_path_match(w->pats[i], b);

		if (!hit)
			continue;
		if (n->e.type == SC_FT_SYMLINK)
			w->rc = keep_path(w->m, n->e.path, 1, NULL);
		else if (n->e.type == SC_FT_DIR)
			w->rc = keep_tree(w->m, n, NULL);
		else
			w->rc = keep_node(w->m, n);
		return w->rc ? -1 : 0;
	}
	return 0;
}

static int keep_patterns(mz *m, const char *const *pats, int base)
{
	pat_walk w = { m, pats, base, 0 };
	int rc;

	if (!pats || !pats[0])
		return 0;
	rc = sc_fsview_walk(m->v, pat_cb, &w);
	return w.rc ? w.rc : rc;
}

static int clear_cb(const sc_fsnode *n, void *ud)
{
	(void)ud;
	((sc_fsnode *)n)->mark = 0;
	return 0;
}

static int count_cb(const sc_fsnode *n, void *ud)
{
	sc_minimize_result *r = ud;

	if (!n->e.path[0] || n->e.type == SC_FT_DIR)
		return 0;
	if (n->mark) {
		r->kept_files++;
		r->kept_bytes += n->e.type == SC_FT_REG ? n->e.size : 0;
	} else {
		r->removed_files++;
		r->removed_bytes += n->e.type == SC_FT_REG ? n->e.size : 0;
	}
	return 0;
}

static int build_indexes(mz *m)
{
	size_t i, k, n = 0;

	m->elves = sc_calloc(m->cat->n_elves ? m->cat->n_elves : 1, sizeof(*m->elves));
	m->pkg_kept = sc_calloc(m->cat->n_pkgs ? m->cat->n_pkgs : 1, 1);
	if (!m->elves || !m->pkg_kept)
		return SC_ENOMEM;
	for (i = 0; i < m->cat->n_elves; i++) {
		m->elves[i].path = m->cat->elves[i].path;
		m->elves[i].i = i;
	}
	qsort(m->elves, m->cat->n_elves, sizeof(*m->elves), eix_cmp);
	/* pip distributions: RECORD lists everything they installed */
	for (i = 0; i < m->cat->n_pkgs; i++)
		if (m->cat->pkgs[i].eco == SC_ECO_PYPI && !m->cat->pkgs[i].os_managed)
			for (k = 0; m->cat->pkgs[i].files && m->cat->pkgs[i].files[k]; k++)
				n++;
	m->files = sc_calloc(n ? n : 1, sizeof(*m->files));
	if (!m->files)
		return SC_ENOMEM;
	for (i = 0; i < m->cat->n_pkgs; i++)
		if (m->cat->pkgs[i].eco == SC_ECO_PYPI && !m->cat->pkgs[i].os_managed)
			for (k = 0; m->cat->pkgs[i].files && m->cat->pkgs[i].files[k]; k++) {
				m->files[m->nfiles].path = m->cat->pkgs[i].files[k];
				m->files[m->nfiles++].i = i;
			}
	qsort(m->files, m->nfiles, sizeof(*m->files), eix_cmp);
	return 0;
}

static int keep_command(mz *m, const char *const *argv)
{
	const char *cwd = m->o->workdir && m->o->workdir[0] ? m->o->workdir : "/";
	char prog[SC_PATH_MAX], res[SC_PATH_MAX], interp[SC_PATH_MAX];
	const sc_fsnode *rn;
	sc_fsnode *n;
	size_t i;
	int rc;

	if (!argv || !argv[0])
		return 0;
	if (sc_minimize_which(m->v, argv[0], m->o->env, cwd, prog, sizeof(prog)) != 0)
		return sc_error_set(SC_EUSAGE, "the program '%.200s' of the workload is not in the image (PATH %.200s)",
				    argv[0], env_get(m->o->env, "PATH") ? env_get(m->o->env, "PATH") : default_path);
	if ((rc = keep_path(m, prog, 1, &n)) != 0 || (n && (rc = keep_interp(m, n, interp, sizeof(interp))) != 0))
		return rc;
	/* arguments that name files or directories of the image */
	for (i = 1; argv[i]; i++) {
		char p[SC_PATH_MAX];
		const sc_fsnode *an;

		if (argv[i][0] == '-' || strlen(argv[i]) >= SC_PATH_MAX - 1 ||
		    sc_path_join(p, sizeof(p), argv[i][0] == '/' ? "" : cwd, argv[i], NULL) != 0 || !p[0])
			continue;
		if (!(an = sc_fsview_lookup(m->v, p)) && !strchr(argv[i], '/'))
			continue;
		if ((rc = keep_path(m, p, 1, &n)) != 0)
			return rc;
		if (n && n->e.type == SC_FT_DIR && (rc = keep_tree(m, n, NULL)) != 0)
			return rc;
	}
	if (interp[0] && is_python(interp)) {
		/* a Python script run through its "#!": python3 SCRIPT ARGS... */
		const char *pargv[SC_MINIMIZE_MAX_ARGS + 2];
		char ires[SC_PATH_MAX];

		pargv[0] = interp;
		pargv[1] = prog;
		for (i = 1; argv[i] && i < SC_MINIMIZE_MAX_ARGS; i++)
			pargv[i + 1] = argv[i];
		pargv[i + 1] = NULL;
		rc = sc_fsview_resolve(m->v, interp, 1, &rn, ires, sizeof(ires));
		sc_error_clear();
		return py_command(m, pargv, rc == 0 && is_python(ires) ? ires : interp);
	}
	rc = sc_fsview_resolve(m->v, prog, 1, &rn, res, sizeof(res));
	sc_error_clear();
	if (rc == 0 && (is_python(prog) || is_python(res)))
		return py_command(m, argv, is_python(res) ? res : prog);
	return 0;
}

int sc_minimize(sc_minimize_result *out, sc_fsview *v, const sc_catalog *cat, const sc_ldso_result *ld,
		const sc_minimize_opts *o)
{
	sc_minimize_result r;
	mz m;
	size_t i;
	int rc;

	memset(&r, 0, sizeof(r));
	memset(&m, 0, sizeof(m));
	r.notes.max = 100;
	m.v = v;
	m.cat = cat;
	m.ld = ld;
	m.o = o;
	m.r = &r;
	if ((rc = sc_fsview_walk(v, clear_cb, NULL)) != 0 || (rc = build_indexes(&m)) != 0)
		goto out;
	((sc_fsnode *)sc_fsview_root(v))->mark = 1;
	for (i = 0; o->argvs && o->argvs[i]; i++)
		if ((rc = keep_command(&m, o->argvs[i])) != 0)
			goto out;
	if ((rc = keep_patterns(&m, essentials, 0)) != 0)
		goto out;
	for (i = 0; mount_dirs[i]; i++) {
		sc_fsnode *n = lookup(&m, mount_dirs[i]);

		if (n && n->e.type == SC_FT_DIR && (rc = keep_node(&m, n)) != 0)
			goto out;
	}
	if (o->workdir && (rc = keep_path(&m, o->workdir, 1, NULL)) != 0)
		goto out;
	for (i = 0; o->dirs && o->dirs[i]; i++) {
		sc_fsnode *n = NULL;

		if ((rc = keep_path(&m, o->dirs[i], 1, &n)) != 0 ||
		    (n && n->e.type == SC_FT_DIR && (rc = keep_tree(&m, n, NULL)) != 0))
			goto out;
	}
	for (i = 0; o->observed && o->observed[i]; i++)
		if ((rc = keep_path(&m, o->observed[i], 1, NULL)) != 0)
			goto out;
	for (i = 0; o->keep && o->keep[i]; i++) {
		const char *k = o->keep[i];
		sc_fsnode *n = NULL;

		while (*k == '/')
			k++;
		if (strpbrk(k, "*?[")) {
			const char *one[] = { k, NULL };

			rc = keep_patterns(&m, one, 0);
		} else if ((rc = keep_path(&m, k, 1, &n)) == 0 && n && n->e.type == SC_FT_DIR) {
			rc = keep_tree(&m, n, NULL);
		} else if (rc == 0 && !n) {
			rc = note(&m, "--keep %s: not in the image", o->keep[i]);
		}
		if (rc)
			goto out;
	}
	if ((rc = drain(&m)) != 0)
		goto out;
	if (m.py && ((rc = py_metadata(&m)) != 0 || (rc = drain(&m)) != 0))
		goto out;
	if (m.gpu_seen) {
		r.gpu = 1;
		if ((rc = keep_patterns(&m, sc_minimize_gpu_patterns, 1)) != 0 || (rc = drain(&m)) != 0)
			goto out;
	}
	if ((rc = sc_fsview_walk(v, count_cb, &r)) != 0)
		goto out;
	*out = r;
	memset(&r, 0, sizeof(r));
out:
	free(m.work);
	free(m.elves);
	free(m.files);
	free(m.pkg_kept);
	sc_strv_release(&m.sites);
	for (i = 0; i < m.capmods; i++)
		free(m.mods[i]);
	free(m.mods);
	sc_minimize_result_release(&r);
	return rc;
}

void sc_minimize_result_release(sc_minimize_result *r)
{
	if (!r)
		return;
	sc_strv_release(&r->notes);
	memset(r, 0, sizeof(*r));
}
