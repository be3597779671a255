/*
 * harden.c - plan a hardened image from the audit's findings and write it
 * as one layer on top of the source's layers (harden.h).
 *
 * OCI layer semantics for the appended layer (image-spec layer.md): a
 * whiteout removes a path and everything below it; a directory entry over
 * an existing directory keeps its children and takes the new metadata; a
 * file entry replaces the lower file.
 */
#include "harden/harden.h"

#include "audit/audit.h"
#include "catalog/catalog.h"
#include "catalog/dpkg.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/mask.h"
#include "core/path.h"
#include "core/strv.h"
#include "image/copy.h"
#include "image/dest.h"
#include "image/image.h"
#include "image/scan.h"
#include "image/tarwriter.h"
#include "image/writer.h"
#include "registry/client.h"
#include "image/rootfs.h"
#include "image/squash.h"
#include "harden/minimize.h"
#include "harden/runc.h"
#include "report/util.h"
#include "sbom/sbom.h"
#include "sign/predicate.h"
#include "vuln/db.h"
#include "vuln/match.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CAPTURE_MAX (64u << 20) /* bytes of one file re-added with a new mode */
#define CAPTURE_TOTAL (512ull << 20) /* bytes of all of them together; past it files keep their mode */

/* Bytes reserved by mode_begin across the worker threads of one pass (reset per run). */
static uint64_t capture_used;
#define ACCOUNT_MAX (1u << 20)
#define MAX_INTERESTS 160
#define MAX_DIRS 96

/* --- what the pass captures for the rewrite ----------------------------------- */

static const char *const acct_globs[] = { "etc/passwd", "etc/group", NULL };
static const sc_interest acct_interest = { .name = "harden accounts", .globs = acct_globs,
					   .capture_max = ACCOUNT_MAX };
static const char *const dpkg_globs[] = { "var/lib/dpkg/status", NULL };
static const sc_interest dpkg_interest = { .name = "harden dpkg status", .globs = dpkg_globs,
					   .capture_max = SC_DPKG_STATUS_MAX };

typedef struct fbuf {
	unsigned char *data;
	size_t len, cap;
} fbuf;

/* Regular files whose mode the hardener changes: setuid/setgid or world-writable. */
static void *mode_begin(void *ud, const sc_entry *e)
{
	fbuf *b;

	(void)ud;
	if (e->type != SC_FT_REG || !(e->mode & 06002) || e->size > CAPTURE_MAX)
		return NULL;
	if (__atomic_add_fetch(&capture_used, e->size, __ATOMIC_RELAXED) > CAPTURE_TOTAL)
		return NULL; /* the after-audit still reports the file */
	if (!(b = calloc(1, sizeof(*b))))
		return NULL;
	b->cap = e->size ? (size_t)e->size : 1;
	if (!(b->data = malloc(b->cap))) {
		free(b);
		return NULL;
	}
	return b;
}

static int mode_data(void *st, const void *buf, size_t len)
{
	fbuf *b = st;

	if (len > b->cap - b->len)
		return 0; /* grew past its header size: the result is dropped at the end */
	memcpy(b->data + b->len, buf, len);
	b->len += len;
	return 0;
}

static void fbuf_free(fbuf *b)
{
	if (b) {
		free(b->data);
		free(b);
	}
}

static void *mode_end(void *st, int failed)
{
	if (failed) {
		fbuf_free(st);
		return NULL;
	}
	return st;
}

static void mode_free(void *ud, void *r)
{
	(void)ud;
	fbuf_free(r);
}

static const sc_interest mode_interest = { .name = "harden modes", .stream_begin = mode_begin,
					   .stream_data = mode_data, .stream_end = mode_end,
					   .result_free = mode_free };

/* --- the plan: entries of the new layer ----------------------------------------- */

typedef struct item {
	char *path;
	sc_entry e;
	const unsigned char *data; /* regular files: e.size bytes (borrowed or owned) */
	unsigned char *owned;
} item;

typedef struct plan {
	item *v;
	size_t n, cap;
	size_t *tab;  /* open addressing over v: index + 1, 0 = empty; dropped once v is sorted */
	size_t tcap;  /* power of two */
} plan;

static size_t path_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return (size_t)h;
}

static item *plan_find(plan *p, const char *path)
{
	size_t mask, h;

	if (!p->tcap)
		return NULL;
	mask = p->tcap - 1;
	for (h = path_hash(path) & mask; p->tab[h]; h = (h + 1) & mask)
		if (strcmp(p->v[p->tab[h] - 1].path, path) == 0)
			return &p->v[p->tab[h] - 1];
	return NULL;
}

static int plan_rehash(plan *p, size_t ncap)
{
	size_t *nt = sc_calloc(ncap, sizeof(*nt)), i;

	if (!nt)
		return SC_ENOMEM;
	free(p->tab);
	p->tab = nt;
	p->tcap = ncap;
	for (i = 0; i < p->n; i++) {
		size_t h = path_hash(p->v[i].path) & (ncap - 1);

		while (nt[h])
			h = (h + 1) & (ncap - 1);
		nt[h] = i + 1;
	}
	return 0;
}

/* Add (or return the existing) item for path. */
static int plan_add(plan *p, const char *path, item **out)
{
	item *it = plan_find(p, path);
	int rc;

	if (!it) {
		size_t h;

		if (p->n == p->cap) {
			size_t nc = p->cap ? p->cap * 2 : 64;
			item *nv = sc_reallocarray(p->v, nc, sizeof(*nv));

			if (!nv)
				return SC_ENOMEM;
			p->v = nv;
			p->cap = nc;
		}
		if ((p->n + 1) * 2 > p->tcap && (rc = plan_rehash(p, p->tcap ? p->tcap * 2 : 1024)) != 0)
			return rc;
		it = &p->v[p->n];
		memset(it, 0, sizeof(*it));
		if (!(it->path = sc_strdup(path)))
			return SC_ENOMEM;
		for (h = path_hash(path) & (p->tcap - 1); p->tab[h]; h = (h + 1) & (p->tcap - 1))
			;
		p->tab[h] = ++p->n;
		it->e.path = it->path;
	}
	*out = it;
	return 0;
}

static void plan_release(plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].path);
		free(p->v[i].owned);
	}
	free(p->v);
	free(p->tab);
	memset(p, 0, sizeof(*p));
}

static int item_cmp(const void *a, const void *b)
{
	return strcmp(((const item *)a)->path, ((const item *)b)->path);
}

/* A directory at path owned by uid:gid with mode (created or re-owned). */
/* An ancestor of path is removed by a whiteout in the plan. */
static int under_whiteout(plan *p, const char *path)
{
	char buf[SC_PATH_MAX];
	size_t i;
	const item *it;

	for (i = 0; path[i] && i < sizeof(buf); i++) {
		if (path[i] != '/')
			continue;
		memcpy(buf, path, i);
		buf[i] = '\0';
		if ((it = plan_find(p, buf)) != NULL && it->e.type == SC_FT_WHITEOUT)
			return 1;
	}
	return 0;
}

static int plan_dir(plan *p, const sc_fsview *v, const char *upath, uint32_t mode, uint32_t uid, uint32_t gid)
{
	char path[SC_PATH_MAX];
	const sc_fsnode *n;
	unsigned fl = 0;
	item *it;
	int rc;

	/* Env and --writable paths may carry "//", "./" or a trailing '/': the tar wants them clean. */
	if ((rc = sc_path_clean(path, sizeof(path), upath, &fl)) != 0)
		return rc;
	if (!path[0] || (fl & SC_PATH_ESCAPES) || under_whiteout(p, path))
		return 0;
	n = sc_fsview_lookup(v, path);
	if (n && n->e.type != SC_FT_DIR)
		return 0; /* not a directory: leave it */
	if ((rc = plan_add(p, path, &it)) != 0)
		return rc;
	it->e.type = SC_FT_DIR;
	it->e.mode = n ? (n->e.mode & 07777) | (mode & 0700) : mode;
	if (mode & 01000)
		it->e.mode = mode;
	it->e.uid = uid;
	it->e.gid = gid;
	it->e.mtime = n ? n->e.mtime : 0;
	return 0;
}

/* --- users ---------------------------------------------------------------------- */

typedef struct acct_line {
	char name[64];
	long uid;
} acct_line;

