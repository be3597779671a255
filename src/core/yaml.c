/*
 * yaml.c - bounded YAML -> jansson conversion over libyaml's event API;
 * see yaml.h for the rules.  Spec: YAML 1.2.2, https://yaml.org/spec/1.2.2/
 * (core schema: https://yaml.org/spec/1.2.2/#103-core-schema).
 *
 * The tree is built with an explicit stack of open collections, so the
 * depth of the C stack does not depend on the input.
 */
#include "core/yaml.h"
#include "core/error.h"
#include "core/json.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define TAG_PREFIX "tag:yaml.org,2002:"

_Static_assert(sizeof(json_int_t) == sizeof(long long), "jansson built with long long integers");
#define JINT_MAX LLONG_MAX

typedef struct yframe {
	json_t *node;  /* the open array or object (borrowed from its parent or the root) */
	char *key;     /* object: pending key (malloc'd), NULL when a key is expected */
} yframe;

typedef struct yctx {
	const char *what;
	int flags;
	json_t *root;
	yframe stack[SC_JSON_MAX_DEPTH];
	int depth;
	size_t nodes;
	int docs;
} yctx;

/* Strict UTF-8 (RFC 3629): no overlongs, surrogates or values past U+10FFFF. */
static int utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t k, need;
		unsigned cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, cp = c & 0x1f, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, cp = c & 0x0f, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, cp = c & 0x07, min = 0x10000;
		else
			return 0;
		if (n - i <= need)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

static int yerr(yctx *c, int code, const yaml_mark_t *m, const char *problem)
{
	return sc_error_set(code, "%s: line %zu column %zu: %s", c->what, m->line + 1, m->column + 1,
			    problem);
}

static int is_null_text(const char *s, size_t n)
{
	return n == 0 || (n == 1 && s[0] == '~') ||
	       (n == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) || !memcmp(s, "NULL", 4)));
}

/* 1 true, 0 false, -1 not a core-schema bool. */
static int bool_text(const char *s, size_t n)
{
	if (n == 4 && (!memcmp(s, "true", 4) || !memcmp(s, "True", 4) || !memcmp(s, "TRUE", 4)))
		return 1;
	if (n == 5 && (!memcmp(s, "false", 5) || !memcmp(s, "False", 5) || !memcmp(s, "FALSE", 5)))
		return 0;
	return -1;
}

static int is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * Core-schema int: [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+.
 * Returns 1 and *out when it is one and fits, 0 when it is not an int,
 * -1 when it is one but does not fit in json_int_t.
 */
static int int_text(const char *s, size_t n, json_int_t *out)
{
	unsigned long long v = 0, lim;
	unsigned base = 10;
	size_t i = 0;
	int neg = 0, d;

	if (n >= 3 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
		base = s[1] == 'o' ? 8 : 16;
		i = 2;
	} else if (n && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == n)
		return 0;
	for (; i < n; i++) {
		d = base == 16 ? hexval(s[i]) : (is_digit(s[i]) ? s[i] - '0' : -1);
		if (d < 0 || (unsigned)d >= base)
			return 0;
	}
	lim = neg ? (unsigned long long)JINT_MAX + 1 : (unsigned long long)JINT_MAX;
	for (i = (base == 10 ? (size_t)(s[0] == '-' || s[0] == '+') : 2); i < n; i++) {
		d = base == 16 ? hexval(s[i]) : s[i] - '0';
		if (v > (lim - (unsigned)d) / base)
			return -1;
		v = v * base + (unsigned)d;
	}
	if (neg)
		*out = v == (unsigned long long)JINT_MAX + 1 ? -JINT_MAX - 1 : -(json_int_t)v;
	else
		*out = (json_int_t)v;
	return 1;
}

/*
 * Core-schema float: [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
 * (.inf and .nan are floats too but JSON has no spelling for them: they stay strings).
 */
static int float_text(const char *s, size_t n, double *out)
{
	char tmp[128];
	size_t i = 0, digits = 0;
	char *end;
	double d;

	if (n == 0 || n >= sizeof(tmp))
		return 0;
	if (s[i] == '-' || s[i] == '+')
		i++;
	while (i < n && is_digit(s[i]))
		i++, digits++;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && is_digit(s[i]))
			i++, digits++;
	}
	if (!digits)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t e0;

		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		e0 = i;
		while (i < n && is_digit(s[i]))
			i++;
		if (i == e0)
			return 0;
	}
	if (i != n)
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	d = strtod(tmp, &end);
	if (*end || d != d || d > 1.7976931348623157e308 || d < -1.7976931348623157e308)
		return 0; /* overflow to infinity: keep the spelling */
	*out = d;
	return 1;
}

