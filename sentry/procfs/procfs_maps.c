/*
 * /proc/[pid]/maps and smaps, laid out as Linux's show_map_vma() does, and the memory
 * figures status, stat and statm share.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fs/vfs/vfs.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/procfs/procfs_maps.h"
#include "sentry/procfs/procfs_internal.h"

static bool vma_is_exe(const struct mm_vma_info *v, const struct file *exe)
{
	return exe && v->file && v->file->inode == exe->inode;
}

int procfs_mm_stats(struct mm *mm, struct procfs_mm_stats *st)
{
	struct mm_exe_info ei;
	struct mm_vma_info *v;
	size_t n;
	int err;

	memset(st, 0, sizeof(*st));
	if (!mm)
		return 0;
	err = mm_vma_snapshot(mm, &v, &n);
	if (err)
		return err;
	mm_get_exe_info(mm, &ei);
	for (size_t i = 0; i < n; i++) {
		uint64_t kb = (v[i].end - v[i].start) >> 10;
		uint64_t rss_kb = v[i].rss_pages * (PAGE_SIZE >> 10);
		bool stack = v[i].name && strcmp(v[i].name, "[stack]") == 0;

		st->vm_kb += kb;
		st->rss_kb += rss_kb;
		if (v[i].file)
			st->file_kb += rss_kb;
		else
			st->anon_kb += rss_kb;
		if (stack) {
			st->stk_kb += kb;
		} else if ((v[i].prot & PROT_EXEC) && v[i].file) {
			if (vma_is_exe(&v[i], ei.exe)) {
				st->exe_kb += kb;
				if (!st->start_code)
					st->start_code = v[i].start;
				st->end_code = v[i].end;
			} else {
				st->lib_kb += kb;
			}
		} else if ((v[i].prot & PROT_WRITE) && (v[i].flags & MAP_PRIVATE)) {
			st->data_kb += kb;
			if (vma_is_exe(&v[i], ei.exe)) {
				if (!st->start_data)
					st->start_data = v[i].start;
				st->end_data = v[i].end;
			}
		}
	}
	st->start_stack = ei.start_stack;
	st->arg_start = ei.arg_start;
	st->arg_end = ei.arg_end;
	st->env_start = ei.env_start;
	st->env_end = ei.env_end;
	st->start_brk = mm_brk_start(mm);
	st->brk = mm_brk_end(mm);
	if (ei.exe)
		file_put(ei.exe);
	mm_vma_snapshot_free(v, n);
	return 0;
}

/* The path column: a file's name as the reader sees it, or the VMA's kind. */
static void vma_path(const struct mm_vma_info *v, const struct path *root, char *buf, size_t len)
{
	buf[0] = '\0';
	if (v->file) {
		if (v->file->path.mnt && vfs_d_path(root, &v->file->path, buf, len) > 0)
			return;
		snprintf(buf, len, "/memfd: (deleted)");
		return;
	}
	if (v->name)
		snprintf(buf, len, "%s", v->name);
}

static void show_vma_line(struct synth_buf *b, const struct mm_vma_info *v, const char *path)
{
	uint64_t dev = 0, ino = 0;
	int len;

	if (v->file) {
		dev = v->file->inode->sb->dev;
		ino = v->file->inode->ino;
	}
	/* Linux pads the inode column so that paths start at column 73. */
	len = (int)b->len;
	synth_printf(b, "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu ",
		     (unsigned long long)v->start, (unsigned long long)v->end,
		     (v->prot & PROT_READ) ? 'r' : '-', (v->prot & PROT_WRITE) ? 'w' : '-',
		     (v->prot & PROT_EXEC) ? 'x' : '-', (v->flags & MAP_SHARED) ? 's' : 'p',
		     (unsigned long long)(v->file ? v->off : 0), major(dev), minor(dev),
		     (unsigned long long)ino);
	len = (int)b->len - len;
	if (path[0]) {
		if (len < 73)
			synth_printf(b, "%*s", 73 - len, "");
		synth_puts(b, path);
	}
	synth_puts(b, "\n");
}