/* uid of name in passwd text, or -1; *taken_by gets the name holding uid (or ""). */
static long passwd_lookup(const char *text, size_t len, const char *name, long uid, char *taken_by, size_t tb)
{
	const char *p = text, *end = text + len, *nl;
	long found = -1;

	taken_by[0] = '\0';
	for (; p && p < end; p = nl ? nl + 1 : NULL) {
		const char *c1, *c2, *c3;
		char num[16];
		size_t nlen;
		long u;

		nl = memchr(p, '\n', (size_t)(end - p));
		c1 = memchr(p, ':', (size_t)((nl ? nl : end) - p));
		if (!c1)
			continue;
		c2 = memchr(c1 + 1, ':', (size_t)((nl ? nl : end) - c1 - 1));
		if (!c2)
			continue;
		c3 = memchr(c2 + 1, ':', (size_t)((nl ? nl : end) - c2 - 1));
		if (!c3 || (size_t)(c3 - c2 - 1) >= sizeof(num))
			continue;
		memcpy(num, c2 + 1, (size_t)(c3 - c2 - 1));
		num[c3 - c2 - 1] = '\0';
		u = strtol(num, NULL, 10);
		nlen = (size_t)(c1 - p);
		if (nlen == strlen(name) && memcmp(p, name, nlen) == 0)
			found = u;
		else if (u == uid && !taken_by[0])
			snprintf(taken_by, tb, "%.*s", (int)(nlen < 63 ? nlen : 63), p);
	}
	return found;
}

/* A line of group text (NUL-terminated) names the group `name`. */
static int group_exists(const char *text, const char *name)
{
	size_t nl = strlen(name);
	const char *p;

	for (p = text; p; p = (p = strchr(p, '\n')) ? p + 1 : NULL)
		if (strncmp(p, name, nl) == 0 && p[nl] == ':')
			return 1;
	return 0;
}

static const sc_capture *acct_capture(const sc_fsview *v, const char *path, int *not_regular)
{
	const sc_fsnode *n = sc_fsview_lookup(v, path);

	*not_regular = 0;
	if (!n)
		return NULL;
	if (n->e.type != SC_FT_REG && n->e.type != SC_FT_HARDLINK) {
		*not_regular = 1;
		return NULL;
	}
	return sc_fsnode_capture(n, &acct_interest);
}

/* Re-add an account file (its captured text, or `fallback` when absent) with `line` appended. */
static int plan_append_line(plan *p, const char *path, const sc_capture *c, const char *fallback, const char *line)
{
	sc_buf b;
	item *it;
	int rc;

	sc_buf_init(&b, ACCOUNT_MAX + 4096, path);
	rc = c && c->len ? sc_buf_append(&b, c->data, c->len) : sc_buf_puts(&b, fallback);
	if (rc == 0 && b.len && b.data[b.len - 1] != '\n')
		rc = sc_buf_putc(&b, '\n');
	if (rc == 0 && (rc = sc_buf_puts(&b, line)) == 0 && (rc = plan_add(p, path, &it)) == 0) {
		it->e.type = SC_FT_REG;
		it->e.mode = 0644;
		it->e.size = b.len;
		it->owned = (unsigned char *)sc_buf_detach(&b, NULL);
		it->data = it->owned;
	}
	sc_buf_release(&b);
	return rc;
}

static int plan_user(plan *p, const sc_fsview *v, const char *name, long uid, char **user_out)
{
	const sc_capture *pw, *gr;
	char taken[64], line[256];
	int bad, rc;
	long have;

	pw = acct_capture(v, "etc/passwd", &bad);
	if (bad)
		return sc_error_set(SC_EINPUT, "etc/passwd is not a regular file (a symlink or device): cannot add a user");
	if (pw && pw->truncated)
		return sc_error_set(SC_ELIMIT, "etc/passwd is larger than %u bytes", ACCOUNT_MAX);
	have = pw ? passwd_lookup((const char *)pw->data, pw->len, name, uid, taken, sizeof(taken)) : -1;
	if (have >= 0 && have != uid)
		return sc_error_set(SC_EUSAGE, "user '%s' already exists with uid %ld, not %ld: pick another --user", name,
				    have, uid);
	if (have < 0 && taken[0])
		return sc_error_set(SC_EUSAGE, "uid %ld is already taken by '%s' in etc/passwd: pick another --user NAME:UID",
				    uid, taken);
	if (have < 0) {
		snprintf(line, sizeof(line), "%s:x:%ld:%ld:%s:/home/%s:/sbin/nologin\n", name, uid, uid, name, name);
		if ((rc = plan_append_line(p, "etc/passwd", pw, "root:x:0:0:root:/root:/sbin/nologin\n", line)) != 0)
			return rc;
	}
	gr = acct_capture(v, "etc/group", &bad);
	if (!bad && !(gr && gr->truncated) && !(gr && gr->data && group_exists((const char *)gr->data, name))) {
		snprintf(line, sizeof(line), "%s:x:%ld:\n", name, uid);
		if ((rc = plan_append_line(p, "etc/group", gr, "root:x:0:\n", line)) != 0)
			return rc;
	}
	if ((rc = plan_dir(p, v, "home", 0755, 0, 0)) != 0)
		return rc;
	snprintf(line, sizeof(line), "home/%s", name);
	if ((rc = plan_dir(p, v, line, 0700, (uint32_t)uid, (uint32_t)uid)) != 0)
		return rc;
	snprintf(line, sizeof(line), "%ld:%ld", uid, uid);
	return (*user_out = sc_strdup(line)) ? 0 : SC_ENOMEM;
}

/* --- removals ------------------------------------------------------------------- */

static int entry_shell(const sc_image *img)
{
	static const char *const shells[] = { "sh", "bash", "dash", "ash", "zsh", "ksh", "busybox", NULL };
	const char *argv0 = img->config.entrypoint && img->config.entrypoint[0] ? img->config.entrypoint[0]
			    : img->config.cmd && img->config.cmd[0]		   ? img->config.cmd[0]
										   : NULL;
	const char *base;
	size_t i;

	if (!argv0)
		return 0;
	base = strrchr(argv0, '/');
	base = base ? base + 1 : argv0;
	for (i = 0; shells[i]; i++)
		if (strcmp(base, shells[i]) == 0)
			return 1;
	return 0;
}

static int removable(const sc_harden_opts *o, const char *id)
{
	if (strcmp(id, "SC-2001") == 0)
		return !o->keep_shell;
	if (strcmp(id, "SC-2002") == 0)
		return !o->keep_package_managers;
	if (strcmp(id, "SC-2003") == 0 || strcmp(id, "SC-2004") == 0)
		return !o->keep_tools;
	if (strcmp(id, "SC-5001") == 0 || strcmp(id, "SC-5002") == 0)
		return o->strip_models;
	return strcmp(id, "SC-2005") == 0 || strcmp(id, "SC-2006") == 0;
}

/* --- modes ---------------------------------------------------------------------- */

typedef struct mwalk {
	plan *p;
	size_t fixed, skipped;
} mwalk;

static int mode_cb(const sc_fsnode *n, void *ud)
{
	mwalk *w = ud;
	const sc_capture *c;
	const fbuf *b;
	uint32_t mode;
	item *it;
	int rc;

	const sc_fsnode *t = n;

	if (!n->e.path || !*n->e.path || plan_find(w->p, n->e.path) || under_whiteout(w->p, n->e.path))
		return 0;
	/* A hard link shares its target's inode: it keeps the setuid bit unless re-added too. */
	if (n->e.type == SC_FT_HARDLINK && n->link_target)
		t = n->link_target;
	if (n->e.type == SC_FT_DIR && (n->e.mode & 0002) && !(n->e.mode & 01000)) {
		if ((rc = plan_add(w->p, n->e.path, &it)) != 0)
			return rc;
		it->e = n->e;
		it->e.path = it->path;
		it->e.captures = NULL;
		it->e.mode = (n->e.mode & 07777) & ~0002u;
		w->fixed++;
		return 0;
	}
	if (t->e.type != SC_FT_REG || !(t->e.mode & 06002))
		return 0;
	c = sc_fsnode_capture(n, &mode_interest);
	b = c ? c->result : NULL;
	if (!b || b->len != t->e.size) {
		w->skipped++;
		return 0;
	}
	mode = (t->e.mode & 07777) & ~06002u;
	if ((rc = plan_add(w->p, n->e.path, &it)) != 0)
		return rc;
	it->e = t->e;
	it->e.path = it->path;
	it->e.link = NULL;
	it->e.captures = NULL;
	it->e.mode = mode;
	it->data = b->data;
	w->fixed++;
	return 0;
}

/* --- before/after facts ------------------------------------------------------------- */

static int count_vulns(sc_vulndb *db, const sc_catalog *cat, size_t out[SC_LEVEL_CRITICAL + 1])
{
	sc_findings fs;
	size_t i;
	int rc;

	sc_findings_init(&fs);
	memset(out, 0, sizeof(size_t) * (SC_LEVEL_CRITICAL + 1));
	if ((rc = sc_vuln_match(&fs, db, cat, NULL, NULL)) == 0)
		for (i = 0; i < fs.n; i++)
			if (fs.items[i].level <= SC_LEVEL_CRITICAL)
				out[fs.items[i].level]++;
	sc_findings_release(&fs);
	return rc;
}

