/*
 * Fakes of the mm and VFS functions the loader calls (see fake.h). Deliberately strict
 * where the real ones are: fixed maps must be page-aligned and above 64 KiB, copies
 * must land in mapped memory, every file reference must be put.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/vfs/vfs.h"
#include "sentry/mm/mm.h"
#include "sentry/vdso/vdso.h"
#include "tests/unit/loader/fake.h"

#define FAKE_MIN_ADDR 0x10000UL
#define FAKE_MAX_PAGES 4096

struct fake_file {
	struct file f; /* first: a struct file * is a struct fake_file * */
	struct inode inode;
	struct mount mnt;
	int fd;
	int refs;
	char path[4096];
};

struct fake_page {
	uaddr_t addr;
	unsigned char data[PAGE_SIZE];
};

struct mm {
	uaddr_t task_size, mmap_base, brk;
	struct fake_vma v[FAKE_MAX_VMAS];
	size_t n;
	struct fake_page *pages[FAKE_MAX_PAGES];
	size_t npages;
};

static int live_files;
static const char *noexec_prefix;

/* ---- VFS ---- */

void fake_set_noexec_prefix(const char *prefix)
{
	noexec_prefix = prefix;
}

int fake_live_files(void)
{
	return live_files;
}

const char *fake_file_path(struct file *f)
{
	return ((struct fake_file *)f)->path;
}

int fake_file_flags(struct file *f)
{
	return (int)f->flags;
}

