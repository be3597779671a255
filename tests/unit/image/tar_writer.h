/*
 * tar_writer.h - tiny tar writer for building test archives in C (ustar
 * headers, pax 'x' records, GNU 'L'/'K' long names, base-256 sizes, and
 * deliberately broken variants).  Test-only; header-only so each test
 * includes its own copy.
 */
#ifndef SC_TEST_TAR_WRITER_H
#define SC_TEST_TAR_WRITER_H

#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct tw_opts {
	const char *prefix; /* ustar prefix field */
	const char *link;   /* linkname field */
	int gnu_magic;      /* "ustar  \0" instead of "ustar\0" "00" */
	int base256;        /* size in GNU base-256 */
	int bad_checksum;
	uint64_t size_field; /* when non-zero, written instead of the data size */
} tw_opts;

static inline void tw_octal(unsigned char *f, size_t len, uint64_t v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%0*llo", (int)(len - 1), (unsigned long long)v);
	memcpy(f, tmp, len - 1);
	f[len - 1] = '\0';
}

static inline void tw_header(sc_buf *b, const char *name, char type, uint64_t size, const tw_opts *o)
{
	unsigned char h[512];
	unsigned sum = 0;
	size_t i;
	uint64_t sz = (o && o->size_field) ? o->size_field : size;

	memset(h, 0, sizeof(h));
	memcpy(h, name, strlen(name) > 100 ? 100 : strlen(name));
	tw_octal(h + 100, 8, 0644);
	tw_octal(h + 108, 8, 0);
	tw_octal(h + 116, 8, 0);
	if (o && o->base256) {
		h[124] = 0x80;
		for (i = 0; i < 8; i++)
			h[135 - i] = (unsigned char)(sz >> (8 * i));
	} else {
		tw_octal(h + 124, 12, sz);
	}
	tw_octal(h + 136, 12, 0);
	h[156] = (unsigned char)type;
	if (o && o->link)
		memcpy(h + 157, o->link, strlen(o->link) > 100 ? 100 : strlen(o->link));
	if (o && o->gnu_magic) {
		memcpy(h + 257, "ustar  ", 8);
	} else {
		memcpy(h + 257, "ustar", 6);
		memcpy(h + 263, "00", 2);
	}
	if (o && o->prefix)
		memcpy(h + 345, o->prefix, strlen(o->prefix) > 155 ? 155 : strlen(o->prefix));
	memset(h + 148, ' ', 8);
	for (i = 0; i < sizeof(h); i++)
		sum += h[i];
	if (o && o->bad_checksum)
		sum += 1;
	tw_octal(h + 148, 7, sum);
	h[155] = ' ';
	sc_buf_append(b, h, sizeof(h));
}

static inline void tw_data(sc_buf *b, const void *data, size_t len)
{
	static const char zero[512];

	sc_buf_append(b, data, len);
	if (len % 512)
		sc_buf_append(b, zero, 512 - len % 512);
}

static inline void tw_file_opts(sc_buf *b, const char *name, const void *data, size_t len, const tw_opts *o)
{
	tw_header(b, name, '0', len, o);
	tw_data(b, data, len);
}

static inline void tw_file(sc_buf *b, const char *name, const char *text)
{
	tw_file_opts(b, name, text, strlen(text), NULL);
}

static inline void tw_dir(sc_buf *b, const char *name)
{
	tw_header(b, name, '5', 0, NULL);
}

static inline void tw_link(sc_buf *b, const char *name, char type, const char *target)
{
	tw_opts o = { 0 };

	o.link = target;
	tw_header(b, name, type, 0, &o);
}

/* One pax 'x' header holding the given raw records. */
static inline void tw_pax(sc_buf *b, const char *records)
{
	tw_header(b, "PaxHeaders/x", 'x', strlen(records), NULL);
	tw_data(b, records, strlen(records));
}

/* A well-formed pax record "LEN key=value\n". */
static inline void tw_pax_record(char *out, size_t outsz, const char *key, const char *value)
{
	size_t body = strlen(key) + strlen(value) + 3; /* ' ' '=' '\n' */
	size_t len = body + 1, digits;

	for (;;) {
		char tmp[32];

		digits = (size_t)snprintf(tmp, sizeof(tmp), "%zu", len);
		if (body + digits == len)
			break;
		len = body + digits;
	}
	snprintf(out, outsz, "%zu %s=%s\n", len, key, value);
}

/* GNU long name ('L') or long link ('K') header. */
static inline void tw_gnu_long(sc_buf *b, char type, const char *value)
{
	tw_opts o = { 0 };

	o.gnu_magic = 1;
	tw_header(b, "././@LongLink", type, strlen(value) + 1, &o);
	tw_data(b, value, strlen(value) + 1);
}

static inline void tw_end(sc_buf *b)
{
	static const char zero[1024];

	sc_buf_append(b, zero, sizeof(zero));
}

static inline int tw_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	if (len && fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

#endif
