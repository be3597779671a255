/*
 * test_import.c - sc_import_path() (src/vuln/import.c): directory walks
 * (order, hidden entries, symbolic links, FIFOs, oversized and broken
 * files, depth limit), zip archives written here with libarchive (members,
 * truncation and CRC errors fail the import), single files and format
 * sniffing, source names, callback errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "importtest.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp_root[256];

static void put(const char *rel, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmp_root, rel);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

static void mk(const char *rel)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", tmp_root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static char *at(const char *rel)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", tmp_root, rel);
	return path;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp_root, sizeof(tmp_root), "%s/scute-import-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmp_root) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(tmp_root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static const char osv1[] = "id: OSV-1\naffected:\n- package: {ecosystem: PyPI, name: A}\n  versions: [1.0]\n";
static const char osv2[] = "{\"id\": \"OSV-2\", \"aliases\": [\"CVE-2024-2\"]}";
static const char osv3[] = "{\"id\": \"OSV-3\"}";
static const char secdb[] = "distroversion: v3.19\nreponame: main\npackages:\n- pkg:\n    name: zlib\n"
			    "    secfixes:\n      1.3-r2: [CVE-2023-45853]\n";

static void test_tree(void **state)
{
	it_sink s = { 0 };
	sc_import_stats st = { 0 };
	char *src = NULL;
	int fd;

	(void)state;
	mk("tree");
	mk("tree/a");
	mk("tree/b");
	mk("tree/b/c");
	mk("tree/.git");
	put("tree/a/OSV-2.json", osv2);
	put("tree/a/OSV-1.yaml", osv1);
	put("tree/b/c/OSV-3.yml", osv3);
	put("tree/.git/OSV-9.json", "{\"id\": \"HIDDEN-1\"}");
	put("tree/.OSV-8.json", "{\"id\": \"HIDDEN-2\"}");
	put("tree/notes.txt", "{\"id\": \"TXT-1\"}");
	put("tree/secdb.yaml", secdb);
	put("tree/broken.json", "{\"id\": ");
	assert_int_equal(symlink("a/OSV-2.json", at("tree/link.json")), 0);
	assert_int_equal(symlink("a", at("tree/linkdir")), 0);
	assert_int_equal(symlink("/etc/passwd", at("tree/passwd.json")), 0);
	assert_int_equal(mkfifo(at("tree/fifo.json"), 0644), 0);
	/* A sparse file just over the limit: skipped from its size, never read. */
	fd = open(at("tree/huge.json"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)SC_IMPORT_MAX_FILE + 1), 0);
	close(fd);

	assert_int_equal(sc_import_path(at("tree"), SC_IMPORT_AUTO, it_emit, &s, &st, &src), 0);
	assert_non_null(src);
	assert_string_equal(src, "osv:tree");
	free(src);
	src = NULL;
	/* Byte order of paths: a/OSV-1.yaml, a/OSV-2.json, b/c/OSV-3.yml, secdb.yaml. */
	assert_int_equal(s.n, 4);
	assert_string_equal(s.recs[0].id, "OSV-1");
	assert_string_equal(s.recs[1].id, "OSV-2");
	assert_string_equal(s.recs[2].id, "OSV-3");
	assert_string_equal(s.recs[3].id, "CVE-2023-45853");
	it_assert_rec(&s, "OSV-1", "id=OSV-1\naffected=PyPI|-|a|affected|-\n versions=1.0\n");
	it_assert_rec(&s, "OSV-2", "id=OSV-2\nalias=CVE-2024-2\n");
	it_assert_rec(&s, "CVE-2023-45853", "id=CVE-2023-45853\naffected=Alpine|v3.19|zlib|affected|-\n"
					    " range=ECOSYSTEM i:0 f:1.3-r2\n");
	assert_int_equal(st.records, 4);
	assert_int_equal(st.files, 6); /* the four above, broken.json, huge.json */
	assert_int_equal(st.skipped, 2);
	assert_int_equal(st.n_warnings, 2);
	assert_non_null(strstr(st.warnings[0], "tree/broken.json: malformed JSON"));
	assert_non_null(strstr(st.warnings[1], "tree/huge.json: file is 67108865 bytes, limit is 67108864"));
	it_sink_release(&s);
	sc_import_stats_release(&st);

	/* Explicitly OSV: the secdb file is then a record without an id. */
	assert_int_equal(sc_import_path(at("tree"), SC_IMPORT_OSV, it_emit, &s, &st, NULL), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(st.skipped, 3);
	assert_true(it_warned(&st, "tree/secdb.yaml: record skipped: no id"));
	it_sink_release(&s);
	sc_import_stats_release(&st);

	/* The callback's error stops the walk. */
	s.fail_after = 2;
	s.fail_rc = SC_EIO;
	assert_int_equal(sc_import_path(at("tree"), SC_IMPORT_AUTO, it_emit, &s, &st, &src), SC_EIO);
	assert_null(src);
	assert_int_equal(s.n, 2);
	assert_int_equal(st.records, 2);
	it_sink_release(&s);
	sc_import_stats_release(&st);

	/* The Debian tracker is one file. */
	assert_int_equal(sc_import_path(at("tree"), SC_IMPORT_DEBIAN, it_emit, &s, &st, NULL), SC_EUSAGE);
	sc_import_stats_release(&st);
}

