/*
 * ldso.c - ld.so.cache and ld.so.conf readers and the DT_NEEDED resolver;
 * see ldso.h.
 *
 * Specs: glibc sysdeps/generic/dl-cache.h (cache layout and flags),
 * https://sourceware.org/git/?p=glibc.git;a=blob;f=sysdeps/generic/dl-cache.h ;
 * ld.so(8) (search order), https://man7.org/linux/man-pages/man8/ld.so.8.html ;
 * ldconfig(8) / elf/ldconfig.c parse_conf (ld.so.conf syntax); musl
 * ldso/dynlink.c load_library (musl search order, reserved names),
 * https://git.musl-libc.org/cgit/musl/tree/ldso/dynlink.c .
 *
 * Cache layout (all integers in the target's byte order):
 *   old: "ld.so-1.7.0" (11 bytes), pad to 12, u32 nlibs, then nlibs
 *        entries {i32 flags, u32 key, u32 value}; string offsets are
 *        relative to the end of the entry table.
 *   new: "glibc-ld.so.cache" "1.1" (20 bytes), u32 nlibs, u32 len_strings,
 *        u8 flags (byte order: 2 little, 3 big, 0 unknown), 3 pad, u32
 *        extension_offset, u32 unused[3] (48 bytes), then nlibs entries
 *        {i32 flags, u32 key, u32 value, u32 osversion, u64 hwcap}; string
 *        offsets are relative to the start of this header.  When both are
 *        present, the new header follows the old table, aligned to 8
 *        (4 on some 32-bit targets).
 */
#include "audit/ldso.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/path.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define OLD_MAGIC "ld.so-1.7.0"
#define OLD_MAGIC_LEN 11
#define OLD_HDR 16
#define OLD_ENTRY 12
#define NEW_MAGIC "glibc-ld.so.cache1.1"
#define NEW_MAGIC_LEN 20
#define NEW_HDR 48
#define NEW_ENTRY 24

#define CONF_CAPTURE_MAX (64u * 1024u)
#define CONF_LINE_MAX 4096
#define MAX_MUSL_ARCHES 8
#define CLOSURE_MAX 8192                 /* objects in one executable's closure */
#define CLOSURE_WORK_MAX (64u << 20)     /* closure steps over the whole run */

/* ---- interests ------------------------------------------------------------------ */

static const char *const cache_globs[] = { "etc/ld.so.cache", NULL };
static const char *const conf_globs[] = { "etc/ld.so.conf", "etc/ld.so.conf.d/**", NULL };
static const char *const musl_globs[] = { "etc/ld-musl-*.path", NULL };

const sc_interest sc_ldso_interest_cache = {
	.name = "ld.so.cache", .globs = cache_globs, .capture_max = SC_LDSO_CACHE_CAPTURE_MAX,
};
const sc_interest sc_ldso_interest_conf = {
	.name = "ld.so.conf", .globs = conf_globs, .capture_max = CONF_CAPTURE_MAX,
};
const sc_interest sc_ldso_interest_musl = {
	.name = "ld-musl path", .globs = musl_globs, .capture_max = CONF_CAPTURE_MAX,
};
const sc_interest *const sc_ldso_interests[] = {
	&sc_ldso_interest_cache, &sc_ldso_interest_conf, &sc_ldso_interest_musl, NULL,
};

/* ---- ld.so.cache ------------------------------------------------------------------ */

static uint32_t rd32(const unsigned char *p, int be)
{
	return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		  : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint64_t rd64(const unsigned char *p, int be)
{
	uint64_t a = rd32(p, be), b = rd32(p + 4, be);

	return be ? a << 32 | b : b << 32 | a;
}

/* Whether n entries of esz bytes fit in avail bytes. */
static int table_fits(uint64_t n, size_t esz, size_t avail)
{
	size_t need;

	if (n > SIZE_MAX || sc_mul_overflow((size_t)n, esz, &need))
		return 0;
	return need <= avail;
}

/* A NUL-terminated string starting at base+off, inside [base, end). */
static int string_ok(const unsigned char *base, size_t avail, uint32_t off)
{
	return off < avail && memchr(base + off, '\0', avail - off) != NULL;
}

static int entry_cmp(const void *a, const void *b)
{
	const sc_ldso_cache_entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Fill entries from the table at buf+tab (n entries of esz bytes), with
 * string offsets relative to buf+strbase.
 */
static int read_entries(sc_ldso_cache_entry *ents, const unsigned char *buf, size_t len, const char *copy,
			size_t tab, size_t n, size_t esz, size_t strbase, int be)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const unsigned char *p = buf + tab + i * esz;
		uint32_t k = rd32(p + 4, be), v = rd32(p + 8, be);

		if (!string_ok(buf + strbase, len - strbase, k) || !string_ok(buf + strbase, len - strbase, v))
			return sc_error_set(SC_EINPUT, "ld.so.cache entry %zu: string offset outside the file", i);
		ents[i].flags = rd32(p, be);
		ents[i].hwcap = esz == NEW_ENTRY ? rd64(p + 16, be) : 0;
		ents[i].key = copy + strbase + k;
		ents[i].value = copy + strbase + v;
		ents[i].order = i;
	}
	return 0;
}

/* The byte order of a table of n (read both ways) entries: declared, else the one that fits. */
static void pick_order(const unsigned char *cnt, int declared, size_t esz, size_t avail, int *be, uint32_t *n)
{
	if (declared >= 0) {
		*be = declared;
		*n = rd32(cnt, declared);
		return;
	}
	*n = rd32(cnt, 0);
	*be = 0;
	if (table_fits(*n, esz, avail))
		return;
	if (table_fits(rd32(cnt, 1), esz, avail)) {
		*n = rd32(cnt, 1);
		*be = 1;
	}
}

