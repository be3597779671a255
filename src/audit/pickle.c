/*
 * pickle.c - opcode-level pickle safety scanner (see pickle.h).
 *
 * Spec: CPython Lib/pickletools.py (opcode table, argument encodings,
 * protocols 0-5) and Lib/pickle.py _Unpickler (stack, mark and memo
 * semantics, what each opcode pops and pushes):
 *   https://github.com/python/cpython/blob/main/Lib/pickletools.py
 *   https://github.com/python/cpython/blob/main/Lib/pickle.py
 * joblib inline arrays: joblib/numpy_pickle.py (NumpyArrayWrapper).
 *
 * The walk is one loop over the bytes: each opcode is decoded, its
 * arguments are checked against the bytes left, and a small value model
 * (strings, ints, tuples, dicts, imported callables, objects they made) is
 * pushed and popped so that STACK_GLOBAL operands and call targets can be
 * named.  Nothing is executed and nothing is allocated in proportion to a
 * length or index read from the input: the stack and the memo grow with
 * the opcodes actually seen and are capped.
 */
#include "audit/pickle.h"
#include "core/buf.h"
#include "core/error.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/pickle_classify.inc"

/* ------------------------------------------------------------------ */
/* classification                                                      */

static const char *canon_module(const char *m)
{
	size_t i;

	for (i = 0; i < sizeof(module_alias) / sizeof(module_alias[0]); i++)
		if (!strcmp(m, module_alias[i].alias))
			return module_alias[i].module;
	return m;
}

/* m equals p or starts with p followed by '.' */
static int module_under(const char *m, const char *p)
{
	size_t n = strlen(p);

	return !strncmp(m, p, n) && (m[n] == '\0' || m[n] == '.');
}

static int is_word(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static int torch_storage(const char *m, const char *n)
{
	size_t l = strlen(n);

	if (strcmp(m, "torch") && strcmp(m, "torch.cuda") && strcmp(m, "torch.storage"))
		return 0;
	return l > 7 && !strcmp(n + l - 7, "Storage") && is_word(n);
}

static sc_pickle_class classify(const char *module, const char *name, const char **why)
{
	const char *m;
	size_t i;

	*why = NULL;
	if (!module || !name)
		return SC_PICKLE_UNKNOWN;
	m = canon_module(module);
	for (i = 0; i < sizeof(danger_modules) / sizeof(danger_modules[0]); i++)
		if (module_under(m, danger_modules[i].module)) {
			*why = danger_modules[i].why;
			return SC_PICKLE_DANGEROUS;
		}
	for (i = 0; i < sizeof(danger_names) / sizeof(danger_names[0]); i++)
		if (!strcmp(m, danger_names[i].module) && !strcmp(name, danger_names[i].name)) {
			*why = danger_names[i].why;
			return SC_PICKLE_DANGEROUS;
		}
	for (i = 0; i < sizeof(safe_names) / sizeof(safe_names[0]); i++)
		if (!strcmp(m, safe_names[i].module) && !strcmp(name, safe_names[i].name)) {
			*why = "allowlisted constructor or tensor rebuild";
			return SC_PICKLE_SAFE;
		}
	if (torch_storage(m, name)) {
		*why = "torch storage type";
		return SC_PICKLE_SAFE;
	}
	if (!strcmp(m, "torch"))
		for (i = 0; i < sizeof(torch_consts) / sizeof(torch_consts[0]); i++)
			if (!strcmp(name, torch_consts[i])) {
				*why = "torch dtype, layout or format constant";
				return SC_PICKLE_SAFE;
			}
	for (i = 0; i < sizeof(unknown_names) / sizeof(unknown_names[0]); i++)
		if (!strcmp(m, unknown_names[i].module) && !strcmp(name, unknown_names[i].name)) {
			*why = unknown_names[i].why;
			break;
		}
	return SC_PICKLE_UNKNOWN;
}

sc_pickle_class sc_pickle_classify(const char *module, const char *name)
{
	const char *why;

	return classify(module, name, &why);
}

const char *sc_pickle_rationale(const char *module, const char *name)
{
	const char *why;

	(void)classify(module, name, &why);
	return why;
}

const char *sc_pickle_class_name(sc_pickle_class c)
{
	switch (c) {
	case SC_PICKLE_SAFE: return "safe";
	case SC_PICKLE_DANGEROUS: return "dangerous";
	default: return "unknown";
	}
}

const char *sc_pickle_verdict_name(sc_pickle_verdict v)
{
	switch (v) {
	case SC_PICKLE_VERDICT_SAFE: return "safe";
	case SC_PICKLE_VERDICT_MALFORMED: return "malformed";
	case SC_PICKLE_VERDICT_DANGEROUS: return "dangerous";
	default: return "unknown";
	}
}

/* ------------------------------------------------------------------ */
/* report                                                              */

void sc_pickle_report_init(sc_pickle_report *r)
{
	memset(r, 0, sizeof(*r));
	r->protocol = -1;
}

void sc_pickle_report_release(sc_pickle_report *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n_imports; i++) {
		free(r->imports[i].module);
		free(r->imports[i].name);
	}
	free(r->imports);
	sc_pickle_report_init(r);
}

/* ------------------------------------------------------------------ */
/* value model                                                         */

enum { V_EMPTY = 0, V_ANY, V_STR, V_INT, V_GLOBAL, V_OBJ, V_TUPLE, V_DICT };
/* V_STR flags: how the bytes at [a, a+b) decode to text */
enum { SF_TEXT = 1, SF_BYTES = 2, SF_ESC = 4, SF_RUE = 8 };
/* V_TUPLE / V_DICT flags */
enum { TF_INTS = 1, TF_OVF = 2, DF_SHAPE = 4, DF_DTYPE = 8, DF_ALIGN = 16 };
/* specials: values joblib's unpickler treats specially */
enum { SP_NONE = 0, SP_NPDTYPE, SP_WRAPPER };
#define ITEM_OBJECT UINT64_MAX

typedef struct {
	uint8_t kind;
	uint8_t flags;
	uint8_t sp;
	int32_t imp; /* V_GLOBAL / V_OBJ: kept import index, -1 none */
	uint64_t a;  /* V_STR offset; V_INT value; V_TUPLE / V_DICT element count product */
	uint64_t b;  /* V_STR length; V_TUPLE / V_OBJ / V_DICT numpy itemsize */
} pk_val;

