/*
 * json.h - bounded JSON parsing and typed accessors over jansson.
 *
 * Documents from images and registries are parsed only after a pre-scan
 * checks their size and nesting depth, so a hostile document cannot make
 * the (recursive) parser use unbounded stack or memory.
 */
#ifndef SC_CORE_JSON_H
#define SC_CORE_JSON_H

#include <jansson.h>
#include <stddef.h>

#define SC_JSON_MAX_DEPTH 64

/*
 * Parse `len` bytes as one JSON value.  Fails with SC_ELIMIT when len >
 * max_len or the nesting is deeper than max_depth, SC_EINPUT when the text
 * is not valid JSON.  Messages start with `what`.  *out is a new reference.
 */
int sc_json_parse(json_t **out, const char *data, size_t len, size_t max_len, int max_depth,
		  const char *what);

/* Accessors: return NULL / 0 when missing.  Types are checked. */
const char *sc_json_str(const json_t *obj, const char *key);
/*
 * Typed getters that fail (SC_EINPUT, message "<what>: field 'key' ...")
 * when the field is present with the wrong type; a missing field leaves
 * *out untouched and returns 0 unless required.
 */
int sc_json_get_str(const json_t *obj, const char *key, int required, const char **out,
		    const char *what);
int sc_json_get_u64(const json_t *obj, const char *key, int required, unsigned long long *out,
		    const char *what);
int sc_json_get_obj(const json_t *obj, const char *key, int required, json_t **out, const char *what);
int sc_json_get_arr(const json_t *obj, const char *key, int required, json_t **out, const char *what);
/* An array of strings into a NULL-terminated, newly allocated char** (NULL when missing). */
int sc_json_get_strv(const json_t *obj, const char *key, char ***out, const char *what);
void sc_strv_free(char **v);
size_t sc_strv_len(char *const *v);

#endif
