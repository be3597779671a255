/*
 * mask.c - secret-looking names/values and masking; see mask.h.
 */
#include "core/mask.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int icontains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

int sc_secret_name(const char *name)
{
	static const char *const words[] = {
		"TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "API_KEY", "APIKEY",
		"ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL", "AUTH", "SESSION_KEY", "_PWD",
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (icontains(name, words[i]))
			return 1;
	return 0;
}

static int prefixed(const char *v, const char *p, size_t min_rest)
{
	size_t n = strlen(p);

	return strncmp(v, p, n) == 0 && strlen(v + n) >= min_rest;
}

int sc_secret_value(const char *v)
{
	size_t i;

	if (prefixed(v, "hf_", 30) || prefixed(v, "ghp_", 30) || prefixed(v, "gho_", 30) ||
	    prefixed(v, "ghs_", 30) || prefixed(v, "github_pat_", 30) || prefixed(v, "sk-", 20) ||
	    prefixed(v, "xoxb-", 20) || prefixed(v, "glpat-", 20) || strstr(v, "-----BEGIN") != NULL)
		return 1;
	if ((prefixed(v, "AKIA", 16) || prefixed(v, "ASIA", 16)) && strlen(v) == 20) {
		for (i = 4; i < 20; i++)
			if (!isupper((unsigned char)v[i]) && !isdigit((unsigned char)v[i]))
				return 0;
		return 1;
	}
	return 0;
}

char *sc_mask_value(const char *value, char *out, size_t outsz)
{
	size_t len = strlen(value);

	if (len <= 4)
		snprintf(out, outsz, "…(%zu chars)", len);
	else
		snprintf(out, outsz, "%.4s…(%zu chars)", value, len);
	return out;
}

static int is_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '"' || c == '\'' || c == ';' || c == '&' ||
	       c == '|' || c == ',' || c == '[' || c == ']';
}

int sc_mask_text(const char *in, sc_buf *out)
{
	const char *p = in;
	int rc;

	while (*p) {
		const char *s = p, *eq;
		size_t n;
		char word[1024], masked[64];

		if (is_sep(*p)) {
			if ((rc = sc_buf_putc(out, *p++)) != 0)
				return rc;
			continue;
		}
		while (*p && !is_sep(*p))
			p++;
		n = (size_t)(p - s);
		if (n >= sizeof(word)) {
			if ((rc = sc_buf_append(out, s, n)) != 0)
				return rc;
			continue;
		}
		memcpy(word, s, n);
		word[n] = '\0';
		eq = strchr(word, '=');
		if (eq && eq[1]) {
			char name[256];
			size_t nl = (size_t)(eq - word);

			snprintf(name, sizeof(name), "%.*s", (int)(nl < 255 ? nl : 255), word);
			if (sc_secret_name(name) || sc_secret_value(eq + 1)) {
				if ((rc = sc_buf_append(out, word, nl + 1)) != 0 ||
				    (rc = sc_buf_puts(out, sc_mask_value(eq + 1, masked, sizeof(masked)))) != 0)
					return rc;
				continue;
			}
		}
		if (sc_secret_value(word))
			rc = sc_buf_puts(out, sc_mask_value(word, masked, sizeof(masked)));
		else
			rc = sc_buf_append(out, s, n);
		if (rc)
			return rc;
	}
	return 0;
}
