/*
 * test_gobin.c - Go build information: the streaming magic scanner (split
 * across chunks, alignment), the inline (Go >= 1.18) format with mod, dep
 * and replacement lines, the old pointer format, hostile lengths, and the
 * cataloger on real Go binaries installed by scripts/deps.sh (umoci,
 * skopeo).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <sys/stat.h>

#include "catalog/gobin.h"
#include "catalogtest.h"

static const char sentinel_start[] = "0w\xaf\x0c\x92t\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6";
static const char sentinel_end[] = "\xf9\x32\x43\x31\x86\x18\x20\x72\x00\x82\x42\x10\x41\x16\xd8\xf2";

static size_t put_uvarint(unsigned char *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

/* A buildinfo blob (magic, header, version, framed modinfo) into out; returns its length. */
static size_t make_buildinfo(unsigned char *out, const char *version, const char *modinfo, unsigned flags)
{
	size_t n = 0, ml = strlen(modinfo);

	memset(out, 0, 32);
	memcpy(out, "\xff Go buildinf:", 14);
	out[14] = 8;
	out[15] = (unsigned char)flags;
	n = 32;
	n += put_uvarint(out + n, strlen(version));
	memcpy(out + n, version, strlen(version));
	n += strlen(version);
	n += put_uvarint(out + n, ml + 32);
	memcpy(out + n, sentinel_start, 16);
	memcpy(out + n + 16, modinfo, ml);
	memcpy(out + n + 16 + ml, sentinel_end, 16);
	return n + ml + 32;
}

static const char modinfo[] =
	"path\texample.com/app/cmd/app\n"
	"mod\texample.com/app\t(devel)\t\n"
	"dep\tgithub.com/pkg/errors\tv0.9.1\th1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4=\n"
	"dep\tgolang.org/x/sys\tv0.1.0\th1:abc=\n"
	"=>\tgolang.org/x/sys\tv0.2.0\th1:def=\n"
	"dep\texample.com/local\tv1.0.0\n"
	"=>\t../local\t\n"
	"build\t-compiler=gc\n"
	"build\tGOARCH=arm64\n"
	"build\tGOOS=linux\n";

static void test_parse(void **state)
{
	unsigned char buf[4096];
	size_t len = make_buildinfo(buf, "go1.22.1", modinfo, 2);
	sc_gobin_info g;

	(void)state;
	assert_int_equal(sc_gobin_parse(&g, buf, len), 0);
	assert_string_equal(g.toolchain, "go1.22.1");
	assert_string_equal(g.pkg_path, "example.com/app/cmd/app");
	assert_string_equal(g.main.path, "example.com/app");
	assert_string_equal(g.main.version, "(devel)");
	assert_null(g.main.sum);
	assert_string_equal(g.goarch, "arm64");
	assert_int_equal(g.n_deps, 3);
	assert_string_equal(g.deps[0].path, "github.com/pkg/errors");
	assert_string_equal(g.deps[0].version, "v0.9.1");
	assert_string_equal(g.deps[1].path, "golang.org/x/sys");
	assert_string_equal(g.deps[1].version, "v0.2.0");
	assert_string_equal(g.deps[1].sum, "h1:def=");
	assert_string_equal(g.deps[1].replaces, "golang.org/x/sys@v0.1.0");
	assert_string_equal(g.deps[2].path, "../local");
	assert_string_equal(g.deps[2].version, "(devel)");
	sc_gobin_info_release(&g);

	/* Old pointer-based format. */
	buf[15] = 0;
	assert_int_equal(sc_gobin_parse(&g, buf, len), SC_EUNSUPPORTED);
	assert_string_equal(sc_error_msg(), "Go buildinfo format before Go 1.18 not supported");
	buf[15] = 2;
	/* Cut short: lengths beyond the data. */
	assert_int_equal(sc_gobin_parse(&g, buf, len - 20), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "beyond the data"));
	assert_int_equal(sc_gobin_parse(&g, buf, 40), SC_EINPUT);
	assert_int_equal(sc_gobin_parse(&g, buf, 20), SC_EINPUT);
	/* A huge varint. */
	memset(buf + 32, 0xff, 12);
	assert_int_equal(sc_gobin_parse(&g, buf, len), SC_EINPUT);
	/* Replacement with nothing before it. */
	len = make_buildinfo(buf, "go1.21.0", "=>\tx\tv1\t\n", 2);
	assert_int_equal(sc_gobin_parse(&g, buf, len), SC_EINPUT);
	/* No sentinels: no module info, still a toolchain. */
	len = make_buildinfo(buf, "go1.21.0", "", 2);
	assert_int_equal(sc_gobin_parse(&g, buf, len), 0);
	assert_string_equal(g.toolchain, "go1.21.0");
	assert_null(g.main.path);
	assert_int_equal(g.n_deps, 0);
	sc_gobin_info_release(&g);
}

