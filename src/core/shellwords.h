/*
 * shellwords.h - split a command line into words the way a POSIX shell
 * would, WITHOUT any expansion, so that a shell-form command (Dockerfile
 * "CMD python3 app.py", an --entrypoint string) can be run with execve.
 *
 * Grammar (a subset of POSIX sh "Token Recognition" and "Quoting",
 * https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html):
 *   - blanks (space, tab, newline) separate words;
 *   - '...' keeps everything literal up to the next single quote;
 *   - "..." is literal except that a backslash escapes \ " $ ` and newline
 *     (backslash-newline is removed); any other backslash stays;
 *   - outside quotes a backslash escapes the next character (backslash-
 *     newline is removed);
 *   - '#' at the start of a word begins a comment up to the end of the line;
 *   - '' and "" make an empty word.
 * Anything whose meaning needs a real shell is refused with SC_EUSAGE
 * ("... needs a shell") rather than passed on literally, so `a && b` is
 * never silently run as the program "a" with arguments "&&" and "b":
 *   unquoted | & ; < > ( ), unescaped $ and ` (also inside "..."),
 *   unquoted glob characters * ? [, a leading unquoted ~, and a leading
 *   NAME=value assignment in the first word.
 * Unterminated quotes and a trailing backslash are SC_EUSAGE too.
 * Limits: input at most SC_SHELL_MAX_INPUT bytes and SC_SHELL_MAX_WORDS
 * words (SC_ELIMIT past them).
 */
#ifndef SC_CORE_SHELLWORDS_H
#define SC_CORE_SHELLWORDS_H

#include <stddef.h>

#define SC_SHELL_MAX_INPUT (64u << 10)
#define SC_SHELL_MAX_WORDS 4096u

/*
 * Split s into *argv_out, a NULL-terminated array owned by the caller (free
 * with sc_shell_free()), and its length in *argc_out (0 for blank input:
 * then the array holds only NULL).  On failure returns SC_EUSAGE,
 * SC_ELIMIT or SC_ENOMEM with a one-line message and leaves the outputs
 * untouched.
 */
int sc_shell_split(const char *s, char ***argv_out, size_t *argc_out);

/* Free an array from sc_shell_split() (NULL is fine). */
void sc_shell_free(char **argv);

#endif
