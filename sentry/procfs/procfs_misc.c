/*
 * The system-wide files of /proc: meminfo, cpuinfo, stat, uptime, loadavg, version,
 * swaps. Memory totals are the host's (as sysinfo(2) reports them to the guest); CPU
 * time, processes and uptime are the sandbox's own.
 */
#include <cpuid.h>
#include <errno.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <time.h>

#include "common/memfile.h"
#include "sentry/kernel/sched.h"
#include "sentry/procfs/procfs_internal.h"

/* Must match what uname(2) reports (sys_info.c). */
#define PROCFS_OSRELEASE "6.1.0-warden"

static int ncpus(void)
{
	return __builtin_popcountll(sched_cpus());
}

static int meminfo_show(struct inode *inode, struct synth_buf *b)
{
	unsigned long long total = 0, freeram = 0, swap = 0, swapfree = 0, shmem;
	struct sysinfo si;

	(void)inode;
	if (sysinfo(&si) == 0) {
		total = (unsigned long long)si.totalram * si.mem_unit >> 10;
		freeram = (unsigned long long)si.freeram * si.mem_unit >> 10;
		swap = (unsigned long long)si.totalswap * si.mem_unit >> 10;
		swapfree = (unsigned long long)si.freeswap * si.mem_unit >> 10;
	}
	/* The sandbox's own memory (the memory file) is its shared memory. */
	shmem = memfile_used_pages() * (PAGE_SIZE >> 10);
	synth_printf(b,
		     "MemTotal:       %8llu kB\nMemFree:        %8llu kB\n"
		     "MemAvailable:   %8llu kB\nBuffers:        %8llu kB\n"
		     "Cached:         %8llu kB\nSwapCached:     %8llu kB\n",
		     total, freeram, freeram, 0ULL, shmem, 0ULL);
	synth_printf(b,
		     "Active:         %8llu kB\nInactive:       %8llu kB\n"
		     "SwapTotal:      %8llu kB\nSwapFree:       %8llu kB\n"
		     "Dirty:          %8llu kB\nWriteback:      %8llu kB\n"
		     "AnonPages:      %8llu kB\nMapped:         %8llu kB\n"
		     "Shmem:          %8llu kB\nSlab:           %8llu kB\n"
		     "SReclaimable:   %8llu kB\nSUnreclaim:     %8llu kB\n",
		     shmem, 0ULL, swap, swapfree, 0ULL, 0ULL, 0ULL, shmem, shmem, 0ULL, 0ULL, 0ULL);
	synth_printf(b,
		     "CommitLimit:    %8llu kB\nCommitted_AS:   %8llu kB\n"
		     "VmallocTotal:   34359738367 kB\nHugePages_Total:       0\n"
		     "HugePages_Free:        0\nHugepagesize:       2048 kB\n",
		     total / 2 + swap, shmem);
	return 0;
}

const struct synth_ops procfs_meminfo_ops = { .show = meminfo_show };

