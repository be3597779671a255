/*
 * rules_secrets.c - credentials baked into an image: in the config's
 * environment, labels and history, and in files.  CIS Docker Benchmark 4.10
 * (do not store secrets in Dockerfiles), Dockle CIS-DI-0010, NIST SP
 * 800-190 4.1.4 (embedded clear-text secrets).
 *
 * Values are never reported in full: sc_mask_value() keeps the first 4
 * characters and the length, sc_mask_text_n() masks inside text.
 *
 * How file contents are read (one pass, bounded):
 *   - SC-3004 (private keys) and SC-3006 (token shapes) stream file
 *     contents through a scanner that keeps no file data: it looks at
 *     each byte once, remembers at most SCAN_HITS masked hits per file
 *     and attaches them as the capture's result (nothing at all for a
 *     clean file).  SC-3004 watches files up to 1 MiB that start with
 *     "-----BEGIN" (magic) or are named *.pem, *.key, id_rsa, id_dsa,
 *     id_ecdsa, id_ed25519; SC-3006 watches text configuration files up
 *     to 256 KiB by extension, outside the OS and package trees.
 *   - SC-3005 (credential files: .aws/credentials, .netrc, docker
 *     config.json, ...) captures the first 64 KiB of files with those
 *     names (and JSON files that begin like a Google service-account
 *     key) and parses them.
 * Known false positives are skipped: files under usr/share/doc, the
 * Python test suites (usr/lib/python3*\/test*), testdata directories and
 * test directories inside installed packages (site-packages,
 * dist-packages, node_modules), which ship well-known test keys; and
 * files owned by an OS package (dpkg/apk/rpm file lists).  Ownership is
 * checked only for the few files that produced a hit, by a linear search
 * of the catalog's file lists, rather than by building a set of every
 * owned path for every audit.
 */
#include "audit/audit.h"

#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/mask.h"
#include "core/path.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PER_RULE 200            /* findings listed per rule; the rest counted in one line */
#define KEY_FILE_MAX (1u << 20)     /* SC-3004: files scanned for PEM private keys */
#define CRED_FILE_MAX (1u << 20)    /* SC-3005: credential files considered */
#define CRED_CAPTURE (64u << 10)    /* SC-3005: bytes of each captured and parsed */
#define TEXT_FILE_MAX (256u << 10)  /* SC-3006: text files scanned for token shapes */
#define SCAN_HITS 8                 /* hits kept per scanned file */
#define SCAN_WORD 256               /* longer words are not tokens */
#define SHOWN_ITEMS 4               /* values listed per finding */
#define SHOWN_TEXT 200              /* bytes of masked text quoted in a finding */

/* ---- shared helpers ------------------------------------------------------ */

typedef struct counter {
	size_t listed, more;
} counter;

/* 1 when the rule already listed MAX_PER_RULE findings (the caller counts the rest). */
static int over_cap(counter *c)
{
	if (c->listed < MAX_PER_RULE) {
		c->listed++;
		return 0;
	}
	c->more++;
	return 1;
}

static int report_more(const counter *c, const sc_rule *r, sc_findings *out)
{
	if (!c->more)
		return 0;
	return sc_audit_add(out, r, -1, NULL, NULL, "... and %zu more", c->more);
}

/* Copy at most max bytes of s into out, cutting at a UTF-8 character boundary, with "..." when cut. */
static void clip(char *out, size_t outsz, const char *s, size_t max)
{
	size_t n = strlen(s);

	if (max > outsz - 4)
		max = outsz - 4;
	if (n <= max) {
		memcpy(out, s, n + 1);
		return;
	}
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	memcpy(out, s, n);
	memcpy(out + n, "...", 4);
}

/*
 * Mask text (a history line, a value) into out; *n gets the number of
 * values masked.  Control characters become spaces so a finding is one line.
 */
static int mask_into(const char *text, char *out, size_t outsz, size_t *n)
{
	sc_buf b;
	size_t len = strlen(text), i, cap;
	int rc;

	*n = 0;
	if (sc_mul_overflow(len, 2, &cap) || sc_add_overflow(cap, 4096, &cap))
		return sc_error_set(SC_ELIMIT, "text to mask is too long");
	sc_buf_init(&b, cap, "masked text");
	if ((rc = sc_mask_text_n(text, &b, n)) != 0 || (rc = sc_buf_putc(&b, '\0')) != 0)
		goto out;
	for (i = 0; b.data[i]; i++)
		if ((unsigned char)b.data[i] < 0x20 || b.data[i] == 0x7f)
			b.data[i] = ' ';
	clip(out, outsz, b.data, SHOWN_TEXT);
out:
	sc_buf_release(&b);
	return rc;
}

/*
 * Is NAME=VALUE a credential?  *shown gets what may be shown of the value
 * (masked) and *kind what was recognised.  Returns 1, 0, or <0 on error.
 */
