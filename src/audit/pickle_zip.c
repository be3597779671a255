/*
 * pickle_zip.c - locate the pickles in model files and scan them with
 * sc_pickle_scan_ex() (see pickle_zip.h for the formats and their specs:
 * PKWARE APPNOTE.TXT for zip/Zip64, RFC 1950/1951/1952 for zlib, deflate
 * and gzip, numpy.lib.format for .npy, joblib/numpy_pickle*.py for joblib).
 *
 * Reads go through a small source abstraction (pread on a descriptor, or
 * memory) so that a multi-GB checkpoint costs its central directory and
 * its pickle members only.  Every size read from the file is checked
 * against the file size before it is used; inflated output is capped per
 * member and per file.
 */
#include "audit/pickle_zip.h"
#include "core/buf.h"
#include "core/error.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

typedef struct {
	int fd;
	const unsigned char *mem;
	uint64_t size;
	const char *path;
	uint64_t member_cap, total_cap, total_used;
	sc_pickle_file_report *r;
} src;

static int src_read(src *s, uint64_t off, void *dst, size_t n)
{
	size_t got = 0;

	if (off > s->size || n > s->size - off)
		return sc_error_set(SC_EINTERNAL, "%s: read past the end (bug)", s->path);
	if (s->mem) {
		memcpy(dst, s->mem + off, n);
		return 0;
	}
	while (got < n) {
		ssize_t k = pread(s->fd, (unsigned char *)dst + got, n - got, (off_t)(off + got));

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return sc_error_set_errno(SC_EIO, errno, "%s: read at offset %" PRIu64, s->path, off + got);
		}
		if (k == 0)
			return sc_error_set(SC_EIO, "%s: file is shorter than %" PRIu64 " bytes", s->path, s->size);
		got += (size_t)k;
	}
	return 0;
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

void sc_pickle_file_report_init(sc_pickle_file_report *r)
{
	memset(r, 0, sizeof(*r));
}

void sc_pickle_file_report_release(sc_pickle_file_report *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n_members; i++) {
		free(r->members[i].name);
		sc_pickle_report_release(&r->members[i].report);
	}
	free(r->members);
	sc_pickle_file_report_init(r);
}

/* A new member slot (NULL with members_skipped counted when full). */
static int add_member(src *s, const char *name, size_t name_len, const char *kind, sc_pickle_member **out)
{
	sc_pickle_file_report *r = s->r;
	sc_pickle_member *m;

	*out = NULL;
	if (r->n_members >= SC_PICKLE_FILE_MAX_MEMBERS) {
		r->members_skipped++;
		return 0;
	}
	if (!(m = sc_reallocarray(r->members, r->n_members + 1, sizeof(*m))))
		return SC_ENOMEM;
	r->members = m;
	m = &r->members[r->n_members];
	memset(m, 0, sizeof(*m));
	sc_pickle_report_init(&m->report);
	if (name && !(m->name = sc_strndup(name, name_len)))
		return SC_ENOMEM;
	m->kind = kind;
	r->n_members++;
	*out = m;
	return 0;
}