/* The hardened image's CycloneDX SBOM, written atomically (temp + rename). */
static int write_sbom(const char *path, const sc_image *img, const sc_catalog *cat)
{
	sc_sbom_ctx ctx;
	json_t *doc = NULL;
	char *tmp = NULL;
	FILE *f = NULL;
	int rc;

	if ((rc = sc_sbom_ctx_init(&ctx, img, cat, "harden")) != 0)
		return rc;
	if ((rc = sc_sbom_cyclonedx(&doc, &ctx)) != 0)
		goto out;
	if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0) {
		tmp = NULL;
		rc = sc_error_set(SC_ENOMEM, "out of memory");
		goto out;
	}
	{
		int fd = mkstemp(tmp);

		if (fd >= 0 && fchmod(fd, 0644) != 0) {
			rc = sc_error_set_errno(SC_EIO, errno, "--sbom %s", path);
			close(fd);
			goto out;
		}
		if (fd < 0 || !(f = fdopen(fd, "w"))) {
			rc = sc_error_set_errno(SC_EIO, errno, "--sbom %s", path);
			if (fd >= 0)
				close(fd);
			goto out;
		}
	}
	if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) != 0 ||
	    fputc('\n', f) == EOF || fflush(f) != 0 || fsync(fileno(f)) != 0) {
		rc = sc_error_set_errno(SC_EIO, errno, "writing --sbom %s", path);
		goto out;
	}
	if (fclose(f) != 0) {
		f = NULL;
		rc = sc_error_set_errno(SC_EIO, errno, "writing --sbom %s", path);
		goto out;
	}
	f = NULL;
	if (rename(tmp, path) != 0) {
		rc = sc_error_set_errno(SC_EIO, errno, "--sbom %s", path);
		goto out;
	}
	free(tmp);
	tmp = NULL;
out:
	if (f)
		fclose(f);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	json_decref(doc);
	sc_sbom_ctx_release(&ctx);
	return rc;
}

/* --- running -------------------------------------------------------------------- */

/* Env variables naming directories the workload writes to (model caches). */
static const char *const cache_vars[] = { "HOME", "HF_HOME", "HUGGINGFACE_HUB_CACHE", "HF_HUB_CACHE",
					  "TRANSFORMERS_CACHE", "HF_DATASETS_CACHE", "TORCH_HOME",
					  "SENTENCE_TRANSFORMERS_HOME", "XDG_CACHE_HOME", NULL };

static int is_cache_var(const char *name)
{
	size_t i;

	for (i = 0; cache_vars[i]; i++)
		if (strcmp(name, cache_vars[i]) == 0)
			return 1;
	return 0;
}

typedef struct hctx {
	const sc_harden_opts *o;
	sc_harden_report r;
	sc_image *img, *res;
	sc_catalog cat, cat2;
	sc_scan scan;
	int have_scan;
	sc_findings before;
	plan p;
	const sc_interest *ins[MAX_INTERESTS];
	size_t n_ins;
	sc_strv removed, dropped, env;
	char **env_v;
	char name[64];
	long uid;
	char scratch[SC_PATH_MAX]; /* our temporary directory ("" = none yet) */
	char src_local[SC_PATH_MAX + 32]; /* oci: copy of a docker:// SRC ("" = none) */
	char dst_local[SC_PATH_MAX + 32]; /* oci: staging of a docker:// DST ("" = none) */
	char htar[SC_PATH_MAX + 32];
	const char *entry[130];    /* the workload: Entrypoint + Cmd (or --entrypoint) */
	char **observed;
} hctx;

/* Every interest of the pass: catalogers', the audit's, the rewrite's, the closure's. */
static int collect_interests(hctx *h)
{
	size_t i;
	int rc;

	h->n_ins = 0;
	if ((rc = sc_audit_interests(h->ins, &h->n_ins, MAX_INTERESTS - 8)) != 0)
		return rc;
	h->ins[h->n_ins++] = &acct_interest;
	h->ins[h->n_ins++] = &mode_interest;
	h->ins[h->n_ins++] = &dpkg_interest;
	if (h->o->minimize)
		for (i = 0; sc_minimize_interests[i]; i++)
			h->ins[h->n_ins++] = sc_minimize_interests[i];
	return 0;
}

static int audit_view(sc_image *img, sc_catalog *cat, const sc_fsview *view, sc_findings *fs, int *score)
{
	sc_audit_ctx ctx;
	int rc;

	ctx.img = img;
	ctx.cat = cat;
	ctx.view = view;
	if ((rc = sc_audit_run(fs, &ctx)) != 0)
		return rc;
	*score = sc_audit_score(fs);
	return 0;
}

static void side_count(sc_harden_side *s, const sc_image *img, const sc_findings *fs)
{
	size_t i;

	s->size = 0;
	s->layers = img->manifest.n_layers;
	for (i = 0; i < img->manifest.n_layers; i++)
		s->size += img->manifest.layers[i].size;
	s->shells = s->package_managers = 0;
	for (i = 0; i < fs->n; i++) {
		if (strcmp(fs->items[i].id, "SC-2001") == 0)
			s->shells++;
		else if (strcmp(fs->items[i].id, "SC-2002") == 0)
			s->package_managers++;
	}
}

static int files_cb(const sc_fsnode *n, void *ud)
{
	sc_harden_side *s = ud;

	if (n->e.path[0] && n->e.type != SC_FT_DIR) {
		s->files++;
		if (n->e.type == SC_FT_REG)
			s->bytes += n->e.size;
	}
	return 0;
}

static int view_count(sc_harden_side *s, const sc_fsview *v)
{
	s->files = 0;
	s->bytes = 0;
	return sc_fsview_walk(v, files_cb, s);
}

/* Whiteouts for every node --minimize did not mark: the top of each unmarked subtree. */
static int plan_minimize(hctx *h, sc_minimize_result *mr)
{
	sc_ldso_result ld;
	sc_minimize_opts mo;
	const char *const *argvs[3] = { NULL, NULL, NULL };
	const char *dirs[MAX_DIRS + 8];
	size_t nd = 0, na = 0, i;
	const sc_fsnode *top = sc_fsview_root(h->scan.view), *n;
	int rc;

	memset(&mo, 0, sizeof(mo));
	if (h->entry[0])
		argvs[na++] = h->entry;
	if (h->o->test_cmd)
		argvs[na++] = h->o->test_cmd;
	mo.argvs = argvs;
	mo.env = (const char *const *)h->img->config.env;
	mo.workdir = h->img->config.working_dir;
	mo.keep = h->o->keep;
	mo.observed = (const char *const *)h->observed;
	for (i = 0; h->o->writable && h->o->writable[i] && nd < MAX_DIRS; i++)
		dirs[nd++] = h->o->writable[i];
	for (i = 0; h->img->config.env && h->img->config.env[i] && nd < MAX_DIRS; i++) {
		const char *kv = h->img->config.env[i], *eq = strchr(kv, '=');
		char nm[128];
		const sc_fsnode *fn = NULL;

		if (!eq || eq[1] != '/' || strchr(eq, ':') || (size_t)(eq - kv) >= sizeof(nm))
			continue;
		memcpy(nm, kv, (size_t)(eq - kv));
		nm[eq - kv] = '\0';
		/*
		 * Model and cache directories (HF_HOME, TORCH_HOME, MODEL_DIR...) are kept
		 * with their contents; any other variable only when it names a file
		 * (MODEL_PATH=/app/model.safetensors): CUDA_HOME must not keep the toolkit.
		 */
		if (is_cache_var(nm) || strstr(nm, "MODEL") || strstr(nm, "WEIGHTS") || strstr(nm, "CHECKPOINT") ||
		    (sc_fsview_resolve(h->scan.view, eq + 1, 1, &fn, NULL, 0) == 0 && fn &&
		     (fn->e.type == SC_FT_REG || fn->e.type == SC_FT_HARDLINK)))
			dirs[nd++] = eq + 1;
		sc_error_clear();
	}
	dirs[nd] = NULL;
	mo.dirs = dirs;
	if ((rc = sc_ldso_resolve_all(&ld, h->scan.view, h->cat.elves, h->cat.n_elves,
				      (const char *const *)h->img->config.env)) != 0)
		return rc;
	rc = sc_minimize(mr, h->scan.view, &h->cat, &ld, &mo);
	sc_ldso_result_release(&ld);
	if (rc)
		return rc;
	/* pre-order; an unmarked node is whited out with its subtree */
	for (n = sc_fsview_next(top, top, 1); n; n = sc_fsview_next(top, n, n->mark)) {
		item *it;

		if (n->mark)
			continue;
		if ((rc = plan_add(&h->p, n->e.path, &it)) != 0)
			return rc;
		it->e.type = SC_FT_WHITEOUT;
		h->r.removed++;
		if ((rc = sc_strv_pushn(&h->removed, n->e.path, strlen(n->e.path))) != 0)
			return rc;
	}
	return 0;
}

