/*
 * Just enough of the mm and VFS contracts for loader_load() to run in a unit test: files
 * are host files opened by host path, and an mm is a list of VMAs plus the pages the
 * loader wrote (other pages read from the mapped file or as zeros). The real mm and VFS
 * are tested on their own; this checks what the loader asks of them.
 */
#ifndef TESTS_UNIT_LOADER_FAKE_H
#define TESTS_UNIT_LOADER_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/util.h"
#include "sentry/mm/mm.h"

struct mm;
struct file;

#define FAKE_MAX_VMAS 256

struct fake_vma {
	uaddr_t start, end;
	int prot, flags;
	struct file *file; /* +1 */
	uint64_t off;
};

struct mm *fake_mm_new(uaddr_t task_size, uaddr_t mmap_base);
void fake_mm_free(struct mm *mm);
/* VMAs sorted by address. */
size_t fake_mm_vmas(struct mm *mm, const struct fake_vma **out);
uaddr_t fake_mm_brk(struct mm *mm);
/* Reads guest memory as the guest would see it. 0 or -EFAULT. */
int fake_mm_read(struct mm *mm, uaddr_t addr, void *buf, size_t len);

/* What the loader last recorded with mm_set_exe_info (procfs's cmdline, environ, exe). */
extern struct mm_exe_info fake_exe_info;

/* The host path a fake file was opened with, and its open flags. */
const char *fake_file_path(struct file *f);
int fake_file_flags(struct file *f);
/* Open files not yet put: 0 after a test that released everything. */
int fake_live_files(void);
/* Paths under this prefix are on a "noexec" mount (NULL: none). */
void fake_set_noexec_prefix(const char *prefix);

#endif
