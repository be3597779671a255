/*
 * import.c - sc_import_path(): read a directory tree, a single file or a
 * zip archive of advisories and hand each file to its format's parser
 * (import_osv.c, import_debian.c, import_alpine.c); the helpers shared by
 * the parsers (import_priv.h).
 *
 * Formats: OSV https://ossf.github.io/osv-schema/ (trees like
 * pypa/advisory-database, the bulk export's all.zip from
 * https://osv-vulnerabilities.storage.googleapis.com/<ecosystem>/all.zip),
 * Debian tracker https://security-tracker.debian.org/tracker/data/json,
 * Alpine secdb https://secdb.alpinelinux.org/.  Zip: PKWARE APPNOTE
 * (https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT) via
 * libarchive.
 *
 * Trees are walked with openat(O_NOFOLLOW): symbolic links, hidden entries
 * (".git") and files not named *.json, *.yaml or *.yml are skipped; entries
 * are visited in byte order of their names so that imports are
 * deterministic; nesting is limited to SC_IMPORT_MAX_DEPTH levels and the
 * walk (or zip) to SC_IMPORT_MAX_ENTRIES entries.
 *
 * In a tree or a zip, a file that does not parse (or is over
 * SC_IMPORT_MAX_FILE) is skipped with a warning and counted in
 * st->skipped; the import goes on.  A single file that does not parse, a
 * zip that is truncated or corrupt (no end of central directory record,
 * short member data, bad CRC), I/O errors and errors from the callback
 * stop the import with an error.  Zip members are read as a stream, so
 * corruption may only show after earlier members were emitted: the caller
 * must then throw those records away (the database import is one
 * transaction).
 *
 * OSV members of trees and zips are parsed on worker threads (one per CPU,
 * at most 8) and emitted in order by the calling thread: see "parallel
 * parsing" below.
 *
 * Sniffing (SC_IMPORT_AUTO): a document with a top-level "distroversion"
 * (YAML line "distroversion:" at column 0, or a JSON "distroversion" key
 * together with "packages", within the first 64 KiB) is Alpine secdb; a
 * single JSON file that opens as {"<key>": {"<key>": {...} } } with
 * "releases" in its first 64 KiB is the Debian tracker; everything else is
 * OSV.  In trees and zips only OSV and Alpine are told apart.  For OSV,
 * names ending .json are read as JSON, .yaml or .yml as YAML, others by their first
 * byte ('{' or '[': JSON).
 */
#include "vuln/import_priv.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/path.h"
#include "core/stream.h"
#include "core/utf8.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SC_IMPORT_MAX_DEPTH 32
#define SC_IMPORT_MAX_ENTRIES 2000000u
#define SNIFF_BYTES 65536

/* ---- helpers shared by the parsers (import_priv.h) ---- */

void sc_import_warn(sc_import_stats *st, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (!st)
		return;
	if (st->n_warnings >= SC_IMPORT_MAX_WARNINGS) {
		st->more_warnings++;
		return;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s) {
		st->more_warnings++;
		return;
	}
	sc_utf8_sanitize(s); /* names and versions come from the input */
	st->warnings[st->n_warnings++] = s;
}

void sc_import_stats_release(sc_import_stats *st)
{
	size_t i;

	if (!st)
		return;
	for (i = 0; i < st->n_warnings && i < SC_IMPORT_MAX_WARNINGS; i++)
		free(st->warnings[i]);
	memset(st, 0, sizeof(*st));
}

/* 1 when s is 1..max bytes and none is whitespace, a control byte or DEL. */
static int token_ok(const char *s, size_t max, int ascii_only)
{
	size_t n;

	if (!s || !*s)
		return 0;
	for (n = 0; s[n]; n++) {
		unsigned char ch = (unsigned char)s[n];

		if (n >= max || ch <= 0x20 || ch == 0x7f || (ascii_only && ch > 0x7e))
			return 0;
	}
	return 1;
}

int sc_import_version_ok(const char *v)
{
	return token_ok(v, SC_VERSION_MAX, 0);
}

int sc_import_id_ok(const char *id)
{
	return token_ok(id, SC_IMPORT_ID_MAX, 1);
}