/* A fake ELF file with the buildinfo at a 16-aligned offset. */
static unsigned char *fake_binary(size_t *len, size_t at, const unsigned char *bi, size_t bilen)
{
	unsigned char *d = calloc(1, at + bilen + 1000);
	size_t i;

	memcpy(d, "\x7f" "ELF\x02\x01\x01", 7);
	for (i = 64; i < at; i++)
		d[i] = (unsigned char)(i * 7);
	/* A decoy: the magic string at an unaligned offset and an aligned one without a header. */
	memcpy(d + 200 + 3, "\xff Go buildinf:", 14);
	memcpy(d + 512, "\xff Go buildinf:xyzw", 18);
	memcpy(d + at, bi, bilen);
	*len = at + bilen + 1000;
	return d;
}

static void test_scan_chunks(void **state)
{
	unsigned char bi[4096];
	size_t bilen = make_buildinfo(bi, "go1.22.1", modinfo, 2), len, i;
	unsigned char *d = fake_binary(&len, 8192, bi, bilen);
	size_t chunks[] = { 1, 3, 7, 15, 16, 17, 4096, 100000 };

	(void)state;
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		sc_gobin_scan *s = sc_gobin_scan_new();
		const unsigned char *r;
		size_t off = 0, rl;

		while (off < len) {
			size_t n = len - off < chunks[i] ? len - off : chunks[i];

			assert_int_equal(sc_gobin_scan_feed(s, d + off, n), 0);
			off += n;
		}
		r = sc_gobin_scan_result(s, &rl);
		assert_non_null(r);
		assert_int_equal(rl, len - 8192);
		assert_memory_equal(r, bi, bilen);
		sc_gobin_scan_free(s);
	}
	free(d);
}

static const sc_package *find_pkg(const sc_catalog *cat, const char *name, const char *location)
{
	size_t i;

	for (i = 0; i < cat->n_pkgs; i++)
		if (cat->pkgs[i].eco == SC_ECO_GOLANG && strcmp(cat->pkgs[i].name, name) == 0 &&
		    strcmp(cat->pkgs[i].location, location) == 0)
			return &cat->pkgs[i];
	return NULL;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	struct stat st;

	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) != 0 || st.st_size <= 0) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)st.st_size);
	*len = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	return buf;
}

/* The Go version string the binary's own buildinfo holds, found independently of the parser. */
static int expected_toolchain(const unsigned char *d, size_t len, char *out, size_t outsz)
{
	size_t i;

	for (i = 0; i + 64 < len; i += 16)
		if (memcmp(d + i, "\xff Go buildinf:", 14) == 0 && (d[i + 15] & 2) && d[i + 32] < outsz) {
			memcpy(out, d + i + 33, d[i + 32]);
			out[d[i + 32]] = '\0';
			return 0;
		}
	return -1;
}

