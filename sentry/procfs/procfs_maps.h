/* The memory figures /proc/[pid]/status, stat and statm share (procfs_maps.c). */
#ifndef SENTRY_PROCFS_PROCFS_MAPS_H
#define SENTRY_PROCFS_PROCFS_MAPS_H

#include <stdint.h>

#include "common/util.h"

struct mm;

struct procfs_mm_stats {
	uint64_t vm_kb, rss_kb, anon_kb, file_kb, data_kb, stk_kb, exe_kb, lib_kb;
	uaddr_t start_code, end_code, start_data, end_data, start_brk, brk;
	uaddr_t start_stack, arg_start, arg_end, env_start, env_end;
};

/* Sums mm's VMAs (all zero for a NULL mm). 0 or -ENOMEM. */
int procfs_mm_stats(struct mm *mm, struct procfs_mm_stats *st);

#endif
