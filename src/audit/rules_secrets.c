/*
 * rules_secrets.c - credentials baked into an image: in the config's
 * environment, labels and history, and in files.  CIS Docker Benchmark 4.10
 * (do not store secrets in Dockerfiles), Dockle CIS-DI-0010.
 * Values are never reported in full: sc_mask_value() keeps the first 4
 * characters and the length.
 */
#include "audit/audit.h"

#include "core/error.h"
#include "core/mask.h"

#include <stdio.h>
#include <string.h>

const sc_interest *const sc_interests_secrets[] = { NULL };

static int check_env(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	size_t i;
	int rc;

	if (!ctx->img)
		return 0;
	for (i = 0; ctx->img->config.env && ctx->img->config.env[i]; i++) {
		const char *kv = ctx->img->config.env[i], *eq = strchr(kv, '=');
		char name[128], masked[64];
		size_t n;

		if (!eq || eq[1] == '\0')
			continue;
		n = (size_t)(eq - kv) < sizeof(name) ? (size_t)(eq - kv) : sizeof(name) - 1;
		memcpy(name, kv, n);
		name[n] = '\0';
		if (!sc_secret_name(name) && !sc_secret_value(eq + 1))
			continue;
		sc_mask_value(eq + 1, masked, sizeof(masked));
		if ((rc = sc_audit_add(out, r, -1, NULL, NULL, "config Env %s=%s looks like a credential", name,
				       masked)) != 0)
			return rc;
	}
	return 0;
}

static const sc_rule env_rule = {
	"SC-3001", SC_AUDIT_SECRETS, SC_LEVEL_CRITICAL, "credentials in the image config environment",
	"pass secrets at run time (orchestrator secrets, mounted files); scute harden --drop-env NAME",
	"CIS Docker 4.10; Dockle CIS-DI-0010", check_env,
};

const sc_rule *const sc_rules_secrets[] = { &env_rule, NULL };
