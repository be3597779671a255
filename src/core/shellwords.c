/*
 * shellwords.c - POSIX-shell-like word splitting without expansion; see
 * shellwords.h for the grammar and what is refused.
 *
 * Spec: POSIX.1-2024 XCU 2.2 "Quoting" and 2.3 "Token Recognition",
 * https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html
 */
#include "core/shellwords.h"
#include "core/buf.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>

#define PFX "shell words: "
#define HINT "needs a shell (run it with /bin/sh -c, or give the exec form)"

void sc_shell_free(char **argv)
{
	char **p;

	if (!argv)
		return;
	for (p = argv; *p; p++)
		free(*p);
	free(argv);
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

/* Control operators and redirections: characters that end a word in sh. */
static int is_operator(char c)
{
	return c != '\0' && strchr("|&;<>()", c) != NULL;
}

/* Report an operator (up to two characters of it, e.g. "&&", ">>"). */
static int refuse_operator(const char *s, size_t i)
{
	int n = is_operator(s[i + 1]) ? 2 : 1;

	return sc_error_set(SC_EUSAGE, PFX "'%.*s' at byte %zu " HINT, n, s + i, i);
}

/* A first word NAME=... is a variable assignment for the command in sh. */
static int is_assignment(const char *p)
{
	if (!is_name_start(*p))
		return 0;
	while (is_name_char(*p))
		p++;
	return *p == '=';
}

/* Append word to the array (grown by doubling, capped by the word limit). */
static int push_word(char ***v, size_t *n, size_t *cap, const char *w, size_t wl)
{
	char *c;

	if (*n >= SC_SHELL_MAX_WORDS)
		return sc_error_set(SC_ELIMIT, PFX "more than %u words", SC_SHELL_MAX_WORDS);
	if (*n + 1 >= *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		char **nv;

		if (ncap > SC_SHELL_MAX_WORDS + 1)
			ncap = SC_SHELL_MAX_WORDS + 1;
		nv = sc_reallocarray(*v, ncap, sizeof(*nv));
		if (!nv)
			return SC_ENOMEM;
		*v = nv;
		*cap = ncap;
	}
	c = sc_strndup(w, wl);
	if (!c)
		return SC_ENOMEM;
	(*v)[(*n)++] = c;
	(*v)[*n] = NULL;
	return 0;
}

/*
 * Scan one word starting at s[*ip] (not a blank, not '#') into w; *ip ends
 * at the blank, newline or NUL that ended it.
 */
static int scan_word(const char *s, size_t *ip, char *w, size_t *wl_out)
{
	size_t i = *ip, wl = 0;

	while (s[i] != '\0' && !is_blank(s[i]) && s[i] != '\n') {
		char c = s[i];

		if (c == '\\') {
			if (s[i + 1] == '\0')
				return sc_error_set(SC_EUSAGE, PFX "trailing backslash at byte %zu", i);
			if (s[i + 1] != '\n') /* backslash-newline: line continuation */
				w[wl++] = s[i + 1];
			i += 2;
		} else if (c == '\'') {
			const char *end = strchr(s + i + 1, '\'');
			size_t n;

			if (!end)
				return sc_error_set(SC_EUSAGE, PFX "unterminated single quote opened at byte %zu", i);
			n = (size_t)(end - (s + i + 1));
			memcpy(w + wl, s + i + 1, n);
			wl += n;
			i += n + 2;
		} else if (c == '"') {
			size_t open = i++;

			for (;;) {
				char d = s[i];

				if (d == '\0')
					return sc_error_set(SC_EUSAGE, PFX "unterminated double quote opened at byte %zu",
							    open);
				if (d == '"') {
					i++;
					break;
				}
				if (d == '\\') {
					char e = s[i + 1];

					if (e == '\\' || e == '"' || e == '$' || e == '`') {
						w[wl++] = e;
						i += 2;
					} else if (e == '\n') {
						i += 2;
					} else {
						/* a lone backslash before NUL is caught as unterminated above */
						w[wl++] = d;
						i++;
					}
				} else if (d == '$' || d == '`') {
					return sc_error_set(SC_EUSAGE, PFX "'%c' at byte %zu inside double quotes " HINT,
							    d, i);
				} else {
					w[wl++] = d;
					i++;
				}
			}
		} else if (is_operator(c)) {
			return refuse_operator(s, i);
		} else if (c == '$' || c == '`') {
			return sc_error_set(SC_EUSAGE, PFX "'%c' at byte %zu " HINT, c, i);
		} else if (c == '*' || c == '?' || c == '[') {
			return sc_error_set(SC_EUSAGE, PFX "'%c' at byte %zu is a pathname pattern that " HINT
					    " (quote it to pass it literally)", c, i);
		} else {
			w[wl++] = c;
			i++;
		}
	}
	*ip = i;
	*wl_out = wl;
	return 0;
}

int sc_shell_split(const char *s, char ***argv_out, size_t *argc_out)
{
	size_t len, i = 0, n = 0, cap = 0, wl = 0;
	char **v = NULL, *w = NULL;
	int rc = 0, newline_seen = 0;

	if (!s || !argv_out || !argc_out)
		return sc_error_set(SC_EUSAGE, PFX "NULL argument");
	len = strnlen(s, (size_t)SC_SHELL_MAX_INPUT + 1);
	if (len > SC_SHELL_MAX_INPUT)
		return sc_error_set(SC_ELIMIT, PFX "command longer than %u bytes", SC_SHELL_MAX_INPUT);
	/* A word is never longer than the input; one scratch buffer serves all. */
	w = sc_malloc(len + 1);
	if (!w)
		return SC_ENOMEM;
	for (;;) {
		for (;;) {
			if (s[i] == '\\' && s[i + 1] == '\n') { /* line continuation: removed */
				i += 2;
				continue;
			}
			if (!is_blank(s[i]) && s[i] != '\n')
				break;
			if (s[i] == '\n')
				newline_seen = 1;
			i++;
		}
		if (s[i] == '\0')
			break;
		if (s[i] == '#') { /* comment to the end of the line */
			while (s[i] != '\0' && s[i] != '\n')
				i++;
			continue;
		}
		if (n > 0 && newline_seen) {
			rc = sc_error_set(SC_EUSAGE, PFX "a newline at byte %zu separates commands; that " HINT, i);
			goto out;
		}
		if (s[i] == '~') {
			rc = sc_error_set(SC_EUSAGE, PFX "'~' at byte %zu (tilde expansion) " HINT, i);
			goto out;
		}
		if (n == 0 && is_assignment(s + i)) {
			size_t nl = (size_t)(strchr(s + i, '=') - (s + i)) + 1;

			rc = sc_error_set(SC_EUSAGE, PFX "'%.*s%s' at byte %zu is a variable assignment that " HINT,
					  (int)(nl > 64 ? 64 : nl), s + i, nl > 64 ? "..." : "", i);
			goto out;
		}
		rc = scan_word(s, &i, w, &wl);
		if (rc)
			goto out;
		rc = push_word(&v, &n, &cap, w, wl);
		if (rc)
			goto out;
		newline_seen = 0;
	}
	if (!v) {
		v = sc_calloc(1, sizeof(*v));
		if (!v) {
			rc = SC_ENOMEM;
			goto out;
		}
	}
	*argv_out = v;
	*argc_out = n;
	v = NULL;
out:
	free(w);
	sc_shell_free(v);
	return rc;
}
