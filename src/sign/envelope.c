/*
 * envelope.c - simple-signing payloads, DSSE envelopes, in-toto Statements
 * and containers/image sigstore-json signature files.
 *
 * Writers emit compact JSON by hand so the bytes are exactly what cosign
 * (Go's encoding/json) writes for the same input; readers take hostile
 * bytes through sc_json_parse (size and depth bounded) and check every
 * field they use with its type.
 */
#include "sign/envelope.h"

#include "core/base64.h"
#include "core/error.h"
#include "core/json.h"
#include "core/utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DSSE_DEPTH 16          /* envelope -> signatures -> signature: 3 */
#define SIMPLESIGN_DEPTH 32    /* critical/optional objects are shallow */
#define SIGSTORE_JSON_DEPTH 16
#define WRITE_DEPTH (2 * SC_JSON_MAX_DEPTH)

/* ---- Go encoding/json compatible writer ---- */

/*
 * s (len bytes, valid UTF-8) as a JSON string the way Go's json.Marshal
 * writes it (HTML-safe escaping on): '"' and '\\' escaped, \b \f \n \r \t
 * (Go >= 1.22), other controls and < > & as \u00xx, U+2028 and U+2029 as
 * \u2028 / \u2029, everything else literal (DEL included).
 */
static int go_str(sc_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, start = 0;
	int rc;

	if ((rc = sc_buf_putc(b, '"')) != 0)
		return rc;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];
		size_t elen = 0, skip = 1;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			elen = 2;
		} else if (c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
			esc[0] = '\\';
			esc[1] = c == '\b' ? 'b' : c == '\f' ? 'f' : c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
			elen = 2;
		} else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			elen = 6;
		} else if (c == 0xe2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
			   ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
			memcpy(esc, (unsigned char)s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
			elen = 6;
			skip = 3;
		}
		if (!elen)
			continue;
		if ((rc = sc_buf_append(b, s + start, i - start)) != 0 ||
		    (rc = sc_buf_append(b, esc, elen)) != 0)
			return rc;
		i += skip - 1;
		start = i + 1;
	}
	if ((rc = sc_buf_append(b, s + start, len - start)) != 0)
		return rc;
	return sc_buf_putc(b, '"');
}

/* A caller's C string, which must be valid UTF-8. */
static int go_cstr(sc_buf *b, const char *s, const char *what)
{
	size_t len = strlen(s);

	if (!sc_utf8_valid(s, len))
		return sc_error_set(SC_EUSAGE, "%s is not valid UTF-8", what);
	return go_str(b, s, len);
}

/*
 * A float64 as Go's encoding/json writes it: the shortest decimal that
 * reads back as the same double, in %f style, or %e style (exponent
 * without a leading zero) below 1e-6 and from 1e21 up.
 */
