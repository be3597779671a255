/*
 * fileset.c - read-only named files from a host directory or from an
 * uncompressed tar archive; see fileset.h.
 *
 * Tar format: POSIX.1-2001 pax / ustar and the GNU extensions that docker,
 * skopeo and GNU tar write.
 *   https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html
 *   https://www.gnu.org/software/tar/manual/html_node/Standard.html
 * The archive is indexed once at open: every header is read with pread(),
 * checked (checksum, sizes, name lengths) and regular, symlink and hard-link
 * members are put into a hash table keyed by their cleaned name.  Members are
 * then streamed with pread() on the shared descriptor, so lookups and reads
 * are thread-safe once the fileset is open.
 */
#include "image/fileset.h"
#include "core/arena.h"
#include "core/error.h"
#include "core/path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TAR_BLOCK 512
#define MAX_LINK_HOPS 16
/* Extension headers (pax 'x', GNU 'L'/'K') larger than this are rejected. */
#define MAX_EXT_HEADER (1u << 20)

enum { FS_DIR = 1, FS_TAR };
enum { M_FILE = 1, M_SYMLINK, M_HARDLINK };

typedef struct member {
	const char *name; /* cleaned; in the arena */
	const char *link; /* link target as written (symlink) or cleaned (hard link) */
	uint64_t offset;  /* of the data */
	uint64_t size;
	int type;
} member;

struct sc_fileset {
	int kind;
	int fd; /* root directory or archive */
	char *name;
	/* tar only */
	sc_arena arena;
	member *members;
	size_t n_members, cap_members;
	uint32_t *table; /* member index + 1; 0 = empty */
	size_t table_size; /* power of two */
};

const char *sc_fileset_name(const sc_fileset *fs)
{
	return fs->name;
}

void sc_fileset_free(sc_fileset *fs)
{
	if (!fs)
		return;
	if (fs->fd >= 0)
		close(fs->fd);
	free(fs->name);
	sc_arena_release(&fs->arena);
	free(fs->members);
	free(fs->table);
	free(fs);
}

static sc_fileset *fileset_new(int kind, const char *name)
{
	sc_fileset *fs = sc_calloc(1, sizeof(*fs));

	if (!fs)
		return NULL;
	fs->kind = kind;
	fs->fd = -1;
	sc_arena_init(&fs->arena);
	fs->name = sc_strdup(name ? name : "archive");
	if (!fs->name) {
		free(fs);
		return NULL;
	}
	return fs;
}

/* Clean a requested name; reject absolute or escaping names and the root. */
static int clean_name(const sc_fileset *fs, const char *name, char out[SC_PATH_MAX])
{
	unsigned flags = 0;
	int rc = sc_path_clean(out, SC_PATH_MAX, name, &flags);

	if (rc)
		return rc;
	if (flags & (SC_PATH_ESCAPES | SC_PATH_ABSOLUTE))
		return sc_error_set(SC_EINPUT, "'%.200s' escapes %s", name, fs->name);
	if (!out[0])
		return sc_error_set(SC_EINPUT, "empty file name in %s", fs->name);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Directory variant                                                  */
/* ------------------------------------------------------------------ */

int sc_fileset_open_dir(sc_fileset **out, const char *dir)
{
	sc_fileset *fs;
	int fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		if (e == ENOENT)
			return sc_error_set(SC_ENOTFOUND, "directory %s does not exist", dir);
		return sc_error_set_errno(e == ENOTDIR ? SC_EINPUT : SC_EIO, e, "cannot open directory %s",
					  dir);
	}
	fs = fileset_new(FS_DIR, dir);
	if (!fs) {
		close(fd);
		return SC_ENOMEM;
	}
	fs->fd = fd;
	*out = fs;
	return 0;
}