static void note(sc_pickle_member *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(sc_pickle_member *m, const char *fmt, ...)
{
	va_list ap;
	size_t o = strlen(m->note);

	if (o && o < sizeof(m->note) - 2) {
		m->note[o++] = ';';
		m->note[o++] = ' ';
		m->note[o] = '\0';
	}
	if (o >= sizeof(m->note) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(m->note + o, sizeof(m->note) - o, fmt, ap);
	va_end(ap);
}

/* Bytes left in the per-file budget, capped by the per-member cap. */
static uint64_t budget(const src *s)
{
	uint64_t left = s->total_used < s->total_cap ? s->total_cap - s->total_used : 0;

	return left < s->member_cap ? left : s->member_cap;
}

/* ------------------------------------------------------------------ */
/* decompression into a capped buffer                                  */

enum { DZ_RAW = -15, DZ_ZLIB = 15, DZ_GZIP = 31 };

/*
 * Inflate [off, off+n) of the source (wbits selects raw deflate, zlib or
 * gzip) into *out, at most cap bytes.  *capped is set when output was cut;
 * *bad gets a message when the stream is corrupt (what was inflated so far
 * is kept).  Returns 0, SC_ENOMEM or SC_EIO.
 */
static int inflate_src(src *s, uint64_t off, uint64_t n, int wbits, uint64_t cap, unsigned char **out,
		       size_t *out_len, int *capped, char *bad, size_t badsz, uint32_t *crc)
{
	unsigned char *in = NULL, *o = NULL;
	size_t ocap = 0, olen = 0;
	z_stream z;
	int zinit = 0, rc = 0, zr = Z_OK;
	uint64_t done = 0;

	*capped = 0;
	bad[0] = '\0';
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, wbits) != Z_OK) {
		rc = sc_error_set(SC_ENOMEM, "%s: inflateInit2 failed", s->path);
		goto out;
	}
	zinit = 1;
	if (!(in = sc_malloc(1u << 20))) {
		rc = SC_ENOMEM;
		goto out;
	}
	while (zr != Z_STREAM_END) {
		if (z.avail_in == 0) {
			size_t k = n - done > (1u << 20) ? (1u << 20) : (size_t)(n - done);

			if (k == 0) {
				snprintf(bad, badsz, "compressed stream ends early");
				break;
			}
			if ((rc = src_read(s, off + done, in, k)) != 0)
				goto out;
			done += k;
			z.next_in = in;
			z.avail_in = (uInt)k;
		}
		if (olen == ocap) {
			size_t ncap;
			unsigned char *t;

			if ((uint64_t)olen >= cap) {
				*capped = 1;
				break;
			}
			ncap = ocap ? ocap * 2 : 65536;
			if ((uint64_t)ncap > cap)
				ncap = (size_t)cap;
			if (!(t = sc_realloc(o, ncap + 1))) {
				rc = SC_ENOMEM;
				goto out;
			}
			o = t;
			ocap = ncap;
		}
		z.next_out = o + olen;
		z.avail_out = (uInt)((ocap - olen) > (1u << 30) ? (1u << 30) : (ocap - olen));
		{
			size_t before = z.avail_out;

			zr = inflate(&z, Z_NO_FLUSH);
			olen += before - z.avail_out;
		}
		if (zr == Z_NEED_DICT || zr == Z_DATA_ERROR || zr == Z_MEM_ERROR) {
			snprintf(bad, badsz, "corrupt compressed data (%s)", z.msg ? z.msg : "inflate error");
			break;
		}
		if (zr == Z_BUF_ERROR && z.avail_in != 0 && z.avail_out != 0) {
			snprintf(bad, badsz, "corrupt compressed data");
			break;
		}
	}
	if (crc)
		*crc = (uint32_t)crc32(0L, Z_NULL, 0);
	if (crc && o) {
		uLong c = crc32(0L, Z_NULL, 0);
		size_t k;

		for (k = 0; k < olen; k += (1u << 30))
			c = crc32(c, o + k, (uInt)(olen - k > (1u << 30) ? (1u << 30) : olen - k));
		*crc = (uint32_t)c;
	}
	*out = o;
	*out_len = olen;
	o = NULL;
out:
	if (zinit)
		inflateEnd(&z);
	free(in);
	free(o);
	return rc;
}

/* ------------------------------------------------------------------ */
/* scanning one member's bytes                                         */

static int scan_into(src *s, sc_pickle_member *m, const unsigned char *buf, size_t len, int prefix)
{
	sc_pickle_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.prefix = prefix;
	if ((rc = sc_pickle_scan_ex(&m->report, buf, len, m->name ? m->name : s->path, &o)) != 0)
		return rc;
	m->scanned = 1;
	m->scanned_bytes = len;
	return 0;
}

