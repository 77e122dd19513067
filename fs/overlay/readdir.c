/*
 * Merged directory listings: the upper directory's entries (whiteouts dropped) followed
 * by the lower's that no upper entry (or whiteout) hides. An open directory reads a
 * snapshot of the merged list, retaken on a rewind, whose indexes are the getdents
 * cookies, so a position stays meaningful across calls as on the host.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/overlay/internal.h"

void ovl_dirlist_free(struct ovl_dirlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->e[i].name);
	free(l->e);
	l->e = NULL;
	l->n = l->cap = 0;
}

static int dirlist_add(struct ovl_dirlist *l, const char *name, size_t len, uint64_t ino,
		       unsigned type)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 32;
		struct ovl_dirent *ne = realloc(l->e, ncap * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		l->e = ne;
		l->cap = ncap;
	}
	l->e[l->n].name = strndup(name, len);
	if (!l->e[l->n].name)
		return -ENOMEM;
	l->e[l->n].ino = ino;
	l->e[l->n].type = type;
	l->n++;
	return 0;
}

struct list_ctx {
	struct dir_context ctx;
	struct ovl_dirlist *l;
	int err;
};

static bool list_actor(struct dir_context *ctx, const char *name, size_t len, uint64_t ino,
		       unsigned type)
{
	struct list_ctx *lc = container_of(ctx, struct list_ctx, ctx);

	lc->err = dirlist_add(lc->l, name, len, ino, type);
	return lc->err == 0;
}

/* Every entry of a real directory, through its own iterate. */
static int layer_list(struct inode *real, struct ovl_dirlist *l)
{
	struct list_ctx lc = { .ctx.actor = list_actor, .ctx.pos = 2, .l = l };
	struct file *f;
	int err;

	err = file_new(NULL, real, O_RDONLY | O_DIRECTORY, &f);
	if (err < 0)
		return err;
	if (!f->ops || !f->ops->iterate) {
		file_put(f);
		return -ENOTDIR;
	}
	err = f->ops->iterate(f, &lc.ctx);
	file_put(f);
	return err < 0 ? err : lc.err;
}

/* Whether the upper entry name (of d_type type) in udir is a whiteout. */
static bool entry_is_whiteout(struct inode *udir, const char *name, unsigned type)
{
	struct inode *i;
	bool wo;

	if (type != DT_CHR && type != DT_UNKNOWN)
		return false;
	if (ovl_layer_lookup(udir, name, &i) < 0)
		return false;
	wo = ovl_is_whiteout(i);
	inode_put(i);
	return wo;
}

/* A set of names (open addressing over the strings of a list). */
struct name_set {
	const char **slot;
	size_t mask;
};

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static int set_init(struct name_set *s, const struct ovl_dirlist *l)
{
	size_t n = 16;

	while (n < 2 * l->n)
		n *= 2;
	s->slot = calloc(n, sizeof(*s->slot));
	if (!s->slot)
		return -ENOMEM;
	s->mask = n - 1;
	for (size_t i = 0; i < l->n; i++) {
		size_t h = name_hash(l->e[i].name) & s->mask;

		while (s->slot[h])
			h = (h + 1) & s->mask;
		s->slot[h] = l->e[i].name;
	}
	return 0;
}

static bool set_has(const struct name_set *s, const char *name)
{
	for (size_t h = name_hash(name) & s->mask; s->slot[h]; h = (h + 1) & s->mask)
		if (!strcmp(s->slot[h], name))
			return true;
	return false;
}

int ovl_dir_list(struct inode *dir, struct ovl_dirlist *out)
{
	struct ovl_sb *osb = OSB(dir->sb);
	struct ovl_inode *oi = OI(dir);
	struct ovl_dirlist up = { 0 }, lo = { 0 };
	struct name_set set = { 0 };
	int err = 0;

	if (oi->upper) {
		err = layer_list(oi->upper, &up);
		if (err < 0)
			goto out;
	}
	for (size_t i = 0; i < up.n; i++) {
		struct ovl_dirent *e = &up.e[i];
		const struct ovl_meta *m;
		uint64_t ino = e->ino | OVL_UPPER_INO_BIT;

		if (entry_is_whiteout(oi->upper, e->name, e->type))
			continue;
		m = ovl_meta_find(osb, e->ino);
		if (m && m->has_origin)
			ino = m->origin_ino;
		err = dirlist_add(out, e->name, strlen(e->name), ino, e->type);
		if (err < 0)
			goto out;
	}
	if (!oi->lower)
		goto out;
	err = layer_list(oi->lower, &lo);
	if (err < 0)
		goto out;
	if (up.n) {
		err = set_init(&set, &up);
		if (err < 0)
			goto out;
	}
	for (size_t i = 0; i < lo.n; i++) {
		struct ovl_dirent *e = &lo.e[i];

		if (up.n && set_has(&set, e->name))
			continue;
		err = dirlist_add(out, e->name, strlen(e->name), e->ino, e->type);
		if (err < 0)
			goto out;
	}
out:
	free(set.slot);
	ovl_dirlist_free(&up);
	ovl_dirlist_free(&lo);
	if (err < 0)
		ovl_dirlist_free(out);
	return err;
}

int ovl_purge_whiteouts(struct inode *udir)
{
	struct ovl_dirlist l = { 0 };
	int err = layer_list(udir, &l);

	for (size_t i = 0; err == 0 && i < l.n; i++) {
		struct inode *wo;

		if (l.e[i].type != DT_CHR && l.e[i].type != DT_UNKNOWN)
			continue;
		if (ovl_layer_lookup(udir, l.e[i].name, &wo) < 0)
			continue;
		if (ovl_is_whiteout(wo))
			err = udir->iops->unlink(udir, l.e[i].name, wo);
		inode_put(wo);
	}
	ovl_dirlist_free(&l);
	return err;
}

/* ---- open directories ---- */

struct ovl_dir_file {
	struct ovl_dirlist snap;
	bool have_snap;
};

static int ovl_iterate(struct file *f, struct dir_context *ctx)
{
	struct ovl_dir_file *df = f->priv;
	struct ovl_sb *osb = OSB(f->inode->sb);
	int err;

	/* a walk from the start (or a rewind) sees the directory as it is now */
	if (!df->have_snap || ctx->pos == 2) {
		ovl_dirlist_free(&df->snap);
		df->have_snap = false;
		pthread_rwlock_rdlock(&osb->ns_lock);
		err = ovl_dir_list(f->inode, &df->snap);
		pthread_rwlock_unlock(&osb->ns_lock);
		if (err < 0)
			return err;
		df->have_snap = true;
	}
	for (int64_t i = ctx->pos - 2; i >= 0 && (uint64_t)i < df->snap.n; i++) {
		struct ovl_dirent *e = &df->snap.e[i];

		ctx->pos = i + 2;
		if (!ctx->actor(ctx, e->name, strlen(e->name), e->ino, e->type))
			return 0;
		ctx->pos = i + 3;
	}
	return 0;
}

static void ovl_dir_release(struct file *f)
{
	struct ovl_dir_file *df = f->priv;

	if (!df)
		return;
	ovl_dirlist_free(&df->snap);
	free(df);
}

int ovl_dir_open(struct file *f)
{
	f->priv = calloc(1, sizeof(struct ovl_dir_file));
	return f->priv ? 0 : -ENOMEM;
}

const struct file_ops ovl_dir_fops = {
	.iterate = ovl_iterate,
	.release = ovl_dir_release,
};