int sc_ldso_cache_parse(sc_ldso_cache *out, const unsigned char *buf, size_t len)
{
	sc_ldso_cache c;
	size_t base = 0, tab, strbase, esz;
	uint32_t n = 0;
	int be = 0, rc = 0;

	memset(&c, 0, sizeof(c));
	if (!buf || len < OLD_HDR)
		return sc_error_set(SC_EINPUT, "ld.so.cache: truncated header (%zu bytes)", len);
	if (memcmp(buf, OLD_MAGIC, OLD_MAGIC_LEN) == 0) {
		uint32_t n_old;
		size_t end_old;
		int be_old;

		pick_order(buf + 12, -1, OLD_ENTRY, len - OLD_HDR, &be_old, &n_old);
		if (n_old > SC_LDSO_CACHE_MAX_ENTRIES)
			return sc_error_set(SC_ELIMIT, "ld.so.cache: %u entries (limit %u)", n_old,
					    SC_LDSO_CACHE_MAX_ENTRIES);
		if (!table_fits(n_old, OLD_ENTRY, len - OLD_HDR))
			return sc_error_set(SC_EINPUT, "ld.so.cache: %u entries do not fit in %zu bytes", n_old,
					    len);
		end_old = OLD_HDR + (size_t)n_old * OLD_ENTRY;
		/* A new table after the old one, aligned to 8 (or 4 on some 32-bit targets)? */
		base = 0;
		{
			size_t a8 = (end_old + 7) & ~(size_t)7, a4 = (end_old + 3) & ~(size_t)3;

			if (len >= NEW_HDR && a8 <= len - NEW_HDR && memcmp(buf + a8, NEW_MAGIC, NEW_MAGIC_LEN) == 0)
				base = a8;
			else if (len >= NEW_HDR && a4 <= len - NEW_HDR &&
				 memcmp(buf + a4, NEW_MAGIC, NEW_MAGIC_LEN) == 0)
				base = a4;
		}
		if (!base) {
			c.format = SC_LDSO_CACHE_OLD;
			be = be_old;
			n = n_old;
			tab = OLD_HDR;
			esz = OLD_ENTRY;
			strbase = end_old;
			goto entries;
		}
	} else if (len < NEW_HDR || memcmp(buf, NEW_MAGIC, NEW_MAGIC_LEN) != 0) {
		return sc_error_set(SC_EINPUT, "ld.so.cache: unknown format (bad magic)");
	}
	{
		unsigned order = buf[base + 28];
		int declared = order == 2 ? 0 : order == 3 ? 1 : -1;

		pick_order(buf + base + 20, declared, NEW_ENTRY, len - base - NEW_HDR, &be, &n);
	}
	c.format = SC_LDSO_CACHE_NEW;
	tab = base + NEW_HDR;
	esz = NEW_ENTRY;
	strbase = base;
	if (n > SC_LDSO_CACHE_MAX_ENTRIES)
		return sc_error_set(SC_ELIMIT, "ld.so.cache: %u entries (limit %u)", n, SC_LDSO_CACHE_MAX_ENTRIES);
	if (!table_fits(n, NEW_ENTRY, len - tab))
		return sc_error_set(SC_EINPUT, "ld.so.cache: %u entries do not fit in %zu bytes", n, len);
entries:
	c.big_endian = be;
	if (!(c.strings = sc_malloc(len + 1))) {
		rc = SC_ENOMEM;
		goto out;
	}
	memcpy(c.strings, buf, len);
	c.strings[len] = '\0';
	if (n && !(c.entries = sc_calloc(n, sizeof(*c.entries)))) {
		rc = SC_ENOMEM;
		goto out;
	}
	if ((rc = read_entries(c.entries, buf, len, c.strings, tab, n, esz, strbase, be)) != 0)
		goto out;
	c.n = n;
	if (c.n)
		qsort(c.entries, c.n, sizeof(*c.entries), entry_cmp);
	*out = c;
	return 0;
out:
	sc_ldso_cache_release(&c);
	return rc;
}

void sc_ldso_cache_release(sc_ldso_cache *c)
{
	if (!c)
		return;
	free(c->entries);
	free(c->strings);
	memset(c, 0, sizeof(*c));
}

size_t sc_ldso_cache_find(const sc_ldso_cache *c, const char *soname, size_t *first)
{
	size_t lo = 0, hi = c->n, k;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(c->entries[mid].key, soname) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (k = lo; k < c->n && strcmp(c->entries[k].key, soname) == 0; k++)
		;
	*first = lo;
	return k - lo;
}

/* ---- machines ------------------------------------------------------------------------ */

typedef struct mach_info {
	const char *machine;   /* sc_elf_info.machine */
	int is64;
	const char *tuple[2];  /* Debian multiarch triplets */
	uint16_t cache_id[3];  /* accepted ld.so.cache flags (_DL_CACHE_DEFAULT_ID); 1 is always accepted */
	const char *platform;  /* $PLATFORM */
	const char *musl[2];   /* musl ARCH names (ld-musl-ARCH.so.1) */
} mach_info;

static const mach_info machines[] = {
	{ "x86_64", 1, { "x86_64-linux-gnu", NULL }, { 0x0303 }, "x86_64", { "x86_64", NULL } },
	{ "i386", 0, { "i386-linux-gnu", NULL }, { 0x0003 }, "i686", { "i386", NULL } },
	{ "aarch64", 1, { "aarch64-linux-gnu", NULL }, { 0x0a03 }, "aarch64", { "aarch64", NULL } },
	{ "arm", 0, { "arm-linux-gnueabihf", "arm-linux-gnueabi" }, { 0x0903, 0x0b03, 0x0003 }, "v7l",
	  { "armhf", "arm" } },
	{ "ppc64le", 1, { "powerpc64le-linux-gnu", NULL }, { 0x0503 }, "ppc64le", { "powerpc64le", NULL } },
	{ "ppc64", 1, { "powerpc64-linux-gnu", NULL }, { 0x0503 }, "ppc64", { "powerpc64", NULL } },
	{ "ppc", 0, { "powerpc-linux-gnu", NULL }, { 0x0003 }, "ppc", { "powerpc", NULL } },
	{ "s390x", 1, { "s390x-linux-gnu", NULL }, { 0x0403 }, "s390x", { "s390x", NULL } },
	{ "riscv64", 1, { "riscv64-linux-gnu", NULL }, { 0x1003, 0x0f03 }, "riscv64", { "riscv64", NULL } },
	{ "mips64el", 1, { "mips64el-linux-gnuabi64", NULL }, { 0x0703, 0x0e03 }, "mips64", { "mips64el", NULL } },
	{ "mips64", 1, { "mips64-linux-gnuabi64", NULL }, { 0x0703, 0x0e03 }, "mips64", { "mips64", NULL } },
	{ "mipsel", 0, { "mipsel-linux-gnu", NULL }, { 0x0003, 0x0c03 }, "mips", { "mipsel", "mipsel-sf" } },
	{ "mips", 0, { "mips-linux-gnu", NULL }, { 0x0003, 0x0c03 }, "mips", { "mips", "mips-sf" } },
	{ "sparc64", 1, { "sparc64-linux-gnu", NULL }, { 0x0103 }, "sparc64", { NULL, NULL } },
	{ "ia64", 1, { "ia64-linux-gnu", NULL }, { 0x0203 }, "ia64", { NULL, NULL } },
	{ "loongarch64", 1, { "loongarch64-linux-gnu", NULL }, { 0x1203, 0x1103 }, "loongarch64",
	  { "loongarch64", NULL } },
};

static const mach_info *mach_find(const char *machine)
{
	size_t i;

	for (i = 0; machine && i < sizeof(machines) / sizeof(machines[0]); i++)
		if (strcmp(machines[i].machine, machine) == 0)
			return &machines[i];
	return NULL;
}

int sc_ldso_cache_flags_match(uint32_t flags, const char *machine)
{
	const mach_info *m = mach_find(machine);
	size_t i;

	if (flags == SC_LDSO_FLAG_ELF)
		return 1;
	if (!m)
		return flags == SC_LDSO_FLAG_ELF_LIBC6;
	for (i = 0; i < 3 && m->cache_id[i]; i++)
		if (flags == m->cache_id[i])
			return 1;
	return 0;
}

/* ---- names ------------------------------------------------------------------------------- */

static const char *const driver_globs[] = {
	"libcuda.so*", "libnvidia-*.so*", "libnvcuvid.so*", "libcudadebugger.so*", "libnvoptix.so*",
	"libGLX_nvidia.so*", "libEGL_nvidia.so*", "libGLESv2_nvidia.so*", NULL,
};