static void show_smaps_extra(struct synth_buf *b, const struct mm_vma_info *v)
{
	uint64_t kb = (v->end - v->start) >> 10;
	uint64_t rss = v->rss_pages * (PAGE_SIZE >> 10);
	bool shared = v->flags & MAP_SHARED;

	synth_printf(b,
		     "Size:           %8llu kB\n"
		     "KernelPageSize:        4 kB\n"
		     "MMUPageSize:           4 kB\n"
		     "Rss:            %8llu kB\n"
		     "Pss:            %8llu kB\n"
		     "Pss_Dirty:      %8llu kB\n"
		     "Shared_Clean:          0 kB\n"
		     "Shared_Dirty:   %8llu kB\n"
		     "Private_Clean:         0 kB\n"
		     "Private_Dirty:  %8llu kB\n"
		     "Referenced:     %8llu kB\n"
		     "Anonymous:      %8llu kB\n"
		     "KSM:                   0 kB\n"
		     "LazyFree:              0 kB\n"
		     "AnonHugePages:         0 kB\n"
		     "ShmemPmdMapped:        0 kB\n"
		     "FilePmdMapped:         0 kB\n"
		     "Shared_Hugetlb:        0 kB\n"
		     "Private_Hugetlb:       0 kB\n"
		     "Swap:                  0 kB\n"
		     "SwapPss:               0 kB\n"
		     "Locked:                0 kB\n"
		     "THPeligible:           0\n",
		     (unsigned long long)kb, (unsigned long long)rss, (unsigned long long)rss,
		     (unsigned long long)rss, (unsigned long long)(shared ? rss : 0),
		     (unsigned long long)(shared ? 0 : rss), (unsigned long long)rss,
		     (unsigned long long)(v->file ? 0 : rss));
	synth_printf(b, "VmFlags:%s%s%s%s%s%s%s\n", (v->prot & PROT_READ) ? " rd" : "",
		     (v->prot & PROT_WRITE) ? " wr" : "", (v->prot & PROT_EXEC) ? " ex" : "", " mr",
		     " mw", " me", shared ? " sh" : "");
}

static int show_maps(struct inode *inode, struct synth_buf *b, bool smaps)
{
	struct procfs_task pt;
	struct mm_vma_info *v;
	struct path root = { 0 };
	char *path;
	size_t n;
	int err;

	err = procfs_inode_task(inode, PROCFS_WANT_MM, &pt);
	if (err)
		return err;
	err = procfs_may_access(&pt);
	if (err || !pt.mm) {
		procfs_task_put(&pt);
		return err; /* a zombie's (no mm) is empty, as Linux shows */
	}
	err = mm_vma_snapshot(pt.mm, &v, &n);
	procfs_task_put(&pt);
	if (err)
		return err;
	path = malloc(PATH_MAX);
	if (!path) {
		mm_vma_snapshot_free(v, n);
		return -ENOMEM;
	}
	if (task_current() && task_current()->fs) {
		struct fs_view *fs = task_current()->fs;

		pthread_mutex_lock(&fs->lock);
		root = fs->root;
		path_get(&root);
		pthread_mutex_unlock(&fs->lock);
	}
	for (size_t i = 0; i < n; i++) {
		vma_path(&v[i], &root, path, PATH_MAX);
		show_vma_line(b, &v[i], path);
		if (smaps)
			show_smaps_extra(b, &v[i]);
	}
	path_put(&root);
	free(path);
	mm_vma_snapshot_free(v, n);
	return 0;
}

static int maps_show(struct inode *inode, struct synth_buf *b)
{
	return show_maps(inode, b, false);
}

static int smaps_show(struct inode *inode, struct synth_buf *b)
{
	return show_maps(inode, b, true);
}

const struct synth_ops procfs_maps_ops = { .show = maps_show };
const struct synth_ops procfs_smaps_ops = { .show = smaps_show };