/* .npy: 1 and *pickle_off when the header declares an object dtype; 0 numeric; -1 bad. */
static int npy_object(const unsigned char *b, size_t len, size_t *pickle_off, int *need_more)
{
	size_t pre, hl, i;

	*need_more = 0;
	if (len < 10 || memcmp(b, "\x93NUMPY", 6) != 0)
		return -1;
	if (b[6] == 1) {
		hl = le16(b + 8);
		pre = 10;
	} else if (b[6] == 2 || b[6] == 3) {
		if (len < 12) {
			*need_more = 1;
			return -1;
		}
		hl = le32(b + 8);
		pre = 12;
	} else {
		return -1;
	}
	if (hl > (1u << 20))
		return -1;
	if (hl > len - pre) {
		*need_more = 1;
		return -1;
	}
	*pickle_off = pre + hl;
	/* any quoted dtype code [<>|=]?O[0-9]* in the header dict means objects (pickled) */
	for (i = pre; i < pre + hl; i++) {
		unsigned char q = b[i];
		size_t st, e, k;

		if (q != '\'' && q != '"')
			continue;
		st = ++i;
		while (i < pre + hl && b[i] != q)
			i++;
		e = i;
		k = st;
		if (k < e && (b[k] == '<' || b[k] == '>' || b[k] == '|' || b[k] == '='))
			k++;
		if (k < e && b[k] == 'O') {
			for (k++; k < e && b[k] >= '0' && b[k] <= '9'; k++)
				;
			if (k == e)
				return 1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* zip                                                                 */

static int ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n >= k && !memcmp(s + n - k, suf, k);
}

typedef struct {
	const unsigned char *name;
	size_t name_len;
	uint16_t flags, method;
	uint32_t crc;
	uint64_t csize, usize, lho;
} cd_entry;

/* Apply the Zip64 extended information extra field (APPNOTE 4.5.3). */
static int zip64_extra(cd_entry *e, const unsigned char *x, size_t xl, int need_u, int need_c, int need_o)
{
	size_t i = 0;

	while (i + 4 <= xl) {
		uint16_t id = le16(x + i), sz = le16(x + i + 2);
		size_t p = i + 4, end;

		if (sz > xl - p)
			return -1;
		end = p + sz;
		if (id == 0x0001) {
			if (need_u) {
				if (end - p < 8)
					return -1;
				e->usize = le64(x + p);
				p += 8;
			}
			if (need_c) {
				if (end - p < 8)
					return -1;
				e->csize = le64(x + p);
				p += 8;
			}
			if (need_o) {
				if (end - p < 8)
					return -1;
				e->lho = le64(x + p);
			}
			return 0;
		}
		i = end;
	}
	return need_u || need_c || need_o ? -1 : 0;
}

/* Read and scan one selected member. */
static int zip_member(src *s, const cd_entry *e, const char *kind)
{
	unsigned char lh[30], *data = NULL;
	size_t dlen = 0;
	uint64_t data_off, cap = budget(s);
	sc_pickle_member *m;
	int rc, capped = 0;
	uint32_t crc = 0;
	char bad[120] = "";

	if ((rc = add_member(s, (const char *)e->name, e->name_len, kind, &m)) != 0 || !m)
		return rc;
	m->size = e->csize;
	m->compression = e->method == 8 ? "deflate" : NULL;
	if (e->flags & 1) {
		note(m, "encrypted, not scanned");
		return 0;
	}
	if (e->method != 0 && e->method != 8) {
		note(m, "zip compression method %u, not scanned", e->method);
		return 0;
	}
	if (e->lho > s->size || s->size - e->lho < 30) {
		note(m, "local header offset %" PRIu64 " is outside the file", e->lho);
		return 0;
	}
	if ((rc = src_read(s, e->lho, lh, sizeof(lh))) != 0)
		return rc;
	if (memcmp(lh, "PK\x03\x04", 4) != 0) {
		note(m, "no local header at offset %" PRIu64, e->lho);
		return 0;
	}
	data_off = e->lho + 30 + le16(lh + 26) + le16(lh + 28);
	if (data_off > s->size || e->csize > s->size - data_off) {
		note(m, "member data (%" PRIu64 " bytes at offset %" PRIu64 ") exceeds the file", e->csize, data_off);
		return 0;
	}
	m->offset = data_off;
	if (cap == 0) {
		note(m, "per-file read budget exhausted, not scanned");
		return 0;
	}
	if (e->method == 0) {
		dlen = e->csize > cap ? (size_t)cap : (size_t)e->csize;
		capped = e->csize > cap;
		if (!(data = sc_malloc(dlen + 1))) {
			rc = SC_ENOMEM;
			goto out;
		}
		if ((rc = src_read(s, data_off, data, dlen)) != 0)
			goto out;
		if (!capped)
			crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), data, (uInt)dlen);
		if (e->csize != e->usize)
			note(m, "stored member sizes differ (%" PRIu64 " vs %" PRIu64 ")", e->csize, e->usize);
	} else {
		if ((rc = inflate_src(s, data_off, e->csize, DZ_RAW, cap, &data, &dlen, &capped, bad, sizeof(bad),
				      &crc)) != 0)
			goto out;
		if (bad[0])
			note(m, "%s", bad);
		if (!capped && !bad[0] && dlen != e->usize)
			note(m, "inflated to %zu bytes, central directory says %" PRIu64, dlen, e->usize);
	}
	s->total_used += dlen;
	if (capped)
		note(m, "inflated size exceeds the %" PRIu64 "-byte cap; scanned the first %zu bytes", cap, dlen);
	else if (!bad[0] && crc != e->crc)
		note(m, "CRC-32 mismatch");
	m->capped = capped;
	if (!strcmp(kind, "npy-object")) {
		size_t po = 0;
		int more = 0, r = npy_object(data, dlen, &po, &more);

		if (r != 1) {
			/* a numeric array (or not an .npy): nothing to scan; drop the slot */
			free(m->name);
			sc_pickle_report_release(&m->report);
			s->r->n_members--;
			goto out;
		}
		rc = scan_into(s, m, data + po, dlen - po, capped || bad[0]);
	} else {
		rc = scan_into(s, m, data, dlen, capped || bad[0]);
	}
out:
	free(data);
	return rc;
}

