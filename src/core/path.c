/*
 * path.c - lexical normalisation, joining and glob matching of image paths.
 */
#include "core/path.h"
#include "core/error.h"

#include <fnmatch.h>
#include <string.h>

int sc_path_clean(char *out, size_t outsz, const char *in, unsigned *flags)
{
	size_t o = 0;
	const char *p = in;
	unsigned f = 0;

	if (outsz == 0)
		return sc_error_set(SC_ELIMIT, "path buffer too small");
	if (*p == '/')
		f |= SC_PATH_ABSOLUTE;
	while (*p) {
		const char *s;
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		s = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - s);
		if (n == 1 && s[0] == '.')
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (o == 0) {
				f |= SC_PATH_ESCAPES;
				continue;
			}
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			continue;
		}
		if (o + (o ? 1 : 0) + n + 1 > outsz)
			return sc_error_set(SC_ELIMIT, "path longer than %zu bytes: '%.64s...'", outsz - 1, in);
		if (o)
			out[o++] = '/';
		memcpy(out + o, s, n);
		o += n;
	}
	out[o] = '\0';
	if (flags)
		*flags = f;
	return 0;
}

int sc_path_join(char *out, size_t outsz, const char *dir, const char *rel, unsigned *flags)
{
	char tmp[SC_PATH_MAX * 2 + 2];
	size_t dl = strlen(dir), rl = strlen(rel);

	/* An empty dir is the root: joining must not make rel look absolute. */
	if (rel[0] == '/' || dl == 0)
		return sc_path_clean(out, outsz, rel, flags);
	if (dl + rl + 2 > sizeof(tmp))
		return sc_error_set(SC_ELIMIT, "path longer than %d bytes", SC_PATH_MAX);
	memcpy(tmp, dir, dl);
	tmp[dl] = '/';
	memcpy(tmp + dl + 1, rel, rl + 1);
	return sc_path_clean(out, outsz, tmp, flags);
}

void sc_path_split(const char *path, size_t *dirlen, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		*dirlen = 0;
		*base = path;
	} else {
		*dirlen = (size_t)(slash - path);
		*base = slash + 1;
	}
}

/* Iterative matcher: '**' matches any sequence including '/'; other parts use fnmatch per segment. */
static int match_from(const char *pat, const char *path, int budget)
{
	if (budget <= 0)
		return 0;
	while (*pat) {
		if (pat[0] == '*' && pat[1] == '*') {
			const char *rest = pat + 2;
			const char *q;

			if (*rest == '/')
				rest++;
			if (!*rest)
				return 1;
			/* Try every suffix of path that starts at a segment boundary. */
			for (q = path;; q++) {
				if ((q == path || q[-1] == '/') && match_from(rest, q, budget - 1))
					return 1;
				if (!*q)
					return 0;
			}
		} else {
			/* Match one segment with fnmatch. */
			const char *pe = strchr(pat, '/');
			const char *se = strchr(path, '/');
			size_t pl = pe ? (size_t)(pe - pat) : strlen(pat);
			size_t sl = se ? (size_t)(se - path) : strlen(path);
			char ps[512], ss[512];

			if (pl >= sizeof(ps) || sl >= sizeof(ss))
				return 0;
			memcpy(ps, pat, pl);
			ps[pl] = '\0';
			memcpy(ss, path, sl);
			ss[sl] = '\0';
			if (fnmatch(ps, ss, FNM_PERIOD * 0) != 0)
				return 0;
			pat += pl;
			path += sl;
			if (*pat == '/') {
				if (*path != '/')
					return 0;
				pat++;
				path++;
			} else if (*path) {
				return 0;
			}
		}
	}
	return *path == '\0';
}

/*
 * Cheap rejection on the last component, which every pattern but a
 * trailing "**" has: interests are matched against every file of an image,
 * and almost all of them fail here ("*.safetensors" vs "libc.so.6").
 */
static int last_component_may_match(const char *pattern, const char *path)
{
	const char *pb = strrchr(pattern, '/'), *sb = strrchr(path, '/');
	size_t pl, sl;

	pb = pb ? pb + 1 : pattern;
	sb = sb ? sb + 1 : path;
	if (strcmp(pb, "**") == 0)
		return 1;
	if (!strpbrk(pb, "*?[\\"))
		return strcmp(pb, sb) == 0;
	if (pb[0] == '*' && !strpbrk(pb + 1, "*?[\\")) {
		pl = strlen(pb + 1);
		sl = strlen(sb);
		return sl >= pl && memcmp(sb + sl - pl, pb + 1, pl) == 0;
	}
	return fnmatch(pb, sb, 0) == 0;
}

int sc_path_match(const char *pattern, const char *path)
{
	if (!last_component_may_match(pattern, path))
		return 0;
	return match_from(pattern, path, 64);
}
