/*
 * rules_surface.c - attack surface a production image should not carry:
 * shells, package managers, network and debugging tools, compilers and
 * headers, documentation and caches, leftover repository/editor files.
 * CIS Docker Benchmark 4.3 (do not install unnecessary packages), Dockle
 * CIS-DI-0009 / DKL-DI-0005 (clear apt lists, caches), NIST SP 800-190
 * 4.1.x (image vulnerabilities and configuration defects).
 *
 * Tools are found by name in the executable directories of the merged
 * view (a symlink counts: /bin/sh -> dash is a shell); a tool that only
 * appears as a dangling symlink still counts, since the name resolves in
 * PATH lookups to an error at best.
 */
#include "audit/audit.h"

#include "core/error.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PER_RULE 200

static const char *const bin_dirs[] = { "bin", "sbin", "usr/bin", "usr/sbin", "usr/local/bin", "usr/local/sbin", NULL };

static const char *const shells[] = { "sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "csh", "tcsh", "fish",
				      "busybox", "toybox", NULL };
static const char *const pkg_managers[] = { "apt", "apt-get", "aptitude", "dpkg", "apk", "rpm", "dnf", "yum",
					    "microdnf", "zypper", "pip", "pip3", "pipx", "conda", "mamba",
					    "micromamba", "npm", "npx", "yarn", "pnpm", "gem", "cargo", NULL };
static const char *const net_tools[] = { "curl", "wget", "nc", "netcat", "ncat", "socat", "ssh", "scp", "sftp",
					 "sshd", "telnet", "ftp", "rsync", "gdb", "gdbserver", "strace", "ltrace",
					 "tcpdump", "nmap", "perf", NULL };
static const char *const compilers[] = { "gcc", "g++", "cc", "c++", "cpp", "clang", "clang++", "ld", "as",
					 "make", "cmake", "nvcc", "rustc", "go", "javac", NULL };

static int in_list(const char *const *list, const char *name)
{
	size_t i;

	for (i = 0; list[i]; i++)
		if (strcmp(list[i], name) == 0)
			return 1;
	return 0;
}

/* pip3.11, python3.11-config style versioned names of a listed tool. */
static int versioned(const char *const *list, const char *name)
{
	size_t i, n;

	for (i = 0; list[i]; i++) {
		n = strlen(list[i]);
		if (strncmp(name, list[i], n) == 0 && (name[n] == '.' || name[n] == '-') && name[n + 1] >= '0' &&
		    name[n + 1] <= '9')
			return 1;
	}
	return 0;
}

static int is_exec_node(const sc_fsnode *n)
{
	return n->e.type == SC_FT_SYMLINK ||
	       ((n->e.type == SC_FT_REG || n->e.type == SC_FT_HARDLINK) && (n->e.mode & 0111));
}

/* One finding per tool found in the bin dirs; same name in several dirs reported once per path. */
static int tools(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out, const char *const *list,
		 const char *what)
{
	size_t d, listed = 0, more = 0;
	int rc;

	if (!ctx->view)
		return 0;
	for (d = 0; bin_dirs[d]; d++) {
		const sc_fsnode *dir = NULL, *c;

		if (sc_fsview_resolve(ctx->view, bin_dirs[d], 1, &dir, NULL, 0) != 0 || !dir ||
		    dir->e.type != SC_FT_DIR) {
			sc_error_clear();
			continue;
		}
		/* usr/bin reached through bin -> usr/bin is reported once, under its real path. */
		if (strcmp(dir->e.path, bin_dirs[d]) != 0)
			continue;
		for (c = dir->first_child; c; c = c->next_sibling) {
			if (c->removed || !is_exec_node(c) || !(in_list(list, c->name) || versioned(list, c->name)))
				continue;
			if (listed++ >= MAX_PER_RULE) {
				more++;
				continue;
			}
			if (c->e.type == SC_FT_SYMLINK)
				rc = sc_audit_add(out, r, -1, c->e.path, NULL, "%s /%s (-> %s)", what, c->e.path,
						  c->e.link ? c->e.link : "?");
			else
				rc = sc_audit_add(out, r, -1, c->e.path, NULL, "%s /%s", what, c->e.path);
			if (rc)
				return rc;
		}
	}
	if (more)
		return sc_audit_add(out, r, -1, NULL, NULL, "... and %zu more", more);
	return 0;
}

static int check_shells(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	return tools(ctx, r, out, shells, "shell");
}

static int check_pkg_managers(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	return tools(ctx, r, out, pkg_managers, "package manager");
}

static int check_net_tools(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	return tools(ctx, r, out, net_tools, "network or debugging tool");
}