typedef struct {
	uint64_t key;
	pk_val v; /* v.kind == V_EMPTY: free slot */
} memo_slot;

typedef struct {
	pk_val *st;
	size_t n, cap;
	size_t *mk;
	size_t nmk, capmk;
	memo_slot *memo;
	size_t memo_cap, memo_n;
	size_t frame_end;
} pk_ctx;

#define IMP_HASH 1024

struct op_desc;

typedef struct {
	const unsigned char *buf;
	size_t len;
	size_t off;
	const char *what;
	sc_pickle_opts o;
	sc_pickle_report *r;
	pk_ctx c;
	pk_ctx outer;   /* joblib: the outer pickle while an object array's pickle is walked */
	int nested;
	size_t imp_cap;
	int32_t imp_hash[IMP_HASH];
	const struct op_desc *op_table[256];
	uint64_t import_ops;
	char first_danger[2 * SC_PICKLE_MAX_NAME + 2];
	uint64_t danger_off;
	char first_unknown[2 * SC_PICKLE_MAX_NAME + 2];
	uint64_t unknown_off;
} pk;

/* Stop: malformed input (or truncated data in prefix mode).  Returns 1. */
static int stop(pk *p, uint64_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int stop(pk *p, uint64_t at, const char *fmt, ...)
{
	va_list ap;

	p->r->malformed = 1;
	p->r->error_offset = at;
	va_start(ap, fmt);
	vsnprintf(p->r->error, sizeof(p->r->error), fmt, ap);
	va_end(ap);
	return 1;
}

static int truncated(pk *p, uint64_t at)
{
	p->r->truncated = 1;
	if (p->o.prefix)
		return 1;
	return stop(p, at, "data ends inside a pickle (opcode at offset %" PRIu64 ")", at);
}

static void ctx_release(pk_ctx *c)
{
	free(c->st);
	free(c->mk);
	free(c->memo);
	memset(c, 0, sizeof(*c));
}

/* A fresh pickle: empty stack, marks and memo (big tables are dropped, not cleared). */
static void ctx_reset(pk_ctx *c)
{
	c->n = 0;
	c->nmk = 0;
	c->frame_end = 0;
	if (c->memo_cap > 1024) {
		free(c->memo);
		c->memo = NULL;
		c->memo_cap = 0;
	} else if (c->memo_n) {
		memset(c->memo, 0, c->memo_cap * sizeof(*c->memo));
	}
	c->memo_n = 0;
}

static int push(pk *p, const pk_val *v, uint64_t at)
{
	pk_ctx *c = &p->c;

	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		pk_val *n;

		if (c->n >= SC_PICKLE_MAX_STACK)
			return stop(p, at, "stack deeper than %u entries at offset %" PRIu64, SC_PICKLE_MAX_STACK, at);
		if (ncap > SC_PICKLE_MAX_STACK)
			ncap = SC_PICKLE_MAX_STACK;
		if (!(n = sc_reallocarray(c->st, ncap, sizeof(*n))))
			return SC_ENOMEM;
		c->st = n;
		c->cap = ncap;
	}
	c->st[c->n++] = *v;
	return 0;
}

static int push_kind(pk *p, uint8_t kind, uint64_t at)
{
	pk_val v;

	memset(&v, 0, sizeof(v));
	v.kind = kind;
	v.imp = -1;
	return push(p, &v, at);
}

/* Entries above the innermost mark. */
static size_t avail(const pk *p)
{
	return p->c.nmk ? p->c.n - p->c.mk[p->c.nmk - 1] : p->c.n;
}

static int pop(pk *p, pk_val *v, uint64_t at)
{
	if (avail(p) == 0)
		return stop(p, at, "stack underflow at offset %" PRIu64, at);
	p->c.n--;
	if (v)
		*v = p->c.st[p->c.n];
	return 0;
}

static pk_val *top(pk *p)
{
	return avail(p) ? &p->c.st[p->c.n - 1] : NULL;
}

static int mark(pk *p, uint64_t at)
{
	pk_ctx *c = &p->c;

	if (c->nmk == c->capmk) {
		size_t ncap = c->capmk ? c->capmk * 2 : 16;
		size_t *n;

		if (c->nmk >= SC_PICKLE_MAX_STACK)
			return stop(p, at, "more than %u nested marks at offset %" PRIu64, SC_PICKLE_MAX_STACK, at);
		if (ncap > SC_PICKLE_MAX_STACK)
			ncap = SC_PICKLE_MAX_STACK;
		if (!(n = sc_reallocarray(c->mk, ncap, sizeof(*n))))
			return SC_ENOMEM;
		c->mk = n;
		c->capmk = ncap;
	}
	c->mk[c->nmk++] = c->n;
	return 0;
}

/* Pop to the innermost mark: *base = index of the first item, *cnt = items. */
static int pop_mark(pk *p, size_t *base, size_t *cnt, uint64_t at)
{
	pk_ctx *c = &p->c;

	*base = *cnt = 0;
	if (!c->nmk)
		return stop(p, at, "no mark on the stack at offset %" PRIu64, at);
	*base = c->mk[--c->nmk];
	*cnt = c->n - *base;
	c->n = *base; /* the items stay readable at st[base..base+cnt) until the next push */
	return 0;
}

/* ---- memo: open addressing on the index ---- */

static size_t memo_hash(uint64_t k, size_t cap)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return (size_t)k & (cap - 1);
}

static memo_slot *memo_find(pk_ctx *c, uint64_t key)
{
	size_t i;

	if (!c->memo_cap)
		return NULL;
	for (i = memo_hash(key, c->memo_cap);; i = (i + 1) & (c->memo_cap - 1)) {
		if (c->memo[i].v.kind == V_EMPTY)
			return NULL;
		if (c->memo[i].key == key)
			return &c->memo[i];
	}
}