static int credential_kv(const char *name, const char *value, char *shown, size_t shownsz, const char **kind)
{
	size_t n;
	int rc;

	if ((*kind = sc_secret_kind(value)) != NULL) {
		sc_mask_value(value, shown, shownsz);
		return 1;
	}
	if (sc_secret_name(name) && !sc_secret_trivial(value)) {
		*kind = "secret-named value";
		sc_mask_value(value, shown, shownsz);
		return 1;
	}
	/* Credentials inside the value: URL passwords, "Bearer x". */
	if ((rc = mask_into(value, shown, shownsz, &n)) != 0)
		return rc;
	if (n) {
		*kind = "credential inside the value";
		return 1;
	}
	return 0;
}

/*
 * A name shown in a finding: masked if it is itself token-shaped, else
 * with credentials inside it masked (a label key "auth.ghp_..."), clipped.
 */
static void safe_name(char *out, size_t outsz, const char *name)
{
	char masked[SHOWN_TEXT + 64];
	size_t n;

	if (sc_secret_value(name)) {
		sc_mask_value(name, out, outsz);
		return;
	}
	if (mask_into(name, masked, sizeof(masked), &n) != 0) {
		sc_error_clear();
		sc_mask_value(name, out, outsz); /* cannot check it: show no more than a masked value */
		return;
	}
	clip(out, outsz, masked, 64);
}

/* ---- SC-3001: config Env ------------------------------------------------- */

static int check_env(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	counter cnt = { 0, 0 };
	size_t i;
	int rc;

	if (!ctx->img)
		return 0;
	for (i = 0; ctx->img->config.env && ctx->img->config.env[i]; i++) {
		const char *kv = ctx->img->config.env[i], *eq = strchr(kv, '=');
		char name[128], shown[256], sname[96];
		const char *kind;
		size_t n;

		if (!eq || eq[1] == '\0')
			continue;
		n = (size_t)(eq - kv) < sizeof(name) ? (size_t)(eq - kv) : sizeof(name) - 1;
		memcpy(name, kv, n);
		name[n] = '\0';
		if ((rc = credential_kv(name, eq + 1, shown, sizeof(shown), &kind)) < 0)
			return rc;
		if (!rc || over_cap(&cnt))
			continue;
		safe_name(sname, sizeof(sname), name);
		if ((rc = sc_audit_add(out, r, -1, NULL, NULL, "config Env %s=%s looks like a credential (%s)", sname,
				       shown, kind)) != 0)
			return rc;
	}
	return report_more(&cnt, r, out);
}

/* ---- SC-3002: config Labels ---------------------------------------------- */

static int check_labels(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	counter cnt = { 0, 0 };
	size_t i;
	int rc;

	if (!ctx->img)
		return 0;
	for (i = 0; i < ctx->img->config.n_labels; i++) {
		const sc_kv *l = &ctx->img->config.labels[i];
		char shown[256], sname[96];
		const char *kind;

		if (!l->key || !l->value || !*l->value)
			continue;
		if ((rc = credential_kv(l->key, l->value, shown, sizeof(shown), &kind)) < 0)
			return rc;
		if (!rc || over_cap(&cnt))
			continue;
		safe_name(sname, sizeof(sname), l->key);
		if ((rc = sc_audit_add(out, r, -1, NULL, NULL, "config Label %s=%s looks like a credential (%s)", sname,
				       shown, kind)) != 0)
			return rc;
	}
	return report_more(&cnt, r, out);
}

/* ---- SC-3003: history ---------------------------------------------------- */

static int check_history(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	counter cnt = { 0, 0 };
	size_t i, k;
	int rc;

	if (!ctx->img)
		return 0;
	for (i = 0; i < ctx->img->config.n_history; i++) {
		const sc_history *h = &ctx->img->config.history[i];
		const char *fields[] = { h->created_by, h->comment };
		const char *names[] = { "created_by", "comment" };

		for (k = 0; k < 2; k++) {
			char shown[SHOWN_TEXT + 64];
			size_t n;

			if (!fields[k] || !*fields[k])
				continue;
			if ((rc = mask_into(fields[k], shown, sizeof(shown), &n)) != 0)
				return rc;
			if (!n || over_cap(&cnt))
				continue;
			if ((rc = sc_audit_add(out, r, -1, NULL, NULL, "history[%zu].%s holds %zu credential%s: %s", i,
					       names[k], n, n > 1 ? "s" : "", shown)) != 0)
				return rc;
		}
	}
	return report_more(&cnt, r, out);
}

/* ---- streaming scanner (SC-3004, SC-3006) -------------------------------- */

typedef struct scan_hit {
	char kind[40];
	char shown[64];  /* masked value, or "" for a PEM block */
	uint32_t line;   /* 1-based */
} scan_hit;

/* Attached to a file's capture when the scanner found something. */
typedef struct scan_result {
	scan_hit hits[SCAN_HITS]; /* token shapes and PEM private keys, in file order */
	size_t n_hits, more_hits;
	unsigned keys;            /* PEM private key blocks */
	unsigned encrypted;       /* of which encrypted (ENCRYPTED PRIVATE KEY, Proc-Type: 4,ENCRYPTED) */
	char key_label[48];       /* label of the first block: "RSA PRIVATE KEY" */
} scan_result;

typedef struct scan_cfg {
	int tokens;                      /* look for token shapes (SC-3006) as well as PEM keys */
	int (*skip)(const char *path);   /* paths not worth scanning */
} scan_cfg;