static void test_depth(void **state)
{
	char rel[1024] = "deep";
	it_sink s = { 0 };
	sc_import_stats st = { 0 };
	int i;

	(void)state;
	mk(rel);
	for (i = 0; i < 32; i++) {
		strcat(rel, "/d");
		mk(rel);
	}
	strcat(rel, "/OSV-1.json");
	put(rel, "{\"id\": \"DEEP-1\"}");
	assert_int_equal(sc_import_path(at("deep"), SC_IMPORT_AUTO, it_emit, &s, &st, NULL), 0);
	assert_int_equal(s.n, 1);
	it_sink_release(&s);
	rel[strlen(rel) - strlen("/OSV-1.json")] = '\0';
	strcat(rel, "/e");
	mk(rel);
	sc_error_clear();
	assert_int_equal(sc_import_path(at("deep"), SC_IMPORT_AUTO, it_emit, &s, &st, NULL), SC_ELIMIT);
	assert_non_null(strstr(sc_error_msg(), "directories nested deeper than 32 levels"));
	it_sink_release(&s);
	sc_import_stats_release(&st);
}

/* Write a zip of (name, text) pairs, stored (no compression) so that bytes can be flipped. */
static void write_zip(const char *rel, const char *const *members, size_t n)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e;
	size_t i;

	assert_non_null(a);
	assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_zip_set_compression_store(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, at(rel)), ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		const char *name = members[2 * i], *text = members[2 * i + 1];
		int dir = name[strlen(name) - 1] == '/';

		e = archive_entry_new();
		archive_entry_set_pathname(e, name);
		archive_entry_set_filetype(e, dir ? AE_IFDIR : AE_IFREG);
		archive_entry_set_perm(e, dir ? 0755 : 0644);
		archive_entry_set_size(e, dir ? 0 : (la_int64_t)strlen(text));
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (!dir)
			assert_int_equal(archive_write_data(a, text, strlen(text)), (la_ssize_t)strlen(text));
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

static char *slurp(const char *rel, size_t *len)
{
	return it_read(at(rel), len);
}