static int memo_put(pk *p, uint64_t key, const pk_val *v, uint64_t at)
{
	pk_ctx *c = &p->c;
	memo_slot *s = memo_find(c, key);
	size_t i;

	if (s) {
		s->v = *v;
		return 0;
	}
	if (c->memo_n >= SC_PICKLE_MAX_MEMO)
		return stop(p, at, "memo exceeds %u entries at offset %" PRIu64, SC_PICKLE_MAX_MEMO, at);
	if ((c->memo_n + 1) * 4 > c->memo_cap * 3) {
		size_t ncap = c->memo_cap ? c->memo_cap * 2 : 64, k;
		memo_slot *n = sc_calloc(ncap, sizeof(*n));

		if (!n)
			return SC_ENOMEM;
		for (k = 0; k < c->memo_cap; k++) {
			if (c->memo[k].v.kind == V_EMPTY)
				continue;
			for (i = memo_hash(c->memo[k].key, ncap); n[i].v.kind != V_EMPTY; i = (i + 1) & (ncap - 1))
				;
			n[i] = c->memo[k];
		}
		free(c->memo);
		c->memo = n;
		c->memo_cap = ncap;
	}
	for (i = memo_hash(key, c->memo_cap); c->memo[i].v.kind != V_EMPTY; i = (i + 1) & (c->memo_cap - 1))
		;
	c->memo[i].key = key;
	c->memo[i].v = *v;
	c->memo_n++;
	return 0;
}

