/*
 * rules_supply.c - provenance and operability of the image config: base
 * image annotations, how layers were fetched, tags, HEALTHCHECK.
 * CIS Docker Benchmark 4.6 (HEALTHCHECK), 4.9 (COPY instead of ADD),
 * Dockle CIS-DI-0006 / CIS-DI-0009; OCI image-spec annotations
 * (org.opencontainers.image.base.name / base.digest).
 */
#include "audit/audit.h"

#include "core/error.h"

#include <string.h>

static int check_healthcheck(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	if (!ctx->img || ctx->img->config.has_healthcheck)
		return 0;
	return sc_audit_add(out, r, -1, NULL, NULL, "the image config has no HEALTHCHECK");
}

static const sc_rule healthcheck_rule = {
	"SC-4004", SC_AUDIT_SUPPLY, SC_LEVEL_NEGLIGIBLE, "no HEALTHCHECK",
	"add HEALTHCHECK in the build, or rely on the orchestrator's probes", "CIS Docker 4.6; Dockle CIS-DI-0006",
	check_healthcheck,
};

const sc_rule *const sc_rules_supply[] = { &healthcheck_rule, NULL };
