/*
 * fsview.c - merged filesystem view; semantics in fsview.h.
 *
 * Nodes live in the view's arena and are never freed before the view, so
 * pointers (hard-link targets, consumer references) stay valid even when a
 * later layer removes or replaces a node; removal only unlinks the node from
 * the tree and the path index.  The index is an open-addressing hash table
 * keyed by full path.  Subtree removal and all traversals are iterative:
 * a hostile, deeply nested tree cannot exhaust the stack.
 *
 * A path whose parent is a non-directory in the merged view (a symlink or
 * file from a lower layer) gets an implicit directory in its place, which is
 * what an overlay filesystem shows when an upper layer holds a directory
 * where a lower one holds a non-directory.
 */
#include "image/fsview.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOMB ((sc_fsnode *)(uintptr_t)1)

struct sc_fsview {
	sc_fsnode root;
	sc_fsnode **table;
	size_t tcap, tused; /* tused counts live + tombstones */
	size_t nlive;
	sc_arena arena;
	sc_fsnode **all;    /* every node ever made, for freeing captures */
	size_t n_all, cap_all;
	const sc_fsnode **sorted; /* walk cache */
	size_t n_sorted;
	sc_fsnode **links;  /* every hard-link node made, for fix_links() */
	size_t n_links, cap_links;
};

static uint64_t hash_path(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ull;
	}
	return h ^ (h >> 29);
}

static int table_grow(sc_fsview *v)
{
	size_t ncap = v->tcap ? v->tcap * 2 : 1024, i;
	sc_fsnode **nt = calloc(ncap, sizeof(*nt));

	if (!nt)
		return sc_error_set(SC_ENOMEM, "out of memory (path index)");
	for (i = 0; i < v->tcap; i++) {
		sc_fsnode *n = v->table[i];
		size_t j;

		if (!n || n == TOMB)
			continue;
		j = hash_path(n->e.path) & (ncap - 1);
		while (nt[j])
			j = (j + 1) & (ncap - 1);
		nt[j] = n;
	}
	free(v->table);
	v->table = nt;
	v->tcap = ncap;
	v->tused = v->nlive;
	return 0;
}

static sc_fsnode **table_slot(const sc_fsview *v, const char *path)
{
	size_t j;

	if (!v->tcap)
		return NULL;
	j = hash_path(path) & (v->tcap - 1);
	for (;;) {
		sc_fsnode *n = v->table[j];

		if (!n)
			return NULL;
		if (n != TOMB && strcmp(n->e.path, path) == 0)
			return &v->table[j];
		j = (j + 1) & (v->tcap - 1);
	}
}

static int table_insert(sc_fsview *v, sc_fsnode *node)
{
	size_t j;
	int rc;

	if ((v->tused + 1) * 10 >= v->tcap * 7 && (rc = table_grow(v)) != 0)
		return rc;
	j = hash_path(node->e.path) & (v->tcap - 1);
	while (v->table[j] && v->table[j] != TOMB)
		j = (j + 1) & (v->tcap - 1);
	if (!v->table[j])
		v->tused++;
	v->table[j] = node;
	v->nlive++;
	return 0;
}

static void table_remove(sc_fsview *v, const char *path)
{
	sc_fsnode **slot = table_slot(v, path);

	if (slot) {
		*slot = TOMB;
		v->nlive--;
	}
}

int sc_fsview_new(sc_fsview **out)
{
	sc_fsview *v = sc_calloc(1, sizeof(*v));

	if (!v)
		return SC_ENOMEM;
	sc_arena_init(&v->arena);
	v->root.e.path = "";
	v->root.name = "";
	v->root.e.type = SC_FT_DIR;
	v->root.e.mode = 0755;
	v->root.implicit = 1;
	*out = v;
	return 0;
}

void sc_fsview_free(sc_fsview *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n_all; i++)
		sc_captures_free(v->all[i]->e.captures);
	free(v->all);
	free(v->links);
	free(v->table);
	free(v->sorted);
	sc_arena_release(&v->arena);
	free(v);
}

size_t sc_fsview_count(const sc_fsview *v)
{
	return v->nlive;
}

const sc_fsnode *sc_fsview_root(const sc_fsview *v)
{
	return &v->root;
}

