/*
 * catalog.c - the catalog container and the catalogers' single pass; see
 * catalog.h.
 */
#include "catalog/catalog.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INTERESTS 64
#define MAX_NOTES 10000

static const sc_cataloger *const catalogers[] = {
	&sc_cataloger_os,     &sc_cataloger_dpkg, &sc_cataloger_apk,    &sc_cataloger_rpm,
	&sc_cataloger_python, &sc_cataloger_npm,  &sc_cataloger_gobin,  &sc_cataloger_elf,
	&sc_cataloger_models, &sc_cataloger_aistack,
};

const char *sc_ecosystem_name(sc_ecosystem e)
{
	switch (e) {
	case SC_ECO_DEB: return "deb";
	case SC_ECO_APK: return "apk";
	case SC_ECO_RPM: return "rpm";
	case SC_ECO_PYPI: return "pypi";
	case SC_ECO_NPM: return "npm";
	case SC_ECO_GOLANG: return "golang";
	case SC_ECO_BINARY: return "binary";
	}
	return "unknown";
}

void sc_catalog_init(sc_catalog *cat)
{
	memset(cat, 0, sizeof(*cat));
}

static void os_release(sc_os_info *o)
{
	free(o->id);
	free(o->version_id);
	free(o->codename);
	free(o->pretty_name);
	free(o->source);
	memset(o, 0, sizeof(*o));
}

int sc_kv_list_add(sc_kv_list *l, const char *key, const char *value)
{
	sc_kv *kv;

	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 8;
		sc_kv *ni = sc_reallocarray(l->items, ncap, sizeof(*ni));

		if (!ni)
			return SC_ENOMEM;
		l->items = ni;
		l->cap = ncap;
	}
	kv = &l->items[l->n];
	kv->key = sc_strdup(key);
	kv->value = sc_strdup(value ? value : "");
	if (!kv->key || !kv->value) {
		free(kv->key);
		free(kv->value);
		return SC_ENOMEM;
	}
	l->n++;
	return 0;
}

void sc_kv_list_release(sc_kv_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->items[i].key);
		free(l->items[i].value);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

const char *sc_kv_list_get(const sc_kv_list *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->items[i].key, key) == 0)
			return l->items[i].value;
	return NULL;
}

static int kv_copy(sc_kv_list *dst, const sc_kv_list *src)
{
	size_t i;
	int rc;

	memset(dst, 0, sizeof(*dst));
	for (i = 0; i < src->n; i++)
		if ((rc = sc_kv_list_add(dst, src->items[i].key, src->items[i].value)) != 0)
			return rc;
	return 0;
}

static int dup_opt(char **out, const char *s)
{
	*out = NULL;
	if (!s)
		return 0;
	*out = sc_strdup(s);
	return *out ? 0 : SC_ENOMEM;
}

static int strv_copy(char ***out, char *const *v)
{
	size_t n, i;
	char **c;

	*out = NULL;
	if (!v)
		return 0;
	n = sc_strv_len(v);
	c = sc_calloc(n + 1, sizeof(*c));
	if (!c)
		return SC_ENOMEM;
	for (i = 0; i < n; i++) {
		c[i] = sc_strdup(v[i]);
		if (!c[i]) {
			sc_strv_free(c);
			return SC_ENOMEM;
		}
	}
	*out = c;
	return 0;
}

void sc_package_release(sc_package *p)
{
	free(p->name);
	free(p->version);
	free(p->arch);
	free(p->source_name);
	free(p->source_version);
	free(p->license);
	free(p->supplier);
	free(p->summary);
	free(p->location);
	sc_strv_free(p->depends);
	sc_strv_free(p->files);
	sc_kv_list_release(&p->props);
	memset(p, 0, sizeof(*p));
}

static void elf_release(sc_elf_info *e)
{
	free(e->path);
	free(e->soname);
	sc_strv_free(e->needed);
	free(e->rpath);
	free(e->runpath);
	free(e->interp);
	free(e->machine);
	memset(e, 0, sizeof(*e));
}

static void model_release(sc_model_file *m)
{
	free(m->path);
	free(m->format);
	free(m->architecture);
	free(m->quantization);
	sc_kv_list_release(&m->props);
	memset(m, 0, sizeof(*m));
}

void sc_catalog_release(sc_catalog *cat)
{
	size_t i;

	if (!cat)
		return;
	os_release(&cat->os);
	for (i = 0; i < cat->n_pkgs; i++)
		sc_package_release(&cat->pkgs[i]);
	free(cat->pkgs);
	for (i = 0; i < cat->n_elves; i++)
		elf_release(&cat->elves[i]);
	free(cat->elves);
	for (i = 0; i < cat->n_models; i++)
		model_release(&cat->models[i]);
	free(cat->models);
	for (i = 0; i < cat->n_notes; i++) {
		free(cat->notes[i].cataloger);
		free(cat->notes[i].path);
		free(cat->notes[i].message);
	}
	free(cat->notes);
	memset(cat, 0, sizeof(*cat));
}

