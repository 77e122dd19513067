/* Private declarations shared by synth.c and synth_file.c. */
#ifndef FS_SYNTH_INTERNAL_H
#define FS_SYNTH_INTERNAL_H

#include "fs/synth/synth.h"
#include "fs/vfs/vfs.h"

extern const struct inode_ops synth_iops, synth_magic_iops;
extern const struct file_ops synth_dir_fops, synth_file_fops;

/* inode_ops.open: builds a regular file's content (show) into the open file. */
int synth_open(struct inode *inode, struct file *f);

#endif
