/*
 * elf.c - the ELF cataloger: one sc_elf_info per ELF file (SONAME, NEEDED,
 * RPATH/RUNPATH, interpreter, machine, kind), parsed while the file
 * streams by, keeping only bounded byte ranges (see elf.h).
 *
 * Spec: System V gABI "Object Files" (ELF header, program headers,
 * dynamic section): https://refspecs.linuxfoundation.org/elf/gabi4+/contents.html
 * and elf(5).  Section headers are not used: the dynamic loader does not
 * need them either.
 */
#include "catalog/elf.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX_MIN (64u * 1024u) /* the first 64 KiB are always kept */
#define MAX_PHNUM 4096
#define MAX_LOADS 64
#define INTERP_MAX 4096
#define DYN_MAX (1u << 20)
#define STR_MAX 4096 /* one string from the dynamic string table */
#define STR_RANGE_MAX (4u << 20)

#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define ET_EXEC 2
#define ET_DYN 3
#define DT_NULL 0
#define DT_NEEDED 1
#define DT_STRTAB 5
#define DT_STRSZ 10
#define DT_SONAME 14
#define DT_RPATH 15
#define DT_RUNPATH 29

typedef struct {
	uint64_t off, len, have;
	unsigned char *buf; /* NULL when unused (not needed, or in the prefix) */
} range;

enum { ST_EHDR, ST_PHDR, ST_DYN, ST_WAIT, ST_DONE };

typedef struct {
	uint64_t vaddr, off, filesz;
} load_seg;

struct sc_elf_stream {
	uint64_t pos;        /* bytes fed so far */
	size_t prefix_max;
	unsigned char *pre;  /* bytes [0, pre_len) of the file */
	size_t pre_len, pre_cap;
	uint64_t pre_limit;  /* keep the prefix growing up to here */
	int state;

	int valid, is64, be;
	unsigned type, machine, phentsize, phnum;
	uint64_t phoff;
	range r_phdr, r_interp, r_dyn, r_str;
	load_seg loads[MAX_LOADS];
	size_t n_loads;
	int has_interp, has_dyn;
	uint64_t interp_off, interp_len, dyn_off, dyn_len;

	int has_strtab, has_soname, has_rpath, has_runpath, strtab_mapped;
	uint64_t strtab, strsz, str_off, soname, rpath, runpath;
	uint64_t *needed;
	size_t n_needed;

	int problem_level;
	char problem[200];
};