static void spill(const char *rel, const char *data, size_t len)
{
	FILE *f = fopen(at(rel), "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static const char osv_ghsa2[] = "{\"id\": \"GHSA-2\", \"affected\": [{\"package\": {\"ecosystem\": \"npm\", "
				"\"name\": \"x\"}, \"ranges\": [{\"type\": \"SEMVER\", \"events\": [{\"introduced\": \"0\"}, "
				"{\"fixed\": \"1.0.0\"}]}]}]}";

static void test_zip(void **state)
{
	static const char *const members[] = {
		"GHSA-1.json", "{\"id\": \"GHSA-1\", \"summary\": \"MARKER one\"}",
		"sub/", "",
		"sub/GHSA-2.json", osv_ghsa2,
		"README.md", "not json",
		"sub/.hidden.json", "{\"id\": \"HIDDEN\"}",
		"bad.json", "[",
		"GHSA-3.json", "{\"id\": \"GHSA-3\"}",
	};
	it_sink s = { 0 };
	sc_import_stats st = { 0 };
	char *src = NULL, *data, *p;
	size_t len;

	(void)state;
	write_zip("all.zip", members, sizeof(members) / sizeof(members[0]) / 2);

	/* A member larger than the first read buffer. */
	{
		static const char head[] = "{\"id\": \"BIG-1\", \"details\": \"";
		size_t n = 200000;
		char *big = malloc(n + 1);
		const char *one[2];

		assert_non_null(big);
		memset(big, 'x', n);
		memcpy(big, head, strlen(head));
		memcpy(big + n - 2, "\"}", 2);
		big[n] = '\0';
		one[0] = "BIG-1.json";
		one[1] = big;
		write_zip("big.zip", one, 1);
		free(big);
		assert_int_equal(sc_import_path(at("big.zip"), SC_IMPORT_AUTO, it_emit, &s, &st, NULL), 0);
		assert_int_equal(s.n, 1);
		assert_int_equal(strlen(it_find(&s, "BIG-1")), strlen("id=BIG-1\ndetails=\n") + n - 2 - strlen(head));
		it_sink_release(&s);
		sc_import_stats_release(&st);
	}
	assert_int_equal(sc_import_path(at("all.zip"), SC_IMPORT_AUTO, it_emit, &s, &st, &src), 0);
	assert_string_equal(src, "osv:all.zip");
	free(src);
	src = NULL;
	assert_int_equal(s.n, 3);
	assert_string_equal(s.recs[0].id, "GHSA-1"); /* archive order */
	assert_string_equal(s.recs[1].id, "GHSA-2");
	assert_string_equal(s.recs[2].id, "GHSA-3");
	it_assert_rec(&s, "GHSA-2", "id=GHSA-2\naffected=npm|-|x|affected|-\n range=SEMVER i:0 f:1.0.0\n");
	assert_int_equal(st.files, 4);
	assert_int_equal(st.skipped, 1);
	assert_non_null(strstr(st.warnings[0], "all.zip:bad.json: malformed JSON"));
	it_sink_release(&s);
	sc_import_stats_release(&st);

	data = slurp("all.zip", &len);

	/* Cut short anywhere (inside a member, between members, in the directory): an error. */
	{
		static const size_t cuts[] = { 10, 80, 200, 400 };
		size_t i;

		for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]) && cuts[i] < len; i++) {
			spill("cut.zip", data, cuts[i]);
			sc_error_clear();
			assert_int_equal(sc_import_path(at("cut.zip"), SC_IMPORT_AUTO, it_emit, &s, &st, &src), SC_EINPUT);
			assert_null(src);
			it_sink_release(&s);
			sc_import_stats_release(&st);
		}
		/* Just before the end of the central directory record. */
		spill("cut.zip", data, len - 30);
		assert_int_equal(sc_import_path(at("cut.zip"), SC_IMPORT_AUTO, it_emit, &s, &st, NULL), SC_EINPUT);
		it_sink_release(&s);
		sc_import_stats_release(&st);
	}

	/* A flipped byte in a member: the CRC check fails the import. */
	p = memmem(data, len, "MARKER", 6);
	assert_non_null(p);
	p[0] = 'X';
	spill("crc.zip", data, len);
	sc_error_clear();
	assert_int_equal(sc_import_path(at("crc.zip"), SC_IMPORT_AUTO, it_emit, &s, &st, NULL), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "truncated or corrupt zip"));
	it_sink_release(&s);
	sc_import_stats_release(&st);
	free(data);

	/* Not a zip at all. */
	put("fake.zip", "{\"id\": \"X\"}");
	assert_int_equal(sc_import_path(at("fake.zip"), SC_IMPORT_AUTO, it_emit, &s, &st, NULL), SC_EINPUT);
	assert_int_equal(s.n, 0);
	sc_import_stats_release(&st);
}

