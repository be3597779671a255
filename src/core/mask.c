/*
 * mask.c - secret-looking names/values and masking; see mask.h.
 */
#include "core/mask.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define WORD_MAX 1024

/* NAME contains `needle` (case-insensitive) at a place not followed by one of `unless` (may be NULL). */
static int icontains_unless(const char *hay, const char *needle, const char *const *unless)
{
	size_t n = strlen(needle), k;

	for (; *hay; hay++) {
		int excluded = 0;

		if (strncasecmp(hay, needle, n) != 0)
			continue;
		for (k = 0; unless && unless[k]; k++)
			if (strncasecmp(hay + n, unless[k], strlen(unless[k])) == 0)
				excluded = 1;
		if (!excluded)
			return 1;
	}
	return 0;
}

int sc_secret_name(const char *name)
{
	static const char *const words[] = {
		"SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "API_KEY", "APIKEY", "API-KEY",
		"ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL", "SESSION_KEY", "_PWD", "ACCOUNT_KEY",
		"ENCRYPTION_KEY", "SIGNING_KEY", "MASTER_KEY",
	};
	/* AUTHOR, AUTHORS, AUTHORITY are not secrets; AUTHORIZATION is. */
	static const char *const auth_unless[] = { "OR", NULL };
	/* TOKENIZER, TOKENIZERS_PARALLELISM (every ML image) are not secrets. */
	static const char *const token_unless[] = { "IZ", "IS", NULL };
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (icontains_unless(name, words[i], NULL))
			return 1;
	if (icontains_unless(name, "TOKEN", token_unless))
		return 1;
	if (icontains_unless(name, "AUTH", auth_unless) || icontains_unless(name, "AUTHORIZ", NULL) ||
	    icontains_unless(name, "AUTHORIS", NULL))
		return 1;
	return 0;
}

static int token_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

typedef struct shape {
	const char *prefix;
	size_t min_rest;   /* characters after the prefix, at least */
	size_t exact_len;  /* whole value length when fixed, else 0 */
	const char *kind;
} shape;

/* Specific prefixes before the general ones they share a start with. */
static const shape shapes[] = {
	{ "github_pat_", 30, 0, "GitHub token" },
	{ "ghp_", 30, 0, "GitHub token" },
	{ "gho_", 30, 0, "GitHub token" },
	{ "ghu_", 30, 0, "GitHub token" },
	{ "ghs_", 30, 0, "GitHub token" },
	{ "ghr_", 30, 0, "GitHub token" },
	{ "glpat-", 20, 0, "GitLab token" },
	{ "hf_", 30, 0, "Hugging Face token" },
	{ "api_org_", 30, 0, "Hugging Face token" },
	{ "sk-ant-", 32, 0, "Anthropic API key" },
	{ "sk-proj-", 32, 0, "OpenAI API key" },
	{ "sk-svcacct-", 32, 0, "OpenAI API key" },
	{ "sk-", 20, 0, "OpenAI API key" },
	{ "sk_live_", 20, 0, "Stripe key" },
	{ "rk_live_", 20, 0, "Stripe key" },
	{ "xoxb-", 20, 0, "Slack token" },
	{ "xoxp-", 20, 0, "Slack token" },
	{ "xoxa-", 20, 0, "Slack token" },
	{ "xoxr-", 20, 0, "Slack token" },
	{ "xoxs-", 20, 0, "Slack token" },
	{ "xapp-", 20, 0, "Slack token" },
	{ "AIza", 35, 39, "Google API key" },
	{ "pypi-AgE", 50, 0, "PyPI token" },
	{ "npm_", 36, 40, "npm token" },
};

/* The rest of a prefixed token: token characters only, with a digit or an upper-case letter for "sk-". */
static int rest_ok(const char *rest, int need_mixed)
{
	int digit = 0, upper = 0;

	for (; *rest; rest++) {
		if (!token_char(*rest))
			return 0;
		digit |= isdigit((unsigned char)*rest) != 0;
		upper |= isupper((unsigned char)*rest) != 0;
	}
	return !need_mixed || digit || upper;
}