int vfs_openat(struct fs_view *v, const struct path *start, const char *name, int flags,
	       uint32_t mode, const struct vfs_cred *c, struct file **out)
{
	struct fake_file *ff;
	int fd;

	if (start)
		return -EINVAL; /* the loader always resolves from the cwd */
	fd = open(name, flags | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	ff = calloc(1, sizeof(*ff));
	if (!ff) {
		close(fd);
		return -ENOMEM;
	}
	ff->fd = fd;
	ff->refs = 1;
	ff->f.flags = (unsigned)flags;
	ff->f.inode = &ff->inode;
	ff->f.path.mnt = &ff->mnt;
	snprintf(ff->path, sizeof(ff->path), "%s", name);
	if (noexec_prefix && !strncmp(name, noexec_prefix, strlen(noexec_prefix)))
		ff->mnt.flags = MS_NOEXEC;
	live_files++;
	*out = &ff->f;
	return 0;
}

int vfs_fstat(struct file *f, struct kstat *st)
{
	struct fake_file *ff = (struct fake_file *)f;
	struct stat hs;

	if (fstat(ff->fd, &hs) < 0)
		return -errno;
	memset(st, 0, sizeof(*st));
	st->mode = hs.st_mode;
	st->size = hs.st_size;
	st->ino = hs.st_ino;
	ff->inode.mode = hs.st_mode;
	return 0;
}

int vfs_permission(struct inode *inode, int mask, const struct vfs_cred *c)
{
	/* Root's rule for exec: some x bit must be set. */
	if ((mask & MAY_EXEC) && !(inode->mode & 0111))
		return -EACCES;
	return 0;
}

ssize_t vfs_kernel_read(struct file *f, void *buf, size_t len, int64_t pos)
{
	ssize_t n = pread(((struct fake_file *)f)->fd, buf, len, pos);

	return n < 0 ? -errno : n;
}

void file_get(struct file *f)
{
	((struct fake_file *)f)->refs++;
}

void file_put(struct file *f)
{
	struct fake_file *ff = (struct fake_file *)f;

	if (--ff->refs > 0)
		return;
	close(ff->fd);
	free(ff);
	live_files--;
}

/* ---- mm ---- */

struct mm *fake_mm_new(uaddr_t task_size, uaddr_t mmap_base)
{
	struct mm *mm = calloc(1, sizeof(*mm));

	if (!mm)
		abort();
	mm->task_size = task_size;
	mm->mmap_base = mmap_base;
	return mm;
}

static void fake_drop_pages(struct mm *mm, uaddr_t start, uaddr_t end)
{
	size_t j = 0;

	for (size_t i = 0; i < mm->npages; i++) {
		if (mm->pages[i]->addr >= start && mm->pages[i]->addr < end)
			free(mm->pages[i]);
		else
			mm->pages[j++] = mm->pages[i];
	}
	mm->npages = j;
}

/* Removes [start, end) from the VMA list, splitting VMAs that straddle it. */
static void fake_unmap(struct mm *mm, uaddr_t start, uaddr_t end)
{
	struct fake_vma out[FAKE_MAX_VMAS];
	size_t n = 0;

	for (size_t i = 0; i < mm->n; i++) {
		struct fake_vma v = mm->v[i];

		if (v.end <= start || v.start >= end) {
			out[n++] = v;
			continue;
		}
		if (v.start < start) {
			out[n] = v;
			out[n].end = start;
			if (v.file)
				file_get(v.file);
			n++;
		}
		if (v.end > end) {
			out[n] = v;
			out[n].start = end;
			if (v.file) {
				out[n].off += end - v.start;
				file_get(v.file);
			}
			n++;
		}
		if (v.file)
			file_put(v.file);
	}
	memcpy(mm->v, out, n * sizeof(out[0]));
	mm->n = n;
	fake_drop_pages(mm, start, end);
}

static void fake_insert(struct mm *mm, const struct fake_vma *v)
{
	size_t i = 0;

	if (mm->n == FAKE_MAX_VMAS)
		abort();
	while (i < mm->n && mm->v[i].start < v->start)
		i++;
	memmove(&mm->v[i + 1], &mm->v[i], (mm->n - i) * sizeof(*v));
	mm->v[i] = *v;
	mm->n++;
}

static bool fake_free_range(struct mm *mm, uaddr_t start, uaddr_t end)
{
	for (size_t i = 0; i < mm->n; i++)
		if (mm->v[i].start < end && mm->v[i].end > start)
			return false;
	return true;
}

void fake_mm_free(struct mm *mm)
{
	fake_unmap(mm, 0, ~0UL);
	free(mm);
}

size_t fake_mm_vmas(struct mm *mm, const struct fake_vma **out)
{
	*out = mm->v;
	return mm->n;
}

uaddr_t fake_mm_brk(struct mm *mm)
{
	return mm->brk;
}

uaddr_t mm_task_size(struct mm *mm)
{
	return mm->task_size;
}

uaddr_t mm_mmap_base(struct mm *mm)
{
	return mm->mmap_base;
}

void mm_set_mmap_base(struct mm *mm, uaddr_t base)
{
	mm->mmap_base = base;
}

void mm_set_brk_start(struct mm *mm, uaddr_t start)
{
	mm->brk = start;
}

/* The last exec record, for tests (no reference is taken on the file). */
struct mm_exe_info fake_exe_info;

void mm_set_exe_info(struct mm *mm, const struct mm_exe_info *info)
{
	(void)mm;
	fake_exe_info = *info;
}

long mm_mmap(struct mm *mm, uaddr_t addr, uint64_t len, int prot, int flags, struct file *file,
	     uint64_t off)
{
	struct fake_vma v = { 0 };

	if (!len || (off & (PAGE_SIZE - 1)) || (flags & 0x0f) != MAP_PRIVATE)
		return -EINVAL;
	len = PAGE_ALIGN_UP(len);
	if (flags & MAP_ANONYMOUS)
		file = NULL;
	else if (!file)
		return -EBADF;
	if (flags & MAP_FIXED) {
		if (addr & (PAGE_SIZE - 1))
			return -EINVAL;
		if (addr < FAKE_MIN_ADDR)
			return -EPERM;
		if (len > mm->task_size || addr > mm->task_size - len)
			return -ENOMEM;
		fake_unmap(mm, addr, addr + len);
	} else {
		if (addr)
			return -EINVAL; /* the loader never hints */
		for (addr = mm->mmap_base - len; addr >= FAKE_MIN_ADDR; addr -= PAGE_SIZE)
			if (fake_free_range(mm, addr, addr + len))
				break;
		if (addr < FAKE_MIN_ADDR)
			return -ENOMEM;
	}
	v.start = addr;
	v.end = addr + len;
	v.prot = prot;
	v.flags = flags & ~MAP_FIXED;
	v.file = file;
	v.off = file ? off : 0;
	if (file)
		file_get(file);
	fake_insert(mm, &v);
	return (long)addr;
}

int mm_munmap(struct mm *mm, uaddr_t addr, uint64_t len)
{
	if ((addr & (PAGE_SIZE - 1)) || !len)
		return -EINVAL;
	fake_unmap(mm, addr, addr + PAGE_ALIGN_UP(len));
	return 0;
}

static const struct fake_vma *fake_find(struct mm *mm, uaddr_t a)
{
	for (size_t i = 0; i < mm->n; i++)
		if (a >= mm->v[i].start && a < mm->v[i].end)
			return &mm->v[i];
	return NULL;
}

/* The page at a (page-aligned) as the guest sees it, materialized if create. */
static unsigned char *fake_page(struct mm *mm, uaddr_t a, bool create, unsigned char *tmp)
{
	const struct fake_vma *v = fake_find(mm, a);
	unsigned char *dst = tmp;
	struct fake_page *p;

	if (!v)
		return NULL;
	for (size_t i = 0; i < mm->npages; i++)
		if (mm->pages[i]->addr == a)
			return mm->pages[i]->data;
	if (create) {
		if (mm->npages == FAKE_MAX_PAGES)
			abort();
		p = calloc(1, sizeof(*p));
		if (!p)
			abort();
		p->addr = a;
		mm->pages[mm->npages++] = p;
		dst = p->data;
	}
	memset(dst, 0, PAGE_SIZE);
	if (v->file) {
		/* Past EOF reads as zeros here (the real mm faults with SIGBUS). */
		ssize_t n = pread(((struct fake_file *)v->file)->fd, dst, PAGE_SIZE,
				  (off_t)(v->off + (a - v->start)));

		(void)n;
	}
	return dst;
}

static int fake_copy(struct mm *mm, uaddr_t addr, void *buf, size_t len, bool write)
{
	unsigned char tmp[PAGE_SIZE];

	while (len) {
		uaddr_t page = PAGE_ALIGN_DOWN(addr);
		size_t chunk = MIN(len, PAGE_SIZE - (addr - page));
		unsigned char *p = fake_page(mm, page, write, tmp);

		if (!p)
			return -EFAULT;
		if (write)
			memcpy(p + (addr - page), buf, chunk);
		else
			memcpy(buf, p + (addr - page), chunk);
		addr += chunk;
		buf = (char *)buf + chunk;
		len -= chunk;
	}
	return 0;
}

int mm_copy_out_force(struct mm *mm, uaddr_t dst, const void *src, size_t n)
{
	return fake_copy(mm, dst, (void *)src, n, true);
}

int fake_mm_read(struct mm *mm, uaddr_t addr, void *buf, size_t len)
{
	return fake_copy(mm, addr, buf, len, false);
}

/* ---- vdso ---- */

/* The vDSO needs the memory file: these tests load programs without one (no
 * AT_SYSINFO_EHDR), as a kernel without a vDSO would. */
int vdso_map(struct mm *mm, uaddr_t *base)
{
	*base = 0;
	return 0;
}