/* Open a clean relative name below the root, component by component. */
static int dir_open(sc_fileset *fs, const char *name, int *fd_out, uint64_t *size_out)
{
	char clean[SC_PATH_MAX];
	char *comp, *slash;
	int cur = fs->fd, next, rc;
	struct stat st;

	if ((rc = clean_name(fs, name, clean)) != 0)
		return rc;
	comp = clean;
	for (;;) {
		int last;

		slash = strchr(comp, '/');
		last = slash == NULL;
		if (slash)
			*slash = '\0';
		next = openat(cur, comp,
			      O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (last ? 0 : O_DIRECTORY));
		if (next < 0) {
			int e = errno;
			struct stat lst;
			int is_link = (e == ELOOP || e == ENOTDIR) &&
				      fstatat(cur, comp, &lst, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(lst.st_mode);

			if (slash)
				*slash = '/';
			if (cur != fs->fd)
				close(cur);
			if (is_link)
				return sc_error_set(SC_EINPUT, "'%s' in %s is or passes through a symbolic link",
						    name, fs->name);
			if (e == ENOENT || e == ENOTDIR)
				return sc_error_set(SC_ENOTFOUND, "'%s' not found in %s", name, fs->name);
			return sc_error_set_errno(SC_EIO, e, "cannot open '%s' in %s", name, fs->name);
		}
		if (cur != fs->fd)
			close(cur);
		cur = next;
		if (last)
			break;
		*slash = '/';
		comp = slash + 1;
	}
	if (fstat(cur, &st) != 0) {
		int e = errno;

		close(cur);
		return sc_error_set_errno(SC_EIO, e, "cannot stat '%s' in %s", name, fs->name);
	}
	if (!S_ISREG(st.st_mode)) {
		close(cur);
		return sc_error_set(SC_EINPUT, "'%s' in %s is not a regular file", name, fs->name);
	}
	*fd_out = cur;
	*size_out = (uint64_t)st.st_size;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Tar variant: hash table                                            */
/* ------------------------------------------------------------------ */

static uint64_t hash_name(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ull;
	}
	return h;
}

/* Index of the member named `name` (clean), or -1. */
static ssize_t table_find(const sc_fileset *fs, const char *name)
{
	size_t mask, i;

	if (!fs->table_size)
		return -1;
	mask = fs->table_size - 1;
	for (i = (size_t)hash_name(name) & mask;; i = (i + 1) & mask) {
		uint32_t v = fs->table[i];

		if (!v)
			return -1;
		if (strcmp(fs->members[v - 1].name, name) == 0)
			return (ssize_t)(v - 1);
	}
}

static void table_put(sc_fileset *fs, size_t idx)
{
	size_t mask = fs->table_size - 1, i;

	for (i = (size_t)hash_name(fs->members[idx].name) & mask; fs->table[i]; i = (i + 1) & mask)
		;
	fs->table[i] = (uint32_t)(idx + 1);
}

static int table_grow(sc_fileset *fs)
{
	size_t nsize = fs->table_size ? fs->table_size * 2 : 64, i;
	uint32_t *t = sc_calloc(nsize, sizeof(*t));

	if (!t)
		return SC_ENOMEM;
	free(fs->table);
	fs->table = t;
	fs->table_size = nsize;
	for (i = 0; i < fs->n_members; i++)
		table_put(fs, i);
	return 0;
}

/* Add or replace (a later member of the same name wins, as when extracting). */
static int add_member(sc_fileset *fs, const member *m)
{
	ssize_t at = table_find(fs, m->name);
	int rc;

	if (at >= 0) {
		fs->members[at] = *m;
		return 0;
	}
	if (fs->n_members >= SC_ARCHIVE_MAX_MEMBERS)
		return sc_error_set(SC_ELIMIT, "archive %s has more than %u members", fs->name,
				    SC_ARCHIVE_MAX_MEMBERS);
	if (fs->n_members == fs->cap_members) {
		size_t ncap = fs->cap_members ? fs->cap_members * 2 : 64;
		member *nm = sc_reallocarray(fs->members, ncap, sizeof(*nm));

		if (!nm)
			return SC_ENOMEM;
		fs->members = nm;
		fs->cap_members = ncap;
	}
	fs->members[fs->n_members++] = *m;
	if ((fs->n_members) * 2 > fs->table_size) {
		if ((rc = table_grow(fs)) != 0) {
			fs->n_members--;
			return rc;
		}
	} else {
		table_put(fs, fs->n_members - 1);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Tar variant: header parsing                                        */
/* ------------------------------------------------------------------ */

typedef struct pending {
	/* from pax 'x' or GNU 'L'/'K' headers; apply to the next entry */
	char *path;
	char *linkpath;
	uint64_t size;
	int has_size;
} pending;

static void pending_reset(pending *p)
{
	free(p->path);
	free(p->linkpath);
	memset(p, 0, sizeof(*p));
}

static int pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 1; /* short */
		got += (size_t)n;
	}
	return 0;
}

/* Octal number field (leading spaces, terminated by NUL/space) or GNU base-256. */
static int parse_number(const unsigned char *f, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (f[0] & 0x80) {
		if (f[0] == 0xff)
			return -1; /* negative */
		v = f[0] & 0x7f;
		for (i = 1; i < len; i++) {
			if (v > (UINT64_MAX >> 8))
				return -1;
			v = (v << 8) | f[i];
		}
		*out = v;
		return 0;
	}
	while (i < len && f[i] == ' ')
		i++;
	for (; i < len; i++) {
		if (f[i] == '\0' || f[i] == ' ')
			break;
		if (f[i] < '0' || f[i] > '7')
			return -1;
		if (v > (UINT64_MAX >> 3))
			return -1;
		v = (v << 3) | (uint64_t)(f[i] - '0');
	}
	for (; i < len; i++)
		if (f[i] != '\0' && f[i] != ' ')
			return -1;
	*out = v;
	return 0;
}

static int checksum_ok(const unsigned char *h)
{
	uint64_t want;
	unsigned long su = 0;
	long ss = 0;
	size_t i;

	if (parse_number(h + 148, 8, &want) != 0)
		return 0;
	for (i = 0; i < TAR_BLOCK; i++) {
		unsigned char c = (i >= 148 && i < 156) ? ' ' : h[i];

		su += c;
		ss += (signed char)c;
	}
	return want == su || (ss >= 0 && want == (uint64_t)ss);
}

static int is_zero_block(const unsigned char *h)
{
	size_t i;

	for (i = 0; i < TAR_BLOCK; i++)
		if (h[i])
			return 0;
	return 1;
}

/* Parse pax extended header records "LEN KEY=VALUE\n". */
static int parse_pax(sc_fileset *fs, const char *d, size_t len, pending *p, uint64_t at)
{
	size_t pos = 0;

	while (pos < len) {
		size_t rl = 0, i = pos, klen;
		const char *key, *eq, *val, *end;

		/* Trailing NUL padding ends the records. */
		if (d[pos] == '\0')
			break;
		while (i < len && d[i] >= '0' && d[i] <= '9') {
			if (rl > len)
				goto bad;
			rl = rl * 10 + (size_t)(d[i] - '0');
			i++;
		}
		if (i == pos || i >= len || d[i] != ' ' || rl > len - pos || rl < (i - pos) + 3)
			goto bad;
		end = d + pos + rl - 1; /* the '\n' */
		if (*end != '\n')
			goto bad;
		key = d + i + 1;
		eq = memchr(key, '=', (size_t)(end - key));
		if (!eq || eq == key)
			goto bad;
		klen = (size_t)(eq - key);
		val = eq + 1;
		if (klen == 4 && memcmp(key, "path", 4) == 0) {
			free(p->path);
			p->path = sc_strndup(val, (size_t)(end - val));
			if (!p->path)
				return SC_ENOMEM;
		} else if (klen == 8 && memcmp(key, "linkpath", 8) == 0) {
			free(p->linkpath);
			p->linkpath = sc_strndup(val, (size_t)(end - val));
			if (!p->linkpath)
				return SC_ENOMEM;
		} else if (klen == 4 && memcmp(key, "size", 4) == 0) {
			uint64_t v = 0;
			const char *q;

			if (val == end)
				goto bad;
			for (q = val; q < end; q++) {
				if (*q < '0' || *q > '9' || v > (UINT64_MAX - 9) / 10)
					goto bad;
				v = v * 10 + (uint64_t)(*q - '0');
			}
			p->size = v;
			p->has_size = 1;
		}
		pos += rl;
	}
	return 0;
bad:
	return sc_error_set(SC_EINPUT, "archive %s: malformed pax header at offset %llu", fs->name,
			    (unsigned long long)at);
}

/* NUL-terminated copy of a fixed-size header field. */
static void field_str(char *out, const unsigned char *f, size_t len)
{
	size_t n = 0;

	while (n < len && f[n])
		n++;
	memcpy(out, f, n);
	out[n] = '\0';
}

static int tar_index(sc_fileset *fs, uint64_t file_size)
{
	unsigned char h[TAR_BLOCK];
	uint64_t pos = 0;
	pending p = { 0 };
	char *ext = NULL;
	int rc = 0, zeros = 0;

	for (;;) {
		uint64_t size, padded;
		char type;
		int r;

		if (pos == file_size)
			break; /* tolerate a missing end-of-archive marker */
		if (file_size - pos < TAR_BLOCK) {
			rc = sc_error_set(SC_EINPUT, "archive %s is truncated", fs->name);
			goto out;
		}
		r = pread_full(fs->fd, h, TAR_BLOCK, pos);
		if (r < 0) {
			rc = sc_error_set_errno(SC_EIO, -r, "cannot read archive %s", fs->name);
			goto out;
		}
		if (r > 0) {
			rc = sc_error_set(SC_EINPUT, "archive %s is truncated", fs->name);
			goto out;
		}
		if (is_zero_block(h)) {
			pos += TAR_BLOCK;
			if (++zeros == 2)
				break;
			continue;
		}
		zeros = 0;
		if (!checksum_ok(h)) {
			rc = sc_error_set(SC_EINPUT, "archive %s: bad tar header checksum at offset %llu",
					  fs->name, (unsigned long long)pos);
			goto out;
		}
		if (parse_number(h + 124, 12, &size) != 0) {
			rc = sc_error_set(SC_EINPUT, "archive %s: bad member size at offset %llu", fs->name,
					  (unsigned long long)pos);
			goto out;
		}
		type = (char)h[156];
		if (p.has_size && type != 'x' && type != 'g' && type != 'L' && type != 'K')
			size = p.size;
		pos += TAR_BLOCK;
		if (size > file_size - pos) {
			rc = sc_error_set(SC_EINPUT, "archive %s is truncated", fs->name);
			goto out;
		}
		padded = (size + (TAR_BLOCK - 1)) / TAR_BLOCK * TAR_BLOCK; /* size <= file_size: no overflow */

		if (type == 'x' || type == 'L' || type == 'K') {
			if (size > MAX_EXT_HEADER) {
				rc = sc_error_set(SC_ELIMIT, "archive %s: extended header of %llu bytes at offset %llu",
						  fs->name, (unsigned long long)size,
						  (unsigned long long)(pos - TAR_BLOCK));
				goto out;
			}
			free(ext);
			ext = sc_malloc((size_t)size + 1);
			if (!ext) {
				rc = SC_ENOMEM;
				goto out;
			}
			r = pread_full(fs->fd, ext, (size_t)size, pos);
			if (r != 0) {
				rc = r < 0 ? sc_error_set_errno(SC_EIO, -r, "cannot read archive %s", fs->name)
					   : sc_error_set(SC_EINPUT, "archive %s is truncated", fs->name);
				goto out;
			}
			ext[size] = '\0';
			if (type == 'x') {
				if ((rc = parse_pax(fs, ext, (size_t)size, &p, pos - TAR_BLOCK)) != 0)
					goto out;
			} else {
				/* GNU long name/link: NUL-terminated within the data */
				char *s = sc_strndup(ext, strlen(ext));

				if (!s) {
					rc = SC_ENOMEM;
					goto out;
				}
				if (type == 'L') {
					free(p.path);
					p.path = s;
				} else {
					free(p.linkpath);
					p.linkpath = s;
				}
			}
		} else if (type == 'g') {
			/* global pax header: nothing we use */
		} else {
			char raw[TAR_BLOCK], linkraw[101], clean[SC_PATH_MAX];
			const char *name = raw, *link = linkraw;
			unsigned flags = 0;
			member m = { 0 };

			if (p.path) {
				name = p.path;
			} else if (memcmp(h + 257, "ustar\0", 6) == 0 && h[345]) {
				/* POSIX ustar: prefix "/" name */
				char pre[156], nm[101];

				field_str(pre, h + 345, 155);
				field_str(nm, h, 100);
				snprintf(raw, sizeof(raw), "%s/%s", pre, nm);
			} else {
				field_str(raw, h, 100);
			}
			if (p.linkpath)
				link = p.linkpath;
			else
				field_str(linkraw, h + 157, 100);

			if (type == '0' || type == '\0' || type == '7')
				m.type = M_FILE;
			else if (type == '2')
				m.type = M_SYMLINK;
			else if (type == '1')
				m.type = M_HARDLINK;
			/* Names that are too long, escape the root or are the root are skipped. */
			if (m.type && strlen(name) < SC_PATH_MAX &&
			    sc_path_clean(clean, sizeof(clean), name, &flags) == 0 &&
			    !(flags & SC_PATH_ESCAPES) && clean[0]) {
				m.name = sc_arena_strdup(&fs->arena, clean);
				if (!m.name) {
					rc = SC_ENOMEM;
					goto out;
				}
				m.offset = pos;
				m.size = size;
				if (m.type != M_FILE) {
					m.size = 0;
					m.link = sc_arena_strdup(&fs->arena, link);
					if (!m.link) {
						rc = SC_ENOMEM;
						goto out;
					}
				}
				if ((rc = add_member(fs, &m)) != 0)
					goto out;
			}
			pending_reset(&p);
		}
		pos += padded;
		if (pos > file_size) /* last member's padding missing */
			pos = file_size;
	}
out:
	pending_reset(&p);
	free(ext);
	return rc;
}

static int sniff_compressed(const unsigned char *b, size_t n)
{
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return 1;
	if (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
		return 1;
	if (n >= 6 && memcmp(b, "\xfd" "7zXZ\0", 6) == 0)
		return 1;
	if (n >= 3 && memcmp(b, "BZh", 3) == 0)
		return 1;
	return 0;
}

int sc_fileset_open_tar_fd(sc_fileset **out, int fd, const char *name)
{
	sc_fileset *fs = NULL;
	struct stat st;
	unsigned char magic[6];
	ssize_t n;
	int rc = 0;

	if (!name)
		name = "archive";
	if (fstat(fd, &st) != 0)
		return sc_error_set_errno(SC_EIO, errno, "cannot stat archive %s", name);
	if (!S_ISREG(st.st_mode))
		return sc_error_set(SC_EINPUT, "archive %s is not a regular file", name);
	fs = fileset_new(FS_TAR, name);
	if (!fs)
		return SC_ENOMEM;
	fs->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (fs->fd < 0) {
		rc = sc_error_set_errno(SC_EIO, errno, "cannot duplicate descriptor of archive %s", name);
		goto out;
	}
	do {
		n = pread(fs->fd, magic, sizeof(magic), 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		rc = sc_error_set_errno(SC_EIO, errno, "cannot read archive %s", name);
		goto out;
	}
	if (sniff_compressed(magic, (size_t)n)) {
		rc = sc_error_set(SC_EUNSUPPORTED, "compressed archives are not supported; decompress %s first",
				  name);
		goto out;
	}
	if ((rc = tar_index(fs, (uint64_t)st.st_size)) != 0)
		goto out;
	*out = fs;
	fs = NULL;
out:
	sc_fileset_free(fs);
	return rc;
}

int sc_fileset_open_tar(sc_fileset **out, const char *file)
{
	int fd, rc;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer (it is then rejected as not regular). */
	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;

		if (e == ENOENT)
			return sc_error_set(SC_ENOTFOUND, "archive %s does not exist", file);
		return sc_error_set_errno(SC_EIO, e, "cannot open archive %s", file);
	}
	rc = sc_fileset_open_tar_fd(out, fd, file);
	close(fd);
	return rc;
}

/* Resolve a clean name to a regular-file member, following links. */
static int tar_lookup(const sc_fileset *fs, const char *orig, const char *clean, const member **out)
{
	char cur[SC_PATH_MAX], next[SC_PATH_MAX];
	int hops;

	snprintf(cur, sizeof(cur), "%s", clean);
	for (hops = 0; hops <= MAX_LINK_HOPS; hops++) {
		ssize_t i = table_find(fs, cur);
		const member *m;
		unsigned flags = 0;
		int rc;

		if (i < 0)
			return sc_error_set(SC_ENOTFOUND, "'%s' not found in %s", orig, fs->name);
		m = &fs->members[i];
		if (m->type == M_FILE) {
			*out = m;
			return 0;
		}
		if (m->type == M_SYMLINK) {
			size_t dl;
			const char *base;
			char dir[SC_PATH_MAX];

			sc_path_split(m->name, &dl, &base);
			memcpy(dir, m->name, dl);
			dir[dl] = '\0';
			rc = sc_path_join(next, sizeof(next), dir, m->link, &flags);
		} else {
			rc = sc_path_clean(next, sizeof(next), m->link, &flags);
		}
		if (rc)
			return rc;
		if ((flags & SC_PATH_ESCAPES) || !next[0])
			return sc_error_set(SC_EINPUT, "'%s' in %s links outside the archive", orig, fs->name);
		memcpy(cur, next, sizeof(cur));
	}
	return sc_error_set(SC_EINPUT, "'%s' in %s: more than %d levels of links", orig, fs->name,
			    MAX_LINK_HOPS);
}

/* ------------------------------------------------------------------ */
/* Common API                                                         */
/* ------------------------------------------------------------------ */

int sc_fileset_stat(sc_fileset *fs, const char *name, uint64_t *size_out)
{
	char clean[SC_PATH_MAX];
	const member *m;
	int rc, fd;
	uint64_t size;

	if (fs->kind == FS_DIR) {
		if ((rc = dir_open(fs, name, &fd, &size)) != 0)
			return rc;
		close(fd);
		if (size_out)
			*size_out = size;
		return 0;
	}
	if ((rc = clean_name(fs, name, clean)) != 0)
		return rc;
	if ((rc = tar_lookup(fs, name, clean, &m)) != 0)
		return rc;
	if (size_out)
		*size_out = m->size;
	return 0;
}

int sc_fileset_open(sc_fileset *fs, const char *name, sc_stream **out, uint64_t *size_out)
{
	char clean[SC_PATH_MAX];
	const member *m;
	sc_stream *s;
	int rc, fd;
	uint64_t size;

	if (fs->kind == FS_DIR) {
		if ((rc = dir_open(fs, name, &fd, &size)) != 0)
			return rc;
		if ((rc = sc_stream_fd_new(&s, fd, 1, 0, size)) != 0) {
			close(fd);
			return rc;
		}
	} else {
		if ((rc = clean_name(fs, name, clean)) != 0)
			return rc;
		if ((rc = tar_lookup(fs, name, clean, &m)) != 0)
			return rc;
		size = m->size;
		if ((rc = sc_stream_fd_new(&s, fs->fd, 0, m->offset, m->size)) != 0)
			return rc;
	}
	*out = s;
	if (size_out)
		*size_out = size;
	return 0;
}

int sc_fileset_read(sc_fileset *fs, const char *name, size_t max, sc_buf *out)
{
	sc_stream *s = NULL;
	uint64_t size;
	int rc;

	if ((rc = sc_fileset_open(fs, name, &s, &size)) != 0)
		return rc;
	if (size > max) {
		rc = sc_error_set(SC_ELIMIT, "'%s' in %s is %llu bytes, limit is %zu", name, fs->name,
				  (unsigned long long)size, max);
		goto out;
	}
	{
		char what[600];

		snprintf(what, sizeof(what), "'%s' in %s", name, fs->name);
		rc = sc_stream_read_all(s, out, max, what);
		if (rc && rc != SC_ELIMIT)
			sc_error_prefix(rc, "%s", what);
	}
out:
	sc_stream_close(s);
	return rc;
}