/* The tar of the plan (sorted), to the writer or to a file. */
static int emit_plan(sc_tarwriter *t, plan *p)
{
	size_t i;
	int rc;

	if (p->tab) {
		qsort(p->v, p->n, sizeof(*p->v), item_cmp);
		free(p->tab);
		p->tab = NULL;
		p->tcap = 0;
	}
	for (i = 0; i < p->n; i++) {
		item *it = &p->v[i];

		it->e.path = it->path;
		if (it->e.type == SC_FT_REG)
			rc = sc_tarwriter_add_data(t, &it->e, it->data);
		else
			rc = sc_tarwriter_add(t, &it->e, NULL);
		if (rc)
			return rc;
	}
	return 0;
}

static const char *const layer_comment = "scute harden: remove attack surface, non-root user, safe modes";

static int write_layer(sc_image_writer *w, plan *p)
{
	sc_tarwriter *t = NULL;
	int rc;

	if ((rc = sc_image_writer_layer_begin(w, &t)) != 0 || (rc = emit_plan(t, p)) != 0)
		return rc;
	return sc_image_writer_layer_end(w, layer_comment, NULL, NULL);
}

static int fd_sink(void *ud, const void *data, size_t len)
{
	int fd = *(int *)ud;
	const char *c = data;

	while (len) {
		ssize_t k = write(fd, c, len);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return sc_error_set_errno(SC_EIO, errno, "writing the hardening layer");
		c += k;
		len -= (size_t)k;
	}
	return 0;
}

/*
 * The hardening layer as an uncompressed tar in the scratch directory, read
 * back onto the first pass's view: what the result holds, with captures
 * for the catalogers and the audit, without reading the source again.
 */
