/*
 * Guest address spaces. An mm holds the guest's VMAs (what it asked for) and, per page,
 * the memory-file page backing it; the platform address space (plat_as) maps those
 * pages on demand when the guest faults. Private pages are shared read-only after fork
 * and copied on the first write (COW).
 *
 * Every guest pointer is untrusted: mm_copy_in/out check the VMAs and return -EFAULT
 * rather than touch anything that isn't the guest's; they read and write through the
 * sentry's mapping of the memory file, never through the platform.
 *
 * Lock order: mm->lock (rwlock: VMAs and page table) -> memfile lock.
 */
#ifndef SENTRY_MM_MM_H
#define SENTRY_MM_MM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "common/util.h"
#include "platform/platform.h"

struct mm;
struct file;

/* Creates an empty address space on platform p. +1. */
int mm_new(struct platform *p, struct mm **out);
void mm_get(struct mm *mm);
void mm_put(struct mm *mm);
/* fork(): a copy of src whose private pages are shared copy-on-write. +1. */
int mm_fork(struct mm *src, struct mm **out);
struct plat_as *mm_plat_as(struct mm *mm);

/* The address-space layout limits the loader and mmap use. */
uaddr_t mm_task_size(struct mm *mm); /* highest guest address + 1 */
uaddr_t mm_mmap_base(struct mm *mm); /* top of the mmap area (grows down) */
void mm_set_mmap_base(struct mm *mm, uaddr_t base);

/* mmap(2): flags are the guest's MAP_* flags; file is NULL for anonymous maps (the mm
 * takes its own file reference). Returns the address or -errno. */
long mm_mmap(struct mm *mm, uaddr_t addr, uint64_t len, int prot, int flags, struct file *file,
	     uint64_t off);
int mm_munmap(struct mm *mm, uaddr_t addr, uint64_t len);
int mm_mprotect(struct mm *mm, uaddr_t addr, uint64_t len, int prot);
long mm_mremap(struct mm *mm, uaddr_t old, uint64_t old_len, uint64_t new_len, int flags,
	       uaddr_t new_addr);
int mm_madvise(struct mm *mm, uaddr_t addr, uint64_t len, int advice);
int mm_msync(struct mm *mm, uaddr_t addr, uint64_t len, int flags);
int mm_mincore(struct mm *mm, uaddr_t addr, uint64_t len, uint8_t *vec);
/* brk(2): the new break (or the old one if the request fails). */
uaddr_t mm_brk(struct mm *mm, uaddr_t brk);
/* Sets the initial break after loading (start = end of the data segment). */
void mm_set_brk_start(struct mm *mm, uaddr_t start);

/* A file shrank: file pages [first_pgoff, end_pgoff) of inode leave every address space
 * that maps them, so a later access faults to the file again (SIGBUS past its end).
 * Preconditions: the caller holds no mm lock and no lock a page fault takes (inode->lock). */
struct inode;
void mm_zap_file_range(struct inode *inode, uint64_t first_pgoff, uint64_t end_pgoff);
/* Whether some address space maps inode shared and writable (F_SEAL_WRITE's -EBUSY).
 * Preconditions: as mm_zap_file_range. */
bool mm_file_mapped_writable(struct inode *inode);

/* Handles a guest fault at addr: maps the page (allocating or copying it) and returns 0,
 * or returns -EFAULT (no VMA: SIGSEGV/SEGV_MAPERR) or -EACCES (protection:
 * SEGV_ACCERR). write: 1 if the access is known to be a write. */
int mm_handle_fault(struct mm *mm, uaddr_t addr, int write);

/* Copies between guest memory and the sentry. 0 or -EFAULT (nothing partial is
 * reported: a short copy is a fault). */
int mm_copy_in(struct mm *mm, uaddr_t src, void *dst, size_t n);
int mm_copy_out(struct mm *mm, uaddr_t dst, const void *src, size_t n);
/* Like copy_out but ignores VMA write protection (the loader writing into its own
 * read-only segments, ptrace pokes). */
