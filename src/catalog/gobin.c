/*
 * gobin.c - the Go binary cataloger: finds the build information of Go
 * executables while ELF files stream by and reports the main module and
 * every dependency module (with replacements applied) as golang packages.
 *
 * Format: src/debug/buildinfo/buildinfo.go and src/runtime/debug/mod.go in
 * the Go distribution (https://go.dev/src/debug/buildinfo/buildinfo.go):
 * "\xff Go buildinf:" at a 16-byte-aligned offset, pointer size, flags,
 * 32-byte header; with flags & 2 two uvarint-prefixed strings follow (the
 * Go version and the module info between 16-byte sentinels).  Only that
 * inline format (Go >= 1.18) is parsed.
 */
#include "catalog/gobin.h"
#include "core/buf.h"
#include "core/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "\xff Go buildinf:"
#define MAGIC_LEN 14
#define ALIGN 16
#define HEADER_LEN 32
#define MAX_DEPS 8192
#define FIELD_MAX 4096

static const unsigned char elf_magic[] = { 0x7f, 'E', 'L', 'F' };

/* ---- streaming scan -------------------------------------------------------- */

struct sc_gobin_scan {
	uint64_t off;                /* bytes consumed */
	unsigned char blk[ALIGN];    /* bytes of the current aligned block so far */
	int found, full;
	unsigned char *cap;          /* SC_GOBIN_CAPTURE_MAX bytes from the magic */
	size_t cap_len;
};

sc_gobin_scan *sc_gobin_scan_new(void)
{
	return sc_calloc(1, sizeof(sc_gobin_scan));
}

void sc_gobin_scan_free(sc_gobin_scan *s)
{
	if (!s)
		return;
	free(s->cap);
	free(s);
}

static int keep(sc_gobin_scan *s, const unsigned char *p, size_t len)
{
	size_t room = SC_GOBIN_CAPTURE_MAX - s->cap_len;

	if (len >= room) {
		len = room;
		s->full = 1;
	}
	memcpy(s->cap + s->cap_len, p, len);
	s->cap_len += len;
	return 0;
}

static int start(sc_gobin_scan *s, const unsigned char *block)
{
	s->cap = sc_malloc(SC_GOBIN_CAPTURE_MAX);
	if (!s->cap)
		return SC_ENOMEM;
	s->found = 1;
	return keep(s, block, ALIGN);
}

/*
 * The magic followed by a pointer size of 4 or 8 and known flag bits: the
 * same 14 bytes as a string constant (in programs that read build info)
 * are followed by other data.
 */
static int plausible(const unsigned char *b)
{
	return memcmp(b, MAGIC, MAGIC_LEN) == 0 && (b[14] == 4 || b[14] == 8) && (b[15] & ~3) == 0;
}

int sc_gobin_scan_feed(sc_gobin_scan *s, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t fill;
	int rc;

	if (s->full)
		return 0;
	if (s->found)
		return keep(s, p, len);
	/* Finish a block left incomplete by the previous chunk. */
	fill = (size_t)(s->off % ALIGN);
	if (fill) {
		size_t take = ALIGN - fill < len ? ALIGN - fill : len;

		memcpy(s->blk + fill, p, take);
		s->off += take;
		p += take;
		len -= take;
		if (fill + take < ALIGN)
			return 0;
		if (plausible(s->blk)) {
			if ((rc = start(s, s->blk)) != 0)
				return rc;
			return keep(s, p, len);
		}
	}
	while (len >= ALIGN) {
		if (p[0] == 0xff && plausible(p)) {
			s->off += ALIGN;
			if ((rc = start(s, p)) != 0)
				return rc;
			return keep(s, p + ALIGN, len - ALIGN);
		}
		p += ALIGN;
		len -= ALIGN;
		s->off += ALIGN;
	}
	memcpy(s->blk, p, len);
	s->off += len;
	return 0;
}

const unsigned char *sc_gobin_scan_result(const sc_gobin_scan *s, size_t *len)
{
	*len = s->found ? s->cap_len : 0;
	return s->found ? s->cap : NULL;
}

/* ---- buildinfo parsing ----------------------------------------------------- */