/* Find the end of central directory record; 0 ok, 1 not a readable zip (note in *why). */
static int zip_scan(src *s, char *why, size_t whysz)
{
	unsigned char *tail = NULL, *cd = NULL;
	size_t tl, i, found = (size_t)-1, p;
	uint64_t eocd, cd_off, cd_size, entries, k;
	int rc = 0, is_torch = 0;

	tl = s->size < 65557 ? (size_t)s->size : 65557;
	if (tl < 22) {
		snprintf(why, whysz, "zip too short for an end record");
		return 1;
	}
	if (!(tail = sc_malloc(tl)))
		return SC_ENOMEM;
	if ((rc = src_read(s, s->size - tl, tail, tl)) != 0)
		goto out;
	for (i = tl - 22 + 1; i-- > 0;)
		if (!memcmp(tail + i, "PK\x05\x06", 4) && (size_t)le16(tail + i + 20) <= tl - i - 22) {
			found = i;
			break;
		}
	if (found == (size_t)-1) {
		snprintf(why, whysz, "no zip end of central directory record");
		rc = 1;
		goto out;
	}
	eocd = s->size - tl + found;
	if (le16(tail + found + 4) != 0 || le16(tail + found + 6) != 0) {
		snprintf(why, whysz, "multi-disk zip not supported");
		rc = 1;
		goto out;
	}
	entries = le16(tail + found + 10);
	cd_size = le32(tail + found + 12);
	cd_off = le32(tail + found + 16);
	if (entries == 0xffff || cd_size == 0xffffffffu || cd_off == 0xffffffffu) {
		unsigned char loc[20], z64[56];
		uint64_t z64off;

		if (eocd < 20 || (rc = src_read(s, eocd - 20, loc, 20)) != 0 || memcmp(loc, "PK\x06\x07", 4)) {
			if (rc == 0) {
				snprintf(why, whysz, "Zip64 end of central directory locator missing");
				rc = 1;
			}
			goto out;
		}
		z64off = le64(loc + 8);
		if (z64off > eocd - 20 || eocd - 20 - z64off < 56) {
			snprintf(why, whysz, "Zip64 end record offset out of range");
			rc = 1;
			goto out;
		}
		if ((rc = src_read(s, z64off, z64, 56)) != 0)
			goto out;
		if (memcmp(z64, "PK\x06\x06", 4)) {
			snprintf(why, whysz, "Zip64 end of central directory record missing");
			rc = 1;
			goto out;
		}
		entries = le64(z64 + 32);
		cd_size = le64(z64 + 40);
		cd_off = le64(z64 + 48);
		eocd = z64off;
	}
	if (cd_off > eocd || cd_size > eocd - cd_off) {
		snprintf(why, whysz, "central directory (%" PRIu64 " bytes at %" PRIu64 ") outside the file", cd_size,
			 cd_off);
		rc = 1;
		goto out;
	}
	if (cd_size > SC_PICKLE_ZIP_MAX_CD || entries > SC_PICKLE_ZIP_MAX_ENTRIES) {
		snprintf(why, whysz, "central directory too large (%" PRIu64 " entries, %" PRIu64 " bytes)", entries,
			 cd_size);
		rc = 1;
		goto out;
	}
	if (!(cd = sc_malloc((size_t)cd_size + 1))) {
		rc = SC_ENOMEM;
		goto out;
	}
	if ((rc = src_read(s, cd_off, cd, (size_t)cd_size)) != 0)
		goto out;
	/* first pass: is it a PyTorch checkpoint? */
	for (p = 0, k = 0; k < entries && cd_size - p >= 46 && !memcmp(cd + p, "PK\x01\x02", 4); k++) {
		size_t n = le16(cd + p + 28), x = le16(cd + p + 30), c = le16(cd + p + 32);

		if (n + x + c > cd_size - p - 46)
			break;
		if (ends_with((const char *)cd + p + 46, n, "/data.pkl") ||
		    (n == 8 && !memcmp(cd + p + 46, "data.pkl", 8)))
			is_torch = 1;
		p += 46 + n + x + c;
	}
	s->r->format = is_torch ? "pytorch-zip" : "zip";
	for (p = 0, k = 0; k < entries; k++) {
		cd_entry e;
		size_t n, x, c;
		const char *nm;

		if (cd_size - p < 46 || memcmp(cd + p, "PK\x01\x02", 4)) {
			snprintf(why, whysz, "central directory entry %" PRIu64 " is malformed", k);
			rc = 2;
			break;
		}
		n = le16(cd + p + 28);
		x = le16(cd + p + 30);
		c = le16(cd + p + 32);
		if (n + x + c > cd_size - p - 46) {
			snprintf(why, whysz, "central directory entry %" PRIu64 " overruns the directory", k);
			rc = 2;
			break;
		}
		memset(&e, 0, sizeof(e));
		e.flags = le16(cd + p + 8);
		e.method = le16(cd + p + 10);
		e.crc = le32(cd + p + 16);
		e.csize = le32(cd + p + 20);
		e.usize = le32(cd + p + 24);
		e.lho = le32(cd + p + 42);
		e.name = cd + p + 46;
		e.name_len = n;
		s->r->zip_entries++;
		nm = (const char *)e.name;
		if (ends_with(nm, n, ".pkl") || ends_with(nm, n, ".pickle") || ends_with(nm, n, ".npy")) {
			const char *kind = ends_with(nm, n, ".npy") ? "npy-object" : "pickle";

			if (zip64_extra(&e, cd + p + 46 + n, x, e.usize == 0xffffffffu, e.csize == 0xffffffffu,
					e.lho == 0xffffffffu) != 0) {
				sc_pickle_member *m;

				if ((rc = add_member(s, nm, n, kind, &m)) != 0)
					break;
				if (m)
					note(m, "bad Zip64 extra field, not scanned");
			} else if ((rc = zip_member(s, &e, kind)) != 0) {
				break;
			}
		}
		p += 46 + n + x + c;
	}
	if (rc == 2)
		rc = 1;
out:
	free(tail);
	free(cd);
	return rc;
}