static int go_float(sc_buf *b, double v)
{
	char tmp[40], digits[24];
	double a = fabs(v);
	int prec, exp10 = 0, nd = 0, rc, use_e;
	char *e;
	size_t i;

	if (!isfinite(v))
		return sc_error_set(SC_EUSAGE, "JSON number is not finite");
	if (a == 0)
		return sc_buf_puts(b, signbit(v) ? "-0" : "0");
	for (prec = 0; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec, a);
		if (strtod(tmp, NULL) == a)
			break;
	}
	/* tmp is "d[.ddd]e[+-]XX": collect the digits and the exponent. */
	for (i = 0; tmp[i] && tmp[i] != 'e'; i++)
		if (tmp[i] != '.' && nd < (int)sizeof(digits) - 1)
			digits[nd++] = tmp[i];
	digits[nd] = '\0';
	e = strchr(tmp, 'e');
	exp10 = e ? atoi(e + 1) : 0;
	while (nd > 1 && digits[nd - 1] == '0')
		digits[--nd] = '\0';
	use_e = a < 1e-6 || a >= 1e21;
	if (v < 0 && (rc = sc_buf_putc(b, '-')) != 0)
		return rc;
	if (use_e) {
		if ((rc = sc_buf_putc(b, digits[0])) != 0)
			return rc;
		if (nd > 1 && ((rc = sc_buf_putc(b, '.')) != 0 || (rc = sc_buf_puts(b, digits + 1)) != 0))
			return rc;
		/* strconv writes e-07; encoding/json trims that to e-7. */
		return exp10 < 0 ? sc_buf_printf(b, "e-%d", -exp10) : sc_buf_printf(b, "e+%02d", exp10);
	}
	if (exp10 < 0) {
		if ((rc = sc_buf_puts(b, "0.")) != 0)
			return rc;
		for (i = 0; i < (size_t)(-exp10 - 1); i++)
			if ((rc = sc_buf_putc(b, '0')) != 0)
				return rc;
		return sc_buf_puts(b, digits);
	}
	for (i = 0; i <= (size_t)exp10; i++)
		if ((rc = sc_buf_putc(b, i < (size_t)nd ? digits[i] : '0')) != 0)
			return rc;
	if ((size_t)nd > (size_t)exp10 + 1) {
		if ((rc = sc_buf_putc(b, '.')) != 0)
			return rc;
		return sc_buf_puts(b, digits + exp10 + 1);
	}
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * v as compact JSON.  sorted: object keys in bytewise order at every level
 * (a Go map); otherwise in the object's own order (jansson keeps insertion
 * order).
 */
static int go_value(sc_buf *b, const json_t *v, int sorted, int depth)
{
	int rc = 0;

	if (depth > WRITE_DEPTH)
		return sc_error_set(SC_ELIMIT, "JSON nested deeper than %d levels", WRITE_DEPTH);
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		size_t n = json_object_size(v), i = 0;
		const char **keys;
		const char *k;
		json_t *val;

		if (!(keys = sc_calloc(n ? n : 1, sizeof(*keys))))
			return SC_ENOMEM;
		json_object_foreach((json_t *)v, k, val)
			if (i < n)
				keys[i++] = k;
		n = i;
		if (sorted)
			qsort(keys, n, sizeof(*keys), key_cmp);
		rc = sc_buf_putc(b, '{');
		for (i = 0; rc == 0 && i < n; i++) {
			if (i && (rc = sc_buf_putc(b, ',')) != 0)
				break;
			if ((rc = go_str(b, keys[i], strlen(keys[i]))) != 0 || (rc = sc_buf_putc(b, ':')) != 0)
				break;
			rc = go_value(b, json_object_get(v, keys[i]), sorted, depth + 1);
		}
		free(keys);
		return rc ? rc : sc_buf_putc(b, '}');
	}
	case JSON_ARRAY: {
		size_t i;

		rc = sc_buf_putc(b, '[');
		for (i = 0; rc == 0 && i < json_array_size(v); i++) {
			if (i && (rc = sc_buf_putc(b, ',')) != 0)
				break;
			rc = go_value(b, json_array_get(v, i), sorted, depth + 1);
		}
		return rc ? rc : sc_buf_putc(b, ']');
	}
	case JSON_STRING:
		if (!sc_utf8_valid(json_string_value(v), json_string_length(v)))
			return sc_error_set(SC_EUSAGE, "JSON string is not valid UTF-8");
		return go_str(b, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		return sc_buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	case JSON_REAL:
		return go_float(b, json_real_value(v));
	case JSON_TRUE:
		return sc_buf_puts(b, "true");
	case JSON_FALSE:
		return sc_buf_puts(b, "false");
	case JSON_NULL:
		return sc_buf_puts(b, "null");
	}
	return sc_error_set(SC_EINTERNAL, "unknown JSON type");
}

static int put_b64(sc_buf *b, const void *data, size_t len)
{
	char *s = NULL;
	int rc;

	if ((rc = sc_base64_encode(&s, data, len)) != 0)
		return rc;
	rc = sc_buf_putc(b, '"');
	if (rc == 0)
		rc = sc_buf_puts(b, s);
	if (rc == 0)
		rc = sc_buf_putc(b, '"');
	free(s);
	return rc;
}