typedef struct scanner {
	const scan_cfg *cfg;
	uint32_t line;
	char word[SCAN_WORD];
	size_t wlen;
	int wlong;
	char win[16];        /* the last bytes seen, circular */
	size_t wpos;
	int in_label;        /* collecting the label after "-----BEGIN" */
	char label[48];
	size_t llen;
	scan_result res;
} scanner;

static void add_hit(scan_result *res, const char *kind, const char *shown, uint32_t line)
{
	scan_hit *h;

	if (res->n_hits >= SCAN_HITS) {
		res->more_hits++;
		return;
	}
	h = &res->hits[res->n_hits++];
	snprintf(h->kind, sizeof(h->kind), "%s", kind);
	snprintf(h->shown, sizeof(h->shown), "%s", shown);
	h->line = line;
}

/* The last bytes seen end with s (strlen(s) < sizeof(win)). */
static int win_ends(const scanner *s, const char *lit)
{
	size_t n = strlen(lit), i;

	for (i = 0; i < n; i++)
		if (s->win[(s->wpos + sizeof(s->win) - 1 - i) % sizeof(s->win)] != lit[n - 1 - i])
			return 0;
	return 1;
}

static int scan_token_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

static void end_word(scanner *s)
{
	const char *kind;

	if (s->cfg->tokens && !s->wlong && s->wlen >= 16) {
		s->word[s->wlen] = '\0';
		kind = sc_secret_kind(s->word);
		if (kind && strcmp(kind, "private key") != 0) {
			char shown[64];

			add_hit(&s->res, kind, sc_mask_value(s->word, shown, sizeof(shown)), s->line + 1);
		}
	}
	s->wlen = 0;
	s->wlong = 0;
}

/* "-----BEGIN <label>-----": a private key when the label ends in PRIVATE KEY (or is PGP's). */
static void end_label(scanner *s)
{
	const char *l = s->label;
	size_t n;

	s->label[s->llen] = '\0';
	s->in_label = 0;
	while (*l == ' ')
		l++;
	n = strlen(l);
	if (!((n >= 11 && strcmp(l + n - 11, "PRIVATE KEY") == 0) || strcmp(l, "PGP PRIVATE KEY BLOCK") == 0))
		return;
	if (!s->res.keys++)
		snprintf(s->res.key_label, sizeof(s->res.key_label), "%s", l);
	if (strncmp(l, "ENCRYPTED ", 10) == 0)
		s->res.encrypted++;
	add_hit(&s->res, "private key", "", s->line + 1);
}

static void scan_byte(scanner *s, char c)
{
	s->win[s->wpos] = c;
	s->wpos = (s->wpos + 1) % sizeof(s->win);
	if (s->in_label) {
		if (c == '-' || c == '\n' || s->llen >= sizeof(s->label) - 1) {
			if (c == '-')
				end_label(s);
			else
				s->in_label = 0;
		} else {
			s->label[s->llen++] = c;
		}
	}
	if (c == 'N' && win_ends(s, "-----BEGIN")) {
		s->in_label = 1;
		s->llen = 0;
	}
	/* RFC 1421 headers of a legacy encrypted key: Proc-Type: 4,ENCRYPTED */
	if (c == 'D' && s->res.keys > s->res.encrypted && win_ends(s, "4,ENCRYPTED"))
		s->res.encrypted++;
	if (s->cfg->tokens) {
		if (scan_token_char(c)) {
			if (s->wlen < sizeof(s->word) - 1)
				s->word[s->wlen++] = c;
			else
				s->wlong = 1;
		} else if (s->wlen || s->wlong) {
			end_word(s);
		}
	}
	if (c == '\n')
		s->line++;
}

static void *scan_begin(void *ud, const sc_entry *e)
{
	const scan_cfg *cfg = ud;
	scanner *s;

	if (cfg->skip && cfg->skip(e->path))
		return NULL;
	if (!(s = calloc(1, sizeof(*s))))
		return NULL;
	s->cfg = cfg;
	return s;
}

static int scan_data(void *st, const void *buf, size_t len)
{
	scanner *s = st;
	const char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		scan_byte(s, p[i]);
	return 0;
}

static void *scan_end(void *st, int failed)
{
	scanner *s = st;
	scan_result *r = NULL;

	if (!s)
		return NULL;
	if (s->wlen)
		end_word(s);
	if (!failed && (s->res.n_hits || s->res.keys) && (r = malloc(sizeof(*r))) != NULL)
		*r = s->res;
	free(s);
	return r;
}

static void scan_free(void *ud, void *result)
{
	(void)ud;
	free(result);
}

/* ---- which files are skipped --------------------------------------------- */

/* Shipped test keys and fixtures (usr/share/doc, test suites, testdata). */
static int test_material(const char *path)
{
	static const char *const globs[] = {
		"usr/share/doc/**",
		"usr/lib/python3*/test*/**",
		"usr/local/lib/python3*/test*/**",
		"usr/lib/go*/src/**",
		"usr/local/go/src/**",
		"**/testdata/**",
		"**/site-packages/**/test*/**",
		"**/dist-packages/**/test*/**",
		"**/node_modules/**/test*/**",
		NULL,
	};
	size_t i;

	for (i = 0; globs[i]; i++)
		if (sc_path_match(globs[i], path))
			return 1;
	return 0;
}

