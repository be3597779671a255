/*
 * mask.h - recognise secret-looking configuration values and mask them.
 *
 * Used wherever scute shows values taken from an image (env, labels,
 * history) so that a report never leaks a credential: a masked value keeps
 * its first 4 characters and its length, e.g. "hf_A…(37 chars)".
 */
#ifndef SC_CORE_MASK_H
#define SC_CORE_MASK_H

#include <stddef.h>

/* NAME suggests a secret: *TOKEN*, *SECRET*, *PASSWORD*, *API_KEY*, ... */
int sc_secret_name(const char *name);
/* VALUE has a known credential shape: hf_, ghp_, github_pat_, AKIA, sk-, PEM keys, ... */
int sc_secret_value(const char *value);
/* Masked form of value into out (always NUL-terminated). */
char *sc_mask_value(const char *value, char *out, size_t outsz);

#include "core/buf.h"
/*
 * Copy text (a history line, a label) into out with secrets masked: the
 * value of every NAME=VALUE whose NAME is secret-looking, and every word
 * that has a credential shape.
 */
int sc_mask_text(const char *in, sc_buf *out);
#endif
