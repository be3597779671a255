/*
 * importtest.h - helpers for the importer tests: an emit callback that
 * renders every record as text (touching every field, so a dangling
 * pointer shows under ASan), and lookups by id for exact comparisons.
 *
 * Rendering (fields absent or NULL are left out):
 *   id=ID
 *   summary=... details=... published=... modified=... withdrawn severity=...
 *   cvss_v2=... cvss_v3=... cvss_v4=...        (one per line)
 *   alias=A                                     (one line each)
 *   ref=URL
 *   affected=ECO|RELEASE|NAME|STATUS|SEVERITY   (RELEASE/SEVERITY "-" when NULL)
 *    range=ECOSYSTEM|SEMVER|GIT i:0 f:1.2 l:.. m:..
 *    versions=1.0 1.1
 * Lines end with '\n'.
 */
#ifndef SC_TEST_IMPORTTEST_H
#define SC_TEST_IMPORTTEST_H

#include "core/buf.h"
#include "core/error.h"
#include "vuln/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct it_rec {
	char *id;
	char *text;
} it_rec;

typedef struct it_sink {
	it_rec *recs;
	size_t n, cap;
	int fail_after;   /* > 0: return fail_rc from the callback once fail_after records were taken */
	int fail_rc;
} it_sink;

static inline void it_line(sc_buf *b, const char *key, const char *v)
{
	if (v)
		sc_buf_printf(b, "%s=%s\n", key, v);
}

static inline const char *it_range_type(sc_range_type t)
{
	return t == SC_RANGE_ECOSYSTEM ? "ECOSYSTEM" : t == SC_RANGE_SEMVER ? "SEMVER" : t == SC_RANGE_GIT ? "GIT" : "?";
}

static inline char *it_render(const sc_vuln_record *r)
{
	sc_buf b;
	size_t i, k, e;

	sc_buf_init(&b, 64u << 20, "record text");
	it_line(&b, "id", r->id);
	it_line(&b, "summary", r->summary);
	it_line(&b, "details", r->details);
	it_line(&b, "published", r->published);
	it_line(&b, "modified", r->modified);
	if (r->withdrawn)
		sc_buf_puts(&b, "withdrawn\n");
	it_line(&b, "severity", r->severity);
	it_line(&b, "cvss_v2", r->cvss_v2);
	it_line(&b, "cvss_v3", r->cvss_v3);
	it_line(&b, "cvss_v4", r->cvss_v4);
	for (i = 0; i < r->n_aliases; i++)
		it_line(&b, "alias", r->aliases[i]);
	for (i = 0; i < r->n_references; i++)
		it_line(&b, "ref", r->references[i]);
	for (i = 0; i < r->n_affected; i++) {
		const sc_vuln_affected *a = &r->affected[i];

		sc_buf_printf(&b, "affected=%s|%s|%s|%s|%s\n", a->ecosystem, a->release ? a->release : "-", a->name,
			      sc_vuln_status_name(a->status), a->severity ? a->severity : "-");
		for (k = 0; k < a->n_ranges; k++) {
			sc_buf_printf(&b, " range=%s", it_range_type(a->ranges[k].type));
			for (e = 0; e < a->ranges[k].n_events; e++)
				sc_buf_printf(&b, " %c:%s", (char)a->ranges[k].events[e].kind,
					      a->ranges[k].events[e].version);
			sc_buf_putc(&b, '\n');
		}
		if (a->n_versions) {
			sc_buf_puts(&b, " versions=");
			for (k = 0; k < a->n_versions; k++)
				sc_buf_printf(&b, "%s%s", k ? " " : "", a->versions[k]);
			sc_buf_putc(&b, '\n');
		}
	}
	return sc_buf_detach(&b, NULL);
}

static inline int it_emit(void *ud, const sc_vuln_record *r)
{
	it_sink *s = ud;

	if (s->fail_after > 0 && s->n >= (size_t)s->fail_after)
		return s->fail_rc;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->recs = realloc(s->recs, s->cap * sizeof(*s->recs));
		if (!s->recs)
			abort();
	}
	s->recs[s->n].id = strdup(r->id);
	s->recs[s->n].text = it_render(r);
	if (!s->recs[s->n].id || !s->recs[s->n].text)
		abort();
	s->n++;
	return 0;
}

static inline const char *it_find(const it_sink *s, const char *id)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->recs[i].id, id) == 0)
			return s->recs[i].text;
	return NULL;
}

/* The text of record `id`, compared in full; a missing record fails. */
#define it_assert_rec(sink, rid, want)                                                       \
	do {                                                                                 \
		const char *got_ = it_find((sink), (rid));                                   \
		if (!got_)                                                                   \
			fail_msg("record %s was not emitted", (rid));                        \
		if (strcmp(got_, (want)) != 0)                                               \
			fail_msg("record %s:\n--- got\n%s--- want\n%s", (rid), got_, (want)); \
	} while (0)

static inline void it_sink_release(it_sink *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->recs[i].id);
		free(s->recs[i].text);
	}
	free(s->recs);
	memset(s, 0, sizeof(*s));
}

/* 1 when some warning contains `needle`. */
static inline int it_warned(const sc_import_stats *st, const char *needle)
{
	size_t i;

	for (i = 0; i < st->n_warnings; i++)
		if (strstr(st->warnings[i], needle))
			return 1;
	return 0;
}

/* SCUTE_SOURCE_ROOT/rel into out (fails the test when unset). */
static inline void it_path(char *out, size_t outsz, const char *rel)
{
	const char *root = getenv("SCUTE_SOURCE_ROOT");

	if (!root)
		fail_msg("SCUTE_SOURCE_ROOT is not set");
	snprintf(out, outsz, "%s/%s", root, rel);
}

/* Read a whole file (abort on failure); *len gets its size. */
static inline char *it_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, k;

	if (!f)
		fail_msg("cannot open %s", path);
	for (;;) {
		if (n + 1 >= cap) {
			cap = cap ? cap * 2 : 65536;
			if (!(buf = realloc(buf, cap)))
				abort();
		}
		k = fread(buf + n, 1, cap - n - 1, f);
		if (k == 0)
			break;
		n += k;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

#endif