static int under_prefix(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(path, prefix, n) == 0 && path[n] == '/';
}

/* SC-3006 looks at configuration the image's owner wrote, not OS and package trees. */
static int not_app_config(const char *path)
{
	static const char *const prefixes[] = { "usr/share", "usr/lib", "usr/lib64", "usr/include", "lib", "lib64",
						"usr/local/lib", "usr/local/include", "usr/local/share", "var/lib/dpkg",
						"var/lib/apt", "var/cache", "proc", "sys", NULL };
	static const char *const parts[] = { "/site-packages/", "/dist-packages/", "/node_modules/", "/.cache/pip/",
					     "/.npm/", "/pkgs/", NULL };
	size_t i;

	for (i = 0; prefixes[i]; i++)
		if (under_prefix(path, prefixes[i]))
			return 1;
	for (i = 0; parts[i]; i++)
		if (strstr(path, parts[i]) || strncmp(path, parts[i] + 1, strlen(parts[i] + 1)) == 0)
			return 1;
	return test_material(path);
}

/* Owned by an OS package: linear search of the file lists, done only for files with a hit. */
static int os_owned(const sc_catalog *cat, const char *path)
{
	size_t i, k;

	for (i = 0; cat && i < cat->n_pkgs; i++) {
		const sc_package *p = &cat->pkgs[i];

		if ((p->eco != SC_ECO_DEB && p->eco != SC_ECO_APK && p->eco != SC_ECO_RPM) || !p->files)
			continue;
		for (k = 0; p->files[k]; k++)
			if (strcmp(p->files[k], path) == 0)
				return 1;
	}
	return 0;
}

/* ---- interests ------------------------------------------------------------ */

static const scan_cfg key_cfg = { 0, test_material };
static const scan_cfg token_cfg = { 1, not_app_config };

static const unsigned char pem_magic[] = "-----BEGIN";
static const char *const key_name_globs[] = { "**/*.pem", "**/*.key", "**/id_rsa", "**/id_dsa", "**/id_ecdsa",
					       "**/id_ed25519", NULL };

static const sc_interest key_magic_interest = {
	.name = "audit PEM private keys (magic)", .magic = pem_magic, .magic_len = sizeof(pem_magic) - 1,
	.max_size = KEY_FILE_MAX, .stream_begin = scan_begin, .stream_data = scan_data, .stream_end = scan_end,
	.result_free = scan_free, .ud = (void *)&key_cfg,
};
static const sc_interest key_name_interest = {
	.name = "audit PEM private keys (names)", .globs = key_name_globs, .max_size = KEY_FILE_MAX,
	.stream_begin = scan_begin, .stream_data = scan_data, .stream_end = scan_end, .result_free = scan_free,
	.ud = (void *)&key_cfg,
};

static const char *const text_globs[] = { "**/*.env", "**/*.ini", "**/*.cfg", "**/*.conf", "**/*.yaml",
					   "**/*.yml", "**/*.json", "**/*.toml", "**/*.properties", "**/*.sh",
					   "**/*.py", NULL };
static const sc_interest token_interest = {
	.name = "audit token shapes", .globs = text_globs, .max_size = TEXT_FILE_MAX, .stream_begin = scan_begin,
	.stream_data = scan_data, .stream_end = scan_end, .result_free = scan_free, .ud = (void *)&token_cfg,
};

/* SC-3005: credential files by name. */
static const char *const aws_globs[] = { "**/.aws/credentials", NULL };
static const char *const hf_globs[] = { "**/huggingface/token", "**/.huggingface/token", NULL };
static const char *const hf_stored_globs[] = { "**/huggingface/stored_tokens", NULL };
static const char *const netrc_globs[] = { "**/.netrc", "**/_netrc", NULL };
static const char *const docker_globs[] = { "**/.docker/config.json", "**/.dockercfg", NULL };
static const char *const kube_globs[] = { "**/.kube/config", NULL };
static const char *const env_globs[] = { "**/.env", "**/*.env", "**/.env.*", NULL };
static const char *const pypirc_globs[] = { "**/.pypirc", NULL };
static const char *const npmrc_globs[] = { "**/.npmrc", NULL };
static const char *const yarnrc_globs[] = { "**/.yarnrc.yml", NULL };
static const char *const gitcred_globs[] = { "**/.git-credentials", NULL };
static const char *const gcp_globs[] = { "**/application_default_credentials.json", "**/*service*account*.json",
					  "**/*serviceaccount*.json", "**/*credential*.json", NULL };