/* Grow an array of `size`-byte items to hold one more. */
static int reserve(void **arr, size_t *cap, size_t n, size_t size)
{
	void *na;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	na = sc_reallocarray(*arr, ncap, size);
	if (!na)
		return SC_ENOMEM;
	*arr = na;
	*cap = ncap;
	return 0;
}

int sc_catalog_add_package(sc_catalog *cat, const sc_package *p, sc_package **out)
{
	sc_package c;
	int rc;

	if ((rc = reserve((void **)&cat->pkgs, &cat->cap_pkgs, cat->n_pkgs, sizeof(*cat->pkgs))) != 0)
		return rc;
	memset(&c, 0, sizeof(c));
	c.eco = p->eco;
	c.installed_size = p->installed_size;
	c.os_managed = p->os_managed;
	if ((rc = dup_opt(&c.name, p->name ? p->name : "")) || (rc = dup_opt(&c.version, p->version)) ||
	    (rc = dup_opt(&c.arch, p->arch)) || (rc = dup_opt(&c.source_name, p->source_name)) ||
	    (rc = dup_opt(&c.source_version, p->source_version)) || (rc = dup_opt(&c.license, p->license)) ||
	    (rc = dup_opt(&c.supplier, p->supplier)) || (rc = dup_opt(&c.summary, p->summary)) ||
	    (rc = dup_opt(&c.location, p->location)) || (rc = strv_copy(&c.depends, p->depends)) ||
	    (rc = strv_copy(&c.files, p->files)) || (rc = kv_copy(&c.props, &p->props))) {
		sc_package_release(&c);
		return rc;
	}
	cat->pkgs[cat->n_pkgs] = c;
	if (out)
		*out = &cat->pkgs[cat->n_pkgs];
	cat->n_pkgs++;
	return 0;
}

int sc_catalog_add_elf(sc_catalog *cat, const sc_elf_info *e)
{
	sc_elf_info c;
	int rc;

	if ((rc = reserve((void **)&cat->elves, &cat->cap_elves, cat->n_elves, sizeof(*cat->elves))) != 0)
		return rc;
	memset(&c, 0, sizeof(c));
	c.is_shared = e->is_shared;
	c.is_executable = e->is_executable;
	c.packaged = e->packaged;
	if ((rc = dup_opt(&c.path, e->path)) || (rc = dup_opt(&c.soname, e->soname)) ||
	    (rc = strv_copy(&c.needed, e->needed)) || (rc = dup_opt(&c.rpath, e->rpath)) ||
	    (rc = dup_opt(&c.runpath, e->runpath)) || (rc = dup_opt(&c.interp, e->interp)) ||
	    (rc = dup_opt(&c.machine, e->machine))) {
		elf_release(&c);
		return rc;
	}
	cat->elves[cat->n_elves++] = c;
	return 0;
}

int sc_catalog_add_model(sc_catalog *cat, const sc_model_file *m, sc_model_file **out)
{
	sc_model_file c;
	int rc;

	if ((rc = reserve((void **)&cat->models, &cat->cap_models, cat->n_models, sizeof(*cat->models))) != 0)
		return rc;
	memset(&c, 0, sizeof(c));
	c.size = m->size;
	c.sha256 = m->sha256;
	c.pickle_based = m->pickle_based;
	c.parameters = m->parameters;
	if ((rc = dup_opt(&c.path, m->path)) || (rc = dup_opt(&c.format, m->format)) ||
	    (rc = dup_opt(&c.architecture, m->architecture)) || (rc = dup_opt(&c.quantization, m->quantization)) ||
	    (rc = kv_copy(&c.props, &m->props))) {
		model_release(&c);
		return rc;
	}
	cat->models[cat->n_models] = c;
	if (out)
		*out = &cat->models[cat->n_models];
	cat->n_models++;
	return 0;
}

int sc_catalog_note(sc_catalog *cat, sc_note_level level, const char *cataloger, const char *path,
		    const char *fmt, ...)
{
	sc_note n;
	char msg[512];
	va_list ap;
	size_t i;
	int rc;

	if (cat->n_notes >= MAX_NOTES)
		return 0; /* bounded: the first MAX_NOTES problems are enough */
	if ((rc = reserve((void **)&cat->notes, &cat->cap_notes, cat->n_notes, sizeof(*cat->notes))) != 0)
		return rc;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (i = 0; msg[i]; i++)
		if ((unsigned char)msg[i] < 0x20)
			msg[i] = ' ';
	memset(&n, 0, sizeof(n));
	n.level = level;
	if ((rc = dup_opt(&n.cataloger, cataloger)) || (rc = dup_opt(&n.path, path)) ||
	    (rc = dup_opt(&n.message, msg))) {
		free(n.cataloger);
		free(n.path);
		free(n.message);
		return rc;
	}
	cat->notes[cat->n_notes++] = n;
	return 0;
}

