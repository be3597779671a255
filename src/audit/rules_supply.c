/*
 * rules_supply.c - provenance and operability of the image config: base
 * image annotations, how content was fetched at build time, mutable tags,
 * HEALTHCHECK, build date.
 * CIS Docker Benchmark 4.6 (HEALTHCHECK), 4.9 (COPY instead of ADD),
 * 4.11 (verified packages); Dockle CIS-DI-0006 / CIS-DI-0009 /
 * DKL-DI-0006 (avoid latest); OCI image-spec annotations
 * (https://github.com/opencontainers/image-spec/blob/main/annotations.md:
 * org.opencontainers.image.base.name / base.digest), SLSA provenance.
 *
 * Everything here reads the manifest and the config only (no files).
 * Base-image annotations are looked up in the manifest annotations first
 * (where the image-spec puts them; buildkit writes them there) and in the
 * config labels (where some builders copy them).
 */
#include "audit/audit.h"

#include "core/error.h"
#include "core/mask.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ANN_BASE_NAME "org.opencontainers.image.base.name"
#define ANN_BASE_DIGEST "org.opencontainers.image.base.digest"
#define MAX_PER_RULE 200
#define SHOWN_TEXT 200

/* An annotation (manifest) or, failing that, a label (config). */
static const char *annotation(const sc_image *img, const char *key)
{
	const char *v = sc_kv_get(img->manifest.annotations, img->manifest.n_annotations, key);

	if (!v || !*v)
		v = sc_kv_get(img->config.labels, img->config.n_labels, key);
	return v && *v ? v : NULL;
}

/* ---- SC-4001: base image annotations --------------------------------------- */

static int check_base(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	const char *name, *digest;

	if (!ctx->img)
		return 0;
	name = annotation(ctx->img, ANN_BASE_NAME);
	digest = annotation(ctx->img, ANN_BASE_DIGEST);
	if (!name && !digest)
		return sc_audit_add(out, r, -1, NULL, NULL,
				    "neither the manifest annotations nor the config labels name the base image ("
				    ANN_BASE_NAME ", " ANN_BASE_DIGEST ")");
	if (!digest)
		return sc_audit_add(out, r, -1, NULL, NULL,
				    "the base image is named (%.200s) but not pinned: " ANN_BASE_DIGEST " is missing",
				    name);
	if (!name)
		return sc_audit_add(out, r, -1, NULL, NULL, "the base image digest is recorded but not its name: "
				    ANN_BASE_NAME " is missing");
	return 0;
}

/* ---- SC-4002: remote content fetched and used at build time ---------------- */

/* Copy s (masked, control characters as spaces, clipped) into out. */
static int shown_text(const char *s, char *out, size_t outsz)
{
	sc_buf b;
	size_t n, i, cap;
	int rc;

	n = strlen(s);
	if (sc_mul_overflow(n, 2, &cap) || sc_add_overflow(cap, 4096, &cap))
		return sc_error_set(SC_ELIMIT, "history line is too long");
	sc_buf_init(&b, cap, "history line");
	if ((rc = sc_mask_text(s, &b)) != 0 || (rc = sc_buf_putc(&b, '\0')) != 0)
		goto out;
	for (i = 0; b.data[i]; i++)
		if ((unsigned char)b.data[i] < 0x20 || b.data[i] == 0x7f)
			b.data[i] = ' ';
	n = strlen(b.data);
	if (n > SHOWN_TEXT && outsz > SHOWN_TEXT + 4) {
		n = SHOWN_TEXT;
		while (n > 0 && ((unsigned char)b.data[n] & 0xC0) == 0x80)
			n--;
		memcpy(out, b.data, n);
		memcpy(out + n, "...", 4);
	} else {
		snprintf(out, outsz, "%s", b.data);
	}
out:
	sc_buf_release(&b);
	return rc;
}

static int remote_url(const char *s)
{
	return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0 ||
	       strncasecmp(s, "git@", 4) == 0 || strncasecmp(s, "git://", 6) == 0;
}

