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
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/mask.h"
#include "core/path.h"
#include "core/strv.h"
#include "image/image.h"
#include "image/scan.h"
#include "image/tarwriter.h"
#include "image/writer.h"
#include "report/util.h"
#include "sbom/sbom.h"
#include "vuln/db.h"
#include "vuln/match.h"

#include <errno.h>
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
#define MAX_LISTED 1000

/* --- what the pass captures for the rewrite ----------------------------------- */

static const char *const acct_globs[] = { "etc/passwd", "etc/group", NULL };
static const sc_interest acct_interest = { .name = "harden accounts", .globs = acct_globs,
					   .capture_max = ACCOUNT_MAX };

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
} plan;

static item *plan_find(plan *p, const char *path)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].path, path) == 0)
			return &p->v[i];
	return NULL;
}

/* Add (or return the existing) item for path. */
static int plan_add(plan *p, const char *path, item **out)
{
	item *it = plan_find(p, path);

	if (!it) {
		if (p->n == p->cap) {
			size_t nc = p->cap ? p->cap * 2 : 64;
			item *nv = sc_reallocarray(p->v, nc, sizeof(*nv));

			if (!nv)
				return SC_ENOMEM;
			p->v = nv;
			p->cap = nc;
		}
		it = &p->v[p->n];
		memset(it, 0, sizeof(*it));
		if (!(it->path = sc_strdup(path)))
			return SC_ENOMEM;
		p->n++;
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

static int plan_user(plan *p, const sc_fsview *v, const char *name, long uid, char **user_out)
{
	const sc_capture *pw, *gr;
	char taken[64], line[256];
	int bad, rc;
	long have;
	item *it;
	sc_buf b;

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
		sc_buf_init(&b, ACCOUNT_MAX + 4096, "etc/passwd");
		if (pw && pw->len)
			sc_buf_append(&b, pw->data, pw->len);
		else
			sc_buf_puts(&b, "root:x:0:0:root:/root:/sbin/nologin\n");
		if (b.len && b.data[b.len - 1] != '\n')
			sc_buf_putc(&b, '\n');
		snprintf(line, sizeof(line), "%s:x:%ld:%ld:%s:/home/%s:/sbin/nologin\n", name, uid, uid, name, name);
		if ((rc = sc_buf_puts(&b, line)) != 0 || (rc = plan_add(p, "etc/passwd", &it)) != 0) {
			sc_buf_release(&b);
			return rc;
		}
		it->e.type = SC_FT_REG;
		it->e.mode = 0644;
		it->e.size = b.len;
		it->owned = (unsigned char *)sc_buf_detach(&b, NULL);
		it->data = it->owned;
	}
	gr = acct_capture(v, "etc/group", &bad);
	if (!bad && !(gr && gr->truncated) && !(gr && gr->data && group_exists((const char *)gr->data, name))) {
		char gline[128];

		snprintf(gline, sizeof(gline), "%s:x:%ld:\n", name, uid);
		sc_buf_init(&b, ACCOUNT_MAX + 4096, "etc/group");
		if (gr && gr->len)
			sc_buf_append(&b, gr->data, gr->len);
		else
			sc_buf_puts(&b, "root:x:0:\n");
		if (b.len && b.data[b.len - 1] != '\n')
			sc_buf_putc(&b, '\n');
		if ((rc = sc_buf_puts(&b, gline)) != 0 || (rc = plan_add(p, "etc/group", &it)) != 0) {
			sc_buf_release(&b);
			return rc;
		}
		it->e.type = SC_FT_REG;
		it->e.mode = 0644;
		it->e.size = b.len;
		it->owned = (unsigned char *)sc_buf_detach(&b, NULL);
		it->data = it->owned;
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

static int catalog_audit(sc_image *img, unsigned jobs, int with_rewrite, sc_catalog *cat, sc_scan *scan,
			 sc_findings *fs, int *score)
{
	const sc_interest *ins[MAX_INTERESTS];
	size_t n = 0;
	sc_catalog_opts co;
	sc_audit_ctx ctx;
	int rc;

	memset(&co, 0, sizeof(co));
	if ((rc = sc_audit_interests(ins, &n, MAX_INTERESTS - 2)) != 0)
		return rc;
	if (with_rewrite) {
		ins[n++] = &acct_interest;
		ins[n++] = &mode_interest;
	}
	co.scan.interests = ins;
	co.scan.n_interests = n;
	co.scan.jobs = jobs;
	if ((rc = sc_catalog_run(cat, img, &co, scan)) != 0)
		return rc;
	ctx.img = img;
	ctx.cat = cat;
	ctx.view = scan->view;
	if ((rc = sc_audit_run(fs, &ctx)) != 0)
		return rc;
	*score = sc_audit_score(fs);
	return 0;
}

static int write_layer(sc_image_writer *w, plan *p)
{
	sc_tarwriter *t = NULL;
	size_t i;
	int rc;

	qsort(p->v, p->n, sizeof(*p->v), item_cmp);
	if ((rc = sc_image_writer_layer_begin(w, &t)) != 0)
		return rc;
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
	return sc_image_writer_layer_end(w, "scute harden: remove attack surface, non-root user, safe modes", NULL, NULL);
}

void sc_harden_report_release(sc_harden_report *r)
{
	if (!r)
		return;
	sc_strv_free(r->removed_paths);
	sc_strv_free(r->dropped_env);
	free(r->user);
	sc_findings_release(&r->after);
	memset(r, 0, sizeof(*r));
}

int sc_harden_run(sc_harden_report *out, const sc_harden_opts *o)
{
	static const char *const cache_vars[] = { "HOME", "HF_HOME", "HUGGINGFACE_HUB_CACHE", "HF_HUB_CACHE",
						  "TRANSFORMERS_CACHE", "HF_DATASETS_CACHE", "TORCH_HOME",
						  "XDG_CACHE_HOME", NULL };
	sc_harden_report r;
	sc_image *img = NULL, *res = NULL;
	sc_catalog cat, cat2;
	sc_scan scan, scan2;
	sc_findings before;
	plan p;
	sc_image_writer *w = NULL;
	sc_image_writer_opts wo;
	sc_image_config_edit edit;
	sc_strv removed = { 0 }, dropped = { 0 }, env = { 0 };
	char name[64] = "nonroot", dst_ref[4096], hex[80];
	char **env_v = NULL;
	sc_kv labels[2];
	long uid = 65532;
	size_t i, k;
	int rc, have_scan = 0, have_scan2 = 0;
	time_t epoch;
	sc_digest md;

	memset(&r, 0, sizeof(r));
	memset(&p, 0, sizeof(p));
	memset(&scan, 0, sizeof(scan));
	memset(&scan2, 0, sizeof(scan2));
	sc_catalog_init(&cat);
	sc_catalog_init(&cat2);
	sc_findings_init(&before);
	sc_findings_init(&r.after);
	removed.max = MAX_LISTED;
	if (o->user && *o->user) {
		const char *colon = strchr(o->user, ':');
		size_t nl = colon ? (size_t)(colon - o->user) : strlen(o->user);
		char *e;

		if (nl == 0 || nl >= sizeof(name) || strspn(o->user, "abcdefghijklmnopqrstuvwxyz0123456789_-") != nl)
			return sc_error_set(SC_EUSAGE, "--user wants NAME or NAME:UID (lowercase name), not '%s'", o->user);
		memcpy(name, o->user, nl);
		name[nl] = '\0';
		if (colon) {
			uid = strtol(colon + 1, &e, 10);
			if (*e || uid <= 0 || uid > 2147483647L)
				return sc_error_set(SC_EUSAGE, "--user: '%s' is not a uid above 0", colon + 1);
		}
	}
	__atomic_store_n(&capture_used, 0, __ATOMIC_RELAXED);
	if ((rc = sc_image_open(&img, o->src, NULL)) != 0)
		goto out;
	if ((rc = catalog_audit(img, o->jobs, 1, &cat, &scan, &before, &r.score_before)) != 0)
		goto out;
	have_scan = 1;
	r.findings_before = before.n;
	if (!o->keep_shell && !o->entrypoint && entry_shell(img)) {
		rc = sc_error_set(SC_EUSAGE, "the image's entrypoint/cmd runs a shell (%s): pass --keep-shell, or rewrite "
					     "the entrypoint to exec the program directly",
				  img->config.entrypoint && img->config.entrypoint[0] ? img->config.entrypoint[0]
										      : img->config.cmd[0]);
		goto out;
	}

	/* 1. attack surface, from the audit's own findings */
	for (i = 0; i < before.n; i++) {
		const sc_finding *f = &before.items[i];
		const sc_fsnode *n;
		item *it;

		if (!f->path || !removable(o, f->id) || !(n = sc_fsview_lookup(scan.view, f->path)))
			continue;
		if (o->entrypoint && o->entrypoint[0] && o->entrypoint[0][0] == '/' &&
		    strcmp(o->entrypoint[0] + 1, f->path) == 0)
			continue; /* the program the user chose to run */
		if (plan_find(&p, f->path))
			continue;
		if ((rc = plan_add(&p, f->path, &it)) != 0)
			goto out;
		it->e.type = SC_FT_WHITEOUT;
		r.removed++;
		if ((rc = sc_strv_pushn(&removed, f->path, strlen(f->path))) != 0)
			goto out;
	}
	/* 2. least privilege */
	if ((rc = plan_user(&p, scan.view, name, uid, &r.user)) != 0)
		goto out;
	if (sc_fsview_lookup(scan.view, "tmp") && (rc = plan_dir(&p, scan.view, "tmp", 01777, 0, 0)) != 0)
		goto out;
	if (img->config.working_dir && img->config.working_dir[0] == '/' && img->config.working_dir[1] &&
	    sc_fsview_lookup(scan.view, img->config.working_dir + 1) &&
	    (rc = plan_dir(&p, scan.view, img->config.working_dir + 1, 0755, (uint32_t)uid, (uint32_t)uid)) != 0)
		goto out;
	for (i = 0; img->config.env && img->config.env[i]; i++) {
		const char *kv = img->config.env[i], *eq = strchr(kv, '=');

		for (k = 0; eq && eq[1] == '/' && eq[2] && cache_vars[k]; k++)
			if ((size_t)(eq - kv) == strlen(cache_vars[k]) && strncmp(kv, cache_vars[k], (size_t)(eq - kv)) == 0 &&
			    strlen(eq + 2) < 1024 && !strstr(eq + 2, "..")) {
				if ((rc = plan_dir(&p, scan.view, eq + 2, 0755, (uint32_t)uid, (uint32_t)uid)) != 0)
					goto out;
				break;
			}
	}
	for (i = 0; o->writable && o->writable[i]; i++) {
		const char *wp = o->writable[i];

		while (*wp == '/')
			wp++;
		if (!*wp || strstr(wp, "..")) {
			rc = sc_error_set(SC_EUSAGE, "--writable wants an absolute path inside the image, not '%s'",
					  o->writable[i]);
			goto out;
		}
		if ((rc = plan_dir(&p, scan.view, wp, 0755, (uint32_t)uid, (uint32_t)uid)) != 0)
			goto out;
	}
	{
		mwalk mw = { &p, 0, 0 };

		if ((rc = sc_fsview_walk(scan.view, mode_cb, &mw)) != 0)
			goto out;
		r.modes_fixed = mw.fixed;
	}
	/* 5. config: User, Env without secrets, base labels */
	for (i = 0; img->config.env && img->config.env[i]; i++) {
		const char *kv = img->config.env[i], *eq = strchr(kv, '=');
		char nm[256];
		size_t nl = eq ? (size_t)(eq - kv) : strlen(kv);

		snprintf(nm, sizeof(nm), "%.*s", (int)(nl < 255 ? nl : 255), kv);
		if (eq && eq[1] && !sc_secret_trivial(eq + 1) && (sc_secret_name(nm) || sc_secret_value(eq + 1))) {
			if ((rc = sc_strv_pushn(&dropped, nm, strlen(nm))) != 0)
				goto out;
			continue;
		}
		if ((rc = sc_strv_pushn(&env, kv, strlen(kv))) != 0)
			goto out;
	}
	env_v = sc_strv_finish(&env, 0);
	memset(&edit, 0, sizeof(edit));
	edit.user = r.user;
	edit.entrypoint = o->entrypoint;
	if (img->config.env) {
		static const char *const empty[] = { NULL };

		edit.env = env_v ? (const char *const *)env_v : empty;
	}
	labels[0].key = (char *)"org.opencontainers.image.base.name";
	labels[0].value = img->name;
	labels[1].key = (char *)"org.opencontainers.image.base.digest";
	labels[1].value = sc_digest_fmt(&img->manifest_digest, hex);
	edit.labels = labels;
	edit.n_labels = 2;

	/* 4. write: the source layers untouched, then the hardening layer */
	memset(&wo, 0, sizeof(wo));
	wo.replace = o->replace;
	epoch = sc_sbom_timestamp(img);
	wo.epoch = epoch > 0 ? (int64_t)epoch : SC_TAR_NO_CLAMP;
	if ((rc = sc_image_writer_open(&w, o->dst, &wo)) != 0)
		goto out;
	for (i = 0; i < img->manifest.n_layers; i++)
		if ((rc = sc_image_writer_copy_layer(w, img, i)) != 0)
			goto out;
	if ((rc = write_layer(w, &p)) != 0)
		goto out;
	if ((rc = sc_image_writer_commit(w, img->config_raw.data, img->config_raw.len, &edit, &md)) != 0)
		goto out;
	sc_digest_fmt(&md, r.manifest_digest);

	/* 6. the audit of what was written */
	snprintf(dst_ref, sizeof(dst_ref), "%s", o->dst);
	if ((rc = sc_image_open(&res, dst_ref, NULL)) != 0)
		goto out;
	if ((rc = catalog_audit(res, o->jobs, 0, &cat2, &scan2, &r.after, &r.score_after)) != 0)
		goto out;
	have_scan2 = 1;
	r.findings_after = r.after.n;
	r.packages_before = cat.n_pkgs;
	r.packages_after = cat2.n_pkgs;
	if (o->db_path) {
		sc_vulndb *db = NULL;

		if ((rc = sc_vulndb_open(&db, o->db_path, 0)) != 0)
			goto out;
		rc = count_vulns(db, &cat, r.vulns_before);
		if (rc == 0)
			rc = count_vulns(db, &cat2, r.vulns_after);
		sc_vulndb_close(db);
		if (rc)
			goto out;
		r.have_vulns = 1;
	}
	if (o->sbom_path && (rc = write_sbom(o->sbom_path, res, &cat2)) != 0)
		goto out;
	r.removed_paths = sc_strv_finish(&removed, 1);
	r.dropped_env = sc_strv_finish(&dropped, 0);
	*out = r;
	memset(&r, 0, sizeof(r));
out:
	sc_strv_free(env_v);
	sc_strv_release(&env);
	sc_strv_release(&removed);
	sc_strv_release(&dropped);
	sc_image_writer_free(w);
	plan_release(&p);
	sc_findings_release(&before);
	if (have_scan)
		sc_scan_release(&scan);
	if (have_scan2)
		sc_scan_release(&scan2);
	sc_catalog_release(&cat);
	sc_catalog_release(&cat2);
	sc_image_free(img);
	sc_image_free(res);
	sc_harden_report_release(&r);
	return rc;
}

int sc_harden_report_json(json_t **out, const sc_harden_report *r, const sc_harden_opts *o)
{
	json_t *doc = json_object(), *rm = json_array(), *de = json_array();
	size_t i;

	if (!doc || !rm || !de) {
		json_decref(doc);
		json_decref(rm);
		json_decref(de);
		return sc_error_set(SC_ENOMEM, "out of memory");
	}
	json_object_set_new(doc, "schema", json_string("scute-harden/1"));
	json_object_set_new(doc, "source", sc_rp_str(o->src));
	json_object_set_new(doc, "destination", sc_rp_str(o->dst));
	json_object_set_new(doc, "digest", json_string(r->manifest_digest));
	json_object_set_new(doc, "user", json_string(r->user ? r->user : ""));
	json_object_set_new(doc, "layering", json_string("append"));
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
	for (i = 0; r->removed_paths && r->removed_paths[i]; i++)
		json_array_append_new(rm, sc_rp_str(r->removed_paths[i]));
	json_object_set_new(doc, "removed", rm);
	for (i = 0; r->dropped_env && r->dropped_env[i]; i++)
		json_array_append_new(de, sc_rp_str(r->dropped_env[i]));
	json_object_set_new(doc, "dropped_env", de);
	*out = doc;
	return 0;
}