static json_t *new_string(yctx *c, const yaml_event_t *ev, const char *s, size_t n, int *rc)
{
	json_t *j = json_stringn_nocheck(s, n);

	*rc = 0;
	if (!utf8_valid((const unsigned char *)s, n)) {
		json_decref(j);
		*rc = yerr(c, SC_EINPUT, &ev->start_mark, "string is not valid UTF-8");
		return NULL;
	}
	if (!j)
		*rc = sc_error_set(SC_ENOMEM, "%s: out of memory", c->what);
	return j;
}

static int is_inf_nan(const char *s, size_t n)
{
	if (n && (s[0] == '-' || s[0] == '+'))
		s++, n--;
	return n == 4 && (!memcmp(s, ".inf", 4) || !memcmp(s, ".Inf", 4) || !memcmp(s, ".INF", 4) ||
			  !memcmp(s, ".nan", 4) || !memcmp(s, ".NaN", 4) || !memcmp(s, ".NAN", 4));
}

/* The JSON value of a scalar event, following the resolution rules in yaml.h. */
static json_t *scalar_value(yctx *c, const yaml_event_t *ev, int *rc)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	int strings = c->flags & SC_YAML_STRINGS;
	const char *want = NULL; /* "null", "bool", "int" or "float" for a core tag */
	json_int_t iv = 0;
	double dv;
	int b, k;

	*rc = 0;
	if (tag && strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) == 0) {
		const char *t = tag + strlen(TAG_PREFIX);

		if (strcmp(t, "null") && strcmp(t, "bool") && strcmp(t, "int") && strcmp(t, "float"))
			return new_string(c, ev, s, n, rc); /* !!str, !!binary, !!timestamp... */
		want = t;
	} else if ((tag && strcmp(tag, "!") == 0) || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
		return new_string(c, ev, s, n, rc); /* quoted, block, or non-specific "!" */
	}
	if (!want) { /* untagged plain scalar (or an unknown tag, ignored) */
		if (is_null_text(s, n))
			return json_null();
		if (strings)
			return new_string(c, ev, s, n, rc);
		if ((b = bool_text(s, n)) >= 0)
			return json_boolean(b);
		if ((k = int_text(s, n, &iv)) > 0)
			return json_integer(iv);
		if (k == 0 && float_text(s, n, &dv))
			return json_real(dv);
		return new_string(c, ev, s, n, rc);
	}
	if (!strcmp(want, "null")) {
		if (is_null_text(s, n))
			return json_null();
	} else if (!strcmp(want, "bool")) {
		if ((b = bool_text(s, n)) >= 0)
			return strings ? new_string(c, ev, s, n, rc) : json_boolean(b);
	} else {
		k = int_text(s, n, &iv);
		if (k < 0 || (k > 0 && strings))
			return new_string(c, ev, s, n, rc);
		if (k > 0)
			return !strcmp(want, "int") ? json_integer(iv) : json_real((double)iv);
		if (!strcmp(want, "float") && is_inf_nan(s, n))
			return new_string(c, ev, s, n, rc);
		if (!strcmp(want, "float") && float_text(s, n, &dv))
			return strings ? new_string(c, ev, s, n, rc) : json_real(dv);
	}
	*rc = yerr(c, SC_EINPUT, &ev->start_mark, "scalar does not match its tag");
	return NULL;
}

/* Attach a new node to the open collection (or make it the root). */
static int attach(yctx *c, const yaml_event_t *ev, json_t *v)
{
	yframe *f;

	if (++c->nodes > SC_YAML_MAX_NODES) {
		json_decref(v);
		return yerr(c, SC_ELIMIT, &ev->start_mark, "too many nodes");
	}
	if (c->depth == 0) {
		c->root = v;
		return 0;
	}
	f = &c->stack[c->depth - 1];
	if (json_is_array(f->node)) {
		if (json_array_append_new(f->node, v) != 0)
			return sc_error_set(SC_ENOMEM, "%s: out of memory", c->what);
		return 0;
	}
	if (!f->key) {
		json_decref(v);
		return yerr(c, SC_EINPUT, &ev->start_mark, "mapping key is not a scalar");
	}
	if (json_object_get(f->node, f->key)) {
		json_decref(v);
		return yerr(c, SC_EINPUT, &ev->start_mark, "duplicate mapping key");
	}
	if (json_object_set_new_nocheck(f->node, f->key, v) != 0)
		return sc_error_set(SC_ENOMEM, "%s: out of memory", c->what);
	free(f->key);
	f->key = NULL;
	return 0;
}

