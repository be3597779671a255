/*
 * rules_ai.c - risks AI images add: model weights baked into the image
 * (intellectual-property exposure), unsafe serialisation, GPU stack
 * alignment, writable model caches.  docs/checks.md explains each.
 */
#include "audit/audit.h"

#include "core/error.h"

#include <stdio.h>
#include <string.h>

const sc_interest *const sc_interests_ai[] = { NULL };

static int is_weights(const sc_model_file *m)
{
	return m->format && strcmp(m->format, "tokenizer") != 0 && strcmp(m->format, "model-config") != 0;
}

static int check_weights(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	size_t i;
	int rc;

	for (i = 0; ctx->cat && i < ctx->cat->n_models; i++) {
		const sc_model_file *m = &ctx->cat->models[i];

		if (!is_weights(m))
			continue;
		if ((rc = sc_audit_add(out, r, -1, m->path, NULL, "model weights /%s (%s, %llu bytes) are baked into the image",
				       m->path, m->format, (unsigned long long)m->size)) != 0)
			return rc;
	}
	return 0;
}

static const sc_rule weights_rule = {
	"SC-5002", SC_AUDIT_AI, SC_LEVEL_LOW, "model weights are baked into the image",
	"mount weights at run time or ship them as a separate signed OCI artifact (scute harden --strip-models)",
	"AI risk: IP exposure (anyone who can pull the image has the weights)", check_weights,
};

const sc_rule *const sc_rules_ai[] = { &weights_rule, NULL };
