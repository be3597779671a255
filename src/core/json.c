/*
 * json.c - bounded JSON parsing (depth pre-scan) and typed accessors.
 */
#include "core/json.h"
#include "core/buf.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>

/* Count the maximum nesting depth of [ and { outside strings. */
static int scan_depth(const char *p, size_t len, int max_depth)
{
	int depth = 0;
	int in_str = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = p[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == '"')
			in_str = 1;
		else if (c == '[' || c == '{') {
			if (++depth > max_depth)
				return -1;
		} else if (c == ']' || c == '}') {
			if (depth > 0)
				depth--;
		}
	}
	return 0;
}

int sc_json_parse(json_t **out, const char *data, size_t len, size_t max_len, int max_depth,
		  const char *what)
{
	json_error_t jerr;
	json_t *j;

	if (len > max_len)
		return sc_error_set(SC_ELIMIT, "%s: document is %zu bytes, limit is %zu", what, len, max_len);
	if (scan_depth(data, len, max_depth) < 0)
		return sc_error_set(SC_ELIMIT, "%s: JSON nested deeper than %d levels", what, max_depth);
	j = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	if (!j)
		return sc_error_set(SC_EINPUT, "%s: malformed JSON at line %d column %d: %s", what,
				    jerr.line, jerr.column, jerr.text);
	*out = j;
	return 0;
}

const char *sc_json_str(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static json_t *field(const json_t *obj, const char *key, int required, const char *what, int *rc)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	*rc = 0;
	if (!v || json_is_null(v)) {
		if (required)
			*rc = sc_error_set(SC_EINPUT, "%s: missing field '%s'", what, key);
		return NULL;
	}
	return v;
}

int sc_json_get_str(const json_t *obj, const char *key, int required, const char **out,
		    const char *what)
{
	int rc;
	json_t *v = field(obj, key, required, what, &rc);

	if (!v)
		return rc;
	if (!json_is_string(v))
		return sc_error_set(SC_EINPUT, "%s: field '%s' is not a string", what, key);
	/* Documents are parsed with JSON_ALLOW_NUL: "a\u0000b" must not pass as "a". */
	if (strlen(json_string_value(v)) != json_string_length(v))
		return sc_error_set(SC_EINPUT, "%s: field '%s' contains a NUL character", what, key);
	*out = json_string_value(v);
	return 0;
}

int sc_json_get_u64(const json_t *obj, const char *key, int required, unsigned long long *out,
		    const char *what)
{
	int rc;
	json_t *v = field(obj, key, required, what, &rc);

	if (!v)
		return rc;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return sc_error_set(SC_EINPUT, "%s: field '%s' is not a non-negative integer", what, key);
	*out = (unsigned long long)json_integer_value(v);
	return 0;
}

int sc_json_get_obj(const json_t *obj, const char *key, int required, json_t **out, const char *what)
{
	int rc;
	json_t *v = field(obj, key, required, what, &rc);

	if (!v)
		return rc;
	if (!json_is_object(v))
		return sc_error_set(SC_EINPUT, "%s: field '%s' is not an object", what, key);
	*out = v;
	return 0;
}

int sc_json_get_arr(const json_t *obj, const char *key, int required, json_t **out, const char *what)
{
	int rc;
	json_t *v = field(obj, key, required, what, &rc);

	if (!v)
		return rc;
	if (!json_is_array(v))
		return sc_error_set(SC_EINPUT, "%s: field '%s' is not an array", what, key);
	*out = v;
	return 0;
}

int sc_json_get_strv(const json_t *obj, const char *key, char ***out, const char *what)
{
	json_t *arr = NULL, *it;
	char **v;
	size_t i, n;
	int rc;

	if ((rc = sc_json_get_arr(obj, key, 0, &arr, what)) != 0)
		return rc;
	if (!arr) {
		*out = NULL;
		return 0;
	}
	n = json_array_size(arr);
	v = sc_calloc(n + 1, sizeof(char *));
	if (!v)
		return SC_ENOMEM;
	json_array_foreach(arr, i, it) {
		if (!json_is_string(it)) {
			sc_strv_free(v);
			return sc_error_set(SC_EINPUT, "%s: field '%s' item %zu is not a string", what, key, i);
		}
		if (strlen(json_string_value(it)) != json_string_length(it)) {
			sc_strv_free(v);
			return sc_error_set(SC_EINPUT, "%s: field '%s' item %zu contains a NUL character", what,
					    key, i);
		}
		v[i] = sc_strdup(json_string_value(it));
		if (!v[i]) {
			sc_strv_free(v);
			return SC_ENOMEM;
		}
	}
	*out = v;
	return 0;
}

void sc_strv_free(char **v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

size_t sc_strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}