int sc_ldso_is_driver_lib(const char *name)
{
	size_t i;

	for (i = 0; driver_globs[i]; i++)
		if (fnmatch(driver_globs[i], name, 0) == 0)
			return 1;
	return 0;
}

static int is_vdso(const char *name)
{
	return strcmp(name, "linux-vdso.so.1") == 0 || strcmp(name, "linux-gate.so.1") == 0 ||
	       strcmp(name, "linux-vdso32.so.1") == 0 || strcmp(name, "linux-vdso64.so.1") == 0;
}

/* musl satisfies these with itself: "lib" + one of c. pthread. rt. m. dl. util. xnet. */
static int musl_reserved(const char *name)
{
	static const char *const r[] = { "c.", "pthread.", "rt.", "m.", "dl.", "util.", "xnet.", NULL };
	size_t i;

	if (strncmp(name, "lib", 3) != 0)
		return 0;
	for (i = 0; r[i]; i++)
		if (strncmp(name + 3, r[i], strlen(r[i])) == 0)
			return 1;
	return 0;
}

/* "lib/ld-musl-x86_64.so.1" -> "x86_64" in out; 0 when not a musl interpreter. */
static int musl_arch_of_interp(const char *interp, char *out, size_t outsz)
{
	const char *b = interp ? strrchr(interp, '/') : NULL, *e;
	size_t n;

	b = b ? b + 1 : interp;
	if (!b || strncmp(b, "ld-musl-", 8) != 0)
		return 0;
	b += 8;
	e = strstr(b, ".so");
	n = e ? (size_t)(e - b) : strlen(b);
	if (n == 0 || n >= outsz)
		return 0;
	memcpy(out, b, n);
	out[n] = '\0';
	return 1;
}

/* ---- ld.so.conf ------------------------------------------------------------------------------ */

typedef struct conf_ctx {
	const sc_fsview *view;
	sc_ldso_conf *out;
	char *stack[SC_LDSO_CONF_MAX_DEPTH + 1];
	size_t depth;
	size_t files;
	int warned_files, warned_dirs;
} conf_ctx;

static int conf_warn(conf_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int conf_warn(conf_ctx *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (c->out->warnings.n >= 64)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sc_strv_pushn(&c->out->warnings, msg, strlen(msg));
}

static int conf_add_dir(conf_ctx *c, const char *file, const char *s, size_t n)
{
	char raw[SC_PATH_MAX], clean[SC_PATH_MAX];
	size_t i;

	while (n && (isspace((unsigned char)s[n - 1]) || s[n - 1] == '/'))
		n--;
	if (!n)
		return 0;
	if (n >= sizeof(raw))
		return conf_warn(c, "%s: directory name too long", file);
	memcpy(raw, s, n);
	raw[n] = '\0';
	if (sc_path_clean(clean, sizeof(clean), raw, NULL) != 0) {
		sc_error_clear();
		return conf_warn(c, "%s: bad directory '%.200s'", file, raw);
	}
	for (i = 0; i < c->out->dirs.n; i++)
		if (strcmp(c->out->dirs.v[i], clean) == 0)
			return 0;
	if (c->out->dirs.n >= SC_LDSO_CONF_MAX_DIRS) {
		if (c->warned_dirs++)
			return 0;
		return conf_warn(c, "%s: more than %u directories, the rest ignored", file, SC_LDSO_CONF_MAX_DIRS);
	}
	return sc_strv_pushn(&c->out->dirs, clean, strlen(clean));
}

static int conf_file(conf_ctx *c, const char *path);

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One `include` pattern of the file `from` (a clean image path). */
static int conf_include(conf_ctx *c, const char *from, const char *pat)
{
	char joined[SC_PATH_MAX], dir[SC_PATH_MAX], dres[SC_PATH_MAX];
	const char *base;
	const sc_fsnode *dn = NULL, *ch;
	const char **names = NULL;
	size_t dl, n = 0, cap = 0, i;
	int rc = 0;

	if (pat[0] == '/') {
		rc = sc_path_clean(joined, sizeof(joined), pat, NULL);
	} else {
		size_t fl;
		const char *fb;

		sc_path_split(from, &fl, &fb);
		if (fl >= sizeof(dir))
			fl = sizeof(dir) - 1;
		memcpy(dir, from, fl);
		dir[fl] = '\0';
		rc = sc_path_join(joined, sizeof(joined), dir, pat, NULL);
	}
	if (rc) {
		sc_error_clear();
		return conf_warn(c, "%s: include pattern too long", from);
	}
	sc_path_split(joined, &dl, &base);
	memcpy(dir, joined, dl);
	dir[dl] = '\0';
	if (strpbrk(dir, "*?[")) {
		return conf_warn(c, "%s: include '%.200s': wildcards are only supported in the last component",
				 from, pat);
	}
	if (!strpbrk(base, "*?["))
		return conf_file(c, joined);
	if (sc_fsview_resolve(c->view, dir, 1, &dn, dres, sizeof(dres)) != 0 || !dn || dn->e.type != SC_FT_DIR) {
		sc_error_clear();
		return 0; /* glob() with no match: nothing to include */
	}
	for (ch = dn->first_child; ch; ch = ch->next_sibling) {
		if (ch->removed || fnmatch(base, ch->name, FNM_PERIOD) != 0)
			continue;
		if (n >= SC_LDSO_CONF_MAX_FILES)
			break;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			const char **nn = sc_reallocarray(names, nc, sizeof(*nn));

			if (!nn) {
				rc = SC_ENOMEM;
				goto out;
			}
			names = nn;
			cap = nc;
		}
		names[n++] = ch->e.path;
	}
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n && rc == 0; i++)
		rc = conf_file(c, names[i]);
out:
	free(names);
	return rc;
}

static int conf_line(conf_ctx *c, const char *file, char *line)
{
	char *cp = line, *hash = strchr(line, '#');

	if (hash)
		*hash = '\0';
	while (isspace((unsigned char)*cp))
		cp++;
	if (!*cp)
		return 0;
	if (strncmp(cp, "include", 7) == 0 && (cp[7] == ' ' || cp[7] == '\t')) {
		char *tok, *save = NULL;
		int rc;

		for (tok = strtok_r(cp + 8, " \t\r", &save); tok; tok = strtok_r(NULL, " \t\r", &save))
			if ((rc = conf_include(c, file, tok)) != 0)
				return rc;
		return 0;
	}
	if (strncasecmp(cp, "hwcap", 5) == 0 && (cp[5] == ' ' || cp[5] == '\t'))
		return 0;
	return conf_add_dir(c, file, cp, strlen(cp));
}