static sc_fsnode *lookup(const sc_fsview *v, const char *path)
{
	sc_fsnode **slot;

	if (!path[0])
		return (sc_fsnode *)&v->root;
	slot = table_slot(v, path);
	return slot ? *slot : NULL;
}

const sc_fsnode *sc_fsview_lookup(const sc_fsview *v, const char *path)
{
	return lookup(v, path);
}

static void unlink_child(sc_fsnode *n)
{
	sc_fsnode *p = n->parent;

	if (!p)
		return;
	if (n->prev_sibling)
		n->prev_sibling->next_sibling = n->next_sibling;
	else
		p->first_child = n->next_sibling;
	if (n->next_sibling)
		n->next_sibling->prev_sibling = n->prev_sibling;
	else
		p->last_child = n->prev_sibling;
	n->prev_sibling = n->next_sibling = NULL;
}

static void link_child(sc_fsnode *p, sc_fsnode *n)
{
	n->parent = p;
	n->next_sibling = NULL;
	n->prev_sibling = p->last_child;
	if (p->last_child)
		p->last_child->next_sibling = n;
	else
		p->first_child = n;
	p->last_child = n;
}

/* Remove n's descendants (not n itself). */
static void remove_children(sc_fsview *v, sc_fsnode *n)
{
	sc_fsnode *cur = n;

	while (n->first_child) {
		while (cur->first_child)
			cur = cur->first_child;
		/* cur is a leaf below n */
		unlink_child(cur);
		cur->removed = 1;
		table_remove(v, cur->e.path);
		cur = cur->parent;
		if (cur == n)
			continue;
	}
}

static void remove_node(sc_fsview *v, sc_fsnode *n)
{
	if (n == &v->root) {
		remove_children(v, n);
		return;
	}
	remove_children(v, n);
	unlink_child(n);
	n->removed = 1;
	table_remove(v, n->e.path);
}

static int track(sc_fsview *v, sc_fsnode *n)
{
	if (v->n_all == v->cap_all) {
		size_t ncap = v->cap_all ? v->cap_all * 2 : 1024;
		sc_fsnode **na = sc_reallocarray(v->all, ncap, sizeof(*na));

		if (!na)
			return SC_ENOMEM;
		v->all = na;
		v->cap_all = ncap;
	}
	v->all[v->n_all++] = n;
	return 0;
}

static sc_fsnode *new_node(sc_fsview *v, const sc_entry *e, const char *path)
{
	sc_fsnode *n = sc_arena_alloc(&v->arena, sizeof(*n));
	size_t dirlen;
	const char *base;

	if (!n)
		return NULL;
	memset(n, 0, sizeof(*n));
	if (e)
		n->e = *e;
	n->e.path = path;
	sc_path_split(path, &dirlen, &base);
	n->name = base;
	if (track(v, n) != 0)
		return NULL;
	return n;
}

/* The directory node at `dir`, creating implicit directories as needed. */
static int ensure_dir(sc_fsview *v, const char *dir, size_t dirlen, uint16_t layer, sc_fsnode **out)
{
	char buf[SC_PATH_MAX];
	sc_fsnode *cur = &v->root;
	size_t pos = 0;
	int rc;

	if (dirlen >= sizeof(buf))
		return sc_error_set(SC_ELIMIT, "path too long");
	memcpy(buf, dir, dirlen);
	buf[dirlen] = '\0';
	if (dirlen) {
		sc_fsnode *d = lookup(v, buf);

		if (d && d->e.type == SC_FT_DIR) {
			*out = d;
			return 0;
		}
	}
	/* Walk component by component from the root. */
	while (pos < dirlen) {
		size_t end = pos;
		sc_fsnode *n;
		char save;

		while (end < dirlen && buf[end] != '/')
			end++;
		save = buf[end];
		buf[end] = '\0';
		n = lookup(v, buf);
		if (n && n->e.type != SC_FT_DIR) {
			remove_node(v, n);
			n = NULL;
		}
		if (!n) {
			char *p = sc_arena_strdup(&v->arena, buf);
			sc_entry e;

			if (!p)
				return SC_ENOMEM;
			memset(&e, 0, sizeof(e));
			e.type = SC_FT_DIR;
			e.mode = 0755;
			e.layer = layer;
			n = new_node(v, &e, p);
			if (!n)
				return SC_ENOMEM;
			n->implicit = 1;
			link_child(cur, n);
			if ((rc = table_insert(v, n)) != 0)
				return rc;
		}
		buf[end] = save;
		cur = n;
		pos = end + 1;
	}
	*out = cur;
	return 0;
}