int sc_import_name_ok(const char *name)
{
	return token_ok(name, SC_IMPORT_NAME_MAX, 0);
}

int sc_import_jstr(const json_t *obj, const char *key, const char **out)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		return -1;
	*out = json_string_value(v);
	return 0;
}

/* ---- walking ---- */

typedef struct imp_ctx {
	sc_import_format fmt;   /* as asked (AUTO: sniffed per file) */
	sc_vuln_emit_fn emit;
	void *ud;
	int cb_rc;              /* what the callback returned when it stopped the import */
	sc_import_stats *st;
	size_t entries;         /* tree entries or zip members seen */
	char *source;           /* alpine source name of the last secdb file */
	struct pool *pool;      /* parses OSV members on worker threads (NULL: inline) */
} imp_ctx;

static int imp_emit(void *ud, const sc_vuln_record *rec)
{
	imp_ctx *c = ud;
	int rc = c->emit(c->ud, rec);

	if (rc)
		c->cb_rc = rc;
	return rc;
}

static int has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);

	return n > k && strcmp(s + n - k, suf) == 0;
}

static int wanted_name(const char *name)
{
	return has_suffix(name, ".json") || has_suffix(name, ".yaml") || has_suffix(name, ".yml");
}

/* Skip a UTF-8 byte order mark and whitespace. */
static size_t skip_space(const char *d, size_t n, size_t i)
{
	if (i == 0 && n >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
		i++;
	return i;
}

/* Past a JSON string starting at d[i] == '"'; n when unterminated. */
static size_t skip_jstring(const char *d, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (d[i] == '\\')
			i++;
		else if (d[i] == '"')
			return i + 1;
	}
	return n;
}

static int contains(const char *d, size_t n, const char *needle)
{
	return d && n && memmem(d, n, needle, strlen(needle)) != NULL;
}

/* {"k": {"k": {  -- the shape of the Debian tracker. */
static int debian_shape(const char *d, size_t n)
{
	size_t i = skip_space(d, n, 0);
	int level;

	for (level = 0; level < 3; level++) {
		if (i >= n || d[i] != '{')
			return 0;
		if (level == 2)
			return 1;
		i = skip_space(d, n, i + 1);
		if (i >= n || d[i] != '"')
			return 0;
		i = skip_space(d, n, skip_jstring(d, n, i));
		if (i >= n || d[i] != ':')
			return 0;
		i = skip_space(d, n, i + 1);
	}
	return 0;
}

static sc_import_format sniff(const char *d, size_t n, int allow_debian)
{
	size_t head = n < SNIFF_BYTES ? n : SNIFF_BYTES;
	size_t i = skip_space(d, head, 0);
	const char *nl;

	if (i < head && (d[i] == '{' || d[i] == '[')) {
		if (d[i] == '{' && contains(d, head, "\"distroversion\"") && contains(d, head, "\"packages\""))
			return SC_IMPORT_ALPINE;
		if (allow_debian && debian_shape(d, head) && contains(d, head, "\"releases\""))
			return SC_IMPORT_DEBIAN;
		return SC_IMPORT_OSV;
	}
	for (i = 0; i < head; i = (size_t)(nl - d) + 1) {
		if (head - i >= 14 && memcmp(d + i, "distroversion:", 14) == 0)
			return SC_IMPORT_ALPINE;
		if (!(nl = memchr(d + i, '\n', head - i)))
			break;
	}
	return SC_IMPORT_OSV;
}

static int looks_json(const char *name, const char *d, size_t n)
{
	size_t i;

	if (has_suffix(name, ".json"))
		return 1;
	if (has_suffix(name, ".yaml") || has_suffix(name, ".yml"))
		return 0;
	i = skip_space(d, n, 0);
	return i < n && (d[i] == '{' || d[i] == '[');
}

static const char *fmt_name(sc_import_format f)
{
	return f == SC_IMPORT_DEBIAN ? "debian" : f == SC_IMPORT_ALPINE ? "alpine" : "osv";
}

/*
 * Parse one document.  In a tree or zip (`member`), a document that does
 * not parse is skipped with a warning; otherwise its error is returned.
 */
