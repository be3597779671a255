/*
 * rules_privilege.c - who the container runs as and what files grant
 * privilege: CIS Docker Benchmark 4.1 (run as a non-root user), 4.8
 * (setuid/setgid), Dockle CIS-DI-0001 / CIS-DI-0008 / DKL-LI-0001.
 *
 * passwd(5), shadow(5) and group(5) are read from the captures of the
 * single pass; every line is bounded and malformed lines are ignored.
 */
#include "audit/audit.h"

#include "core/buf.h"
#include "core/error.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACCOUNT_FILE_MAX (1u << 20)
#define MAX_IDS 65536
#define MAX_PER_RULE 200 /* findings listed per rule; the rest counted in one line */

static const char *const passwd_globs[] = { "etc/passwd", NULL };
static const char *const shadow_globs[] = { "etc/shadow", NULL };
static const char *const group_globs[] = { "etc/group", NULL };

static const sc_interest passwd_interest = { .name = "audit passwd", .globs = passwd_globs,
					     .capture_max = ACCOUNT_FILE_MAX };
static const sc_interest shadow_interest = { .name = "audit shadow", .globs = shadow_globs,
					     .capture_max = ACCOUNT_FILE_MAX };
static const sc_interest group_interest = { .name = "audit group", .globs = group_globs,
					    .capture_max = ACCOUNT_FILE_MAX };

const sc_interest *const sc_interests_privilege[] = { &passwd_interest, &shadow_interest, &group_interest, NULL };

/* --- account files ------------------------------------------------------- */

typedef struct account {
	char name[64];
	long id;             /* uid or gid, -1 when not a number */
	char secret[8];      /* passwd field 2 / shadow field 2, first bytes */
	int secret_empty;
} account;

typedef struct accounts {
	account *v;
	size_t n;
} accounts;

static const sc_capture *capture_of(const sc_fsview *view, const char *path, const sc_interest *in)
{
	const sc_fsnode *n = NULL;

	if (!view || sc_fsview_resolve(view, path, 1, &n, NULL, 0) != 0 || !n) {
		sc_error_clear();
		return NULL;
	}
	return sc_fsnode_capture(n, in);
}

/* Parse colon-separated lines: name:secret:id:... (id_field -1: none). */
static int parse_accounts(accounts *out, const sc_capture *c, int id_field)
{
	const char *p, *end, *nl;

	memset(out, 0, sizeof(*out));
	if (!c || !c->data)
		return 0;
	p = (const char *)c->data;
	end = p + c->len;
	for (; p < end && out->n < MAX_IDS; p = nl + 1) {
		const char *f[4] = { 0 };
		size_t flen[4] = { 0 }, k = 0;
		const char *q;
		account *a;
		void *nv;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (p == nl || *p == '#')
			continue;
		f[0] = p;
		for (q = p; q < nl && k < 4; q++)
			if (*q == ':') {
				flen[k] = (size_t)(q - f[k]);
				if (++k < 4)
					f[k] = q + 1;
			}
		if (k < 4 && f[k])
			flen[k] = (size_t)(nl - f[k]);
		if (k < 1 || flen[0] == 0 || flen[0] >= sizeof(a->name))
			continue;
		if (!(nv = sc_reallocarray(out->v, out->n + 1, sizeof(*out->v))))
			return SC_ENOMEM;
		out->v = nv;
		a = &out->v[out->n++];
		memset(a, 0, sizeof(*a));
		memcpy(a->name, f[0], flen[0]);
		a->id = -1;
		if (f[1]) {
			memcpy(a->secret, f[1], flen[1] < sizeof(a->secret) - 1 ? flen[1] : sizeof(a->secret) - 1);
			a->secret_empty = flen[1] == 0;
		}
		if (id_field > 0 && f[id_field] && flen[id_field] > 0 && flen[id_field] < 11) {
			char num[12];
			char *e;
			long v;

			memcpy(num, f[id_field], flen[id_field]);
			num[flen[id_field]] = '\0';
			v = strtol(num, &e, 10);
			if (!*e && v >= 0)
				a->id = v;
		}
	}
	return 0;
}

static const account *by_name(const accounts *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].name, name) == 0)
			return &a->v[i];
	return NULL;
}

static int has_id(const accounts *a, long id)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->v[i].id == id)
			return 1;
	return 0;
}

void sc_audit_run_as(const sc_audit_ctx *ctx, long *uid, long *gid)
{
	const char *u = ctx->img ? ctx->img->config.user : NULL;
	char name[128], *e;
	const char *colon;
	size_t n;
	accounts pw;
	const account *a;
	long v;

	*uid = -1;
	*gid = -1;
	if (!ctx->img)
		return;
	if (!u || !*u) {
		*uid = 0;
		*gid = 0;
		return;
	}
	colon = strchr(u, ':');
	n = colon ? (size_t)(colon - u) : strlen(u);
	if (n == 0 || n >= sizeof(name))
		return;
	memcpy(name, u, n);
	name[n] = '\0';
	v = strtol(name, &e, 10);
	if (!*e && v >= 0) {
		*uid = v;
	} else if (parse_accounts(&pw, capture_of(ctx->view, "etc/passwd", &passwd_interest), 2) == 0) {
		if ((a = by_name(&pw, name)) != NULL)
			*uid = a->id;
		free(pw.v);
	}
	if (colon && colon[1]) {
		v = strtol(colon + 1, &e, 10);
		if (!*e && v >= 0)
			*gid = v;
	}
}