static int on_scalar(yctx *c, const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	yframe *f = c->depth ? &c->stack[c->depth - 1] : NULL;
	json_t *v;
	int rc;

	if (memchr(s, '\0', n))
		return yerr(c, SC_EINPUT, &ev->start_mark, "scalar contains a NUL character");
	if (f && json_is_object(f->node) && !f->key) {
		/* A mapping key: always its text. */
		if (!utf8_valid((const unsigned char *)s, n))
			return yerr(c, SC_EINPUT, &ev->start_mark, "key is not valid UTF-8");
		if (++c->nodes > SC_YAML_MAX_NODES)
			return yerr(c, SC_ELIMIT, &ev->start_mark, "too many nodes");
		f->key = malloc(n + 1);
		if (!f->key)
			return sc_error_set(SC_ENOMEM, "%s: out of memory", c->what);
		memcpy(f->key, s, n);
		f->key[n] = '\0';
		return 0;
	}
	v = scalar_value(c, ev, &rc);
	if (!v)
		return rc ? rc : sc_error_set(SC_ENOMEM, "%s: out of memory", c->what);
	return attach(c, ev, v);
}

static int on_start(yctx *c, const yaml_event_t *ev, int map)
{
	json_t *v;
	int rc;

	if (c->depth >= SC_JSON_MAX_DEPTH)
		return yerr(c, SC_ELIMIT, &ev->start_mark, "nested deeper than 64 levels");
	v = map ? json_object() : json_array();
	if (!v)
		return sc_error_set(SC_ENOMEM, "%s: out of memory", c->what);
	if ((rc = attach(c, ev, v)) != 0)
		return rc;
	c->stack[c->depth].node = v;
	c->stack[c->depth].key = NULL;
	c->depth++;
	return 0;
}

static int on_event(yctx *c, const yaml_event_t *ev)
{
	const yaml_char_t *anchor = NULL;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (c->docs++)
			return yerr(c, SC_EINPUT, &ev->start_mark, "more than one YAML document");
		return 0;
	case YAML_ALIAS_EVENT:
		return yerr(c, SC_EINPUT, &ev->start_mark, "aliases are not accepted");
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (c->depth <= 0)
			return yerr(c, SC_EINTERNAL, &ev->start_mark, "unbalanced collection end");
		c->depth--;
		if (c->stack[c->depth].key) /* cannot happen: libyaml pairs keys and values */
			return yerr(c, SC_EINPUT, &ev->start_mark, "mapping key without a value");
		return 0;
	default:
		return 0;
	}
	if (anchor)
		return yerr(c, SC_EINPUT, &ev->start_mark, "anchors are not accepted");
	if (ev->type == YAML_SCALAR_EVENT)
		return on_scalar(c, ev);
	return on_start(c, ev, ev->type == YAML_MAPPING_START_EVENT);
}

int sc_yaml_parse(json_t **out, const char *data, size_t len, size_t max_len, int flags,
		  const char *what)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	yctx c;
	int rc = 0, done = 0, i;

	if (len > max_len)
		return sc_error_set(SC_ELIMIT, "%s: document is %zu bytes, limit is %zu", what, len, max_len);
	memset(&c, 0, sizeof(c));
	c.what = what;
	c.flags = flags;
	if (!yaml_parser_initialize(&parser))
		return sc_error_set(SC_ENOMEM, "%s: cannot initialise the YAML parser", what);
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.error == YAML_MEMORY_ERROR)
				rc = sc_error_set(SC_ENOMEM, "%s: out of memory", what);
			else
				rc = sc_error_set(SC_EINPUT, "%s: line %zu column %zu: %s%s%s", what,
						  parser.problem_mark.line + 1, parser.problem_mark.column + 1,
						  parser.problem ? parser.problem : "malformed YAML",
						  parser.context ? " " : "", parser.context ? parser.context : "");
			goto out;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		rc = on_event(&c, &ev);
		yaml_event_delete(&ev);
		if (rc)
			goto out;
	}
	if (!c.root) {
		rc = sc_error_set(SC_EINPUT, "%s: no YAML document", what);
		goto out;
	}
	*out = c.root;
	c.root = NULL;
out:
	for (i = 0; i < c.depth; i++)
		free(c.stack[i].key);
	json_decref(c.root);
	yaml_parser_delete(&parser);
	return rc;
}