/* ------------------------------------------------------------------ */
/* top-level formats                                                   */

static const char *unsupported_magic(const unsigned char *b, size_t n)
{
	if (n >= 6 && !memcmp(b, "\xfd" "7zXZ\0", 6))
		return "xz";
	if (n >= 3 && !memcmp(b, "BZh", 3))
		return "bz2";
	if (n >= 4 && !memcmp(b, "\x04\x22\x4d\x18", 4))
		return "lz4";
	if (n >= 3 && b[0] == 0x5d && b[1] == 0x00 && b[2] == 0x00)
		return "lzma";
	if (n >= 4 && !memcmp(b, "\x28\xb5\x2f\xfd", 4))
		return "zstd";
	return NULL;
}

/* Raw pickle at [off, size): read growing prefixes until the walk completes or a cap. */
static int raw_pickle(src *s, uint64_t off, const char *fmt_if_pickle)
{
	uint64_t avail = s->size - off, cap = budget(s), want = avail < (1u << 20) ? avail : (1u << 20);
	unsigned char *data = NULL;
	sc_pickle_member *m;
	int rc;

	if ((rc = add_member(s, NULL, 0, "pickle", &m)) != 0 || !m)
		return rc;
	m->offset = off;
	m->size = avail;
	if (want > cap)
		want = cap;
	for (;;) {
		unsigned char *t;
		int last = want == avail || want == cap;

		if (!(t = sc_realloc(data, (size_t)want + 1))) {
			rc = SC_ENOMEM;
			goto out;
		}
		data = t;
		if ((rc = src_read(s, off, data, (size_t)want)) != 0)
			goto out;
		sc_pickle_report_release(&m->report);
		if ((rc = scan_into(s, m, data, (size_t)want, want < avail)) != 0)
			goto out;
		if (!m->report.truncated || last)
			break;
		want = want > UINT64_MAX / 8 ? avail : want * 8;
		if (want > avail)
			want = avail;
		if (want > cap)
			want = cap;
	}
	s->total_used += want;
	if (m->report.truncated && want < avail) {
		m->capped = 1;
		note(m, "pickle continues past the %" PRIu64 "-byte cap; scanned the first %" PRIu64 " bytes", cap, want);
	}
	/* not a pickle at all: nothing imported and nothing completed */
	if (m->report.pickles == 0 && m->report.n_imports == 0 && m->report.imports_dropped == 0 &&
	    m->report.malformed && m->report.error_offset == 0) {
		sc_pickle_report_release(&m->report);
		s->r->n_members--;
		goto out;
	}
	s->r->format = m->report.joblib_arrays && !strcmp(fmt_if_pickle, "pickle") ? "joblib" : fmt_if_pickle;
out:
	free(data);
	return rc;
}