static const char *const cred_globs[] = {
	"**/.aws/credentials", "**/huggingface/token", "**/.huggingface/token", "**/huggingface/stored_tokens",
	"**/.netrc", "**/_netrc", "**/.docker/config.json", "**/.dockercfg", "**/.kube/config", "**/.env",
	"**/*.env", "**/.env.*", "**/.pypirc", "**/.npmrc", "**/.yarnrc.yml", "**/.git-credentials",
	"**/application_default_credentials.json", "**/*service*account*.json", "**/*serviceaccount*.json",
	"**/*credential*.json", NULL,
};
static const sc_interest cred_interest = {
	.name = "audit credential files", .globs = cred_globs, .max_size = CRED_FILE_MAX,
	.capture_max = CRED_CAPTURE,
};
/* Google writes service-account keys as pretty-printed JSON starting with the type. */
static const unsigned char gcp_magic[] = "{\n  \"type\": \"service_account\"";
static const char *const json_globs[] = { "**/*.json", NULL };
static const sc_interest gcp_magic_interest = {
	.name = "audit service-account keys", .globs = json_globs, .magic = gcp_magic,
	.magic_len = sizeof(gcp_magic) - 1, .max_size = CRED_FILE_MAX, .capture_max = CRED_CAPTURE,
};

const sc_interest *const sc_interests_secrets[] = { &key_magic_interest, &key_name_interest, &token_interest,
						    &cred_interest, &gcp_magic_interest, NULL };

/* ---- SC-3004: private keys ------------------------------------------------- */

static const scan_result *key_result(const sc_fsnode *n)
{
	const sc_capture *c = sc_fsnode_capture(n, &key_magic_interest);

	if (!c || !c->result)
		c = sc_fsnode_capture(n, &key_name_interest);
	return c && c->result && ((const scan_result *)c->result)->keys ? c->result : NULL;
}

typedef struct file_walk {
	const sc_audit_ctx *ctx;
	const sc_rule *r;
	sc_findings *out;
	counter cnt;
} file_walk;

static int is_file(const sc_fsnode *n)
{
	return !n->removed && (n->e.type == SC_FT_REG || n->e.type == SC_FT_HARDLINK) && n->e.path && *n->e.path;
}

static int keys_cb(const sc_fsnode *n, void *ud)
{
	file_walk *w = ud;
	const scan_result *res;

	if (!is_file(n) || !(res = key_result(n)) || os_owned(w->ctx->cat, n->e.path) || over_cap(&w->cnt))
		return 0;
	/* A passphrase-protected key is still key material, but needs the passphrase too: high, not critical. */
	return sc_audit_add(w->out, w->r, res->encrypted >= res->keys ? SC_LEVEL_HIGH : -1, n->e.path, NULL,
			    "/%s holds %u PEM private key%s (%s%s)", n->e.path, res->keys, res->keys > 1 ? "s" : "",
			    res->key_label, res->encrypted >= res->keys ? ", encrypted" : "");
}

static int run_files(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out, sc_fsview_walk_cb cb)
{
	file_walk w = { ctx, r, out, { 0, 0 } };
	int rc;

	if (!ctx->view)
		return 0;
	if ((rc = sc_fsview_walk(ctx->view, cb, &w)) != 0)
		return rc;
	return report_more(&w.cnt, r, out);
}

static int check_keys(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	return run_files(ctx, r, out, keys_cb);
}

/* ---- SC-3005: credential files -------------------------------------------- */

/* What a credential file parser found: up to SHOWN_ITEMS "name=masked" items. */
typedef struct items {
	char text[1024];
	size_t n;
} items;

static void item(items *it, const char *name, const char *value)
{
	char shown[64], sname[96];
	size_t used = strlen(it->text);

	if (it->n++ >= SHOWN_ITEMS)
		return;
	safe_name(sname, sizeof(sname), name);
	sc_mask_value(value, shown, sizeof(shown));
	snprintf(it->text + used, sizeof(it->text) - used, "%s%s=%s", used ? ", " : "", sname, shown);
}

/* Already masked text (a URL with its password masked). */
static void item_text(items *it, const char *masked)
{
	size_t used = strlen(it->text);

	if (it->n++ >= SHOWN_ITEMS)
		return;
	snprintf(it->text + used, sizeof(it->text) - used, "%s%s", used ? ", " : "", masked);
}

typedef int (*line_fn)(items *it, const char *key, const char *value);

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static void unquote(char **v)
{
	size_t n = strlen(*v);

	if (n >= 2 && ((*v)[0] == '"' || (*v)[0] == '\'') && (*v)[n - 1] == (*v)[0]) {
		(*v)[n - 1] = '\0';
		(*v)++;
	}
}

/*
 * KEY<sep>VALUE lines (ini, .env, YAML-ish): comments (#, ;) and section
 * headers skipped, "export " and YAML "- " dropped, values unquoted.
 */
static int kv_lines(items *it, const sc_capture *c, const char *seps, line_fn fn)
{
	const char *p = (const char *)c->data, *end = p + c->len, *nl;
	int rc;

	for (; p < end; p = nl + 1) {
		char line[1024], *k, *v, *sep;
		size_t n;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		n = (size_t)(nl - p);
		if (n >= sizeof(line))
			continue; /* longer lines are not simple settings */
		memcpy(line, p, n);
		line[n] = '\0';
		k = trim(line);
		if (*k == '#' || *k == ';' || *k == '[' || !*k)
			continue;
		if (strncmp(k, "export ", 7) == 0)
			k = trim(k + 7);
		if (strncmp(k, "- ", 2) == 0)
			k = trim(k + 2);
		if (!(sep = strpbrk(k, seps)))
			continue;
		*sep = '\0';
		k = trim(k);
		v = trim(sep + 1);
		unquote(&v);
		if (*v && (rc = fn(it, k, v)) != 0)
			return rc;
	}
	return 0;
}

