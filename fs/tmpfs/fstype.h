/* tmpfs as a filesystem type mount(2) can name ("tmpfs"). */
#ifndef FS_TMPFS_FSTYPE_H
#define FS_TMPFS_FSTYPE_H

/* Registers the type: once, at boot, before any guest runs. -EEXIST if it already is. */
int tmpfs_register_fstype(void);

#endif