/* ---- reading helpers ---- */

/* A hostile string made safe to quote in a one-line message. */
static const char *quote(char out[72], const char *s)
{
	size_t n = strlen(s);

	if (n > 64)
		n = 64;
	memcpy(out, s, n);
	out[n] = '\0';
	sc_utf8_sanitize(out);
	if (strlen(s) > 64)
		strcpy(out + strlen(out), "...");
	return out;
}

/* Fail on a key of obj that is not in the NULL-terminated list. */
static int only_keys(const json_t *obj, const char *const *keys, const char *what, const char *path)
{
	const char *k;
	json_t *v;
	char q[72];

	json_object_foreach((json_t *)obj, k, v) {
		size_t i;

		for (i = 0; keys[i] && strcmp(keys[i], k) != 0; i++)
			;
		if (!keys[i])
			return sc_error_set(SC_EINPUT, "%s: unknown field '%s%s%s'", what, path,
					    *path ? "." : "", quote(q, k));
	}
	return 0;
}

/* A required (or optional: NULL when absent) base64 field, either alphabet. */
static int get_b64(const json_t *obj, const char *key, int required, int flags, size_t max,
		   unsigned char **out, size_t *out_len, const char *what)
{
	const char *s = NULL;
	char w[256];
	int rc;

	*out = NULL;
	*out_len = 0;
	if ((rc = sc_json_get_str(obj, key, required, &s, what)) != 0 || !s)
		return rc;
	snprintf(w, sizeof(w), "%s: field '%s'", what, key);
	return sc_base64_decode(out, out_len, s, strlen(s), max, flags, w);
}

static int dup_str(char **out, const char *s)
{
	if (!(*out = sc_strdup(s)))
		return SC_ENOMEM;
	return 0;
}

/* ---- simple signing ---- */

int sc_simplesign_payload(sc_buf *out, const char *docker_ref, const sc_digest *digest, json_t *optional)
{
	char dstr[SC_DIGEST_STRLEN];
	size_t start = out->len;
	int rc;

	if (!docker_ref || !digest || !digest->set) {
		rc = sc_error_set(SC_EUSAGE, "simple signing payload needs a reference and a digest");
		goto done;
	}
	if (optional && !json_is_object(optional)) {
		rc = sc_error_set(SC_EUSAGE, "simple signing payload: optional is not a JSON object");
		goto done;
	}
	sc_digest_fmt(digest, dstr);
	if ((rc = sc_buf_puts(out, "{\"critical\":{\"identity\":{\"docker-reference\":")) != 0 ||
	    (rc = go_cstr(out, docker_ref, "docker-reference")) != 0 ||
	    (rc = sc_buf_puts(out, "},\"image\":{\"docker-manifest-digest\":\"")) != 0 ||
	    (rc = sc_buf_puts(out, dstr)) != 0 ||
	    (rc = sc_buf_puts(out, "\"},\"type\":\"" SC_SIMPLESIGN_TYPE "\"},\"optional\":")) != 0)
		goto done;
	if (optional)
		rc = go_value(out, optional, 1, 0);
	else
		rc = sc_buf_puts(out, "null");
	if (rc == 0)
		rc = sc_buf_putc(out, '}');
	if (rc == 0 && out->len - start > SC_SIGN_PAYLOAD_MAX)
		rc = sc_error_set(SC_ELIMIT, "simple signing payload is %zu bytes, limit is %u",
				  out->len - start, SC_SIGN_PAYLOAD_MAX);
done:
	json_decref(optional);
	return rc;
}