int mm_copy_out_force(struct mm *mm, uaddr_t dst, const void *src, size_t n);
/* Copies a NUL-terminated string, at most max bytes incl. NUL. Length or -EFAULT /
 * -ENAMETOOLONG. */
long mm_strncpy_in(struct mm *mm, uaddr_t src, char *dst, size_t max);

/*
 * Pins guest range [addr, addr+len) and describes it as host iovecs into the sentry's
 * mapping of the memory file, for file I/O straight into guest memory. write: the
 * sentry will write into the range (guest read(2)). On success, *niov is set and a
 * pin is held that mm_unpin_iov releases. If the range is only partly valid, the
 * valid prefix is returned (len is shortened); -EFAULT if not even the first byte is.
 */
struct mm_pin {
	uint64_t *pages; /* memory-file offsets of pinned pages */
	size_t npages;
	uint64_t inline_pages[16];
};
int mm_pin_iov(struct mm *mm, uaddr_t addr, size_t *len, bool write, struct iovec *iov, int max_iov,
	       int *niov, struct mm_pin *pin);
void mm_unpin_iov(struct mm_pin *pin);

/* For shared futexes: 1 and the memory-file offset of the word when addr lies in a shared
 * mapping (so every mm mapping it agrees), 0 when it is private memory, -EFAULT if
 * unmapped. */
int mm_futex_shared_key(struct mm *mm, uaddr_t addr, uint64_t *off);

/* /proc/self/maps-style dump for debugging and procfs. */
int mm_for_each_vma(struct mm *mm,
		    int (*fn)(void *arg, uaddr_t start, uaddr_t end, int prot, int flags,
			      struct file *file, uint64_t off),
		    void *arg);

/* What /proc/[pid]/{exe,cmdline,environ,stat} show: set at exec, inherited by fork. */
struct mm_exe_info {
	struct file *exe; /* +1 (in the mm), NULL before the first exec */
	uaddr_t arg_start, arg_end, env_start, env_end, start_stack;
};
/* Records info (the mm takes its own reference on info->exe). */
void mm_set_exe_info(struct mm *mm, const struct mm_exe_info *info);
/* A copy of the info whose exe (if any) is a +1 reference for the caller. */
void mm_get_exe_info(struct mm *mm, struct mm_exe_info *out);
/* The program break area [brk_start, brk_end). */
uaddr_t mm_brk_start(struct mm *mm);
uaddr_t mm_brk_end(struct mm *mm);

/* One VMA as /proc/[pid]/maps and smaps show it. */
struct mm_vma_info {
	uaddr_t start, end;
	int prot, flags;
	struct file *file; /* +1 in a snapshot, NULL for anonymous memory */
	uint64_t off;
	const char *name; /* "[heap]", "[stack]" or NULL (static string) */
	uint64_t rss_pages; /* pages present */
};
/* A snapshot of the VMAs in address order (a malloc'd array the caller releases with
 * mm_vma_snapshot_free). 0 or -ENOMEM. */
int mm_vma_snapshot(struct mm *mm, struct mm_vma_info **out, size_t *n);
void mm_vma_snapshot_free(struct mm_vma_info *v, size_t n);

/* A run of memory-file pages the sentry owns (the vDSO, vvar), mapped into a guest. */
struct mm_special {
	uint64_t memfile_off; /* first page (the caller keeps its own references) */
	uint64_t npages;
	int prot;
	bool shared; /* MAP_SHARED: the sentry's later writes show (vvar) */
	bool no_write; /* never writable, not even through mprotect or ptrace */
	const char *name; /* "[vdso]": a static string */
};
/* Maps segs[0..n) back to back, top-down in the mmap area; *out = the first's address.
 * 0, -ENOMEM. */
int mm_map_special(struct mm *mm, const struct mm_special *segs, size_t n, uaddr_t *out);

/* Statistics. */
uint64_t mm_vm_size(struct mm *mm);
uint64_t mm_rss_pages(struct mm *mm);

#endif