static int apply_plan(hctx *h, int64_t epoch)
{
	const sc_interest *all[MAX_INTERESTS * 2];
	size_t n;
	sc_tarwriter *t = NULL;
	sc_stream *st = NULL;
	sc_layer l;
	sc_layer_opts lo;
	int fd, rc;

	snprintf(h->htar, sizeof(h->htar), "%s/harden.tar", h->scratch);
	if ((fd = open(h->htar, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		return sc_error_set_errno(SC_EIO, errno, "%s", h->htar);
	if ((rc = sc_tarwriter_new(&t, fd_sink, &fd, epoch)) != 0 || (rc = emit_plan(t, &h->p)) != 0 ||
	    (rc = sc_tarwriter_finish(t)) != 0) {
		sc_tarwriter_free(t);
		close(fd);
		return rc;
	}
	sc_tarwriter_free(t);
	if ((rc = sc_stream_fd_new(&st, fd, 1, 0, UINT64_MAX)) != 0) {
		close(fd);
		return rc;
	}
	/* the pass's interests: the hardener's, the audit's and every cataloger's */
	memcpy(all, h->ins, h->n_ins * sizeof(*all));
	n = h->n_ins;
	if ((rc = sc_catalog_interests(all, &n, sizeof(all) / sizeof(all[0]))) != 0) {
		sc_stream_close(st);
		return rc;
	}
	memset(&lo, 0, sizeof(lo));
	lo.index = h->img->manifest.n_layers;
	lo.name = "the hardening layer";
	lo.hint = SC_COMP_NONE;
	lo.interests = all;
	lo.n_interests = n;
	lo.allow_devices = 1;
	if ((rc = sc_layer_read(&l, st, &lo)) != 0)
		return rc;
	rc = sc_fsview_apply(h->scan.view, &l, "the hardening layer");
	sc_layer_release(&l);
	return rc;
}

/* --- --test-cmd ------------------------------------------------------------------ */

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) != 0 && errno != ENOENT ? -1 : 0;
}

/* Remove a tree we created (no symlinks followed, no other filesystem entered). */
static int rm_tree(const char *dir)
{
	if (nftw(dir, rm_cb, 64, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0 && errno != ENOENT)
		return sc_error_set_errno(SC_EIO, errno, "removing %s", dir);
	return 0;
}

/* A decimal id in [s, e) up to ':' (nothing else), at most UINT32_MAX. */
static int parse_id(const char *s, const char *e, uint32_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	while (p < e && *p != ':') {
		if (*p < '0' || *p > '9' || (v = v * 10 + (uint64_t)(*p - '0')) > UINT32_MAX)
			return 0;
		p++;
	}
	if (p == s)
		return 0;
	*out = (uint32_t)v;
	return 1;
}

/*
 * The third and fourth fields of the line "NAME:x:F3:F4..." of an account
 * file's capture (passwd: uid, gid; group: gid).  1 when found.
 */
static int acct_ids(const sc_capture *c, const char *name, uint32_t *f3, uint32_t *f4)
{
	const char *p, *end, *nl;
	size_t nlen = strlen(name);

	if (!c || !c->data)
		return 0;
	for (p = (const char *)c->data, end = p + c->len; p < end; p = nl ? nl + 1 : end) {
		const char *le, *f[4];
		size_t k = 1;

		nl = memchr(p, '\n', (size_t)(end - p));
		le = nl ? nl : end;
		if ((size_t)(le - p) <= nlen || memcmp(p, name, nlen) != 0 || p[nlen] != ':')
			continue;
		f[0] = p;
		while (k < 4 && (f[k] = memchr(f[k - 1], ':', (size_t)(le - f[k - 1]))) != NULL)
			f[k] = f[k] + 1, k++;
		if (k < 3 || !parse_id(f[2], le, f3))
			continue;
		if (f4 && (k < 4 || !parse_id(f[3], le, f4)))
			continue;
		return 1;
	}
	return 0;
}

/* uid:gid of a config User ("", "name", "uid", "name:group", "uid:gid") in the source's accounts. */
static int resolve_user(const sc_fsview *v, const char *spec, uint32_t *uid, uint32_t *gid)
{
	char user[128], grp[128] = "";
	const char *colon;
	int bad;

	*uid = *gid = 0;
	if (!spec || !*spec)
		return 0;
	colon = strchr(spec, ':');
	snprintf(user, sizeof(user), "%.*s", (int)(colon ? (size_t)(colon - spec) : strlen(spec)), spec);
	if (colon)
		snprintf(grp, sizeof(grp), "%s", colon + 1);
	if (user[0] >= '0' && user[0] <= '9') {
		if (!parse_id(user, user + strlen(user), uid))
			return sc_error_set(SC_EINPUT, "the image's User '%.100s' is not valid", spec);
	} else if (!acct_ids(acct_capture(v, "etc/passwd", &bad), user, uid, gid)) {
		return sc_error_set(SC_EINPUT, "the image's User '%.100s' is not in etc/passwd", spec);
	}
	if (grp[0] >= '0' && grp[0] <= '9') {
		if (!parse_id(grp, grp + strlen(grp), gid))
			return sc_error_set(SC_EINPUT, "the image's User '%.100s' is not valid", spec);
	} else if (grp[0] && !acct_ids(acct_capture(v, "etc/group", &bad), grp, gid, NULL)) {
		return sc_error_set(SC_EINPUT, "the image's User group '%.100s' is not in etc/group", grp);
	}
	return 0;
}

static int take_output(sc_harden_run_out *o, const sc_run_result *rr)
{
	o->ran = 1;
	o->exited = rr->exited;
	o->status = rr->status;
	o->signaled = rr->signaled;
	o->signo = rr->signo;
	o->timed_out = rr->timed_out;
	o->out = sc_malloc(rr->out.len + 1);
	o->err = sc_malloc(rr->err.len + 1);
	if (!o->out || !o->err)
		return SC_ENOMEM;
	memcpy(o->out, rr->out.data ? (const char *)rr->out.data : "", rr->out.len);
	o->out[rr->out.len] = '\0';
	o->out_len = rr->out.len;
	o->out_total = rr->out_total;
	memcpy(o->err, rr->err.data ? (const char *)rr->err.data : "", rr->err.len);
	o->err[rr->err.len] = '\0';
	o->err_len = rr->err.len;
	return 0;
}

/*
 * Extract `view` (the source's layers, plus the hardening layer when htar)
 * into SCRATCH/NAME/rootfs and run the test command there.
 */
static int test_run(hctx *h, const char *name, const char *htar, const char *const *env, uint32_t uid, uint32_t gid,
		    int probe, sc_harden_run_out *out, char ***opened)
{
	char bundle[SC_PATH_MAX + 64], rootfs[SC_PATH_MAX + 80];
	sc_run_spec spec;
	sc_run_result rr;
	int rc, mounted = 0;

	memset(&rr, 0, sizeof(rr));
	snprintf(bundle, sizeof(bundle), "%s/%s", h->scratch, name);
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", bundle);
	if (mkdir(bundle, 0700) != 0 || mkdir(rootfs, 0755) != 0)
		return sc_error_set_errno(SC_EIO, errno, "%s", rootfs);
	if (probe) {
		/* its own filesystem, so fanotify sees only the container's opens */
		uint64_t size = h->r.before.bytes + h->r.before.bytes / 4 + (256ull << 20);

		if ((rc = sc_run_tmpfs_mount(rootfs, size)) != 0)
			goto out;
		mounted = 1;
	}
	if ((rc = sc_rootfs_extract(h->img, htar, h->scan.view, rootfs, h->o->jobs)) != 0)
		goto out;
	memset(&spec, 0, sizeof(spec));
	spec.bundle = bundle;
	spec.argv = h->o->test_cmd;
	spec.env = env;
	spec.cwd = h->img->config.working_dir && h->img->config.working_dir[0] ? h->img->config.working_dir : "/";
	spec.uid = uid;
	spec.gid = gid;
	spec.timeout_s = h->o->test_timeout;
	spec.probe = probe;
	if ((rc = sc_run(&spec, &rr)) != 0) {
		sc_error_prefix(rc, "--test-cmd in %s", name);
		goto out;
	}
	if ((rc = take_output(out, &rr)) != 0)
		goto out;
	if (opened) {
		h->r.probed = rr.opened.n;
		*opened = sc_strv_finish(&rr.opened, 0);
	}
out:
	sc_run_result_release(&rr);
	if (mounted)
		sc_run_tmpfs_umount(rootfs);
	if (rm_tree(bundle) != 0 && rc == 0)
		rc = SC_EIO;
	return rc;
}

static int same_run(const sc_harden_run_out *a, const sc_harden_run_out *b)
{
	return a->exited && b->exited && !a->timed_out && !b->timed_out && a->status == b->status &&
	       a->out_total == b->out_total && a->out_len == b->out_len && memcmp(a->out, b->out, a->out_len) == 0;
}

static void run_out_release(sc_harden_run_out *o)
{
	free(o->out);
	free(o->err);
	memset(o, 0, sizeof(*o));
}

static int scratch_dir(hctx *h)
{
	const char *base = h->o->scratch ? h->o->scratch : getenv("TMPDIR");

	if (!base || !*base)
		base = "/var/tmp";
	if ((size_t)snprintf(h->scratch, sizeof(h->scratch), "%s/scute-harden-XXXXXX", base) >= sizeof(h->scratch))
		return sc_error_set(SC_EUSAGE, "scratch directory path too long");
	if (!mkdtemp(h->scratch)) {
		int e = errno;

		h->scratch[0] = '\0';
		return sc_error_set_errno(SC_EIO, e, "creating a scratch directory in %s", base);
	}
	return 0;
}

void sc_harden_report_release(sc_harden_report *r)
{
	if (!r)
		return;
	sc_strv_free(r->removed_paths);
	sc_strv_free(r->dropped_env);
	sc_strv_free(r->notes);
	free(r->user);
	sc_findings_release(&r->findings);
	run_out_release(&r->test_before);
	run_out_release(&r->test_after);
	memset(r, 0, sizeof(*r));
}

static int parse_user(hctx *h)
{
	const char *u = h->o->user;

	snprintf(h->name, sizeof(h->name), "nonroot");
	h->uid = 65532;
	if (u && *u) {
		const char *colon = strchr(u, ':');
		size_t nl = colon ? (size_t)(colon - u) : strlen(u);
		char *e;

		if (nl == 0 || nl >= sizeof(h->name) || strspn(u, "abcdefghijklmnopqrstuvwxyz0123456789_-") != nl)
			return sc_error_set(SC_EUSAGE, "--user wants NAME or NAME:UID (lowercase name), not '%s'", u);
		memcpy(h->name, u, nl);
		h->name[nl] = '\0';
		if (colon) {
			h->uid = strtol(colon + 1, &e, 10);
			if (*e || h->uid <= 0 || h->uid > 2147483647L)
				return sc_error_set(SC_EUSAGE, "--user: '%s' is not a uid above 0", colon + 1);
		}
	}
	return 0;
}

/* The workload's argv (Entrypoint + Cmd, or --entrypoint) and that its program exists. */
static int check_workload(hctx *h)
{
	const sc_config *c = &h->img->config;
	char found[SC_PATH_MAX];
	size_t n = 0, i;

	if (h->o->entrypoint) {
		for (i = 0; h->o->entrypoint[i] && n < 128; i++)
			h->entry[n++] = h->o->entrypoint[i];
	} else {
		for (i = 0; c->entrypoint && c->entrypoint[i] && n < 128; i++)
			h->entry[n++] = c->entrypoint[i];
		for (i = 0; c->cmd && c->cmd[i] && n < 128; i++)
			h->entry[n++] = c->cmd[i];
	}
	h->entry[n] = NULL;
	if (n && sc_minimize_which(h->scan.view, h->entry[0], (const char *const *)c->env, c->working_dir, found, sizeof(found)) != 0)
		return sc_error_set(SC_EUSAGE, "the entrypoint '%.200s' is not in the image: rewrite it with --entrypoint",
				    h->entry[0]);
	if (h->o->test_cmd && h->o->test_cmd[0] &&
	    sc_minimize_which(h->scan.view, h->o->test_cmd[0], (const char *const *)c->env, c->working_dir, found, sizeof(found)) != 0)
		return sc_error_set(SC_EUSAGE, "--test-cmd: '%.200s' is not in the image", h->o->test_cmd[0]);
	if (!h->o->keep_shell && !h->o->entrypoint && entry_shell(h->img))
		return sc_error_set(SC_EUSAGE, "the image's entrypoint/cmd runs a shell (%s): pass --keep-shell, or rewrite "
					       "the entrypoint to exec the program directly",
				    h->entry[0]);
	return 0;
}

static int plan_rewrite(hctx *h)
{
	const sc_config *c = &h->img->config;
	const sc_fsview *v = h->scan.view;
	size_t i, k;
	int rc;

	/* 1. attack surface, from the audit's own findings */
	for (i = 0; i < h->before.n; i++) {
		const sc_finding *f = &h->before.items[i];
		item *it;

		if (!f->path || !removable(h->o, f->id) || !sc_fsview_lookup(v, f->path))
			continue;
		if (h->entry[0] && h->entry[0][0] == '/' && strcmp(h->entry[0] + 1, f->path) == 0)
			continue; /* the program the workload runs */
		if (plan_find(&h->p, f->path) || under_whiteout(&h->p, f->path))
			continue;
		if ((rc = plan_add(&h->p, f->path, &it)) != 0)
			return rc;
		it->e.type = SC_FT_WHITEOUT;
		h->r.removed++;
		if ((rc = sc_strv_pushn(&h->removed, f->path, strlen(f->path))) != 0)
			return rc;
	}
	/* 2. least privilege */
	if ((rc = plan_user(&h->p, v, h->name, h->uid, &h->r.user)) != 0)
		return rc;
	if (sc_fsview_lookup(v, "tmp") && (rc = plan_dir(&h->p, v, "tmp", 01777, 0, 0)) != 0)
		return rc;
	if (c->working_dir && c->working_dir[0] == '/' && c->working_dir[1] && sc_fsview_lookup(v, c->working_dir + 1) &&
	    (rc = plan_dir(&h->p, v, c->working_dir + 1, 0755, (uint32_t)h->uid, (uint32_t)h->uid)) != 0)
		return rc;
	for (i = 0; c->env && c->env[i]; i++) {
		const char *kv = c->env[i], *eq = strchr(kv, '=');

		for (k = 0; eq && eq[1] == '/' && eq[2] && cache_vars[k]; k++)
			if ((size_t)(eq - kv) == strlen(cache_vars[k]) && strncmp(kv, cache_vars[k], (size_t)(eq - kv)) == 0 &&
			    strlen(eq + 2) < 1024 && !strstr(eq + 2, "..")) {
				if ((rc = plan_dir(&h->p, v, eq + 2, 0755, (uint32_t)h->uid, (uint32_t)h->uid)) != 0)
					return rc;
				break;
			}
	}
	for (i = 0; h->o->writable && h->o->writable[i]; i++) {
		const char *wp = h->o->writable[i];

		while (*wp == '/')
			wp++;
		if (!*wp || strstr(wp, ".."))
			return sc_error_set(SC_EUSAGE, "--writable wants an absolute path inside the image, not '%s'",
					    h->o->writable[i]);
		if ((rc = plan_dir(&h->p, v, wp, 0755, (uint32_t)h->uid, (uint32_t)h->uid)) != 0)
			return rc;
	}
	{
		mwalk mw = { &h->p, 0, 0 };

		if ((rc = sc_fsview_walk(v, mode_cb, &mw)) != 0)
			return rc;
		h->r.modes_fixed = mw.fixed;
	}
	/* 5. config: Env without secrets */
	for (i = 0; c->env && c->env[i]; i++) {
		const char *kv = c->env[i], *eq = strchr(kv, '=');
		char nm[256];
		size_t nl = eq ? (size_t)(eq - kv) : strlen(kv);

		snprintf(nm, sizeof(nm), "%.*s", (int)(nl < 255 ? nl : 255), kv);
		if (eq && eq[1] && !sc_secret_trivial(eq + 1) && (sc_secret_name(nm) || sc_secret_value(eq + 1))) {
			if ((rc = sc_strv_pushn(&h->dropped, nm, strlen(nm))) != 0)
				return rc;
			continue;
		}
		if ((rc = sc_strv_pushn(&h->env, kv, strlen(kv))) != 0)
			return rc;
	}
	h->env_v = sc_strv_finish(&h->env, 0);
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The result no longer has path: not in the --minimize closure, or under a whiteout of the plan. */
static int gone(hctx *h, const char *path)
{
	const sc_fsnode *n = sc_fsview_lookup(h->scan.view, path);
	const item *it;

	if (!n || (h->o->minimize && !n->mark))
		return 1;
	if ((it = plan_find(&h->p, path)) != NULL && it->e.type == SC_FT_WHITEOUT)
		return 1;
	return under_whiteout(&h->p, path);
}

static int doc_path(const char *p)
{
	static const char *const pre[] = { "usr/share/doc/", "usr/share/man/", "usr/share/info/", "usr/share/locale/",
					   "usr/share/lintian/", NULL };
	size_t i;

	for (i = 0; pre[i]; i++)
		if (strncmp(p, pre[i], strlen(pre[i])) == 0)
			return 1;
	return 0;
}

/* A Debian package has a file left in the result (documentation aside); unknown file lists count as left. */
static int deb_present(hctx *h, const sc_package *p)
{
	size_t i;

	if (!p->files)
		return 1;
	for (i = 0; p->files[i]; i++) {
		const sc_fsnode *n = sc_fsview_lookup(h->scan.view, p->files[i]);

		if (n && n->e.type != SC_FT_DIR && !doc_path(p->files[i]) && !gone(h, p->files[i]))
			return 1;
	}
	return 0;
}

/*
 * With --minimize, var/lib/dpkg/status keeps the paragraphs of the packages
 * that still have files (as distroless's status.d lists what is there), and
 * the file lists of the others go: SBOMs and scanners see what the image
 * holds, not what it once held.  A status file that was not captured whole
 * is left as it is.
 */
static int plan_dpkg_status(hctx *h)
{
	const sc_fsnode *sn = sc_fsview_lookup(h->scan.view, "var/lib/dpkg/status");
	const sc_capture *c = sn && sn->e.type == SC_FT_REG ? sc_fsnode_capture(sn, &dpkg_interest) : NULL;
	sc_strv drop = { 0 };
	sc_buf b;
	const char *p, *end;
	size_t i, k;
	item *it;
	int rc = 0;

	if (!h->o->minimize || !c || c->truncated || gone(h, "var/lib/dpkg/status"))
		return 0;
	for (i = 0; i < h->cat.n_pkgs; i++) {
		const sc_package *pk = &h->cat.pkgs[i];
		char key[512];

		if (pk->eco != SC_ECO_DEB || deb_present(h, pk))
			continue;
		snprintf(key, sizeof(key), "%s %s", pk->name, pk->arch ? pk->arch : "");
		if ((rc = sc_strv_pushn(&drop, key, strlen(key))) != 0)
			goto out;
		for (k = 0; k < 2; k++) { /* its file lists: NAME.list, NAME:ARCH.list */
			char lp[SC_PATH_MAX];

			snprintf(lp, sizeof(lp), k ? "var/lib/dpkg/info/%s:%s.list" : "var/lib/dpkg/info/%s.list", pk->name,
				 pk->arch ? pk->arch : "");
			if (sc_fsview_lookup(h->scan.view, lp) && !gone(h, lp)) {
				if ((rc = plan_add(&h->p, lp, &it)) != 0)
					goto out;
				it->e.type = SC_FT_WHITEOUT;
			}
		}
	}
	if (!drop.n)
		goto out;
	sc_strv_sort_uniq(&drop); /* looked up per paragraph: a hostile status may have many */
	sc_buf_init(&b, SC_DPKG_STATUS_MAX, "var/lib/dpkg/status");
	for (p = (const char *)c->data, end = p + c->len; p < end && rc == 0;) {
		/* a paragraph ends at an empty line */
		const char *q = p, *pe = NULL, *name = NULL, *arch = NULL;
		size_t nl = 0, al = 0;
		char key[512];
		int dropped = 0;

		while (q < end && !pe) {
			const char *le = memchr(q, '\n', (size_t)(end - q));
			size_t ll = le ? (size_t)(le - q) : (size_t)(end - q);

			if (ll > 9 && strncmp(q, "Package: ", 9) == 0)
				name = q + 9, nl = ll - 9;
			else if (ll > 14 && strncmp(q, "Architecture: ", 14) == 0)
				arch = q + 14, al = ll - 14;
			q = le ? le + 1 : end;
			if (ll == 0 || q >= end)
				pe = q;
		}
		if (name && nl + al + 2 < sizeof(key)) {
			const char *kp = key;

			snprintf(key, sizeof(key), "%.*s %.*s", (int)nl, name, (int)al, arch ? arch : "");
			dropped = bsearch(&kp, drop.v, drop.n, sizeof(*drop.v), str_cmp) != NULL;
		}
		if (!dropped)
			rc = sc_buf_append(&b, p, (size_t)(pe - p));
		p = pe;
	}
	if (rc == 0 && (rc = plan_add(&h->p, "var/lib/dpkg/status", &it)) == 0) {
		it->e = sn->e;
		it->e.path = it->path;
		it->e.captures = NULL;
		it->e.size = b.len;
		it->owned = (unsigned char *)sc_buf_detach(&b, NULL);
		it->data = it->owned;
		h->r.packages_dropped = drop.n;
	}
	sc_buf_release(&b);
out:
	sc_strv_release(&drop);
	return rc;
}

/* Removed files and bytes: what the source has that the result does not. */
static void count_removed(hctx *h)
{
	h->r.removed_files = h->r.before.files > h->r.after.files ? h->r.before.files - h->r.after.files : 0;
	h->r.removed_bytes = h->r.before.bytes > h->r.after.bytes ? h->r.before.bytes - h->r.after.bytes : 0;
}

/*
 * Copy image `from` to `to` by digest (image/copy.h); no signatures.
 * mount_from: "HOST/REPO" whose blobs a registry destination may mount, or NULL.
 */
static int copy_by_digest(hctx *h, const char *from, const char *to, const char *mount_from, const char *doing,
			  const char *whom)
{
	sc_imgref ref = { 0 };
	sc_source *src = NULL;
	sc_dest *dst = NULL;
	sc_copy_opts co;
	sc_copy_result cr;
	int rc;

	memset(&co, 0, sizeof(co));
	memset(&cr, 0, sizeof(cr));
	co.jobs = h->o->jobs ? h->o->jobs : 4;
	if ((rc = sc_imgref_parse(&ref, from)) == 0 && (rc = sc_source_open(&src, &ref)) == 0 &&
	    (rc = sc_dest_open(&dst, to, NULL)) == 0)
		rc = sc_copy_image(src, mount_from, dst, &co, &cr);
	if (rc)
		sc_error_prefix(rc, "%s %s", doing, whom);
	sc_copy_result_release(&cr);
	sc_dest_free(dst);
	sc_source_free(src);
	sc_imgref_release(&ref);
	return rc;
}

/*
 * A docker:// SRC is pulled once into an OCI layout in the scratch
 * directory: the pass, the squash and the --test-cmd extraction each read
 * the layers, and a registry should serve them once.  Digests are kept, so
 * the result's base.digest label names the registry's manifest.
 */
static int pull_source(hctx *h, const char **name)
{
	*name = h->o->src;
	if (strncmp(h->o->src, "docker://", 9) != 0)
		return 0;
	snprintf(h->src_local, sizeof(h->src_local), "oci:%s/source:source", h->scratch);
	*name = h->src_local;
	return copy_by_digest(h, h->o->src, h->src_local, NULL, "pulling", h->o->src);
}

/* Name an image opened from a staging layout after the registry reference it stands for. */
static int name_as(sc_image *img, const char *name)
{
	char *n = sc_strdup(name);

	if (!n)
		return SC_ENOMEM;
	free(img->name);
	img->name = n;
	return 0;
}

/*
 * A docker:// DST: the committed staging layout is pushed; the tag is the
 * push's last step.  The source's layers (append mode) are mounted from a
 * docker:// SRC's repository when both are on one registry.
 */
static int push_result(hctx *h)
{
	sc_regref rr;
	char *from = NULL;
	int rc;

	if (strncmp(h->o->src, "docker://", 9) == 0 && sc_regref_parse(&rr, h->o->src + 9) == 0) {
		if (asprintf(&from, "%s/%s", rr.host, rr.repo) < 0)
			from = NULL;
		sc_regref_release(&rr);
	}
	sc_error_clear();
	rc = copy_by_digest(h, h->dst_local, h->o->dst, from, "pushing to", h->o->dst);
	free(from);
	return rc;
}

static int harden(hctx *h)
{
	const sc_harden_opts *o = h->o;
	sc_image_writer *w = NULL;
	sc_image_writer_opts wo;
	sc_image_config_edit edit;
	sc_catalog_opts co;
	sc_kv labels[2];
	char hex[80];
	time_t epoch;
	sc_digest md;
	const char *src_name, *dst_name = o->dst;
	int rc;
	static const char *const empty[] = { NULL };

	if ((o->probe && (!o->minimize || !o->test_cmd)))
		return sc_error_set(SC_EUSAGE, "--probe needs --minimize and --test-cmd");
	if ((rc = parse_user(h)) != 0)
		return rc;
	__atomic_store_n(&capture_used, 0, __ATOMIC_RELAXED);
	if ((rc = scratch_dir(h)) != 0 || (rc = pull_source(h, &src_name)) != 0)
		return rc;
	if ((rc = sc_image_open(&h->img, src_name, NULL)) != 0 || (h->src_local[0] && (rc = name_as(h->img, o->src)) != 0))
		return rc;
	/* the one pass over the source */
	if ((rc = collect_interests(h)) != 0)
		return rc;
	memset(&co, 0, sizeof(co));
	co.scan.interests = h->ins;
	co.scan.n_interests = h->n_ins;
	co.scan.jobs = o->jobs;
	if ((rc = sc_catalog_run(&h->cat, h->img, &co, &h->scan)) != 0)
		return rc;
	h->have_scan = 1;
	if ((rc = audit_view(h->img, &h->cat, h->scan.view, &h->before, &h->r.score_before)) != 0)
		return rc;
	h->r.findings_before = h->before.n;
	h->r.packages_before = h->cat.n_pkgs;
	side_count(&h->r.before, h->img, &h->before);
	if ((rc = view_count(&h->r.before, h->scan.view)) != 0 || (rc = check_workload(h)) != 0)
		return rc;

	/* the command in the source, before anything changes the view */
	if (o->test_cmd) {
		uint32_t uid, gid;

		if ((rc = resolve_user(h->scan.view, h->img->config.user, &uid, &gid)) != 0 ||
		    (rc = test_run(h, "source", NULL, (const char *const *)h->img->config.env, uid, gid, o->probe, &h->r.test_before,
				   o->probe ? &h->observed : NULL)) != 0)
			return rc;
	}
	if (o->minimize) {
		sc_minimize_result mr;

		if ((rc = plan_minimize(h, &mr)) != 0)
			return rc;
		h->r.minimized = 1;
		h->r.python = mr.python;
		h->r.gpu = mr.gpu;
		h->r.modules = mr.modules;
		h->r.notes = sc_strv_finish(&mr.notes, 0);
		sc_minimize_result_release(&mr);
	}
	if ((rc = plan_rewrite(h)) != 0 || (rc = plan_dpkg_status(h)) != 0)
		return rc;

	/* the result's view: the source's with the hardening layer on top */
	epoch = sc_sbom_timestamp(h->img);
	if ((rc = apply_plan(h, epoch > 0 ? (int64_t)epoch : SC_TAR_NO_CLAMP)) != 0)
		return rc;
	if ((rc = view_count(&h->r.after, h->scan.view)) != 0)
		return rc;
	count_removed(h);

	/* write: source layers + hardening layer, or one squashed layer */
	memset(&wo, 0, sizeof(wo));
	wo.replace = o->replace;
	wo.epoch = epoch > 0 ? (int64_t)epoch : SC_TAR_NO_CLAMP;
	if (strncmp(o->dst, "docker://", 9) == 0) {
		snprintf(h->dst_local, sizeof(h->dst_local), "oci:%s/result:hardened", h->scratch);
		dst_name = h->dst_local;
	}
	if ((rc = sc_image_writer_open(&w, dst_name, &wo)) != 0)
		return rc;
	if (o->squash) {
		rc = sc_squash_layer(w, h->img, h->htar, h->scan.view, wo.epoch,
				     "scute harden: squashed, attack surface removed, non-root user, safe modes",
				     o->jobs);
	} else {
		size_t i;

		for (i = 0, rc = 0; i < h->img->manifest.n_layers && rc == 0; i++)
			rc = sc_image_writer_copy_layer(w, h->img, i);
		if (rc == 0)
			rc = write_layer(w, &h->p);
	}
	if (rc)
		goto out;

	/* the proof, before the commit: a failing result is never published */
	if (o->test_cmd) {
		uint32_t uid = (uint32_t)h->uid;

		if ((rc = test_run(h, "hardened", h->htar, (const char *const *)(h->env_v ? h->env_v : (char **)empty),
				   uid, uid, 0, &h->r.test_after, NULL)) != 0)
			goto out;
		if (!same_run(&h->r.test_before, &h->r.test_after)) {
			size_t d = 0;

			while (d < h->r.test_before.out_len && d < h->r.test_after.out_len &&
			       h->r.test_before.out[d] == h->r.test_after.out[d])
				d++;
			rc = sc_error_set(SC_ECHECK,
					  "--test-cmd differs: the source %s %d with %zu bytes of output, the hardened image "
					  "%s %d with %zu bytes, first difference at byte %zu (stderr: %.200s); %s was not "
					  "written",
					  h->r.test_before.exited ? "exited" : "was killed by signal",
					  h->r.test_before.exited ? h->r.test_before.status : h->r.test_before.signo,
					  h->r.test_before.out_len,
					  h->r.test_after.exited ? "exited" : "was killed by signal",
					  h->r.test_after.exited ? h->r.test_after.status : h->r.test_after.signo,
					  h->r.test_after.out_len, d, h->r.test_after.err ? h->r.test_after.err : "", o->dst);
			goto out;
		}
		h->r.tested = 1;
	}

	memset(&edit, 0, sizeof(edit));
	edit.user = h->r.user;
	edit.entrypoint = o->entrypoint;
	if (h->img->config.env)
		edit.env = h->env_v ? (const char *const *)h->env_v : empty;
	labels[0].key = (char *)"org.opencontainers.image.base.name";
	labels[0].value = h->img->name;
	labels[1].key = (char *)"org.opencontainers.image.base.digest";
	labels[1].value = sc_digest_fmt(&h->img->manifest_digest, hex);
	edit.labels = labels;
	edit.n_labels = 2;
	edit.reset_history = o->squash;
	if ((rc = sc_image_writer_commit(w, h->img->config_raw.data, h->img->config_raw.len, &edit, &md)) != 0)
		goto out;
	sc_digest_fmt(&md, h->r.manifest_digest);
	sc_digest_fmt(&h->img->manifest_digest, h->r.source_digest);
	if (h->dst_local[0] && (rc = push_result(h)) != 0)
		goto out;

	/* 6. the result: its config from DST (or its staging layout), its files from the view */
	if ((rc = sc_image_open(&h->res, dst_name, NULL)) != 0 ||
	    (h->dst_local[0] && (rc = name_as(h->res, o->dst)) != 0) || (rc = sc_catalog_collect(&h->cat2, h->scan.view)) != 0 ||
	    (rc = audit_view(h->res, &h->cat2, h->scan.view, &h->r.findings, &h->r.score_after)) != 0)
		goto out;
	h->r.findings_after = h->r.findings.n;
	h->r.packages_after = h->cat2.n_pkgs;
	side_count(&h->r.after, h->res, &h->r.findings);
	if (o->db_path) {
		sc_vulndb *db = NULL;

		if ((rc = sc_vulndb_open(&db, o->db_path, 0)) != 0)
			goto out;
		rc = count_vulns(db, &h->cat, h->r.vulns_before);
		if (rc == 0)
			rc = count_vulns(db, &h->cat2, h->r.vulns_after);
		sc_vulndb_close(db);
		if (rc)
			goto out;
		h->r.have_vulns = 1;
	}
	if (o->sbom_path && (rc = write_sbom(o->sbom_path, h->res, &h->cat2)) != 0)
		goto out;
	if (o->on_result && (rc = o->on_result(o->on_result_arg, h->res, &h->cat2, &h->r.findings)) != 0)
		goto out;
	h->r.removed_paths = sc_strv_finish(&h->removed, 1);
	h->r.dropped_env = sc_strv_finish(&h->dropped, 0);
out:
	sc_image_writer_free(w);
	return rc;
}

int sc_harden_run(sc_harden_report *out, const sc_harden_opts *o)
{
	hctx *h = sc_calloc(1, sizeof(*h));
	int rc;

	if (!h)
		return SC_ENOMEM;
	h->o = o;
	sc_catalog_init(&h->cat);
	sc_catalog_init(&h->cat2);
	sc_findings_init(&h->before);
	sc_findings_init(&h->r.findings);
	h->removed.max = 0; /* the report lists everything removed */
	rc = harden(h);
	if (rc == 0) {
		*out = h->r;
		memset(&h->r, 0, sizeof(h->r));
	}
	if (h->scratch[0] && rm_tree(h->scratch) != 0 && rc == 0)
		rc = SC_EIO;
	sc_strv_free(h->env_v);
	sc_strv_free(h->observed);
	sc_strv_release(&h->env);
	sc_strv_release(&h->removed);
	sc_strv_release(&h->dropped);
	plan_release(&h->p);
	sc_findings_release(&h->before);
	if (h->have_scan)
		sc_scan_release(&h->scan);
	sc_catalog_release(&h->cat);
	sc_catalog_release(&h->cat2);
	sc_image_free(h->img);
	sc_image_free(h->res);
	sc_harden_report_release(&h->r);
	free(h);
	return rc;
}

static json_t *side_json(const sc_harden_side *s, int score, size_t findings, size_t packages)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:i,s:I,s:I,s:I,s:I}", "size", (json_int_t)s->size, "bytes",
			 (json_int_t)s->bytes, "files", (json_int_t)s->files, "layers", (json_int_t)s->layers, "score",
			 score, "findings", (json_int_t)findings, "packages", (json_int_t)packages, "shells",
			 (json_int_t)s->shells, "package_managers", (json_int_t)s->package_managers);
}

