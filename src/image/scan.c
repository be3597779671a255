/*
 * scan.c - parallel single pass over an image's layers; see scan.h.
 */
#include "image/scan.h"
#include "core/buf.h"
#include "core/error.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
	sc_image *img;
	const sc_scan_opts *opts;
	sc_layer *layers;
	int *done;
	sc_error_info *errs;
	int *failed;
	size_t *order;
	size_t n;
	size_t next; /* atomic index into order */
	int cancel;  /* atomic */
	uint64_t budget;
	uint64_t limit;
	uint64_t name_budget;
	uint64_t capture_budget;
} scan_ctx;

static int read_one(scan_ctx *c, size_t i)
{
	sc_image *img = c->img;
	sc_stream *blob = NULL, *counted = NULL;
	sc_layer_opts lo;
	char name[160];
	int rc;

	sc_image_layer_name(img, i, name, sizeof(name));
	memset(&lo, 0, sizeof(lo));
	lo.index = i;
	lo.name = name;
	lo.hint = sc_layer_compression(img->manifest.layers[i].media_type);
	lo.diff_id = NULL;
	/*
	 * The diff_id is checked when asked, and always when the blob digest
	 * could not be (docker-archive layers stored compressed).
	 */
	if (i < img->config.n_diff_ids &&
	    (c->opts->verify_diff_ids || !img->manifest.layers[i].digest.set))
		lo.diff_id = &img->config.diff_ids[i];
	lo.interests = c->opts->interests;
	lo.n_interests = c->opts->n_interests;
	lo.entry_budget = &c->budget;
	lo.entry_limit = c->limit;
	lo.name_budget = &c->name_budget;
	lo.name_limit = SC_DEFAULT_NAME_BYTES;
	lo.capture_budget = &c->capture_budget;
	lo.allow_devices = c->opts->allow_devices;
	lo.cancel = &c->cancel;

	if ((rc = sc_image_open_layer(img, i, &blob)) != 0)
		return sc_error_prefix(rc, "%s", name);
	if (c->opts->progress_bytes) {
		if ((rc = sc_stream_count_new(&counted, blob, c->opts->progress_bytes)) != 0) {
			sc_stream_close(blob);
			return rc;
		}
		blob = counted;
	}
	rc = sc_layer_read(&c->layers[i], blob, &lo);
	if (rc && strncmp(sc_error_msg(), "layer ", 6) != 0)
		sc_error_prefix(rc, "%s", name);
	return rc;
}

static void *worker(void *arg)
{
	scan_ctx *c = arg;

	for (;;) {
		size_t k = __atomic_fetch_add(&c->next, 1, __ATOMIC_RELAXED);
		size_t i;
		int rc;

		if (k >= c->n || __atomic_load_n(&c->cancel, __ATOMIC_RELAXED))
			break;
		i = c->order[k];
		sc_error_clear();
		rc = read_one(c, i);
		if (rc) {
			sc_error_save(&c->errs[i]);
			c->failed[i] = 1;
			if (rc != SC_ECANCELED)
				__atomic_store_n(&c->cancel, 1, __ATOMIC_RELAXED);
		} else {
			c->done[i] = 1;
		}
	}
	return NULL;
}

static const sc_image *sort_img;
static int by_size_desc(const void *a, const void *b)
{
	uint64_t x = sort_img->manifest.layers[*(const size_t *)a].size;
	uint64_t y = sort_img->manifest.layers[*(const size_t *)b].size;

	return x < y ? 1 : x > y ? -1 : 0;
}

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}