static int add_entry(sc_fsview *v, sc_entry *e, const char *layer_name)
{
	size_t dirlen;
	const char *base;
	sc_fsnode *parent, *old, *n;
	int rc;

	sc_path_split(e->path, &dirlen, &base);
	if ((rc = ensure_dir(v, e->path, dirlen, e->layer, &parent)) != 0)
		return rc;
	old = lookup(v, e->path);
	if (e->type == SC_FT_HARDLINK) {
		sc_fsnode *t = lookup(v, e->link);

		if (!t)
			return sc_error_set(SC_EINPUT, "%s: hard link '/%s' points to missing '/%s'", layer_name,
					    e->path, e->link);
		if (t->e.type == SC_FT_HARDLINK && t->link_target)
			t = t->link_target;
		if (t->e.type == SC_FT_DIR)
			return sc_error_set(SC_EINPUT, "%s: hard link '/%s' points to directory '/%s'", layer_name,
					    e->path, e->link);
		if (t == old)
			return 0; /* a link to itself changes nothing */
		e->size = t->e.size;
		if (old)
			remove_node(v, old);
		n = new_node(v, e, e->path);
		if (!n)
			return SC_ENOMEM;
		n->link_target = t;
		e->captures = NULL;
		link_child(parent, n);
		if (v->n_links == v->cap_links) {
			size_t ncap = v->cap_links ? v->cap_links * 2 : 64;
			sc_fsnode **nl = sc_reallocarray(v->links, ncap, sizeof(*nl));

			if (!nl)
				return SC_ENOMEM;
			v->links = nl;
			v->cap_links = ncap;
		}
		v->links[v->n_links++] = n;
		return table_insert(v, n);
	}
	if (old && old->e.type == SC_FT_DIR && e->type == SC_FT_DIR) {
		/* Directory over directory: new metadata, children stay. */
		old->e.mode = e->mode;
		old->e.uid = e->uid;
		old->e.gid = e->gid;
		old->e.mtime = e->mtime;
		old->e.layer = e->layer;
		old->e.seq = e->seq;
		old->e.flags = e->flags;
		old->implicit = 0;
		return 0;
	}
	if (old)
		remove_node(v, old);
	n = new_node(v, e, e->path);
	if (!n)
		return SC_ENOMEM;
	e->captures = NULL; /* now owned by the node */
	link_child(parent, n);
	return table_insert(v, n);
}

/*
 * A hard link whose target was deleted or replaced (by a whiteout or a
 * later entry) still holds the old content on disk: the first such link of
 * a group becomes a regular file carrying the old content's captures, and
 * the others become links to it.  The removed target remembers its heir in
 * link_target.
 */
static void fix_links(sc_fsview *v)
{
	size_t i;

	for (i = 0; i < v->n_links; i++) {
		sc_fsnode *n = v->links[i], *t = n->link_target;

		if (n->removed || n->e.type != SC_FT_HARDLINK || !t || !t->removed)
			continue;
		if (t->link_target && !t->link_target->removed) {
			n->e.link = t->link_target->e.path;
			n->link_target = t->link_target;
			continue;
		}
		n->e.type = SC_FT_REG;
		n->e.link = NULL;
		n->e.captures = t->e.captures;
		t->e.captures = NULL;
		n->link_target = NULL;
		t->link_target = n;
	}
}