static int key_in(const char *k, const char *const *names)
{
	size_t i;

	for (i = 0; names[i]; i++)
		if (strcasecmp(k, names[i]) == 0)
			return 1;
	return 0;
}

static int aws_line(items *it, const char *k, const char *v)
{
	static const char *const names[] = { "aws_secret_access_key", "aws_session_token", "aws_security_token", NULL };

	if (key_in(k, names) && !sc_secret_trivial(v))
		item(it, k, v);
	return 0;
}

static int hf_stored_line(items *it, const char *k, const char *v)
{
	if (strcmp(k, "hf_token") == 0 && !sc_secret_trivial(v))
		item(it, k, v);
	return 0;
}

static int kube_line(items *it, const char *k, const char *v)
{
	static const char *const names[] = { "client-key-data", "token", "password", "client-secret", "id-token",
					     "refresh-token", "access-token", NULL };

	if (key_in(k, names) && !sc_secret_trivial(v))
		item(it, k, v);
	return 0;
}

static int env_line(items *it, const char *k, const char *v)
{
	char shown[256];
	const char *kind;
	int rc;

	if ((rc = credential_kv(k, v, shown, sizeof(shown), &kind)) <= 0)
		return rc;
	if (strcmp(kind, "credential inside the value") == 0) {
		char sname[96], both[400];

		safe_name(sname, sizeof(sname), k);
		snprintf(both, sizeof(both), "%s=%s", sname, shown);
		item_text(it, both);
	} else {
		item(it, k, v);
	}
	return 0;
}

static int pypirc_line(items *it, const char *k, const char *v)
{
	if (strcasecmp(k, "password") == 0 && !sc_secret_trivial(v))
		item(it, k, v);
	return 0;
}

static int npmrc_line(items *it, const char *k, const char *v)
{
	size_t n = strlen(k);
	static const char *const sfx[] = { "_authToken", "_auth", "_password", NULL };
	size_t i;

	for (i = 0; sfx[i]; i++) {
		size_t m = strlen(sfx[i]);

		if (n >= m && strcmp(k + n - m, sfx[i]) == 0 && !sc_secret_trivial(v)) {
			item(it, k, v);
			break;
		}
	}
	return 0;
}

static int yarnrc_line(items *it, const char *k, const char *v)
{
	if ((strcmp(k, "npmAuthToken") == 0 || strcmp(k, "npmAuthIdent") == 0) && !sc_secret_trivial(v))
		item(it, k, v);
	return 0;
}

/* Single-line token file (huggingface/token). */
static int parse_token_file(items *it, const sc_capture *c)
{
	char tok[512], *t;
	size_t n = strcspn((const char *)c->data, "\r\n");

	if (n >= sizeof(tok))
		n = sizeof(tok) - 1;
	memcpy(tok, c->data, n);
	tok[n] = '\0';
	t = trim(tok);
	if (*t && !sc_secret_trivial(t))
		item(it, "token", t);
	return 0;
}

/* netrc(5): "machine M login L password P" tokens, any layout. */
static int parse_netrc(items *it, const sc_capture *c)
{
	const char *p = (const char *)c->data, *end = p + c->len;
	int want = 0;

	while (p < end) {
		char tok[512];
		size_t n = 0;

		while (p < end && isspace((unsigned char)*p))
			p++;
		while (p < end && !isspace((unsigned char)*p)) {
			if (n < sizeof(tok) - 1)
				tok[n++] = *p;
			p++;
		}
		tok[n] = '\0';
		if (!n)
			continue;
		if (want) {
			if (!sc_secret_trivial(tok))
				item(it, "password", tok);
			want = 0;
		} else if (strcmp(tok, "password") == 0) {
			want = 1;
		}
	}
	return 0;
}

static int parse_json(json_t **out, const sc_capture *c, const char *what)
{
	*out = NULL;
	if (c->truncated || sc_json_parse(out, (const char *)c->data, c->len, CRED_CAPTURE, 16, what) != 0) {
		sc_error_clear(); /* not JSON (or too big to parse): not a credential file of this kind */
		*out = NULL;
	}
	return 0;
}

/* docker config.json: auths.<registry>.auth / identitytoken; .dockercfg: <registry>.auth. */
static int parse_docker(items *it, const sc_capture *c)
{
	json_t *root, *auths, *e;
	const char *reg;

	parse_json(&root, c, "docker config");
	if (!root || !json_is_object(root))
		goto out;
	auths = json_object_get(root, "auths");
	if (!json_is_object(auths))
		auths = root; /* legacy .dockercfg */
	json_object_foreach(auths, reg, e) {
		static const char *const fields[] = { "auth", "identitytoken", "registrytoken", "password", NULL };
		size_t f;

		if (!json_is_object(e))
			continue;
		for (f = 0; fields[f]; f++) {
			const char *v = sc_json_str(e, fields[f]);
			char name[160];

			if (!v || sc_secret_trivial(v))
				continue;
			snprintf(name, sizeof(name), "%.120s %s", reg, fields[f]);
			item(it, name, v);
		}
	}
out:
	json_decref(root);
	return 0;
}