const char *sc_secret_kind(const char *v)
{
	size_t i, len = strlen(v);

	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		const shape *s = &shapes[i];
		size_t pl = strlen(s->prefix);

		if (strncmp(v, s->prefix, pl) != 0)
			continue;
		if (len - pl < s->min_rest || (s->exact_len && len != s->exact_len) ||
		    !rest_ok(v + pl, strcmp(s->prefix, "sk-") == 0))
			return NULL;
		return s->kind;
	}
	if ((strncmp(v, "AKIA", 4) == 0 || strncmp(v, "ASIA", 4) == 0) && len == 20) {
		for (i = 4; i < 20; i++)
			if (!isupper((unsigned char)v[i]) && !isdigit((unsigned char)v[i]))
				return NULL;
		return "AWS access key id";
	}
	if (strstr(v, "-----BEGIN") && strstr(v, "PRIVATE KEY"))
		return "private key";
	return NULL;
}

int sc_secret_value(const char *v)
{
	return sc_secret_kind(v) != NULL;
}

int sc_secret_trivial(const char *v)
{
	static const char *const words[] = { "true", "false", "yes", "no", "on", "off", "none", "null", "nil",
					     "enabled", "disabled", "undefined" };
	size_t i, len = strlen(v);
	int only_digits = 1, only_stars = 1;

	if (len == 0 || v[0] == '$' || v[0] == '/' || strncmp(v, "./", 2) == 0 || strncmp(v, "~/", 2) == 0)
		return 1;
	if (strncmp(v, "{{", 2) == 0 || (v[0] == '<' && v[len - 1] == '>') || (v[0] == '%' && v[len - 1] == '%'))
		return 1;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(v, words[i]) == 0)
			return 1;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)v[i]) && !(i == 0 && (v[i] == '-' || v[i] == '+')) && v[i] != '.')
			only_digits = 0;
		if (v[i] != '*' && v[i] != 'x' && v[i] != 'X')
			only_stars = 0;
	}
	return only_digits || only_stars;
}

static void mask_span(const char *value, size_t len, char *out, size_t outsz)
{
	int keep = 4;

	/* At most 4 bytes shown, never half a UTF-8 character (invalid text in reports). */
	while (len > 4 && keep > 0 && ((unsigned char)value[keep] & 0xC0) == 0x80)
		keep--;
	if (len <= 4 || keep == 0)
		snprintf(out, outsz, "\xe2\x80\xa6(%zu chars)", len);
	else
		snprintf(out, outsz, "%.*s\xe2\x80\xa6(%zu chars)", keep, value, len);
}

char *sc_mask_value(const char *value, char *out, size_t outsz)
{
	mask_span(value, strlen(value), out, outsz);
	return out;
}

static int is_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '\'' || c == ';' || c == '&' ||
	       c == '|' || c == ',' || c == '[' || c == ']' || c == '`' || c == '(' || c == ')';
}

/* Separators that end a command: a pending "next word is a secret" does not cross them. */
static int is_cmd_sep(char c)
{
	return c == ';' || c == '&' || c == '|' || c == '\n';
}

typedef struct masker {
	sc_buf *out;
	size_t n;
	int pending; /* 1: the next word is a credential; 2: the next word may be an auth scheme first */
} masker;

/* Emit value[0..len) masked when it is not trivial (copy = its NUL-terminated prefix). */
static int put_value(masker *m, const char *value, size_t len, const char *copy, int force)
{
	char masked[64];

	if (!force && sc_secret_trivial(copy))
		return sc_buf_append(m->out, value, len);
	mask_span(value, len, masked, sizeof(masked));
	m->n++;
	return sc_buf_puts(m->out, masked);
}

static int is_scheme(const char *w)
{
	return strcasecmp(w, "Bearer") == 0 || strcasecmp(w, "Basic") == 0 || strcasecmp(w, "Token") == 0 ||
	       strcasecmp(w, "Digest") == 0;
}

/* --password, --token, -api-key style flags whose argument is the next word. */
static int secret_flag(const char *w)
{
	static const char *const names[] = { "password", "passwd", "token", "secret", "api-key", "apikey", NULL };
	size_t i;

	if (w[0] != '-' || strchr(w, '='))
		return 0;
	for (i = 0; names[i]; i++)
		if (strcasestr(w, names[i]) && !strcasestr(w, "file") && !strcasestr(w, "stdin"))
			return 1;
	return 0;
}

/*
 * scheme://user:password@host...: mask the password (or a credential-shaped
 * user).  Returns 1 when it handled the word.
 */
