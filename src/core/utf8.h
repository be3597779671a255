/*
 * utf8.h - make text from an image safe to store and print.
 *
 * Package databases and metadata files are hostile text: they may hold
 * invalid UTF-8 (overlongs, surrogates, truncated sequences) and control
 * bytes that would corrupt a one-line message or a terminal.
 * Spec: RFC 3629 (UTF-8).
 */
#ifndef SC_CORE_UTF8_H
#define SC_CORE_UTF8_H

#include <stddef.h>

/*
 * Replace, in place, every byte that is not part of a valid UTF-8 sequence
 * and every control byte (< 0x20, 0x7f) with '?'.  Returns 1 when
 * something was replaced, else 0.
 */
int sc_utf8_sanitize(char *s);

/* Whether the len bytes at s are valid UTF-8 (RFC 3629: no overlongs, surrogates or code points past U+10FFFF). */
int sc_utf8_valid(const char *s, size_t len);

#endif