/* Google credentials: service-account keys and gcloud user refresh tokens. */
static int parse_gcp(items *it, const sc_capture *c)
{
	json_t *root;
	const char *type, *v;

	parse_json(&root, c, "google credentials");
	if (!root || !json_is_object(root))
		goto out;
	type = sc_json_str(root, "type");
	if (type && strcmp(type, "service_account") == 0 && (v = sc_json_str(root, "private_key")) != NULL &&
	    !sc_secret_trivial(v))
		item(it, "private_key", v);
	if (type && strcmp(type, "authorized_user") == 0 && (v = sc_json_str(root, "refresh_token")) != NULL &&
	    !sc_secret_trivial(v))
		item(it, "refresh_token", v);
	if ((v = sc_json_str(root, "client_secret")) != NULL && !sc_secret_trivial(v) && type &&
	    strcmp(type, "authorized_user") == 0)
		item(it, "client_secret", v);
out:
	json_decref(root);
	return 0;
}

/* git-credential-store: one URL with user:password@ per line. */
static int parse_gitcred(items *it, const sc_capture *c)
{
	const char *p = (const char *)c->data, *end = p + c->len, *nl;
	int rc;

	for (; p < end; p = nl + 1) {
		char line[1024], shown[SHOWN_TEXT + 64];
		size_t n;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		n = (size_t)(nl - p);
		if (n >= sizeof(line))
			continue;
		memcpy(line, p, n);
		line[n] = '\0';
		if ((rc = mask_into(trim(line), shown, sizeof(shown), &n)) != 0)
			return rc;
		if (n)
			item_text(it, shown);
	}
	return 0;
}

static int parse_aws(items *it, const sc_capture *c) { return kv_lines(it, c, "=", aws_line); }
static int parse_hf_stored(items *it, const sc_capture *c) { return kv_lines(it, c, "=", hf_stored_line); }
static int parse_kube(items *it, const sc_capture *c) { return kv_lines(it, c, ":", kube_line); }
static int parse_env(items *it, const sc_capture *c) { return kv_lines(it, c, "=", env_line); }
static int parse_pypirc(items *it, const sc_capture *c) { return kv_lines(it, c, "=:", pypirc_line); }
static int parse_npmrc(items *it, const sc_capture *c) { return kv_lines(it, c, "=", npmrc_line); }
static int parse_yarnrc(items *it, const sc_capture *c) { return kv_lines(it, c, ":", yarnrc_line); }

typedef struct cred_kind {
	const char *what;
	const char *const *globs;
	int (*parse)(items *it, const sc_capture *c);
} cred_kind;

static const cred_kind cred_kinds[] = {
	{ "AWS credentials file", aws_globs, parse_aws },
	{ "Hugging Face token file", hf_globs, parse_token_file },
	{ "Hugging Face stored tokens", hf_stored_globs, parse_hf_stored },
	{ "netrc file", netrc_globs, parse_netrc },
	{ "Docker registry credentials", docker_globs, parse_docker },
	{ "Kubernetes config", kube_globs, parse_kube },
	{ "dotenv file", env_globs, parse_env },
	{ "PyPI credentials (.pypirc)", pypirc_globs, parse_pypirc },
	{ "npm credentials (.npmrc)", npmrc_globs, parse_npmrc },
	{ "Yarn credentials (.yarnrc.yml)", yarnrc_globs, parse_yarnrc },
	{ "git credential store", gitcred_globs, parse_gitcred },
	{ "Google credentials JSON", gcp_globs, parse_gcp },
};

static const cred_kind *cred_kind_of(const char *path)
{
	size_t i, g;

	for (i = 0; i < sizeof(cred_kinds) / sizeof(cred_kinds[0]); i++)
		for (g = 0; cred_kinds[i].globs[g]; g++)
			if (sc_path_match(cred_kinds[i].globs[g], path))
				return &cred_kinds[i];
	return NULL;
}

/* Found credentials of this file (it->n > 0), from either SC-3005 capture. */
static int cred_items(const sc_fsnode *n, items *it, const cred_kind **kind)
{
	static const cred_kind gcp = { "Google service-account key", gcp_globs, parse_gcp };
	const sc_capture *c = sc_fsnode_capture(n, &cred_interest);

	memset(it, 0, sizeof(*it));
	*kind = NULL;
	if (c && c->data && (*kind = cred_kind_of(n->e.path)) != NULL)
		return (*kind)->parse(it, c);
	c = sc_fsnode_capture(n, &gcp_magic_interest);
	if (c && c->data) {
		*kind = &gcp;
		return parse_gcp(it, c);
	}
	return 0;
}

