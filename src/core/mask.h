/*
 * mask.h - recognise secret-looking configuration values and mask them.
 *
 * Used wherever scute shows values taken from an image (env, labels,
 * history, file contents) so that a report never leaks a credential: a
 * masked value keeps its first 4 characters and its length, e.g.
 * "hf_A…(37 chars)".
 *
 * Token shapes follow the vendors' published formats: GitHub
 * (ghp_/gho_/ghu_/ghs_/ghr_/github_pat_), GitLab (glpat-), Hugging Face
 * (hf_, api_org_), OpenAI (sk-, sk-proj-, sk-svcacct-), Anthropic
 * (sk-ant-), Slack (xoxb-/xoxp-/xoxa-/xoxr-/xoxs-/xapp-), AWS access key
 * ids (AKIA/ASIA + 16), Google API keys (AIza + 35), PyPI (pypi-AgE...),
 * npm (npm_ + 36), Stripe live keys (sk_live_/rk_live_), PEM private keys.
 */
#ifndef SC_CORE_MASK_H
#define SC_CORE_MASK_H

#include <stddef.h>

/* NAME suggests a secret: *TOKEN*, *SECRET*, *PASSWORD*, *API_KEY*, ... (not AUTHOR, TOKENIZER). */
int sc_secret_name(const char *name);
/* VALUE has a known credential shape: hf_, ghp_, github_pat_, AKIA, sk-, PEM keys, ... */
int sc_secret_value(const char *value);
/* What credential shape VALUE has ("GitHub token", "AWS access key id", ...), or NULL. */
const char *sc_secret_kind(const char *value);
/*
 * VALUE cannot be a credential whatever its name says: empty, a variable
 * reference ($X, ${X}, $(cmd)), a template ({{ x }}, <your-token>), a
 * boolean or null word, a number, an absolute or home-relative path, or
 * only '*' / 'x' placeholder characters.
 */
int sc_secret_trivial(const char *value);
/* Masked form of value into out (always NUL-terminated). */
char *sc_mask_value(const char *value, char *out, size_t outsz);

#include "core/buf.h"
/*
 * Copy text (a history line, a label) into out with secrets masked: the
 * value of every NAME=VALUE whose NAME is secret-looking, every word that
 * has a credential shape, the password of URLs with user:password@, the
 * word after "Authorization: [Bearer|Basic|Token]" or another secret
 * header name, after "Bearer", and after flags like --password / --token.
 * Trivial values (sc_secret_trivial) are kept as they are.
 */
int sc_mask_text(const char *in, sc_buf *out);
/* Same; *n_masked (may be NULL) gets the number of values masked. */
int sc_mask_text_n(const char *in, sc_buf *out, size_t *n_masked);
#endif