static int compressed_pickle(src *s, uint64_t off, int wbits, const char *comp)
{
	unsigned char *data = NULL;
	size_t dlen = 0;
	sc_pickle_member *m;
	int rc, capped = 0;
	char bad[120] = "";

	s->r->format = "joblib";
	if ((rc = add_member(s, NULL, 0, "pickle", &m)) != 0 || !m)
		return rc;
	m->compression = comp;
	m->offset = off;
	m->size = s->size - off;
	if ((rc = inflate_src(s, off, s->size - off, wbits, budget(s), &data, &dlen, &capped, bad, sizeof(bad),
			      NULL)) != 0)
		goto out;
	s->total_used += dlen;
	if (bad[0])
		note(m, "%s", bad);
	if (capped)
		note(m, "inflated size exceeds the %" PRIu64 "-byte cap; scanned the first %zu bytes", budget(s), dlen);
	m->capped = capped;
	rc = scan_into(s, m, data ? data : (const unsigned char *)"", dlen, capped || bad[0]);
out:
	free(data);
	return rc;
}

static int npy_file(src *s)
{
	unsigned char head[12];
	unsigned char *h = NULL;
	size_t po = 0, hl;
	int more = 0, r, rc = 0;

	s->r->format = "npy";
	if (s->size < 12) {
		return 0;
	}
	if ((rc = src_read(s, 0, head, 12)) != 0)
		return rc;
	hl = head[6] == 1 ? 10u + le16(head + 8) : 12u + le32(head + 8);
	if (hl > (1u << 20) + 12 || hl > s->size)
		return 0;
	if (!(h = sc_malloc(hl)))
		return SC_ENOMEM;
	if ((rc = src_read(s, 0, h, hl)) != 0)
		goto out;
	r = npy_object(h, hl, &po, &more);
	if (r == 1)
		rc = raw_pickle(s, po, "npy");
	s->r->format = "npy";
out:
	free(h);
	return rc;
}

static void aggregate(sc_pickle_file_report *r)
{
	size_t i;
	const sc_pickle_member *worst = NULL;
	sc_pickle_verdict wv = SC_PICKLE_VERDICT_SAFE;

	for (i = 0; i < r->n_members; i++) {
		const sc_pickle_member *m = &r->members[i];
		sc_pickle_verdict v = m->scanned ? m->report.verdict : SC_PICKLE_VERDICT_UNKNOWN;

		if ((m->capped || m->note[0]) && v < SC_PICKLE_VERDICT_UNKNOWN)
			v = SC_PICKLE_VERDICT_UNKNOWN;
		if (!worst || v > wv) {
			worst = m;
			wv = v;
		}
	}
	r->verdict = wv;
	if (!worst) {
		snprintf(r->reason, sizeof(r->reason), "%s", r->format ? "no pickle data" : "not a pickle container");
	} else {
		const char *why;

		if (!worst->scanned)
			why = worst->note;
		else if (wv > worst->report.verdict && worst->note[0])
			why = worst->note;
		else
			why = worst->report.reason;
		snprintf(r->reason, sizeof(r->reason), "%.120s%s%.190s", worst->name ? worst->name : "",
			 worst->name ? ": " : "", why);
	}
	if (r->members_skipped && r->verdict < SC_PICKLE_VERDICT_UNKNOWN) {
		r->verdict = SC_PICKLE_VERDICT_UNKNOWN;
		snprintf(r->reason, sizeof(r->reason), "%" PRIu64 " pickle members beyond the limit of %u not scanned",
			 r->members_skipped, SC_PICKLE_FILE_MAX_MEMBERS);
	}
}