static int conf_file(conf_ctx *c, const char *path)
{
	char res[SC_PATH_MAX], line[CONF_LINE_MAX];
	const sc_fsnode *n = NULL;
	const sc_capture *cap;
	size_t i, pos, ln = 0;
	int rc = 0, skip = 0;

	if (sc_fsview_resolve(c->view, path, 1, &n, res, sizeof(res)) != 0 || !n) {
		sc_error_clear();
		return c->depth ? conf_warn(c, "%s: included file not found", path) : 0;
	}
	if (n->e.type != SC_FT_REG && n->e.type != SC_FT_HARDLINK)
		return c->depth ? 0 : conf_warn(c, "%s: not a regular file", path);
	for (i = 0; i < c->depth; i++)
		if (strcmp(c->stack[i], res) == 0)
			return conf_warn(c, "%s: include loop, skipped", res);
	if (c->depth > SC_LDSO_CONF_MAX_DEPTH)
		return conf_warn(c, "%s: includes nested deeper than %u, skipped", res, SC_LDSO_CONF_MAX_DEPTH);
	if (c->files >= SC_LDSO_CONF_MAX_FILES) {
		if (c->warned_files++)
			return 0;
		return conf_warn(c, "more than %u configuration files, the rest ignored", SC_LDSO_CONF_MAX_FILES);
	}
	c->files++;
	cap = sc_fsnode_capture(n, &sc_ldso_interest_conf);
	if (!cap)
		return conf_warn(c, "%s: not read (outside the captured configuration files)", res);
	if (cap->truncated && (rc = conf_warn(c, "%s: longer than %zu bytes, the rest ignored", res,
					      (size_t)CONF_CAPTURE_MAX)) != 0)
		return rc;
	if (!(c->stack[c->depth] = sc_strdup(res)))
		return SC_ENOMEM;
	c->depth++;
	for (pos = 0; pos <= cap->len && rc == 0; pos++) {
		int ch = pos < cap->len ? cap->data[pos] : '\n';

		if (ch == '\n') {
			line[ln] = '\0';
			if (!skip)
				rc = conf_line(c, res, line);
			else
				rc = conf_warn(c, "%s: line longer than %d bytes ignored", res, CONF_LINE_MAX);
			ln = 0;
			skip = 0;
		} else if (ln + 1 >= sizeof(line)) {
			skip = 1;
		} else {
			line[ln++] = ch ? (char)ch : ' ';
		}
	}
	c->depth--;
	free(c->stack[c->depth]);
	c->stack[c->depth] = NULL;
	return rc;
}

int sc_ldso_conf_load(sc_ldso_conf *out, const sc_fsview *view, const char *path)
{
	conf_ctx c;
	sc_ldso_conf r;
	int rc;

	memset(&r, 0, sizeof(r));
	memset(&c, 0, sizeof(c));
	c.view = view;
	c.out = &r;
	rc = conf_file(&c, path);
	if (rc) {
		sc_ldso_conf_release(&r);
		return rc;
	}
	*out = r;
	return 0;
}

void sc_ldso_conf_release(sc_ldso_conf *c)
{
	if (!c)
		return;
	sc_strv_release(&c->dirs);
	sc_strv_release(&c->warnings);
}

/* ---- memo tables -------------------------------------------------------------------------------- */

typedef struct memo_ent {
	const char *key;   /* arena */
	const char *val;   /* arena or NULL */
	int state;         /* 0 empty, 1 absent, 2 present */
	int via;
	const char *why;   /* arena or NULL: a candidate rejected for its machine */
	const char *why_mach;
	const char *cand;  /* tails: the candidate path that was found (before symlinks) */
} memo_ent;

typedef struct memo {
	memo_ent *t;
	size_t cap, n;
} memo;

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void memo_release(memo *m)
{
	free(m->t);
	memset(m, 0, sizeof(*m));
}

static memo_ent *memo_slot(memo_ent *t, size_t cap, const char *key)
{
	size_t i = (size_t)fnv(key) & (cap - 1);

	while (t[i].key && strcmp(t[i].key, key) != 0)
		i = (i + 1) & (cap - 1);
	return &t[i];
}

/* The entry for key (created empty with state 0 when new). */
static int memo_get(memo *m, sc_arena *a, const char *key, memo_ent **out)
{
	memo_ent *e;

	if (!m->t || (m->n + 1) * 2 > m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 1024, i;
		memo_ent *nt;

		if (m->n >= SC_LDSO_MEMO_MAX)
			return sc_error_set(SC_ELIMIT, "more than %u distinct library lookups", SC_LDSO_MEMO_MAX);
		if (!(nt = sc_calloc(nc, sizeof(*nt))))
			return SC_ENOMEM;
		for (i = 0; i < m->cap; i++)
			if (m->t[i].key)
				*memo_slot(nt, nc, m->t[i].key) = m->t[i];
		free(m->t);
		m->t = nt;
		m->cap = nc;
	}
	e = memo_slot(m->t, m->cap, key);
	if (!e->key) {
		if (!(e->key = sc_arena_strdup(a, key)))
			return SC_ENOMEM;
		m->n++;
	}
	*out = e;
	return 0;
}

/* ---- resolver --------------------------------------------------------------------------------------- */

typedef struct musl_path {
	char arch[32];
	int present;       /* etc/ld-musl-ARCH.path exists */
	char *text;        /* its content (NUL-terminated) */
} musl_path;

typedef struct ctx {
	const sc_fsview *view;
	const sc_elf_info *elves;
	size_t n_elves;
	struct elf_ix { const char *path; size_t i; } *idx; /* elves sorted by path */
	sc_ldso_result *res;
	sc_ldso_cache cache;
	int have_cache, cache_bad;
	sc_ldso_conf conf;
	memo files;         /* candidate path -> resolved file */
	memo tails;         /* "flavour|machine|arch|name" -> outcome of the shared tail of the search */
	memo strs;          /* interned strings */
	const char *ldlp;   /* LD_LIBRARY_PATH or NULL */
	musl_path musl[MAX_MUSL_ARCHES];
	size_t n_musl;
	int default_musl;
} ctx;

/* The per-lookup state: what was tried. */
typedef struct look {
	const sc_elf_info *obj;
	const mach_info *m;
	const char *name;
	const char *wrong;      /* first candidate rejected for its machine */
	const char *wrong_mach;
	int musl;
	char musl_arch[32];
	const char *cand;       /* the candidate path of the last hit, as searched */
} look;

static const char *intern(ctx *c, const char *s)
{
	memo_ent *e;

	if (!s)
		return NULL;
	if (memo_get(&c->strs, &c->res->arena, s, &e) != 0)
		return NULL;
	return e->key;
}