static json_t *run_json(const sc_harden_run_out *o)
{
	json_t *j = json_object();

	if (!j)
		return NULL;
	json_object_set_new(j, "exited", json_boolean(o->exited));
	if (o->exited)
		json_object_set_new(j, "status", json_integer(o->status));
	if (o->signaled)
		json_object_set_new(j, "signal", json_integer(o->signo));
	json_object_set_new(j, "timed_out", json_boolean(o->timed_out));
	json_object_set_new(j, "stdout", sc_rp_str(o->out ? o->out : ""));
	json_object_set_new(j, "stderr", sc_rp_str(o->err ? o->err : ""));
	return j;
}

int sc_harden_report_json(json_t **out, const sc_harden_report *r, const sc_harden_opts *o)
{
	json_t *doc = json_object(), *rm = json_array(), *de = json_array(), *notes = json_array();
	size_t i;

	if (!doc || !rm || !de || !notes) {
		json_decref(doc);
		json_decref(rm);
		json_decref(de);
		json_decref(notes);
		return sc_error_set(SC_ENOMEM, "out of memory");
	}
	json_object_set_new(doc, "schema", json_string("scute-harden/1"));
	json_object_set_new(doc, "source", sc_rp_str(o->src));
	json_object_set_new(doc, "destination", sc_rp_str(o->dst));
	json_object_set_new(doc, "digest", json_string(r->manifest_digest));
	json_object_set_new(doc, "user", json_string(r->user ? r->user : ""));
	json_object_set_new(doc, "layering", json_string(o->squash ? "squash" : "append"));
	json_object_set_new(doc, "before", side_json(&r->before, r->score_before, r->findings_before, r->packages_before));
	json_object_set_new(doc, "after", side_json(&r->after, r->score_after, r->findings_after, r->packages_after));
	json_object_set_new(doc, "score", json_pack("{s:i,s:i}", "before", r->score_before, "after", r->score_after));
	json_object_set_new(doc, "findings", json_pack("{s:I,s:I}", "before", (json_int_t)r->findings_before, "after",
						       (json_int_t)r->findings_after));
	json_object_set_new(doc, "modes_fixed", json_integer((json_int_t)r->modes_fixed));
	json_object_set_new(doc, "packages", json_pack("{s:I,s:I}", "before", (json_int_t)r->packages_before, "after",
						       (json_int_t)r->packages_after));
	if (r->have_vulns) {
		json_t *v = json_object();
		int l;

		for (l = SC_LEVEL_UNKNOWN; v && l <= SC_LEVEL_CRITICAL; l++)
			json_object_set_new(v, sc_level_name((sc_level)l),
					    json_pack("{s:I,s:I}", "before", (json_int_t)r->vulns_before[l], "after",
						      (json_int_t)r->vulns_after[l]));
		json_object_set_new(doc, "vulnerabilities", v);
	}
	json_object_set_new(doc, "removed_summary", json_pack("{s:I,s:I,s:I}", "whiteouts", (json_int_t)r->removed,
							      "files", (json_int_t)r->removed_files, "bytes",
							      (json_int_t)r->removed_bytes));
	if (r->minimized) {
		for (i = 0; r->notes && r->notes[i]; i++)
			json_array_append_new(notes, sc_rp_str(r->notes[i]));
		json_object_set_new(doc, "minimize",
				    json_pack("{s:b,s:b,s:I,s:I,s:I,s:o}", "python", r->python, "gpu", r->gpu, "modules",
					      (json_int_t)r->modules, "probed", (json_int_t)r->probed, "packages_dropped",
					      (json_int_t)r->packages_dropped, "notes", notes));
		notes = NULL;
	}
	json_decref(notes);
	if (o->test_cmd) {
		json_t *cmd = json_array();

		for (i = 0; cmd && o->test_cmd[i]; i++)
			json_array_append_new(cmd, sc_rp_str(o->test_cmd[i]));
		json_object_set_new(doc, "test", json_pack("{s:o,s:b,s:o,s:o}", "command", cmd, "identical", r->tested,
							   "source", run_json(&r->test_before), "hardened",
							   run_json(&r->test_after)));
	}
	for (i = 0; r->removed_paths && r->removed_paths[i]; i++)
		json_array_append_new(rm, sc_rp_str(r->removed_paths[i]));
	json_object_set_new(doc, "removed", rm);
	for (i = 0; r->dropped_env && r->dropped_env[i]; i++)
		json_array_append_new(de, sc_rp_str(r->dropped_env[i]));
	json_object_set_new(doc, "dropped_env", de);
	*out = doc;
	return 0;
}