int sc_simplesign_parse(sc_simplesign *out, const void *data, size_t len)
{
	static const char *const top_keys[] = {"critical", "optional", NULL};
	static const char *const crit_keys[] = {"identity", "image", "type", NULL};
	static const char *const ident_keys[] = {"docker-reference", NULL};
	static const char *const image_keys[] = {"docker-manifest-digest", NULL};
	const char *what = "simple signing payload";
	json_t *root = NULL, *crit = NULL, *ident = NULL, *image = NULL, *opt;
	const char *type = NULL, *ref = NULL, *dig = NULL;
	char q[72];
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = sc_json_parse(&root, data, len, SC_SIGN_PAYLOAD_MAX, SIMPLESIGN_DEPTH, what)) != 0)
		return rc;
	if (!json_is_object(root)) {
		rc = sc_error_set(SC_EINPUT, "%s: not a JSON object", what);
		goto fail;
	}
	if ((rc = only_keys(root, top_keys, what, "")) != 0 ||
	    (rc = sc_json_get_obj(root, "critical", 1, &crit, what)) != 0 ||
	    (rc = only_keys(crit, crit_keys, what, "critical")) != 0)
		goto fail;
	if ((rc = sc_json_get_str(crit, "type", 1, &type, "simple signing payload: critical")) != 0 ||
	    (rc = sc_json_get_obj(crit, "identity", 1, &ident, "simple signing payload: critical")) != 0 ||
	    (rc = sc_json_get_obj(crit, "image", 1, &image, "simple signing payload: critical")) != 0)
		goto fail;
	if (strcmp(type, SC_SIMPLESIGN_TYPE) != 0) {
		rc = sc_error_set(SC_EINPUT, "%s: critical.type '%s' is not '%s'", what, quote(q, type),
				  SC_SIMPLESIGN_TYPE);
		goto fail;
	}
	if ((rc = only_keys(ident, ident_keys, what, "critical.identity")) != 0 ||
	    (rc = only_keys(image, image_keys, what, "critical.image")) != 0 ||
	    (rc = sc_json_get_str(ident, "docker-reference", 1, &ref,
				  "simple signing payload: critical.identity")) != 0 ||
	    (rc = sc_json_get_str(image, "docker-manifest-digest", 1, &dig,
				  "simple signing payload: critical.image")) != 0)
		goto fail;
	if (sc_digest_parse(&out->digest, dig) != 0) {
		rc = sc_error_set(SC_EINPUT, "%s: critical.image.docker-manifest-digest '%s' is not a sha256 digest",
				  what, quote(q, dig));
		goto fail;
	}
	opt = json_object_get(root, "optional");
	if (opt && !json_is_null(opt)) {
		if (!json_is_object(opt)) {
			rc = sc_error_set(SC_EINPUT, "%s: field 'optional' is not an object", what);
			goto fail;
		}
		out->optional = json_incref(opt);
	}
	if ((rc = dup_str(&out->docker_ref, ref)) != 0)
		goto fail;
	json_decref(root);
	return 0;
fail:
	json_decref(root);
	sc_simplesign_release(out);
	return rc;
}

void sc_simplesign_release(sc_simplesign *s)
{
	if (!s)
		return;
	free(s->docker_ref);
	json_decref(s->optional);
	memset(s, 0, sizeof(*s));
}

/* ---- DSSE ---- */

int sc_dsse_pae(sc_buf *out, const char *payload_type, const void *payload, size_t len)
{
	int rc;

	if ((rc = sc_buf_printf(out, "DSSEv1 %zu %s %zu ", strlen(payload_type), payload_type, len)) != 0)
		return rc;
	return sc_buf_append(out, payload, len);
}

int sc_dsse_build(sc_buf *out, const char *payload_type, const void *payload, size_t len,
		  const char *keyid, const void *sig, size_t sig_len)
{
	int rc;

	if ((rc = sc_buf_puts(out, "{\"payloadType\":")) != 0 ||
	    (rc = go_cstr(out, payload_type, "DSSE payloadType")) != 0 ||
	    (rc = sc_buf_puts(out, ",\"payload\":")) != 0 ||
	    (rc = put_b64(out, payload, len)) != 0 ||
	    (rc = sc_buf_puts(out, ",\"signatures\":[{\"keyid\":")) != 0 ||
	    (rc = go_cstr(out, keyid ? keyid : "", "DSSE keyid")) != 0 ||
	    (rc = sc_buf_puts(out, ",\"sig\":")) != 0 ||
	    (rc = put_b64(out, sig, sig_len)) != 0)
		return rc;
	return sc_buf_puts(out, "}]}");
}

