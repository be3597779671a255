/*
 * yaml.h - bounded YAML parsing into a jansson tree (libyaml events).
 *
 * Spec: YAML 1.2.2 https://yaml.org/spec/1.2.2/ (scalars resolved with the
 * core schema, section 10.3: https://yaml.org/spec/1.2.2/#103-core-schema).
 *
 * Advisory files (OSV YAML, Alpine secdb) are hostile input, so:
 *   - the input size is capped (max_len), nesting is capped at
 *     SC_JSON_MAX_DEPTH and the number of nodes at SC_YAML_MAX_NODES;
 *   - anchors and aliases are refused (no "billion laughs" expansion);
 *   - mapping keys must be scalars and unique (as JSON_REJECT_DUPLICATES);
 *   - scalars holding a NUL character (a "\0" escape) are refused, so every
 *     string in the tree is a plain C string;
 *   - exactly one document: an empty stream or a second document is an
 *     error (SC_EINPUT).
 *
 * Scalar resolution (default): a plain, untagged scalar that the YAML 1.2
 * core schema reads as null (~, null, Null, NULL, empty), bool (true/false
 * in three casings), int (decimal, 0o octal, 0x hex) or float becomes a
 * JSON null, true/false, integer or real.  Quoted and block scalars stay
 * strings, and so do values JSON cannot hold (.inf, .nan, integers beyond
 * 64 bits).  YAML 1.1 spellings (yes/no/on/off, 0777, 1_000) stay strings.
 * The core tags !!str, !!null, !!bool, !!int and !!float are honoured
 * (a value that does not match its tag is an error); other tags are ignored.
 *
 * SC_YAML_STRINGS keeps every scalar's spelling as a string ("1.10" stays
 * "1.10", "true" stays "true"), except that a plain null spelling (and
 * !!null) still gives JSON null, so that `aliases:` with no value reads as
 * absent, not as the string "".  Mapping keys are always their text.
 */
#ifndef SC_CORE_YAML_H
#define SC_CORE_YAML_H

#include <jansson.h>
#include <stddef.h>

#define SC_YAML_STRINGS 1          /* keep scalars as strings (see above) */
#define SC_YAML_MAX_NODES (1u << 21) /* scalars + collections per document */

/*
 * Parse `len` bytes of YAML into *out (a new reference).  Fails with
 * SC_ELIMIT when len > max_len, the nesting is deeper than
 * SC_JSON_MAX_DEPTH or the document has more than SC_YAML_MAX_NODES nodes;
 * SC_EINPUT when the text is not valid YAML or breaks one of the rules
 * above.  Messages start with `what` and give the line.  *out is untouched
 * on failure.
 */
int sc_yaml_parse(json_t **out, const char *data, size_t len, size_t max_len, int flags,
		  const char *what);

#endif
