/*
 * content.c - the content pass; see content.h and docs/materialize.md.
 *
 * Every wanted file is a `want`: the group leader the sink gets, the size
 * the view expects, and where its bytes are.  The pass runs in rounds; a
 * round reads, in parallel, every layer that holds a wanted member and
 * streams those members to the sink through one sc_interest per layer read
 * whose stream_begin binary-searches (layer, seq) in the sorted wants.
 *
 * A wanted member that turns out to be a tar hard link (the merged view
 * made it a regular file because a later layer deleted its target) has no
 * bytes of its own.  After its layer is read, its target name is looked up
 * in that layer's entries before it (the last member of that name, as the
 * merge saw it), following further hard links; a name not found there is
 * searched in the lower layers in the next round (highest layer with a
 * member of that name wins).  Each step moves strictly down in (layer,
 * seq), so the rounds end; a member found this way is read in the next
 * round.
 */
#include "image/content.h"
#include "core/buf.h"
#include "core/error.h"
#include "image/layer.h"
#include "image/scan.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- hard-link groups ---------------------------------------------------- */

const sc_fsnode *sc_content_source(const sc_fsnode *n)
{
	return n->link_target ? n->link_target : n;
}

int sc_content_is_file(const sc_fsnode *n)
{
	if (n->e.type != SC_FT_REG && n->e.type != SC_FT_HARDLINK)
		return 0;
	return sc_content_source(n)->e.type == SC_FT_REG;
}

typedef struct lg_slot {
	const sc_fsnode *key;    /* a hard-link target */
	const sc_fsnode *leader; /* first node of its group in walk order */
} lg_slot;

struct sc_link_groups {
	lg_slot *t;
	size_t cap; /* power of two, or 0 */
};

static size_t ptr_hash(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return (size_t)x;
}

static lg_slot *lg_find(const sc_link_groups *g, const sc_fsnode *key, int insert)
{
	size_t j;

	if (!g->cap)
		return NULL;
	j = ptr_hash(key) & (g->cap - 1);
	for (;;) {
		lg_slot *s = &g->t[j];

		if (s->key == key)
			return s;
		if (!s->key) {
			if (!insert)
				return NULL;
			s->key = key;
			return s;
		}
		j = (j + 1) & (g->cap - 1);
	}
}

typedef struct lg_build {
	sc_link_groups *g;
	size_t n_links;
	int phase;
} lg_build;

static int lg_cb(const sc_fsnode *n, void *ud)
{
	lg_build *b = ud;
	lg_slot *s;

	switch (b->phase) {
	case 0:
		if (n->e.type == SC_FT_HARDLINK)
			b->n_links++;
		return 0;
	case 1:
		if (n->e.type == SC_FT_HARDLINK && n->link_target)
			lg_find(b->g, n->link_target, 1);
		return 0;
	default:
		if (n->e.type != SC_FT_DIR && (s = lg_find(b->g, sc_content_source(n), 0)) && !s->leader)
			s->leader = n;
		return 0;
	}
}

int sc_link_groups_new(sc_link_groups **out, const sc_fsview *view)
{
	sc_link_groups *g = sc_calloc(1, sizeof(*g));
	lg_build b;
	int rc;

	if (!g)
		return SC_ENOMEM;
	memset(&b, 0, sizeof(b));
	b.g = g;
	if ((rc = sc_fsview_walk(view, lg_cb, &b)) != 0)
		goto fail;
	if (b.n_links) {
		size_t cap = 16;

		while (cap < b.n_links * 2 + 2)
			cap *= 2;
		if (!(g->t = sc_calloc(cap, sizeof(*g->t)))) {
			rc = SC_ENOMEM;
			goto fail;
		}
		g->cap = cap;
		for (b.phase = 1; b.phase <= 2; b.phase++)
			if ((rc = sc_fsview_walk(view, lg_cb, &b)) != 0)
				goto fail;
	}
	*out = g;
	return 0;
fail:
	sc_link_groups_free(g);
	return rc;
}

const sc_fsnode *sc_link_groups_leader(const sc_link_groups *g, const sc_fsnode *n)
{
	const lg_slot *s;

	if (n->e.type == SC_FT_DIR)
		return n;
	s = lg_find(g, sc_content_source(n), 0);
	return s && s->leader ? s->leader : n;
}