static int put_url(masker *m, const char *s, size_t n, const char *word, int *rc)
{
	const char *sch = strstr(word, "://"), *ui, *at, *slash, *colon;
	char part[WORD_MAX];
	size_t off, ulen;

	*rc = 0;
	if (!sch)
		return 0;
	ui = sch + 3;
	slash = strchr(ui, '/');
	at = strchr(ui, '@');
	if (!at || (slash && slash < at))
		return 0;
	/* Offsets within word are offsets within s: word is s's prefix copy. */
	colon = memchr(ui, ':', (size_t)(at - ui));
	if (colon) {
		off = (size_t)(colon + 1 - word);
		ulen = (size_t)(at - colon - 1);
	} else {
		off = (size_t)(ui - word);
		ulen = (size_t)(at - ui);
	}
	memcpy(part, word + off, ulen);
	part[ulen] = '\0';
	if (!colon && !sc_secret_value(part))
		return 0;
	if ((*rc = sc_buf_append(m->out, s, off)) != 0 || (*rc = put_value(m, s + off, ulen, part, !colon)) != 0)
		return 1;
	*rc = sc_buf_append(m->out, s + off + ulen, n - off - ulen);
	return 1;
}

/*
 * Token-shaped runs inside a word the rules above left alone: "key:ghp_...",
 * "x.hf_...", a token after a control byte.  Each run of token characters
 * that starts after a non-token character is masked when it has a
 * credential shape; the rest of the word is copied.
 */
static int put_embedded(masker *m, const char *s, size_t n)
{
	char run[WORD_MAX];
	size_t i = 0, j, rl, start = 0;
	int rc;

	while (i < n) {
		if (!token_char(s[i]) || (i > 0 && token_char(s[i - 1]))) {
			i++;
			continue;
		}
		for (j = i; j < n && token_char(s[j]); j++)
			;
		rl = j - i < sizeof(run) ? j - i : sizeof(run) - 1;
		memcpy(run, s + i, rl);
		run[rl] = '\0';
		if (sc_secret_value(run)) {
			if ((rc = sc_buf_append(m->out, s + start, i - start)) != 0 ||
			    (rc = put_value(m, s + i, j - i, run, 1)) != 0)
				return rc;
			start = j;
		}
		i = j;
	}
	return sc_buf_append(m->out, s + start, n - start);
}

static int put_word(masker *m, const char *s, size_t n)
{
	char word[WORD_MAX];
	size_t wn = n < sizeof(word) ? n : sizeof(word) - 1;
	const char *eq;
	int rc;

	memcpy(word, s, wn);
	word[wn] = '\0';
	if (m->pending) {
		if (m->pending == 2 && is_scheme(word)) {
			m->pending = 1;
			return sc_buf_append(m->out, s, n);
		}
		m->pending = 0;
		return put_value(m, s, n, word, 0);
	}
	if (wn > 1 && word[wn - 1] == ':' && n == wn) {
		word[wn - 1] = '\0';
		if (sc_secret_name(word))
			m->pending = 2;
		return sc_buf_append(m->out, s, n);
	}
	if (strcasecmp(word, "Bearer") == 0 || secret_flag(word)) {
		m->pending = 1;
		return sc_buf_append(m->out, s, n);
	}
	eq = strchr(word, '=');
	if (eq && eq[1]) {
		char name[256];
		size_t nl = (size_t)(eq - word);

		snprintf(name, sizeof(name), "%.*s", (int)(nl < 255 ? nl : 255), word);
		if (sc_secret_name(name) || sc_secret_value(eq + 1)) {
			if ((rc = sc_buf_append(m->out, s, nl + 1)) != 0)
				return rc;
			return put_value(m, s + nl + 1, n - nl - 1, eq + 1, sc_secret_value(eq + 1));
		}
	}
	if (put_url(m, s, n, word, &rc))
		return rc;
	if (sc_secret_value(word))
		return put_value(m, s, n, word, 1);
	return put_embedded(m, s, n);
}

int sc_mask_text_n(const char *in, sc_buf *out, size_t *n_masked)
{
	masker m = { out, 0, 0 };
	const char *p = in;
	int rc;

	while (*p) {
		const char *s = p;

		if (is_sep(*p)) {
			if (is_cmd_sep(*p))
				m.pending = 0;
			if ((rc = sc_buf_putc(out, *p++)) != 0)
				return rc;
			continue;
		}
		while (*p && !is_sep(*p))
			p++;
		if ((rc = put_word(&m, s, (size_t)(p - s))) != 0)
			return rc;
	}
	if (n_masked)
		*n_masked = m.n;
	return 0;
}

int sc_mask_text(const char *in, sc_buf *out)
{
	return sc_mask_text_n(in, out, NULL);
}
