/*
 * path.h - lexical path handling for paths inside an image.
 *
 * Image paths are stored without a leading slash ("usr/bin/sh"); the root
 * is "".  Nothing here touches the host filesystem.
 */
#ifndef SC_CORE_PATH_H
#define SC_CORE_PATH_H

#include <stddef.h>

#define SC_PATH_MAX 4096

enum {
	SC_PATH_ABSOLUTE = 1, /* input started with '/' */
	SC_PATH_ESCAPES = 2,  /* a '..' climbed above the root */
};

/*
 * Normalise `in` lexically: drop "./", empty components and trailing
 * slashes, apply "..".  Result has no leading slash; "" is the root.
 * *flags gets SC_PATH_* bits describing the input.  Fails with SC_ELIMIT
 * when the result would not fit in outsz.
 */
int sc_path_clean(char *out, size_t outsz, const char *in, unsigned *flags);

/* Join a directory and a relative path (then clean).  Same flags as above. */
int sc_path_join(char *out, size_t outsz, const char *dir, const char *rel, unsigned *flags);

/* Directory part ("" for top level) and base name of a clean path. */
void sc_path_split(const char *path, size_t *dirlen, const char **base);

/* Glob match with '*', '?', '[...]' not crossing '/', and '**' crossing it. */
int sc_path_match(const char *pattern, const char *path);

#endif