void sc_link_groups_free(sc_link_groups *g)
{
	if (!g)
		return;
	free(g->t);
	free(g);
}

/* ---- the pass ------------------------------------------------------------ */

enum { W_MEMBER = 1, W_SEARCH, W_DONE };
enum { R_NONE = 0, R_MEMBER, R_SEARCH, R_ERROR };

/* Where a want's bytes were found to be (decided after a layer read). */
typedef struct res {
	int kind;
	uint32_t layer, seq; /* R_MEMBER: the member; R_SEARCH: search below `layer` */
	uint64_t size;       /* R_MEMBER */
	char *path;          /* R_SEARCH, malloc'd */
	sc_error_info *err;  /* R_ERROR, malloc'd */
} res;

typedef struct want {
	const sc_fsnode *node;   /* group leader: what the sink gets */
	const char *expect_path; /* the member's path, checked at begin (NULL once re-keyed) */
	uint64_t size;           /* bytes the view expects */
	uint32_t layer, seq;     /* W_MEMBER: the member; W_SEARCH: search below `layer` */
	int state;
	char *path;              /* W_SEARCH: the name to find (malloc'd) */
	int delivered;           /* written only by the thread reading `layer` */
	int hit_layer;           /* W_SEARCH: highest layer with a hit this round (-1: none) */
	res next;
} want;

typedef struct pass {
	sc_image *img;
	const char *extra_tar;
	const sc_content_sink *sink;
	size_t n_img, n_layers;  /* image layers; + the extra tar */
	want *w;
	size_t nw;
	want **keys;             /* W_MEMBER wants sorted by (layer, seq, walk order) */
	size_t nkeys;
	want **search;           /* W_SEARCH wants */
	size_t nsearch;
	size_t *order;           /* layers to read this round, largest first */
	size_t n_order;
	size_t next;             /* atomic index into order */
	int cancel;              /* atomic */
	int *failed;
	sc_error_info *errs;
	pthread_mutex_t lock;    /* W_SEARCH results */
} pass;

typedef struct lread {
	pass *p;
	uint32_t layer;
	char name[200];
	int failed;              /* an error of ours (sink, check) is in err */
	sc_error_info err;
} lread;

typedef struct fitem {
	want *w;
	void *st;
} fitem;

typedef struct fstate {
	lread *lr;
	uint64_t size, got;
	size_t n;
	fitem it[];
} fstate;