/* ---- text of string values ---- */

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void put_utf8(char *o, size_t cap, size_t *n, uint32_t cp)
{
	unsigned char t[4];
	size_t k, l;

	if (cp < 0x80) {
		t[0] = (unsigned char)cp;
		l = 1;
	} else if (cp < 0x800) {
		t[0] = (unsigned char)(0xc0 | (cp >> 6));
		t[1] = (unsigned char)(0x80 | (cp & 0x3f));
		l = 2;
	} else if (cp < 0x10000) {
		t[0] = (unsigned char)(0xe0 | (cp >> 12));
		t[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		t[2] = (unsigned char)(0x80 | (cp & 0x3f));
		l = 3;
	} else {
		t[0] = (unsigned char)(0xf0 | ((cp >> 18) & 0x07));
		t[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		t[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		t[3] = (unsigned char)(0x80 | (cp & 0x3f));
		l = 4;
	}
	for (k = 0; k < l && *n < cap; k++)
		o[(*n)++] = (char)t[k];
}

/*
 * Decode a V_STR into out (cap bytes + NUL): STRING's Python escapes,
 * UNICODE's raw-unicode-escape, others verbatim.  *cut is set when the
 * text did not fit.  Bounded by cap whatever the string's length.
 */
static void str_text(const pk *p, const pk_val *v, char *out, size_t cap, int *cut)
{
	const unsigned char *s = p->buf + v->a;
	size_t len = (size_t)v->b, i = 0, n = 0;

	*cut = 0;
	while (i < len && n < cap) {
		unsigned char c = s[i];

		if (c != '\\' || !(v->flags & (SF_ESC | SF_RUE)) || i + 1 >= len) {
			out[n++] = (char)c;
			i++;
			continue;
		}
		if (v->flags & SF_RUE) {
			size_t digits = s[i + 1] == 'u' ? 4 : s[i + 1] == 'U' ? 8 : 0, k;
			uint32_t cp = 0;

			if (!digits || i + 2 + digits > len) {
				out[n++] = (char)c;
				i++;
				continue;
			}
			for (k = 0; k < digits; k++) {
				int h = hexval(s[i + 2 + k]);

				if (h < 0)
					break;
				cp = (cp << 4) | (uint32_t)h;
			}
			if (k < digits || cp > 0x10ffff) {
				out[n++] = (char)c;
				i++;
				continue;
			}
			put_utf8(out, cap, &n, cp);
			i += 2 + digits;
			continue;
		}
		/* SF_ESC: Python string escapes */
		c = s[++i];
		i++;
		switch (c) {
		case 'n': out[n++] = '\n'; break;
		case 't': out[n++] = '\t'; break;
		case 'r': out[n++] = '\r'; break;
		case 'a': out[n++] = '\a'; break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'v': out[n++] = '\v'; break;
		case '\\': case '\'': case '"': out[n++] = (char)c; break;
		case '\n': break;
		case 'x':
			if (i + 2 <= len && hexval(s[i]) >= 0 && hexval(s[i + 1]) >= 0) {
				out[n++] = (char)(hexval(s[i]) * 16 + hexval(s[i + 1]));
				i += 2;
			} else {
				out[n++] = '\\';
				if (n < cap)
					out[n++] = 'x';
			}
			break;
		default:
			if (c >= '0' && c <= '7') {
				unsigned val = (unsigned)(c - '0'), k;

				for (k = 0; k < 2 && i < len && s[i] >= '0' && s[i] <= '7'; k++)
					val = val * 8 + (unsigned)(s[i++] - '0');
				out[n++] = (char)(val & 0xff);
			} else {
				out[n++] = '\\';
				if (n < cap)
					out[n++] = (char)c;
			}
		}
	}
	if (i < len)
		*cut = 1;
	out[n] = '\0';
}

/* Does a V_STR read exactly `lit`? (keys of joblib's wrapper state) */
static int str_is(const pk *p, const pk_val *v, const char *lit)
{
	char t[64];
	int cut;

	if (v->kind != V_STR || !(v->flags & SF_TEXT) || v->b > 2 * sizeof(t))
		return 0;
	str_text(p, v, t, sizeof(t) - 1, &cut);
	return !cut && !strcmp(t, lit);
}

/* numpy dtype code ("f8", "<i4", "U5", "V12", "O8") -> itemsize; 0 unknown. */
static uint64_t dtype_itemsize(const pk *p, const pk_val *v)
{
	char t[32], *s;
	uint64_t n = 0;
	int cut;

	if (v->kind != V_STR || v->b >= sizeof(t))
		return 0;
	str_text(p, v, t, sizeof(t) - 1, &cut);
	s = t;
	if (*s == '<' || *s == '>' || *s == '|' || *s == '=')
		s++;
	if (*s == 'O')
		return ITEM_OBJECT;
	if (!*s || !strchr("biufcSUVMm", *s) || s[1] < '0' || s[1] > '9')
		return 0;
	for (s++; *s >= '0' && *s <= '9'; s++)
		if (n > 1000000000ull)
			return 0;
		else
			n = n * 10 + (uint64_t)(*s - '0');
	if (*s)
		return 0;
	return t[strspn(t, "<>|=")] == 'U' ? n * 4 : n;
}

/* ------------------------------------------------------------------ */
/* imports                                                             */

static uint32_t imp_hash(const char *m, const char *n)
{
	uint32_t h = 2166136261u;

	for (; *m; m++)
		h = (h ^ (unsigned char)*m) * 16777619u;
	h = (h ^ 0xff) * 16777619u;
	for (; *n; n++)
		h = (h ^ (unsigned char)*n) * 16777619u;
	return h;
}

static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s == 0x7f)
			return 0;
	return 1;
}

/*
 * Record one import of module.name at `at`; fill *val (V_GLOBAL).  `cut`
 * says a part was longer than SC_PICKLE_MAX_NAME (never allowlisted);
 * `dynamic` says the target is computed at load time.
 */
static int add_import(pk *p, const char *module, const char *name, int cut, int dynamic, uint64_t at, pk_val *val)
{
	sc_pickle_report *r = p->r;
	const char *why;
	sc_pickle_class cls = dynamic ? SC_PICKLE_DANGEROUS : classify(module, name, &why);
	uint32_t h = imp_hash(module, name) & (IMP_HASH - 1);
	int32_t idx = -1;
	char full[sizeof(p->first_danger)];

	if (cut && cls == SC_PICKLE_SAFE)
		cls = SC_PICKLE_UNKNOWN;
	p->import_ops++;
	snprintf(full, sizeof(full), "%s.%s", module, name);
	if (cls == SC_PICKLE_DANGEROUS && r->n_dangerous++ == 0) {
		memcpy(p->first_danger, full, sizeof(full));
		p->danger_off = at;
	} else if (cls == SC_PICKLE_UNKNOWN && r->n_unknown++ == 0) {
		memcpy(p->first_unknown, full, sizeof(full));
		p->unknown_off = at;
	}
	for (;; h = (h + 1) & (IMP_HASH - 1)) {
		int32_t k = p->imp_hash[h];

		if (k < 0)
			break;
		if (!strcmp(r->imports[k].module, module) && !strcmp(r->imports[k].name, name)) {
			idx = k;
			break;
		}
	}
	if (idx < 0 && r->n_imports < SC_PICKLE_MAX_IMPORTS) {
		sc_pickle_import *im;

		if (r->n_imports == p->imp_cap) {
			size_t ncap = p->imp_cap ? p->imp_cap * 2 : 16;

			if (!(im = sc_reallocarray(r->imports, ncap, sizeof(*im))))
				return SC_ENOMEM;
			r->imports = im;
			p->imp_cap = ncap;
		}
		im = &r->imports[r->n_imports];
		memset(im, 0, sizeof(*im));
		if (!(im->module = sc_strdup(module)) || !(im->name = sc_strdup(name))) {
			free(im->module);
			return SC_ENOMEM;
		}
		im->cls = cls;
		im->first_offset = at;
		idx = (int32_t)r->n_imports++;
		p->imp_hash[h] = idx;
	}
	if (idx >= 0)
		r->imports[idx].count++;
	else
		r->imports_dropped++;
	memset(val, 0, sizeof(*val));
	val->kind = V_GLOBAL;
	val->imp = idx;
	if (!strcmp(module, "numpy") && !strcmp(name, "dtype"))
		val->sp = SP_NPDTYPE;
	else if ((!strcmp(module, "joblib.numpy_pickle") ||
		  !strcmp(module, "sklearn.externals.joblib.numpy_pickle")) &&
		 !strcmp(name, "NumpyArrayWrapper"))
		val->sp = SP_WRAPPER;
	return 0;
}

/* Bytes [s, s+n) as a NUL-terminated name (cut at SC_PICKLE_MAX_NAME). */
static void copy_name(char *dst, const unsigned char *s, size_t n, int *cut)
{
	if (n > SC_PICKLE_MAX_NAME) {
		n = SC_PICKLE_MAX_NAME;
		*cut = 1;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* Apply a call opcode to `callable`; push its result. */
static int do_call(pk *p, const pk_val *callable, uint64_t *counter, uint64_t at)
{
	pk_val res;

	(*counter)++;
	memset(&res, 0, sizeof(res));
	res.kind = V_OBJ;
	res.imp = -1;
	if (callable->kind == V_GLOBAL) {
		if (callable->imp >= 0)
			p->r->imports[callable->imp].calls++;
		res.imp = callable->imp;
		res.sp = callable->sp;
	} else {
		p->r->calls_unresolved++;
	}
	return push(p, &res, at);
}

/* ------------------------------------------------------------------ */
/* containers of the value model                                       */

static void tuple_of(const pk *p, const pk_val *items, size_t n, pk_val *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	t->kind = V_TUPLE;
	t->imp = -1;
	t->flags = TF_INTS;
	t->a = 1;
	for (i = 0; i < n; i++) {
		if (items[i].kind != V_INT) {
			t->flags &= (uint8_t)~TF_INTS;
		} else if (__builtin_mul_overflow(t->a, items[i].a, &t->a)) {
			t->flags |= TF_OVF;
		}
	}
	if (n && items[0].kind == V_STR)
		t->b = dtype_itemsize(p, &items[0]);
}

/* dict[key] = value, as far as joblib's wrapper state needs it */
static void dict_set(const pk *p, pk_val *d, const pk_val *k, const pk_val *v)
{
	if (d->kind != V_DICT)
		return;
	if (str_is(p, k, "shape")) {
		d->flags &= (uint8_t)~DF_SHAPE;
		if (v->kind == V_TUPLE && (v->flags & TF_INTS) && !(v->flags & TF_OVF)) {
			d->flags |= DF_SHAPE;
			d->a = v->a;
		}
	} else if (str_is(p, k, "dtype")) {
		d->flags &= (uint8_t)~DF_DTYPE;
		if (v->kind == V_OBJ && v->sp == SP_NPDTYPE && v->b) {
			d->flags |= DF_DTYPE;
			d->b = v->b;
		}
	} else if (str_is(p, k, "numpy_array_alignment_bytes")) {
		if (v->kind == V_INT)
			d->flags |= DF_ALIGN;
		else
			d->flags &= (uint8_t)~DF_ALIGN;
	}
}

/* ------------------------------------------------------------------ */
/* the walk                                                            */

/* argument encodings (pickletools ArgumentDescriptor names) */
enum {
	A_NONE, A_U1, A_U2, A_I4, A_U4, A_U8, A_F8,
	A_DECNL,   /* decimalnl_short / decimalnl_long / floatnl: one line */
	A_STRNL,   /* stringnl: quoted, Python escapes */
	A_NOESC,   /* stringnl_noescape: one line */
	A_UNINL,   /* unicodestringnl: raw-unicode-escape line */
	A_PAIR,    /* stringnl_noescape_pair: two lines */
	A_L1, A_L4S, A_L4, A_L8, /* counted: 1-byte, signed 4, unsigned 4, unsigned 8 */
};

typedef struct op_desc {
	unsigned char code;
	unsigned char arg;
	const char *name;
} op_desc;

static const op_desc ops[] = {
	{ 'I', A_DECNL, "INT" },          { 'J', A_I4, "BININT" },         { 'K', A_U1, "BININT1" },
	{ 'M', A_U2, "BININT2" },         { 'L', A_DECNL, "LONG" },        { 0x8a, A_L1, "LONG1" },
	{ 0x8b, A_L4S, "LONG4" },         { 'S', A_STRNL, "STRING" },      { 'T', A_L4S, "BINSTRING" },
	{ 'U', A_L1, "SHORT_BINSTRING" }, { 'B', A_L4, "BINBYTES" },       { 'C', A_L1, "SHORT_BINBYTES" },
	{ 0x8e, A_L8, "BINBYTES8" },      { 0x96, A_L8, "BYTEARRAY8" },    { 0x97, A_NONE, "NEXT_BUFFER" },
	{ 0x98, A_NONE, "READONLY_BUFFER" }, { 'N', A_NONE, "NONE" },      { 0x88, A_NONE, "NEWTRUE" },
	{ 0x89, A_NONE, "NEWFALSE" },     { 'V', A_UNINL, "UNICODE" },     { 0x8c, A_L1, "SHORT_BINUNICODE" },
	{ 'X', A_L4, "BINUNICODE" },      { 0x8d, A_L8, "BINUNICODE8" },   { 'F', A_DECNL, "FLOAT" },
	{ 'G', A_F8, "BINFLOAT" },        { ']', A_NONE, "EMPTY_LIST" },   { 'a', A_NONE, "APPEND" },
	{ 'e', A_NONE, "APPENDS" },       { 'l', A_NONE, "LIST" },         { ')', A_NONE, "EMPTY_TUPLE" },
	{ 't', A_NONE, "TUPLE" },         { 0x85, A_NONE, "TUPLE1" },      { 0x86, A_NONE, "TUPLE2" },
	{ 0x87, A_NONE, "TUPLE3" },       { '}', A_NONE, "EMPTY_DICT" },   { 'd', A_NONE, "DICT" },
	{ 's', A_NONE, "SETITEM" },       { 'u', A_NONE, "SETITEMS" },     { 0x8f, A_NONE, "EMPTY_SET" },
	{ 0x90, A_NONE, "ADDITEMS" },     { 0x91, A_NONE, "FROZENSET" },   { '0', A_NONE, "POP" },
	{ '2', A_NONE, "DUP" },           { '(', A_NONE, "MARK" },         { '1', A_NONE, "POP_MARK" },
	{ 'g', A_DECNL, "GET" },          { 'h', A_U1, "BINGET" },         { 'j', A_U4, "LONG_BINGET" },
	{ 'p', A_DECNL, "PUT" },          { 'q', A_U1, "BINPUT" },         { 'r', A_U4, "LONG_BINPUT" },
	{ 0x94, A_NONE, "MEMOIZE" },      { 0x82, A_U1, "EXT1" },          { 0x83, A_U2, "EXT2" },
	{ 0x84, A_I4, "EXT4" },           { 'c', A_PAIR, "GLOBAL" },       { 0x93, A_NONE, "STACK_GLOBAL" },
	{ 'R', A_NONE, "REDUCE" },        { 'b', A_NONE, "BUILD" },        { 'i', A_PAIR, "INST" },
	{ 'o', A_NONE, "OBJ" },           { 0x81, A_NONE, "NEWOBJ" },      { 0x92, A_NONE, "NEWOBJ_EX" },
	{ 0x80, A_U1, "PROTO" },          { '.', A_NONE, "STOP" },         { 0x95, A_U8, "FRAME" },
	{ 'P', A_NOESC, "PERSID" },       { 'Q', A_NONE, "BINPERSID" },
};


static uint32_t rd32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t rd64(const unsigned char *b)
{
	return (uint64_t)rd32(b) | (uint64_t)rd32(b + 4) << 32;
}

/* Python int() of a decimal line (PUT/GET/INT): whitespace, sign, digits, underscores. */
static int parse_dec(const unsigned char *s, size_t n, uint64_t *v, int *neg)
{
	size_t i = 0;
	int digits = 0;

	*v = 0;
	*neg = 0;
	while (i < n && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')))
		i++;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		*neg = s[i++] == '-';
	for (; i < n; i++) {
		if (s[i] == '_' && digits && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9')
			continue;
		if (s[i] < '0' || s[i] > '9')
			break;
		if (__builtin_mul_overflow(*v, 10, v) || __builtin_add_overflow(*v, (uint64_t)(s[i] - '0'), v))
			return -1;
		digits++;
	}
	if (i < n && s[i] == 'L') /* LONG's Python 2 suffix */
		i++;
	while (i < n && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')))
		i++;
	return digits && i == n ? 0 : -1;
}

/* Skip joblib's inline array data after BUILD of a NumpyArrayWrapper. */
static int joblib_array(pk *p, const pk_val *state, uint64_t at)
{
	uint64_t bytes;

	p->r->joblib_arrays++;
	if (p->off < p->c.frame_end)
		return stop(p, at, "joblib array data inside a pickle frame at offset %" PRIu64, at);
	if (state->kind != V_DICT || !(state->flags & DF_DTYPE) || !(state->flags & DF_SHAPE))
		return stop(p, at, "joblib array wrapper at offset %" PRIu64 " has no readable shape and dtype", at);
	if (state->b == ITEM_OBJECT) {
		/* an object array: a nested protocol-2 pickle follows, read by pickle.load */
		p->outer = p->c;
		memset(&p->c, 0, sizeof(p->c));
		p->nested = 1;
		return 0;
	}
	if (state->flags & DF_ALIGN) {
		if (p->off >= p->len)
			return truncated(p, p->off);
		if ((size_t)p->buf[p->off] > p->len - p->off - 1)
			return truncated(p, p->off);
		p->off += 1 + (size_t)p->buf[p->off];
	}
	if (__builtin_mul_overflow(state->a, state->b, &bytes))
		return stop(p, at, "joblib array size overflows at offset %" PRIu64, at);
	if (bytes > p->len - p->off)
		return truncated(p, p->off);
	p->off += (size_t)bytes;
	return 0;
}

static int get_name(pk *p, const pk_val *v, char *out, int *cut, uint64_t at)
{
	int c = 0;

	if (v->kind != V_STR || !(v->flags & SF_TEXT))
		return stop(p, at, "STACK_GLOBAL operand is not a str at offset %" PRIu64, at);
	str_text(p, v, out, SC_PICKLE_MAX_NAME, &c);
	*cut |= c;
	return 0;
}

/*
 * One opcode at p->off.  Returns 0 to go on, 2 after a STOP, 1 to stop
 * the walk (malformed or truncated: see the report), or SC_ENOMEM.
 */
static int step(pk *p)
{
	const unsigned char *b = p->buf;
	size_t len = p->len, start = p->off, off = p->off + 1, alen = 0;
	const unsigned char *arg = NULL, *arg2 = NULL;
	size_t arg2len = 0;
	uint64_t u = 0;
	const op_desc *d = p->op_table[b[start]];
	sc_pickle_report *r = p->r;
	pk_val v, w, x;
	int rc;

	if (!d)
		return stop(p, start, "unknown pickle opcode 0x%02x at offset %zu", b[start], start);
	if (++r->opcodes > SC_PICKLE_MAX_OPCODES)
		return stop(p, start, "more than %llu opcodes", (unsigned long long)SC_PICKLE_MAX_OPCODES);
	p->off = off;
	switch (d->arg) {
	case A_NONE: break;
	case A_U1: alen = 1; break;
	case A_U2: alen = 2; break;
	case A_I4: case A_U4: alen = 4; break;
	case A_U8: case A_F8: alen = 8; break;
	case A_DECNL: case A_STRNL: case A_NOESC: case A_UNINL: case A_PAIR: {
		const unsigned char *nl = off < len ? memchr(b + off, '\n', len - off) : NULL;

		if (!nl)
			return truncated(p, start);
		arg = b + off;
		alen = (size_t)(nl - arg);
		if (d->arg == A_PAIR) {
			const unsigned char *nl2 = memchr(nl + 1, '\n', len - (size_t)(nl + 1 - b));

			if (!nl2)
				return truncated(p, start);
			arg2 = nl + 1;
			arg2len = (size_t)(nl2 - arg2);
			p->off = (size_t)(nl2 - b) + 1;
		} else {
			p->off = (size_t)(nl - b) + 1;
		}
		break;
	}
	case A_L1: case A_L4S: case A_L4: case A_L8: {
		size_t w8 = d->arg == A_L1 ? 1 : d->arg == A_L8 ? 8 : 4;

		if (len - off < w8)
			return truncated(p, start);
		u = w8 == 1 ? b[off] : w8 == 4 ? rd32(b + off) : rd64(b + off);
		if (d->arg == A_L4S && u > INT32_MAX)
			return stop(p, start, "negative length in %s at offset %zu", d->name, start);
		off += w8;
		if (u > len - off)
			return truncated(p, start);
		arg = b + off;
		alen = (size_t)u;
		p->off = off + alen;
		break;
	}
	}
	if (d->arg >= A_U1 && d->arg <= A_F8) {
		if (len - off < alen)
			return truncated(p, start);
		arg = b + off;
		p->off = off + alen;
		u = alen == 1 ? arg[0] : alen == 2 ? (uint64_t)arg[0] | (uint64_t)arg[1] << 8
				      : alen == 4 ? rd32(arg) : rd64(arg);
	}
	if (p->c.frame_end && start < p->c.frame_end && p->off > p->c.frame_end)
		return stop(p, start, "%s at offset %zu crosses the end of its frame", d->name, start);

	memset(&v, 0, sizeof(v));
	v.imp = -1;
	switch (d->code) {
	/* ---- numbers and constants ---- */
	case 'I': case 'L': {
		int neg;

		v.kind = V_ANY;
		if (parse_dec(arg, alen, &u, &neg) == 0 && !neg) {
			v.kind = V_INT;
			v.a = u;
		}
		return push(p, &v, start);
	}
	case 'J':
		v.kind = u > INT32_MAX ? V_ANY : V_INT;
		v.a = u;
		return push(p, &v, start);
	case 'K': case 'M':
		v.kind = V_INT;
		v.a = u;
		return push(p, &v, start);
	case 0x8a: case 0x8b:
		v.kind = V_ANY;
		if (alen <= 8 && (alen == 0 || !(arg[alen - 1] & 0x80))) {
			size_t k;

			v.kind = V_INT;
			for (k = alen; k-- > 0;)
				v.a = v.a << 8 | arg[k];
		}
		return push(p, &v, start);
	case 'F': case 'G': case 'N': case 0x88: case 0x89: case 0x97:
		return push_kind(p, V_ANY, start);
	case 0x98: /* READONLY_BUFFER: replaces the top */
		if (!top(p))
			return stop(p, start, "stack underflow at offset %zu", start);
		top(p)->kind = V_ANY;
		return 0;
	/* ---- strings and bytes ---- */
	case 'S':
		if (alen < 2 || arg[0] != arg[alen - 1] || (arg[0] != '\'' && arg[0] != '"'))
			return stop(p, start, "STRING argument is not quoted at offset %zu", start);
		v.kind = V_STR;
		v.flags = SF_TEXT | SF_ESC;
		v.a = (uint64_t)(arg + 1 - b);
		v.b = alen - 2;
		return push(p, &v, start);
	case 'V': case 'T': case 'U': case 0x8c: case 'X': case 0x8d:
		v.kind = V_STR;
		v.flags = SF_TEXT | (d->code == 'V' ? SF_RUE : 0);
		v.a = (uint64_t)(arg - b);
		v.b = alen;
		return push(p, &v, start);
	case 'B': case 'C': case 0x8e: case 0x96:
		v.kind = V_STR;
		v.flags = SF_BYTES;
		v.a = (uint64_t)(arg - b);
		v.b = alen;
		return push(p, &v, start);
	/* ---- containers ---- */
	case ']': case '}': case 0x8f:
		return push_kind(p, d->code == '}' ? V_DICT : V_ANY, start);
	case ')':
		tuple_of(p, NULL, 0, &v);
		return push(p, &v, start);
	case 'a':
		if ((rc = pop(p, NULL, start)) != 0)
			return rc;
		return top(p) ? 0 : stop(p, start, "stack underflow at offset %zu", start);
	case 'e': case 'u': case 0x90: {
		size_t base, cnt, k;
		pk_val *t;

		if ((rc = pop_mark(p, &base, &cnt, start)) != 0)
			return rc;
		if (!(t = top(p)))
			return stop(p, start, "stack underflow at offset %zu", start);
		if (d->code == 'u') {
			if (cnt % 2)
				return stop(p, start, "odd number of items for SETITEMS at offset %zu", start);
			for (k = 0; k + 1 < cnt; k += 2)
				dict_set(p, t, &p->c.st[base + k], &p->c.st[base + k + 1]);
		}
		return 0;
	}
	case 'l': case 't': case 'd': case 0x91: {
		size_t base, cnt, k;

		if ((rc = pop_mark(p, &base, &cnt, start)) != 0)
			return rc;
		if (d->code == 't') {
			tuple_of(p, cnt ? &p->c.st[base] : NULL, cnt, &v);
		} else if (d->code == 'd') {
			if (cnt % 2)
				return stop(p, start, "odd number of items for DICT at offset %zu", start);
			v.kind = V_DICT;
			for (k = 0; k + 1 < cnt; k += 2)
				dict_set(p, &v, &p->c.st[base + k], &p->c.st[base + k + 1]);
		} else {
			v.kind = V_ANY;
		}
		return push(p, &v, start);
	}
	case 0x85: case 0x86: case 0x87: {
		size_t n = (size_t)(d->code - 0x84);
		pk_val items[3];

		if (avail(p) < n)
			return stop(p, start, "stack underflow at offset %zu", start);
		memcpy(items, &p->c.st[p->c.n - n], n * sizeof(items[0]));
		p->c.n -= n;
		tuple_of(p, items, n, &v);
		return push(p, &v, start);
	}
	case 's':
		if ((rc = pop(p, &w, start)) != 0 || (rc = pop(p, &x, start)) != 0)
			return rc;
		if (!top(p))
			return stop(p, start, "stack underflow at offset %zu", start);
		dict_set(p, top(p), &x, &w);
		return 0;
	/* ---- stack ---- */
	case '0':
		if (avail(p))
			return pop(p, NULL, start);
		if (!p->c.nmk)
			return stop(p, start, "stack underflow at offset %zu", start);
		p->c.nmk--; /* POP of an empty frame drops the mark */
		return 0;
	case '2':
		if (!top(p))
			return stop(p, start, "stack underflow at offset %zu", start);
		v = *top(p);
		return push(p, &v, start);
	case '(':
		return mark(p, start);
	case '1': {
		size_t base, cnt;

		return pop_mark(p, &base, &cnt, start);
	}
	/* ---- memo ---- */
	case 'g': case 'h': case 'j': {
		memo_slot *s;
		int neg = 0;

		if (d->code == 'g' && (parse_dec(arg, alen, &u, &neg) != 0 || neg))
			return stop(p, start, "bad GET index at offset %zu", start);
		if (!(s = memo_find(&p->c, u)))
			return stop(p, start, "memo key %" PRIu64 " missing at offset %zu", u, start);
		v = s->v;
		return push(p, &v, start);
	}
	case 'p': case 'q': case 'r': {
		int neg = 0;

		if (d->code == 'p' && (parse_dec(arg, alen, &u, &neg) != 0 || neg))
			return stop(p, start, "bad PUT index at offset %zu", start);
		if (!top(p))
			return stop(p, start, "stack underflow at offset %zu", start);
		v = *top(p);
		return memo_put(p, u, &v, start);
	}
	case 0x94:
		if (!top(p))
			return stop(p, start, "stack underflow at offset %zu", start);
		v = *top(p);
		return memo_put(p, p->c.memo_n, &v, start);
	/* ---- imports and calls ---- */
	case 0x82: case 0x83: case 0x84: {
		char code[24];

		if (u == 0 || u > INT32_MAX)
			return stop(p, start, "bad extension code in %s at offset %zu", d->name, start);
		r->n_ext++;
		snprintf(code, sizeof(code), "%" PRIu64, u);
		if ((rc = add_import(p, "copyreg._extension_registry", code, 0, 0, start, &v)) != 0)
			return rc;
		return push(p, &v, start);
	}
	case 'c': case 'i': {
		char m[SC_PICKLE_MAX_NAME + 1], n[SC_PICKLE_MAX_NAME + 1];
		int cut = 0;

		copy_name(m, arg, alen, &cut);
		copy_name(n, arg2, arg2len, &cut);
		if (!valid_name(m) || !valid_name(n) || memchr(arg, 0, alen) || memchr(arg2, 0, arg2len))
			return stop(p, start, "%s argument at offset %zu is not a module and a name", d->name, start);
		if ((rc = add_import(p, m, n, cut, 0, start, &v)) != 0)
			return rc;
		if (d->code == 'c')
			return push(p, &v, start);
		{
			size_t base, cnt;

			if ((rc = pop_mark(p, &base, &cnt, start)) != 0)
				return rc;
			return do_call(p, &v, &r->n_inst, start);
		}
	}
	case 0x93: {
		char m[SC_PICKLE_MAX_NAME + 1], n[SC_PICKLE_MAX_NAME + 1];
		int cut = 0, dynamic = 0;

		if ((rc = pop(p, &w, start)) != 0 || (rc = pop(p, &x, start)) != 0)
			return rc;
		if ((x.kind == V_ANY || x.kind == V_OBJ || x.kind == V_GLOBAL) ||
		    (w.kind == V_ANY || w.kind == V_OBJ || w.kind == V_GLOBAL)) {
			/* computed at load time (a call's result): the target cannot be named */
			dynamic = 1;
			strcpy(m, "?");
			strcpy(n, "?");
			if (x.kind == V_STR && get_name(p, &x, m, &cut, start) != 0)
				return 1;
			if (w.kind == V_STR && get_name(p, &w, n, &cut, start) != 0)
				return 1;
		} else if (get_name(p, &x, m, &cut, start) != 0 || get_name(p, &w, n, &cut, start) != 0) {
			return 1;
		}
		if ((rc = add_import(p, m, n, cut, dynamic, start, &v)) != 0)
			return rc;
		return push(p, &v, start);
	}
	case 'R': case 0x81: /* REDUCE: callable args; NEWOBJ: cls args */
		if ((rc = pop(p, &w, start)) != 0 || (rc = pop(p, &x, start)) != 0)
			return rc;
		if (d->code == 'R' && x.sp == SP_NPDTYPE && x.kind == V_GLOBAL) {
			if ((rc = do_call(p, &x, &r->n_reduce, start)) != 0)
				return rc;
			p->c.st[p->c.n - 1].b = w.kind == V_TUPLE ? w.b : 0;
			return 0;
		}
		return do_call(p, &x, d->code == 'R' ? &r->n_reduce : &r->n_newobj, start);
	case 0x92: {
		pk_val kw;

		if ((rc = pop(p, &kw, start)) != 0 || (rc = pop(p, &w, start)) != 0 || (rc = pop(p, &x, start)) != 0)
			return rc;
		return do_call(p, &x, &r->n_newobj_ex, start);
	}
	case 'o': {
		size_t base, cnt;

		if ((rc = pop_mark(p, &base, &cnt, start)) != 0)
			return rc;
		if (cnt == 0)
			return stop(p, start, "OBJ without a class at offset %zu", start);
		x = p->c.st[base];
		return do_call(p, &x, &r->n_obj, start);
	}
	case 'b': {
		pk_val *t;

		if ((rc = pop(p, &w, start)) != 0)
			return rc;
		if (!(t = top(p)))
			return stop(p, start, "stack underflow at offset %zu", start);
		r->n_build++;
		if ((t->kind == V_OBJ || t->kind == V_GLOBAL) && t->imp >= 0)
			r->imports[t->imp].builds++;
		if (t->kind == V_OBJ && t->sp == SP_WRAPPER && !p->nested)
			return joblib_array(p, &w, start);
		return 0;
	}
	case 'P':
		r->n_persid++;
		return push_kind(p, V_ANY, start);
	case 'Q':
		r->n_persid++;
		if ((rc = pop(p, NULL, start)) != 0)
			return rc;
		return push_kind(p, V_ANY, start);
	/* ---- framing ---- */
	case 0x80:
		if (u > 5)
			return stop(p, start, "unsupported pickle protocol %u", (unsigned)u);
		if ((int)u > r->protocol)
			r->protocol = (int)u;
		return 0;
	case 0x95:
		if (p->c.frame_end && start < p->c.frame_end)
			return stop(p, start, "FRAME at offset %zu begins inside the previous frame", start);
		if (u > len - p->off) {
			if (p->o.prefix) {
				r->truncated = 1;
				return 1;
			}
			return stop(p, start, "FRAME of %" PRIu64 " bytes at offset %zu exceeds the data", u, start);
		}
		p->c.frame_end = p->off + (size_t)u;
		return 0;
	case '.':
		if ((rc = pop(p, NULL, start)) != 0)
			return rc;
		if (p->nested) { /* joblib object array read: back to the outer pickle */
			ctx_release(&p->c);
			p->c = p->outer;
			memset(&p->outer, 0, sizeof(p->outer));
			p->nested = 0;
			return 0;
		}
		return 2;
	}
	return stop(p, start, "unhandled pickle opcode 0x%02x at offset %zu", b[start], start);
}

static void verdict(pk *p)
{
	sc_pickle_report *r = p->r;

	if (r->n_dangerous) {
		r->verdict = SC_PICKLE_VERDICT_DANGEROUS;
		snprintf(r->reason, sizeof(r->reason), "imports %.200s at offset 0x%" PRIx64, p->first_danger,
			 p->danger_off);
	} else if (r->malformed) {
		r->verdict = SC_PICKLE_VERDICT_MALFORMED;
		snprintf(r->reason, sizeof(r->reason), "%s", r->error);
	} else if (r->n_unknown) {
		r->verdict = SC_PICKLE_VERDICT_UNKNOWN;
		snprintf(r->reason, sizeof(r->reason), "imports %.200s at offset 0x%" PRIx64 ", not on the allowlist",
			 p->first_unknown, p->unknown_off);
	} else {
		r->verdict = SC_PICKLE_VERDICT_SAFE;
		if (p->import_ops)
			snprintf(r->reason, sizeof(r->reason), "%zu distinct imports, all allowlisted", r->n_imports);
		else
			snprintf(r->reason, sizeof(r->reason), "no imports");
	}
}

int sc_pickle_scan_ex(sc_pickle_report *out, const unsigned char *buf, size_t len, const char *what,
		      const sc_pickle_opts *opts)
{
	sc_pickle_report r, snap;
	pk *p = NULL;
	size_t i;
	int rc = 0;

	if (!out || (!buf && len))
		return sc_error_set(SC_EUSAGE, "sc_pickle_scan: NULL argument");
	sc_pickle_report_init(&r);
	if (!(p = sc_calloc(1, sizeof(*p)))) {
		rc = sc_error_prefix(SC_ENOMEM, "%s", what ? what : "pickle");
		goto out;
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		p->op_table[ops[i].code] = &ops[i];
	memset(p->imp_hash, 0xff, sizeof(p->imp_hash));
	p->buf = buf;
	p->len = len;
	p->what = what;
	p->r = &r;
	if (opts)
		p->o = *opts;
	if (len == 0) {
		if (p->o.prefix)
			r.truncated = 1;
		else
			stop(p, 0, "empty pickle data");
	}
	while (p->off < len) {
		size_t begin = p->off;
		uint64_t ops_before = p->import_ops;
		int tentative = r.pickles > 0;

		if (r.pickles > 0) {
			if ((p->o.max_pickles && r.pickles >= p->o.max_pickles) ||
			    (p->o.proto_only_after_stop && buf[begin] != 0x80)) {
				r.trailing = len - begin;
				break;
			}
			snap = r;
		}
		ctx_reset(&p->c);
		for (;;) {
			if (p->off >= len) {
				rc = truncated(p, p->off);
				break;
			}
			if ((rc = step(p)) != 0)
				break;
		}
		if (rc < 0)
			goto out;
		if (rc == 2) {
			r.pickles++;
			rc = 0;
			continue;
		}
		/* the walk stopped */
		if (tentative && p->import_ops == ops_before) {
			/* bytes after a complete pickle that are not one (legacy torch storage data) */
			snap.trailing = len - begin;
			r = snap;
			p->off = len;
		}
		rc = 0;
		break;
	}
	r.bytes = p->off < len ? p->off : len;
	if (r.malformed)
		r.bytes = r.error_offset;
	verdict(p);
	*out = r;
	sc_pickle_report_init(&r);
out:
	if (p) {
		ctx_release(&p->c);
		ctx_release(&p->outer);
		free(p);
	}
	sc_pickle_report_release(&r);
	return rc;
}

int sc_pickle_scan(sc_pickle_report *out, const unsigned char *buf, size_t len, const char *what)
{
	return sc_pickle_scan_ex(out, buf, len, what, NULL);
}