static void problem(sc_elf_stream *s, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void problem(sc_elf_stream *s, int level, const char *fmt, ...)
{
	va_list ap;

	if (s->problem[0])
		return;
	va_start(ap, fmt);
	vsnprintf(s->problem, sizeof(s->problem), fmt, ap);
	va_end(ap);
	s->problem_level = level;
}

const char *sc_elf_machine_name(unsigned machine, int is64, int big_endian)
{
	switch (machine) {
	case 2: return is64 ? "sparc64" : "sparc";
	case 3: return "i386";
	case 8: return is64 ? (big_endian ? "mips64" : "mips64el") : (big_endian ? "mips" : "mipsel");
	case 20: return "ppc";
	case 21: return big_endian ? "ppc64" : "ppc64le";
	case 22: return is64 ? "s390x" : "s390";
	case 40: return big_endian ? "armeb" : "arm";
	case 43: return "sparc64";
	case 50: return "ia64";
	case 62: return "x86_64";
	case 183: return big_endian ? "aarch64_be" : "aarch64";
	case 243: return is64 ? "riscv64" : "riscv32";
	case 258: return is64 ? "loongarch64" : "loongarch32";
	}
	return NULL;
}

sc_elf_stream *sc_elf_stream_new(size_t prefix_max)
{
	sc_elf_stream *s = sc_calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (prefix_max == 0)
		prefix_max = SC_ELF_PREFIX_MAX;
	if (prefix_max < PREFIX_MIN)
		prefix_max = PREFIX_MIN;
	s->prefix_max = prefix_max;
	s->pre_limit = prefix_max;
	return s;
}

void sc_elf_stream_free(sc_elf_stream *s)
{
	if (!s)
		return;
	free(s->pre);
	free(s->r_phdr.buf);
	free(s->r_interp.buf);
	free(s->r_dyn.buf);
	free(s->r_str.buf);
	free(s->needed);
	free(s);
}

void sc_elf_parsed_free(sc_elf_parsed *p)
{
	if (!p)
		return;
	free(p->soname);
	free(p->rpath);
	free(p->runpath);
	free(p->interp);
	sc_strv_free(p->needed);
	free(p->machine);
	free(p->problem);
	free(p);
}

/* ---- byte access ----------------------------------------------------------- */

static uint16_t rd16(const sc_elf_stream *s, const unsigned char *p)
{
	return s->be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t rd32(const sc_elf_stream *s, const unsigned char *p)
{
	return s->be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		     : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint64_t rd64(const sc_elf_stream *s, const unsigned char *p)
{
	uint64_t hi = rd32(s, p + (s->be ? 0 : 4)), lo = rd32(s, p + (s->be ? 4 : 0));

	return hi << 32 | lo;
}

/* A word of the file's class: 4 or 8 bytes. */
static uint64_t rdw(const sc_elf_stream *s, const unsigned char *p)
{
	return s->is64 ? rd64(s, p) : rd32(s, p);
}

/* Pointer to the bytes kept at file offset off and how many follow contiguously. */
static const unsigned char *avail(const sc_elf_stream *s, uint64_t off, uint64_t *n)
{
	const range *rs[4] = { &s->r_phdr, &s->r_interp, &s->r_dyn, &s->r_str };
	const unsigned char *best = NULL;
	uint64_t best_n = 0;
	size_t i;

	/*
	 * The bytes may be both in the prefix and in a range buffer (a range
	 * that started inside the prefix and went on past it): take whichever
	 * holds more of them.
	 */
	if (off < s->pre_len) {
		best_n = s->pre_len - off;
		best = s->pre + off;
	}
	for (i = 0; i < 4; i++) {
		const range *r = rs[i];

		if (r->buf && off >= r->off && off - r->off < r->have && r->have - (off - r->off) > best_n) {
			best_n = r->have - (off - r->off);
			best = r->buf + (off - r->off);
		}
	}
	*n = best_n;
	return best;
}

static const unsigned char *get(const sc_elf_stream *s, uint64_t off, uint64_t len)
{
	uint64_t n;
	const unsigned char *p = avail(s, off, &n);

	return p && n >= len ? p : NULL;
}

/*
 * Arrange for bytes [off, off+len) to be kept.  0 when they are (or will
 * be) in the prefix or a range buffer was set up; 1 when they already
 * went by unkept; SC_ENOMEM.
 */
static int want(sc_elf_stream *s, range *r, uint64_t off, uint64_t len)
{
	uint64_t end, kept_end = s->pre_len > s->pre_limit ? s->pre_len : s->pre_limit;

	if (len == 0 || off > UINT64_MAX - len)
		return 1;
	end = off + len;
	if (end <= kept_end)
		return 0;
	if (off < s->pos && s->pos > s->pre_len)
		return 1; /* part of it went by and was not kept */
	r->buf = sc_malloc((size_t)len);
	if (!r->buf)
		return SC_ENOMEM;
	r->off = off;
	r->len = len;
	r->have = 0;
	if (off < s->pos) {
		/* Everything so far is in the prefix: start from there. */
		r->have = s->pos - off;
		memcpy(r->buf, s->pre + off, (size_t)r->have);
	}
	return 0;
}

static int range_done(const range *r)
{
	return !r->buf || r->have == r->len;
}

/* ---- parsing steps ----------------------------------------------------------- */

static int parse_ehdr(sc_elf_stream *s)
{
	const unsigned char *p = get(s, 0, 16);
	uint64_t tab;
	unsigned ehsize;
	int rc;

	if (!p)
		return 0;
	if (p[4] != 1 && p[4] != 2) {
		problem(s, SC_NOTE_WARNING, "unknown ELF class %u", p[4]);
		s->state = ST_DONE;
		return 0;
	}
	if (p[5] != 1 && p[5] != 2) {
		problem(s, SC_NOTE_WARNING, "unknown ELF data encoding %u", p[5]);
		s->state = ST_DONE;
		return 0;
	}
	s->is64 = p[4] == 2;
	s->be = p[5] == 2;
	if (!(p = get(s, 0, s->is64 ? 64 : 52)))
		return 0;
	s->valid = 1;
	s->type = rd16(s, p + 16);
	s->machine = rd16(s, p + 18);
	if (s->is64) {
		s->phoff = rd64(s, p + 32);
		ehsize = rd16(s, p + 52);
		s->phentsize = rd16(s, p + 54);
		s->phnum = rd16(s, p + 56);
	} else {
		s->phoff = rd32(s, p + 28);
		ehsize = rd16(s, p + 40);
		s->phentsize = rd16(s, p + 42);
		s->phnum = rd16(s, p + 44);
	}
	(void)ehsize;
	s->state = ST_DONE;
	if (s->phnum == 0)
		return 0; /* relocatable objects: nothing dynamic to read */
	if (s->phnum == 0xffff) {
		problem(s, SC_NOTE_WARNING, "more than 65534 program headers (PN_XNUM) not supported");
		return 0;
	}
	if (s->phnum > MAX_PHNUM) {
		problem(s, SC_NOTE_WARNING, "e_phnum %u exceeds the limit of %d", s->phnum, MAX_PHNUM);
		return 0;
	}
	if (s->phentsize != (s->is64 ? 56u : 32u)) {
		problem(s, SC_NOTE_WARNING, "bad e_phentsize %u", s->phentsize);
		return 0;
	}
	tab = (uint64_t)s->phnum * s->phentsize;
	if (s->phoff < (s->is64 ? 64u : 52u) || s->phoff > UINT64_MAX - tab) {
		problem(s, SC_NOTE_WARNING, "bad e_phoff %llu", (unsigned long long)s->phoff);
		return 0;
	}
	rc = want(s, &s->r_phdr, s->phoff, tab);
	if (rc == 1) {
		problem(s, SC_NOTE_WARNING, "program headers outside the captured range");
		return 0;
	}
	if (rc < 0)
		return rc;
	s->state = ST_PHDR;
	return 0;
}

static int parse_phdr(sc_elf_stream *s)
{
	uint64_t tab = (uint64_t)s->phnum * s->phentsize;
	const unsigned char *p = get(s, s->phoff, tab);
	unsigned i;
	int rc;

	if (!p)
		return 0;
	for (i = 0; i < s->phnum; i++) {
		const unsigned char *ph = p + (size_t)i * s->phentsize;
		uint32_t type = rd32(s, ph);
		uint64_t off, vaddr, filesz;

		if (s->is64) {
			off = rd64(s, ph + 8);
			vaddr = rd64(s, ph + 16);
			filesz = rd64(s, ph + 32);
		} else {
			off = rd32(s, ph + 4);
			vaddr = rd32(s, ph + 8);
			filesz = rd32(s, ph + 16);
		}
		if (off > UINT64_MAX - filesz || vaddr > UINT64_MAX - filesz) {
			problem(s, SC_NOTE_WARNING, "program header %u out of range", i);
			continue;
		}
		if (type == PT_LOAD && s->n_loads < MAX_LOADS) {
			s->loads[s->n_loads].vaddr = vaddr;
			s->loads[s->n_loads].off = off;
			s->loads[s->n_loads].filesz = filesz;
			s->n_loads++;
		} else if (type == PT_INTERP && !s->has_interp) {
			s->has_interp = 1;
			s->interp_off = off;
			s->interp_len = filesz < INTERP_MAX ? filesz : INTERP_MAX;
		} else if (type == PT_DYNAMIC && !s->has_dyn) {
			s->has_dyn = 1;
			s->dyn_off = off;
			s->dyn_len = filesz < DYN_MAX ? filesz : DYN_MAX;
		}
	}
	/* The prefix is only useful before PT_DYNAMIC (where DT_STRTAB usually is). */
	if (s->has_dyn) {
		if (s->dyn_off < s->pre_limit)
			s->pre_limit = s->dyn_off;
	} else {
		s->pre_limit = 0;
	}
	if (s->has_interp && s->interp_len) {
		if ((rc = want(s, &s->r_interp, s->interp_off, s->interp_len)) < 0)
			return rc;
		if (rc == 1)
			problem(s, SC_NOTE_WARNING, "PT_INTERP outside the captured range");
	}
	if (s->has_dyn && s->dyn_len) {
		if ((rc = want(s, &s->r_dyn, s->dyn_off, s->dyn_len)) < 0)
			return rc;
		if (rc == 1) {
			problem(s, SC_NOTE_WARNING, "PT_DYNAMIC outside the captured range");
			s->has_dyn = 0;
		}
	} else {
		s->has_dyn = 0;
	}
	s->state = s->has_dyn ? ST_DYN : ST_WAIT;
	return 0;
}

static int push_needed(sc_elf_stream *s, uint64_t idx)
{
	if (s->n_needed >= SC_ELF_MAX_NEEDED) {
		problem(s, SC_NOTE_WARNING, "more than %d DT_NEEDED entries", SC_ELF_MAX_NEEDED);
		return 0;
	}
	if (!s->needed) {
		s->needed = sc_calloc(SC_ELF_MAX_NEEDED, sizeof(*s->needed));
		if (!s->needed)
			return SC_ENOMEM;
	}
	s->needed[s->n_needed++] = idx;
	return 0;
}

static int parse_dyn(sc_elf_stream *s)
{
	const unsigned char *p = get(s, s->dyn_off, s->dyn_len);
	size_t esz = s->is64 ? 16 : 8, i, n;
	uint64_t lo = UINT64_MAX, hi = 0, len;
	int rc, any = 0;

	if (!p)
		return 0;
	s->state = ST_WAIT;
	n = (size_t)(s->dyn_len / esz);
	for (i = 0; i < n; i++) {
		int64_t tag = s->is64 ? (int64_t)rd64(s, p + i * esz) : (int64_t)(int32_t)rd32(s, p + i * esz);
		uint64_t val = rdw(s, p + i * esz + esz / 2);

		if (tag == DT_NULL)
			break;
		switch (tag) {
		case DT_NEEDED:
			if ((rc = push_needed(s, val)) != 0)
				return rc;
			break;
		case DT_STRTAB:
			if (!s->has_strtab) {
				s->has_strtab = 1;
				s->strtab = val;
			}
			break;
		case DT_STRSZ:
			if (!s->strsz)
				s->strsz = val;
			break;
		case DT_SONAME:
			if (!s->has_soname) {
				s->has_soname = 1;
				s->soname = val;
			}
			break;
		case DT_RPATH:
			if (!s->has_rpath) {
				s->has_rpath = 1;
				s->rpath = val;
			}
			break;
		case DT_RUNPATH:
			if (!s->has_runpath) {
				s->has_runpath = 1;
				s->runpath = val;
			}
			break;
		default:
			break;
		}
	}
	any = s->n_needed || s->has_soname || s->has_rpath || s->has_runpath;
	if (!any)
		return 0;
	if (!s->has_strtab) {
		problem(s, SC_NOTE_WARNING, "dynamic section without DT_STRTAB");
		return 0;
	}
	if (!s->strsz)
		s->strsz = UINT64_MAX;
	for (i = 0; i < s->n_loads; i++) {
		const load_seg *l = &s->loads[i];

		if (s->strtab >= l->vaddr && s->strtab - l->vaddr < l->filesz) {
			s->str_off = s->strtab - l->vaddr + l->off;
			s->strtab_mapped = 1;
			break;
		}
	}
	if (!s->strtab_mapped) {
		problem(s, SC_NOTE_WARNING, "DT_STRTAB outside every PT_LOAD segment");
		return 0;
	}
	/* The part of the string table the entries point into. */
	for (i = 0; i < s->n_needed; i++) {
		lo = s->needed[i] < lo ? s->needed[i] : lo;
		hi = s->needed[i] > hi ? s->needed[i] : hi;
	}
	if (s->has_soname) {
		lo = s->soname < lo ? s->soname : lo;
		hi = s->soname > hi ? s->soname : hi;
	}
	if (s->has_rpath) {
		lo = s->rpath < lo ? s->rpath : lo;
		hi = s->rpath > hi ? s->rpath : hi;
	}
	if (s->has_runpath) {
		lo = s->runpath < lo ? s->runpath : lo;
		hi = s->runpath > hi ? s->runpath : hi;
	}
	if (lo >= s->strsz)
		return 0; /* every index is out of the table: reported when resolving */
	if (hi >= s->strsz)
		hi = s->strsz - 1;
	len = hi - lo;
	len = len > UINT64_MAX - STR_MAX ? UINT64_MAX : len + STR_MAX;
	if (len > s->strsz - lo)
		len = s->strsz - lo;
	if (len > STR_RANGE_MAX)
		len = STR_RANGE_MAX;
	if (s->str_off > UINT64_MAX - lo)
		return 0;
	rc = want(s, &s->r_str, s->str_off + lo, len);
	return rc < 0 ? rc : 0; /* a missed table is reported when resolving */
}

static int advance(sc_elf_stream *s)
{
	int rc;

	for (;;) {
		int before = s->state;

		switch (s->state) {
		case ST_EHDR:
			if ((rc = parse_ehdr(s)) != 0)
				return rc;
			break;
		case ST_PHDR:
			if ((rc = parse_phdr(s)) != 0)
				return rc;
			break;
		case ST_DYN:
			if ((rc = parse_dyn(s)) != 0)
				return rc;
			break;
		case ST_WAIT:
			if (range_done(&s->r_phdr) && range_done(&s->r_interp) && range_done(&s->r_dyn) &&
			    range_done(&s->r_str)) {
				s->state = ST_DONE;
				s->pre_limit = 0;
			}
			break;
		default:
			return 0;
		}
		if (s->state == before)
			return 0;
	}
}

static void fill(range *r, uint64_t pos, const unsigned char *p, size_t len)
{
	uint64_t next, n;

	if (!r->buf || r->have == r->len)
		return;
	next = r->off + r->have;
	if (next < pos || next - pos >= len)
		return;
	n = len - (next - pos);
	if (n > r->len - r->have)
		n = r->len - r->have;
	memcpy(r->buf + r->have, p + (next - pos), (size_t)n);
	r->have += n;
}

int sc_elf_stream_feed(sc_elf_stream *s, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	if (s->state == ST_DONE || len == 0) {
		s->pos += len;
		return 0;
	}
	if (s->pos == s->pre_len && s->pos < s->pre_limit) {
		uint64_t room = s->pre_limit - s->pos;
		size_t take = room < len ? (size_t)room : len;

		if (s->pre_len + take > s->pre_cap) {
			size_t ncap = s->pre_cap ? s->pre_cap : PREFIX_MIN;
			unsigned char *np;

			while (ncap < s->pre_len + take)
				ncap *= 2;
			if (ncap > s->prefix_max)
				ncap = s->prefix_max;
			np = sc_realloc(s->pre, ncap);
			if (!np)
				return SC_ENOMEM;
			s->pre = np;
			s->pre_cap = ncap;
		}
		memcpy(s->pre + s->pre_len, p, take);
		s->pre_len += take;
	}
	fill(&s->r_phdr, s->pos, p, len);
	fill(&s->r_interp, s->pos, p, len);
	fill(&s->r_dyn, s->pos, p, len);
	fill(&s->r_str, s->pos, p, len);
	s->pos += len;
	return advance(s);
}

/* ---- result ------------------------------------------------------------------ */

/* A string from the dynamic string table: 0 ok (*out may stay NULL), SC_ENOMEM. */
static int dyn_string(sc_elf_stream *s, uint64_t idx, char **out)
{
	const unsigned char *p;
	uint64_t n, limit, i;
	char *c;

	*out = NULL;
	if (idx >= s->strsz) {
		problem(s, SC_NOTE_WARNING, "dynamic entry points outside the string table");
		return 0;
	}
	if (s->str_off > UINT64_MAX - idx || !(p = avail(s, s->str_off + idx, &n))) {
		problem(s, SC_NOTE_WARNING, "dynamic string table outside the captured range");
		return 0;
	}
	limit = s->strsz - idx;
	if (limit > STR_MAX)
		limit = STR_MAX;
	for (i = 0; i < n && i < limit && p[i]; i++)
		;
	if (i == n && n < limit) {
		problem(s, SC_NOTE_WARNING, "dynamic string table outside the captured range");
		return 0;
	}
	if (i == limit) {
		problem(s, SC_NOTE_WARNING, "unterminated or overlong dynamic string");
		return 0;
	}
	if (!(c = sc_strndup((const char *)p, (size_t)i)))
		return SC_ENOMEM;
	for (n = 0; n < i; n++)
		if ((unsigned char)c[n] < 0x20 || c[n] == 0x7f)
			c[n] = '?';
	*out = c;
	return 0;
}

int sc_elf_stream_finish(sc_elf_stream *s, sc_elf_parsed **out)
{
	sc_elf_parsed *r;
	const char *mach;
	char mbuf[32];
	int rc = 0;
	size_t i, k = 0;

	switch (s->state) {
	case ST_EHDR: problem(s, SC_NOTE_WARNING, "truncated ELF header"); break;
	case ST_PHDR: problem(s, SC_NOTE_WARNING, "truncated ELF file: program headers missing"); break;
	case ST_DYN: problem(s, SC_NOTE_WARNING, "truncated ELF file: dynamic section missing"); break;
	case ST_WAIT:
		if (!range_done(&s->r_interp) || !range_done(&s->r_str))
			problem(s, SC_NOTE_WARNING, "truncated ELF file");
		break;
	default: break;
	}
	r = sc_calloc(1, sizeof(*r));
	if (!r)
		return SC_ENOMEM;
	r->valid = s->valid;
	if (s->valid) {
		mach = sc_elf_machine_name(s->machine, s->is64, s->be);
		if (!mach) {
			snprintf(mbuf, sizeof(mbuf), "em-%u", s->machine);
			mach = mbuf;
		}
		if (!(r->machine = sc_strdup(mach)))
			goto oom;
	}
	if (s->has_interp && s->interp_len) {
		const unsigned char *p = get(s, s->interp_off, s->interp_len);

		if (p) {
			size_t l = 0;

			while (l < s->interp_len && p[l])
				l++;
			if (l && !(r->interp = sc_strndup((const char *)p, l)))
				goto oom;
			for (i = 0; i < l; i++)
				if ((unsigned char)r->interp[i] < 0x20 || r->interp[i] == 0x7f)
					r->interp[i] = '?';
		}
	}
	if (s->strtab_mapped) {
		if ((s->has_soname && (rc = dyn_string(s, s->soname, &r->soname)) != 0) ||
		    (s->has_rpath && (rc = dyn_string(s, s->rpath, &r->rpath)) != 0) ||
		    (s->has_runpath && (rc = dyn_string(s, s->runpath, &r->runpath)) != 0))
			goto oom;
		if (s->n_needed) {
			if (!(r->needed = sc_calloc(s->n_needed + 1, sizeof(char *))))
				goto oom;
			for (i = 0; i < s->n_needed; i++) {
				if ((rc = dyn_string(s, s->needed[i], &r->needed[k])) != 0)
					goto oom;
				if (r->needed[k])
					k++;
			}
			if (k == 0) {
				free(r->needed);
				r->needed = NULL;
			}
		}
	}
	if (s->valid) {
		int has_interp = r->interp != NULL || s->has_interp;

		r->is_executable = s->type == ET_EXEC || (s->type == ET_DYN && has_interp);
		r->is_shared = s->type == ET_DYN && (r->soname != NULL || !has_interp);
	}
	if (s->problem[0]) {
		r->problem_level = s->problem_level;
		if (!(r->problem = sc_strdup(s->problem)))
			goto oom;
	}
	*out = r;
	return 0;
oom:
	sc_elf_parsed_free(r);
	return SC_ENOMEM;
}

/* ---- the cataloger ----------------------------------------------------------- */

static const unsigned char elf_magic[] = { 0x7f, 'E', 'L', 'F' };

static void *stream_begin(void *ud, const sc_entry *e)
{
	(void)ud;
	(void)e;
	return sc_elf_stream_new(0);
}

static int stream_data(void *st, const void *buf, size_t len)
{
	return sc_elf_stream_feed(st, buf, len);
}

static void *stream_end(void *st, int failed)
{
	sc_elf_parsed *r = NULL;

	if (!failed && sc_elf_stream_finish(st, &r) != 0)
		r = NULL;
	sc_elf_stream_free(st);
	return r;
}

static void result_free(void *ud, void *result)
{
	(void)ud;
	sc_elf_parsed_free(result);
}

static const sc_interest elf_interest = {
	.name = "elf",
	.magic = elf_magic,
	.magic_len = sizeof(elf_magic),
	.min_size = 52,
	.stream_begin = stream_begin,
	.stream_data = stream_data,
	.stream_end = stream_end,
	.result_free = result_free,
};

static const sc_interest *const interests[] = { &elf_interest, NULL };

static int walk_cb(const sc_fsnode *n, void *ud)
{
	sc_catalog *cat = ud;
	const sc_capture *c;
	const sc_elf_parsed *r;
	sc_elf_info e;
	int rc;

	if (n->e.type != SC_FT_REG && n->e.type != SC_FT_HARDLINK)
		return 0;
	c = sc_fsnode_capture(n, &elf_interest);
	if (!c)
		return 0;
	r = c->result;
	if (!r) {
		/* stream_end ran out of memory for this file. */
		return sc_catalog_note(cat, SC_NOTE_WARNING, "elf", n->e.path, "ELF file not parsed");
	}
	if (r->problem && (rc = sc_catalog_note(cat, (sc_note_level)r->problem_level, "elf", n->e.path, "%s",
						r->problem)) != 0)
		return rc;
	if (!r->valid)
		return 0;
	memset(&e, 0, sizeof(e));
	e.path = (char *)n->e.path;
	e.soname = r->soname;
	e.needed = r->needed;
	e.rpath = r->rpath;
	e.runpath = r->runpath;
	e.interp = r->interp;
	e.machine = r->machine;
	e.is_shared = r->is_shared;
	e.is_executable = r->is_executable;
	return sc_catalog_add_elf(cat, &e);
}

static int elf_collect(const sc_fsview *view, sc_catalog *cat)
{
	return sc_fsview_walk(view, walk_cb, cat);
}

const sc_cataloger sc_cataloger_elf = { "elf", interests, elf_collect };