/* --- provenance ------------------------------------------------------------------ */

static json_t *strv_json(const char *const *v)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && v && v[i]; i++)
		json_array_append_new(a, sc_rp_str(v[i]));
	return a;
}

int sc_harden_params_json(json_t **out, const sc_harden_opts *o)
{
	json_t *p = json_object();

	if (!p)
		return sc_error_set(SC_ENOMEM, "out of memory");
	json_object_set_new(p, "source", sc_rp_str(o->src));
	json_object_set_new(p, "destination", sc_rp_str(o->dst));
	json_object_set_new(p, "layering", json_string(o->squash ? "squash" : "append"));
	if (o->user)
		json_object_set_new(p, "user", sc_rp_str(o->user));
	if (o->keep_shell)
		json_object_set_new(p, "keepShell", json_true());
	if (o->keep_package_managers)
		json_object_set_new(p, "keepPackageManagers", json_true());
	if (o->keep_tools)
		json_object_set_new(p, "keepTools", json_true());
	if (o->strip_models)
		json_object_set_new(p, "stripModels", json_true());
	if (o->replace)
		json_object_set_new(p, "replace", json_true());
	if (o->writable && o->writable[0])
		json_object_set_new(p, "writable", strv_json(o->writable));
	if (o->entrypoint)
		json_object_set_new(p, "entrypoint", strv_json(o->entrypoint));
	if (o->minimize)
		json_object_set_new(p, "minimize", json_true());
	if (o->keep && o->keep[0])
		json_object_set_new(p, "keep", strv_json(o->keep));
	if (o->test_cmd) {
		json_object_set_new(p, "testCmd", strv_json(o->test_cmd));
		json_object_set_new(p, "testTimeout", json_integer(o->test_timeout ? o->test_timeout : 300));
	}
	if (o->probe)
		json_object_set_new(p, "probe", json_true());
	*out = p;
	return 0;
}