/*
 * The ADD instruction with a URL source and no --checksum: buildkit records
 * "ADD https://... /dst # buildkit", the classic builder
 * "/bin/sh -c #(nop) ADD ... in /dst".
 */
static int add_url(const char *cb)
{
	const char *p = cb, *args;

	if (strncmp(p, "/bin/sh -c ", 11) == 0)
		p += 11;
	while (*p == ' ')
		p++;
	if (strncmp(p, "#(nop)", 6) == 0)
		p += 6;
	while (*p == ' ')
		p++;
	if (strncmp(p, "ADD ", 4) != 0)
		return 0;
	args = p + 4;
	if (strstr(args, "--checksum="))
		return 0;
	for (p = args; *p; p++)
		if ((p == args || isspace((unsigned char)p[-1])) && remote_url(p))
			return 1;
	return 0;
}

static int is_fetcher(const char *w, size_t n)
{
	const char *base = w;
	size_t i;

	for (i = 0; i < n; i++)
		if (w[i] == '/')
			base = w + i + 1;
	n -= (size_t)(base - w);
	return (n == 4 && strncmp(base, "curl", 4) == 0) || (n == 4 && strncmp(base, "wget", 4) == 0);
}

static int is_interpreter(const char *w, size_t n)
{
	static const char *const names[] = { "sh", "bash", "dash", "zsh", "ksh", "ash", "python", "python2", "python3",
					     "perl", "ruby", "node", "php", NULL };
	const char *base = w;
	size_t i;

	for (i = 0; i < n; i++)
		if (w[i] == '/')
			base = w + i + 1;
	n -= (size_t)(base - w);
	/* python3.11 */
	for (i = 0; names[i]; i++) {
		size_t m = strlen(names[i]);

		if (n >= m && strncmp(base, names[i], m) == 0 &&
		    (n == m || (base[m] == '.' && isdigit((unsigned char)base[m + 1]))))
			return 1;
	}
	return 0;
}

/*
 * The command that receives text ending at `end` (a "$(" or "<("): the
 * words before it, skipping quotes and flags, must start with an
 * interpreter ("sh -c \"$(", "bash <(").  V=$(curl ...) is not run.
 */
static int runs_substitution(const char *seg, const char *end)
{
	const char *q = end;

	for (;;) {
		const char *e;

		while (q > seg && (q[-1] == '"' || q[-1] == '\'' || q[-1] == ' ' || q[-1] == '\t'))
			q--;
		e = q;
		while (q > seg && !isspace((unsigned char)q[-1]) && q[-1] != '"' && q[-1] != '\'')
			q--;
		if (q == e)
			return 0;
		if (*q != '-')
			return is_interpreter(q, (size_t)(e - q));
	}
}

/*
 * curl/wget output piped into an interpreter in the same command
 * (curl -fsSL URL | sh, wget -qO- URL | sudo -E bash -s), or an interpreter
 * running a download (bash <(curl ...), sh -c "$(curl ...)").
 */