static int imp_doc(imp_ctx *c, const char *data, size_t len, const char *name, const char *what, int member)
{
	sc_import_format f = c->fmt;
	char *src = NULL;
	int rc;

	if (f == SC_IMPORT_AUTO)
		f = sniff(data, len, !member);
	c->cb_rc = 0;
	switch (f) {
	case SC_IMPORT_DEBIAN:
		rc = sc_import_debian_buf(data, len, what, imp_emit, c, c->st);
		break;
	case SC_IMPORT_ALPINE:
		rc = sc_import_alpine_buf_src(data, len, what, imp_emit, c, c->st, &src);
		if (rc == 0) {
			free(c->source);
			c->source = src;
		}
		break;
	default:
		rc = sc_import_osv_buf(data, len, !looks_json(name, data, len), what, imp_emit, c, c->st);
		break;
	}
	if (rc && !c->cb_rc && member && (rc == SC_EINPUT || rc == SC_ELIMIT)) {
		c->st->skipped++;
		sc_import_warn(c->st, "%s", sc_error_msg());
		sc_error_clear();
		rc = 0;
	}
	return rc;
}

/* ---- parallel parsing of OSV members ----
 *
 * Parsing YAML/JSON is most of an import's cost.  Members of a tree or zip
 * are read by the calling thread in their deterministic order and queued;
 * worker threads parse them; the calling thread takes the parsed trees back
 * in the same order and emits their records, so emission (and warnings)
 * stay sequential and deterministic.  At most POOL_RING documents are in
 * flight, which bounds memory.
 */

#define POOL_RING 64
#define POOL_MAX_THREADS 8

enum { J_FREE = 0, J_QUEUED, J_RUNNING, J_DONE };

typedef struct pjob {
	char *data;
	size_t len;
	char *what;
	int yaml;
	json_t *root;
	int rc;
	sc_error_info err;
	int state;
} pjob;

typedef struct pool {
	pthread_t th[POOL_MAX_THREADS];
	size_t n_threads;
	pthread_mutex_t mu;
	pthread_cond_t cv_work, cv_done;
	pjob ring[POOL_RING];
	size_t head, next, tail; /* oldest unfinished, next to parse, next free (monotonic) */
	int stop;
} pool;

static void *pool_worker(void *arg)
{
	pool *p = arg;
	pjob *j;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && p->next == p->tail)
			pthread_cond_wait(&p->cv_work, &p->mu);
		if (p->stop)
			break;
		j = &p->ring[p->next++ % POOL_RING];
		j->state = J_RUNNING;
		pthread_mutex_unlock(&p->mu);
		sc_error_clear();
		j->rc = sc_import_osv_parse(&j->root, j->data, j->len, j->yaml, j->what);
		if (j->rc)
			sc_error_save(&j->err);
		pthread_mutex_lock(&p->mu);
		j->state = J_DONE;
		pthread_cond_broadcast(&p->cv_done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void pjob_release(pjob *j)
{
	free(j->data);
	free(j->what);
	json_decref(j->root);
	memset(j, 0, sizeof(*j));
}

/* Stop the workers and free every job; accepts NULL. */
static void pool_free(pool *p)
{
	size_t i;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->cv_work);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->n_threads; i++)
		pthread_join(p->th[i], NULL);
	for (i = 0; i < POOL_RING; i++)
		pjob_release(&p->ring[i]);
	pthread_cond_destroy(&p->cv_work);
	pthread_cond_destroy(&p->cv_done);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

/* A pool with one worker per CPU, or NULL (inline parsing) on one CPU or when threads fail. */
static pool *pool_new(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = ncpu > POOL_MAX_THREADS ? POOL_MAX_THREADS : ncpu > 0 ? (size_t)ncpu : 1;
	pool *p;

	if (n < 2 || !(p = calloc(1, sizeof(*p))))
		return NULL;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv_work, NULL);
	pthread_cond_init(&p->cv_done, NULL);
	/* jansson seeds its hash function on first use: do it before the workers race for it. */
	json_object_seed(0);
	for (p->n_threads = 0; p->n_threads < n; p->n_threads++)
		if (pthread_create(&p->th[p->n_threads], NULL, pool_worker, p) != 0)
			break;
	if (p->n_threads == 0) {
		pool_free(p);
		return NULL;
	}
	return p;
}