/* The CPUID feature bits cpuinfo names (a subset of Linux's x86 cpufeatures). */
static const struct {
	unsigned leaf, reg, bit; /* reg: 0 = ecx, 1 = edx, 2 = ebx (leaf 7) */
	const char *name;
} cpu_flags[] = {
	{ 1, 1, 0, "fpu" },	  { 1, 1, 1, "vme" },	  { 1, 1, 2, "de" },
	{ 1, 1, 3, "pse" },	  { 1, 1, 4, "tsc" },	  { 1, 1, 5, "msr" },
	{ 1, 1, 6, "pae" },	  { 1, 1, 7, "mce" },	  { 1, 1, 8, "cx8" },
	{ 1, 1, 9, "apic" },	  { 1, 1, 11, "sep" },	  { 1, 1, 12, "mtrr" },
	{ 1, 1, 13, "pge" },	  { 1, 1, 14, "mca" },	  { 1, 1, 15, "cmov" },
	{ 1, 1, 16, "pat" },	  { 1, 1, 17, "pse36" },  { 1, 1, 19, "clflush" },
	{ 1, 1, 23, "mmx" },	  { 1, 1, 24, "fxsr" },	  { 1, 1, 25, "sse" },
	{ 1, 1, 26, "sse2" },	  { 1, 1, 28, "ht" },	  { 1, 0, 0, "pni" },
	{ 1, 0, 1, "pclmulqdq" }, { 1, 0, 9, "ssse3" },	  { 1, 0, 12, "fma" },
	{ 1, 0, 13, "cx16" },	  { 1, 0, 19, "sse4_1" }, { 1, 0, 20, "sse4_2" },
	{ 1, 0, 22, "movbe" },	  { 1, 0, 23, "popcnt" }, { 1, 0, 25, "aes" },
	{ 1, 0, 26, "xsave" },	  { 1, 0, 28, "avx" },	  { 1, 0, 29, "f16c" },
	{ 1, 0, 30, "rdrand" },	  { 7, 2, 3, "bmi1" },	  { 7, 2, 5, "avx2" },
	{ 7, 2, 8, "bmi2" },	  { 7, 2, 9, "erms" },	  { 7, 2, 16, "avx512f" },
	{ 7, 2, 18, "rdseed" },	  { 7, 2, 19, "adx" },	  { 7, 2, 29, "sha_ni" },
};