/* --- SC-1001: runs as root ------------------------------------------------- */

static int check_user(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	const char *u = ctx->img ? ctx->img->config.user : NULL;
	char name[128], *e;
	size_t n;
	accounts pw;
	const account *a;
	long v;
	int rc = 0;

	if (!ctx->img)
		return 0;
	if (!u || !*u)
		return sc_audit_add(out, r, -1, NULL, NULL, "config User is empty: the container runs as root");
	n = strcspn(u, ":");
	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, u, n);
	name[n] = '\0';
	/* A numeric User is a uid to the runtime: "00" is uid 0 as much as "0". */
	v = strtol(name, &e, 10);
	if (strcmp(name, "root") == 0 || (*name && !*e && v == 0))
		return sc_audit_add(out, r, -1, NULL, NULL, "config User is '%s': the container runs as root", name);
	/* A name that maps to uid 0 in the image's passwd is root too. */
	if ((rc = parse_accounts(&pw, capture_of(ctx->view, "etc/passwd", &passwd_interest), 2)) != 0)
		return rc;
	a = by_name(&pw, name);
	if (a && a->id == 0)
		rc = sc_audit_add(out, r, -1, "etc/passwd", NULL, "config User '%s' has uid 0 in etc/passwd", name);
	free(pw.v);
	return rc;
}

/* --- file walks ------------------------------------------------------------ */

typedef struct walk {
	const sc_rule *r;
	sc_findings *out;
	size_t listed, more;
	const accounts *pw, *gr;
	int mode; /* which rule */
} walk;

static int over_cap(walk *w)
{
	if (w->listed < MAX_PER_RULE) {
		w->listed++;
		return 0;
	}
	w->more++;
	return 1;
}

static int walk_cb(const sc_fsnode *n, void *ud)
{
	walk *w = ud;
	const sc_entry *e = &n->e;

	if (!e->path || !*e->path)
		return 0;
	switch (w->mode) {
	case 2: /* setuid / setgid */
		if ((e->type == SC_FT_REG || e->type == SC_FT_HARDLINK) && (e->mode & 06000) && !over_cap(w))
			return sc_audit_add(w->out, w->r, -1, e->path, NULL, "%s file /%s (mode %04o, owner %u)",
					    (e->mode & 06000) == 06000 ? "setuid+setgid"
					    : (e->mode & 04000)	       ? "setuid"
									 : "setgid",
					    e->path, e->mode & 07777, e->uid);
		return 0;
	case 3: /* world-writable without sticky */
		if (e->type == SC_FT_SYMLINK || !(e->mode & 0002))
			return 0;
		if (e->type == SC_FT_DIR && (e->mode & 01000))
			return 0;
		if (e->type == SC_FT_CHAR || e->type == SC_FT_BLOCK)
			return 0;
		if (!over_cap(w))
			return sc_audit_add(w->out, w->r, -1, e->path, NULL, "world-writable %s /%s (mode %04o)",
					    e->type == SC_FT_DIR ? "directory without sticky bit" : "file", e->path,
					    e->mode & 07777);
		return 0;
	case 4: /* owner uid or gid unknown to the image */
		if (n->implicit)
			return 0;
		if ((w->pw->n && !has_id(w->pw, (long)e->uid)) || (w->gr->n && !has_id(w->gr, (long)e->gid))) {
			if (!over_cap(w))
				return sc_audit_add(w->out, w->r, -1, e->path, NULL,
						    "/%s is owned by %u:%u, which etc/passwd or etc/group does not define",
						    e->path, e->uid, e->gid);
		}
		return 0;
	case 5: /* file capabilities */
		if ((e->flags & SC_ENTRY_CAPS) && !over_cap(w))
			return sc_audit_add(w->out, w->r, -1, e->path, NULL,
					    "/%s carries file capabilities (security.capability xattr)", e->path);
		return 0;
	}
	return 0;
}

static int run_walk(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out, int mode, const accounts *pw,
		    const accounts *gr)
{
	walk w = { r, out, 0, 0, pw, gr, mode };
	int rc;

	if (!ctx->view)
		return 0;
	if ((rc = sc_fsview_walk(ctx->view, walk_cb, &w)) != 0)
		return rc;
	if (w.more)
		return sc_audit_add(out, r, -1, NULL, NULL, "... and %zu more files", w.more);
	return 0;
}

static int check_setuid(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	return run_walk(ctx, r, out, 2, NULL, NULL);
}

static int check_world_writable(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	return run_walk(ctx, r, out, 3, NULL, NULL);
}