static size_t elf_find(const ctx *c, const char *path)
{
	size_t lo = 0, hi = c->n_elves;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(c->idx[mid].path, path);

		if (r == 0)
			return c->idx[mid].i;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

static int idx_cmp(const void *a, const void *b)
{
	const struct elf_ix *x = a, *y = b;
	int r = strcmp(x->path, y->path);

	return r ? r : x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Try the file `cand` (an image path, any form): 1 and *found when it is a
 * regular file the object can load, 0 when not, <0 on error.
 */
static int probe(ctx *c, look *l, const char *cand, const char **found)
{
	memo_ent *e;
	size_t k;
	int rc;

	if ((rc = memo_get(&c->files, &c->res->arena, cand, &e)) != 0)
		return rc;
	if (!e->state) {
		char res[SC_PATH_MAX];
		const sc_fsnode *n = NULL;

		rc = sc_fsview_resolve(c->view, cand, 1, &n, res, sizeof(res));
		if (rc == SC_ENOMEM)
			return rc;
		sc_error_clear();
		e->state = 1;
		if (rc == 0 && n && (n->e.type == SC_FT_REG || n->e.type == SC_FT_HARDLINK)) {
			if (!(e->val = intern(c, res)))
				return SC_ENOMEM;
			e->state = 2;
		}
	}
	if (e->state != 2)
		return 0;
	k = elf_find(c, e->val);
	if (k != SIZE_MAX && l->obj->machine && c->elves[k].machine &&
	    strcmp(c->elves[k].machine, l->obj->machine) != 0) {
		if (!l->wrong) {
			l->wrong = e->val;
			l->wrong_mach = c->elves[k].machine;
		}
		return 0;
	}
	*found = e->val;
	l->cand = e->key;
	return 1;
}

static int probe_dir(ctx *c, look *l, const char *dir, const char **found)
{
	char cand[SC_PATH_MAX];
	int w = snprintf(cand, sizeof(cand), "%s/%s", dir, l->name);

	if (w < 0 || (size_t)w >= sizeof(cand))
		return 0;
	return probe(c, l, cand, found);
}

/*
 * Expand the dynamic string tokens of one search-path entry.  musl knows
 * only $ORIGIN; glibc also $LIB (variant 0: lib64 or lib, 1: lib/TRIPLET)
 * and $PLATFORM.  Unknown tokens are kept literally.  Returns 0, or -1 when
 * the result does not fit.
 */
static int expand(const look *l, const char *p, size_t len, int variant, char *out, size_t outsz, int *uses_lib)
{
	size_t o = 0, i = 0;

	while (i < len) {
		const char *val = NULL;
		size_t skip = 0;
		char origin[SC_PATH_MAX];

		if (p[i] == '$') {
			const char *t = p + i + 1;
			size_t tl = 0, rest = len - i - 1;
			int brace = rest > 0 && t[0] == '{';

			if (brace) {
				const char *e = memchr(t, '}', rest);

				if (e) {
					tl = (size_t)(e - t - 1);
					t++;
					skip = 1 + tl + 2;
				}
			} else {
				while (tl < rest && (isalnum((unsigned char)t[tl]) || t[tl] == '_'))
					tl++;
				skip = 1 + tl;
			}
			if (skip && tl == 6 && memcmp(t, "ORIGIN", 6) == 0) {
				size_t dl;
				const char *b;

				sc_path_split(l->obj->path, &dl, &b);
				origin[0] = '/';
				if (dl >= sizeof(origin) - 1)
					return -1;
				memcpy(origin + 1, l->obj->path, dl);
				origin[dl + 1] = '\0';
				val = origin;
			} else if (skip && !l->musl && tl == 3 && memcmp(t, "LIB", 3) == 0) {
				*uses_lib = 1;
				if (variant == 1 && l->m && l->m->tuple[0]) {
					snprintf(origin, sizeof(origin), "lib/%s", l->m->tuple[0]);
					val = origin;
				} else {
					val = l->m && l->m->is64 ? "lib64" : "lib";
				}
			} else if (skip && !l->musl && tl == 8 && memcmp(t, "PLATFORM", 8) == 0) {
				val = l->m ? l->m->platform : l->obj->machine ? l->obj->machine : "";
			}
		}
		if (val) {
			size_t vl = strlen(val);

			if (o + vl >= outsz)
				return -1;
			memcpy(out + o, val, vl);
			o += vl;
			i += skip;
		} else {
			if (o + 1 >= outsz)
				return -1;
			out[o++] = p[i++];
		}
	}
	out[o] = '\0';
	return 0;
}

/* Search a path list (entries separated by any of seps); 1 = found. */
static int search_list(ctx *c, look *l, const char *list, const char *seps, int dst, const char **found)
{
	const char *p = list;
	size_t entries = 0;

	while (p && *p && entries < SC_LDSO_SEARCH_MAX) {
		size_t n = strcspn(p, seps);
		char dir[SC_PATH_MAX];
		int variant, uses_lib = 0, rc;

		if (n) {
			entries++;
			for (variant = 0; variant < 2; variant++) {
				if (!dst) {
					if (n >= sizeof(dir))
						break;
					memcpy(dir, p, n);
					dir[n] = '\0';
				} else if (expand(l, p, n, variant, dir, sizeof(dir), &uses_lib) != 0) {
					break;
				}
				if (!dir[0])
					break;
				if ((rc = probe_dir(c, l, dir, found)) != 0)
					return rc;
				if (!uses_lib)
					break;
			}
		}
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

/* The loader's built-in directories for a machine (glibc). */
static int search_defaults(ctx *c, look *l, const char **found)
{
	const mach_info *m = l->m;
	char dir[128];
	size_t i;
	int rc;

	for (i = 0; m && i < 2 && m->tuple[i]; i++) {
		snprintf(dir, sizeof(dir), "lib/%s", m->tuple[i]);
		if ((rc = probe_dir(c, l, dir, found)) != 0)
			return rc;
		snprintf(dir, sizeof(dir), "usr/lib/%s", m->tuple[i]);
		if ((rc = probe_dir(c, l, dir, found)) != 0)
			return rc;
	}
	if ((!m || m->is64) && ((rc = probe_dir(c, l, "lib64", found)) != 0 ||
				(rc = probe_dir(c, l, "usr/lib64", found)) != 0))
		return rc;
	if ((rc = probe_dir(c, l, "lib", found)) != 0 || (rc = probe_dir(c, l, "usr/lib", found)) != 0)
		return rc;
	return 0;
}

static int search_cache(ctx *c, look *l, const char **found)
{
	size_t first, n, i;
	int pass, rc;

	if (!c->have_cache)
		return 0;
	n = sc_ldso_cache_find(&c->cache, l->name, &first);
	/* Baseline entries first; hwcap-specific ones (subdirectories) after. */
	for (pass = 0; pass < 2; pass++)
		for (i = first; i < first + n; i++) {
			const sc_ldso_cache_entry *e = &c->cache.entries[i];

			if ((e->hwcap == 0) != (pass == 0) || !sc_ldso_cache_flags_match(e->flags, l->obj->machine))
				continue;
			if ((rc = probe(c, l, e->value, found)) != 0)
				return rc;
		}
	return 0;
}

static const musl_path *musl_path_get(ctx *c, const char *arch)
{
	char p[96];
	const sc_fsnode *n = NULL;
	const sc_capture *cap;
	musl_path *mp;
	size_t i;

	for (i = 0; i < c->n_musl; i++)
		if (strcmp(c->musl[i].arch, arch) == 0)
			return &c->musl[i];
	if (c->n_musl == MAX_MUSL_ARCHES)
		return NULL;
	mp = &c->musl[c->n_musl++];
	snprintf(mp->arch, sizeof(mp->arch), "%s", arch);
	snprintf(p, sizeof(p), "etc/ld-musl-%s.path", arch);
	if (sc_fsview_resolve(c->view, p, 1, &n, NULL, 0) != 0 || !n) {
		sc_error_clear();
		return mp;
	}
	mp->present = 1;
	cap = (n->e.type == SC_FT_REG || n->e.type == SC_FT_HARDLINK) ? sc_fsnode_capture(n, &sc_ldso_interest_musl)
								      : NULL;
	if (cap)
		mp->text = sc_strndup((const char *)cap->data, cap->len);
	return mp;
}

/* The tail every object of a kind shares: cache, conf fallback, defaults / musl path. */
static int search_tail(ctx *c, look *l, const char **found, int *via)
{
	char key[SC_PATH_MAX];
	memo_ent *e;
	int rc, w;

	w = snprintf(key, sizeof(key), "%d|%s|%s|%s", l->musl, l->obj->machine ? l->obj->machine : "",
		     l->musl_arch, l->name);
	if (w < 0 || (size_t)w >= sizeof(key))
		return 0;
	if ((rc = memo_get(&c->tails, &c->res->arena, key, &e)) != 0)
		return rc;
	if (e->state) {
		*found = e->val;
		*via = e->via;
		l->cand = e->cand;
		if (e->why && !l->wrong) {
			l->wrong = e->why;
			l->wrong_mach = e->why_mach;
		}
		return e->state == 2;
	}
	rc = 0;
	if (l->musl) {
		const musl_path *mp = musl_path_get(c, l->musl_arch);

		*via = SC_LDSO_VIA_MUSL_PATH;
		if (mp && mp->present)
			rc = mp->text ? search_list(c, l, mp->text, ":\n", 0, found) : 0;
		else
			rc = search_list(c, l, "/lib:/usr/local/lib:/usr/lib", ":", 0, found);
	} else {
		*via = SC_LDSO_VIA_CACHE;
		rc = search_cache(c, l, found);
		if (rc == 0 && c->cache_bad) {
			size_t i;

			*via = SC_LDSO_VIA_CONF;
			for (i = 0; i < c->conf.dirs.n && rc == 0; i++)
				rc = probe_dir(c, l, c->conf.dirs.v[i], found);
		}
		if (rc == 0) {
			*via = SC_LDSO_VIA_DEFAULT;
			rc = search_defaults(c, l, found);
		}
	}
	if (rc < 0)
		return rc;
	/* e is still valid: the search above touches the other tables only. */
	e->state = rc ? 2 : 1;
	e->via = rc ? *via : 0;
	e->val = rc ? *found : NULL;
	e->cand = rc ? l->cand : NULL;
	e->why = l->wrong;
	e->why_mach = l->wrong_mach;
	return rc;
}

/* Why a glibc lookup failed, with a hint when an ld.so.conf directory has the file. */
static int missing_reason(ctx *c, look *l, char *out, size_t outsz)
{
	size_t i;
	const char *hit = NULL;
	int rc;

	if (!l->musl) {
		look l2 = *l;

		for (i = 0; i < c->conf.dirs.n && !hit; i++)
			if ((rc = probe_dir(c, &l2, c->conf.dirs.v[i], &hit)) < 0)
				return rc;
		if (hit) {
			snprintf(out, outsz, "/%s is in an ld.so.conf directory but not in %s: run ldconfig", hit,
				 c->have_cache ? "/etc/ld.so.cache" : "an ld.so.cache (the image has none)");
			return 0;
		}
	}
	if (l->wrong && l->wrong_mach) {
		snprintf(out, outsz, "not found for %s; /%s is %s", l->obj->machine ? l->obj->machine : "?",
			 l->wrong, l->wrong_mach);
		return 0;
	}
	if (l->musl)
		snprintf(out, outsz, "not found in %sRPATH/RUNPATH or the musl search path",
			 c->ldlp ? "LD_LIBRARY_PATH, " : "");
	else
		snprintf(out, outsz, "not found in %s%s%sthe default directories",
			 l->obj->rpath && !l->obj->runpath ? "RPATH, " : "", c->ldlp ? "LD_LIBRARY_PATH, " : "",
			 l->obj->runpath ? "RUNPATH, ld.so.cache or " : c->have_cache ? "ld.so.cache or " : "");
	return 0;
}

static int set_dep(ctx *c, sc_ldso_dep *d, sc_ldso_status st, sc_ldso_via via, const char *path,
		   const char *reason)
{
	d->status = st;
	d->via = via;
	d->path = path;
	d->reason = NULL;
	if (reason && !(d->reason = intern(c, reason)))
		return SC_ENOMEM;
	return 0;
}

static int resolve_need(ctx *c, const sc_elf_info *obj, int musl, const char *arch, sc_ldso_dep *d)
{
	look l;
	const char *found = NULL;
	char reason[SC_PATH_MAX + 200];
	int rc = 0, via = SC_LDSO_VIA_NONE;

	memset(&l, 0, sizeof(l));
	l.obj = obj;
	l.m = mach_find(obj->machine);
	l.name = d->needed;
	l.musl = musl;
	snprintf(l.musl_arch, sizeof(l.musl_arch), "%s", arch ? arch : "");
	if (is_vdso(l.name))
		return set_dep(c, d, SC_LDSO_VDSO, SC_LDSO_VIA_NONE, NULL, "provided by the kernel");
	if (musl && musl_reserved(l.name)) {
		char ip[SC_PATH_MAX];
		const char *p = NULL;

		if (obj->interp && sc_path_clean(ip, sizeof(ip), obj->interp, NULL) == 0)
			p = intern(c, ip);
		sc_error_clear();
		return set_dep(c, d, SC_LDSO_LIBC, SC_LDSO_VIA_NONE, p, "provided by the musl loader itself");
	}
	if (strchr(l.name, '/')) {
		char path[SC_PATH_MAX];
		int u = 0;

		via = SC_LDSO_VIA_PATH;
		if ((musl ? snprintf(path, sizeof(path), "%s", l.name) >= (int)sizeof(path)
			  : expand(&l, l.name, strlen(l.name), 0, path, sizeof(path), &u) != 0))
			rc = 0;
		else
			rc = probe(c, &l, path, &found);
	} else if (!musl) {
		if (obj->rpath && !obj->runpath) {
			via = SC_LDSO_VIA_RPATH;
			rc = search_list(c, &l, obj->rpath, ":", 1, &found);
		}
		if (rc == 0 && c->ldlp) {
			via = SC_LDSO_VIA_LD_LIBRARY_PATH;
			rc = search_list(c, &l, c->ldlp, ":;", 1, &found);
		}
		if (rc == 0 && obj->runpath) {
			via = SC_LDSO_VIA_RUNPATH;
			rc = search_list(c, &l, obj->runpath, ":", 1, &found);
		}
		if (rc == 0)
			rc = search_tail(c, &l, &found, &via);
	} else {
		if (c->ldlp) {
			via = SC_LDSO_VIA_LD_LIBRARY_PATH;
			rc = search_list(c, &l, c->ldlp, ":", 1, &found);
		}
		if (rc == 0 && (obj->runpath || obj->rpath)) {
			via = obj->runpath ? SC_LDSO_VIA_RUNPATH : SC_LDSO_VIA_RPATH;
			rc = search_list(c, &l, obj->runpath ? obj->runpath : obj->rpath, ":", 1, &found);
		}
		if (rc == 0)
			rc = search_tail(c, &l, &found, &via);
	}
	if (rc < 0)
		return rc;
	if (rc > 0) {
		rc = set_dep(c, d, SC_LDSO_FOUND, (sc_ldso_via)via, found, NULL);
		d->candidate = l.cand;
		return rc;
	}
	if (sc_ldso_is_driver_lib(l.name)) {
		c->res->n_driver++;
		return set_dep(c, d, SC_LDSO_DRIVER, SC_LDSO_VIA_NONE, NULL,
			       "provided by the NVIDIA driver at run time (mounted by the container runtime)");
	}
	if (strchr(l.name, '/'))
		snprintf(reason, sizeof(reason), "path not in the image");
	else if ((rc = missing_reason(c, &l, reason, sizeof(reason))) != 0)
		return rc;
	return set_dep(c, d, SC_LDSO_MISSING, SC_LDSO_VIA_NONE, NULL, reason);
}

/* Which loader rules an object follows, and musl's ARCH. */
static int object_flavour(const ctx *c, const sc_elf_info *e, char *arch, size_t archsz)
{
	const mach_info *m;
	size_t i;

	arch[0] = '\0';
	if (e->interp) {
		if (musl_arch_of_interp(e->interp, arch, archsz))
			return 1;
		return 0;
	}
	if (!c->default_musl)
		return 0;
	m = mach_find(e->machine);
	if (m && m->musl[0]) {
		/* The first ARCH whose path file exists, else the first. */
		for (i = 0; i < 2 && m->musl[i]; i++) {
			char p[96];

			snprintf(p, sizeof(p), "etc/ld-musl-%s.path", m->musl[i]);
			if (sc_fsview_lookup(c->view, p)) {
				snprintf(arch, archsz, "%s", m->musl[i]);
				return 1;
			}
		}
		snprintf(arch, archsz, "%s", m->musl[0]);
	} else {
		snprintf(arch, archsz, "%s", e->machine ? e->machine : "");
	}
	return 1;
}

static int note(ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int note(ctx *c, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sc_strv_pushn(&c->res->notes, msg, strlen(msg));
}

static int load_config(ctx *c)
{
	const sc_fsnode *n = NULL;
	const sc_capture *cap;
	size_t i, musl_exe = 0, glibc_exe = 0;
	int rc;

	if (sc_fsview_resolve(c->view, "etc/ld.so.cache", 1, &n, NULL, 0) == 0 && n) {
		cap = (n->e.type == SC_FT_REG || n->e.type == SC_FT_HARDLINK)
			      ? sc_fsnode_capture(n, &sc_ldso_interest_cache)
			      : NULL;
		c->cache_bad = 1;
		if (!cap) {
			rc = note(c, "/etc/ld.so.cache not read (not a regular file or not captured)");
		} else if (cap->truncated) {
			rc = note(c, "/etc/ld.so.cache is larger than %u bytes, not read", SC_LDSO_CACHE_CAPTURE_MAX);
		} else if ((rc = sc_ldso_cache_parse(&c->cache, cap->data, cap->len)) != 0) {
			if (rc == SC_ENOMEM)
				return rc;
			rc = note(c, "%s", sc_error_msg());
			sc_error_clear();
		} else {
			c->have_cache = 1;
			c->cache_bad = 0;
			c->res->have_cache = 1;
			c->res->n_cache_entries = c->cache.n;
		}
		if (rc)
			return rc;
		if (c->cache_bad && (rc = note(c, "searching the ld.so.conf directories instead of the cache")) != 0)
			return rc;
	}
	sc_error_clear();
	if ((rc = sc_ldso_conf_load(&c->conf, c->view, "etc/ld.so.conf")) != 0)
		return rc;
	for (i = 0; i < c->conf.warnings.n; i++)
		if ((rc = note(c, "ld.so.conf: %s", c->conf.warnings.v[i])) != 0)
			return rc;
	for (i = 0; i < c->n_elves; i++) {
		const char *ip = c->elves[i].interp, *b;
		char a[32];

		if (!ip)
			continue;
		b = strrchr(ip, '/');
		b = b ? b + 1 : ip;
		if (musl_arch_of_interp(ip, a, sizeof(a)))
			musl_exe++;
		else if (strncmp(b, "ld-linux", 8) == 0 || strncmp(b, "ld64.so", 7) == 0 || strncmp(b, "ld.so", 5) == 0)
			glibc_exe++;
	}
	if (musl_exe != glibc_exe) {
		c->default_musl = musl_exe > glibc_exe;
	} else {
		/* No executables to tell: musl when the image has musl's loader and no glibc cache. */
		for (i = 0; i < c->n_elves && !c->have_cache; i++) {
			const char *b = strrchr(c->elves[i].path, '/');

			b = b ? b + 1 : c->elves[i].path;
			if (strncmp(b, "ld-musl-", 8) == 0)
				c->default_musl = 1;
		}
	}
	return 0;
}

/* ---- closures: what the executable's context provides ------------------------------------------------- */

/*
 * A library's need that its own search cannot satisfy may still be met at
 * run time by an executable that loads it: glibc searches the DT_RPATH of
 * the executable (when neither has a DT_RUNPATH) and reuses any object
 * already loaded under that SONAME.  For each executable, walk its
 * resolved closure; a missing need of a member is satisfied when the
 * executable's RPATH has it or a member has that SONAME (or file name).
 * One round; bounded work.
 */
static int closures(ctx *c, int *changed)
{
	size_t *q = NULL, *mark = NULL, gen = 0, work = 0, i;
	int rc = 0;

	*changed = 0;
	q = sc_calloc(c->n_elves ? c->n_elves : 1, sizeof(*q));
	mark = sc_calloc(c->n_elves ? c->n_elves : 1, sizeof(*mark));
	if (!q || !mark) {
		rc = SC_ENOMEM;
		goto out;
	}
	for (i = 0; i < c->n_elves && work < CLOSURE_WORK_MAX; i++) {
		const sc_elf_info *exe = &c->elves[i];
		size_t qh = 0, qt = 0, k, j;
		int any_missing = 0;

		if (!exe->is_executable)
			continue;
		gen++;
		q[qt++] = i;
		mark[i] = gen;
		while (qh < qt && qt < CLOSURE_MAX && work < CLOSURE_WORK_MAX) {
			const sc_ldso_object *o = &c->res->objects[q[qh++]];

			for (k = 0; k < o->n_deps && qt < CLOSURE_MAX; k++, work++) {
				size_t t;

				if (o->deps[k].status == SC_LDSO_MISSING)
					any_missing = 1;
				if (o->deps[k].status != SC_LDSO_FOUND)
					continue;
				t = elf_find(c, o->deps[k].path);
				if (t != SIZE_MAX && mark[t] != gen) {
					mark[t] = gen;
					q[qt++] = t;
				}
			}
		}
		if (!any_missing)
			continue;
		for (k = 1; k < qt; k++) {
			const sc_elf_info *mem = &c->elves[q[k]];
			sc_ldso_object *o = &c->res->objects[q[k]];
			int musl = o->musl;

			for (j = 0; j < o->n_deps; j++) {
				sc_ldso_dep *d = &o->deps[j];
				const char *found = NULL;
				size_t x;
				look l;

				if (d->status != SC_LDSO_MISSING || strchr(d->needed, '/'))
					continue;
				memset(&l, 0, sizeof(l));
				l.obj = exe;
				l.m = mach_find(exe->machine);
				l.name = d->needed;
				l.musl = musl;
				/* The executable's RPATH: glibc when neither has RUNPATH; musl always. */
				rc = 0;
				if (musl && (exe->runpath || exe->rpath))
					rc = search_list(c, &l, exe->runpath ? exe->runpath : exe->rpath, ":", 1, &found);
				else if (!musl && exe->rpath && !exe->runpath && !mem->runpath)
					rc = search_list(c, &l, exe->rpath, ":", 1, &found);
				if (rc < 0)
					goto out;
				if (rc > 0) {
					if ((rc = set_dep(c, d, SC_LDSO_FOUND, SC_LDSO_VIA_LOADER_RPATH, found, NULL)) != 0)
						goto out;
					d->candidate = l.cand;
					*changed = 1;
					continue;
				}
				for (x = 0; x < qt; x++, work++) {
					const sc_elf_info *y = &c->elves[q[x]];
					const char *b = strrchr(y->path, '/');

					b = b ? b + 1 : y->path;
					if ((y->soname && strcmp(y->soname, d->needed) == 0) || strcmp(b, d->needed) == 0)
						break;
				}
				if (x < qt) {
					const char *p = intern(c, c->elves[q[x]].path);

					if (!p) {
						rc = SC_ENOMEM;
						goto out;
					}
					if ((rc = set_dep(c, d, SC_LDSO_FOUND, SC_LDSO_VIA_LOADED, p, NULL)) != 0)
						goto out;
					d->candidate = p;
					*changed = 1;
				}
			}
		}
	}
	if (work >= CLOSURE_WORK_MAX)
		rc = note(c, "executable closures not fully explored (more than %u steps)", CLOSURE_WORK_MAX);
out:
	free(q);
	free(mark);
	return rc;
}

/* ---- driver ---------------------------------------------------------------------------------------------- */

const char *sc_ldso_status_name(sc_ldso_status s)
{
	switch (s) {
	case SC_LDSO_FOUND: return "found";
	case SC_LDSO_MISSING: return "missing";
	case SC_LDSO_DRIVER: return "driver";
	case SC_LDSO_VDSO: return "vdso";
	case SC_LDSO_LIBC: return "libc";
	}
	return "?";
}

const char *sc_ldso_via_name(sc_ldso_via v)
{
	static const char *const names[] = {
		"none", "path", "rpath", "ld_library_path", "runpath", "cache", "ld.so.conf", "default",
		"musl_path", "loader_rpath", "loaded",
	};

	return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

void sc_ldso_result_release(sc_ldso_result *r)
{
	if (!r)
		return;
	sc_strv_release(&r->notes);
	sc_arena_release(&r->arena);
	memset(r, 0, sizeof(*r));
}

int sc_ldso_resolve_all(sc_ldso_result *out, const sc_fsview *view, const sc_elf_info *elves, size_t n,
			const char *const *env)
{
	sc_ldso_result r;
	ctx c;
	size_t i, k, nm = 0, sz;
	int rc = 0, changed = 1, round;

	memset(&r, 0, sizeof(r));
	memset(&c, 0, sizeof(c));
	sc_arena_init(&r.arena);
	c.view = view;
	c.elves = elves;
	c.n_elves = n;
	c.res = &r;
	for (i = 0; env && env[i]; i++)
		if (strncmp(env[i], "LD_LIBRARY_PATH=", 16) == 0)
			c.ldlp = env[i][16] ? env[i] + 16 : NULL;
	if (n) {
		if (!(c.idx = sc_calloc(n, sizeof(*c.idx)))) {
			rc = SC_ENOMEM;
			goto out;
		}
		for (i = 0; i < n; i++) {
			c.idx[i].path = elves[i].path;
			c.idx[i].i = i;
		}
		qsort(c.idx, n, sizeof(*c.idx), idx_cmp);
	}
	if ((rc = load_config(&c)) != 0)
		goto out;
	if (sc_mul_overflow(n ? n : 1, sizeof(*r.objects), &sz) || !(r.objects = sc_arena_alloc(&r.arena, sz))) {
		rc = SC_ENOMEM;
		goto out;
	}
	memset(r.objects, 0, sz);
	r.n_objects = n;
	for (i = 0; i < n; i++) {
		const sc_elf_info *e = &elves[i];
		sc_ldso_object *o = &r.objects[i];
		char arch[32];
		size_t nd = 0;

		for (; e->needed && e->needed[nd]; nd++)
			;
		o->musl = object_flavour(&c, e, arch, sizeof(arch));
		if (!(o->path = sc_arena_strdup(&r.arena, e->path))) {
			rc = SC_ENOMEM;
			goto out;
		}
		if (!nd)
			continue;
		if (sc_mul_overflow(nd, sizeof(*o->deps), &sz) || !(o->deps = sc_arena_alloc(&r.arena, sz))) {
			rc = SC_ENOMEM;
			goto out;
		}
		memset(o->deps, 0, sz);
		o->n_deps = nd;
		for (k = 0; k < nd; k++) {
			if (!(o->deps[k].needed = intern(&c, e->needed[k]))) {
				rc = SC_ENOMEM;
				goto out;
			}
			if ((rc = resolve_need(&c, e, o->musl, arch, &o->deps[k])) != 0)
				goto out;
		}
	}
	/* Newly found libraries can extend closures: a few rounds. */
	for (round = 0; round < 3 && changed; round++)
		if ((rc = closures(&c, &changed)) != 0)
			goto out;
	for (i = 0; i < n; i++)
		for (k = 0; k < r.objects[i].n_deps; k++)
			nm += r.objects[i].deps[k].status == SC_LDSO_MISSING;
	if (nm) {
		if (sc_mul_overflow(nm, sizeof(*r.missing), &sz) || !(r.missing = sc_arena_alloc(&r.arena, sz))) {
			rc = SC_ENOMEM;
			goto out;
		}
		for (i = 0; i < n; i++)
			for (k = 0; k < r.objects[i].n_deps; k++) {
				const sc_ldso_dep *d = &r.objects[i].deps[k];

				if (d->status != SC_LDSO_MISSING)
					continue;
				r.missing[r.n_missing].elf = r.objects[i].path;
				r.missing[r.n_missing].needed = d->needed;
				r.missing[r.n_missing].reason = d->reason;
				r.n_missing++;
			}
	}
	*out = r;
	memset(&r, 0, sizeof(r));
out:
	sc_ldso_result_release(&r);
	free(c.idx);
	sc_ldso_cache_release(&c.cache);
	sc_ldso_conf_release(&c.conf);
	memo_release(&c.files);
	memo_release(&c.tails);
	memo_release(&c.strs);
	for (i = 0; i < c.n_musl; i++)
		free(c.musl[i].text);
	return rc;
}