/* --- docs, caches and leftovers: one walk, sizes summed per place ---------- */

typedef struct place {
	const char *label;
	const char *prefix;   /* path prefix (directory) or NULL for name matches */
	const char *name;     /* last component to match anywhere, or NULL */
	uint64_t bytes;
	size_t files;
	char first[256];
} place;

typedef struct sweep {
	place *p;
	size_t n;
} sweep;

static int under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(path, prefix, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static int sweep_cb(const sc_fsnode *n, void *ud)
{
	sweep *s = ud;
	size_t i;

	if (!n->e.path || !*n->e.path)
		return 0;
	for (i = 0; i < s->n; i++) {
		place *p = &s->p[i];
		int hit = 0;

		if (p->prefix)
			hit = under(n->e.path, p->prefix) && strcmp(n->e.path, p->prefix) != 0;
		else if (p->name && strcmp(n->name, p->name) == 0)
			hit = 1;
		if (!hit)
			continue;
		/* Directories alone (apt's empty archives/partial) are not worth a finding. */
		if (p->prefix && n->e.type != SC_FT_REG && n->e.type != SC_FT_HARDLINK && n->e.type != SC_FT_SYMLINK)
			continue;
		if (!p->files++)
			snprintf(p->first, sizeof(p->first), "%s", n->e.path);
		if (n->e.type == SC_FT_REG)
			p->bytes += n->e.size;
	}
	return 0;
}

static int report_places(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out, place *pl, size_t n)
{
	sweep s = { pl, n };
	size_t i;
	int rc;

	if (!ctx->view)
		return 0;
	if ((rc = sc_fsview_walk(ctx->view, sweep_cb, &s)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		if (!pl[i].files)
			continue;
		if (pl[i].prefix)
			rc = sc_audit_add(out, r, -1, pl[i].prefix, NULL, "%s: /%s holds %zu files, %llu bytes", pl[i].label,
					  pl[i].prefix, pl[i].files, (unsigned long long)pl[i].bytes);
		else
			rc = sc_audit_add(out, r, -1, pl[i].first, NULL, "%s: %zu found (first /%s)", pl[i].label,
					  pl[i].files, pl[i].first);
		if (rc)
			return rc;
	}
	return 0;
}

static int ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

static int check_compilers(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	size_t i, dev = 0;
	char first[128] = "";
	int rc;

	if ((rc = tools(ctx, r, out, compilers, "compiler or build tool")) != 0)
		return rc;
	{
		/* The compiler proper lives outside PATH (usr/lib/gcc/<triplet>/<v>/cc1). */
		place pl[] = {
			{ "C compiler proper", NULL, "cc1", 0, 0, "" },
			{ "C++ compiler proper", NULL, "cc1plus", 0, 0, "" },
		};

		if ((rc = report_places(ctx, r, out, pl, sizeof(pl) / sizeof(pl[0]))) != 0)
			return rc;
	}
	/* Development packages: headers and static libraries nobody needs at run time. */
	for (i = 0; ctx->cat && i < ctx->cat->n_pkgs; i++) {
		const sc_package *p = &ctx->cat->pkgs[i];

		if ((p->eco == SC_ECO_DEB || p->eco == SC_ECO_APK || p->eco == SC_ECO_RPM) && p->name &&
		    (ends_with(p->name, "-dev") || ends_with(p->name, "-devel") || strcmp(p->name, "build-essential") == 0)) {
			if (!dev++)
				snprintf(first, sizeof(first), "%s", p->name);
		}
	}
	if (dev)
		return sc_audit_add(out, r, -1, NULL, NULL, "%zu development packages installed (%s%s)", dev, first,
				    dev > 1 ? ", ..." : "");
	return 0;
}

static int check_caches_places(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out);

/* __pycache__/NAME.cpython-XY.pyc whose NAME.py is gone: bytecode of removed code. */
typedef struct orphans {
	size_t n;
	uint64_t bytes;
	char first[256];
} orphans;

static int pyc_cb(const sc_fsnode *n, void *ud)
{
	orphans *o = ud;
	const sc_fsnode *pkg, *c;
	const char *dot;
	size_t stem;

	if (n->e.type != SC_FT_REG || !n->parent || strcmp(n->parent->name ? n->parent->name : "", "__pycache__") != 0)
		return 0;
	dot = strchr(n->name, '.');
	if (!dot || !strstr(n->name, ".pyc"))
		return 0;
	stem = (size_t)(dot - n->name);
	pkg = n->parent->parent;
	if (!pkg)
		return 0;
	for (c = pkg->first_child; c; c = c->next_sibling)
		if (!c->removed && strncmp(c->name, n->name, stem) == 0 && strcmp(c->name + stem, ".py") == 0)
			return 0;
	if (!o->n++)
		snprintf(o->first, sizeof(o->first), "%s", n->e.path);
	o->bytes += n->e.size;
	return 0;
}

static int check_caches(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	orphans o;
	int rc;

	memset(&o, 0, sizeof(o));
	if (ctx->view && (rc = sc_fsview_walk(ctx->view, pyc_cb, &o)) != 0)
		return rc;
	if (o.n && (rc = sc_audit_add(out, r, -1, o.first, NULL,
				      "bytecode of removed code: %zu .pyc files in __pycache__ without their .py "
				      "(first /%s, %llu bytes)", o.n, o.first, (unsigned long long)o.bytes)) != 0)
		return rc;
	return check_caches_places(ctx, r, out);
}

static int check_caches_places(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	place pl[] = {
		{ "apt package lists", "var/lib/apt/lists", NULL, 0, 0, "" },
		{ "apt archive cache", "var/cache/apt", NULL, 0, 0, "" },
		{ "apk cache", "var/cache/apk", NULL, 0, 0, "" },
		{ "dnf/yum cache", "var/cache/dnf", NULL, 0, 0, "" },
		{ "yum cache", "var/cache/yum", NULL, 0, 0, "" },
		{ "pip cache", "root/.cache/pip", NULL, 0, 0, "" },
		{ "npm cache", "root/.npm", NULL, 0, 0, "" },
		{ "documentation", "usr/share/doc", NULL, 0, 0, "" },
		{ "manual pages", "usr/share/man", NULL, 0, 0, "" },
		{ "info pages", "usr/share/info", NULL, 0, 0, "" },
	};

	return report_places(ctx, r, out, pl, sizeof(pl) / sizeof(pl[0]));
}

static int check_leftovers(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	place pl[] = {
		{ "git repository", NULL, ".git", 0, 0, "" },
		{ "AWS CLI directory", NULL, ".aws", 0, 0, "" },
		{ "subversion checkout", NULL, ".svn", 0, 0, "" },
		{ "mercurial repository", NULL, ".hg", 0, 0, "" },
		{ "VS Code settings", NULL, ".vscode", 0, 0, "" },
		{ "JetBrains project", NULL, ".idea", 0, 0, "" },
		{ "Dockerfile", NULL, "Dockerfile", 0, 0, "" },
		{ "compose file", NULL, "docker-compose.yml", 0, 0, "" },
		{ "shell history", NULL, ".bash_history", 0, 0, "" },
		{ "python history", NULL, ".python_history", 0, 0, "" },
	};

	return report_places(ctx, r, out, pl, sizeof(pl) / sizeof(pl[0]));
}

static const sc_rule shell_rule = {
	"SC-2001", SC_AUDIT_SURFACE, SC_LEVEL_MEDIUM, "a shell is present",
	"scute harden (removes shells unless --keep-shell; refuses an entrypoint that runs one)",
	"CIS Docker 4.3; NIST SP 800-190 4.1.2", check_shells,
};
static const sc_rule pkg_rule = {
	"SC-2002", SC_AUDIT_SURFACE, SC_LEVEL_MEDIUM, "a package manager is present",
	"scute harden (removes package-manager binaries, keeps their databases)", "CIS Docker 4.3", check_pkg_managers,
};
static const sc_rule net_rule = {
	"SC-2003", SC_AUDIT_SURFACE, SC_LEVEL_LOW, "network or debugging tools are present",
	"scute harden (removes them unless --keep-tools)", "CIS Docker 4.3; NIST SP 800-190 4.1.2", check_net_tools,
};
static const sc_rule compiler_rule = {
	"SC-2004", SC_AUDIT_SURFACE, SC_LEVEL_MEDIUM, "compilers, build tools or development headers are present",
	"scute harden (removes them unless --keep-tools), or build in a separate stage", "CIS Docker 4.3", check_compilers,
};
static const sc_rule cache_rule = {
	"SC-2005", SC_AUDIT_SURFACE, SC_LEVEL_LOW, "documentation and package caches are present",
	"scute harden (removes docs and caches)", "Dockle DKL-DI-0005; CIS Docker 4.3", check_caches,
};
static const sc_rule leftover_rule = {
	"SC-2006", SC_AUDIT_SURFACE, SC_LEVEL_LOW, "repository, editor or build leftovers are present",
	"scute harden (removes them), or a .dockerignore", "Dockle CIS-DI-0010 (sensitive files)", check_leftovers,
};

const sc_rule *const sc_rules_surface[] = { &shell_rule, &pkg_rule, &net_rule, &compiler_rule, &cache_rule,
					    &leftover_rule, NULL };