int sc_dsse_from_json(sc_dsse *out, const json_t *obj)
{
	const char *what = "DSSE envelope";
	const char *type = NULL;
	json_t *sigs = NULL;
	size_t i, n;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(obj))
		return sc_error_set(SC_EINPUT, "%s: not a JSON object", what);
	if ((rc = sc_json_get_str(obj, "payloadType", 1, &type, what)) != 0 ||
	    (rc = get_b64(obj, "payload", 1, SC_B64_URL, SC_SIGN_DOC_MAX, &out->payload, &out->payload_len,
			  what)) != 0 ||
	    (rc = sc_json_get_arr(obj, "signatures", 1, &sigs, what)) != 0)
		goto fail;
	n = json_array_size(sigs);
	if (n == 0) {
		rc = sc_error_set(SC_EINPUT, "%s: field 'signatures' is empty", what);
		goto fail;
	}
	if (n > SC_SIGN_MAX_SIGNATURES) {
		rc = sc_error_set(SC_ELIMIT, "%s: field 'signatures' has %zu entries, limit is %d", what, n, SC_SIGN_MAX_SIGNATURES);
		goto fail;
	}
	if ((rc = dup_str(&out->payload_type, type)) != 0)
		goto fail;
	if (!(out->sigs = sc_calloc(n, sizeof(*out->sigs)))) {
		rc = SC_ENOMEM;
		goto fail;
	}
	for (i = 0; i < n; i++) {
		json_t *s = json_array_get(sigs, i);
		sc_dsse_sig *d = &out->sigs[i];
		const char *keyid = "";
		char w[64];

		out->nsigs = i + 1;
		snprintf(w, sizeof(w), "%s: signatures[%zu]", what, i);
		if (!json_is_object(s)) {
			rc = sc_error_set(SC_EINPUT, "%s is not an object", w);
			goto fail;
		}
		if ((rc = sc_json_get_str(s, "keyid", 0, &keyid, w)) != 0 ||
		    (rc = get_b64(s, "sig", 1, SC_B64_URL, SC_SIGN_SIG_B64_MAX, &d->sig, &d->sig_len, w)) != 0 ||
		    (rc = dup_str(&d->keyid, keyid)) != 0)
			goto fail;
		if (d->sig_len == 0) {
			rc = sc_error_set(SC_EINPUT, "%s: field 'sig' is empty", w);
			goto fail;
		}
	}
	return 0;
fail:
	sc_dsse_release(out);
	return rc;
}

int sc_dsse_parse(sc_dsse *out, const void *data, size_t len)
{
	json_t *root = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = sc_json_parse(&root, data, len, SC_SIGN_DOC_MAX, DSSE_DEPTH, "DSSE envelope")) != 0)
		return rc;
	rc = sc_dsse_from_json(out, root);
	json_decref(root);
	return rc;
}

void sc_dsse_release(sc_dsse *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; e->sigs && i < e->nsigs; i++) {
		free(e->sigs[i].keyid);
		free(e->sigs[i].sig);
	}
	free(e->sigs);
	free(e->payload_type);
	free(e->payload);
	memset(e, 0, sizeof(*e));
}

/* ---- in-toto Statement ---- */

int sc_intoto_statement(sc_buf *out, const char *subject_name, const sc_digest *subject,
			const char *predicate_type, const json_t *predicate)
{
	char hex[65];
	int rc;

	if (!subject || !subject->set || !subject_name || !predicate_type)
		return sc_error_set(SC_EUSAGE, "in-toto statement needs a subject and a predicate type");
	if (predicate && !json_is_object(predicate))
		return sc_error_set(SC_EUSAGE, "in-toto predicate is not a JSON object");
	sc_digest_hex(subject, hex);
	if ((rc = sc_buf_puts(out, "{\"_type\":\"" SC_INTOTO_STATEMENT_V1 "\",\"subject\":[{\"name\":")) != 0 ||
	    (rc = go_cstr(out, subject_name, "in-toto subject name")) != 0 ||
	    (rc = sc_buf_printf(out, ",\"digest\":{\"sha256\":\"%s\"}}],\"predicateType\":", hex)) != 0 ||
	    (rc = go_cstr(out, predicate_type, "in-toto predicateType")) != 0)
		return rc;
	if (predicate && ((rc = sc_buf_puts(out, ",\"predicate\":")) != 0 ||
			  (rc = go_value(out, predicate, 0, 0)) != 0))
		return rc;
	return sc_buf_putc(out, '}');
}