int sc_fsview_apply(sc_fsview *v, sc_layer *l, const char *layer_name)
{
	size_t i;
	int rc = 0;

	free(v->sorted);
	v->sorted = NULL;
	v->n_sorted = 0;
	/* Keep the layer's strings alive for as long as the view. */
	sc_arena_steal(&v->arena, &l->arena);
	/* Whiteouts and opaque markers act on the lower layers only: apply them first. */
	for (i = 0; i < l->n_entries; i++) {
		sc_entry *e = &l->entries[i];
		sc_fsnode *n;

		if (e->type != SC_FT_WHITEOUT && e->type != SC_FT_OPAQUE)
			continue;
		n = lookup(v, e->path);
		if (!n)
			continue;
		if (e->type == SC_FT_OPAQUE) {
			if (n->e.type == SC_FT_DIR)
				remove_children(v, n);
		} else {
			remove_node(v, n);
		}
	}
	for (i = 0; i < l->n_entries; i++) {
		sc_entry *e = &l->entries[i];

		if (e->type == SC_FT_WHITEOUT || e->type == SC_FT_OPAQUE)
			continue;
		if ((rc = add_entry(v, e, layer_name)) != 0)
			break;
	}
	if (!rc)
		fix_links(v);
	/* Captures not handed to nodes (error path) are freed with the layer. */
	sc_layer_release(l);
	return rc;
}

int sc_fsview_resolve(const sc_fsview *v, const char *path, int follow_last, const sc_fsnode **out,
		      char *resolved, size_t resolved_sz)
{
	char rest[SC_PATH_MAX * 2 + 2];
	char cur[SC_PATH_MAX];
	size_t restpos = 0, curlen = 0;
	int hops = 0;
	const sc_fsnode *node = &v->root;

	if (strlen(path) >= sizeof(rest))
		return sc_error_set(SC_ELIMIT, "path too long");
	snprintf(rest, sizeof(rest), "%s", path);
	cur[0] = '\0';
	for (;;) {
		const char *comp;
		size_t clen;
		int last;
		const sc_fsnode *child;

		while (rest[restpos] == '/')
			restpos++;
		if (!rest[restpos])
			break;
		comp = rest + restpos;
		clen = strcspn(comp, "/");
		restpos += clen;
		while (rest[restpos] == '/')
			restpos++;
		last = rest[restpos] == '\0';
		if (clen == 1 && comp[0] == '.')
			continue;
		if (clen == 2 && comp[0] == '.' && comp[1] == '.') {
			while (curlen > 0 && cur[curlen - 1] != '/')
				curlen--;
			if (curlen > 0)
				curlen--;
			cur[curlen] = '\0';
			node = curlen ? lookup(v, cur) : &v->root;
			continue;
		}
		if (curlen + 1 + clen + 1 > sizeof(cur))
			return sc_error_set(SC_ELIMIT, "path too long while resolving '%.200s'", path);
		{
			size_t save = curlen;

			if (curlen)
				cur[curlen++] = '/';
			memcpy(cur + curlen, comp, clen);
			curlen += clen;
			cur[curlen] = '\0';
			child = lookup(v, cur);
			if (!child) {
				*out = NULL;
				return sc_error_set(SC_ENOTFOUND, "'/%.200s' not found", cur);
			}
			if (child->e.type == SC_FT_SYMLINK && (!last || follow_last)) {
				char tmp[SC_PATH_MAX * 2 + 2];
				const char *t = child->e.link;
				size_t tl = strlen(t), rl = strlen(rest + restpos);

				if (++hops > SC_SYMLINK_MAX_HOPS)
					return sc_error_set(SC_EINPUT, "symlink loop resolving '/%.200s'", path);
				if (tl + 1 + rl + 1 > sizeof(tmp))
					return sc_error_set(SC_ELIMIT, "path too long while resolving '%.200s'", path);
				memcpy(tmp, t, tl);
				tmp[tl] = '/';
				memcpy(tmp + tl + 1, rest + restpos, rl + 1);
				memcpy(rest, tmp, tl + 1 + rl + 1);
				restpos = 0;
				if (t[0] == '/')
					curlen = 0;
				else
					curlen = save;
				cur[curlen] = '\0';
				node = curlen ? lookup(v, cur) : &v->root;
				continue;
			}
			if (!last && child->e.type != SC_FT_DIR) {
				*out = NULL;
				return sc_error_set(SC_ENOTFOUND, "'/%.200s' is not a directory", cur);
			}
			node = child;
		}
	}
	if (resolved) {
		if (curlen + 1 > resolved_sz)
			return sc_error_set(SC_ELIMIT, "resolved path too long");
		memcpy(resolved, cur, curlen + 1);
	}
	*out = node;
	return 0;
}