static int check_owners(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	accounts pw, gr;
	int rc;

	if ((rc = parse_accounts(&pw, capture_of(ctx->view, "etc/passwd", &passwd_interest), 2)) != 0)
		return rc;
	if ((rc = parse_accounts(&gr, capture_of(ctx->view, "etc/group", &group_interest), 2)) != 0) {
		free(pw.v);
		return rc;
	}
	/* Without account files (distroless, scratch) ownership by number is the norm. */
	if (pw.n)
		rc = run_walk(ctx, r, out, 4, &pw, &gr);
	free(pw.v);
	free(gr.v);
	return rc;
}

static int check_caps(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	return run_walk(ctx, r, out, 5, NULL, NULL);
}

/* --- SC-1006: account database problems ------------------------------------ */

static int dup_ids(const accounts *a, const char *file, const char *what, const sc_rule *r, sc_findings *out)
{
	size_t i, k;
	int rc;

	for (i = 0; i < a->n; i++)
		for (k = i + 1; k < a->n && k < i + 4096; k++)
			if (a->v[i].id >= 0 && a->v[i].id == a->v[k].id &&
			    (rc = sc_audit_add(out, r, -1, file, NULL, "%s %ld is shared by '%s' and '%s' in %s", what,
					       a->v[i].id, a->v[i].name, a->v[k].name, file)) != 0)
				return rc;
	return 0;
}

static int check_accounts(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	accounts pw, sh, gr;
	size_t i;
	int rc;

	memset(&sh, 0, sizeof(sh));
	memset(&gr, 0, sizeof(gr));
	if ((rc = parse_accounts(&pw, capture_of(ctx->view, "etc/passwd", &passwd_interest), 2)) != 0 ||
	    (rc = parse_accounts(&sh, capture_of(ctx->view, "etc/shadow", &shadow_interest), -1)) != 0 ||
	    (rc = parse_accounts(&gr, capture_of(ctx->view, "etc/group", &group_interest), 2)) != 0)
		goto out;
	for (i = 0; i < pw.n; i++) {
		const account *s = by_name(&sh, pw.v[i].name);

		/* An empty password field logs in without a password (shadow(5), passwd(5)). */
		if ((pw.v[i].secret_empty || (s && s->secret_empty)) &&
		    (rc = sc_audit_add(out, r, -1, s && s->secret_empty ? "etc/shadow" : "etc/passwd", NULL,
				       "account '%s' has an empty password", pw.v[i].name)) != 0)
			goto out;
	}
	if ((rc = dup_ids(&pw, "etc/passwd", "uid", r, out)) != 0)
		goto out;
	rc = dup_ids(&gr, "etc/group", "gid", r, out);
out:
	free(pw.v);
	free(sh.v);
	free(gr.v);
	return rc;
}

static const sc_rule user_root = {
	"SC-1001", SC_AUDIT_PRIVILEGE, SC_LEVEL_HIGH, "the container runs as root",
	"scute harden --user NAME (creates a non-root user and sets config User)",
	"CIS Docker 4.1; Dockle CIS-DI-0001", check_user,
};
static const sc_rule setuid_files = {
	"SC-1002", SC_AUDIT_PRIVILEGE, SC_LEVEL_MEDIUM, "setuid or setgid files",
	"scute harden (re-adds the files without setuid/setgid bits)", "CIS Docker 4.8; Dockle CIS-DI-0008",
	check_setuid,
};
static const sc_rule world_writable = {
	"SC-1003", SC_AUDIT_PRIVILEGE, SC_LEVEL_MEDIUM, "world-writable files or directories without sticky bit",
	"scute harden (re-adds world-writable files and directories without o+w; /tmp gets 01777)",
	"CIS Linux 6.1.10 / 6.1.11 (applied to images)", check_world_writable,
};
static const sc_rule unknown_owner = {
	"SC-1004", SC_AUDIT_PRIVILEGE, SC_LEVEL_LOW, "files owned by a uid or gid the image does not define",
	"chown the files to root (or the run user) in the build", "CIS Linux 6.1.12 / 6.1.13", check_owners,
};
static const sc_rule file_caps = {
	"SC-1005", SC_AUDIT_PRIVILEGE, SC_LEVEL_MEDIUM, "files with capabilities",
	"setcap -r in the build, or scute harden --layering squash (extended attributes are not carried over)", "CIS Docker 5.3 (capabilities)", check_caps,
};
static const sc_rule account_db = {
	"SC-1006", SC_AUDIT_PRIVILEGE, SC_LEVEL_HIGH, "empty passwords or duplicate uids/gids",
	"lock the account (passwd -l) or remove it in the build; scute harden --user rewrites the account files",
	"CIS Linux 6.2.1-6.2.8; Dockle CIS-DI-0010 (empty password)", check_accounts,
};

const sc_rule *const sc_rules_privilege[] = { &user_root, &setuid_files, &world_writable, &unknown_owner,
					      &file_caps, &account_db, NULL };