int sc_intoto_parse(sc_intoto *out, const void *data, size_t len)
{
	const char *what = "in-toto statement";
	const char *type = NULL, *ptype = NULL;
	json_t *root = NULL, *subj = NULL, *pred;
	size_t i, n;
	char q[72];
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = sc_json_parse(&root, data, len, SC_SIGN_DOC_MAX, SC_JSON_MAX_DEPTH, what)) != 0)
		return rc;
	if (!json_is_object(root)) {
		rc = sc_error_set(SC_EINPUT, "%s: not a JSON object", what);
		goto fail;
	}
	if ((rc = sc_json_get_str(root, "_type", 1, &type, what)) != 0)
		goto fail;
	if (strcmp(type, SC_INTOTO_STATEMENT_V1) != 0 && strcmp(type, SC_INTOTO_STATEMENT_V01) != 0) {
		rc = sc_error_set(SC_EINPUT, "%s: _type '%s' is not an in-toto Statement v1 or v0.1", what,
				  quote(q, type));
		goto fail;
	}
	if ((rc = sc_json_get_str(root, "predicateType", 1, &ptype, what)) != 0 ||
	    (rc = sc_json_get_arr(root, "subject", 1, &subj, what)) != 0)
		goto fail;
	n = json_array_size(subj);
	if (n == 0) {
		rc = sc_error_set(SC_EINPUT, "%s: field 'subject' is empty", what);
		goto fail;
	}
	if (n > SC_SIGN_MAX_SUBJECTS) {
		rc = sc_error_set(SC_ELIMIT, "%s: field 'subject' has %zu entries, limit is %d", what, n, SC_SIGN_MAX_SUBJECTS);
		goto fail;
	}
	if (!(out->subjects = sc_calloc(n, sizeof(*out->subjects)))) {
		rc = SC_ENOMEM;
		goto fail;
	}
	for (i = 0; i < n; i++) {
		json_t *s = json_array_get(subj, i), *dig = NULL, *v;
		const char *name = NULL, *alg, *sha = NULL;
		char w[64], buf[SC_DIGEST_STRLEN + 8];

		snprintf(w, sizeof(w), "%s: subject[%zu]", what, i);
		if (!json_is_object(s)) {
			rc = sc_error_set(SC_EINPUT, "%s is not an object", w);
			goto fail;
		}
		if ((rc = sc_json_get_str(s, "name", 0, &name, w)) != 0 ||
		    (rc = sc_json_get_obj(s, "digest", 1, &dig, w)) != 0)
			goto fail;
		json_object_foreach(dig, alg, v) {
			if (!json_is_string(v)) {
				rc = sc_error_set(SC_EINPUT, "%s: digest '%s' is not a string", w, quote(q, alg));
				goto fail;
			}
		}
		if ((rc = sc_json_get_str(dig, "sha256", 0, &sha, w)) != 0)
			goto fail;
		if (!sha)
			continue;
		if (strlen(sha) == 64)
			snprintf(buf, sizeof(buf), "sha256:%s", sha);
		else
			buf[0] = '\0';
		if (sc_digest_parse(&out->subjects[out->nsubjects], buf) != 0) {
			rc = sc_error_set(SC_EINPUT, "%s: digest sha256 '%s' is not 64 lowercase hex digits", w,
					  quote(q, sha));
			goto fail;
		}
		out->nsubjects++;
	}
	pred = json_object_get(root, "predicate");
	if (pred && !json_is_null(pred)) {
		if (!json_is_object(pred)) {
			rc = sc_error_set(SC_EINPUT, "%s: field 'predicate' is not an object", what);
			goto fail;
		}
		out->predicate = json_incref(pred);
	}
	if ((rc = dup_str(&out->type, type)) != 0 || (rc = dup_str(&out->predicate_type, ptype)) != 0)
		goto fail;
	json_decref(root);
	return 0;