static int pipe_to_shell(const char *cb)
{
	const char *p = cb, *seg = cb;
	int fetch = 0;

	while (*p) {
		const char *w;
		size_t n;

		/* Command separators end the fetch: ;, &, &&, ||, newline. */
		if (*p == ';' || *p == '\n' || *p == '&' || (p[0] == '|' && p[1] == '|')) {
			p += ((p[0] == '&' && p[1] == '&') || (p[0] == '|' && p[1] == '|')) ? 2 : 1;
			seg = p;
			fetch = 0;
			continue;
		}
		if (*p == '|') {
			p++;
			/* Skip spaces, sudo/env and their flags, to the command the pipe feeds. */
			for (;;) {
				while (*p == ' ' || *p == '\t')
					p++;
				w = p;
				while (*p && !isspace((unsigned char)*p) && *p != '|' && *p != ';' && *p != '&')
					p++;
				n = (size_t)(p - w);
				if (n == 0)
					break;
				if (*w == '-' || (n == 4 && strncmp(w, "sudo", 4) == 0) ||
				    (n == 3 && strncmp(w, "env", 3) == 0) || memchr(w, '=', n))
					continue;
				if (fetch && is_interpreter(w, n))
					return 1;
				break;
			}
			continue;
		}
		if (isspace((unsigned char)*p) || *p == '"' || *p == '\'' || *p == '(' || *p == ')' || *p == '`' ||
		    *p == '<' || *p == '$') {
			p++;
			continue;
		}
		w = p;
		while (*p && !isspace((unsigned char)*p) && !strchr("|;&\"'()`<$", *p))
			p++;
		n = (size_t)(p - w);
		if (is_fetcher(w, n)) {
			/* $(curl ...) / <(curl ...) given to an interpreter: sh -c "$(curl ...)", bash <(curl ...). */
			if (w - 2 >= seg && w[-1] == '(' && (w[-2] == '$' || w[-2] == '<') && runs_substitution(seg, w - 2))
				return 1;
			fetch = 1;
		}
	}
	return 0;
}

static int check_remote(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	size_t i, listed = 0, more = 0;
	int rc;

	if (!ctx->img)
		return 0;
	for (i = 0; i < ctx->img->config.n_history; i++) {
		const char *cb = ctx->img->config.history[i].created_by;
		const char *what;
		char shown[SHOWN_TEXT + 8];

		if (!cb || !*cb)
			continue;
		if (add_url(cb))
			what = "ADDs a remote URL without --checksum";
		else if (pipe_to_shell(cb))
			what = "pipes a download into an interpreter";
		else
			continue;
		if (listed++ >= MAX_PER_RULE) {
			more++;
			continue;
		}
		if ((rc = shown_text(cb, shown, sizeof(shown))) != 0 ||
		    (rc = sc_audit_add(out, r, -1, NULL, NULL, "history[%zu] %s: %s", i, what, shown)) != 0)
			return rc;
	}
	if (more)
		return sc_audit_add(out, r, -1, NULL, NULL, "... and %zu more", more);
	return 0;
}

/* ---- SC-4003: mutable tags -------------------------------------------------- */

/* "latest" or "" (no tag) when a reference is not pinned by digest; NULL when it is pinned or tagged. */
static const char *mutable_tag(const char *ref)
{
	const char *last = strrchr(ref, '/'), *colon;

	if (strchr(ref, '@'))
		return NULL;
	last = last ? last + 1 : ref;
	colon = strchr(last, ':');
	if (!colon)
		return "";
	return strcmp(colon + 1, "latest") == 0 ? "latest" : NULL;
}

/* Keys that name a base image: the OCI annotation and common label spellings. */
static int base_key(const char *k)
{
	static const char *const keys[] = { "base_image", "base-image", "baseimage", "base.image", "base.name", NULL };
	size_t i, n = strlen(k);

	for (i = 0; keys[i]; i++) {
		size_t m = strlen(keys[i]);

		if (n >= m && strcasecmp(k + n - m, keys[i]) == 0 && (n == m || k[n - m - 1] == '.' ||
								       k[n - m - 1] == '_' || k[n - m - 1] == '-' ||
								       k[n - m - 1] == '/'))
			return 1;
	}
	return 0;
}

static int tag_finding(const sc_rule *r, sc_findings *out, const char *where, const char *key, const char *ref)
{
	const char *tag = mutable_tag(ref);
	char k[96];

	if (!tag)
		return 0;
	snprintf(k, sizeof(k), "%s", key);
	if (*tag)
		return sc_audit_add(out, r, -1, NULL, NULL, "%s %s names the base image by the mutable tag '%.200s'",
				    where, k, ref);
	return sc_audit_add(out, r, -1, NULL, NULL, "%s %s names the base image without a tag or digest ('%.200s')",
			    where, k, ref);
}