static int scan_src(sc_pickle_file_report *out, src *s)
{
	sc_pickle_file_report r;
	unsigned char head[64];
	size_t hn = s->size < sizeof(head) ? (size_t)s->size : sizeof(head);
	const char *comp;
	char why[160] = "";
	int rc = 0;

	sc_pickle_file_report_init(&r);
	s->r = &r;
	if (!s->member_cap)
		s->member_cap = SC_PICKLE_ZIP_MEMBER_CAP;
	if (!s->total_cap)
		s->total_cap = SC_PICKLE_ZIP_TOTAL_CAP;
	if (hn && (rc = src_read(s, 0, head, hn)) != 0)
		goto out;
	if (hn >= 4 && (!memcmp(head, "PK\x03\x04", 4) || !memcmp(head, "PK\x05\x06", 4))) {
		rc = zip_scan(s, why, sizeof(why));
		if (rc == 1) {
			sc_pickle_member *m;

			rc = 0;
			if (!r.format)
				r.format = "zip";
			if ((rc = add_member(s, NULL, 0, "pickle", &m)) != 0)
				goto out;
			if (m)
				note(m, "%s", why);
		}
	} else if (hn >= 6 && !memcmp(head, "\x93NUMPY", 6)) {
		rc = npy_file(s);
	} else if (hn >= 2 && head[0] == 0x78 && (head[1] == 0x01 || head[1] == 0x5e || head[1] == 0x9c ||
						 head[1] == 0xda)) {
		rc = compressed_pickle(s, 0, DZ_ZLIB, "zlib");
	} else if (hn >= 2 && head[0] == 0x1f && head[1] == 0x8b) {
		rc = compressed_pickle(s, 0, DZ_GZIP, "gzip");
	} else if (hn >= 21 && !memcmp(head, "ZF0x", 4)) {
		rc = compressed_pickle(s, 21, DZ_ZLIB, "zlib");
	} else if ((comp = unsupported_magic(head, hn)) != NULL) {
		sc_pickle_member *m;

		r.format = "joblib";
		if ((rc = add_member(s, NULL, 0, "pickle", &m)) != 0)
			goto out;
		if (m) {
			m->compression = comp;
			m->size = s->size;
			note(m, "compressed with %s, not scanned", comp);
		}
	} else if (s->size) {
		rc = raw_pickle(s, 0, "pickle");
	}
	if (rc != 0)
		goto out;
	aggregate(&r);
	*out = r;
	sc_pickle_file_report_init(&r);
out:
	sc_pickle_file_report_release(&r);
	return rc;
}

int sc_pickle_scan_file_ex(sc_pickle_file_report *out, int fd, uint64_t size, const char *path,
			   const sc_pickle_file_opts *opts)
{
	src s;

	if (!out || fd < 0)
		return sc_error_set(SC_EUSAGE, "sc_pickle_scan_file: bad argument");
	memset(&s, 0, sizeof(s));
	s.fd = fd;
	s.size = size;
	s.path = path ? path : "pickle file";
	if (opts) {
		s.member_cap = opts->member_cap;
		s.total_cap = opts->total_cap;
	}
	return scan_src(out, &s);
}

int sc_pickle_scan_file(sc_pickle_file_report *out, int fd, uint64_t size, const char *path)
{
	return sc_pickle_scan_file_ex(out, fd, size, path, NULL);
}

int sc_pickle_scan_buffer(sc_pickle_file_report *out, const unsigned char *buf, size_t len, const char *path,
			  const sc_pickle_file_opts *opts)
{
	src s;

	if (!out || (!buf && len))
		return sc_error_set(SC_EUSAGE, "sc_pickle_scan_buffer: bad argument");
	memset(&s, 0, sizeof(s));
	s.fd = -1;
	s.mem = buf ? buf : (const unsigned char *)"";
	s.size = len;
	s.path = path ? path : "pickle data";
	if (opts) {
		s.member_cap = opts->member_cap;
		s.total_cap = opts->total_cap;
	}
	return scan_src(out, &s);
}
