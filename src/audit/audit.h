/*
 * audit.h - hardening checks: small rules with stable ids (SC-xxxx) run
 * over the merged view, the catalog and the image config after the single
 * pass, producing findings (report/finding.h, kind "audit").
 *
 * References: CIS Docker Benchmark v1.6 section 4 (container images),
 * Dockle's checkpoints (https://github.com/goodwithtech/dockle), and the
 * AI-specific risks documented in docs/checks.md.
 *
 * How a rule works:
 *   - the file contents it needs are captured during the one pass through
 *     interests declared next to the rules (sc_audit_interests() collects
 *     them for the caller's sc_catalog_run);
 *   - check() reads the view / catalog / config and adds findings with
 *     sc_audit_add(); a rule never fails on bad image content (a file that
 *     cannot be parsed is itself a finding or is skipped), only on
 *     out-of-memory or internal errors.
 * Findings never carry secret values: sc_mask_value() keeps 4 chars and
 * the length.
 */
#ifndef SC_AUDIT_AUDIT_H
#define SC_AUDIT_AUDIT_H

#include "catalog/catalog.h"
#include "image/fsview.h"
#include "image/image.h"
#include "report/finding.h"

#include <stddef.h>

typedef enum sc_audit_category {
	SC_AUDIT_PRIVILEGE = 1,
	SC_AUDIT_SURFACE,
	SC_AUDIT_SECRETS,
	SC_AUDIT_SUPPLY,
	SC_AUDIT_AI,
} sc_audit_category;

const char *sc_audit_category_name(sc_audit_category c); /* "privilege", "attack-surface", ... */

typedef struct sc_audit_ctx {
	const sc_image *img;       /* config: User, Env, Labels, history; may be NULL in tests */
	const sc_catalog *cat;
	const sc_fsview *view;
} sc_audit_ctx;

typedef struct sc_rule sc_rule;
struct sc_rule {
	const char *id;            /* "SC-1001": stable, never reused */
	sc_audit_category category;
	sc_level level;            /* default level of its findings */
	const char *title;         /* one line: what is wrong */
	const char *remediation;   /* the `scute harden` option that fixes it, or what to do */
	const char *references;    /* "CIS 4.1; Dockle CIS-DI-0001" */
	int (*check)(const sc_audit_ctx *ctx, const sc_rule *rule, sc_findings *out);
};

/* Every rule, in id order; *n gets the count. */
const sc_rule *const *sc_audit_rules(size_t *n);
/* The rule with this id, or NULL. */
const sc_rule *sc_audit_rule(const char *id);

/*
 * The interests the rules need captured during the pass, appended to
 * out[*n..max); SC_EINTERNAL when they do not fit.
 */
int sc_audit_interests(const sc_interest **out, size_t *n, size_t max);

/*
 * Add a finding of rule r about `path` (no leading '/', may be NULL) with a
 * message (printf-style, one line; callers mask secrets first).  level < 0
 * uses the rule's level.  *out_f (may be NULL) gets the finding.
 */
int sc_audit_add(sc_findings *out, const sc_rule *r, int level, const char *path, sc_finding **out_f,
		 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/*
 * The uid and gid the container runs as: config User as a number or a name
 * looked up in the image's etc/passwd (gid from the passwd entry or the
 * ":GROUP" part).  Empty User is root.  -1 when it cannot be told.
 */
void sc_audit_run_as(const sc_audit_ctx *ctx, long *uid, long *gid);

/* Run every rule; findings sorted (level, then rule id, then path). */
int sc_audit_run(sc_findings *out, const sc_audit_ctx *ctx);

/*
 * Hardening score 0-100: 100 minus a weight per rule that fired, by its
 * highest level (critical 30, high 15, medium 6, low 2, info 0; each rule
 * counts once however many files it flags), floored at 0.
 */
int sc_audit_score(const sc_findings *fs);

/* Rules of each family (rules_*.c), NULL-terminated. */
extern const sc_rule *const sc_rules_privilege[];
extern const sc_rule *const sc_rules_surface[];
extern const sc_rule *const sc_rules_secrets[];
extern const sc_rule *const sc_rules_supply[];
extern const sc_rule *const sc_rules_ai[];

/* Interests of each family (NULL-terminated; may be empty). */
extern const sc_interest *const sc_interests_privilege[];
extern const sc_interest *const sc_interests_secrets[];
extern const sc_interest *const sc_interests_ai[];

#endif