int sc_image_scan(sc_scan *out, sc_image *img, const sc_scan_opts *opts)
{
	scan_ctx c;
	size_t n = img->manifest.n_layers, i;
	unsigned jobs = opts->jobs ? opts->jobs : online_cpus();
	pthread_t *th = NULL;
	unsigned started = 0, t;
	sc_scan s;
	int rc = 0;
	static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;

	memset(&c, 0, sizeof(c));
	memset(&s, 0, sizeof(s));
	c.img = img;
	c.opts = opts;
	c.n = n;
	c.limit = opts->max_entries ? opts->max_entries : SC_DEFAULT_MAX_ENTRIES;
	c.budget = c.limit;
	c.name_budget = SC_DEFAULT_NAME_BYTES;
	c.capture_budget = SC_DEFAULT_CAPTURE_BYTES;
	c.layers = sc_calloc(n ? n : 1, sizeof(*c.layers));
	c.done = sc_calloc(n ? n : 1, sizeof(*c.done));
	c.failed = sc_calloc(n ? n : 1, sizeof(*c.failed));
	c.errs = sc_calloc(n ? n : 1, sizeof(*c.errs));
	c.order = sc_calloc(n ? n : 1, sizeof(*c.order));
	s.layers = sc_calloc(n ? n : 1, sizeof(*s.layers));
	if (!c.layers || !c.done || !c.failed || !c.errs || !c.order || !s.layers) {
		rc = SC_ENOMEM;
		goto out;
	}
	s.n_layers = n;
	for (i = 0; i < n; i++)
		c.order[i] = i;
	pthread_mutex_lock(&sort_lock);
	sort_img = img;
	qsort(c.order, n, sizeof(*c.order), by_size_desc);
	pthread_mutex_unlock(&sort_lock);

	if (jobs > n)
		jobs = (unsigned)n;
	if (jobs <= 1) {
		worker(&c);
	} else {
		th = sc_calloc(jobs, sizeof(*th));
		if (!th) {
			rc = SC_ENOMEM;
			goto out;
		}
		for (t = 0; t < jobs; t++) {
			if (pthread_create(&th[t], NULL, worker, &c) != 0)
				break;
			started++;
		}
		if (started == 0)
			worker(&c);
		for (t = 0; t < started; t++)
			pthread_join(th[t], NULL);
	}
	/* Report the lowest layer's real error (not a cancellation). */
	for (i = 0; i < n; i++) {
		if (c.failed[i] && c.errs[i].code != SC_ECANCELED) {
			rc = sc_error_restore(&c.errs[i]);
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		if (!c.done[i]) {
			rc = c.failed[i] ? sc_error_restore(&c.errs[i])
					 : sc_error_set(SC_EINTERNAL, "layer %zu was not read", i + 1);
			goto out;
		}
	}
	if ((rc = sc_fsview_new(&s.view)) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		sc_layer *l = &c.layers[i];
		sc_layer_stats *st = &s.layers[i];
		size_t k;
		char name[160];

		st->compression = l->compression;
		st->compressed_size = l->compressed_size;
		st->uncompressed_size = l->uncompressed_size;
		st->diff_id = l->diff_id;
		st->n_entries = l->n_entries;
		st->n_files = l->n_files;
		for (k = 0; k < l->n_entries; k++)
			if (l->entries[k].type == SC_FT_WHITEOUT || l->entries[k].type == SC_FT_OPAQUE)
				st->n_whiteouts++;
		sc_image_layer_name(img, i, name, sizeof(name));
		if ((rc = sc_fsview_apply(s.view, l, name)) != 0)
			goto out;
	}
	if ((rc = sc_fsview_check_symlinks(s.view)) != 0)
		goto out;
	*out = s;
	memset(&s, 0, sizeof(s));
out:
	if (c.layers)
		for (i = 0; i < n; i++)
			sc_layer_release(&c.layers[i]);
	free(c.layers);
	free(c.done);
	free(c.failed);
	free(c.errs);
	free(c.order);
	free(th);
	sc_scan_release(&s);
	return rc;
}

void sc_scan_release(sc_scan *s)
{
	if (!s)
		return;
	sc_fsview_free(s->view);
	free(s->layers);
	memset(s, 0, sizeof(*s));
}