static void cpu_identity(char *vendor, char *model, unsigned *fam, unsigned *mod, unsigned *step)
{
	unsigned a, bx, c, d, sig;

	__cpuid(0, a, bx, c, d);
	memcpy(vendor, &bx, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	vendor[12] = '\0';
	__cpuid(1, sig, bx, c, d);
	*fam = (sig >> 8) & 0xf;
	*mod = (sig >> 4) & 0xf;
	*step = sig & 0xf;
	if (*fam == 0xf)
		*fam += (sig >> 20) & 0xff;
	if (*fam >= 6)
		*mod |= ((sig >> 16) & 0xf) << 4;
	model[0] = '\0';
	__cpuid(0x80000000, a, bx, c, d);
	if (a >= 0x80000004) {
		unsigned *m = (unsigned *)model;

		for (unsigned i = 0; i < 3; i++)
			__cpuid(0x80000002 + i, m[i * 4], m[i * 4 + 1], m[i * 4 + 2], m[i * 4 + 3]);
		model[48] = '\0';
	}
}

static void cpu_flag_list(struct synth_buf *b)
{
	unsigned r1[4], r7[4] = { 0 }, max, x;

	__cpuid(0, max, x, x, x);
	__cpuid(1, r1[0], r1[1], r1[2], r1[3]);
	if (max >= 7)
		__cpuid_count(7, 0, r7[0], r7[1], r7[2], r7[3]);
	for (size_t i = 0; i < sizeof(cpu_flags) / sizeof(cpu_flags[0]); i++) {
		unsigned reg;

		if (cpu_flags[i].leaf == 1)
			reg = cpu_flags[i].reg == 0 ? r1[2] : r1[3];
		else
			reg = r7[1];
		if (reg & (1u << cpu_flags[i].bit))
			synth_printf(b, " %s", cpu_flags[i].name);
	}
}

static int cpuinfo_show(struct inode *inode, struct synth_buf *b)
{
	char vendor[13], model[49];
	unsigned fam, mod, step;
	uint64_t mask = sched_cpus();
	int n = ncpus(), idx = 0;

	(void)inode;
	cpu_identity(vendor, model, &fam, &mod, &step);
	for (int cpu = 0; cpu < 64; cpu++) {
		if (!(mask & (1ULL << cpu)))
			continue;
		synth_printf(b,
			     "processor\t: %d\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n"
			     "model name\t: %s\nstepping\t: %u\nphysical id\t: 0\nsiblings\t: %d\n"
			     "core id\t\t: %d\ncpu cores\t: %d\napicid\t\t: %d\n"
			     "fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: 13\nwp\t\t: yes\n"
			     "flags\t\t:",
			     idx, vendor, fam, mod, model, step, n, idx, n, idx);
		cpu_flag_list(b);
		synth_puts(b, "\nclflush size\t: 64\ncache_alignment\t: 64\n"
			      "address sizes\t: 46 bits physical, 48 bits virtual\n"
			      "power management:\n\n");
		idx++;
	}
	return 0;
}

const struct synth_ops procfs_cpuinfo_ops = { .show = cpuinfo_show };

/* The sandbox's busy and idle time in ticks: what its processes used, the rest idle. */
static void cpu_ticks(const struct procfs_kstats *ks, uint64_t *user, uint64_t *sys, uint64_t *idle)
{
	uint64_t all = procfs_ticks(procfs_uptime_ns()) * (uint64_t)ncpus();

	*user = procfs_ticks(ks->utime_ns);
	*sys = procfs_ticks(ks->stime_ns);
	*idle = all > *user + *sys ? all - *user - *sys : 0;
}

static int kstat_show(struct inode *inode, struct synth_buf *b)
{
	struct procfs_kstats ks;
	uint64_t user, sys, idle, mask = sched_cpus();
	struct timespec now;
	int n = ncpus(), idx = 0;

	(void)inode;
	procfs_kstats(&ks);
	cpu_ticks(&ks, &user, &sys, &idle);
	synth_printf(b, "cpu  %llu 0 %llu %llu 0 0 0 0 0 0\n", (unsigned long long)user,
		     (unsigned long long)sys, (unsigned long long)idle);
	for (int cpu = 0; cpu < 64; cpu++) {
		if (!(mask & (1ULL << cpu)))
			continue;
		/* Per-CPU figures are not tracked: each CPU gets an even share. */
		synth_printf(b, "cpu%d %llu 0 %llu %llu 0 0 0 0 0 0\n", idx++,
			     (unsigned long long)(user / (uint64_t)n),
			     (unsigned long long)(sys / (uint64_t)n),
			     (unsigned long long)(idle / (uint64_t)n));
	}
	clock_gettime(CLOCK_REALTIME, &now);
	synth_printf(b,
		     "intr 0\nctxt 0\nbtime %lld\nprocesses %d\nprocs_running %d\n"
		     "procs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
		     (long long)(now.tv_sec - (time_t)(procfs_uptime_ns() / 1000000000ULL)),
		     ks.last_pid, ks.nrunning);
	return 0;
}

const struct synth_ops procfs_kstat_ops = { .show = kstat_show };

static int uptime_show(struct inode *inode, struct synth_buf *b)
{
	struct procfs_kstats ks;
	uint64_t user, sys, idle, up = procfs_uptime_ns();

	(void)inode;
	procfs_kstats(&ks);
	cpu_ticks(&ks, &user, &sys, &idle);
	synth_printf(b, "%llu.%02llu %llu.%02llu\n", (unsigned long long)(up / 1000000000ULL),
		     (unsigned long long)(up / 10000000ULL % 100),
		     (unsigned long long)(idle / PROCFS_HZ),
		     (unsigned long long)(idle % PROCFS_HZ));
	return 0;
}

const struct synth_ops procfs_uptime_ops = { .show = uptime_show };

/* Load averages are not tracked (sysinfo(2) reports 0 too); the task counts are real. */
static int loadavg_show(struct inode *inode, struct synth_buf *b)
{
	struct procfs_kstats ks;

	(void)inode;
	procfs_kstats(&ks);
	synth_printf(b, "0.00 0.00 0.00 %d/%d %d\n", ks.nrunning, ks.nthreads, ks.last_pid);
	return 0;
}

const struct synth_ops procfs_loadavg_ops = { .show = loadavg_show };

static int version_show(struct inode *inode, struct synth_buf *b)
{
	(void)inode;
	synth_puts(b, "Linux version " PROCFS_OSRELEASE " (warden) #1 SMP Warden " WARDEN_VERSION
		      "\n");
	return 0;
}

const struct synth_ops procfs_version_ops = { .show = version_show };

/* The sandbox has no swap devices: the header alone, as Linux prints then. */
static int swaps_show(struct inode *inode, struct synth_buf *b)
{
	(void)inode;
	synth_puts(b, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	return 0;
}

const struct synth_ops procfs_swaps_ops = { .show = swaps_show };
