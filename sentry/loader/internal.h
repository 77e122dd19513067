/* Loader internals shared by loader.c (exec flow, #!, stack) and load_elf.c (mapping). */
#ifndef SENTRY_LOADER_INTERNAL_H
#define SENTRY_LOADER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "common/util.h"
#include "sentry/loader/elf.h"
#include "sentry/loader/script.h"

struct mm;
struct file;
struct fs_view;
struct path;
struct vfs_cred;

/*
 * #! rewrites allowed before -ELOOP. Linux's exec_binprm() gives up when depth > 5, so
 * five scripts may chain before the final binary (checked on the host: a sixth fails).
 */
#define LOADER_MAX_DEPTH 5

/* An executable opened for loading: a regular file on an exec mount that we may run. */
struct loader_file {
	struct file *f; /* +1 */
	uint64_t size;
	unsigned char head[LOADER_BINPRM_BUF_SIZE];
	size_t head_len;
};

/* An ELF file being loaded: its validated headers and, once mapped, where it went. */
struct loader_elf {
	struct elf_info info;
	void *phdrs; /* info.phnum raw program headers (malloc) */
	uint64_t bias; /* added to every p_vaddr */
	uaddr_t entry; /* biased e_entry */
	uaddr_t brk; /* page-aligned biased end of the highest segment */
};

/* How an ELF is placed. */
enum loader_place {
	LOADER_PLACE_MAIN, /* the program: ET_EXEC fixed, PIE at the ET_DYN base */
	LOADER_PLACE_INTERP, /* the dynamic loader: ET_DYN wherever mmap puts it */
};

/* Opens path for exec and reads its first bytes. 0 or -errno (-EACCES: not a regular
 * file, noexec mount, no exec permission). */
int loader_open_exec(struct fs_view *fs, const struct vfs_cred *cred, const char *path,
		     struct loader_file *lf);
/* The same from start (NULL: the cwd) with extra open flags (O_NOFOLLOW); or, if file is
 * set, that file (execveat's AT_EMPTY_PATH; a new reference is taken). */
int loader_open_exec_at(struct fs_view *fs, const struct vfs_cred *cred, const struct path *start,
			const char *name, int oflags, struct file *file, struct loader_file *lf);
void loader_file_release(struct loader_file *lf);
/* Reads exactly len bytes at pos. 0, -EIO on a short read, or -errno. */
int loader_read_exact(struct file *f, void *buf, size_t len, uint64_t pos);

/* Validates lf's ELF headers into e (reads the program headers). 0, -ENOEXEC, -EIO,
 * -ENOMEM. loader_elf_release() frees what it allocated, also on failure. */
int loader_elf_prepare(const struct loader_file *lf, struct loader_elf *e);
void loader_elf_release(struct loader_elf *e);
/* Reads e's PT_INTERP path into buf (ELF_INTERP_MAX bytes). 0 or -ENOEXEC / -EIO. */
int loader_elf_interp_path(const struct loader_file *lf, const struct loader_elf *e, char *buf);
/* Maps e's segments into mm below limit (the stack's bottom). 0 or -errno. */
int loader_elf_map(struct mm *mm, const struct loader_file *lf, struct loader_elf *e,
		   enum loader_place place, uaddr_t limit);

#endif
