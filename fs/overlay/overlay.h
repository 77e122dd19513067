/*
 * overlay: the sandbox's root filesystem. An in-memory upper layer (a tmpfs) over a
 * read-only lower layer (the gofer-served host root), with Linux overlayfs semantics:
 * lookups merge (upper wins), writes copy the file up first, removals of lower entries
 * leave whiteouts, a directory made where a whiteout was is opaque, and directories with
 * lower content are renamed by copying their subtree up. The lower layer is never
 * written.
 */
#ifndef FS_OVERLAY_OVERLAY_H
#define FS_OVERLAY_OVERLAY_H

struct super_block;
struct inode;

/*
 * A new overlay of upper_root (an empty, writable directory; its mode and owner are set to
 * the lower root's) over lower_root: +1 sb and +1 root inode. Takes its own references
 * on both layers.
 */
int ovl_new(struct inode *upper_root, struct inode *lower_root, struct super_block **sb,
	    struct inode **root);

#endif