fail:
	json_decref(root);
	sc_intoto_release(out);
	return rc;
}

int sc_intoto_has_subject(const sc_intoto *st, const sc_digest *d)
{
	size_t i;

	for (i = 0; i < st->nsubjects; i++)
		if (sc_digest_eq(&st->subjects[i], d))
			return 1;
	return 0;
}

void sc_intoto_release(sc_intoto *st)
{
	if (!st)
		return;
	free(st->type);
	free(st->predicate_type);
	free(st->subjects);
	json_decref(st->predicate);
	memset(st, 0, sizeof(*st));
}

/* ---- sigstore-json signature files ---- */

int sc_sigstore_json_parse(sc_sigstore_json *out, const void *data, size_t len)
{
	const char *what = "sigstore-json signature";
	const char *mt = NULL, *sig = NULL, *k;
	json_t *root = NULL, *ann = NULL, *v;
	char q[72];
	int rc;

	memset(out, 0, sizeof(*out));
	if (len < SC_SIGSTORE_JSON_PREFIX_LEN ||
	    memcmp(data, SC_SIGSTORE_JSON_PREFIX, SC_SIGSTORE_JSON_PREFIX_LEN) != 0)
		return sc_error_set(SC_EINPUT, "%s: missing the \\0sigstore-json\\n prefix", what);
	if ((rc = sc_json_parse(&root, (const char *)data + SC_SIGSTORE_JSON_PREFIX_LEN,
				len - SC_SIGSTORE_JSON_PREFIX_LEN, SC_SIGN_DOC_MAX, SIGSTORE_JSON_DEPTH,
				what)) != 0)
		return rc;
	if (!json_is_object(root)) {
		rc = sc_error_set(SC_EINPUT, "%s: not a JSON object", what);
		goto fail;
	}
	if ((rc = sc_json_get_str(root, "mimeType", 1, &mt, what)) != 0 ||
	    (rc = get_b64(root, "payload", 1, 0, SC_SIGN_DOC_MAX, &out->payload, &out->payload_len, what)) != 0 ||
	    (rc = sc_json_get_obj(root, "annotations", 0, &ann, what)) != 0)
		goto fail;
	if (ann) {
		json_object_foreach(ann, k, v) {
			if (!json_is_string(v)) {
				rc = sc_error_set(SC_EINPUT, "%s: annotation '%s' is not a string", what, quote(q, k));
				goto fail;
			}
		}
		if ((rc = sc_json_get_str(ann, SC_COSIGN_SIGNATURE_ANNOTATION, 0, &sig, what)) != 0)
			goto fail;
		if (sig) {
			rc = sc_base64_decode(&out->signature, &out->signature_len, sig, strlen(sig),
					      SC_SIGN_SIG_B64_MAX, 0,
					      "sigstore-json signature: annotation '" SC_COSIGN_SIGNATURE_ANNOTATION "'");
			if (rc != 0)
				goto fail;
			if (out->signature_len == 0) {
				rc = sc_error_set(SC_EINPUT, "%s: annotation '%s' is empty", what,
						  SC_COSIGN_SIGNATURE_ANNOTATION);
				goto fail;
			}
		}
		out->annotations = json_incref(ann);
	}
	if ((rc = dup_str(&out->mime_type, mt)) != 0)
		goto fail;
	json_decref(root);
	return 0;
fail:
	json_decref(root);
	sc_sigstore_json_release(out);
	return rc;
}

void sc_sigstore_json_release(sc_sigstore_json *s)
{
	if (!s)
		return;
	free(s->mime_type);
	free(s->payload);
	free(s->signature);
	json_decref(s->annotations);
	memset(s, 0, sizeof(*s));
}
