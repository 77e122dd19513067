/*
 * devpts (/dev/pts) and the terminal character devices /dev/ptmx (5,2) and /dev/tty
 * (5,0). The ptys themselves are in pty.h.
 */
#ifndef FS_DEVPTS_DEVPTS_H
#define FS_DEVPTS_DEVPTS_H

/* Registers the "devpts" filesystem type and the /dev/ptmx and /dev/tty devices
 * (idempotent; devfs_new calls it). */
void devpts_init(void);

#endif
