/*
 * audit.c - the rule registry, running the rules, the hardening score.
 * Rule families live in rules_*.c; docs/checks.md lists every rule.
 */
#include "audit/audit.h"
#include "audit/ldso.h"

#include "core/buf.h"
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RULES 256

const char *sc_audit_category_name(sc_audit_category c)
{
	switch (c) {
	case SC_AUDIT_PRIVILEGE:
		return "privilege";
	case SC_AUDIT_SURFACE:
		return "attack-surface";
	case SC_AUDIT_SECRETS:
		return "secrets";
	case SC_AUDIT_SUPPLY:
		return "supply-chain";
	case SC_AUDIT_AI:
		return "ai";
	}
	return "other";
}

static const sc_rule *const *const families[] = {
	sc_rules_privilege, sc_rules_surface, sc_rules_secrets, sc_rules_supply, sc_rules_ai,
};

static const sc_interest *const *const interest_families[] = {
	sc_interests_privilege, sc_interests_secrets, sc_interests_ai, sc_ldso_interests,
};

static int rule_cmp(const void *a, const void *b)
{
	return strcmp((*(const sc_rule *const *)a)->id, (*(const sc_rule *const *)b)->id);
}

const sc_rule *const *sc_audit_rules(size_t *n)
{
	static const sc_rule *all[MAX_RULES + 1];
	static size_t count;
	size_t f, i;

	/* Built once from constant tables; the first call happens before any thread starts. */
	if (!count) {
		for (f = 0; f < sizeof(families) / sizeof(families[0]); f++)
			for (i = 0; families[f][i] && count < MAX_RULES; i++)
				all[count++] = families[f][i];
		qsort(all, count, sizeof(all[0]), rule_cmp);
	}
	if (n)
		*n = count;
	return all;
}

const sc_rule *sc_audit_rule(const char *id)
{
	size_t n, i;
	const sc_rule *const *r = sc_audit_rules(&n);

	for (i = 0; i < n; i++)
		if (strcmp(r[i]->id, id) == 0)
			return r[i];
	return NULL;
}

int sc_audit_interests(const sc_interest **out, size_t *n, size_t max)
{
	size_t f, i;

	for (f = 0; f < sizeof(interest_families) / sizeof(interest_families[0]); f++)
		for (i = 0; interest_families[f][i]; i++) {
			if (*n >= max)
				return sc_error_set(SC_EINTERNAL, "too many audit interests");
			out[(*n)++] = interest_families[f][i];
		}
	return 0;
}

int sc_audit_add(sc_findings *out, const sc_rule *r, int level, const char *path, sc_finding **out_f,
		 const char *fmt, ...)
{
	sc_finding *f;
	sc_buf msg;
	va_list ap;
	int rc;

	sc_buf_init(&msg, 4096, "audit message");
	va_start(ap, fmt);
	{
		char line[2048];

		vsnprintf(line, sizeof(line), fmt, ap);
		rc = sc_buf_puts(&msg, line);
	}
	va_end(ap);
	if (rc || (rc = sc_buf_putc(&msg, '\0')) != 0) {
		sc_buf_release(&msg);
		return rc;
	}
	if ((rc = sc_findings_add(out, &f)) != 0) {
		sc_buf_release(&msg);
		return rc;
	}
	f->kind = sc_strdup("audit");
	f->id = sc_strdup(r->id);
	f->level = level >= 0 ? (sc_level)level : r->level;
	f->title = sc_buf_detach(&msg, NULL);
	f->description = sc_strdup(r->title);
	f->remediation = r->remediation ? sc_strdup(r->remediation) : NULL;
	f->path = path ? sc_strdup(path) : NULL;
	if (!f->kind || !f->id || !f->title || !f->description || (r->remediation && !f->remediation) ||
	    (path && !f->path))
		return sc_error_set(SC_ENOMEM, "out of memory");
	if (out_f)
		*out_f = f;
	return 0;
}

static const char *no_pkg(const void *ctx, long pkg)
{
	const sc_catalog *cat = ctx;

	return cat && pkg >= 0 && (size_t)pkg < cat->n_pkgs && cat->pkgs[pkg].name ? cat->pkgs[pkg].name : "";
}

int sc_audit_run(sc_findings *out, const sc_audit_ctx *ctx)
{
	size_t n, i;
	const sc_rule *const *rules = sc_audit_rules(&n);
	int rc;

	for (i = 0; i < n; i++) {
		if (!rules[i]->check)
			continue;
		if ((rc = rules[i]->check(ctx, rules[i], out)) != 0)
			return sc_error_prefix(rc, "audit rule %s", rules[i]->id);
	}
	sc_findings_sort(out, no_pkg, ctx->cat);
	return 0;
}

int sc_audit_score(const sc_findings *fs)
{
	static const int weight[] = {
		[SC_LEVEL_UNKNOWN] = 0, [SC_LEVEL_NEGLIGIBLE] = 0, [SC_LEVEL_LOW] = 2,
		[SC_LEVEL_MEDIUM] = 6, [SC_LEVEL_HIGH] = 15, [SC_LEVEL_CRITICAL] = 30,
	};
	size_t n, i, k;
	const sc_rule *const *rules = sc_audit_rules(&n);
	int score = 100;

	for (i = 0; i < n; i++) {
		int top = -1;

		for (k = 0; k < fs->n; k++)
			if (!fs->items[k].suppressed && fs->items[k].kind && strcmp(fs->items[k].kind, "audit") == 0 &&
			    strcmp(fs->items[k].id, rules[i]->id) == 0 && (int)fs->items[k].level > top)
				top = (int)fs->items[k].level;
		if (top > 0 && top <= SC_LEVEL_CRITICAL)
			score -= weight[top];
	}
	return score < 0 ? 0 : score;
}
