/*
 * The overlay superblock's two tables: the registry of live overlay inodes by
 * (parent, name) and the per-upper-inode metadata (copy-up origin, opacity). Both are
 * chained hash tables that double when they fill up.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fs/overlay/internal.h"

static uint64_t reg_hash(const struct inode *parent, const char *name)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)(uintptr_t)parent;

	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 1099511628211ULL;
	return h;
}

/* A reference unless the inode is already on its way out (its last put is running). */
static bool inode_get_unless_zero(struct inode *inode)
{
	int old = __atomic_load_n(&inode->ref.count, __ATOMIC_RELAXED);

	while (old > 0) {
		if (__atomic_compare_exchange_n(&inode->ref.count, &old, old + 1, false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			return true;
	}
	return false;
}

/* Doubles the registry; on ENOMEM the chains just get longer. Under reg_lock. */
static void reg_grow(struct ovl_sb *osb)
{
	size_t nb = osb->reg_nb ? osb->reg_nb * 2 : 256;
	struct ovl_inode **b, *oi, *next;

	if (osb->reg_n < osb->reg_nb)
		return;
	b = calloc(nb, sizeof(*b));
	if (!b)
		return;
	for (size_t i = 0; i < osb->reg_nb; i++) {
		for (oi = osb->reg[i]; oi; oi = next) {
			uint64_t h = reg_hash(oi->parent, oi->name) & (nb - 1);

			next = oi->reg_next;
			oi->reg_next = b[h];
			b[h] = oi;
		}
	}
	free(osb->reg);
	osb->reg = b;
	osb->reg_nb = nb;
}

struct inode *ovl_reg_find(struct ovl_sb *osb, struct inode *parent, const char *name)
{
	struct inode *found = NULL;
	struct ovl_inode *oi;

	pthread_mutex_lock(&osb->reg_lock);
	if (osb->reg_nb) {
		oi = osb->reg[reg_hash(parent, name) & (osb->reg_nb - 1)];
		for (; oi; oi = oi->reg_next) {
			if (oi->parent == parent && !strcmp(oi->name, name) &&
			    inode_get_unless_zero(oi->vfs)) {
				found = oi->vfs;
				break;
			}
		}
	}
	pthread_mutex_unlock(&osb->reg_lock);
	return found;
}

static void reg_add_locked(struct ovl_sb *osb, struct ovl_inode *oi)
{
	uint64_t h;

	reg_grow(osb);
	if (!osb->reg_nb)
		return; /* no table at all: the inode just can't be found by name */
	h = reg_hash(oi->parent, oi->name) & (osb->reg_nb - 1);
	oi->reg_next = osb->reg[h];
	osb->reg[h] = oi;
	oi->registered = true;
	osb->reg_n++;
}

static void reg_remove_locked(struct ovl_sb *osb, struct ovl_inode *oi)
{
	struct ovl_inode **pp;

	if (!oi->registered)
		return;
	pp = &osb->reg[reg_hash(oi->parent, oi->name) & (osb->reg_nb - 1)];
	while (*pp != oi)
		pp = &(*pp)->reg_next;
	*pp = oi->reg_next;
	oi->registered = false;
	osb->reg_n--;
}

void ovl_reg_add(struct ovl_sb *osb, struct ovl_inode *oi)
{
	if (!oi->parent)
		return; /* the root has no name */
	pthread_mutex_lock(&osb->reg_lock);
	reg_add_locked(osb, oi);
	pthread_mutex_unlock(&osb->reg_lock);
}

void ovl_reg_remove(struct ovl_sb *osb, struct ovl_inode *oi)
{
	pthread_mutex_lock(&osb->reg_lock);
	reg_remove_locked(osb, oi);
	pthread_mutex_unlock(&osb->reg_lock);
}

int ovl_reg_move(struct ovl_sb *osb, struct ovl_inode *oi, struct inode *parent, const char *name)
{
	char *n = strdup(name);
	struct inode *old_parent;

	if (!n)
		return -ENOMEM;
	inode_get(parent);
	pthread_mutex_lock(&osb->reg_lock);
	reg_remove_locked(osb, oi);
	old_parent = oi->parent;
	oi->parent = parent;
	free(oi->name);
	oi->name = n;
	reg_add_locked(osb, oi);
	pthread_mutex_unlock(&osb->reg_lock);
	inode_put(old_parent);
	return 0;
}

/* ---- metadata ---- */

static struct ovl_meta *meta_lookup(struct ovl_sb *osb, uint64_t ino)
{
	struct ovl_meta *m;

	if (!osb->meta_nb)
		return NULL;
	for (m = osb->meta[ino & (osb->meta_nb - 1)]; m; m = m->next)
		if (m->upper_ino == ino)
			return m;
	return NULL;
}

const struct ovl_meta *ovl_meta_find(struct ovl_sb *osb, uint64_t upper_ino)
{
	return meta_lookup(osb, upper_ino);
}

bool ovl_meta_opaque(struct ovl_sb *osb, uint64_t upper_ino)
{
	const struct ovl_meta *m = meta_lookup(osb, upper_ino);

	return m && m->opaque;
}

static void meta_grow(struct ovl_sb *osb)
{
	size_t nb = osb->meta_nb ? osb->meta_nb * 2 : 256;
	struct ovl_meta **b, *m, *next;

	if (osb->meta_n < osb->meta_nb)
		return;
	b = calloc(nb, sizeof(*b));
	if (!b)
		return;
	for (size_t i = 0; i < osb->meta_nb; i++) {
		for (m = osb->meta[i]; m; m = next) {
			next = m->next;
			m->next = b[m->upper_ino & (nb - 1)];
			b[m->upper_ino & (nb - 1)] = m;
		}
	}
	free(osb->meta);
	osb->meta = b;
	osb->meta_nb = nb;
}

static struct ovl_meta *meta_get(struct ovl_sb *osb, uint64_t ino)
{
	struct ovl_meta *m = meta_lookup(osb, ino);

	if (m)
		return m;
	meta_grow(osb);
	if (!osb->meta_nb)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->upper_ino = ino;
	m->next = osb->meta[ino & (osb->meta_nb - 1)];
	osb->meta[ino & (osb->meta_nb - 1)] = m;
	osb->meta_n++;
	return m;
}

int ovl_meta_set_origin(struct ovl_sb *osb, uint64_t upper_ino, uint64_t origin_ino)
{
	struct ovl_meta *m = meta_get(osb, upper_ino);

	if (!m)
		return -ENOMEM;
	m->origin_ino = origin_ino;
	m->has_origin = true;
	return 0;
}

int ovl_meta_set_opaque(struct ovl_sb *osb, uint64_t upper_ino)
{
	struct ovl_meta *m = meta_get(osb, upper_ino);

	if (!m)
		return -ENOMEM;
	m->opaque = true;
	return 0;
}

void ovl_meta_drop(struct ovl_sb *osb, uint64_t upper_ino)
{
	struct ovl_meta **pp, *m;

	if (!osb->meta_nb)
		return;
	for (pp = &osb->meta[upper_ino & (osb->meta_nb - 1)]; (m = *pp); pp = &m->next) {
		if (m->upper_ino == upper_ino) {
			*pp = m->next;
			free(m);
			osb->meta_n--;
			return;
		}
	}
}

void ovl_tables_free(struct ovl_sb *osb)
{
	for (size_t i = 0; i < osb->meta_nb; i++) {
		struct ovl_meta *m, *next;

		for (m = osb->meta[i]; m; m = next) {
			next = m->next;
			free(m);
		}
	}
	free(osb->meta);
	free(osb->reg);
}
