/*
 * fuzz.c (shellwords) - shell-like word splitting of hostile command
 * strings (image Cmd/Entrypoint in shell form, --entrypoint).  The input
 * (cut at its first NUL) must split or fail without crashing; a success
 * must give a NULL-terminated array of the announced length whose words
 * are no longer than the input, and quoting every word with single quotes
 * and splitting again must give the same words back.
 */
#include "core/error.h"
#include "core/shellwords.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* 'word' with each ' written as '\'' (at most 4 bytes per input byte + 2). */
static size_t quote(char *out, const char *w)
{
	size_t o = 0;

	out[o++] = '\'';
	for (; *w; w++) {
		if (*w == '\'') {
			memcpy(out + o, "'\\''", 4);
			o += 4;
		} else {
			out[o++] = *w;
		}
	}
	out[o++] = '\'';
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *re = NULL, **argv = NULL, **argv2 = NULL;
	size_t argc = 0, argc2 = 0, i, o = 0, len;

	if (size > SC_SHELL_MAX_INPUT + 16)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	len = strlen(s);
	if (sc_shell_split(s, &argv, &argc) != 0)
		goto out;
	if (!argv || argv[argc] != NULL || argc > SC_SHELL_MAX_WORDS)
		abort();
	for (i = 0; i < argc; i++)
		if (!argv[i] || strlen(argv[i]) > len)
			abort();
	/* Round trip through single quotes: every word back, byte for byte. */
	re = malloc(len * 4 + argc * 3 + 1);
	if (!re)
		goto out;
	for (i = 0; i < argc; i++) {
		o += quote(re + o, argv[i]);
		re[o++] = ' ';
	}
	re[o] = '\0';
	if (o > SC_SHELL_MAX_INPUT)
		goto out; /* the quoted form may exceed the input limit */
	if (sc_shell_split(re, &argv2, &argc2) != 0 || argc2 != argc)
		abort();
	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], argv2[i]) != 0)
			abort();
out:
	sc_shell_free(argv);
	sc_shell_free(argv2);
	free(re);
	free(s);
	sc_error_clear();
	return 0;
}