/* Order: component-wise bytewise, i.e. '/' sorts before every other byte. */
static int path_cmp(const void *a, const void *b)
{
	const unsigned char *x = (const unsigned char *)(*(const sc_fsnode *const *)a)->e.path;
	const unsigned char *y = (const unsigned char *)(*(const sc_fsnode *const *)b)->e.path;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	{
		int cx = *x == '/' ? 1 : *x;
		int cy = *y == '/' ? 1 : *y;

		return cx - cy;
	}
}

int sc_fsview_walk(const sc_fsview *v, sc_fsview_walk_cb cb, void *ud)
{
	sc_fsview *mv = (sc_fsview *)v;
	size_t i, k = 0;

	if (!mv->sorted && mv->nlive) {
		mv->sorted = sc_calloc(mv->nlive, sizeof(*mv->sorted));
		if (!mv->sorted)
			return SC_ENOMEM;
		for (i = 0; i < mv->tcap; i++) {
			sc_fsnode *n = mv->table[i];

			if (n && n != TOMB)
				mv->sorted[k++] = n;
		}
		mv->n_sorted = k;
		qsort(mv->sorted, k, sizeof(*mv->sorted), path_cmp);
	}
	for (i = 0; i < mv->n_sorted; i++) {
		int rc = cb(mv->sorted[i], ud);

		if (rc < 0)
			return rc;
		if (rc > 0)
			break;
	}
	return 0;
}

typedef struct list_ctx {
	const sc_fsnode **v;
	size_t n;
} list_ctx;

static int list_cb(const sc_fsnode *n, void *ud)
{
	list_ctx *c = ud;

	if (n->e.path[0])
		c->v[c->n++] = n;
	return 0;
}

int sc_fsview_list(const sc_fsview *v, const sc_fsnode ***out, size_t *n)
{
	list_ctx c = { sc_calloc(sc_fsview_count(v) + 1, sizeof(*c.v)), 0 };
	int rc;

	if (!c.v)
		return SC_ENOMEM;
	if ((rc = sc_fsview_walk(v, list_cb, &c)) != 0) {
		free(c.v);
		return rc;
	}
	*out = c.v;
	*n = c.n;
	return 0;
}

sc_fsnode *sc_fsview_next(const sc_fsnode *top, const sc_fsnode *n, int descend)
{
	if (descend && n->first_child)
		return n->first_child;
	while (n != top && !n->next_sibling)
		n = n->parent;
	return n == top ? NULL : n->next_sibling;
}

const sc_capture *sc_fsnode_capture(const sc_fsnode *n, const sc_interest *interest)
{
	const sc_capture *c;

	if (n->e.type == SC_FT_HARDLINK && n->link_target)
		n = n->link_target;
	for (c = n->e.captures; c; c = c->next)
		if (c->interest == interest)
			return c;
	return NULL;
}

static int check_one(const sc_fsnode *n, void *ud)
{
	const sc_fsview *v = ud;
	const sc_fsnode *t;
	char joined[SC_PATH_MAX];
	size_t dirlen;
	const char *base;
	unsigned flags = 0;
	int rc;

	if (n->e.type != SC_FT_SYMLINK)
		return 0;
	if (n->e.link[0] != '/') {
		char dir[SC_PATH_MAX];

		sc_path_split(n->e.path, &dirlen, &base);
		memcpy(dir, n->e.path, dirlen);
		dir[dirlen] = '\0';
		if (sc_path_join(joined, sizeof(joined), dir, n->e.link, &flags) == 0 &&
		    (flags & SC_PATH_ESCAPES))
			return sc_error_set(SC_EINPUT, "layer %u: symlink '/%s' -> '%.200s' points outside the image root",
					    (unsigned)n->e.layer + 1, n->e.path, n->e.link);
	}
	rc = sc_fsview_resolve(v, n->e.path, 1, &t, NULL, 0);
	if (rc == SC_EINPUT)
		return sc_error_set(SC_EINPUT, "layer %u: symlink loop at '/%s' -> '%.200s'",
				    (unsigned)n->e.layer + 1, n->e.path, n->e.link);
	return 0; /* dangling links are legal */
}

int sc_fsview_check_symlinks(const sc_fsview *v)
{
	int rc = sc_fsview_walk(v, check_one, (void *)v);

	return rc;
}
