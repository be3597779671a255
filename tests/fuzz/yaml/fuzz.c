/*
 * fuzz.c (yaml) - bytes through sc_yaml_parse() in both scalar modes; a
 * parsed tree is serialised (visiting every node) and must stay within
 * the depth limit; a failure must leave the output untouched.
 */
#include "core/yaml.h"
#include "core/error.h"
#include "core/json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int depth_of(const json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;
	int d = 0, c;

	if (json_is_array(j)) {
		json_array_foreach((json_t *)j, i, v)
			if ((c = depth_of(v)) > d)
				d = c;
		return d + 1;
	}
	if (json_is_object(j)) {
		json_object_foreach((json_t *)j, k, v)
			if ((c = depth_of(v)) > d)
				d = c;
		return d + 1;
	}
	if (json_is_string(j) && strlen(json_string_value(j)) != json_string_length(j))
		abort(); /* NUL inside a string */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int flags;

	for (flags = 0; flags <= SC_YAML_STRINGS; flags += SC_YAML_STRINGS) {
		json_t *j = (json_t *)(uintptr_t)1;
		char *text;

		if (sc_yaml_parse(&j, (const char *)data, size, 1u << 20, flags, "fuzz") != 0) {
			if (j != (json_t *)(uintptr_t)1)
				abort();
			sc_error_clear();
			continue;
		}
		if (depth_of(j) > SC_JSON_MAX_DEPTH)
			abort();
		text = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
		if (!text)
			abort();
		free(text);
		json_decref(j);
	}
	return 0;
}