static void mod_release(sc_gomod *m)
{
	free(m->path);
	free(m->version);
	free(m->sum);
	free(m->replaces);
	memset(m, 0, sizeof(*m));
}

void sc_gobin_info_release(sc_gobin_info *g)
{
	size_t i;

	if (!g)
		return;
	free(g->toolchain);
	free(g->pkg_path);
	mod_release(&g->main);
	for (i = 0; i < g->n_deps; i++)
		mod_release(&g->deps[i]);
	free(g->deps);
	free(g->goarch);
	memset(g, 0, sizeof(*g));
}

/* Go's binary.Uvarint on at most len bytes; 0 on success. */
static int uvarint(const unsigned char *p, size_t len, uint64_t *v, size_t *used)
{
	uint64_t x = 0;
	unsigned shift = 0;
	size_t i;

	for (i = 0; i < len && i < 10; i++) {
		unsigned char b = p[i];

		if (b < 0x80) {
			if (i == 9 && b > 1)
				return -1;
			*v = x | (uint64_t)b << shift;
			*used = i + 1;
			return 0;
		}
		x |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	}
	return -1;
}

/* A printable field (no control bytes), at most FIELD_MAX bytes; NULL for empty. */
static int field_dup(char **out, const char *p, size_t len)
{
	size_t i;

	*out = NULL;
	if (len > FIELD_MAX)
		return sc_error_set(SC_EINPUT, "Go buildinfo: field longer than %d bytes", FIELD_MAX);
	for (i = 0; i < len; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return sc_error_set(SC_EINPUT, "Go buildinfo: control character in module info");
	if (!len)
		return 0;
	*out = sc_strndup(p, len);
	return *out ? 0 : SC_ENOMEM;
}

/* Split a line into up to 4 tab-separated fields. */
static size_t split_tabs(const char *line, size_t len, const char **f, size_t *fl, size_t max)
{
	size_t n = 0, start = 0, i;

	for (i = 0; i <= len && n < max; i++) {
		if (i == len || line[i] == '\t') {
			f[n] = line + start;
			fl[n] = i - start;
			n++;
			start = i + 1;
		}
	}
	return n;
}

static int set_mod(sc_gomod *m, const char **f, const size_t *fl, size_t n)
{
	int rc;

	mod_release(m);
	if (n < 2 || fl[1] == 0)
		return sc_error_set(SC_EINPUT, "Go buildinfo: module line without a path");
	if ((rc = field_dup(&m->path, f[1], fl[1])) != 0 || (n > 2 && (rc = field_dup(&m->version, f[2], fl[2])) != 0) ||
	    (n > 3 && (rc = field_dup(&m->sum, f[3], fl[3])) != 0))
		return rc;
	return 0;
}

static int apply_replace(sc_gomod *m, const char **f, const size_t *fl, size_t n)
{
	sc_buf b;
	char *path = NULL, *version = NULL, *sum = NULL;
	int rc;

	if (n < 2 || fl[1] == 0)
		return sc_error_set(SC_EINPUT, "Go buildinfo: replacement without a path");
	if ((rc = field_dup(&path, f[1], fl[1])) != 0 || (n > 2 && (rc = field_dup(&version, f[2], fl[2])) != 0) ||
	    (n > 3 && (rc = field_dup(&sum, f[3], fl[3])) != 0))
		goto fail;
	sc_buf_init(&b, 2 * FIELD_MAX + 2, "module");
	if ((rc = sc_buf_printf(&b, "%s%s%s", m->path, m->version ? "@" : "", m->version ? m->version : "")) != 0) {
		sc_buf_release(&b);
		goto fail;
	}
	free(m->replaces);
	m->replaces = sc_buf_detach(&b, NULL);
	if (!m->replaces) {
		rc = SC_ENOMEM;
		goto fail;
	}
	free(m->path);
	free(m->version);
	free(m->sum);
	m->path = path;
	m->version = version ? version : sc_strdup("(devel)"); /* a local directory */
	m->sum = sum;
	return m->version ? 0 : SC_ENOMEM;
fail:
	free(path);
	free(version);
	free(sum);
	return rc;
}

static int parse_modinfo(sc_gobin_info *g, const char *mi, size_t len)
{
	size_t pos = 0;
	sc_gomod *last = NULL;
	int rc;

	while (pos < len) {
		const char *line = mi + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		const char *f[4];
		size_t fl[4], n;

		pos += ll + (nl ? 1 : 0);
		if (ll == 0)
			continue;
		n = split_tabs(line, ll, f, fl, 4);
		if (fl[0] == 4 && memcmp(f[0], "path", 4) == 0 && n >= 2) {
			if (!g->pkg_path && (rc = field_dup(&g->pkg_path, f[1], fl[1])) != 0)
				return rc;
			last = NULL;
		} else if (fl[0] == 3 && memcmp(f[0], "mod", 3) == 0) {
			if ((rc = set_mod(&g->main, f, fl, n)) != 0)
				return rc;
			last = &g->main;
		} else if (fl[0] == 3 && memcmp(f[0], "dep", 3) == 0) {
			sc_gomod *nd;

			if (g->n_deps >= MAX_DEPS)
				return sc_error_set(SC_ELIMIT, "Go buildinfo: more than %d dependencies", MAX_DEPS);
			nd = sc_reallocarray(g->deps, g->n_deps + 1, sizeof(*nd));
			if (!nd)
				return SC_ENOMEM;
			g->deps = nd;
			memset(&g->deps[g->n_deps], 0, sizeof(*nd));
			last = &g->deps[g->n_deps++];
			if ((rc = set_mod(last, f, fl, n)) != 0)
				return rc;
		} else if (fl[0] == 2 && memcmp(f[0], "=>", 2) == 0) {
			if (!last)
				return sc_error_set(SC_EINPUT, "Go buildinfo: replacement with no module before it");
			if ((rc = apply_replace(last, f, fl, n)) != 0)
				return rc;
			last = NULL;
		} else if (fl[0] == 5 && memcmp(f[0], "build", 5) == 0 && n >= 2) {
			if (fl[1] > 7 && memcmp(f[1], "GOARCH=", 7) == 0 && !g->goarch &&
			    (rc = field_dup(&g->goarch, f[1] + 7, fl[1] - 7)) != 0)
				return rc;
			last = NULL;
		}
		/* Other lines ("go", unknown future keys) are ignored. */
	}
	return 0;
}

int sc_gobin_parse(sc_gobin_info *out, const void *data, size_t len)
{
	const unsigned char *p = data;
	sc_gobin_info g;
	uint64_t vl, ml;
	size_t used, off;
	int rc;

	memset(&g, 0, sizeof(g));
	if (len < HEADER_LEN || memcmp(p, MAGIC, MAGIC_LEN) != 0)
		return sc_error_set(SC_EINPUT, "Go buildinfo: header cut short");
	if (!(p[15] & 2))
		return sc_error_set(SC_EUNSUPPORTED, "Go buildinfo format before Go 1.18 not supported");
	if (p[14] != 4 && p[14] != 8)
		return sc_error_set(SC_EINPUT, "Go buildinfo: pointer size %u", p[14]);
	off = HEADER_LEN;
	if (uvarint(p + off, len - off, &vl, &used) != 0)
		return sc_error_set(SC_EINPUT, "Go buildinfo: bad version length");
	off += used;
	if (vl == 0 || vl > 256 || vl > len - off)
		return sc_error_set(SC_EINPUT, "Go buildinfo: version length %llu beyond the data",
				    (unsigned long long)vl);
	if ((rc = field_dup(&g.toolchain, (const char *)p + off, (size_t)vl)) != 0)
		goto out;
	off += (size_t)vl;
	if (uvarint(p + off, len - off, &ml, &used) != 0) {
		rc = sc_error_set(SC_EINPUT, "Go buildinfo: bad module info length");
		goto out;
	}
	off += used;
	if (ml > len - off) {
		rc = sc_error_set(SC_EINPUT, "Go buildinfo: module info length %llu beyond the data",
				  (unsigned long long)ml);
		goto out;
	}
	/* Strip the sentinels as debug/buildinfo does; otherwise there is no module info. */
	if (ml >= 33 && p[off + ml - 17] == '\n' &&
	    (rc = parse_modinfo(&g, (const char *)p + off + 16, (size_t)ml - 32)) != 0)
		goto out;
	*out = g;
	return 0;
out:
	sc_gobin_info_release(&g);
	return rc;
}

/* ---- the cataloger --------------------------------------------------------- */

static void *stream_begin(void *ud, const sc_entry *e)
{
	(void)ud;
	(void)e;
	return sc_gobin_scan_new();
}

static int stream_data(void *st, const void *buf, size_t len)
{
	return sc_gobin_scan_feed(st, buf, len);
}

static void *stream_end(void *st, int failed)
{
	sc_gobin_scan *s = st;

	if (failed || !s->found) {
		sc_gobin_scan_free(s);
		return NULL;
	}
	return s;
}

static void result_free(void *ud, void *result)
{
	(void)ud;
	sc_gobin_scan_free(result);
}

static const sc_interest gobin_interest = {
	.name = "go buildinfo",
	.magic = elf_magic,
	.magic_len = sizeof(elf_magic),
	.min_size = 64,
	.stream_begin = stream_begin,
	.stream_data = stream_data,
	.stream_end = stream_end,
	.result_free = result_free,
};

static const sc_interest *const interests[] = { &gobin_interest, NULL };

static int add_mod(sc_catalog *cat, const sc_gobin_info *g, const sc_gomod *m, const char *location, int is_main)
{
	sc_package p;
	int rc;

	memset(&p, 0, sizeof(p));
	p.eco = SC_ECO_GOLANG;
	p.name = m->path;
	p.version = m->version;
	p.location = (char *)location;
	if (is_main)
		p.arch = g->goarch;
	if ((rc = sc_kv_list_add(&p.props, "go.toolchain", g->toolchain)) != 0 ||
	    (is_main && g->pkg_path && (rc = sc_kv_list_add(&p.props, "go.path", g->pkg_path)) != 0) ||
	    (m->sum && (rc = sc_kv_list_add(&p.props, "go.sum", m->sum)) != 0) ||
	    (m->replaces && (rc = sc_kv_list_add(&p.props, "go.replaces", m->replaces)) != 0))
		goto out;
	rc = sc_catalog_add_package(cat, &p, NULL);
out:
	sc_kv_list_release(&p.props);
	return rc;
}

static int walk_cb(const sc_fsnode *n, void *ud)
{
	sc_catalog *cat = ud;
	const sc_capture *c;
	const unsigned char *data;
	size_t len, i;
	sc_gobin_info g;
	sc_gomod main_mod;
	int rc;

	if (n->e.type != SC_FT_REG && n->e.type != SC_FT_HARDLINK)
		return 0;
	c = sc_fsnode_capture(n, &gobin_interest);
	if (!c || !c->result)
		return 0;
	data = sc_gobin_scan_result(c->result, &len);
	if (!data)
		return 0;
	rc = sc_gobin_parse(&g, data, len);
	if (rc == SC_ENOMEM)
		return rc;
	if (rc != 0) {
		rc = sc_catalog_note(cat, rc == SC_EUNSUPPORTED ? SC_NOTE_INFO : SC_NOTE_WARNING, "gobin", n->e.path,
				     "%s", sc_error_msg());
		sc_error_clear();
		return rc;
	}
	/* GOPATH builds (no "mod" line) are named by their main package path. */
	main_mod = g.main;
	if (!main_mod.path)
		main_mod.path = g.pkg_path;
	if (main_mod.path && (rc = add_mod(cat, &g, &main_mod, n->e.path, 1)) != 0)
		goto out;
	for (i = 0; i < g.n_deps; i++)
		if ((rc = add_mod(cat, &g, &g.deps[i], n->e.path, 0)) != 0)
			goto out;
out:
	sc_gobin_info_release(&g);
	return rc;
}

static int gobin_collect(const sc_fsview *view, sc_catalog *cat)
{
	return sc_fsview_walk(view, walk_cb, cat);
}

const sc_cataloger sc_cataloger_gobin = { "gobin", interests, gobin_collect };