static void test_single_files(void **state)
{
	it_sink s = { 0 };
	sc_import_stats st = { 0 };
	char *src = NULL;

	(void)state;
	assert_int_equal(sc_import_path(at("nonexistent.json"), SC_IMPORT_AUTO, it_emit, &s, &st, &src), SC_ENOTFOUND);
	assert_null(src);

	put("one.json", osv2);
	assert_int_equal(sc_import_path(at("one.json"), SC_IMPORT_AUTO, it_emit, &s, &st, &src), 0);
	assert_string_equal(src, "osv:one.json");
	free(src);
	src = NULL;
	assert_int_equal(st.files, 1);
	assert_int_equal(s.n, 1);
	it_sink_release(&s);
	sc_import_stats_release(&st);

	/* A single file that does not parse is an error, not a skip. */
	put("bad.yaml", "id: [\n");
	assert_int_equal(sc_import_path(at("bad.yaml"), SC_IMPORT_AUTO, it_emit, &s, &st, &src), SC_EINPUT);
	assert_null(src);
	assert_int_equal(st.skipped, 0);
	sc_import_stats_release(&st);

	/* Names without a known extension: JSON when it starts with '{' or '[', else YAML. */
	put("record", "  \n{\"id\": \"NOEXT-1\"}");
	put("record2", "id: NOEXT-2\n");
	assert_int_equal(sc_import_path(at("record"), SC_IMPORT_OSV, it_emit, &s, &st, NULL), 0);
	assert_int_equal(sc_import_path(at("record2"), SC_IMPORT_AUTO, it_emit, &s, &st, NULL), 0);
	assert_non_null(it_find(&s, "NOEXT-1"));
	assert_non_null(it_find(&s, "NOEXT-2"));
	it_sink_release(&s);
	sc_import_stats_release(&st);

	/* Sniffing: a secdb in JSON, the tracker, and an OSV record that only mentions them. */
	put("secdb.json", "{\"apkurl\": \"u\", \"archs\": [], \"distroversion\": \"v3.20\", \"reponame\": \"main\","
			  " \"packages\": [{\"pkg\": {\"name\": \"a\", \"secfixes\": {\"1-r0\": [\"CVE-2024-0001\"]}}}]}");
	assert_int_equal(sc_import_path(at("secdb.json"), SC_IMPORT_AUTO, it_emit, &s, &st, &src), 0);
	assert_string_equal(src, "alpine:v3.20/main");
	free(src);
	src = NULL;
	put("tracker.json", "\xef\xbb\xbf {\"pkg\" : {\"CVE-2024-0002\": {\"releases\": {\"sid\": {\"status\": \"open\"}}}}}");
	assert_int_equal(sc_import_path(at("tracker.json"), SC_IMPORT_AUTO, it_emit, &s, &st, &src), SC_EINPUT);
	/* (jansson refuses the byte order mark; without it the tracker is read) */
	put("tracker.json", " {\"pkg\" : {\"CVE-2024-0002\": {\"releases\": {\"sid\": {\"status\": \"open\"}}}}}");
	assert_int_equal(sc_import_path(at("tracker.json"), SC_IMPORT_AUTO, it_emit, &s, &st, &src), 0);
	assert_string_equal(src, "debian:tracker.json");
	free(src);
	src = NULL;
	put("osv-mention.json", "{\"id\": \"OSV-5\", \"database_specific\": {\"x\": {\"releases\": 1}},"
				" \"details\": \"distroversion\"}");
	assert_int_equal(sc_import_path(at("osv-mention.json"), SC_IMPORT_AUTO, it_emit, &s, &st, &src), 0);
	assert_string_equal(src, "osv:osv-mention.json");
	free(src);
	src = NULL;
	assert_int_equal(s.n, 3);
	assert_string_equal(s.recs[0].id, "CVE-2024-0001");
	assert_string_equal(s.recs[1].id, "CVE-2024-0002");
	assert_string_equal(s.recs[2].id, "OSV-5");
	it_sink_release(&s);
	sc_import_stats_release(&st);

	/* A FIFO given by name is refused, without blocking. */
	assert_int_equal(mkfifo(at("pipe"), 0644), 0);
	assert_int_equal(sc_import_path(at("pipe"), SC_IMPORT_AUTO, it_emit, &s, &st, NULL), SC_EINPUT);
	sc_import_stats_release(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_zip),
		cmocka_unit_test(test_single_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