static int nz_cmp(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int pkg_cmp(const void *x, const void *y)
{
	const sc_package *a = x, *b = y;
	int c;

	if (a->eco != b->eco)
		return a->eco < b->eco ? -1 : 1;
	if ((c = nz_cmp(a->name, b->name)) != 0)
		return c;
	if ((c = nz_cmp(a->version, b->version)) != 0)
		return c;
	if ((c = nz_cmp(a->arch, b->arch)) != 0)
		return c;
	return nz_cmp(a->location, b->location);
}

static int elf_cmp(const void *x, const void *y)
{
	return nz_cmp(((const sc_elf_info *)x)->path, ((const sc_elf_info *)y)->path);
}

static int model_cmp(const void *x, const void *y)
{
	return nz_cmp(((const sc_model_file *)x)->path, ((const sc_model_file *)y)->path);
}

static int note_cmp(const void *x, const void *y)
{
	const sc_note *a = x, *b = y;
	int c = nz_cmp(a->path, b->path);

	return c ? c : nz_cmp(a->message, b->message);
}

static int str_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

int sc_catalog_finish(sc_catalog *cat)
{
	size_t i, k, n_owned = 0;
	char **owned = NULL;

	/* qsort(NULL, 0, ...) is undefined behaviour: sort only what exists. */
	if (cat->n_pkgs)
		qsort(cat->pkgs, cat->n_pkgs, sizeof(*cat->pkgs), pkg_cmp);
	if (cat->n_elves)
		qsort(cat->elves, cat->n_elves, sizeof(*cat->elves), elf_cmp);
	if (cat->n_models)
		qsort(cat->models, cat->n_models, sizeof(*cat->models), model_cmp);
	if (cat->n_notes)
		qsort(cat->notes, cat->n_notes, sizeof(*cat->notes), note_cmp);
	for (i = 0; i < cat->n_pkgs; i++)
		n_owned += sc_strv_len(cat->pkgs[i].files);
	if (!n_owned || !cat->n_elves)
		return 0;
	owned = sc_calloc(n_owned, sizeof(*owned));
	if (!owned)
		return SC_ENOMEM;
	n_owned = 0;
	for (i = 0; i < cat->n_pkgs; i++)
		for (k = 0; cat->pkgs[i].files && cat->pkgs[i].files[k]; k++)
			owned[n_owned++] = cat->pkgs[i].files[k];
	qsort(owned, n_owned, sizeof(*owned), str_cmp);
	for (i = 0; i < cat->n_elves; i++) {
		const char *p = cat->elves[i].path;

		if (bsearch(&p, owned, n_owned, sizeof(*owned), str_cmp))
			cat->elves[i].packaged = 1;
	}
	free(owned);
	return 0;
}

int sc_catalog_interests(const sc_interest **out, size_t *n, size_t max)
{
	size_t i, k;

	for (i = 0; i < sizeof(catalogers) / sizeof(catalogers[0]); i++)
		for (k = 0; catalogers[i]->interests && catalogers[i]->interests[k]; k++) {
			if (*n >= max)
				return sc_error_set(SC_EINTERNAL, "too many cataloger interests");
			out[(*n)++] = catalogers[i]->interests[k];
		}
	return 0;
}

int sc_catalog_collect(sc_catalog *cat, const sc_fsview *view)
{
	size_t i;
	int rc;

	for (i = 0; i < sizeof(catalogers) / sizeof(catalogers[0]); i++) {
		if (!catalogers[i]->collect)
			continue;
		if ((rc = catalogers[i]->collect(view, cat)) != 0)
			return sc_error_prefix(rc, "%s cataloger", catalogers[i]->name);
	}
	return sc_catalog_finish(cat);
}

int sc_catalog_run(sc_catalog *cat, sc_image *img, const sc_catalog_opts *opts, sc_scan *scan_out)
{
	const sc_interest *all[MAX_INTERESTS * 4];
	size_t n = 0;
	sc_scan_opts so = opts->scan;
	sc_scan scan;
	int rc;

	/* The caller's own interests come first. */
	if (opts->scan.n_interests > MAX_INTERESTS * 3)
		return sc_error_set(SC_EINTERNAL, "too many interests");
	if (opts->scan.n_interests)
		memcpy(all, opts->scan.interests, opts->scan.n_interests * sizeof(*all));
	n = opts->scan.n_interests;
	if ((rc = sc_catalog_interests(all, &n, sizeof(all) / sizeof(all[0]))) != 0)
		return rc;
	so.interests = all;
	so.n_interests = n;
	if ((rc = sc_image_scan(&scan, img, &so)) != 0)
		return rc;
	if ((rc = sc_catalog_collect(cat, scan.view)) != 0) {
		sc_scan_release(&scan);
		return rc;
	}
	if (scan_out)
		*scan_out = scan;
	else
		sc_scan_release(&scan);
	return 0;
}