static int check_tags(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	const sc_manifest *m;
	const sc_config *c;
	size_t i;
	int rc;

	if (!ctx->img)
		return 0;
	m = &ctx->img->manifest;
	c = &ctx->img->config;
	for (i = 0; i < m->n_annotations; i++)
		if (m->annotations[i].value && *m->annotations[i].value && base_key(m->annotations[i].key) &&
		    (rc = tag_finding(r, out, "manifest annotation", m->annotations[i].key, m->annotations[i].value)) != 0)
			return rc;
	for (i = 0; i < c->n_labels; i++)
		if (c->labels[i].value && *c->labels[i].value && base_key(c->labels[i].key) &&
		    (rc = tag_finding(r, out, "config label", c->labels[i].key, c->labels[i].value)) != 0)
			return rc;
	return 0;
}

/* ---- SC-4004: HEALTHCHECK ---------------------------------------------------- */

static int check_healthcheck(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	if (!ctx->img || ctx->img->config.has_healthcheck)
		return 0;
	return sc_audit_add(out, r, -1, NULL, NULL, "the image config has no HEALTHCHECK");
}

/* ---- SC-4005: build date ------------------------------------------------------ */

static int check_created(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	const char *created;

	if (!ctx->img)
		return 0;
	created = ctx->img->config.created;
	if (!created || !*created)
		return sc_audit_add(out, r, -1, NULL, NULL,
				    "the image config has no 'created' date: the build date is unknown");
	if (strncmp(created, "1970-01-01T00:00:00", 19) == 0)
		return sc_audit_add(out, r, -1, NULL, NULL,
				    "'created' is the epoch (%.40s): a reproducible build (SOURCE_DATE_EPOCH=0), so the "
				    "build date is unknown",
				    created);
	return 0;
}

static const sc_rule base_rule = {
	"SC-4001", SC_AUDIT_SUPPLY, SC_LEVEL_LOW, "the base image is not recorded (base.name / base.digest annotations)",
	"build with buildkit (docker buildx / buildctl) which adds the base annotations, or set "
	"--annotation " ANN_BASE_NAME "=... --annotation " ANN_BASE_DIGEST "=...",
	"OCI image-spec annotations; SLSA provenance", check_base,
};
static const sc_rule remote_rule = {
	"SC-4002", SC_AUDIT_SUPPLY, SC_LEVEL_HIGH, "remote content fetched and run at build time without verification",
	"download with a pinned checksum (ADD --checksum=sha256:..., or curl -o file && sha256sum -c) and "
	"prefer COPY from a verified build stage; never pipe a download into a shell",
	"CIS Docker 4.9 (COPY instead of ADD), 4.11; Dockle CIS-DI-0009", check_remote,
};
static const sc_rule tag_rule = {
	"SC-4003", SC_AUDIT_SUPPLY, SC_LEVEL_LOW, "the base image is referenced by a mutable tag",
	"pin the base image by digest (FROM image:tag@sha256:...)", "Dockle DKL-DI-0006 (avoid latest tag)",
	check_tags,
};
static const sc_rule healthcheck_rule = {
	"SC-4004", SC_AUDIT_SUPPLY, SC_LEVEL_NEGLIGIBLE, "no HEALTHCHECK",
	"add HEALTHCHECK in the build, or rely on the orchestrator's probes", "CIS Docker 4.6; Dockle CIS-DI-0006",
	check_healthcheck,
};
static const sc_rule created_rule = {
	"SC-4005", SC_AUDIT_SUPPLY, SC_LEVEL_NEGLIGIBLE, "the build date is not recorded (created missing or epoch 0)",
	"nothing to fix: informational (the date of a reproducible build is the epoch by design)",
	"reproducible-builds.org SOURCE_DATE_EPOCH", check_created,
};

const sc_rule *const sc_rules_supply[] = { &base_rule, &remote_rule, &tag_rule, &healthcheck_rule, &created_rule,
					   NULL };