static int creds_cb(const sc_fsnode *n, void *ud)
{
	file_walk *w = ud;
	const cred_kind *kind;
	items it;
	int rc;

	if (!is_file(n) || test_material(n->e.path))
		return 0;
	if ((rc = cred_items(n, &it, &kind)) != 0)
		return rc;
	if (!it.n || os_owned(w->ctx->cat, n->e.path) || over_cap(&w->cnt))
		return 0;
	if (it.n > SHOWN_ITEMS)
		return sc_audit_add(w->out, w->r, -1, n->e.path, NULL, "%s /%s: %s and %zu more", kind->what, n->e.path,
				    it.text, it.n - SHOWN_ITEMS);
	return sc_audit_add(w->out, w->r, -1, n->e.path, NULL, "%s /%s: %s", kind->what, n->e.path, it.text);
}

static int check_cred_files(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	return run_files(ctx, r, out, creds_cb);
}

/* ---- SC-3006: token shapes in configuration files ------------------------- */

static int tokens_cb(const sc_fsnode *n, void *ud)
{
	file_walk *w = ud;
	const sc_capture *c;
	const scan_result *res;
	const cred_kind *kind;
	char text[1024] = "";
	size_t i, shown = 0, skipped = 0, total;
	items it;
	int rc, key_file;

	if (!is_file(n) || !(c = sc_fsnode_capture(n, &token_interest)) || !(res = c->result))
		return 0;
	/* Credential files are SC-3005's and private key files SC-3004's. */
	if ((rc = cred_items(n, &it, &kind)) != 0)
		return rc;
	if (it.n)
		return 0;
	key_file = key_result(n) != NULL;
	for (i = 0; i < res->n_hits; i++) {
		const scan_hit *h = &res->hits[i];
		size_t used = strlen(text);

		if (key_file && !h->shown[0]) {
			skipped++;
			continue;
		}
		if (shown++ >= SHOWN_ITEMS)
			continue;
		if (h->shown[0])
			snprintf(text + used, sizeof(text) - used, "%s%s %s at line %u", used ? ", " : "", h->kind,
				 h->shown, h->line);
		else
			snprintf(text + used, sizeof(text) - used, "%sPEM %s block at line %u", used ? ", " : "",
				 h->kind, h->line);
	}
	total = res->n_hits - skipped + res->more_hits;
	if (!shown || os_owned(w->ctx->cat, n->e.path) || over_cap(&w->cnt))
		return 0;
	if (total > SHOWN_ITEMS)
		return sc_audit_add(w->out, w->r, -1, n->e.path, NULL, "/%s: %s and %zu more", n->e.path, text,
				    total - SHOWN_ITEMS);
	return sc_audit_add(w->out, w->r, -1, n->e.path, NULL, "/%s: %s", n->e.path, text);
}

static int check_tokens(const sc_audit_ctx *ctx, const sc_rule *r, sc_findings *out)
{
	return run_files(ctx, r, out, tokens_cb);
}

/* ---- the rules -------------------------------------------------------------- */

static const sc_rule env_rule = {
	"SC-3001", SC_AUDIT_SECRETS, SC_LEVEL_CRITICAL, "credentials in the image config environment",
	"pass secrets at run time (orchestrator secrets, mounted files); scute harden drops secret-looking Env entries",
	"CIS Docker 4.10; Dockle CIS-DI-0010", check_env,
};
static const sc_rule label_rule = {
	"SC-3002", SC_AUDIT_SECRETS, SC_LEVEL_CRITICAL, "credentials in the image config labels",
	"remove the label from the build (LABEL) and rotate the credential; labels are public metadata",
	"CIS Docker 4.10; Dockle CIS-DI-0010", check_labels,
};
static const sc_rule history_rule = {
	"SC-3003", SC_AUDIT_SECRETS, SC_LEVEL_CRITICAL, "credentials in the image history (build commands)",
	"rotate the credential; use build secrets (RUN --mount=type=secret) instead of ENV, ARG or inline values",
	"CIS Docker 4.10; Dockle CIS-DI-0010", check_history,
};
static const sc_rule key_rule = {
	"SC-3004", SC_AUDIT_SECRETS, SC_LEVEL_CRITICAL, "private keys in image files",
	"remove the key from the image and rotate it; mount keys at run time (secrets, volumes)",
	"CIS Docker 4.10; Dockle CIS-DI-0010; NIST SP 800-190 4.1.4", check_keys,
};
static const sc_rule cred_file_rule = {
	"SC-3005", SC_AUDIT_SECRETS, SC_LEVEL_CRITICAL, "cloud, registry or API credential files in the image",
	"remove the file in the same build step that needed it (or use RUN --mount=type=secret) and rotate the "
	"credential",
	"CIS Docker 4.10; Dockle CIS-DI-0010; NIST SP 800-190 4.1.4", check_cred_files,
};
static const sc_rule token_rule = {
	"SC-3006", SC_AUDIT_SECRETS, SC_LEVEL_HIGH, "API tokens in configuration files",
	"move the token to a run-time secret and rotate it",
	"CIS Docker 4.10; NIST SP 800-190 4.1.4", check_tokens,
};

const sc_rule *const sc_rules_secrets[] = { &env_rule, &label_rule, &history_rule, &key_rule, &cred_file_rule,
					    &token_rule, NULL };