static void res_free(res *r)
{
	free(r->path);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

/* Record the current thread's error for this layer and stop the pass. */
static int lr_fail(lread *lr, int rc)
{
	if (!lr->failed) {
		sc_error_save(&lr->err);
		if (!lr->err.code)
			lr->err.code = rc;
		lr->failed = rc;
	}
	__atomic_store_n(&lr->p->cancel, 1, __ATOMIC_RELAXED);
	return rc;
}

static int key_cmp(const want *a, uint32_t layer, uint32_t seq)
{
	if (a->layer != layer)
		return a->layer < layer ? -1 : 1;
	if (a->seq != seq)
		return a->seq < seq ? -1 : 1;
	return 0;
}

static int keys_sort(const void *x, const void *y)
{
	const want *a = *(const want *const *)x, *b = *(const want *const *)y;
	int c = key_cmp(a, b->layer, b->seq);

	return c ? c : (a < b ? -1 : a > b);
}

/* First index in keys whose key is >= (layer, seq). */
static size_t keys_lower(const pass *p, uint32_t layer, uint32_t seq)
{
	size_t lo = 0, hi = p->nkeys;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (key_cmp(p->keys[mid], layer, seq) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void end_items(fstate *fs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fs->it[i].st)
			fs->lr->p->sink->end(fs->it[i].st, 1);
}

static void *cb_begin(void *ud, const sc_entry *e)
{
	lread *lr = ud;
	pass *p = lr->p;
	size_t lo, hi, i;
	fstate *fs;

	if (lr->failed)
		return NULL;
	lo = keys_lower(p, lr->layer, e->seq);
	for (hi = lo; hi < p->nkeys && key_cmp(p->keys[hi], lr->layer, e->seq) == 0; hi++)
		;
	if (lo == hi)
		return NULL;
	if (!(fs = calloc(1, sizeof(*fs) + (hi - lo) * sizeof(fitem)))) {
		lr_fail(lr, sc_error_set(SC_ENOMEM, "out of memory"));
		return NULL;
	}
	fs->lr = lr;
	fs->size = e->size;
	for (i = lo; i < hi; i++) {
		want *w = p->keys[i];

		if (w->expect_path && strcmp(e->path, w->expect_path) != 0) {
			sc_error_set(SC_EINPUT, "%s: member %u is '/%.200s', not '/%.200s' as the view says (another image?)",
				     lr->name, (unsigned)e->seq, e->path, w->expect_path);
			goto fail;
		}
		if (e->size != w->size) {
			sc_error_set(SC_EINPUT, "%s: '/%.200s' holds %llu bytes, the view expects %llu", lr->name,
				     e->path, (unsigned long long)e->size, (unsigned long long)w->size);
			goto fail;
		}
		fs->it[fs->n].w = w;
		fs->it[fs->n].st = p->sink->begin(p->sink->ud, w->node);
		fs->n++;
	}
	return fs;
fail:
	lr_fail(lr, sc_error_code() ? sc_error_code() : SC_EINPUT);
	end_items(fs, fs->n);
	free(fs);
	return NULL;
}

static int cb_data(void *st, const void *buf, size_t len)
{
	fstate *fs = st;
	size_t i;

	if (len > fs->size - fs->got)
		return lr_fail(fs->lr, sc_error_set(SC_EINPUT, "%s: a member is longer than its header says",
						     fs->lr->name));
	for (i = 0; i < fs->n; i++) {
		int rc;

		if (!fs->it[i].st)
			continue;
		if ((rc = fs->lr->p->sink->data(fs->it[i].st, buf, len)) < 0)
			return lr_fail(fs->lr, rc);
	}
	fs->got += len;
	return 0;
}

static void *cb_end(void *st, int failed)
{
	fstate *fs = st;
	size_t i;

	if (!failed && fs->got != fs->size) {
		lr_fail(fs->lr, sc_error_set(SC_EINPUT, "%s: a member ended %llu bytes short", fs->lr->name,
					     (unsigned long long)(fs->size - fs->got)));
		failed = 1;
	}
	for (i = 0; i < fs->n; i++) {
		int rc = 0;

		if (fs->it[i].st)
			rc = fs->lr->p->sink->end(fs->it[i].st, failed);
		if (rc < 0 && !failed) {
			lr_fail(fs->lr, rc);
			failed = 1; /* the rest are not delivered either */
		}
		if (!failed)
			fs->it[i].w->delivered = 1;
	}
	free(fs);
	return NULL;
}

/* ---- hard-link members: where their bytes are ---------------------------- */

typedef struct lindex {
	const sc_layer *l;
	uint32_t *ix;  /* entries that name something (no whiteouts), by (path, index) */
	size_t n;
} lindex;

static int ix_cmp(const void *x, const void *y, void *ud)
{
	const sc_layer *l = ud;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	int c = strcmp(l->entries[a].path, l->entries[b].path);

	return c ? c : (a < b ? -1 : a > b);
}

static int lindex_build(lindex *x, const sc_layer *l)
{
	size_t i;

	x->l = l;
	x->n = 0;
	if (!(x->ix = sc_calloc(l->n_entries ? l->n_entries : 1, sizeof(*x->ix))))
		return SC_ENOMEM;
	for (i = 0; i < l->n_entries; i++)
		if (l->entries[i].type != SC_FT_WHITEOUT && l->entries[i].type != SC_FT_OPAQUE)
			x->ix[x->n++] = (uint32_t)i;
	qsort_r(x->ix, x->n, sizeof(*x->ix), ix_cmp, (void *)l);
	return 0;
}

/* Index of the last member named `path` before entry `bound`, or -1. */
static long lindex_last(const lindex *x, const char *path, uint64_t bound)
{
	size_t lo = 0, hi = x->n;

	/* First position whose (path, index) >= (path, bound). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(x->l->entries[x->ix[mid]].path, path);

		if (c < 0 || (c == 0 && x->ix[mid] < bound))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || strcmp(x->l->entries[x->ix[lo - 1]].path, path) != 0)
		return -1;
	return (long)x->ix[lo - 1];
}

static const char *type_name(int t)
{
	switch (t) {
	case SC_FT_DIR: return "directory";
	case SC_FT_SYMLINK: return "symlink";
	case SC_FT_CHAR: return "character device";
	case SC_FT_BLOCK: return "block device";
	case SC_FT_FIFO: return "fifo";
	case SC_FT_SOCK: return "socket";
	case SC_FT_HARDLINK: return "hard link";
	case SC_FT_REG: return "regular file";
	default: return "non-file";
	}
}

static void res_error(res *r, int code)
{
	memset(r, 0, sizeof(*r));
	r->kind = R_ERROR;
	if ((r->err = malloc(sizeof(*r->err))) != NULL) {
		sc_error_save(r->err);
		r->err->code = code;
	}
}

/*
 * Follow the name `path` from entry `bound` of layer `layer` back to the
 * member holding its bytes.  *out: R_MEMBER, R_SEARCH (not in this layer:
 * look below) or R_ERROR.  Returns 1 when the name was found in this layer
 * at least once (a "hit"), else 0.
 */
static int resolve(const lindex *x, uint32_t layer, const char *lname, const sc_fsnode *node, const char *path,
		   uint64_t bound, res *out)
{
	int hit = 0;

	memset(out, 0, sizeof(*out));
	for (;;) {
		long k = lindex_last(x, path, bound);
		const sc_entry *e;

		if (k < 0) {
			if (layer == 0) {
				sc_error_set(SC_EINPUT, "'/%.200s': the hard link target '/%.200s' it got its content from is in no layer",
					     node->e.path, path);
				res_error(out, SC_EINPUT);
				return hit;
			}
			out->kind = R_SEARCH;
			out->layer = layer;
			if (!(out->path = sc_strdup(path)))
				res_error(out, SC_ENOMEM);
			return hit;
		}
		hit = 1;
		e = &x->l->entries[k];
		if (e->type == SC_FT_REG) {
			out->kind = R_MEMBER;
			out->layer = layer;
			out->seq = (uint32_t)k;
			out->size = e->size;
			return hit;
		}
		if (e->type != SC_FT_HARDLINK || !e->link) {
			sc_error_set(SC_EINPUT, "%s: '/%.200s' gets its content from '/%.200s', a %s", lname, node->e.path,
				     e->path, type_name(e->type));
			res_error(out, SC_EINPUT);
			return hit;
		}
		path = e->link;
		bound = (uint64_t)k;
	}
}

/* After layer `layer` was read: find where undelivered wants of it and pending searches stand. */
static int post_layer(pass *p, const sc_layer *l, uint32_t layer, const char *lname)
{
	size_t lo = keys_lower(p, layer, 0), hi, i;
	lindex x;
	int need = 0, rc;

	for (hi = lo; hi < p->nkeys && p->keys[hi]->layer == layer; hi++)
		if (!p->keys[hi]->delivered)
			need = 1;
	for (i = 0; i < p->nsearch; i++)
		if (p->search[i]->layer > layer)
			need = 1;
	if (!need)
		return 0;
	memset(&x, 0, sizeof(x));
	if ((rc = lindex_build(&x, l)) != 0)
		return rc;
	for (i = lo; i < hi; i++) {
		want *w = p->keys[i];
		const sc_entry *e;

		if (w->delivered)
			continue;
		if (w->seq >= l->n_entries) {
			sc_error_set(SC_EINPUT, "%s: no member %u for '/%.200s' (another image?)", lname, (unsigned)w->seq,
				     w->node->e.path);
			res_error(&w->next, SC_EINPUT);
			continue;
		}
		e = &l->entries[w->seq];
		if (e->type == SC_FT_HARDLINK && e->link) {
			resolve(&x, layer, lname, w->node, e->link, w->seq, &w->next);
			continue;
		}
		if (e->type == SC_FT_REG)
			sc_error_set(SC_EINTERNAL, "%s: member %u ('/%.200s') was read but not delivered", lname,
				     (unsigned)w->seq, e->path);
		else
			sc_error_set(SC_EINPUT, "%s: member %u ('/%.200s') for '/%.200s' is a %s, not a regular file", lname,
				     (unsigned)w->seq, e->path, w->node->e.path, type_name(e->type));
		res_error(&w->next, e->type == SC_FT_REG ? SC_EINTERNAL : SC_EINPUT);
	}
	for (i = 0; i < p->nsearch; i++) {
		want *w = p->search[i];
		res r;

		if (w->layer <= layer)
			continue;
		if (!resolve(&x, layer, lname, w->node, w->path, UINT64_MAX, &r)) {
			res_free(&r);
			continue;
		}
		pthread_mutex_lock(&p->lock);
		if ((int)layer > w->hit_layer) {
			res_free(&w->next);
			w->next = r;
			w->hit_layer = (int)layer;
		} else {
			res_free(&r);
		}
		pthread_mutex_unlock(&p->lock);
	}
	free(x.ix);
	return 0;
}

static void layer_name(pass *p, size_t i, char *out, size_t outsz)
{
	if (i < p->n_img)
		sc_image_layer_name(p->img, i, out, outsz);
	else
		snprintf(out, outsz, "extra layer '%.150s'", p->extra_tar);
}

static int open_extra(pass *p, sc_stream **out)
{
	struct stat sb;
	int fd = open(p->extra_tar, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return sc_error_set_errno(SC_EIO, errno, "cannot open '%s'", p->extra_tar);
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return sc_error_set(SC_EUSAGE, "'%s' is not a regular file", p->extra_tar);
	}
	if ((rc = sc_stream_fd_new(out, fd, 1, 0, UINT64_MAX)) != 0)
		close(fd);
	return rc;
}

static int read_one(pass *p, size_t i)
{
	sc_image *img = p->img;
	sc_stream *blob = NULL;
	sc_layer l;
	sc_layer_opts lo;
	sc_interest in;
	const sc_interest *ins[1];
	lread lr;
	uint64_t entries = SC_CONTENT_MAX_ENTRIES, names = SC_DEFAULT_NAME_BYTES;
	int rc;

	memset(&lr, 0, sizeof(lr));
	lr.p = p;
	lr.layer = (uint32_t)i;
	layer_name(p, i, lr.name, sizeof(lr.name));
	memset(&in, 0, sizeof(in));
	in.name = "content pass";
	in.stream_begin = cb_begin;
	in.stream_data = cb_data;
	in.stream_end = cb_end;
	in.ud = &lr;
	ins[0] = &in;
	memset(&lo, 0, sizeof(lo));
	lo.index = i;
	lo.name = lr.name;
	lo.interests = ins;
	lo.n_interests = 1;
	lo.entry_budget = &entries;
	lo.entry_limit = entries;
	lo.name_budget = &names;
	lo.name_limit = names;
	lo.allow_devices = 1; /* only metadata: devices are the consumers' business */
	lo.cancel = &p->cancel;
	if (i < p->n_img) {
		lo.hint = sc_layer_compression(img->manifest.layers[i].media_type);
		/* As the scan: the diff_id when the blob digest cannot be checked. */
		if (i < img->config.n_diff_ids && !img->manifest.layers[i].digest.set)
			lo.diff_id = &img->config.diff_ids[i];
		if ((rc = sc_image_open_layer(img, i, &blob)) != 0)
			return sc_error_prefix(rc, "%s", lr.name);
	} else {
		lo.hint = SC_COMP_NONE;
		if ((rc = open_extra(p, &blob)) != 0)
			return rc;
	}
	rc = sc_layer_read(&l, blob, &lo);
	if (lr.failed) {
		if (!rc)
			sc_layer_release(&l);
		return sc_error_restore(&lr.err);
	}
	if (rc) {
		if (strncmp(sc_error_msg(), lr.name, strlen(lr.name)) != 0)
			sc_error_prefix(rc, "%s", lr.name);
		return rc;
	}
	rc = post_layer(p, &l, (uint32_t)i, lr.name);
	sc_layer_release(&l);
	return rc;
}

static void *worker(void *arg)
{
	pass *p = arg;

	for (;;) {
		size_t k = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED);
		size_t i;
		int rc;

		if (k >= p->n_order || __atomic_load_n(&p->cancel, __ATOMIC_RELAXED))
			break;
		i = p->order[k];
		sc_error_clear();
		if ((rc = read_one(p, i)) != 0) {
			sc_error_save(&p->errs[i]);
			if (!p->errs[i].code)
				p->errs[i].code = rc;
			p->failed[i] = 1;
			__atomic_store_n(&p->cancel, 1, __ATOMIC_RELAXED);
		}
	}
	return NULL;
}

static uint64_t layer_size(const pass *p, size_t i)
{
	struct stat sb;

	if (i < p->n_img)
		return p->img->manifest.layers[i].size;
	return stat(p->extra_tar, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

static int run_round(pass *p, unsigned jobs)
{
	uint64_t *sizes = NULL;
	pthread_t *th = NULL;
	unsigned started = 0, t;
	size_t i, j;
	int rc = 0;

	/* Largest first (insertion sort: at most SC_MAX_LAYERS + 1 layers). */
	if (!(sizes = sc_calloc(p->n_layers, sizeof(*sizes))))
		return SC_ENOMEM;
	for (i = 0; i < p->n_order; i++)
		sizes[p->order[i]] = layer_size(p, p->order[i]);
	for (i = 1; i < p->n_order; i++) {
		size_t v = p->order[i];

		for (j = i; j > 0 && sizes[p->order[j - 1]] < sizes[v]; j--)
			p->order[j] = p->order[j - 1];
		p->order[j] = v;
	}
	free(sizes);
	memset(p->failed, 0, p->n_layers * sizeof(*p->failed));
	p->next = 0;
	p->cancel = 0;
	if (jobs > p->n_order)
		jobs = (unsigned)p->n_order;
	if (jobs > 1 && !(th = sc_calloc(jobs, sizeof(*th))))
		return SC_ENOMEM;
	for (t = 0; th && t < jobs; t++) {
		if (pthread_create(&th[t], NULL, worker, p) != 0)
			break;
		started++;
	}
	if (started == 0)
		worker(p);
	for (t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	free(th);
	/* The lowest layer's real error (not a cancellation), else any. */
	for (i = 0; i < p->n_layers && !rc; i++)
		if (p->failed[i] && p->errs[i].code != SC_ECANCELED)
			rc = sc_error_restore(&p->errs[i]);
	for (i = 0; i < p->n_layers && !rc; i++)
		if (p->failed[i])
			rc = sc_error_restore(&p->errs[i]);
	return rc;
}

/* Turn this round's findings into the next round's wants. */
static int settle(pass *p)
{
	size_t i;

	for (i = 0; i < p->nw; i++) {
		want *w = &p->w[i];
		res *r = &w->next;

		if (w->state == W_DONE)
			continue;
		if (w->state == W_MEMBER && w->delivered) {
			w->state = W_DONE;
			continue;
		}
		if (w->state == W_SEARCH && w->hit_layer < 0)
			return sc_error_set(SC_EINPUT, "'/%.200s': the hard link target '/%.200s' it got its content from is in no layer below layer %u",
					    w->node->e.path, w->path, (unsigned)w->layer + 1);
		switch (r->kind) {
		case R_ERROR:
			return r->err ? sc_error_restore(r->err) : sc_error_set(SC_ENOMEM, "out of memory");
		case R_MEMBER:
			if (r->size != w->size)
				return sc_error_set(SC_EINPUT, "'/%.200s': its content (layer %u member %u) holds %llu bytes, the view expects %llu",
						    w->node->e.path, (unsigned)r->layer + 1, (unsigned)r->seq,
						    (unsigned long long)r->size, (unsigned long long)w->size);
			w->state = W_MEMBER;
			w->layer = r->layer;
			w->seq = r->seq;
			w->expect_path = NULL;
			free(w->path);
			w->path = NULL;
			break;
		case R_SEARCH:
			w->state = W_SEARCH;
			w->layer = r->layer;
			free(w->path);
			w->path = r->path;
			r->path = NULL;
			break;
		default:
			return sc_error_set(SC_EINTERNAL, "'/%.200s': layer %u was not read", w->node->e.path,
					    (unsigned)w->layer + 1);
		}
		res_free(r);
		w->delivered = 0;
		w->hit_layer = -1;
	}
	return 0;
}

typedef struct collect {
	pass *p;
	const sc_link_groups *g;
} collect;

static int collect_cb(const sc_fsnode *n, void *ud)
{
	collect *c = ud;
	pass *p = c->p;
	const sc_fsnode *m;
	want *w;

	if (!sc_content_is_file(n) || sc_link_groups_leader(c->g, n) != n)
		return 0;
	m = sc_content_source(n);
	if (m->e.layer >= p->n_layers)
		return sc_error_set(SC_EUSAGE, "'/%.200s' comes from layer %u, which %s", n->e.path,
				    (unsigned)m->e.layer + 1,
				    m->e.layer == p->n_img ? "is the extra tar, and none was given"
							    : "the image does not have");
	w = &p->w[p->nw++];
	w->node = n;
	w->expect_path = m->e.path;
	w->size = m->e.size;
	w->layer = m->e.layer;
	w->seq = m->e.seq;
	w->state = W_MEMBER;
	w->hit_layer = -1;
	return 0;
}

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}

int sc_content_pass(sc_image *img, const char *extra_tar, const sc_fsview *view, const sc_content_sink *sink,
		    unsigned jobs)
{
	sc_link_groups *g = NULL;
	collect c;
	pass p;
	size_t i, round, max_rounds;
	int rc;

	if (!sink || !sink->begin || !sink->data || !sink->end)
		return sc_error_set(SC_EUSAGE, "content pass: incomplete sink");
	memset(&p, 0, sizeof(p));
	pthread_mutex_init(&p.lock, NULL);
	p.img = img;
	p.extra_tar = extra_tar;
	p.sink = sink;
	p.n_img = img->manifest.n_layers;
	p.n_layers = p.n_img + (extra_tar ? 1 : 0);
	if (!jobs)
		jobs = online_cpus();
	if ((rc = sc_link_groups_new(&g, view)) != 0)
		goto out;
	p.w = sc_calloc(sc_fsview_count(view) + 1, sizeof(*p.w));
	p.keys = sc_calloc(sc_fsview_count(view) + 1, sizeof(*p.keys));
	p.search = sc_calloc(sc_fsview_count(view) + 1, sizeof(*p.search));
	p.order = sc_calloc(p.n_layers + 1, sizeof(*p.order));
	p.failed = sc_calloc(p.n_layers + 1, sizeof(*p.failed));
	p.errs = sc_calloc(p.n_layers + 1, sizeof(*p.errs));
	if (!p.w || !p.keys || !p.search || !p.order || !p.failed || !p.errs) {
		rc = SC_ENOMEM;
		goto out;
	}
	c.p = &p;
	c.g = g;
	if ((rc = sc_fsview_walk(view, collect_cb, &c)) != 0)
		goto out;
	/* Each round moves every pending want strictly down in (layer, seq); two per layer suffice. */
	max_rounds = 2 * p.n_layers + 2;
	for (round = 0;; round++) {
		unsigned char *need;

		p.nkeys = p.nsearch = p.n_order = 0;
		for (i = 0; i < p.nw; i++) {
			if (p.w[i].state == W_MEMBER)
				p.keys[p.nkeys++] = &p.w[i];
			else if (p.w[i].state == W_SEARCH)
				p.search[p.nsearch++] = &p.w[i];
		}
		if (!p.nkeys && !p.nsearch)
			break;
		if (round >= max_rounds) {
			rc = sc_error_set(SC_EINTERNAL, "content pass: no progress after %zu rounds", round);
			goto out;
		}
		qsort(p.keys, p.nkeys, sizeof(*p.keys), keys_sort);
		if (!(need = sc_calloc(p.n_layers, 1))) {
			rc = SC_ENOMEM;
			goto out;
		}
		for (i = 0; i < p.nkeys; i++)
			need[p.keys[i]->layer] = 1;
		for (i = 0; i < p.nsearch; i++)
			memset(need, 1, p.search[i]->layer); /* every layer below it */
		for (i = 0; i < p.n_layers; i++)
			if (need[i])
				p.order[p.n_order++] = i;
		free(need);
		if ((rc = run_round(&p, jobs)) != 0 || (rc = settle(&p)) != 0)
			goto out;
	}
out:
	if (p.w)
		for (i = 0; i < p.nw; i++) {
			free(p.w[i].path);
			res_free(&p.w[i].next);
		}
	free(p.w);
	free(p.keys);
	free(p.search);
	free(p.order);
	free(p.failed);
	free(p.errs);
	pthread_mutex_destroy(&p.lock);
	sc_link_groups_free(g);
	return rc;
}