static void test_catalog(void **state)
{
	static const sc_cataloger *const cats[] = { &sc_cataloger_gobin };
	unsigned char bi[4096], old[4096];
	size_t bilen = make_buildinfo(bi, "go1.22.1", modinfo, 2), oldlen, len, ulen = 0;
	unsigned char *d = fake_binary(&len, 70000, bi, bilen);
	unsigned char *o, *cut, *u = slurp("/usr/bin/umoci", &ulen);
	size_t olen, cutlen;
	sc_catalog cat;
	const sc_package *p;
	tt_tar t;
	tt_blob blob;
	char tc[64];

	(void)state;
	oldlen = make_buildinfo(old, "go1.16", "", 0);
	o = fake_binary(&olen, 4096, old, oldlen);
	/* A modinfo length far beyond the 64 KiB kept. */
	cut = fake_binary(&cutlen, 4096, bi, bilen);
	cut[4096 + 32 + 9] = 0xff;
	cut[4096 + 32 + 10] = 0xff;
	cut[4096 + 32 + 11] = 0x7f;

	tt_tar_init(&t, len + olen + cutlen + ulen + (1 << 20));
	tt_add(&t, "usr/local/bin/app", 'f', 0755, (const char *)d, len, NULL);
	tt_add(&t, "usr/local/bin/old", 'f', 0755, (const char *)o, olen, NULL);
	tt_add(&t, "usr/local/bin/cut", 'f', 0755, (const char *)cut, cutlen, NULL);
	if (u)
		tt_add(&t, "usr/bin/umoci", 'f', 0755, (const char *)u, ulen, NULL);
	tt_file(&t, "usr/local/bin/script", "#!/bin/sh\necho \xff Go buildinf:\n");
	blob = tt_finish(&t);

	sc_catalog_init(&cat);
	assert_int_equal(ct_run(cats, 1, &blob, 1, &cat, NULL), 0);
	p = find_pkg(&cat, "example.com/app", "usr/local/bin/app");
	assert_non_null(p);
	assert_string_equal(p->version, "(devel)");
	assert_string_equal(p->arch, "arm64");
	assert_string_equal(sc_kv_list_get(&p->props, "go.toolchain"), "go1.22.1");
	assert_string_equal(sc_kv_list_get(&p->props, "go.path"), "example.com/app/cmd/app");
	p = find_pkg(&cat, "golang.org/x/sys", "usr/local/bin/app");
	assert_non_null(p);
	assert_string_equal(p->version, "v0.2.0");
	assert_string_equal(sc_kv_list_get(&p->props, "go.toolchain"), "go1.22.1");
	assert_string_equal(sc_kv_list_get(&p->props, "go.replaces"), "golang.org/x/sys@v0.1.0");
	assert_null(sc_kv_list_get(&p->props, "go.path"));
	assert_non_null(find_pkg(&cat, "github.com/pkg/errors", "usr/local/bin/app"));
	assert_non_null(find_pkg(&cat, "../local", "usr/local/bin/app"));
	if (u) {
		/*
		 * Debian builds Go programs in GOPATH mode: no "mod" line, so the
		 * binary is named by its main package path and has no version.
		 */
		assert_int_equal(expected_toolchain(u, ulen, tc, sizeof(tc)), 0);
		p = find_pkg(&cat, "github.com/opencontainers/umoci/cmd/umoci", "usr/bin/umoci");
		assert_non_null(p);
		assert_string_equal(sc_kv_list_get(&p->props, "go.toolchain"), tc);
		assert_int_equal(strncmp(tc, "go1.", 4), 0);
		assert_string_equal(sc_kv_list_get(&p->props, "go.path"), "github.com/opencontainers/umoci/cmd/umoci");
	}
	assert_int_equal(cat.n_pkgs, 4 + (u ? 1 : 0));
	assert_int_equal(cat.n_notes, 2);
	assert_string_equal(cat.notes[0].path, "usr/local/bin/cut");
	assert_non_null(strstr(cat.notes[0].message, "beyond the data"));
	assert_string_equal(cat.notes[1].path, "usr/local/bin/old");
	assert_string_equal(cat.notes[1].message, "Go buildinfo format before Go 1.18 not supported");
	sc_catalog_release(&cat);
	free(blob.data);
	free(d);
	free(o);
	free(cut);
	free(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_scan_chunks),
		cmocka_unit_test(test_catalog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