int sc_harden_provenance(json_t **out, const sc_harden_opts *o, const sc_harden_report *r, time_t started,
			 time_t finished, const char *invocation_id)
{
	sc_slsa_artifact dep;
	sc_slsa_opts so;
	json_t *params = NULL;
	char *uri = NULL;
	int rc;

	if (!r->source_digest[0])
		return sc_error_set(SC_EUSAGE, "provenance: the run has no source digest");
	if (strncmp(o->src, "docker://", 9) == 0) {
		sc_regref rr;
		sc_digest d;
		char *pinned;

		if ((rc = sc_regref_parse(&rr, o->src + 9)) != 0)
			return rc;
		if ((rc = sc_digest_parse(&d, r->source_digest)) != 0) {
			sc_regref_release(&rr);
			return rc;
		}
		pinned = sc_regref_pinned(&rr, &d);
		sc_regref_release(&rr);
		if (!pinned || asprintf(&uri, "docker://%s", pinned) < 0)
			uri = NULL;
		free(pinned);
	} else {
		uri = sc_strdup(o->src);
	}
	if (!uri)
		return sc_error_set(SC_ENOMEM, "out of memory");
	if ((rc = sc_harden_params_json(&params, o)) != 0)
		goto out;
	dep.uri = uri;
	dep.sha256 = r->source_digest;
	dep.name = o->src;
	memset(&so, 0, sizeof(so));
	so.build_type = SC_SLSA_BUILD_TYPE_HARDEN;
	so.external_parameters = params;
	so.deps = &dep;
	so.n_deps = 1;
	so.invocation_id = invocation_id;
	so.started_on = started;
	so.finished_on = finished < started ? started : finished;
	rc = sc_predicate_slsa(out, &so);
out:
	json_decref(params);
	free(uri);
	return rc;
}