/* Emit the records of the oldest queued document (waiting for its parse). */
static int pool_finish_one(imp_ctx *c)
{
	pool *p = c->pool;
	pjob *j = &p->ring[p->head % POOL_RING];
	int rc;

	pthread_mutex_lock(&p->mu);
	while (j->state != J_DONE)
		pthread_cond_wait(&p->cv_done, &p->mu);
	pthread_mutex_unlock(&p->mu);
	c->cb_rc = 0;
	if (j->rc)
		rc = sc_error_restore(&j->err);
	else
		rc = sc_import_osv_doc(j->root, j->what, imp_emit, c, c->st);
	if (rc && !c->cb_rc && (rc == SC_EINPUT || rc == SC_ELIMIT)) {
		c->st->skipped++;
		sc_import_warn(c->st, "%s", sc_error_msg());
		sc_error_clear();
		rc = 0;
	}
	pjob_release(j);
	p->head++;
	return rc;
}

/* Emit everything still queued, in order. */
static int pool_drain(imp_ctx *c)
{
	int rc;

	while (c->pool && c->pool->head < c->pool->tail)
		if ((rc = pool_finish_one(c)) != 0)
			return rc;
	return 0;
}

/* Queue an OSV member (takes data); a full ring first emits the oldest. */
static int pool_submit(imp_ctx *c, char *data, size_t len, const char *what, int yaml)
{
	pool *p = c->pool;
	pjob *j;
	int rc;

	if (p->tail - p->head == POOL_RING && (rc = pool_finish_one(c)) != 0) {
		free(data);
		return rc;
	}
	j = &p->ring[p->tail % POOL_RING];
	if (!(j->what = sc_strdup(what))) {
		free(data);
		return SC_ENOMEM;
	}
	j->data = data;
	j->len = len;
	j->yaml = yaml;
	pthread_mutex_lock(&p->mu);
	j->state = J_QUEUED;
	p->tail++;
	pthread_cond_signal(&p->cv_work);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

/*
 * Skip a member that could not be read, with the current error as its
 * warning, after the members queued before it (warnings stay in order).
 */
static int imp_skip_current(imp_ctx *c)
{
	sc_error_info why;
	int rc;

	sc_error_save(&why);
	if ((rc = pool_drain(c)) != 0)
		return rc;
	c->st->skipped++;
	sc_import_warn(c->st, "%s", why.msg);
	sc_error_clear();
	return 0;
}

/*
 * A member of a tree or zip: OSV documents go to the pool when there is
 * one (data is taken), anything else is drained-then-parsed inline.
 */
static int imp_member(imp_ctx *c, char **data, size_t len, const char *name, const char *what)
{
	sc_import_format f = c->fmt == SC_IMPORT_AUTO ? sniff(*data, len, 0) : c->fmt;
	int rc;

	if (f == SC_IMPORT_OSV && c->pool) {
		rc = pool_submit(c, *data, len, what, !looks_json(name, *data, len));
		*data = NULL;
		return rc;
	}
	if ((rc = pool_drain(c)) != 0)
		return rc;
	return imp_doc(c, *data, len, name, what, 1);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walk the directory open at dfd (owned); path names it in messages. */
static int imp_dir(imp_ctx *c, int dfd, const char *path, int depth)
{
	DIR *d = NULL;
	struct dirent *de;
	char **names = NULL, *data = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0;

	if (!(d = fdopendir(dfd))) {
		rc = sc_error_set_errno(SC_EIO, errno, "%s", path);
		close(dfd);
		goto out;
	}
	for (;;) {
		errno = 0;
		if (!(de = readdir(d))) {
			if (errno) {
				rc = sc_error_set_errno(SC_EIO, errno, "%s", path);
				goto out;
			}
			break;
		}
		if (de->d_name[0] == '.')
			continue; /* ".", "..", hidden files and directories (.git) */
		if (++c->entries > SC_IMPORT_MAX_ENTRIES) {
			rc = sc_error_set(SC_ELIMIT, "%s: more than %u entries", path, SC_IMPORT_MAX_ENTRIES);
			goto out;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			char **nn = sc_reallocarray(names, ncap, sizeof(*nn));

			if (!nn) {
				rc = SC_ENOMEM;
				goto out;
			}
			names = nn;
			cap = ncap;
		}
		if (!(names[n] = sc_strdup(de->d_name))) {
			rc = SC_ENOMEM;
			goto out;
		}
		n++;
	}
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		char child[SC_PATH_MAX];
		struct stat sb;
		size_t len;
		int fd;

		if ((size_t)snprintf(child, sizeof(child), "%s/%s", path, names[i]) >= sizeof(child)) {
			if ((rc = pool_drain(c)) != 0)
				goto out;
			c->st->skipped++;
			sc_import_warn(c->st, "%s/%.80s...: path too long, skipped", path, names[i]);
			continue;
		}
		if (fstatat(dirfd(d), names[i], &sb, AT_SYMLINK_NOFOLLOW) != 0) {
			rc = sc_error_set_errno(SC_EIO, errno, "%s", child);
			goto out;
		}
		if (S_ISDIR(sb.st_mode)) {
			if (depth + 1 > SC_IMPORT_MAX_DEPTH) {
				rc = sc_error_set(SC_ELIMIT, "%s: directories nested deeper than %d levels", child,
						  SC_IMPORT_MAX_DEPTH);
				goto out;
			}
			fd = openat(dirfd(d), names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0) {
				rc = sc_error_set_errno(SC_EIO, errno, "%s", child);
				goto out;
			}
			if ((rc = imp_dir(c, fd, child, depth + 1)) != 0)
				goto out;
			continue;
		}
		if (!S_ISREG(sb.st_mode) || !wanted_name(names[i]))
			continue; /* symbolic links, devices, other files */
		fd = openat(dirfd(d), names[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
		if (fd < 0) {
			rc = sc_error_set_errno(SC_EIO, errno, "%s", child);
			goto out;
		}
		rc = sc_fd_read_all(fd, SC_IMPORT_MAX_FILE, child, &data, &len);
		close(fd);
		c->st->files++;
		if (rc == SC_ELIMIT || rc == SC_EINPUT) {
			/* too big, or replaced by something else since fstatat */
			if ((rc = imp_skip_current(c)) != 0)
				goto out;
			continue;
		}
		if (rc)
			goto out;
		rc = imp_member(c, &data, len, names[i], child);
		free(data);
		data = NULL;
		if (rc)
			goto out;
	}
out:
	free(data);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (d)
		closedir(d);
	return rc;
}

static int zip_error(struct archive *a, const char *path, const char *entry)
{
	const char *msg = archive_error_string(a);

	return sc_error_set(SC_EINPUT, "%s%s%s: truncated or corrupt zip: %s", path, entry ? ":" : "",
			    entry ? entry : "", msg ? msg : "unexpected end of data");
}

/*
 * The end of central directory record (APPNOTE 4.3.16, signature
 * PK\5\6, 22 bytes plus a comment of at most 65535) must be in the tail:
 * a zip cut short anywhere fails here or while its members are read.
 */
static int zip_check_end(int fd, const char *path)
{
	struct stat sb;
	char *tail = NULL;
	size_t n, i;
	ssize_t k;
	int rc = 0;

	if (fstat(fd, &sb) != 0)
		return sc_error_set_errno(SC_EIO, errno, "%s", path);
	if (!S_ISREG(sb.st_mode))
		return sc_error_set(SC_EINPUT, "%s: not a regular file", path);
	n = sb.st_size < 22 + 65535 ? (size_t)sb.st_size : 22 + 65535;
	if (n < 22)
		return sc_error_set(SC_EINPUT, "%s: truncated or corrupt zip: %zu bytes", path, n);
	if (!(tail = sc_malloc(n)))
		return SC_ENOMEM;
	k = pread(fd, tail, n, sb.st_size - (off_t)n);
	if (k != (ssize_t)n) {
		rc = k < 0 ? sc_error_set_errno(SC_EIO, errno, "%s", path)
			   : sc_error_set(SC_EIO, "%s: short read", path);
		goto out;
	}
	for (i = n - 22 + 1; i-- > 0;)
		if (memcmp(tail + i, "PK\5\6", 4) == 0)
			goto out;
	rc = sc_error_set(SC_EINPUT, "%s: truncated or corrupt zip: no end of central directory record", path);
out:
	free(tail);
	return rc;
}

static int imp_zip(imp_ctx *c, const char *path)
{
	struct archive *a = NULL;
	struct archive_entry *e;
	char *data = NULL;
	int rc = 0, r, fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return sc_error_set_errno(errno == ENOENT ? SC_ENOTFOUND : SC_EIO, errno, "%s", path);
	if ((rc = zip_check_end(fd, path)) != 0)
		goto out;
	if (!(a = archive_read_new())) {
		rc = sc_error_set(SC_ENOMEM, "out of memory");
		goto out;
	}
	archive_read_support_format_zip(a);
	if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
		const char *msg = archive_error_string(a);

		rc = sc_error_set(SC_EINPUT, "%s: cannot read as zip: %s", path, msg ? msg : "unknown error");
		goto out;
	}
	for (;;) {
		char name[512], what[SC_PATH_MAX + 600];
		const char *pn, *base;
		size_t len = 0, cap;
		la_int64_t size;
		ssize_t k;
		int too_big = 0;

		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK) {
			rc = zip_error(a, path, NULL);
			goto out;
		}
		if (++c->entries > SC_IMPORT_MAX_ENTRIES) {
			rc = sc_error_set(SC_ELIMIT, "%s: more than %u entries", path, SC_IMPORT_MAX_ENTRIES);
			goto out;
		}
		pn = archive_entry_pathname(e);
		if (!pn)
			pn = "";
		snprintf(name, sizeof(name), "%s", pn);
		sc_utf8_sanitize(name);
		base = strrchr(name, '/');
		base = base ? base + 1 : name;
		if (archive_entry_filetype(e) != AE_IFREG || base[0] == '.' || !wanted_name(base))
			continue; /* libarchive skips (and checks) the data on the next header */
		snprintf(what, sizeof(what), "%s:%s", path, name);
		size = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1;
		if (size > (la_int64_t)SC_IMPORT_MAX_FILE) {
			too_big = 1;
			cap = 0;
		} else {
			cap = size >= 0 ? (size_t)size + 1 : 65536;
			if (!(data = sc_malloc(cap))) {
				rc = SC_ENOMEM;
				goto out;
			}
		}
		while (!too_big) {
			if (len + 1 == cap) {
				/* Full: read one byte more to tell the end from a member larger than announced. */
				char probe, *nd;
				size_t ncap;

				k = archive_read_data(a, &probe, 1);
				if (k < 0) {
					rc = zip_error(a, path, name);
					goto out;
				}
				if (k == 0)
					break;
				if (len >= SC_IMPORT_MAX_FILE) {
					too_big = 1;
					break;
				}
				ncap = cap < SC_IMPORT_MAX_FILE / 2 ? cap * 2 : (size_t)SC_IMPORT_MAX_FILE + 1;
				if (!(nd = sc_realloc(data, ncap))) {
					rc = SC_ENOMEM;
					goto out;
				}
				data = nd;
				cap = ncap;
				data[len++] = probe;
				continue;
			}
			k = archive_read_data(a, data + len, cap - 1 - len);
			if (k < 0) {
				rc = zip_error(a, path, name); /* bad CRC (ARCHIVE_WARN) included */
				goto out;
			}
			if (k == 0)
				break;
			len += (size_t)k;
		}
		c->st->files++;
		if (too_big) {
			if ((rc = pool_drain(c)) != 0) /* warnings stay in member order */
				goto out;
			c->st->skipped++;
			sc_import_warn(c->st, "%s: member exceeds %u bytes, skipped", what, SC_IMPORT_MAX_FILE);
		} else {
			data[len] = '\0';
			if ((rc = imp_member(c, &data, len, base, what)) != 0)
				goto out;
		}
		free(data);
		data = NULL;
	}
out:
	free(data);
	if (a)
		archive_read_free(a);
	close(fd);
	return rc;
}

/* The last path component, without trailing slashes ("." for none). */
static char *base_name(const char *path)
{
	size_t n = strlen(path), s;

	while (n > 1 && path[n - 1] == '/')
		n--;
	s = n;
	while (s > 0 && path[s - 1] != '/')
		s--;
	if (n == s)
		return sc_strdup(path[0] == '/' ? "/" : ".");
	return sc_strndup(path + s, n - s);
}

int sc_import_path(const char *path, sc_import_format fmt, sc_vuln_emit_fn emit, void *ud,
		   sc_import_stats *st, char **source_out)
{
	sc_import_stats local;
	imp_ctx c;
	struct stat sb;
	char *data = NULL, *base = NULL, *src = NULL;
	size_t len = 0;
	int rc = 0, fd = -1, is_dir;

	memset(&local, 0, sizeof(local));
	memset(&c, 0, sizeof(c));
	if (!st)
		st = &local;
	c.fmt = fmt;
	c.emit = emit;
	c.ud = ud;
	c.st = st;
	if (!path || !emit)
		return sc_error_set(SC_EUSAGE, "sc_import_path: no path or callback");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		rc = sc_error_set_errno(errno == ENOENT ? SC_ENOTFOUND : SC_EIO, errno, "%s", path);
		goto out;
	}
	if (fstat(fd, &sb) != 0) {
		rc = sc_error_set_errno(SC_EIO, errno, "%s", path);
		goto out;
	}
	is_dir = S_ISDIR(sb.st_mode);
	if (is_dir && fmt == SC_IMPORT_DEBIAN) {
		rc = sc_error_set(SC_EUSAGE, "%s: the Debian tracker is one JSON file, not a directory", path);
		goto out;
	}
	if (!(base = base_name(path))) {
		rc = SC_ENOMEM;
		goto out;
	}
	if (is_dir || has_suffix(path, ".zip"))
		c.pool = pool_new();
	if (is_dir) {
		rc = imp_dir(&c, fd, path, 0);
		fd = -1;
		if (rc == 0)
			rc = pool_drain(&c);
		if (rc)
			goto out;
		if (asprintf(&src, "%s:%s", fmt == SC_IMPORT_ALPINE ? "alpine" : "osv", base) < 0)
			src = NULL;
	} else if (has_suffix(path, ".zip")) {
		close(fd);
		fd = -1;
		rc = imp_zip(&c, path);
		if (rc == 0)
			rc = pool_drain(&c);
		if (rc)
			goto out;
		if (asprintf(&src, "%s:%s", fmt == SC_IMPORT_ALPINE ? "alpine" : "osv", base) < 0)
			src = NULL;
	} else {
		sc_import_format f;

		rc = sc_fd_read_all(fd, fmt == SC_IMPORT_OSV || fmt == SC_IMPORT_ALPINE ? SC_IMPORT_MAX_FILE
										  : SC_IMPORT_MAX_DEBIAN,
			     path, &data, &len);
		if (rc)
			goto out;
		st->files++;
		f = fmt == SC_IMPORT_AUTO ? sniff(data, len, 1) : fmt;
		if (f != SC_IMPORT_DEBIAN && len > SC_IMPORT_MAX_FILE) {
			rc = sc_error_set(SC_ELIMIT, "%s: file is %zu bytes, limit is %u", path, len,
					  SC_IMPORT_MAX_FILE);
			goto out;
		}
		c.fmt = f;
		if ((rc = imp_doc(&c, data, len, base, path, 0)) != 0)
			goto out;
		if (f == SC_IMPORT_ALPINE && c.source) {
			src = c.source;
			c.source = NULL;
		} else if (asprintf(&src, "%s:%s", fmt_name(f), base) < 0) {
			src = NULL;
		}
	}
	if (source_out) {
		if (!src) {
			rc = sc_error_set(SC_ENOMEM, "out of memory");
			goto out;
		}
		*source_out = src;
		src = NULL;
	}
out:
	pool_free(c.pool);
	if (fd >= 0)
		close(fd);
	free(data);
	free(base);
	free(src);
	free(c.source);
	sc_import_stats_release(&local);
	return rc;
}
